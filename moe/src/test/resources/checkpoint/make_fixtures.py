"""Writes the safetensors fixtures the Java tests read, with the reference implementation.

Run with safetensors, numpy and ml_dtypes installed:  python make_fixtures.py
Conversions come from ml_dtypes, independent of the Java code under test; each narrow tensor has an F32
"<name>.expected" twin holding its values as the reference computes them.
"""
import ml_dtypes
import numpy as np
from safetensors import _safetensors_rust as st
from safetensors.numpy import save_file

rng = np.random.default_rng(7)


keep = []  # the serializer reads raw pointers: the arrays must outlive it


NAMES = {"F32": "float32", "BF16": "bfloat16", "F16": "float16", "F8_E4M3": "float8_e4m3fn", "I64": "int64"}


def raw(dtype, array):
    array = np.ascontiguousarray(array)
    keep.append(array)
    return st.TensorSpec(dtype=NAMES[dtype], shape=list(array.shape), data_ptr=array.ctypes.data, data_len=array.nbytes)


def f32(array):
    return raw("F32", np.ascontiguousarray(array, dtype="<f4"))


tensors = {}

# BF16: ordinary values, a tie, extremes; values widened by ml_dtypes.
bf = np.array([1.0, -2.0, 3.140625, 1e-40, 3.0e38, -0.0, 65504.0, 0.1], dtype=ml_dtypes.bfloat16)
tensors["bf16"] = raw("BF16", bf.view("<u2"))
tensors["bf16.expected"] = f32(bf.astype(np.float32))

# BF16 encoding: float32 inputs rounded by ml_dtypes (round to nearest even).
src = np.concatenate([rng.standard_normal(61).astype(np.float32) * 100,
                      np.array([1.00390625, 1.01171875, -1.00390625, 3.4028235e38], dtype=np.float32)])
tensors["bf16_encode.input"] = f32(src)
tensors["bf16_encode.rounded"] = raw("BF16", src.astype(ml_dtypes.bfloat16).view("<u2"))

# F16
h = np.array([1.0, -0.5, 65504.0, 6e-8, 0.333], dtype="<f2")
tensors["f16"] = raw("F16", h)
tensors["f16.expected"] = f32(h.astype(np.float32))

# Every e4m3fn byte, decoded by ml_dtypes.
allbytes = np.arange(256, dtype=np.uint8).reshape(16, 16)
tensors["f8_all"] = raw("F8_E4M3", allbytes)
tensors["f8_all.expected"] = f32(allbytes.view(ml_dtypes.float8_e4m3fn).astype(np.float32))

# DeepSeek-V3 block FP8: 129 x 130 weights, 2 x 2 blocks of 128 with their inverse scales.
w = (rng.standard_normal((129, 130)) * 50).astype(ml_dtypes.float8_e4m3fn)
scale = np.array([[0.5, 0.25], [2.0, 0.125]], dtype=np.float32)
full = np.kron(scale, np.ones((128, 128), dtype=np.float32))[:129, :130]
tensors["model.layers.0.mlp.down_proj.weight"] = raw("F8_E4M3", w.view(np.uint8))
tensors["model.layers.0.mlp.down_proj.weight_scale_inv"] = f32(scale)
tensors["model.layers.0.mlp.down_proj.weight.expected"] = f32(w.astype(np.float32) * full)

# A tensor that validates but does not convert to float.
tensors["position_ids"] = raw("I64", np.arange(4, dtype="<i8"))

with open("formats.safetensors", "wb") as f:
    f.write(st.serialize(tensors, {"format": "pt"}))

# Plain F32, as torch.save would leave it, to compare the Java writer byte for byte.
save_file({
    "model.embed_tokens.weight": np.arange(12, dtype=np.float32).reshape(3, 4) / 7,
    "model.norm.weight": np.array([1.0, 0.5, -0.25], dtype=np.float32),
    "lm_head.weight": np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3),
}, "reference_f32.safetensors", metadata={"format": "pt"})

"""DeepSeek-V3's reference inference code, driven in float32 on the CPU, plus what the cross-checks share.

The reference lives outside this repository: REF_DIR is a checkout (or extracted copy) of
github.com/deepseek-ai/DeepSeek-V3 holding inference/model.py and inference/convert.py. It is imported from
there at run time, never copied here.

Needs only Debian's python3-torch (1.13 works) and numpy: the safetensors format is read and written here,
and what the reference imports for its GPU paths (kernel.py's Triton kernels, convert.py's safetensors and
tqdm) is stubbed, because the float32 path never calls it.
"""
import importlib.util
import json
import os
import struct
import subprocess
import sys
import types

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


# ---- importing the reference ----

def _inference_dir(ref_dir):
    for d in (os.path.join(ref_dir, "inference"), ref_dir):
        if os.path.isfile(os.path.join(d, "model.py")) and os.path.isfile(os.path.join(d, "convert.py")):
            return d
    sys.exit(f"{ref_dir}: no inference/model.py and inference/convert.py (give a DeepSeek-V3 checkout)")


def _stub(name, **attrs):
    m = types.ModuleType(name)
    for k, v in attrs.items():
        setattr(m, k, v)
    return m


def _unreachable(what):
    def f(*args, **kwargs):
        raise RuntimeError(f"{what} is a GPU/quantization path; the float32 cross-check must never reach it")
    return f


def _rms_norm(x, normalized_shape, weight=None, eps=None):
    """torch.nn.functional.rms_norm (torch >= 2.4) for older torch, with its formula: x * rsqrt(mean(x^2) + eps) * w."""
    if eps is None:
        eps = torch.finfo(x.dtype).eps
    dims = tuple(range(-len(normalized_shape), 0))
    y = x * torch.rsqrt(x.pow(2).mean(dims, keepdim=True) + eps)
    return y * weight if weight is not None else y


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_reference(ref_dir):
    """(model module, convert module) of the reference, imported from ref_dir."""
    d = _inference_dir(ref_dir)
    sys.modules.setdefault("kernel", _stub("kernel", act_quant=_unreachable("act_quant"),
                                           weight_dequant=_unreachable("weight_dequant"),
                                           fp8_gemm=_unreachable("fp8_gemm")))
    safetensors = _stub("safetensors")
    safetensors.torch = _stub("safetensors.torch", safe_open=_unreachable("safe_open"),
                              save_file=_unreachable("save_file"))
    sys.modules.setdefault("safetensors", safetensors)
    sys.modules.setdefault("safetensors.torch", safetensors.torch)
    sys.modules.setdefault("tqdm", _stub("tqdm", tqdm=lambda x, *a, **k: x, trange=lambda *a, **k: range(*a)))
    if not hasattr(F, "rms_norm"):
        F.rms_norm = _rms_norm
    model = _load(os.path.join(d, "model.py"), "deepseek_v3_reference_model")
    convert = _load(os.path.join(d, "convert.py"), "deepseek_v3_reference_convert")
    return model, convert


# ---- config: Hugging Face DeepseekV3Config -> reference ModelArgs ----

def model_args(ref, cfg, max_batch_size):
    """The reference ModelArgs for an HF config.json dict, refusing what the reference cannot express."""
    def need(ok, what):
        if not ok:
            sys.exit(f"config.json: {what}: the reference model.py cannot express this config")

    need(cfg.get("scoring_func", "sigmoid") in ("sigmoid", "softmax"), "scoring_func")
    # the reference always renormalizes the chosen sigmoid weights
    need(cfg.get("scoring_func", "sigmoid") != "sigmoid" or cfg.get("norm_topk_prob", True), "norm_topk_prob false")
    need(not cfg.get("tie_word_embeddings", False), "tie_word_embeddings true")
    kw = dict(
        max_batch_size=max_batch_size,
        max_seq_len=cfg["max_position_embeddings"],
        vocab_size=cfg["vocab_size"],
        dim=cfg["hidden_size"],
        inter_dim=cfg.get("intermediate_size", 0),
        moe_inter_dim=cfg.get("moe_intermediate_size", 0),
        n_layers=cfg["num_hidden_layers"],
        n_dense_layers=cfg.get("first_k_dense_replace", 0),
        n_heads=cfg["num_attention_heads"],
        n_routed_experts=cfg.get("n_routed_experts", 0),
        n_shared_experts=cfg.get("n_shared_experts", 0),
        n_activated_experts=cfg.get("num_experts_per_tok", 0),
        n_expert_groups=cfg.get("n_group", 1),
        n_limited_groups=cfg.get("topk_group", 1),
        score_func=cfg.get("scoring_func", "sigmoid"),
        route_scale=cfg.get("routed_scaling_factor", 1.0),
        q_lora_rank=cfg.get("q_lora_rank") or 0,
        kv_lora_rank=cfg["kv_lora_rank"],
        qk_nope_head_dim=cfg["qk_nope_head_dim"],
        qk_rope_head_dim=cfg["qk_rope_head_dim"],
        v_head_dim=cfg["v_head_dim"],
        rope_theta=cfg.get("rope_theta", 10000.0),
    )
    rs = cfg.get("rope_scaling")
    if rs:
        need(rs.get("type", rs.get("rope_type")) == "yarn", "rope_scaling type other than yarn")
        # HF scales the softmax by mscale(mscale_all_dim)^2 and cos/sin by mscale(mscale)/mscale(mscale_all_dim);
        # the reference has one mscale for the softmax and none on cos/sin, so they agree when the two are equal.
        need(rs.get("mscale", 1.0) == rs.get("mscale_all_dim", 0.0), "rope_scaling mscale != mscale_all_dim")
        kw.update(original_seq_len=rs["original_max_position_embeddings"], rope_factor=rs["factor"],
                  beta_fast=rs.get("beta_fast", 32), beta_slow=rs.get("beta_slow", 1),
                  mscale=rs.get("mscale_all_dim", 0.0))
    else:
        # no YaRN: keep the reference's condition max_seq_len > original_seq_len false
        kw.update(original_seq_len=max(cfg["max_position_embeddings"], 4096))
    return ref.ModelArgs(**kw)


def build_model(ref, cfg, max_batch_size, attn_impl):
    """A float32 reference Transformer for cfg; every MoE Gate gets the V3 selection bias (zeros)."""
    ref.attn_impl = attn_impl
    torch.set_default_dtype(torch.float32)
    model = ref.Transformer(model_args(ref, cfg, max_batch_size))
    # Transformer() sets Linear.dtype to bf16; float32 weights take linear()'s plain F.linear path.
    model.float()
    for m in model.modules():
        if isinstance(m, ref.RMSNorm):
            m.eps = cfg.get("rms_norm_eps", 1e-6)
        if isinstance(m, ref.Gate) and m.bias is None:
            # The reference creates the bias only at dim 7168 (V3 itself); V3's routing, which Consilium
            # implements, always has it: top-2-sum group scores, bias steering selection only.
            m.bias = nn.Parameter(torch.zeros(m.weight.size(0)), requires_grad=False)
    return model


# ---- names: Hugging Face <-> reference, through convert.py's table ----

def reference_name(convert, hf):
    """convert.py's renaming of one HF tensor name, with its own `mapping` table."""
    name = hf[len("model."):] if hf.startswith("model.") else hf
    name = name.replace("self_attn", "attn").replace("mlp", "ffn")
    name = name.replace("weight_scale_inv", "scale").replace("e_score_correction_bias", "bias")
    key = name.split(".")[-2]
    if key not in convert.mapping:
        raise KeyError(f"{hf}: '{key}' is not in convert.py's mapping")
    return name.replace(key, convert.mapping[key][0])


def hf_names(convert, model):
    """{reference state_dict name: HF name}, inverting convert.py's renaming and checking the round trip."""
    inverse = {new: old for old, (new, _) in convert.mapping.items()}
    out = {}
    for ref_name in model.state_dict():
        parts = ref_name.split(".")
        parts[-2] = inverse[parts[-2]]
        if parts[-2] == "gate" and parts[-1] == "bias":
            parts[-1] = "e_score_correction_bias"
        if parts[0] == "layers":
            parts[2] = {"attn": "self_attn", "ffn": "mlp"}.get(parts[2], parts[2])
        hf = ".".join(parts)
        if not hf.startswith("lm_head."):
            hf = "model." + hf
        if reference_name(convert, hf) != ref_name:
            raise AssertionError(f"name mapping does not round-trip: {ref_name} -> {hf} -> {reference_name(convert, hf)}")
        out[ref_name] = hf
    return out


def load_hf_weights(convert, model, tensors):
    """Copies HF-named float32 arrays into the reference model; returns the HF names it did not use."""
    names = hf_names(convert, model)
    state = model.state_dict()
    for ref_name, hf in names.items():
        if hf not in tensors:
            sys.exit(f"checkpoint: missing tensor '{hf}' (reference '{ref_name}')")
        a = tensors[hf]
        if tuple(a.shape) != tuple(state[ref_name].shape):
            sys.exit(f"checkpoint: tensor '{hf}' has shape {list(a.shape)}, reference '{ref_name}' wants "
                     f"{list(state[ref_name].shape)}")
        with torch.no_grad():
            state[ref_name].copy_(torch.from_numpy(np.ascontiguousarray(a)))
    return sorted(set(tensors) - set(names.values()))


def hf_state(convert, model):
    """The model's tensors as {HF name: float32 numpy array}."""
    names = hf_names(convert, model)
    return {hf: model.state_dict()[r].detach().float().numpy().copy() for r, hf in names.items()}


# ---- forward over every position ----

def reset_caches(model):
    """Fresh KV caches, so autograd never reaches back into a previous step's graph through them."""
    for m in model.modules():
        for name in ("k_cache", "v_cache", "kv_cache", "pe_cache"):
            if hasattr(m, name):
                setattr(m, name, torch.zeros_like(getattr(m, name)))


def all_logits(model, tokens):
    """Logits (B, T, V) at every position: Transformer.forward keeps only the last, so the same steps are
    composed here from the reference modules (embed, layers with the causal mask, norm, head)."""
    reset_caches(model)
    T = tokens.size(1)
    h = model.embed(tokens)
    freqs_cis = model.freqs_cis[:T]
    mask = torch.full((T, T), float("-inf")).triu_(1) if T > 1 else None
    for layer in model.layers:
        h = layer(h, 0, freqs_cis, mask)
    return model.head(model.norm(h))


def routing_margin(model, ref, tokens):
    """The smallest gap, over MoE layers and tokens, between a kept and a dropped group score and between
    the K-th and (K+1)-th eligible biased expert score: below about 1e-5, two float32 implementations may
    legitimately route a token differently."""
    margins = []

    def hook(gate, inputs, output):
        x = inputs[0]
        logits = x @ gate.weight.t()
        s = (torch.sigmoid(logits) if gate.score_func == "sigmoid" else logits.softmax(-1)) + gate.bias
        N, E = s.shape
        if 1 < gate.n_groups and gate.topk_groups < gate.n_groups:
            grouped = s.view(N, gate.n_groups, -1)
            gs = grouped.topk(2, dim=-1)[0].sum(-1).sort(dim=-1, descending=True)[0]
            margins.append(float((gs[:, gate.topk_groups - 1] - gs[:, gate.topk_groups]).min()))
            keep = gs[:, gate.topk_groups - 1:gate.topk_groups]
            mask = grouped.topk(2, dim=-1)[0].sum(-1) < keep
            s = grouped.masked_fill(mask.unsqueeze(-1), float("-inf")).flatten(1)
        top = s.sort(dim=-1, descending=True)[0]
        if gate.topk < E:
            margins.append(float((top[:, gate.topk - 1] - top[:, gate.topk]).min()))

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, ref.Gate)]
    with torch.no_grad():
        all_logits(model, tokens)
    for h in handles:
        h.remove()
    return min(margins, default=float("inf"))


# ---- safetensors, by hand ----

_DTYPES = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64}


def write_safetensors(path, tensors, metadata=None):
    """tensors: {name: numpy array}, written in the given order as little-endian data."""
    header, blobs, offset = {}, [], 0
    for name, a in tensors.items():
        a = np.ascontiguousarray(a)
        dtype = next(k for k, v in _DTYPES.items() if a.dtype == v)
        blob = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """{name: numpy array} of an F32/F64/I32/I64 safetensors file (BF16 and FP8 are refused by name)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in _DTYPES:
            sys.exit(f"{path}: tensor '{name}' is {info['dtype']}; only {', '.join(_DTYPES)} are read here")
        b, e = info["data_offsets"]
        dt = np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<")
        out[name] = np.frombuffer(data, dtype=dt, count=(e - b) // dt.itemsize, offset=8 + n + b) \
            .reshape(info["shape"]).astype(_DTYPES[info["dtype"]])
    return out


def ref_commit(ref_dir):
    """The reference's commit: REF_DIR/COMMIT when the extraction wrote one (see README), else git's HEAD."""
    marker = os.path.join(ref_dir, "COMMIT")
    if os.path.isfile(marker):
        return open(marker).read().strip()
    try:
        return subprocess.run(["git", "-C", ref_dir, "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def max_abs(a, b):
    return float(np.max(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))))


def log_softmax(logits):
    x = np.asarray(logits, dtype=np.float64)
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))

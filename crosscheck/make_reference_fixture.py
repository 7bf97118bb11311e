#!/usr/bin/python3
"""Reference -> Consilium: tiny DeepSeek-V3 checkpoints with logits computed by DeepSeek's own model.py.

    make_reference_fixture.py REF_DIR OUT_DIR

REF_DIR: a DeepSeek-V3 checkout or extracted copy (inference/model.py, inference/convert.py).
OUT_DIR: receives one folder per variant (moe/src/test/resources/crosscheck in this repository), each with
  config.json        HF DeepseekV3Config field names, as Consilium's ModelConfig writes them
  model.safetensors  F32 weights under HF names (mapped from the reference's through convert.py's table)
  reference.json     token ids (B, T), the reference's logits at every position (B, T, V), and checks

The reference runs in float32 on the CPU with random weights from a fixed torch seed. Every variant is a
V3 MoE (sigmoid scores, a nonzero selection bias, n_group > 1 with topk_group < n_group, shared experts,
routed_scaling_factor != 1, first_k_dense_replace = 1); they differ in the query path and the rope.
ReferenceLogitsTest loads each folder into the Java model and compares log-probs.
"""
import copy
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as R  # noqa: E402

B, T = 2, 12
# Routing decisions closer than this (in biased score) could flip between two float32 implementations; a
# seed whose tokens come that close is skipped, so the fixture tests semantics rather than rounding.
MIN_MARGIN = 1e-4

BASE = {
    "architectures": ["DeepseekV3ForCausalLM"],
    "model_type": "deepseek_v3",
    "torch_dtype": "float32",
    "vocab_size": 64,
    "hidden_size": 32,
    "intermediate_size": 48,
    "moe_intermediate_size": 8,
    "num_hidden_layers": 3,
    "first_k_dense_replace": 1,
    "num_attention_heads": 4,
    "num_key_value_heads": 4,
    "n_routed_experts": 12,
    "n_shared_experts": 2,
    "num_experts_per_tok": 3,
    "n_group": 4,
    "topk_group": 2,
    "topk_method": "noaux_tc",
    "moe_layer_freq": 1,
    "scoring_func": "sigmoid",
    "routed_scaling_factor": 2.5,
    "norm_topk_prob": True,
    "q_lora_rank": 12,
    "kv_lora_rank": 16,
    "qk_nope_head_dim": 8,
    "qk_rope_head_dim": 8,
    "v_head_dim": 8,
    "rope_theta": 10000.0,
    "rope_scaling": None,
    "max_position_embeddings": 64,
    "rms_norm_eps": 1e-6,
    "num_nextn_predict_layers": 0,
    "tie_word_embeddings": False,
    "hidden_act": "silu",
    "attention_bias": False,
}

VARIANTS = {
    # queries through the low-rank bottleneck (q_a_proj, q_a_layernorm, q_b_proj), two MoE layers
    "q-lora": {},
    # queries by one projection (q_proj), as DeepSeek-V2-Lite
    "q-proj": {"q_lora_rank": None, "num_hidden_layers": 2},
    # YaRN: max_position_embeddings beyond the original length, so the frequencies are interpolated
    # (the small rope_theta puts a partial ramp inside the 4 rotary frequencies) and mscale^2 scales the softmax
    "yarn": {"num_hidden_layers": 2, "rope_theta": 100.0, "max_position_embeddings": 128,
             "rope_scaling": {"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32,
                              "beta_fast": 32.0, "beta_slow": 1.0, "mscale": 0.707, "mscale_all_dim": 0.707}},
}


def randomize(model, seed):
    """Weights that make every part matter: unit-variance activations, gains near 1, a routing bias."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("gate.bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            elif p.dim() == 1:
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=g))
            elif name == "embed.weight":
                p.copy_(torch.randn(p.shape, generator=g))
            else:
                # std 1/sqrt(fan_in): q.k scores, gate logits and output logits all of order 1
                p.copy_(torch.randn(p.shape, generator=g) / p.shape[1] ** 0.5)


def logits_of(model, tokens):
    with torch.no_grad():
        return R.all_logits(model, tokens).numpy().astype(np.float64)


def short(x):
    """A float32 as the shortest decimal that reads back to it."""
    return float(np.format_float_positional(np.float32(x), unique=True, trim="-"))


def make(ref, convert, name, overrides, out_dir, commit):
    cfg = copy.deepcopy(BASE)
    cfg.update(overrides)
    seed = 0
    while True:
        model = R.build_model(ref, cfg, B, "naive")
        randomize(model, seed)
        tokens = torch.randint(0, cfg["vocab_size"], (B, T), generator=torch.Generator().manual_seed(1000 + seed))
        margin = R.routing_margin(model, ref, tokens)
        if margin >= MIN_MARGIN:
            break
        seed += 1
    naive = logits_of(model, tokens)
    with torch.no_grad():
        R.reset_caches(model)
        last = model(tokens).numpy()  # the reference's own forward: the last position only

    absorb_model = R.build_model(ref, cfg, B, "absorb")
    absorb_model.load_state_dict(model.state_dict())
    absorb = logits_of(absorb_model, tokens)

    # How far the log-probs move when one V3 detail is dropped: each must dwarf the test's 1e-4 tolerance.
    lp = R.log_softmax(naive)
    sensitivity = {}
    state = model.state_dict()
    unbiased = R.build_model(ref, cfg, B, "naive")
    unbiased.load_state_dict(state)
    with torch.no_grad():
        for m in unbiased.modules():
            if isinstance(m, ref.Gate):
                m.bias.zero_()
    sensitivity["selection_bias_zeroed"] = R.max_abs(R.log_softmax(logits_of(unbiased, tokens)), lp)
    unscaled = R.build_model(ref, dict(cfg, routed_scaling_factor=1.0), B, "naive")
    unscaled.load_state_dict(state)
    sensitivity["routed_scaling_factor_1"] = R.max_abs(R.log_softmax(logits_of(unscaled, tokens)), lp)
    if cfg["rope_scaling"]:
        plain = R.build_model(ref, dict(cfg, rope_scaling=None), B, "naive")
        plain.load_state_dict(state)
        sensitivity["yarn_dropped"] = R.max_abs(R.log_softmax(logits_of(plain, tokens)), lp)

    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    weights = R.hf_state(convert, model)
    R.write_safetensors(os.path.join(d, "model.safetensors"), weights, {"format": "pt"})
    checks = {
        "naive_vs_absorb_max_abs_logit": R.max_abs(naive, absorb),
        "last_position_vs_transformer_forward_max_abs_logit": R.max_abs(naive[:, -1], last),
        "min_routing_margin": margin,
        "log_prob_change_when_dropped": sensitivity,
    }
    doc = {
        "reference": "github.com/deepseek-ai/DeepSeek-V3 inference/model.py" + (f" @ {commit}" if commit else ""),
        "generator": "crosscheck/make_reference_fixture.py",
        "dtype": "float32",
        "attn_impl": "naive",
        "seed": seed,
        "checks": checks,
        "tokens": tokens.tolist(),
        "logits": [[[short(v) for v in row] for row in seq] for seq in naive.astype(np.float32)],
    }
    with open(os.path.join(d, "reference.json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"{name}: seed {seed}, {sum(a.size for a in weights.values())} weights, "
          f"naive vs absorb {checks['naive_vs_absorb_max_abs_logit']:.2e}, last position vs forward "
          f"{checks['last_position_vs_transformer_forward_max_abs_logit']:.2e}, routing margin {margin:.2e}, "
          f"log-prob change when dropped: " + ", ".join(f"{k} {v:.3f}" for k, v in sensitivity.items()))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    ref_dir, out_dir = sys.argv[1], sys.argv[2]
    ref, convert = R.load_reference(ref_dir)
    torch.set_num_threads(1)
    commit = R.ref_commit(ref_dir)
    for name, overrides in VARIANTS.items():
        make(ref, convert, name, overrides, out_dir, commit)


if __name__ == "__main__":
    main()

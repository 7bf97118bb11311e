#!/usr/bin/python3
"""Consilium -> reference: a checkpoint Consilium saved, run by DeepSeek's reference model.py.

    compare_checkpoint.py REF_DIR CHECKPOINT_DIR LOG_PROBS

REF_DIR: a DeepSeek-V3 checkout or extracted copy (inference/model.py, inference/convert.py).
CHECKPOINT_DIR: config.json + model.safetensors (F32) as Consilium's ModelCheckpoint.save writes them.
LOG_PROBS: what crosscheck/ConsiliumLogProbs.java wrote for that checkpoint: tokens (B, T) and Consilium's
  log-probabilities over the vocabulary at every position (B, T, V).

Loads the weights into the reference Transformer (float32, CPU) by convert.py's name table, runs the same
tokens with both attention implementations, and prints max |log p_consilium - log p_reference|. The MTP
modules (layers >= num_hidden_layers) are not part of the reference model and are skipped, as convert.py
skips V3's layer 61. Exits 1 when the gap exceeds --tolerance (default 1e-4).
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as R  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("ref_dir")
    p.add_argument("checkpoint")
    p.add_argument("log_probs")
    p.add_argument("--tolerance", type=float, default=1e-4)
    a = p.parse_args()

    ref, convert = R.load_reference(a.ref_dir)
    torch.set_num_threads(1)
    with open(os.path.join(a.checkpoint, "config.json")) as f:
        cfg = json.load(f)
    weights = R.read_safetensors(os.path.join(a.checkpoint, "model.safetensors"))
    theirs = R.read_safetensors(a.log_probs)
    tokens = torch.from_numpy(theirs["tokens"].astype(np.int64))
    consilium = theirs["log_probs"].astype(np.float64)
    B, T = tokens.shape

    mtp_prefix = tuple(f"model.layers.{cfg['num_hidden_layers'] + k}." for k in range(cfg.get("num_nextn_predict_layers", 0)))
    print(f"{a.checkpoint}: {len(weights)} tensors, {sum(w.size for w in weights.values()):,} values; "
          f"tokens {B} x {T}, vocab {consilium.shape[-1]}")
    worst = 0.0
    for impl in ("naive", "absorb"):
        model = R.build_model(ref, cfg, B, impl)
        unused = R.load_hf_weights(convert, model, weights)
        stray = [n for n in unused if not n.startswith(mtp_prefix)]
        if stray:
            sys.exit(f"{a.checkpoint}: tensors the reference has no place for: {stray[:10]}")
        with torch.no_grad():
            lp = R.log_softmax(R.all_logits(model, tokens).numpy())
        d = np.abs(lp - consilium)
        worst = max(worst, float(d.max()))
        b, t, v = np.unravel_index(int(d.argmax()), d.shape)
        print(f"attn_impl={impl}: max |log p_consilium - log p_reference| = {d.max():.3e} "
              f"(sequence {b}, position {t}, token {v}); mean {d.mean():.3e}; "
              f"skipped {len(unused)} MTP tensors")
    print(f"smallest routing margin on these tokens: {R.routing_margin(model, ref, tokens):.3e}")
    if worst > a.tolerance:
        print(f"MISMATCH: {worst:.3e} > tolerance {a.tolerance:g}")
        sys.exit(1)
    print(f"OK: within {a.tolerance:g}")


if __name__ == "__main__":
    main()

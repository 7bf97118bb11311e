"""OpenBLAS time for every matrix product of one `small` training step, for README's training figures.

`consilium bench train --config small --mtp-weight 0` runs 8 x 256 = 2048 tokens per step. Its linear
layers, each run forward and as its two backward products (see openblas_sgemm.py), are:
  per layer (6): q_a 256->96, q_b 96->384, kv_a 256->80, kv_b 64->512, o 256->256
  layer 0: dense gate+up 256->1536, down 768->256
  per MoE layer (5): router 256->32, shared gate+up 256->256 and down 128->256 over all tokens, and
                     32 routed experts' gate+up 256->256 and down 128->256 over 2048 * 4 / 32 = 256 tokens each
  LM head 256->4096
The attention core (scores and values, causal) and every elementwise op are left out, so the sum is a bound:
the step could not be faster than this with OpenBLAS's products and nothing else costing anything.
Threads come from OPENBLAS_NUM_THREADS. Prints one JSON object.
"""
import json
import time

import numpy as np

from openblas_sgemm import best_seconds

T = 2048
LINEAR = ([("q_a", T, 256, 96), ("q_b", T, 96, 384), ("kv_a", T, 256, 80), ("kv_b", T, 64, 512), ("o", T, 256, 256)] * 6
          + [("dense_gate_up", T, 256, 1536), ("dense_down", T, 768, 256)]
          + ([("router", T, 256, 32), ("shared_gate_up", T, 256, 256), ("shared_down", T, 128, 256)]
             + [("expert_gate_up", T * 4 // 32, 256, 256), ("expert_down", T * 4 // 32, 128, 256)] * 32) * 5
          + [("lm_head", T, 256, 4096)])


def main():
    rng = np.random.default_rng(0)
    per_shape = {}
    for _, n, c, oc in LINEAR:
        if (n, c, oc) in per_shape:
            continue
        inp = rng.standard_normal((n, c), dtype=np.float32)
        w = rng.standard_normal((oc, c), dtype=np.float32)
        dout = rng.standard_normal((n, oc), dtype=np.float32)
        per_shape[(n, c, oc)] = (best_seconds(lambda: inp @ w.T, 0.1) + best_seconds(lambda: dout @ w, 0.1)
                                 + best_seconds(lambda: dout.T @ inp, 0.1))
    by_op, seconds, flops = {}, 0.0, 0.0
    for name, n, c, oc in LINEAR:
        s = per_shape[(n, c, oc)]
        by_op[name] = by_op.get(name, 0.0) + s
        seconds += s
        flops += 3 * 2.0 * n * c * oc
    print(json.dumps({"numpy": np.__version__, "products_gflop_per_step": round(flops / 1e9, 2),
                      "products_s_per_step": round(seconds, 4), "gflop_per_s": round(flops / seconds / 1e9, 1),
                      "tokens_per_s_if_nothing_else_cost": round(T / seconds),
                      "seconds_by_op": {k: round(v, 4) for k, v in by_op.items()}}, indent=1))


if __name__ == "__main__":
    main()

"""OpenBLAS (through numpy) on the matrix products of one training step, beside `consilium bench products`.

The product list comes from that command's JSON (its "products": name, n tokens, c inputs, oc outputs,
count per step), so both sides run the very same list:

  ./consilium bench products --config small > products.json
  OPENBLAS_NUM_THREADS=2 python3 bench/openblas_train_step.py products.json

Each linear layer runs as the three products Matmul computes (see openblas_sgemm.py). As in the Java
command, every call is timed on its own, in rounds that visit every product in turn; the best call of each
product gives what the BLAS can do, the median what a step meets on this machine as it is. The attention
core and every elementwise op are left out, so the sums bound a step from below.
Prints one JSON object with the Java command's keys.
"""
import json
import statistics
import sys
import time

import numpy as np


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: openblas_train_step.py PRODUCTS_JSON  (the output of ./consilium bench products)")
    spec = json.load(open(sys.argv[1]))
    rounds = spec["rounds"]
    rng = np.random.default_rng(0)
    ops = []
    for p in spec["products"]:
        n, c, oc = p["n"], p["c"], p["oc"]
        inp = rng.uniform(-1, 1, (n, c)).astype(np.float32)
        w = rng.uniform(-1, 1, (oc, c)).astype(np.float32)
        dout = rng.uniform(-1, 1, (n, oc)).astype(np.float32)
        out, dinp, dw = np.empty((n, oc), np.float32), np.zeros((n, c), np.float32), np.zeros((oc, c), np.float32)
        # default arguments bind this product's arrays (a closure would see the last loop iteration's)
        calls = (lambda inp=inp, w=w, out=out: np.matmul(inp, w.T, out=out),
                 lambda dinp=dinp, dout=dout, w=w: np.add(dinp, dout @ w, out=dinp),
                 lambda dw=dw, dout=dout, inp=inp: np.add(dw, dout.T @ inp, out=dw))
        ops.append((p, calls, [[], [], []]))

    end = time.perf_counter() + 5
    while time.perf_counter() < end:
        for _, calls, _ in ops:
            for f in calls:
                f()
    for _ in range(rounds):
        for _, calls, times in ops:
            for d, f in enumerate(calls):
                t0 = time.perf_counter()
                f()
                times[d].append(time.perf_counter() - t0)

    best = median = flops = 0.0
    by_op = {}
    for p, _, times in ops:
        best += p["count"] * sum(min(t) for t in times)
        m = p["count"] * sum(statistics.median(t) for t in times)
        median += m
        by_op[p["name"]] = round(m, 4)
        flops += p["count"] * 3 * 2.0 * p["n"] * p["c"] * p["oc"]
    tokens = spec["tokens_per_step"]
    print(json.dumps({"config": spec["config"], "numpy": np.__version__, "tokens_per_step": tokens,
                      "products_gflop_per_step": round(flops / 1e9, 2),
                      "products_s_per_step": round(best, 4), "products_s_per_step_median": round(median, 4),
                      "gflop_per_s": round(flops / best / 1e9, 1), "gflop_per_s_median": round(flops / median / 1e9, 1),
                      "tokens_per_s_if_nothing_else_cost": round(tokens / best),
                      "tokens_per_s_if_nothing_else_cost_median": round(tokens / median),
                      "seconds_by_op_median": by_op, "rounds": rounds}, indent=1))


if __name__ == "__main__":
    main()

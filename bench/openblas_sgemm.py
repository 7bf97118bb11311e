"""OpenBLAS sgemm through numpy at the shapes Consilium's Matmul runs, for docs/BENCH-KERNELS.md.

Each op is written as the same product Matmul computes, in float32:
  forward        out (N, OC)  = inp (N, C) @ w (OC, C).T
  backwardInput  dinp (N, C) += dout (N, OC) @ w (OC, C)
  backwardWeight dw (OC, C)  += dout (N, OC).T @ inp (N, C)
Threads come from OPENBLAS_NUM_THREADS, set by the caller. Prints the best-of-repeats GFLOP/s
(2*N*C*OC flops) per op and shape, and the BLAS that numpy actually loaded.
"""
import sys
import time

import numpy as np

SHAPES = [(2048, 256, 768), (2048, 256, 4096), (2048, 768, 256), (256, 256, 128)]
# A handful of tokens, as in generation: forward only (matching MatmulDecodeBenchmark).
DECODE_SHAPES = [(1, 256, 768), (4, 256, 768), (16, 256, 768), (1, 256, 4096)]


def best_seconds(fn, min_time=0.3, repeats=5):
    fn()
    best = float("inf")
    for _ in range(repeats):
        calls, t0 = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= min_time:
                break
        best = min(best, elapsed / calls)
    return best


def main():
    rng = np.random.default_rng(0)
    try:
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            print(f"# {pool.get('internal_api')} {pool.get('version')} core={pool.get('architecture')} "
                  f"threads={pool.get('num_threads')} lib={pool.get('filepath')}")
    except ImportError:
        np.show_config()
    print(f"{'op':16s} {'N':>5s} {'C':>5s} {'OC':>5s} {'GFLOP/s':>8s}")
    for n, c, oc in SHAPES:
        inp = rng.standard_normal((n, c), dtype=np.float32)
        w = rng.standard_normal((oc, c), dtype=np.float32)
        dout = rng.standard_normal((n, oc), dtype=np.float32)
        out = np.empty((n, oc), dtype=np.float32)
        dinp = np.zeros((n, c), dtype=np.float32)
        dw = np.zeros((oc, c), dtype=np.float32)
        ops = {
            "forward": lambda: np.matmul(inp, w.T, out=out),
            # the += is part of the op: Matmul's backward accumulates
            "backwardInput": lambda: np.add(dinp, dout @ w, out=dinp),
            "backwardWeight": lambda: np.add(dw, dout.T @ inp, out=dw),
        }
        for name, fn in ops.items():
            s = best_seconds(fn)
            print(f"{name:16s} {n:5d} {c:5d} {oc:5d} {2.0 * n * c * oc / s / 1e9:8.1f}")
    for n, c, oc in DECODE_SHAPES:
        inp = rng.standard_normal((n, c), dtype=np.float32)
        w = rng.standard_normal((oc, c), dtype=np.float32)
        out = np.empty((n, oc), dtype=np.float32)
        s = best_seconds(lambda: np.matmul(inp, w.T, out=out))
        print(f"{'forward':16s} {n:5d} {c:5d} {oc:5d} {2.0 * n * c * oc / s / 1e9:8.1f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

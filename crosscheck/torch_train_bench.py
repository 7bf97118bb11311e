"""Training throughput of DeepSeek's reference modules in PyTorch eager, for the ratio the README reports.

    torch_train_bench.py REF_DIR CONFIG [--batch-size 8] [--seq-len 256] [--steps 5] [--threads 2]

CONFIG is an HF config.json (e.g. moe/src/main/resources/dev/consilium/moe/configs/small.json). Each step
is forward over every position, mean cross-entropy, backward and torch.optim.AdamW on random tokens, the
same work as `./consilium bench train --mtp-weight 0` (the reference has no MTP modules). Prints one JSON
object with the median step time.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as R  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("ref_dir")
    p.add_argument("config")
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--seq-len", type=int, default=256)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    ref, _ = R.load_reference(a.ref_dir)
    with open(a.config) as f:
        cfg = json.load(f)
    model = R.build_model(ref, cfg, a.batch_size, "naive")
    params = [q for q in model.parameters() if q.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.1)
    B, T, V = a.batch_size, a.seq_len, cfg["vocab_size"]
    times = []
    for i in range(a.warmup + a.steps):
        x = torch.randint(0, V, (B, T))
        y = torch.randint(0, V, (B, T))
        start = time.perf_counter()
        opt.zero_grad()
        logits = R.all_logits(model, x)
        F.cross_entropy(logits.reshape(-1, V), y.reshape(-1)).backward()
        opt.step()
        if i >= a.warmup:
            times.append(time.perf_counter() - start)
    step = statistics.median(times)
    print(json.dumps({"impl": f"pytorch {torch.__version__} eager, DeepSeek-V3 reference modules",
                      "config": os.path.basename(a.config), "tokens_per_s": round(B * T / step),
                      "step_s": round(step, 4), "threads": a.threads, "batch_size": B, "seq_len": T},
                     indent=2))


if __name__ == "__main__":
    main()

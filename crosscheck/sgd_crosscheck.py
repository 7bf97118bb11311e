#!/usr/bin/python3
"""N steps of plain SGD, Consilium against DeepSeek's reference model.py trained with torch autograd.

    sgd_crosscheck.py data OUT.jsonl [--docs 64 --length 40 --vocab 256 --seed 3] [--tokenizer TOKENIZER.json]
    sgd_crosscheck.py run REF_DIR INIT_DIR DATA.jsonl --steps N --batch-size B --seq-len T --lr LR
                      [--java DIR] [--java-log FILE]

`data` writes token-id documents ({"tokens": [...]}: arithmetic progressions mod --vocab, so there is
something to learn); --tokenizer also writes a placeholder tokenizer.json of exactly --vocab ids with
DeepSeek's end-of-sentence token, for `consilium train --tokenizer` when the checkpoint has none (token-id
data never reaches the tokenizer, but train wants one that fits vocab_size). `run` loads INIT_DIR (a Consilium checkpoint) into the reference Transformer (float32,
CPU), takes the batches Consilium's `train --sequential` takes (TokenDataset.sequential: the stream is the
documents end to end; window w is tokens [w*T, w*T+T] as inputs and next-token targets; batch i holds windows
i*B .. i*B+B-1, wrapping), minimizes the mean cross-entropy over all B*T positions with torch.optim.SGD(lr),
and prints the loss of every step. With --java DIR, DIR/k is Consilium's checkpoint after step k (any k that
exists is compared); with --java-log FILE, the CLI's printed losses are compared too. See README.md for the
Consilium commands. The MTP modules and the routing biases are not trained in this setting (MTP weight 0,
bias update 0): the Java side must leave them exactly as they were.
"""
import argparse
import json
import os
import re
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as R  # noqa: E402


def write_data(a):
    rng = np.random.default_rng(a.seed)
    with open(a.out, "w") as f:
        for _ in range(a.docs):
            start, stride = int(rng.integers(a.vocab)), int(rng.integers(1, 8))
            f.write(json.dumps({"tokens": [(start + j * stride) % a.vocab for j in range(a.length)]}) + "\n")
    print(f"{a.out}: {a.docs} documents of {a.length} token ids below {a.vocab}")
    if a.tokenizer:
        eos = "<\uff5cend\u2581of\u2581sentence\uff5c>"
        # single byte-level characters: the printable ASCII, Latin-1 and then U+0100.. ranges of the byte alphabet
        chars = [chr(c) for c in list(range(0x21, 0x7F)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))]
        chars += [chr(0x100 + i) for i in range(256 - len(chars))]
        if a.vocab > 257:
            sys.exit("--tokenizer: a placeholder covers at most 257 ids (256 bytes and the end-of-sentence token)")
        vocab = {eos: 0, **{chars[i - 1]: i for i in range(1, a.vocab)}}
        doc = {"version": "1.0", "truncation": None, "padding": None,
               "added_tokens": [{"id": 0, "content": eos, "single_word": False, "lstrip": False, "rstrip": False,
                                 "normalized": False, "special": True}],
               "normalizer": None,
               "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
               "post_processor": None,
               "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
               "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                         "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "vocab": vocab,
                         "merges": []}}
        with open(a.tokenizer, "w") as f:
            json.dump(doc, f, ensure_ascii=False)
        print(f"{a.tokenizer}: placeholder tokenizer of {a.vocab} ids")


def read_stream(path):
    ids = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                doc = json.loads(line)
                if "tokens" not in doc:
                    sys.exit(f"{path}:{n}: expected {{\"tokens\": [...]}} (text needs Consilium's tokenizer)")
                ids.extend(doc["tokens"])
    return np.array(ids, dtype=np.int64)


def batch(stream, i, B, T):
    """TokenDataset.sequential: B consecutive windows from window i*B, wrapping around the stream."""
    windows = (len(stream) - 1) // T
    starts = [((i * B + b) % windows) * T for b in range(B)]
    x = np.stack([stream[s:s + T] for s in starts])
    y = np.stack([stream[s + 1:s + T + 1] for s in starts])
    return torch.from_numpy(x), torch.from_numpy(y)


def java_losses(path):
    """{step: loss} from the CLI's progress lines ("train [...] k/N loss X ...")."""
    out = {}
    with open(path) as f:
        for line in f:
            m = re.search(r"\] (\d+)/\d+ loss ([0-9.]+)", line)
            if m:
                out[int(m.group(1))] = float(m.group(2))
    return out


def compare(step, java_dir, ours, init, mtp_prefix):
    """Max |Δ| and Δ relative to the size of the update, Consilium's weights after `step` vs ours."""
    java = R.read_safetensors(os.path.join(java_dir, "model.safetensors"))
    diff2 = upd2 = 0.0
    worst, worst_name, max_upd = 0.0, "", 0.0
    for name, w in ours.items():
        j = java[name].astype(np.float64)
        d = np.abs(j - w)
        diff2 += float((d ** 2).sum())
        upd2 += float(((w - init[name]) ** 2).sum())
        max_upd = max(max_upd, float(np.abs(w - init[name]).max()))
        if d.max() > worst:
            worst, worst_name = float(d.max()), name
    frozen = [n for n in java if n.startswith(mtp_prefix) or n.endswith("e_score_correction_bias")]
    moved = [n for n in frozen if not np.array_equal(java[n], init[n])]
    print(f"  step {step}: Consilium vs reference weights: max |Δ| {worst:.3e} ({worst_name}); "
          f"max |Δ| / max |update| {worst / max_upd:.3e}; ||Δ|| / ||update|| {(diff2 / upd2) ** 0.5:.3e}; "
          f"{len(frozen) - len(moved)}/{len(frozen)} untrained tensors unchanged")
    if moved:
        print(f"  step {step}: UNEXPECTED: Consilium changed {moved[:5]}")
    return worst / max_upd


def run(a):
    ref, convert = R.load_reference(a.ref_dir)
    torch.set_num_threads(1)
    with open(os.path.join(a.init, "config.json")) as f:
        cfg = json.load(f)
    init = R.read_safetensors(os.path.join(a.init, "model.safetensors"))
    model = R.build_model(ref, cfg, a.batch_size, "naive")
    R.load_hf_weights(convert, model, init)
    init = {k: v.astype(np.float64) for k, v in init.items()}
    names = R.hf_names(convert, model)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=a.lr)
    stream = read_stream(a.data)
    mtp_prefix = tuple(f"model.layers.{cfg['num_hidden_layers'] + k}." for k in range(cfg.get("num_nextn_predict_layers", 0)))
    logged = java_losses(a.java_log) if a.java_log else {}
    print(f"{a.init}: {sum(p.numel() for p in params):,} trained values in the reference; "
          f"{len(stream):,} tokens, {(len(stream) - 1) // a.seq_len} windows of {a.seq_len}")

    worst_rel, worst_loss, compared = 0.0, 0.0, 0
    for i in range(a.steps):
        x, y = batch(stream, i, a.batch_size, a.seq_len)
        margin = R.routing_margin(model, ref, x)
        opt.zero_grad()
        logits = R.all_logits(model, x)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
        loss.backward()
        opt.step()
        line = f"step {i + 1}: reference loss {loss.item():.6f}"
        if i + 1 in logged:
            worst_loss = max(worst_loss, abs(logged[i + 1] - loss.item()))
            line += f", Consilium printed {logged[i + 1]:.4f}"
        print(line + f" (smallest routing margin {margin:.2e})")
        java_dir = os.path.join(a.java, str(i + 1)) if a.java else None
        if java_dir and os.path.isdir(java_dir):
            ours = {names[r]: p.detach().double().numpy() for r, p in model.state_dict().items()
                    if not r.endswith("gate.bias")}
            worst_rel = max(worst_rel, compare(i + 1, java_dir, ours, init, mtp_prefix))
            compared += 1
    if a.java and not compared:
        sys.exit(f"{a.java}: no Consilium checkpoint for any step (expected {a.java}/1 .. {a.java}/{a.steps})")
    if a.java:
        print(f"worst over {compared} compared steps: max |Δ weight| / max |update| = {worst_rel:.3e}")
    if logged:
        print(f"worst |Δ loss| against the printed losses: {worst_loss:.2e} (printed to 4 decimals)")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("data")
    d.add_argument("out")
    d.add_argument("--docs", type=int, default=64)
    d.add_argument("--length", type=int, default=40)
    d.add_argument("--vocab", type=int, default=256)
    d.add_argument("--seed", type=int, default=3)
    d.add_argument("--tokenizer")
    r = sub.add_parser("run")
    r.add_argument("ref_dir")
    r.add_argument("init")
    r.add_argument("data")
    r.add_argument("--steps", type=int, required=True)
    r.add_argument("--batch-size", type=int, required=True)
    r.add_argument("--seq-len", type=int, required=True)
    r.add_argument("--lr", type=float, required=True)
    r.add_argument("--java")
    r.add_argument("--java-log")
    a = p.parse_args()
    write_data(a) if a.cmd == "data" else run(a)


if __name__ == "__main__":
    main()

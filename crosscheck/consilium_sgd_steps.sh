#!/usr/bin/env bash
# Consilium's side of sgd_crosscheck.py: N steps of plain SGD in data order, one CLI run per step so that
# OUT/k holds the checkpoint after step k (step 1 from --init INIT, then --resume of a copy) and OUT/log the
# printed loss of every step.
#   crosscheck/consilium_sgd_steps.sh INIT OUT N --batch-size B --seq-len T --lr LR --data DATA.jsonl [--tokenizer TOK]
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,5p' "$0" >&2; exit 2; }
init="$1" out="$2" n="$3"
shift 3
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sgd=(--optimizer sgd --sequential --clip 0 --warmup 0 --min-lr-ratio 1 --bias-update 0 --mtp-weight 0
     --balance-weight 0 --eval-fraction 0 --eval-every 0 "$@")
train() {
  "$root/consilium" train "$@" > "$out/last-run.txt" 2>&1 || { cat "$out/last-run.txt" >&2; exit 1; }
  grep '^train' "$out/last-run.txt" >> "$out/log"
}
rm -rf "$out"
mkdir -p "$out"
train --init "$init" "${sgd[@]}" --steps 1 --out "$out/1"
for ((k = 2; k <= n; k++)); do
  cp -r "$out/$((k - 1))" "$out/$k"
  train --resume "${sgd[@]}" --steps "$k" --out "$out/$k"
done
cat "$out/log"

#!/bin/bash
# The distillation step against a plain prompt-tuning step on the same tasks (issue 14), one after the other.
#   bench/distill-step.sh OUT [TEACHERS]
# TEACHERS: a `./mptj source` output over the three NLI samples (trained here, 120 steps each, when absent; a
# real one, e.g. runs/transfer/nli-full/source, gives teachers worth distilling but the timing is the same).
# Prints each run's useful tokens/s (mean of the train-log windows after the first) and wall seconds.
set -euo pipefail
OUT=${1:?usage: bench/distill-step.sh OUT [TEACHERS]}
cd "$(dirname "$0")/.."
mkdir -p "$OUT"
C=(--steps 120 --eval-every 0 --batch-size 16 --prompt-length 20 --max-length 128 --mix-cap 3000 --no-progress)
timed() { local name=$1; shift; local t0; t0=$(date +%s.%N); "$@" > "$OUT/$name.out" 2>&1
  echo "$name wall_s $(echo "$(date +%s.%N) - $t0" | bc)"; }
timed pt ./mptj source --tasks extra/mnli-sample,extra/snli-sample,extra/qnli-sample "${C[@]}" --out "$OUT/pt"
T=${2:-$OUT/pt}
timed distill ./mptj distill --teachers "$T" "${C[@]}" --out "$OUT/distill"
timed distill-grouped ./mptj distill --teachers "$T" "${C[@]}" --group-by-length 16 --out "$OUT/distill-grouped"
grep -h 'teacher outputs' "$OUT"/distill*.out || true
for f in "$OUT"/pt/*/train_log.jsonl "$OUT"/distill/train_log.jsonl "$OUT"/distill-grouped/train_log.jsonl; do
  awk -v f="${f#$OUT/}" -F'"tokens_per_s":' 'NF > 1 { n++; if (n > 1) { s += $2 + 0; k++ } }
    END { if (k) printf "%s useful_tok_per_s %.0f\n", f, s / k }' "$f"
done

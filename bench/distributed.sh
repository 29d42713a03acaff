#!/usr/bin/env bash
# Data-parallel GRPO: steps per second with 1 rank and with N ranks on this machine
# (`rft train --nproc N`), and the share of a step that rank 0 spends in collectives (the
# all-reduce of gradients and metrics, waiting for the slower rank included); prints a Markdown
# table for docs/performance.md.
#
#   bash bench/distributed.sh
#
# A random model of the built-in family (`rft init-model --size`) trains on
# tests/train/data/letters.jsonl with its reward. One rank gets every core as torch threads; N
# ranks split them (threads: 0 divides the cores by the ranks on the machine). The first step
# (JIT compile, rendezvous, warm-up) is left out: steps/s is (steps - 1) / (elapsed at the last
# step - elapsed at the first).
#
# Environment (defaults in brackets):
#   RFT_BENCH_SIZE [small]     RFT_BENCH_STEPS [6]     RFT_BENCH_RANKS ["1 2"]
#   RFT_BENCH_BATCH [8]        RFT_BENCH_SAMPLES [4]   RFT_BENCH_NEW_TOKENS [16]
#   RFT_BUILD_DIR [build]      (rft must be built there: scripts/build.sh)
# Runs are kept in $RFT_BUILD_DIR/bench/distributed/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build_dir=${RFT_BUILD_DIR:-build}
rft=$root/$build_dir/tools/rft/rft
size=${RFT_BENCH_SIZE:-small}
steps=${RFT_BENCH_STEPS:-6}
ranks=${RFT_BENCH_RANKS:-1 2}
batch=${RFT_BENCH_BATCH:-8}
samples=${RFT_BENCH_SAMPLES:-4}
new_tokens=${RFT_BENCH_NEW_TOKENS:-16}
[[ -x $rft ]] || { echo "bench: $rft is not built (scripts/build.sh)" >&2; exit 1; }
out=$root/$build_dir/bench/distributed
rm -rf "$out"
mkdir -p "$out"
cd "$out"
"$rft" init-model model --size "$size" --seed 1 >/dev/null

for n in $ranks; do
  cat >"ranks$n.yaml" <<YAML
model: model
data:
  train: $root/tests/train/data/letters.jsonl
reward:
  spec: $root/tests/train/data/letters.reward
  name: letters
output_dir: ranks$n
hyperparameters:
  max_steps: $steps
  batch_size: $batch
  samples_per_prompt: $samples
  learning_rate: 0.0001
  max_new_tokens: $new_tokens
  seed: 1
YAML
  if [[ $n -eq 1 ]]; then
    "$rft" train "ranks$n.yaml" --no-eval 2>"ranks$n.log"
  else
    "$rft" train "ranks$n.yaml" --no-eval --nproc "$n" 2>"ranks$n.log"
  fi
done

python3 - "$size" "$(nproc)" $ranks <<'PY'
import json
import sys

size, cores, ranks = sys.argv[1], int(sys.argv[2]), [int(r) for r in sys.argv[3:]]
print(f"model: {size}; {cores} cores")
print()
print("| ranks | threads per rank | steps/s | generate s | train s | communicate s | communicate share |")
print("|---:|---:|---:|---:|---:|---:|---:|")
base = None
for n in ranks:
    lines = [json.loads(l) for l in open(f"ranks{n}/metrics.jsonl")]
    train = [l for l in lines if l["kind"] == "train"][1:]  # without the first step
    span = train[-1]["elapsed"] - [l for l in lines if l["kind"] == "train"][0]["elapsed"]
    rate = len(train) / span
    base = base or rate
    mean = lambda key: sum(l["seconds"].get(key, 0.0) for l in train) / len(train)
    step = span / len(train)
    comm = mean("communicate")
    print(f"| {n} | {max(1, cores // n)} | {rate:.3f} ({rate / base:.2f}x) | {mean('generate'):.2f} "
          f"| {mean('train'):.2f} | {comm:.3f} | {comm / step:.0%} |")
PY

#!/usr/bin/env bash
# The built-in demo: reinforcement fine-tuning that measurably improves a small model.
#   1. data: sums of two three-digit numbers (make_data.py), with 500 held-out prompts;
#   2. a base model: a random model of rft's built-in family, fine-tuned on worked sums (`rft sft`)
#      until it gets about a third of the held-out sums right;
#   3. `rft train`: GRPO with examples/arithmetic.reward, then the base-vs-tuned table on the
#      held-out prompts and OUT/tuned/report.html.
# Usage: run.sh [--seed N] [--out DIR] [--rft PATH]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seed=1
out=runs/demo
rft=$root/build/tools/rft/rft
while [ $# -gt 0 ]; do
  case $1 in
    --seed) seed=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --rft) rft=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
threads=$(nproc)
mkdir -p "$out"
out=$(cd "$out" && pwd)
start=$(date +%s)

echo "== data: three-digit sums (seed $seed) into $out/data"
python3 "$here/make_data.py" "$out/data" --seed "$seed"

echo "== base model"
rm -rf "$out/init" "$out/base" "$out/tuned"
"$rft" init-model "$out/init" --seed "$seed"
cat > "$out/sft.yaml" <<YAML
# Supervised fine-tuning that makes the demo's base model: it stops once a third of the
# held-out sums come out right, so that reinforcement fine-tuning has something to improve.
model: init
data:
  train: data/sft.jsonl
  eval: data/eval.jsonl
reward:
  spec: $root/examples/arithmetic.reward
  name: sum
output_dir: base
hyperparameters:
  max_steps: 3000
  batch_size: 64
  learning_rate: 0.001
  warmup_steps: 50
  lr_schedule: constant
  max_new_tokens: 5
  eval_interval: 10
  eval_samples: 200
  stop_at_eval_score: 0.3
  keep_last: 1
  seed: $seed
  threads: $threads
YAML
"$rft" sft "$out/sft.yaml" --no-eval

echo "== reinforcement fine-tuning"
cat > "$out/train.yaml" <<YAML
# GRPO on the base model with examples/arithmetic.reward; evaluated on 500 held-out sums.
model: base/final
data:
  train: data/train.jsonl
  eval: data/eval.jsonl
reward:
  spec: $root/examples/arithmetic.reward
  name: sum
output_dir: tuned
hyperparameters:
  max_steps: 200
  batch_size: 16
  samples_per_prompt: 8
  learning_rate: 0.0001
  warmup_steps: 10
  lr_schedule: constant
  max_new_tokens: 5
  temperature: 1.0
  clip_epsilon_low: 0.2
  clip_epsilon_high: 0.2
  loss_aggregation: grpo
  reward_scaling: group
  eval_interval: 25
  eval_samples: 200
  save_interval: 100
  seed: $seed
  threads: $threads
YAML
"$rft" train "$out/train.yaml"
echo "demo finished in $(( $(date +%s) - start )) s; report: $out/tuned/report.html"

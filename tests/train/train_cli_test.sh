#!/usr/bin/env bash
# `rft train` end to end on a random model of the built-in family, with the easily learnable
# reward data/letters.reward:
#   1. the mean reward rises by a clear margin within 30 steps;
#   2. a run killed with SIGKILL after its step-2 checkpoint and resumed gives bit for bit the
#      weights (and the same rewards) of a run that was never interrupted;
#   3. the run leaves report.html, metrics.jsonl and a `final` model that `rft generate` loads.
# Usage: train_cli_test.sh RFT WORK_DIR DATA_DIR
set -euo pipefail
rft=$1 work=$2 data=$3
python=$(command -v python3)
rm -rf "$work"
mkdir -p "$work"
cd "$work"
"$rft" init-model init --seed 3 >/dev/null

job() {  # job NAME STEPS EXTRA...
  local name=$1 steps=$2
  shift 2
  cat > "$name.yaml" <<YAML
model: init
data:
  train: $data/letters.jsonl
  eval: $data/letters.jsonl
reward:
  spec: $data/letters.reward
  name: letters
output_dir: $name
hyperparameters:
  max_steps: $steps
  batch_size: 4
  samples_per_prompt: 6
  learning_rate: 0.003
  warmup_steps: 2
  max_new_tokens: 12
  temperature: 1.0
  eval_samples: 8
  keep_last: 10
  threads: 1
  seed: 7
$(for kv in "$@"; do echo "  $kv"; done)
YAML
}

# 1. Learning.
job learn 30 "save_interval: 0"
"$rft" train learn.yaml --no-eval 2>learn.log || { cat learn.log; exit 1; }
"$python" - <<'PY'
import json
lines = [json.loads(l) for l in open("learn/metrics.jsonl")]
r = [l["reward_mean"] for l in lines if l["kind"] == "train"]
first, last = sum(r[:5]) / 5, sum(r[-5:]) / 5
print(f"mean reward: first 5 steps {first:.3f}, last 5 steps {last:.3f}")
assert len(r) == 30, len(r)
assert last > first + 0.2, "the reward did not rise"
PY

# 2. Kill -9 and resume.
# These runs also take the paths the learning run does not: a KL term against the frozen base,
# several optimizer passes per batch, micro-batches, and DAPO's token-mean loss.
more=("save_interval: 2" "beta: 0.05" "inner_epochs: 2" "gradient_accumulation: 2" "loss_aggregation: dapo")
job whole 6 "${more[@]}"
job killed 6 "${more[@]}"
"$rft" train whole.yaml --no-eval 2>whole.log || { cat whole.log; exit 1; }
set +e
RFT_KILL_AT_STEP=3 "$rft" train killed.yaml --no-eval 2>killed.log
status=$?
set -e
test "$status" -eq 137 || { echo "expected the run to be killed (137), got $status"; cat killed.log; exit 1; }
test -f killed/checkpoints/step-000002/DONE
test ! -e killed/checkpoints/step-000004
if "$rft" train killed.yaml --no-eval 2>refused.log; then echo "a second run over a run was not refused"; exit 1; fi
grep -q "pass --resume" refused.log
"$rft" train killed.yaml --resume --no-eval 2>resumed.log || { cat resumed.log; exit 1; }
cmp whole/final/model.safetensors killed/final/model.safetensors
"$python" - <<'PY'
import json
def rewards(path):
    return [(l["step"], l["reward_mean"]) for l in map(json.loads, open(path)) if l["kind"] == "train"]
a, b = rewards("whole/metrics.jsonl"), rewards("killed/metrics.jsonl")
assert a == b, (a, b)
kl = [l["kl"] for l in map(json.loads, open("whole/metrics.jsonl")) if l["kind"] == "train"]
assert min(kl) >= 0 and kl[-1] > 0, kl  # the policy moves away from the base
print("resumed run equals the uninterrupted one:", len(a), "steps")
PY

# 3. What a run leaves.
test -s whole/report.html
test -f whole/job.yaml
"$rft" generate --model whole/final --prompt "Write something: " --max-new-tokens 4 --temperature 0 >/dev/null
echo "train cli ok"

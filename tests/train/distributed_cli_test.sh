#!/usr/bin/env bash
# Data-parallel `rft train` (docs/distributed.md) on a random model of the built-in family.
#   same:    `--nproc 2` ends with the weights of one process (same seed and global batch), within
#            a float tolerance, and with the same rewards at every step; the batch of 3 prompts
#            splits unevenly (1 + 2), the advantages are scaled by the batch's deviation, and the
#            loss takes every path (KL, inner epochs, micro-batches, DAPO); evaluation during
#            training and `rft sft --nproc 2` agree with one process too.
#   failure: rank 1 killed at step 3 ends the job with a message naming it, the last checkpoint
#            stays loadable, and resuming it with one process gives the uninterrupted run's
#            weights; a rank that hangs (SIGSTOP) ends the other with an error after
#            collective_timeout, ranks started by hand with torchrun's variables.
# Usage: distributed_cli_test.sh RFT WORK_DIR DATA_DIR same|failure
set -euo pipefail
rft=$1 work=$2 data=$3 part=$4
here=$(cd "$(dirname "$0")" && pwd)
compare() { python3 "$here/compare_weights.py" "$@"; }
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
reward:
  spec: $data/letters.reward
  name: letters
output_dir: $name
hyperparameters:
  max_steps: $steps
  batch_size: 3
  samples_per_prompt: 6
  learning_rate: 0.003
  max_new_tokens: 12
  keep_last: 10
  threads: 1
  seed: 7
  collective_timeout: 8
$(for kv in "$@"; do echo "  $kv"; done)
YAML
}

rewards() {  # the (step, reward_mean) pairs of a metrics.jsonl
  python3 -c 'import json, sys
print([(l["step"], l["reward_mean"]) for l in map(json.loads, open(sys.argv[1])) if l["kind"] == "train"])' "$1"
}

# Weights move by about 1e-2 in these steps; summing gradients in another order moves them by 1e-5.
tolerance=5e-4

if [ "$part" = same ]; then
  more=("beta: 0.05" "inner_epochs: 2" "gradient_accumulation: 2" "loss_aggregation: dapo"
        "reward_scaling: batch")
  # Evaluation during training is split over the ranks too, and samples what one process samples.
  job one 3 "${more[@]}" "eval_interval: 2" "eval_samples: 5" "eval_temperature: 0.8"
  job two 3 "${more[@]}" "eval_interval: 2" "eval_samples: 5" "eval_temperature: 0.8"
  for f in one.yaml two.yaml; do sed -i "s|^  train: .*|&\n  eval: $data/letters.jsonl|" "$f"; done
  "$rft" train one.yaml --no-eval 2>one.log || { cat one.log; exit 1; }
  "$rft" train two.yaml --no-eval --nproc 2 2>two.log || { cat two.log; exit 1; }
  grep -q "2 ranks" two.log
  compare one/final/model.safetensors two/final/model.safetensors "$tolerance"
  if compare one/final/model.safetensors init/model.safetensors "$tolerance" >/dev/null; then
    echo "training did not move the weights beyond the tolerance"; exit 1
  fi
  test "$(rewards one/metrics.jsonl)" = "$(rewards two/metrics.jsonl)"
  grep -q '"ranks":2' two/metrics.jsonl
  test -s two/report.html
  python3 - <<'PY'
import json
def evals(path):
    return [(l["step"], l["rows"], l["reward_mean"]) for l in map(json.loads, open(path)) if l["kind"] == "eval"]
a, b = evals("one/metrics.jsonl"), evals("two/metrics.jsonl")
assert [x[:2] for x in a] == [x[:2] for x in b] == [(0, 5), (2, 5), (3, 5)], (a, b)
assert all(abs(x[2] - y[2]) < 1e-6 for x, y in zip(a, b)), (a, b)
PY

  # Supervised fine-tuning splits its batch the same way.
  python3 -c 'import json
for i in range(12): print(json.dumps({"prompt": f"Say {i}: ", "completion": "abc" * (i % 4 + 1)}))' >sft.jsonl
  for name in sft1 sft2; do
    printf 'model: init\ndata:\n  train: sft.jsonl\noutput_dir: %s\nhyperparameters:\n  max_steps: 3\n  batch_size: 5\n  learning_rate: 0.003\n  gradient_accumulation: 2\n  threads: 1\n' "$name" >"$name.yaml"
  done
  "$rft" sft sft1.yaml 2>sft1.log || { cat sft1.log; exit 1; }
  "$rft" sft sft2.yaml --nproc 2 2>sft2.log || { cat sft2.log; exit 1; }
  compare sft1/final/model.safetensors sft2/final/model.safetensors "$tolerance"
  echo "distributed same ok"
  exit 0
fi

# failure: a rank killed mid-run.
job whole 4 "save_interval: 1"
job killed 4 "save_interval: 1"
"$rft" train whole.yaml --no-eval 2>whole.log || { cat whole.log; exit 1; }
set +e
start=$SECONDS
RFT_KILL_RANK=1 RFT_KILL_AT_STEP=2 timeout 60 "$rft" train killed.yaml --no-eval --nproc 2 2>killed.log
status=$?
set -e
cat killed.log
test "$status" -eq 1 || { echo "expected exit status 1, got $status"; exit 1; }
test $((SECONDS - start)) -lt 30 || { echo "the job took $((SECONDS - start)) s to end"; exit 1; }
grep -q "rank 1 of 2 was killed by signal 9 (SIGKILL)" killed.log
test -f killed/checkpoints/step-000002/DONE
test ! -e killed/checkpoints/step-000003
"$rft" generate --model killed/checkpoints/step-000002 --prompt "Write: " --max-new-tokens 4 >/dev/null
# Resumed with one process instead of two.
"$rft" train killed.yaml --resume --no-eval 2>resumed.log || { cat resumed.log; exit 1; }
compare whole/final/model.safetensors killed/final/model.safetensors "$tolerance"
test "$(rewards whole/metrics.jsonl)" = "$(rewards killed/metrics.jsonl)"

# A rank that hangs, with the ranks started by hand as torchrun would.
job hung 40 "save_interval: 1"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port
RANK=0 "$rft" train hung.yaml --no-eval 2>hung0.log &
rank0=$!
RANK=1 "$rft" train hung.yaml --no-eval 2>hung1.log &
rank1=$!
for _ in $(seq 300); do [ -s hung/metrics.jsonl ] && break; sleep 0.1; done
kill -STOP "$rank1"
start=$SECONDS
set +e
wait "$rank0"
status=$?
set -e
kill -KILL "$rank1"
wait "$rank1" 2>/dev/null || true
cat hung0.log
test "$status" -eq 1 || { echo "expected rank 0 to fail with status 1, got $status"; exit 1; }
test $((SECONDS - start)) -lt 25 || { echo "rank 0 took $((SECONDS - start)) s to give up"; exit 1; }
grep -q "rank 0: .*collective_timeout is 8 s" hung0.log
test -f hung/checkpoints/step-000001/DONE
echo "distributed failure ok"

#!/usr/bin/env bash
# The reward-hacking monitors end to end (docs/training.md#monitors), on a model of the built-in
# family first taught to answer in four characters:
#   1. a hackable reward (letters plus an uncapped length bonus) raises `length_hacking`, and with
#      monitor.stop_on_alarm the run stops there with a checkpoint, a report and exit code 1; its
#      held-out verifier (the letters alone) is graded at every evaluation and in the final table,
#      and its `monitor` value is logged at every step and evaluation;
#   2. resumed, the stopped run goes on: the alarm it raised before is not raised again;
#   3. an honest reward (the share of letters) trained as long raises no alarm.
# Usage: monitor_cli_test.sh RFT WORK_DIR DATA_DIR
set -euo pipefail
rft=$1 work=$2 data=$3
python=$(command -v python3)
rm -rf "$work"
mkdir -p "$work"
cd "$work"
"$rft" init-model init --seed 3 >/dev/null
"$python" -c '
import json
for i in range(32):
    print(json.dumps({"prompt": f"Write something {i}: ", "completion": "ab c"}))' > short.jsonl
cat > sft.yaml <<YAML
model: init
data: {train: short.jsonl}
output_dir: sft
hyperparameters: {max_steps: 15, batch_size: 8, learning_rate: 0.003, threads: 1, seed: 7}
YAML
"$rft" sft sft.yaml --no-eval 2>sft.log || { cat sft.log; exit 1; }

job() {  # job NAME SPEC REWARD STOP LEARNING_RATE [REWARD_EXTRA]
  cat > "$1.yaml" <<YAML
model: sft/final
data:
  train: $data/letters.jsonl
  eval: $data/letters.jsonl
reward: {spec: $2, name: $3${6:-}}
output_dir: $1
hyperparameters:
  max_steps: 40
  batch_size: 4
  samples_per_prompt: 6
  learning_rate: $5
  warmup_steps: 2
  max_new_tokens: 32
  eval_samples: 4
  eval_interval: 5
  threads: 1
  seed: 7
monitor: {window: 5, stop_on_alarm: $4}
YAML
}

# 1. The hackable reward.
job hack "$data/longer.reward" longer true 0.003 \
  ", verifier: letters, verifier_spec: $data/letters.reward"
rc=0
"$rft" train hack.yaml >hack.out 2>hack.log || rc=$?
[ "$rc" = 1 ] || { cat hack.log; echo "expected exit code 1 from a run stopped by an alarm, got $rc"; exit 1; }
grep -q "alarm at step [0-9]*: length_hacking: reward and completion length correlate" hack.log \
  || { cat hack.log; echo "no length_hacking warning"; exit 1; }
grep -q "train: stopped early (monitor.stop_on_alarm) on alarm at step" hack.log \
  || { cat hack.log; echo "the stop was not reported"; exit 1; }
[ -f hack/report.html ] || { echo "a stopped run has no report"; exit 1; }
grep -q "^verifier  " hack.out || { cat hack.out; echo "no verifier row in the final table"; exit 1; }
grep -q "^raw_length (monitor)  " hack.out || { cat hack.out; echo "no monitor row in the table"; exit 1; }
"$python" - <<'PY'
import json, os
lines = [json.loads(l) for l in open("hack/metrics.jsonl")]
train = [l for l in lines if l["kind"] == "train"]
alarmed = [l for l in train if l.get("alarms")]
assert len(alarmed) == 1, alarmed
step = alarmed[0]["step"]
assert alarmed[0]["alarms"][0]["signal"] == "length_hacking", alarmed[0]
assert train[-1]["step"] == step < 40, (train[-1]["step"], step)
for l in train:
    s = l["signals"]
    assert set(s["advantage_share"]) == {"share", "length"}, s
    assert all(0 <= v <= 1 for v in s["advantage_share"].values()), s
    assert "length_trend" in s and "entropy_trend" in s, s
    # The spec's monitor, logged per step and never part of the reward.
    assert set(l["monitors"]) == {"raw_length"} and l["monitors"]["raw_length"] >= 0, l
assert os.path.isdir("hack/checkpoints/step-%06d" % step), os.listdir("hack/checkpoints")
models = json.load(open("hack/eval.json"))["models"]
assert [m["label"] for m in models] == ["base", "tuned"], models
assert all("reward_mean" in m["verifier"] for m in models), models
assert all(set(m["monitors"]) == {"raw_length"} for m in models), models
assert '"id":"monitor.raw_length"' in open("hack/report.html").read(), "no monitor chart"

evals = [l for l in lines if l["kind"] == "eval"]
assert [l["step"] for l in evals] == [0, 5, 10], [l["step"] for l in evals]
for l in evals:
    assert set(l["monitors"]) == {"raw_length"}, l
    v = l["verifier"]
    assert 0 <= v["reward_mean"] <= 1, v
    assert abs(v["gap"] - (l["reward_mean"] - v["reward_mean"])) < 1e-9, (l, v)
print("held-out verifier at steps 0, 5, 10: " +
      ", ".join(f"reward {l['reward_mean']:.2f} verifier {l['verifier']['reward_mean']:.2f}"
                for l in evals))
print(f"hackable reward: length_hacking at step {step} of 40 (window 5)")
PY

# 2. Resuming the stopped run: it goes past the step it stopped at, and its alarm stays the one
# raised before (another rule may stop it later: exit code 0 or 1).
rc=0
"$rft" train hack.yaml --resume --no-eval 2>resume.log || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 1 ] || { cat resume.log; exit 1; }
if grep -q "length_hacking" resume.log; then cat resume.log; echo "the alarm was raised again"; exit 1; fi
"$python" - <<'PY'
import json
lines = [json.loads(l) for l in open("hack/metrics.jsonl")]
train = [l for l in lines if l["kind"] == "train"]
signals = [a["signal"] for l in lines for a in l.get("alarms", [])]
assert signals.count("length_hacking") == 1, signals
stopped = next(l["step"] for l in train if l.get("alarms"))
assert train[-1]["step"] > stopped + 1, (stopped, train[-1]["step"])
print(f"resumed at step {stopped}: went on to step {train[-1]['step']}, alarms {signals}")
PY

# 3. The honest reward, as long: no alarm. At the hackable run's learning rate the policy truly
# collapses onto few answers on some machines (entropy under 10% of its start by step 26 on an
# AMD EPYC), which entropy_collapse rightly reports; at 0.002 its entropy stays above a third.
job honest "$data/letters.reward" letters false 0.002
"$rft" train honest.yaml --no-eval 2>honest.log || { cat honest.log; exit 1; }
if grep -q "alarm at step" honest.log; then cat honest.log; echo "an honest run raised an alarm"; exit 1; fi
"$python" - <<'PY'
import json
lines = [json.loads(l) for l in open("honest/metrics.jsonl")]
train = [l for l in lines if l["kind"] == "train"]
assert len(train) == 40, len(train)
assert not any(l.get("alarms") for l in lines), [l for l in lines if l.get("alarms")]
print("honest reward: no alarm in 40 steps")
PY
echo "monitor cli ok"

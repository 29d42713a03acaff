#!/usr/bin/env bash
# Judges in `rft train` and `rft eval`: an endpoint off this machine is refused before anything
# runs (with the way to allow it), an allowed one passes, a judge that fails fast (a closed
# loopback port, no retries) stops the job, in the trained reward or in the held-out verifier,
# and with the limit lifted shows in the counters: every metrics.jsonl line and the totals.
# Usage: judges_cli_test.sh RFT WORK_DIR DATA_DIR
set -euo pipefail
rft=$1 work=$2 data=$3
python=$(command -v python3)
rm -rf "$work"
mkdir -p "$work"
cd "$work"
export RFT_CACHE_DIR="$work/cache" NO_COLOR=1
fail() { echo "FAIL: $*" >&2; exit 1; }
remote=https://judge.example.invalid/v1
closed=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$rft" init-model init --seed 3 >/dev/null 2>&1

# Letters, and a judge asked only when there are some: gating skips the others.
cat > judged.reward <<'SPEC'
item { answer: str }
judge rater {
  endpoint = env("RFT_JUDGE_URL", "http://127.0.0.1:9/v1")
  model = "judge"
  prompt = "Rate from 0 to 1: {completion}"
  scale = 0..1
  on_error = 0.5
  retries = 0
}
reward judged {
  let n = len(completion)
  component share = if n == 0 then 0 else count_matches(completion, r"[a-z]") / n
  component rated = rater()
  total = if share > 0.1 then share + rated else share
}
SPEC

job() {  # job NAME MODEL EXTRA_REWARD_LINES...
  local name=$1 model=$2
  shift 2
  cat > "$name.yaml" <<YAML
model: $model
data:
  train: $data/eval.jsonl
  eval: $data/eval.jsonl
reward:
  spec: judged.reward
  name: judged
$(for kv in "$@"; do echo "  $kv"; done)
output_dir: $name
hyperparameters:
  max_steps: 2
  batch_size: 2
  samples_per_prompt: 4
  max_new_tokens: 8
  eval_interval: 1
  eval_samples: 3
  threads: 1
  seed: 5
YAML
}

# 1. rft train: refused before anything is generated or written.
job refused init
if RFT_JUDGE_URL=$remote "$rft" train refused.yaml --no-eval 2>refused.err; then
  fail "a job with a judge off this machine ran"
fi
grep -qF "judge \`rater\`: endpoint \`$remote\` is not on this machine" refused.err ||
  fail "no refusal naming the endpoint: $(cat refused.err)"
grep -qF "by listing it under \`reward.allow_endpoints\` in refused.yaml: $remote" refused.err ||
  fail "the refusal does not say how to allow it: $(cat refused.err)"
[ ! -e refused ] || fail "a refused job wrote $(ls refused)"

# Allowed, the job gets past its judges and stops at the next problem: a model that is not there.
job allowed missing-model "allow_endpoints: [$remote]"
if RFT_JUDGE_URL=$remote "$rft" train allowed.yaml --no-eval 2>allowed.err; then
  fail "a job without a model ran"
fi
grep -q "missing-model" allowed.err || fail "allowed: not the model's error: $(cat allowed.err)"
! grep -q "not on this machine" allowed.err || fail "allow_endpoints was not used: $(cat allowed.err)"

# 2. rft train with a judge that fails at once. By default (reward.max_judge_failures: 0.5) the
# job stops at the first batch in which more than half of the judge's requests failed, with an
# error naming the judge and its first error; 1 (the job key, or --max-judge-failures) lets it
# train on the on_error values.
job stopped init "judge_cache: false"
if RFT_JUDGE_URL=http://127.0.0.1:$closed/v1 "$rft" train stopped.yaml --no-eval 2>stopped.err; then
  fail "a job whose judge failed every request went on training: $(cat stopped.err)"
fi
grep -qE 'rft train: judge `rater` failed ([0-9]+) of \1 requests in one batch, more than the 50% that `reward.max_judge_failures` allows' stopped.err ||
  fail "no stop naming the judge: $(cat stopped.err)"
grep -qF "(first error: http://127.0.0.1:$closed/v1: " stopped.err ||
  fail "the stop does not give the judge's first error: $(cat stopped.err)"
[ ! -e stopped/final ] || fail "a stopped job linked a final model"
grep -m1 'rft train: judge' stopped.err
sed -e 's/output_dir: stopped/output_dir: overridden/' stopped.yaml > overridden.yaml
RFT_JUDGE_URL=http://127.0.0.1:$closed/v1 "$rft" train overridden.yaml --no-eval \
  --max-judge-failures 1 2>overridden.err || fail "--max-judge-failures 1 did not lift the limit: $(cat overridden.err)"

# A held-out verifier whose judge fails stops the job too, saying it was the verifier: a dead
# verifier judge would otherwise read as a flat verifier curve.
cat > plain.reward <<'SPEC'
reward plain {
  let n = len(completion)
  total = if n == 0 then 0 else count_matches(completion, r"[a-z]") / n
}
SPEC
job verified init "judge_cache: false"
sed -i -e 's/  spec: judged.reward/  spec: plain.reward/' -e 's/  name: judged/  name: plain\n  verifier: judged\n  verifier_spec: judged.reward/' verified.yaml
if RFT_JUDGE_URL=http://127.0.0.1:$closed/v1 "$rft" train verified.yaml --no-eval 2>verified.err; then
  fail "a job whose verifier's judge failed every request went on: $(cat verified.err)"
fi
grep -qE 'rft train: the held-out verifier \(reward.verifier\): judge `rater` failed ([0-9]+) of \1 requests' verified.err ||
  fail "no stop naming the verifier and its judge: $(cat verified.err)"
grep -m1 'held-out verifier' verified.err

# Counters per line, totals at the end, with the limit lifted in the job.
job counted init "judge_cache: false" "max_judge_failures: 1"
RFT_JUDGE_URL=http://127.0.0.1:$closed/v1 "$rft" train counted.yaml --no-eval 2>counted.err ||
  fail "rft train exited $?: $(cat counted.err)"
summary=$(grep '^judges: ' counted.err) || fail "no judge summary: $(cat counted.err)"
"$python" - "$summary" <<'PY'
import json, re, sys
lines = [json.loads(l) for l in open("counted/metrics.jsonl")]
train = [l for l in lines if l["kind"] == "train"]
evals = [l for l in lines if l["kind"] == "eval"]
assert len(train) == 2 and len(evals) == 3, lines  # evaluations at steps 0, 1 and 2
for l in lines:
    j = l["judges"]
    assert set(j) == {"calls", "cache_hits", "misses", "skipped", "errors"}, j
    # Every completion either asked the judge (which failed) or was gated; nothing cached.
    graded = 2 * 4 if l["kind"] == "train" else 3
    assert j["calls"] + j["skipped"] == graded, l
    assert j["misses"] == j["errors"] == j["calls"] and j["cache_hits"] == 0, l
    # `flagged` counts the rows whose judge call failed, not those that gating skipped.
    if l["kind"] == "train":
        assert round(l["flagged"] * graded) == j["calls"], l
total = {k: sum(l["judges"][k] for l in lines) for k in ("calls", "misses", "skipped", "errors")}
assert total["calls"] > 0, total
want = "judges: %d calls, 0 cache hits, %d misses, %d skipped by gating, %d errors" % (
    total["calls"], total["misses"], total["skipped"], total["errors"])
assert sys.argv[1] == want, (sys.argv[1], want)
print("train:", want)
PY
grep -Eq '^judge `rater`: [0-9]+ errors, first: ' counted.err ||
  fail "no line for the failing judge: $(cat counted.err)"

# 3. rft eval: the same refusal, before any model is loaded, and the flags.
common=(--data "$data/eval.jsonl" --spec judged.reward --reward judged --max-new-tokens 6
        --threads 1 --limit 4)
if RFT_JUDGE_URL=$remote "$rft" eval --model missing-model "${common[@]}" 2>eval_refused.err; then
  fail "rft eval ran with a judge off this machine"
fi
grep -qF "rft eval: judge \`rater\`: endpoint \`$remote\` is not on this machine" eval_refused.err ||
  fail "eval: no refusal: $(cat eval_refused.err)"
grep -qF -- "--allow-endpoint $remote" eval_refused.err || fail "eval: no way to allow it"
if RFT_JUDGE_URL=$remote "$rft" eval --model missing-model "${common[@]}" \
    --allow-endpoint $remote --no-judge-cache 2>eval_allowed.err; then
  fail "rft eval ran without a model"
fi
grep -q "missing-model" eval_allowed.err || fail "eval --allow-endpoint: $(cat eval_allowed.err)"
RFT_JUDGE_URL=http://127.0.0.1:$closed/v1 "$rft" eval --model init "${common[@]}" \
  >eval.txt 2>eval.err || fail "rft eval exited $?: $(cat eval.err)"
grep -Eq '^judges: ([0-9]+) calls, 0 cache hits, \1 misses, [0-9]+ skipped by gating, \1 errors$' eval.err ||
  fail "eval: no judge counters: $(cat eval.err)"
"$python" -c '
import re, sys
calls, skipped = map(int, re.search(r"judges: (\d+) calls.*, (\d+) skipped", sys.stdin.read()).groups())
assert calls + skipped == 4, (calls, skipped)
' <eval.err || fail "eval: counters do not add up to 4 rows: $(cat eval.err)"
grep '^judges: ' eval.err

# 4. rft train with a group judge (tests/judge/fake_judge.py): one request per prompt and step,
# holding that prompt's samples_per_prompt completions.
cat > grouped.reward <<'SPEC'
item { answer: str }
judge ranker {
  endpoint = env("RFT_JUDGE_URL", "http://127.0.0.1:9/v1")
  model = "judge"
  group = "rank"
  prompt = "RANK the answers to {prompt}\n{completions}"
  on_error = 0.5
  retries = 0
}
reward grouped {
  component rank = ranker()
  total = rank
}
SPEC
"$python" "$data/../../judge/fake_judge.py" --port-file judge.port --log judge.log &
judge_pid=$!
trap 'kill $judge_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s judge.port ] && break; sleep 0.1; done
[ -s judge.port ] || fail "the fake judge did not start"
sed -e 's/spec: judged.reward/spec: grouped.reward/' -e 's/name: judged/name: grouped/' \
  -e 's/output_dir: counted/output_dir: grouped/' counted.yaml > grouped.yaml
RFT_JUDGE_URL=http://127.0.0.1:$(cat judge.port)/v1 "$rft" train grouped.yaml --no-eval \
  2>grouped.err || fail "rft train with a group judge exited $?: $(cat grouped.err)"
"$python" - <<'PY' || fail "group judge in training: $(cat grouped.err)"
import json, re
reqs = [json.loads(l) for l in open("judge.log")]
prompts = [r["request"]["messages"][-1]["content"] for r in reqs]
# 2 steps x 2 prompts, each request with the 4 completions of one prompt.
assert len(reqs) == 4, len(reqs)
for p in prompts:
    assert re.findall(r'<answer id="(\d+)">', p) == ["1", "2", "3", "4"], p
train = [json.loads(l) for l in open("grouped/metrics.jsonl")]
train = [l for l in train if l["kind"] == "train"]
assert [(l["judges"]["calls"], l["judges"]["misses"]) for l in train] == [(8, 2), (8, 2)], train
print("group judge: %d requests of 4 completions in 2 steps" % len(reqs))
PY
echo "judges cli ok"

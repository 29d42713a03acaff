#!/usr/bin/env bash
# Rows that used to abort a run, and the `truncated` flag, through the commands:
#   1. a number beyond the double range (1e999, a 400-digit integer) in a field the spec ignores
#      is that row's error in `rft grade` (the other rows graded) and `rft explain`, and a bad row
#      named by its line in `rft train` and `rft eval`: never SIGABRT;
#   2. `rft grade` reads `truncated` / `finish_reason` from a row into the spec's `truncated`;
#   3. a tiny `rft train` (the built-in random model, max_new_tokens 2): the spec's `truncated`
#      is the generation's finish, step by step (its component's mean is the step's `truncated`
#      metric), and mask_truncated_completions takes those completions out of the loss; `rft
#      eval` sets it from its generations too.
# Usage: rows_cli_test.sh RFT WORK_DIR DATA_DIR
set -euo pipefail
rft=$1 work=$2 data=$3
python=$(command -v python3)
rm -rf "$work"
mkdir -p "$work"
cd "$work"
export NO_COLOR=1
fail() { echo "FAIL: $*" >&2; exit 1; }
"$rft" init-model init --seed 3 >/dev/null 2>&1

cat > cut.reward <<'SPEC'
reward cut {
  let n = len(completion)
  component share = if n == 0 then 0 else count_matches(completion, r"[a-z]") / n
  component cut = truncated
  total = if truncated then share - 1 else share
}

test cut "a truncated completion loses a point" {
  completion = "ab12"
  truncated = true
  expect total == -0.5
}
SPEC
"$rft" test cut.reward >test.out 2>&1 || fail "rft test: $(cat test.out)"

digits=$(printf '9%.0s' $(seq 400))
{
  echo '{"prompt": "a", "completion": "abcd"}'
  echo '{"prompt": "b", "completion": "abcd", "meta": {"score": 1e999}}'
  echo "{\"prompt\": \"c\", \"completion\": \"abcd\", \"id\": $digits}"
  echo '{"prompt": "d", "completion": "ab12", "truncated": true}'
  echo '{"prompt": "e", "completion": "ab12", "finish_reason": "length"}'
  echo '{"prompt": "f", "completion": "ab12", "finish_reason": "stop"}'
} > rows.jsonl

# 1 and 2: rft grade, on every engine.
for engine in interp jit aot; do
  "$rft" grade cut.reward --reward cut --data rows.jsonl --engine $engine >graded.$engine 2>grade.err ||
    fail "rft grade --engine $engine exited $?: $(cat grade.err)"
  "$python" - graded.$engine <<'PY' || fail "rft grade --engine $engine: $(cat graded.$engine)"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["line"] for r in rows] == [1, 2, 3, 4, 5, 6], rows
assert rows[0]["total"] == 1 and rows[0]["components"]["cut"] == 0, rows[0]
assert rows[1]["error"] == "a number beyond the double range (`1e999`); write it as a string", rows[1]
assert rows[2]["error"].startswith("a number beyond the double range (`99999"), rows[2]
assert "400 characters" in rows[2]["error"], rows[2]
assert [r["total"] for r in rows[3:]] == [-0.5, -0.5, 0.5], rows[3:]
assert [r["components"]["cut"] for r in rows[3:]] == [1, 1, 0], rows[3:]
PY
done
grep -q "graded 6 rows (2 errors, 0 flagged)" grade.err || fail "grade summary: $(cat grade.err)"

if "$rft" explain cut.reward --reward cut --sample '{"completion": "x", "n": 1e999}' 2>explain.err; then
  fail "rft explain graded a row with 1e999"
fi
grep -qF 'rft explain: sample: a number beyond the double range (`1e999`)' explain.err ||
  fail "rft explain: $(cat explain.err)"
"$rft" explain cut.reward --reward cut --sample '{"completion": "ab12", "finish_reason": "length"}' \
  >explain.out || fail "rft explain with finish_reason"
grep -qE '^  total +-0.5$' explain.out || fail "explain did not see the truncation: $(cat explain.out)"

# rft train and rft eval refuse the dataset before anything runs, naming the line.
{
  echo '{"prompt": "Write something: "}'
  echo '{"prompt": "Write more: ", "weight": -1e999}'
} > huge.jsonl
cat > huge.yaml <<YAML
model: init
data:
  train: huge.jsonl
reward:
  spec: cut.reward
  name: cut
output_dir: huge
hyperparameters:
  max_steps: 1
  batch_size: 1
  samples_per_prompt: 2
  max_new_tokens: 2
  threads: 1
YAML
set +e
"$rft" train huge.yaml --no-eval 2>train_huge.err
rc=$?
"$rft" eval --model init --data huge.jsonl --spec cut.reward --reward cut --max-new-tokens 2 \
  --threads 1 >/dev/null 2>eval_huge.err
erc=$?
set -e
[ $rc -eq 1 ] || fail "rft train on 1e999 exited $rc: $(cat train_huge.err)"
[ $erc -eq 1 ] || fail "rft eval on 1e999 exited $erc: $(cat eval_huge.err)"
for f in train_huge.err eval_huge.err; do
  grep -qF 'huge.jsonl: 1 bad row:' $f || fail "$f: $(cat $f)"
  grep -qF 'line 2: a number beyond the double range (`-1e999`)' $f || fail "$f: $(cat $f)"
done

# 3. A tiny training run: two steps of 2 prompts x 4 samples, 2 new tokens each.
job() {  # job NAME EXTRA...
  local name=$1
  shift
  cat > "$name.yaml" <<YAML
model: init
data:
  train: $data/letters.jsonl
reward:
  spec: cut.reward
  name: cut
output_dir: $name
hyperparameters:
  max_steps: 2
  batch_size: 2
  samples_per_prompt: 4
  learning_rate: 0.003
  max_new_tokens: 2
  threads: 1
  seed: 11
$(for kv in "$@"; do echo "  $kv"; done)
YAML
}
job plain
job masked "mask_truncated_completions: true"
"$rft" train plain.yaml --no-eval 2>plain.err || fail "rft train: $(cat plain.err)"
"$rft" train masked.yaml --no-eval 2>masked.err || fail "rft train (masked): $(cat masked.err)"
"$python" - <<'PY'
import json
def steps(name):
    return [l for l in map(json.loads, open(name + "/metrics.jsonl")) if l["kind"] == "train"]
plain, masked = steps("plain"), steps("masked")
assert len(plain) == len(masked) == 2
for l in plain + masked:
    # The spec's `truncated` is the trainer's finish "length", rollout by rollout on average.
    assert l["components"]["cut"] == l["truncated"], l
# Two new tokens from a random model: almost every completion is cut off.
assert all(l["truncated"] >= 0.5 for l in plain), [l["truncated"] for l in plain]
# The same seed samples the same first step either way; masked out, a batch of truncated
# completions has no gradient at all, while the unmasked one has.
assert plain[0]["truncated"] == masked[0]["truncated"]
for p, m in zip(plain, masked):
    if m["truncated"] == 1.0:
        assert m["grad_norm"] == 0 and m["loss"] == 0, m
        if p["reward_std"] > 0:
            assert p["grad_norm"] > 0, p
print("truncated per step:", [l["truncated"] for l in plain],
      "grad_norm plain/masked:", [round(l["grad_norm"], 6) for l in plain],
      [round(l["grad_norm"], 6) for l in masked])
PY
# rft eval: the same flag from the generation of each eval row.
"$rft" eval --model init --data "$data/letters.jsonl" --spec cut.reward --reward cut \
  --max-new-tokens 2 --threads 1 --limit 4 --json >eval.json 2>eval.err || fail "rft eval: $(cat eval.err)"
"$python" - <<'PY'
import json
m = json.load(open("eval.json"))["models"][0]
assert m["components"]["cut"] >= 0.5, m  # two tokens from a random model: cut off
print("eval: truncated share", m["components"]["cut"])
PY
echo "rows cli ok"

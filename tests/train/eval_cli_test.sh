#!/usr/bin/env bash
# `rft eval` from the command line: two random models of the built-in family on a small dataset
# (tests/train/data), the table, --json, --limit, and the errors for a bad model, data or spec.
# Usage: eval_cli_test.sh RFT WORK_DIR DATA_DIR
set -euo pipefail
rft=$1 work=$2 data=$3
rm -rf "$work"
mkdir -p "$work"
export RFT_CACHE_DIR="$work/cache" NO_COLOR=1
fail() { echo "FAIL: $*" >&2; exit 1; }

"$rft" init-model "$work/base" --seed 1 >/dev/null 2>&1
"$rft" init-model "$work/tuned" --seed 2 >/dev/null 2>&1
common=(--data "$data/eval.jsonl" --spec "$data/eval.reward" --reward lively
        --max-new-tokens 6 --threads 1 --batch 3)

"$rft" eval --model "$work/base" --model "$work/tuned" "${common[@]}" --samples 1 \
  >"$work/table.txt" 2>"$work/table.err" || fail "rft eval exited $?: $(cat "$work/table.err")"
cat "$work/table.txt"
grep -Eq '^ +base +tuned$' "$work/table.txt" || fail "no header with both models"
for row in "mean reward" wrote digit exact "pass rate" "mean length" flagged; do
  grep -Eq "^$row +[0-9.]+ +[0-9.]+ \([+-]" "$work/table.txt" || fail "no row \`$row\` with a change"
done
grep -q '^base, line 1: total ' "$work/table.txt" || fail "no sample for base"
grep -q '^tuned, line 1: total ' "$work/table.txt" || fail "no sample for tuned"
[ ! -s "$work/table.err" ] || fail "unexpected messages on stderr: $(cat "$work/table.err")"

"$rft" eval --model "$work/base" --model "$work/tuned" "${common[@]}" --engine interp --json \
  --limit 2 >"$work/eval.json"
python3 -c '
import json, sys
j = json.load(sys.stdin)
assert j["components"] == ["wrote", "digit", "exact"], j["components"]
assert [m["label"] for m in j["models"]] == ["base", "tuned"]
for m in j["models"]:
    assert m["rows"] == 2 and len(m["samples"]) == 2 and "pass_rate" in m, m
    assert [s["line"] for s in m["samples"]] == [1, 2]
' <"$work/eval.json" || fail "--json: $(cat "$work/eval.json")"

# Errors: exit 1 and a message that names the problem.
expect_error() {  # expect_error TEXT ARGS...
  local text=$1 rc=0
  shift
  "$rft" eval "$@" >"$work/out.txt" 2>"$work/err.txt" || rc=$?
  [ "$rc" = 1 ] || fail "rft eval $* exited $rc, not 1"
  grep -qF -- "$text" "$work/err.txt" || fail "rft eval $*: no \`$text\` in: $(cat "$work/err.txt")"
}
expect_error "rft eval: " --model "$work/nothing" "${common[@]}"
printf '%s\n' '{"prompt": "2 + 2 ="}' '{"prompt": 3, "answer": "x"}' >"$work/bad.jsonl"
expect_error "bad.jsonl: 2 bad rows:" --model "$work/base" --data "$work/bad.jsonl" \
  --spec "$data/eval.reward" --reward lively
expect_error "line 2: \`prompt\`: expected a string, found a number" --model "$work/base" \
  --data "$work/bad.jsonl" --spec "$data/eval.reward" --reward lively
expect_error "no reward named \`livly\`" --model "$work/base" --data "$data/eval.jsonl" \
  --spec "$data/eval.reward" --reward livly
echo "eval cli ok"

#!/usr/bin/env bash
# `rft grade --grader X.so`: a shared object from `rft compile` grades a dataset line for line as
# its spec does (same results, same row errors), and every misuse is a one-line error: a .so given
# as a spec, a spec given as --grader, a reward it lacks, a reward that calls judges, spec-only
# flags, neither or both.
# Usage: grade_shared.sh RFT_BINARY SOURCE_ROOT WORK_DIR
set -euo pipefail
rft=$1 root=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
export RFT_CACHE_DIR="$work/cache"
cp "$root/examples/gsm8k.reward" "$root/examples/support.reward" .
"$rft" compile gsm8k.reward -o gsm8k.so
"$rft" compile support.reward -o support.so
cat > rows.jsonl <<'ROWS'
{"completion": "The answer is \\boxed{72}", "answer": "72"}
{"completion": "x", "answr": "72"}
not json

{"completion": "So 5", "answer": 6}
{"completion": "#### 6", "answer": "6", "prompt": "How many?"}
ROWS
# A bare file name is the file here, not a library searched for.
"$rft" grade --grader gsm8k.so --reward gsm8k --data rows.jsonl --out shared.jsonl
"$rft" grade gsm8k.reward --reward gsm8k --data rows.jsonl --engine aot --out spec.jsonl
cmp shared.jsonl spec.jsonl
python3 - <<'PY'
import json
rows = [json.loads(l) for l in open("shared.jsonl")]
assert [r["line"] for r in rows] == [1, 2, 3, 5, 6], rows
assert rows[0]["total"] > 1 and rows[0]["components"]["correct"] == 1, rows[0]
assert rows[1]["error"] == "missing field `answer` (did you mean `answr`?)", rows[1]
assert rows[2]["error"].startswith("not valid JSON"), rows[2]
assert rows[3]["error"] == "field `answer`: expected str, found a number", rows[3]
assert rows[4]["components"]["correct"] == 1, rows[4]
PY
expect_error() {  # expect_error TEXT ARGS...: the command fails with TEXT on stderr
  local text=$1
  shift
  if "$rft" grade "$@" > /dev/null 2> err.txt; then
    echo "rft grade $* succeeded"
    exit 1
  fi
  grep -qF -- "$text" err.txt || { echo "rft grade $*: expected '$text', got:"; cat err.txt; exit 1; }
}
expect_error "this is a shared object (as \`rft compile\` writes), not a .reward spec" \
  gsm8k.so --reward gsm8k --data rows.jsonl
expect_error "rft grade --grader FILE" gsm8k.so --reward gsm8k --data rows.jsonl
expect_error "\`gsm8k.reward\` is not a shared object" --grader gsm8k.reward --reward gsm8k --data rows.jsonl
expect_error "no reward named \`gsm8\` in gsm8k.so; did you mean \`gsm8k\`?" \
  --grader gsm8k.so --reward gsm8 --data rows.jsonl
expect_error "calls judges (\`polite\`)" --grader support.so --reward support --data rows.jsonl
expect_error "apply to a spec, not to --grader" --grader gsm8k.so --reward gsm8k --data rows.jsonl \
  --engine interp
expect_error "give the .reward spec, or --grader" --reward gsm8k --data rows.jsonl
expect_error "not both" gsm8k.reward --grader gsm8k.so --reward gsm8k --data rows.jsonl
expect_error "no_such.so: cannot open shared object file" --grader no_such.so --reward gsm8k \
  --data rows.jsonl
echo "grade --grader: same results as the spec; misuse is a clear error"

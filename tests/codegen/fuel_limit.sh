#!/usr/bin/env bash
# A spec cannot hang or abort the grader: an exponential tree of helper calls runs out of the
# evaluation budget (fuel_exhausted, total on_invalid), a string doubled 69 times is refused past
# 256 MiB (result_too_large), and the interpreter, the JIT and a shared object from `rft compile`
# write byte-identical results with the same flags.
# Usage: fuel_limit.sh RFT_BINARY SOURCE_ROOT WORK_DIR
set -euo pipefail
rft=$1 root=$2 work=$3
dir=$root/tests/codegen/fuel
rm -rf "$work" && mkdir -p "$work"
export RFT_CACHE_DIR="$work/cache"
for spec in recursive doubling; do
  # One row suffices for the doubling: reaching the cap builds strings of 256 MiB.
  rows=$dir/rows.jsonl
  [ "$spec" = doubling ] && rows=$dir/one_row.jsonl
  for engine in interp jit aot; do
    start=$(date +%s%N)
    timeout 120 "$rft" grade "$dir/$spec.reward" --reward r --data "$rows" \
      --engine "$engine" --threads 1 --out "$work/$spec.$engine.jsonl" 2>"$work/$spec.$engine.log" ||
      { echo "$spec/$engine failed:"; cat "$work/$spec.$engine.log"; exit 1; }
    echo "$spec/$engine: $(( ($(date +%s%N) - start) / 1000000 )) ms"
  done
  cmp "$work/$spec.interp.jsonl" "$work/$spec.jit.jsonl"
  cmp "$work/$spec.interp.jsonl" "$work/$spec.aot.jsonl"
done
cat "$work/recursive.interp.jsonl" "$work/doubling.interp.jsonl"
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
rec = [json.loads(l) for l in open(f"{work}/recursive.interp.jsonl")]
dbl = [json.loads(l) for l in open(f"{work}/doubling.interp.jsonl")]
assert len(rec) == 2 and len(dbl) == 1, (rec, dbl)
# Every row of the recursive spec ran out of fuel and scores on_invalid with zero components
# and monitors.
for row in rec:
    assert row["flags"] == ["fuel_exhausted"], row
    assert row["total"] == -1, row
    assert all(v == 0 for v in row["components"].values()), row
    assert row["monitors"] == {"length": 0}, row
# The doubling stops growing at the cap: s69 is the largest string built, longer than the
# completion, and the row is flagged result_too_large (within the budget).
for row in dbl:
    assert row["flags"] == ["result_too_large"], row
    assert row["components"]["grown"] == 1, row
print("fuel limit: identical flags and values in interp, jit and aot")
PY

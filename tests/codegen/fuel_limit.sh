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
  for engine in interp jit aot; do
    start=$(date +%s%N)
    timeout 120 "$rft" grade "$dir/$spec.reward" --reward r --data "$dir/rows.jsonl" \
      --engine "$engine" --threads 1 --out "$work/$spec.$engine.jsonl" 2>"$work/$spec.$engine.log" ||
      { echo "$spec/$engine failed:"; cat "$work/$spec.$engine.log"; exit 1; }
    echo "$spec/$engine: $(( ($(date +%s%N) - start) / 1000000 )) ms"
  done
  cmp "$work/$spec.interp.jsonl" "$work/$spec.jit.jsonl"
  cmp "$work/$spec.interp.jsonl" "$work/$spec.aot.jsonl"
done
cat "$work/recursive.interp.jsonl" "$work/doubling.interp.jsonl"
# Every row of the recursive spec ran out of fuel and scores on_invalid with zero components.
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
rec = [json.loads(l) for l in open(f"{work}/recursive.interp.jsonl")]
dbl = [json.loads(l) for l in open(f"{work}/doubling.interp.jsonl")]
assert len(rec) == 2 and len(dbl) == 2, (rec, dbl)
for row in rec:
    assert "fuel_exhausted" in row["flags"], row
    assert row["total"] == -1, row
    assert all(v == 0 for v in row["components"].values()), row
for row in dbl:
    assert "result_too_large" in row["flags"], row
    assert "fuel_exhausted" not in row["flags"], row
print("fuel limit: identical flags and values in interp, jit and aot")
PY

#!/usr/bin/env bash
# Grades every example dataset with the three engines and requires byte-identical output.
# Usage: engines_agree.sh RFT_BINARY SOURCE_ROOT WORK_DIR
set -euo pipefail
rft=$1 root=$2 work=$3
mkdir -p "$work"
export RFT_CACHE_DIR="$work/cache"
check() {  # SPEC REWARD DATA
  local name=$2
  for engine in interp jit aot; do
    "$rft" grade "$root/examples/$1" --reward "$2" --data "$root/examples/data/$3" \
      --engine "$engine" --threads 2 --out "$work/$name.$engine.jsonl" 2>"$work/$name.$engine.log"
  done
  cmp "$work/$name.interp.jsonl" "$work/$name.jit.jsonl"
  cmp "$work/$name.interp.jsonl" "$work/$name.aot.jsonl"
  echo "$name: $(wc -l <"$work/$name.interp.jsonl") rows identical in interp, jit and aot"
}
check gsm8k.reward gsm8k gsm8k.jsonl
check json_extraction.reward extraction extraction.jsonl
check support.reward support support.jsonl
check instructions.reward instructions instructions.jsonl
# A second JIT run loads from the cache and must give the same output.
"$rft" grade "$root/examples/gsm8k.reward" --reward gsm8k --data "$root/examples/data/gsm8k.jsonl" \
  --engine jit --out "$work/gsm8k.cached.jsonl" 2>/dev/null
cmp "$work/gsm8k.interp.jsonl" "$work/gsm8k.cached.jsonl"
ls "$RFT_CACHE_DIR"/*.o >/dev/null
echo "cached JIT run identical"

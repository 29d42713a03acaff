#!/usr/bin/env bash
# Compiles an example spec to a shared object and grades samples with the C example program,
# which links librft_grader only; then checks that a grader built for another ABI is refused.
# Usage: c_example.sh RFT_BINARY GRADE_SAMPLE_BINARY BAD_ABI_SO SOURCE_ROOT WORK_DIR
set -euo pipefail
rft=$1 grade_sample=$2 bad_abi=$3 root=$4 work=$5
mkdir -p "$work"
"$rft" compile "$root/examples/gsm8k.reward" -o "$work/gsm8k.so"
# Only librft_grader (and the C library) may be needed to load it.
if ldd "$work/gsm8k.so" | grep -E "LLVM|antlr|torch"; then
  echo "the grader depends on a compiler library"; exit 1
fi
out=$("$grade_sample" "$work/gsm8k.so" gsm8k 'So 48 + 24 = 72. \boxed{72}' '{"answer": "72"}')
echo "$out"
grep -qx "total 1.25" <<<"$out"
grep -qx "component correct 1" <<<"$out"
grep -qx "component marked 1" <<<"$out"
# A wrong answer, invalid UTF-8 in the completion, and a row without its field.
out=$("$grade_sample" "$work/gsm8k.so" gsm8k $'\\boxed{70} \xff' '{"answer": "72"}')
echo "$out"
grep -qx "component correct 0" <<<"$out"
grep -qx "flag invalid_utf8" <<<"$out"
out=$("$grade_sample" "$work/gsm8k.so" gsm8k '\boxed{72}' '{}')
echo "$out"
grep -qx "total 0" <<<"$out"
grep -qx "flag bad_item:answer" <<<"$out"
grep -qx "flag invalid_total" <<<"$out"
# Monitors follow the components in the array grade writes.
printf 'reward r {\n  component long = len(completion) > 3\n  monitor chars = len(completion)\n  total = long\n}\n' \
  >"$work/monitored.reward"
"$rft" compile "$work/monitored.reward" -o "$work/monitored.so"
out=$("$grade_sample" "$work/monitored.so" r 'four')
echo "$out"
grep -qx "component long 1" <<<"$out"
grep -qx "monitor chars 4" <<<"$out"
# Errors are reported, not crashed on.
if "$grade_sample" "$work/gsm8k.so" nosuch x 2>"$work/err.txt"; then exit 1; fi
grep -q "no reward named \`nosuch\`" "$work/err.txt"
if "$grade_sample" "$bad_abi" gsm8k x 2>"$work/err.txt"; then exit 1; fi
cat "$work/err.txt"
grep -q "grader ABI version 999" "$work/err.txt"
echo "C example ok"

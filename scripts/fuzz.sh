#!/usr/bin/env bash
# Builds the libFuzzer target tests/fuzz/parse_check_fuzzer with clang-16 (ASan + UBSan) in its own
# build folder and fuzzes the front end for SECONDS (default 60). Exits non-zero on any crash,
# leak, timeout, out-of-memory or sanitizer report; the input that caused it is left in
# <build>/fuzz-run/artifacts/, and can be replayed with `<build>/tests/fuzz/parse_check_fuzzer FILE`.
#
#   scripts/fuzz.sh [SECONDS]
#
# Environment:
#   RFT_FUZZ_BUILD_DIR  the build folder (default: build-fuzz/ in the repository)
#   RFT_FUZZ_JOBS       parallel compile jobs (default 2)
#   RFT_FUZZ_KEEP_CORPUS=1  go on from the corpus that earlier runs grew, instead of the seeds
#
# Idempotent: the build is incremental, and each run fuzzes a copy of tests/fuzz/corpus (the
# seeds) in <build>/fuzz-run/corpus.
set -euo pipefail

seconds=${1:-60}
if ! [[ $seconds =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: $0 [SECONDS]" >&2
  exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${RFT_FUZZ_BUILD_DIR:-$root/build-fuzz}
mkdir -p "$build"
build=$(cd "$build" && pwd)
jobs=${RFT_FUZZ_JOBS:-2}
seeds=$root/tests/fuzz/corpus
dict=$root/tests/fuzz/reward.dict

for tool in clang-16 clang++-16 cmake; do
  if ! command -v "$tool" >/dev/null; then
    echo "fuzz: $tool not found; run scripts/setup.sh" >&2
    exit 1
  fi
done

# ---- configure and build (only the fuzzer and what it links) ----
configure=(cmake -S "$root" -B "$build"
  -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16
  -DCMAKE_BUILD_TYPE=RelWithDebInfo
  -DRFT_FUZZ=ON -DRFT_BUILD_TESTS=OFF
  # clang warns about things gcc does not; the gcc build is the one that holds code to -Werror.
  -DRFT_WERROR=OFF)
if [ ! -f "$build/CMakeCache.txt" ] && command -v ninja >/dev/null; then
  configure+=(-G Ninja)
fi
echo "fuzz: configuring $build"
"${configure[@]}" >"$build/fuzz-configure.log" 2>&1 || {
  cat "$build/fuzz-configure.log" >&2
  exit 1
}
echo "fuzz: building parse_check_fuzzer (-j$jobs)"
cmake --build "$build" --target parse_check_fuzzer --parallel "$jobs"
fuzzer=$build/tests/fuzz/parse_check_fuzzer

# ---- run ----
run=$build/fuzz-run
# Every run starts from a fresh copy of the seeds (so that its length stays what was asked for,
# however many runs came before), unless RFT_FUZZ_KEEP_CORPUS=1 keeps what earlier runs found.
# artifacts/ holds this run's findings only.
if [ "${RFT_FUZZ_KEEP_CORPUS:-0}" != 1 ]; then
  rm -rf "$run/corpus"
fi
rm -rf "$run/artifacts"
mkdir -p "$run/corpus" "$run/artifacts"
cp -f "$seeds"/* "$run/corpus/"
log=$run/fuzz.log

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:symbolize=1
export LSAN_OPTIONS=report_objects=1
# Imports resolve against the checkout's stdlib only.
unset RFT_PATH RFT_STDLIB

echo "fuzz: running for ${seconds}s; log in $log"
rc=0
(cd "$run" && "$fuzzer" \
  -max_total_time="$seconds" \
  -timeout=10 \
  -rss_limit_mb=2048 \
  -max_len=8192 \
  -detect_leaks=1 \
  -dict="$dict" \
  -artifact_prefix="$run/artifacts/" \
  -print_final_stats=1 \
  "$run/corpus") >"$log" 2>&1 || rc=$?

# A sanitizer report that did not stop the run is a failure too.
if [ "$rc" -eq 0 ] && grep -qE '^==[0-9]+==ERROR: |runtime error: |^SUMMARY: ' "$log"; then
  rc=1
fi
grep -E '^(stat::|Done )' "$log" || true
if [ "$rc" -ne 0 ]; then
  echo "fuzz: FAILED (exit $rc); the end of $log:" >&2
  tail -n 80 "$log" >&2
  echo "fuzz: inputs that failed:" >&2
  ls -1 "$run/artifacts" >&2 || true
  exit 1
fi
echo "fuzz: no findings in ${seconds}s"

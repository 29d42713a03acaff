#!/usr/bin/env bash
# A long run of the differential test (tests/codegen/differential_test.cc): PROGRAMS random
# programs (default 5000), each graded on random samples by the interpreter, the JIT and, for
# every 4th program, a shared object; any difference is printed with the spec and the sample.
#
#   scripts/difftest.sh [PROGRAMS] [SEED]
#
# Environment: RFT_BUILD_DIR (default build/), and the test's own RFT_DIFF_INPUTS,
# RFT_DIFF_AOT_EVERY, RFT_DIFF_HUGE_EVERY, RFT_DIFF_VERBOSE. A failing program is rerun alone with
# RFT_DIFF_SEED=SEED RFT_DIFF_ONLY=<index> build/tests/rft_differential_tests.
# Builds the test first (only its target).
set -euo pipefail

programs=${1:-5000}
seed=${2:-$(date +%s)}
if ! [[ $programs =~ ^[0-9]+$ && $seed =~ ^[0-9]+$ ]]; then
  echo "usage: $0 [PROGRAMS] [SEED]" >&2
  exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${RFT_BUILD_DIR:-$root/build}
cmake --build "$build" --target rft_differential_tests --parallel "${RFT_JOBS:-2}"

echo "difftest: $programs programs, seed $seed"
# Compiling dominates the run time, so long runs grade more samples per program.
RFT_DIFF_INPUTS=${RFT_DIFF_INPUTS:-24} RFT_DIFF_PROGRAMS=$programs RFT_DIFF_SEED=$seed \
  "$build/tests/rft_differential_tests" --gtest_filter='DifferentialTest.*'

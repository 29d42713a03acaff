#!/usr/bin/env bash
# Configures and builds rft in build/ (or $RFT_BUILD_DIR). Safe to run again: only what changed
# is rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${RFT_BUILD_DIR:-build}
jobs=${RFT_JOBS:-$(nproc)}
# RFT_WERROR=ON (as .ci/run sets it) makes warnings in rft's own code errors.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${RFT_BUILD_TYPE:-RelWithDebInfo} \
  -DRFT_WERROR=${RFT_WERROR:-OFF} >/dev/null
cmake --build "$build_dir" -j "$jobs"

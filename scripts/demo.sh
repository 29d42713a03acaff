#!/usr/bin/env bash
# The main job, end to end on a fresh Debian 12 machine: install what rft needs, build it, then
# check the example reward specs, run their tests and explain one sample.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
rft=build/tools/rft/rft

echo
echo "== rft check examples/"
"$rft" check examples/
echo
echo "== rft test examples/"
"$rft" test examples/
echo
echo "== rft explain examples/gsm8k.reward"
"$rft" explain examples/gsm8k.reward --reward gsm8k \
  --sample '{"prompt": "Natalia sold 48 clips in April and half as many in May. How many in all?",
             "completion": "In May she sold 48 / 2 = 24, so 48 + 24 = 72 in all. \\boxed{72}",
             "answer": "72"}'
echo
echo "== rft grade examples/gsm8k.reward on examples/data/gsm8k.jsonl"
"$rft" grade examples/gsm8k.reward --reward gsm8k --data examples/data/gsm8k.jsonl

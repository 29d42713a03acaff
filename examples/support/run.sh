#!/usr/bin/env bash
# The customer-support example with a judge served by `rft serve`:
#   1. a small judge model (make_judge.py: a random model fine-tuned to answer every rating
#      prompt with 8, a stand-in for a real instruction-tuned judge);
#   2. `rft serve` puts it on a free loopback port as model `judge`;
#   3. `rft grade` grades examples/data/support.jsonl with examples/support.reward twice: the
#      first run asks the judge, the second is answered from the reply cache; unsafe replies are
#      never sent to the judge (gating);
#   4. the server's counters, then the server is stopped.
# Usage: run.sh [--out DIR] [--rft PATH]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=runs/support
rft=$root/build/tools/rft/rft
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --rft) rft=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"

echo "== judge model"
python3 "$here/make_judge.py" --out "$out/judge" --rft "$rft"

echo "== rft serve"
"$rft" serve --model "$out/judge/sft/final" --name judge --port 0 --threads 1 2>"$out/serve.log" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
port=
for _ in $(seq 1 300); do
  port=$(sed -n 's|.* on http://127\.0\.0\.1:\([0-9]*\)/v1.*|\1|p' "$out/serve.log")
  [ -n "$port" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$out/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "run.sh: rft serve did not start" >&2; exit 1; }
cat "$out/serve.log"

# A cache of its own, so that the first run asks the judge whatever ran before.
export RFT_JUDGE_URL=http://127.0.0.1:$port/v1 RFT_CACHE_DIR=$out/cache
rm -rf "$RFT_CACHE_DIR/judge"
for run in first second; do
  echo "== rft grade ($run run)"
  "$rft" grade "$root/examples/support.reward" --reward support \
    --data "$root/examples/data/support.jsonl" --out "$out/$run.jsonl"
  cat "$out/$run.jsonl"
done

echo "== the server's counters"
python3 -c 'import json, sys, urllib.request
print(urllib.request.urlopen(sys.argv[1]).read().decode())' "http://127.0.0.1:$port/health"
kill -TERM "$server"
wait "$server" || true
trap - EXIT
tail -n 1 "$out/serve.log"

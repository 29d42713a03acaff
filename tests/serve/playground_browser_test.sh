#!/usr/bin/env bash
# The playground page in headless Chromium: `rft serve` with two small random models and
# tests/serve/playground.reward on a free loopback port, driven by browser/playground.test.mjs
# (playwright-core, pinned by browser/package-lock.json and installed with `npm ci` into
# WORK_DIR). Leaves screenshots in WORK_DIR (playground.png, playground-dataset.png).
# Usage: playground_browser_test.sh RFT_BIN SOURCE_ROOT WORK_DIR   (run by ctest as serve_playground)
set -euo pipefail
rft=$1
root=$2
dir=$3
here="$root/tests/serve"

for tool in chromium node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "serve_playground: FAIL: $tool is not installed; run scripts/setup.sh (as root)" >&2
    exit 1
  fi
done

mkdir -p "$dir"
# The browser driver, exactly as locked; reinstalled only when the lock file changes.
if ! cmp -s "$here/browser/package-lock.json" "$dir/node/package-lock.json" ||
   [ ! -d "$dir/node/node_modules/playwright-core" ]; then
  rm -rf "$dir/node"
  mkdir -p "$dir/node"
  cp "$here/browser/package.json" "$here/browser/package-lock.json" "$dir/node/"
  (cd "$dir/node" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
cp "$here/browser/playground.test.mjs" "$dir/node/"

rm -rf "$dir/base" "$dir/tuned" "$dir/server.log" "$dir"/*.png "$dir"/spec_*
# The page shows the spec's path; one long enough to need wrapping at 360 px, whatever the
# checkout's own path, so the narrow-window check covers it.
spec_dir="$dir/spec_in_a_directory_whose_name_is_long_enough_to_need_wrapping_on_a_phone"
mkdir -p "$spec_dir"
cp "$here/playground.reward" "$spec_dir/"
"$rft" init-model "$dir/base" --seed 1 >/dev/null
"$rft" init-model "$dir/tuned" --seed 2 >/dev/null
printf '%s\n' '{"prompt": "12+34=", "answer": "46"}' '{"prompt": "205+317=", "answer": "522"}' \
  '{"prompt": "7+8=", "answer": "15"}' >"$dir/eval.jsonl"

"$rft" serve --model "$dir/tuned" --compare "$dir/base" \
  --spec "$spec_dir/playground.reward" --reward playground \
  --port 0 --threads 1 --max-new-tokens 8 2>"$dir/server.log" &
server=$!
cleanup() {
  if kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server"
    wait "$server" || true
  fi
}
trap cleanup EXIT

port=
for _ in $(seq 600); do
  port=$(sed -n 's|^serving .* on http://127.0.0.1:\([0-9]*\)/v1.*|\1|p' "$dir/server.log")
  [ -n "$port" ] && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "serve_playground: FAIL: rft serve exited; its log:" >&2
    cat "$dir/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "serve_playground: FAIL: rft serve did not start; its log:" >&2
  cat "$dir/server.log" >&2
  exit 1
fi

status=0
(cd "$dir/node" && CHROMIUM=$(command -v chromium) timeout 400 node playground.test.mjs \
  "http://127.0.0.1:$port" "$dir/eval.jsonl" 3 "$dir") || status=$?
kill -TERM "$server"
wait "$server" || { echo "serve_playground: FAIL: rft serve did not stop cleanly" >&2; status=1; }
trap - EXIT
if [ "$status" -ne 0 ]; then
  echo "serve_playground: FAIL (server log follows)" >&2
  cat "$dir/server.log" >&2
  exit "$status"
fi
echo "serve_playground: ok; screenshots in $dir"

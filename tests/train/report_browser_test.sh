#!/usr/bin/env bash
# report.html in headless Chromium: the page's script must draw every chart of a synthetic run
# (an <svg class="chart"> each, a <path class="series" d="M..."> per series, ticks, legends) and
# report no error in <pre id="errors">; markup in completions must stay text.
# Usage: report_browser_test.sh RFT_REPORT_FIXTURE WORK_DIR   (run by ctest as report_browser)
set -euo pipefail
fixture=$1
dir=$2

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "report_browser: FAIL: chromium is not installed; run scripts/setup.sh (as root) to install it" >&2
  exit 1
fi

rm -rf "$dir"
mkdir -p "$dir"
out=$("$fixture" "$dir")
report=$(sed -n 1p <<<"$out")
expect=$(sed -n 2p <<<"$out")  # "charts=7 series=12"
charts=${expect#charts=}
charts=${charts%% *}
series=${expect##*series=}

# --dump-dom prints the DOM once the page has loaded, that is after its scripts ran.
if ! timeout 90 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --no-first-run --user-data-dir="$dir/profile" --dump-dom "file://$report" \
  >"$dir/dom.html" 2>"$dir/chromium.log"; then
  echo "report_browser: FAIL: chromium did not render $report; its log:" >&2
  tail -n 20 "$dir/chromium.log" >&2
  exit 1
fi

failures=0
check() {  # check DESCRIPTION EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then
    echo "ok: $1 ($3)"
  else
    echo "report_browser: FAIL: $1: expected $2, got $3" >&2
    failures=$((failures + 1))
  fi
}
at_least() {  # at_least DESCRIPTION MIN ACTUAL
  if [ "$3" -ge "$2" ]; then
    echo "ok: $1 ($3)"
  else
    echo "report_browser: FAIL: $1: expected at least $2, got $3" >&2
    failures=$((failures + 1))
  fi
}
tags() { grep -o "<$1\( [^>]*\)\?>" "$dir/dom.html" || true; }

# The page's script writes what it caught into <pre id="errors">, which must stay empty.
if grep -q '<pre id="errors"></pre>' "$dir/dom.html"; then
  echo "ok: no script errors"
else
  echo "report_browser: FAIL: script errors (or no <pre id=\"errors\">):" >&2
  sed -n '/<pre id="errors"/,/<\/pre>/p' "$dir/dom.html" >&2
  failures=$((failures + 1))
fi
check "body data-charts-drawn" "$charts" \
  "$(grep -o 'data-charts-drawn="[0-9]*"' "$dir/dom.html" | grep -o '[0-9]*' || echo none)"
check "<svg class=\"chart\"> elements" "$charts" "$(tags svg | grep -c 'class="chart"' || true)"
check "<path class=\"series\" d=\"M...\"> elements" "$series" \
  "$(tags path | grep 'class="series"' | grep -c ' d="M[0-9]' || true)"
check "legends" "$charts" "$(tags g | grep -c 'class="legend"' || true)"
at_least "y tick labels" $((charts * 2)) "$(tags text | grep -c 'class="tick tick-y"' || true)"
at_least "x tick labels" $((charts * 2)) "$(tags text | grep -c 'class="tick tick-x"' || true)"
at_least "eval markers" 1 "$(tags circle | grep -c 'class="point"' || true)"
check "<b> elements injected by a completion" 0 "$(tags b | wc -l)"
# The alarms banner: one alarm, its markup shown as text, linked to a chart that was drawn.
check "alarms" 1 "$(tags li | grep -c 'class="alarm"' || true)"
check "escaped alarm message" 1 "$(grep -c 'format carries &lt;i&gt;most&lt;/i&gt;' "$dir/dom.html" || true)"
check "<i> elements injected by an alarm" 0 "$(tags i | wc -l)"
check "the alarm's chart" 1 "$(tags figure | grep -c 'id="chart-advantage_share.format"' || true)"
check "the alarm's link" 1 "$(grep -c 'href="#chart-advantage_share.format"' "$dir/dom.html" || true)"
check "escaped completion shown as text" 1 \
  "$(grep -c 'x &lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;' "$dir/dom.html" || true)"

if [ "$failures" -gt 0 ]; then
  echo "report_browser: $failures check(s) failed; the DOM is in $dir/dom.html" >&2
  exit 1
fi
echo "report_browser: ok"

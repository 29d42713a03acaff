#!/usr/bin/env bash
# Grading throughput and compile latency, written up as the table in docs/performance.md.
#
#   bash bench/run.sh [ROWS] [LONG_ROWS]   (default 100000 and 20000 rows)
#
# Builds rft (scripts/build.sh), generates a fixed corpus of GSM8K-style completions
# (bench/gen_corpus.py, seeded) and one of long reasoning-style completions
# (bench/gen_long_corpus.py), then on one pinned core (taskset -c 1) measures, best of 3 passes
# over rows already in memory:
#   - three specs on the long completions (bench/specs/trl.reward, ifeval.reward,
#     json_fields.reward) with the interpreter, the JIT and a shared object, beside the same
#     logic as a Python function (bench/python_long.py), and the one-pass limit (a single UTF-8
#     validation pass over the same bytes). Before anything is timed, rft's total and Python's
#     must be equal on every row, or the script stops;
#   - the gsm8k reward (examples/gsm8k.reward) with the interpreter, the JIT and a shared object
#     from `rft compile`, and the same logic as a typical Python reward function
#     (bench/python_baseline.py);
#   - a cheap rule-based reward (bench/specs/rules.reward) with the three engines;
#   - JIT compile latency of a 50-line spec (bench/specs/compile50.reward), cold and from the
#     compile cache, and the time `rft compile` takes to make a shared object.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
long_rows=${2:-20000}
build_dir=${RFT_BUILD_DIR:-build}
out_dir=$build_dir/bench
mkdir -p "$out_dir"

# RFT_BENCH_NO_BUILD=1: measure what is built already (on a machine where building is scheduled).
if [[ -z ${RFT_BENCH_NO_BUILD:-} ]]; then bash scripts/build.sh >/dev/null; fi
corpus=$out_dir/gsm8k_$rows.jsonl
if [[ ! -s $corpus ]]; then
  python3 bench/gen_corpus.py --rows "$rows" --seed 1 --out "$corpus.partial"
  mv "$corpus.partial" "$corpus"
fi

long_corpus=$out_dir/long_$long_rows.jsonl
if [[ ! -s $long_corpus ]]; then
  python3 bench/gen_long_corpus.py --rows "$long_rows" --seed 1 --out "$long_corpus.partial"
  mv "$long_corpus.partial" "$long_corpus"
fi

pin=()
if command -v taskset >/dev/null; then pin=(taskset -c 1); fi
bench=$build_dir/bench/grade_bench
for spec in trl ifeval json_fields; do
  # The check first: the interpreter's totals (the engines agree row by row, grade_bench checks
  # that) against the Python function's, row by row.
  "$bench" bench/specs/$spec.reward $spec "$long_corpus" --repeat 1 --engine interp \
    --totals "$out_dir/$spec.rft-totals" >/dev/null
  python3 bench/python_long.py $spec "$long_corpus" --repeat 1 --totals "$out_dir/$spec.py-totals" >/dev/null
  python3 - "$out_dir/$spec.rft-totals" "$out_dir/$spec.py-totals" $spec <<'PY'
import sys
a = [float(x) for x in open(sys.argv[1])]
b = [float(x) for x in open(sys.argv[2])]
bad = [i + 1 for i, (x, y) in enumerate(zip(a, b)) if x != y]
if len(a) != len(b) or bad:
    sys.exit(f"{sys.argv[3]}: rft and Python disagree on rows {bad[:10]} ({len(bad)} in all)")
PY
  "${pin[@]}" python3 bench/python_long.py $spec "$long_corpus" --repeat 3 >"$out_dir/$spec.py.json"
  "${pin[@]}" "$bench" bench/specs/$spec.reward $spec "$long_corpus" --repeat 3 >"$out_dir/$spec.json"
done
"${pin[@]}" python3 bench/python_baseline.py "$corpus" --repeat 3 >"$out_dir/python.json"
"${pin[@]}" "$bench" examples/gsm8k.reward gsm8k "$corpus" --repeat 3 \
  --compile-spec bench/specs/compile50.reward >"$out_dir/gsm8k.json"
"${pin[@]}" "$bench" bench/specs/rules.reward rules "$corpus" --repeat 3 >"$out_dir/rules.json"

python3 - "$out_dir" "$rows" "$long_rows" <<'PY'
import json, os, platform, subprocess, sys
out_dir, rows, long_rows = sys.argv[1], sys.argv[2], sys.argv[3]
def lines(name):
    with open(os.path.join(out_dir, name)) as f:
        return [json.loads(l) for l in f if l.strip()]
py = lines("python.json")[0]
g = {r["engine"]: r for r in lines("gsm8k.json") if "engine" in r}
compile_ = [r for r in lines("gsm8k.json") if "compile" in r][0]
rules = {r["engine"]: r for r in lines("rules.json")}
cpu = "unknown CPU"
try:
    for l in open("/proc/cpuinfo"):
        if l.startswith("model name"):
            cpu = l.split(":", 1)[1].strip()
            break
except OSError:
    pass
load = os.getloadavg()[0]
print(f"Machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
      f"load {load:.1f}; one pinned core; corpora {long_rows} long rows and {rows} GSM8K rows.\n")
print("| spec (long completions) | Python rows/s | interp | JIT | AOT | JIT vs Python | "
      "JIT vs interp | one-pass limit | JIT / limit | slowest row, JIT |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for spec in ("trl", "ifeval", "json_fields"):
    p = lines(f"{spec}.py.json")[0]["rows_per_s"]
    e = {r["engine"]: r for r in lines(f"{spec}.json")}
    j, i, a, lim = (e[k]["rows_per_s"] for k in ("jit", "interp", "aot", "one_pass"))
    print(f"| {spec} | {p:,.0f} | {i:,.0f} | {j:,.0f} | {a:,.0f} | {j / p:.1f}× | {i and j / i:.2f}× "
          f"| {lim:,.0f} | {j / lim:.1%} | {e['jit']['slowest_ms']:.2f} ms |")
print()
print("| reward | engine | rows/s (one core) | vs Python | vs interpreter |")
print("|---|---|---:|---:|---:|")
print(f"| gsm8k | Python (`re`, `float`) | {py['rows_per_s']:,.0f} | 1.0× | |")
for e in ("interp", "jit", "aot"):
    r = g[e]["rows_per_s"]
    print(f"| gsm8k | {e} | {r:,.0f} | {r / py['rows_per_s']:.1f}× | {r / g['interp']['rows_per_s']:.2f}× |")
for e in ("interp", "jit", "aot"):
    r = rules[e]["rows_per_s"]
    print(f"| rules | {e} | {r:,.0f} | | {r / rules['interp']['rows_per_s']:.2f}× |")
print()
print("| compile (50-line spec) | ms |")
print("|---|---:|")
print(f"| JIT, cold (lower, passes, machine code, link) | {compile_['jit_cold_ms']:.1f} |")
print(f"| JIT, warm (object from the compile cache) | {compile_['jit_warm_ms']:.2f} |")
print(f"| `rft compile` to a shared object | {compile_['aot_so_ms']:.1f} |")
PY

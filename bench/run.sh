#!/usr/bin/env bash
# Grading throughput and compile latency, written up as the table in docs/performance.md.
#
#   bash bench/run.sh [ROWS]        (default 100000 rows)
#
# Builds rft (scripts/build.sh), generates a fixed corpus of GSM8K-style completions
# (bench/gen_corpus.py, seeded), then on one pinned core measures, best of 3 passes over rows
# already in memory:
#   - the gsm8k reward (examples/gsm8k.reward) with the interpreter, the JIT and a shared object
#     from `rft compile`, and the same logic as a typical Python reward function
#     (bench/python_baseline.py);
#   - a cheap rule-based reward (bench/specs/rules.reward) with the three engines;
#   - JIT compile latency of a 50-line spec (bench/specs/compile50.reward), cold and from the
#     compile cache, and the time `rft compile` takes to make a shared object.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
build_dir=${RFT_BUILD_DIR:-build}
out_dir=$build_dir/bench
mkdir -p "$out_dir"

bash scripts/build.sh >/dev/null
corpus=$out_dir/gsm8k_$rows.jsonl
if [[ ! -s $corpus ]]; then
  python3 bench/gen_corpus.py --rows "$rows" --seed 1 --out "$corpus.partial"
  mv "$corpus.partial" "$corpus"
fi

pin=()
if command -v taskset >/dev/null; then pin=(taskset -c 0); fi
bench=$build_dir/bench/grade_bench
"${pin[@]}" python3 bench/python_baseline.py "$corpus" --repeat 3 >"$out_dir/python.json"
"${pin[@]}" "$bench" examples/gsm8k.reward gsm8k "$corpus" --repeat 3 \
  --compile-spec bench/specs/compile50.reward >"$out_dir/gsm8k.json"
"${pin[@]}" "$bench" bench/specs/rules.reward rules "$corpus" --repeat 3 >"$out_dir/rules.json"

python3 - "$out_dir" "$rows" <<'PY'
import json, os, platform, subprocess, sys
out_dir, rows = sys.argv[1], sys.argv[2]
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
print(f"Machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
      f"one pinned core; corpus {rows} rows.\n")
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
print(f"| JIT, cold (lower, O2, machine code, link) | {compile_['jit_cold_ms']:.1f} |")
print(f"| JIT, warm (object from the compile cache) | {compile_['jit_warm_ms']:.2f} |")
print(f"| `rft compile` to a shared object | {compile_['aot_so_ms']:.1f} |")
PY

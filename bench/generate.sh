#!/usr/bin/env bash
# Generation throughput, rft (bench/generate_bench) against the same model in PyTorch eager
# (bench/python_generate.py), with the machine's roofline; prints a Markdown table.
#
#   bash bench/generate.sh
#
# For each size (tiny 0.8M, 30m 29.4M, 500m: Qwen2.5-0.5B's shape, 494M) a random f32 model is
# written once to a temporary directory (the 500m one is 2 GB; removed when done), then for each
# batch both sides greedily generate from the same prompts, every sequence to the full budget:
# one warm-up run, then the best of K of prefill only and of prefill + decode. Both use the same
# libtorch, the same thread count and OMP_WAIT_POLICY (PASSIVE unless set, as `rft` runs).
# Before the runs, a tiny model with larger weights (so greedy tokens vary) checks that the two
# produce the same tokens; every benchmark run is checked the same way (a warning if not).
#
# The roofline: peak f32 matmul GFLOP/s (a 2048x2048 torch.mm) and memory bandwidth (the best of
# a 256 MB sum, copy and matrix-vector product), with the same threads. A batch-1 decode step is
# bound by reading the weights (all parameters, f32; a tied embedding is read whole as the LM
# head): the table gives bytes per step / step time / bandwidth. A batch-32 step is bound by
# arithmetic: 2 x parameters x tokens/s / peak. Other batches: whichever bound is higher.
#
# Environment (defaults in brackets):
#   RFT_BENCH_SIZES ["tiny 30m 500m"]   RFT_BENCH_BATCHES ["1 8 32"]   RFT_BENCH_PROMPT_LEN [32]
#   RFT_BENCH_NEW_TOKENS [64]           RFT_BENCH_NEW_TOKENS_500M [16]
#   RFT_BENCH_REPEAT [3]                RFT_BENCH_REPEAT_500M [1]      RFT_BENCH_THREADS [nproc]
#   RFT_BUILD_DIR [build]               RFT_PYTHON [/usr/bin/python3, Debian's python3-torch]
# e.g. a quick run: RFT_BENCH_SIZES=tiny RFT_BENCH_BATCHES="1 8" bash bench/generate.sh
# Results (one JSON line per run) are kept in $RFT_BUILD_DIR/bench/generate/.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${RFT_BENCH_SIZES:-tiny 30m 500m}
batches=${RFT_BENCH_BATCHES:-1 8 32}
prompt_len=${RFT_BENCH_PROMPT_LEN:-32}
new_tokens=${RFT_BENCH_NEW_TOKENS:-64}
new_tokens_500m=${RFT_BENCH_NEW_TOKENS_500M:-16}
repeat=${RFT_BENCH_REPEAT:-3}
repeat_500m=${RFT_BENCH_REPEAT_500M:-1}
threads=${RFT_BENCH_THREADS:-$(nproc)}
python=${RFT_PYTHON:-/usr/bin/python3}
build_dir=${RFT_BUILD_DIR:-build}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

"$python" -c 'import torch' 2>/dev/null ||
  { echo "generate.sh: $python has no torch (install python3-torch, or set RFT_PYTHON)" >&2; exit 1; }
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${RFT_BUILD_TYPE:-RelWithDebInfo} >/dev/null
cmake --build "$build_dir" --target generate_bench >/dev/null
bench=$build_dir/bench/generate_bench
out_dir=$build_dir/bench/generate
mkdir -p "$out_dir"
: >"$out_dir/runs.jsonl"
models=$(mktemp -d)
trap 'rm -rf "$models"' EXIT

echo "checking that rft and Python generate the same greedy tokens (tiny)..." >&2
"$bench" --size tiny --init-std 0.5 --save "$models/check" --save-only >/dev/null
"$bench" --load "$models/check" --batch 4 --new-tokens 32 --repeat 1 --threads "$threads" \
  --json --tokens >"$out_dir/check_rft.json"
"$python" bench/python_generate.py "$models/check" --batch 4 --new-tokens 32 --repeat 1 \
  --threads "$threads" --compare "$out_dir/check_rft.json" >"$out_dir/check_python.json"
rm -rf "$models/check"

echo "measuring the roofline..." >&2
"$python" - "$threads" >"$out_dir/roofline.json" <<'PY'
import json, sys, time
import torch
torch.set_num_threads(int(sys.argv[1]))
def best(f, k=5):
    f()
    t = float("inf")
    for _ in range(k):
        s = time.perf_counter(); f(); t = min(t, time.perf_counter() - s)
    return t
n = 2048
a, b, c = torch.randn(n, n), torch.randn(n, n), torch.empty(n, n)
gflops = 2 * n**3 / best(lambda: torch.mm(a, b, out=c)) / 1e9
elems = 64 << 20  # 256 MB of f32, far beyond any cache
x, y = torch.ones(elems), torch.empty(elems)
w, v = torch.ones(8192, 8192), torch.ones(8192)
nbytes = elems * 4
read = nbytes / best(lambda: x.sum()) / 1e9
copy = 2 * nbytes / best(lambda: y.copy_(x)) / 1e9
gemv = nbytes / best(lambda: torch.mv(w, v)) / 1e9
print(json.dumps({"matmul_gflops": gflops, "sum_gbs": read, "copy_gbs": copy, "gemv_gbs": gemv,
                  "bandwidth_gbs": max(read, copy, gemv), "torch": torch.__version__}))
PY

for size in $sizes; do
  n=$new_tokens k=$repeat
  if [[ $size == 500m ]]; then n=$new_tokens_500m k=$repeat_500m; fi
  echo "$size: writing the model..." >&2
  "$bench" --size "$size" --save "$models/$size" --save-only >&2
  for batch in $batches; do
    echo "$size: batch $batch, $n new tokens: rft, then Python..." >&2
    args=(--batch "$batch" --prompt-len "$prompt_len" --new-tokens "$n" --threads "$threads" --repeat "$k")
    "$bench" --load "$models/$size" "${args[@]}" --json --tokens >"$out_dir/rft.json"
    "$python" bench/python_generate.py "$models/$size" "${args[@]}" \
      --compare "$out_dir/rft.json" >"$out_dir/python.json"
    "$python" - "$size" "$out_dir/rft.json" "$out_dir/python.json" >>"$out_dir/runs.jsonl" <<'PY'
import json, sys
size, ours, py = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
ours.pop("tokens", None)
print(json.dumps({"size": size, "rft": ours, "python": py}))
PY
  done
  rm -rf "${models:?}/$size"
done

"$python" - "$out_dir" "$threads" "$OMP_WAIT_POLICY" <<'PY'
import json, os, platform, sys
out_dir, threads, wait = sys.argv[1], sys.argv[2], sys.argv[3]
roof = json.load(open(os.path.join(out_dir, "roofline.json")))
check = json.load(open(os.path.join(out_dir, "check_python.json")))
runs = [json.loads(l) for l in open(os.path.join(out_dir, "runs.jsonl")) if l.strip()]
cpu = "unknown CPU"
try:
    for l in open("/proc/cpuinfo"):
        if l.startswith("model name"):
            cpu = l.split(":", 1)[1].strip()
            break
except OSError:
    pass
peak, bw = roof["matmul_gflops"] * 1e9, roof["bandwidth_gbs"] * 1e9

def roofline(r):
    """The decode step's achieved fraction of its roofline bound, and which bound."""
    if r["decode_tokens_per_s"] <= 0:
        return ""
    steps_per_s = r["decode_tokens_per_s"] / r["batch"]
    mem = r["weight_bytes"] * steps_per_s / bw
    flop = 2 * r["step_params"] * r["decode_tokens_per_s"] / peak
    use_mem = r["batch"] == 1 or (r["batch"] != 32 and mem >= flop)
    return "%.0f%% bw" % (100 * mem) if use_mem else "%.0f%% FLOP" % (100 * flop)

def params(p):
    return "%.1fM" % (p / 1e6) if p < 1e9 else "%.2fB" % (p / 1e9)

r0 = runs[0]["rft"] if runs else {"prompt_len": "?", "threads": threads}
print(f"Machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
      f"torch {roof['torch']}, {threads} threads, OMP_WAIT_POLICY={wait}; f32, greedy, "
      f"prompts of {r0['prompt_len']} tokens, no EOS.\n"
      f"Roofline: {roof['matmul_gflops']:.0f} GFLOP/s (f32 matmul); "
      f"{roof['bandwidth_gbs']:.1f} GB/s (sum {roof['sum_gbs']:.1f}, copy {roof['copy_gbs']:.1f}, "
      f"matrix-vector {roof['gemv_gbs']:.1f}).\n")
print("| size | params | batch | new tokens | prefill ms (rft / Python) | decode tok/s rft | "
      "decode tok/s Python | rft / Python | end-to-end tok/s rft | end-to-end tok/s Python | "
      "rft / Python | roofline (rft / Python) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for run in runs:
    o, p = run["rft"], run["python"]
    dr = o["decode_tokens_per_s"] / p["decode_tokens_per_s"] if p["decode_tokens_per_s"] else 0
    print(f"| {run['size']} | {params(o['params'])} | {o['batch']} | {o['new_tokens']} | "
          f"{o['prefill_s'] * 1e3:,.1f} / {p['prefill_s'] * 1e3:,.1f} | "
          f"{o['decode_tokens_per_s']:,.0f} | {p['decode_tokens_per_s']:,.0f} | {dr:.2f}× | "
          f"{o['total_tokens_per_s']:,.0f} | {p['total_tokens_per_s']:,.0f} | "
          f"{o['total_tokens_per_s'] / p['total_tokens_per_s']:.2f}× | "
          f"{roofline(o)} / {roofline(p)} |")
bad = [f"{r['size']} batch {r['rft']['batch']}" for r in runs if not r["python"].get("tokens_match")]
print()
print("Greedy tokens, rft vs Python: " +
      ("identical" if check.get("tokens_match") else "DIFFERENT") +
      " on the check model (tiny, weights N(0, 0.5), 4 x 32 tokens); " +
      ("identical in every run above." if not bad else "DIFFERENT in: " + ", ".join(bad) + "."))
PY

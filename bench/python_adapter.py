#!/usr/bin/python3
"""The TRL adapter (rft.trl.reward_func over examples/gsm8k.reward) against the same reward
written as a plain-Python TRL reward function (bench/python_baseline.py's gsm8k_reward), on the
same batch, in one process; the ratio goes to docs/performance.md.

Both are called exactly as TRL calls reward functions:
    func(prompts=prompts, completions=completions, completion_ids=ids, answer=answers)
and timed with time.perf_counter, best of --repeat calls. The rft adapter is timed on one thread
(the same work as Python's loop) and on every core. Needs the module on PYTHONPATH
(build/python) and Debian's python3.

Usage: PYTHONPATH=build/python /usr/bin/python3 bench/python_adapter.py [--rows N] [--repeat K]
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import python_baseline  # noqa: E402  (the plain-Python reward)

import rft  # noqa: E402
import rft.trl  # noqa: E402


def plain_reward_func(prompts, completions, answer, **kwargs):
    return [python_baseline.gsm8k_reward(c, a) for c, a in zip(completions, answer)]


def best_of(repeat, call):
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = call()
        best = min(best, time.perf_counter() - start)
    return best, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus.jsonl")
        subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), "--rows",
                        str(args.rows), "--seed", "1", "--out", corpus], check=True)
        with open(corpus, encoding="utf-8") as f:
            rows = [json.loads(line) for line in f]
    batch = dict(prompts=[r["prompt"] for r in rows], completions=[r["completion"] for r in rows],
                 completion_ids=[[0]] * len(rows), answer=[r["answer"] for r in rows])

    grader = rft.load(os.path.join(HERE, "..", "examples", "gsm8k.reward"), reward="gsm8k")
    one_thread = rft.trl.reward_func(grader, threads=1)
    all_cores = rft.trl.reward_func(grader, threads=0)
    t_python, want = best_of(args.repeat, lambda: plain_reward_func(**batch))
    t_one, got = best_of(args.repeat, lambda: one_thread(**batch))
    t_all, _ = best_of(args.repeat, lambda: all_cores(**batch))
    agree = sum(abs(a - b) <= 1e-9 for a, b in zip(want, got))

    n = len(rows)
    print(json.dumps({
        "rows": n, "cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
        "python_rows_per_s": round(n / t_python),
        "rft_trl_1_thread_rows_per_s": round(n / t_one),
        "rft_trl_all_cores_rows_per_s": round(n / t_all),
        "speedup_1_thread": round(t_python / t_one, 2),
        "speedup_all_cores": round(t_python / t_all, 2),
        "rows_with_equal_totals": agree,
    }, indent=2))


if __name__ == "__main__":
    main()

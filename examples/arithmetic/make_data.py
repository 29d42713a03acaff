#!/usr/bin/env python3
"""Writes the built-in demo's datasets: sums of two three-digit numbers ("637+261=" -> "898").

  sft.jsonl    prompt/completion pairs that make the base model (supervised)
  train.jsonl  prompts with their answer, for reinforcement fine-tuning
  eval.jsonl   held-out prompts with their answer (no pair appears in the other files)

Usage: make_data.py OUT_DIR [--seed N] [--sft N] [--train N] [--eval N]
"""
import argparse
import json
import os
import random


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sft", type=int, default=20000)
    ap.add_argument("--train", type=int, default=4000)
    ap.add_argument("--eval", type=int, default=500)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    seen = set()

    def fresh():
        while True:
            x, y = rng.randint(100, 999), rng.randint(100, 999)
            if (x, y) not in seen:
                seen.add((x, y))
                return x, y

    os.makedirs(a.out_dir, exist_ok=True)
    # Held-out pairs first, so that no later file can contain them.
    splits = [("eval.jsonl", a.eval, False), ("train.jsonl", a.train, False), ("sft.jsonl", a.sft, True)]
    for name, n, with_completion in splits:
        path = os.path.join(a.out_dir, name)
        with open(path + ".tmp", "w") as f:
            for _ in range(n):
                x, y = fresh()
                row = {"prompt": f"{x}+{y}=", "answer": str(x + y)}
                if with_completion:
                    row["completion"] = str(x + y)
                f.write(json.dumps(row) + "\n")
        os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Makes a small judge model for the customer-support example: a random model of rft's built-in
family (`rft init-model`), fine-tuned (`rft sft`) to answer every rating prompt with one score.

It is a stand-in for a real judge (an instruction-tuned model served by `rft serve`) that trains
in seconds on a CPU: it does not read the reply, it always answers SCORE. Its chat prompts are
the judge prompt of examples/support.reward, filled with random customer messages and replies.

Usage: make_judge.py --out DIR [--rft PATH] [--score 8] [--steps 30] [--seed 1] [--threads N]
The model is DIR/sft/final. Exits 1 if greedy generation does not answer SCORE afterwards.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The prompt of the judge `polite` in examples/support.reward, as rft renders it.
TEMPLATE = ("Rate how polite and helpful this customer-support reply is, from 1 (rude) to 10 "
            "(excellent).\nCustomer: {prompt}\nReply: {completion}\nAnswer with the number only.")
WORDS = ("my order parcel refund broken late arrived damaged where is it the a your we sorry "
         "replacement today friday ships tomorrow please thanks help reset button manual").split()


def filler(rng, length):
    """Random words, cut or padded to exactly `length` characters."""
    text = ""
    while len(text) < length:
        text += rng.choice(WORDS) + " "
    return text[:length].rstrip().ljust(length, ".")


def write_data(path, rows, score, seed):
    # Every prompt has the same length, so that no batch needs padding: rft sft gets a NaN
    # gradient from left-padded prompts of different lengths.
    rng = random.Random(seed)
    with open(path, "w") as f:
        for _ in range(rows):
            prompt = TEMPLATE.format(prompt=filler(rng, 32), completion=filler(rng, 80))
            f.write(json.dumps({"messages": [{"role": "user", "content": prompt}],
                                "completion": score}) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--rft", default=str(ROOT / "build" / "tools" / "rft" / "rft"))
    ap.add_argument("--score", default="8", help="the answer the judge learns (default 8)")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for d in ("init", "sft"):
        shutil.rmtree(out / d, ignore_errors=True)
    subprocess.run([args.rft, "init-model", str(out / "init"), "--seed", str(args.seed)],
                   check=True, stdout=subprocess.DEVNULL)
    write_data(out / "sft.jsonl", 8 * args.steps, args.score, args.seed)
    (out / "sft.yaml").write_text(f"""\
# A judge that always answers {args.score}: SFT of a random model on rating prompts.
model: init
data:
  train: sft.jsonl
output_dir: sft
hyperparameters:
  max_steps: {args.steps}
  batch_size: 8
  learning_rate: 0.003
  lr_schedule: constant
  keep_last: 1
  seed: {args.seed}
  threads: {args.threads}
""")
    subprocess.run([args.rft, "sft", str(out / "sft.yaml"), "--no-eval"], check=True,
                   stderr=subprocess.DEVNULL)
    model = out / "sft" / "final"
    # Greedy, as judges ask (temperature 0), on a prompt of another length than the training's.
    probe = TEMPLATE.format(prompt="Where is my parcel?", completion="It ships tomorrow.")
    answer = subprocess.run(
        [args.rft, "generate", "--model", str(model), "--chat", "--prompt", probe,
         "--temperature", "0", "--max-new-tokens", "8", "--threads", str(args.threads)],
        check=True, capture_output=True, text=True).stdout
    if answer.strip() != args.score:
        print(f"make_judge.py: the judge answers {answer!r}, not {args.score!r}; "
              "try more --steps", file=sys.stderr)
        return 1
    print(f"judge model: {model} (answers {args.score})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

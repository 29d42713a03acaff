#!/usr/bin/env python3
"""Python baselines for the long-completion specs (bench/specs/trl.reward, ifeval.reward,
json_fields.reward): the same logic as each spec, written as a plain Python reward function
(CPython, `re`, float(), json.loads).

Loads every row of a JSONL corpus (bench/gen_long_corpus.py) into memory (not timed), times only
the grading loop of one reward on one thread with time.perf_counter, keeps the best of --repeat
runs and prints one JSON line {"engine": "python", "reward": R, "rows": N, "seconds": S,
"rows_per_s": X}. With --totals PATH it also writes each row's total, one repr() per line, which
bench/run.sh compares with rft's before anything is timed.

Usage: python3 bench/python_long.py REWARD CORPUS.jsonl [--repeat K] [--totals PATH]
"""
import argparse
import json
import re
import time

# rft's regexes are RE2, where \d, \s, \b and [A-Z] are ASCII: hence re.ASCII.
A = re.ASCII

# ---- trl ----
ANSWER = re.compile(r"(?s)<answer>(.*?)</answer>", A)
BOXED = re.compile(r"\\boxed\{([^{}]*)\}", A)
SEPARATORS = re.compile(r"[, ]", A)
NUMBER = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*$", A)
THINK = re.compile(r"<think>", A)
THINK_END = re.compile(r"</think>", A)
FORMAT = re.compile(r"(?s)\s*<think>.*?</think>\s*<answer>.*?</answer>.*", A)


def trl(row):
    c = row["completion"]
    answers = ANSWER.findall(c)
    boxed = BOXED.findall(c)
    picked = answers[-1] if answers else boxed[-1] if boxed else ""
    digits = SEPARATORS.sub("", picked)
    m = NUMBER.search(digits)
    value = float(m.group(1)) if m else None
    fmt = 1.0 if FORMAT.fullmatch(c) else 0.0
    accuracy = 1.0 if value is not None and value == float(row["answer"]) else 0.0
    tags = 1.0 if len(THINK.findall(c)) == 1 and len(THINK_END.findall(c)) == 1 \
        and len(answers) == 1 else 0.0
    length = min(max(1 - len(c) / 20000, 0), 1)
    return accuracy + 0.5 * fmt + 0.25 * tags + 0.1 * length


# ---- ifeval ----
BULLETS = re.compile(r"(?m)^[ \t]*[-*] ", A)
HEADERS = re.compile(r"(?m)^#{1,6} ", A)
HIGHLIGHTS = re.compile(r"\*[^\n*]+\*", A)
PLACEHOLDERS = re.compile(r"\[[A-Za-z ]+\]", A)
FENCES = re.compile(r"```", A)
SENTENCES = re.compile(r"[.!?]\s", A)
LATEX = re.compile(r"\\(?:frac|sqrt|boxed|times|sum)\b", A)
KEYWORDS = re.compile(r"(?i)\b(?:total|answer|check)\b", A)
CAPITALS = re.compile(r"\b[A-Z]{2,}\b", A)
STEPS = re.compile(r"(?m)^## Step \d+", A)
POSTSCRIPT = re.compile(r"(?m)^P\.S\. ", A)
EMOJI = re.compile("[\U0001F300-\U0001FAFF]")


def count(pattern, s):
    return sum(1 for _ in pattern.finditer(s))


def at_least(n, k):
    return 1.0 if n >= k else n / k


def ifeval(row):
    c = row["completion"]
    total = at_least(count(BULLETS, c), 3)
    total += at_least(count(HEADERS, c), 1)
    total += at_least(count(HIGHLIGHTS, c), 2)
    total += 1.0 if count(PLACEHOLDERS, c) >= 1 else 0.0
    total += 1.0 if POSTSCRIPT.search(c) else 0.0
    total += 1.0 if count(FENCES, c) % 2 == 0 else 0.0
    total += at_least(count(SENTENCES, c), 5)
    total += at_least(count(LATEX, c), 2)
    total += 0.0 if EMOJI.search(c) else 1.0
    total += at_least(count(KEYWORDS, c), 3)
    total += 1.0 if count(CAPITALS, c) <= 5 else 0.0
    total += at_least(count(STEPS, c), 2)
    total += at_least(c.count("\n\n"), 2)
    total += 1.0 if len(c.split()) <= 800 else 0.0
    total += 1.0 if row["answer"] in c else 0.0
    return total


# ---- json_fields ----
JSON_BLOCK = re.compile(r"(?s)```json\s*(\{.*?\})\s*```", A)


def number(x):
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else None


def json_fields(row):
    c = row["completion"]
    m = JSON_BLOCK.search(c)
    doc = None
    if m:
        try:
            doc = json.loads(m.group(1))
        except ValueError:
            doc = None
    fields = doc if isinstance(doc, dict) else {}
    answer = number(fields.get("answer"))
    confidence = number(fields.get("confidence"))
    steps = fields.get("steps")
    n_steps = len(steps) if isinstance(steps, (list, dict, str)) else 0
    parsed = 1.0 if doc is not None else 0.0
    correct = 1.0 if answer is not None and answer == float(row["answer"]) else 0.0
    calibrated = 1.0 if confidence is not None and 0 <= confidence <= 1 else 0.0
    shown = 1.0 if n_steps >= 1 else 0.0
    unit = 1.0 if isinstance(fields.get("unit"), str) else 0.0
    return correct + 0.2 * parsed + 0.1 * calibrated + 0.1 * shown + 0.05 * unit


REWARDS = {"trl": trl, "ifeval": ifeval, "json_fields": json_fields}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reward", choices=sorted(REWARDS))
    ap.add_argument("corpus")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--totals")
    args = ap.parse_args()
    with open(args.corpus, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    fn = REWARDS[args.reward]
    best, totals = float("inf"), []
    for _ in range(max(1, args.repeat)):
        t = time.perf_counter()
        totals = [fn(r) for r in rows]
        best = min(best, time.perf_counter() - t)
    if args.totals:
        with open(args.totals, "w") as out:
            out.writelines(repr(float(x)) + "\n" for x in totals)
    print(json.dumps({"engine": "python", "reward": args.reward, "rows": len(rows),
                      "seconds": round(best, 6), "rows_per_s": round(len(rows) / best, 1)}))


if __name__ == "__main__":
    main()

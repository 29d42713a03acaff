#!/usr/bin/env python3
"""Python baseline for the `gsm8k` reward: the logic of examples/gsm8k.reward (with std.math and
std.format) written as a typical Python reward function (TRL / OpenRLHF style): CPython, `re`,
float().

It loads every row of a JSONL corpus into memory (not timed), then times only the grading loop
with time.perf_counter on one thread, keeps the best of --repeat runs, and prints one JSON line:
{"engine": "python", "rows": N, "seconds": S, "rows_per_s": R}.  With --out it also writes one
line per row, {"line": i, "total": t} (1-based), to compare with `rft grade` output.

Usage: python3 bench/python_baseline.py CORPUS.jsonl [--out RESULTS.jsonl] [--repeat K]
"""
import argparse
import json
import math
import re
import time

# The patterns of std.math, verbatim.  rft uses RE2, where \d and \s are ASCII: hence re.ASCII.
BOXED = re.compile(r"\\boxed\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}", re.ASCII)
TAGGED = re.compile(r"(?s)<answer>(.*?)</answer>", re.ASCII)
GSM8K = re.compile(r"####\s*([^\n]*[^\s])", re.ASCII)
ANSWER_IS = re.compile(r"(?i)answer\s+is\s*:?\s*\$?((?:[^\s.,;]|[.,]\d)+)", re.ASCII)
TEXT = re.compile(r"\\text\{([^{}]*)\}", re.ASCII)
THOUSANDS = re.compile(r"(\d),(\d\d\d)", re.ASCII)
NOISE = re.compile(r"[\s$%]|\\\$|\\%|\\!|\\,", re.ASCII)
TRAILING_ZEROS = re.compile(r"^(-?\d+)\.0+$", re.ASCII)
# A number in prose, as rft's numbers() reads it: "-" is a sign unless it follows a letter or a
# digit, commas group thousands only as 1,234,567, a "." right after a digit starts nothing, and
# a trailing "." is not part of the number.
NUMBER = re.compile(r"(?:(?<![A-Za-z0-9])-)?(?:(?:\d{1,3}(?:,\d{3}(?!\d))+|\d+)(?:\.\d+)?"
                    r"|(?<!\d)\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
# The white space that rft's trim() removes (Unicode White_Space).
WHITE_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007" \
              "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def to_float(s):
    """num(s): s read as a number, or None."""
    try:
        return float(s)
    except ValueError:
        return None


def js_str(x):
    """str(x): the shortest round-trip decimal, laid out as JavaScript's Number.toString."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    mantissa, _, exp = repr(abs(x)).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits, n = (whole + frac).lstrip("0"), len(whole) + int(exp or 0)
    n -= len(whole + frac) - len((whole + frac).lstrip("0"))  # leading zeros of 0.00123
    digits = digits.rstrip("0")
    k, sign = len(digits), "-" if x < 0 else ""
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    e = f"e{'+' if n > 0 else '-'}{abs(n - 1)}"
    return sign + digits[0] + ("." + digits[1:] if k > 1 else "") + e


def boxed(s):
    """The content of the last \\boxed{...} (braces nested up to two levels), or None."""
    found = BOXED.findall(s)
    return found[-1] if found else None


def gsm8k_answer(s):
    """The text after "#### " up to the end of its line, or None."""
    m = GSM8K.search(s)
    return m.group(1) if m else None


def answer_is(s):
    """What follows "the answer is", up to the end of the sentence, or None."""
    m = ANSWER_IS.search(s)
    return m.group(1) if m else None


def tagged_answer(s):
    """The trimmed content of the last <answer>...</answer>, or None."""
    found = TAGGED.findall(s)
    return found[-1].strip(WHITE_SPACE) if found else None


def last_number(s):
    """The last number written in s, or None."""
    found = NUMBER.findall(s)
    return float(found[-1].replace(",", "")) if found else None


def final_answer(s):
    """The answer in the first form present: boxed, tagged, ####, "answer is", last number."""
    for extract in (boxed, tagged_answer, gsm8k_answer, answer_is):
        a = extract(s)
        if a is not None:
            return a
    x = last_number(s)
    return None if x is None else js_str(x)


def normalize(s):
    """s without thousands separators, currency, percent, \\text{}, spaces or a trailing .0."""
    t = TEXT.sub(r"\1", s.strip(WHITE_SPACE))
    u = THOUSANDS.sub(r"\1\2", t)
    v = NOISE.sub("", u)
    return TRAILING_ZEROS.sub(r"\1", v)


def equivalent(pred, truth, rel_tol=1e-6):
    """Numerically close when both read as numbers, else equal ignoring case."""
    a, b = normalize(pred), normalize(truth)
    x, y = to_float(a), to_float(b)
    if x is not None and y is not None:
        return math.isclose(x, y, rel_tol=rel_tol, abs_tol=1e-9)
    return a.lower() == b.lower()


def length_score(s, limit):
    """1 up to `limit` code points, falling linearly to 0 at twice the limit."""
    return 1 - max(0.0, min((len(s) - limit) / limit, 1.0))


def gsm8k_reward(completion, answer):
    """The total of reward gsm8k: correct + 0.2 * marked + 0.05 * brevity."""
    pred = final_answer(completion)
    correct = 0.0 if pred is None else float(equivalent(pred, answer))  # none scores 0
    marked = float(boxed(completion) is not None or gsm8k_answer(completion) is not None)
    brevity = length_score(completion, 1200)
    return correct + 0.2 * marked + 0.05 * brevity


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("--out", help="write {line, total} per row here")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs; the best counts")
    args = ap.parse_args()
    with open(args.corpus, encoding="utf-8") as f:
        rows = [(r["completion"], r["answer"]) for r in map(json.loads, f)]

    best, totals = math.inf, None
    for _ in range(max(1, args.repeat)):
        start = time.perf_counter()
        totals = [gsm8k_reward(c, a) for c, a in rows]
        best = min(best, time.perf_counter() - start)

    print(json.dumps({"engine": "python", "rows": len(rows), "seconds": round(best, 6),
                      "rows_per_s": round(len(rows) / best, 1) if best > 0 else None},
                     separators=(",", ":")))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            for i, t in enumerate(totals, 1):
                f.write(json.dumps({"line": i, "total": t}, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()

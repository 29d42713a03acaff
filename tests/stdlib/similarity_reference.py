#!/usr/bin/env python3
"""Checks rft's similarity builtins against independent implementations.

Usage: similarity_reference.py --rft PATH/TO/rft [--pairs N] [--seed S] [--engine jit|aot|interp]

Generates N random (candidate, reference) pairs, Unicode included, grades them with `rft grade` on
a small spec that calls every similarity builtin, and compares each value with:

  levenshtein, fuzzy_ratio   python-Levenshtein's Levenshtein.distance / Levenshtein.ratio
  bleu                       NLTK's sentence_bleu, uniform weights 1/max_n, smoothing method1
                             (smooth = true) or none (method0)
  rouge_n, rouge_l, token_f1 the straightforward definitions below (ROUGE has no Debian package;
                             token F1 follows the SQuAD v2 evaluation script)
  repetition                 the definition below

Tokens are computed here from the definition in docs/stdlib.md (std.text): lower-case, ASCII
punctuation as a separator (deleted for token F1), split at Unicode white space. The random text
uses only letters whose lower case rft's `lower` covers (ASCII, Latin-1, Greek, Cyrillic) or that
have none (CJK, emoji), so Python's lower() is a valid reference for it.

Distances must agree exactly and every other value within 1e-9. Prints the agreement per metric;
exits 1 on any mismatch. Needs Debian's python3 (python3-nltk, python3-levenshtein).
"""

import argparse
import collections
import json
import math
import os
import random
import re
import string
import subprocess
import sys
import tempfile
import warnings

import Levenshtein
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

CAP = 5000  # code points (edit distance) and tokens (ROUGE-L) that rft looks at
TOLERANCE = 1e-9

# The Unicode White_Space property, as rft's words() and the tokenizer use it. (Python's
# str.split() also splits at U+001C..U+001F, which are not white space.)
WHITE_SPACE = "\t\n\v\f\r \u0085\u00a0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200B)) + \
    "\u2028\u2029\u202f\u205f\u3000"
WHITE_SPACE_RE = re.compile("[" + re.escape(WHITE_SPACE) + "]+")
PUNCTUATION = set(string.punctuation)

SPEC = """
item { reference: str, max_n: num, smooth: bool, n: num }

reward similarity {
  component lev = levenshtein(completion, item.reference)
  component ratio = fuzzy_ratio(completion, item.reference)
  component bleu_score = bleu(completion, item.reference, item.max_n, item.smooth)
  component bleu4 = bleu(completion, item.reference)
  component rouge1 = rouge_n(completion, item.reference)
  component rouge2 = rouge_n(completion, item.reference, 2)
  component rougen = rouge_n(completion, item.reference, item.n)
  component rougel = rouge_l(completion, item.reference)
  component f1 = token_f1(completion, item.reference)
  component rep = repetition(completion, item.n)
  total = lev + ratio + bleu_score + bleu4 + rouge1 + rouge2 + rougen + rougel + f1 + rep
}
"""


# ---- references -------------------------------------------------------------------------------

def tokens(s, delete_punctuation=False):
    # Per character, so that Python's context-dependent final sigma does not apply.
    lowered = "".join(c.lower() for c in s)
    if delete_punctuation:
        lowered = "".join(c for c in lowered if c not in PUNCTUATION)
    else:
        lowered = "".join(" " if c in PUNCTUATION else c for c in lowered)
    return [t for t in WHITE_SPACE_RE.split(lowered) if t]


def ngrams(ts, n):
    return [tuple(ts[i:i + n]) for i in range(len(ts) - n + 1)]


def rouge_n(candidate, reference, n):
    c = collections.Counter(ngrams(tokens(candidate), n))
    r = collections.Counter(ngrams(tokens(reference), n))
    overlap = sum((c & r).values())
    if overlap == 0:
        return 0.0
    precision = overlap / sum(c.values())
    recall = overlap / sum(r.values())
    return 2 * precision * recall / (precision + recall)


def lcs(a, b):
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(candidate, reference):
    c, r = tokens(candidate)[:CAP], tokens(reference)[:CAP]
    m = lcs(c, r)
    if m == 0:
        return 0.0
    precision, recall = m / len(c), m / len(r)
    return 2 * precision * recall / (precision + recall)


def squad_tokens(s):
    return [t for t in tokens(s, delete_punctuation=True) if t not in ("a", "an", "the")]


def token_f1(candidate, reference):
    # compute_f1 of the SQuAD v2.0 evaluation script.
    pred, gold = squad_tokens(candidate), squad_tokens(reference)
    if not pred or not gold:
        return float(pred == gold)
    common = collections.Counter(pred) & collections.Counter(gold)
    num_same = sum(common.values())
    if num_same == 0:
        return 0.0
    precision = num_same / len(pred)
    recall = num_same / len(gold)
    return 2 * precision * recall / (precision + recall)


def bleu(candidate, reference, max_n, smooth):
    n = max(1, min(10, int(max_n)))
    smoothing = SmoothingFunction().method1 if smooth else SmoothingFunction().method0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(sentence_bleu([tokens(reference)], tokens(candidate),
                                   weights=(1.0 / n,) * n, smoothing_function=smoothing))


def repetition(s, n):
    grams = ngrams(tokens(s), max(1, min(10, int(n))))
    seen, repeats = set(), 0
    for g in grams:
        repeats += g in seen
        seen.add(g)
    return repeats / len(grams) if grams else 0.0


def reference_values(row):
    a, b = row["completion"], row["reference"]
    return {
        "lev": Levenshtein.distance(a[:CAP], b[:CAP]),
        "ratio": Levenshtein.ratio(a[:CAP], b[:CAP]),
        "bleu_score": bleu(a, b, row["max_n"], row["smooth"]),
        "bleu4": bleu(a, b, 4, True),
        "rouge1": rouge_n(a, b, 1),
        "rouge2": rouge_n(a, b, 2),
        "rougen": rouge_n(a, b, int(row["n"])),
        "rougel": rouge_l(a, b),
        "f1": token_f1(a, b),
        "rep": repetition(a, row["n"]),
    }


# ---- random text ------------------------------------------------------------------------------

WORDS = (
    "the a an cat dog sat on mat Paris is capital of France answer 42 3.14 don't U.S.A. "
    "café naïve ÉCOLE Straße Ærø Ça où θάλασσα ΑΘΗΝΑ Λόγος москва Привет ЁЖИК мир "
    "日本語 東京 中文 😀 👍🏽 e\u0301 THE An A"
).split()
PUNCT_PIECES = [",", ".", "!", "?", ";", ":", "'", "\"", "(", ")", "-", "...", "«", "»", "—", "。"]
SEPARATORS = [" ", " ", " ", " ", "  ", "\t", "\n", "\u00a0", "\u3000", "\u2009"]
CHARS = "abcxyzABC 01éÉßσΣжЖ日😀,.!-\u00a0"


def sentence(rng, length):
    out = []
    for _ in range(length):
        piece = rng.choice(WORDS)
        if rng.random() < 0.15:
            piece += rng.choice(PUNCT_PIECES)
        out.append(piece)
        out.append(rng.choice(SEPARATORS))
    return "".join(out).strip(" ")


def mutate(rng, text):
    words = text.split(" ")
    for _ in range(rng.randint(0, 4)):
        op = rng.randrange(4)
        if op == 0 and words:
            del words[rng.randrange(len(words))]
        elif op == 1:
            words.insert(rng.randint(0, len(words)), rng.choice(WORDS))
        elif op == 2 and len(words) > 1:
            i, j = rng.randrange(len(words)), rng.randrange(len(words))
            words[i], words[j] = words[j], words[i]
        elif op == 3 and words:
            i = rng.randrange(len(words))
            words[i] = words[i].upper() if rng.random() < 0.5 else words[i] + rng.choice(PUNCT_PIECES)
    return " ".join(words)


def random_pair(rng):
    kind = rng.randrange(5)
    if kind == 0:  # unrelated character soup
        return ("".join(rng.choice(CHARS) for _ in range(rng.randint(0, 30))),
                "".join(rng.choice(CHARS) for _ in range(rng.randint(0, 30))))
    if kind == 1:  # unrelated sentences
        return sentence(rng, rng.randint(0, 20)), sentence(rng, rng.randint(0, 20))
    reference = sentence(rng, rng.randint(1, 30))
    candidate = mutate(rng, reference)
    if kind == 4:  # degenerate repetition
        candidate = " ".join([candidate] * rng.randint(2, 4))
    return candidate, reference


FIXED_PAIRS = [
    ("", ""),
    ("", "something"),
    ("something", ""),
    ("the cat sat on the mat", "the cat sat on the mat"),
    ("The cat sat on the mat.", "the cat is on the mat"),
    ("kitten", "sitting"),
    ("a", "a"),
    ("!!!", "..."),
    ("the a an", "an a the"),
    ("日本語のテキスト", "日本語テキスト"),
    ("😀👍🏽", "👍🏽😀"),
    ("ΣΊΣΥΦΟΣ", "σίσυφος"),
    # Longer than the cap: edit distance and ROUGE-L look at the first 5000 code points / tokens.
    ("ab" * 3000, "ba" * 2600),
    ("word " * 6000, "word word other"),
]


# ---- driver -----------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rft", required=True)
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--engine", default="jit")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    pairs = FIXED_PAIRS + [random_pair(rng) for _ in range(args.pairs)]
    rows = []
    for candidate, reference in pairs:
        rows.append({"completion": candidate, "reference": reference,
                     "max_n": rng.choice([1, 2, 3, 4, 4, 5, 2.7]), "smooth": rng.random() < 0.6,
                     "n": rng.choice([1, 2, 3, 4])})

    with tempfile.TemporaryDirectory() as tmp:
        spec = os.path.join(tmp, "similarity.reward")
        data = os.path.join(tmp, "pairs.jsonl")
        out = os.path.join(tmp, "results.jsonl")
        with open(spec, "w", encoding="utf-8") as f:
            f.write(SPEC)
        with open(data, "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        env = dict(os.environ, RFT_CACHE_DIR=os.path.join(tmp, "cache"))
        proc = subprocess.run([args.rft, "grade", spec, "--reward", "similarity", "--data", data,
                               "--out", out, "--engine", args.engine],
                              capture_output=True, text=True, env=env, timeout=600)
        if proc.returncode != 0:
            print(proc.stdout + proc.stderr)
            print("FAIL: rft grade exited", proc.returncode)
            return 1
        with open(out, encoding="utf-8") as f:
            results = [json.loads(line) for line in f if line.strip()]

    if len(results) != len(rows):
        print(f"FAIL: {len(rows)} rows but {len(results)} results")
        return 1
    agree = collections.Counter()
    worst = collections.defaultdict(float)
    failures = []
    for row, result in zip(rows, results):
        if "error" in result:
            failures.append(f"line {result['line']}: {result['error']}")
            continue
        got = result["components"]
        capped = "similarity_capped" in result["flags"]
        should_cap = max(len(row["completion"]), len(row["reference"])) > CAP or \
            max(len(tokens(row["completion"])), len(tokens(row["reference"]))) > CAP
        if capped != should_cap:
            failures.append(f"line {result['line']}: flag similarity_capped is {capped}")
        for name, want in reference_values(row).items():
            diff = abs(got[name] - want)
            exact = name == "lev"
            if (diff == 0) if exact else diff <= TOLERANCE:
                agree[name] += 1
                worst[name] = max(worst[name], diff)
            else:
                failures.append(f"line {result['line']}: {name} = {got[name]!r}, reference "
                                f"{want!r} (candidate {row['completion'][:60]!r}, reference "
                                f"{row['reference'][:60]!r}, max_n {row['max_n']}, "
                                f"smooth {row['smooth']}, n {row['n']})")

    print(f"{len(rows)} pairs graded by rft ({args.engine}), compared with the references:")
    for name in reference_values(rows[0]):
        how = "exact" if name == "lev" else f"within {TOLERANCE:g}, largest difference {worst[name]:.3g}"
        print(f"  {name:<11} {agree[name]}/{len(rows)} agree ({how})")
    for line in failures[:20]:
        print("MISMATCH", line)
    if failures:
        print(f"FAIL: {len(failures)} mismatches")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())

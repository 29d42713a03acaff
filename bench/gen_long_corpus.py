#!/usr/bin/env python3
"""Write a deterministic JSONL corpus of long reasoning-style completions (bench/run.sh).

Each row is {"prompt", "completion", "answer", "keywords"}: a math word problem and a completion
in the style of a reasoning model: a <think> block of 200 B to 64 KB (mean above 2 KB, a heavy
tail) with numbered and bulleted steps, LaTeX (\\frac, \\boxed{}, $...$), fenced code blocks,
numbers with thousands separators, non-ASCII prose and emoji, markdown headers and *highlights*,
then an <answer> block, sometimes a ```json block with the answer as a field and a P.S. About 1%
of the rows are adversarial: a 64 KB line of one character, a line of 100,000 characters, digit
floods, unbalanced braces and tags, 10^4 to 10^5 matches of one short pattern. Python 3 stdlib
only.

Usage: python3 bench/gen_long_corpus.py [--rows N] [--seed S] [--out PATH]
"""
import argparse
import json
import random
import sys

NAMES = ["Natalia", "Weng", "Betty", "James", "Zoë", "José", "Mei", "Ahmed", "Søren", "Chloé"]
ITEMS = ["apples", "stickers", "books", "marbles", "tickets", "widgets", "crates"]
PROSE = [
    "Let me re-read the problem to make sure I understand what is being asked.",
    "First, I need to figure out which quantities are given and which one is unknown.",
    "Hmm, wait. Let me verify that again, since it is easy to slip here.",
    "Alternatively, I could set up an equation and solve for the unknown directly.",
    "A quick sanity check: the result should be positive and not absurdly large.",
    "We should be careful not to count anything twice here.",
    "So the total is consistent with the partial sums we found earlier.",
    "Actually, that is not quite right; let me redo this step more carefully.",
    "Voilà, c'est réglé — the café sold them all ☕.",
    "所以我们先算出总数，然后再相除。",
    "Größe und Maße passen. ✅ Let's go 🚀",
    "The answer seems plausible, but I will double-check the arithmetic.",
]
LATEX = [
    r"$\frac{{{a}}}{{{b}}} = {c}$",
    r"\[ {a} \times {b} = {c} \]",
    r"$x^2 + {a}x - {b} = 0$, so $x = \frac{{-{a} \pm \sqrt{{{a}^2 + 4 \cdot {b}}}}}{{2}}$",
    r"\begin{{align}} y &= {a} + {b} \\ &= {c} \end{{align}}",
    r"$\sum_{{i=1}}^{{{a}}} i = \frac{{{a}({a}+1)}}{{2}}$",
]
CODE = [
    "```python\ndef total(xs):\n    return sum(x * 2 for x in xs)\n\nprint(total([{a}, {b}]))\n```",
    "```\n{a} + {b} = {c}\n```",
    "```python\nimport math\nresult = math.floor({a} / {b})\nprint(result)  # {c}\n```",
]


def thousands(rng, x):
    """x written as a model might: 1234567, 1,234,567 or 1 234 567."""
    r = rng.random()
    if r < 0.5 or abs(x) < 1000:
        return str(x)
    if r < 0.85:
        return f"{x:,}"
    return f"{x:,}".replace(",", " ")


def step(rng, i):
    a, b = rng.randint(2, 9999), rng.randint(2, 999)
    c = a * b
    kind = rng.randrange(9)
    if kind == 0:
        return f"{i}. Multiply {thousands(rng, a)} by {b}: that gives {thousands(rng, c)}."
    if kind == 1:
        return f"- Subtotal: {thousands(rng, a + b)} ({a} + {b})."
    if kind == 2:
        return rng.choice(LATEX).format(a=a, b=b, c=c)
    if kind == 3:
        return rng.choice(CODE).format(a=a, b=b, c=c)
    if kind == 4:
        return f"## Step {i}\nWe now have {thousands(rng, c)} {rng.choice(ITEMS)} in *{b}* boxes."
    if kind == 5:
        return f"* Check: {a} - {b} = {a - b}, and {a - b} + {b} = {a}."
    if kind == 6:
        return f"{rng.choice(PROSE)} That leaves {a % 97} of the [{rng.choice(ITEMS)}] unused."
    return rng.choice(PROSE)


def think_size(rng):
    """Bytes of reasoning: log-normal, clipped to 200 B - 64 KB (median ~1.5 KB, mean above 2 KB)."""
    return int(min(60000, max(220, rng.lognormvariate(7.4, 0.9))))


def normal_row(rng):
    name = rng.choice(NAMES)
    answer = rng.randint(-50, 250000) if rng.random() < 0.9 else round(rng.uniform(0, 1000), 2)
    prompt = (f"{name} has some {rng.choice(ITEMS)}. Work out how many remain; think step by "
              "step, then give the final answer.")
    target, parts, i, size = think_size(rng), [], 1, 0
    while size < target:
        s = step(rng, i)
        parts.append(s)
        size += len(s.encode()) + 1
        i += 1
    right = rng.random() < 0.6
    given = answer if right else answer + rng.choice([1, -1, 10, 7])
    shown = thousands(rng, given) if isinstance(given, int) else str(given)
    form = rng.random()
    think = "\n".join(parts)
    if form < 0.1:
        think += f"\n\nSo the answer is \\boxed{{{shown}}}."
    tail = []
    if rng.random() < 0.3:
        tail.append("```json\n" + json.dumps({"answer": given, "confidence": round(rng.random(), 3),
                                               "steps": [rng.randint(1, 99) for _ in range(rng.randint(0, 6))],
                                               "unit": rng.choice(ITEMS)}) + "\n```")
    if rng.random() < 0.2:
        tail.append("P.S. " + rng.choice(PROSE))
    if form < 0.75:
        completion = f"<think>\n{think}\n</think>\n<answer>{shown}</answer>"
    elif form < 0.85:
        completion = f"<think>\n{think}\n</think>\nThe answer is {shown}."
    elif form < 0.92:
        completion = f"{think}\n<answer>\n{shown}\n</answer>"
    else:
        completion = f"<think>\n{think}\n<answer>{shown}</answer> and <answer>{answer}</answer>"
    if tail:
        completion += "\n" + "\n".join(tail)
    if rng.random() < 0.5:
        completion += "\n"
    kw = rng.sample(["total", "answer", "check", "boxes", "step", "café"], 2)
    return {"prompt": prompt, "completion": completion, "answer": str(answer), "keywords": kw}


def adversarial_row(rng, k):
    kind = k % 7
    if kind == 0:
        c = "a" * 65536  # one 64 KB line of one character
    elif kind == 1:
        c = "<think>" + "x " * 50000 + "</think><answer>1</answer>"  # a 100,000-character line
    elif kind == 2:
        c = "<think>" + "9" * 30000 + "</think><answer>" + "1" * 20000 + "</answer>"
    elif kind == 3:
        c = "<think>" + "{" * 20000 + "\\boxed{" * 3000 + "</think>"
    elif kind == 4:
        c = "<answer>" * 8000 + "</answer>" * 10  # unbalanced tags
    elif kind == 5:
        c = "1 " * 32000  # 32,000 numbers, 10^5 single-character matches of \S|\s
    else:
        c = "- *a*\n" * 10000  # 10^4 bullets and highlights
    return {"prompt": "adversarial", "completion": c, "answer": "1", "keywords": ["a", "1"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="-")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    k = 0
    for _ in range(args.rows):
        if rng.random() < 0.01:
            row = adversarial_row(rng, k)
            k += 1
        else:
            row = normal_row(rng)
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()

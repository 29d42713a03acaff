#!/usr/bin/env python3
"""Write a deterministic JSONL benchmark corpus for the `gsm8k` reward (examples/gsm8k.reward).

Each row is {"prompt": ..., "completion": ..., "answer": ...}: a GSM8K-style word problem, a
model-like completion of 200-2000 UTF-8 bytes (arithmetic reasoning, thousands separators, units,
dollar signs, decimals, negative numbers; the final answer as \\boxed{}, "#### ", "The answer is",
<answer> tags or just a last number; about half of them right) and the reference answer string.
A few rows hold non-ASCII text, and about 1% are adversarial: no digits at all, very long digit
runs, unbalanced or too deeply nested braces.  Python 3 stdlib only.

Usage: python3 bench/gen_corpus.py [--rows N] [--seed S] [--out PATH]
"""
import argparse
import json
import random
import sys

NAMES = ["Natalia", "Weng", "Betty", "James", "Mark", "Albert", "Julie", "Ken", "Tina", "Randy",
         "Joy", "Carla", "Maddie", "Jasmine", "Alexis", "Tobias", "Zoë", "José", "Mei", "Ahmed"]
ITEMS = ["clips", "cupcakes", "apples", "stickers", "books", "pencils", "eggs", "marbles", "cards"]
CITIES = ["Oslo", "Denver", "Montréal", "Harbin", "Chicago", "Helsinki"]
FILLER = [
    "Let me re-read the problem to make sure I understand what is being asked.",
    "First, I need to figure out which quantities are given and which one is unknown.",
    "I will break this into smaller steps and keep track of the units.",
    "Let's double-check the arithmetic before moving on.",
    "Check: 24 * 2 = 48, which is consistent with what we found earlier.",
    "Note that there are 60 minutes in an hour and 7 days in a week.",
    "It helps to write the intermediate results down clearly.",
    "We should be careful not to count anything twice here.",
    "A quick sanity check: the result should be positive and not absurdly large.",
    "Step 3 uses the result of step 2, so the order matters.",
    "Rounding is not needed here because the numbers divide evenly.",
    "Hmm, wait. Let me verify that again, since 12.5% of 80 is 10.",
    "If we had 1,000 of them instead, the method would be exactly the same.",
    "Putting it all together, we can now compute the final value.",
]
NO_DIGITS = ["I am not sure how to approach this problem.", "Let me think about it differently.",
             "The problem does not give enough information, it seems.",
             "Perhaps the question expects an estimate rather than an exact value.",
             "Without more details I cannot compute a precise result."]
NON_ASCII = ["Voilà, c'est réglé.", "所以我们先算出总数，然后再相除。", "Let's go 🚀", "Très bien 👍",
             "Naïve check: the café sold them all ☕.", "答案如下。", "Größe und Maße passen. ✅"]


def canon(x):
    """The reference form of a number: 72, 1250, 3.5, -7."""
    return str(int(x)) if float(x).is_integer() else repr(round(float(x), 6))


def problem(rng, name, n):
    """A random word problem: (prompt, reasoning steps, answer, unit). n() formats numbers."""
    kind, item = rng.randrange(7), rng.choice(ITEMS)
    if kind == 0:
        a = 2 * rng.randint(5, 2500)
        return (f"{name} sold {item} to {a} of her friends in April, and then she sold half as "
                f"many {item} in May. How many {item} did {name} sell altogether?",
                [f"In May {name} sold {n(a)} / 2 = {n(a // 2)} {item}.",
                 f"Altogether {name} sold {n(a)} + {n(a // 2)} = {n(a + a // 2)} {item}."],
                a + a // 2, item)
    if kind == 1:
        r, m = rng.randint(8, 60), rng.choice([15, 20, 30, 40, 45, 50, 75, 90, 105, 150])
        while r * m % 3:
            r += 1
        return (f"{name} earns ${r} an hour for babysitting. Yesterday, {name} did {m} minutes of "
                f"babysitting. How much did {name} earn?",
                [f"{name} earns ${r} / 60 = ${r / 60:.2f} per minute.",
                 f"{m} minutes is {m}/60 of an hour, so {name} earned {r} * {m} / 60 = "
                 f"${canon(r * m / 60)}."], r * m / 60, "dollars")
    if kind == 2:
        k, p, d = rng.randint(12, 400), rng.randint(5, 99), rng.choice([0, 10, 25, 50, 100])
        return (f"A store sells {item} for ${p} each. {name} buys {k} of them and uses a ${d} "
                f"coupon. How much does {name} pay in dollars?",
                [f"The {item} cost {k} * ${p} = ${n(k * p)} before the coupon.",
                 f"After the coupon, {name} pays ${n(k * p)} - ${d} = ${n(k * p - d)}."],
                k * p - d, "dollars")
    if kind == 3:
        v, h = rng.randint(30, 120), rng.choice([1.5, 2, 2.5, 3, 4, 6, 8])
        return (f"A train travels at {v} km/h for {h} hours. How many kilometers does it travel?",
                [f"Distance is speed times time: {v} km/h × {h} h = {n(v * h)} km."], v * h, "km")
    if kind == 4:
        t, d = rng.randint(-15, 12), rng.randint(3, 25)
        return (f"At 6 pm the temperature in {rng.choice(CITIES)} was {t}°C. By midnight it had "
                f"dropped by {d} degrees. What was the temperature at midnight, in °C?",
                [f"The temperature fell from {t}°C by {d} degrees.",
                 f"{t} - {d} = {t - d}, so it was {t - d}°C at midnight."], t - d, "°C")
    if kind == 5:
        s, k = rng.randint(6, 60), rng.choice([2, 4, 5, 8])
        return (f"{name} bakes {s} muffins and shares them equally among {k} friends. How many "
                f"muffins does each friend get?",
                [f"Each friend gets {s} / {k} = {canon(s / k)} muffins."], s / k, "muffins")
    p, w = rng.randint(100, 5000), rng.randint(10, 200)
    h = rng.randint(0, p // 2)
    weeks = -(-(p - h) // w)
    return (f"{name} wants a bike that costs ${n(p)}. {name} has ${h} saved and saves ${w} a "
            f"week. How many weeks until {name} can buy it?",
            [f"{name} still needs ${n(p)} - ${h} = ${n(p - h)}.",
             f"{n(p - h)} / {w} = {(p - h) / w:.2f}, so it takes {weeks} weeks."], weeks, "weeks")


def render(rng, y):
    """How a completion writes the number y: 1250, 1,250, 1250.00, 3.5 ..."""
    r = rng.random()
    if r < 0.3 and float(y).is_integer() and abs(y) >= 1000:
        return f"{int(y):,}"
    if r < 0.4:
        return f"{float(y):.2f}"
    return canon(y)


def ending(rng, v, name, unit):
    """The closing of a completion that gives the answer v in one of the usual forms."""
    style = rng.choices(range(7), [30, 6, 22, 18, 16, 5, 3])[0]
    if style == 0:
        box = rng.choice([v, v, v, "\\$" + v, "\\text{" + v + "}", v + "\\text{ " + unit + "}"])
        return rng.choice(["The answer is \\boxed{%s}.", "\\boxed{%s}", "$\\boxed{%s}$"]) % box
    if style == 1:
        return f"Final Answer: The final answer is ${v}$. I hope it is correct."
    if style == 2:
        return f"\n#### {v}"
    if style == 3:
        return rng.choice(["The answer is {}.", "Therefore, the answer is: ${}.",
                           "So the answer is {} {}."]).format(v, unit)
    if style == 4:
        return f"So {name} ends up with {v} {unit}."
    if style == 5:
        return f"<answer>{v}</answer>"
    return f"\\boxed{{{v}}} and, to be safe, #### {v}"


def adversarial(rng, v):
    """A hostile completion body and ending: no digits, long digit runs, broken braces."""
    kind = rng.randrange(5)
    if kind == 0:
        return [rng.choice(NO_DIGITS)], rng.choice(["The answer is \\boxed{seventy-two}.",
                                                    "I cannot determine the answer.", ""])
    if kind == 1:
        run = "".join(rng.choice("0123456789") for _ in range(rng.randint(200, 1500)))
        return ["Computing carefully: " + run], rng.choice([f"\\boxed{{{run[:300]}}}", f"#### {v}"])
    if kind == 2:
        return ["Let me write it as a fraction."], rng.choice(
            [f"\\boxed{{{v}", "\\boxed{\\frac{1}{2}", f"}}}}{{{{ {v} \\boxed{{", "\\boxed{" * 40])
    if kind == 3:
        return ["Nested form:"], f"\\boxed{{\\frac{{\\sqrt{{\\frac{{{v}}}{{1}}}}}}{{1}}}}"
    return ["Hmm."], "\\boxed{} " + "{" * rng.randint(50, 400) + v


def row(rng):
    """One corpus row as a dict."""
    sep = rng.random() < 0.4
    n = lambda x: f"{int(x):,}" if sep and float(x).is_integer() else canon(x)  # noqa: E731
    name = rng.choice(NAMES)
    prompt, steps, ans, unit = problem(rng, name, n)
    correct = rng.random() < 0.55
    y = ans
    if not correct:
        y = rng.choice([ans + 1, ans - 1, ans + 10, ans * 2, ans - rng.randint(2, 50), ans * 1.5])
        y = y if y != ans else ans + 3
    v = render(rng, y)
    if rng.random() < 0.01:
        parts, end = adversarial(rng, v)
        pool = NO_DIGITS
    else:
        parts, end = [rng.choice(["Let's solve this step by step.", "We proceed carefully.",
                                  f"Let's think about what {name} does."])] + steps, \
            ending(rng, v, name, unit)
        pool = FILLER
    if rng.random() < 0.03:
        parts.insert(rng.randint(0, len(parts)), rng.choice(NON_ASCII))
    join = lambda: " ".join(parts + [end]).replace(" \n", "\n").rstrip(" ")  # noqa: E731
    target = int(rng.triangular(200, 2000, 450))
    while len(join().encode("utf-8")) < target:
        parts.insert(rng.randint(1, len(parts)), rng.choice(pool))
    while len(join().encode("utf-8")) > 2000 and len(parts) > 1:
        parts.pop(rng.randint(1, len(parts) - 1))
    return {"prompt": prompt, "completion": join(), "answer": canon(ans)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="-", help="output path (default: stdout)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    with out:
        for _ in range(args.rows):
            out.write(json.dumps(row(rng), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""std.math against Math-Verify's own test suite.

Usage: math_verify_agreement.py --rft PATH/TO/rft [--cases FILE] [--min 0.98] [--all]

Runs every case of tests/stdlib/math_verify/math_verify_cases.jsonl (ported from
huggingface/Math-Verify's tests, see the README there) through std.math's documented recipe,
graded by `rft grade`:

    math.equivalent(math.final_answer(completion) ?? "", item.answer)

with the case's prediction as the completion and its gold as item.answer. Prints the agreement
with Math-Verify's expected verdicts overall, per source file and per setting, the false accepts
and false rejects, and each disagreement (marking the ones docs/stdlib.md lists as deliberate).
math_verify/differences.jsonl lists the default-setting cases where rft is known to differ:
"deliberate" where Math-Verify is wrong (rft is right and may be stricter), "limitation" where
rft cannot read the case. Exits 1 when the agreement on the cases that use Math-Verify's default
settings is below --min, or when a default-setting case disagrees that the list does not name
(a regression), or when a listed case no longer disagrees (the list is stale).
"""

import argparse
import collections
import json
import os
import sys
import tempfile

from rft_grade import STDLIB, grade_totals

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = """import std.math
item { answer: str }
reward recipe {
  component correct = math.equivalent(math.final_answer(completion) ?? "", item.answer)
  total = correct
}
"""


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def grade(rft, stdlib, cases, workdir):
    rows = [{"completion": c["pred"], "answer": c["gold"]} for c in cases]
    return [1 if t == 1 else 0 for t in grade_totals(rft, SPEC, "recipe", rows, workdir, stdlib)]


def rate(rows):
    return sum(1 for c, got in rows if got == c["expected"]) / len(rows) if rows else 1.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rft", required=True)
    ap.add_argument("--cases", default=os.path.join(HERE, "math_verify",
                                                    "math_verify_cases.jsonl"))
    ap.add_argument("--min", type=float, default=0.98)
    ap.add_argument("--stdlib", default=STDLIB,
                    help="the standard library to grade with (default: this checkout's)")
    ap.add_argument("--differences", default=os.path.join(HERE, "math_verify",
                                                          "differences.jsonl"))
    args = ap.parse_args()
    cases = load(args.cases)
    known = {(d["gold"], d["pred"]): d for d in load(args.differences)}
    with tempfile.TemporaryDirectory() as workdir:
        got = grade(args.rft, args.stdlib, cases, workdir)
    rows = list(zip(cases, got))
    default = [r for r in rows if not r[0]["settings"]]

    def line(name, rs):
        fa = sum(1 for c, g in rs if g == 1 and c["expected"] == 0)
        fr = sum(1 for c, g in rs if g == 0 and c["expected"] == 1)
        print("%-34s %4d cases  %6.1f%% agree  %3d false accepts  %3d false rejects"
              % (name, len(rs), 100 * rate(rs), fa, fr))

    line("all cases", rows)
    line("default settings", default)
    by_source = collections.defaultdict(list)
    by_setting = collections.defaultdict(list)
    for c, g in rows:
        by_source[c["source"]].append((c, g))
        by_setting[json.dumps(c["settings"], sort_keys=True)].append((c, g))
    for name in sorted(by_source):
        line("  " + name, by_source[name])
    for name in sorted(by_setting):
        line("  settings " + name, by_setting[name])
    deliberate = [r for r in default if (r[0]["gold"], r[0]["pred"]) in known
                  and known[(r[0]["gold"], r[0]["pred"])]["kind"] == "deliberate"]
    others = [r for r in default if r not in deliberate]
    line("default, less deliberate differences", others)
    failed = False
    for c, g in rows:
        if g != c["expected"]:
            d = known.get((c["gold"], c["pred"])) if not c["settings"] else None
            print("disagreement [%s %s%s%s]%s: Math-Verify %d, rft %d: gold %r, pred %r"
                  % (c["source"], c["test"], " " if c["settings"] else "",
                     json.dumps(c["settings"]) if c["settings"] else "",
                     " (%s: %s)" % (d["kind"], d["reason"]) if d else "", c["expected"], g,
                     c["gold"], c["pred"]))
            if not c["settings"] and not d:
                print("FAIL: a default-setting case disagrees that %s does not list"
                      % os.path.basename(args.differences))
                failed = True
    for c, g in default:
        if g == c["expected"] and (c["gold"], c["pred"]) in known:
            print("FAIL: listed as a difference but agrees: gold %r, pred %r"
                  % (c["gold"], c["pred"]))
            failed = True
    r = rate(default)
    if r < args.min:
        print("FAIL: %.1f%% agreement on default-setting cases, below %.1f%%"
              % (100 * r, 100 * args.min))
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

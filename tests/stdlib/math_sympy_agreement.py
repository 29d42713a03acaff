#!/usr/bin/env python3
"""Cross-checks std.math's equivalence against sympy on a generated corpus of answer pairs.

Usage: math_sympy_agreement.py --rft PATH/TO/rft [--grader-lib PATH/TO/librft_grader.so]
                               [--seed N] [--per-kind N] [--keep DIR]

The generator draws values of eleven kinds (integers, fractions, decimals, surds, multiples of
pi, scientific notation, polynomials, tuples, sets, intervals, unions of intervals), plus
identities (cancellation, trigonometry, logarithms) and a few forms whose reading is a convention
(degrees, mixed numbers, the imaginary unit), and renders each in several surface forms: LaTeX, plain text, decimals, fractions, with units, currency,
percent signs and thousands separators. Every surface form comes with a string that sympy can
sympify (sympy's LaTeX parser needs an ANTLR runtime that Debian does not ship), or with a sympy
object built directly. Pairs are two forms of one value (expected equal) or a form of a value and
of a near miss (a changed digit, a swapped tuple, a flipped bracket, a rounded decimal).

sympy decides each pair: expressions with free variables by expand(a - b) == 0, constants
numerically as Python's math.isclose(rel_tol=1e-6, abs_tol=1e-9) does at 30 digits (exactly
when both are rational), Tuple item by item, FiniteSet as sets, Interval by its ends and
openness, Union as a set of intervals. rft decides each pair by grading a small spec with
`rft grade`, whose component is math.equivalent(a, b) with the same tolerances.

Prints the agreement rate and every class of disagreement with an example; exits 1 when the
agreement is below 99%. With --grader-lib it also times math_equal on every pair through the C
ABI and prints the median and the slowest, failing only if one takes over a second (unbounded
work, not a busy machine).
"""

import argparse
import ctypes
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time

import sympy

REL_TOL = 1e-6
ABS_TOL = 1e-9
SPEC = """import std.math
item { a: str, b: str }
reward same {
  component equal = math.equivalent(item.a, item.b)
  total = equal
}
"""

# ------------------------------------------------------------------------------------------------
# Surface forms. Each generator returns (value, [(rft_text, sympy_text), ...]) where every form
# stands for the same value, and a near-miss function gives a different value's forms.


def with_commas(n):
    return "{:,}".format(n)


def int_forms(n):
    s = str(n)
    forms = [(s, s), (s + ".0", s), ("+" + s if n >= 0 else s, s), (s + " cm", s)]
    if abs(n) >= 1000:
        forms.append((with_commas(n), s))
    if n >= 0:
        forms += [("\\$" + with_commas(n), s), ("\\$" + s + ".00", s), (s + "\\%", s),
                  ("\\text{" + s + " dollars}", s), ("$" + s + "$", s)]
    if n != 0 and n % 10 == 0:
        m = n / 1000
        forms.append(("%se3" % repr(m), "%s*10**3" % repr(m)))
        forms.append(("%s\\times10^{3}" % repr(m), "%s*10**3" % repr(m)))
    return forms


def frac_forms(p, q):
    sym = "Rational(%d, %d)" % (p, q)
    sign = "-" if p < 0 else ""
    a = abs(p)
    dec = "%.10g" % (p / q)
    return [
        ("%s\\frac{%d}{%d}" % (sign, a, q), sym),
        ("%s\\dfrac{%d}{%d}" % (sign, a, q), sym),
        ("%d/%d" % (p, q), sym),
        ("\\frac{%d}{%d}" % (p, q), sym),
        (dec, dec),
    ]


def surd_forms(k, m):
    sym = "%d*sqrt(%d)" % (k, m)
    return [
        ("%d\\sqrt{%d}" % (k, m), sym),
        ("\\sqrt{%d}" % (k * k * m), "sqrt(%d)" % (k * k * m)),
        ("%d*sqrt(%d)" % (k, m), sym),
        ("%.12g" % (k * math.sqrt(m)), "%.12g" % (k * math.sqrt(m))),
    ]


def pi_forms(a, b):
    sym = "%d*pi/%d" % (a, b)
    value = a * math.pi / b
    forms = [
        ("\\frac{%d\\pi}{%d}" % (a, b), sym),
        ("%d\\pi/%d" % (a, b), sym),
        (repr(value), repr(value)),
    ]
    if a == 1:
        forms.append(("\\frac{\\pi}{%d}" % b, "pi/%d" % b))
    return forms


def poly_forms(r, s):
    # (x + r)(x + s) = x^2 + (r + s) x + r s
    def lin(c):
        return "x" if c == 0 else ("x+%d" % c if c > 0 else "x-%d" % -c)

    b, c = r + s, r * s
    expanded = "x^2"
    if b:
        expanded += ("+%dx" % b) if b > 0 else ("-%dx" % -b)
    if c:
        expanded += ("+%d" % c) if c > 0 else ("-%d" % -c)
    sym_f = "(x+(%d))*(x+(%d))" % (r, s)
    sym_e = "x**2+(%d)*x+(%d)" % (b, c)
    forms = [("(%s)(%s)" % (lin(r), lin(s)), sym_f), (expanded, sym_e),
             ("\\left(%s\\right)\\left(%s\\right)" % (lin(r), lin(s)), sym_f)]
    if r == s:
        forms.append(("(%s)^2" % lin(r), "(x+(%d))**2" % r))
    return forms


def scalar_item(rng):
    """A scalar for tuples, sets and intervals: (rft forms, sympy texts) pairs of one value."""
    if rng.random() < 0.6:
        n = rng.randint(-20, 20)
        return [(str(n), str(n))]
    q = rng.choice([2, 4, 5, 8])
    p = rng.choice([x for x in range(-9, 10) if x % q != 0])
    return [("\\frac{%d}{%d}" % (p, q), "Rational(%d, %d)" % (p, q)),
            (repr(p / q), repr(p / q))]


def tuple_forms(items):
    rft = ["(" + ", ".join(f[0][0] for f in items) + ")",
           "\\left(" + ",".join(f[-1][0] for f in items) + "\\right)",
           "(" + ",".join(f[-1][0] for f in items) + ")"]
    syms = ["Tuple(" + ", ".join(f[0][1] for f in items) + ")",
            "Tuple(" + ", ".join(f[-1][1] for f in items) + ")",
            "Tuple(" + ", ".join(f[-1][1] for f in items) + ")"]
    return list(zip(rft, syms))


def set_forms(items, rng):
    out = []
    for wrap in [("\\{", "\\}"), ("\\left\\{", "\\right\\}")]:
        order = items[:]
        rng.shuffle(order)
        which = rng.randint(0, 1)
        rft = wrap[0] + ", ".join(f[min(which, len(f) - 1)][0] for f in order) + wrap[1]
        sym = "FiniteSet(" + ", ".join(f[min(which, len(f) - 1)][1] for f in order) + ")"
        out.append((rft, sym))
    return out


def endpoint(x):
    """rft and sympy forms of an interval end: a number or ±infinity."""
    if x == "-oo":
        return [("-\\infty", "-oo")]
    if x == "oo":
        return [("\\infty", "oo"), ("+\\infty", "oo")]
    return x


def interval_forms(lo, hi, left_open, right_open):
    lb, rb = "([" [0 if left_open else 1], ")]"[0 if right_open else 1]
    out = []
    for k in range(2):
        a, b = lo[min(k, len(lo) - 1)], hi[min(k, len(hi) - 1)]
        sym = "Interval(%s, %s, %s, %s)" % (a[1], b[1], left_open, right_open)
        out.append(("%s%s, %s%s" % (lb, a[0], b[0], rb), sym))
        out.append(("\\left%s%s,%s\\right%s" % (lb, a[0], b[0], rb), sym))
    return out


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def pairs_of(self, kind, forms, near_forms):
        """Equal pairs among `forms`, unequal pairs between `forms` and `near_forms`."""
        r = self.rng
        out = []
        for _ in range(2):
            a, b = r.sample(forms, 2) if len(forms) > 1 else (forms[0], forms[0])
            out.append((kind, a, b))
        out.append((kind, r.choice(forms), r.choice(near_forms)))
        return out

    def integer(self):
        r = self.rng
        n = r.choice([r.randint(-50, 50), r.randint(1000, 999999), r.randint(0, 100) * 10])
        near = n + r.choice([1, -1, 10, 1000])
        return self.pairs_of("integer", int_forms(n), int_forms(near))

    def fraction(self):
        r = self.rng
        q = r.choice([3, 6, 7, 9, 11, 12, 13])
        p = r.choice([x for x in range(-40, 41) if x % q != 0])
        g = math.gcd(p, q)
        p, q = p // g, q // g
        forms = frac_forms(p, q)
        # Near misses: another numerator, or a decimal too short for the tolerance.
        short = "%.4g" % (p / q)
        near = frac_forms(p + 1, q) + [(short, short)]
        return self.pairs_of("fraction", forms, near)

    def decimal(self):
        r = self.rng
        q = r.choice([2, 4, 5, 8, 16, 20, 25])
        p = r.randint(-200, 200)
        if p % q == 0:
            p += 1
        forms = frac_forms(p, q) + [(repr(p / q), repr(p / q))]
        near = [(repr(p / q + 0.01), repr(p / q + 0.01))] + frac_forms(p, q + 1)
        return self.pairs_of("decimal", forms, near)

    def surd(self):
        r = self.rng
        k, m = r.randint(2, 9), r.choice([2, 3, 5, 6, 7, 10, 11])
        return self.pairs_of("surd", surd_forms(k, m), surd_forms(k + 1, m) + surd_forms(k, m + 1))

    def pi_multiple(self):
        r = self.rng
        a, b = r.randint(1, 7), r.choice([2, 3, 4, 6, 8])
        if math.gcd(a, b) != 1:
            a = 1
        near = pi_forms(a + 1, b) + [("%.3f" % (a * math.pi / b), "%.3f" % (a * math.pi / b))]
        return self.pairs_of("pi", pi_forms(a, b), near)

    def scientific(self):
        r = self.rng
        mant, exp = r.randint(11, 99) / 10, r.randint(-6, 6)
        sym = "%s*10**(%d)" % (repr(mant), exp)
        value = "%se%d" % (repr(mant), exp)
        forms = [(value, sym), ("%s\\times10^{%d}" % (repr(mant), exp), sym),
                 ("%s \\cdot 10^{%d}" % (repr(mant), exp), sym), (repr(mant * 10 ** exp), sym)]
        mant2 = mant + 0.1
        near = [("%se%d" % (repr(mant2), exp), "%s*10**(%d)" % (repr(mant2), exp)),
                ("%se%d" % (repr(mant), exp + 1), "%s*10**(%d)" % (repr(mant), exp + 1))]
        return self.pairs_of("scientific", forms, near)

    def polynomial(self):
        r = self.rng
        a, b = r.randint(-6, 6), r.randint(-6, 6)
        if r.random() < 0.3:
            b = a
        near = poly_forms(a, b + 1) + poly_forms(-a, b) if a != 0 else poly_forms(a, b + 1)
        return self.pairs_of("polynomial", poly_forms(a, b), near)

    def tuple_(self):
        r = self.rng
        items = [scalar_item(r) for _ in range(r.randint(2, 4))]
        swapped = items[::-1] if items[0][0][1] != items[-1][0][1] else items[:-1]
        changed = items[:-1] + [[(str(99), "99")]]
        near = tuple_forms(swapped) + tuple_forms(changed)
        return self.pairs_of("tuple", tuple_forms(items), near)

    def set_(self):
        r = self.rng
        values = r.sample(range(-20, 21), r.randint(2, 5))
        items = [[(str(v), str(v))] for v in values]
        if r.random() < 0.5:
            items[0] = [("\\frac{%d}{2}" % (2 * values[0]), str(values[0])), (str(values[0]), str(values[0]))]
        near_items = items[:-1] + [[("%d" % (max(values) + 1), "%d" % (max(values) + 1))]]
        near = set_forms(near_items, r) + set_forms(items[:-1], r)
        return self.pairs_of("set", set_forms(items, r), near)

    def interval(self):
        r = self.rng
        lo_n = r.randint(-10, 5)
        hi_n = lo_n + r.randint(1, 10)
        lo = endpoint("-oo") if r.random() < 0.2 else [(str(lo_n), str(lo_n))]
        hi = endpoint("oo") if r.random() < 0.2 else [(str(hi_n), str(hi_n))]
        if r.random() < 0.3 and lo[0][1] != "-oo":
            lo = [("\\frac{%d}{2}" % (2 * lo_n + 1), "Rational(%d, 2)" % (2 * lo_n + 1)),
                  (repr(lo_n + 0.5), repr(lo_n + 0.5))]
        lopen = lo[0][1] == "-oo" or r.random() < 0.5
        ropen = hi[0][1] == "oo" or r.random() < 0.5
        forms = interval_forms(lo, hi, lopen, ropen)
        if lo[0][1] != "-oo":
            near = interval_forms(lo, hi, not lopen, ropen)
        else:
            near = interval_forms(lo, [(str(hi_n + 1), str(hi_n + 1))], lopen, ropen)
        return self.pairs_of("interval", forms, near)

    def union(self):
        r = self.rng
        a = r.randint(-10, 0)
        b, c, d = a + r.randint(1, 3), a + 5, a + 5 + r.randint(1, 3)
        first = interval_forms([(str(a), str(a))], [(str(b), str(b))], False, True)[0]
        second = interval_forms([(str(c), str(c))], [(str(d), str(d))], True, False)[0]
        third = interval_forms([(str(c), str(c))], [(str(d), str(d))], False, False)[0]
        join = lambda x, y: (x[0] + " \\cup " + y[0], "Union(%s, %s)" % (x[1], y[1]))
        forms = [join(first, second), join(second, first)]
        near = [join(first, third), join(third, first)]
        return self.pairs_of("union", forms, near)

    def identity(self):
        """Identities that need more than arithmetic: cancellation, trig, logs."""
        r = self.rng
        a = r.randint(1, 9)
        cases = [
            ("\\frac{x^2-%d}{x-%d}" % (a * a, a), "(x**2-%d)/(x-%d)" % (a * a, a),
             "x+%d" % a, "x+%d" % a),
            ("\\sin^2 x+\\cos^2 x", "sin(x)**2+cos(x)**2", "1", "1"),
            ("\\ln(e^{%d})" % a, "log(exp(%d))" % a, str(a), str(a)),
            ("\\log_{2} %d" % 2 ** a, "log(%d, 2)" % 2 ** a, str(a), str(a)),
            ("e^{\\ln %d}" % a, "exp(log(%d))" % a, str(a), str(a)),
        ]
        rft_a, sym_a, rft_b, sym_b = r.choice(cases)
        near = (rft_b + "+1", sym_b + "+1")
        return [("identity", (rft_a, sym_a), (rft_b, sym_b)),
                ("identity", (rft_a, sym_a), near)]

    def convention(self):
        """Forms whose reading is a convention that rft and sympy's plain syntax do not share:
        degrees (rft drops the sign: 90^\\circ is 90), mixed numbers (rft multiplies: 2\\frac{1}{2}
        is 1), the imaginary unit (rft reads i as a variable)."""
        r = self.rng
        a = r.randint(1, 5)
        cases = [
            ("degrees", "\\sin %d^\\circ" % (30 * a), "sin(%d*pi/180)" % (30 * a),
             "sin(%d*pi/180)" % (30 * a)),
            ("mixed_number", "%d\\frac{1}{2}" % a, "%d+Rational(1, 2)" % a,
             "Rational(%d, 2)" % (2 * a + 1)),
            ("imaginary_unit", "i^2", "I**2", "-1"),
        ]
        label, rft_a, sym_a, sym_b = r.choice(cases)
        rft_b = str(sympy.nsimplify(to_sympy(sym_b)))
        return [("convention:" + label, (rft_a, sym_a), (rft_b.replace("**", "^"), sym_b))]

    def corpus(self, per_kind):
        makers = [self.integer, self.fraction, self.decimal, self.surd, self.pi_multiple,
                  self.scientific, self.polynomial, self.tuple_, self.set_, self.interval,
                  self.union]
        pairs = []
        for make in makers:
            made = []
            while len(made) < per_kind:
                made.extend(make())
            pairs.extend(made)
        for _ in range(per_kind // 4):
            pairs.extend(self.identity())
        for _ in range(per_kind // 20):
            pairs.extend(self.convention())
        return pairs


# ------------------------------------------------------------------------------------------------
# sympy's verdict.

X = sympy.Symbol("x")
NAMES = {"x": X, "Rational": sympy.Rational, "Tuple": sympy.Tuple, "FiniteSet": sympy.FiniteSet,
         "Interval": sympy.Interval, "Union": sympy.Union, "oo": sympy.oo, "pi": sympy.pi,
         "sqrt": sympy.sqrt, "sin": sympy.sin, "cos": sympy.cos, "log": sympy.log,
         "exp": sympy.exp, "I": sympy.I}


def to_sympy(text):
    return sympy.sympify(text, locals=NAMES)


def scalars_equal(a, b):
    if a.free_symbols or b.free_symbols:
        return sympy.expand(a - b) == 0 or sympy.simplify(a - b) == 0
    if a.is_Rational and b.is_Rational:
        if a == b:
            return True
    if a.is_infinite or b.is_infinite:
        return a == b
    x, y = float(sympy.N(a, 30)), float(sympy.N(b, 30))
    return math.isclose(x, y, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def sympy_equal(a, b):
    if isinstance(a, sympy.Tuple) or isinstance(b, sympy.Tuple):
        return (isinstance(a, sympy.Tuple) and isinstance(b, sympy.Tuple) and len(a) == len(b)
                and all(sympy_equal(x, y) for x, y in zip(a, b)))
    if isinstance(a, sympy.Interval) or isinstance(b, sympy.Interval):
        return (isinstance(a, sympy.Interval) and isinstance(b, sympy.Interval)
                and a.left_open == b.left_open and a.right_open == b.right_open
                and scalars_equal(a.start, b.start) and scalars_equal(a.end, b.end))
    if isinstance(a, (sympy.FiniteSet, sympy.Union)) or isinstance(b, (sympy.FiniteSet, sympy.Union)):
        if type(a) is not type(b):
            return False
        xs, ys = list(a.args), list(b.args)
        return (all(any(sympy_equal(x, y) for y in ys) for x in xs)
                and all(any(sympy_equal(x, y) for x in xs) for y in ys))
    return scalars_equal(a, b)


# ------------------------------------------------------------------------------------------------
# rft's verdict, and the time it takes.


def rft_verdicts(rft, rows, workdir):
    spec = os.path.join(workdir, "same.reward")
    data = os.path.join(workdir, "pairs.jsonl")
    out = os.path.join(workdir, "out.jsonl")
    with open(spec, "w") as f:
        f.write(SPEC)
    with open(data, "w") as f:
        for kind, a, b in rows:
            f.write(json.dumps({"completion": "", "a": a[0], "b": b[0], "sa": a[1], "sb": b[1],
                                "kind": kind}) + "\n")
    env = dict(os.environ)
    env["RFT_STDLIB"] = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                     "stdlib")
    env["RFT_CACHE_DIR"] = os.path.join(workdir, "cache")
    subprocess.run([rft, "grade", spec, "--reward", "same", "--data", data, "--out", out],
                   check=True, env=env, stderr=subprocess.DEVNULL, timeout=120)
    verdicts = {}
    with open(out) as f:
        for line in f:
            r = json.loads(line)
            if "error" in r:
                sys.exit("rft could not grade line %d: %s" % (r["line"], r["error"]))
            verdicts[r["line"] - 1] = r["total"] == 1
    return [verdicts[i] for i in range(len(rows))]


class RftStr(ctypes.Structure):
    _fields_ = [("ptr", ctypes.c_char_p), ("len", ctypes.c_uint64)]


class RftAs(ctypes.Union):
    _fields_ = [("num", ctypes.c_double), ("boolean", ctypes.c_uint64), ("str", RftStr)]


class RftValue(ctypes.Structure):
    _fields_ = [("tag", ctypes.c_uint32), ("reserved", ctypes.c_uint32), ("as_", RftAs)]


def slowest_calls(lib_path, rows, repeat=3):
    """The slowest math_equal calls, in seconds, timed through the C ABI."""
    lib = ctypes.CDLL(lib_path)
    lib.rft_ctx_new.restype = ctypes.c_void_p
    lib.rft_ctx_reset.argtypes = [ctypes.c_void_p]
    fn = lib.rft_b_math_equal
    fn.argtypes = [ctypes.c_void_p, ctypes.POINTER(RftValue), ctypes.POINTER(RftValue)]
    ctx = lib.rft_ctx_new()
    args = (RftValue * 4)()
    result = RftValue()
    times = []
    for kind, a, b in rows:
        ea, eb = a[0].encode(), b[0].encode()
        for i, s in enumerate((ea, eb)):
            args[i].tag = 3
            args[i].as_.str = RftStr(s, len(s))
        for i, x in ((2, REL_TOL), (3, ABS_TOL)):
            args[i].tag = 2
            args[i].as_.num = x
        best = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            fn(ctx, args, ctypes.byref(result))
            best = min(best, time.perf_counter() - t)
        lib.rft_ctx_reset(ctx)
        times.append((best, a[0], b[0]))
    times.sort(reverse=True)
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rft", required=True)
    ap.add_argument("--grader-lib", help="librft_grader.so, to time each call")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--per-kind", type=int, default=220)
    ap.add_argument("--keep", help="write the corpus and rft's results to this directory")
    args = ap.parse_args()

    rows = Generator(args.seed).corpus(args.per_kind)
    expected = [sympy_equal(to_sympy(a[1]), to_sympy(b[1])) for _, a, b in rows]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or tmp
        os.makedirs(workdir, exist_ok=True)
        got = rft_verdicts(args.rft, rows, workdir)

    agree = sum(e == g for e, g in zip(expected, got))
    n = len(rows)
    print("pairs: %d (%d equal, %d unequal by sympy)" % (n, sum(expected), n - sum(expected)))
    by_kind = {}
    for (kind, _, _), e, g in zip(rows, expected, got):
        k = by_kind.setdefault(kind, [0, 0])
        k[0] += 1
        k[1] += e == g
    for kind, (total, ok) in sorted(by_kind.items()):
        print("  %-27s %4d pairs, %4d agree" % (kind, total, ok))
    classes = {}
    for (kind, a, b), e, g in zip(rows, expected, got):
        if e != g:
            classes.setdefault((kind, e, g), []).append((a, b))
    for (kind, e, g), examples in sorted(classes.items()):
        a, b = examples[0]
        print("disagreement: %s, sympy %s, rft %s: %d pairs, e.g. %r vs %r (sympy: %s vs %s)"
              % (kind, e, g, len(examples), a[0], b[0], a[1], b[1]))
    rate = agree / n
    print("agreement: %d/%d = %.2f%%" % (agree, n, 100 * rate))

    slow_fail = False
    if args.grader_lib:
        times = slowest_calls(args.grader_lib, rows)
        print("math_equal per pair: median %.1f us, slowest %.1f us (%r vs %r)"
              % (1e6 * times[len(times) // 2][0], 1e6 * times[0][0], times[0][1], times[0][2]))
        # The figures are the report; only a call slow enough to mean unbounded work (not a busy
        # machine) fails the check.
        slow_fail = times[0][0] > 1.0
    if rate < 0.99 or n < 2000 or slow_fail:
        print("FAIL")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

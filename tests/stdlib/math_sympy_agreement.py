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
import math
import os
import random
import sys
import tempfile
import time

import sympy

from rft_grade import grade_totals

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
                 ("%s \\cdot 10^{%d}" % (repr(mant), exp), sym), ("%.12g" % (mant * 10 ** exp), sym)]
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

    # Classes of the forms Math-Verify's test suite exercises: math delimiters, lists of boxes
    # and solutions, equations and inequalities, text wrappers and choice letters, LaTeX
    # shorthand, thousands separators, factored polynomials and rational expressions, trig
    # identities, matrices, units; and the exactness of integers and small fractions.

    def delimiters(self):
        r = self.rng
        value = r.choice([int_forms(r.randint(-99, 999))[:1], frac_forms(r.randint(1, 9), 7)[:1],
                          surd_forms(r.randint(2, 5), 3)[:1]])[0]
        wraps = ["$%s$", "$$%s$$", "\\(%s\\)", "\\[%s\\]", "$ %s $", "\\[ %s \\]"]
        forms = [(w % value[0], value[1]) for w in wraps] + [value]
        near_value = (value[0] + "+1", "(%s)+1" % value[1])
        near = [(w % near_value[0], near_value[1]) for w in wraps]
        return self.pairs_of("delimiters", forms, near)

    def solution_list(self):
        r = self.rng
        if r.random() < 0.5:
            pts = [(r.randint(-9, 9), r.randint(-9, 9)) for _ in range(r.randint(2, 3))]
            pts = list(dict.fromkeys(pts))
            items = ["(%d, %d)" % p for p in pts]
            syms = ["Tuple(%d, %d)" % p for p in pts]
        else:
            vals = r.sample(range(-20, 21), r.randint(2, 3))
            items = [str(v) for v in vals]
            syms = [str(v) for v in vals]
        sym = "FiniteSet(%s)" % ", ".join(syms)

        def forms_of(items, sym):
            shuffled = items[:]
            r.shuffle(shuffled)
            out = [(", ".join(items), sym), (", ".join("\\boxed{%s}" % i for i in shuffled), sym),
                   (" and ".join(shuffled), sym),
                   (", ".join(shuffled[:-1]) + ", \\text{ and } " + shuffled[-1], sym)]
            if "(" not in items[0]:
                out.append((" or ".join("x = %s" % i for i in shuffled), sym))
            return out

        changed = items[:-1] + [items[-1].replace("-", "") + "1" if "(" not in items[-1]
                                else "(99, 99)"]
        changed_sym = "FiniteSet(%s)" % ", ".join(
            syms[:-1] + [changed[-1] if "(" not in changed[-1] else "Tuple(99, 99)"])
        near = forms_of(changed, changed_sym) + forms_of(items[:-1], "FiniteSet(%s)" % ", ".join(syms[:-1]))
        return self.pairs_of("solution_list", forms_of(items, sym), near)

    def equation(self):
        """A line: y = m x + c, and k (a x + b y + c') = 0 for a nonzero k, in several forms."""
        r = self.rng
        p, q = r.choice([x for x in range(-6, 7) if x]), r.choice([1, 2, 3, 4])
        c, d = r.randint(-9, 9), r.choice([1, 2, 4])
        m_sym, c_sym = "Rational(%d, %d)" % (p, q), "Rational(%d, %d)" % (c, d)

        def line(p, c):
            m_sym, c_sym = "Rational(%d, %d)" % (p, q), "Rational(%d, %d)" % (c, d)
            slope = ("-" if p < 0 else "") + ("\\frac{%d}{%d}" % (abs(p), q) if q > 1 else "%d" % abs(p))
            icept = ("+" if c >= 0 else "-") + ("\\frac{%d}{%d}" % (abs(c), d) if d > 1 else "%d" % abs(c))
            sym = "Eq(y, %s*x + %s)" % (m_sym, c_sym)
            # q d y = p d x + c q  <=>  p d x - q d y + c q = 0, times k.
            k = r.choice([1, -1, 2, -3])
            a, b, e = k * p * d, -k * q * d, k * c * q
            general = "%dx %s %dy %s %d = 0" % (a, "+" if b >= 0 else "-", abs(b),
                                                "+" if e >= 0 else "-", abs(e))
            return [("y = %sx%s" % (slope, icept), sym), (general, sym),
                    ("y=%s x %s" % (slope, icept), sym),
                    ("%sx%s = y" % (slope, icept), "Eq(%s*x + %s, y)" % (m_sym, c_sym))]

        near = line(p, c + 1) + line(p + 1, c)
        # A bare value for an equation with variables on its left is no answer.
        bare = c if c else 7
        near.append(("%d" % bare, "%d" % bare))
        return self.pairs_of("equation", line(p, c), near)

    def inequality(self):
        r = self.rng
        a = r.randint(-9, 9)
        op = r.choice(["<", "<=", ">", ">="])
        tex = {"<": "<", "<=": "\\le", ">": ">", ">=": "\\geq"}
        flip = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
        fn = {"<": "Lt", "<=": "Le", ">": "Gt", ">=": "Ge"}

        def forms(op, a):
            sym = "%s(x, %d)" % (fn[op], a)
            lo, hi = ("-\\infty", str(a)) if op in ("<", "<=") else (str(a), "\\infty")
            lb = "(" if op in ("<", "<=") or op == ">" else "["
            rb = ")" if op in ("<", ">", ">=") else "]"
            return [("x %s %d" % (tex[op], a), sym), ("%d %s x" % (a, tex[flip[op]]), sym),
                    ("-x %s %d" % (tex[flip[op]], -a), sym),
                    ("2x %s %d" % (tex[op], 2 * a), sym),
                    ("%s%s, %s%s" % (lb, lo, hi, rb), sym)]

        strictness = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}
        near = forms(flip[op], a) + forms(strictness[op], a) + forms(op, a + 1)
        return self.pairs_of("inequality", forms(op, a), near)

    def text_wrapper(self):
        r = self.rng
        if r.random() < 0.5:
            n = r.randint(1, 999)
            forms = [(w % n, str(n)) for w in ["\\text{%d}", "\\textnormal{%d}", "\\mathrm{%d}",
                                               "\\textbf{%d}", "%d"]]
            near = [(str(n + 1), str(n + 1)), ("\\text{%d}" % (n + 1), str(n + 1))]
        else:
            letter = r.choice("ABCDE")
            other = r.choice([c for c in "ABCDE" if c != letter])
            forms = [(w % letter, letter) for w in ["%s", "(%s)", "\\text{(%s)}", "\\text{%s}",
                                                    "\\textbf{(%s)}", "\\mathrm{%s}"]]
            near = [(w % other, other) for w in ["%s", "(%s)", "\\text{(%s)}"]]
        return self.pairs_of("text_wrapper", forms, near)

    def shorthand(self):
        r = self.rng
        a, b = r.randint(1, 9), r.randint(2, 9)
        sym = "Rational(%d, %d)" % (a, b)
        forms = [("\\frac%d%d" % (a, b), sym), ("\\frac%d{%d}" % (a, b), sym),
                 ("\\frac{%d}%d" % (a, b), sym), ("\\dfrac%d%d" % (a, b), sym),
                 ("\\cfrac{%d}{%d}" % (a, b), sym), ("%d/%d" % (a, b), sym)]
        if r.random() < 0.3:
            forms = [("\\sqrt%d" % b, "sqrt(%d)" % b), ("\\sqrt{%d}" % b, "sqrt(%d)" % b),
                     ("%d^{1/2}" % b, "sqrt(%d)" % b)]
            near = [("\\sqrt%d" % (b + 1), "sqrt(%d)" % (b + 1))]
        else:
            near = [("\\frac%d%d" % (a + 1, b), "Rational(%d, %d)" % (a + 1, b)),
                    ("\\frac%d%d" % (b, a), "Rational(%d, %d)" % (b, a))]
        return self.pairs_of("shorthand", forms, near)

    def separators(self):
        r = self.rng
        n = r.randint(1000, 9999999)
        s3 = "{:,}".format(n)
        forms = [(s3.replace(",", "{,}"), str(n)), (s3.replace(",", ",\\!"), str(n)),
                 (s3.replace(",", "\\,"), str(n)), (s3, str(n)), (str(n), str(n))]
        m = n + r.choice([1, -1, 10])
        t3 = "{:,}".format(m)
        near = [(t3.replace(",", "{,}"), str(m)), (t3.replace(",", "\\,"), str(m)), (str(m), str(m))]
        return self.pairs_of("separators", forms, near)

    def rational_expression(self):
        """Factored and expanded polynomials in two variables, and rational expressions."""
        r = self.rng
        a, b = r.randint(1, 6), r.randint(-6, 6)
        cases = [
            ("(x+%d)(y%+d)" % (a, b), "(x+%d)*(y+(%d))" % (a, b),
             "xy%+dx%+dy%+d" % (b, a, a * b), "x*y+(%d)*x+%d*y+(%d)" % (b, a, a * b)),
            ("\\frac{x^2-%d}{x+%d}" % (a * a, a), "(x**2-%d)/(x+%d)" % (a * a, a),
             "x-%d" % a, "x-%d" % a),
            ("\\frac{1}{x}+\\frac{%d}{y}" % a, "1/x+%d/y" % a,
             "\\frac{y+%dx}{xy}" % a, "(y+%d*x)/(x*y)" % a),
            ("(x-y)^2", "(x-y)**2", "x^2-2xy+y^2", "x**2-2*x*y+y**2"),
            ("\\frac{x^2+%dx}{x}" % a, "(x**2+%d*x)/x" % a, "x+%d" % a, "x+%d" % a),
        ]
        rft_a, sym_a, rft_b, sym_b = r.choice(cases)
        near = (rft_b + "+1", "(%s)+1" % sym_b)
        near2 = (rft_b.replace("x", "y", 1), sym_b.replace("x", "y", 1))
        out = [("rational_expression", (rft_a, sym_a), (rft_b, sym_b)),
               ("rational_expression", (rft_a, sym_a), near)]
        if near2[1] != sym_b:
            out.append(("rational_expression", (rft_a, sym_a), near2))
        return out

    def trig_identity(self):
        r = self.rng
        v = r.choice(["x", "y", "t"])
        cases = [
            ("\\tan^2(%s)+1" % v, "tan(%s)**2+1" % v, "\\sec^2(%s)" % v, "sec(%s)**2" % v),
            ("\\sin(2%s)" % v, "sin(2*%s)" % v, "2\\sin %s\\cos %s" % (v, v),
             "2*sin(%s)*cos(%s)" % (v, v)),
            ("\\cos^2 %s-\\sin^2 %s" % (v, v), "cos(%s)**2-sin(%s)**2" % (v, v),
             "\\cos(2%s)" % v, "cos(2*%s)" % v),
            ("1+\\cot^2 %s" % v, "1+cot(%s)**2" % v, "\\csc^2 %s" % v, "csc(%s)**2" % v),
            ("\\frac{\\sin %s}{\\cos %s}" % (v, v), "sin(%s)/cos(%s)" % (v, v),
             "\\tan %s" % v, "tan(%s)" % v),
        ]
        rft_a, sym_a, rft_b, sym_b = r.choice(cases)
        near = [(rft_b + "+1", "(%s)+1" % sym_b), ("2" + rft_b, "2*(%s)" % sym_b)]
        return [("trig_identity", (rft_a, sym_a), (rft_b, sym_b)),
                ("trig_identity", (rft_b, sym_b), (rft_a, sym_a)),
                ("trig_identity", (rft_a, sym_a), r.choice(near))]

    def matrix(self):
        r = self.rng
        rows, cols = r.randint(1, 3), r.randint(1, 3)
        cells = [[r.randint(-9, 9) for _ in range(cols)] for _ in range(rows)]

        def forms_of(cells):
            sym = "Matrix(%r)" % cells
            body = " \\\\ ".join(" & ".join(str(c) for c in row) for row in cells)
            tight = "\\\\".join("&".join(str(c) for c in row) for row in cells)
            return [("\\begin{pmatrix} %s \\end{pmatrix}" % body, sym),
                    ("\\begin{bmatrix}%s\\end{bmatrix}" % tight, sym),
                    ("\\left[\\begin{array}{%s}%s\\end{array}\\right]" % ("c" * cols, body), sym)]

        changed = [row[:] for row in cells]
        changed[-1][-1] += 1
        near = forms_of(changed)
        if rows > 1 or cols > 1:
            near += forms_of([list(col) for col in zip(*cells)]) if rows != cols or any(
                cells[i][j] != cells[j][i] for i in range(rows) for j in range(cols)) else []
        return self.pairs_of("matrix", forms_of(cells), near)

    def units(self):
        r = self.rng
        n = r.randint(1, 999)
        unit = r.choice(["miles", "cm", "square units", "dollars", "meters", "yuan"])
        forms = [("%d\\textnormal{ %s}" % (n, unit), str(n)), ("%d \\text{ %s}" % (n, unit), str(n)),
                 ("%d\\ \\text{%s}" % (n, unit), str(n)), ("%d %s" % (n, unit), str(n)),
                 (str(n), str(n))]
        near = [("%d\\textnormal{ %s}" % (n + 1, unit), str(n + 1)), (str(n + 10), str(n + 10))]
        return self.pairs_of("units", forms, near)

    def exactness(self):
        """Large integers against their neighbours, small fractions against decimals."""
        r = self.rng
        if r.random() < 0.5:
            n = r.randint(10 ** 5, 10 ** 12)
            d = r.choice([1, -1, 2, 10])
            return [("exact_integer", (str(n), str(n)), ("{:,}".format(n), str(n))),
                    ("exact_integer", (str(n), str(n)), (str(n + d), str(n + d))),
                    ("exact_integer", ("{:,}".format(n + d), str(n + d)), (str(n), str(n)))]
        q = r.choice([3, 6, 7, 9, 11, 13])
        p = r.choice([x for x in range(1, 3 * q) if math.gcd(x, q) == 1])
        places = r.choice([3, 4, 5])
        short = "%.*f" % (places, p / q)
        truncated = "%.*f" % (9, math.floor(p / q * 10 ** 9) / 10 ** 9)
        good = "%.*f" % (9, p / q)
        frac = "\\frac{%d}{%d}" % (p, q)
        sym = "Rational(%d, %d)" % (p, q)
        out = [("exact_fraction", (frac, sym), (short, short)),
               ("exact_fraction", (frac, sym), (good, good))]
        if truncated != good:
            out.append(("exact_fraction", (frac, sym), (truncated, truncated)))
        return out

    def series(self):
        """Sums: integer limits against their value (and its neighbour, a longer range), limits
        in a variable against the same sum with another bound name, limits written in the other
        order, a factor moved inside (and another body, range or a term added outside)."""
        r = self.rng
        # A body is the product after the limits: a sum in it is bracketed.
        bodies = [("k^2", "k**2"), ("(2k+1)", "2*k+1"), ("k(k-1)", "k*(k-1)"), ("3k^3", "3*k**3")]
        (tex, sym), (tex2, sym2) = r.sample(bodies, 2)
        lo, hi = r.randint(0, 3), r.randint(4, 15)

        def value_form(lo, hi):
            v = sympy.summation(to_sympy(sym), (sympy.Symbol("k"), lo, hi))
            return (str(v), str(v))

        def sum_form(t, s, lo, hi, var="k", order=False):
            t, s = t.replace("k", var), s.replace("k", var)
            limits = "^{%s}_{%s=%s}" % (hi, var, lo) if order else "_{%s=%s}^{%s}" % (var, lo, hi)
            return ("\\sum%s %s" % (limits, t), "Sum(%s, (%s, %s, %s))" % (s, var, lo, hi))

        counted = [sum_form(tex, sym, lo, hi), value_form(lo, hi)]
        counted_near = [value_form(lo, hi + 1), sum_form(tex, sym, lo, hi + 1),
                        (str(to_sympy(value_form(lo, hi)[1]) + 1),) * 2]
        symbolic = [sum_form(tex, sym, 1, "n"), sum_form(tex, sym, 1, "n", var="j"),
                    sum_form(tex, sym, 1, "n", order=True),
                    ("\\sum_{k=1}^{n} 2 \\cdot %s" % tex, "Sum(2*(%s), (k, 1, n))" % sym),
                    ("2\\sum_{k=1}^{n} %s" % tex, "2*Sum(%s, (k, 1, n))" % sym)]
        symbolic_near = [sum_form(tex2, sym2, 1, "n"), sum_form(tex, sym, 1, "n+1"),
                         sum_form(tex, sym, 1, "n-1"),
                         ("\\sum_{k=1}^{n} %s + 1" % tex, "Sum(%s, (k, 1, n)) + 1" % sym)]
        return (self.pairs_of("sum", counted, counted_near)
                + [("sum_symbolic", a, b) for a, b in
                   [(symbolic[0], symbolic[1]), (symbolic[0], symbolic[2]),
                    (symbolic[3], symbolic[4])]]
                + [("sum_symbolic", r.choice(symbolic[:3]), b) for b in symbolic_near])

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
        for make in [self.delimiters, self.solution_list, self.equation, self.inequality,
                     self.text_wrapper, self.shorthand, self.separators, self.rational_expression,
                     self.trig_identity, self.matrix, self.units, self.exactness, self.series]:
            made = []
            while len(made) < per_kind // 3:
                made.extend(make())
            pairs.extend(made)
        return pairs


# ------------------------------------------------------------------------------------------------
# sympy's verdict.

X = sympy.Symbol("x")
NAMES = {"x": X, "Rational": sympy.Rational, "Tuple": sympy.Tuple, "FiniteSet": sympy.FiniteSet,
         "Interval": sympy.Interval, "Union": sympy.Union, "oo": sympy.oo, "pi": sympy.pi,
         "sqrt": sympy.sqrt, "sin": sympy.sin, "cos": sympy.cos, "log": sympy.log,
         "exp": sympy.exp, "I": sympy.I, "tan": sympy.tan, "sec": sympy.sec, "csc": sympy.csc,
         "cot": sympy.cot, "Eq": sympy.Eq, "Lt": sympy.Lt, "Le": sympy.Le, "Gt": sympy.Gt,
         "Ge": sympy.Ge, "Matrix": sympy.ImmutableMatrix}
NAMES.update({c: sympy.Symbol(c) for c in "ABCDEtyzjkn"})
NAMES["Sum"] = sympy.Sum


def to_sympy(text):
    # Decimals read as exact rationals, so that their written places are known.
    e = sympy.sympify(text, locals=NAMES, rational=True)
    return e.doit() if e.has(sympy.Sum) else e


def decimal_places(q):
    """The places of 1/q written as a decimal, or None when it does not terminate."""
    twos = fives = 0
    while q % 2 == 0:
        q //= 2
        twos += 1
    while q % 5 == 0:
        q //= 5
        fives += 1
    return max(twos, fives) if q == 1 else None


def rationals_equal(a, b):
    """std.math's rule for two exact numbers: integers and fractions that do not terminate as
    decimals compare exactly (an integer and a non-integer within the absolute tolerance);
    decimals within the tolerance; a fraction and a decimal within the
    tolerance when the decimal is the fraction rounded to its places."""
    if a == b:
        return True
    if a.q == 1 and b.q == 1:
        return False
    if a.q == 1 or b.q == 1:
        return abs(float(a - b)) <= ABS_TOL
    da, db = decimal_places(a.q), decimal_places(b.q)
    if da is None and db is None:
        return False
    if not math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=ABS_TOL):
        return False
    if da is not None and db is not None:
        return True
    dec, frac, k = (a, b, da) if da is not None else (b, a, db)
    return abs(frac * 10 ** k - dec * 10 ** k) <= sympy.Rational(1, 2)


def scalars_equal(a, b):
    if a.free_symbols or b.free_symbols:
        return sympy.expand(a - b) == 0 or sympy.simplify(a - b) == 0
    if a.is_Rational and b.is_Rational:
        return rationals_equal(a, b)
    if a.is_infinite or b.is_infinite:
        return a == b
    x, y = float(sympy.N(a, 30)), float(sympy.N(b, 30))
    return math.isclose(x, y, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def relations_equal(a, b):
    """Two relations in variables: the same kind (after flipping sides) and a constant factor,
    positive for inequalities, between their differences of sides."""
    def normal(rel):
        if isinstance(rel, (sympy.Gt, sympy.Ge)):
            return (sympy.Lt if isinstance(rel, sympy.Gt) else sympy.Le), rel.rhs - rel.lhs
        return type(rel), rel.lhs - rel.rhs
    ka, da = normal(a)
    kb, db = normal(b)
    if ka is not kb:
        return False
    ratio = sympy.simplify(da / db)
    if ratio.free_symbols or ratio == 0:
        return False
    return bool(ka is sympy.Eq or ratio > 0)


def as_interval(rel):
    return rel.as_set() if len(rel.free_symbols) == 1 else None


def sympy_equal(a, b):
    rel_a, rel_b = isinstance(a, sympy.core.relational.Relational), isinstance(b, sympy.core.relational.Relational)
    if rel_a and rel_b:
        return relations_equal(a, b)
    if rel_a or rel_b:
        # An inequality on one variable is the interval it describes; an equation against a
        # bare value is no answer.
        rel, other = (a, b) if rel_a else (b, a)
        if isinstance(rel, sympy.Eq) or not isinstance(other, sympy.Interval):
            return False
        return as_interval(rel) == other
    if isinstance(a, sympy.MatrixBase) or isinstance(b, sympy.MatrixBase):
        return (isinstance(a, sympy.MatrixBase) and isinstance(b, sympy.MatrixBase)
                and a.shape == b.shape and all(scalars_equal(x, y) for x, y in zip(a, b)))
    if isinstance(a, sympy.Symbol) and isinstance(b, sympy.Symbol):
        return a == b
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
    data = [{"completion": "", "a": a[0], "b": b[0], "sa": a[1], "sb": b[1], "kind": kind}
            for kind, a, b in rows]
    return [t == 1 for t in grade_totals(rft, SPEC, "same", data, workdir)]


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
    expected = [bool(sympy_equal(to_sympy(a[1]), to_sympy(b[1]))) for _, a, b in rows]
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
    # No wrong integer or small fraction may be accepted, whatever the overall rate.
    exactness = [(a, b) for (kind, a, b), e, g in zip(rows, expected, got)
                 if kind in ("integer", "exact_integer", "exact_fraction", "separators") and g and not e]
    for a, b in exactness:
        print("wrong answer accepted: %r for %r" % (a[0], b[0]))
    if rate < 0.99 or n < 2000 or slow_fail or exactness:
        print("FAIL")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Ports the parametrized cases of Math-Verify's test suite into math_verify_cases.jsonl.

Usage: port_cases.py TESTS_DIR > math_verify_cases.jsonl

TESTS_DIR holds huggingface/Math-Verify's tests/ (test_all.py, test_numina_cases.py,
test_open_thoughts.py, test_boxed.py, test_yujianll.py). Each row is one case: gold, pred, the
verdict the test expects, the file and test function it comes from, and the settings the test
passes to Math-Verify where they differ from its defaults (match_types ["latex", "expr"],
precision 6, strict, no set-relation comparison). The cases are read from the files' syntax
trees, never run, so Math-Verify need not be installed.
"""

import ast
import json
import math
import os
import sys

FILES = ["test_all.py", "test_numina_cases.py", "test_open_thoughts.py", "test_boxed.py",
         "test_yujianll.py"]
DEFAULTS = {"match_types": ["latex", "expr"], "precision": 6, "strict": True,
            "allow_set_relation_comp": False}


def value(node):
    # f-strings such as f"{math.sqrt(17):.15f}" are evaluated with math only.
    return eval(compile(ast.Expression(node), "<case>", "eval"), {"math": math})


def call_settings(fn):
    """The keyword settings of the compare_strings / verify call in a test's body."""
    for node in ast.walk(fn):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "compare_strings":
            out = {}
            for kw in node.keywords:
                out[kw.arg] = kw.value.id if isinstance(kw.value, ast.Name) else value(kw.value)
            return out
    return {}


def cases(path):
    tree = ast.parse(open(path).read())
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        for dec in fn.decorator_list:
            if not (isinstance(dec, ast.Call) and getattr(dec.func, "attr", "") == "parametrize"):
                continue
            names = [n.strip() for n in value(dec.args[0]).split(",")]
            settings = call_settings(fn)
            for row in dec.args[1].elts:
                params = dict(zip(names, value(row)))
                s = dict(DEFAULTS)
                for k, v in settings.items():
                    # A setting named after a parameter takes the case's value.
                    s[k] = params[v] if isinstance(v, str) and v in params else v
                if "allow_set_relation_comp" in params:
                    s["allow_set_relation_comp"] = params["allow_set_relation_comp"]
                expected = params.get("expected", params.get("result"))
                nondefault = {k: v for k, v in s.items() if DEFAULTS[k] != v}
                yield {"gold": params["gold"], "pred": params["pred"],
                       "expected": int(expected), "source": os.path.basename(path),
                       "test": fn.name, "settings": nondefault}


def main():
    root = sys.argv[1]
    for f in FILES:
        for c in cases(os.path.join(root, f)):
            print(json.dumps(c, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Grading data rows with `rft grade`, for the reference checks in tests/stdlib/."""

import json
import os
import subprocess
import sys

STDLIB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "stdlib")


def grade_totals(rft, spec_text, reward, rows, workdir, stdlib=STDLIB):
    """The total of `reward` in spec_text for each row (a dict of item fields), in order, graded
    by one `rft grade` run in workdir. Exits when a row cannot be graded."""
    spec = os.path.join(workdir, "spec.reward")
    data = os.path.join(workdir, "rows.jsonl")
    out = os.path.join(workdir, "out.jsonl")
    with open(spec, "w") as f:
        f.write(spec_text)
    with open(data, "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    env = dict(os.environ)
    env["RFT_STDLIB"] = stdlib
    env["RFT_CACHE_DIR"] = os.path.join(workdir, "cache")
    subprocess.run([rft, "grade", spec, "--reward", reward, "--data", data, "--out", out],
                   check=True, env=env, stderr=subprocess.DEVNULL, timeout=120)
    totals = {}
    with open(out) as f:
        for line in f:
            r = json.loads(line)
            if "error" in r:
                sys.exit("rft could not grade line %d: %s" % (r["line"], r["error"]))
            totals[r["line"] - 1] = r["total"]
    return [totals[i] for i in range(len(rows))]

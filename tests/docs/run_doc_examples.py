#!/usr/bin/env python3
"""Runs the examples in docs/*.md against rft, so that the documentation stays true.

Usage: run_doc_examples.py --rft PATH/TO/rft DOCS_DIR

Fenced code blocks, by their tag:

  ```reward        A complete spec: `rft check --werror` must accept it and `rft test` must pass
                   all of its `test` blocks.
  ```reward-test-fails
                   A spec that `rft check --werror` accepts but some of whose tests fail
                   (`rft test` exits 1): for showing what a failing test prints.
  ```reward-fails  A spec that `rft check` must reject (exit 1). Comment lines
                   `// error: E0201 E0301` name error codes that must be reported, and then no
                   other error code may be; `// warning: W0004` names warnings that must be
                   reported (the block is then checked with --werror).
  ```console       Run when its first line starts with `$ rft `: every `$ ` line is a shell
                   command, the lines after it its expected output (stdout and stderr together).

A spec block may hold several files: a line `// file: NAME` starts the file NAME (the line itself
is part of that file, so line numbers in diagnostics match what the reader sees). Text before the
first such line, if any, is the file `example.reward`. The first file is the one checked and
tested; the others are there to be imported. Each spec block runs in a fresh directory.

Console blocks run in one directory per document, where every named file of the document's
earlier spec blocks has been written (a later block replaces a file of the same name), with
`rft` on PATH, NO_COLOR=1, RFT_PATH / RFT_STDLIB unset, and RFT_CACHE_DIR (the JIT's compile
cache) in a temporary directory rather than the user's home.

When the repository's sources are next to DOCS_DIR, the script also checks that docs/language.md
lists every builtin signature (between <!-- builtins:begin --> and <!-- builtins:end -->, exactly
those of the RFT_ENTRY rows in runtime/grader/*.cc), every diagnostic code of compiler/diag/codes.h
and every judge setting of compiler/check/checker.cc.

Prints each failure with the file and line of its block; exits 1 if any example fails, or if the
documents hold no code blocks at all. Uses only the Python standard library.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

TIMEOUT_S = 60
FILE_MARKER = re.compile(r"^\s*//\s*file:\s*(\S+)\s*$")
EXPECT_CODES = re.compile(r"^\s*//\s*(error|warning):\s*([EW]\d{4}(?:[\s,]+[EW]\d{4})*)\s*$")
FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)[^`]*$")


class Block:
    def __init__(self, doc, line, tag, text):
        self.doc = doc  # path of the .md file
        self.line = line  # 1-based line of the opening fence
        self.tag = tag
        self.text = text

    def where(self):
        return "%s:%d" % (self.doc, self.line)


def extract_blocks(path):
    """Returns the fenced code blocks of a Markdown file, in order."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence_indent, fence, tag = len(m.group(1)), m.group(2), m.group(3)
        start = i
        body = []
        i += 1
        while i < len(lines):
            close = re.match(r"^ {0,3}(%s{%d,})\s*$" % (re.escape(fence[0]), len(fence)), lines[i])
            if close:
                break
            line = lines[i]
            # Content indented like the fence loses that indentation (CommonMark).
            strip = min(fence_indent, len(line) - len(line.lstrip(" ")))
            body.append(line[strip:])
            i += 1
        i += 1  # past the closing fence (or the end of the file)
        blocks.append(Block(path, start + 1, tag, "\n".join(body) + "\n"))
    return blocks


def split_files(text):
    """Splits a spec block into [(name, content)] at `// file: NAME` lines."""
    files = []
    name, current = None, []
    for line in text.split("\n"):
        m = FILE_MARKER.match(line)
        if m:
            if name is not None or "".join(current).strip():
                files.append((name or "example.reward", "\n".join(current)))
            name, current = m.group(1), [line]
        else:
            current.append(line)
    if name is not None or "".join(current).strip():
        files.append((name or "example.reward", "\n".join(current)))
    # Keep exactly one final newline per file.
    return [(n, c.rstrip("\n") + "\n") for n, c in files]


def write_files(directory, files):
    for name, content in files:
        path = os.path.join(directory, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(content)


CACHE_DIR = tempfile.TemporaryDirectory(prefix="rft-doc-cache-")


def clean_env(bin_dir=None):
    env = dict(os.environ)
    for var in ("RFT_PATH", "RFT_STDLIB"):
        env.pop(var, None)
    env["NO_COLOR"] = "1"
    env["RFT_CACHE_DIR"] = CACHE_DIR.name
    if bin_dir is not None:
        env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    return env


def run(cmd, cwd, env, shell=False):
    """Runs a command; returns (exit code, stdout and stderr merged)."""
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, shell=shell, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=TIMEOUT_S,
                           executable="/bin/bash" if shell else None)
    except subprocess.TimeoutExpired:
        return 124, "(timed out after %d s)" % TIMEOUT_S
    return p.returncode, p.stdout.decode("utf-8", errors="replace")


def indent(text):
    return "".join("    " + l + "\n" for l in text.rstrip("\n").split("\n"))


class Runner:
    def __init__(self, rft):
        self.rft = rft
        self.failures = []
        self.counts = {"reward": 0, "reward-test-fails": 0, "reward-fails": 0, "console": 0}

    def fail(self, block, message, output=None):
        text = "%s: %s block: %s" % (block.where(), block.tag, message)
        if output is not None and output.strip():
            text += "\n" + indent(output)
        self.failures.append(text)
        print("FAIL " + text, flush=True)

    # ---- ```reward and ```reward-test-fails ----

    def check_reward(self, block, files, tests_pass=True):
        self.counts[block.tag] += 1
        names = [n for n, _ in files]
        with tempfile.TemporaryDirectory(prefix="rft-doc-") as d:
            write_files(d, files)
            rc, out = run([self.rft, "check", "--werror"] + names, d, clean_env())
            if rc != 0:
                self.fail(block, "`rft check --werror` exited %d" % rc, out)
                return
            rc, out = run([self.rft, "test"] + names, d, clean_env())
            if tests_pass and rc != 0:
                self.fail(block, "`rft test` exited %d" % rc, out)
            elif not tests_pass and rc != 1:
                self.fail(block, "`rft test` should exit 1 (a test fails), exited %d" % rc, out)

    # ---- ```reward-fails ----

    def check_reward_fails(self, block, files):
        self.counts["reward-fails"] += 1
        want = {"error": set(), "warning": set()}
        for _, content in files:
            for line in content.split("\n"):
                m = EXPECT_CODES.match(line)
                if m:
                    want[m.group(1)].update(re.findall(r"[EW]\d{4}", m.group(2)))
        werror = bool(want["warning"])
        flags = ["--werror"] if werror else []
        main = files[0][0]
        with tempfile.TemporaryDirectory(prefix="rft-doc-") as d:
            write_files(d, files)
            rc, out = run([self.rft, "check", "--json"] + flags + [main], d, clean_env())
            if rc != 1:
                _, text = run([self.rft, "check"] + flags + [main], d, clean_env())
                self.fail(block, "`rft check%s` should exit 1, exited %d"
                          % (" --werror" if werror else "", rc), text)
                return
            try:
                diags = json.loads(out)
            except ValueError:
                self.fail(block, "`rft check --json` printed something other than JSON", out)
                return
            got = {"error": set(), "warning": set()}
            for dg in diags:
                if dg.get("severity") in got and dg.get("code"):
                    got[dg["severity"]].add(dg["code"])
            problems = []
            for sev in ("error", "warning"):
                missing = sorted(want[sev] - got[sev])
                if missing:
                    problems.append("expected %s %s, not reported" % (sev, ", ".join(missing)))
            if want["error"] or want["warning"]:
                extra = sorted(got["error"] - want["error"])
                if extra:
                    problems.append("unexpected error %s (list it in `// error:`)"
                                    % ", ".join(extra))
            if problems:
                _, text = run([self.rft, "check"] + flags + [main], d, clean_env())
                self.fail(block, "; ".join(problems), text)

    # ---- ```console ----

    def check_console(self, block, workdir, bin_dir):
        lines = block.text.rstrip("\n").split("\n")
        if not lines or not lines[0].startswith("$ rft "):
            return
        self.counts["console"] += 1
        steps = []  # [command, expected output lines]
        for line in lines:
            if line.startswith("$ "):
                steps.append([line[2:], []])
            else:
                steps[-1][1].append(line)
        env = clean_env(bin_dir)
        for command, expected_lines in steps:
            _, out = run(command, workdir, env, shell=True)
            got = normalize(out)
            expected = normalize("\n".join(expected_lines))
            if got != expected:
                self.fail(block, "`%s` printed something else.\n  expected:\n%s  got:\n%s"
                          % (command, indent(expected or "(nothing)"), indent(got or "(nothing)")))
                return


def normalize(text):
    lines = [l.rstrip() for l in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


# ---- the reference lists every builtin, code and setting ----

C_STRING = r'"(?:[^"\\]|\\.)*"'


def c_string_value(literals):
    return "".join(re.sub(r"\\(.)", r"\1", m[1:-1]) for m in re.findall(C_STRING, literals))


def check_reference(docs_dir, language_md, failures):
    root = os.path.dirname(os.path.abspath(docs_dir))
    with open(language_md, encoding="utf-8") as f:
        doc = f.read()
    where = os.path.join(docs_dir, "language.md")

    def fail(msg):
        failures.append("%s: %s" % (where, msg))
        print("FAIL %s: %s" % (where, msg), flush=True)

    grader_dir = os.path.join(root, "runtime", "grader")
    if os.path.isdir(grader_dir):
        src = ""
        for name in sorted(os.listdir(grader_dir)):
            if name.endswith(".cc"):
                with open(os.path.join(grader_dir, name), encoding="utf-8") as f:
                    src += f.read()
        entries = re.findall(r"RFT_ENTRY\(\s*\w+,\s*((?:%s\s*)+)," % C_STRING, src)
        sigs = {c_string_value(e) for e in entries}
        m = re.search(r"<!-- builtins:begin -->(.*?)<!-- builtins:end -->", doc, re.S)
        if not m:
            fail("no <!-- builtins:begin --> ... <!-- builtins:end --> section")
        else:
            documented = set(re.findall(r"`([a-z_][a-z0-9_]*\([^`]*\) -> [^`]+)`", m.group(1)))
            for s in sorted(sigs - documented):
                fail("builtin `%s` is not in the builtins table" % s)
            for s in sorted(documented - sigs):
                fail("the builtins table lists `%s`, which no table in runtime/grader/ has" % s)

    codes_h = os.path.join(root, "compiler", "diag", "codes.h")
    if os.path.exists(codes_h):
        with open(codes_h, encoding="utf-8") as f:
            codes = re.findall(r'=\s*"([EW]\d{4})"', f.read())
        for c in codes:
            if "`%s`" % c not in doc:
                fail("diagnostic code %s is not documented" % c)

    checker_cc = os.path.join(root, "compiler", "check", "checker.cc")
    if os.path.exists(checker_cc):
        with open(checker_cc, encoding="utf-8") as f:
            m = re.search(r"kJudgeSettings\[\]\s*=\s*\{(.*?)\};", f.read(), re.S)
        if m:
            for name in re.findall(r'"(\w+)"', m.group(1)):
                if "`%s`" % name not in doc:
                    fail("judge setting `%s` is not documented" % name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rft", required=True, help="the rft binary")
    ap.add_argument("docs", help="the docs/ directory")
    ap.add_argument("--extra", action="append", default=[],
                    help="another Markdown file whose examples run too (e.g. README.md)")
    args = ap.parse_args()
    rft = os.path.abspath(args.rft)
    if not os.access(rft, os.X_OK):
        print("run_doc_examples: %s is not an executable" % rft, file=sys.stderr)
        return 2
    docs = sorted(os.path.join(args.docs, n) for n in os.listdir(args.docs) if n.endswith(".md"))
    docs += args.extra
    runner = Runner(rft)
    total_blocks = 0
    with tempfile.TemporaryDirectory(prefix="rft-doc-bin-") as bin_dir:
        os.symlink(rft, os.path.join(bin_dir, "rft"))
        for doc in docs:
            blocks = extract_blocks(doc)
            total_blocks += len(blocks)
            with tempfile.TemporaryDirectory(prefix="rft-doc-console-") as shared:
                for b in blocks:
                    if b.tag in ("reward", "reward-test-fails", "reward-fails"):
                        files = split_files(b.text)
                        if not files:
                            runner.fail(b, "the block is empty")
                            continue
                        write_files(shared, [(n, c) for n, c in files if n != "example.reward"])
                        if b.tag == "reward":
                            runner.check_reward(b, files)
                        elif b.tag == "reward-test-fails":
                            runner.check_reward(b, files, tests_pass=False)
                        else:
                            runner.check_reward_fails(b, files)
                    elif b.tag == "console":
                        runner.check_console(b, shared, bin_dir)
    language_md = os.path.join(args.docs, "language.md")
    if os.path.exists(language_md):
        check_reference(args.docs, language_md, runner.failures)
    print("%d documents, %d code blocks; ran %d reward, %d reward-test-fails, %d reward-fails, "
          "%d console; %d failed"
          % (len(docs), total_blocks, runner.counts["reward"], runner.counts["reward-test-fails"],
             runner.counts["reward-fails"], runner.counts["console"], len(runner.failures)))
    if total_blocks == 0:
        print("run_doc_examples: no code blocks found in %s" % args.docs, file=sys.stderr)
        return 1
    return 1 if runner.failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Each library exports only its public headers (cmake/Headers.cmake): with the flags the build
gives a source file, a private header of another folder, or a header of a library the target does
not link, is not found, while the headers it may use are. (Within one library, such as the
compiler core's folders, scripts/check_includes.sh keeps private headers in their folder.)
Usage: header_exports_test.py BUILD_DIR
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile

# (a source whose compile flags are used, the include, whether it must be found)
CASES = [
    ("tools/rft/main.cc", "compiler/codegen/codegen.h", True),
    ("tools/rft/main.cc", "compiler/grading/grader.h", True),
    ("tools/rft/main.cc", "compiler/codegen/emit.h", False),       # private to codegen
    ("tools/rft/main.cc", "compiler/codegen/lower.h", False),      # private to codegen
    ("tools/rft/main.cc", "compiler/check/checker_impl.h", False),  # private to check
    ("compiler/check/checker.cc", "compiler/check/checker_impl.h", True),  # its own folder
    ("runtime/train/job.cc", "runtime/model/tokenizer.h", True),
    ("runtime/train/job.cc", "compiler/grading/grader.h", False),  # train does not link grading
    ("runtime/model/config.cc", "runtime/train/job.h", False),     # model does not link train
    ("runtime/grader/text.cc", "runtime/model/tokenizer.h", False),
    ("runtime/judge/client.cc", "runtime/grader/code_harness_py.inc", False),  # a .inc is private
    ("runtime/grader/code_harness.cc", "runtime/grader/code_harness_py.inc", True),
    ("runtime/serve/server.cc", "compiler/grading/grader.h", True),
    ("runtime/serve/server.cc", "runtime/train/torch/grpo.h", False),  # torch stays in the plugin
]


def flags_for(commands, source):
    for entry in commands:
        if entry["file"].endswith("/" + source):
            args = shlex.split(entry["command"]) if "command" in entry else entry["arguments"]
            if os.path.basename(args[0]) == "ccache":
                args = args[1:]
            out, skip = [], False
            for a in args[1:]:
                if skip:  # the value of -o, -MF, -MT, -MQ, or -c's source file
                    skip = False
                elif a in ("-o", "-MF", "-MT", "-MQ", "-c"):
                    skip = True
                elif a not in ("-MD", "-MMD"):
                    out.append(a)
            return args[0], out, entry["directory"]
    raise SystemExit(f"header_exports: {source} is not in compile_commands.json")


def main():
    build = sys.argv[1]
    with open(os.path.join(build, "compile_commands.json")) as f:
        commands = json.load(f)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        probe = os.path.join(tmp, "probe.cc")
        for source, header, found in CASES:
            compiler, flags, cwd = flags_for(commands, source)
            with open(probe, "w") as f:
                f.write(f'#include "{header}"\n')
            r = subprocess.run([compiler, *flags, "-fsyntax-only", probe], cwd=cwd,
                               capture_output=True, text=True)
            missing = r.returncode != 0 and header in r.stderr and (
                "No such file" in r.stderr or "not found" in r.stderr)
            ok = r.returncode == 0 if found else missing
            verdict = "found" if found else "not found"
            print(f"{'ok  ' if ok else 'FAIL'} {source}: {header} {verdict}")
            if not ok:
                failures += 1
                print(r.stderr[:2000])
    if failures:
        print(f"header_exports: {failures} of {len(CASES)} cases wrong")
        return 1
    print(f"header exports hold: {len(CASES)} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())

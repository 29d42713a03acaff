#!/usr/bin/env bash
# scripts/check_includes.sh catches includes planted where they must not be, one line each, and
# leaves an allowed one alone.
#   check_includes_test.sh CHECK_SCRIPT WORK_DIR
set -euo pipefail
check=$1 d=$2
rm -rf "$d"
mkdir -p "$d/runtime/grader" "$d/compiler/parse" "$d/compiler/check" "$d/compiler/interp" \
  "$d/compiler/codegen" "$d/compiler/driver" "$d/tools/rft" "$d/runtime/train/torch"
printf '#include <llvm/IR/Module.h>\n  #  include "torch/torch.h"\n' >"$d/runtime/grader/a.cc"
printf '#include <antlr4-runtime.h>\n' >"$d/tools/rft/b.h"
printf '#include "RewardParser.h"\n' >"$d/compiler/parse/allowed.cc"
# A private header by name and one by its opening line; each included from its own folder (allowed)
# and from another (caught). The driver may include the core; the core may not include the driver.
printf '#pragma once\n' >"$d/compiler/check/checker_impl.h"
printf '// Lowering (private to compiler/codegen).\n#pragma once\n' >"$d/compiler/codegen/lower.h"
printf '#include "compiler/check/checker_impl.h"\n' >"$d/compiler/check/allowed.cc"
printf '#include "compiler/codegen/lower.h"\n' >"$d/compiler/codegen/allowed.cc"
printf '#include "compiler/check/checker.h"\n' >"$d/compiler/driver/allowed.cc"
printf '#include "compiler/check/checker_impl.h"\n#include "compiler/driver/loader.h"\n' \
  >"$d/compiler/interp/c.cc"
printf '#include "compiler/grading/grader.h"\n' >"$d/compiler/codegen/d.cc"
printf '#include "compiler/codegen/lower.h"\n' >"$d/tools/rft/e.cc"
# A torch folder's header from a torch-free file (caught) and from its own folder (allowed).
printf '#include "runtime/train/torch/session.h"\n#include "compiler/grading/grader.h"\n' >"$d/runtime/train/f.cc"
printf '#include "runtime/train/torch/session.h"\n' >"$d/runtime/train/torch/allowed.cc"
status=0
out=$(bash "$check" "$d") || status=$?
echo "$out"
[ "$status" -eq 1 ]
[ "$(wc -l <<<"$out")" -eq 9 ]
grep -q '^runtime/grader/a.cc:1:.*LLVM is included outside compiler/codegen/' <<<"$out"
grep -q '^runtime/grader/a.cc:2:.*torch is included outside' <<<"$out"
grep -q '^tools/rft/b.h:1:.*ANTLR is included outside compiler/parse/' <<<"$out"
grep -q '^compiler/interp/c.cc:1:.*compiler/check/checker_impl.h is private to compiler/check/' \
  <<<"$out"
grep -q '^compiler/interp/c.cc:2:.*driver or grading header is included from compiler/interp/' \
  <<<"$out"
grep -q '^compiler/codegen/d.cc:1:.*driver or grading header is included from compiler/codegen/' \
  <<<"$out"
grep -q '^tools/rft/e.cc:1:.*compiler/codegen/lower.h is private to compiler/codegen/' <<<"$out"
grep -q "^runtime/train/f.cc:1:.*a torch folder's header is included outside" <<<"$out"
grep -q '^runtime/train/f.cc:2:.*a compiler header is included from runtime/train/' <<<"$out"
rm "$d/runtime/grader/a.cc" "$d/tools/rft/b.h" "$d/compiler/interp/c.cc" "$d/compiler/codegen/d.cc" \
  "$d/tools/rft/e.cc" "$d/runtime/train/f.cc"
bash "$check" "$d" | grep -q "include boundaries ok"
echo "check_includes caught every planted include"

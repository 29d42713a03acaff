#!/usr/bin/env bash
# scripts/check_includes.sh catches includes planted where they must not be, one line each, and
# leaves an allowed one alone.
#   check_includes_test.sh CHECK_SCRIPT WORK_DIR
set -euo pipefail
check=$1 d=$2
rm -rf "$d"
mkdir -p "$d/runtime/grader" "$d/compiler/parse" "$d/tools/rft"
printf '#include <llvm/IR/Module.h>\n  #  include "torch/torch.h"\n' >"$d/runtime/grader/a.cc"
printf '#include <antlr4-runtime.h>\n' >"$d/tools/rft/b.h"
printf '#include "RewardParser.h"\n' >"$d/compiler/parse/allowed.cc"
status=0
out=$(bash "$check" "$d") || status=$?
echo "$out"
[ "$status" -eq 1 ]
[ "$(wc -l <<<"$out")" -eq 3 ]
grep -q '^runtime/grader/a.cc:1:.*LLVM is included outside compiler/codegen/' <<<"$out"
grep -q '^runtime/grader/a.cc:2:.*torch is included outside' <<<"$out"
grep -q '^tools/rft/b.h:1:.*ANTLR is included outside compiler/parse/' <<<"$out"
rm "$d/runtime/grader/a.cc" "$d/tools/rft/b.h"
bash "$check" "$d" | grep -q "include boundaries ok"
echo "check_includes caught every planted include"

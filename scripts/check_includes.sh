#!/usr/bin/env bash
# Keeps the heavy dependencies inside the folders that are about them:
#   ANTLR (its runtime and the generated parser)  compiler/parse/
#   LLVM                                          compiler/codegen/
#   torch (torch/, ATen/, c10/)                   runtime/model/, runtime/train/
# (tests/ and bench/ may include what they test or measure.) Prints every include that breaks a
# rule as FILE:LINE: ... and exits 1; exits 0 when there is none.
#
#   scripts/check_includes.sh [ROOT]     (default: the repository)
set -uo pipefail
root=${1:-"$(dirname "$0")/.."}
cd "$root" || exit 2

# rule NAME REGEX ALLOWED_PREFIX...: every C/C++ include matching REGEX outside the prefixes.
status=0
rule() {
  local name=$1 regex=$2
  shift 2
  local allowed=("$@" tests/ bench/)
  while IFS= read -r hit; do
    local file=${hit%%:*}
    local ok=0
    for prefix in "${allowed[@]}"; do
      [[ $file == "$prefix"* ]] && ok=1
    done
    if [ $ok -eq 0 ]; then
      echo "$hit: $name is included outside ${*}"
      status=1
    fi
  done < <(find . -path ./build -prune -o -path './build-*' -prune -o -path ./.git -prune -o \
             -path '*/node_modules' -prune -o \
             -type f \( -name '*.cc' -o -name '*.h' -o -name '*.cpp' -o -name '*.hpp' \) -print |
           sed 's|^\./||' | sort | xargs -r grep -nHE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($regex)")
}

rule ANTLR 'antlr4-runtime|antlr4/|Reward(Lexer|Parser|Visitor|BaseVisitor|Listener|BaseListener)\.h' \
  compiler/parse/
rule LLVM 'llvm/|llvm-c/' compiler/codegen/
rule torch 'torch/|ATen/|c10/' runtime/model/ runtime/train/

if [ $status -eq 0 ]; then
  echo "include boundaries ok"
fi
exit $status

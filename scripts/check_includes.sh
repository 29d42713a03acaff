#!/usr/bin/env bash
# Keeps the heavy dependencies inside the folders that are about them:
#   ANTLR (its runtime and the generated parser)  compiler/parse/
#   LLVM                                          compiler/codegen/
#   torch (torch/, ATen/, c10/)                   runtime/model/torch/, runtime/train/torch/
#   runtime/model/torch/, runtime/train/torch/    the same (a torch-free file stays torch-free)
# (tests/ and bench/ may include what they test or measure.) And keeps the compiler's layers:
#   - the compiler core (source/, diag/, ast/, parse/, check/, program/, interp/, codegen/) never
#     includes compiler/driver/ (loading files) or compiler/grading/ (engines, batches, a reward
#     made ready to grade), which are built on it;
#   - the runtime libraries below the compiler (common/, grader/, judge/, model/, train/) never
#     include compiler/: a training job gets its reward through train::JobGraderFactory;
#   - a folder's private header (named *_impl.h, or opening with "Private to <folder>") is
#     included only from its own folder, tests/ and bench/ included.
# Prints every include that breaks a rule as FILE:LINE: ... and exits 1; exits 0 when there is
# none.
#
#   scripts/check_includes.sh [ROOT]     (default: the repository)
set -uo pipefail
root=${1:-"$(dirname "$0")/.."}
cd "$root" || exit 2

# rule NAME REGEX ALLOWED_PREFIX...: every C/C++ include matching REGEX outside the prefixes.
status=0
sources() {
  find . -path ./build -prune -o -path './build-*' -prune -o -path ./.git -prune -o \
    -path '*/node_modules' -prune -o \
    -type f \( -name '*.cc' -o -name '*.h' -o -name '*.cpp' -o -name '*.hpp' \) -print |
    sed 's|^\./||' | sort
}
includes() {  # includes() REGEX: FILE:LINE:TEXT of every #include whose target starts with REGEX
  sources | xargs -r grep -nHE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($1)"
}

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
  done < <(includes "$regex")
}

# forbid NAME REGEX PREFIX...: every include matching REGEX inside the prefixes.
forbid() {
  local name=$1 regex=$2
  shift 2
  while IFS= read -r hit; do
    local file=${hit%%:*}
    for prefix in "$@"; do
      if [[ $file == "$prefix"* ]]; then
        echo "$hit: $name is included from $prefix"
        status=1
      fi
    done
  done < <(includes "$regex")
}

# A private header is included only by files in its own folder.
private_headers() {
  sources | grep -E '\.(h|hpp)$' | grep -E '_impl\.h$'
  sources | grep -E '\.(h|hpp)$' |
    xargs -r awk 'FNR <= 3 && /^\/\/.*[Pp]rivate to / { print FILENAME; nextfile }'
}
private() {
  local -A private=()
  local h
  while IFS= read -r h; do private[$h]=1; done < <(private_headers)
  [ ${#private[@]} -eq 0 ] && return
  while IFS= read -r hit; do
    local file=${hit%%:*} rest=${hit#*:}
    [[ $rest =~ \"([^\"]*)\" ]] || continue
    local target=${BASH_REMATCH[1]}
    if [[ $target == *_impl.h || -n ${private[$target]:-} ]] &&
       [[ $(dirname "$file") != "$(dirname "$target")" ]]; then
      echo "$hit: $target is private to $(dirname "$target")/"
      status=1
    fi
  done < <(includes '[^"]*\.h(pp)?"')
}

rule ANTLR 'antlr4-runtime|antlr4/|Reward(Lexer|Parser|Visitor|BaseVisitor|Listener|BaseListener)\.h' \
  compiler/parse/
rule LLVM 'llvm/|llvm-c/' compiler/codegen/
rule torch 'torch/|ATen/|c10/' runtime/model/torch/ runtime/train/torch/
rule "a torch folder's header" 'runtime/(model|train)/torch/' runtime/model/torch/ runtime/train/torch/
forbid 'a driver or grading header' 'compiler/(driver|grading)/' compiler/source/ compiler/diag/ compiler/ast/ \
  compiler/parse/ compiler/check/ compiler/program/ compiler/interp/ compiler/codegen/
forbid 'a compiler header' 'compiler/' runtime/common/ runtime/grader/ runtime/judge/ runtime/model/ \
  runtime/train/
private

if [ $status -eq 0 ]; then
  echo "include boundaries ok"
fi
exit $status

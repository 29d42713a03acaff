#!/usr/bin/env bash
# Runs the sandbox tests, the forged-grade suite and std.code's spec tests as an ordinary user:
# as uid/gid 65534 with no supplementary groups (setpriv) when this runs as root, as the current
# user otherwise. std.code must work for such a user: no step may need CAP_SETUID or root.
#
# usage: run_unprivileged.sh GRADER_TESTS RFT CODE_REWARD
#
# The user must be able to read the binaries and the spec: each directory on their paths must be
# searchable by "others" and the files readable. A clean clone made by root under a private home
# (/root is 0700) is not, so where some path is closed the files are copied into a fresh world-
# readable directory first, with the build's shared libraries, and run from there.
set -euo pipefail
tests=$(readlink -f "$1") rft=$(readlink -f "$2") spec=$(readlink -f "$3")

as_user=()
if [ "$(id -u)" = 0 ]; then
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
fi

# The first directory or file on `path` that uid 65534 cannot reach, or nothing.
closed() {
  local path=$1 part=""
  IFS=/ read -ra parts <<<"${path#/}"
  for p in "${parts[@]}"; do
    part="$part/$p"
    if [ -d "$part" ]; then
      [ $(( 0$(stat -c %a "$part") & 01 )) -ne 0 ] || { echo "$part"; return; }
    else
      [ $(( 0$(stat -c %a "$part") & 04 )) -ne 0 ] || { echo "$part"; return; }
    fi
  done
}

work=""
cleanup() { [ -z "$work" ] || rm -rf "$work"; }
trap cleanup EXIT
libpath=""
if [ ${#as_user[@]} -gt 0 ]; then
  blocked=""
  for f in "$tests" "$rft" "$spec" $(ldd "$tests" "$rft" | awk '$3 ~ /^\// {print $3}' | sort -u); do
    b=$(closed "$(readlink -f "$f")")
    [ -z "$b" ] || { blocked=$b; break; }
  done
  if [ -n "$blocked" ]; then
    echo "uid 65534 cannot reach $blocked: running copies from a world-readable directory"
    work=$(mktemp -d /tmp/rft_unprivileged.XXXXXX)
    chmod 755 "$work"
    mkdir "$work/lib"
    for lib in $(ldd "$tests" "$rft" | awk '$3 ~ /^\// {print $3}' | sort -u); do
      [ -n "$(closed "$(readlink -f "$lib")")" ] && cp "$(readlink -f "$lib")" "$work/lib/$(basename "$lib")"
    done
    cp "$tests" "$work/grader_tests"
    cp "$rft" "$work/rft"
    cp "$spec" "$work/code.reward"
    chmod -R a+rX "$work"
    tests=$work/grader_tests rft=$work/rft spec=$work/code.reward libpath=$work/lib
  fi
fi

run() { env ${libpath:+LD_LIBRARY_PATH=$libpath} "${as_user[@]}" "$@"; }

echo "running as: $(run id)"
out=$(cd / && run "$tests" --gtest_filter='SandboxTest.*:SandboxProbe.*:ForgedGrades.*:Lint.*' 2>&1) || {
  echo "$out"
  echo "FAILED: the grader tests as an ordinary user"
  exit 1
}
echo "$out" | tail -n 3
if grep -q '\[  SKIPPED \]' <<<"$out"; then
  echo "$out" | grep -A2 SKIPPED | head -n 20
  echo "FAILED: sandbox tests were skipped as an ordinary user"
  exit 1
fi
spec_out=$(cd / && run "$rft" test "$spec" 2>&1) || {
  echo "$spec_out"
  echo "FAILED: std.code's spec tests as an ordinary user"
  exit 1
}
echo "$spec_out" | tail -n 1
echo "unprivileged sandbox ok"

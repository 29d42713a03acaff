#!/usr/bin/env bash
# `--out` and `-o` on what is already at the path: a regular file is replaced whole (no .partial
# left), a FIFO and a character device are written in place and stay what they are, and a
# symbolic link or a directory is refused with a clear error and left untouched.
# Usage: out_special_files.sh RFT_BINARY SOURCE_ROOT WORK_DIR
set -euo pipefail
rft=$1 root=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
export RFT_CACHE_DIR="$work/cache"
spec=$root/examples/gsm8k.reward data=$root/examples/data/gsm8k.jsonl
grade() { "$rft" grade "$spec" --reward gsm8k --data "$data" --engine interp --out "$@"; }
kind() { stat -c %F "$1"; }

# A regular file: replaced whole, through a .partial file that is gone afterwards.
echo old > plain.jsonl
grade plain.jsonl 2>/dev/null
[ "$(wc -l < plain.jsonl)" -eq "$(wc -l < "$data")" ]
[ ! -e plain.jsonl.partial ]

# A FIFO: written in place; it is still a FIFO, and the reader got the same bytes.
mkfifo pipe
timeout 60 cat pipe > from_pipe & reader=$!  # an old rft renamed over the FIFO: no writer
grade pipe 2>/dev/null
wait $reader
[ "$(kind pipe)" = "fifo" ]
cmp plain.jsonl from_pipe
[ ! -e pipe.partial ]

# A symbolic link: refused, the link and its target untouched.
echo target > target.txt
ln -s target.txt link.jsonl
if grade link.jsonl 2>err.txt; then echo "a symbolic link was replaced"; exit 1; fi
grep -q "is a symbolic link" err.txt
[ -L link.jsonl ] && [ "$(cat target.txt)" = target ]
cat err.txt

# A directory: refused.
mkdir dir.jsonl
if grade dir.jsonl 2>err.txt; then echo "a directory was written"; exit 1; fi
grep -q "is a directory" err.txt

# rft compile -o: the same checks before compiling.
if "$rft" compile "$spec" -o link.jsonl 2>err.txt; then echo "compile replaced a link"; exit 1; fi
grep -q "is a symbolic link" err.txt
"$rft" compile "$spec" -o grader.so 2>/dev/null
[ "$(kind grader.so)" = "regular file" ] && [ ! -e grader.so.partial ]

# A character device (made here, as root, so that the system's /dev/null is never at stake): it
# is written in place and stays a device.
if [ "$(id -u)" -eq 0 ] && mknod null c 1 3 2>/dev/null; then
  grade null 2>/dev/null
  [ "$(kind null)" = "character special file" ]
  "$rft" compile "$spec" -o null 2>/dev/null
  [ "$(kind null)" = "character special file" ]
  [ ! -e null.partial ]
  echo "character device: written in place"
else
  echo "character device: skipped (needs root and mknod)"
fi
echo "out special files ok"

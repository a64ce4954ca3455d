#!/usr/bin/env bash
# Run each libFuzzer target for a few seconds on its corpus (TAP output).
# New inputs go to a scratch directory so the committed corpus stays small.
set -u
B=${MOTE_BUILD:-_build}
secs=${FUZZ_SECONDS:-5}
names=${FUZZ_NAMES:-$(ls tests/fuzz/fuzz_*.c 2>/dev/null | sed 's|.*/fuzz_||; s|\.c$||')}
n=0
for name in $names; do
  n=$((n + 1))
  bin=$B/fuzz/tests/fuzz_$name
  scratch=$(mktemp -d)
  if "$bin" -max_total_time="$secs" -print_final_stats=0 \
       -artifact_prefix="$scratch/" "$scratch" "tests/fuzz/corpus/$name" \
       > "$scratch/log" 2>&1; then
    echo "ok $n - fuzz $name for ${secs}s: $(grep -Eo '#[0-9]+' "$scratch/log" | tail -1 | tr -d '#') runs"
  else
    echo "not ok $n - fuzz $name"
    sed 's/^/# /' "$scratch/log" | tail -40
  fi
  rm -rf "$scratch"
done
echo "1..$n"

#!/usr/bin/env bash
# Run every test through prove and end with one "N passed, N failed" line.
# Usage: tests/run-tests.sh BUILD_DIR "UNIT_BINS" "ASAN_BINS" "FUZZ_NAMES"
set -uo pipefail
B=$1 UNIT=$2 ASAN=$3 FUZZ=$4
log=$B/test.log
: > "$log"

export MOTE_BUILD=$B
export FUZZ_NAMES=$FUZZ
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# shellcheck disable=SC2086
prove --exec '' --timer -v $UNIT $ASAN tests/fuzz/smoke.t tests/interop/*.t \
  2>&1 | tee "$log"
status=${PIPESTATUS[0]}

passed=$(grep -cE '^ok [0-9]+' "$log" || true)
failed=$(grep -cE '^not ok [0-9]+' "$log" || true)
echo
echo "$passed passed, $failed failed"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "(a test program failed without a failing test point: see $log)"
fi
exit $status

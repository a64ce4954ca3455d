#!/usr/bin/env bash
# ML-KEM-768 encapsulation and decapsulation under valgrind memcheck with
# the secrets (m; s and z of dk) marked undefined, on the portable C level
# (what a guest without AVX2 runs; tests/interop/ct_check_pk.t checks the
# best level, AVX2 under valgrind). Zero reports required; a negative
# control must be reported.
set -u
cd "$(dirname "$0")/../.."
B=${MOTE_BUILD:-_build}
bin=$B/obj/tests/mlkem_ct
echo "1..3"
if ! command -v valgrind > /dev/null || [ ! -x "$bin" ]; then
  echo "not ok 1 - valgrind and $bin present"
  exit 1
fi
vg() { valgrind --tool=memcheck --error-exitcode=99 --quiet "$@"; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
vg "$bin" control > "$log" 2>&1
if grep -q "Conditional jump or move depends on uninitialised" "$log" &&
   grep -q "Use of uninitialised value of size" "$log"; then
  echo "ok 1 - negative control: a secret branch and a secret index are reported"
else
  echo "not ok 1 - negative control: a secret branch and a secret index are reported"
  sed 's/^/# /' "$log" | head -20
fi
vg "$bin" 3 > "$log" 2>&1
status=$?
errors=$(grep -c "^==[0-9]*== [A-Z]" "$log")
if [ $status -eq 0 ] && [ "$errors" -eq 0 ]; then
  echo "ok 2 - ML-KEM-768 encaps + decaps (valid and rejected), portable C: zero memcheck reports"
else
  echo "not ok 2 - ML-KEM-768 portable C: zero memcheck reports (status $status)"
  sed 's/^/# /' "$log" | head -60
fi
if grep -q "round trip ok" "$log"; then
  echo "ok 3 - the operations ran and gave correct results under valgrind"
else
  echo "not ok 3 - the operations ran and gave correct results under valgrind"
  sed 's/^/# /' "$log" | grep -v "^# ==" | head -10
fi

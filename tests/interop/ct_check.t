#!/usr/bin/env bash
# Constant-time check of src/crypto under valgrind memcheck (TAP output).
# The library run must have zero errors; the negative control must have
# errors, or the check could not see a leak and would pass vacuously.
set -u
B=${MOTE_BUILD:-_build}
bin=$B/obj/tests/ct_crypto
supp=tests/ct/ct.supp
echo "1..4"
if ! command -v valgrind > /dev/null || [ ! -x "$bin" ]; then
  echo "not ok 1 - valgrind and $bin present"
  exit 1
fi
vg() { valgrind --tool=memcheck --error-exitcode=99 --track-origins=yes \
  --suppressions=$supp --quiet "$@"; }

log=$(mktemp)
vg "$bin" control > "$log" 2>&1
status=$?
if [ $status -eq 99 ] && grep -q "Conditional jump or move depends on uninitialised" "$log"; then
  echo "ok 1 - negative control: a secret-dependent branch is reported"
else
  echo "not ok 1 - negative control: a secret-dependent branch is reported (status $status)"
  sed 's/^/# /' "$log" | head -30
fi
if grep -q "Use of uninitialised value of size" "$log"; then
  echo "ok 2 - negative control: a secret-dependent table index is reported"
else
  echo "not ok 2 - negative control: a secret-dependent table index is reported"
fi

vg "$bin" lib > "$log" 2>&1
status=$?
errors=$(grep -c "^==[0-9]*== [A-Z]" "$log")
if [ $status -eq 0 ] && [ "$errors" -eq 0 ]; then
  echo "ok 3 - AES-GCM (AES-NI and portable), GHASH, ChaCha20-Poly1305 (AVX2, SSE2, portable), HMAC verify, HKDF, ct_equal, Fortuna: zero memcheck reports"
else
  echo "not ok 3 - zero memcheck reports from the library (status $status)"
  sed 's/^/# /' "$log" | head -60
fi
if grep -q "round trip ok" "$log" && ! grep -q "BAD" "$log"; then
  echo "ok 4 - the operations ran and produced correct results under valgrind"
else
  echo "not ok 4 - the operations ran and produced correct results under valgrind"
  sed 's/^/# /' "$log" | head -20
fi
rm -f "$log"

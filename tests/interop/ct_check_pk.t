#!/usr/bin/env bash
# Constant-time check of the public-key crypto (X25519, Ed25519 sign, ECDSA
# sign, ECDH, RSA sign and keygen, ML-KEM-768 decaps) under valgrind memcheck, secrets
# marked undefined (TAP output). The library run must have zero reports;
# the negative control must have reports, or the check would be blind.
set -u
B=${MOTE_BUILD:-_build}
bin=$B/obj/tests/ct_crypto_pk
supp=tests/ct/ct_pk.supp
echo "1..3"
if ! command -v valgrind > /dev/null || [ ! -x "$bin" ]; then
  echo "not ok 1 - valgrind and $bin present"
  exit 1
fi
vg() { valgrind --tool=memcheck --error-exitcode=99 --track-origins=yes \
  --suppressions=$supp --quiet "$@"; }
log=$(mktemp)

vg "$bin" control > "$log" 2>&1
if grep -q "Conditional jump or move depends on uninitialised" "$log" &&
   grep -q "Use of uninitialised value of size" "$log"; then
  echo "ok 1 - negative control: a secret branch and a secret index are reported"
else
  echo "not ok 1 - negative control: a secret branch and a secret index are reported"
  sed 's/^/# /' "$log" | head -30
fi

vg "$bin" lib > "$log" 2>&1
status=$?
errors=$(grep -c "^==[0-9]*== [A-Z]" "$log")
if [ $status -eq 0 ] && [ "$errors" -eq 0 ]; then
  echo "ok 2 - X25519, Ed25519 sign, ECDSA sign + ECDH (P-256, P-384), RSA-2048 sign (PKCS#1, PSS) and keygen, ML-KEM-768 decaps: zero memcheck reports"
else
  echo "not ok 2 - zero memcheck reports from the public-key code (status $status)"
  sed 's/^/# /' "$log" | head -80
fi
if grep -q "round trip ok" "$log" && ! grep -q "BAD" "$log"; then
  echo "ok 3 - the operations ran and gave correct results under valgrind"
else
  echo "not ok 3 - the operations ran and gave correct results under valgrind"
  sed 's/^/# /' "$log" | grep -v "^# ==" | head -20
fi
rm -f "$log"

#!/usr/bin/env bash
# Public-key crypto benchmark: Mote against OpenSSL's libcrypto in the same
# binary (bench/crypto_pk.c), one core, same run. Writes the table, with
# the machine and OpenSSL version, to bench/results/YYYY-MM-DD-crypto-pk.md.
#
# Usage: bench/crypto_pk.sh [BUILD_DIR]   (SECS=0.4 per side and round)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-${MOTE_BUILD:-_build}}
SECS=${SECS:-0.4}
BIN=$B/obj/bench/crypto_pk
OUT=${BENCH_OUT:-bench/results/$(date +%F)-crypto-pk.md}
[ -x "$BIN" ] || { echo "crypto_pk.sh: $BIN missing; run 'make bench'" >&2; exit 2; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
{
  echo "# Public-key crypto: Mote vs OpenSSL $(openssl version | cut -d' ' -f2) ($(date +%F))"
  echo
  echo "\`bench/crypto_pk.sh\` at $rev: both libraries in one binary"
  echo "(bench/crypto_pk.c), same run, one core of a $(nproc)-core $cpu"
  echo "machine (shared: other jobs ran at the same time, so single rows can"
  echo "move by 10-20% between runs); best of three alternating rounds of"
  echo "${SECS} s of process CPU time per side (CPU time, not wall time, so that"
  echo "time spent descheduled is not counted). Ratio = Mote / OpenSSL, higher"
  echo "is better; the aim is 0.8. OpenSSL 3.0 has no ML-KEM, so those rows"
  echo "are Mote alone."
  echo
  "$BIN" "$SECS"
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"

#!/usr/bin/env bash
# X.509 parsing benchmark: Mote's certificate parser against OpenSSL's
# d2i_X509 in one binary (bench/x509_parse.c), same run, on the system
# bundle. Writes bench/results/YYYY-MM-DD-x509-parse.md.
#
# Usage: bench/x509_parse.sh [BUILD_DIR]   (SECS=0.5 per measurement)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-${MOTE_BUILD:-_build}}
SECS=${SECS:-0.5}
BIN=$B/obj/bench/x509_parse
BUNDLE=${X509_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
OUT=${BENCH_OUT:-bench/results/$(date +%F)-x509-parse.md}
[ -x "$BIN" ] || { echo "x509_parse.sh: $BIN missing; run 'make bench'" >&2; exit 2; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
{
  echo "# X.509 parsing: Mote vs OpenSSL $(openssl version | cut -d' ' -f2) ($(date +%F))"
  echo
  echo "\`bench/x509_parse.sh\` at $rev: both libraries in one binary"
  echo "(bench/x509_parse.c), one core of a $(nproc)-core $cpu machine (shared:"
  echo "other jobs ran at the same time); best of three runs of ${SECS} s each,"
  echo "over every certificate of $BUNDLE. Ratio = Mote / OpenSSL, higher is"
  echo "better."
  echo
  "$BIN" "$BUNDLE" "$SECS"
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"

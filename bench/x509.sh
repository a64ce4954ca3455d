#!/usr/bin/env bash
# X.509 chain verification benchmark: Mote's mote_x509_verify against
# OpenSSL's X509_verify_cert in the same binary (bench/x509.c), same run,
# one core, on chains made by tests/x509/mkchains.sh. Writes the table, with
# the machine and OpenSSL version, to bench/results/YYYY-MM-DD-x509.md.
#
# Usage: bench/x509.sh [BUILD_DIR]   (SECS=0.5 per side and round)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-${MOTE_BUILD:-_build}}
SECS=${SECS:-0.5}
BIN=$B/obj/bench/x509
OUT=${BENCH_OUT:-bench/results/$(date +%F)-x509.md}
[ -x "$BIN" ] || { echo "x509.sh: $BIN missing; run 'make bench'" >&2; exit 2; }
D=$B/x509chains-bench
tests/x509/mkchains.sh "$D" > /dev/null
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
{
  echo "# X.509 chain verification: Mote vs OpenSSL $(openssl version | cut -d' ' -f2) ($(date +%F))"
  echo
  echo "\`bench/x509.sh\` at $rev: both libraries in one binary (bench/x509.c),"
  echo "same run, one core of a $(nproc)-core $cpu machine (shared: other jobs"
  echo "ran at the same time); best of three alternating rounds of ${SECS} s per"
  echo "side. One operation = parse the leaf and the intermediate from DER and"
  echo "verify the chain to a root already in the trust store, for a TLS server"
  echo "with a host name: Mote's mote_x509_verify; OpenSSL's d2i_X509 twice,"
  echo "X509_STORE_CTX_new/init, X509_V_FLAG_X509_STRICT, purpose sslserver,"
  echo "set1_host, X509_verify_cert. Both check two signatures (the root's own"
  echo "is not checked by either). Ratio = Mote / OpenSSL, higher is better;"
  echo "the aim is 1.0. The \"signature cache\" rows run Mote with a warm"
  echo "verified-signature cache (opts.sigcache, 64 slots, kept across calls,"
  echo "as a TLS client seeing the same intermediates would); OpenSSL the same"
  echo "as above."
  echo
  "$BIN" "$D" "$SECS"
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
rm -rf "$D"
cat "$OUT"

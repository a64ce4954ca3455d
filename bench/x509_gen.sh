#!/usr/bin/env bash
# X.509 generation benchmark: Mote's <mote/x509_gen.h> against OpenSSL's
# libcrypto in the same binary (bench/x509_gen.c), same run, one core.
# Writes the table, with the machine and OpenSSL version, to
# bench/results/YYYY-MM-DD-x509-gen.md.
#
# Usage: bench/x509_gen.sh [BUILD_DIR]   (SECS=0.4 per side and round)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-${MOTE_BUILD:-_build}}
SECS=${SECS:-0.4}
BIN=$B/obj/bench/x509_gen
OUT=${BENCH_OUT:-bench/results/$(date +%F)-x509-gen.md}
[ -x "$BIN" ] || { echo "x509_gen.sh: $BIN missing; run 'make bench'" >&2; exit 2; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
{
  echo "# X.509 generation: Mote vs OpenSSL $(openssl version | cut -d' ' -f2) ($(date +%F))"
  echo
  echo "\`bench/x509_gen.sh\` at $rev: both libraries in one binary"
  echo "(bench/x509_gen.c), same run, one core of a $(nproc)-core $cpu machine"
  echo "(shared: other jobs ran at the same time); best of three alternating"
  echo "rounds of ${SECS} s per side. \"cert\" builds and signs, to DER, the"
  echo "certificate \`mote cert new\` makes (CN, 2 DNS + 1 IP SAN,"
  echo "basicConstraints, keyUsage, extKeyUsage, SKI, AKI; the key is made"
  echo "once): Mote's mote_x509_gen_cert_write, OpenSSL's X509_new, fields,"
  echo "X509V3_EXT_conf_nid per extension, X509_sign, i2d_X509. \"keygen\" makes"
  echo "a key and writes it as PKCS#8. \"csr verify\" parses a P-256 CSR and"
  echo "checks its signature. Ratio = Mote / OpenSSL, higher is better. The"
  echo "RSA row is the crypto core's RSA signature (blinded, and checked with"
  echo "the public key before it is released)."
  echo
  "$BIN" "$SECS"
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"

#!/usr/bin/env bash
# TLS 1.3 and 1.2 benchmark: Mote's engine against OpenSSL's libssl in one binary
# (bench/tls.c), both ends of each connection in memory, same certificates
# (made here by openssl). Writes bench/results/YYYY-MM-DD-tls.md.
#
# Usage: bench/tls.sh [BUILD_DIR]   (SECS=0.5 per measurement, best of 3)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-${MOTE_BUILD:-_build}}
SECS=${SECS:-0.5}
BIN=$B/obj/bench/tls
OUT=${BENCH_OUT:-bench/results/$(date +%F)-tls.md}
[ -x "$BIN" ] || { echo "tls.sh: $BIN missing; run 'make bench'" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mk() {
  # shellcheck disable=SC2086
  openssl req -x509 $2 -nodes -keyout "$tmp/$1.key" -out "$tmp/$1.crt" \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost -days 2 2>/dev/null
}
mk p256 "-newkey ec -pkeyopt ec_paramgen_curve:P-256"
mk rsa "-newkey rsa:2048"
mk ed25519 "-newkey ed25519"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
{
  echo "# TLS 1.3 and 1.2: Mote vs OpenSSL $(openssl version | cut -d' ' -f2) ($(date +%F))"
  echo
  echo "\`bench/tls.sh\` at $rev: both libraries in one binary (bench/tls.c),"
  echo "client and server of each connection in memory on one core of a"
  echo "$(nproc)-core $cpu machine (shared: other jobs ran at the same time);"
  echo "best of three runs of ${SECS} s. Same certificates and keys for both;"
  echo "no tickets on full handshakes. Ratio = Mote / OpenSSL, higher is better."
  echo "OpenSSL's connections run through a BIO pair (one extra copy each way)"
  echo "and end with SSL_shutdown (without it OpenSSL will not resume the"
  echo "session); Mote's end after the handshake. Figures move by 20-30% from"
  echo "run to run on this shared machine: read the ratios, not the digits."
  echo "TLS 1.2 rows: the client speaks only 1.2 and offers X25519 and P-256"
  echo "(an ECDSA P-256 certificate needs its curve offered), X25519 is used;"
  echo "the server speaks 1.2 and 1.3 (Mote: defaults; OpenSSL: held to 1.2)."
  echo "X25519MLKEM768: Mote only, libssl 3.0 has no ML-KEM."
  echo
  "$BIN" "$tmp" "$SECS"
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"

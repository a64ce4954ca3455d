#!/usr/bin/env bash
# Symmetric crypto against OpenSSL (bench/crypto_sym.c): writes a markdown
# report to bench/results/YYYY-MM-DD-crypto-sym.md and prints it.
# usage: bench/crypto.sh [BUILD_DIR] [SECONDS_PER_ROW]   (after `make bench`)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-_build}
SECS=${2:-1.5}
bin=$B/obj/bench/crypto_sym
[ -x "$bin" ] || { echo "crypto.sh: $bin missing; run 'make bench'" >&2; exit 2; }
out=${BENCH_OUT:-bench/results/$(date +%F)-crypto-sym.md}
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
{
  echo "# Symmetric crypto: Mote vs OpenSSL ($(date +%F))"
  echo
  echo "- Machine: $cpu, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
  echo "- Peer: $(openssl version 2>/dev/null || echo libcrypto) through EVP, in the same binary and the same run"
  echo "- Method: one core, thread CPU time, ${SECS}s per row split into 3 alternating rounds, best round per side;"
  echo "  AEAD rows seal one message per call with a new IV and 13 bytes of AAD (a TLS record)."
  echo "- Command: \`make bench && bench/crypto.sh $B $SECS\`"
  echo
  "$bin" "$SECS"
  echo
  echo "## As on an AVX2-only CPU"
  echo
  echo "Mote at level 1 (\`MOTE_BENCH_LEVEL=1\`: no AVX-512) against OpenSSL with"
  echo "AVX-512F hidden (\`OPENSSL_ia32cap=\":~0x10000\"\`), same machine:"
  echo
  MOTE_BENCH_LEVEL=1 OPENSSL_ia32cap=":~0x10000" "$bin" "$SECS"
} | tee "$out"

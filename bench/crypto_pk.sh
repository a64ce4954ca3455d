#!/usr/bin/env bash
# Public-key crypto benchmark: Mote against OpenSSL's libcrypto in the same
# binary (bench/crypto_pk.c), one core, same run. Writes the table, with
# the machine and OpenSSL version, to bench/results/YYYY-MM-DD-crypto-pk.md.
#
# ML-KEM-768 has a second table: Mote against liboqs compiled to WebAssembly
# and noble (pure JavaScript), both under node (bench/mlkem_peers.mjs, the
# npm packages of tests/deps/npm.txt), because no Debian 12 package has a
# native ML-KEM.
#
# Usage: bench/crypto_pk.sh [BUILD_DIR]   (SECS=0.4 per side and round;
#        ROWS=TEXT keeps the main table's rows whose name contains TEXT)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-${MOTE_BUILD:-_build}}
SECS=${SECS:-0.4}
BIN=$B/obj/bench/crypto_pk
OUT=${BENCH_OUT:-bench/results/$(date +%F)-crypto-pk.md}
[ -x "$BIN" ] || { echo "crypto_pk.sh: $BIN missing; run 'make bench'" >&2; exit 2; }
# Mote's ML-KEM rows again, then the npm peers, in the same run.
mlkem_table() {
  local npm mote peers
  npm=$(tests/deps/npm.sh dir)
  echo "## ML-KEM-768: Mote vs liboqs (WebAssembly) and noble"
  echo
  if ! tests/deps/npm.sh check > /dev/null 2>&1 || ! command -v node > /dev/null; then
    echo "(peers not installed: run \`make deps\`; see tests/deps/npm.txt)"
    return
  fi
  mote=$("$BIN" "$SECS" ML-KEM)
  peers=$(node bench/mlkem_peers.mjs "$npm" "$SECS")
  echo "No package of Debian 12 has a native ML-KEM (OpenSSL 3.0, GnuTLS 3.7),"
  echo "so the peer is **liboqs compiled to WebAssembly** (npm"
  echo "@oqs/liboqs-js $(sed -n 's/^  "version": "\(.*\)",*$/\1/p' "$npm/node_modules/@oqs/liboqs-js/package.json"), run by node $(node --version)) and, for reference,"
  echo "noble post-quantum $(sed -n 's/^  "version": "\(.*\)",*$/\1/p' "$npm/node_modules/@noble/post-quantum/package.json") (pure JavaScript). Not a native"
  echo "peer: native liboqs (with its AVX2 code) would be faster than its"
  echo "WebAssembly build; not measured here. Same measure as above (best of three rounds of"
  echo "${SECS} s of CPU time); each peer call goes through its package's JS API."
  echo "Ratio = Mote / peer."
  echo
  echo "| operation         |  Mote op/s | liboqs WASM | ratio | noble JS | ratio |"
  echo "|-------------------|-----------:|------------:|------:|---------:|------:|"
  for op in keygen encaps decaps; do
    local m o n
    m=$(awk -F'|' -v op="ML-KEM-768 $op" '{ n = $2; gsub(/^ +| +$/, "", n) }
      n == op { gsub(/ /, "", $3); print $3 }' <<< "$mote")
    o=$(awk -v op="$op" '$1 == "liboqs" && $2 == op { print $3 }' <<< "$peers")
    n=$(awk -v op="$op" '$1 == "noble" && $2 == op { print $3 }' <<< "$peers")
    awk -v op="$op" -v m="$m" -v o="$o" -v n="$n" 'BEGIN {
      printf "| ML-KEM-768 %-6s | %10d | %11d | %5.2f | %8d | %5.2f |\n",
        op, m, o, m / o, n, m / n }'
  done
}

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
  echo "are Mote alone here; the second table compares them."
  echo
  "$BIN" "$SECS" ${ROWS:+"$ROWS"}
  echo
  mlkem_table
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"

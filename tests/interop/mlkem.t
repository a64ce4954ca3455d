#!/usr/bin/env bash
# ML-KEM-768 against two peers nobody here wrote: liboqs compiled to
# WebAssembly (@oqs/liboqs-js) and noble (@noble/post-quantum), under node,
# installed from npm by tests/deps.sh (tests/deps/npm.txt). Debian 12 has no
# native ML-KEM (OpenSSL 3.0, GnuTLS 3.7). Both directions, deterministic
# keygen/encaps byte for byte, the modulus check, implicit rejection: see
# tests/interop/mlkem_peers.mjs. A missing peer is a failure, not a skip.
set -u
cd "$(dirname "$0")/../.."
B=${MOTE_BUILD:-_build}
peer=$B/obj/tests/mlkem_peer
if ! command -v node > /dev/null; then
  echo "1..1"
  echo "not ok 1 - node is installed (Debian package nodejs: tests/deps.sh)"
  exit 1
fi
if [ ! -x "$peer" ]; then
  echo "1..1"
  echo "not ok 1 - $peer built (make)"
  exit 1
fi
if ! msg=$(tests/deps/npm.sh check 2>&1); then
  echo "1..1"
  echo "not ok 1 - the npm peers of tests/deps/npm.txt are installed (make deps)"
  echo "# $msg"
  exit 1
fi
MLKEM_NPM_DIR=$(tests/deps/npm.sh dir) MLKEM_PEER=$peer \
  exec node tests/interop/mlkem_peers.mjs

#!/usr/bin/env bash
# Longer runs than make test affords: every fuzzer for a minute, the echo
# app under many more connections and exchanges. Usage: tests/soak.sh BUILD
set -u
B=${1:-_build}
export MOTE_BUILD=$B
FUZZ_SECONDS=${FUZZ_SECONDS:-60} prove --exec '' -v tests/fuzz/smoke.t
# TCP on the direct stack: 200 MB each way through the lossy relay too.
TCP_LOSSY_MB=200 prove --exec '' -v tests/interop/tcp_kernel_lossy.t
ulimit -n 16384 2>/dev/null || true
"$B/bin/echo" --listen=127.0.0.1:0 2> "$B/soak-echo.log" &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 50); do grep -q 'listening on' "$B/soak-echo.log" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$B/soak-echo.log")
/usr/bin/python3 tests/interop/echo_client.py 127.0.0.1 "$port" 4000 20 1

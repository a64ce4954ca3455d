#!/usr/bin/env bash
# The echo app (apps/echo) on the direct stack, TCP included, serving the
# Linux kernel over IPv4 and IPv6 through a TAP: the same app and client as
# tests/interop/echo.t, only the stack differs.
set -u
. tests/netns/lib.sh
netns_require
ECHO=$B/bin/echo
if [ ! -x "$ECHO" ]; then
  echo "1..0 # SKIP $ECHO not built (make)"
  exit 0
fi
netns_setup
echo "1..4"
A4=$V4NET.2 A6=${V6NET}:2
ip netns exec "$NS" "$ECHO" --net=direct --tap="$TAP" --ipv4="$A4/24" \
  --ipv6="$A6/64" --listen='*:7' > "$tmp/echo.log" 2>&1 &
peer_pid=$!
for _ in $(seq 50); do grep -q 'listening on' "$tmp/echo.log" && break; sleep 0.1; done
check "echo listens on the direct stack" grep -q 'direct stack' "$tmp/echo.log"
for _ in $(seq 30); do q nsx ping -6 -c 1 -W 1 "$A6" && break; sleep 0.2; done
# As the issue asks: 100 concurrent connections, each checking its bytes.
CONNS=${NETNS_ECHO_CONNS:-100}
for a in "$A4 4" "$A6 6"; do
  set -- $a
  out=$(nsx "$PY" tests/interop/echo_client.py "$1" 7 "$CONNS" 3 "$2" 2>&1)
  check "$CONNS concurrent connections over IPv$2: $out" test $? -eq 0
done
check "echo still running" kill -0 "$peer_pid"

#!/usr/bin/env bash
# The echo app against a real client (Python's asyncio sockets) over IPv4
# and IPv6, 1000 concurrent connections each, plus its command-line errors.
set -u
B=${MOTE_BUILD:-_build}
ECHO=$B/bin/echo
PY=/usr/bin/python3
n=0
pass() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); echo "not ok $n - $*"; }
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }

ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT

"$ECHO" --listen=127.0.0.1:0 --listen='[::1]:0' 2> "$tmp/log" &
pid=$!
for _ in $(seq 50); do
  [ "$(grep -c 'listening on' "$tmp/log")" -ge 2 ] && break
  sleep 0.1
done
port4=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/log")
port6=$(sed -n 's/.*listening on \[::1\]:\([0-9]*\).*/\1/p' "$tmp/log")
check "echo listens on IPv4 and IPv6 ($port4, $port6)" test -n "$port4" -a -n "$port6"

for fam in 4 6; do
  if [ $fam = 4 ]; then host=127.0.0.1 port=$port4; else host=::1 port=$port6; fi
  out=$("$PY" tests/interop/echo_client.py "$host" "$port" 1000 3 $fam 2>&1)
  check "1000 concurrent connections over IPv$fam: $out" test $? -eq 0
done
out=$("$PY" tests/interop/echo_client.py 127.0.0.1 "$port4" 1 200 7 2>&1)
check "one connection, 200 exchanges: $out" test $? -eq 0
check "server still running" kill -0 $pid
kill $pid; wait $pid 2>/dev/null

# Idle connections are closed after --idle-timeout.
"$ECHO" --listen=127.0.0.1:0 --idle-timeout=1 2> "$tmp/log2" &
pid=$!
for _ in $(seq 50); do grep -q 'listening on' "$tmp/log2" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/log2")
closed=$("$PY" - "$port" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
t = time.monotonic(); s.settimeout(5)
print("closed" if s.recv(1) == b"" and time.monotonic() - t >= 0.9 else "open")
PY
)
check "idle connection closed after --idle-timeout=1 ($closed)" test "$closed" = closed
kill $pid; wait $pid 2>/dev/null

# Bad input: a clear message naming the thing, exit status 2 (usage) or 1.
expect_err() {
  local want=$1 pattern=$2; shift 2
  local out st
  out=$("$ECHO" "$@" 2>&1); st=$?
  if [ $st -eq "$want" ] && grep -q -- "$pattern" <<< "$out"; then
    pass "rejects $* (exit $st: $(head -1 <<< "$out"))"
  else
    fail "rejects $*: exit $st, output: $out"
  fi
}
expect_err 2 "bad --listen address '1.2.3:80'" --listen=1.2.3:80
expect_err 2 "bad --listen address '\[::1\]'" '--listen=[::1]'
expect_err 2 "bad --idle-timeout 'x'" --idle-timeout=x
expect_err 2 "unknown option '--bogus'" --bogus
expect_err 2 "bad --log setting near 'tcp:loud'" --log=tcp:loud
expect_err 1 "cannot listen on 203.0.113.1:80: address not available" \
  --listen=127.0.0.1:0 --listen=203.0.113.1:80
"$ECHO" --listen=127.0.0.1:0 2> "$tmp/log3" &
pid=$!
for _ in $(seq 50); do grep -q 'listening on' "$tmp/log3" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/log3")
expect_err 1 "cannot listen on 127.0.0.1:$port: address already in use" \
  --listen=127.0.0.1:$port
kill $pid; wait $pid 2>/dev/null
echo "1..$n"

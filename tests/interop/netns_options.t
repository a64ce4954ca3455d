#!/usr/bin/env bash
# The stack selection options (no root needed): --net=socket is the
# default, and bad network options are refused with a message naming them
# before the program serves.
set -u
B=${MOTE_BUILD:-_build}
PEER=$B/obj/tests/netns/netpeer
n=0
pass() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); echo "not ok $n - $*"; }
if [ ! -x "$PEER" ]; then
  echo "1..0 # SKIP $PEER not built (make)"
  exit 0
fi
echo "1..7"
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2> /dev/null; rm -rf "$tmp"' EXIT

# refuses ARGS... PATTERN: exit status 2 and PATTERN in the message.
refuses() {
  local pat=${*: -1}
  timeout 5 "$PEER" "${@:1:$#-1}" > "$tmp/out" 2>&1
  local st=$?
  if [ $st -eq 2 ] && grep -q -- "$pat" "$tmp/out"; then
    pass "$* refused: $(head -1 "$tmp/out")"
  else
    fail "$* (status $st): $(cat "$tmp/out")"
  fi
}
refuses --net=bogus "unknown stack"
refuses --net=direct "needs --tap"
refuses --net=direct --tap=motenotap0 "cannot attach the direct stack to .motenotap0.: no such"
refuses --net=direct --tap=x --ipv4=10.0.0.300/24 "bad network option '--ipv4=10.0.0.300/24'"
refuses --net=direct --tap=x --ipv4=10.0.0.1/24 --dhcp "exclude each other"
refuses --tap=x "needs --net=direct"

# The default is the socket stack, and the app never sees --net=socket.
"$PEER" --net=socket --port=0 > "$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 30); do grep -q ready "$tmp/log" && break; sleep 0.1; done
if grep -q 'ready (stack socket' "$tmp/log"; then
  pass "--net=socket runs on the socket stack"
else
  fail "--net=socket: $(cat "$tmp/log")"
fi

# Shared by tests/interop/netns_*.t: a network namespace with a TAP device,
# the Mote program on the direct stack on one side of it and the Linux
# kernel (ping, Python sockets, scapy, dnsmasq) on the other.
#
# Usage (from a .t script, run from the top of the tree):
#   . tests/netns/lib.sh
#   netns_require            # prints "1..0 # SKIP ..." and exits if not root
#   netns_setup              # namespace $NS, TAP $TAP with 10.$N.0.1/24 and
#                            # fd$N::1/64 on the kernel side
#   netns_relay RELAY_ARGS   # optional, before netns_start: put a lossy link
#                            # (tests/netns/relay.c) between the kernel's TAP
#                            # and a second device, $MOTE_TAP, for Mote
#   netns_start ARGS...      # runs netpeer on the direct stack with ARGS
#   nsx CMD...               # runs CMD inside the namespace
# Everything is removed on exit (trap), also after a failure.
# Addresses are private and exist only inside the namespace.

B=${MOTE_BUILD:-_build}
PEER=$B/obj/tests/netns/netpeer
PY=/usr/bin/python3
n=0
pass() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); echo "not ok $n - $*"; }
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }

netns_require() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "1..0 # SKIP netns tests need root (ip netns, TAP devices)"
    exit 0
  fi
  for t in ip ping "$PY"; do
    if ! command -v "$t" > /dev/null; then
      echo "1..0 # SKIP $t not installed (make deps)"
      exit 0
    fi
  done
  if [ ! -x "$PEER" ]; then
    echo "1..0 # SKIP $PEER not built (make)"
    exit 0
  fi
}

# A namespace and subnet number unique to this run, so parallel runs and
# leftovers of a killed run do not collide.
netns_setup() {
  NUM=$(( ($$ % 200) + 20 ))
  NS=mote-t$$
  TAP=mtap$NUM
  V4NET=10.$NUM.0
  V6NET=fd00:$NUM:
  tmp=$(mktemp -d)
  trap netns_cleanup EXIT
  trap "exit 1" INT TERM HUP PIPE
  ip netns add "$NS"
  nsx ip link set lo up
  nsx ip tuntap add dev "$TAP" mode tap
  nsx ip link set "$TAP" up
  nsx ip addr add "$V4NET.1/24" dev "$TAP"
  nsx ip -6 addr add "${V6NET}:1/64" dev "$TAP" nodad
  # The kernel side must not send RAs or redirects of its own.
  nsx sysctl -q -w net.ipv6.conf.all.forwarding=0
}

nsx() { ip netns exec "$NS" "$@"; }
# Quietly: for checks whose output would clutter the TAP stream.
q() { "$@" > /dev/null 2>&1; }

RELAY=$B/obj/tests/netns/relay
netns_relay() {
  MOTE_TAP=mtm$NUM
  nsx ip tuntap add dev "$MOTE_TAP" mode tap
  nsx sysctl -q -w "net.ipv6.conf.$MOTE_TAP.disable_ipv6=1"
  nsx ip link set "$MOTE_TAP" up
  # Not through nsx: a backgrounded shell function runs in a subshell, and
  # $! would be that subshell, not the program (which would then outlive
  # the kill in netns_cleanup). `ip netns exec` execs the program itself.
  # The log is emptied here, not by the redirection: that truncates only
  # when the child starts, and the wait below could read an earlier run's.
  : > "$tmp/relay.log"
  ip netns exec "$NS" "$RELAY" --kernel-tap="$TAP" --mote-dev="$MOTE_TAP" \
    "$@" 2> "$tmp/relay.log" &
  relay_pid=$!
  for _ in $(seq 50); do
    grep -q 'relay: ready' "$tmp/relay.log" && return 0
    sleep 0.1
  done
  cat "$tmp/relay.log" >&2
  return 1
}

# The relay's counters (after it stops): "DIR rx=.. tx=.. dropped=.. ...".
relay_stop() {
  if [ -n "${relay_pid:-}" ]; then
    kill "$relay_pid" 2> /dev/null && wait "$relay_pid" 2> /dev/null || true
  fi
  relay_pid=
  # (Called in $(...), wait cannot wait for it: poll for its last words.)
  for _ in $(seq 30); do
    [ "$(grep -c '^relay: .*rx=' "$tmp/relay.log")" -ge 2 ] && break
    sleep 0.1
  done
  grep '^relay: .*rx=' "$tmp/relay.log"
}

# Through the relay Mote's TAP has no offloads (MOTE_TAP_OFFLOAD=0): the
# relay's packet socket would see super-frames and partial checksums as
# they are, not cut and completed, and pass them on broken. So the lossy
# tests keep the plain-frame path tested; the others use the offloads.
netns_start() {
  local off=${MOTE_TAP_OFFLOAD:-}
  [ -n "${MOTE_TAP:-}" ] && off=0
  # Emptied before the start (see netns_relay): a second netns_start in one
  # script (netns_offload.t) must not find the first netpeer's "ready".
  : > "$tmp/peer.log"
  MOTE_TAP_OFFLOAD=$off \
    ip netns exec "$NS" "$PEER" --net=direct --tap="${MOTE_TAP:-$TAP}" "$@" \
    > "$tmp/peer.log" 2>&1 &
  peer_pid=$!
  for _ in $(seq 50); do
    grep -q 'netpeer: ready' "$tmp/peer.log" && return 0
    kill -0 $peer_pid 2> /dev/null || break
    sleep 0.1
  done
  cat "$tmp/peer.log" >&2
  return 1
}

netns_stop() {
  if [ -n "${peer_pid:-}" ]; then
    kill "$peer_pid" 2> /dev/null && wait "$peer_pid" 2> /dev/null || true
  fi
  peer_pid=
  return 0
}

netns_cleanup() {
  netns_stop
  [ -n "${relay_pid:-}" ] && kill "$relay_pid" 2> /dev/null
  [ -n "${dns_pid:-}" ] && kill "$dns_pid" 2> /dev/null
  ip netns del "$NS" 2> /dev/null
  rm -rf "$tmp"
}

# udp HOST PORT PAYLOAD: send one datagram from the kernel side, print the
# reply (4 s timeout; "TIMEOUT" or the error name on failure).
udp() {
  nsx "$PY" - "$@" << 'PYEOF'
import socket, sys
host, port, data = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
fam = socket.AF_INET6 if ':' in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(4)
s.connect((host, port))
try:
    s.send(data)
    sys.stdout.write(s.recv(65536).decode())
except socket.timeout:
    print("TIMEOUT")
except OSError as e:
    import errno
    print(errno.errorcode.get(e.errno, str(e)))
PYEOF
}

# stat HOST NAME: one counter of the direct stack (asks up to 5 times: the
# link may be lossy).
stat() {
  local v
  for _ in 1 2 3 4 5; do
    v=$(udp "$1" 7 STATS | sed -n "s/^$2=//p")
    [ -n "$v" ] && break
  done
  echo "$v"
}

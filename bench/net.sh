#!/usr/bin/env bash
# Direct-stack benchmark (below TCP): round trips through a TAP, against the
# least any program can do on the same TAP, same run.
#
#   1. ICMP echo, `ping -f` (one request in flight): net_tapecho (a loop
#      that edits each request into a reply: the TAP limit) vs netpeer on
#      the direct stack. Ratio = direct / limit, in round trips per second.
#   2. UDP echo, one datagram in flight, 64 and 1400 bytes, from a Python
#      client in the namespace: the direct stack over the TAP vs the same
#      program on the socket stack over the namespace's loopback (a
#      different path: the Linux stack's own best case, for scale).
#   3. The echo app (TCP), one connection, 64-byte ping-pong, same client
#      and the same two stacks/paths as 2.
#
# Needs root (a network namespace and a TAP). Results: bench/results/net.md.
# Usage: bench/net.sh [BUILD_DIR]     (COUNT=20000 pings, UDP_SECS=3)
set -euo pipefail
export MOTE_BUILD=${1:-${MOTE_BUILD:-_build}}
COUNT=${COUNT:-20000}
UDP_SECS=${UDP_SECS:-3}
OUT=bench/results/net.md
if [ "$(id -u)" -ne 0 ]; then echo "net.sh: needs root" >&2; exit 1; fi
set +u
. tests/netns/lib.sh
set -u
ECHO=$MOTE_BUILD/obj/bench/net_tapecho
for p in "$PEER" "$ECHO"; do
  [ -x "$p" ] || { echo "net.sh: $p missing; run make" >&2; exit 2; }
done
netns_setup
A4=$V4NET.2

# "rate avg_us" of a ping flood.
flood() {
  local out
  out=$(nsx ping -f -q -c "$COUNT" -W 1 "$A4")
  local recv time avg
  recv=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<< "$out")
  time=$(sed -n 's/.*time \([0-9]*\)ms.*/\1/p' <<< "$out")
  avg=$(sed -n 's|^rtt [^=]*= [0-9.]*/\([0-9.]*\)/.*|\1|p' <<< "$out")
  awk -v r="$recv" -v t="$time" -v a="$avg" \
    'BEGIN { printf "%.0f %.1f\n", r / (t / 1000), a * 1000 }'
}

# The median of 5 floods (the machine is shared: single runs are noisy).
flood5() {
  for _ in 1 2 3 4 5; do flood; done | sort -n | sed -n 3p
}

udp_rate() { # HOST SIZE -> round trips per second
  nsx "$PY" - "$1" "$2" "$UDP_SECS" << 'PYEOF'
import socket, sys, time
host, size, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
s.connect((host, 7))
d = b"x" * size
for _ in range(200):
    s.send(d); s.recv(65536)
n, t0 = 0, time.perf_counter()
while time.perf_counter() - t0 < secs:
    s.send(d); s.recv(65536); n += 1
print("%.0f" % (n / (time.perf_counter() - t0)))
PYEOF
}

tcp_rate() { # HOST -> round trips per second on one TCP connection
  nsx "$PY" - "$1" "$UDP_SECS" << 'PYEOF'
import socket, sys, time
s = socket.create_connection((sys.argv[1], 7), timeout=2)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
d = b"y" * 64
def rt():
    s.sendall(d)
    got = 0
    while got < len(d):
        got += len(s.recv(65536))
for _ in range(200):
    rt()
n, t0 = 0, time.perf_counter()
while time.perf_counter() - t0 < float(sys.argv[2]):
    rt(); n += 1
print("%.0f" % (n / (time.perf_counter() - t0)))
PYEOF
}
APP=$MOTE_BUILD/bin/echo

# 1. the TAP limit
mac=02:00:00:00:00:99
ip netns exec "$NS" "$ECHO" "$TAP" "$A4" "$mac" 2> "$tmp/echo.log" &
epid=$!
sleep 0.3
q nsx ping -c 1 -W 2 "$A4"
read -r lim_rate lim_avg < <(flood5)
kill "$epid"; wait "$epid" 2> /dev/null || true
nsx ip neigh flush dev "$TAP"

# 2. the direct stack
netns_start --ipv4="$A4/24" --no-ipv6
q nsx ping -c 1 -W 2 "$A4"
read -r dir_rate dir_avg < <(flood5)
dir_u64=$(udp_rate "$A4" 64)
dir_u1400=$(udp_rate "$A4" 1400)
netns_stop
dir_tcp=
if [ -x "$APP" ]; then
  ip netns exec "$NS" "$APP" --net=direct --tap="$TAP" --ipv4="$A4/24" \
    --no-ipv6 --listen='*:7' > "$tmp/app.log" 2>&1 &
  peer_pid=$!
  sleep 1
  dir_tcp=$(tcp_rate "$A4")
  netns_stop
fi

# 3. the socket stack on loopback, for scale
ip netns exec "$NS" "$PEER" > "$tmp/sock.log" 2>&1 &
peer_pid=$!
sleep 0.3
sock_u64=$(udp_rate 127.0.0.1 64)
sock_u1400=$(udp_rate 127.0.0.1 1400)
netns_stop
sock_tcp=
if [ -x "$APP" ]; then
  ip netns exec "$NS" "$APP" --listen=127.0.0.1:7 > "$tmp/app2.log" 2>&1 &
  peer_pid=$!
  sleep 0.5
  sock_tcp=$(tcp_rate 127.0.0.1)
  netns_stop
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mkdir -p bench/results
{
  echo "# Direct stack (below TCP): round trips through a TAP"
  echo
  echo "$(date -u +%F), $(git rev-parse --short HEAD 2> /dev/null)$(git diff --quiet 2> /dev/null || echo '+changes'), $(nproc) CPUs; bench/net.sh"
  echo
  echo "| test | direct stack | peer | ratio |"
  echo "|---|---|---|---|"
  echo "| ping -f, round trips/s (peer: net_tapecho, the TAP limit) | $dir_rate | $lim_rate | $(ratio "$dir_rate" "$lim_rate") |"
  echo "| ping -f, mean RTT µs (lower is better) | $dir_avg | $lim_avg | $(ratio "$dir_avg" "$lim_avg") |"
  echo "| UDP echo 64 B, round trips/s (peer: socket stack on loopback) | $dir_u64 | $sock_u64 | $(ratio "$dir_u64" "$sock_u64") |"
  echo "| UDP echo 1400 B, round trips/s (same) | $dir_u1400 | $sock_u1400 | $(ratio "$dir_u1400" "$sock_u1400") |"
  if [ -n "$dir_tcp" ] && [ -n "$sock_tcp" ]; then
    echo "| echo app (TCP) 64 B, 1 connection, round trips/s (same) | $dir_tcp | $sock_tcp | $(ratio "$dir_tcp" "$sock_tcp") |"
  fi
  echo
  echo "One request in flight throughout; the client is the kernel's ping or"
  echo "Python in the namespace, the same for both columns of a row. ping rows:"
  echo "median of 5 floods of $COUNT; the others one run of ${UDP_SECS} s each."
} > "$OUT"
cat "$OUT"

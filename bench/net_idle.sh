#!/usr/bin/env bash
# What idle TCP connections cost the direct stack: RSS per connection and
# CPU time per second while they sit idle.
#
# netpeer (TCP echo on port 7) on the direct stack in a namespace; a Python
# client there opens CONNS connections (default 1000), echoes 100 bytes on
# each (so both rings have been touched, as on a real connection), and
# holds them open for IDLE seconds (default 10). Reported: the process's
# VmRSS before and with the connections, per connection, and the CPU time
# (user + system, from /proc/PID/stat) the stack used over the idle
# period. Extra arguments go to netpeer (e.g. --tcp-rcvbuf=16384).
#
# Needs root. Prints one Markdown table row; bench/results/net-idle.md
# keeps the figures (see docs/tcp.md).
# Usage: bench/net_idle.sh [BUILD_DIR] [NETPEER_ARGS...]
set -euo pipefail
export MOTE_BUILD=${1:-${MOTE_BUILD:-_build}}
shift || true
CONNS=${CONNS:-1000}
IDLE=${IDLE:-10}
if [ "$(id -u)" -ne 0 ]; then echo "net_idle.sh: needs root" >&2; exit 1; fi
set +u
. tests/netns/lib.sh
set -u
netns_setup
A4=$V4NET.2
netns_start --ipv4="$A4/24" --no-ipv6 "$@"
q nsx ping -c 1 -W 2 "$A4"
rss() { awk '/^VmRSS/ {print $2}' "/proc/$peer_pid/status"; }
cpu() { awk '{ print $14 + $15 }' "/proc/$peer_pid/stat"; }
rss0=$(rss)
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
nsx "$PY" - "$A4" "$CONNS" "$IDLE" > "$tmp/client.log" 2>&1 << 'PYEOF' &
import socket, sys, time
host, n, idle = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
socks = []
for i in range(n):
    s = socket.create_connection((host, 7), timeout=10)
    s.sendall(b"x" * 100)
    got = 0
    while got < 100:
        got += len(s.recv(100))
    socks.append(s)
print("open", flush=True)
time.sleep(idle + 2)
for s in socks:
    s.close()
PYEOF
cpid=$!
for _ in $(seq 600); do grep -q open "$tmp/client.log" && break; sleep 0.1; done
sleep 1
rss1=$(rss) c0=$(cpu)
sleep "$IDLE"
c1=$(cpu) rss2=$(rss)
conns=$(stat "$A4" tcp_conns) mem=$(stat "$A4" tcp_conn_mem)
wait "$cpid" || true
hz=$(getconf CLK_TCK)
awk -v n="$CONNS" -v r0="$rss0" -v r1="$rss1" -v r2="$rss2" -v c0="$c0" \
  -v c1="$c1" -v hz="$hz" -v idle="$IDLE" -v k="$conns" -v m="$mem" \
  -v args="$*" 'BEGIN {
  printf "| %s | %d | %d kB | %d kB | %.1f kB | %d kB | %.2f ms/s |\n",
    args == "" ? "(defaults)" : args, n, r0, r2, (r2 - r0) / n, m / 1024,
    (c1 - c0) * 1000 / hz / idle }'

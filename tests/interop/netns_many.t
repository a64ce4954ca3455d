#!/usr/bin/env bash
# Many connections at once on the direct stack: 1,200 kernel connections
# to netpeer's TCP echo, all open together (the engine's connection table
# grows past its 256 built-in buckets twice over; every pcb sits in the
# timer heap while its delayed ACK or retransmission timer runs), each
# echoing its own bytes twice, then closed by the kernel; the stack must
# end holding no connection and still answer.
set -u
. tests/netns/lib.sh
netns_require
N=${NETNS_MANY:-1200}
netns_setup
A4=$V4NET.2
netns_start --ipv4="$A4/24" --no-ipv6
q nsx ping -c 1 -W 2 "$A4"
echo "1..4"
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
out=$(nsx "$PY" - "$A4" "$N" << 'PYEOF' 2>&1
import os, socket, sys
host, n = sys.argv[1], int(sys.argv[2])
socks = [socket.create_connection((host, 7), timeout=10) for _ in range(n)]
bad = 0
for rnd in range(2):
    msgs = [os.urandom(50 + (i * 7 + rnd) % 1400) for i in range(n)]
    for s, m in zip(socks, msgs):
        s.sendall(m)
    for s, m in zip(socks, msgs):
        got = b""
        while len(got) < len(m):
            b = s.recv(4096)
            if not b:
                break
            got += b
        bad += got != m
for s in socks:
    s.close()
print("open", n, "bad", bad)
PYEOF
)
check "$N connections open at once, each echoed twice ($out)" \
  test "$out" = "open $N bad 0"
# The kernel closed first: the stack's side goes CLOSE_WAIT -> LAST_ACK ->
# CLOSED (no TIME_WAIT on this side), so every connection must be gone.
for _ in $(seq 50); do
  held=$(stat "$A4" tcp_conns)
  [ "${held:-1}" -eq 0 ] && break
  sleep 0.1
done
check "every connection released after the closes (tcp_conns=$held)" test "${held:-1}" -eq 0
r=$(udp "$A4" 7 still-here)
check "the stack still answers ($r)" test "$r" = still-here
check "netpeer still running" kill -0 "$peer_pid"

#!/usr/bin/env bash
# The TCP engine on the direct stack against the Linux kernel's TCP: the
# echo app on a TAP in a network namespace, the kernel as client. Bulk
# echo with a SHA-256 check over IPv4 and IPv6, many connections at once.
set -u
. tests/netns/lib.sh
ECHO=$B/bin/echo
netns_require
[ -x "$ECHO" ] || { echo "1..0 # SKIP $ECHO not built"; exit 0; }
netns_setup
echo "1..5"

# Not through nsx: "$!" of a backgrounded shell function is a subshell, and
# killing it at cleanup would leave the app running. ip netns exec execs.
ip netns exec "$NS" "$ECHO" --net=direct --tap="$TAP" --ipv4="$V4NET.2/24" \
  --ipv6="${V6NET}:2/64" --listen=:7 > "$tmp/echo.log" 2>&1 &
peer_pid=$!
A4=$V4NET.2 A6=${V6NET}:2
for _ in $(seq 50); do nsx ping -c 1 -W 1 -q "$A4" > /dev/null 2>&1 && break; sleep 0.1; done
for _ in $(seq 30); do nsx ping -6 -c 1 -W 1 -q "$A6" > /dev/null 2>&1 && break; sleep 0.2; done

bulk() { # HOST BYTES: echo BYTES through one connection, compare digests
  nsx "$PY" - "$1" "$2" << 'PYEOF'
import socket, sys, hashlib, threading, os, time
host, n = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ':' in host else socket.AF_INET
s = socket.create_connection((host, 7), timeout=30)
data = os.urandom(1 << 20)
hs, hr = hashlib.sha256(), hashlib.sha256()
def send():
    left = n
    while left:
        k = min(left, len(data))
        s.sendall(data[:k]); hs.update(data[:k]); left -= k
    s.shutdown(socket.SHUT_WR)
t0 = time.time()
th = threading.Thread(target=send); th.start()
got = 0
while True:
    b = s.recv(1 << 16)
    if not b: break
    hr.update(b); got += len(b)
th.join()
dt = time.time() - t0
print("ok" if got == n and hs.digest() == hr.digest() else "bad %d" % got,
      "%.1f MB/s" % (n / dt / 1e6))
PYEOF
}
# The issue's 200 MB each way (an echo: 200 MB sent and 200 MB back).
MB=${TCP_BULK_MB:-200}
r=$(bulk "$A4" $((MB << 20)))
check "$MB MB each way over IPv4, SHA-256 equal ($r)" test "${r%% *}" = ok
r=$(bulk "$A6" $((MB << 20)))
check "$MB MB each way over IPv6, SHA-256 equal ($r)" test "${r%% *}" = ok

many=$(nsx "$PY" - "$A4" << 'PYEOF'
import socket, sys, os
socks = [socket.create_connection((sys.argv[1], 7), timeout=10) for _ in range(100)]
bad = 0
for i, s in enumerate(socks):
    m = os.urandom(100 + i)
    s.sendall(m)
    got = b''
    while len(got) < len(m):
        b = s.recv(4096)
        if not b: break
        got += b
    bad += got != m
for s in socks: s.close()
print("bad", bad)
PYEOF
)
check "100 concurrent connections echo ($many)" test "$many" = "bad 0"

r=$(nsx "$PY" -c "
import socket, sys
s = socket.socket(socket.AF_INET6)
s.settimeout(3)
try:
    s.connect((sys.argv[1], 9)); print('connected')
except ConnectionRefusedError: print('refused')
" "$A6")
check "closed port refused over IPv6 ($r)" test "$r" = refused
check "echo app still running" kill -0 "$peer_pid"

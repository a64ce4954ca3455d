#!/usr/bin/env bash
# The direct stack against the Linux kernel in a network namespace: ping
# and ping -6 (small and fragmented), UDP echo over both families, port
# unreachable, RST from a closed TCP port, neighbour discovery both ways.
set -u
. tests/netns/lib.sh
netns_require
netns_setup
echo "1..24"

netns_start --ipv4="$V4NET.2/24" --ipv6="${V6NET}:2/64"
check "netpeer starts on the direct stack" test $? -eq 0
A4=$V4NET.2 A6=${V6NET}:2

check "ping answers over IPv4" q nsx ping -c 3 -i 0.2 -W 2 -q "$A4"
# DAD holds the static IPv6 address tentative for about a second.
for _ in $(seq 30); do nsx ping -6 -c 1 -W 1 -q "$A6" > /dev/null && break; sleep 0.2; done
check "ping -6 answers after DAD" q nsx ping -6 -c 3 -i 0.2 -W 2 -q "$A6"
# The link-local address finishes its own DAD on its own schedule: ask
# again until it is listed.
ll=
for _ in $(seq 20); do
  ll=$(udp "$A4" 7 ADDRS | grep '^fe80' | cut -d/ -f1)
  [ -n "$ll" ] && break
  sleep 0.2
done
check "a link-local address from the MAC ($ll)" test -n "$ll"
check "ping -6 the link-local address" q nsx ping -6 -c 2 -i 0.2 -W 2 -q "$ll%$TAP"
check "ping -6 ff02::1 gets our answer" \
  sh -c "ip netns exec $NS ping -6 -c 2 -i 0.3 -W 2 ff02::1%$TAP | grep -q '$ll'"
check "IPv4 ping of 8000 bytes (fragmented both ways)" \
  q nsx ping -c 2 -i 0.2 -W 2 -q -s 8000 "$A4"
check "IPv6 ping of 8000 bytes (fragmented both ways)" \
  q nsx ping -6 -c 2 -i 0.2 -W 2 -q -s 8000 "$A6"

out=$(nsx "$PY" - "$A4" "$A6" << 'PYEOF'
import socket, sys, random
rnd = random.Random(7)
bad = 0
for host in sys.argv[1:]:
    fam = socket.AF_INET6 if ':' in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(2)
    for size in [0, 1, 7, 8, 100, 1232, 1452, 1472, 1473, 3000, 20000, 65000]:
        d = bytes(rnd.randrange(256) for _ in range(size))
        s.sendto(d, (host, 7))
        r, peer = s.recvfrom(70000)
        if r != d or peer[1] != 7:
            bad += 1
print("mismatches", bad)
PYEOF
)
check "UDP echo, 12 sizes up to 65000 bytes, IPv4 and IPv6: $out" \
  test "$out" = "mismatches 0"
check "datagrams were reassembled (reass_ok=$(stat "$A4" reass_ok))" \
  test "$(stat "$A4" reass_ok)" -gt 10

r=$(udp "$A4" 9 hello)
check "UDP to a closed port: ICMP port unreachable ($r)" test "$r" = ECONNREFUSED
r=$(udp "$A6" 9 hello)
check "UDP/IPv6 to a closed port: ICMPv6 port unreachable ($r)" test "$r" = ECONNREFUSED

tcp() {
  nsx "$PY" -c "
import socket, sys
s = socket.socket(socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET)
s.settimeout(3)
try:
    s.connect((sys.argv[1], 9)); print('connected')
except ConnectionRefusedError: print('refused')
except socket.timeout: print('timeout')
" "$1"
}
check "TCP SYN to a closed port is refused (RST) over IPv4" test "$(tcp "$A4")" = refused
check "TCP SYN to a closed port is refused (RST) over IPv6" test "$(tcp "$A6")" = refused

# The stack pings the kernel.
r=$(udp "$A4" 7 "PING $V4NET.1 56")
check "the stack pings the kernel over IPv4 ($r)" grep -q '^rtt_us=' <<< "$r"
r=$(udp "$A4" 7 "PING ${V6NET}:1 56")
check "the stack pings the kernel over IPv6 ($r)" grep -q '^rtt_us=' <<< "$r"
r=$(udp "$A4" 7 "PING $V4NET.1 5000")
check "the stack pings with 5000 bytes (fragments) ($r)" grep -q '^rtt_us=' <<< "$r"
r=$(udp "$A4" 7 "PING $A4 56")
check "the stack pings itself over IPv4 ($r)" grep -q '^rtt_us=' <<< "$r"
r=$(udp "$A4" 7 "PING $A6 3000")
check "the stack pings itself over IPv6, 3000 bytes ($r)" grep -q '^rtt_us=' <<< "$r"
r=$(udp "$A4" 7 "PING $V4NET.77 56")
check "pinging an absent neighbour times out ($r)" test "$r" = "error=ETIMEDOUT"
r=$(udp "$A4" 7 "PING 192.0.2.1 56")
check "no route off-link without a gateway ($r)" test "$r" = "error=ENETUNREACH"

lladdr=$(nsx ip neigh show "$A4" | grep -o 'lladdr [0-9a-f:]*')
check "the kernel learnt our MAC by ARP ($lladdr)" test -n "$lladdr"
check "no checksum drops in all this ($(stat "$A4" drop_checksum))" \
  test "$(stat "$A4" drop_checksum)" = 0
check "netpeer still running" kill -0 "$peer_pid"

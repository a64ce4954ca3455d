#!/usr/bin/env bash
# A SYN flood (tests/netns/synflood.py: thousands of SYNs from random
# addresses and ports of the namespace's subnets, forged with scapy) at the
# TCP echo of netpeer on the direct stack, IPv4 and IPv6, while the kernel
# connects and echoes through it: SYN cookies (RFC 4987 3.6) must carry
# the real clients, and the stack's connection memory must stay bounded
# (the counters netpeer reports over UDP, and the process's RSS).
set -u
. tests/netns/lib.sh
netns_require
if ! "$PY" -c 'import scapy' 2> /dev/null; then
  echo "1..0 # SKIP python3-scapy not installed (make deps)"
  exit 0
fi
COUNT=${SYNFLOOD_COUNT:-5000}
netns_setup
netns_start --ipv4="$V4NET.2/24" --ipv6="${V6NET}:2/64"
A4=$V4NET.2 A6=${V6NET}:2
for _ in $(seq 30); do q nsx ping -6 -c 1 -W 1 "$A6" && break; sleep 0.2; done
q nsx ping -c 1 -W 2 "$A4"
mac=$(nsx ip neigh show "$A4" | grep -o 'lladdr [0-9a-f:]*' | cut -d' ' -f2)
echo "1..12"
rss() { awk '/^VmRSS/ {print $2}' "/proc/$peer_pid/status"; }
mem0=$(stat "$A4" tcp_conn_mem) rss0=$(rss)
echo "# before: tcp_conn_mem=$mem0 rss=${rss0}kB"
clients=0
for fam in 4 6; do
  if [ $fam = 4 ]; then a=$A4 k=$V4NET.1 p=$V4NET.; else a=$A6 k=${V6NET}:1 p=${V6NET}:; fi
  c0=$(stat "$A4" tcp_cookies_sent)
  out=$(nsx "$PY" tests/netns/synflood.py "$a" "$k" "$p" "$TAP" "$mac" \
    "$COUNT" 2>&1)
  echo "$out" | sed 's/^/# /'
  sent=$(sed -n 's/^flood sent=\([0-9]*\).*/\1/p' <<< "$out")
  okc=$(sed -n 's/^client ok=\([0-9]*\) of \([0-9]*\).*/\1 \2/p' <<< "$out")
  check "IPv$fam: at least $COUNT SYNs forged and sent ($sent)" test "${sent:-0}" -ge "$COUNT"
  set -- $okc
  check "IPv$fam: the kernel client connected and echoed during the flood ($okc)" \
    test "${1:-0}" -ge 3 -a "${1:-0}" -eq "${2:-x}"
  c1=$(stat "$A4" tcp_cookies_sent)
  check "IPv$fam: answered with SYN cookies ($((c1 - c0)))" \
    test "$((c1 - c0))" -ge $((COUNT / 2))
  r=$(nsx cat /sys/class/net/$TAP/statistics/tx_dropped)
  echo "# TAP queue drops so far: $r"
  conns=$(stat "$A4" tcp_conns)
  # At most the pool's 16 spares half-open, plus the client's connections
  # so far (closing ones can linger while the flood delays their last
  # ACKs); a flood that took a connection per SYN would hold thousands.
  clients=$((clients + ${2:-0}))
  check "IPv$fam: connections held stay bounded ($conns, at most 16 + $clients)" \
    test "${conns:-999}" -le $((16 + clients))
done
mem1=$(stat "$A4" tcp_conn_mem) rss1=$(rss)
echo "# after: tcp_conn_mem=$mem1 rss=${rss1}kB"
# Connection memory is the 16 pool spares plus what the clients still
# hold; a flood that took memory per SYN would add COUNT blocks.
check "connection memory bounded ($mem0 -> $mem1 bytes)" \
  test "${mem1:-0}" -le $((mem0 + 4 * 270000))
check "RSS bounded (${rss0} -> ${rss1} kB)" test "$((rss1 - rss0))" -lt 16384
check "cookie handshakes completed ($(stat "$A4" tcp_cookies_ok))" \
  test "$(stat "$A4" tcp_cookies_ok)" -ge 1
r=$(nsx "$PY" tests/interop/echo_client.py "$A4" 7 10 3 4 2>&1)
check "10 concurrent connections echo after the floods ($r)" test $? -eq 0

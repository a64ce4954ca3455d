#!/usr/bin/env bash
# The harness's lossy link (tests/netns/relay.c: seeded drops, duplicates,
# reordering, delay) between the kernel and the direct stack. Checks that
# the link does what it is told and that the stack copes: ARP/NDP retries
# get through, duplicated and reordered fragments still reassemble.
set -u
. tests/netns/lib.sh
netns_require
netns_setup
echo "1..6"

netns_relay --loss=5 --dup=5 --reorder=5 --delay-ms=1 --seed=42
check "relay between $TAP and $MOTE_TAP" test $? -eq 0
netns_start --ipv4="$V4NET.2/24" --ipv6="${V6NET}:2/64"
check "netpeer starts behind the relay" test $? -eq 0
A4=$V4NET.2

out=$(nsx ping -c 200 -i 0.005 -W 1 -q "$A4" | grep -o '[0-9]* received')
got=${out% received}
check "200 pings over 5% loss each way: $got answered (want 150..199)" \
  test "${got:-0}" -ge 150 -a "${got:-0}" -le 199

out=$(nsx "$PY" - "$A4" << 'PYEOF'
import socket, sys, random
rnd = random.Random(3)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.3)
ok = 0
for i in range(100):
    d = bytes(rnd.randrange(256) for _ in range(3000))  # 3 fragments
    s.sendto(d, (sys.argv[1], 7))
    try:
        while True:
            r = s.recv(70000)
            if r == d:
                ok += 1
                break
    except socket.timeout:
        pass
print(ok)
PYEOF
)
# Each datagram is 3 fragments each way: ~0.95^6 = 74% survive.
check "fragmented UDP echo over the lossy link: $out of 100 (want 40..99)" \
  test "${out:-0}" -ge 40 -a "${out:-0}" -le 99
n_re=$(stat "$A4" reass_ok)
check "the stack survived (reassembled $n_re)" test "${n_re:-0}" -gt 40
r=$(relay_stop | tr '\n' ' ')
check "the relay dropped, duplicated and reordered: $r" \
  grep -qE 'dropped=[1-9].*duplicated=[1-9].*reordered=[1-9]' <<< "$r"

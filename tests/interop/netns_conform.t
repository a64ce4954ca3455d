#!/usr/bin/env bash
# TCP conformance on established connections (RFC 9293 3.10.7.4, RFC 5961,
# RFC 7323 PAWS, zero window), by forged segments: tests/netns/conform.py
# plays the peer from an address the kernel does not own, against the TCP
# echo of netpeer on the direct stack. Each case asserts on the segments
# the stack sends and on the connection's survival (data still echoes).
# CONFORM_GROUP: rst (default) or data; netns_conform_data.t runs data.
set -u
. tests/netns/lib.sh
netns_require
if ! "$PY" -c 'import scapy' 2> /dev/null; then
  echo "1..0 # SKIP python3-scapy not installed (make deps)"
  exit 0
fi
GROUP=${CONFORM_GROUP:-rst}
netns_setup
netns_start --ipv4="$V4NET.2/24" --ipv6="${V6NET}:2/64"
A4=$V4NET.2 A6=${V6NET}:2
for _ in $(seq 30); do q nsx ping -6 -c 1 -W 1 "$A6" && break; sleep 0.2; done
q nsx ping -c 1 -W 2 "$A4"
mac=$(nsx ip neigh show "$A4" | grep -o 'lladdr [0-9a-f:]*' | cut -d' ' -f2)

results=$(nsx "$PY" tests/netns/conform.py "$GROUP" "$A4" "$A6" \
  "$V4NET.99" "${V6NET}:99" "$TAP" "$mac" 2>&1)
total=$(grep -cE '^(not )?ok - ' <<< "$results")
echo "1..$((total + 2))"
while IFS= read -r l; do
  case "$l" in
    "ok - "*) pass "${l#ok - }" ;;
    "not ok - "*) fail "${l#not ok - }" ;;
    *) echo "# $l" ;;
  esac
done <<< "$results"
case $GROUP in
  rst)
    # conform.py resets four connections at exactly RCV.NXT (RST and
    # RST|ACK, both families) and closes the others with a FIN: the app's
    # reads must have failed with ECONNRESET exactly four times; and the in-window RSTs and SYNs were
    # challenged.
    r=$(stat "$A4" tcp_resets_seen)
    check "the app saw each exact RST as a reset ($r of 4)" test "${r:-0}" -eq 4
    r=$(stat "$A4" tcp_challenge_acks)
    check "challenge ACKs counted ($r)" test "${r:-0}" -ge 8
    ;;
  data)
    r=$(stat "$A4" tcp_paws_drops)
    check "PAWS drops counted ($r)" test "${r:-0}" -ge 2
    r=$(stat "$A4" drop_checksum)
    check "checksum drops counted ($r)" test "${r:-0}" -ge 2
    ;;
esac

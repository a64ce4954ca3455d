#!/usr/bin/env bash
# Hostile and odd packets at the direct stack (forged with scapy on the
# kernel side): bad checksums, truncated and oversized headers, IPv4
# options, tiny and overlapping fragments of both families, long IPv6
# extension-header chains, unknown options, bogus TCP options. Each has an
# expected answer (an echo, a drop, an ICMP error, a RST); the stack must
# still answer afterwards and its counters must show the drops.
set -u
. tests/netns/lib.sh
netns_require
if ! "$PY" -c 'import scapy' 2> /dev/null; then
  echo "1..0 # SKIP python3-scapy not installed (make deps)"
  exit 0
fi
netns_setup
netns_start --ipv4="$V4NET.2/24" --ipv6="${V6NET}:2/64"
A4=$V4NET.2 A6=${V6NET}:2
for _ in $(seq 30); do q nsx ping -6 -c 1 -W 1 "$A6" && break; sleep 0.2; done
q nsx ping -c 1 -W 2 "$A4"
mac=$(nsx ip neigh show "$A4" | grep -o 'lladdr [0-9a-f:]*' | cut -d' ' -f2)

results=$(nsx "$PY" tests/netns/hostile.py "$A4" "$A6" "$V4NET.1" \
  "${V6NET}:1" "$TAP" "$mac" 2>&1)
total=$(grep -cE '^(not )?ok - ' <<< "$results")
echo "1..$((total + 4))"
while IFS= read -r l; do
  case "$l" in
    "ok - "*) pass "${l#ok - }" ;;
    "not ok - "*) fail "${l#not ok - }" ;;
    *) echo "# $l" ;;
  esac
done <<< "$results"
check "still answers ping" q nsx ping -c 2 -i 0.2 -W 2 "$A4"
check "still answers ping -6" q nsx ping -6 -c 2 -i 0.2 -W 2 "$A6"
check "checksum drops counted ($(stat "$A4" drop_checksum))" \
  test "$(stat "$A4" drop_checksum)" -ge 3
check "reassembly drops counted ($(stat "$A4" drop_reassembly))" \
  test "$(stat "$A4" drop_reassembly)" -ge 2

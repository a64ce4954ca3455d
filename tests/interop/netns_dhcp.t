#!/usr/bin/env bash
# The direct stack configures itself from a real DHCP server and real
# router advertisements (dnsmasq on the kernel side): a DHCPv4 lease, then
# SLAAC from the advertised prefix, each checked by pinging the address
# the server handed out or the prefix implies.
set -u
. tests/netns/lib.sh
netns_require
if ! command -v dnsmasq > /dev/null; then
  echo "1..0 # SKIP dnsmasq not installed (make deps)"
  exit 0
fi
netns_setup
echo "1..6"

ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --bind-interfaces \
  --interface="$TAP" --dhcp-leasefile="$tmp/leases" \
  --dhcp-range="$V4NET.50,$V4NET.99,255.255.255.0,2m" \
  --dhcp-option=3,"$V4NET.1" \
  --enable-ra --ra-param="$TAP,5,600" --dhcp-range="${V6NET}:,ra-only,64,10m" \
  > "$tmp/dnsmasq.log" 2>&1 &
dns_pid=$!
# Up when its DHCP sockets are bound (its last start-up line; --no-daemon
# logs to stderr), bounded; a dnsmasq that died shows in its log below.
for _ in $(seq 50); do
  grep -q 'sockets bound' "$tmp/dnsmasq.log" && break
  kill -0 $dns_pid 2> /dev/null || break
  sleep 0.1
done
grep -q 'sockets bound' "$tmp/dnsmasq.log" || sed 's/^/# dnsmasq: /' "$tmp/dnsmasq.log"

netns_start --dhcp
check "netpeer starts with --dhcp" test $? -eq 0

lease=
for _ in $(seq 100); do
  lease=$(awk '{print $2, $3}' "$tmp/leases" 2> /dev/null)
  [ -n "$lease" ] && break
  sleep 0.1
done
mac=${lease% *} ip=${lease#* }
check "dnsmasq leased an address ($ip to $mac)" test -n "$lease"
check "ping the leased address" q nsx ping -c 2 -i 0.2 -W 2 "$ip"
check "UDP echo on the leased address" test "$(udp "$ip" 7 dhcp-ok)" = dhcp-ok

# SLAAC: the prefix's /64 with the modified EUI-64 of our MAC, in the
# canonical text form (RFC 5952: no leading zeros) the stack prints.
a6=$("$PY" -c "
import ipaddress, sys
m = [int(x, 16) for x in sys.argv[2].split(':')]
m[0] ^= 2
eui = '%02x%02x:%02xff:fe%02x:%02x%02x' % tuple(m)
print(ipaddress.IPv6Address(sys.argv[1] + ':' + eui).compressed)" "$V6NET" "$mac")
for _ in $(seq 50); do q nsx ping -6 -c 1 -W 1 "$a6" && break; sleep 0.2; done
check "ping -6 the SLAAC address $a6" q nsx ping -6 -c 2 -i 0.2 -W 2 "$a6"
addrs=$(udp "$ip" 7 ADDRS | tr '\n' ' ')
check "the stack lists it ($addrs)" grep -q " $a6/64 " <<< " $addrs"

#!/usr/bin/env bash
# TAP offloads against the Linux kernel: netpeer on the direct stack, bulk
# TCP both ways over IPv4 and IPv6, checked through the stack's own
# counters: with offloads (the default on a TAP with IFF_VNET_HDR) the
# stack must send super-segments (gso_tx) and take the kernel's (gso_rx)
# and partial checksums (csum_trusted_rx), with none dropped for a bad
# checksum; with MOTE_TAP_OFFLOAD=0 the same transfers go as plain frames
# and every counter stays 0. (Content is checked by tcp_kernel.t, whose
# 200 MB echoes run with offloads, and tcp_kernel_lossy.t without.)
set -u
. tests/netns/lib.sh
netns_require
netns_setup
echo "1..10"
A4=$V4NET.2 A6=${V6NET}:2

bulk() { # HOST PORT BYTES: 9 = we receive (discard), 19 = we send (source)
  nsx "$PY" - "$@" << 'PYEOF'
import socket, sys
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.create_connection((host, port), timeout=20)
buf = bytearray(1 << 20)
mv = memoryview(buf)
if port == 9:
    left = n
    while left:
        left -= s.send(mv[:min(left, len(buf))])
    s.shutdown(socket.SHUT_WR)
    while s.recv(65536):
        pass
    got = n
else:
    got = 0
    while got < n:
        k = s.recv_into(mv[:min(n - got, len(buf))])
        if not k:
            break
        got += k
s.close()
print("ok" if got == n else "short %d" % got)
PYEOF
}

run() { # LABEL: start netpeer, four 32 MB transfers, print its counters
  netns_start --ipv4="$A4/24" --ipv6="$A6/64" --bulk || return 1
  for _ in $(seq 30); do q nsx ping -6 -c 1 -W 1 "$A6" && break; sleep 0.2; done
  q nsx ping -c 1 -W 2 "$A4"
  res=
  for h in "$A4" "$A6"; do
    for p in 9 19; do res="$res $(bulk "$h" "$p" $((32 << 20)))"; done
  done
  for c in gso_tx gso_rx csum_partial_tx csum_trusted_rx drop_checksum; do
    eval "$c=\$(stat $A4 $c)"
  done
  netns_stop
  # a new program on the TAP has a new MAC: forget the old one
  nsx ip neigh del "$A4" dev "$TAP" 2> /dev/null || true
  nsx ip -6 neigh del "$A6" dev "$TAP" 2> /dev/null || true
}

run offload
check "with offloads: 32 MB each way over IPv4 and IPv6 ($res)" \
  test "$res" = " ok ok ok ok"
check "super-segments sent, cut by the kernel (gso_tx=$gso_tx)" \
  test "${gso_tx:-0}" -gt 0
check "the kernel's super-segments taken whole (gso_rx=$gso_rx)" \
  test "${gso_rx:-0}" -gt 0
check "partial checksums both ways (csum_partial_tx=$csum_partial_tx, csum_trusted_rx=$csum_trusted_rx)" \
  test "${csum_partial_tx:-0}" -gt 0 -a "${csum_trusted_rx:-0}" -gt 0
check "no frame dropped for its checksum (drop_checksum=$drop_checksum)" \
  test "$drop_checksum" = 0

MOTE_TAP_OFFLOAD=0 run plain
check "plain frames (MOTE_TAP_OFFLOAD=0): the same transfers ($res)" \
  test "$res" = " ok ok ok ok"
check "no super-segments either way (gso_tx=$gso_tx gso_rx=$gso_rx)" \
  test "$gso_tx" = 0 -a "$gso_rx" = 0
check "no partial checksums (csum_partial_tx=$csum_partial_tx csum_trusted_rx=$csum_trusted_rx)" \
  test "$csum_partial_tx" = 0 -a "$csum_trusted_rx" = 0
check "no frame dropped for its checksum (drop_checksum=$drop_checksum)" \
  test "$drop_checksum" = 0
check "the namespace's kernel is still fine" q nsx ping -c 1 -W 2 "$V4NET.1"

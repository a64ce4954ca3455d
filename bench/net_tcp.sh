#!/usr/bin/env bash
# Bulk TCP throughput of the direct stack against the TAP limit and against
# the Linux stack on the same kind of path, same run.
#
#   1. The TAP limits, with no stack at all: bench/net_tapecho reflecting
#      UDP datagrams (a read, an in-place edit, a write; bench/net_blast
#      in the namespace keeps 64 full-size datagrams in flight); and one
#      way each: the kernel blasting at net_tapecho's sink, net_tapecho's
#      source writing to the kernel. Frames/s and Gbit/s of frames.
#   2. The direct stack (netpeer: TCP discard on port 9, an endless source
#      on port 19) and the kernel as the other end through the TAP: MB
#      sent to it (receive) and read from it (send), IPv4 and IPv6, one
#      connection, Python's socket calls with 1 MiB buffers on the kernel
#      side. Twice per round: with the TAP's offloads (IFF_VNET_HDR:
#      64 KiB super-segments and partial checksums both ways, the
#      default) and with plain frames (MOTE_TAP_OFFLOAD=0, as before
#      offloads existed).
#   3. Linux to Linux on the same kind of path: the namespace's kernel and
#      a second namespace's kernel joined by two TAPs and
#      bench/net_tapbridge (a read and a write per frame in user space, as
#      for Mote); the same client, a Python discard/source server there.
#   4. Linux to Linux over a veth pair (no user space in the path): the
#      kernel's best case, for scale.
# Each figure is the median of RUNS (3) rounds; a round measures every
# figure once (so a busy moment of this shared machine hits all columns),
# transfers of MB (256) megabytes.
# Ratios: TCP goodput over the TAP limit's Gbit/s, and direct over Linux.
#
# Needs root. Results: bench/results/<date>-net-tcp.md.
# Usage: bench/net_tcp.sh [BUILD_DIR]
set -euo pipefail
export MOTE_BUILD=${1:-${MOTE_BUILD:-_build}}
MB=${MB:-256}
RUNS=${RUNS:-3}
OUT=${OUT:-bench/results/$(date -u +%F)-net-tcp.md}
if [ "$(id -u)" -ne 0 ]; then echo "net_tcp.sh: needs root" >&2; exit 1; fi
set +u
. tests/netns/lib.sh
set -u
ECHO=$MOTE_BUILD/obj/bench/net_tapecho
BLAST=$MOTE_BUILD/obj/bench/net_blast
BRIDGE=$MOTE_BUILD/obj/bench/net_tapbridge
for p in "$PEER" "$ECHO" "$BLAST" "$BRIDGE"; do
  [ -x "$p" ] || { echo "net_tcp.sh: $p missing; run make" >&2; exit 2; }
done
netns_setup
NS2=mote-b$$
bpid=
cleanup2() {
  [ -n "$bpid" ] && kill "$bpid" 2> /dev/null
  [ -n "${spid:-}" ] && kill "$spid" 2> /dev/null
  ip netns del "$NS2" 2> /dev/null
  netns_cleanup
}
trap cleanup2 EXIT
A4=$V4NET.2 A6=${V6NET}:2
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# bulk HOST PORT NS -> Gbit/s of payload (port 9: we send; 19: we read)
bulk() {
  ip netns exec "$3" "$PY" - "$1" "$2" "$((MB << 20))" << 'PYEOF'
import socket, sys, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.create_connection((host, port), timeout=30)
buf = bytearray(1 << 20)
mv = memoryview(buf)
t0 = time.perf_counter()
if port == 9:
    left = n
    while left:
        left -= s.send(mv[:min(left, len(buf))])
    s.shutdown(socket.SHUT_WR)
    while s.recv(65536):  # the server closes after reading everything
        pass
    got = n
else:
    got = 0
    while got < n:
        k = s.recv_into(mv[:min(n - got, len(buf))])
        if not k:
            break
        got += k
dt = time.perf_counter() - t0
s.close()
print("%.3f" % (got * 8 / dt / 1e9) if got == n else "0")
PYEOF
}

# ---- The Linux references, set up once (own subnets: 10.N.1/24 and
# fd00:N:1::/64 through the TAP bridge, 10.N.2/24 and fd00:N:2::/64 over
# the veth; the far ends in NS2, where a Python discard/source serves).
SERVER='
import socket, sys, threading
def serve(fam, port):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", port))
    s.listen(8)
    buf = bytearray(1 << 20)
    while True:
        c, _ = s.accept()
        try:
            if port == 9:
                while c.recv_into(buf):
                    pass
                c.shutdown(socket.SHUT_WR)
            else:
                while True:
                    c.sendall(buf)
        except OSError:
            pass
        c.close()
for fam in (socket.AF_INET, socket.AF_INET6):
    for port in (9, 19):
        threading.Thread(target=serve, args=(fam, port), daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
'
ip netns add "$NS2"
ip netns exec "$NS2" ip link set lo up
n2() { ip netns exec "$NS2" "$@"; }
BA=tba$NUM BB=tbb$NUM
nsx ip tuntap add dev "$BA" mode tap
nsx ip tuntap add dev "$BB" mode tap
ip netns exec "$NS" "$BRIDGE" "$BA" "$BB" 2> "$tmp/bridge.log" &
bpid=$!
for _ in $(seq 30); do grep -q ready "$tmp/bridge.log" && break; sleep 0.1; done
nsx ip link set "$BB" netns "$NS2"
nsx ip link set "$BA" up
nsx ip addr add "10.$NUM.1.1/24" dev "$BA"
nsx ip -6 addr add "fd00:$NUM:1::1/64" dev "$BA" nodad
n2 ip link set "$BB" up
n2 ip addr add "10.$NUM.1.2/24" dev "$BB"
n2 ip -6 addr add "fd00:$NUM:1::2/64" dev "$BB" nodad
nsx ip link add vA$NUM type veth peer name vB$NUM
nsx ip link set vB$NUM netns "$NS2"
nsx ip link set vA$NUM up
nsx ip addr add "10.$NUM.2.1/24" dev vA$NUM
nsx ip -6 addr add "fd00:$NUM:2::1/64" dev vA$NUM nodad
n2 ip link set vB$NUM up
n2 ip addr add "10.$NUM.2.2/24" dev vB$NUM
n2 ip -6 addr add "fd00:$NUM:2::2/64" dev vB$NUM nodad
ip netns exec "$NS2" "$PY" -c "$SERVER" > "$tmp/server.log" 2>&1 &
spid=$!
for _ in $(seq 30); do grep -q ready "$tmp/server.log" && break; sleep 0.1; done
for a in 10.$NUM.1.2 10.$NUM.2.2 fd00:$NUM:1::2 fd00:$NUM:2::2; do
  for _ in $(seq 20); do q nsx ping -c 1 -W 1 "$a" && break; sleep 0.2; done
done
kmac=$(nsx cat "/sys/class/net/$TAP/address")
nsx ip neigh replace "$V4NET.3" lladdr 02:00:00:00:00:03 dev "$TAP"
ctr() { nsx cat "/sys/class/net/$TAP/statistics/$1"; }

# ---- RUNS rounds, each measuring everything once (the machine is shared:
# interleaving keeps the columns of one row under the same load).
for round in $(seq "$RUNS"); do
  # 1. the TAP limits
  ip netns exec "$NS" "$ECHO" "$TAP" "$A4" 02:00:00:00:00:99 2> /dev/null &
  epid=$!
  sleep 0.2
  q nsx ping -c 1 -W 2 "$A4"
  nsx "$BLAST" "$A4" 9 1472 2 64 >> "$tmp/echo"
  kill "$epid"; wait "$epid" 2> /dev/null || true
  ip netns exec "$NS" "$ECHO" "$TAP" "$A4" 02:00:00:00:00:99 sink 2 \
    >> "$tmp/sink" 2> /dev/null &
  sp=$!
  sleep 0.2
  nsx "$BLAST" "$V4NET.3" 9 1472 2.5 0 > /dev/null
  wait "$sp"
  r0=$(ctr rx_packets) d0=$(ctr rx_dropped)
  ip netns exec "$NS" "$ECHO" "$TAP" "$A4" 02:00:00:00:00:99 source 2 \
    "$V4NET.1" "$kmac" > /dev/null 2>&1
  r1=$(ctr rx_packets) d1=$(ctr rx_dropped)
  echo "$(( (r1 - r0 - (d1 - d0)) / 2 ))" >> "$tmp/source"
  nsx ip neigh del "$A4" dev "$TAP" 2> /dev/null || true
  # 2. the direct stack, plain frames (p_*) then with offloads (d_*)
  for mode in p d; do
    if [ $mode = p ]; then export MOTE_TAP_OFFLOAD=0; else unset MOTE_TAP_OFFLOAD; fi
    netns_start --ipv4="$A4/24" --ipv6="$A6/64" --bulk
    unset MOTE_TAP_OFFLOAD
    for _ in $(seq 30); do q nsx ping -6 -c 1 -W 1 "$A6" && break; sleep 0.2; done
    q nsx ping -c 1 -W 2 "$A4"
    bulk "$A4" 9 "$NS" >> "$tmp/${mode}_rx4"
    s0=$(cat "/proc/$peer_pid/schedstat")
    bulk "$A4" 19 "$NS" >> "$tmp/${mode}_tx4"
    s1=$(cat "/proc/$peer_pid/schedstat")
    # the stack's CPU during the IPv4 send: ns run, ns runnable but waiting
    echo "$s0 $s1" | awk '{ print $4 - $1, $5 - $2 }' >> "$tmp/${mode}_sched_tx4"
    bulk "$A6" 9 "$NS" >> "$tmp/${mode}_rx6"
    bulk "$A6" 19 "$NS" >> "$tmp/${mode}_tx6"
    stat "$A4" tcp_retransmits >> "$tmp/${mode}_rexmt"
    if [ $mode = d ]; then
      for c in gso_tx gso_tx_bytes gso_rx gso_rx_bytes; do
        echo "$(stat "$A4" $c)" >> "$tmp/$c"
      done
    fi
    netns_stop
    nsx ip neigh del "$A4" dev "$TAP" 2> /dev/null || true
    nsx ip -6 neigh del "$A6" dev "$TAP" 2> /dev/null || true
  done
  # 3. Linux to Linux through the TAP bridge, 4. over the veth
  bulk "10.$NUM.1.2" 9 "$NS" >> "$tmp/l_rx4"
  bulk "10.$NUM.1.2" 19 "$NS" >> "$tmp/l_tx4"
  bulk "fd00:$NUM:1::2" 9 "$NS" >> "$tmp/l_rx6"
  bulk "fd00:$NUM:1::2" 19 "$NS" >> "$tmp/l_tx6"
  bulk "10.$NUM.2.2" 9 "$NS" >> "$tmp/v_rx4"
  bulk "10.$NUM.2.2" 19 "$NS" >> "$tmp/v_tx4"
  bulk "fd00:$NUM:2::2" 9 "$NS" >> "$tmp/v_rx6"
  bulk "fd00:$NUM:2::2" 19 "$NS" >> "$tmp/v_tx6"
done
med() { median < "$tmp/$1"; }
lim_fps=$(sed 's/frames_per_s=\([0-9]*\).*/\1/' "$tmp/echo" | median)
lim_gbit=$(sed 's/.*gbit_per_s=//' "$tmp/echo" | median)
in_fps=$(sed 's/frames_per_s=\([0-9]*\).*/\1/' "$tmp/sink" | median)
in_gbit=$(sed 's/.*gbit_per_s=//' "$tmp/sink" | median)
out_fps=$(med source)
out_gbit=$(awk -v f="$out_fps" 'BEGIN { printf "%.3f", f * 1514 * 8 / 1e9 }')
d_rx4=$(med d_rx4) d_tx4=$(med d_tx4) d_rx6=$(med d_rx6) d_tx6=$(med d_tx6)
p_rx4=$(med p_rx4) p_tx4=$(med p_tx4) p_rx6=$(med p_rx6) p_tx6=$(med p_tx6)
l_rx4=$(med l_rx4) l_tx4=$(med l_tx4) l_rx6=$(med l_rx6) l_tx6=$(med l_tx6)
v_rx4=$(med v_rx4) v_tx4=$(med v_tx4) v_rx6=$(med v_rx6) v_tx6=$(med v_tx6)
rexmt=$(awk '{ s += $1 } END { print s }' "$tmp/d_rexmt")
p_rexmt=$(awk '{ s += $1 } END { print s }' "$tmp/p_rexmt")
run_tx4=$(awk '{ printf "%.2f\n", $1 / 1e9 }' "$tmp/d_sched_tx4" | median)
wait_tx4=$(awk '{ printf "%.2f\n", $2 / 1e9 }' "$tmp/d_sched_tx4" | median)
p_run_tx4=$(awk '{ printf "%.2f\n", $1 / 1e9 }' "$tmp/p_sched_tx4" | median)
p_wait_tx4=$(awk '{ printf "%.2f\n", $2 / 1e9 }' "$tmp/p_sched_tx4" | median)
avg() { # COUNT_FILE BYTES_FILE -> mean bytes per super-frame
  paste "$tmp/$1" "$tmp/$2" | awk '{ n += $1; b += $2 } END { if (n) printf "%d", b / n; else print 0 }'
}
gso_tx_n=$(awk '{ s += $1 } END { print s }' "$tmp/gso_tx")
gso_rx_n=$(awk '{ s += $1 } END { print s }' "$tmp/gso_rx")
spread() { sort -g "$tmp/$1" | sed -n '1p;$p' | paste -sd- ; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
row() { # NAME DIRECT PLAIN ONE_WAY_LIMIT LINUX_TAP LINUX_VETH
  echo "| $1 | $2 | $(ratio "$2" "$4") | $3 | $(ratio "$3" "$4") | $(ratio "$2" "$3") | $5 | $(ratio "$2" "$5") | $(ratio "$3" "$5") | $6 |"
}
mkdir -p bench/results
{
  echo "# Direct stack: bulk TCP through a TAP"
  echo
  echo "$(date -u +%F), $(git rev-parse --short HEAD 2> /dev/null)$(git diff --quiet 2> /dev/null || echo '+changes'), $(nproc) CPUs; bench/net_tcp.sh (MB=$MB, median of $RUNS)"
  echo
  echo "TAP limits (1514-byte frames; Gbit/s of whole frames):"
  echo
  echo "| TAP limit | frames/s | Gbit/s |"
  echo "|---|---|---|"
  echo "| echo: net_tapecho reflects UDP, 64 in flight (each way) | $lim_fps | $lim_gbit |"
  echo "| kernel → program: kernel UDP blast, net_tapecho sink reads | $in_fps | $in_gbit |"
  echo "| program → kernel: net_tapecho source writes, kernel receives | $out_fps | $out_gbit |"
  echo
  echo "Goodput in Gbit/s (TCP payload), one connection, the kernel at the"
  echo "other end. *send*: the stack sends, the kernel reads; *receive*: the"
  echo "kernel sends."
  echo
  echo "| transfer | direct, offloads | / one-way limit | direct, plain frames | / one-way limit | offloads / plain | Linux↔Linux via TAP bridge | offloads / Linux | plain / Linux | Linux↔Linux over veth |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  row "IPv4 receive" "$d_rx4" "$p_rx4" "$in_gbit" "$l_rx4" "$v_rx4"
  row "IPv4 send" "$d_tx4" "$p_tx4" "$out_gbit" "$l_tx4" "$v_tx4"
  row "IPv6 receive" "$d_rx6" "$p_rx6" "$in_gbit" "$l_rx6" "$v_rx6"
  row "IPv6 send" "$d_tx6" "$p_tx6" "$out_gbit" "$l_tx6" "$v_tx6"
  echo
  echo "With offloads the stack writes and reads up to 64 KiB per system"
  echo "call, so the one-way limits (one 1514-byte frame per call) no longer"
  echo "bound it: a ratio above 1 says by how much it passes them. Over the"
  echo "four transfers x $RUNS the stack sent $gso_tx_n super-frames of"
  echo "$(avg gso_tx gso_tx_bytes) bytes on average and received $gso_rx_n of $(avg gso_rx gso_rx_bytes)."
  echo "The Linux↔Linux bridge (net_tapbridge) moves plain frames, one per"
  echo "read and write, like the stack's plain-frame path."
  echo
  echo "Direct-stack retransmissions over the four transfers x $RUNS: $rexmt"
  echo "with offloads, $p_rexmt with plain frames."
  echo "The stack's process during the IPv4 send (median, /proc/PID/schedstat):"
  echo "with offloads it ran ${run_tx4} s and was runnable but waiting for a"
  echo "CPU ${wait_tx4} s; with plain frames ${p_run_tx4} s and ${p_wait_tx4} s."
  echo "Spread (min-max) of the direct stack's runs with offloads: IPv4"
  echo "receive $(spread d_rx4), send $(spread d_tx4); IPv6 receive $(spread d_rx6),"
  echo "send $(spread d_tx6); plain frames: IPv4 receive $(spread p_rx4), send"
  echo "$(spread p_tx4); IPv6 receive $(spread p_rx6), send $(spread p_tx6);"
  echo "of the echo limit $(sed 's/.*gbit_per_s=//' "$tmp/echo" | sort -g | sed -n '1p;$p' | paste -sd-)."
  echo "The limits count whole frames (1514 bytes); TCP goodput counts"
  echo "payload (1448 bytes per 1514-byte frame with timestamps, 1428 over"
  echo "IPv6), so 0.96 (IPv4) / 0.94 (IPv6) of a one-way limit is the most"
  echo "a stack can show. The echo limit keeps full frames in both"
  echo "directions; TCP's reverse direction carries only ACKs, so bulk"
  echo "TCP can exceed it. The one-way limit for *receive* is kernel →"
  echo "program (the stack reads the data frames), for *send* program →"
  echo "kernel."
} > "$OUT"
cat "$OUT"

#!/usr/bin/env bash
# spt against unix, same run: image size, boot time to mote_main, resident
# size, and (as root) time from exec to the first request served. Prints a
# markdown report and saves it under bench/results/. Builds nothing: `make`
# builds the images, the tender and bench/spt_boot.
#
# usage: bench/spt.sh [BUILD_DIR]    knobs: SPT_BOOTS=50, BENCH_OUT=FILE
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-_build}
N=${SPT_BOOTS:-50}
OUT=${BENCH_OUT:-bench/results/$(date +%F)-spt.md}
T=$B/bin/mote-spt
for f in "$T" "$B/spt/bin/echo.spt" "$B/bin/echo" "$B/spt/bench/boot.spt" \
    "$B/obj/bench-spt/boot" "$B/obj/bench/spt_boot" "$B/spt/tests/netup.spt"; do
  [ -e "$f" ] || { echo "spt.sh: $f missing; run make" >&2; exit 2; }
done
tmp=$(mktemp -d)
NS=motebench$$
trap 'ip netns del $NS 2>/dev/null || true; rm -rf "$tmp"' EXIT

size() { strip -o "$tmp/s" "$1" && stat -c %s "$tmp/s"; }
{
echo "# spt vs unix — $(date -u '+%F %H:%M UTC')"
echo
echo "Host: $(uname -srm), $(nproc) CPUs. Command: \`bench/spt.sh $*\`."
echo
echo "## Image size (stripped, bytes)"
echo
echo "| program | size | needs at run time |"
echo "|---|---:|---|"
echo "| echo.spt (spt image: app + Mote + libc subset) | $(size "$B/spt/bin/echo.spt") | mote-spt ($(size "$T") bytes stripped) |"
echo "| echo (unix program) | $(size "$B/bin/echo") | $(ldd "$B/bin/echo" | awk '/=>/ {print $1}' | tr '\n' ' ')|"
if [ -e "$B/spt/bin/www.spt" ] && [ -e "$B/bin/www" ]; then
  echo "| www.spt (the demo site baked in, HTTP/1.1, direct stack) | $(size "$B/spt/bin/www.spt") | mote-spt |"
  echo "| www (unix program, same site baked in) | $(size "$B/bin/www") | $(ldd "$B/bin/www" | awk '/=>/ {print $1}' | tr '\n' ' ')|"
fi
echo
echo "## Boot: exec to the first instruction of mote_main ($N boots each, interleaved)"
echo
echo "Probe: bench/spt/boot.c, the same source for both targets; RSS read"
echo "from /proc while it sleeps after booting."
echo
"$B/obj/bench/spt_boot" "$N" "$T" "$B/spt/bench/boot.spt" "$B/obj/bench-spt/boot"
echo
echo "## Exec to the first request served ($N runs each)"
echo
if [ "$(id -u)" != 0 ] || ! command -v ip > /dev/null; then
  echo "Skipped: needs root for a TAP in a network namespace."
else
  ip netns add $NS; ip -n $NS link set lo up
  ip -n $NS tuntap add dev tap0 mode tap
  ip -n $NS addr add 10.0.0.1/24 dev tap0; ip -n $NS link set tap0 up
  echo "spt: the images on the direct stack, through the sandbox and a TAP,"
  echo "from the kernel in a network namespace (the ARP exchange is part of"
  echo "the first request); echo.spt is the same echo source as the unix"
  echo "program, which serves over the host socket stack on loopback."
  echo
  ip netns exec $NS python3 - "$N" "$T" "$B/spt/tests/netup.spt" "$B/bin/echo" "$B/spt/bin/echo.spt" <<'PY'
import os, socket, statistics, subprocess, sys, time
n, tender, netup, echo, echo_spt = (int(sys.argv[1]), sys.argv[2], sys.argv[3],
                                    sys.argv[4], sys.argv[5])
def first_udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setblocking(False)
    t0 = time.monotonic()
    p = subprocess.Popen([tender, "--net:service=tap0", netup,
                          "--ipv4=10.0.0.2/24", "--no-ipv6", "5"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.monotonic() - t0 < 5:
            s.sendto(b"x", ("10.0.0.2", 7))
            time.sleep(0.0002)
            try:
                s.recvfrom(16); return time.monotonic() - t0
            except BlockingIOError:
                pass
        raise SystemExit("no UDP answer in 5 s")
    finally:
        p.kill(); p.wait(); s.close()
def first_tcp(port, spt=False):
    # A new non-blocking connect every 0.5 ms until one completes: a SYN
    # sent before the server listens is lost or refused, and waiting for
    # the kernel's 1 s retransmission would measure the kernel, not us.
    import select
    host = "10.0.0.2" if spt else "127.0.0.1"
    argv = ([tender, "--net:service=tap0", echo_spt, "--ipv4=10.0.0.2/24",
             "--no-ipv6", "--listen=10.0.0.2:%d" % port] if spt else
            [echo, "--listen=127.0.0.1:%d" % port])
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    pending = []
    try:
        while time.monotonic() - t0 < 5:
            c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            c.setblocking(False)
            c.connect_ex((host, port))
            pending.append(c)
            _, w, _ = select.select([], pending, [], 0.0005)
            for c in w:
                pending.remove(c)
                if c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                    c.close(); continue
                c.setblocking(True); c.settimeout(2)
                c.sendall(b"x"); c.recv(16); c.close()
                return time.monotonic() - t0
        raise SystemExit("no TCP answer in 5 s")
    finally:
        for c in pending: c.close()
        p.kill(); p.wait()
u, t, ts = [], [], []
for i in range(n):
    u.append(first_udp())
    ts.append(first_tcp(7007, spt=True))
    t.append(first_tcp(17000 + i))
def rss_after_load(spt):
    # Resident size after serving 10 concurrent connections (3 exchanges
    # each) and one of 50 exchanges, with tests/interop/echo_client.py.
    host = "10.0.0.2" if spt else "127.0.0.1"
    argv = ([tender, "--net:service=tap0", echo_spt, "--ipv4=10.0.0.2/24",
             "--no-ipv6", "--listen=10.0.0.2:7007"] if spt else
            [echo, "--listen=127.0.0.1:7008"])
    port = 7007 if spt else 7008
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        subprocess.run(["ping", "-c1", "-W1", host], stdout=subprocess.DEVNULL)
        for conns, rounds in ((10, 3), (1, 50)):
            subprocess.run([sys.executable, "tests/interop/echo_client.py",
                            host, str(port), str(conns), str(rounds), "4"],
                           stdout=subprocess.DEVNULL, check=True)
        for line in open("/proc/%d/status" % p.pid):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    finally:
        p.kill(); p.wait()
def row(name, v):
    v = sorted(x * 1e3 for x in v)
    print("| %s | %.2f | %.2f |" % (name, statistics.median(v), v[int((len(v) - 1) * 0.9)]))
print("| program | median (ms) | p90 (ms) |\n|---|---:|---:|")
row("spt: echo.spt, first TCP echo", ts)
row("unix: echo, first TCP echo", t)
row("spt: netup.spt (tests/spt), first UDP echo", u)
print()
print("Resident size after serving 10 concurrent TCP connections and one of")
print("50 exchanges (KiB): spt echo.spt %d (guest memory and tender), unix "
      "echo %d." % (rss_after_load(True), rss_after_load(False)))
PY
fi
} | tee "$tmp/report"
mkdir -p "$(dirname "$OUT")"
cp "$tmp/report" "$OUT"
echo "(saved to $OUT)" >&2

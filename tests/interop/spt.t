#!/usr/bin/env bash
# The spt target: test guests run under the mote-spt tender. The sandbox
# must kill every call outside the ABI with SIGSYS, overflows must stop the
# guest with a clear message, malformed images and options must be refused
# with one, and the block device must work through the filter.
set -u
B=${MOTE_BUILD:-_build}
T=$B/bin/mote-spt
G=$B/spt/tests
n=0
pass() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run EXPECTED_STATUS PATTERN DESCRIPTION -- COMMAND...: the command's exit
# status must equal EXPECTED_STATUS and its output must match PATTERN.
run() {
  local want=$1 pat=$2 desc=$3; shift 4
  "$@" > "$tmp/out" 2>&1
  local st=$?
  if [ "$st" -eq "$want" ] && grep -qE -- "$pat" "$tmp/out"; then
    pass "$desc"
  else
    fail "$desc (status $st, want $want; output: $(head -c 300 "$tmp/out" | tr '\n' '|'))"
  fi
}

# ---- hello: the command line arrives intact, the exit status leaves intact.
run 0 '^argv\[3\]=<d e\\f"g>$' "hello prints its command line, quoting intact" \
  -- "$T" "$G/hello.spt" a "" 'd e\f"g'
grep -qx 'argv\[1\]=<a>' "$tmp/out" && pass "hello: argv[1]" || fail "hello: argv[1]"
run 3 'hello from spt: 2 arguments' "the guest's exit status is the tender's" \
  -- "$T" "$G/hello.spt" x
run 0 'argv\[1\]=<--not-a-tender-option>' "arguments after IMAGE belong to the guest" \
  -- "$T" "$G/hello.spt" --not-a-tender-option

# ---- the sandbox: each forbidden call dies with SIGSYS (status 128 + 31).
for c in open socket execve mmap mprotect write-stdin read-stdin \
         write-fd-high clock-cputime getrandom-flags ppoll-sigmask x32; do
  "$T" "$G/forbidden.spt" "$c" > "$tmp/out" 2>&1
  st=$?
  if [ $st -eq 159 ] && grep -q "^trying $c" "$tmp/out" && ! grep -q survived "$tmp/out"; then
    pass "forbidden call '$c' kills the guest with SIGSYS"
  else
    fail "forbidden call '$c': status $st, output $(tr '\n' '|' < "$tmp/out")"
  fi
done
run 0 '^survived allowed: returned 16$' "control: an allowed call (getrandom) works" \
  -- "$T" "$G/forbidden.spt" allowed

# ---- overflows and faults stop the guest with a message, status 255.
run 0 '^survived fiber-ok$' "a fiber within its stack runs" \
  -- "$T" --mem=16 "$G/overflow.spt" fiber-ok
run 255 'guest memory fault at 0x[0-9a-f]+: fiber stack overflow \(hit the guard page below a fiber stack' \
  "a fiber overflowing its stack faults on the slot's guard page" \
  -- "$T" --mem=16 "$G/overflow.spt" fiber-stack
run 255 '^spt: fiber stack overflow: the stack at 0x[0-9a-f]+ was written below' \
  "a fiber overflowing a heap stack (larger than a slot) is stopped by the canary" \
  -- "$T" --mem=16 "$G/overflow.spt" fiber-big
run 0 '^survived fiber-many: 64 fibers$' "more fibers than slots: the rest run on heap stacks" \
  -- "$T" --mem=16 "$G/overflow.spt" fiber-many
run 255 '^spt: guest aborted \(failed assertion, heap corruption' \
  "a heap overflow is stopped when the allocator sees the damage" \
  -- "$T" --mem=16 "$G/overflow.spt" heap-corrupt
run 0 '^heap exhausted after [0-9]+ MiB: malloc returned NULL$' \
  "exhausting the heap makes malloc fail, no crash" \
  -- "$T" --mem=16 "$G/overflow.spt" heap-exhaust
run 255 'guest memory fault at 0x0*1[0-9a-f]{5}: write to read-only' \
  "writing the image's text faults with a message" \
  -- "$T" "$G/overflow.spt" write-text
run 255 'guest memory fault at 0x0*8: outside guest memory' \
  "a NULL dereference faults with a message" \
  -- "$T" "$G/overflow.spt" null

run 255 'general protection fault \(a privileged instruction' \
  "a minimal hand-made image executing hlt is stopped with a message" \
  -- "$T" tests/fuzz/corpus/spt_elf/valid

# ---- block device through the filter.
truncate -s 65536 "$tmp/disk.img"
run 0 '^block: all ok$' "block device: acquire, read, write, errors" \
  -- "$T" --block:disk="$tmp/disk.img" "$G/blk.spt"
truncate -s 4096 "$tmp/d2.img"
"$T" --block:disk="$tmp/d2.img" "$G/hello.spt" console-text >&- 2>&-
st=$?
[ $st -eq 0 ] && ! grep -q console-text "$tmp/d2.img" &&
  pass "with stdout closed, console output does not land on a device" ||
  fail "with stdout closed, console output does not land on a device (status $st)"
python3 - "$tmp/disk.img" <<'PY' && pass "block writes reached the file" || fail "block writes reached the file"
import sys
d = open(sys.argv[1], "rb").read()
want = bytes((i * 7 + 1) & 255 for i in range(1024))
sys.exit(0 if d[512:1536] == want and d[-512:] == want[:512] and d[:512] == bytes(512) else 1)
PY

# ---- the tender refuses bad options and devices before running anything.
run 2 'no image given' "no image" -- "$T"
run 2 "unknown option '--bogus'" "unknown option" -- "$T" --bogus "$G/hello.spt"
run 2 '--mem=abc: want whole MiB' "non-numeric --mem" -- "$T" --mem=abc "$G/hello.spt"
run 2 '--mem=1: want whole MiB, 4 to' "--mem too small" -- "$T" --mem=1 "$G/hello.spt"
run 2 '--stack-slots=5000: want 0 to 4096' "too many stack slots" -- "$T" --stack-slots=5000 "$G/hello.spt"
run 0 '^survived fiber-many: 64 fibers$' "--stack-slots=0: every fiber on a heap stack" \
  -- "$T" --stack-slots=0 "$G/overflow.spt" fiber-many
run 255 '^spt: fiber stack overflow: the stack at' "--stack-slots=0: the canary still catches an overflow" \
  -- "$T" --stack-slots=0 "$G/overflow.spt" fiber-stack
run 1 'No such file' "missing image" -- "$T" "$tmp/none.spt"
run 1 'no such interface' "a TAP that does not exist is not created" \
  -- "$T" --net:service=motenotap0 "$G/hello.spt"
run 1 'block:disk=.*No such file' "missing block file" -- "$T" --block:disk="$tmp/nofile" "$G/hello.spt"
run 1 'Is a directory|not a regular file' "a directory as a disk" -- "$T" --block:disk="$tmp" "$G/hello.spt"
: > "$tmp/empty.img"
run 1 'smaller than one 512-byte block' "an empty disk" -- "$T" --block:disk="$tmp/empty.img" "$G/hello.spt"
run 2 'device name given twice' "duplicate device name" \
  -- "$T" --block:d="$tmp/disk.img" --block:d="$tmp/disk.img" "$G/hello.spt"
run 2 "device names use letters" "bad device name" -- "$T" --block:'a/b'="$tmp/disk.img" "$G/hello.spt"
run 2 'want --net:NAME=TAP' "device option without NAME=" -- "$T" --net:tap0 "$G/hello.spt"

# ---- malformed images: each gets a message naming the bad field.
run 1 'PIE or shared object' "a unix (PIE) program is refused" -- "$T" "$B/bin/echo"
echo 'not an image' > "$tmp/text"
run 1 'file shorter than an ELF header|bad magic' "a text file is refused" -- "$T" "$tmp/text"
mutate() { # mutate NAME PYTHON-EXPR-ON-bytearray-d
  python3 - "$G/hello.spt" "$tmp/$1.spt" "$2" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
phoff, = struct.unpack_from("<Q", d, 32)
phnum, = struct.unpack_from("<H", d, 56)
def ph(i): return phoff + 56 * i
def load(flags):
    for i in range(phnum):
        t, f = struct.unpack_from("<II", d, ph(i))
        if t == 1 and f == flags: return ph(i)
exec(sys.argv[3])
open(sys.argv[2], "wb").write(d)
PY
}
check_image() { # NAME PATTERN DESCRIPTION PYTHON
  mutate "$1" "$4"
  run 1 "$2" "$3" -- "$T" "$tmp/$1.spt"
}
check_image trunc 'program header table outside the file|outside the file' \
  "a truncated image" 'del d[200:]'
check_image class 'not a 64-bit ELF' "ELFCLASS32" 'd[4] = 1'
check_image endian 'not little-endian' "big-endian" 'd[5] = 2'
check_image machine 'e_machine: not x86_64' "another machine" 'struct.pack_into("<H", d, 18, 183)'
check_image phentsize 'e_phentsize' "wrong e_phentsize" 'struct.pack_into("<H", d, 54, 32)'
check_image phnum 'e_phnum' "too many program headers" 'struct.pack_into("<H", d, 56, 1000)'
check_image phoff 'e_phoff' "program headers past the end" 'struct.pack_into("<Q", d, 32, len(d) - 8)'
check_image outside 'segment outside guest memory' "a segment linked outside guest memory" \
  'struct.pack_into("<Q", d, load(5) + 16, 0x10000)'
check_image huge 'segment outside guest memory' "a segment larger than memory" \
  'struct.pack_into("<Q", d, load(6) + 40, 1 << 62)'
check_image filesz 'p_filesz larger than p_memsz' "filesz > memsz" \
  'struct.pack_into("<Q", d, load(4) + 40, 16)'
check_image offset 'file bytes outside the file' "segment bytes past the end" \
  'struct.pack_into("<Q", d, load(4) + 8, len(d) - 16)'
check_image wx 'both writable and executable' "a W+X segment" \
  'struct.pack_into("<I", d, load(5) + 4, 7)'
check_image entry 'e_entry: not inside an executable segment' "entry outside text" \
  'struct.pack_into("<Q", d, 24, 0x200000)'
check_image note 'no Mote ABI note' "no ABI note" \
  'i = d.find(b"Mote\0"); d[i:i+4] = b"Mate"'
check_image abi 'another spt ABI version' "another ABI version" \
  'i = d.find(b"Mote\0"); struct.pack_into("<I", d, i + 8, 99)'
check_image dyn 'PIE or shared object' "ET_DYN" 'struct.pack_into("<H", d, 16, 3)'

# ---- the echo app as an spt image.
run 0 'usage: echo' "echo.spt builds and runs (its --help)" -- "$T" "$B/spt/bin/echo.spt" --help
run 1 'echo: cannot listen on .*: (no such device|operation not supported)' \
  "echo.spt without a network device says so" \
  -- "$T" "$B/spt/bin/echo.spt" --listen=10.0.0.2:7

# ---- the network, sealed: a TAP in a private network namespace.
# Twice: with the tender's default, the TAP opened with IFF_VNET_HDR (send
# offloads: partial checksums, 64 KiB TCP super-frames), then the
# network-relevant subset with MOTE_TAP_OFFLOAD=0 (plain Ethernet frames).
# Each run checks from the kernel's side (ip -d link) that the TAP really
# is in the mode asked for, while the tender holds it.
NS=motespt$$
NET_TESTS=("TAP mode" "ping IPv4" "ping IPv6" "UDP echo IPv4" "UDP echo IPv6" "netup count"
  "TCP echo IPv4" "TCP echo IPv6" "TCP SHA-256 transfer IPv4" "TCP SHA-256 transfer IPv6")
WWW_TESTS=("www index.html IPv4" "www index.html IPv6" "www style.css IPv4" "www style.css IPv6"
  "www mote.svg IPv4" "www mote.svg IPv6")
# Bytes each way in the SHA-checked transfer (echo.spt sends them back).
XFER_MB=${SPT_XFER_MB:-8}

# net_checks MODE: MODE is offload (the default) or plain.
net_checks() {
  local mode=$1 tenv want tag
  if [ "$mode" = plain ]; then
    tenv=(env MOTE_TAP_OFFLOAD=0) want=off tag=" (plain frames)"
  else
    tenv=(env -u MOTE_TAP_OFFLOAD) want=on tag=" (vnet header)"
  fi
  # Not through nsx: $! must be the tender itself (ip and env exec it), so
  # the kill below reaches it and nothing outlives the test. netup's 60 s
  # are only a safety net: the test ends it with "netup: stop" when its
  # checks are done, however long a loaded machine made them take.
  # The log is emptied here, not by the child's redirection: that happens
  # in the background, and the wait below could read the last run's log.
  : > "$tmp/netup"
  ip netns exec $NS "${tenv[@]}" "$T" --net:service=tap0 "$G/netup.spt" --ipv4=10.0.0.2/24 \
    --ipv6=fd00::2/64 --no-slaac 60 > "$tmp/netup" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q 'udp port 7 open' "$tmp/netup" && break; sleep 0.1; done
  ip -n $NS -d link show tap0 > "$tmp/link" 2>&1
  grep -q "vnet_hdr $want" "$tmp/link" &&
    pass "TAP mode$tag: the tender holds tap0 with vnet_hdr $want" ||
    fail "TAP mode$tag: want vnet_hdr $want ($(grep -o 'tun type.*persist' "$tmp/link"))"
  nsx ping -c 2 -i 0.2 -W 2 10.0.0.2 > "$tmp/p4" 2>&1 && grep -q ' 2 received' "$tmp/p4" &&
    pass "ping IPv4$tag: the sealed guest answers the kernel (2 of 2)" ||
    fail "ping IPv4$tag ($(tr '\n' '|' < "$tmp/p4"))"
  wait_v6
  nsx ping -6 -c 2 -i 0.2 -W 2 fd00::2 > "$tmp/p6" 2>&1 && grep -q ' 2 received' "$tmp/p6" &&
    pass "ping IPv6$tag: the sealed guest answers the kernel (2 of 2, after DAD)" ||
    fail "ping IPv6$tag ($(tr '\n' '|' < "$tmp/p6"))"
  for fam in 4 6; do
    host=10.0.0.2; [ $fam = 6 ] && host=fd00::2
    out=$(nsx python3 - "$host" $fam <<'PY' 2>&1
import os, socket, sys
host, fam = sys.argv[1], socket.AF_INET if sys.argv[2] == "4" else socket.AF_INET6
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(2)
for i in range(50):
    msg = os.urandom(1 + i * 20)
    s.sendto(msg, (host, 7))
    data, _ = s.recvfrom(4096)
    assert data == msg, "datagram %d differs" % i
print("50 datagrams echoed")
PY
)
    [ $? -eq 0 ] && pass "UDP echo over IPv$fam$tag through the sandbox: $out" ||
      fail "UDP echo over IPv$fam$tag: $out"
  done
  nsx python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"netup: stop", ("10.0.0.2", 7))'
  wait $pid
  grep -q 'netup: echoed 100 datagrams, ended with timed out' "$tmp/netup" &&
    pass "the guest counted 100 datagrams and ended on its deadline$tag" ||
    fail "netup guest$tag: $(tr '\n' '|' < "$tmp/netup")"

  : > "$tmp/echo"
  ip netns exec $NS "${tenv[@]}" "$T" --net:service=tap0 "$B/spt/bin/echo.spt" --ipv4=10.0.0.2/24 \
    --ipv6=fd00::2/64 --no-slaac --listen='*:7007' > "$tmp/echo" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -qE 'listening on|cannot listen' "$tmp/echo" && break; sleep 0.1; done
  if grep -q 'operation not supported' "$tmp/echo"; then
    for t in "TCP echo IPv4" "TCP echo IPv6" "TCP SHA-256 transfer IPv4" "TCP SHA-256 transfer IPv6"; do
      skip "$t$tag through the sandbox: the direct stack has no TCP yet (tcp_listen: not supported)"
    done
  else
    # 50 connections at once into a cold neighbour cache.
    wait_v6
    for fam in 4 6; do
      host=10.0.0.2; [ $fam = 6 ] && host=fd00::2
      out=$(nsx python3 tests/interop/echo_client.py "$host" 7007 50 3 $fam 2>&1 &&
            nsx python3 tests/interop/echo_client.py "$host" 7007 1 50 $fam 2>&1)
      st=$?
      [ $st = 0 ] && pass "TCP$tag: echo.spt over IPv$fam, 50 concurrent connections then 50 exchanges on one: $(echo $out)" ||
        { fail "TCP$tag: echo.spt over IPv$fam"; echo "$out" | sed 's/^/# /'; sed 's/^/# guest: /' "$tmp/echo"; }
    done
    # One connection, XFER_MB MiB of fresh random bytes each way at once
    # (the echo sends back while we still send), both SHA-256s compared.
    for fam in 4 6; do
      host=10.0.0.2; [ $fam = 6 ] && host=fd00::2
      out=$(nsx python3 - "$host" $((XFER_MB << 20)) <<'PY' 2>&1
import hashlib, os, socket, sys, threading
host, n = sys.argv[1], int(sys.argv[2])
s = socket.create_connection((host, 7007), timeout=30)
hs, hr = hashlib.sha256(), hashlib.sha256()
def send():
    left = n
    while left:
        b = os.urandom(min(left, 65536 + 1021))  # odd sizes: segments straddle writes
        hs.update(b); s.sendall(b); left -= len(b)
    s.shutdown(socket.SHUT_WR)
th = threading.Thread(target=send); th.start()
got = 0
while True:
    b = s.recv(1 << 16)
    if not b:
        break
    hr.update(b); got += len(b)
th.join()
ok = got == n and hs.digest() == hr.digest()
print("%d of %d bytes back, SHA-256 %s" % (got, n, "equal" if ok else "differs"))
sys.exit(0 if ok else 1)
PY
)
      [ $? -eq 0 ] && pass "TCP$tag: $XFER_MB MiB each way through echo.spt over IPv$fam: $out" ||
        { fail "TCP$tag: $XFER_MB MiB each way over IPv$fam: $out"; sed 's/^/# guest: /' "$tmp/echo"; }
    done
  fi
  kill $pid 2>/dev/null; wait $pid 2>/dev/null; pid=
}

if [ "$(id -u)" != 0 ] || ! command -v ip > /dev/null || [ ! -c /dev/net/tun ]; then
  for t in "${NET_TESTS[@]}" "${WWW_TESTS[@]}" "${NET_TESTS[@]}"; do
    skip "$t through the sandbox: needs root, iproute2 and /dev/net/tun"
  done
elif ! "$T" "$G/netup.spt" 0 2>&1 | grep -q 'no such device'; then
  # Built with netstack_none.c: src/net has no mote_net_attach() yet.
  for t in "${NET_TESTS[@]}" "${WWW_TESTS[@]}" "${NET_TESTS[@]}"; do
    skip "$t through the sandbox: the spt build has no direct stack (src/net lacks mote_net_attach)"
  done
else
  pid=
  trap '[ -n "$pid" ] && kill $pid 2>/dev/null; ip netns del $NS 2>/dev/null; rm -rf "$tmp"' EXIT
  ip netns add $NS && ip -n $NS link set lo up &&
    ip -n $NS tuntap add dev tap0 mode tap &&
    ip -n $NS addr add 10.0.0.1/24 dev tap0 &&
    ip -n $NS addr add fd00::1/64 dev tap0 nodad &&
    ip -n $NS link set tap0 up
  nsx() { ip netns exec $NS "$@"; }
  # wait_v6: a guest's static IPv6 address is tentative at first (duplicate
  # address detection, RFC 4862: a random delay up to 1 s, then one NS and
  # 1 s without an answer); until then the guest drops what is sent to it.
  # Wait until it answers a ping (at most ~10 s) rather than for a fixed time.
  wait_v6() {
    for _ in $(seq 10); do nsx ping -6 -c 1 -W 1 -q fd00::2 > /dev/null 2>&1 && return; done
  }
  net_checks offload

  # The web site (apps/www, www/ baked in) as a sealed image, against curl.
  : > "$tmp/www"
  ip netns exec $NS "$T" --net:service=tap0 "$B/spt/bin/www.spt" --ipv4=10.0.0.2/24 \
    --ipv6=fd00::2/64 --no-slaac --listen='*:80' > "$tmp/www" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -qE 'serving|cannot' "$tmp/www" && break; sleep 0.1; done
  wait_v6
  for f in index.html style.css mote.svg; do
    for host in 10.0.0.2 '[fd00::2]'; do
      got=$(nsx curl -sg --max-time 5 -o "$tmp/got" -w '%{http_code}' "http://$host/$f")
      [ "$got" = 200 ] && cmp -s "$tmp/got" "www/$f" &&
        pass "www.spt serves $f over http://$host/ to curl, byte for byte" ||
        fail "www.spt $f over $host (HTTP $got; $(tr '\n' '|' < "$tmp/www"))"
    done
  done
  kill $pid 2>/dev/null; wait $pid 2>/dev/null; pid=

  net_checks plain
fi

echo "1..$n"

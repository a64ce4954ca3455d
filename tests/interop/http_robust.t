#!/usr/bin/env bash
# A few hundred malformed and adversarial requests, as raw bytes, against
# `serve` built with ASan+UBSan: each must get an expected status or a
# clean close, the server must stay up and the sanitizers quiet.
set -u
B=${MOTE_BUILD:-_build}
SERVE=$B/asan/bin/serve
[ -x "$SERVE" ] || SERVE=$B/bin/serve
PY=/usr/bin/python3
n=0
pass() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); echo "not ok $n - $*"; }

tmp=$(mktemp -d)
pid=
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/site/d"
printf 'hello\n' > "$tmp/site/index.html"
printf 'x' > "$tmp/site/d/f.txt"

export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0
: > "$tmp/log"
"$SERVE" --log=access:none --listen 127.0.0.1:0 "$tmp/site" 2> "$tmp/log" &
pid=$!
for _ in $(seq 100); do grep -q 'serving' "$tmp/log" && break; sleep 0.1; done
port=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/log")
if [ -z "$port" ]; then fail "server started"; echo "1..$n"; exit 1; fi
pass "server started on $port ($(basename "$(dirname "$(dirname "$SERVE")")") build)"

"$PY" - "$port" > "$tmp/out" <<'PY'
import random, socket, sys, time
port = int(sys.argv[1])
R = random.Random(20261126)
OK = {200, 206, 301, 304, 400, 404, 405, 408, 413, 414, 416, 431, 501, 505}

def send(raw, timeout=5.0):
    """Send raw, half-close, read to EOF. Returns (status or None, secs)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    t = time.monotonic()
    try:
        s.sendall(raw)
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # the server may close before we finish: fine
    data = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            data += d
    except ConnectionResetError:
        pass
    except socket.timeout:
        return "hang", time.monotonic() - t
    s.close()
    if not data:
        return None, time.monotonic() - t
    if not data.startswith(b"HTTP/1.1 ") or len(data) < 12:
        return "garbage", 0
    return int(data[9:12]), time.monotonic() - t

cases = []  # (name, bytes, expected set or None for "any OK or close")
V = b"GET /d/f.txt HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n"
fixed = [
    ("obs-fold", b"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", {400}),
    ("bare CR", b"GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", {400}),
    ("bare LF", b"GET / HTTP/1.1\nHost: a\n\n", {400}),
    ("space before colon", b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", {400}),
    ("dup CL", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", {400}),
    ("CL list", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 2\r\n\r\nx", {400}),
    ("CL and TE", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", {400}),
    ("TE in 1.0", b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", {400}),
    ("TE gzip", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", {501}),
    ("TE space chunked", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n", {400}),
    ("TE obs-fold", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n", {400}),
    ("TE vertical tab", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\x0bchunked\r\n\r\n", {400}),
    ("no host", b"GET / HTTP/1.1\r\n\r\n", {400}),
    ("two hosts", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", {400}),
    ("HTTP/2", b"GET / HTTP/2.0\r\nHost: a\r\n\r\n", {505}),
    ("PRI preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", {400, 505}),
    ("NUL in path", b"GET /\x00 HTTP/1.1\r\nHost: a\r\n\r\n", {400}),
    ("NUL early", b"\x00\x00\x00\x00", {400}),
    ("TLS hello", bytes.fromhex("16030100a5010000a10303") + bytes(160), {400}),
    ("traversal", b"GET /../../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n", {400}),
    ("enc traversal", b"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n", {400}),
    ("enc NUL", b"GET /index.html%00 HTTP/1.1\r\nHost: a\r\n\r\n", {400}),
    ("bad pct", b"GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n", {400}),
    ("CONNECT", b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", {501}),
    ("asterisk GET", b"GET * HTTP/1.1\r\nHost: a\r\n\r\n", {400}),
    ("OPTIONS *", b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", {405}),
    ("huge CL", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999\r\n\r\n", {413}),
    ("overflow CL", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999999999999999999\r\n\r\n", {400}),
    ("long line", b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: a\r\n\r\n", {414}),
    ("long header", b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"b" * 20000 + b"\r\n\r\n", {431}),
    ("many headers", b"GET / HTTP/1.1\r\nHost: a\r\n" + b"".join(b"X%d: 1\r\n" % i for i in range(200)) + b"\r\n", {431}),
    ("chunk overflow", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n", {405}),
    ("bad chunk", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", {405}),
    ("range bomb", b"GET /index.html HTTP/1.1\r\nHost: a\r\nRange: bytes=" + b",".join(b"0-1" for _ in range(500)) + b"\r\n\r\n", {200}),
    ("range overflow", b"GET /index.html HTTP/1.1\r\nHost: a\r\nRange: bytes=99999999999999999999999-\r\n\r\n", {200}),
    ("bad date", b"GET /index.html HTTP/1.1\r\nHost: a\r\nIf-Modified-Since: yesterday\r\n\r\n", {200}),
    ("pipelined smuggle", b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\nGET /d/f.txt HTTP/1.1\r\nHost: a\r\n\r\n", {400}),
    ("only CRLFs", b"\r\n" * 20, {400}),
    ("empty", b"", None),
    ("partial head", b"GET / HTTP/1.1\r\nHost:", None),
]
cases += fixed
# Mutations of a valid request: each must give an allowed status or close.
specials = [b"\r", b"\n", b"\x00", b" ", b"\t", b":", b"\x7f", b"\xff", b"%", b"/", b"..", b"\r\n", b"\r\n\r\n", b"Transfer-Encoding: chunked\r\n", b"Content-Length: 5\r\n"]
for i in range(300):
    b = bytearray(V)
    for _ in range(R.randint(1, 4)):
        op = R.randint(0, 3)
        p = R.randint(0, len(b))
        if op == 0 and len(b):
            b[min(p, len(b) - 1)] = R.randint(0, 255)
        elif op == 1:
            b[p:p] = R.choice(specials)
        elif op == 2:
            del b[p:p + R.randint(1, 8)]
        else:
            b = b[:p]
    cases.append(("mutation %d" % i, bytes(b), None))

bad = 0
seen = {}
for name, raw, want in cases:
    st, secs = send(raw)
    seen[st] = seen.get(st, 0) + 1
    good = (st in want) if want else (st is None or st in OK)
    if not good:
        bad += 1
        print("BAD %s: got %r for %r" % (name, st, raw[:80]))
print("cases %d bad %d" % (len(cases), bad))
print("statuses " + " ".join("%s:%d" % (k if k else "close", v) for k, v in sorted(seen.items(), key=str)))
PY
cases=$(sed -n 's/^cases \([0-9]*\) bad \([0-9]*\)$/\1/p' "$tmp/out")
bad=$(sed -n 's/^cases \([0-9]*\) bad \([0-9]*\)$/\2/p' "$tmp/out")
if [ -n "$cases" ] && [ "$bad" = 0 ]; then
  pass "$cases adversarial requests: each got its expected status or a clean close ($(sed -n 's/^statuses //p' "$tmp/out"))"
else
  fail "adversarial requests: $(grep BAD "$tmp/out" | head -20 | tr '\n' ';')"
fi
if kill -0 $pid 2>/dev/null; then pass "server still up"; else fail "server died"; fi
st=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/d/f.txt")
if [ "$st" = 200 ]; then pass "still serves a normal request"; else fail "normal request: $st"; fi
kill $pid; wait $pid 2>/dev/null
if grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$tmp/log"; then
  fail "sanitizers: $(grep -E 'ERROR|runtime error' "$tmp/log" | head -3)"
else
  pass "sanitizers quiet"
fi
echo "1..$n"

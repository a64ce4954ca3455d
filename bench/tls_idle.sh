#!/usr/bin/env bash
# Memory per idle TLS connection: `serve --tls` (one or more builds, e.g.
# before and after a change) and nginx (ssl), same machine, same
# certificate (ECDSA P-256), same run.
#
# For each server: start it fresh, read its VmRSS (nginx: master +
# worker), open IDLE TLS 1.3 keep-alive connections that each make one
# request for a 1 KiB file (Python's ssl module, one connection after
# another), wait until mote has parked the idle connections (3 s: it parks
# after 1 s), read VmRSS again; per connection = (after - before) / IDLE.
# Kernel socket memory is in neither figure.
#
# Usage: bench/tls_idle.sh [SERVE[=LABEL]...]
#   SERVE: a serve binary, or a build directory (its bin/serve, as
#   bench/run.sh passes it); default _build/bin/serve. IDLE=10000
#   connections, NGINX=0 to skip nginx.
# Results: bench/results/<date>-tls-idle.md
set -euo pipefail
IDLE=${IDLE:-10000}
NGINX=${NGINX:-1}
OUT=bench/results/$(date -u +%F)-tls-idle.md
[ $# -gt 0 ] || set -- "${MOTE_BUILD:-_build}/bin/serve"
for t in openssl python3 curl; do
  command -v "$t" > /dev/null || { echo "tls_idle.sh: need $t" >&2; exit 1; }
done
if [ "$NGINX" = 1 ] && ! command -v nginx > /dev/null; then NGINX=0; fi
ulimit -n 65536 2> /dev/null || ulimit -n "$(ulimit -Hn)"

tmp=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2> /dev/null; wait "$pid" 2> /dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
mkdir -p "$tmp/site" "$tmp/ng" "$tmp/k"
chmod 755 "$tmp" "$tmp/site" "$tmp/k"
head -c 1024 /dev/urandom > "$tmp/site/1k.bin"
chmod 644 "$tmp/site"/*
K=$tmp/k
EC=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
openssl req -x509 "${EC[@]}" -keyout "$K/ca.key" -out "$K/ca.crt" -subj /CN=bench-ca \
  -days 2 -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign 2> /dev/null
openssl req -new "${EC[@]}" -keyout "$K/leaf.key" -out "$K/leaf.csr" -subj /CN=localhost 2> /dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:false\n' > "$K/leaf.ext"
openssl x509 -req -in "$K/leaf.csr" -CA "$K/ca.crt" -CAkey "$K/ca.key" -CAcreateserial \
  -days 2 -extfile "$K/leaf.ext" -out "$K/leaf.crt" 2> /dev/null
cat "$K/leaf.crt" "$K/ca.crt" > "$K/chain.crt"
chmod 644 "$K"/*

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kb() { # PIDS...
  local t=0
  for p in "$@"; do t=$((t + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status"))); done
  echo $t
}
wait_up() { # PORT
  for _ in $(seq 100); do
    curl -s --cacert "$K/ca.crt" -o /dev/null "https://localhost:$1/1k.bin" && return 0
    sleep 0.1
  done
  return 1
}
# Prints "RSS_BEFORE RSS_AFTER CONNS_HELD SECONDS" for the server on PORT.
measure() { # PORT PIDS...
  local port=$1; shift
  local before
  before=$(rss_kb "$@")
  rm -f "$tmp/go"
  python3 - "$port" "$tmp/go" "$K/ca.crt" "$IDLE" <<'PY' &
import socket, ssl, sys, time
port, flag, ca, count = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
ctx = ssl.create_default_context(cafile=ca)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
socks = []
req = b"GET /1k.bin HTTP/1.1\r\nHost: localhost\r\n\r\n"
t0 = time.time()
for i in range(count):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
    s.sendall(req)
    buf = b""
    while b"\r\n\r\n" not in buf or len(buf.split(b"\r\n\r\n", 1)[1]) < 1024:
        d = s.recv(65536)
        if not d:
            raise SystemExit("closed")
        buf += d
    socks.append(s)
open(flag, "w").write("%d %.0f" % (len(socks), time.time() - t0))
time.sleep(600)
PY
  local py=$!
  for _ in $(seq 6000); do [ -s "$tmp/go" ] && break; kill -0 $py 2> /dev/null || break; sleep 0.1; done
  sleep 3 # mote parks an idle connection's stack after 1 s
  echo "$before $(rss_kb "$@") $(cat "$tmp/go" 2> /dev/null || echo 0 0)"
  kill $py 2> /dev/null; wait $py 2> /dev/null || true
}

rows=()
for arg in "$@"; do
  bin=${arg%%=*}
  label=${arg#*=}
  [ "$label" != "$arg" ] || label=$bin
  [ ! -d "$bin" ] || bin=$bin/bin/serve
  port=$(free_port)
  "$bin" --log=access:none,serve:none --tls-listen "127.0.0.1:$port" \
    --cert "$K/chain.crt" --key "$K/leaf.key" "$tmp/site" 2> "$tmp/serve.log" &
  pid=$!
  wait_up "$port" || { echo "tls_idle.sh: $bin does not answer" >&2; cat "$tmp/serve.log" >&2; exit 1; }
  read -r b a n s <<< "$(measure "$port" $pid)"
  kill $pid; wait $pid 2> /dev/null || true; pid=
  rows+=("| mote \`$label\` | $b | $a | $(( (a - b) * 1024 / IDLE )) B | $n | $s s |")
  echo "${rows[-1]}" >&2
done
if [ "$NGINX" = 1 ]; then
  port=$(free_port)
  cat > "$tmp/ng/nginx.conf" <<NG
worker_processes 1;
worker_rlimit_nofile 65536;
daemon off;
pid $tmp/ng/nginx.pid;
error_log $tmp/ng/error.log;
events { worker_connections 20000; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 600s;
  client_body_temp_path $tmp/ng/body;
  proxy_temp_path $tmp/ng/proxy;
  fastcgi_temp_path $tmp/ng/fcgi;
  uwsgi_temp_path $tmp/ng/uwsgi;
  scgi_temp_path $tmp/ng/scgi;
  types { application/octet-stream bin; }
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $K/chain.crt;
    ssl_certificate_key $K/leaf.key;
    ssl_protocols TLSv1.3;
    ssl_session_tickets off;
    ssl_session_cache off;
    root $tmp/site;
  }
}
NG
  nginx -c "$tmp/ng/nginx.conf" -p "$tmp/ng" 2> "$tmp/ng/stderr" &
  pid=$!
  wait_up "$port" || { echo "tls_idle.sh: nginx does not answer" >&2; cat "$tmp/ng/error.log" >&2; exit 1; }
  read -r b a n s <<< "$(measure "$port" $pid $(pgrep -P $pid | tr '\n' ' '))"
  kill $pid; wait $pid 2> /dev/null || true; pid=
  rows+=("| nginx ($(nginx -v 2>&1 | sed 's/.*: //')) | $b | $a | $(( (a - b) * 1024 / IDLE )) B | $n | $s s |")
  echo "${rows[-1]}" >&2
fi

mkdir -p "$(dirname "$OUT")"
{
  echo "# Memory per idle TLS connection: mote serve --tls vs nginx"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)),"
  echo "$(openssl version | awk '{print $1, $2}'), Python $(python3 -c 'import sys; print(sys.version.split()[0])'); loopback."
  echo "Command: \`IDLE=$IDLE bench/tls_idle.sh $*\`."
  echo
  echo "VmRSS (nginx: master + worker) of a fresh server, and with $IDLE idle"
  echo "TLS 1.3 keep-alive connections that have each made one request"
  echo "(ECDSA P-256 certificate, X25519); per connection = the difference / $IDLE."
  echo
  echo "| server | before KiB | with $IDLE KiB | per connection | conns held | time to open |"
  echo "|---|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
} > "$OUT"
cat "$OUT"

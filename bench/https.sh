#!/usr/bin/env bash
# HTTPS benchmark: `serve --tls` against nginx (ssl), same machine, same
# certificate (ECDSA P-256, made by openssl here), same run.
#
# 1. wrk over TLS 1.3 on loopback fetches a 1 KiB file with keep-alive,
#    1, 64 and 512 connections, from each server (the handshakes happen
#    once per connection at the start; the figure is the record layer +
#    HTTP). The server's CPU time per request is read from /proc.
# 2. Full handshakes per second: `openssl s_time -new -tls1_3` for TIME
#    seconds against each (one connection at a time, a fresh TLS 1.3
#    handshake each, X25519 + ECDSA P-256, fetching the 1 KiB file).
# 3. Memory: 1,000 idle TLS keep-alive connections (Python's ssl module,
#    one request each), the server's VmRSS before and after.
# nginx: one worker, access log off, ssl_protocols TLSv1.3, session
# tickets and cache off (full handshakes in 2). Results:
# bench/results/<date>-https.md (ratios are mote / nginx).
#
# Usage: bench/https.sh [BUILD_DIR]   (DURATION=5 s per wrk run, REPEAT=3
# runs per cell (median), TIME=5 s per s_time run, IDLE=1000)
set -euo pipefail
B=${1:-${MOTE_BUILD:-_build}}
DUR=${DURATION:-5}
REPEAT=${REPEAT:-3}
STIME=${TIME:-5}
IDLE=${IDLE:-1000}
SERVE=$B/bin/serve
OUT=bench/results/$(date -u +%F)-https.md
for t in wrk nginx openssl python3 "$SERVE"; do
  command -v "$t" > /dev/null || [ -x "$t" ] || { echo "https.sh: need $t (apt-get install wrk nginx-light openssl python3)" >&2; exit 1; }
done
ulimit -n 65536 2> /dev/null || ulimit -n "$(ulimit -Hn)"

tmp=$(mktemp -d)
spid= npid=
cleanup() {
  if [ -n "$spid" ]; then kill "$spid" 2> /dev/null; wait "$spid" 2> /dev/null || true; fi
  if [ -n "$npid" ]; then kill "$npid" 2> /dev/null; wait "$npid" 2> /dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
mkdir -p "$tmp/site" "$tmp/ng" "$tmp/k"
chmod 755 "$tmp" "$tmp/site" "$tmp/k"
head -c 1024 /dev/urandom > "$tmp/site/1k.bin"
chmod 644 "$tmp/site"/*

# One CA and one leaf for localhost, used by both servers.
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
MP=$(free_port)
NP=$(free_port)

"$SERVE" --log=access:none,serve:none --tls-listen "127.0.0.1:$MP" \
  --cert "$K/chain.crt" --key "$K/leaf.key" "$tmp/site" 2> "$tmp/serve.log" &
spid=$!
cat > "$tmp/ng/nginx.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile 65536;
daemon off;
pid $tmp/ng/nginx.pid;
error_log $tmp/ng/error.log;
events { worker_connections 20000; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  client_body_temp_path $tmp/ng/body;
  proxy_temp_path $tmp/ng/proxy;
  fastcgi_temp_path $tmp/ng/fcgi;
  uwsgi_temp_path $tmp/ng/uwsgi;
  scgi_temp_path $tmp/ng/scgi;
  types { application/octet-stream bin; }
  server {
    listen 127.0.0.1:$NP ssl;
    ssl_certificate $K/chain.crt;
    ssl_certificate_key $K/leaf.key;
    ssl_protocols TLSv1.3;
    ssl_session_tickets off;
    ssl_session_cache off;
    root $tmp/site;
  }
}
EOF
nginx -c "$tmp/ng/nginx.conf" -p "$tmp/ng" 2> "$tmp/ng/stderr" &
npid=$!
for p in $MP $NP; do
  for _ in $(seq 50); do
    curl -s --cacert "$K/ca.crt" -o /dev/null "https://localhost:$p/1k.bin" && break
    sleep 0.1
  done
  got=$(curl -s --cacert "$K/ca.crt" -o /dev/null -w '%{http_code} %{size_download}' "https://localhost:$p/1k.bin")
  [ "$got" = "200 1024" ] || { echo "https.sh: port $p answers '$got'" >&2; cat "$tmp/serve.log" "$tmp/ng/error.log" >&2; exit 1; }
done
ngworkers=$(pgrep -P "$npid" | tr '\n' ' ')
[ -n "$ngworkers" ] || { echo "https.sh: no nginx worker" >&2; exit 1; }

cpu_ticks() { # PIDS...
  local t=0
  for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo $t
}
run_wrk() { # PORT CONNS PIDS...
  local port=$1 c=$2; shift 2
  local t0 t1
  t0=$(cpu_ticks "$@")
  wrk -t1 -c"$c" -d"${DUR}s" --latency "https://127.0.0.1:$port/1k.bin" > "$tmp/wrk.out"
  t1=$(cpu_ticks "$@")
  awk -v ticks=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    / requests in / { n = $1 } /Requests\/sec/ { r = $2 } $1 == "99%" { p = ms($2) }
    /Non-2xx|Socket errors/ { e = e $0 }
    END { printf "%.0f %.2f %.1f %s\n", r, p, (n > 0 ? ticks * 1e6 / hz / n : 0), (e ? "ERR" : "") }' "$tmp/wrk.out"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

{
  echo "# HTTPS: mote serve --tls vs nginx (ssl)"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)),"
  echo "$(nginx -v 2>&1 | sed 's/.*: //') with $(openssl version | awk '{print $1, $2}'), $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}'); loopback;"
  echo "load average $(cut -d' ' -f1-3 /proc/loadavg) when the run began."
  echo "Command: \`bench/https.sh\` (DURATION=$DUR REPEAT=$REPEAT TIME=$STIME IDLE=$IDLE)."
  echo "Both servers: the same ECDSA P-256 certificate (leaf + CA), TLS 1.3 only;"
  echo "nginx: 1 worker, access_log off, session tickets and cache off."
  echo "mote: \`serve --tls-listen ... --cert --key --log=access:none\`."
  echo "Ratios are mote / nginx."
  echo
  echo "## 1 KiB file, keep-alive (wrk -t1, ${DUR} s, median of $REPEAT, servers alternating)"
  echo
  echo "| conns | mote req/s | nginx req/s | ratio | mote p99 ms | nginx p99 ms | mote CPU us/req | nginx CPU us/req | ratio |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} > "$tmp/table"
# Memory first, on fresh servers (heap freed after the wrk runs would
# hide what idle connections cost).
# Memory with IDLE idle TLS keep-alive connections.
rss_kb() { # PIDS...
  local t=0
  for p in "$@"; do t=$((t + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status"))); done
  echo $t
}
idle_rss() { # PORT PIDS...
  local port=$1; shift
  python3 - "$port" "$tmp/go.$port" "$K/ca.crt" "$IDLE" <<'PY' &
import socket, ssl, sys, time
port, flag, ca, count = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
ctx = ssl.create_default_context(cafile=ca)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
socks = []
req = b"GET /1k.bin HTTP/1.1\r\nHost: localhost\r\n\r\n"
got = 0
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
    got += 1
open(flag, "w").write(str(got))
time.sleep(60)
PY
  local py=$!
  for _ in $(seq 1200); do [ -s "$tmp/go.$port" ] && break; sleep 0.1; done
  sleep 2 # mote parks an idle connection's stack after 1 s
  echo "$(rss_kb "$@") $(cat "$tmp/go.$port" 2> /dev/null || echo 0)"
  kill $py 2> /dev/null; wait $py 2> /dev/null || true
}
base_m=$(rss_kb $spid)
ngpids=$(pgrep -P $npid | tr '\n' ' ')
base_n=$(rss_kb $npid $ngpids)
read -r m_rss m_n <<< "$(idle_rss "$MP" $spid)"
read -r n_rss n_n <<< "$(idle_rss "$NP" $npid $ngpids)"
{
  echo "## Memory: $IDLE idle TLS keep-alive connections"
  echo
  echo "VmRSS (nginx: master + worker) before, and with $IDLE idle TLS 1.3"
  echo "connections that have each made one request (Python ssl client)."
  echo
  echo "| server | before KiB | with $IDLE KiB | per connection | conns held |"
  echo "|---|---:|---:|---:|---:|"
  echo "| mote | $base_m | $m_rss | $(( (m_rss - base_m) * 1024 / IDLE )) B | $m_n |"
  echo "| nginx | $base_n | $n_rss | $(( (n_rss - base_n) * 1024 / IDLE )) B | $n_n |"
} > "$tmp/mem"
for c in 1 64 512; do
  : > "$tmp/m" && : > "$tmp/n"
  for _ in $(seq "$REPEAT"); do
    run_wrk "$MP" "$c" "$spid" >> "$tmp/m"
    run_wrk "$NP" "$c" $ngworkers >> "$tmp/n"
  done
  grep -q ERR "$tmp/m" "$tmp/n" && echo "https.sh: wrk reported errors at c=$c" >&2
  mr=$(cut -d' ' -f1 "$tmp/m" | median); mp=$(cut -d' ' -f2 "$tmp/m" | median); mc=$(cut -d' ' -f3 "$tmp/m" | median)
  nr=$(cut -d' ' -f1 "$tmp/n" | median); np=$(cut -d' ' -f2 "$tmp/n" | median); nc=$(cut -d' ' -f3 "$tmp/n" | median)
  echo "| $c | $mr | $nr | $(ratio "$mr" "$nr") | $mp | $np | $mc | $nc | $(ratio "$mc" "$nc") |" >> "$tmp/table"
  echo "c=$c: mote $mr req/s p99 $mp ms ${mc} us CPU/req; nginx $nr req/s p99 $np ms ${nc} us CPU/req" >&2
done

# Full handshakes: s_time counts connections (handshake + one GET).
stime() { # PORT PIDS...
  local port=$1; shift
  local t0 t1 w0 w1
  t0=$(cpu_ticks "$@")
  w0=$(date +%s.%N)
  openssl s_time -connect "127.0.0.1:$port" -new -tls1_3 -time "$STIME" -www /1k.bin > "$tmp/st.out" 2>&1 || true
  w1=$(date +%s.%N)
  t1=$(cpu_ticks "$@")
  # s_time prints whole "real seconds": the wall time is measured here.
  awk -v ticks=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v wall="$(awk -v a="$w0" -v b="$w1" 'BEGIN { print b - a }')" '
    /connections in .* real seconds/ { n = $1 }
    END { if (n > 0) printf "%.0f %.0f\n", n / wall, ticks * 1e6 / hz / n; else print "0 0" }' "$tmp/st.out"
}
: > "$tmp/hm" && : > "$tmp/hn"
for _ in $(seq "$REPEAT"); do
  stime "$MP" "$spid" >> "$tmp/hm"
  stime "$NP" $ngworkers >> "$tmp/hn"
done
hm=$(cut -d' ' -f1 "$tmp/hm" | median); hmc=$(cut -d' ' -f2 "$tmp/hm" | median)
hn=$(cut -d' ' -f1 "$tmp/hn" | median); hnc=$(cut -d' ' -f2 "$tmp/hn" | median)
echo "handshakes: mote $hm/s (${hmc} us CPU each), nginx $hn/s (${hnc} us CPU each)" >&2
{
  echo
  echo "## Full TLS 1.3 handshakes (openssl s_time -new -tls1_3, ${STIME} s, median of $REPEAT)"
  echo
  echo "One connection at a time: handshake (X25519, ECDSA P-256 signature by the"
  echo "server), one GET of the 1 KiB file, close. The client (openssl) shares"
  echo "the machine, so handshakes/s is bounded by both ends; the server's CPU"
  echo "per handshake is the figure that compares the servers."
  echo
  echo "| server | handshakes/s | server CPU us/handshake |"
  echo "|---|---:|---:|"
  echo "| mote | $hm | $hmc |"
  echo "| nginx | $hn | $hnc |"
  echo "| ratio | $(ratio "$hm" "$hn") | $(ratio "$hmc" "$hnc") |"
} >> "$tmp/table"

mkdir -p "$(dirname "$OUT")"
{ echo; cat "$tmp/mem"; } >> "$tmp/table"
cp "$tmp/table" "$OUT"
cat "$OUT"

#!/usr/bin/env bash
# HTTP benchmark: `serve` (mote serve) against nginx, same machine, same run.
#
# wrk on loopback fetches a 1 KiB and a 1 MiB file with 1, 64 and 512
# connections from each server; then 10,000 idle keep-alive connections
# are opened to each and the server's resident memory is read from /proc.
# nginx runs from a generated config (one worker, access log off, sendfile
# on, same directory) on a high port, in the foreground, and is killed
# after. Results: bench/results/http.md (ratios are mote / nginx).
#
# Usage: bench/http.sh [BUILD_DIR]   (DURATION=5 s per run, REPEAT=3 runs
# per cell, the median reported)
set -euo pipefail
B=${1:-${MOTE_BUILD:-_build}}
DUR=${DURATION:-5}
REPEAT=${REPEAT:-3}
SERVE=$B/bin/serve
OUT=bench/results/http.md
for t in wrk nginx "$SERVE"; do
  command -v "$t" > /dev/null || [ -x "$t" ] || { echo "http.sh: need $t (apt-get install wrk nginx-light)" >&2; exit 1; }
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
trap 'exit 143' TERM INT # through the EXIT trap: nginx is never left behind
mkdir -p "$tmp/site" "$tmp/ng"
chmod 755 "$tmp" "$tmp/site" # nginx's worker runs as nobody
head -c 1024 /dev/urandom > "$tmp/site/1k.bin"
head -c 1048576 /dev/urandom > "$tmp/site/1m.bin"
chmod 644 "$tmp/site"/*

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
MP=$(free_port)
NP=$(free_port)

"$SERVE" --log=access:none,serve:none --listen "127.0.0.1:$MP" "$tmp/site" 2> "$tmp/serve.log" &
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
  tcp_nopush on;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  client_body_temp_path $tmp/ng/body;
  proxy_temp_path $tmp/ng/proxy;
  fastcgi_temp_path $tmp/ng/fcgi;
  uwsgi_temp_path $tmp/ng/uwsgi;
  scgi_temp_path $tmp/ng/scgi;
  types { application/octet-stream bin; }
  server { listen 127.0.0.1:$NP; root $tmp/site; }
}
EOF
nginx -c "$tmp/ng/nginx.conf" -p "$tmp/ng" 2> "$tmp/ng/stderr" &
npid=$!
for p in $MP $NP; do
  for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$p/1k.bin" && break
    sleep 0.1
  done
done

ngworkers=$(pgrep -P "$npid" | tr '\n' ' ')
[ -n "$ngworkers" ] || { echo "http.sh: no nginx worker" >&2; exit 1; }
for p in $MP $NP; do
  got=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "http://127.0.0.1:$p/1m.bin")
  [ "$got" = "200 1048576" ] || { echo "http.sh: port $p answers '$got'" >&2; exit 1; }
done

# CPU time (utime + stime, clock ticks) of the given processes.
cpu_ticks() { # PIDS...
  local t=0
  for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo $t
}

# wrk output to "req/s MB/s p99_ms cpu_us_per_request". The server's CPU
# time per request (from /proc, over the run) barely depends on what else
# the machine is doing, unlike requests/s on a shared machine.
run_wrk() { # PORT CONNS FILE PIDS...
  local port=$1 c=$2 f=$3; shift 3
  local t0 t1
  t0=$(cpu_ticks "$@")
  wrk -t1 -c"$c" -d"${DUR}s" --latency "http://127.0.0.1:$port/$f" > "$tmp/wrk.out"
  t1=$(cpu_ticks "$@")
  awk -v ticks=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    function mb(v) { if (v ~ /GB$/) return v * 1024; if (v ~ /MB$/) return v + 0; if (v ~ /KB$/) return v / 1024; return v / 1048576 }
    / requests in / { n = $1 } /Requests\/sec/ { r = $2 } /Transfer\/sec/ { t = mb($2) } $1 == "99%" { p = ms($2) }
    END { printf "%.0f %.1f %.2f %.1f\n", r, t, p, (n > 0 ? ticks * 1e6 / hz / n : 0) }' "$tmp/wrk.out"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

{
  echo "# HTTP: mote serve vs nginx"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)),"
  echo "$(nginx -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}'); wrk -t1, ${DUR} s per run, loopback;"
  echo "each cell the median of $REPEAT runs, the servers alternating;"
  echo "load average $(cut -d' ' -f1-3 /proc/loadavg) when the run began."
  echo "Command: \`bench/http.sh\` (DURATION=$DUR REPEAT=$REPEAT)."
  echo "nginx: 1 worker, access_log off, sendfile on. mote: \`serve --log=access:none\`."
  echo "Ratios are mote / nginx (requests/s and transfer: higher is better for"
  echo "mote above 1.0; p99 latency and CPU: lower is better for mote below 1.0)."
  echo "CPU is the server's user + system time per request over the run (nginx:"
  echo "its worker), a figure that other load on the machine barely moves."
  echo
  echo "| file | conns | mote req/s | nginx req/s | ratio | mote MB/s | nginx MB/s | ratio | mote p99 ms | nginx p99 ms | ratio | mote CPU us/req | nginx CPU us/req | ratio |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} > "$tmp/table"
# The machine may be shared: each cell is the median of REPEAT runs,
# alternating the two servers so that both see the same conditions.
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for f in 1k.bin 1m.bin; do
  for c in 1 64 512; do
    : > "$tmp/m" && : > "$tmp/n"
    for _ in $(seq "$REPEAT"); do
      run_wrk "$MP" "$c" "$f" "$spid" >> "$tmp/m"
      run_wrk "$NP" "$c" "$f" $ngworkers >> "$tmp/n"
    done
    mr=$(cut -d' ' -f1 "$tmp/m" | median); mt=$(cut -d' ' -f2 "$tmp/m" | median); mp=$(cut -d' ' -f3 "$tmp/m" | median); mc=$(cut -d' ' -f4 "$tmp/m" | median)
    nr=$(cut -d' ' -f1 "$tmp/n" | median); nt=$(cut -d' ' -f2 "$tmp/n" | median); np=$(cut -d' ' -f3 "$tmp/n" | median); nc=$(cut -d' ' -f4 "$tmp/n" | median)
    echo "| $f | $c | $mr | $nr | $(ratio "$mr" "$nr") | $mt | $nt | $(ratio "$mt" "$nt") | $mp | $np | $(ratio "$mp" "$np") | $mc | $nc | $(ratio "$mc" "$nc") |" >> "$tmp/table"
    echo "$f c=$c: mote $mr req/s $mt MB/s p99 $mp ms ${mc} us CPU/req; nginx $nr req/s $nt MB/s p99 $np ms ${nc} us CPU/req" >&2
  done
done

# Resident memory with 10,000 idle keep-alive connections (each has made
# one request, so its buffers have been touched).
rss_kb() { # PIDS...
  local t=0
  for p in "$@"; do t=$((t + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status"))); done
  echo $t
}
idle_rss() { # PORT PIDS...
  local port=$1; shift
  python3 - "$port" "$tmp/go.$port" <<'PY' &
import os, socket, sys, time
port, flag = int(sys.argv[1]), sys.argv[2]
socks = []
req = b"GET /1k.bin HTTP/1.1\r\nHost: x\r\n\r\n"
for i in range(10000):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(req)
    socks.append(s)
got = 0
for s in socks:
    n = 0
    while n < 1024:
        d = s.recv(65536)
        if not d:
            raise SystemExit("closed")
        n += len(d) if n else len(d.split(b"\r\n\r\n", 1)[-1])
    got += 1
open(flag, "w").write(str(got))
time.sleep(30)
PY
  local py=$!
  for _ in $(seq 600); do [ -s "$tmp/go.$port" ] && break; sleep 0.1; done
  # Idle means idle: mote parks a connection's stack after 1 s of it.
  sleep 2
  echo "$(rss_kb "$@") $(cat "$tmp/go.$port" 2> /dev/null || echo 0)"
  kill $py 2> /dev/null; wait $py 2> /dev/null || true
}
base_m=$(rss_kb $spid)
ngpids=$(pgrep -P $npid | tr '\n' ' ')
base_n=$(rss_kb $npid $ngpids)
read -r m_rss m_n <<< "$(idle_rss "$MP" $spid)"
read -r n_rss n_n <<< "$(idle_rss "$NP" $npid $ngpids)"
{
  echo
  echo "Resident memory (VmRSS; nginx: master + worker), idle, then with 10,000"
  echo "idle keep-alive connections that have each made one request:"
  echo
  echo "| server | idle KiB | 10k conns KiB | per connection | conns held |"
  echo "|---|---:|---:|---:|---:|"
  echo "| mote | $base_m | $m_rss | $(( (m_rss - base_m) * 1024 / 10000 )) B | $m_n |"
  echo "| nginx | $base_n | $n_rss | $(( (n_rss - base_n) * 1024 / 10000 )) B | $n_n |"
  echo "| ratio | | $(ratio "$m_rss" "$n_rss") | | |"
} >> "$tmp/table"
mkdir -p "$(dirname "$OUT")"
cp "$tmp/table" "$OUT"
cat "$OUT"

#!/usr/bin/env bash
# HTTPS: `serve --tls` against curl (TLS 1.3, the generated local CA, SNI
# with two certificates, the HTTP->HTTPS redirect, reuse of the generated
# certificate across restarts), and `mote get` (apps/get) against
# openssl s_server and serve: right CA, wrong host name, expired and
# untrusted certificates, plain HTTP. Certificates other than serve's own
# are made by openssl at test time.
set -u
B=${MOTE_BUILD:-_build}
SERVE=$B/bin/serve
GET=$B/bin/get
n=0
pass() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); echo "not ok $n - $*"; }
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
is() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', want '$3'"; fi; }
has() { if grep -qE -- "$2" <<< "$3"; then pass "$1"; else
  fail "$1: no /$2/ in:"; sed 's/^/# /' <<< "$3" | head -10; fi; }

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_serve LOG NLINES ARGS...: serve in the background, waiting for
# NLINES "serving" lines; its pid is the last of pids.
start_serve() {
  local log=$1 want=$2; shift 2
  : > "$log"
  "$SERVE" "$@" 2> "$log" &
  pids+=($!)
  for _ in $(seq 100); do
    [ "$(grep -c 'serving' "$log")" -ge "$want" ] && return 0
    sleep 0.05
  done
  echo "# serve did not start:"; sed 's/^/# /' "$log"
}
stop_last() {
  local p=${pids[-1]}
  kill "$p" 2>/dev/null; wait "$p" 2>/dev/null
  unset 'pids[-1]'
}

site=$tmp/site
mkdir -p "$site"
cp www/* "$site/"
head -c 100000 /dev/urandom > "$site/r.bin"
state=$tmp/state
C=(curl -s --max-time 10)

# ---- serve --tls with the generated CA ------------------------------------
start_serve "$tmp/log1" 3 --state-dir "$state" --tls-listen 127.0.0.1:0 \
  --tls-listen '[::1]:0' --listen 127.0.0.1:0 --redirect "$site"
log=$(cat "$tmp/log1")
has "first run creates the local CA and certificate" "created a local CA" "$log"
t4=$(sed -n 's|.*https://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/log1")
t6=$(sed -n 's|.*https://\[::1\]:\([0-9]*\)/.*|\1|p' "$tmp/log1")
h4=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/log1")
check "HTTPS on IPv4 and IPv6, HTTP beside ($t4 $t6 $h4)" test -n "$t4" -a -n "$t6" -a -n "$h4"
for f in ca.pem cert.pem key.pem ca-key.pem; do
  check "state dir has $f" test -s "$state/$f"
done
is "key.pem mode 0600" "$(stat -c %a "$state/key.pem")" 600
is "ca-key.pem mode 0600" "$(stat -c %a "$state/ca-key.pem")" 600
is "state dir mode 0700" "$(stat -c %a "$state")" 700
out=$(openssl verify -CAfile "$state/ca.pem" -purpose sslserver "$state/cert.pem" 2>&1)
has "openssl verifies the leaf against the CA" ": OK$" "$out"
san=$(openssl x509 -in "$state/cert.pem" -noout -ext subjectAltName 2>/dev/null)
has "leaf SANs: localhost, 127.0.0.1, ::1" "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1" "$san"
has "leaf key is P-256" "prime256v1|P-256" "$(openssl x509 -in "$state/cert.pem" -noout -text)"

CA=(--cacert "$state/ca.pem")
for u in "https://localhost:$t4" "https://127.0.0.1:$t4" "https://[::1]:$t6"; do
  "${C[@]}" "${CA[@]}" -o "$tmp/idx" "$u/"
  check "curl GET $u/ verified, is index.html" cmp -s "$tmp/idx" "$site/index.html"
done
out=$("${C[@]}" "${CA[@]}" -v -o /dev/null "https://localhost:$t4/" 2>&1)
has "TLS 1.3" "SSL connection using TLSv1\.3" "$out"
has "ALPN: server accepted http/1.1" "ALPN: server accepted http/1\.1" "$out"
out=$("${C[@]}" "${CA[@]}" --tls-max 1.2 -v -o "$tmp/idx" "https://localhost:$t4/" 2>&1)
has "TLS 1.2 (curl --tls-max 1.2) with an ECDHE-ECDSA AEAD suite" \
  "SSL connection using TLSv1\.2 / ECDHE-ECDSA-(AES|CHACHA)" "$out"
"${C[@]}" "${CA[@]}" -o "$tmp/r.out" "https://localhost:$t4/r.bin"
check "100 kB file intact over TLS" cmp -s "$tmp/r.out" "$site/r.bin"
out=$("${C[@]}" "${CA[@]}" -I "https://localhost:$t4/r.bin")
has "HEAD: 200 with Content-Length 100000" "^HTTP/1\.1 200" "$out"
has "HEAD: Content-Length" "^[Cc]ontent-[Ll]ength: 100000" "$out"
is "HEAD sends no body" "$("${C[@]}" "${CA[@]}" -I -o /dev/null -w '%{size_download}' "https://localhost:$t4/r.bin")" 0
"${C[@]}" "${CA[@]}" -r 100-199 -o "$tmp/rng" -w '%{http_code}' "https://localhost:$t4/r.bin" > "$tmp/code"
is "range: 206" "$(cat "$tmp/code")" 206
check "range: bytes 100-199" cmp -s "$tmp/rng" <(tail -c +101 "$site/r.bin" | head -c 100)
out=$("${C[@]}" "${CA[@]}" -v -o /dev/null -o /dev/null -o /dev/null \
  "https://localhost:$t4/" "https://localhost:$t4/style.css" "https://localhost:$t4/r.bin" 2>&1)
is "keep-alive: three requests on one TLS connection" \
  "$(grep -c 'Re-using existing connection' <<< "$out")" 2
is "one handshake for the three" "$(grep -c 'SSL connection using' <<< "$out")" 1
code=$("${C[@]}" -o /dev/null -w '%{http_code}' "https://localhost:$t4/" 2>/dev/null)
is "curl without the CA refuses (code 000)" "$code" 000

# The redirect.
out=$("${C[@]}" -I "http://127.0.0.1:$h4/style.css?a=1")
has "plain HTTP answers 301" "^HTTP/1\.1 301" "$out"
has "Location is the HTTPS port, same host and target" \
  "^Location: https://127\.0\.0\.1:$t4/style\.css\?a=1" "$out"
out=$("${C[@]}" -I -H 'Host: localhost:80' "http://127.0.0.1:$h4/")
has "Location follows the Host header" "^Location: https://localhost:$t4/" "$out"
"${C[@]}" "${CA[@]}" -L -o "$tmp/idx" "http://localhost:$h4/"
check "curl -L lands on the HTTPS page" cmp -s "$tmp/idx" "$site/index.html"

# mote get against serve.
"$GET" --cacert "$state/ca.pem" -o "$tmp/g" "https://localhost:$t4/r.bin"
is "mote get https with the generated CA: exit 0" $? 0
check "mote get body intact" cmp -s "$tmp/g" "$site/r.bin"
"$GET" --cacert "$state/ca.pem" "https://[::1]:$t6/" > "$tmp/g"
check "mote get over IPv6 (IP SAN ::1)" cmp -s "$tmp/g" "$site/index.html"
out=$("$GET" --cacert "$state/ca.pem" -I "https://127.0.0.1:$t4/style.css")
has "mote get -I prints the head" "^HTTP/1\.1 200 OK" "$out"
out=$("$GET" --cacert "$state/ca.pem" "http://127.0.0.1:$h4/" 2>&1)
is "mote get follows the redirect to HTTPS" "$out" "$(cat "$site/index.html")"
"$GET" --max-redirs 0 "http://127.0.0.1:$h4/" > /dev/null
is "mote get over plain HTTP (301 with redirects off): exit 0" $? 0
out=$("$GET" "https://localhost:$t4/" 2>&1)
st=$?
is "mote get with the system store refuses the local CA: exit 1" $st 1
has "... naming the reason" "issuer is unknown" "$out"
out=$("$GET" --cacert "$state/ca.pem" "https://localhost:$t4/nope" 2>&1)
is "mote get: 404 exits 1" $? 1
"$GET" --frobnicate "https://localhost:$t4/" 2> /dev/null
is "mote get: a bad flag exits 2" $? 2
"$GET" "ftp://localhost/" 2> /dev/null
is "mote get: a bad URL exits 2" $? 2
stop_last

# Restart: the certificate is reused, not made again.
sum=$(sha256sum "$state/cert.pem" "$state/key.pem" "$state/ca.pem")
start_serve "$tmp/log2" 2 --state-dir "$state" --tls-listen 127.0.0.1:0 \
  --listen 127.0.0.1:0 "$site"
t4=$(sed -n 's|.*https://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/log2")
h4=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/log2")
"$GET" -o "$tmp/g" "http://127.0.0.1:$h4/r.bin"
is "mote get over plain HTTP (no redirect): exit 0" $? 0
check "mote get over plain HTTP: body intact" cmp -s "$tmp/g" "$site/r.bin"
check "second run makes no new certificate" test "$(grep -c 'created' "$tmp/log2")" -eq 0
is "certificate files unchanged" "$(sha256sum "$state/cert.pem" "$state/key.pem" "$state/ca.pem")" "$sum"
is "the same CA still verifies after the restart" \
  "$("${C[@]}" "${CA[@]}" -o /dev/null -w '%{http_code}' "https://localhost:$t4/")" 200
stop_last

# --tls alone: the -p address speaks TLS; resumption with a ticket.
pp=$(free_port)
start_serve "$tmp/log2b" 1 --state-dir "$state" --tls -p "$pp" "$site"
has "--tls -p PORT serves HTTPS on *:PORT" "https://\[::\]:$pp/" "$(cat "$tmp/log2b")"
(printf 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'; sleep 0.3) |
  openssl s_client -connect "127.0.0.1:$pp" -servername localhost -CAfile "$state/ca.pem" \
    -sess_out "$tmp/sess" -ign_eof > "$tmp/s1" 2>&1
has "openssl s_client: verified, new session" "^New, TLSv1\.3" "$(cat "$tmp/s1")"
(sleep 0.3) | openssl s_client -connect "127.0.0.1:$pp" -servername localhost \
  -CAfile "$state/ca.pem" -sess_in "$tmp/sess" > "$tmp/s2" 2>&1
has "openssl s_client resumes with the ticket" "^Reused, TLSv1\.3" "$(cat "$tmp/s2")"
stop_last

# ---- Certificates made by openssl -----------------------------------------
K=$tmp/k
mkdir -p "$K/db"
EC=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
openssl req -x509 "${EC[@]}" -keyout "$K/ca.key" -out "$K/ca.crt" \
  -subj /CN=https-test-ca -days 2 -addext basicConstraints=critical,CA:true \
  -addext keyUsage=critical,keyCertSign 2>/dev/null
# leaf NAME DNS [STARTDATE ENDDATE]: a leaf signed by ca (openssl ca, so
# that the validity can lie in the past).
: > "$K/db/index.txt"
echo 1000 > "$K/db/serial"
cat > "$K/ca.cnf" <<EOF
[ca]
default_ca = d
[d]
database = $K/db/index.txt
new_certs_dir = $K/db
serial = $K/db/serial
default_md = sha256
policy = p
unique_subject = no
[p]
commonName = supplied
EOF
leaf() {
  local name=$1 dns=$2 start=${3:-} end=${4:-}
  openssl req -new "${EC[@]}" -keyout "$K/$name.key" -out "$K/$name.csr" \
    -subj "/CN=$dns" 2>/dev/null
  printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:false\n' \
    "$dns" > "$K/$name.ext"
  local dates=(-days 2)
  [ -n "$start" ] && dates=(-startdate "$start" -enddate "$end")
  openssl ca -batch -notext -config "$K/ca.cnf" -cert "$K/ca.crt" \
    -keyfile "$K/ca.key" -in "$K/$name.csr" -out "$K/$name.crt" \
    -extfile "$K/$name.ext" "${dates[@]}" 2>/dev/null
}
leaf a a.test
leaf b b.test
leaf lh localhost
leaf old localhost 20200101000000Z 20210101000000Z
openssl req -x509 "${EC[@]}" -keyout "$K/self.key" -out "$K/self.crt" \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost -days 2 2>/dev/null
check "openssl made the test certificates" test -s "$K/a.crt" -a -s "$K/b.crt" \
  -a -s "$K/lh.crt" -a -s "$K/old.crt" -a -s "$K/self.crt"

# ---- SNI: two certificates ---------------------------------------------------
start_serve "$tmp/log3" 1 --tls-listen 127.0.0.1:0 --cert "$K/a.crt" \
  --key "$K/a.key" --cert "$K/b.crt" --key "$K/b.key" --name b.test "$site"
t4=$(sed -n 's|.*https://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/log3")
for h in a.test b.test; do
  out=$("${C[@]}" --cacert "$K/ca.crt" --resolve "$h:$t4:127.0.0.1" -v \
    -o "$tmp/idx" "https://$h:$t4/" 2>&1)
  check "SNI $h: curl verifies the certificate for $h" cmp -s "$tmp/idx" "$site/index.html"
  has "SNI $h: served subject CN=$h" "subject: CN ?= ?$h" "$out"
done
subj=$(openssl s_client -connect "127.0.0.1:$t4" -servername b.test < /dev/null 2>/dev/null |
  openssl x509 -noout -subject 2>/dev/null)
has "openssl s_client -servername b.test gets b.test" "CN ?= ?b\.test" "$subj"
subj=$(openssl s_client -connect "127.0.0.1:$t4" -noservername < /dev/null 2>/dev/null |
  openssl x509 -noout -subject 2>/dev/null)
has "no SNI: the default (first) certificate" "CN ?= ?a\.test" "$subj"
stop_last
out=$("$SERVE" --tls-listen 127.0.0.1:0 --cert "$K/a.crt" --key "$K/b.key" "$site" 2>&1)
is "serve: a key that is not the certificate's: exit 2" $? 2
has "... saying so" "is not the key of the first certificate" "$out"
out=$("$SERVE" --tls-listen 127.0.0.1:0 --cert "$K/nonexistent.crt" --key "$K/b.key" "$site" 2>&1)
is "serve: a missing certificate file: exit 2" $? 2

# ---- mote get against openssl s_server -www ----------------------------------
# s_srv CERT KEY: an s_server on a free port ($sp), TLS 1.3.
s_srv() {
  sp=$(free_port)
  openssl s_server -quiet -www -tls1_3 -accept "127.0.0.1:$sp" -cert "$1" \
    -key "$2" > /dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    (exec 3<> "/dev/tcp/127.0.0.1/$sp") 2> /dev/null && return 0
    sleep 0.05
  done
}
s_srv "$K/lh.crt" "$K/lh.key"
out=$("$GET" --cacert "$K/ca.crt" "https://localhost:$sp/" 2>&1)
is "mote get vs s_server, right CA: exit 0" $? 0
has "... the s_server status page" "s_server|Ciphers" "$out"
out=$("$GET" --cacert "$K/ca.crt" "https://127.0.0.1:$sp/" 2>&1)
is "mote get vs s_server, wrong host name (127.0.0.1): exit 1" $? 1
has "... reason: name mismatch" "name_mismatch" "$out"
out=$("$GET" -k "https://127.0.0.1:$sp/" 2>&1)
is "mote get -k skips the check: exit 0" $? 0
stop_last
s_srv "$K/old.crt" "$K/old.key"
out=$("$GET" --cacert "$K/ca.crt" "https://localhost:$sp/" 2>&1)
is "mote get vs s_server, expired certificate: exit 1" $? 1
has "... reason: expired" "\(expired\)" "$out"
stop_last
s_srv "$K/self.crt" "$K/self.key"
out=$("$GET" --cacert "$K/ca.crt" "https://localhost:$sp/" 2>&1)
is "mote get vs s_server, untrusted self-signed: exit 1" $? 1
has "... reason: unknown issuer" "unknown_issuer" "$out"
stop_last

echo "1..$n"

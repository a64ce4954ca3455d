#!/usr/bin/env bash
# Mote's TLS 1.2 server (RFC 5246 with RFC 7627 EMS, RFC 5746, RFC 8422,
# RFC 7905) against openssl s_client, gnutls-cli and curl, and the Mote
# 1.2 client against openssl s_server and gnutls-serv, over loopback.
set -u
. "$(dirname "$0")/tls_lib.sh"
if ! command -v openssl > /dev/null || [ ! -x "$PEER" ]; then
  echo "1..0 # SKIP openssl or $PEER missing"; exit 0
fi
mkcerts
# An RSA client certificate too (PKCS#1 and PSS CertificateVerify).
leaf client-rsa rsa "-newkey rsa:2048" clientAuth mote-client-rsa
S=$tmp/server.log L=$tmp/client.log

# sclient LOG ARGS...: s_client -tls1_2 verifying the server, sending "hello".
sclient() {
  local log=$1; shift
  (printf 'hello\n'; sleep "${SLEEP:-0.2}") | timeout 10 openssl s_client \
    -connect 127.0.0.1:"$port" -tls1_2 -CAfile "$C/ca.crt" \
    -verify_return_error -verify_hostname localhost "$@" > "$log" 2>&1
}

# ---- Mote server, s_client -tls1_2 ---------------------------------------
# Each suite, with the key type it needs.
for s in ECDHE-ECDSA-AES128-GCM-SHA256:c02b:p256 \
         ECDHE-ECDSA-AES256-GCM-SHA384:c02c:p384 \
         ECDHE-ECDSA-CHACHA20-POLY1305:cca9:p256 \
         ECDHE-RSA-AES128-GCM-SHA256:c02f:rsa \
         ECDHE-RSA-AES256-GCM-SHA384:c030:rsa \
         ECDHE-RSA-CHACHA20-POLY1305:cca8:rsa; do
  IFS=: read -r name id key <<< "$s"
  start_mote "$S" --cert "$C/$key.crt" --key "$C/$key.key"
  sclient "$L" -cipher "$name"
  wait_server
  has "$S" "^OK suite=$id .*version=0303" "s_client 1.2, $name: negotiated"
  has "$S" "^DATA hello" "s_client 1.2, $name: data arrived"
  has "$L" "Cipher is $name" "s_client agrees on $name"
  has "$L" "Verify return code: 0 " "s_client verified the $key chain"
  has "$L" "Extended master secret: yes" "extended master secret used ($name)"
  has "$L" "^hello" "the echo came back under $name"
done

# Groups (an RSA certificate: in 1.2 an ECDSA one's curve must be listed
# too, RFC 8422 section 5.1, checked just below).
for g in X25519:001d P-256:0017 P-384:0018; do
  start_mote "$S" --cert "$C/rsa.crt" --key "$C/rsa.key"
  sclient "$L" -groups "${g%:*}"
  wait_server
  has "$S" "^OK suite=c02f group=${g#*:} " "s_client 1.2, group ${g%:*}"
done
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key"
sclient "$L" -groups X25519
wait_server
has "$S" "FAIL err=ENOTSUP alert=handshake_failure" "P-256 certificate, client lists X25519 only: refused"
start_mote "$S" --cert "$C/p384.crt" --key "$C/p384.key"
sclient "$L" -groups X25519:P-384
wait_server
has "$S" "^OK suite=c02b group=001d sig=0503 " "P-384 certificate with an X25519 exchange"

# ServerKeyExchange signatures: Ed25519 (RFC 8422), ECDSA, RSA-PSS and
# RSA PKCS#1 v1.5 (the client's signature_algorithms decide).
for k in ed25519:0807: p384:0503: rsa:0804: rsa:0401:-sigalgs=RSA+SHA256 \
         rsa:0601:-sigalgs=RSA+SHA512; do
  IFS=: read -r key sig opt <<< "$k"
  start_mote "$S" --cert "$C/$key.crt" --key "$C/$key.key"
  # shellcheck disable=SC2086
  sclient "$L" ${opt/=/ }
  wait_server
  has "$S" "sig=$sig " "s_client 1.2, $key certificate, ServerKeyExchange $sig"
  has "$L" "Verify return code: 0 " "s_client checked the $sig signature"
done

# ALPN and SNI
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --alpn http/1.1,h2 \
  --cert2 "$C/other.crt" --key2 "$C/other.key" --name2 other.test
sclient "$L" -alpn h2,http/1.1 -servername other.test -verify_hostname other.test
wait_server
has "$S" "alpn=http/1.1 sni=other.test " "1.2: ALPN server's preference, SNI seen"
has "$L" "ALPN protocol: http/1.1" "s_client got http/1.1"
has "$L" "subject=CN ?= ?other.test" "SNI other.test: its certificate"

# Resumption from a session ticket (RFC 5077): -sess_out / -sess_in.
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --tickets --conns 2
SLEEP=0.5 sclient "$L" -sess_out "$tmp/sess.pem"
sclient "$tmp/client2.log" -sess_in "$tmp/sess.pem"
wait_server
has "$L" "TLS session ticket lifetime hint: 7200" "s_client got a 1.2 ticket"
has "$tmp/client2.log" "^Reused, TLSv1.2" "s_client resumed (1.2)"
has "$S" "resumed=1 .*version=0303" "server resumed from its ticket"
has "$tmp/client2.log" "Extended master secret: yes" "the resumed session has EMS"
# A ticket from a server with another ticket key: a full handshake.
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --tickets
sclient "$tmp/client3.log" -sess_in "$tmp/sess.pem"
wait_server
has "$S" "resumed=0 .*version=0303" "foreign ticket: full handshake"

# Client certificates (RFC 5246 7.4.4-7.4.8): the server's CertificateRequest,
# s_client's Certificate and CertificateVerify (ECDSA, RSA PKCS#1 v1.5 and
# RSA-PSS as -client_sigalgs picks: s_client sends no certificate unless
# our CertificateRequest lists that scheme), checked through the X.509
# verifier.
for k in client:- client-rsa:RSA+SHA384 client-rsa:rsa_pss_rsae_sha256; do
  IFS=: read -r cert algs <<< "$k"
  start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --client-auth 2 \
    --ca "$C/ca.crt"
  if [ "$algs" = - ]; then set --; else set -- -client_sigalgs "$algs"; fi
  sclient "$L" -cert "$C/$cert.crt" -key "$C/$cert.key" "$@"
  wait_server
  has "$S" "^OK .*clientcert=1 .*version=0303" "s_client 1.2 with $cert ($algs): client certificate verified"
  has "$S" "^DATA hello" "s_client 1.2 with $cert: data arrived"
  has "$L" "Verify return code: 0 " "s_client 1.2 with $cert: handshake completed"
done
# Refusals with the alert on the wire: no certificate when one is required,
# and a certificate from an unknown CA.
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --client-auth 2 \
  --ca "$C/ca.crt"
sclient "$L"
wait_server
has "$S" "FAIL err=EPROTO alert=handshake_failure" "1.2, no client certificate: the server refuses (handshake_failure)"
has "$L" "alert handshake failure" "s_client got handshake_failure"
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --client-auth 2 \
  --ca "$C/other-ca.crt"
sclient "$L" -cert "$C/client.crt" -key "$C/client.key"
wait_server
has "$S" "FAIL err=EAUTH alert=unknown_ca" "1.2, client certificate from an unknown CA: unknown_ca"
has "$L" "alert unknown ca" "s_client got unknown_ca"
# Optional: s_client without a certificate goes on.
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --client-auth 1 \
  --ca "$C/ca.crt"
sclient "$L"
wait_server
has "$S" "^OK .*clientcert=0 .*version=0303" "1.2, optional client certificate: none sent, handshake done"

# CBC only: no common suite, handshake_failure on the wire.
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key"
sclient "$L" -cipher ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA
wait_server
has "$S" "FAIL err=ENOTSUP alert=handshake_failure" "CBC-only client refused"
has "$L" "alert handshake failure" "s_client got handshake_failure"

# Renegotiation: s_client's R asks; the server answers no_renegotiation
# and the connection goes on (or the client gives up), never a second
# handshake.
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key"
(printf 'hello\n'; sleep 0.2; printf 'R\n'; sleep 0.3; printf 'after\n'; sleep 0.2) |
  timeout 10 openssl s_client -connect 127.0.0.1:"$port" -tls1_2 \
    -CAfile "$C/ca.crt" > "$L" 2>&1
wait_server
has "$L" "RENEGOTIATING" "s_client tried to renegotiate"
has "$L" "no renegotiation|handshake failure" "s_client was refused (no_renegotiation)"
if grep -q "^OK.*version=0303" "$S" && [ "$(grep -c '^OK' "$S")" = 1 ]; then
  pass "one handshake only"
else fail "one handshake only"; sed 's/^/# /' "$S"; fi

# A server held to 1.3 refuses 1.2; a server held to 1.2 still speaks
# to a 1.3-capable client (without the downgrade sentinel: like OpenSSL,
# a server whose max_version is 1.2 does not speak 1.3, so sets none; the
# sentinel a 1.3-capable server sets is checked in test_tls.c).
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --min-version 0304
sclient "$L"
wait_server
has "$S" "alert=protocol_version" "min_version 1.3: 1.2 refused"
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --max-version 0303
(printf 'hello\n'; sleep 0.2) | timeout 10 openssl s_client \
  -connect 127.0.0.1:"$port" -CAfile "$C/ca.crt" > "$L" 2>&1
wait_server
has "$S" "^OK suite=c02b .*version=0303" "max_version 1.2 against a 1.3 client: 1.2"
has "$L" "Protocol  : TLSv1.2" "s_client (1.3-capable) accepted 1.2"

# ---- Mote client (min_version 1.2), openssl s_server -tls1_2 --------------
GET='GET / HTTP/1.0\r\n\r\n'
sserver() {
  port=$(free_port)
  : > "$tmp/sserver.log"
  openssl s_server -accept "$port" -www -naccept "${NACCEPT:-1}" -tls1_2 "$@" \
    > "$tmp/sserver.log" 2>&1 &
  spid=$!
  for _ in $(seq 100); do
    grep -q '^ACCEPT' "$tmp/sserver.log" 2>/dev/null && break
    sleep 0.05
  done
}
mclient() {
  timeout 10 "$PEER" client --connect 127.0.0.1:"$port" --host localhost \
    --ca "$C/ca.crt" --send "$(printf "$GET")" --min-version 0303 "$@" > "$L" 2>&1
}
# (s_server signs with ecdsa+SHA-256 under a P-384 key: 1.2 allows it.)
for k in p256:c02b:0403 p384:c02b:0403 ed25519:c02b:0807 rsa:c02f:0804; do
  IFS=: read -r key suite sig <<< "$k"
  sserver -cert "$C/$key.crt" -key "$C/$key.key"
  mclient
  wait_server
  has "$L" "^OK suite=$suite group=001d sig=$sig .*version=0303" "Mote 1.2 client, s_server $key: verified, ServerKeyExchange $sig"
  has "$L" "^REPLY .*HTTP/1.0 200 ok" "s_server answered over TLS 1.2 ($key)"
done
for s in ECDHE-ECDSA-AES256-GCM-SHA384:c02c ECDHE-ECDSA-CHACHA20-POLY1305:cca9; do
  sserver -cert "$C/p256.crt" -key "$C/p256.key" -cipher "${s%:*}"
  mclient
  wait_server
  has "$L" "^OK suite=${s#*:} .*version=0303" "Mote 1.2 client, ${s%:*}"
done
for g in P-256:0017 P-384:0018; do
  sserver -cert "$C/rsa.crt" -key "$C/rsa.key" -groups "${g%:*}"
  mclient
  wait_server
  has "$L" "^OK suite=c02f group=${g#*:} .*version=0303" "Mote 1.2 client, group ${g%:*}"
done
sserver -cert "$C/rsa.crt" -key "$C/rsa.key" -sigalgs RSA+SHA256
mclient
wait_server
has "$L" "^OK suite=c02f .*sig=0401 .*version=0303" "Mote 1.2 client verifies RSA PKCS#1 v1.5"
# Resumption from the server's ticket.
NACCEPT=2 sserver -cert "$C/p256.crt" -key "$C/p256.key"
mclient --sess-out "$tmp/m.sess"
mclient --sess-in "$tmp/m.sess"
wait_server
has "$L" "^OK .*resumed=1 .*version=0303" "Mote 1.2 client resumed from s_server's ticket"
has "$L" "^REPLY .*HTTP/1.0 200 ok" "s_server answered the resumed session"
# Client certificates: s_server -Verify 1 asks for one and verifies it.
for k in client:0403 client-rsa:0804; do
  sserver -cert "$C/p256.crt" -key "$C/p256.key" -Verify 1 -CAfile "$C/ca.crt"
  mclient --cert "$C/${k%:*}.crt" --key "$C/${k%:*}.key"
  wait_server
  has "$L" "^OK .*clientcert=1 .*version=0303" "Mote 1.2 client sent its ${k%:*} certificate to s_server -Verify 1"
  has "$L" "^REPLY .*HTTP/1.0 200 ok" "s_server accepted it and answered (${k%:*})"
done
sserver -cert "$C/p256.crt" -key "$C/p256.key" -Verify 1 -CAfile "$C/ca.crt" \
  -client_sigalgs RSA+SHA256
mclient --cert "$C/client-rsa.crt" --key "$C/client-rsa.key"
wait_server
has "$L" "^OK .*clientcert=1 .*version=0303" "Mote 1.2 client, s_server asking for RSA+SHA256 only: PKCS#1 CertificateVerify accepted"
has "$L" "^REPLY .*HTTP/1.0 200 ok" "s_server answered after the PKCS#1 CertificateVerify"
sserver -cert "$C/p256.crt" -key "$C/p256.key" -Verify 1 -CAfile "$C/ca.crt"
mclient
wait_server
has "$L" "^FAIL .*alert=handshake_failure" "Mote 1.2 client without a certificate: s_server -Verify refuses (handshake_failure on the wire)"
# The default client (1.3 only) refuses a 1.2-only server.
sserver -cert "$C/p256.crt" -key "$C/p256.key"
mclient --min-version 0304
wait_server
has "$L" "^FAIL .*alert=protocol_version" "a 1.3-only Mote client refuses s_server -tls1_2"

# ---- mote get (apps/get) against s_server -tls1_2 -------------------------
# The client default is 1.3 only; --tlsv1.2 offers 1.2 too. s_server with
# -servername logs the SNI it gets: "localhost" is sent, an IP literal is
# not (RFC 6066 section 3).
GETBIN=$B/bin/get
if [ -x "$GETBIN" ]; then
  sserver -cert "$C/p256.crt" -key "$C/p256.key" -servername localhost \
    -cert2 "$C/p256.crt" -key2 "$C/p256.key"
  timeout 10 "$GETBIN" --cacert "$C/ca.crt" "https://localhost:$port/" \
    > "$tmp/get.out" 2> "$tmp/get.err"
  st=$?
  wait_server
  if [ $st = 1 ] && grep -q "protocol_version" "$tmp/get.err"; then
    pass "mote get (default: 1.3 only) refuses s_server -tls1_2 (protocol_version)"
  else fail "mote get default against a 1.2 server: exit $st"; sed 's/^/# /' "$tmp/get.err"; fi
  sserver -cert "$C/p256.crt" -key "$C/p256.key" -servername localhost \
    -cert2 "$C/p256.crt" -key2 "$C/p256.key"
  timeout 10 "$GETBIN" --tlsv1.2 --cacert "$C/ca.crt" "https://localhost:$port/" \
    > "$tmp/get.out" 2> "$tmp/get.err"
  st=$?
  wait_server
  if [ $st = 0 ] && grep -q "Protocol  : TLSv1.2" "$tmp/get.out"; then
    pass "mote get --tlsv1.2 fetched from s_server -tls1_2"
  else fail "mote get --tlsv1.2: exit $st"; sed 's/^/# /' "$tmp/get.err"; fi
  has "$tmp/sserver.log" "Hostname in TLS extension: \"localhost\"" "mote get sent SNI localhost"
  sserver -cert "$C/p256.crt" -key "$C/p256.key" -servername localhost \
    -cert2 "$C/p256.crt" -key2 "$C/p256.key"
  timeout 10 "$GETBIN" --tlsv1.2 -k "https://127.0.0.1:$port/" \
    > "$tmp/get.out" 2> "$tmp/get.err"
  st=$?
  wait_server
  if [ $st = 0 ] && ! grep -q "Hostname in TLS extension" "$tmp/sserver.log"; then
    pass "mote get https://127.0.0.1: no SNI sent for an IP literal"
  else fail "mote get to an IP: exit $st, or SNI sent"; sed 's/^/# /' "$tmp/sserver.log" | head -5; fi
else
  pass "# SKIP $GETBIN missing"
fi

# ---- Mote client (min_version 1.2), gnutls-serv 1.2 -----------------------
if command -v gnutls-serv > /dev/null; then
  gserv() {
    port=$(free_port)
    : > "$tmp/gserv.log"
    gnutls-serv --echo -p "$port" --priority NORMAL:-VERS-ALL:+VERS-TLS1.2 "$@" \
      > "$tmp/gserv.log" 2>&1 &
    spid=$!
    for _ in $(seq 100); do
      grep -q 'Echo Server listening\|listening on' "$tmp/gserv.log" 2>/dev/null && break
      sleep 0.05
    done
  }
  stop_gserv() { kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null; spid=; }
  gclient() {
    timeout 10 "$PEER" client --connect 127.0.0.1:"$port" --host localhost \
      --ca "$C/ca.crt" --send $'hello gnutls\n' --min-version 0303 "$@" > "$L" 2>&1
  }
  for k in p256:c02b ed25519:c02b rsa:c02f; do
    gserv --x509certfile "$C/${k%:*}.crt" --x509keyfile "$C/${k%:*}.key"
    gclient
    has "$L" "^OK suite=${k#*:} .*version=0303" "Mote 1.2 client, gnutls-serv ${k%:*}"
    has "$L" "^REPLY 13 bytes: hello gnutls" "gnutls-serv echoed over 1.2"
    stop_gserv
  done
  gserv --x509certfile "$C/p256.crt" --x509keyfile "$C/p256.key"
  gclient --sess-out "$tmp/g.sess"
  gclient --sess-in "$tmp/g.sess"
  has "$L" "^OK .*resumed=1 .*version=0303" "Mote 1.2 client resumed with gnutls-serv"
  stop_gserv
  # Client certificates: gnutls-serv --require-client-cert.
  gserv --x509certfile "$C/p256.crt" --x509keyfile "$C/p256.key" \
    --require-client-cert --verify-client-cert --x509cafile "$C/ca.crt"
  gclient --cert "$C/client.crt" --key "$C/client.key"
  has "$L" "^OK .*clientcert=1 .*version=0303" "Mote 1.2 client sent its certificate to gnutls-serv --require-client-cert"
  has "$L" "^REPLY 13 bytes: hello gnutls" "gnutls-serv accepted it and echoed"
  stop_gserv
  gserv --x509certfile "$C/p256.crt" --x509keyfile "$C/p256.key" \
    --require-client-cert --verify-client-cert --x509cafile "$C/ca.crt"
  gclient --cert "$C/client-rsa.crt" --key "$C/client-rsa.key"
  has "$L" "^OK .*clientcert=1 .*version=0303" "Mote 1.2 client, RSA certificate, gnutls-serv"
  has "$L" "^REPLY 13 bytes: hello gnutls" "gnutls-serv echoed (RSA client certificate)"
  stop_gserv
  gserv --x509certfile "$C/p256.crt" --x509keyfile "$C/p256.key" \
    --require-client-cert --verify-client-cert --x509cafile "$C/ca.crt"
  # GnuTLS answers an empty client Certificate with decode_error ("No
  # certificate was found"; openssl s_client -tls1_2 gets the same).
  gclient
  has "$L" "^FAIL err=ECONNRESET alert=decode_error" "Mote 1.2 client without a certificate: gnutls-serv refuses (decode_error)"
  stop_gserv
  # A server without the extended master secret: the client refuses.
  gserv --x509certfile "$C/p256.crt" --x509keyfile "$C/p256.key" \
    --priority NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_SESSION_HASH
  gclient
  has "$L" "^FAIL .*alert=handshake_failure" "gnutls-serv without EMS: the Mote client refuses"
  stop_gserv
fi

# ---- gnutls-cli ----------------------------------------------------------
if command -v gnutls-cli > /dev/null; then
  for k in p256:c02b rsa:c02f ed25519:c02b; do
    start_mote "$S" --cert "$C/${k%:*}.crt" --key "$C/${k%:*}.key"
    (printf 'hello\n'; sleep 0.2) | timeout 10 gnutls-cli -p "$port" 127.0.0.1 \
      --sni-hostname localhost --verify-hostname localhost \
      --x509cafile "$C/ca.crt" --priority NORMAL:-VERS-ALL:+VERS-TLS1.2 \
      > "$L" 2>&1
    wait_server
    has "$S" "^OK suite=${k#*:} .*version=0303" "gnutls-cli 1.2, ${k%:*} certificate"
    has "$S" "^DATA hello" "gnutls-cli 1.2 data arrived"
  done
  # Client certificates: gnutls-cli answers our CertificateRequest.
  for k in client client-rsa; do
    start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --client-auth 2 \
      --ca "$C/ca.crt"
    (printf 'hello\n'; sleep 0.2) | timeout 10 gnutls-cli -p "$port" 127.0.0.1 \
      --sni-hostname localhost --verify-hostname localhost \
      --x509cafile "$C/ca.crt" --priority NORMAL:-VERS-ALL:+VERS-TLS1.2 \
      --x509certfile "$C/$k.crt" --x509keyfile "$C/$k.key" > "$L" 2>&1
    wait_server
    has "$S" "^OK .*clientcert=1 .*version=0303" "gnutls-cli 1.2 with the $k certificate: verified by the Mote server"
    has "$S" "^DATA hello" "gnutls-cli 1.2 with $k: data arrived"
  done
  # A client without the extended master secret: handshake_failure.
  start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key"
  (printf 'hello\n'; sleep 0.2) | timeout 10 gnutls-cli -p "$port" 127.0.0.1 \
    --insecure --priority NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_SESSION_HASH \
    > "$L" 2>&1
  wait_server
  has "$S" "FAIL err=ENOTSUP alert=handshake_failure" "no EMS (gnutls %NO_SESSION_HASH): refused"
  has "$L" "Handshake failed" "gnutls-cli saw the failure"
else
  pass "# SKIP gnutls-cli missing"
fi

# ---- curl ----------------------------------------------------------------
if command -v curl > /dev/null; then
  start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --alpn http/1.1
  timeout 10 curl -s -o /dev/null -m 5 --tlsv1.2 --tls-max 1.2 \
    --cacert "$C/ca.crt" --resolve "localhost:$port:127.0.0.1" \
    "https://localhost:$port/x" > "$tmp/curl.log" 2>&1
  wait_server
  has "$S" "^OK suite=c02b .*alpn=http/1.1 sni=localhost .*version=0303" "curl --tls-max 1.2 handshake"
  has "$S" "^DATA GET /x HTTP/1.1" "curl's request arrived over TLS 1.2"
fi
echo "1..$n"

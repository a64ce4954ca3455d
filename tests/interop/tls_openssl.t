#!/usr/bin/env bash
# Mote's TLS 1.3 against OpenSSL over loopback: Mote server with
# `openssl s_client`, Mote client with `openssl s_server`.
set -u
. "$(dirname "$0")/tls_lib.sh"
if ! command -v openssl > /dev/null || [ ! -x "$PEER" ]; then
  echo "1..0 # SKIP openssl or $PEER missing"; exit 0
fi
mkcerts
# id-RSASSA-PSS keys whose SPKI carries RSASSA-PSS-params (RFC 4055 3.3):
# SHA-384 (rsa_pss_pss_sha384 is the only TLS scheme they allow) and one
# whose MGF1 hash differs from its hash (no TLS scheme fits).
leaf pss384 pss384 "-newkey rsa-pss -pkeyopt rsa_keygen_bits:2048 \
  -pkeyopt rsa_pss_keygen_md:sha384 -pkeyopt rsa_pss_keygen_mgf1_md:sha384 \
  -pkeyopt rsa_pss_keygen_saltlen:48" serverAuth
leaf pssmix pssmix "-newkey rsa-pss -pkeyopt rsa_keygen_bits:2048 \
  -pkeyopt rsa_pss_keygen_md:sha256 -pkeyopt rsa_pss_keygen_mgf1_md:sha384 \
  -pkeyopt rsa_pss_keygen_saltlen:32" serverAuth

# sclient LOG ARGS...: s_client sending "hello" (stdin held open briefly so
# tickets and the echo arrive).
sclient() {
  local log=$1; shift
  (printf 'hello\n'; sleep "${SLEEP:-0.2}") | timeout 10 openssl s_client \
    -connect 127.0.0.1:"$port" "$@" > "$log" 2>&1
}

S=$tmp/server.log L=$tmp/client.log

# ---- Mote server, s_client ---------------------------------------------
for s in TLS_AES_128_GCM_SHA256:1301 TLS_AES_256_GCM_SHA384:1302 \
         TLS_CHACHA20_POLY1305_SHA256:1303; do
  start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key"
  sclient "$L" -ciphersuites "${s%:*}"
  wait_server
  has "$S" "^OK suite=${s#*:} " "s_client, ${s%:*}: negotiated"
  has "$S" "^DATA hello" "s_client, ${s%:*}: data arrived"
  has "$L" "Cipher is ${s%:*}" "s_client agrees on ${s%:*}"
done

for g in X25519:001d P-256:0017 P-384:0018; do
  start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key"
  sclient "$L" -groups "${g%:*}"
  wait_server
  has "$S" "^OK suite=1301 group=${g#*:} " "s_client, group ${g%:*}"
done
if openssl list -kem-algorithms 2>/dev/null | grep -qi mlkem; then
  start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key"
  sclient "$L" -groups X25519MLKEM768
  wait_server
  has "$S" "group=11ec" "s_client, X25519MLKEM768"
else
  pass "# SKIP X25519MLKEM768: OpenSSL $(openssl version | cut -d' ' -f2) has no ML-KEM (tested back to back)"
fi

for k in ed25519:0807 p256:0403 p384:0503 rsa:0804; do
  start_mote "$S" --cert "$C/${k%:*}.crt" --key "$C/${k%:*}.key"
  sclient "$L" -verify_return_error -CAfile "$C/ca.crt" -verify_hostname localhost
  wait_server
  has "$S" "sig=${k#*:} " "s_client, ${k%:*} certificate: CertificateVerify ${k#*:}"
  has "$L" "Verify return code: 0 " "s_client verified the ${k%:*} chain"
done

# A server that takes a P-384 share only: s_client sends X25519 first, so
# the server asks again (HelloRetryRequest).
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --groups p-384
sclient "$L" -groups X25519:P-384
wait_server
has "$S" "^OK suite=1301 group=0018 " "s_client through HelloRetryRequest"

# ALPN
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --alpn http/1.1,h2
sclient "$L" -alpn h2,http/1.1
wait_server
has "$S" "alpn=http/1.1 " "ALPN: server's preference"
has "$L" "ALPN protocol: http/1.1" "s_client got http/1.1"

# SNI picks the certificate
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" \
  --cert2 "$C/other.crt" --key2 "$C/other.key" --name2 other.test --conns 2
sclient "$L" -servername other.test
has "$L" "subject=CN ?= ?other.test" "SNI other.test: its certificate"
sclient "$L" -servername localhost
wait_server
has "$L" "subject=CN ?= ?localhost" "SNI localhost: the default certificate"
has "$S" "sni=other.test " "server saw other.test"

# Resumption
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --tickets --conns 2
SLEEP=0.5 sclient "$L" -sess_out "$tmp/sess.pem"
sclient "$tmp/client2.log" -sess_in "$tmp/sess.pem"
wait_server
has "$tmp/client2.log" "^Reused, TLSv1.3" "s_client resumed"
has "$S" "resumed=1" "Mote server resumed"

# KeyUpdate: s_client's "k" command, then more data.
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key"
(printf 'one\n'; sleep 0.5; printf 'k\n'; sleep 0.5; printf 'two\n'; sleep 0.3) |
  timeout 10 openssl s_client -connect 127.0.0.1:"$port" > "$L" 2>&1
wait_server
has "$S" "^DATA two" "data after s_client's KeyUpdate"
has "$S" "1 key updates" "server counted one KeyUpdate"

# Client certificates
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --client-auth 2 \
  --ca "$C/ca.crt" --conns 2
sclient "$L" -cert "$C/client.crt" -key "$C/client.key"
sclient "$tmp/client2.log"
wait_server
has "$S" "clientcert=1" "client certificate verified"
has "$S" "FAIL err=EPROTO alert=certificate_required" "no client certificate: certificate_required"

# Failures with the alert on the wire
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --suites 1303
sclient "$L" -ciphersuites TLS_AES_128_GCM_SHA256
wait_server
has "$S" "FAIL err=ENOTSUP alert=handshake_failure" "no common suite"
has "$L" "alert handshake failure" "s_client got handshake_failure"
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --groups x25519
sclient "$L" -groups P-384
wait_server
has "$L" "alert handshake failure" "no common group: handshake_failure"

# Exporters (RFC 8446 7.5): both ends derive the same keying material.
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --export EXPERIMENTAL-mote
sclient "$L" -keymatexport EXPERIMENTAL-mote -keymatexportlen 20
wait_server
km=$(awk '/^EXPORT/{print $2}' "$S")
has "$L" "Keying material: ${km:-none}" "exporter agrees with s_client ($km)"

# A TLS 1.2-only client against a server held to 1.3 (min_version):
# protocol_version on the wire. (1.2 itself: tls12_openssl.t.)
start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --min-version 0304
sclient "$L" -tls1_2
wait_server
has "$S" "FAIL err=ENOTSUP alert=protocol_version" "TLS 1.2-only client refused"
has "$L" "alert protocol version" "s_client got protocol_version"

# ---- Mote client, s_server -----------------------------------------------
GET='GET / HTTP/1.0\r\n\r\n'
# sserver ARGS...: s_server -www on a free port.
sserver() {
  port=$(free_port)
  : > "$tmp/sserver.log"
  openssl s_server -accept "$port" -www -naccept "${NACCEPT:-1}" "$@" \
    > "$tmp/sserver.log" 2>&1 &
  spid=$!
  for _ in $(seq 100); do
    grep -q '^ACCEPT' "$tmp/sserver.log" 2>/dev/null && break
    sleep 0.05
  done
}
mclient() {
  timeout 10 "$PEER" client --connect 127.0.0.1:"$port" --host localhost \
    --ca "$C/ca.crt" --send "$(printf "$GET")" "$@" > "$L" 2>&1
}

for k in ed25519:0807 p256:0403 p384:0503 rsa:0804 pss:0809 pss384:080a; do
  sserver -cert "$C/${k%:*}.crt" -key "$C/${k%:*}.key"
  mclient
  wait_server
  has "$L" "^OK suite=1301 group=001d sig=${k#*:} " "Mote client, s_server ${k%:*}: verified, CertificateVerify ${k#*:}"
  has "$L" "^REPLY .*HTTP/1.0 200 ok" "s_server answered over TLS"
done
# MGF1 hash other than the hash: no TLS scheme fits (unsupported_certificate).
sserver -cert "$C/pssmix.crt" -key "$C/pssmix.key"
mclient
wait_server
has "$L" "^FAIL err=EAUTH alert=unsupported_certificate" "PSS key with MGF1-SHA384 over SHA-256: no TLS scheme, unsupported_certificate"
for s in 1301 1302 1303; do
  sserver -cert "$C/p256.crt" -key "$C/p256.key"
  mclient --suites "$s"
  wait_server
  has "$L" "^OK suite=$s " "Mote client, suite $s"
done
for g in P-256:0017 P-384:0018; do
  sserver -cert "$C/p256.crt" -key "$C/p256.key" -groups "${g%:*}"
  mclient
  wait_server
  has "$L" "group=${g#*:} " "Mote client, s_server wants ${g%:*} (HelloRetryRequest)"
done
sserver -cert "$C/p256.crt" -key "$C/p256.key" -alpn h2
mclient --alpn http/1.1,h2
wait_server
has "$L" "alpn=h2 " "Mote client, ALPN h2"

NACCEPT=2 sserver -cert "$C/p256.crt" -key "$C/p256.key"
mclient --sess-out "$tmp/mote.sess"
cp "$L" "$tmp/first.log"
mclient --sess-in "$tmp/mote.sess"
wait_server
has "$tmp/first.log" "^TICKET yes" "Mote client kept s_server's ticket"
has "$L" "resumed=1" "Mote client resumed with s_server"

sserver -cert "$C/p256.crt" -key "$C/p256.key"
mclient --key-update
wait_server
has "$L" "^REPLY .*200 ok" "Mote client KeyUpdate then request"

sserver -cert "$C/p256.crt" -key "$C/p256.key" -Verify 1 -CAfile "$C/ca.crt"
mclient --cert "$C/client.crt" --key "$C/client.key"
wait_server
has "$L" "clientcert=1" "Mote client sent its certificate"
has "$L" "^REPLY .*200 ok" "s_server accepted it"

sserver -cert "$C/p256.crt" -key "$C/p256.key"
timeout 10 "$PEER" client --connect 127.0.0.1:"$port" --host localhost \
  --ca "$C/other-ca.crt" > "$L" 2>&1
wait_server
has "$L" "FAIL err=EAUTH alert=unknown_ca why=unknown_issuer" "untrusted server: unknown_ca"
has "$tmp/sserver.log" "alert unknown ca|unknown ca" "s_server got unknown_ca"

sserver -cert "$C/p256.crt" -key "$C/p256.key"
timeout 10 "$PEER" client --connect 127.0.0.1:"$port" --host wrong.example \
  --ca "$C/ca.crt" > "$L" 2>&1
wait_server
has "$L" "FAIL err=EAUTH alert=bad_certificate why=name_mismatch" "wrong host name: bad_certificate"

sserver -cert "$C/p256.crt" -key "$C/p256.key" -ciphersuites TLS_AES_256_GCM_SHA384
mclient --suites 1301
wait_server
has "$L" "FAIL err=ECONNRESET alert=handshake_failure" "no common suite: s_server's handshake_failure"

echo "1..$n"

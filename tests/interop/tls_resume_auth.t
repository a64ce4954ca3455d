#!/usr/bin/env bash
# Session resumption x client certificates, Mote server against openssl
# s_client, TLS 1.3 (PSK from a NewSessionTicket) and TLS 1.2 (RFC 5077
# tickets). Servers are separate test_tls_flow processes sharing one ticket
# key (--ticket-key), so a ticket made by one is readable by the next:
#   - a session made without a certificate (client auth optional) must not
#     resume on a server that requires one: a full handshake with a
#     CertificateRequest, which fails without a certificate and succeeds
#     (resumed=0) with one;
#   - a session made with a certificate resumes on the requiring server
#     without the certificate being sent again ("Reused"), and the server
#     reports the same peer certificate (peercert=, the first 8 bytes of
#     the SHA-256 of the DER) as the certificate file itself;
#   - the same ticket under another ticket key: a full handshake.
set -u
. "$(dirname "$0")/tls_lib.sh"
if ! command -v openssl > /dev/null || ! command -v sha256sum > /dev/null ||
   [ ! -x "$PEER" ]; then
  echo "1..0 # SKIP openssl, sha256sum or $PEER missing"; exit 0
fi
mkcerts
S=$tmp/server.log L=$tmp/client.log
want=$(openssl x509 -in "$C/client.crt" -outform DER | sha256sum | cut -c1-16)
if [ ${#want} -ne 16 ]; then
  fail "hash of the client certificate"; echo "1..$n"; exit 0
fi

# server AUTH [KEY]: a Mote server with client auth AUTH (1 optional, 2
# required) and the ticket key KEY (default k1).
server() {
  start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" \
    --client-auth "$1" --ca "$C/ca.crt" --ticket-key "${2:-k1}"
}

# sclient LOG VERSION ARGS...: s_client verifying the server, printing the
# handshake messages (-msg), sending "hello".
sclient() {
  local log=$1 v=$2; shift 2
  (printf 'hello\n'; sleep "${SLEEP:-0.3}") | timeout 10 openssl s_client \
    -connect 127.0.0.1:"$port" "$v" -CAfile "$C/ca.crt" \
    -verify_return_error -verify_hostname localhost -msg "$@" > "$log" 2>&1
  wait_server
}

for ver in 1.3 1.2; do
  v=-tls${ver/./_} hex=0304
  [ "$ver" = 1.2 ] && hex=0303
  # Required-auth failure: 1.3 sends certificate_required (RFC 8446 4.4.2.4),
  # 1.2 handshake_failure (RFC 5246 7.4.6).
  alert=certificate_required
  [ "$ver" = 1.2 ] && alert=handshake_failure
  cert=(-cert "$C/client.crt" -key "$C/client.key")

  # 1. Optional client auth, no certificate: an unauthenticated session.
  server 1
  SLEEP=0.6 sclient "$L" "$v" -sess_out "$tmp/unauth.pem"
  has "$S" "^OK .*resumed=0 clientcert=0 .*version=$hex peercert=-$" \
    "$ver: optional auth, no certificate: full handshake, no peer"
  if [ -s "$tmp/unauth.pem" ]; then pass "$ver: s_client saved the session"
  else fail "$ver: s_client saved no session"; fi

  # 1b. Control: the ticket is good, s_client offers it, and it resumes on
  # a server with the same key that does not require a certificate.
  server 1
  sclient "$L" "$v" -sess_in "$tmp/unauth.pem"
  has "$L" "^Reused, TLSv$ver" "$ver: control: the unauthenticated ticket resumes where auth is optional"
  has "$S" "^OK .*resumed=1 clientcert=0 .*version=$hex peercert=-$" \
    "$ver: control: resumed without a peer"

  # 2. That session offered to a server requiring a certificate, without
  # one: not resumed; the server asks for a certificate and fails.
  server 2
  sclient "$L" "$v" -sess_in "$tmp/unauth.pem"
  has "$S" "^FAIL err=EPROTO alert=$alert" \
    "$ver: unauthenticated ticket on the requiring server: refused ($alert)"
  if ! grep -q "resumed=1" "$S"; then
    pass "$ver: the unauthenticated ticket did not resume"
  else fail "$ver: the unauthenticated ticket resumed"; fi
  has "$L" "<<< .*CertificateRequest" \
    "$ver: a full handshake that asked s_client for a certificate"
  if ! grep -q "^Reused" "$L"; then pass "$ver: s_client did not report Reused"
  else fail "$ver: s_client reported Reused"; fi

  # 3. The same session offered with a certificate: full handshake, not
  # resumed, authenticated.
  server 2
  sclient "$L" "$v" -sess_in "$tmp/unauth.pem" "${cert[@]}"
  has "$S" "^OK .*resumed=0 clientcert=1 .*version=$hex peercert=$want$" \
    "$ver: unauthenticated ticket plus a certificate: full handshake, authenticated"

  # 4. Required auth with a certificate: an authenticated session.
  server 2
  SLEEP=0.6 sclient "$L" "$v" "${cert[@]}" -sess_out "$tmp/auth.pem"
  has "$S" "^OK .*resumed=0 clientcert=1 .*version=$hex peercert=$want$" \
    "$ver: required auth: the client certificate's SHA-256 ($want)"
  has "$L" "^New, TLSv$ver" "$ver: s_client: a new session"

  # 5. Resuming it on the requiring server without the certificate: resumed
  # with the ticket's peer identity.
  server 2
  sclient "$L" "$v" -sess_in "$tmp/auth.pem"
  has "$L" "^Reused, TLSv$ver" "$ver: authenticated ticket: s_client reports Reused"
  has "$S" "^OK .*resumed=1 clientcert=0 .*version=$hex peercert=$want$" \
    "$ver: resumed on the requiring server, same peer certificate"
  if ! grep -q "<<< .*CertificateRequest" "$L"; then
    pass "$ver: no CertificateRequest in the resumed handshake"
  else fail "$ver: a CertificateRequest in the resumed handshake"; fi
  has "$L" "^hello" "$ver: data echoed on the resumed session"

  # 6. ... and on the optional server.
  server 1
  sclient "$L" "$v" -sess_in "$tmp/auth.pem"
  has "$S" "^OK .*resumed=1 .*version=$hex peercert=$want$" \
    "$ver: authenticated ticket on the optional server: resumed, same peer"

  # 7. A server with another ticket key cannot read it: full handshake,
  # which fails without a certificate.
  server 2 k2
  sclient "$L" "$v" -sess_in "$tmp/auth.pem"
  has "$S" "^FAIL err=EPROTO alert=$alert" \
    "$ver: authenticated ticket under another ticket key: not resumed"
  if ! grep -q "^Reused" "$L"; then pass "$ver: s_client did not report Reused (k2)"
  else fail "$ver: s_client reported Reused (k2)"; fi
done
echo "1..$n"

#!/usr/bin/env bash
# curl (OpenSSL backend) against the Mote TLS server: the handshake curl
# makes by default (its groups, ALPN h2/http/1.1, SNI, verification).
# The peer only echoes, so curl's HTTP parse of the echo is not checked.
set -u
. "$(dirname "$0")/tls_lib.sh"
if ! command -v curl > /dev/null || ! command -v openssl > /dev/null ||
   [ ! -x "$PEER" ]; then
  echo "1..0 # SKIP curl, openssl or $PEER missing"; exit 0
fi
mkcerts
S=$tmp/server.log
for k in p256 rsa ed25519; do
  start_mote "$S" --cert "$C/$k.crt" --key "$C/$k.key" --alpn http/1.1
  timeout 10 curl -s -o /dev/null -m 5 --tlsv1.3 --cacert "$C/ca.crt" \
    --resolve "localhost:$port:127.0.0.1" "https://localhost:$port/x" \
    > "$tmp/curl.log" 2>&1
  wait_server
  has "$S" "^OK suite=13.. group=.* alpn=http/1.1 sni=localhost " "curl handshake, $k certificate"
  has "$S" "^DATA GET /x HTTP/1.1" "curl's request arrived over TLS"
done
echo "1..$n"

#!/usr/bin/env bash
# Mote's TLS 1.3 against GnuTLS over loopback: Mote server with
# gnutls-cli, Mote client with gnutls-serv.
set -u
. "$(dirname "$0")/tls_lib.sh"
if ! command -v gnutls-cli > /dev/null || ! command -v gnutls-serv > /dev/null ||
   ! command -v openssl > /dev/null || [ ! -x "$PEER" ]; then
  echo "1..0 # SKIP gnutls-bin, openssl or $PEER missing"; exit 0
fi
mkcerts
S=$tmp/server.log L=$tmp/client.log
PRIO=NORMAL:-VERS-ALL:+VERS-TLS1.3

# gcli LOG ARGS...: gnutls-cli verifying the Mote server, sending "hello".
gcli() {
  local log=$1; shift
  (printf 'hello\n'; sleep 0.2) | timeout 10 gnutls-cli -p "$port" 127.0.0.1 \
    --sni-hostname localhost --verify-hostname localhost \
    --x509cafile "$C/ca.crt" "$@" > "$log" 2>&1
}

# ---- Mote server, gnutls-cli ------------------------------------------------
for k in ed25519:0807 p256:0403 p384:0503 rsa:0804; do
  start_mote "$S" --cert "$C/${k%:*}.crt" --key "$C/${k%:*}.key"
  gcli "$L" --priority "$PRIO"
  wait_server
  has "$S" "sig=${k#*:} " "gnutls-cli, ${k%:*} certificate"
  has "$L" "Status: The certificate is trusted" "gnutls-cli verified the ${k%:*} chain"
  has "$S" "^DATA hello" "data arrived"
done
for s in AES-128-GCM:1301 AES-256-GCM:1302 CHACHA20-POLY1305:1303; do
  start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key"
  gcli "$L" --priority "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+${s%:*}"
  wait_server
  has "$S" "^OK suite=${s#*:} " "gnutls-cli, ${s%:*}"
done
for g in X25519:001d SECP256R1:0017 SECP384R1:0018; do
  start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key"
  gcli "$L" --priority "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-${g%:*}"
  wait_server
  has "$S" "group=${g#*:} " "gnutls-cli, group ${g%:*}"
done

start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --tickets --conns 2
gcli "$L" --priority "$PRIO" --resume
wait_server
has "$L" "This is a resumed session" "gnutls-cli resumed"
has "$S" "resumed=1" "Mote server resumed"

start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --alpn http/1.1
gcli "$L" --priority "$PRIO" --alpn h2 --alpn http/1.1
wait_server
has "$S" "alpn=http/1.1 " "gnutls-cli ALPN"

start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key" --client-auth 2 \
  --ca "$C/ca.crt"
gcli "$L" --priority "$PRIO" --x509certfile "$C/client.crt" \
  --x509keyfile "$C/client.key"
wait_server
has "$S" "clientcert=1" "gnutls-cli client certificate"

start_mote "$S" --cert "$C/p256.crt" --key "$C/p256.key"
(printf 'one\n'; sleep 0.5; printf '^rekey1^\n'; sleep 0.5; printf 'two\n';
 sleep 0.2) | timeout 10 gnutls-cli -p "$port" 127.0.0.1 --insecure \
  --inline-commands > "$L" 2>&1
wait_server
has "$S" "^DATA two" "data after gnutls-cli's KeyUpdate"
has "$S" " [1-9] key updates" "server saw the KeyUpdate"

# ---- Mote client, gnutls-serv -------------------------------------------------
gserv() {
  port=$(free_port)
  : > "$tmp/gserv.log"
  gnutls-serv --echo -p "$port" "$@" > "$tmp/gserv.log" 2>&1 &
  spid=$!
  for _ in $(seq 100); do
    grep -q 'Echo Server listening\|listening on' "$tmp/gserv.log" 2>/dev/null && break
    sleep 0.05
  done
}
stop_gserv() { kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null; spid=; }
mclient() {
  timeout 10 "$PEER" client --connect 127.0.0.1:"$port" --host localhost \
    --ca "$C/ca.crt" --send $'hello gnutls\n' "$@" > "$L" 2>&1
}

for k in ed25519:0807 p256:0403 p384:0503 rsa:0804; do
  gserv --x509certfile "$C/${k%:*}.crt" --x509keyfile "$C/${k%:*}.key"
  mclient
  has "$L" "^OK suite=1301 group=001d sig=${k#*:} " "Mote client, gnutls-serv ${k%:*}"
  has "$L" "^REPLY 13 bytes: hello gnutls" "gnutls-serv echoed"
  stop_gserv
done
gserv --x509certfile "$C/p256.crt" --x509keyfile "$C/p256.key" \
  --priority "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-SECP384R1"
mclient
has "$L" "group=0018 " "Mote client, gnutls-serv wants P-384 (HelloRetryRequest)"
stop_gserv
gserv --x509certfile "$C/p256.crt" --x509keyfile "$C/p256.key"
mclient --sess-out "$tmp/g.sess" --key-update
has "$L" "^REPLY 26 bytes" "KeyUpdate mid-stream, both messages echoed"
mclient --sess-in "$tmp/g.sess"
has "$L" "resumed=1" "Mote client resumed with gnutls-serv"
stop_gserv

echo "1..$n"

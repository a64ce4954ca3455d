# Shared by tests/interop/tls_*.t: TAP helpers, certificates made at test
# time by openssl (never committed), and a Mote TLS peer in the background
# (tests/unit/test_tls_flow.c in peer mode).
B=${MOTE_BUILD:-_build}
PEER=$B/obj/tests/test_tls_flow
n=0
pass() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); echo "not ok $n - $*"; }
# has FILE PATTERN DESCRIPTION: the file contains the (extended) pattern.
has() {
  if grep -qE -- "$2" "$1"; then pass "$3"; else
    fail "$3: no /$2/ in $1"; sed 's/^/# /' "$1" | head -20; fi
}

tmp=$(mktemp -d)
spid=
trap 'kill $spid 2>/dev/null; rm -rf "$tmp"' EXIT
C=$tmp/certs
mkdir -p "$C"

# A CA, and leaves for localhost with each key type, plus other.test and a
# client certificate; a second, unrelated CA for the "unknown CA" case.
mkcerts() {
  local o="openssl"
  $o req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$C/ca.key" -out "$C/ca.crt" -subj /CN=mote-test-ca -days 2 \
    -addext basicConstraints=critical,CA:true \
    -addext keyUsage=critical,keyCertSign 2>/dev/null
  $o req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$C/other-ca.key" -out "$C/other-ca.crt" -subj /CN=other-ca \
    -days 2 2>/dev/null
  local k
  for k in ed25519 p256 p384 rsa; do
    case $k in
      ed25519) opt="-newkey ed25519" ;;
      p256) opt="-newkey ec -pkeyopt ec_paramgen_curve:P-256" ;;
      p384) opt="-newkey ec -pkeyopt ec_paramgen_curve:P-384" ;;
      rsa) opt="-newkey rsa:2048" ;;
    esac
    leaf "$k" localhost "$opt" serverAuth
  done
  # An id-RSASSA-PSS key (rsa_pss_pss_* signatures; openssl serves it).
  leaf pss pss "-newkey rsa-pss -pkeyopt rsa_keygen_bits:2048" serverAuth
  leaf other p256 "-newkey ec -pkeyopt ec_paramgen_curve:P-256" serverAuth other.test
  leaf client p256 "-newkey ec -pkeyopt ec_paramgen_curve:P-256" clientAuth mote-client
}

# leaf NAME KEYNAME "OPTS" EKU [DNS]
leaf() {
  local name=$1 opts=$3 eku=$4 dns=${5:-localhost}
  # shellcheck disable=SC2086
  openssl req -new $opts -nodes -keyout "$C/$name.key" -out "$C/$name.csr" \
    -subj "/CN=$dns" 2>/dev/null
  printf 'subjectAltName=DNS:%s\nextendedKeyUsage=%s\nbasicConstraints=CA:false\n' \
    "$dns" "$eku" > "$C/$name.ext"
  openssl x509 -req -in "$C/$name.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" \
    -CAcreateserial -days 2 -extfile "$C/$name.ext" -out "$C/$name.crt" \
    2>/dev/null
}

# start_mote LOG ARGS...: a Mote server; sets $port.
start_mote() {
  local log=$1; shift
  : > "$log"
  "$PEER" server "$@" > "$log" 2>&1 &
  spid=$!
  port=
  for _ in $(seq 100); do
    port=$(awk '/^PORT/{print $2}' "$log")
    [ -n "$port" ] && return 0
    sleep 0.05
  done
  echo "# mote server did not start"; sed 's/^/# /' "$log"
}

# wait_server: wait for the background server (bounded).
wait_server() {
  for _ in $(seq 100); do
    kill -0 "$spid" 2>/dev/null || { wait "$spid" 2>/dev/null; spid=; return 0; }
    sleep 0.05
  done
  kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null; spid=
}

# free_port: a port nobody listens on right now.
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

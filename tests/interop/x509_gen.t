#!/usr/bin/env bash
# Keys, certificates and CSRs made by Mote (tests/unit/test_x509_gen --gen)
# checked by openssl and certtool (GnuTLS): every key passes `openssl pkey
# -check` and matches its certificate, every certificate verifies (self-
# signed, and root -> intermediate -> leaf for P-256, P-384, Ed25519,
# RSA-2048 and RSA-PSS) with the names it carries and fails with others,
# `openssl x509 -text` shows the extensions, every CSR passes `openssl req
# -verify`. The other way: CSRs made by openssl are verified by Mote, and
# one with a flipped signature byte is refused.
set -u
B=${MOTE_BUILD:-_build}
T=$B/obj/tests/test_x509_gen
n=0
pass() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); echo "not ok $n - $*"; }
check() { # check DESCRIPTION -- CMD...: passes when CMD exits 0
  local desc=$1; shift 2
  if "$@" > "$tmp/out" 2>&1; then pass "$desc"; else
    fail "$desc ($(head -c 300 "$tmp/out" | tr '\n' '|'))"; fi
}
refuse() { # refuse DESCRIPTION -- CMD...: passes when CMD exits non-zero
  local desc=$1; shift 2
  if "$@" > "$tmp/out" 2>&1; then fail "$desc (accepted)"; else pass "$desc"; fi
}
# `openssl req -verify` exits 0 even when the signature fails (3.0): go by
# what it prints.
req_verify() {
  openssl req "$@" -verify -noout 2>&1 | grep -q 'self-signature verify OK'
}
for tool in openssl certtool; do
  if ! command -v $tool > /dev/null; then
    echo "1..0 # SKIP $tool not installed (tests/deps/x509.txt)"; exit 0
  fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
d=$tmp/gen
mkdir "$d"

# RSA keys come from openssl (the crypto core has no RSA key generation).
for i in 1 2 3; do
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$tmp/rsa$i.pem" 2> /dev/null || { echo "Bail out! openssl genpkey"; exit 1; }
done
"$T" --gen "$d" "$tmp/rsa1.pem" "$tmp/rsa2.pem" "$tmp/rsa3.pem" \
  || { echo "Bail out! $T --gen failed"; exit 1; }

for t in p256 p384 ed25519 rsa rsa-pss; do
  for k in "$t" "$t-leaf"; do
    check "$k.key: openssl pkey -check" -- openssl pkey -in "$d/$k.key" -check -noout
    a=$(openssl pkey -in "$d/$k.key" -pubout 2>&1)
    b=$(openssl x509 -in "$d/$k.crt" -pubkey -noout 2>&1)
    if [ -n "$a" ] && [ "$a" = "$b" ]; then pass "$k: the key's public half is the certificate's"
    else fail "$k: public keys differ"; fi
  done

  a=$(openssl pkey -in "$d/$t.key" -pubout 2>&1)
  if [ -n "$a" ] && [ "$a" = "$(cat "$d/$t.pub")" ]; then pass "$t.pub: Mote's PUBLIC KEY PEM = openssl pkey -pubout"
  else fail "$t.pub differs from openssl pkey -pubout"; fi

  # Self-signed end entity: its own trust anchor for openssl.
  check "$t.crt: openssl verify, self-signed, www.example.com" -- \
    openssl verify -CAfile "$d/$t.crt" -verify_hostname www.example.com "$d/$t.crt"
  # GnuTLS takes no CA:FALSE certificate as an anchor (not even one certtool
  # made itself), so the self-signed CA stands in for it there.
  check "$t-ca.crt: certtool --verify, self-signed CA" -- \
    certtool --verify --load-ca-certificate "$d/$t-ca.crt" --infile "$d/$t-ca.crt"
  check "$t-ca.crt: openssl verify, self-signed CA" -- \
    openssl verify -CAfile "$d/$t-ca.crt" "$d/$t-ca.crt"

  # Root -> intermediate -> leaf.
  chain=(openssl verify -CAfile "$d/$t-root.crt" -untrusted "$d/$t-int.crt" -purpose sslserver)
  check "$t chain: openssl verify, www.example.com" -- "${chain[@]}" -verify_hostname www.example.com "$d/$t-leaf.crt"
  check "$t chain: openssl verify, wildcard a.api.example.com" -- "${chain[@]}" -verify_hostname a.api.example.com "$d/$t-leaf.crt"
  check "$t chain: openssl verify, 192.0.2.7" -- "${chain[@]}" -verify_ip 192.0.2.7 "$d/$t-leaf.crt"
  check "$t chain: openssl verify, 2001:db8::7" -- "${chain[@]}" -verify_ip 2001:db8::7 "$d/$t-leaf.crt"
  refuse "$t chain: openssl refuses example.org" -- "${chain[@]}" -verify_hostname example.org "$d/$t-leaf.crt"
  refuse "$t chain: openssl refuses 192.0.2.8" -- "${chain[@]}" -verify_ip 192.0.2.8 "$d/$t-leaf.crt"
  refuse "$t chain: openssl refuses it without the intermediate" -- \
    openssl verify -CAfile "$d/$t-root.crt" "$d/$t-leaf.crt"
  cat "$d/$t-leaf.crt" "$d/$t-int.crt" > "$tmp/chain.pem"
  check "$t chain: certtool --verify, www.example.com" -- \
    certtool --verify --load-ca-certificate "$d/$t-root.crt" --infile "$tmp/chain.pem" \
    --verify-hostname www.example.com
  refuse "$t chain: certtool refuses example.org" -- \
    certtool --verify --load-ca-certificate "$d/$t-root.crt" --infile "$tmp/chain.pem" \
    --verify-hostname example.org

  # The extensions as openssl shows them.
  openssl x509 -in "$d/$t-leaf.crt" -noout -text > "$tmp/leaf.txt" 2>&1
  openssl x509 -in "$d/$t-int.crt" -noout -text > "$tmp/int.txt" 2>&1
  miss=
  for want in 'Basic Constraints: critical' 'CA:FALSE' 'Key Usage: critical' \
      'Digital Signature' 'TLS Web Server Authentication' \
      'TLS Web Client Authentication' \
      'DNS:www.example.com, DNS:\*.api.example.com, IP Address:192.0.2.7, IP Address:2001:DB8:0:0:0:0:0:7' \
      'Subject Key Identifier' 'Authority Key Identifier' \
      'Subject: C = NZ, O = Mote tests, CN = www.example.com' \
      'Issuer: C = NZ, O = Mote tests, CN = Intermediate' 'Version: 3'; do
    grep -q -- "$want" "$tmp/leaf.txt" || miss="$miss [$want]"
  done
  for want in 'CA:TRUE, pathlen:0' 'Certificate Sign, CRL Sign'; do
    grep -q -- "$want" "$tmp/int.txt" || miss="$miss [int: $want]"
  done
  if [ -z "$miss" ]; then pass "$t: openssl x509 -text shows the extensions"
  else fail "$t: openssl x509 -text lacks$miss"; fi
  # The leaf's authority key id is the intermediate's subject key id.
  ski=$(openssl x509 -in "$d/$t-int.crt" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' ')
  aki=$(openssl x509 -in "$d/$t-leaf.crt" -noout -ext authorityKeyIdentifier | tail -1 | tr -d ' ' | sed 's/^keyid://')
  if [ -n "$ski" ] && [ "$ski" = "$aki" ]; then pass "$t: leaf AKI = intermediate SKI"
  else fail "$t: leaf AKI '$aki' != intermediate SKI '$ski'"; fi

  check "$t.csr: openssl req -verify" -- req_verify -in "$d/$t.csr"
  openssl req -in "$d/$t.csr" -noout -text > "$tmp/req.txt" 2>&1
  if grep -q 'DNS:www.example.com, DNS:\*.api.example.com, IP Address:192.0.2.7' "$tmp/req.txt"
  then pass "$t.csr: openssl sees the requested SANs"
  else fail "$t.csr: requested SANs missing"; fi
done

# CSRs made by openssl, verified by Mote; a flipped signature byte refused.
for t in p256 p384 ed25519 rsa rsa-pss; do
  opts=()
  [ "$t" = rsa-pss ] && opts=(-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32)
  key=$d/$t.key
  [ "$t" = rsa-pss ] && key=$d/rsa.key
  openssl req -new -key "$key" -subj "/CN=ossl.example/O=Mote" \
    -addext "subjectAltName=DNS:ossl.example,IP:10.0.0.1" "${opts[@]}" \
    -outform DER -out "$tmp/o.der" > "$tmp/out" 2>&1
  check "$t: Mote verifies openssl's CSR" -- "$T" --csr "$tmp/o.der"
  openssl req -new -key "$key" -subj "/CN=ossl.example" "${opts[@]}" \
    -out "$tmp/o.pem" > "$tmp/out" 2>&1
  check "$t: ... also as PEM without SANs" -- "$T" --csr "$tmp/o.pem"
  # Flip one bit of the last byte (inside the signature).
  python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[-1]^=1; open(sys.argv[2],"wb").write(b)' \
    "$tmp/o.der" "$tmp/bad.der"
  refuse "$t: Mote refuses it with a flipped signature byte" -- "$T" --csr "$tmp/bad.der"
  refuse "$t: ... and openssl agrees" -- req_verify -inform DER -in "$tmp/bad.der"
done

echo "1..$n"

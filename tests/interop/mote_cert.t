#!/usr/bin/env bash
# `mote cert`: new, csr, sign and show, checked with openssl and certtool.
# Every bad flag and bad input exits with status 2, says what is wrong and
# leaves no file behind (not even a temporary one).
set -u
B=${MOTE_BUILD:-_build}
C=$B/bin/mote-cert
M=$B/bin/mote
n=0
pass() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); echo "not ok $n - $*"; }
for tool in openssl certtool; do
  if ! command -v $tool > /dev/null; then
    echo "1..0 # SKIP $tool not installed (tests/deps/x509.txt)"; exit 0
  fi
done
[ -x "$C" ] || { echo "Bail out! $C not built"; exit 1; }
C=$(realpath "$C")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
w=$tmp/work # outputs go here; it must stay empty after every failure
mkdir "$w"

run() { # run WANT_STATUS PATTERN DESCRIPTION -- CMD... (in $w)
  local want=$1 pat=$2 desc=$3; shift 4
  (cd "$w" && "$@") > "$tmp/out" 2>&1
  local st=$?
  if [ "$st" -eq "$want" ] && grep -qE -- "$pat" "$tmp/out"; then
    pass "$desc"
  else
    fail "$desc (status $st, want $want; output: $(head -c 400 "$tmp/out" | tr '\n' '|'))"
  fi
}
bad() { # bad PATTERN DESCRIPTION -- CMD...: status 2, message, no file
  local pat=$1 desc=$2; shift 3
  run 2 "$pat" "$desc" -- "$@"
  if [ -n "$(ls -A "$w")" ]; then
    fail "... $desc left files: $(ls -A "$w" | tr '\n' ' ')"
    rm -rf "${w:?}"/*
  fi
}

# Inputs the refusals use.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/ec.key" 2> /dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/rsa.key" 2> /dev/null
openssl req -x509 -new -key "$tmp/ec.key" -subj /CN=leaf -days 2 \
  -addext basicConstraints=critical,CA:FALSE -out "$tmp/leaf.crt" 2> /dev/null
echo "not a key or certificate" > "$tmp/junk.pem"
printf '%s\n' '-----BEGIN PRIVATE KEY-----' 'bm90IGJhc2U2NCEh!!' '-----END PRIVATE KEY-----' > "$tmp/badpem.key"
"$C" new --ca --cn "Test CA" --out-key "$tmp/ca.key" --out-cert "$tmp/ca.crt" 2> /dev/null
"$C" new --ca --cn "Other CA" --out-key "$tmp/other.key" --out-cert "$tmp/other.crt" 2> /dev/null

# ---- Usage and bad flags ----------------------------------------------------
run 2 'usage: mote cert COMMAND' "no command: usage, status 2" -- "$C"
run 2 "unknown command 'frob'" "unknown command" -- "$C" frob
run 0 'usage: mote cert new --host NAME' "new --help" -- "$C" new --help
run 0 'usage: mote cert sign' "sign --help" -- "$C" sign --help
bad "unknown option '--bogus'" "an unknown option" -- "$C" new --host a.example --bogus
bad "unexpected argument 'stray'" "a stray argument" -- "$C" new --host a.example stray
bad "whom is the certificate for" "new without --host or --ip" -- "$C" new
bad "host: missing value" "--host without a value" -- "$C" new --host
bad "not a host name: empty label" "a bad host name" -- "$C" new --host 'a..example'
bad "not a host name: only letters" "a host name with a space" -- "$C" new --host 'a b'
bad "not an IPv4 or IPv6 address" "a bad IPv4 address" -- "$C" new --ip 300.1.2.3
bad "not an IPv4 or IPv6 address" "a bad IPv6 address" -- "$C" new --ip 2001:db8::1::2
bad "not an IPv4 or IPv6 address" "an IPv6 address with a zone" -- "$C" new --ip fe80::1%eth0
bad "want a whole number of days, 1 to 36500" "--days 0" -- "$C" new --host a.example --days 0
bad "want a whole number of days" "--days abc" -- "$C" new --host a.example --days abc
bad "want a whole number of days" "--days -5" -- "$C" new --host a.example --days=-5
bad "want a whole number of days" "--days 36501" -- "$C" new --host a.example --days 36501
bad "want p256, p384, ed25519, rsa2048" "an unknown key type" -- "$C" new --host a.example --key-type dsa
bad "want p256, p384, ed25519, rsa2048" "an RSA size not offered" -- "$C" new --host a.example --key-type rsa1024
bad "path-len applies to --ca" "--path-len without --ca" -- "$C" new --host a.example --path-len 1
bad "not an ASCII address" "a bad --email" -- "$C" new --email nobody
bad "not an ASCII URI" "a bad --uri" -- "$C" new --uri "no scheme"
bad "chain needs --ca-cert" "--chain on a self-signed certificate" -- "$C" new --host a.example --chain
bad "want 0 to 16" "a bad --path-len" -- "$C" new --ca --cn x --path-len x
bad "give the CA a name with --cn" "--ca without a name" -- "$C" new --ca
bad "--key and --key-type" "--key with --key-type" -- "$C" new --host a.example --key "$tmp/ec.key" --key-type p256
bad "unknown option '--out-csr'" "an option of another command" -- "$C" new --host a.example --out-csr x

# ---- Bad inputs ----------------------------------------------------------------
bad "go together" "--ca-cert without --ca-key" -- "$C" new --host a.example --ca-cert "$tmp/ca.crt"
bad "nope.crt: No such file" "an unreadable CA certificate" -- \
  "$C" new --host a.example --ca-cert "$tmp/nope.crt" --ca-key "$tmp/ca.key"
bad "not a certificate" "a CA certificate file that is junk" -- \
  "$C" new --host a.example --ca-cert "$tmp/junk.pem" --ca-key "$tmp/ca.key"
bad "no CERTIFICATE block" "a key given as the CA certificate" -- \
  "$C" new --host a.example --ca-cert "$tmp/ca.key" --ca-key "$tmp/ca.key"
bad "no PRIVATE KEY block" "a certificate given as the CA key" -- \
  "$C" new --host a.example --ca-cert "$tmp/ca.crt" --ca-key "$tmp/ca.crt"
bad "not a private key" "a PEM key with bad base64" -- \
  "$C" new --host a.example --ca-cert "$tmp/ca.crt" --ca-key "$tmp/badpem.key"
bad "is not the key of" "a CA key that is not the certificate's" -- \
  "$C" new --host a.example --ca-cert "$tmp/ca.crt" --ca-key "$tmp/other.key"
bad "not a CA certificate" "a non-CA certificate as the CA" -- \
  "$C" new --host a.example --ca-cert "$tmp/leaf.crt" --ca-key "$tmp/ec.key"
bad "not a private key" "--key junk" -- "$C" new --host a.example --key "$tmp/junk.pem"
bad "not a regular file" "--key a directory" -- "$C" new --host a.example --key "$tmp"
bad "cannot write in" "an output directory that does not exist" -- \
  "$C" new --host a.example --out-cert "$tmp/no/such/dir/cert.pem"
bad "name the same file" "key and certificate to the same file" -- \
  "$C" new --host a.example --out-key same.pem --out-cert same.pem
bad "not an RSA key" "--pss with an EC CA" -- \
  "$C" new --host a.example --ca-cert "$tmp/ca.crt" --ca-key "$tmp/ca.key" --pss

# ---- new: self-signed ----------------------------------------------------------
for t in p256 p384 ed25519; do
  rm -rf "${w:?}"/*
  run 0 "wrote key.pem and cert.pem" "new --key-type $t" -- \
    "$C" new --host localhost --host www.example.com --ip 127.0.0.1 --ip ::1 --key-type $t
  mode=$(stat -c %a "$w/key.pem" 2> /dev/null)
  [ "$mode" = 600 ] && pass "$t: key.pem has mode 0600" || fail "$t: key.pem mode $mode"
  [ "$(ls -A "$w" | tr '\n' ' ')" = "cert.pem key.pem " ] && pass "$t: only the two files" \
    || fail "$t: files: $(ls -A "$w")"
  run 0 "Key is valid" "$t: openssl pkey -check" -- openssl pkey -in key.pem -check -noout
  a=$(openssl pkey -in "$w/key.pem" -pubout 2>&1)
  b=$(openssl x509 -in "$w/cert.pem" -pubkey -noout 2>&1)
  [ -n "$a" ] && [ "$a" = "$b" ] && pass "$t: key matches certificate" || fail "$t: key/cert mismatch"
  run 0 "cert.pem: OK" "$t: openssl verify, www.example.com" -- \
    openssl verify -CAfile cert.pem -verify_hostname www.example.com cert.pem
  run 0 "cert.pem: OK" "$t: openssl verify, ::1" -- openssl verify -CAfile cert.pem -verify_ip ::1 cert.pem
  run 2 "hostname mismatch" "$t: openssl refuses another name" -- \
    openssl verify -CAfile cert.pem -verify_hostname other.example cert.pem
  run 2 "exists \(use --force" "$t: an existing output is kept" -- "$C" new --host localhost
  run 0 "wrote" "$t: --force replaces it" -- "$C" new --host localhost --force --key-type $t
done
rm -rf "${w:?}"/*

# ---- new: a CA, an intermediate, leaves ------------------------------------------
run 0 "wrote" "new --ca" -- "$C" new --ca --cn "Mote Root" --key-type p384 --out-key root.key --out-cert root.crt
run 0 "CA:TRUE" "the root says CA:TRUE" -- openssl x509 -in root.crt -noout -text
run 0 "wrote" "new --ca signed by the root, pathLen 0" -- "$C" new --ca --cn "Mote Int" --path-len 0 \
  --ca-cert root.crt --ca-key root.key --out-key int.key --out-cert int.crt
run 0 "wrote" "--chain: the leaf and the intermediate in one file" -- "$C" new --host ch.example \
  --ca-cert int.crt --ca-key int.key --out-key ch.key --out-cert ch.crt --chain
[ "$(grep -c 'BEGIN CERTIFICATE' "$w/ch.crt")" = 2 ] && pass "... two certificates" || fail "... not two certificates"
run 0 "ch.crt: OK" "... which openssl verifies as leaf + untrusted chain" -- \
  openssl verify -CAfile root.crt -untrusted ch.crt -verify_hostname ch.example ch.crt
run 0 "Chain verification output: Verified" "... and certtool as a chain" -- certtool --verify \
  --load-ca-certificate root.crt --infile ch.crt --verify-hostname ch.example
rm -f "$w"/ch.*
for t in p256 p384 ed25519; do
  run 0 "wrote" "$t leaf signed by the intermediate" -- "$C" new --host svc.example --ip 10.0.0.9 \
    --key-type $t --ca-cert int.crt --ca-key int.key --out-key $t.key --out-cert $t.crt --client
  run 0 "$t.crt: OK" "$t leaf: openssl verify the chain for svc.example" -- openssl verify -CAfile root.crt \
    -untrusted int.crt -purpose sslserver -verify_hostname svc.example $t.crt
  run 0 "$t.crt: OK" "$t leaf: ... as a client" -- openssl verify -CAfile root.crt \
    -untrusted int.crt -purpose sslclient -verify_ip 10.0.0.9 $t.crt
  cat "$w/$t.crt" "$w/int.crt" > "$tmp/chain.pem"
  run 0 "Chain verification output: Verified" "$t leaf: certtool --verify" -- certtool --verify \
    --load-ca-certificate root.crt --infile "$tmp/chain.pem" --verify-hostname svc.example
done
run 2 "exceeded|path length" "a CA below the pathLen 0 intermediate is refused by openssl" -- sh -c \
  "'$C' new --ca --cn Sub --ca-cert int.crt --ca-key int.key --out-key sub.key --out-cert sub.crt 2>/dev/null &&
   '$C' new --host x.example --ca-cert sub.crt --ca-key sub.key --out-key x.key --out-cert x.crt 2>/dev/null &&
   cat int.crt sub.crt > u.pem && openssl verify -CAfile root.crt -untrusted u.pem x.crt"
rm -f "$w"/sub.* "$w"/x.* "$w"/u.pem

# An RSA key made by Mote.
run 0 "wrote gen.key and gen.crt" "new --key-type rsa" -- "$C" new --host gen.example --key-type rsa \
  --out-key gen.key --out-cert gen.crt
run 0 "Key is valid" "Mote's RSA key passes openssl pkey -check" -- openssl pkey -in gen.key -check -noout
run 0 "gen.crt: OK" "its certificate verifies" -- openssl verify -CAfile gen.crt -verify_hostname gen.example gen.crt

# An RSA key made by openssl, for the leaf and as a PSS-signing CA.
run 0 "wrote cert.pem" "new --key (an openssl RSA key)" -- "$C" new --host rsa.example --key "$tmp/rsa.key"
run 0 "cert.pem: OK" "RSA self-signed: openssl verify" -- \
  openssl verify -CAfile cert.pem -verify_hostname rsa.example cert.pem
run 0 "wrote" "an RSA CA" -- "$C" new --ca --cn "RSA CA" --key "$tmp/rsa.key" --out-cert rsaca.crt
run 0 "wrote" "a leaf signed with RSA-PSS" -- "$C" new --host pss.example --ca-cert rsaca.crt \
  --ca-key "$tmp/rsa.key" --pss --out-key pss.key --out-cert pss.crt
run 0 "rsassaPss" "openssl shows RSASSA-PSS" -- openssl x509 -in pss.crt -noout -text
run 0 "pss.crt: OK" "openssl verifies the PSS-signed leaf" -- \
  openssl verify -CAfile rsaca.crt -verify_hostname pss.example pss.crt
run 0 "Chain verification output: Verified" "certtool verifies it" -- certtool --verify \
  --load-ca-certificate rsaca.crt --infile pss.crt --verify-hostname pss.example

run 0 "wrote em.key and em.crt" "new with --email and --uri" -- "$C" new --host mail.example \
  --email admin@mail.example --uri https://mail.example/ --out-key em.key --out-cert em.crt
run 0 "email:admin@mail.example, URI:https://mail.example/" "openssl shows them" -- \
  openssl x509 -in em.crt -noout -ext subjectAltName
run 0 "em.crt: OK" "openssl verifies the email" -- openssl verify -CAfile em.crt -verify_email admin@mail.example em.crt

# CAs made by other tools. certtool's subject key identifier is not RFC
# 5280's method 1 (which Mote and OpenSSL use): the leaf's AKI must copy the
# CA's SKI, not recompute it, or chain building by key id fails.
printf '%s\n' 'cn = GnuTLS CA' ca cert_signing_key crl_signing_key 'expiration_days = 30' > "$tmp/ca.tmpl"
certtool --generate-self-signed --load-privkey "$tmp/ec.key" --template "$tmp/ca.tmpl" \
  --outfile "$tmp/gnutls-ca.crt" > /dev/null 2>&1
run 0 "wrote g.key and g.crt" "a leaf under a certtool-made CA" -- "$C" new --host g.example \
  --ca-cert "$tmp/gnutls-ca.crt" --ca-key "$tmp/ec.key" --out-key g.key --out-cert g.crt
ski=$(openssl x509 -in "$tmp/gnutls-ca.crt" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' ')
aki=$(openssl x509 -in "$w/g.crt" -noout -ext authorityKeyIdentifier | tail -1 | tr -d ' ' | sed 's/^keyid://')
[ -n "$ski" ] && [ "$ski" = "$aki" ] && pass "the leaf's AKI is certtool's SKI ($ski)" \
  || fail "AKI '$aki' is not the CA's SKI '$ski'"
run 0 "g.crt: OK" "openssl verifies it" -- openssl verify -CAfile "$tmp/gnutls-ca.crt" -verify_hostname g.example g.crt
run 0 "Chain verification output: Verified" "certtool verifies it" -- certtool --verify \
  --load-ca-certificate "$tmp/gnutls-ca.crt" --infile g.crt --verify-hostname g.example
openssl req -x509 -new -key "$tmp/rsa.key" -subj "/O=Example/CN=OpenSSL CA" -days 3 \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
  -out "$tmp/openssl-ca.crt" 2> /dev/null
run 0 "wrote o.key and o.crt" "a leaf under an openssl-made RSA CA" -- "$C" new --host o.example \
  --ca-cert "$tmp/openssl-ca.crt" --ca-key "$tmp/rsa.key" --out-key o.key --out-cert o.crt
run 0 "o.crt: OK" "openssl verifies it" -- openssl verify -CAfile "$tmp/openssl-ca.crt" -verify_hostname o.example o.crt

# ---- csr and sign --------------------------------------------------------------
run 0 "wrote req.key and req.csr" "csr" -- "$C" csr --host req.example --ip 192.0.2.1 --out-key req.key --out-csr req.csr
run 0 "self-signature verify OK" "openssl req -verify accepts it" -- openssl req -in req.csr -verify -noout
run 0 "DNS:req.example, IP Address:192.0.2.1" "with the SANs" -- openssl req -in req.csr -noout -text
run 0 "wrote req.crt" "sign it with the intermediate" -- "$C" sign --csr req.csr --ca-cert int.crt --ca-key int.key --out-cert req.crt
run 0 "req.crt: OK" "openssl verifies the issued certificate" -- openssl verify -CAfile root.crt \
  -untrusted int.crt -verify_hostname req.example -verify_ip 192.0.2.1 req.crt
openssl req -new -key "$tmp/ec.key" -subj "/CN=ossl.example" \
  -addext "subjectAltName=DNS:ossl.example" -out "$tmp/ossl.csr" 2> /dev/null
run 0 "wrote ossl.crt" "sign an openssl CSR" -- "$C" sign --csr "$tmp/ossl.csr" --ca-cert root.crt --ca-key root.key --out-cert ossl.crt
run 0 "ossl.crt: OK" "openssl verifies it" -- openssl verify -CAfile root.crt -verify_hostname ossl.example ossl.crt
openssl req -in "$tmp/ossl.csr" -outform DER -out "$tmp/ossl.der"
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[-1]^=1; open(sys.argv[2],"wb").write(b)' \
  "$tmp/ossl.der" "$tmp/bad.der"
rm -rf "${w:?}"/*
bad "request signature does not verify" "sign refuses a CSR with a flipped signature byte" -- \
  "$C" sign --csr "$tmp/bad.der" --ca-cert "$tmp/ca.crt" --ca-key "$tmp/ca.key"
bad "no CERTIFICATE REQUEST block" "sign refuses a certificate as the CSR" -- \
  "$C" sign --csr "$tmp/ca.crt" --ca-cert "$tmp/ca.crt" --ca-key "$tmp/ca.key"
bad "no --csr given" "sign without --csr" -- "$C" sign --ca-cert "$tmp/ca.crt" --ca-key "$tmp/ca.key"
bad "needs --ca-cert and --ca-key" "sign without the CA" -- "$C" sign --csr "$tmp/ossl.csr"

# ---- show ------------------------------------------------------------------------
"$C" new --host show.example --ip 2001:db8::5 --out-key "$tmp/s.key" --out-cert "$tmp/s.crt" 2> /dev/null
fp=$(openssl x509 -in "$tmp/s.crt" -noout -fingerprint -sha256 | sed 's/.*=//')
run 0 "SHA-256 fingerprint: $fp" "show prints openssl's SHA-256 fingerprint" -- "$C" show "$tmp/s.crt"
run 0 "DNS:show.example" "show prints the DNS name" -- "$C" show "$tmp/s.crt"
run 0 "IP:2001:db8::5" "show prints the address" -- "$C" show "$tmp/s.crt"
run 0 "subject: CN=show.example" "show prints the subject" -- "$C" show "$tmp/s.crt"
openssl x509 -in "$tmp/s.crt" -outform DER -out "$tmp/s.der"
run 0 "SHA-256 fingerprint: $fp" "show reads DER too" -- "$C" show "$tmp/s.der"
run 0 "signature verified" "show checks a CSR" -- "$C" show "$tmp/ossl.csr"
run 0 "signature verified" "show checks a DER CSR" -- "$C" show "$tmp/ossl.der"
run 2 "not a DER certificate" "show refuses a DER CSR with a bad signature" -- "$C" show "$tmp/bad.der"
bad "not a DER certificate" "show refuses junk" -- "$C" show "$tmp/junk.pem"
bad "No such file" "show of a missing file" -- "$C" show "$tmp/missing.pem"
bad "no FILE given" "show without a file" -- "$C" show

# ---- verify ------------------------------------------------------------------------
# Every case of tests/x509/mkchains.sh through `mote cert verify`: the exit
# status, the reason and depth of the manifest, and the same verdict as
# `openssl verify` on the same files (except the differences the manifest's
# ossl column records, docs/x509.md); when both accept, the chains printed
# have the same length.
D=$tmp/chains
if tests/x509/mkchains.sh "$D" > /dev/null 2> "$tmp/mkchains.log"; then
  while read -r name leaf bundle roots host t purpose maxd expect reason depth ossl pol; do
    cat $(sed "s|[^,]*|$D/&|g; s|,| |g" <<< "$roots") > "$D/v-roots.pem"
    margs=(--ca-file "$D/v-roots.pem" --at "$t" --purpose "$purpose" --max-depth "$maxd")
    oargs=(-CAfile "$D/v-roots.pem" -no-CApath -no-CAstore)
    if [ "$bundle" != - ]; then
      cat $(sed "s|[^,]*|$D/&|g; s|,| |g" <<< "$bundle") > "$D/v-bundle.pem"
      margs+=(--untrusted "$D/v-bundle.pem")
      oargs+=(-untrusted "$D/v-bundle.pem")
    fi
    if [ "$host" != - ]; then
      if [[ $host =~ ^[0-9.]+$ || $host == *:* ]]; then
        margs+=(--ip "$host"); oargs+=(-verify_ip "$host")
      else
        margs+=(--host "$host"); oargs+=(-verify_hostname "$host")
      fi
    fi
    if [ -n "${pol:-}" ] && [ "$pol" != - ]; then
      oargs+=(-policy_check)
      for o in ${pol//,/ }; do
        case $o in
        explicit) margs+=(--explicit-policy); oargs+=(-explicit_policy) ;;
        nomap) margs+=(--inhibit-policy-mapping); oargs+=(-inhibit_map) ;;
        noany) margs+=(--inhibit-any-policy); oargs+=(-inhibit_any) ;;
        check) ;;
        *) margs+=(--policy "$o"); oargs+=(-policy "$o") ;;
        esac
      done
    fi
    "$C" verify "${margs[@]}" "$D/$leaf" > "$tmp/out" 2>&1
    st=$?
    p=sslserver
    [ "$purpose" = client ] && p=sslclient
    openssl verify -x509_strict -show_chain -attime "$t" -purpose $p \
      -verify_depth "$maxd" "${oargs[@]}" "$D/$leaf" > "$tmp/oout" 2>&1
    ost=$?
    got=ok; [ $st -ne 0 ] && got=fail
    ogot=ok; [ $ost -ne 0 ] && ogot=fail
    why=""
    if [ "$expect" = ok ]; then
      [ $st -eq 0 ] && grep -q '^verified$' "$tmp/out" || why="status $st"
    else
      [ $st -eq 1 ] || why="status $st"
      grep -q "($reason) at depth $depth\$" "$tmp/out" || why="$why; want $reason at depth $depth"
    fi
    [ "$ogot" = "$ossl" ] || why="$why; openssl $ogot, manifest $ossl"
    if [ $st -eq 0 ] && [ $ost -eq 0 ]; then
      ml=$(grep -cE '^  [0-9]+ ' "$tmp/out")
      ol=$(grep -c '^depth=' "$tmp/oout")
      [ "$ml" -eq "$ol" ] || why="$why; chain of $ml, openssl's of $ol"
    fi
    if [ -z "$why" ]; then
      pass "verify $name: $got (openssl: $ogot)"
    else
      fail "verify $name: $why ($(head -c 300 "$tmp/out" | tr '\n' '|'))"
    fi
  done < "$D/manifest"
  v=$D/v_d4_mixed
  read -r _ leaf bundle roots host t _ < <(grep '^v_d4_mixed ' "$D/manifest")
  cat $(sed "s|[^,]*|$D/&|g; s|,| |g" <<< "$roots") > "$D/v-roots.pem"
  cat "$D/$leaf" $(sed "s|[^,]*|$D/&|g; s|,| |g" <<< "$bundle") > "$D/v-full.pem"
  run 0 "^  4 .*\\(trust anchor\\)$" "verify: intermediates in the CERT file, the anchor marked" -- \
    "$C" verify --ca-file "$D/v-roots.pem" --at "$t" --host "$host" "$D/v-full.pem"
  openssl x509 -in "$D/$leaf" -outform DER -out "$D/v-leaf.der"
  run 1 "\\(unknown_issuer\\) at depth 0" "verify: a DER leaf without its intermediates" -- \
    "$C" verify --ca-file "$D/v-roots.pem" --at "$t" "$D/v-leaf.der"
  run 1 "\\(name_mismatch\\) at depth 0" "verify: --host names another host" -- \
    "$C" verify --ca-file "$D/v-roots.pem" --at "$(date -u -d "@$t" +%Y-%m-%dT%H:%M:%S)" \
    --host other.example "$D/v-full.pem"
  run 1 "\\(expired\\) at depth 4" "verify: --at after every notAfter: the anchor is checked first" -- \
    "$C" verify --ca-file "$D/v-roots.pem" --at 2036-01-01 "$D/v-full.pem"
  if [ -r /etc/ssl/certs/ca-certificates.crt ]; then
    run 1 "\\(unknown_issuer\\) at depth" "verify: the system bundle by default" -- \
      "$C" verify --at "$t" "$D/v-full.pem"
  fi
else
  fail "tests/x509/mkchains.sh: $(tail -3 "$tmp/mkchains.log" | tr '\n' '|')"
fi
bad "no CERT given" "verify without a certificate" -- "$C" verify
bad "--purpose: server, client or none" "verify --purpose bogus" -- "$C" verify --purpose bogus "$tmp/leaf.crt"
bad "--at: not a time" "verify --at junk" -- "$C" verify --at 2026-13 "$tmp/leaf.crt"
bad "--ip: not an IP address" "verify --ip with a name" -- "$C" verify --ip a.example "$tmp/leaf.crt"
bad "one identity only" "verify --host and --ip" -- "$C" verify --host a.example --ip 192.0.2.1 "$tmp/leaf.crt"
bad "--max-depth: 1 to 16" "verify --max-depth 17" -- "$C" verify --max-depth 17 "$tmp/leaf.crt"
bad "--policy: not an OID" "verify --policy junk" -- "$C" verify --policy 1.x "$tmp/leaf.crt"
bad "no CERTIFICATE block" "verify of a PEM file without certificates" -- "$C" verify "$tmp/ec.key"
bad "not a DER certificate" "verify of junk" -- "$C" verify "$tmp/junk.pem"
bad "No such file" "verify of a missing file" -- "$C" verify "$tmp/missing.pem"
bad "no usable trust anchor" "verify --ca-file without certificates" -- \
  "$C" verify --ca-file "$tmp/junk.pem" "$tmp/leaf.crt"
run 1 "\\(unknown_issuer\\) at depth 0" "verify: a self-signed leaf is not its own anchor" -- \
  "$C" verify --ca-file "$tmp/ca.crt" "$tmp/leaf.crt"

# ---- stdout, and through the frontend ------------------------------------------------
run 0 "BEGIN CERTIFICATE" "--out-cert - writes the certificate to stdout" -- \
  "$C" new --host out.example --out-cert - --out-key k.pem
rm -rf "${w:?}"/*
if [ -x "$M" ]; then
  M=$(realpath "$M")
  run 0 "wrote key.pem and cert.pem" "mote cert new through the frontend" -- "$M" cert new --host fe.example
  run 0 "cert.pem: OK" "... verifies" -- openssl verify -CAfile cert.pem -verify_hostname fe.example cert.pem
  run 0 "cert new\|csr\|sign\|show" "mote --help lists cert" -- "$M" --help
else
  n=$((n + 1)); echo "ok $n # SKIP $M not built"
fi

echo "1..$n"

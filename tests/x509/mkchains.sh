#!/usr/bin/env bash
# Generate the certificate chains of tests/interop/x509_chains.t into DIR
# (never committed): valid chains of depth 1-4 over P-256, P-384, Ed25519,
# RSA-2048 (PKCS#1 v1.5 and PSS), cross-signed alternatives, and one broken
# chain per failure reason. Dates are fixed (openssl ca -startdate/-enddate,
# certtool activation_date/expiration_date), so every case is checked at a
# fixed "now" given in the manifest, never the clock.
#
# Usage: tests/x509/mkchains.sh DIR
# Writes DIR/*.pem (one certificate each), DIR/*.der (the same in DER) and
# DIR/manifest, one case per line, fields separated by spaces:
#   name leaf bundle roots host time purpose maxdepth expect reason depth ossl
#     leaf     certificate file (PEM; the .der beside it holds the same)
#     bundle   intermediates, comma-separated, in no particular order, or -
#     roots    trust anchors, comma-separated
#     host     expected DNS name or IP address, or -
#     time     the verification time, seconds since the epoch (UTC)
#     purpose  server | client
#     maxdepth most CA certificates allowed between leaf and anchor
#     expect   ok | fail;  reason: Mote's reason name (ok when expect is ok)
#     depth    where Mote must report the failure (0 = leaf), -1 when ok
#     ossl     what `openssl verify -x509_strict` answers, ok | fail; it
#              differs from expect only where docs/x509.md says why
set -euo pipefail
D=${1:?usage: mkchains.sh DIR}
rm -rf "$D" && mkdir -p "$D/ca/newcerts"
D=$(cd "$D" && pwd)
cd "$D"
: > ca/index.txt
echo 1000 > ca/serial
cat > ca/ca.cnf <<'EOF'
[ca]
default_ca = d
[d]
database = ca/index.txt
new_certs_dir = ca/newcerts
serial = ca/serial
default_md = default
policy = p
unique_subject = no
copy_extensions = none
preserve = yes
email_in_dn = yes
[p]
commonName = optional
organizationName = optional
emailAddress = optional
EOF

NOW=$(date -u -d '2026-06-01 00:00:00' +%s)
START=20250101000000Z
END=20350101000000Z

key() { # key NAME TYPE
  case $2 in
  p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" ;;
  p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$1.key" ;;
  ed25519) openssl genpkey -algorithm ed25519 -out "$1.key" ;;
  rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" ;;
  rsapss) openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out "$1.key" ;;
  esac 2>/dev/null
}

# Extension profiles (openssl x509v3_config).
ext_root='basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash'
ext_ca='basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid'
ext_leaf='basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid'

# cert NAME ISSUER(or self) SUBJECT EXT [START END [SIGNING OPTIONS...]]
# Signs NAME.key's public key. SIGNING OPTIONS go to openssl ca (-md, -sigopt).
cert() {
  local name=$1 issuer=$2 subj=$3 ext=$4 start=${5:-$START} end=${6:-$END}
  shift 6 2>/dev/null || shift $#
  printf '[e]\n%s\n' "$ext" > "ca/$name.ext"
  openssl req -new -key "$name.key" -subj "$subj" -out "ca/$name.csr" 2>/dev/null
  local signer
  if [ "$issuer" = self ]; then
    signer=(-selfsign -keyfile "$name.key")
  else
    signer=(-cert "$issuer.pem" -keyfile "$issuer.key")
  fi
  openssl ca -batch -notext -config ca/ca.cnf "${signer[@]}" -in "ca/$name.csr" \
    -out "$name.pem" -startdate "$start" -enddate "$end" \
    -extfile "ca/$name.ext" -extensions e "$@" 2>ca/last.log ||
    { cat ca/last.log >&2; exit 1; }
  openssl x509 -in "$name.pem" -outform DER -out "$name.der"
}

# certtool variant: ctcert NAME ISSUER(or self) TEMPLATE-LINES [HASH]
ctcert() {
  local name=$1 issuer=$2 tmpl=$3 hash=()
  [ -n "${4:-}" ] && hash=(--hash "$4")
  printf '%s\nactivation_date = "2025-01-01 00:00:00 UTC"\nexpiration_date = "2035-01-01 00:00:00 UTC"\n' \
    "$tmpl" > "ca/$name.tmpl"
  if [ "$issuer" = self ]; then
    certtool --generate-self-signed --load-privkey "$name.key" \
      --template "ca/$name.tmpl" "${hash[@]}" --outfile "$name.pem" >/dev/null 2>ca/last.log
  else
    certtool --generate-certificate --load-privkey "$name.key" \
      --load-ca-certificate "$issuer.pem" --load-ca-privkey "$issuer.key" \
      --template "ca/$name.tmpl" "${hash[@]}" --outfile "$name.pem" >/dev/null 2>ca/last.log
  fi || { cat ca/last.log >&2; exit 1; }
  # certtool writes its text dump before the PEM block; keep the block only.
  sed -n '/-----BEGIN/,/-----END/p' "$name.pem" > "ca/$name.tmp" && mv "ca/$name.tmp" "$name.pem"
  openssl x509 -in "$name.pem" -outform DER -out "$name.der"
}

leafext() { # leafext SAN-LIST [EKU]
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=%s\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=%s' \
    "${2:-serverAuth,clientAuth}" "$1"
}

M=manifest
: > $M
case_() { echo "$*" >> $M; }
ok() { # ok NAME LEAF BUNDLE ROOTS HOST [PURPOSE [TIME]]
  case_ "$1 $2 $3 $4 $5 ${7:-$NOW} ${6:-server} 8 ok ok -1 ok"
}
bad() { # bad NAME LEAF BUNDLE ROOTS HOST REASON DEPTH [OSSL [PURPOSE [TIME [MAXDEPTH]]]]
  case_ "$1 $2 $3 $4 $5 ${10:-$NOW} ${9:-server} ${11:-8} fail $6 $7 ${8:-fail}"
}

# ---- Roots --------------------------------------------------------------------
key rootp256 p256;   cert rootp256 self "/CN=Mote Test Root P-256" "$ext_root"
key rootp384 p384;   cert rootp384 self "/CN=Mote Test Root P-384" "$ext_root" "" "" -md sha384
key rootrsa rsa;     cert rootrsa self "/CN=Mote Test Root RSA" "$ext_root" "" "" -md sha256
key rooted ed25519;  cert rooted self "/CN=Mote Test Root Ed25519" "$ext_root"
key rootother p256;  cert rootother self "/CN=Mote Test Root Untrusted" "$ext_root"
ALLROOTS=rootp256.pem,rootp384.pem,rootrsa.pem,rooted.pem

# ---- Valid chains, depth 1-4 --------------------------------------------------
key l1 p256; cert l1 rootp256 "/CN=d1.example.com" "$(leafext DNS:d1.example.com)"
ok v_d1_p256 l1.pem - $ALLROOTS d1.example.com

key i2a p384; cert i2a rootp384 "/CN=Mote Int P-384" "$ext_ca" "" "" -md sha384
key l2a p256; cert l2a i2a "/CN=d2.example.com" "$(leafext DNS:d2.example.com)" "" "" -md sha384
ok v_d2_p384 l2a.pem i2a.pem $ALLROOTS d2.example.com

key i2r rsa; cert i2r rootrsa "/CN=Mote Int RSA" "$ext_ca" "" "" -md sha256
key l2r rsa; cert l2r i2r "/CN=d2r.example.com" "$(leafext DNS:d2r.example.com)" "" "" -md sha256
ok v_d2_rsa l2r.pem i2r.pem $ALLROOTS d2r.example.com

# RSA-PSS signatures (rsaEncryption keys), SHA-256 and SHA-384.
key l2p p256; cert l2p i2r "/CN=pss.example.com" "$(leafext DNS:pss.example.com)" "" "" \
  -md sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32
ok v_d2_rsapss l2p.pem i2r.pem $ALLROOTS pss.example.com
key i2p rsa; cert i2p rootrsa "/CN=Mote Int RSA PSS" "$ext_ca" "" "" \
  -md sha384 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:48
key l2q rsa; cert l2q i2p "/CN=pss384.example.com" "$(leafext DNS:pss384.example.com)" "" "" -md sha512
ok v_d2_rsapss384 l2q.pem i2p.pem $ALLROOTS pss384.example.com

# An RSA-PSS key (id-RSASSA-PSS SubjectPublicKeyInfo) on the intermediate:
# it can only sign with PSS (OpenSSL's default salt: the longest).
key i2k rsapss; cert i2k rootrsa "/CN=Mote Int RSA-PSS key" "$ext_ca" "" "" -md sha256
key l2k p256; cert l2k i2k "/CN=psskey.example.com" "$(leafext DNS:psskey.example.com)" "" "" -md sha256
ok v_d2_rsapss_key l2k.pem i2k.pem $ALLROOTS psskey.example.com

# depth 3: RSA root -> P-384 -> Ed25519 -> P-256 leaf
key i3a p384;    cert i3a rootrsa "/CN=Mote Int3 A" "$ext_ca" "" "" -md sha384
key i3b ed25519; cert i3b i3a "/CN=Mote Int3 B" "$ext_ca" "" "" -md sha384
key l3 p256;     cert l3 i3b "/CN=d3.example.com" "$(leafext DNS:d3.example.com)"
ok v_d3_mixed l3.pem i3b.pem,i3a.pem $ALLROOTS d3.example.com

# depth 4: Ed25519 root -> RSA -> P-256 -> P-384 -> RSA leaf (bundle shuffled)
key i4a rsa;  cert i4a rooted "/CN=Mote Int4 A" "$ext_ca"
key i4b p256; cert i4b i4a "/CN=Mote Int4 B" "$ext_ca" "" "" -md sha512
key i4c p384; cert i4c i4b "/CN=Mote Int4 C" "$ext_ca" "" "" -md sha256
key l4 rsa;   cert l4 i4c "/CN=d4.example.com" "$(leafext DNS:d4.example.com)" "" "" -md sha384
ok v_d4_mixed l4.pem i4b.pem,i4c.pem,i4a.pem $ALLROOTS d4.example.com
ok v_d4_nohost l4.pem i4c.pem,i4a.pem,i4b.pem $ALLROOTS -

# Identities: IP SANs, wildcard, client purpose, no EKU at all.
key lip p256; cert lip rootp256 "/CN=ip leaf" "$(leafext 'IP:192.0.2.7,IP:2001:db8::7,DNS:ip.example.com')"
ok v_ip4 lip.pem - $ALLROOTS 192.0.2.7
ok v_ip6 lip.pem - $ALLROOTS 2001:db8::7
bad f_ip_other lip.pem - $ALLROOTS 192.0.2.8 name_mismatch 0
key lw p256; cert lw rootp256 "/CN=wild" "$(leafext 'DNS:*.wild.example.com')"
ok v_wild lw.pem - $ALLROOTS a.wild.example.com
ok v_wild_case lw.pem - $ALLROOTS A.WILD.Example.COM
bad f_wild_deep lw.pem - $ALLROOTS a.b.wild.example.com name_mismatch 0
bad f_wild_apex lw.pem - $ALLROOTS wild.example.com name_mismatch 0
key lc p256; cert lc rootp256 "/CN=client" "$(leafext 'email:client@example.com' clientAuth)"
ok v_client lc.pem - $ALLROOTS - client
bad f_eku_client_as_server lc.pem - $ALLROOTS - eku 0
key lne p256
cert lne rootp256 "/CN=noeku.example.com" 'basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
subjectAltName=DNS:noeku.example.com'
ok v_no_eku lne.pem - $ALLROOTS noeku.example.com

# ---- certtool (GnuTLS) chain: RSA root, Ed25519 intermediate, P-384 leaf ------
# NEEDSWORK: an RSA-PSS *key* (--key-type rsa-pss) makes GnuTLS write the PSS
# hash AlgorithmIdentifier without its NULL parameters, which RFC 4055 2.1
# says to accept and mote_x509_sigalg_parse refuses today; add that case
# when the parser takes it.
certtool --generate-privkey --key-type rsa --bits 2048 --outfile ctroot.key >/dev/null 2>&1
certtool --generate-privkey --key-type ed25519 --outfile ctint.key >/dev/null 2>&1
certtool --generate-privkey --key-type ecdsa --curve secp384r1 --outfile ctleaf.key >/dev/null 2>&1
ctcert ctroot self 'cn = "Mote certtool Root"
serial = 1
ca
cert_signing_key
crl_signing_key' SHA256
ctcert ctint ctroot 'cn = "Mote certtool Int"
serial = 2
ca
path_len = 0
cert_signing_key
nc_permit_dns = "gnutls.example"
nc_permit_ip = "192.0.2.0/24"' SHA384
ctcert ctleaf ctint 'cn = "www.gnutls.example"
serial = 3
dns_name = "www.gnutls.example"
ip_address = "192.0.2.9"
signing_key
tls_www_server'
ok v_certtool ctleaf.pem ctint.pem ctroot.pem www.gnutls.example
ok v_certtool_ip ctleaf.pem ctint.pem ctroot.pem 192.0.2.9
cp ctleaf.key ctbad.key
ctcert ctbad ctint 'cn = "outside.example"
serial = 4
dns_name = "outside.example"
signing_key
tls_www_server'
bad f_nc_certtool ctbad.pem ctint.pem ctroot.pem outside.example name_constraints 0

# ---- Cross-signing: two paths, one broken --------------------------------------
# rootnew (trusted in some cases) and rootold; X = rootnew's key and name
# certified by rootold; int certified by rootnew; leaf by int.
key rootnew p256; cert rootnew self "/CN=Mote Cross New Root" "$ext_root"
key rootold rsa;  cert rootold self "/CN=Mote Cross Old Root" "$ext_root" "" "" -md sha256
cp rootnew.key xnew.key; cp rootnew.key xnew_exp.key
cert xnew rootold "/CN=Mote Cross New Root" "$ext_ca" "" "" -md sha256
cert xnew_exp rootold "/CN=Mote Cross New Root" "$ext_ca" 20200101000000Z 20250101000000Z -md sha256
key ix p256; cert ix rootnew "/CN=Mote Cross Int" "$ext_ca"
key lx p256; cert lx ix "/CN=cross.example.com" "$(leafext DNS:cross.example.com)"
# Only the old root trusted: leaf -> ix -> xnew -> rootold.
ok v_cross_old lx.pem xnew.pem,ix.pem rootold.pem cross.example.com
# Only the new root trusted, the cross certificate offered first: the builder
# must end at the anchor, not follow xnew to an unknown rootold.
ok v_cross_new lx.pem xnew.pem,ix.pem rootnew.pem cross.example.com
# Only the old root trusted and the only cross certificate has expired.
bad f_cross_expired lx.pem xnew_exp.pem,ix.pem rootold.pem cross.example.com expired 2
# Both roots trusted, the expired cross certificate first: the builder must
# back off it and take the new root.
ok v_cross_alt lx.pem xnew_exp.pem,ix.pem rootold.pem,rootnew.pem cross.example.com
# Two certificates for the same intermediate (same name, same key): the one
# offered first is signed by an untrusted root; the builder must try the other.
cp ix.key ixu.key; cert ixu rootother "/CN=Mote Cross Int" "$ext_ca"
# OpenSSL takes the first candidate and does not back off: a listed difference.
case_ "v_two_issuers lx.pem ixu.pem,ix.pem rootnew.pem cross.example.com $NOW server 8 ok ok -1 fail"

# ---- One broken chain per failure reason -------------------------------------
key ifail p256; cert ifail rootp256 "/CN=Mote Int Fail" "$ext_ca"
key lexp p256
cert lexp ifail "/CN=exp.example.com" "$(leafext DNS:exp.example.com)" 20240101000000Z 20250101000000Z
bad f_expired_leaf lexp.pem ifail.pem $ALLROOTS exp.example.com expired 0
key lny p256
cert lny ifail "/CN=ny.example.com" "$(leafext DNS:ny.example.com)" 20270101000000Z 20300101000000Z
bad f_not_yet_valid lny.pem ifail.pem $ALLROOTS ny.example.com not_yet_valid 0
# The same leaf is fine at a time inside its window.
ok v_not_yet_later lny.pem ifail.pem $ALLROOTS ny.example.com server "$(date -u -d '2028-01-01' +%s)"

key iexp p256; cert iexp rootp256 "/CN=Mote Int Expired" "$ext_ca" 20200101000000Z 20250601000000Z
key liexp p256; cert liexp iexp "/CN=iexp.example.com" "$(leafext DNS:iexp.example.com)"
bad f_expired_int liexp.pem iexp.pem $ALLROOTS iexp.example.com expired 1

key iunk p256; cert iunk rootother "/CN=Mote Int Unknown" "$ext_ca"
key lunk p256; cert lunk iunk "/CN=unk.example.com" "$(leafext DNS:unk.example.com)"
bad f_unknown_issuer lunk.pem iunk.pem $ALLROOTS unk.example.com unknown_issuer 1
bad f_missing_int lunk.pem - $ALLROOTS unk.example.com unknown_issuer 0
key lself p256; cert lself self "/CN=self.example.com" "$(leafext DNS:self.example.com)"
bad f_self_signed lself.pem - $ALLROOTS self.example.com unknown_issuer 0

key lsig p256; cert lsig ifail "/CN=sig.example.com" "$(leafext DNS:sig.example.com)"
cp lsig.der lsigx.der
# Flip a bit in the last byte: inside the signature value, still valid DER.
last=$(( $(stat -c %s lsigx.der) - 1 ))
b=$(od -An -tu1 -j $last -N1 lsigx.der | tr -d ' ')
printf "$(printf '\\%03o' $(( b ^ 1 )))" | dd of=lsigx.der bs=1 seek=$last conv=notrunc 2>/dev/null
openssl x509 -inform DER -in lsigx.der -out lsigx.pem
bad f_bad_sig lsigx.pem ifail.pem $ALLROOTS sig.example.com bad_signature 0
key irsig rsa; cert irsig rootrsa "/CN=Mote Int RSA Sig" "$ext_ca"
cp irsig.der irsigx.der
last=$(( $(stat -c %s irsigx.der) - 1 ))
b=$(od -An -tu1 -j $last -N1 irsigx.der | tr -d ' ')
printf "$(printf '\\%03o' $(( b ^ 1 )))" | dd of=irsigx.der bs=1 seek=$last conv=notrunc 2>/dev/null
openssl x509 -inform DER -in irsigx.der -out irsigx.pem
key lrsig p256; cert lrsig irsig "/CN=rsig.example.com" "$(leafext DNS:rsig.example.com)"
bad f_bad_sig_int lrsig.pem irsigx.pem $ALLROOTS rsig.example.com bad_signature 1

key inca p256
cert inca rootp256 "/CN=Mote Int Not CA" 'basicConstraints=critical,CA:FALSE
keyUsage=critical,keyCertSign,digitalSignature
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid'
key lnca p256; cert lnca inca "/CN=nca.example.com" "$(leafext DNS:nca.example.com)"
bad f_ca_false lnca.pem inca.pem $ALLROOTS nca.example.com not_ca 1
key inobc p256
cert inobc rootp256 "/CN=Mote Int No BC" 'keyUsage=critical,keyCertSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid'
key lnobc p256; cert lnobc inobc "/CN=nobc.example.com" "$(leafext DNS:nobc.example.com)"
bad f_no_basic_constraints lnobc.pem inobc.pem $ALLROOTS nobc.example.com not_ca 1

key ipl0 p256
cert ipl0 rootp256 "/CN=Mote Int PathLen 0" 'basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid'
key ipl1 p256; cert ipl1 ipl0 "/CN=Mote Int Below PathLen 0" "$ext_ca"
key lpl p256; cert lpl ipl1 "/CN=pl.example.com" "$(leafext DNS:pl.example.com)"
bad f_path_len lpl.pem ipl1.pem,ipl0.pem $ALLROOTS pl.example.com path_len 2
key lpl0 p256; cert lpl0 ipl0 "/CN=pl0.example.com" "$(leafext DNS:pl0.example.com)"
ok v_path_len_ok lpl0.pem ipl0.pem $ALLROOTS pl0.example.com

key iku p256
cert iku rootp256 "/CN=Mote Int No keyCertSign" 'basicConstraints=critical,CA:TRUE
keyUsage=critical,digitalSignature,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid'
key lku p256; cert lku iku "/CN=ku.example.com" "$(leafext DNS:ku.example.com)"
bad f_ku_ca lku.pem iku.pem $ALLROOTS ku.example.com key_usage 1
key lkul p256
cert lkul ifail "/CN=kul.example.com" 'basicConstraints=critical,CA:FALSE
keyUsage=critical,nonRepudiation
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
subjectAltName=DNS:kul.example.com'
bad f_ku_leaf lkul.pem ifail.pem $ALLROOTS kul.example.com key_usage 0

key leku p256; cert leku ifail "/CN=eku.example.com" "$(leafext DNS:eku.example.com clientAuth)"
bad f_eku_leaf leku.pem ifail.pem $ALLROOTS eku.example.com eku 0
key ieku p256
cert ieku rootp256 "/CN=Mote Int Client Only" "$ext_ca
extendedKeyUsage=clientAuth"
key lieku p256; cert lieku ieku "/CN=ieku.example.com" "$(leafext DNS:ieku.example.com serverAuth)"
bad f_eku_int lieku.pem ieku.pem $ALLROOTS ieku.example.com eku 1
key iekus p256
cert iekus rootp256 "/CN=Mote Int Server EKU" "$ext_ca
extendedKeyUsage=serverAuth"
key liekus p256; cert liekus iekus "/CN=iekus.example.com" "$(leafext DNS:iekus.example.com serverAuth)"
ok v_eku_int liekus.pem iekus.pem $ALLROOTS iekus.example.com

key inc p256
cert inc rootp256 "/CN=Mote Int Name Constraints" "$ext_ca
nameConstraints=critical,permitted;DNS:allowed.example,permitted;IP:192.0.2.0/255.255.255.0,permitted;email:.allowed.example,excluded;DNS:bad.allowed.example"
key lnc p256; cert lnc inc "/CN=www.allowed.example" "$(leafext 'DNS:www.allowed.example,IP:192.0.2.1,email:a@mail.allowed.example')"
ok v_nc lnc.pem inc.pem $ALLROOTS www.allowed.example
key lncd p256; cert lncd inc "/CN=other.example" "$(leafext 'DNS:www.allowed.example,DNS:other.example')"
bad f_nc_dns lncd.pem inc.pem $ALLROOTS www.allowed.example name_constraints 0
key lnce p256; cert lnce inc "/CN=x.bad.allowed.example" "$(leafext 'DNS:x.bad.allowed.example')"
bad f_nc_dns_excluded lnce.pem inc.pem $ALLROOTS x.bad.allowed.example name_constraints 0
key lnci p256; cert lnci inc "/CN=ip" "$(leafext 'DNS:ip.allowed.example,IP:198.51.100.1')"
bad f_nc_ip lnci.pem inc.pem $ALLROOTS ip.allowed.example name_constraints 0
key lncm p256; cert lncm inc "/CN=mail" "$(leafext 'DNS:m.allowed.example,email:user@other.example')"
bad f_nc_email lncm.pem inc.pem $ALLROOTS m.allowed.example name_constraints 0

bad f_host_mismatch l1.pem - $ALLROOTS other.example.com name_mismatch 0
key lww p256; cert lww rootp256 "/CN=ww" "$(leafext 'DNS:*.*.example.com')"
bad f_wild_double lww.pem - $ALLROOTS a.b.example.com name_mismatch 0
key lwp p256; cert lwp rootp256 "/CN=wp" "$(leafext 'DNS:f*o.example.com')"
bad f_wild_partial lwp.pem - $ALLROOTS foo.example.com name_mismatch 0
key lipcn p256; cert lipcn rootp256 "/CN=192.0.2.5" "$(leafext 'DNS:ipcn.example.com')"
bad f_ip_in_cn lipcn.pem - $ALLROOTS 192.0.2.5 name_mismatch 0
# The CN is never used (RFC 9525 6.3); OpenSSL falls back to it when the
# certificate has no DNS SAN: a listed difference.
key lcn p256
cert lcn rootp256 "/CN=cn.example.com" 'basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth'
bad f_cn_only lcn.pem - $ALLROOTS cn.example.com name_mismatch 0 ok

# Too deep: nine CA certificates between the leaf and the root (limit 8), and
# the same chain with the limit raised.
prev=rootp256; deep=
for i in 1 2 3 4 5 6 7 8 9; do
  key deep$i p256; cert deep$i $prev "/CN=Mote Deep $i" "$ext_ca"
  prev=deep$i; deep=deep$i.pem${deep:+,$deep}
done
key ldeep p256; cert ldeep deep9 "/CN=deep.example.com" "$(leafext DNS:deep.example.com)"
bad f_too_deep ldeep.pem $deep $ALLROOTS deep.example.com too_deep 9
case_ "v_deep_limit10 ldeep.pem $deep $ALLROOTS deep.example.com $NOW server 10 ok ok -1 ok"

key lcrit p256
cert lcrit ifail "/CN=crit.example.com" "$(leafext DNS:crit.example.com)
1.3.6.1.4.1.55555.1=critical,ASN1:NULL"
bad f_unknown_critical lcrit.pem ifail.pem $ALLROOTS crit.example.com unknown_critical 0
key lncrit p256
cert lncrit ifail "/CN=ncrit.example.com" "$(leafext DNS:ncrit.example.com)
1.3.6.1.4.1.55555.1=ASN1:NULL"
ok v_unknown_noncritical lncrit.pem ifail.pem $ALLROOTS ncrit.example.com

# SHA-1 signatures are refused unless the caller allows them.
key lsha1 p256; cert lsha1 i2r "/CN=sha1.example.com" "$(leafext DNS:sha1.example.com)" "" "" -md sha1
# OpenSSL 3.0 accepts SHA-1 at its default security level: a listed difference.
bad f_sha1 lsha1.pem i2r.pem $ALLROOTS sha1.example.com unsupported_alg 0 ok

# Client purpose against a server-only leaf.
bad f_eku_server_as_client liekus.pem iekus.pem $ALLROOTS - eku 1 fail client

# ---- Anchor constraints (RFC 5937 style; docs/x509.md) -------------------------
# A trust anchor's own pathLenConstraint, name constraints and EKU apply to
# the paths that end at it (OpenSSL enforces all three on a root too).
key rootpl p256
cert rootpl self "/CN=Mote Test Root PathLen 0" 'basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash'
key iapl p256; cert iapl rootpl "/CN=Mote Int Under PathLen 0 Root" "$ext_ca"
key lapl p256; cert lapl iapl "/CN=apl.example.com" "$(leafext DNS:apl.example.com)"
bad f_anchor_path_len lapl.pem iapl.pem rootpl.pem apl.example.com path_len 2
key lapl0 p256; cert lapl0 rootpl "/CN=apl0.example.com" "$(leafext DNS:apl0.example.com)"
ok v_anchor_path_len lapl0.pem - rootpl.pem apl0.example.com
key rootnc p256
cert rootnc self "/CN=Mote Test Root Name Constraints" "$ext_root
nameConstraints=critical,permitted;DNS:anc.example,excluded;DNS:no.anc.example"
key ianc p256; cert ianc rootnc "/CN=Mote Int Under NC Root" "$ext_ca"
key lanc p256; cert lanc ianc "/CN=www.anc.example" "$(leafext DNS:www.anc.example)"
ok v_anchor_nc lanc.pem ianc.pem rootnc.pem www.anc.example
key lancx p256; cert lancx ianc "/CN=www.other.example" "$(leafext DNS:www.other.example)"
bad f_anchor_nc lancx.pem ianc.pem rootnc.pem www.other.example name_constraints 0
key lancn p256; cert lancn ianc "/CN=x.no.anc.example" "$(leafext DNS:x.no.anc.example)"
bad f_anchor_nc_excluded lancn.pem ianc.pem rootnc.pem x.no.anc.example name_constraints 0
key rooteku p256
cert rooteku self "/CN=Mote Test Root Client EKU" "$ext_root
extendedKeyUsage=clientAuth"
key laeku p256; cert laeku rooteku "/CN=aeku.example.com" "$(leafext DNS:aeku.example.com)"
bad f_anchor_eku laeku.pem - rooteku.pem aeku.example.com eku 1
ok v_anchor_eku_client laeku.pem - rooteku.pem - client

# ---- Certificate policies (RFC 5280 6.1, docs/x509.md) -------------------------
# A 13th manifest field gives the policy options: "-", or comma-separated
# "explicit" (initial-explicit-policy), "nomap", "noany", "check" (nothing
# for Mote; openssl needs -policy_check to look at policies at all) and
# OIDs (the user-initial-policy-set). openssl verify gets -policy_check and
# the matching -explicit_policy -inhibit_map -inhibit_any -policy OID.
pcase() { # pcase NAME LEAF BUNDLE HOST EXPECT REASON DEPTH OSSL POLICY [MAXDEPTH]
  case_ "$1 $2 $3 rootp256.pem $4 $NOW server ${10:-8} $5 $6 $7 $8 $9"
}
key ipol p256
cert ipol rootp256 "/CN=Mote Int Policies" "$ext_ca
certificatePolicies=1.2.3.1,1.2.3.2"
key lpol p256; cert lpol ipol "/CN=pol.example.com" "$(leafext DNS:pol.example.com)
certificatePolicies=1.2.3.1"
pcase v_pol_plain lpol.pem ipol.pem pol.example.com ok ok -1 ok check
# OpenSSL takes "no -policy" as an empty user-initial-policy-set, not
# any-policy (RFC 5280 6.1.1 c), so with an explicit policy required it
# fails every chain: a listed difference (v_pol_explicit, v_pol_require);
# given anyPolicy by name it agrees (v_pol_explicit_any).
pcase v_pol_explicit lpol.pem ipol.pem pol.example.com ok ok -1 fail explicit
pcase v_pol_explicit_any lpol.pem ipol.pem pol.example.com ok ok -1 ok explicit,2.5.29.32.0
pcase v_pol_user lpol.pem ipol.pem pol.example.com ok ok -1 ok explicit,1.2.3.1
pcase f_pol_user lpol.pem ipol.pem pol.example.com fail policy 0 fail explicit,1.2.3.2
pcase v_pol_user_implicit lpol.pem ipol.pem pol.example.com ok ok -1 ok 1.2.3.2
key lnopol p256; cert lnopol ipol "/CN=nopol.example.com" "$(leafext DNS:nopol.example.com)"
pcase v_pol_leaf_none lnopol.pem ipol.pem nopol.example.com ok ok -1 ok check
pcase f_pol_leaf_none lnopol.pem ipol.pem nopol.example.com fail policy 0 fail explicit
key lpolx p256; cert lpolx ipol "/CN=polx.example.com" "$(leafext DNS:polx.example.com)
certificatePolicies=1.2.3.7"
pcase f_pol_disjoint lpolx.pem ipol.pem polx.example.com fail policy 0 fail explicit
# requireExplicitPolicy in the chain, no option from the caller.
key ireq p256
cert ireq rootp256 "/CN=Mote Int Require Explicit" "$ext_ca
certificatePolicies=1.2.3.1
policyConstraints=critical,requireExplicitPolicy:0"
key lreq p256; cert lreq ireq "/CN=req.example.com" "$(leafext DNS:req.example.com)
certificatePolicies=1.2.3.1"
pcase v_pol_require lreq.pem ireq.pem req.example.com ok ok -1 fail check
pcase v_pol_require_any lreq.pem ireq.pem req.example.com ok ok -1 ok 2.5.29.32.0
key lreqn p256; cert lreqn ireq "/CN=reqn.example.com" "$(leafext DNS:reqn.example.com)"
pcase f_pol_require lreqn.pem ireq.pem reqn.example.com fail policy 0 fail check
# policyMappings 1.2.3.1 -> 1.2.3.5; inhibited by the caller.
key imap p256
cert imap rootp256 "/CN=Mote Int Policy Mapping" "$ext_ca
certificatePolicies=1.2.3.1
policyMappings=critical,1.2.3.1:1.2.3.5"
key lmap p256; cert lmap imap "/CN=map.example.com" "$(leafext DNS:map.example.com)
certificatePolicies=1.2.3.5"
pcase v_pol_map lmap.pem imap.pem map.example.com ok ok -1 ok explicit,1.2.3.1
pcase f_pol_map_user lmap.pem imap.pem map.example.com fail policy 0 fail explicit,1.2.3.5
pcase f_pol_map_inhibited lmap.pem imap.pem map.example.com fail policy 0 fail explicit,nomap
# inhibitAnyPolicy: an intermediate asserting anyPolicy stops it below.
key iany p256
cert iany rootp256 "/CN=Mote Int Inhibit Any" "$ext_ca
certificatePolicies=2.5.29.32.0
inhibitAnyPolicy=critical,0"
key lany p256; cert lany iany "/CN=any.example.com" "$(leafext DNS:any.example.com)
certificatePolicies=2.5.29.32.0"
pcase f_pol_inhibit_any lany.pem iany.pem any.example.com fail policy 0 fail explicit
key lany1 p256; cert lany1 iany "/CN=any1.example.com" "$(leafext DNS:any1.example.com)
certificatePolicies=1.2.3.1"
pcase v_pol_under_any lany1.pem iany.pem any1.example.com ok ok -1 ok explicit,1.2.3.1
pcase f_pol_noany lany1.pem iany.pem any1.example.com fail policy 1 fail explicit,noany
# The blow-up chain (CVE-2023-0464): ten intermediates, each with four
# policies mapped every one to every one, so RFC 5280's tree would have
# 4^10 nodes; the graph has four a level. Must finish fast. OpenSSL 3.0
# (since its CVE-2023-0464 fix) gives up on such a tree: a listed
# difference.
maps=$(for a in 1 2 3 4; do for b in 1 2 3 4; do printf '1.2.9.%s:1.2.9.%s,' $a $b; done; done)
up=rootp256 blow=
for k in 1 2 3 4 5 6 7 8 9 10; do
  key ib$k p256
  cert ib$k $up "/CN=Mote Int Blowup $k" "$ext_ca
certificatePolicies=1.2.9.1,1.2.9.2,1.2.9.3,1.2.9.4
policyMappings=critical,${maps%,}"
  up=ib$k blow=$blow${blow:+,}ib$k.pem
done
key lblow p256; cert lblow ib10 "/CN=blow.example.com" "$(leafext DNS:blow.example.com)
certificatePolicies=1.2.9.1"
pcase v_pol_blowup lblow.pem $blow blow.example.com ok ok -1 fail explicit,1.2.9.3 10

echo "mkchains: $(wc -l < $M) cases in $D/manifest"

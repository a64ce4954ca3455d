#!/usr/bin/env bash
# X.509 chains made by openssl and certtool (tests/x509/mkchains.sh): Mote's
# verdict, reason and depth for every case (test_x509_verify test_manifest),
# and the same verdict from `openssl verify -x509_strict` and from GnuTLS's
# `certtool --verify` (at the case's time through faketime) on every case,
# except the differences docs/x509.md lists and explains (TAP output).
set -u
B=${MOTE_BUILD:-_build}
bin=$B/obj/tests/test_x509_verify
D=$B/x509chains-interop
# Cases where Mote and OpenSSL 3.0 disagree on purpose (docs/x509.md,
# "Differences from OpenSSL").
known="v_two_issuers f_sha1 f_cn_only v_pol_blowup v_pol_explicit v_pol_require"
# The same for GnuTLS 3.7 (certtool cannot set a maximum depth: its own is
# 16, so f_too_deep passes there; it ignores an anchor's EKU; it refuses
# critical policyConstraints and policyMappings as unknown, and does no
# policy processing, so failing policy cases are skipped).
known_gnutls="v_two_issuers f_ku_leaf f_cn_only f_too_deep f_anchor_eku v_pol_require v_pol_require_any v_pol_map v_pol_blowup"

if ! tests/x509/mkchains.sh "$D" > /dev/null 2> "$D.log"; then
  echo "1..1"
  echo "not ok 1 - tests/x509/mkchains.sh"
  sed 's/^/# /' "$D.log" | tail -20
  exit 1
fi
n=$(wc -l < "$D/manifest")
echo "1..$((2 * n + 3))"

out=$(MOTE_X509_CHAINS=$PWD/$D "$bin" test_manifest 2>&1)
status=$?
if [ $status -eq 0 ] && ! grep -q '^not ok' <<< "$out"; then
  echo "ok 1 - Mote: verdict, reason and depth of all $n cases"
else
  echo "not ok 1 - Mote: verdict, reason and depth of all $n cases (status $status)"
  grep -A1 '^not ok' <<< "$out" | sed 's/^/# /' | head -40
fi

i=1 listed=0 glisted=0
while read -r name leaf bundle roots host t purpose maxd expect reason depth ossl pol; do
  i=$((i + 1))
  cat $(sed "s|[^,]*|$D/&|g; s|,| |g" <<< "$roots") > "$D/ossl-roots.pem"
  args=(-CAfile "$D/ossl-roots.pem" -no-CApath -no-CAstore)
  if [ "$bundle" != - ]; then
    cat $(sed "s|[^,]*|$D/&|g; s|,| |g" <<< "$bundle") > "$D/ossl-bundle.pem"
    args+=(-untrusted "$D/ossl-bundle.pem")
  fi
  if [ "$host" != - ]; then
    if [[ $host =~ ^[0-9.]+$ || $host == *:* ]]; then
      args+=(-verify_ip "$host")
    else
      args+=(-verify_hostname "$host")
    fi
  fi
  # Policy options (mkchains.sh, 13th field).
  if [ -n "${pol:-}" ] && [ "$pol" != - ]; then
    args+=(-policy_check)
    for o in ${pol//,/ }; do
      case $o in
      explicit) args+=(-explicit_policy) ;;
      nomap) args+=(-inhibit_map) ;;
      noany) args+=(-inhibit_any) ;;
      check) ;;
      *) args+=(-policy "$o") ;;
      esac
    done
  fi
  p=sslserver
  [ "$purpose" = client ] && p=sslclient
  msg=$(openssl verify -x509_strict -attime "$t" -purpose $p \
    -verify_depth "$maxd" "${args[@]}" "$D/$leaf" 2>&1)
  rc=$?
  got=ok
  [ $rc -ne 0 ] && got=fail
  # A difference must be one of the listed ones, and a listed one must
  # still be a difference (so the list cannot go stale).
  want_listed=no
  [ "$ossl" != "$expect" ] && want_listed=yes
  is_listed=no
  [[ " $known " == *" $name "* ]] && is_listed=yes
  if [ "$got" = "$ossl" ] && [ $want_listed = $is_listed ]; then
    note=""
    [ $is_listed = yes ] && { note=" (listed difference: Mote $expect)"; listed=$((listed + 1)); }
    echo "ok $i - openssl verify $name: $got$note"
  else
    echo "not ok $i - openssl verify $name: $got, manifest says $ossl, Mote $expect (listed: $is_listed)"
    sed 's/^/# /' <<< "$msg" | head -5
  fi
  # GnuTLS: the chain in one file, leaf first; the time through faketime.
  i=$((i + 1))
  if [ -n "${pol:-}" ] && [ "$pol" != - ] && [ "$expect" = fail ]; then
    echo "ok $i - certtool --verify $name # SKIP GnuTLS does no policy processing"
    continue
  fi
  cat "$D/$leaf" > "$D/gnutls-chain.pem"
  [ "$bundle" != - ] && cat "$D/ossl-bundle.pem" >> "$D/gnutls-chain.pem"
  gargs=()
  [ "$host" != - ] && gargs+=(--verify-hostname "$host")
  pur=1.3.6.1.5.5.7.3.1
  [ "$purpose" = client ] && pur=1.3.6.1.5.5.7.3.2
  msg=$(faketime -f "@$(date -u -d "@$t" '+%Y-%m-%d %H:%M:%S')" certtool --verify \
    --load-ca-certificate "$D/ossl-roots.pem" --infile "$D/gnutls-chain.pem" \
    --verify-purpose $pur "${gargs[@]}" 2>&1)
  rc=$?
  got=ok
  [ $rc -ne 0 ] && got=fail
  is_listed=no
  [[ " $known_gnutls " == *" $name "* ]] && is_listed=yes
  if { [ $is_listed = no ] && [ "$got" = "$expect" ]; } ||
     { [ $is_listed = yes ] && [ "$got" != "$expect" ]; }; then
    note=""
    [ $is_listed = yes ] && { note=" (listed difference: Mote $expect)"; glisted=$((glisted + 1)); }
    echo "ok $i - certtool --verify $name: $got$note"
  else
    echo "not ok $i - certtool --verify $name: $got, Mote $expect (listed: $is_listed)"
    grep -iE 'output|error' <<< "$msg" | sed 's/^/# /' | head -5
  fi
done < "$D/manifest"
i=$((i + 1))
if [ $listed -eq $(wc -w <<< "$known") ]; then
  echo "ok $i - every listed difference seen ($known)"
else
  echo "not ok $i - listed differences seen: $listed of $(wc -w <<< "$known")"
fi
i=$((i + 1))
if [ $glisted -eq $(wc -w <<< "$known_gnutls") ]; then
  echo "ok $i - every listed GnuTLS difference seen ($known_gnutls)"
else
  echo "not ok $i - listed GnuTLS differences seen: $glisted of $(wc -w <<< "$known_gnutls")"
fi
rm -rf "$D" "$D.log"

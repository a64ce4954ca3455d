#!/usr/bin/env bash
# Make sure the Debian packages the tests need are installed: installs them
# when run as root, otherwise prints the exact apt-get line and fails.
set -euo pipefail

pkgs=(
  make gcc clang libclang-rt-14-dev clang-format   # build, sanitizers, fuzzers
  perl                                             # prove (TAP harness)
  python3                                          # /usr/bin/python3 test clients
  iproute2                                         # ip netns / tuntap for tests
  git binutils pkgconf
)

# Libraries add the packages their tests need in tests/deps/<lib>.txt (one
# package per line, # comments allowed). tests/deps/npm.txt is not a Debian
# list: it names npm packages, installed at the end by tests/deps/npm.sh.
for f in "$(dirname "$0")"/deps/*.txt; do
  [ -f "$f" ] || continue
  [ "$(basename "$f")" = npm.txt ] && continue
  while read -r p _; do
    case "$p" in ''|'#'*) ;; *) pkgs+=("$p") ;; esac
  done < "$f"
done

# A name also counts as present when an installed package Provides it (a
# nodejs built elsewhere that Provides: npm, and Conflicts with Debian's).
provided=" $(dpkg-query -W -f='${db:Status-Abbrev} ${Provides}\n' 2>/dev/null |
  awk '/^ii/ { $1 = ""; print }' | sed -e 's/([^)]*)//g' -e 's/,/ /g' |
  tr -s ' \n' '  ') "
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || [[ "$provided" == *" $p "* ]] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exec "$(dirname "$0")"/deps/npm.sh install
fi

if [ "$(id -u)" -eq 0 ]; then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  exec "$(dirname "$0")"/deps/npm.sh install
else
  echo "deps: missing packages; run:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

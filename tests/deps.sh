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
# package per line, # comments allowed).
for f in "$(dirname "$0")"/deps/*.txt; do
  [ -f "$f" ] || continue
  while read -r p _; do
    case "$p" in ''|'#'*) ;; *) pkgs+=("$p") ;; esac
  done < "$f"
done

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "deps: missing packages; run:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

#!/usr/bin/env bash
# npm test dependencies (tests/deps/npm.txt): installed with npm into a
# directory outside the tree that survives `make clean`, never committed.
#
#   tests/deps/npm.sh install   install what npm.txt lists (no network when
#                               the installed set already matches); fails
#                               loudly if the registry cannot be reached
#   tests/deps/npm.sh dir       print the directory (node_modules is in it)
#   tests/deps/npm.sh check     exit 0 if every listed package is installed
#                               at its listed version, else say what is not
#
# The directory: $MOTE_NPM_DIR, else ${XDG_CACHE_HOME:-$HOME/.cache}/mote/npm.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
list=$here/npm.txt

npm_dir() {
  if [ -n "${MOTE_NPM_DIR:-}" ]; then
    echo "$MOTE_NPM_DIR"
  else
    echo "${XDG_CACHE_HOME:-${HOME:?HOME unset; set MOTE_NPM_DIR}/.cache}/mote/npm"
  fi
}

# "name@version" lines of npm.txt (a scoped name starts with @ too).
wanted() {
  sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$' || true
}

check() {
  local dir bad=0 spec name ver got
  dir=$(npm_dir)
  for spec in $(wanted); do
    name=${spec%@*} ver=${spec##*@}
    got=$(node -e 'process.stdout.write(String(JSON.parse(require("fs")
      .readFileSync(process.argv[1], "utf8")).version))' \
      "$dir/node_modules/$name/package.json" 2>/dev/null || true)
    if [ "$got" != "$ver" ]; then
      echo "npm: $name@$ver not installed in $dir${got:+ (found $got)}" >&2
      bad=1
    fi
  done
  return $bad
}

install() {
  local dir
  dir=$(npm_dir)
  if check 2>/dev/null; then
    return 0
  fi
  command -v node > /dev/null && command -v npm > /dev/null || {
    echo "npm: node and npm are needed (Debian packages nodejs, npm;" \
      "tests/deps/crypto.txt)" >&2
    exit 1
  }
  mkdir -p "$dir"
  # A private package.json so that npm installs here and nowhere above.
  [ -f "$dir/package.json" ] ||
    echo '{"name":"mote-test-deps","private":true}' > "$dir/package.json"
  echo "npm: installing $(wanted | tr '\n' ' ')into $dir"
  # shellcheck disable=SC2046
  if ! (cd "$dir" && npm install --no-save --no-package-lock --ignore-scripts \
      --no-audit --no-fund --loglevel=error --fetch-timeout=60000 \
      --fetch-retries=1 --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=10000 $(wanted)); then
    echo "npm: install FAILED (is https://registry.npmjs.org reachable?);" \
      "the ML-KEM interop test needs these packages" >&2
    exit 1
  fi
  check
}

case "${1:-}" in
  install) install ;;
  dir) npm_dir ;;
  check) check ;;
  *) echo "usage: $0 install|dir|check" >&2; exit 2 ;;
esac

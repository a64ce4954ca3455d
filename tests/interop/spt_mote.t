#!/usr/bin/env bash
# The mote frontend: configure checks every option against the app's
# mote.conf, --help lists runtime keys, build and run drive the same echo
# sources for unix and spt, clean undoes it. State goes to a private file.
set -u
B=${MOTE_BUILD:-_build}
M=$B/bin/mote
n=0
pass() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
pid=
export MOTE_STATE=$tmp/state

run() { # run WANT_STATUS PATTERN DESCRIPTION -- CMD...
  local want=$1 pat=$2 desc=$3; shift 4
  "$@" > "$tmp/out" 2>&1
  local st=$?
  if [ "$st" -eq "$want" ] && grep -qE -- "$pat" "$tmp/out"; then
    pass "$desc"
  else
    fail "$desc (status $st, want $want; output: $(head -c 400 "$tmp/out" | tr '\n' '|'))"
  fi
}

run 2 'usage: mote COMMAND' "no command: usage, status 2" -- "$M"
run 2 "unknown command 'frob'" "unknown command" -- "$M" frob
run 0 '--listen=endpoint \(repeatable\)' "configure --help APPDIR lists the runtime keys" \
  -- "$M" configure --help apps/echo
grep -q 'default: \*:7007' "$tmp/out" && pass "... with their defaults" || fail "... with their defaults"
grep -q -- '--idle-timeout=uint' "$tmp/out" && pass "... and every key" || fail "... and every key"
run 2 'not configured' "build before configure" -- "$M" build
run 2 'no target' "configure without -t" -- "$M" configure apps/echo
run 2 "unknown target 'xen'" "configure with an unknown target" -- "$M" configure -t xen apps/echo
run 2 'unknown key --port for echo \(its keys: --listen, --idle-timeout' \
  "an unknown key is refused, naming the real ones" -- "$M" configure -t unix --port=1 apps/echo
run 2 '--listen=localhost:80: not an IPv4 address' "a bad endpoint value" \
  -- "$M" configure -t unix --listen=localhost:80 apps/echo
run 2 '--listen=1.2.3.4:70000: port' "a bad port" -- "$M" configure -t unix --listen=1.2.3.4:70000 apps/echo
run 2 '--idle-timeout=abc: want a whole number' "a bad uint" -- "$M" configure -t unix --idle-timeout=abc apps/echo
run 2 '--idle-timeout=2000000: want at most 1000000' "a uint over its max" \
  -- "$M" configure -t unix --idle-timeout=2000000 apps/echo
run 2 '--idle-timeout: want --idle-timeout=VALUE' "a key without a value" \
  -- "$M" configure -t unix --idle-timeout apps/echo
run 2 'apply to -t spt only' "spt options on unix" -- "$M" configure -t unix --tap=tap1 apps/echo
run 2 '--stack-slots=9999: want 0 to 4096' "too many stack slots" -- "$M" configure -t spt --stack-slots=9999 apps/echo
run 2 '--ipv4=10.0.0.2: want ADDR/LEN' "a bad --ipv4" -- "$M" configure -t spt --ipv4=10.0.0.2 apps/echo
run 2 'mote.conf.*No such file' "a directory without mote.conf" -- "$M" configure -t unix "$tmp"

# mote.conf errors name file and line.
mkdir -p "$tmp/app"
echo 'int x;' > "$tmp/app/main.c"
conf() { printf '%s\n' "$@" > "$tmp/app/mote.conf"; }
conf '[app]' 'name = t' 'sources = main.c' 'targets = unix' '[key k]' 'type = float'
run 2 'mote.conf:6: bad value for .type.' "a bad key type, with its line" -- "$M" configure -t unix "$tmp/app"
conf '[app]' 'name = t' 'sources = main.c' 'targets = unix' '[key k]' 'type = uint' 'default = x'
run 2 "key 'k': default 'x': want a whole number" "a default its type refuses" -- "$M" configure -t unix "$tmp/app"
conf '[app]' 'name = t' 'sources = other.c' 'targets = unix'
run 2 'source other.c' "a missing source" -- "$M" configure -t unix "$tmp/app"
conf '[app]' 'name = t' 'sources = main.c' 'targets = unix' '[gadget g]'
run 2 'mote.conf:5: unknown section' "an unknown section" -- "$M" configure -t unix "$tmp/app"
conf '[app]' 'name = t' 'sources = main.c' 'targets = unix' 'colour = red'
run 2 "mote.conf:5: unknown field 'colour'" "an unknown field" -- "$M" configure -t unix "$tmp/app"
conf '[app]' 'name = t' 'sources = main.c' 'targets = unix'
touch "$tmp/app/extra.c"
run 2 'extra.c is in the directory but not in sources' "an unlisted .c file" -- "$M" configure -t unix "$tmp/app"
rm "$tmp/app/extra.c"
run 2 'does not support the spt target' "a target the app does not list" -- "$M" configure -t spt "$tmp/app"

# mote serve: the static file server straight from the build.
run 0 'usage: serve' "mote serve --help is serve's" -- "$M" serve --help
"$M" serve --listen=127.0.0.1:0 www > "$tmp/serve" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q 'serving' "$tmp/serve" && break; sleep 0.1; done
sport=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/serve")
if [ -n "$sport" ] && curl -s --max-time 5 "http://127.0.0.1:$sport/index.html" | cmp -s - www/index.html; then
  pass "mote serve www serves www/index.html"
else
  fail "mote serve www ($(tr '\n' '|' < "$tmp/serve"))"
fi
kill $pid; wait $pid 2>/dev/null; pid=

# unix: configure, build, run with an override, clean.
run 0 'configured echo for unix' "configure -t unix apps/echo" -- "$M" configure -t unix --idle-timeout=30 apps/echo
run 0 'built .*/_build/bin/echo' "mote build (unix)" -- "$M" build
run 0 '/_build/bin/echo --listen=127.0.0.1:0 --idle-timeout=30$' "run --dry-run: keys from configure, overrides from run" \
  -- "$M" run --dry-run --listen=127.0.0.1:0
run 2 'unknown key --nope' "run refuses unknown keys too" -- "$M" run --nope=1
"$M" run --listen=127.0.0.1:0 > "$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q 'listening on' "$tmp/log" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/log")
if [ -n "$port" ] && out=$(python3 tests/interop/echo_client.py 127.0.0.1 "$port" 20 3 4 2>&1); then
  pass "mote run (unix) serves echo: $out"
else
  fail "mote run (unix) serves echo ($(tr '\n' '|' < "$tmp/log"))"
fi
kill $pid; wait $pid 2>/dev/null; pid=

# spt: the same sources, a sealed image.
run 0 "configured echo for spt: network 'service' on TAP motetap9, 10.9.0.2/24 via 10.9.0.1, 64 MiB" \
  "configure -t spt apps/echo" \
  -- "$M" configure -t spt --tap=motetap9 --mem=64 --stack-slots=32 --ipv4=10.9.0.2/24 --ipv4-gateway=10.9.0.1 apps/echo
run 0 'built .*/_build/spt/bin/echo.spt' "mote build (spt)" -- "$M" build
run 0 'mote-spt --mem=64 --stack-slots=32 --net:service=motetap9 .*/echo.spt --ipv4=10.9.0.2/24 --ipv4-gateway=10.9.0.1 --listen=\*:7007$' \
  "run --dry-run: the tender's command line" -- "$M" run --dry-run
# (nobody must be able to reach the binary and the state: a checkout under
# a private directory, such as one made by mktemp -d, is skipped.)
if command -v runuser > /dev/null && [ "$(id -u)" = 0 ] &&
  runuser -u nobody -- test -x "$M" && chmod 711 "$tmp"; then
  cp "$tmp/state" "$tmp/state.nobody" && chmod 644 "$tmp/state.nobody"
  run 1 'ip tuntap add dev motetap9 mode tap' "unprivileged mote run prints the TAP set-up commands" \
    -- runuser -u nobody -- env MOTE_STATE="$tmp/state.nobody" "$M" run
  grep -q 'ip addr add 10.9.0.1/24 dev motetap9' "$tmp/out" && pass "... including the host address" ||
    fail "... including the host address ($(tr '\n' '|' < "$tmp/out"))"
else
  skip "unprivileged mote run: needs root to switch to nobody, and a checkout nobody can reach"
  skip "... including the host address"
fi
# As root, mote run sets up the TAP itself and the image serves: the whole
# unikernel path, inside a private network namespace.
NS=motemote$$
if [ "$(id -u)" = 0 ] && command -v ip > /dev/null && [ -c /dev/net/tun ] &&
    ip netns add $NS 2> /dev/null; then
  trap 'kill $pid 2>/dev/null; ip netns del $NS 2>/dev/null; rm -rf "$tmp"' EXIT
  ip netns exec $NS "$M" run > "$tmp/spt.log" 2>&1 &
  pid=$!
  for _ in $(seq 50); do grep -qE 'listening on|cannot' "$tmp/spt.log" && break; sleep 0.1; done
  grep -q '^+ ip tuntap add dev motetap9 mode tap$' "$tmp/spt.log" &&
    grep -q '^+ ip addr add 10.9.0.1/24 dev motetap9$' "$tmp/spt.log" &&
    pass "mote run as root creates the TAP and shows the commands" ||
    fail "mote run as root creates the TAP ($(tr '\n' '|' < "$tmp/spt.log"))"
  ip netns exec $NS ping -c 1 -W 2 10.9.0.2 > /dev/null 2>&1 # warm ARP: see spt.t
  if out=$(ip netns exec $NS python3 tests/interop/echo_client.py 10.9.0.2 7007 10 3 4 2>&1); then
    pass "mote run (spt): the sealed echo serves TCP: $out"
  else
    fail "mote run (spt): the sealed echo serves TCP"
    { echo "$out"; cat "$tmp/spt.log"; } | sed 's/^/# /'
  fi
  kill $pid; wait $pid 2>/dev/null; pid=
  ip netns del $NS
else
  skip "mote run as root creates the TAP: needs root, iproute2, /dev/net/tun"
  skip "mote run (spt) serves TCP: needs root, iproute2, /dev/net/tun"
fi
run 0 'removed .*echo.spt and the configuration' "mote clean" -- "$M" clean
[ ! -e "$B/spt/bin/echo.spt" ] && [ ! -e "$tmp/state" ] && pass "clean removed the image and the state" ||
  fail "clean removed the image and the state"
run 2 'not configured' "after clean, run needs configure again" -- "$M" run
make -s "$B/spt/bin/echo.spt" > /dev/null 2>&1 # leave the tree as it was

echo "1..$n"

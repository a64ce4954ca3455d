#!/usr/bin/env bash
# `make install` into a DESTDIR, then build a program against the installed
# headers and libmote.a through pkg-config, as a user of the library would.
set -u
B=${MOTE_BUILD:-_build}
n=0
check() { local d=$1; shift; n=$((n + 1)); if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check "make install PREFIX=/opt/mote DESTDIR=..." \
  make -s --no-print-directory install B="$B" PREFIX=/opt/mote DESTDIR="$tmp" MAKEFLAGS=
root=$tmp/opt/mote
check "headers installed" test -f "$root/include/mote/mote.h" -a -f "$root/include/mote/platform.h"
check "library installed" test -f "$root/lib/libmote.a"
check "mote.pc installed" test -f "$root/lib/pkgconfig/mote.pc"
export PKG_CONFIG_PATH=$root/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$tmp
flags=$(pkg-config --cflags --libs mote 2>&1)
check "pkg-config knows mote: $flags" grep -q -- "-lmote" <<< "$flags"
cat > "$tmp/hello.c" <<'C'
#include <stdio.h>
#include <mote/mote.h>
int mote_main(int argc, char **argv)
{
    (void)argc;
    mote_sleep(MOTE_NS_PER_MS);
    printf("hello from %s\n", argv[0]);
    return 0;
}
C
# shellcheck disable=SC2086
check "a program builds against the installed library" \
  cc -std=c11 -o "$tmp/hello" "$tmp/hello.c" $flags
check "and runs" grep -q "hello from" <<< "$("$tmp/hello" 2>&1)"
check "make uninstall removes it" \
  bash -c "make -s --no-print-directory uninstall PREFIX=/opt/mote DESTDIR='$tmp' MAKEFLAGS= && test ! -e '$root/lib/libmote.a'"
echo "1..$n"

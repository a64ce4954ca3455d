#!/usr/bin/env bash
# TCP conformance on established connections, second group: out-of-window
# data, checksums, PAWS, bogus options, the peer's zero window
# (tests/netns/conform.py data).
CONFORM_GROUP=data exec "$(dirname "$0")/netns_conform.t"

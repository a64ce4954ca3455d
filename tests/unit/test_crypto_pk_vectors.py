#!/usr/bin/env python3
"""Flatten Wycheproof JSON files into one line per test case for the C test
loader (tests/unit/test_crypto_pk.c): "key=value" words separated by
spaces; group fields get the prefix "g." (nested dicts flattened with "."),
and PEM/JWK/comment/flags fields are dropped. Usage: IN.json OUT.txt"""
import json
import sys


def flat(prefix, obj, out):
    for k, v in obj.items():
        if k in ("tests", "publicKeyPem", "publicKeyJwk", "keyJwk", "comment",
                 "flags", "source", "privateKeyPem", "privateKeyJwk"):
            continue
        if isinstance(v, dict):
            flat(prefix + k + ".", v, out)
        elif isinstance(v, (str, int)) and not isinstance(v, bool):
            s = str(v)
            if not s or any(c.isspace() for c in s):
                s = s.replace(" ", "_") or "-"
            out.append("%s%s=%s" % (prefix, k, s))


def main():
    src, dst = sys.argv[1], sys.argv[2]
    d = json.load(open(src))
    lines = []
    for g in d["testGroups"]:
        gw = []
        flat("g.", g, gw)
        for t in g["tests"]:
            tw = []
            flat("", t, tw)
            lines.append(" ".join(tw + gw))
    with open(dst + ".tmp", "w") as f:
        f.write("\n".join(lines) + "\n")
    import os
    os.replace(dst + ".tmp", dst)


main()

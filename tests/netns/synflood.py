#!/usr/bin/python3
"""A SYN flood at the direct stack while a kernel client still gets served.

Usage: synflood.py STACK_ADDR KERNEL_ADDR NET_PREFIX IFACE STACK_MAC COUNT
NET_PREFIX: "10.N.0." or "fd00:N::" (sources are drawn inside the subnet).

COUNT distinct SYNs to the TCP echo (port 7) from random source addresses
and ports, forged at layer 2 and written to the TAP for at least two
seconds, in a thread; meanwhile the kernel (an ordinary socket from
KERNEL_ADDR) connects and echoes, several times over. Prints
"flood sent=N secs=T" and "client ok=K of M", or "client error ...".
"""
import os
import random
import socket
import sys
import threading
import time

from scapy.all import Ether, IP, IPv6, TCP

stack, kernel, prefix, iface, smac, count = sys.argv[1:7]
count = int(count)
v6 = ":" in stack

sk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
sk.bind((iface, 0))
rnd = random.Random(int(os.environ.get("SEED", "1")))


def frames():
    out = []
    for i in range(count):
        host = rnd.randint(3, 250)
        src = prefix + (("%x" % host) if v6 else str(host))
        l3 = IPv6(src=src, dst=stack) if v6 else IP(src=src, dst=stack)
        out.append(bytes(
            Ether(src="02:00:00:%02x:%02x:%02x" % (host, i >> 8 & 255,
                                                   i & 255), dst=smac) / l3 /
            TCP(sport=rnd.randint(1024, 65535), dport=7, flags="S",
                seq=rnd.getrandbits(32), window=65535,
                options=[("MSS", 1460), ("SAckOK", b""),
                         ("Timestamp", (rnd.getrandbits(32), 0)),
                         ("NOP", None), ("WScale", 7)])))
    return out


pkts = frames()
stats = {}


def flood():
    # COUNT distinct SYNs at least, and for at least two seconds (the
    # frame list again and again), in bursts that the TAP's queue of 1000
    # frames can take: the kernel client must meet the flood.
    t0 = time.monotonic()
    n = 0
    while n < count or time.monotonic() - t0 < 2.0:
        for i in range(0, len(pkts), 100):
            for p in pkts[i:i + 100]:
                try:
                    sk.send(p)
                    n += 1
                except OSError:  # queue full: the flood goes on
                    pass
            time.sleep(0.005)
    stats["sent"] = n
    stats["secs"] = time.monotonic() - t0


def client():
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(10)
    s.bind((kernel, 0))
    s.connect((stack, 7))
    m = os.urandom(3000)
    s.sendall(m)
    got = b""
    while len(got) < len(m):
        b = s.recv(65536)
        if not b:
            break
        got += b
    s.close()
    return got == m


th = threading.Thread(target=flood)
th.start()
time.sleep(0.05)  # the flood is on
ok = tries = 0
err = ""
give_up = time.monotonic() + 30  # the whole test stays under a minute
while (th.is_alive() or tries < 3) and time.monotonic() < give_up:
    tries += 1
    try:
        ok += client()
    except OSError as e:
        err = repr(e)
    if tries >= 20:
        break
th.join()
print("flood sent=%d secs=%.2f" % (stats["sent"], stats["secs"]))
print("client ok=%d of %d %s" % (ok, tries, err))

#!/usr/bin/python3
"""TCP conformance on ESTABLISHED connections, driven by forged segments.

Usage: conform.py GROUP STACK_V4 STACK_V6 FAKE_V4 FAKE_V6 IFACE STACK_MAC
GROUP: rst (RST/SYN/ACK handling, RFC 9293 3.10.7.4 + RFC 5961) or data
(out-of-window data, zero window, checksums, PAWS, bogus options).

This script is the whole peer: it opens connections to the TCP echo of
tests/netns/netpeer.c from FAKE_V4 / FAKE_V6, addresses the kernel does
not own, so the kernel's TCP never answers the stack's segments with a
RST of its own (frames to those addresses carry a MAC that is not the
kernel's, and the kernel, not forwarding, drops them). A reader thread
answers ARP and neighbour solicitations for the fake addresses and queues
every TCP segment from the stack. Frames go out through an AF_PACKET
socket on the kernel's end of the TAP, exactly as forged.

Prints one TAP-style line per check ("ok - ..." / "not ok - ..."); the .t
numbers them.
"""
import os
import queue
import random
import socket
import sys
import threading
import time

from scapy.all import (Ether, IP, IPv6, TCP, ARP, ICMPv6ND_NS, ICMPv6ND_NA,
                       ICMPv6NDOptSrcLLAddr, ICMPv6NDOptDstLLAddr, Raw, conf)
from scapy.layers.inet import in4_chksum
from scapy.layers.inet6 import in6_chksum

conf.verb = 0
group, a4, a6, f4, f6, iface, smac = sys.argv[1:8]
FMAC = "02:00:00:00:00:99"
PORT = 7
QUIET = 0.4  # seconds of silence that count as "no answer"

sk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
sk.bind((iface, 0))
rx = {}  # sport -> queue of (time, TCP layer) from the stack
rx_lock = threading.Lock()
smac_b = bytes.fromhex(smac.replace(":", ""))


def line(cond, desc):
    print(("ok" if cond else "not ok") + " - " + desc, flush=True)


def send(frame):
    sk.send(bytes(frame))


def reader():
    while True:
        b = sk.recv(65535)
        if b[6:12] != smac_b:
            continue
        p = Ether(b)
        if p.haslayer(ARP) and p[ARP].op == 1 and p[ARP].pdst == f4:
            send(Ether(dst=p.src, src=FMAC) /
                 ARP(op=2, hwsrc=FMAC, psrc=f4, hwdst=p[ARP].hwsrc,
                     pdst=p[ARP].psrc))
        elif p.haslayer(ICMPv6ND_NS) and p[ICMPv6ND_NS].tgt == f6:
            send(Ether(dst=p.src, src=FMAC) /
                 IPv6(src=f6, dst=p[IPv6].src, hlim=255) /
                 ICMPv6ND_NA(tgt=f6, R=0, S=1, O=1) /
                 ICMPv6NDOptDstLLAddr(lladdr=FMAC))
        elif p.haslayer(TCP) and p[TCP].sport == PORT:
            with rx_lock:
                q = rx.get(p[TCP].dport)
            if q is not None:
                q.put((time.monotonic(), p[TCP]))


threading.Thread(target=reader, daemon=True).start()
# Make the stack learn the fake neighbours (RFC 826 merge; RFC 4861 7.2.3).
send(Ether(dst=smac, src=FMAC) /
     ARP(op=1, hwsrc=FMAC, psrc=f4, pdst=a4))
send(Ether(dst=smac, src=FMAC) / IPv6(src=f6, dst=a6, hlim=255) /
     ICMPv6ND_NS(tgt=a6) / ICMPv6NDOptSrcLLAddr(lladdr=FMAC))
time.sleep(0.2)

next_port = random.randint(20000, 40000)


def flags(t):
    return int(t.flags)


F_FIN, F_SYN, F_RST, F_ACK = 0x01, 0x02, 0x04, 0x10


def seq_add(a, b):
    return (a + b) & 0xffffffff


class Conn:
    """A forged peer: snd = our next sequence number, rcv = the stack's."""

    def __init__(self, v6):
        global next_port
        self.v6 = v6
        self.sport = next_port
        next_port += 1
        self.q = queue.Queue()
        with rx_lock:
            rx[self.sport] = self.q
        self.snd = random.getrandbits(32)
        self.rcv = 0
        self.ts0 = random.getrandbits(31)
        self.t0 = time.monotonic()
        self.ts_recent = 0
        self.ts_ok = False
        self.swnd = 0

    def tsval(self):
        return (self.ts0 + int((time.monotonic() - self.t0) * 1000)) \
            & 0xffffffff

    def ip(self):
        if self.v6:
            return Ether(src=FMAC, dst=smac) / IPv6(src=f6, dst=a6)
        return Ether(src=FMAC, dst=smac) / IP(src=f4, dst=a4)

    def seg(self, fl="A", seq=None, ack=None, data=b"", win=65535,
            options=None, tsval=None, chksum=None, dataofs=None):
        if options is None:
            options = []
            if self.ts_ok:
                tv = self.tsval() if tsval is None else tsval
                options = [("NOP", None), ("NOP", None),
                           ("Timestamp", (tv, self.ts_recent))]
        t = TCP(sport=self.sport, dport=PORT,
                seq=self.snd if seq is None else seq,
                ack=self.rcv if ack is None else ack, flags=fl, window=win,
                options=options)
        if dataofs is not None:
            t.dataofs = dataofs
        p = self.ip() / t
        if data:
            p = p / Raw(data)
        if chksum is not None:
            good = Ether(bytes(p))[TCP].chksum
            p[TCP].chksum = good ^ chksum
        send(p)

    def get(self, timeout):
        """The next segment from the stack within timeout, or None."""
        try:
            _, t = self.q.get(timeout=timeout)
        except queue.Empty:
            return None
        for kind, val in t.options:
            if kind == "Timestamp":
                self.ts_recent = val[0]
        return t

    def collect(self, quiet=QUIET):
        """Every segment until quiet seconds pass without one."""
        out = []
        while True:
            t = self.get(quiet)
            if t is None:
                return out
            out.append(t)

    def handshake(self):
        self.seg("S", ack=0, options=[("MSS", 1460), ("SAckOK", b""),
                                      ("Timestamp", (self.tsval(), 0))])
        t = self.get(3.0)
        if t is None or flags(t) & (F_SYN | F_ACK) != F_SYN | F_ACK or \
                t.ack != seq_add(self.snd, 1):
            return False
        self.ts_ok = any(k == "Timestamp" for k, _ in t.options)
        self.snd = seq_add(self.snd, 1)
        self.rcv = seq_add(t.seq, 1)
        self.swnd = t.window
        self.seg("A")
        return True

    def exchange(self, data, timeout=3.0):
        """Send data at snd; return what the echo sends back (in order)."""
        self.seg("PA", data=data)
        self.snd = seq_add(self.snd, len(data))
        got = b""
        end = time.monotonic() + timeout
        while len(got) < len(data) and time.monotonic() < end:
            t = self.get(max(0.01, end - time.monotonic()))
            if t is None:
                break
            if flags(t) & F_RST:
                return b"<RST>"
            pl = bytes(t.payload)
            if pl and t.seq == self.rcv:
                got += pl
                self.rcv = seq_add(self.rcv, len(pl))
        self.seg("A")
        return got

    def alive(self):
        m = b"alive-%d" % random.getrandbits(20)
        return self.exchange(m) == m

    def close(self):
        """Graceful close (so that the app counts only the tests' resets):
        our FIN, then the echo's FIN, acknowledged."""
        self.seg("FA")
        self.snd = seq_add(self.snd, 1)
        end = time.monotonic() + 2.0
        while time.monotonic() < end:
            t = self.get(0.5)
            if t is None or flags(t) & F_RST:
                break
            pl = bytes(t.payload)
            if t.seq == self.rcv:
                self.rcv = seq_add(self.rcv, len(pl))
                if flags(t) & F_FIN:
                    self.rcv = seq_add(self.rcv, 1)
                    self.seg("A")
                    break
        with rx_lock:
            rx.pop(self.sport, None)


def is_pure_ack(t, c):
    """A bare ACK carrying the stack's SND.NXT and our RCV.NXT."""
    return (t is not None and flags(t) & (F_SYN | F_RST | F_FIN) == 0 and
            flags(t) & F_ACK and not bytes(t.payload) and t.seq == c.rcv and
            t.ack == c.snd)


def one_ack(segs, c):
    return len(segs) >= 1 and all(is_pure_ack(t, c) for t in segs)


def fam(v6):
    return "IPv6" if v6 else "IPv4"


def case(desc, v6, fn):
    c = Conn(v6)
    try:
        if not c.handshake():
            line(False, "%s %s: handshake failed" % (fam(v6), desc))
            return
        if not c.alive():
            line(False, "%s %s: no echo before the test" % (fam(v6), desc))
            return
        c.collect(0.05)
        ok, why = fn(c)
        line(ok, "%s %s%s" % (fam(v6), desc, "" if ok else " (%s)" % why))
    except Exception as e:  # a failed case must not end the run
        line(False, "%s %s: exception %r" % (fam(v6), desc, e))
    finally:
        c.close()


def show(segs):
    return "[" + ", ".join("%s seq=%d ack=%d len=%d" % (
        t.sprintf("%TCP.flags%"), t.seq, t.ack, len(bytes(t.payload)))
        for t in segs) + "]"


# ---- RFC 5961 / RFC 9293 3.10.7.4: RST, SYN and ACK ------------------------

def rst_exact(c):
    c.seg("R", ack=0)
    segs = c.collect()
    if segs:
        return False, "answered " + show(segs)
    c.seg("PA", data=b"after")
    t = c.get(2.0)
    if t is None or not flags(t) & F_RST:
        return False, "later segment got %s" % (show([t]) if t else "nothing")
    return True, ""


def rst_exact_ack(c):
    c.seg("RA")
    if c.collect():
        return False, "answered"
    c.seg("PA", data=b"after")
    t = c.get(2.0)
    return t is not None and flags(t) & F_RST, "no RST for a later segment"


def rst_in_window(c):
    c.seg("R", seq=seq_add(c.snd, 100), ack=0)
    segs = c.collect()
    if not one_ack(segs, c):
        return False, "expected one challenge ACK, got " + show(segs)
    return c.alive(), "connection did not survive"


def rst_out_of_window(c):
    for off in (1 << 30, -(1 << 20)):
        c.seg("R", seq=seq_add(c.snd, off), ack=0)
        segs = c.collect()
        if segs:
            return False, "answered %s" % show(segs)
    return c.alive(), "connection did not survive"


def syn_in_window(c):
    c.seg("S", seq=c.snd, ack=0, options=[("MSS", 1000)])
    segs = c.collect()
    if not one_ack(segs, c):
        return False, "expected a challenge ACK, got " + show(segs)
    return c.alive(), "connection did not survive"


def syn_out_of_window(c):
    c.seg("S", seq=seq_add(c.snd, 1 << 30), ack=0)
    segs = c.collect()
    if not one_ack(segs, c):
        return False, "expected a challenge ACK, got " + show(segs)
    return c.alive(), "connection did not survive"


def ack_unsent(c):
    # SEG.ACK > SND.NXT: "send an ACK, drop the segment" (3.10.7.4 fifth)
    c.seg("PA", ack=seq_add(c.rcv, 100000), data=b"JUNK")
    segs = c.collect()
    if not one_ack(segs, c):
        return False, "expected an ACK not taking the data, got " + show(segs)
    return c.alive(), "junk delivered or connection lost"


def ack_too_old(c):
    # SEG.ACK < SND.UNA - MAX.SND.WND: challenge ACK, drop (RFC 5961 5.2)
    c.seg("PA", ack=seq_add(c.rcv, -(1 << 24)), data=b"JUNK")
    segs = c.collect()
    if not one_ack(segs, c):
        return False, "expected a challenge ACK, got " + show(segs)
    return c.alive(), "junk delivered or connection lost"


def no_ack_flag(c):
    # data without ACK in a synchronized state: dropped (3.10.7.4 fifth)
    c.seg("P", ack=0, data=b"NOACK")
    segs = c.collect()
    if any(bytes(t.payload) for t in segs):
        return False, "data echoed: " + show(segs)
    return c.alive(), "connection did not survive"


# ---- data: window, checksum, PAWS, options ----------------------------------

def data_out_of_window(c):
    c.seg("PA", seq=seq_add(c.snd, 1 << 30), data=b"FUTURE")
    segs = c.collect()
    if not one_ack(segs, c):
        return False, "beyond the window: expected a pure ACK, got " + \
            show(segs)
    c.seg("PA", seq=seq_add(c.snd, -(1 << 20)), data=b"PAST")
    segs = c.collect()
    if not one_ack(segs, c):
        return False, "before the window: expected a pure ACK, got " + \
            show(segs)
    return c.alive(), "junk delivered or connection lost"


def bad_checksum(c):
    c.seg("PA", data=b"BADSUM", chksum=0x5a5a)
    segs = c.collect()
    if segs:
        return False, "answered " + show(segs)
    return c.alive(), "junk delivered or connection lost"


def paws(c):
    if not c.ts_ok:
        return False, "timestamps not negotiated"
    c.seg("PA", data=b"STALE", tsval=(c.tsval() - 100000) & 0xffffffff)
    segs = c.collect()
    if not one_ack(segs, c):
        return False, "expected an ACK, got " + show(segs)
    return c.alive(), "stale segment delivered or connection lost"


def opts(c, options, desc):
    m = b"opt-%d" % random.getrandbits(16)
    c.seg("PA", data=m, options=options)
    c.snd = seq_add(c.snd, len(m))
    return echoed(c, m, desc)


def bogus_options(c):
    def ts():  # fresh each time: a stale TSval would be a PAWS drop
        return ("Timestamp", (c.tsval(), c.ts_recent))
    checks = [
        (lambda: [ts(), (254, b"\x01\x02\x03\x04")], "unknown kind 254"),
        (lambda: [("MSS", 100), ("WScale", 14), ("SAckOK", b""), ts()],
         "SYN-only options on a data segment"),
        (lambda: [ts(), ("SAck", (0, 1, 5, 6))],
         "SACK blocks for data never sent"),
        (lambda: [ts(), (254, b"")], "an option of length 2"),
    ]
    for o, desc in checks:
        ok, why = opts(c, o(), desc)
        if not ok:
            return False, why
    # Malformed (length 0; length past the header): parsing stops there,
    # the segment stands, as in Linux (RFC 9293 3.1 only suggests a reset).
    for raw, desc in ((b"\xfe\x00\x00\x00", "option length 0"),
                      (b"\xfe\x28\x00\x00", "option length past the header")):
        tsb = bytes(TCP(options=[("NOP", None), ("NOP", None), ts()]))[20:]
        ok, why = opts_raw(c, tsb + raw, desc)
        if not ok:
            return False, why
    return c.alive(), "connection did not survive"


def opts_raw(c, optbytes, desc):
    """A data segment whose option bytes are exactly optbytes (scapy would
    mend a bad option length)."""
    m = b"raw-%d" % random.getrandbits(16)
    seg = bytearray(bytes(TCP(sport=c.sport, dport=PORT, seq=c.snd,
                              ack=c.rcv, flags="PA", window=65535))[:20])
    seg[12] = (5 + len(optbytes) // 4) << 4
    seg[16:18] = b"\0\0"
    seg += optbytes + m
    if c.v6:
        l3 = IPv6(src=f6, dst=a6, nh=6)
        cs = in6_chksum(6, l3, bytes(seg))
    else:
        l3 = IP(src=f4, dst=a4, proto=6)
        cs = in4_chksum(6, l3, bytes(seg))
    seg[16:18] = cs.to_bytes(2, "big")
    send(Ether(src=FMAC, dst=smac) / l3 / Raw(bytes(seg)))
    c.snd = seq_add(c.snd, len(m))
    return echoed(c, m, desc)


def echoed(c, m, desc):
    got = b""
    segs = c.collect()
    if os.environ.get("CONFORM_DEBUG"):
        print("# " + show(segs), "rcv", c.rcv, "snd", c.snd)
    for s in segs:
        pl = bytes(s.payload)
        if pl and s.seq == c.rcv:
            got += pl
            c.rcv = seq_add(c.rcv, len(pl))
    c.seg("A")
    if got != m:
        return False, "%s: echo %r, expected %r" % (desc, got, m)
    return True, ""


def bad_data_offset(c):
    # data offset 15 words on a 25-byte segment: malformed, dropped unseen
    c.seg("PA", data=b"SHORT", dataofs=15)
    segs = c.collect()
    if segs:
        return False, "answered " + show(segs)
    return c.alive(), "connection did not survive"


def zero_window(c):
    # Advertise a zero window with data to echo: the stack must hold its
    # data, probe with backoff, and send it all once the window opens.
    data = bytes(random.getrandbits(8) for _ in range(3000))
    for i in range(0, len(data), 1000):
        c.seg("PA", seq=seq_add(c.snd, i), data=data[i:i + 1000], win=0)
    c.snd = seq_add(c.snd, len(data))
    probes, leaked = [], []
    end = time.monotonic() + 6.0
    while len(probes) < 4 and time.monotonic() < end:
        try:
            when, t = c.q.get(timeout=0.2)
        except queue.Empty:
            continue
        pl = bytes(t.payload)
        if pl and t.seq == c.rcv:
            leaked.append(t)  # data past a zero window
        elif not pl and t.seq == seq_add(c.rcv, -1):
            probes.append(when)
            c.seg("A", win=0)  # still closed
    if leaked:
        return False, "sent %d data segments into a zero window" % len(leaked)
    if len(probes) < 4:
        return False, "%d zero-window probes in 6 s" % len(probes)
    gaps = [b - a for a, b in zip(probes, probes[1:])]
    if not all(g2 > g1 * 1.4 for g1, g2 in zip(gaps, gaps[1:])):
        return False, "no backoff between probes: %s" % [
            "%.3f" % g for g in gaps]
    c.seg("A", win=65535)  # open the window
    got = b""
    end = time.monotonic() + 4.0
    while len(got) < len(data) and time.monotonic() < end:
        t = c.get(0.5)
        if t is None:
            continue
        pl = bytes(t.payload)
        if pl and t.seq == c.rcv:
            got += pl
            c.rcv = seq_add(c.rcv, len(pl))
            c.seg("A")
    if got != data:
        return False, "after the window opened: %d of %d bytes right" % (
            len(got), len(data))
    return c.alive(), "connection did not survive (probe gaps %s)" % gaps


GROUPS = {
    "rst": [
        ("RST at exactly RCV.NXT resets; a later segment gets RST",
         rst_exact),
        ("RST|ACK at exactly RCV.NXT resets", rst_exact_ack),
        ("RST in window but not at RCV.NXT: challenge ACK, survives",
         rst_in_window),
        ("RST out of window (after and before): dropped silently, survives",
         rst_out_of_window),
        ("SYN in window on an established connection: challenge ACK, "
         "survives", syn_in_window),
        ("SYN out of window: challenge ACK, survives", syn_out_of_window),
        ("ACK for data never sent: ACK back, data dropped, survives",
         ack_unsent),
        ("ACK below SND.UNA - MAX.SND.WND: challenge ACK, data dropped",
         ack_too_old),
        ("data without the ACK flag: dropped, survives", no_ack_flag),
    ],
    "data": [
        ("data out of window (after and before): pure ACK, not delivered",
         data_out_of_window),
        ("bad checksum on an established flow: dropped silently",
         bad_checksum),
        ("PAWS: an old TSval is dropped with an ACK", paws),
        ("bogus and malformed options: ignored, data delivered once",
         bogus_options),
        ("data offset past the segment: dropped silently", bad_data_offset),
        ("peer's zero window: no data, probes with backoff, all data after "
         "it opens", zero_window),
    ],
}

only = os.environ.get("CONFORM_ONLY", "")
for v6 in (False, True):
    for desc, fn in GROUPS[group]:
        if only in fn.__name__:
            case(desc, v6, fn)

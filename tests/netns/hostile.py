#!/usr/bin/python3
"""Hostile and odd packets at the direct stack, from the kernel side.

Usage: hostile.py STACK_V4 STACK_V6 KERNEL_V4 KERNEL_V6 IFACE STACK_MAC
Prints one TAP-style line per probe ("ok - ..." / "not ok - ..."); the .t
numbers them. Frames go out at layer 2 (sendp) so that checksums and
lengths are exactly as forged; answers come back to ordinary kernel
sockets (UDP echo) or are sniffed (ICMP errors, RST).
"""
import socket
import sys

from scapy.all import (Ether, IP, IPv6, UDP, TCP, Raw, IPOption_RR,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, HBHOptUnknown,
                       PadN, ICMPv6ParamProblem, conf, fragment, sendp, srp1)

conf.verb = 0
a4, a6, k4, k6, iface, mac = sys.argv[1:7]


def line(cond, desc):
    print(("ok" if cond else "not ok") + " - " + desc, flush=True)


socks = {}


def sock(fam, port):
    if (fam, port) not in socks:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind(("", port))
        s.settimeout(3.0)
        socks[(fam, port)] = s
    return socks[(fam, port)]


def echo_of(fam, port, frames, timeout=3.0):
    """Send frames, return the echoed payload or None."""
    s = sock(fam, port)
    s.settimeout(timeout)
    sendp(frames, iface=iface)
    try:
        return s.recv(70000)
    except socket.timeout:
        return None


def dropped(fam, port, frames):
    """True if no echo comes back within a second (the expected drop)."""
    return echo_of(fam, port, frames, timeout=1.0) is None


E = Ether(dst=mac)
V4 = E / IP(src=k4, dst=a4)
V6 = E / IPv6(src=k6, dst=a6)
F4, F6 = socket.AF_INET, socket.AF_INET6

# IPv4 ----------------------------------------------------------------
line(echo_of(F4, 40001, V4 / UDP(sport=40001, dport=7) / b"good") == b"good",
     "control: a forged IPv4 UDP datagram is echoed")
line(dropped(F4, 40001, V4 / UDP(sport=40001, dport=7, chksum=0x1234) /
             b"badsum"), "IPv4: bad UDP checksum dropped")
line(dropped(F4, 40001, E / IP(src=k4, dst=a4, chksum=0x1111) /
             UDP(sport=40001, dport=7) / b"x"),
     "IPv4: bad header checksum dropped")
line(dropped(F4, 40001, E / IP(src=k4, dst=a4, len=400) /
             UDP(sport=40001, dport=7) / b"short"),
     "IPv4: total length past the frame dropped")
line(dropped(F4, 40001, E / IP(src=k4, dst=a4, ihl=15) /
             UDP(sport=40001, dport=7) / b"ihl"),
     "IPv4: header length past the datagram dropped")
line(echo_of(F4, 40001, E / IP(src=k4, dst=a4, options=[IPOption_RR()]) /
             UDP(sport=40001, dport=7) / b"opts") == b"opts",
     "IPv4: record-route option skipped, datagram echoed")
data = bytes(range(256)) + bytes(range(56))
frags = fragment(IP(src=k4, dst=a4, id=4242) /
                 UDP(sport=40001, dport=7) / data, fragsize=8)
line(echo_of(F4, 40001, [E / f for f in reversed(frags)]) == data,
     "IPv4: %d eight-byte fragments, reversed, reassembled" % len(frags))
frags = fragment(IP(src=k4, dst=a4, id=4244) /
                 UDP(sport=40001, dport=7) / (data * 2), fragsize=8)
line(dropped(F4, 40001, [E / f for f in frags]),
     "IPv4: %d fragments, past the limit of 64 per datagram, dropped" %
     len(frags))
data = bytes(range(256)) * 2
frags = fragment(IP(src=k4, dst=a4, id=4343) /
                 UDP(sport=40001, dport=7) / data, fragsize=256)
evil = IP(src=k4, dst=a4, id=4343, flags=1, frag=16, proto=17) / (b"E" * 64)
line(dropped(F4, 40001, [E / frags[0], E / evil] +
             [E / f for f in frags[1:]]),
     "IPv4: overlapping fragment drops the datagram")
line(echo_of(F4, 40001, V4 / UDP(sport=40001, dport=7) / b"after") ==
     b"after", "IPv4: still echoing after all that")

# IPv6 ----------------------------------------------------------------
line(echo_of(F6, 40002, V6 / UDP(sport=40002, dport=7) / b"good6") ==
     b"good6", "control: a forged IPv6 UDP datagram is echoed")
pkt = V6 / UDP(sport=40002, dport=7) / b"zero"
pkt[UDP].chksum = 0
line(dropped(F6, 40002, pkt), "IPv6: UDP checksum 0 dropped")
chain = IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 4)])
for _ in range(9):
    chain = chain / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 4)])
line(echo_of(F6, 40002, V6 / chain / UDP(sport=40002, dport=7) / b"ten") ==
     b"ten", "IPv6: 10 destination-option headers walked, echoed")
chain = IPv6ExtHdrDestOpt()
for _ in range(29):
    chain = chain / IPv6ExtHdrDestOpt()
line(dropped(F6, 40002, V6 / chain / UDP(sport=40002, dport=7) / b"30"),
     "IPv6: 30 extension headers dropped")
ans = srp1(V6 / IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x80,
                                                         optdata=b"ab")]) /
           UDP(sport=40002, dport=7) / b"opt", iface=iface, timeout=2)
line(ans is not None and ans.haslayer(ICMPv6ParamProblem) and
     ans[ICMPv6ParamProblem].code == 2 and
     ans[ICMPv6ParamProblem].ptr == 42,
     "IPv6: unknown option 0x80 answered by parameter problem (code 2, "
     "pointer 42)")
payload = bytes(range(256)) * 12
udp6 = UDP(sport=40002, dport=7) / payload
raw6 = bytes(udp6.__class__(bytes(IPv6(src=k6, dst=a6) / udp6)[40:]))
pieces = [raw6[i:i + 1024] for i in range(0, len(raw6), 1024)]
fr = []
for i, p in enumerate(pieces):
    fr.append(V6 / IPv6ExtHdrFragment(id=77, offset=i * 128,
                                      m=int(i < len(pieces) - 1), nh=17) /
              Raw(p))
line(echo_of(F6, 40002, list(reversed(fr))) == payload,
     "IPv6: %d fragments reversed, reassembled" % len(fr))
fr2 = [V6 / IPv6ExtHdrFragment(id=78, offset=0, m=1, nh=17) / Raw(pieces[0]),
       V6 / IPv6ExtHdrFragment(id=78, offset=64, m=1, nh=17) /
       Raw(b"X" * 64)] + [
    V6 / IPv6ExtHdrFragment(id=78, offset=i * 128,
                            m=int(i < len(pieces) - 1), nh=17) / Raw(p)
    for i, p in enumerate(pieces) if i > 0]
line(dropped(F6, 40002, fr2),
     "IPv6: overlapping fragment drops the datagram (RFC 5722)")

# TCP to a closed port with junk options: a RST, never a crash --------
ans = srp1(V4 / TCP(sport=40003, dport=9, flags="S", seq=1000,
                    options=[(254, b"\xff" * 7), ("NOP", None)]),
           iface=iface, timeout=2)
line(ans is not None and ans.haslayer(TCP) and ans[TCP].flags & 0x04 and
     ans[TCP].ack == 1001, "TCP: SYN with bogus options to a closed port "
     "gets RST/ACK 1001")

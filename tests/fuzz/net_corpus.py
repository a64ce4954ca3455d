#!/usr/bin/python3
"""Write the seed corpus of fuzz_net_input (tests/fuzz/corpus/net_input/).

Each seed: a configuration byte (bit 0 DHCP, bit 1 a static IPv6 address,
bit 2 no DAD, bit 3 no SLAAC), then records: kind (even = frame, odd =
tick), a 16-bit length (frame bytes follow) or milliseconds. The stack is
10.0.0.2/24 (gateway .1) and fd00::2/64, MAC 02:00:00:00:00:02.
Needs python3-scapy. Run from the top of the tree.
"""
import os
import struct
from scapy.all import (ARP, Ether, IP, ICMP, UDP, TCP, IPv6, ICMPv6EchoRequest,
                       ICMPv6ND_NS, ICMPv6ND_NA, ICMPv6ND_RA,
                       ICMPv6NDOptPrefixInfo, ICMPv6NDOptSrcLLAddr,
                       ICMPv6NDOptMTU, IPv6ExtHdrFragment,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrRouting, HBHOptUnknown, ICMPv6PacketTooBig,
                       BOOTP, DHCP, fragment, raw)

ME, PEER = "02:00:00:00:00:02", "02:00:00:00:00:01"
OUT = "tests/fuzz/corpus/net_input"


def rec(frame):
    b = raw(frame)
    return struct.pack(">BH", 0, len(b)) + b


def tick(ms):
    return struct.pack(">BH", 1, ms)


def v4(p):
    return Ether(src=PEER, dst=ME) / IP(src="10.0.0.1", dst="10.0.0.2") / p


def v6(p, src="fd00::1", dst="fd00::2", hlim=64):
    return Ether(src=PEER, dst=ME) / IPv6(src=src, dst=dst, hlim=hlim) / p


seeds = {}
arp_req = Ether(src=PEER, dst="ff:ff:ff:ff:ff:ff") / ARP(
    op=1, hwsrc=PEER, psrc="10.0.0.1", pdst="10.0.0.2")
arp_rep = Ether(src=PEER, dst=ME) / ARP(
    op=2, hwsrc=PEER, psrc="10.0.0.1", hwdst=ME, pdst="10.0.0.2")
seeds["arp"] = bytes([4]) + rec(arp_req) + rec(arp_rep)
seeds["ping4"] = bytes([4]) + rec(v4(ICMP() / b"abcdefgh")) + rec(arp_rep)
seeds["ping4_options"] = bytes([4]) + rec(
    Ether(src=PEER, dst=ME) / IP(src="10.0.0.1", dst="10.0.0.2",
                                 options=b"\x94\x04\x00\x00") / ICMP())
big = v4(UDP(sport=1000, dport=7) / (b"x" * 3000))[IP]
frags = fragment(big, fragsize=1000)
seeds["frag4"] = bytes([4]) + b"".join(
    rec(Ether(src=PEER, dst=ME) / f) for f in reversed(frags)) + rec(arp_rep)
seeds["frag4_overlap"] = bytes([4]) + rec(
    Ether(src=PEER, dst=ME) / frags[0]) + rec(
    Ether(src=PEER, dst=ME) / IP(src="10.0.0.1", dst="10.0.0.2", id=big.id,
                                 frag=100, flags=1, proto=17) / (b"y" * 64)) \
    + tick(31000)
seeds["udp4_closed"] = bytes([4]) + rec(v4(UDP(sport=5, dport=9) / b"hi")) \
    + rec(arp_rep)
seeds["tcp4_syn"] = bytes([4]) + rec(v4(TCP(sport=1234, dport=80,
                                            flags="S"))) + rec(arp_rep)
seeds["ping6"] = bytes([6]) + rec(v6(ICMPv6EchoRequest(data=b"hello")))
ns = v6(ICMPv6ND_NS(tgt="fd00::2") / ICMPv6NDOptSrcLLAddr(lladdr=PEER),
        dst="ff02::1:ff00:2", hlim=255)
na = v6(ICMPv6ND_NA(tgt="fd00::1", S=1, O=1), dst="fd00::2", hlim=255)
seeds["ndp"] = bytes([6]) + rec(ns) + rec(na) + tick(40000)
seeds["dad"] = bytes([2]) + tick(300) + rec(
    v6(ICMPv6ND_NA(tgt="fd00::2", O=1), dst="ff02::1", hlim=255)) + tick(3000)
ra = v6(ICMPv6ND_RA(routerlifetime=1800) /
        ICMPv6NDOptSrcLLAddr(lladdr=PEER) / ICMPv6NDOptMTU(mtu=1400) /
        ICMPv6NDOptPrefixInfo(prefix="2001:db8:1::", prefixlen=64,
                              validlifetime=600, preferredlifetime=300),
        src="fe80::1", dst="ff02::1", hlim=255)
seeds["ra_slaac"] = bytes([4]) + rec(ra) + tick(2000) + tick(65000)
seeds["ext_chain"] = bytes([6]) + rec(v6(
    IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / IPv6ExtHdrRouting() /
    IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x80, optdata=b"ab")]) /
    UDP(sport=1, dport=7) / b"x"))
big6 = v6(IPv6ExtHdrFragment(id=7) / UDP(sport=1, dport=7) / (b"z" * 3000))
f6 = fragment6 = None
from scapy.all import fragment6
f6 = fragment6(big6[IPv6], 1280)
seeds["frag6"] = bytes([6]) + b"".join(
    rec(Ether(src=PEER, dst=ME) / f) for f in f6)
seeds["ptb6"] = bytes([6]) + rec(v6(ICMPv6PacketTooBig(mtu=1300) / raw(
    IPv6(src="fd00::2", dst="fd00::9") / UDP(sport=7, dport=9) / b"q")))
dhcp_offer = Ether(src=PEER, dst="ff:ff:ff:ff:ff:ff") / IP(
    src="10.0.0.1", dst="255.255.255.255") / UDP(sport=67, dport=68) / BOOTP(
    op=2, xid=0, yiaddr="10.0.0.5", chaddr=bytes.fromhex("020000000002")) / DHCP(
    options=[("message-type", "offer"), ("server_id", "10.0.0.1"),
             ("subnet_mask", "255.255.255.0"), ("router", "10.0.0.1"),
             ("lease_time", 120), "end"])
seeds["dhcp"] = bytes([1]) + rec(dhcp_offer) + tick(5000)

# Spoofed with our own source: the answers loop back to ourselves.
seeds["self_echo4"] = bytes([4]) + rec(
    Ether(src=PEER, dst=ME) / IP(src="10.0.0.2", dst="10.0.0.2") / ICMP())
seeds["self_udp6"] = bytes([6]) + rec(
    v6(UDP(sport=9, dport=9) / b"x", src="fd00::2"))

os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print(len(seeds), "seeds in", OUT)

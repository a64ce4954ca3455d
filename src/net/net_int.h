/* The direct stack's internal interface between layers (net__ names). */
#ifndef NET_INT_H
#define NET_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mote/core.h>
#include <mote/ipaddr.h>
#include <mote/net.h>
#include <mote/stack.h>

/*
 * IMPLEMENTATION NOTES
 *
 * Files: stack.c (mote_net_new/input/tick, Ethernet II, dispatch, the
 * mote_stack face), arp.c, neigh.c (the neighbour cache of both families),
 * ipv4.c (+ fragmentation), icmp4.c, ipv6.c (extension headers,
 * fragmentation), icmp6.c, ndp.c (NDP, DAD, SLAAC), reass.c (both
 * families), udp.c, dhcp.c, ping.c, pkt.c, cksum.c, config.c (arguments),
 * adapter.c (the fiber over a platform device); tcp*.c the TCP engine and
 * its fiber adapter. The layers below TCP share net_priv.h.
 *
 * Time: mote_net_new, mote_net_input and mote_net_tick set st->now; calls
 * from fibers (UDP sends, pings, TCP) run at the time of the latest of
 * those. Layers read st->now (net__now), never a clock.
 *
 * Packet buffers
 * --------------
 *
 *    buf                off                off+len              cap
 *     |<--- headroom --->|<------ data ------>|<--- tailroom --->|
 *
 * net__pkt_alloc(st, len) returns a packet with NET_PKT_HEADROOM bytes of
 * headroom (room for Ethernet + IPv6 + fragment header + TCP with options)
 * and len bytes of data. Lower layers prepend headers by moving off down
 * (net__pkt_push).
 *
 * THE REFCOUNT RULE: a net_pkt pointer passed to a function is BORROWED for
 * the call. The callee never frees it and keeps nothing after it returns;
 * to keep the packet (a queue, a retransmission list) the keeper takes a
 * reference with net__pkt_ref() and drops it with net__pkt_free(). The
 * creator owns the first reference and drops it with net__pkt_free(). The
 * packet is freed when the last reference goes.
 *
 * Output through net__ip_output() writes headers into the HEADROOM of the
 * payload packet and restores off/len before it returns: the payload bytes
 * themselves are never modified, so a TCP engine may keep a segment for
 * retransmission and send it again. Because the headroom is scratch, a
 * packet MUST NOT be passed to net__ip_output() while it is also being
 * output elsewhere (single-threaded: this cannot happen by accident). When
 * the frame cannot go out at once (neighbour unresolved) or must be
 * fragmented, the IP layer COPIES what it needs; it never keeps the
 * caller's packet.
 *
 * Input is not packets but borrowed byte windows (const uint8_t *, len):
 * the received frame is the platform's buffer and lives for the call.
 */

#define NET_PKT_HEADROOM 128

struct net_pkt {
    uint8_t *buf;
    size_t cap;
    size_t off; /* first data byte */
    size_t len; /* data bytes */
    int refs;
    struct net_pkt *next; /* free for the current reference holder's lists */
    /* Send offloads (TCP only; the headers are ours: IPv4 without options,
     * IPv6 without extension headers). csum_partial: the TCP checksum
     * field holds only the pseudo-header sum, for the device to complete
     * (or net__loop_queue, for ourselves). gso_size: a super-segment the
     * device cuts into gso_size payload pieces; the IP layer skips the MTU
     * check and fragmentation for it. Copies carry both. */
    uint16_t gso_size;
    bool csum_partial;
};

struct mote_net;

/* NULL when out of memory (counted as a NOMEM drop by the caller). */
struct net_pkt *net__pkt_alloc(struct mote_net *st, size_t len);
void net__pkt_ref(struct net_pkt *p);
/* Drop one reference; frees at zero. NULL is ignored. */
void net__pkt_free(struct net_pkt *p);
static inline uint8_t *net__pkt_data(struct net_pkt *p)
{
    return p->buf + p->off;
}
/* Prepend n bytes (n <= p->off) and return a pointer to them. */
uint8_t *net__pkt_push(struct net_pkt *p, size_t n);

/* ---- Checksums (RFC 1071) --------------------------------------------------
 * Ones' complement sums. Accumulate with net__cksum_add (any length, any
 * alignment, odd lengths padded with a zero byte only at the very end: so
 * add pieces of even length except the last), then net__cksum_fold gives
 * the 16-bit checksum to store (big-endian order already applied: store it
 * with the high byte first). Verifying: fold over the whole packet with the
 * checksum field included gives 0.
 */
uint32_t net__cksum_add(uint32_t sum, const void *data, size_t len);
uint16_t net__cksum_fold(uint32_t sum);
/* The IPv4 or IPv6 pseudo-header sum (RFC 793 3.1 / RFC 8200 8.1). */
uint32_t net__cksum_pseudo(const struct mote_ipaddr *src,
                           const struct mote_ipaddr *dst, uint8_t proto,
                           uint32_t len);

/* ---- Byte order helpers ----------------------------------------------------
 */

static inline uint16_t net__get16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}
static inline uint32_t net__get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}
static inline void net__put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void net__put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* ---- What the IP layer offers to TCP (and UDP, ICMP) ------------------------
 */

#define NET_PROTO_ICMP   1
#define NET_PROTO_TCP    6
#define NET_PROTO_UDP    17
#define NET_PROTO_ICMPV6 58

/* Send payload (the transport header and data, checksum already filled in
 * by the caller) to dst from src, as one IP datagram of protocol proto:
 * IPv4 when both are IPv4, IPv6 when both are IPv6. payload is borrowed
 * (see THE REFCOUNT RULE); it MUST have NET_PKT_HEADROOM bytes of headroom
 * (packets from net__pkt_alloc do). IPv4 datagrams larger than the path MTU
 * are fragmented (DF clear) unless proto is TCP (DF set: TCP uses
 * net__ip_mtu). IPv6 likewise fragments non-TCP datagrams.
 * Returns 0 when sent or queued for address resolution. Errors:
 * MOTE_ENETUNREACH no route, MOTE_EHOSTUNREACH the neighbour is known not
 * to answer, MOTE_EADDRNOTAVAIL src is not ours, MOTE_EMSGSIZE larger than
 * 65535 (or than the path MTU for TCP), MOTE_EAGAIN the neighbour queue
 * was full or the device refused the frame (the packet is dropped; treat
 * it as loss), MOTE_ENOMEM, MOTE_EAFNOSUPPORT mixed or unknown family. */
int net__ip_output(struct mote_net *st, uint8_t proto,
                   const struct mote_ipaddr *src, const struct mote_ipaddr *dst,
                   struct net_pkt *payload);

/* Pick the source address for talking to dst (RFC 6724, simplified: same
 * scope first, then a preferred address on dst's prefix, then any global).
 * Errors: MOTE_ENETUNREACH (no route to dst), MOTE_EADDRNOTAVAIL (no usable
 * address of the family yet, e.g. DHCP or DAD still running). */
int net__ip_select_src(struct mote_net *st, const struct mote_ipaddr *dst,
                       struct mote_ipaddr *src);

/* True if a is one of our unicast addresses (usable, not tentative). */
bool net__ip_is_local(const struct mote_net *st, const struct mote_ipaddr *a);

/* The largest IP datagram (IP header included) that reaches dst without
 * fragmentation: the link MTU, lowered by ICMP "fragmentation needed" /
 * "packet too big" (path MTU cache; never below 576 for IPv4 or 1280 for
 * IPv6). */
size_t net__ip_mtu(struct mote_net *st, const struct mote_ipaddr *dst);

/* Bytes of IP header net__ip_output adds for this family (20 or 40). */
size_t net__ip_hdr_len(const struct mote_ipaddr *dst);

/* Feed datagrams we sent to our own addresses back to our input.
 * mote_net_input and mote_net_tick do it before they return, and so do the
 * UDP and ping calls; a fiber-level TCP call that may have sent segments
 * SHOULD call it before returning (never from inside input processing: it
 * is a no-op there, the outer call flushes). */
void net__flush(struct mote_net *st);

/* n random bytes from the config hook. */
void net__random(struct mote_net *st, void *buf, size_t n);
uint32_t net__random_u32(struct mote_net *st);

/* The stack's current time (ns) as set by the latest entry point. */
uint64_t net__now(const struct mote_net *st);

/* Counters, for layers that count. */
struct mote_stack_stats *net__stats(struct mote_net *st);

/* Where the TCP engine keeps its state (NULL until net__tcp_init sets it).
 * Owned by tcp*.c. */
void **net__tcp_state(struct mote_net *st);

/* ---- What TCP implements (tcp*.c; tcp_flow.c adapts it to fibers) ----- */

/* Called from mote_net_new() after the IP layers are up; may allocate the
 * engine's state into *net__tcp_state(st). Errors: MOTE_ENOMEM. */
int net__tcp_init(struct mote_net *st);
/* Called from mote_net_free(); frees everything the engine holds. */
void net__tcp_release(struct mote_net *st);

/* One TCP segment addressed to us: src is the peer, dst our address
 * (both the same family, zones empty). seg..seg+len is the TCP header and
 * data, borrowed for the call; the IP layer has ALREADY VERIFIED the TCP
 * checksum (bad ones are dropped and counted before this call) and that
 * len >= 20. Replies go out through net__ip_output. */
void net__tcp_input(struct mote_net *st, const struct mote_ipaddr *src,
                    const struct mote_ipaddr *dst, const uint8_t *seg,
                    size_t len);

/* An ICMP or ICMPv6 error about a segment we sent. local/remote are the
 * quoted datagram's source (ours) and destination; seg..seg+len is the
 * quoted start of the TCP header (len >= 8: ports and sequence number;
 * often no more). err: MOTE_EMSGSIZE with mtu = the next-hop MTU (path MTU
 * already recorded by the IP layer), MOTE_ECONNREFUSED (port or protocol
 * unreachable), MOTE_EHOSTUNREACH / MOTE_ENETUNREACH (other unreachables,
 * soft errors per RFC 1122 4.2.3.9), mtu 0 then. */
void net__tcp_icmp_error(struct mote_net *st, int err,
                         const struct mote_ipaddr *local,
                         const struct mote_ipaddr *remote, const uint8_t *seg,
                         size_t len, uint32_t mtu);

/* Run the engine's timers at net__now(st); and the earliest time it needs
 * to run again (MOTE_FOREVER for none). */
void net__tcp_tick(struct mote_net *st);
uint64_t net__tcp_deadline(const struct mote_net *st);

/* The mote_stack TCP operations (see <mote/stack.h> for contracts). Called
 * on fibers; s is mote_net_stack(st). */
int net__tcp_listen(struct mote_net *st, const struct mote_endpoint *local,
                    int backlog, struct mote_listener **out);
int net__tcp_connect(struct mote_net *st, const struct mote_endpoint *remote,
                     uint64_t deadline, struct mote_flow **out);

/* The layers below TCP share more (struct mote_net itself, the neighbour
 * cache, UDP) through net_priv.h; TCP needs none of it. */

#endif

/* IPv4 (RFC 791, RFC 1122 3.2): header checks, delivery, fragmentation. */
#include <string.h>

#include <mote/error.h>

#include "net_priv.h"

/*
 * Header (RFC 791 section 3.1), 20 bytes plus options:
 *
 *   OFF SIZE MEANING
 *     0    1 version (4) << 4 | IHL (header length in 32-bit words, >= 5)
 *     1    1 DSCP/ECN (ignored)
 *     2    2 total length (header + payload)
 *     4    2 identification
 *     6    2 flags (0x4000 DF, 0x2000 MF) | fragment offset in 8 bytes
 *     8    1 TTL             9  1 protocol
 *    10    2 header checksum
 *    12    4 source          16  4 destination
 *    20  ... options (skipped: never interpreted, only bounded by IHL)
 */

#define IP4_HLEN 20
#define IP_DF    0x4000
#define IP_MF    0x2000
#define IP_OFF   0x1fff

static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

bool net__ipv4_is_bcast(const struct mote_net *st, const struct mote_ipaddr *a)
{
    uint32_t v = mote_ipaddr_v4_u32(a);
    if (v == 0xffffffffu)
        return true;
    if (st->v4.addr.family != MOTE_IP_V4 || st->v4.len >= 31)
        return false;
    struct mote_ipaddr last = mote_ipprefix_last(&st->v4);
    return mote_ipaddr_v4_u32(&last) == v;
}

static bool dhcp_waiting(const struct mote_net *st)
{
    return st->dhcp.state != NET_DHCP_OFF && st->dhcp.state != NET_DHCP_BOUND &&
           st->dhcp.state != NET_DHCP_RENEWING &&
           st->dhcp.state != NET_DHCP_REBINDING;
}

static void deliver(struct mote_net *st, uint8_t proto,
                    const struct mote_ipaddr *src,
                    const struct mote_ipaddr *dst, const uint8_t *payload,
                    size_t plen, const uint8_t *p, size_t total,
                    bool multicast);

void net__ipv4_input(struct mote_net *st, const uint8_t *p, size_t len,
                     bool link_bcast)
{
    if (len < IP4_HLEN) {
        st->stats.drops[MOTE_NET_DROP_SHORT]++;
        return;
    }
    size_t hlen = (size_t)(p[0] & 0x0f) * 4;
    if ((p[0] >> 4) != 4 || hlen < IP4_HLEN) {
        st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
        return;
    }
    size_t total = net__get16(p + 2);
    if (hlen > len || total > len) {
        st->stats.drops[MOTE_NET_DROP_SHORT]++;
        return;
    }
    if (total < hlen) {
        st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
        return;
    }
    if (net__cksum_fold(net__cksum_add(0, p, hlen)) != 0) {
        st->stats.drops[MOTE_NET_DROP_CHECKSUM]++;
        return;
    }
    st->stats.ipv4_rx++;
    len = total; /* Ethernet pads short frames: the IP length rules */
    struct mote_ipaddr src = mote_ipaddr_from_v4_bytes(p + 12);
    struct mote_ipaddr dst = mote_ipaddr_from_v4_bytes(p + 16);
    uint8_t proto = p[9];

    /* RFC 1122 3.2.1.3: a source that is broadcast or multicast is
     * discarded. */
    uint32_t s = mote_ipaddr_v4_u32(&src);
    if ((s >> 28) == 0xe || net__ipv4_is_bcast(st, &src)) {
        st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
        return;
    }
    bool bcast = net__ipv4_is_bcast(st, &dst);
    bool ours = st->v4.addr.family == MOTE_IP_V4 &&
                memcmp(p + 16, st->v4.addr.bytes, 4) == 0;
    /* While DHCP has no lease, a server may unicast the OFFER/ACK to the
     * address it offers (RFC 2131 4.1): accept UDP then, DHCP filters. */
    bool dhcp_any = dhcp_waiting(st) && proto == NET_PROTO_UDP;
    if (!ours && !bcast && !dhcp_any) {
        st->stats.drops[MOTE_NET_DROP_NOT_FOR_US]++;
        return;
    }
    /* A unicast IP datagram in a link broadcast frame is suspicious (RFC
     * 1122 3.3.6): drop it rather than answer to the whole link. */
    bool multicast = bcast || link_bcast;

    uint16_t frag = net__get16(p + 6);
    if (frag & (IP_MF | IP_OFF)) {
        if (!ours) {
            st->stats.drops[MOTE_NET_DROP_REASS]++;
            return;
        }
        /* The device vouched for this frame's checksum, not for the
         * datagram's other fragments. */
        st->rx_csum_ok = false;
        struct net_pkt *whole =
            net__reass_add(st, MOTE_IP_V4, &src, &dst, net__get16(p + 4), proto,
                           (uint32_t)(frag & IP_OFF) * 8, (frag & IP_MF) != 0,
                           p + hlen, total - hlen, p, total);
        if (!whole)
            return;
        if (whole->len > 0xffff - IP4_HLEN) {
            /* Offsets let fragments describe up to 65535 payload bytes,
             * but a datagram's total length stops at 65535 (the "ping of
             * death" shape): refuse it. */
            st->stats.drops[MOTE_NET_DROP_REASS]++;
            net__pkt_free(whole);
            return;
        }
        /* Rebuild a contiguous datagram with our own header in front so
         * ICMP quotes and the upper layers see one packet. */
        uint8_t *h = net__pkt_push(whole, IP4_HLEN);
        memcpy(h, p, IP4_HLEN);
        h[0] = 0x45;
        net__put16(h + 2, (uint16_t)whole->len);
        net__put16(h + 6, 0);
        const uint8_t *d = net__pkt_data(whole);
        deliver(st, proto, &src, &dst, d + IP4_HLEN, whole->len - IP4_HLEN, d,
                whole->len, multicast);
        net__pkt_free(whole);
        return;
    }
    deliver(st, proto, &src, &dst, p + hlen, total - hlen, p, total, multicast);
}

static void deliver(struct mote_net *st, uint8_t proto,
                    const struct mote_ipaddr *src,
                    const struct mote_ipaddr *dst, const uint8_t *payload,
                    size_t plen, const uint8_t *p, size_t total, bool multicast)
{
    switch (proto) {
    case NET_PROTO_ICMP:
        if (multicast) { /* no broadcast ping answers (Linux's default) */
            st->stats.drops[MOTE_NET_DROP_NOT_FOR_US]++;
            return;
        }
        net__icmp4_input(st, src, dst, payload, plen);
        return;
    case NET_PROTO_UDP:
    case NET_PROTO_TCP:
        net__l4_input(st, proto, src, dst, payload, plen, p, total, multicast);
        return;
    default:
        st->stats.drops[MOTE_NET_DROP_PROTO]++;
        /* RFC 1122 3.2.2.1: protocol unreachable, to unicast only. */
        if (!multicast)
            net__icmp4_error(st, 3, 2, 0, p, total);
        return;
    }
}

/* Build the header in front of p's data and send the result to nh. */
static int send_one(struct mote_net *st, const struct mote_ipaddr *nh,
                    bool bcast, struct net_pkt *p, uint8_t proto,
                    const struct mote_ipaddr *src,
                    const struct mote_ipaddr *dst, uint16_t id, uint16_t frag)
{
    uint8_t *h = net__pkt_push(p, IP4_HLEN);
    if (!h)
        return MOTE_EINTERNAL;
    h[0] = 0x45;
    h[1] = 0;
    net__put16(h + 2, (uint16_t)p->len);
    net__put16(h + 4, id);
    net__put16(h + 6, frag);
    h[8] = 64; /* RFC 1700's recommended default TTL, as Linux */
    h[9] = proto;
    net__put16(h + 10, 0);
    memcpy(h + 12, src->bytes, 4);
    memcpy(h + 16, dst->bytes, 4);
    net__put16(h + 10, net__cksum_fold(net__cksum_add(0, h, IP4_HLEN)));
    st->stats.ipv4_tx++;
    int err;
    if (!nh && !bcast)
        err = net__loop_queue(st, p); /* nh NULL: to ourselves */
    else if (bcast)
        err = net__eth_output(st, bcast_mac, 0x0800, p);
    else
        err = net__neigh_output(st, nh, 0x0800, p);
    p->off += IP4_HLEN;
    p->len -= IP4_HLEN;
    return err;
}

int net__ipv4_output(struct mote_net *st, uint8_t proto,
                     const struct mote_ipaddr *src,
                     const struct mote_ipaddr *dst, struct net_pkt *payload,
                     bool df)
{
    bool unspec_src = mote_ipaddr_v4_u32(src) == 0;
    /* Only DHCP may send from 0.0.0.0 (RFC 1122 3.2.1.3 (a)). */
    if (!unspec_src && !net__ip_is_local(st, src)) {
        st->stats.drops[MOTE_NET_DROP_NO_ROUTE]++;
        return MOTE_EADDRNOTAVAIL;
    }
    bool bcast = net__ipv4_is_bcast(st, dst);
    bool loop = false;
    struct mote_ipaddr nh = *dst;
    if (!bcast) {
        if (st->v4.addr.family != MOTE_IP_V4) {
            st->stats.drops[MOTE_NET_DROP_NO_ROUTE]++;
            return MOTE_ENETUNREACH;
        }
        if (mote_ipaddr_equal(dst, &st->v4.addr))
            loop = true; /* to ourselves: no fragments, no neighbour */
        else if (!mote_ipprefix_contains(&st->v4, dst)) {
            if (st->v4_gw.family != MOTE_IP_V4) {
                st->stats.drops[MOTE_NET_DROP_NO_ROUTE]++;
                return MOTE_ENETUNREACH;
            }
            nh = st->v4_gw;
        }
    }
    if (payload->len + IP4_HLEN > 0xffff)
        return MOTE_EMSGSIZE;
    size_t mtu = loop ? 0xffff : net__ip_mtu(st, dst);
    uint16_t id = st->ip_id++;
    /* A super-segment is cut by the device into pieces that fit. */
    if (payload->len + IP4_HLEN <= mtu || payload->gso_size)
        return send_one(st, loop ? NULL : &nh, bcast, payload, proto, src, dst,
                        id, df ? IP_DF : 0);
    if (df)
        return MOTE_EMSGSIZE;

    /* Fragment (RFC 791 section 2.3): every piece but the last carries a
     * multiple of 8 payload bytes. Each piece is a fresh packet. */
    size_t chunk = (mtu - IP4_HLEN) & ~(size_t)7;
    const uint8_t *data = net__pkt_data(payload);
    for (size_t off = 0; off < payload->len; off += chunk) {
        size_t n = net__min(chunk, payload->len - off);
        struct net_pkt *f = net__pkt_alloc(st, n);
        if (!f) {
            st->stats.drops[MOTE_NET_DROP_NOMEM]++;
            return MOTE_ENOMEM;
        }
        memcpy(net__pkt_data(f), data + off, n);
        bool more = off + n < payload->len;
        uint16_t fo = (uint16_t)((off / 8) | (more ? IP_MF : 0));
        int err = send_one(st, &nh, bcast, f, proto, src, dst, id, fo);
        net__pkt_free(f);
        st->stats.frag_tx++;
        if (err)
            return err;
    }
    return 0;
}

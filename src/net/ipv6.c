/* IPv6 (RFC 8200): addresses, header checks, extension headers, output. */
#include <string.h>

#include <mote/error.h>

#include "net_priv.h"

/*
 * Header (RFC 8200 section 3), 40 bytes:
 *
 *   OFF SIZE MEANING
 *     0    4 version (6) << 28 | traffic class << 20 | flow label
 *     4    2 payload length (everything after these 40 bytes)
 *     6    1 next header     7  1 hop limit
 *     8   16 source          24 16 destination
 *
 * Extension headers walked on input (section 4): hop-by-hop (0, first
 * only), destination options (60), routing (43), fragment (44), no next
 * header (59). At most NET_EXT_MAX headers are walked; a longer chain is
 * dropped (RFC 7045 lets a host set such a limit). Options (section 4.2):
 * Pad1 and PadN are skipped, unknown ones obey the two high bits of their
 * type.
 */

#define IP6_HLEN    40
#define NET_EXT_MAX 16

#define NH_HOPOPT   0
#define NH_ROUTING  43
#define NH_FRAGMENT 44
#define NH_NONE     59
#define NH_DSTOPTS  60

static bool is_unspec(const struct mote_ipaddr *a)
{
    static const uint8_t zero[16];
    return memcmp(a->bytes, zero, 16) == 0;
}

static bool same(const struct mote_ipaddr *a, const struct mote_ipaddr *b)
{
    return memcmp(a->bytes, b->bytes, 16) == 0;
}

/* ---- Our addresses ----------------------------------------------------------
 */

int net__ipv6_addr_state(const struct mote_net *st, const struct mote_ipaddr *a)
{
    if (a->family != MOTE_IP_V6)
        return NET_ADDR_FREE;
    for (size_t i = 0; i < NET_ADDR6_MAX; i++)
        if (st->addr6[i].state != NET_ADDR_FREE &&
            same(&st->addr6[i].p.addr, a))
            return st->addr6[i].state;
    return NET_ADDR_FREE;
}

int net__ipv6_add_addr(struct mote_net *st, const struct mote_ipprefix *p,
                       bool slaac, uint64_t preferred, uint64_t valid)
{
    struct net_addr6 *slot = NULL;
    for (size_t i = 0; i < NET_ADDR6_MAX; i++) {
        if (st->addr6[i].state != NET_ADDR_FREE &&
            same(&st->addr6[i].p.addr, &p->addr))
            return MOTE_EADDRINUSE;
        if (!slot && st->addr6[i].state == NET_ADDR_FREE)
            slot = &st->addr6[i];
    }
    if (!slot)
        return MOTE_ENOSPC;
    memset(slot, 0, sizeof(*slot));
    slot->p = *p;
    slot->p.addr.zone[0] = 0;
    slot->slaac = slaac;
    slot->preferred_until = preferred;
    slot->valid_until = valid;
    if (st->cfg.no_dad) {
        slot->state = NET_ADDR_PREFERRED;
    } else {
        /* RFC 4862 5.4: tentative until DupAddrDetectTransmits (1) NS went
         * unanswered for RetransTimer; first NS after a random delay of
         * up to MAX_RTR_SOLICITATION_DELAY (1 s, 5.4.2). */
        slot->state = NET_ADDR_TENTATIVE;
        slot->dad_left = 1;
        slot->dad_next =
            st->now + net__random_u32(st) % (MOTE_NS_PER_SEC / 1000) * 1000;
    }
    return 0;
}

bool net__ipv6_on_link(const struct mote_net *st, const struct mote_ipaddr *a)
{
    if (mote_ipaddr_is_link_local(a) || mote_ipaddr_is_multicast(a))
        return true;
    for (size_t i = 0; i < NET_PREFIX6_MAX; i++)
        if (st->prefix6[i].valid_until > st->now &&
            mote_ipprefix_contains(&st->prefix6[i].p, a))
            return true;
    /* Statically configured prefixes are on-link (as `ip addr add` makes
     * them); SLAAC ones only through an RA's L flag (RFC 4861 6.3.4). */
    for (size_t i = 0; i < NET_ADDR6_MAX; i++)
        if (st->addr6[i].state != NET_ADDR_FREE && !st->addr6[i].slaac &&
            !mote_ipaddr_is_link_local(&st->addr6[i].p.addr) &&
            mote_ipprefix_contains(&st->addr6[i].p, a))
            return true;
    return false;
}

static const struct mote_ipaddr *default_router(const struct mote_net *st)
{
    if (st->v6_gw.family == MOTE_IP_V6)
        return &st->v6_gw;
    for (size_t i = 0; i < NET_ROUTER6_MAX; i++)
        if (st->router6[i].until > st->now)
            return &st->router6[i].addr;
    return NULL;
}

int net__ipv6_select_src(struct mote_net *st, const struct mote_ipaddr *dst,
                         struct mote_ipaddr *src)
{
    bool want_ll =
        mote_ipaddr_is_link_local(dst) || mote_ipaddr_is_multicast(dst);
    if (!want_ll && !net__ipv6_on_link(st, dst) && !default_router(st))
        return MOTE_ENETUNREACH;
    /* RFC 6724 section 5, the rules that matter on one link: prefer the
     * same scope (2), non-deprecated (3), longest matching prefix (8). */
    const struct net_addr6 *best = NULL;
    int best_score = -1;
    for (size_t i = 0; i < NET_ADDR6_MAX; i++) {
        const struct net_addr6 *a = &st->addr6[i];
        if (a->state != NET_ADDR_PREFERRED && a->state != NET_ADDR_DEPRECATED)
            continue;
        bool ll = mote_ipaddr_is_link_local(&a->p.addr);
        int score = 0;
        if (ll == want_ll)
            score += 4;
        if (a->state == NET_ADDR_PREFERRED)
            score += 2;
        if (mote_ipprefix_contains(&a->p, dst))
            score += 1;
        if (score > best_score) {
            best = a;
            best_score = score;
        }
    }
    if (!best)
        return MOTE_EADDRNOTAVAIL;
    *src = best->p.addr;
    return 0;
}

/* ---- Input ------------------------------------------------------------------
 */

static bool dst_is_ours(const struct mote_net *st,
                        const struct mote_ipaddr *dst, bool *multicast)
{
    *multicast = mote_ipaddr_is_multicast(dst);
    if (!*multicast) {
        int s = net__ipv6_addr_state(st, dst);
        return s == NET_ADDR_PREFERRED || s == NET_ADDR_DEPRECATED;
    }
    /* ff02::1 all-nodes (and ff01::1), or the solicited-node group of one
     * of our addresses, tentative ones included (RFC 4862 5.4.2). */
    static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
    if (memcmp(dst->bytes, all_nodes, 16) == 0)
        return true;
    for (size_t i = 0; i < NET_ADDR6_MAX; i++) {
        if (st->addr6[i].state == NET_ADDR_FREE)
            continue;
        struct mote_ipaddr sn =
            mote_ipaddr_solicited_node(&st->addr6[i].p.addr);
        if (same(&sn, dst))
            return true;
    }
    return false;
}

/* Walk the options of a hop-by-hop or destination options header at
 * p[off..off+hl). Returns 0 to go on, -1 to drop silently, or the offset of
 * the offending option (> 0) for a parameter problem (code 2). */
static long walk_options(const uint8_t *p, size_t off, size_t hl,
                         bool multicast, bool *icmp)
{
    size_t i = off + 2, end = off + hl;
    *icmp = false;
    while (i < end) {
        uint8_t t = p[i];
        if (t == 0) { /* Pad1 */
            i++;
            continue;
        }
        if (i + 2 > end || i + 2 + p[i + 1] > end)
            return -1;
        if (t != 1) { /* not PadN: we know no other option */
            switch (t >> 6) {
            case 0:
                break;
            case 1:
                return -1;
            case 2:
                *icmp = true;
                return (long)i;
            default:
                *icmp = !multicast;
                return (long)i;
            }
        }
        i += 2 + (size_t)p[i + 1];
    }
    return 0;
}

static void param_problem(struct mote_net *st, uint8_t code, size_t ptr,
                          const uint8_t *p, size_t len)
{
    st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
    net__icmp6_error(st, 4, code, (uint32_t)ptr, p, len);
}

void net__ipv6_input(struct mote_net *st, const uint8_t *p, size_t len)
{
    if (len < IP6_HLEN) {
        st->stats.drops[MOTE_NET_DROP_SHORT]++;
        return;
    }
    if ((p[0] >> 4) != 6) {
        st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
        return;
    }
    size_t plen = net__get16(p + 4);
    if (plen == 0 && p[6] == NH_HOPOPT) {
        /* A jumbogram (RFC 2675): not on Ethernet. */
        st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
        return;
    }
    if (IP6_HLEN + plen > len) {
        st->stats.drops[MOTE_NET_DROP_SHORT]++;
        return;
    }
    len = IP6_HLEN + plen;
    st->stats.ipv6_rx++;
    struct mote_ipaddr src = mote_ipaddr_from_v6_bytes(p + 8);
    struct mote_ipaddr dst = mote_ipaddr_from_v6_bytes(p + 24);
    uint8_t hop_limit = p[7];
    if (mote_ipaddr_is_multicast(&src)) { /* RFC 4291 2.7 */
        st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
        return;
    }
    bool multicast;
    if (!dst_is_ours(st, &dst, &multicast)) {
        st->stats.drops[MOTE_NET_DROP_NOT_FOR_US]++;
        return;
    }

    uint8_t nh = p[6];
    size_t nh_at = 6; /* where the current next-header value sits */
    size_t off = IP6_HLEN;
    for (int n = 0;; n++) {
        if (n > NET_EXT_MAX) {
            st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
            return;
        }
        switch (nh) {
        case NH_HOPOPT:
        case NH_DSTOPTS:
        case NH_ROUTING: {
            if (nh == NH_HOPOPT && off != IP6_HLEN) {
                /* RFC 8200 4.1: only right after the IPv6 header. */
                param_problem(st, 1, nh_at, p, len);
                return;
            }
            if (off + 8 > len) {
                st->stats.drops[MOTE_NET_DROP_SHORT]++;
                return;
            }
            size_t hl = ((size_t)p[off + 1] + 1) * 8;
            if (off + hl > len) {
                st->stats.drops[MOTE_NET_DROP_SHORT]++;
                return;
            }
            if (nh == NH_ROUTING) {
                /* We know no routing type; segments left 0 means ignore
                 * it, anything else is a parameter problem at the type
                 * (RFC 8200 4.4; type 0 is deprecated by RFC 5095). */
                if (p[off + 3] != 0) {
                    if (multicast) {
                        st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
                        return;
                    }
                    param_problem(st, 0, off + 2, p, len);
                    return;
                }
            } else {
                bool icmp;
                long r = walk_options(p, off, hl, multicast, &icmp);
                if (r < 0) {
                    st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
                    return;
                }
                if (r > 0) {
                    if (icmp)
                        param_problem(st, 2, (size_t)r, p, len);
                    else
                        st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
                    return;
                }
            }
            nh = p[off];
            nh_at = off;
            off += hl;
            continue;
        }
        case NH_FRAGMENT: {
            if (off + 8 > len) {
                st->stats.drops[MOTE_NET_DROP_SHORT]++;
                return;
            }
            uint16_t fo = net__get16(p + off + 2);
            uint32_t id = net__get32(p + off + 4);
            uint8_t inner = p[off];
            bool more = fo & 1;
            uint32_t foff = fo & 0xfff8;
            if (foff == 0 && !more) {
                /* Atomic fragment (RFC 6946): process it as is. */
                nh = inner;
                nh_at = off;
                off += 8;
                continue;
            }
            if (multicast) {
                st->stats.drops[MOTE_NET_DROP_REASS]++;
                return;
            }
            if (more && (len - off - 8) % 8) {
                /* RFC 8200 4.5: parameter problem at payload length. */
                param_problem(st, 0, 4, p, len);
                return;
            }
            st->rx_csum_ok = false; /* vouched for this fragment only */
            struct net_pkt *whole =
                net__reass_add(st, MOTE_IP_V6, &src, &dst, id, inner, foff,
                               more, p + off + 8, len - off - 8, p, len);
            if (!whole)
                return;
            if (whole->len > 0xffff - IP6_HLEN) {
                /* The first fragment's offset makes the reassembled packet
                 * too long once headers are counted. */
                st->stats.drops[MOTE_NET_DROP_REASS]++;
                net__pkt_free(whole);
                return;
            }
            /* Rebuild a plain datagram: the header with next header set
             * to the fragment's, then the payload; and walk it anew (the
             * headers before the fragment header were already checked). */
            uint8_t *h = net__pkt_push(whole, IP6_HLEN);
            memcpy(h, p, IP6_HLEN);
            net__put16(h + 4, (uint16_t)(whole->len - IP6_HLEN));
            h[6] = inner;
            net__ipv6_input(st, h, whole->len);
            net__pkt_free(whole);
            return;
        }
        case NH_NONE:
            return;
        case NET_PROTO_ICMPV6:
            net__icmp6_input(st, &src, &dst, hop_limit, p + off, len - off);
            /* The quote for errors is the whole datagram: ICMPv6 errors
             * are generated inside from p/len where needed. */
            return;
        case NET_PROTO_UDP:
        case NET_PROTO_TCP:
            net__l4_input(st, nh, &src, &dst, p + off, len - off, p, len,
                          multicast);
            return;
        default:
            st->stats.drops[MOTE_NET_DROP_PROTO]++;
            if (!multicast)
                param_problem(st, 1, nh_at, p, len);
            return;
        }
    }
}

/* ---- Output -----------------------------------------------------------------
 */

static int send_one(struct mote_net *st, const struct mote_ipaddr *nh,
                    struct net_pkt *p, uint8_t proto,
                    const struct mote_ipaddr *src,
                    const struct mote_ipaddr *dst, uint8_t hop_limit)
{
    uint8_t *h = net__pkt_push(p, IP6_HLEN);
    if (!h)
        return MOTE_EINTERNAL;
    net__put32(h, 6u << 28);
    net__put16(h + 4, (uint16_t)(p->len - IP6_HLEN));
    h[6] = proto;
    h[7] = hop_limit;
    memcpy(h + 8, src->bytes, 16);
    memcpy(h + 24, dst->bytes, 16);
    st->stats.ipv6_tx++;
    int err;
    if (!nh) {
        err = net__loop_queue(st, p); /* nh NULL: to ourselves */
    } else if (mote_ipaddr_is_multicast(dst)) {
        struct mote_macaddr m = mote_macaddr_of_multicast(dst);
        err = net__eth_output(st, m.bytes, 0x86dd, p);
    } else {
        err = net__neigh_output(st, nh, 0x86dd, p);
    }
    p->off += IP6_HLEN;
    p->len -= IP6_HLEN;
    return err;
}

int net__ipv6_output(struct mote_net *st, uint8_t proto,
                     const struct mote_ipaddr *src,
                     const struct mote_ipaddr *dst, struct net_pkt *payload,
                     uint8_t hop_limit)
{
    if (!hop_limit)
        hop_limit = st->hop_limit;
    /* The unspecified source is for DAD and RS only (RFC 4862 5.4.2). */
    if (is_unspec(src) ? proto != NET_PROTO_ICMPV6
                       : !net__ip_is_local(st, src)) {
        st->stats.drops[MOTE_NET_DROP_NO_ROUTE]++;
        return MOTE_EADDRNOTAVAIL;
    }
    struct mote_ipaddr nh = *dst;
    nh.zone[0] = 0;
    bool loop = false;
    if (!mote_ipaddr_is_multicast(dst)) {
        int as = net__ipv6_addr_state(st, dst);
        if (as == NET_ADDR_PREFERRED || as == NET_ADDR_DEPRECATED) {
            loop = true; /* to ourselves: no fragments, no neighbour */
        } else if (as != NET_ADDR_FREE) {
            st->stats.drops[MOTE_NET_DROP_NO_ROUTE]++;
            return MOTE_EADDRNOTAVAIL; /* still tentative */
        } else if (!net__ipv6_on_link(st, dst)) {
            const struct mote_ipaddr *r = default_router(st);
            if (!r) {
                st->stats.drops[MOTE_NET_DROP_NO_ROUTE]++;
                return MOTE_ENETUNREACH;
            }
            nh = *r;
        }
    }
    if (payload->len > 0xffff)
        return MOTE_EMSGSIZE;
    size_t mtu = loop ? 0xffff + IP6_HLEN : net__ip_mtu(st, dst);
    /* A super-segment is cut by the device into pieces that fit. */
    if (payload->len + IP6_HLEN <= mtu || payload->gso_size)
        return send_one(st, loop ? NULL : &nh, payload, proto, src, dst,
                        hop_limit);
    if (proto == NET_PROTO_TCP)
        return MOTE_EMSGSIZE;

    /* Fragment at the source (RFC 8200 4.5). */
    uint32_t id = net__random_u32(st); /* RFC 7739: unpredictable */
    size_t chunk = (mtu - IP6_HLEN - 8) & ~(size_t)7;
    const uint8_t *data = net__pkt_data(payload);
    for (size_t off = 0; off < payload->len; off += chunk) {
        size_t n = net__min(chunk, payload->len - off);
        struct net_pkt *f = net__pkt_alloc(st, 8 + n);
        if (!f) {
            st->stats.drops[MOTE_NET_DROP_NOMEM]++;
            return MOTE_ENOMEM;
        }
        uint8_t *fh = net__pkt_data(f);
        bool more = off + n < payload->len;
        fh[0] = proto;
        fh[1] = 0;
        net__put16(fh + 2, (uint16_t)(off | (more ? 1 : 0)));
        net__put32(fh + 4, id);
        memcpy(fh + 8, data + off, n);
        int err = send_one(st, &nh, f, NH_FRAGMENT, src, dst, hop_limit);
        net__pkt_free(f);
        st->stats.frag_tx++;
        if (err)
            return err;
    }
    return 0;
}

/* Fragment reassembly for IPv4 and IPv6, bounded in time and memory. */
#include <stdlib.h>
#include <string.h>

#include "net_priv.h"

/* See net_priv.h IMPLEMENTATION NOTES for the rules. A datagram is at most
 * 65535 bytes of payload (IPv4 total length, IPv6 payload length). */
#define REASS_MAX_PAYLOAD 65535u

static void slot_free(struct mote_net *st, struct net_reass *r)
{
    st->reass_mem -= r->cap;
    free(r->buf);
    memset(r, 0, sizeof(*r));
}

static bool same(const struct mote_ipaddr *a, const struct mote_ipaddr *b)
{
    return memcmp(a->bytes, b->bytes, 16) == 0;
}

static struct net_reass *lookup(struct mote_net *st, uint8_t family,
                                const struct mote_ipaddr *src,
                                const struct mote_ipaddr *dst, uint32_t id,
                                uint8_t proto)
{
    struct net_reass *free_slot = NULL, *oldest = NULL;
    for (size_t i = 0; i < NET_REASS_MAX; i++) {
        struct net_reass *r = &st->reass[i];
        if (!r->used) {
            if (!free_slot)
                free_slot = r;
            continue;
        }
        if (r->family == family && r->id == id && r->proto == proto &&
            same(&r->src, src) && same(&r->dst, dst))
            return r;
        if (!oldest || r->expires < oldest->expires)
            oldest = r;
    }
    if (!free_slot) {
        /* Table full: the oldest partial datagram makes room (it is the
         * likeliest to be lost anyway). */
        st->stats.drops[MOTE_NET_DROP_REASS]++;
        slot_free(st, oldest);
        free_slot = oldest;
    }
    struct net_reass *r = free_slot;
    r->used = true;
    r->family = family;
    r->proto = proto;
    r->src = *src;
    r->dst = *dst;
    r->id = id;
    r->expires = st->now + (st->cfg.reass_timeout  ? st->cfg.reass_timeout
                            : family == MOTE_IP_V6 ? 60 * MOTE_NS_PER_SEC
                                                   : 30 * MOTE_NS_PER_SEC);
    return r;
}

static void fail(struct mote_net *st, struct net_reass *r)
{
    st->stats.drops[MOTE_NET_DROP_REASS]++;
    slot_free(st, r);
}

struct net_pkt *net__reass_add(struct mote_net *st, uint8_t family,
                               const struct mote_ipaddr *src,
                               const struct mote_ipaddr *dst, uint32_t id,
                               uint8_t proto, uint32_t off, bool more,
                               const uint8_t *data, size_t len,
                               const uint8_t *ip, size_t ip_len)
{
    uint32_t end = off + (uint32_t)len;
    /* Every fragment but the last carries a multiple of 8 bytes (RFC 791
     * 2.3, RFC 8200 4.5); a datagram never passes 65535 bytes. */
    if ((more && (len == 0 || len % 8)) || end > REASS_MAX_PAYLOAD ||
        len > REASS_MAX_PAYLOAD) {
        st->stats.drops[MOTE_NET_DROP_REASS]++;
        return NULL;
    }
    struct net_reass *r = lookup(st, family, src, dst, id, proto);
    if (r->have_last && (end > r->total || (!more && end != r->total))) {
        fail(st, r);
        return NULL;
    }
    if (!more) {
        for (size_t i = 0; i < r->nranges; i++)
            if (r->ranges[i].end > end) {
                fail(st, r);
                return NULL;
            }
        r->have_last = true;
        r->total = end;
    }
    /* Find the insertion point; reject any overlap but an exact copy. */
    size_t at = 0;
    while (at < r->nranges && r->ranges[at].start < off)
        at++;
    if (at < r->nranges && r->ranges[at].start == off &&
        r->ranges[at].end == end && len > 0)
        return NULL; /* duplicate (a lossy link duplicates frames) */
    if ((at > 0 && r->ranges[at - 1].end > off) ||
        (at < r->nranges && r->ranges[at].start < end)) {
        fail(st, r);
        return NULL;
    }
    if (r->nranges == NET_REASS_FRAGS) {
        fail(st, r);
        return NULL;
    }
    if (end > r->cap) {
        size_t want = r->have_last ? r->total : end;
        if (want < 1024)
            want = 1024;
        if (want < r->cap * 2)
            want = net__min(r->cap * 2, REASS_MAX_PAYLOAD);
        if (want < end)
            want = end;
        if (st->reass_mem - r->cap + want > st->cfg.reass_mem_max) {
            fail(st, r);
            return NULL;
        }
        uint8_t *nb = realloc(r->buf, want);
        if (!nb) {
            st->stats.drops[MOTE_NET_DROP_NOMEM]++;
            slot_free(st, r);
            return NULL;
        }
        st->reass_mem += want - r->cap;
        r->buf = nb;
        r->cap = want;
    }
    memcpy(r->buf + off, data, len);
    if (off == 0) {
        r->first_len = net__min(ip_len, NET_REASS_QUOTE);
        memcpy(r->first, ip, r->first_len);
    }
    memmove(&r->ranges[at + 1], &r->ranges[at],
            (r->nranges - at) * sizeof(r->ranges[0]));
    r->ranges[at].start = off;
    r->ranges[at].end = end;
    r->nranges++;

    if (!r->have_last)
        return NULL;
    uint32_t reach = 0;
    for (size_t i = 0; i < r->nranges; i++) {
        if (r->ranges[i].start != reach)
            return NULL;
        reach = r->ranges[i].end;
    }
    if (reach != r->total)
        return NULL;
    struct net_pkt *p = net__pkt_alloc(st, r->total);
    if (!p) {
        st->stats.drops[MOTE_NET_DROP_NOMEM]++;
        slot_free(st, r);
        return NULL;
    }
    memcpy(net__pkt_data(p), r->buf, r->total);
    st->stats.reass_ok++;
    slot_free(st, r);
    return p;
}

void net__reass_tick(struct mote_net *st)
{
    for (size_t i = 0; i < NET_REASS_MAX; i++) {
        struct net_reass *r = &st->reass[i];
        if (!r->used || r->expires > st->now)
            continue;
        /* Time exceeded, code 1 "fragment reassembly time exceeded", when
         * the first fragment came (RFC 792 / RFC 8200 4.5). Copy the quote
         * out first: sending may not touch the table, but be safe. */
        uint8_t q[NET_REASS_QUOTE];
        size_t qlen = r->first_len;
        uint8_t family = r->family;
        memcpy(q, r->first, qlen);
        fail(st, r);
        if (qlen && family == MOTE_IP_V4)
            net__icmp4_error(st, 11, 1, 0, q, qlen);
        else if (qlen)
            net__icmp6_error(st, 3, 1, 0, q, qlen);
    }
}

uint64_t net__reass_deadline(const struct mote_net *st)
{
    uint64_t d = MOTE_FOREVER;
    for (size_t i = 0; i < NET_REASS_MAX; i++)
        if (st->reass[i].used)
            d = net__min(d, st->reass[i].expires);
    return d;
}

void net__reass_release(struct mote_net *st)
{
    for (size_t i = 0; i < NET_REASS_MAX; i++)
        if (st->reass[i].used)
            slot_free(st, &st->reass[i]);
}

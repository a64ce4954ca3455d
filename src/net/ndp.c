/* NDP (RFC 4861), DAD and SLAAC (RFC 4862) for the IPv6 layer. */
#include <string.h>

#include <mote/error.h>

#include "net_priv.h"

/*
 * Messages handled (ICMPv6 type, body after the 4-byte ICMPv6 header):
 *
 *   133 RS  4 reserved, options                      (sent, never handled)
 *   134 RA  1 cur hop limit, 1 flags, 2 router lifetime (s), 4 reachable
 *           time (ms), 4 retrans timer (ms), options
 *   135 NS  4 reserved, 16 target, options
 *   136 NA  1 flags (R 0x80, S 0x40, O 0x20), 3 reserved, 16 target, options
 *   137 redirect: ignored (NEEDSWORK)
 *
 * Options: 1 type, 1 length in units of 8 bytes (0 is invalid: the whole
 * message is dropped, RFC 4861 4.6). 1 source link-layer address, 2 target
 * link-layer address, 3 prefix information (32 bytes), 5 MTU.
 *
 * Every NDP message must arrive with hop limit 255 (it cannot have been
 * forwarded) and code 0 (RFC 4861 6.1, 7.1).
 */

#define ND_RS 133
#define ND_RA 134
#define ND_NS 135
#define ND_NA 136

#define NA_ROUTER    0x80
#define NA_SOLICITED 0x40
#define NA_OVERRIDE  0x20

#define MAX_RTR_SOLICITATIONS     3
#define RTR_SOLICITATION_INTERVAL (4 * MOTE_NS_PER_SEC)
#define TWO_HOURS                 (7200 * MOTE_NS_PER_SEC)

static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
static const uint8_t all_routers[16] = {0xff, 0x02, [15] = 2};

static bool is_unspec(const struct mote_ipaddr *a)
{
    static const uint8_t zero[16];
    return memcmp(a->bytes, zero, 16) == 0;
}

/* Find option type in opts[0..len); returns its start or NULL. Sets *bad
 * on a malformed option list. */
static const uint8_t *find_opt(const uint8_t *o, size_t len, uint8_t type,
                               size_t *olen, bool *bad)
{
    const uint8_t *found = NULL;
    size_t i = 0;
    while (i + 2 <= len) {
        size_t l = (size_t)o[i + 1] * 8;
        if (l == 0 || i + l > len) {
            *bad = true;
            return NULL;
        }
        if (o[i] == type && !found) {
            found = o + i;
            *olen = l;
        }
        i += l;
    }
    if (i != len)
        *bad = true;
    return found;
}

static uint64_t lifetime_abs(const struct mote_net *st, uint32_t s)
{
    if (s == 0xffffffffu)
        return MOTE_FOREVER; /* infinity (RFC 4861 4.6.2) */
    return st->now + (uint64_t)s * MOTE_NS_PER_SEC;
}

/* ---- Sending ---------------------------------------------------------------
 */

static void send_na(struct mote_net *st, const struct mote_ipaddr *target,
                    const struct mote_ipaddr *dst, uint8_t flags)
{
    uint8_t body[16 + 8];
    memcpy(body, target->bytes, 16);
    body[16] = 2; /* target link-layer address */
    body[17] = 1;
    memcpy(body + 18, st->cfg.mac.bytes, 6);
    net__icmp6_send(st, target, dst, ND_NA, 0, (uint32_t)flags << 24, body,
                    sizeof(body), 255);
}

void net__ndp_solicit(struct mote_net *st, const struct mote_ipaddr *target,
                      const uint8_t *unicast_mac)
{
    struct mote_ipaddr src;
    if (net__ipv6_select_src(st, target, &src))
        return; /* no usable address yet (DAD running) */
    uint8_t body[16 + 8];
    memcpy(body, target->bytes, 16);
    body[16] = 1; /* source link-layer address */
    body[17] = 1;
    memcpy(body + 18, st->cfg.mac.bytes, 6);
    struct mote_ipaddr dst =
        unicast_mac ? *target : mote_ipaddr_solicited_node(target);
    dst.zone[0] = 0;
    net__icmp6_send(st, &src, &dst, ND_NS, 0, 0, body, sizeof(body), 255);
}

static void send_dad_ns(struct mote_net *st, const struct mote_ipaddr *target)
{
    struct mote_ipaddr src = mote_ipaddr_any_v6();
    struct mote_ipaddr dst = mote_ipaddr_solicited_node(target);
    net__icmp6_send(st, &src, &dst, ND_NS, 0, 0, target->bytes, 16, 255);
}

static void send_rs(struct mote_net *st)
{
    struct mote_ipaddr src;
    struct mote_ipaddr dst = mote_ipaddr_from_v6_bytes(all_routers);
    uint8_t opt[8] = {1, 1};
    memcpy(opt + 2, st->cfg.mac.bytes, 6);
    if (net__ipv6_select_src(st, &dst, &src) == 0) {
        net__icmp6_send(st, &src, &dst, ND_RS, 0, 0, opt, sizeof(opt), 255);
    } else {
        /* From :: without the SLLA option (RFC 4861 4.1). */
        src = mote_ipaddr_any_v6();
        net__icmp6_send(st, &src, &dst, ND_RS, 0, 0, NULL, 0, 255);
    }
}

/* ---- Start and timers ------------------------------------------------------
 */

void net__ndp_start(struct mote_net *st)
{
    struct mote_ipprefix ll = {
        .addr = mote_ipaddr_link_local_from_mac(&st->cfg.mac), .len = 64};
    net__ipv6_add_addr(st, &ll, false, MOTE_FOREVER, MOTE_FOREVER);
    for (size_t i = 0; i < st->cfg.ipv6_count; i++)
        net__ipv6_add_addr(st, &st->cfg.ipv6[i], false, MOTE_FOREVER,
                           MOTE_FOREVER);
    st->rs_left = MAX_RTR_SOLICITATIONS;
    /* RFC 4861 6.3.7: a random delay of up to 1 s before the first RS;
     * we also wait for link-local DAD, so go after it. */
    st->rs_next = st->now + MOTE_NS_PER_SEC +
                  net__random_u32(st) % (MOTE_NS_PER_SEC / 1000) * 1000;
}

void net__ndp_tick(struct mote_net *st)
{
    for (size_t i = 0; i < NET_ADDR6_MAX; i++) {
        struct net_addr6 *a = &st->addr6[i];
        if (a->state == NET_ADDR_FREE)
            continue;
        if (a->state == NET_ADDR_TENTATIVE && a->dad_next <= st->now) {
            if (a->dad_left) {
                a->dad_left--;
                send_dad_ns(st, &a->p.addr);
                a->dad_next = st->now + st->retrans_time;
            } else {
                a->state = NET_ADDR_PREFERRED;
                /* RFC 4861 7.2.6: MAY announce; it speeds up peers whose
                 * cache holds an old MAC. */
                struct mote_ipaddr all = mote_ipaddr_from_v6_bytes(all_nodes);
                send_na(st, &a->p.addr, &all, NA_OVERRIDE);
            }
        }
        if (a->valid_until <= st->now) {
            memset(a, 0, sizeof(*a));
            continue;
        }
        if (a->state == NET_ADDR_PREFERRED && a->preferred_until <= st->now)
            a->state = NET_ADDR_DEPRECATED;
    }
    for (size_t i = 0; i < NET_ROUTER6_MAX; i++)
        if (st->router6[i].until && st->router6[i].until <= st->now)
            st->router6[i].until = 0;
    for (size_t i = 0; i < NET_PREFIX6_MAX; i++)
        if (st->prefix6[i].valid_until && st->prefix6[i].valid_until <= st->now)
            st->prefix6[i].valid_until = 0;
    if (st->rs_left && st->rs_next <= st->now) {
        st->rs_left--;
        send_rs(st);
        st->rs_next = st->now + RTR_SOLICITATION_INTERVAL;
    }
}

uint64_t net__ndp_deadline(const struct mote_net *st)
{
    uint64_t d = st->rs_left ? st->rs_next : MOTE_FOREVER;
    for (size_t i = 0; i < NET_ADDR6_MAX; i++) {
        const struct net_addr6 *a = &st->addr6[i];
        if (a->state == NET_ADDR_FREE)
            continue;
        if (a->state == NET_ADDR_TENTATIVE)
            d = net__min(d, a->dad_next);
        d = net__min(d, a->valid_until);
        if (a->state == NET_ADDR_PREFERRED)
            d = net__min(d, a->preferred_until);
    }
    for (size_t i = 0; i < NET_ROUTER6_MAX; i++)
        if (st->router6[i].until)
            d = net__min(d, st->router6[i].until);
    for (size_t i = 0; i < NET_PREFIX6_MAX; i++)
        if (st->prefix6[i].valid_until)
            d = net__min(d, st->prefix6[i].valid_until);
    return d;
}

/* ---- Input -----------------------------------------------------------------
 */

static struct net_addr6 *find_addr(struct mote_net *st,
                                   const struct mote_ipaddr *a)
{
    for (size_t i = 0; i < NET_ADDR6_MAX; i++)
        if (st->addr6[i].state != NET_ADDR_FREE &&
            memcmp(st->addr6[i].p.addr.bytes, a->bytes, 16) == 0)
            return &st->addr6[i];
    return NULL;
}

static void dad_failed(struct mote_net *st, struct net_addr6 *a)
{
    /* RFC 4862 5.4.5: the address is not used. NEEDSWORK: a link-local
     * failure should stop IPv6 on the interface; we only drop it. */
    st->stats.dad_failures++;
    memset(a, 0, sizeof(*a));
}

static void ns_input(struct mote_net *st, const struct mote_ipaddr *src,
                     const struct mote_ipaddr *dst, const uint8_t *p,
                     size_t len)
{
    if (len < 24) {
        st->stats.drops[MOTE_NET_DROP_SHORT]++;
        return;
    }
    struct mote_ipaddr target = mote_ipaddr_from_v6_bytes(p + 8);
    bool bad = false;
    size_t olen = 0;
    const uint8_t *sll = find_opt(p + 24, len - 24, 1, &olen, &bad);
    bool unspec = is_unspec(src);
    if (bad || mote_ipaddr_is_multicast(&target) ||
        (unspec && (sll || !mote_ipaddr_is_multicast(dst))) ||
        (sll && olen < 8)) {
        st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
        return;
    }
    struct net_addr6 *a = find_addr(st, &target);
    if (!a) {
        st->stats.drops[MOTE_NET_DROP_NOT_FOR_US]++;
        return;
    }
    if (unspec) {
        if (a->state == NET_ADDR_TENTATIVE) {
            dad_failed(st, a); /* someone else is trying it too */
        } else {
            struct mote_ipaddr all = mote_ipaddr_from_v6_bytes(all_nodes);
            send_na(st, &target, &all, NA_OVERRIDE);
        }
        return;
    }
    if (a->state == NET_ADDR_TENTATIVE)
        return; /* RFC 4862 5.4.3 */
    if (sll)
        net__neigh_update(st, src, sll + 2, false, true, true);
    send_na(st, &target, src, NA_SOLICITED | NA_OVERRIDE);
}

static void na_input(struct mote_net *st, const struct mote_ipaddr *dst,
                     const uint8_t *p, size_t len)
{
    if (len < 24) {
        st->stats.drops[MOTE_NET_DROP_SHORT]++;
        return;
    }
    uint8_t flags = p[4];
    struct mote_ipaddr target = mote_ipaddr_from_v6_bytes(p + 8);
    bool bad = false;
    size_t olen = 0;
    const uint8_t *tll = find_opt(p + 24, len - 24, 2, &olen, &bad);
    if (bad || mote_ipaddr_is_multicast(&target) ||
        (mote_ipaddr_is_multicast(dst) && (flags & NA_SOLICITED))) {
        st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
        return;
    }
    struct net_addr6 *a = find_addr(st, &target);
    if (a) {
        if (a->state == NET_ADDR_TENTATIVE)
            dad_failed(st, a);
        return;
    }
    struct net_neigh *n = net__neigh_find(st, &target);
    if (!n)
        return;
    if (tll && tll[1] == 1) {
        net__neigh_update(st, &target, tll + 2, flags & NA_SOLICITED,
                          flags & NA_OVERRIDE, false);
    } else if (n->state != NET_NEIGH_INCOMPLETE) {
        net__neigh_update(st, &target, n->mac, flags & NA_SOLICITED, false,
                          false);
    }
}

static void prefix_input(struct mote_net *st, const uint8_t *o)
{
    uint8_t plen = o[2], flags = o[3];
    uint32_t valid = net__get32(o + 4), preferred = net__get32(o + 8);
    struct mote_ipprefix pfx = {.addr = mote_ipaddr_from_v6_bytes(o + 16),
                                .len = plen};
    if (plen > 128 || preferred > valid ||
        mote_ipaddr_is_link_local(&pfx.addr) ||
        mote_ipaddr_is_multicast(&pfx.addr))
        return; /* RFC 4862 5.5.3 (a)-(c) */
    pfx = mote_ipprefix_network(&pfx);
    if (flags & 0x80) { /* L: on-link (RFC 4861 6.3.4) */
        size_t slot = NET_PREFIX6_MAX;
        for (size_t i = 0; i < NET_PREFIX6_MAX; i++) {
            struct net_prefix6 *x = &st->prefix6[i];
            if (x->valid_until && x->p.len == plen &&
                memcmp(x->p.addr.bytes, pfx.addr.bytes, 16) == 0) {
                slot = i;
                break;
            }
            if (!x->valid_until && slot == NET_PREFIX6_MAX)
                slot = i;
        }
        if (slot != NET_PREFIX6_MAX) {
            st->prefix6[slot].p = pfx;
            st->prefix6[slot].valid_until = valid ? lifetime_abs(st, valid) : 0;
        }
    }
    if (!(flags & 0x40) || st->cfg.no_slaac || plen != 64)
        return; /* A flag off, or not a /64 for our 64-bit interface id */
    /* The address: prefix + modified EUI-64 (RFC 4862 5.5.3 (d)). */
    struct mote_ipaddr ll = mote_ipaddr_link_local_from_mac(&st->cfg.mac);
    struct mote_ipprefix a = pfx;
    memcpy(a.addr.bytes + 8, ll.bytes + 8, 8);
    struct net_addr6 *have = find_addr(st, &a.addr);
    if (!have) {
        if (valid)
            net__ipv6_add_addr(st, &a, true, lifetime_abs(st, preferred),
                               lifetime_abs(st, valid));
        return;
    }
    if (!have->slaac)
        return;
    /* RFC 4862 5.5.3 (e): the two-hour rule against lifetime attacks. */
    have->preferred_until = lifetime_abs(st, preferred);
    if (have->state == NET_ADDR_DEPRECATED && preferred)
        have->state = NET_ADDR_PREFERRED;
    uint64_t want = lifetime_abs(st, valid);
    uint64_t remaining =
        have->valid_until > st->now ? have->valid_until - st->now : 0;
    if (want > st->now + TWO_HOURS || want > have->valid_until)
        have->valid_until = want;
    else if (remaining > TWO_HOURS)
        have->valid_until = st->now + TWO_HOURS;
}

static void ra_input(struct mote_net *st, const struct mote_ipaddr *src,
                     const uint8_t *p, size_t len)
{
    if (len < 16) {
        st->stats.drops[MOTE_NET_DROP_SHORT]++;
        return;
    }
    if (!mote_ipaddr_is_link_local(src)) { /* RFC 4861 6.1.2 */
        st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
        return;
    }
    const uint8_t *opts = p + 16;
    size_t olen = len - 16;
    bool bad = false;
    size_t l = 0;
    find_opt(opts, olen, 0, &l, &bad);
    if (bad) {
        st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
        return;
    }
    if (p[4])
        st->hop_limit = p[4];
    uint16_t life = net__get16(p + 6);
    uint32_t reach = net__get32(p + 8), retrans = net__get32(p + 12);
    /* Bounds keep a hostile RA from making us spin or stall: RFC 4861 10
     * caps reachable time at 1 hour. */
    if (reach && reach <= 3600000)
        st->reachable_time = (uint64_t)reach * MOTE_NS_PER_MS;
    if (retrans >= 100 && retrans <= 60000)
        st->retrans_time = (uint64_t)retrans * MOTE_NS_PER_MS;

    size_t slot = NET_ROUTER6_MAX;
    for (size_t i = 0; i < NET_ROUTER6_MAX; i++) {
        if (st->router6[i].until &&
            memcmp(st->router6[i].addr.bytes, src->bytes, 16) == 0) {
            slot = i;
            break;
        }
        if (!st->router6[i].until && slot == NET_ROUTER6_MAX)
            slot = i;
    }
    if (slot != NET_ROUTER6_MAX) {
        st->router6[slot].addr = *src;
        st->router6[slot].addr.zone[0] = 0;
        st->router6[slot].until =
            life ? st->now + (uint64_t)life * MOTE_NS_PER_SEC : 0;
    }
    if (life)
        st->rs_left = 0; /* RFC 4861 6.3.7: stop soliciting */

    for (size_t i = 0; i + 2 <= olen;) {
        const uint8_t *o = opts + i;
        size_t ol = (size_t)o[1] * 8;
        switch (o[0]) {
        case 1:
            if (ol >= 8)
                net__neigh_update(st, src, o + 2, false, true, true);
            break;
        case 3:
            if (ol == 32)
                prefix_input(st, o);
            break;
        case 5:
            if (ol == 8) {
                uint32_t mtu = net__get32(o + 4);
                if (mtu >= 1280 && mtu <= (st->cfg.mtu ? st->cfg.mtu : 1500))
                    st->mtu = mtu;
            }
            break;
        default:
            break;
        }
        i += ol;
    }
}

void net__ndp_input(struct mote_net *st, const struct mote_ipaddr *src,
                    const struct mote_ipaddr *dst, uint8_t hop_limit,
                    const uint8_t *p, size_t len)
{
    if (hop_limit != 255 || p[1] != 0) {
        st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
        return;
    }
    switch (p[0]) {
    case ND_NS:
        ns_input(st, src, dst, p, len);
        return;
    case ND_NA:
        na_input(st, dst, p, len);
        return;
    case ND_RA:
        ra_input(st, src, p, len);
        return;
    default:
        return; /* RS (we are no router), redirect */
    }
}

/* DHCPv4 client (RFC 2131, options RFC 2132): lease, renew, rebind. */
#include <string.h>

#include <mote/error.h>

#include "net_priv.h"

/*
 * Message (RFC 2131 section 2), 236 bytes then the magic cookie and
 * options:
 *
 *   OFF SIZE MEANING
 *     0    1 op (1 request, 2 reply)    1  1 htype (1)   2  1 hlen (6)
 *     3    1 hops                       4  4 xid
 *     8    2 secs                      10  2 flags (0x8000 broadcast)
 *    12    4 ciaddr  16 4 yiaddr  20 4 siaddr  24 4 giaddr
 *    28   16 chaddr (our MAC, padded)
 *    44   64 sname  108 128 file
 *   236    4 magic cookie 99.130.83.99
 *   240  ... options: code, length, value; 0 pad, 255 end
 *
 * States: SELECTING (DISCOVER sent, waiting for an OFFER) -> REQUESTING
 * (REQUEST sent) -> BOUND -(T1)-> RENEWING (unicast REQUEST to the server)
 * -(T2)-> REBINDING (broadcast REQUEST) -(lease end)-> SELECTING. A NAK
 * sends us back to SELECTING. Retransmission: 4 s, doubling to 64 s (RFC
 * 2131 4.1), then staying there; while renewing, half the time left.
 */

#define DHCP_FIXED    240
#define DHCP_DISCOVER 1
#define DHCP_OFFER    2
#define DHCP_REQUEST  3
#define DHCP_ACK      5
#define DHCP_NAK      6
#define OPT_MASK      1
#define OPT_ROUTER    3
#define OPT_REQ_IP    50
#define OPT_LEASE     51
#define OPT_MSGTYPE   53
#define OPT_SERVER    54
#define OPT_PARAMS    55
#define OPT_T1        58
#define OPT_T2        59
#define OPT_END       255

#define BACKOFF_FIRST (4 * MOTE_NS_PER_SEC)
#define BACKOFF_MAX   (64 * MOTE_NS_PER_SEC)

static void dhcp_send(struct mote_net *st, uint8_t type)
{
    struct net_dhcp *d = &st->dhcp;
    uint8_t m[DHCP_FIXED + 32];
    memset(m, 0, sizeof(m));
    m[0] = 1;
    m[1] = 1;
    m[2] = 6;
    net__put32(m + 4, d->xid);
    bool renewing =
        d->state == NET_DHCP_RENEWING || d->state == NET_DHCP_REBINDING;
    if (!renewing)
        net__put16(m + 10, 0x8000); /* no address yet: answer broadcast */
    else
        memcpy(m + 12, st->v4.addr.bytes, 4); /* ciaddr (RFC 2131 4.3.2) */
    memcpy(m + 28, st->cfg.mac.bytes, 6);
    net__put32(m + 236, 0x63825363);
    size_t o = DHCP_FIXED;
    m[o++] = OPT_MSGTYPE;
    m[o++] = 1;
    m[o++] = type;
    if (type == DHCP_REQUEST && d->state == NET_DHCP_REQUESTING) {
        m[o++] = OPT_REQ_IP;
        m[o++] = 4;
        memcpy(m + o, d->offered.bytes, 4);
        o += 4;
        m[o++] = OPT_SERVER;
        m[o++] = 4;
        memcpy(m + o, d->server.bytes, 4);
        o += 4;
    }
    m[o++] = OPT_PARAMS;
    m[o++] = 4;
    m[o++] = OPT_MASK;
    m[o++] = OPT_ROUTER;
    m[o++] = OPT_LEASE;
    m[o++] = OPT_T1;
    m[o++] = OPT_END;

    struct mote_ipaddr src = mote_ipaddr_any_v4();
    struct mote_ipaddr dst = mote_ipaddr_v4(255, 255, 255, 255);
    if (renewing)
        src = st->v4.addr;
    if (d->state == NET_DHCP_RENEWING)
        dst = d->server;
    net__udp_send(st, &src, 68, &dst, 67, m, o);
}

static void restart(struct mote_net *st)
{
    struct net_dhcp *d = &st->dhcp;
    d->state = NET_DHCP_SELECTING;
    d->xid = net__random_u32(st);
    d->backoff = BACKOFF_FIRST;
    dhcp_send(st, DHCP_DISCOVER);
    /* RFC 2131 4.1: randomise by +-1 s. */
    d->timer = st->now + d->backoff - MOTE_NS_PER_SEC +
               net__random_u32(st) % 2000 * MOTE_NS_PER_MS;
}

void net__dhcp_start(struct mote_net *st)
{
    restart(st);
}

/* Options of interest, found in m[240..len). */
struct dhcp_opts {
    int type;
    bool have_mask, have_router, have_server;
    uint8_t mask[4], router[4], server[4];
    uint32_t lease, t1, t2;
};

static int parse_opts(const uint8_t *m, size_t len, struct dhcp_opts *o)
{
    memset(o, 0, sizeof(*o));
    size_t i = DHCP_FIXED;
    while (i < len) {
        uint8_t code = m[i++];
        if (code == 0)
            continue;
        if (code == OPT_END)
            return 0;
        if (i >= len)
            return MOTE_EINVAL;
        size_t l = m[i++];
        if (i + l > len)
            return MOTE_EINVAL;
        const uint8_t *v = m + i;
        switch (code) {
        case OPT_MSGTYPE:
            if (l == 1)
                o->type = v[0];
            break;
        case OPT_MASK:
            if (l == 4) {
                memcpy(o->mask, v, 4);
                o->have_mask = true;
            }
            break;
        case OPT_ROUTER:
            if (l >= 4) {
                memcpy(o->router, v, 4);
                o->have_router = true;
            }
            break;
        case OPT_SERVER:
            if (l == 4) {
                memcpy(o->server, v, 4);
                o->have_server = true;
            }
            break;
        case OPT_LEASE:
            if (l == 4)
                o->lease = net__get32(v);
            break;
        case OPT_T1:
            if (l == 4)
                o->t1 = net__get32(v);
            break;
        case OPT_T2:
            if (l == 4)
                o->t2 = net__get32(v);
            break;
        default:
            break;
        }
        i += l;
    }
    return 0; /* no END: tolerated, as most clients do */
}

/* A contiguous netmask's prefix length, or -1. */
static int mask_len(const uint8_t m[4])
{
    uint32_t v = net__get32(m);
    int n = 0;
    while (n < 32 && (v & (0x80000000u >> n)))
        n++;
    if (n < 32 && (v << n) != 0)
        return -1;
    return n;
}

static void bind_lease(struct mote_net *st, const struct dhcp_opts *o,
                       const uint8_t *yiaddr)
{
    struct net_dhcp *d = &st->dhcp;
    int len = o->have_mask ? mask_len(o->mask) : 24;
    if (len <= 0 || len > 30)
        len = 24;
    bool changed = st->v4.addr.family != MOTE_IP_V4 ||
                   memcmp(st->v4.addr.bytes, yiaddr, 4) != 0;
    st->v4.addr = mote_ipaddr_from_v4_bytes(yiaddr);
    st->v4.len = (uint8_t)len;
    if (o->have_router)
        st->v4_gw = mote_ipaddr_from_v4_bytes(o->router);
    if (o->have_server)
        d->server = mote_ipaddr_from_v4_bytes(o->server);
    /* Lease times (RFC 2131 4.4.5): T1 = 0.5, T2 = 0.875 of the lease by
     * default; infinite leases never renew. At least 60 s, so that a
     * silly server cannot make us spin. */
    uint64_t lease = o->lease ? o->lease : 3600;
    if (lease < 60)
        lease = 60;
    if (o->lease == 0xffffffffu) {
        d->t1 = d->t2 = d->expiry = MOTE_FOREVER;
    } else {
        uint64_t t1 = o->t1 && o->t1 < lease ? o->t1 : lease / 2;
        uint64_t t2 = o->t2 && o->t2 < lease ? o->t2 : lease * 7 / 8;
        d->t1 = st->now + t1 * MOTE_NS_PER_SEC;
        d->t2 = st->now + t2 * MOTE_NS_PER_SEC;
        d->expiry = st->now + lease * MOTE_NS_PER_SEC;
    }
    d->state = NET_DHCP_BOUND;
    d->timer = d->t1;
    st->stats.dhcp_leases++;
    if (changed)
        net__arp_announce(st);
}

bool net__dhcp_input(struct mote_net *st, const uint8_t *m, size_t len)
{
    struct net_dhcp *d = &st->dhcp;
    if (d->state == NET_DHCP_OFF)
        return false;
    if (len < DHCP_FIXED || m[0] != 2 || m[1] != 1 || m[2] != 6 ||
        net__get32(m + 236) != 0x63825363 || net__get32(m + 4) != d->xid ||
        memcmp(m + 28, st->cfg.mac.bytes, 6) != 0) {
        st->stats.drops[MOTE_NET_DROP_NOT_FOR_US]++;
        return true;
    }
    struct dhcp_opts o;
    if (parse_opts(m, len, &o)) {
        st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
        return true;
    }
    const uint8_t *yiaddr = m + 16;
    struct mote_ipaddr y = mote_ipaddr_from_v4_bytes(yiaddr);
    enum mote_ipscope sc = mote_ipaddr_scope(&y);
    bool y_ok = sc != MOTE_SCOPE_UNSPECIFIED && sc != MOTE_SCOPE_MULTICAST &&
                sc != MOTE_SCOPE_BROADCAST && sc != MOTE_SCOPE_LOOPBACK;
    switch (d->state) {
    case NET_DHCP_SELECTING:
        if (o.type != DHCP_OFFER || !o.have_server || !y_ok)
            return true;
        d->offered = y;
        d->server = mote_ipaddr_from_v4_bytes(o.server);
        d->state = NET_DHCP_REQUESTING;
        d->backoff = BACKOFF_FIRST;
        dhcp_send(st, DHCP_REQUEST);
        d->timer = st->now + d->backoff;
        return true;
    case NET_DHCP_REQUESTING:
    case NET_DHCP_RENEWING:
    case NET_DHCP_REBINDING:
        if (o.type == DHCP_NAK) {
            /* RFC 2131 3.1 step 5 / 4.4.4: start over, address gone. */
            st->v4.addr.family = MOTE_IP_NONE;
            st->v4_gw.family = MOTE_IP_NONE;
            restart(st);
            return true;
        }
        if (o.type != DHCP_ACK || !y_ok)
            return true;
        if (d->state == NET_DHCP_REQUESTING &&
            memcmp(yiaddr, d->offered.bytes, 4) != 0)
            return true;
        bind_lease(st, &o, yiaddr);
        return true;
    default:
        return true;
    }
}

void net__dhcp_tick(struct mote_net *st)
{
    struct net_dhcp *d = &st->dhcp;
    if (d->state == NET_DHCP_OFF || d->timer > st->now)
        return;
    switch (d->state) {
    case NET_DHCP_SELECTING:
    case NET_DHCP_REQUESTING:
        if (d->backoff < BACKOFF_MAX)
            d->backoff *= 2;
        if (d->state == NET_DHCP_REQUESTING && d->backoff >= BACKOFF_MAX) {
            restart(st); /* the server went quiet: look for another */
            return;
        }
        dhcp_send(st, d->state == NET_DHCP_SELECTING ? DHCP_DISCOVER
                                                     : DHCP_REQUEST);
        d->timer = st->now + d->backoff;
        return;
    case NET_DHCP_BOUND:
    case NET_DHCP_RENEWING:
    case NET_DHCP_REBINDING:
        if (st->now >= d->expiry) {
            st->v4.addr.family = MOTE_IP_NONE;
            st->v4_gw.family = MOTE_IP_NONE;
            restart(st);
            return;
        }
        if (st->now >= d->t2)
            d->state = NET_DHCP_REBINDING;
        else
            d->state = NET_DHCP_RENEWING;
        d->xid = net__random_u32(st);
        dhcp_send(st, DHCP_REQUEST);
        /* RFC 2131 4.4.5: wait half the time left to T2 (or the lease),
         * at least 60 s. */
        uint64_t until = d->state == NET_DHCP_RENEWING ? d->t2 : d->expiry;
        uint64_t wait = (until - st->now) / 2;
        if (wait < 60 * MOTE_NS_PER_SEC)
            wait = 60 * MOTE_NS_PER_SEC;
        d->timer = net__min(st->now + wait, until);
        return;
    default:
        return;
    }
}

uint64_t net__dhcp_deadline(const struct mote_net *st)
{
    return st->dhcp.state == NET_DHCP_OFF ? MOTE_FOREVER : st->dhcp.timer;
}

/* The direct stack's core: setup, Ethernet II in and out, timers, dispatch. */
#include <stdlib.h>
#include <string.h>

#include <mote/error.h>

#include "net_priv.h"

#define ETH_HLEN       14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP  0x0806
#define ETHERTYPE_IPV6 0x86dd

static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static const char *const drop_names[MOTE_NET_DROP_COUNT] = {
    [MOTE_NET_DROP_NONE] = "none",
    [MOTE_NET_DROP_SHORT] = "short",
    [MOTE_NET_DROP_CHECKSUM] = "checksum",
    [MOTE_NET_DROP_MALFORMED] = "malformed",
    [MOTE_NET_DROP_NOT_FOR_US] = "not-for-us",
    [MOTE_NET_DROP_PROTO] = "protocol",
    [MOTE_NET_DROP_NO_PORT] = "no-port",
    [MOTE_NET_DROP_REASS] = "reassembly",
    [MOTE_NET_DROP_NO_ROUTE] = "no-route",
    [MOTE_NET_DROP_NEIGHBOR] = "neighbor",
    [MOTE_NET_DROP_QUEUE_FULL] = "queue-full",
    [MOTE_NET_DROP_NOMEM] = "nomem",
    [MOTE_NET_DROP_DEVICE] = "device",
    [MOTE_NET_DROP_TTL] = "ttl",
};

const char *mote_net_drop_name(enum mote_net_drop d)
{
    if ((unsigned)d >= MOTE_NET_DROP_COUNT)
        return "unknown";
    return drop_names[d];
}

/* ---- The mote_stack face --------------------------------------------------
 */

static int face_listen(struct mote_stack *s, const struct mote_endpoint *local,
                       int backlog, struct mote_listener **out)
{
    return net__tcp_listen((struct mote_net *)s, local, backlog, out);
}

static int face_connect(struct mote_stack *s,
                        const struct mote_endpoint *remote, uint64_t deadline,
                        struct mote_flow **out)
{
    return net__tcp_connect((struct mote_net *)s, remote, deadline, out);
}

static int face_udp_open(struct mote_stack *s,
                         const struct mote_endpoint *local,
                         struct mote_udp **out)
{
    return net__udp_open((struct mote_net *)s, local, out);
}

static const struct mote_stack_ops face_ops = {
    .tcp_listen = face_listen,
    .tcp_connect = face_connect,
    .udp_open = face_udp_open,
};

struct mote_stack *mote_net_stack(struct mote_net *n)
{
    return &n->stack;
}

/* ---- Setup ------------------------------------------------------------------
 */

int mote_net_new(const struct mote_net_config *cfg, uint64_t now,
                 struct mote_net **out)
{
    *out = NULL;
    if (!cfg->send_frame || !cfg->random)
        return MOTE_EINVAL;
    if ((cfg->offloads &
         ~(uint32_t)(MOTE_NET_OFFLOAD_CSUM | MOTE_NET_OFFLOAD_TSO4 |
                     MOTE_NET_OFFLOAD_TSO6)) ||
        ((cfg->offloads & (MOTE_NET_OFFLOAD_TSO4 | MOTE_NET_OFFLOAD_TSO6)) &&
         !(cfg->offloads & MOTE_NET_OFFLOAD_CSUM)))
        return MOTE_EINVAL;
    size_t mtu = cfg->mtu ? cfg->mtu : 1500;
    /* 1280 is IPv6's minimum link MTU (RFC 8200 section 5); 9000 the usual
     * jumbo frame. */
    if (mtu < 1280 || mtu > 9000)
        return MOTE_EINVAL;
    if (cfg->dhcp && cfg->ipv4.addr.family != MOTE_IP_NONE)
        return MOTE_EINVAL;
    if (cfg->ipv4.addr.family != MOTE_IP_NONE &&
        (cfg->ipv4.addr.family != MOTE_IP_V4 || cfg->ipv4.len > 32))
        return MOTE_EINVAL;
    if (cfg->ipv6_count > MOTE_NET_MAX_V6_STATIC)
        return MOTE_EINVAL;
    if ((cfg->tcp_sndbuf && (cfg->tcp_sndbuf < MOTE_NET_TCP_BUF_MIN ||
                             cfg->tcp_sndbuf > MOTE_NET_TCP_BUF_MAX)) ||
        (cfg->tcp_rcvbuf && (cfg->tcp_rcvbuf < MOTE_NET_TCP_BUF_MIN ||
                             cfg->tcp_rcvbuf > MOTE_NET_TCP_BUF_MAX)))
        return MOTE_EINVAL;
    for (size_t i = 0; i < cfg->ipv6_count; i++)
        if (cfg->ipv6[i].addr.family != MOTE_IP_V6 || cfg->ipv6[i].len > 128)
            return MOTE_EINVAL;

    struct mote_net *st = calloc(1, sizeof(*st));
    if (!st)
        return MOTE_ENOMEM;
    st->stack.ops = &face_ops;
    st->stack.name = "direct";
    st->cfg = *cfg;
    if (!cfg->send_gso || cfg->no_offload)
        st->cfg.offloads = 0;
    st->now = now;
    st->mtu = mtu;
    if (!st->cfg.neighbor_max)
        st->cfg.neighbor_max = 64;
    if (!st->cfg.pending_max)
        st->cfg.pending_max = 4;
    if (!st->cfg.reass_mem_max)
        st->cfg.reass_mem_max = 256 * 1024;
    if (!st->cfg.udp_queue_max)
        st->cfg.udp_queue_max = 64;
    st->nneigh = st->cfg.neighbor_max;
    st->neigh = calloc(st->nneigh, sizeof(*st->neigh));
    if (!st->neigh) {
        free(st);
        return MOTE_ENOMEM;
    }
    st->icmp_tokens = NET_ICMP_BURST;
    st->icmp_refill = now;
    net__random(st, &st->ip_id, sizeof(st->ip_id));
    net__random(st, &st->ephemeral_next, sizeof(st->ephemeral_next));
    st->v4 = cfg->ipv4;
    st->v4_gw = cfg->ipv4_gateway;
    st->v6_gw = cfg->ipv6_gateway;
    st->hop_limit = 64;
    st->reachable_time = 30 * MOTE_NS_PER_SEC; /* RFC 4861 REACHABLE_TIME */
    st->retrans_time = MOTE_NS_PER_SEC;        /* RFC 4861 RETRANS_TIMER */

    int err = net__tcp_init(st);
    if (err) {
        free(st->neigh);
        free(st);
        return err;
    }
    if (st->v4.addr.family == MOTE_IP_V4)
        net__arp_announce(st);
    if (cfg->dhcp)
        net__dhcp_start(st);
    if (!cfg->no_ipv6)
        net__ndp_start(st);
    *out = st;
    return 0;
}

static void loop_release(struct mote_net *st);

void mote_net_free(struct mote_net *st)
{
    if (!st)
        return;
    net__tcp_release(st);
    loop_release(st);
    net__neigh_release(st);
    net__reass_release(st);
    free(st->neigh);
    free(st);
}

/* ---- Ethernet II ------------------------------------------------------------
 */

int net__eth_output(struct mote_net *st, const uint8_t dst_mac[6],
                    uint16_t type, struct net_pkt *p)
{
    uint8_t *h = net__pkt_push(p, ETH_HLEN);
    if (!h)
        return MOTE_EINTERNAL;
    memcpy(h, dst_mac, 6);
    memcpy(h + 6, st->cfg.mac.bytes, 6);
    net__put16(h + 12, type);
    int err;
    if (p->csum_partial) {
        /* Our own TCP headers: IPv4 without options, IPv6 without
         * extension headers (net_int.h). */
        struct mote_net_gso g = {0};
        size_t l3 = type == ETHERTYPE_IPV4 ? 20 : 40;
        g.flags = MOTE_NET_GSO_F_NEEDS_CSUM;
        g.csum_start = (uint16_t)(ETH_HLEN + l3);
        g.csum_offset = 16; /* TCP's checksum field */
        g.hdr_len = (uint16_t)(g.csum_start + (h[g.csum_start + 12] >> 4) * 4);
        if (p->gso_size) {
            g.gso_type = type == ETHERTYPE_IPV4 ? MOTE_NET_GSO_TCPV4
                                                : MOTE_NET_GSO_TCPV6;
            g.gso_size = p->gso_size;
        }
        err = st->cfg.send_gso(st->cfg.send_ctx, h, p->len, &g);
        if (err >= 0) {
            st->stats.csum_partial_tx++;
            if (p->gso_size) {
                st->stats.gso_tx++;
                st->stats.gso_tx_bytes += p->len;
            }
        }
    } else {
        err = st->cfg.send_frame(st->cfg.send_ctx, h, p->len);
    }
    if (err < 0) {
        st->stats.drops[MOTE_NET_DROP_DEVICE]++;
    } else {
        st->stats.tx_frames++;
        st->stats.tx_bytes += p->len;
    }
    p->off += ETH_HLEN;
    p->len -= ETH_HLEN;
    return err < 0 ? MOTE_EAGAIN : 0;
}

static void input_frame(struct mote_net *st, const uint8_t *frame, size_t len);

/* A datagram from the wire with one of our own addresses as its source
 * ("martian", the LAND attack's shape): our answer would loop back to
 * us. Only our loopback queue may carry such datagrams. */
static bool martian(struct mote_net *st, const uint8_t *ip, size_t len,
                    size_t src_off, uint8_t family)
{
    size_t alen = family == MOTE_IP_V4 ? 4 : 16;
    if (len < src_off + alen)
        return false; /* too short: the IP layer counts it */
    struct mote_ipaddr src = family == MOTE_IP_V4
                                 ? mote_ipaddr_from_v4_bytes(ip + src_off)
                                 : mote_ipaddr_from_v6_bytes(ip + src_off);
    if (!net__ip_is_local(st, &src))
        return false;
    st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
    return true;
}

void mote_net_input(struct mote_net *st, uint64_t now, const uint8_t *frame,
                    size_t len)
{
    st->now = now;
    input_frame(st, frame, len);
    net__flush(st);
}

void mote_net_input_gso(struct mote_net *st, uint64_t now, const uint8_t *frame,
                        size_t len, const struct mote_net_gso *gso)
{
    st->now = now;
    if (gso && (gso->flags &
                (MOTE_NET_GSO_F_NEEDS_CSUM | MOTE_NET_GSO_F_DATA_VALID))) {
        st->rx_csum_ok = true;
        st->stats.csum_trusted_rx++;
    }
    if (gso && gso->gso_type != MOTE_NET_GSO_NONE) {
        st->stats.gso_rx++;
        st->stats.gso_rx_bytes += len;
    }
    input_frame(st, frame, len);
    st->rx_csum_ok = false;
    net__flush(st);
}

static void input_frame(struct mote_net *st, const uint8_t *frame, size_t len)
{
    st->stats.rx_frames++;
    st->stats.rx_bytes += len;
    if (len < ETH_HLEN) {
        st->stats.drops[MOTE_NET_DROP_SHORT]++;
        return;
    }
    const uint8_t *dst = frame;
    bool bcast = memcmp(dst, bcast_mac, 6) == 0;
    bool mcast = (dst[0] & 1) != 0;
    if (!mcast && memcmp(dst, st->cfg.mac.bytes, 6) != 0) {
        st->stats.drops[MOTE_NET_DROP_NOT_FOR_US]++;
        return;
    }
    /* Our own frames coming back (a bridge may reflect broadcasts). */
    if (memcmp(frame + 6, st->cfg.mac.bytes, 6) == 0) {
        st->stats.drops[MOTE_NET_DROP_NOT_FOR_US]++;
        return;
    }
    uint16_t type = net__get16(frame + 12);
    const uint8_t *p = frame + ETH_HLEN;
    size_t n = len - ETH_HLEN;
    switch (type) {
    case ETHERTYPE_ARP:
        if (st->v4.addr.family == MOTE_IP_V4 || st->dhcp.state != 0)
            net__arp_input(st, p, n);
        else
            st->stats.drops[MOTE_NET_DROP_NOT_FOR_US]++;
        return;
    case ETHERTYPE_IPV4:
        /* IPv4 multicast other than broadcast: we join no groups. */
        if (mcast && !bcast) {
            st->stats.drops[MOTE_NET_DROP_NOT_FOR_US]++;
            return;
        }
        if (martian(st, p, n, 12, MOTE_IP_V4))
            return;
        net__ipv4_input(st, p, n, bcast);
        return;
    case ETHERTYPE_IPV6:
        if (st->cfg.no_ipv6) {
            st->stats.drops[MOTE_NET_DROP_PROTO]++;
            return;
        }
        if (martian(st, p, n, 8, MOTE_IP_V6))
            return;
        net__ipv6_input(st, p, n);
        return;
    default:
        st->stats.drops[MOTE_NET_DROP_PROTO]++;
        return;
    }
}

/* ---- Loopback ---------------------------------------------------------------
 */

#define LOOP_MAX 256 /* datagrams queued to ourselves */

int net__loop_queue(struct mote_net *st, struct net_pkt *p)
{
    if (st->loop_len >= LOOP_MAX) {
        st->stats.drops[MOTE_NET_DROP_QUEUE_FULL]++;
        return MOTE_EAGAIN;
    }
    struct net_pkt *c = net__pkt_alloc(st, p->len);
    if (!c) {
        st->stats.drops[MOTE_NET_DROP_NOMEM]++;
        return MOTE_ENOMEM;
    }
    uint8_t *d = net__pkt_data(c);
    memcpy(d, net__pkt_data(p), p->len);
    if (p->csum_partial) {
        /* Do the device's part: sum from the TCP header on, the field
         * holding the pseudo-header sum, and store the complement. */
        size_t l3 = (d[0] >> 4) == 4 ? 20 : 40;
        if (c->len >= l3 + 20) {
            uint8_t *t = d + l3;
            net__put16(t + 16,
                       net__cksum_fold(net__cksum_add(0, t, c->len - l3)));
        }
    }
    if (st->loop_tail)
        st->loop_tail->next = c;
    else
        st->loop_head = c;
    st->loop_tail = c;
    st->loop_len++;
    return 0;
}

void net__flush(struct mote_net *st)
{
    if (st->in_flush)
        return;
    st->in_flush = true;
    /* Bounded, so two endpoints answering each other cannot hold the
     * caller forever; the rest waits for the next call (the deadline says
     * "now" while anything is queued). */
    for (int n = 0; n < 4 * LOOP_MAX && st->loop_head; n++) {
        struct net_pkt *p = st->loop_head;
        st->loop_head = p->next;
        if (!st->loop_head)
            st->loop_tail = NULL;
        st->loop_len--;
        const uint8_t *d = net__pkt_data(p);
        if ((d[0] >> 4) == 4)
            net__ipv4_input(st, d, p->len, false);
        else
            net__ipv6_input(st, d, p->len);
        net__pkt_free(p);
    }
    st->in_flush = false;
}

static void loop_release(struct mote_net *st)
{
    while (st->loop_head) {
        struct net_pkt *p = st->loop_head;
        st->loop_head = p->next;
        net__pkt_free(p);
    }
    st->loop_tail = NULL;
    st->loop_len = 0;
}

/* ---- Timers -----------------------------------------------------------------
 */

void mote_net_tick(struct mote_net *st, uint64_t now)
{
    st->now = now;
    net__neigh_tick(st);
    net__reass_tick(st);
    if (!st->cfg.no_ipv6)
        net__ndp_tick(st);
    net__dhcp_tick(st);
    net__tcp_tick(st);
    for (size_t i = 0; i < NET_PMTU_MAX; i++)
        if (st->pmtu[i].until && st->pmtu[i].until <= now)
            st->pmtu[i].until = 0;
    net__flush(st);
}

uint64_t mote_net_deadline(const struct mote_net *st)
{
    if (st->loop_head)
        return st->now; /* a flush was cut short */
    uint64_t d = net__neigh_deadline(st);
    d = net__min(d, net__reass_deadline(st));
    if (!st->cfg.no_ipv6)
        d = net__min(d, net__ndp_deadline(st));
    d = net__min(d, net__dhcp_deadline(st));
    d = net__min(d, net__tcp_deadline(st));
    for (size_t i = 0; i < NET_PMTU_MAX; i++)
        if (st->pmtu[i].until)
            d = net__min(d, st->pmtu[i].until);
    return d;
}

void mote_net_stats(const struct mote_net *st, struct mote_stack_stats *out)
{
    *out = st->stats;
}

size_t mote_net_addresses(const struct mote_net *st, struct mote_ipprefix *out,
                          size_t max)
{
    size_t n = 0;
    if (st->v4.addr.family == MOTE_IP_V4) {
        if (n < max)
            out[n] = st->v4;
        n++;
    }
    for (size_t i = 0; i < NET_ADDR6_MAX; i++) {
        uint8_t s = st->addr6[i].state;
        if (s == NET_ADDR_PREFERRED || s == NET_ADDR_DEPRECATED) {
            if (n < max)
                out[n] = st->addr6[i].p;
            n++;
        }
    }
    return n;
}

/* ---- Services for the layers ------------------------------------------------
 */

void net__random(struct mote_net *st, void *buf, size_t n)
{
    st->cfg.random(st->cfg.random_ctx, buf, n);
}

uint32_t net__random_u32(struct mote_net *st)
{
    uint32_t v;
    net__random(st, &v, sizeof(v));
    return v;
}

uint64_t net__now(const struct mote_net *st)
{
    return st->now;
}

struct mote_stack_stats *net__stats(struct mote_net *st)
{
    return &st->stats;
}

void **net__tcp_state(struct mote_net *st)
{
    return &st->tcp;
}

bool net__icmp_rate_ok(struct mote_net *st)
{
    uint64_t per = MOTE_NS_PER_SEC / NET_ICMP_RATE;
    if (st->now > st->icmp_refill) {
        uint64_t add = (st->now - st->icmp_refill) / per;
        if (add) {
            st->icmp_tokens =
                (uint32_t)net__min(NET_ICMP_BURST, st->icmp_tokens + add);
            st->icmp_refill += add * per;
        }
    }
    if (!st->icmp_tokens)
        return false;
    st->icmp_tokens--;
    return true;
}

int net__ip_output(struct mote_net *st, uint8_t proto,
                   const struct mote_ipaddr *src, const struct mote_ipaddr *dst,
                   struct net_pkt *payload)
{
    if (src->family != dst->family)
        return MOTE_EAFNOSUPPORT;
    if (dst->family == MOTE_IP_V4)
        return net__ipv4_output(st, proto, src, dst, payload,
                                proto == NET_PROTO_TCP);
    if (dst->family == MOTE_IP_V6 && !st->cfg.no_ipv6)
        return net__ipv6_output(st, proto, src, dst, payload, 0);
    return MOTE_EAFNOSUPPORT;
}

int net__ip_select_src(struct mote_net *st, const struct mote_ipaddr *dst,
                       struct mote_ipaddr *src)
{
    if (dst->family == MOTE_IP_V4) {
        if (st->v4.addr.family != MOTE_IP_V4)
            return MOTE_EADDRNOTAVAIL;
        if (!mote_ipprefix_contains(&st->v4, dst) &&
            !mote_ipaddr_equal(dst, &st->v4.addr) &&
            st->v4_gw.family != MOTE_IP_V4 &&
            mote_ipaddr_v4_u32(dst) != 0xffffffffu)
            return MOTE_ENETUNREACH;
        *src = st->v4.addr;
        return 0;
    }
    if (dst->family == MOTE_IP_V6 && !st->cfg.no_ipv6)
        return net__ipv6_select_src(st, dst, src);
    return MOTE_EAFNOSUPPORT;
}

bool net__ip_is_local(const struct mote_net *st, const struct mote_ipaddr *a)
{
    if (a->family == MOTE_IP_V4)
        return st->v4.addr.family == MOTE_IP_V4 &&
               memcmp(a->bytes, st->v4.addr.bytes, 4) == 0;
    if (a->family == MOTE_IP_V6) {
        int s = net__ipv6_addr_state(st, a);
        return s == NET_ADDR_PREFERRED || s == NET_ADDR_DEPRECATED;
    }
    return false;
}

static bool same_addr(const struct mote_ipaddr *a, const struct mote_ipaddr *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

size_t net__ip_mtu(struct mote_net *st, const struct mote_ipaddr *dst)
{
    size_t mtu = st->mtu;
    for (size_t i = 0; i < NET_PMTU_MAX; i++)
        if (st->pmtu[i].until && same_addr(&st->pmtu[i].dst, dst) &&
            st->pmtu[i].mtu < mtu)
            mtu = st->pmtu[i].mtu;
    return mtu;
}

size_t net__ip_hdr_len(const struct mote_ipaddr *dst)
{
    return dst->family == MOTE_IP_V6 ? 40 : 20;
}

void net__pmtu_update(struct mote_net *st, const struct mote_ipaddr *dst,
                      uint32_t mtu)
{
    /* Floors: RFC 1191 section 3 suggests never below 68; we use 576, what
     * every IPv4 host must accept, since lower values only arrive in
     * attacks (RFC 8201 and Linux's min_pmtu do likewise). IPv6: 1280. */
    uint32_t floor = dst->family == MOTE_IP_V6 ? 1280 : 576;
    if (mtu < floor)
        mtu = floor;
    if (mtu >= st->mtu)
        return;
    size_t slot = NET_PMTU_MAX, oldest = 0;
    for (size_t i = 0; i < NET_PMTU_MAX; i++) {
        if (st->pmtu[i].until && same_addr(&st->pmtu[i].dst, dst)) {
            slot = i;
            break;
        }
        if (!st->pmtu[i].until && slot == NET_PMTU_MAX)
            slot = i;
        if (st->pmtu[i].until < st->pmtu[oldest].until)
            oldest = i;
    }
    if (slot == NET_PMTU_MAX)
        slot = oldest;
    st->pmtu[slot].dst = *dst;
    st->pmtu[slot].dst.zone[0] = 0;
    st->pmtu[slot].mtu = mtu;
    /* RFC 1191 section 6.3 / RFC 8201 section 4: try larger after 10 min. */
    st->pmtu[slot].until = st->now + 600 * MOTE_NS_PER_SEC;
}

/* ---- Upper-layer dispatch ---------------------------------------------------
 */

void net__l4_input(struct mote_net *st, uint8_t proto,
                   const struct mote_ipaddr *src, const struct mote_ipaddr *dst,
                   const uint8_t *p, size_t len, const uint8_t *ip,
                   size_t ip_len, bool multicast)
{
    switch (proto) {
    case NET_PROTO_UDP:
        net__udp_input(st, src, dst, p, len, ip, ip_len);
        return;
    case NET_PROTO_TCP: {
        st->stats.tcp_rx++;
        /* RFC 9293 3.10.7: TCP is unicast only. */
        if (multicast || len < 20) {
            st->stats.drops[multicast ? MOTE_NET_DROP_NOT_FOR_US
                                      : MOTE_NET_DROP_SHORT]++;
            return;
        }
        uint32_t sum =
            net__cksum_pseudo(src, dst, NET_PROTO_TCP, (uint32_t)len);
        if (!st->rx_csum_ok &&
            net__cksum_fold(net__cksum_add(sum, p, len)) != 0) {
            st->stats.drops[MOTE_NET_DROP_CHECKSUM]++;
            return;
        }
        net__tcp_input(st, src, dst, p, len);
        return;
    }
    default:
        st->stats.drops[MOTE_NET_DROP_PROTO]++;
        return;
    }
}

void net__l4_error(struct mote_net *st, int err, uint8_t proto,
                   const struct mote_ipaddr *local,
                   const struct mote_ipaddr *remote, const uint8_t *p,
                   size_t len, uint32_t mtu)
{
    if (len < 8)
        return;
    if (proto == NET_PROTO_TCP)
        net__tcp_icmp_error(st, err, local, remote, p, len, mtu);
    else if (proto == NET_PROTO_UDP)
        net__udp_icmp_error(st, err, local, remote, p, len);
    else if (proto == NET_PROTO_ICMP || proto == NET_PROTO_ICMPV6)
        net__ping_error(st, err, p, len);
}

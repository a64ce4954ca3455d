/* UDP (RFC 768) over IPv4 and IPv6, and its mote_udp face. */
#include <stdlib.h>
#include <string.h>

#include <mote/error.h>

#include "net_priv.h"

/*
 * Header: source port, destination port, length (header + data), checksum;
 * 2 bytes each. Checksum 0 means "none" over IPv4 only (RFC 768); over
 * IPv6 it is mandatory (RFC 8200 section 8.1) and a zero one is dropped.
 *
 * Each endpoint keeps a FIFO of received datagrams (at most udp_queue_max;
 * more are dropped and counted QUEUE_FULL) and a wait queue of fibers in
 * recvfrom. ICMP errors about datagrams an endpoint sent are recorded in
 * its soft_err (the last one, with the destination it concerned) for
 * mote_udp_take_error; they are not reported by recvfrom or sendto, as
 * on an unconnected BSD socket.
 */

struct udp_dgram {
    struct udp_dgram *next;
    struct mote_endpoint from;
    size_t len;
    uint8_t data[];
};

struct net_udp {
    struct mote_udp udp;
    struct mote_net *st;
    struct net_udp *next;
    struct mote_endpoint local;
    struct udp_dgram *head, *tail;
    size_t qlen;
    struct mote_waitq waiters;
    int soft_err;
    struct mote_endpoint err_about; /* where the failed datagram went */
    bool closed;
};

#define UDP_HLEN 8

int net__udp_send(struct mote_net *st, const struct mote_ipaddr *src,
                  uint16_t sport, const struct mote_ipaddr *dst, uint16_t dport,
                  const void *data, size_t len)
{
    size_t max = 65535 - UDP_HLEN - (dst->family == MOTE_IP_V6 ? 0 : 20);
    if (len > max)
        return MOTE_EMSGSIZE;
    struct net_pkt *p = net__pkt_alloc(st, UDP_HLEN + len);
    if (!p) {
        st->stats.drops[MOTE_NET_DROP_NOMEM]++;
        return MOTE_ENOMEM;
    }
    uint8_t *h = net__pkt_data(p);
    net__put16(h, sport);
    net__put16(h + 2, dport);
    net__put16(h + 4, (uint16_t)(UDP_HLEN + len));
    net__put16(h + 6, 0);
    if (len)
        memcpy(h + UDP_HLEN, data, len);
    uint32_t sum =
        net__cksum_pseudo(src, dst, NET_PROTO_UDP, (uint32_t)(UDP_HLEN + len));
    uint16_t c = net__cksum_fold(net__cksum_add(sum, h, UDP_HLEN + len));
    net__put16(h + 6, c ? c : 0xffff); /* 0 is "none": send all ones */
    int err = net__ip_output(st, NET_PROTO_UDP, src, dst, p);
    if (err == 0)
        st->stats.udp_tx++;
    net__pkt_free(p);
    return err;
}

static bool ep_matches(const struct net_udp *u, const struct mote_ipaddr *dst,
                       uint16_t port)
{
    if (u->closed || u->local.port != port)
        return false;
    const struct mote_ipaddr *a = &u->local.addr;
    if (a->family == MOTE_IP_NONE)
        return true;
    if (a->family != dst->family)
        return false;
    static const uint8_t zero[16];
    if (memcmp(a->bytes, zero, 16) == 0)
        return true;
    return memcmp(a->bytes, dst->bytes, 16) == 0;
}

void net__udp_input(struct mote_net *st, const struct mote_ipaddr *src,
                    const struct mote_ipaddr *dst, const uint8_t *p, size_t len,
                    const uint8_t *ip, size_t ip_len)
{
    if (len < UDP_HLEN) {
        st->stats.drops[MOTE_NET_DROP_SHORT]++;
        return;
    }
    size_t ulen = net__get16(p + 4);
    if (ulen < UDP_HLEN || ulen > len) {
        st->stats.drops[ulen > len ? MOTE_NET_DROP_SHORT
                                   : MOTE_NET_DROP_MALFORMED]++;
        return;
    }
    uint16_t ck = net__get16(p + 6);
    if (ck == 0 && src->family == MOTE_IP_V6) {
        st->stats.drops[MOTE_NET_DROP_CHECKSUM]++;
        return;
    }
    /* rx_csum_ok: the device checked it, or will never send it wrong (a
     * partial checksum from the host's own stack). */
    if (ck != 0 && !st->rx_csum_ok) {
        uint32_t sum =
            net__cksum_pseudo(src, dst, NET_PROTO_UDP, (uint32_t)ulen);
        if (net__cksum_fold(net__cksum_add(sum, p, ulen)) != 0) {
            st->stats.drops[MOTE_NET_DROP_CHECKSUM]++;
            return;
        }
    }
    st->stats.udp_rx++;
    uint16_t sport = net__get16(p), dport = net__get16(p + 2);
    if (src->family == MOTE_IP_V4 && dport == 68 && sport == 67 &&
        net__dhcp_input(st, p + UDP_HLEN, ulen - UDP_HLEN))
        return;

    struct net_udp *u = st->udp_list;
    while (u && !ep_matches(u, dst, dport))
        u = u->next;
    if (!u) {
        st->stats.drops[MOTE_NET_DROP_NO_PORT]++;
        /* RFC 1122 4.1.3.1: port unreachable, for unicast only. */
        bool unicast =
            src->family == MOTE_IP_V4
                ? net__ip_is_local(st, dst)
                : net__ip_is_local(st, dst) && !mote_ipaddr_is_multicast(dst);
        if (unicast) {
            if (src->family == MOTE_IP_V4)
                net__icmp4_error(st, 3, 3, 0, ip, ip_len);
            else
                net__icmp6_error(st, 1, 4, 0, ip, ip_len);
        }
        return;
    }
    if (u->qlen >= st->cfg.udp_queue_max) {
        st->stats.drops[MOTE_NET_DROP_QUEUE_FULL]++;
        return;
    }
    size_t n = ulen - UDP_HLEN;
    struct udp_dgram *d = malloc(sizeof(*d) + n);
    if (!d) {
        st->stats.drops[MOTE_NET_DROP_NOMEM]++;
        return;
    }
    d->next = NULL;
    d->from.addr = *src;
    d->from.port = sport;
    d->len = n;
    memcpy(d->data, p + UDP_HLEN, n);
    if (u->tail)
        u->tail->next = d;
    else
        u->head = d;
    u->tail = d;
    u->qlen++;
    mote_wake_one(&u->waiters);
}

void net__udp_icmp_error(struct mote_net *st, int err,
                         const struct mote_ipaddr *local,
                         const struct mote_ipaddr *remote, const uint8_t *p,
                         size_t len)
{
    if (len < 4)
        return;
    uint16_t sport = net__get16(p);
    for (struct net_udp *u = st->udp_list; u; u = u->next)
        if (ep_matches(u, local, sport)) {
            u->soft_err = err;
            u->err_about.addr = *remote;
            u->err_about.port = net__get16(p + 2);
            return;
        }
}

/* ---- The mote_udp face ------------------------------------------------------
 */

static int udp_sendto(struct mote_udp *mu, const void *buf, size_t size,
                      const struct mote_endpoint *to)
{
    struct net_udp *u = (struct net_udp *)mu;
    struct mote_net *st = u->st;
    if (u->closed)
        return MOTE_ECLOSED;
    if (to->port == 0)
        return MOTE_EINVAL;
    struct mote_ipaddr dst = to->addr;
    struct mote_ipaddr v4;
    if (mote_ipaddr_mapped_to_v4(&dst, &v4))
        dst = v4;
    if (u->local.addr.family != MOTE_IP_NONE &&
        u->local.addr.family != dst.family)
        return MOTE_EAFNOSUPPORT;
    /* st->now is the time of the adapter's last input or tick (at most
     * its poll interval ago): timers armed here are late by that much. */
    struct mote_ipaddr src;
    static const uint8_t zero[16];
    if (u->local.addr.family != MOTE_IP_NONE &&
        memcmp(u->local.addr.bytes, zero, 16) != 0) {
        src = u->local.addr;
    } else {
        int err = net__ip_select_src(st, &dst, &src);
        if (err)
            return err;
    }
    int err = net__udp_send(st, &src, u->local.port, &dst, to->port, buf, size);
    net__flush(st); /* a datagram to ourselves is delivered now */
    return err == MOTE_ENOMEM ? MOTE_EAGAIN : err;
}

static int udp_recvfrom(struct mote_udp *mu, void *buf, size_t size, size_t *n,
                        struct mote_endpoint *from, uint64_t deadline)
{
    struct net_udp *u = (struct net_udp *)mu;
    while (!u->head) {
        if (u->closed)
            return MOTE_ECLOSED;
        int err = mote_wait(&u->waiters, deadline);
        if (err)
            return err;
    }
    struct udp_dgram *d = u->head;
    u->head = d->next;
    if (!u->head)
        u->tail = NULL;
    u->qlen--;
    size_t c = net__min(size, d->len);
    memcpy(buf, d->data, c);
    *n = c;
    if (from)
        *from = d->from;
    free(d);
    return 0;
}

static int udp_local(struct mote_udp *mu, struct mote_endpoint *out)
{
    *out = ((struct net_udp *)mu)->local;
    return 0;
}

static void udp_close(struct mote_udp *mu)
{
    struct net_udp *u = (struct net_udp *)mu;
    struct mote_net *st = u->st;
    for (struct net_udp **pp = &st->udp_list; *pp; pp = &(*pp)->next)
        if (*pp == u) {
            *pp = u->next;
            break;
        }
    while (u->head) {
        struct udp_dgram *d = u->head;
        u->head = d->next;
        free(d);
    }
    u->closed = true;
    /* Fibers still in recvfrom would touch freed memory: closing with
     * waiters is a contract violation of <mote/stack.h>'s ownership rule,
     * but wake them anyway so the bug shows as ECLOSED in tests. */
    if (!mote_waitq_empty(&u->waiters)) {
        mote_wake_all(&u->waiters);
        return; /* NEEDSWORK: leaks u to stay memory-safe */
    }
    free(u);
}

static int udp_take_error(struct mote_udp *mu, struct mote_endpoint *about)
{
    struct net_udp *u = (struct net_udp *)mu;
    int err = u->soft_err;
    if (err && about)
        *about = u->err_about;
    u->soft_err = 0;
    return err;
}

static const struct mote_udp_ops udp_ops = {
    .sendto = udp_sendto,
    .recvfrom = udp_recvfrom,
    .local = udp_local,
    .close = udp_close,
    .take_error = udp_take_error,
};

/* The generic entry (declared in mote/stack.h; here, beside the only
 * stack that keeps ICMP errors, so that the core need not change). */
int mote_udp_take_error(struct mote_udp *u, struct mote_endpoint *about)
{
    return u->ops->take_error ? u->ops->take_error(u, about) : 0;
}

static bool port_in_use(struct mote_net *st, const struct mote_ipaddr *a,
                        uint16_t port)
{
    for (struct net_udp *u = st->udp_list; u; u = u->next) {
        if (u->local.port != port)
            continue;
        const struct mote_ipaddr *b = &u->local.addr;
        if (a->family == MOTE_IP_NONE || b->family == MOTE_IP_NONE ||
            (a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0))
            return true;
        static const uint8_t zero[16];
        if (a->family == b->family && (memcmp(a->bytes, zero, 16) == 0 ||
                                       memcmp(b->bytes, zero, 16) == 0))
            return true;
    }
    return false;
}

int net__udp_open(struct mote_net *st, const struct mote_endpoint *local,
                  struct mote_udp **out)
{
    struct mote_endpoint ep = *local;
    ep.addr.zone[0] = 0;
    static const uint8_t zero[16];
    if (ep.addr.family != MOTE_IP_NONE &&
        memcmp(ep.addr.bytes, zero, 16) != 0 && !net__ip_is_local(st, &ep.addr))
        return MOTE_EADDRNOTAVAIL;
    if (ep.addr.family == MOTE_IP_V6 && st->cfg.no_ipv6)
        return MOTE_EAFNOSUPPORT;
    if (ep.port == 0) {
        /* RFC 6056 section 3.3.1-style: random start in the dynamic
         * range, then linear probing. */
        int tries = 16384;
        uint16_t p = (uint16_t)(49152 + st->ephemeral_next % 16384);
        while (tries-- && port_in_use(st, &ep.addr, p))
            p = (uint16_t)(p == 65535 ? 49152 : p + 1);
        if (tries < 0)
            return MOTE_EADDRINUSE;
        st->ephemeral_next = (uint16_t)(net__random_u32(st));
        ep.port = p;
    } else if (port_in_use(st, &ep.addr, ep.port)) {
        return MOTE_EADDRINUSE;
    }
    struct net_udp *u = calloc(1, sizeof(*u));
    if (!u)
        return MOTE_ENOMEM;
    u->udp.ops = &udp_ops;
    u->st = st;
    u->local = ep;
    mote_waitq_init(&u->waiters);
    u->next = st->udp_list;
    st->udp_list = u;
    *out = &u->udp;
    return 0;
}

/* ICMP echo requests from the stack (mote_net_ping), both families. */
#include <stdlib.h>
#include <string.h>

#include <mote/core.h>
#include <mote/error.h>

#include "net_priv.h"

/*
 * A ping is a fiber-level call, like the UDP face: it sends one echo
 * request, waits on its own queue until the matching reply (identifier and
 * sequence), an ICMP error quoting the request, or the deadline. The round
 * trip is measured with the scheduler's clock (mote_now) on both ends, not
 * with the core's st->now, which can lag by the adapter's poll interval.
 */

struct net_ping {
    struct net_ping *next;
    uint16_t id, seq;
    bool done;
    int err;
    struct mote_waitq waiters;
};

static void finish(struct mote_net *st, uint16_t id, uint16_t seq, int err)
{
    for (struct net_ping *p = st->pings; p; p = p->next)
        if (p->id == id && p->seq == seq && !p->done) {
            p->done = true;
            p->err = err;
            mote_wake_all(&p->waiters);
            return;
        }
}

void net__ping_reply(struct mote_net *st, const uint8_t *icmp, size_t len)
{
    if (len >= 8)
        finish(st, net__get16(icmp + 4), net__get16(icmp + 6), 0);
}

void net__ping_error(struct mote_net *st, int err, const uint8_t *icmp,
                     size_t len)
{
    /* The quoted request: type 8 or 128, then id and sequence. */
    if (len >= 8 && (icmp[0] == 8 || icmp[0] == 128))
        finish(st, net__get16(icmp + 4), net__get16(icmp + 6),
               err == MOTE_ECONNREFUSED ? MOTE_EHOSTUNREACH : err);
}

int mote_net_ping(struct mote_net *st, const struct mote_ipaddr *dst,
                  size_t size, uint64_t deadline, uint64_t *rtt)
{
    if (size > 65000)
        return MOTE_EMSGSIZE;
    struct mote_ipaddr src, to = *dst;
    struct mote_ipaddr v4;
    if (mote_ipaddr_mapped_to_v4(&to, &v4))
        to = v4;
    int err = net__ip_select_src(st, &to, &src);
    if (err)
        return err;
    struct net_ping *p = calloc(1, sizeof(*p));
    uint8_t *body = malloc(size ? size : 1);
    if (!p || !body) {
        free(p);
        free(body);
        return MOTE_ENOMEM;
    }
    static uint16_t seq;
    p->id = (uint16_t)net__random_u32(st);
    p->seq = ++seq;
    mote_waitq_init(&p->waiters);
    for (size_t i = 0; i < size; i++)
        body[i] = (uint8_t)i;
    uint32_t rest = (uint32_t)p->id << 16 | p->seq;
    p->next = st->pings;
    st->pings = p;
    uint64_t t0 = mote_now();
    if (to.family == MOTE_IP_V4) {
        struct net_pkt *k = net__pkt_alloc(st, 8 + size);
        if (!k) {
            err = MOTE_ENOMEM;
        } else {
            uint8_t *h = net__pkt_data(k);
            h[0] = 8;
            h[1] = 0;
            net__put16(h + 2, 0);
            net__put32(h + 4, rest);
            memcpy(h + 8, body, size);
            net__put16(h + 2, net__cksum_fold(net__cksum_add(0, h, 8 + size)));
            err = net__ip_output(st, NET_PROTO_ICMP, &src, &to, k);
            net__pkt_free(k);
            if (!err)
                st->stats.icmp_tx++;
        }
    } else {
        err = net__icmp6_send(st, &src, &to, 128, 0, rest, body, size, 0);
    }
    net__flush(st); /* an echo to ourselves is answered now */
    while (!err && !p->done) {
        err = mote_wait(&p->waiters, deadline);
    }
    if (!err)
        err = p->err;
    if (!err && rtt)
        *rtt = mote_now() - t0;
    for (struct net_ping **pp = &st->pings; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    free(body);
    free(p);
    return err;
}

/* TCP adapter: the engine inside the direct stack, mote_flow and listeners. */
#include <stdlib.h>
#include <string.h>

#include <mote/core.h>
#include <mote/error.h>
#include <mote/log.h>

#include "net_priv.h"
#include "tcp_int.h"

/*
 * This file is the only part of TCP that knows about fibers and the IP
 * layer. It implements the net__tcp_* hooks of net_int.h:
 *
 *  - segments in: net__tcp_input -> tcp_input; what the engine queued goes
 *    out through net__ip_output (drain(), after every engine call);
 *  - timers: net__tcp_tick/net__tcp_deadline for the stack's own adapter,
 *    plus a small timer fiber, woken whenever a fiber's call may have
 *    armed an earlier timer (the stack's adapter only re-reads deadlines
 *    between frames);
 *  - the engine's notify hook wakes the fibers blocked on a connection
 *    (readers, writers/connectors) or a listener (acceptors), and frees a
 *    connection's memory when the engine reports TCP_EV_FREE.
 *
 * Memory: one allocation per connection (struct tflow with both rings).
 * The send ring starts small (SND_INIT) and, when the engine says the ring
 * is what limits the connection (tcp_send_want), moves to a larger
 * allocation of its own, doubling up to the stack's maximum
 * (mote_net_config.tcp_sndbuf): idle connections stay cheap, bulk ones
 * get about two congestion windows. The receive ring likewise starts at
 * RCV_INIT and doubles, when the engine's autotuning says the reader takes
 * more than half of it per RTT (tcp_recv_want), up to
 * mote_net_config.tcp_rcvbuf; the window-scale shift is chosen for that
 * maximum at SYN time.
 * Each listener keeps POOL_PER_LISTENER spare connections in the engine's
 * pool for passive opens and replaces each one accepted; beyond that the
 * engine answers with SYN cookies.
 */

#define SND_BUF           (1024u * 1024u)      /* defaults: mote_net_config */
#define SND_INIT          (16u * 1024u)        /* a send ring's first size */
#define RCV_BUF           (4u * 1024u * 1024u) /* the receive ring's max */
#define RCV_INIT          (64u * 1024u)        /* and its first size */
#define POOL_PER_LISTENER 16u
#define OUTQ_SEGS         256u

struct tcpnet {
    struct mote_net *net;
    struct tcp_stack eng;
    void *oq;
    struct mote_waitq timerq;
    struct mote_fiber *timer;
    uint64_t timer_sleep;    /* the deadline the timer fiber sleeps until */
    unsigned n_pool;         /* pcbs we put in the engine's pool */
    uint64_t mem;            /* bytes held by struct tflow blocks */
    uint32_t sndbuf, rcvbuf; /* ring sizes for new connections */
    uint32_t sndmax, rcvmax; /* rings grow up to these */
    struct tcp_pcb **hash;   /* the engine's table when we grew it */
};

struct tflow {
    struct mote_flow flow; /* first: the mote_flow face */
    struct tcp_pcb pcb;
    struct tcpnet *tn;
    struct mote_waitq rq, wq;
    uint8_t *sext; /* the send ring once grown out of mem[], or NULL */
    uint8_t *rext; /* the receive ring likewise */
    size_t held;   /* bytes counted in tn->mem for this connection */
    uint8_t mem[];
};

struct tlistener {
    struct mote_listener l; /* first */
    struct tcp_listener tl;
    struct tcpnet *tn;
    struct mote_waitq aq;
    unsigned given; /* spares this listener added to the pool */
};

static struct tcpnet *tn_of(struct mote_net *st)
{
    return *net__tcp_state(st);
}

static uint64_t now_of(struct tcpnet *tn)
{
    /* Fibers call in at any time: bring the stack's clock up to date, as
     * the UDP layer does. */
    tn->net->now = mote_now();
    return tn->net->now;
}

/* Keep the connection table's chains short: double the buckets when the
 * connections outnumber them twice (the engine does not allocate). A
 * failed allocation leaves the table as it is: slower, still right. */
static void grow_table(struct tcpnet *tn)
{
    unsigned n = tn->eng.hash_mask + 1;
    if (tn->eng.n_active <= 2 * n || n >= (1u << 24))
        return;
    struct tcp_pcb **b = malloc(2 * n * sizeof *b);
    if (!b)
        return;
    tcp_stack_rehash(&tn->eng, b, 2 * n);
    free(tn->hash); /* NULL while the engine used its own */
    tn->hash = b;
}

/* Send what the engine queued; a segment IP cannot take is lost (the
 * engine's timers recover, as for loss on the wire). */
static void drain(struct tcpnet *tn)
{
    const struct tcp_outseg *o;
    struct mote_stack_stats *ss = net__stats(tn->net);
    while ((o = tcp_out_peek(&tn->eng))) {
        struct net_pkt *p = net__pkt_alloc(tn->net, o->len);
        if (p) {
            memcpy(net__pkt_data(p), o->data, o->len);
            p->gso_size = o->gso_size;
            p->csum_partial = o->csum_partial;
            if (net__ip_output(tn->net, NET_PROTO_TCP, &o->src, &o->dst, p) ==
                0) {
                ss->tcp_tx++;
                if (o->data[13] & TCP_RST)
                    ss->tcp_rst_tx++;
            }
            net__pkt_free(p);
        } else {
            ss->drops[MOTE_NET_DROP_NOMEM]++;
        }
        tcp_out_pop(&tn->eng);
    }
    grow_table(tn);
    ss->tcp_retransmits = tn->eng.stats.retrans;
    ss->tcp_challenge_acks = tn->eng.stats.challenge_acks;
    ss->tcp_paws_drops = tn->eng.stats.paws_drops;
    ss->tcp_cookies_sent = tn->eng.stats.cookies_sent;
    ss->tcp_cookies_ok = tn->eng.stats.cookies_ok;
    ss->tcp_syn_drops = tn->eng.stats.syn_drops;
    ss->tcp_conns = tn->eng.n_active;
    ss->tcp_conn_mem = tn->mem;
    /* an earlier timer than the timer fiber sleeps to: wake it */
    if (tn->timer && tcp_deadline(&tn->eng) < tn->timer_sleep)
        mote_wake_one(&tn->timerq);
}

static void timer_fiber(void *arg)
{
    struct tcpnet *tn = arg;
    for (;;) {
        tn->timer_sleep = tcp_deadline(&tn->eng);
        int err = mote_wait(&tn->timerq, tn->timer_sleep);
        tn->timer_sleep = 0;
        if (err == MOTE_ECANCELED)
            return;
        uint64_t now = now_of(tn);
        if (tcp_deadline(&tn->eng) <= now) {
            tcp_tick(&tn->eng, now);
            drain(tn);
        }
    }
}

static int ensure_timer(struct tcpnet *tn)
{
    if (tn->timer)
        return 0;
    int err = mote_fiber_spawn(timer_fiber, tn, 64 * 1024, &tn->timer);
    if (err)
        return err;
    mote_fiber_set_name(tn->timer, "tcp-timer");
    return 0;
}

static void tflow_free(struct tflow *t)
{
    t->tn->mem -= t->held;
    free(t->sext);
    free(t->rext);
    free(t);
}

/* The writer found the send ring full: grow it if the engine wants a
 * larger one (see the top of the file). True if it grew. */
static bool grow_send(struct tflow *t)
{
    struct tcpnet *tn = t->tn;
    uint32_t want = tcp_send_want(&t->pcb);
    if (want > tn->sndmax)
        want = tn->sndmax;
    uint32_t old = t->pcb.scap;
    if (want <= old)
        return false;
    uint8_t *b = malloc(want);
    if (!b)
        return false; /* keep the ring it has */
    tcp_send_resize(&t->pcb, b, want);
    if (t->sext) {
        free(t->sext);
        t->held -= old;
        tn->mem -= old;
    }
    t->sext = b;
    t->held += want;
    tn->mem += want;
    return true;
}

static void notify(void *ctx, struct tcp_pcb *pcb, unsigned ev)
{
    (void)ctx;
    struct tflow *t = pcb->user;
    if (ev & TCP_EV_FREE) {
        if (mote_log_enabled("tcp", MOTE_LOG_DEBUG)) {
            const struct tcp_stats *x = &pcb->stack->stats;
            MOTE_LOG_DEBUG(
                "tcp",
                "closed :%u: srtt %lluus rto %llums cwnd %u; "
                "stack: segs %llu/%llu retrans %llu timeouts %llu "
                "fast %llu tlp %llu ooo %llu",
                pcb->lport, (unsigned long long)(pcb->srtt / 1000),
                (unsigned long long)(pcb->rto / 1000000), pcb->cwnd,
                (unsigned long long)x->in_segs, (unsigned long long)x->out_segs,
                (unsigned long long)x->retrans, (unsigned long long)x->timeouts,
                (unsigned long long)x->fast_rexmt, (unsigned long long)x->tlp,
                (unsigned long long)x->ooo_segs);
        }
        tflow_free(t);
        return;
    }
    if (ev & TCP_EV_ACCEPT) {
        struct tlistener *l = pcb->listener ? pcb->listener->user : NULL;
        if (l)
            mote_wake_one(&l->aq);
    }
    if (ev & (TCP_EV_READABLE | TCP_EV_ERROR))
        mote_wake_all(&t->rq);
    if (ev & (TCP_EV_WRITABLE | TCP_EV_CONNECTED | TCP_EV_ERROR))
        mote_wake_all(&t->wq);
}

static void random_hook(void *ctx, void *buf, size_t n)
{
    net__random(ctx, buf, n);
}

static const struct mote_flow_ops flow_ops;

/* The reader found the engine wants a larger receive ring: move it. */
static void grow_recv(struct tflow *t)
{
    struct tcpnet *tn = t->tn;
    uint32_t want = tcp_recv_want(&t->pcb), old = t->pcb.rcap;
    if (want > tn->rcvmax)
        want = tn->rcvmax;
    if (want <= old)
        return;
    uint8_t *b = malloc(want);
    if (!b || tcp_recv_resize(&t->pcb, now_of(tn), b, want) != 0) {
        free(b); /* keep the ring it has */
        return;
    }
    if (t->rext) {
        free(t->rext);
        t->held -= old;
        tn->mem -= old;
    }
    t->rext = b;
    t->held += want;
    tn->mem += want;
}

static struct tflow *tflow_new(struct tcpnet *tn)
{
    /* malloc, not calloc: the rings need no zeroing, and pages of them
     * an idle connection never reaches are never touched (RSS stays
     * small: docs/tcp.md has the figures). */
    size_t n = sizeof(struct tflow) + tn->sndbuf + tn->rcvbuf;
    struct tflow *t = malloc(n);
    if (!t)
        return NULL;
    memset(t, 0, sizeof *t);
    tn->mem += n;
    t->held = n;
    t->flow.ops = &flow_ops;
    t->flow.read_deadline = t->flow.write_deadline = MOTE_FOREVER;
    t->tn = tn;
    mote_waitq_init(&t->rq);
    mote_waitq_init(&t->wq);
    tcp_pcb_init(&t->pcb, t->mem, tn->sndbuf, t->mem + tn->sndbuf, tn->rcvbuf);
    tcp_pcb_set_rmax(&t->pcb, tn->rcvmax);
    t->pcb.user = t;
    return t;
}

/* A connection completed its handshake by SYN cookie while every spare was
 * taken (a burst of connections faster than the acceptors): give it memory
 * now rather than drop its ACK, whose loss would get its next segments
 * reset. */
static struct tcp_pcb *pcb_alloc_hook(void *ctx)
{
    struct tflow *t = tflow_new(tn_of(ctx));
    return t ? &t->pcb : NULL;
}

/* ---- net_int.h hooks ---------------------------------------------------- */

int net__tcp_init(struct mote_net *st)
{
    struct tcpnet *tn = calloc(1, sizeof *tn);
    if (!tn)
        return MOTE_ENOMEM;
    struct tcp_cfg c;
    memset(&c, 0, sizeof c);
    c.random = random_hook;
    c.notify = notify;
    c.pcb_alloc = pcb_alloc_hook;
    c.ctx = st;
    size_t mtu = st->mtu ? st->mtu : 1500;
    c.mss = (uint16_t)(mtu - 40);
    tn->sndmax = st->cfg.tcp_sndbuf ? (uint32_t)st->cfg.tcp_sndbuf : SND_BUF;
    tn->sndbuf = tn->sndmax < SND_INIT ? tn->sndmax : SND_INIT;
    tn->rcvmax = st->cfg.tcp_rcvbuf ? (uint32_t)st->cfg.tcp_rcvbuf : RCV_BUF;
    tn->rcvbuf = tn->rcvmax < RCV_INIT ? tn->rcvmax : RCV_INIT;
    c.no_checksum = true; /* the IP layer checked it */
    /* Send offloads (mote_net_config.offloads): partial checksums, and
     * super-segments the device cuts (docs/tcp.md, "TAP offloads"). */
    uint32_t off = st->cfg.offloads;
    if (off & MOTE_NET_OFFLOAD_CSUM) {
        c.csum_partial = true;
        c.gso_families =
            (uint8_t)(((off & MOTE_NET_OFFLOAD_TSO4) ? TCP_GSO_V4 : 0) |
                      ((off & MOTE_NET_OFFLOAD_TSO6) ? TCP_GSO_V6 : 0));
        if (c.gso_families)
            c.gso_max = TCP_GSO_MAX;
    }
    size_t n = tcp_outq_size(&c, OUTQ_SEGS);
    tn->oq = malloc(n);
    tn->net = st;
    mote_waitq_init(&tn->timerq);
    if (!tn->oq || tcp_stack_init(&tn->eng, &c, tn->oq, n) != 0) {
        free(tn->oq);
        free(tn);
        return MOTE_ENOMEM;
    }
    *net__tcp_state(st) = tn;
    return 0;
}

void net__tcp_release(struct mote_net *st)
{
    struct tcpnet *tn = tn_of(st);
    if (!tn)
        return;
    if (tn->timer) {
        mote_fiber_cancel(tn->timer);
        if (mote_fiber_self() && mote_fiber_self() != tn->timer)
            mote_fiber_join(tn->timer);
        /* NEEDSWORK: released off a fiber, the cancelled timer fiber may
         * still run once; then tn must stay allocated. */
    }
    while (tn->eng.pool) {
        struct tcp_pcb *p = tn->eng.pool;
        tn->eng.pool = p->qnext;
        tflow_free(p->user);
    }
    tcp_stack_release(&tn->eng);
    free(tn->hash);
    free(tn->oq);
    free(tn);
    *net__tcp_state(st) = NULL;
}

void net__tcp_input(struct mote_net *st, const struct mote_ipaddr *src,
                    const struct mote_ipaddr *dst, const uint8_t *seg,
                    size_t len)
{
    struct tcpnet *tn = tn_of(st);
    if (!tn)
        return;
    if (mote_ipaddr_is_multicast(dst))
        return; /* RFC 1122 4.2.3.10 */
    if (tcp_input(&tn->eng, net__now(st), src, dst, seg, len) != 0)
        net__stats(st)->drops[MOTE_NET_DROP_MALFORMED]++;
    drain(tn);
}

void net__tcp_icmp_error(struct mote_net *st, int err,
                         const struct mote_ipaddr *local,
                         const struct mote_ipaddr *remote, const uint8_t *seg,
                         size_t len, uint32_t mtu)
{
    struct tcpnet *tn = tn_of(st);
    if (!tn)
        return;
    if (err == MOTE_EMSGSIZE) {
        if (mtu)
            tcp_pmtu(&tn->eng, net__now(st), remote, mtu);
    } else if (len >= 8) {
        tcp_icmp_error(&tn->eng, net__now(st), local, net__get16(seg), remote,
                       net__get16(seg + 2), net__get32(seg + 4), err);
    }
    drain(tn);
}

void net__tcp_tick(struct mote_net *st)
{
    struct tcpnet *tn = tn_of(st);
    if (!tn)
        return;
    tcp_tick(&tn->eng, net__now(st));
    drain(tn);
}

uint64_t net__tcp_deadline(const struct mote_net *st)
{
    const struct tcpnet *tn = *net__tcp_state((struct mote_net *)st);
    return tn ? tcp_deadline(&tn->eng) : MOTE_FOREVER;
}

/* ---- Flows -------------------------------------------------------------- */

static int flow_read(struct mote_flow *f, void *buf, size_t size, size_t *n)
{
    struct tflow *t = (struct tflow *)f;
    *n = 0;
    for (;;) {
        size_t len;
        const uint8_t *r = tcp_recv_buf(&t->pcb, &len);
        if (r && size) {
            size_t k = len < size ? len : size;
            memcpy(buf, r, k);
            tcp_recv_ack(&t->pcb, now_of(t->tn), k);
            grow_recv(t);
            drain(t->tn);
            *n = k;
            return 0;
        }
        if (t->pcb.error && t->pcb.error != MOTE_ECLOSED)
            return t->pcb.error;
        if (tcp_recv_eof(&t->pcb) || !size || t->pcb.state == TCP_CLOSED ||
            t->pcb.state == TCP_NONE)
            return 0;
        int err = mote_wait(&t->rq, f->read_deadline);
        if (err)
            return err;
    }
}

static int flow_write(struct mote_flow *f, const void *buf, size_t size)
{
    struct tflow *t = (struct tflow *)f;
    const uint8_t *p = buf;
    while (size) {
        if (t->pcb.error)
            return t->pcb.error == MOTE_ECLOSED ? MOTE_EPIPE : t->pcb.error;
        size_t len;
        uint8_t *w = tcp_send_buf(&t->pcb, &len);
        if (w) {
            size_t k = len < size ? len : size;
            memcpy(w, p, k);
            tcp_send_ack(&t->pcb, now_of(t->tn), k);
            drain(t->tn);
            p += k;
            size -= k;
            continue;
        }
        if (grow_send(t))
            continue;
        enum tcp_state s = t->pcb.state;
        if (t->pcb.fin_queued || (s != TCP_SYN_SENT && s != TCP_SYN_RCVD &&
                                  s != TCP_ESTABLISHED && s != TCP_CLOSE_WAIT))
            return MOTE_EPIPE; /* shut down, or the connection is over */
        int err = mote_wait(&t->wq, f->write_deadline);
        if (err)
            return err;
    }
    return 0;
}

static int flow_shutdown(struct mote_flow *f)
{
    struct tflow *t = (struct tflow *)f;
    int err = tcp_shutdown(&t->pcb, now_of(t->tn));
    drain(t->tn);
    if (err == MOTE_ENOTSUP)
        return 0; /* already shut down or closed: nothing to add */
    return err;
}

static void flow_close(struct mote_flow *f)
{
    struct tflow *t = (struct tflow *)f;
    struct tcpnet *tn = t->tn;
    /* t may be freed inside tcp_close (TCP_EV_FREE) */
    tcp_close(&t->pcb, now_of(tn));
    drain(tn);
}

static const struct mote_flow_ops flow_ops = {
    .read = flow_read,
    .write = flow_write,
    .shutdown = flow_shutdown,
    .close = flow_close,
};

int net__tcp_connect(struct mote_net *st, const struct mote_endpoint *remote,
                     uint64_t deadline, struct mote_flow **out)
{
    struct tcpnet *tn = tn_of(st);
    *out = NULL;
    if (!tn)
        return MOTE_ENOMEM;
    if (!remote->port || remote->addr.family == MOTE_IP_NONE ||
        mote_ipaddr_is_unspecified(&remote->addr))
        return MOTE_EINVAL;
    struct mote_ipaddr src;
    uint64_t now = now_of(tn);
    int err = net__ip_select_src(st, &remote->addr, &src);
    if (err)
        return err;
    err = ensure_timer(tn);
    if (err)
        return err;
    struct tflow *t = tflow_new(tn);
    if (!t)
        return MOTE_ENOMEM;
    err = tcp_connect(&tn->eng, &t->pcb, now, &src, 0, &remote->addr,
                      remote->port);
    if (err) {
        tflow_free(t);
        return err;
    }
    size_t mtu = net__ip_mtu(st, &remote->addr);
    if (mtu)
        tcp_pmtu(&tn->eng, now, &remote->addr, (unsigned)mtu);
    drain(tn);
    while (t->pcb.state == TCP_SYN_SENT || t->pcb.state == TCP_SYN_RCVD) {
        err = mote_wait(&t->wq, deadline);
        if (err) {
            tcp_abort(&t->pcb, now_of(tn)); /* frees t */
            drain(tn);
            return err;
        }
    }
    if (t->pcb.error) {
        err = t->pcb.error;
        tcp_close(&t->pcb, now_of(tn)); /* frees t */
        drain(tn);
        return err;
    }
    *out = &t->flow;
    return 0;
}

/* ---- Listeners ---------------------------------------------------------- */

static int pool_add(struct tlistener *l)
{
    struct tflow *t = tflow_new(l->tn);
    if (!t)
        return MOTE_ENOMEM;
    tcp_pool_give(&l->tn->eng, &t->pcb);
    t->pcb.user = t;
    l->given++;
    return 0;
}

static int lst_accept(struct mote_listener *ml, uint64_t deadline,
                      struct mote_flow **out, struct mote_endpoint *peer)
{
    struct tlistener *l = (struct tlistener *)ml;
    *out = NULL;
    for (;;) {
        struct tcp_pcb *p = tcp_accept(&l->tl);
        if (p) {
            struct tflow *t = p->user;
            if (peer) {
                peer->addr = p->raddr;
                peer->port = p->rport;
            }
            pool_add(l); /* keep the spares topped up; cookies if not */
            *out = &t->flow;
            return 0;
        }
        int err = mote_wait(&l->aq, deadline);
        if (err)
            return err;
    }
}

static int lst_local(struct mote_listener *ml, struct mote_endpoint *out)
{
    struct tlistener *l = (struct tlistener *)ml;
    out->addr = l->tl.addr;
    out->port = l->tl.port;
    return 0;
}

static void lst_close(struct mote_listener *ml)
{
    struct tlistener *l = (struct tlistener *)ml;
    struct tcpnet *tn = l->tn;
    tcp_unlisten(&tn->eng, &l->tl, now_of(tn));
    drain(tn);
    /* take back as many spares as this listener gave, if they are idle */
    while (l->given && tn->eng.pool) {
        struct tcp_pcb *p = tn->eng.pool;
        tn->eng.pool = p->qnext;
        tn->eng.n_pool--;
        tflow_free(p->user);
        l->given--;
    }
    mote_wake_all(&l->aq);
    free(l);
}

static const struct mote_listener_ops listener_ops = {
    .accept = lst_accept,
    .local = lst_local,
    .close = lst_close,
};

int net__tcp_listen(struct mote_net *st, const struct mote_endpoint *local,
                    int backlog, struct mote_listener **out)
{
    struct tcpnet *tn = tn_of(st);
    *out = NULL;
    if (!tn)
        return MOTE_ENOMEM;
    now_of(tn);
    int err = ensure_timer(tn);
    if (err)
        return err;
    struct tlistener *l = calloc(1, sizeof *l);
    if (!l)
        return MOTE_ENOMEM;
    l->l.ops = &listener_ops;
    l->tn = tn;
    l->tl.user = l;
    mote_waitq_init(&l->aq);
    uint16_t port = local->port;
    unsigned bl = backlog <= 0 ? 128 : (unsigned)backlog;
    if (port) {
        err = tcp_listen(&tn->eng, &l->tl, &local->addr, port, bl);
    } else {
        err = MOTE_EADDRINUSE;
        for (int i = 0; i < 64 && err == MOTE_EADDRINUSE; i++) {
            uint16_t r;
            net__random(st, &r, sizeof r);
            err = tcp_listen(&tn->eng, &l->tl, &local->addr,
                             (uint16_t)(49152 + r % 16384), bl);
        }
    }
    if (err) {
        free(l);
        return err;
    }
    for (unsigned i = 0; i < POOL_PER_LISTENER && i < bl; i++)
        if (pool_add(l) != 0)
            break;
    *out = &l->l;
    return 0;
}

/* Unit tests for the TCP engine: forged segments, engines back to back. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/error.h>
#include <mote/ipaddr.h>

#include "../../src/net/tcp_int.h"
#include "tap.h"

/*
 * Two shapes of test, as in lwIP's test_tcp.c:
 *
 *  - one engine and a forged peer: the test writes segments by hand
 *    (seg_build), feeds them with tcp_input, and inspects what the engine
 *    queued (take_out). Connections are put straight into a state by
 *    playing the handshake.
 *  - two engines back to back over a simulated link (struct link) that
 *    loses, duplicates and reorders segments by a seeded schedule; time is
 *    simulated and jumps to the next event, so a "minute" of TCP time costs
 *    nothing.
 *
 * Every pcb comes from pcb_new() and is freed only on TCP_EV_FREE, so
 * `live` counts leaks: each test ends with live == 0.
 */

#define MS (1000000ULL)
#define S  (1000000000ULL)

/* ---- Pcbs and the notify hook ---------------------------------------- */

static int live; /* pcbs allocated and not yet reported free */

struct upcb {
    struct tcp_pcb pcb;
    unsigned events;
    uint8_t *ext;  /* a send ring grown out of mem[] (tcp_send_resize) */
    uint8_t *rext; /* a receive ring likewise (tcp_recv_resize) */
    uint8_t mem[];
};

static struct tcp_pcb *pcb_new(uint32_t scap, uint32_t rcap)
{
    struct upcb *u = calloc(1, sizeof *u + scap + rcap);
    tcp_pcb_init(&u->pcb, u->mem, scap, u->mem + scap, rcap);
    u->pcb.user = u;
    live++;
    return &u->pcb;
}

static unsigned events_of(struct tcp_pcb *p)
{
    return ((struct upcb *)p->user)->events;
}

static void trace_freed(struct tcp_pcb *pcb);

static void on_notify(void *ctx, struct tcp_pcb *pcb, unsigned ev)
{
    (void)ctx;
    struct upcb *u = pcb->user;
    u->events |= ev;
    if (ev & TCP_EV_FREE) {
        trace_freed(pcb);
        live--;
        free(u->ext);
        free(u->rext);
        free(u);
    }
}

static uint64_t rng_state = 1;
static uint64_t rng(void)
{
    /* xorshift64*: deterministic per seed */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static void fake_random(void *ctx, void *buf, size_t n)
{
    (void)ctx;
    uint8_t *p = buf;
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rng();
}

/* ---- One engine and a forged peer ------------------------------------ */

struct eng {
    struct tcp_stack st;
    void *oq;
    uint64_t now;
};

static struct mote_ipaddr ip_a, ip_b;

static void cfg_default(struct tcp_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->random = fake_random;
    c->notify = on_notify;
    c->msl = 1 * S;
}

static void eng_init(struct eng *e, const struct tcp_cfg *c, unsigned slots)
{
    size_t n = tcp_outq_size(c, slots);
    e->oq = aligned_alloc(8, (n + 7) & ~(size_t)7);
    int err = tcp_stack_init(&e->st, c, e->oq, n);
    if (err) {
        printf("# tcp_stack_init: %d\n", err);
        exit(1);
    }
    e->now = 1 * S;
}

static void eng_release(struct eng *e)
{
    tcp_stack_release(&e->st);
    free(e->oq);
}

/* A parsed copy of an output segment. */
struct pkt {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd;
    size_t dlen;
    uint8_t data[9100];
    bool has_ts, has_ws, has_sack_perm, has_mss;
    uint16_t mss;
    uint8_t ws;
    uint32_t tsval, tsecr;
    unsigned n_sack;
    uint32_t sack[4][2];
};

static void pkt_parse(const uint8_t *p, size_t len, struct pkt *k)
{
    memset(k, 0, sizeof *k);
    k->sport = (uint16_t)(p[0] << 8 | p[1]);
    k->dport = (uint16_t)(p[2] << 8 | p[3]);
    k->seq = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 |
             p[7];
    k->ack = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 |
             (uint32_t)p[10] << 8 | p[11];
    k->flags = p[13];
    k->wnd = (uint16_t)(p[14] << 8 | p[15]);
    size_t hl = (size_t)(p[12] >> 4) * 4;
    k->dlen = len - hl;
    /* a super-segment's payload is longer than data[]: keep its start */
    memcpy(k->data, p + hl,
           k->dlen < sizeof k->data ? k->dlen : sizeof k->data);
    for (size_t i = 20; i < hl;) {
        uint8_t kind = p[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        uint8_t l = p[i + 1];
        const uint8_t *v = p + i + 2;
        if (kind == 2) {
            k->has_mss = true;
            k->mss = (uint16_t)(v[0] << 8 | v[1]);
        } else if (kind == 3) {
            k->has_ws = true;
            k->ws = v[0];
        } else if (kind == 4) {
            k->has_sack_perm = true;
        } else if (kind == 5) {
            k->n_sack = (l - 2u) / 8;
            for (unsigned j = 0; j < k->n_sack && j < 4; j++)
                for (int w = 0; w < 2; w++) {
                    const uint8_t *q = v + 8 * j + 4 * w;
                    k->sack[j][w] = (uint32_t)q[0] << 24 |
                                    (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 |
                                    q[3];
                }
        } else if (kind == 8) {
            k->has_ts = true;
            k->tsval = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 |
                       (uint32_t)v[2] << 8 | v[3];
            k->tsecr = (uint32_t)v[4] << 24 | (uint32_t)v[5] << 16 |
                       (uint32_t)v[6] << 8 | v[7];
        }
        i += l;
    }
}

/* Complete a partial checksum in seg[0..len) as a device would (virtio
 * NEEDS_CSUM: the field holds the pseudo-header sum; sum everything and
 * store the complement). */
static void csum_complete(uint8_t *seg, size_t len)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        s += (uint32_t)(seg[i] << 8 | seg[i + 1]);
    if (len & 1)
        s += (uint32_t)seg[len - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    uint16_t c = (uint16_t)~s;
    seg[16] = (uint8_t)(c >> 8);
    seg[17] = (uint8_t)c;
}

/* Pop the oldest queued output segment into k; false if none. Checks the
 * checksum of everything the engine sends (partial ones once completed
 * as the device would). */
static int bad_csum_out;
static bool take_out(struct eng *e, struct pkt *k)
{
    const struct tcp_outseg *o = tcp_out_peek(&e->st);
    if (!o)
        return false;
    if (o->csum_partial) {
        uint8_t *c = malloc(o->len);
        memcpy(c, o->data, o->len);
        if (tcp__pseudo_sum(&o->src, &o->dst, o->len) !=
            (uint16_t)(c[16] << 8 | c[17]))
            bad_csum_out++;
        csum_complete(c, o->len);
        if (tcp__checksum(&o->src, &o->dst, c, o->len) != 0)
            bad_csum_out++;
        free(c);
    } else if (tcp__checksum(&o->src, &o->dst, o->data, o->len) != 0) {
        bad_csum_out++;
    }
    pkt_parse(o->data, o->len, k);
    tcp_out_pop(&e->st);
    return true;
}

static unsigned count_out(struct eng *e)
{
    struct pkt k;
    unsigned n = 0;
    while (take_out(e, &k))
        n++;
    return n;
}

struct fseg {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd;
    const void *data;
    size_t dlen;
    bool ts;
    uint32_t tsval, tsecr;
    bool syn_opts; /* MSS 1460, WS 7, SACK-permitted */
    bool mss_opt;  /* MSS 1460 only */
    unsigned n_sack;
    uint32_t sack[4][2];
};

static size_t seg_build(const struct fseg *f, uint8_t *out)
{
    uint8_t opt[40];
    size_t n = 0;
    if (f->syn_opts) {
        const uint8_t o[] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 1, 1};
        memcpy(opt, o, sizeof o);
        n = sizeof o;
    } else if (f->mss_opt) {
        const uint8_t o[] = {2, 4, 0x05, 0xb4};
        memcpy(opt, o, sizeof o);
        n = sizeof o;
    }
    if (f->ts) {
        opt[n++] = 1;
        opt[n++] = 1;
        opt[n++] = 8;
        opt[n++] = 10;
        for (int i = 0; i < 4; i++)
            opt[n++] = (uint8_t)(f->tsval >> (24 - 8 * i));
        for (int i = 0; i < 4; i++)
            opt[n++] = (uint8_t)(f->tsecr >> (24 - 8 * i));
    }
    if (f->n_sack) {
        opt[n++] = 1;
        opt[n++] = 1;
        opt[n++] = 5;
        opt[n++] = (uint8_t)(2 + 8 * f->n_sack);
        for (unsigned j = 0; j < f->n_sack; j++)
            for (int w = 0; w < 2; w++)
                for (int i = 0; i < 4; i++)
                    opt[n++] = (uint8_t)(f->sack[j][w] >> (24 - 8 * i));
    }
    size_t hl = 20 + n;
    memset(out, 0, 20);
    out[0] = (uint8_t)(f->sport >> 8);
    out[1] = (uint8_t)f->sport;
    out[2] = (uint8_t)(f->dport >> 8);
    out[3] = (uint8_t)f->dport;
    for (int i = 0; i < 4; i++) {
        out[4 + i] = (uint8_t)(f->seq >> (24 - 8 * i));
        out[8 + i] = (uint8_t)(f->ack >> (24 - 8 * i));
    }
    out[12] = (uint8_t)((hl / 4) << 4);
    out[13] = f->flags;
    out[14] = (uint8_t)(f->wnd >> 8);
    out[15] = (uint8_t)f->wnd;
    memcpy(out + 20, opt, n);
    if (f->dlen)
        memcpy(out + hl, f->data, f->dlen);
    return hl + f->dlen;
}

/* Feed a forged segment from ip_b (the peer) to the engine at ip_a. */
static int feed(struct eng *e, const struct fseg *f)
{
    uint8_t buf[10000];
    size_t n = seg_build(f, buf);
    uint16_t c = tcp__checksum(&ip_b, &ip_a, buf, n);
    buf[16] = (uint8_t)(c >> 8);
    buf[17] = (uint8_t)c;
    return tcp_input(&e->st, e->now, &ip_b, &ip_a, buf, n);
}

static void advance(struct eng *e, uint64_t to)
{
    while (e->now < to) {
        uint64_t d = tcp_deadline(&e->st);
        if (d > to)
            d = to;
        if (d < e->now)
            d = e->now;
        e->now = d;
        tcp_tick(&e->st, e->now);
        if (d == to)
            break;
    }
}

/* A connection in ESTABLISHED, passively opened by the engine on port 80
 * from peer port 4000: the forged peer's ISN is 1000, ours is returned in
 * *iss. No options unless opts. */
struct fx {
    struct eng e;
    struct tcp_listener lst;
    struct tcp_pcb *pcb;
    uint32_t iss;  /* engine's */
    uint32_t pseq; /* peer's next sequence */
    uint32_t pack; /* what the peer has acked */
    uint32_t ptsv; /* peer TSval */
    bool ts;
};

static void fx_open(struct fx *x, const struct tcp_cfg *c, bool opts,
                    uint32_t scap, uint32_t rcap)
{
    memset(x, 0, sizeof *x);
    eng_init(&x->e, c, 64);
    tcp_pool_give(&x->e.st, pcb_new(scap, rcap));
    tcp_listen(&x->e.st, &x->lst, &ip_a, 80, 4);
    struct fseg f = {.sport = 4000,
                     .dport = 80,
                     .seq = 1000,
                     .flags = TCP_SYN,
                     .wnd = 65535,
                     .mss_opt = true};
    if (opts) {
        f.syn_opts = true;
        f.ts = true;
        f.tsval = x->ptsv = 5000;
        x->ts = true;
    }
    feed(&x->e, &f);
    struct pkt k;
    if (!take_out(&x->e, &k) || k.flags != (TCP_SYN | TCP_ACK)) {
        printf("# no SYN-ACK\n");
        exit(1);
    }
    x->iss = k.seq;
    x->pseq = 1001;
    x->pack = k.seq + 1;
    struct fseg a = {.sport = 4000,
                     .dport = 80,
                     .seq = 1001,
                     .ack = x->pack,
                     .flags = TCP_ACK,
                     .wnd = 65535};
    if (opts) {
        a.ts = true;
        a.tsval = ++x->ptsv;
        a.tsecr = k.tsval;
    }
    feed(&x->e, &a);
    x->pcb = tcp_accept(&x->lst);
    if (!x->pcb) {
        printf("# not accepted\n");
        exit(1);
    }
}

/* Peer sends data / flags at pseq, acking pack. */
static void fx_send(struct fx *x, uint8_t flags, const void *d, size_t n)
{
    struct fseg f = {.sport = 4000,
                     .dport = 80,
                     .seq = x->pseq,
                     .ack = x->pack,
                     .flags = flags,
                     .wnd = 65535,
                     .data = d,
                     .dlen = n};
    if (x->ts) {
        f.ts = true;
        f.tsval = ++x->ptsv;
    }
    feed(&x->e, &f);
    x->pseq += (uint32_t)n + ((flags & TCP_FIN) ? 1 : 0);
}

static void fx_close(struct fx *x)
{
    if (x->pcb)
        tcp_abort(x->pcb, x->e.now);
    tcp_unlisten(&x->e.st, &x->lst, x->e.now);
    count_out(&x->e);
    eng_release(&x->e);
}

/* ---- Forged-segment tests --------------------------------------------- */

static void test_closed_port(void)
{
    struct eng e;
    struct tcp_cfg c;
    cfg_default(&c);
    eng_init(&e, &c, 8);
    struct fseg f = {.sport = 4000, .dport = 81, .seq = 77, .flags = TCP_SYN};
    feed(&e, &f);
    struct pkt k;
    ok(take_out(&e, &k), "a SYN to a closed port is answered");
    is_int(k.flags, TCP_RST | TCP_ACK, "with RST,ACK");
    is_int(k.ack, 78, "acking SYN (SEG.SEQ + 1)");
    is_int(k.seq, 0, "seq 0");
    struct fseg a = {.sport = 4000,
                     .dport = 81,
                     .seq = 5,
                     .ack = 999,
                     .flags = TCP_ACK,
                     .data = "xy",
                     .dlen = 2};
    feed(&e, &a);
    ok(take_out(&e, &k), "an ACK to a closed port is answered");
    is_int(k.flags, TCP_RST, "with a bare RST");
    is_int(k.seq, 999, "seq = SEG.ACK");
    struct fseg r = {.sport = 4000, .dport = 81, .flags = TCP_RST};
    feed(&e, &r);
    is_int(count_out(&e), 0, "a RST is never answered");
    /* malformed: short, bad data offset, bad checksum */
    uint8_t junk[20] = {0};
    is_int(tcp_input(&e.st, e.now, &ip_b, &ip_a, junk, 10), MOTE_EINVAL,
           "short header refused");
    junk[12] = 0xf0;
    is_int(tcp_input(&e.st, e.now, &ip_b, &ip_a, junk, 20), MOTE_EINVAL,
           "data offset past the end refused");
    uint8_t buf[64];
    size_t n = seg_build(&f, buf);
    buf[16] = 0x12;
    is_int(tcp_input(&e.st, e.now, &ip_b, &ip_a, buf, n), MOTE_EINVAL,
           "bad checksum refused");
    is_int(e.st.stats.bad_csum, 1, "and counted");
    is_int(count_out(&e), 0, "nothing sent for any of them");
    eng_release(&e);
    is_int(live, 0, "no pcb leaked");
}

static void test_passive_open_options(void)
{
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    fx_open(&x, &c, true, 65536, 1 << 20);
    ok(x.pcb->state == TCP_ESTABLISHED, "ESTABLISHED after the handshake");
    ok(x.pcb->ts_ok && x.pcb->sack_ok && x.pcb->ws_ok,
       "timestamps, SACK and window scaling negotiated");
    is_int(x.pcb->snd_wscale, 7, "peer's shift taken");
    is_int(x.pcb->rcv_wscale, 5, "our shift fits a 1 MiB ring");
    is_int(x.pcb->smss, 1460 - 12, "MSS less the timestamp option");
    ok(events_of(x.pcb) & TCP_EV_ACCEPT, "accept event");
    /* send 4000 bytes: with IW10 all go out, each within MSS */
    size_t len;
    uint8_t *w = tcp_send_buf(x.pcb, &len);
    memset(w, 'a', 4000);
    tcp_send_ack(x.pcb, x.e.now, 4000);
    struct pkt k;
    unsigned n = 0;
    size_t bytes = 0, maxseg = 0;
    while (take_out(&x.e, &k)) {
        n++;
        bytes += k.dlen;
        if (k.dlen > maxseg)
            maxseg = k.dlen;
        ok(k.has_ts && k.tsecr == x.ptsv, "segment %u echoes our TSval", n);
    }
    is_int(bytes, 4000, "all 4000 bytes sent at once (IW10)");
    is_int(maxseg, 1448, "segments fill the MSS");
    is_int(bad_csum_out, 0, "every segment has a good checksum");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

/* A peer offering MSS 1460 over IPv6 on our 1500-byte link: segments must
 * still fit the link (1440 bytes of TCP payload less the timestamps). */
static void test_ipv6_mss_clamp(void)
{
    struct mote_ipaddr a = ip_a, b = ip_b;
    mote_ipaddr_parse("fd00::1", 7, &ip_a);
    mote_ipaddr_parse("fd00::2", 7, &ip_b);
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    fx_open(&x, &c, true, 65536, 65536);
    is_int(x.pcb->smss, 1440 - 12, "IPv6: MSS clamped to the link");
    size_t len;
    uint8_t *w = tcp_send_buf(x.pcb, &len);
    memset(w, 'a', 4000);
    tcp_send_ack(x.pcb, x.e.now, 4000);
    struct pkt k;
    size_t maxseg = 0;
    while (take_out(&x.e, &k))
        if (k.dlen > maxseg)
            maxseg = k.dlen;
    is_int(maxseg, 1428, "no segment larger than the link allows");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
    ip_a = a;
    ip_b = b;
}

/* The earliest timer of any active pcb; UINT64_MAX for none. */
static uint64_t earliest_timer(struct tcp_stack *st)
{
    uint64_t d = UINT64_MAX;
    for (struct tcp_pcb *p = st->active; p; p = p->anext) {
        const uint64_t t[6] = {p->t_rexmt, p->t_persist, p->t_delack,
                               p->t_keep,  p->t_wait,    p->t_tlp};
        for (int i = 0; i < 6; i++)
            if (t[i] && t[i] < d)
                d = t[i];
    }
    return d;
}

/* Many connections: a tick visits only the due ones (the timer heap), the
 * deadline is never later than any pcb's timer, the table grows. */
static void test_many_connections_timers(void)
{
    enum { N = 300 };
    struct eng e;
    struct tcp_cfg c;
    cfg_default(&c);
    c.keep_idle = 10 * S;
    c.keep_intvl = 1 * S;
    eng_init(&e, &c, 64);
    for (int i = 0; i < N; i++)
        tcp_pool_give(&e.st, pcb_new(4096, 4096));
    struct tcp_listener l;
    tcp_listen(&e.st, &l, &ip_a, 80, 1000);
    static struct tcp_pcb *conn[N];
    static uint32_t ours[N];
    unsigned opened = 0;
    for (int i = 0; i < N; i++) {
        struct fseg f = {.sport = (uint16_t)(2000 + i),
                         .dport = 80,
                         .seq = 1000,
                         .flags = TCP_SYN,
                         .wnd = 65535};
        feed(&e, &f);
        struct pkt k;
        if (!take_out(&e, &k))
            break;
        struct fseg a = {.sport = (uint16_t)(2000 + i),
                         .dport = 80,
                         .seq = 1001,
                         .ack = k.seq + 1,
                         .flags = TCP_ACK,
                         .wnd = 65535};
        feed(&e, &a);
        conn[i] = tcp_accept(&l);
        ours[i] = k.seq + 1;
        opened += conn[i] != NULL;
    }
    is_int(opened, N, "%d connections established", N);
    is_int(e.st.n_active, N, "all in the table");
    /* The handshake's stopped SYN-ACK timers left early keys: one tick
     * re-keys each pcb once, then idle connections are off the heap. */
    e.now += 2 * S;
    if (tcp_deadline(&e.st) <= e.now)
        tcp_tick(&e.st, e.now);
    ok(tcp_deadline(&e.st) == UINT64_MAX, "idle connections: no deadline");
    uint64_t v0 = e.st.stats.timer_visits;
    tcp_tick(&e.st, e.now + 60 * S);
    is_int(e.st.stats.timer_visits - v0, 0, "a tick visits no idle pcb");

    /* Keepalive on three: a tick at their time visits those three. */
    for (int i = 0; i < 3; i++)
        tcp_set_keepalive(conn[i * 100], e.now, true);
    v0 = e.st.stats.timer_visits;
    advance(&e, e.now + 10 * S);
    is_int(count_out(&e), 3, "three keepalive probes");
    is_int(e.st.stats.timer_visits - v0, 3, "the tick visited three pcbs");
    for (int i = 0; i < 3; i++)
        tcp_set_keepalive(conn[i * 100], e.now, false);

    /* Data on a random third, at random times: retransmission timers all
     * over; after every tick no pcb's timer is earlier than the deadline
     * and the deadline is reached. */
    bool never_late = true;
    for (int round = 0; round < 200; round++) {
        int i = (int)(rng() % N);
        size_t len;
        uint8_t *w = tcp_send_buf(conn[i], &len);
        if (w && len) {
            w[0] = 'x';
            tcp_send_ack(conn[i], e.now, 1);
        }
        e.now += rng() % (50 * 1000 * 1000);
        if (tcp_deadline(&e.st) <= e.now)
            tcp_tick(&e.st, e.now);
        count_out(&e);
        if (earliest_timer(&e.st) < tcp_deadline(&e.st))
            never_late = false;
    }
    ok(never_late, "the deadline is never later than a pcb's timer");

    /* Grow the table: every connection is still found (its data lands). */
    struct tcp_pcb **b = malloc(1024 * sizeof *b);
    tcp_stack_rehash(&e.st, b, 1024);
    unsigned found = 0;
    for (int i = 0; i < N; i++) {
        struct fseg d = {.sport = (uint16_t)(2000 + i),
                         .dport = 80,
                         .seq = 1001,
                         .ack = ours[i],
                         .flags = TCP_ACK | TCP_PSH,
                         .wnd = 65535,
                         .data = "hello",
                         .dlen = 5};
        feed(&e, &d);
        size_t len;
        found += tcp_recv_buf(conn[i], &len) && len == 5;
    }
    is_int(found, N, "after rehashing into 1024 buckets, all %d found", N);
    count_out(&e);
    for (int i = 0; i < N; i++)
        tcp_abort(conn[i], e.now);
    count_out(&e);
    ok(tcp_deadline(&e.st) == UINT64_MAX, "no timers left");
    tcp_unlisten(&e.st, &l, e.now);
    while (e.st.pool) { /* back in the pool: ours to free */
        struct tcp_pcb *p = e.st.pool;
        e.st.pool = p->qnext;
        free(p->user);
        live--;
    }
    eng_release(&e);
    free(b);
    is_int(live, 0, "no pcb leaked");
}

static void test_rst_handling(void)
{
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    fx_open(&x, &c, false, 4096, 4096);
    struct pkt k;
    /* RST in window but not at RCV.NXT: challenge ACK (RFC 5961 3.2) */
    struct fseg r = {
        .sport = 4000, .dport = 80, .seq = x.pseq + 100, .flags = TCP_RST};
    feed(&x.e, &r);
    ok(take_out(&x.e, &k), "in-window RST draws a reply");
    is_int(k.flags, TCP_ACK, "a challenge ACK");
    is_int(k.ack, x.pseq, "naming RCV.NXT");
    ok(x.pcb->state == TCP_ESTABLISHED, "connection survives");
    /* RST out of window: silence */
    r.seq = x.pseq + 100000;
    feed(&x.e, &r);
    is_int(count_out(&x.e), 0, "out-of-window RST ignored");
    /* SYN in ESTABLISHED: challenge ACK (RFC 5961 4.2) */
    struct fseg s = {.sport = 4000,
                     .dport = 80,
                     .seq = x.pseq + 5,
                     .flags = TCP_SYN,
                     .wnd = 100};
    feed(&x.e, &s);
    ok(take_out(&x.e, &k) && k.flags == TCP_ACK, "SYN draws a challenge ACK");
    ok(x.pcb->state == TCP_ESTABLISHED, "and does not reset");
    is_int(x.e.st.stats.challenge_acks, 2, "two challenge ACKs counted");
    /* ACK of data never sent: ACK back, ignore (3.10.7.4) */
    struct fseg a = {.sport = 4000,
                     .dport = 80,
                     .seq = x.pseq,
                     .ack = x.pack + 5000,
                     .flags = TCP_ACK,
                     .wnd = 100};
    feed(&x.e, &a);
    ok(take_out(&x.e, &k) && k.flags == TCP_ACK && k.ack == x.pseq,
       "ACK beyond SND.MAX answered with an ACK");
    /* exact RST: reset */
    r.seq = x.pseq;
    feed(&x.e, &r);
    ok(x.pcb->state == TCP_CLOSED, "exact RST closes");
    is_int(x.pcb->error, MOTE_ECONNRESET, "with ECONNRESET");
    ok(events_of(x.pcb) & TCP_EV_ERROR, "error event");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

static void test_out_of_window_data(void)
{
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    fx_open(&x, &c, false, 4096, 4096);
    struct pkt k;
    struct fseg d = {.sport = 4000,
                     .dport = 80,
                     .seq = x.pseq + 10000,
                     .ack = x.pack,
                     .flags = TCP_ACK,
                     .wnd = 100,
                     .data = "zzzz",
                     .dlen = 4};
    feed(&x.e, &d);
    ok(take_out(&x.e, &k) && k.ack == x.pseq, "out-of-window data ACKed");
    is_int(x.pcb->rlen, 0, "and not accepted");
    d.seq = x.pseq - 10; /* old duplicate, partly new */
    d.data = "0123456789ABCD";
    d.dlen = 14;
    feed(&x.e, &d);
    is_int(x.pcb->rlen, 4, "the new tail of an overlapping segment kept");
    size_t n;
    const uint8_t *r = tcp_recv_buf(x.pcb, &n);
    ok(n == 4 && memcmp(r, "ABCD", 4) == 0, "the right bytes");
    ok(take_out(&x.e, &k) && k.ack == x.pseq + 4, "ACKed at once");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

static void test_ooo_sack(void)
{
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    fx_open(&x, &c, true, 4096, 65536);
    struct pkt k;
    uint8_t data[3000];
    for (int i = 0; i < 3000; i++)
        data[i] = (uint8_t)(i * 7);
    uint32_t base = x.pseq;
    /* segments 2 and 3 first, then 1 */
    x.pseq = base + 1000;
    fx_send(&x, TCP_ACK, data + 1000, 1000);
    ok(take_out(&x.e, &k), "out-of-order segment ACKed at once");
    is_int(k.ack, base, "duplicate ACK");
    is_int(k.n_sack, 1, "with one SACK block");
    ok(k.sack[0][0] == base + 1000 && k.sack[0][1] == base + 2000,
       "covering it");
    x.pseq = base + 2500;
    fx_send(&x, TCP_ACK, data + 2500, 500);
    ok(take_out(&x.e, &k) && k.n_sack == 2, "two blocks");
    ok(k.sack[0][0] == base + 2500, "most recent first (RFC 2018 4)");
    x.pseq = base + 2000;
    fx_send(&x, TCP_ACK, data + 2000, 500);
    ok(take_out(&x.e, &k) && k.n_sack == 1 && k.sack[0][1] == base + 3000,
       "adjacent blocks merge");
    x.pseq = base;
    fx_send(&x, TCP_ACK, data, 1000);
    ok(take_out(&x.e, &k) && k.ack == base + 3000 && k.n_sack == 0,
       "hole filled: cumulative ACK, no SACK");
    is_int(x.pcb->rlen, 3000, "3000 bytes readable");
    uint8_t got[3000];
    size_t have = 0;
    while (have < 3000) {
        size_t n;
        const uint8_t *r = tcp_recv_buf(x.pcb, &n);
        if (!n)
            break;
        memcpy(got + have, r, n);
        have += n;
        tcp_recv_ack(x.pcb, x.e.now, n);
    }
    ok(have == 3000 && memcmp(got, data, 3000) == 0, "in order and intact");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

static void test_delayed_ack(void)
{
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    fx_open(&x, &c, false, 4096, 65536);
    struct pkt k;
    fx_send(&x, TCP_ACK, "a", 1);
    is_int(count_out(&x.e), 0, "one segment: ACK delayed");
    uint64_t d = tcp_deadline(&x.e.st);
    is_int(d - x.e.now, 40 * MS, "delayed-ACK timer 40 ms");
    advance(&x.e, d);
    ok(take_out(&x.e, &k) && k.ack == x.pseq, "ACK when it fires");
    fx_send(&x, TCP_ACK, "b", 1);
    fx_send(&x, TCP_ACK, "c", 1);
    ok(take_out(&x.e, &k) && k.ack == x.pseq, "second segment: ACK at once");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

static void test_nagle(void)
{
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    fx_open(&x, &c, false, 65536, 4096);
    size_t len;
    uint8_t *w = tcp_send_buf(x.pcb, &len);
    memcpy(w, "hello", 5);
    tcp_send_ack(x.pcb, x.e.now, 5);
    is_int(count_out(&x.e), 1, "first small write goes (nothing outstanding)");
    w = tcp_send_buf(x.pcb, &len);
    memcpy(w, "world", 5);
    tcp_send_ack(x.pcb, x.e.now, 5);
    is_int(count_out(&x.e), 0, "second waits for the ACK (Nagle)");
    tcp_set_nodelay(x.pcb, x.e.now, true);
    is_int(count_out(&x.e), 1, "no-delay sends it");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

/* Write n pattern bytes (byte k of the stream is k * 7 + 3) from *off. */
static void fx_write_pattern(struct fx *x, uint32_t *off, uint32_t n)
{
    while (n) {
        size_t len;
        uint8_t *w = tcp_send_buf(x->pcb, &len);
        if (!w)
            break;
        if (len > n)
            len = n;
        for (size_t j = 0; j < len; j++)
            w[j] = (uint8_t)((*off + j) * 7 + 3);
        tcp_send_ack(x->pcb, x->e.now, len);
        *off += (uint32_t)len;
        n -= (uint32_t)len;
    }
}

/* One queued segment as the device gets it: its offload fields, its
 * header, and whether its payload is the pattern from stream offset off
 * (seq - iss - 1). */
struct gout {
    uint16_t gso_size;
    bool partial, pattern_ok;
    struct pkt k; /* header fields (payload copy truncated) */
    uint32_t plen;
};

static bool take_gso(struct fx *x, struct gout *g)
{
    const struct tcp_outseg *o = tcp_out_peek(&x->e.st);
    if (!o)
        return false;
    g->gso_size = o->gso_size;
    g->partial = o->csum_partial;
    size_t hl = (size_t)(o->data[12] >> 4) * 4;
    g->plen = (uint32_t)(o->len - hl);
    pkt_parse(o->data, o->len, &g->k);
    uint32_t off = g->k.seq - x->iss - 1;
    g->pattern_ok = true;
    for (uint32_t j = 0; j < g->plen; j++)
        if (o->data[hl + j] != (uint8_t)((off + j) * 7 + 3))
            g->pattern_ok = false;
    /* the partial checksum, completed, must check over the whole */
    take_out(&x->e, &g->k);
    return true;
}

static void gso_cfg(struct tcp_cfg *c, uint8_t families)
{
    cfg_default(c);
    c->csum_partial = true;
    c->gso_families = families;
    c->gso_max = TCP_GSO_MAX;
}

/* Send offloads on one connection: what the engine queues for a device
 * that segments (super-segments of whole segments, the offload fields, a
 * partial checksum that completes right), what it does not (short tails,
 * retransmissions, a family the device cannot cut), and the receive side
 * taking a super-segment as "ACK now". */
static void test_gso_segments(void)
{
    struct fx x;
    struct tcp_cfg c;
    gso_cfg(&c, TCP_GSO_V4);
    bad_csum_out = 0;
    fx_open(&x, &c, true, 256 * 1024, 65536);
    uint32_t smss = x.pcb->smss;
    is_int(smss, 1448, "SMSS 1448 (1460 less timestamps)");
    uint32_t off = 0;
    fx_write_pattern(&x, &off, 100000);
    struct gout g;
    ok(take_gso(&x, &g), "a write of 100000 bytes queues a segment");
    is_int(g.gso_size, smss, "gso_size is the SMSS");
    is_int(g.plen, 10 * smss,
           "one super-segment of the initial window: 10 SMSS (RFC 6928)");
    ok(g.partial, "its checksum is left partial for the device");
    ok(g.pattern_ok && g.k.seq == x.iss + 1, "payload from the stream start");
    ok(g.k.has_ts && !(g.k.flags & (TCP_PSH | TCP_FIN)),
       "timestamps on it (copied to every piece), no PSH mid-stream");
    is_int(count_out(&x.e), 0, "nothing else: cwnd is full");
    is_int(x.e.st.stats.gso_segs, 1, "counted: 1 super-segment");
    is_int(x.e.st.stats.gso_bytes, 10 * smss, "of 10 SMSS payload bytes");

    /* The peer acks it: cwnd grows by 2 SMSS (ABC, L = 2), so 12 SMSS
     * more go, as one super-segment. */
    x.pack += 10 * smss;
    fx_send(&x, TCP_ACK, NULL, 0);
    bool got = take_gso(&x, &g);
    ok(got && g.gso_size == smss && g.plen == 12 * smss && g.pattern_ok,
       "after the ACK: one super-segment of 12 SMSS (%u bytes)", g.plen);
    is_int(count_out(&x.e), 0, "and nothing more");

    /* Loss: what the timers resend (tail loss probe, then RTO) is one
     * segment at a time, never a super-segment. */
    uint64_t to0 = x.e.st.stats.timeouts;
    unsigned nrx = 0;
    bool single = true;
    while (x.e.st.stats.timeouts == to0) {
        advance(&x.e, tcp_deadline(&x.e.st));
        while (take_gso(&x, &g)) {
            nrx++;
            single =
                single && g.gso_size == 0 && g.plen <= smss && g.pattern_ok;
        }
    }
    ok(nrx >= 2 && single,
       "%u retransmissions (probe, timeout): each SMSS-sized, plain", nrx);
    is_int(bad_csum_out, 0, "every partial checksum completes right");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");

    /* A short tail: the full segments as one super-segment, the rest
     * (under one SMSS) separately, through Nagle. */
    fx_open(&x, &c, true, 256 * 1024, 65536);
    off = 0;
    fx_write_pattern(&x, &off, 3 * smss + 100);
    got = take_gso(&x, &g);
    ok(got && g.gso_size == smss && g.plen == 3 * smss && g.pattern_ok,
       "3 SMSS + 100 bytes: a super-segment of exactly 3 SMSS (%u)", g.plen);
    got = take_gso(&x, &g);
    ok(got && g.gso_size == 0 && g.plen == 100 && g.pattern_ok &&
           (g.k.flags & TCP_PSH),
       "then the 100-byte tail alone, with PSH (%u)", g.plen);
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");

    /* Receive: a segment of more than one full segment (what a receive
     * offload hands over) is acknowledged at once, not delayed. */
    fx_open(&x, &c, true, 256 * 1024, 65536);
    uint8_t big[4 * 1448];
    memset(big, 'r', sizeof big);
    fx_send(&x, TCP_ACK, big, sizeof big);
    struct pkt k;
    ok(take_out(&x.e, &k) && k.ack == x.pseq,
       "a 4-segment super-segment received: ACKed at once");
    fx_send(&x, TCP_ACK, "s", 1);
    is_int(count_out(&x.e), 0, "a 1-byte segment after it: ACK delayed");
    is_int(bad_csum_out, 0, "every partial checksum completes right");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");

    /* The device cuts TCP/IPv6 only: an IPv4 connection gets partial
     * checksums but no super-segments. */
    gso_cfg(&c, TCP_GSO_V6);
    fx_open(&x, &c, true, 256 * 1024, 65536);
    off = 0;
    fx_write_pattern(&x, &off, 100000);
    unsigned n = 0;
    bool plain = true;
    while (take_gso(&x, &g)) {
        n++;
        plain = plain && g.gso_size == 0 && g.partial && g.plen <= smss;
    }
    ok(n == 10 && plain, "TSO6 only, IPv4: 10 plain segments (%u)", n);
    is_int(x.e.st.stats.gso_segs, 0, "no super-segment counted");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");

    /* A small peer window: the super-segment is cut to whole segments
     * within it (5000 bytes: 3 SMSS). */
    gso_cfg(&c, TCP_GSO_V4);
    fx_open(&x, &c, false, 256 * 1024, 65536);
    smss = x.pcb->smss;
    struct fseg w = {.sport = 4000,
                     .dport = 80,
                     .seq = x.pseq,
                     .ack = x.pack,
                     .flags = TCP_ACK,
                     .wnd = 5000};
    feed(&x.e, &w);
    count_out(&x.e);
    off = 0;
    fx_write_pattern(&x, &off, 20000);
    got = take_gso(&x, &g);
    ok(got && g.gso_size == smss && g.plen == 3 * smss,
       "peer window 5000: a super-segment of 3 SMSS (%u bytes)", g.plen);
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");

    /* Offloads without checksum offload are refused. */
    struct eng e;
    c.csum_partial = false;
    void *oq = aligned_alloc(8, 1 << 20);
    is_int(tcp_stack_init(&e.st, &c, oq, 1 << 20), MOTE_EINVAL,
           "gso_max without csum_partial: MOTE_EINVAL");
    free(oq);
}

/* tcp_recv_resize with unread and out-of-order data in a wrapped ring:
 * every byte keeps its place in the sequence space, the window opens at
 * once (an update is sent), and smaller sizes are refused. */
static void test_recv_resize(void)
{
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    memset(&x, 0, sizeof x);
    /* a 4 KiB ring that may grow to 256 KiB: the SYN-ACK offers the
     * shift for 256 KiB */
    eng_init(&x.e, &c, 64);
    struct tcp_pcb *sp = pcb_new(4096, 4096);
    tcp_pcb_set_rmax(sp, 256 * 1024);
    tcp_pool_give(&x.e.st, sp);
    tcp_listen(&x.e.st, &x.lst, &ip_a, 80, 4);
    struct fseg f = {.sport = 4000,
                     .dport = 80,
                     .seq = 1000,
                     .flags = TCP_SYN,
                     .wnd = 65535,
                     .syn_opts = true};
    feed(&x.e, &f);
    struct pkt k;
    bool got_k = take_out(&x.e, &k);
    ok(got_k && k.has_ws && k.ws == 3, /* 262144 >> 3 fits 16 bits */
       "window scale from the 256 KiB maximum (shift %u)", k.ws);
    x.iss = k.seq;
    x.pseq = 1001;
    x.pack = k.seq + 1;
    fx_send(&x, TCP_ACK, NULL, 0);
    x.pcb = tcp_accept(&x.lst);
    ok(x.pcb != NULL, "accepted");
    /* wrap the ring: 3000 bytes in and read, then A (1000, unread), a
     * hole of 500, C (700) out of order */
    uint8_t d[3000];
    for (int i = 0; i < 3000; i++)
        d[i] = (uint8_t)i;
    fx_send(&x, TCP_ACK, d, 3000);
    size_t len;
    const uint8_t *r = tcp_recv_buf(x.pcb, &len);
    tcp_recv_ack(x.pcb, x.e.now, len);
    uint8_t a[1000], b[500], cc[700];
    for (int i = 0; i < 1000; i++)
        a[i] = (uint8_t)(i * 3 + 1);
    for (int i = 0; i < 500; i++)
        b[i] = (uint8_t)(i * 5 + 2);
    for (int i = 0; i < 700; i++)
        cc[i] = (uint8_t)(i * 7 + 3);
    fx_send(&x, TCP_ACK, a, 1000);
    uint32_t hole = x.pseq;
    x.pseq += 500;
    fx_send(&x, TCP_ACK, cc, 700);
    count_out(&x.e);
    is_int(x.pcb->n_ooo, 1, "one out-of-order range held");
    uint8_t *nb = malloc(16384);
    is_int(tcp_recv_resize(x.pcb, x.e.now, nb, 4096), MOTE_EINVAL,
           "the same size: MOTE_EINVAL");
    is_int(tcp_recv_resize(x.pcb, x.e.now, nb, 16384), 0, "grown to 16 KiB");
    got_k = take_out(&x.e, &k);
    ok(got_k && ((uint32_t)k.wnd << 3) > 4096,
       "a window update goes out at once (%u bytes)", (unsigned)k.wnd << 3);
    struct upcb *u = x.pcb->user;
    free(u->rext);
    u->rext = nb;
    /* the hole arrives: A, B, C read back in order */
    uint32_t end = x.pseq;
    x.pseq = hole;
    fx_send(&x, TCP_ACK, b, 500);
    x.pseq = end;
    uint8_t all[2200];
    size_t got = 0;
    while ((r = tcp_recv_buf(x.pcb, &len)) && got + len <= sizeof all) {
        memcpy(all + got, r, len);
        got += len;
        tcp_recv_ack(x.pcb, x.e.now, len);
    }
    ok(got == 2200 && memcmp(all, a, 1000) == 0 &&
           memcmp(all + 1000, b, 500) == 0 && memcmp(all + 1500, cc, 700) == 0,
       "unread and out-of-order bytes kept their places (%zu bytes)", got);
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

/* The output queue holds variable-sized entries in a byte ring: fill it
 * with a mix of super-segments and small segments, drain part, refill
 * across the wrap, and every entry comes out whole and in order. */
static void test_outq_ring(void)
{
    struct fx x;
    struct tcp_cfg c;
    gso_cfg(&c, TCP_GSO_V4);
    c.gso_max = 8 * 1448;
    fx_open(&x, &c, true, 1 << 20, 65536);
    /* the queue: 64 slots of a full segment + 3 super-segments */
    x.pcb->cwnd = 1 << 30; /* no congestion limit: fill the queue */
    uint32_t off = 0, expect = x.iss + 1;
    unsigned got = 0, drops0 = (unsigned)x.e.st.stats.out_drops;
    bool order = true;
    for (int round = 0; round < 40; round++) {
        fx_write_pattern(&x, &off, 50000);
        /* take a few (not all): the ring wraps with entries still in it */
        struct gout g;
        for (int i = 0; i < 3 && take_gso(&x, &g); i++, got++) {
            order = order && g.k.seq == expect && g.pattern_ok;
            expect += g.plen;
        }
        x.pack = expect;
        fx_send(&x, TCP_ACK, NULL, 0);
    }
    struct gout g;
    while (take_gso(&x, &g)) {
        order = order && g.k.seq == expect && g.pattern_ok;
        expect += g.plen;
        got++;
    }
    ok(order && got > 40, "%u entries, in order, each whole (%u bytes)", got,
       expect - x.iss - 1);
    ok(x.e.st.stats.out_drops > drops0,
       "the queue did fill (%llu held back) and recovered",
       (unsigned long long)x.e.st.stats.out_drops);
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

/* Send-ring autotuning: tcp_send_want asks for more only when the ring is
 * full and could not hold two windows; tcp_send_resize straightens a
 * wrapped ring into the new buffer and sending goes on from it. */
static void test_send_resize(void)
{
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    fx_open(&x, &c, false, 4096, 4096);
    tcp_set_nodelay(x.pcb, x.e.now, true);
    uint32_t off = 0, base = x.iss + 1;
    fx_write_pattern(&x, &off, 3000);
    count_out(&x.e);
    x.pack = base + 2000;
    fx_send(&x, TCP_ACK, NULL, 0); /* the ring's head moves to 2000 */
    count_out(&x.e);
    fx_write_pattern(&x, &off, 3000); /* wraps */
    is_int(x.pcb->shead, 2000, "ring head at 2000");
    is_int(x.pcb->slen, 4000, "4000 bytes held, wrapped");
    is_int(tcp_send_want(x.pcb), 4096, "not full: no growth wanted");
    fx_write_pattern(&x, &off, 1000);
    is_int(x.pcb->slen, 4096, "full");
    uint32_t want = tcp_send_want(x.pcb);
    uint32_t two =
        2 * (x.pcb->cwnd < x.pcb->snd_wnd ? x.pcb->cwnd : x.pcb->snd_wnd);
    ok(want >= two && want / 2 < two && want % 4096 == 0 &&
           ((want / 4096) & (want / 4096 - 1)) == 0,
       "full: wants %u, the ring doubled until it holds two windows (%u)", want,
       two);
    struct upcb *u = x.pcb->user;
    uint8_t small[16];
    is_int(tcp_send_resize(x.pcb, small, sizeof small), MOTE_EINVAL,
           "a buffer smaller than the data is refused");
    ok(x.pcb->sbuf == u->mem && x.pcb->scap == 4096, "...and left alone");
    u->ext = malloc(want);
    is_int(tcp_send_resize(x.pcb, u->ext, want), 0, "resized");
    bool same = x.pcb->shead == 0 && x.pcb->slen == 4096;
    for (uint32_t k = 0; same && k < 4096; k++)
        same = u->ext[k] == (uint8_t)((2000 + k) * 7 + 3);
    ok(same, "the 4096 bytes kept their order from index 0");
    is_int(tcp_send_want(x.pcb), want, "not full any more");
    fx_write_pattern(&x, &off, 2000);
    is_int(x.pcb->slen, 6096, "room for more");
    /* the peer acks all it saw: what follows comes out of the new ring */
    bool right = true;
    uint32_t seen_to = base + 2000;
    for (int round = 0; round < 20 && seen_to != base + off; round++) {
        struct pkt k;
        while (take_out(&x.e, &k)) {
            for (size_t j = 0; j < k.dlen; j++)
                if (k.data[j] != (uint8_t)((k.seq - base + j) * 7 + 3))
                    right = false;
            if (k.dlen && k.seq + k.dlen - base <= off &&
                tcp_seq_gt(k.seq + (uint32_t)k.dlen, seen_to))
                seen_to = k.seq + (uint32_t)k.dlen;
        }
        x.pack = seen_to;
        fx_send(&x, TCP_ACK, NULL, 0);
    }
    ok(right, "every byte sent after the move is right");
    is_int(seen_to - base, off, "all %u bytes went out", off);
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

/* A connection with no timer running is not in the timer heap: the
 * handshake's retransmission timer and a flight's, once stopped, leave no
 * stale key behind (which would cost a visit, and the stack a wake-up,
 * for nothing). */
static void test_no_stale_timer(void)
{
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    fx_open(&x, &c, false, 4096, 4096);
    ok(tcp_deadline(&x.e.st) == UINT64_MAX,
       "established, no timer running: no deadline (%llu ns ahead)",
       (unsigned long long)(tcp_deadline(&x.e.st) - x.e.now));
    tcp_set_nodelay(x.pcb, x.e.now, true);
    uint32_t off = 0;
    fx_write_pattern(&x, &off, 100);
    count_out(&x.e);
    ok(tcp_deadline(&x.e.st) != UINT64_MAX, "data in flight: a deadline");
    x.pack = x.iss + 1 + 100;
    fx_send(&x, TCP_ACK, NULL, 0);
    ok(tcp_deadline(&x.e.st) == UINT64_MAX, "all acked: no deadline again");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

static void test_rto_backoff_timeout(void)
{
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    c.retries = 4;
    fx_open(&x, &c, false, 65536, 4096);
    size_t len;
    uint8_t *w = tcp_send_buf(x.pcb, &len);
    memset(w, 'q', 100);
    tcp_send_ack(x.pcb, x.e.now, 100);
    is_int(count_out(&x.e), 1, "sent");
    uint64_t t0 = x.e.now, prev = 0;
    bool doubling = true;
    for (int i = 0; i < 4; i++) {
        uint64_t d = tcp_deadline(&x.e.st);
        uint64_t gap = d - x.e.now;
        if (i == 0)
            is_int(gap, x.pcb->rto, "first RTO as computed");
        else if (gap != 2 * prev)
            doubling = false;
        prev = gap;
        advance(&x.e, d);
        struct pkt k;
        ok(take_out(&x.e, &k) && k.seq == x.pack && k.dlen == 100,
           "retransmission %d resends the data", i + 1);
    }
    ok(doubling, "each timeout doubles the RTO (RFC 6298 5.5)");
    advance(&x.e, tcp_deadline(&x.e.st));
    struct pkt k;
    ok(take_out(&x.e, &k) && (k.flags & TCP_RST), "gives up with a RST");
    is_int(x.pcb->error, MOTE_ETIMEDOUT, "ETIMEDOUT");
    ok(x.e.now - t0 >= 31 * x.pcb->rto / 32, "after 1+2+4+8+16 RTOs");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

static void test_zero_window_probe(void)
{
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    fx_open(&x, &c, false, 65536, 4096);
    /* the peer closes its window */
    struct fseg z = {.sport = 4000,
                     .dport = 80,
                     .seq = x.pseq,
                     .ack = x.pack,
                     .flags = TCP_ACK,
                     .wnd = 0};
    feed(&x.e, &z);
    size_t len;
    uint8_t *w = tcp_send_buf(x.pcb, &len);
    memset(w, 'z', 3000);
    tcp_send_ack(x.pcb, x.e.now, 3000);
    is_int(count_out(&x.e), 0, "nothing sent into a zero window");
    ok(x.pcb->t_persist != 0, "persist timer armed");
    unsigned probes = 0;
    for (int i = 0; i < 3; i++) {
        advance(&x.e, tcp_deadline(&x.e.st));
        struct pkt k;
        if (take_out(&x.e, &k) && k.seq == x.pack - 1 && k.dlen == 0)
            probes++;
        feed(&x.e, &z); /* still closed */
    }
    is_int(probes, 3, "window probes keep coming");
    ok(x.pcb->state == TCP_ESTABLISHED, "and never time the connection out");
    z.wnd = 65535;
    feed(&x.e, &z);
    struct pkt k;
    size_t bytes = 0;
    while (take_out(&x.e, &k))
        bytes += k.dlen;
    is_int(bytes, 3000, "window opens: data flows");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

static void test_receiver_zero_window(void)
{
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    fx_open(&x, &c, false, 4096, 4096);
    uint8_t d[1024];
    memset(d, 1, sizeof d);
    for (int i = 0; i < 4; i++)
        fx_send(&x, TCP_ACK | TCP_PSH, d, 1024);
    struct pkt k, last;
    memset(&last, 0, sizeof last);
    while (take_out(&x.e, &k))
        last = k;
    is_int(last.wnd, 0, "full ring advertises a zero window");
    fx_send(&x, TCP_ACK, d, 1);
    x.pseq--;
    ok(take_out(&x.e, &k) && k.ack == x.pseq && k.wnd == 0,
       "a probe is answered, its byte not taken");
    size_t n;
    tcp_recv_buf(x.pcb, &n);
    tcp_recv_ack(x.pcb, x.e.now, n);
    ok(take_out(&x.e, &k) && k.wnd > 0, "reading sends a window update");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

static void test_probe_carries_ack(void)
{
    /* Our ring is full (window 0) and our data is outstanding: the peer's
     * only segments are window probes, SEG.SEQ = RCV.NXT - 1. Their ACK
     * must count, or neither side moves until our RTO. */
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    fx_open(&x, &c, false, 65536, 4096);
    uint8_t d[1024];
    memset(d, 1, sizeof d);
    for (int i = 0; i < 4; i++)
        fx_send(&x, TCP_ACK | TCP_PSH, d, 1024);
    size_t len;
    uint8_t *w = tcp_send_buf(x.pcb, &len);
    memset(w, 'o', 1000);
    tcp_send_ack(x.pcb, x.e.now, 1000);
    count_out(&x.e);
    ok(x.pcb->snd_una != x.pcb->snd_max, "our data outstanding");
    struct fseg p = {.sport = 4000,
                     .dport = 80,
                     .seq = x.pseq - 1,
                     .ack = x.pack + 1000,
                     .flags = TCP_ACK,
                     .wnd = 65535};
    feed(&x.e, &p);
    ok(x.pcb->snd_una == x.pcb->snd_max, "the probe's ACK is taken");
    struct pkt k;
    ok(take_out(&x.e, &k) && k.ack == x.pseq && k.wnd == 0,
       "and the probe answered with our (zero) window");
    p.ack = x.pack + 5000;
    feed(&x.e, &p);
    ok(take_out(&x.e, &k) && k.flags == TCP_ACK,
       "a probe acking what we never sent: an ACK, nothing else");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

static void test_keepalive(void)
{
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    c.keep_idle = 10 * S;
    c.keep_intvl = 1 * S;
    c.keep_cnt = 3;
    fx_open(&x, &c, false, 4096, 4096);
    tcp_set_keepalive(x.pcb, x.e.now, true);
    advance(&x.e, x.e.now + 10 * S);
    struct pkt k;
    ok(take_out(&x.e, &k) && k.seq == x.pack - 1 && k.dlen == 0,
       "idle: a keepalive probe (SEG.SEQ = SND.NXT - 1)");
    fx_send(&x, TCP_ACK, NULL, 0); /* answered */
    advance(&x.e, x.e.now + 5 * S);
    is_int(count_out(&x.e), 0, "an answer restarts the idle time");
    advance(&x.e, x.e.now + 30 * S);
    unsigned n = count_out(&x.e);
    is_int(n, 4, "three probes, then a RST");
    is_int(x.pcb->error, MOTE_ETIMEDOUT, "dead peer: ETIMEDOUT");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

static void test_syn_flood_cookies(void)
{
    struct eng e;
    struct tcp_cfg c;
    cfg_default(&c);
    eng_init(&e, &c, 16);
    for (int i = 0; i < 8; i++)
        tcp_pool_give(&e.st, pcb_new(4096, 65536));
    struct tcp_listener l;
    tcp_listen(&e.st, &l, &ip_a, 80, 4);
    unsigned synacks = 0;
    for (unsigned i = 0; i < 10000; i++) {
        struct fseg f = {.sport = (uint16_t)(1024 + i),
                         .dport = 80,
                         .seq = (uint32_t)rng(),
                         .flags = TCP_SYN,
                         .wnd = 1000,
                         .syn_opts = true,
                         .ts = true,
                         .tsval = 1};
        feed(&e, &f);
        synacks += count_out(&e);
    }
    is_int(synacks, 10000, "every SYN of the flood answered");
    is_int(l.n_synrcvd, 4, "half-open pcbs bounded by the backlog");
    is_int(e.st.n_pool, 4, "the pool is not drained");
    is_int(e.st.stats.cookies_sent, 9996, "the rest got cookies");
    /* a real client completes the handshake on a cookie */
    struct fseg f = {.sport = 60000,
                     .dport = 80,
                     .seq = 7777,
                     .flags = TCP_SYN,
                     .wnd = 1000,
                     .syn_opts = true,
                     .ts = true,
                     .tsval = 100};
    feed(&e, &f);
    struct pkt k;
    ok(take_out(&e, &k) && k.flags == (TCP_SYN | TCP_ACK), "SYN-ACK");
    ok(k.has_ws && k.has_sack_perm && k.has_ts, "cookie keeps options (TS)");
    struct fseg a = {.sport = 60000,
                     .dport = 80,
                     .seq = 7778,
                     .ack = k.seq + 1,
                     .flags = TCP_ACK | TCP_PSH,
                     .wnd = 1000,
                     .ts = true,
                     .tsval = 101,
                     .tsecr = k.tsval,
                     .data = "GET /",
                     .dlen = 5};
    feed(&e, &a);
    struct tcp_pcb *p = tcp_accept(&l);
    ok(p && p->rport == 60000, "cookie connection accepted");
    ok(p && p->state == TCP_ESTABLISHED && p->rlen == 5,
       "established, with the data of the third segment");
    ok(p && p->ws_ok && p->snd_wscale == 7 && p->sack_ok,
       "options recovered from the timestamp");
    /* a forged ACK with a wrong cookie is refused */
    a.sport = 60001;
    feed(&e, &a);
    ok(take_out(&e, &k) && k.flags == TCP_RST, "bad cookie: RST");
    ok(!tcp_accept(&l), "and no connection");
    count_out(&e);
    if (p)
        tcp_abort(p, e.now);
    tcp_unlisten(&e.st, &l, e.now);
    /* the pool pcbs are freed by us: they were never handed out */
    while (e.st.pool) {
        struct tcp_pcb *q = e.st.pool;
        e.st.pool = q->qnext;
        live--;
        free(q->user);
    }
    eng_release(&e);
    is_int(live, 0, "no pcb leaked");
}

static void test_pmtu(void)
{
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    fx_open(&x, &c, false, 65536, 4096);
    size_t len;
    uint8_t *w = tcp_send_buf(x.pcb, &len);
    memset(w, 'm', 2920);
    tcp_send_ack(x.pcb, x.e.now, 2920);
    is_int(count_out(&x.e), 2, "two full segments");
    tcp_pmtu(&x.e.st, x.e.now, &ip_b, 1000);
    struct pkt k;
    unsigned n = 0;
    bool small = true;
    while (take_out(&x.e, &k)) {
        n++;
        if (k.dlen > 960)
            small = false;
    }
    ok(n >= 3 && small, "resent in segments that fit a 1000-byte MTU");
    is_int(x.pcb->smss, 960, "MSS lowered");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

static void test_fast_retransmit(void)
{
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    fx_open(&x, &c, false, 65536, 4096);
    size_t len;
    uint8_t *w = tcp_send_buf(x.pcb, &len);
    memset(w, 'f', 10 * 1460);
    tcp_send_ack(x.pcb, x.e.now, 10 * 1460);
    is_int(count_out(&x.e), 10, "ten segments");
    /* the first is lost: three duplicate ACKs */
    for (int i = 0; i < 3; i++) {
        struct fseg d = {.sport = 4000,
                         .dport = 80,
                         .seq = x.pseq,
                         .ack = x.pack,
                         .flags = TCP_ACK,
                         .wnd = 65535};
        feed(&x.e, &d);
    }
    struct pkt k;
    ok(take_out(&x.e, &k) && k.seq == x.pack && k.dlen == 1460,
       "third duplicate ACK: the first segment again");
    ok(x.pcb->in_recovery, "in fast recovery");
    is_int(x.pcb->ssthresh, 5 * 1460, "ssthresh = FlightSize / 2");
    struct fseg f = {.sport = 4000,
                     .dport = 80,
                     .seq = x.pseq,
                     .ack = x.pack + 10 * 1460,
                     .flags = TCP_ACK,
                     .wnd = 65535};
    feed(&x.e, &f);
    ok(!x.pcb->in_recovery, "full ACK ends recovery");
    ok(x.pcb->cwnd <= 5 * 1460 + 1460, "cwnd deflated to about ssthresh");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

/* ---- Two engines back to back ----------------------------------------- */

struct flight {
    uint64_t at, id; /* delivery time; ties go in sending order */
    int to;          /* 0: engine A, 1: engine B */
    struct mote_ipaddr src, dst;
    uint16_t len;
    uint8_t data[];
};

struct link {
    struct eng e[2];
    struct flight **q;
    size_t nq, capq;
    unsigned loss_ppm, dup_ppm, reorder_ppm;
    uint64_t delay; /* one way */
    uint64_t now;
    uint64_t delivered, dropped, ids;
};

static void link_init(struct link *L, const struct tcp_cfg *c)
{
    memset(L, 0, sizeof *L);
    eng_init(&L->e[0], c, 256);
    eng_init(&L->e[1], c, 256);
    L->delay = 5 * MS;
    L->now = 1 * S;
}

static void link_push(struct link *L, int to, const struct tcp_outseg *o,
                      uint64_t at)
{
    struct flight *f = malloc(sizeof *f + o->len);
    f->at = at;
    f->id = L->ids++;
    f->to = to;
    f->src = o->src;
    f->dst = o->dst;
    f->len = o->len;
    memcpy(f->data, o->data, o->len);
    if (L->nq == L->capq) {
        L->capq = L->capq ? 2 * L->capq : 256;
        L->q = realloc(L->q, L->capq * sizeof *L->q);
    }
    L->q[L->nq++] = f;
}

/* Segments longer than the MSS allows (TCP header 20 + MSS 1460): the
 * IP layer would refuse them as bigger than the MTU. */
static unsigned long oversize;

/* What a device does with a queued segment (virtio GSO, as Linux's
 * tcp_gso_segment): a super-segment is cut into gso_size pieces, each a
 * copy of the header with the sequence number advanced, FIN and PSH on
 * the last piece only; checksums are completed (partial ones are first
 * checked against the pseudo-header sum of the whole). Each piece goes to
 * out(). Counts what it saw. */
static unsigned long dev_supers, dev_pieces, dev_bad;

static void dev_cut(const struct tcp_outseg *o,
                    void (*out)(void *arg, const struct tcp_outseg *piece),
                    void *arg)
{
    size_t hl = (size_t)(o->data[12] >> 4) * 4;
    size_t plen = o->len - hl;
    if (o->csum_partial && tcp__pseudo_sum(&o->src, &o->dst, o->len) !=
                               (uint16_t)(o->data[16] << 8 | o->data[17]))
        dev_bad++;
    if (o->gso_size &&
        (!o->csum_partial || plen <= o->gso_size || plen % o->gso_size != 0))
        dev_bad++; /* the engine queues only runs of full segments */
    size_t step = o->gso_size ? o->gso_size : plen;
    if (o->gso_size)
        dev_supers++;
    struct tcp_outseg *p = malloc(sizeof *p + hl + (step ? step : 0) + 1);
    uint32_t seq = (uint32_t)o->data[4] << 24 | (uint32_t)o->data[5] << 16 |
                   (uint32_t)o->data[6] << 8 | o->data[7];
    size_t off = 0;
    do {
        size_t n = plen - off < step ? plen - off : step;
        bool last = off + n == plen;
        p->src = o->src;
        p->dst = o->dst;
        p->gso_size = 0;
        p->csum_partial = false;
        p->len = (uint32_t)(hl + n);
        memcpy(p->data, o->data, hl);
        memcpy(p->data + hl, o->data + hl + off, n);
        uint32_t s = seq + (uint32_t)off;
        for (int b = 0; b < 4; b++)
            p->data[4 + b] = (uint8_t)(s >> (24 - 8 * b));
        if (!last)
            p->data[13] &= (uint8_t) ~(TCP_FIN | TCP_PSH);
        if (o->csum_partial || o->gso_size) {
            p->data[16] = p->data[17] = 0;
            uint16_t c = tcp__checksum(&p->src, &p->dst, p->data, p->len);
            p->data[16] = (uint8_t)(c >> 8);
            p->data[17] = (uint8_t)c;
        }
        dev_pieces++;
        out(arg, p);
        off += n;
    } while (off < plen);
    free(p);
}

struct collect_arg {
    struct link *L;
    int i;
};

static void link_wire(void *arg, const struct tcp_outseg *o)
{
    struct collect_arg *a = arg;
    struct link *L = a->L;
    if (o->len > 20 + 1460)
        oversize++;
    if ((unsigned)(rng() % 1000000) < L->loss_ppm) {
        L->dropped++;
    } else {
        uint64_t at = L->now + L->delay;
        if ((unsigned)(rng() % 1000000) < L->reorder_ppm)
            at += (rng() % 4 + 1) * MS;
        link_push(L, !a->i, o, at);
        if ((unsigned)(rng() % 1000000) < L->dup_ppm)
            link_push(L, !a->i, o, at + MS);
    }
}

/* Move everything both engines queued onto the wire, through the device. */
static void link_collect(struct link *L)
{
    for (int i = 0; i < 2; i++) {
        const struct tcp_outseg *o;
        struct collect_arg a = {L, i};
        while ((o = tcp_out_peek(&L->e[i].st))) {
            dev_cut(o, link_wire, &a);
            tcp_out_pop(&L->e[i].st);
        }
    }
}

static size_t link_first(const struct link *L)
{
    size_t first = SIZE_MAX;
    for (size_t i = 0; i < L->nq; i++)
        if (first == SIZE_MAX || L->q[i]->at < L->q[first]->at ||
            (L->q[i]->at == L->q[first]->at && L->q[i]->id < L->q[first]->id))
            first = i;
    return first;
}

typedef void (*app_fn)(struct link *L, void *arg);

/* Run until done(arg) or the time limit; app() runs after every event. */
static void link_run(struct link *L, app_fn app, void *arg,
                     bool (*done)(void *), uint64_t limit)
{
    while (L->now < limit && !done(arg)) {
        app(L, arg);
        link_collect(L);
        uint64_t next = UINT64_MAX;
        size_t first = SIZE_MAX;
        first = link_first(L);
        if (first != SIZE_MAX)
            next = L->q[first]->at;
        uint64_t d0 = tcp_deadline(&L->e[0].st);
        uint64_t d1 = tcp_deadline(&L->e[1].st);
        uint64_t t = next;
        if (d0 < t)
            t = d0;
        if (d1 < t)
            t = d1;
        if (t == UINT64_MAX)
            break;
        if (t > L->now)
            L->now = t;
        if (first != SIZE_MAX && next <= L->now) {
            struct flight *f = L->q[first];
            L->q[first] = L->q[--L->nq];
            struct eng *e = &L->e[f->to];
            e->now = L->now;
            tcp_input(&e->st, L->now, &f->src, &f->dst, f->data, f->len);
            L->delivered++;
            free(f);
        }
        for (int i = 0; i < 2; i++)
            if (tcp_deadline(&L->e[i].st) <= L->now) {
                L->e[i].now = L->now;
                tcp_tick(&L->e[i].st, L->now);
            }
    }
}

static void link_release(struct link *L)
{
    for (size_t i = 0; i < L->nq; i++)
        free(L->q[i]);
    free(L->q);
    eng_release(&L->e[0]);
    eng_release(&L->e[1]);
}

/* Byte i of a stream with seed s: a cheap generator so the receiver can
 * check every byte without keeping a copy. */
static uint8_t stream_byte(uint64_t s, uint64_t i)
{
    uint64_t x = (i / 8 + 1) * 0x9e3779b97f4a7c15ULL ^ s;
    x ^= x >> 29;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 32;
    return (uint8_t)(x >> (8 * (i % 8)));
}

struct xfer {
    struct tcp_pcb *p[2]; /* client (A), server (B) */
    struct tcp_listener lst;
    uint64_t total; /* bytes each way */
    uint64_t sent[2], rcvd[2];
    uint64_t bad[2];
    bool closed[2], eof[2];
    bool sent_fin[2];
    uint64_t t_done;   /* when both streams had arrived */
    uint32_t grow_max; /* autotune send rings up to this (0: fixed) */
    unsigned grows[2];
    uint32_t scap_max[2];
    bool rgrow; /* receive rings start at 16 KiB and autotune */
    unsigned rgrows[2];
};

/* The engine wants a larger receive ring: move it, as the adapter does. */
static void xfer_rgrow(struct xfer *x, int i, uint64_t now)
{
    struct tcp_pcb *p = x->p[i];
    uint32_t want = tcp_recv_want(p);
    if (want <= p->rcap)
        return;
    struct upcb *u = p->user;
    uint8_t *b = malloc(want);
    if (!b || tcp_recv_resize(p, now, b, want) != 0) {
        free(b);
        return;
    }
    free(u->rext);
    u->rext = b;
    x->rgrows[i]++;
}

/* The writer found its send ring full: grow it as the stack's adapter
 * does, up to x->grow_max. */
static bool xfer_grow(struct xfer *x, int i)
{
    struct tcp_pcb *p = x->p[i];
    uint32_t want = tcp_send_want(p);
    if (want > x->grow_max)
        want = x->grow_max;
    if (want <= p->scap)
        return false;
    struct upcb *u = p->user;
    uint8_t *b = malloc(want);
    if (!b || tcp_send_resize(p, b, want) != 0) {
        free(b);
        return false;
    }
    free(u->ext);
    u->ext = b;
    x->grows[i]++;
    if (want > x->scap_max[i])
        x->scap_max[i] = want;
    return true;
}

static void xfer_app(struct link *L, void *arg)
{
    struct xfer *x = arg;
    if (!x->p[1])
        x->p[1] = tcp_accept(&x->lst);
    for (int i = 0; i < 2; i++) {
        struct tcp_pcb *p = x->p[i];
        if (!p || x->closed[i] || p->state < TCP_ESTABLISHED)
            continue;
        uint64_t now = L->now;
        /* write */
        while (x->sent[i] < x->total) {
            size_t len;
            uint8_t *w = tcp_send_buf(p, &len);
            if (!w && x->grow_max && xfer_grow(x, i))
                continue;
            if (!w)
                break;
            if (len > x->total - x->sent[i])
                len = (size_t)(x->total - x->sent[i]);
            for (size_t j = 0; j < len; j++)
                w[j] = stream_byte((uint64_t)i + 1, x->sent[i] + j);
            tcp_send_ack(p, now, len);
            x->sent[i] += len;
        }
        if (x->sent[i] == x->total && !x->sent_fin[i]) {
            tcp_shutdown(p, now);
            x->sent_fin[i] = true;
        }
        /* read: stream i is checked at the other end */
        for (;;) {
            size_t len;
            const uint8_t *r = tcp_recv_buf(p, &len);
            if (!r)
                break;
            for (size_t j = 0; j < len; j++)
                if (r[j] != stream_byte((uint64_t)(!i) + 1, x->rcvd[i] + j))
                    x->bad[i]++;
            x->rcvd[i] += len;
            tcp_recv_ack(p, now, len);
            if (x->rgrow)
                xfer_rgrow(x, i, now);
        }
        if (tcp_recv_eof(p))
            x->eof[i] = true;
        if (!x->t_done && x->rcvd[0] == x->total && x->rcvd[1] == x->total)
            x->t_done = now;
        if (x->eof[i] && x->sent_fin[i] && !x->closed[i]) {
            tcp_close(p, now);
            x->closed[i] = true;
        }
    }
}

static bool xfer_done(void *arg)
{
    struct xfer *x = arg;
    return x->closed[0] && x->closed[1] && live == 0;
}

struct xcase {
    const char *name;
    enum tcp_cc cc;
    uint64_t bytes;
    unsigned loss, dup, reorder; /* ppm */
    bool no_sack, no_ts;
    uint64_t seed;
    uint32_t grow_max; /* send rings start at 16 KiB and grow to this */
    bool gso;          /* engine A (the client) has send offloads */
    bool rgrow;        /* receive rings from 16 KiB, autotuned to 4 MiB */
};

static void run_xfer(const struct xcase *xc)
{
    struct link L;
    struct tcp_cfg c;
    cfg_default(&c);
    c.cc = xc->cc;
    c.no_sack = xc->no_sack;
    c.no_timestamps = xc->no_ts;
    c.retries = 30;
    rng_state = xc->seed;
    link_init(&L, &c);
    if (xc->gso) {
        /* A's engine again, with offloads (B's stays plain: both kinds of
         * sender and the device in between are exercised). */
        eng_release(&L.e[0]);
        struct tcp_cfg g = c;
        g.csum_partial = true;
        g.gso_families = TCP_GSO_V4 | TCP_GSO_V6;
        g.gso_max = TCP_GSO_MAX;
        eng_init(&L.e[0], &g, 256);
    }
    unsigned long supers0 = dev_supers, bad0 = dev_bad, pieces0 = dev_pieces;
    L.loss_ppm = xc->loss;
    L.dup_ppm = xc->dup;
    L.reorder_ppm = xc->reorder;
    struct xfer x;
    memset(&x, 0, sizeof x);
    x.total = xc->bytes;
    x.grow_max = xc->grow_max;
    x.rgrow = xc->rgrow;
    uint32_t scap = xc->grow_max ? 16 * 1024 : 256 * 1024;
    uint32_t rcap = xc->rgrow ? 16 * 1024 : 256 * 1024;
    struct tcp_pcb *sp = pcb_new(scap, rcap);
    x.p[0] = pcb_new(scap, rcap);
    if (xc->rgrow) {
        tcp_pcb_set_rmax(sp, 4 << 20);
        tcp_pcb_set_rmax(x.p[0], 4 << 20);
    }
    tcp_pool_give(&L.e[1].st, sp);
    tcp_listen(&L.e[1].st, &x.lst, &ip_b, 443, 8);
    int err = tcp_connect(&L.e[0].st, x.p[0], L.now, &ip_a, 0, &ip_b, 443);
    is_int(err, 0, "%s: connect", xc->name);
    uint64_t t0 = L.now;
    link_run(&L, xfer_app, &x, xfer_done, L.now + 3600 * S);
    ok(x.rcvd[0] == xc->bytes && x.rcvd[1] == xc->bytes,
       "%s: %llu bytes each way arrived (%llu, %llu)", xc->name,
       (unsigned long long)xc->bytes, (unsigned long long)x.rcvd[0],
       (unsigned long long)x.rcvd[1]);
    ok(x.bad[0] == 0 && x.bad[1] == 0, "%s: every byte right", xc->name);
    is_int(oversize, 0,
           "%s: no segment outgrew the MSS with its options (RFC 6691)",
           xc->name);
    ok(x.eof[0] && x.eof[1], "%s: both saw end of stream", xc->name);
    ok(live == 0, "%s: both pcbs freed after close (live %d)", xc->name, live);
    double secs = (double)(x.t_done - t0) / 1e9;
    printf("# %s: %.2f simulated s, %.1f Mbit/s each way, %llu segments, "
           "%llu dropped, %llu+%llu retransmitted\n",
           xc->name, secs, (double)xc->bytes * 8 / secs / 1e6,
           (unsigned long long)L.delivered, (unsigned long long)L.dropped,
           (unsigned long long)L.e[0].st.stats.retrans,
           (unsigned long long)L.e[1].st.stats.retrans);
    printf("# fast %llu+%llu timeouts %llu+%llu outdrops %llu+%llu\n",
           (unsigned long long)L.e[0].st.stats.fast_rexmt,
           (unsigned long long)L.e[1].st.stats.fast_rexmt,
           (unsigned long long)L.e[0].st.stats.timeouts,
           (unsigned long long)L.e[1].st.stats.timeouts,
           (unsigned long long)L.e[0].st.stats.out_drops,
           (unsigned long long)L.e[1].st.stats.out_drops);
    if (xc->loss)
        ok(L.e[0].st.stats.retrans + L.e[1].st.stats.retrans > 0,
           "%s: losses were repaired by retransmission", xc->name);
    is_int(dev_bad - bad0, 0,
           "%s: every queued segment well-formed for the "
           "device",
           xc->name);
    if (xc->gso) {
        ok(dev_supers - supers0 > 0 &&
               L.e[0].st.stats.gso_segs == dev_supers - supers0,
           "%s: A queued %llu super-segments (%llu payload bytes), "
           "%lu frames on the wire in all",
           xc->name, (unsigned long long)L.e[0].st.stats.gso_segs,
           (unsigned long long)L.e[0].st.stats.gso_bytes, dev_pieces - pieces0);
        is_int(L.e[1].st.stats.gso_segs, 0, "%s: B (no offloads) none",
               xc->name);
    }
    if (xc->rgrow) {
        /* 10 ms RTT: a 16 KiB window gives 13 Mbit/s; the rings double
         * while the reader takes more than half of one per RTT */
        for (int i = 0; i < 2; i++)
            ok(x.p[i] && x.rgrows[i] > 0,
               "%s: receive ring %d grew from 16 KiB (%u moves)", xc->name, i,
               x.rgrows[i]);
        ok(secs > 0 && (double)xc->bytes * 8 / secs / 1e6 >
                           (xc->loss ? 1.0 : 16 * 1024 * 8 / 0.01 / 1e6),
           "%s: faster than a fixed 16 KiB window allows", xc->name);
    }
    if (xc->grow_max) {
        /* 10 ms RTT, 256 KiB receive windows: two windows are 512 KiB on a
         * clean link; losses keep cwnd (and the ring) smaller */
        uint32_t floor = xc->loss ? 32 * 1024 : 256 * 1024;
        for (int i = 0; i < 2; i++)
            ok(x.scap_max[i] >= floor && x.scap_max[i] <= xc->grow_max,
               "%s: send ring %d grew from 16 KiB to %u (%u moves, cap %u)",
               xc->name, i, x.scap_max[i], x.grows[i], xc->grow_max);
    }
    link_release(&L);
    is_int(live, 0, "%s: no pcb leaked", xc->name);
}

static void test_bulk(void)
{
    static const struct xcase cases[] = {
        {"clean newreno", TCP_CC_NEWRENO, 8 << 20, 0, 0, 0, false, false, 1, 0,
         false, false},
        {"clean cubic", TCP_CC_CUBIC, 8 << 20, 0, 0, 0, false, false, 2, 0,
         false, false},
        {"lossy newreno sack", TCP_CC_NEWRENO, 4 << 20, 20000, 10000, 20000,
         false, false, 3, 0, false, false},
        {"lossy cubic sack", TCP_CC_CUBIC, 4 << 20, 20000, 10000, 20000, false,
         false, 4, 0, false, false},
        {"lossy newreno nosack nots", TCP_CC_NEWRENO, 2 << 20, 20000, 10000,
         20000, true, true, 5, 0, false, false},
        {"very lossy cubic", TCP_CC_CUBIC, 1 << 20, 50000, 20000, 50000, false,
         false, 6, 0, false, false},
        {"clean cubic, autotuned send rings", TCP_CC_CUBIC, 8 << 20, 0, 0, 0,
         false, false, 7, 4 << 20, false, false},
        {"lossy newreno sack, autotuned send rings", TCP_CC_NEWRENO, 4 << 20,
         20000, 10000, 20000, false, false, 8, 4 << 20, false, false},
        {"clean cubic, super-segments", TCP_CC_CUBIC, 8 << 20, 0, 0, 0, false,
         false, 9, 4 << 20, true, false},
        {"lossy cubic sack, super-segments", TCP_CC_CUBIC, 4 << 20, 20000,
         10000, 20000, false, false, 10, 4 << 20, true, false},
        {"lossy newreno nosack nots, super-segments", TCP_CC_NEWRENO, 2 << 20,
         20000, 10000, 20000, true, true, 11, 0, true, false},
        {"clean cubic, autotuned receive rings", TCP_CC_CUBIC, 8 << 20, 0, 0, 0,
         false, false, 12, 4 << 20, false, true},
        {"lossy cubic sack, autotuned receive rings", TCP_CC_CUBIC, 4 << 20,
         20000, 10000, 20000, false, false, 13, 4 << 20, false, true},
        {"clean newreno nots, autotuned receive rings", TCP_CC_NEWRENO, 4 << 20,
         0, 0, 0, false, true, 14, 4 << 20, false, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_xfer(&cases[i]);
}

/* ---- State transitions (RFC 9293 figure 5) ----------------------------- */

/* Record each distinct state of two pcbs as the link runs. */
struct trace {
    struct tcp_pcb *p[2];
    char log[2][256];
    enum tcp_state last[2];
};

static struct trace *cur_trace;

/* A traced pcb was freed: log it and stop looking at it. */
static void trace_freed(struct tcp_pcb *pcb)
{
    struct trace *t = cur_trace;
    for (int i = 0; t && i < 2; i++)
        if (t->p[i] == pcb) {
            t->p[i] = NULL;
            size_t n = strlen(t->log[i]);
            snprintf(t->log[i] + n, sizeof t->log[i] - n, " FREED");
        }
}

static void trace_step(struct trace *t)
{
    for (int i = 0; i < 2; i++) {
        struct tcp_pcb *p = t->p[i];
        if (!p)
            continue;
        enum tcp_state s = p->state;
        if (s != t->last[i]) {
            t->last[i] = s;
            size_t n = strlen(t->log[i]);
            snprintf(t->log[i] + n, sizeof t->log[i] - n, "%s%s", n ? " " : "",
                     tcp_state_name(s));
        }
    }
}

/* Deliver everything queued, one segment at a time, tracing. */
static void pump(struct link *L, struct trace *t, uint64_t until)
{
    for (;;) {
        trace_step(t);
        link_collect(L);
        uint64_t next = UINT64_MAX;
        size_t first = SIZE_MAX;
        first = link_first(L);
        if (first != SIZE_MAX)
            next = L->q[first]->at;
        uint64_t d = tcp_deadline(&L->e[0].st);
        uint64_t d1 = tcp_deadline(&L->e[1].st);
        if (d1 < d)
            d = d1;
        uint64_t tm = next < d ? next : d;
        if (tm == UINT64_MAX || tm > until)
            break;
        if (tm > L->now)
            L->now = tm;
        if (first != SIZE_MAX && next <= L->now) {
            struct flight *f = L->q[first];
            L->q[first] = L->q[--L->nq];
            tcp_input(&L->e[f->to].st, L->now, &f->src, &f->dst, f->data,
                      f->len);
            free(f);
        } else {
            for (int i = 0; i < 2; i++)
                tcp_tick(&L->e[i].st, L->now);
        }
    }
    trace_step(t);
}

static void test_states_active_passive(void)
{
    struct link L;
    struct tcp_cfg c;
    cfg_default(&c);
    link_init(&L, &c);
    struct trace t;
    memset(&t, 0, sizeof t);
    cur_trace = &t;
    struct tcp_listener l;
    tcp_pool_give(&L.e[1].st, pcb_new(4096, 4096));
    tcp_listen(&L.e[1].st, &l, &ip_b, 80, 4);
    t.p[0] = pcb_new(4096, 4096);
    tcp_connect(&L.e[0].st, t.p[0], L.now, &ip_a, 0, &ip_b, 80);
    trace_step(&t);
    /* deliver the SYN only, to see SYN_RCVD on the server */
    link_collect(&L);
    struct flight *f = L.q[0];
    L.nq = 0;
    L.now = f->at;
    tcp_input(&L.e[1].st, L.now, &f->src, &f->dst, f->data, f->len);
    free(f);
    t.p[1] = L.e[1].st.active;
    pump(&L, &t, L.now + 100 * MS);
    struct tcp_pcb *srv = tcp_accept(&l);
    ok(srv == t.p[1], "accepted the traced pcb");
    tcp_close(t.p[0], L.now); /* active close */
    pump(&L, &t, L.now + 100 * MS);
    ok(tcp_recv_eof(srv), "server reads end of stream");
    tcp_close(srv, L.now);
    pump(&L, &t, L.now + 100 * MS);
    is_str(t.log[0], "SYN_SENT ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 TIME_WAIT",
           "active side");
    is_str(t.log[1], "SYN_RCVD ESTABLISHED CLOSE_WAIT LAST_ACK FREED",
           "passive side");
    ok(L.e[0].st.n_active == 1, "client lingers in TIME_WAIT");
    pump(&L, &t, L.now + 3 * S);
    is_int(live, 0, "TIME_WAIT ends after 2 MSL; everything freed");
    tcp_unlisten(&L.e[1].st, &l, L.now);
    cur_trace = NULL;
    link_release(&L);
}

static void test_states_simultaneous(void)
{
    struct link L;
    struct tcp_cfg c;
    cfg_default(&c);
    link_init(&L, &c);
    struct trace t;
    memset(&t, 0, sizeof t);
    cur_trace = &t;
    t.p[0] = pcb_new(4096, 4096);
    t.p[1] = pcb_new(4096, 4096);
    /* simultaneous open: both connect, ports crossed, no listener */
    tcp_connect(&L.e[0].st, t.p[0], L.now, &ip_a, 5000, &ip_b, 6000);
    tcp_connect(&L.e[1].st, t.p[1], L.now, &ip_b, 6000, &ip_a, 5000);
    pump(&L, &t, L.now + 100 * MS);
    ok(t.p[0]->state == TCP_ESTABLISHED && t.p[1]->state == TCP_ESTABLISHED,
       "both established");
    ok((events_of(t.p[0]) & TCP_EV_CONNECTED) &&
           (events_of(t.p[1]) & TCP_EV_CONNECTED),
       "both report connected");
    /* simultaneous close */
    tcp_shutdown(t.p[0], L.now);
    tcp_shutdown(t.p[1], L.now);
    pump(&L, &t, L.now + 100 * MS);
    is_str(t.log[0],
           "SYN_SENT SYN_RCVD ESTABLISHED FIN_WAIT_1 CLOSING TIME_WAIT",
           "side A");
    is_str(t.log[1],
           "SYN_SENT SYN_RCVD ESTABLISHED FIN_WAIT_1 CLOSING TIME_WAIT",
           "side B");
    tcp_close(t.p[0], L.now);
    tcp_close(t.p[1], L.now);
    t.p[0] = t.p[1] = NULL;
    pump(&L, &t, L.now + 3 * S);
    is_int(live, 0, "both freed after TIME_WAIT");
    cur_trace = NULL;
    link_release(&L);
}

static void test_states_refused_and_fw2(void)
{
    struct link L;
    struct tcp_cfg c;
    cfg_default(&c);
    link_init(&L, &c);
    struct trace t;
    memset(&t, 0, sizeof t);
    cur_trace = &t;
    t.p[0] = pcb_new(4096, 4096);
    tcp_connect(&L.e[0].st, t.p[0], L.now, &ip_a, 0, &ip_b, 9);
    pump(&L, &t, L.now + 100 * MS);
    is_str(t.log[0], "SYN_SENT CLOSED", "no listener: refused");
    is_int(t.p[0]->error, MOTE_ECONNREFUSED, "ECONNREFUSED");
    tcp_close(t.p[0], L.now);
    is_int(live, 0, "freed at close");

    /* FIN_WAIT_2 -> TIME_WAIT when the peer's FIN comes later; and the
     * peer's retransmitted FIN in TIME_WAIT is ACKed again */
    memset(&t, 0, sizeof t);
    struct tcp_listener l;
    tcp_pool_give(&L.e[1].st, pcb_new(4096, 4096));
    tcp_listen(&L.e[1].st, &l, &ip_b, 80, 4);
    t.p[0] = pcb_new(4096, 4096);
    tcp_connect(&L.e[0].st, t.p[0], L.now, &ip_a, 0, &ip_b, 80);
    pump(&L, &t, L.now + 100 * MS);
    t.p[1] = tcp_accept(&l);
    tcp_shutdown(t.p[0], L.now);
    pump(&L, &t, L.now + 100 * MS);
    ok(t.p[0]->state == TCP_FIN_WAIT_2, "FIN_WAIT_2 while the peer is open");
    tcp_shutdown(t.p[1], L.now);
    pump(&L, &t, L.now + 10 * MS);
    ok(t.p[0]->state == TCP_TIME_WAIT, "then TIME_WAIT");
    uint64_t before = t.p[0]->t_wait;
    /* replay the peer's FIN */
    struct fseg fin = {.sport = 80,
                       .dport = t.p[0]->lport,
                       .seq = t.p[0]->rcv_nxt - 1,
                       .ack = t.p[0]->snd_nxt,
                       .flags = TCP_FIN | TCP_ACK,
                       .wnd = 100};
    uint8_t buf[100];
    size_t n = seg_build(&fin, buf);
    uint16_t ck = tcp__checksum(&ip_b, &ip_a, buf, n);
    buf[16] = (uint8_t)(ck >> 8);
    buf[17] = (uint8_t)ck;
    L.now += 100 * MS;
    tcp_input(&L.e[0].st, L.now, &ip_b, &ip_a, buf, n);
    struct pkt k;
    ok(take_out(&L.e[0], &k) && k.flags == TCP_ACK, "old FIN ACKed again");
    ok(t.p[0]->t_wait > before, "and the 2 MSL timer restarted");
    tcp_close(t.p[0], L.now);
    tcp_close(t.p[1], L.now);
    t.p[0] = t.p[1] = NULL;
    pump(&L, &t, L.now + 5 * S);
    is_int(live, 0, "all freed");
    tcp_unlisten(&L.e[1].st, &l, L.now);
    cur_trace = NULL;
    link_release(&L);
}

/* Data from the engine, with timestamps and SACK negotiated and an RTT
 * sample taken: n full segments sent, none acknowledged yet. */
static void fx_burst(struct fx *x, unsigned n)
{
    /* one exchange first, so the engine has an RTT (TLP needs SRTT) */
    size_t len;
    uint8_t *w = tcp_send_buf(x->pcb, &len);
    memset(w, 'r', 100);
    tcp_send_ack(x->pcb, x->e.now, 100);
    count_out(&x->e);
    x->e.now += 2 * MS;
    x->pack += 100;
    fx_send(x, TCP_ACK, NULL, 0);
    w = tcp_send_buf(x->pcb, &len);
    memset(w, 'b', n * 1448);
    tcp_send_ack(x->pcb, x->e.now, n * 1448);
}

static void test_tail_loss_probe(void)
{
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    fx_open(&x, &c, true, 65536, 65536);
    fx_burst(&x, 5);
    is_int(count_out(&x.e), 5, "five segments out");
    uint64_t d = tcp_deadline(&x.e.st) - x.e.now;
    ok(d < x.pcb->rto,
       "the first timer is the probe, before the RTO "
       "(%llu < %llu ns)",
       (unsigned long long)d, (unsigned long long)x.pcb->rto);
    advance(&x.e, x.e.now + d);
    struct pkt k;
    ok(take_out(&x.e, &k) && k.seq == x.pack + 4 * 1448 && k.dlen == 1448,
       "the probe resends the last segment");
    is_int(x.e.st.stats.tlp, 1, "counted");
    /* its SACK shows the first four lost: recovery starts at once */
    struct fseg a = {.sport = 4000,
                     .dport = 80,
                     .seq = x.pseq,
                     .ack = x.pack,
                     .flags = TCP_ACK,
                     .wnd = 65535,
                     .ts = true,
                     .tsval = ++x.ptsv,
                     .n_sack = 1};
    a.sack[0][0] = x.pack + 4 * 1448;
    a.sack[0][1] = x.pack + 5 * 1448;
    feed(&x.e, &a);
    ok(x.pcb->in_recovery, "SACK of the probe starts recovery (RFC 8985)");
    ok(take_out(&x.e, &k) && k.seq == x.pack, "first hole resent");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

static void test_sack_recovery(void)
{
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    fx_open(&x, &c, true, 65536, 65536);
    fx_burst(&x, 10);
    is_int(count_out(&x.e), 10, "ten segments out");
    /* segments 1 and 4 lost; the peer SACKs 2-3 and 5-10 in one ACK */
    struct fseg a = {.sport = 4000,
                     .dport = 80,
                     .seq = x.pseq,
                     .ack = x.pack,
                     .flags = TCP_ACK,
                     .wnd = 65535,
                     .ts = true,
                     .tsval = ++x.ptsv,
                     .n_sack = 2};
    a.sack[0][0] = x.pack + 4 * 1448;
    a.sack[0][1] = x.pack + 10 * 1448;
    a.sack[1][0] = x.pack + 1 * 1448;
    a.sack[1][1] = x.pack + 3 * 1448;
    feed(&x.e, &a);
    ok(x.pcb->in_recovery, "more than 2 SMSS SACKed: recovery on the first "
                           "duplicate (RFC 6675)");
    struct pkt k;
    uint32_t seqs[4];
    unsigned n = 0;
    while (n < 4 && take_out(&x.e, &k))
        seqs[n++] = k.seq;
    ok(n == 2 && seqs[0] == x.pack && seqs[1] == x.pack + 3 * 1448,
       "both holes resent, nothing else (%u segments)", n);
    /* a cumulative ACK of everything ends recovery */
    a.ack = x.pack + 10 * 1448;
    a.n_sack = 0;
    a.tsval = ++x.ptsv;
    feed(&x.e, &a);
    ok(!x.pcb->in_recovery, "full ACK ends recovery");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

static void test_lost_retransmission(void)
{
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    fx_open(&x, &c, true, 65536, 65536);
    fx_burst(&x, 4);
    count_out(&x.e);
    struct fseg a = {.sport = 4000,
                     .dport = 80,
                     .seq = x.pseq,
                     .ack = x.pack,
                     .flags = TCP_ACK,
                     .wnd = 65535,
                     .ts = true,
                     .tsval = ++x.ptsv,
                     .n_sack = 1};
    a.sack[0][0] = x.pack + 1448;
    a.sack[0][1] = x.pack + 4 * 1448;
    feed(&x.e, &a);
    struct pkt k;
    ok(take_out(&x.e, &k) && k.seq == x.pack, "first hole resent");
    count_out(&x.e);
    /* another duplicate soon after: the retransmission may be on its way */
    x.e.now += x.pcb->srtt / 2;
    a.tsval = ++x.ptsv;
    feed(&x.e, &a);
    unsigned again = 0;
    while (take_out(&x.e, &k))
        if (k.seq == x.pack)
            again++;
    is_int(again, 0, "half a round trip later: not resent again");
    /* one after more than a round trip: it was lost */
    x.e.now += x.pcb->srtt + 2 * MS;
    a.tsval = ++x.ptsv;
    feed(&x.e, &a);
    while (take_out(&x.e, &k))
        if (k.seq == x.pack)
            again++;
    is_int(again, 1, "a round trip and more: resent again, before the RTO");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

static void test_early_retransmit(void)
{
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    fx_open(&x, &c, true, 65536, 65536);
    fx_burst(&x, 2);
    is_int(count_out(&x.e), 2, "two segments out, nothing more to send");
    struct fseg a = {.sport = 4000,
                     .dport = 80,
                     .seq = x.pseq,
                     .ack = x.pack,
                     .flags = TCP_ACK,
                     .wnd = 65535,
                     .ts = true,
                     .tsval = ++x.ptsv,
                     .n_sack = 1};
    a.sack[0][0] = x.pack + 1448;
    a.sack[0][1] = x.pack + 2 * 1448;
    feed(&x.e, &a);
    struct pkt k;
    ok(take_out(&x.e, &k) && k.seq == x.pack && k.dlen == 1448,
       "one duplicate suffices with two segments out (RFC 5827)");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

static void test_dupack_with_data(void)
{
    /* a two-way transfer: the peer's duplicate ACKs carry data */
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    fx_open(&x, &c, true, 65536, 65536);
    fx_burst(&x, 8);
    count_out(&x.e);
    uint8_t d[100];
    memset(d, 'd', sizeof d);
    for (int i = 0; i < 3; i++) {
        struct fseg a = {.sport = 4000,
                         .dport = 80,
                         .seq = x.pseq,
                         .ack = x.pack,
                         .flags = TCP_ACK,
                         .wnd = 65535,
                         .ts = true,
                         .tsval = ++x.ptsv,
                         .n_sack = 1,
                         .data = d,
                         .dlen = sizeof d};
        a.sack[0][0] = x.pack + 1448;
        a.sack[0][1] = x.pack + (uint32_t)(2 + i) * 1448;
        feed(&x.e, &a);
        x.pseq += sizeof d;
    }
    ok(x.pcb->in_recovery, "SACK-bearing data segments count as duplicates");
    struct pkt k;
    bool resent = false;
    while (take_out(&x.e, &k))
        if (k.seq == x.pack && k.dlen == 1448)
            resent = true;
    ok(resent, "the lost segment is resent");
    fx_close(&x);
    is_int(live, 0, "no pcb leaked");
}

static void test_close_with_unread_data_resets(void)
{
    struct fx x;
    struct tcp_cfg c;
    cfg_default(&c);
    fx_open(&x, &c, false, 4096, 4096);
    fx_send(&x, TCP_ACK | TCP_PSH, "unread", 6);
    count_out(&x.e);
    tcp_close(x.pcb, x.e.now);
    x.pcb = NULL;
    struct pkt k;
    ok(take_out(&x.e, &k) && (k.flags & TCP_RST),
       "close with unread data: RST");
    fx_close(&x);
    is_int(live, 0, "freed at once");
}

static void test_states_rare_edges(void)
{
    struct eng e;
    struct tcp_cfg c;
    cfg_default(&c);
    eng_init(&e, &c, 16);
    struct tcp_pcb *spare = pcb_new(4096, 4096);
    tcp_pool_give(&e.st, spare);
    struct tcp_listener l;
    tcp_listen(&e.st, &l, &ip_a, 80, 4);
    /* SYN_RCVD --RST--> LISTEN: the pcb goes back to the pool */
    struct fseg f = {
        .sport = 4000, .dport = 80, .seq = 10, .flags = TCP_SYN, .wnd = 1000};
    feed(&e, &f);
    struct pkt k;
    take_out(&e, &k);
    ok(spare->state == TCP_SYN_RCVD && l.n_synrcvd == 1, "SYN_RCVD");
    struct fseg r = {.sport = 4000, .dport = 80, .seq = 11, .flags = TCP_RST};
    feed(&e, &r);
    ok(e.st.n_pool == 1 && l.n_synrcvd == 0 && e.st.n_active == 0,
       "RST in SYN_RCVD: back to LISTEN, pcb back in the pool");
    ok(!tcp_accept(&l), "nothing to accept");
    /* SYN_RCVD: our SYN-ACK times out, the pcb returns to the pool */
    feed(&e, &f);
    take_out(&e, &k);
    advance(&e, e.now + 600 * S);
    ok(e.st.n_pool == 1 && e.st.n_active == 0,
       "unanswered SYN-ACK: pcb back in the pool after the retries");
    ok(count_out(&e) >= 6, "after retransmitting the SYN-ACK");
    /* SYN_SENT --close--> CLOSED, nothing sent */
    struct tcp_pcb *p = pcb_new(4096, 4096);
    tcp_connect(&e.st, p, e.now, &ip_a, 0, &ip_b, 80);
    count_out(&e);
    tcp_close(p, e.now);
    is_int(count_out(&e), 0, "close in SYN_SENT sends nothing");
    is_int(e.st.n_active, 0, "and forgets the connection");
    /* SYN_SENT --shutdown--> (queued) ESTABLISHED --> FIN_WAIT_1 */
    p = pcb_new(4096, 4096);
    tcp_connect(&e.st, p, e.now, &ip_a, 6000, &ip_b, 80);
    take_out(&e, &k);
    tcp_shutdown(p, e.now);
    ok(p->state == TCP_SYN_SENT, "shutdown before the answer is queued");
    struct fseg sa = {.sport = 80,
                      .dport = 6000,
                      .seq = 500,
                      .ack = k.seq + 1,
                      .flags = TCP_SYN | TCP_ACK,
                      .wnd = 1000,
                      .mss_opt = true};
    feed(&e, &sa);
    ok(p->state == TCP_FIN_WAIT_1, "SYN-ACK: straight to FIN_WAIT_1");
    ok(take_out(&e, &k) && (k.flags & TCP_FIN) && k.ack == 501,
       "FIN sent with the ACK of the SYN");
    tcp_abort(p, e.now);
    count_out(&e);
    tcp_unlisten(&e.st, &l, e.now);
    e.st.pool = NULL;
    live--;
    free(spare->user);
    eng_release(&e);
    is_int(live, 0, "no pcb leaked");
}

static void test_listener_close_resets_queue(void)
{
    struct eng e;
    struct tcp_cfg c;
    cfg_default(&c);
    eng_init(&e, &c, 16);
    tcp_pool_give(&e.st, pcb_new(4096, 4096));
    struct tcp_listener l;
    tcp_listen(&e.st, &l, &ip_a, 80, 4);
    struct fseg f = {
        .sport = 4000, .dport = 80, .seq = 1, .flags = TCP_SYN, .wnd = 1000};
    feed(&e, &f);
    struct pkt k;
    take_out(&e, &k);
    struct fseg a = {.sport = 4000,
                     .dport = 80,
                     .seq = 2,
                     .ack = k.seq + 1,
                     .flags = TCP_ACK,
                     .wnd = 1000};
    feed(&e, &a);
    is_int(l.n_accept, 1, "one queued connection");
    tcp_unlisten(&e.st, &l, e.now);
    ok(take_out(&e, &k) && (k.flags & TCP_RST), "reset on listener close");
    is_int(e.st.n_pool, 1, "its pcb is back in the pool");
    is_int(e.st.n_active, 0, "nothing active");
    struct tcp_pcb *q = e.st.pool;
    e.st.pool = NULL;
    live--;
    free(q->user);
    eng_release(&e);
    is_int(live, 0, "no pcb leaked");
}

static void test_icmp_errors(void)
{
    struct eng e;
    struct tcp_cfg c;
    cfg_default(&c);
    c.syn_retries = 2;
    eng_init(&e, &c, 16);
    struct tcp_pcb *p = pcb_new(4096, 4096);
    tcp_connect(&e.st, p, e.now, &ip_a, 5555, &ip_b, 80);
    struct pkt k;
    take_out(&e, &k);
    tcp_icmp_error(&e.st, e.now, &ip_a, 5555, &ip_b, 80, k.seq + 7,
                   MOTE_ECONNREFUSED);
    ok(p->state == TCP_SYN_SENT, "quoted seq outside SND.UNA..SND.MAX: "
                                 "ignored (RFC 5927)");
    tcp_icmp_error(&e.st, e.now, &ip_a, 5555, &ip_b, 80, k.seq,
                   MOTE_EHOSTUNREACH);
    ok(p->state == TCP_SYN_SENT, "host unreachable is a soft error");
    advance(&e, e.now + 60 * S);
    is_int(p->error, MOTE_EHOSTUNREACH, "reported when the open times out");
    tcp_close(p, e.now);
    count_out(&e);
    p = pcb_new(4096, 4096);
    tcp_connect(&e.st, p, e.now, &ip_a, 5556, &ip_b, 80);
    take_out(&e, &k);
    tcp_icmp_error(&e.st, e.now, &ip_a, 5556, &ip_b, 80, k.seq,
                   MOTE_ECONNREFUSED);
    is_int(p->error, MOTE_ECONNREFUSED, "port unreachable aborts SYN_SENT");
    tcp_close(p, e.now);
    count_out(&e);
    eng_release(&e);
    is_int(live, 0, "no pcb leaked");
}

/* RFC 1071 the slow way: 16-bit big-endian words, end-around carry. */
static uint16_t ref_csum(const struct mote_ipaddr *src,
                         const struct mote_ipaddr *dst, const uint8_t *p,
                         size_t n)
{
    uint32_t acc = 0;
    size_t al = src->family == MOTE_IP_V6 ? 16 : 4;
    for (size_t i = 0; i < al; i += 2) {
        acc += (uint32_t)(src->bytes[i] << 8 | src->bytes[i + 1]);
        acc += (uint32_t)(dst->bytes[i] << 8 | dst->bytes[i + 1]);
    }
    acc += 6 + (uint32_t)(n >> 16) + (uint32_t)(n & 0xffff);
    for (size_t i = 0; i < n; i += 2)
        acc += (uint32_t)(p[i] << 8 | (i + 1 < n ? p[i + 1] : 0));
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

static void test_checksum_reference(void)
{
    uint8_t buf[3000];
    unsigned bad = 0;
    uint8_t v6a[16] = {0xfe, 0x80, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
    uint8_t v6b[16] = {0x20, 0x01, 0xd, 0xb8, 0xff, 0xff, 0xff, 0xff, 0xff};
    struct mote_ipaddr a6 = mote_ipaddr_from_v6_bytes(v6a);
    struct mote_ipaddr b6 = mote_ipaddr_from_v6_bytes(v6b);
    for (int k = 0; k < 2000; k++) {
        size_t n = (size_t)(rng() % sizeof buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)rng();
        /* start at an odd address too: the fast path loads unaligned */
        size_t off = (size_t)(k & 1);
        if (n > off)
            n -= off;
        const struct mote_ipaddr *s = k & 2 ? &a6 : &ip_a;
        const struct mote_ipaddr *d = k & 2 ? &b6 : &ip_b;
        if (tcp__checksum(s, d, buf + off, n) != ref_csum(s, d, buf + off, n))
            bad++;
    }
    is_int(bad, 0,
           "checksum equals the RFC 1071 reference on 2000 random "
           "segments (odd lengths, odd addresses, both families)");
}

static void test_siphash_vector(void)
{
    /* The reference vector from the SipHash paper, appendix A: key
     * 00..0f, message 00..0e (15 bytes). */
    uint8_t key[16], msg[15];
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)i;
    for (int i = 0; i < 15; i++)
        msg[i] = (uint8_t)i;
    ok(tcp__siphash(key, msg, 15) == 0xa129ca6149be45e5ULL,
       "SipHash-2-4 paper vector");
}

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    ip_a = mote_ipaddr_v4(10, 0, 0, 1);
    ip_b = mote_ipaddr_v4(10, 0, 0, 2);
    TAP_CASE(test_siphash_vector);
    TAP_CASE(test_checksum_reference);
    TAP_CASE(test_closed_port);
    TAP_CASE(test_passive_open_options);
    TAP_CASE(test_ipv6_mss_clamp);
    TAP_CASE(test_many_connections_timers);
    TAP_CASE(test_rst_handling);
    TAP_CASE(test_out_of_window_data);
    TAP_CASE(test_ooo_sack);
    TAP_CASE(test_delayed_ack);
    TAP_CASE(test_send_resize);
    TAP_CASE(test_no_stale_timer);
    TAP_CASE(test_nagle);
    TAP_CASE(test_gso_segments);
    TAP_CASE(test_outq_ring);
    TAP_CASE(test_recv_resize);
    TAP_CASE(test_rto_backoff_timeout);
    TAP_CASE(test_zero_window_probe);
    TAP_CASE(test_receiver_zero_window);
    TAP_CASE(test_probe_carries_ack);
    TAP_CASE(test_keepalive);
    TAP_CASE(test_syn_flood_cookies);
    TAP_CASE(test_pmtu);
    TAP_CASE(test_icmp_errors);
    TAP_CASE(test_fast_retransmit);
    TAP_CASE(test_tail_loss_probe);
    TAP_CASE(test_sack_recovery);
    TAP_CASE(test_early_retransmit);
    TAP_CASE(test_lost_retransmission);
    TAP_CASE(test_dupack_with_data);
    TAP_CASE(test_close_with_unread_data_resets);
    TAP_CASE(test_listener_close_resets_queue);
    TAP_CASE(test_states_rare_edges);
    TAP_CASE(test_states_active_passive);
    TAP_CASE(test_states_simultaneous);
    TAP_CASE(test_states_refused_and_fw2);
    TAP_CASE(test_bulk);
    return tap_done();
}

/* libFuzzer target: arbitrary segments, timer ticks and application calls
 * fed to a TCP engine holding connections in every state. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mote/error.h>
#include <mote/ipaddr.h>

#include "../../src/net/tcp_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: one config byte, then records of [op][arg][len][len bytes].
 * Config bits: 1 CUBIC, 2 no SACK, 4 no timestamps, 8 no window scale,
 * 16 IPv6, 32 send offloads (partial checksums, super-segments: each is
 * checked as a device would need it), 64 receive rings that may grow to
 * 16 KiB (a read with arg & 0x80 moves the ring when the engine wants).
 * The engine (10.0.0.1 or fd00::1) listens on port 80 with two spare
 * pcbs and starts one active open to the peer's port 4000. Ops:
 *
 *   0  raw segment from the peer (checksum fixed up unless arg & 1)
 *   1  a segment built from the last one the engine sent: ports swapped,
 *      SEQ = its ACK, ACK = its SEQ + length (+ arg's low bits as an
 *      offset), flags = arg, payload = the bytes: this is how the fuzzer
 *      walks the handshake and the close into every state without
 *      guessing sequence numbers
 *   2  advance time by (arg + 1) * 2^(len % 32) ns and run the timers
 *   3  application writes len bytes on connection arg % 3
 *   4  application reads up to len bytes
 *   5  shutdown, 6 close, 7 abort, 8 accept, 9 path MTU = 68 + arg * 8
 *   10 set nodelay / keepalive from arg
 *   11 ICMP error (refused / host unreachable by arg) quoting the last
 *      segment's ports and sequence number plus len
 *
 * After every step the engine's invariants are checked; an output segment
 * with a bad checksum or a broken invariant aborts. At the end every pcb
 * must have come back (TCP_EV_FREE or the pool): no leak.
 */

#define NPCB 4

struct slot {
    struct tcp_pcb pcb;
    bool in_use, app_holds, freed;
    uint8_t sbuf[4096], rbuf[4096];
    uint8_t sbig[16384]; /* where a full send ring may move (autotuning) */
    uint8_t rbig[16384]; /* and the receive ring (config bit 64) */
};

static struct slot slots[NPCB];
static struct tcp_stack st;
static uint64_t oqmem[(64 * (1500 + 128) + 2 * 65600) / 8];
static uint8_t last[2000];
static size_t last_len;
static struct mote_ipaddr me, peer;
static uint64_t now;

static void rnd(void *ctx, void *buf, size_t n)
{
    (void)ctx;
    memset(buf, 0x5a, n); /* deterministic: replays must reproduce */
}

static void on_notify(void *ctx, struct tcp_pcb *pcb, unsigned ev)
{
    (void)ctx;
    struct slot *s = pcb->user;
    if (ev & TCP_EV_FREE) {
        if (s->freed || !s->in_use)
            abort(); /* double free report */
        s->freed = true;
        s->in_use = false;
    }
}

/* Heap order of the timer heap under p; returns its size. */
static unsigned heap_walk(const struct tcp_pcb *p)
{
    unsigned n = 0;
    for (; p; p = p->th_next) {
        if (!p->th_in)
            abort();
        for (const struct tcp_pcb *c = p->th_child; c; c = c->th_next)
            if (c->th_key < p->th_key)
                abort();
        n += 1 + heap_walk(p->th_child);
    }
    return n;
}

static void check(void)
{
    unsigned in_heap = 0;
    for (struct tcp_pcb *p = st.active; p; p = p->anext) {
        if (p->rlen > p->rcap || p->slen > p->scap || p->n_ooo > TCP_OOO_MAX ||
            p->n_score > TCP_SCORE_MAX)
            abort();
        if (tcp_seq_gt(p->snd_una, p->snd_max) ||
            tcp_seq_gt(p->snd_nxt, p->snd_max) ||
            tcp_seq_lt(p->snd_nxt, p->snd_una))
            abort();
        if (p->state == TCP_NONE || p->state > TCP_TIME_WAIT)
            abort();
        if (p->smss < 64 || !p->rto)
            abort();
        /* the cached earliest deadline may be early, never late */
        const uint64_t t[6] = {p->t_rexmt, p->t_persist, p->t_delack,
                               p->t_keep,  p->t_wait,    p->t_tlp};
        for (int k = 0; k < 6; k++) {
            if (t[k] && t[k] < tcp_deadline(&st))
                abort();
            /* a pcb with a timer is in the heap, keyed no later */
            if (t[k] && (!p->th_in || p->th_key > t[k]))
                abort();
        }
        in_heap += p->th_in;
    }
    if (heap_walk(st.timers) != in_heap)
        abort(); /* a pcb outside the table left in the heap */
    const struct tcp_outseg *o;
    while ((o = tcp_out_peek(&st))) {
        if (o->len < 20 || o->len > st.slot_size)
            abort();
        if (o->csum_partial) {
            /* the pseudo-header sum, which completed must check */
            static uint8_t whole[65536];
            if (!st.cfg.csum_partial ||
                tcp__pseudo_sum(&o->src, &o->dst, o->len) !=
                    (uint16_t)(o->data[16] << 8 | o->data[17]))
                abort();
            memcpy(whole, o->data, o->len);
            uint32_t s = 0;
            for (size_t k = 0; k + 1 < o->len; k += 2)
                s += (uint32_t)(whole[k] << 8 | whole[k + 1]);
            if (o->len & 1)
                s += (uint32_t)whole[o->len - 1] << 8;
            while (s >> 16)
                s = (s & 0xffff) + (s >> 16);
            whole[16] = (uint8_t)(~s >> 8);
            whole[17] = (uint8_t)~s;
            if (tcp__checksum(&o->src, &o->dst, whole, o->len) != 0)
                abort();
        } else if (tcp__checksum(&o->src, &o->dst, o->data, o->len) != 0) {
            abort();
        }
        if (o->gso_size) {
            /* whole segments only, of at most the connection's SMSS */
            size_t plen = o->len - (size_t)(o->data[12] >> 4) * 4;
            if (!st.cfg.gso_max || plen <= o->gso_size || plen % o->gso_size ||
                plen > TCP_GSO_MAX || o->gso_size > 1460)
                abort();
        }
        /* the header is what later ops read; last_len stays the real
         * length (op 1 acks all of it) */
        memcpy(last, o->data, o->len < sizeof last ? o->len : sizeof last);
        last_len = o->len;
        tcp_out_pop(&st);
    }
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static void feed(uint8_t *seg, size_t n, bool keep_csum)
{
    if (!keep_csum && n >= 18) {
        seg[16] = seg[17] = 0;
        uint16_t c = tcp__checksum(&peer, &me, seg, n);
        seg[16] = (uint8_t)(c >> 8);
        seg[17] = (uint8_t)c;
    }
    tcp_input(&st, now, &peer, &me, seg, n);
}

static struct slot *held(unsigned i)
{
    struct slot *s = &slots[i % NPCB];
    return s->in_use && s->app_holds ? s : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t cfgb = data[0];
    struct tcp_cfg c;
    memset(&c, 0, sizeof c);
    c.random = rnd;
    c.notify = on_notify;
    c.mss = 1460;
    c.cc = (cfgb & 1) ? TCP_CC_CUBIC : TCP_CC_NEWRENO;
    c.no_sack = cfgb & 2;
    c.no_timestamps = cfgb & 4;
    c.no_wscale = cfgb & 8;
    c.msl = 1000000000ULL;
    c.keep_idle = 5000000000ULL;
    if (cfgb & 32) {
        c.csum_partial = true;
        c.gso_families = TCP_GSO_V4 | TCP_GSO_V6;
        c.gso_max = TCP_GSO_MAX;
    }
    if (tcp_stack_init(&st, &c, oqmem, sizeof oqmem) != 0)
        abort();
    if (cfgb & 16) {
        uint8_t a[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        me = mote_ipaddr_from_v6_bytes(a);
        a[15] = 2;
        peer = mote_ipaddr_from_v6_bytes(a);
    } else {
        me = mote_ipaddr_v4(10, 0, 0, 1);
        peer = mote_ipaddr_v4(10, 0, 0, 2);
    }
    now = 1000000000ULL;
    last_len = 0;
    memset(slots, 0, sizeof slots);
    for (int i = 0; i < NPCB; i++) {
        tcp_pcb_init(&slots[i].pcb, slots[i].sbuf, sizeof slots[i].sbuf,
                     slots[i].rbuf, sizeof slots[i].rbuf);
        slots[i].pcb.user = &slots[i];
        if (cfgb & 64)
            tcp_pcb_set_rmax(&slots[i].pcb, sizeof slots[i].rbig);
    }
    struct tcp_listener lst;
    memset(&lst, 0, sizeof lst);
    tcp_listen(&st, &lst, &me, 80, 1);
    for (int i = 1; i < 3; i++) {
        slots[i].in_use = true;
        tcp_pool_give(&st, &slots[i].pcb);
    }
    slots[0].in_use = slots[0].app_holds = true;
    if (tcp_connect(&st, &slots[0].pcb, now, &me, 5000, &peer, 4000) != 0)
        abort();
    check();

    size_t i = 1;
    while (i + 3 <= size) {
        uint8_t op = data[i], arg = data[i + 1];
        size_t len = data[i + 2];
        i += 3;
        size_t avail = size - i < len ? size - i : len;
        const uint8_t *b = data + i;
        uint8_t seg[2000];
        switch (op % 12) {
        case 0:
            if (avail) {
                memcpy(seg, b, avail);
                feed(seg, avail, arg & 1);
            }
            i += avail;
            break;
        case 1:
            if (last_len >= 20) {
                size_t n = 20 + avail;
                memset(seg, 0, 20);
                memcpy(seg, last + 2, 2);
                memcpy(seg + 2, last, 2);
                uint32_t s = rd32(last + 8) + (arg >> 6);
                uint32_t hl = (uint32_t)(last[12] >> 4) * 4;
                uint32_t a = rd32(last + 4) + (uint32_t)(last_len - hl) +
                             ((last[13] & (TCP_SYN | TCP_FIN)) ? 1 : 0);
                for (int k = 0; k < 4; k++) {
                    seg[4 + k] = (uint8_t)(s >> (24 - 8 * k));
                    seg[8 + k] = (uint8_t)(a >> (24 - 8 * k));
                }
                seg[12] = 5 << 4;
                seg[13] = arg & 0x3f;
                seg[14] = 0x40;
                memcpy(seg + 20, b, avail);
                feed(seg, n, false);
            }
            i += avail;
            break;
        case 2:
            now += ((uint64_t)arg + 1) << (len % 32);
            tcp_tick(&st, now);
            break;
        case 3: {
            struct slot *s = held(arg);
            if (s) {
                size_t n;
                uint8_t *w = tcp_send_buf(&s->pcb, &n);
                uint32_t want = tcp_send_want(&s->pcb);
                if (want < s->pcb.scap ||
                    (want > s->pcb.scap && s->pcb.slen < s->pcb.scap))
                    abort(); /* growth wanted only when full */
                if (!w && (arg & 0x80) && s->pcb.sbuf == s->sbuf &&
                    want > s->pcb.scap) {
                    /* the adapter's move: the ring straightened into a
                     * larger buffer, from wherever its head was */
                    uint32_t cap =
                        want < sizeof s->sbig ? want : sizeof s->sbig;
                    if (tcp_send_resize(&s->pcb, s->sbig, cap) != 0)
                        abort();
                    w = tcp_send_buf(&s->pcb, &n);
                }
                if (w) {
                    if (n > len)
                        n = len;
                    memset(w, 'x', n);
                    tcp_send_ack(&s->pcb, now, n);
                }
            }
            break;
        }
        case 4: {
            struct slot *s = held(arg);
            if (s) {
                size_t n;
                if (tcp_recv_buf(&s->pcb, &n))
                    tcp_recv_ack(&s->pcb, now, n < len ? n : len);
                uint32_t want = tcp_recv_want(&s->pcb);
                if (want < s->pcb.rcap || want > s->pcb.rmax)
                    abort();
                if ((arg & 0x80) && want > s->pcb.rcap &&
                    s->pcb.rbuf == s->rbuf) {
                    uint32_t cap =
                        want < sizeof s->rbig ? want : sizeof s->rbig;
                    if (tcp_recv_resize(&s->pcb, now, s->rbig, cap) != 0)
                        abort();
                }
            }
            break;
        }
        case 5: {
            struct slot *s = held(arg);
            if (s)
                tcp_shutdown(&s->pcb, now);
            break;
        }
        case 6:
        case 7: {
            struct slot *s = held(arg);
            if (s) {
                s->app_holds = false;
                if (op % 12 == 6)
                    tcp_close(&s->pcb, now);
                else
                    tcp_abort(&s->pcb, now);
            }
            break;
        }
        case 8: {
            struct tcp_pcb *p = tcp_accept(&lst);
            if (p) {
                struct slot *s = p->user;
                s->app_holds = true;
            }
            break;
        }
        case 9:
            tcp_pmtu(&st, now, &peer, 68u + arg * 8u);
            break;
        case 11:
            if (last_len >= 20)
                tcp_icmp_error(&st, now, &me, (uint16_t)(rd32(last) >> 16),
                               &peer, (uint16_t)(rd32(last) & 0xffff),
                               rd32(last + 4) + (uint32_t)len,
                               (arg & 1) ? MOTE_ECONNREFUSED
                                         : MOTE_EHOSTUNREACH);
            break;
        case 10: {
            struct slot *s = held(arg);
            if (s) {
                tcp_set_nodelay(&s->pcb, now, arg & 0x10);
                tcp_set_keepalive(&s->pcb, now, arg & 0x20);
            }
            break;
        }
        }
        check();
    }
    /* teardown: release everything the application holds, end listening,
     * run out every timer; then each pcb is free or back in the pool */
    for (int k = 0; k < NPCB; k++)
        if (slots[k].in_use && slots[k].app_holds) {
            slots[k].app_holds = false;
            tcp_abort(&slots[k].pcb, now);
        }
    tcp_unlisten(&st, &lst, now);
    check();
    /* connections closed gracefully linger until their timers give up on
     * the silent peer: run the clock out */
    for (int k = 0; k < 10000 && st.n_active; k++) {
        uint64_t d = tcp_deadline(&st);
        if (d == UINT64_MAX)
            break;
        now = d > now ? d : now;
        tcp_tick(&st, now);
        check();
    }
    if (st.n_active)
        abort(); /* an orphan that never goes away */
    unsigned pooled = 0;
    for (struct tcp_pcb *p = st.pool; p; p = p->qnext)
        pooled++;
    for (int k = 0; k < NPCB; k++)
        if (slots[k].in_use && !slots[k].freed) {
            bool in_pool = false;
            for (struct tcp_pcb *p = st.pool; p; p = p->qnext)
                if (p == &slots[k].pcb)
                    in_pool = true;
            if (!in_pool)
                abort(); /* leaked: neither freed nor pooled */
        }
    if (pooled != st.n_pool)
        abort();
    tcp_stack_release(&st);
    return 0;
}

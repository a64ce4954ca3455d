/* What idle connections cost the TCP engine's timers: ns per tcp_tick. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/net/tcp_int.h"

/*
 * Usage: tcp_timers [N...]
 * For each N (default 1000 10000 100000): one engine, N connections
 * established through a listener and left idle, plus one more sending a
 * byte now and then (so one retransmission or delayed-ACK timer comes due
 * per tick). Reports the mean time of a tcp_tick that has one due pcb:
 * before the timer heap it scanned every connection, now it should not
 * depend on N. No I/O: the segments go to the output queue and are
 * dropped.
 */

static void rnd(void *ctx, void *buf, size_t n)
{
    (void)ctx;
    static uint64_t s = 88172645463325252ULL;
    uint8_t *p = buf;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        p[i] = (uint8_t)s;
    }
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static void seg(uint8_t *b, uint16_t sport, uint32_t seq, uint32_t ack,
                uint8_t flags)
{
    memset(b, 0, 20);
    put16(b, sport);
    put16(b + 2, 80);
    put32(b + 4, seq);
    put32(b + 8, ack);
    b[12] = 5 << 4;
    b[13] = flags;
    put16(b + 14, 65535);
}

static void drain(struct tcp_stack *st)
{
    while (tcp_out_peek(st))
        tcp_out_pop(st);
}

static double run(unsigned n)
{
    struct tcp_cfg c;
    memset(&c, 0, sizeof c);
    c.random = rnd;
    c.no_checksum = true;
    size_t oqn = tcp_outq_size(&c, 64);
    void *oq = aligned_alloc(8, (oqn + 7) & ~(size_t)7);
    struct tcp_stack *st = calloc(1, sizeof *st);
    tcp_stack_init(st, &c, oq, oqn);
    struct mote_ipaddr a = mote_ipaddr_v4(10, 0, 0, 1);
    struct tcp_listener l;
    tcp_listen(st, &l, &a, 80, 65535);
    struct tcp_pcb **pcbs = calloc(n + 1, sizeof *pcbs);
    uint8_t *mem = malloc((size_t)(n + 1) * 8192);
    uint64_t t = 1000000000u;
    for (unsigned i = 0; i <= n; i++) {
        struct tcp_pcb *p = calloc(1, sizeof *p);
        tcp_pcb_init(p, mem + (size_t)i * 8192, 4096,
                     mem + (size_t)i * 8192 + 4096, 4096);
        tcp_pool_give(st, p);
        /* a distinct peer per connection: address and port */
        struct mote_ipaddr b = mote_ipaddr_v4(10, (uint8_t)(i >> 16),
                                              (uint8_t)(i >> 8), (uint8_t)i);
        uint8_t s[20];
        seg(s, 1024, 1000, 0, TCP_SYN);
        tcp_input(st, t, &b, &a, s, 20);
        const struct tcp_outseg *o = tcp_out_peek(st);
        uint32_t iss = o ? (uint32_t)(o->data[4] << 24 | o->data[5] << 16 |
                                      o->data[6] << 8 | o->data[7])
                         : 0;
        drain(st);
        seg(s, 1024, 1001, iss + 1, TCP_ACK);
        tcp_input(st, t, &b, &a, s, 20);
        pcbs[i] = tcp_accept(&l);
    }
    /* let the handshakes' stopped timers pass */
    t += 10ull * 1000000000u;
    tcp_tick(st, t);
    drain(st);
    struct tcp_pcb *busy = pcbs[n];
    unsigned ticks = 0;
    uint64_t spent = 0;
    for (int k = 0; k < 2000; k++) {
        size_t len;
        uint8_t *w = tcp_send_buf(busy, &len);
        if (w && len) {
            w[0] = 'x';
            tcp_send_ack(busy, t, 1);
        }
        drain(st);
        uint64_t d = tcp_deadline(st);
        if (d == UINT64_MAX)
            continue;
        t = d;
        uint64_t t0 = now_ns();
        tcp_tick(st, t);
        spent += now_ns() - t0;
        ticks++;
        drain(st);
        if (!pcbs[n] || busy->state != TCP_ESTABLISHED)
            break;
    }
    for (unsigned i = 0; i <= n; i++)
        if (pcbs[i])
            tcp_abort(pcbs[i], t);
    drain(st);
    tcp_unlisten(st, &l, t);
    tcp_stack_release(st);
    return ticks ? (double)spent / ticks : 0;
}

int main(int argc, char **argv)
{
    unsigned def[] = {1000, 10000, 100000};
    int k = argc > 1 ? argc - 1 : 3;
    for (int i = 0; i < k; i++) {
        unsigned n = argc > 1 ? (unsigned)atoi(argv[i + 1]) : def[i];
        printf("idle=%u ns_per_tick=%.0f\n", n, run(n));
    }
    return 0;
}

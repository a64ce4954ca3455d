/* Benchmark: the TCP engine's bulk throughput, two engines back to back in
 * memory on one core, against the Linux kernel's TCP over loopback. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mote/ipaddr.h>

#include "../src/net/tcp_int.h"

/*
 * usage: tcp_engine [MB]   (default 512)
 *
 * mote: one process runs a sender and a receiver engine; segments go from
 * one output queue straight into the other's tcp_input (no loss, no
 * delay): what is measured is the engine's own cost per byte (segment
 * building, checksums both ways, ring copies, ACK processing).
 * linux: a child process writes the same number of bytes to the parent
 * over 127.0.0.1 TCP; two processes, so the kernel gets two cores where
 * the engine pair shares one: the ratio flatters Linux.
 *
 * Output, one "metric value" per line, for bench/run.sh:
 *   tcp_engine_gbps, tcp_linux_loopback_gbps, tcp_engine_ratio
 */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void rnd(void *ctx, void *buf, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        ((uint8_t *)buf)[i] = (uint8_t)rand();
}

static struct tcp_pcb *accepted;
static void on_notify(void *ctx, struct tcp_pcb *pcb, unsigned ev)
{
    (void)ctx;
    (void)pcb;
    (void)ev;
}

static void shuttle(struct tcp_stack *from, struct tcp_stack *to, uint64_t t)
{
    const struct tcp_outseg *o;
    while ((o = tcp_out_peek(from))) {
        tcp_input(to, t, &o->src, &o->dst, o->data, o->len);
        tcp_out_pop(from);
    }
}

static double bench_engine(uint64_t total)
{
    struct tcp_cfg c;
    memset(&c, 0, sizeof c);
    c.random = rnd;
    c.notify = on_notify;
    c.mss = 1460;
    struct tcp_stack a, b;
    size_t qn = tcp_outq_size(&c, 512);
    void *qa = aligned_alloc(8, qn), *qb = aligned_alloc(8, qn);
    tcp_stack_init(&a, &c, qa, qn);
    tcp_stack_init(&b, &c, qb, qn);
    size_t cap = 1 << 20;
    uint8_t *m = malloc(4 * cap);
    struct tcp_pcb pa, pb;
    tcp_pcb_init(&pa, m, (uint32_t)cap, m + cap, (uint32_t)cap);
    tcp_pcb_init(&pb, m + 2 * cap, (uint32_t)cap, m + 3 * cap, (uint32_t)cap);
    tcp_pool_give(&b, &pb);
    struct tcp_listener l;
    memset(&l, 0, sizeof l);
    struct mote_ipaddr ia = mote_ipaddr_v4(10, 0, 0, 1);
    struct mote_ipaddr ib = mote_ipaddr_v4(10, 0, 0, 2);
    tcp_listen(&b, &l, &ib, 80, 4);
    uint64_t t = 1000000000ULL;
    tcp_connect(&a, &pa, t, &ia, 0, &ib, 80);
    for (int i = 0; i < 4; i++) {
        shuttle(&a, &b, t);
        shuttle(&b, &a, t);
    }
    accepted = tcp_accept(&l);
    if (!accepted || pa.state != TCP_ESTABLISHED) {
        fprintf(stderr, "tcp_engine: handshake failed\n");
        exit(1);
    }
    uint64_t sent = 0, got = 0;
    double t0 = now_s();
    while (got < total) {
        size_t n;
        uint8_t *w;
        while (sent < total && (w = tcp_send_buf(&pa, &n))) {
            if (n > total - sent)
                n = (size_t)(total - sent);
            memset(w, (int)(sent & 0xff), n < 64 ? n : 64);
            tcp_send_ack(&pa, t, n);
            sent += n;
        }
        shuttle(&a, &b, t);
        const uint8_t *r;
        while ((r = tcp_recv_buf(accepted, &n))) {
            got += n;
            tcp_recv_ack(accepted, t, n);
        }
        shuttle(&b, &a, t);
        t += 1000; /* 1 us of simulated time per round */
        if (tcp_deadline(&a) <= t)
            tcp_tick(&a, t);
        if (tcp_deadline(&b) <= t)
            tcp_tick(&b, t);
    }
    double dt = now_s() - t0;
    tcp_stack_release(&a);
    tcp_stack_release(&b);
    free(m);
    free(qa);
    free(qb);
    return (double)total * 8 / dt / 1e9;
}

static double bench_linux(uint64_t total)
{
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    if (bind(ls, (struct sockaddr *)&sa, sizeof sa) || listen(ls, 1) ||
        getsockname(ls, (struct sockaddr *)&sa, &sl)) {
        perror("tcp_engine: loopback");
        exit(1);
    }
    pid_t pid = fork();
    if (pid == 0) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(s, (struct sockaddr *)&sa, sizeof sa))
            _exit(1);
        static uint8_t buf[1 << 16];
        uint64_t left = total;
        while (left) {
            size_t k = left < sizeof buf ? (size_t)left : sizeof buf;
            ssize_t w = write(s, buf, k);
            if (w <= 0)
                _exit(1);
            left -= (uint64_t)w;
        }
        close(s);
        _exit(0);
    }
    int s = accept(ls, NULL, NULL);
    static uint8_t buf[1 << 16];
    uint64_t got = 0;
    double t0 = now_s();
    for (;;) {
        ssize_t r = read(s, buf, sizeof buf);
        if (r <= 0)
            break;
        got += (uint64_t)r;
    }
    double dt = now_s() - t0;
    close(s);
    close(ls);
    waitpid(pid, NULL, 0);
    if (got != total) {
        fprintf(stderr, "tcp_engine: loopback short read\n");
        exit(1);
    }
    return (double)total * 8 / dt / 1e9;
}

int main(int argc, char **argv)
{
    uint64_t mb = argc > 1 ? strtoull(argv[1], NULL, 10) : 512;
    uint64_t total = mb << 20;
    double e = bench_engine(total);
    double k = bench_linux(total);
    printf("tcp_engine_gbps %.3f\n", e);
    printf("tcp_linux_loopback_gbps %.3f\n", k);
    printf("tcp_engine_ratio %.3f\n", e / k);
    return 0;
}

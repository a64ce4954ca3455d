/* Benchmark: Mote fiber hand-off and spawn+join cost (peer: peer_ucontext). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <mote/mote.h>

/* The bare context switch is internal to the core; it is measured here so
 * the report can say how much of a hand-off is the switch itself and how
 * much is the scheduler around it. */
#include "../src/core/core_int.h"

/*
 * Output: one line per sample, "metric value", for bench/run.sh to take
 * medians over. Every metric is in nanoseconds per operation:
 *
 *   mote_yield_ns      two fibers alternate with mote_fiber_yield(); the
 *                      time per yield, i.e. per hand-off from one fiber to
 *                      the other: fiber -> scheduler -> other fiber (two
 *                      core__ctx_switch calls) plus the run-queue work and
 *                      the scheduler's per-round platform poll (one
 *                      epoll_wait(0) per round of two yields).
 *   mote_spawn_join_ns mote_fiber_spawn(noop, default 256 KiB stack, which
 *                      the core recycles) + mote_fiber_join() from the main
 *                      fiber: the new fiber runs, ends, and the joiner is
 *                      woken and frees it.
 *   mote_spawn64k_join_ns  the same with a 64 KiB stack (what apps/echo
 *                      gives each connection): not the default size, so no
 *                      stack recycling; mmap + mprotect + munmap each time.
 *   ctx_switch_ns      core__ctx_switch alone: two raw contexts ping-pong,
 *                      per switch, no scheduler (the floor under
 *                      mote_yield_ns).
 *   epoll_wait0_ns     one epoll_wait(epfd, ..., 0) system call on an
 *                      empty epoll set: the cost the scheduler pays once
 *                      per round when fibers stay runnable.
 */

#define PASSES 3

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- Yield ping-pong --------------------------------------------------- */

static void yielder(void *arg)
{
    long n = *(long *)arg;
    for (long i = 0; i < n; i++)
        mote_fiber_yield();
}

static double bench_yield(long n)
{
    struct mote_fiber *a, *b;
    double t0 = now_ns();
    if (mote_fiber_spawn(yielder, &n, 0, &a) ||
        mote_fiber_spawn(yielder, &n, 0, &b)) {
        fprintf(stderr, "fibers: spawn failed\n");
        exit(1);
    }
    mote_fiber_join(a);
    mote_fiber_join(b);
    return (now_ns() - t0) / (2.0 * (double)n);
}

/* ---- Spawn + join -------------------------------------------------------- */

static void noop(void *arg)
{
    (void)arg;
}

static double bench_spawn_join(long n, size_t stack)
{
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        struct mote_fiber *f;
        if (mote_fiber_spawn(noop, NULL, stack, &f)) {
            fprintf(stderr, "fibers: spawn failed\n");
            exit(1);
        }
        mote_fiber_join(f);
    }
    return (now_ns() - t0) / (double)n;
}

/* ---- Raw context switch ------------------------------------------------- */

static void *raw_main_sp, *raw_peer_sp;

static void raw_peer(void *arg)
{
    (void)arg;
    for (;;)
        core__ctx_switch(&raw_peer_sp, raw_main_sp);
}

static double bench_ctx_switch(long n)
{
    static char stack[64 * 1024] __attribute__((aligned(64)));
    raw_peer_sp = core__ctx_make(stack, sizeof(stack), raw_peer, NULL);
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        core__ctx_switch(&raw_main_sp, raw_peer_sp);
    /* Each iteration is two switches: there and back. The peer is left
     * suspended; its stack is static, so nothing leaks. */
    return (now_ns() - t0) / (2.0 * (double)n);
}

/* ---- The scheduler's per-round poll, alone ----------------------------- */

static double bench_epoll_wait0(long n)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) {
        perror("fibers: epoll_create1");
        exit(1);
    }
    struct epoll_event evs[256];
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        epoll_wait(ep, evs, 256, 0);
    double t = (now_ns() - t0) / (double)n;
    close(ep);
    return t;
}

int mote_main(int argc, char **argv)
{
    /* Iterations: sized for roughly 0.1-0.3 s per sample on a 2020s x86
     * machine; "--quick" divides them by ten for smoke tests. */
    long scale = 1;
    if (argc > 1 && strcmp(argv[1], "--quick") == 0)
        scale = 10;
    long n_yield = 1000000 / scale, n_spawn = 500000 / scale;
    long n_spawn64 = 20000 / scale, n_ctx = 5000000 / scale;
    long n_epoll = 500000 / scale;

    /* Warm-up: fault in stacks, fill the stack cache, train predictors. */
    bench_yield(n_yield / 10);
    bench_spawn_join(n_spawn / 10, 0);
    bench_ctx_switch(n_ctx / 10);

    for (int pass = 0; pass < PASSES; pass++) {
        printf("mote_yield_ns %.2f\n", bench_yield(n_yield));
        printf("mote_spawn_join_ns %.2f\n", bench_spawn_join(n_spawn, 0));
        printf("mote_spawn64k_join_ns %.2f\n",
               bench_spawn_join(n_spawn64, 64 * 1024));
        printf("ctx_switch_ns %.2f\n", bench_ctx_switch(n_ctx));
        printf("epoll_wait0_ns %.2f\n", bench_epoll_wait0(n_epoll));
        fflush(stdout);
    }
    struct mote_sched_stats st;
    mote_sched_stats(&st);
    fprintf(stderr, "fibers: %llu switches, %llu spawned, %llu live\n",
            (unsigned long long)st.switches, (unsigned long long)st.spawned,
            (unsigned long long)st.live);
    return 0;
}

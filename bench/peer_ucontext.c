/* Benchmark peer: glibc swapcontext/makecontext doing what bench/fibers does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

/*
 * A plain C program (it defines main, so libmote's main is not linked in).
 * Output: "metric value" lines, nanoseconds per operation:
 *
 *   uctx_swap_ns        two ucontexts ping-pong with swapcontext directly;
 *                       per swapcontext, i.e. per hand-off. The peer's best
 *                       case: no scheduler between them.
 *   uctx_swap_sched_ns  the shape Mote has: each hand-off goes fiber ->
 *                       scheduler context -> other fiber (two swapcontext
 *                       calls, a trivial round-robin "scheduler"); per
 *                       hand-off.
 *   uctx_create_ns      getcontext + makecontext on a preallocated 256 KiB
 *                       stack, swapcontext into it, the function returns
 *                       through uc_link to the creator (the "join").
 *   uctx_create_malloc_ns  the same with the stack malloc'd and freed each
 *                       time.
 *
 * Note that glibc's swapcontext saves and restores the signal mask with a
 * rt_sigprocmask system call each time; that is most of its cost, and is
 * what a real ucontext-based fiber library pays.
 */

#define PASSES 3
#define STACK  (256 * 1024)

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void check(int rc, const char *what)
{
    if (rc != 0) {
        perror(what);
        exit(1);
    }
}

/* ---- Direct ping-pong ------------------------------------------------------
 */

static ucontext_t main_uc, a_uc, b_uc, sched_uc;
static long pp_n;

static void pp_a(void)
{
    for (long i = 0; i < pp_n; i++)
        swapcontext(&a_uc, &b_uc);
    /* returns to main_uc via uc_link */
}

static void pp_b(void)
{
    for (;;)
        swapcontext(&b_uc, &a_uc);
}

static void make(ucontext_t *uc, void *stack, void (*fn)(void),
                 ucontext_t *link)
{
    check(getcontext(uc), "getcontext");
    uc->uc_stack.ss_sp = stack;
    uc->uc_stack.ss_size = STACK;
    uc->uc_link = link;
    makecontext(uc, fn, 0);
}

static double bench_swap(long n, char *sa, char *sb)
{
    pp_n = n;
    make(&a_uc, sa, pp_a, &main_uc);
    make(&b_uc, sb, pp_b, NULL);
    double t0 = now_ns();
    check(swapcontext(&main_uc, &a_uc), "swapcontext");
    /* a swapped n times to b and b n times back: 2n hand-offs. */
    return (now_ns() - t0) / (2.0 * (double)n);
}

/* ---- Through a scheduler context ----------------------------------------- */

static long sched_left;
static ucontext_t *sched_prev;

static void sp_fiber(void)
{
    for (;;) {
        ucontext_t *self = sched_prev;
        swapcontext(self, &sched_uc);
    }
}

static double bench_swap_sched(long n, char *sa, char *sb)
{
    make(&a_uc, sa, sp_fiber, NULL);
    make(&b_uc, sb, sp_fiber, NULL);
    sched_left = 2 * n;
    double t0 = now_ns();
    /* The "scheduler": run a and b alternately, one hand-off per resume. */
    while (sched_left-- > 0) {
        sched_prev = (sched_left & 1) ? &a_uc : &b_uc;
        check(swapcontext(&sched_uc, sched_prev), "swapcontext");
    }
    /* Per hand-off: scheduler -> fiber and fiber -> scheduler. */
    return (now_ns() - t0) / (2.0 * (double)n);
}

/* ---- Create + run + return -------------------------------------------------
 */

static volatile long created;

static void noop(void)
{
    created++;
}

static double bench_create(long n, char *stack)
{
    ucontext_t uc;
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        char *s = stack ? stack : malloc(STACK);
        if (!s) {
            fputs("peer_ucontext: out of memory\n", stderr);
            exit(1);
        }
        make(&uc, s, noop, &main_uc);
        check(swapcontext(&main_uc, &uc), "swapcontext");
        if (!stack)
            free(s);
    }
    return (now_ns() - t0) / (double)n;
}

int main(int argc, char **argv)
{
    long scale = 1;
    if (argc > 1 && strcmp(argv[1], "--quick") == 0)
        scale = 10;
    long n_swap = 500000 / scale, n_create = 250000 / scale;
    char *sa = malloc(STACK), *sb = malloc(STACK), *sc = malloc(STACK);
    if (!sa || !sb || !sc) {
        fputs("peer_ucontext: out of memory\n", stderr);
        return 1;
    }
    memset(sa, 0, STACK);
    memset(sb, 0, STACK);
    memset(sc, 0, STACK);

    bench_swap(n_swap / 10, sa, sb);
    bench_create(n_create / 10, sc);

    for (int pass = 0; pass < PASSES; pass++) {
        printf("uctx_swap_ns %.2f\n", bench_swap(n_swap, sa, sb));
        printf("uctx_swap_sched_ns %.2f\n", bench_swap_sched(n_swap, sa, sb));
        printf("uctx_create_ns %.2f\n", bench_create(n_create, sc));
        printf("uctx_create_malloc_ns %.2f\n", bench_create(n_create, NULL));
        fflush(stdout);
    }
    free(sa);
    free(sb);
    free(sc);
    return 0;
}

/* spt test guest: overrun a fiber stack, the heap, or guest memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/mote.h>

static volatile char sink;

/* About 1 KiB per frame, all of it written, as a function filling a local
 * buffer does (a frame that leaves a hole over the canary can skip it: see
 * docs/spt.md). */
static int deep(int n)
{
    volatile char frame[1024];
    for (size_t i = 0; i < sizeof(frame); i++)
        frame[i] = (char)n;
    if (n == 0)
        return frame[0];
    return deep(n - 1) + frame[sizeof(frame) - 1];
}

static void recurse(void *arg)
{
    int depth = *(int *)arg;
    sink = (char)deep(depth);
    /* The platform checks canaries when the scheduler sleeps in it; a
     * plain yield may not reach the platform (it is polled at most every
     * 50 us while fibers are runnable), a sleep always does. */
    mote_sleep(MOTE_NS_PER_MS);
    printf("fiber returned from depth %d\n", depth);
}

int mote_main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: overflow fiber-ok|fiber-stack|fiber-big|"
                        "fiber-many|heap-corrupt|heap-exhaust|write-text|"
                        "null\n");
        return 2;
    }
    const char *m = argv[1];
    if (strcmp(m, "fiber-ok") == 0 || strcmp(m, "fiber-stack") == 0 ||
        strcmp(m, "fiber-big") == 0) {
        /* fiber-ok, fiber-stack: a 16 KiB stack (a guarded slot); 8 frames
         * fit, 24 run 8 KiB past its bottom. fiber-big: 512 KiB, larger
         * than a slot, so a heap stack with a canary; 520 frames overrun it
         * by 8 KiB. */
        int big = m[6] == 'b';
        int depth = big ? 520 : m[6] == 'o' ? 8 : 24;
        struct mote_fiber *f;
        if (mote_fiber_spawn(recurse, &depth, big ? 512 * 1024 : 16 * 1024,
                             &f) != 0)
            return 1;
        mote_fiber_join(f);
        printf("survived %s\n", m);
        return 0;
    }
    if (strcmp(m, "fiber-many") == 0) {
        /* More fibers than stack slots: the rest get heap stacks. Each
         * goes 40 KiB deep in a 64 KiB stack and yields there. */
        enum { N = 64 };
        static struct mote_fiber *f[N];
        static int depth = 40;
        for (int i = 0; i < N; i++)
            if (mote_fiber_spawn(recurse, &depth, 64 * 1024, &f[i]) != 0)
                return 1;
        for (int i = 0; i < N; i++)
            mote_fiber_join(f[i]);
        printf("survived %s: %d fibers\n", m, N);
        return 0;
    }
    if (strcmp(m, "heap-corrupt") == 0) {
        char *a = malloc(64), *b = malloc(64);
        memset(a, 0x41, 64 + 64); /* over b's header */
        free(b);
        free(a);
        printf("survived %s\n", m);
        return 0;
    }
    if (strcmp(m, "heap-exhaust") == 0) {
        size_t total = 0;
        for (;;) {
            void *p = malloc(1 << 20);
            if (!p)
                break;
            memset(p, 1, 1 << 20);
            total += 1 << 20;
        }
        printf("heap exhausted after %zu MiB: malloc returned NULL\n",
               total >> 20);
        return 0;
    }
    if (strcmp(m, "write-text") == 0) {
        *(volatile char *)(void *)mote_main = 0;
        printf("survived %s\n", m);
        return 0;
    }
    if (strcmp(m, "null") == 0) {
        static volatile uintptr_t addr = 8; /* hide it from the compiler */
        sink = *(volatile char *)addr;
        printf("survived %s\n", m);
        return 0;
    }
    fprintf(stderr, "overflow: unknown mode '%s'\n", m);
    return 2;
}

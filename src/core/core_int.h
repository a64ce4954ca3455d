/* Core internals shared between the files of src/core. */
#ifndef MOTE_CORE_INT_H
#define MOTE_CORE_INT_H

#include <stddef.h>
#include <stdint.h>

/*
 * IMPLEMENTATION NOTES
 *
 * Context switch (ctx_x86_64.c). A suspended context is just its stack
 * pointer; the stack holds, from the saved sp upwards:
 *
 *   OFFSET SIZE MEANING
 *   0      4    MXCSR (SSE control/status: rounding mode, exception masks)
 *   4      2    x87 control word
 *   6      2    padding
 *   8      48   r15 r14 r13 r12 rbx rbp (callee-saved, SysV ABI)
 *   56     8    return address
 *
 * A new fiber's stack is built to look like that, with the return address
 * pointing at an entry trampoline and r12/r13 holding its argument and entry
 * function; everything caller-saved needs no saving because the switch is
 * an ordinary call.
 */

/* Save the current context's sp into *save and resume the context whose
 * sp is next. Returns when something switches back to *save. */
void core__ctx_switch(void **save, void *next);

/* Build the initial context for fn(arg) at the top of [stack, stack+size);
 * returns the sp to pass to core__ctx_switch. fn MUST NOT return. */
void *core__ctx_make(void *stack, size_t size, void (*fn)(void *), void *arg);

/*
 * Timers: a binary min-heap ordered by deadline. Each timer remembers its
 * index so removing one (a wake-up before the deadline) is O(log n) too.
 * Timers are embedded in the objects that wait (fibers); the heap only
 * holds pointers and never owns them.
 */
#define CORE_TIMER_IDLE SIZE_MAX

struct core__timer {
    uint64_t deadline;
    size_t index; /* position in the heap, or CORE_TIMER_IDLE */
};

struct core__timer_heap {
    struct core__timer **items;
    size_t len, cap;
};

/* Arm t (which MUST be idle) for deadline. Errors: MOTE_ENOMEM. */
int core__timer_heap_push(struct core__timer_heap *h, struct core__timer *t,
                          uint64_t deadline);
/* Disarm t; a no-op on an idle timer. */
void core__timer_heap_remove(struct core__timer_heap *h, struct core__timer *t);
/* The earliest timer, or NULL. */
static inline struct core__timer *
core__timer_heap_min(const struct core__timer_heap *h)
{
    return h->len ? h->items[0] : NULL;
}
void core__timer_heap_release(struct core__timer_heap *h);

/* Spawn the main fiber running mote_main(argc, argv) and run the scheduler
 * until it returns; returns its status. */
int core__boot_run(int argc, char **argv);

#endif

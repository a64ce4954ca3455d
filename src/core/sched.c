/* The scheduler: fibers, the run queue, timers, wait queues, cancellation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mote/core.h>
#include <mote/error.h>
#include <mote/platform.h>

#include "core_int.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer) && !defined(__SANITIZE_ADDRESS__)
#define __SANITIZE_ADDRESS__ 1
#endif
#endif

/*
 * IMPLEMENTATION NOTES
 *
 * Every switch goes through the scheduler context (the platform's stack in
 * mote_boot): fiber -> scheduler -> next fiber. That costs two switches per
 * hand-off instead of one, but keeps one place that decides what runs, and
 * a switch is a few nanoseconds.
 *
 * A fiber is in at most one list at a time, linked through next/prev: the
 * run queue, or the wait queue it blocks on. Independently its timer may be
 * armed in the timer heap while it is blocked with a deadline.
 *
 * Memory: a fiber's struct is allocated apart from its stack, so that a
 * parked stack (below) can be given back whole while the scheduler still
 * links the struct into queues and the timer heap. Reusing released stacks
 * is the platform's business (it knows what a stack costs and how to check
 * one on release).
 *
 * Parking (mote_fiber_park_stack): when a fiber that asked for it blocks,
 * the scheduler, back on its own stack, copies the live part of the
 * fiber's stack, [saved sp, top), to the heap (typically under 1 KiB) and
 * asks the platform to release the whole stack region. unblock() copies it
 * back before anything else touches the fiber, so a wait queue on the
 * fiber's own stack (mote_sleep_until(MOTE_FOREVER)) still works, and the
 * pages below sp come back as zeros only when the fiber next grows into
 * them. An idle connection then costs its structs and that copy instead
 * of every stack page it ever touched. Below the saved sp nothing is live:
 * the switch is an ordinary call, so no red zone is in use.
 */

enum fiber_state {
    FIBER_NONE = 0,
    FIBER_RUNNABLE,
    FIBER_RUNNING,
    FIBER_BLOCKED,
    FIBER_DONE,
};

struct mote_fiber {
    void *sp;
    struct mote_fiber *next, *prev;
    struct mote_waitq *waitq; /* the queue this fiber is blocked on */
    struct core__timer timer;
    mote_fiber_fn fn;
    void *arg;
    const char *name;
    void *stack; /* region base (lowest usable address) */
    size_t stack_size;
    void *parked; /* the live stack [sp, top) while parked, else NULL */
    size_t parked_len;
    struct mote_waitq joiners;
    int wake_reason;
    uint8_t state;
    bool cancelled;
    bool detached;
    bool park_req; /* park the stack at the next block */
#if defined(__SANITIZE_ADDRESS__)
    void *asan_fake_stack;
#endif
};

/* ASan must be told when the stack changes, or it reports frames of one
 * fiber as overflows of another. Declared here so portable code needs no
 * sanitizer header. */
#if defined(__SANITIZE_ADDRESS__)
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom,
                                    size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save,
                                     const void **bottom_old, size_t *size_old);
#endif

#define PAGE 4096u

static struct {
    void *sched_sp;
    struct mote_fiber *current;
    struct mote_fiber *run_head, *run_tail;
    size_t run_len;
    struct core__timer_heap timers;
    struct mote_waitq device_waiters[MOTE_PLATFORM_MAX_HANDLES];
    struct mote_sched_stats stats;
#if defined(__SANITIZE_ADDRESS__)
    const void *sched_stack_bottom;
    size_t sched_stack_size;
#endif
} S;

/* ---- Lists ------------------------------------------------------------- */

static void list_push(struct mote_fiber **head, struct mote_fiber **tail,
                      struct mote_fiber *f)
{
    f->next = NULL;
    f->prev = *tail;
    if (*tail)
        (*tail)->next = f;
    else
        *head = f;
    *tail = f;
}

static void list_remove(struct mote_fiber **head, struct mote_fiber **tail,
                        struct mote_fiber *f)
{
    if (f->prev)
        f->prev->next = f->next;
    else
        *head = f->next;
    if (f->next)
        f->next->prev = f->prev;
    else
        *tail = f->prev;
    f->next = f->prev = NULL;
}

static void make_runnable(struct mote_fiber *f)
{
    f->state = FIBER_RUNNABLE;
    list_push(&S.run_head, &S.run_tail, f);
    S.run_len++;
}

static struct mote_fiber *pop_runnable(void)
{
    struct mote_fiber *f = S.run_head;
    if (f) {
        list_remove(&S.run_head, &S.run_tail, f);
        S.run_len--;
    }
    return f;
}

/* ---- Timers ------------------------------------------------------------- */

static struct mote_fiber *timer_fiber(struct core__timer *t)
{
    return (struct mote_fiber *)((char *)t -
                                 offsetof(struct mote_fiber, timer));
}

static int timer_arm(struct mote_fiber *f, uint64_t deadline)
{
    int err = core__timer_heap_push(&S.timers, &f->timer, deadline);
    S.stats.timers = S.timers.len;
    return err;
}

static void timer_disarm(struct mote_fiber *f)
{
    core__timer_heap_remove(&S.timers, &f->timer);
    S.stats.timers = S.timers.len;
}

/* ---- Switching -------------------------------------------------------------
 */

static void switch_to_fiber(struct mote_fiber *f)
{
    S.current = f;
    f->state = FIBER_RUNNING;
    S.stats.switches++;
#if defined(__SANITIZE_ADDRESS__)
    void *fake = NULL;
    __sanitizer_start_switch_fiber(&fake, f->stack, f->stack_size);
    core__ctx_switch(&S.sched_sp, f->sp);
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#else
    core__ctx_switch(&S.sched_sp, f->sp);
#endif
    S.current = NULL;
}

/* Give control back to the scheduler; returns when this fiber is resumed. */
static void switch_to_sched(struct mote_fiber *self)
{
#if defined(__SANITIZE_ADDRESS__)
    /* A finished fiber never comes back: NULL lets ASan free its fake
     * stack. */
    void **save = self->state == FIBER_DONE ? NULL : &self->asan_fake_stack;
    __sanitizer_start_switch_fiber(save, S.sched_stack_bottom,
                                   S.sched_stack_size);
    core__ctx_switch(&self->sp, S.sched_sp);
    __sanitizer_finish_switch_fiber(self->asan_fake_stack,
                                    &S.sched_stack_bottom, &S.sched_stack_size);
#else
    core__ctx_switch(&self->sp, S.sched_sp);
#endif
}

/* ---- Fibers ---------------------------------------------------------- */

static struct mote_fiber *self_or_abort(void);

static void fiber_free(struct mote_fiber *f)
{
    S.stats.live--;
    mote_platform_stack_free(f->stack, f->stack_size);
    free(f);
}

/* ---- Parking (see IMPLEMENTATION NOTES) -------------------------------- */

/* Under ASan the stack holds poisoned redzones that a plain copy would
 * trip over, and ASan keeps its own view of each stack: parking is off. */
#if defined(__SANITIZE_ADDRESS__)
static void park(struct mote_fiber *f)
{
    (void)f;
}
#else
static void park(struct mote_fiber *f)
{
    static bool cannot_release; /* the platform said MOTE_ENOTSUP */
    if (cannot_release || f->parked)
        return;
    uintptr_t top = (uintptr_t)f->stack + f->stack_size;
    size_t used = top - (uintptr_t)f->sp;
    void *copy = malloc(used);
    if (!copy)
        return; /* parking is an economy, never a failure */
    memcpy(copy, f->sp, used);
    int err = mote_platform_stack_release(f->stack, f->stack_size);
    if (err) {
        free(copy);
        cannot_release = err == MOTE_ENOTSUP;
        return;
    }
    f->parked = copy;
    f->parked_len = used;
    S.stats.parked++;
}
#endif

static void unpark(struct mote_fiber *f)
{
    memcpy(f->sp, f->parked, f->parked_len);
    free(f->parked);
    f->parked = NULL;
    S.stats.parked--;
}

void mote_fiber_park_stack(void)
{
    self_or_abort()->park_req = true;
}

static void fiber_main(void *arg)
{
    struct mote_fiber *f = arg;
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_finish_switch_fiber(NULL, &S.sched_stack_bottom,
                                    &S.sched_stack_size);
#endif
    f->fn(f->arg);
    f->state = FIBER_DONE;
    mote_wake_all(&f->joiners);
    switch_to_sched(f);
    mote_platform_abort(); /* a finished fiber is never resumed */
}

int mote_fiber_spawn(mote_fiber_fn fn, void *arg, size_t stack_size,
                     struct mote_fiber **out)
{
    if (stack_size == 0)
        stack_size = MOTE_FIBER_STACK_DEFAULT;
    if (stack_size < 2 * PAGE)
        stack_size = 2 * PAGE;
    if (stack_size > SIZE_MAX - PAGE)
        return MOTE_ENOMEM;
    stack_size = (stack_size + PAGE - 1) & ~(size_t)(PAGE - 1);

    void *stack = mote_platform_stack_alloc(stack_size);
    if (!stack)
        return MOTE_ENOMEM;

    struct mote_fiber *f = calloc(1, sizeof(*f));
    if (!f) {
        mote_platform_stack_free(stack, stack_size);
        return MOTE_ENOMEM;
    }
    f->fn = fn;
    f->arg = arg;
    f->stack = stack;
    f->stack_size = stack_size;
    f->timer.index = CORE_TIMER_IDLE;
    f->detached = (out == NULL);
    f->sp = core__ctx_make(stack, stack_size, fiber_main, f);
    S.stats.spawned++;
    S.stats.live++;
    make_runnable(f);
    if (out)
        *out = f;
    return 0;
}

struct mote_fiber *mote_fiber_self(void)
{
    return S.current;
}

bool mote_fiber_cancelled(void)
{
    return S.current && S.current->cancelled;
}

void mote_fiber_set_name(struct mote_fiber *f, const char *s)
{
    f->name = s;
}

const char *mote_fiber_name(const struct mote_fiber *f)
{
    return f->name ? f->name : "fiber";
}

static struct mote_fiber *self_or_abort(void)
{
    struct mote_fiber *self = S.current;
    if (!self)
        mote_platform_abort(); /* blocking call outside a fiber */
    return self;
}

/* Block the calling fiber on q (may be NULL: a plain sleep) until woken,
 * deadline, or cancellation. */
static int block(struct mote_waitq *q, uint64_t deadline)
{
    struct mote_fiber *self = self_or_abort();
    if (self->cancelled) {
        self->park_req = false;
        return MOTE_ECANCELED;
    }
    if (deadline != MOTE_FOREVER) {
        if (deadline <= mote_platform_clock_monotonic()) {
            self->park_req = false;
            return q ? MOTE_ETIMEDOUT : 0;
        }
        int err = timer_arm(self, deadline);
        if (err)
            return err;
    }
    self->waitq = q;
    if (q)
        list_push(&q->head, &q->tail, self);
    self->state = FIBER_BLOCKED;
    self->wake_reason = 0;
    switch_to_sched(self);
    return self->wake_reason;
}

/* Make a blocked fiber runnable with the given result for its block(). */
static void unblock(struct mote_fiber *f, int reason)
{
    if (f->parked)
        unpark(f); /* first: f->waitq may be on its stack */
    if (f->waitq) {
        list_remove(&f->waitq->head, &f->waitq->tail, f);
        f->waitq = NULL;
    }
    timer_disarm(f);
    f->wake_reason = reason;
    make_runnable(f);
}

int mote_fiber_yield(void)
{
    struct mote_fiber *self = self_or_abort();
    if (self->cancelled)
        return MOTE_ECANCELED;
    make_runnable(self);
    switch_to_sched(self);
    return self->cancelled ? MOTE_ECANCELED : 0;
}

void mote_fiber_cancel(struct mote_fiber *f)
{
    if (f->cancelled || f->state == FIBER_DONE)
        return;
    f->cancelled = true;
    if (f->state == FIBER_BLOCKED)
        unblock(f, MOTE_ECANCELED);
}

int mote_fiber_join(struct mote_fiber *f)
{
    struct mote_fiber *self = self_or_abort();
    if (f == self || f->detached)
        mote_platform_abort(); /* contract: joinable, not the caller */
    while (f->state != FIBER_DONE) {
        int err = block(&f->joiners, MOTE_FOREVER);
        if (err == MOTE_ECANCELED) {
            f->detached = true;
            return err;
        }
    }
    fiber_free(f);
    return 0;
}

/* ---- Time and waiting
 * ----------------------------------------------------------- */

uint64_t mote_now(void)
{
    return mote_platform_clock_monotonic();
}

uint64_t mote_deadline_in(uint64_t ns)
{
    uint64_t now = mote_now();
    return ns >= MOTE_FOREVER - now ? MOTE_FOREVER : now + ns;
}

int mote_sleep_until(uint64_t deadline)
{
    if (deadline == MOTE_FOREVER) {
        /* Only cancellation ends this; a queue nobody wakes keeps the
         * fiber out of the timer heap. */
        struct mote_waitq never = MOTE_WAITQ_INIT;
        return block(&never, MOTE_FOREVER);
    }
    return block(NULL, deadline);
}

int mote_sleep(uint64_t ns)
{
    return mote_sleep_until(mote_deadline_in(ns));
}

void mote_waitq_init(struct mote_waitq *q)
{
    q->head = q->tail = NULL;
}

bool mote_waitq_empty(const struct mote_waitq *q)
{
    return q->head == NULL;
}

int mote_wait(struct mote_waitq *q, uint64_t deadline)
{
    return block(q, deadline);
}

bool mote_wake_one(struct mote_waitq *q)
{
    struct mote_fiber *f = q->head;
    if (!f)
        return false;
    unblock(f, 0);
    return true;
}

int mote_wake_all(struct mote_waitq *q)
{
    int n = 0;
    while (mote_wake_one(q))
        n++;
    return n;
}

int mote_wait_device(mote_handle handle, uint64_t deadline)
{
    if (handle >= MOTE_PLATFORM_MAX_HANDLES)
        mote_platform_abort();
    return block(&S.device_waiters[handle], deadline);
}

void mote_sched_stats(struct mote_sched_stats *out)
{
    *out = S.stats;
}

/* ---- The loop
 * ---------------------------------------------------------------------- */

static void expire_timers(uint64_t now)
{
    struct core__timer *t;
    while ((t = core__timer_heap_min(&S.timers)) && t->deadline <= now) {
        struct mote_fiber *f = timer_fiber(t);
        /* A timed-out wait reports it; a plain sleep just ends. */
        unblock(f, f->waitq ? MOTE_ETIMEDOUT : 0);
    }
}

static void poll_platform(uint64_t deadline)
{
    mote_handle_set ready = 0;
    mote_platform_yield(deadline, &ready);
    if (deadline != 0)
        S.stats.yields++;
    while (ready) {
        int h = __builtin_ctzll(ready);
        ready &= ready - 1;
        mote_wake_all(&S.device_waiters[h]);
    }
}

/* Run fibers until *done becomes true. Each round runs every fiber that was
 * runnable when it started (so a fiber that keeps yielding cannot starve
 * I/O), then polls the platform: without sleeping if there is more to run,
 * else until the next timer. */
/* While fibers stay runnable the platform is still polled (without
 * sleeping) so I/O is not starved, but at most once per POLL_INTERVAL_NS:
 * a poll is a system call on unix and costs more than a round of switches. */
#define POLL_INTERVAL_NS 50000u

static void sched_run(const bool *done)
{
#if defined(__SANITIZE_ADDRESS__)
    S.sched_stack_bottom = NULL;
    S.sched_stack_size = 0;
#endif
    uint64_t last_poll = 0;
    while (!*done) {
        size_t n = S.run_len;
        while (n-- > 0 && !*done) {
            struct mote_fiber *f = pop_runnable();
            switch_to_fiber(f);
            if (f->state == FIBER_DONE && f->detached)
                fiber_free(f);
            else if (f->park_req && f->state == FIBER_BLOCKED) {
                f->park_req = false;
                park(f);
            }
        }
        if (*done)
            break;
        uint64_t now = mote_platform_clock_monotonic();
        if (S.run_len == 0) {
            uint64_t deadline =
                S.timers.len ? S.timers.items[0]->deadline : MOTE_FOREVER;
            poll_platform(deadline);
            now = mote_platform_clock_monotonic();
            last_poll = now;
        } else if (now - last_poll >= POLL_INTERVAL_NS) {
            poll_platform(0);
            last_poll = now;
        }
        if (S.timers.len)
            expire_timers(now);
    }
}

/* ---- Boot
 * -------------------------------------------------------------------------- */

struct main_args {
    int argc;
    char **argv;
    int status;
    bool done;
};

static void main_fiber(void *arg)
{
    struct main_args *m = arg;
    m->status = mote_main(m->argc, m->argv);
    m->done = true;
}

int core__boot_run(int argc, char **argv)
{
    struct main_args m = {argc, argv, 0, false};
    struct mote_fiber *f = NULL;
    int err = mote_fiber_spawn(main_fiber, &m, 0, &f);
    if (err)
        return err;
    mote_fiber_set_name(f, "main");
    sched_run(&m.done);
    if (f->state == FIBER_DONE) /* it ended by returning: release it */
        fiber_free(f);
    return m.status;
}

_Noreturn void mote_exit(int status)
{
    mote_platform_exit(status);
}

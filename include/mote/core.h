/* Core: fibers, the scheduler, time, waiting, channels and cancellation. */
#ifndef MOTE_CORE_H
#define MOTE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mote/platform.h>

/*
 * One cooperative scheduler runs every fiber of the program on one thread
 * (as Lwt does for a MirageOS unikernel). A fiber runs until it blocks in
 * one of the calls below marked "blocks"; nothing preempts it. Blocking calls
 * may be made only from a fiber, never from the scheduler itself.
 *
 * Cancellation: mote_fiber_cancel() marks a fiber cancelled. Its current
 * blocking call (if any) returns MOTE_ECANCELED at once, and every later
 * blocking call returns MOTE_ECANCELED without blocking, so the fiber runs
 * its normal error path and cleanup and ends. Cancellation is sticky.
 */

/* ---- The program entry point ------------------------------------------ */

/* The application implements this. The core calls it on the main fiber
 * after splitting the command line into arguments (argv[0] is the program
 * name as given, argv[argc] is NULL) and removing the core's own options:
 *
 *   --log=SPEC      logging levels, see <mote/log.h>
 *
 * The program exits with mote_main's return value as soon as it returns,
 * as a C program's threads end with main; fibers still running are not
 * resumed. mote_exit() ends it from any fiber. */
int mote_main(int argc, char **argv);

/* The network options the core took off the command line before
 * mote_main (--net=, --tap=, --ipv4=, --ipv4-gateway=, --ipv6=,
 * --ipv6-gateway=, --dhcp, --no-slaac, --no-ipv6, --mtu=), in order,
 * NULL-terminated; never NULL. The stack selection (mote_stack_default)
 * reads them. */
const char *const *mote_boot_net_args(void);

/* End the program now with status, from any fiber. */
_Noreturn void mote_exit(int status);

/* Split cmdline into at most max arguments (blanks separate; '...' and
 * "..." quote; backslash escapes the next byte outside single quotes),
 * writing the unquoted text into buf (size bytes) and pointers into argv,
 * which gets a NULL after the last argument (so argv needs max + 1 slots).
 * Returns the count, MOTE_ENOSPC if buf or argv is too small, MOTE_EINVAL on
 * an unterminated quote or trailing backslash. */
int mote_cmdline_split(const char *cmdline, char *buf, size_t size, char **argv,
                       int max);

/* ---- Time ---------------------------------------------------------------- */

#define MOTE_NS_PER_SEC 1000000000ull
#define MOTE_NS_PER_MS  1000000ull
#define MOTE_NS_PER_US  1000ull
/* A deadline that never comes. */
#define MOTE_FOREVER UINT64_MAX

/* The monotonic clock, in ns. */
uint64_t mote_now(void);
/* now + ns, saturating at MOTE_FOREVER. */
uint64_t mote_deadline_in(uint64_t ns);

/* ---- Fibers -----------------------------------------------------------------
 */

struct mote_fiber; /* opaque */

typedef void (*mote_fiber_fn)(void *arg);

#define MOTE_FIBER_STACK_DEFAULT (256u * 1024u)

/* Create a fiber that will run fn(arg) with a stack of stack_size bytes
 * (0 for MOTE_FIBER_STACK_DEFAULT; rounded up to a page). The new fiber is
 * runnable and starts when the current fiber next blocks or yields.
 *
 * If out is NULL the fiber is detached: its memory is released when fn
 * returns. Otherwise *out refers to it until mote_fiber_join() is called on
 * it, which the caller MUST do exactly once.
 * Errors: MOTE_ENOMEM (no memory for the stack or the fiber). */
int mote_fiber_spawn(mote_fiber_fn fn, void *arg, size_t stack_size,
                     struct mote_fiber **out);

/* Blocks until f has ended, then releases it. Returns 0, or MOTE_ECANCELED
 * if the caller was cancelled while waiting (f is then detached: it goes on
 * and is released when it ends). f MUST be a joinable fiber not yet joined,
 * and not the caller. */
int mote_fiber_join(struct mote_fiber *f);

/* Mark f cancelled (see above). Safe on a fiber that has already ended but
 * not been joined, and on the caller itself. */
void mote_fiber_cancel(struct mote_fiber *f);

/* True once the calling fiber has been cancelled. */
bool mote_fiber_cancelled(void);

/* The calling fiber (NULL when called from outside any fiber). */
struct mote_fiber *mote_fiber_self(void);

/* Let every other runnable fiber run once, then continue. Returns 0, or
 * MOTE_ECANCELED. Blocks (briefly). */
int mote_fiber_yield(void);

/* Park the calling fiber's stack during its next blocking call: once it
 * has blocked, the scheduler copies the live part of its stack (from the
 * stack pointer up, usually well under 1 KiB) to the heap and gives the
 * stack's pages back to the platform (mote_platform_stack_release), and
 * copies it back when the fiber is woken. For a fiber about to wait a long
 * time (an idle keep-alive connection): it then costs that copy instead of
 * every stack page it has touched. Each park costs a copy each way and
 * page faults when the stack grows again, so call it only before waits
 * expected to be long. The request ends with that next blocking call
 * (also if it returns at once). A no-op where the platform cannot release
 * pages (spt) and under AddressSanitizer.
 *
 * While parked, the fiber's stack MUST NOT be read or written by anyone
 * else: the queue it waits on and anything another fiber or callback
 * touches during the wait must live elsewhere (a wait queue on its own
 * stack that only cancellation or the deadline ends is fine). */
void mote_fiber_park_stack(void);

/* Optional name for logs and traces; s MUST outlive the fiber. */
void mote_fiber_set_name(struct mote_fiber *f, const char *s);
const char *mote_fiber_name(const struct mote_fiber *f);

/* ---- Sleeping
 * ----------------------------------------------------------------- */

/* Blocks until the monotonic clock reaches deadline. Returns 0, or
 * MOTE_ECANCELED. */
int mote_sleep_until(uint64_t deadline);
/* Blocks for ns nanoseconds; as above. */
int mote_sleep(uint64_t ns);

/* ---- Wait queues
 * ---------------------------------------------------------------
 *
 * The primitive every other blocking object is built on: a list of fibers
 * waiting for something. A condition variable, in the cooperative sense:
 * there is no mutex, because nothing runs between the test and the wait.
 * Callers loop: while (!ready) { err = mote_wait(&q, deadline); ... }.
 */

struct mote_waitq {
    struct mote_fiber *head, *tail; /* private */
};

#define MOTE_WAITQ_INIT                                                        \
    {                                                                          \
        0, 0                                                                   \
    }
void mote_waitq_init(struct mote_waitq *q);
/* Blocks until woken by mote_wake_*, or deadline passes (MOTE_ETIMEDOUT;
 * MOTE_FOREVER for none), or the fiber is cancelled (MOTE_ECANCELED).
 * Returns 0 when woken. */
int mote_wait(struct mote_waitq *q, uint64_t deadline);
/* Make the first waiter runnable. Returns true if there was one. May be
 * called from fibers and from platform callbacks. */
bool mote_wake_one(struct mote_waitq *q);
/* Make every waiter runnable; returns how many. */
int mote_wake_all(struct mote_waitq *q);
bool mote_waitq_empty(const struct mote_waitq *q);

/* ---- Channels
 * -----------------------------------------------------------------
 *
 * A bounded FIFO of pointers between fibers. The caller supplies the slot
 * array (cap pointers), so a channel never allocates.
 */

struct mote_chan {
    void **slots;
    size_t cap, head, len;
    bool closed;
    struct mote_waitq readers, writers;
};

void mote_chan_init(struct mote_chan *c, void **slots, size_t cap);
/* Blocks while the channel is full. Errors: MOTE_ECLOSED (closed; item not
 * sent), MOTE_ETIMEDOUT, MOTE_ECANCELED. */
int mote_chan_send(struct mote_chan *c, void *item, uint64_t deadline);
/* Blocks while the channel is empty. After close, remaining items are still
 * delivered, then MOTE_ECLOSED. Errors also MOTE_ETIMEDOUT, MOTE_ECANCELED. */
int mote_chan_recv(struct mote_chan *c, void **item, uint64_t deadline);
/* Non-blocking forms: MOTE_EAGAIN instead of blocking. */
int mote_chan_try_send(struct mote_chan *c, void *item);
int mote_chan_try_recv(struct mote_chan *c, void **item);
/* Wakes every blocked sender (MOTE_ECLOSED) and receiver. */
void mote_chan_close(struct mote_chan *c);

/* ---- Devices
 * --------------------------------------------------------------------- */

/* Blocks until the platform reports the network device handle ready (a frame
 * to read), or deadline. Returns 0, MOTE_ETIMEDOUT or MOTE_ECANCELED. */
int mote_wait_device(mote_handle handle, uint64_t deadline);

/* Counters for tests and benchmarks. */
struct mote_sched_stats {
    uint64_t switches; /* context switches into fibers */
    uint64_t spawned;  /* fibers created */
    uint64_t live;     /* fibers not yet released */
    uint64_t timers;   /* armed timers right now */
    uint64_t yields;   /* times the scheduler slept in the platform */
    uint64_t parked;   /* fibers whose stacks are parked right now */
};
void mote_sched_stats(struct mote_sched_stats *out);

#endif

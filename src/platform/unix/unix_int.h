/* Unix backend internals: the event loop shared by devices and sockets. */
#ifndef MOTE_UNIX_INT_H
#define MOTE_UNIX_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One epoll instance serves everything that can make the scheduler wake up:
 * TAP devices (reported through mote_platform_yield's ready set) and the
 * socket stack's descriptors (reported by callback). Each registered
 * descriptor has a unix_watch; epoll hands it back and yield calls cb with
 * the event bits. Callbacks run on the scheduler's stack inside yield and
 * MUST only make fibers runnable (mote_wake_*), never block.
 */
struct unix_watch {
    void (*cb)(struct unix_watch *w, uint32_t events);
};

/* Register fd for events (EPOLLIN, EPOLLOUT, EPOLLET, ...). Returns 0 or a
 * MOTE_E* error. close(fd) unregisters it. */
int unix__watch(int fd, uint32_t events, struct unix_watch *w);

/* Report SIGSEGV/SIGBUS in one line (naming a fiber stack overflow when
 * the fault is in a guard page), then die of the signal as usual. */
void unix__install_crash_handler(void);

/* The stack chosen by the network boot options (netselect.c): the direct
 * stack for --net=direct, NULL for the socket stack. Exits on bad options. */
struct mote_stack *unix__stack_select(void);

struct mote_flow;
/* Zero-copy between two parts of this backend: the directory mote_kv
 * (kv_dir.c) hands a file to a flow of the socket stack. The mote_flow
 * vtable has no such operation: only here are both a host file and a host
 * socket at hand. True if f is a socket-stack flow. */
bool unix__is_sock_flow(const struct mote_flow *f);
/* Write prefix[0..plen) then bytes [off, off + size) of the host file fd
 * to the socket-stack flow f, as mote_flow_write would (same deadline and
 * errors; MOTE_EIO if the file ends early). */
int unix__flow_sendfile(struct mote_flow *f, const void *prefix, size_t plen,
                        int fd, uint64_t off, uint64_t size);

/* Map an errno value to a MOTE_E* code. */
int unix__error(int err);

#endif

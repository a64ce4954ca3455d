/* mote_flow: a reliable, ordered byte stream, whatever carries it. */
#ifndef MOTE_FLOW_H
#define MOTE_FLOW_H

#include <stddef.h>
#include <stdint.h>

/*
 * A TCP connection (on either stack), a TLS session, a vchan and a host
 * socket are all flows; protocol code (HTTP, ...) is written against this
 * interface only, so any of them can carry it (the job of Conduit in
 * MirageOS). A flow is used by one fiber at a time per direction: one reader
 * and one writer may block concurrently.
 *
 * Deadlines: a flow has a read and a write deadline (monotonic ns,
 * MOTE_FOREVER by default). A blocked read or write that reaches its
 * deadline returns MOTE_ETIMEDOUT and the flow stays usable.
 *
 * Implementations embed struct mote_flow as their first member and supply
 * ops; users call the mote_flow_* wrappers below.
 */

struct mote_flow;

struct mote_flow_ops {
    int (*read)(struct mote_flow *f, void *buf, size_t size, size_t *n);
    int (*write)(struct mote_flow *f, const void *buf, size_t size);
    int (*shutdown)(struct mote_flow *f);
    void (*close)(struct mote_flow *f);
};

struct mote_flow {
    const struct mote_flow_ops *ops;
    uint64_t read_deadline, write_deadline;
};

/* Blocks until at least one byte is available, then reads up to size bytes
 * into buf and sets *n. *n == 0 with a return of 0 means end of stream (the
 * peer shut down its side). Errors: MOTE_ETIMEDOUT, MOTE_ECANCELED,
 * MOTE_ECONNRESET, MOTE_ECLOSED, MOTE_EIO. */
int mote_flow_read(struct mote_flow *f, void *buf, size_t size, size_t *n);

/* Blocks until all size bytes are accepted by the flow (queued for
 * sending, not necessarily received). On error some prefix may have been
 * sent. Errors: MOTE_EPIPE (shut down, or the peer closed), MOTE_ECONNRESET,
 * MOTE_ETIMEDOUT, MOTE_ECANCELED, MOTE_ECLOSED, MOTE_EIO. */
int mote_flow_write(struct mote_flow *f, const void *buf, size_t size);

/* Reads exactly size bytes. A stream that ends first gives MOTE_EPROTO with
 * *n (if n is not NULL) set to what was read. Other errors as read. */
int mote_flow_read_full(struct mote_flow *f, void *buf, size_t size, size_t *n);

/* Closes the sending direction after queued bytes: the peer reads end of
 * stream. Reading continues to work. */
int mote_flow_shutdown(struct mote_flow *f);

/* Releases the flow (aborting it if still open); f is invalid afterwards.
 * A fiber blocked on f MUST have been cancelled or finished first. */
void mote_flow_close(struct mote_flow *f);

void mote_flow_set_deadlines(struct mote_flow *f, uint64_t read_deadline,
                             uint64_t write_deadline);

#endif

/* A TLS session as a mote_flow over another flow: the fiber adapter. */
#include <mote/core.h>
#include <mote/platform.h>

#include "tls_int.h"

/* How long close() may spend sending close_notify. */
#define CLOSE_WAIT_NS (1000ull * 1000 * 1000)

/* The engine's error, or fallback when it has none (a peer that closed the
 * transport without close_notify). */
static int engine_err(struct mote_tls_flow *t, int fallback)
{
    int err = mote_tls_engine_error(&t->eng, NULL);
    return err ? err : fallback;
}

static void pass_deadlines(struct mote_tls_flow *t)
{
    t->lower->read_deadline = t->flow.read_deadline;
    t->lower->write_deadline = t->flow.write_deadline;
}

/* Write every queued record. One fiber at a time: a reader that finds a
 * writer busy leaves its records (a KeyUpdate reply) to that writer, which
 * loops until nothing is queued. */
static int send_records(struct mote_tls_flow *t)
{
    if (t->sending)
        return 0;
    t->sending = 1;
    int err = 0;
    size_t n;
    uint8_t *p;
    while ((p = mote_tls_engine_sendrec_buf(&t->eng, &n)) != NULL) {
        pass_deadlines(t);
        err = mote_flow_write(t->lower, p, n);
        if (err)
            break;
        mote_tls_engine_sendrec_ack(&t->eng, n);
    }
    t->sending = 0;
    return err;
}

/* Read what the lower flow has into the engine. */
static int recv_records(struct mote_tls_flow *t)
{
    size_t n, got;
    uint8_t *p = mote_tls_engine_recvrec_buf(&t->eng, &n);
    if (!p && t->sending) {
        /* A whole record waits for room in the output, which the writing
         * fiber is draining: let it run. */
        return mote_fiber_yield();
    }
    if (!p)
        return engine_err(t, MOTE_EPROTO);
    pass_deadlines(t);
    int err = mote_flow_read(t->lower, p, n, &got);
    if (err)
        return err;
    if (got == 0)
        return engine_err(t, MOTE_ECONNRESET);
    mote_tls_engine_recvrec_ack(&t->eng, got);
    return 0;
}

static int tls_read(struct mote_flow *f, void *buf, size_t size, size_t *n)
{
    struct mote_tls_flow *t = (struct mote_tls_flow *)f;
    *n = 0;
    for (;;) {
        unsigned st = mote_tls_engine_state(&t->eng);
        size_t len;
        uint8_t *p = mote_tls_engine_recvapp_buf(&t->eng, &len);
        if (p) {
            if (len > size)
                len = size;
            memcpy(buf, p, len);
            mote_tls_engine_recvapp_ack(&t->eng, len);
            *n = len;
            return 0;
        }
        if (st & MOTE_TLS_SENDREC) {
            int err = send_records(t);
            if (err)
                return err;
        }
        if (st & MOTE_TLS_EOF)
            return 0;
        if (st & MOTE_TLS_CLOSED)
            return engine_err(t, MOTE_ECLOSED);
        int err = recv_records(t);
        if (err)
            return err;
    }
}

static int tls_write(struct mote_flow *f, const void *buf, size_t size)
{
    struct mote_tls_flow *t = (struct mote_tls_flow *)f;
    const uint8_t *p = buf;
    while (size) {
        size_t len;
        uint8_t *w = mote_tls_engine_sendapp_buf(&t->eng, &len);
        if (!w) {
            if (mote_tls_engine_state(&t->eng) & MOTE_TLS_CLOSED)
                return engine_err(t, MOTE_EPIPE);
            if (t->eng.flags & F_WR_CLOSED)
                return MOTE_EPIPE;
            if (t->sending) {
                /* The reader is sending a reply (KeyUpdate): wait for it. */
                int err = mote_fiber_yield();
                if (err)
                    return err;
                continue;
            }
            /* The output buffer is full: drain it. */
            int err = send_records(t);
            if (err)
                return err;
            if (!mote_tls_engine_sendapp_buf(&t->eng, &len))
                return engine_err(t, MOTE_EPIPE);
            continue;
        }
        if (len > size)
            len = size;
        memcpy(w, p, len);
        mote_tls_engine_sendapp_ack(&t->eng, len);
        p += len;
        size -= len;
    }
    mote_tls_engine_flush(&t->eng);
    return send_records(t);
}

static int tls_shutdown(struct mote_flow *f)
{
    struct mote_tls_flow *t = (struct mote_tls_flow *)f;
    mote_tls_engine_close(&t->eng);
    return send_records(t);
}

static void tls_close(struct mote_flow *f)
{
    struct mote_tls_flow *t = (struct mote_tls_flow *)f;
    mote_tls_engine_close(&t->eng);
    /* Best effort: close must not block on a peer that does not read, so
     * the close_notify gets at most CLOSE_WAIT_NS. */
    uint64_t bound = mote_deadline_in(CLOSE_WAIT_NS);
    if (t->flow.write_deadline > bound)
        t->flow.write_deadline = bound;
    send_records(t);
    mote_flow_close(t->lower);
    mote_tls_engine_release(&t->eng);
    mote_memzero_explicit(t->buf, sizeof t->buf);
}

static const struct mote_flow_ops tls_flow_ops = {
    .read = tls_read,
    .write = tls_write,
    .shutdown = tls_shutdown,
    .close = tls_close,
};

int mote_tls_flow_open(struct mote_tls_flow *t, struct mote_flow *lower,
                       const struct mote_tls_config *cfg,
                       enum mote_tls_role role, const char *host,
                       const struct mote_tls_session *session)
{
    t->flow.ops = &tls_flow_ops;
    t->flow.read_deadline = lower->read_deadline;
    t->flow.write_deadline = lower->write_deadline;
    t->lower = lower;
    t->sending = 0;
    t->alert = -1;
    int err = mote_tls_engine_init(&t->eng, cfg, role, host, session,
                                   mote_platform_clock_wall() / 1000000, t->buf,
                                   sizeof t->buf);
    if (err)
        return err;
    while (!err) {
        unsigned st = mote_tls_engine_state(&t->eng);
        if (st & MOTE_TLS_SENDREC)
            err = send_records(t);
        else if (st & MOTE_TLS_CLOSED)
            err = engine_err(t, MOTE_ECLOSED);
        else if (mote_tls_engine_handshake_done(&t->eng))
            return 0;
        else
            err = recv_records(t);
    }
    /* Flush the alert we owe the peer, if any. */
    send_records(t);
    mote_tls_engine_error(&t->eng, &t->alert);
    mote_tls_engine_release(&t->eng);
    return err;
}

/* A TLS session as a mote_flow over another flow: the fiber adapter. */
#include <stdlib.h>

#include <mote/core.h>
#include <mote/platform.h>

#include "tls_int.h"

/* How long close() may spend sending close_notify. */
#define CLOSE_WAIT_NS (1000ull * 1000 * 1000)

/* ---- The buffer pool ------------------------------------------------------
 *
 * Engine buffers shared by every flow of the process (one scheduler, so no
 * locking). Spare buffers are chained through their first bytes; LIFO, so
 * the buffer taken next is the one whose pages were touched last. A buffer
 * comes back wiped of what its engine wrote (mote_tls_engine_detach and
 * _release do that), so no plaintext passes from one session to another.
 */
static struct {
    void *spare;
    size_t nspare, in_use, peak, allocs;
} pool;

/* Under ASan a spare buffer is poisoned past its link, so a stale pointer
 * into a buffer that was given back is reported where it is used.
 * Declared here so portable code needs no sanitizer header. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) && !defined(__SANITIZE_ADDRESS__)
#define __SANITIZE_ADDRESS__ 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#define POISON(b)                                                              \
    __asan_poison_memory_region((uint8_t *)(b) + sizeof(void *),               \
                                MOTE_TLS_BUF_SIZE - sizeof(void *))
#define UNPOISON(b) __asan_unpoison_memory_region((b), MOTE_TLS_BUF_SIZE)
#else
#define POISON(b)   ((void)(b))
#define UNPOISON(b) ((void)(b))
#endif

static void *pool_take(void)
{
    void *b = pool.spare;
    if (b) {
        memcpy(&pool.spare, b, sizeof pool.spare);
        pool.nspare--;
        UNPOISON(b);
    } else {
        b = malloc(MOTE_TLS_BUF_SIZE);
        if (!b)
            return NULL;
        pool.allocs++;
    }
    if (++pool.in_use > pool.peak)
        pool.peak = pool.in_use;
    return b;
}

static void pool_give(void *b)
{
    pool.in_use--;
    if (pool.nspare >= MOTE_TLS_POOL_KEEP) {
        free(b);
        return;
    }
    memcpy(b, &pool.spare, sizeof pool.spare);
    POISON(b);
    pool.spare = b;
    pool.nspare++;
}

void mote_tls_pool_stats(struct mote_tls_pool_stats *st)
{
    st->in_use = pool.in_use;
    st->spare = pool.nspare;
    st->peak = pool.peak;
    st->allocs = pool.allocs;
}

void mote_tls_pool_trim(void)
{
    while (pool.spare) {
        void *b = pool.spare;
        memcpy(&pool.spare, b, sizeof pool.spare);
        UNPOISON(b);
        free(b);
    }
    pool.nspare = 0;
}

/* Give the engine's buffer back if it holds nothing and no fiber is
 * moving bytes through it (a reader blocked on the lower flow reads into
 * it; a writer sends from it). The engine refuses while anything is
 * buffered, so no byte is ever lost here. */
static void lend_back(struct mote_tls_flow *t)
{
    void *b;
    if (t->reading || t->sending)
        return;
    if (mote_tls_engine_detach(&t->eng, &b) == 0)
        pool_give(b);
}

/* Take a buffer for the engine if it has none. */
static int ensure_buffer(struct mote_tls_flow *t)
{
    if (t->eng.buf)
        return 0;
    void *b = pool_take();
    if (!b)
        return MOTE_ENOMEM;
    int err = mote_tls_engine_attach(&t->eng, b, MOTE_TLS_BUF_SIZE);
    if (err)
        pool_give(b);
    return err;
}

/* ---- The flow ------------------------------------------------------------ */

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

/* Wait for the peer holding no buffer: read into t->peek, then take a
 * buffer and hand the bytes to the engine. A record longer than the peek
 * area is completed by the next read, into the engine's buffer. */
static int recv_detached(struct mote_tls_flow *t)
{
    size_t n, got;
    pass_deadlines(t);
    int err = mote_flow_read(t->lower, t->peek, sizeof t->peek, &got);
    if (err)
        return err;
    if (got == 0)
        return engine_err(t, MOTE_ECONNRESET);
    err = ensure_buffer(t);
    if (err)
        return err; /* the bytes are lost: this session cannot go on */
    uint8_t *p = mote_tls_engine_recvrec_buf(&t->eng, &n);
    if (!p || n < got) /* its input was empty: a whole record fits */
        return engine_err(t, MOTE_EPROTO);
    memcpy(p, t->peek, got);
    mote_tls_engine_recvrec_ack(&t->eng, got);
    return 0;
}

/* Read what the lower flow has into the engine. */
static int recv_records(struct mote_tls_flow *t)
{
    lend_back(t); /* about to wait: an empty engine waits without a buffer */
    /* A writer still sending keeps the buffer for now, but the wait needs
     * none: waiting into the peek area lets the writer give it back when
     * it is done, instead of the buffer staying out while we wait. */
    if (!t->eng.buf || (t->sending && t->eng.ilen == 0))
        return recv_detached(t);
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
    t->reading = 1;
    int err = mote_flow_read(t->lower, p, n, &got);
    t->reading = 0;
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
            lend_back(t); /* if that was all it held */
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
    int err = ensure_buffer(t);
    if (err)
        return err;
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
                err = mote_fiber_yield();
                if (err)
                    return err;
                continue;
            }
            /* The output buffer is full: drain it. */
            err = send_records(t);
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
    err = send_records(t);
    if (!err)
        lend_back(t);
    return err;
}

static int tls_shutdown(struct mote_flow *f)
{
    struct mote_tls_flow *t = (struct mote_tls_flow *)f;
    int err = ensure_buffer(t);
    if (err)
        return err;
    mote_tls_engine_close(&t->eng);
    err = send_records(t);
    if (!err)
        lend_back(t);
    return err;
}

static void tls_close(struct mote_flow *f)
{
    struct mote_tls_flow *t = (struct mote_tls_flow *)f;
    /* Without a buffer (none to be had) the close_notify is not sent. */
    if (ensure_buffer(t) == 0) {
        mote_tls_engine_close(&t->eng);
        /* Best effort: close must not block on a peer that does not read,
         * so the close_notify gets at most CLOSE_WAIT_NS. */
        uint64_t bound = mote_deadline_in(CLOSE_WAIT_NS);
        if (t->flow.write_deadline > bound)
            t->flow.write_deadline = bound;
        send_records(t);
    }
    mote_flow_close(t->lower);
    void *b = t->eng.buf;
    mote_tls_engine_release(&t->eng); /* wipes what it wrote into b */
    if (b)
        pool_give(b);
}

int mote_tls_flow_key_update(struct mote_tls_flow *t, int request_peer)
{
    int err = ensure_buffer(t);
    if (!err)
        err = send_records(t); /* the engine wants room for its reply */
    if (!err)
        err = mote_tls_engine_key_update(&t->eng, request_peer);
    if (!err)
        err = send_records(t);
    if (!err)
        lend_back(t);
    return err;
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
    t->reading = 0;
    t->alert = -1;
    void *b = pool_take();
    if (!b) {
        memset(&t->eng, 0, sizeof t->eng);
        return MOTE_ENOMEM;
    }
    int err = mote_tls_engine_init(&t->eng, cfg, role, host, session,
                                   mote_platform_clock_wall() / 1000000, b,
                                   MOTE_TLS_BUF_SIZE);
    while (!err) {
        unsigned st = mote_tls_engine_state(&t->eng);
        if (st & MOTE_TLS_SENDREC)
            err = send_records(t);
        else if (st & MOTE_TLS_CLOSED)
            err = engine_err(t, MOTE_ECLOSED);
        else if (mote_tls_engine_handshake_done(&t->eng)) {
            lend_back(t); /* unless the peer's first data came along */
            return 0;
        } else
            err = recv_records(t);
    }
    /* Flush the alert we owe the peer, if any. */
    send_records(t);
    mote_tls_engine_error(&t->eng, &t->alert);
    mote_tls_engine_release(&t->eng);
    pool_give(b);
    return err;
}

/* TLS idle memory: the engine lending its buffer back (detach / attach)
 * and the flow adapter's shared buffer pool (no buffer held while idle,
 * nothing lost across an idle period, post-handshake messages arriving
 * while detached). */
#define _GNU_SOURCE /* memmem */
#include <mote/mote.h>

#include "tap.h"
/* The shared engine-pair helpers; not every one is used here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "tls_test.h"
#pragma GCC diagnostic pop

#define SEC MOTE_NS_PER_SEC

/* ---- The engine: detach and attach ----------------------------------------
 */

/* Bytes sent by one side that the other has not received yet: the
 * network, while the receiver holds no buffer. */
struct wire {
    uint8_t b[65536];
    size_t n;
};

static void to_wire(struct side *a, struct wire *w)
{
    size_t n;
    uint8_t *p;
    while ((p = mote_tls_engine_sendrec_buf(&a->e, &n)) != NULL &&
           w->n + n <= sizeof w->b) {
        memcpy(w->b + w->n, p, n);
        w->n += n;
        mote_tls_engine_sendrec_ack(&a->e, n);
    }
}

/* Feed the wire to b in pieces of at most chunk bytes, reading b's
 * plaintext as it comes. Returns the bytes that did not fit. */
static size_t from_wire(struct wire *w, struct side *b, size_t chunk)
{
    size_t off = 0, m, n;
    while (off < w->n) {
        uint8_t *in = mote_tls_engine_recvrec_buf(&b->e, &m);
        if (!in || !m)
            break;
        size_t k = w->n - off < m ? w->n - off : m;
        if (k > chunk)
            k = chunk;
        memcpy(in, w->b + off, k);
        mote_tls_engine_recvrec_ack(&b->e, k);
        off += k;
        uint8_t *app;
        while ((app = mote_tls_engine_recvapp_buf(&b->e, &n)) != NULL) {
            if (b->ngot + n <= sizeof b->got)
                memcpy(b->got + b->ngot, app, n);
            b->ngot += n;
            mote_tls_engine_recvapp_ack(&b->e, n);
        }
    }
    memmove(w->b, w->b + off, w->n - off);
    w->n -= off;
    return w->n;
}

static int contains(const void *buf, size_t len, const char *pat)
{
    return memmem(buf, len, pat, strlen(pat)) != NULL;
}

static void test_detach_roundtrip(void)
{
    struct side *c = side_new(301), *s = side_new(302);
    void *b;
    is_int(start(c, MOTE_TLS_CLIENT, NULL, NULL), 0, "client init");
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    is_int(mote_tls_engine_detach(&c->e, &b), MOTE_EAGAIN,
           "refused before the handshake");
    ok(exchange(c, s), "handshake and data");
    static const char secret[] = "SECRET PLAINTEXT 0123456789";
    write_app(c, secret, sizeof secret - 1);
    pump(c, s, 0);
    ok(s->ngot >= sizeof secret - 1 && contains(s->buf, sizeof s->buf, secret),
       "the server decrypted in place: the plaintext is in its buffer");
    is_int(mote_tls_engine_detach(&s->e, &b), 0, "server detaches");
    ok(b == s->buf, "and gets back the buffer it lent");
    ok(!contains(s->buf, sizeof s->buf, secret), "wiped of the plaintext");
    unsigned st = mote_tls_engine_state(&s->e);
    ok((st & MOTE_TLS_DETACHED) &&
           !(st & (MOTE_TLS_RECVREC | MOTE_TLS_SENDAPP | MOTE_TLS_CLOSED)),
       "state: DETACHED, neither RECVREC nor SENDAPP (0x%x)", st);
    size_t n = 1;
    ok(!mote_tls_engine_recvrec_buf(&s->e, &n) && n == 0 &&
           !mote_tls_engine_sendapp_buf(&s->e, &n) && n == 0 &&
           !mote_tls_engine_sendrec_buf(&s->e, &n) && n == 0 &&
           !mote_tls_engine_recvapp_buf(&s->e, &n) && n == 0,
       "every window is empty");
    is_int(mote_tls_engine_key_update(&s->e, 0), MOTE_EAGAIN,
           "KeyUpdate waits for a buffer");
    is_int(mote_tls_engine_detach(&s->e, &b), MOTE_EINVAL, "detach twice");
    static uint8_t small[MOTE_TLS_BUF_SIZE - 1];
    is_int(mote_tls_engine_attach(&s->e, small, sizeof small), MOTE_EINVAL,
           "a buffer too small is refused");
    /* Another buffer than the first: the engine keeps no pointer. */
    uint8_t *other = malloc(MOTE_TLS_BUF_SIZE);
    memset(other, 0xa5, MOTE_TLS_BUF_SIZE);
    is_int(mote_tls_engine_attach(&s->e, other, MOTE_TLS_BUF_SIZE), 0,
           "attach another buffer");
    is_int(mote_tls_engine_attach(&s->e, s->buf, sizeof s->buf), MOTE_EINVAL,
           "attach twice");
    ok(exchange(c, s), "data both ways after the re-attach");
    is_int(mote_tls_engine_detach(&s->e, &b), 0, "detach again");
    ok(b == other, "the second buffer comes back");
    mote_tls_engine_attach(&s->e, s->buf, sizeof s->buf);
    ok(exchange(c, s), "and on the first one again");
    /* close() while detached is remembered and sealed at the attach. */
    is_int(mote_tls_engine_detach(&c->e, &b), 0, "client detaches");
    mote_tls_engine_close(&c->e);
    ok(!(mote_tls_engine_state(&c->e) & MOTE_TLS_SENDREC),
       "close while detached: nothing to send yet");
    mote_tls_engine_attach(&c->e, c->buf, sizeof c->buf);
    ok(mote_tls_engine_state(&c->e) & MOTE_TLS_SENDREC,
       "attached: the close_notify is ready");
    pump(c, s, 0);
    ok(mote_tls_engine_state(&s->e) & MOTE_TLS_EOF, "and the server saw it");
    side_free(c);
    side_free(s);
    free(other);
}

/* Detach is refused while anything is buffered, and nothing is lost. */
static void test_detach_refused_busy(void)
{
    struct side *c = side_new(311), *s = side_new(312);
    void *b;
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s), "handshake");

    /* Unsent records. */
    write_app(c, "hello", 5);
    is_int(mote_tls_engine_detach(&c->e, &b), MOTE_EAGAIN,
           "refused with a record not yet sent");
    /* Staged plaintext, not yet sealed. */
    static struct wire w;
    w.n = 0;
    to_wire(c, &w);
    size_t n;
    uint8_t *p = mote_tls_engine_sendapp_buf(&c->e, &n);
    memcpy(p, "xy", 2);
    mote_tls_engine_sendapp_ack(&c->e, 2);
    is_int(mote_tls_engine_detach(&c->e, &b), MOTE_EAGAIN,
           "refused with plaintext staged");
    mote_tls_engine_flush(&c->e);
    to_wire(c, &w);
    is_int(mote_tls_engine_detach(&c->e, &b), 0, "client idle: detaches");

    /* A partial record. */
    s->ngot = 0;
    size_t total = w.n;
    w.n = 3;
    from_wire(&w, s, 3);
    is_int(mote_tls_engine_detach(&s->e, &b), MOTE_EAGAIN,
           "refused with part of a record");
    /* Unread plaintext: a whole record in, not read. */
    w.n = total - 3;
    memmove(w.b, w.b + 3, w.n);
    uint8_t *in = mote_tls_engine_recvrec_buf(&s->e, &n);
    memcpy(in, w.b, w.n);
    mote_tls_engine_recvrec_ack(&s->e, w.n);
    ok(mote_tls_engine_state(&s->e) & MOTE_TLS_RECVAPP, "plaintext readable");
    is_int(mote_tls_engine_detach(&s->e, &b), MOTE_EAGAIN,
           "refused with plaintext unread");
    uint8_t *app;
    while ((app = mote_tls_engine_recvapp_buf(&s->e, &n)) != NULL) {
        memcpy(s->got + s->ngot, app, n);
        s->ngot += n;
        mote_tls_engine_recvapp_ack(&s->e, n);
    }
    ok(s->ngot == 7 && !memcmp(s->got, "helloxy", 7), "all of it read");
    is_int(mote_tls_engine_detach(&s->e, &b), 0, "then it detaches");
    mote_tls_engine_attach(&s->e, b, MOTE_TLS_BUF_SIZE);
    mote_tls_engine_attach(&c->e, c->buf, sizeof c->buf);
    side_free(c);
    side_free(s);
}

/* A post-handshake message split over records: the first part is state
 * (hbuf), so the engine must keep its buffer until the rest comes. */
static void test_detach_refused_partial_message(void)
{
    struct side *c = side_new(321), *s = side_new(322);
    void *b;
    c->cfg.record_size_limit = 64; /* the server's records: 63 bytes */
    s->cfg.ticket_key = ticket_key;
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    /* The handshake without the server's last flight (its tickets). */
    static struct wire w;
    for (int i = 0; i < 20 && !mote_tls_engine_handshake_done(&s->e); i++) {
        xfer(c, s, 0);
        if (!mote_tls_engine_handshake_done(&s->e))
            xfer(s, c, 0);
    }
    ok(both_done(c, s), "handshake done");
    w.n = 0;
    to_wire(s, &w);
    ok(w.n > 2 * (5 + 63), "the NewSessionTicket spans records (%zu bytes)",
       w.n);
    ok(mote_tls_engine_session(&c->e)->suite == 0, "no ticket yet");
    /* Deliver exactly the first record. */
    size_t first = 5 + ((size_t)w.b[3] << 8 | w.b[4]);
    static struct wire part;
    memcpy(part.b, w.b, first);
    part.n = first;
    from_wire(&part, c, first);
    is_int(mote_tls_engine_detach(&c->e, &b), MOTE_EAGAIN,
           "refused with half a handshake message");
    memmove(w.b, w.b + first, w.n - first);
    w.n -= first;
    from_wire(&w, c, 7);
    ok(mote_tls_engine_session(&c->e)->suite != 0, "the ticket arrived whole");
    is_int(mote_tls_engine_detach(&c->e, &b), 0, "then the client detaches");
    mote_tls_engine_attach(&c->e, b, MOTE_TLS_BUF_SIZE);
    ok(exchange(c, s), "and the session goes on");
    side_free(c);
    side_free(s);
}

/* While the client holds no buffer the server sends a ticket, a KeyUpdate
 * asking for one back, data and close_notify; they wait on the wire and
 * all work once the client has a buffer again. */
static void test_messages_while_detached(void)
{
    struct side *c = side_new(331), *s = side_new(332);
    void *b;
    s->cfg.ticket_key = ticket_key;
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    for (int i = 0; i < 20 && !mote_tls_engine_handshake_done(&c->e); i++) {
        xfer(c, s, 0);
        xfer(s, c, 0);
    }
    ok(mote_tls_engine_handshake_done(&c->e), "client done");
    static struct wire up, down;
    up.n = down.n = 0;
    to_wire(c, &up); /* the client's Finished */
    is_int(mote_tls_engine_detach(&c->e, &b), 0, "client detaches at once");
    from_wire(&up, s, 100);
    ok(mote_tls_engine_handshake_done(&s->e), "server done");
    unsigned epoch = c->e.rd_epoch;
    is_int(mote_tls_engine_key_update(&s->e, 1), 0, "server KeyUpdate");
    write_app(s, "after the update", 16);
    mote_tls_engine_close(&s->e);
    to_wire(s, &down);
    is_int(mote_tls_engine_attach(&c->e, c->buf, sizeof c->buf), 0, "attach");
    c->ngot = 0;
    is_int(from_wire(&down, c, 11), 0, "client took everything, 11 at a time");
    ok(mote_tls_engine_session(&c->e)->suite != 0, "ticket stored");
    is_int(c->e.rd_epoch, epoch + 1, "server's KeyUpdate applied");
    ok(c->ngot == 16 && !memcmp(c->got, "after the update", 16),
       "data under the new keys");
    ok(mote_tls_engine_state(&c->e) & MOTE_TLS_EOF, "close_notify seen");
    unsigned s_epoch = s->e.rd_epoch;
    to_wire(c, &up);
    from_wire(&up, s, 1000);
    is_int(s->e.rd_epoch, s_epoch + 1, "the client answered the KeyUpdate");
    mote_tls_engine_close(&c->e);
    to_wire(c, &up);
    from_wire(&up, s, 1000);
    ok((mote_tls_engine_state(&s->e) & MOTE_TLS_CLOSED) &&
           (mote_tls_engine_state(&c->e) & MOTE_TLS_CLOSED),
       "both closed");
    is_int(mote_tls_engine_error(&c->e, NULL), 0, "client: clean close");
    is_int(mote_tls_engine_error(&s->e, NULL), 0, "server: clean close");
    side_free(c);
    side_free(s);
}

/* TLS 1.2 sessions lend their buffer back too. */
static void test_detach_tls12(void)
{
    struct side *c = side_new(341), *s = side_new(342);
    void *b;
    c->cfg.min_version = c->cfg.max_version = MOTE_TLS_VERSION_12;
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s), "1.2 handshake and data");
    is_int(mote_tls_engine_version(&s->e), MOTE_TLS_VERSION_12, "1.2");
    is_int(mote_tls_engine_detach(&s->e, &b), 0, "server detaches");
    is_int(mote_tls_engine_detach(&c->e, &b), 0, "client detaches");
    mote_tls_engine_attach(&c->e, c->buf, sizeof c->buf);
    mote_tls_engine_attach(&s->e, s->buf, sizeof s->buf);
    ok(exchange(c, s), "data after");
    side_free(c);
    side_free(s);
}

/* ---- The flow adapter and its pool --------------------------------------
 */

static size_t pool_in_use(void)
{
    struct mote_tls_pool_stats st;
    mote_tls_pool_stats(&st);
    return st.in_use;
}

/* Let the other fibers run up to their next wait, until the pool has no
 * more than want buffers out (or give up: the caller's check fails). */
static size_t settle(size_t want)
{
    for (int i = 0; i < 200 && pool_in_use() > want; i++)
        mote_sleep(MOTE_NS_PER_MS);
    return pool_in_use();
}

enum { SRV_ECHO, SRV_THREE, SRV_KU_CLOSE, SRV_SINK };

struct srv {
    struct mote_listener *l;
    struct side *cfg; /* its config */
    int mode;
    int ret;
    unsigned epoch_end;
    size_t sunk;
    struct mote_tls_flow t;
};

static void srv_fiber(void *arg)
{
    struct srv *s = arg;
    struct mote_flow *f;
    s->ret = mote_tcp_accept(s->l, mote_deadline_in(10 * SEC), &f, NULL);
    if (s->ret)
        return;
    f->read_deadline = f->write_deadline = mote_deadline_in(10 * SEC);
    s->ret =
        mote_tls_flow_open(&s->t, f, &s->cfg->cfg, MOTE_TLS_SERVER, NULL, NULL);
    if (s->ret) {
        mote_flow_close(f);
        return;
    }
    static char buf[4096];
    size_t n;
    switch (s->mode) {
    case SRV_ECHO:
        for (;;) {
            s->ret = mote_flow_read(&s->t.flow, buf, sizeof buf, &n);
            if (s->ret || n == 0)
                break;
            if ((s->ret = mote_flow_write(&s->t.flow, buf, n)))
                break;
        }
        break;
    case SRV_THREE: /* three records as soon as asked */
        s->ret = mote_flow_read(&s->t.flow, buf, sizeof buf, &n);
        for (int i = 0; i < 3 && !s->ret; i++) {
            memset(buf, 'A' + i, 1000);
            s->ret = mote_flow_write(&s->t.flow, buf, 1000);
        }
        if (!s->ret)
            s->ret = mote_flow_read(&s->t.flow, buf, sizeof buf, &n);
        break;
    case SRV_SINK: /* late to read (the client's writes block), then
                    * reads everything and answers nothing */
        mote_sleep(100 * MOTE_NS_PER_MS);
        for (;;) {
            s->ret = mote_flow_read(&s->t.flow, buf, sizeof buf, &n);
            if (s->ret || n == 0)
                break;
            s->sunk += n;
        }
        break;
    case SRV_KU_CLOSE: /* when asked: KeyUpdate, data, close_notify */
        s->ret = mote_flow_read(&s->t.flow, buf, sizeof buf, &n);
        if (!s->ret)
            s->ret = mote_tls_flow_key_update(&s->t, 1);
        if (!s->ret)
            s->ret = mote_flow_write(&s->t.flow, "after the update", 16);
        if (!s->ret)
            s->ret = mote_flow_shutdown(&s->t.flow);
        while (!s->ret) { /* the client's KeyUpdate, then its close */
            s->ret = mote_flow_read(&s->t.flow, buf, sizeof buf, &n);
            if (n == 0)
                break;
        }
        s->epoch_end = s->t.eng.rd_epoch;
        break;
    }
    if (!s->ret && s->mode != SRV_KU_CLOSE)
        s->ret = mote_flow_shutdown(&s->t.flow);
    mote_flow_close(&s->t.flow);
}

struct pair {
    struct srv s;
    struct side *scfg, *ccfg;
    struct mote_fiber *fib;
    struct mote_tls_flow c;
    int open_err;
};

static void pair_open(struct pair *p, int mode, uint32_t seed)
{
    memset(p, 0, sizeof *p);
    p->scfg = side_new(seed);
    p->ccfg = side_new(seed + 1);
    p->scfg->cfg.ticket_key = ticket_key;
    p->s.cfg = p->scfg;
    p->s.mode = mode;
    struct mote_endpoint ep, bound;
    mote_endpoint_parse("127.0.0.1:0", 11, &ep);
    mote_tcp_listen(mote_stack_default(), &ep, 0, &p->s.l);
    mote_listener_local(p->s.l, &bound);
    mote_fiber_spawn(srv_fiber, &p->s, 0, &p->fib);
    struct mote_flow *f;
    p->open_err = mote_tcp_connect(mote_stack_default(), &bound,
                                   mote_deadline_in(5 * SEC), &f);
    if (p->open_err)
        return;
    f->read_deadline = f->write_deadline = mote_deadline_in(10 * SEC);
    p->open_err = mote_tls_flow_open(&p->c, f, &p->ccfg->cfg, MOTE_TLS_CLIENT,
                                     NULL, NULL);
    if (p->open_err)
        mote_flow_close(f);
}

static void pair_close(struct pair *p)
{
    if (!p->open_err) {
        /* Ours, then the server's close_notify, then close. */
        char b[64];
        size_t n = 1;
        int err = mote_flow_shutdown(&p->c.flow);
        while (!err && n)
            err = mote_flow_read(&p->c.flow, b, sizeof b, &n);
        mote_flow_close(&p->c.flow);
    }
    mote_fiber_join(p->fib);
    mote_listener_close(p->s.l);
    side_free(p->scfg);
    side_free(p->ccfg);
}

static void test_flow_idle_holds_nothing(void)
{
    static struct pair p;
    size_t base = pool_in_use();
    pair_open(&p, SRV_ECHO, 401);
    is_int(p.open_err, 0, "open");
    ok(mote_tls_engine_state(&p.c.eng) & MOTE_TLS_DETACHED,
       "the client holds no buffer once open returns");
    ok(mote_tls_engine_session(&p.c.eng)->suite == 0,
       "the server's ticket has not come yet");
    char b[64];
    size_t n = 0;
    int err = mote_flow_write(&p.c.flow, "ping", 4);
    if (!err)
        err = mote_flow_read_full(&p.c.flow, b, 4, &n);
    ok(!err && n == 4 && !memcmp(b, "ping", 4), "echo");
    ok(mote_tls_engine_session(&p.c.eng)->suite != 0,
       "the ticket that came while detached was taken");
    is_int(settle(base), base, "both ends idle: no buffer held");
    struct mote_tls_pool_stats st;
    mote_tls_pool_stats(&st);
    ok(st.peak >= 1 && st.spare >= 1, "the pool lent (peak %zu, spare %zu)",
       st.peak, st.spare);
    /* Many exchanges reuse pooled buffers: no new allocation. */
    size_t allocs = st.allocs;
    for (int i = 0; i < 50 && !err; i++) {
        err = mote_flow_write(&p.c.flow, "0123456789", 10);
        if (!err)
            err = mote_flow_read_full(&p.c.flow, b, 10, &n);
    }
    mote_tls_pool_stats(&st);
    ok(!err && st.allocs == allocs, "50 more exchanges, no allocation");
    is_int(settle(base), base, "idle again: no buffer held");
    pair_close(&p);
    is_int(p.s.ret, 0, "server: clean close");
    is_int(pool_in_use(), base, "closed: all buffers back");
}

/* Data pending in the buffer across an idle period is not lost: the flow
 * keeps its buffer while the engine holds unread bytes. */
static void test_flow_pending_kept(void)
{
    static struct pair p;
    size_t base = pool_in_use();
    pair_open(&p, SRV_THREE, 411);
    is_int(p.open_err, 0, "open");
    char b[4096];
    size_t n = 0, got = 0;
    int err = mote_flow_write(&p.c.flow, "go", 2);
    /* Wait until the three records are in the client's engine. */
    while (!err && got < 10) {
        err = mote_flow_read(&p.c.flow, b + got, 10 - got, &n);
        got += n;
    }
    is_int(err, 0, "read the first 10 bytes");
    ok(!(mote_tls_engine_state(&p.c.eng) & MOTE_TLS_DETACHED),
       "the client keeps its buffer: bytes are pending");
    mote_sleep(50 * MOTE_NS_PER_MS); /* an idle period */
    is_int(settle(base + 1), base + 1, "only the client holds a buffer");
    while (!err && got < 3000) {
        err = mote_flow_read(&p.c.flow, b + got, sizeof b - got, &n);
        if (n == 0)
            break;
        got += n;
    }
    int intact = got == 3000;
    for (size_t i = 0; intact && i < 3000; i++)
        intact = b[i] == 'A' + (int)(i / 1000);
    ok(!err && intact, "all 3000 bytes, in order (%zu)", got);
    ok(mote_tls_engine_state(&p.c.eng) & MOTE_TLS_DETACHED,
       "all read: the buffer went back");
    pair_close(&p);
    is_int(pool_in_use(), base, "closed: all buffers back");
}

/* KeyUpdate, data and close_notify sent to an idle (detached) flow. */
static void test_flow_ku_close_while_idle(void)
{
    static struct pair p;
    size_t base = pool_in_use();
    pair_open(&p, SRV_KU_CLOSE, 421);
    is_int(p.open_err, 0, "open");
    unsigned epoch = p.c.eng.rd_epoch;
    int err = mote_flow_write(&p.c.flow, "go", 2);
    is_int(err, 0, "asked");
    /* The server's records come while the client waits holding nothing. */
    char b[64];
    size_t n = 0, got = 0;
    while (!err) {
        err = mote_flow_read(&p.c.flow, b + got, sizeof b - got, &n);
        if (n == 0)
            break;
        got += n;
    }
    ok(!err && got == 16 && !memcmp(b, "after the update", 16),
       "data after the server's KeyUpdate");
    is_int(p.c.eng.rd_epoch, epoch + 1, "KeyUpdate applied");
    ok(mote_tls_engine_state(&p.c.eng) & MOTE_TLS_EOF, "then close_notify");
    is_int(mote_flow_shutdown(&p.c.flow), 0, "our close_notify");
    pair_close(&p);
    is_int(p.s.ret, 0, "server: clean close");
    ok(p.s.epoch_end >= 3, "the client answered the KeyUpdate (epoch %u)",
       p.s.epoch_end);
    is_int(pool_in_use(), base, "all buffers back");
}

/* A reader fiber that starts waiting while a writer fiber is still
 * sending: once the writer is done neither holds the buffer. */
struct rdr {
    struct mote_tls_flow *t;
    int started, err;
    size_t n;
};

static void rdr_fiber(void *arg)
{
    struct rdr *r = arg;
    char b[64];
    r->started = 1;
    r->err = mote_flow_read(&r->t->flow, b, sizeof b, &r->n);
}

static void test_flow_two_fibers(void)
{
    static struct pair p;
    size_t base = pool_in_use();
    pair_open(&p, SRV_SINK, 431);
    is_int(p.open_err, 0, "open");
    static struct rdr r;
    memset(&r, 0, sizeof r);
    r.t = &p.c;
    struct mote_fiber *rf;
    mote_fiber_spawn(rdr_fiber, &r, 0, &rf);
    static uint8_t big[4 << 20];
    memset(big, 'z', sizeof big);
    int err = mote_flow_write(&p.c.flow, big, sizeof big);
    is_int(err, 0, "wrote 4 MB to a server late to read");
    ok(r.started && p.c.sending == 0,
       "the reader began waiting while the writer was blocked");
    is_int(settle(base), base,
           "writer done, reader waiting: no buffer held by either");
    is_int(mote_flow_shutdown(&p.c.flow), 0, "close_notify");
    mote_fiber_join(rf);
    ok(r.err == 0 && r.n == 0, "the reader sees the server's close_notify");
    pair_close(&p);
    is_int(p.s.ret, 0, "server: clean close");
    ok(p.s.sunk == sizeof big, "the server got all 4 MB (%zu)", p.s.sunk);
    is_int(pool_in_use(), base, "all buffers back");
}

int mote_main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_detach_roundtrip);
    TAP_CASE(test_detach_refused_busy);
    TAP_CASE(test_detach_refused_partial_message);
    TAP_CASE(test_messages_while_detached);
    TAP_CASE(test_detach_tls12);
    TAP_CASE(test_flow_idle_holds_nothing);
    TAP_CASE(test_flow_pending_kept);
    TAP_CASE(test_flow_ku_close_while_idle);
    TAP_CASE(test_flow_two_fibers);
    return tap_done();
}

/* libFuzzer: two honest TLS engines (src/tls) back to back, driven by a
 * program of operations that lend their buffers back and take them again
 * (mote_tls_engine_detach / _attach) between every other step: records
 * drained to a "wire" and fed in pieces, plaintext written and read,
 * KeyUpdates, close. The peers are honest, so no error may ever appear,
 * detach must never succeed while bytes are held, and every plaintext byte
 * written must arrive, in order, once the program ends and the wires are
 * drained. A buffer given back is filled with garbage and the other of two
 * buffers attached next, so a pointer kept into a lent buffer shows.
 *
 * Input: one byte of configuration (bit 0: TLS 1.2), then (op, arg) byte
 * pairs; see run_op. */
#include "fuzz_tls_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WIRE_CAP (1u << 18)

struct end {
    struct mote_tls_engine e;
    struct mote_tls_config cfg;
    struct fz_rng rng;
    uint8_t *bufs[2]; /* the one lent now is bufs[cur] unless detached */
    int cur, detached;
    uint64_t wrote, got; /* plaintext bytes written, and read by the peer */
};

struct wire {
    uint8_t b[WIRE_CAP];
    size_t off, len;
};

static uint8_t pool[4][MOTE_TLS_BUF_SIZE];
static struct end ends[2];
static struct wire wires[2]; /* wires[i]: from ends[i] to the other */

static uint8_t stream_byte(int dir, uint64_t i)
{
    return (uint8_t)(i * 131 + (uint64_t)dir * 7 + (i >> 8));
}

static void check(int cond)
{
    if (!cond)
        abort();
}

static void drain(int i)
{
    struct wire *w = &wires[i];
    size_t n;
    uint8_t *p;
    while ((p = mote_tls_engine_sendrec_buf(&ends[i].e, &n)) != NULL) {
        if (w->off) {
            memmove(w->b, w->b + w->off, w->len);
            w->off = 0;
        }
        size_t room = WIRE_CAP - w->len;
        if (!room)
            return;
        if (n > room)
            n = room;
        memcpy(w->b + w->len, p, n);
        w->len += n;
        mote_tls_engine_sendrec_ack(&ends[i].e, n);
    }
}

/* The plaintext end i has received: it must be the peer's stream. */
static void read_app(int i)
{
    struct end *x = &ends[i], *peer = &ends[!i];
    size_t n;
    uint8_t *p;
    while ((p = mote_tls_engine_recvapp_buf(&x->e, &n)) != NULL) {
        for (size_t k = 0; k < n; k++)
            check(p[k] == stream_byte(!i, peer->got + k));
        peer->got += n;
        check(peer->got <= peer->wrote);
        mote_tls_engine_recvapp_ack(&x->e, n);
    }
}

/* Feed at most max bytes of the wire into end i (0: all that fits). */
static size_t feed(int i, size_t max)
{
    struct wire *w = &wires[!i];
    size_t moved = 0, n;
    while (w->len && (!max || moved < max)) {
        uint8_t *p = mote_tls_engine_recvrec_buf(&ends[i].e, &n);
        if (!p || !n)
            break;
        if (n > w->len)
            n = w->len;
        if (max && n > max - moved)
            n = max - moved;
        memcpy(p, w->b + w->off, n);
        w->off += n;
        w->len -= n;
        moved += n;
        mote_tls_engine_recvrec_ack(&ends[i].e, n);
    }
    return moved;
}

static void detach(int i)
{
    struct end *x = &ends[i];
    unsigned st = mote_tls_engine_state(&x->e);
    void *b = NULL;
    int err = mote_tls_engine_detach(&x->e, &b);
    if (x->detached) {
        check(err == MOTE_EINVAL);
        return;
    }
    if (err) {
        check(err == MOTE_EAGAIN);
        return;
    }
    /* Given back only when nothing was held. */
    check(!(st & (MOTE_TLS_SENDREC | MOTE_TLS_RECVAPP)));
    check(mote_tls_engine_handshake_done(&x->e));
    check(b == x->bufs[x->cur]);
    check(mote_tls_engine_state(&x->e) & MOTE_TLS_DETACHED);
    memset(b, 0xee, MOTE_TLS_BUF_SIZE);
    x->detached = 1;
}

static void attach(int i)
{
    struct end *x = &ends[i];
    if (!x->detached) {
        check(mote_tls_engine_attach(&x->e, x->bufs[!x->cur],
                                     MOTE_TLS_BUF_SIZE) == MOTE_EINVAL);
        return;
    }
    x->cur = !x->cur;
    check(mote_tls_engine_attach(&x->e, x->bufs[x->cur], MOTE_TLS_BUF_SIZE) ==
          0);
    x->detached = 0;
}

static void write_app(int i, unsigned arg)
{
    struct end *x = &ends[i];
    size_t want = (size_t)arg * 61 + 1, n;
    uint8_t *p = mote_tls_engine_sendapp_buf(&x->e, &n);
    if (!p)
        return;
    if (n > want)
        n = want;
    for (size_t k = 0; k < n; k++)
        p[k] = stream_byte(i, x->wrote + k);
    mote_tls_engine_sendapp_ack(&x->e, n);
    x->wrote += n;
    if (arg & 1)
        mote_tls_engine_flush(&x->e);
}

static void run_op(unsigned op, unsigned arg)
{
    int i = op & 1; /* which end */
    switch ((op >> 1) % 8) {
    case 0:
        drain(i);
        break;
    case 1:
        feed(i, arg ? (size_t)arg * 67 : 0);
        break;
    case 2:
        read_app(i);
        break;
    case 3:
        detach(i);
        break;
    case 4:
        attach(i);
        break;
    case 5:
        write_app(i, arg);
        break;
    case 6: {
        int err = mote_tls_engine_key_update(&ends[i].e, arg & 1);
        check(err == 0 || err == MOTE_EAGAIN || err == MOTE_ENOTSUP ||
              err == MOTE_ECLOSED);
        break;
    }
    default:
        if (arg == 0x5a) /* rarely: the rest of the program sends nothing */
            mote_tls_engine_close(&ends[i].e);
        else
            mote_tls_engine_flush(&ends[i].e);
        break;
    }
    check(!mote_tls_engine_error(&ends[0].e, NULL));
    check(!mote_tls_engine_error(&ends[1].e, NULL));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    memset(ends, 0, sizeof ends);
    memset(wires, 0, sizeof wires);
    for (int i = 0; i < 2; i++) {
        struct end *x = &ends[i];
        fz_config(&x->cfg, &x->rng, 10 + (uint32_t)i);
        if (data[0] & 1)
            x->cfg.max_version = MOTE_TLS_VERSION_12;
        x->bufs[0] = pool[2 * i];
        x->bufs[1] = pool[2 * i + 1];
        if (mote_tls_engine_init(
                &x->e, &x->cfg, i ? MOTE_TLS_SERVER : MOTE_TLS_CLIENT, NULL,
                NULL, FZ_NOW_MS, x->bufs[0], MOTE_TLS_BUF_SIZE))
            abort();
    }
    for (size_t k = 1; k + 1 < size; k += 2)
        run_op(data[k], data[k + 1]);
    /* The end: buffers back, everything on the wires delivered. */
    attach(0);
    attach(1);
    for (int round = 0; round < 10000; round++) {
        uint64_t before =
            ends[0].got + ends[1].got + wires[0].len + wires[1].len;
        size_t moved = 0;
        for (int i = 0; i < 2; i++) {
            mote_tls_engine_flush(&ends[i].e);
            drain(i);
            moved += feed(!i, 0);
            read_app(!i);
        }
        check(!mote_tls_engine_error(&ends[0].e, NULL));
        check(!mote_tls_engine_error(&ends[1].e, NULL));
        if (!moved &&
            before == ends[0].got + ends[1].got + wires[0].len + wires[1].len)
            break;
    }
    if (mote_tls_engine_handshake_done(&ends[0].e) &&
        mote_tls_engine_handshake_done(&ends[1].e)) {
        check(ends[0].got == ends[0].wrote);
        check(ends[1].got == ends[1].wrote);
    }
    mote_tls_engine_release(&ends[0].e);
    mote_tls_engine_release(&ends[1].e);
    return 0;
}

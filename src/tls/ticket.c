/* Session tickets: NewSessionTicket (RFC 8446 section 4.6.1), our sealed
 * ticket format, and the client's copy. */
#include "tls_int.h"

/*
 * Our ticket (opaque to the client), sealed with AES-256-GCM under the
 * server's ticket key; the additional data is the label below.
 *   OFFSET SIZE MEANING
 *   0      12   GCM nonce (random)
 *   12     2    cipher suite
 *   14     8    issue time, Unix ms
 *   22     4    ticket_age_add
 *   26     4    lifetime, seconds
 *   30     1    1: the client authenticated with a certificate, else 0
 *   31     32   SHA-256 of the client's leaf certificate (zeros if none)
 *   63     1    PSK length L (32 or 48)
 *   64     L    PSK
 *   64+L   16   GCM tag
 * The client's identity travels with the session: a server that requires
 * client authentication does not resume a session whose client did not
 * authenticate (it may share the ticket key with servers that do not ask),
 * and a resumed session reports the identity of the original one
 * (mote_tls_engine_peer_cert).
 */
#define TICKET_AUTH   18 /* plaintext offset of the auth byte */
#define TICKET_PSK    (TICKET_AUTH + 1 + 32)
#define TICKET_PT_MAX (TICKET_PSK + 1 + 48)
#define TICKET_MAX    (12 + TICKET_PT_MAX + 16)
/* How far the client's idea of the ticket age may be from ours. */
#define AGE_WINDOW_MS 10000
static const char ticket_aad[] = "mote tls13 ticket v2";

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* The peer identity a ticket carries (33 bytes: flag, leaf hash). */
static void put_auth(const struct mote_tls_engine *e, uint8_t *p)
{
    p[0] = e->peer_auth ? 1 : 0;
    if (e->peer_auth)
        memcpy(p + 1, e->peer_cert_sha256, 32);
    else
        memset(p + 1, 0, 32);
}

/* Take a ticket's identity; MOTE_EAUTH if the session may not resume here:
 * client authentication is required and its client did not authenticate
 * (the caller then makes a full handshake, which asks for a certificate). */
static int get_auth(struct mote_tls_engine *e, const uint8_t *p)
{
    if (p[0] > 1 || (e->cfg->client_auth >= 2 && p[0] != 1))
        return MOTE_EAUTH;
    e->peer_auth = p[0];
    memcpy(e->peer_cert_sha256, p + 1, 32);
    return 0;
}

int mote_tls_engine_peer_cert(const struct mote_tls_engine *e,
                              uint8_t sha256[32])
{
    int ok = (e->flags & F_HS_DONE) && e->peer_auth;
    if (sha256) {
        if (ok)
            memcpy(sha256, e->peer_cert_sha256, 32);
        else
            memset(sha256, 0, 32);
    }
    return ok;
}

int tls__send_ticket(struct mote_tls_engine *e)
{
    uint8_t nonce[8], psk[48], pt[TICKET_PT_MAX], ticket[TICKET_MAX], rnd[4];
    uint32_t lifetime =
        e->cfg->ticket_lifetime ? e->cfg->ticket_lifetime : 7200;
    if (lifetime > 604800)
        lifetime = 604800;
    int err = tls__random(e, nonce, sizeof nonce);
    if (!err)
        err = tls__random(e, rnd, sizeof rnd);
    if (!err)
        err = tls__random(e, ticket, 12);
    if (!err)
        err = tls__expand_label(e->hash, e->res_master, "resumption", nonce,
                                sizeof nonce, psk, e->hashlen);
    if (err)
        return tls__fail(e, err, MOTE_TLS_ALERT_INTERNAL_ERROR);
    uint32_t age_add = get32(rnd);
    pt[0] = (uint8_t)(e->suite >> 8);
    pt[1] = (uint8_t)e->suite;
    put64(pt + 2, e->now_ms);
    put32(pt + 10, age_add);
    put32(pt + 14, lifetime);
    put_auth(e, pt + TICKET_AUTH);
    pt[TICKET_PSK] = (uint8_t)e->hashlen;
    memcpy(pt + TICKET_PSK + 1, psk, e->hashlen);
    size_t ptlen = TICKET_PSK + 1 + e->hashlen;
    struct mote_aes_gcm_ctx gcm;
    err = mote_aes_gcm_init(&gcm, e->cfg->ticket_key, 32);
    if (!err)
        err = mote_aes_gcm_seal(&gcm, ticket, 12, (const uint8_t *)ticket_aad,
                                sizeof ticket_aad - 1, pt, ptlen, ticket + 12,
                                ticket + 12 + ptlen, 16);
    mote_aes_gcm_release(&gcm);
    mote_memzero_explicit(pt, sizeof pt);
    mote_memzero_explicit(psk, sizeof psk);
    if (err)
        return tls__fail(e, err, MOTE_TLS_ALERT_INTERNAL_ERROR);
    size_t tlen = 12 + ptlen + 16;

    size_t cap;
    uint8_t *m = tls__hs_space(e, &cap);
    struct wr w = wr_make(m, cap);
    wr_u8(&w, HT_NEW_SESSION_TICKET);
    uint8_t *ml = wr_open(&w, 3);
    wr_u32(&w, lifetime);
    wr_u32(&w, age_add);
    wr_u8(&w, sizeof nonce);
    wr_bytes(&w, nonce, sizeof nonce);
    wr_u16(&w, (unsigned)tlen);
    wr_bytes(&w, ticket, tlen);
    wr_u16(&w, 0); /* no extensions: in particular no early_data */
    wr_close(&w, ml, 3);
    if (w.bad)
        return tls__fail(e, MOTE_EINTERNAL, MOTE_TLS_ALERT_INTERNAL_ERROR);
    return tls__hs_emit(e, wr_len(&w));
}

int tls__ticket_open(struct mote_tls_engine *e, const uint8_t *ticket,
                     size_t len, uint32_t obf_age, uint8_t *psk)
{
    uint8_t pt[TICKET_PT_MAX];
    if (len < 12 + TICKET_PSK + 1 + 32 + 16 || len > TICKET_MAX)
        return MOTE_EAUTH;
    size_t ptlen = len - 12 - 16;
    struct mote_aes_gcm_ctx gcm;
    int err = mote_aes_gcm_init(&gcm, e->cfg->ticket_key, 32);
    if (!err)
        err = mote_aes_gcm_open(&gcm, ticket, 12, (const uint8_t *)ticket_aad,
                                sizeof ticket_aad - 1, ticket + 12, ptlen,
                                ticket + 12 + ptlen, 16, pt);
    mote_aes_gcm_release(&gcm);
    if (err)
        return MOTE_EAUTH;
    uint16_t suite = (uint16_t)(pt[0] << 8 | pt[1]);
    uint64_t issued = get64(pt + 2);
    uint32_t age_add = get32(pt + 10), lifetime = get32(pt + 14);
    size_t pl = pt[TICKET_PSK];
    err = MOTE_EAUTH;
    /* Section 4.6.1: the PSK's hash must match the suite's. */
    if (!tls__suite_known(suite) || tls__suite_hash(suite) != e->hash ||
        pl != e->hashlen || TICKET_PSK + 1 + pl != ptlen)
        goto out;
    /* Section 4.2.11.1/8.3: expired tickets and ages far from ours are
     * refused (a full handshake follows). */
    if (e->now_ms < issued || e->now_ms - issued > (uint64_t)lifetime * 1000)
        goto out;
    uint32_t client_age = obf_age - age_add;
    uint64_t our_age = e->now_ms - issued;
    uint64_t diff =
        client_age > our_age ? client_age - our_age : our_age - client_age;
    if (diff > AGE_WINDOW_MS)
        goto out;
    if (get_auth(e, pt + TICKET_AUTH))
        goto out;
    memcpy(psk, pt + TICKET_PSK + 1, pl);
    err = 0;
out:
    mote_memzero_explicit(pt, sizeof pt);
    return err;
}

int tls__ticket_recv(struct mote_tls_engine *e, const uint8_t *body, size_t len)
{
    struct rd r = rd_make(body, len);
    uint32_t lifetime = rd_u32(&r);
    uint32_t age_add = rd_u32(&r);
    struct rd nonce = rd_vec(&r, 1);
    struct rd ticket = rd_vec(&r, 2);
    struct rd exts = rd_vec(&r, 2);
    if (r.bad || r.n || nonce.bad || ticket.bad || exts.bad || ticket.n == 0)
        return tls__fail(e, MOTE_EPROTO, MOTE_TLS_ALERT_DECODE_ERROR);
    if (lifetime > 604800)
        return tls__fail(e, MOTE_EPROTO, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    if (lifetime == 0 || ticket.n > MOTE_TLS_TICKET_MAX)
        return 0; /* not usable: ignored */
    int err = tls__expand_label(e->hash, e->res_master, "resumption", nonce.p,
                                nonce.n, e->sess.psk, e->hashlen);
    if (err)
        return tls__fail(e, err, MOTE_TLS_ALERT_INTERNAL_ERROR);
    e->sess.suite = e->suite;
    e->sess.lifetime_s = lifetime;
    e->sess.age_add = age_add;
    e->sess.received_ms = e->now_ms;
    e->sess.ticket_len = ticket.n;
    memcpy(e->sess.ticket, ticket.p, ticket.n);
    e->sess.peer_auth = e->peer_auth;
    memcpy(e->sess.peer_cert_sha256, e->peer_cert_sha256, 32);
    return 0;
}

/*
 * TLS 1.2 tickets (RFC 5077), a format of their own (another additional
 * data, so neither version accepts the other's):
 *   OFFSET SIZE MEANING
 *   0      12   GCM nonce (random)
 *   12     2    cipher suite
 *   14     8    issue time, Unix ms
 *   22     4    lifetime, seconds
 *   26     1    1: the session used the extended master secret (always)
 *   27     1    1: the client authenticated with a certificate, else 0
 *   28     32   SHA-256 of the client's leaf certificate (zeros if none)
 *   60     48   master secret
 *   108    16   GCM tag
 * (The identity as in the 1.3 ticket above.)
 */
#define T12_AUTH 15 /* plaintext offsets */
#define T12_MS   (T12_AUTH + 1 + 32)
#define T12_PT   (T12_MS + 48)
#define T12_LEN  (12 + T12_PT + 16)
static const char ticket12_aad[] = "mote tls12 ticket v2";

static uint32_t lifetime_of(const struct mote_tls_engine *e)
{
    uint32_t l = e->cfg->ticket_lifetime ? e->cfg->ticket_lifetime : 7200;
    return l > 604800 ? 604800 : l;
}

int tls__send_ticket12(struct mote_tls_engine *e)
{
    uint8_t pt[T12_PT], ticket[T12_LEN];
    uint32_t lifetime = lifetime_of(e);
    int err = tls__random(e, ticket, 12);
    if (err)
        return tls__fail(e, err, MOTE_TLS_ALERT_INTERNAL_ERROR);
    pt[0] = (uint8_t)(e->suite >> 8);
    pt[1] = (uint8_t)e->suite;
    put64(pt + 2, e->now_ms);
    put32(pt + 10, lifetime);
    pt[14] = 1;
    put_auth(e, pt + T12_AUTH);
    memcpy(pt + T12_MS, e->master, 48);
    struct mote_aes_gcm_ctx gcm;
    err = mote_aes_gcm_init(&gcm, e->cfg->ticket_key, 32);
    if (!err)
        err = mote_aes_gcm_seal(&gcm, ticket, 12, (const uint8_t *)ticket12_aad,
                                sizeof ticket12_aad - 1, pt, T12_PT,
                                ticket + 12, ticket + 12 + T12_PT, 16);
    mote_aes_gcm_release(&gcm);
    mote_memzero_explicit(pt, sizeof pt);
    if (err)
        return tls__fail(e, err, MOTE_TLS_ALERT_INTERNAL_ERROR);
    size_t cap;
    uint8_t *m = tls__hs_space(e, &cap);
    struct wr w = wr_make(m, cap);
    wr_u8(&w, HT_NEW_SESSION_TICKET);
    uint8_t *ml = wr_open(&w, 3);
    wr_u32(&w, lifetime); /* ticket_lifetime_hint */
    wr_u16(&w, T12_LEN);
    wr_bytes(&w, ticket, T12_LEN);
    wr_close(&w, ml, 3);
    if (w.bad)
        return tls__fail(e, MOTE_EINTERNAL, MOTE_TLS_ALERT_INTERNAL_ERROR);
    return tls__hs_emit(e, wr_len(&w));
}

int tls__ticket12_open(struct mote_tls_engine *e, const uint8_t *ticket,
                       size_t len, uint16_t *suite, int *renew)
{
    uint8_t pt[T12_PT];
    if (len != T12_LEN || !e->cfg->ticket_key)
        return MOTE_EAUTH;
    struct mote_aes_gcm_ctx gcm;
    int err = mote_aes_gcm_init(&gcm, e->cfg->ticket_key, 32);
    if (!err)
        err = mote_aes_gcm_open(&gcm, ticket, 12, (const uint8_t *)ticket12_aad,
                                sizeof ticket12_aad - 1, ticket + 12, T12_PT,
                                ticket + 12 + T12_PT, 16, pt);
    mote_aes_gcm_release(&gcm);
    if (err)
        return MOTE_EAUTH;
    uint64_t issued = get64(pt + 2);
    uint32_t lifetime = get32(pt + 10);
    *suite = (uint16_t)(pt[0] << 8 | pt[1]);
    err = MOTE_EAUTH;
    /* RFC 7627 section 5.3: only sessions with the extended master
     * secret resume (we make no others; the flag says so). */
    if (pt[14] != 1 || !tls__suite_is12(*suite))
        goto out;
    if (e->now_ms < issued || e->now_ms - issued > (uint64_t)lifetime * 1000)
        goto out;
    if (get_auth(e, pt + T12_AUTH))
        goto out;
    *renew = (e->now_ms - issued) * 2 > (uint64_t)lifetime * 1000;
    memcpy(e->master, pt + T12_MS, 48);
    err = 0;
out:
    mote_memzero_explicit(pt, sizeof pt);
    return err;
}

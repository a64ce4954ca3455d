/* The TLS engine: buffers, record dispatch, alerts and the public calls. */
#include "tls_int.h"

static const uint16_t default_suites[] = {
    MOTE_TLS_AES_128_GCM_SHA256,
    MOTE_TLS_CHACHA20_POLY1305_SHA256,
    MOTE_TLS_AES_256_GCM_SHA384,
};
static const uint16_t default_groups[] = {
    MOTE_TLS_GROUP_X25519MLKEM768,
    MOTE_TLS_GROUP_X25519,
    MOTE_TLS_GROUP_P256,
    MOTE_TLS_GROUP_P384,
};
static const uint16_t default_sigs[] = {
    MOTE_TLS_SIG_ED25519,
    MOTE_TLS_SIG_ECDSA_P256_SHA256,
    MOTE_TLS_SIG_ECDSA_P384_SHA384,
    MOTE_TLS_SIG_RSA_PSS_RSAE_SHA256,
    MOTE_TLS_SIG_RSA_PSS_RSAE_SHA384,
    MOTE_TLS_SIG_RSA_PSS_RSAE_SHA512,
    MOTE_TLS_SIG_RSA_PSS_PSS_SHA256,
    MOTE_TLS_SIG_RSA_PSS_PSS_SHA384,
    MOTE_TLS_SIG_RSA_PSS_PSS_SHA512,
};

/* Keep this much of the output buffer free once the handshake is done, so
 * that a post-handshake reply (KeyUpdate, NewSessionTicket, an alert)
 * always fits behind queued application records. */
#define OUT_RESERVE 4096

const uint16_t *tls__list(const struct mote_tls_engine *e, int which, size_t *n)
{
    const struct mote_tls_config *c = e->cfg;
    switch (which) {
    case LIST_SUITES:
        if (c->nsuites) {
            *n = c->nsuites;
            return c->suites;
        }
        *n = sizeof default_suites / 2;
        return default_suites;
    case LIST_GROUPS:
        if (c->ngroups) {
            *n = c->ngroups;
            return c->groups;
        }
        *n = sizeof default_groups / 2;
        return default_groups;
    default:
        if (c->nsigschemes) {
            *n = c->nsigschemes;
            return c->sigschemes;
        }
        *n = sizeof default_sigs / 2;
        return default_sigs;
    }
}

int tls__in_list(const uint16_t *l, size_t n, uint16_t v)
{
    for (size_t i = 0; i < n; i++)
        if (l[i] == v)
            return 1;
    return 0;
}

const char *mote_tls_alert_name(int alert)
{
    switch (alert) {
    case 0:
        return "close_notify";
    case 10:
        return "unexpected_message";
    case 20:
        return "bad_record_mac";
    case 22:
        return "record_overflow";
    case 40:
        return "handshake_failure";
    case 42:
        return "bad_certificate";
    case 43:
        return "unsupported_certificate";
    case 44:
        return "certificate_revoked";
    case 45:
        return "certificate_expired";
    case 46:
        return "certificate_unknown";
    case 47:
        return "illegal_parameter";
    case 48:
        return "unknown_ca";
    case 49:
        return "access_denied";
    case 50:
        return "decode_error";
    case 51:
        return "decrypt_error";
    case 70:
        return "protocol_version";
    case 71:
        return "insufficient_security";
    case 80:
        return "internal_error";
    case 86:
        return "inappropriate_fallback";
    case 90:
        return "user_canceled";
    case 100:
        return "no_renegotiation";
    case 109:
        return "missing_extension";
    case 110:
        return "unsupported_extension";
    case 112:
        return "unrecognized_name";
    case 115:
        return "unknown_psk_identity";
    case 116:
        return "certificate_required";
    case 120:
        return "no_application_protocol";
    }
    return "unknown_alert";
}

int tls__suite_known(uint16_t suite)
{
    return suite == MOTE_TLS_AES_128_GCM_SHA256 ||
           suite == MOTE_TLS_AES_256_GCM_SHA384 ||
           suite == MOTE_TLS_CHACHA20_POLY1305_SHA256;
}

int tls__suite_is12(uint16_t suite)
{
    return suite == MOTE_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ||
           suite == MOTE_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 ||
           suite == MOTE_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 ||
           suite == MOTE_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 ||
           suite == MOTE_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 ||
           suite == MOTE_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256;
}

int tls__suite_is_chacha(uint16_t suite)
{
    return suite == MOTE_TLS_CHACHA20_POLY1305_SHA256 ||
           suite == MOTE_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 ||
           suite == MOTE_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256;
}

enum mote_hash_alg tls__suite_hash(uint16_t suite)
{
    return suite == MOTE_TLS_AES_256_GCM_SHA384 ||
                   suite == MOTE_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 ||
                   suite == MOTE_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
               ? MOTE_HASH_SHA384
               : MOTE_HASH_SHA256;
}

int tls__set_suite(struct mote_tls_engine *e, uint16_t suite)
{
    e->suite = suite;
    e->hash = tls__suite_hash(suite);
    e->hashlen = mote_hash_len(e->hash);
    return 0;
}

int tls__random(struct mote_tls_engine *e, uint8_t *buf, size_t n)
{
    if (e->cfg->rng)
        return e->cfg->rng(e->cfg->rng_ctx, buf, n);
    mote_random(buf, n);
    return 0;
}

/* ---- Transcript ------------------------------------------------------------
 */

void tls__transcript_add(struct mote_tls_engine *e, const void *p, size_t n)
{
    mote_hash_update(&e->th256, p, n);
    mote_hash_update(&e->th384, p, n);
}

void tls__transcript_hash(const struct mote_tls_engine *e, uint8_t *out)
{
    struct mote_hash_ctx c = e->hash == MOTE_HASH_SHA384 ? e->th384 : e->th256;
    mote_hash_final(&c, out);
}

/* Section 4.4.1: after a HelloRetryRequest the transcript restarts with
 * message_hash || 00 00 Hash.length || Hash(ClientHello1). */
void tls__transcript_hrr(struct mote_tls_engine *e)
{
    uint8_t h[4 + MOTE_HASH_MAX_LEN];
    tls__transcript_hash(e, h + 4);
    h[0] = HT_MESSAGE_HASH;
    h[1] = 0;
    h[2] = 0;
    h[3] = (uint8_t)e->hashlen;
    mote_hash_init(&e->th256, MOTE_HASH_SHA256);
    mote_hash_init(&e->th384, MOTE_HASH_SHA384);
    tls__transcript_add(e, h, 4 + e->hashlen);
}

/* ---- Output
 * ------------------------------------------------------------------ */

static size_t max_fragment(const struct mote_tls_engine *e)
{
    /* RFC 8449 section 4: in TLS 1.3 the limit counts the content type
     * byte; it applies to protected records only. */
    if (e->wr.suite && e->peer_rsl)
        return (size_t)e->peer_rsl - 1;
    return TLS_PLAIN_MAX;
}

/* Section 5.5: AES-GCM keys are good for about 2^24.5 full records; we
 * update ours well before (and ChaCha20's too, for simplicity). */
#define KEY_UPDATE_AT (1ull << 23)

/* Seal the staged application plaintext. */
static void seal_app(struct mote_tls_engine *e)
{
    if (!e->app_pending)
        return;
    e->out_len += tls__record_seal(&e->wr, e->obuf + e->out_len, e->app_pending,
                                   CT_APPDATA);
    e->app_pending = 0;
    if (e->wr.seq >= KEY_UPDATE_AT && !(e->flags & F_WR_CLOSED) &&
        e->version != TLS_VERSION_12)
        tls__send_key_update(e, 0);
}

uint8_t *tls__hs_space(struct mote_tls_engine *e, size_t *cap)
{
    seal_app(e);
    size_t used = e->out_len + 5 + 256; /* header + slack for record tails */
    *cap = used < MOTE_TLS_OUT_BUF ? MOTE_TLS_OUT_BUF - used : 0;
    return e->obuf + e->out_len + 5;
}

int tls__hs_emit(struct mote_tls_engine *e, size_t len)
{
    uint8_t *base = e->obuf + e->out_len + 5;
    if (!(e->flags & F_HS_DONE))
        tls__transcript_add(e, base, len);
    size_t maxf = max_fragment(e);
    size_t tail = tls__record_overhead(&e->wr);
    size_t nrec = len ? (len + maxf - 1) / maxf : 1;
    if (e->out_len + nrec * (5 + tail) + len > MOTE_TLS_OUT_BUF)
        return tls__fail(e, MOTE_EINTERNAL, MOTE_TLS_ALERT_INTERNAL_ERROR);
    while (len > 0) {
        size_t f = len < maxf ? len : maxf;
        uint8_t *rec = e->obuf + e->out_len;
        if (len > f) /* make room for this record's tail and the next
                        header */
            memmove(rec + 5 + f + tail + 5, rec + 5 + f, len - f);
        e->out_len += tls__record_seal(&e->wr, rec, f, CT_HANDSHAKE);
        len -= f;
    }
    return 0;
}

int tls__send_ccs(struct mote_tls_engine *e)
{
    if (e->ccs_sent)
        return 0;
    if (e->out_len + 6 > MOTE_TLS_OUT_BUF)
        return tls__fail(e, MOTE_EINTERNAL, MOTE_TLS_ALERT_INTERNAL_ERROR);
    static const uint8_t ccs[6] = {CT_CCS, 3, 3, 0, 1, 1};
    memcpy(e->obuf + e->out_len, ccs, 6);
    e->out_len += 6;
    e->ccs_sent = 1;
    return 0;
}

void tls__send_warning(struct mote_tls_engine *e, int alert)
{
    if (e->flags & F_WR_CLOSED)
        return;
    seal_app(e);
    if (e->out_len + 5 + 2 + tls__record_overhead(&e->wr) > MOTE_TLS_OUT_BUF)
        return;
    uint8_t *rec = e->obuf + e->out_len;
    rec[5] = 1;
    rec[6] = (uint8_t)alert;
    e->out_len += tls__record_seal(&e->wr, rec, 2, CT_ALERT);
}

static void send_alert(struct mote_tls_engine *e, unsigned level, int alert)
{
    if (e->flags & F_WR_CLOSED)
        return;
    e->flags |= F_WR_CLOSED;
    e->app_pending = 0;
    if (e->out_len + 5 + 2 + tls__record_overhead(&e->wr) > MOTE_TLS_OUT_BUF)
        return;
    uint8_t *rec = e->obuf + e->out_len;
    rec[5] = (uint8_t)level;
    rec[6] = (uint8_t)alert;
    e->out_len += tls__record_seal(&e->wr, rec, 2, CT_ALERT);
}

int tls__fail(struct mote_tls_engine *e, int err, int alert)
{
    if (e->err)
        return e->err;
    e->err = err;
    e->alert = alert;
    if (alert >= 0)
        send_alert(e, 2, alert);
    return err;
}

/* ---- Input --------------------------------------------------------------- */

static void drop_record(struct mote_tls_engine *e, size_t n)
{
    memmove(e->ibuf, e->ibuf + n, e->ilen - n);
    e->ilen -= n;
}

/* Feed the plaintext of a handshake record: hbuf holds at most one
 * message, so a message of up to MOTE_TLS_HS_BUF - 4 bytes is accepted
 * however the peer packs messages into records. */
static int handshake_bytes(struct mote_tls_engine *e, const uint8_t *p,
                           size_t n)
{
    while (!e->err) {
        size_t want = 4;
        if (e->hlen >= 4) {
            size_t mlen =
                (size_t)e->hbuf[1] << 16 | (size_t)e->hbuf[2] << 8 | e->hbuf[3];
            if (mlen > MOTE_TLS_HS_BUF - 4)
                return tls__fail(e, MOTE_EMSGSIZE, MOTE_TLS_ALERT_DECODE_ERROR);
            want = 4 + mlen;
        }
        if (e->hlen == want) {
            unsigned epoch = e->rd_epoch;
            unsigned type = e->hbuf[0];
            size_t mlen = want - 4;
            e->hlen = 0; /* the message stays in hbuf while it is handled */
            int err;
            if (e->flags & F_HS_DONE)
                err =
                    e->role == MOTE_TLS_CLIENT && type == HT_NEW_SESSION_TICKET
                        ? tls__ticket_recv(e, e->hbuf + 4, mlen)
                        : tls__post_handshake(e, type, e->hbuf + 4, mlen);
            else if (e->role == MOTE_TLS_CLIENT)
                err = tls__client_handle(e, type, e->hbuf + 4, mlen, e->hbuf,
                                         want);
            else
                err = tls__server_handle(e, type, e->hbuf + 4, mlen, e->hbuf,
                                         want);
            if (err)
                return err;
            /* Section 5.1: a handshake message may not straddle a key
             * change, so nothing may follow it in a record under the old
             * keys. */
            if (epoch != e->rd_epoch && n)
                return tls__fail(e, MOTE_EPROTO,
                                 MOTE_TLS_ALERT_UNEXPECTED_MESSAGE);
            continue;
        }
        if (!n)
            break;
        size_t k = want - e->hlen < n ? want - e->hlen : n;
        memcpy(e->hbuf + e->hlen, p, k);
        e->hlen += k;
        if (e->hlen > e->hbuf_hw)
            e->hbuf_hw = e->hlen;
        p += k;
        n -= k;
    }
    return e->err;
}

static int alert_in(struct mote_tls_engine *e, const uint8_t *p, size_t n)
{
    if (n != 2)
        return tls__fail(e, MOTE_EPROTO, MOTE_TLS_ALERT_DECODE_ERROR);
    if (p[1] == MOTE_TLS_ALERT_CLOSE_NOTIFY) {
        e->flags |= F_RD_CLOSED;
        return 0;
    }
    if (p[1] == MOTE_TLS_ALERT_USER_CANCELED)
        return 0;
    /* Section 6: every other alert is fatal whatever its level. */
    if (!e->err) {
        e->err = MOTE_ECONNRESET;
        e->alert = p[1];
        e->flags |= F_WR_CLOSED | F_RD_CLOSED;
    }
    return e->err;
}

/* Process whole records at the front of ibuf while we can. */
static void process(struct mote_tls_engine *e)
{
    while (!e->err && !e->app_len && !(e->flags & F_RD_CLOSED) &&
           e->ilen >= 5) {
        uint8_t *rec = e->ibuf;
        unsigned type = rec[0];
        size_t len = (size_t)rec[3] << 8 | rec[4];
        if (len > TLS_CIPHER_MAX ||
            (len > TLS_PLAIN_MAX && (!e->rd.suite || type != CT_APPDATA))) {
            tls__fail(e, MOTE_EMSGSIZE, MOTE_TLS_ALERT_RECORD_OVERFLOW);
            return;
        }
        if (e->ilen < 5 + len)
            return;
        /* Room for any reply: during the handshake the previous flight
         * must be gone; afterwards OUT_RESERVE must be free. */
        if (!(e->flags & F_HS_DONE)
                ? e->out_off != e->out_len
                : e->out_len + OUT_RESERVE > MOTE_TLS_OUT_BUF)
            return;
        if (type == CT_CCS && e->version == TLS_VERSION_12) {
            /* RFC 5246 section 7.1: the real ChangeCipherSpec, only where
             * the handshake expects it, never inside a message. */
            if (len != 1 || rec[5] != 1 || e->hlen) {
                tls__fail(e, MOTE_EPROTO, MOTE_TLS_ALERT_UNEXPECTED_MESSAGE);
                return;
            }
            if (tls__hs12_ccs(e))
                return;
            drop_record(e, 6);
            continue;
        }
        if (type == CT_CCS) {
            /* Section 5: one byte 0x01, only between the first ClientHello
             * and the peer's Finished. */
            if (!(e->flags & F_CCS_OK) || (e->flags & F_HS_DONE) || len != 1 ||
                rec[5] != 1) {
                tls__fail(e, MOTE_EPROTO, MOTE_TLS_ALERT_UNEXPECTED_MESSAGE);
                return;
            }
            drop_record(e, 6);
            continue;
        }
        const uint8_t *plain = rec + 5;
        size_t plen = len;
        if (e->rd.suite && (e->rd.version == TLS_VERSION_12 ||
                            !(type == CT_ALERT && !(e->flags & F_HS_DONE)))) {
            if (type != CT_APPDATA && e->rd.version != TLS_VERSION_12) {
                tls__fail(e, MOTE_EPROTO, MOTE_TLS_ALERT_UNEXPECTED_MESSAGE);
                return;
            }
            int err = tls__record_open(&e->rd, rec, len, &type, &plen);
            if (err == MOTE_EAUTH && (e->flags & F_SKIP_EARLY) &&
                e->early_skip >= len) {
                /* Section 4.2.10: 0-RTT data we refused is skipped. */
                e->early_skip -= len;
                drop_record(e, 5 + len);
                continue;
            }
            if (err == MOTE_EAUTH) {
                tls__fail(e, MOTE_EAUTH, MOTE_TLS_ALERT_BAD_RECORD_MAC);
                return;
            }
            if (err) {
                tls__fail(e, MOTE_EPROTO, MOTE_TLS_ALERT_UNEXPECTED_MESSAGE);
                return;
            }
            e->flags &= ~F_SKIP_EARLY;
            if (plen > TLS_PLAIN_MAX) {
                tls__fail(e, MOTE_EMSGSIZE, MOTE_TLS_ALERT_RECORD_OVERFLOW);
                return;
            }
        }
        switch (type) {
        case CT_APPDATA:
            if (!(e->flags & F_HS_DONE) || !e->rd.suite) {
                tls__fail(e, MOTE_EPROTO, MOTE_TLS_ALERT_UNEXPECTED_MESSAGE);
                return;
            }
            if (plen == 0) {
                drop_record(e, 5 + len);
                continue;
            }
            e->app_off = 5;
            e->app_len = plen;
            e->rec_len = 5 + len;
            return;
        case CT_HANDSHAKE:
            if (plen == 0) {
                tls__fail(e, MOTE_EPROTO, MOTE_TLS_ALERT_DECODE_ERROR);
                return;
            }
            if (handshake_bytes(e, plain, plen))
                return;
            break;
        case CT_ALERT:
            if (alert_in(e, plain, plen))
                return;
            break;
        default:
            tls__fail(e, MOTE_EPROTO, MOTE_TLS_ALERT_UNEXPECTED_MESSAGE);
            return;
        }
        drop_record(e, 5 + len);
    }
}

/* ---- The buffer ------------------------------------------------------------
 */

static void set_buffer(struct mote_tls_engine *e, void *buf)
{
    e->buf = buf;
    e->ibuf = buf;
    e->obuf = e->ibuf + MOTE_TLS_REC_BUF;
    e->hbuf = e->obuf + MOTE_TLS_OUT_BUF;
    e->ibuf_hw = e->obuf_hw = e->hbuf_hw = 0;
}

/* What the output holds now reaches this far: sealed records, then the
 * staged plaintext behind a header slot. (A handshake message is built
 * at the same place and sealed there, so it is covered once emitted.) */
static void obuf_mark(struct mote_tls_engine *e)
{
    size_t end = e->out_len + (e->app_pending ? 5 + e->app_pending : 0);
    if (end > e->obuf_hw)
        e->obuf_hw = end;
}

/* Wipe what the engine wrote into its buffer since it was lent: decrypted
 * plaintext, staged plaintext, handshake messages. Only the written extent
 * is touched, so a pooled buffer's untouched pages stay untouched. */
static void wipe_used(struct mote_tls_engine *e)
{
    if (!e->buf)
        return;
    obuf_mark(e);
    mote_memzero_explicit(e->ibuf, e->ibuf_hw);
    mote_memzero_explicit(e->obuf, e->obuf_hw);
    mote_memzero_explicit(e->hbuf, e->hbuf_hw);
    e->ibuf_hw = e->obuf_hw = e->hbuf_hw = 0;
}

int mote_tls_engine_detach(struct mote_tls_engine *e, void **buf)
{
    if (!e->buf)
        return MOTE_EINVAL;
    if (e->err)
        return MOTE_ECLOSED;
    /* Section 5.1: a handshake message may span records, so a partial one
     * (hlen) is state as much as a partial record (ilen). */
    if (!(e->flags & F_HS_DONE) || e->ilen || e->app_len || e->hlen ||
        e->out_len || e->app_pending)
        return MOTE_EAGAIN;
    wipe_used(e);
    *buf = e->buf;
    e->buf = e->ibuf = e->obuf = e->hbuf = NULL;
    e->out_off = e->app_off = e->rec_len = 0;
    return 0;
}

int mote_tls_engine_attach(struct mote_tls_engine *e, void *buf, size_t len)
{
    if (e->buf || !buf || len < MOTE_TLS_BUF_SIZE)
        return MOTE_EINVAL;
    set_buffer(e, buf);
    if (e->close_due) {
        e->close_due = 0;
        mote_tls_engine_close(e);
    }
    return 0;
}

/* ---- Public calls ----------------------------------------------------------
 */

int mote_tls_engine_init(struct mote_tls_engine *e,
                         const struct mote_tls_config *cfg,
                         enum mote_tls_role role, const char *host,
                         const struct mote_tls_session *session,
                         uint64_t now_ms, void *buf, size_t len)
{
    memset(e, 0, sizeof *e);
    e->alert = -1;
    if ((role != MOTE_TLS_CLIENT && role != MOTE_TLS_SERVER) || !cfg || !buf ||
        len < MOTE_TLS_BUF_SIZE)
        return MOTE_EINVAL;
    if (role == MOTE_TLS_CLIENT && !cfg->verify)
        return MOTE_EINVAL;
    if (host) {
        size_t hl = strlen(host);
        if (hl > 255)
            return MOTE_EINVAL;
        memcpy(e->host, host, hl + 1);
    }
    e->cfg = cfg;
    e->role = role;
    e->now_ms = now_ms;
    set_buffer(e, buf);
    mote_hash_init(&e->th256, MOTE_HASH_SHA256);
    mote_hash_init(&e->th384, MOTE_HASH_SHA384);
    tls__set_suite(e, MOTE_TLS_AES_128_GCM_SHA256);
    if (session && session->suite &&
        (tls__suite_known(session->suite) || tls__suite_is12(session->suite)))
        e->sess = *session;
    if (role == MOTE_TLS_SERVER) {
        e->hs = HS_S_WAIT_CH;
        return 0;
    }
    int err = tls__client_start(e);
    return err ? err : e->err;
}

void mote_tls_engine_release(struct mote_tls_engine *e)
{
    wipe_used(e);
    mote_memzero_explicit(e, sizeof *e);
}

void mote_tls_engine_set_time(struct mote_tls_engine *e, uint64_t now_ms)
{
    e->now_ms = now_ms;
}

unsigned mote_tls_engine_state(const struct mote_tls_engine *e)
{
    unsigned s = e->buf ? 0 : MOTE_TLS_DETACHED;
    if (e->out_off < e->out_len)
        s |= MOTE_TLS_SENDREC;
    if (e->flags & F_RD_CLOSED)
        s |= MOTE_TLS_EOF;
    if (e->err || ((e->flags & F_RD_CLOSED) && (e->flags & F_WR_CLOSED)))
        return s | MOTE_TLS_CLOSED;
    if (e->app_len)
        s |= MOTE_TLS_RECVAPP;
    if (e->buf && !(e->flags & F_RD_CLOSED) && e->ilen < MOTE_TLS_REC_BUF)
        s |= MOTE_TLS_RECVREC;
    size_t n;
    if ((e->flags & F_HS_DONE) &&
        mote_tls_engine_sendapp_buf((struct mote_tls_engine *)e, &n))
        s |= MOTE_TLS_SENDAPP;
    return s;
}

uint8_t *mote_tls_engine_sendrec_buf(struct mote_tls_engine *e, size_t *len)
{
    *len = e->out_len - e->out_off;
    return *len ? e->obuf + e->out_off : NULL;
}

void mote_tls_engine_sendrec_ack(struct mote_tls_engine *e, size_t len)
{
    if (len > e->out_len - e->out_off)
        len = e->out_len - e->out_off;
    e->out_off += len;
    if (e->out_off == e->out_len && e->out_len) {
        obuf_mark(e);
        if (e->app_pending)
            memmove(e->obuf + 5, e->obuf + e->out_len + 5, e->app_pending);
        e->out_off = e->out_len = 0;
    }
    process(e);
}

uint8_t *mote_tls_engine_recvrec_buf(struct mote_tls_engine *e, size_t *len)
{
    if (e->err || !e->buf || (e->flags & F_RD_CLOSED) ||
        e->ilen >= MOTE_TLS_REC_BUF) {
        *len = 0;
        return NULL;
    }
    *len = MOTE_TLS_REC_BUF - e->ilen;
    return e->ibuf + e->ilen;
}

void mote_tls_engine_recvrec_ack(struct mote_tls_engine *e, size_t len)
{
    if (!e->buf)
        return;
    if (len > MOTE_TLS_REC_BUF - e->ilen)
        len = MOTE_TLS_REC_BUF - e->ilen;
    e->ilen += len;
    if (e->ilen > e->ibuf_hw)
        e->ibuf_hw = e->ilen;
    process(e);
}

uint8_t *mote_tls_engine_sendapp_buf(struct mote_tls_engine *e, size_t *len)
{
    *len = 0;
    if (e->err || !e->buf || !(e->flags & F_HS_DONE) ||
        (e->flags & F_WR_CLOSED))
        return NULL;
    size_t maxf = max_fragment(e);
    size_t used = e->out_len + 5 + tls__record_overhead(&e->wr) + OUT_RESERVE;
    size_t room = used < MOTE_TLS_OUT_BUF ? MOTE_TLS_OUT_BUF - used : 0;
    if (room > maxf)
        room = maxf;
    if (room <= e->app_pending)
        return NULL;
    *len = room - e->app_pending;
    return e->obuf + e->out_len + 5 + e->app_pending;
}

void mote_tls_engine_sendapp_ack(struct mote_tls_engine *e, size_t len)
{
    size_t room;
    if (!mote_tls_engine_sendapp_buf(e, &room))
        return;
    e->app_pending += len < room ? len : room;
    if (e->app_pending >= max_fragment(e))
        seal_app(e);
}

void mote_tls_engine_flush(struct mote_tls_engine *e)
{
    if (!e->err)
        seal_app(e);
}

uint8_t *mote_tls_engine_recvapp_buf(struct mote_tls_engine *e, size_t *len)
{
    *len = e->app_len;
    return e->app_len ? e->ibuf + e->app_off : NULL;
}

void mote_tls_engine_recvapp_ack(struct mote_tls_engine *e, size_t len)
{
    if (len > e->app_len)
        len = e->app_len;
    e->app_off += len;
    e->app_len -= len;
    if (e->app_len == 0 && e->rec_len) {
        drop_record(e, e->rec_len);
        e->rec_len = 0;
        process(e);
    }
}

int mote_tls_engine_key_update(struct mote_tls_engine *e, int request_peer)
{
    if (e->err || (e->flags & F_WR_CLOSED))
        return MOTE_ECLOSED;
    if (e->version == TLS_VERSION_12)
        return MOTE_ENOTSUP; /* no KeyUpdate in TLS 1.2 */
    if (!e->buf || !(e->flags & F_HS_DONE) ||
        e->out_len + OUT_RESERVE > MOTE_TLS_OUT_BUF)
        return MOTE_EAGAIN;
    return tls__send_key_update(e, request_peer);
}

int tls__send_key_update(struct mote_tls_engine *e, int request)
{
    size_t cap;
    uint8_t *m = tls__hs_space(e, &cap);
    if (cap < 5)
        return tls__fail(e, MOTE_EINTERNAL, MOTE_TLS_ALERT_INTERNAL_ERROR);
    m[0] = HT_KEY_UPDATE;
    m[1] = 0;
    m[2] = 0;
    m[3] = 1;
    m[4] = request ? 1 : 0;
    int err = tls__hs_emit(e, 5);
    if (!err)
        err = tls__key_update(&e->wr, e->hash);
    if (err)
        return tls__fail(e, err, MOTE_TLS_ALERT_INTERNAL_ERROR);
    return 0;
}

int tls__post_handshake(struct mote_tls_engine *e, unsigned type,
                        const uint8_t *body, size_t len)
{
    if (e->version == TLS_VERSION_12) {
        /* RFC 5746 / 5246 section 7.4.1.1: no renegotiation. A
         * HelloRequest (client) or a ClientHello (server) is answered
         * with a no_renegotiation warning and otherwise ignored. */
        if ((e->role == MOTE_TLS_CLIENT && type == 0 && len == 0) ||
            (e->role == MOTE_TLS_SERVER && type == HT_CLIENT_HELLO)) {
            tls__send_warning(e, MOTE_TLS_ALERT_NO_RENEGOTIATION);
            return 0;
        }
        return tls__fail(e, MOTE_EPROTO, MOTE_TLS_ALERT_UNEXPECTED_MESSAGE);
    }
    if (type != HT_KEY_UPDATE)
        return tls__fail(e, MOTE_EPROTO, MOTE_TLS_ALERT_UNEXPECTED_MESSAGE);
    /* Section 4.6.3 */
    if (len != 1)
        return tls__fail(e, MOTE_EPROTO, MOTE_TLS_ALERT_DECODE_ERROR);
    if (body[0] > 1)
        return tls__fail(e, MOTE_EPROTO, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    int err = tls__key_update(&e->rd, e->hash);
    if (err)
        return tls__fail(e, err, MOTE_TLS_ALERT_INTERNAL_ERROR);
    e->rd_epoch++;
    if (body[0] == 1 && !(e->flags & F_WR_CLOSED))
        return tls__send_key_update(e, 0);
    return 0;
}

void mote_tls_engine_close(struct mote_tls_engine *e)
{
    if (e->err || (e->flags & F_WR_CLOSED))
        return;
    if (!e->buf) {
        e->close_due = 1; /* sealed at the next attach */
        return;
    }
    seal_app(e);
    send_alert(e, 1, MOTE_TLS_ALERT_CLOSE_NOTIFY);
}

int mote_tls_engine_error(const struct mote_tls_engine *e, int *alert)
{
    if (alert)
        *alert = e->alert;
    return e->err;
}

int mote_tls_engine_handshake_done(const struct mote_tls_engine *e)
{
    return (e->flags & F_HS_DONE) != 0;
}

uint16_t mote_tls_engine_suite(const struct mote_tls_engine *e)
{
    return e->suite;
}

uint16_t mote_tls_engine_version(const struct mote_tls_engine *e)
{
    return e->version;
}

uint16_t mote_tls_engine_group(const struct mote_tls_engine *e)
{
    return e->group;
}

uint16_t mote_tls_engine_sigscheme(const struct mote_tls_engine *e)
{
    return e->sigscheme;
}

int mote_tls_engine_resumed(const struct mote_tls_engine *e)
{
    return e->resumed;
}

const char *mote_tls_engine_alpn(const struct mote_tls_engine *e)
{
    return e->alpn;
}

const char *mote_tls_engine_server_name(const struct mote_tls_engine *e)
{
    return e->host;
}

const struct mote_tls_session *
mote_tls_engine_session(const struct mote_tls_engine *e)
{
    return &e->sess;
}

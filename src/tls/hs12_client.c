/* TLS 1.2 client handshake (RFC 5246 section 7.4, ECDHE per RFC 8422),
 * extended master secret required (RFC 7627), secure renegotiation
 * indication required and renegotiation refused (RFC 5746), session
 * tickets (RFC 5077).
 *
 * Full:    SH Certificate ServerKeyExchange [CertificateRequest] SHD
 *          -> [Certificate] ClientKeyExchange [CertificateVerify] CCS
 *             Finished
 *          <- [NewSessionTicket] CCS Finished
 * Resumed: SH (our session id echoed) [NewSessionTicket] CCS Finished
 *          -> CCS Finished
 *
 * Between ServerKeyExchange and ServerHelloDone the premaster secret is
 * kept in e->secret (length in e->cert_ctx_len) and our public share in
 * e->cookie (length in e->cookie_len). */
#include "tls_int.h"

static int fail(struct mote_tls_engine *e, int alert)
{
    return tls__fail(
        e, alert == MOTE_TLS_ALERT_DECRYPT_ERROR ? MOTE_EAUTH : MOTE_EPROTO,
        alert);
}

static int internal(struct mote_tls_engine *e, int err)
{
    return tls__fail(e, err ? err : MOTE_EINTERNAL,
                     MOTE_TLS_ALERT_INTERNAL_ERROR);
}

int tls__client12_server_hello(struct mote_tls_engine *e, const uint8_t *body,
                               size_t len, const uint8_t *msg, size_t msglen)
{
    struct rd r = rd_make(body, len);
    rd_u16(&r); /* 0x0303: checked by the caller */
    const uint8_t *random = rd_bytes(&r, 32);
    struct rd sid = rd_vec(&r, 1);
    unsigned suite = rd_u16(&r);
    unsigned comp = rd_u8(&r);
    struct rd exts = {NULL, 0, 0};
    if (r.n)
        exts = rd_vec(&r, 2);
    if (r.bad || r.n || sid.bad || exts.bad || sid.n > 32)
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    size_t ns;
    const uint16_t *ours = tls__suites12(e, &ns);
    if (!tls__suite_is12((uint16_t)suite) ||
        !tls__in_list(ours, ns, (uint16_t)suite) || comp != 0)
        return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    int ems = 0, reneg = 0, ticket = 0;
    uint32_t seen = 0;
    e->alpn[0] = 0;
    while (exts.n) {
        unsigned type = rd_u16(&exts);
        struct rd x = rd_vec(&exts, 2);
        if (exts.bad || x.bad)
            return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
        unsigned bit;
        switch (type) {
        case EXT_EXTENDED_MASTER_SECRET:
            bit = 1;
            ems = x.n == 0;
            break;
        case EXT_RENEGOTIATION_INFO:
            bit = 2;
            /* RFC 5746 section 3.4: empty on an initial handshake. */
            if (x.n != 1 || x.p[0] != 0)
                return tls__fail(e, MOTE_EPROTO,
                                 MOTE_TLS_ALERT_HANDSHAKE_FAILURE);
            reneg = 1;
            break;
        case EXT_SESSION_TICKET:
            bit = 4;
            ticket = 1;
            if (x.n)
                return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
            break;
        case EXT_EC_POINT_FORMATS:
            bit = 8;
            break;
        case EXT_SERVER_NAME:
            bit = 16;
            if (x.n || !tls__client_sni_sent(e))
                return fail(e, MOTE_TLS_ALERT_UNSUPPORTED_EXTENSION);
            break;
        case EXT_ALPN: {
            bit = 32;
            struct rd l = rd_vec(&x, 2);
            struct rd p = rd_vec(&l, 1);
            if (x.bad || x.n || l.bad || l.n || p.bad || p.n == 0)
                return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
            int offered = 0;
            for (size_t i = 0; i < e->cfg->nalpn; i++)
                offered |= strlen(e->cfg->alpn[i]) == p.n &&
                           !memcmp(e->cfg->alpn[i], p.p, p.n);
            if (!offered)
                return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
            memcpy(e->alpn, p.p, p.n);
            e->alpn[p.n] = 0;
            break;
        }
        default:
            return fail(e, MOTE_TLS_ALERT_UNSUPPORTED_EXTENSION);
        }
        if (seen & bit)
            return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
        seen |= bit;
    }
    /* RFC 7627 section 5.2 and RFC 5746 section 3.4: both required. */
    if (!ems || !reneg)
        return tls__fail(e, MOTE_ENOTSUP, MOTE_TLS_ALERT_HANDSHAKE_FAILURE);
    e->version = TLS_VERSION_12;
    tls__set_suite(e, (uint16_t)suite);
    memcpy(e->peer_random, random, 32);
    e->ticket_wanted = (uint8_t)ticket;
    tls__transcript_add(e, msg, msglen);
    /* RFC 5077 section 3.4: our session id echoed means the server took
     * our ticket. */
    if (tls__suite_is12(e->sess.suite) && e->sess.ticket_len && sid.n &&
        sid.n == e->sid_len && !memcmp(sid.p, e->session_id, sid.n)) {
        if (e->sess.suite != suite)
            return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
        memcpy(e->master, e->sess.psk, 48);
        e->resumed = 1;
        e->peer_auth = e->sess.peer_auth;
        memcpy(e->peer_cert_sha256, e->sess.peer_cert_sha256, 32);
        int err = tls__hs12_key_block(e);
        if (err)
            return internal(e, err);
        e->hs = HS_C12_WAIT_CCS;
        return 0;
    }
    e->hs = HS_C12_WAIT_CERT;
    return 0;
}

/* ServerKeyExchange (RFC 8422 section 5.4): check the signature with the
 * certificate's key, then make our share and the premaster secret. */
static int server_key_exchange(struct mote_tls_engine *e, const uint8_t *body,
                               size_t len)
{
    struct rd r = rd_make(body, len);
    unsigned ctype = rd_u8(&r);
    unsigned group = rd_u16(&r);
    struct rd pt = rd_vec(&r, 1);
    size_t parlen = len - r.n;
    unsigned scheme = rd_u16(&r);
    struct rd sig = rd_vec(&r, 2);
    if (r.bad || r.n || pt.bad || sig.bad || pt.n == 0)
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    size_t ng;
    const uint16_t *groups = tls__list(e, LIST_GROUPS, &ng);
    if (ctype != 3 || group == MOTE_TLS_GROUP_X25519MLKEM768 ||
        !tls__group_known((uint16_t)group) ||
        !tls__in_list(groups, ng, (uint16_t)group))
        return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    /* RFC 5246 7.4.1.4.1: only a scheme we offered (PKCS#1 included only
     * when we offered it). */
    if (!tls__client_sig_offered(e, (uint16_t)scheme) ||
        !tls__sig_pub_ok12(&e->peer_key, (uint16_t)scheme))
        return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    /* The suite's authentication must match the key (RFC 8422 5.1). */
    int rsa_suite =
        e->suite == MOTE_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 ||
        e->suite == MOTE_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 ||
        e->suite == MOTE_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256;
    int rsa_key = e->peer_key.type == MOTE_TLS_KEY_RSA ||
                  e->peer_key.type == MOTE_TLS_KEY_RSA_PSS;
    if (rsa_suite != rsa_key)
        return fail(e, MOTE_TLS_ALERT_UNSUPPORTED_CERTIFICATE);
    /* The signed message is client_random || server_random || params;
     * build it in the free handshake space (nothing is queued now). */
    size_t cap;
    uint8_t *tbs = tls__hs_space(e, &cap);
    if (cap < 64 + parlen)
        return internal(e, MOTE_EINTERNAL);
    memcpy(tbs, e->random, 32);
    memcpy(tbs + 32, e->peer_random, 32);
    memcpy(tbs + 64, body, parlen);
    if (tls__sig_verify_msg(&e->peer_key, (uint16_t)scheme, tbs, 64 + parlen,
                            sig.p, sig.n))
        return fail(e, MOTE_TLS_ALERT_DECRYPT_ERROR);
    e->sigscheme = (uint16_t)scheme;
    e->peer_auth = 1;
    e->group = (uint16_t)group;
    size_t publen, sslen;
    int err =
        tls__kex_keygen(e, e->group, e->cookie, sizeof e->cookie, &publen);
    if (err)
        return internal(e, err);
    e->cookie_len = (uint8_t)publen;
    /* Every point validated; an all-zero X25519 result refused. */
    if (tls__kex_client_finish(e, e->group, pt.p, pt.n, e->secret, &sslen))
        return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    e->cert_ctx_len = (uint8_t)sslen;
    return 0;
}

/* Our schemes for a 1.2 CertificateVerify, in preference order: what we
 * offered in signature_algorithms, those a 1.2 CertificateVerify can use
 * (tls__hs12_cv_scheme_ok). */
static size_t client_cv_sigs(const struct mote_tls_engine *e, uint16_t *out,
                             size_t cap)
{
    static const uint16_t pkcs1[] = {MOTE_TLS_SIG_RSA_PKCS1_SHA256,
                                     MOTE_TLS_SIG_RSA_PKCS1_SHA384,
                                     MOTE_TLS_SIG_RSA_PKCS1_SHA512};
    size_t nsig, n = 0;
    const uint16_t *sigs = tls__list(e, LIST_SIGS, &nsig);
    for (size_t j = 0; j < nsig + 3; j++) {
        uint16_t sc = j < nsig ? sigs[j] : pkcs1[j - nsig];
        if (n < cap && tls__client_sig_offered(e, sc) &&
            tls__hs12_cv_scheme_ok(sc) && !tls__in_list(out, n, sc))
            out[n++] = sc;
    }
    return n;
}

/* CertificateRequest (RFC 5246 7.4.4): keep the schemes that we can sign
 * and whose key type certificate_types allows (rsa_sign 1, ecdsa_sign 64);
 * certificate_authorities is read and ignored (our identities are few). */
static int certificate_request(struct mote_tls_engine *e, const uint8_t *body,
                               size_t len)
{
    struct rd r = rd_make(body, len);
    struct rd types = rd_vec(&r, 1);
    struct rd sigs = rd_vec(&r, 2);
    struct rd cas = rd_vec(&r, 2);
    if (r.bad || r.n || types.bad || sigs.bad || cas.bad || types.n == 0 ||
        sigs.n == 0 || (sigs.n & 1))
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    while (cas.n) {
        struct rd dn = rd_vec(&cas, 2);
        if (cas.bad || dn.bad || dn.n == 0)
            return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    }
    int rsa = 0, ecdsa = 0;
    for (size_t i = 0; i < types.n; i++) {
        rsa |= types.p[i] == 1;
        ecdsa |= types.p[i] == 64;
    }
    uint16_t ours[32];
    size_t n = client_cv_sigs(e, ours, 32);
    e->npeer_sigs = 0;
    while (sigs.n) {
        uint16_t sc = (uint16_t)rd_u16(&sigs);
        int ec = sc == MOTE_TLS_SIG_ECDSA_P256_SHA256 ||
                 sc == MOTE_TLS_SIG_ECDSA_P384_SHA384;
        if ((ec ? ecdsa : rsa) && tls__in_list(ours, n, sc) &&
            e->npeer_sigs < sizeof e->peer_sigs / sizeof e->peer_sigs[0] &&
            !tls__in_list(e->peer_sigs, e->npeer_sigs, sc))
            e->peer_sigs[e->npeer_sigs++] = sc;
    }
    e->flags |= F_CERT_REQ;
    return 0;
}

static int server_hello_done(struct mote_tls_engine *e)
{
    size_t cap;
    int err;
    uint8_t *m;
    const struct mote_tls_identity *id = NULL;
    uint16_t scheme = 0;
    if (e->flags & F_CERT_REQ) {
        /* RFC 5246 7.4.6: our first identity that can sign a scheme the
         * server asked for (our order), else an empty Certificate. */
        uint16_t ours[32];
        size_t n = client_cv_sigs(e, ours, 32);
        for (size_t i = 0; i < e->cfg->nids && !id; i++)
            for (size_t j = 0; j < n && !id; j++)
                if (tls__in_list(e->peer_sigs, e->npeer_sigs, ours[j]) &&
                    tls__sig_key_ok(e->cfg->ids[i].key, ours[j])) {
                    id = &e->cfg->ids[i];
                    scheme = ours[j];
                }
        if ((err = tls__hs12_send_certificate(e, id)))
            return err;
    }
    m = tls__hs_space(e, &cap);
    if (cap < 5u + e->cookie_len)
        return internal(e, MOTE_EINTERNAL);
    m[0] = HT_CLIENT_KEY_EXCHANGE;
    m[1] = 0;
    m[2] = 0;
    m[3] = (uint8_t)(1 + e->cookie_len);
    m[4] = e->cookie_len;
    memcpy(m + 5, e->cookie, e->cookie_len);
    if ((err = tls__hs_emit(e, 5u + e->cookie_len)))
        return err;
    /* RFC 7627 section 4: master secret over the session hash. */
    uint8_t sh[MOTE_HASH_MAX_LEN];
    tls__transcript_hash(e, sh);
    err = tls__prf12(e->hash, e->secret, e->cert_ctx_len,
                     "extended master secret", sh, e->hashlen, NULL, 0,
                     e->master, 48);
    mote_memzero_explicit(e->secret, sizeof e->secret);
    mote_memzero_explicit(e->x25519_priv, sizeof e->x25519_priv);
    mote_memzero_explicit(e->ec_priv, sizeof e->ec_priv);
    e->cert_ctx_len = 0;
    e->cookie_len = 0;
    if (!err)
        err = tls__hs12_key_block(e);
    if (err)
        return internal(e, err);
    if (id) {
        /* RFC 5246 7.4.8: CertificateVerify over the handshake messages
         * so far (through ClientKeyExchange), hashed with the scheme's
         * hash. */
        uint8_t dg[MOTE_HASH_MAX_LEN];
        size_t siglen = 0;
        m = tls__hs_space(e, &cap);
        if (cap < 8 + MOTE_RSA_MAX_LEN)
            return internal(e, MOTE_EINTERNAL);
        err = tls__hs12_cv_digest(e, scheme, dg);
        if (!err)
            err = tls__sig_sign_digest(e, id->key, scheme, dg, m + 8, cap - 8,
                                       &siglen);
        if (err)
            return internal(e, err);
        m[0] = HT_CERTIFICATE_VERIFY;
        m[1] = (uint8_t)((4 + siglen) >> 16);
        m[2] = (uint8_t)((4 + siglen) >> 8);
        m[3] = (uint8_t)(4 + siglen);
        m[4] = (uint8_t)(scheme >> 8);
        m[5] = (uint8_t)scheme;
        m[6] = (uint8_t)(siglen >> 8);
        m[7] = (uint8_t)siglen;
        if ((err = tls__hs_emit(e, 8 + siglen)))
            return err;
        e->client_cert_sent = 1;
    }
    if ((err = tls__hs12_send_ccs_finished(e)))
        return err;
    e->hs = HS_C12_WAIT_CCS;
    return 0;
}

/* RFC 5077 section 3.3: lifetime hint and an opaque ticket. */
static int new_session_ticket(struct mote_tls_engine *e, const uint8_t *body,
                              size_t len)
{
    struct rd r = rd_make(body, len);
    uint32_t lifetime = rd_u32(&r);
    struct rd t = rd_vec(&r, 2);
    if (r.bad || r.n || t.bad)
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    if (t.n == 0 || t.n > MOTE_TLS_TICKET_MAX)
        return 0; /* nothing usable */
    e->sess.suite = e->suite;
    memcpy(e->sess.psk, e->master, 48);
    e->sess.lifetime_s = lifetime ? lifetime : 7200;
    if (e->sess.lifetime_s > 604800)
        e->sess.lifetime_s = 604800;
    e->sess.age_add = 0;
    e->sess.received_ms = e->now_ms;
    e->sess.ticket_len = t.n;
    memcpy(e->sess.ticket, t.p, t.n);
    e->sess.peer_auth = e->peer_auth;
    memcpy(e->sess.peer_cert_sha256, e->peer_cert_sha256, 32);
    return 0;
}

int tls__client12_handle(struct mote_tls_engine *e, unsigned type,
                         const uint8_t *body, size_t len, const uint8_t *msg,
                         size_t msglen)
{
    int err, empty;
    switch (e->hs) {
    case HS_C12_WAIT_CERT:
        if (type != HT_CERTIFICATE)
            break;
        if ((err = tls__certificate_in(e, body, len, &empty)))
            return err;
        if (empty)
            return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
        tls__transcript_add(e, msg, msglen);
        e->hs = HS_C12_WAIT_SKE;
        return 0;
    case HS_C12_WAIT_SKE:
        if (type != HT_SERVER_KEY_EXCHANGE)
            break;
        if ((err = server_key_exchange(e, body, len)))
            return err;
        tls__transcript_add(e, msg, msglen);
        e->hs = HS_C12_WAIT_SHD;
        return 0;
    case HS_C12_WAIT_SHD:
        if (type == HT_CERTIFICATE_REQUEST && !(e->flags & F_CERT_REQ)) {
            if ((err = certificate_request(e, body, len)))
                return err;
            tls__transcript_add(e, msg, msglen);
            return 0;
        }
        if (type != HT_SERVER_HELLO_DONE)
            break;
        if (len)
            return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
        tls__transcript_add(e, msg, msglen);
        return server_hello_done(e);
    case HS_C12_WAIT_CCS:
        if (type != HT_NEW_SESSION_TICKET || !e->ticket_wanted)
            break;
        e->ticket_wanted = 0; /* one only */
        if ((err = new_session_ticket(e, body, len)))
            return err;
        tls__transcript_add(e, msg, msglen);
        return 0;
    case HS_C12_WAIT_FIN: {
        if (type != HT_FINISHED)
            break;
        uint8_t want[12];
        if ((err = tls__hs12_verify_data(e, 1, want)))
            return internal(e, err);
        if (len != 12)
            return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
        if (!mote_crypto_ct_equal(want, body, 12))
            return fail(e, MOTE_TLS_ALERT_DECRYPT_ERROR);
        tls__transcript_add(e, msg, msglen);
        if (e->resumed && (err = tls__hs12_send_ccs_finished(e)))
            return err;
        mote_memzero_explicit(e->c_hs, sizeof e->c_hs);
        mote_memzero_explicit(e->s_hs, sizeof e->s_hs);
        e->flags |= F_HS_DONE;
        e->hs = HS_DONE;
        return 0;
    }
    }
    return fail(e, MOTE_TLS_ALERT_UNEXPECTED_MESSAGE);
}

/* TLS 1.2 server handshake (RFC 5246 section 7.4, ECDHE per RFC 8422, AEAD
 * suites per RFC 5289 and RFC 7905), extended master secret required (RFC
 * 7627), renegotiation refused (RFC 5746), session tickets (RFC 5077).
 *
 * Full:     CH -> SH Certificate ServerKeyExchange [CertificateRequest]
 *                 ServerHelloDone
 *           <- [Certificate] ClientKeyExchange [CertificateVerify] [CCS]
 *              Finished
 *           -> [NewSessionTicket] [CCS] Finished
 * Resumed:  CH(ticket) -> SH [NewSessionTicket] [CCS] Finished
 *           <- [CCS] Finished
 *
 * The key block is kept in c_hs (client write key || iv) and s_hs (server
 * write key || iv) until the ChangeCipherSpec that installs it. */
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

static const uint16_t default_suites12[] = {
    MOTE_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MOTE_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MOTE_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MOTE_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    MOTE_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MOTE_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
};

/* 1.2 signature schemes we sign with: the configured list as given, or
 * the default list followed by PKCS#1 v1.5 (allowed in 1.2 only). */
static const uint16_t pkcs1_sigs[] = {
    MOTE_TLS_SIG_RSA_PKCS1_SHA256,
    MOTE_TLS_SIG_RSA_PKCS1_SHA384,
    MOTE_TLS_SIG_RSA_PKCS1_SHA512,
};

static int suite_is_rsa(uint16_t s)
{
    return s == MOTE_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 ||
           s == MOTE_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 ||
           s == MOTE_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256;
}

/* RFC 8422 section 5.1: ECDSA suites carry ECDSA and EdDSA certificates. */
static int key_fits_suite(const struct mote_tls_privkey *k, uint16_t s)
{
    if (suite_is_rsa(s))
        return k->type == MOTE_TLS_KEY_RSA || k->type == MOTE_TLS_KEY_RSA_PSS;
    return k->type == MOTE_TLS_KEY_EC || k->type == MOTE_TLS_KEY_ED25519;
}

static size_t key_len(uint16_t suite)
{
    return tls__suite_is_chacha(suite) ||
                   tls__suite_hash(suite) == MOTE_HASH_SHA384
               ? 32
               : 16;
}

static size_t iv_len(uint16_t suite)
{
    return tls__suite_is_chacha(suite) ? 12 : 4;
}

/* RFC 8422 section 5.1: in 1.2 an ECDSA certificate's curve must be one
 * the client lists in supported_groups. */
static int curve_ok(const struct hello *h, const struct mote_tls_privkey *k)
{
    if (k->type != MOTE_TLS_KEY_EC)
        return 1;
    unsigned g =
        k->ec.curve == MOTE_EC_P384 ? MOTE_TLS_GROUP_P384 : MOTE_TLS_GROUP_P256;
    for (struct rd c = h->groups; c.n;)
        if (rd_u16(&c) == g)
            return 1;
    return 0;
}

/* Our suites in order, the configured list's 1.2 entries or the default. */
const uint16_t *tls__suites12(const struct mote_tls_engine *e, size_t *n)
{
    const struct mote_tls_config *c = e->cfg;
    for (size_t i = 0; i < c->nsuites; i++)
        if (tls__suite_is12(c->suites[i])) {
            *n = c->nsuites;
            return c->suites;
        }
    *n = sizeof default_suites12 / 2;
    return default_suites12;
}

/* Pick suite, identity and signature scheme together: our suite order; for
 * each, a certificate named for the SNI host first, then the defaults; the
 * scheme from our list that the client offered and the key can make. */
static int choose(struct mote_tls_engine *e, const struct hello *h)
{
    size_t ns, nsig;
    const uint16_t *ours = tls__suites12(e, &ns);
    const uint16_t *sigs = tls__list(e, LIST_SIGS, &nsig);
    size_t npkcs1 = e->cfg->nsigschemes ? 0 : 3;
    uint16_t theirs[64];
    size_t nt = 0;
    struct rd sg = h->sigs;
    if (sg.n & 1)
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    while (sg.n) {
        unsigned v = rd_u16(&sg);
        if (nt < 64)
            theirs[nt++] = (uint16_t)v;
    }
    for (size_t i = 0; i < ns; i++) {
        uint16_t s = ours[i];
        int offered = 0;
        for (struct rd c = h->suites; c.n;)
            offered |= rd_u16(&c) == s;
        if (!offered || !tls__suite_is12(s))
            continue;
        for (int pass = 0; pass < 2; pass++)
            for (size_t k = 0; k < e->cfg->nids; k++) {
                const struct mote_tls_identity *id = &e->cfg->ids[k];
                if (pass == 0 && !(id->name && e->host[0] &&
                                   tls__name_matches(id->name, e->host)))
                    continue;
                if (pass == 1 && id->name)
                    continue;
                if (!key_fits_suite(id->key, s) || !curve_ok(h, id->key))
                    continue;
                for (size_t j = 0; j < nsig + npkcs1; j++) {
                    uint16_t sc = j < nsig ? sigs[j] : pkcs1_sigs[j - nsig];
                    if (tls__in_list(theirs, nt, sc) &&
                        tls__sig_key_ok(id->key, sc)) {
                        e->id = id;
                        e->sigscheme = sc;
                        tls__set_suite(e, s);
                        return 0;
                    }
                }
            }
    }
    return tls__fail(e, MOTE_ENOTSUP, MOTE_TLS_ALERT_HANDSHAKE_FAILURE);
}

/* Our preference among the client's supported_groups (ECDHE groups only:
 * the hybrid is TLS 1.3 only). */
static int choose_group(struct mote_tls_engine *e, const struct hello *h)
{
    size_t ng;
    const uint16_t *groups = tls__list(e, LIST_GROUPS, &ng);
    if (!h->groups.p || (h->groups.n & 1))
        return fail(e, h->groups.p ? MOTE_TLS_ALERT_DECODE_ERROR
                                   : MOTE_TLS_ALERT_HANDSHAKE_FAILURE);
    for (size_t i = 0; i < ng; i++) {
        if (groups[i] == MOTE_TLS_GROUP_X25519MLKEM768 ||
            !tls__group_known(groups[i]))
            continue;
        for (struct rd g = h->groups; g.n;)
            if (rd_u16(&g) == groups[i]) {
                e->group = groups[i];
                return 0;
            }
    }
    return tls__fail(e, MOTE_ENOTSUP, MOTE_TLS_ALERT_HANDSHAKE_FAILURE);
}

static void patch_len(struct wr *w)
{
    size_t n = wr_len(w) - 4;
    w->start[1] = (uint8_t)(n >> 16);
    w->start[2] = (uint8_t)(n >> 8);
    w->start[3] = (uint8_t)n;
}

/* The key block (RFC 5246 section 6.3; AEAD: no MAC keys). */
int tls__hs12_key_block(struct mote_tls_engine *e)
{
    uint8_t kb[2 * 32 + 2 * 12];
    size_t kl = key_len(e->suite), il = iv_len(e->suite);
    const uint8_t *cr = e->role == MOTE_TLS_SERVER ? e->peer_random : e->random;
    const uint8_t *sr = e->role == MOTE_TLS_SERVER ? e->random : e->peer_random;
    int err = tls__prf12(e->hash, e->master, 48, "key expansion", sr, 32, cr,
                         32, kb, 2 * (kl + il));
    if (!err) {
        memcpy(e->c_hs, kb, kl);
        memcpy(e->s_hs, kb + kl, kl);
        memcpy(e->c_hs + kl, kb + 2 * kl, il);
        memcpy(e->s_hs + kl, kb + 2 * kl + il, il);
    }
    mote_memzero_explicit(kb, sizeof kb);
    return err;
}

static int install(struct mote_tls_engine *e, struct mote_tls_aead *a,
                   const uint8_t *kiv)
{
    size_t kl = key_len(e->suite);
    return tls__aead_set12(a, e->suite, kiv, kl, kiv + kl);
}

/* Finished (RFC 5246 section 7.4.9): 12 bytes of PRF over the transcript. */
int tls__hs12_verify_data(struct mote_tls_engine *e, int server,
                          uint8_t out[12])
{
    uint8_t th[MOTE_HASH_MAX_LEN];
    tls__transcript_hash(e, th);
    return tls__prf12(e->hash, e->master, 48,
                      server ? "server finished" : "client finished", th,
                      e->hashlen, NULL, 0, out, 12);
}

int tls__hs12_send_ccs_finished(struct mote_tls_engine *e)
{
    if (e->out_len + 6 > MOTE_TLS_OUT_BUF)
        return internal(e, MOTE_EINTERNAL);
    static const uint8_t ccs[6] = {CT_CCS, 3, 3, 0, 1, 1};
    memcpy(e->obuf + e->out_len, ccs, 6);
    e->out_len += 6;
    int err =
        install(e, &e->wr, e->role == MOTE_TLS_SERVER ? e->s_hs : e->c_hs);
    if (err)
        return internal(e, err);
    size_t cap;
    uint8_t *m = tls__hs_space(e, &cap);
    if (cap < 16)
        return internal(e, MOTE_EINTERNAL);
    m[0] = HT_FINISHED;
    m[1] = 0;
    m[2] = 0;
    m[3] = 12;
    if ((err = tls__hs12_verify_data(e, e->role == MOTE_TLS_SERVER, m + 4)))
        return internal(e, err);
    return tls__hs_emit(e, 16);
}

int tls__hs12_send_certificate(struct mote_tls_engine *e,
                               const struct mote_tls_identity *id)
{
    size_t cap;
    uint8_t *m = tls__hs_space(e, &cap);
    struct wr w = wr_make(m, cap);
    wr_u8(&w, HT_CERTIFICATE);
    uint8_t *ml = wr_open(&w, 3);
    uint8_t *l = wr_open(&w, 3);
    for (size_t i = 0; id && i < id->ncerts; i++) {
        uint8_t *c = wr_open(&w, 3);
        wr_bytes(&w, id->certs[i], id->cert_lens[i]);
        wr_close(&w, c, 3);
    }
    wr_close(&w, l, 3);
    wr_close(&w, ml, 3);
    if (w.bad)
        return internal(e, MOTE_EINTERNAL);
    return tls__hs_emit(e, wr_len(&w));
}

/* ServerKeyExchange (RFC 8422 section 5.4): named curve, our point, and a
 * signature over client_random || server_random || params. */
static int send_ske(struct mote_tls_engine *e)
{
    size_t cap, plen;
    uint8_t *m = tls__hs_space(e, &cap);
    if (cap < 4 + 4 + 2 + 256 + 4 + MOTE_RSA_MAX_LEN + 64)
        return internal(e, MOTE_EINTERNAL);
    uint8_t *params = m + 4;
    params[0] = 3; /* named_curve */
    params[1] = (uint8_t)(e->group >> 8);
    params[2] = (uint8_t)e->group;
    int err = tls__kex_keygen(e, e->group, params + 4, 255, &plen);
    if (err)
        return internal(e, err);
    params[3] = (uint8_t)plen;
    size_t parlen = 4 + plen;
    /* The signed message: randoms then params (moved behind). */
    uint8_t *sig = params + parlen + 4;
    uint8_t *tbs = sig + MOTE_RSA_MAX_LEN + 160;
    if ((size_t)(tbs + 64 + parlen - m) > cap)
        return internal(e, MOTE_EINTERNAL);
    memcpy(tbs, e->peer_random, 32);
    memcpy(tbs + 32, e->random, 32);
    memcpy(tbs + 64, params, parlen);
    size_t siglen;
    err = tls__sig_sign_msg(e, e->id->key, e->sigscheme, tbs, 64 + parlen, sig,
                            MOTE_RSA_MAX_LEN + 150, &siglen);
    mote_memzero_explicit(tbs, 64 + parlen);
    if (err)
        return internal(e, err);
    params[parlen] = (uint8_t)(e->sigscheme >> 8);
    params[parlen + 1] = (uint8_t)e->sigscheme;
    params[parlen + 2] = (uint8_t)(siglen >> 8);
    params[parlen + 3] = (uint8_t)siglen;
    size_t body = parlen + 4 + siglen;
    m[0] = HT_SERVER_KEY_EXCHANGE;
    m[1] = (uint8_t)(body >> 16);
    m[2] = (uint8_t)(body >> 8);
    m[3] = (uint8_t)body;
    return tls__hs_emit(e, 4 + body);
}

int tls__hs12_cv_scheme_ok(uint16_t scheme)
{
    /* Ed25519 signs the messages themselves and SHA-512 schemes need a
     * third running hash: neither is offered nor accepted for a 1.2
     * CertificateVerify (NEEDSWORK if a peer ever needs them). */
    enum mote_hash_alg h = tls__sig_hash(scheme);
    return h == MOTE_HASH_SHA256 || h == MOTE_HASH_SHA384;
}

/* Our 1.2 schemes, as for the ServerKeyExchange choice (the configured
 * list, or the default one and PKCS#1 v1.5), those a CertificateVerify
 * can use. */
size_t tls__hs12_sigs(const struct mote_tls_engine *e, uint16_t *out,
                      size_t cap)
{
    size_t nsig, n = 0, npkcs1 = e->cfg->nsigschemes ? 0 : 3;
    const uint16_t *sigs = tls__list(e, LIST_SIGS, &nsig);
    for (size_t j = 0; j < nsig + npkcs1; j++) {
        uint16_t sc = j < nsig ? sigs[j] : pkcs1_sigs[j - nsig];
        if (n < cap && tls__hs12_cv_scheme_ok(sc) && !tls__in_list(out, n, sc))
            out[n++] = sc;
    }
    return n;
}

int tls__hs12_cv_digest(const struct mote_tls_engine *e, uint16_t scheme,
                        uint8_t *out)
{
    /* RFC 5246 7.4.8: the signature covers handshake_messages, i.e. the
     * hash of the transcript so far under the scheme's hash; both
     * transcript hashes run for the whole handshake. */
    enum mote_hash_alg h = tls__sig_hash(scheme);
    if (h != MOTE_HASH_SHA256 && h != MOTE_HASH_SHA384)
        return MOTE_EINTERNAL;
    struct mote_hash_ctx c = h == MOTE_HASH_SHA384 ? e->th384 : e->th256;
    mote_hash_final(&c, out);
    return 0;
}

/* CertificateRequest (RFC 5246 7.4.4): certificate_types rsa_sign and
 * ecdsa_sign (which also names EdDSA keys, RFC 8422 5.5, though no 1.2
 * scheme here lets them sign), our schemes, no certificate_authorities. */
static int send_certificate_request(struct mote_tls_engine *e)
{
    uint16_t sigs[32];
    size_t n = tls__hs12_sigs(e, sigs, 32), cap;
    uint8_t *m = tls__hs_space(e, &cap);
    struct wr w = wr_make(m, cap);
    wr_u8(&w, HT_CERTIFICATE_REQUEST);
    uint8_t *ml = wr_open(&w, 3);
    wr_u8(&w, 2);
    wr_u8(&w, 1);  /* rsa_sign */
    wr_u8(&w, 64); /* ecdsa_sign */
    wr_u16(&w, (unsigned)(2 * n));
    for (size_t i = 0; i < n; i++)
        wr_u16(&w, sigs[i]);
    wr_u16(&w, 0); /* certificate_authorities: empty */
    wr_close(&w, ml, 3);
    if (w.bad || !n)
        return internal(e, MOTE_EINTERNAL);
    return tls__hs_emit(e, wr_len(&w));
}

int tls__server12_hello(struct mote_tls_engine *e, const struct hello *h,
                        const uint8_t *msg, size_t msglen)
{
    int err;
    e->version = TLS_VERSION_12;
    /* RFC 5246 section 7.4.1.2: null compression must be offered. */
    int null = 0;
    for (size_t i = 0; i < h->comp.n; i++)
        null |= h->comp.p[i] == 0;
    if (!null)
        return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    if (h->ems_bad)
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    if (h->reneg_bad) /* RFC 5746 section 3.6 */
        return tls__fail(e, MOTE_EPROTO, MOTE_TLS_ALERT_HANDSHAKE_FAILURE);
    /* RFC 7627 section 5.3: we require the extended master secret. */
    if (!h->ems)
        return tls__fail(e, MOTE_ENOTSUP, MOTE_TLS_ALERT_HANDSHAKE_FAILURE);
    /* RFC 5746 section 3.6: renegotiation_info or the SCSV. */
    int secure = h->reneg;
    for (struct rd c = h->suites; c.n;)
        secure |= rd_u16(&c) == 0x00ff;
    if (!h->sigs.p)
        return tls__fail(e, MOTE_ENOTSUP, MOTE_TLS_ALERT_HANDSHAKE_FAILURE);
    memcpy(e->peer_random, h->random, 32);
    if ((err = tls__sni_in(e, h)) || (err = tls__alpn_in(e, h)))
        return err;
    e->ticket_wanted = h->have_ticket && e->cfg->ticket_key;
    /* RFC 5077 section 3.4: resume from a ticket of ours whose suite the
     * client offers again (EMS: checked above for the new hello, and by
     * the ticket for the old session). Anything else: a full handshake. */
    uint16_t ts = 0;
    int renew = 1;
    if (e->ticket_wanted && h->ticket.n &&
        !tls__ticket12_open(e, h->ticket.p, h->ticket.n, &ts, &renew)) {
        size_t ns;
        const uint16_t *ours = tls__suites12(e, &ns);
        int offered = 0;
        for (struct rd c = h->suites; c.n;)
            offered |= rd_u16(&c) == ts;
        e->resumed = offered && tls__in_list(ours, ns, ts);
    }
    /* The ticket's client identity stands only if we resume from it. */
    if (!e->resumed) {
        e->peer_auth = 0;
        memset(e->peer_cert_sha256, 0, 32);
    }
    /* RFC 5077 3.3 leaves renewal to us: a resumed session gets a fresh
     * ticket only once its own is past half its lifetime (no empty
     * session_ticket in the ServerHello, no NewSessionTicket before). */
    if (e->resumed && !renew)
        e->ticket_wanted = 0;
    if (e->resumed)
        tls__set_suite(e, ts);
    else if ((err = choose_group(e, h)) || (err = choose(e, h)))
        return err;
    /* A CertificateRequest needs a scheme a 1.2 CertificateVerify can use
     * (our list may hold only Ed25519 or SHA-512 ones): without one an
     * optional request is not made and a required one cannot be met. */
    uint16_t cvs[32];
    int request =
        e->cfg->client_auth && !e->resumed && tls__hs12_sigs(e, cvs, 32) > 0;
    if (e->cfg->client_auth >= 2 && !e->resumed && !request)
        return tls__fail(e, MOTE_ENOTSUP, MOTE_TLS_ALERT_HANDSHAKE_FAILURE);

    tls__transcript_add(e, msg, msglen);
    if ((err = tls__random(e, e->random, 32)))
        return internal(e, err);
    /* RFC 8446 section 4.1.3: a 1.3-capable server negotiating 1.2 says
     * so in the last 8 bytes of its random. */
    uint16_t vmax;
    tls__version_range(e, &vmax);
    if (vmax >= TLS_VERSION_13)
        memcpy(e->random + 24, "DOWNGRD\x01", 8);

    size_t cap;
    uint8_t *m = tls__hs_space(e, &cap);
    struct wr w = wr_make(m, cap);
    wr_u8(&w, HT_SERVER_HELLO);
    wr_u24(&w, 0);
    wr_u16(&w, TLS_VERSION_12);
    wr_bytes(&w, e->random, 32);
    /* No session id on a full handshake (we keep no session cache); the
     * client's echoed when resuming from its ticket (RFC 5077 3.4). */
    size_t sl = e->resumed ? h->sid.n : 0;
    wr_u8(&w, (unsigned)sl);
    wr_bytes(&w, h->sid.p, sl);
    wr_u16(&w, e->suite);
    wr_u8(&w, 0);
    uint8_t *x = wr_open(&w, 2);
    if (secure) {
        wr_u16(&w, EXT_RENEGOTIATION_INFO);
        wr_u16(&w, 1);
        wr_u8(&w, 0);
    }
    wr_u16(&w, EXT_EXTENDED_MASTER_SECRET);
    wr_u16(&w, 0);
    if (e->ticket_wanted) {
        wr_u16(&w, EXT_SESSION_TICKET);
        wr_u16(&w, 0);
    }
    if ((e->flags & F_SNI_ACK) && !e->resumed) {
        wr_u16(&w, EXT_SERVER_NAME);
        wr_u16(&w, 0);
    }
    if (e->alpn[0]) {
        size_t l = strlen(e->alpn);
        wr_u16(&w, EXT_ALPN);
        wr_u16(&w, (unsigned)(l + 3));
        wr_u16(&w, (unsigned)(l + 1));
        wr_u8(&w, (unsigned)l);
        wr_bytes(&w, e->alpn, l);
    }
    wr_u16(&w, EXT_EC_POINT_FORMATS);
    wr_u16(&w, 2);
    wr_u8(&w, 1);
    wr_u8(&w, 0); /* uncompressed */
    wr_close(&w, x, 2);
    if (w.bad)
        return internal(e, MOTE_EINTERNAL);
    patch_len(&w);
    if ((err = tls__hs_emit(e, wr_len(&w))))
        return err;
    if (e->resumed) {
        /* Abbreviated: [NewSessionTicket] ChangeCipherSpec Finished. */
        if ((err = tls__hs12_key_block(e)))
            return internal(e, err);
        if (e->ticket_wanted && (err = tls__send_ticket12(e)))
            return err;
        if ((err = tls__hs12_send_ccs_finished(e)))
            return err;
        e->hs = HS_S12_WAIT_CCS;
        return 0;
    }
    if ((err = tls__hs12_send_certificate(e, e->id)) || (err = send_ske(e)))
        return err;
    if (request && (err = send_certificate_request(e)))
        return err;
    m = tls__hs_space(e, &cap);
    if (cap < 4)
        return internal(e, MOTE_EINTERNAL);
    m[0] = HT_SERVER_HELLO_DONE;
    m[1] = m[2] = m[3] = 0;
    if ((err = tls__hs_emit(e, 4)))
        return err;
    e->hs = request ? HS_S12_WAIT_CERT : HS_S12_WAIT_CKE;
    return 0;
}

static int client_key_exchange(struct mote_tls_engine *e, const uint8_t *body,
                               size_t len, const uint8_t *msg, size_t msglen)
{
    struct rd r = rd_make(body, len);
    struct rd pt = rd_vec(&r, 1);
    if (r.bad || r.n || pt.bad || pt.n == 0)
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    uint8_t pms[64];
    size_t pmslen = 0;
    /* Every point validated; an all-zero X25519 result refused. */
    int err = tls__kex_client_finish(e, e->group, pt.p, pt.n, pms, &pmslen);
    if (err) {
        mote_memzero_explicit(pms, sizeof pms);
        return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    }
    tls__transcript_add(e, msg, msglen);
    /* RFC 7627 section 4: master secret over the session hash. */
    uint8_t sh[MOTE_HASH_MAX_LEN];
    tls__transcript_hash(e, sh);
    err = tls__prf12(e->hash, pms, pmslen, "extended master secret", sh,
                     e->hashlen, NULL, 0, e->master, 48);
    mote_memzero_explicit(pms, sizeof pms);
    mote_memzero_explicit(e->x25519_priv, sizeof e->x25519_priv);
    mote_memzero_explicit(e->ec_priv, sizeof e->ec_priv);
    if (!err)
        err = tls__hs12_key_block(e);
    if (err)
        return internal(e, err);
    /* A client certificate's CertificateVerify comes before its CCS. */
    e->hs = e->peer_key.type ? HS_S12_WAIT_CV : HS_S12_WAIT_CCS;
    return 0;
}

/* The client's CertificateVerify (RFC 5246 7.4.8): a scheme from our
 * CertificateRequest that fits the certificate's key, over the transcript
 * through ClientKeyExchange. */
static int certificate_verify(struct mote_tls_engine *e, const uint8_t *body,
                              size_t len, const uint8_t *msg, size_t msglen)
{
    struct rd r = rd_make(body, len);
    unsigned scheme = rd_u16(&r);
    struct rd sig = rd_vec(&r, 2);
    uint16_t ours[32];
    size_t n = tls__hs12_sigs(e, ours, 32);
    uint8_t dg[MOTE_HASH_MAX_LEN];
    if (r.bad || r.n || sig.bad)
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    if (!tls__in_list(ours, n, (uint16_t)scheme) ||
        !tls__sig_pub_ok12(&e->peer_key, (uint16_t)scheme))
        return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    int err = tls__hs12_cv_digest(e, (uint16_t)scheme, dg);
    if (err)
        return internal(e, err);
    if (tls__sig_verify_digest(&e->peer_key, (uint16_t)scheme, dg, sig.p,
                               sig.n))
        return fail(e, MOTE_TLS_ALERT_DECRYPT_ERROR);
    tls__transcript_add(e, msg, msglen);
    e->client_cert_sent = 1;
    e->peer_auth = 1;
    e->hs = HS_S12_WAIT_CCS;
    return 0;
}

int tls__hs12_ccs(struct mote_tls_engine *e)
{
    if (e->hs != HS_S12_WAIT_CCS && e->hs != HS_C12_WAIT_CCS)
        return fail(e, MOTE_TLS_ALERT_UNEXPECTED_MESSAGE);
    int err =
        install(e, &e->rd, e->role == MOTE_TLS_SERVER ? e->c_hs : e->s_hs);
    if (err)
        return internal(e, err);
    e->rd_epoch++;
    e->hs = e->role == MOTE_TLS_SERVER ? HS_S12_WAIT_FIN : HS_C12_WAIT_FIN;
    return 0;
}

static int finished(struct mote_tls_engine *e, const uint8_t *body, size_t len,
                    const uint8_t *msg, size_t msglen)
{
    uint8_t want[12];
    int err = tls__hs12_verify_data(e, e->role != MOTE_TLS_SERVER, want);
    if (err)
        return internal(e, err);
    if (len != 12)
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    if (!mote_crypto_ct_equal(want, body, 12))
        return fail(e, MOTE_TLS_ALERT_DECRYPT_ERROR);
    tls__transcript_add(e, msg, msglen);
    if (!e->resumed) {
        if (e->ticket_wanted && (err = tls__send_ticket12(e)))
            return err;
        if ((err = tls__hs12_send_ccs_finished(e)))
            return err;
    }
    mote_memzero_explicit(e->c_hs, sizeof e->c_hs);
    mote_memzero_explicit(e->s_hs, sizeof e->s_hs);
    e->flags |= F_HS_DONE;
    e->hs = HS_DONE;
    return 0;
}

int tls__server12_handle(struct mote_tls_engine *e, unsigned type,
                         const uint8_t *body, size_t len, const uint8_t *msg,
                         size_t msglen)
{
    int err, empty;
    switch (e->hs) {
    case HS_S12_WAIT_CERT:
        /* RFC 5246 7.4.6: the client's Certificate, possibly empty. */
        if (type != HT_CERTIFICATE)
            break;
        memset(&e->peer_key, 0, sizeof e->peer_key);
        if ((err = tls__certificate_in(e, body, len, &empty)))
            return err;
        tls__transcript_add(e, msg, msglen);
        /* 1.2 has no certificate_required (a TLS 1.3 alert): 7.4.6 says
         * a server that requires one MAY answer handshake_failure. */
        if (empty && e->cfg->client_auth >= 2)
            return fail(e, MOTE_TLS_ALERT_HANDSHAKE_FAILURE);
        e->hs = HS_S12_WAIT_CKE;
        return 0;
    case HS_S12_WAIT_CV:
        if (type == HT_CERTIFICATE_VERIFY)
            return certificate_verify(e, body, len, msg, msglen);
        break;
    case HS_S12_WAIT_CKE:
        if (type == HT_CLIENT_KEY_EXCHANGE)
            return client_key_exchange(e, body, len, msg, msglen);
        break;
    case HS_S12_WAIT_FIN:
        if (type == HT_FINISHED)
            return finished(e, body, len, msg, msglen);
        break;
    }
    return fail(e, MOTE_TLS_ALERT_UNEXPECTED_MESSAGE);
}

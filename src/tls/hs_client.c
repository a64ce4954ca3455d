/* TLS 1.3 client handshake (RFC 8446 sections 4.1-4.4, client side). */
#include <mote/ipaddr.h>

#include "tls_int.h"

/* Section 4.1.3: the random of a HelloRetryRequest (SHA-256 of
 * "HelloRetryRequest"), and the downgrade sentinels. */
const uint8_t tls__hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
    0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
    0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
static const uint8_t downgrade12[8] = {0x44, 0x4f, 0x57, 0x4e,
                                       0x47, 0x52, 0x44, 0x01};
static const uint8_t downgrade11[8] = {0x44, 0x4f, 0x57, 0x4e,
                                       0x47, 0x52, 0x44, 0x00};

static int fail(struct mote_tls_engine *e, int alert)
{
    int err = MOTE_EPROTO;
    if (alert == MOTE_TLS_ALERT_DECRYPT_ERROR)
        err = MOTE_EAUTH;
    return tls__fail(e, err, alert);
}

/* The session can be offered if its suite's hash is one we offer. */
static int session_usable(struct mote_tls_engine *e)
{
    size_t ns;
    const uint16_t *s = tls__list(e, LIST_SUITES, &ns);
    if (!e->sess.suite || !e->sess.ticket_len || tls__suite_is12(e->sess.suite))
        return 0;
    if (e->now_ms < e->sess.received_ms ||
        e->now_ms - e->sess.received_ms > (uint64_t)e->sess.lifetime_s * 1000)
        return 0;
    for (size_t i = 0; i < ns; i++)
        if (tls__suite_known(s[i]) &&
            tls__suite_hash(s[i]) == tls__suite_hash(e->sess.suite))
            return 1;
    return 0;
}

/* RFC 6066 section 3: "Literal IPv4 and IPv6 addresses are not permitted
 * in HostName". A host with ':' or '[' cannot be a DNS name, so it is
 * taken as an IPv6 literal whatever its exact form; IPv4 is a dotted quad.
 * The host still goes to the verify callback, which checks it against the
 * certificate's iPAddress names. */
static int host_is_ip(const char *h)
{
    struct mote_ipaddr a;
    if (strchr(h, ':') || strchr(h, '['))
        return 1;
    return mote_ipaddr_parse_v4(h, strlen(h), &a) == 0;
}

int tls__client_sni_sent(const struct mote_tls_engine *e)
{
    return e->host[0] && !host_is_ip(e->host);
}

/* Did our ClientHello offer scheme? The configured list exactly; the
 * default list plus the three PKCS#1 v1.5 schemes when 1.2 is offered
 * (a configured list is never widened: a caller who lists only
 * rsa_pkcs1_sha384 gets only that). */
int tls__client_sig_offered(const struct mote_tls_engine *e, uint16_t scheme)
{
    size_t nsig;
    const uint16_t *sigs = tls__list(e, LIST_SIGS, &nsig);
    if (tls__in_list(sigs, nsig, scheme))
        return 1;
    return !e->cfg->nsigschemes &&
           tls__version_range(e, NULL) <= TLS_VERSION_12 &&
           (scheme == MOTE_TLS_SIG_RSA_PKCS1_SHA256 ||
            scheme == MOTE_TLS_SIG_RSA_PKCS1_SHA384 ||
            scheme == MOTE_TLS_SIG_RSA_PKCS1_SHA512);
}

/* Build and emit a ClientHello; a second one (after HRR) carries only a
 * share for hrr_group and the server's cookie. */
static int send_client_hello(struct mote_tls_engine *e)
{
    size_t cap, ns, ng, nsig;
    const uint16_t *suites = tls__list(e, LIST_SUITES, &ns);
    const uint16_t *groups = tls__list(e, LIST_GROUPS, &ng);
    const uint16_t *sigs = tls__list(e, LIST_SIGS, &nsig);
    uint8_t *m = tls__hs_space(e, &cap);
    struct wr w = wr_make(m, cap);
    int err;
    uint16_t vmax, vmin = tls__version_range(e, &vmax);
    int v12 = vmin <= TLS_VERSION_12, v13 = vmax >= TLS_VERSION_13;
    size_t ns12 = 0;
    const uint16_t *suites12 = v12 ? tls__suites12(e, &ns12) : NULL;

    wr_u8(&w, HT_CLIENT_HELLO);
    uint8_t *mlen = wr_open(&w, 3);
    wr_u16(&w, TLS_VERSION_12);
    wr_bytes(&w, e->random, 32);
    wr_u8(&w, e->sid_len);
    wr_bytes(&w, e->session_id, e->sid_len);
    uint8_t *v = wr_open(&w, 2);
    for (size_t i = 0; i < ns && v13; i++)
        if (tls__suite_known(suites[i]))
            wr_u16(&w, suites[i]);
    for (size_t i = 0; i < ns12; i++)
        if (tls__suite_is12(suites12[i]))
            wr_u16(&w, suites12[i]);
    wr_close(&w, v, 2);
    wr_u8(&w, 1); /* legacy_compression_methods: null only */
    wr_u8(&w, 0);

    uint8_t *exts = wr_open(&w, 2);
    if (tls__client_sni_sent(e)) {
        size_t hl = strlen(e->host);
        wr_u16(&w, EXT_SERVER_NAME);
        uint8_t *x = wr_open(&w, 2);
        uint8_t *l = wr_open(&w, 2);
        wr_u8(&w, 0); /* host_name */
        wr_u16(&w, (unsigned)hl);
        wr_bytes(&w, e->host, hl);
        wr_close(&w, l, 2);
        wr_close(&w, x, 2);
    }
    wr_u16(&w, EXT_SUPPORTED_VERSIONS);
    wr_u16(&w, 1u + 2u * (unsigned)(v12 + v13));
    wr_u8(&w, 2u * (unsigned)(v12 + v13));
    if (v13)
        wr_u16(&w, TLS_VERSION_13);
    if (v12) {
        wr_u16(&w, TLS_VERSION_12);
        /* RFC 7627, RFC 5746 (an empty renegotiated_connection), RFC
         * 8422 (uncompressed points), RFC 5077 (our 1.2 ticket, if any). */
        wr_u16(&w, EXT_EXTENDED_MASTER_SECRET);
        wr_u16(&w, 0);
        wr_u16(&w, EXT_RENEGOTIATION_INFO);
        wr_u16(&w, 1);
        wr_u8(&w, 0);
        wr_u16(&w, EXT_EC_POINT_FORMATS);
        wr_u16(&w, 2);
        wr_u8(&w, 1);
        wr_u8(&w, 0);
        int t12 = tls__suite_is12(e->sess.suite) && e->sess.ticket_len &&
                  e->now_ms >= e->sess.received_ms &&
                  e->now_ms - e->sess.received_ms <=
                      (uint64_t)e->sess.lifetime_s * 1000;
        wr_u16(&w, EXT_SESSION_TICKET);
        wr_u16(&w, t12 ? (unsigned)e->sess.ticket_len : 0u);
        if (t12)
            wr_bytes(&w, e->sess.ticket, e->sess.ticket_len);
    }

    wr_u16(&w, EXT_SUPPORTED_GROUPS);
    uint8_t *x = wr_open(&w, 2);
    v = wr_open(&w, 2);
    for (size_t i = 0; i < ng; i++)
        if (tls__group_known(groups[i]))
            wr_u16(&w, groups[i]);
    wr_close(&w, v, 2);
    wr_close(&w, x, 2);

    wr_u16(&w, EXT_SIGNATURE_ALGORITHMS);
    x = wr_open(&w, 2);
    v = wr_open(&w, 2);
    for (size_t i = 0; i < nsig; i++)
        wr_u16(&w, sigs[i]);
    for (unsigned i = 4; v12 && !e->cfg->nsigschemes && i <= 6; i++)
        wr_u16(&w, i << 8 | 1); /* PKCS#1 v1.5: 1.2 only */
    wr_close(&w, v, 2);
    wr_close(&w, x, 2);

    /* key_share (1.3 only: a 1.2-only client makes no key before the
     * ServerKeyExchange, and none at all when it resumes): our first
     * group; when that is the hybrid, an X25519 share too, so a server
     * without ML-KEM needs no HelloRetryRequest. */
    if (v13) {
        wr_u16(&w, EXT_KEY_SHARE);
        x = wr_open(&w, 2);
        v = wr_open(&w, 2);
        uint16_t want[2] = {0, 0};
        if (e->hrr_group) {
            want[0] = e->hrr_group;
        } else {
            for (size_t i = 0; i < ng && !want[0]; i++)
                if (tls__group_known(groups[i]))
                    want[0] = groups[i];
            if (want[0] == MOTE_TLS_GROUP_X25519MLKEM768 &&
                tls__in_list(groups, ng, MOTE_TLS_GROUP_X25519))
                want[1] = MOTE_TLS_GROUP_X25519;
        }
        if (!want[0])
            return tls__fail(e, MOTE_EINVAL, -1);
        for (int i = 0; i < 2 && want[i]; i++) {
            wr_u16(&w, want[i]);
            uint8_t *k = wr_open(&w, 2);
            size_t klen = 0;
            if (w.bad)
                break;
            /* The hybrid's X25519 half and a plain X25519 share use the same
             * scalar: generate the hybrid first, then reuse its X25519 key. */
            if (i == 1 && want[0] == MOTE_TLS_GROUP_X25519MLKEM768) {
                uint8_t pub[32];
                mote_x25519_public(pub, e->x25519_priv);
                wr_bytes(&w, pub, 32);
            } else {
                err = tls__kex_keygen(e, want[i], w.p, (size_t)(w.end - w.p),
                                      &klen);
                if (err)
                    return tls__fail(e, err, -1);
                w.p += klen;
            }
            wr_close(&w, k, 2);
        }
        e->sent_groups[0] = want[0];
        e->sent_groups[1] = want[1];
        wr_close(&w, v, 2);
        wr_close(&w, x, 2);
    }

    if (e->cfg->nalpn) {
        wr_u16(&w, EXT_ALPN);
        x = wr_open(&w, 2);
        v = wr_open(&w, 2);
        for (size_t i = 0; i < e->cfg->nalpn; i++) {
            size_t l = strlen(e->cfg->alpn[i]);
            wr_u8(&w, (unsigned)l);
            wr_bytes(&w, e->cfg->alpn[i], l);
        }
        wr_close(&w, v, 2);
        wr_close(&w, x, 2);
    }
    if (e->cfg->record_size_limit) {
        wr_u16(&w, EXT_RECORD_SIZE_LIMIT);
        wr_u16(&w, 2);
        wr_u16(&w, e->cfg->record_size_limit);
    }
    if (e->cookie_len) {
        wr_u16(&w, EXT_COOKIE);
        wr_u16(&w, e->cookie_len + 2u);
        wr_u16(&w, e->cookie_len);
        wr_bytes(&w, e->cookie, e->cookie_len);
    }
    wr_u16(&w, EXT_PSK_KEY_EXCHANGE_MODES);
    wr_u16(&w, 2);
    wr_u8(&w, 1);
    wr_u8(&w, 1); /* psk_dhe_ke */

    size_t binders_len = 0;
    if (e->psk_offered) {
        /* Section 4.2.11: last extension. */
        enum mote_hash_alg h = tls__suite_hash(e->sess.suite);
        size_t hl = mote_hash_len(h);
        uint32_t age = (uint32_t)(e->now_ms - e->sess.received_ms);
        wr_u16(&w, EXT_PRE_SHARED_KEY);
        x = wr_open(&w, 2);
        v = wr_open(&w, 2);
        wr_u16(&w, (unsigned)e->sess.ticket_len);
        wr_bytes(&w, e->sess.ticket, e->sess.ticket_len);
        wr_u32(&w, age + e->sess.age_add);
        wr_close(&w, v, 2);
        binders_len = 2 + 1 + hl;
        wr_u16(&w, (unsigned)(1 + hl));
        wr_u8(&w, (unsigned)hl);
        for (size_t i = 0; i < hl; i++)
            wr_u8(&w, 0);
        wr_close(&w, x, 2);
    }
    wr_close(&w, exts, 2);
    wr_close(&w, mlen, 3);
    if (w.bad)
        return tls__fail(e, MOTE_EINTERNAL, MOTE_TLS_ALERT_INTERNAL_ERROR);
    size_t len = wr_len(&w);

    if (e->psk_offered) {
        /* Binder: HMAC over the transcript up to and excluding the binders
         * list (section 4.2.11.2), keyed from the ticket's PSK. */
        enum mote_hash_alg h = tls__suite_hash(e->sess.suite);
        size_t hl = mote_hash_len(h);
        uint8_t th[MOTE_HASH_MAX_LEN], fk[48];
        /* The suite is not chosen yet: derive under the ticket's hash
         * without fixing e->suite. */
        enum mote_hash_alg saved = e->hash;
        e->hash = h;
        e->hashlen = hl;
        err = tls__ks_early(e, e->sess.psk, hl);
        struct mote_hash_ctx c = h == MOTE_HASH_SHA384 ? e->th384 : e->th256;
        mote_hash_update(&c, m, len - binders_len);
        mote_hash_final(&c, th);
        if (!err)
            err = tls__expand_label(h, e->binder_key, "finished", NULL, 0, fk,
                                    hl);
        if (!err)
            err = mote_hmac(h, fk, hl, th, hl, m + len - hl);
        mote_memzero_explicit(fk, sizeof fk);
        e->hash = saved;
        e->hashlen = mote_hash_len(saved);
        if (err)
            return tls__fail(e, err, -1);
    }
    return tls__hs_emit(e, len);
}

int tls__client_start(struct mote_tls_engine *e)
{
    int err = tls__random(e, e->random, 32);
    if (!err)
        err = tls__random(e, e->session_id, 32);
    if (err)
        return tls__fail(e, err, -1);
    e->sid_len = 32; /* middlebox compatibility mode (appendix D.4) */
    e->psk_offered = session_usable(e);
    e->suite = 0;
    e->hs = HS_C_WAIT_SH;
    return send_client_hello(e);
}

/* ServerHello and HelloRetryRequest (section 4.1.3, 4.1.4). */
static int server_hello(struct mote_tls_engine *e, const uint8_t *body,
                        size_t len, const uint8_t *msg, size_t msglen)
{
    struct rd r = rd_make(body, len);
    unsigned version = rd_u16(&r);
    const uint8_t *random = rd_bytes(&r, 32);
    struct rd sid = rd_vec(&r, 1);
    unsigned suite = rd_u16(&r);
    unsigned comp = rd_u8(&r);
    /* A TLS 1.2 ServerHello may have no extensions at all. */
    struct rd exts = {NULL, 0, 0};
    if (r.n)
        exts = rd_vec(&r, 2);
    if (r.bad || r.n || sid.bad || exts.bad)
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    int hrr = !memcmp(random, tls__hrr_random, 32);
    {
        /* No supported_versions: TLS 1.2 (or older). */
        int has_sv = 0;
        for (struct rd x = exts; x.n && !x.bad;) {
            has_sv |= rd_u16(&x) == EXT_SUPPORTED_VERSIONS;
            rd_vec(&x, 2);
        }
        uint16_t vmax, vmin = tls__version_range(e, &vmax);
        if (!has_sv) {
            /* Section 4.1.3: the downgrade sentinel in its random means
             * an attacker removed 1.3 (checked when we offered 1.3). */
            if (vmax >= TLS_VERSION_13 &&
                (!memcmp(random + 24, downgrade12, 8) ||
                 !memcmp(random + 24, downgrade11, 8)))
                return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
            if (vmin <= TLS_VERSION_12 && version == TLS_VERSION_12 && !hrr)
                return tls__client12_server_hello(e, body, len, msg, msglen);
        }
    }

    unsigned sel_version = 0, group = 0, psk_sel = 0xffff;
    struct rd share = {NULL, 0, 0}, cookie = {NULL, 0, 0};
    uint32_t seen = 0;
    while (exts.n) {
        unsigned type = rd_u16(&exts);
        struct rd x = rd_vec(&exts, 2);
        if (exts.bad || x.bad)
            return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
        unsigned bit = type == EXT_SUPPORTED_VERSIONS ? 1
                       : type == EXT_KEY_SHARE        ? 2
                       : type == EXT_PRE_SHARED_KEY   ? 4
                       : type == EXT_COOKIE           ? 8
                                                      : 0;
        if (!bit)
            return fail(e, MOTE_TLS_ALERT_UNSUPPORTED_EXTENSION);
        if (seen & bit)
            return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
        seen |= bit;
        switch (type) {
        case EXT_SUPPORTED_VERSIONS:
            sel_version = rd_u16(&x);
            break;
        case EXT_KEY_SHARE:
            group = rd_u16(&x);
            if (!hrr)
                share = rd_vec(&x, 2);
            break;
        case EXT_PRE_SHARED_KEY:
            psk_sel = rd_u16(&x);
            break;
        case EXT_COOKIE:
            cookie = rd_vec(&x, 2);
            if (!hrr || cookie.n == 0 || cookie.n > sizeof e->cookie)
                return fail(e, cookie.n > sizeof e->cookie
                                   ? MOTE_TLS_ALERT_ILLEGAL_PARAMETER
                                   : MOTE_TLS_ALERT_UNSUPPORTED_EXTENSION);
            break;
        }
        if (x.bad || x.n || share.bad)
            return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    }
    if (!(seen & 1)) {
        /* A TLS 1.2 (or older) server. Section 4.1.3: the downgrade
         * sentinel in its random means an attacker removed 1.3. */
        if (!memcmp(random + 24, downgrade12, 8) ||
            !memcmp(random + 24, downgrade11, 8))
            return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
        return tls__fail(e, MOTE_ENOTSUP, MOTE_TLS_ALERT_PROTOCOL_VERSION);
    }
    if (sel_version != TLS_VERSION_13 || version != TLS_VERSION_12)
        return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    e->version = TLS_VERSION_13;
    size_t ns;
    const uint16_t *suites = tls__list(e, LIST_SUITES, &ns);
    if (sid.n != e->sid_len || memcmp(sid.p, e->session_id, sid.n) ||
        !tls__suite_known((uint16_t)suite) ||
        !tls__in_list(suites, ns, (uint16_t)suite) || comp != 0 ||
        (e->suite && e->suite != suite))
        return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);

    if (hrr) {
        size_t ng;
        const uint16_t *groups = tls__list(e, LIST_GROUPS, &ng);
        if (e->flags & F_HRR_DONE)
            return fail(e, MOTE_TLS_ALERT_UNEXPECTED_MESSAGE);
        /* Section 4.1.4: the HRR must change something, and may only ask
         * for a group we offered but sent no share for. */
        if ((seen & 4) || !(seen & (2 | 8)))
            return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
        if (seen & 2) {
            if (!tls__group_known((uint16_t)group) ||
                !tls__in_list(groups, ng, (uint16_t)group) ||
                group == e->sent_groups[0] || group == e->sent_groups[1])
                return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
            e->hrr_group = (uint16_t)group;
        } else {
            e->hrr_group = e->sent_groups[0];
        }
        if (cookie.n) {
            memcpy(e->cookie, cookie.p, cookie.n);
            e->cookie_len = (uint8_t)cookie.n;
        }
        tls__set_suite(e, (uint16_t)suite);
        /* A PSK whose hash no longer matches the suite is not offered. */
        if (e->psk_offered && tls__suite_hash(e->sess.suite) != e->hash)
            e->psk_offered = 0;
        tls__transcript_hrr(e);
        tls__transcript_add(e, msg, msglen);
        e->flags |= F_HRR_DONE | F_CCS_OK;
        int err = tls__send_ccs(e);
        return err ? err : send_client_hello(e);
    }

    if (!(seen & 2))
        return fail(e, MOTE_TLS_ALERT_MISSING_EXTENSION);
    if (!group || (group != e->sent_groups[0] && group != e->sent_groups[1]))
        return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    tls__set_suite(e, (uint16_t)suite);
    const uint8_t *psk = NULL;
    if (seen & 4) {
        if (!e->psk_offered || psk_sel != 0 ||
            tls__suite_hash(e->sess.suite) != e->hash)
            return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
        psk = e->sess.psk;
        e->resumed = 1;
        /* The server proved itself in the session the ticket came from. */
        e->peer_auth = e->sess.peer_auth;
        memcpy(e->peer_cert_sha256, e->sess.peer_cert_sha256, 32);
    }
    tls__transcript_add(e, msg, msglen);
    uint8_t ss[64];
    size_t sslen = 0;
    int err = tls__kex_client_finish(e, (uint16_t)group, share.p, share.n, ss,
                                     &sslen);
    mote_memzero_explicit(e->mlkem_priv, sizeof e->mlkem_priv);
    if (err) {
        mote_memzero_explicit(ss, sizeof ss);
        return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    }
    e->group = (uint16_t)group;
    err = tls__ks_early(e, psk, e->hashlen);
    if (!err)
        err = tls__ks_next(e, ss, sslen);
    mote_memzero_explicit(ss, sizeof ss);
    if (!err)
        err = tls__ks_handshake(e);
    if (!err)
        err = tls__aead_set(&e->rd, e->suite, e->hash, e->s_hs);
    if (err)
        return tls__fail(e, err, MOTE_TLS_ALERT_INTERNAL_ERROR);
    e->rd_epoch++;
    e->flags |= F_CCS_OK;
    e->hs = HS_C_WAIT_EE;
    return 0;
}

static int encrypted_extensions(struct mote_tls_engine *e, const uint8_t *body,
                                size_t len)
{
    struct rd r = rd_make(body, len);
    struct rd exts = rd_vec(&r, 2);
    uint32_t seen = 0;
    if (r.bad || r.n)
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    while (exts.n) {
        unsigned type = rd_u16(&exts);
        struct rd x = rd_vec(&exts, 2);
        if (exts.bad || x.bad)
            return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
        unsigned bit = type == EXT_SERVER_NAME         ? 1
                       : type == EXT_ALPN              ? 2
                       : type == EXT_RECORD_SIZE_LIMIT ? 4
                       : type == EXT_SUPPORTED_GROUPS  ? 8
                                                       : 0;
        if (!bit || (bit == 1 && !tls__client_sni_sent(e)) ||
            (bit == 2 && !e->cfg->nalpn) ||
            (bit == 4 && !e->cfg->record_size_limit))
            return fail(e, MOTE_TLS_ALERT_UNSUPPORTED_EXTENSION);
        if (seen & bit)
            return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
        seen |= bit;
        if (type == EXT_SERVER_NAME) {
            if (x.n)
                return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
        } else if (type == EXT_ALPN) {
            struct rd l = rd_vec(&x, 2);
            struct rd p = rd_vec(&l, 1);
            if (l.bad || l.n || p.bad || p.n == 0)
                return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
            int found = 0;
            for (size_t i = 0; i < e->cfg->nalpn; i++)
                if (strlen(e->cfg->alpn[i]) == p.n &&
                    !memcmp(e->cfg->alpn[i], p.p, p.n))
                    found = 1;
            if (!found)
                return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
            memcpy(e->alpn, p.p, p.n);
            e->alpn[p.n] = 0;
        } else if (type == EXT_RECORD_SIZE_LIMIT) {
            unsigned v = rd_u16(&x);
            if (v < 64)
                return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
            e->peer_rsl = (uint16_t)(v > 16385 ? 16385 : v);
        } else {
            x.n = 0; /* supported_groups: informational only */
        }
        if (x.bad || x.n)
            return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    }
    return 0;
}

/* Certificate (section 4.4.2), either role's peer. Fills e->peer_key
 * through the verify callback. */
int tls__certificate_in(struct mote_tls_engine *e, const uint8_t *body,
                        size_t len, int *empty)
{
    struct rd r = rd_make(body, len);
    /* TLS 1.2 (RFC 5246 7.4.2): no context, no per-certificate
     * extensions. */
    int v12 = e->version == TLS_VERSION_12;
    struct rd ctx = {NULL, 0, 0};
    if (!v12)
        ctx = rd_vec(&r, 1);
    struct rd list = rd_vec(&r, 3);
    struct mote_tls_chain chain;
    chain.n = 0;
    if (r.bad || r.n || ctx.bad || list.bad)
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    if (!v12 && ctx.n != (e->role == MOTE_TLS_SERVER ? e->cert_ctx_len : 0u))
        return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    while (list.n) {
        struct rd cert = rd_vec(&list, 3);
        struct rd ext = {NULL, 0, 0};
        if (!v12)
            ext = rd_vec(&list, 2);
        if (list.bad || cert.bad || ext.bad || cert.n == 0)
            return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
        if (chain.n < 8) {
            chain.certs[chain.n] = cert.p;
            chain.lens[chain.n] = cert.n;
            chain.n++;
        }
    }
    *empty = chain.n == 0;
    if (chain.n == 0)
        return 0;
    memset(&e->peer_key, 0, sizeof e->peer_key);
    if (!e->cfg->verify)
        return fail(e, MOTE_TLS_ALERT_CERTIFICATE_UNKNOWN);
    int alert = e->cfg->verify(
        e->cfg->verify_ctx, &chain,
        e->role == MOTE_TLS_CLIENT && e->host[0] ? e->host : NULL,
        &e->peer_key);
    if (alert)
        return tls__fail(e, MOTE_EAUTH, alert);
    mote_sha256(chain.certs[0], chain.lens[0], e->peer_cert_sha256);
    /* The key may point into hbuf, which the next message overwrites:
     * keep a copy. */
    struct mote_tls_pubkey *k = &e->peer_key;
    if (k->type == MOTE_TLS_KEY_RSA || k->type == MOTE_TLS_KEY_RSA_PSS) {
        if (k->rsa.n_len > MOTE_RSA_MAX_LEN || k->rsa.e_len > 8)
            return fail(e, MOTE_TLS_ALERT_UNSUPPORTED_CERTIFICATE);
        memcpy(e->peer_keydata, k->rsa.n, k->rsa.n_len);
        memcpy(e->peer_keydata + MOTE_RSA_MAX_LEN, k->rsa.e, k->rsa.e_len);
        k->rsa.n = e->peer_keydata;
        k->rsa.e = e->peer_keydata + MOTE_RSA_MAX_LEN;
    } else if (k->type == MOTE_TLS_KEY_ED25519 || k->type == MOTE_TLS_KEY_EC) {
        if (k->key_len > MOTE_EC_MAX_POINT_LEN)
            return fail(e, MOTE_TLS_ALERT_UNSUPPORTED_CERTIFICATE);
        memcpy(e->peer_keydata, k->key, k->key_len);
        k->key = e->peer_keydata;
    } else {
        return fail(e, MOTE_TLS_ALERT_UNSUPPORTED_CERTIFICATE);
    }
    return 0;
}

int tls__certverify_in(struct mote_tls_engine *e, const uint8_t *body,
                       size_t len, int server)
{
    struct rd r = rd_make(body, len);
    unsigned scheme = rd_u16(&r);
    struct rd sig = rd_vec(&r, 2);
    size_t nsig;
    const uint16_t *sigs = tls__list(e, LIST_SIGS, &nsig);
    if (r.bad || r.n || sig.bad)
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    if (!tls__in_list(sigs, nsig, (uint16_t)scheme) ||
        !tls__sig_pub_ok(&e->peer_key, (uint16_t)scheme))
        return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    uint8_t th[MOTE_HASH_MAX_LEN];
    tls__transcript_hash(e, th);
    if (tls__sig_verify(&e->peer_key, (uint16_t)scheme, server, th, e->hashlen,
                        sig.p, sig.n))
        return fail(e, MOTE_TLS_ALERT_DECRYPT_ERROR);
    e->sigscheme = (uint16_t)scheme;
    e->peer_auth = 1;
    return 0;
}

/* Our Certificate and CertificateVerify (client when asked, server). */
int tls__send_certificate(struct mote_tls_engine *e,
                          const struct mote_tls_identity *id, uint16_t scheme)
{
    size_t cap;
    uint8_t *m = tls__hs_space(e, &cap);
    struct wr w = wr_make(m, cap);
    wr_u8(&w, HT_CERTIFICATE);
    uint8_t *ml = wr_open(&w, 3);
    wr_u8(&w, e->cert_ctx_len);
    wr_bytes(&w, e->cert_ctx, e->cert_ctx_len);
    uint8_t *l = wr_open(&w, 3);
    for (size_t i = 0; id && i < id->ncerts; i++) {
        uint8_t *c = wr_open(&w, 3);
        wr_bytes(&w, id->certs[i], id->cert_lens[i]);
        wr_close(&w, c, 3);
        wr_u16(&w, 0);
    }
    wr_close(&w, l, 3);
    wr_close(&w, ml, 3);
    if (w.bad)
        return tls__fail(e, MOTE_EINTERNAL, MOTE_TLS_ALERT_INTERNAL_ERROR);
    int err = tls__hs_emit(e, wr_len(&w));
    if (err || !id)
        return err;

    uint8_t th[MOTE_HASH_MAX_LEN];
    tls__transcript_hash(e, th);
    m = tls__hs_space(e, &cap);
    if (cap < 8 + MOTE_RSA_MAX_LEN)
        return tls__fail(e, MOTE_EINTERNAL, MOTE_TLS_ALERT_INTERNAL_ERROR);
    size_t siglen = 0;
    err = tls__sig_sign(e, id->key, scheme, e->role == MOTE_TLS_SERVER, th,
                        m + 8, cap - 8, &siglen);
    if (err)
        return tls__fail(e, err, MOTE_TLS_ALERT_INTERNAL_ERROR);
    w = wr_make(m, cap);
    wr_u8(&w, HT_CERTIFICATE_VERIFY);
    wr_u24(&w, (uint32_t)(4 + siglen));
    wr_u16(&w, scheme);
    wr_u16(&w, (unsigned)siglen);
    e->sigscheme = scheme;
    return tls__hs_emit(e, 8 + siglen);
}

int tls__send_finished(struct mote_tls_engine *e, const uint8_t *base)
{
    size_t cap;
    uint8_t *m = tls__hs_space(e, &cap);
    if (cap < 4 + e->hashlen)
        return tls__fail(e, MOTE_EINTERNAL, MOTE_TLS_ALERT_INTERNAL_ERROR);
    m[0] = HT_FINISHED;
    m[1] = 0;
    m[2] = 0;
    m[3] = (uint8_t)e->hashlen;
    int err = tls__finished(e, base, m + 4);
    if (err)
        return tls__fail(e, err, MOTE_TLS_ALERT_INTERNAL_ERROR);
    return tls__hs_emit(e, 4 + e->hashlen);
}

/* Check a peer Finished against base (c_hs or s_hs). */
int tls__finished_in(struct mote_tls_engine *e, const uint8_t *base,
                     const uint8_t *body, size_t len)
{
    uint8_t want[MOTE_HASH_MAX_LEN];
    if (len != e->hashlen)
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    int err = tls__finished(e, base, want);
    if (err)
        return tls__fail(e, err, MOTE_TLS_ALERT_INTERNAL_ERROR);
    if (!mote_crypto_ct_equal(want, body, len))
        return fail(e, MOTE_TLS_ALERT_DECRYPT_ERROR);
    return 0;
}

static int certificate_request(struct mote_tls_engine *e, const uint8_t *body,
                               size_t len)
{
    struct rd r = rd_make(body, len);
    struct rd ctx = rd_vec(&r, 1);
    struct rd exts = rd_vec(&r, 2);
    if (r.bad || r.n || ctx.bad || exts.bad)
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    if (ctx.n) /* section 4.3.2: empty during the handshake */
        return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    e->npeer_sigs = 0;
    int have = 0;
    while (exts.n) {
        unsigned type = rd_u16(&exts);
        struct rd x = rd_vec(&exts, 2);
        if (exts.bad || x.bad)
            return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
        if (type != EXT_SIGNATURE_ALGORITHMS)
            continue;
        if (have)
            return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
        have = 1;
        struct rd l = rd_vec(&x, 2);
        if (l.bad || x.n || l.n == 0 || (l.n & 1))
            return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
        while (l.n) {
            unsigned s = rd_u16(&l);
            if (e->npeer_sigs < 16)
                e->peer_sigs[e->npeer_sigs++] = (uint16_t)s;
        }
    }
    if (!have)
        return fail(e, MOTE_TLS_ALERT_MISSING_EXTENSION);
    e->flags |= F_CERT_REQ;
    return 0;
}

/* The client's second flight after the server's Finished. */
static int client_finish(struct mote_tls_engine *e)
{
    uint8_t s_ap[48], th[MOTE_HASH_MAX_LEN];
    int err = tls__ks_next(e, NULL, 0);
    if (!err)
        err = tls__ks_application(e, e->c_ap, s_ap);
    if (!err)
        err = tls__aead_set(&e->rd, e->suite, e->hash, s_ap);
    mote_memzero_explicit(s_ap, sizeof s_ap);
    if (err)
        return tls__fail(e, err, MOTE_TLS_ALERT_INTERNAL_ERROR);
    e->rd_epoch++;
    if ((err = tls__send_ccs(e)))
        return err;
    if ((err = tls__aead_set(&e->wr, e->suite, e->hash, e->c_hs)))
        return tls__fail(e, err, MOTE_TLS_ALERT_INTERNAL_ERROR);
    if (e->flags & F_CERT_REQ) {
        /* Our certificate if one of our identities can sign a scheme the
         * server accepts; else an empty Certificate. */
        const struct mote_tls_identity *id = NULL;
        uint16_t scheme = 0;
        size_t nsig;
        const uint16_t *sigs = tls__list(e, LIST_SIGS, &nsig);
        for (size_t i = 0; i < e->cfg->nids && !id; i++)
            for (size_t j = 0; j < nsig && !id; j++)
                if (tls__in_list(e->peer_sigs, e->npeer_sigs, sigs[j]) &&
                    tls__sig_key_ok(e->cfg->ids[i].key, sigs[j])) {
                    id = &e->cfg->ids[i];
                    scheme = sigs[j];
                }
        uint16_t server_scheme = e->sigscheme;
        if ((err = tls__send_certificate(e, id, scheme)))
            return err;
        e->client_cert_sent = id != NULL;
        e->sigscheme = server_scheme;
    }
    if ((err = tls__send_finished(e, e->c_hs)))
        return err;
    tls__transcript_hash(e, th);
    err = tls__derive(e->hash, e->secret, "res master", th, e->res_master);
    if (!err)
        err = tls__aead_set(&e->wr, e->suite, e->hash, e->c_ap);
    if (err)
        return tls__fail(e, err, MOTE_TLS_ALERT_INTERNAL_ERROR);
    mote_memzero_explicit(e->c_hs, sizeof e->c_hs);
    mote_memzero_explicit(e->s_hs, sizeof e->s_hs);
    mote_memzero_explicit(e->c_ap, sizeof e->c_ap);
    e->flags |= F_HS_DONE;
    e->flags &= ~F_CCS_OK;
    e->hs = HS_DONE;
    return 0;
}

int tls__client_handle(struct mote_tls_engine *e, unsigned type,
                       const uint8_t *body, size_t len, const uint8_t *msg,
                       size_t msglen)
{
    int err, empty;
    if (e->hs >= HS_C12_WAIT_CERT && e->hs <= HS_C12_WAIT_FIN)
        return tls__client12_handle(e, type, body, len, msg, msglen);
    switch (e->hs) {
    case HS_C_WAIT_SH:
        if (type != HT_SERVER_HELLO)
            break;
        return server_hello(e, body, len, msg, msglen);
    case HS_C_WAIT_EE:
        if (type != HT_ENCRYPTED_EXTENSIONS)
            break;
        if ((err = encrypted_extensions(e, body, len)))
            return err;
        tls__transcript_add(e, msg, msglen);
        e->hs = e->resumed ? HS_C_WAIT_FIN : HS_C_WAIT_CERT_CR;
        return 0;
    case HS_C_WAIT_CERT_CR:
        if (type == HT_CERTIFICATE_REQUEST) {
            if ((err = certificate_request(e, body, len)))
                return err;
            tls__transcript_add(e, msg, msglen);
            e->hs = HS_C_WAIT_CERT;
            return 0;
        }
        /* fall through */
    case HS_C_WAIT_CERT:
        if (type != HT_CERTIFICATE)
            break;
        if ((err = tls__certificate_in(e, body, len, &empty)))
            return err;
        if (empty) /* section 4.4.2.4 */
            return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
        tls__transcript_add(e, msg, msglen);
        e->hs = HS_C_WAIT_CV;
        return 0;
    case HS_C_WAIT_CV:
        if (type != HT_CERTIFICATE_VERIFY)
            break;
        if ((err = tls__certverify_in(e, body, len, 1)))
            return err;
        tls__transcript_add(e, msg, msglen);
        e->hs = HS_C_WAIT_FIN;
        return 0;
    case HS_C_WAIT_FIN:
        if (type != HT_FINISHED)
            break;
        if ((err = tls__finished_in(e, e->s_hs, body, len)))
            return err;
        tls__transcript_add(e, msg, msglen);
        return client_finish(e);
    }
    return fail(e, MOTE_TLS_ALERT_UNEXPECTED_MESSAGE);
}

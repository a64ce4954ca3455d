/* TLS 1.3 server handshake (RFC 8446 sections 4.1-4.4, server side). */
#include "tls_int.h"

static int fail(struct mote_tls_engine *e, int alert)
{
    return tls__fail(
        e, alert == MOTE_TLS_ALERT_DECRYPT_ERROR ? MOTE_EAUTH : MOTE_EPROTO,
        alert);
}

int tls__parse_hello(struct mote_tls_engine *e, const uint8_t *body, size_t len,
                     size_t msglen, struct hello *h)
{
    struct rd r = rd_make(body, len);
    memset(h, 0, sizeof *h);
    h->legacy = rd_u16(&r); /* supported_versions decides if present */
    h->random = rd_bytes(&r, 32);
    h->sid = rd_vec(&r, 1);
    h->suites = rd_vec(&r, 2);
    struct rd comp = rd_vec(&r, 1);
    if (r.bad || h->sid.bad || h->suites.bad || comp.bad)
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    if (h->sid.n > 32 || h->suites.n < 2 || (h->suites.n & 1))
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    if (r.n == 0) {
        /* No extensions: not TLS 1.3, and a 1.2 client without extended
         * master secret (RFC 7627 section 5.2: we require it). */
        if (tls__version_range(e, NULL) <= TLS_VERSION_12 &&
            h->legacy >= TLS_VERSION_12)
            return tls__fail(e, MOTE_ENOTSUP, MOTE_TLS_ALERT_HANDSHAKE_FAILURE);
        return tls__fail(e, MOTE_ENOTSUP, MOTE_TLS_ALERT_PROTOCOL_VERSION);
    }
    h->comp = comp;
    struct rd exts = rd_vec(&r, 2);
    if (r.bad || r.n || exts.bad)
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    uint32_t seen = 0;
    while (exts.n) {
        unsigned type = rd_u16(&exts);
        struct rd x = rd_vec(&exts, 2);
        if (exts.bad || x.bad)
            return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
        if (seen & (1u << 12)) /* pre_shared_key was not last */
            return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
        unsigned bit = 0;
        struct rd *slot = NULL;
        switch (type) {
        case EXT_SERVER_NAME:
            bit = 1, slot = &h->sni;
            break;
        case EXT_SUPPORTED_VERSIONS:
            bit = 2, slot = &h->versions;
            break;
        case EXT_SUPPORTED_GROUPS:
            bit = 3, slot = &h->groups;
            break;
        case EXT_SIGNATURE_ALGORITHMS:
            bit = 4, slot = &h->sigs;
            break;
        case EXT_KEY_SHARE:
            bit = 5, slot = &h->shares;
            break;
        case EXT_ALPN:
            bit = 6, slot = &h->alpn;
            break;
        case EXT_PSK_KEY_EXCHANGE_MODES:
            bit = 7, slot = &h->modes;
            break;
        case EXT_COOKIE:
            bit = 8, slot = &h->cookie;
            break;
        case EXT_RECORD_SIZE_LIMIT:
            bit = 9;
            h->have_rsl = 1;
            h->rsl = rd_u16(&x);
            if (x.bad || x.n)
                return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
            if (h->rsl < 64)
                return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
            break;
        case EXT_EARLY_DATA:
            bit = 10;
            h->early_data = 1;
            break;
        case EXT_PRE_SHARED_KEY:
            bit = 12, slot = &h->psk;
            h->psk_binders_off = 0;
            break;
        case EXT_EXTENDED_MASTER_SECRET:
            /* TLS 1.2 only (a 1.3 hello ignores it): hs12_server.c
             * checks ems_bad / reneg_bad. */
            bit = 13;
            h->ems = 1;
            h->ems_bad = x.n != 0;
            break;
        case EXT_RENEGOTIATION_INFO:
            bit = 14;
            h->reneg = 1;
            /* RFC 5746 section 3.6: an initial handshake carries an empty
             * renegotiated_connection. */
            h->reneg_bad = x.n != 1 || x.p[0] != 0;
            break;
        case EXT_SESSION_TICKET:
            bit = 15;
            h->ticket = x;
            h->have_ticket = 1;
            break;
        default:
            continue; /* unknown extensions are ignored (section 4.2) */
        }
        if (seen & (1u << bit))
            return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
        seen |= 1u << bit;
        if (!slot)
            continue;
        /* Unwrap the list inside each extension (server_name, groups,
         * sigs, shares, alpn: 2-byte; versions, modes: 1-byte). */
        if (type == EXT_COOKIE || type == EXT_PRE_SHARED_KEY) {
            *slot = x;
            if (type == EXT_COOKIE) {
                *slot = rd_vec(&x, 2);
                if (x.n || slot->bad)
                    return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
            }
            continue;
        }
        int lb =
            type == EXT_SUPPORTED_VERSIONS || type == EXT_PSK_KEY_EXCHANGE_MODES
                ? 1
                : 2;
        *slot = rd_vec(&x, lb);
        if (x.bad || x.n || slot->bad)
            return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    }
    if (seen & (1u << 12)) {
        /* identities<7..2^16-1> then binders<33..2^16-1>; the binders
         * list closes the message. */
        struct rd p = h->psk;
        struct rd ids = rd_vec(&p, 2);
        struct rd binders = rd_vec(&p, 2);
        if (p.bad || p.n || ids.bad || binders.bad || ids.n == 0 ||
            binders.n == 0)
            return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
        h->psk_binders_off = msglen - binders.n - 2;
    }
    return 0;
}

/* Section 4.2.1: does the list offer version ver? -1 if malformed. */
static int offers(struct rd v, unsigned ver)
{
    if (v.n & 1 || v.n == 0)
        return -1;
    while (v.n)
        if (rd_u16(&v) == ver)
            return 1;
    return 0;
}

int tls__name_matches(const char *pat, const char *host)
{
    size_t pl = strlen(pat), hl = strlen(host);
    if (pl > 2 && pat[0] == '*' && pat[1] == '.') {
        const char *dot = strchr(host, '.');
        if (!dot || dot == host)
            return 0;
        host = dot + 1;
        pat += 2;
        pl -= 2;
        hl = strlen(host);
    }
    if (pl != hl)
        return 0;
    for (size_t i = 0; i < pl; i++) {
        char a = pat[i], b = host[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a + 32);
        if (b >= 'A' && b <= 'Z')
            b = (char)(b + 32);
        if (a != b)
            return 0;
    }
    return 1;
}

/* Pick the identity and signature scheme: a certificate named for the SNI
 * host first, then the defaults; our scheme order, limited to the client's
 * signature_algorithms. */
static int choose_identity(struct mote_tls_engine *e, struct rd sigs)
{
    size_t nsig;
    const uint16_t *ours = tls__list(e, LIST_SIGS, &nsig);
    uint16_t theirs[64];
    size_t nt = 0;
    if (sigs.n & 1)
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    while (sigs.n) {
        unsigned s = rd_u16(&sigs);
        if (nt < 64)
            theirs[nt++] = (uint16_t)s;
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < e->cfg->nids; i++) {
            const struct mote_tls_identity *id = &e->cfg->ids[i];
            if (pass == 0 && !(id->name && e->host[0] &&
                               tls__name_matches(id->name, e->host)))
                continue;
            if (pass == 1 && id->name)
                continue;
            for (size_t j = 0; j < nsig; j++)
                if ((ours[j] & 0xff) != 1 && /* PKCS#1: 1.2 only */
                    tls__in_list(theirs, nt, ours[j]) &&
                    tls__sig_key_ok(id->key, ours[j])) {
                    e->id = id;
                    e->sigscheme = ours[j];
                    return 0;
                }
        }
    return tls__fail(e, MOTE_ENOTSUP, MOTE_TLS_ALERT_HANDSHAKE_FAILURE);
}

/* Try the client's first PSK identity (section 4.2.11). 1 if accepted. */
static int try_psk(struct mote_tls_engine *e, struct hello *h,
                   const uint8_t *msg, size_t msglen, uint8_t *psk)
{
    struct rd p = h->psk;
    struct rd ids = rd_vec(&p, 2);
    struct rd binders = rd_vec(&p, 2);
    struct rd id = rd_vec(&ids, 2);
    uint32_t age = rd_u32(&ids);
    struct rd binder = rd_vec(&binders, 1);
    if (ids.bad || id.bad || binders.bad || binder.bad || id.n == 0)
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    int dhe = 0;
    for (size_t i = 0; i < h->modes.n; i++)
        dhe |= h->modes.p[i] == 1;
    if (!dhe || !e->cfg->ticket_key)
        return 0;
    if (tls__ticket_open(e, id.p, id.n, age, psk))
        return 0;
    /* Binder: HMAC over the transcript including the ClientHello up to the
     * binders list. */
    uint8_t th[MOTE_HASH_MAX_LEN], fk[48], want[MOTE_HASH_MAX_LEN];
    int err = tls__ks_early(e, psk, e->hashlen);
    struct mote_hash_ctx c = e->hash == MOTE_HASH_SHA384 ? e->th384 : e->th256;
    mote_hash_update(&c, msg, h->psk_binders_off);
    mote_hash_final(&c, th);
    if (!err)
        err = tls__expand_label(e->hash, e->binder_key, "finished", NULL, 0, fk,
                                e->hashlen);
    if (!err)
        err = mote_hmac(e->hash, fk, e->hashlen, th, e->hashlen, want);
    mote_memzero_explicit(fk, sizeof fk);
    (void)msglen;
    if (err)
        return tls__fail(e, err, MOTE_TLS_ALERT_INTERNAL_ERROR);
    if (binder.n != e->hashlen ||
        !mote_crypto_ct_equal(want, binder.p, e->hashlen))
        return fail(e, MOTE_TLS_ALERT_DECRYPT_ERROR);
    return 1;
}

static void put_sh_common(struct mote_tls_engine *e, struct wr *w,
                          const uint8_t *random, struct rd sid)
{
    wr_u8(w, HT_SERVER_HELLO);
    wr_u24(w, 0); /* patched by the caller */
    wr_u16(w, TLS_VERSION_12);
    wr_bytes(w, random, 32);
    wr_u8(w, (unsigned)sid.n);
    wr_bytes(w, sid.p, sid.n);
    wr_u16(w, e->suite);
    wr_u8(w, 0);
}

static void patch_len(struct wr *w)
{
    size_t n = wr_len(w) - 4;
    w->start[1] = (uint8_t)(n >> 16);
    w->start[2] = (uint8_t)(n >> 8);
    w->start[3] = (uint8_t)n;
}

static int send_hrr(struct mote_tls_engine *e, struct rd sid,
                    const uint8_t *msg, size_t msglen)
{
    size_t cap;
    tls__transcript_add(e, msg, msglen);
    tls__transcript_hrr(e);
    int err = tls__random(e, e->cookie, 32);
    if (err)
        return tls__fail(e, err, MOTE_TLS_ALERT_INTERNAL_ERROR);
    e->cookie_len = 32;
    uint8_t *m = tls__hs_space(e, &cap);
    struct wr w = wr_make(m, cap);
    put_sh_common(e, &w, tls__hrr_random, sid);
    uint8_t *x = wr_open(&w, 2);
    wr_u16(&w, EXT_SUPPORTED_VERSIONS);
    wr_u16(&w, 2);
    wr_u16(&w, TLS_VERSION_13);
    wr_u16(&w, EXT_KEY_SHARE);
    wr_u16(&w, 2);
    wr_u16(&w, e->hrr_group);
    wr_u16(&w, EXT_COOKIE);
    wr_u16(&w, 2 + 32);
    wr_u16(&w, 32);
    wr_bytes(&w, e->cookie, 32);
    wr_close(&w, x, 2);
    if (w.bad)
        return tls__fail(e, MOTE_EINTERNAL, MOTE_TLS_ALERT_INTERNAL_ERROR);
    patch_len(&w);
    if ((err = tls__hs_emit(e, wr_len(&w))))
        return err;
    e->flags |= F_HRR_DONE | F_CCS_OK;
    e->hs = HS_S_WAIT_CH2;
    return tls__send_ccs(e);
}

/* SNI: host_name entries only; keep the first (section 3 of RFC 6066). */
int tls__sni_in(struct mote_tls_engine *e, const struct hello *h)
{
    if (!h->sni.p)
        return 0;
    struct rd s = h->sni;
    unsigned type = rd_u8(&s);
    struct rd name = rd_vec(&s, 2);
    if (s.bad || name.bad || type != 0 || name.n == 0 || name.n > 255)
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    for (size_t i = 0; i < name.n; i++)
        if (name.p[i] == 0)
            return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    memcpy(e->host, name.p, name.n);
    e->host[name.n] = 0;
    e->flags |= F_SNI_ACK;
    return 0;
}

/* ALPN (RFC 7301): our preference among the client's. */
int tls__alpn_in(struct mote_tls_engine *e, const struct hello *h)
{
    e->alpn[0] = 0;
    if (!h->alpn.p || !e->cfg->nalpn)
        return 0;
    for (size_t i = 0; i < e->cfg->nalpn && !e->alpn[0]; i++) {
        size_t l = strlen(e->cfg->alpn[i]);
        for (struct rd a = h->alpn; a.n;) {
            struct rd p = rd_vec(&a, 1);
            if (a.bad || p.bad || p.n == 0)
                return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
            if (p.n == l && !memcmp(p.p, e->cfg->alpn[i], l)) {
                memcpy(e->alpn, p.p, l);
                e->alpn[l] = 0;
                break;
            }
        }
    }
    if (!e->alpn[0])
        return fail(e, MOTE_TLS_ALERT_NO_APPLICATION_PROTOCOL);
    return 0;
}

uint16_t tls__version_range(const struct mote_tls_engine *e, uint16_t *max)
{
    uint16_t lo = e->cfg->min_version, hi = e->cfg->max_version;
    if (!hi)
        hi = TLS_VERSION_13;
    if (!lo)
        lo = e->role == MOTE_TLS_SERVER ? TLS_VERSION_12 : TLS_VERSION_13;
    if (max)
        *max = hi;
    return lo;
}

static int client_hello(struct mote_tls_engine *e, const uint8_t *body,
                        size_t len, const uint8_t *msg, size_t msglen)
{
    struct hello h;
    int err = tls__parse_hello(e, body, len, msglen, &h);
    int second = e->hs == HS_S_WAIT_CH2;
    if (err)
        return err;
    /* Version: 1.3 if both speak it, else 1.2 (from supported_versions,
     * or legacy_version without it) if we allow it. */
    uint16_t vmax, vmin = tls__version_range(e, &vmax);
    int v13 = 0, v12 = 0;
    if (h.versions.p) {
        v13 = offers(h.versions, TLS_VERSION_13);
        v12 = offers(h.versions, TLS_VERSION_12);
        if (v13 < 0)
            return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    } else {
        v12 = h.legacy >= TLS_VERSION_12;
    }
    if (second && !v13)
        return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    if (!(v13 && vmax >= TLS_VERSION_13)) {
        if (v12 && vmin <= TLS_VERSION_12)
            return tls__server12_hello(e, &h, msg, msglen);
        return tls__fail(e, MOTE_ENOTSUP, MOTE_TLS_ALERT_PROTOCOL_VERSION);
    }
    /* Section 4.1.2: exactly one compression method, null. */
    if (h.comp.n != 1 || h.comp.p[0] != 0)
        return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    e->version = TLS_VERSION_13;

    /* Suite: ours in order of preference. */
    size_t ns, ng;
    const uint16_t *suites = tls__list(e, LIST_SUITES, &ns);
    const uint16_t *groups = tls__list(e, LIST_GROUPS, &ng);
    uint16_t suite = 0;
    for (size_t i = 0; i < ns && !suite; i++) {
        struct rd s = h.suites;
        while (s.n)
            if (rd_u16(&s) == suites[i] && tls__suite_known(suites[i]))
                suite = suites[i];
    }
    if (!suite)
        return tls__fail(e, MOTE_ENOTSUP, MOTE_TLS_ALERT_HANDSHAKE_FAILURE);
    if (second && suite != e->suite)
        return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    tls__set_suite(e, suite);

    /* Groups and shares (section 4.2.8): each share once, for a group the
     * client lists. */
    if (!h.shares.p || !h.groups.p)
        return fail(e, MOTE_TLS_ALERT_MISSING_EXTENSION);
    if (h.groups.n & 1)
        return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
    uint16_t cgroups[64];
    size_t ncg = 0;
    for (struct rd g = h.groups; g.n;) {
        unsigned x = rd_u16(&g);
        if (ncg < 64)
            cgroups[ncg++] = (uint16_t)x;
    }
    struct {
        uint16_t group;
        struct rd key;
    } shares[8];
    size_t nshares = 0;
    for (struct rd s = h.shares; s.n;) {
        unsigned g = rd_u16(&s);
        struct rd k = rd_vec(&s, 2);
        if (s.bad || k.bad || k.n == 0)
            return fail(e, MOTE_TLS_ALERT_DECODE_ERROR);
        for (size_t i = 0; i < nshares; i++)
            if (shares[i].group == g)
                return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
        if (!tls__in_list(cgroups, ncg, (uint16_t)g))
            return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
        if (nshares < 8) {
            shares[nshares].group = (uint16_t)g;
            shares[nshares].key = k;
            nshares++;
        }
    }
    /* Our preference among the shares sent; else among the groups listed
     * (which costs a HelloRetryRequest). */
    uint16_t group = 0;
    struct rd key = {NULL, 0, 0};
    for (size_t i = 0; i < ng && !group; i++)
        for (size_t j = 0; j < nshares; j++)
            if (shares[j].group == groups[i] && tls__group_known(groups[i])) {
                group = groups[i];
                key = shares[j].key;
            }
    if (second) {
        /* Section 4.1.2: the second hello carries the one share asked for
         * and echoes our cookie. */
        if (nshares != 1 || shares[0].group != e->hrr_group ||
            h.cookie.n != e->cookie_len ||
            !mote_crypto_ct_equal(h.cookie.p, e->cookie, e->cookie_len) ||
            h.early_data)
            return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    } else if (h.cookie.p) {
        return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    }

    if (!second && (err = tls__sni_in(e, &h)))
        return err;
    if (h.have_rsl)
        e->peer_rsl = (uint16_t)(h.rsl > 16385 ? 16385 : h.rsl);

    if (!group) {
        for (size_t i = 0; i < ng && !group; i++)
            if (tls__in_list(cgroups, ncg, groups[i]) &&
                tls__group_known(groups[i]))
                group = groups[i];
        if (!group)
            return tls__fail(e, MOTE_ENOTSUP, MOTE_TLS_ALERT_HANDSHAKE_FAILURE);
        if (second)
            return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
        e->hrr_group = group;
        memcpy(e->session_id, h.sid.p, h.sid.n);
        e->sid_len = (uint8_t)h.sid.n;
        return send_hrr(e, h.sid, msg, msglen);
    }
    if (second &&
        (h.sid.n != e->sid_len || memcmp(h.sid.p, e->session_id, h.sid.n)))
        return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);

    if ((err = tls__alpn_in(e, &h)))
        return err;

    /* PSK (tickets) or certificate. */
    uint8_t psk[48];
    int resumed = 0;
    if (h.psk.p) {
        /* Section 4.2.9: a PSK offer needs psk_key_exchange_modes. */
        if (!h.modes.p)
            return fail(e, MOTE_TLS_ALERT_MISSING_EXTENSION);
        resumed = try_psk(e, &h, msg, msglen, psk);
        if (resumed < 0)
            return resumed;
    }
    if (!resumed) {
        /* The ticket's client identity stands only if we resume. */
        e->peer_auth = 0;
        memset(e->peer_cert_sha256, 0, 32);
        if (!h.sigs.p)
            return fail(e, MOTE_TLS_ALERT_MISSING_EXTENSION);
        if ((err = choose_identity(e, h.sigs)))
            return err;
    }
    e->resumed = resumed;
    if (h.early_data) {
        /* We never accept 0-RTT: skip what the client sends under early
         * keys (section 4.2.10), up to a bound. */
        e->flags |= F_SKIP_EARLY;
        e->early_skip = 4 * (TLS_CIPHER_MAX + 5);
    }

    /* ServerHello. */
    tls__transcript_add(e, msg, msglen);
    size_t cap;
    uint8_t random[32], ss[64];
    size_t sslen = 0, sharelen = 0;
    if ((err = tls__random(e, random, 32)))
        return tls__fail(e, err, MOTE_TLS_ALERT_INTERNAL_ERROR);
    uint8_t *m = tls__hs_space(e, &cap);
    struct wr w = wr_make(m, cap);
    put_sh_common(e, &w, random, h.sid);
    /* key_share, then supported_versions: the order of RFC 8448's
     * examples, so test_rfc8448 can compare bytes. */
    uint8_t *x = wr_open(&w, 2);
    wr_u16(&w, EXT_KEY_SHARE);
    uint8_t *ks = wr_open(&w, 2);
    wr_u16(&w, group);
    uint8_t *kl = wr_open(&w, 2);
    if (w.bad)
        return tls__fail(e, MOTE_EINTERNAL, MOTE_TLS_ALERT_INTERNAL_ERROR);
    err = tls__kex_server(e, group, key.p, key.n, w.p, (size_t)(w.end - w.p),
                          &sharelen, ss, &sslen);
    if (err) {
        /* A bad point, a share of the wrong size, an all-zero X25519
         * result (sections 4.2.8.2, 7.4). */
        mote_memzero_explicit(ss, sizeof ss);
        return fail(e, MOTE_TLS_ALERT_ILLEGAL_PARAMETER);
    }
    w.p += sharelen;
    wr_close(&w, kl, 2);
    wr_close(&w, ks, 2);
    wr_u16(&w, EXT_SUPPORTED_VERSIONS);
    wr_u16(&w, 2);
    wr_u16(&w, TLS_VERSION_13);
    if (resumed) {
        wr_u16(&w, EXT_PRE_SHARED_KEY);
        wr_u16(&w, 2);
        wr_u16(&w, 0);
    }
    wr_close(&w, x, 2);
    if (w.bad)
        return tls__fail(e, MOTE_EINTERNAL, MOTE_TLS_ALERT_INTERNAL_ERROR);
    patch_len(&w);
    e->group = group;
    if ((err = tls__hs_emit(e, wr_len(&w))))
        return err;
    /* Appendix D.4: a dummy ChangeCipherSpec after our first message. */
    if ((err = tls__send_ccs(e)))
        return err;
    e->flags |= F_CCS_OK;

    err = tls__ks_early(e, resumed ? psk : NULL, e->hashlen);
    mote_memzero_explicit(psk, sizeof psk);
    if (!err)
        err = tls__ks_next(e, ss, sslen);
    mote_memzero_explicit(ss, sizeof ss);
    if (!err)
        err = tls__ks_handshake(e);
    if (!err)
        err = tls__aead_set(&e->wr, e->suite, e->hash, e->s_hs);
    if (!err)
        err = tls__aead_set(&e->rd, e->suite, e->hash, e->c_hs);
    if (err)
        return tls__fail(e, err, MOTE_TLS_ALERT_INTERNAL_ERROR);
    e->rd_epoch++;

    /* EncryptedExtensions. */
    m = tls__hs_space(e, &cap);
    w = wr_make(m, cap);
    wr_u8(&w, HT_ENCRYPTED_EXTENSIONS);
    uint8_t *ml = wr_open(&w, 3);
    x = wr_open(&w, 2);
    if ((e->flags & F_SNI_ACK) && !resumed) {
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
    if (h.have_rsl && e->cfg->record_size_limit) {
        wr_u16(&w, EXT_RECORD_SIZE_LIMIT);
        wr_u16(&w, 2);
        wr_u16(&w, e->cfg->record_size_limit);
    }
    wr_close(&w, x, 2);
    wr_close(&w, ml, 3);
    if (w.bad)
        return tls__fail(e, MOTE_EINTERNAL, MOTE_TLS_ALERT_INTERNAL_ERROR);
    if ((err = tls__hs_emit(e, wr_len(&w))))
        return err;

    if (!resumed) {
        if (e->cfg->client_auth) {
            size_t nsig;
            const uint16_t *sigs = tls__list(e, LIST_SIGS, &nsig);
            m = tls__hs_space(e, &cap);
            w = wr_make(m, cap);
            wr_u8(&w, HT_CERTIFICATE_REQUEST);
            ml = wr_open(&w, 3);
            wr_u8(&w, 0); /* certificate_request_context: empty */
            x = wr_open(&w, 2);
            wr_u16(&w, EXT_SIGNATURE_ALGORITHMS);
            uint8_t *a = wr_open(&w, 2);
            uint8_t *l = wr_open(&w, 2);
            for (size_t i = 0; i < nsig; i++)
                wr_u16(&w, sigs[i]);
            wr_close(&w, l, 2);
            wr_close(&w, a, 2);
            wr_close(&w, x, 2);
            wr_close(&w, ml, 3);
            if (w.bad)
                return tls__fail(e, MOTE_EINTERNAL,
                                 MOTE_TLS_ALERT_INTERNAL_ERROR);
            if ((err = tls__hs_emit(e, wr_len(&w))))
                return err;
        }
        if ((err = tls__send_certificate(e, e->id, e->sigscheme)))
            return err;
    }
    if ((err = tls__send_finished(e, e->s_hs)))
        return err;

    /* Application secrets over the transcript through our Finished; we
     * send under them at once, the client's stay on c_hs until its
     * Finished. */
    uint8_t s_ap[48];
    err = tls__ks_next(e, NULL, 0);
    if (!err)
        err = tls__ks_application(e, e->c_ap, s_ap);
    if (!err)
        err = tls__aead_set(&e->wr, e->suite, e->hash, s_ap);
    mote_memzero_explicit(s_ap, sizeof s_ap);
    if (err)
        return tls__fail(e, err, MOTE_TLS_ALERT_INTERNAL_ERROR);
    e->hs = e->cfg->client_auth && !resumed ? HS_S_WAIT_CERT : HS_S_WAIT_FIN;
    return 0;
}

static int server_done(struct mote_tls_engine *e)
{
    uint8_t th[MOTE_HASH_MAX_LEN];
    tls__transcript_hash(e, th);
    int err = tls__derive(e->hash, e->secret, "res master", th, e->res_master);
    if (!err)
        err = tls__aead_set(&e->rd, e->suite, e->hash, e->c_ap);
    if (err)
        return tls__fail(e, err, MOTE_TLS_ALERT_INTERNAL_ERROR);
    e->rd_epoch++;
    mote_memzero_explicit(e->c_hs, sizeof e->c_hs);
    mote_memzero_explicit(e->s_hs, sizeof e->s_hs);
    mote_memzero_explicit(e->c_ap, sizeof e->c_ap);
    e->flags |= F_HS_DONE;
    e->flags &= ~F_CCS_OK;
    e->hs = HS_DONE;
    if (e->cfg->ticket_key)
        return tls__send_ticket(e);
    return 0;
}

int tls__server_handle(struct mote_tls_engine *e, unsigned type,
                       const uint8_t *body, size_t len, const uint8_t *msg,
                       size_t msglen)
{
    int err, empty;
    if (e->hs >= HS_S12_WAIT_CERT && e->hs <= HS_S12_WAIT_FIN)
        return tls__server12_handle(e, type, body, len, msg, msglen);
    switch (e->hs) {
    case HS_S_WAIT_CH:
    case HS_S_WAIT_CH2:
        if (type != HT_CLIENT_HELLO)
            break;
        return client_hello(e, body, len, msg, msglen);
    case HS_S_WAIT_CERT:
        if (type != HT_CERTIFICATE)
            break;
        if ((err = tls__certificate_in(e, body, len, &empty)))
            return err;
        tls__transcript_add(e, msg, msglen);
        if (empty && e->cfg->client_auth >= 2)
            return fail(e, MOTE_TLS_ALERT_CERTIFICATE_REQUIRED);
        e->hs = empty ? HS_S_WAIT_FIN : HS_S_WAIT_CV;
        return 0;
    case HS_S_WAIT_CV:
        if (type != HT_CERTIFICATE_VERIFY)
            break;
        if ((err = tls__certverify_in(e, body, len, 0)))
            return err;
        tls__transcript_add(e, msg, msglen);
        e->client_cert_sent = 1;
        e->hs = HS_S_WAIT_FIN;
        return 0;
    case HS_S_WAIT_FIN:
        if (type != HT_FINISHED)
            break;
        if ((err = tls__finished_in(e, e->c_hs, body, len)))
            return err;
        tls__transcript_add(e, msg, msglen);
        return server_done(e);
    }
    return fail(e, MOTE_TLS_ALERT_UNEXPECTED_MESSAGE);
}

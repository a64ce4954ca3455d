/* TLS 1.3 key schedule (RFC 8446 section 7.1) and Finished (4.4.4). */
#include "tls_int.h"

/* HkdfLabel = length(2) || "tls13 " label <7..255> || context <0..255> */
int tls__expand_label(enum mote_hash_alg h, const uint8_t *secret,
                      const char *label, const uint8_t *ctx, size_t ctxlen,
                      uint8_t *out, size_t outlen)
{
    uint8_t info[2 + 1 + 255 + 1 + 255];
    size_t ll = strlen(label);
    if (ll > 249 || ctxlen > 255)
        return MOTE_EINVAL;
    struct wr w = wr_make(info, sizeof info);
    wr_u16(&w, (unsigned)outlen);
    wr_u8(&w, (unsigned)(6 + ll));
    wr_bytes(&w, "tls13 ", 6);
    wr_bytes(&w, label, ll);
    wr_u8(&w, (unsigned)ctxlen);
    wr_bytes(&w, ctx, ctxlen);
    size_t hl = mote_hash_len(h);
    return mote_hkdf_expand(h, secret, hl, info, wr_len(&w), out, outlen);
}

int tls__derive(enum mote_hash_alg h, const uint8_t *secret, const char *label,
                const uint8_t *th, uint8_t *out)
{
    size_t hl = mote_hash_len(h);
    return tls__expand_label(h, secret, label, th, hl, out, hl);
}

int tls__ks_early(struct mote_tls_engine *e, const uint8_t *psk, size_t len)
{
    uint8_t zeros[48] = {0};
    if (!psk) {
        psk = zeros;
        len = e->hashlen;
    }
    int err =
        mote_hkdf_extract(e->hash, zeros, e->hashlen, psk, len, e->secret);
    if (err)
        return err;
    /* binder_key = Derive-Secret(early, "res binder", "") */
    uint8_t th[MOTE_HASH_MAX_LEN];
    mote_hash(e->hash, "", 0, th);
    return tls__derive(e->hash, e->secret, "res binder", th, e->binder_key);
}

int tls__ks_next(struct mote_tls_engine *e, const uint8_t *ikm, size_t len)
{
    uint8_t zeros[48] = {0}, th[MOTE_HASH_MAX_LEN], salt[48];
    if (!ikm) {
        ikm = zeros;
        len = e->hashlen;
    }
    mote_hash(e->hash, "", 0, th);
    int err = tls__derive(e->hash, e->secret, "derived", th, salt);
    if (!err)
        err = mote_hkdf_extract(e->hash, salt, e->hashlen, ikm, len, e->secret);
    mote_memzero_explicit(salt, sizeof salt);
    return err;
}

int tls__ks_handshake(struct mote_tls_engine *e)
{
    uint8_t th[MOTE_HASH_MAX_LEN];
    tls__transcript_hash(e, th);
    int err = tls__derive(e->hash, e->secret, "c hs traffic", th, e->c_hs);
    if (!err)
        err = tls__derive(e->hash, e->secret, "s hs traffic", th, e->s_hs);
    return err;
}

int tls__ks_application(struct mote_tls_engine *e, uint8_t *c_ap, uint8_t *s_ap)
{
    uint8_t th[MOTE_HASH_MAX_LEN];
    tls__transcript_hash(e, th);
    int err = tls__derive(e->hash, e->secret, "c ap traffic", th, c_ap);
    if (!err)
        err = tls__derive(e->hash, e->secret, "s ap traffic", th, s_ap);
    if (!err)
        err = tls__derive(e->hash, e->secret, "exp master", th, e->exp_master);
    return err;
}

int tls__finished(struct mote_tls_engine *e, const uint8_t *base, uint8_t *out)
{
    uint8_t fk[48], th[MOTE_HASH_MAX_LEN];
    int err =
        tls__expand_label(e->hash, base, "finished", NULL, 0, fk, e->hashlen);
    tls__transcript_hash(e, th);
    if (!err)
        err = mote_hmac(e->hash, fk, e->hashlen, th, e->hashlen, out);
    mote_memzero_explicit(fk, sizeof fk);
    return err;
}

/* Section 7.2: application_traffic_secret_N+1 =
 * HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "",
 * Hash.length) */
int tls__key_update(struct mote_tls_aead *a, enum mote_hash_alg h)
{
    uint8_t next[48];
    size_t hl = mote_hash_len(h);
    int err = tls__expand_label(h, a->secret, "traffic upd", NULL, 0, next, hl);
    if (!err) {
        memcpy(a->secret, next, hl);
        err = tls__aead_set(a, a->suite, h, a->secret);
    }
    mote_memzero_explicit(next, sizeof next);
    return err;
}

/* Section 7.5: TLS-Exporter(label, context_value, key_length) =
 *   HKDF-Expand-Label(Derive-Secret(exporter_master, label, ""),
 *                     "exporter", Hash(context_value), key_length) */
int mote_tls_engine_export(const struct mote_tls_engine *e, const char *label,
                           const void *context, size_t context_len,
                           uint8_t *out, size_t outlen)
{
    uint8_t empty[MOTE_HASH_MAX_LEN], ch[MOTE_HASH_MAX_LEN], secret[48];
    if (!(e->flags & F_HS_DONE) || e->err)
        return MOTE_EAGAIN;
    if (!label || strlen(label) > 249 || outlen > 255 * e->hashlen)
        return MOTE_EINVAL;
    mote_hash(e->hash, "", 0, empty);
    mote_hash(e->hash, context, context_len, ch);
    int err = tls__expand_label(e->hash, e->exp_master, label, empty,
                                e->hashlen, secret, e->hashlen);
    if (!err)
        err = tls__expand_label(e->hash, secret, "exporter", ch, e->hashlen,
                                out, outlen);
    mote_memzero_explicit(secret, sizeof secret);
    return err;
}

/* ---- TLS 1.2 (RFC 5246 section 5, RFC 7627 section 4) -------------------- */

int tls__prf12(enum mote_hash_alg h, const uint8_t *secret, size_t slen,
               const char *label, const uint8_t *s1, size_t n1,
               const uint8_t *s2, size_t n2, uint8_t *out, size_t outlen)
{
    size_t hl = mote_hash_len(h), ll = strlen(label);
    uint8_t a[MOTE_HASH_MAX_LEN], blk[MOTE_HASH_MAX_LEN];
    struct mote_hmac_ctx c;
    /* A(1) = HMAC(secret, label || seed) */
    int err = mote_hmac_init(&c, h, secret, slen);
    if (err)
        return err;
    mote_hmac_update(&c, label, ll);
    mote_hmac_update(&c, s1, n1);
    if (n2)
        mote_hmac_update(&c, s2, n2);
    mote_hmac_final(&c, a);
    while (outlen) {
        mote_hmac_init(&c, h, secret, slen);
        mote_hmac_update(&c, a, hl);
        mote_hmac_update(&c, label, ll);
        mote_hmac_update(&c, s1, n1);
        if (n2)
            mote_hmac_update(&c, s2, n2);
        mote_hmac_final(&c, blk);
        size_t k = outlen < hl ? outlen : hl;
        memcpy(out, blk, k);
        out += k;
        outlen -= k;
        mote_hmac_init(&c, h, secret, slen);
        mote_hmac_update(&c, a, hl);
        mote_hmac_final(&c, a);
    }
    mote_memzero_explicit(a, sizeof a);
    mote_memzero_explicit(blk, sizeof blk);
    return 0;
}

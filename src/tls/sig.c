/* CertificateVerify signatures (RFC 8446 section 4.4.3). */
#include "tls_int.h"

static enum mote_hash_alg scheme_hash(uint16_t s)
{
    switch (s) {
    case MOTE_TLS_SIG_ECDSA_P256_SHA256:
    case MOTE_TLS_SIG_RSA_PKCS1_SHA256:
    case MOTE_TLS_SIG_RSA_PSS_RSAE_SHA256:
    case MOTE_TLS_SIG_RSA_PSS_PSS_SHA256:
        return MOTE_HASH_SHA256;
    case MOTE_TLS_SIG_ECDSA_P384_SHA384:
    case MOTE_TLS_SIG_RSA_PKCS1_SHA384:
    case MOTE_TLS_SIG_RSA_PSS_RSAE_SHA384:
    case MOTE_TLS_SIG_RSA_PSS_PSS_SHA384:
        return MOTE_HASH_SHA384;
    case MOTE_TLS_SIG_RSA_PKCS1_SHA512:
    case MOTE_TLS_SIG_RSA_PSS_RSAE_SHA512:
    case MOTE_TLS_SIG_RSA_PSS_PSS_SHA512:
        return MOTE_HASH_SHA512;
    }
    return MOTE_HASH_NONE;
}

/* pss_hash: an RSA-PSS key's RSASSA-PSS-params hash (RFC 4055 3.3), or
 * MOTE_HASH_NONE when unrestricted. */
static int scheme_fits(enum mote_tls_key_type t, enum mote_ec_curve c,
                       enum mote_hash_alg pss_hash, uint16_t s)
{
    switch (s) {
    case MOTE_TLS_SIG_ED25519:
        return t == MOTE_TLS_KEY_ED25519;
    case MOTE_TLS_SIG_ECDSA_P256_SHA256:
        return t == MOTE_TLS_KEY_EC && c == MOTE_EC_P256;
    case MOTE_TLS_SIG_ECDSA_P384_SHA384:
        return t == MOTE_TLS_KEY_EC && c == MOTE_EC_P384;
    case MOTE_TLS_SIG_RSA_PKCS1_SHA256:
    case MOTE_TLS_SIG_RSA_PKCS1_SHA384:
    case MOTE_TLS_SIG_RSA_PKCS1_SHA512:
    case MOTE_TLS_SIG_RSA_PSS_RSAE_SHA256:
    case MOTE_TLS_SIG_RSA_PSS_RSAE_SHA384:
    case MOTE_TLS_SIG_RSA_PSS_RSAE_SHA512:
        return t == MOTE_TLS_KEY_RSA;
    case MOTE_TLS_SIG_RSA_PSS_PSS_SHA256:
    case MOTE_TLS_SIG_RSA_PSS_PSS_SHA384:
    case MOTE_TLS_SIG_RSA_PSS_PSS_SHA512:
        /* RFC 8446 4.2.3: the key's parameters, when present, must allow
         * the scheme: its hash for message and MGF1, salt = digest. */
        return t == MOTE_TLS_KEY_RSA_PSS &&
               (pss_hash == MOTE_HASH_NONE || pss_hash == scheme_hash(s));
    }
    return 0;
}

int tls__sig_key_ok(const struct mote_tls_privkey *key, uint16_t scheme)
{
    return scheme_fits(key->type, key->ec.curve, key->pss_hash, scheme);
}

int tls__sig_pub_ok(const struct mote_tls_pubkey *key, uint16_t scheme)
{
    return scheme_fits(key->type, key->curve, key->pss_hash, scheme);
}

/* TLS 1.2 (RFC 5246 7.4.1.4.1, RFC 8422 5.1): an ECDSA scheme names the
 * hash only, so any curve's key may use it. */
int tls__sig_pub_ok12(const struct mote_tls_pubkey *key, uint16_t scheme)
{
    if (key->type == MOTE_TLS_KEY_EC &&
        (scheme == MOTE_TLS_SIG_ECDSA_P256_SHA256 ||
         scheme == MOTE_TLS_SIG_ECDSA_P384_SHA384))
        return 1;
    return scheme_fits(key->type, key->curve, key->pss_hash, scheme);
}

/* 64 spaces, the context string, a zero byte, the transcript hash. */
static size_t content(uint8_t *out, int server, const uint8_t *th, size_t thlen)
{
    static const char sctx[] = "TLS 1.3, server CertificateVerify";
    static const char cctx[] = "TLS 1.3, client CertificateVerify";
    memset(out, 0x20, 64);
    memcpy(out + 64, server ? sctx : cctx, sizeof sctx); /* with the NUL */
    memcpy(out + 64 + sizeof sctx, th, thlen);
    return 64 + sizeof sctx + thlen;
}

static int pk_rng(void *ctx, uint8_t *buf, size_t len)
{
    return tls__random(ctx, buf, len);
}

int tls__sig_sign(struct mote_tls_engine *e, const struct mote_tls_privkey *k,
                  uint16_t scheme, int server, const uint8_t *th, uint8_t *sig,
                  size_t cap, size_t *siglen)
{
    uint8_t msg[64 + 34 + MOTE_HASH_MAX_LEN];
    size_t mlen = content(msg, server, th, e->hashlen);
    if ((scheme & 0xff) == 1) /* PKCS#1 v1.5: never in TLS 1.3 */
        return MOTE_EINTERNAL;
    return tls__sig_sign_msg(e, k, scheme, msg, mlen, sig, cap, siglen);
}

enum mote_hash_alg tls__sig_hash(uint16_t scheme)
{
    return scheme_hash(scheme);
}

int tls__sig_sign_msg(struct mote_tls_engine *e,
                      const struct mote_tls_privkey *k, uint16_t scheme,
                      const uint8_t *msg, size_t mlen, uint8_t *sig, size_t cap,
                      size_t *siglen)
{
    uint8_t dg[MOTE_HASH_MAX_LEN];
    enum mote_hash_alg h = scheme_hash(scheme);
    if (!tls__sig_key_ok(k, scheme))
        return MOTE_EINTERNAL;
    if (scheme == MOTE_TLS_SIG_ED25519) {
        if (cap < 64)
            return MOTE_EINTERNAL;
        mote_ed25519_sign(sig, msg, mlen, k->ed25519, NULL);
        *siglen = 64;
        return 0;
    }
    mote_hash(h, msg, mlen, dg);
    return tls__sig_sign_digest(e, k, scheme, dg, sig, cap, siglen);
}

int tls__sig_sign_digest(struct mote_tls_engine *e,
                         const struct mote_tls_privkey *k, uint16_t scheme,
                         const uint8_t *dg, uint8_t *sig, size_t cap,
                         size_t *siglen)
{
    enum mote_hash_alg h = scheme_hash(scheme);
    int err;
    if (!tls__sig_key_ok(k, scheme) || h == MOTE_HASH_NONE)
        return MOTE_EINTERNAL;
    if (k->type == MOTE_TLS_KEY_EC) {
        uint8_t raw[MOTE_EC_MAX_SIG_LEN], extra[32];
        /* Hedged: fresh randomness on top of RFC 6979. */
        if ((err = tls__random(e, extra, sizeof extra)))
            return err;
        err = mote_ecdsa_sign(k->ec.curve, raw, k->ec.d, h, dg,
                              mote_hash_len(h), extra, sizeof extra);
        if (!err)
            err = mote_ecdsa_sig_to_der(k->ec.curve, sig, cap, siglen, raw);
        return err;
    }
    size_t n = mote_rsa_len(&k->rsa.pub);
    if (!n || cap < n)
        return MOTE_EINTERNAL;
    /* A prepared key (mote_tls_privkey_prepare) skips the per-signature
     * set-ups; it is updated by each signature (tls.h). */
    struct mote_rsa_prepared *pre = k->rsa_prepared;
    if (pre && mote_rsa_prepared_len(pre) != n)
        return MOTE_EINTERNAL;
    if (scheme == MOTE_TLS_SIG_RSA_PKCS1_SHA256 ||
        scheme == MOTE_TLS_SIG_RSA_PKCS1_SHA384 ||
        scheme == MOTE_TLS_SIG_RSA_PKCS1_SHA512) {
        if (pre)
            err = mote_rsa_prepared_pkcs1_sign(pre, h, dg, mote_hash_len(h),
                                               sig, cap, pk_rng, e);
        else
            err = mote_rsa_pkcs1_sign(&k->rsa, h, dg, mote_hash_len(h), sig,
                                      cap, pk_rng, e);
        *siglen = n;
        return err;
    }
    /* Section 4.2.3: RSASSA-PSS, MGF1 with the same hash, salt of the
     * digest's length. */
    if (pre)
        err = mote_rsa_prepared_pss_sign(pre, h, mote_hash_len(h), dg,
                                         mote_hash_len(h), sig, cap, pk_rng, e);
    else
        err = mote_rsa_pss_sign(&k->rsa, h, mote_hash_len(h), dg,
                                mote_hash_len(h), sig, cap, pk_rng, e);
    *siglen = n;
    return err;
}

int mote_tls_privkey_prepare(struct mote_tls_privkey *k,
                             struct mote_rsa_prepared *ctx)
{
    int err;
    if (k->type != MOTE_TLS_KEY_RSA && k->type != MOTE_TLS_KEY_RSA_PSS)
        return 0;
    k->rsa_prepared = NULL;
    if ((err = mote_rsa_private_prepare(ctx, &k->rsa)))
        return err;
    k->rsa_prepared = ctx;
    return 0;
}

int tls__sig_verify(const struct mote_tls_pubkey *k, uint16_t scheme,
                    int server, const uint8_t *th, size_t thlen,
                    const uint8_t *sig, size_t siglen)
{
    uint8_t msg[64 + 34 + MOTE_HASH_MAX_LEN];
    size_t mlen = content(msg, server, th, thlen);
    if ((scheme & 0xff) == 1) /* PKCS#1 v1.5: never in TLS 1.3 */
        return MOTE_EPROTO;
    return tls__sig_verify_msg(k, scheme, msg, mlen, sig, siglen);
}

int tls__sig_verify_msg(const struct mote_tls_pubkey *k, uint16_t scheme,
                        const uint8_t *msg, size_t mlen, const uint8_t *sig,
                        size_t siglen)
{
    uint8_t dg[MOTE_HASH_MAX_LEN];
    enum mote_hash_alg h = scheme_hash(scheme);
    if (!tls__sig_pub_ok12(k, scheme))
        return MOTE_EPROTO;
    if (scheme == MOTE_TLS_SIG_ED25519) {
        if (siglen != 64 || k->key_len != 32)
            return MOTE_EAUTH;
        return mote_ed25519_verify(sig, msg, mlen, k->key) ? MOTE_EAUTH : 0;
    }
    mote_hash(h, msg, mlen, dg);
    return tls__sig_verify_digest(k, scheme, dg, sig, siglen);
}

int tls__sig_verify_digest(const struct mote_tls_pubkey *k, uint16_t scheme,
                           const uint8_t *dg, const uint8_t *sig, size_t siglen)
{
    enum mote_hash_alg h = scheme_hash(scheme);
    if (!tls__sig_pub_ok12(k, scheme) || h == MOTE_HASH_NONE)
        return MOTE_EPROTO;
    if (k->type == MOTE_TLS_KEY_EC) {
        uint8_t raw[MOTE_EC_MAX_SIG_LEN];
        if (mote_ecdsa_sig_from_der(k->curve, raw, sig, siglen))
            return MOTE_EAUTH;
        return mote_ecdsa_verify(k->curve, k->key, k->key_len, dg,
                                 mote_hash_len(h), raw,
                                 2 * mote_ec_scalar_len(k->curve))
                   ? MOTE_EAUTH
                   : 0;
    }
    if ((scheme & 0xff) == 1)
        return mote_rsa_pkcs1_verify(&k->rsa, h, dg, mote_hash_len(h), sig,
                                     siglen)
                   ? MOTE_EAUTH
                   : 0;
    return mote_rsa_pss_verify(&k->rsa, h, h, mote_hash_len(h), dg,
                               mote_hash_len(h), sig, siglen)
               ? MOTE_EAUTH
               : 0;
}

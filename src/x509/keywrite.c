/* X.509 generation: key generation, PKCS#8 and SubjectPublicKeyInfo
 * writing, signing and verifying with any supported key. */
#include <string.h>

#include <mote/crypto.h>
#include <mote/der.h>
#include <mote/error.h>
#include <mote/x509.h>
#include <mote/x509_gen.h>

#include "gen_int.h"
#include "x509_int.h"

/* ---- Keys
 * --------------------------------------------------------------------
 */

int mote_x509_gen_rng(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    mote_random(buf, len);
    return 0;
}

int mote_x509_gen_key(struct mote_x509_privkey *k,
                      enum mote_x509_gen_keytype type, mote_pk_rng_fn rng,
                      void *rng_ctx)
{
    memset(k, 0, sizeof(*k));
    if (type == MOTE_X509_GEN_KEY_RSA)
        return MOTE_ENOTSUP;
    if (type == MOTE_X509_GEN_KEY_ED25519) {
        int err = rng(rng_ctx, k->scalar, MOTE_ED25519_SEED_LEN);
        if (err != 0) {
            mote_x509_privkey_clear(k);
            return err;
        }
        mote_ed25519_public(k->pub, k->scalar);
        k->type = MOTE_X509_KEY_ED25519;
        k->scalar_len = MOTE_ED25519_SEED_LEN;
        k->pub_len = MOTE_ED25519_PUB_LEN;
        return 0;
    }
    enum mote_ec_curve c = type == MOTE_X509_GEN_KEY_P256   ? MOTE_EC_P256
                           : type == MOTE_X509_GEN_KEY_P384 ? MOTE_EC_P384
                                                            : MOTE_EC_NONE;
    if (c == MOTE_EC_NONE)
        return MOTE_EINVAL;
    size_t n = mote_ec_scalar_len(c);
    /* A uniform scalar by rejection (FIPS 186-5 A.4.2, "testing
     * candidates"): mote_ec_public refuses 0 and values >= the order. One
     * P-256 candidate in 2^32 is refused, one P-384 candidate in 2^189; 64
     * refusals in a row mean the rng is broken. */
    int err = MOTE_EIO;
    for (int tries = 0; tries < 64; tries++) {
        err = rng(rng_ctx, k->scalar, n);
        if (err != 0)
            break;
        err = mote_ec_public(c, k->pub, k->scalar);
        if (err == 0)
            break;
        err = MOTE_EIO;
    }
    if (err != 0) {
        mote_x509_privkey_clear(k);
        return err;
    }
    k->type = MOTE_X509_KEY_EC;
    k->curve = c;
    k->scalar_len = n;
    k->pub_len = 1 + 2 * n;
    return 0;
}

/* ---- RSA ---------------------------------------------------------------
 *
 * RSAPrivateKey (and so PKCS#8) must carry d besides the CRT form; the
 * core's mote_rsa_generate_d computes it with the primes. */

int mote_x509_gen_key_rsa(struct mote_x509_privkey *k, unsigned bits,
                          uint8_t *buf, size_t cap, mote_pk_rng_fn rng,
                          void *rng_ctx)
{
    memset(k, 0, sizeof(*k));
    size_t need = MOTE_X509_GEN_RSA_BUF_LEN(bits);
    if (bits < MOTE_RSA_MIN_BITS || bits > MOTE_RSA_MAX_BITS || bits % 128)
        return MOTE_EINVAL;
    if (cap < need)
        return MOTE_ENOSPC;
    size_t core = MOTE_RSA_KEYGEN_LEN(bits);
    int err =
        mote_rsa_generate_d(&k->rsa, buf, core, bits, buf + core, rng, rng_ctx);
    if (err != 0) {
        mote_memzero_explicit(buf, need);
        memset(k, 0, sizeof(*k));
        return err;
    }
    k->type = MOTE_X509_KEY_RSA;
    k->rsa_d.ptr = buf + core;
    k->rsa_d.len = bits / 8;
    return 0;
}

int x509__gen_finish(const struct mote_der_writer *w, size_t *len)
{
    size_t n = 0;
    int err = mote_der_writer_finish(w, &n);
    if (len)
        *len = n;
    return err;
}

/* The AlgorithmIdentifier of a key, the same in PKCS#8 and in the SPKI
 * (RFC 5480 2.1.1 named curve, RFC 8410 3 no parameters, RFC 8017 A.1
 * NULL parameters). */
static int put_key_alg(struct mote_der_writer *w,
                       const struct mote_x509_privkey *k)
{
    mote_der_put_begin(w, MOTE_DER_SEQUENCE);
    if (k->type == MOTE_X509_KEY_EC) {
        mote_der_put_oid(w, X509_OID(OID_EC_PUBLIC_KEY));
        if (k->curve == MOTE_EC_P256)
            mote_der_put_oid(w, X509_OID(OID_P256));
        else if (k->curve == MOTE_EC_P384)
            mote_der_put_oid(w, X509_OID(OID_P384));
        else
            return MOTE_EINVAL;
    } else if (k->type == MOTE_X509_KEY_ED25519) {
        mote_der_put_oid(w, X509_OID(OID_ED25519));
    } else if (k->type == MOTE_X509_KEY_RSA) {
        mote_der_put_oid(w, X509_OID(OID_RSA_ENCRYPTION));
        mote_der_put_null(w);
    } else {
        return MOTE_EINVAL;
    }
    mote_der_put_end(w);
    return 0;
}

int mote_x509_gen_pkcs8_write(const struct mote_x509_privkey *k, uint8_t *out,
                              size_t cap, size_t *len)
{
    if (k->type == MOTE_X509_KEY_RSA && !k->rsa_d.ptr)
        return MOTE_ENOTSUP;
    struct mote_der_writer w;
    mote_der_writer_init(&w, out, cap);
    mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
    mote_der_put_int64(&w, 0); /* v1 (RFC 5958 2) */
    int err = put_key_alg(&w, k);
    if (err != 0)
        return err;
    /* privateKey OCTET STRING: its contents are DER, written in place
     * (begin/end with a primitive tag wrap them without a copy). */
    mote_der_put_begin(&w, MOTE_DER_OCTET_STRING);
    if (k->type == MOTE_X509_KEY_EC) {
        /* ECPrivateKey (RFC 5915 3): version 1, the scalar at full length,
         * parameters omitted (they are in the PKCS#8 algorithm, as OpenSSL
         * writes it), the public key in [1]. */
        mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
        mote_der_put_int64(&w, 1);
        mote_der_put_tlv(&w, MOTE_DER_OCTET_STRING, k->scalar, k->scalar_len);
        mote_der_put_begin(&w, MOTE_DER_CTX_CONS(1));
        mote_der_put_bits(&w, k->pub, k->pub_len, 0);
        mote_der_put_end(&w);
        mote_der_put_end(&w);
    } else if (k->type == MOTE_X509_KEY_ED25519) {
        /* CurvePrivateKey ::= OCTET STRING (RFC 8410 7) */
        mote_der_put_tlv(&w, MOTE_DER_OCTET_STRING, k->scalar, k->scalar_len);
    } else {
        /* RSAPrivateKey (RFC 8017 A.1.2), two-prime, version 0. */
        const struct mote_rsa_private *r = &k->rsa;
        mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
        mote_der_put_int64(&w, 0);
        mote_der_put_uint(&w, MOTE_DER_INTEGER, r->pub.n, r->pub.n_len);
        mote_der_put_uint(&w, MOTE_DER_INTEGER, r->pub.e, r->pub.e_len);
        mote_der_put_uint(&w, MOTE_DER_INTEGER, k->rsa_d.ptr, k->rsa_d.len);
        mote_der_put_uint(&w, MOTE_DER_INTEGER, r->p, r->p_len);
        mote_der_put_uint(&w, MOTE_DER_INTEGER, r->q, r->q_len);
        mote_der_put_uint(&w, MOTE_DER_INTEGER, r->dp, r->dp_len);
        mote_der_put_uint(&w, MOTE_DER_INTEGER, r->dq, r->dq_len);
        mote_der_put_uint(&w, MOTE_DER_INTEGER, r->qinv, r->qinv_len);
        mote_der_put_end(&w);
    }
    mote_der_put_end(&w);
    mote_der_put_end(&w);
    return x509__gen_finish(&w, len);
}

int mote_x509_gen_spki_write(const struct mote_x509_privkey *k, uint8_t *out,
                             size_t cap, size_t *len)
{
    if (k->type != MOTE_X509_KEY_EC && k->type != MOTE_X509_KEY_ED25519 &&
        k->type != MOTE_X509_KEY_RSA)
        return MOTE_EINVAL;
    struct mote_x509_pubkey pub;
    mote_x509_privkey_public(k, &pub);
    struct mote_der_writer w;
    mote_der_writer_init(&w, out, cap);
    mote_x509_pubkey_put(&w, &pub);
    return x509__gen_finish(&w, len);
}

int x509__gen_spki_bits(const uint8_t *spki, size_t len, const uint8_t **bits,
                        size_t *nbits)
{
    struct mote_der top, seq;
    struct mote_der_elem e;
    mote_der_init(&top, spki, len);
    if (mote_der_enter(&top, MOTE_DER_SEQUENCE, &seq, NULL) != 0 ||
        mote_der_finish(&top) != 0 ||
        mote_der_read_tag(&seq, MOTE_DER_SEQUENCE, &e) != 0 ||
        mote_der_read_tag(&seq, MOTE_DER_BIT_STRING, &e) != 0 ||
        mote_der_finish(&seq) != 0 ||
        mote_der_get_bits_octets(&e, bits, nbits) != 0)
        return MOTE_EINVAL;
    return 0;
}

int mote_x509_gen_key_id(const uint8_t *spki, size_t spki_len,
                         uint8_t id[MOTE_SHA1_LEN])
{
    const uint8_t *bits;
    size_t n;
    int err = x509__gen_spki_bits(spki, spki_len, &bits, &n);
    if (err != 0)
        return err;
    mote_sha1(bits, n, id);
    return 0;
}

/* ---- Signing ---------------------------------------------------------------
 */

int mote_x509_gen_default_sigalg(const struct mote_x509_privkey *k,
                                 struct mote_x509_sigalg *alg)
{
    memset(alg, 0, sizeof(*alg));
    switch (k->type) {
    case MOTE_X509_KEY_EC:
        /* RFC 5480 4: the hash that matches the curve's strength. */
        alg->alg = MOTE_X509_SIG_ECDSA;
        alg->hash =
            k->curve == MOTE_EC_P384 ? MOTE_HASH_SHA384 : MOTE_HASH_SHA256;
        return k->curve == MOTE_EC_NONE ? MOTE_EINVAL : 0;
    case MOTE_X509_KEY_ED25519:
        alg->alg = MOTE_X509_SIG_ED25519;
        return 0;
    case MOTE_X509_KEY_RSA:
        alg->alg = MOTE_X509_SIG_RSA_PKCS1;
        alg->hash = MOTE_HASH_SHA256;
        return 0;
    default:
        return MOTE_EINVAL;
    }
}

void mote_x509_gen_pss_sha256(struct mote_x509_sigalg *alg)
{
    memset(alg, 0, sizeof(*alg));
    alg->alg = MOTE_X509_SIG_RSA_PSS;
    alg->hash = MOTE_HASH_SHA256;
    alg->mgf_hash = MOTE_HASH_SHA256;
    alg->salt_len = 32;
}

static bool sha2(enum mote_hash_alg h)
{
    return h == MOTE_HASH_SHA256 || h == MOTE_HASH_SHA384 ||
           h == MOTE_HASH_SHA512;
}

int x509__gen_sigalg(const struct mote_x509_privkey *k,
                     const struct mote_x509_sigalg *alg,
                     struct mote_x509_sigalg *out)
{
    if (!alg || alg->alg == MOTE_X509_SIG_NONE)
        return mote_x509_gen_default_sigalg(k, out);
    *out = *alg;
    switch (alg->alg) {
    case MOTE_X509_SIG_ECDSA:
        return k->type == MOTE_X509_KEY_EC && sha2(alg->hash) ? 0 : MOTE_EINVAL;
    case MOTE_X509_SIG_ED25519:
        out->hash = MOTE_HASH_NONE;
        return k->type == MOTE_X509_KEY_ED25519 ? 0 : MOTE_EINVAL;
    case MOTE_X509_SIG_RSA_PKCS1:
        return k->type == MOTE_X509_KEY_RSA && sha2(alg->hash) ? 0
                                                               : MOTE_EINVAL;
    case MOTE_X509_SIG_RSA_PSS:
        return k->type == MOTE_X509_KEY_RSA && sha2(alg->hash) &&
                       sha2(alg->mgf_hash) && alg->salt_len <= 64
                   ? 0
                   : MOTE_EINVAL;
    default:
        return MOTE_EINVAL;
    }
}

size_t x509__gen_sig_max(const struct mote_x509_privkey *k,
                         const struct mote_x509_sigalg *alg)
{
    switch (alg->alg) {
    case MOTE_X509_SIG_ECDSA:
        return MOTE_EC_MAX_DER_LEN;
    case MOTE_X509_SIG_ED25519:
        return MOTE_ED25519_SIG_LEN;
    default:
        return k->type == MOTE_X509_KEY_RSA ? mote_rsa_len(&k->rsa.pub) : 0;
    }
}

/* Sign under a resolved, checked algorithm. */
static int sign_resolved(const struct mote_x509_privkey *k,
                         const struct mote_x509_sigalg *a, const uint8_t *data,
                         size_t len, uint8_t *sig, size_t cap, size_t *sig_len,
                         mote_pk_rng_fn rng, void *rng_ctx)
{
    uint8_t hash[MOTE_HASH_MAX_LEN];
    size_t hlen = mote_hash_len(a->hash);
    int err;
    if (a->alg == MOTE_X509_SIG_ED25519) {
        if (cap < MOTE_ED25519_SIG_LEN)
            return MOTE_ENOSPC;
        mote_ed25519_sign(sig, data, len, k->scalar, k->pub);
        *sig_len = MOTE_ED25519_SIG_LEN;
        return 0;
    }
    if ((err = mote_hash(a->hash, data, len, hash)) != 0)
        return err;
    if (a->alg == MOTE_X509_SIG_ECDSA) {
        uint8_t raw[MOTE_EC_MAX_SIG_LEN], extra[32];
        /* Hedged (RFC 6979 3.6): fresh randomness mixed into the
         * deterministic nonce, so neither a fault nor a weak rng alone can
         * expose the key. */
        if ((err = rng(rng_ctx, extra, sizeof(extra))) != 0)
            return err;
        err = mote_ecdsa_sign(k->curve, raw, k->scalar, a->hash, hash, hlen,
                              extra, sizeof(extra));
        if (err == 0)
            err = mote_ecdsa_sig_to_der(k->curve, sig, cap, sig_len, raw);
        mote_memzero_explicit(extra, sizeof(extra));
        return err;
    }
    size_t n = mote_rsa_len(&k->rsa.pub);
    if (a->alg == MOTE_X509_SIG_RSA_PKCS1)
        err = mote_rsa_pkcs1_sign(&k->rsa, a->hash, hash, hlen, sig, cap, rng,
                                  rng_ctx);
    else if (a->mgf_hash != a->hash)
        err = MOTE_ENOTSUP; /* the core's PSS signer uses MGF1 with h */
    else
        err = mote_rsa_pss_sign(&k->rsa, a->hash, a->salt_len, hash, hlen, sig,
                                cap, rng, rng_ctx);
    if (err == 0)
        *sig_len = n;
    return err;
}

int mote_x509_gen_sign(const struct mote_x509_privkey *k,
                       const struct mote_x509_sigalg *alg, const uint8_t *data,
                       size_t len, uint8_t *sig, size_t cap, size_t *sig_len,
                       mote_pk_rng_fn rng, void *rng_ctx)
{
    struct mote_x509_sigalg a;
    int err = x509__gen_sigalg(k, alg, &a);
    if (err != 0)
        return err;
    return sign_resolved(k, &a, data, len, sig, cap, sig_len, rng, rng_ctx);
}

int x509__gen_sign_close(struct mote_der_writer *w, size_t tbs_start,
                         const struct mote_x509_privkey *k,
                         const struct mote_x509_sigalg *alg, mote_pk_rng_fn rng,
                         void *rng_ctx)
{
    uint8_t sig[X509G_SIG_MAX];
    size_t sig_len = x509__gen_sig_max(k, alg);
    size_t tbs_end = w->len;
    int err = 0;
    if (sig_len > sizeof(sig))
        return MOTE_EINVAL;
    if (w->err == 0 && tbs_end <= w->cap)
        err = sign_resolved(k, alg, w->buf + tbs_start, tbs_end - tbs_start,
                            sig, sizeof(sig), &sig_len, rng, rng_ctx);
    else
        memset(sig, 0, sig_len); /* measuring: the longest signature */
    mote_x509_sigalg_put(w, alg);
    mote_der_put_bits(w, sig, sig_len, 0);
    mote_der_put_end(w);
    return err;
}

/* Keys: SubjectPublicKeyInfo, PKCS#8, SEC 1 ECPrivateKey, PKCS#1. */
#include <string.h>

#include <mote/crypto.h>
#include <mote/error.h>
#include <mote/x509.h>

#include "x509_int.h"

/* RSA moduli accepted by the parser: 512..8192 bits. The crypto core's own
 * limits (2048..4096) apply when the key is used, so that a certificate
 * with an unusual key still parses. */
#define RSA_PARSE_MIN_LEN 64
#define RSA_PARSE_MAX_LEN 1024

static enum mote_ec_curve curve_of(const struct mote_der_elem *oid)
{
    if (mote_der_oid_eq(oid, X509_OID(OID_P256)))
        return MOTE_EC_P256;
    if (mote_der_oid_eq(oid, X509_OID(OID_P384)))
        return MOTE_EC_P384;
    return MOTE_EC_NONE;
}

static void put_curve(struct mote_der_writer *w, enum mote_ec_curve c)
{
    if (c == MOTE_EC_P256)
        mote_der_put_oid(w, X509_OID(OID_P256));
    else
        mote_der_put_oid(w, X509_OID(OID_P384));
}

/* A positive minimal INTEGER as a magnitude. */
static int read_uint(struct mote_der *d, const uint8_t **p, size_t *n)
{
    struct mote_der_elem e;
    int err = mote_der_read_tag(d, MOTE_DER_INTEGER, &e);
    if (err < 0)
        return err;
    err = mote_der_get_uint(&e, p, n);
    return err == MOTE_ERANGE ? MOTE_EINVAL : err;
}

/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
static int rsa_public_read(struct mote_der *d, struct mote_rsa_public *pub)
{
    struct mote_der seq;
    int err = mote_der_enter(d, MOTE_DER_SEQUENCE, &seq, NULL);
    if (err < 0)
        return err;
    if ((err = read_uint(&seq, &pub->n, &pub->n_len)) < 0 ||
        (err = read_uint(&seq, &pub->e, &pub->e_len)) < 0)
        return err;
    if (pub->n_len < RSA_PARSE_MIN_LEN || pub->n_len > RSA_PARSE_MAX_LEN)
        return MOTE_ENOTSUP;
    if (pub->e_len > 8 || (pub->e_len == 1 && pub->e[0] <= 1))
        return MOTE_EINVAL;
    return mote_der_finish(&seq);
}

/* AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY
 * OPTIONAL }: the OID and the parameters (tag 0 if absent). */
static int algid_read(struct mote_der *d, struct mote_der_elem *oid,
                      struct mote_der_elem *params, struct mote_der_elem *all)
{
    struct mote_der seq;
    int err = mote_der_enter(d, MOTE_DER_SEQUENCE, &seq, all);
    if (err < 0)
        return err;
    if ((err = mote_der_read_tag(&seq, MOTE_DER_OID, oid)) < 0 ||
        (err = mote_der_get_oid(oid)) < 0)
        return err;
    memset(params, 0, sizeof *params);
    if (!mote_der_at_end(&seq) && (err = mote_der_read(&seq, params)) < 0)
        return err;
    return mote_der_finish(&seq);
}

/* Why a key algorithm (or an EC curve) is refused. */
static const char *alg_reason(const struct mote_der_elem *oid)
{
    if (mote_der_oid_eq(oid, X509_OID(OID_X25519)))
        return "X25519 is a key-agreement key, not supported";
    if (mote_der_oid_eq(oid, X509_OID(OID_X448)))
        return "X448 is a key-agreement key, not supported";
    if (mote_der_oid_eq(oid, X509_OID(OID_ED448)))
        return "Ed448 keys are not supported";
    if (mote_der_oid_eq(oid, X509_OID(OID_DSA)))
        return "DSA keys are not supported";
    return "unknown key algorithm";
}

static const char *curve_reason(const struct mote_der_elem *curve)
{
    if (mote_der_oid_eq(curve, X509_OID(OID_P521)))
        return "P-521 keys are not supported";
    return "EC curve not supported (P-256 and P-384 only)";
}

static int spki_read(struct mote_der *d, struct mote_x509_pubkey *k);

int x509__spki_read(struct mote_der *d, struct mote_x509_pubkey *k)
{
    int err = spki_read(d, k);
    /* A well-formed SPKI we cannot use (another algorithm or curve, an
     * RSA modulus out of range) is kept whole as UNKNOWN. */
    if (err == MOTE_ENOTSUP) {
        k->type = MOTE_X509_KEY_UNKNOWN;
        if (!k->reason)
            k->reason = "RSA modulus size not supported (512..8192 bits)";
    } else if (err < 0 && !k->reason) {
        k->reason = "malformed public key";
    }
    return err;
}

static int spki_read(struct mote_der *d, struct mote_x509_pubkey *k)
{
    struct mote_der spki;
    struct mote_der_elem all, algid, oid, params, bits;
    const uint8_t *key;
    size_t key_len;
    int err;

    memset(k, 0, sizeof *k);
    if ((err = mote_der_enter(d, MOTE_DER_SEQUENCE, &spki, &all)) < 0 ||
        (err = algid_read(&spki, &oid, &params, &algid)) < 0 ||
        (err = mote_der_read_tag(&spki, MOTE_DER_BIT_STRING, &bits)) < 0 ||
        (err = mote_der_finish(&spki)) < 0)
        return err;
    k->spki.ptr = all.raw;
    k->spki.len = all.raw_len;
    k->alg_oid.ptr = oid.val;
    k->alg_oid.len = oid.len;

    bool pss = mote_der_oid_eq(&oid, X509_OID(OID_RSA_PSS));
    if (pss || mote_der_oid_eq(&oid, X509_OID(OID_RSA_ENCRYPTION))) {
        if (!pss) {
            /* RFC 3279 2.3.1: parameters NULL. */
            if (params.tag != MOTE_DER_NULL || mote_der_get_null(&params) < 0)
                return MOTE_EINVAL;
        } else if (params.tag != 0) {
            /* RFC 4055 1.2: absent, or RSASSA-PSS-params (3.1), which
             * restrict the key's use; never NULL. */
            if ((err = mote_x509_sigalg_parse(&k->pss, &algid)) < 0) {
                k->reason = err == MOTE_ENOTSUP
                                ? "RSA-PSS key parameters not supported"
                                : "bad RSA-PSS key parameters";
                return err;
            }
            k->rsa_pss_params = true;
        }
        k->rsa_pss = pss;
        if ((err = mote_der_get_bits_octets(&bits, &key, &key_len)) < 0)
            return err;
        struct mote_der kd;
        struct mote_der_elem ke = {0, key, key_len, NULL, 0};
        if ((err = mote_der_sub(&spki, &ke, &kd)) < 0 ||
            (err = rsa_public_read(&kd, &k->rsa)) < 0 ||
            (err = mote_der_finish(&kd)) < 0)
            return err;
        k->type = MOTE_X509_KEY_RSA;
        return 0;
    }
    if (mote_der_oid_eq(&oid, X509_OID(OID_EC_PUBLIC_KEY))) {
        /* RFC 5480 2.1.1: namedCurve only (implicitCurve and
         * specifiedCurve MUST NOT be used). */
        if (params.tag != MOTE_DER_OID)
            return MOTE_EINVAL;
        if ((err = mote_der_get_oid(&params)) < 0)
            return err;
        k->curve = curve_of(&params);
        if (k->curve == MOTE_EC_NONE) {
            k->type = MOTE_X509_KEY_UNKNOWN;
            k->reason = curve_reason(&params);
            return MOTE_ENOTSUP;
        }
        if ((err = mote_der_get_bits_octets(&bits, &key, &key_len)) < 0)
            return err;
        if (mote_ec_check_public(k->curve, key, key_len) < 0)
            return MOTE_EINVAL;
        k->point = key;
        k->point_len = key_len;
        k->type = MOTE_X509_KEY_EC;
        return 0;
    }
    if (mote_der_oid_eq(&oid, X509_OID(OID_ED25519))) {
        /* RFC 8410 3: parameters MUST be absent. */
        if (params.tag != 0)
            return MOTE_EINVAL;
        if ((err = mote_der_get_bits_octets(&bits, &key, &key_len)) < 0)
            return err;
        if (key_len != MOTE_ED25519_PUB_LEN)
            return MOTE_EINVAL;
        k->point = key;
        k->point_len = key_len;
        k->type = MOTE_X509_KEY_ED25519;
        return 0;
    }
    k->type = MOTE_X509_KEY_UNKNOWN;
    k->reason = alg_reason(&oid);
    return MOTE_ENOTSUP;
}

int mote_x509_pubkey_parse(struct mote_x509_pubkey *k, const uint8_t *der,
                           size_t len)
{
    struct mote_der d;
    mote_der_init(&d, der, len);
    int err = x509__spki_read(&d, k);
    if (err < 0)
        return err;
    if ((err = mote_der_finish(&d)) < 0)
        k->reason = "trailing bytes after the public key";
    return err;
}

void mote_x509_pubkey_put(struct mote_der_writer *w,
                          const struct mote_x509_pubkey *k)
{
    static const uint8_t zero = 0;
    switch (k->type) {
    case MOTE_X509_KEY_RSA:
        mote_der_put_begin(w, MOTE_DER_SEQUENCE);
        if (k->rsa_pss && k->rsa_pss_params) {
            mote_x509_sigalg_put(w, &k->pss);
        } else {
            mote_der_put_begin(w, MOTE_DER_SEQUENCE);
            if (k->rsa_pss) {
                mote_der_put_oid(w, X509_OID(OID_RSA_PSS));
            } else {
                mote_der_put_oid(w, X509_OID(OID_RSA_ENCRYPTION));
                mote_der_put_null(w);
            }
            mote_der_put_end(w);
        }
        mote_der_put_begin(w, MOTE_DER_BIT_STRING);
        mote_der_put_raw(w, &zero, 1);
        mote_der_put_begin(w, MOTE_DER_SEQUENCE);
        mote_der_put_uint(w, MOTE_DER_INTEGER, k->rsa.n, k->rsa.n_len);
        mote_der_put_uint(w, MOTE_DER_INTEGER, k->rsa.e, k->rsa.e_len);
        mote_der_put_end(w);
        mote_der_put_end(w);
        mote_der_put_end(w);
        break;
    case MOTE_X509_KEY_EC:
    case MOTE_X509_KEY_ED25519:
        mote_der_put_begin(w, MOTE_DER_SEQUENCE);
        mote_der_put_begin(w, MOTE_DER_SEQUENCE);
        if (k->type == MOTE_X509_KEY_EC) {
            mote_der_put_oid(w, X509_OID(OID_EC_PUBLIC_KEY));
            put_curve(w, k->curve);
        } else {
            mote_der_put_oid(w, X509_OID(OID_ED25519));
        }
        mote_der_put_end(w);
        mote_der_put_bits(w, k->point, k->point_len, 0);
        mote_der_put_end(w);
        break;
    default:
        /* Unknown algorithms are written as parsed; a missing SPKI is
         * written as nothing, which the writer cannot notice: put an
         * invalid tag to make it fail. */
        if (k->spki.ptr)
            mote_der_put_raw(w, k->spki.ptr, k->spki.len);
        else
            mote_der_put_tlv(w, 0x1F, NULL, 0);
        break;
    }
}

/* ---- Private keys -------------------------------------------------------- */

/* The EC private scalar from an OCTET STRING (RFC 5915: exactly the
 * order's length; shorter ones from old encoders are left-padded), its
 * public key computed, and checked against pub if given. */
static int ec_set(struct mote_x509_privkey *k, enum mote_ec_curve c,
                  const struct mote_der_elem *priv,
                  const struct mote_der_elem *pub)
{
    size_t n = mote_ec_scalar_len(c);
    if (priv->len == 0 || priv->len > n)
        return MOTE_EINVAL;
    k->type = MOTE_X509_KEY_EC;
    k->curve = c;
    k->scalar_len = n;
    memset(k->scalar, 0, sizeof k->scalar);
    memcpy(k->scalar + (n - priv->len), priv->val, priv->len);
    if (mote_ec_public(c, k->pub, k->scalar) < 0)
        return MOTE_EINVAL;
    k->pub_len = 1 + 2 * n;
    if (!pub)
        return 0;
    const uint8_t *p;
    size_t plen;
    int err = mote_der_get_bits_octets(pub, &p, &plen);
    if (err < 0)
        return err;
    if (plen == k->pub_len && memcmp(p, k->pub, plen) == 0)
        return 0;
    /* A compressed point: x and the parity of y. */
    if (plen == 1 + n && (p[0] == 2 || p[0] == 3) &&
        memcmp(p + 1, k->pub + 1, n) == 0 && (p[0] & 1) == (k->pub[2 * n] & 1))
        return 0;
    return MOTE_EINVAL;
}

/* ECPrivateKey ::= SEQUENCE { version INTEGER { ecPrivkeyVer1(1) },
 *   privateKey OCTET STRING, parameters [0] ECParameters OPTIONAL,
 *   publicKey [1] BIT STRING OPTIONAL }  (RFC 5915 section 3)
 * curve is the curve from PKCS#8's algorithm, or NONE for a bare key. */
static int sec1_read(struct mote_der *d, struct mote_x509_privkey *k,
                     enum mote_ec_curve curve)
{
    struct mote_der seq, ctx;
    struct mote_der_elem ver, priv, oid, pub;
    int64_t v;
    int err, has;

    if ((err = mote_der_enter(d, MOTE_DER_SEQUENCE, &seq, NULL)) < 0 ||
        (err = mote_der_read_tag(&seq, MOTE_DER_INTEGER, &ver)) < 0 ||
        (err = mote_der_get_int64(&ver, &v)) < 0)
        return err;
    if (v != 1)
        return MOTE_EINVAL;
    if ((err = mote_der_read_tag(&seq, MOTE_DER_OCTET_STRING, &priv)) < 0)
        return err;
    has = mote_der_read_optional(&seq, MOTE_DER_CTX_CONS(0), &oid);
    if (has < 0)
        return has;
    if (has) {
        if ((err = mote_der_sub(&seq, &oid, &ctx)) < 0 ||
            (err = mote_der_read_tag(&ctx, MOTE_DER_OID, &oid)) < 0 ||
            (err = mote_der_get_oid(&oid)) < 0 ||
            (err = mote_der_finish(&ctx)) < 0)
            return err;
        enum mote_ec_curve c = curve_of(&oid);
        if (c == MOTE_EC_NONE) {
            k->reason = curve_reason(&oid);
            return MOTE_ENOTSUP;
        }
        if (curve != MOTE_EC_NONE && c != curve)
            return MOTE_EINVAL;
        curve = c;
    }
    if (curve == MOTE_EC_NONE)
        return MOTE_EINVAL; /* a bare key must name its curve */
    has = mote_der_read_optional(&seq, MOTE_DER_CTX_CONS(1), &pub);
    if (has < 0)
        return has;
    if (has) {
        if ((err = mote_der_sub(&seq, &pub, &ctx)) < 0 ||
            (err = mote_der_read_tag(&ctx, MOTE_DER_BIT_STRING, &pub)) < 0 ||
            (err = mote_der_finish(&ctx)) < 0)
            return err;
    }
    if ((err = mote_der_finish(&seq)) < 0)
        return err;
    return ec_set(k, curve, &priv, has ? &pub : NULL);
}

/* RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent,
 *   privateExponent, prime1, prime2, exponent1, exponent2, coefficient,
 *   otherPrimeInfos OPTIONAL }  (RFC 8017 A.1.2); the version has been
 * read (0; 1 is multi-prime, refused). */
static int pkcs1_rest(struct mote_der *seq, struct mote_x509_privkey *k)
{
    struct mote_rsa_private *r = &k->rsa;
    int err;
    if ((err = read_uint(seq, &r->pub.n, &r->pub.n_len)) < 0 ||
        (err = read_uint(seq, &r->pub.e, &r->pub.e_len)) < 0 ||
        (err = read_uint(seq, &k->rsa_d.ptr, &k->rsa_d.len)) < 0 ||
        (err = read_uint(seq, &r->p, &r->p_len)) < 0 ||
        (err = read_uint(seq, &r->q, &r->q_len)) < 0 ||
        (err = read_uint(seq, &r->dp, &r->dp_len)) < 0 ||
        (err = read_uint(seq, &r->dq, &r->dq_len)) < 0 ||
        (err = read_uint(seq, &r->qinv, &r->qinv_len)) < 0 ||
        (err = mote_der_finish(seq)) < 0)
        return err;
    if (mote_rsa_len(&r->pub) == 0) {
        k->reason = "RSA key size not supported (2048..4096 bits)";
        return MOTE_ENOTSUP; /* outside 2048..4096 bits, or even */
    }
    k->type = MOTE_X509_KEY_RSA;
    return 0;
}

static int pkcs1_read(struct mote_der *d, struct mote_x509_privkey *k)
{
    struct mote_der seq;
    struct mote_der_elem ver;
    int64_t v;
    int err;
    if ((err = mote_der_enter(d, MOTE_DER_SEQUENCE, &seq, NULL)) < 0 ||
        (err = mote_der_read_tag(&seq, MOTE_DER_INTEGER, &ver)) < 0 ||
        (err = mote_der_get_int64(&ver, &v)) < 0)
        return err;
    if (v == 1) {
        k->reason = "multi-prime RSA keys are not supported";
        return MOTE_ENOTSUP;
    }
    if (v != 0)
        return MOTE_EINVAL;
    return pkcs1_rest(&seq, k);
}

/* OneAsymmetricKey ::= SEQUENCE { version (0 or 1), privateKeyAlgorithm,
 *   privateKey OCTET STRING, attributes [0] IMPLICIT OPTIONAL,
 *   publicKey [1] IMPLICIT BIT STRING OPTIONAL (version 1 only) }
 *   (RFC 5958 section 2; RFC 5208 is version 0) */
static int pkcs8_rest(struct mote_der *seq, int64_t version,
                      struct mote_x509_privkey *k)
{
    struct mote_der_elem oid, params, priv, attrs, pub;
    struct mote_der inner;
    int err, has_pub;

    if ((err = algid_read(seq, &oid, &params, NULL)) < 0 ||
        (err = mote_der_read_tag(seq, MOTE_DER_OCTET_STRING, &priv)) < 0)
        return err;
    if ((err = mote_der_read_optional(seq, MOTE_DER_CTX_CONS(0), &attrs)) < 0)
        return err;
    has_pub = mote_der_read_optional(seq, MOTE_DER_CTX(1), &pub);
    if (has_pub < 0)
        return has_pub;
    if ((has_pub && version != 1) || (err = mote_der_finish(seq)) < 0)
        return MOTE_EINVAL;
    /* A BIT STRING under an IMPLICIT tag: check it as one. */
    if (has_pub) {
        const uint8_t *p;
        size_t n;
        if ((err = mote_der_get_bits_octets(&pub, &p, &n)) < 0)
            return err;
    }
    if ((err = mote_der_sub(seq, &priv, &inner)) < 0)
        return err;

    if (mote_der_oid_eq(&oid, X509_OID(OID_RSA_ENCRYPTION))) {
        if (params.tag != MOTE_DER_NULL || mote_der_get_null(&params) < 0 ||
            has_pub)
            return MOTE_EINVAL;
        if ((err = pkcs1_read(&inner, k)) < 0)
            return err;
        return mote_der_finish(&inner);
    }
    if (mote_der_oid_eq(&oid, X509_OID(OID_EC_PUBLIC_KEY))) {
        if (params.tag != MOTE_DER_OID || mote_der_get_oid(&params) < 0)
            return MOTE_EINVAL;
        enum mote_ec_curve c = curve_of(&params);
        if (c == MOTE_EC_NONE) {
            k->reason = curve_reason(&params);
            return MOTE_ENOTSUP;
        }
        if ((err = sec1_read(&inner, k, c)) < 0)
            return err;
        /* RFC 5958's publicKey, if given, is the same point. */
        if (has_pub) {
            const uint8_t *p;
            size_t n;
            mote_der_get_bits_octets(&pub, &p, &n);
            if (n != k->pub_len || memcmp(p, k->pub, n) != 0)
                return MOTE_EINVAL;
        }
        return mote_der_finish(&inner);
    }
    if (mote_der_oid_eq(&oid, X509_OID(OID_ED25519))) {
        /* RFC 8410 7: CurvePrivateKey ::= OCTET STRING (32 bytes). */
        struct mote_der_elem seed;
        if (params.tag != 0)
            return MOTE_EINVAL;
        if ((err = mote_der_read_tag(&inner, MOTE_DER_OCTET_STRING, &seed)) <
                0 ||
            (err = mote_der_finish(&inner)) < 0)
            return err;
        if (seed.len != MOTE_ED25519_SEED_LEN)
            return MOTE_EINVAL;
        k->type = MOTE_X509_KEY_ED25519;
        memcpy(k->scalar, seed.val, seed.len);
        k->scalar_len = seed.len;
        mote_ed25519_public(k->pub, k->scalar);
        k->pub_len = MOTE_ED25519_PUB_LEN;
        if (has_pub) {
            const uint8_t *p;
            size_t n;
            mote_der_get_bits_octets(&pub, &p, &n);
            if (n != k->pub_len || memcmp(p, k->pub, n) != 0)
                return MOTE_EINVAL;
        }
        return 0;
    }
    if (mote_der_oid_eq(&oid, X509_OID(OID_RSA_PSS)))
        k->reason = "RSA-PSS private keys are not supported";
    else
        k->reason = alg_reason(&oid);
    return MOTE_ENOTSUP;
}

int mote_x509_privkey_parse(struct mote_x509_privkey *k, const uint8_t *der,
                            size_t len, enum mote_x509_key_format *fmt)
{
    struct mote_der d, seq;
    struct mote_der_elem ver;
    enum mote_x509_key_format f = MOTE_X509_KEYFMT_NONE;
    int64_t v;
    int err, t;

    memset(k, 0, sizeof *k);
    mote_der_init(&d, der, len);
    if ((err = mote_der_enter(&d, MOTE_DER_SEQUENCE, &seq, NULL)) < 0 ||
        (err = mote_der_finish(&d)) < 0)
        goto out;
    /* EncryptedPrivateKeyInfo starts with an AlgorithmIdentifier. */
    t = mote_der_peek(&seq);
    if (t == (int)MOTE_DER_SEQUENCE) {
        k->reason = "encrypted private key not supported";
        err = MOTE_ENOTSUP;
        goto out;
    }
    if ((err = mote_der_read_tag(&seq, MOTE_DER_INTEGER, &ver)) < 0 ||
        (err = mote_der_get_int64(&ver, &v)) < 0)
        goto out;
    t = mote_der_peek(&seq);
    if (t == (int)MOTE_DER_SEQUENCE) {
        f = MOTE_X509_KEYFMT_PKCS8;
        err = v == 0 || v == 1 ? pkcs8_rest(&seq, v, k) : MOTE_EINVAL;
    } else if (t == (int)MOTE_DER_OCTET_STRING) {
        f = MOTE_X509_KEYFMT_SEC1;
        mote_der_init(&d, der, len);
        err = sec1_read(&d, k, MOTE_EC_NONE);
    } else if (t == (int)MOTE_DER_INTEGER) {
        f = MOTE_X509_KEYFMT_PKCS1;
        if (v == 1)
            k->reason = "multi-prime RSA keys are not supported";
        err = v == 0   ? pkcs1_rest(&seq, k)
              : v == 1 ? MOTE_ENOTSUP
                       : MOTE_EINVAL;
    } else {
        err = MOTE_EINVAL;
    }
out:
    if (err < 0) {
        const char *why = k->reason;
        mote_x509_privkey_clear(k);
        k->reason = why                   ? why
                    : err == MOTE_ENOTSUP ? "unsupported private key"
                                          : "malformed private key";
    }
    if (fmt)
        *fmt = err < 0 ? MOTE_X509_KEYFMT_NONE : f;
    return err;
}

int mote_x509_privkey_parse_pem(struct mote_x509_privkey *k, const char *pem,
                                size_t pem_len, uint8_t *buf, size_t cap,
                                enum mote_x509_key_format *fmt)
{
    struct mote_pem_iter it;
    struct mote_pem_block b;
    int r;
    memset(k, 0, sizeof *k);
    mote_pem_iter_init(&it, pem, pem_len);
    while ((r = mote_pem_next(&it, &b)) == 1) {
        if (mote_pem_label_is(&b, "ENCRYPTED PRIVATE KEY")) {
            k->reason = "encrypted private key not supported";
            return MOTE_ENOTSUP;
        }
        if (mote_pem_label_is(&b, "PRIVATE KEY") ||
            mote_pem_label_is(&b, "EC PRIVATE KEY") ||
            mote_pem_label_is(&b, "RSA PRIVATE KEY")) {
            size_t n;
            int err = mote_pem_decode(&b, buf, cap, &n);
            if (err < 0)
                return err;
            return mote_x509_privkey_parse(k, buf, n, fmt);
        }
    }
    return r < 0 ? r : MOTE_ENOENT;
}

void mote_x509_privkey_public(const struct mote_x509_privkey *k,
                              struct mote_x509_pubkey *pub)
{
    memset(pub, 0, sizeof *pub);
    pub->type = k->type;
    pub->curve = k->curve;
    if (k->type == MOTE_X509_KEY_RSA) {
        pub->rsa = k->rsa.pub;
        pub->alg_oid.ptr = (const uint8_t *)OID_RSA_ENCRYPTION;
        pub->alg_oid.len = sizeof OID_RSA_ENCRYPTION - 1;
    } else if (k->type == MOTE_X509_KEY_EC ||
               k->type == MOTE_X509_KEY_ED25519) {
        pub->point = k->pub;
        pub->point_len = k->pub_len;
        if (k->type == MOTE_X509_KEY_EC) {
            pub->alg_oid.ptr = (const uint8_t *)OID_EC_PUBLIC_KEY;
            pub->alg_oid.len = sizeof OID_EC_PUBLIC_KEY - 1;
        } else {
            pub->alg_oid.ptr = (const uint8_t *)OID_ED25519;
            pub->alg_oid.len = sizeof OID_ED25519 - 1;
        }
    }
}

void mote_x509_privkey_clear(struct mote_x509_privkey *k)
{
    mote_memzero_explicit(k, sizeof *k);
}

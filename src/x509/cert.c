/* Certificates (RFC 5280 4.1): the outer structure, the TBS fields and the
 * signature AlgorithmIdentifier. Extensions are in ext.c. */
#include <string.h>

#include <mote/error.h>
#include <mote/x509.h>

#include "x509_int.h"

/* ---- Signature algorithms --------------------------------------------------
 */

static const struct {
    const uint8_t *oid;
    size_t oid_len;
    enum mote_x509_sig_alg alg;
    enum mote_hash_alg hash;
} sig_algs[] = {
    {X509_OID(OID_SHA1_RSA), MOTE_X509_SIG_RSA_PKCS1, MOTE_HASH_SHA1},
    {X509_OID(OID_SHA256_RSA), MOTE_X509_SIG_RSA_PKCS1, MOTE_HASH_SHA256},
    {X509_OID(OID_SHA384_RSA), MOTE_X509_SIG_RSA_PKCS1, MOTE_HASH_SHA384},
    {X509_OID(OID_SHA512_RSA), MOTE_X509_SIG_RSA_PKCS1, MOTE_HASH_SHA512},
    {X509_OID(OID_ECDSA_SHA256), MOTE_X509_SIG_ECDSA, MOTE_HASH_SHA256},
    {X509_OID(OID_ECDSA_SHA384), MOTE_X509_SIG_ECDSA, MOTE_HASH_SHA384},
    {X509_OID(OID_ECDSA_SHA512), MOTE_X509_SIG_ECDSA, MOTE_HASH_SHA512},
    {X509_OID(OID_ED25519), MOTE_X509_SIG_ED25519, MOTE_HASH_NONE},
};

static const struct {
    const uint8_t *oid;
    size_t oid_len;
    enum mote_hash_alg hash;
} hash_algs[] = {
    {X509_OID(OID_SHA1), MOTE_HASH_SHA1},
    {X509_OID(OID_SHA256), MOTE_HASH_SHA256},
    {X509_OID(OID_SHA384), MOTE_HASH_SHA384},
    {X509_OID(OID_SHA512), MOTE_HASH_SHA512},
};

/* A hash AlgorithmIdentifier inside PSS parameters: the OID and NULL
 * parameters (what every producer writes; RFC 4055 2.1 also allows them
 * absent, which we refuse so that re-encoding is exact). */
static int hash_algid_read(struct mote_der *d, enum mote_hash_alg *h)
{
    struct mote_der seq;
    struct mote_der_elem oid, null;
    int err;
    if ((err = mote_der_enter(d, MOTE_DER_SEQUENCE, &seq, NULL)) < 0 ||
        (err = mote_der_read_tag(&seq, MOTE_DER_OID, &oid)) < 0 ||
        (err = mote_der_read_tag(&seq, MOTE_DER_NULL, &null)) < 0 ||
        (err = mote_der_get_null(&null)) < 0 ||
        (err = mote_der_finish(&seq)) < 0)
        return err;
    for (size_t i = 0; i < sizeof hash_algs / sizeof hash_algs[0]; i++)
        if (mote_der_oid_eq(&oid, hash_algs[i].oid, hash_algs[i].oid_len)) {
            *h = hash_algs[i].hash;
            return 0;
        }
    return MOTE_ENOTSUP;
}

static void hash_algid_put(struct mote_der_writer *w, enum mote_hash_alg h)
{
    mote_der_put_begin(w, MOTE_DER_SEQUENCE);
    for (size_t i = 0; i < sizeof hash_algs / sizeof hash_algs[0]; i++)
        if (hash_algs[i].hash == h)
            mote_der_put_oid(w, hash_algs[i].oid, hash_algs[i].oid_len);
    mote_der_put_null(w);
    mote_der_put_end(w);
}

/* RSASSA-PSS-params ::= SEQUENCE {
 *   hashAlgorithm [0] HashAlgorithm DEFAULT sha1,
 *   maskGenAlgorithm [1] MaskGenAlgorithm DEFAULT mgf1SHA1,
 *   saltLength [2] INTEGER DEFAULT 20,
 *   trailerField [3] TrailerField DEFAULT trailerFieldBC }  (RFC 4055 3.1)
 * DER omits values equal to their DEFAULT (X.690 11.5). */
static int pss_params_read(struct mote_der *d, struct mote_x509_sigalg *a)
{
    struct mote_der seq, ctx, mgf;
    struct mote_der_elem e;
    int64_t v;
    int err, has;

    a->hash = MOTE_HASH_SHA1;
    a->mgf_hash = MOTE_HASH_SHA1;
    a->salt_len = 20;
    if ((err = mote_der_enter(d, MOTE_DER_SEQUENCE, &seq, NULL)) < 0)
        return err;
    if ((has = mote_der_read_optional(&seq, MOTE_DER_CTX_CONS(0), &e)) < 0)
        return has;
    if (has) {
        if ((err = mote_der_sub(&seq, &e, &ctx)) < 0 ||
            (err = hash_algid_read(&ctx, &a->hash)) < 0 ||
            (err = mote_der_finish(&ctx)) < 0)
            return err;
        if (a->hash == MOTE_HASH_SHA1)
            return MOTE_EINVAL; /* the DEFAULT, encoded */
    }
    if ((has = mote_der_read_optional(&seq, MOTE_DER_CTX_CONS(1), &e)) < 0)
        return has;
    if (has) {
        struct mote_der_elem oid;
        if ((err = mote_der_sub(&seq, &e, &ctx)) < 0 ||
            (err = mote_der_enter(&ctx, MOTE_DER_SEQUENCE, &mgf, NULL)) < 0 ||
            (err = mote_der_finish(&ctx)) < 0 ||
            (err = mote_der_read_tag(&mgf, MOTE_DER_OID, &oid)) < 0)
            return err;
        if (!mote_der_oid_eq(&oid, X509_OID(OID_MGF1)))
            return MOTE_ENOTSUP;
        if ((err = hash_algid_read(&mgf, &a->mgf_hash)) < 0 ||
            (err = mote_der_finish(&mgf)) < 0)
            return err;
        if (a->mgf_hash == MOTE_HASH_SHA1)
            return MOTE_EINVAL;
    }
    if ((has = mote_der_read_optional(&seq, MOTE_DER_CTX_CONS(2), &e)) < 0)
        return has;
    if (has) {
        if ((err = mote_der_sub(&seq, &e, &ctx)) < 0 ||
            (err = mote_der_read_tag(&ctx, MOTE_DER_INTEGER, &e)) < 0 ||
            (err = mote_der_get_int64(&e, &v)) < 0 ||
            (err = mote_der_finish(&ctx)) < 0)
            return err;
        if (v < 0 || v > 1024 || v == 20)
            return MOTE_EINVAL;
        a->salt_len = (size_t)v;
    }
    /* trailerField: only 1 exists, which is the DEFAULT: never present. */
    if ((err = mote_der_finish(&seq)) < 0)
        return err;
    return 0;
}

int mote_x509_sigalg_parse(struct mote_x509_sigalg *a,
                           const struct mote_der_elem *e)
{
    struct mote_der d, seq;
    struct mote_der_elem oid, params;
    int err;

    memset(a, 0, sizeof *a);
    if (e->tag != MOTE_DER_SEQUENCE)
        return MOTE_EINVAL;
    mote_der_init(&d, e->raw, e->raw_len);
    if ((err = mote_der_enter(&d, MOTE_DER_SEQUENCE, &seq, NULL)) < 0 ||
        (err = mote_der_read_tag(&seq, MOTE_DER_OID, &oid)) < 0 ||
        (err = mote_der_get_oid(&oid)) < 0)
        return err;
    if (mote_der_oid_eq(&oid, X509_OID(OID_RSA_PSS))) {
        a->alg = MOTE_X509_SIG_RSA_PSS;
        if ((err = pss_params_read(&seq, a)) < 0)
            return err;
        return mote_der_finish(&seq);
    }
    for (size_t i = 0; i < sizeof sig_algs / sizeof sig_algs[0]; i++) {
        if (!mote_der_oid_eq(&oid, sig_algs[i].oid, sig_algs[i].oid_len))
            continue;
        a->alg = sig_algs[i].alg;
        a->hash = sig_algs[i].hash;
        if (a->alg == MOTE_X509_SIG_RSA_PKCS1) {
            /* RFC 4055 5 / RFC 3279 2.2.1: parameters NULL. */
            if ((err = mote_der_read_tag(&seq, MOTE_DER_NULL, &params)) < 0 ||
                (err = mote_der_get_null(&params)) < 0)
                return err;
        }
        /* ECDSA (RFC 5758 3.2) and Ed25519 (RFC 8410 3): absent. */
        return mote_der_finish(&seq);
    }
    memset(a, 0, sizeof *a);
    return MOTE_ENOTSUP;
}

void mote_x509_sigalg_put(struct mote_der_writer *w,
                          const struct mote_x509_sigalg *a)
{
    mote_der_put_begin(w, MOTE_DER_SEQUENCE);
    if (a->alg == MOTE_X509_SIG_RSA_PSS) {
        mote_der_put_oid(w, X509_OID(OID_RSA_PSS));
        mote_der_put_begin(w, MOTE_DER_SEQUENCE);
        if (a->hash != MOTE_HASH_SHA1) {
            mote_der_put_begin(w, MOTE_DER_CTX_CONS(0));
            hash_algid_put(w, a->hash);
            mote_der_put_end(w);
        }
        if (a->mgf_hash != MOTE_HASH_SHA1) {
            mote_der_put_begin(w, MOTE_DER_CTX_CONS(1));
            mote_der_put_begin(w, MOTE_DER_SEQUENCE);
            mote_der_put_oid(w, X509_OID(OID_MGF1));
            hash_algid_put(w, a->mgf_hash);
            mote_der_put_end(w);
            mote_der_put_end(w);
        }
        if (a->salt_len != 20) {
            mote_der_put_begin(w, MOTE_DER_CTX_CONS(2));
            mote_der_put_int64(w, (int64_t)a->salt_len);
            mote_der_put_end(w);
        }
        mote_der_put_end(w);
    } else {
        size_t i, n = sizeof sig_algs / sizeof sig_algs[0];
        for (i = 0; i < n; i++)
            if (sig_algs[i].alg == a->alg && sig_algs[i].hash == a->hash)
                break;
        if (i == n) {
            mote_der_put_tlv(w, 0x1F, NULL, 0); /* fails the writer */
        } else {
            mote_der_put_oid(w, sig_algs[i].oid, sig_algs[i].oid_len);
            if (a->alg == MOTE_X509_SIG_RSA_PKCS1)
                mote_der_put_null(w);
        }
    }
    mote_der_put_end(w);
}

/* ---- Certificate -----------------------------------------------------------
 */

static int fail(struct mote_x509_cert *c, int err, const char *why)
{
    c->reason = why;
    return err;
}

void mote_x509_cert_init(struct mote_x509_cert *cert)
{
    memset(cert, 0, sizeof *cert);
    cert->version = 3;
    cert->path_len = -1;
    cert->require_explicit_policy = -1;
    cert->inhibit_policy_mapping = -1;
    cert->inhibit_any_policy = -1;
    for (int i = 0; i < MOTE_X509_EXT_COUNT_; i++)
        cert->ext_index[i] = -1;
}

int mote_x509_cert_add_ext(struct mote_x509_cert *cert,
                           enum mote_x509_ext_id id, bool critical)
{
    if (id <= MOTE_X509_EXT_OTHER || id >= MOTE_X509_EXT_COUNT_ ||
        cert->ext_index[id] >= 0)
        return MOTE_EINVAL;
    if (cert->ext_count >= MOTE_X509_MAX_EXTS)
        return MOTE_ENOSPC;
    struct mote_x509_ext *x = &cert->exts[cert->ext_count];
    memset(x, 0, sizeof *x);
    x->id = id;
    x->critical = critical;
    cert->ext_index[id] = (int)cert->ext_count++;
    return 0;
}

/* Validity ::= SEQUENCE { notBefore Time, notAfter Time } (4.1.2.5). */
static int time_read(struct mote_der *d, int64_t *t, unsigned *tag)
{
    struct mote_der_elem e;
    int err = mote_der_read(d, &e);
    if (err < 0)
        return err;
    if ((err = mote_der_get_time(&e, t)) < 0)
        return err;
    /* GeneralizedTime before 2050 breaks a MUST of 4.1.2.5, but a root in
     * the Mozilla bundle (Certum Trusted Network CA 2) does it: accepted,
     * and the tag kept so that re-encoding gives the same bytes. */
    *tag = e.tag;
    return 0;
}

static int uid_read(struct mote_der *d, unsigned tag, struct mote_x509_slice *s,
                    unsigned *unused)
{
    struct mote_der_elem e;
    int has = mote_der_read_optional(d, tag, &e);
    if (has <= 0)
        return has;
    int err = mote_der_get_bits(&e, &s->ptr, &s->len, unused);
    return err < 0 ? err : 1;
}

int mote_x509_cert_parse(struct mote_x509_cert *cert, const uint8_t *der,
                         size_t len)
{
    struct mote_der top, crt, tbs, sub;
    struct mote_der_elem tbs_e, e, alg_in, alg_out;
    int64_t v;
    int err, has;

    mote_x509_cert_init(cert);
    if (len > MOTE_X509_MAX_DER)
        return fail(cert, MOTE_EMSGSIZE, "certificate too large");
    mote_der_init(&top, der, len);
    if ((err = mote_der_enter(&top, MOTE_DER_SEQUENCE, &crt, &e)) < 0)
        return fail(cert, err, "not a DER SEQUENCE");
    if ((err = mote_der_finish(&top)) < 0)
        return fail(cert, err, "trailing bytes after the certificate");
    cert->der.ptr = e.raw;
    cert->der.len = e.raw_len;
    if ((err = mote_der_enter(&crt, MOTE_DER_SEQUENCE, &tbs, &tbs_e)) < 0)
        return fail(cert, err, "bad tbsCertificate");
    cert->tbs.ptr = tbs_e.raw;
    cert->tbs.len = tbs_e.raw_len;

    /* version [0] EXPLICIT INTEGER DEFAULT v1 (4.1.2.1). */
    cert->version = 1;
    has = mote_der_read_optional(&tbs, MOTE_DER_CTX_CONS(0), &e);
    if (has < 0)
        return fail(cert, has, "bad version");
    if (has) {
        struct mote_der_elem ve;
        if ((err = mote_der_sub(&tbs, &e, &sub)) < 0 ||
            (err = mote_der_read_tag(&sub, MOTE_DER_INTEGER, &ve)) < 0 ||
            (err = mote_der_get_int64(&ve, &v)) < 0 ||
            (err = mote_der_finish(&sub)) < 0)
            return fail(cert, err < 0 ? err : MOTE_EINVAL, "bad version");
        /* v1 is the DEFAULT: DER omits it. */
        if (v != 1 && v != 2)
            return fail(cert, MOTE_EINVAL, "bad version");
        cert->version = (int)v + 1;
    }

    /* serialNumber (4.1.2.2): minimal; at most 20 octets of magnitude. */
    if ((err = mote_der_read_tag(&tbs, MOTE_DER_INTEGER, &e)) < 0 ||
        (err = mote_der_get_int_check(&e)) < 0)
        return fail(cert, err, "bad serial number");
    if (e.len > 21 || (e.len == 21 && e.val[0] != 0))
        return fail(cert, MOTE_EINVAL, "serial number longer than 20 octets");
    cert->serial.ptr = e.val;
    cert->serial.len = e.len;

    /* signature (4.1.2.3), equal to signatureAlgorithm (4.1.1.2). */
    if ((err = mote_der_read_tag(&tbs, MOTE_DER_SEQUENCE, &alg_in)) < 0)
        return fail(cert, err, "bad signature algorithm");
    if ((err = mote_x509_sigalg_parse(&cert->sig_alg, &alg_in)) < 0)
        return fail(cert, err,
                    err == MOTE_ENOTSUP ? "unsupported signature algorithm"
                                        : "bad signature algorithm");

    if ((err = mote_der_read_tag(&tbs, MOTE_DER_SEQUENCE, &e)) < 0 ||
        (err = mote_x509_name_parse(&cert->issuer, e.raw, e.raw_len)) < 0)
        return fail(cert, err, "bad issuer name");
    /* An empty issuer is not allowed (4.1.2.4). */
    if (e.len == 0)
        return fail(cert, MOTE_EINVAL, "empty issuer name");

    if ((err = mote_der_enter(&tbs, MOTE_DER_SEQUENCE, &sub, NULL)) < 0 ||
        (err = time_read(&sub, &cert->not_before, &cert->not_before_tag)) < 0 ||
        (err = time_read(&sub, &cert->not_after, &cert->not_after_tag)) < 0 ||
        (err = mote_der_finish(&sub)) < 0)
        return fail(cert, err, "bad validity");

    if ((err = mote_der_read_tag(&tbs, MOTE_DER_SEQUENCE, &e)) < 0 ||
        (err = mote_x509_name_parse(&cert->subject, e.raw, e.raw_len)) < 0)
        return fail(cert, err, "bad subject name");

    /* An unknown key algorithm is not a parse failure (type UNKNOWN). */
    err = x509__spki_read(&tbs, &cert->pubkey);
    if (err < 0 && !(err == MOTE_ENOTSUP && cert->pubkey.spki.ptr))
        return fail(cert, err, "bad subject public key");

    /* Unique identifiers (4.1.2.8): only in v2 and v3. */
    if ((has = uid_read(&tbs, MOTE_DER_CTX(1), &cert->issuer_uid,
                        &cert->issuer_uid_unused)) < 0)
        return fail(cert, has, "bad issuerUniqueID");
    if (has && cert->version < 2)
        return fail(cert, MOTE_EINVAL, "issuerUniqueID in a v1 certificate");
    if ((has = uid_read(&tbs, MOTE_DER_CTX(2), &cert->subject_uid,
                        &cert->subject_uid_unused)) < 0)
        return fail(cert, has, "bad subjectUniqueID");
    if (has && cert->version < 2)
        return fail(cert, MOTE_EINVAL, "subjectUniqueID in a v1 certificate");

    /* extensions [3] EXPLICIT (4.1.2.9): only in v3, never empty. */
    has = mote_der_read_optional(&tbs, MOTE_DER_CTX_CONS(3), &e);
    if (has < 0)
        return fail(cert, has, "bad extensions");
    if (has) {
        struct mote_der list;
        if (cert->version != 3)
            return fail(cert, MOTE_EINVAL, "extensions in a v1/v2 certificate");
        if ((err = mote_der_sub(&tbs, &e, &sub)) < 0 ||
            (err = mote_der_enter(&sub, MOTE_DER_SEQUENCE, &list, NULL)) < 0 ||
            (err = mote_der_finish(&sub)) < 0)
            return fail(cert, err, "bad extensions");
        if (mote_der_at_end(&list))
            return fail(cert, MOTE_EINVAL, "empty extensions");
        if ((err = x509__exts_parse(cert, &list)) < 0)
            return err; /* reason set there */
    }
    if ((err = mote_der_finish(&tbs)) < 0)
        return fail(cert, err, "trailing data in tbsCertificate");
    /* 4.1.2.6: an empty subject needs a subjectAltName marked critical. */
    if (cert->subject.len == 2) {
        int si = cert->ext_index[MOTE_X509_EXT_SUBJECT_ALT_NAME];
        if (si < 0 || !cert->exts[si].critical)
            return fail(cert, MOTE_EINVAL,
                        "empty subject without a critical subjectAltName");
    }

    if ((err = mote_der_read_tag(&crt, MOTE_DER_SEQUENCE, &alg_out)) < 0)
        return fail(cert, err, "bad signatureAlgorithm");
    if (alg_out.raw_len != alg_in.raw_len ||
        memcmp(alg_out.raw, alg_in.raw, alg_in.raw_len) != 0)
        return fail(cert, MOTE_EINVAL,
                    "signatureAlgorithm differs from tbsCertificate.signature");
    if ((err = mote_der_read_tag(&crt, MOTE_DER_BIT_STRING, &e)) < 0 ||
        (err = mote_der_get_bits_octets(&e, &cert->sig.ptr, &cert->sig.len)) <
            0)
        return fail(cert, err, "bad signatureValue");
    if ((err = mote_der_finish(&crt)) < 0)
        return fail(cert, err, "trailing data in the certificate");
    return 0;
}

int mote_x509_cert_next_pem(struct mote_pem_iter *it,
                            struct mote_x509_cert *cert, uint8_t *buf,
                            size_t cap)
{
    struct mote_pem_block b;
    int r;
    while ((r = mote_pem_next(it, &b)) == 1) {
        if (!mote_pem_label_is(&b, "CERTIFICATE"))
            continue;
        size_t n;
        int err = mote_pem_decode(&b, buf, cap, &n);
        if (err < 0)
            return err;
        err = mote_x509_cert_parse(cert, buf, n);
        return err < 0 ? err : 1;
    }
    return r;
}

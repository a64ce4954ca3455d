/* X.509 generation: PKCS#10 certificate signing requests (RFC 2986), written
 * and parsed with their self-signature checked. */
#include <string.h>

#include <mote/der.h>
#include <mote/error.h>
#include <mote/x509.h>
#include <mote/x509_gen.h>

#include "gen_int.h"
#include "verify_int.h"
#include "x509_int.h"

/*
 * CertificationRequest ::= SEQUENCE {
 *     certificationRequestInfo SEQUENCE {
 *         version       INTEGER { v1(0) },
 *         subject       Name,
 *         subjectPKInfo SubjectPublicKeyInfo,
 *         attributes    [0] IMPLICIT SET OF Attribute },
 *     signatureAlgorithm AlgorithmIdentifier,
 *     signature          BIT STRING }
 *
 * Attribute ::= SEQUENCE { type OID, values SET SIZE(1..MAX) OF ANY }
 *
 * The SANs travel in a PKCS#9 extensionRequest attribute (RFC 2985 5.4.2)
 * whose single value is an X.509 Extensions SEQUENCE.
 */

/* 1.2.840.113549.1.9.14 pkcs-9-at-extensionRequest */
#define OID_EXTENSION_REQUEST "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x0e"

int mote_x509_gen_csr_write(const struct mote_x509_gen_csr *csr,
                            const struct mote_x509_privkey *key, uint8_t *out,
                            size_t cap, size_t *len, mote_pk_rng_fn rng,
                            void *rng_ctx)
{
    struct mote_x509_sigalg alg;
    struct mote_x509_name subject;
    int err = x509__gen_sigalg(key, &csr->sigalg, &alg);
    if (err != 0)
        return err;
    if (csr->subject_der && mote_x509_name_parse(&subject, csr->subject_der,
                                                 csr->subject_der_len) != 0)
        return MOTE_EINVAL;
    if (csr->nsan > MOTE_X509_GEN_MAX_SAN)
        return MOTE_EINVAL;
    struct mote_x509_pubkey pub;
    mote_x509_privkey_public(key, &pub);

    struct mote_der_writer w;
    mote_der_writer_init(&w, out, cap);
    mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
    size_t info_start = w.len;
    mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
    mote_der_put_int64(&w, 0);
    if (csr->subject_der)
        mote_der_put_raw(&w, csr->subject_der, csr->subject_der_len);
    else if ((err = x509__gen_put_name(&w, &csr->subject)) != 0)
        return err;
    mote_x509_pubkey_put(&w, &pub);
    /* attributes: always present (RFC 2986 4.1 has no OPTIONAL), perhaps
     * empty. */
    mote_der_put_begin(&w, MOTE_DER_CTX_CONS(0));
    if (csr->nsan) {
        mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
        mote_der_put_oid(&w, X509_OID(OID_EXTENSION_REQUEST));
        mote_der_put_begin(&w, MOTE_DER_SET);
        mote_der_put_begin(&w, MOTE_DER_SEQUENCE); /* Extensions */
        mote_der_put_begin(&w, MOTE_DER_SEQUENCE); /* Extension */
        mote_der_put_oid(&w, X509_OID(OID_EXT_SAN));
        mote_der_put_begin(&w, MOTE_DER_OCTET_STRING);
        if ((err = x509__gen_put_general_names(&w, csr->san, csr->nsan)) != 0)
            return err;
        mote_der_put_end(&w);
        mote_der_put_end(&w);
        mote_der_put_end(&w);
        mote_der_put_end(&w);
        mote_der_put_end(&w);
    }
    mote_der_put_end(&w);
    mote_der_put_end(&w);
    if ((err = x509__gen_sign_close(&w, info_start, key, &alg, rng, rng_ctx)) !=
        0)
        return err;
    return x509__gen_finish(&w, len);
}

/* Fail with a reason. */
static int bad(struct mote_x509_csr *csr, int err, const char *why)
{
    csr->reason = why;
    return err;
}

/* The SubjectAltName extension value: GeneralNames ::= SEQUENCE SIZE
 * (1..MAX) OF GeneralName. */
static int parse_san(struct mote_x509_csr *csr, const struct mote_der *parent,
                     const struct mote_der_elem *value)
{
    struct mote_der v, names;
    struct mote_der_elem e;
    int err;
    if (csr->san_der.ptr)
        return bad(csr, MOTE_EINVAL, "subjectAltName requested twice");
    if ((err = mote_der_sub(parent, value, &v)) != 0 ||
        (err = mote_der_enter(&v, MOTE_DER_SEQUENCE, &names, &e)) != 0 ||
        (err = mote_der_finish(&v)) != 0)
        return bad(csr, err, "malformed subjectAltName");
    csr->san_der.ptr = e.raw;
    csr->san_der.len = e.raw_len;
    if (mote_der_at_end(&names))
        return bad(csr, MOTE_EINVAL, "empty subjectAltName");
    while (!mote_der_at_end(&names)) {
        if ((err = mote_der_read(&names, &e)) != 0)
            return bad(csr, err, "malformed subjectAltName");
        if (csr->san_count == MOTE_X509_MAX_SAN)
            return bad(csr, MOTE_ENOSPC, "too many subjectAltNames");
        if ((err = x509__gn_parse(&names, &e, &csr->san[csr->san_count],
                                  false)) != 0)
            return bad(csr, err, "malformed GeneralName");
        csr->san_count++;
    }
    return 0;
}

/* The value of an extensionRequest: Extensions ::= SEQUENCE SIZE (1..MAX)
 * OF Extension. */
static int parse_ext_request(struct mote_x509_csr *csr, struct mote_der *values)
{
    struct mote_der exts, ext;
    struct mote_der_elem oid, crit, value;
    int err;
    if ((err = mote_der_enter(values, MOTE_DER_SEQUENCE, &exts, NULL)) != 0 ||
        (err = mote_der_finish(values)) != 0)
        return bad(csr, MOTE_EINVAL, "extensionRequest needs one value");
    if (mote_der_at_end(&exts))
        return bad(csr, MOTE_EINVAL, "empty extensionRequest");
    while (!mote_der_at_end(&exts)) {
        bool critical = false;
        if ((err = mote_der_enter(&exts, MOTE_DER_SEQUENCE, &ext, NULL)) != 0 ||
            (err = mote_der_read_tag(&ext, MOTE_DER_OID, &oid)) != 0 ||
            (err = mote_der_get_oid(&oid)) != 0)
            return bad(csr, MOTE_EINVAL, "malformed extension");
        err = mote_der_read_optional(&ext, MOTE_DER_BOOLEAN, &crit);
        if (err < 0 || (err == 1 && mote_der_get_bool(&crit, &critical) != 0))
            return bad(csr, MOTE_EINVAL, "malformed extension");
        /* DER: a DEFAULT value is never encoded (X.690 11.5). */
        if (err == 1 && !critical)
            return bad(csr, MOTE_EINVAL, "critical FALSE encoded");
        if ((err = mote_der_read_tag(&ext, MOTE_DER_OCTET_STRING, &value)) !=
                0 ||
            (err = mote_der_finish(&ext)) != 0)
            return bad(csr, MOTE_EINVAL, "malformed extension");
        if (mote_der_oid_eq(&oid, X509_OID(OID_EXT_SAN))) {
            if ((err = parse_san(csr, &ext, &value)) != 0)
                return err;
        } else if (critical) {
            return bad(csr, MOTE_ENOTSUP, "unknown critical extension");
        }
    }
    return 0;
}

int mote_x509_csr_parse(struct mote_x509_csr *csr, const uint8_t *der,
                        size_t len)
{
    struct mote_der top, req, info, attrs, attr, values;
    struct mote_der_elem e, info_e, sig_alg;
    int64_t version;
    int err;
    memset(csr, 0, sizeof(*csr));
    if (len > MOTE_X509_CSR_MAX)
        return bad(csr, MOTE_EMSGSIZE, "request too long");
    mote_der_init(&top, der, len);
    if ((err = mote_der_enter(&top, MOTE_DER_SEQUENCE, &req, &e)) != 0 ||
        (err = mote_der_finish(&top)) != 0)
        return bad(csr, MOTE_EINVAL, "not a DER SEQUENCE");
    csr->der.ptr = e.raw;
    csr->der.len = e.raw_len;
    if ((err = mote_der_enter(&req, MOTE_DER_SEQUENCE, &info, &info_e)) != 0)
        return bad(csr, MOTE_EINVAL, "malformed CertificationRequestInfo");
    csr->info.ptr = info_e.raw;
    csr->info.len = info_e.raw_len;
    if (mote_der_read_tag(&info, MOTE_DER_INTEGER, &e) != 0 ||
        mote_der_get_int64(&e, &version) != 0)
        return bad(csr, MOTE_EINVAL, "malformed version");
    if (version != 0)
        return bad(csr, MOTE_ENOTSUP, "version is not v1 (0)");
    if (mote_der_read_tag(&info, MOTE_DER_SEQUENCE, &e) != 0 ||
        mote_x509_name_parse(&csr->subject, e.raw, e.raw_len) != 0)
        return bad(csr, MOTE_EINVAL, "malformed subject");
    if (mote_der_read_tag(&info, MOTE_DER_SEQUENCE, &e) != 0)
        return bad(csr, MOTE_EINVAL, "malformed subjectPKInfo");
    /* An id-RSASSA-PSS key parses as UNKNOWN; the verifier's helper turns
     * it into the RSA key it is. */
    err = mote_x509_pubkey_parse(&csr->pubkey, e.raw, e.raw_len);
    if (err == MOTE_ENOTSUP && x509__pubkey_usable(&csr->pubkey) == 0)
        err = 0;
    if (err != 0)
        return bad(csr, err == MOTE_ENOTSUP ? err : MOTE_EINVAL,
                   err == MOTE_ENOTSUP ? "unsupported public key"
                                       : "malformed subjectPKInfo");
    /* Attributes: RFC 2986 makes the [0] mandatory, but some encoders drop
     * it when empty; its absence changes nothing, so it is accepted. */
    err = mote_der_read_optional(&info, MOTE_DER_CTX_CONS(0), &e);
    if (err < 0)
        return bad(csr, MOTE_EINVAL, "malformed attributes");
    if (err == 1) {
        if (mote_der_sub(&info, &e, &attrs) != 0)
            return bad(csr, MOTE_EINVAL, "malformed attributes");
        bool seen = false;
        while (!mote_der_at_end(&attrs)) {
            struct mote_der_elem type;
            if (mote_der_enter(&attrs, MOTE_DER_SEQUENCE, &attr, NULL) != 0 ||
                mote_der_read_tag(&attr, MOTE_DER_OID, &type) != 0 ||
                mote_der_get_oid(&type) != 0 ||
                mote_der_enter(&attr, MOTE_DER_SET, &values, NULL) != 0 ||
                mote_der_finish(&attr) != 0 || mote_der_at_end(&values))
                return bad(csr, MOTE_EINVAL, "malformed attribute");
            if (!mote_der_oid_eq(&type, X509_OID(OID_EXTENSION_REQUEST)))
                continue; /* challengePassword and friends: not ours */
            if (seen)
                return bad(csr, MOTE_EINVAL, "extensionRequest twice");
            seen = true;
            if ((err = parse_ext_request(csr, &values)) != 0)
                return err;
        }
    }
    if (mote_der_finish(&info) != 0)
        return bad(csr, MOTE_EINVAL, "trailing bytes in request info");
    if (mote_der_read_tag(&req, MOTE_DER_SEQUENCE, &sig_alg) != 0)
        return bad(csr, MOTE_EINVAL, "malformed signatureAlgorithm");
    if ((err = mote_x509_sigalg_parse(&csr->sig_alg, &sig_alg)) != 0)
        return bad(csr, err, "unsupported signature algorithm");
    if (mote_der_read_tag(&req, MOTE_DER_BIT_STRING, &e) != 0 ||
        mote_der_get_bits_octets(&e, &csr->sig.ptr, &csr->sig.len) != 0 ||
        mote_der_finish(&req) != 0)
        return bad(csr, MOTE_EINVAL, "malformed signature");
    /* The same check the path validator makes (verify.c). */
    switch (x509__check_sig(&csr->pubkey, &csr->sig_alg, csr->info, csr->sig)) {
    case MOTE_X509_OK:
        return 0;
    case MOTE_X509_UNSUPPORTED_ALG:
        return bad(csr, MOTE_ENOTSUP, "unsupported signature algorithm");
    default:
        return bad(csr, MOTE_EAUTH, "bad signature");
    }
}

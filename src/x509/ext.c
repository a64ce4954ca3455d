/* Certificate extensions (RFC 5280 4.2): parse the known ones into the
 * cert's fields, and write them back from those fields. */
#include <stdint.h>
#include <string.h>

#include <mote/error.h>
#include <mote/x509.h>

#include "x509_int.h"

static int fail(struct mote_x509_cert *c, int err, const char *why)
{
    c->reason = why;
    return err;
}

static bool ia5_ok(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] >= 0x80)
            return false;
    return true;
}

/* ---- GeneralName ------------------------------------------------------------
 */

int x509__gn_parse(const struct mote_der *parent, const struct mote_der_elem *e,
                   struct mote_x509_gn *gn, bool subtree)
{
    unsigned num = e->tag & 0x1Fu;
    bool cons = e->tag & MOTE_DER_CONSTRUCTED;
    struct mote_der sub;
    struct mote_der_elem inner;
    int err;

    if ((e->tag & MOTE_DER_CLASS_MASK) != MOTE_DER_CONTEXT || num > 8)
        return MOTE_EINVAL;
    gn->type = (enum mote_x509_gn_type)num;
    gn->val = e->val;
    gn->len = e->len;
    switch (num) {
    case MOTE_X509_GN_OTHER: /* SEQUENCE contents, IMPLICIT */
    case MOTE_X509_GN_X400:
    case MOTE_X509_GN_EDI:
        return cons ? 0 : MOTE_EINVAL;
    case MOTE_X509_GN_DIR: /* EXPLICIT Name (a CHOICE) */
        if (!cons)
            return MOTE_EINVAL;
        if ((err = mote_der_sub(parent, e, &sub)) < 0 ||
            (err = mote_der_read_tag(&sub, MOTE_DER_SEQUENCE, &inner)) < 0 ||
            (err = mote_der_finish(&sub)) < 0)
            return err;
        struct mote_x509_name name;
        return mote_x509_name_parse(&name, inner.raw, inner.raw_len);
    case MOTE_X509_GN_EMAIL:
    case MOTE_X509_GN_DNS:
    case MOTE_X509_GN_URI:
        return !cons && ia5_ok(e->val, e->len) ? 0 : MOTE_EINVAL;
    case MOTE_X509_GN_IP:
        if (cons)
            return MOTE_EINVAL;
        if (subtree)
            return e->len == 8 || e->len == 32 ? 0 : MOTE_EINVAL;
        return e->len == 4 || e->len == 16 ? 0 : MOTE_EINVAL;
    default: /* RID: an OID */
        if (cons)
            return MOTE_EINVAL;
        return mote_der_get_oid(e);
    }
}

void x509__gn_put(struct mote_der_writer *w, const struct mote_x509_gn *gn)
{
    unsigned t = (unsigned)gn->type;
    bool cons = t == MOTE_X509_GN_OTHER || t == MOTE_X509_GN_X400 ||
                t == MOTE_X509_GN_DIR || t == MOTE_X509_GN_EDI;
    mote_der_put_tlv(w, cons ? MOTE_DER_CTX_CONS(t) : MOTE_DER_CTX(t), gn->val,
                     gn->len);
}

/* GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName, as the contents
 * of the cursor d; into gns (at most max), or only checked if gns NULL. */
static int gns_read(struct mote_der *d, struct mote_x509_gn *gns, unsigned max,
                    unsigned *count)
{
    unsigned n = 0;
    if (mote_der_at_end(d))
        return MOTE_EINVAL;
    while (!mote_der_at_end(d)) {
        struct mote_der_elem e;
        struct mote_x509_gn gn;
        int err = mote_der_read(d, &e);
        if (err < 0)
            return err;
        if ((err = x509__gn_parse(d, &e, &gn, false)) < 0)
            return err;
        if (gns) {
            if (n >= max)
                return MOTE_ENOSPC;
            gns[n] = gn;
        }
        n++;
    }
    if (count)
        *count = n;
    return 0;
}

/* ---- The extensions, one parser each --------------------------------------
 * Each gets a cursor over the extnValue contents and must consume it. */

/* BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE,
 *   pathLenConstraint INTEGER (0..MAX) OPTIONAL }  (4.2.1.9) */
static int bc_parse(struct mote_x509_cert *c, struct mote_der *d)
{
    struct mote_der seq;
    struct mote_der_elem e;
    int err, has;
    if ((err = mote_der_enter(d, MOTE_DER_SEQUENCE, &seq, NULL)) < 0)
        return err;
    if ((has = mote_der_read_optional(&seq, MOTE_DER_BOOLEAN, &e)) < 0)
        return has;
    if (has) {
        if ((err = mote_der_get_bool(&e, &c->ca)) < 0)
            return err;
        if (!c->ca)
            return MOTE_EINVAL; /* DEFAULT FALSE encoded: not DER */
    }
    if ((has = mote_der_read_optional(&seq, MOTE_DER_INTEGER, &e)) < 0)
        return has;
    if (has) {
        int64_t v;
        if ((err = mote_der_get_int64(&e, &v)) < 0)
            return err;
        if (v < 0 || v > 255)
            return MOTE_EINVAL;
        c->path_len = (int)v;
    }
    return mote_der_finish(&seq);
}

/* KeyUsage ::= BIT STRING (4.2.1.3), a named bit list: DER drops trailing
 * zero bits (X.690 11.2.2), and at least one bit is set. */
static int ku_parse(struct mote_x509_cert *c, struct mote_der *d)
{
    struct mote_der_elem e;
    const uint8_t *bits;
    size_t n;
    unsigned unused;
    int err;
    if ((err = mote_der_read_tag(d, MOTE_DER_BIT_STRING, &e)) < 0 ||
        (err = mote_der_get_bits(&e, &bits, &n, &unused)) < 0)
        return err;
    if (n == 0 || n > 2)
        return MOTE_EINVAL;
    unsigned v = 0, nbits = (unsigned)(n * 8 - unused), last = 0;
    for (unsigned i = 0; i < nbits; i++)
        if (bits[i / 8] & (0x80u >> (i % 8))) {
            v |= 1u << i;
            last = i + 1;
        }
    /* RFC 5280 4.2.1.3: at least one bit set. */
    if (v == 0)
        return MOTE_EINVAL;
    /* Trailing zero bits are not DER (X.690 11.2.2), but two roots in the
     * Mozilla bundle (Trustwave Global ECC) have one: accepted, and the
     * length kept so that re-encoding gives the same bytes. */
    c->key_usage = v;
    c->key_usage_nbits = nbits != last ? nbits : 0;
    return 0;
}

static void ku_put(struct mote_der_writer *w, unsigned ku, unsigned keep)
{
    uint8_t b[2] = {0, 0};
    unsigned nbits = 0;
    for (unsigned i = 0; i < 9; i++)
        if (ku & (1u << i)) {
            b[i / 8] |= (uint8_t)(0x80u >> (i % 8));
            nbits = i + 1;
        }
    if (keep > nbits && keep <= 16)
        nbits = keep;
    size_t nbytes = (nbits + 7) / 8;
    mote_der_put_bits(w, b, nbytes, (unsigned)(nbytes * 8 - nbits));
}

static const struct {
    const uint8_t *oid;
    size_t oid_len;
    unsigned flag;
} eku_flags[] = {
    {X509_OID(OID_KP_SERVER_AUTH), MOTE_X509_EKU_SERVER_AUTH},
    {X509_OID(OID_KP_CLIENT_AUTH), MOTE_X509_EKU_CLIENT_AUTH},
    {X509_OID(OID_KP_CODE_SIGNING), MOTE_X509_EKU_CODE_SIGNING},
    {X509_OID(OID_KP_EMAIL), MOTE_X509_EKU_EMAIL_PROTECTION},
    {X509_OID(OID_KP_TIMESTAMP), MOTE_X509_EKU_TIME_STAMPING},
    {X509_OID(OID_KP_OCSP), MOTE_X509_EKU_OCSP_SIGNING},
    {X509_OID(OID_ANY_EKU), MOTE_X509_EKU_ANY},
};

/* ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId (4.2.1.12) */
static int eku_parse(struct mote_x509_cert *c, struct mote_der *d)
{
    struct mote_der seq;
    int err;
    if ((err = mote_der_enter(d, MOTE_DER_SEQUENCE, &seq, NULL)) < 0)
        return err;
    if (mote_der_at_end(&seq))
        return MOTE_EINVAL;
    while (!mote_der_at_end(&seq)) {
        struct mote_der_elem e;
        if ((err = mote_der_read_tag(&seq, MOTE_DER_OID, &e)) < 0 ||
            (err = mote_der_get_oid(&e)) < 0)
            return err;
        if (c->eku_count >= MOTE_X509_MAX_EKU)
            return MOTE_ENOSPC;
        c->eku[c->eku_count].ptr = e.val;
        c->eku[c->eku_count++].len = e.len;
        for (size_t i = 0; i < sizeof eku_flags / sizeof eku_flags[0]; i++)
            if (mote_der_oid_eq(&e, eku_flags[i].oid, eku_flags[i].oid_len))
                c->eku_flags |= eku_flags[i].flag;
    }
    return 0;
}

static int san_parse(struct mote_x509_cert *c, struct mote_der *d)
{
    struct mote_der seq;
    int err;
    if ((err = mote_der_enter(d, MOTE_DER_SEQUENCE, &seq, NULL)) < 0)
        return err;
    return gns_read(&seq, c->san, MOTE_X509_MAX_SAN, &c->san_count);
}

/* GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree
 * GeneralSubtree ::= SEQUENCE { base GeneralName,
 *   minimum [0] BaseDistance DEFAULT 0, maximum [1] BaseDistance OPTIONAL }
 * RFC 5280 4.2.1.10: minimum MUST be zero, maximum MUST be absent. */
static int subtrees_read(struct mote_der *d, struct mote_x509_gn *out,
                         unsigned *count)
{
    unsigned n = 0;
    if (mote_der_at_end(d))
        return MOTE_EINVAL;
    while (!mote_der_at_end(d)) {
        struct mote_der st;
        struct mote_der_elem e;
        int err;
        if ((err = mote_der_enter(d, MOTE_DER_SEQUENCE, &st, NULL)) < 0 ||
            (err = mote_der_read(&st, &e)) < 0)
            return err;
        if (n >= MOTE_X509_MAX_NC)
            return MOTE_ENOSPC;
        if ((err = x509__gn_parse(&st, &e, &out[n], true)) < 0)
            return err;
        if (!mote_der_at_end(&st))
            return MOTE_ENOTSUP; /* minimum or maximum present */
        n++;
    }
    *count = n;
    return 0;
}

/* NameConstraints ::= SEQUENCE { permittedSubtrees [0] OPTIONAL,
 *   excludedSubtrees [1] OPTIONAL }: one of them at least. */
static int nc_parse(struct mote_x509_cert *c, struct mote_der *d)
{
    struct mote_der seq, sub;
    struct mote_der_elem e;
    int err, has;
    if ((err = mote_der_enter(d, MOTE_DER_SEQUENCE, &seq, NULL)) < 0)
        return err;
    if ((has = mote_der_read_optional(&seq, MOTE_DER_CTX_CONS(0), &e)) < 0)
        return has;
    if (has) {
        c->nc_has_permitted = true;
        if ((err = mote_der_sub(&seq, &e, &sub)) < 0 ||
            (err = subtrees_read(&sub, c->nc_permitted,
                                 &c->nc_permitted_count)) < 0)
            return err;
    }
    if ((has = mote_der_read_optional(&seq, MOTE_DER_CTX_CONS(1), &e)) < 0)
        return has;
    if (has) {
        c->nc_has_excluded = true;
        if ((err = mote_der_sub(&seq, &e, &sub)) < 0 ||
            (err = subtrees_read(&sub, c->nc_excluded, &c->nc_excluded_count)) <
                0)
            return err;
    }
    if (!c->nc_has_permitted && !c->nc_has_excluded)
        return MOTE_EINVAL;
    return mote_der_finish(&seq);
}

/* AuthorityKeyIdentifier ::= SEQUENCE {
 *   keyIdentifier [0] KeyIdentifier OPTIONAL,
 *   authorityCertIssuer [1] GeneralNames OPTIONAL,
 *   authorityCertSerialNumber [2] CertificateSerialNumber OPTIONAL } */
static int aki_parse(struct mote_x509_cert *c, struct mote_der *d)
{
    struct mote_der seq, sub;
    struct mote_der_elem e;
    int err, has;
    if ((err = mote_der_enter(d, MOTE_DER_SEQUENCE, &seq, NULL)) < 0)
        return err;
    if ((has = mote_der_read_optional(&seq, MOTE_DER_CTX(0), &e)) < 0)
        return has;
    if (has) {
        c->aki_key_id.ptr = e.val;
        c->aki_key_id.len = e.len;
    }
    if ((has = mote_der_read_optional(&seq, MOTE_DER_CTX_CONS(1), &e)) < 0)
        return has;
    if (has) {
        if ((err = mote_der_sub(&seq, &e, &sub)) < 0 ||
            (err = gns_read(&sub, NULL, 0, NULL)) < 0)
            return err;
        c->aki_issuer.ptr = e.val;
        c->aki_issuer.len = e.len;
    }
    if ((has = mote_der_read_optional(&seq, MOTE_DER_CTX(2), &e)) < 0)
        return has;
    if (has) {
        if ((err = mote_der_get_int_check(&e)) < 0)
            return err;
        c->aki_serial.ptr = e.val;
        c->aki_serial.len = e.len;
    }
    /* Issuer and serial come together or not at all (X.509 8.2.2.1). */
    if (!c->aki_issuer.ptr != !c->aki_serial.ptr)
        return MOTE_EINVAL;
    return mote_der_finish(&seq);
}

static int ski_parse(struct mote_x509_cert *c, struct mote_der *d)
{
    struct mote_der_elem e;
    int err = mote_der_read_tag(d, MOTE_DER_OCTET_STRING, &e);
    if (err < 0)
        return err;
    c->ski.ptr = e.val;
    c->ski.len = e.len;
    return 0;
}

/* certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation
 * PolicyInformation ::= SEQUENCE { policyIdentifier OID,
 *   policyQualifiers SEQUENCE SIZE (1..MAX) OF PolicyQualifierInfo OPTIONAL }
 * PolicyQualifierInfo ::= SEQUENCE { policyQualifierId OID, qualifier ANY }
 * A policy OID appears at most once (4.2.1.4). */
static int policies_parse(struct mote_x509_cert *c, struct mote_der *d)
{
    struct mote_der seq;
    int err;
    if ((err = mote_der_enter(d, MOTE_DER_SEQUENCE, &seq, NULL)) < 0)
        return err;
    if (mote_der_at_end(&seq))
        return MOTE_EINVAL;
    while (!mote_der_at_end(&seq)) {
        struct mote_der pi, qs;
        struct mote_der_elem oid, qe;
        int has;
        if ((err = mote_der_enter(&seq, MOTE_DER_SEQUENCE, &pi, NULL)) < 0 ||
            (err = mote_der_read_tag(&pi, MOTE_DER_OID, &oid)) < 0 ||
            (err = mote_der_get_oid(&oid)) < 0)
            return err;
        if (c->policy_count >= MOTE_X509_MAX_POLICIES)
            return MOTE_ENOSPC;
        for (unsigned i = 0; i < c->policy_count; i++)
            if (mote_der_oid_eq(&oid, c->policies[i].oid.ptr,
                                c->policies[i].oid.len))
                return MOTE_EINVAL;
        struct mote_x509_policy *p = &c->policies[c->policy_count++];
        memset(p, 0, sizeof *p);
        p->oid.ptr = oid.val;
        p->oid.len = oid.len;
        if ((has = mote_der_read_optional(&pi, MOTE_DER_SEQUENCE, &qe)) < 0)
            return has;
        if (has) {
            if ((err = mote_der_sub(&pi, &qe, &qs)) < 0)
                return err;
            if (mote_der_at_end(&qs))
                return MOTE_EINVAL;
            while (!mote_der_at_end(&qs)) {
                struct mote_der q;
                struct mote_der_elem qid, qv;
                if ((err = mote_der_enter(&qs, MOTE_DER_SEQUENCE, &q, NULL)) <
                        0 ||
                    (err = mote_der_read_tag(&q, MOTE_DER_OID, &qid)) < 0 ||
                    (err = mote_der_get_oid(&qid)) < 0 ||
                    (err = mote_der_read(&q, &qv)) < 0 ||
                    (err = mote_der_finish(&q)) < 0)
                    return err;
            }
            p->qualifiers.ptr = qe.raw;
            p->qualifiers.len = qe.raw_len;
        }
        if ((err = mote_der_finish(&pi)) < 0)
            return err;
    }
    return 0;
}

/* CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint
 * DistributionPoint ::= SEQUENCE {
 *   distributionPoint [0] DistributionPointName OPTIONAL,
 *   reasons [1] ReasonFlags OPTIONAL, cRLIssuer [2] GeneralNames OPTIONAL }
 * DistributionPointName ::= CHOICE { fullName [0] GeneralNames,
 *   nameRelativeToCRLIssuer [1] RelativeDistinguishedName } */
static int crldp_parse(struct mote_x509_cert *c, struct mote_der *d)
{
    struct mote_der seq;
    int err;
    if ((err = mote_der_enter(d, MOTE_DER_SEQUENCE, &seq, NULL)) < 0)
        return err;
    if (mote_der_at_end(&seq))
        return MOTE_EINVAL;
    while (!mote_der_at_end(&seq)) {
        struct mote_der dp, sub, names;
        struct mote_der_elem all, e;
        int has;
        if ((err = mote_der_enter(&seq, MOTE_DER_SEQUENCE, &dp, &all)) < 0)
            return err;
        if (c->crldp_count >= MOTE_X509_MAX_DP)
            return MOTE_ENOSPC;
        struct mote_x509_crldp *p = &c->crldp[c->crldp_count++];
        memset(p, 0, sizeof *p);
        p->raw.ptr = all.raw;
        p->raw.len = all.raw_len;
        if ((has = mote_der_read_optional(&dp, MOTE_DER_CTX_CONS(0), &e)) < 0)
            return has;
        if (has) {
            struct mote_der_elem name;
            if ((err = mote_der_sub(&dp, &e, &sub)) < 0 ||
                (err = mote_der_read(&sub, &name)) < 0 ||
                (err = mote_der_finish(&sub)) < 0)
                return err;
            if (name.tag == MOTE_DER_CTX_CONS(0)) {
                /* fullName: GeneralNames, non-empty; the first URI. */
                if ((err = mote_der_sub(&sub, &name, &names)) < 0)
                    return err;
                if (mote_der_at_end(&names))
                    return MOTE_EINVAL;
                while (!mote_der_at_end(&names)) {
                    struct mote_der_elem ge;
                    struct mote_x509_gn gn;
                    if ((err = mote_der_read(&names, &ge)) < 0 ||
                        (err = x509__gn_parse(&names, &ge, &gn, false)) < 0)
                        return err;
                    if (gn.type == MOTE_X509_GN_URI && !p->uri.ptr) {
                        p->uri.ptr = gn.val;
                        p->uri.len = gn.len;
                    }
                }
            } else if (name.tag != MOTE_DER_CTX_CONS(1)) {
                return MOTE_EINVAL;
            }
        }
        if ((has = mote_der_read_optional(&dp, MOTE_DER_CTX(1), &e)) < 0)
            return has;
        if (has) {
            const uint8_t *bits;
            size_t n;
            unsigned unused;
            if ((err = mote_der_get_bits(&e, &bits, &n, &unused)) < 0)
                return err;
        }
        if ((has = mote_der_read_optional(&dp, MOTE_DER_CTX_CONS(2), &e)) < 0)
            return has;
        if (has && ((err = mote_der_sub(&dp, &e, &sub)) < 0 ||
                    (err = gns_read(&sub, NULL, 0, NULL)) < 0))
            return err;
        if ((err = mote_der_finish(&dp)) < 0)
            return err;
    }
    return 0;
}

/* AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF
 *   AccessDescription ::= SEQUENCE { accessMethod OID,
 *                                    accessLocation GeneralName }
 * SubjectInfoAccessSyntax (4.2.2.2) is the same. */
static int access_read(struct mote_der *d, struct mote_x509_access *out,
                       unsigned max, unsigned *count)
{
    struct mote_der seq;
    int err;
    if ((err = mote_der_enter(d, MOTE_DER_SEQUENCE, &seq, NULL)) < 0)
        return err;
    if (mote_der_at_end(&seq))
        return MOTE_EINVAL;
    while (!mote_der_at_end(&seq)) {
        struct mote_der ad;
        struct mote_der_elem oid, loc;
        if ((err = mote_der_enter(&seq, MOTE_DER_SEQUENCE, &ad, NULL)) < 0 ||
            (err = mote_der_read_tag(&ad, MOTE_DER_OID, &oid)) < 0 ||
            (err = mote_der_get_oid(&oid)) < 0 ||
            (err = mote_der_read(&ad, &loc)) < 0 ||
            (err = mote_der_finish(&ad)) < 0)
            return err;
        if (*count >= max)
            return MOTE_ENOSPC;
        struct mote_x509_access *a = &out[(*count)++];
        if ((err = x509__gn_parse(&ad, &loc, &a->location, false)) < 0)
            return err;
        a->oid.ptr = oid.val;
        a->oid.len = oid.len;
        a->method = mote_der_oid_eq(&oid, X509_OID(OID_AD_OCSP))
                        ? MOTE_X509_AIA_OCSP
                    : mote_der_oid_eq(&oid, X509_OID(OID_AD_CA_ISSUERS))
                        ? MOTE_X509_AIA_CA_ISSUERS
                    : mote_der_oid_eq(&oid, X509_OID(OID_AD_CA_REPOSITORY))
                        ? MOTE_X509_SIA_CA_REPOSITORY
                    : mote_der_oid_eq(&oid, X509_OID(OID_AD_TIME_STAMPING))
                        ? MOTE_X509_SIA_TIME_STAMPING
                        : MOTE_X509_AIA_OTHER;
    }
    return 0;
}

static int aia_parse(struct mote_x509_cert *c, struct mote_der *d)
{
    return access_read(d, c->aia, MOTE_X509_MAX_AIA, &c->aia_count);
}

static int sia_parse(struct mote_x509_cert *c, struct mote_der *d)
{
    return access_read(d, c->sia, MOTE_X509_MAX_SIA, &c->sia_count);
}

/* IssuerAltName ::= GeneralNames (4.2.1.7) */
static int ian_parse(struct mote_x509_cert *c, struct mote_der *d)
{
    struct mote_der seq;
    int err;
    if ((err = mote_der_enter(d, MOTE_DER_SEQUENCE, &seq, NULL)) < 0)
        return err;
    return gns_read(&seq, c->ian, MOTE_X509_MAX_IAN, &c->ian_count);
}

/* SkipCerts ::= INTEGER (0..MAX), whatever its (IMPLICIT) tag. */
static int skipcerts_get(const struct mote_der_elem *e, int *out)
{
    int64_t v;
    int err = mote_der_get_int64(e, &v);
    if (err < 0)
        return err;
    if (v < 0)
        return MOTE_EINVAL;
    if (v > INT32_MAX)
        return MOTE_ERANGE;
    *out = (int)v;
    return 0;
}

static void skipcerts_put(struct mote_der_writer *w, unsigned tag, int v)
{
    uint8_t b[4] = {(uint8_t)((unsigned)v >> 24), (uint8_t)((unsigned)v >> 16),
                    (uint8_t)((unsigned)v >> 8), (uint8_t)v};
    mote_der_put_uint(w, tag, b, sizeof b);
}

/* PolicyMappings ::= SEQUENCE SIZE (1..MAX) OF SEQUENCE {
 *   issuerDomainPolicy CertPolicyId, subjectDomainPolicy CertPolicyId }
 * 4.2.1.5: policies MUST NOT be mapped to or from anyPolicy. */
static int pm_parse(struct mote_x509_cert *c, struct mote_der *d)
{
    struct mote_der seq;
    int err;
    if ((err = mote_der_enter(d, MOTE_DER_SEQUENCE, &seq, NULL)) < 0)
        return err;
    if (mote_der_at_end(&seq))
        return MOTE_EINVAL;
    while (!mote_der_at_end(&seq)) {
        struct mote_der m;
        struct mote_der_elem from, to;
        if ((err = mote_der_enter(&seq, MOTE_DER_SEQUENCE, &m, NULL)) < 0 ||
            (err = mote_der_read_tag(&m, MOTE_DER_OID, &from)) < 0 ||
            (err = mote_der_get_oid(&from)) < 0 ||
            (err = mote_der_read_tag(&m, MOTE_DER_OID, &to)) < 0 ||
            (err = mote_der_get_oid(&to)) < 0 ||
            (err = mote_der_finish(&m)) < 0)
            return err;
        if (mote_der_oid_eq(&from, X509_OID(OID_ANY_POLICY)) ||
            mote_der_oid_eq(&to, X509_OID(OID_ANY_POLICY)))
            return MOTE_EINVAL;
        if (c->policy_map_count >= MOTE_X509_MAX_POLICY_MAPS)
            return MOTE_ENOSPC;
        struct mote_x509_policy_map *p = &c->policy_maps[c->policy_map_count++];
        p->issuer_domain.ptr = from.val;
        p->issuer_domain.len = from.len;
        p->subject_domain.ptr = to.val;
        p->subject_domain.len = to.len;
    }
    return 0;
}

/* PolicyConstraints ::= SEQUENCE {
 *   requireExplicitPolicy [0] SkipCerts OPTIONAL,
 *   inhibitPolicyMapping [1] SkipCerts OPTIONAL }
 * 4.2.1.11: conforming CAs MUST NOT issue an empty sequence. */
static int pc_parse(struct mote_x509_cert *c, struct mote_der *d)
{
    struct mote_der seq;
    struct mote_der_elem e;
    int err, has;
    if ((err = mote_der_enter(d, MOTE_DER_SEQUENCE, &seq, NULL)) < 0)
        return err;
    if (mote_der_at_end(&seq))
        return MOTE_EINVAL;
    if ((has = mote_der_read_optional(&seq, MOTE_DER_CTX(0), &e)) < 0)
        return has;
    if (has && (err = skipcerts_get(&e, &c->require_explicit_policy)) < 0)
        return err;
    if ((has = mote_der_read_optional(&seq, MOTE_DER_CTX(1), &e)) < 0)
        return has;
    if (has && (err = skipcerts_get(&e, &c->inhibit_policy_mapping)) < 0)
        return err;
    return mote_der_finish(&seq);
}

/* InhibitAnyPolicy ::= SkipCerts (4.2.1.14) */
static int iap_parse(struct mote_x509_cert *c, struct mote_der *d)
{
    struct mote_der_elem e;
    int err = mote_der_read_tag(d, MOTE_DER_INTEGER, &e);
    if (err < 0)
        return err;
    return skipcerts_get(&e, &c->inhibit_any_policy);
}

/* The SCT list extension (RFC 6962 3.3): an OCTET STRING holding the
 * TLS-encoded SignedCertificateTimestampList: opaque
 * SerializedSCT<1..2^16-1> list<1..2^16-1>. The framing is checked; the
 * SCTs are kept raw. */
static int sct_parse(struct mote_x509_cert *c, struct mote_der *d)
{
    struct mote_der_elem e;
    int err = mote_der_read_tag(d, MOTE_DER_OCTET_STRING, &e);
    if (err < 0)
        return err;
    const uint8_t *p = e.val;
    size_t n = e.len;
    if (n < 2 || (size_t)((p[0] << 8) | p[1]) != n - 2 || n == 2)
        return MOTE_EINVAL;
    for (size_t i = 2; i < n;) {
        if (n - i < 2)
            return MOTE_EINVAL;
        size_t l = (size_t)((p[i] << 8) | p[i + 1]);
        if (l == 0 || l > n - i - 2)
            return MOTE_EINVAL;
        i += 2 + l;
    }
    c->sct_list.ptr = e.val;
    c->sct_list.len = e.len;
    return 0;
}

typedef int (*ext_parse_fn)(struct mote_x509_cert *c, struct mote_der *d);

static ext_parse_fn parser_of(enum mote_x509_ext_id id)
{
    switch (id) {
    case MOTE_X509_EXT_BASIC_CONSTRAINTS:
        return bc_parse;
    case MOTE_X509_EXT_KEY_USAGE:
        return ku_parse;
    case MOTE_X509_EXT_EXT_KEY_USAGE:
        return eku_parse;
    case MOTE_X509_EXT_SUBJECT_ALT_NAME:
        return san_parse;
    case MOTE_X509_EXT_NAME_CONSTRAINTS:
        return nc_parse;
    case MOTE_X509_EXT_AUTHORITY_KEY_ID:
        return aki_parse;
    case MOTE_X509_EXT_SUBJECT_KEY_ID:
        return ski_parse;
    case MOTE_X509_EXT_CERT_POLICIES:
        return policies_parse;
    case MOTE_X509_EXT_CRL_DIST_POINTS:
        return crldp_parse;
    case MOTE_X509_EXT_AUTHORITY_INFO:
        return aia_parse;
    case MOTE_X509_EXT_POLICY_MAPPINGS:
        return pm_parse;
    case MOTE_X509_EXT_POLICY_CONSTRAINTS:
        return pc_parse;
    case MOTE_X509_EXT_INHIBIT_ANY_POLICY:
        return iap_parse;
    case MOTE_X509_EXT_ISSUER_ALT_NAME:
        return ian_parse;
    case MOTE_X509_EXT_SUBJECT_INFO:
        return sia_parse;
    case MOTE_X509_EXT_SCT_LIST:
        return sct_parse;
    default:
        return NULL;
    }
}

/* Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE,
 *   extnValue OCTET STRING } */
int x509__exts_parse(struct mote_x509_cert *c, struct mote_der *list)
{
    while (!mote_der_at_end(list)) {
        struct mote_der ext, val;
        struct mote_der_elem oid, crit, v;
        int err, has;
        if ((err = mote_der_enter(list, MOTE_DER_SEQUENCE, &ext, NULL)) < 0 ||
            (err = mote_der_read_tag(&ext, MOTE_DER_OID, &oid)) < 0 ||
            (err = mote_der_get_oid(&oid)) < 0)
            return fail(c, err, "bad extension");
        if (c->ext_count >= MOTE_X509_MAX_EXTS)
            return fail(c, MOTE_ENOSPC, "too many extensions");
        struct mote_x509_ext *x = &c->exts[c->ext_count];
        memset(x, 0, sizeof *x);
        if ((has = mote_der_read_optional(&ext, MOTE_DER_BOOLEAN, &crit)) < 0)
            return fail(c, has, "bad extension");
        if (has) {
            if ((err = mote_der_get_bool(&crit, &x->critical)) < 0)
                return fail(c, err, "bad extension criticality");
            if (!x->critical)
                return fail(c, MOTE_EINVAL,
                            "extension critical FALSE encoded (not DER)");
        }
        if ((err = mote_der_read_tag(&ext, MOTE_DER_OCTET_STRING, &v)) < 0 ||
            (err = mote_der_finish(&ext)) < 0)
            return fail(c, err, "bad extension value");
        /* 4.2: a certificate MUST NOT include more than one instance of a
         * particular extension. */
        for (unsigned i = 0; i < c->ext_count; i++)
            if (mote_der_oid_eq(&oid, c->exts[i].oid.ptr, c->exts[i].oid.len))
                return fail(c, MOTE_EINVAL, "duplicate extension");
        x->oid.ptr = oid.val;
        x->oid.len = oid.len;
        x->value.ptr = v.val;
        x->value.len = v.len;
        const struct x509__ext_def *def = x509__ext_by_oid(&oid);
        if (!def) {
            if (x->critical)
                return fail(c, MOTE_ENOTSUP, "unknown critical extension");
            x->id = MOTE_X509_EXT_OTHER;
            c->ext_count++;
            continue;
        }
        x->id = def->id;
        c->ext_index[def->id] = (int)c->ext_count++;
        if ((err = mote_der_sub(&ext, &v, &val)) < 0 ||
            (err = parser_of(def->id)(c, &val)) < 0 ||
            (err = mote_der_finish(&val)) < 0) {
            static const char *const why[MOTE_X509_EXT_COUNT_] = {
                [MOTE_X509_EXT_BASIC_CONSTRAINTS] = "bad basicConstraints",
                [MOTE_X509_EXT_KEY_USAGE] = "bad keyUsage",
                [MOTE_X509_EXT_EXT_KEY_USAGE] = "bad extKeyUsage",
                [MOTE_X509_EXT_SUBJECT_ALT_NAME] = "bad subjectAltName",
                [MOTE_X509_EXT_NAME_CONSTRAINTS] = "bad nameConstraints",
                [MOTE_X509_EXT_AUTHORITY_KEY_ID] = "bad authorityKeyIdentifier",
                [MOTE_X509_EXT_SUBJECT_KEY_ID] = "bad subjectKeyIdentifier",
                [MOTE_X509_EXT_CERT_POLICIES] = "bad certificatePolicies",
                [MOTE_X509_EXT_CRL_DIST_POINTS] = "bad cRLDistributionPoints",
                [MOTE_X509_EXT_AUTHORITY_INFO] = "bad authorityInfoAccess",
                [MOTE_X509_EXT_POLICY_MAPPINGS] = "bad policyMappings",
                [MOTE_X509_EXT_POLICY_CONSTRAINTS] = "bad policyConstraints",
                [MOTE_X509_EXT_INHIBIT_ANY_POLICY] = "bad inhibitAnyPolicy",
                [MOTE_X509_EXT_ISSUER_ALT_NAME] = "bad issuerAltName",
                [MOTE_X509_EXT_SUBJECT_INFO] = "bad subjectInfoAccess",
                [MOTE_X509_EXT_SCT_LIST] = "bad SCT list",
            };
            return fail(c, err, why[def->id]);
        }
    }
    return 0;
}

/* ---- Writing
 * ------------------------------------------------------------------ */

static void gns_put(struct mote_der_writer *w, const struct mote_x509_gn *gns,
                    unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        x509__gn_put(w, &gns[i]);
}

static void subtrees_put(struct mote_der_writer *w, unsigned tag,
                         const struct mote_x509_gn *gns, unsigned n)
{
    mote_der_put_begin(w, tag);
    for (unsigned i = 0; i < n; i++) {
        mote_der_put_begin(w, MOTE_DER_SEQUENCE);
        x509__gn_put(w, &gns[i]);
        mote_der_put_end(w);
    }
    mote_der_put_end(w);
}

static void access_put(struct mote_der_writer *w,
                       const struct mote_x509_access *as, unsigned n)
{
    mote_der_put_begin(w, MOTE_DER_SEQUENCE);
    for (unsigned i = 0; i < n; i++) {
        const struct mote_x509_access *a = &as[i];
        mote_der_put_begin(w, MOTE_DER_SEQUENCE);
        if (a->oid.ptr)
            mote_der_put_oid(w, a->oid.ptr, a->oid.len);
        else if (a->method == MOTE_X509_AIA_OCSP)
            mote_der_put_oid(w, X509_OID(OID_AD_OCSP));
        else if (a->method == MOTE_X509_SIA_CA_REPOSITORY)
            mote_der_put_oid(w, X509_OID(OID_AD_CA_REPOSITORY));
        else if (a->method == MOTE_X509_SIA_TIME_STAMPING)
            mote_der_put_oid(w, X509_OID(OID_AD_TIME_STAMPING));
        else
            mote_der_put_oid(w, X509_OID(OID_AD_CA_ISSUERS));
        x509__gn_put(w, &a->location);
        mote_der_put_end(w);
    }
    mote_der_put_end(w);
}

static void ext_value_put(struct mote_der_writer *w,
                          const struct mote_x509_cert *c,
                          enum mote_x509_ext_id id)
{
    switch (id) {
    case MOTE_X509_EXT_BASIC_CONSTRAINTS:
        mote_der_put_begin(w, MOTE_DER_SEQUENCE);
        if (c->ca)
            mote_der_put_bool(w, true);
        if (c->path_len >= 0)
            mote_der_put_int64(w, c->path_len);
        mote_der_put_end(w);
        break;
    case MOTE_X509_EXT_KEY_USAGE:
        ku_put(w, c->key_usage, c->key_usage_nbits);
        break;
    case MOTE_X509_EXT_EXT_KEY_USAGE:
        mote_der_put_begin(w, MOTE_DER_SEQUENCE);
        for (unsigned i = 0; i < c->eku_count; i++)
            mote_der_put_oid(w, c->eku[i].ptr, c->eku[i].len);
        mote_der_put_end(w);
        break;
    case MOTE_X509_EXT_SUBJECT_ALT_NAME:
        mote_der_put_begin(w, MOTE_DER_SEQUENCE);
        gns_put(w, c->san, c->san_count);
        mote_der_put_end(w);
        break;
    case MOTE_X509_EXT_NAME_CONSTRAINTS:
        mote_der_put_begin(w, MOTE_DER_SEQUENCE);
        if (c->nc_has_permitted || c->nc_permitted_count)
            subtrees_put(w, MOTE_DER_CTX_CONS(0), c->nc_permitted,
                         c->nc_permitted_count);
        if (c->nc_has_excluded || c->nc_excluded_count)
            subtrees_put(w, MOTE_DER_CTX_CONS(1), c->nc_excluded,
                         c->nc_excluded_count);
        mote_der_put_end(w);
        break;
    case MOTE_X509_EXT_AUTHORITY_KEY_ID:
        mote_der_put_begin(w, MOTE_DER_SEQUENCE);
        if (c->aki_key_id.ptr)
            mote_der_put_tlv(w, MOTE_DER_CTX(0), c->aki_key_id.ptr,
                             c->aki_key_id.len);
        if (c->aki_issuer.ptr)
            mote_der_put_tlv(w, MOTE_DER_CTX_CONS(1), c->aki_issuer.ptr,
                             c->aki_issuer.len);
        if (c->aki_serial.ptr)
            mote_der_put_tlv(w, MOTE_DER_CTX(2), c->aki_serial.ptr,
                             c->aki_serial.len);
        mote_der_put_end(w);
        break;
    case MOTE_X509_EXT_SUBJECT_KEY_ID:
        mote_der_put_tlv(w, MOTE_DER_OCTET_STRING, c->ski.ptr, c->ski.len);
        break;
    case MOTE_X509_EXT_CERT_POLICIES:
        mote_der_put_begin(w, MOTE_DER_SEQUENCE);
        for (unsigned i = 0; i < c->policy_count; i++) {
            mote_der_put_begin(w, MOTE_DER_SEQUENCE);
            mote_der_put_oid(w, c->policies[i].oid.ptr, c->policies[i].oid.len);
            mote_der_put_raw(w, c->policies[i].qualifiers.ptr,
                             c->policies[i].qualifiers.len);
            mote_der_put_end(w);
        }
        mote_der_put_end(w);
        break;
    case MOTE_X509_EXT_CRL_DIST_POINTS:
        mote_der_put_begin(w, MOTE_DER_SEQUENCE);
        for (unsigned i = 0; i < c->crldp_count; i++) {
            const struct mote_x509_crldp *p = &c->crldp[i];
            if (p->raw.ptr) {
                mote_der_put_raw(w, p->raw.ptr, p->raw.len);
                continue;
            }
            mote_der_put_begin(w, MOTE_DER_SEQUENCE);
            mote_der_put_begin(w, MOTE_DER_CTX_CONS(0));
            mote_der_put_begin(w, MOTE_DER_CTX_CONS(0));
            mote_der_put_tlv(w, MOTE_DER_CTX(MOTE_X509_GN_URI), p->uri.ptr,
                             p->uri.len);
            mote_der_put_end(w);
            mote_der_put_end(w);
            mote_der_put_end(w);
        }
        mote_der_put_end(w);
        break;
    case MOTE_X509_EXT_AUTHORITY_INFO:
        access_put(w, c->aia, c->aia_count);
        break;
    case MOTE_X509_EXT_SUBJECT_INFO:
        access_put(w, c->sia, c->sia_count);
        break;
    case MOTE_X509_EXT_ISSUER_ALT_NAME:
        mote_der_put_begin(w, MOTE_DER_SEQUENCE);
        gns_put(w, c->ian, c->ian_count);
        mote_der_put_end(w);
        break;
    case MOTE_X509_EXT_POLICY_MAPPINGS:
        mote_der_put_begin(w, MOTE_DER_SEQUENCE);
        for (unsigned i = 0; i < c->policy_map_count; i++) {
            const struct mote_x509_policy_map *p = &c->policy_maps[i];
            mote_der_put_begin(w, MOTE_DER_SEQUENCE);
            mote_der_put_oid(w, p->issuer_domain.ptr, p->issuer_domain.len);
            mote_der_put_oid(w, p->subject_domain.ptr, p->subject_domain.len);
            mote_der_put_end(w);
        }
        mote_der_put_end(w);
        break;
    case MOTE_X509_EXT_POLICY_CONSTRAINTS:
        mote_der_put_begin(w, MOTE_DER_SEQUENCE);
        if (c->require_explicit_policy >= 0)
            skipcerts_put(w, MOTE_DER_CTX(0), c->require_explicit_policy);
        if (c->inhibit_policy_mapping >= 0)
            skipcerts_put(w, MOTE_DER_CTX(1), c->inhibit_policy_mapping);
        mote_der_put_end(w);
        break;
    case MOTE_X509_EXT_INHIBIT_ANY_POLICY:
        skipcerts_put(w, MOTE_DER_INTEGER,
                      c->inhibit_any_policy >= 0 ? c->inhibit_any_policy : 0);
        break;
    case MOTE_X509_EXT_SCT_LIST:
        mote_der_put_tlv(w, MOTE_DER_OCTET_STRING, c->sct_list.ptr,
                         c->sct_list.len);
        break;
    default:
        break;
    }
}

void x509__exts_put(struct mote_der_writer *w, const struct mote_x509_cert *c)
{
    for (unsigned i = 0; i < c->ext_count; i++) {
        const struct mote_x509_ext *x = &c->exts[i];
        const struct x509__ext_def *def =
            x->id != MOTE_X509_EXT_OTHER ? x509__ext_by_id(x->id) : NULL;
        mote_der_put_begin(w, MOTE_DER_SEQUENCE);
        if (def)
            mote_der_put_oid(w, def->oid, def->oid_len);
        else
            mote_der_put_oid(w, x->oid.ptr, x->oid.len);
        if (x->critical)
            mote_der_put_bool(w, true);
        mote_der_put_begin(w, MOTE_DER_OCTET_STRING);
        if (def)
            ext_value_put(w, c, x->id);
        else
            mote_der_put_raw(w, x->value.ptr, x->value.len);
        mote_der_put_end(w);
        mote_der_put_end(w);
    }
}

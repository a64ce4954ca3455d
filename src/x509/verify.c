/* X.509 path validation (RFC 5280 section 6.1) of one built path, and
 * certificate signature checks. */
#include <string.h>

#include <mote/crypto.h>
#include <mote/crypto_pk.h>
#include <mote/error.h>
#include <mote/x509_verify.h>

#include "verify_int.h"

enum mote_x509_reason x509__parse_reason(int err,
                                         const struct mote_x509_cert *c)
{
    if (err == 0)
        return MOTE_X509_OK;
    if (err == MOTE_ENOTSUP) {
        /* The parser refuses unknown critical extensions with ENOTSUP and
         * names it in its reason; any other ENOTSUP is an algorithm. */
        if (c->reason && strstr(c->reason, "critical"))
            return MOTE_X509_UNKNOWN_CRITICAL;
        return MOTE_X509_UNSUPPORTED_ALG;
    }
    return MOTE_X509_MALFORMED;
}

int x509__pubkey_usable(struct mote_x509_pubkey *k)
{
    switch (k->type) {
    case MOTE_X509_KEY_RSA:
    case MOTE_X509_KEY_EC:
    case MOTE_X509_KEY_ED25519:
        return 0;
    default:
        return MOTE_ENOTSUP;
    }
}

enum mote_x509_reason x509__check_sig(const struct mote_x509_pubkey *key,
                                      const struct mote_x509_sigalg *alg,
                                      struct mote_x509_slice tbs,
                                      struct mote_x509_slice sig)
{
    uint8_t h[MOTE_HASH_MAX_LEN];
    size_t hlen = 0;
    int err;

    if (alg->alg != MOTE_X509_SIG_ED25519) {
        /* SHA-1 is refused: collisions are practical (SHAttered, 2017), and
         * the crypto core has no SHA-1 DigestInfo for PKCS#1 v1.5 anyway.
         * The parser refuses MD5 and SHA-224 before we get here. */
        if (alg->hash != MOTE_HASH_SHA256 && alg->hash != MOTE_HASH_SHA384 &&
            alg->hash != MOTE_HASH_SHA512)
            return MOTE_X509_UNSUPPORTED_ALG;
        hlen = mote_hash_len(alg->hash);
        if (mote_hash(alg->hash, tbs.ptr, tbs.len, h) != 0)
            return MOTE_X509_UNSUPPORTED_ALG;
    }
    switch (alg->alg) {
    case MOTE_X509_SIG_RSA_PKCS1:
        /* An id-RSASSA-PSS key signs with PSS only (RFC 4055 1.2). */
        if (key->type != MOTE_X509_KEY_RSA || key->rsa_pss)
            return MOTE_X509_BAD_SIGNATURE;
        err = mote_rsa_pkcs1_verify(&key->rsa, alg->hash, h, hlen, sig.ptr,
                                    sig.len);
        break;
    case MOTE_X509_SIG_RSA_PSS:
        if (key->type != MOTE_X509_KEY_RSA)
            return MOTE_X509_BAD_SIGNATURE;
        if (alg->mgf_hash != MOTE_HASH_SHA256 &&
            alg->mgf_hash != MOTE_HASH_SHA384 &&
            alg->mgf_hash != MOTE_HASH_SHA512)
            return MOTE_X509_UNSUPPORTED_ALG;
        /* A key with RSASSA-PSS-params allows only its hash, MGF hash and
         * at least its salt length (RFC 4055 3.3). */
        if (key->rsa_pss_params &&
            (alg->hash != key->pss.hash || alg->mgf_hash != key->pss.mgf_hash ||
             alg->salt_len < key->pss.salt_len))
            return MOTE_X509_BAD_SIGNATURE;
        err = mote_rsa_pss_verify(&key->rsa, alg->hash, alg->mgf_hash,
                                  alg->salt_len, h, hlen, sig.ptr, sig.len);
        break;
    case MOTE_X509_SIG_ECDSA: {
        if (key->type != MOTE_X509_KEY_EC)
            return MOTE_X509_BAD_SIGNATURE;
        uint8_t rs[MOTE_EC_MAX_SIG_LEN];
        if (mote_ecdsa_sig_from_der(key->curve, rs, sig.ptr, sig.len) != 0)
            return MOTE_X509_BAD_SIGNATURE;
        err = mote_ecdsa_verify(key->curve, key->point, key->point_len, h, hlen,
                                rs, 2 * mote_ec_scalar_len(key->curve));
        break;
    }
    case MOTE_X509_SIG_ED25519:
        if (key->type != MOTE_X509_KEY_ED25519 ||
            key->point_len != MOTE_ED25519_PUB_LEN ||
            sig.len != MOTE_ED25519_SIG_LEN)
            return MOTE_X509_BAD_SIGNATURE;
        err = mote_ed25519_verify(sig.ptr, tbs.ptr, tbs.len, key->point);
        break;
    default:
        return MOTE_X509_UNSUPPORTED_ALG;
    }
    return err == 0 ? MOTE_X509_OK : MOTE_X509_BAD_SIGNATURE;
}

int mote_x509_signature_check(const struct mote_x509_pubkey *key,
                              const struct mote_x509_sigalg *alg,
                              const uint8_t *data, size_t len,
                              const uint8_t *sig, size_t sig_len)
{
    if (!key || !alg || (!data && len) || (!sig && sig_len))
        return MOTE_EINVAL;
    struct mote_x509_pubkey k = *key;
    if (x509__pubkey_usable(&k) != 0)
        return MOTE_ENOTSUP;
    struct mote_x509_slice d = {data, len}, s = {sig, sig_len};
    switch (x509__check_sig(&k, alg, d, s)) {
    case MOTE_X509_OK:
        return 0;
    case MOTE_X509_UNSUPPORTED_ALG:
        return MOTE_ENOTSUP;
    default:
        return MOTE_EAUTH;
    }
}

/* ---- Name constraints ------------------------------------------------------
 */

static bool name_eq(const struct mote_x509_name *a,
                    const struct mote_x509_name *b)
{
    return a->len == b->len && memcmp(a->der, b->der, a->len) == 0;
}

/* directoryName subtree: the constraint's RDNs are the first RDNs of the
 * name. Compared as bytes of the SEQUENCE contents, ending at an RDN
 * boundary (a stricter form of the X.500 matching RFC 5280 7.1 asks for). */
static bool dir_within(const uint8_t *c, size_t clen, const uint8_t *n,
                       size_t nlen)
{
    struct mote_der_elem ce, ne;
    if (mote_der_parse_one(c, clen, &ce) || mote_der_parse_one(n, nlen, &ne))
        return false;
    if (ce.len > ne.len || memcmp(ce.val, ne.val, ce.len) != 0)
        return false;
    return ce.len == ne.len || ne.val[ce.len] == MOTE_DER_SET;
}

/* The host of a URI ("scheme://user@host:port/path"), for URI subtrees
 * (RFC 5280 4.2.1.10: matched like a DNS name against the host). */
static bool uri_host(const uint8_t *u, size_t len, const uint8_t **h,
                     size_t *hlen)
{
    size_t i = 0;
    while (i + 2 < len && !(u[i] == ':' && u[i + 1] == '/' && u[i + 2] == '/'))
        i++;
    if (i + 2 >= len)
        return false;
    i += 3;
    size_t start = i, end = i;
    while (end < len && u[end] != '/' && u[end] != '?' && u[end] != '#')
        end++;
    for (size_t k = start; k < end; k++)
        if (u[k] == '@')
            start = k + 1;
    size_t stop = start;
    while (stop < end && u[stop] != ':')
        stop++;
    if (stop == start || u[start] == '[')
        return false;
    *h = u + start;
    *hlen = stop - start;
    return true;
}

static bool uri_within(const uint8_t *c, size_t clen, const uint8_t *u,
                       size_t ulen)
{
    const uint8_t *h;
    size_t hlen;
    if (!uri_host(u, ulen, &h, &hlen))
        return false;
    return x509__nc_dns_within(c, clen, h, hlen);
}

/* Is name (type, val, len) within subtree g? Forms this file does not
 * know match nothing (so a permitted list of them excludes the name, and
 * an excluded list of them is checked by within_any below). */
static bool gn_within(const struct mote_x509_gn *g, unsigned type,
                      const uint8_t *val, size_t len, bool excluded)
{
    if ((unsigned)g->type != type)
        return false;
    switch (type) {
    case MOTE_X509_GN_DNS:
        return excluded ? x509__nc_dns_overlaps(g->val, g->len, val, len)
                        : x509__nc_dns_within(g->val, g->len, val, len);
    case MOTE_X509_GN_IP:
        return x509__nc_ip_within(g->val, g->len, val, len);
    case MOTE_X509_GN_EMAIL:
        return x509__nc_email_within(g->val, g->len, val, len);
    case MOTE_X509_GN_DIR:
        return dir_within(g->val, g->len, val, len);
    case MOTE_X509_GN_URI:
        return uri_within(g->val, g->len, val, len);
    default:
        /* otherName, x400, ediParty, registeredID: not processed. A
         * constraint of such a form on a certificate holding such a name
         * must be refused (RFC 5280 4.2.1.10): treat it as a match for
         * excluded subtrees and a miss for permitted ones. */
        return excluded;
    }
}

/* Check one name of a certificate against the constraints of node n. */
static bool name_allowed(const struct mote_x509_node *n, unsigned type,
                         const uint8_t *val, size_t len)
{
    for (unsigned i = 0; i < n->nc_excluded_count; i++)
        if (gn_within(&n->nc_excluded[i], type, val, len, true))
            return false;
    bool any = false;
    for (unsigned i = 0; i < n->nc_permitted_count; i++) {
        if ((unsigned)n->nc_permitted[i].type != type)
            continue;
        any = true;
        if (gn_within(&n->nc_permitted[i], type, val, len, false))
            return true;
    }
    return !any;
}

static const uint8_t oid_email_attr[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                         0x0d, 0x01, 0x09, 0x01};

/* All names of certificate c (subject, emailAddress attributes, SANs)
 * against the constraints of n. */
static bool names_allowed(const struct mote_x509_node *n,
                          const struct mote_x509_cert *c)
{
    if (c->subject.len > 2 &&
        !name_allowed(n, MOTE_X509_GN_DIR, c->subject.der, c->subject.len))
        return false;
    struct mote_x509_name_iter it;
    struct mote_x509_attr a;
    mote_x509_name_iter_init(&it, &c->subject);
    while (mote_x509_name_next(&it, &a) == 1)
        if (a.oid.len == sizeof oid_email_attr &&
            memcmp(a.oid.ptr, oid_email_attr, sizeof oid_email_attr) == 0 &&
            !name_allowed(n, MOTE_X509_GN_EMAIL, a.value.ptr, a.value.len))
            return false;
    for (unsigned i = 0; i < c->san_count; i++)
        if (!name_allowed(n, (unsigned)c->san[i].type, c->san[i].val,
                          c->san[i].len))
            return false;
    return true;
}

/* ---- Path validation --------------------------------------------------------
 */

static unsigned purpose_eku(enum mote_x509_purpose p)
{
    return p == MOTE_X509_PURPOSE_SERVER   ? MOTE_X509_EKU_SERVER_AUTH
           : p == MOTE_X509_PURPOSE_CLIENT ? MOTE_X509_EKU_CLIENT_AUTH
                                           : 0;
}

enum mote_x509_reason x509__validate(struct mote_x509_verify_work *work,
                                     const unsigned *path, unsigned n,
                                     const struct mote_x509_anchor *a,
                                     const struct mote_x509_verify_opts *o,
                                     int *depth)
{
    /* The anchor is trusted for its name and key (RFC 5280 6.1.1 d); its
     * validity period is enforced too, as OpenSSL and browsers do, and so
     * are the constraints it carries (RFC 5937 style, as OpenSSL does):
     * pathLenConstraint, extKeyUsage and name constraints. Its keyUsage
     * and basicConstraints cA are not (docs/x509.md). */
    *depth = (int)n;
    if (o->now < a->not_before)
        return MOTE_X509_NOT_YET_VALID;
    if (o->now > a->not_after)
        return MOTE_X509_EXPIRED;
    unsigned want = purpose_eku(o->purpose);
    if (a->path_len >= 0) {
        unsigned below = 0;
        for (unsigned k = 1; k < n; k++) {
            const struct mote_x509_node *b = &work->nodes[path[k]];
            if (!name_eq(&b->subject, &b->issuer))
                below++;
        }
        if (below > (unsigned)a->path_len)
            return MOTE_X509_PATH_LEN;
    }
    if (want && a->has_eku && !(a->eku_flags & (want | MOTE_X509_EKU_ANY)))
        return MOTE_X509_EKU;
    struct mote_x509_node *an = &work->anchor;
    an->has_nc = false;
    if (a->has_nc) {
        /* Only the constraints are needed from the anchor's certificate;
         * it parsed when it was added, so this cannot fail in practice. */
        if (mote_x509_cert_parse(&work->scratch, a->der.ptr, a->der.len) != 0)
            return MOTE_X509_MALFORMED;
        an->has_nc = true;
        an->nc_permitted_count = work->scratch.nc_permitted_count;
        an->nc_excluded_count = work->scratch.nc_excluded_count;
        memcpy(an->nc_permitted, work->scratch.nc_permitted,
               sizeof an->nc_permitted);
        memcpy(an->nc_excluded, work->scratch.nc_excluded,
               sizeof an->nc_excluded);
    }

    for (unsigned i = n; i-- > 0;) {
        const struct mote_x509_node *c = &work->nodes[path[i]];
        *depth = (int)i;
        if (c->parse_reason != MOTE_X509_OK)
            return c->parse_reason;
        /* 6.1.3 (a)(2): validity, inclusive at both ends (4.1.2.5). */
        if (o->now < c->not_before)
            return MOTE_X509_NOT_YET_VALID;
        if (o->now > c->not_after)
            return MOTE_X509_EXPIRED;
        if (i > 0) {
            /* 6.1.4 (k): an issuer must be a CA. */
            if (!c->ca)
                return MOTE_X509_NOT_CA;
            /* 6.1.4 (n): keyCertSign when keyUsage is present. */
            if (c->has_ku && !(c->key_usage & MOTE_X509_KU_KEY_CERT_SIGN))
                return MOTE_X509_KEY_USAGE;
            /* 6.1.4 (l)/(m): pathLenConstraint counts the non-self-issued
             * intermediates below this one. */
            if (c->path_len >= 0) {
                unsigned below = 0;
                for (unsigned k = 1; k < i; k++) {
                    const struct mote_x509_node *b = &work->nodes[path[k]];
                    if (!name_eq(&b->subject, &b->issuer))
                        below++;
                }
                if (below > (unsigned)c->path_len)
                    return MOTE_X509_PATH_LEN;
            }
            /* An EKU on a CA limits what it may issue for (the CA/Browser
             * Forum reading, and OpenSSL's): not part of RFC 5280. */
            if (want && c->has_eku &&
                !(c->eku_flags & (want | MOTE_X509_EKU_ANY)))
                return MOTE_X509_EKU;
        } else if (c->has_ku && (c->key_usage & MOTE_X509_KU_KEY_CERT_SIGN) &&
                   !c->ca) {
            /* RFC 5280 4.2.1.3: keyCertSign only with cA (for issuers the
             * check above already refused a non-CA). */
            return MOTE_X509_KEY_USAGE;
        } else if (want) {
            /* TLS leaves: a key that may sign (TLS 1.3, ECDHE) or that may
             * encrypt or agree on keys (TLS 1.2 RSA and static (EC)DH key
             * exchange); RFC 5246 7.4.2, RFC 8446 4.4.2.2. */
            if (c->has_ku && !(c->key_usage & (MOTE_X509_KU_DIGITAL_SIGNATURE |
                                               MOTE_X509_KU_KEY_ENCIPHERMENT |
                                               MOTE_X509_KU_KEY_AGREEMENT)))
                return MOTE_X509_KEY_USAGE;
            if (c->has_eku && !(c->eku_flags & (want | MOTE_X509_EKU_ANY)))
                return MOTE_X509_EKU;
        }
        /* 6.1.3 (b)/(c): the names of this certificate against every
         * constraint above it; self-issued intermediates are exempt. */
        if (i > 0 && name_eq(&c->subject, &c->issuer))
            continue;
        bool parsed = false;
        for (unsigned j = i + 1; j <= n; j++) {
            /* j == n: the anchor's own constraints. */
            const struct mote_x509_node *up =
                j < n ? &work->nodes[path[j]] : an;
            if (!up->has_nc)
                continue;
            if (!parsed) {
                if (mote_x509_cert_parse(&work->scratch, c->der.ptr,
                                         c->der.len) != 0)
                    return MOTE_X509_MALFORMED;
                parsed = true;
            }
            if (!names_allowed(up, &work->scratch))
                return MOTE_X509_NAME_CONSTRAINTS;
        }
    }
    /* 6.1.3 (d)-(f), 6.1.4 (a)-(j), 6.1.5 (a), (b), (g): certificate
     * policies (verify_policy.c). */
    return x509__policy_check(work, path, n, o, depth);
}

/* Certificates: parse every field and extension, compare with libcrypto's
 * reading of the same bytes, re-encode to identical bytes, build one by
 * hand, and refuse what RFC 5280 refuses.
 *
 * `test_x509_parse --bundle FILE` instead checks every certificate of a
 * PEM bundle (tests/interop/x509_bundle.t runs it on the system one). */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <mote/crypto.h>
#include <mote/error.h>
#include <mote/x509.h>

#include "tap.h"

static uint8_t *load(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *p = malloc(1 << 20);
    *len = fread(p, 1, 1 << 20, f);
    fclose(f);
    return p;
}

static int64_t asn1_time(const ASN1_TIME *t)
{
    struct tm tm;
    if (ASN1_TIME_to_tm(t, &tm) != 1)
        return INT64_MIN;
    return (int64_t)timegm(&tm);
}

static bool slice_eq(struct mote_x509_slice s, const void *p, size_t n)
{
    return s.len == n && (n == 0 || memcmp(s.ptr, p, n) == 0);
}

/* Compare what Mote parsed with libcrypto's reading of the same DER; NULL
 * if they agree, else the first field that differs. */
static const char *compare_openssl(const struct mote_x509_cert *c)
{
    const unsigned char *p = c->der.ptr;
    X509 *x = d2i_X509(NULL, &p, (long)c->der.len);
    const char *why = NULL;
    unsigned char *enc = NULL;
    int n;
    if (!x)
        return "libcrypto cannot read it";
    if (X509_get_version(x) + 1 != c->version)
        why = "version";
    const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
    n = i2d_ASN1_INTEGER((ASN1_INTEGER *)serial, &enc);
    if (!why && (n < 2 || !slice_eq(c->serial, enc + 2, (size_t)n - 2)))
        why = "serial";
    OPENSSL_free(enc), enc = NULL;
    if (!why && (asn1_time(X509_get0_notBefore(x)) != c->not_before ||
                 asn1_time(X509_get0_notAfter(x)) != c->not_after))
        why = "validity";
    n = i2d_X509_NAME(X509_get_subject_name(x), &enc);
    if (!why && (n < 0 || (size_t)n != c->subject.len ||
                 memcmp(enc, c->subject.der, (size_t)n) != 0))
        why = "subject";
    OPENSSL_free(enc), enc = NULL;
    n = i2d_X509_NAME(X509_get_issuer_name(x), &enc);
    if (!why && (n < 0 || (size_t)n != c->issuer.len ||
                 memcmp(enc, c->issuer.der, (size_t)n) != 0))
        why = "issuer";
    OPENSSL_free(enc), enc = NULL;
    n = i2d_PUBKEY(X509_get0_pubkey(x), &enc);
    if (!why && (n < 0 || !slice_eq(c->pubkey.spki, enc, (size_t)n)))
        why = "public key";
    OPENSSL_free(enc), enc = NULL;
    if (!why && X509_get_ext_count(x) != (int)c->ext_count)
        why = "extension count";

    /* Extensions, through libcrypto's cached flags. */
    uint32_t flags = X509_get_extension_flags(x);
    if (!why && !!(flags & EXFLAG_CA) != c->ca)
        why = "basicConstraints cA";
    if (!why && c->ca && X509_get_pathlen(x) != c->path_len)
        why = "pathLen";
    uint32_t ku = X509_get_key_usage(x), want_ku = 0;
    for (int i = 0; i < 8; i++)
        if (c->key_usage & (1u << i))
            want_ku |= 0x80u >> i;
    if (c->key_usage & MOTE_X509_KU_DECIPHER_ONLY)
        want_ku |= 0x8000;
    if (c->ext_index[MOTE_X509_EXT_KEY_USAGE] < 0)
        want_ku = UINT32_MAX;
    if (!why && ku != want_ku)
        why = "keyUsage";
    uint32_t xku = X509_get_extended_key_usage(x);
    if (!why && c->ext_index[MOTE_X509_EXT_EXT_KEY_USAGE] >= 0 &&
        (!!(xku & XKU_SSL_SERVER) !=
             !!(c->eku_flags & MOTE_X509_EKU_SERVER_AUTH) ||
         !!(xku & XKU_SSL_CLIENT) !=
             !!(c->eku_flags & MOTE_X509_EKU_CLIENT_AUTH) ||
         !!(xku & XKU_CODE_SIGN) !=
             !!(c->eku_flags & MOTE_X509_EKU_CODE_SIGNING)))
        why = "extKeyUsage";
    const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(x);
    if (!why && (ski ? !slice_eq(c->ski, ski->data, (size_t)ski->length)
                     : c->ski.ptr != NULL))
        why = "subjectKeyIdentifier";
    const ASN1_OCTET_STRING *aki = X509_get0_authority_key_id(x);
    if (!why && (aki ? !slice_eq(c->aki_key_id, aki->data, (size_t)aki->length)
                     : c->aki_key_id.ptr != NULL))
        why = "authorityKeyIdentifier";
    GENERAL_NAMES *san = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    if (!why && (san ? sk_GENERAL_NAME_num(san) != (int)c->san_count
                     : c->san_count != 0))
        why = "subjectAltName count";
    for (int i = 0; !why && san && i < sk_GENERAL_NAME_num(san); i++) {
        GENERAL_NAME *g = sk_GENERAL_NAME_value(san, i);
        const struct mote_x509_gn *m = &c->san[i];
        if ((int)m->type != g->type)
            why = "subjectAltName type";
        else if (g->type == GEN_DNS || g->type == GEN_EMAIL ||
                 g->type == GEN_URI)
            why = m->len == (size_t)g->d.ia5->length &&
                          memcmp(m->val, g->d.ia5->data, m->len) == 0
                      ? NULL
                      : "subjectAltName value";
        else if (g->type == GEN_IPADD)
            why = m->len == (size_t)g->d.ip->length &&
                          memcmp(m->val, g->d.ip->data, m->len) == 0
                      ? NULL
                      : "subjectAltName IP";
    }
    GENERAL_NAMES_free(san);
    X509_free(x);
    return why;
}

/* Encode c and compare with its own input bytes. */
static bool reencodes(const struct mote_x509_cert *c)
{
    static uint8_t out[1 << 16];
    size_t len;
    return mote_x509_cert_encode(c, out, sizeof out, &len) == 0 &&
           len == c->der.len && memcmp(out, c->der.ptr, len) == 0;
}

static const char *const vectors[] = {
    "rich.der",
    "pss.der",
    "ed25519.der",
    "isrg_root_x1.der",
    "isrg_root_x2.der",
    "certum_tn_ca2.der",
    "trustwave_ecc_p256.der",
};

static struct mote_x509_cert cert, cert2;

static uint8_t *load_vector(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "tests/vectors/x509/%s", name);
    return load(path, len);
}

static void test_vectors(void)
{
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        size_t len;
        uint8_t *der = load_vector(vectors[i], &len);
        if (!ok(der != NULL, "%s: load", vectors[i]))
            continue;
        int err = mote_x509_cert_parse(&cert, der, len);
        if (!ok(err == 0, "%s: parses", vectors[i]))
            tap_diag("%s: %s", mote_errname(err), cert.reason);
        const char *why = err ? "not parsed" : compare_openssl(&cert);
        if (!ok(why == NULL, "%s: agrees with libcrypto", vectors[i]))
            tap_diag("differs: %s", why);
        ok(err == 0 && reencodes(&cert), "%s: re-encodes identically",
           vectors[i]);
        free(der);
    }
}

static const char *gn_text(const struct mote_x509_gn *g, char *buf)
{
    memcpy(buf, g->val, g->len);
    buf[g->len] = '\0';
    return buf;
}

/* rich.der holds every extension; tests/vectors/x509/rich.cnf says what
 * went into it. */
static void test_rich(void)
{
    size_t len;
    uint8_t *der = load_vector("rich.der", &len);
    char buf[512];
    if (!ok(der && mote_x509_cert_parse(&cert, der, len) == 0, "parse"))
        return;
    is_int(cert.version, 3, "version");
    ok(slice_eq(cert.serial, "\x00\xc0\xff\xee\x01\x23\x45\x67\x89", 9),
       "serial with its sign octet");
    ok(cert.sig_alg.alg == MOTE_X509_SIG_ECDSA &&
           cert.sig_alg.hash == MOTE_HASH_SHA256,
       "ecdsa-with-SHA256");
    ok(cert.pubkey.type == MOTE_X509_KEY_EC &&
           cert.pubkey.curve == MOTE_EC_P256 && cert.pubkey.point_len == 65,
       "P-256 key");
    is_int(cert.not_after - cert.not_before, 3650 * 86400LL, "3650 days");
    mote_x509_name_to_text(&cert.subject, buf, sizeof buf);
    is_str(buf, "CN=rich.example,OU=x509\\+parser,O=Mote Test\\, Inc.,C=DE",
           "subject, RFC 4514");
    ok(cert.issuer.len == cert.subject.len &&
           memcmp(cert.issuer.der, cert.subject.der, cert.issuer.len) == 0,
       "self-issued");
    is_int(cert.ext_count, 11, "11 extensions");

    int bc = cert.ext_index[MOTE_X509_EXT_BASIC_CONSTRAINTS];
    ok(bc >= 0 && cert.exts[bc].critical && cert.ca && cert.path_len == 2,
       "basicConstraints critical, CA, pathlen 2");
    ok(cert.key_usage == (MOTE_X509_KU_DIGITAL_SIGNATURE |
                          MOTE_X509_KU_KEY_CERT_SIGN | MOTE_X509_KU_CRL_SIGN),
       "keyUsage");
    ok(cert.eku_count == 4 && cert.eku_flags == (MOTE_X509_EKU_SERVER_AUTH |
                                                 MOTE_X509_EKU_CLIENT_AUTH |
                                                 MOTE_X509_EKU_CODE_SIGNING),
       "extKeyUsage: 3 known and 1.2.3.4.5");
    char oid[64];
    mote_der_oid_to_text(cert.eku[3].ptr, cert.eku[3].len, oid, sizeof oid);
    is_str(oid, "1.2.3.4.5", "the private EKU");

    static const enum mote_x509_gn_type san_types[] = {
        MOTE_X509_GN_DNS, MOTE_X509_GN_DNS,   MOTE_X509_GN_IP,
        MOTE_X509_GN_IP,  MOTE_X509_GN_EMAIL, MOTE_X509_GN_URI,
        MOTE_X509_GN_RID, MOTE_X509_GN_DIR,   MOTE_X509_GN_OTHER};
    is_int(cert.san_count, 9, "9 SANs");
    for (unsigned i = 0; i < 9 && i < cert.san_count; i++)
        is_int(cert.san[i].type, san_types[i], "SAN %u type", i);
    is_str(gn_text(&cert.san[1], buf), "*.rich.example", "wildcard DNS");
    ok(cert.san[2].len == 4 &&
           memcmp(cert.san[2].val, "\xc0\x00\x02\x07", 4) == 0,
       "IPv4 192.0.2.7");
    ok(cert.san[3].len == 16, "IPv6");
    is_str(gn_text(&cert.san[4], buf), "admin@rich.example", "email");
    is_str(gn_text(&cert.san[5], buf), "https://rich.example/", "URI");
    struct mote_x509_name dn;
    ok(mote_x509_name_parse(&dn, cert.san[7].val, cert.san[7].len) == 0 &&
           mote_x509_name_to_text(&dn, buf, sizeof buf) > 0 &&
           strcmp(buf, "CN=In SAN,O=Directory Name") == 0,
       "directoryName");

    ok(cert.nc_permitted_count == 3 && cert.nc_excluded_count == 3,
       "nameConstraints 3 + 3");
    ok(cert.nc_permitted[1].type == MOTE_X509_GN_IP &&
           cert.nc_permitted[1].len == 8 &&
           memcmp(cert.nc_permitted[1].val, "\x0a\0\0\0\xff\0\0\0", 8) == 0,
       "permitted 10.0.0.0/8");
    ok(cert.nc_excluded[1].type == MOTE_X509_GN_IP &&
           cert.nc_excluded[1].len == 32,
       "excluded IPv6 prefix");
    ok(cert.nc_excluded[2].type == MOTE_X509_GN_DIR, "excluded dirName");

    ok(cert.ski.len == 20 && slice_eq(cert.aki_key_id, cert.ski.ptr, 20),
       "AKI = SKI (self-signed)");
    ok(cert.policy_count == 2 && cert.policies[0].qualifiers.ptr == NULL &&
           cert.policies[1].qualifiers.ptr != NULL,
       "two policies, the second with a CPS qualifier");
    mote_der_oid_to_text(cert.policies[0].oid.ptr, cert.policies[0].oid.len,
                         oid, sizeof oid);
    is_str(oid, "2.23.140.1.2.1", "policy OID");
    ok(cert.crldp_count == 2 && cert.crldp[0].uri.ptr, "two CRL DPs");
    if (cert.crldp_count == 2) {
        is_str(gn_text(&(struct mote_x509_gn){MOTE_X509_GN_URI,
                                              cert.crldp[1].uri.ptr,
                                              cert.crldp[1].uri.len},
                       buf),
               "ldap://ldap.example.com/cn=x", "CRL URI");
    }
    ok(cert.aia_count == 2 && cert.aia[0].method == MOTE_X509_AIA_OCSP &&
           cert.aia[1].method == MOTE_X509_AIA_CA_ISSUERS,
       "AIA: OCSP and caIssuers");
    if (cert.aia_count == 2)
        is_str(gn_text(&cert.aia[0].location, buf), "http://ocsp.example.com/",
               "OCSP URI");
    const struct mote_x509_ext *x = &cert.exts[cert.ext_count - 1];
    ok(x->id == MOTE_X509_EXT_OTHER && !x->critical &&
           slice_eq(x->value, "\x0c\x08kept raw", 10),
       "unknown extension kept raw");
    free(der);
}

/* Encode c, parse the result into out; the parse error. */
static int reparse(const struct mote_x509_cert *c, uint8_t *buf, size_t cap,
                   struct mote_x509_cert *out)
{
    size_t len;
    int err = mote_x509_cert_encode(c, buf, cap, &len);
    if (err < 0)
        return 1000 + err;
    return mote_x509_cert_parse(out, buf, len);
}

/* Replace the extension with id by a raw one with value (DER). */
static void raw_ext(struct mote_x509_cert *c, enum mote_x509_ext_id id,
                    const char *oid, const void *val, size_t len)
{
    int i = c->ext_index[id];
    c->exts[i].id = MOTE_X509_EXT_OTHER;
    c->exts[i].oid.ptr = (const uint8_t *)oid;
    c->exts[i].oid.len = strlen(oid);
    c->exts[i].value.ptr = val;
    c->exts[i].value.len = len;
}

static void test_refusals(void)
{
    size_t len;
    uint8_t *der = load_vector("rich.der", &len);
    static uint8_t buf[1 << 16], big[8192];
    struct mote_x509_cert c;
    if (!ok(der && mote_x509_cert_parse(&cert, der, len) == 0, "parse"))
        return;
    is_int(reparse(&cert, buf, sizeof buf, &cert2), 0, "unchanged: parses");

    c = cert;
    c.exts[c.ext_count - 1].critical = true;
    is_int(reparse(&c, buf, sizeof buf, &cert2), MOTE_ENOTSUP,
           "unknown critical extension");
    is_str(cert2.reason, "unknown critical extension", "reason says so");

    c = cert;
    c.exts[c.ext_count] = c.exts[c.ext_count - 1];
    c.ext_count++;
    is_int(reparse(&c, buf, sizeof buf, &cert2), MOTE_EINVAL,
           "duplicate extension");
    is_str(cert2.reason, "duplicate extension", "reason");

    c = cert;
    c.version = 1;
    is_int(reparse(&c, buf, sizeof buf, &cert2), MOTE_EINVAL,
           "extensions in v1");
    c = cert;
    c.version = 2;
    is_int(reparse(&c, buf, sizeof buf, &cert2), MOTE_EINVAL,
           "extensions in v2");

    c = cert;
    static const uint8_t serial21[21] = {1};
    c.serial.ptr = serial21;
    c.serial.len = 21;
    is_int(reparse(&c, buf, sizeof buf, &cert2), MOTE_EINVAL,
           "21-octet serial");
    c.serial.len = 20;
    is_int(reparse(&c, buf, sizeof buf, &cert2), 0, "20-octet serial");

    /* Inner and outer signature algorithms differ. */
    struct mote_der_writer w;
    struct mote_x509_sigalg other = cert.sig_alg;
    other.hash = MOTE_HASH_SHA384;
    mote_der_writer_init(&w, buf, sizeof buf);
    mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
    mote_x509_tbs_put(&w, &cert);
    mote_x509_sigalg_put(&w, &other);
    mote_der_put_bits(&w, cert.sig.ptr, cert.sig.len, 0);
    mote_der_put_end(&w);
    mote_der_writer_finish(&w, &len);
    is_int(mote_x509_cert_parse(&cert2, buf, len), MOTE_EINVAL,
           "signature algorithms differ");

    memcpy(buf, cert.der.ptr, cert.der.len);
    buf[cert.der.len] = 0;
    is_int(mote_x509_cert_parse(&cert2, buf, cert.der.len + 1), MOTE_EINVAL,
           "trailing byte");

    /* Extension values made by hand. */
    static const struct {
        enum mote_x509_ext_id id;
        const char *oid;
        const char *val;
        size_t len;
        int err;
        const char *what;
    } bad[] = {
        {MOTE_X509_EXT_BASIC_CONSTRAINTS, "\x55\x1d\x13",
         "\x30\x03\x01\x01\x00", 5, MOTE_EINVAL, "cA FALSE encoded"},
        {MOTE_X509_EXT_BASIC_CONSTRAINTS, "\x55\x1d\x13",
         "\x30\x06\x01\x01\xff\x02\x01\xff", 8, MOTE_EINVAL,
         "negative pathLen"},
        {MOTE_X509_EXT_KEY_USAGE, "\x55\x1d\x0f", "\x03\x01\x00", 3,
         MOTE_EINVAL, "keyUsage with no bit"},
        {MOTE_X509_EXT_KEY_USAGE, "\x55\x1d\x0f", "\x03\x02\x01\x87", 4,
         MOTE_EINVAL, "keyUsage padding bit set"},
        {MOTE_X509_EXT_SUBJECT_ALT_NAME, "\x55\x1d\x11", "\x30\x00", 2,
         MOTE_EINVAL, "empty subjectAltName"},
        {MOTE_X509_EXT_SUBJECT_ALT_NAME, "\x55\x1d\x11",
         "\x30\x05\x87\x03\x01\x02\x03", 7, MOTE_EINVAL, "3-byte IP"},
        {MOTE_X509_EXT_SUBJECT_ALT_NAME, "\x55\x1d\x11", "\x30\x03\x82\x01\xc3",
         5, MOTE_EINVAL, "non-ASCII dNSName"},
        {MOTE_X509_EXT_NAME_CONSTRAINTS, "\x55\x1d\x1e",
         "\x30\x0c\xa0\x0a\x30\x08\x82\x03\x61\x2e\x62\x81\x01\x02", 14,
         MOTE_ENOTSUP, "subtree maximum"},
        {MOTE_X509_EXT_NAME_CONSTRAINTS, "\x55\x1d\x1e", "\x30\x00", 2,
         MOTE_EINVAL, "empty nameConstraints"},
        {MOTE_X509_EXT_SUBJECT_KEY_ID, "\x55\x1d\x0e", "\x04\x01\x01\x00", 4,
         MOTE_EINVAL, "trailing byte in a value"},
        {MOTE_X509_EXT_CERT_POLICIES, "\x55\x1d\x20",
         "\x30\x0a\x30\x03\x06\x01\x2a\x30\x03\x06\x01\x2a", 12, MOTE_EINVAL,
         "duplicate policy"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        c = cert;
        raw_ext(&c, bad[i].id, bad[i].oid, bad[i].val, bad[i].len);
        is_int(reparse(&c, buf, sizeof buf, &cert2), bad[i].err, "%s",
               bad[i].what);
    }

    /* An RSA key below 512 bits: the certificate parses, the key is kept
     * as UNKNOWN (and written back as it was). */
    size_t plen;
    uint8_t *pss = load_vector("pss.der", &plen);
    if (pss && mote_x509_cert_parse(&c, pss, plen) == 0) {
        c.pubkey.rsa.n_len = 32;
        int err = reparse(&c, buf, sizeof buf, &cert2);
        ok(err == 0 && cert2.pubkey.type == MOTE_X509_KEY_UNKNOWN &&
               reencodes(&cert2),
           "256-bit RSA key: parsed, key UNKNOWN");
    } else {
        ok(0, "pss.der");
    }
    free(pss);

    /* 128 SANs fit, 129 do not (MOTE_X509_MAX_SAN), never truncated. */
    for (int n = 128; n <= 129; n++) {
        struct mote_der_writer sw;
        size_t slen;
        mote_der_writer_init(&sw, big, sizeof big);
        mote_der_put_begin(&sw, MOTE_DER_SEQUENCE);
        for (int k = 0; k < n; k++)
            mote_der_put_tlv(&sw, MOTE_DER_CTX(2), "a.example", 9);
        mote_der_put_end(&sw);
        mote_der_writer_finish(&sw, &slen);
        c = cert;
        raw_ext(&c, MOTE_X509_EXT_SUBJECT_ALT_NAME, "\x55\x1d\x11", big, slen);
        int err = reparse(&c, buf, sizeof buf, &cert2);
        if (n == 128)
            ok(err == 0 && cert2.san_count == 128, "128 SANs");
        else
            is_int(err, MOTE_ENOSPC, "129 SANs: ENOSPC");
    }
    free(der);
}

/* A certificate built by hand (as part 3 does), signed by Mote, checked
 * by libcrypto. */
static int rng(void *ctx, uint8_t *b, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)rand();
    return 0;
}

static void test_hand_built(void)
{
    uint8_t seed[32], priv[32], pub[65], name[128], tbs[2048], sig[128];
    static uint8_t out[4096];
    size_t name_len, tbs_len, out_len, sig_len;
    (void)rng;
    mote_hash(MOTE_HASH_SHA256, "hand built", 10, seed);
    memcpy(priv, seed, 32);
    priv[0] &= 0x7f; /* below the order */
    ok(mote_ec_public(MOTE_EC_P256, pub, priv) == 0, "key");

    struct mote_der_writer w;
    mote_der_writer_init(&w, name, sizeof name);
    mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
    mote_der_put_begin(&w, MOTE_DER_SET);
    mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
    mote_der_put_oid(&w, (const uint8_t *)"\x55\x04\x03", 3);
    mote_der_put_tlv(&w, MOTE_DER_UTF8_STRING, "hand.example", 12);
    mote_der_put_end(&w);
    mote_der_put_end(&w);
    mote_der_put_end(&w);
    is_int(mote_der_writer_finish(&w, &name_len), 0, "name");

    struct mote_x509_cert *c = &cert;
    mote_x509_cert_init(c);
    c->serial.ptr = (const uint8_t *)"\x01\x02\x03";
    c->serial.len = 3;
    c->sig_alg.alg = MOTE_X509_SIG_ECDSA;
    c->sig_alg.hash = MOTE_HASH_SHA256;
    mote_x509_name_parse(&c->issuer, name, name_len);
    c->subject = c->issuer;
    c->not_before = 1700000000;
    c->not_after = 2600000000LL; /* 2052: GeneralizedTime */
    c->pubkey.type = MOTE_X509_KEY_EC;
    c->pubkey.curve = MOTE_EC_P256;
    c->pubkey.point = pub;
    c->pubkey.point_len = 65;
    mote_x509_cert_add_ext(c, MOTE_X509_EXT_BASIC_CONSTRAINTS, true);
    c->ca = true;
    mote_x509_cert_add_ext(c, MOTE_X509_EXT_KEY_USAGE, true);
    c->key_usage = MOTE_X509_KU_DIGITAL_SIGNATURE | MOTE_X509_KU_KEY_CERT_SIGN;
    mote_x509_cert_add_ext(c, MOTE_X509_EXT_SUBJECT_ALT_NAME, false);
    c->san[0] = (struct mote_x509_gn){MOTE_X509_GN_DNS,
                                      (const uint8_t *)"hand.example", 12};
    c->san[1] = (struct mote_x509_gn){MOTE_X509_GN_IP,
                                      (const uint8_t *)"\x7f\0\0\x01", 4};
    c->san_count = 2;
    mote_x509_cert_add_ext(c, MOTE_X509_EXT_EXT_KEY_USAGE, false);
    c->eku[0].ptr = (const uint8_t *)"\x2b\x06\x01\x05\x05\x07\x03\x01";
    c->eku[0].len = 8;
    c->eku_count = 1;
    is_int(mote_x509_cert_add_ext(c, MOTE_X509_EXT_KEY_USAGE, true),
           MOTE_EINVAL, "an extension twice");

    mote_der_writer_init(&w, tbs, sizeof tbs);
    mote_x509_tbs_put(&w, c);
    is_int(mote_der_writer_finish(&w, &tbs_len), 0, "TBS");
    uint8_t hash[32], raw[64];
    mote_hash(MOTE_HASH_SHA256, tbs, tbs_len, hash);
    mote_ecdsa_sign(MOTE_EC_P256, raw, priv, MOTE_HASH_SHA256, hash, 32, NULL,
                    0);
    mote_ecdsa_sig_to_der(MOTE_EC_P256, sig, sizeof sig, &sig_len, raw);
    c->sig.ptr = sig;
    c->sig.len = sig_len;
    is_int(mote_x509_cert_encode(c, out, sizeof out, &out_len), 0, "encode");

    const unsigned char *p = out;
    X509 *x = d2i_X509(NULL, &p, (long)out_len);
    ok(x != NULL, "libcrypto reads it");
    if (x) {
        ok(X509_verify(x, X509_get0_pubkey(x)) == 1,
           "libcrypto verifies Mote's signature");
        ok(X509_check_host(x, "hand.example", 0, 0, NULL) == 1,
           "libcrypto finds the SAN");
        ok(X509_check_ca(x) >= 1, "libcrypto sees a CA");
        X509_free(x);
    }
    is_int(mote_x509_cert_parse(&cert2, out, out_len), 0, "Mote reads it");
    ok(cert2.not_after_tag == MOTE_DER_GENERALIZED_TIME &&
           cert2.not_before_tag == MOTE_DER_UTC_TIME,
       "time forms chosen per RFC 5280");
    ok(compare_openssl(&cert2) == NULL && reencodes(&cert2),
       "agrees with libcrypto, re-encodes");
    size_t need;
    ok(mote_x509_cert_encode(c, out, 100, &need) == MOTE_ENOSPC &&
           need == out_len,
       "encode reports the size needed");
}

/* Split-point and bit flips: every truncation of a real certificate is
 * refused; every one-bit change is refused or re-encodes to itself. */
static void test_split(void)
{
    for (size_t v = 0; v < sizeof vectors / sizeof vectors[0]; v++) {
        size_t len;
        uint8_t *der = load_vector(vectors[v], &len);
        if (!der)
            continue;
        int bad = 0, flips_bad = 0;
        for (size_t cut = 0; cut < len; cut++) {
            uint8_t *p = malloc(cut ? cut : 1);
            memcpy(p, der, cut);
            if (mote_x509_cert_parse(&cert, p, cut) == 0)
                bad++;
            free(p);
        }
        uint8_t *p = malloc(len);
        for (size_t i = 0; i < len; i++) {
            memcpy(p, der, len);
            p[i] ^= (uint8_t)(1u << (i % 8));
            if (mote_x509_cert_parse(&cert, p, len) == 0 && !reencodes(&cert))
                flips_bad++;
        }
        free(p);
        is_int(bad, 0, "%s: truncations refused", vectors[v]);
        is_int(flips_bad, 0, "%s: bit flips refused or exact", vectors[v]);
        free(der);
    }
}

/* RFC 4514 text against libcrypto's, for names whose attributes Mote
 * names (CN, C, L, ST, STREET, O, OU, DC, UID). */
static void test_name_text(void)
{
    for (size_t v = 0; v < sizeof vectors / sizeof vectors[0]; v++) {
        size_t len;
        uint8_t *der = load_vector(vectors[v], &len);
        char mine[1024], theirs[1024];
        if (!der || mote_x509_cert_parse(&cert, der, len) < 0) {
            ok(0, "%s", vectors[v]);
            free(der);
            continue;
        }
        const unsigned char *p = der;
        X509 *x = d2i_X509(NULL, &p, (long)len);
        BIO *b = BIO_new(BIO_s_mem());
        X509_NAME_print_ex(b, X509_get_subject_name(x), 0,
                           XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
        int n = BIO_read(b, theirs, sizeof theirs - 1);
        theirs[n > 0 ? n : 0] = '\0';
        BIO_free(b);
        X509_free(x);
        mote_x509_name_to_text(&cert.subject, mine, sizeof mine);
        ok(strcmp(mine, theirs) == 0, "%s: subject as libcrypto writes it",
           vectors[v]);
        if (strcmp(mine, theirs) != 0)
            tap_diag("mote \"%s\" libcrypto \"%s\"", mine, theirs);
        if (v == 0) {
            char small[8];
            is_int(mote_x509_name_to_text(&cert.subject, small, sizeof small),
                   MOTE_ENOSPC, "too small a buffer");
            ok(strlen(small) == sizeof small - 1, "truncated and terminated");
        }
        free(der);
    }
}

/* One AttributeTypeAndValue. */
static void put_atv(struct mote_der_writer *w, const char *oid, unsigned tag,
                    const void *val, size_t len)
{
    mote_der_put_begin(w, MOTE_DER_SEQUENCE);
    mote_der_put_oid(w, (const uint8_t *)oid, strlen(oid));
    mote_der_put_tlv(w, tag, val, len);
    mote_der_put_end(w);
}

/* Escaping, multi-valued RDNs, BMP and Universal strings and unknown
 * types, against libcrypto's RFC 2253 printer. */
static void test_name_escapes(void)
{
    uint8_t der[512];
    size_t len;
    struct mote_der_writer w;
    mote_der_writer_init(&w, der, sizeof der);
    mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
    mote_der_put_begin(&w, MOTE_DER_SET);
    put_atv(&w, "\x55\x04\x06", MOTE_DER_PRINTABLE_STRING, "DE", 2);
    mote_der_put_end(&w);
    mote_der_put_begin(&w, MOTE_DER_SET); /* multi-valued */
    put_atv(&w, "\x55\x04\x0a", MOTE_DER_UTF8_STRING, "#lead, \"q\"", 10);
    put_atv(&w, "\x55\x04\x0b", MOTE_DER_UTF8_STRING, "a+b;c<d>e\\ ", 11);
    mote_der_put_end(&w);
    mote_der_put_begin(&w, MOTE_DER_SET);
    put_atv(&w, "\x55\x04\x07", MOTE_DER_BMP_STRING, "\x00M\x00\xfc\x4e\x2d",
            6);
    mote_der_put_end(&w);
    mote_der_put_begin(&w, MOTE_DER_SET);
    put_atv(&w, "\x55\x04\x08", MOTE_DER_UNIVERSAL_STRING,
            "\x00\x01\xf6\x00\x00\x00\x00\x41", 8);
    mote_der_put_end(&w);
    mote_der_put_begin(&w, MOTE_DER_SET);
    put_atv(&w, "\x2a\x03\x04", MOTE_DER_UTF8_STRING, "x", 1);
    mote_der_put_end(&w);
    mote_der_put_begin(&w, MOTE_DER_SET);
    put_atv(&w, "\x55\x04\x03", MOTE_DER_UTF8_STRING, " sp ", 4);
    mote_der_put_end(&w);
    mote_der_put_end(&w);
    is_int(mote_der_writer_finish(&w, &len), 0, "name built");

    struct mote_x509_name n;
    struct mote_x509_name_iter it;
    struct mote_x509_attr a;
    is_int(mote_x509_name_parse(&n, der, len), 0, "name parses");
    unsigned count = 0, rdn1 = 0;
    mote_x509_name_iter_init(&it, &n);
    while (mote_x509_name_next(&it, &a) == 1) {
        count++;
        rdn1 += a.rdn == 1;
    }
    ok(count == 7 && rdn1 == 2, "7 attributes, two in the second RDN");

    char mine[512];
    ok(mote_x509_name_to_text(&n, mine, sizeof mine) > 0, "text");
    is_str(mine,
           "CN=\\ sp\\ "
           ",1.2.3.4=#0c0178,ST=\xf0\x9f\x98\x80"
           "A,L=M\xc3\xbc\xe4\xb8\xad,"
           "O=\\#lead\\, \\\"q\\\"+OU=a\\+b\\;c\\<d\\>e\\\\\\ ,C=DE",
           "RFC 4514 text");
    /* The same text as libcrypto gives, but for its own multi-valued RDN
     * order and the unknown OID: compare the single-valued part. */
    const unsigned char *p = der;
    X509_NAME *xn = d2i_X509_NAME(NULL, &p, (long)len);
    char theirs[512] = "";
    if (xn) {
        BIO *b = BIO_new(BIO_s_mem());
        X509_NAME_print_ex(b, xn, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
        int m = BIO_read(b, theirs, sizeof theirs - 1);
        theirs[m > 0 ? m : 0] = '\0';
        BIO_free(b);
        X509_NAME_free(xn);
    }
    const char *lc = strstr(theirs, ",L=");
    const char *ml = strstr(mine, ",L=");
    ok(lc && ml && strncmp(lc, ml, 9) == 0, "L as libcrypto writes it");
    ok(strncmp(theirs, "CN=\\ sp\\ ,", 10) == 0, "CN as libcrypto writes it");
    if (!lc || strncmp(theirs, "CN=\\ sp\\ ,", 10) != 0)
        tap_diag("libcrypto: %s", theirs);

    /* Malformed names. */
    static const struct {
        const char *der;
        size_t len;
        const char *what;
    } bad[] = {
        {"\x30\x02\x31\x00", 4, "empty RDN"},
        {"\x30\x04\x31\x02\x30\x00", 6, "ATV without a type"},
        {"\x30\x09\x31\x07\x30\x05\x06\x01\x2a\x1e\x01", 11, "truncated value"},
        {"\x30\x0a\x31\x08\x30\x06\x06\x01\x2a\x1e\x01\x41", 12,
         "odd BMPString"},
        {"\x31\x00", 2, "a SET, not a SEQUENCE"},
        {"\x30\x00\x00", 3, "trailing byte"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ok(mote_x509_name_parse(&n, (const uint8_t *)bad[i].der, bad[i].len) <
               0,
           "%s", bad[i].what);
    ok(mote_x509_name_parse(&n, (const uint8_t *)"\x30\x00", 2) == 0,
       "the empty name");
}

/* --bundle FILE: every certificate parses, agrees with libcrypto and
 * re-encodes to the same bytes. */
/* String character sets and multi-valued RDN order in names, alone and
 * inside a certificate. */
static size_t one_rdn(uint8_t *out, size_t cap, unsigned tag, const char *v,
                      size_t n, unsigned tag2, const char *v2, size_t n2)
{
    struct mote_der_writer w;
    size_t len = 0;
    mote_der_writer_init(&w, out, cap);
    mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
    mote_der_put_begin(&w, MOTE_DER_SET);
    put_atv(&w, "\x55\x04\x0a", tag, v, n);
    if (v2)
        put_atv(&w, "\x55\x04\x0a", tag2, v2, n2);
    mote_der_put_end(&w);
    mote_der_put_end(&w);
    return mote_der_writer_finish(&w, &len) == 0 ? len : 0;
}

static void test_name_strict(void)
{
    static const struct {
        unsigned tag;
        const char *v;
        size_t n;
        const char *v2; /* a second value in the same RDN */
        size_t n2;
        int want;
        const char *what;
    } cases[] = {
        {MOTE_DER_PRINTABLE_STRING, "Example Inc.", 12, NULL, 0, 0,
         "PrintableString"},
        {MOTE_DER_PRINTABLE_STRING, "AT&T", 4, NULL, 0, 0,
         "PrintableString '&' (accepted, as real names have it)"},
        {MOTE_DER_PRINTABLE_STRING, "*.example.com", 13, NULL, 0, 0,
         "PrintableString '*' (accepted, as real names have it)"},
        {MOTE_DER_PRINTABLE_STRING, "a@example.com", 13, NULL, 0, MOTE_EINVAL,
         "PrintableString '@'"},
        {MOTE_DER_PRINTABLE_STRING, "caf\xc3\xa9", 5, NULL, 0, MOTE_EINVAL,
         "PrintableString 8-bit"},
        {MOTE_DER_UTF8_STRING, "caf\xc3\xa9", 5, NULL, 0, 0, "UTF8String"},
        {MOTE_DER_UTF8_STRING, "caf\xc0\xa9", 5, NULL, 0, MOTE_EINVAL,
         "UTF8String overlong"},
        {MOTE_DER_UTF8_STRING, "\xed\xb0\x80", 3, NULL, 0, MOTE_EINVAL,
         "UTF8String surrogate"},
        {MOTE_DER_UTF8_STRING, "caf\xe9", 4, NULL, 0, MOTE_EINVAL,
         "UTF8String Latin-1"},
        {MOTE_DER_IA5_STRING, "a@example.com", 13, NULL, 0, 0, "IA5String"},
        {MOTE_DER_IA5_STRING, "caf\xe9", 4, NULL, 0, MOTE_EINVAL,
         "IA5String 8-bit"},
        {MOTE_DER_UTF8_STRING, "a", 1, "b", 1, 0, "multi-valued RDN sorted"},
        {MOTE_DER_UTF8_STRING, "b", 1, "a", 1, MOTE_EINVAL,
         "multi-valued RDN out of order"},
        {MOTE_DER_UTF8_STRING, "ab", 2, "b", 1, MOTE_EINVAL,
         "multi-valued RDN: the shorter encoding sorts first"},
        {MOTE_DER_UTF8_STRING, "b", 1, "ab", 2, 0,
         "multi-valued RDN: shorter first is sorted"},
        {MOTE_DER_UTF8_STRING, "a", 1, "a", 1, 0,
         "multi-valued RDN: equal encodings"},
    };
    size_t len;
    uint8_t *der = load_vector("rich.der", &len);
    static uint8_t buf[1 << 16];
    uint8_t name[256];
    struct mote_x509_cert c;
    if (!ok(der && mote_x509_cert_parse(&cert, der, len) == 0, "parse"))
        return;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mote_x509_name n;
        size_t nl = one_rdn(name, sizeof name, cases[i].tag, cases[i].v,
                            cases[i].n, cases[i].tag, cases[i].v2, cases[i].n2);
        is_int(mote_x509_name_parse(&n, name, nl), cases[i].want, "%s",
               cases[i].what);
        c = cert;
        c.subject.der = name;
        c.subject.len = nl;
        is_int(reparse(&c, buf, sizeof buf, &cert2), cases[i].want,
               "... as a certificate's subject");
        if (cases[i].want)
            is_str(cert2.reason, "bad subject name", "... reason");
    }
    free(der);
}

/* RFC 5280 4.1.2.6: an empty subject needs a critical subjectAltName. */
static void test_empty_subject(void)
{
    size_t len;
    uint8_t *der = load_vector("rich.der", &len);
    static uint8_t buf[1 << 16];
    struct mote_x509_cert c;
    if (!ok(der && mote_x509_cert_parse(&cert, der, len) == 0, "parse"))
        return;
    int si = cert.ext_index[MOTE_X509_EXT_SUBJECT_ALT_NAME];
    c = cert;
    c.subject.der = (const uint8_t *)"\x30\x00";
    c.subject.len = 2;
    c.exts[si].critical = true;
    is_int(reparse(&c, buf, sizeof buf, &cert2), 0,
           "empty subject, critical SAN: parses");
    ok(reencodes(&cert2), "... re-encodes identically");
    c.exts[si].critical = false;
    is_int(reparse(&c, buf, sizeof buf, &cert2), MOTE_EINVAL,
           "empty subject, non-critical SAN: refused");
    is_str(cert2.reason, "empty subject without a critical subjectAltName",
           "... reason says so");
    /* Without the SAN at all: drop the extension. */
    c.exts[si] = c.exts[--c.ext_count];
    c.ext_index[MOTE_X509_EXT_SUBJECT_ALT_NAME] = -1;
    for (unsigned i = 0; i < c.ext_count; i++)
        if (c.exts[i].id != MOTE_X509_EXT_OTHER)
            c.ext_index[c.exts[i].id] = (int)i;
    is_int(reparse(&c, buf, sizeof buf, &cert2), MOTE_EINVAL,
           "empty subject, no SAN: refused");
    free(der);
}

/* ---- Policy extensions, issuerAltName, SIA, SCTs: made by openssl ---- */

static char dir[512];
static int have_openssl;

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(cmd, sizeof cmd, "cd %s && (", dir);
    vsnprintf(cmd + n, sizeof cmd - (size_t)n, fmt, ap);
    va_end(ap);
    strncat(cmd, ") 2>/dev/null >/dev/null", sizeof cmd - strlen(cmd) - 1);
    return system(cmd);
}

static void skip(const char *why)
{
    tap_n++;
    printf("ok %d # skip %s\n", tap_n, why);
}

static bool int_is(const ASN1_INTEGER *a, int want)
{
    return want < 0 ? a == NULL : a != NULL && ASN1_INTEGER_get(a) == want;
}

static bool oid_is(const ASN1_OBJECT *o, struct mote_x509_slice s)
{
    unsigned char *enc = NULL;
    int n = i2d_ASN1_OBJECT((ASN1_OBJECT *)o, &enc);
    bool r = n > 2 && slice_eq(s, enc + 2, (size_t)n - 2);
    OPENSSL_free(enc);
    return r;
}

static bool gn_same(const GENERAL_NAME *x, const struct mote_x509_gn *m)
{
    if ((int)m->type != x->type)
        return false;
    if (x->type == GEN_DNS || x->type == GEN_URI || x->type == GEN_EMAIL)
        return m->len == (size_t)x->d.ia5->length &&
               memcmp(m->val, x->d.ia5->data, m->len) == 0;
    return true;
}

/* The policy and access extensions as libcrypto reads them. */
static const char *compare_policy_exts(const struct mote_x509_cert *c)
{
    const unsigned char *p = c->der.ptr;
    X509 *x = d2i_X509(NULL, &p, (long)c->der.len);
    const char *why = NULL;
    if (!x)
        return "libcrypto cannot read it";
    POLICY_MAPPINGS *pm = X509_get_ext_d2i(x, NID_policy_mappings, NULL, NULL);
    if ((pm ? sk_POLICY_MAPPING_num(pm) : 0) != (int)c->policy_map_count)
        why = "policyMappings count";
    for (int i = 0; !why && pm && i < sk_POLICY_MAPPING_num(pm); i++) {
        POLICY_MAPPING *m = sk_POLICY_MAPPING_value(pm, i);
        if (!oid_is(m->issuerDomainPolicy, c->policy_maps[i].issuer_domain) ||
            !oid_is(m->subjectDomainPolicy, c->policy_maps[i].subject_domain))
            why = "policyMappings OIDs";
    }
    sk_POLICY_MAPPING_pop_free(pm, POLICY_MAPPING_free);
    POLICY_CONSTRAINTS *pc =
        X509_get_ext_d2i(x, NID_policy_constraints, NULL, NULL);
    if (!why &&
        (pc ? !int_is(pc->requireExplicitPolicy, c->require_explicit_policy) ||
                  !int_is(pc->inhibitPolicyMapping, c->inhibit_policy_mapping)
            : c->require_explicit_policy >= 0 ||
                  c->inhibit_policy_mapping >= 0))
        why = "policyConstraints";
    POLICY_CONSTRAINTS_free(pc);
    ASN1_INTEGER *iap = X509_get_ext_d2i(x, NID_inhibit_any_policy, NULL, NULL);
    if (!why && !int_is(iap, c->inhibit_any_policy))
        why = "inhibitAnyPolicy";
    ASN1_INTEGER_free(iap);
    CERTIFICATEPOLICIES *cp =
        X509_get_ext_d2i(x, NID_certificate_policies, NULL, NULL);
    if (!why && (cp ? sk_POLICYINFO_num(cp) : 0) != (int)c->policy_count)
        why = "certificatePolicies count";
    for (int i = 0; !why && cp && i < sk_POLICYINFO_num(cp); i++) {
        POLICYINFO *pi = sk_POLICYINFO_value(cp, i);
        if (!oid_is(pi->policyid, c->policies[i].oid) ||
            !pi->qualifiers != !c->policies[i].qualifiers.ptr)
            why = "certificatePolicies entry";
    }
    sk_POLICYINFO_pop_free(cp, POLICYINFO_free);
    GENERAL_NAMES *ian = X509_get_ext_d2i(x, NID_issuer_alt_name, NULL, NULL);
    if (!why && (ian ? sk_GENERAL_NAME_num(ian) : 0) != (int)c->ian_count)
        why = "issuerAltName count";
    for (int i = 0; !why && ian && i < sk_GENERAL_NAME_num(ian); i++)
        if (!gn_same(sk_GENERAL_NAME_value(ian, i), &c->ian[i]))
            why = "issuerAltName entry";
    GENERAL_NAMES_free(ian);
    AUTHORITY_INFO_ACCESS *sia =
        X509_get_ext_d2i(x, NID_sinfo_access, NULL, NULL);
    if (!why && (sia ? sk_ACCESS_DESCRIPTION_num(sia) : 0) != (int)c->sia_count)
        why = "subjectInfoAccess count";
    for (int i = 0; !why && sia && i < sk_ACCESS_DESCRIPTION_num(sia); i++) {
        ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(sia, i);
        if (!oid_is(ad->method, c->sia[i].oid) ||
            !gn_same(ad->location, &c->sia[i].location))
            why = "subjectInfoAccess entry";
    }
    AUTHORITY_INFO_ACCESS_free(sia);
    int at = X509_get_ext_by_NID(x, NID_ct_precert_scts, -1);
    if (!why && (at < 0) != (c->sct_list.ptr == NULL))
        why = "SCT list presence";
    if (!why && at >= 0) {
        /* extnValue is 04 len list */
        ASN1_OCTET_STRING *d = X509_EXTENSION_get_data(X509_get_ext(x, at));
        if (d->length < 2 ||
            !slice_eq(c->sct_list, d->data + 2, (size_t)d->length - 2))
            why = "SCT list bytes";
    }
    X509_free(x);
    return why;
}

static const struct {
    const char *name;
    const char *ext; /* the extfile */
    unsigned crit;   /* which of the policy extensions are critical */
} policy_cases[] = {
    {"critical",
     "basicConstraints=critical,CA:TRUE\n"
     "keyUsage=critical,keyCertSign,cRLSign\n"
     "certificatePolicies=critical,1.2.3.4,1.2.3.5,@pol\n"
     "policyMappings=critical,1.2.3.4:1.2.3.10,1.2.3.5:1.2.3.11\n"
     "policyConstraints=critical,requireExplicitPolicy:0,"
     "inhibitPolicyMapping:3\n"
     "inhibitAnyPolicy=critical,2\n"
     "issuerAltName=critical,DNS:ca.example\n"
     "[pol]\npolicyIdentifier=1.2.3.6\nCPS.1=http://cps.example/\n"
     "userNotice.1=@notice\n[notice]\nexplicitText=\"Mote test\"\n",
     15},
    {"noncritical",
     "basicConstraints=critical,CA:TRUE,pathlen:1\n"
     "certificatePolicies=2.5.29.32.0\n"
     "policyMappings=1.2.3.4:1.2.3.10\n"
     "policyConstraints=inhibitPolicyMapping:300\n"
     "inhibitAnyPolicy=128\n"
     "issuerAltName=DNS:ca.example,URI:http://ca.example/,"
     "email:ca@example.com\n"
     "subjectInfoAccess=caRepository;URI:http://repo.example/,"
     "timeStamping;URI:http://tsa.example/,1.2.3.99;URI:http://x.example/\n"
     "1.3.6.1.4.1.11129.2.4.2=ASN1:FORMAT:HEX,OCTETSTRING:"
     "000a0003aabbcc0003ddeeff\n",
     0},
    {"explicit-only",
     "basicConstraints=critical,CA:TRUE\n"
     "policyConstraints=critical,requireExplicitPolicy:65536\n"
     "inhibitAnyPolicy=0\n",
     4},
};

static void test_policy_exts(void)
{
    static const enum mote_x509_ext_id ids[] = {
        MOTE_X509_EXT_CERT_POLICIES, MOTE_X509_EXT_POLICY_MAPPINGS,
        MOTE_X509_EXT_POLICY_CONSTRAINTS, MOTE_X509_EXT_INHIBIT_ANY_POLICY};
    if (!have_openssl) {
        skip("no /usr/bin/openssl");
        return;
    }
    if (!ok(run("openssl genpkey -algorithm EC -pkeyopt "
                "ec_paramgen_curve:P-256 -out ca.key && openssl req -new "
                "-key ca.key -subj /CN=Policy -out ca.csr") == 0,
            "openssl makes a key and request"))
        return;
    for (size_t i = 0; i < sizeof policy_cases / sizeof policy_cases[0]; i++) {
        const char *name = policy_cases[i].name;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.ext", dir, name);
        FILE *f = fopen(path, "w");
        if (f) {
            fputs(policy_cases[i].ext, f);
            fclose(f);
        }
        is_int(run("openssl x509 -req -in ca.csr -signkey ca.key -days 30 "
                   "-extfile %s.ext -outform DER -out %s.der",
                   name, name),
               0, "%s: openssl makes it", name);
        size_t len;
        snprintf(path, sizeof path, "%s/%s.der", dir, name);
        uint8_t *der = load(path, &len);
        int err = der ? mote_x509_cert_parse(&cert, der, len) : -1;
        if (!ok(err == 0, "%s: parses", name))
            tap_diag("%s: %s", mote_errname(err), cert.reason);
        if (err) {
            free(der);
            continue;
        }
        const char *why = compare_openssl(&cert);
        if (!why)
            why = compare_policy_exts(&cert);
        if (!ok(why == NULL, "%s: agrees with libcrypto", name))
            tap_diag("differs: %s", why);
        ok(reencodes(&cert), "%s: re-encodes identically", name);
        unsigned crit = 0;
        for (unsigned j = 0; j < 4; j++) {
            int at = cert.ext_index[ids[j]];
            if (at >= 0 && cert.exts[at].critical)
                crit |= 1u << j;
        }
        is_int(crit, policy_cases[i].crit, "%s: criticality", name);
        free(der);
    }
}

/* Hand-made values refused: each differs from a good one in one thing. */
static void test_policy_refusals(void)
{
    size_t len;
    uint8_t *der = load_vector("rich.der", &len);
    static uint8_t buf[1 << 16];
    struct mote_x509_cert c;
    static const struct {
        enum mote_x509_ext_id id;
        const char *oid, *val;
        size_t len;
        int err;
        const char *what;
    } cases[] = {
        /* policyMappings */
        {MOTE_X509_EXT_POLICY_MAPPINGS, "\x55\x1d\x21",
         "\x30\x0a\x30\x08\x06\x02\x2a\x03\x06\x02\x2a\x04", 12, 0,
         "policyMappings 1.2.3 -> 1.2.4"},
        {MOTE_X509_EXT_POLICY_MAPPINGS, "\x55\x1d\x21",
         "\x30\x0c\x30\x0a\x06\x04\x55\x1d\x20\x00\x06\x02\x2a\x04", 14,
         MOTE_EINVAL, "policyMappings from anyPolicy"},
        {MOTE_X509_EXT_POLICY_MAPPINGS, "\x55\x1d\x21",
         "\x30\x0c\x30\x0a\x06\x02\x2a\x03\x06\x04\x55\x1d\x20\x00", 14,
         MOTE_EINVAL, "policyMappings to anyPolicy"},
        {MOTE_X509_EXT_POLICY_MAPPINGS, "\x55\x1d\x21", "\x30\x00", 2,
         MOTE_EINVAL, "empty policyMappings"},
        {MOTE_X509_EXT_POLICY_MAPPINGS, "\x55\x1d\x21",
         "\x30\x06\x30\x04\x06\x02\x2a\x03", 8, MOTE_EINVAL,
         "policyMappings with one OID"},
        /* policyConstraints */
        {MOTE_X509_EXT_POLICY_CONSTRAINTS, "\x55\x1d\x24",
         "\x30\x06\x80\x01\x00\x81\x01\x05", 8, 0, "policyConstraints 0, 5"},
        {MOTE_X509_EXT_POLICY_CONSTRAINTS, "\x55\x1d\x24", "\x30\x00", 2,
         MOTE_EINVAL, "empty policyConstraints"},
        {MOTE_X509_EXT_POLICY_CONSTRAINTS, "\x55\x1d\x24",
         "\x30\x03\x80\x01\xff", 5, MOTE_EINVAL, "negative SkipCerts"},
        {MOTE_X509_EXT_POLICY_CONSTRAINTS, "\x55\x1d\x24",
         "\x30\x04\x80\x02\x00\x05", 6, MOTE_EINVAL, "non-minimal SkipCerts"},
        {MOTE_X509_EXT_POLICY_CONSTRAINTS, "\x55\x1d\x24",
         "\x30\x06\x81\x01\x00\x80\x01\x05", 8, MOTE_EINVAL,
         "policyConstraints out of order"},
        {MOTE_X509_EXT_POLICY_CONSTRAINTS, "\x55\x1d\x24",
         "\x30\x07\x80\x05\x01\x00\x00\x00\x00", 9, MOTE_ERANGE,
         "SkipCerts of 2^32"},
        /* inhibitAnyPolicy */
        {MOTE_X509_EXT_INHIBIT_ANY_POLICY, "\x55\x1d\x36", "\x02\x01\x00", 3, 0,
         "inhibitAnyPolicy 0"},
        {MOTE_X509_EXT_INHIBIT_ANY_POLICY, "\x55\x1d\x36", "\x02\x00", 2,
         MOTE_EINVAL, "inhibitAnyPolicy empty INTEGER"},
        {MOTE_X509_EXT_INHIBIT_ANY_POLICY, "\x55\x1d\x36", "\x01\x01\x00", 3,
         MOTE_EINVAL, "inhibitAnyPolicy BOOLEAN"},
        /* issuerAltName, subjectInfoAccess */
        {MOTE_X509_EXT_ISSUER_ALT_NAME, "\x55\x1d\x12", "\x30\x00", 2,
         MOTE_EINVAL, "empty issuerAltName"},
        {MOTE_X509_EXT_ISSUER_ALT_NAME, "\x55\x1d\x12", "\x30\x03\x82\x01\x80",
         5, MOTE_EINVAL, "issuerAltName DNS not IA5"},
        {MOTE_X509_EXT_SUBJECT_INFO, "\x2b\x06\x01\x05\x05\x07\x01\x0b",
         "\x30\x00", 2, MOTE_EINVAL, "empty subjectInfoAccess"},
        {MOTE_X509_EXT_SUBJECT_INFO, "\x2b\x06\x01\x05\x05\x07\x01\x0b",
         "\x30\x0f\x30\x0d\x06\x08\x2b\x06\x01\x05\x05\x07\x30\x05\x86\x01"
         "\x78",
         17, 0, "subjectInfoAccess caRepository"},
        /* SCT list framing */
        {MOTE_X509_EXT_SCT_LIST, "\x2b\x06\x01\x04\x01\xd6\x79\x02\x04\x02",
         "\x04\x07\x00\x05\x00\x03\xaa\xbb\xcc", 9, 0, "one SCT"},
        {MOTE_X509_EXT_SCT_LIST, "\x2b\x06\x01\x04\x01\xd6\x79\x02\x04\x02",
         "\x04\x07\x00\x06\x00\x03\xaa\xbb\xcc", 9, MOTE_EINVAL,
         "SCT list length wrong"},
        {MOTE_X509_EXT_SCT_LIST, "\x2b\x06\x01\x04\x01\xd6\x79\x02\x04\x02",
         "\x04\x07\x00\x05\x00\x04\xaa\xbb\xcc", 9, MOTE_EINVAL,
         "SCT longer than the list"},
        {MOTE_X509_EXT_SCT_LIST, "\x2b\x06\x01\x04\x01\xd6\x79\x02\x04\x02",
         "\x04\x04\x00\x02\x00\x00", 6, MOTE_EINVAL, "empty SCT"},
        {MOTE_X509_EXT_SCT_LIST, "\x2b\x06\x01\x04\x01\xd6\x79\x02\x04\x02",
         "\x04\x02\x00\x00", 4, MOTE_EINVAL, "empty SCT list"},
    };
    if (!ok(der && mote_x509_cert_parse(&cert, der, len) == 0, "parse"))
        return;
    /* The last extension of rich.der is an unknown one: put each case in
     * its place (as raw bytes, so the parser reads them). */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        c = cert;
        struct mote_x509_ext *x = &c.exts[c.ext_count - 1];
        x->id = MOTE_X509_EXT_OTHER;
        x->critical = true;
        x->oid.ptr = (const uint8_t *)cases[i].oid;
        x->oid.len = strlen(cases[i].oid);
        x->value.ptr = (const uint8_t *)cases[i].val;
        x->value.len = cases[i].len;
        int err = reparse(&c, buf, sizeof buf, &cert2);
        is_int(err, cases[i].err, "%s", cases[i].what);
        if (err == 0) {
            ok(cert2.ext_index[cases[i].id] == (int)c.ext_count - 1 &&
                   cert2.exts[c.ext_count - 1].critical,
               "... recognised, critical");
            ok(reencodes(&cert2), "... re-encodes identically");
        }
    }
    free(der);
}

static int bundle(const char *path)
{
    size_t len;
    char *text = (char *)load(path, &len);
    if (!text) {
        printf("1..0 # skip %s not found\n", path);
        return 0;
    }
    static uint8_t buf[1 << 16];
    struct mote_pem_iter it;
    int r, count = 0;
    tap_case_name = "bundle";
    mote_pem_iter_init(&it, text, len);
    while ((r = mote_x509_cert_next_pem(&it, &cert, buf, sizeof buf)) != 0) {
        count++;
        char name[512] = "?";
        if (r < 0) {
            ok(0, "certificate %d parses", count);
            tap_diag("%s: %s", mote_errname(r), cert.reason);
            continue;
        }
        mote_x509_name_to_text(&cert.subject, name, sizeof name);
        const char *why = compare_openssl(&cert);
        ok(why == NULL && reencodes(&cert), "%d %s", count, name);
        if (why)
            tap_diag("differs from libcrypto: %s", why);
    }
    tap_diag("%d certificates in %s", count, path);
    free(text);
    return tap_done();
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--bundle") == 0)
        return bundle(argv[2]);
    tap_init(argc, argv);
    TAP_CASE(test_vectors);
    TAP_CASE(test_rich);
    TAP_CASE(test_refusals);
    TAP_CASE(test_hand_built);
    TAP_CASE(test_split);
    TAP_CASE(test_name_text);
    TAP_CASE(test_name_escapes);
    const char *b = getenv("MOTE_BUILD");
    snprintf(dir, sizeof dir, "%s/tmp-x509-parse-XXXXXX", b ? b : "_build");
    have_openssl = access("/usr/bin/openssl", X_OK) == 0 && mkdtemp(dir);
    TAP_CASE(test_policy_exts);
    TAP_CASE(test_policy_refusals);
    TAP_CASE(test_empty_subject);
    TAP_CASE(test_name_strict);
    if (have_openssl) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            tap_diag("could not remove %s", dir);
    }
    return tap_done();
}

/* X.509 generation: keys, certificates and CSRs made by Mote, checked by
 * Mote's own parsers and by OpenSSL's libcrypto (the oracle); CSRs made by
 * libcrypto parsed and verified by Mote.
 *
 * With arguments `--gen DIR [RSAKEY...]` it writes, instead, the files that
 * tests/interop/x509_gen.t hands to the openssl and certtool commands (see
 * gen_files below); `--csr FILE` parses and verifies one DER or PEM CSR and
 * exits 0 (verified) or 1. */
#define OPENSSL_API_COMPAT 30000
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <mote/der.h>
#include <mote/error.h>
#include <mote/ipaddr.h>
#include <mote/x509.h>
#include <mote/x509_gen.h>

#include "tap.h"

#define BUF 16384

static int rng(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    return RAND_bytes(buf, (int)len) == 1 ? 0 : MOTE_EIO;
}

static const enum mote_x509_gen_keytype kinds[] = {
    MOTE_X509_GEN_KEY_P256, MOTE_X509_GEN_KEY_P384, MOTE_X509_GEN_KEY_ED25519};
static const char *const kind_names[] = {"P-256", "P-384", "Ed25519"};

/* An RSA key made by libcrypto, as PKCS#8 DER (the buffer the parsed
 * mote key borrows). */
static uint8_t rsa_der[3][4096];
static size_t rsa_len[3];

static int make_rsa(int i)
{
    if (rsa_len[i])
        return 0;
    EVP_PKEY *pk = EVP_RSA_gen(2048);
    if (!pk)
        return -1;
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(pk);
    uint8_t *p = rsa_der[i];
    int n = i2d_PKCS8_PRIV_KEY_INFO(p8, NULL);
    if (n > 0 && (size_t)n <= sizeof(rsa_der[i]))
        n = i2d_PKCS8_PRIV_KEY_INFO(p8, &p);
    PKCS8_PRIV_KEY_INFO_free(p8);
    EVP_PKEY_free(pk);
    if (n <= 0)
        return -1;
    rsa_len[i] = (size_t)n;
    return 0;
}

static EVP_PKEY *ossl_key(const uint8_t *der, size_t len)
{
    const uint8_t *p = der;
    return d2i_AutoPrivateKey(NULL, &p, (long)len);
}

static X509 *ossl_cert(const uint8_t *der, size_t len)
{
    const uint8_t *p = der;
    return d2i_X509(NULL, &p, (long)len);
}

/* ---- Keys -----------------------------------------------------------------
 */

static void test_keys(void)
{
    for (size_t i = 0; i < 3; i++) {
        struct mote_x509_privkey k, back;
        uint8_t der[BUF], spki[BUF];
        size_t len = 0, slen = 0;
        const char *name = kind_names[i];
        is_int(mote_x509_gen_key(&k, kinds[i], rng, NULL), 0, "%s: generate",
               name);
        is_int(mote_x509_gen_pkcs8_write(&k, der, sizeof(der), &len), 0,
               "%s: PKCS#8", name);
        is_int(mote_x509_gen_spki_write(&k, spki, sizeof(spki), &slen), 0,
               "%s: SPKI", name);
        /* Mote's parser reads it back identically. */
        enum mote_x509_key_format fmt = MOTE_X509_KEYFMT_NONE;
        is_int(mote_x509_privkey_parse(&back, der, len, &fmt), 0,
               "%s: Mote parses it", name);
        ok(fmt == MOTE_X509_KEYFMT_PKCS8 && back.type == k.type &&
               back.curve == k.curve && back.scalar_len == k.scalar_len &&
               memcmp(back.scalar, k.scalar, k.scalar_len) == 0 &&
               back.pub_len == k.pub_len &&
               memcmp(back.pub, k.pub, k.pub_len) == 0,
           "%s: same key back", name);
        /* libcrypto accepts it, finds it consistent, and writes the same
         * PKCS#8 and SPKI bytes. */
        EVP_PKEY *pk = ossl_key(der, len);
        ok(pk != NULL, "%s: OpenSSL reads the PKCS#8", name);
        if (!pk)
            continue;
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
        ok(EVP_PKEY_check(ctx) == 1 || EVP_PKEY_private_check(ctx) == 1,
           "%s: OpenSSL's key check passes", name);
        EVP_PKEY_CTX_free(ctx);
        PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(pk);
        uint8_t *o8 = NULL, *ospki = NULL;
        int n8 = i2d_PKCS8_PRIV_KEY_INFO(p8, &o8);
        int ns = i2d_PUBKEY(pk, &ospki);
        ok(n8 == (int)len && memcmp(o8, der, len) == 0,
           "%s: PKCS#8 bytes equal OpenSSL's", name);
        ok(ns == (int)slen && memcmp(ospki, spki, slen) == 0,
           "%s: SPKI bytes equal OpenSSL's", name);
        OPENSSL_free(o8);
        OPENSSL_free(ospki);
        PKCS8_PRIV_KEY_INFO_free(p8);
        EVP_PKEY_free(pk);
        /* Measuring: no buffer gives the exact size. */
        size_t need = 0;
        is_int(mote_x509_gen_pkcs8_write(&k, NULL, 0, &need), MOTE_ENOSPC,
               "%s: measuring says ENOSPC", name);
        is_int(need, len, "%s: ... with the size", name);
        mote_x509_privkey_clear(&back);
        mote_x509_privkey_clear(&k);
    }
    struct mote_x509_privkey k;
    is_int(mote_x509_gen_key(&k, MOTE_X509_GEN_KEY_RSA, rng, NULL),
           MOTE_ENOTSUP, "RSA generation is not offered");
    is_int(mote_x509_gen_key(&k, (enum mote_x509_gen_keytype)99, rng, NULL),
           MOTE_EINVAL, "an unknown key type");
}

static int failing_rng(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx, (void)buf, (void)len;
    return MOTE_EIO;
}

/* Always answers with the same bytes: all 0xff is above the group order,
 * so no EC key can come of it. */
static int stuck_rng(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    memset(buf, 0xff, len);
    return 0;
}

static void test_key_rng(void)
{
    struct mote_x509_privkey k;
    is_int(mote_x509_gen_key(&k, MOTE_X509_GEN_KEY_P256, failing_rng, NULL),
           MOTE_EIO, "the rng's error comes back");
    is_int(k.type, MOTE_X509_KEY_NONE, "... with no key");
    is_int(mote_x509_gen_key(&k, MOTE_X509_GEN_KEY_P256, stuck_rng, NULL),
           MOTE_EIO, "a stuck rng is noticed, not looped on");
}

static void test_rsa_key(void)
{
    if (!ok(make_rsa(0) == 0, "OpenSSL made an RSA key"))
        return;
    struct mote_x509_privkey k;
    uint8_t der[BUF];
    size_t len;
    is_int(mote_x509_privkey_parse(&k, rsa_der[0], rsa_len[0], NULL), 0,
           "Mote parses OpenSSL's RSA PKCS#8");
    is_int(mote_x509_gen_pkcs8_write(&k, der, sizeof(der), &len), 0,
           "and writes it");
    ok(len == rsa_len[0] && memcmp(der, rsa_der[0], len) == 0,
       "the same bytes as OpenSSL");
    k.rsa_d.ptr = NULL;
    k.rsa_d.len = 0;
    is_int(mote_x509_gen_pkcs8_write(&k, der, sizeof(der), &len), MOTE_ENOTSUP,
           "without d the key is not written");
}

/* ---- Certificates ------------------------------------------------------
 */

/* Verify leaf (with the untrusted intermediates) up to root with
 * libcrypto, checking host and ip when given. Returns the X509 error (0
 * when verified). */
static int ossl_verify(const uint8_t *root, size_t root_len, const uint8_t *mid,
                       size_t mid_len, const uint8_t *leaf, size_t leaf_len,
                       const char *host, const char *ip)
{
    X509 *r = ossl_cert(root, root_len), *l = ossl_cert(leaf, leaf_len);
    X509 *m = mid ? ossl_cert(mid, mid_len) : NULL;
    if (!r || !l || (mid && !m)) {
        X509_free(r), X509_free(l), X509_free(m);
        return -1;
    }
    X509_STORE *st = X509_STORE_new();
    X509_STORE_add_cert(st, r);
    STACK_OF(X509) *chain = sk_X509_new_null();
    if (m)
        sk_X509_push(chain, m);
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, st, l, chain);
    X509_VERIFY_PARAM *p = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_purpose(p, X509_PURPOSE_SSL_SERVER);
    if (host)
        X509_VERIFY_PARAM_set1_host(p, host, 0);
    if (ip)
        X509_VERIFY_PARAM_set1_ip_asc(p, ip);
    int okv = X509_verify_cert(ctx);
    int e = okv == 1 ? 0 : X509_STORE_CTX_get_error(ctx);
    if (okv != 1 && e == 0)
        e = -2;
    X509_STORE_CTX_free(ctx);
    sk_X509_pop_free(chain, X509_free);
    X509_STORE_free(st);
    X509_free(r);
    X509_free(l);
    return e;
}

struct made {
    struct mote_x509_privkey key;
    uint8_t spki[BUF];
    size_t spki_len;
    uint8_t cert[BUF];
    size_t cert_len;
    struct mote_x509_cert parsed;
};

static const int64_t now_s = 1764000000; /* 2025-11-24 */

static int64_t now(void)
{
    return (int64_t)time(NULL);
}

/* Make key (kind, or RSA key i when kind is RSA) and a certificate for it,
 * issued by issuer (NULL: self-signed). */
static int make(struct made *m, enum mote_x509_gen_keytype kind, int rsa_i,
                struct made *issuer, bool ca, int path_len, const char *cn,
                const struct mote_x509_gen_san *san, size_t nsan,
                const struct mote_x509_sigalg *alg)
{
    int err;
    if (kind == MOTE_X509_GEN_KEY_RSA) {
        if (make_rsa(rsa_i) != 0)
            return MOTE_EIO;
        err = mote_x509_privkey_parse(&m->key, rsa_der[rsa_i], rsa_len[rsa_i],
                                      NULL);
    } else {
        err = mote_x509_gen_key(&m->key, kind, rng, NULL);
    }
    if (err)
        return err;
    if ((err = mote_x509_gen_spki_write(&m->key, m->spki, sizeof(m->spki),
                                        &m->spki_len)) != 0)
        return err;
    struct mote_x509_gen_cert c;
    memset(&c, 0, sizeof(c));
    c.subject.cn = cn;
    c.subject.o = "Mote tests";
    c.subject.c = "NZ";
    c.spki = m->spki;
    c.spki_len = m->spki_len;
    c.not_before = now() - 3600;
    c.not_after = now() + 86400;
    c.ca = ca;
    c.path_len = path_len;
    c.san = san;
    c.nsan = nsan;
    c.eku = ca ? 0 : MOTE_X509_GEN_EKU_SERVER | MOTE_X509_GEN_EKU_CLIENT;
    if (alg)
        c.sigalg = *alg;
    struct mote_x509_gen_issuer is = {.key = &m->key};
    if (issuer) {
        is.name = issuer->parsed.subject.der;
        is.name_len = issuer->parsed.subject.len;
        is.key_id = issuer->parsed.ski.ptr;
        is.key_id_len = issuer->parsed.ski.len;
        is.key = &issuer->key;
    }
    if ((err = mote_x509_gen_cert_write(&c, &is, m->cert, sizeof(m->cert),
                                        &m->cert_len, rng, NULL)) != 0)
        return err;
    return mote_x509_cert_parse(&m->parsed, m->cert, m->cert_len);
}

static struct mote_x509_gen_san sans[4];

static size_t leaf_sans(void)
{
    memset(sans, 0, sizeof(sans));
    sans[0].type = MOTE_X509_GEN_SAN_DNS;
    sans[0].text = "www.example.com";
    sans[1].type = MOTE_X509_GEN_SAN_DNS;
    sans[1].text = "*.api.example.com";
    sans[2].type = MOTE_X509_GEN_SAN_IP;
    mote_ipaddr_parse("192.0.2.7", 9, &sans[2].ip);
    sans[3].type = MOTE_X509_GEN_SAN_IP;
    mote_ipaddr_parse("2001:db8::7", 11, &sans[3].ip);
    return 4;
}

static struct made root, mid, leaf;

static void check_chain(const char *name, enum mote_x509_gen_keytype kind,
                        const struct mote_x509_sigalg *alg)
{
    size_t n = leaf_sans();
    is_int(make(&root, kind, 0, NULL, true, -1, "Root", NULL, 0, alg), 0,
           "%s: root", name);
    is_int(make(&mid, kind, 1, &root, true, 0, "Intermediate", NULL, 0, alg), 0,
           "%s: intermediate", name);
    is_int(
        make(&leaf, kind, 2, &mid, false, -1, "www.example.com", sans, n, alg),
        0, "%s: leaf", name);
    is_int(ossl_verify(root.cert, root.cert_len, mid.cert, mid.cert_len,
                       leaf.cert, leaf.cert_len, "www.example.com", NULL),
           0, "%s: OpenSSL verifies the chain for www.example.com", name);
    is_int(ossl_verify(root.cert, root.cert_len, mid.cert, mid.cert_len,
                       leaf.cert, leaf.cert_len, "x.api.example.com", NULL),
           0, "%s: ... and the wildcard name", name);
    is_int(ossl_verify(root.cert, root.cert_len, mid.cert, mid.cert_len,
                       leaf.cert, leaf.cert_len, NULL, "2001:db8::7"),
           0, "%s: ... and the IPv6 address", name);
    is_int(ossl_verify(root.cert, root.cert_len, mid.cert, mid.cert_len,
                       leaf.cert, leaf.cert_len, "example.com", NULL),
           X509_V_ERR_HOSTNAME_MISMATCH, "%s: but not another name", name);
    is_int(ossl_verify(root.cert, root.cert_len, NULL, 0, leaf.cert,
                       leaf.cert_len, NULL, NULL),
           X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
           "%s: nor without the intermediate", name);
    /* Mote's parser sees what was asked for, and re-encodes it exactly. */
    const struct mote_x509_cert *p = &leaf.parsed;
    ok(p->version == 3 && !p->ca && p->san_count == n &&
           p->eku_flags ==
               (MOTE_X509_EKU_SERVER_AUTH | MOTE_X509_EKU_CLIENT_AUTH) &&
           p->key_usage & MOTE_X509_KU_DIGITAL_SIGNATURE,
       "%s: leaf fields", name);
    ok(mid.parsed.ca && mid.parsed.path_len == 0 &&
           mid.parsed.key_usage & MOTE_X509_KU_KEY_CERT_SIGN,
       "%s: intermediate is a CA with pathLen 0", name);
    ok(p->aki_key_id.len == mid.parsed.ski.len &&
           memcmp(p->aki_key_id.ptr, mid.parsed.ski.ptr, p->ski.len) == 0,
       "%s: leaf AKI is the intermediate's SKI", name);
    uint8_t id[MOTE_SHA1_LEN];
    mote_x509_gen_key_id(leaf.spki, leaf.spki_len, id);
    ok(p->ski.len == 20 && memcmp(p->ski.ptr, id, 20) == 0,
       "%s: SKI is SHA-1 of the key bits", name);
    ok(p->serial.len >= 1 && p->serial.len <= 17 && !(p->serial.ptr[0] & 0x80),
       "%s: serial positive, at most 17 octets", name);
    uint8_t re[BUF];
    size_t rlen;
    ok(mote_x509_cert_encode(p, re, sizeof(re), &rlen) == 0 &&
           rlen == leaf.cert_len && memcmp(re, leaf.cert, rlen) == 0,
       "%s: Mote re-encodes the leaf byte for byte", name);
    /* A self-signed end-entity certificate is its own trust anchor. */
    static struct made self;
    is_int(make(&self, kind, 0, NULL, false, -1, "self", sans, n, alg), 0,
           "%s: self-signed", name);
    is_int(ossl_verify(self.cert, self.cert_len, NULL, 0, self.cert,
                       self.cert_len, "www.example.com", "192.0.2.7"),
           0, "%s: OpenSSL accepts the self-signed certificate", name);
    mote_x509_privkey_clear(&self.key);
    mote_x509_privkey_clear(&root.key);
    mote_x509_privkey_clear(&mid.key);
    mote_x509_privkey_clear(&leaf.key);
}

static void test_chains(void)
{
    for (size_t i = 0; i < 3; i++)
        check_chain(kind_names[i], kinds[i], NULL);
    check_chain("RSA-2048", MOTE_X509_GEN_KEY_RSA, NULL);
    struct mote_x509_sigalg pss;
    mote_x509_gen_pss_sha256(&pss);
    check_chain("RSA-2048 PSS", MOTE_X509_GEN_KEY_RSA, &pss);
}

/* A P-384 leaf under a P-256 root, and an Ed25519 leaf under an RSA root:
 * the signature algorithm follows the issuer's key. */
static void test_mixed(void)
{
    size_t n = leaf_sans();
    struct made *r = &root, *l = &leaf;
    is_int(
        make(r, MOTE_X509_GEN_KEY_P256, 0, NULL, true, -1, "R", NULL, 0, NULL),
        0, "P-256 root");
    is_int(make(l, MOTE_X509_GEN_KEY_P384, 0, r, false, -1, "L", sans, n, NULL),
           0, "P-384 leaf");
    ok(l->parsed.sig_alg.alg == MOTE_X509_SIG_ECDSA &&
           l->parsed.sig_alg.hash == MOTE_HASH_SHA256,
       "signed ECDSA-SHA256 by the P-256 root");
    is_int(ossl_verify(r->cert, r->cert_len, NULL, 0, l->cert, l->cert_len,
                       "www.example.com", NULL),
           0, "OpenSSL verifies it");
    is_int(
        make(r, MOTE_X509_GEN_KEY_RSA, 0, NULL, true, -1, "R", NULL, 0, NULL),
        0, "RSA root");
    is_int(
        make(l, MOTE_X509_GEN_KEY_ED25519, 0, r, false, -1, "L", sans, n, NULL),
        0, "Ed25519 leaf");
    ok(l->parsed.sig_alg.alg == MOTE_X509_SIG_RSA_PKCS1 &&
           l->parsed.key_usage == MOTE_X509_KU_DIGITAL_SIGNATURE,
       "signed sha256WithRSA; digitalSignature only");
    is_int(ossl_verify(r->cert, r->cert_len, NULL, 0, l->cert, l->cert_len,
                       NULL, "192.0.2.7"),
           0, "OpenSSL verifies it");
    struct mote_x509_sigalg bad = {.alg = MOTE_X509_SIG_ED25519};
    is_int(make(l, MOTE_X509_GEN_KEY_P256, 0, r, false, -1, "L", sans, n, &bad),
           MOTE_EINVAL, "an Ed25519 algorithm with an RSA issuer is refused");
}

/* The refusals and the edges of the description. */
static void test_cert_refusals(void)
{
    struct mote_x509_privkey k;
    uint8_t spki[512], out[BUF];
    size_t slen, len;
    mote_x509_gen_key(&k, MOTE_X509_GEN_KEY_P256, rng, NULL);
    mote_x509_gen_spki_write(&k, spki, sizeof(spki), &slen);
    struct mote_x509_gen_issuer is = {.key = &k};
    struct mote_x509_gen_san s = {.type = MOTE_X509_GEN_SAN_DNS,
                                  .text = "ok.example"};
    struct mote_x509_gen_cert c;
#define RESET()                                                                \
    do {                                                                       \
        memset(&c, 0, sizeof(c));                                              \
        c.subject.cn = "t";                                                    \
        c.spki = spki;                                                         \
        c.spki_len = slen;                                                     \
        c.not_before = now_s;                                                  \
        c.not_after = now_s + 1;                                               \
        c.path_len = -1;                                                       \
        c.san = &s;                                                            \
        c.nsan = 1;                                                            \
    } while (0)
#define WRITE()                                                                \
    mote_x509_gen_cert_write(&c, &is, out, sizeof(out), &len, rng, NULL)
    RESET();
    is_int(WRITE(), 0, "the base description works");
    static const char *const bad_dns[] = {"",
                                          "a..b",
                                          "-a.b",
                                          "a-.b",
                                          "a.b.",
                                          "a b",
                                          "*",
                                          "*.com",
                                          "a.*.b",
                                          "x*.a.b",
                                          "\xc3\xa9.example"};
    for (size_t i = 0; i < sizeof(bad_dns) / sizeof(bad_dns[0]); i++) {
        RESET();
        s.text = bad_dns[i];
        is_int(WRITE(), MOTE_EINVAL, "DNS SAN '%s' refused", bad_dns[i]);
    }
    s.text = "ok.example";
    struct mote_x509_gen_san e = {.type = MOTE_X509_GEN_SAN_EMAIL,
                                  .text = "nobody"};
    RESET();
    c.san = &e;
    is_int(WRITE(), MOTE_EINVAL, "an email without @ refused");
    e.text = "a@b.example";
    is_int(WRITE(), 0, "an email with @ accepted");
    e.type = MOTE_X509_GEN_SAN_URI;
    e.text = "no scheme";
    is_int(WRITE(), MOTE_EINVAL, "a URI without a scheme refused");
    e.text = "https://b.example/x";
    is_int(WRITE(), 0, "a URI accepted");
    e.type = MOTE_X509_GEN_SAN_IP;
    mote_ipaddr_parse("fe80::1%eth0", 12, &e.ip);
    is_int(WRITE(), MOTE_EINVAL, "an IP with a zone refused");
    RESET();
    c.not_after = c.not_before - 1;
    is_int(WRITE(), MOTE_EINVAL, "not_after before not_before");
    RESET();
    c.path_len = 2;
    is_int(WRITE(), MOTE_EINVAL, "pathLen without CA");
    RESET();
    c.subject.c = "nz";
    is_int(WRITE(), MOTE_EINVAL, "a lower-case country");
    RESET();
    c.subject.o = "tab\there";
    is_int(WRITE(), MOTE_EINVAL, "a control character in a name");
    RESET();
    c.subject.o = "\xc3\x28";
    is_int(WRITE(), MOTE_EINVAL, "bad UTF-8 in a name");
    RESET();
    c.subject.o = "Zürich Ωmega";
    is_int(WRITE(), 0, "UTF-8 in a name");
    RESET();
    c.subject.cn = NULL;
    c.nsan = 0;
    is_int(WRITE(), MOTE_EINVAL, "an empty subject without a SAN");
    c.nsan = 1;
    is_int(WRITE(), MOTE_EINVAL,
           "a self-signed certificate with an empty subject (and issuer)");
    static struct mote_x509_cert p;
    static const uint8_t ca_name[] = {0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b,
                                      0x06, 0x03, 0x55, 0x04, 0x03, 0x0c,
                                      0x04, 'M',  'o',  't',  'e'};
    struct mote_x509_gen_issuer by_ca = {
        .name = ca_name, .name_len = sizeof(ca_name), .key = &k};
    is_int(
        mote_x509_gen_cert_write(&c, &by_ca, out, sizeof(out), &len, rng, NULL),
        0, "an empty subject with a SAN, issued by a CA");
    is_int(mote_x509_cert_parse(&p, out, len), 0, "... parses");
    int si = p.ext_index[MOTE_X509_EXT_SUBJECT_ALT_NAME];
    ok(si >= 0 && p.exts[si].critical, "... makes the SAN critical");
    /* A self-signed certificate for another key is refused. */
    struct mote_x509_privkey k2;
    mote_x509_gen_key(&k2, MOTE_X509_GEN_KEY_P256, rng, NULL);
    RESET();
    is.key = &k2;
    is_int(WRITE(), MOTE_EINVAL, "self-signed with a key not the subject's");
    is.key = &k;
    /* Serials: given, made positive, zero refused. */
    RESET();
    c.serial_len = 2;
    c.serial[0] = 0x80;
    c.serial[1] = 0x01;
    is_int(WRITE(), 0, "a serial with the top bit set");
    mote_x509_cert_parse(&p, out, len);
    ok(p.serial.len == 3 && p.serial.ptr[0] == 0 && p.serial.ptr[1] == 0x80,
       "... gets a 0x00 sign octet");
    c.serial[0] = 0;
    c.serial[1] = 0;
    is_int(WRITE(), MOTE_EINVAL, "a zero serial");
    /* 2050 and later: GeneralizedTime (RFC 5280 4.1.2.5). */
    RESET();
    c.not_after = 2524608000; /* 2050-01-01 */
    is_int(WRITE(), 0, "valid to 2050");
    mote_x509_cert_parse(&p, out, len);
    ok(p.not_before_tag == MOTE_DER_UTC_TIME &&
           p.not_after_tag == MOTE_DER_GENERALIZED_TIME &&
           p.not_after == 2524608000,
       "UTCTime before 2050, GeneralizedTime from 2050");
    /* Measuring and a too small buffer. */
    RESET();
    size_t need = 0;
    is_int(mote_x509_gen_cert_write(&c, &is, NULL, 0, &need, rng, NULL),
           MOTE_ENOSPC, "measuring gives ENOSPC");
    is_int(WRITE(), 0, "the real thing");
    ok(need >= len && need <= len + 40, "the measure is a close upper bound");
    /* ECDSA signatures in DER vary by a byte or two (leading zeros of r
     * and s), and the random serial by one: 8 short is short every time. */
    is_int(mote_x509_gen_cert_write(&c, &is, out, len - 8, &need, rng, NULL),
           MOTE_ENOSPC, "a few bytes short gives ENOSPC");
    mote_x509_privkey_clear(&k);
    mote_x509_privkey_clear(&k2);
#undef RESET
#undef WRITE
}

/* RSA keys made by Mote: the crypto core's generator plus the private
 * exponent computed here; OpenSSL's key check tests d. */
static void test_rsa_generate(void)
{
    static uint8_t buf[MOTE_X509_GEN_RSA_BUF_LEN(2048)], der[BUF];
    struct mote_x509_privkey k, back;
    size_t len;
    is_int(mote_x509_gen_key_rsa(&k, 2048, buf, sizeof(buf), rng, NULL), 0,
           "RSA-2048 generated");
    is_int(mote_x509_gen_pkcs8_write(&k, der, sizeof(der), &len), 0,
           "written as PKCS#8, with d");
    EVP_PKEY *pk = ossl_key(der, len);
    EVP_PKEY_CTX *ctx = pk ? EVP_PKEY_CTX_new(pk, NULL) : NULL;
    ok(ctx && EVP_PKEY_check(ctx) == 1,
       "OpenSSL's key check passes (d e = 1 mod lcm(p-1, q-1), dp, dq)");
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pk);
    /* The control: the same key with d off by one fails that check. */
    uint8_t *dd = memmem(der, len, k.rsa_d.ptr + 8, k.rsa_d.len - 8);
    if (dd)
        dd[k.rsa_d.len - 9] ^= 0x02;
    pk = dd ? ossl_key(der, len) : NULL;
    ctx = pk ? EVP_PKEY_CTX_new(pk, NULL) : NULL;
    ok(dd && (!ctx || EVP_PKEY_check(ctx) != 1),
       "... and fails with a wrong d (the check is real)");
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pk);
    if (dd)
        dd[k.rsa_d.len - 9] ^= 0x02;
    is_int(mote_x509_privkey_parse(&back, der, len, NULL), 0,
           "Mote parses it back");
    ok(back.rsa_d.len == k.rsa_d.len - (k.rsa_d.ptr[0] == 0) &&
           memcmp(back.rsa_d.ptr, k.rsa_d.ptr + (k.rsa_d.len - back.rsa_d.len),
                  back.rsa_d.len) == 0,
       "with the same d");
    static struct made m;
    m.key = k;
    mote_x509_gen_spki_write(&k, m.spki, sizeof(m.spki), &m.spki_len);
    struct mote_x509_gen_cert c;
    memset(&c, 0, sizeof(c));
    c.subject.cn = "rsa.example";
    c.spki = m.spki;
    c.spki_len = m.spki_len;
    c.not_before = now() - 60;
    c.not_after = now() + 60;
    c.path_len = -1;
    struct mote_x509_gen_issuer is = {.key = &k};
    is_int(mote_x509_gen_cert_write(&c, &is, m.cert, sizeof(m.cert),
                                    &m.cert_len, rng, NULL),
           0, "a certificate signed with it");
    is_int(ossl_verify(m.cert, m.cert_len, NULL, 0, m.cert, m.cert_len, NULL,
                       NULL),
           0, "OpenSSL verifies it");
    is_int(mote_x509_gen_key_rsa(&k, 2000, buf, sizeof(buf), rng, NULL),
           MOTE_EINVAL, "2000 bits refused");
    is_int(mote_x509_gen_key_rsa(&k, 2048, buf, sizeof(buf) - 1, rng, NULL),
           MOTE_ENOSPC, "a buffer one byte short refused");
    is_int(mote_x509_gen_key_rsa(&k, 2048, buf, sizeof(buf), failing_rng, NULL),
           MOTE_EIO, "the rng's error comes back");
}

/* ---- CSRs -----------------------------------------------------------------
 */

static int make_csr(const struct mote_x509_privkey *k, uint8_t *out, size_t cap,
                    size_t *len, const struct mote_x509_sigalg *a)
{
    size_t n = leaf_sans();
    struct mote_x509_gen_csr r;
    memset(&r, 0, sizeof(r));
    r.subject.cn = "www.example.com";
    r.subject.o = "Mote";
    r.san = sans;
    r.nsan = n;
    if (a)
        r.sigalg = *a;
    return mote_x509_gen_csr_write(&r, k, out, cap, len, rng, NULL);
}

static void check_csr(const char *name, const struct mote_x509_privkey *k,
                      const struct mote_x509_sigalg *a)
{
    uint8_t der[BUF];
    size_t len;
    static struct mote_x509_csr csr;
    is_int(make_csr(k, der, sizeof(der), &len, a), 0, "%s: CSR", name);
    const uint8_t *p = der;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)len);
    ok(req && X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) == 1,
       "%s: OpenSSL verifies the CSR", name);
    STACK_OF(X509_EXTENSION) *exts = req ? X509_REQ_get_extensions(req) : NULL;
    int idx = exts ? X509v3_get_ext_by_NID(exts, NID_subject_alt_name, -1) : -1;
    GENERAL_NAMES *gens =
        idx >= 0 ? X509V3_EXT_d2i(sk_X509_EXTENSION_value(exts, idx)) : NULL;
    ok(gens && sk_GENERAL_NAME_num(gens) == 4,
       "%s: OpenSSL finds the 4 requested SANs", name);
    GENERAL_NAMES_free(gens);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    X509_REQ_free(req);
    is_int(mote_x509_csr_parse(&csr, der, len), 0, "%s: Mote verifies it",
           name);
    ok(csr.san_count == 4 && csr.san[0].type == MOTE_X509_GN_DNS &&
           csr.san[2].type == MOTE_X509_GN_IP && csr.san[2].len == 4,
       "%s: Mote reads the SANs", name);
    /* Any flipped signature byte, and any flipped byte of the signed
     * part that still parses, fails the check. */
    int flips = 0, caught = 0;
    for (size_t i = len - 8; i < len; i++) {
        der[i] ^= 0x01;
        int e = mote_x509_csr_parse(&csr, der, len);
        flips++;
        caught += e == MOTE_EAUTH || e == MOTE_EINVAL;
        der[i] ^= 0x01;
    }
    is_int(caught, flips, "%s: every flipped signature byte is caught", name);
    size_t cn_at =
        (size_t)((uint8_t *)memmem(der, len, "www.example.com", 15) - der);
    der[cn_at] = 'W';
    is_int(mote_x509_csr_parse(&csr, der, len), MOTE_EAUTH,
           "%s: a changed subject fails the signature", name);
    der[cn_at] = 'w';
    int cuts = 0, refused = 0;
    for (size_t cut = 0; cut < len; cut += len / 7 + 1, cuts++)
        refused += mote_x509_csr_parse(&csr, der, cut) == MOTE_EINVAL;
    is_int(refused, cuts, "%s: every truncation is refused as malformed", name);
}

static void test_csr(void)
{
    for (size_t i = 0; i < 3; i++) {
        struct mote_x509_privkey k;
        mote_x509_gen_key(&k, kinds[i], rng, NULL);
        check_csr(kind_names[i], &k, NULL);
        mote_x509_privkey_clear(&k);
    }
    if (make_rsa(0) != 0)
        return;
    struct mote_x509_privkey k;
    mote_x509_privkey_parse(&k, rsa_der[0], rsa_len[0], NULL);
    check_csr("RSA-2048", &k, NULL);
    struct mote_x509_sigalg pss;
    mote_x509_gen_pss_sha256(&pss);
    check_csr("RSA-2048 PSS", &k, &pss);
}

/* A CSR made by libcrypto for key pk (md NULL for Ed25519). */
static size_t ossl_csr(EVP_PKEY *pk, const EVP_MD *md, uint8_t *out)
{
    X509_REQ *req = X509_REQ_new();
    X509_REQ_set_version(req, 0);
    X509_NAME *n = X509_REQ_get_subject_name(req);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
                               (const uint8_t *)"ossl.example", -1, -1, 0);
    X509_REQ_set_pubkey(req, pk);
    STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
    X509_EXTENSION *san = X509V3_EXT_conf_nid(
        NULL, NULL, NID_subject_alt_name,
        "DNS:ossl.example, IP:10.9.8.7, email:a@ossl.example");
    sk_X509_EXTENSION_push(exts, san);
    X509_REQ_add_extensions(req, exts);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    /* A challengePassword attribute too, which Mote must skip. */
    X509_REQ_add1_attr_by_NID(req, NID_pkcs9_challengePassword, MBSTRING_ASC,
                              (const uint8_t *)"secret", -1);
    size_t len = 0;
    if (X509_REQ_sign(req, pk, md) > 0) {
        uint8_t *p = out;
        int l = i2d_X509_REQ(req, &p);
        len = l > 0 ? (size_t)l : 0;
    }
    X509_REQ_free(req);
    return len;
}

/* Hand-made requests, each with one quirk, signed properly so that only
 * the quirk decides. */
enum quirk {
    Q_NONE,
    Q_VERSION1,        /* version 1 */
    Q_NO_ATTRS,        /* no [0] at all */
    Q_CHALLENGE,       /* a challengePassword attribute first */
    Q_UNKNOWN_EXT,     /* an unknown non-critical extension requested */
    Q_UNKNOWN_CRIT,    /* ... critical */
    Q_FALSE_ENCODED,   /* critical FALSE written out (not DER) */
    Q_SAN_TWICE,       /* two subjectAltName extensions */
    Q_EXTREQ_TWICE,    /* two extensionRequest attributes */
    Q_EXTREQ_2VALUES,  /* extensionRequest with two values */
    Q_TRAILING,        /* a byte after the request */
    Q_SIG_ALG_MISMATCH /* says ECDSA-SHA384 but signed with SHA-256 */
};

static void put_ext_request(struct mote_der_writer *w, enum quirk q)
{
    static const uint8_t ext_req[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                      0x0d, 0x01, 0x09, 0x0e};
    static const uint8_t san_oid[] = {0x55, 0x1d, 0x11};
    static const uint8_t odd_oid[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x63};
    static const uint8_t names[] = {0x30, 0x0c, 0x82, 0x0a, 'a', '.', 'e',
                                    'x',  'a',  'm',  'p',  'l', 'e', 's'};
    mote_der_put_begin(w, MOTE_DER_SEQUENCE);
    mote_der_put_oid(w, ext_req, sizeof(ext_req));
    mote_der_put_begin(w, MOTE_DER_SET);
    for (int v = 0; v < (q == Q_EXTREQ_2VALUES ? 2 : 1); v++) {
        mote_der_put_begin(w, MOTE_DER_SEQUENCE);
        for (int i = 0; i < (q == Q_SAN_TWICE ? 2 : 1); i++) {
            mote_der_put_begin(w, MOTE_DER_SEQUENCE);
            mote_der_put_oid(w, san_oid, sizeof(san_oid));
            if (q == Q_FALSE_ENCODED)
                mote_der_put_bool(w, false);
            mote_der_put_tlv(w, MOTE_DER_OCTET_STRING, names, sizeof(names));
            mote_der_put_end(w);
        }
        if (q == Q_UNKNOWN_EXT || q == Q_UNKNOWN_CRIT) {
            mote_der_put_begin(w, MOTE_DER_SEQUENCE);
            mote_der_put_oid(w, odd_oid, sizeof(odd_oid));
            if (q == Q_UNKNOWN_CRIT)
                mote_der_put_bool(w, true);
            mote_der_put_tlv(w, MOTE_DER_OCTET_STRING, "\x05\x00", 2);
            mote_der_put_end(w);
        }
        mote_der_put_end(w);
    }
    mote_der_put_end(w);
    mote_der_put_end(w);
}

static size_t quirky_csr(const struct mote_x509_privkey *k, enum quirk q,
                         uint8_t *out, size_t cap)
{
    static const uint8_t challenge[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                        0x0d, 0x01, 0x09, 0x07};
    static const uint8_t name[] = {0x30, 0x0e, 0x31, 0x0c, 0x30, 0x0a,
                                   0x06, 0x03, 0x55, 0x04, 0x03, 0x0c,
                                   0x03, 'r',  'e',  'q'};
    uint8_t info[2048], spki[512], sig[128];
    size_t ilen, slen, siglen, len;
    struct mote_der_writer w;
    mote_x509_gen_spki_write(k, spki, sizeof(spki), &slen);
    mote_der_writer_init(&w, info, sizeof(info));
    mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
    mote_der_put_int64(&w, q == Q_VERSION1 ? 1 : 0);
    mote_der_put_raw(&w, name, sizeof(name));
    mote_der_put_raw(&w, spki, slen);
    if (q != Q_NO_ATTRS) {
        mote_der_put_begin(&w, MOTE_DER_CTX_CONS(0));
        if (q == Q_CHALLENGE) {
            mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
            mote_der_put_oid(&w, challenge, sizeof(challenge));
            mote_der_put_begin(&w, MOTE_DER_SET);
            mote_der_put_tlv(&w, MOTE_DER_UTF8_STRING, "pw", 2);
            mote_der_put_end(&w);
            mote_der_put_end(&w);
        }
        put_ext_request(&w, q);
        if (q == Q_EXTREQ_TWICE)
            put_ext_request(&w, Q_NONE);
        mote_der_put_end(&w);
    }
    mote_der_put_end(&w);
    if (mote_der_writer_finish(&w, &ilen) != 0 ||
        mote_x509_gen_sign(k, NULL, info, ilen, sig, sizeof(sig), &siglen, rng,
                           NULL) != 0)
        return 0;
    struct mote_x509_sigalg alg;
    mote_x509_gen_default_sigalg(k, &alg);
    if (q == Q_SIG_ALG_MISMATCH)
        alg.hash = MOTE_HASH_SHA384;
    mote_der_writer_init(&w, out, cap);
    mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
    mote_der_put_raw(&w, info, ilen);
    mote_x509_sigalg_put(&w, &alg);
    mote_der_put_bits(&w, sig, siglen, 0);
    mote_der_put_end(&w);
    if (q == Q_TRAILING)
        mote_der_put_raw(&w, "", 1);
    return mote_der_writer_finish(&w, &len) == 0 ? len : 0;
}

static void test_csr_refusals(void)
{
    static const struct {
        enum quirk q;
        int want;
        unsigned sans;
        const char *what;
    } cases[] = {
        {Q_NONE, 0, 1, "the base request"},
        {Q_VERSION1, MOTE_ENOTSUP, 0, "version 1"},
        {Q_NO_ATTRS, 0, 0, "no attributes field (accepted)"},
        {Q_CHALLENGE, 0, 1, "a challengePassword is skipped"},
        {Q_UNKNOWN_EXT, 0, 1, "an unknown non-critical extension is ignored"},
        {Q_UNKNOWN_CRIT, MOTE_ENOTSUP, 0, "an unknown critical extension"},
        {Q_FALSE_ENCODED, MOTE_EINVAL, 0, "critical FALSE encoded"},
        {Q_SAN_TWICE, MOTE_EINVAL, 0, "subjectAltName twice"},
        {Q_EXTREQ_TWICE, MOTE_EINVAL, 0, "extensionRequest twice"},
        {Q_EXTREQ_2VALUES, MOTE_EINVAL, 0, "extensionRequest with 2 values"},
        {Q_TRAILING, MOTE_EINVAL, 0, "a trailing byte"},
        {Q_SIG_ALG_MISMATCH, MOTE_EAUTH, 0, "the wrong hash named"},
    };
    struct mote_x509_privkey k;
    mote_x509_gen_key(&k, MOTE_X509_GEN_KEY_P256, rng, NULL);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        static uint8_t der[4096];
        static struct mote_x509_csr csr;
        size_t len = quirky_csr(&k, cases[i].q, der, sizeof(der));
        if (!ok(len > 0, "%s: made", cases[i].what))
            continue;
        int e = mote_x509_csr_parse(&csr, der, len);
        is_int(e, cases[i].want, "%s: %s", cases[i].what,
               e ? csr.reason : "accepted");
        if (e == 0)
            is_int(csr.san_count, cases[i].sans, "%s: SANs", cases[i].what);
        else
            ok(csr.reason != NULL, "%s: a reason is given", cases[i].what);
    }
    mote_x509_privkey_clear(&k);
}

static void test_csr_from_openssl(void)
{
    static const struct {
        const char *name;
        int type, nid;
    } ks[] = {{"P-256", EVP_PKEY_EC, NID_X9_62_prime256v1},
              {"P-384", EVP_PKEY_EC, NID_secp384r1},
              {"Ed25519", EVP_PKEY_ED25519, 0},
              {"RSA-2048", EVP_PKEY_RSA, 0}};
    for (size_t i = 0; i < 4; i++) {
        EVP_PKEY *pk = NULL;
        if (ks[i].type == EVP_PKEY_EC)
            pk = EVP_EC_gen(OBJ_nid2sn(ks[i].nid));
        else if (ks[i].type == EVP_PKEY_ED25519)
            pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        else if (make_rsa(0) == 0)
            pk = ossl_key(rsa_der[0], rsa_len[0]);
        uint8_t der[BUF];
        size_t len =
            pk ? ossl_csr(pk,
                          ks[i].type == EVP_PKEY_ED25519
                              ? NULL
                              : (ks[i].nid == NID_secp384r1 ? EVP_sha384()
                                                            : EVP_sha256()),
                          der)
               : 0;
        EVP_PKEY_free(pk);
        if (!ok(len > 0, "%s: OpenSSL made a CSR", ks[i].name))
            continue;
        static struct mote_x509_csr csr;
        is_int(mote_x509_csr_parse(&csr, der, len), 0,
               "%s: Mote verifies OpenSSL's CSR", ks[i].name);
        ok(csr.san_count == 3 && csr.san[1].type == MOTE_X509_GN_IP &&
               csr.san[2].type == MOTE_X509_GN_EMAIL,
           "%s: ... and reads its SANs", ks[i].name);
        der[len - 3] ^= 0x40;
        int e = mote_x509_csr_parse(&csr, der, len);
        ok(e == MOTE_EAUTH || e == MOTE_EINVAL,
           "%s: a flipped signature byte is refused (%s)", ks[i].name,
           mote_errname(e));
    }
}

/* Issue from a CSR: the subject and names come from the request. */
static void test_issue_from_csr(void)
{
    struct made *ca = &root;
    is_int(make(ca, MOTE_X509_GEN_KEY_P384, 0, NULL, true, -1, "CA", NULL, 0,
                NULL),
           0, "a P-384 CA");
    struct mote_x509_privkey k;
    mote_x509_gen_key(&k, MOTE_X509_GEN_KEY_ED25519, rng, NULL);
    uint8_t der[BUF], out[BUF];
    size_t len, olen;
    static struct mote_x509_csr csr;
    make_csr(&k, der, sizeof(der), &len, NULL);
    is_int(mote_x509_csr_parse(&csr, der, len), 0, "an Ed25519 CSR");
    struct mote_x509_gen_cert t;
    memset(&t, 0, sizeof(t));
    t.not_before = now() - 60;
    t.not_after = now() + 3600;
    t.path_len = -1;
    t.eku = MOTE_X509_GEN_EKU_SERVER;
    struct mote_x509_gen_issuer is = {.name = ca->parsed.subject.der,
                                      .name_len = ca->parsed.subject.len,
                                      .key = &ca->key};
    is_int(mote_x509_gen_cert_from_csr(&csr, &t, &is, out, sizeof(out), &olen,
                                       rng, NULL),
           0, "issued");
    is_int(ossl_verify(ca->cert, ca->cert_len, NULL, 0, out, olen,
                       "www.example.com", "2001:db8::7"),
           0, "OpenSSL verifies the issued certificate for the CSR's names");
    struct mote_x509_cert p;
    mote_x509_cert_parse(&p, out, olen);
    ok(p.subject.len == csr.subject.len &&
           memcmp(p.subject.der, csr.subject.der, p.subject.len) == 0 &&
           p.pubkey.type == MOTE_X509_KEY_ED25519,
       "subject and key are the request's");
    mote_x509_privkey_clear(&k);
    mote_x509_privkey_clear(&ca->key);
}

/* ---- Files for tests/interop/x509_gen.t --------------------------------
 */

static int write_file(const char *dir, const char *name, const char *label,
                      const uint8_t *der, size_t len)
{
    char path[4096], pem[BUF * 2];
    size_t plen;
    if (mote_pem_encode(label, der, len, pem, sizeof(pem), &plen) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int r = fwrite(pem, 1, plen, f) == plen ? 0 : -1;
    return fclose(f) == 0 ? r : -1;
}

static int write_key(const char *dir, const char *name,
                     const struct mote_x509_privkey *k)
{
    uint8_t der[BUF];
    size_t len;
    if (mote_x509_gen_pkcs8_write(k, der, sizeof(der), &len) != 0)
        return -1;
    return write_file(dir, name, "PRIVATE KEY", der, len);
}

/* For each key type T (p256 p384 ed25519, and rsa from the given openssl
 * keys): T.key/T.crt self-signed end entity, T-root.crt, T-int.crt,
 * T-leaf.key/T-leaf.crt (the SANs of leaf_sans), T-ca.crt self-signed CA
 * for certtool, T.csr; rsa-pss-* with RSASSA-PSS. */
static int gen_files(const char *dir, int nrsa, char **rsa_files)
{
    static const char *const tn[] = {"p256", "p384", "ed25519", "rsa",
                                     "rsa-pss"};
    for (int i = 0; i < nrsa && i < 3; i++) {
        FILE *f = fopen(rsa_files[i], "r");
        static char pem[BUF];
        size_t n = f ? fread(pem, 1, sizeof(pem), f) : 0;
        if (f)
            fclose(f);
        struct mote_pem_iter it;
        struct mote_pem_block b;
        mote_pem_iter_init(&it, pem, n);
        if (mote_pem_next(&it, &b) != 1 ||
            mote_pem_decode(&b, rsa_der[i], sizeof(rsa_der[i]), &rsa_len[i]) !=
                0) {
            fprintf(stderr, "%s: not a PEM key\n", rsa_files[i]);
            return 1;
        }
    }
    for (int t = 0; t < 5; t++) {
        if (t >= 3 && nrsa < 3)
            break;
        enum mote_x509_gen_keytype kind =
            t < 3 ? kinds[t] : MOTE_X509_GEN_KEY_RSA;
        struct mote_x509_sigalg pss, *alg = NULL;
        if (t == 4) {
            mote_x509_gen_pss_sha256(&pss);
            alg = &pss;
        }
        char name[64];
        size_t n = leaf_sans();
        static struct made self;
        int err;
#define W(suffix, label, der, len)                                             \
    (snprintf(name, sizeof(name), "%s%s", tn[t], suffix),                      \
     write_file(dir, name, label, der, len))
        if ((err = make(&self, kind, 0, NULL, false, -1, "www.example.com",
                        sans, n, alg)) != 0 ||
            W(".crt", "CERTIFICATE", self.cert, self.cert_len) ||
            (snprintf(name, sizeof(name), "%s.key", tn[t]),
             write_key(dir, name, &self.key)))
            goto fail;
        uint8_t pub[BUF];
        size_t pub_len;
        if (mote_x509_gen_spki_write(&self.key, pub, sizeof(pub), &pub_len) ||
            W(".pub", "PUBLIC KEY", pub, pub_len))
            goto fail;
        if ((err = make(&self, kind, 0, NULL, true, -1, "Mote test CA", NULL, 0,
                        alg)) != 0 ||
            W("-ca.crt", "CERTIFICATE", self.cert, self.cert_len))
            goto fail;
        if ((err =
                 make(&root, kind, 0, NULL, true, -1, "Root", NULL, 0, alg)) ||
            (err = make(&mid, kind, 1, &root, true, 0, "Intermediate", NULL, 0,
                        alg)) ||
            (err = make(&leaf, kind, 2, &mid, false, -1, "www.example.com",
                        sans, n, alg)))
            goto fail;
        if (W("-root.crt", "CERTIFICATE", root.cert, root.cert_len) ||
            W("-int.crt", "CERTIFICATE", mid.cert, mid.cert_len) ||
            W("-leaf.crt", "CERTIFICATE", leaf.cert, leaf.cert_len) ||
            (snprintf(name, sizeof(name), "%s-leaf.key", tn[t]),
             write_key(dir, name, &leaf.key)))
            goto fail;
        uint8_t der[BUF];
        size_t len;
        if ((err = make_csr(&leaf.key, der, sizeof(der), &len, alg)) != 0 ||
            W(".csr", "CERTIFICATE REQUEST", der, len))
            goto fail;
#undef W
        continue;
    fail:
        fprintf(stderr, "%s: %s\n", tn[t], mote_strerror(err));
        return 1;
    }
    return 0;
}

static int check_csr_file(const char *path)
{
    FILE *f = fopen(path, "r");
    static uint8_t buf[BUF * 2], der[BUF * 2];
    size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0, len = n;
    if (f)
        fclose(f);
    const uint8_t *p = buf;
    if (memmem(buf, n, "-----BEGIN", 10)) {
        struct mote_pem_iter it;
        struct mote_pem_block b;
        mote_pem_iter_init(&it, (const char *)buf, n);
        if (mote_pem_next(&it, &b) != 1 ||
            mote_pem_decode(&b, der, sizeof(der), &len) != 0) {
            printf("bad PEM\n");
            return 1;
        }
        p = der;
    }
    static struct mote_x509_csr csr;
    int e = mote_x509_csr_parse(&csr, p, len);
    printf("%s: %s\n", e ? mote_errname(e) : "verified", e ? csr.reason : "ok");
    return e ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--gen") == 0)
        return gen_files(argv[2], argc - 3, argv + 3);
    if (argc == 3 && strcmp(argv[1], "--csr") == 0)
        return check_csr_file(argv[2]);
    tap_init(argc, argv);
    TAP_CASE(test_keys);
    TAP_CASE(test_key_rng);
    TAP_CASE(test_rsa_key);
    TAP_CASE(test_rsa_generate);
    TAP_CASE(test_chains);
    TAP_CASE(test_mixed);
    TAP_CASE(test_cert_refusals);
    TAP_CASE(test_csr);
    TAP_CASE(test_csr_refusals);
    TAP_CASE(test_csr_from_openssl);
    TAP_CASE(test_issue_from_csr);
    return tap_done();
}

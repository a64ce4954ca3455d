/* X.509 generation speed: Mote (<mote/x509_gen.h>) against OpenSSL's
 * libcrypto in the same binary, same run, one core. Prints a markdown table
 * of operations per second and the ratio Mote / OpenSSL (higher is
 * better).
 *
 * Usage: x509_gen [seconds-per-side] (default 0.4). Each row runs Mote and
 * then OpenSSL for that time, three rounds alternating, and keeps each
 * side's best round. Rows:
 *   cert <key>    build and sign a certificate like `mote cert new` makes
 *                 (subject CN, 2 DNS + 1 IP SAN, basicConstraints, keyUsage,
 *                 extKeyUsage, SKI, AKI), issuer key fixed, output DER
 *   keygen <key>  make a key and write it as PKCS#8 DER
 *   csr verify    parse a P-256 CSR with 2 SANs and check its signature
 */
#define OPENSSL_API_COMPAT 30000
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mote/error.h>
#include <mote/ipaddr.h>
#include <mote/x509.h>
#include <mote/x509_gen.h>

static double secs = 0.4;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef void (*op_fn)(void);

static double rate(op_fn f)
{
    double t0 = now(), t;
    long n = 0;
    do {
        f();
        n++;
    } while ((t = now()) - t0 < secs);
    return (double)n / (t - t0);
}

static void row(const char *name, op_fn mote, op_fn ossl)
{
    double bm = 0, bo = 0;
    for (int r = 0; r < 3; r++) {
        double m = rate(mote), o = rate(ossl);
        bm = m > bm ? m : bm;
        bo = o > bo ? o : bo;
    }
    printf("| %-16s | %10.0f | %10.0f | %5.2f |\n", name, bm, bo, bm / bo);
    fflush(stdout);
}

static void die(const char *what)
{
    fprintf(stderr, "x509_gen: %s failed\n", what);
    exit(1);
}

/* ---- The keys: one per type, the same key on both sides --------------------
 */

static struct mote_x509_privkey mkey;
static EVP_PKEY *okey;
static uint8_t key_der[4096], spki[2048];
static size_t key_len, spki_len;

static void set_key(enum mote_x509_gen_keytype t)
{
    mote_x509_privkey_clear(&mkey);
    EVP_PKEY_free(okey);
    if (t == MOTE_X509_GEN_KEY_RSA) {
        EVP_PKEY *pk = EVP_RSA_gen(2048);
        PKCS8_PRIV_KEY_INFO *p8 = pk ? EVP_PKEY2PKCS8(pk) : NULL;
        uint8_t *p = key_der;
        int n = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8, &p) : -1;
        PKCS8_PRIV_KEY_INFO_free(p8);
        EVP_PKEY_free(pk);
        if (n <= 0 ||
            mote_x509_privkey_parse(&mkey, key_der, (size_t)n, NULL) != 0)
            die("RSA key");
        key_len = (size_t)n;
    } else if (mote_x509_gen_key(&mkey, t, mote_x509_gen_rng, NULL) != 0 ||
               mote_x509_gen_pkcs8_write(&mkey, key_der, sizeof(key_der),
                                         &key_len) != 0) {
        die("key");
    }
    const uint8_t *p = key_der;
    okey = d2i_AutoPrivateKey(NULL, &p, (long)key_len);
    if (!okey ||
        mote_x509_gen_spki_write(&mkey, spki, sizeof(spki), &spki_len) != 0)
        die("key import");
}

static const EVP_MD *key_md(void)
{
    if (mkey.type == MOTE_X509_KEY_ED25519)
        return NULL;
    if (mkey.type == MOTE_X509_KEY_EC && mkey.curve == MOTE_EC_P384)
        return EVP_sha384();
    return EVP_sha256();
}

/* ---- Certificates ----------------------------------------------------------
 */

static uint8_t out[16384];
static size_t out_len;
static struct mote_x509_gen_san sans[3];

static void mote_cert(void)
{
    struct mote_x509_gen_cert c;
    memset(&c, 0, sizeof(c));
    c.subject.cn = "www.example.com";
    c.spki = spki;
    c.spki_len = spki_len;
    c.not_before = 1764000000;
    c.not_after = c.not_before + 365 * 86400;
    c.path_len = -1;
    c.san = sans;
    c.nsan = 3;
    c.eku = MOTE_X509_GEN_EKU_SERVER;
    struct mote_x509_gen_issuer is = {.key = &mkey};
    if (mote_x509_gen_cert_write(&c, &is, out, sizeof(out), &out_len,
                                 mote_x509_gen_rng, NULL) != 0)
        die("mote cert");
}

static void add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    if (!e || !X509_add_ext(x, e, -1))
        die("openssl extension");
    X509_EXTENSION_free(e);
}

static void ossl_cert(void)
{
    X509 *x = X509_new();
    uint8_t serial[16];
    mote_x509_gen_rng(NULL, serial, sizeof(serial));
    serial[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(serial, sizeof(serial), NULL);
    X509_set_version(x, 2);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
    BN_free(bn);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               (const uint8_t *)"www.example.com", -1, -1, 0);
    X509_set_issuer_name(x, name);
    ASN1_TIME_set(X509_getm_notBefore(x), 1764000000);
    ASN1_TIME_set(X509_getm_notAfter(x), 1764000000 + 365 * 86400);
    X509_set_pubkey(x, okey);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature");
    add_ext(x, &ctx, NID_ext_key_usage, "serverAuth");
    add_ext(x, &ctx, NID_subject_alt_name,
            "DNS:www.example.com,DNS:example.com,IP:192.0.2.1");
    add_ext(x, &ctx, NID_subject_key_identifier, "hash");
    add_ext(x, &ctx, NID_authority_key_identifier, "keyid");
    if (X509_sign(x, okey, key_md()) <= 0)
        die("X509_sign");
    uint8_t *p = out;
    int n = i2d_X509(x, &p);
    if (n <= 0)
        die("i2d_X509");
    out_len = (size_t)n;
    X509_free(x);
}

/* ---- Key generation
 * ----------------------------------------------------------
 */

static enum mote_x509_gen_keytype gen_type;

static void mote_keygen(void)
{
    struct mote_x509_privkey k;
    if (mote_x509_gen_key(&k, gen_type, mote_x509_gen_rng, NULL) != 0 ||
        mote_x509_gen_pkcs8_write(&k, out, sizeof(out), &out_len) != 0)
        die("mote keygen");
    mote_x509_privkey_clear(&k);
}

static void ossl_keygen(void)
{
    EVP_PKEY *pk =
        gen_type == MOTE_X509_GEN_KEY_ED25519
            ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
            : EVP_EC_gen(gen_type == MOTE_X509_GEN_KEY_P256 ? "P-256"
                                                            : "P-384");
    PKCS8_PRIV_KEY_INFO *p8 = pk ? EVP_PKEY2PKCS8(pk) : NULL;
    uint8_t *p = out;
    if (!p8 || i2d_PKCS8_PRIV_KEY_INFO(p8, &p) <= 0)
        die("openssl keygen");
    PKCS8_PRIV_KEY_INFO_free(p8);
    EVP_PKEY_free(pk);
}

/* ---- CSR verification
 * ----------------------------------------------------------
 */

static uint8_t csr[4096];
static size_t csr_len;

static void mote_csr_verify(void)
{
    static struct mote_x509_csr r;
    if (mote_x509_csr_parse(&r, csr, csr_len) != 0)
        die("mote CSR verify");
}

static void ossl_csr_verify(void)
{
    const uint8_t *p = csr;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)csr_len);
    if (!req || X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) != 1)
        die("openssl CSR verify");
    X509_REQ_free(req);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        secs = atof(argv[1]);
    sans[0].type = MOTE_X509_GEN_SAN_DNS;
    sans[0].text = "www.example.com";
    sans[1].type = MOTE_X509_GEN_SAN_DNS;
    sans[1].text = "example.com";
    sans[2].type = MOTE_X509_GEN_SAN_IP;
    mote_ipaddr_parse("192.0.2.1", 9, &sans[2].ip);

    printf("| operation        |  Mote op/s | OpenSSL op/s | ratio |\n");
    printf("|---|---:|---:|---:|\n");
    static const struct {
        const char *name;
        enum mote_x509_gen_keytype t;
    } keys[] = {{"cert P-256", MOTE_X509_GEN_KEY_P256},
                {"cert P-384", MOTE_X509_GEN_KEY_P384},
                {"cert Ed25519", MOTE_X509_GEN_KEY_ED25519},
                {"cert RSA-2048", MOTE_X509_GEN_KEY_RSA}};
    for (size_t i = 0; i < 4; i++) {
        set_key(keys[i].t);
        row(keys[i].name, mote_cert, ossl_cert);
    }
    static const struct {
        const char *name;
        enum mote_x509_gen_keytype t;
    } gens[] = {{"keygen P-256", MOTE_X509_GEN_KEY_P256},
                {"keygen P-384", MOTE_X509_GEN_KEY_P384},
                {"keygen Ed25519", MOTE_X509_GEN_KEY_ED25519}};
    for (size_t i = 0; i < 3; i++) {
        gen_type = gens[i].t;
        row(gens[i].name, mote_keygen, ossl_keygen);
    }
    set_key(MOTE_X509_GEN_KEY_P256);
    struct mote_x509_gen_csr r;
    memset(&r, 0, sizeof(r));
    r.subject.cn = "www.example.com";
    r.san = sans;
    r.nsan = 2;
    if (mote_x509_gen_csr_write(&r, &mkey, csr, sizeof(csr), &csr_len,
                                mote_x509_gen_rng, NULL) != 0)
        die("CSR");
    row("csr verify P-256", mote_csr_verify, ossl_csr_verify);
    mote_x509_privkey_clear(&mkey);
    EVP_PKEY_free(okey);
    return 0;
}

/* Keys: PKCS#8, SEC 1, PKCS#1, Ed25519 and SubjectPublicKeyInfo, with keys
 * made by the openssl CLI at test time and libcrypto as the oracle: the
 * public key Mote derives must equal `openssl pkey -pubout`, and what Mote
 * signs with a parsed key must verify in libcrypto. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <mote/crypto.h>
#include <mote/error.h>
#include <mote/x509.h>

#include "tap.h"

static char dir[512];
static int have_openssl;

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(cmd, sizeof cmd, "cd %s && (", dir);
    vsnprintf(cmd + n, sizeof cmd - (size_t)n, fmt, ap);
    va_end(ap);
    strncat(cmd, ") 2>/dev/null >/dev/null", sizeof cmd - strlen(cmd) - 1);
    return system(cmd);
}

/* Read dir/name whole; NULL if absent. */
static uint8_t *slurp(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *p = malloc(65536);
    *len = fread(p, 1, 65536, f);
    fclose(f);
    return p;
}

static void skip(const char *why)
{
    tap_n++;
    printf("ok %d # skip %s\n", tap_n, why);
}

static int rng(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    return RAND_bytes(buf, (int)len) == 1 ? 0 : MOTE_EIO;
}

/* Sign "message" with k (Mote) and verify with libcrypto and spki (DER). */
static int sign_and_verify(const struct mote_x509_privkey *k,
                           const uint8_t *spki, size_t spki_len)
{
    static const char msg[] = "a message to sign";
    uint8_t hash[32], sig[1024];
    size_t sig_len = 0;
    mote_hash(MOTE_HASH_SHA256, msg, sizeof msg - 1, hash);
    switch (k->type) {
    case MOTE_X509_KEY_EC: {
        uint8_t raw[MOTE_EC_MAX_SIG_LEN];
        if (mote_ecdsa_sign(k->curve, raw, k->scalar, MOTE_HASH_SHA256, hash,
                            32, NULL, 0) < 0 ||
            mote_ecdsa_sig_to_der(k->curve, sig, sizeof sig, &sig_len, raw) < 0)
            return -1;
        break;
    }
    case MOTE_X509_KEY_RSA:
        if (mote_rsa_pkcs1_sign(&k->rsa, MOTE_HASH_SHA256, hash, 32, sig,
                                sizeof sig, rng, NULL) < 0)
            return -1;
        sig_len = mote_rsa_len(&k->rsa.pub);
        break;
    case MOTE_X509_KEY_ED25519:
        mote_ed25519_sign(sig, (const uint8_t *)msg, sizeof msg - 1, k->scalar,
                          k->pub);
        sig_len = MOTE_ED25519_SIG_LEN;
        break;
    default:
        return -1;
    }
    const unsigned char *p = spki;
    EVP_PKEY *pk = d2i_PUBKEY(NULL, &p, (long)spki_len);
    if (!pk)
        return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const EVP_MD *md = k->type == MOTE_X509_KEY_ED25519 ? NULL : EVP_sha256();
    int good = EVP_DigestVerifyInit(ctx, NULL, md, NULL, pk) == 1 &&
               EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *)msg,
                                sizeof msg - 1) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pk);
    return good ? 0 : -1;
}

struct key_case {
    const char *name;
    const char *make; /* shell command writing <name>.pem */
    enum mote_x509_key_format fmt;
    enum mote_x509_key_type type;
    enum mote_ec_curve curve;
};

static const struct key_case key_cases[] = {
    {"p256_pkcs8",
     "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
     "-out p256_pkcs8.pem",
     MOTE_X509_KEYFMT_PKCS8, MOTE_X509_KEY_EC, MOTE_EC_P256},
    {"p384_sec1",
     "openssl ecparam -name secp384r1 -genkey -noout -out p384_sec1.pem",
     MOTE_X509_KEYFMT_SEC1, MOTE_X509_KEY_EC, MOTE_EC_P384},
    {"p256_sec1_nopub",
     "openssl ec -in p256_pkcs8.pem -no_public -out p256_sec1_nopub.pem",
     MOTE_X509_KEYFMT_SEC1, MOTE_X509_KEY_EC, MOTE_EC_P256},
    {"p384_pkcs8",
     "openssl pkcs8 -topk8 -nocrypt -in p384_sec1.pem -out p384_pkcs8.pem",
     MOTE_X509_KEYFMT_PKCS8, MOTE_X509_KEY_EC, MOTE_EC_P384},
    {"p384_pkcs8_nopub",
     "openssl ec -in p384_sec1.pem -no_public | openssl pkcs8 -topk8 "
     "-nocrypt -out p384_pkcs8_nopub.pem",
     MOTE_X509_KEYFMT_PKCS8, MOTE_X509_KEY_EC, MOTE_EC_P384},
    {"rsa_pkcs8",
     "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 "
     "-out rsa_pkcs8.pem",
     MOTE_X509_KEYFMT_PKCS8, MOTE_X509_KEY_RSA, MOTE_EC_NONE},
    {"rsa_pkcs1",
     "openssl rsa -in rsa_pkcs8.pem -traditional -out rsa_pkcs1.pem",
     MOTE_X509_KEYFMT_PKCS1, MOTE_X509_KEY_RSA, MOTE_EC_NONE},
    {"rsa3072_pkcs1", "openssl genrsa -traditional -out rsa3072_pkcs1.pem 3072",
     MOTE_X509_KEYFMT_PKCS1, MOTE_X509_KEY_RSA, MOTE_EC_NONE},
    {"ed25519", "openssl genpkey -algorithm ED25519 -out ed25519.pem",
     MOTE_X509_KEYFMT_PKCS8, MOTE_X509_KEY_ED25519, MOTE_EC_NONE},
};

static void test_keys(void)
{
    if (!have_openssl) {
        skip("no /usr/bin/openssl");
        return;
    }
    for (size_t i = 0; i < sizeof key_cases / sizeof key_cases[0]; i++) {
        const struct key_case *kc = &key_cases[i];
        char file[128];
        size_t pem_len, spki_len, der_len;
        is_int(run("%s", kc->make), 0, "%s: openssl makes it", kc->name);
        run("openssl pkey -in %s.pem -pubout -outform DER -out %s.spki",
            kc->name, kc->name);
        run("openssl pkcs8 -topk8 -nocrypt -in %s.pem -outform DER -out "
            "%s.p8der",
            kc->name, kc->name);
        snprintf(file, sizeof file, "%s.pem", kc->name);
        uint8_t *pem = slurp(file, &pem_len);
        snprintf(file, sizeof file, "%s.spki", kc->name);
        uint8_t *spki = slurp(file, &spki_len);
        snprintf(file, sizeof file, "%s.p8der", kc->name);
        uint8_t *p8 = slurp(file, &der_len);
        if (!pem || !spki || !p8) {
            ok(0, "%s: files", kc->name);
            free(pem), free(spki), free(p8);
            continue;
        }
        struct mote_x509_privkey k;
        enum mote_x509_key_format fmt;
        uint8_t buf[4096];
        int err = mote_x509_privkey_parse_pem(&k, (const char *)pem, pem_len,
                                              buf, sizeof buf, &fmt);
        is_int(err, 0, "%s: parse", kc->name);
        is_int(fmt, kc->fmt, "%s: format", kc->name);
        is_int(k.type, kc->type, "%s: type", kc->name);
        is_int(k.curve, kc->curve, "%s: curve", kc->name);

        /* The public key, written as SPKI, equals OpenSSL's. */
        struct mote_x509_pubkey pub;
        struct mote_der_writer w;
        uint8_t out[2048];
        size_t out_len = 0;
        mote_x509_privkey_public(&k, &pub);
        mote_der_writer_init(&w, out, sizeof out);
        mote_x509_pubkey_put(&w, &pub);
        ok(mote_der_writer_finish(&w, &out_len) == 0 && out_len == spki_len &&
               memcmp(out, spki, spki_len) == 0,
           "%s: public key equals openssl pkey -pubout", kc->name);
        is_int(sign_and_verify(&k, spki, spki_len), 0,
               "%s: Mote's signature verifies in libcrypto", kc->name);

        /* The SPKI parses, and re-encodes to the same bytes. */
        struct mote_x509_pubkey sp;
        is_int(mote_x509_pubkey_parse(&sp, spki, spki_len), 0,
               "%s: SPKI parses", kc->name);
        ok(sp.type == kc->type && sp.curve == kc->curve &&
               sp.spki.len == spki_len,
           "%s: SPKI type", kc->name);
        mote_der_writer_init(&w, out, sizeof out);
        mote_x509_pubkey_put(&w, &sp);
        ok(mote_der_writer_finish(&w, &out_len) == 0 && out_len == spki_len &&
               memcmp(out, spki, spki_len) == 0,
           "%s: SPKI re-encodes", kc->name);

        /* The PKCS#8 DER form of the same key gives the same key. */
        struct mote_x509_privkey k8;
        is_int(mote_x509_privkey_parse(&k8, p8, der_len, &fmt), 0,
               "%s: PKCS#8 DER parses", kc->name);
        ok(fmt == MOTE_X509_KEYFMT_PKCS8 && k8.type == k.type &&
               k8.pub_len == k.pub_len &&
               memcmp(k8.pub, k.pub, k.pub_len) == 0 &&
               k8.rsa.pub.n_len == k.rsa.pub.n_len,
           "%s: same key", kc->name);

        /* Split-point: no truncation of the DER parses. */
        int bad = 0;
        for (size_t cut = 0; cut < der_len; cut++) {
            uint8_t *p = malloc(cut ? cut : 1);
            memcpy(p, p8, cut);
            if (mote_x509_privkey_parse(&k8, p, cut, NULL) == 0)
                bad++;
            free(p);
        }
        is_int(bad, 0, "%s: truncations refused", kc->name);
        mote_x509_privkey_clear(&k);
        mote_x509_privkey_clear(&k8);
        free(pem), free(spki), free(p8);
    }
}

static void test_refused(void)
{
    if (!have_openssl) {
        skip("no /usr/bin/openssl");
        return;
    }
    struct mote_x509_privkey k;
    struct mote_x509_pubkey pub;
    uint8_t buf[4096];
    size_t len;
    uint8_t *p;

    run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
        "-out r.pem");
    run("openssl pkcs8 -topk8 -in r.pem -passout pass:x -out enc.pem");
    p = slurp("enc.pem", &len);
    is_int(mote_x509_privkey_parse_pem(&k, (char *)p, p ? len : 0, buf,
                                       sizeof buf, NULL),
           MOTE_ENOTSUP, "encrypted PKCS#8 (PEM label)");
    free(p);
    run("openssl pkcs8 -topk8 -in r.pem -passout pass:x -outform DER "
        "-out enc.der");
    p = slurp("enc.der", &len);
    is_int(mote_x509_privkey_parse(&k, p, p ? len : 0, NULL), MOTE_ENOTSUP,
           "encrypted PKCS#8 (DER)");
    free(p);
    run("openssl ec -in r.pem -aes128 -passout pass:x -out legacy.pem");
    p = slurp("legacy.pem", &len);
    is_int(mote_x509_privkey_parse_pem(&k, (char *)p, p ? len : 0, buf,
                                       sizeof buf, NULL),
           MOTE_ENOTSUP, "legacy encrypted PEM");
    free(p);

    run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 "
        "-out p521.pem");
    run("openssl pkey -in p521.pem -outform DER -out p521.der");
    run("openssl pkey -in p521.pem -pubout -outform DER -out p521.spki");
    p = slurp("p521.der", &len);
    is_int(mote_x509_privkey_parse(&k, p, p ? len : 0, NULL), MOTE_ENOTSUP,
           "P-521 private key");
    free(p);
    p = slurp("p521.spki", &len);
    is_int(mote_x509_pubkey_parse(&pub, p, p ? len : 0), MOTE_ENOTSUP,
           "P-521 SPKI");
    is_int(pub.type, MOTE_X509_KEY_UNKNOWN, "kept as UNKNOWN");
    free(p);
    run("openssl genpkey -algorithm ED448 | openssl pkey -pubout -outform DER "
        "-out ed448.spki");
    p = slurp("ed448.spki", &len);
    is_int(mote_x509_pubkey_parse(&pub, p, p ? len : 0), MOTE_ENOTSUP,
           "Ed448 SPKI");
    free(p);

    /* SPKI variants broken by hand from a good P-256 one. */
    run("openssl pkey -in r.pem -pubout -outform DER -out r.spki");
    p = slurp("r.spki", &len);
    if (!p) {
        ok(0, "r.spki");
        return;
    }
    is_int(mote_x509_pubkey_parse(&pub, p, len), 0, "good P-256 SPKI");
    uint8_t bad[256];
    memcpy(bad, p, len);
    bad[len - 1] ^= 1; /* y no longer on the curve */
    is_int(mote_x509_pubkey_parse(&pub, bad, len), MOTE_EINVAL,
           "point off the curve");
    memcpy(bad, p, len);
    bad[len] = 0;
    is_int(mote_x509_pubkey_parse(&pub, bad, len + 1), MOTE_EINVAL,
           "trailing byte");
    free(p);

    /* A SEC 1 key whose public key is another key's. */
    run("openssl ecparam -name prime256v1 -genkey -noout -outform DER "
        "-out s1.der");
    run("openssl ecparam -name prime256v1 -genkey -noout -outform DER "
        "-out s2.der");
    size_t l1, l2;
    uint8_t *d1 = slurp("s1.der", &l1), *d2 = slurp("s2.der", &l2);
    struct mote_x509_privkey k2;
    if (d1 && d2 && mote_x509_privkey_parse(&k, d1, l1, NULL) == 0 &&
        mote_x509_privkey_parse(&k2, d2, l2, NULL) == 0) {
        struct mote_der_writer w;
        mote_der_writer_init(&w, buf, sizeof buf);
        mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
        mote_der_put_int64(&w, 1);
        mote_der_put_tlv(&w, MOTE_DER_OCTET_STRING, k.scalar, k.scalar_len);
        mote_der_put_begin(&w, MOTE_DER_CTX_CONS(0));
        mote_der_put_oid(
            &w, (const uint8_t *)"\x2a\x86\x48\xce\x3d\x03\x01\x07", 8);
        mote_der_put_end(&w);
        mote_der_put_begin(&w, MOTE_DER_CTX_CONS(1));
        mote_der_put_bits(&w, k2.pub, k2.pub_len, 0);
        mote_der_put_end(&w);
        mote_der_put_end(&w);
        mote_der_writer_finish(&w, &len);
        struct mote_x509_privkey k3;
        is_int(mote_x509_privkey_parse(&k3, buf, len, NULL), MOTE_EINVAL,
               "public key of another scalar");
        /* The same with its own public key passes (the builder is right). */
        mote_der_writer_init(&w, buf, sizeof buf);
        mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
        mote_der_put_int64(&w, 1);
        mote_der_put_tlv(&w, MOTE_DER_OCTET_STRING, k.scalar, k.scalar_len);
        mote_der_put_begin(&w, MOTE_DER_CTX_CONS(0));
        mote_der_put_oid(
            &w, (const uint8_t *)"\x2a\x86\x48\xce\x3d\x03\x01\x07", 8);
        mote_der_put_end(&w);
        mote_der_put_begin(&w, MOTE_DER_CTX_CONS(1));
        mote_der_put_bits(&w, k.pub, k.pub_len, 0);
        mote_der_put_end(&w);
        mote_der_put_end(&w);
        mote_der_writer_finish(&w, &len);
        is_int(mote_x509_privkey_parse(&k3, buf, len, NULL), 0,
               "its own public key");
        ok(k3.pub_len == l1 - l1 + k.pub_len &&
               memcmp(k3.pub, d1 + l1 - k.pub_len, k.pub_len) == 0,
           "public key as in the file");
        /* SEC 1 without the curve anywhere cannot be used. */
        mote_der_writer_init(&w, buf, sizeof buf);
        mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
        mote_der_put_int64(&w, 1);
        mote_der_put_tlv(&w, MOTE_DER_OCTET_STRING, k.scalar, k.scalar_len);
        mote_der_put_end(&w);
        mote_der_writer_finish(&w, &len);
        is_int(mote_x509_privkey_parse(&k3, buf, len, NULL), MOTE_EINVAL,
               "bare SEC 1 key without a curve");
    } else {
        ok(0, "SEC 1 keys from openssl");
    }
    free(d1), free(d2);
    is_int(mote_x509_privkey_parse_pem(&k, "nothing", 7, buf, sizeof buf, NULL),
           MOTE_ENOENT, "no key in the text");
}

/* Less common shapes: compressed points, multi-prime RSA, PKCS#8 v2
 * (OneAsymmetricKey) with the public key. */
static void test_shapes(void)
{
    if (!have_openssl) {
        skip("no /usr/bin/openssl");
        return;
    }
    struct mote_x509_privkey k;
    struct mote_x509_pubkey pub;
    uint8_t buf[4096];
    size_t len;
    uint8_t *p;

    run("openssl ecparam -name secp384r1 -genkey -noout -out c.pem && "
        "openssl ec -in c.pem -conv_form compressed -outform DER -out c.der "
        "&& openssl ec -in c.pem -conv_form compressed -pubout -outform DER "
        "-out c.spki");
    p = slurp("c.der", &len);
    is_int(mote_x509_privkey_parse(&k, p, p ? len : 0, NULL), 0,
           "SEC 1 key with a compressed public key");
    free(p);
    p = slurp("c.spki", &len);
    is_int(mote_x509_pubkey_parse(&pub, p, p ? len : 0), 0,
           "SPKI with a compressed point");
    ok(pub.point_len == 49 && pub.curve == MOTE_EC_P384 &&
           (pub.point[0] & 1) == (k.pub[96] & 1) &&
           memcmp(pub.point + 1, k.pub + 1, 48) == 0,
       "same x as the private key's point");
    struct mote_der_writer w;
    size_t out_len;
    mote_der_writer_init(&w, buf, sizeof buf);
    mote_x509_pubkey_put(&w, &pub);
    ok(mote_der_writer_finish(&w, &out_len) == 0 && p && out_len == len &&
           memcmp(buf, p, len) == 0,
       "compressed SPKI re-encodes as it was");
    free(p);

    run("openssl genrsa -primes 3 -traditional -outform DER -out mp.der 2048 "
        "|| openssl genrsa -primes 3 -traditional 2048 | openssl rsa "
        "-traditional -outform DER -out mp.der");
    p = slurp("mp.der", &len);
    is_int(mote_x509_privkey_parse(&k, p, p ? len : 0, NULL), MOTE_ENOTSUP,
           "three-prime RSA");
    free(p);

    /* OneAsymmetricKey v2 for Ed25519, public key given (RFC 8410 10.3). */
    run("openssl genpkey -algorithm ED25519 -outform DER -out e.der");
    p = slurp("e.der", &len);
    struct mote_x509_privkey e;
    if (!p || mote_x509_privkey_parse(&e, p, len, NULL) != 0) {
        ok(0, "Ed25519 key");
        free(p);
        return;
    }
    for (int wrong = 0; wrong < 2; wrong++) {
        uint8_t pk[32];
        memcpy(pk, e.pub, 32);
        pk[5] ^= (uint8_t)wrong;
        mote_der_writer_init(&w, buf, sizeof buf);
        mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
        mote_der_put_int64(&w, 1);
        mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
        mote_der_put_oid(&w, (const uint8_t *)"\x2b\x65\x70", 3);
        mote_der_put_end(&w);
        mote_der_put_begin(&w, MOTE_DER_OCTET_STRING);
        mote_der_put_tlv(&w, MOTE_DER_OCTET_STRING, e.scalar, 32);
        mote_der_put_end(&w);
        mote_der_put_begin(&w, MOTE_DER_CTX(1));
        mote_der_put_raw(&w, "", 1);
        mote_der_put_raw(&w, pk, 32);
        mote_der_put_end(&w);
        mote_der_put_end(&w);
        mote_der_writer_finish(&w, &out_len);
        enum mote_x509_key_format fmt;
        int err = mote_x509_privkey_parse(&k, buf, out_len, &fmt);
        if (wrong)
            is_int(err, MOTE_EINVAL, "v2 with another public key");
        else
            ok(err == 0 && fmt == MOTE_X509_KEYFMT_PKCS8 &&
                   memcmp(k.pub, e.pub, 32) == 0,
               "v2 with its public key");
    }
    /* The same v2 structure with version 0 is refused. */
    buf[4] = 0;
    is_int(mote_x509_privkey_parse(&k, buf, out_len, NULL), MOTE_EINVAL,
           "publicKey in a version 0 key");
    free(p);
}

/* Algorithms Mote recognises only to refuse them, with a reason that
 * names them (MOTE_ENOTSUP, never "malformed"). */
static void test_unsupported(void)
{
    static const struct {
        const char *name, *make, *reason;
    } cases[] = {
        {"p521",
         "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521",
         "P-521 keys are not supported"},
        {"x25519", "openssl genpkey -algorithm X25519",
         "X25519 is a key-agreement key, not supported"},
        {"x448", "openssl genpkey -algorithm X448",
         "X448 is a key-agreement key, not supported"},
        {"ed448", "openssl genpkey -algorithm ED448",
         "Ed448 keys are not supported"},
        {"secp256k1",
         "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1",
         "EC curve not supported (P-256 and P-384 only)"},
        {"dsa",
         "openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:"
         "1024 -out dsa.param && openssl genpkey -paramfile dsa.param",
         "DSA keys are not supported"},
        {"rsapss",
         "openssl genpkey -algorithm RSA-PSS -pkeyopt "
         "rsa_keygen_bits:2048",
         "RSA-PSS private keys are not supported"},
    };
    if (!have_openssl) {
        skip("no /usr/bin/openssl");
        return;
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *n = cases[i].name;
        struct mote_x509_privkey k;
        struct mote_x509_pubkey pub;
        uint8_t buf[8192];
        size_t len;
        uint8_t *p;
        is_int(run("%s -out u_%s.pem && openssl pkcs8 -topk8 -nocrypt -in "
                   "u_%s.pem -outform DER -out u_%s.der && openssl pkey -in "
                   "u_%s.pem -pubout -outform DER -out u_%s.spki",
                   cases[i].make, n, n, n, n, n),
               0, "%s: openssl makes it", n);
        p = slurp(strcat(strcat(strcpy((char *)buf, "u_"), n), ".der"), &len);
        is_int(mote_x509_privkey_parse(&k, p, p ? len : 0, NULL), MOTE_ENOTSUP,
               "%s: PKCS#8 refused as unsupported", n);
        is_str(k.reason, cases[i].reason, "%s: ... reason", n);
        free(p);
        p = slurp(strcat(strcat(strcpy((char *)buf, "u_"), n), ".pem"), &len);
        is_int(mote_x509_privkey_parse_pem(&k, (char *)p, p ? len : 0, buf,
                                           sizeof buf, NULL),
               MOTE_ENOTSUP, "%s: PEM refused as unsupported", n);
        free(p);
        if (strcmp(n, "rsapss") == 0)
            continue; /* its public key is supported: test_rsa_pss */
        p = slurp(strcat(strcat(strcpy((char *)buf, "u_"), n), ".spki"), &len);
        is_int(mote_x509_pubkey_parse(&pub, p, p ? len : 0), MOTE_ENOTSUP,
               "%s: SPKI refused as unsupported", n);
        is_str(pub.reason, cases[i].reason, "%s: ... reason", n);
        ok(pub.type == MOTE_X509_KEY_UNKNOWN && p && pub.spki.len == len,
           "%s: kept whole as UNKNOWN", n);
        free(p);
    }
    /* SEC 1 on P-521 (the curve named inside the key). */
    struct mote_x509_privkey k;
    size_t len;
    run("openssl ecparam -name secp521r1 -genkey -noout -outform DER "
        "-out u_p521_sec1.der");
    uint8_t *p = slurp("u_p521_sec1.der", &len);
    is_int(mote_x509_privkey_parse(&k, p, p ? len : 0, NULL), MOTE_ENOTSUP,
           "P-521 SEC 1 refused as unsupported");
    is_str(k.reason, "P-521 keys are not supported", "... reason");
    free(p);
    run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
        "| openssl pkcs8 -topk8 -passout pass:x -outform DER -out u_enc.der");
    p = slurp("u_enc.der", &len);
    is_int(mote_x509_privkey_parse(&k, p, p ? len : 0, NULL), MOTE_ENOTSUP,
           "encrypted PKCS#8 refused as unsupported");
    is_str(k.reason, "encrypted private key not supported", "... reason");
    free(p);
}

/* id-RSASSA-PSS public keys (RFC 4055 1.2), with and without parameters:
 * parsed as RSA keys for PSS only, written back identically. */
static void test_rsa_pss(void)
{
    static const struct {
        const char *name, *opts;
        bool params;
        enum mote_hash_alg hash, mgf;
        size_t salt;
    } cases[] = {
        {"pss_plain", "", false, MOTE_HASH_NONE, MOTE_HASH_NONE, 0},
        {"pss_sha256",
         "-pkeyopt rsa_pss_keygen_md:sha256 -pkeyopt rsa_pss_keygen_mgf1_md:"
         "sha256 -pkeyopt rsa_pss_keygen_saltlen:32",
         true, MOTE_HASH_SHA256, MOTE_HASH_SHA256, 32},
        {"pss_sha384_mgf256",
         "-pkeyopt rsa_pss_keygen_md:sha384 -pkeyopt rsa_pss_keygen_mgf1_md:"
         "sha256 -pkeyopt rsa_pss_keygen_saltlen:20",
         true, MOTE_HASH_SHA384, MOTE_HASH_SHA256, 20},
        {"pss_sha1", "-pkeyopt rsa_pss_keygen_md:sha1", true, MOTE_HASH_SHA1,
         MOTE_HASH_SHA1, 20},
    };
    if (!have_openssl) {
        skip("no /usr/bin/openssl");
        return;
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *n = cases[i].name;
        struct mote_x509_pubkey pub;
        char name[64];
        size_t len;
        is_int(run("openssl genpkey -algorithm RSA-PSS -pkeyopt "
                   "rsa_keygen_bits:2048 %s -out %s.pem && openssl pkey -in "
                   "%s.pem -pubout -outform DER -out %s.spki && openssl pkey "
                   "-in %s.pem -noout -text_pub > %s.txt",
                   cases[i].opts, n, n, n, n, n),
               0, "%s: openssl makes it", n);
        snprintf(name, sizeof name, "%s.spki", n);
        uint8_t *p = slurp(name, &len);
        int err = mote_x509_pubkey_parse(&pub, p, p ? len : 0);
        is_int(err, 0, "%s: parses", n);
        if (err)
            tap_diag("%s", pub.reason ? pub.reason : "");
        ok(pub.type == MOTE_X509_KEY_RSA && pub.rsa_pss &&
               pub.rsa.n_len == 256 && pub.rsa.e_len == 3,
           "%s: an RSA-2048 key for PSS only", n);
        is_int(pub.rsa_pss_params, cases[i].params, "%s: parameters", n);
        if (cases[i].params)
            ok(pub.pss.alg == MOTE_X509_SIG_RSA_PSS &&
                   pub.pss.hash == cases[i].hash &&
                   pub.pss.mgf_hash == cases[i].mgf &&
                   pub.pss.salt_len == cases[i].salt,
               "%s: hash, MGF1 hash and salt as openssl made them", n);
        uint8_t out[1024];
        struct mote_der_writer w;
        size_t olen = 0;
        mote_der_writer_init(&w, out, sizeof out);
        mote_x509_pubkey_put(&w, &pub);
        ok(mote_der_writer_finish(&w, &olen) == 0 && p && olen == len &&
               memcmp(out, p, len) == 0,
           "%s: written back identically", n);
        /* The modulus is libcrypto's. */
        EVP_PKEY *ek = NULL;
        const unsigned char *q = p;
        BIGNUM *bn = NULL;
        ek = p ? d2i_PUBKEY(NULL, &q, (long)len) : NULL;
        uint8_t nb[512];
        ok(ek && EVP_PKEY_get_bn_param(ek, "n", &bn) &&
               BN_bn2bin(bn, nb) == (int)pub.rsa.n_len &&
               memcmp(nb, pub.rsa.n, pub.rsa.n_len) == 0,
           "%s: modulus equals libcrypto's", n);
        BN_free(bn);
        EVP_PKEY_free(ek);
        /* A plain rsaEncryption SPKI is not PSS-only. */
        if (i == 0) {
            struct mote_x509_pubkey plain = pub;
            plain.rsa_pss = false;
            mote_der_writer_init(&w, out, sizeof out);
            mote_x509_pubkey_put(&w, &plain);
            ok(mote_der_writer_finish(&w, &olen) == 0 &&
                   mote_x509_pubkey_parse(&pub, out, olen) == 0 &&
                   !pub.rsa_pss && !pub.rsa_pss_params,
               "rsaEncryption: not PSS-only");
        }
        free(p);
    }
    /* Parameters NULL, or PSS parameters with an unknown hash: refused. */
    struct mote_x509_pubkey pub;
    size_t len;
    uint8_t *p = slurp("pss_plain.spki", &len);
    if (p && len > 40 && p[4] == 0x30 && p[5] == 0x0b) {
        /* 30 82 LL LL 30 0b 06 09 <PSS OID> 03 ...: insert NULL params. */
        uint8_t bad[1024];
        memcpy(bad, p, 6 + 11);
        bad[5] = 0x0d;
        bad[17] = 0x05;
        bad[18] = 0x00;
        memcpy(bad + 19, p + 17, len - 17);
        size_t inner = len - 4 + 2;
        bad[2] = (uint8_t)(inner >> 8);
        bad[3] = (uint8_t)inner;
        is_int(mote_x509_pubkey_parse(&pub, bad, len + 2), MOTE_EINVAL,
               "RSA-PSS SPKI with NULL parameters");
        is_str(pub.reason, "bad RSA-PSS key parameters", "... reason");
    } else {
        ok(0, "pss_plain.spki has the expected shape");
    }
    free(p);
}

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    const char *b = getenv("MOTE_BUILD");
    snprintf(dir, sizeof dir, "%s/tmp-x509-key-XXXXXX", b ? b : "_build");
    have_openssl = access("/usr/bin/openssl", X_OK) == 0 && mkdtemp(dir);
    TAP_CASE(test_keys);
    TAP_CASE(test_refused);
    TAP_CASE(test_shapes);
    TAP_CASE(test_unsupported);
    TAP_CASE(test_rsa_pss);
    if (have_openssl) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            tap_diag("could not remove %s", dir);
    }
    return tap_done();
}

/* Public-key crypto speed: Mote against OpenSSL's libcrypto (EVP), same
 * binary, same run, one core. Prints a markdown table of operations per
 * second and the ratio Mote / OpenSSL (higher is better; the aim is 0.8). */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mote/crypto.h>
#include <mote/crypto_pk.h>

/*
 * Usage: crypto_pk [seconds-per-side [row-filter]] (default 0.4 s, every
 * row; the filter keeps rows whose name contains it, for profiling). Each row
 * runs Mote and then OpenSSL for that much CPU time, three rounds alternating,
 * and keeps each side's best round (least disturbed by the shared machine).
 */

static double secs = 0.4;
static const char *only; /* run only the rows whose name contains this */

/* CPU time of this process, not wall time: on a shared machine the time
 * spent descheduled would otherwise land on whichever side ran then. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
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
    if (only && !strstr(name, only))
        return;
    for (int r = 0; r < 3; r++) {
        double m = rate(mote), o = ossl ? rate(ossl) : 0;
        bm = m > bm ? m : bm;
        bo = o > bo ? o : bo;
    }
    if (ossl)
        printf("| %-26s | %10.0f | %10.0f | %5.2f |\n", name, bm, bo, bm / bo);
    else
        printf("| %-26s | %10.0f | %10s | %5s |\n", name, bm, "n/a", "-");
}

static int rng(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    return RAND_bytes(buf, (int)len) == 1 ? 0 : -6;
}

/* ---- State shared by the rows ---- */
static uint8_t xa[32], xpub[32], xout[32], eseed[32], epub[32], esig[64],
    msg[64], ecd[32], ecpub[65], ecpub2[65], ecsig[64], hash[32], der[80];
static size_t derlen;
static EVP_PKEY *ox_a, *ox_b, *oed, *oec, *oec2, *orsa;
static struct mote_rsa_private rkey;
static struct mote_rsa_prepared rprep;
static uint8_t *rbuf[7];
static uint8_t rsig[256];
static uint8_t kpub[MOTE_MLKEM768_PUB_LEN], kpriv[MOTE_MLKEM768_PRIV_LEN],
    kct[MOTE_MLKEM768_CT_LEN], kss[32];

static void m_x25519(void)
{
    mote_x25519(xout, xa, xpub);
}
static void o_x25519(void)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(ox_a, NULL);
    size_t l = 32;
    EVP_PKEY_derive_init(c);
    EVP_PKEY_derive_set_peer(c, ox_b);
    EVP_PKEY_derive(c, xout, &l);
    EVP_PKEY_CTX_free(c);
}
static void m_ed_sign(void)
{
    mote_ed25519_sign(esig, msg, sizeof msg, eseed, epub);
}
static void o_ed_sign(void)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    size_t l = 64;
    EVP_DigestSignInit(m, NULL, NULL, NULL, oed);
    EVP_DigestSign(m, esig, &l, msg, sizeof msg);
    EVP_MD_CTX_free(m);
}
static void m_ed_verify(void)
{
    if (mote_ed25519_verify(esig, msg, sizeof msg, epub))
        abort();
}
static void o_ed_verify(void)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_DigestVerifyInit(m, NULL, NULL, NULL, oed);
    if (EVP_DigestVerify(m, esig, 64, msg, sizeof msg) != 1)
        abort();
    EVP_MD_CTX_free(m);
}
static void m_ecdsa_sign(void)
{
    mote_ecdsa_sign(MOTE_EC_P256, ecsig, ecd, MOTE_HASH_SHA256, hash, 32, NULL,
                    0);
}
static void o_ecdsa_sign(void)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(oec, NULL);
    uint8_t osig[80];
    size_t l = sizeof osig;
    EVP_PKEY_sign_init(c);
    EVP_PKEY_sign(c, osig, &l, hash, 32);
    EVP_PKEY_CTX_free(c);
}
static void m_ecdsa_verify(void)
{
    if (mote_ecdsa_verify(MOTE_EC_P256, ecpub, 65, hash, 32, ecsig, 64))
        abort();
}
static void o_ecdsa_verify(void)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(oec, NULL);
    EVP_PKEY_verify_init(c);
    if (EVP_PKEY_verify(c, der, derlen, hash, 32) != 1)
        abort();
    EVP_PKEY_CTX_free(c);
}
static void m_ecdh(void)
{
    mote_ecdh(MOTE_EC_P256, xout, ecd, ecpub2, 65);
}
static void o_ecdh(void)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(oec, NULL);
    size_t l = 32;
    EVP_PKEY_derive_init(c);
    EVP_PKEY_derive_set_peer(c, oec2);
    EVP_PKEY_derive(c, xout, &l);
    EVP_PKEY_CTX_free(c);
}
/* Signing with a prepared key, as OpenSSL signs with its RSA object (which
 * caches the Montgomery set-ups and the blinding). */
static void m_rsa_sign(void)
{
    if (mote_rsa_prepared_pkcs1_sign(&rprep, MOTE_HASH_SHA256, hash, 32, rsig,
                                     sizeof rsig, rng, NULL))
        abort();
}
/* The one-shot call: key set-up and a fresh blinding inverse each time. */
static void m_rsa_sign1(void)
{
    if (mote_rsa_pkcs1_sign(&rkey, MOTE_HASH_SHA256, hash, 32, rsig,
                            sizeof rsig, rng, NULL))
        abort();
}
static void o_rsa_sign(void)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(orsa, NULL);
    size_t l = sizeof rsig;
    EVP_PKEY_sign_init(c);
    EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING);
    EVP_PKEY_CTX_set_signature_md(c, EVP_sha256());
    EVP_PKEY_sign(c, rsig, &l, hash, 32);
    EVP_PKEY_CTX_free(c);
}
static void m_rsa_verify(void)
{
    if (mote_rsa_pkcs1_verify(&rkey.pub, MOTE_HASH_SHA256, hash, 32, rsig, 256))
        abort();
}
static void o_rsa_verify(void)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(orsa, NULL);
    EVP_PKEY_verify_init(c);
    EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING);
    EVP_PKEY_CTX_set_signature_md(c, EVP_sha256());
    if (EVP_PKEY_verify(c, rsig, 256, hash, 32) != 1)
        abort();
    EVP_PKEY_CTX_free(c);
}
static void m_kem_keygen(void)
{
    mote_mlkem768_keygen(kpub, kpriv, rng, NULL);
}
static void m_kem_encaps(void)
{
    mote_mlkem768_encaps(kct, kss, kpub, rng, NULL);
}
static void m_kem_decaps(void)
{
    mote_mlkem768_decaps(kss, kct, kpriv);
}
/* The same on lower implementation levels (AVX2 without the AVX-512
 * Keccak; portable C), to see what each path gives. */
#define KEM_AT(name, op, level)                                                \
    static void name(void)                                                     \
    {                                                                          \
        mote_crypto_disable_simd(level);                                       \
        op();                                                                  \
        mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_BEST);                       \
    }
KEM_AT(m_kem_keygen_avx2, m_kem_keygen, MOTE_CRYPTO_IMPL_NO_AVX512)
KEM_AT(m_kem_encaps_avx2, m_kem_encaps, MOTE_CRYPTO_IMPL_NO_AVX512)
KEM_AT(m_kem_decaps_avx2, m_kem_decaps, MOTE_CRYPTO_IMPL_NO_AVX512)
KEM_AT(m_kem_keygen_c, m_kem_keygen, MOTE_CRYPTO_IMPL_PORTABLE)
KEM_AT(m_kem_encaps_c, m_kem_encaps, MOTE_CRYPTO_IMPL_PORTABLE)
KEM_AT(m_kem_decaps_c, m_kem_decaps, MOTE_CRYPTO_IMPL_PORTABLE)

static void ec_export(EVP_PKEY *k, uint8_t *priv, uint8_t *pub)
{
    BIGNUM *d = NULL;
    size_t l;
    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &d);
    BN_bn2binpad(d, priv, 32);
    BN_free(d);
    EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pub, 65, &l);
}

static void setup(void)
{
    size_t l = 32;
    uint8_t b[32], tmp[32];
    RAND_bytes(xa, 32);
    RAND_bytes(b, 32);
    ox_a = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, xa, 32);
    ox_b = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, b, 32);
    EVP_PKEY_get_raw_public_key(ox_b, xpub, &l);
    RAND_bytes(eseed, 32);
    RAND_bytes(msg, sizeof msg);
    oed = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, eseed, 32);
    mote_ed25519_public(epub, eseed);
    mote_ed25519_sign(esig, msg, sizeof msg, eseed, epub);
    oec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    oec2 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ec_export(oec, ecd, ecpub);
    ec_export(oec2, tmp, ecpub2);
    RAND_bytes(hash, 32);
    mote_ecdsa_sign(MOTE_EC_P256, ecsig, ecd, MOTE_HASH_SHA256, hash, 32, NULL,
                    0);
    mote_ecdsa_sig_to_der(MOTE_EC_P256, der, sizeof der, &derlen, ecsig);
    orsa = EVP_RSA_gen(2048);
    static const char *names[] = {
        OSSL_PKEY_PARAM_RSA_N,           OSSL_PKEY_PARAM_RSA_E,
        OSSL_PKEY_PARAM_RSA_FACTOR1,     OSSL_PKEY_PARAM_RSA_FACTOR2,
        OSSL_PKEY_PARAM_RSA_EXPONENT1,   OSSL_PKEY_PARAM_RSA_EXPONENT2,
        OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    size_t len[7];
    for (int i = 0; i < 7; i++) {
        BIGNUM *x = NULL;
        EVP_PKEY_get_bn_param(orsa, names[i], &x);
        len[i] = (size_t)BN_num_bytes(x);
        rbuf[i] = malloc(len[i]);
        BN_bn2bin(x, rbuf[i]);
        BN_free(x);
    }
    rkey = (struct mote_rsa_private){
        .pub = {rbuf[0], len[0], rbuf[1], len[1]},
        .p = rbuf[2],
        .p_len = len[2],
        .q = rbuf[3],
        .q_len = len[3],
        .dp = rbuf[4],
        .dp_len = len[4],
        .dq = rbuf[5],
        .dq_len = len[5],
        .qinv = rbuf[6],
        .qinv_len = len[6],
    };
    if (mote_rsa_private_prepare(&rprep, &rkey))
        abort();
    m_rsa_sign();
    m_rsa_sign1();
    mote_mlkem768_keygen(kpub, kpriv, rng, NULL);
    mote_mlkem768_encaps(kct, kss, kpub, rng, NULL);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        secs = atof(argv[1]);
    if (argc > 2)
        only = argv[2];
    setup();
    printf("| %-26s | %10s | %10s | %5s |\n", "operation", "Mote op/s",
           "OpenSSL", "ratio");
    printf(
        "|----------------------------|-----------:|-----------:|------:|\n");
    row("X25519 shared secret", m_x25519, o_x25519);
    row("Ed25519 sign (64 B)", m_ed_sign, o_ed_sign);
    row("Ed25519 verify (64 B)", m_ed_verify, o_ed_verify);
    row("ECDSA P-256 sign", m_ecdsa_sign, o_ecdsa_sign);
    row("ECDSA P-256 verify", m_ecdsa_verify, o_ecdsa_verify);
    row("ECDH P-256", m_ecdh, o_ecdh);
    row("RSA-2048 sign (PKCS#1)", m_rsa_sign, o_rsa_sign);
    row("RSA-2048 sign, one-shot", m_rsa_sign1, o_rsa_sign);
    row("RSA-2048 verify (PKCS#1)", m_rsa_verify, o_rsa_verify);
    row("ML-KEM-768 keygen", m_kem_keygen, NULL);
    row("ML-KEM-768 encaps", m_kem_encaps, NULL);
    row("ML-KEM-768 decaps", m_kem_decaps, NULL);
    row("ML-KEM-768 keygen, AVX2", m_kem_keygen_avx2, NULL);
    row("ML-KEM-768 encaps, AVX2", m_kem_encaps_avx2, NULL);
    row("ML-KEM-768 decaps, AVX2", m_kem_decaps_avx2, NULL);
    row("ML-KEM-768 keygen, C", m_kem_keygen_c, NULL);
    row("ML-KEM-768 encaps, C", m_kem_encaps_c, NULL);
    row("ML-KEM-768 decaps, C", m_kem_decaps_c, NULL);
    return 0;
}

/* Constant-time check of the public-key code: X25519, Ed25519 sign, ECDSA
 * sign and ECDH, RSA sign (CRT) and key generation, ML-KEM-768 decapsulation,
 * run with their secrets marked undefined so that valgrind memcheck reports any
 * branch or memory index that depends on them. Driven by
 * tests/interop/ct_check_pk.t.
 *
 * Usage: ct_crypto_pk lib       zero memcheck reports expected
 *        ct_crypto_pk control   a deliberate secret branch: MUST be reported
 *
 * The only declassification point is pk__declassify() (src/crypto/pk_util.c),
 * named in tests/ct/ct_pk.supp: it turns an API verdict that is public by
 * design (key out of range, all-zero X25519 output, RSA fault check) into
 * a defined value. */
#include <stdio.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include <mote/crypto_pk.h>
#include <mote/error.h>

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED(p, n)
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED(p, n)

static int bad;

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + 29 * i + (i >> 3));
}

static void check(int cond, const char *what)
{
    PUBLIC(&cond, sizeof cond);
    if (!cond) {
        printf("BAD: %s\n", what);
        bad++;
    }
}

static int rng(void *ctx, uint8_t *buf, size_t len)
{
    unsigned *s = ctx;
    for (size_t i = 0; i < len; i++) {
        *s = *s * 1103515245u + 12345u;
        buf[i] = (uint8_t)(*s >> 16);
    }
    return 0;
}

static void run_x25519(void)
{
    uint8_t a[32], b[32], apub[32], bpub[32], k1[32], k2[32];
    fill(a, 32, 1);
    fill(b, 32, 2);
    SECRET(a, 32);
    SECRET(b, 32);
    mote_x25519_public(apub, a);
    mote_x25519_public(bpub, b);
    PUBLIC(apub, 32);
    PUBLIC(bpub, 32);
    int r1 = mote_x25519(k1, a, bpub), r2 = mote_x25519(k2, b, apub);
    PUBLIC(k1, 32);
    PUBLIC(k2, 32);
    check(r1 == 0 && r2 == 0 && !memcmp(k1, k2, 32), "x25519 agreement");
}

static void run_ed25519(void)
{
    uint8_t seed[32], pub[32], sig[64], msg[100];
    fill(seed, 32, 3);
    fill(msg, sizeof msg, 4);
    SECRET(seed, 32);
    mote_ed25519_public(pub, seed);
    PUBLIC(pub, 32);
    mote_ed25519_sign(sig, msg, sizeof msg, seed, pub);
    mote_ed25519_sign(sig, msg, sizeof msg, seed, NULL);
    PUBLIC(sig, 64);
    check(mote_ed25519_verify(sig, msg, sizeof msg, pub) == 0,
          "ed25519 signature verifies");
}

static void run_ec(enum mote_ec_curve cv, enum mote_hash_alg h)
{
    size_t nb = mote_ec_scalar_len(cv), hl = mote_hash_len(h);
    uint8_t d[48], d2[48], pub[97], pub2[97], hash[64], sig[96], extra[32],
        s1[48], s2[48];
    fill(d, nb, 5);
    fill(d2, nb, 6);
    d[0] = d2[0] = 0x11; /* below n */
    fill(hash, hl, 7);
    fill(extra, 32, 8);
    SECRET(d, nb);
    SECRET(d2, nb);
    SECRET(extra, 32);
    int rc = mote_ec_public(cv, pub, d) | mote_ec_public(cv, pub2, d2);
    PUBLIC(pub, 1 + 2 * nb);
    PUBLIC(pub2, 1 + 2 * nb);
    rc |= mote_ecdsa_sign(cv, sig, d, h, hash, hl, NULL, 0);
    rc |= mote_ecdsa_sign(cv, sig, d, h, hash, hl, extra, 32);
    PUBLIC(sig, 2 * nb);
    check(rc == 0 && mote_ecdsa_verify(cv, pub, 1 + 2 * nb, hash, hl, sig,
                                       2 * nb) == 0,
          "ecdsa signature verifies");
    rc = mote_ecdh(cv, s1, d, pub2, 1 + 2 * nb);
    rc |= mote_ecdh(cv, s2, d2, pub, 1 + 2 * nb);
    PUBLIC(s1, nb);
    PUBLIC(s2, nb);
    check(rc == 0 && !memcmp(s1, s2, nb), "ecdh agreement");
}

/* A 2048-bit test key (generated with openssl genpkey; test only). */
#include "ct_pk_rsa_key.h"

static uint8_t unhex_buf[7][256];
static struct mote_rsa_private rk;

static void run_rsa(void)
{
    uint8_t hash[32], sig[256];
    unsigned st = 9;
    rsa_test_key_load(&rk, unhex_buf);
    for (int i = 2; i < 7; i++)
        SECRET(unhex_buf[i], sizeof unhex_buf[i]);
    fill(hash, 32, 10);
    int rc = mote_rsa_pkcs1_sign(&rk, MOTE_HASH_SHA256, hash, 32, sig,
                                 sizeof sig, rng, &st);
    PUBLIC(sig, sizeof sig);
    check(rc == 0 && mote_rsa_pkcs1_verify(&rk.pub, MOTE_HASH_SHA256, hash, 32,
                                           sig, 256) == 0,
          "rsa pkcs1 signature verifies");
    rc = mote_rsa_pss_sign(&rk, MOTE_HASH_SHA256, 32, hash, 32, sig, sizeof sig,
                           rng, &st);
    PUBLIC(sig, sizeof sig);
    check(rc == 0 &&
              mote_rsa_pss_verify(&rk.pub, MOTE_HASH_SHA256, MOTE_HASH_SHA256,
                                  32, hash, 32, sig, 256) == 0,
          "rsa pss signature verifies");
}

/* Key generation with every random byte secret: the candidates' verdicts
 * go through pk__declassify, the rest (trial division, Miller-Rabin's
 * exponentiations, the CRT values) must not branch or index on them. */
static int secret_rng(void *ctx, uint8_t *buf, size_t len)
{
    rng(ctx, buf, len);
    SECRET(buf, len);
    return 0;
}

/* A prepared key, with secret blinding randomness: preparation, a first
 * signature (draws the blinding pair) and more (squares it). */
static void run_rsa_prepared(void)
{
    static struct mote_rsa_prepared pc;
    uint8_t hash[32], sig[256];
    unsigned st = 11;
    int rc = mote_rsa_private_prepare(&pc, &rk);
    for (int i = 0; i < 3; i++) {
        fill(hash, 32, (unsigned)(20 + i));
        rc |= mote_rsa_prepared_pkcs1_sign(&pc, MOTE_HASH_SHA256, hash, 32, sig,
                                           sizeof sig, secret_rng, &st);
        PUBLIC(sig, sizeof sig);
        rc |= mote_rsa_pkcs1_verify(&rk.pub, MOTE_HASH_SHA256, hash, 32, sig,
                                    256);
    }
    /* PSS with a public rng: the salt is not secret (the verifier recovers
     * it), and EM < n is checked on it; the pair is not redrawn here. */
    rc |= mote_rsa_prepared_pss_sign(&pc, MOTE_HASH_SHA256, 32, hash, 32, sig,
                                     sizeof sig, rng, &st);
    PUBLIC(sig, sizeof sig);
    rc |= mote_rsa_pss_verify(&rk.pub, MOTE_HASH_SHA256, MOTE_HASH_SHA256, 32,
                              hash, 32, sig, 256);
    check(rc == 0, "rsa prepared-key signatures verify");
    mote_rsa_prepared_wipe(&pc);
}

static void run_rsa_keygen(void)
{
    static uint8_t buf[MOTE_RSA_KEYGEN_LEN(2048)];
    struct mote_rsa_private k;
    uint8_t hash[32], sig[256];
    unsigned st = 13;
    static uint8_t d[256]; /* the private exponent too (stays secret) */
    int rc = mote_rsa_generate_d(&k, buf, sizeof buf, 2048, d, secret_rng, &st);
    PUBLIC(buf, k.pub.n_len + k.pub.e_len); /* the public key */
    fill(hash, 32, 14);
    rc |= mote_rsa_pkcs1_sign(&k, MOTE_HASH_SHA256, hash, 32, sig, sizeof sig,
                              rng, &st);
    PUBLIC(sig, sizeof sig);
    check(rc == 0 && mote_rsa_pkcs1_verify(&k.pub, MOTE_HASH_SHA256, hash, 32,
                                           sig, 256) == 0,
          "rsa keygen: the new key signs");
}

static void run_mlkem(void)
{
    static uint8_t pub[MOTE_MLKEM768_PUB_LEN], priv[MOTE_MLKEM768_PRIV_LEN],
        ct[MOTE_MLKEM768_CT_LEN];
    uint8_t seed[64], m[32], k1[32], k2[32], k3[32];
    fill(seed, 64, 11);
    fill(m, 32, 12);
    /* Key generation runs with a public seed: rho = G(d)[0..32] is public
     * by design (it is part of ek) and SampleNTT's rejection loop on it is
     * variable time, as FIPS 203 allows; only decapsulation is checked. */
    mote_mlkem768_keygen_seed(pub, priv, seed);
    PUBLIC(pub, sizeof pub);
    SECRET(m, 32);
    int rc = mote_mlkem768_encaps_seed(ct, k1, pub, m);
    PUBLIC(ct, sizeof ct);
    /* dk = s || ek || H(ek) || z: s and z are the secrets. */
    PUBLIC(priv, sizeof priv);
    SECRET(priv, 1152);
    SECRET(priv + 2400 - 32, 32);
    rc |= mote_mlkem768_decaps(k2, ct, priv);
    ct[5] ^= 1;
    rc |= mote_mlkem768_decaps(k3, ct, priv); /* implicit rejection */
    PUBLIC(k1, 32);
    PUBLIC(k2, 32);
    PUBLIC(k3, 32);
    check(rc == 0 && !memcmp(k1, k2, 32) && memcmp(k1, k3, 32),
          "ml-kem round trip and implicit rejection");
}

static void run_control(void)
{
    uint8_t s[2] = {1, 2};
    static const uint8_t table[256] = {3};
    volatile uint8_t sink;
    SECRET(s, 2);
    if (s[0] == 1) /* secret branch: must be reported */
        sink = 1;
    sink = table[s[1]]; /* secret index: must be reported */
    (void)sink;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "control")) {
        run_control();
        return 0;
    }
    run_x25519();
    run_ed25519();
    run_ec(MOTE_EC_P256, MOTE_HASH_SHA256);
    run_ec(MOTE_EC_P384, MOTE_HASH_SHA384);
    /* RSA-2048 signs with AVX-512 IFMA where the CPU has it; valgrind
     * cannot run AVX-512 (and hides it from cpuid), so the portable path is
     * the one checked here, forced in case a valgrind ever reports it. */
    mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_NO_AVX512);
    run_rsa();
    run_rsa_prepared();
    run_rsa_keygen();
    mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_BEST);
    run_mlkem();
    if (!bad)
        printf("round trip ok\n");
    return bad ? 1 : 0;
}

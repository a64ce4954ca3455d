/* One-shot RSA signing (mote_rsa_pkcs1_sign / mote_rsa_pss_sign on a
 * plain private key): each call sets the key up and draws a fresh
 * blinding pair. PKCS#1 v1.5 is deterministic, so the one-shot signature
 * must equal the prepared key's, byte for byte, whatever the blinding;
 * both must verify. Covers the fast set-up (a 2048-bit modulus of two
 * 1024-bit primes), the general one (a prime encoded with a leading zero
 * byte), blinding words at their edges (an rng of all zeros or all ones),
 * a corrupted prime (the fault check) and a failing rng. */
#define _POSIX_C_SOURCE 200809L /* crypto_test.h: strtok_r */
#include <stdint.h>
#include <string.h>

#include <mote/crypto_pk.h>
#include <mote/error.h>

#include "../ct/ct_pk_rsa_key.h"
#include "crypto_test.h"
#include "tap.h"

static uint8_t kb[7][256];
static struct mote_rsa_private key;

static void load_key(void)
{
    rsa_test_key_load(&key, kb);
}

static int rng_det(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    ct_randbytes(buf, len);
    return 0;
}
static int rng_fill(void *ctx, uint8_t *buf, size_t len)
{
    memset(buf, *(const uint8_t *)ctx, len);
    return 0;
}
static int rng_fail(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx, (void)buf, (void)len;
    return MOTE_EIO;
}

/* n signatures of different hashes: one-shot == prepared, and verifies. */
static int agree(const struct mote_rsa_private *k, int n, mote_pk_rng_fn rng,
                 void *ctx)
{
    static struct mote_rsa_prepared pc;
    int bad = 0;
    if (mote_rsa_private_prepare(&pc, k) < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        uint8_t hash[32], s1[256], s2[256];
        ct_randbytes(hash, sizeof hash);
        int rc = mote_rsa_pkcs1_sign(k, MOTE_HASH_SHA256, hash, 32, s1,
                                     sizeof s1, rng, ctx);
        rc |= mote_rsa_prepared_pkcs1_sign(&pc, MOTE_HASH_SHA256, hash, 32, s2,
                                           sizeof s2, rng_det, NULL);
        rc |= mote_rsa_pkcs1_verify(&k->pub, MOTE_HASH_SHA256, hash, 32, s1,
                                    sizeof s1);
        bad += rc != 0 || memcmp(s1, s2, sizeof s1) != 0;
    }
    mote_rsa_prepared_wipe(&pc);
    return bad;
}

static void test_fast_setup(void)
{
    load_key();
    is_int(agree(&key, 40, rng_det, NULL), 0,
           "2048-bit key: 40 one-shot PKCS#1 signatures equal the prepared "
           "key's and verify");
    uint8_t hash[32] = {7}, sig[256];
    int rc = mote_rsa_pss_sign(&key, MOTE_HASH_SHA256, 32, hash, 32, sig,
                               sizeof sig, rng_det, NULL);
    rc |= mote_rsa_pss_verify(&key.pub, MOTE_HASH_SHA256, MOTE_HASH_SHA256, 32,
                              hash, 32, sig, sizeof sig);
    is_int(rc, 0, "2048-bit key: a one-shot PSS signature verifies");
}

/* A prime written with a leading zero byte takes 17 limbs: the modulus is
 * then not 64 (pl + ql) bits and R^2 mod p takes the general set-up. */
static void leading_zero(const uint8_t **x, size_t *len, uint8_t *buf)
{
    buf[0] = 0;
    memcpy(buf + 1, *x, *len);
    *x = buf;
    ++*len;
}

static void test_general_setup(void)
{
    static uint8_t buf[200];
    load_key();
    leading_zero(&key.p, &key.p_len, buf);
    is_int(agree(&key, 8, rng_det, NULL), 0,
           "p with a leading zero byte: one-shot == prepared, verifies");
    load_key();
    leading_zero(&key.q, &key.q_len, buf);
    is_int(agree(&key, 8, rng_det, NULL), 0,
           "q with a leading zero byte: one-shot == prepared, verifies");
}

/* Blinding words from an rng of all zeros (both words 1) and all ones
 * (both 2^63 - 1): still the right signature. */
static void test_blinding_edges(void)
{
    uint8_t z = 0, f = 0xff;
    load_key();
    is_int(agree(&key, 4, rng_fill, &z), 0,
           "an all-zero rng: right signatures");
    is_int(agree(&key, 4, rng_fill, &f), 0,
           "an all-ones rng: right signatures");
}

static void test_faults(void)
{
    uint8_t hash[32] = {1}, sig[256], zero[256] = {0};
    load_key();
    kb[2][40] ^= 0x10; /* p no longer divides n */
    int rc = mote_rsa_pkcs1_sign(&key, MOTE_HASH_SHA256, hash, 32, sig,
                                 sizeof sig, rng_det, NULL);
    is_int(rc, MOTE_EINTERNAL, "a corrupted p is caught by the fault check");
    ok(!memcmp(sig, zero, sizeof sig), "and no signature is given out");
    load_key();
    is_int(mote_rsa_pkcs1_sign(&key, MOTE_HASH_SHA256, hash, 32, sig,
                               sizeof sig, rng_fail, NULL),
           MOTE_EIO, "a failing rng fails the signature");
}

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_fast_setup);
    TAP_CASE(test_general_setup);
    TAP_CASE(test_blinding_edges);
    TAP_CASE(test_faults);
    return tap_done();
}

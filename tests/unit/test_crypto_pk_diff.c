/* Public-key crypto against OpenSSL's libcrypto on random inputs: each
 * side signs, the other verifies; key agreement both ways; deterministic
 * outputs (X25519, Ed25519, PKCS#1 v1.5) compared byte for byte. */
#define OPENSSL_API_COMPAT 30000
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <mote/crypto_pk.h>
#include <mote/error.h>

#include "tap.h"

static int rng(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    return RAND_bytes(buf, (int)len) == 1 ? 0 : MOTE_EIO;
}

static void rnd(uint8_t *b, size_t n)
{
    RAND_bytes(b, (int)n);
}

static void test_x25519_diff(void)
{
    int bad = 0, n = 200;
    for (int i = 0; i < n; i++) {
        uint8_t a[32], b[32], apub[32], bpub[32], k1[32], k2[32], ko[32];
        size_t l = 32;
        rnd(a, 32);
        rnd(b, 32);
        EVP_PKEY *pa =
            EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, a, 32);
        EVP_PKEY *pb =
            EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, b, 32);
        EVP_PKEY_get_raw_public_key(pa, apub, &l);
        mote_x25519_public(bpub, b);
        uint8_t obpub[32];
        l = 32;
        EVP_PKEY_get_raw_public_key(pb, obpub, &l);
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pa, NULL);
        EVP_PKEY_derive_init(c);
        EVP_PKEY_derive_set_peer(c, pb);
        l = 32;
        EVP_PKEY_derive(c, ko, &l);
        EVP_PKEY_CTX_free(c);
        int r1 = mote_x25519(k1, b, apub), r2 = mote_x25519(k2, a, bpub);
        if (memcmp(bpub, obpub, 32) || r1 || r2 || memcmp(k1, ko, 32) ||
            memcmp(k2, ko, 32))
            bad++;
        EVP_PKEY_free(pa);
        EVP_PKEY_free(pb);
    }
    ok(bad == 0, "%d random exchanges, %d differ", n, bad);
}

static void test_ed25519_diff(void)
{
    int bad = 0, n = 300;
    uint8_t msg[300];
    for (int i = 0; i < n; i++) {
        uint8_t seed[32], pub[32], opub[32], sig[64], osig[64];
        size_t l = 32, len = (size_t)i;
        rnd(seed, 32);
        rnd(msg, len);
        EVP_PKEY *pk =
            EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
        EVP_PKEY_get_raw_public_key(pk, opub, &l);
        mote_ed25519_public(pub, seed);
        mote_ed25519_sign(sig, msg, len, seed, pub);
        EVP_MD_CTX *m = EVP_MD_CTX_new();
        EVP_DigestSignInit(m, NULL, NULL, NULL, pk);
        l = 64;
        EVP_DigestSign(m, osig, &l, msg, len);
        EVP_MD_CTX_free(m);
        m = EVP_MD_CTX_new();
        EVP_DigestVerifyInit(m, NULL, NULL, NULL, pk);
        int ov = EVP_DigestVerify(m, sig, 64, msg, len);
        EVP_MD_CTX_free(m);
        int mv = mote_ed25519_verify(osig, msg, len, pub);
        sig[i % 64] ^= 4;
        int mbad = mote_ed25519_verify(sig, msg, len, pub);
        if (memcmp(pub, opub, 32) || memcmp(sig, osig, 64) == 0 || ov != 1 ||
            mv != 0 || mbad == 0)
            bad++;
        sig[i % 64] ^= 4;
        if (memcmp(sig, osig, 64))
            bad++;
        EVP_PKEY_free(pk);
    }
    ok(bad == 0, "%d messages of 0..%d bytes, %d disagree", n, n - 1, bad);
}

/* OpenSSL EC key -> private scalar and uncompressed point. */
static void ec_export(EVP_PKEY *k, size_t nb, uint8_t *priv, uint8_t *pub)
{
    BIGNUM *d = NULL;
    size_t l;
    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &d);
    BN_bn2binpad(d, priv, (int)nb);
    BN_free(d);
    EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pub, 1 + 2 * nb,
                                    &l);
}

static void ec_diff(enum mote_ec_curve cv, const char *name,
                    enum mote_hash_alg h, int n)
{
    size_t nb = mote_ec_scalar_len(cv), hl = mote_hash_len(h);
    int bad = 0;
    for (int i = 0; i < n; i++) {
        uint8_t priv[48], pub[97], mypub[97], hash[64], sig[96], der[110],
            fixed[96], shared[48], oshared[48], priv2[48], pub2[97];
        size_t dl, l;
        EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", name);
        EVP_PKEY *k2 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", name);
        ec_export(k, nb, priv, pub);
        ec_export(k2, nb, priv2, pub2);
        rnd(hash, hl);
        if (mote_ec_public(cv, mypub, priv) || memcmp(mypub, pub, 1 + 2 * nb))
            bad++;
        /* Mote signs (deterministic, then hedged), OpenSSL verifies. */
        for (int hedged = 0; hedged < 2; hedged++) {
            uint8_t extra[32];
            rnd(extra, 32);
            mote_ecdsa_sign(cv, sig, priv, h, hash, hl, hedged ? extra : NULL,
                            hedged ? 32 : 0);
            mote_ecdsa_sig_to_der(cv, der, sizeof der, &dl, sig);
            EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
            EVP_PKEY_verify_init(c);
            if (EVP_PKEY_verify(c, der, dl, hash, hl) != 1)
                bad++;
            EVP_PKEY_CTX_free(c);
        }
        /* OpenSSL signs, Mote verifies (and rejects a changed hash). */
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
        EVP_PKEY_sign_init(c);
        l = sizeof der;
        EVP_PKEY_sign(c, der, &l, hash, hl);
        EVP_PKEY_CTX_free(c);
        if (mote_ecdsa_sig_from_der(cv, fixed, der, l) ||
            mote_ecdsa_verify(cv, pub, 1 + 2 * nb, hash, hl, fixed, 2 * nb))
            bad++;
        hash[i % hl] ^= 1;
        if (mote_ecdsa_verify(cv, pub, 1 + 2 * nb, hash, hl, fixed, 2 * nb) !=
            MOTE_EPROTO)
            bad++;
        /* ECDH both ways against OpenSSL's derive. */
        c = EVP_PKEY_CTX_new(k, NULL);
        EVP_PKEY_derive_init(c);
        EVP_PKEY_derive_set_peer(c, k2);
        l = nb;
        EVP_PKEY_derive(c, oshared, &l);
        EVP_PKEY_CTX_free(c);
        if (mote_ecdh(cv, shared, priv, pub2, 1 + 2 * nb) ||
            memcmp(shared, oshared, nb))
            bad++;
        if (mote_ecdh(cv, shared, priv2, pub, 1 + 2 * nb) ||
            memcmp(shared, oshared, nb))
            bad++;
        /* Compressed form of the peer key gives the same secret. */
        pub[0] = 2 | (pub[2 * nb] & 1);
        if (mote_ecdh(cv, shared, priv2, pub, 1 + nb) ||
            memcmp(shared, oshared, nb))
            bad++;
        EVP_PKEY_free(k);
        EVP_PKEY_free(k2);
    }
    ok(bad == 0, "%s: %d keys (sign/verify both ways, ECDH), %d disagree", name,
       n, bad);
}

static void test_ecdsa_ecdh_diff(void)
{
    ec_diff(MOTE_EC_P256, "P-256", MOTE_HASH_SHA256, 40);
    ec_diff(MOTE_EC_P384, "P-384", MOTE_HASH_SHA384, 20);
    ec_diff(MOTE_EC_P256, "P-256", MOTE_HASH_SHA512, 10);
}

struct rsa_key {
    uint8_t *buf[8];
    size_t len[8];
};

static void rsa_export(EVP_PKEY *k, struct rsa_key *rk,
                       struct mote_rsa_private *key)
{
    static const char *names[] = {
        OSSL_PKEY_PARAM_RSA_N,           OSSL_PKEY_PARAM_RSA_E,
        OSSL_PKEY_PARAM_RSA_FACTOR1,     OSSL_PKEY_PARAM_RSA_FACTOR2,
        OSSL_PKEY_PARAM_RSA_EXPONENT1,   OSSL_PKEY_PARAM_RSA_EXPONENT2,
        OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    for (int i = 0; i < 7; i++) {
        BIGNUM *b = NULL;
        EVP_PKEY_get_bn_param(k, names[i], &b);
        rk->len[i] = (size_t)BN_num_bytes(b);
        rk->buf[i] = malloc(rk->len[i] + 1);
        BN_bn2bin(b, rk->buf[i]);
        BN_free(b);
    }
    *key = (struct mote_rsa_private){
        .pub = {rk->buf[0], rk->len[0], rk->buf[1], rk->len[1]},
        .p = rk->buf[2],
        .p_len = rk->len[2],
        .q = rk->buf[3],
        .q_len = rk->len[3],
        .dp = rk->buf[4],
        .dp_len = rk->len[4],
        .dq = rk->buf[5],
        .dq_len = rk->len[5],
        .qinv = rk->buf[6],
        .qinv_len = rk->len[6],
    };
}

static const EVP_MD *md_of(enum mote_hash_alg h)
{
    return h == MOTE_HASH_SHA256   ? EVP_sha256()
           : h == MOTE_HASH_SHA384 ? EVP_sha384()
                                   : EVP_sha512();
}

static void rsa_diff(unsigned bits, int n)
{
    EVP_PKEY *k = EVP_RSA_gen(bits);
    struct rsa_key rk;
    struct mote_rsa_private key;
    int bad = 0;
    rsa_export(k, &rk, &key);
    size_t kl = mote_rsa_len(&key.pub);
    if (kl != bits / 8)
        bad++;
    for (int i = 0; i < n; i++) {
        enum mote_hash_alg h = (enum mote_hash_alg)(MOTE_HASH_SHA256 + i % 3);
        size_t hl = mote_hash_len(h), l;
        uint8_t hash[64], sig[512], osig[512];
        rnd(hash, hl);
        /* PKCS#1 v1.5 is deterministic: both must give the same bytes. */
        if (mote_rsa_pkcs1_sign(&key, h, hash, hl, sig, sizeof sig, rng, NULL))
            bad++;
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
        EVP_PKEY_sign_init(c);
        EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING);
        EVP_PKEY_CTX_set_signature_md(c, md_of(h));
        l = sizeof osig;
        EVP_PKEY_sign(c, osig, &l, hash, hl);
        EVP_PKEY_CTX_free(c);
        if (l != kl || memcmp(sig, osig, kl))
            bad++;
        if (mote_rsa_pkcs1_verify(&key.pub, h, hash, hl, osig, l))
            bad++;
        /* PSS: Mote signs, OpenSSL verifies; and the other way. */
        size_t salt = (size_t)(i % 2 ? hl : 0);
        if (mote_rsa_pss_sign(&key, h, salt, hash, hl, sig, sizeof sig, rng,
                              NULL))
            bad++;
        c = EVP_PKEY_CTX_new(k, NULL);
        EVP_PKEY_verify_init(c);
        EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING);
        EVP_PKEY_CTX_set_signature_md(c, md_of(h));
        EVP_PKEY_CTX_set_rsa_pss_saltlen(c, (int)salt);
        if (EVP_PKEY_verify(c, sig, kl, hash, hl) != 1)
            bad++;
        EVP_PKEY_CTX_free(c);
        c = EVP_PKEY_CTX_new(k, NULL);
        EVP_PKEY_sign_init(c);
        EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING);
        EVP_PKEY_CTX_set_signature_md(c, md_of(h));
        EVP_PKEY_CTX_set_rsa_pss_saltlen(c, (int)salt);
        l = sizeof osig;
        EVP_PKEY_sign(c, osig, &l, hash, hl);
        EVP_PKEY_CTX_free(c);
        if (mote_rsa_pss_verify(&key.pub, h, h, salt, hash, hl, osig, l))
            bad++;
        osig[i % l] ^= 0x10;
        if (mote_rsa_pss_verify(&key.pub, h, h, salt, hash, hl, osig, l) == 0)
            bad++;
    }
    ok(bad == 0, "RSA-%u: %d rounds of PKCS#1 and PSS both ways, %d disagree",
       bits, n, bad);
    /* A prepared key: byte-equal to OpenSSL's PKCS#1 over more signatures
     * than one blinding pair serves (32), so across redraws; PSS verified by
     * OpenSSL; the key's buffers changed after preparation do not matter
     * (the context is a copy). */
    static struct mote_rsa_prepared pc;
    int pbad = 0, np = 70;
    ok(mote_rsa_private_prepare(&pc, &key) == 0 &&
           mote_rsa_prepared_len(&pc) == kl,
       "RSA-%u: prepared", bits);
    uint8_t save = rk.buf[2][0];
    rk.buf[2][0] ^= 0x40; /* p's bytes */
    for (int i = 0; i < np; i++) {
        enum mote_hash_alg h = (enum mote_hash_alg)(MOTE_HASH_SHA256 + i % 3);
        size_t hl = mote_hash_len(h), l;
        uint8_t hash[64], sig[512], osig[512];
        rnd(hash, hl);
        /* RSA-2048 signs with AVX-512 IFMA where the CPU has it: every
         * third signature forces the portable path. */
        mote_crypto_disable_simd(i % 3 == 2 ? MOTE_CRYPTO_IMPL_NO_AVX512
                                            : MOTE_CRYPTO_IMPL_BEST);
        if (mote_rsa_prepared_pkcs1_sign(&pc, h, hash, hl, sig, sizeof sig, rng,
                                         NULL))
            pbad++;
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
        EVP_PKEY_sign_init(c);
        EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING);
        EVP_PKEY_CTX_set_signature_md(c, md_of(h));
        l = sizeof osig;
        EVP_PKEY_sign(c, osig, &l, hash, hl);
        EVP_PKEY_CTX_free(c);
        if (l != kl || memcmp(sig, osig, kl))
            pbad++;
        if (i % 8)
            continue;
        if (mote_rsa_prepared_pss_sign(&pc, h, hl, hash, hl, sig, sizeof sig,
                                       rng, NULL))
            pbad++;
        c = EVP_PKEY_CTX_new(k, NULL);
        EVP_PKEY_verify_init(c);
        EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING);
        EVP_PKEY_CTX_set_signature_md(c, md_of(h));
        EVP_PKEY_CTX_set_rsa_pss_saltlen(c, (int)hl);
        if (EVP_PKEY_verify(c, sig, kl, hash, hl) != 1)
            pbad++;
        EVP_PKEY_CTX_free(c);
    }
    mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_BEST);
    rk.buf[2][0] = save;
    ok(pbad == 0, "RSA-%u: %d prepared-key signatures, %d disagree", bits, np,
       pbad);
    mote_rsa_prepared_wipe(&pc);
    {
        uint8_t sig[512], hash[32] = {2};
        is_int(mote_rsa_prepared_pkcs1_sign(&pc, MOTE_HASH_SHA256, hash, 32,
                                            sig, sizeof sig, rng, NULL),
               MOTE_EINVAL, "RSA-%u: a wiped context does not sign", bits);
    }
    /* A fault is caught: a wrong dp makes the CRT half wrong. */
    uint8_t sig[512], hash[32] = {1};
    rk.buf[4][rk.len[4] / 2] ^= 1;
    is_int(mote_rsa_pkcs1_sign(&key, MOTE_HASH_SHA256, hash, 32, sig,
                               sizeof sig, rng, NULL),
           MOTE_EINTERNAL, "RSA-%u: a corrupted dp is caught by the check",
           bits);
    for (int i = 0; i < 7; i++)
        free(rk.buf[i]);
    EVP_PKEY_free(k);
}

/* mote_rsa_generate: OpenSSL's key check (EVP_PKEY_check: p and q prime,
 * n = p q, d e = 1 mod lcm(p - 1, q - 1), the CRT values) accepts the key
 * (d computed here from p, q, e), signatures go both ways, and the FIPS
 * 186-5 shape holds. A corrupted key must fail the same check. */
static int rsa_keygen_check(unsigned bits, int corrupt)
{
    static uint8_t buf[MOTE_RSA_KEYGEN_LEN(MOTE_RSA_MAX_BITS)];
    static uint8_t dbuf[MOTE_RSA_MAX_LEN];
    struct mote_rsa_private key;
    int good = 1;
    if (mote_rsa_generate_d(&key, buf, sizeof buf, bits, dbuf, rng, NULL) != 0)
        return 0;
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *n = BN_bin2bn(key.pub.n, (int)key.pub.n_len, NULL),
           *e = BN_bin2bn(key.pub.e, (int)key.pub.e_len, NULL),
           *p = BN_bin2bn(key.p, (int)key.p_len, NULL),
           *q = BN_bin2bn(key.q, (int)key.q_len, NULL),
           *dp = BN_bin2bn(key.dp, (int)key.dp_len, NULL),
           *dq = BN_bin2bn(key.dq, (int)key.dq_len, NULL),
           *qi = BN_bin2bn(key.qinv, (int)key.qinv_len, NULL), *d = BN_new(),
           *p1 = BN_new(), *q1 = BN_new(), *g = BN_new(), *l = BN_new(),
           *t = BN_new();
    if (corrupt)
        BN_add_word(dq, 2);
    /* shape: n has exactly bits bits, p and q = 3 mod 4 with the top two
     * bits set, |p - q| >= 2^(bits/2 - 100) */
    good &= BN_num_bits(n) == (int)bits;
    good &= BN_num_bits(p) == (int)bits / 2 && BN_is_bit_set(p, bits / 2 - 2);
    good &= BN_num_bits(q) == (int)bits / 2 && BN_is_bit_set(q, bits / 2 - 2);
    good &= BN_mod_word(p, 4) == 3 && BN_mod_word(q, 4) == 3;
    BN_sub(t, p, q);
    good &= BN_num_bits(t) > (int)bits / 2 - 100;
    /* d = e^-1 mod lcm(p - 1, q - 1) */
    BN_sub(p1, p, BN_value_one());
    BN_sub(q1, q, BN_value_one());
    BN_gcd(g, p1, q1, ctx);
    BN_mul(l, p1, q1, ctx);
    BN_div(l, NULL, l, g, ctx);
    good &= BN_mod_inverse(d, e, l, ctx) != NULL;
    /* Mote's d (mod (p-1)(q-1), so maybe not OpenSSL's mod lcm): below n,
     * e d = 1 mod lcm, and it is the d given to OpenSSL's key check. */
    BIGNUM *md = BN_bin2bn(dbuf, (int)bits / 8, NULL);
    BN_mod_mul(t, md, e, l, ctx);
    good &= BN_is_one(t) && BN_cmp(md, n) < 0 && !BN_is_zero(md);
    BN_mod(t, md, l, ctx);
    good &= BN_cmp(t, d) == 0;
    BN_copy(d, md);
    BN_free(md);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qi);
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *fc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *pk = NULL;
    good &= EVP_PKEY_fromdata_init(fc) == 1 &&
            EVP_PKEY_fromdata(fc, &pk, EVP_PKEY_KEYPAIR, params) == 1;
    EVP_PKEY_CTX *cc = EVP_PKEY_CTX_new(pk, NULL);
    good &= EVP_PKEY_check(cc) == 1;
    /* Mote signs, OpenSSL verifies */
    uint8_t hash[32], sig[512];
    size_t sl = key.pub.n_len;
    rnd(hash, 32);
    good &= mote_rsa_pkcs1_sign(&key, MOTE_HASH_SHA256, hash, 32, sig,
                                sizeof sig, rng, NULL) == 0;
    EVP_PKEY_CTX *vc = EVP_PKEY_CTX_new(pk, NULL);
    good &= EVP_PKEY_verify_init(vc) == 1 &&
            EVP_PKEY_CTX_set_rsa_padding(vc, RSA_PKCS1_PADDING) == 1 &&
            EVP_PKEY_CTX_set_signature_md(vc, EVP_sha256()) == 1 &&
            EVP_PKEY_verify(vc, sig, sl, hash, 32) == 1;
    /* OpenSSL signs with it, Mote verifies */
    EVP_PKEY_CTX *sc = EVP_PKEY_CTX_new(pk, NULL);
    sl = sizeof sig;
    good &= EVP_PKEY_sign_init(sc) == 1 &&
            EVP_PKEY_CTX_set_rsa_padding(sc, RSA_PKCS1_PADDING) == 1 &&
            EVP_PKEY_CTX_set_signature_md(sc, EVP_sha256()) == 1 &&
            EVP_PKEY_sign(sc, sig, &sl, hash, 32) == 1;
    good &= mote_rsa_pkcs1_verify(&key.pub, MOTE_HASH_SHA256, hash, 32, sig,
                                  sl) == 0;
    EVP_PKEY_CTX_free(sc);
    EVP_PKEY_CTX_free(vc);
    EVP_PKEY_CTX_free(cc);
    EVP_PKEY_CTX_free(fc);
    EVP_PKEY_free(pk);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n), BN_free(e), BN_free(p), BN_free(q), BN_free(dp), BN_free(dq);
    BN_free(qi), BN_free(d), BN_free(p1), BN_free(q1), BN_free(g), BN_free(l);
    BN_free(t);
    BN_CTX_free(ctx);
    return good;
}

static void test_rsa_keygen(void)
{
    static uint8_t buf[MOTE_RSA_KEYGEN_LEN(2048)];
    struct mote_rsa_private key;
    ok(rsa_keygen_check(2048, 0), "RSA-2048 keygen: OpenSSL accepts the key");
    ok(rsa_keygen_check(2048, 0), "RSA-2048 keygen: a second key");
    ok(rsa_keygen_check(3072, 0), "RSA-3072 keygen: OpenSSL accepts the key");
    ok(!rsa_keygen_check(2048, 1),
       "RSA-2048 keygen: a corrupted dq fails OpenSSL's check");
    is_int(mote_rsa_generate(&key, buf, sizeof buf, 2000, rng, NULL),
           MOTE_EINVAL, "RSA keygen: 2000 bits refused");
    is_int(mote_rsa_generate(&key, buf, sizeof buf, 8192, rng, NULL),
           MOTE_EINVAL, "RSA keygen: 8192 bits refused");
    is_int(mote_rsa_generate(&key, buf, sizeof buf - 1, 2048, rng, NULL),
           MOTE_ENOSPC, "RSA keygen: a short buffer refused");
}

/* The fixed-base tables written at build time by tools/gen_ec_tables.c:
 * every entry is j 64^i G (P-256, j = 1..32) or j 16^i G (P-384, j =
 * 1..15), affine, Montgomery form (x 2^(64 limbs) mod p), recomputed with
 * OpenSSL's EC_POINT_mul. (Ed25519's table is exercised by every
 * signature of the tests.) */
extern const uint64_t p256__base_table[43][32][8];
extern const uint64_t p384__base_table[96][15][12];

static int table_check(int nid, int rows, int per_row, int shift, int limbs,
                       const uint64_t *tab)
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(nid);
    EC_POINT *pt = EC_POINT_new(g);
    BIGNUM *k = BN_new(), *x = BN_new(), *y = BN_new(), *p = BN_new(),
           *w = BN_new();
    BN_CTX *ctx = BN_CTX_new();
    EC_GROUP_get_curve(g, p, NULL, NULL, ctx);
    int bad = 0, nb = 8 * limbs;
    for (int i = 0; i < rows; i++) {
        for (int j = 1; j <= per_row; j++) {
            const uint64_t *e = tab + ((size_t)i * per_row + j - 1) * 2 * limbs;
            BN_set_word(k, (BN_ULONG)j);
            BN_lshift(k, k, shift * i);
            EC_POINT_mul(g, pt, k, NULL, NULL, ctx);
            EC_POINT_get_affine_coordinates(g, pt, x, y, ctx);
            for (int c = 0; c < 2; c++) {
                uint8_t want[48], got[48];
                BN_lshift(w, c ? y : x, 64 * limbs);
                BN_mod(w, w, p, ctx);
                BN_bn2binpad(w, want, nb);
                for (int l = 0; l < limbs; l++)
                    for (int b = 0; b < 8; b++)
                        got[nb - 1 - 8 * l - b] =
                            (uint8_t)(e[limbs * c + l] >> (8 * b));
                bad += memcmp(want, got, (size_t)nb) != 0;
            }
        }
    }
    BN_free(k), BN_free(x), BN_free(y), BN_free(p), BN_free(w);
    BN_CTX_free(ctx);
    EC_POINT_free(pt);
    EC_GROUP_free(g);
    return bad;
}

static void test_ec_tables(void)
{
    int bad = table_check(NID_X9_62_prime256v1, 43, 32, 6, 4,
                          &p256__base_table[0][0][0]);
    ok(bad == 0, "P-256 base table: 1376 entries equal j 64^i G (%d wrong)",
       bad);
    bad = table_check(NID_secp384r1, 96, 15, 4, 6, &p384__base_table[0][0][0]);
    ok(bad == 0, "P-384 base table: 1440 entries equal j 16^i G (%d wrong)",
       bad);
}

static void test_rsa_diff(void)
{
    rsa_diff(2048, 12);
    rsa_diff(3072, 3);
}

static int failing_rng(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx, (void)buf, (void)len;
    return MOTE_EIO;
}

/* The documented refusals: sizes, capacities, unknown names, bad points,
 * a failing randomness hook. */
static void test_refusals(void)
{
    uint8_t priv[32] = {1}, pub[65], sig[512], der[8], hash[64] = {0};
    size_t dl;
    is_int(mote_ec_public(MOTE_EC_NONE, pub, priv), MOTE_EINVAL,
           "unknown curve");
    is_int(mote_ec_public(MOTE_EC_P256, pub, priv), 0, "a P-256 key");
    is_int(mote_ecdsa_sign(MOTE_EC_P256, sig, priv, MOTE_HASH_NONE, hash, 32,
                           NULL, 0),
           MOTE_EINVAL, "ECDSA sign with no hash named");
    mote_ecdsa_sign(MOTE_EC_P256, sig, priv, MOTE_HASH_SHA256, hash, 32, NULL,
                    0);
    is_int(mote_ecdsa_verify(MOTE_EC_P256, pub, 65, hash, 32, sig, 63),
           MOTE_EINVAL, "ECDSA signature of the wrong length");
    is_int(mote_ecdsa_sig_to_der(MOTE_EC_P256, der, sizeof der, &dl, sig),
           MOTE_ENOSPC, "DER into a small buffer");
    pub[64] ^= 1; /* off the curve */
    is_int(mote_ec_check_public(MOTE_EC_P256, pub, 65), MOTE_EINVAL,
           "a point off the curve");
    is_int(mote_ecdh(MOTE_EC_P256, sig, priv, pub, 65), MOTE_EINVAL,
           "ECDH refuses a point off the curve");
    is_int(mote_ecdh(MOTE_EC_P256, sig, priv, pub, 64), MOTE_EINVAL,
           "ECDH refuses a truncated point");

    /* RSA: a 1024-bit key is refused; capacity and rng errors. */
    EVP_PKEY *k = EVP_RSA_gen(1024);
    struct rsa_key rk;
    struct mote_rsa_private key;
    rsa_export(k, &rk, &key);
    is_int(mote_rsa_len(&key.pub), 0, "RSA-1024 is below the minimum");
    is_int(mote_rsa_pkcs1_sign(&key, MOTE_HASH_SHA256, hash, 32, sig,
                               sizeof sig, rng, NULL),
           MOTE_EINVAL, "RSA-1024 signing refused");
    for (int i = 0; i < 7; i++)
        free(rk.buf[i]);
    EVP_PKEY_free(k);
    k = EVP_RSA_gen(2048);
    rsa_export(k, &rk, &key);
    is_int(mote_rsa_pkcs1_sign(&key, MOTE_HASH_SHA256, hash, 32, sig, 255, rng,
                               NULL),
           MOTE_ENOSPC, "signature buffer one byte short");
    is_int(mote_rsa_pkcs1_sign(&key, MOTE_HASH_SHA256, hash, 31, sig,
                               sizeof sig, rng, NULL),
           MOTE_EINVAL, "digest of the wrong length");
    is_int(mote_rsa_pss_sign(&key, MOTE_HASH_SHA256, 32, hash, 32, sig,
                             sizeof sig, failing_rng, NULL),
           MOTE_EIO, "a failing randomness hook");
    is_int(mote_rsa_pss_sign(&key, MOTE_HASH_SHA512, 191, hash, 64, sig,
                             sizeof sig, rng, NULL),
           MOTE_EINVAL, "PSS salt too long for the modulus");
    is_int(
        mote_rsa_pkcs1_verify(&key.pub, MOTE_HASH_SHA256, hash, 32, sig, 100),
        MOTE_EINVAL, "RSA signature of the wrong length");
    /* A salt length near SIZE_MAX must not wrap the size checks. */
    mote_rsa_pss_sign(&key, MOTE_HASH_SHA256, 32, hash, 32, sig, sizeof sig,
                      rng, NULL);
    is_int(mote_rsa_pss_verify(&key.pub, MOTE_HASH_SHA256, MOTE_HASH_SHA256,
                               (size_t)-10, hash, 32, sig, 256),
           MOTE_EPROTO, "PSS verify with a huge salt length");
    is_int(mote_rsa_pss_sign(&key, MOTE_HASH_SHA256, (size_t)-10, hash, 32, sig,
                             sizeof sig, rng, NULL),
           MOTE_EINVAL, "PSS sign with a huge salt length");
    for (int i = 0; i < 7; i++)
        free(rk.buf[i]);
    EVP_PKEY_free(k);
}

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_x25519_diff);
    TAP_CASE(test_ed25519_diff);
    TAP_CASE(test_ecdsa_ecdh_diff);
    TAP_CASE(test_ec_tables);
    TAP_CASE(test_rsa_diff);
    TAP_CASE(test_rsa_keygen);
    TAP_CASE(test_refusals);
    return tap_done();
}

/* Public-key crypto against every Wycheproof case (X25519, Ed25519, ECDSA,
 * ECDH, RSA PKCS#1/PSS, ML-KEM-768) plus RFC examples. Vectors are the
 * JSON files flattened by test_crypto_pk_vectors.py into
 * $MOTE_BUILD/vectors-pk/<name>.txt. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/crypto_pk.h>
#include <mote/error.h>

#include "tap.h"

/* ---- Loader ------------------------------------------------------------- */

#define MAXF 48

struct tcase {
    char *line; /* owned */
    int nf;
    char *key[MAXF], *val[MAXF];
    int id;
    const char *result;
};

static FILE *open_vectors(const char *name)
{
    char path[512];
    const char *b = getenv("MOTE_BUILD");
    snprintf(path, sizeof path, "%s/vectors-pk/%s.txt", b ? b : "_build", name);
    FILE *f = fopen(path, "r");
    if (!f)
        ok(0, "open %s (run make test, or make %s)", path, path);
    return f;
}

/* Next case from f, or 0 at the end. */
static int next_case(FILE *f, struct tcase *t)
{
    static char *buf;
    static size_t cap;
    ssize_t n = getline(&buf, &cap, f);
    if (n <= 0)
        return 0;
    if (buf[n - 1] == '\n')
        buf[n - 1] = 0;
    t->line = buf;
    t->nf = 0;
    t->id = -1;
    t->result = "";
    for (char *s = strtok(buf, " "); s && t->nf < MAXF; s = strtok(NULL, " ")) {
        char *eq = strchr(s, '=');
        if (!eq)
            continue;
        *eq = 0;
        t->key[t->nf] = s;
        t->val[t->nf] = eq + 1;
        if (!strcmp(s, "tcId"))
            t->id = atoi(eq + 1);
        if (!strcmp(s, "result"))
            t->result = eq + 1;
        t->nf++;
    }
    return 1;
}

static const char *field(const struct tcase *t, const char *k)
{
    for (int i = 0; i < t->nf; i++)
        if (!strcmp(t->key[i], k))
            return t->val[i];
    return NULL;
}

/* Decode hex field k into a malloc'd buffer (length in *len); "" -> empty.
 * Missing field -> NULL. */
static uint8_t *hexfield(const struct tcase *t, const char *k, size_t *len)
{
    const char *h = field(t, k);
    if (!h) {
        *len = 0;
        return NULL;
    }
    size_t n = strlen(h) / 2;
    uint8_t *b = malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        b[i] = (uint8_t)v;
    }
    *len = n;
    return b;
}

static void hex2bin(uint8_t *out, const char *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

/* Per-file tally: every valid case must pass, every invalid fail;
 * "acceptable" cases may go either way but must not crash. */
struct tally {
    const char *file;
    int ran, bad;
};

static void judge(struct tally *ty, const struct tcase *t, int accepted)
{
    ty->ran++;
    int want_ok = !strcmp(t->result, "valid");
    int want_bad = !strcmp(t->result, "invalid");
    if ((want_ok && !accepted) || (want_bad && accepted)) {
        ty->bad++;
        if (ty->bad <= 10)
            printf("# %s tcId %d: expected %s, got %s\n", ty->file, t->id,
                   t->result, accepted ? "accept" : "reject");
    }
}

static void report(struct tally *ty)
{
    ok(ty->ran > 0 && ty->bad == 0, "%s: %d cases ran, %d wrong", ty->file,
       ty->ran, ty->bad);
}

/* ---- X25519 ------------------------------------------------------------- */

static void test_x25519_rfc7748(void)
{
    /* RFC 7748 section 6.1. */
    uint8_t a[32], b[32], apub[32], bpub[32], k1[32], k2[32], want[32];
    hex2bin(a,
            "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
            32);
    hex2bin(b,
            "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
            32);
    mote_x25519_public(apub, a);
    mote_x25519_public(bpub, b);
    hex2bin(want,
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
            32);
    ok(!memcmp(apub, want, 32), "alice public");
    hex2bin(want,
            "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
            32);
    ok(!memcmp(bpub, want, 32), "bob public");
    is_int(mote_x25519(k1, a, bpub), 0, "alice shared");
    is_int(mote_x25519(k2, b, apub), 0, "bob shared");
    hex2bin(want,
            "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
            32);
    ok(!memcmp(k1, want, 32) && !memcmp(k2, want, 32), "shared secret");

    /* Section 5.2: 1000 iterations. */
    uint8_t k[32] = {9}, u[32] = {9}, r[32];
    for (int i = 0; i < 1000; i++) {
        mote_x25519(r, k, u);
        memcpy(u, k, 32);
        memcpy(k, r, 32);
    }
    hex2bin(want,
            "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51",
            32);
    ok(!memcmp(k, want, 32), "1000 iterations");
}

static void test_x25519_wycheproof(void)
{
    struct tally ty = {"x25519", 0, 0};
    struct tcase t;
    FILE *f = open_vectors("x25519");
    if (!f)
        return;
    while (next_case(f, &t)) {
        size_t pl, kl, sl;
        uint8_t *pub = hexfield(&t, "public", &pl);
        uint8_t *priv = hexfield(&t, "private", &kl);
        uint8_t *sh = hexfield(&t, "shared", &sl);
        uint8_t out[32];
        int acc = 0;
        if (pl == 32 && kl == 32) {
            int rc = mote_x25519(out, priv, pub);
            acc = rc == 0 && sl == 32 && !memcmp(out, sh, 32);
            /* The all-zero secret must be refused, never returned. */
            if (rc != 0 && sl == 32) {
                static const uint8_t z[32];
                if (memcmp(sh, z, 32)) {
                    ty.bad++;
                    printf("# x25519 tcId %d: refused a nonzero secret\n",
                           t.id);
                }
            }
        }
        judge(&ty, &t, acc);
        free(pub), free(priv), free(sh);
    }
    fclose(f);
    report(&ty);
}

/* ---- Ed25519 ------------------------------------------------------------ */

static void test_ed25519_rfc8032(void)
{
    /* RFC 8032 section 7.1, TEST 1 and TEST 3. */
    uint8_t seed[32], pub[32], want[64], sig[64], msg[2] = {0xaf, 0x82};
    hex2bin(seed,
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            32);
    mote_ed25519_public(pub, seed);
    hex2bin(want,
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            32);
    ok(!memcmp(pub, want, 32), "test 1 public key");
    mote_ed25519_sign(sig, NULL, 0, seed, pub);
    hex2bin(want,
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            64);
    ok(!memcmp(sig, want, 64), "test 1 signature");
    is_int(mote_ed25519_verify(sig, NULL, 0, pub), 0, "test 1 verifies");
    hex2bin(seed,
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            32);
    mote_ed25519_sign(sig, msg, 2, seed, NULL);
    hex2bin(want,
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
            "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
            64);
    ok(!memcmp(sig, want, 64), "test 3 signature");
    mote_ed25519_public(pub, seed);
    is_int(mote_ed25519_verify(sig, msg, 2, pub), 0, "test 3 verifies");
    msg[1] ^= 1;
    is_int(mote_ed25519_verify(sig, msg, 2, pub), MOTE_EPROTO,
           "test 3 with a flipped message bit fails");
}

static void test_ed25519_wycheproof(void)
{
    struct tally ty = {"ed25519", 0, 0};
    struct tcase t;
    FILE *f = open_vectors("ed25519");
    if (!f)
        return;
    while (next_case(f, &t)) {
        size_t pl, ml, sl;
        uint8_t *pub = hexfield(&t, "g.publicKey.pk", &pl);
        uint8_t *msg = hexfield(&t, "msg", &ml);
        uint8_t *sig = hexfield(&t, "sig", &sl);
        int acc =
            pl == 32 && sl == 64 && mote_ed25519_verify(sig, msg, ml, pub) == 0;
        judge(&ty, &t, acc);
        free(pub), free(msg), free(sig);
    }
    fclose(f);
    report(&ty);
}

/* ---- ECDSA and ECDH ----------------------------------------------------- */

static enum mote_ec_curve curve_of(const char *name)
{
    if (name && !strcmp(name, "secp256r1"))
        return MOTE_EC_P256;
    if (name && !strcmp(name, "secp384r1"))
        return MOTE_EC_P384;
    return MOTE_EC_NONE;
}

static enum mote_hash_alg hash_of(const char *name)
{
    if (name && !strcmp(name, "SHA-256"))
        return MOTE_HASH_SHA256;
    if (name && !strcmp(name, "SHA-384"))
        return MOTE_HASH_SHA384;
    if (name && !strcmp(name, "SHA-512"))
        return MOTE_HASH_SHA512;
    return MOTE_HASH_NONE;
}

static void test_ecdsa_rfc6979(void)
{
    /* RFC 6979 A.2.5 (P-256, SHA-256, "sample") and A.2.6 (P-384,
     * SHA-384, "sample"). */
    uint8_t d[48], pub[97], sig[96], want[96], hash[64], der[110], back[96];
    size_t derlen;
    hex2bin(d,
            "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
            32);
    mote_hash(MOTE_HASH_SHA256, (const uint8_t *)"sample", 6, hash);
    is_int(mote_ecdsa_sign(MOTE_EC_P256, sig, d, MOTE_HASH_SHA256, hash, 32,
                           NULL, 0),
           0, "P-256 sign");
    hex2bin(want,
            "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
            "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
            64);
    ok(!memcmp(sig, want, 64), "P-256 deterministic signature");
    is_int(mote_ec_public(MOTE_EC_P256, pub, d), 0, "P-256 public key");
    hex2bin(want,
            "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
            "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
            65);
    ok(!memcmp(pub, want, 65), "P-256 public key value");
    is_int(mote_ecdsa_verify(MOTE_EC_P256, pub, 65, hash, 32, sig, 64), 0,
           "P-256 verify");
    is_int(mote_ecdsa_sig_to_der(MOTE_EC_P256, der, sizeof der, &derlen, sig),
           0, "to DER");
    is_int(mote_ecdsa_sig_from_der(MOTE_EC_P256, back, der, derlen), 0,
           "from DER");
    ok(!memcmp(back, sig, 64), "DER round trip");
    hash[0] ^= 1;
    is_int(mote_ecdsa_verify(MOTE_EC_P256, pub, 65, hash, 32, sig, 64),
           MOTE_EPROTO, "P-256 verify of another hash fails");
    /* Hedged: extra randomness changes the signature, which still
     * verifies. */
    uint8_t extra[32] = {1, 2, 3};
    mote_ecdsa_sign(MOTE_EC_P256, back, d, MOTE_HASH_SHA256, hash, 32, extra,
                    sizeof extra);
    ok(memcmp(back, sig, 64) != 0, "hedged signature differs");
    is_int(mote_ecdsa_verify(MOTE_EC_P256, pub, 65, hash, 32, back, 64), 0,
           "hedged signature verifies");

    hex2bin(d,
            "6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d8"
            "96d5724e4c70a825f872c9ea60d2edf5",
            48);
    mote_hash(MOTE_HASH_SHA384, (const uint8_t *)"sample", 6, hash);
    is_int(mote_ecdsa_sign(MOTE_EC_P384, sig, d, MOTE_HASH_SHA384, hash, 48,
                           NULL, 0),
           0, "P-384 sign");
    hex2bin(want,
            "94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c"
            "81a648152e44acf96e36dd1e80fabe46"
            "99ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94f"
            "a329c145786e679e7b82c71a38628ac8",
            96);
    ok(!memcmp(sig, want, 96), "P-384 deterministic signature");
    mote_ec_public(MOTE_EC_P384, pub, d);
    is_int(mote_ecdsa_verify(MOTE_EC_P384, pub, 97, hash, 48, sig, 96), 0,
           "P-384 verify");
    /* X9.62 hybrid encodings (0x06/0x07) are refused (a fuzz find:
     * OpenSSL takes them). */
    mote_ec_public(MOTE_EC_P256, pub, d);
    pub[0] = 6 | (pub[64] & 1);
    is_int(mote_ec_check_public(MOTE_EC_P256, pub, 65), MOTE_EINVAL,
           "hybrid point encoding refused");
    /* Refusals: zero and n as private keys. */
    memset(d, 0, 48);
    is_int(mote_ec_public(MOTE_EC_P256, pub, d), MOTE_EINVAL, "zero key");
    hex2bin(d,
            "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
            32);
    is_int(mote_ec_public(MOTE_EC_P256, pub, d), MOTE_EINVAL, "key = n");
}

static void ecdsa_file(const char *name, int p1363)
{
    struct tally ty = {name, 0, 0};
    struct tcase t;
    FILE *f = open_vectors(name);
    if (!f)
        return;
    while (next_case(f, &t)) {
        size_t pl, ml, sl;
        enum mote_ec_curve cv = curve_of(field(&t, "g.publicKey.curve"));
        enum mote_hash_alg hh = hash_of(field(&t, "g.sha"));
        uint8_t *pub = hexfield(&t, "g.publicKey.uncompressed", &pl);
        uint8_t *msg = hexfield(&t, "msg", &ml);
        uint8_t *sig = hexfield(&t, "sig", &sl);
        uint8_t hash[64], fixed[96];
        int acc = 0;
        if (cv && hh) {
            mote_hash(hh, msg, ml, hash);
            if (p1363)
                acc = mote_ecdsa_verify(cv, pub, pl, hash, mote_hash_len(hh),
                                        sig, sl) == 0;
            else
                acc = mote_ecdsa_sig_from_der(cv, fixed, sig, sl) == 0 &&
                      mote_ecdsa_verify(cv, pub, pl, hash, mote_hash_len(hh),
                                        fixed, 2 * mote_ec_scalar_len(cv)) == 0;
        } else {
            ty.bad++;
        }
        judge(&ty, &t, acc);
        free(pub), free(msg), free(sig);
    }
    fclose(f);
    report(&ty);
}

static void test_ecdsa_wycheproof(void)
{
    ecdsa_file("ecdsa_secp256r1_sha256", 0);
    ecdsa_file("ecdsa_secp256r1_sha256_p1363", 1);
    ecdsa_file("ecdsa_secp384r1_sha384", 0);
    ecdsa_file("ecdsa_secp384r1_sha384_p1363", 1);
}

/* A minimal strict reader for an EC SubjectPublicKeyInfo with a named
 * curve (RFC 5480): SEQUENCE { SEQUENCE { OID ecPublicKey, OID curve },
 * BIT STRING }. Anything else (explicit parameters, BER, trailing bytes)
 * is refused. Returns the point and its length, or NULL. */
static const uint8_t *spki_point(const uint8_t *d, size_t n,
                                 enum mote_ec_curve cv, size_t *plen)
{
    static const uint8_t alg256[] = {0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                     0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
                                     0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
    static const uint8_t alg384[] = {0x30, 0x10, 0x06, 0x07, 0x2a, 0x86,
                                     0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
                                     0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
    const uint8_t *alg = cv == MOTE_EC_P256 ? alg256 : alg384;
    size_t al = cv == MOTE_EC_P256 ? sizeof alg256 : sizeof alg384;
    if (n < 2 || d[0] != 0x30 || d[1] >= 0x80 || (size_t)d[1] + 2 != n)
        return NULL;
    d += 2, n -= 2;
    if (n < al || memcmp(d, alg, al))
        return NULL;
    d += al, n -= al;
    if (n < 3 || d[0] != 0x03 || d[1] >= 0x80 || (size_t)d[1] + 2 != n ||
        d[2] != 0)
        return NULL;
    *plen = n - 3;
    return d + 3;
}

static void ecdh_file(const char *name, int asn)
{
    struct tally ty = {name, 0, 0};
    struct tcase t;
    FILE *f = open_vectors(name);
    if (!f)
        return;
    while (next_case(f, &t)) {
        size_t pl, kl, sl, ptl = 0;
        enum mote_ec_curve cv = curve_of(field(&t, "g.curve"));
        uint8_t *pub = hexfield(&t, "public", &pl);
        uint8_t *priv = hexfield(&t, "private", &kl);
        uint8_t *sh = hexfield(&t, "shared", &sl);
        uint8_t out[48], key[48];
        size_t nb = mote_ec_scalar_len(cv);
        const uint8_t *pt = pub;
        int acc = 0;
        ptl = pl;
        if (asn)
            pt = spki_point(pub, pl, cv, &ptl);
        /* Private keys come as minimal signed integers: strip or pad. */
        uint8_t *kp = priv;
        while (kl > nb && *kp == 0)
            kp++, kl--;
        if (pt && nb && kl <= nb) {
            memset(key, 0, nb);
            memcpy(key + nb - kl, kp, kl);
            acc = mote_ecdh(cv, out, key, pt, ptl) == 0 && sl == nb &&
                  !memcmp(out, sh, nb);
        }
        judge(&ty, &t, acc);
        free(pub), free(priv), free(sh);
    }
    fclose(f);
    report(&ty);
}

static void test_ecdh_wycheproof(void)
{
    ecdh_file("ecdh_secp256r1", 1);
    ecdh_file("ecdh_secp256r1_ecpoint", 0);
    ecdh_file("ecdh_secp384r1_ecpoint", 0);
}

/* ---- RSA ---------------------------------------------------------------- */

static void rsa_file(const char *name, int pss)
{
    struct tally ty = {name, 0, 0};
    struct tcase t;
    FILE *f = open_vectors(name);
    if (!f)
        return;
    while (next_case(f, &t)) {
        size_t nl, el, ml, sl;
        enum mote_hash_alg hh = hash_of(field(&t, "g.sha"));
        uint8_t *n = hexfield(&t, "g.publicKey.modulus", &nl);
        uint8_t *e = hexfield(&t, "g.publicKey.publicExponent", &el);
        uint8_t *msg = hexfield(&t, "msg", &ml);
        uint8_t *sig = hexfield(&t, "sig", &sl);
        struct mote_rsa_public pub = {n, nl, e, el};
        uint8_t hash[64];
        int acc = 0;
        if (!hh || !n) {
            ty.bad++;
        } else {
            mote_hash(hh, msg, ml, hash);
            if (pss) {
                const char *mgf = field(&t, "g.mgf");
                enum mote_hash_alg mh = hash_of(field(&t, "g.mgfSha"));
                const char *sl_s = field(&t, "g.sLen");
                acc =
                    mgf && !strcmp(mgf, "MGF1") && mh && sl_s &&
                    mote_rsa_pss_verify(&pub, hh, mh, (size_t)atoi(sl_s), hash,
                                        mote_hash_len(hh), sig, sl) == 0;
            } else {
                acc = mote_rsa_pkcs1_verify(&pub, hh, hash, mote_hash_len(hh),
                                            sig, sl) == 0;
            }
        }
        judge(&ty, &t, acc);
        free(n), free(e), free(msg), free(sig);
    }
    fclose(f);
    report(&ty);
}

static void test_rsa_wycheproof(void)
{
    rsa_file("rsa_signature_2048_sha256", 0);
    rsa_file("rsa_signature_2048_sha384", 0);
    rsa_file("rsa_signature_2048_sha512", 0);
    rsa_file("rsa_signature_3072_sha256", 0);
    rsa_file("rsa_signature_4096_sha256", 0);
    rsa_file("rsa_pss_2048_sha256_mgf1_32", 1);
    rsa_file("rsa_pss_2048_sha384_mgf1_48", 1);
    rsa_file("rsa_pss_3072_sha256_mgf1_32", 1);
    rsa_file("rsa_pss_4096_sha256_mgf1_32", 1);
    rsa_file("rsa_pss_4096_sha512_mgf1_64", 1);
}

/* ---- ML-KEM-768 -----------------------------------------------------------
 */

static void test_mlkem_wycheproof(void)
{
    static uint8_t pub[MOTE_MLKEM768_PUB_LEN], priv[MOTE_MLKEM768_PRIV_LEN],
        ct[MOTE_MLKEM768_CT_LEN];
    uint8_t ss[32];
    struct tcase t;
    FILE *f;

    /* Key generation from the 64-byte seed d || z. */
    struct tally kg = {"mlkem_768_keygen_seed", 0, 0};
    if ((f = open_vectors("mlkem_768_keygen_seed"))) {
        while (next_case(f, &t)) {
            size_t sl, el, dl;
            uint8_t *seed = hexfield(&t, "seed", &sl);
            uint8_t *ek = hexfield(&t, "ek", &el);
            uint8_t *dk = hexfield(&t, "dk", &dl);
            int acc = 0;
            if (sl == 64) {
                mote_mlkem768_keygen_seed(pub, priv, seed);
                acc = el == sizeof pub && dl == sizeof priv &&
                      !memcmp(pub, ek, el) && !memcmp(priv, dk, dl);
            }
            judge(&kg, &t, acc);
            free(seed), free(ek), free(dk);
        }
        fclose(f);
        report(&kg);
    }

    /* Encapsulation with a fixed m; invalid keys (unreduced, wrong length)
     * must be refused. */
    struct tally en = {"mlkem_768_encaps", 0, 0};
    if ((f = open_vectors("mlkem_768_encaps"))) {
        while (next_case(f, &t)) {
            size_t ml, el, cl, kl;
            uint8_t *m = hexfield(&t, "m", &ml);
            uint8_t *ek = hexfield(&t, "ek", &el);
            uint8_t *c = hexfield(&t, "c", &cl);
            uint8_t *k = hexfield(&t, "K", &kl);
            int acc = 0;
            if (ml == 32 && el == MOTE_MLKEM768_PUB_LEN &&
                mote_mlkem768_encaps_seed(ct, ss, ek, m) == 0)
                acc = cl == sizeof ct && kl == 32 && !memcmp(ct, c, cl) &&
                      !memcmp(ss, k, 32);
            judge(&en, &t, acc);
            free(m), free(ek), free(c), free(k);
        }
        fclose(f);
        report(&en);
    }

    /* Decapsulation (keys from seeds), including implicit rejection of
     * modified ciphertexts: those are "valid" with the rejection key. */
    struct tally de = {"mlkem_768", 0, 0};
    if ((f = open_vectors("mlkem_768"))) {
        while (next_case(f, &t)) {
            size_t sl, el, cl, kl;
            uint8_t *seed = hexfield(&t, "seed", &sl);
            uint8_t *ek = hexfield(&t, "ek", &el);
            uint8_t *c = hexfield(&t, "c", &cl);
            uint8_t *k = hexfield(&t, "K", &kl);
            int acc = 0;
            if (sl == 64) {
                mote_mlkem768_keygen_seed(pub, priv, seed);
                if ((!ek || (el == sizeof pub && !memcmp(pub, ek, el))) &&
                    cl == MOTE_MLKEM768_CT_LEN &&
                    mote_mlkem768_decaps(ss, c, priv) == 0)
                    acc = kl == 32 && !memcmp(ss, k, 32);
            }
            judge(&de, &t, acc);
            free(seed), free(ek), free(c), free(k);
        }
        fclose(f);
        report(&de);
    }
}

static int test_rng(void *ctx, uint8_t *buf, size_t len)
{
    unsigned *state = ctx;
    for (size_t i = 0; i < len; i++) {
        *state = *state * 1103515245u + 12345u;
        buf[i] = (uint8_t)(*state >> 16);
    }
    return 0;
}

static void test_mlkem_roundtrip(void)
{
    static uint8_t pub[MOTE_MLKEM768_PUB_LEN], priv[MOTE_MLKEM768_PRIV_LEN],
        ct[MOTE_MLKEM768_CT_LEN];
    uint8_t k1[32], k2[32], k3[32];
    unsigned st = 7;
    int bad = 0;
    for (int i = 0; i < 20; i++) {
        mote_mlkem768_keygen(pub, priv, test_rng, &st);
        if (mote_mlkem768_encaps(ct, k1, pub, test_rng, &st) ||
            mote_mlkem768_decaps(k2, ct, priv) || memcmp(k1, k2, 32))
            bad++;
        ct[i * 50] ^= 1; /* implicit rejection: a different key */
        if (mote_mlkem768_decaps(k3, ct, priv) || !memcmp(k3, k1, 32))
            bad++;
    }
    ok(bad == 0, "20 key pairs agree, modified ciphertexts rejected (%d bad)",
       bad);
    priv[1152 + 1184] ^= 1; /* H(ek) no longer matches */
    is_int(mote_mlkem768_decaps(k2, ct, priv), MOTE_EINVAL,
           "decapsulation key check");
}

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_x25519_rfc7748);
    TAP_CASE(test_x25519_wycheproof);
    TAP_CASE(test_ed25519_rfc8032);
    TAP_CASE(test_ed25519_wycheproof);
    TAP_CASE(test_ecdsa_rfc6979);
    TAP_CASE(test_ecdsa_wycheproof);
    TAP_CASE(test_ecdh_wycheproof);
    TAP_CASE(test_rsa_wycheproof);
    TAP_CASE(test_mlkem_wycheproof);
    TAP_CASE(test_mlkem_roundtrip);
    return tap_done();
}

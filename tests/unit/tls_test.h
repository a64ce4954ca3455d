/* Helpers shared by the TLS tests: a deterministic rng, test keys, "fake"
 * certificates (the engine treats certificates as opaque) and an in-memory
 * pair of engines. Header-only, one includer per binary. */
#ifndef MOTE_TESTS_TLS_TEST_H
#define MOTE_TESTS_TLS_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/crypto.h>
#include <mote/error.h>
#include <mote/tls.h>

/* ---- Deterministic randomness: ChaCha20 keyed by a seed. ---------------- */

struct trng {
    uint8_t key[32];
    uint32_t ctr;
};

static void trng_seed(struct trng *r, uint32_t seed)
{
    memset(r, 0, sizeof *r);
    memcpy(r->key, &seed, sizeof seed);
}

static int trng_fill(void *ctx, uint8_t *buf, size_t len)
{
    struct trng *r = ctx;
    static const uint8_t nonce[12];
    memset(buf, 0, len);
    mote_chacha20_xor(r->key, nonce, r->ctr, buf, buf, len);
    r->ctr += (uint32_t)(len / 64 + 1);
    return 0;
}

/* ---- Keys -------------------------------------------------------------- */

static int unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        n--;
    if (n % 2 || n / 2 > cap)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (uint8_t)v;
    }
    return (int)(n / 2);
}

struct trsa {
    uint8_t n[512], e[8], p[256], q[256], dp[256], dq[256], qinv[256];
    struct mote_rsa_private key;
};

/* tests/vectors/tls/rsa2048-TEST-ONLY.txt: "name hex" lines. */
static int trsa_load(struct trsa *k, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[2048];
    if (!f)
        return -1;
    memset(k, 0, sizeof *k);
    while (fgets(line, sizeof line, f)) {
        char name[8];
        if (line[0] == '#' || sscanf(line, "%7s", name) != 1)
            continue;
        const char *hex = line + strlen(name) + 1;
        struct {
            const char *name;
            uint8_t *buf;
            size_t cap;
            const uint8_t **ptr;
            size_t *len;
        } t[] = {
            {"n", k->n, 512, &k->key.pub.n, &k->key.pub.n_len},
            {"e", k->e, 8, &k->key.pub.e, &k->key.pub.e_len},
            {"p", k->p, 256, &k->key.p, &k->key.p_len},
            {"q", k->q, 256, &k->key.q, &k->key.q_len},
            {"dp", k->dp, 256, &k->key.dp, &k->key.dp_len},
            {"dq", k->dq, 256, &k->key.dq, &k->key.dq_len},
            {"qinv", k->qinv, 256, &k->key.qinv, &k->key.qinv_len},
        };
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
            if (!strcmp(name, t[i].name)) {
                int n = unhex(hex, t[i].buf, t[i].cap);
                if (n < 0) {
                    fclose(f);
                    return -1;
                }
                *t[i].ptr = t[i].buf;
                *t[i].len = (size_t)n;
            }
    }
    fclose(f);
    return k->key.qinv_len ? 0 : -1;
}

/* ---- Fake certificates --------------------------------------------------
 * "MTC1" type(1) curve(1) namelen(1) name keylen(2) key [elen(2) e]: just
 * enough for the verify callback to hand the engine a public key. */

struct tcert {
    uint8_t der[700];
    size_t len;
    const uint8_t *certs[1];
    size_t lens[1];
};

static void tcert_make(struct tcert *c, const struct mote_tls_privkey *k,
                       const char *name)
{
    uint8_t *p = c->der;
    uint8_t pub[MOTE_EC_MAX_POINT_LEN];
    const uint8_t *key = pub, *e = NULL;
    size_t klen = 0, elen = 0;
    memcpy(p, "MTC1", 4);
    p += 4;
    *p++ = (uint8_t)k->type;
    *p++ = (uint8_t)k->ec.curve;
    size_t nl = name ? strlen(name) : 0;
    *p++ = (uint8_t)nl;
    memcpy(p, name ? name : "", nl);
    p += nl;
    if (k->type == MOTE_TLS_KEY_ED25519) {
        mote_ed25519_public(pub, k->ed25519);
        klen = 32;
    } else if (k->type == MOTE_TLS_KEY_EC) {
        mote_ec_public(k->ec.curve, pub, k->ec.d);
        klen = 1 + 2 * mote_ec_scalar_len(k->ec.curve);
    } else {
        key = k->rsa.pub.n;
        klen = k->rsa.pub.n_len;
        e = k->rsa.pub.e;
        elen = k->rsa.pub.e_len;
    }
    *p++ = (uint8_t)(klen >> 8);
    *p++ = (uint8_t)klen;
    memcpy(p, key, klen);
    p += klen;
    *p++ = (uint8_t)(elen >> 8);
    *p++ = (uint8_t)elen;
    if (elen)
        memcpy(p, e, elen);
    p += elen;
    c->len = (size_t)(p - c->der);
    c->certs[0] = c->der;
    c->lens[0] = c->len;
}

/* What the verify callback saw, and what it should answer. */
struct tverify {
    int refuse;    /* alert to return, 0 to accept */
    char name[64]; /* name in the leaf we were shown */
    char host[64]; /* host the engine passed */
    int calls;
};

static int tverify_cb(void *ctx, const struct mote_tls_chain *chain,
                      const char *host, struct mote_tls_pubkey *leaf)
{
    struct tverify *v = ctx;
    v->calls++;
    snprintf(v->host, sizeof v->host, "%s", host ? host : "");
    if (chain->n < 1 || chain->lens[0] < 9 ||
        memcmp(chain->certs[0], "MTC1", 4))
        return MOTE_TLS_ALERT_BAD_CERTIFICATE;
    const uint8_t *p = chain->certs[0] + 4, *end = p + chain->lens[0] - 4;
    leaf->type = (enum mote_tls_key_type)p[0];
    leaf->curve = (enum mote_ec_curve)p[1];
    size_t nl = p[2];
    p += 3;
    if ((size_t)(end - p) < nl + 2)
        return MOTE_TLS_ALERT_BAD_CERTIFICATE;
    snprintf(v->name, sizeof v->name, "%.*s", (int)nl, (const char *)p);
    p += nl;
    size_t kl = (size_t)p[0] << 8 | p[1];
    p += 2;
    if ((size_t)(end - p) < kl + 2)
        return MOTE_TLS_ALERT_BAD_CERTIFICATE;
    const uint8_t *key = p;
    p += kl;
    size_t el = (size_t)p[0] << 8 | p[1];
    p += 2;
    if ((size_t)(end - p) < el)
        return MOTE_TLS_ALERT_BAD_CERTIFICATE;
    if (leaf->type == MOTE_TLS_KEY_RSA || leaf->type == MOTE_TLS_KEY_RSA_PSS) {
        leaf->rsa.n = key;
        leaf->rsa.n_len = kl;
        leaf->rsa.e = p;
        leaf->rsa.e_len = el;
    } else {
        leaf->key = key;
        leaf->key_len = kl;
    }
    return v->refuse;
}

#endif

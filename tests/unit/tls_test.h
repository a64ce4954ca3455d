/* Helpers shared by the TLS tests: a deterministic rng, test keys, "fake"
 * certificates (the engine treats certificates as opaque) and an in-memory
 * pair of engines with the helpers that drive them (side_new, exchange,
 * pump ...), shared by test_tls.c and test_tls12.c. Header-only, one
 * includer per binary. */
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
 * enough for the verify callback to hand the engine a public key. For an
 * RSA-PSS key the curve byte carries pss_hash (the RSASSA-PSS-params
 * restriction). */

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
    *p++ = (uint8_t)(k->type == MOTE_TLS_KEY_RSA_PSS ? (int)k->pss_hash
                                                     : (int)k->ec.curve);
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
    if (leaf->type == MOTE_TLS_KEY_RSA_PSS) {
        leaf->pss_hash = (enum mote_hash_alg)leaf->curve;
        leaf->curve = 0;
    }
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

/* ---- Two engines back to back in memory --------------------------------- */

#define RSA_KEY_FILE "tests/vectors/tls/rsa2048-TEST-ONLY.txt"
#define NOW_MS       1700000000000ull

struct side {
    struct mote_tls_engine e;
    uint8_t buf[MOTE_TLS_BUF_SIZE];
    struct mote_tls_config cfg;
    struct trng rng;
    struct tverify v;
    struct mote_tls_identity ids[4];
    uint8_t got[65536]; /* application bytes read */
    size_t ngot;
};

static struct mote_tls_privkey k_ed, k_p256, k_p384, k_rsa;
static struct tcert c_ed, c_p256, c_p384, c_rsa;
static struct trsa rsa;
static int have_rsa;
static const uint8_t ticket_key[32] = "0123456789abcdef0123456789abcdef";

static void keys_init(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    k_ed.type = MOTE_TLS_KEY_ED25519;
    memset(k_ed.ed25519, 7, 32);
    k_p256.type = MOTE_TLS_KEY_EC;
    k_p256.ec.curve = MOTE_EC_P256;
    mote_sha256("p256", 4, k_p256.ec.d);
    k_p384.type = MOTE_TLS_KEY_EC;
    k_p384.ec.curve = MOTE_EC_P384;
    mote_sha384("p384", 4, k_p384.ec.d);
    have_rsa = trsa_load(&rsa, RSA_KEY_FILE) == 0;
    k_rsa.type = MOTE_TLS_KEY_RSA;
    k_rsa.rsa = rsa.key;
    tcert_make(&c_ed, &k_ed, "ed.example");
    tcert_make(&c_p256, &k_p256, "p256.example");
    tcert_make(&c_p384, &k_p384, "p384.example");
    if (have_rsa)
        tcert_make(&c_rsa, &k_rsa, "rsa.example");
}

static void set_id(struct mote_tls_identity *id, struct tcert *c,
                   const struct mote_tls_privkey *k, const char *name)
{
    id->certs = c->certs;
    id->cert_lens = c->lens;
    id->ncerts = 1;
    id->key = k;
    id->name = name;
}

static struct side *side_new(uint32_t seed)
{
    keys_init();
    struct side *s = calloc(1, sizeof *s);
    trng_seed(&s->rng, seed);
    s->cfg.rng = trng_fill;
    s->cfg.rng_ctx = &s->rng;
    s->cfg.verify = tverify_cb;
    s->cfg.verify_ctx = &s->v;
    set_id(&s->ids[0], &c_ed, &k_ed, NULL);
    s->cfg.ids = s->ids;
    s->cfg.nids = 1;
    return s;
}

static void side_free(struct side *s)
{
    mote_tls_engine_release(&s->e);
    free(s);
}

static int start(struct side *s, enum mote_tls_role role, const char *host,
                 const struct mote_tls_session *sess)
{
    return mote_tls_engine_init(&s->e, &s->cfg, role, host, sess, NOW_MS,
                                s->buf, sizeof s->buf);
}

/* Move up to chunk bytes of records from a to b (all if chunk is 0), and
 * drain b's plaintext. Returns bytes moved. */
static size_t xfer(struct side *a, struct side *b, size_t chunk)
{
    size_t n, m, moved = 0;
    for (;;) {
        uint8_t *out = mote_tls_engine_sendrec_buf(&a->e, &n);
        uint8_t *in = mote_tls_engine_recvrec_buf(&b->e, &m);
        if (!out || !in || !n || !m)
            break;
        size_t k = n < m ? n : m;
        if (chunk && k > chunk)
            k = chunk;
        memcpy(in, out, k);
        mote_tls_engine_sendrec_ack(&a->e, k);
        mote_tls_engine_recvrec_ack(&b->e, k);
        moved += k;
        uint8_t *app;
        while ((app = mote_tls_engine_recvapp_buf(&b->e, &n)) != NULL) {
            if (b->ngot + n <= sizeof b->got)
                memcpy(b->got + b->ngot, app, n);
            b->ngot += n;
            mote_tls_engine_recvapp_ack(&b->e, n);
        }
    }
    return moved;
}

static void pump(struct side *c, struct side *s, size_t chunk)
{
    for (int i = 0; i < 100000; i++)
        if (!xfer(c, s, chunk) + !xfer(s, c, chunk) == 2)
            break;
}

static int write_app(struct side *s, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len) {
        size_t n;
        uint8_t *w = mote_tls_engine_sendapp_buf(&s->e, &n);
        if (!w)
            return -1;
        if (n > len)
            n = len;
        memcpy(w, p, n);
        mote_tls_engine_sendapp_ack(&s->e, n);
        p += n;
        len -= n;
    }
    mote_tls_engine_flush(&s->e);
    return 0;
}

static int both_done(struct side *c, struct side *s)
{
    return mote_tls_engine_handshake_done(&c->e) &&
           mote_tls_engine_handshake_done(&s->e) &&
           !mote_tls_engine_error(&c->e, NULL) &&
           !mote_tls_engine_error(&s->e, NULL);
}

/* Handshake, then 3000 bytes each way. */
static int exchange(struct side *c, struct side *s)
{
    uint8_t msg[3000];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 7);
    pump(c, s, 0);
    if (!both_done(c, s))
        return 0;
    c->ngot = s->ngot = 0;
    if (write_app(c, msg, sizeof msg) || write_app(s, msg, sizeof msg))
        return 0;
    pump(c, s, 0);
    return c->ngot == sizeof msg && s->ngot == sizeof msg &&
           !memcmp(c->got, msg, sizeof msg) && !memcmp(s->got, msg, sizeof msg);
}

static void err_of(struct side *x, int *err, int *alert)
{
    *err = mote_tls_engine_error(&x->e, alert);
}

/* A handshake whose server signs with k, the client offering only scheme
 * (and only TLS 1.2 when v12 is set). 1 if both ends finished and agreed
 * on scheme; 0 otherwise, *server_err then holds the server's error. */
static int rsa_sign_run(uint32_t seed, const struct mote_tls_privkey *k,
                        uint16_t scheme, int v12, int *server_err)
{
    static const uint16_t rsa12[] = {
        MOTE_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256};
    struct side *c = side_new(seed), *s = side_new(seed + 1);
    c->cfg.sigschemes = &scheme;
    c->cfg.nsigschemes = 1;
    if (v12) {
        c->cfg.min_version = c->cfg.max_version = MOTE_TLS_VERSION_12;
        c->cfg.suites = rsa12;
        c->cfg.nsuites = 1;
    }
    set_id(&s->ids[0], &c_rsa, k, NULL);
    int good = !start(c, MOTE_TLS_CLIENT, "example.com", NULL) &&
               !start(s, MOTE_TLS_SERVER, NULL, NULL) && exchange(c, s) &&
               mote_tls_engine_sigscheme(&c->e) == scheme &&
               mote_tls_engine_version(&c->e) ==
                   (v12 ? MOTE_TLS_VERSION_12 : MOTE_TLS_VERSION_13);
    *server_err = mote_tls_engine_error(&s->e, NULL);
    side_free(c);
    side_free(s);
    return good;
}

/* Resumption across client-authentication policies: a first handshake with
 * a server whose client_auth is mode1, the client presenting cert1 (or
 * nothing), then the client offers the ticket it got to a second server
 * with the same ticket key and client_auth mode2, presenting cert2 (or
 * nothing). v12: both ends speak only TLS 1.2. What the second handshake
 * did is filled in. */
struct auth_resume {
    int first_ok; /* the first handshake completed and left a ticket */
    int done;     /* the second completed */
    int resumed;  /* ... by resumption (the server says so) */
    int alert;    /* the second server's alert, -1 none */
    int calls;    /* verify-callback calls on the second server */
    /* mote_tls_engine_peer_cert after each handshake [round]: the server's
     * view of the client, the client's of the server. */
    int s_auth[2], c_auth[2];
    uint8_t s_hash[2][32], c_hash[2][32];
};

/* SHA-256 of a test certificate, as the engine reports it. */
__attribute__((unused)) static int tcert_is(const uint8_t *hash,
                                            const struct tcert *c)
{
    uint8_t h[32];
    mote_sha256(c->der, c->len, h);
    return !memcmp(h, hash, 32);
}

__attribute__((unused)) static void
auth_resume_run(uint32_t seed, int v12, int mode1, struct tcert *cert1,
                const struct mote_tls_privkey *key1, int mode2,
                struct tcert *cert2, const struct mote_tls_privkey *key2,
                struct auth_resume *out)
{
    struct mote_tls_session sess;
    memset(out, 0, sizeof *out);
    memset(&sess, 0, sizeof sess);
    for (int round = 0; round < 2; round++) {
        struct side *c = side_new(seed + 2 * (uint32_t)round),
                    *s = side_new(seed + 2 * (uint32_t)round + 1);
        struct tcert *cert = round ? cert2 : cert1;
        if (v12) {
            c->cfg.min_version = c->cfg.max_version = MOTE_TLS_VERSION_12;
            s->cfg.min_version = s->cfg.max_version = MOTE_TLS_VERSION_12;
        }
        s->cfg.ticket_key = ticket_key;
        s->cfg.client_auth = round ? mode2 : mode1;
        set_id(&s->ids[0], &c_p256, &k_p256, NULL);
        c->cfg.nids = 0;
        if (cert) {
            set_id(&c->ids[0], cert, round ? key2 : key1, NULL);
            c->cfg.nids = 1;
        }
        start(c, MOTE_TLS_CLIENT, NULL, round ? &sess : NULL);
        start(s, MOTE_TLS_SERVER, NULL, NULL);
        int good = exchange(c, s);
        out->s_auth[round] =
            mote_tls_engine_peer_cert(&s->e, out->s_hash[round]);
        out->c_auth[round] =
            mote_tls_engine_peer_cert(&c->e, out->c_hash[round]);
        if (!round) {
            sess = *mote_tls_engine_session(&c->e);
            out->first_ok = good && sess.ticket_len > 0;
        } else {
            out->done = good;
            out->resumed = mote_tls_engine_resumed(&s->e);
            mote_tls_engine_error(&s->e, &out->alert);
            out->calls = s->v.calls;
        }
        side_free(c);
        side_free(s);
    }
    mote_memzero_explicit(&sess, sizeof sess);
}

#endif

/* TLS 1.3 and 1.2: Mote's engine against OpenSSL's libssl, both in one
 * binary, both sides of each connection in memory (no sockets), same
 * certificates.
 *
 *   tls CERTDIR SECS
 *
 * CERTDIR holds {p256,rsa,ed25519}.{crt,key} (bench/tls.sh makes them with
 * openssl). Prints markdown table rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <mote/error.h>
#include <mote/tls.h>
#include <mote/x509.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    char *b = malloc(1 << 16);
    *len = fread(b, 1, (1 << 16) - 1, f);
    b[*len] = 0;
    fclose(f);
    return b;
}

/* ---- Mote -------------------------------------------------------------------
 */

struct mkey {
    struct mote_x509_privkey xk;
    struct mote_tls_privkey key;
    struct mote_rsa_prepared rsa_pre; /* RSA: prepared once, here */
    uint8_t keyder[4096], der[4096];
    const uint8_t *certs[1];
    size_t lens[1];
    struct mote_tls_identity id;
};

static void mkey_load(struct mkey *k, const char *dir, const char *name)
{
    char p[512];
    size_t len;
    snprintf(p, sizeof p, "%s/%s.crt", dir, name);
    char *pem = slurp(p, &len);
    struct mote_pem_iter it;
    struct mote_pem_block b;
    mote_pem_iter_init(&it, pem, len);
    if (mote_pem_next(&it, &b) != 1 ||
        mote_pem_decode(&b, k->der, sizeof k->der, &k->lens[0]))
        exit(2);
    k->certs[0] = k->der;
    snprintf(p, sizeof p, "%s/%s.key", dir, name);
    pem = slurp(p, &len);
    if (mote_x509_privkey_parse_pem(&k->xk, pem, len, k->keyder,
                                    sizeof k->keyder, NULL))
        exit(2);
    memset(&k->key, 0, sizeof k->key);
    if (k->xk.type == MOTE_X509_KEY_ED25519) {
        k->key.type = MOTE_TLS_KEY_ED25519;
        memcpy(k->key.ed25519, k->xk.scalar, 32);
    } else if (k->xk.type == MOTE_X509_KEY_EC) {
        k->key.type = MOTE_TLS_KEY_EC;
        k->key.ec.curve = k->xk.curve;
        memcpy(k->key.ec.d, k->xk.scalar, k->xk.scalar_len);
    } else {
        k->key.type = MOTE_TLS_KEY_RSA;
        k->key.rsa = k->xk.rsa;
        if (mote_tls_privkey_prepare(&k->key, &k->rsa_pre))
            exit(2);
    }
    k->id.certs = k->certs;
    k->id.cert_lens = k->lens;
    k->id.ncerts = 1;
    k->id.key = &k->key;
}

static struct mote_tls_engine mc, ms;
static uint8_t mcb[MOTE_TLS_BUF_SIZE], msb[MOTE_TLS_BUF_SIZE];
static struct mote_tls_x509_verifier no_trust; /* leaf key only */

static void mxfer(struct mote_tls_engine *a, struct mote_tls_engine *b,
                  size_t *app)
{
    size_t n, m;
    uint8_t *p, *q;
    while ((p = mote_tls_engine_sendrec_buf(a, &n)) != NULL &&
           (q = mote_tls_engine_recvrec_buf(b, &m)) != NULL && m) {
        size_t k = n < m ? n : m;
        memcpy(q, p, k);
        mote_tls_engine_sendrec_ack(a, k);
        mote_tls_engine_recvrec_ack(b, k);
        while ((p = mote_tls_engine_recvapp_buf(b, &n)) != NULL) {
            if (app)
                *app += n;
            mote_tls_engine_recvapp_ack(b, n);
        }
    }
}

static int mote_handshake(struct mote_tls_config *cc,
                          struct mote_tls_config *sc,
                          struct mote_tls_session *sess)
{
    mote_tls_engine_init(&mc, cc, MOTE_TLS_CLIENT, "localhost", sess,
                         1700000000000ull, mcb, sizeof mcb);
    mote_tls_engine_init(&ms, sc, MOTE_TLS_SERVER, NULL, NULL, 1700000000000ull,
                         msb, sizeof msb);
    for (int i = 0; i < 20; i++) {
        mxfer(&mc, &ms, NULL);
        mxfer(&ms, &mc, NULL);
    }
    return mote_tls_engine_handshake_done(&mc) &&
           mote_tls_engine_handshake_done(&ms) &&
           !mote_tls_engine_error(&mc, NULL);
}

static void mote_cfgs(struct mote_tls_config *cc, struct mote_tls_config *sc,
                      struct mkey *k, const uint16_t *group, uint16_t suite)
{
    static uint16_t s;
    s = suite;
    memset(cc, 0, sizeof *cc);
    memset(sc, 0, sizeof *sc);
    cc->verify = mote_tls_x509_verify;
    cc->verify_ctx = &no_trust;
    cc->groups = group;
    cc->ngroups = 1;
    cc->suites = &s;
    cc->nsuites = 1;
    sc->ids = &k->id;
    sc->nids = 1;
}

/* The same for TLS 1.2: the client speaks only 1.2, offers one 1.2 suite
 * and the groups X25519 then P-256 (an ECDSA P-256 certificate needs its
 * curve in supported_groups, RFC 8422 5.1; X25519 is the one used); the
 * server keeps its defaults (1.2 and 1.3, so it sets the downgrade
 * sentinel, as a deployed server would). */
static const uint16_t groups12[] = {MOTE_TLS_GROUP_X25519, MOTE_TLS_GROUP_P256};
#define OSSL_GROUPS12 "X25519:P-256"
static void mote_cfgs12(struct mote_tls_config *cc, struct mote_tls_config *sc,
                        struct mkey *k, uint16_t suite)
{
    mote_cfgs(cc, sc, k, groups12, suite);
    cc->ngroups = 2;
    cc->min_version = cc->max_version = MOTE_TLS_VERSION_12;
}

/* A Mote 1.2 handshake that ended as the rows say. */
static int mote12_ok(void)
{
    return mote_tls_engine_version(&mc) == MOTE_TLS_VERSION_12 &&
           mote_tls_engine_group(&mc) == MOTE_TLS_GROUP_X25519;
}

/* ---- OpenSSL
 * ------------------------------------------------------------------ */

static SSL_CTX *octx(int server, const char *dir, const char *name,
                     const char *groups, const char *suite)
{
    SSL_CTX *c =
        SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    SSL_CTX_set_min_proto_version(c, TLS1_3_VERSION);
    SSL_CTX_set1_groups_list(c, groups);
    SSL_CTX_set_ciphersuites(c, suite);
    if (server) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s.crt", dir, name);
        SSL_CTX_use_certificate_chain_file(c, p);
        snprintf(p, sizeof p, "%s/%s.key", dir, name);
        SSL_CTX_use_PrivateKey_file(c, p, SSL_FILETYPE_PEM);
        SSL_CTX_set_num_tickets(c, 0);
    } else {
        SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
    }
    return c;
}

/* TLS 1.2 only, one cipher (OpenSSL's name); tickets off unless asked. */
static SSL_CTX *octx12(int server, const char *dir, const char *name,
                       const char *groups, const char *cipher, int tickets)
{
    SSL_CTX *c = octx(server, dir, name, groups, "TLS_AES_128_GCM_SHA256");
    SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION);
    SSL_CTX_set_cipher_list(c, cipher);
    if (!tickets)
        SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
    return c;
}

static SSL *oc, *os;

static int ossl_handshake(SSL_CTX *cc, SSL_CTX *sc, SSL_SESSION *sess)
{
    oc = SSL_new(cc);
    os = SSL_new(sc);
    BIO *b1, *b2;
    BIO_new_bio_pair(&b1, 1 << 17, &b2, 1 << 17);
    SSL_set_bio(oc, b1, b1);
    SSL_set_bio(os, b2, b2);
    SSL_set_connect_state(oc);
    SSL_set_accept_state(os);
    SSL_set_tlsext_host_name(oc, "localhost");
    if (sess)
        SSL_set_session(oc, sess);
    int cd = 0, sd = 0;
    for (int i = 0; i < 20 && !(cd && sd); i++) {
        if (!cd)
            cd = SSL_do_handshake(oc) == 1;
        if (!sd)
            sd = SSL_do_handshake(os) == 1;
    }
    return cd && sd;
}

/* With close_notify: an SSL freed without it marks its session
 * unresumable. */
static void ossl_free(void)
{
    SSL_shutdown(oc);
    SSL_shutdown(os);
    SSL_free(oc);
    SSL_free(os);
}

/* ---- Measurement
 * ------------------------------------------------------------- */

static double SECS = 0.5;

/* Best of three: operations per second of fn. */
#define RATE(expr)                                                             \
    ({                                                                         \
        double best_ = 0;                                                      \
        for (int r_ = 0; r_ < 3; r_++) {                                       \
            long n_ = 0;                                                       \
            double t0_ = now_s(), t_;                                          \
            do {                                                               \
                if (!(expr)) {                                                 \
                    fprintf(stderr, "failed: %s\n", #expr);                    \
                    exit(1);                                                   \
                }                                                              \
                n_++;                                                          \
            } while ((t_ = now_s() - t0_) < SECS);                             \
            if (n_ / t_ > best_)                                               \
                best_ = n_ / t_;                                               \
        }                                                                      \
        best_;                                                                 \
    })

static int mote_full(struct mote_tls_config *cc, struct mote_tls_config *sc)
{
    return mote_handshake(cc, sc, NULL);
}

static int ossl_full(SSL_CTX *cc, SSL_CTX *sc)
{
    int ok = ossl_handshake(cc, sc, NULL);
    ossl_free();
    return ok;
}

static void row(const char *what, double m, double o, const char *unit)
{
    if (o > 0)
        printf("| %s | %.0f | %.0f | %.2fx |\n", what, m, o, m / o);
    else
        printf("| %s | %.0f | (libssl 3.0 has no ML-KEM) | - |\n", what, m);
    (void)unit;
    fflush(stdout);
}

/* Bulk: total bytes client -> server in 16 KiB writes. */
static double mote_bulk(size_t total)
{
    static uint8_t chunk[16384];
    size_t got = 0, n;
    double t0 = now_s();
    while (got < total) {
        uint8_t *w = mote_tls_engine_sendapp_buf(&mc, &n);
        if (!w)
            return 0;
        if (n > sizeof chunk)
            n = sizeof chunk;
        memcpy(w, chunk, n);
        mote_tls_engine_sendapp_ack(&mc, n);
        mote_tls_engine_flush(&mc);
        mxfer(&mc, &ms, &got);
    }
    return (double)total / (now_s() - t0) / 1e6;
}

static double ossl_bulk(size_t total)
{
    static uint8_t chunk[16384], rbuf[65536];
    size_t got = 0;
    double t0 = now_s();
    while (got < total) {
        if (SSL_write(oc, chunk, sizeof chunk) <= 0)
            return 0;
        int r;
        while ((r = SSL_read(os, rbuf, sizeof rbuf)) > 0)
            got += (size_t)r;
    }
    return (double)total / (now_s() - t0) / 1e6;
}

/* TLS 1.2: full handshakes (ECDHE-ECDSA and ECDHE-RSA over X25519),
 * resumption from a ticket (RFC 5077), bulk AES-128-GCM. */
static void tls12(const char *dir, struct mkey *kp256, struct mkey *krsa)
{
    struct mote_tls_config cc, sc;
    static const char ecdsa[] = "ECDHE-ECDSA-AES128-GCM-SHA256",
                      rsa[] = "ECDHE-RSA-AES128-GCM-SHA256";
    printf("\n| TLS 1.2 (client 1.2 only), per second | Mote | OpenSSL | "
           "ratio |\n|---|---|---|---|\n");
    struct {
        const char *label, *name, *cipher;
        struct mkey *k;
        uint16_t suite;
    } full[] = {
        {"full: ECDHE-ECDSA P-256 + X25519, AES-128-GCM", "p256", ecdsa, kp256,
         MOTE_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
        {"full: ECDHE-RSA-2048 + X25519, AES-128-GCM", "rsa", rsa, krsa,
         MOTE_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256},
    };
    for (int i = 0; i < 2; i++) {
        mote_cfgs12(&cc, &sc, full[i].k, full[i].suite);
        double m = RATE(mote_full(&cc, &sc) && mote12_ok());
        SSL_CTX *a =
            octx12(0, dir, full[i].name, OSSL_GROUPS12, full[i].cipher, 0);
        SSL_CTX *b =
            octx12(1, dir, full[i].name, OSSL_GROUPS12, full[i].cipher, 0);
        double o = RATE(ossl_full(a, b));
        SSL_CTX_free(a);
        SSL_CTX_free(b);
        row(full[i].label, m, o, "/s");
    }

    /* Resumption: one full handshake for a ticket, then resume with it
     * (abbreviated handshake: no key exchange, no signature). */
    static const uint8_t tkey[32] = "bench ticket key, TLS 1.2.......";
    mote_cfgs12(&cc, &sc, kp256, MOTE_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    sc.ticket_key = tkey;
    static struct mote_tls_session sess;
    if (!mote_handshake(&cc, &sc, NULL)) {
        fprintf(stderr, "tls 1.2: first handshake failed\n");
        exit(1);
    }
    sess = *mote_tls_engine_session(&mc);
    double m =
        RATE(mote_handshake(&cc, &sc, &sess) && mote_tls_engine_resumed(&mc) &&
             mote_tls_engine_version(&mc) == MOTE_TLS_VERSION_12);
    SSL_CTX *occ = octx12(0, dir, "p256", OSSL_GROUPS12, ecdsa, 1);
    SSL_CTX *osc = octx12(1, dir, "p256", OSSL_GROUPS12, ecdsa, 1);
    ossl_handshake(occ, osc, NULL);
    SSL_SESSION *osess = SSL_get1_session(oc);
    if (!SSL_SESSION_is_resumable(osess))
        fprintf(stderr, "openssl 1.2: no resumable session\n");
    ossl_free();
    double o = RATE((ossl_handshake(occ, osc, osess) && SSL_session_reused(oc))
                        ? (ossl_free(), 1)
                        : (ossl_free(), 0));
    row("resumed from a ticket (RFC 5077), ECDHE-ECDSA AES-128-GCM", m, o,
        "/s");
    SSL_SESSION_free(osess);
    SSL_CTX_free(occ);
    SSL_CTX_free(osc);
    mote_memzero_explicit(&sess, sizeof sess);

    double bm = 0, bo = 0;
    for (int r = 0; r < 3; r++) {
        mote_cfgs12(&cc, &sc, kp256,
                    MOTE_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        mote_handshake(&cc, &sc, NULL);
        double v = mote_bulk(256u << 20);
        if (v > bm)
            bm = v;
        SSL_CTX *a = octx12(0, dir, "p256", OSSL_GROUPS12, ecdsa, 0);
        SSL_CTX *b = octx12(1, dir, "p256", OSSL_GROUPS12, ecdsa, 0);
        ossl_handshake(a, b, NULL);
        v = ossl_bulk(256u << 20);
        if (v > bo)
            bo = v;
        ossl_free();
        SSL_CTX_free(a);
        SSL_CTX_free(b);
    }
    printf("\n| TLS 1.2 bulk MB/s (16 KiB writes, seal + open) | Mote | "
           "OpenSSL | ratio |\n|---|---|---|---|\n");
    row("ECDHE-ECDSA-AES128-GCM-SHA256", bm, bo, "MB/s");
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const char *dir = argv[1];
    if (argc > 2)
        SECS = atof(argv[2]);
    static struct mkey kp256, krsa, ked;
    mkey_load(&kp256, dir, "p256");
    mkey_load(&krsa, dir, "rsa");
    mkey_load(&ked, dir, "ed25519");
    struct mote_tls_config cc, sc;
    static const uint16_t x25519 = MOTE_TLS_GROUP_X25519,
                          hyb = MOTE_TLS_GROUP_X25519MLKEM768;
    const char *aes = "TLS_AES_128_GCM_SHA256";

    printf("| full handshakes/s (client + server, one core) | Mote | OpenSSL | "
           "ratio |\n|---|---|---|---|\n");
    struct {
        const char *name;
        struct mkey *k;
    } keys[] = {{"p256", &kp256}, {"rsa", &krsa}, {"ed25519", &ked}};
    const char *label[] = {"ECDSA P-256 + X25519", "RSA-2048 + X25519",
                           "Ed25519 + X25519"};
    for (int i = 0; i < 3; i++) {
        mote_cfgs(&cc, &sc, keys[i].k, &x25519, MOTE_TLS_AES_128_GCM_SHA256);
        double m = RATE(mote_full(&cc, &sc));
        SSL_CTX *oc_ = octx(0, dir, keys[i].name, "X25519", aes);
        SSL_CTX *os_ = octx(1, dir, keys[i].name, "X25519", aes);
        double o = RATE(ossl_full(oc_, os_));
        SSL_CTX_free(oc_);
        SSL_CTX_free(os_);
        row(label[i], m, o, "/s");
    }
    mote_cfgs(&cc, &sc, &kp256, &hyb, MOTE_TLS_AES_128_GCM_SHA256);
    row("ECDSA P-256 + X25519MLKEM768", RATE(mote_full(&cc, &sc)), 0, "/s");

    /* Resumption: one full handshake for a ticket, then resume with it. */
    static const uint8_t tkey[32] = "bench ticket key................";
    mote_cfgs(&cc, &sc, &kp256, &x25519, MOTE_TLS_AES_128_GCM_SHA256);
    sc.ticket_key = tkey;
    mote_handshake(&cc, &sc, NULL);
    static struct mote_tls_session sess;
    sess = *mote_tls_engine_session(&mc);
    double m =
        RATE(mote_handshake(&cc, &sc, &sess) && mote_tls_engine_resumed(&mc));
    SSL_CTX *occ = octx(0, dir, "p256", "X25519", aes);
    SSL_CTX *osc = octx(1, dir, "p256", "X25519", aes);
    SSL_CTX_set_num_tickets(osc, 1);
    ossl_handshake(occ, osc, NULL);
    uint8_t tmp[16];
    SSL_read(oc, tmp, sizeof tmp); /* takes the ticket in */
    SSL_SESSION *osess = SSL_get1_session(oc);
    if (!SSL_SESSION_is_resumable(osess))
        fprintf(stderr, "openssl: no resumable session\n");
    ossl_free();
    double o = RATE((ossl_handshake(occ, osc, osess) && SSL_session_reused(oc))
                        ? (ossl_free(), 1)
                        : (ossl_free(), 0));
    row("resumed (psk_dhe_ke, X25519)", m, o, "/s");
    SSL_SESSION_free(osess);
    SSL_CTX_free(occ);
    SSL_CTX_free(osc);

    printf("\n| bulk MB/s (16 KiB writes, seal + open) | Mote | OpenSSL | "
           "ratio |\n|---|---|---|---|\n");
    struct {
        uint16_t id;
        const char *name;
    } suites[] = {
        {MOTE_TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256"},
        {MOTE_TLS_CHACHA20_POLY1305_SHA256, "TLS_CHACHA20_POLY1305_SHA256"}};
    for (int i = 0; i < 2; i++) {
        double bm = 0, bo = 0;
        for (int r = 0; r < 3; r++) {
            mote_cfgs(&cc, &sc, &kp256, &x25519, suites[i].id);
            mote_handshake(&cc, &sc, NULL);
            double v = mote_bulk(256u << 20);
            if (v > bm)
                bm = v;
            SSL_CTX *a = octx(0, dir, "p256", "X25519", suites[i].name);
            SSL_CTX *b = octx(1, dir, "p256", "X25519", suites[i].name);
            ossl_handshake(a, b, NULL);
            v = ossl_bulk(256u << 20);
            if (v > bo)
                bo = v;
            ossl_free();
            SSL_CTX_free(a);
            SSL_CTX_free(b);
        }
        row(suites[i].name, bm, bo, "MB/s");
    }
    tls12(dir, &kp256, &krsa);

    printf("\nMemory per Mote connection: %zu bytes of engine + %d bytes of "
           "buffer = %.1f KiB (fixed; nothing allocated).\n",
           sizeof(struct mote_tls_engine), MOTE_TLS_BUF_SIZE,
           (sizeof(struct mote_tls_engine) + MOTE_TLS_BUF_SIZE) / 1024.0);
    return 0;
}

/* X.509 chain verification speed: parse + verify a 3-certificate chain
 * (leaf, intermediate, root in the trust store) with Mote and with
 * OpenSSL's X509_verify_cert, same binary, same run, one core. Prints a
 * markdown table of chains per second and the ratio Mote / OpenSSL.
 *
 * Usage: x509 DIR [seconds-per-side]   (DIR made by tests/x509/mkchains.sh)
 */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mote/error.h>
#include <mote/x509_verify.h>

static double secs = 0.5;
static const char *dir;
static const int64_t now_t = 1780272000; /* 2026-06-01, as mkchains.sh */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint8_t *slurp(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "x509: cannot open %s\n", path);
        exit(2);
    }
    static uint8_t tmp[65536];
    size_t n = fread(tmp, 1, sizeof tmp, f);
    fclose(f);
    uint8_t *p = malloc(n + 1);
    memcpy(p, tmp, n);
    p[n] = 0;
    *len = n;
    return p;
}

/* One chain: DER of leaf and intermediate, PEM of the root, the host. */
struct chain {
    const char *label, *leaf, *inter, *root, *host;
    uint8_t *leaf_der, *int_der, *root_pem;
    size_t leaf_len, int_len, root_len;
    /* Mote */
    struct mote_x509_trust trust;
    struct mote_x509_anchor slots[4];
    uint8_t buf[16384];
    struct mote_x509_id id;
    /* OpenSSL */
    X509_STORE *store;
};

static struct chain *cur;
static struct mote_x509_verify_work work;

/* The signature cache rows: a warm cache across calls, as a TLS client
 * seeing the same intermediates again would keep. */
static struct mote_x509_sigcache *cache;

static int mote_once(void)
{
    struct mote_x509_slice bundle = {cur->int_der, cur->int_len};
    struct mote_x509_verify_opts o = {.now = now_t,
                                      .purpose = MOTE_X509_PURPOSE_SERVER,
                                      .id = &cur->id,
                                      .sigcache = cache};
    struct mote_x509_result res;
    return mote_x509_verify(cur->leaf_der, cur->leaf_len, &bundle, 1,
                            &cur->trust, &o, &work, &res);
}

static int ossl_once(void)
{
    const unsigned char *p = cur->leaf_der;
    X509 *leaf = d2i_X509(NULL, &p, (long)cur->leaf_len);
    p = cur->int_der;
    X509 *inter = d2i_X509(NULL, &p, (long)cur->int_len);
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    sk_X509_push(untrusted, inter);
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, cur->store, leaf, untrusted);
    X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_time(vp, (time_t)now_t);
    X509_VERIFY_PARAM_set_purpose(vp, X509_PURPOSE_SSL_SERVER);
    X509_VERIFY_PARAM_set1_host(vp, cur->host, 0);
    X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_X509_STRICT);
    int ok = X509_verify_cert(ctx);
    X509_STORE_CTX_free(ctx);
    sk_X509_pop_free(untrusted, X509_free);
    X509_free(leaf);
    return ok == 1 ? 0 : -1;
}

static double rate(int (*f)(void))
{
    double t0 = now(), t;
    long n = 0;
    do {
        if (f() != 0) {
            fprintf(stderr, "x509: %s: verification failed\n", cur->label);
            exit(1);
        }
        n++;
    } while ((t = now()) - t0 < secs);
    return (double)n / (t - t0);
}

static void setup(struct chain *c)
{
    c->leaf_der = slurp(c->leaf, &c->leaf_len);
    c->int_der = slurp(c->inter, &c->int_len);
    c->root_pem = slurp(c->root, &c->root_len);
    mote_x509_trust_init(&c->trust, c->slots, 4, c->buf, sizeof c->buf);
    size_t added;
    if (mote_x509_trust_add_pem(&c->trust, (const char *)c->root_pem,
                                c->root_len, &added, NULL) != 0 ||
        added != 1 ||
        mote_x509_id_parse(&c->id, c->host, strlen(c->host)) != 0) {
        fprintf(stderr, "x509: %s: bad root or host\n", c->label);
        exit(2);
    }
    c->store = X509_STORE_new();
    BIO *bio = BIO_new_mem_buf(c->root_pem, (int)c->root_len);
    X509 *root = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    X509_STORE_add_cert(c->store, root);
    X509_free(root);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: x509 DIR [seconds]\n");
        return 2;
    }
    dir = argv[1];
    if (argc > 2)
        secs = atof(argv[2]);
    static struct chain chains[] = {
        {.label = "P-256 leaf, P-256 CA, P-256 root",
         .leaf = "lpl0.der",
         .inter = "ipl0.der",
         .root = "rootp256.pem",
         .host = "pl0.example.com"},
        {.label = "RSA-2048 leaf, RSA CA, RSA root",
         .leaf = "l2r.der",
         .inter = "i2r.der",
         .root = "rootrsa.pem",
         .host = "d2r.example.com"},
        {.label = "P-256 leaf, RSA CA (PSS), RSA root",
         .leaf = "l2p.der",
         .inter = "i2r.der",
         .root = "rootrsa.pem",
         .host = "pss.example.com"},
    };
    printf("| chain (parse + verify) | Mote /s | OpenSSL /s | ratio |\n");
    printf("|---|---:|---:|---:|\n");
    for (size_t i = 0; i < sizeof chains / sizeof chains[0]; i++) {
        cur = &chains[i];
        setup(cur);
        double bm = 0, bo = 0;
        for (int r = 0; r < 3; r++) {
            double m = rate(mote_once), o = rate(ossl_once);
            bm = m > bm ? m : bm;
            bo = o > bo ? o : bo;
        }
        printf("| %s | %.0f | %.0f | %.2f |\n", cur->label, bm, bo, bm / bo);
    }
    /* The same chains with a warm verified-signature cache (Mote only:
     * OpenSSL checks the signatures again on every call). */
    static struct mote_x509_sigcache_entry slots[64];
    static struct mote_x509_sigcache c;
    for (size_t i = 0; i < sizeof chains / sizeof chains[0]; i++) {
        cur = &chains[i];
        mote_x509_sigcache_init(&c, slots, 64);
        cache = &c;
        double bm = 0, bo = 0;
        for (int r = 0; r < 3; r++) {
            double m = rate(mote_once), o = rate(ossl_once);
            bm = m > bm ? m : bm;
            bo = o > bo ? o : bo;
        }
        cache = NULL;
        printf("| %s, signature cache (%llu hits, %llu misses) | %.0f | %.0f "
               "| %.2f |\n",
               cur->label, (unsigned long long)c.hits,
               (unsigned long long)c.misses, bm, bo, bm / bo);
    }
    return 0;
}

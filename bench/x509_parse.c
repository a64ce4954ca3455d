/* X.509 parsing speed: Mote's mote_x509_cert_parse against OpenSSL's
 * d2i_X509 (and d2i_X509 plus the extension decoding OpenSSL does on
 * first use) on every certificate of a PEM bundle, in one binary; also
 * Mote's re-encoding and PEM decoding. Prints a markdown table.
 *
 * usage: x509_parse BUNDLE.pem [SECONDS per measurement, default 0.5] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <mote/x509.h>

#define MAX_CERTS 512

static uint8_t *ders[MAX_CERTS];
static size_t lens[MAX_CERTS];
static int ncerts;
static char *text;
static size_t text_len;
static struct mote_x509_cert cert;
static uint8_t out[1 << 16];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One pass over every certificate; returns how many succeeded. */
static int mote_parse(void)
{
    int n = 0;
    for (int i = 0; i < ncerts; i++)
        n += mote_x509_cert_parse(&cert, ders[i], lens[i]) == 0;
    return n;
}

static int mote_encode(void)
{
    int n = 0;
    size_t len;
    for (int i = 0; i < ncerts; i++)
        n += mote_x509_cert_parse(&cert, ders[i], lens[i]) == 0 &&
             mote_x509_cert_encode(&cert, out, sizeof out, &len) == 0;
    return n;
}

static int ossl_d2i(void)
{
    int n = 0;
    for (int i = 0; i < ncerts; i++) {
        const unsigned char *p = ders[i];
        X509 *x = d2i_X509(NULL, &p, (long)lens[i]);
        n += x != NULL;
        X509_free(x);
    }
    return n;
}

/* d2i_X509 leaves the extensions encoded until first use; asking for the
 * key usage makes OpenSSL decode and cache them (and hash the
 * certificate with SHA-1, which Mote's parse does not do). */
static int ossl_d2i_ext(void)
{
    int n = 0;
    for (int i = 0; i < ncerts; i++) {
        const unsigned char *p = ders[i];
        X509 *x = d2i_X509(NULL, &p, (long)lens[i]);
        n += x != NULL && X509_get_key_usage(x) != 0;
        X509_free(x);
    }
    return n;
}

static int mote_pem(void)
{
    struct mote_pem_iter it;
    int r, n = 0;
    mote_pem_iter_init(&it, text, text_len);
    while ((r = mote_x509_cert_next_pem(&it, &cert, out, sizeof out)) != 0)
        n += r == 1;
    return n;
}

/* Certificates per second: best of three runs of secs each. */
static double rate(int (*fn)(void), double secs)
{
    double best = 0;
    for (int round = 0; round < 3; round++) {
        long done = 0;
        double t0 = now(), t;
        do {
            done += fn();
        } while ((t = now() - t0) < secs);
        if (done / t > best)
            best = done / t;
    }
    return best;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s BUNDLE.pem [SECONDS]\n", argv[0]);
        return 2;
    }
    double secs = argc > 2 ? atof(argv[2]) : 0.5;
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    text = malloc(1 << 22);
    text_len = fread(text, 1, 1 << 22, f);
    fclose(f);
    struct mote_pem_iter it;
    struct mote_pem_block b;
    size_t total = 0;
    mote_pem_iter_init(&it, text, text_len);
    while (ncerts < MAX_CERTS && mote_pem_next(&it, &b) == 1) {
        if (!mote_pem_label_is(&b, "CERTIFICATE"))
            continue;
        ders[ncerts] = malloc(b.body_len);
        if (mote_pem_decode(&b, ders[ncerts], b.body_len, &lens[ncerts]) == 0)
            total += lens[ncerts++];
    }
    if (mote_parse() != ncerts || ossl_d2i() != ncerts) {
        fprintf(stderr, "x509_parse: not every certificate parses\n");
        return 1;
    }
    double m = rate(mote_parse, secs), o = rate(ossl_d2i, secs);
    double oe = rate(ossl_d2i_ext, secs), me = rate(mote_encode, secs);
    double mp = rate(mote_pem, secs);
    printf("%d certificates, %zu bytes of DER (mean %zu)\n\n", ncerts, total,
           ncerts ? total / (size_t)ncerts : 0);
    printf("| operation | Mote certs/s | OpenSSL certs/s | ratio |\n");
    printf("|---|---:|---:|---:|\n");
    printf("| parse (Mote: every field and extension; OpenSSL: d2i_X509) "
           "| %.0f | %.0f | %.2fx |\n",
           m, o, m / o);
    printf("| parse, extensions decoded (OpenSSL: d2i_X509 + "
           "X509_get_key_usage) | %.0f | %.0f | %.2fx |\n",
           m, oe, m / oe);
    printf("| parse + re-encode (Mote only) | %.0f | | |\n", me);
    printf("| PEM decode + parse (Mote only) | %.0f | | |\n", mp);
    for (int i = 0; i < ncerts; i++)
        free(ders[i]);
    free(text);
    return 0;
}

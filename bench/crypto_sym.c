/* Symmetric crypto throughput: Mote against OpenSSL's libcrypto (EVP), same
 * binary, same run, one core. Prints a markdown table of MB/s and ratios. */
#include <mote/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Usage: crypto_sym [seconds-per-row] (default 0.5). Each row runs Mote and
 * then OpenSSL for the same CPU time, three rounds alternating, and keeps
 * each side's best round (least disturbed by the shared machine). AEAD rows
 * seal one message per call with a fresh IV and 13 bytes of AAD, as a TLS
 * record would; hash rows hash one 16 KiB buffer per call.
 */

/* Thread CPU time, not wall time: the machine is shared, and time spent
 * descheduled would otherwise count against whichever side it hit. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

enum op {
    AES128GCM,
    AES256GCM,
    CHACHA,
    SHA256,
    SHA1,
    SHA512,
    AES128GCM_PORTABLE
};

static uint8_t buf[16384 + 64], out[16384 + 64], key[32], iv[12], aad[13],
    tag[16];
static struct mote_aes_gcm_ctx gcm;
static struct mote_chacha20_poly1305_ctx cha;
static EVP_CIPHER_CTX *evp;
/* MOTE_BENCH_LEVEL=1 (no AVX-512) with OPENSSL_ia32cap=":~0x10000" (which
 * hides AVX-512F from OpenSSL) compares the two as on an AVX2-only CPU. */
static int level = MOTE_CRYPTO_IMPL_BEST;

static void mote_once(enum op op, size_t len)
{
    uint8_t d[64];
    switch (op) {
    case AES128GCM:
    case AES256GCM:
    case AES128GCM_PORTABLE:
        mote_aes_gcm_seal(&gcm, iv, 12, aad, 13, buf, len, out, tag, 16);
        break;
    case CHACHA:
        mote_chacha20_poly1305_seal(&cha, iv, aad, 13, buf, len, out, tag);
        break;
    case SHA256:
        mote_sha256(buf, len, d);
        break;
    case SHA1:
        mote_sha1(buf, len, d);
        break;
    case SHA512:
        mote_sha512(buf, len, d);
        break;
    }
    iv[0]++;
}

static void ossl_once(enum op op, size_t len)
{
    uint8_t d[64];
    unsigned dl;
    int n;
    switch (op) {
    case AES128GCM:
    case AES256GCM:
    case AES128GCM_PORTABLE:
    case CHACHA:
        EVP_EncryptInit_ex(evp, NULL, NULL, NULL, iv);
        EVP_EncryptUpdate(evp, NULL, &n, aad, 13);
        EVP_EncryptUpdate(evp, out, &n, buf, (int)len);
        EVP_EncryptFinal_ex(evp, out + n, &n);
        EVP_CIPHER_CTX_ctrl(evp, EVP_CTRL_AEAD_GET_TAG, 16, tag);
        break;
    case SHA256:
        EVP_Digest(buf, len, d, &dl, EVP_sha256(), NULL);
        break;
    case SHA1:
        EVP_Digest(buf, len, d, &dl, EVP_sha1(), NULL);
        break;
    case SHA512:
        EVP_Digest(buf, len, d, &dl, EVP_sha512(), NULL);
        break;
    }
    iv[0]++;
}

static double rate(void (*fn)(enum op, size_t), enum op op, size_t len,
                   double secs)
{
    long iters = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < 64; i++)
            fn(op, len);
        iters += 64;
        t = now() - t0;
    } while (t < secs);
    return (double)iters * (double)len / t / 1e6;
}

static void setup(enum op op)
{
    mote_crypto_disable_simd(
        op == AES128GCM_PORTABLE ? MOTE_CRYPTO_IMPL_PORTABLE : level);
    const EVP_CIPHER *c = NULL;
    switch (op) {
    case AES128GCM:
    case AES128GCM_PORTABLE:
        mote_aes_gcm_init(&gcm, key, 16);
        c = EVP_aes_128_gcm();
        break;
    case AES256GCM:
        mote_aes_gcm_init(&gcm, key, 32);
        c = EVP_aes_256_gcm();
        break;
    case CHACHA:
        mote_chacha20_poly1305_init(&cha, key);
        c = EVP_chacha20_poly1305();
        break;
    default:
        break;
    }
    if (c)
        EVP_EncryptInit_ex(evp, c, NULL, key, iv);
}

/*
 * Key set-up: what a TLS handshake pays per record key (four per
 * handshake, plus the ticket key on a resumption). Mote's
 * mote_aes_gcm_init (key schedule, H, GHASH powers) against
 * EVP_EncryptInit_ex with a new key on a context whose cipher is already
 * set (OpenSSL's key schedule and GHASH table). The key changes every
 * call.
 */
static int key_len;

static void mote_key_once(enum op op, size_t len)
{
    (void)op, (void)len;
    mote_aes_gcm_init(&gcm, key, (size_t)key_len);
    key[0]++;
}

static void ossl_key_once(enum op op, size_t len)
{
    (void)op, (void)len;
    EVP_EncryptInit_ex(evp, NULL, NULL, key, NULL);
    key[0]++;
}

static double key_secs = 0.5;

static void key_rows(void)
{
    static const struct {
        const char *name;
        int keylen, portable;
    } rows[] = {
        {"AES-128-GCM key set-up", 16, 0},
        {"AES-256-GCM key set-up", 32, 0},
        {"AES-128-GCM key set-up, portable path", 16, 1},
    };
    printf("\n| primitive | Mote keys/s | OpenSSL keys/s | ratio |\n");
    printf("|---|---:|---:|---:|\n");
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        mote_crypto_disable_simd(rows[r].portable ? MOTE_CRYPTO_IMPL_PORTABLE
                                                  : level);
        key_len = rows[r].keylen;
        EVP_EncryptInit_ex(
            evp, key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm(), NULL,
            key, iv);
        double m = 0, o = 0;
        for (int round = 0; round < 3; round++) {
            /* rate() counts len = 1 per call: millions of calls per s. */
            double a = rate(mote_key_once, AES128GCM, 1, key_secs / 3);
            double b = rate(ossl_key_once, AES128GCM, 1, key_secs / 3);
            m = a > m ? a : m;
            o = b > o ? b : o;
        }
        printf("| %s | %.0f | %.0f | %.2fx |\n", rows[r].name, m * 1e6, o * 1e6,
               m / o);
        fflush(stdout);
    }
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 0.5;
    key_secs = secs;
    const char *lv = getenv("MOTE_BENCH_LEVEL");
    if (lv)
        level = atoi(lv);
    static const struct {
        const char *name;
        enum op op;
        size_t len;
    } rows[] = {
        /* Order matters: OpenSSL's AVX-512 ChaCha20 leaves the upper vector
         * state dirty, which halves the speed of SSE-encoded code run after
         * it in the same process (both SHA-NI implementations fell from 2.0
         * to 1.0-1.7 GB/s). The ChaCha20 rows therefore come last. */
        {"SHA-256", SHA256, 16384},
        {"SHA-1", SHA1, 16384},
        {"SHA-512 (AVX2 schedule)", SHA512, 16384},
        {"AES-128-GCM seal", AES128GCM, 16},
        {"AES-128-GCM seal", AES128GCM, 1024},
        {"AES-128-GCM seal", AES128GCM, 16384},
        {"AES-256-GCM seal", AES256GCM, 16384},
        {"AES-128-GCM seal, portable path", AES128GCM_PORTABLE, 16384},
        {"ChaCha20-Poly1305 seal", CHACHA, 16},
        {"ChaCha20-Poly1305 seal", CHACHA, 1024},
        {"ChaCha20-Poly1305 seal", CHACHA, 16384},
    };
    evp = EVP_CIPHER_CTX_new();
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)i;
    memset(key, 7, sizeof key);
    /* Key set-up first: its SSE-encoded AES-NI code would run after the
     * ChaCha20 rows at half speed (see above). */
    key_rows();
    printf("\n");
    printf("| primitive | size | Mote MB/s | OpenSSL MB/s | ratio |\n");
    printf("|---|---:|---:|---:|---:|\n");
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        setup(rows[r].op);
        double m = 0, o = 0;
        for (int round = 0; round < 3; round++) {
            double a = rate(mote_once, rows[r].op, rows[r].len, secs / 3);
            double b = rate(ossl_once, rows[r].op, rows[r].len, secs / 3);
            m = a > m ? a : m;
            o = b > o ? b : o;
        }
        printf("| %s | %zu B | %.0f | %.0f | %.2fx |\n", rows[r].name,
               rows[r].len, m, o, m / o);
        fflush(stdout);
    }
    mote_crypto_disable_simd(0);
    EVP_CIPHER_CTX_free(evp);
    return 0;
}

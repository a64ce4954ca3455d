/* Fortuna (generator against OpenSSL AES/SHA-256, pool and reseed rules)
 * and the process-wide mote_random (fills, fork safety). */
#define _POSIX_C_SOURCE 200809L
#include <mote/crypto.h>
#include <mote/error.h>
#include <openssl/evp.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto_test.h"
#include "tap.h"

static void sha256d(const uint8_t *a, size_t al, const uint8_t *b, size_t bl,
                    uint8_t out[32])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned n;
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    EVP_DigestUpdate(c, a, al);
    EVP_DigestUpdate(c, b, bl);
    EVP_DigestFinal_ex(c, out, &n);
    EVP_Digest(out, 32, out, &n, EVP_sha256(), NULL);
    EVP_MD_CTX_free(c);
}

/* The reference generator: AES-256-ECB of a big-endian counter, then two
 * blocks rekey (Cryptography Engineering 9.4). */
struct ref_gen {
    uint8_t key[32], ctr[16];
};

static void ref_inc(uint8_t c[16])
{
    for (int i = 15; i >= 0 && ++c[i] == 0; i--)
        ;
}

static void ref_block(struct ref_gen *g, uint8_t out[16])
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n;
    EVP_EncryptInit_ex(c, EVP_aes_256_ecb(), NULL, g->key, NULL);
    EVP_CIPHER_CTX_set_padding(c, 0);
    EVP_EncryptUpdate(c, out, &n, g->ctr, 16);
    EVP_CIPHER_CTX_free(c);
    ref_inc(g->ctr);
}

static void ref_generate(struct ref_gen *g, uint8_t *out, size_t n)
{
    uint8_t b[16];
    for (size_t i = 0; i < n; i += 16) {
        ref_block(g, b);
        memcpy(out + i, b, n - i < 16 ? n - i : 16);
    }
    uint8_t k[32];
    ref_block(g, k);
    ref_block(g, k + 16);
    memcpy(g->key, k, 32);
}

static void test_fortuna_generator(void)
{
    struct mote_fortuna f;
    uint8_t out[1000], want[1000];
    mote_fortuna_init(&f);
    memset(out, 0xee, sizeof out);
    is_int(mote_fortuna_generate(&f, 0, out, 16), MOTE_EAGAIN,
           "unseeded generator refuses");
    ok(out[0] == 0xee && out[15] == 0xee, "and leaves the buffer alone");

    uint8_t seed[48], zero[32] = {0};
    ct_randbytes(seed, sizeof seed);
    mote_fortuna_reseed(&f, seed, sizeof seed);
    struct ref_gen g = {{0}, {0}};
    sha256d(zero, 32, seed, sizeof seed, g.key);
    g.ctr[15] = 1;
    int bad = 0;
    static const size_t sizes[] = {0, 1, 15, 16, 17, 100, 999, 32, 5};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        mote_fortuna_generate(&f, 0, out, sizes[i]);
        ref_generate(&g, want, sizes[i]);
        bad += memcmp(out, want, sizes[i]) != 0;
    }
    is_int(bad, 0,
           "output is AES-256-CTR under SHA-256d(K | seed), with a "
           "rekey after every request (vs OpenSSL)");
    mote_fortuna_release(&f);
}

static void test_fortuna_pools(void)
{
    struct mote_fortuna f;
    uint8_t ev[32], out[16], zero[32] = {0};
    mote_fortuna_init(&f);
    is_int(mote_fortuna_add_event(&f, 0, 0, ev, 0), MOTE_EINVAL,
           "empty event refused");
    is_int(mote_fortuna_add_event(&f, 0, 0, ev, 33), MOTE_EINVAL,
           "33-byte event refused");
    /* Pool 0 needs 64 bytes (events count 2 header bytes). */
    uint8_t pool0[128];
    size_t p0 = 0;
    ct_randbytes(ev, 30);
    mote_fortuna_add_event(&f, 7, 0, ev, 30);
    pool0[p0++] = 7, pool0[p0++] = 30;
    memcpy(pool0 + p0, ev, 30), p0 += 30;
    mote_fortuna_add_event(&f, 7, 1, ev, 30); /* pool 1 */
    is_int(mote_fortuna_generate(&f, 0, out, 16), MOTE_EAGAIN,
           "32 bytes in pool 0: no reseed yet");
    ct_randbytes(ev, 30);
    mote_fortuna_add_event(&f, 7, 32, ev, 30); /* 32 mod 32 = pool 0 */
    pool0[p0++] = 7, pool0[p0++] = 30;
    memcpy(pool0 + p0, ev, 30), p0 += 30;
    is_int(mote_fortuna_generate(&f, 5, out, 16), 0,
           "64 bytes in pool 0: first reseed");
    is_int(f.reseeds, 1, "one reseed from the pools");
    /* Reseed 1 uses pool 0 only: K = SHA-256d(0^256 | SHA-256d(pool 0)). */
    uint8_t s[32], k[32], want[16];
    sha256d(pool0, p0, NULL, 0, s);
    sha256d(zero, 32, s, 32, k);
    struct ref_gen g;
    memcpy(g.key, k, 32);
    memset(g.ctr, 0, 16);
    g.ctr[15] = 1;
    ref_generate(&g, want, 16);
    ok(memcmp(out, want, 16) == 0, "key derived from pool 0 as specified");
    ok(f.pool[1].len == 32, "pool 1 untouched by reseed 1");
    for (int i = 0; i < 3; i++)
        mote_fortuna_add_event(&f, 7, 0, ev, 30);
    mote_fortuna_generate(&f, 5 + 50000000, out, 16);
    is_int(f.reseeds, 1, "pool 0 full again but only 50 ms later: no reseed");
    mote_fortuna_generate(&f, 5 + 100000000, out, 16);
    is_int(f.reseeds, 2, "100 ms later: second reseed");
    ok(f.pool[1].len == 0 && f.pool0_len == 0,
       "reseed 2 used and emptied pools 0 and 1");
    mote_fortuna_release(&f);
}

static void test_random_fill(void)
{
    static uint8_t a[1 << 16], b[1 << 16];
    mote_random(a, sizeof a);
    mote_random(b, sizeof b);
    ok(memcmp(a, b, sizeof a) != 0, "two calls give different bytes");
    long ones = 0;
    for (size_t i = 0; i < sizeof a; i++)
        ones += __builtin_popcount(a[i]);
    /* 524288 bits: mean 262144, sd 362; 8 sd is far outside chance. */
    ok(ones > 262144 - 2900 && ones < 262144 + 2900,
       "%ld ones in 2^19 bits (mean 262144)", ones);
    uint8_t before[8] = {1, 2, 3, 4, 5, 6, 7, 8}, z[8];
    memcpy(z, before, 8);
    mote_random(z, 0);
    ok(memcmp(z, before, 8) == 0, "n = 0 writes nothing");
}

static void test_random_fork(void)
{
    uint8_t warm[16], parent[32], child[32];
    mote_random(warm, sizeof warm); /* the state exists before the fork */
    int fd[2];
    if (pipe(fd) != 0) {
        ok(0, "pipe");
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        mote_random(child, sizeof child);
        ssize_t w = write(fd[1], child, sizeof child);
        _exit(w == (ssize_t)sizeof child ? 0 : 1);
    }
    mote_random(parent, sizeof parent);
    ssize_t r = read(fd[0], child, sizeof child);
    int status = 0;
    waitpid(pid, &status, 0);
    close(fd[0]);
    close(fd[1]);
    ok(r == (ssize_t)sizeof child && WIFEXITED(status) &&
           WEXITSTATUS(status) == 0,
       "child reported its bytes");
    ok(memcmp(parent, child, sizeof child) != 0,
       "parent and child after fork do not share a stream");
}

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_fortuna_generator);
    TAP_CASE(test_fortuna_pools);
    TAP_CASE(test_random_fill);
    TAP_CASE(test_random_fork);
    return tap_done();
}

/* SHA-1/SHA-2, HMAC, HKDF and ct_equal: vectors, Wycheproof, OpenSSL. */
#define _POSIX_C_SOURCE 200809L
#include <mote/crypto.h>
#include <mote/error.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>

#include "crypto_test.h"
#include "tap.h"

static const struct {
    const char *name;
    enum mote_hash_alg alg;
} algs[] = {
    {"sha1", MOTE_HASH_SHA1},     {"sha224", MOTE_HASH_SHA224},
    {"sha256", MOTE_HASH_SHA256}, {"sha384", MOTE_HASH_SHA384},
    {"sha512", MOTE_HASH_SHA512},
};
#define NALGS (sizeof algs / sizeof algs[0])

static enum mote_hash_alg alg_by_name(const char *name)
{
    for (size_t i = 0; i < NALGS; i++)
        if (strcmp(algs[i].name, name) == 0)
            return algs[i].alg;
    return MOTE_HASH_NONE;
}

static const EVP_MD *evp_md(enum mote_hash_alg alg)
{
    switch (alg) {
    case MOTE_HASH_SHA1:
        return EVP_sha1();
    case MOTE_HASH_SHA224:
        return EVP_sha224();
    case MOTE_HASH_SHA256:
        return EVP_sha256();
    case MOTE_HASH_SHA384:
        return EVP_sha384();
    case MOTE_HASH_SHA512:
        return EVP_sha512();
    default:
        return NULL;
    }
}

/* Hash msg through the algorithm-specific streaming API, feeding it in the
 * pieces given by cuts (offsets, ascending), to exercise every buffering
 * path of _update. */
static void hash_pieces(enum mote_hash_alg alg, const uint8_t *msg, size_t len,
                        const size_t *cuts, size_t ncuts, uint8_t *out)
{
    struct mote_sha1_ctx c1;
    struct mote_sha256_ctx c256;
    struct mote_sha512_ctx c512;
    size_t prev = 0;
    switch (alg) {
    case MOTE_HASH_SHA1:
        mote_sha1_init(&c1);
        break;
    case MOTE_HASH_SHA224:
        mote_sha224_init(&c256);
        break;
    case MOTE_HASH_SHA256:
        mote_sha256_init(&c256);
        break;
    case MOTE_HASH_SHA384:
        mote_sha384_init(&c512);
        break;
    default:
        mote_sha512_init(&c512);
        break;
    }
    for (size_t i = 0; i <= ncuts; i++) {
        size_t end = i < ncuts ? cuts[i] : len;
        if (alg == MOTE_HASH_SHA1)
            mote_sha1_update(&c1, msg + prev, end - prev);
        else if (alg == MOTE_HASH_SHA224 || alg == MOTE_HASH_SHA256)
            mote_sha256_update(&c256, msg + prev, end - prev);
        else
            mote_sha512_update(&c512, msg + prev, end - prev);
        prev = end;
    }
    if (alg == MOTE_HASH_SHA1)
        mote_sha1_final(&c1, out);
    else if (alg == MOTE_HASH_SHA224 || alg == MOTE_HASH_SHA256)
        mote_sha256_final(&c256, out);
    else
        mote_sha512_final(&c512, out);
}

/* The one-shot function for alg, called directly. */
static void hash_oneshot(enum mote_hash_alg alg, const uint8_t *m, size_t n,
                         uint8_t *out)
{
    switch (alg) {
    case MOTE_HASH_SHA1:
        mote_sha1(m, n, out);
        break;
    case MOTE_HASH_SHA224:
        mote_sha224(m, n, out);
        break;
    case MOTE_HASH_SHA256:
        mote_sha256(m, n, out);
        break;
    case MOTE_HASH_SHA384:
        mote_sha384(m, n, out);
        break;
    default:
        mote_sha512(m, n, out);
        break;
    }
}

struct hash_stats {
    int lines, bad, split_bad;
};

static void hash_line(char **f, int n, void *arg)
{
    struct hash_stats *st = arg;
    st->lines++;
    enum mote_hash_alg alg = n == 3 ? alg_by_name(f[0]) : MOTE_HASH_NONE;
    size_t ml, dl;
    uint8_t *msg = ct_field(f[1], &ml), *want = ct_field(f[2], &dl);
    uint8_t got[MOTE_HASH_MAX_LEN];
    if (!alg || !msg || !want || dl != mote_hash_len(alg)) {
        st->bad++;
        goto out;
    }
    hash_oneshot(alg, msg, ml, got);
    if (memcmp(got, want, dl) != 0) {
        st->bad++;
        tap_diag("%s one-shot differs on %.40s", f[0], f[1]);
    }
    mote_hash(alg, msg, ml, got);
    if (memcmp(got, want, dl) != 0)
        st->bad++;
    /* The split-point test: whole (above), byte by byte, and split at every
     * offset (into two and into three pieces) for the short messages. */
    if (ml <= 256) {
        size_t cuts[256];
        for (size_t i = 0; i < ml; i++)
            cuts[i] = i;
        hash_pieces(alg, msg, ml, cuts, ml, got);
        st->split_bad += memcmp(got, want, dl) != 0;
        for (size_t i = 0; i <= ml; i++) {
            hash_pieces(alg, msg, ml, &i, 1, got);
            st->split_bad += memcmp(got, want, dl) != 0;
            size_t two[2] = {i / 2, i};
            hash_pieces(alg, msg, ml, two, 2, got);
            st->split_bad += memcmp(got, want, dl) != 0;
        }
    } else {
        /* Long messages: odd-sized pieces that straddle block ends. */
        size_t cuts[64], nc = 0;
        for (size_t off = 1; off < ml && nc < 64; off += 1 + off * 3)
            cuts[nc++] = off;
        hash_pieces(alg, msg, ml, cuts, nc, got);
        st->split_bad += memcmp(got, want, dl) != 0;
    }
out:
    free(msg);
    free(want);
}

/* Level 0 uses the SHA extensions where the CPU has them; level 3 forces
 * the portable code (mote_crypto_disable_simd). */
static const char *level_name(int level)
{
    return level ? "portable" : "best";
}

static void test_hash_vectors(void)
{
    for (int level = 0; level <= 3; level += 3) {
        mote_crypto_disable_simd(level);
        struct hash_stats st = {0};
        int n = ct_vector_file("tests/vectors/crypto_hash.txt", hash_line, &st);
        ok(n >= 25, "%s: read %d NIST hash vectors", level_name(level), n);
        is_int(st.bad, 0,
               "%s: every NIST vector matches (one-shot and by name)",
               level_name(level));
        is_int(st.split_bad, 0, "%s: byte by byte and every split point match",
               level_name(level));
    }
    mote_crypto_disable_simd(0);
}

static void test_hash_openssl(void)
{
    /* Every length 0..1024 with random content, then random lengths up to
     * 64 KiB, against libcrypto's EVP_Digest. */
    static uint8_t msg[65536];
    int bad = 0, runs = 0;
    for (int level = 0; level <= 3; level += 3)
        for (size_t a = 0; a < NALGS; a++) {
            mote_crypto_disable_simd(level);
            for (size_t len = 0; len <= 1024 + 40; len++) {
                size_t n = len <= 1024 ? len : ct_rand64() % sizeof msg;
                ct_randbytes(msg, n);
                uint8_t want[EVP_MAX_MD_SIZE], got[MOTE_HASH_MAX_LEN];
                unsigned wl;
                EVP_Digest(msg, n, want, &wl, evp_md(algs[a].alg), NULL);
                mote_hash(algs[a].alg, msg, n, got);
                runs++;
                if (wl != mote_hash_len(algs[a].alg) || memcmp(got, want, wl)) {
                    if (!bad)
                        tap_diag("%s differs from OpenSSL at length %zu",
                                 algs[a].name, n);
                    bad++;
                }
            }
        }
    mote_crypto_disable_simd(0);
    ok(runs > 10000, "%d random messages hashed (SHA-NI and portable)", runs);
    is_int(bad, 0,
           "all five hashes agree with OpenSSL on lengths 0..1024 "
           "and random lengths");
}

static void test_hash_errors(void)
{
    struct mote_hash_ctx ctx;
    uint8_t out[64];
    is_int(mote_hash_init(&ctx, MOTE_HASH_NONE), MOTE_EINVAL,
           "unknown algorithm refused by init");
    is_int(mote_hash((enum mote_hash_alg)99, "", 0, out), MOTE_EINVAL,
           "and by the one-shot");
    is_int(mote_hash_len((enum mote_hash_alg)99), 0, "unknown alg has len 0");
    is_int(mote_hash_block_len(MOTE_HASH_SHA384), 128, "SHA-384 block 128");
}

/* ---- HMAC ---------------------------------------------------------------- */

static void hmac_line(char **f, int n, void *arg)
{
    int *bad = arg;
    enum mote_hash_alg alg = n == 4 ? alg_by_name(f[0]) : MOTE_HASH_NONE;
    size_t kl, dl, tl;
    uint8_t *k = ct_field(f[1], &kl), *d = ct_field(f[2], &dl),
            *t = ct_field(f[3], &tl);
    uint8_t got[MOTE_HASH_MAX_LEN];
    if (!alg || !k || !d || !t) {
        (*bad)++;
    } else {
        mote_hmac(alg, k, kl, d, dl, got);
        *bad += memcmp(got, t, tl) != 0;
        *bad += mote_hmac_verify(alg, k, kl, d, dl, t, tl) != 0;
        t[tl - 1] ^= 1;
        *bad += mote_hmac_verify(alg, k, kl, d, dl, t, tl) != MOTE_EAUTH;
        /* Streaming with a split at every offset of the data. */
        t[tl - 1] ^= 1;
        for (size_t i = 0; i <= dl; i++) {
            struct mote_hmac_ctx c;
            mote_hmac_init(&c, alg, k, kl);
            mote_hmac_update(&c, d, i);
            mote_hmac_update(&c, d + i, dl - i);
            mote_hmac_final(&c, got);
            *bad += memcmp(got, t, tl) != 0;
        }
    }
    free(k);
    free(d);
    free(t);
}

static void test_hmac_vectors(void)
{
    int bad = 0;
    int n = ct_vector_file("tests/vectors/crypto_hmac.txt", hmac_line, &bad);
    ok(n == 35, "read %d RFC 2202/4231 HMAC vectors", n);
    is_int(bad, 0, "all match, verify accepts them and rejects a flipped bit");
}

struct wp_stats {
    enum mote_hash_alg alg;
    long valid, invalid, bad;
};

static void hmac_wp_case(const struct ct_wp_case *c, void *arg)
{
    struct wp_stats *st = arg;
    size_t kl, ml, tl;
    uint8_t *k = ct_wp_hex(c, "key", &kl), *m = ct_wp_hex(c, "msg", &ml),
            *t = ct_wp_hex(c, "tag", &tl);
    long tagsize = ct_wp_group_num(c, "tagSize");
    int want = ct_wp_result(c);
    if (!k || !m || !t || tagsize <= 0 || want < 0) {
        st->bad++;
        goto out;
    }
    /* Policy for the test: a tag must be exactly the group's tag size. */
    int got = tl == (size_t)tagsize / 8 &&
              mote_hmac_verify(st->alg, k, kl, m, ml, t, tl) == 0;
    if (got != (want == 1)) {
        st->bad++;
        tap_diag("tcId %ld: verify says %d, Wycheproof says %d", c->tcid, got,
                 want);
    }
    if (want == 1)
        st->valid++;
    else
        st->invalid++;
out:
    free(k);
    free(m);
    free(t);
}

static void test_hmac_wycheproof(void)
{
    static const struct {
        const char *file;
        enum mote_hash_alg alg;
    } files[] = {
        {"hmac_sha1_test.json", MOTE_HASH_SHA1},
        {"hmac_sha256_test.json", MOTE_HASH_SHA256},
        {"hmac_sha384_test.json", MOTE_HASH_SHA384},
        {"hmac_sha512_test.json", MOTE_HASH_SHA512},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct wp_stats st = {files[i].alg, 0, 0, 0};
        long n = ct_wycheproof(files[i].file, hmac_wp_case, &st);
        ok(n > 100, "%s: ran %ld cases (%ld valid, %ld invalid)", files[i].file,
           n, st.valid, st.invalid);
        is_int(st.bad, 0, "%s: valid accepted, invalid rejected",
               files[i].file);
    }
}

static void test_hmac_openssl(void)
{
    static uint8_t key[300], msg[1100];
    int bad = 0, runs = 0;
    for (size_t a = 0; a < NALGS; a++) {
        for (size_t len = 0; len <= 1024; len++) {
            size_t kl = ct_rand64() % sizeof key;
            ct_randbytes(key, kl);
            ct_randbytes(msg, len);
            uint8_t want[EVP_MAX_MD_SIZE], got[MOTE_HASH_MAX_LEN];
            unsigned wl;
            HMAC(evp_md(algs[a].alg), key, (int)kl, msg, len, want, &wl);
            mote_hmac(algs[a].alg, key, kl, msg, len, got);
            runs++;
            bad += memcmp(got, want, wl) != 0;
        }
    }
    ok(runs == 5 * 1025, "%d random messages and keys", runs);
    is_int(bad, 0, "HMAC agrees with OpenSSL for all five hashes");
    uint8_t t[64] = {0};
    is_int(mote_hmac_verify(MOTE_HASH_SHA256, "k", 1, "m", 1, t, 0),
           MOTE_EINVAL, "empty tag refused");
    is_int(mote_hmac_verify(MOTE_HASH_SHA256, "k", 1, "m", 1, t, 33),
           MOTE_EINVAL, "tag longer than the digest refused");
    struct mote_hmac_ctx c;
    is_int(mote_hmac_init(&c, MOTE_HASH_NONE, "k", 1), MOTE_EINVAL,
           "unknown algorithm refused");
}

/* ---- HKDF ---------------------------------------------------------------- */

static void hkdf_line(char **f, int n, void *arg)
{
    int *bad = arg;
    enum mote_hash_alg alg = n == 6 ? alg_by_name(f[0]) : MOTE_HASH_NONE;
    size_t il, sl, nl, pl, ol;
    uint8_t *ikm = ct_field(f[1], &il), *salt = ct_field(f[2], &sl),
            *info = ct_field(f[3], &nl), *prk = ct_field(f[4], &pl),
            *okm = ct_field(f[5], &ol);
    uint8_t got[MOTE_HASH_MAX_LEN], out[256];
    if (!alg || !ikm || !salt || !info || !prk || !okm) {
        (*bad)++;
    } else {
        *bad += mote_hkdf_extract(alg, strcmp(f[2], "none") ? salt : NULL, sl,
                                  ikm, il, got) != 0;
        *bad += memcmp(got, prk, pl) != 0;
        *bad += mote_hkdf_expand(alg, prk, pl, info, nl, out, ol) != 0;
        *bad += memcmp(out, okm, ol) != 0;
        memset(out, 0, sizeof out);
        *bad += mote_hkdf(alg, salt, sl, ikm, il, info, nl, out, ol) != 0;
        *bad += memcmp(out, okm, ol) != 0;
    }
    free(ikm);
    free(salt);
    free(info);
    free(prk);
    free(okm);
}

static void test_hkdf_vectors(void)
{
    int bad = 0;
    int n = ct_vector_file("tests/vectors/crypto_hkdf.txt", hkdf_line, &bad);
    ok(n == 7, "read %d RFC 5869 test cases", n);
    is_int(bad, 0, "PRK and OKM match for all of them");
}

static void hkdf_wp_case(const struct ct_wp_case *c, void *arg)
{
    struct wp_stats *st = arg;
    size_t il, sl, nl, ol;
    uint8_t *ikm = ct_wp_hex(c, "ikm", &il), *salt = ct_wp_hex(c, "salt", &sl),
            *info = ct_wp_hex(c, "info", &nl), *okm = ct_wp_hex(c, "okm", &ol);
    char *size = ct_wp_str(c->start, c->end, "size");
    int want = ct_wp_result(c);
    if (!ikm || !salt || !info || !okm || !size || want < 0) {
        st->bad++;
    } else {
        size_t L = strtoul(size, NULL, 10);
        uint8_t *out = malloc(L + 1);
        int err = mote_hkdf(st->alg, salt, sl, ikm, il, info, nl, out, L);
        int got = err == 0 && L == ol && memcmp(out, okm, L) == 0;
        if (got != (want == 1)) {
            st->bad++;
            tap_diag("tcId %ld: got %d (err %d), want %d", c->tcid, got, err,
                     want);
        }
        if (want != 1 && err != MOTE_EINVAL) {
            st->bad++;
            tap_diag("tcId %ld: invalid case not refused with EINVAL", c->tcid);
        }
        st->valid += want == 1;
        st->invalid += want != 1;
        free(out);
    }
    free(ikm);
    free(salt);
    free(info);
    free(okm);
    free(size);
}

static void test_hkdf_wycheproof(void)
{
    static const struct {
        const char *file;
        enum mote_hash_alg alg;
    } files[] = {
        {"hkdf_sha256_test.json", MOTE_HASH_SHA256},
        {"hkdf_sha384_test.json", MOTE_HASH_SHA384},
    };
    for (size_t i = 0; i < 2; i++) {
        struct wp_stats st = {files[i].alg, 0, 0, 0};
        long n = ct_wycheproof(files[i].file, hkdf_wp_case, &st);
        ok(n > 50, "%s: ran %ld cases (%ld valid, %ld invalid)", files[i].file,
           n, st.valid, st.invalid);
        is_int(st.bad, 0, "%s: every case as expected", files[i].file);
    }
}

static void test_hkdf_openssl(void)
{
    int bad = 0, runs = 0;
    for (int i = 0; i < 600; i++) {
        enum mote_hash_alg alg = algs[i % NALGS].alg;
        uint8_t ikm[100], salt[200], info[100], want[1024], got[1024];
        size_t il = ct_rand64() % 100, sl = ct_rand64() % 200,
               nl = ct_rand64() % 100;
        size_t L = 1 + ct_rand64() % (mote_hash_len(alg) * 16);
        ct_randbytes(ikm, il);
        ct_randbytes(salt, sl);
        ct_randbytes(info, nl);
        EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
        size_t wl = L;
        int e = EVP_PKEY_derive_init(pc) <= 0 ||
                EVP_PKEY_CTX_set_hkdf_md(pc, evp_md(alg)) <= 0 ||
                EVP_PKEY_CTX_set1_hkdf_salt(pc, salt, (int)sl) <= 0 ||
                EVP_PKEY_CTX_set1_hkdf_key(pc, ikm, (int)il) <= 0 ||
                EVP_PKEY_CTX_add1_hkdf_info(pc, info, (int)nl) <= 0 ||
                EVP_PKEY_derive(pc, want, &wl) <= 0;
        EVP_PKEY_CTX_free(pc);
        if (e) /* OpenSSL refuses an empty key; not our concern here */
            continue;
        runs++;
        bad += mote_hkdf(alg, salt, sl, ikm, il, info, nl, got, L) != 0 ||
               memcmp(got, want, L) != 0;
    }
    ok(runs > 500, "%d random HKDF derivations", runs);
    is_int(bad, 0, "HKDF agrees with OpenSSL");
    uint8_t prk[32] = {0}, out[8161];
    is_int(mote_hkdf_expand(MOTE_HASH_SHA256, prk, 32, "", 0, out, 8161),
           MOTE_EINVAL, "more than 255 * HashLen refused");
    is_int(mote_hkdf_expand(MOTE_HASH_SHA256, prk, 31, "", 0, out, 8),
           MOTE_EINVAL, "PRK shorter than HashLen refused");
    is_int(mote_hkdf_expand(MOTE_HASH_SHA256, prk, 32, "", 0, out, 8160), 0,
           "exactly 255 * HashLen allowed");
}

static void test_ct_equal(void)
{
    uint8_t a[64], b[64];
    ct_randbytes(a, sizeof a);
    memcpy(b, a, sizeof a);
    ok(mote_crypto_ct_equal(a, b, 64) == 1, "equal buffers");
    ok(mote_crypto_ct_equal(a, b, 0) == 1, "empty buffers are equal");
    int bad = 0;
    for (int i = 0; i < 64; i++)
        for (int bit = 0; bit < 8; bit++) {
            b[i] ^= (uint8_t)(1 << bit);
            bad += mote_crypto_ct_equal(a, b, 64) != 0;
            b[i] ^= (uint8_t)(1 << bit);
        }
    is_int(bad, 0, "every single-bit difference detected");
    uint8_t z[32];
    memset(z, 0xa5, sizeof z);
    mote_memzero_explicit(z, sizeof z);
    uint8_t zero[32] = {0};
    ok(memcmp(z, zero, 32) == 0, "memzero_explicit zeroes");
}

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_hash_vectors);
    TAP_CASE(test_hash_openssl);
    TAP_CASE(test_hash_errors);
    TAP_CASE(test_hmac_vectors);
    TAP_CASE(test_hmac_wycheproof);
    TAP_CASE(test_hmac_openssl);
    TAP_CASE(test_hkdf_vectors);
    TAP_CASE(test_hkdf_wycheproof);
    TAP_CASE(test_hkdf_openssl);
    TAP_CASE(test_ct_equal);
    return tap_done();
}

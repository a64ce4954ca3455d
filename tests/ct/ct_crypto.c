/* Constant-time check: run the secret-dependent crypto operations with their
 * secrets marked undefined, so that valgrind memcheck reports any branch or
 * memory index that depends on them. Driven by tests/interop/ct_check.t. */
#include <mote/crypto.h>
#include <mote/error.h>
#include <stdio.h>
#include <string.h>
#include <valgrind/memcheck.h>

/*
 * Usage: ct_crypto lib      the library's secret-dependent operations; a
 *                           clean run has zero memcheck errors.
 *        ct_crypto control  a deliberately leaky compare and table lookup;
 *                           memcheck MUST report them, or the check is blind.
 *
 * Secrets (keys, plaintexts, tags, MAC keys) are marked undefined with
 * VALGRIND_MAKE_MEM_UNDEFINED; outputs are marked defined again before this
 * program looks at them. The one deliberate use of a secret-derived value is
 * the verdict of a tag comparison, which is public by design (the attacker
 * learns accept/reject anyway): tests/ct/ct.supp names those three frames
 * (mote_aes_gcm_open, mote_chacha20_poly1305_open, mote_hmac_verify) and
 * nothing else.
 */

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED(p, n)
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED(p, n)

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + 31 * i);
}

static void run_gcm(const char *label, size_t keylen)
{
    struct mote_aes_gcm_ctx ctx;
    uint8_t key[32], iv[12], aad[20], pt[100], ct[100], back[100], tag[16];
    fill(key, sizeof key, 1);
    fill(iv, sizeof iv, 2);
    fill(aad, sizeof aad, 3);
    fill(pt, sizeof pt, 4);
    SECRET(key, sizeof key);
    SECRET(pt, sizeof pt);
    mote_aes_gcm_init(&ctx, key, keylen);
    mote_aes_gcm_seal(&ctx, iv, 12, aad, sizeof aad, pt, sizeof pt, ct, tag,
                      16);
    /* A 13-byte IV takes the GHASH path for J0. */
    mote_aes_gcm_seal(&ctx, iv, 11, aad, sizeof aad, pt, sizeof pt, ct, tag,
                      16);
    mote_aes_gcm_seal(&ctx, iv, 12, aad, sizeof aad, pt, sizeof pt, ct, tag,
                      16);
    /* Open with a secret ciphertext and tag: the verdict is declassified,
     * the plaintext stays secret. */
    SECRET(ct, sizeof ct);
    SECRET(tag, sizeof tag);
    int err = mote_aes_gcm_open(&ctx, iv, 12, aad, sizeof aad, ct, sizeof ct,
                                tag, 16, back);
    PUBLIC(&err, sizeof err);
    tag[0] ^= 1;
    int err2 = mote_aes_gcm_open(&ctx, iv, 12, aad, sizeof aad, ct, sizeof ct,
                                 tag, 16, back);
    PUBLIC(&err2, sizeof err2);
    uint8_t blk[16];
    mote_aes_encrypt_block(&ctx, pt, blk);
    mote_aes_gcm_release(&ctx);
    PUBLIC(back, sizeof back);
    PUBLIC(pt, sizeof pt);
    printf("%s: open %d, tampered %d, round trip %s\n", label, err, err2,
           memcmp(back, pt, sizeof pt) == 0 || err2 ? "ok" : "BAD");
}

static void run_chacha(const char *label)
{
    struct mote_chacha20_poly1305_ctx ctx;
    uint8_t key[32], nonce[12], aad[13], pt[600], ct[600], back[600], tag[16];
    fill(key, sizeof key, 5);
    fill(nonce, sizeof nonce, 6);
    fill(aad, sizeof aad, 7);
    fill(pt, sizeof pt, 8);
    SECRET(key, sizeof key);
    SECRET(pt, sizeof pt);
    mote_chacha20_poly1305_init(&ctx, key);
    mote_chacha20_poly1305_seal(&ctx, nonce, aad, sizeof aad, pt, sizeof pt, ct,
                                tag);
    SECRET(ct, sizeof ct);
    SECRET(tag, sizeof tag);
    int err = mote_chacha20_poly1305_open(&ctx, nonce, aad, sizeof aad, ct,
                                          sizeof ct, tag, back);
    PUBLIC(&err, sizeof err);
    uint8_t mac[16];
    mote_poly1305(key, pt, 77, mac);
    mote_chacha20_poly1305_release(&ctx);
    PUBLIC(back, sizeof back);
    PUBLIC(pt, sizeof pt);
    printf("%s: open %d, round trip %s\n", label, err,
           memcmp(back, pt, sizeof pt) == 0 ? "ok" : "BAD");
}

static void run_hmac(void)
{
    uint8_t key[40], msg[150], mac[64];
    static const enum mote_hash_alg algs[] = {
        MOTE_HASH_SHA1, MOTE_HASH_SHA256, MOTE_HASH_SHA384, MOTE_HASH_SHA512};
    fill(key, sizeof key, 9);
    fill(msg, sizeof msg, 10);
    for (size_t i = 0; i < 4; i++) {
        SECRET(key, sizeof key);
        SECRET(msg, sizeof msg);
        mote_hmac(algs[i], key, sizeof key, msg, sizeof msg, mac);
        SECRET(mac, sizeof mac);
        int err = mote_hmac_verify(algs[i], key, sizeof key, msg, sizeof msg,
                                   mac, mote_hash_len(algs[i]));
        PUBLIC(&err, sizeof err);
        printf("hmac %zu: verify %d\n", i, err);
    }
    uint8_t okm[80];
    mote_hkdf(MOTE_HASH_SHA256, NULL, 0, key, sizeof key, "info", 4, okm,
              sizeof okm);
    /* Tag compare on its own. */
    uint8_t a[32], b[32];
    fill(a, 32, 11);
    fill(b, 32, 11);
    SECRET(a, 32);
    SECRET(b, 32);
    int eq = mote_crypto_ct_equal(a, b, 32);
    PUBLIC(&eq, sizeof eq);
    printf("ct_equal: %d\n", eq);
}

static void run_fortuna(void)
{
    struct mote_fortuna f;
    uint8_t seed[32], out[64];
    fill(seed, sizeof seed, 12);
    SECRET(seed, sizeof seed);
    mote_fortuna_init(&f);
    mote_fortuna_reseed(&f, seed, sizeof seed);
    mote_fortuna_generate(&f, 0, out, sizeof out);
    mote_fortuna_release(&f);
    printf("fortuna: ok\n");
}

/* The negative control: what the check exists to catch. */
__attribute__((noinline)) static int leaky_compare(const uint8_t *a,
                                                   const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i]) /* early exit: a secret-dependent branch */
            return 0;
    return 1;
}

static volatile uint8_t table[256];

__attribute__((noinline)) static uint8_t leaky_lookup(uint8_t secret)
{
    return table[secret]; /* a secret-dependent index */
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "control") == 0) {
        uint8_t a[16], b[16];
        fill(a, 16, 1);
        fill(b, 16, 1);
        SECRET(a, 16);
        int r = leaky_compare(a, b, 16);
        uint8_t v = leaky_lookup(a[3]);
        PUBLIC(&r, sizeof r);
        PUBLIC(&v, sizeof v);
        printf("control: %d %d\n", r, v);
        return 0;
    }
    if (argc != 2 || strcmp(argv[1], "lib") != 0) {
        fprintf(stderr, "usage: ct_crypto lib|control\n");
        return 2;
    }
    /* Every implementation valgrind can run: it emulates AVX2, AES-NI and
     * PCLMULQDQ but not AVX-512, VAES or SHA-NI, and hides those from
     * cpuid, so "best" here is AVX2 ChaCha20 and Poly1305 with AES-NI GCM;
     * then SSE2 ChaCha20; then the portable code. */
    static const struct {
        int level;
        const char *gcm, *chacha; /* NULL: same code as the level before */
    } levels[] = {
        {MOTE_CRYPTO_IMPL_BEST, "aes-gcm aes-ni", "chacha avx2"},
        {MOTE_CRYPTO_IMPL_NO_AVX2, NULL, "chacha sse2"},
        {MOTE_CRYPTO_IMPL_PORTABLE, "aes-gcm portable", "chacha portable"},
    };
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        mote_crypto_disable_simd(levels[i].level);
        if (levels[i].gcm) {
            run_gcm(levels[i].gcm, 16);
            run_gcm(levels[i].gcm, 24);
            run_gcm(levels[i].gcm, 32);
        }
        run_chacha(levels[i].chacha);
    }
    mote_crypto_disable_simd(0);
    run_hmac();
    run_fortuna();
    return 0;
}

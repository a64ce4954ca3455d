/* The AES key schedule (src/crypto/aes.c, gcm_x86.c; internal API from
 * crypto_int.h): the portable expansion and the AES-NI one against the
 * FIPS 197 appendix A vectors and against a slow reference written here
 * (S-box from the GF(2^8) inverse found by search), on random keys of
 * every size; and whole-block encryption by both paths against FIPS 197
 * appendix C. */
#define _POSIX_C_SOURCE 200809L /* crypto_test.h: strtok_r */
#include <mote/crypto.h>
#include <stdint.h>
#include <string.h>

#include "../../src/crypto/crypto_int.h"
#include "crypto_test.h"
#include "tap.h"

/* ---- Reference: the S-box by definition, the schedule byte by byte ---- */

static uint8_t gmul(uint8_t a, uint8_t b)
{
    uint8_t r = 0;
    for (int i = 0; i < 8; i++) {
        if (b & 1)
            r ^= a;
        a = (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1b : 0));
        b >>= 1;
    }
    return r;
}

static uint8_t ref_sbox[256];

static void ref_sbox_init(void)
{
    for (int x = 0; x < 256; x++) {
        uint8_t inv = 0;
        for (int y = 1; y < 256 && x; y++)
            if (gmul((uint8_t)x, (uint8_t)y) == 1)
                inv = (uint8_t)y;
        uint8_t s = 0x63;
        for (int i = 0; i < 8; i++) {
            int bit =
                ((inv >> i) ^ (inv >> ((i + 4) % 8)) ^ (inv >> ((i + 5) % 8)) ^
                 (inv >> ((i + 6) % 8)) ^ (inv >> ((i + 7) % 8))) &
                1;
            s ^= (uint8_t)(bit << i);
        }
        ref_sbox[x] = s;
    }
}

static void ref_expand(uint8_t rk[15][16], const uint8_t *key, size_t keylen)
{
    size_t nk = keylen / 4, nr = nk + 6;
    uint8_t w[60][4], rcon = 1;
    memcpy(w, key, keylen);
    for (size_t i = nk; i < 4 * (nr + 1); i++) {
        uint8_t t[4];
        memcpy(t, w[i - 1], 4);
        if (i % nk == 0) {
            uint8_t t0 = t[0];
            t[0] = (uint8_t)(ref_sbox[t[1]] ^ rcon);
            t[1] = ref_sbox[t[2]];
            t[2] = ref_sbox[t[3]];
            t[3] = ref_sbox[t0];
            rcon = gmul(rcon, 2);
        } else if (nk > 6 && i % nk == 4) {
            for (int j = 0; j < 4; j++)
                t[j] = ref_sbox[t[j]];
        }
        for (int j = 0; j < 4; j++)
            w[i][j] = w[i - nk][j] ^ t[j];
    }
    memcpy(rk, w, 16 * (nr + 1));
}

static int have_aesni(void)
{
    return (crypto__cpu() & CRYPTO_CPU_AESNI) != 0;
}

static void hex(uint8_t *out, const char *s)
{
    for (size_t i = 0; s[2 * i]; i++)
        out[i] = (uint8_t)(ct_hexval(s[2 * i]) << 4 | ct_hexval(s[2 * i + 1]));
}

/* FIPS 197 appendix A: the key, and the last four words of the schedule
 * (w[Nb(Nr+1)-4..]) with two of the first expanded ones. */
static const struct {
    const char *key, *first, *last;
} fips_a[] = {
    {"2b7e151628aed2a6abf7158809cf4f3c", "a0fafe1788542cb1",
     "d014f9a8c9ee2589e13f0cc8b6630ca6"},
    {"8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", "fe0c91f72402f5a5",
     "e98ba06f448c773c8ecc720401002202"},
    {"603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "9ba354118e6925af", "fe4890d1e6188d0b046df344706c631e"},
};

typedef void (*expand_fn)(uint8_t rk[15][16], unsigned *rounds,
                          const uint8_t *key, size_t keylen);

static void check_fips_a(const char *name, expand_fn fn)
{
    for (size_t i = 0; i < sizeof fips_a / sizeof fips_a[0]; i++) {
        uint8_t key[32], first[8], last[16], rk[15][16];
        size_t kl = strlen(fips_a[i].key) / 2;
        unsigned rounds = 0;
        hex(key, fips_a[i].key);
        hex(first, fips_a[i].first);
        hex(last, fips_a[i].last);
        memset(rk, 0xaa, sizeof rk);
        fn(rk, &rounds, key, kl);
        ok(rounds == kl / 4 + 6 && memcmp(rk[0], key, kl) == 0 &&
               memcmp(&rk[0][0] + kl, first, 8) == 0 &&
               memcmp(rk[rounds], last, 16) == 0,
           "%s: FIPS 197 A.%zu (AES-%zu)", name, i + 1, 8 * kl);
    }
}

static void test_fips197_expansion(void)
{
    check_fips_a("portable", crypto__aes_expand_portable);
    if (have_aesni())
        check_fips_a("aes-ni", crypto__aes_x86_expand);
    else
        tap_diag("no AES-NI here: the AES-NI expansion not run");
    check_fips_a("dispatch", crypto__aes_expand);
}

static void test_reference_sbox(void)
{
    /* The reference itself, against FIPS 197 figure 7 entries. */
    ok(ref_sbox[0x00] == 0x63 && ref_sbox[0x01] == 0x7c &&
           ref_sbox[0x53] == 0xed && ref_sbox[0xff] == 0x16,
       "reference S-box: 00->63, 01->7c, 53->ed, ff->16");
}

/* Random keys of each size: the portable and the AES-NI expansion equal
 * the reference, and fill exactly rounds + 1 round keys. */
static void test_random_keys(void)
{
    static const size_t sizes[] = {16, 24, 32};
    const int n = 20000;
    int aesni = have_aesni();
    for (size_t s = 0; s < 3; s++) {
        size_t kl = sizes[s];
        int bad_p = 0, bad_x = 0;
        for (int i = 0; i < n; i++) {
            uint8_t key[32], want[15][16], p[15][16], x[15][16];
            unsigned rp = 0, rx = 0;
            ct_randbytes(key, kl);
            /* A few structured keys too: all zero, all ones. */
            if (i == 0)
                memset(key, 0, kl);
            if (i == 1)
                memset(key, 0xff, kl);
            memset(want, 0x5a, sizeof want);
            memset(p, 0x5a, sizeof p);
            memset(x, 0x5a, sizeof x);
            ref_expand(want, key, kl);
            crypto__aes_expand_portable(p, &rp, key, kl);
            bad_p += rp != kl / 4 + 6 || memcmp(p, want, sizeof want) != 0;
            if (aesni) {
                crypto__aes_x86_expand(x, &rx, key, kl);
                bad_x += rx != kl / 4 + 6 || memcmp(x, want, sizeof want) != 0;
            }
        }
        ok(bad_p == 0, "portable = reference, %d AES-%zu keys (%d differ)", n,
           8 * kl, bad_p);
        if (aesni)
            ok(bad_x == 0, "aes-ni = reference, %d AES-%zu keys (%d differ)", n,
               8 * kl, bad_x);
    }
}

/* FIPS 197 appendix C through the public API, portable and best paths:
 * the expansion chosen by the context's implementation feeds the block. */
static void test_fips197_blocks(void)
{
    static const char *const want[] = {"69c4e0d86a7b0430d8cdb78070b4c55a",
                                       "dda97ca4864cdfe06eaf70a0ec0d7191",
                                       "8ea2b7ca516745bfeafc49904b496089"};
    static const int levels[] = {MOTE_CRYPTO_IMPL_BEST,
                                 MOTE_CRYPTO_IMPL_PORTABLE};
    uint8_t key[32], pt[16], ct[16], exp[16];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    hex(pt, "00112233445566778899aabbccddeeff");
    for (size_t l = 0; l < 2; l++) {
        mote_crypto_disable_simd(levels[l]);
        for (size_t k = 0; k < 3; k++) {
            struct mote_aes_gcm_ctx c;
            size_t kl = 16 + 8 * k;
            hex(exp, want[k]);
            memset(ct, 0, sizeof ct);
            int err = mote_aes_gcm_init(&c, key, kl);
            mote_aes_encrypt_block(&c, pt, ct);
            mote_aes_gcm_release(&c);
            ok(err == 0 && memcmp(ct, exp, 16) == 0,
               "%s: FIPS 197 C.%zu (AES-%zu) block", l ? "portable" : "best",
               k + 1, 8 * kl);
        }
    }
    mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_BEST);
}

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    ref_sbox_init();
    TAP_CASE(test_reference_sbox);
    TAP_CASE(test_fips197_expansion);
    TAP_CASE(test_random_keys);
    TAP_CASE(test_fips197_blocks);
    return tap_done();
}

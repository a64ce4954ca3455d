/* AES-GCM with AES-NI and PCLMULQDQ: 8 blocks of CTR at a time, GHASH with
 * one reduction per 8 blocks. */
#include <mote/crypto.h>
#include <string.h>

#include "crypto_int.h"

/*
 * GHASH follows Gueron and Kounavis, "Intel Carry-Less Multiplication
 * Instruction and its Usage for Computing the GCM Mode" (2010): blocks are
 * byte-reflected with PSHUFB so that PCLMULQDQ's bit order lines up with
 * GCM's reflected one, the 256-bit product is shifted left by one bit, then
 * reduced modulo x^128 + x^7 + x^2 + x + 1. Products of 8 blocks with H^8 ..
 * H^1 are summed unreduced (the shift and the reduction are linear) and
 * reduced once. AES-NI and PCLMULQDQ run in constant time.
 */

#if defined(__x86_64__)
#include <immintrin.h>

#define TGT __attribute__((target("aes,pclmul,ssse3,sse4.1")))

TGT static inline __m128i bswap128(__m128i x)
{
    return _mm_shuffle_epi8(
        x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

/* The 256-bit carry-less product of a and b, as lo and hi halves. */
TGT static inline void clmul(__m128i a, __m128i b, __m128i *lo, __m128i *hi)
{
    __m128i t0 = _mm_clmulepi64_si128(a, b, 0x00);
    __m128i t1 = _mm_clmulepi64_si128(a, b, 0x10);
    __m128i t2 = _mm_clmulepi64_si128(a, b, 0x01);
    __m128i t3 = _mm_clmulepi64_si128(a, b, 0x11);
    t1 = _mm_xor_si128(t1, t2);
    *lo = _mm_xor_si128(t0, _mm_slli_si128(t1, 8));
    *hi = _mm_xor_si128(t3, _mm_srli_si128(t1, 8));
}

/* Shift the 256-bit hi:lo left by one and reduce (reflected domain). */
TGT static inline __m128i reduce(__m128i lo, __m128i hi)
{
    __m128i t7 = _mm_srli_epi32(lo, 31), t8 = _mm_srli_epi32(hi, 31);
    lo = _mm_slli_epi32(lo, 1);
    hi = _mm_slli_epi32(hi, 1);
    __m128i t9 = _mm_srli_si128(t7, 12);
    t8 = _mm_slli_si128(t8, 4);
    t7 = _mm_slli_si128(t7, 4);
    lo = _mm_or_si128(lo, t7);
    hi = _mm_or_si128(hi, t8);
    hi = _mm_or_si128(hi, t9);
    t7 = _mm_slli_epi32(lo, 31);
    t8 = _mm_slli_epi32(lo, 30);
    t9 = _mm_slli_epi32(lo, 25);
    t7 = _mm_xor_si128(t7, t8);
    t7 = _mm_xor_si128(t7, t9);
    t8 = _mm_srli_si128(t7, 4);
    t7 = _mm_slli_si128(t7, 12);
    lo = _mm_xor_si128(lo, t7);
    __m128i t2 = _mm_srli_epi32(lo, 1);
    __m128i t4 = _mm_srli_epi32(lo, 2);
    __m128i t5 = _mm_srli_epi32(lo, 7);
    t2 = _mm_xor_si128(t2, t4);
    t2 = _mm_xor_si128(t2, t5);
    t2 = _mm_xor_si128(t2, t8);
    lo = _mm_xor_si128(lo, t2);
    return _mm_xor_si128(hi, lo);
}

TGT static inline __m128i gfmul(__m128i a, __m128i b)
{
    __m128i lo, hi;
    clmul(a, b, &lo, &hi);
    return reduce(lo, hi);
}

TGT void crypto__gcm_x86_init(struct mote_aes_gcm_ctx *ctx)
{
    /* H^1..H^16 as a tree, so that the products of a level are
     * independent (four multiplications deep instead of fifteen):
     * H^2 = H H, H^3..H^4 from H^2, H^5..H^8 from H^4, H^9..H^16 from H^8. */
    __m128i p[16];
    p[0] = bswap128(_mm_loadu_si128((const __m128i *)ctx->h));
    p[1] = gfmul(p[0], p[0]);
    for (int n = 2; n < 16; n *= 2) {
        __m128i top = p[n - 1];
        for (int i = 0; i < n; i++)
            p[n + i] = gfmul(top, p[i]);
    }
    for (int i = 0; i < 16; i++)
        _mm_storeu_si128((__m128i *)ctx->htab[i], p[i]);
}

TGT void crypto__ghash_x86(const struct mote_aes_gcm_ctx *ctx, uint8_t y[16],
                           const uint8_t *in, size_t nblocks)
{
    __m128i h[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; i++)
        h[i] = _mm_loadu_si128((const __m128i *)ctx->htab[i]);
    __m128i acc = bswap128(_mm_loadu_si128((const __m128i *)y));
    for (; nblocks >= 8; nblocks -= 8, in += 128) {
        /* Y' = (Y ^ X1) H^8 ^ X2 H^7 ^ ... ^ X8 H. */
        __m128i lo = _mm_setzero_si128(), hi = _mm_setzero_si128();
#pragma GCC unroll 8
        for (int i = 0; i < 8; i++) {
            __m128i x =
                bswap128(_mm_loadu_si128((const __m128i *)(in + 16 * i)));
            if (i == 0)
                x = _mm_xor_si128(x, acc);
            __m128i l, u;
            clmul(x, h[7 - i], &l, &u);
            lo = _mm_xor_si128(lo, l);
            hi = _mm_xor_si128(hi, u);
        }
        acc = reduce(lo, hi);
    }
    for (; nblocks; nblocks--, in += 16) {
        __m128i x = bswap128(_mm_loadu_si128((const __m128i *)in));
        acc = gfmul(_mm_xor_si128(acc, x), h[0]);
    }
    _mm_storeu_si128((__m128i *)y, bswap128(acc));
}

/*
 * AES key expansion with AES-NI (Gueron, "Intel Advanced Encryption
 * Standard (AES) New Instructions Set", 2010, section 4). AESKEYGENASSIST
 * gives SubWord(RotWord(w3)) ^ rcon in its dword 3 (and SubWord(w3) in
 * dword 2); the running XOR of the previous round key's words is three
 * byte shifts. The round constant is an immediate, so the rounds are
 * unrolled. AES-192 takes the generic schedule of aes.c with SubWord as
 * AESENCLAST of the word broadcast to four columns (ShiftRows moves
 * nothing then) and a zero round key. All constant time.
 */
TGT static inline __m128i xor_prefix(__m128i k)
{
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    return _mm_xor_si128(k, _mm_slli_si128(k, 4));
}

#define AES128_STEP(i, rc)                                                     \
    do {                                                                       \
        __m128i a_ =                                                           \
            _mm_shuffle_epi32(_mm_aeskeygenassist_si128(k, rc), 0xff);         \
        k = _mm_xor_si128(xor_prefix(k), a_);                                  \
        _mm_storeu_si128((__m128i *)rk[i], k);                                 \
    } while (0)

/* AES-256: round key i (even) from k0 = rk[i-2] and k1 = rk[i-1] with rcon
 * rc, then round key i+1 from k1 and the new k0 with SubWord only. */
#define AES256_STEP(i, rc)                                                     \
    do {                                                                       \
        __m128i a_ =                                                           \
            _mm_shuffle_epi32(_mm_aeskeygenassist_si128(k1, rc), 0xff);        \
        k0 = _mm_xor_si128(xor_prefix(k0), a_);                                \
        _mm_storeu_si128((__m128i *)rk[i], k0);                                \
        if ((i) + 1 <= 14) {                                                   \
            a_ = _mm_shuffle_epi32(_mm_aeskeygenassist_si128(k0, 0), 0xaa);    \
            k1 = _mm_xor_si128(xor_prefix(k1), a_);                            \
            _mm_storeu_si128((__m128i *)rk[(i) + 1], k1);                      \
        }                                                                      \
    } while (0)

TGT static uint32_t sub_word_aesni(uint32_t w)
{
    __m128i v = _mm_set1_epi32((int)w);
    v = _mm_aesenclast_si128(v, _mm_setzero_si128());
    return (uint32_t)_mm_cvtsi128_si32(v);
}

TGT void crypto__aes_x86_expand(uint8_t rk[15][16], unsigned *rounds,
                                const uint8_t *key, size_t keylen)
{
    if (keylen == 16) {
        __m128i k = _mm_loadu_si128((const __m128i *)key);
        _mm_storeu_si128((__m128i *)rk[0], k);
        AES128_STEP(1, 0x01);
        AES128_STEP(2, 0x02);
        AES128_STEP(3, 0x04);
        AES128_STEP(4, 0x08);
        AES128_STEP(5, 0x10);
        AES128_STEP(6, 0x20);
        AES128_STEP(7, 0x40);
        AES128_STEP(8, 0x80);
        AES128_STEP(9, 0x1b);
        AES128_STEP(10, 0x36);
        *rounds = 10;
    } else if (keylen == 32) {
        __m128i k0 = _mm_loadu_si128((const __m128i *)key);
        __m128i k1 = _mm_loadu_si128((const __m128i *)(key + 16));
        _mm_storeu_si128((__m128i *)rk[0], k0);
        _mm_storeu_si128((__m128i *)rk[1], k1);
        AES256_STEP(2, 0x01);
        AES256_STEP(4, 0x02);
        AES256_STEP(6, 0x04);
        AES256_STEP(8, 0x08);
        AES256_STEP(10, 0x10);
        AES256_STEP(12, 0x20);
        AES256_STEP(14, 0x40);
        *rounds = 14;
    } else {
        crypto__aes_expand_words(rk, rounds, key, keylen, sub_word_aesni);
    }
}

TGT void crypto__aes_x86_encrypt_block(const struct mote_aes_gcm_ctx *ctx,
                                       const uint8_t in[16], uint8_t out[16])
{
    __m128i b = _mm_loadu_si128((const __m128i *)in);
    b = _mm_xor_si128(b, _mm_loadu_si128((const __m128i *)ctx->rk[0]));
    for (unsigned r = 1; r < ctx->rounds; r++)
        b = _mm_aesenc_si128(b, _mm_loadu_si128((const __m128i *)ctx->rk[r]));
    b = _mm_aesenclast_si128(
        b, _mm_loadu_si128((const __m128i *)ctx->rk[ctx->rounds]));
    _mm_storeu_si128((__m128i *)out, b);
}

TGT size_t crypto__aes_x86_ctr(const struct mote_aes_gcm_ctx *ctx,
                               uint8_t ctr[16], const uint8_t *in, uint8_t *out,
                               size_t len)
{
    __m128i rk[15];
    unsigned nr = ctx->rounds;
    for (unsigned r = 0; r <= nr; r++)
        rk[r] = _mm_loadu_si128((const __m128i *)ctx->rk[r]);
    /* The counter is the block's last 32 bits, big-endian: reversed, it is
     * the low 32-bit lane, so _mm_add_epi32 is inc32. */
    __m128i c = bswap128(_mm_loadu_si128((const __m128i *)ctr));
    const __m128i one = _mm_set_epi32(0, 0, 0, 1);
    size_t done = 0;
    for (; len - done >= 128; done += 128) {
        __m128i b[8];
#pragma GCC unroll 8
        for (int i = 0; i < 8; i++) {
            b[i] = _mm_xor_si128(bswap128(c), rk[0]);
            c = _mm_add_epi32(c, one);
        }
        for (unsigned r = 1; r < nr; r++)
#pragma GCC unroll 8
            for (int i = 0; i < 8; i++)
                b[i] = _mm_aesenc_si128(b[i], rk[r]);
#pragma GCC unroll 8
        for (int i = 0; i < 8; i++) {
            b[i] = _mm_aesenclast_si128(b[i], rk[nr]);
            __m128i m = _mm_loadu_si128((const __m128i *)(in + done + 16 * i));
            _mm_storeu_si128((__m128i *)(out + done + 16 * i),
                             _mm_xor_si128(m, b[i]));
        }
    }
    for (; len - done >= 16; done += 16) {
        __m128i b = _mm_xor_si128(bswap128(c), rk[0]);
        c = _mm_add_epi32(c, one);
        for (unsigned r = 1; r < nr; r++)
            b = _mm_aesenc_si128(b, rk[r]);
        b = _mm_aesenclast_si128(b, rk[nr]);
        __m128i m = _mm_loadu_si128((const __m128i *)(in + done));
        _mm_storeu_si128((__m128i *)(out + done), _mm_xor_si128(m, b));
    }
    _mm_storeu_si128((__m128i *)ctr, bswap128(c));
    return done;
}

TGT size_t crypto__aes_gcm_x86_seal(const struct mote_aes_gcm_ctx *ctx,
                                    uint8_t ctr[16], uint8_t y[16],
                                    const uint8_t *in, uint8_t *out, size_t len)
{
    __m128i rk[15], h[8];
    unsigned nr = ctx->rounds;
    for (unsigned r = 0; r <= nr; r++)
        rk[r] = _mm_loadu_si128((const __m128i *)ctx->rk[r]);
#pragma GCC unroll 8
    for (int i = 0; i < 8; i++)
        h[i] = _mm_loadu_si128((const __m128i *)ctx->htab[i]);
    __m128i c = bswap128(_mm_loadu_si128((const __m128i *)ctr));
    __m128i acc = bswap128(_mm_loadu_si128((const __m128i *)y));
    const __m128i one = _mm_set_epi32(0, 0, 0, 1);
    size_t done = 0;
    for (; len - done >= 128; done += 128) {
        __m128i b[8];
#pragma GCC unroll 8
        for (int i = 0; i < 8; i++) {
            b[i] = _mm_xor_si128(bswap128(c), rk[0]);
            c = _mm_add_epi32(c, one);
        }
        for (unsigned r = 1; r < nr; r++)
#pragma GCC unroll 8
            for (int i = 0; i < 8; i++)
                b[i] = _mm_aesenc_si128(b[i], rk[r]);
        __m128i lo = _mm_setzero_si128(), hi = _mm_setzero_si128();
#pragma GCC unroll 8
        for (int i = 0; i < 8; i++) {
            b[i] = _mm_aesenclast_si128(b[i], rk[nr]);
            __m128i m = _mm_loadu_si128((const __m128i *)(in + done + 16 * i));
            __m128i ct = _mm_xor_si128(m, b[i]);
            _mm_storeu_si128((__m128i *)(out + done + 16 * i), ct);
            /* Fold ciphertext block i with H^(8-i) into the unreduced sum. */
            __m128i x = bswap128(ct);
            if (i == 0)
                x = _mm_xor_si128(x, acc);
            __m128i l, u;
            clmul(x, h[7 - i], &l, &u);
            lo = _mm_xor_si128(lo, l);
            hi = _mm_xor_si128(hi, u);
        }
        acc = reduce(lo, hi);
    }
    _mm_storeu_si128((__m128i *)ctr, bswap128(c));
    _mm_storeu_si128((__m128i *)y, bswap128(acc));
    return done;
}

#define TGT_VAES __attribute__((target("vaes,vpclmulqdq,avx2,aes,pclmul")))

/* 256-bit carry-less product per 128-bit lane. */
TGT_VAES static inline void clmul2(__m256i a, __m256i b, __m256i *lo,
                                   __m256i *hi)
{
    __m256i t0 = _mm256_clmulepi64_epi128(a, b, 0x00);
    __m256i t1 = _mm256_clmulepi64_epi128(a, b, 0x10);
    __m256i t2 = _mm256_clmulepi64_epi128(a, b, 0x01);
    __m256i t3 = _mm256_clmulepi64_epi128(a, b, 0x11);
    t1 = _mm256_xor_si256(t1, t2);
    *lo = _mm256_xor_si256(*lo, _mm256_xor_si256(t0, _mm256_slli_si256(t1, 8)));
    *hi = _mm256_xor_si256(*hi, _mm256_xor_si256(t3, _mm256_srli_si256(t1, 8)));
}

TGT_VAES size_t crypto__aes_gcm_vaes_seal(const struct mote_aes_gcm_ctx *ctx,
                                          uint8_t ctr[16], uint8_t y[16],
                                          const uint8_t *in, uint8_t *out,
                                          size_t len)
{
    const __m256i bswap = _mm256_broadcastsi128_si256(
        _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    __m256i rk[15], hp[8];
    unsigned nr = ctx->rounds;
    for (unsigned r = 0; r <= nr; r++)
        rk[r] = _mm256_broadcastsi128_si256(
            _mm_loadu_si128((const __m128i *)ctx->rk[r]));
        /* hp[k]: lane 0 = H^(16-2k), lane 1 = H^(15-2k), matching blocks 2k
         * and 2k+1 of a 16-block chunk. */
#pragma GCC unroll 8
    for (int k = 0; k < 8; k++)
        hp[k] = _mm256_set_m128i(
            _mm_loadu_si128((const __m128i *)ctx->htab[14 - 2 * k]),
            _mm_loadu_si128((const __m128i *)ctx->htab[15 - 2 * k]));
    __m128i c1 = bswap128(_mm_loadu_si128((const __m128i *)ctr));
    __m256i c =
        _mm256_set_m128i(_mm_add_epi32(c1, _mm_set_epi32(0, 0, 0, 1)), c1);
    const __m256i two = _mm256_set_epi32(0, 0, 0, 2, 0, 0, 0, 2);
    __m128i acc = bswap128(_mm_loadu_si128((const __m128i *)y));
    size_t done = 0;
    for (; len - done >= 256; done += 256) {
        __m256i b[8];
#pragma GCC unroll 8
        for (int i = 0; i < 8; i++) {
            b[i] = _mm256_xor_si256(_mm256_shuffle_epi8(c, bswap), rk[0]);
            c = _mm256_add_epi32(c, two);
        }
        for (unsigned r = 1; r < nr; r++)
#pragma GCC unroll 8
            for (int i = 0; i < 8; i++)
                b[i] = _mm256_aesenc_epi128(b[i], rk[r]);
        __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
#pragma GCC unroll 8
        for (int i = 0; i < 8; i++) {
            b[i] = _mm256_aesenclast_epi128(b[i], rk[nr]);
            __m256i m =
                _mm256_loadu_si256((const __m256i *)(in + done + 32 * i));
            __m256i ct = _mm256_xor_si256(m, b[i]);
            _mm256_storeu_si256((__m256i *)(out + done + 32 * i), ct);
            __m256i x = _mm256_shuffle_epi8(ct, bswap);
            if (i == 0) /* the running hash joins the chunk's first block */
                x = _mm256_xor_si256(
                    x, _mm256_set_m128i(_mm_setzero_si128(), acc));
            clmul2(x, hp[i], &lo, &hi);
        }
        __m128i l = _mm_xor_si128(_mm256_castsi256_si128(lo),
                                  _mm256_extracti128_si256(lo, 1));
        __m128i u = _mm_xor_si128(_mm256_castsi256_si128(hi),
                                  _mm256_extracti128_si256(hi, 1));
        acc = reduce(l, u);
    }
    _mm_storeu_si128((__m128i *)ctr, bswap128(_mm256_castsi256_si128(c)));
    _mm_storeu_si128((__m128i *)y, bswap128(acc));
    return done;
}

/* GHASH alone with VPCLMULQDQ, 16 blocks a pass (open's first pass). */
TGT_VAES size_t crypto__ghash_vaes(const struct mote_aes_gcm_ctx *ctx,
                                   uint8_t y[16], const uint8_t *in,
                                   size_t nblocks)
{
    const __m256i bswap = _mm256_broadcastsi128_si256(
        _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    __m256i hp[8];
#pragma GCC unroll 8
    for (int k = 0; k < 8; k++)
        hp[k] = _mm256_set_m128i(
            _mm_loadu_si128((const __m128i *)ctx->htab[14 - 2 * k]),
            _mm_loadu_si128((const __m128i *)ctx->htab[15 - 2 * k]));
    __m128i acc = bswap128(_mm_loadu_si128((const __m128i *)y));
    size_t done = 0;
    for (; nblocks - done >= 16; done += 16, in += 256) {
        __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
#pragma GCC unroll 8
        for (int i = 0; i < 8; i++) {
            __m256i x = _mm256_shuffle_epi8(
                _mm256_loadu_si256((const __m256i *)(in + 32 * i)), bswap);
            if (i == 0)
                x = _mm256_xor_si256(
                    x, _mm256_set_m128i(_mm_setzero_si128(), acc));
            clmul2(x, hp[i], &lo, &hi);
        }
        __m128i l = _mm_xor_si128(_mm256_castsi256_si128(lo),
                                  _mm256_extracti128_si256(lo, 1));
        __m128i u = _mm_xor_si128(_mm256_castsi256_si128(hi),
                                  _mm256_extracti128_si256(hi, 1));
        acc = reduce(l, u);
    }
    _mm_storeu_si128((__m128i *)y, bswap128(acc));
    return done;
}

/* CTR alone with VAES, 16 blocks a pass (open's second pass). */
TGT_VAES size_t crypto__aes_vaes_ctr(const struct mote_aes_gcm_ctx *ctx,
                                     uint8_t ctr[16], const uint8_t *in,
                                     uint8_t *out, size_t len)
{
    const __m256i bswap = _mm256_broadcastsi128_si256(
        _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    __m256i rk[15];
    unsigned nr = ctx->rounds;
    for (unsigned r = 0; r <= nr; r++)
        rk[r] = _mm256_broadcastsi128_si256(
            _mm_loadu_si128((const __m128i *)ctx->rk[r]));
    __m128i c1 = bswap128(_mm_loadu_si128((const __m128i *)ctr));
    __m256i c =
        _mm256_set_m128i(_mm_add_epi32(c1, _mm_set_epi32(0, 0, 0, 1)), c1);
    const __m256i two = _mm256_set_epi32(0, 0, 0, 2, 0, 0, 0, 2);
    size_t done = 0;
    for (; len - done >= 256; done += 256) {
        __m256i b[8];
#pragma GCC unroll 8
        for (int i = 0; i < 8; i++) {
            b[i] = _mm256_xor_si256(_mm256_shuffle_epi8(c, bswap), rk[0]);
            c = _mm256_add_epi32(c, two);
        }
        for (unsigned r = 1; r < nr; r++)
#pragma GCC unroll 8
            for (int i = 0; i < 8; i++)
                b[i] = _mm256_aesenc_epi128(b[i], rk[r]);
#pragma GCC unroll 8
        for (int i = 0; i < 8; i++) {
            b[i] = _mm256_aesenclast_epi128(b[i], rk[nr]);
            __m256i m =
                _mm256_loadu_si256((const __m256i *)(in + done + 32 * i));
            _mm256_storeu_si256((__m256i *)(out + done + 32 * i),
                                _mm256_xor_si256(m, b[i]));
        }
    }
    _mm_storeu_si128((__m128i *)ctr, bswap128(_mm256_castsi256_si128(c)));
    return done;
}

#else

size_t crypto__ghash_vaes(const struct mote_aes_gcm_ctx *ctx, uint8_t y[16],
                          const uint8_t *in, size_t nblocks)
{
    (void)ctx, (void)y, (void)in, (void)nblocks;
    return 0;
}

size_t crypto__aes_vaes_ctr(const struct mote_aes_gcm_ctx *ctx, uint8_t ctr[16],
                            const uint8_t *in, uint8_t *out, size_t len)
{
    (void)ctx, (void)ctr, (void)in, (void)out, (void)len;
    return 0;
}

void crypto__gcm_x86_init(struct mote_aes_gcm_ctx *ctx)
{
    (void)ctx;
}

void crypto__ghash_x86(const struct mote_aes_gcm_ctx *ctx, uint8_t y[16],
                       const uint8_t *in, size_t nblocks)
{
    crypto__ghash_portable(ctx->h, y, in, nblocks);
}

void crypto__aes_x86_expand(uint8_t rk[15][16], unsigned *rounds,
                            const uint8_t *key, size_t keylen)
{
    crypto__aes_expand_portable(rk, rounds, key, keylen);
}

void crypto__aes_x86_encrypt_block(const struct mote_aes_gcm_ctx *ctx,
                                   const uint8_t in[16], uint8_t out[16])
{
    memmove(out, in, 16);
    crypto__aes_encrypt_portable(ctx->rkb, ctx->rounds, out, 1);
}

size_t crypto__aes_x86_ctr(const struct mote_aes_gcm_ctx *ctx, uint8_t ctr[16],
                           const uint8_t *in, uint8_t *out, size_t len)
{
    (void)ctx, (void)ctr, (void)in, (void)out, (void)len;
    return 0;
}

size_t crypto__aes_gcm_x86_seal(const struct mote_aes_gcm_ctx *ctx,
                                uint8_t ctr[16], uint8_t y[16],
                                const uint8_t *in, uint8_t *out, size_t len)
{
    (void)ctx, (void)ctr, (void)y, (void)in, (void)out, (void)len;
    return 0;
}

size_t crypto__aes_gcm_vaes_seal(const struct mote_aes_gcm_ctx *ctx,
                                 uint8_t ctr[16], uint8_t y[16],
                                 const uint8_t *in, uint8_t *out, size_t len)
{
    (void)ctx, (void)ctr, (void)y, (void)in, (void)out, (void)len;
    return 0;
}

#endif

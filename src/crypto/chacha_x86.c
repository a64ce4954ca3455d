/* ChaCha20 with SSE2 (4 blocks at once) and AVX2 (8 blocks at once). */
#include <string.h>

#include "crypto_int.h"

/*
 * Both keep the state "vertical": vector register i holds word i of 4 (or 8)
 * consecutive blocks, so the quarter round is the scalar one applied lane by
 * lane, with counters counter+0..counter+n-1 in word 12. After the rounds a
 * 4x4 word transpose turns the lanes back into consecutive 64-byte blocks.
 * Only called when crypto__cpu() reports the feature; on other machines the
 * functions do nothing and the portable code runs.
 */

#if defined(__x86_64__)
#include <immintrin.h>

#define SSE_ROTL(v, n)                                                         \
    _mm_or_si128(_mm_slli_epi32(v, n), _mm_srli_epi32(v, 32 - (n)))

#define SSE_QR(a, b, c, d)                                                     \
    do {                                                                       \
        a = _mm_add_epi32(a, b);                                               \
        d = _mm_xor_si128(d, a);                                               \
        d = SSE_ROTL(d, 16);                                                   \
        c = _mm_add_epi32(c, d);                                               \
        b = _mm_xor_si128(b, c);                                               \
        b = SSE_ROTL(b, 12);                                                   \
        a = _mm_add_epi32(a, b);                                               \
        d = _mm_xor_si128(d, a);                                               \
        d = SSE_ROTL(d, 8);                                                    \
        c = _mm_add_epi32(c, d);                                               \
        b = _mm_xor_si128(b, c);                                               \
        b = SSE_ROTL(b, 7);                                                    \
    } while (0)

__attribute__((target("sse2"))) size_t crypto__chacha20_sse2(uint32_t st[16],
                                                             const uint8_t *in,
                                                             uint8_t *out,
                                                             size_t len)
{
    size_t done = 0;
    while (len - done >= 256) {
        __m128i x[16], o[16];
#pragma GCC unroll 16
        for (int i = 0; i < 16; i++)
            o[i] = _mm_set1_epi32((int)st[i]);
        o[12] = _mm_add_epi32(o[12], _mm_set_epi32(3, 2, 1, 0));
#pragma GCC unroll 16
        for (int i = 0; i < 16; i++)
            x[i] = o[i];
        for (int r = 0; r < 10; r++) {
            SSE_QR(x[0], x[4], x[8], x[12]);
            SSE_QR(x[1], x[5], x[9], x[13]);
            SSE_QR(x[2], x[6], x[10], x[14]);
            SSE_QR(x[3], x[7], x[11], x[15]);
            SSE_QR(x[0], x[5], x[10], x[15]);
            SSE_QR(x[1], x[6], x[11], x[12]);
            SSE_QR(x[2], x[7], x[8], x[13]);
            SSE_QR(x[3], x[4], x[9], x[14]);
        }
#pragma GCC unroll 16
        for (int i = 0; i < 16; i++)
            x[i] = _mm_add_epi32(x[i], o[i]);
#pragma GCC unroll 4
        for (int g = 0; g < 4; g++) {
            __m128i a0 = x[4 * g], a1 = x[4 * g + 1], a2 = x[4 * g + 2],
                    a3 = x[4 * g + 3];
            __m128i t0 = _mm_unpacklo_epi32(a0, a1);
            __m128i t1 = _mm_unpacklo_epi32(a2, a3);
            __m128i t2 = _mm_unpackhi_epi32(a0, a1);
            __m128i t3 = _mm_unpackhi_epi32(a2, a3);
            __m128i r[4] = {
                _mm_unpacklo_epi64(t0, t1), _mm_unpackhi_epi64(t0, t1),
                _mm_unpacklo_epi64(t2, t3), _mm_unpackhi_epi64(t2, t3)};
#pragma GCC unroll 4
            for (int b = 0; b < 4; b++) {
                size_t off = done + 64 * (size_t)b + 16 * (size_t)g;
                __m128i m = _mm_loadu_si128((const __m128i *)(in + off));
                _mm_storeu_si128((__m128i *)(out + off),
                                 _mm_xor_si128(m, r[b]));
            }
        }
        st[12] += 4;
        done += 256;
    }
    return done;
}

#define AVX_ROT16                                                              \
    _mm256_set_epi8(13, 12, 15, 14, 9, 8, 11, 10, 5, 4, 7, 6, 1, 0, 3, 2, 13,  \
                    12, 15, 14, 9, 8, 11, 10, 5, 4, 7, 6, 1, 0, 3, 2)
#define AVX_ROT8                                                               \
    _mm256_set_epi8(14, 13, 12, 15, 10, 9, 8, 11, 6, 5, 4, 7, 2, 1, 0, 3, 14,  \
                    13, 12, 15, 10, 9, 8, 11, 6, 5, 4, 7, 2, 1, 0, 3)
#define AVX_ROTL(v, n)                                                         \
    _mm256_or_si256(_mm256_slli_epi32(v, n), _mm256_srli_epi32(v, 32 - (n)))

#define AVX_QR(a, b, c, d)                                                     \
    do {                                                                       \
        a = _mm256_add_epi32(a, b);                                            \
        d = _mm256_shuffle_epi8(_mm256_xor_si256(d, a), rot16);                \
        c = _mm256_add_epi32(c, d);                                            \
        b = _mm256_xor_si256(b, c);                                            \
        b = AVX_ROTL(b, 12);                                                   \
        a = _mm256_add_epi32(a, b);                                            \
        d = _mm256_shuffle_epi8(_mm256_xor_si256(d, a), rot8);                 \
        c = _mm256_add_epi32(c, d);                                            \
        b = _mm256_xor_si256(b, c);                                            \
        b = AVX_ROTL(b, 7);                                                    \
    } while (0)

__attribute__((target("avx2"))) size_t crypto__chacha20_avx2(uint32_t st[16],
                                                             const uint8_t *in,
                                                             uint8_t *out,
                                                             size_t len)
{
    const __m256i rot16 = AVX_ROT16, rot8 = AVX_ROT8;
    size_t done = 0;
    while (len - done >= 512) {
        /* The input words are re-broadcast from st after the rounds
         * rather than kept: 16 more live registers would spill. */
        const __m256i ctrs = _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0);
        __m256i x[16];
#pragma GCC unroll 16
        for (int i = 0; i < 16; i++)
            x[i] = _mm256_set1_epi32((int)st[i]);
        x[12] = _mm256_add_epi32(x[12], ctrs);
        for (int r = 0; r < 10; r++) {
            AVX_QR(x[0], x[4], x[8], x[12]);
            AVX_QR(x[1], x[5], x[9], x[13]);
            AVX_QR(x[2], x[6], x[10], x[14]);
            AVX_QR(x[3], x[7], x[11], x[15]);
            AVX_QR(x[0], x[5], x[10], x[15]);
            AVX_QR(x[1], x[6], x[11], x[12]);
            AVX_QR(x[2], x[7], x[8], x[13]);
            AVX_QR(x[3], x[4], x[9], x[14]);
        }
#pragma GCC unroll 16
        for (int i = 0; i < 16; i++)
            x[i] = _mm256_add_epi32(x[i], _mm256_set1_epi32((int)st[i]));
        x[12] = _mm256_add_epi32(x[12], ctrs);
        /* r[g][b]: 128-bit lane 0 = words 4g..4g+3 of block b, lane 1 = the
         * same words of block b + 4. */
        __m256i r[4][4];
#pragma GCC unroll 4
        for (int g = 0; g < 4; g++) {
            __m256i a0 = x[4 * g], a1 = x[4 * g + 1], a2 = x[4 * g + 2],
                    a3 = x[4 * g + 3];
            __m256i t0 = _mm256_unpacklo_epi32(a0, a1);
            __m256i t1 = _mm256_unpacklo_epi32(a2, a3);
            __m256i t2 = _mm256_unpackhi_epi32(a0, a1);
            __m256i t3 = _mm256_unpackhi_epi32(a2, a3);
            r[g][0] = _mm256_unpacklo_epi64(t0, t1);
            r[g][1] = _mm256_unpackhi_epi64(t0, t1);
            r[g][2] = _mm256_unpacklo_epi64(t2, t3);
            r[g][3] = _mm256_unpackhi_epi64(t2, t3);
        }
#pragma GCC unroll 4
        for (int b = 0; b < 4; b++) {
            __m256i k[4] = {_mm256_permute2x128_si256(r[0][b], r[1][b], 0x20),
                            _mm256_permute2x128_si256(r[2][b], r[3][b], 0x20),
                            _mm256_permute2x128_si256(r[0][b], r[1][b], 0x31),
                            _mm256_permute2x128_si256(r[2][b], r[3][b], 0x31)};
            size_t offs[4] = {64 * (size_t)b, 64 * (size_t)b + 32,
                              64 * (size_t)(b + 4), 64 * (size_t)(b + 4) + 32};
#pragma GCC unroll 4
            for (int j = 0; j < 4; j++) {
                const uint8_t *ip = in + done + offs[j];
                __m256i m = _mm256_loadu_si256((const __m256i *)ip);
                _mm256_storeu_si256((__m256i *)(out + done + offs[j]),
                                    _mm256_xor_si256(m, k[j]));
            }
        }
        st[12] += 8;
        done += 512;
    }
    return done;
}

#define Z_QR(a, b, c, d)                                                       \
    do {                                                                       \
        a = _mm512_add_epi32(a, b);                                            \
        d = _mm512_rol_epi32(_mm512_xor_si512(d, a), 16);                      \
        c = _mm512_add_epi32(c, d);                                            \
        b = _mm512_rol_epi32(_mm512_xor_si512(b, c), 12);                      \
        a = _mm512_add_epi32(a, b);                                            \
        d = _mm512_rol_epi32(_mm512_xor_si512(d, a), 8);                       \
        c = _mm512_add_epi32(c, d);                                            \
        b = _mm512_rol_epi32(_mm512_xor_si512(b, c), 7);                       \
    } while (0)

/* AVX-512: 16 blocks at once, rotations in one instruction (VPROLD). After
 * the rounds, a 4x4 transpose per 128-bit lane gives r[g][b] whose lane k
 * holds words 4g..4g+3 of block b + 4k; two rounds of VSHUFI32X4 gather
 * each block's four lanes. */
__attribute__((target("avx512f"))) size_t
crypto__chacha20_avx512(uint32_t st[16], const uint8_t *in, uint8_t *out,
                        size_t len)
{
    size_t done = 0;
    while (len - done >= 1024) {
        const __m512i ctrs = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7,
                                              6, 5, 4, 3, 2, 1, 0);
        __m512i x[16];
#pragma GCC unroll 16
        for (int i = 0; i < 16; i++)
            x[i] = _mm512_set1_epi32((int)st[i]);
        x[12] = _mm512_add_epi32(x[12], ctrs);
        for (int r = 0; r < 10; r++) {
            Z_QR(x[0], x[4], x[8], x[12]);
            Z_QR(x[1], x[5], x[9], x[13]);
            Z_QR(x[2], x[6], x[10], x[14]);
            Z_QR(x[3], x[7], x[11], x[15]);
            Z_QR(x[0], x[5], x[10], x[15]);
            Z_QR(x[1], x[6], x[11], x[12]);
            Z_QR(x[2], x[7], x[8], x[13]);
            Z_QR(x[3], x[4], x[9], x[14]);
        }
#pragma GCC unroll 16
        for (int i = 0; i < 16; i++)
            x[i] = _mm512_add_epi32(x[i], _mm512_set1_epi32((int)st[i]));
        x[12] = _mm512_add_epi32(x[12], ctrs);
        __m512i r[4][4];
#pragma GCC unroll 4
        for (int g = 0; g < 4; g++) {
            __m512i a0 = x[4 * g], a1 = x[4 * g + 1], a2 = x[4 * g + 2],
                    a3 = x[4 * g + 3];
            __m512i t0 = _mm512_unpacklo_epi32(a0, a1);
            __m512i t1 = _mm512_unpacklo_epi32(a2, a3);
            __m512i t2 = _mm512_unpackhi_epi32(a0, a1);
            __m512i t3 = _mm512_unpackhi_epi32(a2, a3);
            r[g][0] = _mm512_unpacklo_epi64(t0, t1);
            r[g][1] = _mm512_unpackhi_epi64(t0, t1);
            r[g][2] = _mm512_unpacklo_epi64(t2, t3);
            r[g][3] = _mm512_unpackhi_epi64(t2, t3);
        }
#pragma GCC unroll 4
        for (int b = 0; b < 4; b++) {
            __m512i ab_lo = _mm512_shuffle_i32x4(r[0][b], r[1][b], 0x44);
            __m512i ab_hi = _mm512_shuffle_i32x4(r[0][b], r[1][b], 0xee);
            __m512i cd_lo = _mm512_shuffle_i32x4(r[2][b], r[3][b], 0x44);
            __m512i cd_hi = _mm512_shuffle_i32x4(r[2][b], r[3][b], 0xee);
            __m512i k[4] = {_mm512_shuffle_i32x4(ab_lo, cd_lo, 0x88),
                            _mm512_shuffle_i32x4(ab_lo, cd_lo, 0xdd),
                            _mm512_shuffle_i32x4(ab_hi, cd_hi, 0x88),
                            _mm512_shuffle_i32x4(ab_hi, cd_hi, 0xdd)};
#pragma GCC unroll 4
            for (int q = 0; q < 4; q++) {
                size_t off = done + 64 * (size_t)(b + 4 * q);
                __m512i m = _mm512_loadu_si512((const void *)(in + off));
                _mm512_storeu_si512((void *)(out + off),
                                    _mm512_xor_si512(m, k[q]));
            }
        }
        st[12] += 16;
        done += 1024;
    }
    return done;
}

#else

size_t crypto__chacha20_avx512(uint32_t st[16], const uint8_t *in, uint8_t *out,
                               size_t len)
{
    (void)st, (void)in, (void)out, (void)len;
    return 0;
}

size_t crypto__chacha20_sse2(uint32_t st[16], const uint8_t *in, uint8_t *out,
                             size_t len)
{
    (void)st, (void)in, (void)out, (void)len;
    return 0;
}

size_t crypto__chacha20_avx2(uint32_t st[16], const uint8_t *in, uint8_t *out,
                             size_t len)
{
    (void)st, (void)in, (void)out, (void)len;
    return 0;
}

#endif

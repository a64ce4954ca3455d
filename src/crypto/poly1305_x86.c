/* Poly1305 with AVX2: four blocks at a time, in four lanes, with r^4. */
#include "crypto_int.h"

/*
 * Horner's rule split four ways: lane j takes blocks j, j+4, j+8 ... and is
 * multiplied by r^4 between its blocks; in the last group the lanes are
 * multiplied by r^4, r^3, r^2, r^1 instead, so that the sum of the four
 * lanes is the usual h (RFC 8439 section 2.5). The running h of the caller
 * joins lane 0 before the first block. Limbs are 26 bits in 64-bit lanes so
 * that VPMULUDQ (32x32->64) does the products, as in poly1305-donna-32;
 * the caller's state is in 44-bit limbs (chacha.c) and is converted at
 * entry and exit. Only multiplications, additions and shifts: constant
 * time. Only called when crypto__cpu() reports AVX2.
 */

#define M26 0x3ffffffull
#define M44 0xfffffffffffull
#define M42 0x3ffffffffffull

/* a * b mod 2^130 - 5 in 26-bit limbs (scalar, for the powers of r). */
static void mul26(uint64_t out[5], const uint64_t a[5], const uint64_t b[5])
{
    uint64_t s1 = b[1] * 5, s2 = b[2] * 5, s3 = b[3] * 5, s4 = b[4] * 5;
    uint64_t d0 = a[0] * b[0] + a[1] * s4 + a[2] * s3 + a[3] * s2 + a[4] * s1;
    uint64_t d1 = a[0] * b[1] + a[1] * b[0] + a[2] * s4 + a[3] * s3 + a[4] * s2;
    uint64_t d2 =
        a[0] * b[2] + a[1] * b[1] + a[2] * b[0] + a[3] * s4 + a[4] * s3;
    uint64_t d3 =
        a[0] * b[3] + a[1] * b[2] + a[2] * b[1] + a[3] * b[0] + a[4] * s4;
    uint64_t d4 =
        a[0] * b[4] + a[1] * b[3] + a[2] * b[2] + a[3] * b[1] + a[4] * b[0];
    uint64_t c;
    c = d0 >> 26, d0 &= M26, d1 += c;
    c = d1 >> 26, d1 &= M26, d2 += c;
    c = d2 >> 26, d2 &= M26, d3 += c;
    c = d3 >> 26, d3 &= M26, d4 += c;
    c = d4 >> 26, d4 &= M26, d0 += c * 5;
    c = d0 >> 26, d0 &= M26, d1 += c;
    out[0] = d0, out[1] = d1, out[2] = d2, out[3] = d3, out[4] = d4;
}

/* 44/44/42-bit limbs (fully carried) to 26-bit limbs. */
static void to26(uint64_t out[5], const uint64_t v[3])
{
    out[0] = v[0] & M26;
    out[1] = ((v[0] >> 26) | (v[1] << 18)) & M26;
    out[2] = (v[1] >> 8) & M26;
    out[3] = ((v[1] >> 34) | (v[2] << 10)) & M26;
    out[4] = (v[2] >> 16) & M26;
}

#if defined(__x86_64__)
#include <immintrin.h>

#define TGT __attribute__((target("avx2")))

struct vec5 {
    __m256i v[5];
};

/* h * r (per lane) with partial carries; h limbs < 2^27, r limbs < 2^26. */
TGT static inline void vmul(__m256i h[5], const __m256i r[5],
                            const __m256i s[5])
{
    __m256i d0 = _mm256_mul_epu32(h[0], r[0]);
    d0 = _mm256_add_epi64(d0, _mm256_mul_epu32(h[1], s[4]));
    d0 = _mm256_add_epi64(d0, _mm256_mul_epu32(h[2], s[3]));
    d0 = _mm256_add_epi64(d0, _mm256_mul_epu32(h[3], s[2]));
    d0 = _mm256_add_epi64(d0, _mm256_mul_epu32(h[4], s[1]));
    __m256i d1 = _mm256_mul_epu32(h[0], r[1]);
    d1 = _mm256_add_epi64(d1, _mm256_mul_epu32(h[1], r[0]));
    d1 = _mm256_add_epi64(d1, _mm256_mul_epu32(h[2], s[4]));
    d1 = _mm256_add_epi64(d1, _mm256_mul_epu32(h[3], s[3]));
    d1 = _mm256_add_epi64(d1, _mm256_mul_epu32(h[4], s[2]));
    __m256i d2 = _mm256_mul_epu32(h[0], r[2]);
    d2 = _mm256_add_epi64(d2, _mm256_mul_epu32(h[1], r[1]));
    d2 = _mm256_add_epi64(d2, _mm256_mul_epu32(h[2], r[0]));
    d2 = _mm256_add_epi64(d2, _mm256_mul_epu32(h[3], s[4]));
    d2 = _mm256_add_epi64(d2, _mm256_mul_epu32(h[4], s[3]));
    __m256i d3 = _mm256_mul_epu32(h[0], r[3]);
    d3 = _mm256_add_epi64(d3, _mm256_mul_epu32(h[1], r[2]));
    d3 = _mm256_add_epi64(d3, _mm256_mul_epu32(h[2], r[1]));
    d3 = _mm256_add_epi64(d3, _mm256_mul_epu32(h[3], r[0]));
    d3 = _mm256_add_epi64(d3, _mm256_mul_epu32(h[4], s[4]));
    __m256i d4 = _mm256_mul_epu32(h[0], r[4]);
    d4 = _mm256_add_epi64(d4, _mm256_mul_epu32(h[1], r[3]));
    d4 = _mm256_add_epi64(d4, _mm256_mul_epu32(h[2], r[2]));
    d4 = _mm256_add_epi64(d4, _mm256_mul_epu32(h[3], r[1]));
    d4 = _mm256_add_epi64(d4, _mm256_mul_epu32(h[4], r[0]));
    /* Two carry chains side by side (d0->d1->d2->d3, d3->d4->d0->d1):
     * depth 4 instead of 7. Limbs end below 2^26 plus a small carry. */
    const __m256i m26 = _mm256_set1_epi64x((long long)M26);
    __m256i c = _mm256_srli_epi64(d0, 26), e = _mm256_srli_epi64(d3, 26);
    d0 = _mm256_and_si256(d0, m26);
    d3 = _mm256_and_si256(d3, m26);
    d1 = _mm256_add_epi64(d1, c);
    d4 = _mm256_add_epi64(d4, e);
    c = _mm256_srli_epi64(d1, 26);
    e = _mm256_srli_epi64(d4, 26);
    d1 = _mm256_and_si256(d1, m26);
    d4 = _mm256_and_si256(d4, m26);
    d2 = _mm256_add_epi64(d2, c);
    /* 2^130 = 5: the top carry comes back times 5 (e + 4e). */
    d0 = _mm256_add_epi64(d0, _mm256_add_epi64(e, _mm256_slli_epi64(e, 2)));
    c = _mm256_srli_epi64(d2, 26);
    e = _mm256_srli_epi64(d0, 26);
    d2 = _mm256_and_si256(d2, m26);
    d0 = _mm256_and_si256(d0, m26);
    d3 = _mm256_add_epi64(d3, c);
    d1 = _mm256_add_epi64(d1, e);
    c = _mm256_srli_epi64(d3, 26);
    d3 = _mm256_and_si256(d3, m26);
    d4 = _mm256_add_epi64(d4, c);
    h[0] = d0, h[1] = d1, h[2] = d2, h[3] = d3, h[4] = d4;
}

/* Add the four blocks at m to H (lanes = blocks 0..3). */
TGT static inline void vload(__m256i H[5], const uint8_t *m)
{
    const __m256i m26 = _mm256_set1_epi64x((long long)M26);
    const __m256i hibit = _mm256_set1_epi64x(1ll << 24);
    /* T0 = low halves of blocks 0..3, T1 = high halves. */
    __m256i a = _mm256_loadu_si256((const __m256i *)m);
    __m256i b = _mm256_loadu_si256((const __m256i *)(m + 32));
    __m256i t0 = _mm256_permute4x64_epi64(_mm256_unpacklo_epi64(a, b), 0xd8);
    __m256i t1 = _mm256_permute4x64_epi64(_mm256_unpackhi_epi64(a, b), 0xd8);
    H[0] = _mm256_add_epi64(H[0], _mm256_and_si256(t0, m26));
    H[1] = _mm256_add_epi64(H[1],
                            _mm256_and_si256(_mm256_srli_epi64(t0, 26), m26));
    H[2] = _mm256_add_epi64(
        H[2], _mm256_and_si256(_mm256_or_si256(_mm256_srli_epi64(t0, 52),
                                               _mm256_slli_epi64(t1, 12)),
                               m26));
    H[3] = _mm256_add_epi64(H[3],
                            _mm256_and_si256(_mm256_srli_epi64(t1, 14), m26));
    H[4] = _mm256_add_epi64(H[4],
                            _mm256_or_si256(_mm256_srli_epi64(t1, 40), hibit));
}

/* Two independent four-lane accumulators, A for blocks 0..3 and B for
 * blocks 4..7 of every 8-block group, both multiplied by r^8 between
 * groups: twice the work between the long carry chains. In the last group
 * A's lanes take r^8..r^5 and B's r^4..r^1. */
TGT size_t crypto__poly1305_avx2(uint64_t h44[3], const uint64_t r44[3],
                                 const uint8_t *m, size_t nblocks)
{
    size_t groups = nblocks / 8;
    if (groups == 0)
        return 0;
    uint64_t pw[9][5], h[5], v[3] = {h44[0], h44[1], h44[2]};
    to26(pw[1], r44);
    for (int i = 2; i <= 8; i++)
        mul26(pw[i], pw[i - 1], pw[1]);
    /* Carry h fully so that the limb conversion loses nothing. */
    for (int i = 0; i < 2; i++) {
        uint64_t c = v[0] >> 44;
        v[0] &= M44;
        v[1] += c;
        c = v[1] >> 44;
        v[1] &= M44;
        v[2] += c;
        c = v[2] >> 42;
        v[2] &= M42;
        v[0] += c * 5;
    }
    to26(h, v);
    __m256i R8[5], S8[5], RA[5], SA[5], RB[5], SB[5], HA[5], HB[5];
    for (int i = 0; i < 5; i++) {
        R8[i] = _mm256_set1_epi64x((long long)pw[8][i]);
        S8[i] = _mm256_set1_epi64x((long long)(pw[8][i] * 5));
        RA[i] = _mm256_set_epi64x((long long)pw[5][i], (long long)pw[6][i],
                                  (long long)pw[7][i], (long long)pw[8][i]);
        SA[i] = _mm256_set_epi64x(
            (long long)(pw[5][i] * 5), (long long)(pw[6][i] * 5),
            (long long)(pw[7][i] * 5), (long long)(pw[8][i] * 5));
        RB[i] = _mm256_set_epi64x((long long)pw[1][i], (long long)pw[2][i],
                                  (long long)pw[3][i], (long long)pw[4][i]);
        SB[i] = _mm256_set_epi64x(
            (long long)(pw[1][i] * 5), (long long)(pw[2][i] * 5),
            (long long)(pw[3][i] * 5), (long long)(pw[4][i] * 5));
        HA[i] = _mm256_set_epi64x(0, 0, 0, (long long)h[i]);
        HB[i] = _mm256_setzero_si256();
    }
    for (size_t g = 0; g < groups; g++, m += 128) {
        vload(HA, m);
        vload(HB, m + 64);
        if (g + 1 < groups) {
            vmul(HA, R8, S8);
            vmul(HB, R8, S8);
        } else {
            vmul(HA, RA, SA);
            vmul(HB, RB, SB);
        }
    }
    __m256i H[5];
    for (int i = 0; i < 5; i++)
        H[i] = _mm256_add_epi64(HA[i], HB[i]);
    /* Sum the lanes, carry, and go back to 44-bit limbs. */
    uint64_t t[5];
    for (int i = 0; i < 5; i++) {
        uint64_t lane[4];
        _mm256_storeu_si256((__m256i *)lane, H[i]);
        t[i] = lane[0] + lane[1] + lane[2] + lane[3];
    }
    /* Lane sums (8 values below 2^27) are below 2^30; add them into 44-bit
     * limbs with a 128-bit carry chain (no ORs: a limb may be wider than 26
     * bits). The top limb may exceed 42 bits a little; poly_blocks and
     * poly_final in chacha.c carry it. */
    unsigned __int128 acc = (unsigned __int128)t[0] +
                            ((unsigned __int128)t[1] << 26) +
                            ((unsigned __int128)t[2] << 52);
    h44[0] = (uint64_t)acc & M44;
    acc >>= 44;
    acc += (unsigned __int128)t[3] << 34; /* bit 78 = 44 + 34 */
    h44[1] = (uint64_t)acc & M44;
    acc >>= 44;
    acc += (unsigned __int128)t[4] << 16; /* bit 104 = 88 + 16 */
    h44[2] = (uint64_t)acc;
    return groups * 8;
}

/* ---- AVX-512: eight lanes with r^8, the same scheme ---------------------- */

#define TGT512 __attribute__((target("avx512f")))

TGT512 static inline void zmul(__m512i h[5], const __m512i r[5],
                               const __m512i s[5])
{
    __m512i d[5];
#pragma GCC unroll 5
    for (int k = 0; k < 5; k++) {
        /* d_k = sum over i+j = k (mod 5) of h_i * (j > k ? s_j : r_j). */
        __m512i acc = _mm512_setzero_si512();
#pragma GCC unroll 5
        for (int i = 0; i < 5; i++) {
            int j = (k - i + 5) % 5;
            acc = _mm512_add_epi64(acc,
                                   _mm512_mul_epu32(h[i], i > k ? s[j] : r[j]));
        }
        d[k] = acc;
    }
    const __m512i m26 = _mm512_set1_epi64((long long)M26);
    __m512i c = _mm512_srli_epi64(d[0], 26), e = _mm512_srli_epi64(d[3], 26);
    d[0] = _mm512_and_si512(d[0], m26);
    d[3] = _mm512_and_si512(d[3], m26);
    d[1] = _mm512_add_epi64(d[1], c);
    d[4] = _mm512_add_epi64(d[4], e);
    c = _mm512_srli_epi64(d[1], 26);
    e = _mm512_srli_epi64(d[4], 26);
    d[1] = _mm512_and_si512(d[1], m26);
    d[4] = _mm512_and_si512(d[4], m26);
    d[2] = _mm512_add_epi64(d[2], c);
    d[0] = _mm512_add_epi64(d[0], _mm512_add_epi64(e, _mm512_slli_epi64(e, 2)));
    c = _mm512_srli_epi64(d[2], 26);
    e = _mm512_srli_epi64(d[0], 26);
    d[2] = _mm512_and_si512(d[2], m26);
    d[0] = _mm512_and_si512(d[0], m26);
    d[3] = _mm512_add_epi64(d[3], c);
    d[1] = _mm512_add_epi64(d[1], e);
    c = _mm512_srli_epi64(d[3], 26);
    d[3] = _mm512_and_si512(d[3], m26);
    d[4] = _mm512_add_epi64(d[4], c);
#pragma GCC unroll 5
    for (int k = 0; k < 5; k++)
        h[k] = d[k];
}

TGT512 size_t crypto__poly1305_avx512(uint64_t h44[3], const uint64_t r44[3],
                                      const uint8_t *m, size_t nblocks)
{
    size_t groups = nblocks / 8;
    if (groups == 0)
        return 0;
    uint64_t pw[9][5], h[5], v[3] = {h44[0], h44[1], h44[2]};
    to26(pw[1], r44);
    for (int i = 2; i <= 8; i++)
        mul26(pw[i], pw[i - 1], pw[1]);
    for (int i = 0; i < 2; i++) {
        uint64_t c = v[0] >> 44;
        v[0] &= M44;
        v[1] += c;
        c = v[1] >> 44;
        v[1] &= M44;
        v[2] += c;
        c = v[2] >> 42;
        v[2] &= M42;
        v[0] += c * 5;
    }
    to26(h, v);
    __m512i R8[5], S8[5], RL[5], SL[5], H[5];
    for (int i = 0; i < 5; i++) {
        R8[i] = _mm512_set1_epi64((long long)pw[8][i]);
        S8[i] = _mm512_set1_epi64((long long)(pw[8][i] * 5));
        /* Lane j takes block j of a group: r^(8-j) in the last one. */
        RL[i] = _mm512_set_epi64((long long)pw[1][i], (long long)pw[2][i],
                                 (long long)pw[3][i], (long long)pw[4][i],
                                 (long long)pw[5][i], (long long)pw[6][i],
                                 (long long)pw[7][i], (long long)pw[8][i]);
        SL[i] = _mm512_set_epi64(
            (long long)(pw[1][i] * 5), (long long)(pw[2][i] * 5),
            (long long)(pw[3][i] * 5), (long long)(pw[4][i] * 5),
            (long long)(pw[5][i] * 5), (long long)(pw[6][i] * 5),
            (long long)(pw[7][i] * 5), (long long)(pw[8][i] * 5));
        H[i] = _mm512_set_epi64(0, 0, 0, 0, 0, 0, 0, (long long)h[i]);
    }
    const __m512i m26 = _mm512_set1_epi64((long long)M26);
    const __m512i hibit = _mm512_set1_epi64(1ll << 24);
    /* unpack leaves blocks in the order 0 4 1 5 2 6 3 7; this puts them
     * back in order. */
    const __m512i order = _mm512_set_epi64(7, 5, 3, 1, 6, 4, 2, 0);
    for (size_t g = 0; g < groups; g++, m += 128) {
        __m512i a = _mm512_loadu_si512((const void *)m);
        __m512i b = _mm512_loadu_si512((const void *)(m + 64));
        __m512i t0 =
            _mm512_permutexvar_epi64(order, _mm512_unpacklo_epi64(a, b));
        __m512i t1 =
            _mm512_permutexvar_epi64(order, _mm512_unpackhi_epi64(a, b));
        H[0] = _mm512_add_epi64(H[0], _mm512_and_si512(t0, m26));
        H[1] = _mm512_add_epi64(
            H[1], _mm512_and_si512(_mm512_srli_epi64(t0, 26), m26));
        H[2] = _mm512_add_epi64(
            H[2], _mm512_and_si512(_mm512_or_si512(_mm512_srli_epi64(t0, 52),
                                                   _mm512_slli_epi64(t1, 12)),
                                   m26));
        H[3] = _mm512_add_epi64(
            H[3], _mm512_and_si512(_mm512_srli_epi64(t1, 14), m26));
        H[4] = _mm512_add_epi64(
            H[4], _mm512_or_si512(_mm512_srli_epi64(t1, 40), hibit));
        if (g + 1 < groups)
            zmul(H, R8, S8);
        else
            zmul(H, RL, SL);
    }
    uint64_t t[5];
    for (int i = 0; i < 5; i++)
        t[i] = (uint64_t)_mm512_reduce_add_epi64(H[i]);
    /* Lane sums are below 2^30; the same 128-bit carry chain as above. */
    unsigned __int128 acc = (unsigned __int128)t[0] +
                            ((unsigned __int128)t[1] << 26) +
                            ((unsigned __int128)t[2] << 52);
    h44[0] = (uint64_t)acc & M44;
    acc >>= 44;
    acc += (unsigned __int128)t[3] << 34;
    h44[1] = (uint64_t)acc & M44;
    acc >>= 44;
    acc += (unsigned __int128)t[4] << 16;
    h44[2] = (uint64_t)acc;
    return groups * 8;
}

#else

size_t crypto__poly1305_avx512(uint64_t h44[3], const uint64_t r44[3],
                               const uint8_t *m, size_t nblocks)
{
    (void)h44, (void)r44, (void)m, (void)nblocks;
    return 0;
}

size_t crypto__poly1305_avx2(uint64_t h44[3], const uint64_t r44[3],
                             const uint8_t *m, size_t nblocks)
{
    (void)h44, (void)r44, (void)m, (void)nblocks;
    (void)mul26, (void)to26;
    return 0;
}

#endif

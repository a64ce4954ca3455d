/* ML-KEM-768 polynomial arithmetic with AVX2: NTT, inverse NTT and the
 * NTT-domain product, 16 coefficients per instruction.
 *
 * Same coefficient order and same arithmetic as the portable code of
 * mlkem.c, so the results are equal bit for bit (tests/unit/test_mlkem.c
 * checks it on random inputs): the Montgomery product of two int16 is
 * mulhi(a, b) - mulhi(mullo(mullo(a, b), q^-1), q), which is exactly the
 * scalar (a b - t q) >> 16 because the low halves cancel; the Barrett
 * reduction's (v a + 2^25) >> 26 is (mulhi(a, v) + 2^9) >> 10. No branch
 * and no memory index depends on the data.
 *
 * Layers with butterflies 16 or more coefficients apart work on whole
 * vectors. The last three (8, 4 and 2 apart) work on 32 coefficients, two
 * vectors A and B, regrouped so that the two halves of every butterfly sit
 * in the same lanes of two registers X and Y:
 *   len 8: X = (A0-7 | B0-7), Y = (A8-15 | B8-15)          (permute2x128)
 *   len 4: X = (A0-3 A8-11 | B..), Y = (A4-7 A12-15 | B..)   (unpack 64)
 *   len 2: 32-bit pairs [0-1 8-9 4-5 12-13], [2-3 10-11 6-7 14-15]
 *          (shuffle 0,2,1,3 of 32-bit words, then unpack 64)
 * Each step is its own inverse, which takes the data back.
 */
#include "crypto_int.h"
#include "mlkem_int.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2  __attribute__((target("avx2")))
#define Q     3329
#define QINV  (-3327)
#define BARV  20159 /* ((1 << 26) + q / 2) / q */
#define INV_F 1441  /* 2^32 / 128 mod q */

static inline AVX2 __m256i fqmul(__m256i a, __m256i b)
{
    __m256i lo = _mm256_mullo_epi16(a, b);
    __m256i hi = _mm256_mulhi_epi16(a, b);
    __m256i t = _mm256_mullo_epi16(lo, _mm256_set1_epi16(QINV));
    return _mm256_sub_epi16(hi, _mm256_mulhi_epi16(t, _mm256_set1_epi16(Q)));
}

static inline AVX2 __m256i barrett(__m256i a)
{
    __m256i t = _mm256_mulhi_epi16(a, _mm256_set1_epi16(BARV));
    t = _mm256_srai_epi16(_mm256_add_epi16(t, _mm256_set1_epi16(512)), 10);
    return _mm256_sub_epi16(a, _mm256_mullo_epi16(t, _mm256_set1_epi16(Q)));
}

static inline AVX2 __m256i ld(const int16_t *p)
{
    return _mm256_loadu_si256((const __m256i *)(const void *)p);
}

static inline AVX2 void st(int16_t *p, __m256i v)
{
    _mm256_storeu_si256((__m256i *)(void *)p, v);
}

/* Zeta vectors from the table, public data at public indices. */
static inline AVX2 __m256i z_halves(int16_t lo, int16_t hi)
{
    return _mm256_setr_epi16(lo, lo, lo, lo, lo, lo, lo, lo, hi, hi, hi, hi, hi,
                             hi, hi, hi);
}

static inline AVX2 __m256i z_quarters(int16_t a, int16_t b, int16_t c,
                                      int16_t d)
{
    return _mm256_setr_epi16(a, a, a, a, b, b, b, b, c, c, c, c, d, d, d, d);
}

static inline AVX2 __m256i z_pairs(const int16_t z[8])
{
    return _mm256_setr_epi16(z[0], z[0], z[1], z[1], z[2], z[2], z[3], z[3],
                             z[4], z[4], z[5], z[5], z[6], z[6], z[7], z[7]);
}

/* Regroupings for the last three layers (see the top of the file). */
static inline AVX2 void split8(__m256i *x, __m256i *y, __m256i a, __m256i b)
{
    *x = _mm256_permute2x128_si256(a, b, 0x20);
    *y = _mm256_permute2x128_si256(a, b, 0x31);
}

static inline AVX2 void split4(__m256i *x, __m256i *y, __m256i a, __m256i b)
{
    *x = _mm256_unpacklo_epi64(a, b);
    *y = _mm256_unpackhi_epi64(a, b);
}

static inline AVX2 void split2(__m256i *x, __m256i *y, __m256i a, __m256i b)
{
    a = _mm256_shuffle_epi32(a, 0xd8);
    b = _mm256_shuffle_epi32(b, 0xd8);
    *x = _mm256_unpacklo_epi64(a, b);
    *y = _mm256_unpackhi_epi64(a, b);
}

static inline AVX2 void join2(__m256i *a, __m256i *b, __m256i x, __m256i y)
{
    *a = _mm256_shuffle_epi32(_mm256_unpacklo_epi64(x, y), 0xd8);
    *b = _mm256_shuffle_epi32(_mm256_unpackhi_epi64(x, y), 0xd8);
}

/* Cooley-Tukey butterfly (forward) and Gentleman-Sande (inverse), as the
 * scalar loops of mlkem.c do them. */
static inline AVX2 void ct_bf(__m256i *a, __m256i *b, __m256i z)
{
    __m256i t = fqmul(z, *b);
    *b = _mm256_sub_epi16(*a, t);
    *a = _mm256_add_epi16(*a, t);
}

static inline AVX2 void gs_bf(__m256i *a, __m256i *b, __m256i z)
{
    __m256i t = *a;
    *a = barrett(_mm256_add_epi16(t, *b));
    *b = fqmul(z, _mm256_sub_epi16(*b, t));
}

AVX2 void crypto__mlkem_ntt_avx2(int16_t r[256], const int16_t zetas[128])
{
    unsigned k = 1;
    for (unsigned len = 128; len >= 16; len >>= 1) {
        for (unsigned start = 0; start < 256; start += 2 * len) {
            __m256i z = _mm256_set1_epi16(zetas[k++]);
            for (unsigned j = start; j < start + len; j += 16) {
                __m256i a = ld(r + j), b = ld(r + j + len);
                ct_bf(&a, &b, z);
                st(r + j, a);
                st(r + j + len, b);
            }
        }
    }
    /* 32 coefficients (chunk c) at a time: zetas 16 + block of 16,
     * 32 + group of 8, 64 + group of 4. */
    for (unsigned c = 0; c < 8; c++) {
        __m256i a = ld(r + 32 * c), b = ld(r + 32 * c + 16), x, y, x4, y4, x2,
                y2;
        const int16_t *z4 = zetas + 32 + 4 * c, *z2 = zetas + 64 + 8 * c;
        const int16_t z2o[8] = {z2[0], z2[2], z2[1], z2[3],
                                z2[4], z2[6], z2[5], z2[7]};
        split8(&x, &y, a, b);
        ct_bf(&x, &y, z_halves(zetas[16 + 2 * c], zetas[17 + 2 * c]));
        split4(&x4, &y4, x, y);
        ct_bf(&x4, &y4, z_quarters(z4[0], z4[1], z4[2], z4[3]));
        split2(&x2, &y2, x4, y4);
        ct_bf(&x2, &y2, z_pairs(z2o));
        join2(&x4, &y4, x2, y2);
        split4(&x, &y, x4, y4);
        split8(&a, &b, x, y);
        st(r + 32 * c, a);
        st(r + 32 * c + 16, b);
    }
}

AVX2 void crypto__mlkem_invntt_avx2(int16_t r[256], const int16_t zetas[128])
{
    /* The first three layers (2, 4, 8 apart) use zetas 127 - group of 4,
     * 63 - group of 8, 31 - block of 16. */
    for (unsigned c = 0; c < 8; c++) {
        __m256i a = ld(r + 32 * c), b = ld(r + 32 * c + 16), x, y, x4, y4, x2,
                y2;
        int16_t z2o[8];
        const unsigned g2[8] = {0, 2, 1, 3, 4, 6, 5, 7};
        for (unsigned i = 0; i < 8; i++)
            z2o[i] = zetas[127 - (8 * c + g2[i])];
        split8(&x, &y, a, b);
        split4(&x4, &y4, x, y);
        split2(&x2, &y2, x4, y4);
        gs_bf(&x2, &y2, z_pairs(z2o));
        join2(&x4, &y4, x2, y2);
        gs_bf(&x4, &y4,
              z_quarters(zetas[63 - 4 * c], zetas[62 - 4 * c],
                         zetas[61 - 4 * c], zetas[60 - 4 * c]));
        split4(&x, &y, x4, y4);
        gs_bf(&x, &y, z_halves(zetas[31 - 2 * c], zetas[30 - 2 * c]));
        split8(&a, &b, x, y);
        st(r + 32 * c, a);
        st(r + 32 * c + 16, b);
    }
    unsigned k = 15;
    for (unsigned len = 16; len <= 128; len <<= 1) {
        for (unsigned start = 0; start < 256; start += 2 * len) {
            __m256i z = _mm256_set1_epi16(zetas[k--]);
            for (unsigned j = start; j < start + len; j += 16) {
                __m256i a = ld(r + j), b = ld(r + j + len);
                gs_bf(&a, &b, z);
                st(r + j, a);
                st(r + j + len, b);
            }
        }
    }
    __m256i f = _mm256_set1_epi16(INV_F);
    for (unsigned j = 0; j < 256; j += 16)
        st(r + j, fqmul(ld(r + j), f));
}

/* Even and odd coefficients of 32: within each 128-bit lane evens to the
 * low half and odds to the high half, then 64-bit unpacks. Pair p (of the
 * chunk's 16 pairs of coefficients) sits in slot order
 * lane 0: 0 1 2 3 8 9 10 11, lane 1: 4 5 6 7 12 13 14 15; unpacking the
 * results 16 bits at a time puts them back in order. */
AVX2 void crypto__mlkem_basemul_avx2(int16_t r[256], const int16_t a[256],
                                     const int16_t b[256],
                                     const int16_t zetas[128])
{
    const __m256i sh =
        _mm256_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15,
                         0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15);
    static const unsigned slot[16] = {0, 1, 2, 3, 8,  9,  10, 11,
                                      4, 5, 6, 7, 12, 13, 14, 15};
    for (unsigned c = 0; c < 8; c++) {
        int16_t zt[16];
        for (unsigned s = 0; s < 16; s++) {
            unsigned p = 16 * c + slot[s]; /* pair index in the polynomial */
            int16_t z = zetas[64 + p / 2];
            zt[s] = (int16_t)(p & 1 ? -z : z);
        }
        __m256i z = ld(zt);
        __m256i a0 = _mm256_shuffle_epi8(ld(a + 32 * c), sh);
        __m256i a1 = _mm256_shuffle_epi8(ld(a + 32 * c + 16), sh);
        __m256i b0 = _mm256_shuffle_epi8(ld(b + 32 * c), sh);
        __m256i b1 = _mm256_shuffle_epi8(ld(b + 32 * c + 16), sh);
        __m256i ae = _mm256_unpacklo_epi64(a0, a1);
        __m256i ao = _mm256_unpackhi_epi64(a0, a1);
        __m256i be = _mm256_unpacklo_epi64(b0, b1);
        __m256i bo = _mm256_unpackhi_epi64(b0, b1);
        __m256i re = _mm256_add_epi16(fqmul(fqmul(ao, bo), z), fqmul(ae, be));
        __m256i ro = _mm256_add_epi16(fqmul(ae, bo), fqmul(ao, be));
        st(r + 32 * c, _mm256_unpacklo_epi16(re, ro));
        st(r + 32 * c + 16, _mm256_unpackhi_epi16(re, ro));
    }
}

/* SamplePolyCBD_2 of 128 bytes, 64 coefficients per 32 bytes: in every
 * nibble (two bits a, two bits b) the bit sums, then a - b; byte b of the
 * input gives coefficients 2b (low nibble) and 2b + 1 (high nibble), as in
 * the portable code. Byte unpacking puts 0-15 and 32-47 in one register
 * and 16-31 and 48-63 in the other. */
AVX2 void crypto__mlkem_cbd2_avx2(int16_t r[256], const uint8_t buf[128])
{
    const __m256i m55 = _mm256_set1_epi8(0x55), m33 = _mm256_set1_epi8(0x33),
                  m03 = _mm256_set1_epi8(0x03), m0f = _mm256_set1_epi8(0x0f);
    for (unsigned i = 0; i < 4; i++) {
        __m256i f0 =
            _mm256_loadu_si256((const __m256i *)(const void *)(buf + 32 * i));
        __m256i f1 = _mm256_srli_epi16(f0, 1);
        f0 = _mm256_add_epi8(_mm256_and_si256(f0, m55),
                             _mm256_and_si256(f1, m55));
        f1 = _mm256_and_si256(_mm256_srli_epi16(f0, 2), m33);
        f0 = _mm256_sub_epi8(_mm256_add_epi8(_mm256_and_si256(f0, m33), m33),
                             f1); /* a - b + 3 in each nibble */
        f1 = _mm256_sub_epi8(_mm256_and_si256(_mm256_srli_epi16(f0, 4), m0f),
                             m03);
        f0 = _mm256_sub_epi8(_mm256_and_si256(f0, m0f), m03);
        __m256i lo = _mm256_unpacklo_epi8(f0, f1),
                hi = _mm256_unpackhi_epi8(f0, f1);
        st(r + 64 * i, _mm256_cvtepi8_epi16(_mm256_castsi256_si128(lo)));
        st(r + 64 * i + 16, _mm256_cvtepi8_epi16(_mm256_castsi256_si128(hi)));
        st(r + 64 * i + 32,
           _mm256_cvtepi8_epi16(_mm256_extracti128_si256(lo, 1)));
        st(r + 64 * i + 48,
           _mm256_cvtepi8_epi16(_mm256_extracti128_si256(hi, 1)));
    }
}

#else

void crypto__mlkem_cbd2_avx2(int16_t r[256], const uint8_t buf[128])
{
    (void)r;
    (void)buf;
}
void crypto__mlkem_ntt_avx2(int16_t r[256], const int16_t zetas[128])
{
    (void)r;
    (void)zetas;
}
void crypto__mlkem_invntt_avx2(int16_t r[256], const int16_t zetas[128])
{
    (void)r;
    (void)zetas;
}
void crypto__mlkem_basemul_avx2(int16_t r[256], const int16_t a[256],
                                const int16_t b[256], const int16_t zetas[128])
{
    (void)r;
    (void)a;
    (void)b;
    (void)zetas;
}

#endif

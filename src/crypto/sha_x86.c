/* SHA-1 and SHA-256 block functions with the x86 SHA extensions (SHA-NI),
 * and SHA-512 with AVX2 and BMI2. */

#include "crypto_int.h"

/*
 * The message schedule is computed four words at a time with the MSG1/MSG2
 * instructions and the rounds four (SHA-1) or two (SHA-256) at a time; the
 * formulation follows Intel's "Intel SHA Extensions" white paper (Gulley et
 * al., 2013). The schedule vector for rounds 4g..4g+3 is W[g], built from
 * the four before it, so the code is a loop rather than the paper's
 * hand-interleaved listing; the compiler schedules it. The instructions run
 * in constant time; only used when crypto__cpu() reports CRYPTO_CPU_SHA.
 */

#if defined(__x86_64__)
#include <immintrin.h>

#define TGT __attribute__((target("sha,sse4.1,ssse3")))

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

TGT void crypto__sha256_shani(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
    const __m128i mask =
        _mm_set_epi64x(0x0c0d0e0f08090a0bll, 0x0405060700010203ll);
    /* The round instructions want the state as ABEF and CDGH. */
    __m128i tmp = _mm_loadu_si128((const __m128i *)&h[0]); /* DCBA */
    __m128i st1 = _mm_loadu_si128((const __m128i *)&h[4]); /* HGFE */
    tmp = _mm_shuffle_epi32(tmp, 0xb1);                    /* CDAB */
    st1 = _mm_shuffle_epi32(st1, 0x1b);                    /* EFGH */
    __m128i st0 = _mm_alignr_epi8(tmp, st1, 8);            /* ABEF */
    st1 = _mm_blend_epi16(st1, tmp, 0xf0);                 /* CDGH */
    for (; nblocks--; p += 64) {
        __m128i save0 = st0, save1 = st1, w[16];
        /* Fully unrolled, w[] lives in registers (gcc -O2 would not). */
#pragma GCC unroll 16
        for (int g = 0; g < 16; g++) {
            if (g < 4) {
                w[g] = _mm_shuffle_epi8(
                    _mm_loadu_si128((const __m128i *)(p + 16 * g)), mask);
            } else {
                __m128i t = _mm_sha256msg1_epu32(w[g - 4], w[g - 3]);
                t = _mm_add_epi32(t, _mm_alignr_epi8(w[g - 1], w[g - 2], 4));
                w[g] = _mm_sha256msg2_epu32(t, w[g - 1]);
            }
            __m128i m = _mm_add_epi32(
                w[g], _mm_loadu_si128((const __m128i *)&K256[4 * g]));
            st1 = _mm_sha256rnds2_epu32(st1, st0, m);
            m = _mm_shuffle_epi32(m, 0x0e);
            st0 = _mm_sha256rnds2_epu32(st0, st1, m);
        }
        st0 = _mm_add_epi32(st0, save0);
        st1 = _mm_add_epi32(st1, save1);
    }
    tmp = _mm_shuffle_epi32(st0, 0x1b);    /* FEBA */
    st1 = _mm_shuffle_epi32(st1, 0xb1);    /* DCHG */
    st0 = _mm_blend_epi16(tmp, st1, 0xf0); /* DCBA */
    st1 = _mm_alignr_epi8(st1, tmp, 8);    /* HGFE */
    _mm_storeu_si128((__m128i *)&h[0], st0);
    _mm_storeu_si128((__m128i *)&h[4], st1);
}

TGT static inline __m128i sha1_rounds(__m128i abcd, __m128i e, int func)
{
    /* The function selector must be an immediate. */
    switch (func) {
    case 0:
        return _mm_sha1rnds4_epu32(abcd, e, 0);
    case 1:
        return _mm_sha1rnds4_epu32(abcd, e, 1);
    case 2:
        return _mm_sha1rnds4_epu32(abcd, e, 2);
    default:
        return _mm_sha1rnds4_epu32(abcd, e, 3);
    }
}

TGT void crypto__sha1_shani(uint32_t h[5], const uint8_t *p, size_t nblocks)
{
    const __m128i mask =
        _mm_set_epi64x(0x0001020304050607ll, 0x08090a0b0c0d0e0fll);
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)h), 0x1b);
    __m128i e0 = _mm_set_epi32((int)h[4], 0, 0, 0);
    for (; nblocks--; p += 64) {
        __m128i save_abcd = abcd, save_e = e0, w[20];
        __m128i e, prev;
#pragma GCC unroll 20
        for (int g = 0; g < 20; g++) {
            if (g < 4) {
                w[g] = _mm_shuffle_epi8(
                    _mm_loadu_si128((const __m128i *)(p + 16 * g)), mask);
            } else {
                __m128i t = _mm_sha1msg1_epu32(w[g - 4], w[g - 3]);
                t = _mm_xor_si128(t, w[g - 2]);
                w[g] = _mm_sha1msg2_epu32(t, w[g - 1]);
            }
        }
        e = _mm_add_epi32(e0, w[0]);
        prev = abcd;
        abcd = sha1_rounds(abcd, e, 0);
        /* Unrolled, so that g / 5 is a constant and the switch in
         * sha1_rounds folds away. */
#pragma GCC unroll 20
        for (int g = 1; g < 20; g++) {
            e = _mm_sha1nexte_epu32(prev, w[g]);
            prev = abcd;
            abcd = sha1_rounds(abcd, e, g / 5);
        }
        e0 = _mm_sha1nexte_epu32(prev, save_e);
        abcd = _mm_add_epi32(abcd, save_abcd);
    }
    _mm_storeu_si128((__m128i *)h, _mm_shuffle_epi32(abcd, 0x1b));
    h[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}

/*
 * SHA-512 with AVX2 and BMI2. The rounds are scalar (rorx, andn); the
 * message schedule goes to the vector unit: two blocks at a time, a YMM
 * register holding words t, t + 1 of the first block in its low half and
 * of the second in its high half, W[t] + K[t] stored to wk for the
 * rounds. The schedule of the next pair of blocks is computed in steps of
 * two words, one after every fifth round of the current pair (software
 * pipelining: the first pair's is computed up front), so that the
 * out-of-order core runs it beside the rounds rather than adding to their
 * scalar work. The rounds are a loop of 40 unrolled ones: fully unrolled
 * passes no longer fit the CPU's decoded-instruction cache, and the
 * front end then held the whole thing back (measured: 740 MB/s against
 * 1100 for the same rounds without the schedule). The idea is OpenSSL's
 * sha512-avx2 (Gueron and Krasnov, 2012); the code is ours. Shifts, adds,
 * byte shuffles and loads at fixed offsets only: constant time.
 */
#define TGT512 __attribute__((target("avx2,bmi,bmi2")))

struct sha512_sched {
    __m256i x[8]; /* words 2k, 2k + 1 of both blocks, a ring of 8 steps */
    uint64_t *wk; /* [2][80]: W + K of the first and second block */
};

TGT512 static inline __m256i ror256(__m256i x, int n)
{
    return _mm256_or_si256(_mm256_srli_epi64(x, n),
                           _mm256_slli_epi64(x, 64 - n));
}

/* Step k of the schedule is in x[k & 7]: add K, store to wk. */
TGT512 static inline __attribute__((always_inline)) void
sha512_sched_store(struct sha512_sched *s, int k)
{
    __m256i w = _mm256_add_epi64(
        s->x[k & 7], _mm256_broadcastsi128_si256(_mm_loadu_si128(
                         (const __m128i *)&crypto__sha512_k[2 * k])));
    _mm_storeu_si128((__m128i *)&s->wk[2 * k], _mm256_castsi256_si128(w));
    _mm_storeu_si128((__m128i *)&s->wk[80 + 2 * k],
                     _mm256_extracti128_si256(w, 1));
}

/* Steps 0..7: the two blocks' words, byte-swapped. */
TGT512 static inline __attribute__((always_inline)) void
sha512_sched_load(struct sha512_sched *s, const uint8_t *p0, const uint8_t *p1)
{
    const __m256i bswap =
        _mm256_set_epi64x(0x08090a0b0c0d0e0fll, 0x0001020304050607ll,
                          0x08090a0b0c0d0e0fll, 0x0001020304050607ll);
#pragma GCC unroll 8
    for (int k = 0; k < 8; k++) {
        s->x[k] = _mm256_shuffle_epi8(
            _mm256_set_m128i(_mm_loadu_si128((const __m128i *)(p1 + 16 * k)),
                             _mm_loadu_si128((const __m128i *)(p0 + 16 * k))),
            bswap);
        sha512_sched_store(s, k);
    }
}

/* Step k >= 8 (k & 7 == j, a constant): W[t] = s1(W[t-2]) + W[t-7] +
 * s0(W[t-15]) + W[t-16] for t = 2k, 2k + 1. */
TGT512 static inline __attribute__((always_inline)) void
sha512_sched_step(struct sha512_sched *s, int k, int j)
{
    __m256i w16 = s->x[j], w2 = s->x[(j - 1) & 7];
    __m256i w15 = _mm256_alignr_epi8(s->x[(j + 1) & 7], w16, 8);
    __m256i w7 = _mm256_alignr_epi8(s->x[(j + 5) & 7], s->x[(j + 4) & 7], 8);
    __m256i t0 =
        _mm256_xor_si256(_mm256_xor_si256(ror256(w15, 1), ror256(w15, 8)),
                         _mm256_srli_epi64(w15, 7));
    __m256i t1 =
        _mm256_xor_si256(_mm256_xor_si256(ror256(w2, 19), ror256(w2, 61)),
                         _mm256_srli_epi64(w2, 6));
    s->x[j] =
        _mm256_add_epi64(_mm256_add_epi64(w16, t0), _mm256_add_epi64(w7, t1));
    sha512_sched_store(s, k);
}

/* One block's 80 rounds from wk, as two passes of 40; with s, steps base
 * .. base + 15 of the next pair's schedule (base a multiple of 8), one
 * after every fifth round. */
TGT512 __attribute__((noinline)) static void
sha512_block(uint64_t h[8], const uint64_t *wk, struct sha512_sched *s,
             int base)
{
    uint64_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5],
             g = h[6], hh = h[7], bc = b ^ c;
#pragma GCC unroll 1
    for (int half = 0; half < 2; half++, wk += 40) {
#pragma GCC unroll 40
        for (int i = 0; i < 40; i++) {
            SHA512_ROUND(wk[i]);
            if (s && i % 5 == 4)
                sha512_sched_step(s, base + 8 * half + i / 5, i / 5);
        }
    }
    SHA512_FEED_FORWARD(h);
}

TGT512 void crypto__sha512_avx2(uint64_t h[8], const uint8_t *p, size_t nblocks)
{
    _Alignas(32) uint64_t wk[2][160];
    struct sha512_sched s;
    int cur = 0;
    if (!nblocks)
        return;
    /* The first pair's schedule up front (a lone block is paired with
     * itself: its copy's words are computed and not used). */
    s.wk = wk[0];
    sha512_sched_load(&s, p, nblocks > 1 ? p + 128 : p);
    for (int k = 8; k < 40; k += 8) {
#pragma GCC unroll 8
        for (int j = 0; j < 8; j++)
            sha512_sched_step(&s, k + j, j);
    }
    while (nblocks) {
        size_t n = nblocks > 1 ? 2 : 1, rest = nblocks - n;
        const uint8_t *next = p + 128 * n;
        if (rest) {
            /* n is 2 here: a lone block is always the last. */
            s.wk = wk[cur ^ 1];
            sha512_sched_load(&s, next, rest > 1 ? next + 128 : next);
            sha512_block(h, wk[cur], &s, 8);
            sha512_block(h, wk[cur] + 80, &s, 24);
        } else {
            sha512_block(h, wk[cur], NULL, 0);
            if (n > 1)
                sha512_block(h, wk[cur] + 80, NULL, 0);
        }
        cur ^= 1;
        p = next;
        nblocks = rest;
    }
    /* wk and s hold message words, as the portable code's w[] and the
     * SHA-NI code's registers do: not wiped (a caller hashing a secret
     * wipes what it owns; the stack is the platform's). */
}

#else

void crypto__sha256_shani(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
    (void)h, (void)p, (void)nblocks;
}

void crypto__sha1_shani(uint32_t h[5], const uint8_t *p, size_t nblocks)
{
    (void)h, (void)p, (void)nblocks;
}

void crypto__sha512_avx2(uint64_t h[8], const uint8_t *p, size_t nblocks)
{
    (void)h, (void)p, (void)nblocks;
}

#endif

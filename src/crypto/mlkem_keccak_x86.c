/* Four Keccak-f[1600] permutations at once with AVX2 (lane i of the four
 * states in one YMM register), eight at once with AVX-512F (ZMM; native
 * 64-bit rotations, three-input XOR and chi each one vpternlogq), and the
 * two SHAKE shapes ML-KEM needs on top: absorb one short input per stream,
 * squeeze whole blocks. The matrix A (nine SHAKE128 streams) and the CBD
 * noise (six or seven SHAKE256 streams) are computed four or eight streams
 * at a time (mlkem.c); the bytes are those of the one-stream code
 * (mlkem_keccak.c), which tests/unit/test_mlkem.c checks. No branch or
 * address depends on the data.
 */
#include <string.h>

#include <mote/crypto.h>

#include "crypto_int.h"
#include "mlkem_int.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2      __attribute__((target("avx2")))
#define XOR(a, b) _mm256_xor_si256(a, b)
#define ROL4(x, n)                                                             \
    _mm256_or_si256(_mm256_slli_epi64(x, n), _mm256_srli_epi64(x, 64 - (n)))

/* One round from a into e; written out by the script that wrote the
 * one-stream round (B[y, 2x + 3y] = rot(A[x, y] ^ D[x], r[x, y])). */
static inline AVX2 __attribute__((always_inline)) void
round4(__m256i e[25], const __m256i a[25], uint64_t rc)
{
    __m256i c0 = XOR(XOR(XOR(a[0], a[5]), XOR(a[10], a[15])), a[20]);
    __m256i c1 = XOR(XOR(XOR(a[1], a[6]), XOR(a[11], a[16])), a[21]);
    __m256i c2 = XOR(XOR(XOR(a[2], a[7]), XOR(a[12], a[17])), a[22]);
    __m256i c3 = XOR(XOR(XOR(a[3], a[8]), XOR(a[13], a[18])), a[23]);
    __m256i c4 = XOR(XOR(XOR(a[4], a[9]), XOR(a[14], a[19])), a[24]);
    __m256i d0 = XOR(c4, ROL4(c1, 1));
    __m256i d1 = XOR(c0, ROL4(c2, 1));
    __m256i d2 = XOR(c1, ROL4(c3, 1));
    __m256i d3 = XOR(c2, ROL4(c4, 1));
    __m256i d4 = XOR(c3, ROL4(c0, 1));
    __m256i b0, b1, b2, b3, b4;
    b0 = XOR(a[0], d0);
    b1 = ROL4(XOR(a[6], d1), 44);
    b2 = ROL4(XOR(a[12], d2), 43);
    b3 = ROL4(XOR(a[18], d3), 21);
    b4 = ROL4(XOR(a[24], d4), 14);
    e[0] = XOR(b0, _mm256_andnot_si256(b1, b2));
    e[1] = XOR(b1, _mm256_andnot_si256(b2, b3));
    e[2] = XOR(b2, _mm256_andnot_si256(b3, b4));
    e[3] = XOR(b3, _mm256_andnot_si256(b4, b0));
    e[4] = XOR(b4, _mm256_andnot_si256(b0, b1));
    b0 = ROL4(XOR(a[3], d3), 28);
    b1 = ROL4(XOR(a[9], d4), 20);
    b2 = ROL4(XOR(a[10], d0), 3);
    b3 = ROL4(XOR(a[16], d1), 45);
    b4 = ROL4(XOR(a[22], d2), 61);
    e[5] = XOR(b0, _mm256_andnot_si256(b1, b2));
    e[6] = XOR(b1, _mm256_andnot_si256(b2, b3));
    e[7] = XOR(b2, _mm256_andnot_si256(b3, b4));
    e[8] = XOR(b3, _mm256_andnot_si256(b4, b0));
    e[9] = XOR(b4, _mm256_andnot_si256(b0, b1));
    b0 = ROL4(XOR(a[1], d1), 1);
    b1 = ROL4(XOR(a[7], d2), 6);
    b2 = ROL4(XOR(a[13], d3), 25);
    b3 = ROL4(XOR(a[19], d4), 8);
    b4 = ROL4(XOR(a[20], d0), 18);
    e[10] = XOR(b0, _mm256_andnot_si256(b1, b2));
    e[11] = XOR(b1, _mm256_andnot_si256(b2, b3));
    e[12] = XOR(b2, _mm256_andnot_si256(b3, b4));
    e[13] = XOR(b3, _mm256_andnot_si256(b4, b0));
    e[14] = XOR(b4, _mm256_andnot_si256(b0, b1));
    b0 = ROL4(XOR(a[4], d4), 27);
    b1 = ROL4(XOR(a[5], d0), 36);
    b2 = ROL4(XOR(a[11], d1), 10);
    b3 = ROL4(XOR(a[17], d2), 15);
    b4 = ROL4(XOR(a[23], d3), 56);
    e[15] = XOR(b0, _mm256_andnot_si256(b1, b2));
    e[16] = XOR(b1, _mm256_andnot_si256(b2, b3));
    e[17] = XOR(b2, _mm256_andnot_si256(b3, b4));
    e[18] = XOR(b3, _mm256_andnot_si256(b4, b0));
    e[19] = XOR(b4, _mm256_andnot_si256(b0, b1));
    b0 = ROL4(XOR(a[2], d2), 62);
    b1 = ROL4(XOR(a[8], d3), 55);
    b2 = ROL4(XOR(a[14], d4), 39);
    b3 = ROL4(XOR(a[15], d0), 41);
    b4 = ROL4(XOR(a[21], d1), 2);
    e[20] = XOR(b0, _mm256_andnot_si256(b1, b2));
    e[21] = XOR(b1, _mm256_andnot_si256(b2, b3));
    e[22] = XOR(b2, _mm256_andnot_si256(b3, b4));
    e[23] = XOR(b3, _mm256_andnot_si256(b4, b0));
    e[24] = XOR(b4, _mm256_andnot_si256(b0, b1));
    e[0] = XOR(e[0], _mm256_set1_epi64x((long long)rc));
}

/* s: 25 lanes x 4 streams, lane i of stream j at s[4 i + j]. */
AVX2 void crypto__keccak_x4_f1600(uint64_t s[100])
{
    __m256i a[25], e[25];
    for (int i = 0; i < 25; i++)
        a[i] = _mm256_loadu_si256((const __m256i *)(const void *)(s + 4 * i));
    for (int r = 0; r < 24; r += 2) {
        round4(e, a, crypto__keccak_rc[r]);
        round4(a, e, crypto__keccak_rc[r + 1]);
    }
    for (int i = 0; i < 25; i++)
        _mm256_storeu_si256((__m256i *)(void *)(s + 4 * i), a[i]);
}

/* vpternlogq truth tables: 0x96 is a ^ b ^ c, 0xd2 is a ^ (~b & c). */
#define AVX512        __attribute__((target("avx512f")))
#define XOR3(a, b, c) _mm512_ternarylogic_epi64(a, b, c, 0x96)
#define CHI(a, b, c)  _mm512_ternarylogic_epi64(a, b, c, 0xd2)

static inline AVX512 __attribute__((always_inline)) void
round8(__m512i e[25], const __m512i a[25], uint64_t rc)
{
    __m512i c0 = XOR3(XOR3(a[0], a[5], a[10]), a[15], a[20]);
    __m512i c1 = XOR3(XOR3(a[1], a[6], a[11]), a[16], a[21]);
    __m512i c2 = XOR3(XOR3(a[2], a[7], a[12]), a[17], a[22]);
    __m512i c3 = XOR3(XOR3(a[3], a[8], a[13]), a[18], a[23]);
    __m512i c4 = XOR3(XOR3(a[4], a[9], a[14]), a[19], a[24]);
    __m512i d0 = _mm512_xor_si512(c4, _mm512_rol_epi64(c1, 1));
    __m512i d1 = _mm512_xor_si512(c0, _mm512_rol_epi64(c2, 1));
    __m512i d2 = _mm512_xor_si512(c1, _mm512_rol_epi64(c3, 1));
    __m512i d3 = _mm512_xor_si512(c2, _mm512_rol_epi64(c4, 1));
    __m512i d4 = _mm512_xor_si512(c3, _mm512_rol_epi64(c0, 1));
    __m512i b0, b1, b2, b3, b4;
    b0 = _mm512_xor_si512(a[0], d0);
    b1 = _mm512_rol_epi64(_mm512_xor_si512(a[6], d1), 44);
    b2 = _mm512_rol_epi64(_mm512_xor_si512(a[12], d2), 43);
    b3 = _mm512_rol_epi64(_mm512_xor_si512(a[18], d3), 21);
    b4 = _mm512_rol_epi64(_mm512_xor_si512(a[24], d4), 14);
    e[0] = CHI(b0, b1, b2);
    e[1] = CHI(b1, b2, b3);
    e[2] = CHI(b2, b3, b4);
    e[3] = CHI(b3, b4, b0);
    e[4] = CHI(b4, b0, b1);
    b0 = _mm512_rol_epi64(_mm512_xor_si512(a[3], d3), 28);
    b1 = _mm512_rol_epi64(_mm512_xor_si512(a[9], d4), 20);
    b2 = _mm512_rol_epi64(_mm512_xor_si512(a[10], d0), 3);
    b3 = _mm512_rol_epi64(_mm512_xor_si512(a[16], d1), 45);
    b4 = _mm512_rol_epi64(_mm512_xor_si512(a[22], d2), 61);
    e[5] = CHI(b0, b1, b2);
    e[6] = CHI(b1, b2, b3);
    e[7] = CHI(b2, b3, b4);
    e[8] = CHI(b3, b4, b0);
    e[9] = CHI(b4, b0, b1);
    b0 = _mm512_rol_epi64(_mm512_xor_si512(a[1], d1), 1);
    b1 = _mm512_rol_epi64(_mm512_xor_si512(a[7], d2), 6);
    b2 = _mm512_rol_epi64(_mm512_xor_si512(a[13], d3), 25);
    b3 = _mm512_rol_epi64(_mm512_xor_si512(a[19], d4), 8);
    b4 = _mm512_rol_epi64(_mm512_xor_si512(a[20], d0), 18);
    e[10] = CHI(b0, b1, b2);
    e[11] = CHI(b1, b2, b3);
    e[12] = CHI(b2, b3, b4);
    e[13] = CHI(b3, b4, b0);
    e[14] = CHI(b4, b0, b1);
    b0 = _mm512_rol_epi64(_mm512_xor_si512(a[4], d4), 27);
    b1 = _mm512_rol_epi64(_mm512_xor_si512(a[5], d0), 36);
    b2 = _mm512_rol_epi64(_mm512_xor_si512(a[11], d1), 10);
    b3 = _mm512_rol_epi64(_mm512_xor_si512(a[17], d2), 15);
    b4 = _mm512_rol_epi64(_mm512_xor_si512(a[23], d3), 56);
    e[15] = CHI(b0, b1, b2);
    e[16] = CHI(b1, b2, b3);
    e[17] = CHI(b2, b3, b4);
    e[18] = CHI(b3, b4, b0);
    e[19] = CHI(b4, b0, b1);
    b0 = _mm512_rol_epi64(_mm512_xor_si512(a[2], d2), 62);
    b1 = _mm512_rol_epi64(_mm512_xor_si512(a[8], d3), 55);
    b2 = _mm512_rol_epi64(_mm512_xor_si512(a[14], d4), 39);
    b3 = _mm512_rol_epi64(_mm512_xor_si512(a[15], d0), 41);
    b4 = _mm512_rol_epi64(_mm512_xor_si512(a[21], d1), 2);
    e[20] = CHI(b0, b1, b2);
    e[21] = CHI(b1, b2, b3);
    e[22] = CHI(b2, b3, b4);
    e[23] = CHI(b3, b4, b0);
    e[24] = CHI(b4, b0, b1);
    e[0] = _mm512_xor_si512(e[0], _mm512_set1_epi64((long long)rc));
}

/* s: 25 lanes x 8 streams, lane i of stream j at s[8 i + j]. */
AVX512 void crypto__keccak_x8_f1600(uint64_t s[200])
{
    __m512i a[25], e[25];
    for (int i = 0; i < 25; i++)
        a[i] = _mm512_loadu_si512((const void *)(s + 8 * i));
    for (int r = 0; r < 24; r += 2) {
        round8(e, a, crypto__keccak_rc[r]);
        round8(a, e, crypto__keccak_rc[r + 1]);
    }
    for (int i = 0; i < 25; i++)
        _mm512_storeu_si512((void *)(s + 8 * i), a[i]);
}

/* The sponge around it is plain C (a few loads and stores per block; lanes
 * are little-endian, as x86 is). */
void crypto__keccak_xw_absorb_once(uint64_t *s, unsigned w, unsigned rate,
                                   const uint8_t *const *in, size_t len,
                                   uint8_t pad)
{
    memset(s, 0, 25 * w * sizeof s[0]);
    for (unsigned j = 0; j < w; j++) {
        for (size_t i = 0; i < len; i++)
            s[w * (i / 8) + j] ^= (uint64_t)in[j][i] << (8 * (i % 8));
        s[w * (len / 8) + j] ^= (uint64_t)pad << (8 * (len % 8));
        s[w * ((rate - 1) / 8) + j] ^= (uint64_t)0x80 << (8 * ((rate - 1) % 8));
    }
}

void crypto__keccak_xw_squeeze(uint64_t *s, unsigned w, unsigned rate,
                               uint8_t *const *out, size_t nblocks)
{
    for (size_t b = 0; b < nblocks; b++) {
        if (w == 8)
            crypto__keccak_x8_f1600(s);
        else
            crypto__keccak_x4_f1600(s);
        for (unsigned j = 0; j < w; j++) {
            uint8_t *o = out[j] + b * rate;
            for (unsigned i = 0; i < rate / 8; i++)
                memcpy(o + 8 * i, &s[w * i + j], 8); /* little-endian */
        }
    }
}

void crypto__keccak_xw_hash(unsigned w, unsigned rate, unsigned n,
                            const uint8_t *const *in, const size_t *len,
                            const uint8_t *pad, uint8_t *const *out,
                            size_t outlen)
{
    uint64_t s[200];
    size_t nb = len[0] / rate + 1;
    memset(s, 0, 25 * w * sizeof s[0]);
    for (size_t b = 0; b < nb; b++) {
        for (unsigned j = 0; j < n; j++) {
            const uint8_t *p = in[j] + b * rate;
            if (b + 1 < nb) {
                for (unsigned i = 0; i < rate / 8; i++) {
                    uint64_t v;
                    memcpy(&v, p + 8 * i, 8); /* little-endian */
                    s[w * i + j] ^= v;
                }
            } else {
                size_t m = len[j] - b * rate;
                for (size_t i = 0; i < m; i++)
                    s[w * (i / 8) + j] ^= (uint64_t)p[i] << (8 * (i % 8));
                s[w * (m / 8) + j] ^= (uint64_t)pad[j] << (8 * (m % 8));
                s[w * ((rate - 1) / 8) + j] ^= (uint64_t)0x80
                                               << (8 * ((rate - 1) % 8));
            }
        }
        if (w == 8)
            crypto__keccak_x8_f1600(s);
        else
            crypto__keccak_x4_f1600(s);
    }
    for (unsigned j = 0; j < n; j++)
        for (size_t i = 0; i < outlen; i++)
            out[j][i] = (uint8_t)(s[w * (i / 8) + j] >> (8 * (i % 8)));
    mote_memzero_explicit(s, sizeof s);
}

#else

void crypto__keccak_xw_hash(unsigned w, unsigned rate, unsigned n,
                            const uint8_t *const *in, const size_t *len,
                            const uint8_t *pad, uint8_t *const *out,
                            size_t outlen)
{
    (void)w;
    (void)rate;
    (void)n;
    (void)in;
    (void)len;
    (void)pad;
    (void)out;
    (void)outlen;
}
void crypto__keccak_x4_f1600(uint64_t s[100])
{
    (void)s;
}
void crypto__keccak_x8_f1600(uint64_t s[200])
{
    (void)s;
}
void crypto__keccak_xw_absorb_once(uint64_t *s, unsigned w, unsigned rate,
                                   const uint8_t *const *in, size_t len,
                                   uint8_t pad)
{
    (void)s;
    (void)w;
    (void)rate;
    (void)in;
    (void)len;
    (void)pad;
}
void crypto__keccak_xw_squeeze(uint64_t *s, unsigned w, unsigned rate,
                               uint8_t *const *out, size_t nblocks)
{
    (void)s;
    (void)w;
    (void)rate;
    (void)out;
    (void)nblocks;
}

#endif

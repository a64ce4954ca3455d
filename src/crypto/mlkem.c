/* ML-KEM-768 (FIPS 203): NTT arithmetic mod q = 3329 with Montgomery and
 * Barrett reductions (no division, no secret-indexed table), implicit
 * rejection in constant time. Follows the structure of the public-domain
 * reference implementation (pq-crystals/kyber, standard branch). */
#include <string.h>

#include <mote/error.h>

#include "crypto_int.h"
#include "mlkem_int.h"
#include "pk_int.h"

#define Q   3329
#define K   3
#define N   256
#define ETA 2 /* eta1 = eta2 = 2 for ML-KEM-768 */
#define DU  10
#define DV  4

#define POLY_BYTES 384 /* 12 bits x 256 */
#define PKE_SK     (K * POLY_BYTES)
#define EK_BYTES   (K * POLY_BYTES + 32)
#define CT_U_BYTES (K * 320)
#define CT_BYTES   (CT_U_BYTES + 128)
#define QINV       (-3327) /* q^-1 mod 2^16 */

typedef struct {
    int16_t c[N];
} poly;

typedef struct {
    poly v[K];
} polyvec;

/* 17^bitrev7(i) * 2^16 mod q, centered (FIPS 203 appendix A, in
 * Montgomery form as the reference uses). */
static const int16_t ZETAS[128] = {
    -1044, -758,  -359,  -1517, 1493,  1422,  287,   202,  -171,  622,   1577,
    182,   962,   -1202, -1474, 1468,  573,   -1325, 264,  383,   -829,  1458,
    -1602, -130,  -681,  1017,  732,   608,   -1542, 411,  -205,  -1571, 1223,
    652,   -552,  1015,  -1293, 1491,  -282,  -1544, 516,  -8,    -320,  -666,
    -1618, -1162, 126,   1469,  -853,  -90,   -271,  830,  107,   -1421, -247,
    -951,  -398,  961,   -1508, -725,  448,   -1065, 677,  -1275, -1103, 430,
    555,   843,   -1251, 871,   1550,  105,   422,   587,  177,   -235,  -291,
    -460,  1574,  1653,  -246,  778,   1159,  -147,  -777, 1483,  -602,  1119,
    -1590, 644,   -872,  349,   418,   329,   -156,  -75,  817,   1097,  603,
    610,   1322,  -1285, -1465, 384,   -1215, -136,  1218, -1335, -874,  220,
    -1187, -1659, -1185, -1530, -1278, 794,   -1510, -854, -870,  478,   -108,
    -308,  996,   991,   958,   -1460, 1522,  1628};

/* ---- Reductions -------------------------------------------------------------
 */

static int16_t mont_reduce(int32_t a)
{
    int16_t t = (int16_t)((int16_t)a * QINV);
    return (int16_t)((a - (int32_t)t * Q) >> 16);
}

/* Centered representative of a mod q, in -(q-1)/2 .. (q-1)/2. */
static int16_t barrett_reduce(int16_t a)
{
    const int16_t v = ((1 << 26) + Q / 2) / Q;
    int16_t t = (int16_t)(((int32_t)v * a + (1 << 25)) >> 26);
    return (int16_t)(a - t * Q);
}

static int16_t fqmul(int16_t a, int16_t b)
{
    return mont_reduce((int32_t)a * b);
}

/* Map a centered value to 0..q-1. */
static uint16_t to_unsigned(int16_t a)
{
    return (uint16_t)(a + ((a >> 15) & Q));
}

/* ---- NTT
 * --------------------------------------------------------------------- */

static void ntt_c(int16_t r[N])
{
    unsigned k = 1;
    for (unsigned len = 128; len >= 2; len >>= 1) {
        for (unsigned start = 0; start < N; start += 2 * len) {
            int16_t zeta = ZETAS[k++];
            for (unsigned j = start; j < start + len; j++) {
                int16_t t = fqmul(zeta, r[j + len]);
                r[j + len] = (int16_t)(r[j] - t);
                r[j] = (int16_t)(r[j] + t);
            }
        }
    }
}

/* Inverse NTT, output multiplied by the Montgomery factor 2^16. */
static void invntt_c(int16_t r[N])
{
    const int16_t f = 1441; /* 2^32 / 128 mod q */
    unsigned k = 127;
    for (unsigned len = 2; len <= 128; len <<= 1) {
        for (unsigned start = 0; start < N; start += 2 * len) {
            int16_t zeta = ZETAS[k--];
            for (unsigned j = start; j < start + len; j++) {
                int16_t t = r[j];
                r[j] = barrett_reduce((int16_t)(t + r[j + len]));
                r[j + len] = (int16_t)(r[j + len] - t);
                r[j + len] = fqmul(zeta, r[j + len]);
            }
        }
    }
    for (unsigned j = 0; j < N; j++)
        r[j] = fqmul(r[j], f);
}

static void basemul(int16_t r[2], const int16_t a[2], const int16_t b[2],
                    int16_t zeta)
{
    r[0] = fqmul(a[1], b[1]);
    r[0] = fqmul(r[0], zeta);
    r[0] = (int16_t)(r[0] + fqmul(a[0], b[0]));
    r[1] = fqmul(a[0], b[1]);
    r[1] = (int16_t)(r[1] + fqmul(a[1], b[0]));
}

static void basemul_c(int16_t r[N], const int16_t a[N], const int16_t b[N])
{
    for (unsigned i = 0; i < N / 4; i++) {
        basemul(&r[4 * i], &a[4 * i], &b[4 * i], ZETAS[64 + i]);
        basemul(&r[4 * i + 2], &a[4 * i + 2], &b[4 * i + 2],
                (int16_t)-ZETAS[64 + i]);
    }
}

/* The AVX2 versions (mlkem_x86.c) give the same results bit for bit. */
static int use_avx2(void)
{
    return (crypto__cpu() & CRYPTO_CPU_AVX2) != 0;
}

static void ntt(int16_t r[N])
{
    if (use_avx2())
        crypto__mlkem_ntt_avx2(r, ZETAS);
    else
        ntt_c(r);
}

static void invntt(int16_t r[N])
{
    if (use_avx2())
        crypto__mlkem_invntt_avx2(r, ZETAS);
    else
        invntt_c(r);
}

static void poly_basemul(poly *r, const poly *a, const poly *b)
{
    if (use_avx2())
        crypto__mlkem_basemul_avx2(r->c, a->c, b->c, ZETAS);
    else
        basemul_c(r->c, a->c, b->c);
}

void pk__mlkem_ntt(int16_t r[256])
{
    ntt(r);
}

void pk__mlkem_invntt(int16_t r[256])
{
    invntt(r);
}

void pk__mlkem_basemul(int16_t r[256], const int16_t a[256],
                       const int16_t b[256])
{
    poly pa, pb, pr;
    memcpy(pa.c, a, sizeof pa.c);
    memcpy(pb.c, b, sizeof pb.c);
    poly_basemul(&pr, &pa, &pb);
    memcpy(r, pr.c, sizeof pr.c);
}

static void poly_reduce(poly *r)
{
    for (unsigned i = 0; i < N; i++)
        r->c[i] = barrett_reduce(r->c[i]);
}

static void poly_add(poly *r, const poly *a, const poly *b)
{
    for (unsigned i = 0; i < N; i++)
        r->c[i] = (int16_t)(a->c[i] + b->c[i]);
}

static void poly_sub(poly *r, const poly *a, const poly *b)
{
    for (unsigned i = 0; i < N; i++)
        r->c[i] = (int16_t)(a->c[i] - b->c[i]);
}

static void poly_tomont(poly *r)
{
    const int16_t f = (int16_t)((1ULL << 32) % Q);
    for (unsigned i = 0; i < N; i++)
        r->c[i] = mont_reduce((int32_t)r->c[i] * f);
}

static void poly_ntt(poly *r)
{
    ntt(r->c);
    poly_reduce(r);
}

/* r = sum a[i] * b[i] in the NTT domain, Montgomery-reduced. */
static void polyvec_dot(poly *r, const polyvec *a, const polyvec *b)
{
    poly t;
    if (use_avx2()) {
        crypto__mlkem_dot_avx2(r->c, a->v[0].c, b->v[0].c, K, ZETAS);
        return;
    }
    poly_basemul(r, &a->v[0], &b->v[0]);
    for (unsigned i = 1; i < K; i++) {
        poly_basemul(&t, &a->v[i], &b->v[i]);
        poly_add(r, r, &t);
    }
    poly_reduce(r);
}

/* ---- Encodings (FIPS 203 section 4.2.1)
 * ----------------------------------------- */

static void poly_tobytes(uint8_t r[POLY_BYTES], const poly *a)
{
    for (unsigned i = 0; i < N / 2; i++) {
        uint16_t t0 = to_unsigned(a->c[2 * i]);
        uint16_t t1 = to_unsigned(a->c[2 * i + 1]);
        r[3 * i] = (uint8_t)t0;
        r[3 * i + 1] = (uint8_t)((t0 >> 8) | (t1 << 4));
        r[3 * i + 2] = (uint8_t)(t1 >> 4);
    }
}

static void poly_frombytes(poly *r, const uint8_t a[POLY_BYTES])
{
    for (unsigned i = 0; i < N / 2; i++) {
        r->c[2 * i] =
            (int16_t)((a[3 * i] | ((uint16_t)a[3 * i + 1] << 8)) & 0xfff);
        r->c[2 * i + 1] =
            (int16_t)(((a[3 * i + 1] >> 4) | ((uint16_t)a[3 * i + 2] << 4)) &
                      0xfff);
    }
}

static void poly_frommsg(poly *r, const uint8_t m[32])
{
    for (unsigned i = 0; i < 32; i++)
        for (unsigned j = 0; j < 8; j++) {
            int16_t mask = (int16_t) - (int16_t)((m[i] >> j) & 1);
            r->c[8 * i + j] = (int16_t)(mask & ((Q + 1) / 2));
        }
}

static void poly_tomsg(uint8_t m[32], const poly *a)
{
    for (unsigned i = 0; i < 32; i++) {
        m[i] = 0;
        for (unsigned j = 0; j < 8; j++) {
            /* round(2 t / q) mod 2 by multiply and shift: 80635 =
             * round(2^28 / q). */
            uint32_t t = to_unsigned(a->c[8 * i + j]);
            t <<= 1;
            t += 1665;
            t *= 80635;
            t >>= 28;
            t &= 1;
            m[i] |= (uint8_t)(t << j);
        }
    }
}

static void polyvec_compress(uint8_t r[CT_U_BYTES], const polyvec *a)
{
    for (unsigned i = 0; i < K; i++)
        for (unsigned j = 0; j < N / 4; j++) {
            uint16_t t[4];
            for (unsigned k = 0; k < 4; k++) {
                uint64_t d0 = to_unsigned(a->v[i].c[4 * j + k]);
                d0 <<= 10;
                d0 += 1665;
                d0 *= 1290167; /* round(2^32 / q) */
                d0 >>= 32;
                t[k] = (uint16_t)(d0 & 0x3ff);
            }
            r[0] = (uint8_t)t[0];
            r[1] = (uint8_t)((t[0] >> 8) | (t[1] << 2));
            r[2] = (uint8_t)((t[1] >> 6) | (t[2] << 4));
            r[3] = (uint8_t)((t[2] >> 4) | (t[3] << 6));
            r[4] = (uint8_t)(t[3] >> 2);
            r += 5;
        }
}

static void polyvec_decompress(polyvec *r, const uint8_t a[CT_U_BYTES])
{
    for (unsigned i = 0; i < K; i++)
        for (unsigned j = 0; j < N / 4; j++) {
            uint16_t t[4];
            t[0] = (uint16_t)(a[0] | ((uint16_t)a[1] << 8));
            t[1] = (uint16_t)((a[1] >> 2) | ((uint16_t)a[2] << 6));
            t[2] = (uint16_t)((a[2] >> 4) | ((uint16_t)a[3] << 4));
            t[3] = (uint16_t)((a[3] >> 6) | ((uint16_t)a[4] << 2));
            a += 5;
            for (unsigned k = 0; k < 4; k++)
                r->v[i].c[4 * j + k] =
                    (int16_t)(((uint32_t)(t[k] & 0x3ff) * Q + 512) >> 10);
        }
}

static void poly_compress(uint8_t r[128], const poly *a)
{
    for (unsigned i = 0; i < N / 8; i++) {
        uint8_t t[8];
        for (unsigned j = 0; j < 8; j++) {
            uint32_t d0 = to_unsigned(a->c[8 * i + j]);
            d0 <<= 4;
            d0 += 1665;
            d0 *= 80635;
            d0 >>= 28;
            t[j] = (uint8_t)(d0 & 0xf);
        }
        r[0] = (uint8_t)(t[0] | (t[1] << 4));
        r[1] = (uint8_t)(t[2] | (t[3] << 4));
        r[2] = (uint8_t)(t[4] | (t[5] << 4));
        r[3] = (uint8_t)(t[6] | (t[7] << 4));
        r += 4;
    }
}

static void poly_decompress(poly *r, const uint8_t a[128])
{
    for (unsigned i = 0; i < N / 2; i++) {
        r->c[2 * i] = (int16_t)((((uint16_t)(a[i] & 15) * Q) + 8) >> 4);
        r->c[2 * i + 1] = (int16_t)((((uint16_t)(a[i] >> 4) * Q) + 8) >> 4);
    }
}

/* ---- Sampling (FIPS 203 section 4.2.2)
 * ---------------------------------------- */

/* SampleNTT's rejection step on len bytes (a multiple of 3) of the
 * SHAKE128 stream: appends to c from coefficient *n until N are there.
 * No branch on a candidate: each is written and kept by advancing the
 * count; the second of a pair only while there is room (a branch on the
 * count). The data is public (rho). */
static void rej_uniform(int16_t c[N], unsigned *n, const uint8_t *buf,
                        size_t len)
{
    unsigned k = *n;
    size_t p = 0;
    if (crypto__cpu() & CRYPTO_CPU_AVX2)
        k = crypto__mlkem_rej_avx2(c, k, buf, len, &p);
    for (; p + 3 <= len && k < N; p += 3) {
        uint16_t d1 =
            (uint16_t)((buf[p] | ((uint16_t)buf[p + 1] << 8)) & 0xfff);
        uint16_t d2 =
            (uint16_t)((buf[p + 1] >> 4) | ((uint16_t)buf[p + 2] << 4));
        c[k] = (int16_t)d1;
        k += d1 < Q;
        if (k < N) {
            c[k] = (int16_t)d2;
            k += d2 < Q;
        }
    }
    *n = k;
}

/* SampleNTT(rho || i || j): rejection sampling from SHAKE128 (public). */
static void sample_ntt(poly *r, const uint8_t rho[32], uint8_t i, uint8_t j)
{
    struct pk__keccak x;
    uint8_t seed[34], buf[168];
    unsigned n = 0;
    memcpy(seed, rho, 32);
    seed[32] = i;
    seed[33] = j;
    pk__shake_init(&x, 128);
    pk__shake_absorb(&x, seed, 34);
    pk__shake_finish(&x);
    while (n < N) {
        pk__shake_squeeze(&x, buf, sizeof buf);
        rej_uniform(r->c, &n, buf, sizeof buf);
    }
}

/* Up to eight streams of Keccak at once: eight with AVX-512F, four with
 * AVX2, else none (0). */
static unsigned keccak_ways(void)
{
    unsigned cpu = crypto__cpu();
    return cpu & CRYPTO_CPU_AVX512 ? 8 : cpu & CRYPTO_CPU_AVX2 ? 4 : 0;
}

#define MAXW 8

/* w SampleNTT streams at once (w-way Keccak), a block at a time while any
 * stream is short (three blocks, 504 bytes, are enough for 256
 * coefficients with probability about 0.99). Same bytes, same coefficients
 * as sample_ntt. About 3 KiB of stack (TLS runs this in 64 KiB fibers). */
static void sample_ntt_xw(poly *const *r, unsigned w, const uint8_t rho[32],
                          const uint8_t ij[][2])
{
    uint64_t st[25 * MAXW];
    uint8_t seed[MAXW][34], buf[MAXW][168];
    const uint8_t *in[MAXW] = {0};
    uint8_t *out[MAXW] = {0};
    unsigned n[MAXW] = {0}, short_ = 1;
    for (unsigned s = 0; s < w; s++) {
        memcpy(seed[s], rho, 32);
        seed[s][32] = ij[s][0];
        seed[s][33] = ij[s][1];
        in[s] = seed[s];
        out[s] = buf[s];
    }
    crypto__keccak_xw_absorb_once(st, w, 168, in, 34, 0x1f);
    while (short_) {
        crypto__keccak_xw_squeeze(st, w, 168, out, 1);
        short_ = 0;
        for (unsigned s = 0; s < w; s++) {
            if (n[s] < N)
                rej_uniform(r[s]->c, &n[s], buf[s], 168);
            short_ |= n[s] < N;
        }
    }
}

/* A (or its transpose) from rho: A[i][j] = SampleNTT(rho || j || i). */
static void gen_matrix(polyvec a[K], const uint8_t rho[32], int transposed)
{
    unsigned e = 0, w = keccak_ways();
    if (w) {
        for (; e + w <= K * K; e += w) {
            poly *r[MAXW];
            uint8_t ij[MAXW][2];
            for (unsigned s = 0; s < w; s++) {
                unsigned i = (e + s) / K, j = (e + s) % K;
                r[s] = &a[i].v[j];
                ij[s][0] = (uint8_t)(transposed ? i : j);
                ij[s][1] = (uint8_t)(transposed ? j : i);
            }
            sample_ntt_xw(r, w, rho, (const uint8_t(*)[2])ij);
        }
    }
    for (; e < K * K; e++) {
        unsigned i = e / K, j = e % K;
        if (transposed)
            sample_ntt(&a[i].v[j], rho, (uint8_t)i, (uint8_t)j);
        else
            sample_ntt(&a[i].v[j], rho, (uint8_t)j, (uint8_t)i);
    }
}

/* SamplePolyCBD_2 of 128 bytes of PRF output. */
static void cbd2(poly *r, const uint8_t buf[64 * ETA])
{
    if (crypto__cpu() & CRYPTO_CPU_AVX2) {
        crypto__mlkem_cbd2_avx2(r->c, buf);
        return;
    }
    for (unsigned i = 0; i < N / 8; i++) {
        uint32_t t = (uint32_t)buf[4 * i] | (uint32_t)buf[4 * i + 1] << 8 |
                     (uint32_t)buf[4 * i + 2] << 16 |
                     (uint32_t)buf[4 * i + 3] << 24;
        uint32_t d = t & 0x55555555;
        d += (t >> 1) & 0x55555555;
        for (unsigned j = 0; j < 8; j++) {
            int16_t a = (int16_t)((d >> (4 * j)) & 3);
            int16_t b = (int16_t)((d >> (4 * j + 2)) & 3);
            r->c[8 * i + j] = (int16_t)(a - b);
        }
    }
}

/* SamplePolyCBD_2(PRF_2(sigma, nonce)) for the count polynomials r[i]
 * with nonces nonce, nonce + 1, ...: w SHAKE256 streams at a time with the
 * w-way Keccak (a short last group computes and drops the streams past
 * count), else one by one. */
static void sample_cbd(poly *const *r, unsigned count, const uint8_t sigma[32],
                       uint8_t nonce)
{
    uint8_t seed[MAXW][33], buf[MAXW][136];
    unsigned i = 0, w = keccak_ways();
    if (w) {
        uint64_t st[25 * MAXW];
        const uint8_t *in[MAXW] = {0};
        uint8_t *out[MAXW] = {0};
        for (unsigned s = 0; s < w; s++) {
            in[s] = seed[s];
            out[s] = buf[s];
        }
        for (; i < count; i += w) {
            for (unsigned s = 0; s < w; s++) {
                memcpy(seed[s], sigma, 32);
                seed[s][32] = (uint8_t)(nonce + i + s);
            }
            crypto__keccak_xw_absorb_once(st, w, 136, in, 33, 0x1f);
            crypto__keccak_xw_squeeze(st, w, 136, out, 1);
            for (unsigned s = 0; s < w && i + s < count; s++)
                cbd2(r[i + s], buf[s]);
        }
        mote_memzero_explicit(st, sizeof st);
    }
    for (; i < count; i++) {
        struct pk__keccak x;
        memcpy(seed[0], sigma, 32);
        seed[0][32] = (uint8_t)(nonce + i);
        pk__shake_init(&x, 256);
        pk__shake_absorb(&x, seed[0], 33);
        pk__shake_finish(&x);
        pk__shake_squeeze(&x, buf[0], 64 * ETA);
        cbd2(r[i], buf[0]);
        mote_memzero_explicit(&x, sizeof x);
    }
    mote_memzero_explicit(buf, sizeof buf);
    mote_memzero_explicit(seed, sizeof seed);
}

/* ---- K-PKE (FIPS 203 section 5)
 * ------------------------------------------------ */

static void pke_keygen(uint8_t ek[EK_BYTES], uint8_t sk[PKE_SK],
                       const uint8_t d[32])
{
    uint8_t in[33], g[64];
    polyvec a[K], s, e, t;
    memcpy(in, d, 32);
    in[32] = K; /* domain separation, FIPS 203 algorithm 13 step 1 */
    pk__sha3_512(g, in, 33);
    const uint8_t *rho = g, *sigma = g + 32;
    gen_matrix(a, rho, 0);
    poly *const noise[2 * K] = {&s.v[0], &s.v[1], &s.v[2],
                                &e.v[0], &e.v[1], &e.v[2]};
    sample_cbd(noise, 2 * K, sigma, 0);
    for (unsigned i = 0; i < K; i++) {
        poly_ntt(&s.v[i]);
        poly_ntt(&e.v[i]);
    }
    for (unsigned i = 0; i < K; i++) {
        polyvec_dot(&t.v[i], &a[i], &s);
        poly_tomont(&t.v[i]);
        poly_add(&t.v[i], &t.v[i], &e.v[i]);
        poly_reduce(&t.v[i]);
    }
    for (unsigned i = 0; i < K; i++) {
        poly_tobytes(ek + i * POLY_BYTES, &t.v[i]);
        poly_tobytes(sk + i * POLY_BYTES, &s.v[i]);
    }
    memcpy(ek + K * POLY_BYTES, rho, 32);
    mote_memzero_explicit(in, sizeof in);
    mote_memzero_explicit(g, sizeof g);
    mote_memzero_explicit(&s, sizeof s);
    mote_memzero_explicit(&e, sizeof e);
}

static void pke_encrypt(uint8_t ct[CT_BYTES], const uint8_t ek[EK_BYTES],
                        const uint8_t m[32], const uint8_t r[32])
{
    polyvec at[K], t, rv, e1, u;
    poly e2, v, mu;
    for (unsigned i = 0; i < K; i++)
        poly_frombytes(&t.v[i], ek + i * POLY_BYTES);
    gen_matrix(at, ek + K * POLY_BYTES, 1);
    poly *const noise[2 * K + 1] = {&rv.v[0], &rv.v[1], &rv.v[2], &e1.v[0],
                                    &e1.v[1], &e1.v[2], &e2};
    sample_cbd(noise, 2 * K + 1, r, 0);
    for (unsigned i = 0; i < K; i++)
        poly_ntt(&rv.v[i]);
    for (unsigned i = 0; i < K; i++) {
        polyvec_dot(&u.v[i], &at[i], &rv);
        invntt(u.v[i].c);
        poly_add(&u.v[i], &u.v[i], &e1.v[i]);
        poly_reduce(&u.v[i]);
    }
    polyvec_dot(&v, &t, &rv);
    invntt(v.c);
    poly_frommsg(&mu, m);
    poly_add(&v, &v, &e2);
    poly_add(&v, &v, &mu);
    poly_reduce(&v);
    polyvec_compress(ct, &u);
    poly_compress(ct + CT_U_BYTES, &v);
    mote_memzero_explicit(&rv, sizeof rv);
    mote_memzero_explicit(&e1, sizeof e1);
    mote_memzero_explicit(&e2, sizeof e2);
    mote_memzero_explicit(&mu, sizeof mu);
    mote_memzero_explicit(&v, sizeof v);
    mote_memzero_explicit(&u, sizeof u);
}

static void pke_decrypt(uint8_t m[32], const uint8_t sk[PKE_SK],
                        const uint8_t ct[CT_BYTES])
{
    polyvec u, s;
    poly v, w;
    polyvec_decompress(&u, ct);
    poly_decompress(&v, ct + CT_U_BYTES);
    for (unsigned i = 0; i < K; i++) {
        poly_frombytes(&s.v[i], sk + i * POLY_BYTES);
        poly_ntt(&u.v[i]);
    }
    polyvec_dot(&w, &s, &u);
    invntt(w.c);
    poly_sub(&w, &v, &w);
    poly_reduce(&w);
    poly_tomsg(m, &w);
    mote_memzero_explicit(&s, sizeof s);
    mote_memzero_explicit(&w, sizeof w);
}

/* ---- ML-KEM (FIPS 203 section 6)
 * ------------------------------------------------ */

void mote_mlkem768_keygen_seed(uint8_t pub[MOTE_MLKEM768_PUB_LEN],
                               uint8_t priv[MOTE_MLKEM768_PRIV_LEN],
                               const uint8_t seed[64])
{
    pke_keygen(pub, priv, seed);
    memcpy(priv + PKE_SK, pub, EK_BYTES);
    pk__sha3_256(priv + PKE_SK + EK_BYTES, pub, EK_BYTES);
    memcpy(priv + PKE_SK + EK_BYTES + 32, seed + 32, 32);
}

int mote_mlkem768_keygen(uint8_t pub[MOTE_MLKEM768_PUB_LEN],
                         uint8_t priv[MOTE_MLKEM768_PRIV_LEN],
                         mote_pk_rng_fn rng, void *rng_ctx)
{
    uint8_t seed[64];
    if (rng(rng_ctx, seed, sizeof seed) < 0)
        return MOTE_EIO;
    mote_mlkem768_keygen_seed(pub, priv, seed);
    mote_memzero_explicit(seed, sizeof seed);
    return 0;
}

/* FIPS 203 section 7.2: ByteEncode12(ByteDecode12(t)) == t, i.e. every
 * coefficient of t is below q. Public data. */
static int ek_check(const uint8_t ek[EK_BYTES])
{
    for (unsigned i = 0; i < K; i++) {
        poly t;
        poly_frombytes(&t, ek + i * POLY_BYTES);
        for (unsigned j = 0; j < N; j++)
            if (t.c[j] >= Q)
                return MOTE_EINVAL;
    }
    return 0;
}

int mote_mlkem768_encaps_seed(uint8_t ct[MOTE_MLKEM768_CT_LEN],
                              uint8_t ss[MOTE_MLKEM768_SS_LEN],
                              const uint8_t pub[MOTE_MLKEM768_PUB_LEN],
                              const uint8_t m[32])
{
    uint8_t in[64], kr[64];
    if (ek_check(pub) < 0)
        return MOTE_EINVAL;
    memcpy(in, m, 32);
    pk__sha3_256(in + 32, pub, EK_BYTES); /* H(ek) */
    pk__sha3_512(kr, in, 64);             /* (K, r) = G(m || H(ek)) */
    pke_encrypt(ct, pub, m, kr + 32);
    memcpy(ss, kr, 32);
    mote_memzero_explicit(in, sizeof in);
    mote_memzero_explicit(kr, sizeof kr);
    return 0;
}

int mote_mlkem768_encaps(uint8_t ct[MOTE_MLKEM768_CT_LEN],
                         uint8_t ss[MOTE_MLKEM768_SS_LEN],
                         const uint8_t pub[MOTE_MLKEM768_PUB_LEN],
                         mote_pk_rng_fn rng, void *rng_ctx)
{
    uint8_t m[32];
    int rc;
    if (rng(rng_ctx, m, sizeof m) < 0)
        return MOTE_EIO;
    rc = mote_mlkem768_encaps_seed(ct, ss, pub, m);
    mote_memzero_explicit(m, sizeof m);
    return rc;
}

int mote_mlkem768_decaps(uint8_t ss[MOTE_MLKEM768_SS_LEN],
                         const uint8_t ct[MOTE_MLKEM768_CT_LEN],
                         const uint8_t priv[MOTE_MLKEM768_PRIV_LEN])
{
    const uint8_t *ek = priv + PKE_SK, *h = ek + EK_BYTES, *z = h + 32;
    uint8_t in[64], kr[64], cmp[CT_BYTES], hek[32], kbar[32];
    struct pk__keccak x;
    unsigned w = keccak_ways();

    /* H(ek) for the section 7.3 input check and K-bar = J(z || c) =
     * SHAKE256(z || c, 32): two hashes of 9 blocks each, side by side on
     * the multi-way Keccak when there is one. */
    _Static_assert(EK_BYTES / 136 == (32 + CT_BYTES) / 136,
                   "H(ek) and J(z || c) take the same number of blocks");
    if (w) {
        uint8_t zc[32 + CT_BYTES];
        memcpy(zc, z, 32);
        memcpy(zc + 32, ct, CT_BYTES);
        const uint8_t *hin[2] = {ek, zc}, pad[2] = {0x06, 0x1f};
        const size_t hlen[2] = {EK_BYTES, sizeof zc};
        uint8_t *hout[2] = {hek, kbar};
        crypto__keccak_xw_hash(w, 136, 2, hin, hlen, pad, hout, 32);
        mote_memzero_explicit(zc, sizeof zc);
    } else {
        pk__sha3_256(hek, ek, EK_BYTES);
        pk__shake_init(&x, 256);
        pk__shake_absorb(&x, z, 32);
        pk__shake_absorb(&x, ct, CT_BYTES);
        pk__shake_finish(&x);
        pk__shake_squeeze(&x, kbar, 32);
    }
    /* The stored hash must match ek (public). */
    if (memcmp(hek, h, 32)) {
        mote_memzero_explicit(kbar, sizeof kbar);
        mote_memzero_explicit(&x, sizeof x);
        return MOTE_EINVAL;
    }
    pke_decrypt(in, priv, ct);
    memcpy(in + 32, h, 32);
    pk__sha3_512(kr, in, 64); /* (K', r') = G(m' || h) */
    pke_encrypt(cmp, ek, in, kr + 32);
    /* Constant-time choice: K' if c == c', else K-bar. */
    uint32_t diff = pk__ct_neq(ct, cmp, CT_BYTES);
    uint8_t mask = (uint8_t)(((diff | (0u - diff)) >> 31) * 0xff);
    for (unsigned i = 0; i < 32; i++)
        ss[i] = (uint8_t)((kr[i] & ~mask) | (kbar[i] & mask));
    mote_memzero_explicit(in, sizeof in);
    mote_memzero_explicit(kr, sizeof kr);
    mote_memzero_explicit(cmp, sizeof cmp);
    mote_memzero_explicit(kbar, sizeof kbar);
    mote_memzero_explicit(&x, sizeof x);
    return 0;
}

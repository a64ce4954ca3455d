/* Constant-time modular exponentiation for two 1024-bit moduli at once
 * (the CRT halves of an RSA-2048 signature) with AVX-512 IFMA.
 *
 * Numbers are 20 digits of 52 bits (1040 bits) in 24 64-bit lanes (three
 * ZMM registers, lanes 20..23 zero). Multiplication is almost-Montgomery
 * (AMM, R = 2^1040): for each digit b_i of b, X += a b_i (low halves of
 * the 104-bit products), q = X_0 k0 mod 2^52, X += m q, X is shifted down
 * one lane (lane 0 is then a multiple of 2^52: its carry goes into the
 * new lane 0), and the high halves of both products are added. Inputs
 * below 2m give an output below 2m (R > 4m), so no subtraction until the
 * very end. The accumulator lanes are redundant (at most 4 additions of
 * 52-bit values per row, 20 rows: below 2^59) and normalised to 52-bit
 * digits after each multiplication, as IFMA reads only the low 52 bits of
 * its multiplicands.
 *
 * The reduction digit q depends on lane 0 of the running sum, which makes
 * each row a chain of dependent instructions (~20 cycles); the two
 * exponentiations run in lock-step in one loop so that the CPU overlaps
 * their chains. The exponents are read in fixed 4-bit windows and the
 * table entry is chosen by a masked scan of all 16 entries; IFMA, shifts
 * and adds take the same time for every value.
 *
 * At the end, the same row on 40 digits (five ZMM registers) for the
 * public exponentiation modulo a 2048-bit n (RSA-2048 verification).
 *
 * Used when crypto__cpu() reports AVX-512 and IFMA
 * (mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_NO_AVX512) turns it off). Valgrind
 * does not emulate AVX-512 (and its cpuid hides it), so ct-check covers the
 * scalar path only (docs/crypto.md).
 */
#include <string.h>

#include <mote/error.h>

#include "crypto_int.h"
#include "pk_int.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define TGT     __attribute__((target("avx512f,avx512ifma")))
#define DIGITS  20
#define LANES   24
#define MASK52  ((UINT64_C(1) << 52) - 1)
#define WINBITS 4
/* rows unrolled: the two instances' chains schedule across rows (~2%) */
#define ROW_UNROLL _Pragma("GCC unroll 20")

struct dig {
    _Alignas(64) uint64_t d[LANES];
};

/* 16 limbs (value below 2^1024) -> 20 digits. */
static void to_digits(struct dig *r, const pk_limb *a)
{
    for (size_t j = 0; j < LANES; j++) {
        size_t bit = 52 * j, limb = bit / 64, off = bit % 64;
        uint64_t v = 0;
        if (limb < 16) {
            v = a[limb] >> off;
            if (off > 12 && limb + 1 < 16)
                v |= a[limb + 1] << (64 - off);
        }
        r->d[j] = j < DIGITS ? v & MASK52 : 0;
    }
}

/* 20 normalised digits -> 17 limbs (the value may reach 2^1025). */
static void from_digits(pk_limb *r, const struct dig *a)
{
    memset(r, 0, 17 * sizeof *r);
    for (size_t j = 0; j < DIGITS; j++) {
        size_t bit = 52 * j, limb = bit / 64, off = bit % 64;
        r[limb] |= a->d[j] << off;
        if (off > 12)
            r[limb + 1] |= a->d[j] >> (64 - off);
    }
}

/* One modulus' constants in vector form. */
struct amm_mod {
    __m512i m[3];
    uint64_t m0, k0;
};

#define LOADV(v, x)                                                            \
    do {                                                                       \
        (v)[0] = _mm512_load_si512((const void *)((x)->d + 0));                \
        (v)[1] = _mm512_load_si512((const void *)((x)->d + 8));                \
        (v)[2] = _mm512_load_si512((const void *)((x)->d + 16));               \
    } while (0)

/* One row of the AMM on accumulator X for digit bi. */
#define AMM_ROW(X, A, md, bi)                                                  \
    do {                                                                       \
        __m512i B_ = _mm512_set1_epi64((long long)(bi)), Z_ = zero;            \
        __m512i H0_ = _mm512_madd52hi_epu64(Z_, (A)[0], B_);                   \
        __m512i H1_ = _mm512_madd52hi_epu64(Z_, (A)[1], B_);                   \
        __m512i H2_ = _mm512_madd52hi_epu64(Z_, (A)[2], B_);                   \
        (X)[0] =                                                               \
            _mm512_add_epi64((X)[0], _mm512_madd52lo_epu64(Z_, (A)[0], B_));   \
        (X)[1] =                                                               \
            _mm512_add_epi64((X)[1], _mm512_madd52lo_epu64(Z_, (A)[1], B_));   \
        (X)[2] =                                                               \
            _mm512_add_epi64((X)[2], _mm512_madd52lo_epu64(Z_, (A)[2], B_));   \
        uint64_t t_ =                                                          \
            (uint64_t)_mm_cvtsi128_si64(_mm512_castsi512_si128((X)[0]));       \
        uint64_t q_ = (t_ * (md)->k0) & MASK52;                                \
        uint64_t c_ = (t_ + (((md)->m0 * q_) & MASK52)) >> 52;                 \
        __m512i Q_ = _mm512_set1_epi64((long long)q_);                         \
        H0_ = _mm512_madd52hi_epu64(H0_, (md)->m[0], Q_);                      \
        H1_ = _mm512_madd52hi_epu64(H1_, (md)->m[1], Q_);                      \
        H2_ = _mm512_madd52hi_epu64(H2_, (md)->m[2], Q_);                      \
        (X)[0] = _mm512_madd52lo_epu64((X)[0], (md)->m[0], Q_);                \
        (X)[1] = _mm512_madd52lo_epu64((X)[1], (md)->m[1], Q_);                \
        (X)[2] = _mm512_madd52lo_epu64((X)[2], (md)->m[2], Q_);                \
        (X)[0] = _mm512_alignr_epi64((X)[1], (X)[0], 1);                       \
        (X)[1] = _mm512_alignr_epi64((X)[2], (X)[1], 1);                       \
        (X)[2] = _mm512_alignr_epi64(Z_, (X)[2], 1);                           \
        (X)[0] = _mm512_mask_add_epi64((X)[0], 1, (X)[0],                      \
                                       _mm512_set1_epi64((long long)c_));      \
        (X)[0] = _mm512_add_epi64((X)[0], H0_);                                \
        (X)[1] = _mm512_add_epi64((X)[1], H1_);                                \
        (X)[2] = _mm512_add_epi64((X)[2], H2_);                                \
    } while (0)

/* Carry-propagate the lanes into 52-bit digits. */
static void normalise(struct dig *r)
{
    uint64_t c = 0;
    for (size_t j = 0; j < DIGITS; j++) {
        uint64_t v = r->d[j] + c;
        r->d[j] = v & MASK52;
        c = v >> 52;
    }
}

/* r1 = a1 b1 / R mod m1 (almost) and r2 = a2 b2 / R mod m2; r may alias a
 * or b. */
TGT static void amm2(struct dig *r1, const struct dig *a1, const struct dig *b1,
                     const struct amm_mod *m1, struct dig *r2,
                     const struct dig *a2, const struct dig *b2,
                     const struct amm_mod *m2)
{
    const __m512i zero = _mm512_setzero_si512();
    __m512i A1[3], A2[3], X1[3] = {zero, zero, zero},
                          X2[3] = {zero, zero, zero};
    LOADV(A1, a1);
    LOADV(A2, a2);
    ROW_UNROLL
    for (size_t i = 0; i < DIGITS; i++) {
        uint64_t b1i = b1->d[i], b2i = b2->d[i];
        AMM_ROW(X1, A1, m1, b1i);
        AMM_ROW(X2, A2, m2, b2i);
    }
    for (int v = 0; v < 3; v++) {
        _mm512_store_si512((void *)(r1->d + 8 * v), X1[v]);
        _mm512_store_si512((void *)(r2->d + 8 * v), X2[v]);
    }
    normalise(r1);
    normalise(r2);
}

/* r = tab[w] by a masked scan of all 16 entries. */
TGT static void select16(struct dig *r, const struct dig *tab, unsigned w)
{
    __m512i x0 = _mm512_setzero_si512(), x1 = x0, x2 = x0;
    for (unsigned i = 0; i < 16; i++) {
        __m512i mk = _mm512_set1_epi64((long long)~pk__mask_nz64(i ^ w));
        x0 = _mm512_or_si512(
            x0, _mm512_and_si512(mk, _mm512_load_si512(tab[i].d + 0)));
        x1 = _mm512_or_si512(
            x1, _mm512_and_si512(mk, _mm512_load_si512(tab[i].d + 8)));
        x2 = _mm512_or_si512(
            x2, _mm512_and_si512(mk, _mm512_load_si512(tab[i].d + 16)));
    }
    _mm512_store_si512(r->d + 0, x0);
    _mm512_store_si512(r->d + 8, x1);
    _mm512_store_si512(r->d + 16, x2);
}

struct exp_state {
    const struct bn_mont *mt;
    struct amm_mod md;
    struct dig tab[16], acc, t, rr, one;
};

/* Constants for one modulus; rr = 2^2080 mod m from R^2 = 2^2048 mod m by
 * 32 doublings. */
TGT static void setup(struct exp_state *s, const struct bn_mont *mt,
                      const pk_limb *a)
{
    pk_limb x[16];
    struct dig md;
    to_digits(&md, mt->m);
    LOADV(s->md.m, &md);
    s->md.m0 = md.d[0];
    s->md.k0 = mt->m0i & MASK52;
    memcpy(x, mt->rr, sizeof x);
    for (int i = 0; i < 32; i++)
        bn_mod_add(x, x, x, mt->m, 16);
    to_digits(&s->rr, x);
    memset(&s->one, 0, sizeof s->one);
    s->one.d[0] = 1;
    to_digits(&s->tab[1], a);
    mote_memzero_explicit(x, sizeof x);
}

/* r = t (17 limbs, t <= m) reduced below m, in 16 limbs. */
static void final_sub(pk_limb *r, const struct dig *t, const pk_limb *m)
{
    pk_limb x[17], d[16];
    from_digits(x, t);
    pk_limb br = bn_sub(d, x, m, 16);
    /* keep x when it is below m (borrow and no top limb) */
    pk_limb keep = (pk_limb)0 - (br & (pk_limb)(x[16] == 0));
    for (size_t i = 0; i < 16; i++)
        r[i] = (d[i] & ~keep) | (x[i] & keep);
    mote_memzero_explicit(x, sizeof x);
    mote_memzero_explicit(d, sizeof d);
}

TGT static void ifma_exp2(pk_limb *r1, const pk_limb *e1, struct exp_state *s1,
                          pk_limb *r2, const pk_limb *e2, struct exp_state *s2)
{
    /* tab[1] = a R, tab[0] = R, tab[i] = a^i R */
    amm2(&s1->tab[1], &s1->tab[1], &s1->rr, &s1->md, &s2->tab[1], &s2->tab[1],
         &s2->rr, &s2->md);
    amm2(&s1->tab[0], &s1->rr, &s1->one, &s1->md, &s2->tab[0], &s2->rr,
         &s2->one, &s2->md);
    for (int i = 2; i < 16; i++)
        amm2(&s1->tab[i], &s1->tab[i - 1], &s1->tab[1], &s1->md, &s2->tab[i],
             &s2->tab[i - 1], &s2->tab[1], &s2->md);
    s1->acc = s1->tab[0];
    s2->acc = s2->tab[0];
    for (size_t k = 16 * 64 / WINBITS; k-- > 0;) {
        unsigned w1 = (unsigned)(e1[k / 16] >> (4 * (k % 16))) & 15;
        unsigned w2 = (unsigned)(e2[k / 16] >> (4 * (k % 16))) & 15;
        for (int j = 0; j < WINBITS; j++)
            amm2(&s1->acc, &s1->acc, &s1->acc, &s1->md, &s2->acc, &s2->acc,
                 &s2->acc, &s2->md);
        select16(&s1->t, s1->tab, w1);
        select16(&s2->t, s2->tab, w2);
        amm2(&s1->acc, &s1->acc, &s1->t, &s1->md, &s2->acc, &s2->acc, &s2->t,
             &s2->md);
    }
    amm2(&s1->acc, &s1->acc, &s1->one, &s1->md, &s2->acc, &s2->acc, &s2->one,
         &s2->md);
    final_sub(r1, &s1->acc, s1->mt->m);
    final_sub(r2, &s2->acc, s2->mt->m);
}

/* Both a_i^e for a public e: square-and-multiply from the top bit, the
 * base in tab[1]. Branches on e only. */
TGT static void ifma_exp2_pub(pk_limb *r1, struct exp_state *s1, pk_limb *r2,
                              struct exp_state *s2, const pk_limb *e,
                              size_t elen)
{
    size_t bits = 64 * elen;
    while (bits > 1 && !(e[(bits - 1) / 64] >> ((bits - 1) % 64) & 1))
        bits--;
    amm2(&s1->tab[1], &s1->tab[1], &s1->rr, &s1->md, &s2->tab[1], &s2->tab[1],
         &s2->rr, &s2->md); /* a R */
    s1->acc = s1->tab[1];
    s2->acc = s2->tab[1];
    for (size_t i = bits - 1; i-- > 0;) {
        amm2(&s1->acc, &s1->acc, &s1->acc, &s1->md, &s2->acc, &s2->acc,
             &s2->acc, &s2->md);
        if (e[i / 64] >> (i % 64) & 1)
            amm2(&s1->acc, &s1->acc, &s1->tab[1], &s1->md, &s2->acc, &s2->acc,
                 &s2->tab[1], &s2->md);
    }
    amm2(&s1->acc, &s1->acc, &s1->one, &s1->md, &s2->acc, &s2->acc, &s2->one,
         &s2->md);
    final_sub(r1, &s1->acc, s1->mt->m);
    final_sub(r2, &s2->acc, s2->mt->m);
}

static struct exp_state st[2]; /* 7 KB: kept off the fiber stacks */

static int ifma_ok(const struct bn_mont *m1, const struct bn_mont *m2)
{
    const unsigned need = CRYPTO_CPU_AVX512 | CRYPTO_CPU_IFMA;
    return m1->len == 16 && m2->len == 16 && (crypto__cpu() & need) == need;
}

int bn_mod_exp2_pub_ifma(pk_limb *r1, const pk_limb *a1,
                         const struct bn_mont *m1, pk_limb *r2,
                         const pk_limb *a2, const struct bn_mont *m2,
                         const pk_limb *e, size_t elen)
{
    if (!ifma_ok(m1, m2) || elen == 0)
        return MOTE_ENOTSUP;
    st[0].mt = m1;
    st[1].mt = m2;
    setup(&st[0], m1, a1);
    setup(&st[1], m2, a2);
    ifma_exp2_pub(r1, &st[0], r2, &st[1], e, elen);
    mote_memzero_explicit(st, sizeof st);
    return 0;
}

int bn_mod_exp2_ct_ifma(pk_limb *r1, const pk_limb *a1, const pk_limb *e1,
                        const struct bn_mont *m1, pk_limb *r2,
                        const pk_limb *a2, const pk_limb *e2,
                        const struct bn_mont *m2)
{
    if (!ifma_ok(m1, m2))
        return MOTE_ENOTSUP;
    st[0].mt = m1;
    st[1].mt = m2;
    setup(&st[0], m1, a1);
    setup(&st[1], m2, a2);
    ifma_exp2(r1, e1, &st[0], r2, e2, &st[1]);
    mote_memzero_explicit(st, sizeof st);
    return 0;
}

/* ---- RSA-2048 public exponentiation (verify): one 2048-bit modulus ----
 *
 * 40 digits of 52 bits (2080 bits) in 40 lanes, five ZMM registers; AMM
 * with R = 2^2080 > 4m, so inputs below 2m give outputs below 2m and one
 * subtraction at the end. Same row as above (lanes below 2^60: 40 rows of
 * at most 4 additions of 52-bit values plus the carries). Public data
 * only: no masking, square-and-multiply branching on e. */
#define D40 40

struct dig40 {
    _Alignas(64) uint64_t d[D40];
};

struct amm_mod40 {
    __m512i m[5];
    uint64_t m0, k0;
};

/* 32 limbs (value below 2^2048) -> 40 digits. */
static void to_digits40(struct dig40 *r, const pk_limb *a)
{
    for (size_t j = 0; j < D40; j++) {
        size_t bit = 52 * j, limb = bit / 64, off = bit % 64;
        uint64_t v = 0;
        if (limb < 32) {
            v = a[limb] >> off;
            if (off > 12 && limb + 1 < 32)
                v |= a[limb + 1] << (64 - off);
        }
        r->d[j] = v & MASK52;
    }
}

/* 40 normalised digits -> 33 limbs. */
static void from_digits40(pk_limb *r, const struct dig40 *a)
{
    memset(r, 0, 33 * sizeof *r);
    for (size_t j = 0; j < D40; j++) {
        size_t bit = 52 * j, limb = bit / 64, off = bit % 64;
        r[limb] |= a->d[j] << off;
        if (off > 12)
            r[limb + 1] |= a->d[j] >> (64 - off);
    }
}

#define FOR5(S) S(0) S(1) S(2) S(3) S(4)

#define AMM_ROW5(X, A, md, bi)                                                 \
    do {                                                                       \
        __m512i B_ = _mm512_set1_epi64((long long)(bi)), Z_ = zero, H_[5];     \
        FOR5(R5_AB)                                                            \
        uint64_t t_ =                                                          \
            (uint64_t)_mm_cvtsi128_si64(_mm512_castsi512_si128((X)[0]));       \
        uint64_t q_ = (t_ * (md)->k0) & MASK52;                                \
        uint64_t c_ = (t_ + (((md)->m0 * q_) & MASK52)) >> 52;                 \
        __m512i Q_ = _mm512_set1_epi64((long long)q_);                         \
        FOR5(R5_MQ)                                                            \
        (X)[0] = _mm512_alignr_epi64((X)[1], (X)[0], 1);                       \
        (X)[1] = _mm512_alignr_epi64((X)[2], (X)[1], 1);                       \
        (X)[2] = _mm512_alignr_epi64((X)[3], (X)[2], 1);                       \
        (X)[3] = _mm512_alignr_epi64((X)[4], (X)[3], 1);                       \
        (X)[4] = _mm512_alignr_epi64(Z_, (X)[4], 1);                           \
        (X)[0] = _mm512_mask_add_epi64((X)[0], 1, (X)[0],                      \
                                       _mm512_set1_epi64((long long)c_));      \
        FOR5(R5_ADDH)                                                          \
    } while (0)
#define R5_AB(v)                                                               \
    H_[v] = _mm512_madd52hi_epu64(Z_, A[v], B_);                               \
    X[v] = _mm512_madd52lo_epu64(X[v], A[v], B_);
#define R5_MQ(v)                                                               \
    H_[v] = _mm512_madd52hi_epu64(H_[v], md->m[v], Q_);                        \
    X[v] = _mm512_madd52lo_epu64(X[v], md->m[v], Q_);
#define R5_ADDH(v) X[v] = _mm512_add_epi64(X[v], H_[v]);

/* r = a b / R mod m (almost); r may alias a or b. */
TGT static void amm40(struct dig40 *r, const struct dig40 *a,
                      const struct dig40 *b, const struct amm_mod40 *md)
{
    const __m512i zero = _mm512_setzero_si512();
    __m512i A[5], X[5];
    for (int v = 0; v < 5; v++) {
        A[v] = _mm512_load_si512((const void *)(a->d + 8 * v));
        X[v] = zero;
    }
    _Pragma("GCC unroll 8") for (size_t i = 0; i < D40; i++)
        AMM_ROW5(X, A, md, b->d[i]);
    for (int v = 0; v < 5; v++)
        _mm512_store_si512((void *)(r->d + 8 * v), X[v]);
    uint64_t c = 0;
    for (size_t j = 0; j < D40; j++) {
        uint64_t x = r->d[j] + c;
        r->d[j] = x & MASK52;
        c = x >> 52;
    }
}

/* r = a^e mod m, e of bits > 0 bits. */
TGT static void exp_pub40(pk_limb *r, const pk_limb *a, const pk_limb *e,
                          size_t bits, const struct bn_mont *mt)
{
    struct amm_mod40 md;
    struct dig40 base, ab, acc, rr;
    pk_limb x[33], d[32];
    to_digits40(&rr, mt->m);
    for (int v = 0; v < 5; v++)
        md.m[v] = _mm512_load_si512((const void *)(rr.d + 8 * v));
    md.m0 = rr.d[0];
    md.k0 = mt->m0i & MASK52;
    bn_shl64_mod_pub(x, mt->rr, mt->m, 32); /* 2^4160 = R^2 mod m */
    to_digits40(&rr, x);
    to_digits40(&base, a);
    amm40(&ab, &base, &rr, &md); /* a R */
    acc = ab;
    int plain = 0; /* acc holds a plain value (the last step took a) */
    for (size_t i = bits - 1; i-- > 0;) {
        amm40(&acc, &acc, &acc, &md);
        if (e[i / 64] >> (i % 64) & 1) {
            if (i == 0) { /* a^(e-1) R times the plain a: a^e, no R */
                amm40(&acc, &acc, &base, &md);
                plain = 1;
            } else {
                amm40(&acc, &acc, &ab, &md);
            }
        }
    }
    if (!plain) {
        struct dig40 one = {{1}};
        amm40(&acc, &acc, &one, &md);
    }
    from_digits40(x, &acc); /* below 2m */
    pk_limb br = bn_sub(d, x, mt->m, 32);
    if (x[32] == 0 && br) /* x < m */
        memcpy(r, x, 32 * sizeof *r);
    else
        memcpy(r, d, 32 * sizeof *r);
}

int bn_mod_exp_pub_ifma2048(pk_limb *r, const pk_limb *a, const pk_limb *e,
                            size_t elen, const struct bn_mont *mt)
{
    const unsigned need = CRYPTO_CPU_AVX512 | CRYPTO_CPU_IFMA;
    if (mt->len != 32 || mt->m[31] == 0 || (crypto__cpu() & need) != need)
        return MOTE_ENOTSUP;
    size_t bits = 64 * elen;
    while (bits > 0 && !(e[(bits - 1) / 64] >> ((bits - 1) % 64) & 1))
        bits--;
    if (bits == 0)
        return MOTE_ENOTSUP;
    exp_pub40(r, a, e, bits, mt);
    return 0;
}
#else
int bn_mod_exp2_pub_ifma(pk_limb *r1, const pk_limb *a1,
                         const struct bn_mont *m1, pk_limb *r2,
                         const pk_limb *a2, const struct bn_mont *m2,
                         const pk_limb *e, size_t elen)
{
    (void)r1, (void)a1, (void)m1, (void)r2, (void)a2, (void)m2, (void)e,
        (void)elen;
    return MOTE_ENOTSUP;
}
int bn_mod_exp2_ct_ifma(pk_limb *r1, const pk_limb *a1, const pk_limb *e1,
                        const struct bn_mont *m1, pk_limb *r2,
                        const pk_limb *a2, const pk_limb *e2,
                        const struct bn_mont *m2)
{
    (void)r1, (void)a1, (void)e1, (void)m1, (void)r2, (void)a2, (void)e2,
        (void)m2;
    return MOTE_ENOTSUP;
}
int bn_mod_exp_pub_ifma2048(pk_limb *r, const pk_limb *a, const pk_limb *e,
                            size_t elen, const struct bn_mont *mt)
{
    (void)r, (void)a, (void)e, (void)elen, (void)mt;
    return MOTE_ENOTSUP;
}
#endif

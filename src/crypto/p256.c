/* P-256 on a dedicated field (p256_fe.h): complete projective formulas
 * (Renes, Costello, Batina 2015, algorithms 4, 5 and 6 for a = -3), a
 * constant-time fixed-base multiplication from a build-time table of
 * affine multiples of G, a constant-time variable-base one for ECDH, a
 * variable-time double-scalar one (Jacobian, wNAF) for verification, and
 * arithmetic mod the group order n. ec_weier.c calls in here for every
 * P-256 operation. */
#include <string.h>

#include <mote/error.h>

#include "p256_fe.h"
#include "pk_int.h"

/*
 * IMPLEMENTATION NOTES
 *
 * Points are projective (X : Y : Z), y^2 z = x^3 - 3 x z^2 + b z^3, the
 * identity (0 : 1 : 0); the complete formulas have no exceptional cases,
 * so the constant-time code needs no special handling of the identity or
 * of doubling. Table entries are affine (x, y), Montgomery form.
 *
 * p256__base_table[i][j - 1] = j 64^i G for i < 43, j = 1..32: written at
 * build time by tools/gen_ec_tables.c into $(B)/gen/ec_tables.c (86 KiB of
 * const data). A scalar is recoded into 43 signed 6-bit digits in
 * [-32, 32] (Booth recoding, as OpenSSL's ecp_nistz256 does), so [k]G is
 * 43 mixed additions of +-entry and no doublings; the constant-time path
 * reads all 32 entries of each row, keeps one by mask and negates it by
 * mask. tests/unit/test_crypto_pk_diff.c recomputes the table with
 * OpenSSL.
 *
 * Verification (public inputs) uses Jacobian coordinates (X / Z^2,
 * Y / Z^3; cheaper doublings, 3M + 5S) with explicit handling of the
 * exceptional cases, a width-5 NAF of u2 over the affine odd multiples
 * of Q (one batched inversion), then the table for u1.
 */

typedef uint64_t fe[4];

struct p256_pt {
    fe x, y, z;
};

static const uint64_t N[4] = {0xf3b9cac2fc632551, 0xbce6faada7179e84,
                              0xffffffffffffffff, 0xffffffff00000000};
static const uint64_t N_RR[4] = {0x83244c95be79eea2, 0x4699799c49bd6fa6,
                                 0x2845b2392b6bec59, 0x66e12d94f3d95620};
#define N0I 0xccd1c8aaee00bc4fu

#define fmul p256_fe_mul
#define fsqr p256_fe_sqr
#define fadd p256_fe_add
#define fsub p256_fe_sub

static void fe_cmov(fe r, const fe a, uint64_t mask)
{
    for (int i = 0; i < 4; i++)
        r[i] ^= (r[i] ^ a[i]) & mask;
}

static uint64_t fe_zero_mask(const fe a)
{
    return ~pk__mask_nz64(a[0] | a[1] | a[2] | a[3]);
}

static void pt_identity(struct p256_pt *r)
{
    memset(r, 0, sizeof *r);
    memcpy(r->y, P256_FE_ONE, sizeof r->y);
}

/* RCB algorithm 4: r = p + q, complete. r may alias p or q. */
static void pt_add(struct p256_pt *r, const struct p256_pt *p,
                   const struct p256_pt *q)
{
    fe t0, t1, t2, t3, t4, x3, y3, z3;
    fmul(t0, p->x, q->x);
    fmul(t1, p->y, q->y);
    fmul(t2, p->z, q->z);
    fadd(t3, p->x, p->y);
    fadd(t4, q->x, q->y);
    fmul(t3, t3, t4);
    fadd(t4, t0, t1);
    fsub(t3, t3, t4);
    fadd(t4, p->y, p->z);
    fadd(x3, q->y, q->z);
    fmul(t4, t4, x3);
    fadd(x3, t1, t2);
    fsub(t4, t4, x3);
    fadd(x3, p->x, p->z);
    fadd(y3, q->x, q->z);
    fmul(x3, x3, y3);
    fadd(y3, t0, t2);
    fsub(y3, x3, y3);
    fmul(z3, P256_FE_B, t2);
    fsub(x3, y3, z3);
    fadd(z3, x3, x3);
    fadd(x3, x3, z3);
    fsub(z3, t1, x3);
    fadd(x3, t1, x3);
    fmul(y3, P256_FE_B, y3);
    fadd(t1, t2, t2);
    fadd(t2, t1, t2);
    fsub(y3, y3, t2);
    fsub(y3, y3, t0);
    fadd(t1, y3, y3);
    fadd(y3, t1, y3);
    fadd(t1, t0, t0);
    fadd(t0, t1, t0);
    fsub(t0, t0, t2);
    fmul(t1, t4, y3);
    fmul(t2, t0, y3);
    fmul(y3, x3, z3);
    fadd(y3, y3, t2);
    fmul(x3, t3, x3);
    fsub(x3, x3, t1);
    fmul(z3, t4, z3);
    fmul(t1, t3, t0);
    fadd(z3, z3, t1);
    memcpy(r->x, x3, sizeof x3);
    memcpy(r->y, y3, sizeof y3);
    memcpy(r->z, z3, sizeof z3);
}

/* RCB algorithm 5: r = p + (qx, qy) for an affine q (never the identity);
 * complete otherwise. r may alias p. */
static void pt_add_affine(struct p256_pt *r, const struct p256_pt *p,
                          const uint64_t *qx, const uint64_t *qy)
{
    fe t0, t1, t2, t3, t4, x3, y3, z3;
    fmul(t0, p->x, qx);
    fmul(t1, p->y, qy);
    fadd(t3, qx, qy);
    fadd(t4, p->x, p->y);
    fmul(t3, t3, t4);
    fadd(t4, t0, t1);
    fsub(t3, t3, t4);
    fmul(t4, qy, p->z);
    fadd(t4, t4, p->y);
    fmul(y3, qx, p->z);
    fadd(y3, y3, p->x);
    fmul(z3, P256_FE_B, p->z);
    fsub(x3, y3, z3);
    fadd(z3, x3, x3);
    fadd(x3, x3, z3);
    fsub(z3, t1, x3);
    fadd(x3, t1, x3);
    fmul(y3, P256_FE_B, y3);
    fadd(t1, p->z, p->z);
    fadd(t2, t1, p->z);
    fsub(y3, y3, t2);
    fsub(y3, y3, t0);
    fadd(t1, y3, y3);
    fadd(y3, t1, y3);
    fadd(t1, t0, t0);
    fadd(t0, t1, t0);
    fsub(t0, t0, t2);
    fmul(t1, t4, y3);
    fmul(t2, t0, y3);
    fmul(y3, x3, z3);
    fadd(y3, y3, t2);
    fmul(x3, t3, x3);
    fsub(x3, x3, t1);
    fmul(z3, t4, z3);
    fmul(t1, t3, t0);
    fadd(z3, z3, t1);
    memcpy(r->x, x3, sizeof x3);
    memcpy(r->y, y3, sizeof y3);
    memcpy(r->z, z3, sizeof z3);
}

/* RCB algorithm 6: r = 2p, complete. r may alias p. */
static void pt_dbl(struct p256_pt *r, const struct p256_pt *p)
{
    fe t0, t1, t2, t3, x3, y3, z3;
    fsqr(t0, p->x);
    fsqr(t1, p->y);
    fsqr(t2, p->z);
    fmul(t3, p->x, p->y);
    fadd(t3, t3, t3);
    fmul(z3, p->x, p->z);
    fadd(z3, z3, z3);
    fmul(y3, P256_FE_B, t2);
    fsub(y3, y3, z3);
    fadd(x3, y3, y3);
    fadd(y3, x3, y3);
    fsub(x3, t1, y3);
    fadd(y3, t1, y3);
    fmul(y3, x3, y3);
    fmul(x3, x3, t3);
    fadd(t3, t2, t2);
    fadd(t2, t2, t3);
    fmul(z3, P256_FE_B, z3);
    fsub(z3, z3, t2);
    fsub(z3, z3, t0);
    fadd(t3, z3, z3);
    fadd(z3, z3, t3);
    fadd(t3, t0, t0);
    fadd(t0, t3, t0);
    fsub(t0, t0, t2);
    fmul(t0, t0, z3);
    fadd(y3, y3, t0);
    fmul(t0, p->y, p->z);
    fadd(t0, t0, t0);
    fmul(z3, t0, z3);
    fsub(x3, x3, z3);
    fmul(z3, t0, t1);
    fadd(z3, z3, z3);
    fadd(z3, z3, z3);
    memcpy(r->x, x3, sizeof x3);
    memcpy(r->y, y3, sizeof y3);
    memcpy(r->z, z3, sizeof z3);
}

static void pt_cmov(struct p256_pt *r, const struct p256_pt *p, uint64_t mask)
{
    fe_cmov(r->x, p->x, mask);
    fe_cmov(r->y, p->y, mask);
    fe_cmov(r->z, p->z, mask);
}

/* 4-bit digit i (from the bottom) of a 32-byte big-endian scalar. */
static unsigned digit_be(const uint8_t k[32], size_t i)
{
    return (k[31 - i / 2] >> (4 * (i & 1))) & 15;
}

/* Signed 6-bit digit i of k (5 limbs, the fifth zero): bits 6i - 1 ..
 * 6i + 5 Booth-recoded to (magnitude << 1) | sign, magnitude in 0..32.
 * No branch on k (the one on i is public). */
static unsigned booth6(const uint64_t k[5], int i)
{
    int pos = 6 * i - 1;
    uint64_t v;
    if (pos < 0) {
        v = k[0] << 1;
    } else {
        v = k[pos / 64] >> (pos % 64);
        if (pos % 64 > 57)
            v |= k[pos / 64 + 1] << (64 - pos % 64);
    }
    unsigned w = (unsigned)v & 0x7f;
    unsigned sm = ~((w >> 6) - 1); /* all ones when the top bit is set */
    unsigned d = (1u << 7) - w - 1;
    d = (d & sm) | (w & ~sm);
    d = (d >> 1) + (d & 1);
    return (d << 1) + (sm & 1);
}

static const fe FE_ZERO;

/* r = [k]G, k secret (32 bytes big-endian, any value), constant time. */
static void mul_base_ct(struct p256_pt *r, const uint8_t k[32])
{
    struct p256_pt acc, t;
    uint64_t kl[5] = {0};
    fe sx, sy, ny;
    bn_from_bytes(kl, 4, k, 32);
    pt_identity(&acc);
    for (int i = 0; i < 43; i++) {
        unsigned dg = booth6(kl, i), mag = dg >> 1;
        /* sel = entry mag (entry 1 when mag = 0; the sum is then dropped),
         * negated when the digit is */
        memcpy(sx, p256__base_table[i][0], sizeof sx);
        memcpy(sy, p256__base_table[i][0] + 4, sizeof sy);
        for (unsigned j = 2; j <= 32; j++) {
            uint64_t m = ~pk__mask_nz64(j ^ mag);
            fe_cmov(sx, p256__base_table[i][j - 1], m);
            fe_cmov(sy, p256__base_table[i][j - 1] + 4, m);
        }
        fsub(ny, FE_ZERO, sy);
        fe_cmov(sy, ny, (uint64_t)0 - (dg & 1));
        pt_add_affine(&t, &acc, sx, sy);
        pt_cmov(&acc, &t, pk__mask_nz64(mag));
    }
    *r = acc;
    mote_memzero_explicit(&acc, sizeof acc);
    mote_memzero_explicit(&t, sizeof t);
    mote_memzero_explicit(kl, sizeof kl);
    mote_memzero_explicit(sx, sizeof sx);
    mote_memzero_explicit(sy, sizeof sy);
    mote_memzero_explicit(ny, sizeof ny);
}

/* r = [k]p, k secret (32 bytes big-endian), constant time: fixed 4-bit
 * windows, whole table read per window. */
static void mul_ct(struct p256_pt *r, const struct p256_pt *p,
                   const uint8_t k[32])
{
    struct p256_pt tab[16], sel, acc;
    pt_identity(&tab[0]);
    tab[1] = *p;
    for (int i = 2; i < 16; i++)
        pt_add(&tab[i], &tab[i - 1], p);
    pt_identity(&acc);
    for (size_t i = 64; i-- > 0;) {
        unsigned w = digit_be(k, i);
        for (int s = 0; s < 4; s++)
            pt_dbl(&acc, &acc);
        sel = tab[0];
        for (unsigned j = 1; j < 16; j++)
            pt_cmov(&sel, &tab[j], ~pk__mask_nz64(j ^ w));
        pt_add(&acc, &acc, &sel);
    }
    *r = acc;
    mote_memzero_explicit(tab, sizeof tab);
    mote_memzero_explicit(&sel, sizeof sel);
    mote_memzero_explicit(&acc, sizeof acc);
}

/* Width-5 NAF of a public scalar (4 limbs): digits odd in [-15, 15] or 0,
 * naf[i] for bit i, 257 entries. Variable time. */
static void wnaf5(int8_t naf[257], const uint64_t k[4])
{
    uint64_t t[5] = {k[0], k[1], k[2], k[3], 0};
    memset(naf, 0, 257);
    for (int i = 0; i < 257; i++) {
        if (t[0] & 1) {
            int d = (int)(t[0] & 31);
            if (d > 16)
                d -= 32;
            naf[i] = (int8_t)d;
            /* t -= d */
            if (d > 0) {
                uint64_t b = (uint64_t)d;
                for (int j = 0; j < 5 && b; j++) {
                    uint64_t o = t[j];
                    t[j] = o - b;
                    b = o < b;
                }
            } else {
                uint64_t c = (uint64_t)-d;
                for (int j = 0; j < 5 && c; j++) {
                    t[j] += c;
                    c = t[j] < c;
                }
            }
        }
        for (int j = 0; j < 4; j++)
            t[j] = t[j] >> 1 | t[j + 1] << 63;
        t[4] >>= 1;
    }
}

/* ---- Jacobian coordinates, variable time (verification only) ----------- */

struct jpt {
    fe x, y, z; /* (x / z^2, y / z^3); z = 0 is the identity */
};

static int fe_is_zero(const fe a)
{
    return !(a[0] | a[1] | a[2] | a[3]);
}

/* r = 2p (dbl-2001-b, a = -3: 3M + 5S). The identity stays z = 0. */
static void jdbl(struct jpt *r, const struct jpt *p)
{
    fe delta, gamma, beta, alpha, t, u;
    fsqr(delta, p->z);
    fsqr(gamma, p->y);
    fmul(beta, p->x, gamma);
    fsub(t, p->x, delta);
    fadd(u, p->x, delta);
    fmul(alpha, t, u);
    fadd(t, alpha, alpha);
    fadd(alpha, t, alpha);
    /* z3 = (y + z)^2 - gamma - delta */
    fadd(t, p->y, p->z);
    fsqr(t, t);
    fsub(t, t, gamma);
    fsub(r->z, t, delta);
    /* x3 = alpha^2 - 8 beta */
    fadd(beta, beta, beta);
    fadd(beta, beta, beta); /* 4 beta */
    fsqr(t, alpha);
    fsub(t, t, beta);
    fsub(r->x, t, beta);
    /* y3 = alpha (4 beta - x3) - 8 gamma^2 */
    fsub(t, beta, r->x);
    fmul(t, alpha, t);
    fsqr(u, gamma);
    fadd(u, u, u);
    fadd(u, u, u);
    fadd(u, u, u);
    fsub(r->y, t, u);
}

/* r = p + (qx, qy) (madd-2007-bl), with the exceptional cases: p the
 * identity, p = q (doubling), p = -q (the identity). r may alias p. */
static void jadd_affine(struct jpt *r, const struct jpt *p, const uint64_t *qx,
                        const uint64_t *qy)
{
    fe z1z1, u2, s2, h, hh, i, j, rr, v, t;
    if (fe_is_zero(p->z)) {
        memcpy(r->x, qx, sizeof r->x);
        memcpy(r->y, qy, sizeof r->y);
        memcpy(r->z, P256_FE_ONE, sizeof r->z);
        return;
    }
    fsqr(z1z1, p->z);
    fmul(u2, qx, z1z1);
    fmul(s2, qy, p->z);
    fmul(s2, s2, z1z1);
    fsub(h, u2, p->x);
    fsub(rr, s2, p->y);
    if (fe_is_zero(h)) {
        if (fe_is_zero(rr)) {
            jdbl(r, p);
        } else {
            memset(r, 0, sizeof *r);
            memcpy(r->y, P256_FE_ONE, sizeof r->y);
        }
        return;
    }
    fadd(rr, rr, rr);
    fsqr(hh, h);
    fadd(i, hh, hh);
    fadd(i, i, i);
    fmul(j, h, i);
    fmul(v, p->x, i);
    /* z3 = (z1 + h)^2 - z1z1 - hh */
    fadd(t, p->z, h);
    fsqr(t, t);
    fsub(t, t, z1z1);
    fsub(r->z, t, hh);
    /* x3 = rr^2 - j - 2 v */
    fsqr(t, rr);
    fsub(t, t, j);
    fsub(t, t, v);
    fsub(t, t, v);
    /* y3 = rr (v - x3) - 2 y1 j */
    fsub(v, v, t);
    fmul(v, rr, v);
    fmul(j, p->y, j);
    fadd(j, j, j);
    memcpy(r->x, t, sizeof t);
    fsub(r->y, v, j);
}

/* Does the Jacobian point p (not the identity) have affine x = v (plain
 * form, v < p)? Compares X with v Z^2, no inversion. Public data. */
static int jx_equals(const struct jpt *p, const uint64_t v[4])
{
    fe vm, z2;
    p256_fe_to_mont(vm, v);
    fsqr(z2, p->z);
    fmul(vm, vm, z2);
    return !memcmp(vm, p->x, sizeof vm);
}

/* r = [u1]G + [u2]q, public scalars (4 limbs, < n), variable time: u2 by
 * a width-5 NAF over the affine odd multiples of q, u1 from the table. */
static void mul2_pub(struct jpt *r, const uint64_t u1[4],
                     const struct p256_pt *q, const uint64_t u2[4])
{
    struct p256_pt odd[8], q2; /* odd[i] = (2i + 1) q, projective */
    fe ax[8], ay[8], pre[8], inv, zi, ny;
    int8_t naf[257];
    uint64_t k1[5] = {u1[0], u1[1], u1[2], u1[3], 0};
    odd[0] = *q;
    pt_dbl(&q2, q);
    for (int i = 1; i < 8; i++)
        pt_add(&odd[i], &odd[i - 1], &q2);
    /* affine (x / z, y / z) with one inversion (Montgomery's trick); no z
     * is zero: q has prime order n > 15 */
    memcpy(pre[0], odd[0].z, sizeof pre[0]);
    for (int i = 1; i < 8; i++)
        fmul(pre[i], pre[i - 1], odd[i].z);
    p256_fe_inv(inv, pre[7]);
    for (int i = 7; i >= 0; i--) {
        if (i) {
            fmul(zi, inv, pre[i - 1]);
            fmul(inv, inv, odd[i].z);
        } else {
            memcpy(zi, inv, sizeof zi);
        }
        fmul(ax[i], odd[i].x, zi);
        fmul(ay[i], odd[i].y, zi);
    }
    wnaf5(naf, u2);
    memset(r, 0, sizeof *r);
    int top = 256;
    while (top >= 0 && !naf[top])
        top--;
    for (int i = top; i >= 0; i--) {
        jdbl(r, r);
        if (naf[i] > 0) {
            jadd_affine(r, r, ax[naf[i] / 2], ay[naf[i] / 2]);
        } else if (naf[i] < 0) {
            fsub(ny, FE_ZERO, ay[-naf[i] / 2]);
            jadd_affine(r, r, ax[-naf[i] / 2], ny);
        }
    }
    for (int i = 0; i < 43; i++) {
        unsigned dg = booth6(k1, i), mag = dg >> 1;
        if (!mag)
            continue;
        const uint64_t *e = p256__base_table[i][mag - 1];
        if (dg & 1) {
            fsub(ny, FE_ZERO, e + 4);
            jadd_affine(r, r, e, ny);
        } else {
            jadd_affine(r, r, e, e + 4);
        }
    }
}

/* Affine x (and y) of p, plain form; all ones if p is the identity. */
static uint64_t pt_affine(uint64_t x[4], uint64_t *y, const struct p256_pt *p)
{
    fe zi, t;
    uint64_t inf = fe_zero_mask(p->z);
    p256_fe_inv(zi, p->z);
    fmul(t, p->x, zi);
    p256_fe_from_mont(x, t);
    if (y) {
        fmul(t, p->y, zi);
        p256_fe_from_mont(y, t);
    }
    return inf;
}

/* ---- Encodings ----------------------------------------------------------- */

static int lt_p(const uint64_t a[4])
{
    return pk__declassify(bn_lt_mask(a, P256_FE_P, 4));
}

/* Decode and validate a public point (SEC 1 2.3.4). Public data. */
static int pt_decode(struct p256_pt *r, const uint8_t *in, size_t in_len)
{
    fe x, y, rhs, t;
    if (in_len == 65 && in[0] == 4) {
        bn_from_bytes(x, 4, in + 1, 32);
        bn_from_bytes(y, 4, in + 33, 32);
        if (!lt_p(x) || !lt_p(y))
            return MOTE_EINVAL;
        p256_fe_to_mont(r->x, x);
        p256_fe_to_mont(r->y, y);
    } else if (in_len == 33 && (in[0] == 2 || in[0] == 3)) {
        bn_from_bytes(x, 4, in + 1, 32);
        if (!lt_p(x))
            return MOTE_EINVAL;
        p256_fe_to_mont(r->x, x);
    } else {
        return MOTE_EINVAL;
    }
    /* rhs = x^3 - 3x + b */
    fsqr(t, r->x);
    fmul(t, t, r->x);
    fsub(t, t, r->x);
    fsub(t, t, r->x);
    fsub(t, t, r->x);
    fadd(rhs, t, P256_FE_B);
    if (in[0] != 4) {
        /* p = 3 mod 4: y = rhs^((p + 1) / 4); public exponent. */
        static const uint64_t e[4] = {0x0000000000000000, 0x0000000040000000,
                                      0x4000000000000000, 0x3fffffffc0000000};
        fe acc;
        memcpy(acc, P256_FE_ONE, sizeof acc);
        for (int i = 255; i >= 0; i--) {
            fsqr(acc, acc);
            if ((e[i / 64] >> (i % 64)) & 1)
                fmul(acc, acc, rhs);
        }
        memcpy(r->y, acc, sizeof acc);
        p256_fe_from_mont(y, acc);
        if ((y[0] & 1) != (uint64_t)(in[0] & 1)) {
            fsub(r->y, FE_ZERO, r->y); /* y != 0 when rhs is a square */
        }
    }
    fsqr(t, r->y);
    if (memcmp(t, rhs, sizeof t))
        return MOTE_EINVAL; /* not on the curve (or no square root) */
    memcpy(r->z, P256_FE_ONE, sizeof r->z);
    return 0;
}

int p256__check_public(const uint8_t *pub, size_t pub_len)
{
    struct p256_pt q;
    return pt_decode(&q, pub, pub_len);
}

void p256__public(uint8_t pub[65], const uint8_t k[32])
{
    struct p256_pt q;
    uint64_t x[4], y[4];
    mul_base_ct(&q, k);
    pt_affine(x, y, &q);
    pub[0] = 4;
    bn_to_bytes(pub + 1, 32, x, 4);
    bn_to_bytes(pub + 33, 32, y, 4);
    mote_memzero_explicit(&q, sizeof q);
}

int p256__ecdh(uint8_t shared[32], const uint8_t k[32], const uint8_t *peer,
               size_t peer_len)
{
    struct p256_pt q, s;
    uint64_t x[4];
    int rc = pt_decode(&q, peer, peer_len);
    if (rc < 0)
        return rc;
    mul_ct(&s, &q, k);
    /* Prime order and 0 < k < n: never the identity; checked anyway. */
    if (pk__declassify(pt_affine(x, NULL, &s)))
        rc = MOTE_EINVAL;
    bn_to_bytes(shared, 32, x, 4);
    mote_memzero_explicit(x, sizeof x);
    mote_memzero_explicit(&s, sizeof s);
    return rc;
}

/* ---- Scalars mod n --------------------------------------------------------
 */

#if defined(__x86_64__)
static const uint64_t N0I_M = N0I;
/* r = a b / R mod n: the field multiplication's scheme with a general
 * Montgomery step (q = t0 n0i, then t += q n), n from memory. */
/* n's step: q = T0 n0i, then q n added into T0..T4 (T0 becomes 0),
 * carry into T5. */
#define P256_N_ASM_STEP(T0, T1, T2, T3, T4, T5)                                \
    "movq %%" T0 ", %%r15\n\t"                                                 \
    "imulq %[n0i], %%r15\n\t" P256_ASM_MAC4(                                   \
        "%%r15", "%[n0]", "%[n1]", "%[n2]", "%[n3]", T0, T1, T2, T3, T4, T5)
static void nmul_mont(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    __asm__ volatile(
        P256_ASM_MUL_MONT(P256_N_ASM_STEP, "%[n0]", "%[n1]", "%[n2]", "%[n3]")
        :
        : [r] "r"(r), [a] "r"(a), [b] "r"(b), [n0] "m"(N[0]), [n1] "m"(N[1]),
          [n2] "m"(N[2]), [n3] "m"(N[3]), [n0i] "m"(N0I_M)
        : "rax", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
          "cc", "memory");
}
/* r = a^2 / R mod n (a < n): p256_fe_sqr's scheme with general steps. */
static void nsqr_mont(uint64_t r[4], const uint64_t a[4])
{
    __asm__ volatile(P256_ASM_SQR_WIDE "movq %%r8, %%rcx\n\t"
                                       "imulq %[n0i], %%rcx\n\t"
                                       "movq %%rcx, %%rax\n\t"
                                       "mulq %[n0]\n\t"
                                       "addq %%rax, %%r8\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "movq %%rdx, %%rbx\n\t"
                                       "movq %%rcx, %%rax\n\t"
                                       "mulq %[n1]\n\t"
                                       "addq %%rbx, %%r9\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "addq %%rax, %%r9\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "movq %%rdx, %%rbx\n\t"
                                       "movq %%rcx, %%rax\n\t"
                                       "mulq %[n2]\n\t"
                                       "addq %%rbx, %%r10\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "addq %%rax, %%r10\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "movq %%rdx, %%rbx\n\t"
                                       "movq %%rcx, %%rax\n\t"
                                       "mulq %[n3]\n\t"
                                       "addq %%rbx, %%r11\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "addq %%rax, %%r11\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "movq %%rdx, %%r8\n\t"
                                       "movq %%r9, %%rcx\n\t"
                                       "imulq %[n0i], %%rcx\n\t"
                                       "movq %%rcx, %%rax\n\t"
                                       "mulq %[n0]\n\t"
                                       "addq %%rax, %%r9\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "movq %%rdx, %%rbx\n\t"
                                       "movq %%rcx, %%rax\n\t"
                                       "mulq %[n1]\n\t"
                                       "addq %%rbx, %%r10\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "addq %%rax, %%r10\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "movq %%rdx, %%rbx\n\t"
                                       "movq %%rcx, %%rax\n\t"
                                       "mulq %[n2]\n\t"
                                       "addq %%rbx, %%r11\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "addq %%rax, %%r11\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "movq %%rdx, %%rbx\n\t"
                                       "movq %%rcx, %%rax\n\t"
                                       "mulq %[n3]\n\t"
                                       "addq %%rbx, %%r8\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "addq %%rax, %%r8\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "movq %%rdx, %%r9\n\t"
                                       "movq %%r10, %%rcx\n\t"
                                       "imulq %[n0i], %%rcx\n\t"
                                       "movq %%rcx, %%rax\n\t"
                                       "mulq %[n0]\n\t"
                                       "addq %%rax, %%r10\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "movq %%rdx, %%rbx\n\t"
                                       "movq %%rcx, %%rax\n\t"
                                       "mulq %[n1]\n\t"
                                       "addq %%rbx, %%r11\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "addq %%rax, %%r11\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "movq %%rdx, %%rbx\n\t"
                                       "movq %%rcx, %%rax\n\t"
                                       "mulq %[n2]\n\t"
                                       "addq %%rbx, %%r8\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "addq %%rax, %%r8\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "movq %%rdx, %%rbx\n\t"
                                       "movq %%rcx, %%rax\n\t"
                                       "mulq %[n3]\n\t"
                                       "addq %%rbx, %%r9\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "addq %%rax, %%r9\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "movq %%rdx, %%r10\n\t"
                                       "movq %%r11, %%rcx\n\t"
                                       "imulq %[n0i], %%rcx\n\t"
                                       "movq %%rcx, %%rax\n\t"
                                       "mulq %[n0]\n\t"
                                       "addq %%rax, %%r11\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "movq %%rdx, %%rbx\n\t"
                                       "movq %%rcx, %%rax\n\t"
                                       "mulq %[n1]\n\t"
                                       "addq %%rbx, %%r8\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "addq %%rax, %%r8\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "movq %%rdx, %%rbx\n\t"
                                       "movq %%rcx, %%rax\n\t"
                                       "mulq %[n2]\n\t"
                                       "addq %%rbx, %%r9\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "addq %%rax, %%r9\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "movq %%rdx, %%rbx\n\t"
                                       "movq %%rcx, %%rax\n\t"
                                       "mulq %[n3]\n\t"
                                       "addq %%rbx, %%r10\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "addq %%rax, %%r10\n\t"
                                       "adcq $0, %%rdx\n\t"
                                       "movq %%rdx, %%r11\n\t"
                                       "xorq %%rcx, %%rcx\n\t"
                                       "addq %%r12, %%r8\n\t"
                                       "adcq %%r13, %%r9\n\t"
                                       "adcq %%r14, %%r10\n\t"
                                       "adcq %%r15, %%r11\n\t"
                                       "adcq $0, %%rcx\n\t"
                                       "movq %%r8, %%r12\n\t"
                                       "movq %%r9, %%r13\n\t"
                                       "movq %%r10, %%r14\n\t"
                                       "movq %%r11, %%r15\n\t"
                                       "subq %[n0], %%r12\n\t"
                                       "sbbq %[n1], %%r13\n\t"
                                       "sbbq %[n2], %%r14\n\t"
                                       "sbbq %[n3], %%r15\n\t"
                                       "sbbq $0, %%rcx\n\t"
                                       "cmovcq %%r8, %%r12\n\t"
                                       "cmovcq %%r9, %%r13\n\t"
                                       "cmovcq %%r10, %%r14\n\t"
                                       "cmovcq %%r11, %%r15\n\t"
                                       "movq %%r12, 0(%[r])\n\t"
                                       "movq %%r13, 8(%[r])\n\t"
                                       "movq %%r14, 16(%[r])\n\t"
                                       "movq %%r15, 24(%[r])\n\t"
                     :
                     : [r] "r"(r), [a] "r"(a), [n0] "m"(N[0]), [n1] "m"(N[1]),
                       [n2] "m"(N[2]), [n3] "m"(N[3]), [n0i] "m"(N0I_M)
                     : "rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11",
                       "r12", "r13", "r14", "r15", "cc", "memory");
}
#else
static void nmul_mont(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    p256_mont_mul(r, a, b, N, N0I);
}
static void nsqr_mont(uint64_t r[4], const uint64_t a[4])
{
    p256_mont_sqr(r, a, N, N0I);
}
#endif

/* r = a b mod n, plain form (a, b < n). */
static void nmul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    nmul_mont(r, a, b);
    nmul_mont(r, r, N_RR);
}

/* r = a^-1 mod n = a^(n - 2), plain form; the exponent is public, so the
 * sliding 4-bit windows over it are constant time in a. */
static void ninv(uint64_t r[4], const uint64_t a[4])
{
    static const uint64_t e[4] = {0xf3b9cac2fc63254f, 0xbce6faada7179e84,
                                  0xffffffffffffffff, 0xffffffff00000000};
    uint64_t tab[16][4], acc[4];
    nmul_mont(tab[1], a, N_RR);                               /* a R */
    nmul_mont(tab[0], N_RR, (const uint64_t[4]){1, 0, 0, 0}); /* R */
    for (int i = 2; i < 16; i++)
        nmul_mont(tab[i], tab[i - 1], tab[1]);
    memcpy(acc, tab[0], sizeof acc);
    for (int k = 63; k >= 0; k--) {
        unsigned w = (unsigned)(e[k / 16] >> (4 * (k % 16))) & 15;
        for (int i = 0; i < 4; i++)
            nsqr_mont(acc, acc);
        if (w) /* public exponent digit */
            nmul_mont(acc, acc, tab[w]);
    }
    nmul_mont(r, acc, (const uint64_t[4]){1, 0, 0, 0});
    mote_memzero_explicit(tab, sizeof tab);
    mote_memzero_explicit(acc, sizeof acc);
}

/* r = a mod n for a < 2^256 < 2n. */
static void nreduce(uint64_t a[4])
{
    uint64_t t[4];
    uint64_t br = bn_sub(t, a, N, 4);
    bn_cmov(a, t, 4, (uint64_t)0 - (br ^ 1));
}

void p256__sign(uint64_t r[4], uint64_t s[4], const uint64_t k[4],
                const uint64_t d[4], const uint64_t z[4])
{
    struct p256_pt rp;
    uint8_t kb[32];
    uint64_t t[4];
    bn_to_bytes(kb, 32, k, 4);
    mul_base_ct(&rp, kb);
    pt_affine(r, NULL, &rp);
    nreduce(r); /* x < p < 2n */
    ninv(t, k);
    nmul(s, r, d);
    bn_mod_add(s, s, z, N, 4);
    nmul(s, s, t);
    mote_memzero_explicit(kb, sizeof kb);
    mote_memzero_explicit(t, sizeof t);
    mote_memzero_explicit(&rp, sizeof rp);
}

int p256__verify(const uint8_t *pub, size_t pub_len, const uint64_t z[4],
                 const uint64_t r[4], const uint64_t s[4])
{
    struct p256_pt q;
    struct jpt rp;
    uint64_t w[4], u1[4], u2[4], x[4];
    int rc = pt_decode(&q, pub, pub_len);
    if (rc < 0)
        return rc;
    ninv(w, s);
    nmul(u1, z, w);
    nmul(u2, r, w);
    mul2_pub(&rp, u1, &q, u2);
    if (fe_is_zero(rp.z))
        return MOTE_EPROTO; /* the identity */
    /* x mod n = r, with x < p < 2n: x = r, or x = r + n when that is
     * below p. Compared in Jacobian form, which saves the inversion. */
    if (jx_equals(&rp, r))
        return 0;
    if (!bn_add(x, r, N, 4) && bn_lt_mask(x, P256_FE_P, 4) && jx_equals(&rp, x))
        return 0;
    return MOTE_EPROTO;
}

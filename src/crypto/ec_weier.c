/* P-256 and P-384 (FIPS 186-5, SEC 1): Montgomery-form field arithmetic on
 * the generic bn code, complete projective formulas (Renes, Costello,
 * Batina 2015, algorithms 4 and 6 for a = -3), ECDH and ECDSA with RFC 6979
 * nonces, DER and fixed-width signatures. */
#include <string.h>

#include <mote/error.h>

#include "pk_int.h"

#define EC_MAXL 6 /* limbs of the largest field (P-384) */

struct ec_params {
    size_t nbytes;
    const uint8_t *p, *b, *n, *gx, *gy;
};

static const uint8_t P256_P[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t P256_B[32] = {
    0x5a, 0xc6, 0x35, 0xd8, 0xaa, 0x3a, 0x93, 0xe7, 0xb3, 0xeb, 0xbd,
    0x55, 0x76, 0x98, 0x86, 0xbc, 0x65, 0x1d, 0x06, 0xb0, 0xcc, 0x53,
    0xb0, 0xf6, 0x3b, 0xce, 0x3c, 0x3e, 0x27, 0xd2, 0x60, 0x4b};
static const uint8_t P256_N[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
    0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
static const uint8_t P256_GX[32] = {
    0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6,
    0xe5, 0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb,
    0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96};
static const uint8_t P256_GY[32] = {
    0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb,
    0x4a, 0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31,
    0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5};

static const uint8_t P384_P[48] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff};
static const uint8_t P384_B[48] = {
    0xb3, 0x31, 0x2f, 0xa7, 0xe2, 0x3e, 0xe7, 0xe4, 0x98, 0x8e, 0x05, 0x6b,
    0xe3, 0xf8, 0x2d, 0x19, 0x18, 0x1d, 0x9c, 0x6e, 0xfe, 0x81, 0x41, 0x12,
    0x03, 0x14, 0x08, 0x8f, 0x50, 0x13, 0x87, 0x5a, 0xc6, 0x56, 0x39, 0x8d,
    0x8a, 0x2e, 0xd1, 0x9d, 0x2a, 0x85, 0xc8, 0xed, 0xd3, 0xec, 0x2a, 0xef};
static const uint8_t P384_N[48] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf, 0x58, 0x1a, 0x0d, 0xb2,
    0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73};
static const uint8_t P384_GX[48] = {
    0xaa, 0x87, 0xca, 0x22, 0xbe, 0x8b, 0x05, 0x37, 0x8e, 0xb1, 0xc7, 0x1e,
    0xf3, 0x20, 0xad, 0x74, 0x6e, 0x1d, 0x3b, 0x62, 0x8b, 0xa7, 0x9b, 0x98,
    0x59, 0xf7, 0x41, 0xe0, 0x82, 0x54, 0x2a, 0x38, 0x55, 0x02, 0xf2, 0x5d,
    0xbf, 0x55, 0x29, 0x6c, 0x3a, 0x54, 0x5e, 0x38, 0x72, 0x76, 0x0a, 0xb7};
static const uint8_t P384_GY[48] = {
    0x36, 0x17, 0xde, 0x4a, 0x96, 0x26, 0x2c, 0x6f, 0x5d, 0x9e, 0x98, 0xbf,
    0x92, 0x92, 0xdc, 0x29, 0xf8, 0xf4, 0x1d, 0xbd, 0x28, 0x9a, 0x14, 0x7c,
    0xe9, 0xda, 0x31, 0x13, 0xb5, 0xf0, 0xb8, 0xc0, 0x0a, 0x60, 0xb1, 0xce,
    0x1d, 0x7e, 0x81, 0x9d, 0x7a, 0x43, 0x1d, 0x7c, 0x90, 0xea, 0x0e, 0x5f};

static const struct ec_params P256 = {32,     P256_P,  P256_B,
                                      P256_N, P256_GX, P256_GY};
static const struct ec_params P384 = {48,     P384_P,  P384_B,
                                      P384_N, P384_GX, P384_GY};

/* A curve ready for arithmetic; field elements in Montgomery form. */
typedef void (*ec_mul_fn)(pk_limb *r, const pk_limb *a, const pk_limb *b,
                          const struct bn_mont *mt);
typedef void (*ec_add_fn)(pk_limb *r, const pk_limb *a, const pk_limb *b,
                          const pk_limb *m, size_t len);

struct ec {
    size_t len, nbytes; /* limbs, bytes */
    ec_mul_fn mul;      /* fixed-size field operations */
    ec_add_fn add, sub;
    struct bn_mont p, n;
    pk_limb b[EC_MAXL], gx[EC_MAXL], gy[EC_MAXL], one[EC_MAXL];
};

struct pt {
    pk_limb x[EC_MAXL], y[EC_MAXL], z[EC_MAXL];
};

static int ec_setup(struct ec *c, enum mote_ec_curve id)
{
    const struct ec_params *cp;
    pk_limb t[EC_MAXL];
    if (id == MOTE_EC_P256)
        cp = &P256;
    else if (id == MOTE_EC_P384)
        cp = &P384;
    else
        return MOTE_EINVAL;
    c->nbytes = cp->nbytes;
    c->len = cp->nbytes / 8;
    if (id == MOTE_EC_P256) {
        /* p256.c does the arithmetic; only the moduli are used here. */
        bn_from_bytes(c->p.m, 4, cp->p, 32);
        bn_from_bytes(c->n.m, 4, cp->n, 32);
        return 0;
    }
    c->mul = c->len == 4 ? bn_mont_mul_p256 : bn_mont_mul6;
    c->add = c->len == 4 ? bn_mod_add_p256 : bn_mod_add6;
    c->sub = c->len == 4 ? bn_mod_sub_p256 : bn_mod_sub6;
    bn_from_bytes(t, c->len, cp->p, cp->nbytes);
    bn_mont_init(&c->p, t, c->len);
    bn_from_bytes(t, c->len, cp->n, cp->nbytes);
    bn_mont_init(&c->n, t, c->len);
    bn_from_bytes(t, c->len, cp->b, cp->nbytes);
    bn_to_mont(c->b, t, &c->p);
    bn_from_bytes(t, c->len, cp->gx, cp->nbytes);
    bn_to_mont(c->gx, t, &c->p);
    bn_from_bytes(t, c->len, cp->gy, cp->nbytes);
    bn_to_mont(c->gy, t, &c->p);
    memset(t, 0, sizeof t);
    t[0] = 1;
    bn_to_mont(c->one, t, &c->p);
    return 0;
}

size_t mote_ec_scalar_len(enum mote_ec_curve c)
{
    return c == MOTE_EC_P256 ? 32 : c == MOTE_EC_P384 ? 48 : 0;
}

/* ---- Field (mod p, Montgomery form)
 * ------------------------------------------ */

#define FMUL(r, a, b) c->mul((r), (a), (b), &c->p)
#define FADD(r, a, b) c->add((r), (a), (b), c->p.m, c->len)
#define FSUB(r, a, b) c->sub((r), (a), (b), c->p.m, c->len)

/* ---- Group: complete formulas, a = -3 -------------------------------------
 */

static void pt_identity(const struct ec *c, struct pt *r)
{
    memset(r, 0, sizeof *r);
    memcpy(r->y, c->one, sizeof c->one);
}

/* RCB algorithm 4. r may alias p or q. */
static void pt_add(const struct ec *c, struct pt *r, const struct pt *p,
                   const struct pt *q)
{
    pk_limb t0[EC_MAXL], t1[EC_MAXL], t2[EC_MAXL], t3[EC_MAXL], t4[EC_MAXL],
        x3[EC_MAXL], y3[EC_MAXL], z3[EC_MAXL];
    FMUL(t0, p->x, q->x);
    FMUL(t1, p->y, q->y);
    FMUL(t2, p->z, q->z);
    FADD(t3, p->x, p->y);
    FADD(t4, q->x, q->y);
    FMUL(t3, t3, t4);
    FADD(t4, t0, t1);
    FSUB(t3, t3, t4);
    FADD(t4, p->y, p->z);
    FADD(x3, q->y, q->z);
    FMUL(t4, t4, x3);
    FADD(x3, t1, t2);
    FSUB(t4, t4, x3);
    FADD(x3, p->x, p->z);
    FADD(y3, q->x, q->z);
    FMUL(x3, x3, y3);
    FADD(y3, t0, t2);
    FSUB(y3, x3, y3);
    FMUL(z3, c->b, t2);
    FSUB(x3, y3, z3);
    FADD(z3, x3, x3);
    FADD(x3, x3, z3);
    FSUB(z3, t1, x3);
    FADD(x3, t1, x3);
    FMUL(y3, c->b, y3);
    FADD(t1, t2, t2);
    FADD(t2, t1, t2);
    FSUB(y3, y3, t2);
    FSUB(y3, y3, t0);
    FADD(t1, y3, y3);
    FADD(y3, t1, y3);
    FADD(t1, t0, t0);
    FADD(t0, t1, t0);
    FSUB(t0, t0, t2);
    FMUL(t1, t4, y3);
    FMUL(t2, t0, y3);
    FMUL(y3, x3, z3);
    FADD(y3, y3, t2);
    FMUL(x3, t3, x3);
    FSUB(x3, x3, t1);
    FMUL(z3, t4, z3);
    FMUL(t1, t3, t0);
    FADD(z3, z3, t1);
    memcpy(r->x, x3, sizeof x3);
    memcpy(r->y, y3, sizeof y3);
    memcpy(r->z, z3, sizeof z3);
}

/* RCB algorithm 6. */
static void pt_dbl(const struct ec *c, struct pt *r, const struct pt *p)
{
    pk_limb t0[EC_MAXL], t1[EC_MAXL], t2[EC_MAXL], t3[EC_MAXL], x3[EC_MAXL],
        y3[EC_MAXL], z3[EC_MAXL];
    FMUL(t0, p->x, p->x);
    FMUL(t1, p->y, p->y);
    FMUL(t2, p->z, p->z);
    FMUL(t3, p->x, p->y);
    FADD(t3, t3, t3);
    FMUL(z3, p->x, p->z);
    FADD(z3, z3, z3);
    FMUL(y3, c->b, t2);
    FSUB(y3, y3, z3);
    FADD(x3, y3, y3);
    FADD(y3, x3, y3);
    FSUB(x3, t1, y3);
    FADD(y3, t1, y3);
    FMUL(y3, x3, y3);
    FMUL(x3, x3, t3);
    FADD(t3, t2, t2);
    FADD(t2, t2, t3);
    FMUL(z3, c->b, z3);
    FSUB(z3, z3, t2);
    FSUB(z3, z3, t0);
    FADD(t3, z3, z3);
    FADD(z3, z3, t3);
    FADD(t3, t0, t0);
    FADD(t0, t3, t0);
    FSUB(t0, t0, t2);
    FMUL(t0, t0, z3);
    FADD(y3, y3, t0);
    FMUL(t0, p->y, p->z);
    FADD(t0, t0, t0);
    FMUL(z3, t0, z3);
    FSUB(x3, x3, z3);
    FMUL(z3, t0, t1);
    FADD(z3, z3, z3);
    FADD(z3, z3, z3);
    memcpy(r->x, x3, sizeof x3);
    memcpy(r->y, y3, sizeof y3);
    memcpy(r->z, z3, sizeof z3);
}

static void pt_cmov(const struct ec *c, struct pt *r, const struct pt *p,
                    pk_limb mask)
{
    bn_cmov(r->x, p->x, c->len, mask);
    bn_cmov(r->y, p->y, c->len, mask);
    bn_cmov(r->z, p->z, c->len, mask);
}

/* r = [k]p for secret k (nbytes big-endian): fixed 4-bit windows, whole
 * table read per window, complete formulas (no exceptional cases). */
static void pt_mul_ct(const struct ec *c, struct pt *r, const struct pt *p,
                      const uint8_t *k)
{
    struct pt tab[16], sel, acc;
    pt_identity(c, &tab[0]);
    tab[1] = *p;
    for (int i = 2; i < 16; i++)
        pt_add(c, &tab[i], &tab[i - 1], p);
    pt_identity(c, &acc);
    for (size_t i = 0; i < 2 * c->nbytes; i++) {
        unsigned w = (k[i / 2] >> (i & 1 ? 0 : 4)) & 15;
        for (int s = 0; s < 4; s++)
            pt_dbl(c, &acc, &acc);
        pt_identity(c, &sel);
        for (unsigned j = 1; j < 16; j++)
            pt_cmov(c, &sel, &tab[j], ~pk__mask_nz64(j ^ w));
        pt_add(c, &acc, &acc, &sel);
    }
    *r = acc;
    mote_memzero_explicit(tab, sizeof tab);
    mote_memzero_explicit(&sel, sizeof sel);
    mote_memzero_explicit(&acc, sizeof acc);
}

/* RCB algorithm 5: r = p + (qx, qy) for an affine q (never the identity),
 * complete otherwise. r may alias p. */
static void pt_add_affine(const struct ec *c, struct pt *r, const struct pt *p,
                          const pk_limb *qx, const pk_limb *qy)
{
    pk_limb t0[EC_MAXL], t1[EC_MAXL], t2[EC_MAXL], t3[EC_MAXL], t4[EC_MAXL],
        x3[EC_MAXL], y3[EC_MAXL], z3[EC_MAXL];
    FMUL(t0, p->x, qx);
    FMUL(t1, p->y, qy);
    FADD(t3, qx, qy);
    FADD(t4, p->x, p->y);
    FMUL(t3, t3, t4);
    FADD(t4, t0, t1);
    FSUB(t3, t3, t4);
    FMUL(t4, qy, p->z);
    FADD(t4, t4, p->y);
    FMUL(y3, qx, p->z);
    FADD(y3, y3, p->x);
    FMUL(z3, c->b, p->z);
    FSUB(x3, y3, z3);
    FADD(z3, x3, x3);
    FADD(x3, x3, z3);
    FSUB(z3, t1, x3);
    FADD(x3, t1, x3);
    FMUL(y3, c->b, y3);
    FADD(t1, p->z, p->z);
    FADD(t2, t1, p->z);
    FSUB(y3, y3, t2);
    FSUB(y3, y3, t0);
    FADD(t1, y3, y3);
    FADD(y3, t1, y3);
    FADD(t1, t0, t0);
    FADD(t0, t1, t0);
    FSUB(t0, t0, t2);
    FMUL(t1, t4, y3);
    FMUL(t2, t0, y3);
    FMUL(y3, x3, z3);
    FADD(y3, y3, t2);
    FMUL(x3, t3, x3);
    FSUB(x3, x3, t1);
    FMUL(z3, t4, z3);
    FMUL(t1, t3, t0);
    FADD(z3, z3, t1);
    memcpy(r->x, x3, sizeof x3);
    memcpy(r->y, y3, sizeof y3);
    memcpy(r->z, z3, sizeof z3);
}

/* P-384's fixed-base table p384__base_table[i][j - 1] = j 16^i G, j =
 * 1..15, affine Montgomery (x, y): const data written at build time by
 * tools/gen_ec_tables.c (135 KiB). [k]G is one mixed addition per 4-bit
 * window and no doublings. (P-256 has its own code: p256.c.) */

/* r = [k]G for secret k (nbytes big-endian), constant time: every entry
 * of a row read, one kept by mask; a zero digit's sum dropped by mask. */
static void pt_mul_base_ct(const struct ec *c, struct pt *r, const uint8_t *k)
{
    pk_limb sx[EC_MAXL], sy[EC_MAXL];
    struct pt acc, t;
    pt_identity(c, &acc);
    for (size_t i = 0; i < 2 * c->nbytes; i++) {
        unsigned w = (k[c->nbytes - 1 - i / 2] >> (4 * (i & 1))) & 15;
        memcpy(sx, p384__base_table[i][0], sizeof sx);
        memcpy(sy, p384__base_table[i][0] + 6, sizeof sy);
        for (unsigned j = 2; j < 16; j++) {
            pk_limb m = ~pk__mask_nz64(j ^ w);
            bn_cmov(sx, p384__base_table[i][j - 1], 6, m);
            bn_cmov(sy, p384__base_table[i][j - 1] + 6, 6, m);
        }
        pt_add_affine(c, &t, &acc, sx, sy);
        pt_cmov(c, &acc, &t, pk__mask_nz64(w));
    }
    *r = acc;
    mote_memzero_explicit(sx, sizeof sx);
    mote_memzero_explicit(sy, sizeof sy);
    mote_memzero_explicit(&t, sizeof t);
    mote_memzero_explicit(&acc, sizeof acc);
}

/* r = [u1]G + [u2]Q for public scalars (limbs), variable time: [u2]Q by
 * 4-bit windows, [u1]G from the fixed-base table (no doublings). */
static void pt_mul2_pub(const struct ec *c, struct pt *r, const pk_limb *u1,
                        const struct pt *q, const pk_limb *u2)
{
    struct pt tq[15], acc;
    size_t wins = 2 * c->nbytes;
    tq[0] = *q;
    for (int i = 1; i < 15; i++)
        pt_add(c, &tq[i], &tq[i - 1], q);
    pt_identity(c, &acc);
    for (size_t i = wins; i-- > 0;) {
        unsigned w = (unsigned)(u2[i / 16] >> (4 * (i % 16))) & 15;
        for (int d = 0; d < 4; d++)
            pt_dbl(c, &acc, &acc);
        if (w)
            pt_add(c, &acc, &acc, &tq[w - 1]);
    }
    for (size_t i = 0; i < wins; i++) {
        unsigned w = (unsigned)(u1[i / 16] >> (4 * (i % 16))) & 15;
        if (w)
            pt_add_affine(c, &acc, &acc, p384__base_table[i][w - 1],
                          p384__base_table[i][w - 1] + 6);
    }
    *r = acc;
}

/* r = a^-1 (Montgomery form in and out) as a^(p - 2): the exponent is
 * public, so square-and-multiply over its bits is constant time in a. */
static void fe_inv(const struct ec *c, pk_limb *r, const pk_limb *a)
{
    pk_limb e[EC_MAXL], two[EC_MAXL], acc[EC_MAXL], tab[16][EC_MAXL];
    memset(two, 0, sizeof two);
    two[0] = 2;
    bn_sub(e, c->p.m, two, c->len);
    memcpy(tab[1], a, sizeof tab[1]);
    for (int i = 2; i < 16; i++)
        FMUL(tab[i], tab[i - 1], a);
    memcpy(acc, c->one, sizeof acc);
    /* 4-bit windows; the exponent (and so the index) is public */
    for (size_t k = 16 * c->len; k-- > 0;) {
        unsigned w = (unsigned)(e[k / 16] >> (4 * (k % 16))) & 15;
        for (int i = 0; i < 4; i++)
            FMUL(acc, acc, acc);
        if (w)
            FMUL(acc, acc, tab[w]);
    }
    memcpy(r, acc, c->len * sizeof *r);
}

/* Affine x, y in plain form (not Montgomery). Returns all ones if p is
 * the identity (then x, y are zero). Constant time. */
static pk_limb pt_affine(const struct ec *c, pk_limb *x, pk_limb *y,
                         const struct pt *p)
{
    pk_limb z[EC_MAXL], zi[EC_MAXL];
    pk_limb inf = bn_zero_mask(p->z, c->len);
    fe_inv(c, zi, p->z);
    FMUL(z, p->x, zi);
    bn_from_mont(x, z, &c->p);
    if (y) {
        FMUL(z, p->y, zi);
        bn_from_mont(y, z, &c->p);
    }
    return inf;
}

/* ---- Encodings
 * --------------------------------------------------------------- */

/* rhs = x^3 - 3x + b (Montgomery form). */
static void curve_rhs(const struct ec *c, pk_limb *rhs, const pk_limb *x)
{
    pk_limb t[EC_MAXL];
    FMUL(t, x, x);
    FMUL(t, t, x);
    FSUB(t, t, x);
    FSUB(t, t, x);
    FSUB(t, t, x);
    FADD(rhs, t, c->b);
}

/* Decode and validate a public point (SEC 1 2.3.4). Public data. */
static int pt_decode(const struct ec *c, struct pt *r, const uint8_t *in,
                     size_t in_len)
{
    size_t nb = c->nbytes;
    pk_limb x[EC_MAXL], y[EC_MAXL], rhs[EC_MAXL], t[EC_MAXL];
    if (in_len == 1 + 2 * nb && in[0] == 4) {
        if (bn_from_bytes(x, c->len, in + 1, nb) < 0 ||
            bn_from_bytes(y, c->len, in + 1 + nb, nb) < 0)
            return MOTE_EINVAL;
        if (!bn_lt_mask(x, c->p.m, c->len) || !bn_lt_mask(y, c->p.m, c->len))
            return MOTE_EINVAL;
        bn_to_mont(r->x, x, &c->p);
        bn_to_mont(r->y, y, &c->p);
        curve_rhs(c, rhs, r->x);
        FMUL(t, r->y, r->y);
        if (memcmp(t, rhs, c->len * sizeof *t))
            return MOTE_EINVAL;
    } else if (in_len == 1 + nb && (in[0] == 2 || in[0] == 3)) {
        pk_limb e[EC_MAXL], one[EC_MAXL];
        if (bn_from_bytes(x, c->len, in + 1, nb) < 0 ||
            !bn_lt_mask(x, c->p.m, c->len))
            return MOTE_EINVAL;
        bn_to_mont(r->x, x, &c->p);
        curve_rhs(c, rhs, r->x);
        /* p = 3 mod 4 for both curves: y = rhs^((p + 1) / 4). */
        memset(one, 0, sizeof one);
        one[0] = 1;
        bn_add(e, c->p.m, one, c->len);
        for (size_t i = 0; i < c->len; i++)
            e[i] = e[i] >> 2 | (i + 1 < c->len ? e[i + 1] << 62 : 0);
        bn_from_mont(t, rhs, &c->p);
        bn_mod_exp_pub(y, t, e, c->len, &c->p);
        bn_to_mont(r->y, y, &c->p);
        FMUL(t, r->y, r->y);
        if (memcmp(t, rhs, c->len * sizeof *t))
            return MOTE_EINVAL; /* not a square: x is not on the curve */
        if ((y[0] & 1) != (pk_limb)(in[0] & 1)) {
            bn_sub(y, c->p.m, y, c->len); /* y != 0 here: rhs != 0 */
            bn_to_mont(r->y, y, &c->p);
        }
    } else {
        return MOTE_EINVAL;
    }
    memcpy(r->z, c->one, sizeof r->z);
    return 0;
}

/* Secret scalar in [1, n-1], else MOTE_EINVAL (the answer is public). */
static int scalar_check(const struct ec *c, pk_limb *k, const uint8_t *in)
{
    bn_from_bytes(k, c->len, in, c->nbytes);
    pk_limb okm = bn_lt_mask(k, c->n.m, c->len) & ~bn_zero_mask(k, c->len);
    return pk__declassify(okm) ? 0 : MOTE_EINVAL;
}

int mote_ec_public(enum mote_ec_curve id, uint8_t *pub, const uint8_t *priv)
{
    struct ec c;
    struct pt q;
    pk_limb k[EC_MAXL], x[EC_MAXL], y[EC_MAXL];
    int rc = ec_setup(&c, id);
    if (rc < 0)
        return rc;
    if ((rc = scalar_check(&c, k, priv)) < 0)
        return rc;
    if (id == MOTE_EC_P256) {
        p256__public(pub, priv);
        mote_memzero_explicit(k, sizeof k);
        return 0;
    }
    pt_mul_base_ct(&c, &q, priv);
    pt_affine(&c, x, y, &q);
    pub[0] = 4;
    bn_to_bytes(pub + 1, c.nbytes, x, c.len);
    bn_to_bytes(pub + 1 + c.nbytes, c.nbytes, y, c.len);
    mote_memzero_explicit(k, sizeof k);
    return 0;
}

int mote_ec_check_public(enum mote_ec_curve id, const uint8_t *pub,
                         size_t pub_len)
{
    struct ec c;
    struct pt q;
    int rc = ec_setup(&c, id);
    if (rc < 0)
        return rc;
    if (id == MOTE_EC_P256)
        return p256__check_public(pub, pub_len);
    return pt_decode(&c, &q, pub, pub_len);
}

int mote_ecdh(enum mote_ec_curve id, uint8_t *shared, const uint8_t *priv,
              const uint8_t *peer, size_t peer_len)
{
    struct ec c;
    struct pt q, s;
    pk_limb k[EC_MAXL], x[EC_MAXL];
    int rc = ec_setup(&c, id);
    if (rc < 0)
        return rc;
    if (id == MOTE_EC_P256) {
        if ((rc = p256__check_public(peer, peer_len)) < 0 ||
            (rc = scalar_check(&c, k, priv)) < 0)
            return rc;
        mote_memzero_explicit(k, sizeof k);
        return p256__ecdh(shared, priv, peer, peer_len);
    }
    if ((rc = pt_decode(&c, &q, peer, peer_len)) < 0)
        return rc;
    if ((rc = scalar_check(&c, k, priv)) < 0)
        return rc;
    pt_mul_ct(&c, &s, &q, priv);
    /* Prime order and 0 < k < n: never the identity; checked anyway. */
    if (pk__declassify(pt_affine(&c, x, NULL, &s)))
        rc = MOTE_EINVAL;
    bn_to_bytes(shared, c.nbytes, x, c.len);
    mote_memzero_explicit(k, sizeof k);
    mote_memzero_explicit(x, sizeof x);
    mote_memzero_explicit(&s, sizeof s);
    return rc;
}

/* ---- ECDSA ------------------------------------------------------------------
 */

/* bits2int (RFC 6979 2.3.2) of the digest, for a qlen = 8 * nbytes order:
 * the leftmost nbytes bytes. */
static void bits2int(const struct ec *c, pk_limb *r, const uint8_t *h,
                     size_t hlen)
{
    bn_from_bytes(r, c->len, h, hlen < c->nbytes ? hlen : c->nbytes);
}

/* r = r mod n for r < 2^qlen < 2n: one conditional subtraction. */
static void reduce_once(const struct ec *c, pk_limb *r)
{
    pk_limb t[EC_MAXL];
    pk_limb br = bn_sub(t, r, c->n.m, c->len);
    bn_cmov(r, t, c->len, (pk_limb)0 - (br ^ 1));
}

/* r = a * b mod n, plain form in and out. */
static void nmul(const struct ec *c, pk_limb *r, const pk_limb *a,
                 const pk_limb *b)
{
    bn_mont_mul(r, a, b, &c->n);
    bn_mont_mul(r, r, c->n.rr, &c->n);
}

/* r = a^-1 mod n (Fermat, exponent n - 2 public, time independent of a). */
static void ninv(const struct ec *c, pk_limb *r, const pk_limb *a)
{
    pk_limb e[EC_MAXL], two[EC_MAXL];
    memset(two, 0, sizeof two);
    two[0] = 2;
    bn_sub(e, c->n.m, two, c->len);
    bn_mod_exp_pub(r, a, e, c->len, &c->n);
}

int mote_ecdsa_sign(enum mote_ec_curve id, uint8_t *sig, const uint8_t *priv,
                    enum mote_hash_alg h, const uint8_t *hash, size_t hash_len,
                    const uint8_t *extra, size_t extra_len)
{
    struct ec c;
    struct pt rp;
    struct mote_hmac_ctx hm;
    pk_limb d[EC_MAXL], z[EC_MAXL], k[EC_MAXL], r[EC_MAXL], s[EC_MAXL],
        t[EC_MAXL];
    uint8_t kk[64], v[64], h1[EC_MAXL * 8], tb[EC_MAXL * 8 + 64];
    size_t hl = mote_hash_len(h);
    int rc = ec_setup(&c, id);
    if (rc < 0)
        return rc;
    if (hl == 0 || hash_len == 0)
        return MOTE_EINVAL;
    if ((rc = scalar_check(&c, d, priv)) < 0)
        return rc;
    size_t nb = c.nbytes;
    bits2int(&c, z, hash, hash_len);
    reduce_once(&c, z);
    bn_to_bytes(h1, nb, z, c.len); /* bits2octets(h1) */

    /* RFC 6979 3.2 steps b-f. */
    memset(v, 1, hl);
    memset(kk, 0, hl);
    for (uint8_t round = 0; round < 2; round++) {
        mote_hmac_init(&hm, h, kk, hl);
        mote_hmac_update(&hm, v, hl);
        mote_hmac_update(&hm, &round, 1);
        mote_hmac_update(&hm, priv, nb);
        mote_hmac_update(&hm, h1, nb);
        if (extra_len)
            mote_hmac_update(&hm, extra, extra_len);
        mote_hmac_final(&hm, kk);
        mote_hmac_init(&hm, h, kk, hl);
        mote_hmac_update(&hm, v, hl);
        mote_hmac_final(&hm, v);
    }
    for (;;) {
        size_t tl = 0;
        while (tl < nb) { /* step h.2 */
            mote_hmac_init(&hm, h, kk, hl);
            mote_hmac_update(&hm, v, hl);
            mote_hmac_final(&hm, v);
            memcpy(tb + tl, v, hl);
            tl += hl;
        }
        bn_from_bytes(k, c.len, tb, nb);
        /* k in [1, n-1]? (fails with probability ~2^-32 for P-256) */
        if (pk__declassify(bn_lt_mask(k, c.n.m, c.len) &
                           ~bn_zero_mask(k, c.len))) {
            if (id == MOTE_EC_P256) {
                p256__sign(r, s, k, d, z);
            } else {
                uint8_t kb[EC_MAXL * 8];
                bn_to_bytes(kb, nb, k, c.len);
                pt_mul_base_ct(&c, &rp, kb);
                mote_memzero_explicit(kb, sizeof kb);
                pt_affine(&c, r, NULL, &rp);
                reduce_once(&c, r); /* x < p < 2n */
                ninv(&c, t, k);
                nmul(&c, s, r, d);
                bn_mod_add(s, s, z, c.n.m, c.len);
                nmul(&c, s, s, t);
            }
            /* r and s are the (public) signature */
            if (!pk__declassify(bn_zero_mask(r, c.len) |
                                bn_zero_mask(s, c.len)))
                break;
        }
        uint8_t zero = 0; /* step h.3 */
        mote_hmac_init(&hm, h, kk, hl);
        mote_hmac_update(&hm, v, hl);
        mote_hmac_update(&hm, &zero, 1);
        mote_hmac_final(&hm, kk);
        mote_hmac_init(&hm, h, kk, hl);
        mote_hmac_update(&hm, v, hl);
        mote_hmac_final(&hm, v);
    }
    bn_to_bytes(sig, nb, r, c.len);
    bn_to_bytes(sig + nb, nb, s, c.len);
    mote_memzero_explicit(d, sizeof d);
    mote_memzero_explicit(k, sizeof k);
    mote_memzero_explicit(t, sizeof t);
    mote_memzero_explicit(kk, sizeof kk);
    mote_memzero_explicit(v, sizeof v);
    mote_memzero_explicit(tb, sizeof tb);
    mote_memzero_explicit(&hm, sizeof hm);
    return 0;
}

int mote_ecdsa_verify(enum mote_ec_curve id, const uint8_t *pub, size_t pub_len,
                      const uint8_t *hash, size_t hash_len, const uint8_t *sig,
                      size_t sig_len)
{
    struct ec c;
    struct pt q, rp;
    pk_limb r[EC_MAXL], s[EC_MAXL], z[EC_MAXL], w[EC_MAXL], u1[EC_MAXL],
        u2[EC_MAXL], x[EC_MAXL];
    int rc = ec_setup(&c, id);
    if (rc < 0)
        return rc;
    if (sig_len != 2 * c.nbytes)
        return MOTE_EINVAL;
    bn_from_bytes(r, c.len, sig, c.nbytes);
    bn_from_bytes(s, c.len, sig + c.nbytes, c.nbytes);
    int bad_sig = bn_zero_mask(r, c.len) || bn_zero_mask(s, c.len) ||
                  !bn_lt_mask(r, c.n.m, c.len) || !bn_lt_mask(s, c.n.m, c.len);
    bits2int(&c, z, hash, hash_len);
    reduce_once(&c, z);
    if (id == MOTE_EC_P256) {
        /* p256__verify decodes the key; a bad key is MOTE_EINVAL first */
        if (bad_sig)
            return (rc = p256__check_public(pub, pub_len)) < 0 ? rc
                                                               : MOTE_EPROTO;
        return p256__verify(pub, pub_len, z, r, s);
    }
    if ((rc = pt_decode(&c, &q, pub, pub_len)) < 0)
        return rc;
    if (bad_sig)
        return MOTE_EPROTO;
    ninv(&c, w, s);
    nmul(&c, u1, z, w);
    nmul(&c, u2, r, w);
    pt_mul2_pub(&c, &rp, u1, &q, u2);
    if (pt_affine(&c, x, NULL, &rp))
        return MOTE_EPROTO;
    reduce_once(&c, x);
    return memcmp(x, r, c.len * sizeof *x) ? MOTE_EPROTO : 0;
}

/* ---- DER (X.690) ------------------------------------------------------------
 */

static size_t der_int(uint8_t *out, const uint8_t *v, size_t n)
{
    size_t i = 0;
    while (i + 1 < n && v[i] == 0)
        i++;
    size_t pad = v[i] >> 7, l = n - i + pad;
    out[0] = 0x02;
    out[1] = (uint8_t)l;
    out[2] = 0;
    memcpy(out + 2 + pad, v + i, n - i);
    return 2 + l;
}

int mote_ecdsa_sig_to_der(enum mote_ec_curve id, uint8_t *der, size_t cap,
                          size_t *der_len, const uint8_t *sig)
{
    uint8_t tmp[MOTE_EC_MAX_DER_LEN];
    size_t nb = mote_ec_scalar_len(id), l, hdr;
    if (!nb)
        return MOTE_EINVAL;
    l = der_int(tmp + 3, sig, nb);
    l += der_int(tmp + 3 + l, sig + nb, nb);
    /* Content is at most 2 * (2 + 49) = 102 bytes: long form above 127
     * is never needed, but stay general. */
    if (l < 128) {
        tmp[1] = 0x30;
        tmp[2] = (uint8_t)l;
        hdr = 2;
    } else {
        tmp[0] = 0x30;
        tmp[1] = 0x81;
        tmp[2] = (uint8_t)l;
        hdr = 3;
    }
    if (hdr + l > cap)
        return MOTE_ENOSPC;
    memcpy(der, tmp + 3 - hdr, hdr + l);
    *der_len = hdr + l;
    return 0;
}

/* Parse one minimal, positive DER INTEGER of at most nb significant bytes
 * into out (nb bytes, left-padded). */
static int der_get_int(const uint8_t **p, size_t *left, uint8_t *out, size_t nb)
{
    const uint8_t *q = *p;
    if (*left < 2 || q[0] != 0x02 || q[1] >= 0x80)
        return MOTE_EINVAL;
    size_t l = q[1];
    if (l == 0 || l + 2 > *left)
        return MOTE_EINVAL;
    q += 2;
    if (q[0] & 0x80)
        return MOTE_EINVAL; /* negative */
    if (l > 1 && q[0] == 0 && !(q[1] & 0x80))
        return MOTE_EINVAL; /* not minimal */
    if (q[0] == 0) {
        q++, l--;
        if (l == 0) { /* the integer zero: encoded as 02 01 00 */
            memset(out, 0, nb);
            *p += 3;
            *left -= 3;
            return 0;
        }
    }
    if (l > nb)
        return MOTE_EINVAL;
    memset(out, 0, nb - l);
    memcpy(out + nb - l, q, l);
    *left -= (size_t)(q + l - *p);
    *p = q + l;
    return 0;
}

int mote_ecdsa_sig_from_der(enum mote_ec_curve id, uint8_t *sig,
                            const uint8_t *der, size_t der_len)
{
    size_t nb = mote_ec_scalar_len(id), l, left;
    const uint8_t *p;
    if (!nb || der_len < 2 || der[0] != 0x30)
        return MOTE_EINVAL;
    if (der[1] < 0x80) {
        l = der[1];
        p = der + 2;
    } else if (der[1] == 0x81 && der_len >= 3 && der[2] >= 0x80) {
        l = der[2];
        p = der + 3;
    } else {
        return MOTE_EINVAL;
    }
    if ((size_t)(p - der) + l != der_len)
        return MOTE_EINVAL;
    left = l;
    if (der_get_int(&p, &left, sig, nb) < 0 ||
        der_get_int(&p, &left, sig + nb, nb) < 0 || left != 0)
        return MOTE_EINVAL;
    return 0;
}

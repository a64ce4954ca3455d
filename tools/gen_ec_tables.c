/* Build-time generator of the fixed-base tables of P-256, P-384 and
 * Ed25519 (run by mk/crypto.mk; its output, $(B)/gen/ec_tables.c, is
 * compiled into libmote and never committed). Uses the library's own field
 * code for P-256 and Ed25519 (src/crypto/p256_fe.h, x25519_fe.c) and a
 * plain Montgomery multiplication for P-384 (R = 2^384, the form of
 * src/crypto/bn.c); every table is checked against OpenSSL or by every
 * signature in the unit tests.
 *
 * Usage: gen_ec_tables OUT.c
 *
 * p256__base_table[i][j - 1] = j 64^i G (i < 43, j = 1..32), affine x then
 * y, each four little-endian 64-bit limbs in Montgomery form (x R mod p).
 * Affine chord-and-tangent arithmetic with one inversion per point: slow,
 * simple, and run once per build (a few milliseconds). */
#include <err.h>
#include <stdio.h>
#include <string.h>

#include "p256_fe.h"
#include "pk_int.h"

struct apt {
    uint64_t x[4], y[4];
};

/* r = p + q for affine p != +-q (never the case here: j <= 32 < n). */
static void add(struct apt *r, const struct apt *p, const struct apt *q)
{
    uint64_t num[4], den[4], l[4], t[4], x3[4];
    p256_fe_sub(num, q->y, p->y);
    p256_fe_sub(den, q->x, p->x);
    p256_fe_inv(den, den);
    p256_fe_mul(l, num, den);
    p256_fe_sqr(t, l);
    p256_fe_sub(t, t, p->x);
    p256_fe_sub(x3, t, q->x);
    p256_fe_sub(t, p->x, x3);
    p256_fe_mul(t, l, t);
    p256_fe_sub(r->y, t, p->y);
    memcpy(r->x, x3, sizeof x3);
}

/* r = 2p: lambda = (3 x^2 - 3) / (2 y). */
static void dbl(struct apt *r, const struct apt *p)
{
    uint64_t num[4], den[4], l[4], t[4], x3[4];
    p256_fe_sqr(t, p->x);
    p256_fe_add(num, t, t);
    p256_fe_add(num, num, t);
    p256_fe_sub(num, num, P256_FE_ONE);
    p256_fe_sub(num, num, P256_FE_ONE);
    p256_fe_sub(num, num, P256_FE_ONE);
    p256_fe_add(den, p->y, p->y);
    p256_fe_inv(den, den);
    p256_fe_mul(l, num, den);
    p256_fe_sqr(t, l);
    p256_fe_sub(t, t, p->x);
    p256_fe_sub(x3, t, p->x);
    p256_fe_sub(t, p->x, x3);
    p256_fe_mul(t, l, t);
    p256_fe_sub(r->y, t, p->y);
    memcpy(r->x, x3, sizeof x3);
}

static void put(FILE *f, const uint64_t v[4])
{
    for (int i = 0; i < 4; i++)
        fprintf(f, "0x%016llxu,", (unsigned long long)v[i]);
}

/* ---- Ed25519 -------------------------------------------------------------
 * ed25519__base_table[i][j - 1] = j 16^i B (i < 64, j = 1..8) as (y + x,
 * y - x, 2 d x y), affine, each five 51-bit limbs as fe25519_frombytes
 * gives them (canonical). Affine twisted Edwards addition (a = -1):
 * x3 = (x1 y2 + y1 x2) / (1 + d x1 x2 y1 y2),
 * y3 = (y1 y2 + x1 x2) / (1 - d x1 x2 y1 y2); complete, so it doubles. */

struct ept {
    fe25519 x, y;
};

static const uint8_t ED_D[32] = {
    0xa3, 0x78, 0x59, 0x13, 0xca, 0x4d, 0xeb, 0x75, 0xab, 0xd8, 0x41,
    0x41, 0x4d, 0x0a, 0x70, 0x00, 0x98, 0xe8, 0x79, 0x77, 0x79, 0x40,
    0xc7, 0x8c, 0x73, 0xfe, 0x6f, 0x2b, 0xee, 0x6c, 0x03, 0x52};
static const uint8_t ED_BX[32] = {
    0x1a, 0xd5, 0x25, 0x8f, 0x60, 0x2d, 0x56, 0xc9, 0xb2, 0xa7, 0x25,
    0x95, 0x60, 0xc7, 0x2c, 0x69, 0x5c, 0xdc, 0xd6, 0xfd, 0x31, 0xe2,
    0xa4, 0xc0, 0xfe, 0x53, 0x6e, 0xcd, 0xd3, 0x36, 0x69, 0x21};
static const uint8_t ED_BY[32] = {
    0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66};

static void ed_add(struct ept *r, const struct ept *p, const struct ept *q)
{
    fe25519 d, t, u, one, den, x3, y3;
    fe25519_frombytes(&d, ED_D);
    fe25519_1(&one);
    fe25519_mul(&t, &p->x, &q->x);
    fe25519_mul(&u, &p->y, &q->y);
    fe25519_mul(&den, &t, &u);
    fe25519_mul(&den, &den, &d); /* d x1 x2 y1 y2 */
    fe25519_add(&y3, &u, &t);
    fe25519_sub(&t, &one, &den);
    fe25519_invert(&t, &t);
    fe25519_mul(&y3, &y3, &t);
    fe25519_mul(&t, &p->x, &q->y);
    fe25519_mul(&u, &p->y, &q->x);
    fe25519_add(&x3, &t, &u);
    fe25519_add(&t, &one, &den);
    fe25519_invert(&t, &t);
    fe25519_mul(&r->x, &x3, &t);
    r->y = y3;
}

/* canonical limbs: through the byte encoding */
static void ed_put(FILE *f, const fe25519 *a)
{
    uint8_t b[32];
    fe25519 c;
    fe25519_tobytes(b, a);
    fe25519_frombytes(&c, b);
    for (int i = 0; i < 5; i++)
        fprintf(f, "0x%013llxu,", (unsigned long long)c.v[i]);
}

/* ---- P-384 ----------------------------------------------------------------
 * p384__base_table[i][j - 1] = j 16^i G (i < 96, j = 1..15), affine x then
 * y, six little-endian limbs each, Montgomery form (x 2^384 mod p). */

typedef uint64_t f384[6];

static const f384 P384 = {0x00000000ffffffff, 0xffffffff00000000,
                          0xfffffffffffffffe, 0xffffffffffffffff,
                          0xffffffffffffffff, 0xffffffffffffffff};
static const f384 P384_RR = {0xfffffffe00000001, 0x0000000200000000,
                             0xfffffffe00000000, 0x0000000200000000,
                             0x0000000000000001, 0x0000000000000000};
static const f384 P384_GX = {0x3a545e3872760ab7, 0x5502f25dbf55296c,
                             0x59f741e082542a38, 0x6e1d3b628ba79b98,
                             0x8eb1c71ef320ad74, 0xaa87ca22be8b0537};
static const f384 P384_GY = {0x7a431d7c90ea0e5f, 0x0a60b1ce1d7e819d,
                             0xe9da3113b5f0b8c0, 0xf8f41dbd289a147c,
                             0x5d9e98bf9292dc29, 0x3617de4a96262c6f};
#define P384_N0I 0x100000001u /* -p^-1 mod 2^64 */

/* r = a b / 2^384 mod p (CIOS), a, b < p. */
static void m384(f384 r, const f384 a, const f384 b)
{
    uint64_t t[8] = {0}, d[6], br = 0;
    for (int i = 0; i < 6; i++) {
        uint64_t c = 0;
        for (int j = 0; j < 6; j++) {
            p256_u128 x = (p256_u128)a[j] * b[i] + t[j] + c;
            t[j] = (uint64_t)x;
            c = (uint64_t)(x >> 64);
        }
        p256_u128 x = (p256_u128)t[6] + c;
        t[6] = (uint64_t)x;
        t[7] = (uint64_t)(x >> 64);
        uint64_t q = t[0] * P384_N0I;
        x = (p256_u128)q * P384[0] + t[0];
        c = (uint64_t)(x >> 64);
        for (int j = 1; j < 6; j++) {
            x = (p256_u128)q * P384[j] + t[j] + c;
            t[j - 1] = (uint64_t)x;
            c = (uint64_t)(x >> 64);
        }
        x = (p256_u128)t[6] + c;
        t[5] = (uint64_t)x;
        t[6] = t[7] + (uint64_t)(x >> 64);
    }
    for (int j = 0; j < 6; j++) {
        p256_u128 x = (p256_u128)t[j] - P384[j] - br;
        d[j] = (uint64_t)x;
        br = (uint64_t)(x >> 64) & 1;
    }
    int keep = br && !t[6];
    for (int j = 0; j < 6; j++)
        r[j] = keep ? t[j] : d[j];
}

static void s384(f384 r, const f384 a, const f384 b) /* a - b mod p */
{
    uint64_t br = 0, c = 0;
    for (int j = 0; j < 6; j++) {
        p256_u128 x = (p256_u128)a[j] - b[j] - br;
        r[j] = (uint64_t)x;
        br = (uint64_t)(x >> 64) & 1;
    }
    for (int j = 0; j < 6 && br; j++) {
        p256_u128 x = (p256_u128)r[j] + P384[j] + c;
        r[j] = (uint64_t)x;
        c = (uint64_t)(x >> 64);
    }
}

static void inv384(f384 r, const f384 a) /* a^(p - 2), Montgomery form */
{
    f384 acc, one = {1}, e;
    m384(acc, P384_RR, one); /* R mod p: Montgomery 1 */
    memcpy(e, P384, sizeof e);
    e[0] -= 2;
    for (int i = 383; i >= 0; i--) {
        m384(acc, acc, acc);
        if (e[i / 64] >> (i % 64) & 1)
            m384(acc, acc, a);
    }
    memcpy(r, acc, sizeof acc);
}

struct p384pt {
    f384 x, y;
};

/* affine p + q (p != +-q), or 2p when dbl: lambda = (3x^2 - 3) / 2y */
static void add384(struct p384pt *r, const struct p384pt *p,
                   const struct p384pt *q, int dbl)
{
    f384 num, den, l, t, x3, one = {1}, m1;
    if (dbl) {
        m384(m1, P384_RR, one);
        m384(t, p->x, p->x);
        memcpy(num, t, sizeof t);
        s384(num, num, m1);
        f384 z = {0};
        s384(l, z, num); /* -(x^2 - 1) */
        s384(num, num, l);
        s384(num, num, l); /* 3 (x^2 - 1) */
        s384(den, z, p->y);
        s384(den, p->y, den); /* 2y */
    } else {
        s384(num, q->y, p->y);
        s384(den, q->x, p->x);
    }
    inv384(den, den);
    m384(l, num, den);
    m384(t, l, l);
    s384(t, t, p->x);
    s384(x3, t, q->x);
    s384(t, p->x, x3);
    m384(t, l, t);
    s384(r->y, t, p->y);
    memcpy(r->x, x3, sizeof x3);
}

static void p384_table(FILE *f)
{
    struct p384pt base, row[15];
    m384(base.x, P384_GX, P384_RR);
    m384(base.y, P384_GY, P384_RR);
    fprintf(f, "extern const uint64_t p384__base_table[96][15][12];\n"
               "const uint64_t p384__base_table[96][15][12] = {\n");
    for (int i = 0; i < 96; i++) {
        row[0] = base;
        add384(&row[1], &base, &base, 1);
        for (int j = 2; j < 15; j++)
            add384(&row[j], &row[j - 1], &base, 0);
        fprintf(f, "{");
        for (int j = 0; j < 15; j++) {
            fprintf(f, "{");
            for (int k = 0; k < 6; k++)
                fprintf(f, "0x%016llxu,", (unsigned long long)row[j].x[k]);
            for (int k = 0; k < 6; k++)
                fprintf(f, "0x%016llxu,", (unsigned long long)row[j].y[k]);
            fprintf(f, "},\n");
        }
        fprintf(f, "},\n");
        add384(&base, &row[14], &base, 0); /* 16^(i+1) G */
    }
    fprintf(f, "};\n");
}

static void ed_table(FILE *f)
{
    struct ept base, row[8];
    fe25519 d, t;
    fe25519_frombytes(&d, ED_D);
    fe25519_frombytes(&base.x, ED_BX);
    fe25519_frombytes(&base.y, ED_BY);
    fprintf(f, "extern const uint64_t ed25519__base_table[64][8][15];\n"
               "const uint64_t ed25519__base_table[64][8][15] = {\n");
    for (int i = 0; i < 64; i++) {
        row[0] = base;
        for (int j = 1; j < 8; j++)
            ed_add(&row[j], &row[j - 1], &base);
        fprintf(f, "{");
        for (int j = 0; j < 8; j++) {
            fprintf(f, "{");
            fe25519_add(&t, &row[j].y, &row[j].x);
            ed_put(f, &t);
            fe25519_sub(&t, &row[j].y, &row[j].x);
            ed_put(f, &t);
            fe25519_mul(&t, &row[j].x, &row[j].y);
            fe25519_mul(&t, &t, &d);
            fe25519_add(&t, &t, &t);
            ed_put(f, &t);
            fprintf(f, "},\n");
        }
        fprintf(f, "},\n");
        ed_add(&base, &row[7], &row[7]); /* 16^(i+1) B */
    }
    fprintf(f, "};\n");
}

int main(int argc, char **argv)
{
    static const uint64_t gx[4] = {0xf4a13945d898c296, 0x77037d812deb33a0,
                                   0xf8bce6e563a440f2, 0x6b17d1f2e12c4247};
    static const uint64_t gy[4] = {0xcbb6406837bf51f5, 0x2bce33576b315ece,
                                   0x8ee7eb4a7c0f9e16, 0x4fe342e2fe1a7f9b};
    struct apt base, row[32];
    if (argc != 2)
        errx(2, "usage: gen_ec_tables OUT.c");
    FILE *f = fopen(argv[1], "w");
    if (!f)
        err(1, "%s", argv[1]);
    p256_fe_to_mont(base.x, gx);
    p256_fe_to_mont(base.y, gy);
    fprintf(f, "/* Generated by tools/gen_ec_tables.c; do not edit. */\n"
               "#include <stdint.h>\n"
               "extern const uint64_t p256__base_table[43][32][8];\n"
               "const uint64_t p256__base_table[43][32][8] = {\n");
    for (int i = 0; i < 43; i++) {
        row[0] = base;
        dbl(&row[1], &base);
        for (int j = 2; j < 32; j++)
            add(&row[j], &row[j - 1], &base);
        fprintf(f, "{");
        for (int j = 0; j < 32; j++) {
            fprintf(f, "{");
            put(f, row[j].x);
            put(f, row[j].y);
            fprintf(f, "},\n");
        }
        fprintf(f, "},\n");
        dbl(&base, &row[31]); /* 64^(i+1) G */
    }
    fprintf(f, "};\n");
    ed_table(f);
    p384_table(f);
    if (fclose(f) != 0)
        err(1, "%s", argv[1]);
    return 0;
}

/* Ed25519 (RFC 8032 section 5.1): extended twisted Edwards coordinates
 * over GF(2^255 - 19), constant-time signing, strict cofactorless
 * verification. */
#include <string.h>

#include <mote/error.h>

#include "pk_int.h"

struct ge {
    fe25519 x, y, z, t;
};

/* d = -121665/121666 and sqrt(-1) (RFC 8032 section 5.1), as
 * little-endian field element encodings (the base point B lives in the
 * generated table). */
static const uint8_t D_BYTES[32] = {
    0xa3, 0x78, 0x59, 0x13, 0xca, 0x4d, 0xeb, 0x75, 0xab, 0xd8, 0x41,
    0x41, 0x4d, 0x0a, 0x70, 0x00, 0x98, 0xe8, 0x79, 0x77, 0x79, 0x40,
    0xc7, 0x8c, 0x73, 0xfe, 0x6f, 0x2b, 0xee, 0x6c, 0x03, 0x52};
static const uint8_t SQRTM1_BYTES[32] = {
    0xb0, 0xa0, 0x0e, 0x4a, 0x27, 0x1b, 0xee, 0xc4, 0x78, 0xe4, 0x2f,
    0xad, 0x06, 0x18, 0x43, 0x2f, 0xa7, 0xd7, 0xfb, 0x3d, 0x99, 0x00,
    0x4d, 0x2b, 0x0b, 0xdf, 0xc1, 0x4f, 0x80, 0x24, 0x83, 0x2b};
/* The group order L = 2^252 + 27742317777372353535851937790883648493,
 * little-endian limbs. */
static const pk_limb L_LIMBS[4] = {0x5812631a5cf5d3ed, 0x14def9dea2f79cd6,
                                   0x0000000000000000, 0x1000000000000000};

static void ge_identity(struct ge *p)
{
    fe25519_0(&p->x);
    fe25519_1(&p->y);
    fe25519_1(&p->z);
    fe25519_0(&p->t);
}

/* add-2008-hwcd-3 (a = -1): complete, so it also doubles. */
static void ge_add(struct ge *r, const struct ge *p, const struct ge *q)
{
    fe25519 a, b, c, d, e, f, g, h, d2;
    fe25519_frombytes(&d2, D_BYTES);
    fe25519_add(&d2, &d2, &d2);
    fe25519_sub(&a, &p->y, &p->x);
    fe25519_sub(&h, &q->y, &q->x);
    fe25519_mul(&a, &a, &h);
    fe25519_add(&b, &p->y, &p->x);
    fe25519_add(&h, &q->y, &q->x);
    fe25519_mul(&b, &b, &h);
    fe25519_mul(&c, &p->t, &q->t);
    fe25519_mul(&c, &c, &d2);
    fe25519_mul(&d, &p->z, &q->z);
    fe25519_add(&d, &d, &d);
    fe25519_sub(&e, &b, &a);
    fe25519_sub(&f, &d, &c);
    fe25519_add(&g, &d, &c);
    fe25519_add(&h, &b, &a);
    fe25519_mul(&r->x, &e, &f);
    fe25519_mul(&r->y, &g, &h);
    fe25519_mul(&r->t, &e, &h);
    fe25519_mul(&r->z, &f, &g);
}

/* dbl-2008-hwcd (a = -1). */
static void ge_dbl(struct ge *r, const struct ge *p)
{
    fe25519 a, b, c, e, f, g, h;
    fe25519_sq(&a, &p->x);
    fe25519_sq(&b, &p->y);
    fe25519_sq(&c, &p->z);
    fe25519_add(&c, &c, &c);
    fe25519_add(&h, &a, &b);
    fe25519_add(&e, &p->x, &p->y);
    fe25519_sq(&e, &e);
    fe25519_sub(&e, &h, &e);
    fe25519_sub(&g, &a, &b);
    fe25519_add(&f, &c, &g);
    fe25519_mul(&r->x, &e, &f);
    fe25519_mul(&r->y, &g, &h);
    fe25519_mul(&r->t, &e, &h);
    fe25519_mul(&r->z, &f, &g);
}

static void ge_neg(struct ge *r, const struct ge *p)
{
    fe25519_neg(&r->x, &p->x);
    r->y = p->y;
    r->z = p->z;
    fe25519_neg(&r->t, &p->t);
}

static void ge_encode(uint8_t out[32], const struct ge *p)
{
    fe25519 zi, x, y;
    fe25519_invert(&zi, &p->z);
    fe25519_mul(&x, &p->x, &zi);
    fe25519_mul(&y, &p->y, &zi);
    fe25519_tobytes(out, &y);
    out[31] |= (uint8_t)(fe25519_isnegative(&x) << 7);
}

/* RFC 8032 section 5.1.3, strict: y must be canonical (< p), and x = 0
 * with the sign bit set is refused. Public input, variable time. */
static int ge_decode(struct ge *p, const uint8_t in[32])
{
    fe25519 u, v, v3, vx2, t, d, sqrtm1;
    uint8_t chk[32];
    int sign = in[31] >> 7;
    fe25519_frombytes(&p->y, in);
    fe25519_tobytes(chk, &p->y);
    chk[31] |= (uint8_t)(sign << 7);
    if (memcmp(chk, in, 32))
        return MOTE_EINVAL;
    fe25519_frombytes(&d, D_BYTES);
    fe25519_1(&p->z);
    fe25519_sq(&u, &p->y);
    fe25519_mul(&v, &u, &d);
    fe25519_sub(&u, &u, &p->z); /* u = y^2 - 1 */
    fe25519_add(&v, &v, &p->z); /* v = d y^2 + 1 */
    fe25519_sq(&v3, &v);
    fe25519_mul(&v3, &v3, &v); /* v^3 */
    fe25519_sq(&t, &v3);
    fe25519_mul(&t, &t, &v);
    fe25519_mul(&t, &t, &u); /* u v^7 */
    fe25519_pow22523(&t, &t);
    fe25519_mul(&t, &t, &v3);
    fe25519_mul(&p->x, &t, &u); /* x = u v^3 (u v^7)^((p-5)/8) */
    fe25519_sq(&vx2, &p->x);
    fe25519_mul(&vx2, &vx2, &v);
    fe25519_sub(&t, &vx2, &u);
    if (!fe25519_iszero(&t)) {
        fe25519_add(&t, &vx2, &u);
        if (!fe25519_iszero(&t))
            return MOTE_EINVAL;
        fe25519_frombytes(&sqrtm1, SQRTM1_BYTES);
        fe25519_mul(&p->x, &p->x, &sqrtm1);
    }
    if (fe25519_iszero(&p->x) && sign)
        return MOTE_EINVAL;
    if (fe25519_isnegative(&p->x) != sign)
        fe25519_neg(&p->x, &p->x);
    fe25519_mul(&p->t, &p->x, &p->y);
    return 0;
}

/* Fixed-base table ed25519__base_table[i][j - 1] = j 16^i B, j = 1..8,
 * affine in the (y + x, y - x, 2 d x y) form: const data written at build
 * time by tools/gen_ec_tables.c ($(B)/gen/ec_tables.c, 60 KiB). A scalar
 * is recoded into 64 signed 4-bit digits in [-8, 8], so [k]B is 64 mixed
 * additions of +-entry (7 multiplications each) and no doublings. */
struct ge_pre {
    fe25519 ypx, ymx, xy2d;
};

static void pre_load(struct ge_pre *r, const uint64_t *e)
{
    memcpy(r->ypx.v, e, sizeof r->ypx.v);
    memcpy(r->ymx.v, e + 5, sizeof r->ymx.v);
    memcpy(r->xy2d.v, e + 10, sizeof r->xy2d.v);
}

/* r = p + q for q affine precomputed (madd, a = -1): complete. */
static void ge_madd(struct ge *r, const struct ge *p, const struct ge_pre *q)
{
    fe25519 a, b, c, d, e, f, g, h;
    fe25519_sub(&a, &p->y, &p->x);
    fe25519_mul(&a, &a, &q->ymx);
    fe25519_add(&b, &p->y, &p->x);
    fe25519_mul(&b, &b, &q->ypx);
    fe25519_mul(&c, &p->t, &q->xy2d);
    fe25519_add(&d, &p->z, &p->z);
    fe25519_sub(&e, &b, &a);
    fe25519_sub(&f, &d, &c);
    fe25519_add(&g, &d, &c);
    fe25519_add(&h, &b, &a);
    fe25519_mul(&r->x, &e, &f);
    fe25519_mul(&r->y, &g, &h);
    fe25519_mul(&r->t, &e, &h);
    fe25519_mul(&r->z, &f, &g);
}

/* -q: swap y + x and y - x, negate 2 d x y; when bit (0 or 1) is set. */
static void pre_cneg(struct ge_pre *q, uint64_t bit)
{
    fe25519 n;
    fe25519_cswap(&q->ypx, &q->ymx, bit);
    fe25519_neg(&n, &q->xy2d);
    fe25519_cmov(&q->xy2d, &n, bit);
}

/* 64 signed digits in [-8, 8] of a scalar below 2^255 (little-endian
 * bytes): k = sum e[i] 16^i. Arithmetic only, no branch (ref10's). */
static void signed_digits(int8_t e[64], const uint8_t k[32])
{
    int8_t carry = 0;
    for (int i = 0; i < 32; i++) {
        e[2 * i] = (int8_t)(k[i] & 15);
        e[2 * i + 1] = (int8_t)(k[i] >> 4);
    }
    for (int i = 0; i < 63; i++) {
        e[i] = (int8_t)(e[i] + carry);
        carry = (int8_t)((e[i] + 8) >> 4);
        e[i] = (int8_t)(e[i] - carry * 16);
    }
    e[63] = (int8_t)(e[63] + carry);
}

/* r = [k]B for a secret k < 2^255, constant time. */
static void ge_scalarmult_base_ct(struct ge *r, const uint8_t k[32])
{
    struct ge acc;
    struct ge_pre sel, t;
    int8_t e[64];
    signed_digits(e, k);
    ge_identity(&acc);
    for (int i = 0; i < 64; i++) {
        uint64_t neg = (uint64_t)((uint8_t)e[i] >> 7);
        unsigned mag = (unsigned)((e[i] ^ -(int)neg) + (int)neg); /* |e| */
        /* the identity (1, 1, 0), then entry mag by mask */
        fe25519_1(&sel.ypx);
        fe25519_1(&sel.ymx);
        fe25519_0(&sel.xy2d);
        for (unsigned j = 1; j <= 8; j++) {
            uint64_t bit = 1 & ~(pk__mask_nz64(j ^ mag) >> 63);
            pre_load(&t, ed25519__base_table[i][j - 1]);
            fe25519_cmov(&sel.ypx, &t.ypx, bit);
            fe25519_cmov(&sel.ymx, &t.ymx, bit);
            fe25519_cmov(&sel.xy2d, &t.xy2d, bit);
        }
        pre_cneg(&sel, neg);
        ge_madd(&acc, &acc, &sel);
    }
    *r = acc;
    mote_memzero_explicit(&sel, sizeof sel);
    mote_memzero_explicit(&t, sizeof t);
    mote_memzero_explicit(&acc, sizeof acc);
    mote_memzero_explicit(e, sizeof e);
}

/* ---- Scalars mod L ----------------------------------------------------------
 */

static void le_to_limbs(pk_limb *r, const uint8_t *in, size_t nlimbs)
{
    for (size_t i = 0; i < nlimbs; i++) {
        r[i] = 0;
        for (int j = 7; j >= 0; j--)
            r[i] = r[i] << 8 | in[8 * i + (size_t)j];
    }
}

static void limbs_to_le(uint8_t *out, const pk_limb *a, size_t nlimbs)
{
    for (size_t i = 0; i < 8 * nlimbs; i++)
        out[i] = (uint8_t)(a[i / 8] >> (8 * (i % 8)));
}

static void l_mont(struct bn_mont *mt)
{
    int rc = bn_mont_init(mt, L_LIMBS, 4);
    (void)rc; /* L is odd: cannot fail */
}

/* out = in (64 bytes, little-endian) mod L. */
static void sc_reduce64(uint8_t out[32], const uint8_t in[64],
                        const struct bn_mont *mt)
{
    pk_limb x[8], r[4];
    le_to_limbs(x, in, 8);
    bn_reduce_wide(r, x, mt);
    limbs_to_le(out, r, 4);
    mote_memzero_explicit(x, sizeof x);
    mote_memzero_explicit(r, sizeof r);
}

static void hash3(uint8_t out[64], const uint8_t *a, size_t al,
                  const uint8_t *b, size_t bl, const uint8_t *c, size_t cl)
{
    struct mote_sha512_ctx h;
    mote_sha512_init(&h);
    mote_sha512_update(&h, a, al);
    mote_sha512_update(&h, b, bl);
    if (cl)
        mote_sha512_update(&h, c, cl);
    mote_sha512_final(&h, out);
}

static void expand(uint8_t h[64], const uint8_t seed[32])
{
    struct mote_sha512_ctx c;
    mote_sha512_init(&c);
    mote_sha512_update(&c, seed, 32);
    mote_sha512_final(&c, h);
    h[0] &= 248;
    h[31] &= 127;
    h[31] |= 64;
}

void mote_ed25519_public(uint8_t pub[MOTE_ED25519_PUB_LEN],
                         const uint8_t seed[MOTE_ED25519_SEED_LEN])
{
    uint8_t h[64];
    struct ge a;
    expand(h, seed);
    ge_scalarmult_base_ct(&a, h);
    ge_encode(pub, &a);
    mote_memzero_explicit(h, sizeof h);
    mote_memzero_explicit(&a, sizeof a);
}

void mote_ed25519_sign(uint8_t sig[MOTE_ED25519_SIG_LEN], const uint8_t *msg,
                       size_t len, const uint8_t seed[MOTE_ED25519_SEED_LEN],
                       const uint8_t *pub)
{
    uint8_t h[64], a_pub[32], rh[64], r[32], kh[64], k[32];
    pk_limb al[4], rl[4], kl[4], s[4];
    struct bn_mont mt;
    struct ge rp;

    expand(h, seed);
    if (pub) {
        memcpy(a_pub, pub, 32);
    } else {
        ge_scalarmult_base_ct(&rp, h);
        ge_encode(a_pub, &rp);
    }
    l_mont(&mt);
    hash3(rh, h + 32, 32, msg, len, NULL, 0); /* r = H(prefix || M) */
    sc_reduce64(r, rh, &mt);
    ge_scalarmult_base_ct(&rp, r);
    ge_encode(sig, &rp);                     /* R */
    hash3(kh, sig, 32, a_pub, 32, msg, len); /* k = H(R || A || M) */
    sc_reduce64(k, kh, &mt);
    /* S = r + k a mod L; a < 2^255 < R, k < L. */
    le_to_limbs(al, h, 4);
    le_to_limbs(kl, k, 4);
    le_to_limbs(rl, r, 4);
    bn_mont_mul(s, al, kl, &mt);   /* a k / R */
    bn_mont_mul(s, s, mt.rr, &mt); /* a k */
    bn_mod_add(s, s, rl, mt.m, 4);
    limbs_to_le(sig + 32, s, 4);
    mote_memzero_explicit(h, sizeof h);
    mote_memzero_explicit(rh, sizeof rh);
    mote_memzero_explicit(r, sizeof r);
    mote_memzero_explicit(al, sizeof al);
    mote_memzero_explicit(rl, sizeof rl);
    mote_memzero_explicit(s, sizeof s);
    mote_memzero_explicit(&rp, sizeof rp);
}

int mote_ed25519_verify(const uint8_t sig[MOTE_ED25519_SIG_LEN],
                        const uint8_t *msg, size_t len,
                        const uint8_t pub[MOTE_ED25519_PUB_LEN])
{
    struct ge a, r, acc, ta[15];
    pk_limb s[4];
    uint8_t kh[64], k[32], chk[32];
    struct bn_mont mt;

    /* S < L (section 5.1.7 step 1; rejects malleable signatures). */
    le_to_limbs(s, sig + 32, 4);
    if (!bn_lt_mask(s, L_LIMBS, 4))
        return MOTE_EINVAL;
    if (ge_decode(&a, pub) < 0 || ge_decode(&r, sig) < 0)
        return MOTE_EINVAL;
    l_mont(&mt);
    hash3(kh, sig, 32, pub, 32, msg, len);
    sc_reduce64(k, kh, &mt);
    /* [S]B - [k]A, variable time (all public), then compare with R:
     * [k](-A) by 4-bit windows, [S]B from the fixed-base table. */
    ge_neg(&a, &a);
    ta[0] = a;
    for (int i = 1; i < 15; i++)
        ge_add(&ta[i], &ta[i - 1], &a);
    ge_identity(&acc);
    for (int i = 63; i >= 0; i--) {
        unsigned w = (k[i / 2] >> (4 * (i & 1))) & 15;
        for (int d = 0; d < 4; d++)
            ge_dbl(&acc, &acc);
        if (w)
            ge_add(&acc, &acc, &ta[w - 1]);
    }
    int8_t e[64];
    signed_digits(e, sig + 32); /* S < L < 2^253 */
    for (int i = 0; i < 64; i++) {
        struct ge_pre q;
        if (!e[i])
            continue;
        pre_load(&q, ed25519__base_table[i][(e[i] < 0 ? -e[i] : e[i]) - 1]);
        pre_cneg(&q, e[i] < 0);
        ge_madd(&acc, &acc, &q);
    }
    ge_encode(chk, &acc);
    return memcmp(chk, sig, 32) ? MOTE_EPROTO : 0;
}

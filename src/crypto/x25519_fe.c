/* Arithmetic modulo 2^255 - 19 in five 51-bit limbs (the "donna-64"
 * representation), shared by X25519 and Ed25519. Constant time throughout:
 * no branch or index depends on a value. */
#include <string.h>

#include "pk_int.h"
#include "x25519_fe.h"

static uint64_t load64_le(const uint8_t *p)
{
    uint64_t r = 0;
    for (int i = 7; i >= 0; i--)
        r = r << 8 | p[i];
    return r;
}

void fe25519_frombytes(fe25519 *r, const uint8_t in[32])
{
    r->v[0] = load64_le(in) & MASK51;
    r->v[1] = (load64_le(in + 6) >> 3) & MASK51;
    r->v[2] = (load64_le(in + 12) >> 6) & MASK51;
    r->v[3] = (load64_le(in + 19) >> 1) & MASK51;
    r->v[4] = (load64_le(in + 24) >> 12) & MASK51;
}

static void carry(fe25519 *r)
{
    uint64_t c;
    for (int i = 0; i < 4; i++) {
        c = r->v[i] >> 51;
        r->v[i] &= MASK51;
        r->v[i + 1] += c;
    }
    c = r->v[4] >> 51;
    r->v[4] &= MASK51;
    r->v[0] += c * 19;
    c = r->v[0] >> 51;
    r->v[0] &= MASK51;
    r->v[1] += c;
}

void fe25519_tobytes(uint8_t out[32], const fe25519 *a)
{
    fe25519 t = *a;
    uint64_t q;
    carry(&t);
    carry(&t);
    /* Now t < 2^255 + small; compute q = 1 iff t >= p, by adding 19 and
     * looking at bit 255. */
    q = (t.v[0] + 19) >> 51;
    q = (t.v[1] + q) >> 51;
    q = (t.v[2] + q) >> 51;
    q = (t.v[3] + q) >> 51;
    q = (t.v[4] + q) >> 51;
    t.v[0] += 19 * q;
    for (int i = 0; i < 4; i++) {
        t.v[i + 1] += t.v[i] >> 51;
        t.v[i] &= MASK51;
    }
    t.v[4] &= MASK51;
    uint64_t w[4];
    w[0] = t.v[0] | t.v[1] << 51;
    w[1] = t.v[1] >> 13 | t.v[2] << 38;
    w[2] = t.v[2] >> 26 | t.v[3] << 25;
    w[3] = t.v[3] >> 39 | t.v[4] << 12;
    for (int i = 0; i < 32; i++)
        out[i] = (uint8_t)(w[i / 8] >> (8 * (i % 8)));
}

void fe25519_0(fe25519 *r)
{
    memset(r, 0, sizeof *r);
}

void fe25519_1(fe25519 *r)
{
    memset(r, 0, sizeof *r);
    r->v[0] = 1;
}

void fe25519_add(fe25519 *r, const fe25519 *a, const fe25519 *b)
{
    for (int i = 0; i < 5; i++)
        r->v[i] = a->v[i] + b->v[i];
    carry(r);
}

/* 4p in limbs, so that a - b stays positive for loosely reduced inputs. */
void fe25519_sub(fe25519 *r, const fe25519 *a, const fe25519 *b)
{
    r->v[0] = a->v[0] + 0x1fffffffffffb4 - b->v[0];
    for (int i = 1; i < 5; i++)
        r->v[i] = a->v[i] + 0x1ffffffffffffc - b->v[i];
    carry(r);
}

void fe25519_neg(fe25519 *r, const fe25519 *a)
{
    fe25519 z;
    fe25519_0(&z);
    fe25519_sub(r, &z, a);
}

void fe25519_mul(fe25519 *r, const fe25519 *a, const fe25519 *b)
{
    fe25519_mul_inl(r, a, b);
}

void fe25519_sq(fe25519 *r, const fe25519 *a)
{
    fe25519_sq_inl(r, a);
}

void fe25519_mul_small(fe25519 *r, const fe25519 *a, uint32_t k)
{
    fe25519_mul_small_inl(r, a, k);
}

static void sqn(fe25519 *r, const fe25519 *a, int n)
{
    fe25519_sq(r, a);
    while (--n > 0)
        fe25519_sq(r, r);
}

/* Shared chain: returns z^(2^250 - 1) in t and z^11 in z11. */
static void pow_250(fe25519 *t, fe25519 *z11, const fe25519 *z)
{
    fe25519 z2, z9, a, b;
    fe25519_sq(&z2, z);         /* 2 */
    sqn(&a, &z2, 2);            /* 8 */
    fe25519_mul(&z9, &a, z);    /* 9 */
    fe25519_mul(z11, &z9, &z2); /* 11 */
    fe25519_sq(&a, z11);        /* 22 */
    fe25519_mul(&a, &a, &z9);   /* 2^5 - 1 */
    sqn(&b, &a, 5);
    fe25519_mul(&a, &b, &a); /* 2^10 - 1 */
    sqn(&b, &a, 10);
    fe25519_mul(&b, &b, &a); /* 2^20 - 1 */
    sqn(t, &b, 20);
    fe25519_mul(t, t, &b); /* 2^40 - 1 */
    sqn(t, t, 10);
    fe25519_mul(&a, t, &a); /* 2^50 - 1 */
    sqn(&b, &a, 50);
    fe25519_mul(&b, &b, &a); /* 2^100 - 1 */
    sqn(t, &b, 100);
    fe25519_mul(t, t, &b); /* 2^200 - 1 */
    sqn(t, t, 50);
    fe25519_mul(t, t, &a); /* 2^250 - 1 */
}

void fe25519_invert(fe25519 *r, const fe25519 *a)
{
    fe25519 t, z11;
    pow_250(&t, &z11, a);
    sqn(&t, &t, 5);           /* 2^255 - 2^5 */
    fe25519_mul(r, &t, &z11); /* 2^255 - 21 = p - 2 */
}

void fe25519_pow22523(fe25519 *r, const fe25519 *a)
{
    fe25519 t, z11;
    pow_250(&t, &z11, a);
    sqn(&t, &t, 2);        /* 2^252 - 4 */
    fe25519_mul(r, &t, a); /* 2^252 - 3 = (p - 5) / 8 */
}

void fe25519_cswap(fe25519 *a, fe25519 *b, uint64_t bit)
{
    fe25519_cswap_inl(a, b, bit);
}

void fe25519_cmov(fe25519 *r, const fe25519 *a, uint64_t bit)
{
    uint64_t m = (uint64_t)0 - bit;
    for (int i = 0; i < 5; i++)
        r->v[i] ^= (r->v[i] ^ a->v[i]) & m;
}

int fe25519_isnegative(const fe25519 *a)
{
    uint8_t s[32];
    fe25519_tobytes(s, a);
    return s[0] & 1;
}

int fe25519_iszero(const fe25519 *a)
{
    uint8_t s[32], d = 0;
    fe25519_tobytes(s, a);
    for (int i = 0; i < 32; i++)
        d |= s[i];
    return d == 0;
}

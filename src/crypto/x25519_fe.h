/* GF(2^255 - 19) multiplication, squaring, small multiplication and
 * conditional swap as inline functions: x25519_fe.c exports them
 * (fe25519_mul ...) and the X25519 ladder (x25519.c) inlines them, which
 * saves a call per operation (about 2,500 per shared secret). */
#ifndef MOTE_CRYPTO_X25519_FE_H
#define MOTE_CRYPTO_X25519_FE_H

#include "pk_int.h"

#define MASK51 ((uint64_t)0x7ffffffffffff)

static inline void fe25519_mul_inl(fe25519 *r, const fe25519 *a,
                                   const fe25519 *b)
{
    /* Column by column, each carried into the next as soon as it is
     * complete: one 128-bit accumulator live at a time instead of five
     * (which gcc spilled to the stack); the same values as summing all
     * columns first and carrying after. */
    const uint64_t *x = a->v, *y = b->v;
    uint64_t y1 = y[1] * 19, y2 = y[2] * 19, y3 = y[3] * 19, y4 = y[4] * 19;
    uint64_t r0, r1, r2, r3, r4, c;
    pk_dlimb t;
    t = (pk_dlimb)x[0] * y[0] + (pk_dlimb)x[1] * y4 + (pk_dlimb)x[2] * y3 +
        (pk_dlimb)x[3] * y2 + (pk_dlimb)x[4] * y1;
    r0 = (uint64_t)t & MASK51;
    t = (pk_dlimb)x[0] * y[1] + (pk_dlimb)x[1] * y[0] + (pk_dlimb)x[2] * y4 +
        (pk_dlimb)x[3] * y3 + (pk_dlimb)x[4] * y2 + (uint64_t)(t >> 51);
    r1 = (uint64_t)t & MASK51;
    t = (pk_dlimb)x[0] * y[2] + (pk_dlimb)x[1] * y[1] + (pk_dlimb)x[2] * y[0] +
        (pk_dlimb)x[3] * y4 + (pk_dlimb)x[4] * y3 + (uint64_t)(t >> 51);
    r2 = (uint64_t)t & MASK51;
    t = (pk_dlimb)x[0] * y[3] + (pk_dlimb)x[1] * y[2] + (pk_dlimb)x[2] * y[1] +
        (pk_dlimb)x[3] * y[0] + (pk_dlimb)x[4] * y4 + (uint64_t)(t >> 51);
    r3 = (uint64_t)t & MASK51;
    t = (pk_dlimb)x[0] * y[4] + (pk_dlimb)x[1] * y[3] + (pk_dlimb)x[2] * y[2] +
        (pk_dlimb)x[3] * y[1] + (pk_dlimb)x[4] * y[0] + (uint64_t)(t >> 51);
    r4 = (uint64_t)t & MASK51;
    c = (uint64_t)(t >> 51);
    r0 += c * 19;
    c = r0 >> 51;
    r->v[0] = r0 & MASK51;
    r->v[1] = r1 + c;
    r->v[2] = r2;
    r->v[3] = r3;
    r->v[4] = r4;
}

static inline void fe25519_sq_inl(fe25519 *r, const fe25519 *a)
{
    /* Column by column, as fe25519_mul. */
    const uint64_t *x = a->v;
    uint64_t d0 = x[0] * 2, d1 = x[1] * 2, d2 = x[2] * 2 * 19, d4 = x[4] * 19,
             d419 = d4 * 2, x3_19 = x[3] * 19;
    uint64_t r0, r1, r2, r3, r4, c;
    pk_dlimb t;
    t = (pk_dlimb)x[0] * x[0] + (pk_dlimb)d419 * x[1] + (pk_dlimb)d2 * x[3];
    r0 = (uint64_t)t & MASK51;
    t = (pk_dlimb)d0 * x[1] + (pk_dlimb)d419 * x[2] + (pk_dlimb)x3_19 * x[3] +
        (uint64_t)(t >> 51);
    r1 = (uint64_t)t & MASK51;
    t = (pk_dlimb)d0 * x[2] + (pk_dlimb)x[1] * x[1] + (pk_dlimb)d419 * x[3] +
        (uint64_t)(t >> 51);
    r2 = (uint64_t)t & MASK51;
    t = (pk_dlimb)d0 * x[3] + (pk_dlimb)d1 * x[2] + (pk_dlimb)d4 * x[4] +
        (uint64_t)(t >> 51);
    r3 = (uint64_t)t & MASK51;
    t = (pk_dlimb)d0 * x[4] + (pk_dlimb)d1 * x[3] + (pk_dlimb)x[2] * x[2] +
        (uint64_t)(t >> 51);
    r4 = (uint64_t)t & MASK51;
    c = (uint64_t)(t >> 51);
    r0 += c * 19;
    c = r0 >> 51;
    r->v[0] = r0 & MASK51;
    r->v[1] = r1 + c;
    r->v[2] = r2;
    r->v[3] = r3;
    r->v[4] = r4;
}

static inline void fe25519_mul_small_inl(fe25519 *r, const fe25519 *a,
                                         uint32_t k)
{
    pk_dlimb t;
    uint64_t c = 0;
    for (int i = 0; i < 5; i++) {
        t = (pk_dlimb)a->v[i] * k + c;
        r->v[i] = (uint64_t)t & MASK51;
        c = (uint64_t)(t >> 51);
    }
    r->v[0] += c * 19;
    c = r->v[0] >> 51;
    r->v[0] &= MASK51;
    r->v[1] += c;
}

static inline void fe25519_cswap_inl(fe25519 *a, fe25519 *b, uint64_t bit)
{
    uint64_t m = (uint64_t)0 - bit;
    for (int i = 0; i < 5; i++) {
        uint64_t x = (a->v[i] ^ b->v[i]) & m;
        a->v[i] ^= x;
        b->v[i] ^= x;
    }
}

#endif

/* X25519 (RFC 7748 section 5): the Montgomery ladder over GF(2^255 - 19),
 * constant time, with the all-zero output rejected at the API. */
#include <string.h>

#include <mote/error.h>

#include "pk_int.h"
#include "x25519_fe.h"

/* Additions without carry propagation, for the ladder only: every
 * operand there is the output of a multiplication, a squaring or a swap
 * (limbs below 2^52), so sums stay below 2^53 and differences (with 4p
 * added) below 2^54, and products of such limbs (times 19, five terms)
 * stay below 2^115: no overflow in fe25519_mul/sq. */
static void add_nc(fe25519 *r, const fe25519 *a, const fe25519 *b)
{
    for (int i = 0; i < 5; i++)
        r->v[i] = a->v[i] + b->v[i];
}

static void sub_nc(fe25519 *r, const fe25519 *a, const fe25519 *b)
{
    r->v[0] = a->v[0] + 0x1fffffffffffb4 - b->v[0];
    for (int i = 1; i < 5; i++)
        r->v[i] = a->v[i] + 0x1ffffffffffffc - b->v[i];
}

static void ladder(uint8_t out[32], const uint8_t scalar[32],
                   const uint8_t point[32])
{
    uint8_t k[32];
    fe25519 x1, x2, z2, x3, z3, a, aa, b, bb, e, c, d, da, cb;
    uint64_t swap = 0;

    memcpy(k, scalar, 32);
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
    fe25519_frombytes(&x1, point); /* masks bit 255, section 5 */
    fe25519_1(&x2);
    fe25519_0(&z2);
    x3 = x1;
    fe25519_1(&z3);
    for (int t = 254; t >= 0; t--) {
        uint64_t kt = (k[t >> 3] >> (t & 7)) & 1;
        swap ^= kt;
        fe25519_cswap_inl(&x2, &x3, swap);
        fe25519_cswap_inl(&z2, &z3, swap);
        swap = kt;
        add_nc(&a, &x2, &z2);
        fe25519_sq_inl(&aa, &a);
        sub_nc(&b, &x2, &z2);
        fe25519_sq_inl(&bb, &b);
        sub_nc(&e, &aa, &bb);
        add_nc(&c, &x3, &z3);
        sub_nc(&d, &x3, &z3);
        fe25519_mul_inl(&da, &d, &a);
        fe25519_mul_inl(&cb, &c, &b);
        add_nc(&x3, &da, &cb);
        fe25519_sq_inl(&x3, &x3);
        sub_nc(&z3, &da, &cb);
        fe25519_sq_inl(&z3, &z3);
        fe25519_mul_inl(&z3, &z3, &x1);
        fe25519_mul_inl(&x2, &aa, &bb);
        fe25519_mul_small_inl(&z2, &e, 121665);
        add_nc(&z2, &z2, &aa);
        fe25519_mul_inl(&z2, &z2, &e);
    }
    fe25519_cswap_inl(&x2, &x3, swap);
    fe25519_cswap_inl(&z2, &z3, swap);
    fe25519_invert(&z2, &z2);
    fe25519_mul_inl(&x2, &x2, &z2);
    fe25519_tobytes(out, &x2);
    mote_memzero_explicit(k, sizeof k);
    mote_memzero_explicit(&x2, sizeof x2);
    mote_memzero_explicit(&x3, sizeof x3);
    mote_memzero_explicit(&z2, sizeof z2);
    mote_memzero_explicit(&z3, sizeof z3);
}

int mote_x25519(uint8_t out[MOTE_X25519_LEN],
                const uint8_t scalar[MOTE_X25519_LEN],
                const uint8_t point[MOTE_X25519_LEN])
{
    static const uint8_t zero[32];
    ladder(out, scalar, point);
    /* The comparison result is public (the caller learns it anyway). */
    if (!pk__declassify(pk__ct_neq(out, zero, 32)))
        return MOTE_EINVAL;
    return 0;
}

void mote_x25519_public(uint8_t pub[MOTE_X25519_LEN],
                        const uint8_t scalar[MOTE_X25519_LEN])
{
    static const uint8_t nine[32] = {9};
    ladder(pub, scalar, nine);
}

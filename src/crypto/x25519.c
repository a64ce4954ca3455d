/* X25519 (RFC 7748 section 5): the Montgomery ladder over GF(2^255 - 19),
 * constant time, with the all-zero output rejected at the API. */
#include <string.h>

#include <mote/error.h>

#include "pk_int.h"

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
        fe25519_cswap(&x2, &x3, swap);
        fe25519_cswap(&z2, &z3, swap);
        swap = kt;
        fe25519_add(&a, &x2, &z2);
        fe25519_sq(&aa, &a);
        fe25519_sub(&b, &x2, &z2);
        fe25519_sq(&bb, &b);
        fe25519_sub(&e, &aa, &bb);
        fe25519_add(&c, &x3, &z3);
        fe25519_sub(&d, &x3, &z3);
        fe25519_mul(&da, &d, &a);
        fe25519_mul(&cb, &c, &b);
        fe25519_add(&x3, &da, &cb);
        fe25519_sq(&x3, &x3);
        fe25519_sub(&z3, &da, &cb);
        fe25519_sq(&z3, &z3);
        fe25519_mul(&z3, &z3, &x1);
        fe25519_mul(&x2, &aa, &bb);
        fe25519_mul_small(&z2, &e, 121665);
        fe25519_add(&z2, &z2, &aa);
        fe25519_mul(&z2, &z2, &e);
    }
    fe25519_cswap(&x2, &x3, swap);
    fe25519_cswap(&z2, &z3, swap);
    fe25519_invert(&z2, &z2);
    fe25519_mul(&x2, &x2, &z2);
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

/* Keccak-f[1600], SHA3-256/512 and SHAKE128/256 (FIPS 202), for ML-KEM. */
#include <string.h>

#include "pk_int.h"

static const uint64_t RC[24] = {
    0x0000000000000001, 0x0000000000008082, 0x800000000000808a,
    0x8000000080008000, 0x000000000000808b, 0x0000000080000001,
    0x8000000080008081, 0x8000000000008009, 0x000000000000008a,
    0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
    0x000000008000808b, 0x800000000000008b, 0x8000000000008089,
    0x8000000000008003, 0x8000000000008002, 0x8000000000000080,
    0x000000000000800a, 0x800000008000000a, 0x8000000080008081,
    0x8000000000008080, 0x0000000080000001, 0x8000000080008008};
static const unsigned RHO[25] = {0,  1, 62, 28, 27, 36, 44, 6,  55,
                                 20, 3, 10, 43, 25, 39, 41, 45, 15,
                                 21, 8, 18, 2,  61, 56, 14};

static uint64_t rol(uint64_t x, unsigned n)
{
    return n ? (x << n) | (x >> (64 - n)) : x;
}

void pk__keccak_f1600(uint64_t s[25])
{
    uint64_t c[5], d[5], b[25];
    for (int r = 0; r < 24; r++) {
        for (int x = 0; x < 5; x++)
            c[x] = s[x] ^ s[x + 5] ^ s[x + 10] ^ s[x + 15] ^ s[x + 20];
        for (int x = 0; x < 5; x++)
            d[x] = c[(x + 4) % 5] ^ rol(c[(x + 1) % 5], 1);
        for (int i = 0; i < 25; i++)
            s[i] ^= d[i % 5];
        /* rho and pi: B[y, 2x + 3y] = rot(A[x, y], r[x, y]) */
        for (int x = 0; x < 5; x++)
            for (int y = 0; y < 5; y++)
                b[y + 5 * ((2 * x + 3 * y) % 5)] =
                    rol(s[x + 5 * y], RHO[x + 5 * y]);
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 5; x++)
                s[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] &
                                               b[(x + 2) % 5 + 5 * y]);
        s[0] ^= RC[r];
    }
}

static void k_init(struct pk__keccak *k, size_t rate, uint8_t pad)
{
    memset(k->s, 0, sizeof k->s);
    k->pos = 0;
    k->rate = rate;
    k->pad = pad;
}

static void xor_byte(struct pk__keccak *k, size_t i, uint8_t v)
{
    k->s[i / 8] ^= (uint64_t)v << (8 * (i % 8));
}

static void k_absorb(struct pk__keccak *k, const uint8_t *in, size_t len)
{
    while (len--) {
        xor_byte(k, k->pos++, *in++);
        if (k->pos == k->rate) {
            pk__keccak_f1600(k->s);
            k->pos = 0;
        }
    }
}

static void k_finish(struct pk__keccak *k)
{
    xor_byte(k, k->pos, k->pad);
    xor_byte(k, k->rate - 1, 0x80);
    pk__keccak_f1600(k->s);
    k->pos = 0;
}

static void k_squeeze(struct pk__keccak *k, uint8_t *out, size_t len)
{
    while (len--) {
        if (k->pos == k->rate) {
            pk__keccak_f1600(k->s);
            k->pos = 0;
        }
        *out++ = (uint8_t)(k->s[k->pos / 8] >> (8 * (k->pos % 8)));
        k->pos++;
    }
}

void pk__sha3_256(uint8_t out[32], const uint8_t *in, size_t len)
{
    struct pk__keccak k;
    k_init(&k, 136, 0x06);
    k_absorb(&k, in, len);
    k_finish(&k);
    k_squeeze(&k, out, 32);
    mote_memzero_explicit(&k, sizeof k);
}

void pk__sha3_512(uint8_t out[64], const uint8_t *in, size_t len)
{
    struct pk__keccak k;
    k_init(&k, 72, 0x06);
    k_absorb(&k, in, len);
    k_finish(&k);
    k_squeeze(&k, out, 64);
    mote_memzero_explicit(&k, sizeof k);
}

void pk__shake_init(struct pk__keccak *k, unsigned bits)
{
    k_init(k, bits == 128 ? 168 : 136, 0x1f);
}

void pk__shake_absorb(struct pk__keccak *k, const uint8_t *in, size_t len)
{
    k_absorb(k, in, len);
}

void pk__shake_finish(struct pk__keccak *k)
{
    k_finish(k);
}

void pk__shake_squeeze(struct pk__keccak *k, uint8_t *out, size_t len)
{
    k_squeeze(k, out, len);
}

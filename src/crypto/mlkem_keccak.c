/* Keccak-f[1600], SHA3-256/512 and SHAKE128/256 (FIPS 202), for ML-KEM. */
#include <string.h>

#include "mlkem_int.h"
#include "pk_int.h"

const uint64_t crypto__keccak_rc[24] = {
    0x0000000000000001, 0x0000000000008082, 0x800000000000808a,
    0x8000000080008000, 0x000000000000808b, 0x0000000080000001,
    0x8000000080008081, 0x8000000000008009, 0x000000000000008a,
    0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
    0x000000008000808b, 0x800000000000008b, 0x8000000000008089,
    0x8000000000008003, 0x8000000000008002, 0x8000000000000080,
    0x000000000000800a, 0x800000008000000a, 0x8000000080008081,
    0x8000000000008080, 0x0000000080000001, 0x8000000080008008};
#define ROL(x, n) (((x) << (n)) | ((x) >> (64 - (n))))

/* One round of Keccak-f[1600] from a into e (theta, rho, pi, chi, iota),
 * every index and rotation a constant. Written out by a script from the
 * definitions: B[y, 2x + 3y] = rot(A[x, y] ^ D[x], r[x, y]). */
static inline __attribute__((always_inline)) void
keccak_round(uint64_t e[25], const uint64_t a[25], uint64_t rc)
{
    uint64_t c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
    uint64_t c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
    uint64_t c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
    uint64_t c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
    uint64_t c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
    uint64_t d0 = c4 ^ ROL(c1, 1);
    uint64_t d1 = c0 ^ ROL(c2, 1);
    uint64_t d2 = c1 ^ ROL(c3, 1);
    uint64_t d3 = c2 ^ ROL(c4, 1);
    uint64_t d4 = c3 ^ ROL(c0, 1);
    uint64_t b0, b1, b2, b3, b4;
    b0 = a[0] ^ d0;
    b1 = ROL(a[6] ^ d1, 44);
    b2 = ROL(a[12] ^ d2, 43);
    b3 = ROL(a[18] ^ d3, 21);
    b4 = ROL(a[24] ^ d4, 14);
    e[0] = b0 ^ (~b1 & b2);
    e[1] = b1 ^ (~b2 & b3);
    e[2] = b2 ^ (~b3 & b4);
    e[3] = b3 ^ (~b4 & b0);
    e[4] = b4 ^ (~b0 & b1);
    b0 = ROL(a[3] ^ d3, 28);
    b1 = ROL(a[9] ^ d4, 20);
    b2 = ROL(a[10] ^ d0, 3);
    b3 = ROL(a[16] ^ d1, 45);
    b4 = ROL(a[22] ^ d2, 61);
    e[5] = b0 ^ (~b1 & b2);
    e[6] = b1 ^ (~b2 & b3);
    e[7] = b2 ^ (~b3 & b4);
    e[8] = b3 ^ (~b4 & b0);
    e[9] = b4 ^ (~b0 & b1);
    b0 = ROL(a[1] ^ d1, 1);
    b1 = ROL(a[7] ^ d2, 6);
    b2 = ROL(a[13] ^ d3, 25);
    b3 = ROL(a[19] ^ d4, 8);
    b4 = ROL(a[20] ^ d0, 18);
    e[10] = b0 ^ (~b1 & b2);
    e[11] = b1 ^ (~b2 & b3);
    e[12] = b2 ^ (~b3 & b4);
    e[13] = b3 ^ (~b4 & b0);
    e[14] = b4 ^ (~b0 & b1);
    b0 = ROL(a[4] ^ d4, 27);
    b1 = ROL(a[5] ^ d0, 36);
    b2 = ROL(a[11] ^ d1, 10);
    b3 = ROL(a[17] ^ d2, 15);
    b4 = ROL(a[23] ^ d3, 56);
    e[15] = b0 ^ (~b1 & b2);
    e[16] = b1 ^ (~b2 & b3);
    e[17] = b2 ^ (~b3 & b4);
    e[18] = b3 ^ (~b4 & b0);
    e[19] = b4 ^ (~b0 & b1);
    b0 = ROL(a[2] ^ d2, 62);
    b1 = ROL(a[8] ^ d3, 55);
    b2 = ROL(a[14] ^ d4, 39);
    b3 = ROL(a[15] ^ d0, 41);
    b4 = ROL(a[21] ^ d1, 2);
    e[20] = b0 ^ (~b1 & b2);
    e[21] = b1 ^ (~b2 & b3);
    e[22] = b2 ^ (~b3 & b4);
    e[23] = b3 ^ (~b4 & b0);
    e[24] = b4 ^ (~b0 & b1);
    e[0] ^= rc;
}

void pk__keccak_f1600(uint64_t s[25])
{
    uint64_t e[25];
    for (int r = 0; r < 24; r += 2) {
        keccak_round(e, s, crypto__keccak_rc[r]);
        keccak_round(s, e, crypto__keccak_rc[r + 1]);
    }
}

static uint64_t load64_le(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void store64_le(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
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

/* Whole lanes where the position is lane-aligned, bytes otherwise (the
 * rates, 168, 136 and 72, are multiples of 8). */
static void k_absorb(struct pk__keccak *k, const uint8_t *in, size_t len)
{
    while (len) {
        if (k->pos % 8 == 0 && len >= 8) {
            k->s[k->pos / 8] ^= load64_le(in);
            k->pos += 8;
            in += 8;
            len -= 8;
        } else {
            xor_byte(k, k->pos++, *in++);
            len--;
        }
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
    while (len) {
        if (k->pos == k->rate) {
            pk__keccak_f1600(k->s);
            k->pos = 0;
        }
        if (k->pos % 8 == 0 && len >= 8) {
            store64_le(out, k->s[k->pos / 8]);
            k->pos += 8;
            out += 8;
            len -= 8;
        } else {
            *out++ = (uint8_t)(k->s[k->pos / 8] >> (8 * (k->pos % 8)));
            k->pos++;
            len--;
        }
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

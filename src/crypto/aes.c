/* AES encryption (FIPS 197), portable and constant-time: bitsliced S-box. */
#include <mote/crypto.h>
#include <string.h>

#include "crypto_int.h"

/*
 * No table lookups. SubBytes computes the S-box as arithmetic: the inverse
 * in GF(2^8) as x^254 (four multiplications and seven squarings), then the
 * affine map, on 64 bytes at once held "bitsliced": word j of x[8] holds bit
 * j of each of the 64 bytes. Up to four blocks are encrypted together so
 * that the CTR mode of GCM fills all 64 lanes. Packing into bitsliced form
 * uses an 8x8 bit-matrix transpose per 8 bytes (Hacker's Delight 7-3).
 *
 * ShiftRows, MixColumns and AddRoundKey work on bytes with fixed indices
 * and shifts, so nothing depends on a secret but the data that flows.
 */

/* Transpose the 8x8 bit matrix whose row r is byte r of x. */
static uint64_t transpose8(uint64_t x)
{
    uint64_t t;
    t = (x ^ (x >> 7)) & 0x00aa00aa00aa00aaull;
    x = x ^ t ^ (t << 7);
    t = (x ^ (x >> 14)) & 0x0000cccc0000ccccull;
    x = x ^ t ^ (t << 14);
    t = (x ^ (x >> 28)) & 0x00000000f0f0f0f0ull;
    x = x ^ t ^ (t << 28);
    return x;
}

static void pack(const uint8_t b[64], uint64_t x[8])
{
    uint64_t w[8];
    for (int k = 0; k < 8; k++)
        w[k] = transpose8(ld64le(b + 8 * k));
    for (int j = 0; j < 8; j++) {
        uint64_t v = 0;
        for (int k = 0; k < 8; k++)
            v |= ((w[k] >> (8 * j)) & 0xff) << (8 * k);
        x[j] = v;
    }
}

static void unpack(const uint64_t x[8], uint8_t b[64])
{
    for (int k = 0; k < 8; k++) {
        uint64_t v = 0;
        for (int j = 0; j < 8; j++)
            v |= ((x[j] >> (8 * k)) & 0xff) << (8 * j);
        st64le(b + 8 * k, transpose8(v));
    }
}

/* Reduce a 15-coefficient product modulo x^8 + x^4 + x^3 + x + 1. */
static void reduce(uint64_t c[15], uint64_t out[8])
{
    for (int k = 14; k >= 8; k--) {
        c[k - 4] ^= c[k];
        c[k - 5] ^= c[k];
        c[k - 7] ^= c[k];
        c[k - 8] ^= c[k];
    }
    memcpy(out, c, 8 * sizeof *out);
}

static void gf_mul(const uint64_t a[8], const uint64_t b[8], uint64_t out[8])
{
    uint64_t c[15] = {0};
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++)
            c[i + j] ^= a[i] & b[j];
    reduce(c, out);
}

static void gf_sq(const uint64_t a[8], uint64_t out[8])
{
    /* Squaring is linear in GF(2^m): the coefficients spread out. */
    uint64_t c[15] = {0};
    for (int i = 0; i < 8; i++)
        c[2 * i] = a[i];
    reduce(c, out);
}

static void sbox_bitsliced(uint64_t x[8])
{
    uint64_t x2[8], x3[8], x6[8], x12[8], x14[8], x15[8], t[8];
    gf_sq(x, x2);
    gf_mul(x2, x, x3);
    gf_sq(x3, x6);
    gf_sq(x6, x12);
    gf_mul(x12, x3, x15);
    gf_mul(x12, x2, x14);
    gf_sq(x15, t);     /* 30 */
    gf_sq(t, t);       /* 60 */
    gf_sq(t, t);       /* 120 */
    gf_sq(t, t);       /* 240 */
    gf_mul(t, x14, t); /* 254: the inverse, with 0 -> 0 */
    /* Affine map (FIPS 197 5.1.1): b_i ^ b_{i+4} ^ b_{i+5} ^ b_{i+6} ^
     * b_{i+7} ^ c_i with c = 0x63. */
    for (int i = 0; i < 8; i++) {
        uint64_t v = t[i] ^ t[(i + 4) & 7] ^ t[(i + 5) & 7] ^ t[(i + 6) & 7] ^
                     t[(i + 7) & 7];
        x[i] = (0x63 >> i) & 1 ? ~v : v;
    }
}

/* SubBytes on n <= 64 bytes. */
static void sub_bytes(uint8_t *b, size_t n)
{
    uint8_t lanes[64] = {0};
    uint64_t x[8];
    memcpy(lanes, b, n);
    pack(lanes, x);
    sbox_bitsliced(x);
    unpack(x, lanes);
    memcpy(b, lanes, n);
    mote_memzero_explicit(lanes, sizeof lanes);
    mote_memzero_explicit(x, sizeof x);
}

void crypto__aes_expand(uint8_t rk[15][16], unsigned *rounds,
                        const uint8_t *key, size_t keylen)
{
    /* FIPS 197 section 5.2, on 4-byte words w[i]. */
    unsigned nk = (unsigned)keylen / 4, nr = nk + 6;
    uint8_t w[60][4];
    uint8_t rcon = 1;
    memcpy(w, key, keylen);
    for (unsigned i = nk; i < 4 * (nr + 1); i++) {
        uint8_t t[4];
        memcpy(t, w[i - 1], 4);
        if (i % nk == 0) {
            uint8_t r = t[0];
            t[0] = t[1];
            t[1] = t[2];
            t[2] = t[3];
            t[3] = r;
            sub_bytes(t, 4);
            t[0] ^= rcon;
            rcon = (uint8_t)((rcon << 1) ^ (0x1b & -(rcon >> 7)));
        } else if (nk > 6 && i % nk == 4) {
            sub_bytes(t, 4);
        }
        for (int j = 0; j < 4; j++)
            w[i][j] = w[i - nk][j] ^ t[j];
    }
    memcpy(rk, w, 16 * (nr + 1));
    *rounds = nr;
    mote_memzero_explicit(w, sizeof w);
}

static uint8_t xtime(uint8_t b)
{
    return (uint8_t)((b << 1) ^ (0x1b & -(b >> 7)));
}

/* Encrypt n (1..4) blocks of 16 bytes in place. */
void crypto__aes_encrypt_portable(const uint8_t rk[15][16], unsigned rounds,
                                  uint8_t *blocks, size_t n)
{
    size_t len = 16 * n;
    for (size_t i = 0; i < len; i++)
        blocks[i] ^= rk[0][i & 15];
    for (unsigned r = 1; r <= rounds; r++) {
        sub_bytes(blocks, len);
        for (size_t b = 0; b < n; b++) {
            uint8_t *s = blocks + 16 * b, t[16];
            /* ShiftRows: row r (bytes r, r+4, r+8, r+12) turns left by r. */
            for (int c = 0; c < 4; c++)
                for (int row = 0; row < 4; row++)
                    t[row + 4 * c] = s[row + 4 * ((c + row) & 3)];
            if (r != rounds) {
                /* MixColumns (section 5.1.3). */
                for (int c = 0; c < 4; c++) {
                    uint8_t *col = t + 4 * c;
                    uint8_t a0 = col[0], a1 = col[1], a2 = col[2], a3 = col[3];
                    uint8_t all = a0 ^ a1 ^ a2 ^ a3;
                    col[0] = a0 ^ all ^ xtime(a0 ^ a1);
                    col[1] = a1 ^ all ^ xtime(a1 ^ a2);
                    col[2] = a2 ^ all ^ xtime(a2 ^ a3);
                    col[3] = a3 ^ all ^ xtime(a3 ^ a0);
                }
            }
            for (int i = 0; i < 16; i++)
                s[i] = t[i] ^ rk[r][i];
        }
    }
}

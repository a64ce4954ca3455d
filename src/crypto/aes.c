/* AES encryption (FIPS 197), portable and constant-time: bitsliced S-box. */
#include <mote/crypto.h>
#include <string.h>

#include "crypto_int.h"

/*
 * No table lookups. SubBytes computes the S-box as arithmetic: the inverse
 * in GF(2^8) through a tower of fields (below), then the affine map, on 64
 * bytes at once held "bitsliced": word j of x[8] holds bit
 * j of each of the 64 bytes. Up to four blocks are encrypted together so
 * that the CTR mode of GCM fills all 64 lanes. Packing into bitsliced form
 * uses an 8x8 bit-matrix transpose per 8 bytes (Hacker's Delight 7-3).
 *
 * ShiftRows, MixColumns and AddRoundKey work on bytes with fixed indices
 * and shifts, so nothing depends on a secret but the data that flows.
 */

/* Transpose the 8x8 bit matrix whose row r is byte r of x. */
static inline uint64_t transpose8(uint64_t x)
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

/*
 * The S-box in a tower field: GF(2^8) represented as GF(16)[y]/(y^2 + y + 8)
 * over GF(16) = GF(2)[x]/(x^4 + x + 1), where inversion costs five GF(16)
 * multiplications (Rijmen; Satoh et al.; Canright). TO maps AES's polynomial
 * basis to the tower (the images of the powers of a root of the AES
 * polynomial, beta = 0x20 in the tower), FROM maps back and applies the
 * linear part of the affine transform. The matrices were derived and the
 * whole circuit checked against the FIPS 197 S-box for all 256 inputs by a
 * short script; the unit tests check it again against OpenSSL.
 */

/* GF(16) product of bitsliced a and b. */
static void gf16_mul(const uint64_t a[4], const uint64_t b[4], uint64_t r[4])
{
    uint64_t c[7] = {0};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            c[i + j] ^= a[i] & b[j];
    /* x^4 = x + 1 */
    for (int k = 6; k >= 4; k--) {
        c[k - 4] ^= c[k];
        c[k - 3] ^= c[k];
    }
    r[0] = c[0], r[1] = c[1], r[2] = c[2], r[3] = c[3];
}

static void gf16_sq(const uint64_t a[4], uint64_t r[4])
{
    uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    r[0] = a0 ^ a2;
    r[1] = a2;
    r[2] = a1 ^ a3;
    r[3] = a3;
}

static void sbox_bitsliced(uint64_t x[8])
{
    uint64_t t[8];
    /* TO: polynomial basis -> tower; t[0..3] low half, t[4..7] high. */
    t[0] = x[0] ^ x[5] ^ x[7];
    t[1] = x[2];
    t[2] = x[2] ^ x[3] ^ x[4] ^ x[5] ^ x[6] ^ x[7];
    t[3] = x[3] ^ x[4];
    t[4] = x[4] ^ x[5] ^ x[6];
    t[5] = x[1] ^ x[4] ^ x[6] ^ x[7];
    t[6] = x[2] ^ x[3] ^ x[5] ^ x[7];
    t[7] = x[5] ^ x[7];
    const uint64_t *al = t, *ah = t + 4;
    /* d = 8 ah^2 + ah al + al^2; the inverse is (ah y + ah + al) / d. */
    uint64_t d[4], p[4], q[4];
    gf16_mul(ah, al, p);
    gf16_sq(al, q);
    d[0] = ah[2] ^ p[0] ^ q[0];
    d[1] = ah[1] ^ ah[2] ^ ah[3] ^ p[1] ^ q[1];
    d[2] = ah[1] ^ p[2] ^ q[2];
    d[3] = ah[0] ^ ah[2] ^ ah[3] ^ p[3] ^ q[3];
    /* d^-1 = d^14 = d^2 d^4 d^8 (0 maps to 0) */
    uint64_t d2[4], d4[4], d8[4], di[4];
    gf16_sq(d, d2);
    gf16_sq(d2, d4);
    gf16_sq(d4, d8);
    gf16_mul(d2, d4, p);
    gf16_mul(p, d8, di);
    uint64_t u[8], s[4];
    for (int i = 0; i < 4; i++)
        s[i] = ah[i] ^ al[i];
    gf16_mul(s, di, u);      /* low half */
    gf16_mul(ah, di, u + 4); /* high half */
    /* FROM: tower -> polynomial basis, with the affine map's linear part;
     * then its constant 0x63 (bits 0, 1, 5, 6). */
    x[0] = ~(u[0] ^ u[2] ^ u[6]);
    x[1] = ~(u[0] ^ u[1] ^ u[2] ^ u[3] ^ u[4] ^ u[5]);
    x[2] = u[0] ^ u[3] ^ u[5] ^ u[6];
    x[3] = u[0] ^ u[2] ^ u[5];
    x[4] = u[0] ^ u[1] ^ u[3] ^ u[4] ^ u[5];
    x[5] = ~(u[1] ^ u[2] ^ u[3] ^ u[5] ^ u[6] ^ u[7]);
    x[6] = ~(u[4] ^ u[6] ^ u[7]);
    x[7] = u[1] ^ u[2];
}

/*
 * SubWord for the key schedule: the four bytes of w (w's little-endian
 * bytes, i.e. in memory order) through the S-box. The bitsliced circuit
 * works on 64 lanes, but packing 64 bytes for 4 costs more than the S-box
 * itself, so the word is packed on its own: one 8x8 transpose puts bit j
 * of byte r at bit r of byte j, byte j becomes the low byte of word j, and
 * lanes 4..63 carry zeros (and, after the S-box's NOTs, garbage that the
 * truncation drops).
 */
static uint32_t sub_word_portable(uint32_t w)
{
    uint64_t m = transpose8(w), x[8];
    for (int j = 0; j < 8; j++)
        x[j] = (m >> (8 * j)) & 0xff;
    sbox_bitsliced(x);
    m = 0;
    for (int j = 0; j < 8; j++)
        m |= (x[j] & 0xff) << (8 * j);
    uint32_t r = (uint32_t)transpose8(m);
    mote_memzero_explicit(x, sizeof x);
    return r;
}

void crypto__aes_expand_words(uint8_t rk[15][16], unsigned *rounds,
                              const uint8_t *key, size_t keylen,
                              uint32_t (*sub_word)(uint32_t))
{
    /* FIPS 197 section 5.2, on words w[i] whose little-endian bytes are
     * the key schedule's bytes, so RotWord is a rotation right by 8. */
    unsigned nk = (unsigned)keylen / 4, nr = nk + 6;
    uint32_t w[60];
    uint32_t rcon = 1;
    for (unsigned i = 0; i < nk; i++)
        w[i] = ld32le(key + 4 * i);
    for (unsigned i = nk; i < 4 * (nr + 1); i++) {
        uint32_t t = w[i - 1];
        if (i % nk == 0) {
            t = sub_word((t >> 8) | (t << 24)) ^ rcon;
            rcon = ((rcon << 1) ^ (0x1b & -(rcon >> 7))) & 0xff;
        } else if (nk > 6 && i % nk == 4) {
            t = sub_word(t);
        }
        w[i] = w[i - nk] ^ t;
    }
    for (unsigned i = 0; i < 4 * (nr + 1); i++)
        st32le(rk[i / 4] + 4 * (i % 4), w[i]);
    *rounds = nr;
    mote_memzero_explicit(w, sizeof w);
}

void crypto__aes_expand_portable(uint8_t rk[15][16], unsigned *rounds,
                                 const uint8_t *key, size_t keylen)
{
    crypto__aes_expand_words(rk, rounds, key, keylen, sub_word_portable);
}

void crypto__aes_expand(uint8_t rk[15][16], unsigned *rounds,
                        const uint8_t *key, size_t keylen)
{
    if (crypto__cpu() & CRYPTO_CPU_AESNI)
        crypto__aes_x86_expand(rk, rounds, key, keylen);
    else
        crypto__aes_expand_portable(rk, rounds, key, keylen);
}

void crypto__aes_bitslice_keys(const uint8_t rk[15][16], unsigned rounds,
                               uint64_t rkb[15][8])
{
    /* Each round key repeated for the four blocks a call works on: lanes
     * 16b..16b+15 of every word hold block b, so pack the key's 16 bytes
     * into the low 16 lanes (as pack() does for the first 16 bytes) and
     * copy that 16-bit group to the other three. */
    for (unsigned r = 0; r <= rounds; r++) {
        uint64_t w0 = transpose8(ld64le(rk[r])),
                 w1 = transpose8(ld64le(rk[r] + 8));
        for (int j = 0; j < 8; j++) {
            uint64_t v = ((w0 >> (8 * j)) & 0xff) | ((w1 >> (8 * j)) & 0xff)
                                                        << 8;
            rkb[r][j] = v * 0x0001000100010001ull;
        }
    }
}

/*
 * Rounds on the bitsliced state. Lane i of every word is byte i of the 64
 * (block i / 16, AES state byte i % 16 = row + 4 * column), so:
 * ShiftRows moves row r's lanes down by 4r within each 16-lane block, and
 * MixColumns works within each 4-lane column, where rotating the column by
 * one row is a rotation within each nibble of the word.
 */

/* Rotate each 16-bit group of v right by s (0 < s < 16). */
static uint64_t rotr16(uint64_t v, unsigned s)
{
    uint64_t lo = 0xffffull >> s, hi = (0xffffull << (16 - s)) & 0xffff;
    lo *= 0x0001000100010001ull;
    hi *= 0x0001000100010001ull;
    return ((v >> s) & lo) | ((v << (16 - s)) & hi);
}

static void shift_rows(uint64_t x[8])
{
    const uint64_t row0 = 0x1111111111111111ull;
    for (int j = 0; j < 8; j++) {
        uint64_t v = x[j];
        x[j] = (v & row0) | rotr16(v & (row0 << 1), 4) |
               rotr16(v & (row0 << 2), 8) | rotr16(v & (row0 << 3), 12);
    }
}

/* Each lane takes the value of the next row of its column. */
static uint64_t rot_row1(uint64_t v)
{
    return ((v >> 1) & 0x7777777777777777ull) |
           ((v << 3) & 0x8888888888888888ull);
}

static uint64_t rot_row2(uint64_t v)
{
    return ((v >> 2) & 0x3333333333333333ull) |
           ((v << 2) & 0xccccccccccccccccull);
}

static void mix_columns(uint64_t x[8])
{
    /* out_r = a_r ^ all ^ xtime(a_r ^ a_{r+1}); s = a_r ^ a_{r+1} and
     * all = s ^ rot2(s). */
    uint64_t s[8], all[8];
    for (int j = 0; j < 8; j++) {
        s[j] = x[j] ^ rot_row1(x[j]);
        all[j] = s[j] ^ rot_row2(s[j]);
    }
    /* xtime, bitsliced: multiply by x modulo x^8 + x^4 + x^3 + x + 1. */
    uint64_t xt[8] = {s[7],        s[0] ^ s[7], s[1], s[2] ^ s[7],
                      s[3] ^ s[7], s[4],        s[5], s[6]};
    for (int j = 0; j < 8; j++)
        x[j] ^= all[j] ^ xt[j];
}

/* Encrypt n (1..4) blocks of 16 bytes in place. */
void crypto__aes_encrypt_portable(const uint64_t rkb[15][8], unsigned rounds,
                                  uint8_t *blocks, size_t n)
{
    uint8_t lanes[64] = {0};
    uint64_t x[8];
    memcpy(lanes, blocks, 16 * n);
    pack(lanes, x);
    for (int j = 0; j < 8; j++)
        x[j] ^= rkb[0][j];
    for (unsigned r = 1; r <= rounds; r++) {
        sbox_bitsliced(x);
        shift_rows(x);
        if (r != rounds)
            mix_columns(x);
        for (int j = 0; j < 8; j++)
            x[j] ^= rkb[r][j];
    }
    unpack(x, lanes);
    memcpy(blocks, lanes, 16 * n);
    mote_memzero_explicit(lanes, sizeof lanes);
    mote_memzero_explicit(x, sizeof x);
}

/* ChaCha20, Poly1305 and their AEAD (RFC 8439), portable code and dispatch. */
#include <mote/crypto.h>
#include <mote/error.h>
#include <string.h>

#include "crypto_int.h"

/* ---- ChaCha20 (section 2.3) ------------------------------------------- */

#define QR(a, b, c, d)                                                         \
    do {                                                                       \
        a += b;                                                                \
        d = rotl32(d ^ a, 16);                                                 \
        c += d;                                                                \
        b = rotl32(b ^ c, 12);                                                 \
        a += b;                                                                \
        d = rotl32(d ^ a, 8);                                                  \
        c += d;                                                                \
        b = rotl32(b ^ c, 7);                                                  \
    } while (0)

void crypto__chacha20_block(const uint32_t in[16], uint8_t out[64])
{
    uint32_t x[16];
    memcpy(x, in, sizeof x);
    for (int i = 0; i < 10; i++) {
        QR(x[0], x[4], x[8], x[12]);
        QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]);
        QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]);
        QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]);
        QR(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++)
        st32le(out + 4 * i, x[i] + in[i]);
    mote_memzero_explicit(x, sizeof x);
}

void crypto__chacha20_setup(uint32_t st[16], const uint8_t key[32],
                            const uint8_t nonce[12], uint32_t counter)
{
    /* "expand 32-byte k" */
    st[0] = 0x61707865;
    st[1] = 0x3320646e;
    st[2] = 0x79622d32;
    st[3] = 0x6b206574;
    for (int i = 0; i < 8; i++)
        st[4 + i] = ld32le(key + 4 * i);
    st[12] = counter;
    for (int i = 0; i < 3; i++)
        st[13 + i] = ld32le(nonce + 4 * i);
}

/* XOR with the key stream of state st (st[12] advances per block). */
static void chacha20_xor_state(uint32_t st[16], const uint8_t *in, uint8_t *out,
                               size_t len)
{
    if (len == 0)
        return; /* in and out may be NULL */
    unsigned cpu = crypto__cpu();
    size_t done = 0;
    if (cpu & CRYPTO_CPU_AVX512)
        done = crypto__chacha20_avx512(st, in, out, len);
    if (cpu & CRYPTO_CPU_AVX2)
        done += crypto__chacha20_avx2(st, in + done, out + done, len - done);
    else if (cpu & CRYPTO_CPU_SSE2)
        done = crypto__chacha20_sse2(st, in, out, len);
    if (done) { /* in may be NULL when len is 0: no arithmetic on it */
        in += done;
        out += done;
        len -= done;
    }
    uint8_t ks[64];
    while (len) {
        crypto__chacha20_block(st, ks);
        st[12]++;
        size_t n = len < 64 ? len : 64;
        for (size_t i = 0; i < n; i++)
            out[i] = in[i] ^ ks[i];
        in += n;
        out += n;
        len -= n;
    }
    mote_memzero_explicit(ks, sizeof ks);
}

void mote_chacha20_xor(const uint8_t key[32], const uint8_t nonce[12],
                       uint32_t counter, const uint8_t *in, uint8_t *out,
                       size_t len)
{
    uint32_t st[16];
    crypto__chacha20_setup(st, key, nonce, counter);
    chacha20_xor_state(st, in, out, len);
    mote_memzero_explicit(st, sizeof st);
}

/* ---- Poly1305 (section 2.5), 44-bit limbs -----------------------------
 *
 * h and r in three limbs of 44, 44 and 42 bits, products in 128 bits (as
 * poly1305-donna-64): about twice as fast as 26-bit limbs on a 64-bit CPU.
 * The final reduction modulo 2^130 - 5 selects with a mask, not a branch. */

typedef unsigned __int128 u128;

#define M44 0xfffffffffffull
#define M42 0x3ffffffffffull

struct poly1305 {
    uint64_t r[3], h[3], pad[2];
    uint8_t buf[16];
    size_t used;
};

static void poly_init(struct poly1305 *p, const uint8_t key[32])
{
    /* r is clamped (section 2.5.1) as it is split into limbs. */
    uint64_t t0 = ld64le(key), t1 = ld64le(key + 8);
    p->r[0] = t0 & 0xffc0fffffffull;
    p->r[1] = ((t0 >> 44) | (t1 << 20)) & 0xfffffc0ffffull;
    p->r[2] = (t1 >> 24) & 0x00ffffffc0full;
    p->h[0] = p->h[1] = p->h[2] = 0;
    p->pad[0] = ld64le(key + 16);
    p->pad[1] = ld64le(key + 24);
    p->used = 0;
}

static void poly_blocks(struct poly1305 *p, const uint8_t *m, size_t nblocks,
                        uint64_t hibit)
{
    const uint64_t r0 = p->r[0], r1 = p->r[1], r2 = p->r[2];
    /* 2^130 = 5 mod p, and limb 2 sits at 2^88: r1 and r2 wrap times 20. */
    const uint64_t s1 = r1 * (5 << 2), s2 = r2 * (5 << 2);
    uint64_t h0 = p->h[0], h1 = p->h[1], h2 = p->h[2];
    for (; nblocks--; m += 16) {
        uint64_t t0 = ld64le(m), t1 = ld64le(m + 8);
        h0 += t0 & M44;
        h1 += ((t0 >> 44) | (t1 << 20)) & M44;
        h2 += ((t1 >> 24) & M42) | hibit;
        u128 d0 = (u128)h0 * r0 + (u128)h1 * s2 + (u128)h2 * s1;
        u128 d1 = (u128)h0 * r1 + (u128)h1 * r0 + (u128)h2 * s2;
        u128 d2 = (u128)h0 * r2 + (u128)h1 * r1 + (u128)h2 * r0;
        uint64_t c = (uint64_t)(d0 >> 44);
        h0 = (uint64_t)d0 & M44;
        d1 += c;
        c = (uint64_t)(d1 >> 44);
        h1 = (uint64_t)d1 & M44;
        d2 += c;
        c = (uint64_t)(d2 >> 42);
        h2 = (uint64_t)d2 & M42;
        h0 += c * 5;
        c = h0 >> 44;
        h0 &= M44;
        h1 += c;
    }
    p->h[0] = h0;
    p->h[1] = h1;
    p->h[2] = h2;
}

#define POLY_HIBIT (1ull << 40) /* the 2^128 bit of a full block, in limb 2 */

static void poly_update(struct poly1305 *p, const uint8_t *m, size_t len)
{
    if (!len)
        return;
    if (p->used) {
        size_t take = 16 - p->used < len ? 16 - p->used : len;
        memcpy(p->buf + p->used, m, take);
        p->used += take;
        m += take;
        len -= take;
        if (p->used < 16)
            return;
        poly_blocks(p, p->buf, 1, POLY_HIBIT);
        p->used = 0;
    }
    size_t nb = len / 16, done = 0;
    /* The vector code pays for computing r^2..r^4 on every call, so it
     * only takes long runs. */
    unsigned cpu = crypto__cpu();
    if (nb >= 32 && (cpu & CRYPTO_CPU_AVX512))
        done = crypto__poly1305_avx512(p->h, p->r, m, nb);
    else if (nb >= 32 && (cpu & CRYPTO_CPU_AVX2))
        done = crypto__poly1305_avx2(p->h, p->r, m, nb);
    poly_blocks(p, m + 16 * done, nb - done, POLY_HIBIT);
    m += nb * 16;
    if (len % 16) {
        memcpy(p->buf, m, len % 16);
        p->used = len % 16;
    }
}

/* Pad to a 16-byte boundary with zeros (the AEAD's padding, section 2.8). */
static void poly_pad16(struct poly1305 *p)
{
    if (p->used) {
        memset(p->buf + p->used, 0, 16 - p->used);
        poly_blocks(p, p->buf, 1, POLY_HIBIT);
        p->used = 0;
    }
}

static void poly_final(struct poly1305 *p, uint8_t tag[16])
{
    if (p->used) {
        /* A short last block gets its 1 bit right after the data. */
        p->buf[p->used] = 1;
        memset(p->buf + p->used + 1, 0, 15 - p->used);
        poly_blocks(p, p->buf, 1, 0);
    }
    uint64_t h0 = p->h[0], h1 = p->h[1], h2 = p->h[2], c;
    /* Carry fully, twice round. */
    for (int i = 0; i < 2; i++) {
        c = h1 >> 44;
        h1 &= M44;
        h2 += c;
        c = h2 >> 42;
        h2 &= M42;
        h0 += c * 5;
        c = h0 >> 44;
        h0 &= M44;
        h1 += c;
    }
    /* g = h + 5 - 2^130; keep g if it did not go negative (h >= p). */
    uint64_t g0 = h0 + 5;
    c = g0 >> 44;
    g0 &= M44;
    uint64_t g1 = h1 + c;
    c = g1 >> 44;
    g1 &= M44;
    uint64_t g2 = h2 + c - (1ull << 42);
    uint64_t mask = (g2 >> 63) - 1; /* all ones when g2 >= 0 */
    h0 = (h0 & ~mask) | (g0 & mask);
    h1 = (h1 & ~mask) | (g1 & mask);
    h2 = (h2 & ~mask) | (g2 & mask);
    /* h + s mod 2^128 (section 2.5). */
    uint64_t t0 = p->pad[0], t1 = p->pad[1];
    h0 += t0 & M44;
    c = h0 >> 44;
    h0 &= M44;
    h1 += (((t0 >> 44) | (t1 << 20)) & M44) + c;
    c = h1 >> 44;
    h1 &= M44;
    h2 += ((t1 >> 24) & M42) + c;
    h2 &= M42;
    st64le(tag, h0 | (h1 << 44));
    st64le(tag + 8, (h1 >> 20) | (h2 << 24));
    mote_memzero_explicit(p, sizeof *p);
}

void mote_poly1305(const uint8_t key[32], const uint8_t *msg, size_t len,
                   uint8_t tag[16])
{
    struct poly1305 p;
    poly_init(&p, key);
    poly_update(&p, msg, len);
    poly_final(&p, tag);
}

/* ---- The AEAD (section 2.8) ------------------------------------------- */

/* 2^32 - 1 blocks of 64 bytes after the one that keys Poly1305. */
#define CHACHA_MAX_LEN (((uint64_t)1 << 38) - 64)

void mote_chacha20_poly1305_init(struct mote_chacha20_poly1305_ctx *ctx,
                                 const uint8_t key[32])
{
    memcpy(ctx->key, key, 32);
}

void mote_chacha20_poly1305_release(struct mote_chacha20_poly1305_ctx *ctx)
{
    mote_memzero_explicit(ctx, sizeof *ctx);
}

/* Poly1305 over aad | pad | ct | pad | len(aad) | len(ct), keyed from block
 * 0 of the key stream (section 2.6). Leaves st[12] at 1. */
static void aead_tag(uint32_t st[16], const uint8_t *aad, size_t aadlen,
                     const uint8_t *ct, size_t len, uint8_t tag[16])
{
    uint8_t block[64], lens[16];
    struct poly1305 p;
    st[12] = 0;
    crypto__chacha20_block(st, block);
    st[12] = 1;
    poly_init(&p, block);
    poly_update(&p, aad, aadlen);
    poly_pad16(&p);
    poly_update(&p, ct, len);
    poly_pad16(&p);
    st64le(lens, aadlen);
    st64le(lens + 8, len);
    poly_update(&p, lens, 16);
    poly_final(&p, tag);
    mote_memzero_explicit(block, sizeof block);
}

int mote_chacha20_poly1305_seal(const struct mote_chacha20_poly1305_ctx *ctx,
                                const uint8_t nonce[12], const uint8_t *aad,
                                size_t aadlen, const uint8_t *in, size_t len,
                                uint8_t *out, uint8_t tag[16])
{
    if ((uint64_t)len > CHACHA_MAX_LEN)
        return MOTE_EMSGSIZE;
    uint32_t st[16];
    crypto__chacha20_setup(st, ctx->key, nonce, 1);
    chacha20_xor_state(st, in, out, len);
    aead_tag(st, aad, aadlen, out, len, tag);
    mote_memzero_explicit(st, sizeof st);
    return 0;
}

int mote_chacha20_poly1305_open(const struct mote_chacha20_poly1305_ctx *ctx,
                                const uint8_t nonce[12], const uint8_t *aad,
                                size_t aadlen, const uint8_t *in, size_t len,
                                const uint8_t tag[16], uint8_t *out)
{
    if ((uint64_t)len > CHACHA_MAX_LEN)
        return MOTE_EMSGSIZE;
    uint32_t st[16];
    uint8_t want[16];
    crypto__chacha20_setup(st, ctx->key, nonce, 0);
    aead_tag(st, aad, aadlen, in, len, want);
    int eq = mote_crypto_ct_equal(want, tag, 16);
    int err = 0;
    if (eq) {
        chacha20_xor_state(st, in, out, len);
    } else {
        /* The tag decides only whether we decrypt: it is public once
         * compared, and out never sees unauthenticated plaintext. */
        if (len)
            memset(out, 0, len);
        err = MOTE_EAUTH;
    }
    mote_memzero_explicit(st, sizeof st);
    mote_memzero_explicit(want, sizeof want);
    return err;
}

/* SHA-1 (FIPS 180-4 section 6.1), for git object ids and legacy PKI. */
#include <mote/crypto.h>
#include <string.h>

#include "crypto_int.h"

void mote_sha1_init(struct mote_sha1_ctx *ctx)
{
    static const uint32_t iv[5] = {0x67452301, 0xefcdab89, 0x98badcfe,
                                   0x10325476, 0xc3d2e1f0};
    memcpy(ctx->h, iv, sizeof iv);
    ctx->len = 0;
}

static void compress(uint32_t h[5], const uint8_t *p, size_t nblocks)
{
    if (nblocks && (crypto__cpu() & CRYPTO_CPU_SHA)) {
        crypto__sha1_shani(h, p, nblocks);
        return;
    }
    for (; nblocks--; p += 64) {
        uint32_t w[16];
        for (int i = 0; i < 16; i++)
            w[i] = ld32be(p + 4 * i);
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        /* Unrolled: the round function choice and the variable rotation
         * are resolved at compile time. */
#pragma GCC unroll 80
        for (int t = 0; t < 80; t++) {
            uint32_t wt;
            if (t < 16) {
                wt = w[t];
            } else {
                /* The message schedule kept in a 16-word ring. */
                wt = rotl32(w[(t - 3) & 15] ^ w[(t - 8) & 15] ^
                                w[(t - 14) & 15] ^ w[t & 15],
                            1);
                w[t & 15] = wt;
            }
            uint32_t f, k;
            if (t < 20) {
                f = (b & c) | (~b & d);
                k = 0x5a827999;
            } else if (t < 40) {
                f = b ^ c ^ d;
                k = 0x6ed9eba1;
            } else if (t < 60) {
                f = (b & c) | (b & d) | (c & d);
                k = 0x8f1bbcdc;
            } else {
                f = b ^ c ^ d;
                k = 0xca62c1d6;
            }
            uint32_t tmp = rotl32(a, 5) + f + e + k + wt;
            e = d;
            d = c;
            c = rotl32(b, 30);
            b = a;
            a = tmp;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
    }
}

static void compress_blocks(void *h, const uint8_t *p, size_t nblocks)
{
    compress(h, p, nblocks);
}

void mote_sha1_update(struct mote_sha1_ctx *ctx, const void *data, size_t len)
{
    crypto__md_update(ctx->h, compress_blocks, ctx->buf, 64, &ctx->len, data,
                      len);
}

void mote_sha1_final(struct mote_sha1_ctx *ctx, uint8_t out[MOTE_SHA1_LEN])
{
    /* Padding (section 5.1.1): 0x80, zeros, then the length in bits. */
    crypto__md_pad(ctx->h, compress_blocks, ctx->buf, 64, ctx->len, 8);
    for (int i = 0; i < 5; i++)
        st32be(out + 4 * i, ctx->h[i]);
    mote_memzero_explicit(ctx, sizeof *ctx);
}

void mote_sha1(const void *data, size_t len, uint8_t out[MOTE_SHA1_LEN])
{
    struct mote_sha1_ctx ctx;
    mote_sha1_init(&ctx);
    mote_sha1_update(&ctx, data, len);
    mote_sha1_final(&ctx, out);
}

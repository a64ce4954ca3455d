/* SHA-224 and SHA-256 (FIPS 180-4 sections 6.2 and 6.3). */
#include <mote/crypto.h>
#include <string.h>

#include "crypto_int.h"

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

void mote_sha224_init(struct mote_sha256_ctx *ctx)
{
    static const uint32_t iv[8] = {0xc1059ed8, 0x367cd507, 0x3070dd17,
                                   0xf70e5939, 0xffc00b31, 0x68581511,
                                   0x64f98fa7, 0xbefa4fa4};
    memcpy(ctx->h, iv, sizeof iv);
    ctx->len = 0;
    ctx->outlen = MOTE_SHA224_LEN;
}

void mote_sha256_init(struct mote_sha256_ctx *ctx)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
                                   0xa54ff53a, 0x510e527f, 0x9b05688c,
                                   0x1f83d9ab, 0x5be0cd19};
    memcpy(ctx->h, iv, sizeof iv);
    ctx->len = 0;
    ctx->outlen = MOTE_SHA256_LEN;
}

#define CH(x, y, z)  (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define S0(x)        (rotr32(x, 2) ^ rotr32(x, 13) ^ rotr32(x, 22))
#define S1(x)        (rotr32(x, 6) ^ rotr32(x, 11) ^ rotr32(x, 25))
#define s0(x)        (rotr32(x, 7) ^ rotr32(x, 18) ^ ((x) >> 3))
#define s1(x)        (rotr32(x, 17) ^ rotr32(x, 19) ^ ((x) >> 10))

static void compress(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
    if (nblocks && (crypto__cpu() & CRYPTO_CPU_SHA)) {
        crypto__sha256_shani(h, p, nblocks);
        return;
    }
    for (; nblocks--; p += 64) {
        uint32_t w[64];
        for (int i = 0; i < 16; i++)
            w[i] = ld32be(p + 4 * i);
#pragma GCC unroll 48
        for (int i = 16; i < 64; i++)
            w[i] = s1(w[i - 2]) + w[i - 7] + s0(w[i - 15]) + w[i - 16];
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5],
                 g = h[6], hh = h[7];
        /* Unrolled: the working variables are renamed, not moved. */
#pragma GCC unroll 64
        for (int i = 0; i < 64; i++) {
            uint32_t t1 = hh + S1(e) + CH(e, f, g) + K[i] + w[i];
            uint32_t t2 = S0(a) + MAJ(a, b, c);
            hh = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
        h[5] += f;
        h[6] += g;
        h[7] += hh;
    }
}

static void compress_blocks(void *h, const uint8_t *p, size_t nblocks)
{
    compress(h, p, nblocks);
}

void mote_sha256_update(struct mote_sha256_ctx *ctx, const void *data,
                        size_t len)
{
    crypto__md_update(ctx->h, compress_blocks, ctx->buf, 64, &ctx->len, data,
                      len);
}

void mote_sha256_final(struct mote_sha256_ctx *ctx, uint8_t *out)
{
    crypto__md_pad(ctx->h, compress_blocks, ctx->buf, 64, ctx->len, 8);
    uint8_t full[32];
    for (int i = 0; i < 8; i++)
        st32be(full + 4 * i, ctx->h[i]);
    memcpy(out, full, ctx->outlen);
    mote_memzero_explicit(full, sizeof full);
    mote_memzero_explicit(ctx, sizeof *ctx);
}

void mote_sha224(const void *data, size_t len, uint8_t out[MOTE_SHA224_LEN])
{
    struct mote_sha256_ctx ctx;
    mote_sha224_init(&ctx);
    mote_sha256_update(&ctx, data, len);
    mote_sha256_final(&ctx, out);
}

void mote_sha256(const void *data, size_t len, uint8_t out[MOTE_SHA256_LEN])
{
    struct mote_sha256_ctx ctx;
    mote_sha256_init(&ctx);
    mote_sha256_update(&ctx, data, len);
    mote_sha256_final(&ctx, out);
}

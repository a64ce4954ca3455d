/* SHA-384 and SHA-512 (FIPS 180-4 sections 6.4 and 6.5). */
#include <mote/crypto.h>
#include <string.h>

#include "crypto_int.h"

const uint64_t crypto__sha512_k[80] = {
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f,
    0xe9b5dba58189dbbc, 0x3956c25bf348b538, 0x59f111f1b605d019,
    0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242,
    0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
    0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3,
    0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65, 0x2de92c6f592b0275,
    0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
    0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f,
    0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
    0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc,
    0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
    0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6,
    0x92722c851482353b, 0xa2bfe8a14cf10364, 0xa81a664bbc423001,
    0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
    0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99,
    0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb,
    0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc,
    0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915,
    0xc67178f2e372532b, 0xca273eceea26619c, 0xd186b8c721c0c207,
    0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba,
    0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
    0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a,
    0x5fcb6fab3ad6faec, 0x6c44198c4a475817};

void mote_sha384_init(struct mote_sha512_ctx *ctx)
{
    static const uint64_t iv[8] = {0xcbbb9d5dc1059ed8, 0x629a292a367cd507,
                                   0x9159015a3070dd17, 0x152fecd8f70e5939,
                                   0x67332667ffc00b31, 0x8eb44a8768581511,
                                   0xdb0c2e0d64f98fa7, 0x47b5481dbefa4fa4};
    memcpy(ctx->h, iv, sizeof iv);
    ctx->len = 0;
    ctx->outlen = MOTE_SHA384_LEN;
}

void mote_sha512_init(struct mote_sha512_ctx *ctx)
{
    static const uint64_t iv[8] = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b,
                                   0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
                                   0x510e527fade682d1, 0x9b05688c2b3e6c1f,
                                   0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};
    memcpy(ctx->h, iv, sizeof iv);
    ctx->len = 0;
    ctx->outlen = MOTE_SHA512_LEN;
}

#define s0(x) (rotr64(x, 1) ^ rotr64(x, 8) ^ ((x) >> 7))
#define s1(x) (rotr64(x, 19) ^ rotr64(x, 61) ^ ((x) >> 6))

static void compress(uint64_t h[8], const uint8_t *p, size_t nblocks)
{
    const uint64_t *K = crypto__sha512_k;
    for (; nblocks--; p += 128) {
        uint64_t w[16];
        for (int i = 0; i < 16; i++)
            w[i] = ld64be(p + 8 * i);
        uint64_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5],
                 g = h[6], hh = h[7], bc = b ^ c;
        /* Unrolled, with the schedule in a 16-word ring computed as it is
         * used: the working variables are renamed, not moved, and K[i] is
         * an immediate. */
#pragma GCC unroll 80
        for (int i = 0; i < 80; i++) {
            if (i >= 16)
                w[i & 15] += s1(w[(i - 2) & 15]) + w[(i - 7) & 15] +
                             s0(w[(i - 15) & 15]);
            SHA512_ROUND(K[i] + w[i & 15]);
        }
        SHA512_FEED_FORWARD(h);
    }
}

static void compress_blocks(void *h, const uint8_t *p, size_t nblocks)
{
    /* The AVX2 path computes a pair's schedule before its first round,
     * which a short run does not win back (1 block: 340 ns against 170;
     * even at 2 it only breaks even): from 4 blocks, in pairs, the odd
     * one left to the portable code. */
    const unsigned avx2 = CRYPTO_CPU_AVX2 | CRYPTO_CPU_BMI2;
    if (nblocks >= 4 && (crypto__cpu() & avx2) == avx2) {
        size_t pairs = nblocks & ~(size_t)1;
        crypto__sha512_avx2(h, p, pairs);
        p += 128 * pairs;
        nblocks -= pairs;
    }
    compress(h, p, nblocks);
}

void mote_sha512_update(struct mote_sha512_ctx *ctx, const void *data,
                        size_t len)
{
    crypto__md_update(ctx->h, compress_blocks, ctx->buf, 128, &ctx->len, data,
                      len);
}

void mote_sha512_final(struct mote_sha512_ctx *ctx, uint8_t *out)
{
    /* Section 5.1.2: the length field is 128 bits. */
    crypto__md_pad(ctx->h, compress_blocks, ctx->buf, 128, ctx->len, 16);
    uint8_t full[64];
    for (int i = 0; i < 8; i++)
        st64be(full + 8 * i, ctx->h[i]);
    memcpy(out, full, ctx->outlen);
    mote_memzero_explicit(full, sizeof full);
    mote_memzero_explicit(ctx, sizeof *ctx);
}

void mote_sha384(const void *data, size_t len, uint8_t out[MOTE_SHA384_LEN])
{
    struct mote_sha512_ctx ctx;
    mote_sha384_init(&ctx);
    mote_sha512_update(&ctx, data, len);
    mote_sha512_final(&ctx, out);
}

void mote_sha512(const void *data, size_t len, uint8_t out[MOTE_SHA512_LEN])
{
    struct mote_sha512_ctx ctx;
    mote_sha512_init(&ctx);
    mote_sha512_update(&ctx, data, len);
    mote_sha512_final(&ctx, out);
}

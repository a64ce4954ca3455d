/* AES-GCM (NIST SP 800-38D): the mode, portable GHASH, and dispatch. */
#include <mote/crypto.h>
#include <mote/error.h>
#include <string.h>

#include "crypto_int.h"

/*
 * Two implementations behind one context, chosen at init: ctx->impl is
 * GCM_IMPL_X86 when the CPU has AES-NI, PCLMULQDQ and SSSE3 (gcm_x86.c),
 * otherwise GCM_IMPL_PORTABLE: the bitsliced AES of aes.c and the GHASH
 * below, which multiplies in GF(2^128) one bit at a time with masks (section
 * 6.3, Algorithm 1) so that neither H nor the data choose a branch or an
 * index. It is slow (about 80 operations a byte) and simple on purpose.
 */

#define GCM_MAX_LEN (((uint64_t)1 << 36) - 32) /* 2^39 - 256 bits */

void mote_crypto_disable_simd(int level)
{
    unsigned mask = ~0u;
    if (level >= MOTE_CRYPTO_IMPL_NO_AVX512)
        mask &= ~(unsigned)CRYPTO_CPU_AVX512;
    if (level >= MOTE_CRYPTO_IMPL_NO_AVX2)
        mask &= ~(unsigned)(CRYPTO_CPU_AVX2 | CRYPTO_CPU_VAES);
    if (level >= MOTE_CRYPTO_IMPL_PORTABLE)
        mask = 0;
    crypto__cpu_mask(mask);
}

/* x = x * h in GF(2^128) with GCM's bit order. */
static void gf128_mul(uint8_t x[16], const uint8_t h[16])
{
    uint64_t z0 = 0, z1 = 0, v0 = ld64be(h), v1 = ld64be(h + 8);
    uint64_t xh = ld64be(x), xl = ld64be(x + 8);
    for (int i = 0; i < 128; i++) {
        uint64_t bit = (i < 64 ? xh >> (63 - i) : xl >> (127 - i)) & 1;
        uint64_t m = 0 - bit;
        z0 ^= v0 & m;
        z1 ^= v1 & m;
        uint64_t lsb = v1 & 1;
        v1 = (v1 >> 1) | (v0 << 63);
        v0 = (v0 >> 1) ^ (0xe100000000000000ull & (0 - lsb));
    }
    st64be(x, z0);
    st64be(x + 8, z1);
}

void crypto__ghash_portable(const uint8_t h[16], uint8_t y[16],
                            const uint8_t *in, size_t nblocks)
{
    for (; nblocks--; in += 16) {
        for (int i = 0; i < 16; i++)
            y[i] ^= in[i];
        gf128_mul(y, h);
    }
}

static void ghash(const struct mote_aes_gcm_ctx *ctx, uint8_t y[16],
                  const uint8_t *in, size_t len)
{
    size_t full = len / 16;
    if (full) {
        if (ctx->impl == GCM_IMPL_X86) {
            size_t done = 0;
            if (full >= 16 && (crypto__cpu() & CRYPTO_CPU_VAES))
                done = crypto__ghash_vaes(ctx, y, in, full);
            if (done < full)
                crypto__ghash_x86(ctx, y, in + 16 * done, full - done);
        } else {
            crypto__ghash_portable(ctx->h, y, in, full);
        }
    }
    if (len % 16) {
        uint8_t last[16] = {0};
        memcpy(last, in + 16 * full, len % 16);
        if (ctx->impl == GCM_IMPL_X86)
            crypto__ghash_x86(ctx, y, last, 1);
        else
            crypto__ghash_portable(ctx->h, y, last, 1);
        mote_memzero_explicit(last, sizeof last);
    }
}

void mote_aes_encrypt_block(const struct mote_aes_gcm_ctx *ctx,
                            const uint8_t in[16], uint8_t out[16])
{
    if (ctx->impl == GCM_IMPL_X86) {
        crypto__aes_x86_encrypt_block(ctx, in, out);
    } else {
        memmove(out, in, 16);
        crypto__aes_encrypt_portable(ctx->rkb, ctx->rounds, out, 1);
    }
}

int mote_aes_gcm_init(struct mote_aes_gcm_ctx *ctx, const uint8_t *key,
                      size_t keylen)
{
    memset(ctx, 0, sizeof *ctx);
    if (keylen != 16 && keylen != 24 && keylen != 32)
        return MOTE_EINVAL;
    crypto__aes_expand(ctx->rk, &ctx->rounds, key, keylen);
    crypto__aes_bitslice_keys(ctx->rk, ctx->rounds, ctx->rkb);
    unsigned need = CRYPTO_CPU_AESNI | CRYPTO_CPU_PCLMUL | CRYPTO_CPU_SSSE3;
    ctx->impl =
        (crypto__cpu() & need) == need ? GCM_IMPL_X86 : GCM_IMPL_PORTABLE;
    uint8_t zero[16] = {0};
    mote_aes_encrypt_block(ctx, zero, ctx->h);
    if (ctx->impl == GCM_IMPL_X86)
        crypto__gcm_x86_init(ctx);
    return 0;
}

void mote_aes_gcm_release(struct mote_aes_gcm_ctx *ctx)
{
    mote_memzero_explicit(ctx, sizeof *ctx);
}

/* Pre-counter block J0 (section 7.1 step 2). */
static void gcm_j0(const struct mote_aes_gcm_ctx *ctx, const uint8_t *iv,
                   size_t ivlen, uint8_t j0[16])
{
    memset(j0, 0, 16);
    if (ivlen == 12) {
        memcpy(j0, iv, 12);
        j0[15] = 1;
        return;
    }
    uint8_t lens[16] = {0};
    ghash(ctx, j0, iv, ivlen);
    st64be(lens + 8, (uint64_t)ivlen * 8);
    ghash(ctx, j0, lens, 16);
}

/* GCTR (section 6.5) from counter block ctr, which is advanced (inc32). */
static void gctr(const struct mote_aes_gcm_ctx *ctx, uint8_t ctr[16],
                 const uint8_t *in, uint8_t *out, size_t len)
{
    if (ctx->impl == GCM_IMPL_X86 && len >= 16) {
        size_t done = 0;
        if (len >= 256 && (crypto__cpu() & CRYPTO_CPU_VAES))
            done = crypto__aes_vaes_ctr(ctx, ctr, in, out, len);
        done +=
            crypto__aes_x86_ctr(ctx, ctr, in + done, out + done, len - done);
        if (done) { /* in may be NULL when len is 0 */
            in += done;
            out += done;
            len -= done;
        }
    }
    uint8_t ks[64];
    while (len) {
        size_t nb = (len + 15) / 16;
        if (nb > 4)
            nb = 4;
        for (size_t b = 0; b < nb; b++) {
            memcpy(ks + 16 * b, ctr, 16);
            st32be(ctr + 12, ld32be(ctr + 12) + 1);
        }
        if (ctx->impl == GCM_IMPL_X86)
            for (size_t b = 0; b < nb; b++)
                crypto__aes_x86_encrypt_block(ctx, ks + 16 * b, ks + 16 * b);
        else
            crypto__aes_encrypt_portable(ctx->rkb, ctx->rounds, ks, nb);
        size_t n = len < 16 * nb ? len : 16 * nb;
        for (size_t i = 0; i < n; i++)
            out[i] = in[i] ^ ks[i];
        in += n;
        out += n;
        len -= n;
    }
    mote_memzero_explicit(ks, sizeof ks);
}

/* The tag (section 7.1 steps 5-6) in three steps, so that seal can hash the
 * ciphertext while it makes it: tag_start hashes A, tag_finish hashes the
 * bit lengths and XORs E(K, J0). s is the running GHASH value. */
static void tag_start(const struct mote_aes_gcm_ctx *ctx, uint8_t s[16],
                      const uint8_t *aad, size_t aadlen)
{
    memset(s, 0, 16);
    ghash(ctx, s, aad, aadlen);
}

static void tag_finish(const struct mote_aes_gcm_ctx *ctx, const uint8_t j0[16],
                       uint8_t s[16], size_t aadlen, size_t len,
                       uint8_t tag[16])
{
    uint8_t lens[16], ek[16];
    st64be(lens, (uint64_t)aadlen * 8);
    st64be(lens + 8, (uint64_t)len * 8);
    ghash(ctx, s, lens, 16);
    mote_aes_encrypt_block(ctx, j0, ek);
    for (int i = 0; i < 16; i++)
        tag[i] = s[i] ^ ek[i];
    mote_memzero_explicit(s, 16);
    mote_memzero_explicit(ek, sizeof ek);
}

static int check_args(size_t ivlen, size_t len, size_t taglen)
{
    if (ivlen == 0 || taglen < 4 || taglen > 16)
        return MOTE_EINVAL;
    if ((uint64_t)len > GCM_MAX_LEN)
        return MOTE_EMSGSIZE;
    return 0;
}

int mote_aes_gcm_seal(const struct mote_aes_gcm_ctx *ctx, const uint8_t *iv,
                      size_t ivlen, const uint8_t *aad, size_t aadlen,
                      const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag,
                      size_t taglen)
{
    int err = check_args(ivlen, len, taglen);
    if (err)
        return err;
    uint8_t j0[16], ctr[16], full[16], s[16];
    gcm_j0(ctx, iv, ivlen, j0);
    memcpy(ctr, j0, 16);
    st32be(ctr + 12, ld32be(ctr + 12) + 1);
    tag_start(ctx, s, aad, aadlen);
    size_t done = 0;
    if (ctx->impl == GCM_IMPL_X86 && len >= 128) { /* one pass */
        if (crypto__cpu() & CRYPTO_CPU_VAES)
            done = crypto__aes_gcm_vaes_seal(ctx, ctr, s, in, out, len);
        done += crypto__aes_gcm_x86_seal(ctx, ctr, s, in + done, out + done,
                                         len - done);
    }
    if (done < len) {
        gctr(ctx, ctr, in + done, out + done, len - done);
        ghash(ctx, s, out + done, len - done);
    }
    tag_finish(ctx, j0, s, aadlen, len, full);
    memcpy(tag, full, taglen);
    mote_memzero_explicit(full, sizeof full);
    return 0;
}

int mote_aes_gcm_open(const struct mote_aes_gcm_ctx *ctx, const uint8_t *iv,
                      size_t ivlen, const uint8_t *aad, size_t aadlen,
                      const uint8_t *in, size_t len, const uint8_t *tag,
                      size_t taglen, uint8_t *out)
{
    int err = check_args(ivlen, len, taglen);
    if (err)
        return err;
    uint8_t j0[16], ctr[16], want[16], s[16];
    gcm_j0(ctx, iv, ivlen, j0);
    /* Verify first, decrypt after: out never holds unauthenticated data. */
    tag_start(ctx, s, aad, aadlen);
    ghash(ctx, s, in, len);
    tag_finish(ctx, j0, s, aadlen, len, want);
    if (mote_crypto_ct_equal(want, tag, taglen)) {
        memcpy(ctr, j0, 16);
        st32be(ctr + 12, ld32be(ctr + 12) + 1);
        gctr(ctx, ctr, in, out, len);
    } else {
        /* Only the comparison's public outcome is branched on. */
        if (len)
            memset(out, 0, len);
        err = MOTE_EAUTH;
    }
    mote_memzero_explicit(want, sizeof want);
    return err;
}

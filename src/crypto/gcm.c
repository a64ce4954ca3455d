/* AES-GCM (NIST SP 800-38D): the mode, portable GHASH, and dispatch. */
#include <mote/crypto.h>
#include <mote/error.h>
#include <string.h>

#include "crypto_int.h"

/*
 * Two implementations behind one context, chosen at init: ctx->impl is
 * GCM_IMPL_X86 when the CPU has AES-NI, PCLMULQDQ and SSSE3 (gcm_x86.c),
 * otherwise GCM_IMPL_PORTABLE: the bitsliced AES of aes.c and the
 * constant-time GHASH below.
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

/*
 * Portable GHASH. Carry-less 64x64 multiplication with ordinary integer
 * multiplies: each operand is split into four interleaved bit sets with
 * three-bit holes between the bits (x & 0x1111..., x & 0x2222... ...), so
 * that the carries of a product land in the holes and are masked away
 * (Pornin, BearSSL "ctmul64"). Multiplication instructions run in constant
 * time on the CPUs we target; there is no table and no branch.
 *
 * Field elements are kept in "normal" order (bit i of the 128-bit value is
 * the coefficient of x^i), which for GCM's bit-reflected blocks means the
 * bit reversal of the big-endian words; conveniently the reversal of a
 * normal word is the big-endian word itself, which the high half of each
 * product needs (rev(rev(x) * rev(y)) >> 1). Karatsuba makes the 128x128
 * product three 64x64 ones; the reduction modulo x^128 + x^7 + x^2 + x + 1
 * is shifts and XORs.
 */

static uint64_t bmul64(uint64_t x, uint64_t y)
{
    const uint64_t m0 = 0x1111111111111111ull, m1 = m0 << 1, m2 = m0 << 2,
                   m3 = m0 << 3;
    uint64_t x0 = x & m0, x1 = x & m1, x2 = x & m2, x3 = x & m3;
    uint64_t y0 = y & m0, y1 = y & m1, y2 = y & m2, y3 = y & m3;
    uint64_t z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
    uint64_t z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
    uint64_t z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
    uint64_t z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
    return (z0 & m0) | (z1 & m1) | (z2 & m2) | (z3 & m3);
}

static uint64_t rev64(uint64_t x)
{
    x = ((x >> 1) & 0x5555555555555555ull) | ((x & 0x5555555555555555ull) << 1);
    x = ((x >> 2) & 0x3333333333333333ull) | ((x & 0x3333333333333333ull) << 2);
    x = ((x >> 4) & 0x0f0f0f0f0f0f0f0full) | ((x & 0x0f0f0f0f0f0f0f0full) << 4);
    x = ((x >> 8) & 0x00ff00ff00ff00ffull) | ((x & 0x00ff00ff00ff00ffull) << 8);
    x = ((x >> 16) & 0x0000ffff0000ffffull) |
        ((x & 0x0000ffff0000ffffull) << 16);
    return (x >> 32) | (x << 32);
}

/* The 128-bit carry-less product of x and y, given their reversals. */
static void clmul64(uint64_t x, uint64_t y, uint64_t xr, uint64_t yr,
                    uint64_t *lo, uint64_t *hi)
{
    *lo = bmul64(x, y);
    *hi = rev64(bmul64(xr, yr)) >> 1;
}

void crypto__ghash_portable(const uint8_t h[16], uint8_t y[16],
                            const uint8_t *in, size_t nblocks)
{
    /* Normal order: lo holds x^0..x^63, the reversal of the first
     * big-endian word. The "r" values are the reversals. */
    uint64_t hlr = ld64be(h), hhr = ld64be(h + 8);
    uint64_t hl = rev64(hlr), hh = rev64(hhr), hm = hl ^ hh, hmr = hlr ^ hhr;
    uint64_t yl = rev64(ld64be(y)), yh = rev64(ld64be(y + 8));
    for (; nblocks--; in += 16) {
        yl ^= rev64(ld64be(in));
        yh ^= rev64(ld64be(in + 8));
        uint64_t ylr = rev64(yl), yhr = rev64(yh);
        uint64_t p0l, p0h, p1l, p1h, p2l, p2h;
        clmul64(yl, hl, ylr, hlr, &p0l, &p0h);
        clmul64(yh, hh, yhr, hhr, &p2l, &p2h);
        clmul64(yl ^ yh, hm, ylr ^ yhr, hmr, &p1l, &p1h);
        p1l ^= p0l ^ p2l;
        p1h ^= p0h ^ p2h;
        uint64_t c0 = p0l, c1 = p0h ^ p1l, c2 = p2l ^ p1h, c3 = p2h;
        /* x^128 = x^7 + x^2 + x + 1: fold c3:c2 down, twice for the bits
         * that the first fold pushes past x^127. */
        uint64_t t2 = (c3 >> 63) ^ (c3 >> 62) ^ (c3 >> 57);
        uint64_t t1 = c3 ^ (c3 << 1) ^ (c3 << 2) ^ (c3 << 7) ^ (c2 >> 63) ^
                      (c2 >> 62) ^ (c2 >> 57);
        uint64_t t0 = c2 ^ (c2 << 1) ^ (c2 << 2) ^ (c2 << 7);
        yl = c0 ^ t0 ^ t2 ^ (t2 << 1) ^ (t2 << 2) ^ (t2 << 7);
        yh = c1 ^ t1;
    }
    st64be(y, rev64(yl));
    st64be(y + 8, rev64(yh));
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
    unsigned need = CRYPTO_CPU_AESNI | CRYPTO_CPU_PCLMUL | CRYPTO_CPU_SSSE3;
    ctx->impl =
        (crypto__cpu() & need) == need ? GCM_IMPL_X86 : GCM_IMPL_PORTABLE;
    /* Only the portable path reads the bitsliced keys (the choice is
     * fixed here): they were 44% of an AES-NI key set-up. */
    if (ctx->impl == GCM_IMPL_PORTABLE)
        crypto__aes_bitslice_keys(ctx->rk, ctx->rounds, ctx->rkb);
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

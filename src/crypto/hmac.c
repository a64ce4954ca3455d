/* Hashes by name, HMAC (RFC 2104) and HKDF (RFC 5869). */
#include <mote/crypto.h>
#include <mote/error.h>
#include <string.h>

size_t mote_hash_len(enum mote_hash_alg alg)
{
    switch (alg) {
    case MOTE_HASH_SHA1:
        return MOTE_SHA1_LEN;
    case MOTE_HASH_SHA224:
        return MOTE_SHA224_LEN;
    case MOTE_HASH_SHA256:
        return MOTE_SHA256_LEN;
    case MOTE_HASH_SHA384:
        return MOTE_SHA384_LEN;
    case MOTE_HASH_SHA512:
        return MOTE_SHA512_LEN;
    default:
        return 0;
    }
}

size_t mote_hash_block_len(enum mote_hash_alg alg)
{
    switch (alg) {
    case MOTE_HASH_SHA1:
    case MOTE_HASH_SHA224:
    case MOTE_HASH_SHA256:
        return 64;
    case MOTE_HASH_SHA384:
    case MOTE_HASH_SHA512:
        return 128;
    default:
        return 0;
    }
}

int mote_hash_init(struct mote_hash_ctx *ctx, enum mote_hash_alg alg)
{
    ctx->alg = alg;
    switch (alg) {
    case MOTE_HASH_SHA1:
        mote_sha1_init(&ctx->u.sha1);
        return 0;
    case MOTE_HASH_SHA224:
        mote_sha224_init(&ctx->u.sha256);
        return 0;
    case MOTE_HASH_SHA256:
        mote_sha256_init(&ctx->u.sha256);
        return 0;
    case MOTE_HASH_SHA384:
        mote_sha384_init(&ctx->u.sha512);
        return 0;
    case MOTE_HASH_SHA512:
        mote_sha512_init(&ctx->u.sha512);
        return 0;
    default:
        ctx->alg = MOTE_HASH_NONE;
        return MOTE_EINVAL;
    }
}

void mote_hash_update(struct mote_hash_ctx *ctx, const void *data, size_t len)
{
    switch (ctx->alg) {
    case MOTE_HASH_SHA1:
        mote_sha1_update(&ctx->u.sha1, data, len);
        break;
    case MOTE_HASH_SHA224:
    case MOTE_HASH_SHA256:
        mote_sha256_update(&ctx->u.sha256, data, len);
        break;
    case MOTE_HASH_SHA384:
    case MOTE_HASH_SHA512:
        mote_sha512_update(&ctx->u.sha512, data, len);
        break;
    default:
        break;
    }
}

void mote_hash_final(struct mote_hash_ctx *ctx, uint8_t *out)
{
    switch (ctx->alg) {
    case MOTE_HASH_SHA1:
        mote_sha1_final(&ctx->u.sha1, out);
        break;
    case MOTE_HASH_SHA224:
    case MOTE_HASH_SHA256:
        mote_sha256_final(&ctx->u.sha256, out);
        break;
    case MOTE_HASH_SHA384:
    case MOTE_HASH_SHA512:
        mote_sha512_final(&ctx->u.sha512, out);
        break;
    default:
        break;
    }
    mote_memzero_explicit(ctx, sizeof *ctx);
}

int mote_hash(enum mote_hash_alg alg, const void *data, size_t len,
              uint8_t *out)
{
    struct mote_hash_ctx ctx;
    int err = mote_hash_init(&ctx, alg);
    if (err)
        return err;
    mote_hash_update(&ctx, data, len);
    mote_hash_final(&ctx, out);
    return 0;
}

/* ---- HMAC ------------------------------------------------------------- */

int mote_hmac_init(struct mote_hmac_ctx *ctx, enum mote_hash_alg alg,
                   const void *key, size_t keylen)
{
    size_t bl = mote_hash_block_len(alg);
    if (!bl) {
        memset(ctx, 0, sizeof *ctx);
        return MOTE_EINVAL;
    }
    /* RFC 2104 section 2: K is hashed if longer than a block, then padded
     * with zeros to a block. */
    uint8_t k[MOTE_HASH_MAX_BLOCK] = {0}, pad[MOTE_HASH_MAX_BLOCK];
    if (keylen > bl)
        mote_hash(alg, key, keylen, k);
    else if (keylen)
        memcpy(k, key, keylen);
    for (size_t i = 0; i < bl; i++)
        pad[i] = k[i] ^ 0x36;
    mote_hash_init(&ctx->inner, alg);
    mote_hash_update(&ctx->inner, pad, bl);
    for (size_t i = 0; i < bl; i++)
        pad[i] = k[i] ^ 0x5c;
    mote_hash_init(&ctx->outer, alg);
    mote_hash_update(&ctx->outer, pad, bl);
    mote_memzero_explicit(k, sizeof k);
    mote_memzero_explicit(pad, sizeof pad);
    return 0;
}

void mote_hmac_update(struct mote_hmac_ctx *ctx, const void *data, size_t len)
{
    mote_hash_update(&ctx->inner, data, len);
}

void mote_hmac_final(struct mote_hmac_ctx *ctx, uint8_t *out)
{
    uint8_t ih[MOTE_HASH_MAX_LEN];
    size_t hl = mote_hash_len(ctx->inner.alg);
    mote_hash_final(&ctx->inner, ih);
    mote_hash_update(&ctx->outer, ih, hl);
    mote_hash_final(&ctx->outer, out);
    mote_memzero_explicit(ih, sizeof ih);
}

void mote_hmac_release(struct mote_hmac_ctx *ctx)
{
    mote_memzero_explicit(ctx, sizeof *ctx);
}

int mote_hmac(enum mote_hash_alg alg, const void *key, size_t keylen,
              const void *data, size_t len, uint8_t *out)
{
    struct mote_hmac_ctx ctx;
    int err = mote_hmac_init(&ctx, alg, key, keylen);
    if (err)
        return err;
    mote_hmac_update(&ctx, data, len);
    mote_hmac_final(&ctx, out);
    return 0;
}

int mote_hmac_verify(enum mote_hash_alg alg, const void *key, size_t keylen,
                     const void *data, size_t len, const uint8_t *tag,
                     size_t taglen)
{
    uint8_t mac[MOTE_HASH_MAX_LEN];
    if (taglen == 0 || taglen > mote_hash_len(alg))
        return MOTE_EINVAL;
    int err = mote_hmac(alg, key, keylen, data, len, mac);
    if (err)
        return err;
    int eq = mote_crypto_ct_equal(mac, tag, taglen);
    mote_memzero_explicit(mac, sizeof mac);
    return eq ? 0 : MOTE_EAUTH;
}

/* ---- HKDF ------------------------------------------------------------- */

int mote_hkdf_extract(enum mote_hash_alg alg, const void *salt, size_t saltlen,
                      const void *ikm, size_t ikmlen, uint8_t *prk)
{
    /* An absent salt is HashLen zeros, which HMAC's zero padding of the key
     * makes identical to an empty key. */
    return mote_hmac(alg, saltlen ? salt : NULL, saltlen, ikm, ikmlen, prk);
}

int mote_hkdf_expand(enum mote_hash_alg alg, const uint8_t *prk, size_t prklen,
                     const void *info, size_t infolen, uint8_t *out,
                     size_t outlen)
{
    size_t hl = mote_hash_len(alg);
    if (!hl || prklen < hl || outlen > 255 * hl)
        return MOTE_EINVAL;
    struct mote_hmac_ctx base, ctx;
    uint8_t t[MOTE_HASH_MAX_LEN];
    mote_hmac_init(&base, alg, prk, prklen);
    for (size_t done = 0, i = 1; done < outlen; i++) {
        /* T(i) = HMAC(PRK, T(i-1) | info | i), with T(0) empty. */
        uint8_t c = (uint8_t)i;
        ctx = base;
        if (i > 1)
            mote_hmac_update(&ctx, t, hl);
        mote_hmac_update(&ctx, info, infolen);
        mote_hmac_update(&ctx, &c, 1);
        mote_hmac_final(&ctx, t);
        size_t n = outlen - done < hl ? outlen - done : hl;
        memcpy(out + done, t, n);
        done += n;
    }
    mote_hmac_release(&base);
    mote_memzero_explicit(t, sizeof t);
    return 0;
}

int mote_hkdf(enum mote_hash_alg alg, const void *salt, size_t saltlen,
              const void *ikm, size_t ikmlen, const void *info, size_t infolen,
              uint8_t *out, size_t outlen)
{
    uint8_t prk[MOTE_HASH_MAX_LEN];
    int err = mote_hkdf_extract(alg, salt, saltlen, ikm, ikmlen, prk);
    if (!err)
        err = mote_hkdf_expand(alg, prk, mote_hash_len(alg), info, infolen, out,
                               outlen);
    mote_memzero_explicit(prk, sizeof prk);
    return err;
}

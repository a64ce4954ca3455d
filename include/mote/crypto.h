/* Symmetric cryptography: hashes, HMAC, HKDF, AEADs and randomness. */
#ifndef MOTE_CRYPTO_H
#define MOTE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/*
 * Conventions for this header, stated once:
 *
 * - No function allocates. Contexts are plain structs the caller embeds; their
 *   fields are visible for sizing only and are private by contract.
 * - Every context that holds key material has a _release() that wipes it with
 *   mote_memzero_explicit(). Releasing twice, or releasing a context that was
 *   never initialised but is zero-filled, is harmless.
 * - Secrets (keys, plaintexts, tags being checked) are handled in constant
 *   time: no branch and no memory index depends on them. Lengths, nonces and
 *   associated data are public. `make ct-check` verifies this under valgrind.
 * - Input and output buffers may be the same (in-place) for the AEADs and
 *   stream ciphers; any other overlap is a contract violation.
 * - Errors: MOTE_EINVAL for a bad length or algorithm, MOTE_EMSGSIZE for a
 *   message longer than the primitive allows, MOTE_EAUTH when a tag or MAC
 *   does not verify. NULL pointers are allowed only with a length of 0.
 *
 * Implementation strategy per primitive, and how each is kept constant-time,
 * is in docs/crypto.md.
 */

/* ---- Utilities ------------------------------------------------------- */

/* Set n bytes at p to zero in a way the compiler may not remove, even when p
 * is about to go out of scope. */
void mote_memzero_explicit(void *p, size_t n);

/* 1 if the n bytes at a and b are equal, 0 otherwise, in time that depends
 * only on n. */
int mote_crypto_ct_equal(const void *a, const void *b, size_t n);

/* ---- SHA-1 and SHA-2 (FIPS 180-4) ---------------------------------------
 *
 * Streaming: _init, any number of _update calls (any split of the input
 * gives the same digest), _final writes the digest and wipes the context.
 * The one-shot functions do all three. SHA-224 shares SHA-256's context and
 * _update/_final; SHA-384 shares SHA-512's. SHA-1 is for git object ids and
 * legacy certificates only: it is broken for collision resistance. */

#define MOTE_SHA1_LEN   20
#define MOTE_SHA224_LEN 28
#define MOTE_SHA256_LEN 32
#define MOTE_SHA384_LEN 48
#define MOTE_SHA512_LEN 64

struct mote_sha1_ctx {
    uint32_t h[5];
    uint64_t len; /* bytes hashed so far */
    uint8_t buf[64];
};

struct mote_sha256_ctx {
    uint32_t h[8];
    uint64_t len;
    uint8_t buf[64];
    unsigned outlen; /* 28 or 32 */
};

struct mote_sha512_ctx {
    uint64_t h[8];
    uint64_t len; /* bytes; inputs of 2^64 bytes or more are not supported */
    uint8_t buf[128];
    unsigned outlen; /* 48 or 64 */
};

void mote_sha1_init(struct mote_sha1_ctx *ctx);
void mote_sha1_update(struct mote_sha1_ctx *ctx, const void *data, size_t len);
void mote_sha1_final(struct mote_sha1_ctx *ctx, uint8_t out[MOTE_SHA1_LEN]);
void mote_sha1(const void *data, size_t len, uint8_t out[MOTE_SHA1_LEN]);

void mote_sha224_init(struct mote_sha256_ctx *ctx);
void mote_sha256_init(struct mote_sha256_ctx *ctx);
void mote_sha256_update(struct mote_sha256_ctx *ctx, const void *data,
                        size_t len);
/* Writes ctx->outlen bytes: 28 after mote_sha224_init, 32 otherwise. */
void mote_sha256_final(struct mote_sha256_ctx *ctx, uint8_t *out);
void mote_sha224(const void *data, size_t len, uint8_t out[MOTE_SHA224_LEN]);
void mote_sha256(const void *data, size_t len, uint8_t out[MOTE_SHA256_LEN]);

void mote_sha384_init(struct mote_sha512_ctx *ctx);
void mote_sha512_init(struct mote_sha512_ctx *ctx);
void mote_sha512_update(struct mote_sha512_ctx *ctx, const void *data,
                        size_t len);
/* Writes ctx->outlen bytes: 48 after mote_sha384_init, 64 otherwise. */
void mote_sha512_final(struct mote_sha512_ctx *ctx, uint8_t *out);
void mote_sha384(const void *data, size_t len, uint8_t out[MOTE_SHA384_LEN]);
void mote_sha512(const void *data, size_t len, uint8_t out[MOTE_SHA512_LEN]);

/* ---- Any hash, by name -------------------------------------------------- */

enum mote_hash_alg {
    MOTE_HASH_NONE = 0,
    MOTE_HASH_SHA1,
    MOTE_HASH_SHA224,
    MOTE_HASH_SHA256,
    MOTE_HASH_SHA384,
    MOTE_HASH_SHA512,
};

#define MOTE_HASH_MAX_LEN   64  /* largest digest */
#define MOTE_HASH_MAX_BLOCK 128 /* largest block */

struct mote_hash_ctx {
    enum mote_hash_alg alg;
    union {
        struct mote_sha1_ctx sha1;
        struct mote_sha256_ctx sha256;
        struct mote_sha512_ctx sha512;
    } u;
};

/* Digest and block length in bytes of alg; 0 for an unknown alg. */
size_t mote_hash_len(enum mote_hash_alg alg);
size_t mote_hash_block_len(enum mote_hash_alg alg);

/* Errors: MOTE_EINVAL unknown alg (ctx is then unusable). */
int mote_hash_init(struct mote_hash_ctx *ctx, enum mote_hash_alg alg);
void mote_hash_update(struct mote_hash_ctx *ctx, const void *data, size_t len);
/* Writes mote_hash_len(ctx->alg) bytes and wipes ctx. */
void mote_hash_final(struct mote_hash_ctx *ctx, uint8_t *out);
/* One shot. Errors: MOTE_EINVAL unknown alg. */
int mote_hash(enum mote_hash_alg alg, const void *data, size_t len,
              uint8_t *out);

/* ---- HMAC (RFC 2104) ----------------------------------------------------- */

struct mote_hmac_ctx {
    struct mote_hash_ctx inner, outer; /* keyed states */
};

/* Key ctx with key (any length; longer than a block is hashed first).
 * Errors: MOTE_EINVAL unknown alg. */
int mote_hmac_init(struct mote_hmac_ctx *ctx, enum mote_hash_alg alg,
                   const void *key, size_t keylen);
void mote_hmac_update(struct mote_hmac_ctx *ctx, const void *data, size_t len);
/* Writes mote_hash_len(alg) bytes and wipes ctx. */
void mote_hmac_final(struct mote_hmac_ctx *ctx, uint8_t *out);
void mote_hmac_release(struct mote_hmac_ctx *ctx);
/* One shot. Errors: MOTE_EINVAL unknown alg. */
int mote_hmac(enum mote_hash_alg alg, const void *key, size_t keylen,
              const void *data, size_t len, uint8_t *out);
/* Compute the MAC and compare its first taglen bytes with tag in constant
 * time. The caller decides what truncation it accepts. Errors: MOTE_EINVAL
 * unknown alg or taglen 0 or longer than the digest, MOTE_EAUTH mismatch. */
int mote_hmac_verify(enum mote_hash_alg alg, const void *key, size_t keylen,
                     const void *data, size_t len, const uint8_t *tag,
                     size_t taglen);

/* ---- HKDF (RFC 5869) ------------------------------------------------------
 */

/* PRK = HMAC(salt, ikm); writes mote_hash_len(alg) bytes to prk. A NULL or
 * empty salt means hashlen zero bytes (RFC 5869 section 2.2). Errors:
 * MOTE_EINVAL unknown alg. */
int mote_hkdf_extract(enum mote_hash_alg alg, const void *salt, size_t saltlen,
                      const void *ikm, size_t ikmlen, uint8_t *prk);
/* Fill out with outlen bytes of T(1) | T(2) | ... (section 2.3). Errors:
 * MOTE_EINVAL unknown alg, outlen > 255 * hashlen, or prklen < hashlen. */
int mote_hkdf_expand(enum mote_hash_alg alg, const uint8_t *prk, size_t prklen,
                     const void *info, size_t infolen, uint8_t *out,
                     size_t outlen);
/* Extract then expand. Errors as for the two steps. */
int mote_hkdf(enum mote_hash_alg alg, const void *salt, size_t saltlen,
              const void *ikm, size_t ikmlen, const void *info, size_t infolen,
              uint8_t *out, size_t outlen);

/* ---- Public-key primitives ----------------------------------------------
 * X25519, Ed25519, ECDH/ECDSA on P-256/P-384, RSA and ML-KEM live in their
 * own header (written alongside this one); including <mote/crypto.h> gives
 * the whole crypto library. */
#include <mote/crypto_pk.h>

#endif

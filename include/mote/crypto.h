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

/* ---- ChaCha20 and Poly1305 (RFC 8439) -------------------------------------
 *
 * The stream cipher and the MAC on their own, for tests and for protocols
 * that need them raw; TLS wants the AEAD below. */

/* XOR len bytes of in with the ChaCha20 key stream for key and nonce,
 * starting at block counter (section 2.4); the 32-bit counter wraps. */
void mote_chacha20_xor(const uint8_t key[32], const uint8_t nonce[12],
                       uint32_t counter, const uint8_t *in, uint8_t *out,
                       size_t len);

/* The one-time authenticator over msg with a 32-byte one-time key. */
void mote_poly1305(const uint8_t key[32], const uint8_t *msg, size_t len,
                   uint8_t tag[16]);

/* ---- AEADs: ChaCha20-Poly1305 (RFC 8439) and AES-GCM (SP 800-38D) -------
 *
 * Both keep the expanded key in a context, set up once per key and used for
 * any number of messages (one per nonce: never reuse a nonce with a key).
 * _seal encrypts len bytes of in to out and writes the tag; _open checks
 * the tag in constant time before it releases anything: on MOTE_EAUTH, out
 * holds zeros, never unauthenticated plaintext. in == out is allowed.
 *
 * The fastest implementation the CPU supports is chosen at run time
 * (AES-NI + PCLMULQDQ, SSE2/AVX2); the portable fallbacks are constant-time
 * too (bitsliced AES S-box, masked GHASH). */

#define MOTE_AEAD_TAG_LEN 16

struct mote_chacha20_poly1305_ctx {
    uint8_t key[32];
};

void mote_chacha20_poly1305_init(struct mote_chacha20_poly1305_ctx *ctx,
                                 const uint8_t key[32]);
/* Errors: MOTE_EMSGSIZE len > 2^38 - 64 (the 32-bit block counter's
 * limit). */
int mote_chacha20_poly1305_seal(const struct mote_chacha20_poly1305_ctx *ctx,
                                const uint8_t nonce[12], const uint8_t *aad,
                                size_t aadlen, const uint8_t *in, size_t len,
                                uint8_t *out, uint8_t tag[16]);
/* Errors: MOTE_EAUTH tag mismatch (out zeroed), MOTE_EMSGSIZE as above. */
int mote_chacha20_poly1305_open(const struct mote_chacha20_poly1305_ctx *ctx,
                                const uint8_t nonce[12], const uint8_t *aad,
                                size_t aadlen, const uint8_t *in, size_t len,
                                const uint8_t tag[16], uint8_t *out);
void mote_chacha20_poly1305_release(struct mote_chacha20_poly1305_ctx *ctx);

struct mote_aes_gcm_ctx {
    uint8_t rk[15][16];   /* round keys (AES-256 needs 15) */
    uint64_t rkb[15][8];  /* the same, bitsliced for the portable path */
    unsigned rounds;      /* 10, 12 or 14 */
    uint8_t h[16];        /* the hash key E(K, 0^128) */
    uint8_t htab[16][16]; /* H^1..H^16, byte-reflected, for PCLMUL paths */
    unsigned impl;        /* which implementation init chose */
};

/* keylen 16, 24 or 32 (AES-128/192/256). Errors: MOTE_EINVAL other key
 * lengths. */
int mote_aes_gcm_init(struct mote_aes_gcm_ctx *ctx, const uint8_t *key,
                      size_t keylen);
/* ivlen >= 1 (12 is the fast and recommended case; others are hashed as
 * section 7.1 says); taglen 4..16 (the first taglen bytes of the full tag).
 * Errors: MOTE_EINVAL ivlen 0 or taglen out of range, MOTE_EMSGSIZE len >
 * 2^36 - 32. */
int mote_aes_gcm_seal(const struct mote_aes_gcm_ctx *ctx, const uint8_t *iv,
                      size_t ivlen, const uint8_t *aad, size_t aadlen,
                      const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag,
                      size_t taglen);
/* Errors as for seal, and MOTE_EAUTH tag mismatch (out zeroed). */
int mote_aes_gcm_open(const struct mote_aes_gcm_ctx *ctx, const uint8_t *iv,
                      size_t ivlen, const uint8_t *aad, size_t aadlen,
                      const uint8_t *in, size_t len, const uint8_t *tag,
                      size_t taglen, uint8_t *out);
void mote_aes_gcm_release(struct mote_aes_gcm_ctx *ctx);

/* Encrypt one 16-byte block with the context's key (raw AES, for Fortuna's
 * generator and for tests). */
void mote_aes_encrypt_block(const struct mote_aes_gcm_ctx *ctx,
                            const uint8_t in[16], uint8_t out[16]);

/* ---- Randomness: Fortuna (Ferguson and Schneier, as in nocrypto) ---------
 *
 * mote_random() is what everything should use. The Fortuna core below is
 * exposed, sans-I/O (time is an argument, entropy is pushed in), so that it
 * can be tested deterministically and so that a program can run its own.
 *
 * Generator: AES-256 in counter mode (128-bit big-endian counter) under a
 * key K; after every request K is replaced by two further blocks, so a
 * later compromise does not reveal earlier output. At most 2^20 bytes are
 * produced per key. Reseeding sets K = SHA-256(SHA-256(K | seed)).
 * Accumulator: 32 SHA-256 pools. Events go to the pool their source
 * chooses; a generate call reseeds from the pools when pool 0 has taken at
 * least 64 bytes and 100 ms have passed since the last reseed; the r-th
 * reseed uses pool i when 2^i divides r, and empties the pools it uses. */

#define MOTE_FORTUNA_POOLS 32

struct mote_fortuna {
    struct mote_sha256_ctx pool[MOTE_FORTUNA_POOLS];
    uint64_t pool0_len;   /* bytes into pool 0 since the last reseed */
    uint64_t reseeds;     /* reseeds from the pools so far */
    uint64_t last_reseed; /* caller's clock, ns, at the last pool reseed */
    uint8_t key[32];
    uint8_t ctr[16];
    int seeded;                  /* 0 until the first reseed */
    struct mote_aes_gcm_ctx aes; /* keyed with key */
};

void mote_fortuna_init(struct mote_fortuna *f);
/* Mix seed into the generator key directly (also the first seeding). */
void mote_fortuna_reseed(struct mote_fortuna *f, const void *seed, size_t len);
/* Add one event of 1..32 bytes from source (0..255) to pool (taken mod 32).
 * Errors: MOTE_EINVAL len 0 or over 32. */
int mote_fortuna_add_event(struct mote_fortuna *f, unsigned source,
                           unsigned pool, const void *data, size_t len);
/* Fill out with n bytes, reseeding from the pools first if the rules above
 * say so (now_ns is the caller's monotonic clock). Errors: MOTE_EAGAIN never
 * seeded (out is untouched). */
int mote_fortuna_generate(struct mote_fortuna *f, uint64_t now_ns, void *out,
                          size_t n);
void mote_fortuna_release(struct mote_fortuna *f);

/* Fill buf with n cryptographically secure random bytes from the one
 * process-wide Fortuna. Seeded from mote_platform_entropy() at first use;
 * each call adds the monotonic clock as a timing event and every 32nd call
 * adds 32 fresh bytes of platform entropy to the pools. Fork-safe: when the
 * platform reports a new fork generation (unix: a new process id, through
 * mote_platform_fork_generation()) the generator is reseeded from platform
 * entropy before any output, so parent and child never share a stream. Aborts
 * the program (via mote_platform_abort) if the platform cannot supply the
 * initial entropy: there is no safe way to continue. Not for use from several
 * threads. */
void mote_random(void *buf, size_t n);

/* Choose implementations by level, for tests, ct-check and benchmarks
 * (each level also drops what the levels before it drop). AES-GCM contexts
 * keep the choice made at their init. */
enum {
    MOTE_CRYPTO_IMPL_BEST = 0,      /* the fastest the CPU has (default) */
    MOTE_CRYPTO_IMPL_NO_AVX512 = 1, /* no AVX-512 (AVX2, VAES stay) */
    MOTE_CRYPTO_IMPL_NO_AVX2 = 2,   /* no AVX2/VAES: SSE2, AES-NI, SHA-NI */
    MOTE_CRYPTO_IMPL_PORTABLE = 3,  /* portable C only */
};
void mote_crypto_disable_simd(int level);

/* ---- Public-key primitives ----------------------------------------------
 * X25519, Ed25519, ECDH/ECDSA on P-256/P-384, RSA and ML-KEM live in their
 * own header (written alongside this one); including <mote/crypto.h> gives
 * the whole crypto library. */
#include <mote/crypto_pk.h>

#endif

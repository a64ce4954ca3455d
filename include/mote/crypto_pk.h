/* Public-key crypto: X25519, Ed25519, ECDH/ECDSA on P-256 and P-384, RSA
 * PKCS#1 v1.5 and PSS signatures, ML-KEM-768. */
#ifndef MOTE_CRYPTO_PK_H
#define MOTE_CRYPTO_PK_H

#include <stddef.h>
#include <stdint.h>

#include <mote/crypto.h>

/*
 * Conventions for this header:
 *
 * - Every function is freestanding, allocates nothing and keeps no state
 *   between calls; the caller owns every buffer. Output buffers have the
 *   fixed sizes given by the *_LEN macros unless a capacity is passed.
 * - Integers on the wire are big-endian byte strings (SEC 1, RFC 8017),
 *   except X25519/Ed25519 which are little-endian as their RFCs say.
 * - Secret inputs (private keys, seeds, nonces, decapsulation keys) are
 *   handled in constant time: no branch and no memory index depends on
 *   them. This is checked by the valgrind run in tests/ct/.
 * - Errors: MOTE_EINVAL for malformed input (bad encoding, point not on
 *   the curve, out-of-range scalar), MOTE_EPROTO for a signature that does
 *   not verify, MOTE_ENOSPC for a too-small output buffer, MOTE_EIO when
 *   the randomness hook fails, MOTE_EINTERNAL when a computed signature
 *   failed its own check (a fault). Nothing is printed.
 * - Randomness is a hook: the library never reads a source of its own.
 * - Fixed-base tables for Ed25519 (60 KiB), P-256 (86 KiB) and P-384
 *   (135 KiB) are const data generated at build time; there is no static
 *   state.
 */

/* Fill buf with len random bytes; return 0 or a negative MOTE_E* code. */
typedef int (*mote_pk_rng_fn)(void *ctx, uint8_t *buf, size_t len);

/* Signature APIs take a digest and name its hash with enum mote_hash_alg
 * from <mote/crypto.h>: SHA-256, SHA-384 and SHA-512 are accepted (PKCS#1
 * v1.5 knows only those three DigestInfo prefixes; ECDSA and PSS accept
 * any hash mote_hash_len() knows). */

/* ---- X25519 (RFC 7748) --------------------------------------------------- */

#define MOTE_X25519_LEN 32

/* out = X25519(scalar, point). The scalar is clamped as RFC 7748 section 5
 * says; the top bit of point is ignored and non-canonical u values are
 * reduced. Returns 0, or MOTE_EINVAL if the shared secret is all zeros (a
 * low-order point: RFC 7748 section 6.1 "MAY check"; TLS 1.3 MUST), in
 * which case out is zeroed too. */
int mote_x25519(uint8_t out[MOTE_X25519_LEN],
                const uint8_t scalar[MOTE_X25519_LEN],
                const uint8_t point[MOTE_X25519_LEN]);

/* pub = X25519(scalar, 9): the public key of a private scalar. */
void mote_x25519_public(uint8_t pub[MOTE_X25519_LEN],
                        const uint8_t scalar[MOTE_X25519_LEN]);

/* ---- Ed25519 (RFC 8032) -------------------------------------------------- */

#define MOTE_ED25519_SEED_LEN 32
#define MOTE_ED25519_PUB_LEN  32
#define MOTE_ED25519_SIG_LEN  64

/* The public key of a 32-byte private key (the RFC's "seed"). */
void mote_ed25519_public(uint8_t pub[MOTE_ED25519_PUB_LEN],
                         const uint8_t seed[MOTE_ED25519_SEED_LEN]);

/* Sign msg (len bytes, may be NULL if len is 0). pub MUST be the public
 * key of seed (pass NULL to have it recomputed). */
void mote_ed25519_sign(uint8_t sig[MOTE_ED25519_SIG_LEN], const uint8_t *msg,
                       size_t len, const uint8_t seed[MOTE_ED25519_SEED_LEN],
                       const uint8_t *pub);

/* Strict verification: S must be below the group order L, A and R must be
 * canonical encodings of points, and [S]B = R + [k]A is checked without the
 * cofactor (compare encodings), as Wycheproof and RFC 8032 5.1.7 expect.
 * Returns 0 if valid, MOTE_EINVAL for a malformed key or signature,
 * MOTE_EPROTO if the equation does not hold. */
int mote_ed25519_verify(const uint8_t sig[MOTE_ED25519_SIG_LEN],
                        const uint8_t *msg, size_t len,
                        const uint8_t pub[MOTE_ED25519_PUB_LEN]);

/* ---- ECDH and ECDSA on P-256 and P-384 (SEC 1, FIPS 186-5) ----------------
 */

enum mote_ec_curve {
    MOTE_EC_NONE = 0,
    MOTE_EC_P256,
    MOTE_EC_P384,
};

/* Largest sizes over the supported curves. */
#define MOTE_EC_MAX_SCALAR_LEN 48
#define MOTE_EC_MAX_POINT_LEN  97 /* 0x04 || X || Y */
#define MOTE_EC_MAX_SIG_LEN    96 /* r || s */
#define MOTE_EC_MAX_DER_LEN    (MOTE_EC_MAX_SIG_LEN + 9)

/* Byte length of a scalar / field element for curve c (32 or 48), 0 for an
 * unknown curve. A private key is that many bytes; a public key in
 * uncompressed form is 1 + 2 * len; a fixed-width signature is 2 * len. */
size_t mote_ec_scalar_len(enum mote_ec_curve c);

/* Public key (uncompressed, 1 + 2 * len bytes) of private key priv.
 * Returns MOTE_EINVAL if priv is 0 or not below the group order n. */
int mote_ec_public(enum mote_ec_curve c, uint8_t *pub, const uint8_t *priv);

/* Check a peer's public key: uncompressed (0x04 || X || Y) or compressed
 * (0x02/0x03 || X) encoding, coordinates below p, point on the curve (the
 * curves have cofactor 1, so that is the whole check). 0 or MOTE_EINVAL. */
int mote_ec_check_public(enum mote_ec_curve c, const uint8_t *pub,
                         size_t pub_len);

/* ECDH: shared (len bytes) = x coordinate of [priv]peer. The peer key is
 * validated as by mote_ec_check_public. Returns 0 or MOTE_EINVAL. */
int mote_ecdh(enum mote_ec_curve c, uint8_t *shared, const uint8_t *priv,
              const uint8_t *peer, size_t peer_len);

/* ECDSA signature (r || s, 2 * len bytes) of the digest hash (hash_len
 * bytes, as produced by hash function h; truncated to the order's length as
 * FIPS 186-5 says). The nonce is derived as RFC 6979 section 3.2 with
 * HMAC-h; if extra (extra_len bytes, may be NULL) is given it is appended
 * as the "additional data" k' of section 3.6 (hedged signatures: pass
 * fresh random bytes). Returns 0 or MOTE_EINVAL (bad key, unknown h). */
int mote_ecdsa_sign(enum mote_ec_curve c, uint8_t *sig, const uint8_t *priv,
                    enum mote_hash_alg h, const uint8_t *hash, size_t hash_len,
                    const uint8_t *extra, size_t extra_len);

/* Verify a fixed-width (IEEE P1363, r || s) signature of sig_len bytes,
 * which must be exactly 2 * len. Returns 0, MOTE_EINVAL (bad key or
 * length), MOTE_EPROTO (signature does not verify). */
int mote_ecdsa_verify(enum mote_ec_curve c, const uint8_t *pub, size_t pub_len,
                      const uint8_t *hash, size_t hash_len, const uint8_t *sig,
                      size_t sig_len);

/* Convert between fixed-width r || s and DER (SEQUENCE of two INTEGERs).
 * The DER parser is strict: minimal lengths, minimal positive integers, no
 * trailing bytes, integers no longer than len bytes. to_der writes at most
 * MOTE_EC_MAX_DER_LEN bytes into der (cap bytes) and sets *der_len. */
int mote_ecdsa_sig_to_der(enum mote_ec_curve c, uint8_t *der, size_t cap,
                          size_t *der_len, const uint8_t *sig);
int mote_ecdsa_sig_from_der(enum mote_ec_curve c, uint8_t *sig,
                            const uint8_t *der, size_t der_len);

/* ---- RSA (RFC 8017) ------------------------------------------------------ */

#define MOTE_RSA_MIN_BITS 2048
#define MOTE_RSA_MAX_BITS 4096
#define MOTE_RSA_MAX_LEN  (MOTE_RSA_MAX_BITS / 8)

/* Keys are borrowed big-endian byte strings (leading zeros allowed). The
 * modulus must be 2048..4096 bits and odd; e odd, 3 <= e < 2^32. */
struct mote_rsa_public {
    const uint8_t *n;
    size_t n_len;
    const uint8_t *e;
    size_t e_len;
};

/* The CRT form of a private key: p, q (p > q not required), dp = d mod
 * (p-1), dq = d mod (q-1), qinv = q^-1 mod p. n and e are needed for
 * blinding and for the fault check of every signature. */
struct mote_rsa_private {
    struct mote_rsa_public pub;
    const uint8_t *p, *q, *dp, *dq, *qinv;
    size_t p_len, q_len, dp_len, dq_len, qinv_len;
};

/* Byte length of the modulus (the signature length), 0 if pub is invalid. */
size_t mote_rsa_len(const struct mote_rsa_public *pub);

/* RSASSA-PKCS1-v1_5 verification of a digest (hash_len must be h's length).
 * The encoded message is rebuilt and compared as a whole (no parsing of the
 * DigestInfo). sig_len must equal the modulus length. Returns 0,
 * MOTE_EINVAL (bad key or lengths), MOTE_EPROTO (does not verify). */
int mote_rsa_pkcs1_verify(const struct mote_rsa_public *pub,
                          enum mote_hash_alg h, const uint8_t *hash,
                          size_t hash_len, const uint8_t *sig, size_t sig_len);

/* RSASSA-PSS verification with MGF1(mgf_h) and a salt of exactly salt_len
 * bytes. Returns as mote_rsa_pkcs1_verify. */
int mote_rsa_pss_verify(const struct mote_rsa_public *pub, enum mote_hash_alg h,
                        enum mote_hash_alg mgf_h, size_t salt_len,
                        const uint8_t *hash, size_t hash_len,
                        const uint8_t *sig, size_t sig_len);

/* Signing: sig gets mote_rsa_len() bytes (cap must be at least that). The
 * private operation uses CRT with message blinding (a random r from rng),
 * Montgomery ladders with constant-time window lookups, and verifies its
 * own result with the public key before releasing it (MOTE_EINTERNAL if
 * that fails: a fault). PSS draws salt_len random salt bytes from rng. */
int mote_rsa_pkcs1_sign(const struct mote_rsa_private *key,
                        enum mote_hash_alg h, const uint8_t *hash,
                        size_t hash_len, uint8_t *sig, size_t cap,
                        mote_pk_rng_fn rng, void *rng_ctx);
int mote_rsa_pss_sign(const struct mote_rsa_private *key, enum mote_hash_alg h,
                      size_t salt_len, const uint8_t *hash, size_t hash_len,
                      uint8_t *sig, size_t cap, mote_pk_rng_fn rng,
                      void *rng_ctx);

/* A private key prepared for repeated signing (what OpenSSL keeps in its
 * RSA object): the Montgomery set-ups of n, p and q and a blinding pair
 * per prime, so that a signature does no per-key set-up and no modular
 * inversion. The context is a copy (the key's buffers may go away after
 * mote_rsa_private_prepare) and holds secrets: wipe it with
 * mote_rsa_prepared_wipe. Signing updates it (the blinding pair is squared
 * after each use and drawn afresh from rng every 32 uses and after a
 * fault), so one context must not be used by two signers at once.
 * mote_rsa_private_prepare returns 0 or MOTE_EINVAL (bad key; the context
 * is then zeroed and signing with it gives MOTE_EINVAL). The signing calls
 * behave and return as mote_rsa_pkcs1_sign and mote_rsa_pss_sign. */
#define MOTE_RSA_PREPARED_WORDS 704
struct mote_rsa_prepared {
    uint64_t w[MOTE_RSA_PREPARED_WORDS];
};
int mote_rsa_private_prepare(struct mote_rsa_prepared *ctx,
                             const struct mote_rsa_private *key);
void mote_rsa_prepared_wipe(struct mote_rsa_prepared *ctx);
/* Signature length of a prepared key (0 if preparation failed). */
size_t mote_rsa_prepared_len(const struct mote_rsa_prepared *ctx);
int mote_rsa_prepared_pkcs1_sign(struct mote_rsa_prepared *ctx,
                                 enum mote_hash_alg h, const uint8_t *hash,
                                 size_t hash_len, uint8_t *sig, size_t cap,
                                 mote_pk_rng_fn rng, void *rng_ctx);
int mote_rsa_prepared_pss_sign(struct mote_rsa_prepared *ctx,
                               enum mote_hash_alg h, size_t salt_len,
                               const uint8_t *hash, size_t hash_len,
                               uint8_t *sig, size_t cap, mote_pk_rng_fn rng,
                               void *rng_ctx);

/* Key generation (FIPS 186-5 appendix A.1.3, random probable primes):
 * bits must be a multiple of 128 in [2048, 4096]; e = 65537. The key is
 * written into buf (cap at least MOTE_RSA_KEYGEN_LEN(bits)) and key's
 * pointers are set into it: n (bits/8 bytes), e (3 bytes), then p, q, dp,
 * dq, qinv (bits/16 bytes each, fixed width: leading zero bytes possible,
 * so a DER writer must strip them). p and q have their top two bits set
 * (n has exactly bits bits), are 3 mod 4, have p - 1 and q - 1 prime to e,
 * differ in their top 100 bits, and pass trial division and Miller-Rabin
 * with FIPS 186-5 table B.1's round counts for 2^-100 error (5 rounds for
 * 1024-bit primes, 4 above). Randomness: rng, or mote_random() if rng is
 * NULL. Constant time as far as practical: the primality verdicts of
 * rejected candidates (random values thrown away) are public, everything
 * done on the primes kept (exponentiations, inversions, products) is
 * constant time; the trial division and the division by e use the CPU's
 * divide instruction, whose latency may vary with the operands on some
 * CPUs. Returns 0, MOTE_EINVAL (bits), MOTE_ENOSPC (cap) or MOTE_EIO (the
 * hook failed); on error buf is wiped. Takes about 0.15 s of CPU for 2048
 * bits on average (it varies widely: primes are found by chance), 1 s for
 * 3072 and 3 s for 4096 on a current x86-64 core. */
#define MOTE_RSA_KEYGEN_LEN(bits) ((bits) / 8 + 3 + 5 * ((bits) / 16))
int mote_rsa_generate(struct mote_rsa_private *key, uint8_t *buf, size_t cap,
                      unsigned bits, mote_pk_rng_fn rng, void *rng_ctx);
/* The same, and (if d is not NULL) the private exponent d = e^-1 mod
 * (p - 1)(q - 1) that RSAPrivateKey (RFC 8017 A.1.2) carries, written to d
 * as bits/8 big-endian bytes (fixed width: leading zero bytes possible).
 * d < (p - 1)(q - 1) and e d = 1 mod lcm(p - 1, q - 1), as RFC 8017 3.2
 * asks. On error d is left untouched. */
int mote_rsa_generate_d(struct mote_rsa_private *key, uint8_t *buf, size_t cap,
                        unsigned bits, uint8_t *d, mote_pk_rng_fn rng,
                        void *rng_ctx);

/* ---- ML-KEM-768 (FIPS 203) ----------------------------------------------- */

#define MOTE_MLKEM768_PUB_LEN  1184 /* encapsulation key ek */
#define MOTE_MLKEM768_PRIV_LEN 2400 /* decapsulation key dk */
#define MOTE_MLKEM768_CT_LEN   1088
#define MOTE_MLKEM768_SS_LEN   32

/* ML-KEM.KeyGen_internal(d, z): seed is d || z (64 bytes). */
void mote_mlkem768_keygen_seed(uint8_t pub[MOTE_MLKEM768_PUB_LEN],
                               uint8_t priv[MOTE_MLKEM768_PRIV_LEN],
                               const uint8_t seed[64]);
/* KeyGen with 64 random bytes from rng. 0 or the hook's error. */
int mote_mlkem768_keygen(uint8_t pub[MOTE_MLKEM768_PUB_LEN],
                         uint8_t priv[MOTE_MLKEM768_PRIV_LEN],
                         mote_pk_rng_fn rng, void *rng_ctx);

/* ML-KEM.Encaps_internal(ek, m). Runs the encapsulation key check of FIPS
 * 203 section 7.2 (every coefficient below q): MOTE_EINVAL if it fails. */
int mote_mlkem768_encaps_seed(uint8_t ct[MOTE_MLKEM768_CT_LEN],
                              uint8_t ss[MOTE_MLKEM768_SS_LEN],
                              const uint8_t pub[MOTE_MLKEM768_PUB_LEN],
                              const uint8_t m[32]);
int mote_mlkem768_encaps(uint8_t ct[MOTE_MLKEM768_CT_LEN],
                         uint8_t ss[MOTE_MLKEM768_SS_LEN],
                         const uint8_t pub[MOTE_MLKEM768_PUB_LEN],
                         mote_pk_rng_fn rng, void *rng_ctx);

/* ML-KEM.Decaps with implicit rejection: a bad ciphertext yields the
 * pseudo-random key J(z || c), chosen in constant time. Returns 0, or
 * MOTE_EINVAL if priv fails the decapsulation key check of section 7.3
 * (its hash H(ek) does not match). */
int mote_mlkem768_decaps(uint8_t ss[MOTE_MLKEM768_SS_LEN],
                         const uint8_t ct[MOTE_MLKEM768_CT_LEN],
                         const uint8_t priv[MOTE_MLKEM768_PRIV_LEN]);

#endif

/* Private interfaces shared by the public-key crypto files (src/crypto/pk_*,
 * bn*, ec_*, x25519*, ed25519*, rsa*, mlkem*). */
#ifndef MOTE_CRYPTO_PK_INT_H
#define MOTE_CRYPTO_PK_INT_H

#include <stddef.h>
#include <stdint.h>

#include <mote/crypto_pk.h>

/*
 * IMPLEMENTATION NOTES
 *
 * Hashes and HMAC come from <mote/crypto.h>; SHA-3/SHAKE (only ML-KEM
 * needs them) are in mlkem_keccak.c.
 *
 * Big numbers (bn.c): little-endian arrays of 64-bit limbs, fixed length
 * chosen by the caller (no normalisation, no allocation). Montgomery
 * multiplication is CIOS with R = 2^(64 * len); all secret-facing
 * operations run in time that depends only on len.
 */

/* ---- Helpers ---------------------------------------------------------------
 */

/* Declassify: 1 if v is nonzero, else 0, through a real branch in this
 * one function. Used only where a secret-derived bit is public by design
 * (an API verdict: "the key is out of range", "the signature failed its
 * fault check"). The valgrind constant-time check suppresses reports from
 * this function alone (tests/ct/ct_pk.supp) and nowhere else. */
int pk__declassify(uint64_t v);

/* 0 if equal, nonzero otherwise, in time depending only on n. */
uint32_t pk__ct_neq(const uint8_t *a, const uint8_t *b, size_t n);

/* Constant-time masks: all ones if the condition holds, else zero. */
static inline uint64_t pk__mask_nz64(uint64_t x)
{
    return (uint64_t)0 - ((x | ((uint64_t)0 - x)) >> 63);
}
static inline uint64_t pk__mask_lt64(uint64_t a, uint64_t b)
{
    /* borrow of a - b */
    return (uint64_t)0 - (((~a & b) | ((~a | b) & (a - b))) >> 63);
}

/* ---- Big numbers (bn.c) -----------------------------------------------------
 */

typedef uint64_t pk_limb;
typedef unsigned __int128 pk_dlimb;

#define BN_MAX_LIMBS 64 /* 4096 bits */

/* A modulus prepared for Montgomery arithmetic: m odd, len limbs, m0i =
 * -m^-1 mod 2^64, rr = R^2 mod m. */
struct bn_mont {
    size_t len;
    pk_limb m0i;
    pk_limb m[BN_MAX_LIMBS];
    pk_limb rr[BN_MAX_LIMBS];
};

/* Big-endian bytes -> len limbs. Returns MOTE_EINVAL if the value does not
 * fit (the check is on the public length and high bytes; use only for
 * public lengths). */
int bn_from_bytes(pk_limb *r, size_t len, const uint8_t *in, size_t in_len);
/* len limbs -> out_len big-endian bytes (value must fit; excess limbs
 * dropped). */
void bn_to_bytes(uint8_t *out, size_t out_len, const pk_limb *a, size_t len);

pk_limb bn_add(pk_limb *r, const pk_limb *a, const pk_limb *b, size_t len);
/* r = a w + c (len limbs); returns the carry limb. */
pk_limb bn_mul_word(pk_limb *r, const pk_limb *a, pk_limb w, pk_limb c,
                    size_t len);
pk_limb bn_sub(pk_limb *r, const pk_limb *a, const pk_limb *b, size_t len);
/* r = a if mask is all ones, else unchanged. */
void bn_cmov(pk_limb *r, const pk_limb *a, size_t len, pk_limb mask);
/* All ones if a < b. */
pk_limb bn_lt_mask(const pk_limb *a, const pk_limb *b, size_t len);
/* All ones if a == 0. */
pk_limb bn_zero_mask(const pk_limb *a, size_t len);
/* r = a + b mod m, r = a - b mod m for a, b < m. */
void bn_mod_add(pk_limb *r, const pk_limb *a, const pk_limb *b,
                const pk_limb *m, size_t len);
void bn_mod_sub(pk_limb *r, const pk_limb *a, const pk_limb *b,
                const pk_limb *m, size_t len);

/* Fixed-size versions (len 4 and 6; the len argument is ignored), same
 * contracts: the compiler unrolls them. */
void bn_mont_mul4(pk_limb *r, const pk_limb *a, const pk_limb *b,
                  const struct bn_mont *mt);
void bn_mont_mul6(pk_limb *r, const pk_limb *a, const pk_limb *b,
                  const struct bn_mont *mt);
void bn_mod_add4(pk_limb *r, const pk_limb *a, const pk_limb *b,
                 const pk_limb *m, size_t len);
void bn_mod_add6(pk_limb *r, const pk_limb *a, const pk_limb *b,
                 const pk_limb *m, size_t len);
void bn_mod_sub4(pk_limb *r, const pk_limb *a, const pk_limb *b,
                 const pk_limb *m, size_t len);
void bn_mod_sub6(pk_limb *r, const pk_limb *a, const pk_limb *b,
                 const pk_limb *m, size_t len);

/* The same for P-256's field prime only (mt, m and len are ignored). */
void bn_mont_mul_p256(pk_limb *r, const pk_limb *a, const pk_limb *b,
                      const struct bn_mont *mt);
void bn_mod_add_p256(pk_limb *r, const pk_limb *a, const pk_limb *b,
                     const pk_limb *m, size_t len);
void bn_mod_sub_p256(pk_limb *r, const pk_limb *a, const pk_limb *b,
                     const pk_limb *m, size_t len);

/* Prepare mt for odd modulus m (len limbs; public). */
int bn_mont_init(struct bn_mont *mt, const pk_limb *m, size_t len);
/* Same for a secret odd modulus (an RSA prime): no checks, no branch on
 * m; R^2 mod m by 65 len constant-time doublings and six squarings. */
void bn_mont_init_secret(struct bn_mont *mt, const pk_limb *m, size_t len);
/* Same for a secret m whose top bit (bit 64 len - 1) is known to be set
 * (from public facts: an RSA prime of a modulus of exactly 64 (pl + ql)
 * bits, a generated prime): R^2 from 2^(64 len - 1) by len + 1 doublings
 * and six squarings, a sixtieth of the work. A wrong promise gives a
 * wrong rr, never a memory error. */
void bn_mont_init_secret_top(struct bn_mont *mt, const pk_limb *m, size_t len);
/* r = a * b / R mod m. Needs a < R, b < m; gives r < m. r may alias. */
void bn_mont_mul(pk_limb *r, const pk_limb *a, const pk_limb *b,
                 const struct bn_mont *mt);
/* r = a^2 / R mod m for a < m (fewer products than bn_mont_mul). */
void bn_mont_sqr(pk_limb *r, const pk_limb *a, const struct bn_mont *mt);
/* r = a * R mod m (a < R), and back: r = a / R mod m. */
void bn_to_mont(pk_limb *r, const pk_limb *a, const struct bn_mont *mt);
void bn_from_mont(pk_limb *r, const pk_limb *a, const struct bn_mont *mt);
/* r = x mod m for x of 2 * len limbs (x < R^2). */
void bn_reduce_wide(pk_limb *r, const pk_limb *x, const struct bn_mont *mt);
/* r = a^e mod m (a < m, plain form in and out); e is elen limbs and
 * secret: fixed 4-bit windows with constant-time table lookup, time
 * depends only on elen and mt->len. */
void bn_mod_exp_ct(pk_limb *r, const pk_limb *a, const pk_limb *e, size_t elen,
                   const struct bn_mont *mt);
/* Same for a public exponent (variable time, square and multiply). */
void bn_mod_exp_pub(pk_limb *r, const pk_limb *a, const pk_limb *e, size_t elen,
                    const struct bn_mont *mt);
/* r1 = a1^e1 mod m1 and r2 = a2^e2 mod m2 in constant time, for two
 * 1024-bit moduli (len 16; e1, e2 16 limbs; a < m) with AVX-512 IFMA
 * (bn_ifma.c). MOTE_ENOTSUP (nothing done) when the CPU lacks IFMA or a
 * length is not 16: the caller then uses bn_mod_exp_ct. */
int bn_mod_exp2_ct_ifma(pk_limb *r1, const pk_limb *a1, const pk_limb *e1,
                        const struct bn_mont *m1, pk_limb *r2,
                        const pk_limb *a2, const pk_limb *e2,
                        const struct bn_mont *m2);

/* r = x 2^64 mod m for a public m (top limb non-zero, len limbs), x < m;
 * variable time. */
void bn_shl64_mod_pub(pk_limb *r, const pk_limb *x, const pk_limb *m,
                      size_t len);
/* r = a^e mod m for a public 2048-bit-class modulus (len 32, top limb
 * non-zero, mt from bn_mont_init), public a < m and e (elen limbs, e > 0),
 * with AVX-512 IFMA (bn_ifma.c), variable time. MOTE_ENOTSUP (nothing
 * done) when the CPU lacks IFMA, AVX-512 is disabled or len != 32. */
int bn_mod_exp_pub_ifma2048(pk_limb *r, const pk_limb *a, const pk_limb *e,
                            size_t elen, const struct bn_mont *mt);

/* r1 = a1^e mod m1 and r2 = a2^e mod m2 for a public e (elen limbs) and
 * two 1024-bit moduli (len 16, a < m) with AVX-512 IFMA (bn_ifma.c):
 * square-and-multiply, constant time in the bases. MOTE_ENOTSUP (nothing
 * done) as for bn_mod_exp2_ct_ifma. */
int bn_mod_exp2_pub_ifma(pk_limb *r1, const pk_limb *a1,
                         const struct bn_mont *m1, pk_limb *r2,
                         const pk_limb *a2, const struct bn_mont *m2,
                         const pk_limb *e, size_t elen);

/* r = a^-1 mod m for odd m, a < m; constant time (fixed iteration binary
 * GCD). Returns all ones if a was invertible, 0 if not (then r is junk). */
pk_limb bn_mod_inv_odd(pk_limb *r, const pk_limb *a, const pk_limb *m,
                       size_t len);
/* r = w^-1 mod m for an odd w < 2^63 and an odd m > w prime to it (an
 * RSA prime and a random blinding word); constant time, about a
 * hundredth of bn_mod_inv_odd: m mod w by Montgomery steps, the inverse
 * mod w by a 64-bit binary GCD, then r = (1 + m k) / w with k = -m^-1
 * mod w, an exact division. If w and m are not coprime, r is junk. */
void bn_mod_inv_word(pk_limb *r, pk_limb w, const pk_limb *m, size_t len);

/* ---- P-256 (p256.c, p256_fe.h) -------------------------------------------
 * Scalars are 4 little-endian limbs, or 32 big-endian bytes, already
 * checked by the caller to be in [1, n - 1]; points are SEC 1 encodings. */

/* p256__base_table[i][j - 1] = j 64^i G, affine Montgomery (x, y), for
 * j = 1..32: generated at build time ($(B)/gen/ec_tables.c by
 * tools/gen_ec_tables.c). */
extern const uint64_t p256__base_table[43][32][8];
/* Decode and validate a point: 0 or MOTE_EINVAL. */
int p256__check_public(const uint8_t *pub, size_t pub_len);
/* pub = [k]G, uncompressed; constant time in k. */
void p256__public(uint8_t pub[65], const uint8_t k[32]);
/* shared = x([k]peer); constant time in k. 0 or MOTE_EINVAL. */
int p256__ecdh(uint8_t shared[32], const uint8_t k[32], const uint8_t *peer,
               size_t peer_len);
/* ECDSA core: r = x([k]G) mod n, s = k^-1 (z + r d) mod n (z < n);
 * constant time in k and d. */
void p256__sign(uint64_t r[4], uint64_t s[4], const uint64_t k[4],
                const uint64_t d[4], const uint64_t z[4]);
/* ECDSA verification for 0 < r, s < n, z < n: 0, MOTE_EINVAL (bad key)
 * or MOTE_EPROTO (bad signature). Variable time (public inputs). */
int p256__verify(const uint8_t *pub, size_t pub_len, const uint64_t z[4],
                 const uint64_t r[4], const uint64_t s[4]);

/* P-384's fixed-base table (ec_weier.c): j 16^i G for i < 96, j = 1..15,
 * affine Montgomery (x, y), six limbs each; generated at build time. */
extern const uint64_t p384__base_table[96][15][12];

/* Ed25519's fixed-base table (ed25519.c): j 16^i B for j = 1..8 as
 * (y + x, y - x, 2 d x y), five 51-bit limbs each; generated at build
 * time with p256__base_table. */
extern const uint64_t ed25519__base_table[64][8][15];

/* ---- GF(2^255 - 19) (x25519_fe.c) ------------------------------------------
 */

/* Five 51-bit limbs, loosely reduced (each limb < 2^52 between calls). */
typedef struct {
    uint64_t v[5];
} fe25519;

void fe25519_frombytes(fe25519 *r, const uint8_t in[32]); /* ignores bit 255 */
void fe25519_tobytes(uint8_t out[32], const fe25519 *a);  /* canonical */
void fe25519_0(fe25519 *r);
void fe25519_1(fe25519 *r);
void fe25519_add(fe25519 *r, const fe25519 *a, const fe25519 *b);
void fe25519_sub(fe25519 *r, const fe25519 *a, const fe25519 *b);
void fe25519_neg(fe25519 *r, const fe25519 *a);
void fe25519_mul(fe25519 *r, const fe25519 *a, const fe25519 *b);
void fe25519_sq(fe25519 *r, const fe25519 *a);
void fe25519_mul_small(fe25519 *r, const fe25519 *a, uint32_t k);
void fe25519_invert(fe25519 *r, const fe25519 *a);
/* a^((p-5)/8), for square roots. */
void fe25519_pow22523(fe25519 *r, const fe25519 *a);
/* Swap / move when bit (0 or 1) is set; constant time. */
void fe25519_cswap(fe25519 *a, fe25519 *b, uint64_t bit);
void fe25519_cmov(fe25519 *r, const fe25519 *a, uint64_t bit);
int fe25519_isnegative(const fe25519 *a); /* low bit of canonical form */
int fe25519_iszero(const fe25519 *a);

/* ---- Keccak (mlkem_keccak.c) ------------------------------------------------
 */

struct pk__keccak {
    uint64_t s[25];
    size_t pos, rate;
    uint8_t pad;
};
void pk__keccak_f1600(uint64_t s[25]);
void pk__sha3_256(uint8_t out[32], const uint8_t *in, size_t len);
void pk__sha3_512(uint8_t out[64], const uint8_t *in, size_t len);
/* SHAKE128 (rate 168) / SHAKE256 (rate 136): init, absorb, then squeeze. */
void pk__shake_init(struct pk__keccak *k, unsigned bits);
void pk__shake_absorb(struct pk__keccak *k, const uint8_t *in, size_t len);
void pk__shake_finish(struct pk__keccak *k);
void pk__shake_squeeze(struct pk__keccak *k, uint8_t *out, size_t len);

#endif

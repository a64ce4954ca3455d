/* Private helpers shared by the files of src/crypto. */
#ifndef MOTE_CRYPTO_INT_H
#define MOTE_CRYPTO_INT_H

#include <stddef.h>
#include <stdint.h>

/*
 * IMPLEMENTATION NOTES
 *
 * Byte order: every primitive here is defined on big- or little-endian words
 * of a byte string; load/store go through these helpers so that the code is
 * correct on any host and the compiler turns them into single moves.
 *
 * Constant time: no secret value may choose a branch or an array index. Where
 * a choice depends on a secret we compute both sides and select with a mask
 * (ct_mask32 below). The valgrind ct-check (tests/ct/) enforces it.
 *
 * Run-time dispatch: files named *_x86.c hold code compiled with
 * __attribute__((target(...))) for AES-NI/PCLMULQDQ/SSE2/AVX2 and are only
 * called after crypto__cpu() says the CPU has those features. On other
 * architectures they compile to stubs that report "absent".
 */

static inline uint32_t ld32be(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static inline uint64_t ld64be(const uint8_t *p)
{
    return (uint64_t)ld32be(p) << 32 | ld32be(p + 4);
}

static inline void st32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline void st64be(uint8_t *p, uint64_t v)
{
    st32be(p, (uint32_t)(v >> 32));
    st32be(p + 4, (uint32_t)v);
}

static inline uint32_t ld32le(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 |
           p[0];
}

static inline uint64_t ld64le(const uint8_t *p)
{
    return (uint64_t)ld32le(p + 4) << 32 | ld32le(p);
}

static inline void st32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void st64le(uint8_t *p, uint64_t v)
{
    st32le(p, (uint32_t)v);
    st32le(p + 4, (uint32_t)(v >> 32));
}

static inline uint32_t rotl32(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

static inline uint32_t rotr32(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

static inline uint64_t rotr64(uint64_t x, unsigned n)
{
    return (x >> n) | (x << (64 - n));
}

/* CPU features, detected once (cpuid on x86-64; none elsewhere). */
enum {
    CRYPTO_CPU_SSE2 = 1u << 0,
    CRYPTO_CPU_SSSE3 = 1u << 1,
    CRYPTO_CPU_AVX2 = 1u << 2,
    CRYPTO_CPU_AESNI = 1u << 3,
    CRYPTO_CPU_PCLMUL = 1u << 4,
    CRYPTO_CPU_SSE41 = 1u << 5,
    CRYPTO_CPU_SHA = 1u << 6,
    CRYPTO_CPU_VAES = 1u << 7,   /* VAES + VPCLMULQDQ on YMM (with AVX2) */
    CRYPTO_CPU_AVX512 = 1u << 8, /* AVX-512F with the OS saving ZMM */
    CRYPTO_CPU_IFMA = 1u << 9,   /* AVX-512 IFMA (with AVX512) */
    CRYPTO_CPU_BMI2 = 1u << 10,  /* BMI2 (rorx, andn with BMI1) */
};
/* SHA-1/SHA-2 block plumbing (md.c). compress(state, blocks, n) hashes n
 * whole blocks. md_update buffers a partial block in buf and counts *len
 * bytes; md_pad appends 0x80, zeros and the bit length (in the last
 * lenbytes, 8 or 16, of the block) and compresses the final block(s). */
typedef void (*crypto__compress_fn)(void *state, const uint8_t *blocks,
                                    size_t n);
void crypto__md_update(void *state, crypto__compress_fn compress, uint8_t *buf,
                       size_t block, uint64_t *len, const uint8_t *p, size_t n);
void crypto__md_pad(void *state, crypto__compress_fn compress, uint8_t *buf,
                    size_t block, uint64_t len, size_t lenbytes);

unsigned crypto__cpu(void);
/* Tests and ct-check force the portable paths by masking features out. */
void crypto__cpu_mask(unsigned mask);

/* ChaCha20 (chacha.c, chacha_x86.c). The state is the 16-word input block
 * of RFC 8439 section 2.3; st[12] is the block counter. The SIMD functions
 * process whole groups of 4 (SSE2) or 8 (AVX2) blocks from the start of in,
 * advance st[12] past them and return the number of bytes done; the caller
 * finishes the tail with the portable code. */
void crypto__chacha20_setup(uint32_t st[16], const uint8_t key[32],
                            const uint8_t nonce[12], uint32_t counter);
void crypto__chacha20_block(const uint32_t in[16], uint8_t out[64]);
size_t crypto__chacha20_sse2(uint32_t st[16], const uint8_t *in, uint8_t *out,
                             size_t len);
size_t crypto__chacha20_avx2(uint32_t st[16], const uint8_t *in, uint8_t *out,
                             size_t len);
size_t crypto__chacha20_avx512(uint32_t st[16], const uint8_t *in, uint8_t *out,
                               size_t len);

/* AES (aes.c, gcm_x86.c). Round keys are the FIPS 197 key schedule as
 * bytes, rk[0] first; the portable encrypt works on 1..4 blocks in place. */
void crypto__aes_expand(uint8_t rk[15][16], unsigned *rounds,
                        const uint8_t *key, size_t keylen);
/* The two expansions crypto__aes_expand chooses between (by CRYPTO_CPU_AESNI;
 * tests call both): the portable one (a 4-byte bitsliced SubWord), and the
 * AES-NI one (gcm_x86.c: AESKEYGENASSIST for 128 and 256-bit keys, the
 * generic schedule with an AESENCLAST SubWord for 192; only call it when
 * crypto__cpu() reports AES-NI). crypto__aes_expand_words is the FIPS 197
 * schedule on 32-bit words with a caller's SubWord (bytes in memory order:
 * byte 0 is the low byte). */
void crypto__aes_expand_portable(uint8_t rk[15][16], unsigned *rounds,
                                 const uint8_t *key, size_t keylen);
void crypto__aes_x86_expand(uint8_t rk[15][16], unsigned *rounds,
                            const uint8_t *key, size_t keylen);
void crypto__aes_expand_words(uint8_t rk[15][16], unsigned *rounds,
                              const uint8_t *key, size_t keylen,
                              uint32_t (*sub_word)(uint32_t));
void crypto__aes_bitslice_keys(const uint8_t rk[15][16], unsigned rounds,
                               uint64_t rkb[15][8]);
void crypto__aes_encrypt_portable(const uint64_t rkb[15][8], unsigned rounds,
                                  uint8_t *blocks, size_t n);

/* AES-GCM backends (gcm.c, gcm_x86.c). ctx->impl says which one init chose;
 * the x86 one needs AES-NI, PCLMULQDQ and SSSE3. crypto__aes_x86_ctr does
 * whole blocks only and returns the bytes it did (advancing ctr by inc32). */
struct mote_aes_gcm_ctx;
enum { GCM_IMPL_PORTABLE = 1, GCM_IMPL_X86 = 2 };
void crypto__ghash_portable(const uint8_t h[16], uint8_t y[16],
                            const uint8_t *in, size_t nblocks);
void crypto__gcm_x86_init(struct mote_aes_gcm_ctx *ctx);
void crypto__aes_x86_encrypt_block(const struct mote_aes_gcm_ctx *ctx,
                                   const uint8_t in[16], uint8_t out[16]);
size_t crypto__aes_x86_ctr(const struct mote_aes_gcm_ctx *ctx, uint8_t ctr[16],
                           const uint8_t *in, uint8_t *out, size_t len);
void crypto__ghash_x86(const struct mote_aes_gcm_ctx *ctx, uint8_t y[16],
                       const uint8_t *in, size_t nblocks);
/* CTR-encrypt whole 128-byte chunks of in and fold the ciphertext into the
 * GHASH value y as it goes; returns the bytes done (len rounded down). */
size_t crypto__aes_gcm_x86_seal(const struct mote_aes_gcm_ctx *ctx,
                                uint8_t ctr[16], uint8_t y[16],
                                const uint8_t *in, uint8_t *out, size_t len);
/* The same with VAES and VPCLMULQDQ on 256-bit registers, 256-byte chunks;
 * needs CRYPTO_CPU_VAES. */
size_t crypto__aes_gcm_vaes_seal(const struct mote_aes_gcm_ctx *ctx,
                                 uint8_t ctr[16], uint8_t y[16],
                                 const uint8_t *in, uint8_t *out, size_t len);
/* GHASH of whole 16-block groups and CTR of whole 256-byte chunks with VAES
 * and VPCLMULQDQ (open's two passes); both return what they did (blocks
 * and bytes). */
size_t crypto__ghash_vaes(const struct mote_aes_gcm_ctx *ctx, uint8_t y[16],
                          const uint8_t *in, size_t nblocks);
size_t crypto__aes_vaes_ctr(const struct mote_aes_gcm_ctx *ctx, uint8_t ctr[16],
                            const uint8_t *in, uint8_t *out, size_t len);

/* SHA-NI block functions (sha_x86.c); need CRYPTO_CPU_SHA (which cpu.c only
 * reports together with SSSE3 and SSE4.1). */
void crypto__sha256_shani(uint32_t h[8], const uint8_t *p, size_t nblocks);
void crypto__sha1_shani(uint32_t h[5], const uint8_t *p, size_t nblocks);

/* SHA-512 (sha512.c, sha_x86.c). One round (FIPS 180-4 6.4.2 step 3) on
 * the working variables a..hh of the caller, wk the message word plus the
 * round constant. Written for a short dependency chain: what does not
 * depend on this round's e (hh + wk + Ch) is summed first, S1(e) last,
 * and e's update adds d to that; Maj(a, b, c) = b ^ ((a ^ b) & (b ^ c))
 * with b ^ c carried in bc from the round before (its a ^ b). */
#define SHA512_S0(x) (rotr64(x, 28) ^ rotr64(x, 34) ^ rotr64(x, 39))
#define SHA512_S1(x) (rotr64(x, 14) ^ rotr64(x, 18) ^ rotr64(x, 41))
#define SHA512_ROUND(wk)                                                       \
    do {                                                                       \
        uint64_t t1_ = hh + (wk) + ((e & f) ^ (~e & g));                       \
        t1_ += SHA512_S1(e);                                                   \
        uint64_t ab_ = a ^ b, maj_ = b ^ (ab_ & bc);                           \
        bc = ab_;                                                              \
        hh = g;                                                                \
        g = f;                                                                 \
        f = e;                                                                 \
        e = d + t1_;                                                           \
        d = c;                                                                 \
        c = b;                                                                 \
        b = a;                                                                 \
        a = t1_ + maj_ + SHA512_S0(b);                                         \
    } while (0)
/* The working variables added back into the state after a block. */
#define SHA512_FEED_FORWARD(h)                                                 \
    ((h)[0] += a, (h)[1] += b, (h)[2] += c, (h)[3] += d, (h)[4] += e,          \
     (h)[5] += f, (h)[6] += g, (h)[7] += hh)
/* The 80 constants K (sha512.c). */
extern const uint64_t crypto__sha512_k[80];
/* n whole blocks with AVX2 and BMI2 (sha_x86.c): needs CRYPTO_CPU_AVX2 and
 * CRYPTO_CPU_BMI2. */
void crypto__sha512_avx2(uint64_t h[8], const uint8_t *p, size_t nblocks);

/* Poly1305 bulk blocks with AVX2 (poly1305_x86.c): h and r in the 44-bit
 * limbs of chacha.c; processes whole groups of 4 full blocks and returns
 * the number of blocks done. */
size_t crypto__poly1305_avx2(uint64_t h[3], const uint64_t r[3],
                             const uint8_t *m, size_t nblocks);
size_t crypto__poly1305_avx512(uint64_t h[3], const uint64_t r[3],
                               const uint8_t *m, size_t nblocks);

#endif

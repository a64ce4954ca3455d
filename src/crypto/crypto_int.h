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
};
unsigned crypto__cpu(void);
/* Tests and ct-check force the portable paths by masking features out. */
void crypto__cpu_mask(unsigned mask);

#endif

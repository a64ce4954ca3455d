/* CPU feature detection for the run-time choice of crypto implementations. */
#include "crypto_int.h"

/* Detected features, and a mask tests use to force the portable paths.
 * Written once at first use; the platform is single-threaded. */
static unsigned detected, detected_done;
static unsigned feature_mask = ~0u;

#if defined(__x86_64__)
static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

static unsigned detect(void)
{
    uint32_t r[4];
    unsigned f = 0;
    cpuid(0, 0, r);
    uint32_t max = r[0];
    cpuid(1, 0, r);
    if (r[3] & (1u << 26))
        f |= CRYPTO_CPU_SSE2;
    if (r[2] & (1u << 9))
        f |= CRYPTO_CPU_SSSE3;
    if (r[2] & (1u << 19))
        f |= CRYPTO_CPU_SSE41;
    if (r[2] & (1u << 25))
        f |= CRYPTO_CPU_AESNI;
    if (r[2] & (1u << 1))
        f |= CRYPTO_CPU_PCLMUL;
    /* AVX2 needs the CPU bit and the OS saving YMM state (OSXSAVE, then
     * XCR0 bits 1 and 2). */
    int osxsave = (r[2] >> 27) & 1, avx = (r[2] >> 28) & 1;
    if (max >= 7 && osxsave && avx) {
        uint32_t lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        cpuid(7, 0, r);
        if ((lo & 6) == 6 && (r[1] & (1u << 5))) {
            f |= CRYPTO_CPU_AVX2;
            /* VAES (ECX bit 9) and VPCLMULQDQ (bit 10), used on YMM. */
            if ((r[2] & (3u << 9)) == (3u << 9))
                f |= CRYPTO_CPU_VAES;
            /* AVX-512F (EBX bit 16) and XCR0 opmask/ZMM state (bits 5-7). */
            if ((r[1] & (1u << 16)) && (lo & 0xe0) == 0xe0) {
                f |= CRYPTO_CPU_AVX512;
                /* AVX-512 IFMA: EBX bit 21. */
                if (r[1] & (1u << 21))
                    f |= CRYPTO_CPU_IFMA;
            }
        }
    }
    if (max >= 7) {
        cpuid(7, 0, r);
        if (r[1] & (1u << 8))
            f |= CRYPTO_CPU_BMI2;
        if ((r[1] & (1u << 29)) && (f & CRYPTO_CPU_SSSE3) &&
            (f & CRYPTO_CPU_SSE41))
            f |= CRYPTO_CPU_SHA;
    }
    return f;
}
#else
static unsigned detect(void)
{
    return 0;
}
#endif

unsigned crypto__cpu(void)
{
    if (!detected_done) {
        detected = detect();
        detected_done = 1;
    }
    return detected & feature_mask;
}

void crypto__cpu_mask(unsigned mask)
{
    feature_mask = mask;
}

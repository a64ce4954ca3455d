/* P-256 field arithmetic mod p = 2^256 - 2^224 + 2^192 + 2^96 - 1 and
 * Montgomery arithmetic for any 4-limb odd modulus (the group order n),
 * inline, shared by src/crypto/p256.c and the table generator
 * tools/gen_ec_tables.c (which must compute exactly what p256.c reads). */
#ifndef MOTE_CRYPTO_P256_FE_H
#define MOTE_CRYPTO_P256_FE_H

#include <stdint.h>

/*
 * IMPLEMENTATION NOTES
 *
 * Field elements are four little-endian 64-bit limbs in Montgomery form
 * (a R mod p, R = 2^256), always fully reduced (< p). Every function here
 * runs in time independent of the values: no branches or indices on the
 * data, carries handled with unsigned __int128. Because -p^-1 mod 2^64 is
 * 1 and p's third limb is zero, the compiler turns the reduction's
 * multiplications by the constant p into far fewer instructions than a
 * generic Montgomery reduction needs.
 */

typedef unsigned __int128 p256_u128;

#define P256_UNROLL _Pragma("GCC unroll 4")

static const uint64_t P256_FE_P[4] = {0xffffffffffffffff, 0x00000000ffffffff,
                                      0x0000000000000000, 0xffffffff00000001};
/* R mod p (Montgomery 1), R^2 mod p, b R mod p. */
static const uint64_t P256_FE_ONE[4] = {0x0000000000000001, 0xffffffff00000000,
                                        0xffffffffffffffff, 0x00000000fffffffe};
static const uint64_t P256_FE_RR[4] = {0x0000000000000003, 0xfffffffbffffffff,
                                       0xfffffffffffffffe, 0x00000004fffffffd};
static const uint64_t P256_FE_B[4] = {0xd89cdf6229c4bddf, 0xacf005cd78843090,
                                      0xe5a220abf7212ed6, 0xdc30061d04874834};

/* t (8 limbs) / R mod m into r, for t < m R: four Montgomery rounds and
 * one constant-time conditional subtraction. */
static inline __attribute__((always_inline)) void
p256_redc(uint64_t r[4], uint64_t t[8], const uint64_t m[4], uint64_t m0i)
{
    uint64_t top = 0, d[4], br = 0;
    P256_UNROLL
    for (int i = 0; i < 4; i++) {
        uint64_t q = t[i] * m0i, c = 0;
        P256_UNROLL
        for (int j = 0; j < 4; j++) {
            p256_u128 s = (p256_u128)q * m[j] + t[i + j] + c;
            t[i + j] = (uint64_t)s;
            c = (uint64_t)(s >> 64);
        }
        p256_u128 s = (p256_u128)t[i + 4] + c + top;
        t[i + 4] = (uint64_t)s;
        top = (uint64_t)(s >> 64);
    }
    P256_UNROLL
    for (int j = 0; j < 4; j++) {
        p256_u128 s = (p256_u128)t[4 + j] - m[j] - br;
        d[j] = (uint64_t)s;
        br = (uint64_t)(s >> 64) & 1;
    }
    /* keep t (skip the subtraction) iff it borrowed and nothing carried */
    uint64_t keep = (uint64_t)0 - (br & (top ^ 1));
    P256_UNROLL
    for (int j = 0; j < 4; j++)
        r[j] = (d[j] & ~keep) | (t[4 + j] & keep);
}

static inline __attribute__((always_inline)) void
p256_mont_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
              const uint64_t m[4], uint64_t m0i)
{
    uint64_t t[8];
    P256_UNROLL
    for (int i = 0; i < 4; i++) {
        uint64_t c = 0;
        P256_UNROLL
        for (int j = 0; j < 4; j++) {
            p256_u128 s = (p256_u128)a[j] * b[i] + (i ? t[i + j] : 0) + c;
            t[i + j] = (uint64_t)s;
            c = (uint64_t)(s >> 64);
        }
        t[i + 4] = c;
    }
    p256_redc(r, t, m, m0i);
}

static inline __attribute__((always_inline)) void
p256_mont_sqr(uint64_t r[4], const uint64_t a[4], const uint64_t m[4],
              uint64_t m0i)
{
    uint64_t t[8];
    p256_u128 s;
    uint64_t c;
    /* cross products a[i] a[j], i < j */
    s = (p256_u128)a[0] * a[1];
    t[1] = (uint64_t)s;
    s = (p256_u128)a[0] * a[2] + (uint64_t)(s >> 64);
    t[2] = (uint64_t)s;
    s = (p256_u128)a[0] * a[3] + (uint64_t)(s >> 64);
    t[3] = (uint64_t)s;
    t[4] = (uint64_t)(s >> 64);
    s = (p256_u128)a[1] * a[2] + t[3];
    t[3] = (uint64_t)s;
    s = (p256_u128)a[1] * a[3] + t[4] + (uint64_t)(s >> 64);
    t[4] = (uint64_t)s;
    t[5] = (uint64_t)(s >> 64);
    s = (p256_u128)a[2] * a[3] + t[5];
    t[5] = (uint64_t)s;
    t[6] = (uint64_t)(s >> 64);
    /* double them */
    t[7] = t[6] >> 63;
    t[6] = t[6] << 1 | t[5] >> 63;
    t[5] = t[5] << 1 | t[4] >> 63;
    t[4] = t[4] << 1 | t[3] >> 63;
    t[3] = t[3] << 1 | t[2] >> 63;
    t[2] = t[2] << 1 | t[1] >> 63;
    t[1] = t[1] << 1;
    /* add the squares */
    s = (p256_u128)a[0] * a[0];
    t[0] = (uint64_t)s;
    c = (uint64_t)(s >> 64);
    P256_UNROLL
    for (int i = 1; i < 4; i++) {
        p256_u128 q = (p256_u128)a[i] * a[i];
        s = (p256_u128)t[2 * i - 1] + c;
        t[2 * i - 1] = (uint64_t)s;
        s = (p256_u128)t[2 * i] + (uint64_t)q + (uint64_t)(s >> 64);
        t[2 * i] = (uint64_t)s;
        c = (uint64_t)(q >> 64) + (uint64_t)(s >> 64);
    }
    t[7] += c;
    p256_redc(r, t, m, m0i);
}

/* r = a + b mod m, r = a - b mod m (a, b < m), constant time. */
static inline __attribute__((always_inline)) void
p256_mod_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
             const uint64_t m[4])
{
    uint64_t s[4], d[4], c = 0, br = 0;
    P256_UNROLL
    for (int i = 0; i < 4; i++) {
        p256_u128 t = (p256_u128)a[i] + b[i] + c;
        s[i] = (uint64_t)t;
        c = (uint64_t)(t >> 64);
    }
    P256_UNROLL
    for (int i = 0; i < 4; i++) {
        p256_u128 t = (p256_u128)s[i] - m[i] - br;
        d[i] = (uint64_t)t;
        br = (uint64_t)(t >> 64) & 1;
    }
    uint64_t keep = (uint64_t)0 - (br & (c ^ 1));
    P256_UNROLL
    for (int i = 0; i < 4; i++)
        r[i] = (d[i] & ~keep) | (s[i] & keep);
}

static inline __attribute__((always_inline)) void
p256_mod_sub(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
             const uint64_t m[4])
{
    uint64_t s[4], br = 0, c = 0;
    P256_UNROLL
    for (int i = 0; i < 4; i++) {
        p256_u128 t = (p256_u128)a[i] - b[i] - br;
        s[i] = (uint64_t)t;
        br = (uint64_t)(t >> 64) & 1;
    }
    uint64_t mask = (uint64_t)0 - br;
    P256_UNROLL
    for (int i = 0; i < 4; i++) {
        p256_u128 t = (p256_u128)s[i] + (m[i] & mask) + c;
        r[i] = (uint64_t)t;
        c = (uint64_t)(t >> 64);
    }
}

/* ---- The field ---------------------------------------------------------- */

#if defined(__x86_64__)
/* The 512-bit product a b, operand scanning (%[a], %[b] in memory), with a
 * Montgomery step after each row: row 0 (a b[0]) into r8..r12, then for
 * each of the rows b[1..3] the step STEP(T0, .., T5) on the rotated
 * registers (q from T0; the sum of q m added into T0..T4, the carry into
 * T5) and the row (T5 zeroed, then a b[i] added into T1..T4 with its
 * carry into T5), a last step, leaving the result (< 2m) in r12, r13, r8, r9
 * plus a carry limb in r10. Shared by the multiplications mod p (below)
 * and mod n (p256.c), which differ in the step; clobbers rax, rdx, r8-r14
 * and whatever STEP uses. */
#define P256_ASM_MUL_ROW0                                                      \
    "movq 0(%[b]), %%rax\n\t"                                                  \
    "mulq 0(%[a])\n\t"                                                         \
    "movq %%rax, %%r8\n\t"                                                     \
    "movq %%rdx, %%r9\n\t"                                                     \
    "movq 0(%[b]), %%rax\n\t"                                                  \
    "mulq 8(%[a])\n\t"                                                         \
    "addq %%rax, %%r9\n\t"                                                     \
    "adcq $0, %%rdx\n\t"                                                       \
    "movq %%rdx, %%r10\n\t"                                                    \
    "movq 0(%[b]), %%rax\n\t"                                                  \
    "mulq 16(%[a])\n\t"                                                        \
    "addq %%rax, %%r10\n\t"                                                    \
    "adcq $0, %%rdx\n\t"                                                       \
    "movq %%rdx, %%r11\n\t"                                                    \
    "movq 0(%[b]), %%rax\n\t"                                                  \
    "mulq 24(%[a])\n\t"                                                        \
    "addq %%rax, %%r11\n\t"                                                    \
    "adcq $0, %%rdx\n\t"                                                       \
    "movq %%rdx, %%r12\n\t"                                                    \
    "xorq %%r13, %%r13\n\t"
/* T0..T3 += S * (M0, M1, M2, M3) (S a register or memory operand, the
 * Mi memory), the carry added into T4 and from there into T5; r14 carries
 * between limbs. A row of the product and the general Montgomery step. */
#define P256_ASM_MAC4(S, M0, M1, M2, M3, T0, T1, T2, T3, T4, T5)               \
    "movq " S ", %%rax\n\t"                                                    \
    "mulq " M0 "\n\t"                                                          \
    "addq %%rax, %%" T0 "\n\t"                                                 \
    "adcq $0, %%rdx\n\t"                                                       \
    "movq %%rdx, %%r14\n\t" P256_ASM_MAC(S, M1, T1) P256_ASM_MAC(S, M2, T2)    \
        P256_ASM_MAC(S, M3, T3) "addq %%r14, %%" T4 "\n\t"                     \
                                "adcq $0, %%" T5 "\n\t"
#define P256_ASM_MAC(S, M, T)                                                  \
    "movq " S ", %%rax\n\t"                                                    \
    "mulq " M "\n\t"                                                           \
    "addq %%r14, %%" T "\n\t"                                                  \
    "adcq $0, %%rdx\n\t"                                                       \
    "addq %%rax, %%" T "\n\t"                                                  \
    "adcq $0, %%rdx\n\t"                                                       \
    "movq %%rdx, %%r14\n\t"
/* Row b[i] (B = its byte offset) added into T0..T3, carry into T4, T5. */
#define P256_ASM_MUL_ROW(B, T0, T1, T2, T3, T4, T5)                            \
    "xorq %%" T5 ", %%" T5                                                     \
    "\n\t" P256_ASM_MAC4(B "(%[b])", "0(%[a])", "8(%[a])", "16(%[a])",         \
                         "24(%[a])", T0, T1, T2, T3, T4, T5)
#define P256_ASM_MUL_WIDE(STEP)                                                \
    P256_ASM_MUL_ROW0                                                          \
    STEP("r8", "r9", "r10", "r11", "r12", "r13")                               \
    P256_ASM_MUL_ROW("8", "r9", "r10", "r11", "r12", "r13", "r8")              \
    STEP("r9", "r10", "r11", "r12", "r13", "r8")                               \
    P256_ASM_MUL_ROW("16", "r10", "r11", "r12", "r13", "r8", "r9")             \
    STEP("r10", "r11", "r12", "r13", "r8", "r9")                               \
    P256_ASM_MUL_ROW("24", "r11", "r12", "r13", "r8", "r9", "r10")             \
    STEP("r11", "r12", "r13", "r8", "r9", "r10")

/* The whole r = a b / R mod m: the product with its steps, then the
 * result (< 2m) less m = (M0, M1, M2, M3) (asm operands), kept by cmov
 * unless that borrowed, stored to %[r]. */
#define P256_ASM_MUL_MONT(STEP, M0, M1, M2, M3)                                \
    P256_ASM_MUL_WIDE(STEP)                                                    \
    "movq %%r12, %%rax\n\t"                                                    \
    "movq %%r13, %%rdx\n\t"                                                    \
    "movq %%r8, %%r14\n\t"                                                     \
    "movq %%r9, %%r11\n\t"                                                     \
    "subq " M0 ", %%rax\n\t"                                                   \
    "sbbq " M1 ", %%rdx\n\t"                                                   \
    "sbbq " M2 ", %%r14\n\t"                                                   \
    "sbbq " M3 ", %%r11\n\t"                                                   \
    "sbbq $0, %%r10\n\t"                                                       \
    "cmovcq %%r12, %%rax\n\t"                                                  \
    "cmovcq %%r13, %%rdx\n\t"                                                  \
    "cmovcq %%r8, %%r14\n\t"                                                   \
    "cmovcq %%r9, %%r11\n\t"                                                   \
    "movq %%rax, 0(%[r])\n\t"                                                  \
    "movq %%rdx, 8(%[r])\n\t"                                                  \
    "movq %%r14, 16(%[r])\n\t"                                                 \
    "movq %%r11, 24(%[r])\n\t"

/* p's step: q = T0 (-p^-1 = 1 mod 2^64); T1 += q << 32, T2 += q >> 32,
 * T3:T4 += q p3, carry into T5. */
#define P256_FE_ASM_STEP(T0, T1, T2, T3, T4, T5)                               \
    "movq %%" T0 ", %%rax\n\t"                                                 \
    "movq %%" T0 ", %%r14\n\t"                                                 \
    "shlq $32, %%" T0 "\n\t"                                                   \
    "mulq %[p3]\n\t"                                                           \
    "shrq $32, %%r14\n\t"                                                      \
    "addq %%" T0 ", %%" T1 "\n\t"                                              \
    "adcq %%r14, %%" T2 "\n\t"                                                 \
    "adcq %%rax, %%" T3 "\n\t"                                                 \
    "adcq %%rdx, %%" T4 "\n\t"                                                 \
    "adcq $0, %%" T5 "\n\t"

/* r = a b / R mod p in x86-64 assembly (compilers keep too little of the
 * 128-bit carry chains in registers): operand scanning, one row of a b[i]
 * then one Montgomery step per limb. The step for p's special form needs
 * one multiplication: with q the low limb, t + q p = t + q 2^96 - q +
 * q p3 2^192 (p3 = 0xffffffff00000001) and the low limb cancels, so it
 * adds q << 32 and q >> 32 to limbs 1 and 2 and q p3 to limbs 3 and 4.
 * The result (< 2p, a fifth limb of 0 or 1) is reduced by a subtraction
 * kept or dropped with cmov. The rows and steps are the macros above
 * on rotating register names: mulq/adc/cmov only, no data-dependent
 * branch or address. */
static inline void p256_fe_mul(uint64_t r[4], const uint64_t a[4],
                               const uint64_t b[4])
{
    __asm__ volatile(
        P256_ASM_MUL_MONT(P256_FE_ASM_STEP, "$-1", "%[p1]", "$0", "%[p3]")
        :
        : [r] "r"(r), [a] "r"(a), [b] "r"(b), [p1] "m"(P256_FE_P[1]),
          [p3] "m"(P256_FE_P[3])
        : "rax", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "cc",
          "memory");
}
/* a^2 as a 512-bit product in r8 (low) .. r15 (high), with the operand
 * named %[a]: the cross products once, doubled, plus the squares.
 * Shared by the squarings mod p (below) and mod n (p256.c); clobbers
 * rax, rbx, rcx, rdx, r8-r15. */
#define P256_ASM_SQR_WIDE                                                      \
    "movq 0(%[a]), %%rax\n\t"                                                  \
    "mulq 8(%[a])\n\t"                                                         \
    "movq %%rax, %%r9\n\t"                                                     \
    "movq %%rdx, %%r10\n\t"                                                    \
    "movq 0(%[a]), %%rax\n\t"                                                  \
    "mulq 16(%[a])\n\t"                                                        \
    "addq %%rax, %%r10\n\t"                                                    \
    "adcq $0, %%rdx\n\t"                                                       \
    "movq %%rdx, %%r11\n\t"                                                    \
    "movq 0(%[a]), %%rax\n\t"                                                  \
    "mulq 24(%[a])\n\t"                                                        \
    "addq %%rax, %%r11\n\t"                                                    \
    "adcq $0, %%rdx\n\t"                                                       \
    "movq %%rdx, %%r12\n\t"                                                    \
    "xorq %%r13, %%r13\n\t"                                                    \
    "xorq %%r14, %%r14\n\t"                                                    \
    "movq 8(%[a]), %%rax\n\t"                                                  \
    "mulq 16(%[a])\n\t"                                                        \
    "addq %%rax, %%r11\n\t"                                                    \
    "adcq %%rdx, %%r12\n\t"                                                    \
    "adcq $0, %%r13\n\t"                                                       \
    "movq 8(%[a]), %%rax\n\t"                                                  \
    "mulq 24(%[a])\n\t"                                                        \
    "addq %%rax, %%r12\n\t"                                                    \
    "adcq %%rdx, %%r13\n\t"                                                    \
    "adcq $0, %%r14\n\t"                                                       \
    "movq 16(%[a]), %%rax\n\t"                                                 \
    "mulq 24(%[a])\n\t"                                                        \
    "addq %%rax, %%r13\n\t"                                                    \
    "adcq %%rdx, %%r14\n\t"                                                    \
    "xorq %%r15, %%r15\n\t"                                                    \
    "addq %%r9, %%r9\n\t"                                                      \
    "adcq %%r10, %%r10\n\t"                                                    \
    "adcq %%r11, %%r11\n\t"                                                    \
    "adcq %%r12, %%r12\n\t"                                                    \
    "adcq %%r13, %%r13\n\t"                                                    \
    "adcq %%r14, %%r14\n\t"                                                    \
    "adcq $0, %%r15\n\t"                                                       \
    "movq 0(%[a]), %%rax\n\t"                                                  \
    "mulq %%rax\n\t"                                                           \
    "movq %%rax, %%r8\n\t"                                                     \
    "movq %%rdx, %%rbx\n\t"                                                    \
    "movq 8(%[a]), %%rax\n\t"                                                  \
    "mulq %%rax\n\t"                                                           \
    "addq %%rbx, %%r9\n\t"                                                     \
    "adcq %%rax, %%r10\n\t"                                                    \
    "adcq %%rdx, %%r11\n\t"                                                    \
    "sbbq %%rcx, %%rcx\n\t"                                                    \
    "movq 16(%[a]), %%rax\n\t"                                                 \
    "mulq %%rax\n\t"                                                           \
    "negq %%rcx\n\t"                                                           \
    "adcq %%rax, %%r12\n\t"                                                    \
    "adcq %%rdx, %%r13\n\t"                                                    \
    "sbbq %%rcx, %%rcx\n\t"                                                    \
    "movq 24(%[a]), %%rax\n\t"                                                 \
    "mulq %%rax\n\t"                                                           \
    "negq %%rcx\n\t"                                                           \
    "adcq %%rax, %%r14\n\t"                                                    \
    "adcq %%rdx, %%r15\n\t"

/* r = a^2 / R mod p: the six cross products once, doubled, plus the four
 * squares (10 multiplications instead of 16), then four one-multiply
 * Montgomery steps on the low half, the high half added, one masked
 * subtraction (a < p, so the sum is below 2p). */
static inline void p256_fe_sqr(uint64_t r[4], const uint64_t a[4])
{
    __asm__ volatile(
        P256_ASM_SQR_WIDE "movq %%r8, %%rax\n\t"
                          "movq %%r8, %%rbx\n\t"
                          "shlq $32, %%r8\n\t"
                          "mulq %[p3]\n\t"
                          "shrq $32, %%rbx\n\t"
                          "addq %%r8, %%r9\n\t"
                          "adcq %%rbx, %%r10\n\t"
                          "adcq %%rax, %%r11\n\t"
                          "adcq $0, %%rdx\n\t"
                          "movq %%rdx, %%r8\n\t"
                          "movq %%r9, %%rax\n\t"
                          "movq %%r9, %%rbx\n\t"
                          "shlq $32, %%r9\n\t"
                          "mulq %[p3]\n\t"
                          "shrq $32, %%rbx\n\t"
                          "addq %%r9, %%r10\n\t"
                          "adcq %%rbx, %%r11\n\t"
                          "adcq %%rax, %%r8\n\t"
                          "adcq $0, %%rdx\n\t"
                          "movq %%rdx, %%r9\n\t"
                          "movq %%r10, %%rax\n\t"
                          "movq %%r10, %%rbx\n\t"
                          "shlq $32, %%r10\n\t"
                          "mulq %[p3]\n\t"
                          "shrq $32, %%rbx\n\t"
                          "addq %%r10, %%r11\n\t"
                          "adcq %%rbx, %%r8\n\t"
                          "adcq %%rax, %%r9\n\t"
                          "adcq $0, %%rdx\n\t"
                          "movq %%rdx, %%r10\n\t"
                          "movq %%r11, %%rax\n\t"
                          "movq %%r11, %%rbx\n\t"
                          "shlq $32, %%r11\n\t"
                          "mulq %[p3]\n\t"
                          "shrq $32, %%rbx\n\t"
                          "addq %%r11, %%r8\n\t"
                          "adcq %%rbx, %%r9\n\t"
                          "adcq %%rax, %%r10\n\t"
                          "adcq $0, %%rdx\n\t"
                          "movq %%rdx, %%r11\n\t"
                          "xorq %%rcx, %%rcx\n\t"
                          "addq %%r12, %%r8\n\t"
                          "adcq %%r13, %%r9\n\t"
                          "adcq %%r14, %%r10\n\t"
                          "adcq %%r15, %%r11\n\t"
                          "adcq $0, %%rcx\n\t"
                          "movq %%r8, %%r12\n\t"
                          "movq %%r9, %%r13\n\t"
                          "movq %%r10, %%r14\n\t"
                          "movq %%r11, %%r15\n\t"
                          "subq $-1, %%r12\n\t"
                          "sbbq %[p1], %%r13\n\t"
                          "sbbq $0, %%r14\n\t"
                          "sbbq %[p3], %%r15\n\t"
                          "sbbq $0, %%rcx\n\t"
                          "cmovcq %%r8, %%r12\n\t"
                          "cmovcq %%r9, %%r13\n\t"
                          "cmovcq %%r10, %%r14\n\t"
                          "cmovcq %%r11, %%r15\n\t"
                          "movq %%r12, 0(%[r])\n\t"
                          "movq %%r13, 8(%[r])\n\t"
                          "movq %%r14, 16(%[r])\n\t"
                          "movq %%r15, 24(%[r])\n\t"
        :
        : [r] "r"(r), [a] "r"(a), [p1] "m"(P256_FE_P[1]), [p3] "m"(P256_FE_P[3])
        : "rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13",
          "r14", "r15", "cc", "memory");
}
#else
static inline void p256_fe_mul(uint64_t r[4], const uint64_t a[4],
                               const uint64_t b[4])
{
    p256_mont_mul(r, a, b, P256_FE_P, 1);
}
static inline void p256_fe_sqr(uint64_t r[4], const uint64_t a[4])
{
    p256_mont_sqr(r, a, P256_FE_P, 1);
}
#endif
#if defined(__x86_64__)
/* r = a + b mod p: add, subtract p, keep the sum (cmov) if that borrowed. */
static inline void p256_fe_add(uint64_t r[4], const uint64_t a[4],
                               const uint64_t b[4])
{
    __asm__ volatile("movq 0(%[a]), %%r8\n\t"
                     "movq 8(%[a]), %%r9\n\t"
                     "movq 16(%[a]), %%r10\n\t"
                     "movq 24(%[a]), %%r11\n\t"
                     "xorq %%r12, %%r12\n\t"
                     "addq 0(%[b]), %%r8\n\t"
                     "adcq 8(%[b]), %%r9\n\t"
                     "adcq 16(%[b]), %%r10\n\t"
                     "adcq 24(%[b]), %%r11\n\t"
                     "adcq $0, %%r12\n\t"
                     "movq %%r8, %%rax\n\t"
                     "movq %%r9, %%rdx\n\t"
                     "movq %%r10, %%r13\n\t"
                     "movq %%r11, %%r14\n\t"
                     "subq $-1, %%rax\n\t"
                     "sbbq %[p1], %%rdx\n\t"
                     "sbbq $0, %%r13\n\t"
                     "sbbq %[p3], %%r14\n\t"
                     "sbbq $0, %%r12\n\t"
                     "cmovcq %%r8, %%rax\n\t"
                     "cmovcq %%r9, %%rdx\n\t"
                     "cmovcq %%r10, %%r13\n\t"
                     "cmovcq %%r11, %%r14\n\t"
                     "movq %%rax, 0(%[r])\n\t"
                     "movq %%rdx, 8(%[r])\n\t"
                     "movq %%r13, 16(%[r])\n\t"
                     "movq %%r14, 24(%[r])\n\t"
                     :
                     : [r] "r"(r), [a] "r"(a), [b] "r"(b),
                       [p1] "m"(P256_FE_P[1]), [p3] "m"(P256_FE_P[3])
                     : "rax", "rdx", "r8", "r9", "r10", "r11", "r12", "r13",
                       "r14", "cc", "memory");
}
/* r = a - b mod p: subtract, add p masked by the borrow. */
static inline void p256_fe_sub(uint64_t r[4], const uint64_t a[4],
                               const uint64_t b[4])
{
    __asm__ volatile(
        "movq 0(%[a]), %%r8\n\t"
        "movq 8(%[a]), %%r9\n\t"
        "movq 16(%[a]), %%r10\n\t"
        "movq 24(%[a]), %%r11\n\t"
        "subq 0(%[b]), %%r8\n\t"
        "sbbq 8(%[b]), %%r9\n\t"
        "sbbq 16(%[b]), %%r10\n\t"
        "sbbq 24(%[b]), %%r11\n\t"
        "sbbq %%r12, %%r12\n\t"
        "movl %%r12d, %%edx\n\t"
        "movq %%r12, %%r13\n\t"
        "andq %[p3], %%r13\n\t"
        "addq %%r12, %%r8\n\t"
        "adcq %%rdx, %%r9\n\t"
        "adcq $0, %%r10\n\t"
        "adcq %%r13, %%r11\n\t"
        "movq %%r8, 0(%[r])\n\t"
        "movq %%r9, 8(%[r])\n\t"
        "movq %%r10, 16(%[r])\n\t"
        "movq %%r11, 24(%[r])\n\t"
        :
        : [r] "r"(r), [a] "r"(a), [b] "r"(b), [p3] "m"(P256_FE_P[3])
        : "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "cc", "memory");
}
#else
static inline void p256_fe_add(uint64_t r[4], const uint64_t a[4],
                               const uint64_t b[4])
{
    p256_mod_add(r, a, b, P256_FE_P);
}
static inline void p256_fe_sub(uint64_t r[4], const uint64_t a[4],
                               const uint64_t b[4])
{
    p256_mod_sub(r, a, b, P256_FE_P);
}
#endif

/* r = a^(2^n) */
static inline void p256_fe_sqrn(uint64_t r[4], const uint64_t a[4], int n)
{
    p256_fe_sqr(r, a);
    for (int i = 1; i < n; i++)
        p256_fe_sqr(r, r);
}

/* r = a^-1 = a^(p - 2) (0 for a = 0), by an addition chain: p - 2 is, from
 * the top bit, 32 ones, 31 zeros, a one, 96 zeros, 94 ones, 0, 1. Names
 * xk = a^(2^k - 1). 255 squarings, 13 multiplications, constant time. */
static inline void p256_fe_inv(uint64_t r[4], const uint64_t a[4])
{
    uint64_t x2[4], x3[4], x6[4], x12[4], x15[4], x30[4], x32[4], t[4];
    p256_fe_sqr(t, a);
    p256_fe_mul(x2, t, a);
    p256_fe_sqr(t, x2);
    p256_fe_mul(x3, t, a);
    p256_fe_sqrn(t, x3, 3);
    p256_fe_mul(x6, t, x3);
    p256_fe_sqrn(t, x6, 6);
    p256_fe_mul(x12, t, x6);
    p256_fe_sqrn(t, x12, 3);
    p256_fe_mul(x15, t, x3);
    p256_fe_sqrn(t, x15, 15);
    p256_fe_mul(x30, t, x15);
    p256_fe_sqrn(t, x30, 2);
    p256_fe_mul(x32, t, x2);
    /* bits 255..192: 32 ones, 31 zeros, 1 */
    p256_fe_sqrn(t, x32, 32);
    p256_fe_mul(t, t, a);
    /* bits 191..96: zeros; 95..32: ones */
    p256_fe_sqrn(t, t, 96 + 32);
    p256_fe_mul(t, t, x32);
    p256_fe_sqrn(t, t, 32);
    p256_fe_mul(t, t, x32);
    /* bits 31..2: ones; then 0, 1 */
    p256_fe_sqrn(t, t, 30);
    p256_fe_mul(t, t, x30);
    p256_fe_sqrn(t, t, 2);
    p256_fe_mul(r, t, a);
}

/* Plain <-> Montgomery form. */
static inline void p256_fe_to_mont(uint64_t r[4], const uint64_t a[4])
{
    p256_fe_mul(r, a, P256_FE_RR);
}
static inline void p256_fe_from_mont(uint64_t r[4], const uint64_t a[4])
{
    static const uint64_t one[4] = {1, 0, 0, 0};
    p256_fe_mul(r, a, one);
}

#endif

/* Fixed-length big numbers for ECC and RSA: Montgomery multiplication
 * (CIOS), constant-time modular exponentiation and inversion. */
#include <string.h>

#include <mote/error.h>

#include "pk_int.h"

int bn_from_bytes(pk_limb *r, size_t len, const uint8_t *in, size_t in_len)
{
    /* Leading zero bytes beyond len limbs are allowed (public length). */
    while (in_len > len * 8) {
        if (*in)
            return MOTE_EINVAL;
        in++, in_len--;
    }
    memset(r, 0, len * sizeof *r);
    for (size_t i = 0; i < in_len; i++) {
        size_t bi = in_len - 1 - i; /* byte index from the little end */
        r[bi / 8] |= (pk_limb)in[i] << (8 * (bi % 8));
    }
    return 0;
}

void bn_to_bytes(uint8_t *out, size_t out_len, const pk_limb *a, size_t len)
{
    for (size_t i = 0; i < out_len; i++) {
        size_t bi = out_len - 1 - i;
        out[i] = bi / 8 < len ? (uint8_t)(a[bi / 8] >> (8 * (bi % 8))) : 0;
    }
}

pk_limb bn_add(pk_limb *r, const pk_limb *a, const pk_limb *b, size_t len)
{
    pk_limb c = 0;
    for (size_t i = 0; i < len; i++) {
        pk_dlimb t = (pk_dlimb)a[i] + b[i] + c;
        r[i] = (pk_limb)t;
        c = (pk_limb)(t >> 64);
    }
    return c;
}

pk_limb bn_sub(pk_limb *r, const pk_limb *a, const pk_limb *b, size_t len)
{
    pk_limb c = 0;
    for (size_t i = 0; i < len; i++) {
        pk_dlimb t = (pk_dlimb)a[i] - b[i] - c;
        r[i] = (pk_limb)t;
        c = (pk_limb)(t >> 64) & 1;
    }
    return c;
}

void bn_cmov(pk_limb *r, const pk_limb *a, size_t len, pk_limb mask)
{
    for (size_t i = 0; i < len; i++)
        r[i] ^= (r[i] ^ a[i]) & mask;
}

pk_limb bn_lt_mask(const pk_limb *a, const pk_limb *b, size_t len)
{
    pk_limb c = 0;
    for (size_t i = 0; i < len; i++) {
        pk_dlimb t = (pk_dlimb)a[i] - b[i] - c;
        c = (pk_limb)(t >> 64) & 1;
    }
    return (pk_limb)0 - c;
}

pk_limb bn_zero_mask(const pk_limb *a, size_t len)
{
    pk_limb d = 0;
    for (size_t i = 0; i < len; i++)
        d |= a[i];
    return ~pk__mask_nz64(d);
}

/* The bodies below are inlined with a constant len into fixed-size
 * wrappers (4 and 6 limbs for P-256 and P-384), which lets the compiler
 * unroll them; the generic wrappers take any len. */
#define BN_INLINE static inline __attribute__((always_inline))
#define BN_UNROLL _Pragma("GCC unroll 8")

BN_INLINE pk_limb add_n(pk_limb *r, const pk_limb *a, const pk_limb *b,
                        size_t len)
{
    pk_limb c = 0;
    BN_UNROLL
    for (size_t i = 0; i < len; i++) {
        pk_dlimb t = (pk_dlimb)a[i] + b[i] + c;
        r[i] = (pk_limb)t;
        c = (pk_limb)(t >> 64);
    }
    return c;
}

BN_INLINE pk_limb sub_n(pk_limb *r, const pk_limb *a, const pk_limb *b,
                        size_t len)
{
    pk_limb c = 0;
    BN_UNROLL
    for (size_t i = 0; i < len; i++) {
        pk_dlimb t = (pk_dlimb)a[i] - b[i] - c;
        r[i] = (pk_limb)t;
        c = (pk_limb)(t >> 64) & 1;
    }
    return c;
}

BN_INLINE void mod_add_n(pk_limb *r, const pk_limb *a, const pk_limb *b,
                         const pk_limb *m, size_t len)
{
    pk_limb s[BN_MAX_LIMBS], t[BN_MAX_LIMBS];
    pk_limb c = add_n(s, a, b, len);
    pk_limb br = sub_n(t, s, m, len);
    /* keep t when the sum overflowed or s >= m */
    pk_limb mask = ((pk_limb)0 - c) | ~((pk_limb)0 - br);
    BN_UNROLL
    for (size_t i = 0; i < len; i++)
        r[i] = s[i] ^ ((s[i] ^ t[i]) & mask);
}

BN_INLINE void mod_sub_n(pk_limb *r, const pk_limb *a, const pk_limb *b,
                         const pk_limb *m, size_t len)
{
    pk_limb s[BN_MAX_LIMBS], t[BN_MAX_LIMBS];
    pk_limb br = sub_n(s, a, b, len);
    add_n(t, s, m, len);
    pk_limb mask = (pk_limb)0 - br;
    BN_UNROLL
    for (size_t i = 0; i < len; i++)
        r[i] = s[i] ^ ((s[i] ^ t[i]) & mask);
}

BN_INLINE void mont_mul_n(pk_limb *r, const pk_limb *a, const pk_limb *b,
                          const pk_limb *m, pk_limb m0i, size_t len)
{
    pk_limb t[BN_MAX_LIMBS + 2], d[BN_MAX_LIMBS];
    BN_UNROLL
    for (size_t i = 0; i < len + 2; i++)
        t[i] = 0;
    BN_UNROLL
    for (size_t i = 0; i < len; i++) {
        pk_limb c = 0, bi = b[i];
        BN_UNROLL
        for (size_t j = 0; j < len; j++) {
            pk_dlimb s = (pk_dlimb)a[j] * bi + t[j] + c;
            t[j] = (pk_limb)s;
            c = (pk_limb)(s >> 64);
        }
        pk_dlimb s = (pk_dlimb)t[len] + c;
        t[len] = (pk_limb)s;
        t[len + 1] = (pk_limb)(s >> 64);
        pk_limb q = t[0] * m0i;
        s = (pk_dlimb)q * m[0] + t[0];
        c = (pk_limb)(s >> 64);
        BN_UNROLL
        for (size_t j = 1; j < len; j++) {
            s = (pk_dlimb)q * m[j] + t[j] + c;
            t[j - 1] = (pk_limb)s;
            c = (pk_limb)(s >> 64);
        }
        s = (pk_dlimb)t[len] + c;
        t[len - 1] = (pk_limb)s;
        t[len] = t[len + 1] + (pk_limb)(s >> 64);
    }
    /* t < 2m: subtract m unless that borrows past the top limb. */
    pk_limb br = sub_n(d, t, m, len);
    pk_limb keep_t = (pk_limb)0 - (br & (t[len] ^ 1));
    BN_UNROLL
    for (size_t i = 0; i < len; i++)
        r[i] = (d[i] & ~keep_t) | (t[i] & keep_t);
}

/* The generic entry points dispatch on the (public) length to copies
 * specialised for the sizes that matter: P-256, P-384, and the RSA primes
 * and moduli of 2048, 3072 and 4096 bits. */
#define BN_DISPATCH(len, call)                                                 \
    switch (len) {                                                             \
    case 4:                                                                    \
        call(4);                                                               \
        break;                                                                 \
    case 6:                                                                    \
        call(6);                                                               \
        break;                                                                 \
    case 16:                                                                   \
        call(16);                                                              \
        break;                                                                 \
    case 24:                                                                   \
        call(24);                                                              \
        break;                                                                 \
    case 32:                                                                   \
        call(32);                                                              \
        break;                                                                 \
    case 48:                                                                   \
        call(48);                                                              \
        break;                                                                 \
    case 64:                                                                   \
        call(64);                                                              \
        break;                                                                 \
    default:                                                                   \
        call(len);                                                             \
    }

/* r = a^2 / R mod m for a < m: the square with each cross product
 * computed once (len(len-1)/2 + len products instead of len^2), then a
 * separate Montgomery reduction (REDC). */
BN_INLINE void mont_sqr_n(pk_limb *r, const pk_limb *a, const pk_limb *m,
                          pk_limb m0i, size_t len)
{
    pk_limb t[2 * BN_MAX_LIMBS], d[BN_MAX_LIMBS];
    for (size_t i = 0; i < 2 * len; i++)
        t[i] = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        pk_limb c = 0, ai = a[i];
        BN_UNROLL
        for (size_t j = i + 1; j < len; j++) {
            pk_dlimb s = (pk_dlimb)ai * a[j] + t[i + j] + c;
            t[i + j] = (pk_limb)s;
            c = (pk_limb)(s >> 64);
        }
        t[i + len] = c;
    }
    /* double the cross products (a^2 < R^2: nothing shifts out) */
    for (size_t i = 2 * len - 1; i > 0; i--)
        t[i] = t[i] << 1 | t[i - 1] >> 63;
    t[0] <<= 1;
    pk_limb c = 0;
    BN_UNROLL
    for (size_t i = 0; i < len; i++) {
        pk_dlimb sq = (pk_dlimb)a[i] * a[i];
        pk_dlimb s = (pk_dlimb)t[2 * i] + (pk_limb)sq + c;
        t[2 * i] = (pk_limb)s;
        s = (pk_dlimb)t[2 * i + 1] + (pk_limb)(sq >> 64) + (pk_limb)(s >> 64);
        t[2 * i + 1] = (pk_limb)s;
        c = (pk_limb)(s >> 64);
    }
    /* REDC */
    pk_limb top = 0;
    for (size_t i = 0; i < len; i++) {
        pk_limb q = t[i] * m0i, cc = 0;
        BN_UNROLL
        for (size_t j = 0; j < len; j++) {
            pk_dlimb s = (pk_dlimb)q * m[j] + t[i + j] + cc;
            t[i + j] = (pk_limb)s;
            cc = (pk_limb)(s >> 64);
        }
        pk_dlimb s = (pk_dlimb)t[i + len] + cc + top;
        t[i + len] = (pk_limb)s;
        top = (pk_limb)(s >> 64);
    }
    pk_limb br = sub_n(d, t + len, m, len);
    pk_limb keep_t = (pk_limb)0 - (br & (top ^ 1));
    for (size_t i = 0; i < len; i++)
        r[i] = (d[i] & ~keep_t) | (t[len + i] & keep_t);
}

void bn_mont_sqr(pk_limb *r, const pk_limb *a, const struct bn_mont *mt)
{
#define CALL(n) mont_sqr_n(r, a, mt->m, mt->m0i, n)
    BN_DISPATCH(mt->len, CALL)
#undef CALL
}

void bn_mod_add(pk_limb *r, const pk_limb *a, const pk_limb *b,
                const pk_limb *m, size_t len)
{
#define CALL(n) mod_add_n(r, a, b, m, n)
    BN_DISPATCH(len, CALL)
#undef CALL
}

void bn_mod_sub(pk_limb *r, const pk_limb *a, const pk_limb *b,
                const pk_limb *m, size_t len)
{
#define CALL(n) mod_sub_n(r, a, b, m, n)
    BN_DISPATCH(len, CALL)
#undef CALL
}

void bn_mont_mul(pk_limb *r, const pk_limb *a, const pk_limb *b,
                 const struct bn_mont *mt){
#define CALL(n) mont_mul_n(r, a, b, mt->m, mt->m0i, n)
    BN_DISPATCH(mt->len, CALL)
#undef CALL
}

#define BN_FIXED(n)                                                            \
    void bn_mont_mul##n(pk_limb *r, const pk_limb *a, const pk_limb *b,        \
                        const struct bn_mont *mt)                              \
    {                                                                          \
        mont_mul_n(r, a, b, mt->m, mt->m0i, n);                                \
    }                                                                          \
    void bn_mod_add##n(pk_limb *r, const pk_limb *a, const pk_limb *b,         \
                       const pk_limb *m, size_t len)                           \
    {                                                                          \
        (void)len;                                                             \
        mod_add_n(r, a, b, m, n);                                              \
    }                                                                          \
    void bn_mod_sub##n(pk_limb *r, const pk_limb *a, const pk_limb *b,         \
                       const pk_limb *m, size_t len)                           \
    {                                                                          \
        (void)len;                                                             \
        mod_sub_n(r, a, b, m, n);                                              \
    }
BN_FIXED(4) BN_FIXED(6)

    /* P-256's p = 2^256 - 2^224 + 2^192 + 2^96 - 1 as a compile-time constant:
     * -p^-1 mod 2^64 = 1 and one limb is zero, so the compiler folds the
     * reduction's multiplications into shifts and drops a quarter of them. */
    static const pk_limb P256_P[4] = {0xffffffffffffffff, 0x00000000ffffffff,
                                      0x0000000000000000, 0xffffffff00000001};

void bn_mont_mul_p256(pk_limb *r, const pk_limb *a, const pk_limb *b,
                      const struct bn_mont *mt)
{
    (void)mt;
    mont_mul_n(r, a, b, P256_P, 1, 4);
}

void bn_mod_add_p256(pk_limb *r, const pk_limb *a, const pk_limb *b,
                     const pk_limb *m, size_t len)
{
    (void)m, (void)len;
    mod_add_n(r, a, b, P256_P, 4);
}

void bn_mod_sub_p256(pk_limb *r, const pk_limb *a, const pk_limb *b,
                     const pk_limb *m, size_t len)
{
    (void)m, (void)len;
    mod_sub_n(r, a, b, P256_P, 4);
}

static size_t bitlen_pub(const pk_limb *a, size_t len)
{
    for (size_t i = len; i-- > 0;)
        if (a[i])
            return i * 64 + 64 - (size_t)__builtin_clzll(a[i]);
    return 0;
}

#if defined(__x86_64__)
/* r = R^2 mod m for a public m (len limbs, bits its bit length) by long
 * division one limb at a time (Knuth D): with N = m 2^s normalised (top
 * bit set, s = 64 len - bits), x = R mod N = R - N, then s doublings and
 * len steps of x = x 2^64 mod N with a quotient estimated from the top
 * limbs (at most 2 too large, corrected by adding N back). That leaves
 * 2^(128 len + s) mod N = 2^s (R^2 mod m): shift back down. About a
 * twentieth of the cost of the squarings it replaces. */
static void rr_public(pk_limb *r, const pk_limb *m, size_t len, size_t bits)
{
    pk_limb nn[BN_MAX_LIMBS], x[BN_MAX_LIMBS + 1], t[BN_MAX_LIMBS + 1];
    size_t sh = 64 * len - bits;
    for (size_t i = len; i-- > 0;)
        nn[i] = sh ? m[i] << sh | (i ? m[i - 1] >> (64 - sh) : 0) : m[i];
    memset(x, 0, sizeof x);
    bn_sub(x, x, nn, len); /* 2^(64 len) - N */
    for (size_t i = 0; i < sh; i++)
        bn_mod_add(x, x, x, nn, len);
    pk_limb top = nn[len - 1];
    for (size_t k = 0; k < len; k++) {
        /* x = x 2^64: len + 1 limbs */
        memmove(x + 1, x, len * sizeof *x);
        x[0] = 0;
        pk_limb q, rem, hi = x[len], lo = x[len - 1];
        if (hi >= top) {
            q = ~(pk_limb)0;
        } else {
            __asm__("divq %4"
                    : "=a"(q), "=d"(rem)
                    : "a"(lo), "d"(hi), "rm"(top));
            (void)rem;
        }
        /* t = q N (len + 1 limbs); x -= t */
        pk_limb c = 0;
        for (size_t i = 0; i < len; i++) {
            pk_dlimb p = (pk_dlimb)q * nn[i] + c;
            t[i] = (pk_limb)p;
            c = (pk_limb)(p >> 64);
        }
        t[len] = c;
        bn_sub(x, x, t, len + 1);
        while ((int64_t)x[len] < 0) { /* at most twice */
            c = bn_add(x, x, nn, len);
            x[len] += c;
        }
    }
    for (size_t i = 0; i < len; i++)
        r[i] = sh ? x[i] >> sh | x[i + 1] << (64 - sh) : x[i];
}
#endif

/* r = x 2^64 mod m for a public m (top limb non-zero) and x < m: one step
 * of rr_public's long division on the normalised N = m 2^s, X = x 2^s. */
void bn_shl64_mod_pub(pk_limb *r, const pk_limb *x, const pk_limb *m,
                      size_t len)
{
#if defined(__x86_64__)
    pk_limb nn[BN_MAX_LIMBS], t[BN_MAX_LIMBS + 1], y[BN_MAX_LIMBS + 1];
    size_t sh = 64 * len - bitlen_pub(m, len);
    for (size_t i = len; i-- > 0;) {
        nn[i] = sh ? m[i] << sh | (i ? m[i - 1] >> (64 - sh) : 0) : m[i];
        y[i + 1] = sh ? x[i] << sh | (i ? x[i - 1] >> (64 - sh) : 0) : x[i];
    }
    y[0] = 0; /* y = X 2^64, len + 1 limbs, X < N */
    pk_limb q, rem, hi = y[len], lo = y[len - 1], top = nn[len - 1];
    if (hi >= top) {
        q = ~(pk_limb)0;
    } else {
        __asm__("divq %4" : "=a"(q), "=d"(rem) : "a"(lo), "d"(hi), "rm"(top));
        (void)rem;
    }
    pk_limb c = 0;
    for (size_t i = 0; i < len; i++) {
        pk_dlimb p = (pk_dlimb)q * nn[i] + c;
        t[i] = (pk_limb)p;
        c = (pk_limb)(p >> 64);
    }
    t[len] = c;
    bn_sub(y, y, t, len + 1);
    while ((int64_t)y[len] < 0) { /* at most twice */
        c = bn_add(y, y, nn, len);
        y[len] += c;
    }
    for (size_t i = 0; i < len; i++)
        r[i] = sh ? y[i] >> sh | y[i + 1] << (64 - sh) : y[i];
#else
    if (r != x)
        memcpy(r, x, len * sizeof *r);
    for (int i = 0; i < 64; i++)
        bn_mod_add(r, r, r, m, len);
#endif
}

int bn_mont_init(struct bn_mont *mt, const pk_limb *m, size_t len)
{
    if (len == 0 || len > BN_MAX_LIMBS || !(m[0] & 1))
        return MOTE_EINVAL;
    size_t bits = bitlen_pub(m, len);
    if (bits < 2)
        return MOTE_EINVAL;
    mt->len = len;
    memcpy(mt->m, m, len * sizeof *m);
    pk_limb inv = m[0]; /* Newton: inverse mod 2^64 */
    for (int i = 0; i < 6; i++)
        inv *= 2 - m[0] * inv;
    mt->m0i = (pk_limb)0 - inv;
#if defined(__x86_64__)
    if (bits > 64 * (len - 1)) { /* top limb non-zero: always, for RSA */
        rr_public(mt->rr, m, len, bits);
        return 0;
    }
#endif
    /* x = 2^(bits-1) < m, doubled up to 2^(64 len + len) mod m, then six
     * Montgomery squarings (each takes 2^(64 len + j) to 2^(64 len + 2 j);
     * 2^6 len = 64 len), which leave 2^(128 len) = R^2 mod m: a few
     * doublings and six squarings instead of log2(64 len) multiplications. */
    pk_limb x[BN_MAX_LIMBS];
    memset(x, 0, len * sizeof *x);
    x[(bits - 1) / 64] = (pk_limb)1 << ((bits - 1) % 64);
    for (size_t i = bits - 1; i < 64 * len + len; i++)
        bn_mod_add(x, x, x, m, len);
    for (int i = 0; i < 6; i++)
        bn_mont_sqr(x, x, mt);
    memcpy(mt->rr, x, len * sizeof *x);
    return 0;
}

/* R^2 mod a secret m from x = 2^from < m (m's bit length is not looked
 * at): x doubled up to 2^(64 len + len) mod m, then six Montgomery
 * squarings, each taking 2^(64 len + j) to 2^(64 len + 2 j) (2^6 len =
 * 64 len), so the last gives 2^(128 len) = R^2 mod m. All constant time;
 * the doublings cost 64 len + len - from modular additions. */
static void mont_init_secret_from(struct bn_mont *mt, const pk_limb *m,
                                  size_t len, size_t from)
{
    pk_limb x[BN_MAX_LIMBS];
    mt->len = len;
    memcpy(mt->m, m, len * sizeof *m);
    pk_limb inv = m[0];
    for (int i = 0; i < 6; i++)
        inv *= 2 - m[0] * inv;
    mt->m0i = (pk_limb)0 - inv;
    memset(x, 0, len * sizeof *x);
    x[from / 64] = (pk_limb)1 << (from % 64);
    for (size_t i = from; i < 64 * len + len; i++)
        bn_mod_add(x, x, x, m, len);
    for (int i = 0; i < 6; i++)
        bn_mont_sqr(x, x, mt);
    memcpy(mt->rr, x, len * sizeof *x);
    mote_memzero_explicit(x, sizeof x);
}

void bn_mont_init_secret(struct bn_mont *mt, const pk_limb *m, size_t len)
{
    mont_init_secret_from(mt, m, len, 0);
}

void bn_mont_init_secret_top(struct bn_mont *mt, const pk_limb *m, size_t len)
{
    mont_init_secret_from(mt, m, len, 64 * len - 1);
}

void bn_to_mont(pk_limb *r, const pk_limb *a, const struct bn_mont *mt)
{
    bn_mont_mul(r, a, mt->rr, mt);
}

void bn_from_mont(pk_limb *r, const pk_limb *a, const struct bn_mont *mt)
{
    pk_limb one[BN_MAX_LIMBS];
    memset(one, 0, mt->len * sizeof *one);
    one[0] = 1;
    bn_mont_mul(r, a, one, mt);
}

void bn_reduce_wide(pk_limb *r, const pk_limb *x, const struct bn_mont *mt)
{
    size_t len = mt->len;
    pk_limb lo[BN_MAX_LIMBS], hi[BN_MAX_LIMBS];
    bn_mont_mul(lo, x, mt->rr, mt);       /* lo R */
    bn_mont_mul(hi, x + len, mt->rr, mt); /* hi R */
    bn_mont_mul(hi, hi, mt->rr, mt);      /* hi R^2 */
    bn_mod_add(lo, lo, hi, mt->m, len);   /* (lo + hi R) R */
    bn_from_mont(r, lo, mt);
}

void bn_mod_exp_ct(pk_limb *r, const pk_limb *a, const pk_limb *e, size_t elen,
                   const struct bn_mont *mt)
{
    size_t len = mt->len;
    pk_limb tab[16][BN_MAX_LIMBS], acc[BN_MAX_LIMBS], t[BN_MAX_LIMBS];
    memset(t, 0, len * sizeof *t);
    t[0] = 1;
    bn_to_mont(tab[0], t, mt);
    bn_to_mont(tab[1], a, mt);
    for (int i = 2; i < 16; i++)
        bn_mont_mul(tab[i], tab[i - 1], tab[1], mt);
    memcpy(acc, tab[0], len * sizeof *acc);
    for (size_t k = elen * 16; k-- > 0;) {
        unsigned w = (unsigned)(e[k / 16] >> (4 * (k % 16))) & 15;
        for (int s = 0; s < 4; s++)
            bn_mont_sqr(acc, acc, mt);
        /* Read every entry; keep the one whose index is w. */
        memset(t, 0, len * sizeof *t);
        for (unsigned i = 0; i < 16; i++)
            bn_cmov(t, tab[i], len, ~pk__mask_nz64(i ^ w));
        bn_mont_mul(acc, acc, t, mt);
    }
    bn_from_mont(r, acc, mt);
    mote_memzero_explicit(tab, sizeof tab);
    mote_memzero_explicit(acc, sizeof acc);
    mote_memzero_explicit(t, sizeof t);
}

void bn_mod_exp_pub(pk_limb *r, const pk_limb *a, const pk_limb *e, size_t elen,
                    const struct bn_mont *mt)
{
    size_t len = mt->len, bits = bitlen_pub(e, elen);
    pk_limb base[BN_MAX_LIMBS], acc[BN_MAX_LIMBS];
    bn_to_mont(base, a, mt);
    if (bits == 0) { /* a^0 = 1 */
        memset(acc, 0, len * sizeof *acc);
        acc[0] = 1;
        bn_to_mont(acc, acc, mt);
    } else if (bits <= 64) { /* short exponents (RSA e): square and
                                multiply, from the base for the top bit */
        memcpy(acc, base, len * sizeof *acc);
        for (size_t k = bits - 1; k-- > 0;) {
            bn_mont_sqr(acc, acc, mt);
            if (k == 0 && (e[0] & 1)) {
                /* the last multiplication by the plain a leaves the
                 * plain result: no conversion out (odd e, as in RSA) */
                bn_mont_mul(r, acc, a, mt);
                mote_memzero_explicit(base, sizeof base);
                mote_memzero_explicit(acc, sizeof acc);
                return;
            }
            if ((e[k / 64] >> (k % 64)) & 1)
                bn_mont_mul(acc, acc, base, mt);
        }
    } else { /* long ones (Fermat inverses): 4-bit windows, public index */
        pk_limb tab[16][BN_MAX_LIMBS];
        memset(acc, 0, len * sizeof *acc);
        acc[0] = 1;
        bn_to_mont(acc, acc, mt);
        memcpy(tab[1], base, len * sizeof *base);
        for (int i = 2; i < 16; i++)
            bn_mont_mul(tab[i], tab[i - 1], base, mt);
        for (size_t k = (bits + 3) / 4; k-- > 0;) {
            unsigned w = (unsigned)(e[k / 16] >> (4 * (k % 16))) & 15;
            for (int i = 0; i < 4; i++)
                bn_mont_sqr(acc, acc, mt);
            if (w)
                bn_mont_mul(acc, acc, tab[w], mt);
        }
        mote_memzero_explicit(tab, sizeof tab);
    }
    bn_from_mont(r, acc, mt);
    mote_memzero_explicit(base, sizeof base);
    mote_memzero_explicit(acc, sizeof acc);
}

pk_limb bn_mod_inv_odd(pk_limb *r, const pk_limb *x, const pk_limb *m,
                       size_t len)
{
    /* Binary extended GCD with a fixed number of steps (each step removes
     * at least one bit from a or b, so 2 * 64 * len steps are enough).
     * Invariants: a = u x, b = v x (mod m); b stays odd. Each step is
     * three passes: compare; swap + subtract + halve a + subtract u; the
     * mod-m correction and halving of u. */
    pk_limb a[BN_MAX_LIMBS], b[BN_MAX_LIMBS], u[BN_MAX_LIMBS], v[BN_MAX_LIMBS];
    memcpy(a, x, len * sizeof *a);
    memcpy(b, m, len * sizeof *b);
    memset(u, 0, len * sizeof *u);
    memset(v, 0, len * sizeof *v);
    u[0] = 1;
    for (size_t k = 0; k < 2 * 64 * len; k++) {
        pk_limb odd = (pk_limb)0 - (a[0] & 1);
        pk_limb sw = odd & bn_lt_mask(a, b, len); /* a odd and a < b */
        /* swap (a, b) and (u, v) if sw; a -= b and u -= v if odd (a is
         * then even); a >>= 1 */
        pk_limb br = 0, bru = 0, prev = 0;
        for (size_t i = 0; i < len; i++) {
            pk_limb ai = a[i], bi = b[i], ui = u[i], vi = v[i];
            pk_limb xa = (ai ^ bi) & sw, xu = (ui ^ vi) & sw;
            ai ^= xa, bi ^= xa, ui ^= xu, vi ^= xu;
            b[i] = bi, v[i] = vi;
            pk_dlimb t = (pk_dlimb)ai - (bi & odd) - br;
            br = (pk_limb)(t >> 64) & 1;
            if (i)
                a[i - 1] = prev >> 1 | (pk_limb)t << 63;
            prev = (pk_limb)t;
            pk_dlimb tu = (pk_dlimb)ui - (vi & odd) - bru;
            bru = (pk_limb)(tu >> 64) & 1;
            u[i] = (pk_limb)tu;
        }
        a[len - 1] = prev >> 1;
        /* In one pass: u += m if u - v borrowed (back into [0, m)), then
         * u = u / 2 mod m: add m again if that sum is odd (its parity is
         * known from the low limbs), shift in the carry. The wrap of the
         * borrow (2^(64 len)) comes out as one extra carry: dropped. */
        pk_limb addm = (pk_limb)0 - bru;
        pk_limb uodd = (pk_limb)0 - ((u[0] + (m[0] & addm)) & 1);
        pk_limb c = 0;
        prev = 0;
        for (size_t i = 0; i < len; i++) {
            pk_dlimb t = (pk_dlimb)u[i] + (m[i] & addm) + (m[i] & uodd) + c;
            c = (pk_limb)(t >> 64);
            if (i)
                u[i - 1] = prev >> 1 | (pk_limb)t << 63;
            prev = (pk_limb)t;
        }
        u[len - 1] = prev >> 1 | (c - bru) << 63;
    }
    /* gcd = b; invertible iff b == 1. */
    pk_limb d = b[0] ^ 1;
    for (size_t i = 1; i < len; i++)
        d |= b[i];
    memcpy(r, v, len * sizeof *r);
    mote_memzero_explicit(a, sizeof a);
    mote_memzero_explicit(u, sizeof u);
    mote_memzero_explicit(v, sizeof v);
    return ~pk__mask_nz64(d);
}

pk_limb bn_mul_word(pk_limb *r, const pk_limb *a, pk_limb w, pk_limb c,
                    size_t len)
{
    for (size_t i = 0; i < len; i++) {
        pk_dlimb z = (pk_dlimb)a[i] * w + c;
        r[i] = (pk_limb)z;
        c = (pk_limb)(z >> 64);
    }
    return c;
}

/* t 2^-64 mod w for t < 2^65, w odd < 2^63, nwi = -w^-1 mod 2^64: one
 * Montgomery step (t + q w is a multiple of 2^64, below 2^127), the
 * quotient below w + 2, one masked subtraction. */
static pk_limb redc_word(pk_dlimb t, pk_limb w, pk_limb nwi)
{
    pk_limb q = (pk_limb)t * nwi;
    pk_limb s = (pk_limb)((t + (pk_dlimb)q * w) >> 64);
    return s - (w & ~pk__mask_lt64(s, w));
}

void bn_mod_inv_word(pk_limb *r, pk_limb w, const pk_limb *m, size_t len)
{
    pk_limb t[BN_MAX_LIMBS + 1];
    pk_limb wi = w; /* w^-1 mod 2^64 (Newton) */
    for (int i = 0; i < 6; i++)
        wi *= 2 - w * wi;
    pk_limb nwi = (pk_limb)0 - wi;
    /* s = m 2^(-64 len) mod w, low limb first: s = (s + m_i) 2^-64. */
    pk_limb s = 0;
    for (size_t i = 0; i < len; i++)
        s = redc_word((pk_dlimb)s + m[i], w, nwi);
    /* v = s^-1 mod w: binary extended GCD, a fixed 128 steps (each takes
     * a bit off a or b, both below 2^63). a = u s, b = v s mod w; b odd. */
    pk_limb a = s, b = w, u = 1, v = 0;
    for (int k = 0; k < 128; k++) {
        pk_limb odd = (pk_limb)0 - (a & 1);
        pk_limb sw = odd & pk__mask_lt64(a, b);
        pk_limb x = (a ^ b) & sw, y = (u ^ v) & sw;
        a ^= x, b ^= x, u ^= y, v ^= y;
        a -= b & odd; /* a >= b here */
        pk_limb d = u - (v & odd);
        u = d + (w & pk__mask_lt64(u, v & odd)); /* u - v mod w */
        a >>= 1;
        u = (u + (w & ((pk_limb)0 - (u & 1)))) >> 1; /* u / 2 mod w */
    }
    /* m^-1 mod w = s^-1 2^(-64 len); k = -m^-1 mod w (0 for w = 1). */
    for (size_t i = 0; i < len; i++)
        v = redc_word(v, w, nwi);
    pk_limb k = w - v;
    k -= w & ~pk__mask_lt64(k, w);
    /* m k + 1 = 0 mod w: r = (m k + 1) / w < m, by exact division (each
     * quotient limb is the low limb times w^-1; its high product and the
     * borrow come off the next limb). */
    t[len] = bn_mul_word(t, m, k, 1, len);
    pk_limb c = 0;
    for (size_t i = 0; i < len; i++) {
        pk_dlimb l = (pk_dlimb)t[i] - c;
        pk_limb q = (pk_limb)l * wi;
        r[i] = q;
        c = (pk_limb)(((pk_dlimb)q * w) >> 64) + ((pk_limb)(l >> 64) & 1);
    }
    mote_memzero_explicit(t, sizeof t);
}

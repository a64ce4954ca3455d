/* RSA key generation (FIPS 186-5 A.1.3): random probable primes p, q = 3
 * mod 4 with trial division and Miller-Rabin, then the CRT values. */
#include <string.h>

#include <mote/error.h>

#include "pk_int.h"

/*
 * IMPLEMENTATION NOTES
 *
 * A candidate is bits/2 random bits with the top two and the bottom two
 * set (p >= 1.5 2^(bits/2 - 1) > sqrt(2) 2^(bits/2 - 1) as FIPS 186-5
 * A.1.3 step 4.4 asks, and p = 3 mod 4). Every candidate is fresh random
 * bits (no incremental search), so what a rejected candidate reveals says
 * nothing about the prime kept; each test runs in full and its verdict is
 * declassified once (pk__declassify).
 *
 * Trial division: the candidate modulo products of small primes (each
 * product < 2^32, so 32-bit digits fold in with 64-bit divisions), then
 * the residue modulo each prime of the product; the odd primes below
 * 1024 and e = 65537 (p - 1 must be prime to e). It removes ~85% of the
 * candidates before the first exponentiation.
 *
 * Miller-Rabin for p = 3 mod 4 has s = 1: p - 1 = 2 d with d odd, and p
 * passes for base a when a^d = +-1 mod p. The exponentiation is the
 * constant-time one (bn_mod_exp_ct: d is secret).
 *
 * dp = e^-1 mod (p - 1) without a general inversion: with f = p - 1 and
 * t = f mod e (nonzero: p - 1 is prime to e), k = -t^-1 mod e (Fermat, in
 * 64-bit words), e divides k f + 1 and dp = (k f + 1) / e < f.
 */

#define E_VALUE   65537u
#define KG_MAXL   (MOTE_RSA_MAX_BITS / 128) /* limbs of a prime */
#define SMALL_MAX 1024

/* Odd primes below SMALL_MAX by a sieve (public, a few microseconds). */
static size_t small_primes(uint32_t *out)
{
    uint8_t comp[SMALL_MAX];
    size_t n = 0;
    memset(comp, 0, sizeof comp);
    for (uint32_t i = 3; i < SMALL_MAX; i += 2) {
        if (comp[i])
            continue;
        out[n++] = i;
        for (uint32_t j = i * i; j < SMALL_MAX; j += 2 * i)
            comp[j] = 1;
    }
    return n;
}

/* x mod m for m < 2^32 (x: len limbs). */
static uint32_t mod_small(const pk_limb *x, size_t len, uint32_t m)
{
    uint64_t r = 0;
    for (size_t i = len; i-- > 0;) {
        r = ((r << 32) | (x[i] >> 32)) % m;
        r = ((r << 32) | (x[i] & 0xffffffffu)) % m;
    }
    return (uint32_t)r;
}

/* All ones if x (len limbs) has a factor among the small primes or if
 * x - 1 is a multiple of e; the same work for every x. */
static pk_limb trial_division(const pk_limb *x, size_t len, const uint32_t *pr,
                              size_t np)
{
    pk_limb bad = 0;
    size_t i = 0;
    while (i < np) {
        /* the longest run of primes whose product fits 32 bits (public) */
        uint64_t m = 1;
        size_t j = i;
        while (j < np && m * pr[j] < ((uint64_t)1 << 32))
            m *= pr[j++];
        uint32_t r = mod_small(x, len, (uint32_t)m);
        for (; i < j; i++)
            bad |= ~pk__mask_nz64(r % pr[i]);
    }
    bad |= ~pk__mask_nz64(mod_small(x, len, E_VALUE) ^ 1);
    return bad;
}

/* All ones if a == b. */
static pk_limb eq_mask(const pk_limb *a, const pk_limb *b, size_t len)
{
    pk_limb d = 0;
    for (size_t i = 0; i < len; i++)
        d |= a[i] ^ b[i];
    return ~pk__mask_nz64(d);
}

/* Miller-Rabin for p = 3 mod 4 (p: len limbs, mt prepared for it), with
 * `rounds` random bases. All ones if p passed every round. */
static int miller_rabin(pk_limb *pass, const struct bn_mont *mt, int rounds,
                        mote_pk_rng_fn rng, void *rng_ctx)
{
    size_t len = mt->len;
    pk_limb d[KG_MAXL], a[KG_MAXL], x[KG_MAXL], pm1[KG_MAXL], one[KG_MAXL];
    uint8_t rb[8 * KG_MAXL];
    int rc = 0;
    memset(one, 0, sizeof one);
    one[0] = 1;
    bn_sub(pm1, mt->m, one, len);
    for (size_t i = 0; i < len; i++) /* d = (p - 1) / 2 */
        d[i] = pm1[i] >> 1 | (i + 1 < len ? pm1[i + 1] << 63 : 0);
    *pass = ~(pk_limb)0;
    for (int r = 0; r < rounds; r++) {
        /* a in [2, 2^(bits - 2)): below p; a < 2 redrawn (public, ~never) */
        do {
            if (rng(rng_ctx, rb, 8 * len) < 0) {
                rc = MOTE_EIO;
                goto out;
            }
            bn_from_bytes(a, len, rb, 8 * len);
            a[len - 1] &= ~(pk_limb)0 >> 2;
        } while (
            pk__declassify(bn_lt_mask(a, (const pk_limb[KG_MAXL]){2}, len)));
        bn_mod_exp_ct(x, a, d, len, mt);
        *pass &= eq_mask(x, one, len) | eq_mask(x, pm1, len);
    }
out:
    mote_memzero_explicit(d, sizeof d);
    mote_memzero_explicit(a, sizeof a);
    mote_memzero_explicit(x, sizeof x);
    mote_memzero_explicit(pm1, sizeof pm1);
    mote_memzero_explicit(rb, sizeof rb);
    return rc;
}

/* A random probable prime of 64 len bits into p; mt is scratch. */
static int gen_prime(pk_limb *p, struct bn_mont *mt, size_t len,
                     const uint32_t *pr, size_t np, mote_pk_rng_fn rng,
                     void *rng_ctx)
{
    uint8_t rb[8 * KG_MAXL];
    int rounds = len * 64 <= 1024 ? 5 : 4; /* FIPS 186-5 table B.1 */
    int rc = 0;
    for (;;) {
        pk_limb pass;
        if (rng(rng_ctx, rb, 8 * len) < 0) {
            rc = MOTE_EIO;
            break;
        }
        bn_from_bytes(p, len, rb, 8 * len);
        p[len - 1] |= (pk_limb)3 << 62;
        p[0] |= 3;
        if (pk__declassify(trial_division(p, len, pr, np)))
            continue;
        bn_mont_init_secret_top(mt, p, len); /* top bits set above */
        if ((rc = miller_rabin(&pass, mt, rounds, rng, rng_ctx)) < 0)
            break;
        if (pk__declassify(pass))
            break;
    }
    mote_memzero_explicit(rb, sizeof rb);
    return rc;
}

/* d = e^-1 mod f for an even f (len limbs) prime to e: with t = f mod e
 * and k = -t^-1 mod e, k f + 1 is a multiple of e and d = (k f + 1) / e
 * < f (see the notes). Used for dp (f = p - 1), dq, and the private
 * exponent d (f = (p - 1)(q - 1)). */
static void inv_e(pk_limb *d, const pk_limb *f, size_t len)
{
    pk_limb x[2 * KG_MAXL + 1];
    uint64_t t = mod_small(f, len, E_VALUE);
    /* tinv = t^(e - 2) mod e, e - 2 = 2^16 - 1: public exponent */
    uint64_t tinv = 1, b = t;
    for (int i = 0; i < 16; i++) {
        tinv = tinv * b % E_VALUE;
        b = b * b % E_VALUE;
    }
    uint64_t k = E_VALUE - tinv; /* -t^-1 mod e, in [1, e - 1] */
    /* x = k f + 1 */
    x[len] = bn_mul_word(x, f, k, 1, len);
    /* d = x / e, exact: long division by 32-bit digits */
    uint64_t r = 0;
    for (size_t i = len + 1; i-- > 0;) {
        uint64_t hi = (r << 32) | (x[i] >> 32), qh = hi / E_VALUE;
        r = hi % E_VALUE;
        uint64_t lo = (r << 32) | (x[i] & 0xffffffffu), ql = lo / E_VALUE;
        r = lo % E_VALUE;
        if (i < len)
            d[i] = qh << 32 | ql;
    }
    mote_memzero_explicit(x, sizeof x);
    mote_memzero_explicit(&t, sizeof t);
    mote_memzero_explicit(&k, sizeof k);
}

/* dp = e^-1 mod (p - 1). */
static void crt_exponent(pk_limb *dp, const pk_limb *p, size_t len)
{
    pk_limb f[KG_MAXL];
    memcpy(f, p, len * sizeof *p);
    f[0] &= ~(pk_limb)1; /* p is odd: p - 1 */
    inv_e(dp, f, len);
    mote_memzero_explicit(f, sizeof f);
}

/* d = e^-1 mod (p - 1)(q - 1), 2 len limbs. */
static void priv_exponent(pk_limb *d, const pk_limb *p, const pk_limb *q,
                          size_t len)
{
    pk_limb f[2 * KG_MAXL], p1 = p[0] & ~(pk_limb)1, q1 = q[0] & ~(pk_limb)1;
    memset(f, 0, sizeof f);
    for (size_t i = 0; i < len; i++) {
        pk_limb c = 0, qi = i ? q[i] : q1;
        for (size_t j = 0; j < len; j++) {
            pk_dlimb s = (pk_dlimb)(j ? p[j] : p1) * qi + f[i + j] + c;
            f[i + j] = (pk_limb)s;
            c = (pk_limb)(s >> 64);
        }
        f[i + len] = c;
    }
    inv_e(d, f, 2 * len);
    mote_memzero_explicit(f, sizeof f);
}

static int os_random(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    mote_random(buf, len);
    return 0;
}

int mote_rsa_generate(struct mote_rsa_private *key, uint8_t *buf, size_t cap,
                      unsigned bits, mote_pk_rng_fn rng, void *rng_ctx)
{
    return mote_rsa_generate_d(key, buf, cap, bits, NULL, rng, rng_ctx);
}

int mote_rsa_generate_d(struct mote_rsa_private *key, uint8_t *buf, size_t cap,
                        unsigned bits, uint8_t *d, mote_pk_rng_fn rng,
                        void *rng_ctx)
{
    struct bn_mont mt;
    uint32_t pr[SMALL_MAX / 2];
    pk_limb p[KG_MAXL], q[KG_MAXL], t[KG_MAXL], n[2 * KG_MAXL];
    size_t len = bits / 128, k = bits / 8, h = bits / 16;
    int rc = 0;
    if (bits % 128 || bits < MOTE_RSA_MIN_BITS || bits > MOTE_RSA_MAX_BITS)
        return MOTE_EINVAL;
    if (cap < MOTE_RSA_KEYGEN_LEN(bits))
        return MOTE_ENOSPC;
    if (!rng)
        rng = os_random;
    size_t np = small_primes(pr);
    if ((rc = gen_prime(p, &mt, len, pr, np, rng, rng_ctx)) < 0)
        goto out;
    for (;;) {
        if ((rc = gen_prime(q, &mt, len, pr, np, rng, rng_ctx)) < 0)
            goto out;
        /* |p - q| > 2^(bits/2 - 100) (A.1.3 step 5.4): some bit at or
         * above bits/2 - 100 of |p - q| is set */
        pk_limb neg = (pk_limb)0 - bn_sub(t, p, q, len), c = 1;
        for (size_t i = 0; i < len; i++) { /* t = |t| */
            pk_dlimb s = (pk_dlimb)(t[i] ^ neg) + (c & neg);
            t[i] = (pk_limb)s;
            c = (pk_limb)(s >> 64);
        }
        size_t lo = len * 64 - 100;
        pk_limb hi = t[lo / 64] >> (lo % 64);
        for (size_t i = lo / 64 + 1; i < len; i++)
            hi |= t[i];
        if (pk__declassify(hi))
            break;
    }
    /* n = p q */
    memset(n, 0, sizeof n);
    for (size_t i = 0; i < len; i++) {
        pk_limb c = 0;
        for (size_t j = 0; j < len; j++) {
            pk_dlimb s = (pk_dlimb)p[j] * q[i] + n[i + j] + c;
            n[i + j] = (pk_limb)s;
            c = (pk_limb)(s >> 64);
        }
        n[i + len] = c;
    }
    uint8_t *o = buf;
    bn_to_bytes(o, k, n, 2 * len);
    key->pub.n = o, key->pub.n_len = k, o += k;
    o[0] = 1, o[1] = 0, o[2] = 1;
    key->pub.e = o, key->pub.e_len = 3, o += 3;
    bn_to_bytes(o, h, p, len);
    key->p = o, key->p_len = h, o += h;
    bn_to_bytes(o, h, q, len);
    key->q = o, key->q_len = h, o += h;
    crt_exponent(t, p, len);
    bn_to_bytes(o, h, t, len);
    key->dp = o, key->dp_len = h, o += h;
    crt_exponent(t, q, len);
    bn_to_bytes(o, h, t, len);
    key->dq = o, key->dq_len = h, o += h;
    /* qinv = q^-1 mod p; q < 2p (same top two bits), so q mod p is q or
     * q - p */
    pk_limb br = bn_sub(t, q, p, len);
    bn_cmov(t, q, len, (pk_limb)0 - br);
    bn_mod_inv_odd(t, t, p, len);
    bn_to_bytes(o, h, t, len);
    key->qinv = o, key->qinv_len = h;
    if (d) {
        priv_exponent(n, p, q, len); /* n is no longer needed */
        bn_to_bytes(d, k, n, 2 * len);
    }
out:
    if (rc < 0)
        mote_memzero_explicit(buf, cap < MOTE_RSA_KEYGEN_LEN(bits)
                                       ? cap
                                       : MOTE_RSA_KEYGEN_LEN(bits));
    mote_memzero_explicit(p, sizeof p);
    mote_memzero_explicit(q, sizeof q);
    mote_memzero_explicit(t, sizeof t);
    mote_memzero_explicit(n, sizeof n);
    mote_memzero_explicit(&mt, sizeof mt);
    return rc;
}

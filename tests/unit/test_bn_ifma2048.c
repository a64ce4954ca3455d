/* bn_mod_exp_pub_ifma2048 (src/crypto/bn_ifma.c: AVX-512 IFMA public
 * exponentiation modulo a 2048-bit-class modulus, the RSA-2048 verify
 * path) against the portable bn_mod_exp_pub, and bn_shl64_mod_pub
 * (x 2^64 mod m, its Montgomery set-up step) against a bit-by-bit
 * reference. Random moduli and values from a fixed seed. */
#define _POSIX_C_SOURCE 200809L /* crypto_test.h: strtok_r */
#include <stdint.h>
#include <string.h>

#include <mote/crypto.h>
#include <mote/error.h>

#include "../../src/crypto/crypto_int.h"
#include "../../src/crypto/pk_int.h"
#include "crypto_test.h"
#include "tap.h"

#define L 32

/* r = x 2^64 mod m, one bit at a time (shift in 64 zero bits). */
static void ref_shl64(pk_limb *r, const pk_limb *x, const pk_limb *m)
{
    pk_limb acc[L + 1] = {0}, mm[L + 1] = {0};
    memcpy(acc, x, L * sizeof *x);
    memcpy(mm, m, L * sizeof *m);
    for (int bit = 0; bit < 64; bit++) {
        for (size_t i = L + 1; i-- > 0;)
            acc[i] = acc[i] << 1 | (i ? acc[i - 1] >> 63 : 0);
        int ge = 1;
        for (size_t i = L + 1; i-- > 0;)
            if (acc[i] != mm[i]) {
                ge = acc[i] > mm[i];
                break;
            }
        if (ge) {
            pk_limb br = 0;
            for (size_t i = 0; i <= L; i++) {
                pk_limb d = acc[i] - mm[i] - br;
                br = (acc[i] < mm[i]) || (acc[i] == mm[i] && br);
                acc[i] = d;
            }
        }
    }
    memcpy(r, acc, L * sizeof *r);
}

/* A random odd modulus of 32 limbs with its top limb non-zero: bits
 * 2048, or 1985..2047 (the normalising shift), or a top limb of 1. */
static void rand_mod(pk_limb *m, int k)
{
    for (size_t i = 0; i < L; i++)
        m[i] = ct_rand64();
    m[0] |= 1;
    if (k % 4 == 0)
        m[L - 1] |= (pk_limb)1 << 63;
    else if (k % 4 == 1)
        m[L - 1] >>= 1 + ct_rand64() % 63;
    else if (k % 4 == 2)
        m[L - 1] = 1;
    if (m[L - 1] == 0)
        m[L - 1] = 1;
}

/* a < m: random, or m - 1, 0, 1, 2 */
static void rand_below(pk_limb *a, const pk_limb *m, int k)
{
    switch (k % 7) {
    case 3:
        memcpy(a, m, L * sizeof *a);
        a[0] -= 1; /* m odd */
        return;
    case 4:
    case 5:
    case 6:
        memset(a, 0, L * sizeof *a);
        a[0] = (pk_limb)(k % 7 - 4);
        return;
    default:
        for (size_t i = 0; i < L; i++)
            a[i] = ct_rand64();
        a[L - 1] %= m[L - 1]; /* below m's top limb: a < m */
    }
}

static void test_shl64(void)
{
    int bad = 0, runs = 0;
    for (int k = 0; k < 200; k++) {
        pk_limb m[L], x[L], r[L], w[L];
        rand_mod(m, k);
        rand_below(x, m, k);
        bn_shl64_mod_pub(r, x, m, L);
        ref_shl64(w, x, m);
        bad += memcmp(r, w, sizeof r) != 0;
        runs++;
    }
    ok(runs == 200 && bad == 0,
       "bn_shl64_mod_pub = bit-by-bit x 2^64 mod m (%d runs, %d differ)", runs,
       bad);
}

static void test_exp(void)
{
    int bad = 0, runs = 0, unsupported = 0;
    for (int k = 0; k < 400; k++) {
        pk_limb m[L], a[L], e[L], r[L], w[L];
        struct bn_mont mt;
        size_t el = 1;
        rand_mod(m, k);
        rand_below(a, m, k / 4);
        memset(e, 0, sizeof e);
        switch (k % 6) {
        case 0:
            e[0] = 65537;
            break;
        case 1:
            e[0] = 3;
            break;
        case 2: /* random odd e below 2^32 (RSA's range) */
            e[0] = (ct_rand64() >> 32) | 1;
            break;
        case 3: /* even e: the final conversion out of Montgomery form */
            e[0] = ct_rand64() & ~(pk_limb)1;
            break;
        case 4:
            e[0] = 1;
            break;
        default: /* a long exponent */
            el = 1 + ct_rand64() % 4;
            for (size_t i = 0; i < el; i++)
                e[i] = ct_rand64();
            e[el - 1] |= 1;
        }
        if (e[0] == 0 && el == 1)
            e[0] = 2;
        if (bn_mont_init(&mt, m, L) < 0) {
            bad++;
            continue;
        }
        if (bn_mod_exp_pub_ifma2048(r, a, e, el, &mt) < 0) {
            unsupported++;
            continue;
        }
        bn_mod_exp_pub(w, a, e, el, &mt);
        runs++;
        bad += memcmp(r, w, sizeof r) != 0;
    }
    if (unsupported)
        tap_diag("no AVX-512 IFMA here: bn_mod_exp_pub_ifma2048 not run");
    ok(bad == 0 && (runs == 400 || unsupported == 400),
       "bn_mod_exp_pub_ifma2048 = bn_mod_exp_pub (%d runs, %d differ)", runs,
       bad);
}

/* Declined cases: other lengths, e = 0, and AVX-512 turned off. */
static void test_declines(void)
{
    pk_limb m[L], a[L] = {5}, e[1] = {0}, r[L];
    struct bn_mont mt;
    rand_mod(m, 0);
    bn_mont_init(&mt, m, L);
    is_int(bn_mod_exp_pub_ifma2048(r, a, e, 1, &mt), MOTE_ENOTSUP, "e = 0");
    struct bn_mont m16;
    bn_mont_init(&m16, m, 16);
    e[0] = 65537;
    is_int(bn_mod_exp_pub_ifma2048(r, a, e, 1, &m16), MOTE_ENOTSUP,
           "a 16-limb modulus");
    mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_NO_AVX512);
    is_int(bn_mod_exp_pub_ifma2048(r, a, e, 1, &mt), MOTE_ENOTSUP,
           "AVX-512 disabled");
}

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_shl64);
    TAP_CASE(test_exp);
    TAP_CASE(test_declines);
    return tap_done();
}

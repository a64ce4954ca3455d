/* The big-number pieces behind a one-shot RSA signature's set-up
 * (src/crypto/bn.c, internal API from pk_int.h): bn_mod_inv_word (the
 * inverse of a blinding word modulo a prime) and bn_mont_init_secret_top
 * (R^2 mod a secret modulus with its top bit set), each against an
 * independent computation. */
#define _POSIX_C_SOURCE 200809L /* crypto_test.h: strtok_r */
#include <stdint.h>
#include <string.h>

#include "../../src/crypto/pk_int.h"
#include "crypto_test.h"
#include "tap.h"

/* ---- A slow, obviously correct reference: x mod m bit by bit ---- */

/* r = x mod m, x of xl limbs, m of len limbs (m > 0): shift in one bit of
 * x at a time from the top, subtract m when the remainder reaches it. */
static void ref_mod(pk_limb *r, const pk_limb *x, size_t xl, const pk_limb *m,
                    size_t len)
{
    pk_limb acc[BN_MAX_LIMBS + 1] = {0}, mm[BN_MAX_LIMBS + 1] = {0};
    memcpy(mm, m, len * sizeof *m);
    for (size_t bit = 64 * xl; bit-- > 0;) {
        pk_limb in = x[bit / 64] >> (bit % 64) & 1;
        for (size_t i = len + 1; i-- > 0;)
            acc[i] = acc[i] << 1 | (i ? acc[i - 1] >> 63 : in);
        /* acc >= mm ? */
        int ge = 1;
        for (size_t i = len + 1; i-- > 0;)
            if (acc[i] != mm[i]) {
                ge = acc[i] > mm[i];
                break;
            }
        if (ge) {
            pk_limb br = 0;
            for (size_t i = 0; i <= len; i++) {
                pk_limb d = acc[i] - mm[i] - br;
                br = (acc[i] < mm[i]) || (acc[i] == mm[i] && br);
                acc[i] = d;
            }
        }
    }
    memcpy(r, acc, len * sizeof *r);
}

static int is_one(const pk_limb *a, size_t len)
{
    if (a[0] != 1)
        return 0;
    for (size_t i = 1; i < len; i++)
        if (a[i])
            return 0;
    return 1;
}

static int lt(const pk_limb *a, const pk_limb *b, size_t len)
{
    for (size_t i = len; i-- > 0;)
        if (a[i] != b[i])
            return a[i] < b[i];
    return 0;
}

/* w r mod m == 1 and r < m, by the reference. */
static int inverse_ok(const pk_limb *r, pk_limb w, const pk_limb *m, size_t len)
{
    pk_limb prod[BN_MAX_LIMBS + 1], red[BN_MAX_LIMBS];
    pk_limb c = 0;
    for (size_t i = 0; i < len; i++) {
        pk_dlimb z = (pk_dlimb)r[i] * w + c;
        prod[i] = (pk_limb)z;
        c = (pk_limb)(z >> 64);
    }
    prod[len] = c;
    ref_mod(red, prod, len + 1, m, len);
    return lt(r, m, len) && is_one(red, len);
}

static pk_limb gcd64(pk_limb a, pk_limb b)
{
    while (b) {
        pk_limb t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* m mod w, by the reference (for the coprimality test). */
static pk_limb mod_word(const pk_limb *m, size_t len, pk_limb w)
{
    pk_dlimb r = 0;
    for (size_t i = len; i-- > 0;)
        r = ((r << 64) | m[i]) % w;
    return (pk_limb)r;
}

static void rand_odd(pk_limb *m, size_t len, int top)
{
    for (size_t i = 0; i < len; i++)
        m[i] = ct_rand64();
    m[0] |= 1;
    if (top)
        m[len - 1] |= (pk_limb)1 << 63;
}

/* A random odd modulus of every length 2..64 limbs (top bit set or not)
 * and blinding words at the edges (1, 3, 2^63 - 1) and at random: the
 * inverse satisfies w r = 1 mod m whenever gcd(w, m) = 1, and agrees with
 * the full-width bn_mod_inv_odd. */
static void test_inv_word(void)
{
    int bad = 0, runs = 0, disagree = 0;
    for (size_t len = 2; len <= BN_MAX_LIMBS; len++) {
        for (int k = 0; k < 6; k++) {
            pk_limb m[BN_MAX_LIMBS], r[BN_MAX_LIMBS], r2[BN_MAX_LIMBS];
            pk_limb wl[BN_MAX_LIMBS] = {0};
            rand_odd(m, len, k & 1);
            pk_limb w = k == 0   ? 1
                        : k == 1 ? 3
                        : k == 2 ? ((pk_limb)1 << 63) - 1
                                 : (ct_rand64() >> 1) | 1;
            if (gcd64(mod_word(m, len, w), w) != 1)
                continue;
            bn_mod_inv_word(r, w, m, len);
            runs++;
            if (!inverse_ok(r, w, m, len)) {
                bad++;
                continue;
            }
            wl[0] = w;
            bn_mod_inv_odd(r2, wl, m, len);
            if (memcmp(r, r2, len * sizeof *r))
                disagree++;
        }
    }
    ok(runs > 300 && bad == 0,
       "bn_mod_inv_word: %d (m, w) pairs, 2..64 limbs, w r = 1 mod m (%d bad)",
       runs, bad);
    ok(disagree == 0, "bn_mod_inv_word agrees with bn_mod_inv_odd (%d differ)",
       disagree);
}

/* The RSA case: a 1024-bit prime (the test key's p) and many random
 * words, including ones whose high bits are all set. */
static void test_inv_word_prime(void)
{
    static const char *ph =
        "ebd7dbaced32d4f6ff7f5df6485bc22e1ecf8918569a0cae00c9a97d5cee0876"
        "d97c1c6c0645676777f7a30b3906784a0011b9c3bfe533c28ab46b1a8d4c8fe7"
        "73dc81990d9ac6fd52a2a59c3792983999b81009020cc54d6d3b95c66864ba78"
        "90b439ad16e8dbc8ee22904cfe62fd6490a55fff6e2d8b3d8cff5a63481925a1";
    uint8_t pb[128];
    pk_limb p[16], r[16];
    for (size_t i = 0; i < 128; i++)
        pb[i] = (uint8_t)(ct_hexval(ph[2 * i]) << 4 | ct_hexval(ph[2 * i + 1]));
    bn_from_bytes(p, 16, pb, sizeof pb);
    int bad = 0;
    for (int i = 0; i < 2000; i++) {
        pk_limb w = (ct_rand64() >> 1) | 1;
        if (i % 4 == 0)
            w |= (pk_limb)0x7fffffff << 32;
        bn_mod_inv_word(r, w, p, 16);
        bad += !inverse_ok(r, w, p, 16);
    }
    ok(bad == 0, "bn_mod_inv_word mod a 1024-bit prime: 2000 words (%d bad)",
       bad);
}

/* R^2 mod m: bn_mont_init_secret_top and bn_mont_init_secret give the
 * value the public set-up (long division) gives, and it is 2^(128 len)
 * mod m by the reference. */
static void test_rr_top(void)
{
    int bad = 0, bad_ref = 0, runs = 0;
    for (size_t len = 1; len <= BN_MAX_LIMBS; len++) {
        for (int k = 0; k < 3; k++) {
            pk_limb m[BN_MAX_LIMBS], big[2 * BN_MAX_LIMBS + 1] = {0},
                                                            want[BN_MAX_LIMBS];
            struct bn_mont pub, sec, top;
            rand_odd(m, len, 1);
            if (bn_mont_init(&pub, m, len) < 0)
                continue;
            bn_mont_init_secret(&sec, m, len);
            bn_mont_init_secret_top(&top, m, len);
            runs++;
            if (memcmp(top.rr, pub.rr, len * sizeof *m) ||
                memcmp(sec.rr, pub.rr, len * sizeof *m) || top.m0i != pub.m0i)
                bad++;
            if (k == 0) {
                big[2 * len] = 1;
                ref_mod(want, big, 2 * len + 1, m, len);
                bad_ref += memcmp(want, top.rr, len * sizeof *m) != 0;
            }
        }
    }
    ok(runs == 3 * BN_MAX_LIMBS && bad == 0,
       "R^2 mod m, top bit set, 1..64 limbs: the _top, secret and public "
       "set-ups agree (%d of %d differ)",
       bad, runs);
    ok(bad_ref == 0, "R^2 mod m is 2^(128 len) mod m by the reference (%d bad)",
       bad_ref);
}

/* The IFMA public exponentiation of two bases at once (blinding r^e for
 * both primes) against bn_mod_exp_pub, for 1024-bit odd moduli and
 * exponents 3, 65537, random 32-bit ones and a 2-limb one. */
static void test_exp2_pub_ifma(void)
{
    int bad = 0, runs = 0, unsupported = 0;
    for (int k = 0; k < 40; k++) {
        pk_limb m1[16], m2[16], a1[16], a2[16], r1[16], r2[16], w1[16], w2[16];
        pk_limb e[2] = {k == 0   ? 3
                        : k == 1 ? 65537
                                 : ct_rand64() >> 32,
                        k == 2 ? ct_rand64() : 0};
        struct bn_mont mt1, mt2;
        rand_odd(m1, 16, 1);
        rand_odd(m2, 16, k & 1);
        m2[15] |= (pk_limb)1 << 62;
        for (int i = 0; i < 16; i++)
            a1[i] = ct_rand64(), a2[i] = ct_rand64();
        a1[15] >>= 2, a2[15] >>= 2; /* below the moduli */
        if (k == 3)
            memset(a1, 0, sizeof a1);
        if (bn_mont_init(&mt1, m1, 16) < 0 || bn_mont_init(&mt2, m2, 16) < 0)
            continue;
        size_t el = e[1] ? 2 : 1;
        if (bn_mod_exp2_pub_ifma(r1, a1, &mt1, r2, a2, &mt2, e, el) < 0) {
            unsupported++;
            continue;
        }
        bn_mod_exp_pub(w1, a1, e, el, &mt1);
        bn_mod_exp_pub(w2, a2, e, el, &mt2);
        runs++;
        bad += memcmp(r1, w1, sizeof r1) != 0 || memcmp(r2, w2, sizeof r2) != 0;
    }
    if (unsupported)
        tap_diag("no AVX-512 IFMA here: bn_mod_exp2_pub_ifma not run");
    ok(bad == 0 && (runs == 40 || unsupported == 40),
       "bn_mod_exp2_pub_ifma = bn_mod_exp_pub twice (%d runs, %d differ)", runs,
       bad);
}

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_inv_word);
    TAP_CASE(test_inv_word_prime);
    TAP_CASE(test_rr_top);
    TAP_CASE(test_exp2_pub_ifma);
    return tap_done();
}

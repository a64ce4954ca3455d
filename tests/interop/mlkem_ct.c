/* mlkem_ct: ML-KEM-768 encapsulation and decapsulation on one
 * implementation level, for valgrind memcheck with the secrets marked
 * undefined (tests/interop/mlkem_ct.t). tests/ct/ct_crypto_pk.c checks the
 * best level, which under valgrind is the AVX2 path; this one runs the level
 * given on the command line (mote_crypto_disable_simd: 3 = portable C), so
 * the code a guest without AVX2 runs is checked too.
 *
 *   mlkem_ct LEVEL      prints "round trip ok" when the results are right
 *   mlkem_ct control    a secret branch and a secret index (must be
 *                       reported, or the check would be blind)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include <mote/crypto.h>
#include <mote/crypto_pk.h>

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED(p, n)
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED(p, n)

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: mlkem_ct LEVEL|control\n");
        return 2;
    }
    if (!strcmp(argv[1], "control")) {
        uint8_t s[2] = {1, 2};
        static const uint8_t table[256] = {3};
        volatile uint8_t sink;
        SECRET(s, 2);
        if (s[0] == 1) /* secret branch: must be reported */
            sink = 1;
        sink = table[s[1]]; /* secret index: must be reported */
        (void)sink;
        return 0;
    }
    mote_crypto_disable_simd(atoi(argv[1]));
    static uint8_t pub[MOTE_MLKEM768_PUB_LEN], priv[MOTE_MLKEM768_PRIV_LEN],
        ct[MOTE_MLKEM768_CT_LEN];
    uint8_t seed[64], m[32], k1[32], k2[32], k3[32];
    int bad = 0;
    for (int round = 0; round < 3; round++) {
        for (unsigned i = 0; i < 64; i++)
            seed[i] = (uint8_t)(7 * i + 31 * round + 1);
        for (unsigned i = 0; i < 32; i++)
            m[i] = (uint8_t)(13 * i + 17 * round + 5);
        /* Key generation with a public seed: rho = G(d)[0..32] is public by
         * design and SampleNTT's rejection on it may depend on it. */
        mote_mlkem768_keygen_seed(pub, priv, seed);
        PUBLIC(pub, sizeof pub);
        SECRET(m, 32); /* m, and with it r, the noise and K */
        int rc = mote_mlkem768_encaps_seed(ct, k1, pub, m);
        PUBLIC(ct, sizeof ct);
        /* dk = s || ek || H(ek) || z: s and z are the secrets. */
        PUBLIC(priv, sizeof priv);
        SECRET(priv, 1152);
        SECRET(priv + 2400 - 32, 32);
        rc |= mote_mlkem768_decaps(k2, ct, priv);
        ct[round * 100 % sizeof ct] ^= 1;
        rc |= mote_mlkem768_decaps(k3, ct, priv); /* implicit rejection */
        PUBLIC(k1, 32);
        PUBLIC(k2, 32);
        PUBLIC(k3, 32);
        PUBLIC(&rc, sizeof rc);
        bad |= rc != 0 || memcmp(k1, k2, 32) != 0 || memcmp(k1, k3, 32) == 0;
    }
    printf(bad ? "BAD\n" : "round trip ok\n");
    return bad;
}

/* ML-KEM-768: the AVX2 polynomial arithmetic (src/crypto/mlkem_x86.c)
 * against the portable C of mlkem.c, bit for bit: NTT, inverse NTT and the
 * NTT-domain product on random int16 inputs over the whole range and on
 * extremes, the 4-way (AVX2) and 8-way (AVX-512) SHAKE against the
 * one-stream SHAKE, then
 * whole key generations, encapsulations and decapsulations (including
 * rejected ciphertexts) with both paths. The KEM itself is
 * checked against Wycheproof (test_crypto_pk.c) and against liboqs and
 * noble (tests/interop/mlkem.t). */
#include <stdint.h>
#include <string.h>

#include <mote/crypto.h>
#include <mote/crypto_pk.h>

#include "../../src/crypto/crypto_int.h"
#include "../../src/crypto/mlkem_int.h"
#include "../../src/crypto/pk_int.h"
#include "tap.h"

static uint64_t rs = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    /* xorshift64*: reproducible inputs, no expected values stored */
    rs ^= rs >> 12;
    rs ^= rs << 25;
    rs ^= rs >> 27;
    return rs * 0x2545f4914f6cdd1du;
}

static void fill(int16_t *a, unsigned n, unsigned kind)
{
    for (unsigned i = 0; i < n; i++) {
        uint16_t v = (uint16_t)rnd();
        switch (kind % 4) {
        case 0: /* any int16 */
            break;
        case 1: /* the extremes */
            v = (uint16_t)(v & 1 ? 0x8000 : 0x7fff);
            break;
        case 2: /* reduced, as the KEM feeds them */
            v = (uint16_t)(int16_t)((int)(v % 3329) - 1664);
            break;
        default: /* 0..q-1 */
            v = (uint16_t)(v % 3329);
        }
        a[i] = (int16_t)v;
    }
}

static int have_avx2(void)
{
    mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_BEST);
    return (crypto__cpu() & CRYPTO_CPU_AVX2) != 0;
}

#define ROUNDS 2000

static void test_poly_arith(void)
{
    if (!have_avx2()) {
        ok(1, "# SKIP this CPU has no AVX2: only the portable path exists");
        return;
    }
    static int16_t in[256], in2[256], x[256], y[256];
    int bad_ntt = 0, bad_inv = 0, bad_mul = 0;
    for (unsigned r = 0; r < ROUNDS; r++) {
        fill(in, 256, r);
        fill(in2, 256, r / 4);

        memcpy(x, in, sizeof x);
        memcpy(y, in, sizeof y);
        mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_BEST);
        pk__mlkem_ntt(x);
        mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_NO_AVX2);
        pk__mlkem_ntt(y);
        bad_ntt += memcmp(x, y, sizeof x) != 0;

        memcpy(x, in, sizeof x);
        memcpy(y, in, sizeof y);
        mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_BEST);
        pk__mlkem_invntt(x);
        mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_NO_AVX2);
        pk__mlkem_invntt(y);
        bad_inv += memcmp(x, y, sizeof x) != 0;

        mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_BEST);
        pk__mlkem_basemul(x, in, in2);
        mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_NO_AVX2);
        pk__mlkem_basemul(y, in, in2);
        bad_mul += memcmp(x, y, sizeof x) != 0;
    }
    mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_BEST);
    ok(bad_ntt == 0, "NTT: AVX2 = portable on %d inputs (%d differ)", ROUNDS,
       bad_ntt);
    ok(bad_inv == 0, "inverse NTT: AVX2 = portable on %d inputs (%d differ)",
       ROUNDS, bad_inv);
    ok(bad_mul == 0,
       "NTT-domain product: AVX2 = portable on %d input pairs (%d differ)",
       ROUNDS, bad_mul);

    /* The check above must be able to fail: the paths are really two (the
     * transform is not the identity and the mask reaches the dispatch). */
    fill(in, 256, 0);
    memcpy(x, in, sizeof x);
    pk__mlkem_ntt(x);
    ok(memcmp(x, in, sizeof x) != 0, "the NTT changes its input");
}

/* SampleNTT's rejection (FIPS 203 algorithm 7 steps 5-13), one candidate
 * at a time, written here from the standard. */
static unsigned rej_ref(int16_t *c, unsigned k, const uint8_t *b, size_t len)
{
    for (size_t p = 0; p + 3 <= len && k < 256; p += 3) {
        unsigned d1 = b[p] | (unsigned)(b[p + 1] & 15) << 8;
        unsigned d2 = b[p + 1] >> 4 | (unsigned)b[p + 2] << 4;
        if (d1 < 3329)
            c[k++] = (int16_t)d1;
        if (d2 < 3329 && k < 256)
            c[k++] = (int16_t)d2;
    }
    return k;
}

/* The AVX2 rejection step plus the one-by-one finish, as mlkem.c runs
 * them, against rej_ref: byte streams with few, many and all candidates
 * rejected, from several starting counts. */
static void test_rej_avx2(void)
{
    if (!have_avx2()) {
        ok(1, "# SKIP this CPU has no AVX2");
        return;
    }
    static uint8_t buf[504];
    static int16_t want[257], got[257];
    int bad = 0, cases = 0;
    for (unsigned r = 0; r < 3000; r++) {
        unsigned bias = r % 4; /* 0 uniform .. 3 mostly >= q */
        for (unsigned i = 0; i < sizeof buf; i++) {
            uint8_t v = (uint8_t)rnd();
            if (bias && rnd() % 4 < bias)
                v |= 0xd0; /* a top nibble that pushes values >= q */
            buf[i] = v;
        }
        unsigned k0 = (unsigned)(rnd() % 3 == 0 ? rnd() % 256 : 0);
        size_t len = r % 2 ? sizeof buf : 168 + 3 * (rnd() % 56);
        memset(want, 0x55, sizeof want);
        memset(got, 0x55, sizeof got);
        unsigned kw = rej_ref(want, k0, buf, len);
        size_t p = 0;
        unsigned kg = crypto__mlkem_rej_avx2(got, k0, buf, len, &p);
        /* finish one by one from p, as mlkem.c does */
        kg = rej_ref(got, kg, buf + p, len - p);
        /* past the count the vector stores leave scratch: not compared */
        bad += kw != kg || memcmp(want, got, kw * sizeof got[0]) != 0;
        cases++;
    }
    ok(bad == 0,
       "AVX2 rejection sampling = one candidate at a time on %d streams "
       "(uniform and biased to rejection, various start counts) (%d differ)",
       cases, bad);
}

/* The w-way SHAKE128/256 (four-way AVX2, eight-way AVX-512) against the
 * one-stream SHAKE, every input length the absorb takes (0 .. rate - 1),
 * five blocks out. */
static void shake_xw(unsigned w)
{
    static uint8_t in[8][168], out[8][5 * 168], want[5 * 168];
    int bad = 0, cases = 0;
    for (unsigned bits = 128; bits <= 256; bits += 128) {
        unsigned rate = bits == 128 ? 168 : 136;
        for (unsigned len = 0; len < rate; len++) {
            uint64_t st[200];
            const uint8_t *ip[8];
            uint8_t *op[8], *op3[8];
            for (unsigned j = 0; j < w; j++) {
                for (unsigned i = 0; i < len; i++)
                    in[j][i] = (uint8_t)rnd();
                ip[j] = in[j];
                op[j] = out[j];
                op3[j] = out[j] + 2 * rate;
            }
            crypto__keccak_xw_absorb_once(st, w, rate, ip, len, 0x1f);
            crypto__keccak_xw_squeeze(st, w, rate, op, 2);
            crypto__keccak_xw_squeeze(st, w, rate, op3, 3);
            for (unsigned j = 0; j < w; j++) {
                struct pk__keccak k;
                pk__shake_init(&k, bits);
                pk__shake_absorb(&k, in[j], len);
                pk__shake_finish(&k);
                pk__shake_squeeze(&k, want, 5 * rate);
                bad += memcmp(want, out[j], 5 * rate) != 0;
                cases++;
            }
        }
    }
    ok(bad == 0,
       "%u-way SHAKE128/256 = one-stream SHAKE, %d streams of every input "
       "length below the rate, 5 blocks each (%d differ)",
       w, cases, bad);
}

/* w one-shot hashes side by side (crypto__keccak_xw_hash: H(ek) and
 * J(z || c) in decapsulation) against SHA3-256 / SHAKE256 / SHAKE128 one at
 * a time: 1 to 10 blocks, every stream its own length within them. */
static void hash_xw(unsigned w)
{
    static uint8_t in[8][10 * 168], out[8][168], want[168];
    int bad = 0, cases = 0;
    for (unsigned kind = 0; kind < 3; kind++) {
        unsigned rate = kind == 2 ? 168 : 136;
        size_t outlen = kind == 0 ? 32 : rate;
        for (unsigned nb = 1; nb <= 10; nb++) {
            const uint8_t *ip[8];
            uint8_t *op[8], pad[8];
            size_t len[8];
            for (unsigned j = 0; j < w; j++) {
                len[j] = (nb - 1) * rate + rnd() % rate;
                for (size_t i = 0; i < len[j]; i++)
                    in[j][i] = (uint8_t)rnd();
                ip[j] = in[j];
                op[j] = out[j];
                pad[j] = kind == 0 ? 0x06 : 0x1f;
            }
            crypto__keccak_xw_hash(w, rate, w, ip, len, pad, op, outlen);
            for (unsigned j = 0; j < w; j++) {
                if (kind == 0) {
                    pk__sha3_256(want, in[j], len[j]);
                } else {
                    struct pk__keccak k;
                    pk__shake_init(&k, kind == 1 ? 256 : 128);
                    pk__shake_absorb(&k, in[j], len[j]);
                    pk__shake_finish(&k);
                    pk__shake_squeeze(&k, want, outlen);
                }
                bad += memcmp(want, out[j], outlen) != 0;
                cases++;
            }
        }
    }
    ok(bad == 0,
       "%u-way one-shot SHA3-256 / SHAKE256 / SHAKE128 = one at a time, %d "
       "inputs of 1 to 10 blocks (%d differ)",
       w, cases, bad);
}

static void test_shake_xw(void)
{
    if (have_avx2()) {
        shake_xw(4);
        hash_xw(4);
    } else {
        ok(1, "# SKIP this CPU has no AVX2: no 4-way Keccak");
    }
    if (crypto__cpu() & CRYPTO_CPU_AVX512) {
        shake_xw(8);
        hash_xw(8);
    } else {
        ok(1, "# SKIP this CPU has no AVX-512F: no 8-way Keccak");
    }
}

struct kem_out {
    uint8_t pub[MOTE_MLKEM768_PUB_LEN], priv[MOTE_MLKEM768_PRIV_LEN],
        ct[MOTE_MLKEM768_CT_LEN], ss[32], ss2[32], ssbad[32];
};

static void kem_run(struct kem_out *o, const uint8_t seed[64],
                    const uint8_t m[32], unsigned flip)
{
    mote_mlkem768_keygen_seed(o->pub, o->priv, seed);
    if (mote_mlkem768_encaps_seed(o->ct, o->ss, o->pub, m) ||
        mote_mlkem768_decaps(o->ss2, o->ct, o->priv))
        memset(o->ss2, 0xee, sizeof o->ss2);
    o->ct[flip / 8 % MOTE_MLKEM768_CT_LEN] ^= (uint8_t)(1u << (flip % 8));
    if (mote_mlkem768_decaps(o->ssbad, o->ct, o->priv))
        memset(o->ssbad, 0xee, sizeof o->ssbad);
}

/* Whole KEM runs on every level the CPU has: the best (AVX-512 8-way
 * Keccak where present), AVX2 only, and portable C; all byte-equal. */
static void test_kem_paths(void)
{
    if (!have_avx2()) {
        ok(1, "# SKIP this CPU has no AVX2: only the portable path exists");
        return;
    }
    static struct kem_out a, b, c;
    uint8_t seed[64], m[32];
    int differ = 0, differ512 = 0, wrong = 0;
    const int n = 200;
    for (int i = 0; i < n; i++) {
        for (unsigned j = 0; j < sizeof seed; j++)
            seed[j] = (uint8_t)rnd();
        for (unsigned j = 0; j < sizeof m; j++)
            m[j] = (uint8_t)rnd();
        unsigned flip = (unsigned)rnd();
        mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_BEST);
        kem_run(&a, seed, m, flip);
        mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_NO_AVX512);
        kem_run(&c, seed, m, flip);
        mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_NO_AVX2);
        kem_run(&b, seed, m, flip);
        differ += memcmp(&c, &b, sizeof a) != 0;
        differ512 += memcmp(&a, &b, sizeof a) != 0;
        wrong += memcmp(a.ss, a.ss2, 32) != 0 || memcmp(a.ss, a.ssbad, 32) == 0;
    }
    mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_BEST);
    ok(differ == 0,
       "keygen, encaps, decaps, rejected decaps: AVX2 = portable byte for "
       "byte on %d seeds (%d differ)",
       n, differ);
    ok(differ512 == 0,
       "the same with the best the CPU has (%s): = portable on %d seeds (%d "
       "differ)",
       crypto__cpu() & CRYPTO_CPU_AVX512 ? "AVX-512 8-way Keccak" : "AVX2", n,
       differ512);
    ok(wrong == 0,
       "and the shared secrets agree, the flipped ciphertexts are rejected "
       "(%d wrong)",
       wrong);
}

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_poly_arith);
    TAP_CASE(test_rej_avx2);
    TAP_CASE(test_shake_xw);
    TAP_CASE(test_kem_paths);
    return tap_done();
}

/* ML-KEM-768 on peer-supplied bytes: the encapsulation key (1184 bytes) and
 * the ciphertext (1088 bytes) are the outside inputs.
 *
 * Input: one mode byte, then the bytes of the mode (zero-padded when short,
 * extra bytes ignored: the API's lengths are fixed by its array types).
 *   mode 0  ek (1184) || m (32): encapsulate to an arbitrary key
 *   mode 1  the same, but the 1184 bytes are XORed onto a valid key first
 *           (random bytes almost never pass the modulus check)
 *   mode 2  c (1088): decapsulate an arbitrary ciphertext with a fixed key
 *   mode 3  the same, XORed onto the honest ciphertext (all zero: honest)
 *
 * Oracles, written here from FIPS 203 (only SHAKE256 is the core's own,
 * pk__shake_*, checked by the Wycheproof ML-KEM vectors and, for J, by
 * tests/interop/mlkem.t against node's SHAKE):
 * - encapsulation accepts iff every 12-bit coefficient of ek[0..1152) is
 *   below q = 3329 (section 7.2's ByteEncode12(ByteDecode12(ek)) == ek);
 *   when it accepts, a second call with the same m gives the same ciphertext
 *   and key; the AVX2 (no AVX-512) and portable levels give the same
 *   verdict and bytes; on the fuzzer's own key, decapsulation opens it;
 * - decapsulation with the fixed private key always succeeds, gives the real
 *   secret on the honest ciphertext and J(z || c) = SHAKE256(z || c, 32)
 *   otherwise (z: the last 32 bytes of dk), on the best, AVX2 (no AVX-512)
 *   and portable levels alike. */
#include <stdlib.h>
#include <string.h>

#include <mote/crypto.h>
#include <mote/crypto_pk.h>
#include <mote/error.h>

#include "../../src/crypto/pk_int.h"

#define PUB_LEN  MOTE_MLKEM768_PUB_LEN
#define PRIV_LEN MOTE_MLKEM768_PRIV_LEN
#define CT_LEN   MOTE_MLKEM768_CT_LEN
#define SS_LEN   MOTE_MLKEM768_SS_LEN
#define Q        3329

static uint8_t g_pub[PUB_LEN], g_priv[PRIV_LEN], g_ct[CT_LEN], g_ss[SS_LEN];
static int g_ready;

static void setup(void)
{
    uint8_t seed[64], m[32];
    for (unsigned i = 0; i < 64; i++)
        seed[i] = (uint8_t)(0x5a ^ (i * 29));
    for (unsigned i = 0; i < 32; i++)
        m[i] = (uint8_t)(0xc3 ^ (i * 13));
    mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_BEST);
    mote_mlkem768_keygen_seed(g_pub, g_priv, seed);
    if (mote_mlkem768_encaps_seed(g_ct, g_ss, g_pub, m) != 0)
        abort();
    g_ready = 1;
}

/* FIPS 203 section 7.2: two 12-bit values per 3 bytes, little-endian, in
 * the 3 * 384 = 1152 bytes of t-hat; ByteDecode12 reduces mod q, so the
 * round trip is the identity iff each value is already below q. */
static int ek_ok(const uint8_t ek[PUB_LEN])
{
    for (unsigned i = 0; i < 1152; i += 3) {
        unsigned a = ek[i] | (unsigned)(ek[i + 1] & 0x0f) << 8;
        unsigned b = (unsigned)(ek[i + 1] >> 4) | (unsigned)ek[i + 2] << 4;
        if (a >= Q || b >= Q)
            return 0;
    }
    return 1;
}

static void copy_in(uint8_t *dst, size_t n, const uint8_t *src, size_t have)
{
    size_t k = have < n ? have : n;
    memcpy(dst, src, k);
    memset(dst + k, 0, n - k);
}

static void fuzz_encaps(const uint8_t *data, size_t size, int xor_valid)
{
    uint8_t ek[PUB_LEN], m[32];
    copy_in(ek, PUB_LEN, data, size);
    copy_in(m, 32, size > PUB_LEN ? data + PUB_LEN : data,
            size > PUB_LEN ? size - PUB_LEN : 0);
    if (xor_valid)
        for (unsigned i = 0; i < PUB_LEN; i++)
            ek[i] ^= g_pub[i];
    int want = ek_ok(ek);

    /* The best level twice, then AVX2 without AVX-512, then portable C
     * (a level the CPU lacks runs the next one down). */
    static const int levels[4] = {MOTE_CRYPTO_IMPL_BEST, MOTE_CRYPTO_IMPL_BEST,
                                  MOTE_CRYPTO_IMPL_NO_AVX512,
                                  MOTE_CRYPTO_IMPL_PORTABLE};
    uint8_t ct[4][CT_LEN], ss[4][SS_LEN];
    int r[4];
    for (unsigned l = 0; l < 4; l++) {
        mote_crypto_disable_simd(levels[l]);
        r[l] = mote_mlkem768_encaps_seed(ct[l], ss[l], ek, m);
    }
    mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_BEST);
    for (unsigned l = 0; l < 4; l++)
        if (r[l] != (want ? 0 : MOTE_EINVAL))
            abort();
    if (!want)
        return;
    /* Deterministic for a fixed m, and the same bytes on every level. */
    for (unsigned l = 1; l < 4; l++)
        if (memcmp(ct[0], ct[l], CT_LEN) || memcmp(ss[0], ss[l], SS_LEN))
            abort();
    /* Our own key: the fixed private key must open it. */
    if (memcmp(ek, g_pub, PUB_LEN) == 0) {
        uint8_t k[SS_LEN];
        if (mote_mlkem768_decaps(k, ct[0], g_priv) != 0 ||
            memcmp(k, ss[0], SS_LEN))
            abort();
    }
}

static void fuzz_decaps(const uint8_t *data, size_t size, int xor_honest)
{
    uint8_t c[CT_LEN];
    copy_in(c, CT_LEN, data, size);
    if (xor_honest)
        for (unsigned i = 0; i < CT_LEN; i++)
            c[i] ^= g_ct[i];

    uint8_t want[SS_LEN];
    if (memcmp(c, g_ct, CT_LEN) == 0) {
        memcpy(want, g_ss, SS_LEN);
    } else {
        struct pk__keccak k;
        pk__shake_init(&k, 256);
        pk__shake_absorb(&k, g_priv + PRIV_LEN - 32, 32);
        pk__shake_absorb(&k, c, CT_LEN);
        pk__shake_finish(&k);
        pk__shake_squeeze(&k, want, SS_LEN);
    }

    static const int levels[3] = {MOTE_CRYPTO_IMPL_BEST,
                                  MOTE_CRYPTO_IMPL_NO_AVX512,
                                  MOTE_CRYPTO_IMPL_PORTABLE};
    for (unsigned l = 0; l < 3; l++) {
        uint8_t got[SS_LEN];
        memset(got, (int)(0xa5 ^ l), sizeof got);
        mote_crypto_disable_simd(levels[l]);
        int rc = mote_mlkem768_decaps(got, c, g_priv);
        mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_BEST);
        if (rc != 0 || memcmp(got, want, SS_LEN))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_ready)
        setup();
    if (size < 1)
        return 0;
    switch (data[0] & 3) {
    case 0:
        fuzz_encaps(data + 1, size - 1, 0);
        break;
    case 1:
        fuzz_encaps(data + 1, size - 1, 1);
        break;
    case 2:
        fuzz_decaps(data + 1, size - 1, 0);
        break;
    default:
        fuzz_decaps(data + 1, size - 1, 1);
    }
    return 0;
}

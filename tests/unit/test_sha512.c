/* SHA-512's AVX2 path (sha_x86.c, used from 4 blocks) against the portable
 * code on the same inputs: every block count 0..40 (pairs, an odd block
 * left over, the software-pipelined schedule's hand-over between pairs),
 * inputs at every offset 0..15 from an aligned buffer, fed whole and in
 * uneven pieces; and the 1,000,000 x 'a' vector of FIPS 180-2 (7813
 * blocks in one update). test_crypto_hash checks both paths against
 * OpenSSL as well. */
#include <stdint.h>
#include <string.h>

#include <mote/crypto.h>

#include "tap.h"

static uint8_t msg[41 * 128 + 64];

static void fill(void)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < sizeof msg; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        msg[i] = (uint8_t)x;
    }
}

/* Hash p[0..len) in pieces of 1, 127, 300, 1, 2000, ... bytes. */
static void hash_pieces(const uint8_t *p, size_t len, uint8_t out[64])
{
    static const size_t step[] = {1, 127, 300, 1, 2000, 129, 513};
    struct mote_sha512_ctx c;
    mote_sha512_init(&c);
    for (size_t off = 0, k = 0; off < len; k++) {
        size_t n = step[k % 7] < len - off ? step[k % 7] : len - off;
        mote_sha512_update(&c, p + off, n);
        off += n;
    }
    mote_sha512_final(&c, out);
}

static void test_paths_agree(void)
{
    int bad = 0, runs = 0;
    fill();
    for (size_t blocks = 0; blocks <= 40; blocks++) {
        for (size_t off = 0; off < 16; off++) {
            size_t len = blocks * 128 + (off & 3) * 37; /* partial tails too */
            uint8_t best[64], best2[64], port[64], port2[64];
            mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_BEST);
            mote_sha512(msg + off, len, best);
            hash_pieces(msg + off, len, best2);
            mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_PORTABLE);
            mote_sha512(msg + off, len, port);
            hash_pieces(msg + off, len, port2);
            runs++;
            bad += memcmp(best, port, 64) != 0 ||
                   memcmp(best2, port, 64) != 0 || memcmp(port2, port, 64) != 0;
        }
    }
    mote_crypto_disable_simd(MOTE_CRYPTO_IMPL_BEST);
    ok(runs == 41 * 16 && bad == 0,
       "0..40 blocks at offsets 0..15, whole and in pieces: the fastest path "
       "and the portable one agree (%d of %d differ)",
       bad, runs);
}

static void test_million_a(void)
{
    /* FIPS 180-2 appendix C.3 */
    static const uint8_t want[64] = {
        0xe7, 0x18, 0x48, 0x3d, 0x0c, 0xe7, 0x69, 0x64, 0x4e, 0x2e, 0x42,
        0xc7, 0xbc, 0x15, 0xb4, 0x63, 0x8e, 0x1f, 0x98, 0xb1, 0x3b, 0x20,
        0x44, 0x28, 0x56, 0x32, 0xa8, 0x03, 0xaf, 0xa9, 0x73, 0xeb, 0xde,
        0x0f, 0xf2, 0x44, 0x87, 0x7e, 0xa6, 0x0a, 0x4c, 0xb0, 0x43, 0x2c,
        0xe5, 0x77, 0xc3, 0x1b, 0xeb, 0x00, 0x9c, 0x5c, 0x2c, 0x49, 0xaa,
        0x2e, 0x4e, 0xad, 0xb2, 0x17, 0xad, 0x8c, 0xc0, 0x9b};
    static uint8_t a[1000000];
    uint8_t got[64];
    memset(a, 'a', sizeof a);
    mote_sha512(a, sizeof a, got);
    ok(!memcmp(got, want, 64), "SHA-512 of 1,000,000 x 'a' (FIPS 180-2 C.3)");
}

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_paths_agree);
    TAP_CASE(test_million_a);
    return tap_done();
}

/* SHA-256/384/512 and HMAC for the public-key code (FIPS 180-4, RFC 2104);
 * a private stand-in until <mote/crypto.h> provides the shared hashes. */
#include <string.h>

#include <mote/error.h>

#include "pk_int.h"

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static const uint64_t K512[80] = {
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f,
    0xe9b5dba58189dbbc, 0x3956c25bf348b538, 0x59f111f1b605d019,
    0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242,
    0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
    0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3,
    0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65, 0x2de92c6f592b0275,
    0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
    0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f,
    0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
    0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc,
    0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
    0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6,
    0x92722c851482353b, 0xa2bfe8a14cf10364, 0xa81a664bbc423001,
    0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
    0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99,
    0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb,
    0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc,
    0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915,
    0xc67178f2e372532b, 0xca273eceea26619c, 0xd186b8c721c0c207,
    0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba,
    0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
    0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a,
    0x5fcb6fab3ad6faec, 0x6c44198c4a475817};

#define ROR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define ROR64(x, n) (((x) >> (n)) | ((x) << (64 - (n))))

static uint32_t ld32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}
static uint64_t ld64(const uint8_t *p)
{
    return (uint64_t)ld32(p) << 32 | ld32(p + 4);
}

static void sha256_block(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64], a, b, c, d, e, f, g, hh;
    for (int i = 0; i < 16; i++)
        w[i] = ld32(p + 4 * i);
    for (int i = 16; i < 64; i++) {
        uint32_t s0 =
            ROR32(w[i - 15], 7) ^ ROR32(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 =
            ROR32(w[i - 2], 17) ^ ROR32(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
    hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = hh + (ROR32(e, 6) ^ ROR32(e, 11) ^ ROR32(e, 25)) +
                      ((e & f) ^ (~e & g)) + K256[i] + w[i];
        uint32_t t2 = (ROR32(a, 2) ^ ROR32(a, 13) ^ ROR32(a, 22)) +
                      ((a & b) ^ (a & c) ^ (b & c));
        hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g,
        h[7] += hh;
}

static void sha512_block(uint64_t h[8], const uint8_t *p)
{
    uint64_t w[80], a, b, c, d, e, f, g, hh;
    for (int i = 0; i < 16; i++)
        w[i] = ld64(p + 8 * i);
    for (int i = 16; i < 80; i++) {
        uint64_t s0 =
            ROR64(w[i - 15], 1) ^ ROR64(w[i - 15], 8) ^ (w[i - 15] >> 7);
        uint64_t s1 =
            ROR64(w[i - 2], 19) ^ ROR64(w[i - 2], 61) ^ (w[i - 2] >> 6);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
    hh = h[7];
    for (int i = 0; i < 80; i++) {
        uint64_t t1 = hh + (ROR64(e, 14) ^ ROR64(e, 18) ^ ROR64(e, 41)) +
                      ((e & f) ^ (~e & g)) + K512[i] + w[i];
        uint64_t t2 = (ROR64(a, 28) ^ ROR64(a, 34) ^ ROR64(a, 39)) +
                      ((a & b) ^ (a & c) ^ (b & c));
        hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g,
        h[7] += hh;
}

void pk__sha256_init(struct pk__sha256 *c)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
                                   0xa54ff53a, 0x510e527f, 0x9b05688c,
                                   0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, iv, sizeof iv);
    c->len = 0;
}

void pk__sha256_update(struct pk__sha256 *c, const void *data, size_t len)
{
    if (len == 0)
        return; /* data may be NULL */
    const uint8_t *p = data;
    size_t used = c->len % 64;
    c->len += len;
    if (used) {
        size_t n = 64 - used < len ? 64 - used : len;
        memcpy(c->buf + used, p, n);
        p += n, len -= n, used += n;
        if (used < 64)
            return;
        sha256_block(c->h, c->buf);
    }
    for (; len >= 64; p += 64, len -= 64)
        sha256_block(c->h, p);
    if (len)
        memcpy(c->buf, p, len);
}

void pk__sha256_final(struct pk__sha256 *c, uint8_t out[32])
{
    uint64_t bits = c->len * 8;
    size_t used = c->len % 64;
    c->buf[used++] = 0x80;
    if (used > 56) {
        memset(c->buf + used, 0, 64 - used);
        sha256_block(c->h, c->buf);
        used = 0;
    }
    memset(c->buf + used, 0, 56 - used);
    for (int i = 0; i < 8; i++)
        c->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    sha256_block(c->h, c->buf);
    for (int i = 0; i < 32; i++)
        out[i] = (uint8_t)(c->h[i / 4] >> (24 - 8 * (i % 4)));
    pk__wipe(c, sizeof *c);
}

void pk__sha512_init(struct pk__sha512 *c)
{
    static const uint64_t iv[8] = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b,
                                   0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
                                   0x510e527fade682d1, 0x9b05688c2b3e6c1f,
                                   0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};
    memcpy(c->h, iv, sizeof iv);
    c->len = 0;
}

void pk__sha384_init(struct pk__sha512 *c)
{
    static const uint64_t iv[8] = {0xcbbb9d5dc1059ed8, 0x629a292a367cd507,
                                   0x9159015a3070dd17, 0x152fecd8f70e5939,
                                   0x67332667ffc00b31, 0x8eb44a8768581511,
                                   0xdb0c2e0d64f98fa7, 0x47b5481dbefa4fa4};
    memcpy(c->h, iv, sizeof iv);
    c->len = 0;
}

void pk__sha512_update(struct pk__sha512 *c, const void *data, size_t len)
{
    if (len == 0)
        return; /* data may be NULL */
    const uint8_t *p = data;
    size_t used = c->len % 128;
    c->len += len;
    if (used) {
        size_t n = 128 - used < len ? 128 - used : len;
        memcpy(c->buf + used, p, n);
        p += n, len -= n, used += n;
        if (used < 128)
            return;
        sha512_block(c->h, c->buf);
    }
    for (; len >= 128; p += 128, len -= 128)
        sha512_block(c->h, p);
    if (len)
        memcpy(c->buf, p, len);
}

void pk__sha512_final(struct pk__sha512 *c, uint8_t *out, size_t outlen)
{
    /* Message length < 2^61 bytes, so the top 64 bits of the 128-bit length
     * field are zero. */
    uint64_t bits = c->len * 8;
    size_t used = c->len % 128;
    c->buf[used++] = 0x80;
    if (used > 112) {
        memset(c->buf + used, 0, 128 - used);
        sha512_block(c->h, c->buf);
        used = 0;
    }
    memset(c->buf + used, 0, 120 - used);
    for (int i = 0; i < 8; i++)
        c->buf[120 + i] = (uint8_t)(bits >> (56 - 8 * i));
    sha512_block(c->h, c->buf);
    for (size_t i = 0; i < outlen; i++)
        out[i] = (uint8_t)(c->h[i / 8] >> (56 - 8 * (i % 8)));
    pk__wipe(c, sizeof *c);
}

size_t mote_pk_hash_len(enum mote_pk_hash h)
{
    switch (h) {
    case MOTE_PK_HASH_SHA256:
        return 32;
    case MOTE_PK_HASH_SHA384:
        return 48;
    case MOTE_PK_HASH_SHA512:
        return 64;
    default:
        return 0;
    }
}

size_t pk__hash_block_len(enum mote_pk_hash alg)
{
    return alg == MOTE_PK_HASH_SHA256 ? 64 : 128;
}

int pk__hash_init(struct pk__hash *c, enum mote_pk_hash alg)
{
    c->alg = alg;
    switch (alg) {
    case MOTE_PK_HASH_SHA256:
        pk__sha256_init(&c->u.s256);
        return 0;
    case MOTE_PK_HASH_SHA384:
        pk__sha384_init(&c->u.s512);
        return 0;
    case MOTE_PK_HASH_SHA512:
        pk__sha512_init(&c->u.s512);
        return 0;
    default:
        return MOTE_EINVAL;
    }
}

void pk__hash_update(struct pk__hash *c, const void *data, size_t len)
{
    if (c->alg == MOTE_PK_HASH_SHA256)
        pk__sha256_update(&c->u.s256, data, len);
    else
        pk__sha512_update(&c->u.s512, data, len);
}

void pk__hash_final(struct pk__hash *c, uint8_t *out)
{
    if (c->alg == MOTE_PK_HASH_SHA256)
        pk__sha256_final(&c->u.s256, out);
    else
        pk__sha512_final(&c->u.s512, out, mote_pk_hash_len(c->alg));
}

int mote_pk_hash(enum mote_pk_hash h, uint8_t *out, const uint8_t *msg,
                 size_t len)
{
    struct pk__hash c;
    int rc = pk__hash_init(&c, h);
    if (rc < 0)
        return rc;
    pk__hash_update(&c, msg, len);
    pk__hash_final(&c, out);
    return 0;
}

int pk__hmac_init(struct pk__hmac *c, enum mote_pk_hash alg, const uint8_t *key,
                  size_t key_len)
{
    uint8_t k[128], pad[128];
    size_t bl = pk__hash_block_len(alg);
    int rc = pk__hash_init(&c->inner, alg);
    if (rc < 0)
        return rc;
    memset(k, 0, sizeof k);
    if (key_len > bl) {
        pk__hash_update(&c->inner, key, key_len);
        pk__hash_final(&c->inner, k);
        pk__hash_init(&c->inner, alg);
    } else if (key_len) {
        memcpy(k, key, key_len);
    }
    for (size_t i = 0; i < bl; i++)
        pad[i] = k[i] ^ 0x36;
    pk__hash_update(&c->inner, pad, bl);
    pk__hash_init(&c->outer, alg);
    for (size_t i = 0; i < bl; i++)
        pad[i] = k[i] ^ 0x5c;
    pk__hash_update(&c->outer, pad, bl);
    pk__wipe(k, sizeof k);
    pk__wipe(pad, sizeof pad);
    return 0;
}

void pk__hmac_update(struct pk__hmac *c, const void *data, size_t len)
{
    pk__hash_update(&c->inner, data, len);
}

void pk__hmac_final(struct pk__hmac *c, uint8_t *out)
{
    uint8_t t[64];
    pk__hash_final(&c->inner, t);
    pk__hash_update(&c->outer, t, mote_pk_hash_len(c->outer.alg));
    pk__hash_final(&c->outer, out);
    pk__wipe(t, sizeof t);
}

void pk__wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;
    while (n--)
        *v++ = 0;
}

uint32_t pk__ct_neq(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint32_t d = 0;
    for (size_t i = 0; i < n; i++)
        d |= (uint32_t)(a[i] ^ b[i]);
    return d;
}

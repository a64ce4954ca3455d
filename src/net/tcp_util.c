/* TCP helpers: SipHash-2-4 (ISNs, SYN cookies, table hash) and checksums. */
#include <string.h>

#include "tcp_int.h"

/* SipHash-2-4 (Aumasson and Bernstein, 2012), the keyed hash RFC 6528
 * suggests for ISNs; also keys the connection table so a peer cannot aim
 * every connection at one bucket. */

static uint64_t rotl(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

#define SIPROUND                                                               \
    do {                                                                       \
        v0 += v1;                                                              \
        v1 = rotl(v1, 13);                                                     \
        v1 ^= v0;                                                              \
        v0 = rotl(v0, 32);                                                     \
        v2 += v3;                                                              \
        v3 = rotl(v3, 16);                                                     \
        v3 ^= v2;                                                              \
        v0 += v3;                                                              \
        v3 = rotl(v3, 21);                                                     \
        v3 ^= v0;                                                              \
        v2 += v1;                                                              \
        v1 = rotl(v1, 17);                                                     \
        v1 ^= v2;                                                              \
        v2 = rotl(v2, 32);                                                     \
    } while (0)

uint64_t tcp__siphash(const uint8_t key[16], const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t k0 = le64(key), k1 = le64(key + 8);
    uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
    uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
    size_t full = len & ~(size_t)7;
    for (size_t i = 0; i < full; i += 8) {
        uint64_t m = le64(p + i);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    uint64_t b = (uint64_t)len << 56;
    for (size_t i = 0; i < (len & 7); i++)
        b |= (uint64_t)p[full + i] << (8 * i);
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

/* The ones' complement sum is byte-order independent (RFC 1071 2(B)):
 * add native 32-bit words into 64 bits, fold, and swap once at the end on
 * a little-endian machine. Unaligned loads go through memcpy. */
static uint64_t sum_native(uint64_t acc, const uint8_t *p, size_t n)
{
    while (n >= 16) {
        uint32_t w[4];
        memcpy(w, p, 16);
        acc += (uint64_t)w[0] + w[1] + w[2] + w[3];
        p += 16;
        n -= 16;
    }
    while (n >= 4) {
        uint32_t w;
        memcpy(&w, p, 4);
        acc += w;
        p += 4;
        n -= 4;
    }
    if (n >= 2) {
        uint16_t w;
        memcpy(&w, p, 2);
        acc += w;
        p += 2;
        n -= 2;
    }
    if (n) {
        uint8_t last[2] = {p[0], 0}; /* pad the odd byte with zero */
        uint16_t w;
        memcpy(&w, last, 2);
        acc += w;
    }
    return acc;
}

/* RFC 9293 3.1 (IPv4 pseudo-header) and RFC 8200 8.1 (IPv6). */
static uint64_t pseudo_native(const struct mote_ipaddr *src,
                              const struct mote_ipaddr *dst, size_t len)
{
    size_t alen = src->family == MOTE_IP_V6 ? 16 : 4;
    uint8_t ph[40];
    memcpy(ph, src->bytes, alen);
    memcpy(ph + alen, dst->bytes, alen);
    uint8_t *t = ph + 2 * alen;
    t[0] = (uint8_t)(len >> 24);
    t[1] = (uint8_t)(len >> 16);
    t[2] = (uint8_t)(len >> 8);
    t[3] = (uint8_t)len;
    t[4] = t[5] = t[6] = 0;
    t[7] = 6; /* protocol */
    return sum_native(0, ph, 2 * alen + 8);
}

static uint16_t fold_native(uint64_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    uint16_t r = (uint16_t)acc;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    r = (uint16_t)(r >> 8 | r << 8);
#endif
    return r;
}

uint16_t tcp__checksum(const struct mote_ipaddr *src,
                       const struct mote_ipaddr *dst, const uint8_t *seg,
                       size_t len)
{
    return (uint16_t)~fold_native(
        sum_native(pseudo_native(src, dst, len), seg, len));
}

uint16_t tcp__pseudo_sum(const struct mote_ipaddr *src,
                         const struct mote_ipaddr *dst, size_t len)
{
    return fold_native(pseudo_native(src, dst, len));
}

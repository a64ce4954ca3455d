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

static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t n)
{
    size_t i = 0;
    for (; i + 1 < n; i += 2)
        acc += (uint32_t)p[i] << 8 | p[i + 1];
    if (i < n)
        acc += (uint32_t)p[i] << 8;
    /* fold early so a long segment cannot overflow 32 bits */
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return acc;
}

/* RFC 9293 3.1 (IPv4 pseudo-header) and RFC 8200 8.1 (IPv6). */
uint16_t tcp__checksum(const struct mote_ipaddr *src,
                       const struct mote_ipaddr *dst, const uint8_t *seg,
                       size_t len)
{
    size_t alen = src->family == MOTE_IP_V6 ? 16 : 4;
    uint32_t acc = 0;
    acc = sum16(acc, src->bytes, alen);
    acc = sum16(acc, dst->bytes, alen);
    acc += 6; /* protocol */
    acc += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
    size_t off = 0;
    while (off < len) {
        /* chunks of even length keep byte pairing right */
        size_t n = len - off > 65536 ? 65536 : len - off;
        acc = sum16(acc, seg + off, n);
        off += n;
    }
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

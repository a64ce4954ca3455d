/* Internet checksum (RFC 1071) and the IPv4/IPv6 pseudo-headers. */
#include "net_int.h"

uint32_t net__cksum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t s = sum;
    /* Summing 16-bit big-endian words into 64 bits cannot overflow for any
     * length a packet can have. */
    while (len >= 2) {
        s += (uint32_t)p[0] << 8 | p[1];
        p += 2;
        len -= 2;
    }
    if (len)
        s += (uint32_t)p[0] << 8;
    while (s >> 32)
        s = (s & 0xffffffffu) + (s >> 32);
    return (uint32_t)s;
}

uint16_t net__cksum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint32_t net__cksum_pseudo(const struct mote_ipaddr *src,
                           const struct mote_ipaddr *dst, uint8_t proto,
                           uint32_t len)
{
    uint32_t sum = 0;
    if (src->family == MOTE_IP_V4) {
        sum = net__cksum_add(sum, src->bytes, 4);
        sum = net__cksum_add(sum, dst->bytes, 4);
        uint8_t t[4] = {0, proto, (uint8_t)(len >> 8), (uint8_t)len};
        return net__cksum_add(sum, t, 4);
    }
    sum = net__cksum_add(sum, src->bytes, 16);
    sum = net__cksum_add(sum, dst->bytes, 16);
    uint8_t t[8];
    net__put32(t, len);
    t[4] = t[5] = t[6] = 0;
    t[7] = proto;
    return net__cksum_add(sum, t, 8);
}

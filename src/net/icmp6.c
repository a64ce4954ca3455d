/* ICMPv6 (RFC 4443): echo, errors in (PMTU, to UDP/TCP) and out. */
#include <string.h>

#include <mote/error.h>

#include "net_priv.h"

#define ICMP6_ERR_QUOTE (1280 - 40 - 8) /* RFC 4443 2.4 (c) */

int net__icmp6_send(struct mote_net *st, const struct mote_ipaddr *src,
                    const struct mote_ipaddr *dst, uint8_t type, uint8_t code,
                    uint32_t rest, const uint8_t *body, size_t blen,
                    uint8_t hop_limit)
{
    struct net_pkt *p = net__pkt_alloc(st, 8 + blen);
    if (!p) {
        st->stats.drops[MOTE_NET_DROP_NOMEM]++;
        return MOTE_ENOMEM;
    }
    uint8_t *h = net__pkt_data(p);
    h[0] = type;
    h[1] = code;
    net__put16(h + 2, 0);
    net__put32(h + 4, rest);
    if (blen)
        memcpy(h + 8, body, blen);
    uint32_t sum =
        net__cksum_pseudo(src, dst, NET_PROTO_ICMPV6, (uint32_t)(8 + blen));
    net__put16(h + 2, net__cksum_fold(net__cksum_add(sum, h, 8 + blen)));
    int err = net__ipv6_output(st, NET_PROTO_ICMPV6, src, dst, p, hop_limit);
    if (err == 0)
        st->stats.icmp_tx++;
    net__pkt_free(p);
    return err;
}

void net__icmp6_error(struct mote_net *st, uint8_t type, uint8_t code,
                      uint32_t param, const uint8_t *ip, size_t ip_len)
{
    if (ip_len < 40)
        return;
    struct mote_ipaddr src = mote_ipaddr_from_v6_bytes(ip + 8);
    struct mote_ipaddr dst = mote_ipaddr_from_v6_bytes(ip + 24);
    static const uint8_t zero[16];
    /* RFC 4443 2.4 (e): not to an unspecified or multicast source; not
     * about a multicast destination except packet too big and parameter
     * problem code 2. Callers never pass ICMPv6 errors or redirects. */
    if (memcmp(src.bytes, zero, 16) == 0 || mote_ipaddr_is_multicast(&src))
        return;
    if (mote_ipaddr_is_multicast(&dst) && type != 2 &&
        !(type == 4 && code == 2))
        return;
    if (ip[6] == NET_PROTO_ICMPV6 && ip_len > 40 && ip[40] < 128)
        return; /* the quoted packet is an ICMPv6 error itself */
    if (!net__icmp_rate_ok(st))
        return;
    struct mote_ipaddr me;
    if (mote_ipaddr_is_multicast(&dst) || net__ip_is_local(st, &dst) == false) {
        if (net__ipv6_select_src(st, &src, &me))
            return;
    } else {
        me = dst;
    }
    net__icmp6_send(st, &me, &src, type, code, param, ip,
                    net__min(ip_len, ICMP6_ERR_QUOTE), 0);
}

/* Find the upper-layer header in a quoted datagram q (qlen bytes, at least
 * the 40-byte header). Returns its offset and protocol, or 0. */
static size_t quoted_upper(const uint8_t *q, size_t qlen, uint8_t *proto)
{
    uint8_t nh = q[6];
    size_t off = 40;
    for (int n = 0; n < 16; n++) {
        switch (nh) {
        case 0:
        case 43:
        case 60:
            if (off + 2 > qlen)
                return 0;
            nh = q[off];
            off += ((size_t)q[off + 1] + 1) * 8;
            break;
        case 44:
            if (off + 8 > qlen || (net__get16(q + off + 2) & 0xfff8))
                return 0; /* not the first fragment: no ports */
            nh = q[off];
            off += 8;
            break;
        default:
            *proto = nh;
            return off <= qlen ? off : 0;
        }
    }
    return 0;
}

static void error_input(struct mote_net *st, uint8_t type, uint8_t code,
                        const uint8_t *p, size_t len)
{
    const uint8_t *q = p + 8;
    size_t qlen = len - 8;
    if (qlen < 40 || (q[0] >> 4) != 6) {
        st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
        return;
    }
    struct mote_ipaddr local = mote_ipaddr_from_v6_bytes(q + 8);
    struct mote_ipaddr remote = mote_ipaddr_from_v6_bytes(q + 24);
    if (!net__ip_is_local(st, &local)) {
        st->stats.drops[MOTE_NET_DROP_NOT_FOR_US]++;
        return;
    }
    int err = MOTE_EHOSTUNREACH;
    uint32_t mtu = 0;
    switch (type) {
    case 1:
        err = code == 4   ? MOTE_ECONNREFUSED
              : code == 0 ? MOTE_ENETUNREACH
                          : MOTE_EHOSTUNREACH;
        break;
    case 2:
        /* RFC 8201 section 4: record it, never below 1280. */
        net__pmtu_update(st, &remote, net__get32(p + 4));
        mtu = (uint32_t)net__ip_mtu(st, &remote);
        err = MOTE_EMSGSIZE;
        break;
    case 3:
        err = MOTE_EHOSTUNREACH;
        break;
    default:
        err = code == 1 ? MOTE_ECONNREFUSED : MOTE_EPROTO;
        break;
    }
    uint8_t proto = 0;
    size_t off = quoted_upper(q, qlen, &proto);
    if (!off)
        return;
    net__l4_error(st, err, proto, &local, &remote, q + off, qlen - off, mtu);
}

void net__icmp6_input(struct mote_net *st, const struct mote_ipaddr *src,
                      const struct mote_ipaddr *dst, uint8_t hop_limit,
                      const uint8_t *p, size_t len)
{
    if (len < 4) {
        st->stats.drops[MOTE_NET_DROP_SHORT]++;
        return;
    }
    uint32_t sum = net__cksum_pseudo(src, dst, NET_PROTO_ICMPV6, (uint32_t)len);
    if (net__cksum_fold(net__cksum_add(sum, p, len)) != 0) {
        st->stats.drops[MOTE_NET_DROP_CHECKSUM]++;
        return;
    }
    st->stats.icmp_rx++;
    uint8_t type = p[0], code = p[1];
    if (type >= 133 && type <= 137) {
        net__ndp_input(st, src, dst, hop_limit, p, len);
        return;
    }
    if (len < 8) {
        st->stats.drops[MOTE_NET_DROP_SHORT]++;
        return;
    }
    if (type == 128) {
        /* Echo reply (RFC 4443 4.2), from a unicast address of ours even
         * when the request went to a multicast group. */
        struct mote_ipaddr me = *dst;
        if (mote_ipaddr_is_multicast(dst) && net__ipv6_select_src(st, src, &me))
            return;
        static const uint8_t zero[16];
        if (memcmp(src->bytes, zero, 16) == 0)
            return;
        net__icmp6_send(st, &me, src, 129, 0, net__get32(p + 4), p + 8, len - 8,
                        0);
        return;
    }
    if (type == 129) {
        net__ping_reply(st, p, len);
        return;
    }
    if (type >= 1 && type <= 4)
        error_input(st, type, code, p, len);
}

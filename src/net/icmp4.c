/* ICMPv4 (RFC 792, RFC 1122 3.2.2): echo, errors in and out. */
#include <string.h>

#include <mote/error.h>

#include "net_priv.h"

#define ICMP_ECHO_REPLY  0
#define ICMP_UNREACH     3
#define ICMP_ECHO        8
#define ICMP_TIME_EXCEED 11
#define ICMP_PARAM_PROB  12
#define ICMP_ERR_QUOTE   548 /* 576 total, RFC 1812 4.3.2.3 */

static int send_icmp(struct mote_net *st, const struct mote_ipaddr *src,
                     const struct mote_ipaddr *dst, uint8_t type, uint8_t code,
                     uint32_t rest, const uint8_t *body, size_t blen)
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
    memcpy(h + 8, body, blen);
    net__put16(h + 2, net__cksum_fold(net__cksum_add(0, h, 8 + blen)));
    int err = net__ipv4_output(st, NET_PROTO_ICMP, src, dst, p, false);
    if (err == 0)
        st->stats.icmp_tx++;
    net__pkt_free(p);
    return err;
}

void net__icmp4_error(struct mote_net *st, uint8_t type, uint8_t code,
                      uint32_t extra, const uint8_t *ip, size_t ip_len)
{
    /* RFC 1122 3.2.2: never about an ICMP error, a non-first fragment, a
     * broadcast/multicast destination or a source that is not one host.
     * The callers pass only unicast datagrams; check the rest here. */
    if (ip_len < 20 || st->v4.addr.family != MOTE_IP_V4)
        return;
    size_t hlen = (size_t)(ip[0] & 0x0f) * 4;
    if (net__get16(ip + 6) & 0x1fff)
        return;
    if (ip[9] == NET_PROTO_ICMP && hlen + 1 <= ip_len) {
        uint8_t t = ip[hlen];
        if (t != ICMP_ECHO && t != ICMP_ECHO_REPLY && t != 13 && t != 14)
            return;
    }
    struct mote_ipaddr src = mote_ipaddr_from_v4_bytes(ip + 12);
    uint32_t s = mote_ipaddr_v4_u32(&src);
    if (s == 0 || (s >> 28) >= 0xe || net__ipv4_is_bcast(st, &src))
        return;
    if (!net__icmp_rate_ok(st))
        return;
    send_icmp(st, &st->v4.addr, &src, type, code, extra, ip,
              net__min(ip_len, ICMP_ERR_QUOTE));
}

static int unreach_err(uint8_t code)
{
    switch (code) {
    case 2: /* protocol */
    case 3: /* port */
        return MOTE_ECONNREFUSED;
    case 0: /* net */
    case 6:
    case 9:
    case 11:
        return MOTE_ENETUNREACH;
    case 4:
        return MOTE_EMSGSIZE;
    default:
        return MOTE_EHOSTUNREACH;
    }
}

void net__icmp4_input(struct mote_net *st, const struct mote_ipaddr *src,
                      const struct mote_ipaddr *dst, const uint8_t *p,
                      size_t len)
{
    if (len < 8) {
        st->stats.drops[MOTE_NET_DROP_SHORT]++;
        return;
    }
    if (net__cksum_fold(net__cksum_add(0, p, len)) != 0) {
        st->stats.drops[MOTE_NET_DROP_CHECKSUM]++;
        return;
    }
    st->stats.icmp_rx++;
    uint8_t type = p[0], code = p[1];
    if (type == ICMP_ECHO) {
        /* The reply echoes identifier, sequence and data (RFC 792). */
        send_icmp(st, dst, src, ICMP_ECHO_REPLY, 0, net__get32(p + 4), p + 8,
                  len - 8);
        return;
    }
    if (type == ICMP_ECHO_REPLY) {
        net__ping_reply(st, p, len);
        return;
    }
    if (type != ICMP_UNREACH && type != ICMP_TIME_EXCEED &&
        type != ICMP_PARAM_PROB)
        return; /* timestamps, redirects ...: nothing to do */

    /* The quoted datagram: its header and at least 8 bytes of payload. */
    const uint8_t *q = p + 8;
    size_t qlen = len - 8;
    if (qlen < 20 || (q[0] >> 4) != 4) {
        st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
        return;
    }
    size_t qh = (size_t)(q[0] & 0x0f) * 4;
    if (qh < 20 || qh + 8 > qlen) {
        st->stats.drops[MOTE_NET_DROP_SHORT]++;
        return;
    }
    struct mote_ipaddr local = mote_ipaddr_from_v4_bytes(q + 12);
    struct mote_ipaddr remote = mote_ipaddr_from_v4_bytes(q + 16);
    if (!net__ip_is_local(st, &local)) {
        st->stats.drops[MOTE_NET_DROP_NOT_FOR_US]++;
        return;
    }
    int err = MOTE_EHOSTUNREACH;
    uint32_t mtu = 0;
    if (type == ICMP_UNREACH) {
        err = unreach_err(code);
        if (code == 4) {
            /* RFC 1191 section 4: next-hop MTU in the low 16 bits; 0 from
             * old routers, then assume the quoted length minus a bit. */
            mtu = net__get16(p + 6);
            if (mtu == 0) {
                uint32_t qtot = net__get16(q + 2);
                mtu = qtot > 576 ? qtot - 20 : 576;
            }
            net__pmtu_update(st, &remote, mtu);
            mtu = (uint32_t)net__ip_mtu(st, &remote);
        }
    }
    net__l4_error(st, err, q[9], &local, &remote, q + qh, qlen - qh, mtu);
}

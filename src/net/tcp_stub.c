/* Stand-in for the TCP engine: every segment is answered with a RST. */
#include <string.h>

#include <mote/error.h>

#include "net_int.h"

/*
 * Until the engine (tcp*.c) lands, no port is open, so every segment gets
 * the answer RFC 9293 section 3.10.7.1 gives for a CLOSED connection:
 *   - an incoming RST is dropped;
 *   - if ACK is set:   <SEQ=SEG.ACK><CTL=RST>
 *   - otherwise:       <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
 * where SEG.LEN counts SYN and FIN. The TCP engineer replaces this file.
 */

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

int net__tcp_init(struct mote_net *st)
{
    (void)st;
    return 0;
}

void net__tcp_release(struct mote_net *st)
{
    (void)st;
}

void net__tcp_input(struct mote_net *st, const struct mote_ipaddr *src,
                    const struct mote_ipaddr *dst, const uint8_t *seg,
                    size_t len)
{
    if (len < 20)
        return;
    uint8_t flags = seg[13];
    if (flags & TH_RST)
        return;
    size_t hlen = (size_t)(seg[12] >> 4) * 4;
    if (hlen < 20 || hlen > len)
        return;
    /* RFC 1122 4.2.3.10: never answer a segment to a multicast or broadcast
     * address; the IP layer only hands us unicast, but be sure. */
    if (mote_ipaddr_is_multicast(dst))
        return;

    struct net_pkt *p = net__pkt_alloc(st, 20);
    if (!p) {
        net__stats(st)->drops[MOTE_NET_DROP_NOMEM]++;
        return;
    }
    uint8_t *h = net__pkt_data(p);
    memset(h, 0, 20);
    memcpy(h, seg + 2, 2); /* source port = their destination port */
    memcpy(h + 2, seg, 2);
    if (flags & TH_ACK) {
        memcpy(h + 4, seg + 8, 4); /* SEQ = SEG.ACK */
        h[13] = TH_RST;
    } else {
        uint32_t seglen = (uint32_t)(len - hlen);
        if (flags & TH_SYN)
            seglen++;
        if (flags & TH_FIN)
            seglen++;
        net__put32(h + 8, net__get32(seg + 4) + seglen);
        h[13] = TH_RST | TH_ACK;
    }
    h[12] = 5 << 4;
    uint32_t sum = net__cksum_pseudo(dst, src, NET_PROTO_TCP, 20);
    net__put16(h + 16, net__cksum_fold(net__cksum_add(sum, h, 20)));
    if (net__ip_output(st, NET_PROTO_TCP, dst, src, p) == 0) {
        net__stats(st)->tcp_tx++;
        net__stats(st)->tcp_rst_tx++;
    }
    net__pkt_free(p);
}

void net__tcp_icmp_error(struct mote_net *st, int err,
                         const struct mote_ipaddr *local,
                         const struct mote_ipaddr *remote, const uint8_t *seg,
                         size_t len, uint32_t mtu)
{
    (void)st, (void)err, (void)local, (void)remote, (void)seg, (void)len;
    (void)mtu;
}

void net__tcp_tick(struct mote_net *st)
{
    (void)st;
}

uint64_t net__tcp_deadline(const struct mote_net *st)
{
    (void)st;
    return MOTE_FOREVER;
}

int net__tcp_listen(struct mote_net *st, const struct mote_endpoint *local,
                    int backlog, struct mote_listener **out)
{
    (void)st, (void)local, (void)backlog, (void)out;
    return MOTE_ENOTSUP;
}

int net__tcp_connect(struct mote_net *st, const struct mote_endpoint *remote,
                     uint64_t deadline, struct mote_flow **out)
{
    (void)st, (void)remote, (void)deadline, (void)out;
    return MOTE_ENOTSUP;
}

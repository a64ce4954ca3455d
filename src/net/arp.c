/* ARP for IPv4 over Ethernet (RFC 826), with gratuitous announcements. */
#include <string.h>

#include "net_priv.h"

/*
 * Packet (28 bytes after the Ethernet header):
 *
 *   OFF SIZE MEANING
 *     0    2 hardware type (1 = Ethernet)
 *     2    2 protocol type (0x0800)
 *     4    1 hardware address length (6)
 *     5    1 protocol address length (4)
 *     6    2 operation (1 request, 2 reply)
 *     8    6 sender MAC      14  4 sender IP
 *    18    6 target MAC      24  4 target IP
 */

#define ARP_LEN         28
#define DEFEND_INTERVAL (10 * MOTE_NS_PER_SEC) /* RFC 5227 section 1.1 */
#define ARP_REQUEST     1
#define ARP_REPLY       2

static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static void arp_send(struct mote_net *st, uint16_t op, const uint8_t *eth_dst,
                     const uint8_t *tha, const uint8_t *tpa)
{
    struct net_pkt *p = net__pkt_alloc(st, ARP_LEN);
    if (!p) {
        st->stats.drops[MOTE_NET_DROP_NOMEM]++;
        return;
    }
    uint8_t *a = net__pkt_data(p);
    net__put16(a, 1);
    net__put16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    net__put16(a + 6, op);
    memcpy(a + 8, st->cfg.mac.bytes, 6);
    if (st->v4.addr.family == MOTE_IP_V4)
        memcpy(a + 14, st->v4.addr.bytes, 4);
    else
        memset(a + 14, 0, 4);
    memcpy(a + 18, tha, 6);
    memcpy(a + 24, tpa, 4);
    if (op == ARP_REQUEST)
        st->stats.arp_requests_sent++;
    else
        st->stats.arp_replies_sent++;
    net__eth_output(st, eth_dst, 0x0806, p);
    net__pkt_free(p);
}

void net__arp_request(struct mote_net *st, const struct mote_ipaddr *target,
                      const uint8_t *unicast_mac)
{
    static const uint8_t zero[6];
    arp_send(st, ARP_REQUEST, unicast_mac ? unicast_mac : bcast_mac, zero,
             target->bytes);
}

/* Gratuitous ARP (RFC 5227 section 3, "ARP Announcement"): a request with
 * sender and target IP both ours, so neighbours update their caches. */
void net__arp_announce(struct mote_net *st)
{
    static const uint8_t zero[6];
    if (st->v4.addr.family != MOTE_IP_V4)
        return;
    arp_send(st, ARP_REQUEST, bcast_mac, zero, st->v4.addr.bytes);
}

void net__arp_input(struct mote_net *st, const uint8_t *a, size_t len)
{
    if (len < ARP_LEN) {
        st->stats.drops[MOTE_NET_DROP_SHORT]++;
        return;
    }
    if (net__get16(a) != 1 || net__get16(a + 2) != 0x0800 || a[4] != 6 ||
        a[5] != 4) {
        st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
        return;
    }
    uint16_t op = net__get16(a + 6);
    const uint8_t *sha = a + 8, *spa = a + 14, *tpa = a + 24;
    if (op != ARP_REQUEST && op != ARP_REPLY) {
        st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
        return;
    }
    /* A multicast or broadcast sender MAC would poison the cache. */
    if (sha[0] & 1) {
        st->stats.drops[MOTE_NET_DROP_MALFORMED]++;
        return;
    }
    struct mote_ipaddr sender = mote_ipaddr_from_v4_bytes(spa);
    bool have = st->v4.addr.family == MOTE_IP_V4;
    bool for_us = have && memcmp(tpa, st->v4.addr.bytes, 4) == 0;
    uint32_t s = mote_ipaddr_v4_u32(&sender);
    bool sender_ok = s != 0 && s != 0xffffffffu && (s >> 28) != 0xe;
    if (have && memcmp(spa, st->v4.addr.bytes, 4) == 0) {
        /* Another host claims our address (RFC 5227 2.4): count it and
         * defend (b): one announcement, then no more for DEFEND_INTERVAL,
         * so two defenders cannot flood the link. */
        st->stats.addr_conflicts++;
        if (st->arp_defended == 0 ||
            st->now >= st->arp_defended + DEFEND_INTERVAL) {
            st->arp_defended = st->now ? st->now : 1;
            net__arp_announce(st);
        }
        return;
    }
    if (sender_ok) {
        /* RFC 826 "merge": update an existing entry from any packet;
         * create one only when the packet is for us. A reply to us is an
         * answer (REACHABLE); a request for us only says the sender exists
         * (STALE, RFC 4861 7.2.3's rule applied to ARP). */
        net__neigh_update(st, &sender, sha, for_us && op == ARP_REPLY, true,
                          for_us);
    }
    if (for_us && op == ARP_REQUEST) {
        /* Answer probes too (sender IP 0, RFC 5227 2.1.1): to defend our
         * address the reply goes to the asker's MAC. */
        arp_send(st, ARP_REPLY, sha, sha, spa);
    } else if (!for_us) {
        st->stats.drops[MOTE_NET_DROP_NOT_FOR_US]++;
    }
}

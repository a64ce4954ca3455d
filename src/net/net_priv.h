/* The direct stack's private state, shared by the layers below TCP. */
#ifndef NET_PRIV_H
#define NET_PRIV_H

#include "net_int.h"

/*
 * IMPLEMENTATION NOTES
 *
 * Everything is bounded: fixed tables sized at mote_net_new() from the
 * config limits, and reassembly memory counted against reass_mem_max.
 *
 * Neighbour cache (neigh.c): one table for ARP (IPv4) and NDP (IPv6),
 * following RFC 4861 section 7.3.2 for both families:
 *
 *   INCOMPLETE --answer--> REACHABLE --reachable_time--> STALE
 *       | 3 tries, 1 s                                   | packet sent
 *       v                                                v
 *    deleted <--3 unicast probes-- PROBE <--5 s-- DELAY
 *                                    | answer: REACHABLE
 *
 * An INCOMPLETE entry holds up to pending_max packets, each a copy of the
 * whole IP datagram with Ethernet headroom; they are sent when the answer
 * comes and dropped (counted NEIGHBOR) when the entry dies. When the table
 * is full the least recently used entry that is not INCOMPLETE is evicted.
 *
 * Reassembly (reass.c), both families: up to NET_REASS_MAX datagrams, each
 * keyed by (family, src, dst, id, proto), a buffer grown to the highest
 * fragment end seen and a sorted list of received ranges. Any overlap that
 * is not an exact duplicate drops the whole datagram (RFC 5722 for IPv6;
 * Linux does the same for IPv4). Limits: total buffer bytes <=
 * reass_mem_max, NET_REASS_FRAGS ranges per datagram, reass_timeout.
 */

enum net_neigh_state {
    NET_NEIGH_FREE = 0,
    NET_NEIGH_INCOMPLETE,
    NET_NEIGH_REACHABLE,
    NET_NEIGH_STALE,
    NET_NEIGH_DELAY,
    NET_NEIGH_PROBE,
};

struct net_neigh {
    struct mote_ipaddr ip;
    uint8_t mac[6];
    uint8_t state;
    uint8_t probes; /* solicitations sent in INCOMPLETE/PROBE */
    bool router;
    uint64_t timer; /* next state change or retransmission */
    uint64_t used;  /* for LRU eviction */
    struct net_pkt *pend_head, *pend_tail;
    size_t npend;
};

enum net_addr_state {
    NET_ADDR_FREE = 0,
    NET_ADDR_TENTATIVE,
    NET_ADDR_PREFERRED,
    NET_ADDR_DEPRECATED,
};

struct net_addr6 {
    struct mote_ipprefix p;
    uint8_t state;
    bool slaac;
    uint8_t dad_left;  /* NS still to send */
    uint64_t dad_next; /* when to send the next NS / declare success */
    uint64_t preferred_until, valid_until; /* MOTE_FOREVER for static */
};

struct net_prefix6 { /* on-link prefixes learned from RAs */
    struct mote_ipprefix p;
    uint64_t valid_until; /* 0 = free slot */
};

struct net_router6 {
    struct mote_ipaddr addr; /* link-local */
    uint64_t until;          /* 0 = free slot */
};

struct net_pmtu {
    struct mote_ipaddr dst;
    uint32_t mtu;
    uint64_t until; /* 0 = free slot */
};

#define NET_REASS_MAX   16
#define NET_REASS_FRAGS 64
#define NET_REASS_QUOTE 128 /* headers + 8 bytes, for any sane chain */

struct net_reass {
    bool used;
    uint8_t family, proto;
    struct mote_ipaddr src, dst;
    uint32_t id;
    uint64_t expires;
    uint8_t *buf; /* payload bytes, buf[0] = offset 0 */
    size_t cap;
    size_t total; /* payload length once the last fragment came; else 0 */
    bool have_last;
    /* The start of the first fragment (offset 0) as received, header
     * included, for the time exceeded message (RFC 792, RFC 8200 4.5). */
    uint8_t first[NET_REASS_QUOTE];
    size_t first_len; /* 0 until the first fragment came */
    size_t nranges;
    struct {
        uint32_t start, end;
    } ranges[NET_REASS_FRAGS];
};

#define NET_ADDR6_MAX   8
#define NET_PREFIX6_MAX 8
#define NET_ROUTER6_MAX 4
#define NET_PMTU_MAX    16

enum net_dhcp_state {
    NET_DHCP_OFF = 0,
    NET_DHCP_SELECTING,
    NET_DHCP_REQUESTING,
    NET_DHCP_BOUND,
    NET_DHCP_RENEWING,
    NET_DHCP_REBINDING,
};

struct net_dhcp {
    uint8_t state;
    uint32_t xid;
    uint64_t timer;          /* next retransmission or T1/T2/expiry step */
    uint64_t backoff;        /* current retransmission interval */
    uint64_t t1, t2, expiry; /* absolute */
    struct mote_ipaddr offered, server;
    uint8_t offered_len; /* prefix length from the subnet mask */
    struct mote_ipaddr router;
};

struct net_udp;
struct net_ping;

struct mote_net {
    struct mote_stack stack; /* mote_net_stack() */
    struct mote_net_config cfg;
    uint64_t now;
    struct mote_stack_stats stats;
    void *tcp; /* the TCP engine's state */
    size_t mtu;
    /* The frame being input came with a checksum the device vouches for
     * (virtio NEEDS_CSUM or DATA_VALID): TCP/UDP skip their check. Set by
     * mote_net_input_gso for the one frame, false otherwise (loopback
     * datagrams, reassembled ones). */
    bool rx_csum_ok;

    /* IPv4 */
    struct mote_ipprefix v4;  /* family MOTE_IP_NONE when unconfigured */
    struct mote_ipaddr v4_gw; /* MOTE_IP_NONE for none */
    uint16_t ip_id;
    uint64_t arp_defended; /* when we last defended our address (0: never) */
    struct net_dhcp dhcp;

    /* IPv6 */
    struct net_addr6 addr6[NET_ADDR6_MAX];
    struct net_prefix6 prefix6[NET_PREFIX6_MAX];
    struct net_router6 router6[NET_ROUTER6_MAX];
    struct mote_ipaddr v6_gw;
    uint8_t hop_limit;
    uint64_t reachable_time, retrans_time;
    uint8_t rs_left;
    uint64_t rs_next;

    struct net_pmtu pmtu[NET_PMTU_MAX];

    struct net_neigh *neigh;
    size_t nneigh;

    struct net_reass reass[NET_REASS_MAX];
    size_t reass_mem;

    /* ICMP error rate limit: a token bucket, NET_ICMP_BURST tokens, refilled
     * NET_ICMP_RATE per second (RFC 1812 4.3.2.8, RFC 4443 2.4 (f)). */
    uint32_t icmp_tokens;
    uint64_t icmp_refill;

    struct net_udp *udp_list;
    struct net_ping *pings; /* outstanding mote_net_ping calls */

    /* Datagrams we sent to one of our own addresses, waiting to be fed to
     * our input by net__flush (never from inside output: no re-entry). */
    struct net_pkt *loop_head, *loop_tail;
    size_t loop_len;
    bool in_flush;
    uint16_t ephemeral_next;

    uint64_t next_deadline_hint;
};

#define NET_ICMP_BURST 50
#define NET_ICMP_RATE  100

/* ---- stack.c ---- */
/* Emit one frame: push the Ethernet header in p's headroom, send, pop it.
 * Counts tx or a DEVICE drop. Returns the send hook's result. */
int net__eth_output(struct mote_net *st, const uint8_t dst_mac[6],
                    uint16_t type, struct net_pkt *p);
bool net__icmp_rate_ok(struct mote_net *st);

/* ---- arp.c ---- */
void net__arp_input(struct mote_net *st, const uint8_t *p, size_t len);
void net__arp_request(struct mote_net *st, const struct mote_ipaddr *target,
                      const uint8_t *unicast_mac);
void net__arp_announce(struct mote_net *st);

/* ---- neigh.c ---- */
/* Send the IP datagram in p (borrowed; data = IP header onward) to next hop
 * nh, resolving its MAC first if needed (then a copy is queued). */
int net__neigh_output(struct mote_net *st, const struct mote_ipaddr *nh,
                      uint16_t ethertype, struct net_pkt *p);
/* An answer or a hint about ip's MAC. solicited: a confirmed answer (ARP
 * reply or request for us, NA with S). override: NA's O flag (ARP: true).
 * create: make an entry if none (STALE). */
void net__neigh_update(struct mote_net *st, const struct mote_ipaddr *ip,
                       const uint8_t mac[6], bool solicited, bool override,
                       bool create);
struct net_neigh *net__neigh_find(struct mote_net *st,
                                  const struct mote_ipaddr *ip);
void net__neigh_tick(struct mote_net *st);
uint64_t net__neigh_deadline(const struct mote_net *st);
void net__neigh_release(struct mote_net *st);

/* ---- ipv4.c ---- */
void net__ipv4_input(struct mote_net *st, const uint8_t *p, size_t len,
                     bool link_bcast);
int net__ipv4_output(struct mote_net *st, uint8_t proto,
                     const struct mote_ipaddr *src,
                     const struct mote_ipaddr *dst, struct net_pkt *payload,
                     bool df);
/* The on-link next hop for dst, or an error (MOTE_ENETUNREACH). */
bool net__ipv4_is_bcast(const struct mote_net *st, const struct mote_ipaddr *a);

/* ---- icmp4.c ---- */
void net__icmp4_input(struct mote_net *st, const struct mote_ipaddr *src,
                      const struct mote_ipaddr *dst, const uint8_t *p,
                      size_t len);
/* Send a destination unreachable / time exceeded about the datagram ip
 * (its header and what follows, ip_len bytes). */
void net__icmp4_error(struct mote_net *st, uint8_t type, uint8_t code,
                      uint32_t extra, const uint8_t *ip, size_t ip_len);

/* ---- ipv6.c ---- */
void net__ipv6_input(struct mote_net *st, const uint8_t *p, size_t len);
int net__ipv6_output(struct mote_net *st, uint8_t proto,
                     const struct mote_ipaddr *src,
                     const struct mote_ipaddr *dst, struct net_pkt *payload,
                     uint8_t hop_limit);
/* Our address state for a: NET_ADDR_FREE if not ours. */
int net__ipv6_addr_state(const struct mote_net *st,
                         const struct mote_ipaddr *a);
bool net__ipv6_on_link(const struct mote_net *st, const struct mote_ipaddr *a);
int net__ipv6_select_src(struct mote_net *st, const struct mote_ipaddr *dst,
                         struct mote_ipaddr *src);
int net__ipv6_add_addr(struct mote_net *st, const struct mote_ipprefix *p,
                       bool slaac, uint64_t preferred, uint64_t valid);

/* ---- icmp6.c / ndp.c ---- */
/* Send one ICMPv6 message (checksum filled in); hop_limit 0 = default. */
int net__icmp6_send(struct mote_net *st, const struct mote_ipaddr *src,
                    const struct mote_ipaddr *dst, uint8_t type, uint8_t code,
                    uint32_t rest, const uint8_t *body, size_t blen,
                    uint8_t hop_limit);
void net__icmp6_input(struct mote_net *st, const struct mote_ipaddr *src,
                      const struct mote_ipaddr *dst, uint8_t hop_limit,
                      const uint8_t *p, size_t len);
/* An ICMPv6 error about the datagram ip (ip_len bytes from its header). */
void net__icmp6_error(struct mote_net *st, uint8_t type, uint8_t code,
                      uint32_t param, const uint8_t *ip, size_t ip_len);
void net__ndp_input(struct mote_net *st, const struct mote_ipaddr *src,
                    const struct mote_ipaddr *dst, uint8_t hop_limit,
                    const uint8_t *p, size_t len);
void net__ndp_solicit(struct mote_net *st, const struct mote_ipaddr *target,
                      const uint8_t *unicast_mac);
void net__ndp_start(struct mote_net *st);
void net__ndp_tick(struct mote_net *st);
uint64_t net__ndp_deadline(const struct mote_net *st);

/* ---- reass.c ---- */
/* Add a fragment (payload bytes at byte offset off; more = MF) of the
 * datagram ip..ip+ip_len (kept, if it is the first fragment, to quote in
 * the ICMP time exceeded sent when reassembly times out). Returns a new
 * packet with the whole payload when complete (caller frees), else NULL. */
struct net_pkt *net__reass_add(struct mote_net *st, uint8_t family,
                               const struct mote_ipaddr *src,
                               const struct mote_ipaddr *dst, uint32_t id,
                               uint8_t proto, uint32_t off, bool more,
                               const uint8_t *data, size_t len,
                               const uint8_t *ip, size_t ip_len);
void net__reass_tick(struct mote_net *st);
uint64_t net__reass_deadline(const struct mote_net *st);
void net__reass_release(struct mote_net *st);

/* ---- loopback (stack.c) ---- */
/* Queue a copy of the IP datagram in p for our own input. */
int net__loop_queue(struct mote_net *st, struct net_pkt *p);

/* ---- pmtu (stack.c) ---- */
void net__pmtu_update(struct mote_net *st, const struct mote_ipaddr *dst,
                      uint32_t mtu);

/* ---- udp.c ---- */
void net__udp_input(struct mote_net *st, const struct mote_ipaddr *src,
                    const struct mote_ipaddr *dst, const uint8_t *p, size_t len,
                    const uint8_t *ip, size_t ip_len);
void net__udp_icmp_error(struct mote_net *st, int err,
                         const struct mote_ipaddr *local,
                         const struct mote_ipaddr *remote, const uint8_t *p,
                         size_t len);
int net__udp_open(struct mote_net *st, const struct mote_endpoint *local,
                  struct mote_udp **out);
/* Build and send one datagram (used by the UDP face and DHCP). */
int net__udp_send(struct mote_net *st, const struct mote_ipaddr *src,
                  uint16_t sport, const struct mote_ipaddr *dst, uint16_t dport,
                  const void *data, size_t len);

/* ---- ping.c ---- */
/* An echo reply (ICMP or ICMPv6 message, header included). */
void net__ping_reply(struct mote_net *st, const uint8_t *icmp, size_t len);
/* An error quoting an echo request (icmp = the quoted ICMP header). */
void net__ping_error(struct mote_net *st, int err, const uint8_t *icmp,
                     size_t len);

/* ---- dhcp.c ---- */
void net__dhcp_start(struct mote_net *st);
/* True if the datagram was DHCP's (port 68 from 67). */
bool net__dhcp_input(struct mote_net *st, const uint8_t *p, size_t len);
void net__dhcp_tick(struct mote_net *st);
uint64_t net__dhcp_deadline(const struct mote_net *st);

/* Dispatch of upper-layer protocol for both families (stack.c): checks the
 * transport checksum and hands off. ip/ip_len: the whole datagram for ICMP
 * error quotes. */
void net__l4_input(struct mote_net *st, uint8_t proto,
                   const struct mote_ipaddr *src, const struct mote_ipaddr *dst,
                   const uint8_t *p, size_t len, const uint8_t *ip,
                   size_t ip_len, bool multicast);
/* Quoted-datagram error from ICMP(v6): dispatch to UDP or TCP. */
void net__l4_error(struct mote_net *st, int err, uint8_t proto,
                   const struct mote_ipaddr *local,
                   const struct mote_ipaddr *remote, const uint8_t *p,
                   size_t len, uint32_t mtu);

static inline uint64_t net__min(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

#endif

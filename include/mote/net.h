/* The direct TCP/IP stack: configuration, the sans-I/O core, counters. */
#ifndef MOTE_NET_H
#define MOTE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mote/ipaddr.h>
#include <mote/platform.h>
#include <mote/stack.h>

/*
 * The direct stack turns Ethernet frames into a struct mote_stack. It has
 * two parts:
 *
 *  - the core (struct mote_net): Ethernet, ARP, IPv4, ICMPv4, IPv6, ICMPv6,
 *    NDP, SLAAC, UDP, DHCPv4 and (src/net/tcp*.c) TCP. It has no clock (time
 *    is an argument, in monotonic ns), no I/O (frames go out through the
 *    send_frame hook), no randomness of its own (the random hook). It
 *    allocates with the libc allocator (malloc/free), bounded by the limits
 *    below. Feed it frames with mote_net_input() and call mote_net_tick()
 *    at mote_net_deadline().
 *  - the adapter (mote_net_attach()): a fiber that waits on a platform
 *    network device, feeds the core and runs its timers; and the mote_stack
 *    face (mote_net_stack()) whose blocking calls wait on fibers.
 *
 * Unit tests and fuzzers drive the core alone with a fake device.
 */

/* Fill buf with n random bytes (need not be cryptographic for ARP jitter,
 * MUST be for ports, ISNs, DHCP xids). */
typedef void (*mote_net_random_fn)(void *ctx, void *buf, size_t n);
/* Send one Ethernet frame (header included). The frame is borrowed for the
 * call only. A negative return counts as a drop (MOTE_EAGAIN: queue full). */
typedef int (*mote_net_send_fn)(void *ctx, const uint8_t *frame, size_t len);
/* Send one frame with offload work for the device (gso: see struct
 * mote_net_gso in <mote/platform.h>; borrowed for the call). Called only
 * for what mote_net_config.offloads allows. */
typedef int (*mote_net_send_gso_fn)(void *ctx, const uint8_t *frame, size_t len,
                                    const struct mote_net_gso *gso);

#define MOTE_NET_MAX_V6_STATIC 4

/* Bounds of mote_net_config.tcp_sndbuf / tcp_rcvbuf. */
#define MOTE_NET_TCP_BUF_MIN 1024u
#define MOTE_NET_TCP_BUF_MAX (64u << 20)

struct mote_net_config {
    struct mote_macaddr mac;
    size_t mtu; /* link MTU (IP packet size); 0 means 1500; 1280..9000 */
    mote_net_send_fn send_frame;
    void *send_ctx;
    mote_net_random_fn random;
    void *random_ctx;
    /* Send offloads the device takes through send_gso (send_ctx):
     * MOTE_NET_OFFLOAD_CSUM lets TCP leave its checksums partial,
     * MOTE_NET_OFFLOAD_TSO4/6 (with CSUM) lets it queue super-segments of
     * up to 64 KiB. 0 (or no send_gso): plain frames only. mote_net_attach
     * fills both from the platform device unless no_offload. */
    uint32_t offloads;
    mote_net_send_gso_fn send_gso;
    bool no_offload; /* --no-offload: plain frames both ways */

    /* IPv4: a static address (family MOTE_IP_NONE for none) and gateway,
     * or DHCP. dhcp and a static address are exclusive. */
    struct mote_ipprefix ipv4;
    struct mote_ipaddr ipv4_gateway;
    bool dhcp;
    /* IPv6: the link-local address from the MAC is always configured;
     * static global addresses and a gateway may be added; SLAAC from
     * router advertisements unless no_slaac. */
    struct mote_ipprefix ipv6[MOTE_NET_MAX_V6_STATIC];
    size_t ipv6_count;
    struct mote_ipaddr ipv6_gateway;
    bool no_slaac;
    bool no_ipv6; /* IPv6 off altogether */
    bool no_dad;  /* skip duplicate address detection (tests) */

    /* Limits; 0 picks the default given. */
    size_t neighbor_max;    /* ARP + NDP cache entries (64) */
    size_t pending_max;     /* packets queued per unresolved neighbour (4) */
    size_t reass_mem_max;   /* bytes held for reassembly, both families
                               (256 KiB) */
    uint64_t reass_timeout; /* ns before a partial datagram is dropped
                               (both families; 0: 30 s for IPv4, 60 s for
                               IPv6 as RFC 8200 4.5 says) */
    size_t udp_queue_max;   /* datagrams queued per UDP endpoint (64) */
    /* TCP (1 KiB .. 64 MiB each): tcp_sndbuf is the largest a
     * connection's send ring grows to (1 MiB); it starts at 16 KiB (or
     * tcp_sndbuf if smaller) and doubles when the ring, not the
     * congestion or peer's window, limits sending (about two congestion
     * windows). tcp_rcvbuf is the largest a connection's receive ring
     * (the window the stack offers) grows to (4 MiB); it starts at
     * 64 KiB (or tcp_rcvbuf if smaller) and doubles when the reader takes
     * more than half of it per round trip; the window-scale shift follows
     * from the maximum (RFC 7323 2.3). Small rings make idle connections
     * cheap, large ones fill long paths. */
    size_t tcp_sndbuf, tcp_rcvbuf;
};

/* Reasons a received frame was dropped; index into drops[]. */
enum mote_net_drop {
    MOTE_NET_DROP_NONE = 0,
    MOTE_NET_DROP_SHORT,      /* truncated header or length field too large */
    MOTE_NET_DROP_CHECKSUM,   /* bad IPv4 header, UDP, TCP or ICMP checksum */
    MOTE_NET_DROP_MALFORMED,  /* bad version, header length, option, field */
    MOTE_NET_DROP_NOT_FOR_US, /* another host's MAC or IP address */
    MOTE_NET_DROP_PROTO,      /* unknown EtherType or IP protocol */
    MOTE_NET_DROP_NO_PORT,    /* UDP to a closed port */
    MOTE_NET_DROP_REASS,      /* fragment dropped (limits, overlap, timeout) */
    MOTE_NET_DROP_NO_ROUTE,   /* output with no route */
    MOTE_NET_DROP_NEIGHBOR,   /* output to a neighbour that did not answer or
                                 whose queue was full */
    MOTE_NET_DROP_QUEUE_FULL, /* UDP receive queue full */
    MOTE_NET_DROP_NOMEM,      /* allocation failed or a limit was hit */
    MOTE_NET_DROP_DEVICE,     /* send_frame failed */
    MOTE_NET_DROP_TTL,        /* hop limit zero / not forwarded */
    MOTE_NET_DROP_COUNT
};

/* Counters since mote_net_new(). All wrap at 2^64. */
struct mote_stack_stats {
    uint64_t rx_frames, rx_bytes; /* every frame given to mote_net_input */
    uint64_t tx_frames, tx_bytes; /* every frame handed to send_frame */
    uint64_t drops[MOTE_NET_DROP_COUNT];
    uint64_t arp_requests_sent, arp_replies_sent;
    uint64_t ipv4_rx, ipv4_tx, ipv6_rx, ipv6_tx; /* IP packets */
    uint64_t frag_tx;                            /* fragments sent */
    uint64_t reass_ok;                           /* datagrams reassembled */
    uint64_t icmp_rx, icmp_tx;                   /* ICMPv4 + ICMPv6 messages */
    uint64_t udp_rx, udp_tx;
    uint64_t tcp_rx, tcp_tx;  /* segments (TCP engine) */
    uint64_t tcp_retransmits; /* TCP engine */
    uint64_t tcp_rst_tx;      /* RSTs sent */
    uint64_t dhcp_leases;     /* DHCPACKs accepted */
    uint64_t dad_failures;    /* IPv6 addresses found duplicate */
    uint64_t addr_conflicts; /* ARP packets from others with our IPv4 address */
    /* TCP engine (RFC 5961 / 7323 / 4987) */
    uint64_t tcp_challenge_acks; /* challenge ACKs sent */
    uint64_t tcp_paws_drops;     /* segments dropped by PAWS */
    uint64_t tcp_cookies_sent;   /* SYN-ACKs carrying a SYN cookie */
    uint64_t tcp_cookies_ok;     /* connections completed by a cookie */
    uint64_t tcp_syn_drops;      /* SYNs dropped (no listener room/queue) */
    /* Gauges (current values, not counters) */
    uint64_t tcp_conns;    /* connections the engine holds, pool excluded */
    uint64_t tcp_conn_mem; /* bytes of connection memory allocated (rings
                              and state, pool included) */
    /* Offloads (counted within tx_frames/tx_bytes, rx_frames/rx_bytes and
     * tcp_tx/tcp_rx, where a super-segment is one frame and one segment) */
    uint64_t gso_tx, gso_tx_bytes; /* super-frames the device cut, bytes */
    uint64_t gso_rx, gso_rx_bytes; /* super-frames received, bytes */
    uint64_t csum_partial_tx;      /* frames sent with a partial checksum */
    uint64_t csum_trusted_rx;      /* frames whose checksum the device
                                      vouched for (not re-checked) */
};

const char *mote_net_drop_name(enum mote_net_drop d); /* "short", ... */

/* ---- The core ------------------------------------------------------------ */

struct mote_net; /* opaque */

/* Create a stack with cfg (copied) at time now. Sends the gratuitous ARP,
 * starts DAD/RS for IPv6 and DHCP discovery as configured, so send_frame
 * may be called from here. Errors: MOTE_EINVAL (bad config: no send hook,
 * no random hook, mtu out of range, dhcp with a static IPv4 address),
 * MOTE_ENOMEM. */
int mote_net_new(const struct mote_net_config *cfg, uint64_t now,
                 struct mote_net **out);
/* Free the stack and everything in it. Open UDP endpoints, listeners and
 * flows MUST have been closed. */
void mote_net_free(struct mote_net *n);

/* One received Ethernet frame (borrowed for the call; no FCS). Any reply
 * is sent before it returns. Never fails: bad input is counted and
 * dropped. */
void mote_net_input(struct mote_net *n, uint64_t now, const uint8_t *frame,
                    size_t len);
/* mote_net_input for a frame the device says more about (gso from
 * mote_platform_net_read_gso; NULL is mote_net_input): a frame with
 * MOTE_NET_GSO_F_NEEDS_CSUM or _DATA_VALID has its TCP/UDP checksum taken
 * as good (partial ones are not checked), and a TCP super-frame (gso_type
 * TCPV4/TCPV6, up to MOTE_NET_GSO_FRAME_MAX bytes, over the MTU) is taken
 * as one segment. Only a device's own word may say so: never pass gso
 * for frames from elsewhere. */
void mote_net_input_gso(struct mote_net *n, uint64_t now, const uint8_t *frame,
                        size_t len, const struct mote_net_gso *gso);
/* Run the timers due at now (ARP/ND retries and expiry, reassembly
 * timeouts, DHCP, RS/DAD, TCP). */
void mote_net_tick(struct mote_net *n, uint64_t now);
/* The earliest time mote_net_tick() has work (MOTE_FOREVER for none). */
uint64_t mote_net_deadline(const struct mote_net *n);

void mote_net_stats(const struct mote_net *n, struct mote_stack_stats *out);

/* Addresses currently usable (not tentative). Writes up to max, returns
 * the count available (may exceed max). */
size_t mote_net_addresses(const struct mote_net *n, struct mote_ipprefix *out,
                          size_t max);

/* The stack as a mote_stack. Its blocking calls MUST run on fibers; they
 * wake when mote_net_input()/mote_net_tick() deliver data. */
struct mote_stack *mote_net_stack(struct mote_net *n);

/* Send one ICMP (IPv4) or ICMPv6 echo request with size data bytes to dst
 * and wait for its reply. Blocks the calling fiber. On success *rtt (if
 * not NULL) is the round trip in ns. Errors: MOTE_ETIMEDOUT, MOTE_ECANCELED,
 * MOTE_ENETUNREACH, MOTE_EADDRNOTAVAIL (no source address yet),
 * MOTE_EHOSTUNREACH / MOTE_ENETUNREACH (an ICMP error came back),
 * MOTE_EAGAIN (neighbour queue full), MOTE_EMSGSIZE (size > 65000),
 * MOTE_ENOMEM. */
int mote_net_ping(struct mote_net *n, const struct mote_ipaddr *dst,
                  size_t size, uint64_t deadline, uint64_t *rtt);

/* ---- Configuration from arguments --------------------------------------- */

/* Apply one argument to cfg if it is a direct-stack option:
 *   --ipv4=ADDR/LEN  --ipv4-gateway=ADDR  --dhcp
 *   --ipv6=ADDR/LEN (repeatable)  --ipv6-gateway=ADDR  --no-slaac
 *   --no-ipv6  --mtu=N  --tcp-sndbuf=BYTES  --tcp-rcvbuf=BYTES
 *   --no-offload
 * Returns 1 if it was one (and was valid), 0 if not an option of ours,
 * MOTE_EINVAL if it was ours but malformed, MOTE_ENOSPC for too many
 * --ipv6. */
int mote_net_config_arg(struct mote_net_config *cfg, const char *arg);

/* ---- The adapter --------------------------------------------------------- */

/* Acquire the platform network device called device, build a stack over it
 * from cfg (mac, mtu, send_frame and random are filled in here) and spawn
 * the fiber that feeds it. Errors: those of mote_platform_net_acquire,
 * mote_net_new and mote_fiber_spawn. */
int mote_net_attach(const char *device, const struct mote_net_config *cfg,
                    struct mote_net **out);

#endif

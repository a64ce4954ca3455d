/* The sans-I/O TCP engine (RFC 9293): types, API and implementation notes. */
#ifndef MOTE_NET_TCP_INT_H
#define MOTE_NET_TCP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mote/ipaddr.h>

/*
 * IMPLEMENTATION NOTES
 *
 * Shape. struct tcp_stack is a pure state machine. It is fed segments that
 * the IP layer already demultiplexed (tcp_input: source and destination
 * address, the TCP header and payload), the time as a value (monotonic ns,
 * every call takes `now`), and application calls on connections. It never
 * allocates, reads a clock or does I/O. What it wants sent is appended to an
 * output queue (caller-supplied memory, fixed-size slots) that the adapter
 * drains with tcp_out_peek/tcp_out_pop; when the queue is full the engine
 * holds data back (and counts a drop for control segments) and the timers
 * recover. Timers are exposed as tcp_deadline(); the adapter calls
 * tcp_tick(now) when it passes. Each active pcb sits once in a pairing
 * heap keyed by its earliest timer, so a tick visits only the pcbs that
 * are due: idle connections cost nothing per tick. Randomness (ISN key,
 * timestamp offsets, ephemeral ports, SYN-cookie key) comes through cfg.random.
 *
 * Ownership. The caller owns every struct tcp_pcb and its two buffers. A pcb
 * is handed to the engine by tcp_connect (active open) or tcp_pool_give
 * (spare pcbs the engine may use for passive opens). From then on the engine
 * uses it until it reports TCP_EV_FREE (after the application called
 * tcp_close or tcp_abort AND the connection reached CLOSED); then it never
 * touches it again. Pool pcbs whose handshake fails before being accepted
 * return to the pool silently.
 *
 * Buffers (borrowed windows, BearSSL style). Each pcb has a send ring and a
 * receive ring of fixed capacity given at tcp_pcb_init.
 *
 *   send ring:  [snd_una .......... snd_nxt ........ snd_una+slen)
 *               acked bytes leave the front; tcp_send_buf/tcp_send_ack
 *               append at the back.
 *   recv ring:  [rcv_user ... rcv_nxt) in order, unread (rlen bytes)
 *               [rcv_nxt ... rcv_user+rcap) out-of-order data is written
 *               straight into place; ooo[] records which ranges hold data.
 *               The advertised right edge rcv_user+rcap never moves left.
 *
 * Sequence space. ISS is the SYN; data starts at ISS+1; the FIN takes one
 * number after the last data byte. snd_max is the highest sequence sent;
 * snd_nxt < snd_max after a timeout (go-back-N) or during a retransmission.
 *
 * State diagram (RFC 9293 figure 5), with what drives each edge here:
 *
 *   CLOSED --tcp_connect/SYN--> SYN_SENT --SYN,ACK/ACK--> ESTABLISHED
 *   LISTEN --SYN/SYN,ACK--> SYN_RCVD --ACK--> ESTABLISHED (accept queue)
 *   SYN_SENT --SYN/SYN,ACK--> SYN_RCVD              (simultaneous open)
 *   ESTABLISHED --shutdown/FIN--> FIN_WAIT_1 --ACK--> FIN_WAIT_2
 *   FIN_WAIT_1 --FIN/ACK--> CLOSING --ACK--> TIME_WAIT (simultaneous close)
 *   FIN_WAIT_2 --FIN/ACK--> TIME_WAIT --2MSL--> CLOSED
 *   ESTABLISHED --FIN/ACK--> CLOSE_WAIT --shutdown/FIN--> LAST_ACK
 *   LAST_ACK --ACK--> CLOSED
 *
 * A listener is not a pcb: struct tcp_listener. SYN_RCVD pcbs come from the
 * pool; when the listener already holds `backlog` half-open connections or
 * the pool is empty, the SYN is answered statelessly with a SYN cookie
 * (tcp.c: cookie_make) and the connection is created when the ACK arrives.
 *
 * Segment format (RFC 9293 3.1), all big-endian:
 *   off size meaning
 *     0    2 source port
 *     2    2 destination port
 *     4    4 sequence number
 *     8    4 acknowledgment number
 *    12    1 data offset (high 4 bits, in 32-bit words, >= 5)
 *    13    1 flags CWR ECE URG ACK PSH RST SYN FIN
 *    14    2 window (scaled by the peer's shift except in SYN segments)
 *    16    2 checksum over the pseudo-header (RFC 9293 3.1 / RFC 8200 8.1)
 *    18    2 urgent pointer (ignored: urgent data is delivered inline)
 *    20    . options, then payload
 */

#define TCP_HDR_MIN   20
#define TCP_HDR_MAX   60
#define TCP_OOO_MAX   4   /* receive-side out-of-order ranges (= SACK blocks) */
#define TCP_SCORE_MAX 8   /* send-side SACKed ranges remembered */
#define TCP_HASH_SIZE 256 /* buckets built in; tcp_stack_rehash grows it */

enum tcp_flag {
    TCP_FIN = 0x01,
    TCP_SYN = 0x02,
    TCP_RST = 0x04,
    TCP_PSH = 0x08,
    TCP_ACK = 0x10,
    TCP_URG = 0x20,
};

enum tcp_state {
    TCP_NONE = 0, /* not in use by the engine */
    TCP_CLOSED,
    TCP_SYN_SENT,
    TCP_SYN_RCVD,
    TCP_ESTABLISHED,
    TCP_FIN_WAIT_1,
    TCP_FIN_WAIT_2,
    TCP_CLOSE_WAIT,
    TCP_CLOSING,
    TCP_LAST_ACK,
    TCP_TIME_WAIT,
};

enum tcp_cc {
    TCP_CC_DEFAULT = 0, /* NewReno */
    TCP_CC_NEWRENO,
    TCP_CC_CUBIC,
};

/* Events reported through cfg.notify. */
enum tcp_event {
    TCP_EV_CONNECTED = 1 << 0, /* active open completed */
    TCP_EV_READABLE = 1 << 1,  /* data or end of stream to read */
    TCP_EV_WRITABLE = 1 << 2,  /* send space freed */
    TCP_EV_ERROR = 1 << 3,     /* reset, timeout or refused: see pcb->error */
    TCP_EV_ACCEPT = 1 << 4,    /* pcb is on pcb->listener's accept queue */
    TCP_EV_FREE = 1 << 5,      /* the engine is done with a released pcb */
};

struct tcp_stack;
struct tcp_pcb;

struct tcp_cfg {
    /* Fill buf with n random bytes (MUST be unpredictable: it keys ISNs and
     * SYN cookies). Required. */
    void (*random)(void *ctx, void *buf, size_t n);
    /* Called from inside engine calls when pcb gets events (a mask of enum
     * tcp_event). MUST NOT call back into the engine. Optional. */
    void (*notify)(void *ctx, struct tcp_pcb *pcb, unsigned events);
    /* Asked for a fresh pcb (set up with tcp_pcb_init) when a valid
     * SYN-cookie ACK finds the pool empty. The handshake is then complete,
     * so memory goes only to real peers, never to a SYN flood. NULL, or a
     * NULL answer: the ACK is dropped and the peer retransmits (but its
     * later segments no longer match the cookie, and are reset). MUST NOT
     * call back into the engine. Optional. */
    struct tcp_pcb *(*pcb_alloc)(void *ctx);
    void *ctx;
    uint16_t mss;         /* largest payload we accept; 0 = 1460 */
    uint16_t seg_max;     /* largest payload a queued segment holds; 0=mss */
    enum tcp_cc cc;       /* default congestion control for new pcbs */
    uint64_t rto_min;     /* ns; 0 = 200 ms (RFC 6298 says 1 s: see tcp.md) */
    uint64_t rto_max;     /* ns; 0 = 60 s */
    uint64_t rto_init;    /* ns; 0 = 1 s */
    uint64_t delack;      /* ns; 0 = 40 ms */
    uint64_t msl;         /* ns; 0 = 30 s (TIME_WAIT lasts 2 MSL) */
    uint64_t keep_idle;   /* ns; 0 = 2 h */
    uint64_t keep_intvl;  /* ns; 0 = 75 s */
    unsigned keep_cnt;    /* 0 = 9 */
    unsigned retries;     /* data retransmissions before ETIMEDOUT; 0 = 12 */
    unsigned syn_retries; /* 0 = 6 */
    bool no_timestamps, no_sack, no_wscale;
    bool no_checksum; /* trust the device (checksum offload / tests) */
    /* Send offloads (the device's, through the adapter). csum_partial:
     * queued segments carry only the pseudo-header sum in the checksum
     * field (tcp_outseg.csum_partial), the device completes it. gso_max:
     * when > SMSS, a run of full segments may be queued as one
     * super-segment of up to gso_max payload bytes, a multiple of the
     * segment size (tcp_outseg.gso_size), which the device cuts; for the
     * families in gso_families (TCP_GSO_V4 | TCP_GSO_V6). Needs
     * csum_partial. Retransmissions stay one segment. 0: off. */
    bool csum_partial;
    uint8_t gso_families;
    uint32_t gso_max;
};

#define TCP_GSO_V4 0x1
#define TCP_GSO_V6 0x2
/* Largest gso_max: TCP header and payload fit a 65535-byte IPv4 datagram
 * (and an IPv6 payload length). */
#define TCP_GSO_MAX (65535u - 20u - TCP_HDR_MAX)

/* One queued outgoing segment: TCP header + payload in data[0..len), the
 * checksum filled in for src -> dst (complete, or with csum_partial only
 * the pseudo-header sum, not complemented, as virtio's NEEDS_CSUM wants).
 * gso_size 0: one segment; otherwise a super-segment whose payload the
 * device cuts into gso_size pieces (every piece but the last full). */
struct tcp_outseg {
    struct mote_ipaddr src, dst;
    uint32_t len;
    uint16_t gso_size;
    bool csum_partial;
    uint8_t data[]; /* len bytes (entries are variable-sized) */
};

struct tcp_range {
    uint32_t start, end; /* sequence numbers, [start, end) */
};

struct tcp_listener {
    struct tcp_listener *next;
    struct mote_ipaddr addr; /* family MOTE_IP_NONE: any address, any family;
                                unspecified address: any of that family */
    uint16_t port;
    unsigned backlog;                    /* accept queue and half-open limit */
    unsigned n_synrcvd, n_accept;        /* current counts */
    struct tcp_pcb *acc_head, *acc_tail; /* established, not yet accepted */
    void *user;
};

struct tcp_pcb {
    /* ---- owner's fields -------------------------------------------------
     */
    void *user;
    /* ---- engine's fields (read-only for the owner) ----------------------
     */
    struct tcp_stack *stack;
    struct tcp_pcb *hnext; /* hash chain */
    struct tcp_pcb *anext; /* all-active list */
    struct tcp_pcb **aprev;
    struct tcp_pcb *qnext;         /* pool or accept queue */
    struct tcp_listener *listener; /* passive: where it is queued */
    enum tcp_state state;
    int error;      /* sticky: MOTE_ECONNRESET, MOTE_ETIMEDOUT, ... or 0 */
    int soft_error; /* last ICMP soft error, reported if we time out */
    struct mote_ipaddr laddr, raddr;
    uint16_t lport, rport;
    bool from_pool, released, accepted, in_table;

    /* send side */
    uint8_t *sbuf;
    uint32_t scap, slen, shead; /* ring: slen bytes from index shead */
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, max_snd_wnd;
    uint32_t snd_wl1, snd_wl2;
    bool fin_queued;  /* shutdown called: FIN after the buffered data */
    bool fin_sent;    /* the FIN has been sent at least once */
    uint32_t snd_sml; /* end of the last short segment (Minshall) */
    /* receive side */
    uint8_t *rbuf;
    uint32_t rcap, rlen, rhead; /* in-order unread: rlen bytes at rhead */
    uint32_t rmax; /* the ring may grow to this (tcp_pcb_set_rmax) */
    /* receive-ring autotuning (Linux's tcp_rcv_space_adjust): the
     * receiver's RTT estimate, bytes the reader took since rcv_mtime, the
     * ring size worth having (tcp_recv_want) */
    uint64_t rcv_rtt, rcv_mtime, rcv_rtt_t;
    uint32_t rcv_copied, rcv_want, rcv_rtt_seq;
    uint32_t irs, rcv_nxt, rcv_adv, last_ack_sent;
    struct tcp_range ooo[TCP_OOO_MAX]; /* most recent first (RFC 2018 4) */
    unsigned n_ooo;
    bool fin_rcvd, fin_ooo;
    uint32_t fin_seq;

    /* options */
    uint16_t smss;     /* payload we send per segment */
    uint16_t rmss;     /* payload we accept (advertised) */
    uint16_t peer_mss; /* the peer's MSS option (536 without one) */
    uint8_t snd_wscale, rcv_wscale;
    bool ws_ok, ts_ok, sack_ok, nodelay, keepalive;
    uint32_t ts_recent, ts_offset;

    /* RTT and retransmission (RFC 6298), ns */
    uint64_t srtt, rttvar, rto;
    uint32_t rtt_seq;
    uint64_t rtt_start; /* 0: not timing */
    unsigned nrexmt, nprobe, nkeep;

    /* timers: absolute ns, 0 = off */
    uint64_t t_rexmt, t_persist, t_delack, t_keep, t_wait, t_tlp;
    /* the stack's timer heap (pairing heap, intrusive): th_key is never
     * later than the pcb's earliest timer (it may be earlier: a stopped
     * or postponed timer costs one spurious visit) */
    struct tcp_pcb *th_child, *th_next, *th_prev, *th_due;
    uint64_t th_key;
    bool th_in;
    bool tlp_sent;     /* a tail loss probe is out for this flight */
    uint64_t last_rcv; /* time of the last segment received */

    /* congestion control */
    enum tcp_cc cc;
    uint32_t cwnd, ssthresh, recover, high_rxt;
    unsigned dupacks, acked_cnt;
    unsigned rxt_dup, rxt_limit; /* lost-retransmission detection */
    uint64_t rxt_time; /* when the segment at rxt_seq was last resent */
    uint32_t rxt_seq;
    bool rto_recovery; /* SACK recovery after a timeout */
    uint32_t lost_to;  /* ...where everything below is taken as lost */
    bool in_recovery, ack_now;
    unsigned delack_segs;
    struct tcp_range score[TCP_SCORE_MAX]; /* SACKed by the peer */
    unsigned n_score;
    /* CUBIC (RFC 9438), windows in bytes, time in ns */
    uint64_t cubic_epoch;
    uint32_t cubic_wmax, cubic_k_ms, cubic_origin, cubic_west;
};

struct tcp_stats {
    uint64_t in_segs, out_segs, retrans, in_errs, bad_csum, rst_out, out_drops,
        challenge_acks, cookies_sent, cookies_ok, syn_drops, paws_drops,
        ooo_segs, timeouts, fast_rexmt, tlp;
    uint64_t gso_segs, gso_bytes; /* super-segments queued, payload bytes */
    uint64_t timer_visits; /* pcbs tcp_tick looked at (due or early key) */
};

struct tcp_stack {
    struct tcp_cfg cfg;
    uint8_t isn_key[16], cookie_key[16], hash_key[16];
    struct tcp_pcb **hash; /* hash_mask + 1 buckets: hash0 or the caller's */
    unsigned hash_mask;
    struct tcp_pcb *hash0[TCP_HASH_SIZE];
    struct tcp_pcb *timers; /* root of the timer heap of active pcbs */
    struct tcp_pcb *active; /* every pcb the engine holds */
    struct tcp_pcb *pool;   /* spares for passive opens */
    struct tcp_pcb *dead;   /* finished, TCP_EV_FREE still to report */
    uint32_t pool_rcap;     /* largest receive ring in the pool */
    unsigned n_pool, n_active;
    struct tcp_listener *listeners;
    /* output queue: a byte ring of oq_size bytes at oq holding oq_len
     * variable-sized entries (struct tcp_outseg, 8-byte aligned, each
     * contiguous). Live bytes are [oq_head, oq_tail), or when oq_wrapped
     * [oq_head, oq_wrap) then [0, oq_tail). slot_size is the largest
     * entry (a full segment, or a super-segment under gso_max). */
    uint8_t *oq;
    size_t slot_size, oq_size, oq_head, oq_tail, oq_wrap;
    unsigned oq_len;
    bool oq_wrapped;
    /* RFC 5961 7: challenge ACK rate limit */
    uint64_t chal_window;
    unsigned chal_count;
    uint64_t now; /* time of the call being processed */
    struct tcp_stats stats;
};

/* ---- Stack -------------------------------------------------------------- */

/* Bytes of output-queue memory for n full segments under cfg (and, with
 * cfg->gso_max, room for n / 64 + 2 super-segments besides). */
size_t tcp_outq_size(const struct tcp_cfg *cfg, unsigned n);
/* Initialise st with cfg (copied; zero fields take the defaults above) and
 * an output queue in oq[0..oq_size) (caller-owned, 8-byte aligned, outlives
 * st). Errors: MOTE_EINVAL (no random hook, queue too small for one slot). */
int tcp_stack_init(struct tcp_stack *st, const struct tcp_cfg *cfg, void *oq,
                   size_t oq_size);
/* Forgets everything. Every pcb still held is reported TCP_EV_FREE if the
 * application released it; others are left in state TCP_NONE. */
void tcp_stack_release(struct tcp_stack *st);
/* Move the connection table into buckets[0..n) (caller-owned, n a power
 * of two >= 2, outlives st or the next rehash; its old contents are
 * ignored). The engine starts with TCP_HASH_SIZE buckets of its own; the
 * caller grows the table as connections come (tcp_flow.c doubles it when
 * n_active passes twice the bucket count). */
void tcp_stack_rehash(struct tcp_stack *st, struct tcp_pcb **buckets,
                      unsigned n);

/* One segment addressed to us, as the IP layer received it: seg[0..len) is
 * the TCP header and payload, src and dst the IP addresses. Returns 0, or
 * MOTE_EINVAL for a malformed or bad-checksum segment (dropped, counted). */
int tcp_input(struct tcp_stack *st, uint64_t now, const struct mote_ipaddr *src,
              const struct mote_ipaddr *dst, const uint8_t *seg, size_t len);
/* Runs every timer due at now. */
void tcp_tick(struct tcp_stack *st, uint64_t now);
/* The earliest time tcp_tick has work; UINT64_MAX for none. */
uint64_t tcp_deadline(const struct tcp_stack *st);
/* An ICMP "packet too big"/"fragmentation needed" for dst: lower the MSS of
 * connections to dst to fit mtu (the IP MTU) and resend. */
void tcp_pmtu(struct tcp_stack *st, uint64_t now, const struct mote_ipaddr *dst,
              unsigned mtu);

/* An ICMP error about a segment we sent from local:lport to remote:rport
 * with sequence number seq (quoted). err: MOTE_ECONNREFUSED (port or
 * protocol unreachable), MOTE_EHOSTUNREACH, MOTE_ENETUNREACH. Refused
 * aborts a connection still in SYN_SENT (as Linux does); everything else
 * is a soft error (RFC 1122 4.2.3.9), reported only if the connection
 * then times out. The quoted seq must lie in SND.UNA..SND.MAX (RFC 5927
 * 4.1) or the message is ignored. */
void tcp_icmp_error(struct tcp_stack *st, uint64_t now,
                    const struct mote_ipaddr *local, uint16_t lport,
                    const struct mote_ipaddr *remote, uint16_t rport,
                    uint32_t seq, int err);

/* Output queue. peek gives the oldest queued segment or NULL; pop drops it. */
const struct tcp_outseg *tcp_out_peek(const struct tcp_stack *st);
void tcp_out_pop(struct tcp_stack *st);

/* ---- Connections ----------------------------------------------------- */

/* Prepare pcb with its buffers (caller-owned, sbuf[0..scap), rbuf[0..rcap),
 * each 1..1 GiB). The pcb is then in state TCP_NONE. */
void tcp_pcb_init(struct tcp_pcb *pcb, uint8_t *sbuf, uint32_t scap,
                  uint8_t *rbuf, uint32_t rcap);
/* Let the receive ring grow up to rmax bytes (>= rcap; 0 or less: fixed).
 * Call after tcp_pcb_init, before the pcb is given to the engine: the
 * window-scale shift offered in the SYN follows rmax (RFC 7323 2.3), so
 * the window can later open that wide. */
void tcp_pcb_set_rmax(struct tcp_pcb *pcb, uint32_t rmax);
/* Give a spare pcb (after tcp_pcb_init) for passive opens. */
void tcp_pool_give(struct tcp_stack *st, struct tcp_pcb *pcb);

/* Active open from laddr:lport (lport 0: an ephemeral port) to raddr:rport.
 * Errors: MOTE_EINVAL (port 0, family mismatch), MOTE_EADDRINUSE. */
int tcp_connect(struct tcp_stack *st, struct tcp_pcb *pcb, uint64_t now,
                const struct mote_ipaddr *laddr, uint16_t lport,
                const struct mote_ipaddr *raddr, uint16_t rport);

/* Listen on addr:port (lst caller-owned until tcp_unlisten). backlog 0 =
 * 128. Errors: MOTE_EADDRINUSE, MOTE_EINVAL. */
int tcp_listen(struct tcp_stack *st, struct tcp_listener *lst,
               const struct mote_ipaddr *addr, uint16_t port, unsigned backlog);
/* Stop listening; connections on the accept queue are reset and return to
 * the pool. */
void tcp_unlisten(struct tcp_stack *st, struct tcp_listener *lst, uint64_t now);
/* The next established connection, or NULL. The caller now holds it as if
 * it had connected it. */
struct tcp_pcb *tcp_accept(struct tcp_listener *lst);

/* Send window: free space at the back of the send ring, contiguous. Returns
 * NULL (and *len 0) when full or when sending is no longer possible. */
uint8_t *tcp_send_buf(struct tcp_pcb *pcb, size_t *len);
/* Commit n bytes written into the window; may send. */
void tcp_send_ack(struct tcp_pcb *pcb, uint64_t now, size_t n);
/* Receive window: contiguous in-order bytes; NULL (*len 0) when none. */
const uint8_t *tcp_recv_buf(struct tcp_pcb *pcb, size_t *len);
/* Consume n bytes; may send a window update. */
void tcp_recv_ack(struct tcp_pcb *pcb, uint64_t now, size_t n);
/* True when the peer's FIN has been received and every byte read. */
bool tcp_recv_eof(const struct tcp_pcb *pcb);
/* Bytes that can still be written (0 after shutdown or an error). */
size_t tcp_send_space(const struct tcp_pcb *pcb);
/* Bytes written but not yet acknowledged. */
size_t tcp_send_pending(const struct tcp_pcb *pcb);
/* Send-buffer autotuning (Linux's tcp_sndbuf_expand: about two congestion
 * windows, one in flight and one written ahead): when the ring is full and
 * two of min(cwnd, peer's window) would not fit, the ring size worth
 * having (scap doubled until it holds them); otherwise scap. Not during
 * loss recovery (cwnd is not a rate then) nor before the handshake ends.
 * The caller caps it and may call tcp_send_resize. */
uint32_t tcp_send_want(const struct tcp_pcb *pcb);
/* Move the send ring to buf[0..cap) (cap >= the bytes it holds; the caller
 * owns both buffers and frees the old one after this returns): the bytes
 * keep their order, from buf[0]. MOTE_EINVAL if cap is too small. */
int tcp_send_resize(struct tcp_pcb *pcb, uint8_t *buf, uint32_t cap);

/* Receive-ring autotuning (Linux's tcp_rcv_space_adjust, "DRS"): the
 * engine estimates the receiver's RTT (from echoed timestamps, or the time
 * a window's worth of data takes) and counts what the reader takes per
 * RTT; when that comes past half the ring, the ring is worth doubling
 * (until it holds two RTTs' worth), up to rmax. Returns that size, or rcap
 * when no growth is due. The caller may then call tcp_recv_resize. */
uint32_t tcp_recv_want(const struct tcp_pcb *pcb);
/* Move the receive ring to buf[0..cap) (cap > rcap, <= 1 GiB; the caller
 * owns both buffers and frees the old one after this returns): unread and
 * out-of-order bytes keep their places relative to the sequence space;
 * the window grows (the right edge never moves left), and a window update
 * goes out if it grew by enough (as tcp_recv_ack). MOTE_EINVAL if cap is
 * not larger. */
int tcp_recv_resize(struct tcp_pcb *pcb, uint64_t now, uint8_t *buf,
                    uint32_t cap);

/* Queue a FIN after the buffered data. Errors: MOTE_ENOTSUP (not yet
 * connected: use tcp_abort), pcb->error if set. Idempotent. */
int tcp_shutdown(struct tcp_pcb *pcb, uint64_t now);
/* Release the pcb: a graceful close (FIN after the data) unless unread data
 * remains, which resets (RFC 9293 3.10.4 / RFC 2525 2.17). The engine
 * reports TCP_EV_FREE when done with it (maybe within this call). */
void tcp_close(struct tcp_pcb *pcb, uint64_t now);
/* Release the pcb with a RST; TCP_EV_FREE follows within this call. */
void tcp_abort(struct tcp_pcb *pcb, uint64_t now);

void tcp_set_nodelay(struct tcp_pcb *pcb, uint64_t now, bool on);
void tcp_set_keepalive(struct tcp_pcb *pcb, uint64_t now, bool on);
/* Choose congestion control before connecting. */
void tcp_set_cc(struct tcp_pcb *pcb, enum tcp_cc cc);

const char *tcp_state_name(enum tcp_state s);

/* ---- Internals shared with the tests and tcp_flow.c ------------------- */

/* SipHash-2-4 (tcp_siphash.c). */
uint64_t tcp__siphash(const uint8_t key[16], const void *data, size_t len);
/* The Internet checksum of seg with the TCP pseudo-header for src -> dst
 * (0 when the stored checksum is right). */
uint16_t tcp__checksum(const struct mote_ipaddr *src,
                       const struct mote_ipaddr *dst, const uint8_t *seg,
                       size_t len);

/* The pseudo-header sum alone, folded and NOT complemented: what a
 * checksum field holds for a device to complete (virtio NEEDS_CSUM: the
 * device sums from the TCP header to the end, this field included, and
 * stores the complement). tcp__checksum over the completed segment is
 * then 0. */
uint16_t tcp__pseudo_sum(const struct mote_ipaddr *src,
                         const struct mote_ipaddr *dst, size_t len);

/* Sequence-number comparisons (RFC 9293 3.4), modulo 2^32. */
static inline bool tcp_seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}
static inline bool tcp_seq_le(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) <= 0;
}
static inline bool tcp_seq_gt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}
static inline bool tcp_seq_ge(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) >= 0;
}

#endif

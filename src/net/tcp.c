/* The sans-I/O TCP engine: connections, segments in, segments out, timers. */
#include <string.h>

#include <mote/error.h>

#include "tcp_int.h"

/*
 * Layout of this file: helpers; the output path (emit, output, retransmit);
 * congestion control; the connection table and pcb lifecycle; input
 * (parse, listen, synchronized states); timers; the application API.
 * RFC section numbers are RFC 9293 unless named otherwise.
 */

#define NS_PER_MS 1000000ULL
#define NS_PER_S  1000000000ULL

/* ---- Helpers ------------------------------------------------------------ */

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}
static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t min32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}
static uint32_t max32(uint32_t a, uint32_t b)
{
    return a > b ? a : b;
}
static uint64_t min64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/* Equality of family and bytes; the zone is the IP layer's business. */
static bool addr_eq(const struct mote_ipaddr *a, const struct mote_ipaddr *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

static bool addr_unspec(const struct mote_ipaddr *a)
{
    static const uint8_t zero[16];
    return a->family == MOTE_IP_NONE || memcmp(a->bytes, zero, 16) == 0;
}

static bool synchronized(enum tcp_state s)
{
    return s >= TCP_ESTABLISHED;
}

/* Our timestamp clock (RFC 7323 5.4): milliseconds plus a per-connection
 * random offset so the value leaks neither uptime nor other connections. */
static uint32_t ts_now(const struct tcp_pcb *pcb)
{
    return (uint32_t)(pcb->stack->now / NS_PER_MS) + pcb->ts_offset;
}

/* ---- Timer heap ----------------------------------------------------------
 * A pairing heap of the active pcbs, intrusive (th_child: first child,
 * th_next: next sibling, th_prev: the previous sibling or, for a first
 * child, the parent), so arming costs O(1), a due pcb O(log n) amortised,
 * and nothing is allocated. Keys may be early, never late: a stopped or
 * postponed timer leaves the key where it was and tcp_tick re-keys the pcb
 * when it comes due for nothing. */

static struct tcp_pcb *th_meld(struct tcp_pcb *a, struct tcp_pcb *b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    if (b->th_key < a->th_key) {
        struct tcp_pcb *t = a;
        a = b;
        b = t;
    }
    b->th_prev = a;
    b->th_next = a->th_child;
    if (a->th_child)
        a->th_child->th_prev = b;
    a->th_child = b;
    a->th_next = a->th_prev = NULL;
    return a;
}

/* Two-pass pairing of a sibling list into one heap. */
static struct tcp_pcb *th_pairs(struct tcp_pcb *first)
{
    struct tcp_pcb *list = NULL;
    while (first) {
        struct tcp_pcb *a = first, *b = a->th_next;
        first = b ? b->th_next : NULL;
        a->th_next = a->th_prev = NULL;
        if (b)
            b->th_next = b->th_prev = NULL;
        struct tcp_pcb *m = th_meld(a, b);
        m->th_next = list;
        list = m;
    }
    struct tcp_pcb *root = NULL;
    while (list) {
        struct tcp_pcb *n = list->th_next;
        list->th_next = NULL;
        root = th_meld(root, list);
        list = n;
    }
    return root;
}

static void th_detach(struct tcp_pcb *p)
{
    if (p->th_prev->th_child == p)
        p->th_prev->th_child = p->th_next;
    else
        p->th_prev->th_next = p->th_next;
    if (p->th_next)
        p->th_next->th_prev = p->th_prev;
    p->th_next = p->th_prev = NULL;
}

static void th_remove(struct tcp_pcb *p)
{
    struct tcp_stack *st = p->stack;
    if (!p->th_in)
        return;
    if (st->timers == p) {
        st->timers = th_pairs(p->th_child);
    } else {
        th_detach(p);
        st->timers = th_meld(st->timers, th_pairs(p->th_child));
    }
    if (st->timers)
        st->timers->th_prev = NULL;
    p->th_child = NULL;
    p->th_in = false;
}

/* Key p at when (inserting it), or move its key earlier. */
static void th_arm(struct tcp_pcb *p, uint64_t when)
{
    struct tcp_stack *st = p->stack;
    if (p->th_in && when >= p->th_key)
        return;
    if (!p->th_in) {
        p->th_child = p->th_next = p->th_prev = NULL;
        p->th_in = true;
    } else if (st->timers != p) {
        th_detach(p);
    } else {
        p->th_key = when; /* the root only gets earlier: still the root */
        return;
    }
    p->th_key = when;
    st->timers = th_meld(st->timers, p);
}

/* Arm a timer (when != 0). Only pcbs in the connection table are in the
 * timer heap; table_add keys the others when they join. */
static void set_timer(struct tcp_pcb *pcb, uint64_t *t, uint64_t when)
{
    *t = when;
    if (when && pcb->in_table)
        th_arm(pcb, when);
}

static uint64_t pcb_deadline(const struct tcp_pcb *p)
{
    uint64_t d = UINT64_MAX;
    const uint64_t t[6] = {p->t_rexmt, p->t_persist, p->t_delack,
                           p->t_keep,  p->t_wait,    p->t_tlp};
    for (int i = 0; i < 6; i++)
        if (t[i] && t[i] < d)
            d = t[i];
    return d;
}

/* A pcb whose timers are all off leaves the heap now, rather than be
 * visited for nothing when its stale key comes due (a stopped timer does
 * not move the key: see th_arm). Called where the common stops happen:
 * the handshake's end and the last byte acked. */
static void th_tidy(struct tcp_pcb *p)
{
    if (p->th_in && pcb_deadline(p) == UINT64_MAX)
        th_remove(p);
}

static void notify(struct tcp_pcb *pcb, unsigned ev)
{
    struct tcp_stack *st = pcb->stack;
    if (st->cfg.notify && ev)
        st->cfg.notify(st->cfg.ctx, pcb, ev);
}

/* First sequence number of the send ring's data. Before the SYN is acked
 * the data starts after it. */
static uint32_t data_base(const struct tcp_pcb *pcb)
{
    return pcb->snd_una == pcb->iss ? pcb->iss + 1 : pcb->snd_una;
}

static uint32_t data_end(const struct tcp_pcb *pcb)
{
    return data_base(pcb) + pcb->slen;
}

/* The receive window we can honour: free room in the ring. */
static uint32_t rcv_space(const struct tcp_pcb *pcb)
{
    return pcb->rcap - pcb->rlen;
}

static uint32_t flight(const struct tcp_pcb *pcb)
{
    return pcb->snd_max - pcb->snd_una;
}

/* ---- Output -------------------------------------------------------------
 */

static size_t entry_size(size_t len)
{
    return (sizeof(struct tcp_outseg) + len + 7) & ~(size_t)7;
}

static size_t gso_cap(const struct tcp_cfg *cfg)
{
    return cfg->gso_max > TCP_GSO_MAX ? TCP_GSO_MAX : cfg->gso_max;
}

size_t tcp_outq_size(const struct tcp_cfg *cfg, unsigned n)
{
    size_t seg_max = cfg->seg_max ? cfg->seg_max : cfg->mss ? cfg->mss : 1460;
    size_t size = entry_size(TCP_HDR_MAX + seg_max) * n;
    if (cfg->gso_max)
        size += entry_size(TCP_HDR_MAX + gso_cap(cfg)) * (n / 64 + 2);
    return size;
}

const struct tcp_outseg *tcp_out_peek(const struct tcp_stack *st)
{
    if (!st->oq_len)
        return NULL;
    return (const struct tcp_outseg *)(st->oq + st->oq_head);
}

void tcp_out_pop(struct tcp_stack *st)
{
    if (!st->oq_len)
        return;
    const struct tcp_outseg *o = tcp_out_peek(st);
    st->oq_head += entry_size(o->len);
    if (--st->oq_len == 0) {
        st->oq_head = st->oq_tail = 0;
        st->oq_wrapped = false;
    } else if (st->oq_wrapped && st->oq_head == st->oq_wrap) {
        st->oq_head = 0;
        st->oq_wrapped = false;
    }
}

/* Room for an entry of size bytes at the queue's tail, or NULL. */
static struct tcp_outseg *oq_reserve(struct tcp_stack *st, size_t size)
{
    if (!st->oq_len) {
        st->oq_head = st->oq_tail = 0;
        st->oq_wrapped = false;
    }
    if (!st->oq_wrapped) {
        if (st->oq_size - st->oq_tail < size) {
            if (st->oq_head < size)
                return NULL;
            st->oq_wrap = st->oq_tail; /* the rest of the end is skipped */
            st->oq_tail = 0;
            st->oq_wrapped = true;
        }
    } else if (st->oq_head - st->oq_tail < size) {
        return NULL;
    }
    struct tcp_outseg *o = (struct tcp_outseg *)(st->oq + st->oq_tail);
    st->oq_tail += size;
    return o;
}

struct emit_args {
    const struct mote_ipaddr *src, *dst;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd;
    const uint8_t *opt;
    size_t optlen;
    const uint8_t *d1, *d2; /* payload, in two pieces (ring wrap) */
    size_t n1, n2;
    uint16_t gso_size; /* a super-segment of this segment size, or 0 */
    bool csum_partial;
};

/* Write one segment into the output queue. MOTE_ENOSPC when full. */
static int emit_raw(struct tcp_stack *st, const struct emit_args *a)
{
    size_t hl = TCP_HDR_MIN + a->optlen;
    struct tcp_outseg *o = oq_reserve(st, entry_size(hl + a->n1 + a->n2));
    if (!o) {
        st->stats.out_drops++;
        return MOTE_ENOSPC;
    }
    uint8_t *h = o->data;
    put16(h, a->sport);
    put16(h + 2, a->dport);
    put32(h + 4, a->seq);
    put32(h + 8, a->ack);
    h[12] = (uint8_t)((hl / 4) << 4);
    h[13] = a->flags;
    put16(h + 14, a->wnd);
    put16(h + 16, 0);
    put16(h + 18, 0);
    if (a->optlen)
        memcpy(h + TCP_HDR_MIN, a->opt, a->optlen);
    if (a->n1)
        memcpy(h + hl, a->d1, a->n1);
    if (a->n2)
        memcpy(h + hl + a->n1, a->d2, a->n2);
    o->len = (uint32_t)(hl + a->n1 + a->n2);
    o->src = *a->src;
    o->dst = *a->dst;
    o->gso_size = a->gso_size;
    o->csum_partial = a->csum_partial;
    if (a->csum_partial)
        put16(h + 16, tcp__pseudo_sum(a->src, a->dst, o->len));
    else
        put16(h + 16, tcp__checksum(a->src, a->dst, h, o->len));
    st->oq_len++;
    st->stats.out_segs++;
    if (a->gso_size) {
        st->stats.gso_segs++;
        st->stats.gso_bytes += a->n1 + a->n2;
    }
    if (a->flags & TCP_RST)
        st->stats.rst_out++;
    return 0;
}

/* The window field for a non-SYN segment, and the right edge it implies. */
static uint16_t wnd_field(const struct tcp_pcb *pcb, bool syn)
{
    uint32_t w = rcv_space(pcb);
    if (syn)
        return (uint16_t)min32(w, 65535);
    w >>= pcb->rcv_wscale;
    return (uint16_t)min32(w, 65535);
}

/* Options for a SYN or SYN-ACK (RFC 9293 3.2, RFC 7323 2-3, RFC 2018 2).
 * ts_val: what to put in TSval (SYN cookies encode there). */
static size_t syn_options(const struct tcp_pcb *pcb, uint8_t *o, bool ws,
                          bool sack, bool ts, uint32_t ts_val)
{
    size_t n = 0;
    o[n++] = 2;
    o[n++] = 4;
    put16(o + n, pcb->rmss);
    n += 2;
    if (ws) {
        o[n++] = 1;
        o[n++] = 3;
        o[n++] = 3;
        o[n++] = pcb->rcv_wscale;
    }
    if (sack && ts) {
        o[n++] = 4;
        o[n++] = 2;
    } else if (sack) {
        o[n++] = 1;
        o[n++] = 1;
        o[n++] = 4;
        o[n++] = 2;
    } else if (ts) {
        o[n++] = 1;
        o[n++] = 1;
    }
    if (ts) {
        o[n++] = 8;
        o[n++] = 10;
        put32(o + n, ts_val);
        put32(o + n + 4, pcb->ts_recent);
        n += 8;
    }
    return n;
}

/* Options for a synchronized segment: timestamps and SACK blocks. */
static size_t data_options(const struct tcp_pcb *pcb, uint8_t *o, bool ack)
{
    size_t n = 0;
    if (pcb->ts_ok) {
        o[n++] = 1;
        o[n++] = 1;
        o[n++] = 8;
        o[n++] = 10;
        put32(o + n, ts_now(pcb));
        put32(o + n + 4, pcb->ts_recent);
        n += 8;
    }
    if (ack && pcb->sack_ok && pcb->n_ooo) {
        unsigned max = pcb->ts_ok ? 3 : 4, k = min32(pcb->n_ooo, max);
        o[n++] = 1;
        o[n++] = 1;
        o[n++] = 5;
        o[n++] = (uint8_t)(2 + 8 * k);
        for (unsigned i = 0; i < k; i++) {
            put32(o + n, pcb->ooo[i].start);
            put32(o + n + 4, pcb->ooo[i].end);
            n += 8;
        }
    }
    return n;
}

/* Send a segment of this connection: seq, flags, len payload bytes taken
 * from the send ring at sequence seq. Updates what an ACK updates. */
static int emit_gso(struct tcp_pcb *pcb, uint32_t seq, uint8_t flags,
                    uint32_t len, uint16_t gso_size)
{
    struct tcp_stack *st = pcb->stack;
    uint8_t opt[40];
    struct emit_args a = {0};
    a.gso_size = gso_size;
    a.csum_partial = st->cfg.csum_partial;
    bool syn = flags & TCP_SYN;
    a.src = &pcb->laddr;
    a.dst = &pcb->raddr;
    a.sport = pcb->lport;
    a.dport = pcb->rport;
    a.seq = seq;
    a.flags = flags;
    if (flags & TCP_ACK)
        a.ack = pcb->rcv_nxt;
    a.wnd = wnd_field(pcb, syn);
    a.opt = opt;
    if (syn)
        a.optlen = syn_options(pcb, opt, pcb->ws_ok, pcb->sack_ok, pcb->ts_ok,
                               ts_now(pcb));
    else if (!(flags & TCP_RST))
        a.optlen = data_options(pcb, opt, flags & TCP_ACK);
    if (len) {
        uint32_t off = seq - data_base(pcb);
        uint32_t pos = (pcb->shead + off) % pcb->scap;
        uint32_t first = min32(len, pcb->scap - pos);
        a.d1 = pcb->sbuf + pos;
        a.n1 = first;
        a.d2 = pcb->sbuf;
        a.n2 = len - first;
    }
    int err = emit_raw(st, &a);
    if (err)
        return err;
    if (flags & TCP_ACK) {
        pcb->ack_now = false;
        pcb->t_delack = 0;
        pcb->delack_segs = 0;
        pcb->last_ack_sent = pcb->rcv_nxt;
        uint32_t right =
            pcb->rcv_nxt + ((uint32_t)a.wnd << (syn ? 0 : pcb->rcv_wscale));
        if (tcp_seq_gt(right, pcb->rcv_adv))
            pcb->rcv_adv = right;
    }
    return 0;
}

static int emit(struct tcp_pcb *pcb, uint32_t seq, uint8_t flags, uint32_t len)
{
    return emit_gso(pcb, seq, flags, len, 0);
}

/* The payload of the largest super-segment this connection may queue
 * (a multiple of room, the segment size), or room when it may not. */
static uint32_t gso_room(const struct tcp_pcb *pcb, uint32_t room)
{
    const struct tcp_cfg *c = &pcb->stack->cfg;
    uint8_t fam = pcb->raddr.family == MOTE_IP_V4 ? TCP_GSO_V4 : TCP_GSO_V6;
    if (!c->csum_partial || !(c->gso_families & fam) || room > 0xffff)
        return room;
    uint32_t max = (uint32_t)gso_cap(c);
    return max > room ? max - max % room : room;
}

static void arm_rexmt(struct tcp_pcb *pcb)
{
    set_timer(pcb, &pcb->t_rexmt, pcb->stack->now + pcb->rto);
}

static bool fin_acked(const struct tcp_pcb *pcb)
{
    return pcb->fin_sent && pcb->snd_una == pcb->snd_max;
}

/* Tail loss probe timer (RFC 8985 7.2): two smoothed RTTs after the
 * last send, more when a lone segment may wait for a delayed ACK; only
 * if it comes before the RTO. */
static void arm_tlp(struct tcp_pcb *pcb)
{
    struct tcp_stack *st = pcb->stack;
    pcb->t_tlp = 0;
    if (pcb->tlp_sent || pcb->in_recovery || !pcb->srtt ||
        pcb->snd_una == pcb->snd_max || !synchronized(pcb->state))
        return;
    uint64_t pto = 2 * pcb->srtt;
    if (pto < 10 * NS_PER_MS)
        pto = 10 * NS_PER_MS;
    if (pcb->snd_max - pcb->snd_una <= pcb->smss)
        pto += 200 * NS_PER_MS; /* WCDelAckT */
    uint64_t when = st->now + pto;
    if (!pcb->t_rexmt || when < pcb->t_rexmt)
        set_timer(pcb, &pcb->t_tlp, when);
}

/* Resend len bytes at seq (fast retransmit, SACK holes, partial ACKs)
 * without moving snd_nxt. A FIN rides along if seq+len reaches it. */
/* Payload that fits the next segment: SMSS (already less the timestamp
 * option) less the SACK blocks an ACK will carry now (RFC 6691: options
 * come out of the payload, or the datagram outgrows the path MTU). */
static uint32_t seg_room(const struct tcp_pcb *pcb)
{
    uint32_t room = pcb->smss;
    if (pcb->sack_ok && pcb->n_ooo) {
        uint32_t k = min32(pcb->n_ooo, pcb->ts_ok ? 3 : 4);
        room = room > 4 + 8 * k + 1 ? room - (4 + 8 * k) : 1;
    }
    return room;
}

static int retransmit(struct tcp_pcb *pcb, uint32_t seq, uint32_t len)
{
    uint32_t end = data_end(pcb);
    len = min32(len, seg_room(pcb)); /* callers clamp too: see high_rxt */
    uint8_t flags = TCP_ACK;
    if (tcp_seq_gt(seq + len, end))
        len = tcp_seq_gt(end, seq) ? end - seq : 0;
    if (pcb->fin_queued && seq + len == end && tcp_seq_gt(pcb->snd_max, end))
        flags |= TCP_FIN;
    if (!len && !(flags & TCP_FIN))
        return 0;
    int err = emit(pcb, seq, flags, len);
    if (!err) {
        pcb->stack->stats.retrans++;
        pcb->rtt_start = 0; /* Karn: no sample across a retransmission */
    }
    return err;
}

/* The next SACK hole at or after from, below the highest SACKed byte
 * (RFC 6675 NextSeg, simplified: every hole below a SACKed range is taken
 * as lost). Returns false when none. */
static bool next_hole(const struct tcp_pcb *pcb, uint32_t from, uint32_t *seq,
                      uint32_t *len)
{
    if (!pcb->n_score && !pcb->rto_recovery)
        return false;
    /* after a timeout everything sent before it counts as lost */
    uint32_t high = pcb->rto_recovery ? pcb->lost_to : pcb->snd_una;
    for (unsigned i = 0; i < pcb->n_score; i++)
        if (tcp_seq_gt(pcb->score[i].end, high))
            high = pcb->score[i].end;
    uint32_t s = tcp_seq_gt(from, pcb->snd_una) ? from : pcb->snd_una;
    for (;;) {
        if (tcp_seq_ge(s, high))
            return false;
        bool moved = false;
        for (unsigned i = 0; i < pcb->n_score; i++)
            if (tcp_seq_le(pcb->score[i].start, s) &&
                tcp_seq_gt(pcb->score[i].end, s)) {
                s = pcb->score[i].end;
                moved = true;
            }
        if (!moved)
            break;
    }
    /* hole: [s, next sacked start) */
    uint32_t e = high;
    for (unsigned i = 0; i < pcb->n_score; i++)
        if (tcp_seq_gt(pcb->score[i].start, s) &&
            tcp_seq_lt(pcb->score[i].start, e))
            e = pcb->score[i].start;
    *seq = s;
    *len = min32(e - s, seg_room(pcb));
    return true;
}

/* Bytes the scoreboard holds within [lo, hi). */
static uint32_t sacked_in(const struct tcp_pcb *pcb, uint32_t lo, uint32_t hi)
{
    uint32_t b = 0;
    for (unsigned i = 0; i < pcb->n_score; i++) {
        uint32_t s = pcb->score[i].start, e = pcb->score[i].end;
        if (tcp_seq_lt(s, lo))
            s = lo;
        if (tcp_seq_gt(e, hi))
            e = hi;
        if (tcp_seq_lt(s, e))
            b += e - s;
    }
    return b;
}

/* RFC 6675 "pipe", simplified: what is outstanding minus what the peer
 * SACKed minus the holes below the highest SACK not yet retransmitted
 * (taken as lost). */
static uint32_t pipe_bytes(const struct tcp_pcb *pcb)
{
    uint32_t una = pcb->snd_una, flight = pcb->snd_max - una;
    uint32_t hs = una;
    if (pcb->rto_recovery && tcp_seq_gt(pcb->lost_to, hs))
        hs = pcb->lost_to;
    for (unsigned i = 0; i < pcb->n_score; i++)
        if (tcp_seq_gt(pcb->score[i].end, hs))
            hs = pcb->score[i].end;
    uint32_t sacked = sacked_in(pcb, una, hs);
    uint32_t holes = (hs - una) - sacked;
    uint32_t rx = pcb->high_rxt;
    if (tcp_seq_lt(rx, una))
        rx = una;
    if (tcp_seq_gt(rx, hs))
        rx = hs;
    uint32_t rexmitted = (rx - una) - sacked_in(pcb, una, rx);
    uint32_t lost = holes - rexmitted;
    uint32_t out = sacked + lost;
    return flight > out ? flight - out : 0;
}

/* Send what the windows, Nagle and the state allow (RFC 9293 3.8.6, RFC
 * 5681, RFC 896); a pure ACK if one is owed and nothing else carried it. */
static void output_force(struct tcp_pcb *pcb, bool force)
{
    struct tcp_stack *st = pcb->stack;
    switch (pcb->state) {
    case TCP_NONE:
    case TCP_CLOSED:
        return;
    case TCP_SYN_SENT:
    case TCP_SYN_RCVD:
        if (pcb->snd_nxt == pcb->iss) {
            uint8_t f = TCP_SYN | (pcb->state == TCP_SYN_RCVD ? TCP_ACK : 0);
            if (emit(pcb, pcb->iss, f, 0) == 0) {
                pcb->snd_nxt = pcb->iss + 1;
                pcb->snd_max = pcb->snd_nxt;
                if (!pcb->nrexmt && !pcb->rtt_start) {
                    pcb->rtt_start = st->now;
                    pcb->rtt_seq = pcb->iss;
                }
            }
            arm_rexmt(pcb);
        } else if (pcb->ack_now && pcb->state == TCP_SYN_RCVD) {
            emit(pcb, pcb->snd_nxt, TCP_ACK, 0);
        }
        return;
    default:
        break;
    }
    bool sent = false;
    bool can_data = pcb->state != TCP_TIME_WAIT && pcb->state != TCP_FIN_WAIT_2;
    while (can_data) {
        uint32_t base = data_base(pcb), end = base + pcb->slen;
        if (tcp_seq_lt(pcb->snd_nxt, base))
            pcb->snd_nxt = base;
        uint32_t avail = tcp_seq_lt(pcb->snd_nxt, end) ? end - pcb->snd_nxt : 0;
        uint32_t wnd = min32(pcb->snd_wnd, pcb->cwnd);
        uint32_t inflight = pcb->snd_nxt - pcb->snd_una;
        if (pcb->in_recovery && pcb->sack_ok && pcb->snd_nxt == pcb->snd_max)
            inflight = pipe_bytes(pcb); /* RFC 6675 5 (C) */
        uint32_t usable = wnd > inflight ? wnd - inflight : 0;
        uint32_t room = seg_room(pcb);
        uint32_t len = min32(min32(avail, gso_room(pcb, room)), usable);
        /* A super-segment holds only full segments; a short tail goes
         * next round, through Nagle like any short segment. */
        if (len > room)
            len -= len % room;
        bool fin = pcb->fin_queued && pcb->snd_nxt + len == end &&
                   !fin_acked(pcb) &&
                   (pcb->state == TCP_FIN_WAIT_1 || pcb->state == TCP_CLOSING ||
                    pcb->state == TCP_LAST_ACK);
        if (!len && !fin)
            break;
        if (len < room && !fin && !force &&
            tcp_seq_ge(pcb->snd_nxt, pcb->snd_max)) {
            /* Nagle (RFC 9293 3.7.4) and sender SWS avoidance (3.8.6.2.1):
             * a short segment goes only if it is all we have and nothing
             * is outstanding (or no-delay), or it fills half the largest
             * window the peer offered. */
            bool all = len == avail;
            /* Minshall's variant: hold only while a short segment is
             * unacknowledged, so a bulk write's tail is not delayed. */
            bool idle = tcp_seq_le(pcb->snd_sml, pcb->snd_una);
            if (!(all && (pcb->nodelay || idle)) &&
                !(pcb->max_snd_wnd && len >= pcb->max_snd_wnd / 2))
                break;
        }
        uint8_t f = TCP_ACK | (fin ? TCP_FIN : 0);
        if (len && len == avail)
            f |= TCP_PSH;
        bool fresh = pcb->snd_nxt == pcb->snd_max;
        if (emit_gso(pcb, pcb->snd_nxt, f, len,
                     len > room ? (uint16_t)room : 0))
            break;
        if (!fresh)
            st->stats.retrans++;
        if (fresh && len && !pcb->rtt_start && !pcb->ts_ok) {
            pcb->rtt_start = st->now;
            pcb->rtt_seq = pcb->snd_nxt;
        }
        if (len < room)
            pcb->snd_sml = pcb->snd_nxt + len;
        if (fin)
            pcb->fin_sent = true;
        pcb->snd_nxt += len + (fin ? 1 : 0);
        if (tcp_seq_gt(pcb->snd_nxt, pcb->snd_max))
            pcb->snd_max = pcb->snd_nxt;
        if (!pcb->t_rexmt)
            arm_rexmt(pcb);
        pcb->t_persist = 0;
        sent = true;
        force = false;
        if (fresh && !pcb->t_tlp)
            arm_tlp(pcb);
    }
    if (!sent && pcb->ack_now)
        emit(pcb, pcb->snd_nxt, TCP_ACK, 0);
    /* Data waiting, nothing in flight, nothing sent: a zero window needs
     * probes (3.8.6.1), a small one the SWS override timer (3.8.6.2.1).
     * The persist timer does both. */
    if (can_data && pcb->snd_una == pcb->snd_max &&
        tcp_seq_lt(pcb->snd_nxt, data_end(pcb) + (pcb->fin_queued ? 1 : 0)) &&
        !pcb->t_persist && !pcb->t_rexmt)
        set_timer(pcb, &pcb->t_persist, st->now + pcb->rto);
}

static void output(struct tcp_pcb *pcb)
{
    output_force(pcb, false);
}

/* A RST for a segment that has no connection (3.10.7.1). */
static void send_reset(struct tcp_stack *st, const struct mote_ipaddr *src,
                       const struct mote_ipaddr *dst, uint16_t sport,
                       uint16_t dport, uint32_t seq, uint32_t ack,
                       uint8_t flags, uint32_t seglen)
{
    struct emit_args a = {0};
    if (flags & TCP_RST)
        return;
    a.src = dst;
    a.dst = src;
    a.sport = dport;
    a.dport = sport;
    if (flags & TCP_ACK) {
        a.seq = ack;
        a.flags = TCP_RST;
    } else {
        a.seq = 0;
        a.ack = seq + seglen;
        a.flags = TCP_RST | TCP_ACK;
    }
    emit_raw(st, &a);
}

/* RFC 5961 5 and 7: an ACK that tells the peer where we are, rate-limited
 * stack-wide so it cannot be used to amplify. */
static void challenge_ack(struct tcp_pcb *pcb)
{
    struct tcp_stack *st = pcb->stack;
    if (st->now - st->chal_window >= NS_PER_S) {
        st->chal_window = st->now;
        st->chal_count = 0;
    }
    if (st->chal_count >= 1000)
        return;
    st->chal_count++;
    st->stats.challenge_acks++;
    emit(pcb, pcb->snd_nxt, TCP_ACK, 0);
}

/* ---- Congestion control (RFC 5681, RFC 6582, RFC 9438) ------------------
 */

static uint64_t icbrt(uint64_t x)
{
    uint64_t r = 0;
    for (int s = 63; s >= 0; s -= 3) {
        r <<= 1;
        uint64_t b = 3 * r * (r + 1) + 1;
        if ((x >> s) >= b) {
            x -= b << s;
            r++;
        }
    }
    return r;
}

static void cc_init(struct tcp_pcb *pcb)
{
    /* RFC 6928 initial window */
    pcb->cwnd = min32(10 * pcb->smss, max32(2 * pcb->smss, 14600));
    pcb->ssthresh = 0x7fffffff;
    pcb->cubic_epoch = 0;
    pcb->cubic_wmax = 0;
}

/* A congestion event: ssthresh and CUBIC's W_max (RFC 5681 (4), RFC 9438
 * 4.6-4.7 with fast convergence). */
static void cc_reduce(struct tcp_pcb *pcb)
{
    uint32_t fs = max32(flight(pcb), pcb->cwnd < flight(pcb) ? pcb->cwnd : 0);
    if (pcb->cc == TCP_CC_CUBIC) {
        uint32_t w = pcb->cwnd;
        if (w < pcb->cubic_wmax)
            pcb->cubic_wmax = (uint32_t)((uint64_t)w * 17 / 20);
        else
            pcb->cubic_wmax = w;
        pcb->ssthresh = max32((uint32_t)((uint64_t)w * 7 / 10), 2 * pcb->smss);
        pcb->cubic_epoch = 0;
    } else {
        pcb->ssthresh = max32(fs / 2, 2 * pcb->smss);
    }
}

static void cc_ack(struct tcp_pcb *pcb, uint32_t acked)
{
    uint32_t smss = pcb->smss;
    if (pcb->cwnd < pcb->ssthresh) {
        /* slow start with appropriate byte counting, L = 2 (RFC 3465) */
        pcb->cwnd += min32(acked, 2 * smss);
        return;
    }
    if (pcb->cc != TCP_CC_CUBIC) {
        pcb->acked_cnt += acked;
        if (pcb->acked_cnt >= pcb->cwnd) {
            pcb->acked_cnt -= pcb->cwnd;
            pcb->cwnd += smss;
        }
        return;
    }
    /* CUBIC congestion avoidance (RFC 9438 4.2-4.4), C = 0.4, beta 0.7. */
    uint64_t now = pcb->stack->now;
    if (!pcb->cubic_epoch) {
        pcb->cubic_epoch = now;
        pcb->cubic_west = pcb->cwnd;
        if (pcb->cwnd < pcb->cubic_wmax) {
            /* K = cbrt((W_max - cwnd) / C) seconds, here in ms */
            uint64_t segs_x =
                (uint64_t)(pcb->cubic_wmax - pcb->cwnd) * 2500000000ULL / smss;
            pcb->cubic_k_ms = (uint32_t)icbrt(segs_x);
            pcb->cubic_origin = pcb->cubic_wmax;
        } else {
            pcb->cubic_k_ms = 0;
            pcb->cubic_origin = pcb->cwnd;
        }
    }
    uint64_t t_ms = (now - pcb->cubic_epoch + pcb->srtt) / NS_PER_MS;
    int64_t d = (int64_t)t_ms - pcb->cubic_k_ms;
    if (d > 100000)
        d = 100000; /* 100 s past K: the cube already dwarfs any window */
    if (d < -100000)
        d = -100000;
    /* C * d^3 segments with d in ms: 0.4 * d^3 / 1e9 */
    int64_t delta = d * d * d / 2500000000LL * (int64_t)smss;
    int64_t target = (int64_t)pcb->cubic_origin + delta;
    if (target > (int64_t)pcb->cwnd * 3 / 2)
        target = (int64_t)pcb->cwnd * 3 / 2;
    if (target < 0)
        target = 0;
    /* Reno-friendly estimate, alpha = 3(1-b)/(1+b) ~ 0.53 (RFC 9438 4.3) */
    pcb->cubic_west +=
        (uint32_t)((uint64_t)acked * smss * 53 / 100 / max32(pcb->cwnd, 1));
    if ((int64_t)pcb->cwnd < target) {
        uint64_t inc = (uint64_t)(target - pcb->cwnd) * acked / pcb->cwnd;
        pcb->cwnd += (uint32_t)(inc ? inc : 1);
    }
    if (pcb->cubic_west > pcb->cwnd)
        pcb->cwnd = pcb->cubic_west;
}

/* ---- RTT (RFC 6298) -------------------------------------------------------
 */

static void rtt_sample(struct tcp_pcb *pcb, uint64_t r)
{
    struct tcp_cfg *c = &pcb->stack->cfg;
    if (!r)
        r = 1;
    if (!pcb->srtt) {
        pcb->srtt = r;
        pcb->rttvar = r / 2;
    } else {
        uint64_t diff = pcb->srtt > r ? pcb->srtt - r : r - pcb->srtt;
        pcb->rttvar = (3 * pcb->rttvar + diff) / 4;
        pcb->srtt = (7 * pcb->srtt + r) / 8;
    }
    uint64_t var4 = 4 * pcb->rttvar;
    if (var4 < NS_PER_MS)
        var4 = NS_PER_MS; /* G, our clock granularity */
    uint64_t rto = pcb->srtt + var4;
    if (rto < c->rto_min)
        rto = c->rto_min;
    pcb->rto = min64(rto, c->rto_max);
}

/* ---- Table and lifecycle ---------------------------------------------------
 */

static unsigned tuple_hash(const struct tcp_stack *st,
                           const struct mote_ipaddr *l, uint16_t lp,
                           const struct mote_ipaddr *r, uint16_t rp)
{
    uint8_t k[36];
    memcpy(k, l->bytes, 16);
    memcpy(k + 16, r->bytes, 16);
    put16(k + 32, lp);
    put16(k + 34, rp);
    return (unsigned)tcp__siphash(st->hash_key, k, sizeof k) & st->hash_mask;
}

static struct tcp_pcb *lookup(struct tcp_stack *st, const struct mote_ipaddr *l,
                              uint16_t lp, const struct mote_ipaddr *r,
                              uint16_t rp)
{
    for (struct tcp_pcb *p = st->hash[tuple_hash(st, l, lp, r, rp)]; p;
         p = p->hnext)
        if (p->lport == lp && p->rport == rp && addr_eq(&p->laddr, l) &&
            addr_eq(&p->raddr, r))
            return p;
    return NULL;
}

static void table_add(struct tcp_pcb *pcb)
{
    struct tcp_stack *st = pcb->stack;
    unsigned h =
        tuple_hash(st, &pcb->laddr, pcb->lport, &pcb->raddr, pcb->rport);
    pcb->hnext = st->hash[h];
    st->hash[h] = pcb;
    pcb->in_table = true;
    pcb->anext = st->active;
    if (st->active)
        st->active->aprev = &pcb->anext;
    pcb->aprev = &st->active;
    st->active = pcb;
    st->n_active++;
    uint64_t d = pcb_deadline(pcb);
    if (d != UINT64_MAX)
        th_arm(pcb, d);
}

static void table_del(struct tcp_pcb *pcb)
{
    struct tcp_stack *st = pcb->stack;
    if (!pcb->in_table)
        return;
    unsigned h =
        tuple_hash(st, &pcb->laddr, pcb->lport, &pcb->raddr, pcb->rport);
    for (struct tcp_pcb **pp = &st->hash[h]; *pp; pp = &(*pp)->hnext)
        if (*pp == pcb) {
            *pp = pcb->hnext;
            break;
        }
    *pcb->aprev = pcb->anext;
    if (pcb->anext)
        pcb->anext->aprev = pcb->aprev;
    pcb->in_table = false;
    st->n_active--;
    th_remove(pcb);
}

/* Reset a pcb's protocol state, keeping its buffers and owner fields. */
static void pcb_clear(struct tcp_pcb *pcb)
{
    void *user = pcb->user;
    uint8_t *sbuf = pcb->sbuf, *rbuf = pcb->rbuf;
    uint32_t scap = pcb->scap, rcap = pcb->rcap, rmax = pcb->rmax;
    struct tcp_stack *st = pcb->stack;
    memset(pcb, 0, sizeof *pcb);
    pcb->user = user;
    pcb->stack = st;
    pcb->sbuf = sbuf;
    pcb->rbuf = rbuf;
    pcb->scap = scap;
    pcb->rcap = rcap;
    pcb->rmax = rmax;
}

void tcp_pcb_set_rmax(struct tcp_pcb *pcb, uint32_t rmax)
{
    pcb->rmax = rmax > pcb->rcap ? min32(rmax, 1u << 30) : pcb->rcap;
}

/* The receive window the ring may grow to: what the shift must cover. */
static uint32_t rwin_max(const struct tcp_pcb *pcb)
{
    return pcb->rmax > pcb->rcap ? pcb->rmax : pcb->rcap;
}

void tcp_pcb_init(struct tcp_pcb *pcb, uint8_t *sbuf, uint32_t scap,
                  uint8_t *rbuf, uint32_t rcap)
{
    memset(pcb, 0, sizeof *pcb);
    pcb->sbuf = sbuf;
    pcb->scap = scap;
    pcb->rbuf = rbuf;
    pcb->rcap = rcap;
    pcb->rmax = rcap;
}

static uint8_t wscale_for(uint32_t cap)
{
    uint8_t s = 0;
    while (s < 14 && (cap >> s) > 65535)
        s++;
    return s;
}

void tcp_pool_give(struct tcp_stack *st, struct tcp_pcb *pcb)
{
    pcb->stack = st;
    pcb_clear(pcb);
    pcb->qnext = st->pool;
    st->pool = pcb;
    st->n_pool++;
    if (rwin_max(pcb) > st->pool_rcap)
        st->pool_rcap = rwin_max(pcb);
}

static struct tcp_pcb *pool_take(struct tcp_stack *st)
{
    struct tcp_pcb *p = st->pool;
    if (p) {
        st->pool = p->qnext;
        st->n_pool--;
        p->qnext = NULL;
    }
    return p;
}

static void acceptq_remove(struct tcp_pcb *pcb)
{
    struct tcp_listener *l = pcb->listener;
    struct tcp_pcb *prev = NULL;
    for (struct tcp_pcb *p = l->acc_head; p; prev = p, p = p->qnext)
        if (p == pcb) {
            if (prev)
                prev->qnext = p->qnext;
            else
                l->acc_head = p->qnext;
            if (l->acc_tail == p)
                l->acc_tail = prev;
            l->n_accept--;
            p->qnext = NULL;
            return;
        }
}

/* The connection reached CLOSED: leave the table; give it back to the pool
 * or (if released) report TCP_EV_FREE once the current call is done. */
static void finish(struct tcp_pcb *pcb)
{
    struct tcp_stack *st = pcb->stack;
    enum tcp_state was = pcb->state;
    table_del(pcb);
    pcb->state = TCP_CLOSED;
    pcb->t_rexmt = pcb->t_persist = pcb->t_delack = pcb->t_keep = 0;
    pcb->t_wait = pcb->t_tlp = 0;
    if (pcb->from_pool && !pcb->accepted) {
        struct tcp_listener *l = pcb->listener;
        if (l) {
            if (was != TCP_SYN_RCVD)
                acceptq_remove(pcb);
            else if (l->n_synrcvd)
                l->n_synrcvd--;
        }
        tcp_pool_give(st, pcb);
        return;
    }
    if (pcb->released) {
        pcb->state = TCP_NONE;
        pcb->qnext = st->dead;
        st->dead = pcb;
    }
}

static void flush_dead(struct tcp_stack *st)
{
    while (st->dead) {
        struct tcp_pcb *p = st->dead;
        st->dead = p->qnext;
        p->qnext = NULL;
        notify(p, TCP_EV_FREE);
    }
}

/* A fatal condition: sticky error, wake everyone, close. */
static void fail(struct tcp_pcb *pcb, int err)
{
    if (!pcb->error)
        pcb->error = err;
    bool tell = !(pcb->from_pool && !pcb->accepted);
    finish(pcb);
    if (tell)
        notify(pcb, TCP_EV_ERROR | TCP_EV_READABLE | TCP_EV_WRITABLE);
}

/* Initial sequence number (RFC 6528 3): M + F(4-tuple, key), M a 4 us
 * clock, F SipHash-2-4 under a random key. */
static uint32_t make_isn(struct tcp_stack *st, const struct tcp_pcb *pcb)
{
    uint8_t k[36];
    memcpy(k, pcb->laddr.bytes, 16);
    memcpy(k + 16, pcb->raddr.bytes, 16);
    put16(k + 32, pcb->lport);
    put16(k + 34, pcb->rport);
    uint64_t h = tcp__siphash(st->isn_key, k, sizeof k);
    return (uint32_t)(st->now / 4000) + (uint32_t)h;
}

static void set_iss(struct tcp_pcb *pcb, uint32_t iss)
{
    pcb->iss = iss;
    pcb->snd_una = pcb->snd_nxt = pcb->snd_max = iss;
    pcb->recover = pcb->snd_sml = iss;
}

static void pcb_start(struct tcp_pcb *pcb)
{
    struct tcp_stack *st = pcb->stack;
    pcb->rmss =
        (uint16_t)(st->cfg.mss - (pcb->laddr.family == MOTE_IP_V6 ? 20 : 0));
    pcb->peer_mss = 536;
    pcb->smss = 536;
    pcb->rto = st->cfg.rto_init;
    pcb->cc = st->cfg.cc == TCP_CC_DEFAULT ? TCP_CC_NEWRENO : st->cfg.cc;
    pcb->rcv_wscale = wscale_for(rwin_max(pcb));
    pcb->last_rcv = st->now;
    uint8_t k[36];
    memcpy(k, pcb->laddr.bytes, 16);
    memcpy(k + 16, pcb->raddr.bytes, 16);
    put16(k + 32, pcb->lport);
    put16(k + 34, pcb->rport);
    pcb->ts_offset = (uint32_t)(tcp__siphash(st->hash_key, k, sizeof k) >> 32);
}

/* Effective send MSS (RFC 9293 3.7.1, RFC 6691): the peer's MSS, our slot
 * size and our own link's MSS for the family (rmss: an IPv6 header is 20
 * bytes longer, so a peer's MSS of 1460 over IPv6 on a 1500-byte link
 * must not be believed), minus the timestamp option every segment
 * carries. */
static void set_smss(struct tcp_pcb *pcb)
{
    uint32_t m =
        min32(min32(pcb->peer_mss, pcb->stack->cfg.seg_max), pcb->rmss);
    if (pcb->ts_ok)
        m -= 12;
    if (m < 64)
        m = 64;
    pcb->smss = (uint16_t)m;
}

/* ---- Input ------------------------------------------------------------- */

struct seg {
    uint16_t sport, dport;
    uint32_t seq, ack, wnd;
    uint8_t flags;
    const uint8_t *data;
    uint32_t dlen;
    bool has_mss, has_ws, sack_perm, has_ts;
    uint16_t mss;
    uint8_t ws;
    uint32_t tsval, tsecr;
    unsigned n_sack;
    struct tcp_range sack[4];
};

/* Options (RFC 9293 3.2). A malformed option ends parsing: what came
 * before it stands, the rest is ignored (the segment itself is kept). */
static void parse_options(struct seg *s, const uint8_t *o, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t kind = o[i];
        if (kind == 0)
            return;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= n)
            return;
        uint8_t len = o[i + 1];
        if (len < 2 || i + len > n)
            return;
        const uint8_t *v = o + i + 2;
        switch (kind) {
        case 2:
            if (len == 4 && (s->flags & TCP_SYN)) {
                s->has_mss = true;
                s->mss = get16(v);
            }
            break;
        case 3:
            if (len == 3 && (s->flags & TCP_SYN)) {
                s->has_ws = true;
                s->ws = v[0];
            }
            break;
        case 4:
            if (len == 2 && (s->flags & TCP_SYN))
                s->sack_perm = true;
            break;
        case 5:
            if (len >= 10 && (len - 2) % 8 == 0) {
                unsigned k = (len - 2) / 8;
                s->n_sack = k > 4 ? 4 : k;
                for (unsigned j = 0; j < s->n_sack; j++) {
                    s->sack[j].start = get32(v + 8 * j);
                    s->sack[j].end = get32(v + 8 * j + 4);
                }
            }
            break;
        case 8:
            if (len == 10) {
                s->has_ts = true;
                s->tsval = get32(v);
                s->tsecr = get32(v + 4);
            }
            break;
        default:
            break;
        }
        i += len;
    }
}

/* Options a SYN negotiates onto the pcb (RFC 7323 1.3, 2.2; RFC 2018 2). */
static void take_syn_options(struct tcp_pcb *pcb, const struct seg *s)
{
    struct tcp_cfg *c = &pcb->stack->cfg;
    uint16_t dflt = pcb->laddr.family == MOTE_IP_V6 ? 1220 : 536;
    pcb->peer_mss = s->has_mss ? (s->mss < 64 ? 64 : s->mss) : dflt;
    pcb->ws_ok = s->has_ws && !c->no_wscale;
    pcb->snd_wscale = pcb->ws_ok ? (s->ws > 14 ? 14 : s->ws) : 0;
    if (!pcb->ws_ok)
        pcb->rcv_wscale = 0;
    pcb->sack_ok = s->sack_perm && !c->no_sack;
    pcb->ts_ok = s->has_ts && !c->no_timestamps;
    if (pcb->ts_ok)
        pcb->ts_recent = s->tsval;
    set_smss(pcb);
    cc_init(pcb);
}

/* ---- SYN cookies ---------------------------------------------------------
 *
 * ISN of a cookie SYN-ACK (32 bits):  hash(24) | t(5) | mss index(3)
 *   t: minutes/64 s counter mod 32; a cookie is good for this and the
 *      previous period. hash: SipHash of the 4-tuple, the peer's ISN and t.
 * With timestamps, our TSval's low 5 bits carry: wscale (4 bits, 15 = none)
 * and SACK-permitted (1 bit), as Linux does; without them a cookie
 * connection has neither (RFC 4987 3.6 discusses the trade-off).
 */

static const uint16_t cookie_mss[8] = {536,  1220, 1360, 1400,
                                       1440, 1460, 4312, 8960};

static uint32_t cookie_hash(struct tcp_stack *st, const struct mote_ipaddr *l,
                            uint16_t lp, const struct mote_ipaddr *r,
                            uint16_t rp, uint32_t irs, uint32_t t)
{
    uint8_t k[44];
    memcpy(k, l->bytes, 16);
    memcpy(k + 16, r->bytes, 16);
    put16(k + 32, lp);
    put16(k + 34, rp);
    put32(k + 36, irs);
    put32(k + 40, t);
    return (uint32_t)tcp__siphash(st->cookie_key, k, sizeof k) & 0xffffff00u;
}

static uint32_t cookie_period(const struct tcp_stack *st)
{
    return (uint32_t)(st->now / (64 * NS_PER_S)) & 31;
}

/* ---- Listen ------------------------------------------------------------ */

static struct tcp_listener *find_listener(struct tcp_stack *st,
                                          const struct mote_ipaddr *dst,
                                          uint16_t port)
{
    struct tcp_listener *wild = NULL;
    for (struct tcp_listener *l = st->listeners; l; l = l->next) {
        if (l->port != port)
            continue;
        if (l->addr.family != MOTE_IP_NONE && addr_eq(&l->addr, dst))
            return l;
        if (l->addr.family == MOTE_IP_NONE ||
            (l->addr.family == dst->family && addr_unspec(&l->addr)))
            wild = l;
    }
    return wild;
}

static void pcb_input(struct tcp_pcb *pcb, struct seg *s);

/* A pcb for a passive open, filled from the SYN. */
static void passive_setup(struct tcp_stack *st, struct tcp_pcb *pcb,
                          struct tcp_listener *l, const struct mote_ipaddr *src,
                          const struct mote_ipaddr *dst, const struct seg *s)
{
    pcb->from_pool = true;
    pcb->listener = l;
    pcb->laddr = *dst;
    pcb->raddr = *src;
    memset(pcb->laddr.zone, 0, sizeof pcb->laddr.zone);
    memset(pcb->raddr.zone, 0, sizeof pcb->raddr.zone);
    pcb->lport = s->dport;
    pcb->rport = s->sport;
    pcb_start(pcb);
    pcb->irs = s->seq;
    pcb->rcv_nxt = s->seq + 1;
    pcb->rcv_adv = pcb->rcv_nxt;
    pcb->last_ack_sent = pcb->rcv_nxt;
    (void)st;
}

static void listen_input(struct tcp_stack *st, struct tcp_listener *l,
                         const struct mote_ipaddr *src,
                         const struct mote_ipaddr *dst, struct seg *s)
{
    if (s->flags & TCP_RST)
        return;
    if ((s->flags & TCP_ACK) && !(s->flags & TCP_SYN)) {
        /* The third segment of a cookie handshake, or garbage. */
        uint32_t cookie = s->ack - 1;
        uint32_t t = (cookie >> 3) & 31, now_t = cookie_period(st);
        uint32_t irs = s->seq - 1;
        bool fresh = ((now_t - t) & 31) <= 1;
        if (!fresh || cookie_hash(st, dst, s->dport, src, s->sport, irs, t) !=
                          (cookie & 0xffffff00u)) {
            send_reset(st, src, dst, s->sport, s->dport, s->seq, s->ack,
                       s->flags, s->dlen);
            return;
        }
        if (!st->pool && l->n_accept < l->backlog && st->cfg.pcb_alloc) {
            struct tcp_pcb *spare = st->cfg.pcb_alloc(st->cfg.ctx);
            if (spare)
                tcp_pool_give(st, spare);
        }
        if (l->n_accept >= l->backlog || !st->pool) {
            st->stats.syn_drops++;
            return; /* the peer retransmits; maybe room then */
        }
        struct tcp_pcb *pcb = pool_take(st);
        passive_setup(st, pcb, l, src, dst, s);
        pcb->irs = irs;
        pcb->rcv_nxt = s->seq;
        pcb->rcv_adv = pcb->rcv_nxt;
        set_iss(pcb, cookie);
        pcb->snd_una = pcb->snd_nxt = pcb->snd_max = s->ack;
        pcb->recover = pcb->snd_sml = s->ack;
        pcb->peer_mss = cookie_mss[cookie & 7];
        if (s->has_ts && !st->cfg.no_timestamps) {
            uint32_t bits = s->tsecr & 31;
            pcb->ts_ok = true;
            pcb->ts_recent = s->tsval;
            pcb->ws_ok = (bits >> 1) != 15 && !st->cfg.no_wscale;
            pcb->snd_wscale = pcb->ws_ok ? (uint8_t)(bits >> 1) : 0;
            pcb->sack_ok = (bits & 1) && !st->cfg.no_sack;
        }
        pcb->rcv_wscale = pcb->ws_ok ? wscale_for(st->pool_rcap) : 0;
        set_smss(pcb);
        cc_init(pcb);
        pcb->snd_wnd = s->wnd << pcb->snd_wscale;
        pcb->max_snd_wnd = pcb->snd_wnd;
        pcb->snd_wl1 = s->seq;
        pcb->snd_wl2 = s->ack;
        pcb->state = TCP_ESTABLISHED;
        table_add(pcb);
        st->stats.cookies_ok++;
        if (l->acc_tail)
            l->acc_tail->qnext = pcb;
        else
            l->acc_head = pcb;
        l->acc_tail = pcb;
        l->n_accept++;
        notify(pcb, TCP_EV_ACCEPT);
        /* the ACK may carry data */
        pcb_input(pcb, s);
        return;
    }
    if (s->flags & TCP_ACK) {
        send_reset(st, src, dst, s->sport, s->dport, s->seq, s->ack, s->flags,
                   s->dlen);
        return;
    }
    if (!(s->flags & TCP_SYN))
        return;
    if (l->n_accept >= l->backlog) {
        st->stats.syn_drops++;
        return;
    }
    if (l->n_synrcvd >= l->backlog || !st->pool) {
        /* Stateless SYN-ACK with a cookie (RFC 4987 3.6). */
        struct tcp_pcb tmp;
        memset(&tmp, 0, sizeof tmp);
        tmp.stack = st;
        tmp.rcap = st->pool_rcap ? st->pool_rcap : 65535;
        passive_setup(st, &tmp, l, src, dst, s);
        unsigned mi = 0;
        uint16_t peer = s->has_mss ? s->mss : 536;
        for (unsigned i = 0; i < 8; i++)
            if (cookie_mss[i] <= peer && cookie_mss[i] <= st->cfg.seg_max)
                mi = i;
        uint32_t t = cookie_period(st);
        tmp.iss = cookie_hash(st, dst, s->dport, src, s->sport, s->seq, t) |
                  t << 3 | mi;
        tmp.ws_ok = s->has_ws && !st->cfg.no_wscale;
        tmp.rcv_wscale = tmp.ws_ok ? wscale_for(tmp.rcap) : 0;
        tmp.sack_ok = s->sack_perm && !st->cfg.no_sack;
        tmp.ts_ok = s->has_ts && !st->cfg.no_timestamps;
        tmp.ts_recent = s->tsval;
        uint32_t bits =
            (tmp.ws_ok ? (uint32_t)(s->ws > 14 ? 14 : s->ws) << 1 : 30) |
            (tmp.sack_ok ? 1 : 0);
        uint32_t tsv = (ts_now(&tmp) & ~31u) | bits;
        uint8_t opt[40];
        struct emit_args a = {0};
        a.src = dst;
        a.dst = src;
        a.sport = s->dport;
        a.dport = s->sport;
        a.seq = tmp.iss;
        a.ack = s->seq + 1;
        a.flags = TCP_SYN | TCP_ACK;
        a.wnd = (uint16_t)min32(tmp.rcap, 65535);
        a.opt = opt;
        /* Without timestamps the peer would believe in options we cannot
         * remember: offer none but the MSS then. */
        a.optlen = syn_options(&tmp, opt, tmp.ws_ok && tmp.ts_ok,
                               tmp.sack_ok && tmp.ts_ok, tmp.ts_ok, tsv);
        emit_raw(st, &a);
        st->stats.cookies_sent++;
        return;
    }
    struct tcp_pcb *pcb = pool_take(st);
    passive_setup(st, pcb, l, src, dst, s);
    take_syn_options(pcb, s);
    pcb->snd_wnd = s->wnd; /* never scaled in a SYN (RFC 7323 2.2) */
    pcb->max_snd_wnd = pcb->snd_wnd;
    pcb->snd_wl1 = s->seq;
    set_iss(pcb, make_isn(st, pcb));
    pcb->state = TCP_SYN_RCVD;
    l->n_synrcvd++;
    table_add(pcb);
    output(pcb);
}

/* ---- Receive ring ------------------------------------------------------ */

/* The receiver's RTT estimate for ring autotuning (Linux's
 * tcp_rcv_rtt_measure_ts / tcp_rcv_rtt_measure): with timestamps, the
 * age of the TSval the peer echoes (ms granularity, at least 1 ms);
 * without, the time rcv_nxt takes to move one window. The minimum is kept
 * when a sample is lower, otherwise a 1/8 moving average. */
static void rcv_rtt_sample(struct tcp_pcb *pcb, uint64_t r)
{
    if (!pcb->rcv_rtt || r < pcb->rcv_rtt)
        pcb->rcv_rtt = r;
    else
        pcb->rcv_rtt = (7 * pcb->rcv_rtt + r) / 8;
}

static void rcv_rtt_measure(struct tcp_pcb *pcb, const struct seg *s)
{
    struct tcp_stack *st = pcb->stack;
    if (rwin_max(pcb) <= pcb->rcap)
        return; /* the ring cannot grow: nothing to estimate for */
    if (pcb->ts_ok && s->has_ts && s->tsecr) {
        uint32_t d = ts_now(pcb) - s->tsecr;
        if (d < 60000)
            rcv_rtt_sample(pcb, (d ? d : 1) * NS_PER_MS);
        return;
    }
    if (pcb->rcv_rtt_t && tcp_seq_ge(pcb->rcv_nxt, pcb->rcv_rtt_seq)) {
        uint64_t r = st->now - pcb->rcv_rtt_t;
        rcv_rtt_sample(pcb, r > NS_PER_MS ? r : NS_PER_MS);
        pcb->rcv_rtt_t = 0;
    }
    if (!pcb->rcv_rtt_t) {
        pcb->rcv_rtt_seq = pcb->rcv_nxt + rcv_space(pcb);
        pcb->rcv_rtt_t = st->now;
    }
}

/* The reader took n bytes at now: once per receiver RTT, see whether the
 * ring should grow (tcp_recv_want). */
static void rcv_space_adjust(struct tcp_pcb *pcb, uint64_t now, size_t n)
{
    if (rwin_max(pcb) <= pcb->rcap || !pcb->rcv_rtt)
        return;
    pcb->rcv_copied += (uint32_t)n;
    if (!pcb->rcv_mtime) {
        pcb->rcv_mtime = now;
        pcb->rcv_copied = 0;
        return;
    }
    if (now - pcb->rcv_mtime < pcb->rcv_rtt)
        return;
    /* more than half the ring read in one RTT: the window may be what
     * limits the sender; hold two RTTs' worth */
    if (2 * (uint64_t)pcb->rcv_copied > pcb->rcap) {
        uint64_t want = pcb->rcap;
        while (want < 2 * (uint64_t)pcb->rcv_copied && want < pcb->rmax)
            want *= 2;
        if (want > pcb->rmax)
            want = pcb->rmax;
        if (want > pcb->rcv_want)
            pcb->rcv_want = (uint32_t)want;
    }
    pcb->rcv_copied = 0;
    pcb->rcv_mtime = now;
}

/* Copy n bytes for sequence seq (rcv_nxt <= seq, within rcv_space) into
 * place in the receive ring. */
static void ring_put(struct tcp_pcb *pcb, uint32_t seq, const uint8_t *d,
                     uint32_t n)
{
    uint32_t off = pcb->rlen + (seq - pcb->rcv_nxt);
    uint32_t pos = (pcb->rhead + off) % pcb->rcap;
    uint32_t first = min32(n, pcb->rcap - pos);
    memcpy(pcb->rbuf + pos, d, first);
    memcpy(pcb->rbuf, d + first, n - first);
}

/* Record [s, e) as held out of order, merging and moving it first. */
static void ooo_add(struct tcp_pcb *pcb, uint32_t s, uint32_t e)
{
    struct tcp_range r = {s, e};
    unsigned n = 0;
    struct tcp_range keep[TCP_OOO_MAX];
    for (unsigned i = 0; i < pcb->n_ooo; i++) {
        struct tcp_range o = pcb->ooo[i];
        if (tcp_seq_le(o.start, r.end) && tcp_seq_ge(o.end, r.start)) {
            if (tcp_seq_lt(o.start, r.start))
                r.start = o.start;
            if (tcp_seq_gt(o.end, r.end))
                r.end = o.end;
        } else {
            keep[n++] = o;
        }
    }
    pcb->ooo[0] = r;
    /* the oldest range falls off when full; its bytes come again */
    unsigned m = min32(n, TCP_OOO_MAX - 1);
    for (unsigned i = 0; i < m; i++)
        pcb->ooo[i + 1] = keep[i];
    pcb->n_ooo = m + 1;
}

/* rcv_nxt moved: absorb ranges it reached. */
static void ooo_advance(struct tcp_pcb *pcb)
{
    bool again = true;
    while (again) {
        again = false;
        for (unsigned i = 0; i < pcb->n_ooo; i++) {
            struct tcp_range o = pcb->ooo[i];
            if (tcp_seq_le(o.start, pcb->rcv_nxt)) {
                if (tcp_seq_gt(o.end, pcb->rcv_nxt)) {
                    pcb->rlen += o.end - pcb->rcv_nxt;
                    pcb->rcv_nxt = o.end;
                }
                pcb->ooo[i] = pcb->ooo[--pcb->n_ooo];
                again = true;
                break;
            }
        }
    }
}

/* ---- Send side on ACK ---------------------------------------------------- */

static void score_add(struct tcp_pcb *pcb, struct tcp_range r)
{
    if (tcp_seq_le(r.end, pcb->snd_una) || tcp_seq_gt(r.end, pcb->snd_max) ||
        tcp_seq_ge(r.start, r.end))
        return;
    if (tcp_seq_lt(r.start, pcb->snd_una))
        r.start = pcb->snd_una;
    unsigned n = 0;
    struct tcp_range out[TCP_SCORE_MAX + 1];
    for (unsigned i = 0; i < pcb->n_score; i++) {
        struct tcp_range o = pcb->score[i];
        if (tcp_seq_le(o.start, r.end) && tcp_seq_ge(o.end, r.start)) {
            if (tcp_seq_lt(o.start, r.start))
                r.start = o.start;
            if (tcp_seq_gt(o.end, r.end))
                r.end = o.end;
        } else {
            out[n++] = o;
        }
    }
    out[n++] = r;
    if (n > TCP_SCORE_MAX) {
        /* forget the highest range: the lowest holes matter first */
        unsigned hi = 0;
        for (unsigned i = 1; i < n; i++)
            if (tcp_seq_gt(out[i].start, out[hi].start))
                hi = i;
        out[hi] = out[--n];
    }
    memcpy(pcb->score, out, n * sizeof out[0]);
    pcb->n_score = n;
}

static void score_prune(struct tcp_pcb *pcb)
{
    unsigned n = 0;
    for (unsigned i = 0; i < pcb->n_score; i++) {
        struct tcp_range o = pcb->score[i];
        if (tcp_seq_le(o.end, pcb->snd_una))
            continue;
        if (tcp_seq_lt(o.start, pcb->snd_una))
            o.start = pcb->snd_una;
        pcb->score[n++] = o;
    }
    pcb->n_score = n;
}

static uint32_t score_bytes(const struct tcp_pcb *pcb)
{
    uint32_t b = 0;
    for (unsigned i = 0; i < pcb->n_score; i++)
        b += pcb->score[i].end - pcb->score[i].start;
    return b;
}

/* Remove acknowledged bytes from the send ring. */
static void take_ack(struct tcp_pcb *pcb, uint32_t ack)
{
    uint32_t base = data_base(pcb);
    if (tcp_seq_gt(ack, base)) {
        uint32_t n = min32(ack - base, pcb->slen);
        pcb->shead = (pcb->shead + n) % pcb->scap;
        pcb->slen -= n;
    }
    pcb->snd_una = ack;
    if (tcp_seq_lt(pcb->snd_nxt, ack))
        pcb->snd_nxt = ack;
}

static void enter_time_wait(struct tcp_pcb *pcb)
{
    pcb->state = TCP_TIME_WAIT;
    pcb->t_rexmt = pcb->t_persist = pcb->t_keep = pcb->t_tlp = 0;
    set_timer(pcb, &pcb->t_wait, pcb->stack->now + 2 * pcb->stack->cfg.msl);
}

/* The retransmission at SND.UNA should have been acknowledged by an ACK
 * arriving now: a round trip and a reordering allowance (RFC 8985 6.2's
 * SRTT/4) have passed. A time-based guess as RACK makes, for the case
 * where too few duplicate ACKs come to count (a small window). */
static bool rxt_overdue(const struct tcp_pcb *pcb)
{
    uint64_t now = pcb->stack->now;
    return pcb->rxt_time && pcb->srtt && pcb->rxt_seq == pcb->snd_una &&
           now - pcb->rxt_time > pcb->srtt + pcb->srtt / 4 + NS_PER_MS;
}

/* SACK recovery (RFC 6675 5 (C)): fill the holes while the pipe has
 * room under cwnd; new data follows in output(). */
static void sack_recovery_send(struct tcp_pcb *pcb)
{
    for (int guard = 0; guard < 64; guard++) {
        uint32_t seq, len;
        if (pipe_bytes(pcb) + pcb->smss > pcb->cwnd ||
            !next_hole(pcb, pcb->high_rxt, &seq, &len) ||
            retransmit(pcb, seq, len) != 0)
            break;
        pcb->high_rxt = seq + len;
        if (seq == pcb->snd_una) {
            /* every segment in flight now may still draw a duplicate
             * ACK; more than that and the retransmission was lost */
            pcb->rxt_time = pcb->stack->now;
            pcb->rxt_seq = seq;
            pcb->rxt_dup = 0;
            pcb->rxt_limit = (pcb->snd_max - pcb->snd_una) / pcb->smss + 3;
        }
    }
}

/* Fast retransmit and recovery: NewReno (RFC 6582) with SACK-chosen
 * retransmissions (RFC 6675 NextSeg) when the peer SACKs. */
static void on_dupack(struct tcp_pcb *pcb)
{
    pcb->dupacks++;
    uint32_t smss = pcb->smss;
    if (!pcb->in_recovery) {
        /* Early retransmit (RFC 5827): with fewer than 4 segments out and
         * nothing new to send, fewer duplicates will ever come. */
        uint32_t flightsz = pcb->snd_max - pcb->snd_una;
        unsigned oseg = (flightsz + smss - 1) / smss, thresh = 3;
        if (oseg < 4 && tcp_seq_ge(pcb->snd_nxt, data_end(pcb)))
            thresh = oseg > 2 ? oseg - 1 : 1;
        bool enough =
            pcb->dupacks >= thresh ||
            (pcb->sack_ok && score_bytes(pcb) > 2 * smss) ||
            (pcb->sack_ok && pcb->tlp_sent && pcb->n_score); /* RFC 8985 */
        /* RFC 6582 3.2 step 1: not again for losses of the same window
         * (NewReno only: SACK tells new losses from old ones) */
        if (!enough ||
            (!pcb->sack_ok && tcp_seq_lt(pcb->snd_una, pcb->recover)))
            return;
        cc_reduce(pcb);
        pcb->stack->stats.fast_rexmt++;
        pcb->recover = pcb->snd_max;
        pcb->in_recovery = true;
        pcb->t_tlp = 0;
        /* NewReno inflates by the three duplicates; with SACK the pipe
         * estimate does that job (RFC 6675 5 (4)) */
        pcb->cwnd = pcb->ssthresh + (pcb->sack_ok ? 0 : 3 * smss);
        pcb->high_rxt = pcb->snd_una;
        uint32_t len = min32(seg_room(pcb), pcb->snd_max - pcb->snd_una);
        if (retransmit(pcb, pcb->snd_una, len) == 0)
            pcb->high_rxt = pcb->snd_una + len;
        pcb->rxt_time = pcb->stack->now;
        pcb->rxt_seq = pcb->snd_una;
        pcb->rxt_dup = 0;
        pcb->rxt_limit = (pcb->snd_max - pcb->snd_una) / smss + 3;
        if (pcb->sack_ok)
            sack_recovery_send(pcb);
        arm_rexmt(pcb);
        return;
    }
    if (pcb->sack_ok) {
        /* A lost retransmission (what RACK, RFC 8985, finds by time):
         * the hole at SND.UNA outlives the ACKs of everything that was in
         * flight when it was resent. Resend the holes once more. */
        if (++pcb->rxt_dup > pcb->rxt_limit || rxt_overdue(pcb)) {
            pcb->high_rxt = pcb->snd_una;
            pcb->rxt_dup = 0;
        }
        sack_recovery_send(pcb);
        return;
    }
    pcb->cwnd += smss;
}

static void on_new_ack(struct tcp_pcb *pcb, const struct seg *s, uint32_t acked,
                       bool limited)
{
    struct tcp_stack *st = pcb->stack;
    /* RTT sample: timestamps (RFC 7323 4.1) or one timed segment */
    if (pcb->ts_ok && s->has_ts && s->tsecr) {
        uint32_t d = ts_now(pcb) - s->tsecr;
        if (d < 0x7fffffff)
            rtt_sample(pcb, (uint64_t)d * NS_PER_MS);
    } else if (pcb->rtt_start && tcp_seq_gt(s->ack, pcb->rtt_seq)) {
        rtt_sample(pcb, st->now - pcb->rtt_start);
        pcb->rtt_start = 0;
    }
    pcb->nrexmt = 0;
    pcb->dupacks = 0;
    pcb->tlp_sent = false;
    if (pcb->in_recovery) {
        if (tcp_seq_ge(s->ack, pcb->recover) && pcb->rto_recovery) {
            /* the timeout's loss window is repaired; cwnd has been
             * slow-starting since */
            pcb->in_recovery = pcb->rto_recovery = false;
        } else if (tcp_seq_ge(s->ack, pcb->recover)) {
            /* full ACK (RFC 6582 3.2 step 3) */
            pcb->in_recovery = false;
            pcb->cwnd =
                min32(pcb->ssthresh, max32(flight(pcb), pcb->smss) + pcb->smss);
            if (pcb->cc == TCP_CC_CUBIC)
                pcb->cwnd = max32(pcb->cwnd, pcb->ssthresh);
        } else if (pcb->sack_ok) {
            if (pcb->rto_recovery && limited)
                cc_ack(pcb, acked);  /* slow start after the timeout */
            sack_recovery_send(pcb); /* partial ACK under SACK */
        } else {
            /* partial ACK: resend the next loss, deflate (step 4) */
            uint32_t seq = pcb->snd_una;
            uint32_t len = min32(seg_room(pcb), flight(pcb));
            if (pcb->sack_ok)
                next_hole(pcb, pcb->snd_una, &seq, &len);
            if (retransmit(pcb, seq, len) == 0 &&
                tcp_seq_gt(seq + len, pcb->high_rxt))
                pcb->high_rxt = seq + len;
            pcb->cwnd = pcb->cwnd > acked ? pcb->cwnd - acked : 0;
            if (acked >= pcb->smss)
                pcb->cwnd += pcb->smss;
            if (pcb->cwnd < pcb->smss)
                pcb->cwnd = pcb->smss;
        }
    } else if (limited) {
        cc_ack(pcb, acked);
    }
    if (pcb->snd_una == pcb->snd_max) {
        pcb->t_rexmt = 0;
        pcb->t_tlp = 0;
        th_tidy(pcb);
    } else {
        arm_rexmt(pcb);
        arm_tlp(pcb);
    }
    notify(pcb, TCP_EV_WRITABLE);
}

/* ---- Synchronized states (3.10.7.4) ------------------------------------- */

static void established(struct tcp_pcb *pcb, const struct seg *s)
{
    struct tcp_listener *l = pcb->listener;
    pcb->state = TCP_ESTABLISHED;
    pcb->snd_wnd = s->wnd << pcb->snd_wscale;
    if (pcb->snd_wnd > pcb->max_snd_wnd)
        pcb->max_snd_wnd = pcb->snd_wnd;
    pcb->snd_wl1 = s->seq;
    pcb->snd_wl2 = s->ack;
    if (pcb->fin_queued)
        pcb->state = TCP_FIN_WAIT_1;
    if (pcb->keepalive)
        set_timer(pcb, &pcb->t_keep,
                  pcb->stack->now + pcb->stack->cfg.keep_idle);
    if (pcb->from_pool && !pcb->accepted && l) {
        if (l->n_synrcvd)
            l->n_synrcvd--;
        if (l->acc_tail)
            l->acc_tail->qnext = pcb;
        else
            l->acc_head = pcb;
        l->acc_tail = pcb;
        l->n_accept++;
        notify(pcb, TCP_EV_ACCEPT);
    } else {
        notify(pcb, TCP_EV_CONNECTED | TCP_EV_WRITABLE);
    }
}

static void syn_sent_input(struct tcp_pcb *pcb, struct seg *s)
{
    bool ack = s->flags & TCP_ACK;
    if (ack &&
        (tcp_seq_le(s->ack, pcb->iss) || tcp_seq_gt(s->ack, pcb->snd_max))) {
        if (!(s->flags & TCP_RST))
            send_reset(pcb->stack, &pcb->raddr, &pcb->laddr, s->sport, s->dport,
                       s->seq, s->ack, s->flags, s->dlen);
        return;
    }
    if (s->flags & TCP_RST) {
        if (ack)
            fail(pcb, MOTE_ECONNREFUSED);
        return;
    }
    if (!(s->flags & TCP_SYN))
        return;
    pcb->irs = s->seq;
    pcb->rcv_nxt = s->seq + 1;
    pcb->rcv_adv = pcb->rcv_nxt;
    take_syn_options(pcb, s);
    if (ack) {
        take_ack(pcb, s->ack);
        if (pcb->rtt_start && !pcb->nrexmt)
            rtt_sample(pcb, pcb->stack->now - pcb->rtt_start);
        pcb->rtt_start = 0;
        pcb->nrexmt = 0;
        pcb->t_rexmt = 0;
        established(pcb, s);
        th_tidy(pcb);
        pcb->snd_wnd = s->wnd; /* never scaled in a SYN (RFC 7323 2.2) */
        pcb->max_snd_wnd = pcb->snd_wnd;
        pcb->ack_now = true;
        /* Data on a SYN-ACK is dropped; the peer will send it again. */
        if (pcb->fin_queued)
            pcb->state = TCP_FIN_WAIT_1;
        output(pcb);
        return;
    }
    /* simultaneous open (3.10.7.3 fourth): SYN_RCVD, SYN-ACK with our ISS */
    pcb->state = TCP_SYN_RCVD;
    pcb->snd_wnd = s->wnd;
    pcb->snd_wl1 = s->seq;
    pcb->snd_nxt = pcb->iss;
    output(pcb);
}

/* The receive path for a pcb past LISTEN. */
static void pcb_input(struct tcp_pcb *pcb, struct seg *s)
{
    struct tcp_stack *st = pcb->stack;
    if (pcb->state == TCP_SYN_SENT) {
        syn_sent_input(pcb, s);
        return;
    }
    /* A retransmitted SYN in SYN_RCVD: answer with our SYN-ACK again. */
    if (pcb->state == TCP_SYN_RCVD && (s->flags & TCP_SYN) &&
        !(s->flags & (TCP_ACK | TCP_RST)) && s->seq == pcb->irs) {
        pcb->snd_nxt = pcb->iss;
        output(pcb);
        return;
    }
    /* PAWS (RFC 7323 5.3) */
    if (pcb->ts_ok && s->has_ts && !(s->flags & TCP_RST) &&
        tcp_seq_lt(s->tsval, pcb->ts_recent)) {
        st->stats.paws_drops++;
        pcb->ack_now = true;
        output(pcb);
        return;
    }
    /* Acceptability (3.10.7.4 first) */
    uint32_t rwnd = rcv_space(pcb);
    uint32_t slen = s->dlen + ((s->flags & TCP_SYN) ? 1 : 0) +
                    ((s->flags & TCP_FIN) ? 1 : 0);
    bool okseq;
    if (slen == 0)
        okseq = rwnd == 0 ? s->seq == pcb->rcv_nxt
                          : tcp_seq_ge(s->seq, pcb->rcv_nxt) &&
                                tcp_seq_lt(s->seq, pcb->rcv_nxt + rwnd);
    else if (rwnd == 0)
        /* a zero-window probe: its ACK still counts, its data does not */
        okseq = s->seq == pcb->rcv_nxt;
    else
        okseq = (tcp_seq_ge(s->seq, pcb->rcv_nxt) &&
                 tcp_seq_lt(s->seq, pcb->rcv_nxt + rwnd)) ||
                (tcp_seq_ge(s->seq + slen - 1, pcb->rcv_nxt) &&
                 tcp_seq_lt(s->seq + slen - 1, pcb->rcv_nxt + rwnd));
    if (!okseq) {
        if (s->flags & TCP_RST)
            return;
        /* SYN in a synchronized state: RFC 5961 4.2 says challenge ACK */
        if ((s->flags & TCP_SYN) && synchronized(pcb->state)) {
            challenge_ack(pcb);
            return;
        }
        if (pcb->state == TCP_TIME_WAIT && (s->flags & TCP_FIN))
            set_timer(pcb, &pcb->t_wait, st->now + 2 * st->cfg.msl);
        pcb->ack_now = true;
        /* A window or keepalive probe (SEG.SEQ = RCV.NXT - 1, no data):
         * when our window is closed it is the only segment the peer can
         * send, and its ACK field may be the only news of what the peer
         * received. Take the ACK (checked like any other below), then
         * answer. */
        if (!(s->flags & (TCP_SYN | TCP_FIN)) && (s->flags & TCP_ACK) &&
            s->dlen == 0 && s->seq == pcb->rcv_nxt - 1 &&
            synchronized(pcb->state) && pcb->state != TCP_TIME_WAIT) {
            s->seq = pcb->rcv_nxt; /* no text: nothing else to trim */
            goto take_ack;
        }
        output(pcb);
        return;
    }
    /* Trim to the window: old bytes off the front, excess off the end. */
    if (tcp_seq_lt(s->seq, pcb->rcv_nxt)) {
        uint32_t drop = pcb->rcv_nxt - s->seq;
        if (s->flags & TCP_SYN) {
            s->flags &= (uint8_t)~TCP_SYN;
            s->seq++;
            drop--;
        }
        uint32_t d = min32(drop, s->dlen);
        s->data += d;
        s->dlen -= d;
        s->seq += d;
        if (drop > d)
            s->flags &= (uint8_t)~TCP_FIN;
        pcb->ack_now = true; /* duplicate: ACK at once (RFC 5681 4.2) */
    }
    uint32_t room = rwnd - (s->seq - pcb->rcv_nxt);
    if (s->dlen > room) {
        s->dlen = room;
        pcb->ack_now = true; /* tell the peer what we did not take */
        s->flags &= (uint8_t)~TCP_FIN;
    }
    /* RST (3.10.7.4 second, RFC 5961 3.2) */
    if (s->flags & TCP_RST) {
        if (s->seq != pcb->rcv_nxt) {
            challenge_ack(pcb);
            return;
        }
        switch (pcb->state) {
        case TCP_SYN_RCVD:
            fail(pcb, pcb->from_pool ? MOTE_ECONNRESET : MOTE_ECONNREFUSED);
            return;
        case TCP_TIME_WAIT:
            return; /* RFC 1337: no assassination */
        case TCP_CLOSING:
        case TCP_LAST_ACK:
            finish(pcb);
            return;
        default:
            fail(pcb, MOTE_ECONNRESET);
            return;
        }
    }
    /* SYN (3.10.7.4 fourth, RFC 5961 4.2) */
    if (s->flags & TCP_SYN) {
        if (pcb->state == TCP_SYN_RCVD && pcb->from_pool) {
            finish(pcb); /* back to LISTEN: the pcb returns to the pool */
            return;
        }
        challenge_ack(pcb);
        return;
    }
    if (!(s->flags & TCP_ACK))
        return;
take_ack:
    /* PAWS bookkeeping: TS.Recent (RFC 7323 4.3) */
    if (pcb->ts_ok && s->has_ts && tcp_seq_le(s->seq, pcb->last_ack_sent))
        pcb->ts_recent = s->tsval;
    pcb->last_rcv = st->now;
    pcb->nkeep = 0;
    if (pcb->keepalive && pcb->t_keep)
        set_timer(pcb, &pcb->t_keep, st->now + st->cfg.keep_idle);

    /* ACK (3.10.7.4 fifth) */
    if (pcb->state == TCP_SYN_RCVD) {
        if (tcp_seq_le(s->ack, pcb->snd_una) ||
            tcp_seq_gt(s->ack, pcb->snd_max)) {
            send_reset(st, &pcb->raddr, &pcb->laddr, s->sport, s->dport, s->seq,
                       s->ack, s->flags, s->dlen);
            return;
        }
        if (pcb->rtt_start && !pcb->nrexmt)
            rtt_sample(pcb, st->now - pcb->rtt_start);
        pcb->rtt_start = 0;
        pcb->nrexmt = 0;
        take_ack(pcb, s->ack);
        pcb->t_rexmt = 0;
        established(pcb, s);
        th_tidy(pcb);
    }
    if (tcp_seq_gt(s->ack, pcb->snd_max)) {
        pcb->ack_now = true; /* acks what we never sent */
        output(pcb);
        return;
    }
    uint32_t maxw = max32(pcb->max_snd_wnd, 65535);
    if (tcp_seq_lt(s->ack, pcb->snd_una - maxw)) {
        challenge_ack(pcb); /* RFC 5961 5.2 */
        return;
    }
    for (unsigned i = 0; pcb->sack_ok && i < s->n_sack; i++)
        score_add(pcb, s->sack[i]);
    uint32_t wnd = s->wnd << pcb->snd_wscale;
    if (tcp_seq_gt(s->ack, pcb->snd_una)) {
        uint32_t acked = s->ack - pcb->snd_una;
        /* RFC 7661: grow cwnd only while it is what limits us */
        bool limited = flight(pcb) + 2 * pcb->smss >= pcb->cwnd;
        take_ack(pcb, s->ack);
        score_prune(pcb);
        on_new_ack(pcb, s, acked, limited);
    } else if (s->ack == pcb->snd_una && pcb->snd_una != pcb->snd_max &&
               (s->n_sack || (s->dlen == 0 && !(s->flags & TCP_FIN) &&
                              wnd == pcb->snd_wnd))) {
        /* RFC 5681 2's duplicate, except that an ACK carrying SACK blocks
         * counts even if it carries data or the window moved: RFC 6675
         * counts SACKed bytes, not ACKs, and in a two-way transfer every
         * ACK carries data (so RFC 5681 duplicates never come) */
        on_dupack(pcb);
    }
    /* window update (3.10.7.4 fifth, SND.WL1/WL2 rule) */
    if (tcp_seq_lt(pcb->snd_wl1, s->seq) ||
        (pcb->snd_wl1 == s->seq && tcp_seq_le(pcb->snd_wl2, s->ack))) {
        bool opened = pcb->snd_wnd == 0 && wnd > 0;
        pcb->snd_wnd = wnd;
        if (wnd > pcb->max_snd_wnd)
            pcb->max_snd_wnd = wnd;
        pcb->snd_wl1 = s->seq;
        pcb->snd_wl2 = s->ack;
        if (opened) {
            pcb->t_persist = 0;
            pcb->nprobe = 0;
            notify(pcb, TCP_EV_WRITABLE);
        }
    }
    switch (pcb->state) {
    case TCP_FIN_WAIT_1:
        if (fin_acked(pcb)) {
            pcb->state = TCP_FIN_WAIT_2;
            if (pcb->released)
                set_timer(pcb, &pcb->t_wait, st->now + 2 * st->cfg.msl);
        }
        break;
    case TCP_CLOSING:
        if (fin_acked(pcb))
            enter_time_wait(pcb);
        break;
    case TCP_LAST_ACK:
        if (fin_acked(pcb)) {
            finish(pcb);
            return;
        }
        break;
    case TCP_TIME_WAIT:
        if (s->flags & TCP_FIN) {
            pcb->ack_now = true;
            set_timer(pcb, &pcb->t_wait, st->now + 2 * st->cfg.msl);
        }
        break;
    default:
        break;
    }
    /* segment text (3.10.7.4 seventh) */
    bool can_recv = pcb->state == TCP_ESTABLISHED ||
                    pcb->state == TCP_FIN_WAIT_1 ||
                    pcb->state == TCP_FIN_WAIT_2;
    if (s->dlen && can_recv && pcb->released) {
        /* nobody will read it: reset (RFC 9293 3.10.7.4, as Linux) */
        emit(pcb, pcb->snd_nxt, TCP_RST | TCP_ACK, 0);
        fail(pcb, MOTE_ECONNRESET);
        return;
    }
    if (s->dlen && can_recv) {
        bool had_ooo = pcb->n_ooo > 0;
        ring_put(pcb, s->seq, s->data, s->dlen);
        if (s->seq == pcb->rcv_nxt) {
            pcb->rcv_nxt += s->dlen;
            pcb->rlen += s->dlen;
            ooo_advance(pcb);
            /* A super-segment from a receive offload (more than one
             * full segment at once) counts as the 2nd segment. */
            if (had_ooo || ++pcb->delack_segs >= 2 || s->dlen > pcb->rmss)
                pcb->ack_now = true; /* RFC 5681 4.2: every 2nd, holes */
            else if (!pcb->t_delack)
                set_timer(pcb, &pcb->t_delack, st->now + st->cfg.delack);
            rcv_rtt_measure(pcb, s);
            notify(pcb, TCP_EV_READABLE);
        } else {
            st->stats.ooo_segs++;
            ooo_add(pcb, s->seq, s->seq + s->dlen);
            pcb->ack_now = true;
        }
    }
    /* FIN (3.10.7.4 eighth), perhaps one that arrived out of order */
    if ((s->flags & TCP_FIN) && can_recv) {
        pcb->fin_ooo = true;
        pcb->fin_seq = s->seq + s->dlen;
    }
    if (pcb->fin_ooo && !pcb->fin_rcvd && pcb->fin_seq == pcb->rcv_nxt &&
        can_recv) {
        pcb->fin_rcvd = true;
        pcb->fin_ooo = false;
        pcb->rcv_nxt++;
        pcb->ack_now = true;
        switch (pcb->state) {
        case TCP_ESTABLISHED:
            pcb->state = TCP_CLOSE_WAIT;
            break;
        case TCP_FIN_WAIT_1:
            if (fin_acked(pcb))
                enter_time_wait(pcb);
            else
                pcb->state = TCP_CLOSING;
            break;
        case TCP_FIN_WAIT_2:
            enter_time_wait(pcb);
            break;
        default:
            break;
        }
        notify(pcb, TCP_EV_READABLE);
    }
    output(pcb);
}

static int parse(struct seg *s, const uint8_t *p, size_t len)
{
    if (len < TCP_HDR_MIN)
        return MOTE_EINVAL;
    size_t hl = (size_t)(p[12] >> 4) * 4;
    if (hl < TCP_HDR_MIN || hl > len || len - hl > 0xffff)
        return MOTE_EINVAL;
    memset(s, 0, sizeof *s);
    s->sport = get16(p);
    s->dport = get16(p + 2);
    s->seq = get32(p + 4);
    s->ack = get32(p + 8);
    s->flags = p[13] & 0x3f;
    s->wnd = get16(p + 14);
    s->data = p + hl;
    s->dlen = (uint32_t)(len - hl);
    if (!s->sport || !s->dport)
        return MOTE_EINVAL;
    parse_options(s, p + TCP_HDR_MIN, hl - TCP_HDR_MIN);
    return 0;
}

int tcp_input(struct tcp_stack *st, uint64_t now, const struct mote_ipaddr *src,
              const struct mote_ipaddr *dst, const uint8_t *p, size_t len)
{
    struct seg s;
    st->now = now;
    if (src->family != dst->family ||
        (src->family != MOTE_IP_V4 && src->family != MOTE_IP_V6) ||
        parse(&s, p, len) != 0) {
        st->stats.in_errs++;
        return MOTE_EINVAL;
    }
    if (!st->cfg.no_checksum && tcp__checksum(src, dst, p, len) != 0) {
        st->stats.bad_csum++;
        return MOTE_EINVAL;
    }
    st->stats.in_segs++;
    struct tcp_pcb *pcb = lookup(st, dst, s.dport, src, s.sport);
    /* RFC 6191-style reuse: a new SYN for a TIME_WAIT tuple, above its
     * sequence space, ends the old incarnation. */
    if (pcb && pcb->state == TCP_TIME_WAIT && (s.flags & TCP_SYN) &&
        !(s.flags & TCP_ACK) && tcp_seq_gt(s.seq, pcb->rcv_nxt) &&
        find_listener(st, dst, s.dport)) {
        finish(pcb);
        pcb = NULL;
    }
    if (pcb) {
        pcb_input(pcb, &s);
    } else {
        struct tcp_listener *l = find_listener(st, dst, s.dport);
        if (l)
            listen_input(st, l, src, dst, &s);
        else
            send_reset(st, src, dst, s.sport, s.dport, s.seq, s.ack, s.flags,
                       s.dlen + ((s.flags & TCP_SYN) ? 1 : 0) +
                           ((s.flags & TCP_FIN) ? 1 : 0));
    }
    flush_dead(st);
    return 0;
}

/* ---- Timers ------------------------------------------------------------ */

uint64_t tcp_deadline(const struct tcp_stack *st)
{
    return st->timers ? st->timers->th_key : UINT64_MAX;
}

static void on_rexmt(struct tcp_pcb *pcb)
{
    struct tcp_stack *st = pcb->stack;
    pcb->t_rexmt = 0;
    st->stats.timeouts++;
    bool syn = pcb->state == TCP_SYN_SENT || pcb->state == TCP_SYN_RCVD;
    unsigned limit = syn ? st->cfg.syn_retries : st->cfg.retries;
    if (++pcb->nrexmt > limit) {
        if (synchronized(pcb->state))
            emit(pcb, pcb->snd_nxt, TCP_RST | TCP_ACK, 0);
        fail(pcb, pcb->soft_error ? pcb->soft_error : MOTE_ETIMEDOUT);
        return;
    }
    /* RFC 6298 5.5-5.7: back off; RFC 5681 (4): one segment */
    pcb->rto = min64(pcb->rto * 2, st->cfg.rto_max);
    if (pcb->nrexmt > 3)
        pcb->srtt = 0; /* RFC 6298 5: after repeated backoff, start over */
    pcb->rtt_start = 0;
    if (syn) {
        pcb->snd_nxt = pcb->iss;
        st->stats.retrans++;
        output(pcb);
        return;
    }
    if (pcb->nrexmt == 1 || !pcb->in_recovery)
        cc_reduce(pcb);
    pcb->cwnd = pcb->smss;
    if (pcb->sack_ok) {
        /* RFC 6675 5.1: after a timeout, keep using SACK to choose what
         * to resend instead of going back N; everything outstanding is
         * taken as lost. A second timeout without progress forgets the
         * scoreboard (RFC 2018 8: the peer may have reneged). */
        if (pcb->nrexmt > 1)
            pcb->n_score = 0;
        pcb->in_recovery = pcb->rto_recovery = true;
        pcb->recover = pcb->lost_to = pcb->snd_max;
        pcb->snd_nxt = pcb->snd_max;
        pcb->dupacks = 0;
        pcb->t_tlp = 0;
        pcb->tlp_sent = false;
        pcb->high_rxt = pcb->snd_una;
        sack_recovery_send(pcb);
        if (!pcb->t_rexmt && pcb->snd_una != pcb->snd_max)
            arm_rexmt(pcb);
        return;
    }
    pcb->in_recovery = false;
    pcb->recover = pcb->snd_max;
    pcb->dupacks = 0;
    pcb->n_score = 0; /* RFC 2018 8: the peer may renege */
    pcb->t_tlp = 0;
    pcb->tlp_sent = false;
    pcb->snd_nxt = pcb->snd_una;
    pcb->high_rxt = pcb->snd_una;
    output(pcb);
    if (!pcb->t_rexmt && pcb->snd_una != pcb->snd_max)
        arm_rexmt(pcb);
}

static void send_probe(struct tcp_pcb *pcb)
{
    /* seq = SND.UNA - 1 makes the peer answer with its current ACK and
     * window (the keepalive form of 3.8.4; also used for window probes) */
    emit(pcb, pcb->snd_una - 1, TCP_ACK, 0);
}

static void pcb_tick(struct tcp_pcb *pcb, uint64_t now)
{
    struct tcp_stack *st = pcb->stack;
    if (pcb->t_wait && now >= pcb->t_wait) {
        finish(pcb);
        return;
    }
    if (pcb->t_rexmt && now >= pcb->t_rexmt) {
        on_rexmt(pcb);
        if (pcb->state == TCP_CLOSED || pcb->state == TCP_NONE)
            return;
    }
    if (pcb->t_persist && now >= pcb->t_persist) {
        pcb->t_persist = 0;
        /* an orphan (released) connection stops probing after as many
         * tries as retransmissions; a live one probes forever (3.8.6.1) */
        if (pcb->released && pcb->nprobe >= st->cfg.retries) {
            emit(pcb, pcb->snd_nxt, TCP_RST | TCP_ACK, 0);
            fail(pcb, MOTE_ETIMEDOUT);
            return;
        }
        if (pcb->snd_wnd)
            output_force(pcb, true);
        else
            send_probe(pcb);
        pcb->nprobe++;
        uint64_t b = pcb->rto << min32(pcb->nprobe, 10);
        set_timer(pcb, &pcb->t_persist, now + min64(b, st->cfg.rto_max));
    }
    if (pcb->t_keep && now >= pcb->t_keep) {
        if (pcb->nkeep >= st->cfg.keep_cnt) {
            emit(pcb, pcb->snd_nxt, TCP_RST | TCP_ACK, 0);
            fail(pcb, MOTE_ETIMEDOUT);
            return;
        }
        send_probe(pcb);
        pcb->nkeep++;
        set_timer(pcb, &pcb->t_keep, now + st->cfg.keep_intvl);
    }
    if (pcb->t_tlp && now >= pcb->t_tlp) {
        pcb->t_tlp = 0;
        if (!pcb->in_recovery && !pcb->tlp_sent &&
            pcb->snd_una != pcb->snd_max) {
            /* resend the last segment: its SACK shows what was lost */
            uint32_t len = min32(seg_room(pcb), pcb->snd_max - pcb->snd_una);
            if (retransmit(pcb, pcb->snd_max - len, len) == 0) {
                pcb->tlp_sent = true;
                st->stats.tlp++;
                arm_rexmt(pcb);
            }
        }
    }
    if (pcb->t_delack && now >= pcb->t_delack) {
        pcb->t_delack = 0;
        pcb->ack_now = true;
        output(pcb);
    }
}

void tcp_tick(struct tcp_stack *st, uint64_t now)
{
    st->now = now;
    /* Take every due pcb off the heap first (a pcb re-armed for `now`
     * must wait for the next tick, not loop), then run and re-key each. */
    struct tcp_pcb *due = NULL;
    while (st->timers && st->timers->th_key <= now) {
        struct tcp_pcb *p = st->timers;
        th_remove(p);
        st->stats.timer_visits++;
        p->th_due = due;
        due = p;
    }
    while (due) {
        struct tcp_pcb *p = due;
        due = p->th_due;
        p->th_due = NULL;
        if (!p->in_table)
            continue; /* finished while another pcb ran: no timers */
        if (pcb_deadline(p) <= now)
            pcb_tick(p, now);
        if (p->in_table) {
            uint64_t d = pcb_deadline(p);
            th_remove(p); /* pcb_tick may have armed it again */
            if (d != UINT64_MAX)
                th_arm(p, d);
        }
    }
    flush_dead(st);
}

void tcp_icmp_error(struct tcp_stack *st, uint64_t now,
                    const struct mote_ipaddr *local, uint16_t lport,
                    const struct mote_ipaddr *remote, uint16_t rport,
                    uint32_t seq, int err)
{
    st->now = now;
    struct tcp_pcb *p = lookup(st, local, lport, remote, rport);
    if (!p || tcp_seq_lt(seq, p->snd_una) || tcp_seq_ge(seq, p->snd_max))
        return;
    if (err == MOTE_ECONNREFUSED && p->state == TCP_SYN_SENT)
        fail(p, MOTE_ECONNREFUSED);
    else
        p->soft_error = err;
    flush_dead(st);
}

void tcp_pmtu(struct tcp_stack *st, uint64_t now, const struct mote_ipaddr *dst,
              unsigned mtu)
{
    st->now = now;
    for (struct tcp_pcb *p = st->active; p; p = p->anext) {
        if (!addr_eq(&p->raddr, dst))
            continue;
        unsigned hdr = dst->family == MOTE_IP_V6 ? 60 : 40;
        if (mtu < hdr + 64 + 12)
            continue; /* RFC 8201 / 1191: ignore absurd values */
        uint32_t m = mtu - hdr;
        if (m < p->peer_mss) {
            p->peer_mss = (uint16_t)m;
            set_smss(p);
            if (p->snd_una != p->snd_max && synchronized(p->state)) {
                /* resend what was too big, without a congestion signal */
                p->snd_nxt = p->snd_una;
                output(p);
            }
        }
    }
}

/* ---- Stack and application API ------------------------------------------ */

int tcp_stack_init(struct tcp_stack *st, const struct tcp_cfg *cfg, void *oq,
                   size_t oq_size)
{
    memset(st, 0, sizeof *st);
    if (!cfg->random)
        return MOTE_EINVAL;
    st->cfg = *cfg;
    struct tcp_cfg *c = &st->cfg;
    if (!c->mss)
        c->mss = 1460;
    if (c->mss < 88)
        return MOTE_EINVAL;
    if (!c->seg_max)
        c->seg_max = c->mss;
    if (!c->rto_min)
        c->rto_min = 200 * NS_PER_MS;
    if (!c->rto_max)
        c->rto_max = 60 * NS_PER_S;
    if (!c->rto_init)
        c->rto_init = NS_PER_S;
    if (!c->delack)
        c->delack = 40 * NS_PER_MS;
    if (!c->msl)
        c->msl = 30 * NS_PER_S;
    if (!c->keep_idle)
        c->keep_idle = 7200 * NS_PER_S;
    if (!c->keep_intvl)
        c->keep_intvl = 75 * NS_PER_S;
    if (!c->keep_cnt)
        c->keep_cnt = 9;
    if (!c->retries)
        c->retries = 12;
    if (!c->syn_retries)
        c->syn_retries = 6;
    if (c->gso_max && !c->csum_partial)
        return MOTE_EINVAL;
    st->slot_size = entry_size(TCP_HDR_MAX + c->seg_max);
    if (c->gso_max && gso_cap(c) > c->seg_max)
        st->slot_size = entry_size(TCP_HDR_MAX + gso_cap(c));
    if (oq_size < st->slot_size || ((uintptr_t)oq & 7))
        return MOTE_EINVAL;
    st->oq = oq;
    st->oq_size = oq_size & ~(size_t)7;
    st->hash = st->hash0;
    st->hash_mask = TCP_HASH_SIZE - 1;
    c->random(c->ctx, st->isn_key, sizeof st->isn_key);
    c->random(c->ctx, st->cookie_key, sizeof st->cookie_key);
    c->random(c->ctx, st->hash_key, sizeof st->hash_key);
    return 0;
}

void tcp_stack_release(struct tcp_stack *st)
{
    while (st->active) {
        struct tcp_pcb *p = st->active;
        table_del(p);
        p->state = TCP_CLOSED;
        if (p->from_pool && !p->accepted)
            p->state = TCP_NONE;
        else if (p->released) {
            p->state = TCP_NONE;
            p->qnext = st->dead;
            st->dead = p;
        }
    }
    flush_dead(st);
    st->pool = NULL;
    st->n_pool = 0;
    st->listeners = NULL;
    memset(st->isn_key, 0, sizeof st->isn_key);
    memset(st->cookie_key, 0, sizeof st->cookie_key);
}

void tcp_stack_rehash(struct tcp_stack *st, struct tcp_pcb **buckets,
                      unsigned n)
{
    struct tcp_pcb **old = st->hash;
    unsigned old_n = st->hash_mask + 1;
    for (unsigned i = 0; i < n; i++)
        buckets[i] = NULL;
    st->hash = buckets;
    st->hash_mask = n - 1;
    for (unsigned i = 0; i < old_n; i++) {
        struct tcp_pcb *next;
        for (struct tcp_pcb *p = old[i]; p; p = next) {
            next = p->hnext;
            unsigned h =
                tuple_hash(st, &p->laddr, p->lport, &p->raddr, p->rport);
            p->hnext = buckets[h];
            buckets[h] = p;
        }
    }
}

int tcp_connect(struct tcp_stack *st, struct tcp_pcb *pcb, uint64_t now,
                const struct mote_ipaddr *laddr, uint16_t lport,
                const struct mote_ipaddr *raddr, uint16_t rport)
{
    st->now = now;
    if (!rport || laddr->family != raddr->family ||
        (raddr->family != MOTE_IP_V4 && raddr->family != MOTE_IP_V6) ||
        !pcb->scap || !pcb->rcap)
        return MOTE_EINVAL;
    pcb->stack = st;
    pcb_clear(pcb);
    pcb->laddr = *laddr;
    pcb->raddr = *raddr;
    memset(pcb->laddr.zone, 0, sizeof pcb->laddr.zone);
    memset(pcb->raddr.zone, 0, sizeof pcb->raddr.zone);
    pcb->rport = rport;
    if (lport) {
        if (lookup(st, &pcb->laddr, lport, &pcb->raddr, rport))
            return MOTE_EADDRINUSE;
        pcb->lport = lport;
    } else {
        for (int i = 0; i < 64 && !pcb->lport; i++) {
            uint16_t r;
            st->cfg.random(st->cfg.ctx, &r, sizeof r);
            uint16_t port = (uint16_t)(49152 + r % 16384);
            if (!lookup(st, &pcb->laddr, port, &pcb->raddr, rport))
                pcb->lport = port;
        }
        if (!pcb->lport)
            return MOTE_EADDRINUSE;
    }
    pcb_start(pcb);
    /* offer everything in the SYN; take_syn_options trims to the answer */
    pcb->ws_ok = !st->cfg.no_wscale;
    pcb->sack_ok = !st->cfg.no_sack;
    pcb->ts_ok = !st->cfg.no_timestamps;
    if (!pcb->ws_ok)
        pcb->rcv_wscale = 0;
    set_iss(pcb, make_isn(st, pcb));
    pcb->state = TCP_SYN_SENT;
    cc_init(pcb);
    table_add(pcb);
    output(pcb);
    return 0;
}

int tcp_listen(struct tcp_stack *st, struct tcp_listener *lst,
               const struct mote_ipaddr *addr, uint16_t port, unsigned backlog)
{
    if (!port)
        return MOTE_EINVAL;
    for (struct tcp_listener *l = st->listeners; l; l = l->next)
        if (l->port == port && l->addr.family == addr->family &&
            memcmp(l->addr.bytes, addr->bytes, 16) == 0)
            return MOTE_EADDRINUSE;
    void *user = lst->user;
    memset(lst, 0, sizeof *lst);
    lst->user = user;
    lst->addr = *addr;
    memset(lst->addr.zone, 0, sizeof lst->addr.zone);
    lst->port = port;
    lst->backlog = backlog ? backlog : 128;
    lst->next = st->listeners;
    st->listeners = lst;
    return 0;
}

void tcp_unlisten(struct tcp_stack *st, struct tcp_listener *lst, uint64_t now)
{
    st->now = now;
    for (struct tcp_listener **pp = &st->listeners; *pp; pp = &(*pp)->next)
        if (*pp == lst) {
            *pp = lst->next;
            break;
        }
    /* reset queued and half-open connections of this listener */
    struct tcp_pcb *next;
    for (struct tcp_pcb *p = st->active; p; p = next) {
        next = p->anext;
        if (p->listener == lst && p->from_pool && !p->accepted) {
            emit(p, p->snd_nxt, TCP_RST | TCP_ACK, 0);
            finish(p);
        }
    }
    lst->acc_head = lst->acc_tail = NULL;
    lst->n_accept = lst->n_synrcvd = 0;
    flush_dead(st);
}

struct tcp_pcb *tcp_accept(struct tcp_listener *lst)
{
    struct tcp_pcb *p = lst->acc_head;
    if (!p)
        return NULL;
    lst->acc_head = p->qnext;
    if (!lst->acc_head)
        lst->acc_tail = NULL;
    p->qnext = NULL;
    lst->n_accept--;
    p->accepted = true;
    p->listener = NULL;
    return p;
}

static bool can_send(const struct tcp_pcb *pcb)
{
    if (pcb->error || pcb->fin_queued || pcb->released)
        return false;
    switch (pcb->state) {
    case TCP_SYN_SENT:
    case TCP_SYN_RCVD:
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT:
        return true;
    default:
        return false;
    }
}

size_t tcp_send_space(const struct tcp_pcb *pcb)
{
    return can_send(pcb) ? pcb->scap - pcb->slen : 0;
}

size_t tcp_send_pending(const struct tcp_pcb *pcb)
{
    return pcb->slen;
}

uint32_t tcp_send_want(const struct tcp_pcb *pcb)
{
    if (pcb->slen < pcb->scap || !can_send(pcb) || pcb->in_recovery ||
        pcb->rto_recovery || pcb->state == TCP_SYN_SENT ||
        pcb->state == TCP_SYN_RCVD)
        return pcb->scap;
    /* full: room for two windows' worth? */
    uint64_t two = 2 * (uint64_t)min32(pcb->cwnd, pcb->snd_wnd);
    uint64_t want = pcb->scap;
    while (want < two && want < (1u << 30))
        want *= 2;
    return (uint32_t)want;
}

int tcp_send_resize(struct tcp_pcb *pcb, uint8_t *buf, uint32_t cap)
{
    if (cap < pcb->slen || !cap)
        return MOTE_EINVAL;
    uint32_t first = min32(pcb->slen, pcb->scap - pcb->shead);
    memcpy(buf, pcb->sbuf + pcb->shead, first);
    memcpy(buf + first, pcb->sbuf, pcb->slen - first);
    pcb->sbuf = buf;
    pcb->scap = cap;
    pcb->shead = 0;
    return 0;
}

uint8_t *tcp_send_buf(struct tcp_pcb *pcb, size_t *len)
{
    *len = 0;
    if (!can_send(pcb) || pcb->slen == pcb->scap)
        return NULL;
    uint32_t tail = (pcb->shead + pcb->slen) % pcb->scap;
    uint32_t n = (pcb->slen == 0 || tail >= pcb->shead) ? pcb->scap - tail
                                                        : pcb->shead - tail;
    if (n > pcb->scap - pcb->slen)
        n = pcb->scap - pcb->slen;
    *len = n;
    return pcb->sbuf + tail;
}

void tcp_send_ack(struct tcp_pcb *pcb, uint64_t now, size_t n)
{
    pcb->stack->now = now;
    if (!can_send(pcb) || n > pcb->scap - pcb->slen)
        return;
    pcb->slen += (uint32_t)n;
    output(pcb);
}

const uint8_t *tcp_recv_buf(struct tcp_pcb *pcb, size_t *len)
{
    *len = min32(pcb->rlen, pcb->rcap - pcb->rhead);
    return *len ? pcb->rbuf + pcb->rhead : NULL;
}

void tcp_recv_ack(struct tcp_pcb *pcb, uint64_t now, size_t n)
{
    pcb->stack->now = now;
    if (n > pcb->rlen)
        n = pcb->rlen;
    pcb->rhead = (uint32_t)((pcb->rhead + n) % pcb->rcap);
    pcb->rlen -= (uint32_t)n;
    rcv_space_adjust(pcb, now, n);
    if (!synchronized(pcb->state) || pcb->fin_rcvd)
        return;
    /* Receiver SWS avoidance (3.8.6.2.2): announce a larger window only
     * when it grew by a segment or half the buffer. */
    uint32_t right =
        pcb->rcv_nxt + ((uint32_t)wnd_field(pcb, false) << pcb->rcv_wscale);
    uint32_t grow = tcp_seq_gt(right, pcb->rcv_adv) ? right - pcb->rcv_adv : 0;
    if (grow >= min32(pcb->rcap / 2, 2 * (uint32_t)pcb->rmss)) {
        pcb->ack_now = true;
        output(pcb);
    }
}

uint32_t tcp_recv_want(const struct tcp_pcb *pcb)
{
    if (!synchronized(pcb->state) || pcb->fin_rcvd)
        return pcb->rcap;
    return pcb->rcv_want > pcb->rcap ? pcb->rcv_want : pcb->rcap;
}

int tcp_recv_resize(struct tcp_pcb *pcb, uint64_t now, uint8_t *buf,
                    uint32_t cap)
{
    if (cap <= pcb->rcap || cap > (1u << 30))
        return MOTE_EINVAL;
    pcb->stack->now = now;
    /* everything held: in-order unread bytes, then out-of-order ranges at
     * their offsets from rcv_nxt */
    uint32_t span = pcb->rlen;
    for (unsigned i = 0; i < pcb->n_ooo; i++) {
        uint32_t e = pcb->rlen + (pcb->ooo[i].end - pcb->rcv_nxt);
        if (e > span)
            span = e;
    }
    if (span > pcb->rcap)
        span = pcb->rcap;
    uint32_t first = min32(span, pcb->rcap - pcb->rhead);
    memcpy(buf, pcb->rbuf + pcb->rhead, first);
    memcpy(buf + first, pcb->rbuf, span - first);
    pcb->rbuf = buf;
    pcb->rcap = cap;
    pcb->rhead = 0;
    if (pcb->rmax < cap)
        pcb->rmax = cap;
    if (pcb->rcv_want <= cap)
        pcb->rcv_want = 0;
    if (synchronized(pcb->state) && !pcb->fin_rcvd) {
        uint32_t right =
            pcb->rcv_nxt + ((uint32_t)wnd_field(pcb, false) << pcb->rcv_wscale);
        uint32_t grow =
            tcp_seq_gt(right, pcb->rcv_adv) ? right - pcb->rcv_adv : 0;
        if (grow >= min32(pcb->rcap / 2, 2 * (uint32_t)pcb->rmss)) {
            pcb->ack_now = true;
            output(pcb);
        }
    }
    return 0;
}

bool tcp_recv_eof(const struct tcp_pcb *pcb)
{
    return pcb->fin_rcvd && pcb->rlen == 0;
}

int tcp_shutdown(struct tcp_pcb *pcb, uint64_t now)
{
    pcb->stack->now = now;
    if (pcb->error)
        return pcb->error;
    if (pcb->fin_queued)
        return 0;
    switch (pcb->state) {
    case TCP_SYN_SENT:
    case TCP_SYN_RCVD:
        pcb->fin_queued = true; /* sent once established (3.10.4) */
        return 0;
    case TCP_ESTABLISHED:
        pcb->state = TCP_FIN_WAIT_1;
        break;
    case TCP_CLOSE_WAIT:
        pcb->state = TCP_LAST_ACK;
        break;
    default:
        return MOTE_ENOTSUP;
    }
    pcb->fin_queued = true;
    output(pcb);
    return 0;
}

void tcp_abort(struct tcp_pcb *pcb, uint64_t now)
{
    struct tcp_stack *st = pcb->stack;
    st->now = now;
    pcb->released = true;
    if (pcb->state == TCP_NONE) {
        notify(pcb, TCP_EV_FREE);
        return;
    }
    if (pcb->state != TCP_CLOSED && pcb->state != TCP_SYN_SENT &&
        pcb->state != TCP_TIME_WAIT)
        emit(pcb, pcb->snd_nxt, TCP_RST | TCP_ACK, 0);
    if (!pcb->error)
        pcb->error = MOTE_ECLOSED;
    finish(pcb);
    flush_dead(st);
}

void tcp_close(struct tcp_pcb *pcb, uint64_t now)
{
    struct tcp_stack *st = pcb->stack;
    st->now = now;
    switch (pcb->state) {
    case TCP_NONE:
    case TCP_CLOSED:
    case TCP_SYN_SENT:
        tcp_abort(pcb, now);
        return;
    case TCP_SYN_RCVD:
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT:
        if (pcb->rlen) {
            tcp_abort(pcb, now);
            return;
        }
        tcp_shutdown(pcb, now);
        break;
    case TCP_FIN_WAIT_2:
        set_timer(pcb, &pcb->t_wait, now + 2 * st->cfg.msl);
        break;
    default:
        break;
    }
    pcb->released = true;
    flush_dead(st);
}

void tcp_set_nodelay(struct tcp_pcb *pcb, uint64_t now, bool on)
{
    pcb->stack->now = now;
    pcb->nodelay = on;
    if (on)
        output(pcb);
}

void tcp_set_keepalive(struct tcp_pcb *pcb, uint64_t now, bool on)
{
    pcb->keepalive = on;
    pcb->nkeep = 0;
    set_timer(pcb, &pcb->t_keep,
              on && synchronized(pcb->state) && pcb->state != TCP_TIME_WAIT
                  ? now + pcb->stack->cfg.keep_idle
                  : 0);
}

void tcp_set_cc(struct tcp_pcb *pcb, enum tcp_cc cc)
{
    pcb->cc = cc == TCP_CC_DEFAULT ? TCP_CC_NEWRENO : cc;
}

const char *tcp_state_name(enum tcp_state s)
{
    static const char *const names[] = {
        "NONE",        "CLOSED",     "SYN_SENT",   "SYN_RCVD",
        "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT",
        "CLOSING",     "LAST_ACK",   "TIME_WAIT"};
    if ((unsigned)s >= sizeof names / sizeof names[0])
        return "?";
    return names[s];
}

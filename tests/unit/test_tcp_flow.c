/* TCP through the direct stack on fibers: two stacks wired back to back. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/mote.h>
#include <mote/net.h>

#include "tap.h"

/*
 * Two struct mote_net, A (10.0.0.1, fd00::1) and B (10.0.0.2, fd00::2),
 * joined by an in-memory Ethernet: send_frame copies the frame onto a
 * queue and a "wire" fiber hands it to the other stack, and runs both
 * stacks' timers. Connections are opened through the mote_stack face
 * (mote_tcp_listen/connect), so this exercises tcp_flow.c, the engine,
 * and the IP layers under them, with real fibers and the real clock.
 *
 * With `offload` set, both stacks are told their device takes checksum
 * and segmentation offloads: frames needing them come through send_gso,
 * whose descriptor is checked against the frame (gso_bad counts
 * mismatches), and the wire hands them to the other stack as a virtio
 * device with receive offloads would: the super-frame whole, flagged
 * (mote_net_input_gso), its checksum partial.
 */

struct frame {
    struct frame *next;
    int to;
    size_t len;
    struct mote_net_gso gso;
    uint8_t data[];
};

static bool offload;
static unsigned long gso_bad, gso_frames, partial_frames;
static uint8_t saved_partial[1600]; /* a small partial-checksum frame */
static size_t saved_len;

static struct mote_net *net[2];
static struct frame *fq_head, *fq_tail;
static struct mote_waitq wire_q = MOTE_WAITQ_INIT;
static bool wire_stop;
static unsigned drop_every; /* drop every Nth frame (0: none) */
static unsigned long frames;

static int queue_frame(void *ctx, const uint8_t *f, size_t len,
                       const struct mote_net_gso *gso)
{
    int from = (int)(intptr_t)ctx;
    frames++;
    if (drop_every && frames % drop_every == 0)
        return 0;
    struct frame *fr = malloc(sizeof *fr + len);
    if (!fr)
        return MOTE_ENOMEM;
    fr->next = NULL;
    fr->to = !from;
    fr->len = len;
    memset(&fr->gso, 0, sizeof fr->gso);
    if (gso)
        fr->gso = *gso;
    memcpy(fr->data, f, len);
    if (fq_tail)
        fq_tail->next = fr;
    else
        fq_head = fr;
    fq_tail = fr;
    mote_wake_one(&wire_q);
    return 0;
}

static int send_frame(void *ctx, const uint8_t *f, size_t len)
{
    if (len > 1514)
        gso_bad++; /* a plain frame over the MTU */
    return queue_frame(ctx, f, len, NULL);
}

static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return s;
}

/* Check a descriptor against its frame as a device would need it. */
static bool gso_ok(const uint8_t *f, size_t len, const struct mote_net_gso *g)
{
    if (len < 14 + 40 || !(g->flags & MOTE_NET_GSO_F_NEEDS_CSUM))
        return false;
    uint16_t type = (uint16_t)(f[12] << 8 | f[13]);
    bool v4 = type == 0x0800;
    if (!v4 && type != 0x86dd)
        return false;
    size_t l3 = v4 ? 20 : 40;
    const uint8_t *ip = f + 14, *tcp = f + 14 + l3;
    if ((v4 ? ip[9] : ip[6]) != 6 || g->csum_start != 14 + l3 ||
        g->csum_offset != 16 || g->hdr_len != 14 + l3 + (tcp[12] >> 4) * 4 ||
        g->hdr_len > len)
        return false;
    size_t iplen =
        v4 ? (size_t)(ip[2] << 8 | ip[3]) : (size_t)(ip[4] << 8 | ip[5]) + 40;
    if (iplen != len - 14)
        return false;
    /* the field holds the pseudo-header sum over the whole TCP length */
    size_t tlen = len - 14 - l3;
    uint32_t ps = sum16(0, ip + (v4 ? 12 : 8), v4 ? 8 : 32);
    uint8_t t[4] = {(uint8_t)(tlen >> 8), (uint8_t)tlen, 0, 6};
    ps = sum16(ps, t, 4);
    if (tlen >> 16)
        ps = sum16(ps, (const uint8_t[]){0, (uint8_t)(tlen >> 16)}, 2);
    if ((uint16_t)ps != (uint16_t)(tcp[16] << 8 | tcp[17]))
        return false;
    if (g->gso_type == MOTE_NET_GSO_NONE)
        return len <= 1514;
    if (g->gso_type != (v4 ? MOTE_NET_GSO_TCPV4 : MOTE_NET_GSO_TCPV6) ||
        !g->gso_size || g->hdr_len - 14 + g->gso_size > 1500)
        return false;
    /* only runs of full segments are sent as one */
    size_t plen = len - g->hdr_len;
    return plen > g->gso_size && plen % g->gso_size == 0 && len <= 65535 + 14;
}

static int send_gso(void *ctx, const uint8_t *f, size_t len,
                    const struct mote_net_gso *g)
{
    if (!gso_ok(f, len, g))
        gso_bad++;
    partial_frames++;
    if (g->gso_type != MOTE_NET_GSO_NONE)
        gso_frames++;
    else if (!saved_len && len <= sizeof saved_partial) {
        memcpy(saved_partial, f, len);
        saved_len = len;
    }
    return queue_frame(ctx, f, len, g);
}

static void rnd(void *ctx, void *buf, size_t n)
{
    (void)ctx;
    mote_platform_entropy(buf, n);
}

static void wire(void *arg)
{
    (void)arg;
    while (!wire_stop) {
        while (fq_head) {
            struct frame *f = fq_head;
            fq_head = f->next;
            if (!fq_head)
                fq_tail = NULL;
            if (net[f->to])
                mote_net_input_gso(net[f->to], mote_now(), f->data, f->len,
                                   &f->gso);
            free(f);
        }
        uint64_t d = MOTE_FOREVER;
        for (int i = 0; i < 2; i++) {
            if (!net[i])
                continue;
            uint64_t now = mote_now();
            if (mote_net_deadline(net[i]) <= now)
                mote_net_tick(net[i], now);
            uint64_t x = mote_net_deadline(net[i]);
            if (x < d)
                d = x;
        }
        if (fq_head)
            continue;
        if (mote_wait(&wire_q, d) == MOTE_ECANCELED)
            break;
    }
}

static struct mote_fiber *wire_fiber;

static void nets_up(void)
{
    for (int i = 0; i < 2; i++) {
        struct mote_net_config c;
        memset(&c, 0, sizeof c);
        uint8_t mac[6] = {0x02, 0, 0, 0, 0, (uint8_t)(i + 1)};
        memcpy(c.mac.bytes, mac, 6);
        c.send_frame = send_frame;
        c.send_ctx = (void *)(intptr_t)i;
        if (offload) {
            c.send_gso = send_gso;
            c.offloads = MOTE_NET_OFFLOAD_CSUM | MOTE_NET_OFFLOAD_TSO4 |
                         MOTE_NET_OFFLOAD_TSO6;
        }
        c.random = rnd;
        c.ipv4.addr = mote_ipaddr_v4(10, 0, 0, (uint8_t)(i + 1));
        c.ipv4.len = 24;
        uint8_t v6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        v6[15] = (uint8_t)(i + 1);
        c.ipv6[0].addr = mote_ipaddr_from_v6_bytes(v6);
        c.ipv6[0].len = 64;
        c.ipv6_count = 1;
        c.no_dad = true;
        c.no_slaac = true;
        int err = mote_net_new(&c, mote_now(), &net[i]);
        if (err) {
            printf("# mote_net_new: %s\n", mote_strerror(err));
            exit(1);
        }
    }
    wire_stop = false;
    mote_fiber_spawn(wire, NULL, 0, &wire_fiber);
}

static void nets_down(void)
{
    wire_stop = true;
    mote_fiber_cancel(wire_fiber);
    mote_fiber_join(wire_fiber);
    while (fq_head) {
        struct frame *f = fq_head;
        fq_head = f->next;
        free(f);
    }
    fq_tail = NULL;
    for (int i = 0; i < 2; i++) {
        mote_net_free(net[i]);
        net[i] = NULL;
    }
}

/* ---- An echo server on B and a client on A ------------------------------ */

struct echo {
    struct mote_listener *l;
    int conns;
    int err;
};

static void echo_conn(void *arg)
{
    struct mote_flow *f = arg;
    uint8_t buf[8192];
    /* a stalled connection fails the test instead of hanging it */
    uint64_t d = mote_deadline_in(60 * MOTE_NS_PER_SEC);
    mote_flow_set_deadlines(f, d, d);
    for (;;) {
        size_t n;
        if (mote_flow_read(f, buf, sizeof buf, &n) != 0 || n == 0)
            break;
        if (mote_flow_write(f, buf, n) != 0)
            break;
    }
    mote_flow_shutdown(f);
    mote_flow_close(f);
}

static void echo_server(void *arg)
{
    struct echo *e = arg;
    for (int i = 0; i < e->conns; i++) {
        struct mote_flow *f;
        struct mote_endpoint peer;
        int err = mote_tcp_accept(e->l, mote_deadline_in(10 * MOTE_NS_PER_SEC),
                                  &f, &peer);
        if (err) {
            e->err = err;
            return;
        }
        mote_fiber_spawn(echo_conn, f, 0, NULL);
    }
}

static uint8_t pattern(size_t i)
{
    return (uint8_t)(i * 131 + (i >> 11));
}

struct client {
    struct mote_endpoint to;
    size_t bytes;
    int err;
    size_t got;
    size_t bad;
};

static void writer(void *arg)
{
    void **a = arg;
    struct mote_flow *f = a[0];
    struct client *c = a[1];
    uint8_t buf[10000];
    size_t off = 0;
    while (off < c->bytes) {
        size_t n = c->bytes - off < sizeof buf ? c->bytes - off : sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = pattern(off + i);
        if (mote_flow_write(f, buf, n) != 0)
            break;
        off += n;
    }
    mote_flow_shutdown(f);
}

static void client(void *arg)
{
    struct client *c = arg;
    struct mote_flow *f;
    c->err = mote_tcp_connect(mote_net_stack(net[0]), &c->to,
                              mote_deadline_in(10 * MOTE_NS_PER_SEC), &f);
    if (c->err)
        return;
    uint64_t d = mote_deadline_in(60 * MOTE_NS_PER_SEC);
    mote_flow_set_deadlines(f, d, d); /* fail, never hang */
    void *wa[2] = {f, c};
    struct mote_fiber *w;
    mote_fiber_spawn(writer, wa, 0, &w);
    uint8_t buf[16384];
    for (;;) {
        size_t n;
        int err = mote_flow_read(f, buf, sizeof buf, &n);
        if (err) {
            c->err = err;
            break;
        }
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++)
            if (buf[i] != pattern(c->got + i))
                c->bad++;
        c->got += n;
    }
    mote_fiber_join(w);
    mote_flow_close(f);
}

static void run_echo(const char *name, struct mote_ipaddr addr, int nconn,
                     size_t bytes)
{
    struct mote_endpoint local = {.addr = addr, .port = 7};
    struct echo e = {.conns = nconn};
    int err = mote_tcp_listen(mote_net_stack(net[1]), &local, 16, &e.l);
    is_int(err, 0, "%s: listen", name);
    if (err)
        return;
    struct mote_fiber *srv;
    mote_fiber_spawn(echo_server, &e, 0, &srv);
    struct client *cs = calloc((size_t)nconn, sizeof *cs);
    struct mote_fiber **fs = calloc((size_t)nconn, sizeof *fs);
    for (int i = 0; i < nconn; i++) {
        cs[i].to = local;
        cs[i].bytes = bytes;
        mote_fiber_spawn(client, &cs[i], 0, &fs[i]);
    }
    int fails = 0, badbytes = 0;
    for (int i = 0; i < nconn; i++) {
        mote_fiber_join(fs[i]);
        if (cs[i].err || cs[i].got != bytes) {
            if (!fails)
                printf("# conn %d: %s, %zu of %zu bytes\n", i,
                       mote_strerror(cs[i].err), cs[i].got, bytes);
            fails++;
        }
        if (cs[i].bad)
            badbytes++;
    }
    mote_fiber_join(srv);
    is_int(e.err, 0, "%s: server accepted all", name);
    is_int(fails, 0, "%s: %d connections echoed %zu bytes each", name, nconn,
           bytes);
    is_int(badbytes, 0, "%s: every byte right", name);
    mote_listener_close(e.l);
    free(cs);
    free(fs);
}

static void test_echo_v4(void)
{
    nets_up();
    run_echo("ipv4", mote_ipaddr_v4(10, 0, 0, 2), 1, 2 << 20);
    run_echo("ipv4 x8", mote_ipaddr_v4(10, 0, 0, 2), 8, 256 << 10);
    nets_down();
}

static void test_echo_v6(void)
{
    nets_up();
    uint8_t v6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    run_echo("ipv6", mote_ipaddr_from_v6_bytes(v6), 1, 1 << 20);
    nets_down();
}

static void test_echo_lossy(void)
{
    nets_up();
    drop_every = 50; /* 2% of frames, both ways */
    run_echo("ipv4 lossy", mote_ipaddr_v4(10, 0, 0, 2), 2, 512 << 10);
    drop_every = 0;
    nets_down();
}

/* Both stacks with send offloads, the wire passing super-frames whole to
 * a stack reading with receive offloads: echo over IPv4 and IPv6, with
 * every descriptor checked, then the receive side's rule for partial
 * checksums (taken on the device's word only). */
static void test_echo_offload(void)
{
    offload = true;
    gso_bad = gso_frames = partial_frames = saved_len = 0;
    nets_up();
    run_echo("offload ipv4", mote_ipaddr_v4(10, 0, 0, 2), 2, 2 << 20);
    uint8_t v6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    run_echo("offload ipv6", mote_ipaddr_from_v6_bytes(v6), 1, 1 << 20);
    struct mote_stack_stats s[2];
    mote_net_stats(net[0], &s[0]);
    mote_net_stats(net[1], &s[1]);
    is_int(gso_bad, 0, "every offload descriptor matches its frame");
    ok(gso_frames > 0 && s[0].gso_tx > 0 && s[1].gso_tx > 0,
       "super-frames sent both ways (%lu; A %llu, B %llu)", gso_frames,
       (unsigned long long)s[0].gso_tx, (unsigned long long)s[1].gso_tx);
    ok(s[0].gso_rx == s[1].gso_tx && s[1].gso_rx == s[0].gso_tx,
       "and taken whole by the other side");
    ok(s[0].csum_partial_tx + s[1].csum_partial_tx == partial_frames &&
           s[0].csum_trusted_rx + s[1].csum_trusted_rx == partial_frames,
       "%lu frames with partial checksums, all trusted on the device's word",
       partial_frames);
    is_int(s[0].drops[MOTE_NET_DROP_CHECKSUM] +
               s[1].drops[MOTE_NET_DROP_CHECKSUM],
           0, "no checksum drops");
    ok(saved_len > 0, "a small partial-checksum frame kept (%zu bytes)",
       saved_len);
    uint64_t before = s[1].drops[MOTE_NET_DROP_CHECKSUM];
    mote_net_input(net[1], mote_now(), saved_partial, saved_len);
    mote_net_stats(net[1], &s[1]);
    is_int(s[1].drops[MOTE_NET_DROP_CHECKSUM] - before, 1,
           "the same frame without the device's word: a checksum drop");
    nets_down();
    offload = false;
}

static void test_refused(void)
{
    nets_up();
    struct mote_endpoint to = {.addr = mote_ipaddr_v4(10, 0, 0, 2), .port = 9};
    struct mote_flow *f;
    int err = mote_tcp_connect(mote_net_stack(net[0]), &to,
                               mote_deadline_in(5 * MOTE_NS_PER_SEC), &f);
    is_int(err, MOTE_ECONNREFUSED, "closed port: ECONNREFUSED");
    nets_down();
}

int mote_main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_refused);
    TAP_CASE(test_echo_v4);
    TAP_CASE(test_echo_v6);
    TAP_CASE(test_echo_lossy);
    TAP_CASE(test_echo_offload);
    return tap_done();
}

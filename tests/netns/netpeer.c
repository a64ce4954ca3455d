/* A Mote program for the netns harness: UDP echo on the configured stack. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/core.h>
#include <mote/error.h>
#include <mote/net.h>
#include <mote/platform.h>
#include <mote/stack.h>

/*
 * Usage: netpeer [--port=N] [--bulk] plus the stack options (--net=direct
 * --tap=NAME
 * --ipv4=... --ipv6=... --dhcp ...), which the core takes.
 *
 * Echoes every UDP datagram on port N (default 7) back to its sender, over
 * IPv4 and IPv6, and every TCP connection's bytes on the same port. With
 * --bulk, TCP port 9 also discards what it gets and TCP port 19 sends an
 * endless pattern (the bulk ends of bench/net_tcp.sh; without it, port 9
 * is the tests' closed port). A datagram
 * "STATS" is answered with the direct stack's counters as "name=value" lines
 * instead, and "ADDRS" with its usable addresses, and "PING ADDR SIZE" makes
 * the stack ping ADDR (the answer is "rtt_us=N" or "error=NAME"), so the
 * harness can check what the stack counted, learnt and reaches. Prints
 * "netpeer: ready" on stderr once the socket is open.
 */

static struct mote_net *net_of(struct mote_stack *s)
{
    /* The direct stack's mote_stack is the first member of its core. */
    return strcmp(s->name, "direct") == 0 ? (struct mote_net *)s : NULL;
}

/* TCP echo (RFC 862) on the same port, counted for the harness. */
static uint64_t tcp_accepted;    /* connections accepted */
static uint64_t tcp_resets_seen; /* connections that ended by a reset */

static void tcp_serve(void *arg)
{
    struct mote_flow *f = arg;
    uint8_t buf[16384]; /* per fiber: a write may block mid-echo */
    int err;
    for (;;) {
        size_t n;
        err = mote_flow_read(f, buf, sizeof(buf), &n);
        if (err || n == 0)
            break;
        err = mote_flow_write(f, buf, n);
        if (err)
            break;
    }
    if (err == MOTE_ECONNRESET)
        tcp_resets_seen++;
    if (!err)
        mote_flow_shutdown(f);
    mote_flow_close(f);
}

/* Discard (RFC 863) and an endless source (like chargen, RFC 864, but a
 * fixed pattern): the bulk-throughput ends for bench/net_tcp.sh. */
static void tcp_discard(void *arg)
{
    struct mote_flow *f = arg;
    static uint8_t buf[65536];
    size_t n;
    while (mote_flow_read(f, buf, sizeof(buf), &n) == 0 && n)
        ;
    mote_flow_shutdown(f);
    mote_flow_close(f);
}

static void tcp_source(void *arg)
{
    struct mote_flow *f = arg;
    static uint8_t buf[65536];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)('a' + i % 26);
    while (mote_flow_write(f, buf, sizeof(buf)) == 0)
        ;
    mote_flow_close(f);
}

static void tcp_acceptor(void *arg)
{
    struct mote_listener *l = arg;
    void (*serve)(void *) = tcp_serve;
    struct mote_endpoint local;
    if (mote_listener_local(l, &local) == 0 && local.port == 9)
        serve = tcp_discard;
    else if (mote_listener_local(l, &local) == 0 && local.port == 19)
        serve = tcp_source;
    for (;;) {
        struct mote_flow *f;
        int err = mote_tcp_accept(l, MOTE_FOREVER, &f, NULL);
        if (err == MOTE_ECANCELED || err == MOTE_ECLOSED)
            return;
        if (err) {
            mote_sleep(10 * MOTE_NS_PER_MS);
            continue;
        }
        tcp_accepted++;
        if (mote_fiber_spawn(serve, f, 64 * 1024, NULL) != 0)
            mote_flow_close(f);
    }
}

static size_t print_stats(struct mote_net *n, char *out, size_t size)
{
    struct mote_stack_stats st;
    mote_net_stats(n, &st);
    size_t o = 0;
#define P(name, v)                                                             \
    o += (size_t)snprintf(out + o, o < size ? size - o : 0, "%s=%llu\n", name, \
                          (unsigned long long)(v))
    P("rx_frames", st.rx_frames);
    P("tx_frames", st.tx_frames);
    P("ipv4_rx", st.ipv4_rx);
    P("ipv6_rx", st.ipv6_rx);
    P("icmp_rx", st.icmp_rx);
    P("icmp_tx", st.icmp_tx);
    P("udp_rx", st.udp_rx);
    P("udp_tx", st.udp_tx);
    P("frag_tx", st.frag_tx);
    P("reass_ok", st.reass_ok);
    P("tcp_rst_tx", st.tcp_rst_tx);
    P("dhcp_leases", st.dhcp_leases);
    P("tcp_rx", st.tcp_rx);
    P("tcp_tx", st.tcp_tx);
    P("tcp_retransmits", st.tcp_retransmits);
    P("tcp_challenge_acks", st.tcp_challenge_acks);
    P("tcp_paws_drops", st.tcp_paws_drops);
    P("tcp_cookies_sent", st.tcp_cookies_sent);
    P("tcp_cookies_ok", st.tcp_cookies_ok);
    P("tcp_syn_drops", st.tcp_syn_drops);
    P("tcp_conns", st.tcp_conns);
    P("tcp_conn_mem", st.tcp_conn_mem);
    P("gso_tx", st.gso_tx);
    P("gso_tx_bytes", st.gso_tx_bytes);
    P("gso_rx", st.gso_rx);
    P("gso_rx_bytes", st.gso_rx_bytes);
    P("csum_partial_tx", st.csum_partial_tx);
    P("csum_trusted_rx", st.csum_trusted_rx);
    P("tcp_accepted", tcp_accepted);
    P("tcp_resets_seen", tcp_resets_seen);
    for (int d = 1; d < MOTE_NET_DROP_COUNT; d++) {
        char name[40];
        snprintf(name, sizeof(name), "drop_%s",
                 mote_net_drop_name((enum mote_net_drop)d));
        P(name, st.drops[d]);
    }
#undef P
    return o < size ? o : size - 1;
}

static size_t print_addrs(struct mote_net *n, char *out, size_t size)
{
    struct mote_ipprefix a[16];
    size_t k = mote_net_addresses(n, a, 16), o = 0;
    for (size_t i = 0; i < k && i < 16 && o + MOTE_IPADDR_STRLEN + 1 < size;
         i++) {
        int w = mote_ipprefix_print(&a[i], out + o, size - o);
        if (w < 0)
            break;
        o += (size_t)w;
        out[o++] = '\n';
    }
    return o;
}

/* SIGTERM ends the program through exit(), so the platform's exit hooks
 * run (the unix TAP turns its receive offloads back off: the harness
 * reuses the TAP for other programs, which read plain frames). */
static void on_term(void *arg)
{
    mote_handle h = *(mote_handle *)arg;
    for (;;) {
        uint64_t n;
        if (mote_platform_signal_read(h, &n) == 0)
            mote_platform_exit(0);
        if (mote_wait_device(h, MOTE_FOREVER) == MOTE_ECANCELED)
            return;
    }
}

int mote_main(int argc, char **argv)
{
    unsigned port = 7;
    bool bulk = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--bulk") == 0) {
            bulk = true;
            continue;
        }
        if (sscanf(argv[i], "--port=%u", &port) != 1 || port > 65535) {
            fprintf(stderr, "netpeer: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    static mote_handle term;
    if (mote_platform_signal_acquire(MOTE_SIGNAL_TERM, &term) == 0)
        mote_fiber_spawn(on_term, &term, 0, NULL);
    struct mote_stack *s = mote_stack_default();
    struct mote_endpoint ep = {.port = (uint16_t)port};
    struct mote_udp *u;
    int err = mote_udp_open(s, &ep, &u);
    if (err) {
        fprintf(stderr, "netpeer: udp_open: %s\n", mote_strerror(err));
        return 1;
    }
    const uint16_t tports[3] = {(uint16_t)port, 9, 19};
    for (int i = 0; i < (bulk ? 3 : 1); i++) {
        struct mote_endpoint te = {.port = tports[i]};
        struct mote_listener *tl;
        if (i > 0 && tports[i] == port)
            continue;
        err = mote_tcp_listen(s, &te, 1024, &tl);
        if (!err)
            err = mote_fiber_spawn(tcp_acceptor, tl, 0, NULL);
        if (err) {
            fprintf(stderr, "netpeer: tcp_listen :%u: %s\n", tports[i],
                    mote_strerror(err));
            return 1;
        }
    }
    fprintf(stderr, "netpeer: ready (stack %s, udp and tcp port %u)\n", s->name,
            port);
    static uint8_t buf[65536];
    static char text[4096];
    for (;;) {
        size_t n;
        struct mote_endpoint from;
        err = mote_udp_recvfrom(u, buf, sizeof(buf), &n, &from, MOTE_FOREVER);
        if (err) {
            fprintf(stderr, "netpeer: recvfrom: %s\n", mote_strerror(err));
            return 1;
        }
        struct mote_net *net = net_of(s);
        const void *reply = buf;
        size_t rlen = n;
        if (net && n == 5 && memcmp(buf, "STATS", 5) == 0) {
            rlen = print_stats(net, text, sizeof(text));
            reply = text;
        } else if (net && n > 5 && n < 100 && memcmp(buf, "PING ", 5) == 0) {
            /* "PING ADDR SIZE": the stack pings ADDR, answers with the
             * round trip in microseconds or the error's name. */
            char arg[100];
            memcpy(arg, buf + 5, n - 5);
            arg[n - 5] = 0;
            char *sp = strchr(arg, ' ');
            size_t size = sp ? strtoul(sp + 1, NULL, 10) : 56;
            struct mote_ipaddr dst;
            uint64_t rtt = 0;
            err = mote_ipaddr_parse(arg, sp ? (size_t)(sp - arg) : strlen(arg),
                                    &dst);
            if (!err)
                err =
                    mote_net_ping(net, &dst, size,
                                  mote_deadline_in(2 * MOTE_NS_PER_SEC), &rtt);
            if (err)
                rlen = (size_t)snprintf(text, sizeof(text), "error=%s\n",
                                        mote_errname(err));
            else
                rlen = (size_t)snprintf(text, sizeof(text), "rtt_us=%llu\n",
                                        (unsigned long long)(rtt / 1000));
            reply = text;
        } else if (net && n == 5 && memcmp(buf, "ADDRS", 5) == 0) {
            rlen = print_addrs(net, text, sizeof(text));
            reply = text;
        }
        err = mote_udp_sendto(u, reply, rlen, &from);
        if (err && err != MOTE_EAGAIN)
            fprintf(stderr, "netpeer: sendto: %s\n", mote_strerror(err));
    }
}

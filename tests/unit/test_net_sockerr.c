/* mote_udp_take_error on the socket stack: ICMP errors about datagrams
 * sent from an unconnected socket are kept for take_error (IP_RECVERR)
 * and never fail recvfrom or sendto. Loopback only: the kernel answers a
 * datagram to a closed port with port unreachable. */
#include <string.h>

#include <mote/mote.h>

#include "tap.h"

/* A port nothing listens on: bound, noted, closed again. */
static uint16_t closed_port(struct mote_stack *st, const char *bind)
{
    struct mote_endpoint e;
    mote_endpoint_parse(bind, strlen(bind), &e);
    struct mote_udp *u;
    if (mote_udp_open(st, &e, &u) != 0)
        return 0;
    struct mote_endpoint l;
    mote_udp_local(u, &l);
    mote_udp_close(u);
    return l.port;
}

static void refused(const char *bind, const char *to_host)
{
    struct mote_stack *st = mote_stack_default();
    struct mote_endpoint eb, to;
    mote_endpoint_parse(bind, strlen(bind), &eb);
    char tb[64];
    snprintf(tb, sizeof tb, "%s:0", to_host);
    mote_endpoint_parse(tb, strlen(tb), &to);
    to.port = closed_port(st, tb);
    ok(to.port != 0, "%s -> %s: a closed port (%u)", bind, to_host, to.port);
    struct mote_udp *u;
    if (mote_udp_open(st, &eb, &u) != 0) {
        ok(0, "%s: open", bind);
        return;
    }
    struct mote_endpoint about;
    is_int(mote_udp_take_error(u, &about), 0, "%s: no error yet", bind);
    is_int(mote_udp_sendto(u, "x", 1, &to), 0, "%s: sendto", bind);
    /* the error arrives while we wait; recvfrom must not report it */
    char buf[8];
    size_t n;
    is_int(mote_udp_recvfrom(u, buf, sizeof buf, &n, NULL,
                             mote_deadline_in(50 * MOTE_NS_PER_MS)),
           MOTE_ETIMEDOUT, "%s: recvfrom times out, the ICMP error kept", bind);
    is_int(mote_udp_sendto(u, "y", 1, &to), 0,
           "%s: sendto again succeeds (the error is not its)", bind);
    mote_udp_recvfrom(u, buf, sizeof buf, &n, NULL,
                      mote_deadline_in(50 * MOTE_NS_PER_MS));
    memset(&about, 0, sizeof about);
    is_int(mote_udp_take_error(u, &about), MOTE_ECONNREFUSED,
           "%s: take_error: port unreachable", bind);
    ok(about.port == to.port && mote_ipaddr_equal(&about.addr, &to.addr),
       "%s: about the datagram's destination (port %u)", bind, about.port);
    is_int(mote_udp_take_error(u, NULL), 0, "%s: taken: cleared", bind);
    mote_udp_close(u);
}

static void test_udp_take_error(void)
{
    refused("127.0.0.1:0", "127.0.0.1");
    refused("[::1]:0", "[::1]");
    refused("*:0", "127.0.0.1"); /* dual-stack socket, IPv4 error */
    refused("*:0", "[::1]");
}

int mote_main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_udp_take_error);
    return tap_done();
}

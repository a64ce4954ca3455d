/* spt without a direct stack: mote_stack_default() refuses everything. */
#include <stddef.h>

#include <mote/error.h>
#include <mote/stack.h>

#include "spt_int.h"

/*
 * A guest has no host sockets; its only TCP/IP is the direct stack (src/net)
 * over a network device the tender hands in (netstack_direct.c). mk/spt.mk
 * builds this file instead when src/net does not define mote_net_attach(),
 * so apps still link and report "not supported" rather than failing to
 * build.
 */

static int no_listen(struct mote_stack *s, const struct mote_endpoint *local,
                     int backlog, struct mote_listener **out)
{
    (void)s, (void)local, (void)backlog, (void)out;
    return MOTE_ENOTSUP;
}

static int no_connect(struct mote_stack *s, const struct mote_endpoint *remote,
                      uint64_t deadline, struct mote_flow **out)
{
    (void)s, (void)remote, (void)deadline, (void)out;
    return MOTE_ENOTSUP;
}

static int no_udp(struct mote_stack *s, const struct mote_endpoint *local,
                  struct mote_udp **out)
{
    (void)s, (void)local, (void)out;
    return MOTE_ENOTSUP;
}

static const struct mote_stack_ops none_ops = {
    .tcp_listen = no_listen,
    .tcp_connect = no_connect,
    .udp_open = no_udp,
};

static struct mote_stack none_stack = {.ops = &none_ops, .name = "none"};

struct mote_stack *mote_stack_default(void)
{
    return &none_stack;
}

const char *spt__net_options(const char *cmdline)
{
    return cmdline; /* no stack options to take */
}

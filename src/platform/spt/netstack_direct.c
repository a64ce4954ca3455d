/* spt: mote_stack_default() is the direct stack over the tender's TAP. */
#include <stdlib.h>
#include <string.h>

#include <mote/core.h>
#include <mote/error.h>
#include <mote/net.h>
#include <mote/stack.h>

#include "spt_int.h"

/*
 * The stack is built on first use, on the network device called "service"
 * (the name mote.conf files give the app's stack; `mote run` passes
 * --net:service=TAP), or else on the only network device the tender gave.
 * Its configuration comes from the command line: spt__net_options() takes
 * every argument mote_net_config_arg() recognises (--ipv4=ADDR/LEN,
 * --ipv4-gateway=, --dhcp, --ipv6=, --no-slaac, --mtu= ...) out of it
 * before the application sees it; arguments after "--" are left alone.
 *
 * If the stack cannot be built (no network device, bad configuration) every
 * operation fails with that error, so the app reports it where it first
 * uses the network.
 */

static struct mote_net_config cfg;
static struct mote_stack *stack;
static int attach_err;

static int fail_listen(struct mote_stack *s, const struct mote_endpoint *local,
                       int backlog, struct mote_listener **out)
{
    (void)s, (void)local, (void)backlog, (void)out;
    return attach_err;
}

static int fail_connect(struct mote_stack *s,
                        const struct mote_endpoint *remote, uint64_t deadline,
                        struct mote_flow **out)
{
    (void)s, (void)remote, (void)deadline, (void)out;
    return attach_err;
}

static int fail_udp(struct mote_stack *s, const struct mote_endpoint *local,
                    struct mote_udp **out)
{
    (void)s, (void)local, (void)out;
    return attach_err;
}

static const struct mote_stack_ops fail_ops = {
    .tcp_listen = fail_listen,
    .tcp_connect = fail_connect,
    .udp_open = fail_udp,
};
static struct mote_stack fail_stack = {.ops = &fail_ops, .name = "direct"};

static const char *device_name(void)
{
    const char *only = NULL;
    int nnet = 0;
    for (uint32_t i = 0; i < spt__boot->ndevices; i++) {
        const struct spt_device *d = &spt__boot->dev[i];
        if (d->kind != SPT_DEV_NET)
            continue;
        if (strcmp(d->name, "service") == 0)
            return d->name;
        only = d->name;
        nnet++;
    }
    return nnet == 1 ? only : "service";
}

struct mote_stack *mote_stack_default(void)
{
    if (stack)
        return stack;
    struct mote_net *net;
    attach_err = mote_net_attach(device_name(), &cfg, &net);
    stack = attach_err ? &fail_stack : mote_net_stack(net);
    return stack;
}

/* Append s to out (room for the worst case is reserved by the caller),
 * escaped so mote_cmdline_split() gives it back unchanged. */
static size_t quote(char *out, const char *s)
{
    size_t n = 0;
    if (!*s) {
        out[n++] = '\'';
        out[n++] = '\'';
    }
    for (; *s; s++) {
        if (strchr(" \t\n'\"\\", *s))
            out[n++] = '\\';
        out[n++] = *s;
    }
    return n;
}

const char *spt__net_options(const char *cmdline)
{
    size_t len = strlen(cmdline);
    int max = (int)(len / 2 + 2);
    char *buf = malloc(len + 1);
    char **argv = malloc(((size_t)max + 1) * sizeof(*argv));
    char *out = malloc(2 * len + 2 * (size_t)max + 1);
    if (!buf || !argv || !out)
        goto keep;
    int argc = mote_cmdline_split(cmdline, buf, len + 1, argv, max);
    if (argc < 0)
        goto keep; /* mote_boot reports the malformed line */
    size_t n = 0;
    bool app_only = false;
    for (int i = 0; i < argc; i++) {
        if (i > 0 && !app_only) {
            if (strcmp(argv[i], "--") == 0)
                app_only = true;
            int r = mote_net_config_arg(&cfg, argv[i]);
            if (r == 1)
                continue;
            if (r < 0) {
                spt__console_str("spt: bad network option '");
                spt__console_str(argv[i]);
                spt__console_str("': ");
                spt__console_str(mote_strerror(r));
                spt__console_str("\n");
                mote_platform_exit(2);
            }
        }
        if (n)
            out[n++] = ' ';
        n += quote(out + n, argv[i]);
    }
    out[n] = 0;
    free(argv);
    free(buf);
    return out; /* kept for the life of the program, as the ABI says */
keep:
    free(out);
    free(argv);
    free(buf);
    return cmdline;
}

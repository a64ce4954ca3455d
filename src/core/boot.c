/* mote_boot: from the platform's command line to the application's main. */
#include <stdlib.h>
#include <string.h>

#include <mote/core.h>
#include <mote/error.h>
#include <mote/log.h>
#include <mote/platform.h>

#include "core_int.h"

static void console(const char *a, const char *b, const char *c)
{
    mote_platform_console_write(a, strlen(a));
    mote_platform_console_write(b, strlen(b));
    mote_platform_console_write(c, strlen(c));
}

int mote_cmdline_split(const char *cmdline, char *buf, size_t size, char **argv,
                       int max)
{
    const char *p = cmdline;
    size_t used = 0;
    int argc = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (*p == 0)
            break;
        if (argc == max)
            return MOTE_ENOSPC;
        argv[argc++] = buf + used;
        char quote = 0;
        for (; *p; p++) {
            char c = *p;
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                    continue;
                }
            } else if (c == '\\') {
                if (!p[1])
                    return MOTE_EINVAL;
                c = *++p;
            } else if (quote == '"' && c == '"') {
                quote = 0;
                continue;
            } else if (!quote && (c == '\'' || c == '"')) {
                quote = c;
                continue;
            } else if (!quote && (c == ' ' || c == '\t' || c == '\n')) {
                break;
            }
            if (used + 1 >= size)
                return MOTE_ENOSPC;
            buf[used++] = c;
        }
        if (quote)
            return MOTE_EINVAL;
        if (used >= size)
            return MOTE_ENOSPC;
        buf[used++] = 0;
    }
    argv[argc] = NULL;
    return argc;
}

/* Network options: taken off the command line (the application never sees
 * them) and kept for the stack selection, see mote_boot_net_args(). */
static const char *const net_opts[] = {
    "--net=",        "--tap=",
    "--ipv4=",       "--ipv4-gateway=",
    "--ipv6=",       "--ipv6-gateway=",
    "--dhcp",        "--no-slaac",
    "--no-ipv6",     "--mtu=",
    "--tcp-sndbuf=", "--tcp-rcvbuf=",
    "--no-offload",  NULL,
};
#define NET_ARGS_MAX 32
static const char *net_args[NET_ARGS_MAX + 1];

const char *const *mote_boot_net_args(void)
{
    return net_args;
}

static bool is_net_opt(const char *a)
{
    for (int i = 0; net_opts[i]; i++) {
        size_t n = strlen(net_opts[i]);
        if (strncmp(a, net_opts[i], n) == 0 &&
            (net_opts[i][n - 1] == '=' || a[n] == 0))
            return true;
    }
    return false;
}

/* Remove the core's own options from argv (in place); returns the new argc
 * or a negative error after telling the operator which option was bad. */
static int take_core_options(int argc, char **argv)
{
    int out = argc > 0 ? 1 : 0;
    int nnet = 0;
    for (int i = out; i < argc; i++) {
        const char *a = argv[i];
        if (is_net_opt(a)) {
            if (nnet == NET_ARGS_MAX) {
                console("mote: too many network options", "", "\n");
                return MOTE_EINVAL;
            }
            net_args[nnet++] = a; /* argv's text lives until boot ends */
            continue;
        }
        if (strncmp(a, "--log=", 6) == 0) {
            const char *bad = NULL;
            if (mote_log_configure(a + 6, &bad) != 0) {
                console("mote: bad --log setting near '", bad ? bad : a + 6,
                        "' (want SOURCE:LEVEL,...; levels none error warn "
                        "info debug trace)\n");
                return MOTE_EINVAL;
            }
            continue;
        }
        if (strcmp(a, "--") == 0) {
            /* Everything after "--" belongs to the application. */
            for (; i < argc; i++)
                argv[out++] = argv[i];
            break;
        }
        argv[out++] = argv[i];
    }
    argv[out] = NULL;
    return out;
}

int mote_boot(const struct mote_boot_info *info)
{
    size_t len = strlen(info->cmdline);
    /* At most one argument per two bytes of text, plus argv[0]. */
    int max = (int)(len / 2 + 2);
    char *buf = malloc(len + 1);
    char **argv = malloc(((size_t)max + 1) * sizeof(*argv));
    int status = 2;
    if (!buf || !argv) {
        console("mote: ", "out of memory splitting the command line", "\n");
        goto out;
    }
    int argc = mote_cmdline_split(info->cmdline, buf, len + 1, argv, max);
    if (argc < 0) {
        console("mote: malformed command line: ", mote_strerror(argc),
                " (unterminated quote or trailing backslash)\n");
        goto out;
    }
    argc = take_core_options(argc, argv);
    if (argc < 0)
        goto out;
    status = core__boot_run(argc, argv);
    if (status < 0 && status >= MOTE_ERROR_MIN) {
        console("mote: cannot start: ", mote_strerror(status), "\n");
        status = 2;
    }
out:
    free(argv);
    free(buf);
    return status;
}

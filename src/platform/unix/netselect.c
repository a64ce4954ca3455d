/* Stack selection on unix: --net=socket (default) or --net=direct --tap=. */
#include <stdio.h>
#include <string.h>

#include <mote/core.h>
#include <mote/error.h>
#include <mote/net.h>
#include <mote/platform.h>

#include "unix_int.h"

/*
 * The core takes the network options off the command line before the
 * application sees them (mote_boot_net_args()). The first call to
 * mote_stack_default() reads them: --net=direct attaches the direct stack
 * to the TAP named by --tap= and configures it from the other options;
 * --net=socket, or no --net at all, keeps the host's socket stack. A bad
 * option ends the program with a message naming it, as a daemon should
 * before it serves.
 */

static _Noreturn void die(const char *what, const char *arg, int err)
{
    char msg[256];
    int n = snprintf(msg, sizeof(msg), "mote: %s '%s'%s%s\n", what, arg,
                     err ? ": " : "", err ? mote_strerror(err) : "");
    if (n > 0)
        mote_platform_console_write(
            msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
    mote_exit(2);
}

struct mote_stack *unix__stack_select(void)
{
    static bool done;
    static struct mote_stack *chosen;
    if (done)
        return chosen;
    done = true;
    const char *const *args = mote_boot_net_args();
    const char *net = "socket", *tap = NULL;
    struct mote_net_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    for (size_t i = 0; args[i]; i++) {
        const char *a = args[i];
        if (strncmp(a, "--net=", 6) == 0) {
            net = a + 6;
            continue;
        }
        if (strncmp(a, "--tap=", 6) == 0) {
            tap = a + 6;
            continue;
        }
        int r = mote_net_config_arg(&cfg, a);
        if (r < 0)
            die("bad network option", a, r);
        if (r == 0)
            die("unknown network option", a, 0);
    }
    if (strcmp(net, "socket") == 0) {
        if (tap)
            die("--tap needs --net=direct, not", net, 0);
        return NULL;
    }
    if (strcmp(net, "direct") != 0)
        die("unknown stack (want --net=socket or --net=direct)", net, 0);
    if (!tap || !*tap)
        die("--net=direct needs --tap=NAME", net, 0);
    if (cfg.dhcp && cfg.ipv4.addr.family != MOTE_IP_NONE)
        die("--dhcp and a static address exclude each other:", "--ipv4", 0);
    struct mote_net *n;
    int err = mote_net_attach(tap, &cfg, &n);
    if (err)
        die("cannot attach the direct stack to", tap, err);
    chosen = mote_net_stack(n);
    return chosen;
}

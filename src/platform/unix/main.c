/* The unix program entry: argv and environment to a boot command line. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <mote/platform.h>

#include "unix_int.h"

/* Append s to out, quoted so that mote_cmdline_split gives s back. */
static char *append_arg(char *out, const char *s)
{
    *out++ = '\'';
    for (; *s; s++) {
        if (*s == '\'') {
            /* Close the quote, emit an escaped quote, reopen. */
            memcpy(out, "'\\''", 4);
            out += 4;
        } else {
            *out++ = *s;
        }
    }
    *out++ = '\'';
    *out++ = ' ';
    return out;
}

int main(int argc, char **argv)
{
    /* Descriptors are the socket stack's connections: allow as many as the
     * hard limit lets an unprivileged process have. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    /* Writes to a closed peer return EPIPE instead of killing us. */
    signal(SIGPIPE, SIG_IGN);
#if !defined(__SANITIZE_ADDRESS__)
    /* (ASan has its own, better report.) */
    unix__install_crash_handler();
#endif

    const char *log = getenv("MOTE_LOG");
    size_t size = 64 + (log ? 4 * strlen(log) + 16 : 0);
    for (int i = 0; i < argc; i++)
        size += 4 * strlen(argv[i]) + 3;
    char *cmdline = malloc(size);
    if (!cmdline) {
        fputs("mote: out of memory building the command line\n", stderr);
        return 2;
    }
    char *p = cmdline;
    p = append_arg(p, argc > 0 ? argv[0] : "mote");
    if (log && *log) {
        /* The environment comes before the command line so that an
         * explicit --log= wins. */
        memcpy(p, "--log=", 6);
        p = append_arg(p + 6, log);
    }
    for (int i = 1; i < argc; i++)
        p = append_arg(p, argv[i]);
    *p = 0;

    struct mote_boot_info info = {.cmdline = cmdline};
    int status = mote_boot(&info);
    free(cmdline);
    return status;
}

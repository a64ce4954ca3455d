/* Fatal-signal reporting: say "fiber stack overflow" when that is what it is.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "unix_int.h"

/*
 * A fiber that overflows its stack touches the PROT_NONE guard page below
 * it (mote_platform_stack_alloc). The handler runs on its own stack
 * (sigaltstack: the faulting stack is full), looks the address up in
 * /proc/self/maps with async-signal-safe calls only, prints one line and
 * re-raises the signal with the default action so the exit status and any
 * core dump are the usual ones.
 */

static char altstack[64 * 1024];

static void say(const char *s)
{
    ssize_t r = write(STDERR_FILENO, s, strlen(s));
    (void)r;
}

static void hex(uintptr_t v, char *out)
{
    static const char digits[] = "0123456789abcdef";
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < 16; i++)
        out[2 + i] = digits[(v >> (60 - 4 * i)) & 15];
    out[18] = 0;
}

static uintptr_t parse_hex(const char **p)
{
    uintptr_t v = 0;
    for (;; (*p)++) {
        char c = **p;
        if (c >= '0' && c <= '9')
            v = v * 16 + (uintptr_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = v * 16 + (uintptr_t)(c - 'a' + 10);
        else
            return v;
    }
}

/* True if addr is in a one-page, inaccessible private mapping: a guard. */
static int is_guard_page(uintptr_t addr)
{
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    static char buf[4096];
    size_t have = 0;
    int found = 0;
    for (;;) {
        ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);
        if (n <= 0)
            break;
        have += (size_t)n;
        buf[have] = 0;
        char *line = buf, *nl;
        while ((nl = memchr(line, '\n', have - (size_t)(line - buf)))) {
            const char *p = line;
            uintptr_t lo = parse_hex(&p);
            p++;
            uintptr_t hi = parse_hex(&p);
            p++;
            if (addr >= lo && addr < hi && hi - lo == 4096 &&
                strncmp(p, "---p", 4) == 0)
                found = 1;
            line = nl + 1;
        }
        have -= (size_t)(line - buf);
        memmove(buf, line, have);
    }
    close(fd);
    return found;
}

static void on_fatal(int sig, siginfo_t *info, void *ctx)
{
    (void)ctx;
    char addr[19];
    hex((uintptr_t)info->si_addr, addr);
    if (sig == SIGSEGV && is_guard_page((uintptr_t)info->si_addr)) {
        say("mote: fiber stack overflow (guard page hit at ");
        say(addr);
        say("); give the fiber a larger stack in mote_fiber_spawn\n");
    } else {
        say(sig == SIGSEGV ? "mote: segmentation fault at "
                           : "mote: bus error at ");
        say(addr);
        say("\n");
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

void unix__install_crash_handler(void)
{
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
    if (sigaltstack(&ss, NULL) < 0)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fatal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}

/* mote-spt: name the guest's faults instead of dying silently. */
#define _GNU_SOURCE
#include <err.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tender.h"

/*
 * The handler runs after the seccomp filter is in place, so it may use only
 * what the guest may: write to fd 2 and exit_group. It never returns (that
 * would need rt_sigreturn), and formats by hand (no stdio in a handler).
 */

static uint64_t g_guard, g_stack_low, g_mem_start, g_mem_end;
static uint64_t g_arena, g_slots;
static uint8_t altstack[64 * 1024];

static size_t cat(char *buf, size_t n, const char *s)
{
    size_t l = strlen(s);
    if (n + l > 255)
        l = 255 - n;
    memcpy(buf + n, s, l);
    return n + l;
}

static size_t cat_hex(char *buf, size_t n, uint64_t v)
{
    char h[19] = "0x";
    for (int i = 0; i < 16; i++)
        h[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
    h[18] = 0;
    return cat(buf, n, h);
}

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    uint64_t a = (uint64_t)(uintptr_t)si->si_addr;
    char buf[256];
    size_t n = cat(buf, 0, "mote-spt: guest ");
    n = cat(buf, n,
            sig == SIGSEGV  ? "memory fault"
            : sig == SIGBUS ? "bus error"
            : sig == SIGILL ? "illegal instruction"
                            : "arithmetic fault");
    n = cat(buf, n, " at ");
    n = cat_hex(buf, n, a);
    if (sig == SIGSEGV && si->si_code == SI_KERNEL)
        n = cat(buf, n,
                ": general protection fault (a privileged "
                "instruction, or a non-canonical address)");
    else if (sig == SIGSEGV && a >= g_guard && a < g_stack_low)
        n = cat(buf, n, ": boot stack overflow (hit its guard page)");
    else if (sig == SIGSEGV && a >= g_arena &&
             a < g_arena + g_slots * SPT_SLOT_SIZE &&
             (a - g_arena) % SPT_SLOT_SIZE < SPT_PAGE)
        n = cat(buf, n,
                ": fiber stack overflow (hit the guard page below a fiber "
                "stack; give the fiber a larger stack)");
    else if (sig == SIGSEGV && (a < g_mem_start || a >= g_mem_end))
        n = cat(buf, n, ": outside guest memory");
    else if (sig == SIGSEGV)
        n = cat(buf, n, ": write to read-only or execute of data memory");
    n = cat(buf, n, "\n");
    syscall(SYS_write, 2, buf, n);
    syscall(SYS_exit_group, SPT_EXIT_ABORT);
}

void tender_fault_handler_install(const struct spt_boot_info *boot,
                                  uint64_t guard)
{
    g_guard = guard;
    g_stack_low = boot->stack_low;
    g_mem_start = boot->mem_start;
    g_mem_end = boot->mem_start + boot->mem_size;
    g_arena = boot->stack_arena;
    g_slots = boot->stack_slots;
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
    if (sigaltstack(&ss, NULL) < 0)
        err(1, "sigaltstack");
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigfillset(&sa.sa_mask);
    int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        if (sigaction(sigs[i], &sa, NULL) < 0)
            err(1, "sigaction");
}

/* spt guest internals: raw Linux system calls and shared state. */
#ifndef MOTE_SPT_INT_H
#define MOTE_SPT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "spt_abi.h"

/*
 * IMPLEMENTATION NOTES
 *
 * The guest has no host libc: every host service is one raw system call
 * made with the `syscall` instruction below, and the tender's seccomp filter
 * allows exactly these (docs/spt.md lists them with their pinned
 * arguments):
 *
 *   call            nr   used by
 *   read            0    net_read (TAP fds only)
 *   write           1    console (fds 1, 2), net_write (TAP fds)
 *   pread64         17   block_read (block fds)
 *   pwrite64        18   block_write (block fds)
 *   clock_gettime   228  clocks (MONOTONIC, REALTIME)
 *   exit_group      231  exit, abort
 *   ppoll           271  yield (no signal mask)
 *   getrandom       318  entropy (flags 0)
 *
 * Anything else kills the process with SIGSYS. Numbers are the x86_64
 * ABI's, written out because a freestanding build has no <asm/unistd.h>.
 * A raw call returns -errno on failure.
 */

#define SPT_SYS_read          0
#define SPT_SYS_write         1
#define SPT_SYS_pread64       17
#define SPT_SYS_pwrite64      18
#define SPT_SYS_clock_gettime 228
#define SPT_SYS_exit_group    231
#define SPT_SYS_ppoll         271
#define SPT_SYS_getrandom     318

/* Linux errno values the bindings distinguish. */
#define SPT_EINTR  4
#define SPT_EAGAIN 11

static inline long spt__syscall6(long nr, long a, long b, long c, long d,
                                 long e, long f)
{
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
                       "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

static inline long spt__syscall3(long nr, long a, long b, long c)
{
    return spt__syscall6(nr, a, b, c, 0, 0, 0);
}

/* The boot info, kept for the life of the guest (it lives in guest memory
 * the tender wrote before the jump). */
extern const struct spt_boot_info *spt__boot;

/* The entry point the tender jumps to (ENTRY in spt.lds). */
_Noreturn void spt__start(const struct spt_boot_info *bi);

/* Write size bytes to fd 1 (stdout) or, for any other fd, 2 (stderr). */
void spt__console_fd(int fd, const char *buf, size_t size);

/* Write a whole string to the console (fd 2), ignoring failures. */
void spt__console_str(const char *s);

/* Take the direct stack's options (--ipv4=..., see mote_net_config_arg())
 * out of the guest command line, before "--"; returns the command line the
 * application gets (netstack_direct.c, or unchanged by netstack_none.c).
 * Called once at boot, after the heap is set up. */
const char *spt__net_options(const char *cmdline);

/* Check every fiber stack's canary; on damage, say which and abort. */
void spt__stacks_check(void);

#endif

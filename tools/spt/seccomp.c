/* mote-spt: the seccomp-BPF filter that seals the guest. */
#define _GNU_SOURCE
#include <err.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "tender.h"

/*
 * The filter is a list of independent rules, each "this system call, with
 * these arguments equal to (or at most) these values: allow"; a call that
 * matches no rule kills the whole process (SECCOMP_RET_KILL_PROCESS, seen
 * as SIGSYS). Each rule is one self-contained block whose failed checks
 * jump to the next block, so no jump is longer than a block (classic BPF
 * jumps are 8-bit). A 64-bit argument is compared as two 32-bit halves.
 * docs/spt.md lists the resulting set.
 */

#define MAX_INSNS 1024
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i) (ARG_LO(i) + 4)

enum { ANY = 0, EQ, LE };

struct check {
    int op;       /* ANY, EQ, LE */
    uint64_t val; /* for EQ and LE */
};

static struct sock_filter prog[MAX_INSNS];
static int len;

static void emit(uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
    if (len == MAX_INSNS)
        errx(1, "seccomp filter too long");
    prog[len++] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
}

/* Allow nr when every argument check holds. */
static void rule(int nr, const struct check args[6])
{
    int start = len;
    /* Count this block's instructions first so failed checks can jump to
     * its end: 2 (nr) + per EQ/LE arg 4 + 1 (allow). */
    int n = 2 + 1;
    for (int i = 0; i < 6; i++)
        n += args[i].op == ANY ? 0 : 4;
    if (n > 255)
        errx(1, "seccomp rule too long");
#define TO_END (uint8_t)(start + n - len - 1)
    emit(BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
    emit(BPF_JMP | BPF_JEQ | BPF_K, 0, TO_END, (uint32_t)nr);
    for (int i = 0; i < 6; i++) {
        uint32_t lo = (uint32_t)args[i].val, hi = (uint32_t)(args[i].val >> 32);
        if (args[i].op == ANY)
            continue;
        /* High half equal in both forms (values here fit in 32 bits, so
         * LE needs no carry from the high half). */
        emit(BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)ARG_HI(i));
        emit(BPF_JMP | BPF_JEQ | BPF_K, 0, TO_END, hi);
        emit(BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)ARG_LO(i));
        if (args[i].op == EQ)
            emit(BPF_JMP | BPF_JEQ | BPF_K, 0, TO_END, lo);
        else /* a <= lo  <=>  !(a > lo) */
            emit(BPF_JMP | BPF_JGT | BPF_K, TO_END, 0, lo);
    }
    emit(BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
#undef TO_END
    if (len != start + n)
        errx(1, "seccomp rule miscounted"); /* a bug here, not in the guest */
}

static void allow_fd(int nr, int fd)
{
    struct check a[6] = {{EQ, (uint64_t)(uint32_t)fd}};
    rule(nr, a);
}

void tender_seccomp_install(const struct spt_boot_info *boot)
{
    len = 0;
    /* Only the x86_64 ABI; x32 numbers (bit 30) are refused as well. */
    emit(BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, arch));
    emit(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, AUDIT_ARCH_X86_64);
    emit(BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
    emit(BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
    emit(BPF_JMP | BPF_JGE | BPF_K, 0, 1, 0x40000000u);
    emit(BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);

    /* The console. */
    allow_fd(SYS_write, 1);
    allow_fd(SYS_write, 2);
    uint64_t nnet = 0;
    for (uint32_t i = 0; i < boot->ndevices; i++) {
        const struct spt_device *d = &boot->dev[i];
        if (d->kind == SPT_DEV_NET) {
            allow_fd(SYS_read, d->fd);
            allow_fd(SYS_write, d->fd);
            nnet++;
        } else {
            allow_fd(SYS_pread64, d->fd);
            allow_fd(SYS_pwrite64, d->fd);
        }
    }
    struct check mono[6] = {{EQ, CLOCK_MONOTONIC}};
    struct check real[6] = {{EQ, CLOCK_REALTIME}};
    rule(SYS_clock_gettime, mono);
    rule(SYS_clock_gettime, real);
    /* ppoll(fds, nfds, timeout, sigmask, sigsetsize): at most one entry per
     * network device and no signal mask. The descriptors inside fds cannot
     * be pinned (BPF sees no memory); polling another fd only reveals its
     * readiness, it moves no data. */
    struct check poll[6] = {{ANY, 0}, {LE, nnet}, {ANY, 0}, {EQ, 0}};
    rule(SYS_ppoll, poll);
    struct check rnd[6] = {{ANY, 0}, {ANY, 0}, {EQ, 0}};
    rule(SYS_getrandom, rnd);
    struct check none[6] = {{ANY, 0}};
    rule(SYS_exit_group, none);
    emit(BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);

    struct sock_fprog fprog = {.len = (unsigned short)len, .filter = prog};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        err(1, "prctl(PR_SET_NO_NEW_PRIVS)");
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0)
        err(1, "installing the seccomp filter");
}

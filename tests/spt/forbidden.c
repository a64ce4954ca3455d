/* spt test guest: make one system call the sandbox must refuse (SIGSYS). */
#include <stdio.h>
#include <string.h>

#include <mote/mote.h>

/* A raw call, as a compromised guest would make it: the bindings never
 * make these, so only the tender's seccomp filter stands in the way. */
static long raw6(long nr, long a, long b, long c, long d, long e, long f)
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

int mote_main(int argc, char **argv)
{
    static char buf[64];
    static const char *const execve_argv[] = {"/bin/sh", NULL};
    if (argc != 2) {
        fprintf(stderr, "usage: forbidden CALL\n");
        return 2;
    }
    const char *c = argv[1];
    long r;
    printf("trying %s\n", c);
    if (strcmp(c, "open") == 0)
        r = raw6(2, (long)"/etc/passwd", 0, 0, 0, 0, 0);
    else if (strcmp(c, "socket") == 0)
        r = raw6(41, 2, 1, 0, 0, 0, 0);
    else if (strcmp(c, "execve") == 0)
        r = raw6(59, (long)"/bin/sh", (long)execve_argv, 0, 0, 0, 0);
    else if (strcmp(c, "mmap") == 0)
        r = raw6(9, 0, 4096, 3, 0x22, -1, 0);
    else if (strcmp(c, "mprotect") == 0) /* make our own text writable */
        r = raw6(10, 0x100000, 4096, 7, 0, 0, 0);
    else if (strcmp(c, "write-stdin") == 0) /* write, but not a console fd */
        r = raw6(1, 0, (long)"x", 1, 0, 0, 0);
    else if (strcmp(c, "read-stdin") == 0) /* read, but not a device fd */
        r = raw6(0, 0, (long)buf, sizeof(buf), 0, 0, 0);
    else if (strcmp(c, "write-fd-high") == 0) /* fd 2 + (1 << 32) */
        r = raw6(1, 0x100000002l, (long)"x", 1, 0, 0, 0);
    else if (strcmp(c, "clock-cputime") == 0) /* clock_gettime, other clock */
        r = raw6(228, 2, (long)buf, 0, 0, 0, 0);
    else if (strcmp(c, "getrandom-flags") == 0) /* GRND_RANDOM */
        r = raw6(318, (long)buf, 16, 2, 0, 0, 0);
    else if (strcmp(c, "ppoll-sigmask") == 0)
        r = raw6(271, 0, 0, (long)buf, (long)buf, 8, 0);
    else if (strcmp(c, "x32") == 0) /* write through the x32 ABI */
        r = raw6(0x40000001l, 2, (long)"x", 1, 0, 0, 0);
    else if (strcmp(c, "allowed") == 0) /* control: getrandom, flags 0 */
        r = raw6(318, (long)buf, 16, 0, 0, 0, 0);
    else {
        fprintf(stderr, "forbidden: unknown call '%s'\n", c);
        return 2;
    }
    printf("survived %s: returned %ld\n", c, r);
    return 0;
}

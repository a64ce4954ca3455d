/* Boot time and peak RSS of the same program as an spt image and on unix. */
#include <errno.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * usage: spt_boot ROUNDS TENDER IMAGE UNIX_PROGRAM
 *
 * Each round runs `TENDER IMAGE` and `UNIX_PROGRAM` once (alternating, so
 * drift hits both). The boot time is from just before posix_spawn() to the
 * first instruction of mote_main (the probe, bench/spt/boot.c, prints the
 * monotonic clock there). The probe then stays up 100 ms and the driver
 * reads its VmRSS from /proc (ru_maxrss would not do: after posix_spawn's
 * vfork it starts at the parent's size). Prints one table row per program:
 * median and 90th percentile of boot time, median resident size.
 */

extern char **environ;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int run_once(char **argv, uint64_t *boot_ns, long *rss_kb)
{
    int p[2];
    if (pipe(p) < 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    pid_t pid;
    uint64_t t0 = now_ns();
    int err = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    if (err) {
        close(p[0]);
        errno = err;
        return -1;
    }
    char buf[256];
    size_t n = 0;
    ssize_t r;
    while (n < sizeof(buf) - 1 && !memchr(buf, '\n', n) &&
           (r = read(p[0], buf + n, sizeof(buf) - 1 - n)) > 0)
        n += (size_t)r;
    buf[n] = 0;
    /* The probe is now asleep after printing: read its resident size. */
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    *rss_kb = -1;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %ld kB", rss_kb) == 1)
            break;
    if (f)
        fclose(f);
    close(p[0]);
    int status;
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    unsigned long long t;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        sscanf(buf, "mote_main at %llu", &t) != 1 || t < t0) {
        fprintf(stderr, "spt_boot: %s: bad run (status %d, output '%s')\n",
                argv[0], status, buf);
        return -1;
    }
    *boot_ns = t - t0;
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t pct(uint64_t *v, int n, int p)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_u64);
    return v[(n - 1) * p / 100];
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: spt_boot ROUNDS TENDER IMAGE UNIX_PROGRAM\n");
        return 2;
    }
    int rounds = atoi(argv[1]);
    if (rounds < 1 || rounds > 10000)
        return 2;
    char *spt[] = {argv[2], argv[3], "100", NULL};
    char *unx[] = {argv[4], "100", NULL};
    uint64_t *boot[2], *rss[2];
    for (int k = 0; k < 2; k++) {
        boot[k] = calloc((size_t)rounds, sizeof(uint64_t));
        rss[k] = calloc((size_t)rounds, sizeof(uint64_t));
        if (!boot[k] || !rss[k])
            return 1;
    }
    for (int i = 0; i < rounds; i++) {
        for (int k = 0; k < 2; k++) {
            long kb;
            if (run_once(k ? unx : spt, &boot[k][i], &kb) != 0) {
                perror("spt_boot");
                return 1;
            }
            rss[k][i] = (uint64_t)kb;
        }
    }
    printf("| program | boot median (us) | boot p90 (us) | RSS running, median "
           "(KiB) |\n|---|---:|---:|---:|\n");
    const char *names[2] = {"spt (mote-spt + image)", "unix"};
    for (int k = 0; k < 2; k++) {
        uint64_t med = pct(boot[k], rounds, 50);
        uint64_t p90 = pct(boot[k], rounds, 90);
        uint64_t r = pct(rss[k], rounds, 50);
        printf("| %s | %.0f | %.0f | %llu |\n", names[k], med / 1e3, p90 / 1e3,
               (unsigned long long)r);
    }
    return 0;
}

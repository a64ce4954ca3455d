/* Benchmark load generator: N ping-pong connections to a TCP echo server. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * A plain C program (it defines main, so libmote's main is not linked in):
 * the load must not depend on the thing being measured.
 *
 * usage: echo_load PORT CONNS WARMUP_MS DURATION_MS [SERVER_PID]
 *
 * Opens CONNS TCP connections to 127.0.0.1:PORT (retrying for a few
 * seconds while the server starts), then on each keeps exactly one MSG-byte
 * message outstanding: send it, read until MSG bytes are back, check every
 * byte against what was sent, send the next (a different pattern each
 * time, so a stale or misrouted echo is caught). One thread, one epoll set,
 * level-triggered, TCP_NODELAY.
 *
 * Round trips completed during the DURATION_MS after WARMUP_MS are counted.
 * Output, "metric value" lines:
 *
 *   rt_per_sec          verified round trips per second, all connections
 *   load_cpu_pct        this process's CPU use over the window (100 = one
 *                       core): near 100 means the load generator, not the
 *                       server, may be the limit
 *   server_cpu_pct      the server's (SERVER_PID's) CPU use, if given
 *   server_ns_per_rt    server CPU time per round trip, if given: its
 *                       efficiency, independent of who was the bottleneck
 *   same_cpu_pct        how often (sampled every 5 ms) the server had last
 *                       run on the CPU this process was running on. With
 *                       one connection the two take turns, and the kernel
 *                       either keeps them on one CPU (cheap wake-ups) or
 *                       puts them on two (each wake-up crosses CPUs, which
 *                       in a VM can cost several times more): the rate
 *                       depends far more on that than on either program.
 *
 * Exits 1 on any verification failure, early close or stall.
 */

#define MSG       64
#define MAX_CONNS 4096
/* How often to look where the server runs (a /proc read, ~10 us). */
#define SAMPLE_NS (5 * 1000000ull)

struct conn {
    int fd;
    uint32_t id;
    uint32_t seq;
    size_t got;
    unsigned char want[MSG], buf[MSG];
};

static uint64_t now_ns(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
    fprintf(stderr, "echo_load: %s\n", what);
    exit(1);
}

/* Fields 3.. of /proc/PID/stat (after "pid (comm) ", where comm may hold
 * spaces), by number: stat_field(buf, 39) is the CPU the task last ran
 * on. Returns -1 if absent. */
static long long stat_field(const char *stat, int field)
{
    const char *p = strrchr(stat, ')');
    if (!p)
        return -1;
    p++;
    for (int i = 3; i <= field; i++) {
        while (*p == ' ')
            p++;
        if (!*p)
            return -1;
        if (i == field)
            return *p == '-' || (*p >= '0' && *p <= '9') ? atoll(p) : -1;
        while (*p && *p != ' ')
            p++;
    }
    return -1;
}

static int read_stat(int pid, char *buf, size_t size)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = 0;
    return n > 0 ? 0 : -1;
}

/* CPU time of another process in ns: /proc/PID/schedstat has it exactly
 * (first field); /proc/PID/stat in clock ticks is the fallback. */
static uint64_t proc_cpu_ns(int pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
    FILE *f = fopen(path, "r");
    unsigned long long ns = 0;
    if (f) {
        int ok = fscanf(f, "%llu", &ns) == 1;
        fclose(f);
        if (ok && ns > 0)
            return ns;
    }
    char stat[1024];
    if (read_stat(pid, stat, sizeof(stat)) < 0)
        return 0;
    long long ut = stat_field(stat, 14), st = stat_field(stat, 15);
    long hz = sysconf(_SC_CLK_TCK);
    if (ut < 0 || st < 0 || hz <= 0)
        return 0;
    return (uint64_t)(ut + st) * (1000000000ull / (uint64_t)hz);
}

/* Whether the server last ran on the CPU this process is on now: -1 if
 * unknown. */
static int same_cpu(int pid)
{
    char stat[1024];
    if (read_stat(pid, stat, sizeof(stat)) < 0)
        return -1;
    long long cpu = stat_field(stat, 39);
    int me = sched_getcpu();
    if (cpu < 0 || me < 0)
        return -1;
    return cpu == me;
}

static void fill(struct conn *c)
{
    /* seq and id in the first bytes, then a pattern that depends on both. */
    memcpy(c->want, &c->seq, 4);
    memcpy(c->want + 4, &c->id, 4);
    for (size_t i = 8; i < MSG; i++)
        c->want[i] = (unsigned char)(c->seq * 131u + c->id * 7u + i);
}

static void send_msg(struct conn *c)
{
    c->seq++;
    fill(c);
    c->got = 0;
    /* The socket's send buffer is empty (one message in flight), so a
     * 64-byte send is taken whole; anything else is a failure. */
    ssize_t k = send(c->fd, c->want, MSG, MSG_NOSIGNAL);
    if (k != MSG) {
        perror("echo_load: send");
        exit(1);
    }
}

static int connect_one(int port, uint64_t give_up)
{
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (;;) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            perror("echo_load: socket");
            exit(1);
        }
        if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
            return fd;
        int e = errno;
        close(fd);
        if (e != ECONNREFUSED || now_ns(CLOCK_MONOTONIC) > give_up) {
            errno = e;
            perror("echo_load: connect");
            exit(1);
        }
        /* The server is still starting. */
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6) {
        fputs("usage: echo_load PORT CONNS WARMUP_MS DURATION_MS "
              "[SERVER_PID]\n",
              stderr);
        return 2;
    }
    int port = atoi(argv[1]);
    int nconns = atoi(argv[2]);
    long warm_ms = atol(argv[3]), dur_ms = atol(argv[4]);
    int spid = argc == 6 ? atoi(argv[5]) : 0;
    if (port <= 0 || port > 65535 || nconns <= 0 || nconns > MAX_CONNS ||
        warm_ms < 0 || dur_ms <= 0) {
        fputs("echo_load: bad arguments\n", stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);

    struct conn *conns = calloc((size_t)nconns, sizeof(*conns));
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (!conns || ep < 0)
        die("out of memory or epoll_create1 failed");
    uint64_t give_up = now_ns(CLOCK_MONOTONIC) + 5 * 1000000000ull;
    for (int i = 0; i < nconns; i++) {
        struct conn *c = &conns[i];
        c->fd = connect_one(port, give_up);
        c->id = (uint32_t)i;
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
            die("epoll_ctl failed");
    }
    /* Non-blocking only once connected, so connect() above can simply
     * block. */
    for (int i = 0; i < nconns; i++) {
        int fl = fcntl(conns[i].fd, F_GETFL);
        if (fl < 0 || fcntl(conns[i].fd, F_SETFL, fl | O_NONBLOCK) < 0)
            die("cannot make a socket non-blocking");
    }
    for (int i = 0; i < nconns; i++)
        send_msg(&conns[i]);

    uint64_t t_begin = now_ns(CLOCK_MONOTONIC);
    uint64_t t_warm = t_begin + (uint64_t)warm_ms * 1000000ull;
    uint64_t t_end = t_warm + (uint64_t)dur_ms * 1000000ull;
    uint64_t count = 0, count0 = 0, t0 = 0, cpu0 = 0, scpu0 = 0;
    uint64_t last_progress = t_begin;
    int measuring = 0;
    /* Placement: every SAMPLE_NS of the window, is the server on our CPU? */
    uint64_t next_sample = 0, samples = 0, together = 0;
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, 100);
        if (n < 0 && errno != EINTR)
            die("epoll_wait failed");
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            ssize_t k = recv(c->fd, c->buf + c->got, MSG - c->got, 0);
            if (k == 0)
                die("the server closed a connection");
            if (k < 0) {
                if (errno == EAGAIN || errno == EINTR)
                    continue;
                perror("echo_load: recv");
                return 1;
            }
            c->got += (size_t)k;
            if (c->got < MSG)
                continue;
            if (memcmp(c->buf, c->want, MSG) != 0) {
                fprintf(stderr,
                        "echo_load: connection %u message %u: "
                        "echoed bytes differ from those sent\n",
                        c->id, c->seq);
                return 1;
            }
            count++;
            send_msg(c);
        }
        uint64_t t = now_ns(CLOCK_MONOTONIC);
        if (n > 0)
            last_progress = t;
        else if (t - last_progress > 5 * 1000000000ull)
            die("no echo for 5 s: server stalled");
        if (!measuring && t >= t_warm) {
            measuring = 1;
            count0 = count;
            t0 = t;
            cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
            scpu0 = spid ? proc_cpu_ns(spid) : 0;
        }
        if (measuring && spid && t >= next_sample) {
            int same = same_cpu(spid);
            if (same >= 0) {
                samples++;
                together += (uint64_t)same;
            }
            next_sample = t + SAMPLE_NS;
        }
        if (measuring && t >= t_end) {
            uint64_t cpu1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
            uint64_t scpu1 = spid ? proc_cpu_ns(spid) : 0;
            double secs = (double)(t - t0) / 1e9;
            double rts = (double)(count - count0);
            printf("rt_per_sec %.0f\n", rts / secs);
            printf("load_cpu_pct %.1f\n",
                   100.0 * (double)(cpu1 - cpu0) / (double)(t - t0));
            if (spid && scpu1 >= scpu0 && scpu0 > 0) {
                printf("server_cpu_pct %.1f\n",
                       100.0 * (double)(scpu1 - scpu0) / (double)(t - t0));
                printf("server_ns_per_rt %.0f\n",
                       rts > 0 ? (double)(scpu1 - scpu0) / rts : 0.0);
            }
            if (samples > 0)
                printf("same_cpu_pct %.0f\n",
                       100.0 * (double)together / (double)samples);
            break;
        }
    }
    for (int i = 0; i < nconns; i++)
        close(conns[i].fd);
    free(conns);
    close(ep);
    return 0;
}

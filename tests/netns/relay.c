/* A lossy link for the netns harness: frames between a TAP and a netdev. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * This kernel has no netem, so the harness makes its own bad link:
 *
 *   kernel stack -- TAP "K" (its IP here) == relay == netdev "M" -- Mote
 *                   (relay holds K's fd)    (AF_PACKET)  (Mote holds M's fd)
 *
 * Every frame either way goes through one seeded random schedule: dropped
 * with probability --loss, sent twice with --dup, held back behind the next
 * frame with --reorder, and delayed by --delay-ms. The seed makes a failing
 * run repeatable. On SIGTERM/SIGINT it prints what it did and exits.
 *
 * Usage: relay --kernel-tap=K --mote-dev=M [--loss=PCT] [--dup=PCT]
 *              [--reorder=PCT] [--delay-ms=N] [--seed=N]
 * (percentages may have decimals: --loss=0.5).
 */

#define MAXFRAME 9100
#define QMAX     4096

struct frame {
    uint64_t due;
    size_t len;
    uint8_t data[MAXFRAME];
};

struct dir {
    const char *name;
    int in, out;     /* descriptors: read from in, write to out */
    bool out_tap;    /* out is the TAP fd (write) or the packet socket */
    struct frame *q; /* FIFO of delayed frames */
    size_t head, n;
    struct frame held; /* a frame held back for reordering */
    bool has_held;
    unsigned long long rx, tx, dropped, duped, reordered;
};

static volatile sig_atomic_t stop;
static void on_signal(int s)
{
    (void)s;
    stop = 1;
}

static uint64_t rng;
static double uniform(void)
{
    /* xorshift64*: fast, seeded, good enough for a loss schedule. */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (double)((rng * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double loss, dup_p, reorder;
static uint64_t delay;
static int pkt_ifindex;

static void emit(struct dir *d, const uint8_t *p, size_t len)
{
    ssize_t r;
    if (d->out_tap) {
        r = write(d->out, p, len);
    } else {
        struct sockaddr_ll to = {.sll_family = AF_PACKET,
                                 .sll_ifindex = pkt_ifindex,
                                 .sll_halen = 6};
        memcpy(to.sll_addr, p, 6);
        r = sendto(d->out, p, len, 0, (struct sockaddr *)&to, sizeof(to));
    }
    if (r == (ssize_t)len)
        d->tx++;
}

static void enqueue(struct dir *d, const uint8_t *p, size_t len)
{
    if (!delay) {
        emit(d, p, len);
        return;
    }
    if (d->n == QMAX) {
        d->dropped++; /* the link's buffer is full */
        return;
    }
    struct frame *f = &d->q[(d->head + d->n) % QMAX];
    f->due = now_ns() + delay;
    f->len = len;
    memcpy(f->data, p, len);
    d->n++;
}

static void pass(struct dir *d, const uint8_t *p, size_t len)
{
    d->rx++;
    if (uniform() < loss) {
        d->dropped++;
        return;
    }
    if (uniform() < reorder && !d->has_held) {
        memcpy(d->held.data, p, len);
        d->held.len = len;
        d->has_held = true;
        d->reordered++;
        return;
    }
    enqueue(d, p, len);
    if (uniform() < dup_p) {
        enqueue(d, p, len);
        d->duped++;
    }
    if (d->has_held) {
        enqueue(d, d->held.data, d->held.len);
        d->has_held = false;
    }
}

static void flush_due(struct dir *d, uint64_t t)
{
    while (d->n && d->q[d->head].due <= t) {
        emit(d, d->q[d->head].data, d->q[d->head].len);
        d->head = (d->head + 1) % QMAX;
        d->n--;
    }
}

static int open_tap(const char *name)
{
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
    if (fd < 0)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int open_packet(const char *name)
{
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
    if (fd < 0)
        return -1;
    pkt_ifindex = (int)if_nametoindex(name);
    struct sockaddr_ll sa = {.sll_family = AF_PACKET,
                             .sll_protocol = htons(ETH_P_ALL),
                             .sll_ifindex = pkt_ifindex};
    if (!pkt_ifindex || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    int big = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
    return fd;
}

/* Read every waiting frame from d->in into the schedule. */
static void drain(struct dir *d, bool from_packet)
{
    static uint8_t buf[MAXFRAME];
    for (;;) {
        ssize_t n;
        if (from_packet) {
            struct sockaddr_ll from;
            socklen_t fl = sizeof(from);
            n = recvfrom(d->in, buf, sizeof(buf), 0, (struct sockaddr *)&from,
                         &fl);
            /* Our own transmissions on M come back as outgoing: skip. */
            if (n > 0 && from.sll_pkttype == PACKET_OUTGOING)
                continue;
        } else {
            n = read(d->in, buf, sizeof(buf));
        }
        if (n <= 0)
            return;
        pass(d, buf, (size_t)n);
    }
}

int main(int argc, char **argv)
{
    const char *ktap = NULL, *mdev = NULL;
    unsigned long long seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strncmp(a, "--kernel-tap=", 13))
            ktap = a + 13;
        else if (!strncmp(a, "--mote-dev=", 11))
            mdev = a + 11;
        else if (!strncmp(a, "--loss=", 7))
            loss = atof(a + 7) / 100;
        else if (!strncmp(a, "--dup=", 6))
            dup_p = atof(a + 6) / 100;
        else if (!strncmp(a, "--reorder=", 10))
            reorder = atof(a + 10) / 100;
        else if (!strncmp(a, "--delay-ms=", 11))
            delay = strtoull(a + 11, NULL, 10) * 1000000ull;
        else if (!strncmp(a, "--seed=", 7))
            seed = strtoull(a + 7, NULL, 10);
        else {
            fprintf(stderr, "relay: unknown option '%s'\n", a);
            return 2;
        }
    }
    if (!ktap || !mdev) {
        fprintf(stderr, "relay: need --kernel-tap= and --mote-dev=\n");
        return 2;
    }
    rng = seed * 0x9e3779b97f4a7c15ull + 1;
    int tap = open_tap(ktap), pkt = open_packet(mdev);
    if (tap < 0 || pkt < 0) {
        fprintf(stderr, "relay: cannot open %s: %s\n", tap < 0 ? ktap : mdev,
                strerror(errno));
        return 1;
    }
    struct dir k2m = {.name = "kernel->mote", .in = tap, .out = pkt},
               m2k = {.name = "mote->kernel",
                      .in = pkt,
                      .out = tap,
                      .out_tap = true};
    k2m.q = calloc(QMAX, sizeof(struct frame));
    m2k.q = calloc(QMAX, sizeof(struct frame));
    if (!k2m.q || !m2k.q)
        return 1;
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    fprintf(stderr, "relay: ready\n");
    while (!stop) {
        int timeout = -1;
        if (k2m.n || m2k.n || k2m.has_held || m2k.has_held)
            timeout = 1;
        struct pollfd p[2] = {{.fd = tap, .events = POLLIN},
                              {.fd = pkt, .events = POLLIN}};
        int r = poll(p, 2, timeout);
        if (r < 0 && errno != EINTR)
            break;
        if (p[0].revents & POLLIN)
            drain(&k2m, false);
        if (p[1].revents & POLLIN)
            drain(&m2k, true);
        uint64_t t = now_ns();
        flush_due(&k2m, t);
        flush_due(&m2k, t);
        /* A held frame with nothing behind it for a while goes anyway. */
        if (r == 0) {
            for (struct dir *d = &k2m; d; d = d == &k2m ? &m2k : NULL)
                if (d->has_held) {
                    enqueue(d, d->held.data, d->held.len);
                    d->has_held = false;
                }
        }
    }
    for (struct dir *d = &k2m; d; d = d == &k2m ? &m2k : NULL)
        fprintf(stderr,
                "relay: %s rx=%llu tx=%llu dropped=%llu duplicated=%llu "
                "reordered=%llu\n",
                d->name, d->rx, d->tx, d->dropped, d->duped, d->reordered);
    return 0;
}

/* The TAP limit for bench/net.sh: the least a program can do to answer. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: net_tapecho TAP IPV4 MAC
 *        net_tapecho TAP IPV4 MAC sink SECONDS
 *        net_tapecho TAP IPV4 MAC source SECONDS DST_IPV4 DST_MAC
 * Blocking reads on the TAP; answers ARP requests for IPV4 and ICMP echo
 * requests to it by editing the frame in place (swap addresses, type 0,
 * adjust the checksum) and writing it back; reflects every UDP datagram to
 * IPV4 (addresses and ports swapped: the checksums stay right). No
 * validation, no stack: the ceiling any stack on this TAP can reach, for
 * the ratios in the reports (bench/net.sh, bench/net_tcp.sh).
 *
 * The one-way limits for bench/net_tcp.sh: "sink" reads and counts every
 * frame for SECONDS (the kernel is the sender: the most frames/s a
 * program can take off the TAP); "source" writes 1514-byte UDP frames
 * from IPV4/MAC to DST for SECONDS as fast as the TAP takes them (the
 * kernel's side counts what it received). Both print
 * "frames_per_s=N gbit_per_s=G" (G over whole frames).
 */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void report(double frames, double bytes, double dt)
{
    printf("frames_per_s=%.0f gbit_per_s=%.3f\n", frames / dt,
           bytes * 8 / dt / 1e9);
}

static int sink(int fd, double secs)
{
    static uint8_t f[9100];
    double frames = 0, bytes = 0, t0 = 0, end = 0;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0) {
            if (t0 && now_s() >= end)
                break;
            continue;
        }
        ssize_t n = read(fd, f, sizeof(f));
        if (n <= 0)
            continue;
        if (!t0) { /* count from the first frame */
            t0 = now_s();
            end = t0 + secs;
        }
        frames++;
        bytes += (double)n;
        if (((long)frames & 1023) == 0 && now_s() >= end)
            break;
    }
    report(frames, bytes, t0 ? now_s() - t0 : 1);
    return 0;
}

static uint16_t csum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static int source(int fd, double secs, const uint8_t *ip, const uint8_t *mac,
                  const uint8_t *dip, const uint8_t *dmac)
{
    static uint8_t f[1514];
    memset(f, 'x', sizeof(f));
    memcpy(f, dmac, 6);
    memcpy(f + 6, mac, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    uint8_t *h = f + 14;
    memset(h, 0, 28);
    h[0] = 0x45;
    h[2] = 1500 >> 8;
    h[3] = 1500 & 255;
    h[8] = 64;
    h[9] = 17;
    memcpy(h + 12, ip, 4);
    memcpy(h + 16, dip, 4);
    uint16_t c = csum(h, 20);
    h[10] = (uint8_t)(c >> 8);
    h[11] = (uint8_t)c;
    h[20] = h[22] = 0; /* UDP port 9 to 9, checksum 0 (none, IPv4) */
    h[21] = h[23] = 9;
    h[24] = 1480 >> 8;
    h[25] = 1480 & 255;
    double frames = 0, t0 = now_s(), end = t0 + secs;
    while (now_s() < end)
        for (int i = 0; i < 256; i++)
            if (write(fd, f, sizeof(f)) == (ssize_t)sizeof(f))
                frames++;
    report(frames, frames * sizeof(f), now_s() - t0);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 6 && argc != 8)
        return 2;
    uint8_t ip[4], mac[6], dip[4], dmac[6];
    if (sscanf(argv[2], "%hhu.%hhu.%hhu.%hhu", &ip[0], &ip[1], &ip[2],
               &ip[3]) != 4 ||
        sscanf(argv[3], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
               &mac[2], &mac[3], &mac[4], &mac[5]) != 6)
        return 2;
    int fd = open("/dev/net/tun", O_RDWR);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
    if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
        perror("net_tapecho");
        return 1;
    }
    fprintf(stderr, "net_tapecho: ready\n");
    if (argc == 6 && strcmp(argv[4], "sink") == 0)
        return sink(fd, atof(argv[5]));
    if (argc == 8 && strcmp(argv[4], "source") == 0) {
        if (inet_pton(AF_INET, argv[6], dip) != 1 ||
            sscanf(argv[7], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &dmac[0], &dmac[1],
                   &dmac[2], &dmac[3], &dmac[4], &dmac[5]) != 6)
            return 2;
        return source(fd, atof(argv[5]), ip, mac, dip, dmac);
    }
    static uint8_t f[9100];
    for (;;) {
        ssize_t n = read(fd, f, sizeof(f));
        if (n < 42)
            continue;
        uint16_t type = (uint16_t)(f[12] << 8 | f[13]);
        if (type == 0x0806 && f[21] == 1 && memcmp(f + 38, ip, 4) == 0) {
            memcpy(f, f + 6, 6);
            memcpy(f + 6, mac, 6);
            f[21] = 2;
            memcpy(f + 32, f + 22, 10); /* target = old sender */
            memcpy(f + 22, mac, 6);
            memcpy(f + 28, ip, 4);
        } else if (type == 0x0800 && f[23] == 1 && memcmp(f + 30, ip, 4) == 0 &&
                   f[14 + (f[14] & 15) * 4] == 8) {
            uint8_t t[6];
            memcpy(t, f, 6);
            memcpy(f, f + 6, 6);
            memcpy(f + 6, t, 6);
            memcpy(f + 30, f + 26, 4);
            memcpy(f + 26, ip, 4);
            uint8_t *ic = f + 14 + (f[14] & 15) * 4;
            ic[0] = 0;
            /* RFC 1624: type 8 -> 0 adds 0x0800 to the checksum. */
            uint32_t c = (uint32_t)(ic[2] << 8 | ic[3]) + 0x0800;
            c = (c & 0xffff) + (c >> 16);
            ic[2] = (uint8_t)(c >> 8);
            ic[3] = (uint8_t)c;
        } else if (type == 0x0800 && f[23] == 17 &&
                   memcmp(f + 30, ip, 4) == 0) {
            uint8_t t[6];
            memcpy(t, f, 6);
            memcpy(f, f + 6, 6);
            memcpy(f + 6, t, 6);
            memcpy(f + 30, f + 26, 4);
            memcpy(f + 26, ip, 4);
            uint8_t *u = f + 14 + (f[14] & 15) * 4;
            memcpy(t, u, 2);
            memcpy(u, u + 2, 2);
            memcpy(u + 2, t, 2);
        } else {
            continue;
        }
        if (write(fd, f, (size_t)n) < 0)
            perror("net_tapecho: write");
    }
}

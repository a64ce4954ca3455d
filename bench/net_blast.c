/* UDP round trips with a window in flight: the load for the TAP limit. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: net_blast ADDR PORT SIZE SECONDS WINDOW
 * Sends SIZE-byte UDP datagrams to ADDR:PORT (IPv4) keeping up to WINDOW
 * unanswered, counts the answers for SECONDS, prints
 * "frames_per_s=N gbit_per_s=G" where a frame is the Ethernet frame
 * (SIZE + 42 bytes) and the rate is of answers (one frame each way per
 * answer). Lost datagrams are forgotten after 10 ms of silence.
 * WINDOW 0: no answers expected; send for SECONDS as fast as the socket
 * takes them (the load for net_tapecho's sink) and print the send rate.
 * Datagrams go out up to 32 per system call (UDP_SEGMENT, the kernel
 * splits them) and answers come in up to 64 per call (recvmmsg), so that
 * the load generator is not what limits the TAP.
 */

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: net_blast ADDR PORT SIZE SECONDS WINDOW\n");
        return 2;
    }
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)atoi(argv[2]))};
    size_t size = (size_t)atoi(argv[3]);
    double secs = atof(argv[4]);
    int window = atoi(argv[5]);
    if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1 || size < 1 ||
        size > 1472 || window < 0)
        return 2;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int big = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        perror("net_blast");
        return 1;
    }
    int seg = (int)size;
    if (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof seg) < 0) {
        perror("net_blast: UDP_SEGMENT");
        return 1;
    }
    static char buf[32 * 1472];
    memset(buf, 'x', sizeof buf);
    static char rb[64][2048];
    struct mmsghdr mm[64];
    struct iovec iv[64];
    for (int i = 0; i < 64; i++) {
        iv[i].iov_base = rb[i];
        iv[i].iov_len = sizeof rb[i];
        memset(&mm[i], 0, sizeof mm[i]);
        mm[i].msg_hdr.msg_iov = &iv[i];
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    long got = 0, inflight = 0;
    double t0 = now(), end = t0 + secs;
    while (window == 0 && now() < end)
        for (int i = 0; i < 64; i++)
            if (send(fd, buf, 32 * size, 0) > 0)
                got += 32;
    while (now() < end) {
        while (inflight < window) {
            long k = window - inflight > 32 ? 32 : window - inflight;
            if (send(fd, buf, (size_t)k * size, MSG_DONTWAIT) <= 0)
                break;
            inflight += k;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 10) <= 0) {
            inflight = 0; /* lost: start the window again */
            continue;
        }
        int r;
        while ((r = recvmmsg(fd, mm, 64, MSG_DONTWAIT, NULL)) > 0) {
            got += r;
            inflight -= r;
        }
    }
    double dt = now() - t0;
    printf("frames_per_s=%.0f gbit_per_s=%.3f\n", (double)got / dt,
           (double)got * (double)(size + 42) * 8 / dt / 1e9);
    return 0;
}

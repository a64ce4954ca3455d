/* Two TAPs joined by a user-space loop: the Linux-to-Linux reference path. */
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/*
 * Usage: net_tapbridge TAP_A TAP_B
 * Attaches to both (existing) TAPs and copies every frame read from one
 * into the other, a blocking thread per direction, nothing else. With
 * TAP_B moved into a second namespace, two kernels talk through the same
 * kind of path as the kernel and a Mote program do (a TAP read and a TAP
 * write per frame, in user space): bench/net_tcp.sh's Linux reference.
 * Prints "net_tapbridge: ready" once both are attached.
 */

static int tap_open(const char *name)
{
    int fd = open("/dev/net/tun", O_RDWR);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
        perror(name);
        return -1;
    }
    return fd;
}

struct dir {
    int in, out;
};

static void *copy(void *arg)
{
    struct dir *d = arg;
    static __thread unsigned char f[9100];
    for (;;) {
        ssize_t n = read(d->in, f, sizeof f);
        if (n > 0 && write(d->out, f, (size_t)n) < 0)
            continue; /* the other side's queue is full: a loss */
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    int a = tap_open(argv[1]), b = tap_open(argv[2]);
    if (a < 0 || b < 0)
        return 1;
    struct dir ab = {a, b}, ba = {b, a};
    pthread_t t;
    pthread_create(&t, NULL, copy, &ab);
    fprintf(stderr, "net_tapbridge: ready\n");
    copy(&ba);
    return 0;
}

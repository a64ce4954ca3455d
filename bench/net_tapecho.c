/* The TAP limit for bench/net.sh: the least a program can do to answer. */
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/*
 * Usage: net_tapecho TAP IPV4 MAC
 * Blocking reads on the TAP; answers ARP requests for IPV4 and ICMP echo
 * requests to it by editing the frame in place (swap addresses, type 0,
 * adjust the checksum) and writing it back. No validation, no stack: the
 * ceiling any stack on this TAP can reach, for the ratio in the report.
 */

int main(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    uint8_t ip[4], mac[6];
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
        } else {
            continue;
        }
        if (write(fd, f, (size_t)n) < 0)
            perror("net_tapecho: write");
    }
}

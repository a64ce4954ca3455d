/* spt test guest: the direct stack on the tender's TAP, as a UDP echo. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/mote.h>

/* Usage: netup SECONDS. Echoes UDP datagrams on port 7 (RFC 862) over both
 * families for SECONDS, then exits 0. The stack answers ARP, NDP and ping
 * on its own fiber meanwhile. The datagram "netup: stop" is not echoed or
 * counted: it moves the deadline to 100 ms ahead, so a test ends the guest
 * when its checks are done (however long a loaded machine made them take)
 * and still sees it end on a deadline. */
int mote_main(int argc, char **argv)
{
    int secs = argc > 1 ? atoi(argv[1]) : 5;
    struct mote_stack *s = mote_stack_default();
    struct mote_udp *u;
    struct mote_endpoint any = {.port = 7};
    int err = mote_udp_open(s, &any, &u);
    printf("stack %s: udp port 7 %s\n", s->name,
           err ? mote_strerror(err) : "open");
    if (err)
        return 1;
    uint64_t end = mote_deadline_in((uint64_t)secs * MOTE_NS_PER_SEC);
    unsigned long echoed = 0;
    for (;;) {
        static char buf[2048];
        size_t n;
        struct mote_endpoint from;
        err = mote_udp_recvfrom(u, buf, sizeof(buf), &n, &from, end);
        if (err)
            break;
        static const char stop[] = "netup: stop";
        if (n == sizeof(stop) - 1 && memcmp(buf, stop, n) == 0) {
            end = mote_deadline_in(MOTE_NS_PER_SEC / 10);
            continue;
        }
        if (mote_udp_sendto(u, buf, n, &from) == 0)
            echoed++;
    }
    mote_udp_close(u);
    printf("netup: echoed %lu datagrams, ended with %s\n", echoed,
           mote_strerror(err));
    return err == MOTE_ETIMEDOUT ? 0 : 1;
}

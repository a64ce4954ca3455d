/* Boot-time probe, built for both targets: report when mote_main starts. */
#include <stdio.h>
#include <stdlib.h>

#include <mote/mote.h>

/* Prints "mote_main at NS" (the monotonic clock, the same on both targets
 * and in the driver, bench/spt_boot.c), then stays up for MS milliseconds
 * (argv[1], default 0) so the driver can read its resident size. */
int mote_main(int argc, char **argv)
{
    uint64_t t = mote_platform_clock_monotonic();
    printf("mote_main at %llu\n", (unsigned long long)t);
    if (argc > 1)
        mote_sleep((uint64_t)atoi(argv[1]) * MOTE_NS_PER_MS);
    return 0;
}

/* spt test guest: the block device ABI through the sandbox. */
#include <stdio.h>
#include <string.h>

#include <mote/mote.h>

static int fails;

static void expect(const char *what, int got, int want)
{
    if (got != want) {
        printf("FAIL %s: got %d (%s), want %d\n", what, got, mote_strerror(got),
               want);
        fails++;
    }
}

int mote_main(int argc, char **argv)
{
    (void)argc, (void)argv;
    mote_handle h, h2;
    struct mote_block_info bi;
    expect("unknown device", mote_platform_block_acquire("nope", &h, &bi),
           MOTE_ENOENT);
    int err = mote_platform_block_acquire("disk", &h, &bi);
    expect("acquire", err, 0);
    if (err)
        return 1;
    expect("second acquire", mote_platform_block_acquire("disk", &h2, &bi),
           MOTE_EBUSY);
    printf("capacity %llu block %llu\n", (unsigned long long)bi.capacity,
           (unsigned long long)bi.block_size);
    static uint8_t buf[1024], back[1024];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 7 + 1);
    uint64_t last = bi.capacity - 512;
    expect("write", mote_platform_block_write(h, 512, buf, 1024), 0);
    expect("write last block", mote_platform_block_write(h, last, buf, 512), 0);
    expect("read", mote_platform_block_read(h, 512, back, 1024), 0);
    if (memcmp(buf, back, sizeof(buf)) != 0) {
        printf("FAIL read back differs\n");
        fails++;
    }
    expect("misaligned offset", mote_platform_block_read(h, 100, back, 512),
           MOTE_EINVAL);
    expect("partial block", mote_platform_block_read(h, 0, back, 100),
           MOTE_EINVAL);
    expect("past the end", mote_platform_block_read(h, last, back, 1024),
           MOTE_ERANGE);
    expect("offset past the end",
           mote_platform_block_read(h, bi.capacity + 512, back, 512),
           MOTE_ERANGE);
    mote_handle n;
    struct mote_net_info ni;
    expect("disk is not a net device",
           mote_platform_net_acquire("disk", &n, &ni), MOTE_ENOENT);
    printf("%s\n", fails ? "block: failures" : "block: all ok");
    return fails ? 1 : 0;
}

/* The device adapter: a fiber feeding platform frames and time to a core. */
#include <stdlib.h>
#include <string.h>

#include <mote/core.h>
#include <mote/error.h>
#include <mote/log.h>
#include <mote/platform.h>

#include "net_priv.h"

/*
 * One fiber per device: read every waiting frame (the platform gives one
 * per call until MOTE_EAGAIN), feed each to the core, run the core's timers
 * when due, then sleep on the device until a frame or the next deadline.
 *
 * Calls from other fibers (UDP sends, TCP) may arm an earlier timer while
 * this fiber sleeps; it cannot be woken for that, so it never sleeps longer
 * than POLL_MAX. NEEDSWORK: a core hook "deadline moved" that wakes it.
 *
 * Offloads: when the device takes them (mote_net_info.offloads) and the
 * config does not refuse them (no_offload), TCP sends partial checksums
 * and 64 KiB super-segments through mote_platform_net_write_gso, and the
 * device may hand us super-frames and partial checksums (RX_CSUM |
 * RX_GSO), read with mote_platform_net_read_gso into a 64 KiB+ buffer.
 */

#define POLL_MAX (50 * MOTE_NS_PER_MS)

struct adapter {
    mote_handle handle;
    struct mote_net *net;
    size_t bufsize;
    uint8_t *buf;
};

static int send_frame(void *ctx, const uint8_t *frame, size_t len)
{
    struct adapter *a = ctx;
    return mote_platform_net_write(a->handle, frame, len);
}

static int send_gso(void *ctx, const uint8_t *frame, size_t len,
                    const struct mote_net_gso *gso)
{
    struct adapter *a = ctx;
    return mote_platform_net_write_gso(a->handle, frame, len, gso);
}

static void random_bytes(void *ctx, void *buf, size_t n)
{
    (void)ctx;
    if (mote_platform_entropy(buf, n) != 0)
        mote_platform_abort(); /* no entropy: ISNs and ports would be
                                  predictable; refuse to go on */
}

static void adapter_fiber(void *arg)
{
    struct adapter *a = arg;
    for (;;) {
        for (;;) {
            size_t n = 0;
            struct mote_net_gso gso;
            int err = mote_platform_net_read_gso(a->handle, a->buf, a->bufsize,
                                                 &n, &gso);
            if (err)
                break;
            mote_net_input_gso(a->net, mote_now(), a->buf, n, &gso);
        }
        uint64_t now = mote_now();
        if (mote_net_deadline(a->net) <= now)
            mote_net_tick(a->net, now);
        uint64_t d = net__min(mote_net_deadline(a->net), now + POLL_MAX);
        int err = mote_wait_device(a->handle, d);
        if (err == MOTE_ECANCELED)
            return;
    }
}

int mote_net_attach(const char *device, const struct mote_net_config *cfg,
                    struct mote_net **out)
{
    *out = NULL;
    struct adapter *a = calloc(1, sizeof(*a));
    if (!a)
        return MOTE_ENOMEM;
    struct mote_net_info info;
    int err = mote_platform_net_acquire(device, &a->handle, &info);
    if (err) {
        free(a);
        return err;
    }
    struct mote_net_config c = *cfg;
    memcpy(c.mac.bytes, info.mac, 6);
    if (!c.mtu || c.mtu > info.mtu)
        c.mtu = info.mtu;
    c.send_frame = send_frame;
    c.send_ctx = a;
    c.random = random_bytes;
    c.random_ctx = NULL;
    uint32_t tx =
        MOTE_NET_OFFLOAD_CSUM | MOTE_NET_OFFLOAD_TSO4 | MOTE_NET_OFFLOAD_TSO6;
    uint32_t rx = MOTE_NET_OFFLOAD_RX_CSUM | MOTE_NET_OFFLOAD_RX_GSO;
    c.offloads = c.no_offload || !(info.offloads & MOTE_NET_OFFLOAD_CSUM)
                     ? 0
                     : info.offloads & tx;
    c.send_gso = send_gso;
    a->bufsize = info.mtu + 14;
    if (!c.no_offload && (info.offloads & rx) == rx &&
        mote_platform_net_rx_offload(a->handle, rx) == 0)
        a->bufsize = MOTE_NET_GSO_FRAME_MAX;
    a->buf = malloc(a->bufsize);
    if (!a->buf) {
        free(a);
        return MOTE_ENOMEM;
    }
    err = mote_net_new(&c, mote_now(), &a->net);
    if (err) {
        free(a->buf);
        free(a);
        return err;
    }
    struct mote_fiber *f;
    err = mote_fiber_spawn(adapter_fiber, a, 0, &f);
    if (err) {
        mote_net_free(a->net);
        free(a->buf);
        free(a);
        return err;
    }
    mote_fiber_set_name(f, "net");
    /* NEEDSWORK: no detach-and-stop yet; the stack lives for the program. */
    *out = a->net;
    return 0;
}

/* spt guest bindings: the platform ABI over raw, seccomp-filtered syscalls. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <mote/error.h>
#include <mote/platform.h>

#include "spt_int.h"

const struct spt_boot_info *spt__boot;

/* The ELF note that marks an image as an spt guest of our ABI: the standard
 * note layout (namesz, descsz, type, name padded to 4, descriptor). The
 * tender checks every field. It lives here because this file is always
 * linked (the entry point is in it). */
struct spt_note {
    uint32_t namesz, descsz, type;
    char name[8];
    uint32_t desc;
};
__attribute__((used, section(".note.mote"), aligned(4)))
const struct spt_note spt__abi_note = {sizeof(SPT_NOTE_NAME), 4, SPT_NOTE_ABI,
                                       SPT_NOTE_NAME, SPT_ABI_VERSION};

/* Which devices the guest has acquired (bit i: spt__boot->dev[i]). The
 * handle of device i is i, so a ready set maps straight onto handles. */
static uint64_t acquired;

/* ---- Entry ---------------------------------------------------------------
 */

static void console_fd(int fd, const char *buf, size_t size)
{
    while (size > 0) {
        long n = spt__syscall3(SPT_SYS_write, fd, (long)buf, (long)size);
        if (n == -SPT_EINTR)
            continue;
        if (n <= 0)
            return; /* best effort, as the ABI says */
        buf += n;
        size -= (size_t)n;
    }
}

void spt__console_str(const char *s)
{
    console_fd(2, s, strlen(s));
}

void spt__console_fd(int fd, const char *buf, size_t size)
{
    console_fd(fd == 1 ? 1 : 2, buf, size);
}

_Noreturn void spt__start(const struct spt_boot_info *bi)
{
    if (bi->abi_version != SPT_ABI_VERSION) {
        spt__console_str("spt: boot info of another ABI version\n");
        spt__syscall3(SPT_SYS_exit_group, SPT_EXIT_ABORT, 0, 0);
    }
    spt__boot = bi;
    if (mote_heap_init((void *)(uintptr_t)bi->heap_start,
                       (size_t)bi->heap_size) != 0) {
        spt__console_str("spt: heap region too small\n");
        mote_platform_exit(SPT_EXIT_ABORT);
    }
    struct mote_boot_info info = {
        .cmdline = spt__net_options((const char *)(uintptr_t)bi->cmdline),
        .heap_start = (uintptr_t)bi->heap_start,
        .heap_size = (size_t)bi->heap_size,
    };
    mote_platform_exit(mote_boot(&info));
}

/* ---- Console, clocks, entropy, exit ---------------------------------------
 */

void mote_platform_console_write(const char *buf, size_t size)
{
    console_fd(2, buf, size);
}

struct spt_timespec {
    int64_t sec, nsec;
};

static uint64_t clock_ns(int id)
{
    struct spt_timespec ts;
    if (spt__syscall3(SPT_SYS_clock_gettime, id, (long)&ts, 0) != 0)
        mote_platform_abort(); /* cannot fail for these clocks */
    return (uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec;
}

uint64_t mote_platform_clock_monotonic(void)
{
    return clock_ns(1); /* CLOCK_MONOTONIC */
}

uint64_t mote_platform_clock_wall(void)
{
    return clock_ns(0); /* CLOCK_REALTIME */
}

/* A guest cannot fork: the sandbox refuses the call. */
uint64_t mote_platform_fork_generation(void)
{
    return 0;
}

int mote_platform_entropy(void *buf, size_t size)
{
    uint8_t *p = buf;
    while (size > 0) {
        long n = spt__syscall3(SPT_SYS_getrandom, (long)p, (long)size, 0);
        if (n == -SPT_EINTR)
            continue;
        if (n <= 0)
            return MOTE_EIO;
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

_Noreturn void mote_platform_exit(int status)
{
    for (;;)
        spt__syscall3(SPT_SYS_exit_group, status & 0xff, 0, 0);
}

_Noreturn void mote_platform_abort(void)
{
    /* A damaged fiber stack is the likeliest cause of a heap abort: name it
     * if so (spt__stacks_check does not return then). */
    static bool aborting;
    if (!aborting) {
        aborting = true;
        spt__stacks_check();
    }
    spt__console_str("spt: guest aborted (failed assertion, heap corruption "
                     "or contract violation)\n");
    mote_platform_exit(SPT_EXIT_ABORT);
}

/* ---- Devices --------------------------------------------------------------
 */

static int acquire(const char *name, uint32_t kind, mote_handle *h)
{
    size_t len = strlen(name);
    if (len == 0 || len >= SPT_DEV_NAME_MAX)
        return MOTE_EINVAL;
    for (uint32_t i = 0; i < spt__boot->ndevices; i++) {
        const struct spt_device *d = &spt__boot->dev[i];
        if (d->kind != kind || strcmp(d->name, name) != 0)
            continue;
        if (acquired & (1ull << i))
            return MOTE_EBUSY;
        acquired |= 1ull << i;
        *h = i;
        return 0;
    }
    return MOTE_ENOENT; /* the tender was not given this device */
}

static const struct spt_device *get_dev(mote_handle h, uint32_t kind)
{
    if (h >= spt__boot->ndevices || !(acquired & (1ull << h)) ||
        spt__boot->dev[h].kind != kind)
        mote_platform_abort(); /* contract violation: not our handle */
    return &spt__boot->dev[h];
}

int mote_platform_net_acquire(const char *name, mote_handle *handle,
                              struct mote_net_info *info)
{
    int err = acquire(name, SPT_DEV_NET, handle);
    if (err)
        return err;
    const struct spt_device *d = &spt__boot->dev[*handle];
    memcpy(info->mac, d->mac, 6);
    info->mtu = d->mtu;
    /* Send offloads when the tender opened the TAP with a virtio header
     * (SPT_NET_VNET); receive offloads never (the tender keeps them off:
     * the filter leaves the guest no ioctl to turn them on). */
    info->offloads = (d->net_flags & SPT_NET_VNET)
                         ? MOTE_NET_OFFLOAD_CSUM | MOTE_NET_OFFLOAD_TSO4 |
                               MOTE_NET_OFFLOAD_TSO6
                         : 0;
    return 0;
}

/* With SPT_NET_VNET each frame travels behind a 10-byte virtio_net_hdr.
 * The filter allows read and write on the fd, not readv/writev, so header
 * and frame go through one buffer: a copy per frame, cheap next to the
 * system call it shares. Single-threaded guest: one buffer serves all. */
static uint8_t vnet_buf[SPT_VNET_HLEN + 65535 + 14];

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static int vnet_write(const struct spt_device *d, const uint8_t *buf,
                      size_t size, const struct mote_net_gso *gso)
{
    uint8_t *h = vnet_buf;
    memset(h, 0, SPT_VNET_HLEN);
    if (gso) {
        h[0] = (gso->flags & MOTE_NET_GSO_F_NEEDS_CSUM) ? 1 : 0;
        h[1] = gso->gso_type == MOTE_NET_GSO_TCPV4   ? 1
               : gso->gso_type == MOTE_NET_GSO_TCPV6 ? 4
                                                     : 0;
        put_le16(h + 2, gso->hdr_len);
        put_le16(h + 4, gso->gso_size);
        put_le16(h + 6, gso->csum_start);
        put_le16(h + 8, gso->csum_offset);
    }
    memcpy(h + SPT_VNET_HLEN, buf, size);
    long n;
    do
        n = spt__syscall3(SPT_SYS_write, d->fd, (long)h,
                          (long)(SPT_VNET_HLEN + size));
    while (n == -SPT_EINTR);
    if (n == -SPT_EAGAIN)
        return MOTE_EAGAIN;
    return n == (long)(SPT_VNET_HLEN + size) ? 0 : MOTE_EIO;
}

int mote_platform_net_write(mote_handle handle, const uint8_t *buf, size_t size)
{
    const struct spt_device *d = get_dev(handle, SPT_DEV_NET);
    if (size < 14 || size > (size_t)d->mtu + 14)
        return MOTE_EINVAL;
    if (d->net_flags & SPT_NET_VNET)
        return vnet_write(d, buf, size, NULL);
    long n;
    do
        n = spt__syscall3(SPT_SYS_write, d->fd, (long)buf, (long)size);
    while (n == -SPT_EINTR);
    if (n == -SPT_EAGAIN)
        return MOTE_EAGAIN;
    return n == (long)size ? 0 : MOTE_EIO;
}

int mote_platform_net_read(mote_handle handle, uint8_t *buf, size_t size,
                           size_t *read_size)
{
    const struct spt_device *d = get_dev(handle, SPT_DEV_NET);
    if (size < (size_t)d->mtu + 14)
        return MOTE_EINVAL;
    if (d->net_flags & SPT_NET_VNET) {
        struct mote_net_gso gso;
        return mote_platform_net_read_gso(handle, buf, size, read_size, &gso);
    }
    long n;
    do
        n = spt__syscall3(SPT_SYS_read, d->fd, (long)buf, (long)size);
    while (n == -SPT_EINTR);
    if (n == -SPT_EAGAIN)
        return MOTE_EAGAIN;
    if (n < 0)
        return MOTE_EIO;
    *read_size = (size_t)n;
    return 0;
}

int mote_platform_net_write_gso(mote_handle handle, const uint8_t *buf,
                                size_t size, const struct mote_net_gso *gso)
{
    const struct spt_device *d = get_dev(handle, SPT_DEV_NET);
    if (!gso || (!gso->flags && gso->gso_type == MOTE_NET_GSO_NONE))
        return mote_platform_net_write(handle, buf, size);
    if (!(d->net_flags & SPT_NET_VNET))
        return MOTE_ENOTSUP; /* info.offloads is 0 */
    size_t max =
        gso->gso_type == MOTE_NET_GSO_NONE ? (size_t)d->mtu + 14 : 65535 + 14;
    if (size < 14 || size > max ||
        ((gso->flags & MOTE_NET_GSO_F_NEEDS_CSUM) &&
         (size_t)gso->csum_start + gso->csum_offset + 2 > size))
        return MOTE_EINVAL;
    if (gso->gso_type != MOTE_NET_GSO_NONE &&
        (gso->gso_type > MOTE_NET_GSO_TCPV6 || !gso->gso_size ||
         !(gso->flags & MOTE_NET_GSO_F_NEEDS_CSUM) || gso->hdr_len > size))
        return MOTE_EINVAL;
    return vnet_write(d, buf, size, gso);
}

int mote_platform_net_rx_offload(mote_handle handle, uint32_t rx)
{
    (void)get_dev(handle, SPT_DEV_NET);
    return rx ? MOTE_ENOTSUP : 0; /* the tender keeps them off */
}

int mote_platform_net_read_gso(mote_handle handle, uint8_t *buf, size_t size,
                               size_t *read_size, struct mote_net_gso *gso)
{
    const struct spt_device *d = get_dev(handle, SPT_DEV_NET);
    memset(gso, 0, sizeof(*gso));
    if (!(d->net_flags & SPT_NET_VNET))
        return mote_platform_net_read(handle, buf, size, read_size);
    if (size < (size_t)d->mtu + 14)
        return MOTE_EINVAL;
    size_t want = SPT_VNET_HLEN + size;
    if (want > sizeof(vnet_buf))
        want = sizeof(vnet_buf);
    long n;
    do
        n = spt__syscall3(SPT_SYS_read, d->fd, (long)vnet_buf, (long)want);
    while (n == -SPT_EINTR);
    if (n == -SPT_EAGAIN)
        return MOTE_EAGAIN;
    if (n < (long)SPT_VNET_HLEN)
        return MOTE_EIO;
    /* Receive offloads are off: no super-frames, no partial checksums.
     * A checked one (DATA_VALID) is passed on. */
    if (vnet_buf[0] & 2)
        gso->flags |= MOTE_NET_GSO_F_DATA_VALID;
    if (vnet_buf[1] != 0 || (vnet_buf[0] & 1)) {
        *read_size = 0; /* never asked for: not a frame we can take */
        return 0;
    }
    size_t len = (size_t)n - SPT_VNET_HLEN;
    if (len > size)
        len = size;
    memcpy(buf, vnet_buf + SPT_VNET_HLEN, len);
    *read_size = len;
    return 0;
}

int mote_platform_block_acquire(const char *name, mote_handle *handle,
                                struct mote_block_info *info)
{
    int err = acquire(name, SPT_DEV_BLOCK, handle);
    if (err)
        return err;
    const struct spt_device *d = &spt__boot->dev[*handle];
    info->capacity = d->capacity;
    info->block_size = d->block_size;
    return 0;
}

static int block_io(mote_handle handle, long nr, uint64_t offset, uint8_t *buf,
                    size_t size)
{
    const struct spt_device *d = get_dev(handle, SPT_DEV_BLOCK);
    if (offset % d->block_size || size % d->block_size)
        return MOTE_EINVAL;
    if (offset > d->capacity || size > d->capacity - offset)
        return MOTE_ERANGE;
    while (size > 0) {
        long n =
            spt__syscall6(nr, d->fd, (long)buf, (long)size, (long)offset, 0, 0);
        if (n == -SPT_EINTR)
            continue;
        if (n <= 0)
            return MOTE_EIO; /* 0: the file shrank under us */
        buf += n;
        offset += (uint64_t)n;
        size -= (size_t)n;
    }
    return 0;
}

int mote_platform_block_write(mote_handle handle, uint64_t offset,
                              const uint8_t *buf, size_t size)
{
    /* pwrite does not write through buf; the cast only shares block_io. */
    return block_io(handle, SPT_SYS_pwrite64, offset, (uint8_t *)(uintptr_t)buf,
                    size);
}

int mote_platform_block_read(mote_handle handle, uint64_t offset, uint8_t *buf,
                             size_t size)
{
    return block_io(handle, SPT_SYS_pread64, offset, buf, size);
}

/* ---- Yield ----------------------------------------------------------------
 */

struct spt_pollfd {
    int32_t fd;
    int16_t events, revents;
};
#define SPT_POLLIN 1

void mote_platform_yield(uint64_t deadline, mote_handle_set *ready)
{
    spt__stacks_check();
    struct spt_pollfd fds[SPT_MAX_DEVICES];
    mote_handle idx[SPT_MAX_DEVICES];
    long nfds = 0;
    for (uint32_t i = 0; i < spt__boot->ndevices; i++) {
        if (!(acquired & (1ull << i)) || spt__boot->dev[i].kind != SPT_DEV_NET)
            continue;
        fds[nfds] = (struct spt_pollfd){spt__boot->dev[i].fd, SPT_POLLIN, 0};
        idx[nfds++] = i;
    }
    struct spt_timespec ts = {0, 0}, *tp = &ts;
    if (deadline == UINT64_MAX) {
        tp = NULL;
    } else if (deadline != 0) {
        uint64_t now = mote_platform_clock_monotonic();
        uint64_t wait = deadline > now ? deadline - now : 0;
        ts.sec = (int64_t)(wait / 1000000000ull);
        ts.nsec = (int64_t)(wait % 1000000000ull);
    }
    *ready = 0;
    long n = spt__syscall6(SPT_SYS_ppoll, (long)fds, nfds, (long)tp, 0, 8, 0);
    if (n <= 0)
        return; /* timeout, EINTR: a spurious wake-up is allowed */
    for (long i = 0; i < nfds; i++)
        if (fds[i].revents)
            *ready |= 1ull << idx[i];
}

/* ---- Signals -------------------------------------------------------------
 *
 * The guest sees no signals: the seccomp filter allows no sigaction or
 * signalfd, and the tender, which receives SIGTERM/SIGINT, simply ends
 * the guest (a sealed image is stopped, not asked). */

int mote_platform_signal_acquire(enum mote_signal sig, mote_handle *handle)
{
    (void)sig;
    (void)handle;
    return MOTE_ENOTSUP;
}

int mote_platform_signal_read(mote_handle handle, uint64_t *count)
{
    (void)handle;
    (void)count;
    mote_platform_abort(); /* no handle was ever given out */
}

void mote_platform_signal_release(mote_handle handle)
{
    (void)handle;
    mote_platform_abort();
}

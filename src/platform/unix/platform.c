/* The platform ABI over Linux: console, clocks, epoll, TAP, files, getrandom.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <mote/error.h>
#include <mote/platform.h>

#include "unix_int.h"

#define PAGE 4096u

enum dev_kind { DEV_NONE = 0, DEV_NET, DEV_BLOCK, DEV_SIGNAL };

struct device {
    enum dev_kind kind;
    int fd;
    char name[256];
    size_t mtu;
    bool vnet;      /* DEV_NET: opened with IFF_VNET_HDR (a header per frame) */
    uint32_t rx_on; /* DEV_NET: receive offloads turned on */
    uint64_t capacity, block_size;
    int signo; /* DEV_SIGNAL: the host signal number */
    struct unix_watch watch;
};

static struct {
    int epfd;
    struct device dev[MOTE_PLATFORM_MAX_HANDLES];
    mote_handle_set ready; /* filled by device callbacks during yield */
} U = {.epfd = -1};

int unix__error(int err)
{
    switch (err) {
    case 0:
        return 0;
    case EAGAIN:
        return MOTE_EAGAIN;
    case EINVAL:
    case EBADF:
    case EISDIR:
        return MOTE_EINVAL;
    case ENOMEM:
    case ENOBUFS:
        return MOTE_ENOMEM;
    case ENOENT:
    case ENODEV:
    case ENXIO:
        return MOTE_ENOENT;
    case EACCES:
    case EPERM:
        return MOTE_EACCES;
    case ETIMEDOUT:
        return MOTE_ETIMEDOUT;
    case ECONNREFUSED:
        return MOTE_ECONNREFUSED;
    case ECONNRESET:
    case ECONNABORTED:
        return MOTE_ECONNRESET;
    case EADDRINUSE:
        return MOTE_EADDRINUSE;
    case EADDRNOTAVAIL:
        return MOTE_EADDRNOTAVAIL;
    case ENETUNREACH:
    case ENETDOWN:
        return MOTE_ENETUNREACH;
    case EHOSTUNREACH:
    case EHOSTDOWN:
        return MOTE_EHOSTUNREACH;
    case EPIPE:
        return MOTE_EPIPE;
    case ENOSPC:
        return MOTE_ENOSPC;
    case ERANGE:
        return MOTE_ERANGE;
    case EBUSY:
        return MOTE_EBUSY;
    case EOPNOTSUPP:
        return MOTE_ENOTSUP;
    case EMSGSIZE:
        return MOTE_EMSGSIZE;
    case EAFNOSUPPORT:
        return MOTE_EAFNOSUPPORT;
    case EMFILE:
    case ENFILE:
        return MOTE_ENFILE;
    case EPROTO:
        return MOTE_EPROTO;
    default:
        return MOTE_EIO;
    }
}

static int epoll_fd(void)
{
    if (U.epfd < 0)
        U.epfd = epoll_create1(EPOLL_CLOEXEC);
    return U.epfd;
}

int unix__watch(int fd, uint32_t events, struct unix_watch *w)
{
    int ep = epoll_fd();
    if (ep < 0)
        return unix__error(errno);
    struct epoll_event ev = {.events = events, .data.ptr = w};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
        return unix__error(errno);
    return 0;
}

/* ---- Console, clocks, exit ------------------------------------------------
 */

void mote_platform_console_write(const char *buf, size_t size)
{
    while (size > 0) {
        ssize_t n = write(STDERR_FILENO, buf, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        size -= (size_t)n;
    }
}

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t mote_platform_clock_monotonic(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

uint64_t mote_platform_clock_wall(void)
{
    return clock_ns(CLOCK_REALTIME);
}

_Noreturn void mote_platform_exit(int status)
{
    exit(status);
}

_Noreturn void mote_platform_abort(void)
{
    abort();
}

/* ---- Yield ------------------------------------------------------------------
 */

void mote_platform_yield(uint64_t deadline, mote_handle_set *ready)
{
    struct epoll_event evs[256];
    U.ready = 0;
    int ep = epoll_fd();
    int n;
    if (deadline == 0 || deadline == UINT64_MAX) {
        n = epoll_wait(ep, evs, 256, deadline == 0 ? 0 : -1);
    } else {
        /* epoll_pwait2 takes nanoseconds; plain epoll_wait would round
         * every timer to a millisecond. */
        uint64_t now = mote_platform_clock_monotonic();
        uint64_t wait = deadline > now ? deadline - now : 0;
        struct timespec ts = {.tv_sec = (time_t)(wait / 1000000000ull),
                              .tv_nsec = (long)(wait % 1000000000ull)};
        n = epoll_pwait2(ep, evs, 256, &ts, NULL);
        if (n < 0 && errno == ENOSYS) {
            uint64_t ms = (wait + 999999) / 1000000;
            n = epoll_wait(ep, evs, 256, ms > 3600000 ? 3600000 : (int)ms);
        }
    }
    for (int i = 0; i < n; i++) {
        struct unix_watch *w = evs[i].data.ptr;
        w->cb(w, evs[i].events);
    }
    *ready = U.ready;
}

/* ---- Devices
 * ------------------------------------------------------------------ */

static void net_ready(struct unix_watch *w, uint32_t events)
{
    (void)events;
    struct device *d =
        (struct device *)((char *)w - offsetof(struct device, watch));
    U.ready |= 1ull << (d - U.dev);
}

static int alloc_handle(const char *name, enum dev_kind kind, mote_handle *h)
{
    size_t len = strlen(name);
    if (len == 0 || len >= sizeof(U.dev[0].name))
        return MOTE_EINVAL;
    int free_slot = -1;
    for (int i = 0; i < MOTE_PLATFORM_MAX_HANDLES; i++) {
        if (U.dev[i].kind == kind && strcmp(U.dev[i].name, name) == 0)
            return MOTE_EBUSY;
        if (U.dev[i].kind == DEV_NONE && free_slot < 0)
            free_slot = i;
    }
    if (free_slot < 0)
        return MOTE_ENOSPC;
    *h = (mote_handle)free_slot;
    return 0;
}

/* TAP offloads: with IFF_VNET_HDR every frame read or written is preceded
 * by a struct virtio_net_hdr (10 bytes), the same header a virtio-net
 * device uses. Writes may then carry TCP super-frames and partial
 * checksums whatever TUNSETOFFLOAD says; TUNSETOFFLOAD only says what the
 * kernel may hand to us (receive offloads), so it stays 0 until the stack
 * asks. Without IFF_VNET_HDR in TUNGETFEATURES the device has no
 * offloads and frames are plain. */
#define VNET_HLEN sizeof(struct virtio_net_hdr)
#define NET_OFFLOADS_TX                                                        \
    (MOTE_NET_OFFLOAD_CSUM | MOTE_NET_OFFLOAD_TSO4 | MOTE_NET_OFFLOAD_TSO6)
#define NET_OFFLOADS_RX (MOTE_NET_OFFLOAD_RX_CSUM | MOTE_NET_OFFLOAD_RX_GSO)

int mote_platform_net_acquire(const char *name, mote_handle *handle,
                              struct mote_net_info *info)
{
    mote_handle h;
    int err = alloc_handle(name, DEV_NET, &h);
    if (err)
        return err;
    if (strlen(name) >= IFNAMSIZ)
        return MOTE_EINVAL;
    /* TUNSETIFF would create a missing interface when we are privileged;
     * a typo must be an error instead, so the TAP must already exist. */
    if (if_nametoindex(name) == 0)
        return MOTE_ENOENT;
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return unix__error(errno);
    /* MOTE_TAP_OFFLOAD=0 in the environment: plain frames, no offloads
     * (tests keep that path tested; benchmarks compare the two). */
    const char *env = getenv("MOTE_TAP_OFFLOAD");
    unsigned int features = 0;
    bool vnet = ioctl(fd, TUNGETFEATURES, &features) == 0 &&
                (features & IFF_VNET_HDR) != 0 &&
                !(env && strcmp(env, "0") == 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = (short)(IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0));
    memcpy(ifr.ifr_name, name, strlen(name));
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        err = errno == EINVAL ? MOTE_EINVAL : unix__error(errno);
        goto fail;
    }
    /* No receive offloads until mote_platform_net_rx_offload: a TAP keeps
     * its offload settings across users (a persistent device), and one
     * left with them by an earlier user must not hand us super-frames or
     * partial checksums, least of all without a header to say so. */
    if (vnet && ioctl(fd, TUNSETOFFLOAD, 0UL) < 0)
        vnet = false; /* cannot be sure what we would be given */
    if (!vnet && (ifr.ifr_flags & IFF_VNET_HDR)) {
        ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
        /* An fd's TUNSETIFF is once only: reopen. */
        close(fd);
        fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            return unix__error(errno);
        if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
            err = errno == EINVAL ? MOTE_EINVAL : unix__error(errno);
            goto fail;
        }
    }
    if (!vnet)
        (void)ioctl(fd, TUNSETOFFLOAD, 0UL); /* best effort: see above */
    size_t mtu = 1500;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s >= 0) {
        if (ioctl(s, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
            mtu = (size_t)ifr.ifr_mtu;
        close(s);
    }
    struct device *d = &U.dev[h];
    d->watch.cb = net_ready;
    err = unix__watch(fd, EPOLLIN, &d->watch);
    if (err)
        goto fail;
    /* The guest's own MAC: random, locally administered, unicast (the TAP
     * interface's MAC belongs to the host side, as with Solo5). */
    if (mote_platform_entropy(info->mac, 6) != 0) {
        err = MOTE_EIO;
        goto fail;
    }
    info->mac[0] = (uint8_t)((info->mac[0] & 0xfe) | 0x02);
    info->mtu = mtu;
    info->offloads = vnet ? NET_OFFLOADS_TX | NET_OFFLOADS_RX : 0;
    d->kind = DEV_NET;
    d->fd = fd;
    d->mtu = mtu;
    d->vnet = vnet;
    d->rx_on = 0;
    strcpy(d->name, name);
    *handle = h;
    return 0;
fail:
    close(fd);
    return err;
}

static struct device *get_dev(mote_handle h, enum dev_kind kind)
{
    if (h >= MOTE_PLATFORM_MAX_HANDLES || U.dev[h].kind != kind)
        abort(); /* contract violation: not a handle we gave out */
    return &U.dev[h];
}

static int tap_write(struct device *d, const uint8_t *buf, size_t size,
                     const struct virtio_net_hdr *vh)
{
    ssize_t n;
    size_t want = size;
    if (d->vnet) {
        struct iovec iov[2] = {
            {.iov_base = (void *)vh, .iov_len = VNET_HLEN},
            {.iov_base = (void *)buf, .iov_len = size},
        };
        want += VNET_HLEN;
        do
            n = writev(d->fd, iov, 2);
        while (n < 0 && errno == EINTR);
    } else {
        do
            n = write(d->fd, buf, size);
        while (n < 0 && errno == EINTR);
    }
    if (n < 0)
        return unix__error(errno);
    return (size_t)n == want ? 0 : MOTE_EIO;
}

int mote_platform_net_write(mote_handle handle, const uint8_t *buf, size_t size)
{
    struct device *d = get_dev(handle, DEV_NET);
    if (size < 14 || size > d->mtu + 14)
        return MOTE_EINVAL;
    struct virtio_net_hdr vh;
    memset(&vh, 0, sizeof(vh));
    return tap_write(d, buf, size, &vh);
}

int mote_platform_net_write_gso(mote_handle handle, const uint8_t *buf,
                                size_t size, const struct mote_net_gso *gso)
{
    struct device *d = get_dev(handle, DEV_NET);
    if (!gso || (!gso->flags && gso->gso_type == MOTE_NET_GSO_NONE))
        return mote_platform_net_write(handle, buf, size);
    if (!d->vnet)
        return MOTE_ENOTSUP;
    size_t max = gso->gso_type == MOTE_NET_GSO_NONE ? d->mtu + 14 : 65535 + 14;
    if (size < 14 || size > max)
        return MOTE_EINVAL;
    struct virtio_net_hdr vh;
    memset(&vh, 0, sizeof(vh));
    /* The TAP's header is in the host's byte order (a little-endian
     * virtio 1.0 header on x86_64, TUNSETVNETLE aside). */
    if (gso->flags & MOTE_NET_GSO_F_NEEDS_CSUM) {
        if ((size_t)gso->csum_start + gso->csum_offset + 2 > size)
            return MOTE_EINVAL;
        vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
        vh.csum_start = gso->csum_start;
        vh.csum_offset = gso->csum_offset;
    }
    switch (gso->gso_type) {
    case MOTE_NET_GSO_NONE:
        vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
        break;
    case MOTE_NET_GSO_TCPV4:
    case MOTE_NET_GSO_TCPV6:
        /* Linux refuses a GSO frame without NEEDS_CSUM, or a zero size */
        if (!(gso->flags & MOTE_NET_GSO_F_NEEDS_CSUM) || !gso->gso_size ||
            gso->hdr_len > size)
            return MOTE_EINVAL;
        vh.gso_type = gso->gso_type == MOTE_NET_GSO_TCPV4
                          ? VIRTIO_NET_HDR_GSO_TCPV4
                          : VIRTIO_NET_HDR_GSO_TCPV6;
        vh.hdr_len = gso->hdr_len;
        vh.gso_size = gso->gso_size;
        break;
    default:
        return MOTE_EINVAL;
    }
    return tap_write(d, buf, size, &vh);
}

/* At exit, leave each TAP whose receive offloads we turned on as we found
 * it (offloads off): the next user may read plain frames. */
static void net_offloads_off(void)
{
    for (int i = 0; i < MOTE_PLATFORM_MAX_HANDLES; i++)
        if (U.dev[i].kind == DEV_NET && U.dev[i].rx_on)
            (void)ioctl(U.dev[i].fd, TUNSETOFFLOAD, 0UL);
}

int mote_platform_net_rx_offload(mote_handle handle, uint32_t rx)
{
    struct device *d = get_dev(handle, DEV_NET);
    if (rx & ~NET_OFFLOADS_RX)
        return MOTE_EINVAL;
    if (rx && !d->vnet)
        return MOTE_ENOTSUP;
    if ((rx & MOTE_NET_OFFLOAD_RX_GSO) && !(rx & MOTE_NET_OFFLOAD_RX_CSUM))
        return MOTE_EINVAL; /* TSO needs checksum offload (as in Linux) */
    unsigned long off = 0;
    if (rx & MOTE_NET_OFFLOAD_RX_CSUM)
        off |= TUN_F_CSUM;
    if (rx & MOTE_NET_OFFLOAD_RX_GSO)
        off |= TUN_F_TSO4 | TUN_F_TSO6;
    static bool hooked;
    if (rx && !hooked && atexit(net_offloads_off) == 0)
        hooked = true;
    if (d->vnet && ioctl(d->fd, TUNSETOFFLOAD, off) < 0)
        return MOTE_EIO;
    d->rx_on = rx;
    return 0;
}

int mote_platform_net_read_gso(mote_handle handle, uint8_t *buf, size_t size,
                               size_t *read_size, struct mote_net_gso *gso)
{
    struct device *d = get_dev(handle, DEV_NET);
    memset(gso, 0, sizeof(*gso));
    size_t need = (d->rx_on & MOTE_NET_OFFLOAD_RX_GSO) ? MOTE_NET_GSO_FRAME_MAX
                                                       : d->mtu + 14;
    if (size < need)
        return MOTE_EINVAL;
    ssize_t n;
    if (d->vnet) {
        struct virtio_net_hdr vh;
        struct iovec iov[2] = {
            {.iov_base = &vh, .iov_len = VNET_HLEN},
            {.iov_base = buf, .iov_len = size},
        };
        do
            n = readv(d->fd, iov, 2);
        while (n < 0 && errno == EINTR);
        if (n < 0)
            return unix__error(errno);
        if ((size_t)n < VNET_HLEN)
            return MOTE_EIO;
        n -= (ssize_t)VNET_HLEN;
        if (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
            gso->flags |= MOTE_NET_GSO_F_NEEDS_CSUM;
        if (vh.flags & VIRTIO_NET_HDR_F_DATA_VALID)
            gso->flags |= MOTE_NET_GSO_F_DATA_VALID;
        switch (vh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
        case VIRTIO_NET_HDR_GSO_NONE:
            break;
        case VIRTIO_NET_HDR_GSO_TCPV4:
            gso->gso_type = MOTE_NET_GSO_TCPV4;
            break;
        case VIRTIO_NET_HDR_GSO_TCPV6:
            gso->gso_type = MOTE_NET_GSO_TCPV6;
            break;
        default:
            /* UDP or unknown: we never enabled it; the frame cannot be
             * taken as it is (checksum likely partial). Say nothing was
             * read rather than hand over something misleading. */
            *read_size = 0;
            return 0;
        }
        gso->hdr_len = vh.hdr_len;
        gso->gso_size = vh.gso_size;
        gso->csum_start = vh.csum_start;
        gso->csum_offset = vh.csum_offset;
    } else {
        do
            n = read(d->fd, buf, size);
        while (n < 0 && errno == EINTR);
        if (n < 0)
            return unix__error(errno);
    }
    *read_size = (size_t)n;
    return 0;
}

int mote_platform_net_read(mote_handle handle, uint8_t *buf, size_t size,
                           size_t *read_size)
{
    struct mote_net_gso gso;
    return mote_platform_net_read_gso(handle, buf, size, read_size, &gso);
}

int mote_platform_block_acquire(const char *name, mote_handle *handle,
                                struct mote_block_info *info)
{
    mote_handle h;
    int err = alloc_handle(name, DEV_BLOCK, &h);
    if (err)
        return err;
    int fd = open(name, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return unix__error(errno);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        err = unix__error(errno);
        goto fail;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        err = MOTE_EINVAL;
        goto fail;
    }
    uint64_t size = (uint64_t)st.st_size;
    if (S_ISBLK(st.st_mode)) {
        off_t end = lseek(fd, 0, SEEK_END);
        if (end < 0) {
            err = unix__error(errno);
            goto fail;
        }
        size = (uint64_t)end;
    }
    struct device *d = &U.dev[h];
    d->kind = DEV_BLOCK;
    d->fd = fd;
    d->block_size = 512;
    /* A trailing partial block is not addressable. */
    d->capacity = size - size % d->block_size;
    strcpy(d->name, name);
    info->capacity = d->capacity;
    info->block_size = d->block_size;
    *handle = h;
    return 0;
fail:
    close(fd);
    return err;
}

static int block_check(struct device *d, uint64_t offset, size_t size)
{
    if (offset % d->block_size || size % d->block_size)
        return MOTE_EINVAL;
    if (offset > d->capacity || size > d->capacity - offset)
        return MOTE_ERANGE;
    return 0;
}

int mote_platform_block_write(mote_handle handle, uint64_t offset,
                              const uint8_t *buf, size_t size)
{
    struct device *d = get_dev(handle, DEV_BLOCK);
    int err = block_check(d, offset, size);
    while (!err && size > 0) {
        ssize_t n = pwrite(d->fd, buf, size, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? unix__error(errno) : MOTE_EIO;
        buf += n;
        size -= (size_t)n;
        offset += (uint64_t)n;
    }
    return err;
}

int mote_platform_block_read(mote_handle handle, uint64_t offset, uint8_t *buf,
                             size_t size)
{
    struct device *d = get_dev(handle, DEV_BLOCK);
    int err = block_check(d, offset, size);
    while (!err && size > 0) {
        ssize_t n = pread(d->fd, buf, size, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) /* 0: the file shrank under us */
            return n < 0 ? unix__error(errno) : MOTE_EIO;
        buf += n;
        size -= (size_t)n;
        offset += (uint64_t)n;
    }
    return err;
}

/* ---- Entropy and stacks
 * ------------------------------------------------------ */

/* A forked child has a new process id. */
uint64_t mote_platform_fork_generation(void)
{
    return (uint64_t)getpid();
}

int mote_platform_entropy(void *buf, size_t size)
{
    uint8_t *p = buf;
    while (size > 0) {
        ssize_t n = getrandom(p, size, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return MOTE_EIO;
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

/* Released stacks are kept for reuse, newest first, by exact size: a fresh
 * one costs mmap + mprotect + munmap, microseconds against a fiber spawn's
 * hundred nanoseconds. */
#define STACK_CACHE_MAX 128
static struct {
    void *stack;
    size_t size;
} stack_cache[STACK_CACHE_MAX];
static size_t stack_cache_len;

void *mote_platform_stack_alloc(size_t size)
{
    if (size == 0 || size % PAGE || size > SIZE_MAX - PAGE)
        return NULL;
    for (size_t i = stack_cache_len; i-- > 0;)
        if (stack_cache[i].size == size) {
            void *p = stack_cache[i].stack;
            stack_cache[i] = stack_cache[--stack_cache_len];
            return p;
        }
    /* MAP_NORESERVE: a fiber touches only the pages it uses, so thousands
     * of 256 KiB stacks cost what they use, not what they reserve. */
    char *p = mmap(NULL, size + PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if (mprotect(p, PAGE, PROT_NONE) < 0) {
        munmap(p, size + PAGE);
        return NULL;
    }
    return p + PAGE;
}

void mote_platform_stack_free(void *stack, size_t size)
{
    if (!stack)
        return;
    if (stack_cache_len < STACK_CACHE_MAX) {
        stack_cache[stack_cache_len].stack = stack;
        stack_cache[stack_cache_len].size = size;
        stack_cache_len++;
        return;
    }
    munmap((char *)stack - PAGE, size + PAGE);
}

/* ---- Signals -------------------------------------------------------------
 *
 * Each acquired signal is blocked and read through its own signalfd,
 * registered in the epoll set like a TAP device, so its arrival wakes the
 * scheduler at once and shows in yield's ready set. Level-triggered: the
 * handle stays ready until mote_platform_signal_read drains it. */

static int host_signo(enum mote_signal sig)
{
    switch (sig) {
    case MOTE_SIGNAL_TERM:
        return SIGTERM;
    case MOTE_SIGNAL_INT:
        return SIGINT;
    case MOTE_SIGNAL_HUP:
        return SIGHUP;
    default:
        return 0;
    }
}

int mote_platform_signal_acquire(enum mote_signal sig, mote_handle *handle)
{
    int signo = host_signo(sig);
    if (!signo)
        return MOTE_EINVAL;
    mote_handle h;
    int err = alloc_handle(strsignal(signo), DEV_SIGNAL, &h);
    if (err)
        return err;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signo);
    /* Block first: a signal arriving in between then waits in the
     * signalfd instead of taking its default action. */
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return unix__error(errno);
    int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) {
        err = unix__error(errno);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        return err;
    }
    struct device *d = &U.dev[h];
    d->watch.cb = net_ready;
    err = unix__watch(fd, EPOLLIN | EPOLLET, &d->watch);
    if (err) {
        close(fd);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        return err;
    }
    d->kind = DEV_SIGNAL;
    d->fd = fd;
    d->signo = signo;
    snprintf(d->name, sizeof(d->name), "%s", strsignal(signo));
    *handle = h;
    return 0;
}

int mote_platform_signal_read(mote_handle handle, uint64_t *count)
{
    struct device *d = get_dev(handle, DEV_SIGNAL);
    struct signalfd_siginfo si[8];
    *count = 0;
    for (;;) {
        ssize_t n = read(d->fd, si, sizeof(si));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        *count += (uint64_t)n / sizeof(si[0]);
    }
    return *count ? 0 : MOTE_EAGAIN;
}

void mote_platform_signal_release(mote_handle handle)
{
    struct device *d = get_dev(handle, DEV_SIGNAL);
    close(d->fd); /* also leaves the epoll set */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sigaction(d->signo, &sa, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, d->signo);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    memset(d, 0, sizeof(*d));
    d->fd = -1;
}

/* Stacks are private anonymous mappings: after MADV_DONTNEED their pages
 * are freed and read back as zeros when touched again. */
int mote_platform_stack_release(void *addr, size_t size)
{
    if ((uintptr_t)addr % PAGE || size % PAGE)
        abort(); /* contract violation */
    if (size == 0)
        return 0;
    return madvise(addr, size, MADV_DONTNEED) < 0 ? unix__error(errno) : 0;
}

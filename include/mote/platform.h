/* The platform ABI: everything Mote needs from a host, and nothing more. */
#ifndef MOTE_PLATFORM_H
#define MOTE_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/*
 * This is the whole contract between Mote and the thing it runs on. The unix
 * backend (src/platform/unix) implements it over Linux; the spt guest
 * bindings implement it over a seccomp-sandboxed process whose tender hands
 * over the devices. It is modelled on Solo5's solo5.h and kept small on
 * purpose: a new host should be a day's work.
 *
 * Error policy, stated once: every call that can fail returns 0 or a negative
 * MOTE_E* code from <mote/error.h>. Calls never print. A call given a handle
 * it did not hand out, or a NULL where a pointer is required, is a contract
 * violation and may abort. Failures caused by the host (a missing TAP, a
 * short block file) are returned as errors, never aborted on.
 *
 * Concurrency: the platform is single-threaded. All calls are made from the
 * one thread that entered mote_boot(), and none of them blocks except
 * mote_platform_yield(), which is how the scheduler sleeps.
 */

/* Handles name acquired devices. At most MOTE_PLATFORM_MAX_HANDLES devices
 * exist at once, so a set of ready handles fits in one word. */
typedef uint64_t mote_handle;
typedef uint64_t mote_handle_set;
#define MOTE_PLATFORM_MAX_HANDLES 64

/* ---- Boot ------------------------------------------------------------- */

struct mote_boot_info {
    /* The command line, NUL-terminated, owned by the platform for the life
     * of the program. Arguments are separated by blanks; an argument may be
     * quoted with '...' or "..." and a backslash escapes the next byte
     * (mote_cmdline_split() in <mote/core.h> undoes this). Never NULL. */
    const char *cmdline;
    /* The heap region handed over at boot, for the guest allocator. Unix
     * processes use the host malloc and pass heap_start = 0, heap_size = 0. */
    uintptr_t heap_start;
    size_t heap_size;
};

/* The platform calls this once, after it has set itself up; the core
 * implements it (src/core/boot.c). Its return value is the exit status
 * passed to mote_platform_exit(). */
int mote_boot(const struct mote_boot_info *info);

/* ---- Console ---------------------------------------------------------- */

/* Write size bytes to the console (stderr on unix). Best effort: a console
 * that cannot take the bytes drops them. */
void mote_platform_console_write(const char *buf, size_t size);

/* ---- Time ------------------------------------------------------------- */

/* Nanoseconds since an arbitrary point; never goes backwards. */
uint64_t mote_platform_clock_monotonic(void);

/* Nanoseconds since the UNIX epoch, as the host believes it (may jump). */
uint64_t mote_platform_clock_wall(void);

/* ---- Yield ------------------------------------------------------------ */

/* Sleep until a device is ready or the monotonic clock reaches deadline
 * (deadline 0 polls without sleeping; UINT64_MAX sleeps until a device is
 * ready). On return *ready holds the set bit (1 << handle) of every network
 * device with a frame to read and of every signal that arrived. Block devices
 * are synchronous and never appear in *ready. May return early with *ready == 0
 * (spurious wake-up). */
void mote_platform_yield(uint64_t deadline, mote_handle_set *ready);

/* ---- Network devices --------------------------------------------------- */

struct mote_net_info {
    uint8_t mac[6];
    size_t mtu; /* largest payload of a frame, excluding the 14-byte header */
    /* What the device does for us (MOTE_NET_OFFLOAD_* bits), 0 for none.
     * The TX bits say what mote_platform_net_write_gso accepts; the RX
     * bits what mote_platform_net_rx_offload may turn on. */
    uint32_t offloads;
};

/* Offloads (mote_net_info.offloads). The model is virtio-net's header
 * (struct virtio_net_hdr, VIRTIO 1.2 5.1.6), which a Linux TAP opened
 * with IFF_VNET_HDR speaks too. */
#define MOTE_NET_OFFLOAD_CSUM    0x01u /* completes a partial TCP/UDP checksum */
#define MOTE_NET_OFFLOAD_TSO4    0x02u /* cuts a TCP/IPv4 super-frame (+CSUM) */
#define MOTE_NET_OFFLOAD_TSO6    0x04u /* cuts a TCP/IPv6 super-frame (+CSUM) */
#define MOTE_NET_OFFLOAD_RX_CSUM 0x10u /* may hand over partial checksums */
#define MOTE_NET_OFFLOAD_RX_GSO  0x20u /* may hand over TCP super-frames */

/* Largest frame a device with RX_GSO turned on may hand over: a 65535-byte
 * IP datagram with its Ethernet header (rounded up). Read buffers MUST be
 * at least this large once mote_platform_net_rx_offload enabled RX_GSO. */
#define MOTE_NET_GSO_FRAME_MAX (65536u + 64u)

enum mote_net_gso_type {
    MOTE_NET_GSO_NONE = 0, /* one frame as it is */
    MOTE_NET_GSO_TCPV4,    /* a TCP/IPv4 super-frame: cut it at gso_size */
    MOTE_NET_GSO_TCPV6,    /* the same for TCP/IPv6 */
};

/* MOTE_NET_GSO_F_* (mote_net_gso.flags) */
#define MOTE_NET_GSO_F_NEEDS_CSUM                                              \
    0x01u                               /* checksum field holds only the       \
                                           pseudo-header sum: complete it */
#define MOTE_NET_GSO_F_DATA_VALID 0x02u /* read: the host checked it */

/* What goes with a frame that needs the device's help (write) or that the
 * device helped with (read). Offsets count from the frame's first byte
 * (the Ethernet header). On write, a super-frame is one Ethernet frame
 * whose IPv4 total length or IPv6 payload length covers all of it; the
 * device sends it as frames each carrying a copy of the first hdr_len
 * bytes and gso_size payload bytes (the last may be shorter), with the IP
 * lengths, IPv4 identification, TCP sequence numbers, FIN/PSH (last only)
 * and checksums fixed up. */
struct mote_net_gso {
    uint8_t flags;        /* MOTE_NET_GSO_F_* */
    uint8_t gso_type;     /* enum mote_net_gso_type */
    uint16_t hdr_len;     /* Ethernet + IP + TCP header bytes */
    uint16_t gso_size;    /* TCP payload bytes per frame (not for NONE) */
    uint16_t csum_start;  /* where the checksummed bytes start */
    uint16_t csum_offset; /* from csum_start to the checksum field */
};

/* Acquire the network device called name (on unix: a TAP interface name).
 * Errors: MOTE_ENOENT no such device, MOTE_EACCES no permission to open it,
 * MOTE_EBUSY already acquired, MOTE_ENOSPC too many handles, MOTE_EINVAL
 * name empty or too long, MOTE_EIO other host failure. */
int mote_platform_net_acquire(const char *name, mote_handle *handle,
                              struct mote_net_info *info);

/* Send one Ethernet frame (header included, no FCS). Errors: MOTE_EINVAL
 * size larger than mtu + 14 or smaller than 14, MOTE_EAGAIN host queue full
 * (frame dropped), MOTE_EIO. */
int mote_platform_net_write(mote_handle handle, const uint8_t *buf,
                            size_t size);

/* Receive one frame into buf. On success *read_size is its length. Errors:
 * MOTE_EAGAIN nothing to read now (wait with yield), MOTE_EINVAL buffer
 * smaller than mtu + 14, MOTE_EIO. */
int mote_platform_net_read(mote_handle handle, uint8_t *buf, size_t size,
                           size_t *read_size);

/* Send one frame with offload work for the device (see struct
 * mote_net_gso). gso NULL, or flags 0 with MOTE_NET_GSO_NONE, is
 * mote_platform_net_write. A super-frame may be up to 65535 + 14 bytes.
 * Errors: those of mote_platform_net_write, and MOTE_ENOTSUP when the
 * device lacks the offload asked for (info.offloads), MOTE_EINVAL for
 * offsets outside the frame. */
int mote_platform_net_write_gso(mote_handle handle, const uint8_t *buf,
                                size_t size, const struct mote_net_gso *gso);

/* Turn receive offloads on (rx: MOTE_NET_OFFLOAD_RX_CSUM, optionally with
 * MOTE_NET_OFFLOAD_RX_GSO). Off by default, because the frames they bring
 * are not plain frames: once on, the caller MUST read with
 * mote_platform_net_read_gso and honour its flags (a frame with
 * NEEDS_CSUM has a partial TCP/UDP checksum, one with DATA_VALID a
 * checked one; a GSO frame is a TCP super-frame up to
 * MOTE_NET_GSO_FRAME_MAX bytes, its checksum partial). Errors:
 * MOTE_ENOTSUP (not in info.offloads), MOTE_EIO. */
int mote_platform_net_rx_offload(mote_handle handle, uint32_t rx);

/* mote_platform_net_read that also says what the device did to the frame
 * (*gso zeroed when nothing). The buffer MUST hold MOTE_NET_GSO_FRAME_MAX
 * bytes when RX_GSO is on, mtu + 14 otherwise (MOTE_EINVAL). */
int mote_platform_net_read_gso(mote_handle handle, uint8_t *buf, size_t size,
                               size_t *read_size, struct mote_net_gso *gso);

/* ---- Block devices ----------------------------------------------------- */

struct mote_block_info {
    uint64_t capacity;   /* bytes */
    uint64_t block_size; /* bytes; every I/O is whole, aligned blocks */
};

/* Acquire the block device called name (on unix: a file path, or a name
 * given with --block:NAME=PATH). Errors as for net_acquire. */
int mote_platform_block_acquire(const char *name, mote_handle *handle,
                                struct mote_block_info *info);

/* Read or write size bytes at byte offset. offset and size MUST be multiples
 * of block_size (MOTE_EINVAL otherwise); offset + size past capacity gives
 * MOTE_ERANGE; host failure MOTE_EIO. Complete when they return. */
int mote_platform_block_write(mote_handle handle, uint64_t offset,
                              const uint8_t *buf, size_t size);
int mote_platform_block_read(mote_handle handle, uint64_t offset, uint8_t *buf,
                             size_t size);

/* ---- Entropy ----------------------------------------------------------- */

/* Fill buf with size bytes from the host's cryptographically secure source.
 * Blocks only until the host pool is initialised at boot. Errors: MOTE_EIO
 * if the host cannot supply them (the buffer contents are then undefined). */
int mote_platform_entropy(void *buf, size_t size);

/* A number that changes in a process created by fork() (unix: the process
 * id), so a random generator can tell it must reseed rather than repeat
 * its parent's output. A platform that cannot fork returns 0 always. */
uint64_t mote_platform_fork_generation(void);

/* ---- Memory for fiber stacks ------------------------------------------- */

/* Allocate size bytes (a multiple of 4096) for a fiber stack, with an
 * inaccessible guard page below it where the host can provide one (unix:
 * mmap + PROT_NONE). Returns the lowest usable address, or NULL with
 * MOTE_ENOMEM semantics. Free with mote_platform_stack_free(). */
void *mote_platform_stack_alloc(size_t size);
void mote_platform_stack_free(void *stack, size_t size);

/* Tell the platform that the contents of [addr, addr + size), part of a
 * stack from mote_platform_stack_alloc(), are no longer needed, so it may
 * give the pages back to the host (unix: madvise(MADV_DONTNEED)). addr and
 * size MUST be multiples of 4096. The memory stays allocated and usable:
 * after a successful release it reads as zeros and costs memory again
 * only where it is touched. Returns 0 if the pages were released, or
 * MOTE_ENOTSUP (contents unchanged) where the host cannot take pages back
 * (spt: the sandbox allows no madvise). The core uses it to park the
 * stacks of fibers that wait a long time (mote_fiber_park_stack). */
int mote_platform_stack_release(void *addr, size_t size);

/* ---- Signals ----------------------------------------------------------- */

/* Operator requests delivered as events rather than asynchronous
 * interruptions. Numbered by the ABI, not by the host. */
enum mote_signal {
    MOTE_SIGNAL_NONE = 0,
    MOTE_SIGNAL_TERM, /* please stop (SIGTERM) */
    MOTE_SIGNAL_INT,  /* interrupted by the operator (SIGINT, Ctrl-C) */
    MOTE_SIGNAL_HUP,  /* reload or reopen (SIGHUP) */
};

/* Take over delivery of signal sig: from now on it no longer has its
 * default effect (ending the program) but makes handle ready in
 * mote_platform_yield's ready set, like a network device, each time it
 * arrives (unix: the signal is blocked and read through a signalfd in the
 * epoll set, so it wakes the scheduler at once). Errors: MOTE_EINVAL
 * unknown sig, MOTE_EBUSY already acquired, MOTE_ENOSPC too many handles,
 * MOTE_ENOTSUP the platform has no signals (spt: the tender receives them
 * and simply ends the guest), MOTE_EIO. */
int mote_platform_signal_acquire(enum mote_signal sig, mote_handle *handle);

/* How many times the signal arrived since the last call (0 with
 * MOTE_EAGAIN if none). A handle becomes ready when a signal arrives, not
 * while one is pending, so callers MUST read before they wait:
 * for (;;) { if (read(h, &n) == 0) break; mote_wait_device(h, ...); } */
int mote_platform_signal_read(mote_handle handle, uint64_t *count);

/* Give the signal back its default effect (unix: unblocked, SIG_DFL), so
 * that a second SIGTERM after a graceful stop began ends the program at
 * once. The handle is invalid afterwards. */
void mote_platform_signal_release(mote_handle handle);

/* ---- Exit -------------------------------------------------------------- */

/* End the program with status. Does not return. */
_Noreturn void mote_platform_exit(int status);

/* End the program abnormally (a contract violation or failed invariant).
 * Does not return; on unix raises SIGABRT so a core dump is possible. */
_Noreturn void mote_platform_abort(void);

#endif

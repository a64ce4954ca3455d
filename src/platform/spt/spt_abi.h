/* The spt boot ABI: what the mote-spt tender hands a guest at its entry. */
#ifndef MOTE_SPT_ABI_H
#define MOTE_SPT_ABI_H

#include <stdint.h>

/*
 * Shared by the tender (tools/spt, a host program) and the guest bindings
 * (src/platform/spt, freestanding): plain fixed-size types only, no pointers
 * whose width could differ, no host headers.
 *
 * The image is a static, non-PIE x86_64 ELF linked at SPT_IMAGE_BASE
 * (src/platform/spt/spt.lds). It carries a note (name "Mote", type
 * SPT_NOTE_ABI, 4-byte descriptor = SPT_ABI_VERSION) so the tender can
 * refuse anything that is not an spt image of the ABI it speaks.
 *
 * Guest memory, one mapping of mem_size bytes at SPT_IMAGE_BASE:
 *
 *   mem_start                                                    mem_end
 *   | image (text r-x, rodata r--, data+bss rw-) | boot info + cmdline |
 *   | heap ... | stack slots: (guard --- | 256 KiB rw-) x stack_slots |
 *   | guard (---) | boot stack (rw-) |
 *
 * The entry point is called as a C function, void entry(struct
 * spt_boot_info *), on the boot stack (rsp 16-byte aligned before the
 * call), after the seccomp filter is installed. It never returns.
 */

#define SPT_IMAGE_BASE  0x100000u /* 1 MiB, above vm.mmap_min_addr */
#define SPT_ABI_VERSION 3u        /* 3: spt_device.net_flags */
#define SPT_NOTE_NAME   "Mote"
#define SPT_NOTE_ABI    0x4d54u /* note type: descriptor is the ABI version */
#define SPT_PAGE        4096u

#define SPT_MAX_DEVICES  16
#define SPT_DEV_NAME_MAX 32 /* including the NUL */

enum spt_dev_kind {
    SPT_DEV_NONE = 0,
    SPT_DEV_NET,   /* fd: a TAP (IFF_TAP | IFF_NO_PI), non-blocking */
    SPT_DEV_BLOCK, /* fd: a regular file opened read-write */
};

struct spt_device {
    char name[SPT_DEV_NAME_MAX]; /* the guest-side name, NUL-terminated */
    uint32_t kind;               /* enum spt_dev_kind */
    int32_t fd;                  /* host descriptor; the filter pins it */
    uint8_t mac[6];              /* net: the guest's own MAC */
    uint16_t net_flags;          /* net: SPT_NET_* */
    uint32_t mtu;        /* net: payload bytes, without the 14-byte header */
    uint64_t capacity;   /* block: bytes, a multiple of block_size */
    uint64_t block_size; /* block: bytes */
};

/* spt_device.net_flags. SPT_NET_VNET: the TAP was opened with
 * IFF_VNET_HDR, so every frame read from or written to fd is preceded by
 * a 10-byte struct virtio_net_hdr (little-endian: flags, gso_type,
 * hdr_len, gso_size, csum_start, csum_offset), through which the guest may
 * send partial checksums and TCP super-frames of up to 64 KiB. The
 * tender leaves the TAP's receive offloads off (TUNSETOFFLOAD 0): frames
 * read are whole and checksummed. */
#define SPT_NET_VNET  0x1u
#define SPT_VNET_HLEN 10u

struct spt_boot_info {
    uint32_t abi_version; /* SPT_ABI_VERSION */
    uint32_t ndevices;    /* entries used in dev[] */
    uint64_t mem_start, mem_size;
    uint64_t heap_start, heap_size;    /* free memory for the allocator */
    uint64_t stack_low, stack_high;    /* the boot stack, guard page below */
    uint64_t stack_arena, stack_slots; /* fiber stack slots, see below */
    uint64_t cmdline;                  /* address of a NUL-terminated string */
    uint64_t cmdline_max;              /* its buffer size, NUL included */
    struct spt_device dev[SPT_MAX_DEVICES];
};

/* Fiber stack slots: stack_slots slots of SPT_SLOT_SIZE bytes from
 * stack_arena, each an inaccessible guard page (protected by the tender)
 * followed by SPT_SLOT_STACK usable bytes. The guest hands them out as
 * fiber stacks; a fiber that overflows one faults on the guard page. */
#define SPT_SLOT_STACK    (256u * 1024u)
#define SPT_SLOT_SIZE     (SPT_SLOT_STACK + SPT_PAGE)
#define SPT_MAX_SLOTS     4096u
#define SPT_DEFAULT_SLOTS 64u

/* Limits the tender enforces. */
#define SPT_CMDLINE_MAX 8192u
#define SPT_STACK_SIZE  (256u * 1024u)
#define SPT_MEM_MIN_MB  4u
#define SPT_MEM_MAX_MB  65536u

/* Exit status of a guest that aborted or faulted (as Solo5's 255). */
#define SPT_EXIT_ABORT 255

#endif

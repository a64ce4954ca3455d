/* mote-spt internals: image loading, the fault handler, the seccomp filter. */
#ifndef MOTE_TENDER_H
#define MOTE_TENDER_H

#include <stdint.h>

#include "spt_abi.h"

struct tender_image {
    uint64_t mem_start, mem_size; /* the guest's memory, mapped rw */
    uint64_t entry;               /* validated: inside the text segment */
    uint64_t free_start;          /* first page after the image */
};

/* Host-side names of boot.dev[i] (TAP name or file path), from argv. */
extern const char *tender_host_names[SPT_MAX_DEVICES];

/* Read and validate the image at path, map mem_size bytes of guest memory
 * at SPT_IMAGE_BASE, copy and protect the segments. Exits with a message
 * naming the problem on any malformed field. */
void tender_load(const char *path, uint64_t mem_size, struct tender_image *img);

/* Validate an ELF image held in memory (file bytes, size) for a guest
 * memory of mem_size bytes. Returns NULL and fills *img (except the mapping)
 * if it is a loadable spt image, else a message naming the first bad field.
 * Pure: used by tender_load and by the fuzz target. */
const char *tender_elf_check(const uint8_t *file, uint64_t size,
                             uint64_t mem_size, struct tender_image *img);

/* Catch SIGSEGV, SIGBUS, SIGILL and SIGFPE on an alternate stack, print
 * where the guest faulted (naming guard pages: the boot stack's at guard,
 * and the fiber stack slots' in boot) and exit with SPT_EXIT_ABORT. */
void tender_fault_handler_install(const struct spt_boot_info *boot,
                                  uint64_t guard);

/* Install the filter that allows the spt ABI's system calls only, with the
 * descriptors in boot pinned; anything else kills the process (SIGSYS). */
void tender_seccomp_install(const struct spt_boot_info *boot);

#endif

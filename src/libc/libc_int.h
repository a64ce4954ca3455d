/* Private declarations shared between files of the guest libc. */
#ifndef MOTE_LIBC_INT_H
#define MOTE_LIBC_INT_H

#include <stddef.h>
#include <stdint.h>

/*
 * IMPLEMENTATION NOTES
 *
 * Every file is compiled -ffreestanding -nostdinc, and for the unit tests
 * also with every global symbol renamed (memcpy -> mote_libc_memcpy, calls
 * included). Two hazards follow:
 *
 * - gcc may turn a byte loop into a call to memcpy or memset (loop
 *   distribution), even under -ffreestanding. Inside memcpy.c and memset.c
 *   that call would be infinite recursion, so those files switch the
 *   transformation off (LIBC_NO_LOOP_CALLS). clang does not do this under
 *   -ffreestanding.
 * - Word-at-a-time scans that read past the terminating NUL (the classic
 *   strlen trick) are invisible to the hardware but not to AddressSanitizer,
 *   under which the tests run this code. The str* functions therefore read
 *   byte by byte and never past the end; only the mem* functions, which
 *   know their length, move whole words.
 */

#if defined(__GNUC__) && !defined(__clang__)
#define LIBC_NO_LOOP_CALLS                                                     \
    __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define LIBC_NO_LOOP_CALLS
#endif

/* Unaligned, aliasing-safe word access for the mem* functions: compiles to
 * a plain load or store where the CPU allows unaligned access, and to byte
 * accesses where it does not. */
typedef uintptr_t __attribute__((__may_alias__, __aligned__(1))) libc__uword;
#define LIBC_WORD sizeof(uintptr_t)

/* The shared body of strtol, strtoul, strtoll, strtoull, strtoimax and
 * strtoumax: parses the magnitude and sign; the callers clamp. */
struct libc__strtox {
    unsigned long long mag; /* absolute value, valid unless overflow */
    int neg;                /* a '-' sign was read */
    int overflow;           /* the digits exceed ULLONG_MAX */
};

/* Returns 0, or -1 for an invalid base (then *endptr is not written). */
int libc__strtox(const char *nptr, char **endptr, int base,
                 struct libc__strtox *out);

#endif

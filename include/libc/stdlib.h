/* General utilities (C11 7.22 subset) and the guest heap. */
#ifndef MOTE_LIBC_STDLIB_H
#define MOTE_LIBC_STDLIB_H

#include <stddef.h>

/*
 * Prototypes are exactly the standard's, because portable Mote code built
 * for unix sees glibc's <stdlib.h> instead.
 *
 * Not provided: exit, atexit and friends (a guest ends with mote_exit() or
 * by returning from mote_main()), getenv, system, rand (use
 * mote_platform_entropy()), strtod and the other floating-point
 * conversions, multibyte and wide characters.
 */

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

typedef struct {
    int quot;
    int rem;
} div_t;
typedef struct {
    long quot;
    long rem;
} ldiv_t;
typedef struct {
    long long quot;
    long long rem;
} lldiv_t;

/* ---- Numeric conversion ------------------------------------------------ */

/* strtol and friends behave as glibc's in the "C" locale: leading isspace()
 * bytes and one sign are skipped; base 0 picks 16 for "0x"/"0X", 8 for a
 * leading 0 and 10 otherwise; base 16 accepts an optional "0x". On overflow
 * the result is clamped (LONG_MAX, LONG_MIN, ULONG_MAX ...) with errno
 * ERANGE, and every digit is still consumed. The unsigned forms negate in
 * the unsigned type ("-1" gives ULONG_MAX). With no digits the result is 0
 * and *endptr = nptr ("0x" followed by no hex digit converts the "0" and
 * leaves *endptr at the "x"). A base other than 0 or 2..36 gives 0 with
 * errno EINVAL and leaves *endptr alone. The "0b" prefix of C23 is not
 * accepted. endptr may be NULL. */
long int strtol(const char *restrict nptr, char **restrict endptr, int base);
long long int strtoll(const char *restrict nptr, char **restrict endptr,
                      int base);
unsigned long int strtoul(const char *restrict nptr, char **restrict endptr,
                          int base);
unsigned long long int strtoull(const char *restrict nptr,
                                char **restrict endptr, int base);

/* (int)strtol(nptr, NULL, 10) and so on, as in glibc: out-of-range input
 * gives the truncated value (set errno ERANGE only through strtol). */
int atoi(const char *nptr);
long int atol(const char *nptr);
long long int atoll(const char *nptr);

/* ---- Memory ------------------------------------------------------------ */

/* The allocator serves the one heap region given to mote_heap_init(); see
 * docs/libc.md for its design. Every pointer returned is aligned for any
 * object type (16 bytes). On exhaustion the functions return NULL with errno
 * ENOMEM; they never abort for lack of memory. malloc(0) returns a unique
 * pointer that must be freed. free(NULL) does nothing. Freeing a pointer the
 * allocator did not return, or freeing it twice, is a contract violation
 * that is detected where cheap and then calls abort().
 *
 * calloc fails with ENOMEM if nmemb * size overflows. realloc grows and
 * shrinks in place when it can; if it cannot allocate, it returns NULL and
 * ptr is untouched. realloc(ptr, 0) frees ptr and returns NULL (as glibc's
 * does). aligned_alloc takes any power of two as alignment (EINVAL
 * otherwise); size need not be a multiple of it. */
void *aligned_alloc(size_t alignment, size_t size);
void *calloc(size_t nmemb, size_t size);
void free(void *ptr);
void *malloc(size_t size);
void *realloc(void *ptr, size_t size);

/* ---- Environment ------------------------------------------------------- */

/* Ends the program abnormally through mote_platform_abort(). */
_Noreturn void abort(void);

/* ---- Searching and sorting --------------------------------------------- */

/* Binary search of a sorted array; returns a matching element or NULL. */
void *bsearch(const void *key, const void *base, size_t nmemb, size_t size,
              int (*compar)(const void *, const void *));

/* Sorts in place; not stable. O(n log n) comparisons in the worst case
 * (introsort: quicksort falling back to heapsort), whatever the input or the
 * comparator; an inconsistent comparator gives an unspecified order but
 * never an access outside the array. */
void qsort(void *base, size_t nmemb, size_t size,
           int (*compar)(const void *, const void *));

/* ---- Integer arithmetic ------------------------------------------------ */

int abs(int j);
long int labs(long int j);
long long int llabs(long long int j);
div_t div(int numer, int denom);
ldiv_t ldiv(long int numer, long int denom);
lldiv_t lldiv(long long int numer, long long int denom);

/* ---- Mote extensions --------------------------------------------------- */

/*
 * The guest heap. The platform calls mote_heap_init() once at boot with the
 * region it hands over (struct mote_boot_info's heap_start and heap_size);
 * until then every allocation fails with ENOMEM. Calling it again forgets
 * every earlier allocation (tests use this). The region is borrowed for the
 * life of the program; base need not be aligned. Returns 0, or MOTE_EINVAL
 * (<mote/error.h>) if the region cannot hold one block: 48 bytes after
 * aligning base up to 16. At most 512 GiB of a larger region is used (2 GiB
 * on 32-bit targets). Single requests are limited to half that.
 */
int mote_heap_init(void *base, size_t size);

struct mote_heap_stats {
    size_t size;         /* bytes managed: used + free + overhead */
    size_t used;         /* bytes in allocated blocks (>= bytes requested) */
    size_t free;         /* bytes in free blocks */
    size_t overhead;     /* block headers and the end marker */
    size_t largest_free; /* largest free block: malloc(largest_free) works */
    size_t allocations;  /* allocated blocks */
    size_t free_blocks;  /* free blocks: 1 once everything is freed */
};

/* Fills *stats. O(1) except largest_free, which scans one size class. */
void mote_heap_stats(struct mote_heap_stats *stats);

/* Walks the whole heap and checks every invariant listed in docs/libc.md
 * (boundary tags, coalescing, free lists, bitmaps, the counters). Returns 0,
 * or MOTE_EINTERNAL at the first broken one. O(blocks): for tests and
 * debugging, not for production paths. */
int mote_heap_check(void);

#endif

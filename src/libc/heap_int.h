/* Private to the guest allocator: block layout, size classes, heap state. */
#ifndef MOTE_LIBC_HEAP_INT_H
#define MOTE_LIBC_HEAP_INT_H

#include <stddef.h>
#include <stdint.h>

/*
 * IMPLEMENTATION NOTES
 *
 * A TLSF allocator (Masmano et al., "TLSF: a new dynamic memory allocator
 * for real-time systems", 2004) over the one region mote_heap_init() is
 * given. Every operation is O(1): a free block of the right size is found
 * from two bitmaps, and freeing coalesces with both physical neighbours
 * through boundary tags. The region is cut into blocks laid end to end:
 *
 *   | hdr | payload ... | hdr | payload ... | ... | hdr (end marker) |
 *   ^ start                                        ^ end
 *
 * Block header, HEAP_HDR = 16 bytes, directly before the payload:
 *
 *   OFFSET SIZE  MEANING
 *   0      8     prev_phys: header of the physically preceding block, or
 *                NULL for the first block (the boundary tag)
 *   8      8     head: payload size in bytes (a multiple of 16, at least
 *                16) | HEAP_FREE (bit 0) | HEAP_MARK (bit 1, only set
 *                while mote_heap_check() runs)
 *   16     ...   payload; the pointer malloc() returns (16-aligned)
 *
 * A free block keeps its free-list links in the first 16 bytes of its
 * payload (struct heap_links), which is why the smallest payload is 16.
 * The end marker is a header with size 0 and HEAP_FREE clear, so that
 * coalescing stops there without a bounds check. (On 32-bit targets the
 * header fields are 4 bytes each and the rest of the 16 is padding.)
 *
 * Invariants (all checked by mote_heap_check()):
 *
 *   1. Blocks tile [start, end) exactly; every header is 16-aligned.
 *   2. b->prev_phys is the block before b, for every block and the marker.
 *   3. No two free blocks are adjacent: free() coalesces at once.
 *   4. A free block is on exactly one list, lists[fl][sl] with
 *      (fl, sl) = heap_mapping(size), and a list is non-empty iff its bit
 *      is set in sl_bitmap[fl], and sl_bitmap[fl] != 0 iff bit fl is set
 *      in fl_bitmap.
 *   5. size = used + free + (allocations + free_blocks + 1) * HEAP_HDR.
 *
 * Size classes: sizes below HEAP_SMALL (512) get a class each, one per 16
 * bytes (fl 0). Above, fl is the position of the highest set bit and sl
 * the next HEAP_SL_LOG2 bits, so each power-of-two range is split into 32
 * classes and a block wastes at most 1/32 of its size to the class
 * rounding. malloc rounds the request up to the next class boundary, so
 * any block on that class's list, or any higher one, fits ("good fit");
 * only if that finds nothing does it scan the request's own class list,
 * which makes the heap usable to the last byte at the cost of a linear
 * step taken only on the brink of exhaustion.
 *
 * Detected contract violations (abort()): free or realloc of a pointer
 * outside the heap or not 16-aligned, of a free block (double free: a
 * header absorbed by coalescing is left marked free with size 0 to catch
 * this too), or of a block whose header or boundary tags disagree with its
 * neighbours (an overrun from the previous block usually shows up here).
 */

#define HEAP_ALIGN    16
#define HEAP_HDR      16
#define HEAP_MIN      16 /* smallest payload: room for heap_links */
#define HEAP_FREE     ((size_t)1)
#define HEAP_MARK     ((size_t)2)
#define HEAP_FLAGS    ((size_t)HEAP_ALIGN - 1)
#define HEAP_SL_LOG2  5
#define HEAP_SL_COUNT (1u << HEAP_SL_LOG2)
#define HEAP_FL_SHIFT (HEAP_SL_LOG2 + 4) /* log2(HEAP_ALIGN) = 4 */
#define HEAP_SMALL    ((size_t)1 << HEAP_FL_SHIFT)
#if SIZE_MAX > 0xffffffffu
#define HEAP_FL_MAX 39 /* blocks below 2^40: 32 first-level classes */
#else
#define HEAP_FL_MAX 31
#endif
#define HEAP_FL_COUNT (HEAP_FL_MAX - HEAP_FL_SHIFT + 2)
/* Largest region used, and largest request: both keep every size and its
 * rounded-up class inside the HEAP_FL_COUNT first-level classes. */
#define HEAP_MAX_REGION  ((size_t)1 << HEAP_FL_MAX)
#define HEAP_MAX_REQUEST ((size_t)1 << (HEAP_FL_MAX - 1))

struct heap_block {
    struct heap_block *prev_phys;
    size_t head;
};

struct heap_links {
    struct heap_block *next;
    struct heap_block *prev;
};

_Static_assert(sizeof(struct heap_block) <= HEAP_HDR, "header fits");
_Static_assert(sizeof(struct heap_links) <= HEAP_MIN, "links fit");
_Static_assert(_Alignof(max_align_t) <= HEAP_ALIGN, "malloc alignment");
_Static_assert(HEAP_FL_COUNT <= 32, "fl_bitmap is 32 bits");

struct libc__heap {
    struct heap_block *start; /* first block; NULL before mote_heap_init */
    struct heap_block *end;   /* the end marker */
    size_t size;              /* end + HEAP_HDR - start */
    size_t used, free;        /* payload bytes in used / free blocks */
    size_t nused, nfree;      /* number of used / free blocks */
    uint32_t fl_bitmap;
    uint32_t sl_bitmap[HEAP_FL_COUNT];
    struct heap_block *lists[HEAP_FL_COUNT][HEAP_SL_COUNT];
};

/* The one heap (guests are single-threaded). */
extern struct libc__heap libc__heap;

static inline size_t heap_size(const struct heap_block *b)
{
    return b->head & ~HEAP_FLAGS;
}

static inline int heap_is_free(const struct heap_block *b)
{
    return (b->head & HEAP_FREE) != 0;
}

static inline struct heap_block *heap_next(const struct heap_block *b)
{
    return (struct heap_block *)((char *)b + HEAP_HDR + heap_size(b));
}

static inline void *heap_payload(const struct heap_block *b)
{
    return (char *)b + HEAP_HDR;
}

static inline struct heap_links *heap_links_of(const struct heap_block *b)
{
    return (struct heap_links *)heap_payload(b);
}

/* Index of the highest set bit; x != 0. */
static inline unsigned heap_fls(size_t x)
{
    return (unsigned)(8 * sizeof(unsigned long long) - 1) -
           (unsigned)__builtin_clzll(x);
}

/* The size class (fl, sl) of a block of payload size (HEAP_MIN or more). */
static inline void heap_mapping(size_t size, unsigned *fl, unsigned *sl)
{
    if (size < HEAP_SMALL) {
        *fl = 0;
        *sl = (unsigned)(size / (HEAP_SMALL / HEAP_SL_COUNT));
    } else {
        unsigned f = heap_fls(size);
        *sl = (unsigned)(size >> (f - HEAP_SL_LOG2)) ^ HEAP_SL_COUNT;
        *fl = f - (HEAP_FL_SHIFT - 1);
    }
}

#endif

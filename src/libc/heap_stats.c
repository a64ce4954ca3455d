/* Heap statistics and the full invariant check (see heap_int.h). */
#include <stdlib.h>

#include <mote/error.h>

#include "heap_int.h"

#define H libc__heap

void mote_heap_stats(struct mote_heap_stats *stats)
{
    stats->size = H.size;
    stats->used = H.used;
    stats->free = H.free;
    stats->overhead = H.start ? (H.nused + H.nfree + 1) * HEAP_HDR : 0;
    stats->allocations = H.nused;
    stats->free_blocks = H.nfree;
    stats->largest_free = 0;
    if (H.fl_bitmap) {
        /* The largest block is on the highest non-empty list, but a list
         * spans a range of sizes: scan it. */
        unsigned fl = heap_fls(H.fl_bitmap);
        unsigned sl = heap_fls(H.sl_bitmap[fl]);
        for (struct heap_block *b = H.lists[fl][sl]; b;
             b = heap_links_of(b)->next)
            if (heap_size(b) > stats->largest_free)
                stats->largest_free = heap_size(b);
    }
}

static int valid_header(const struct heap_block *b)
{
    return (uintptr_t)b % HEAP_ALIGN == 0 && b >= H.start && b <= H.end;
}

/* Walks the blocks in address order, checking invariants 1-3 and 5, and
 * sets HEAP_MARK on every free block for check_lists() to find. */
static int check_blocks(void)
{
    struct heap_block *prev = NULL, *b = H.start;
    size_t used = 0, free = 0, nused = 0, nfree = 0;

    for (;; b = heap_next(b)) {
        if (b->prev_phys != prev)
            return MOTE_EINTERNAL;
        if (b == H.end)
            break;
        size_t size = heap_size(b);
        if (size < HEAP_MIN ||
            size > (size_t)((char *)H.end - (char *)b) - HEAP_HDR ||
            (b->head & HEAP_MARK))
            return MOTE_EINTERNAL;
        if (heap_is_free(b)) {
            if (prev && heap_is_free(prev))
                return MOTE_EINTERNAL; /* missed a coalesce */
            b->head |= HEAP_MARK;
            free += size;
            nfree++;
        } else {
            used += size;
            nused++;
        }
        prev = b;
    }
    if (H.end->head != 0 || used != H.used || free != H.free ||
        nused != H.nused || nfree != H.nfree ||
        H.size != used + free + (nused + nfree + 1) * HEAP_HDR ||
        (size_t)((char *)H.end - (char *)H.start) + HEAP_HDR != H.size)
        return MOTE_EINTERNAL;
    return 0;
}

/* Checks invariant 4: every listed block is a marked (so real, free) block
 * of the list's class, links are consistent, bitmaps match the lists, and
 * the lists hold as many blocks as the walk found. Clears the marks. */
static int check_lists(void)
{
    size_t listed = 0;

    for (unsigned fl = 0; fl < HEAP_FL_COUNT; fl++) {
        if (!H.sl_bitmap[fl] != !(H.fl_bitmap & (1u << fl)))
            return MOTE_EINTERNAL;
        for (unsigned sl = 0; sl < HEAP_SL_COUNT; sl++) {
            struct heap_block *b = H.lists[fl][sl], *prev = NULL;
            if (!b != !(H.sl_bitmap[fl] & (1u << sl)))
                return MOTE_EINTERNAL;
            for (; b; prev = b, b = heap_links_of(b)->next) {
                unsigned f, s;
                if (!valid_header(b) || b == H.end || !(b->head & HEAP_MARK) ||
                    !heap_is_free(b) || heap_links_of(b)->prev != prev ||
                    ++listed > H.nfree)
                    return MOTE_EINTERNAL;
                heap_mapping(heap_size(b), &f, &s);
                if (f != fl || s != sl)
                    return MOTE_EINTERNAL;
                b->head &= ~HEAP_MARK;
            }
        }
    }
    return listed == H.nfree ? 0 : MOTE_EINTERNAL;
}

int mote_heap_check(void)
{
    if (!H.start)
        return H.nused || H.nfree || H.fl_bitmap ? MOTE_EINTERNAL : 0;
    int r = check_blocks();
    if (r == 0)
        r = check_lists();
    /* Leave no mark behind, whatever failed. */
    for (struct heap_block *b = H.start; valid_header(b) && b != H.end;
         b = heap_next(b)) {
        b->head &= ~HEAP_MARK;
        if (heap_size(b) < HEAP_MIN ||
            heap_size(b) > (size_t)((char *)H.end - (char *)b) - HEAP_HDR)
            break;
    }
    return r;
}

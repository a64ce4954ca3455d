/* The guest allocator: TLSF over the heap region (see heap_int.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <mote/error.h>

#include "heap_int.h"

struct libc__heap libc__heap;

#define H libc__heap

/* ---- Free lists ---------------------------------------------------------- */

static void list_insert(struct heap_block *b)
{
    unsigned fl, sl;
    heap_mapping(heap_size(b), &fl, &sl);
    struct heap_block *head = H.lists[fl][sl];
    struct heap_links *l = heap_links_of(b);

    l->prev = NULL;
    l->next = head;
    if (head)
        heap_links_of(head)->prev = b;
    H.lists[fl][sl] = b;
    H.fl_bitmap |= 1u << fl;
    H.sl_bitmap[fl] |= 1u << sl;
    H.free += heap_size(b);
    H.nfree++;
}

static void list_remove(struct heap_block *b)
{
    unsigned fl, sl;
    heap_mapping(heap_size(b), &fl, &sl);
    struct heap_links *l = heap_links_of(b);

    if (l->next)
        heap_links_of(l->next)->prev = l->prev;
    if (l->prev) {
        heap_links_of(l->prev)->next = l->next;
    } else {
        H.lists[fl][sl] = l->next;
        if (!l->next) {
            H.sl_bitmap[fl] &= ~(1u << sl);
            if (!H.sl_bitmap[fl])
                H.fl_bitmap &= ~(1u << fl);
        }
    }
    H.free -= heap_size(b);
    H.nfree--;
}

/* Takes a free block with at least size payload bytes (a multiple of
 * HEAP_ALIGN) off its list, or returns NULL. */
static struct heap_block *find_free(size_t size)
{
    unsigned fl, sl;
    size_t r = size;

    /* First the head of the request's own class: when it fits (always for
     * the exact small classes, and whenever blocks of one size recur) this
     * reuses a hole of the right size instead of carving a larger block,
     * which is what keeps fragmentation low. */
    heap_mapping(size, &fl, &sl);
    struct heap_block *b = H.lists[fl][sl];
    if (b && heap_size(b) >= size) {
        list_remove(b);
        return b;
    }

    /* Round up to the next class boundary: every block listed in that
     * class or above is then large enough, so the first one will do. */
    if (r >= HEAP_SMALL)
        r += ((size_t)1 << (heap_fls(r) - HEAP_SL_LOG2)) - 1;
    heap_mapping(r, &fl, &sl);
    if (fl < HEAP_FL_COUNT) {
        uint32_t slmap = H.sl_bitmap[fl] & (~0u << sl);
        if (!slmap) {
            uint32_t flmap = fl + 1 < 32 ? H.fl_bitmap & (~0u << (fl + 1)) : 0;
            if (flmap) {
                fl = (unsigned)__builtin_ctz(flmap);
                slmap = H.sl_bitmap[fl];
            }
        }
        if (slmap) {
            b = H.lists[fl][__builtin_ctz(slmap)];
            list_remove(b);
            return b;
        }
    }
    /* Blocks further down the request's own class may still fit; see
     * heap_int.h. */
    heap_mapping(size, &fl, &sl);
    for (b = H.lists[fl][sl]; b; b = heap_links_of(b)->next)
        if (heap_size(b) >= size) {
            list_remove(b);
            return b;
        }
    return NULL;
}

/* ---- Blocks ------------------------------------------------------------- */

/* Marks a header that coalescing absorbed, so that a second free() of its
 * pointer finds a free block and aborts instead of corrupting the lists. */
static void kill_header(struct heap_block *b)
{
    b->prev_phys = NULL;
    b->head = HEAP_FREE;
}

/* Joins the free block after the used block b into b. */
static void absorb_next(struct heap_block *b)
{
    struct heap_block *next = heap_next(b);

    list_remove(next);
    H.used += HEAP_HDR + heap_size(next);
    b->head += HEAP_HDR + heap_size(next);
    kill_header(next);
    heap_next(b)->prev_phys = b;
}

/* Returns the used block b to the free lists, coalescing with both
 * neighbours. */
static void release(struct heap_block *b)
{
    H.used -= heap_size(b);
    H.nused--;
    b->head |= HEAP_FREE;

    struct heap_block *prev = b->prev_phys;
    if (prev && heap_is_free(prev)) {
        list_remove(prev);
        prev->head += HEAP_HDR + heap_size(b);
        kill_header(b);
        b = prev;
        heap_next(b)->prev_phys = b;
    }
    struct heap_block *next = heap_next(b);
    if (heap_is_free(next)) {
        list_remove(next);
        b->head += HEAP_HDR + heap_size(next);
        kill_header(next);
        heap_next(b)->prev_phys = b;
    }
    list_insert(b);
}

/* Cuts the used block b down to size payload bytes if the rest can form a
 * block of its own, and frees the rest. */
static void trim(struct heap_block *b, size_t size)
{
    size_t have = heap_size(b);

    if (have < size + HEAP_HDR + HEAP_MIN)
        return;
    struct heap_block *rest =
        (struct heap_block *)((char *)heap_payload(b) + size);
    rest->prev_phys = b;
    rest->head = have - size - HEAP_HDR;
    heap_next(rest)->prev_phys = rest;
    b->head = size | (b->head & HEAP_FLAGS);
    /* rest is born used (counted as such), then released like any block. */
    H.used -= HEAP_HDR;
    H.nused++;
    release(rest);
}

/* Takes a free block off the lists for use. */
static void claim(struct heap_block *b)
{
    b->head &= ~HEAP_FREE;
    H.used += heap_size(b);
    H.nused++;
}

/* The block of a pointer given to free or realloc, after the checks that
 * are cheap enough to make on every call. */
static struct heap_block *block_of(void *ptr)
{
    uintptr_t p = (uintptr_t)ptr;

    if (p % HEAP_ALIGN || p < (uintptr_t)H.start + HEAP_HDR ||
        p > (uintptr_t)H.end)
        abort(); /* not from this heap */
    struct heap_block *b = (struct heap_block *)(p - HEAP_HDR);
    size_t size = heap_size(b);
    if (heap_is_free(b))
        abort(); /* double free, or a pointer into a freed block */
    if (size < HEAP_MIN || size > (uintptr_t)H.end - p ||
        heap_next(b)->prev_phys != b)
        abort(); /* header overwritten */
    struct heap_block *prev = b->prev_phys;
    if (prev ? (uintptr_t)prev % HEAP_ALIGN || prev < H.start || prev >= b ||
                   heap_next(prev) != b
             : b != H.start)
        abort(); /* boundary tag overwritten */
    return b;
}

/* Payload size for a request: a multiple of HEAP_ALIGN, at least HEAP_MIN.
 * The caller has checked size <= HEAP_MAX_REQUEST, so this cannot wrap. */
static size_t payload_for(size_t size)
{
    size = (size + HEAP_ALIGN - 1) & ~(size_t)(HEAP_ALIGN - 1);
    return size < HEAP_MIN ? HEAP_MIN : size;
}

/* ---- The API ------------------------------------------------------------ */

int mote_heap_init(void *base, size_t size)
{
    uintptr_t b = (uintptr_t)base;
    uintptr_t a = (b + HEAP_ALIGN - 1) & ~(uintptr_t)(HEAP_ALIGN - 1);

    if (a < b || size < a - b)
        return MOTE_EINVAL;
    size_t len = (size - (a - b)) & ~(size_t)(HEAP_ALIGN - 1);
    if (len > HEAP_MAX_REGION)
        len = HEAP_MAX_REGION;
    if (len < 2 * HEAP_HDR + HEAP_MIN)
        return MOTE_EINVAL;

    memset(&H, 0, sizeof(H));
    struct heap_block *first = (struct heap_block *)a;
    struct heap_block *end = (struct heap_block *)(a + len - HEAP_HDR);
    first->prev_phys = NULL;
    first->head = (len - 2 * HEAP_HDR) | HEAP_FREE;
    end->prev_phys = first;
    end->head = 0;
    H.start = first;
    H.end = end;
    H.size = len;
    list_insert(first);
    return 0;
}

void *malloc(size_t size)
{
    if (size > HEAP_MAX_REQUEST)
        goto nomem;
    size_t need = payload_for(size);
    struct heap_block *b = find_free(need);
    if (!b)
        goto nomem;
    claim(b);
    trim(b, need);
    return heap_payload(b);
nomem:
    errno = ENOMEM;
    return NULL;
}

void free(void *ptr)
{
    if (ptr)
        release(block_of(ptr));
}

void *aligned_alloc(size_t alignment, size_t size)
{
    if (alignment == 0 || (alignment & (alignment - 1))) {
        errno = EINVAL;
        return NULL;
    }
    if (alignment <= HEAP_ALIGN)
        return malloc(size);
    if (size > HEAP_MAX_REQUEST || alignment > HEAP_MAX_REQUEST)
        goto nomem;

    /* Enough for the payload at the worst offset: a gap in front must be
     * either empty or a whole free block (HEAP_HDR + HEAP_MIN), so the
     * aligned address is at most that plus alignment - HEAP_ALIGN in.
     * Every term is a multiple of HEAP_ALIGN, as find_free requires. */
    size_t need = payload_for(size);
    struct heap_block *b = find_free(need + alignment + HEAP_HDR + HEAP_MIN);
    if (!b)
        goto nomem;
    claim(b);

    uintptr_t p = (uintptr_t)heap_payload(b);
    uintptr_t q = (p + alignment - 1) & ~(uintptr_t)(alignment - 1);
    if (q != p && q - p < HEAP_HDR + HEAP_MIN)
        q = (p + HEAP_HDR + HEAP_MIN + alignment - 1) &
            ~(uintptr_t)(alignment - 1);
    if (q != p) {
        /* Split the gap off as a block of its own and free it. */
        struct heap_block *nb = (struct heap_block *)(q - HEAP_HDR);
        nb->prev_phys = b;
        nb->head = heap_size(b) - (q - p);
        heap_next(nb)->prev_phys = nb;
        b->head = q - p - HEAP_HDR;
        H.used -= HEAP_HDR;
        H.nused++;
        release(b);
        b = nb;
    }
    trim(b, need);
    return heap_payload(b);
nomem:
    errno = ENOMEM;
    return NULL;
}

void *realloc(void *ptr, size_t size)
{
    if (!ptr)
        return malloc(size);
    struct heap_block *b = block_of(ptr);
    if (size == 0) {
        release(b);
        return NULL;
    }
    if (size > HEAP_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }

    size_t need = payload_for(size), have = heap_size(b);
    if (need <= have) {
        trim(b, need);
        return ptr;
    }
    struct heap_block *next = heap_next(b);
    if (heap_is_free(next) && have + HEAP_HDR + heap_size(next) >= need) {
        absorb_next(b);
        trim(b, need);
        return ptr;
    }

    int saved_errno = errno; /* restored if the last resort succeeds */
    void *np = malloc(size);
    if (np) {
        memcpy(np, ptr, have);
        release(b);
        return np;
    }

    /* No room elsewhere: as a last resort, slide down into a free block
     * just before this one (taking a free successor too). */
    struct heap_block *prev = b->prev_phys;
    size_t around = heap_is_free(next) ? HEAP_HDR + heap_size(next) : 0;
    if (!prev || !heap_is_free(prev) ||
        heap_size(prev) + HEAP_HDR + have + around < need)
        return NULL; /* errno is ENOMEM from malloc */
    if (around)
        absorb_next(b);
    list_remove(prev);
    H.used += heap_size(prev) + HEAP_HDR;
    prev->head = heap_size(prev) + HEAP_HDR + heap_size(b);
    kill_header(b);
    heap_next(prev)->prev_phys = prev;
    memmove(heap_payload(prev), ptr, have);
    trim(prev, need);
    errno = saved_errno;
    return heap_payload(prev);
}

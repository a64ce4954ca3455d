/* spt fiber stacks: guarded slots from the tender, else heap + canary. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <mote/error.h>
#include <mote/platform.h>

#include "spt_int.h"

/*
 * The sandbox allows no mmap or mprotect, so the guest cannot make guard
 * pages itself. Two kinds of fiber stack:
 *
 *  - Slots (the usual case): the tender carves an arena of stack slots out
 *    of guest memory before sealing it, each a PROT_NONE guard page then
 *    SPT_SLOT_STACK bytes (spt_abi.h). A stack of up to SPT_SLOT_STACK
 *    bytes gets a slot, placed right above the guard, so an overflow
 *    faults at the first byte past the stack and the tender's handler
 *    names it. Unused slot pages cost no memory (MAP_NORESERVE), but a
 *    freed slot keeps the pages it touched (no madvise in the sandbox).
 *
 *  - Heap blocks with a canary, when the slots run out or the stack is
 *    larger than a slot:
 *
 *      block: | struct stack_hdr | canary (CANARY_WORDS words) | stack ... |
 *                                                              ^ returned
 *
 *    The canary is checked for every live heap stack each time the
 *    scheduler yields to the platform, when the stack is freed, and when
 *    the guest aborts (a heap abort is often a stack's doing). A damaged
 *    canary stops the guest with a message naming the stack. This catches
 *    an overflow after the fact: a frame that leaves a hole over the
 *    canary can skip it and corrupt the heap first, which the allocator's
 *    own checks then usually catch.
 */

#define CANARY_WORDS 32 /* 256 bytes: a few small frames deep */
#define STACK_MAGIC  0x6d6f7465737470ull

struct stack_hdr {
    struct stack_hdr *next, *prev;
    size_t size;
    uint64_t magic;
    uint64_t canary[CANARY_WORDS]; /* must stay last: the stack follows */
};

static struct stack_hdr *live;
static uint64_t canary_seed;

/* Free slots: bit i set when slot i is free. Set up on first use. */
static uint64_t slot_free[SPT_MAX_SLOTS / 64];
static bool slots_ready;

static void *slot_alloc(void)
{
    if (!slots_ready) {
        uint64_t n = spt__boot->stack_slots;
        if (n > SPT_MAX_SLOTS)
            n = SPT_MAX_SLOTS;
        for (uint64_t i = 0; i < n; i++)
            slot_free[i / 64] |= 1ull << (i % 64);
        slots_ready = true;
    }
    for (size_t w = 0; w < SPT_MAX_SLOTS / 64; w++) {
        if (!slot_free[w])
            continue;
        int b = __builtin_ctzll(slot_free[w]);
        slot_free[w] &= slot_free[w] - 1;
        uint64_t i = w * 64 + (uint64_t)b;
        return (void *)(uintptr_t)(spt__boot->stack_arena + i * SPT_SLOT_SIZE +
                                   SPT_PAGE);
    }
    return NULL;
}

/* If p is a slot's stack, free the slot and return true. */
static bool slot_free_if_ours(void *p)
{
    uint64_t a = (uint64_t)(uintptr_t)p, lo = spt__boot->stack_arena;
    if (a < lo || a >= lo + spt__boot->stack_slots * SPT_SLOT_SIZE)
        return false;
    uint64_t i = (a - lo) / SPT_SLOT_SIZE;
    if (a != lo + i * SPT_SLOT_SIZE + SPT_PAGE ||
        (slot_free[i / 64] & (1ull << (i % 64))))
        mote_platform_abort(); /* contract violation: not a live slot */
    slot_free[i / 64] |= 1ull << (i % 64);
    return true;
}

static uint64_t canary_word(const struct stack_hdr *h, int i)
{
    /* Distinct per stack and per word, so a copied stack region or a run
     * of one byte value never matches by accident. */
    return canary_seed ^ ((uint64_t)(uintptr_t)h * 0x9e3779b97f4a7c15ull) ^
           ((uint64_t)i << 56);
}

static bool intact(const struct stack_hdr *h)
{
    if (h->magic != STACK_MAGIC)
        return false;
    for (int i = 0; i < CANARY_WORDS; i++)
        if (h->canary[i] != canary_word(h, i))
            return false;
    return true;
}

static void fmt_hex(char *out, uint64_t v)
{
    static const char hex[] = "0123456789abcdef";
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < 16; i++)
        out[2 + i] = hex[(v >> (60 - 4 * i)) & 15];
    out[18] = 0;
}

static _Noreturn void overflowed(const struct stack_hdr *h)
{
    char addr[19];
    fmt_hex(addr, (uint64_t)(uintptr_t)(h + 1));
    spt__console_str("spt: fiber stack overflow: the stack at ");
    spt__console_str(addr);
    spt__console_str(" was written below its lowest address; give the fiber "
                     "a larger stack\n");
    mote_platform_exit(SPT_EXIT_ABORT);
}

void spt__stacks_check(void)
{
    for (const struct stack_hdr *h = live; h; h = h->next)
        if (!intact(h))
            overflowed(h);
}

void *mote_platform_stack_alloc(size_t size)
{
    if (size == 0 || size % SPT_PAGE ||
        size > SIZE_MAX - sizeof(struct stack_hdr))
        return NULL;
    if (size <= SPT_SLOT_STACK) {
        void *slot = slot_alloc();
        if (slot)
            return slot;
    }
    if (canary_seed == 0 &&
        mote_platform_entropy(&canary_seed, sizeof(canary_seed)) != 0)
        canary_seed = 0x5bd1e9955bd1e995ull;
    struct stack_hdr *h = aligned_alloc(64, sizeof(*h) + size);
    if (!h)
        return NULL;
    h->size = size;
    h->magic = STACK_MAGIC;
    for (int i = 0; i < CANARY_WORDS; i++)
        h->canary[i] = canary_word(h, i);
    h->prev = NULL;
    h->next = live;
    if (live)
        live->prev = h;
    live = h;
    return h + 1;
}

void mote_platform_stack_free(void *stack, size_t size)
{
    if (!stack || slot_free_if_ours(stack))
        return;
    struct stack_hdr *h = (struct stack_hdr *)stack - 1;
    if (!intact(h))
        overflowed(h);
    if (h->size != size)
        mote_platform_abort(); /* contract violation */
    if (h->prev)
        h->prev->next = h->next;
    else
        live = h->next;
    if (h->next)
        h->next->prev = h->prev;
    h->magic = 0;
    free(h);
}

/* The sandbox allows no madvise: a stack's touched pages stay resident
 * until the guest exits, so the core keeps such stacks unparked. */
int mote_platform_stack_release(void *addr, size_t size)
{
    (void)addr;
    (void)size;
    return MOTE_ENOTSUP;
}

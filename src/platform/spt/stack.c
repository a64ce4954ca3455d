/* spt fiber stacks: heap memory with a canary below each stack. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <mote/platform.h>

#include "spt_int.h"

/*
 * The sandbox allows no mmap or mprotect, so a fiber stack cannot get a
 * guard page of its own (the boot stack has one, set up by the tender).
 * Instead each stack sits in one heap block above a canary:
 *
 *   block: | struct stack_hdr | canary (CANARY_WORDS words) | stack ... |
 *                                                           ^ returned
 *
 * The canary is checked for every live stack each time the scheduler
 * yields to the platform, when the stack is freed, and when the guest
 * aborts (a heap abort is often the stack's doing). A damaged canary stops
 * the guest with a message naming the stack. This catches an overflow
 * after the fact, not at the faulting instruction: a frame that jumps past
 * the canary can corrupt the heap first, which the allocator's own checks
 * then usually catch. Keep stacks generous; the cost of an unused page is
 * only heap address space in the guest's own memory.
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
    if (!stack)
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

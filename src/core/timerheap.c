/* A binary min-heap of deadlines with O(log n) insert and remove. */
#include <stdlib.h>

#include <mote/error.h>

#include "core_int.h"

static void put(struct core__timer_heap *h, size_t i, struct core__timer *t)
{
    h->items[i] = t;
    t->index = i;
}

static void sift_up(struct core__timer_heap *h, size_t i)
{
    struct core__timer *t = h->items[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (h->items[parent]->deadline <= t->deadline)
            break;
        put(h, i, h->items[parent]);
        i = parent;
    }
    put(h, i, t);
}

static void sift_down(struct core__timer_heap *h, size_t i)
{
    struct core__timer *t = h->items[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->len)
            break;
        if (c + 1 < h->len && h->items[c + 1]->deadline < h->items[c]->deadline)
            c++;
        if (t->deadline <= h->items[c]->deadline)
            break;
        put(h, i, h->items[c]);
        i = c;
    }
    put(h, i, t);
}

int core__timer_heap_push(struct core__timer_heap *h, struct core__timer *t,
                          uint64_t deadline)
{
    if (h->len == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        struct core__timer **items = realloc(h->items, cap * sizeof(*items));
        if (!items)
            return MOTE_ENOMEM;
        h->items = items;
        h->cap = cap;
    }
    t->deadline = deadline;
    put(h, h->len++, t);
    sift_up(h, t->index);
    return 0;
}

void core__timer_heap_remove(struct core__timer_heap *h, struct core__timer *t)
{
    size_t i = t->index;
    if (i == CORE_TIMER_IDLE)
        return;
    t->index = CORE_TIMER_IDLE;
    h->len--;
    if (i == h->len)
        return;
    struct core__timer *moved = h->items[h->len];
    put(h, i, moved);
    /* The element moved into the hole may belong above or below it. */
    sift_up(h, i);
    sift_down(h, moved->index);
}

void core__timer_heap_release(struct core__timer_heap *h)
{
    free(h->items);
    h->items = NULL;
    h->len = h->cap = 0;
}

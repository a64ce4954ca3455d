/* qsort: introsort (quicksort, heapsort when the recursion gets deep). */
#include <stdint.h>
#include <stdlib.h>

/*
 * Quicksort with a median-of-three (ninther for large ranges) pivot and a
 * Hoare partition that stops on keys equal to the pivot, so all-equal input
 * splits evenly. A depth budget of 2 log2(n) partitions bounds the damage
 * an adversarial input or comparator can do: a range that exhausts it is
 * heapsorted, which keeps the worst case at O(n log n). Ranges of up to
 * SMALL elements are finished by insertion sort.
 *
 * Every index is bounds-checked against the range itself rather than
 * relying on the pivot as a sentinel, because a comparator that is not a
 * consistent order must not send the scans outside the array.
 *
 * The glibc qsort is a merge sort that allocates; this one sorts in place
 * with O(log n) stack, which is what a guest with a fixed heap wants.
 */

#define SMALL 12

struct ctx {
    size_t size;
    int (*cmp)(const void *, const void *);
    int words; /* elements are whole, aligned words: swap by word */
};

static void swap(const struct ctx *c, char *a, char *b)
{
    if (a == b)
        return;
    if (c->words) {
        uintptr_t *x = (uintptr_t *)(void *)a, *y = (uintptr_t *)(void *)b;
        for (size_t i = 0; i < c->size / sizeof(uintptr_t); i++) {
            uintptr_t t = x[i];
            x[i] = y[i];
            y[i] = t;
        }
    } else {
        for (size_t i = 0; i < c->size; i++) {
            char t = a[i];
            a[i] = b[i];
            b[i] = t;
        }
    }
}

static char *at(const struct ctx *c, char *base, size_t i)
{
    return base + i * c->size;
}

static void insertion_sort(const struct ctx *c, char *a, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && c->cmp(at(c, a, j - 1), at(c, a, j)) > 0;
             j--)
            swap(c, at(c, a, j - 1), at(c, a, j));
}

static void sift_down(const struct ctx *c, char *a, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && c->cmp(at(c, a, child), at(c, a, child + 1)) < 0)
            child++;
        if (c->cmp(at(c, a, root), at(c, a, child)) >= 0)
            return;
        swap(c, at(c, a, root), at(c, a, child));
        root = child;
    }
}

static void heap_sort(const struct ctx *c, char *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(c, a, i, n);
    while (n > 1) {
        n--;
        swap(c, a, at(c, a, n));
        sift_down(c, a, 0, n);
    }
}

static size_t median3(const struct ctx *c, char *a, size_t i, size_t j,
                      size_t k)
{
    char *x = at(c, a, i), *y = at(c, a, j), *z = at(c, a, k);

    if (c->cmp(x, y) < 0) {
        if (c->cmp(y, z) < 0)
            return j;
        return c->cmp(x, z) < 0 ? k : i;
    }
    if (c->cmp(x, z) < 0)
        return i;
    return c->cmp(y, z) < 0 ? k : j;
}

/* Partitions a[0..n) around a pivot it moves to a[0] first; returns the
 * pivot's final index p, with a[0..p) <= pivot <= a(p..n). */
static size_t partition(const struct ctx *c, char *a, size_t n)
{
    size_t m;

    if (n >= 128) {
        /* Tukey's ninther: a better pivot where comparisons are cheap
         * relative to the damage of a bad split. */
        size_t s = n / 8;
        m = median3(c, a, median3(c, a, 0, s, 2 * s),
                    median3(c, a, n / 2 - s, n / 2, n / 2 + s),
                    median3(c, a, n - 1 - 2 * s, n - 1 - s, n - 1));
    } else {
        m = median3(c, a, 0, n / 2, n - 1);
    }
    swap(c, a, at(c, a, m));

    size_t i = 0, j = n;
    for (;;) {
        while (++i < n && c->cmp(at(c, a, i), a) < 0)
            ;
        while (--j > 0 && c->cmp(a, at(c, a, j)) < 0)
            ;
        if (i >= j)
            break;
        swap(c, at(c, a, i), at(c, a, j));
    }
    swap(c, a, at(c, a, j));
    return j;
}

/* Sorts a[0..n); depth is the number of partitions left before the
 * heapsort fallback, shared by both sides of every split. */
static void sort(const struct ctx *c, char *a, size_t n, unsigned depth)
{
    /* Recurse into the smaller side, loop on the larger: O(log n) stack. */
    while (n > SMALL) {
        if (depth == 0) {
            heap_sort(c, a, n);
            return;
        }
        depth--;
        size_t p = partition(c, a, n);
        size_t left = p, right = n - p - 1;
        if (left < right) {
            sort(c, a, left, depth);
            a = at(c, a, p + 1);
            n = right;
        } else {
            sort(c, at(c, a, p + 1), right, depth);
            n = left;
        }
    }
    insertion_sort(c, a, n);
}

void qsort(void *base, size_t nmemb, size_t size,
           int (*compar)(const void *, const void *))
{
    struct ctx c = {size, compar,
                    ((uintptr_t)base | size) % sizeof(uintptr_t) == 0};
    unsigned depth = 0;

    if (nmemb < 2 || size == 0)
        return;
    for (size_t k = nmemb; k > 1; k >>= 1)
        depth += 2;
    sort(&c, base, nmemb, depth);
}

/* memmove: copy between blocks that may overlap. */
#include <string.h>

#include "libc_int.h"

/* Not a call to memcpy for the forward case: memcpy's restrict parameters
 * would let the compiler reorder its loads and stores, which is exactly
 * what overlapping blocks cannot tolerate. */
LIBC_NO_LOOP_CALLS void *memmove(void *s1, const void *s2, size_t n)
{
    unsigned char *d = s1;
    const unsigned char *s = s2;

    if (d == s || n == 0)
        return s1;
    /* uintptr_t makes comparing unrelated pointers defined. Copying
     * forward is safe when d is below s or entirely past the source. */
    if ((uintptr_t)d - (uintptr_t)s >= n) {
        while (n && ((uintptr_t)d & (LIBC_WORD - 1))) {
            *d++ = *s++;
            n--;
        }
        for (; n >= LIBC_WORD; n -= LIBC_WORD) {
            *(libc__uword *)d = *(const libc__uword *)s;
            d += LIBC_WORD;
            s += LIBC_WORD;
        }
        while (n--)
            *d++ = *s++;
        return s1;
    }
    /* d overlaps the tail of s: copy backwards. */
    d += n;
    s += n;
    while (n && ((uintptr_t)d & (LIBC_WORD - 1))) {
        *--d = *--s;
        n--;
    }
    for (; n >= LIBC_WORD; n -= LIBC_WORD) {
        d -= LIBC_WORD;
        s -= LIBC_WORD;
        *(libc__uword *)d = *(const libc__uword *)s;
    }
    while (n--)
        *--d = *--s;
    return s1;
}

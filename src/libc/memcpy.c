/* memcpy: copy between non-overlapping blocks. */
#include <string.h>

#include "libc_int.h"

LIBC_NO_LOOP_CALLS void *memcpy(void *restrict s1, const void *restrict s2,
                                size_t n)
{
    unsigned char *d = s1;
    const unsigned char *s = s2;

    /* Align the destination so stores never straddle words; the loads may
     * still be unaligned, which libc__uword makes safe. */
    while (n && ((uintptr_t)d & (LIBC_WORD - 1))) {
        *d++ = *s++;
        n--;
    }
    for (; n >= 4 * LIBC_WORD; n -= 4 * LIBC_WORD) {
        libc__uword *dw = (libc__uword *)d;
        const libc__uword *sw = (const libc__uword *)s;
        dw[0] = sw[0];
        dw[1] = sw[1];
        dw[2] = sw[2];
        dw[3] = sw[3];
        d += 4 * LIBC_WORD;
        s += 4 * LIBC_WORD;
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

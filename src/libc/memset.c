/* memset: fill a block with one byte. */
#include <string.h>

#include "libc_int.h"

LIBC_NO_LOOP_CALLS void *memset(void *s, int c, size_t n)
{
    unsigned char *d = s;
    unsigned char b = (unsigned char)c;

    while (n && ((uintptr_t)d & (LIBC_WORD - 1))) {
        *d++ = b;
        n--;
    }
    uintptr_t w = (uintptr_t)-1 / 0xff * b; /* b in every byte */
    for (; n >= 4 * LIBC_WORD; n -= 4 * LIBC_WORD) {
        libc__uword *dw = (libc__uword *)d;
        dw[0] = w;
        dw[1] = w;
        dw[2] = w;
        dw[3] = w;
        d += 4 * LIBC_WORD;
    }
    for (; n >= LIBC_WORD; n -= LIBC_WORD) {
        *(libc__uword *)d = w;
        d += LIBC_WORD;
    }
    while (n--)
        *d++ = b;
    return s;
}

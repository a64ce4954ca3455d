/* memcmp: compare two blocks as unsigned bytes. */
#include <string.h>

#include "libc_int.h"

int memcmp(const void *s1, const void *s2, size_t n)
{
    const unsigned char *a = s1, *b = s2;

    /* Skip equal words quickly; the first differing word is then compared
     * byte by byte, which gives the right sign on any byte order. */
    while (n >= LIBC_WORD &&
           *(const libc__uword *)a == *(const libc__uword *)b) {
        a += LIBC_WORD;
        b += LIBC_WORD;
        n -= LIBC_WORD;
    }
    for (; n; n--, a++, b++)
        if (*a != *b)
            return *a - *b;
    return 0;
}

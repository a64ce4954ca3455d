/* memchr: find a byte in a block. */
#include <string.h>

void *memchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    unsigned char b = (unsigned char)c;

    for (; n; n--, p++)
        if (*p == b)
            return (void *)p;
    return NULL;
}

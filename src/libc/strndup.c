/* strndup: copy at most size bytes of a string into memory from malloc(). */
#include <stdlib.h>
#include <string.h>

char *strndup(const char *s, size_t size)
{
    size_t n = strnlen(s, size);
    char *d;

    /* n + 1 cannot wrap: n is at most the length of an object. */
    d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* strncpy: copy at most n bytes of a string, padding the rest with NULs. */
#include <string.h>

char *strncpy(char *restrict s1, const char *restrict s2, size_t n)
{
    size_t i = 0;

    for (; i < n && s2[i]; i++)
        s1[i] = s2[i];
    /* The standard's padding, so the result is fully written even though
     * it may lack a terminator. */
    if (i < n)
        memset(s1 + i, 0, n - i);
    return s1;
}

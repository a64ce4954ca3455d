/* strncat: append at most n bytes of a string, always terminating. */
#include <string.h>

char *strncat(char *restrict s1, const char *restrict s2, size_t n)
{
    char *d = s1 + strlen(s1);

    /* s2 need not be terminated within n bytes: never read past them. */
    while (n-- && *s2)
        *d++ = *s2++;
    *d = '\0';
    return s1;
}

/* strchr: first occurrence of a byte in a string (the NUL included). */
#include <string.h>

char *strchr(const char *s, int c)
{
    char ch = (char)c;

    for (;; s++) {
        if (*s == ch)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

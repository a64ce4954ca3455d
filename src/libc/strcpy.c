/* strcpy: copy a string with its NUL. */
#include <string.h>

char *strcpy(char *restrict s1, const char *restrict s2)
{
    char *d = s1;

    while ((*d++ = *s2++))
        ;
    return s1;
}

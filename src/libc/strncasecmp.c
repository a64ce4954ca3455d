/* strncasecmp: compare at most n bytes of two strings ignoring ASCII case. */
#include <ctype.h>
#include <strings.h>

int strncasecmp(const char *s1, const char *s2, size_t n)
{
    const unsigned char *a = (const unsigned char *)s1;
    const unsigned char *b = (const unsigned char *)s2;

    if (n == 0)
        return 0;
    while (--n && *a && tolower(*a) == tolower(*b)) {
        a++;
        b++;
    }
    return tolower(*a) - tolower(*b);
}

/* strspn: length of the prefix made only of bytes from a set. */
#include <string.h>

size_t strspn(const char *s1, const char *s2)
{
    /* A bitmap of the set makes this O(len(s1) + len(s2)). */
    unsigned char set[256 / 8] = {0};
    const unsigned char *p = (const unsigned char *)s2;
    const unsigned char *s = (const unsigned char *)s1;

    for (; *p; p++)
        set[*p >> 3] |= (unsigned char)(1u << (*p & 7));
    size_t n = 0;
    while (s[n] && (set[s[n] >> 3] & (1u << (s[n] & 7))))
        n++;
    return n;
}

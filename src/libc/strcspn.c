/* strcspn: length of the prefix made only of bytes not in a set. */
#include <string.h>

size_t strcspn(const char *s1, const char *s2)
{
    /* A bitmap of the set (the NUL included, which stops the scan) makes
     * this O(len(s1) + len(s2)). */
    unsigned char set[256 / 8] = {1};
    const unsigned char *p = (const unsigned char *)s2;
    const unsigned char *s = (const unsigned char *)s1;

    for (; *p; p++)
        set[*p >> 3] |= (unsigned char)(1u << (*p & 7));
    size_t n = 0;
    while (!(set[s[n] >> 3] & (1u << (s[n] & 7))))
        n++;
    return n;
}

/* strstr: first occurrence of a substring. */
#include <string.h>

/*
 * Two-Way would guarantee linear time; this is the simple quadratic scan
 * with a first-byte filter, which is linear on the short needles (header
 * names, separators) Mote code searches for. NEEDSWORK: switch to Two-Way
 * if a caller ever searches attacker-chosen needles in large haystacks.
 */
char *strstr(const char *s1, const char *s2)
{
    if (!*s2)
        return (char *)s1;
    size_t n = strlen(s2);
    for (; (s1 = strchr(s1, *s2)) != NULL; s1++)
        if (strncmp(s1, s2, n) == 0)
            return (char *)s1;
    return NULL;
}

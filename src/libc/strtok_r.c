/* strtok_r: split a string into tokens, with the caller keeping the state. */
#include <string.h>

char *strtok_r(char *restrict s, const char *restrict sep,
               char **restrict state)
{
    if (!s)
        s = *state;
    /* glibc leaves *state NULL after the last token; tolerate that too. */
    if (!s)
        return NULL;
    s += strspn(s, sep);
    if (!*s) {
        *state = s;
        return NULL;
    }
    char *end = s + strcspn(s, sep);
    if (*end)
        *end++ = '\0';
    *state = end;
    return s;
}

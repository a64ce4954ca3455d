/* strtok: strtok_r with hidden state (guests are single-threaded). */
#include <string.h>

char *strtok(char *restrict s1, const char *restrict s2)
{
    static char *state;

    return strtok_r(s1, s2, &state);
}

/* strtoimax, strtoumax, imaxabs: the <inttypes.h> functions. */
#include <inttypes.h>
#include <stdlib.h>

/* intmax_t is long long or long on every Mote target, both 64 bits wide, so
 * strtoll and strtoull already clamp at the right limits. */
_Static_assert(sizeof(intmax_t) == sizeof(long long), "intmax_t width");

intmax_t strtoimax(const char *restrict nptr, char **restrict endptr, int base)
{
    return strtoll(nptr, endptr, base);
}

uintmax_t strtoumax(const char *restrict nptr, char **restrict endptr, int base)
{
    return strtoull(nptr, endptr, base);
}

intmax_t imaxabs(intmax_t j)
{
    return j < 0 ? -j : j;
}

/* strtoul: parse an unsigned long. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "libc_int.h"

unsigned long int strtoul(const char *restrict nptr, char **restrict endptr,
                          int base)
{
    struct libc__strtox r;

    if (libc__strtox(nptr, endptr, base, &r) < 0) {
        errno = EINVAL;
        return 0;
    }
    /* The range check is on the magnitude; a '-' then negates in the
     * unsigned type, so "-1" is ULONG_MAX without error, as in glibc. */
    if (r.overflow || r.mag > ULONG_MAX) {
        errno = ERANGE;
        return ULONG_MAX;
    }
    unsigned long v = (unsigned long)r.mag;
    return r.neg ? -v : v;
}

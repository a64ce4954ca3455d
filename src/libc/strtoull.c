/* strtoull: parse an unsigned long long. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "libc_int.h"

unsigned long long int strtoull(const char *restrict nptr,
                                char **restrict endptr, int base)
{
    struct libc__strtox r;

    if (libc__strtox(nptr, endptr, base, &r) < 0) {
        errno = EINVAL;
        return 0;
    }
    /* As strtoul: range-check the magnitude, then negate unsigned. */
    if (r.overflow) {
        errno = ERANGE;
        return ULLONG_MAX;
    }
    return r.neg ? -r.mag : r.mag;
}

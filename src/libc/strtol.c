/* strtol: parse a long. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "libc_int.h"

long int strtol(const char *restrict nptr, char **restrict endptr, int base)
{
    struct libc__strtox r;

    if (libc__strtox(nptr, endptr, base, &r) < 0) {
        errno = EINVAL;
        return 0;
    }
    if (r.neg) {
        if (r.overflow || r.mag > (unsigned long long)LONG_MAX + 1) {
            errno = ERANGE;
            return LONG_MIN;
        }
        /* -(mag - 1) - 1 reaches LONG_MIN without signed overflow. */
        return r.mag ? -(long)(r.mag - 1) - 1 : 0;
    }
    if (r.overflow || r.mag > LONG_MAX) {
        errno = ERANGE;
        return LONG_MAX;
    }
    return (long)r.mag;
}

/* strtoll: parse a long long. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "libc_int.h"

long long int strtoll(const char *restrict nptr, char **restrict endptr,
                      int base)
{
    struct libc__strtox r;

    if (libc__strtox(nptr, endptr, base, &r) < 0) {
        errno = EINVAL;
        return 0;
    }
    if (r.neg) {
        if (r.overflow || r.mag > (unsigned long long)LLONG_MAX + 1) {
            errno = ERANGE;
            return LLONG_MIN;
        }
        /* -(mag - 1) - 1 reaches LLONG_MIN without signed overflow. */
        return r.mag ? -(long long)(r.mag - 1) - 1 : 0;
    }
    if (r.overflow || r.mag > LLONG_MAX) {
        errno = ERANGE;
        return LLONG_MAX;
    }
    return (long long)r.mag;
}

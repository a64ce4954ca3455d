/* The parser shared by strtol, strtoul, strtoll, strtoull and strtoimax. */
#include <ctype.h>
#include <limits.h>

#include "libc_int.h"

/* 0-9, then a-z or A-Z as 10-35; 36 ("no digit") for anything else. */
static unsigned digit_value(unsigned char c)
{
    if ((unsigned)c - '0' < 10)
        return c - '0';
    c |= 0x20; /* ASCII lower case; maps no non-letter onto a letter */
    if ((unsigned)c - 'a' < 26)
        return c - 'a' + 10;
    return 36;
}

int libc__strtox(const char *nptr, char **endptr, int base,
                 struct libc__strtox *out)
{
    const unsigned char *s = (const unsigned char *)nptr;

    out->mag = 0;
    out->neg = 0;
    out->overflow = 0;
    /* glibc's order: the base is checked before anything is read, and
     * *endptr is then left alone. */
    if (base < 0 || base == 1 || base > 36)
        return -1;
    while (isspace(*s))
        s++;
    if (*s == '-' || *s == '+')
        out->neg = *s++ == '-';
    /* The "0x" prefix counts only if a hex digit follows; otherwise the
     * "0" alone is the number and *endptr ends up at the "x", which is
     * where glibc leaves it. */
    if ((base == 0 || base == 16) && s[0] == '0' && (s[1] | 0x20) == 'x' &&
        digit_value(s[2]) < 16) {
        s += 2;
        base = 16;
    } else if (base == 0) {
        base = s[0] == '0' ? 8 : 10;
    }

    const unsigned char *digits = s;
    unsigned b = (unsigned)base;
    unsigned long long cut = ULLONG_MAX / b;
    unsigned cutd = (unsigned)(ULLONG_MAX % b);
    unsigned d;
    /* After an overflow the remaining digits are still consumed, so
     * *endptr lands after the whole number as the standard requires. */
    for (; (d = digit_value(*s)) < b; s++) {
        if (out->mag > cut || (out->mag == cut && d > cutd))
            out->overflow = 1;
        else
            out->mag = out->mag * b + d;
    }
    if (s == digits) {
        /* No conversion: report the start of the input, before any blanks
         * or sign. */
        out->neg = 0;
        s = (const unsigned char *)nptr;
    }
    if (endptr)
        *endptr = (char *)s;
    return 0;
}

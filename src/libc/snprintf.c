/* snprintf: formatted output into a buffer of known size. */
#include <stdio.h>

int snprintf(char *restrict s, size_t n, const char *restrict format, ...)
{
    va_list ap;

    va_start(ap, format);
    int r = vsnprintf(s, n, format, ap);
    va_end(ap);
    return r;
}

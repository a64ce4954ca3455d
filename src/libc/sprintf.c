/* sprintf: formatted output into a buffer the caller vouches for. */
#include <stdio.h>

int sprintf(char *restrict s, const char *restrict format, ...)
{
    va_list ap;

    va_start(ap, format);
    int r = vsprintf(s, format, ap);
    va_end(ap);
    return r;
}

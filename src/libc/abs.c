/* abs, labs, llabs: absolute values (undefined for the most negative
 * value, as in C). */
#include <stdlib.h>

int abs(int j)
{
    return j < 0 ? -j : j;
}

long int labs(long int j)
{
    return j < 0 ? -j : j;
}

long long int llabs(long long int j)
{
    return j < 0 ? -j : j;
}

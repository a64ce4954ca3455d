/* div, ldiv, lldiv: quotient and remainder in one call. */
#include <stdlib.h>

div_t div(int numer, int denom)
{
    return (div_t){numer / denom, numer % denom};
}

ldiv_t ldiv(long int numer, long int denom)
{
    return (ldiv_t){numer / denom, numer % denom};
}

lldiv_t lldiv(long long int numer, long long int denom)
{
    return (lldiv_t){numer / denom, numer % denom};
}

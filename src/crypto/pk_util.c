/* Small helpers shared by the public-key code. */
#include "pk_int.h"

uint32_t pk__ct_neq(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint32_t d = 0;
    for (size_t i = 0; i < n; i++)
        d |= (uint32_t)(a[i] ^ b[i]);
    return d;
}

int pk__declassify(uint64_t v)
{
    int r = 0;
    if (v) {
        /* The empty asm keeps this a branch (no if-conversion to setcc),
         * so the result is a defined constant for valgrind. */
        __asm__ volatile("" ::: "memory");
        r = 1;
    }
    return r;
}

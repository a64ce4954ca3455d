/* Helpers every primitive uses: explicit wiping and constant-time compare. */
#include <mote/crypto.h>
#include <string.h>

/* A volatile function pointer: the compiler cannot know it still points at
 * memset, so it cannot prove the store dead and drop it. */
static void *(*const volatile memset_v)(void *, int, size_t) = memset;

void mote_memzero_explicit(void *p, size_t n)
{
    if (n)
        memset_v(p, 0, n);
}

int mote_crypto_ct_equal(const void *a, const void *b, size_t n)
{
    const volatile uint8_t *x = a, *y = b;
    uint32_t d = 0;
    for (size_t i = 0; i < n; i++)
        d |= (uint32_t)(x[i] ^ y[i]);
    /* d is 0..255; (d - 1) >> 31 is 1 exactly when d == 0, with no branch. */
    return (int)((d - 1) >> 31);
}

/* Merkle-Damgard plumbing shared by SHA-1 and SHA-2 (FIPS 180-4 5.1). */
#include <string.h>

#include "crypto_int.h"

void crypto__md_update(void *state, crypto__compress_fn compress, uint8_t *buf,
                       size_t block, uint64_t *len, const uint8_t *p, size_t n)
{
    if (n == 0)
        return; /* p may be NULL */
    size_t used = (size_t)(*len % block);
    *len += n;
    if (used) {
        size_t take = block - used < n ? block - used : n;
        memcpy(buf + used, p, take);
        p += take;
        n -= take;
        if (used + take < block)
            return;
        compress(state, buf, 1);
    }
    compress(state, p, n / block);
    p += n / block * block;
    if (n % block)
        memcpy(buf, p, n % block);
}

void crypto__md_pad(void *state, crypto__compress_fn compress, uint8_t *buf,
                    size_t block, uint64_t len, size_t lenbytes)
{
    size_t used = (size_t)(len % block);
    buf[used++] = 0x80;
    if (used > block - lenbytes) {
        memset(buf + used, 0, block - used);
        compress(state, buf, 1);
        used = 0;
    }
    memset(buf + used, 0, block - 8 - used);
    /* A 128-bit length field (SHA-384/512) has len >> 61 in its top half:
     * always 0 for the lengths a uint64_t byte count can hold. */
    if (lenbytes == 16)
        st64be(buf + block - 16, len >> 61);
    st64be(buf + block - 8, len << 3);
    compress(state, buf, 1);
}

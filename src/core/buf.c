/* mote_buf: growable byte buffers with a read cursor. */
#include <stdlib.h>
#include <string.h>

#include <mote/buf.h>
#include <mote/error.h>

void mote_buf_init(struct mote_buf *b, size_t limit)
{
    memset(b, 0, sizeof(*b));
    b->limit = limit;
}

void mote_buf_release(struct mote_buf *b)
{
    size_t limit = b->limit;
    free(b->data);
    mote_buf_init(b, limit);
}

void mote_buf_clear(struct mote_buf *b)
{
    b->off = b->len = 0;
}

int mote_buf_reserve(struct mote_buf *b, size_t n)
{
    if (n > SIZE_MAX - b->len)
        return MOTE_ENOSPC;
    size_t need = b->len + n;
    if (b->limit && need > b->limit)
        return MOTE_ENOSPC;
    if (b->off + need <= b->cap)
        return 0;
    /* Sliding the unread bytes down is cheaper than growing when at least
     * half the array is consumed space. */
    if (need <= b->cap && b->off >= b->cap / 2) {
        memmove(b->data, b->data + b->off, b->len);
        b->off = 0;
        return 0;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) {
        if (cap > SIZE_MAX / 2)
            return MOTE_ENOMEM;
        cap *= 2;
    }
    if (b->limit && cap > b->limit)
        cap = b->limit;
    uint8_t *d = malloc(cap);
    if (!d)
        return MOTE_ENOMEM;
    if (b->len)
        memcpy(d, b->data + b->off, b->len);
    free(b->data);
    b->data = d;
    b->off = 0;
    b->cap = cap;
    return 0;
}

uint8_t *mote_buf_space(struct mote_buf *b, size_t n, int *err)
{
    int e = mote_buf_reserve(b, n);
    if (err)
        *err = e;
    return e ? NULL : b->data + b->off + b->len;
}

void mote_buf_commit(struct mote_buf *b, size_t n)
{
    b->len += n;
}

int mote_buf_append(struct mote_buf *b, const void *p, size_t n)
{
    int err = mote_buf_reserve(b, n);
    if (err)
        return err;
    if (n)
        memcpy(b->data + b->off + b->len, p, n);
    b->len += n;
    return 0;
}

void mote_buf_consume(struct mote_buf *b, size_t n)
{
    b->off += n;
    b->len -= n;
    if (b->len == 0)
        b->off = 0;
}

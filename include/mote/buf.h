/* Byte buffers: a growable, owned byte array with a read cursor. */
#ifndef MOTE_BUF_H
#define MOTE_BUF_H

#include <stddef.h>
#include <stdint.h>

/*
 * A mote_buf owns data[0..cap). The readable bytes are data[off..off+len);
 * bytes before off have been consumed, bytes after off+len are free space.
 * Appending grows the array (doubling) and slides the readable bytes down
 * when that avoids growing. A zeroed struct (MOTE_BUF_INIT) is an empty
 * buffer that owns nothing. Growth is bounded by limit (0 = no limit) so a
 * peer cannot make a buffer grow without end.
 */
struct mote_buf {
    uint8_t *data;
    size_t off, len, cap;
    size_t limit; /* most bytes the buffer may hold; 0 for no limit */
};

#define MOTE_BUF_INIT                                                          \
    {                                                                          \
        0, 0, 0, 0, 0                                                          \
    }

/* A borrowed view of bytes; owns nothing. */
struct mote_slice {
    const uint8_t *ptr;
    size_t len;
};

void mote_buf_init(struct mote_buf *b, size_t limit);
/* Frees the array; b is then empty, as after init. */
void mote_buf_release(struct mote_buf *b);
/* Forget the contents, keep the array. */
void mote_buf_clear(struct mote_buf *b);

static inline const uint8_t *mote_buf_data(const struct mote_buf *b)
{
    return b->data + b->off;
}
static inline size_t mote_buf_len(const struct mote_buf *b)
{
    return b->len;
}

/* Make room for at least n more bytes after the readable ones. Errors:
 * MOTE_ENOSPC past limit, MOTE_ENOMEM. */
int mote_buf_reserve(struct mote_buf *b, size_t n);
/* Borrowed window of free space after the readable bytes, at least n bytes
 * (reserving as above): write into it, then mote_buf_commit(count). Returns
 * NULL on error (the reserve error via *err if err is not NULL). */
uint8_t *mote_buf_space(struct mote_buf *b, size_t n, int *err);
void mote_buf_commit(struct mote_buf *b, size_t n);
/* Append n bytes. Errors as reserve. */
int mote_buf_append(struct mote_buf *b, const void *p, size_t n);
/* Drop n readable bytes from the front (n <= len). */
void mote_buf_consume(struct mote_buf *b, size_t n);

#endif

/* DER writer: append TLVs to a caller's buffer, nested values patched. */
#include <string.h>

#include <mote/der.h>
#include <mote/error.h>

void mote_der_writer_init(struct mote_der_writer *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->cap = buf ? cap : 0;
    w->len = 0;
    w->err = 0;
    w->depth = 0;
}

static void fail(struct mote_der_writer *w, int err)
{
    if (!w->err)
        w->err = err;
}

int mote_der_writer_finish(const struct mote_der_writer *w, size_t *len)
{
    int err = w->err;
    if (!err && w->depth != 0)
        err = MOTE_EINVAL;
    if (!err && w->len > w->cap)
        err = MOTE_ENOSPC;
    if (len)
        *len = (!err || err == MOTE_ENOSPC) ? w->len : 0;
    return err;
}

/* Append n bytes; past the capacity only count them, so that finish can
 * say how much room was needed. Once len is past cap nothing more is
 * written, so the bytes in buf stay a prefix of the encoding. */
static void put(struct mote_der_writer *w, const void *p, size_t n)
{
    if (w->len + n <= w->cap && w->len <= w->cap && n)
        memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void put_byte(struct mote_der_writer *w, uint8_t b)
{
    put(w, &b, 1);
}

static size_t len_octets(size_t len)
{
    size_t k = 0;
    for (size_t v = len; v; v >>= 8)
        k++;
    return len < 128 ? 1 : 1 + k;
}

static void put_len(struct mote_der_writer *w, size_t len)
{
    uint8_t b[1 + sizeof(size_t)];
    size_t n = len_octets(len);
    if (n == 1) {
        b[0] = (uint8_t)len;
    } else {
        b[0] = (uint8_t)(0x80 | (n - 1));
        for (size_t i = 1; i < n; i++)
            b[i] = (uint8_t)(len >> (8 * (n - 1 - i)));
    }
    put(w, b, n);
}

static bool tag_ok(struct mote_der_writer *w, unsigned tag)
{
    if (tag > 0xFF || (tag & 0x1F) == 0x1F) {
        fail(w, MOTE_EINVAL);
        return false;
    }
    return true;
}

void mote_der_put_begin(struct mote_der_writer *w, unsigned tag)
{
    if (!tag_ok(w, tag))
        return;
    if (w->depth >= MOTE_DER_MAX_DEPTH) {
        fail(w, MOTE_ERANGE);
        return;
    }
    put_byte(w, (uint8_t)tag);
    w->open[w->depth++] = w->len;
    put_byte(w, 0); /* patched by end */
}

void mote_der_put_end(struct mote_der_writer *w)
{
    if (w->depth == 0) {
        fail(w, MOTE_EINVAL);
        return;
    }
    size_t at = w->open[--w->depth];
    size_t content = w->len - at - 1;
    size_t n = len_octets(content);
    /* Move the contents up by the extra length octets, then write the
     * length; only when everything written so far is in the buffer. */
    size_t end = w->len + n - 1;
    if (end <= w->cap) {
        if (n > 1)
            memmove(w->buf + at + n, w->buf + at + 1, content);
        size_t save = w->len;
        w->len = at;
        put_len(w, content);
        w->len = save;
    }
    w->len = end;
}

void mote_der_put_tlv(struct mote_der_writer *w, unsigned tag, const void *val,
                      size_t len)
{
    if (!tag_ok(w, tag))
        return;
    put_byte(w, (uint8_t)tag);
    put_len(w, len);
    put(w, val, len);
}

void mote_der_put_raw(struct mote_der_writer *w, const void *p, size_t len)
{
    put(w, p, len);
}

void mote_der_put_int64(struct mote_der_writer *w, int64_t v)
{
    uint8_t b[8];
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--, u >>= 8)
        b[i] = (uint8_t)u;
    /* Drop leading octets while the next one carries the same sign. */
    size_t s = 0;
    while (s < 7 && ((b[s] == 0x00 && !(b[s + 1] & 0x80)) ||
                     (b[s] == 0xFF && (b[s + 1] & 0x80))))
        s++;
    mote_der_put_tlv(w, MOTE_DER_INTEGER, b + s, 8 - s);
}

void mote_der_put_uint(struct mote_der_writer *w, unsigned tag,
                       const uint8_t *p, size_t n)
{
    while (n > 0 && p[0] == 0) {
        p++;
        n--;
    }
    if (!tag_ok(w, tag))
        return;
    put_byte(w, (uint8_t)tag);
    if (n == 0) {
        put_len(w, 1);
        put_byte(w, 0);
        return;
    }
    bool pad = p[0] & 0x80;
    put_len(w, n + pad);
    if (pad)
        put_byte(w, 0);
    put(w, p, n);
}

void mote_der_put_bool(struct mote_der_writer *w, bool v)
{
    uint8_t b = v ? 0xFF : 0x00;
    mote_der_put_tlv(w, MOTE_DER_BOOLEAN, &b, 1);
}

void mote_der_put_null(struct mote_der_writer *w)
{
    mote_der_put_tlv(w, MOTE_DER_NULL, NULL, 0);
}

void mote_der_put_oid(struct mote_der_writer *w, const uint8_t *oid, size_t len)
{
    struct mote_der_elem e = {MOTE_DER_OID, oid, len, NULL, 0};
    if (mote_der_get_oid(&e) < 0) {
        fail(w, MOTE_EINVAL);
        return;
    }
    mote_der_put_tlv(w, MOTE_DER_OID, oid, len);
}

void mote_der_put_bits(struct mote_der_writer *w, const uint8_t *bits,
                       size_t nbytes, unsigned unused)
{
    if (unused > 7 || (nbytes == 0 && unused != 0)) {
        fail(w, MOTE_EINVAL);
        return;
    }
    put_byte(w, MOTE_DER_BIT_STRING);
    put_len(w, nbytes + 1);
    put_byte(w, (uint8_t)unused);
    if (nbytes == 0)
        return;
    put(w, bits, nbytes - 1);
    put_byte(w, (uint8_t)(bits[nbytes - 1] & ~((1u << unused) - 1)));
}

static void two(char *p, int v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

void mote_der_put_time(struct mote_der_writer *w, unsigned tag, int64_t t)
{
    struct mote_der_civil c;
    if (mote_der_time_to_civil(t, &c) < 0) {
        fail(w, MOTE_ERANGE);
        return;
    }
    if (tag == 0)
        tag = c.year >= 1950 && c.year <= 2049 ? MOTE_DER_UTC_TIME
                                               : MOTE_DER_GENERALIZED_TIME;
    char s[15];
    size_t n = 0;
    if (tag == MOTE_DER_UTC_TIME) {
        if (c.year < 1950 || c.year > 2049) {
            fail(w, MOTE_ERANGE);
            return;
        }
        two(s, c.year % 100);
        n = 2;
    } else if (tag == MOTE_DER_GENERALIZED_TIME) {
        two(s, c.year / 100);
        two(s + 2, c.year % 100);
        n = 4;
    } else {
        fail(w, MOTE_EINVAL);
        return;
    }
    two(s + n, c.month);
    two(s + n + 2, c.day);
    two(s + n + 4, c.hour);
    two(s + n + 6, c.min);
    two(s + n + 8, c.sec);
    s[n + 10] = 'Z';
    mote_der_put_tlv(w, tag, s, n + 11);
}

/* HTTP/1.1 message bodies: Content-Length and chunked (RFC 9112 6-7). */
#include <string.h>

#include <mote/error.h>
#include <mote/http.h>

#include "http_int.h"

enum {
    ST_DONE = 0,
    ST_LENGTH,
    ST_CLOSE,
    ST_SIZE,    /* chunk-size hex digits */
    ST_EXT,     /* after the size: chunk extensions up to CR */
    ST_SIZE_LF, /* CR seen, want LF */
    ST_DATA,
    ST_DATA_CR,
    ST_DATA_LF,
    ST_TRAILER_START, /* start of a trailer line (or the final CRLF) */
    ST_TRAILER_LINE,
    ST_TRAILER_LF,
    ST_FINAL_LF,
};

void mote_http_body_init(struct mote_http_body *b, enum mote_http_framing f,
                         uint64_t length, const struct mote_http_limits *lim)
{
    struct mote_http_limits l = {0};
    if (lim)
        l = *lim;
    mote_http_limits_default(&l);
    memset(b, 0, sizeof(*b));
    b->framing = f;
    b->max = l.max_body;
    b->max_line = l.max_chunk_line;
    b->max_trailers = l.max_trailers;
    switch (f) {
    case MOTE_HTTP_BODY_LENGTH:
        b->remaining = length;
        b->state = length ? ST_LENGTH : ST_DONE;
        break;
    case MOTE_HTTP_BODY_CHUNKED:
        b->state = ST_SIZE;
        break;
    case MOTE_HTTP_BODY_CLOSE:
        b->state = ST_CLOSE;
        break;
    default:
        b->state = ST_DONE;
        break;
    }
}

static int fail(struct mote_http_body *b, int err)
{
    b->error = err;
    return err;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int mote_http_body_feed(struct mote_http_body *b, const uint8_t *in, size_t len,
                        size_t *consumed, struct mote_slice *data)
{
    *consumed = 0;
    *data = (struct mote_slice){in, 0};
    if (b->error)
        return b->error;
    size_t i = 0;
    while (b->state != ST_DONE) {
        if (b->state == ST_LENGTH || b->state == ST_DATA ||
            b->state == ST_CLOSE) {
            if (i == len)
                break;
            size_t n = len - i;
            if (b->state != ST_CLOSE && n > b->remaining)
                n = (size_t)b->remaining;
            if (b->state == ST_CLOSE && n > b->max - b->total)
                return fail(b, MOTE_EMSGSIZE);
            *data = (struct mote_slice){in + i, n};
            i += n;
            b->total += n;
            if (b->state != ST_CLOSE) {
                b->remaining -= n;
                if (b->remaining == 0)
                    b->state = b->state == ST_LENGTH ? ST_DONE : ST_DATA_CR;
            }
            /* Hand back this run of data before decoding any further. */
            *consumed = i;
            return b->state == ST_DONE ? 1 : 0;
        }
        if (i == len)
            break;
        uint8_t c = in[i++];
        switch (b->state) {
        case ST_SIZE: {
            int h = hexval(c);
            if (h >= 0) {
                /* Refuse sizes that would overflow or pass the limit. */
                if (b->remaining > (UINT64_MAX >> 4))
                    return fail(b, MOTE_EMSGSIZE);
                b->remaining = (b->remaining << 4) | (uint64_t)h;
                if (b->remaining > b->max - b->total)
                    return fail(b, MOTE_EMSGSIZE);
                b->line++;
            } else if (b->line == 0) {
                return fail(b, MOTE_EPROTO); /* no digits */
            } else if (c == '\r') {
                b->state = ST_SIZE_LF;
            } else if (c == ';' || c == ' ' || c == '\t') {
                /* chunk-ext (RFC 9112 7.1.1), with BWS before ';'; its
                 * content is ignored but bounded by max_chunk_line. */
                b->state = ST_EXT;
            } else {
                return fail(b, MOTE_EPROTO);
            }
            break;
        }
        case ST_EXT:
            if (++b->line > b->max_line)
                return fail(b, MOTE_EMSGSIZE);
            if (c == '\r')
                b->state = ST_SIZE_LF;
            else if (c == '\n' || (c < 0x20 && c != '\t') || c == 0x7f)
                return fail(b, MOTE_EPROTO);
            break;
        case ST_SIZE_LF:
            if (c != '\n')
                return fail(b, MOTE_EPROTO);
            b->line = 0;
            b->state = b->remaining ? ST_DATA : ST_TRAILER_START;
            break;
        case ST_DATA_CR:
            if (c != '\r')
                return fail(b, MOTE_EPROTO);
            b->state = ST_DATA_LF;
            break;
        case ST_DATA_LF:
            if (c != '\n')
                return fail(b, MOTE_EPROTO);
            b->state = ST_SIZE;
            b->remaining = 0;
            b->line = 0;
            break;
        case ST_TRAILER_START:
            if (c == '\r') {
                b->state = ST_FINAL_LF;
                break;
            }
            /* A trailer field: name ':' value. obs-fold and anything not
             * starting with a token character is refused. */
            if (!http__is_tchar(c))
                return fail(b, MOTE_EPROTO);
            b->line = 1;
            b->state = ST_TRAILER_LINE;
            if (++b->trailers > b->max_trailers)
                return fail(b, MOTE_EMSGSIZE);
            break;
        case ST_TRAILER_LINE:
            if (++b->trailers > b->max_trailers)
                return fail(b, MOTE_EMSGSIZE);
            if (c == '\r') {
                if (b->line)
                    return fail(b, MOTE_EPROTO); /* no colon */
                b->state = ST_TRAILER_LF;
            } else if (c == ':' && b->line) {
                b->line = 0; /* now in the value */
            } else if (b->line && !http__is_tchar(c)) {
                return fail(b, MOTE_EPROTO);
            } else if (!b->line && c != '\t' && (c < 0x20 || c == 0x7f)) {
                return fail(b, MOTE_EPROTO);
            }
            break;
        case ST_TRAILER_LF:
            if (c != '\n')
                return fail(b, MOTE_EPROTO);
            b->state = ST_TRAILER_START;
            break;
        case ST_FINAL_LF:
            if (c != '\n')
                return fail(b, MOTE_EPROTO);
            b->state = ST_DONE;
            break;
        default:
            return fail(b, MOTE_EINTERNAL);
        }
    }
    *consumed = i;
    return b->state == ST_DONE ? 1 : 0;
}

int mote_http_body_eof(struct mote_http_body *b)
{
    if (b->error)
        return b->error;
    if (b->state == ST_DONE)
        return 1;
    if (b->state == ST_CLOSE) {
        b->state = ST_DONE;
        return 1;
    }
    return fail(b, MOTE_EPROTO);
}

/* HTTP library internals shared between files. */
#ifndef MOTE_HTTP_INT_H
#define MOTE_HTTP_INT_H

#include <stdint.h>

#include <mote/buf.h>
#include <mote/http.h>

/*
 * IMPLEMENTATION NOTES
 *
 * Heads are parsed whole: the parser is given every byte received so far
 * and either finds the empty line that ends the head or answers EAGAIN,
 * keeping nothing between calls (the picohttpparser shape). The server
 * keeps the bytes in its input buffer, so parsed fields are views into it
 * until the request is done. Limits are checked on the partial head, so a
 * peer cannot make the buffer grow past max_head before being refused.
 * Each call rescans from the start, so the server (head_ready() in
 * server.c) looks only at newly received bytes and calls the parser only
 * when they could end the head or break a limit: a head trickled byte by
 * byte then costs linear time, not quadratic.
 *
 * Bodies use a byte-driven state machine (body.c):
 *
 *   SIZE -> [EXT] -> SIZE_LF -> DATA -> DATA_CR -> DATA_LF -> SIZE ...
 *   SIZE(0) -> ... SIZE_LF -> TRAILER_LINE -> TRAILER_LF -> ... -> DONE
 *
 * Every framing line is CRLF-terminated; a bare CR or LF is an error.
 */

struct conn; /* server.c */

/* One request and its response, on the connection fiber's heap. */
struct mote_http_exchange {
    struct conn *c;
    struct mote_http_request req;
    struct mote_http_body body;
    int body_done;
    int continue_sent;
    int status;
    int head_sent;
    int ended;
    int no_body; /* HEAD, 1xx, 204, 304 */
    int chunked;
    int close_after;
    int failed;
    uint64_t declared, written;
    int nhdrs;
    size_t hlen;
    struct mote_http_params params; /* set by the router */
    char hdrs[2048];                /* must stay last: not zeroed */
};

struct mote_kv;
/* Write bytes [off, off + len) of kv's file key as (part of) the body
 * without copying them through a buffer (mote_kv_send), with any
 * buffered output in front. MOTE_ENOTSUP when the backend or the flow
 * cannot, or the body is chunked or absent: nothing was done, use
 * mote_http_write. Other errors fail the exchange as write does. */
int http__write_kv(struct mote_http_exchange *x, struct mote_kv *kv,
                   const char *key, size_t klen, uint64_t off, uint64_t len);

int http__is_tchar(uint8_t c);
/* Case-insensitive equality of a slice and a NUL-terminated literal. */
int http__ieq(struct mote_slice s, const char *lit);
/* Does the comma-separated list v contain tok (case-insensitive)? */
int http__list_has(struct mote_slice v, const char *tok);

#endif

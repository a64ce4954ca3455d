/* libFuzzer: HTTP request heads and bodies (src/http/parse.c, body.c). */
#include <stdlib.h>
#include <string.h>

#include <mote/error.h>
#include <mote/http.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int inside(struct mote_slice s, const uint8_t *p, size_t n)
{
    return s.len == 0 || (s.ptr >= p && s.ptr + s.len <= p + n) ||
           (s.len == 1 && s.ptr[0] == '/');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Small limits so the fuzzer reaches every refusal. */
    struct mote_http_limits lim = {.max_line = 200,
                                   .max_head = 1024,
                                   .max_headers = 16,
                                   .max_body = 4096,
                                   .max_chunk_line = 32,
                                   .max_trailers = 128};
    /* A copy the exact size of the input, so ASan catches over-reads. */
    uint8_t *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    struct mote_http_request req;
    size_t used;
    int err = mote_http_request_parse(buf, size, &lim, &req, &used);
    if (err == 0) {
        if (used > size || req.nheaders > 16 ||
            !inside(req.target, buf, size) || !inside(req.path, buf, size) ||
            !inside(req.query, buf, size))
            abort();
        for (size_t i = 0; i < req.nheaders; i++)
            if (!inside(req.headers[i].name, buf, size) ||
                !inside(req.headers[i].value, buf, size) ||
                req.headers[i].name.len == 0)
                abort();
        /* Prefixes of a head that parsed must all be incomplete. */
        struct mote_http_request r2;
        size_t u2;
        if (used > 0 && mote_http_request_parse(buf, used - 1, &lim, &r2,
                                                &u2) != MOTE_EAGAIN)
            abort();
        /* The rest is the body: decode it in pieces whose sizes come from
         * the data itself, and compare with decoding it whole. */
        struct mote_http_body a, b;
        mote_http_body_init(&a, req.framing, req.content_length, &lim);
        mote_http_body_init(&b, req.framing, req.content_length, &lim);
        size_t pos = used, total_a = 0, total_b = 0;
        int ra = 0, rb = 0;
        while (pos < size && ra == 0) {
            size_t u;
            struct mote_slice d;
            ra = mote_http_body_feed(&a, buf + pos, size - pos, &u, &d);
            if (u > size - pos || d.len > u)
                abort();
            total_a += d.len;
            pos += u;
            if (u == 0 && ra == 0)
                break;
        }
        pos = used;
        size_t step = 1 + (size ? buf[size - 1] % 7 : 0);
        while (pos < size && rb == 0) {
            size_t n = size - pos < step ? size - pos : step, u;
            struct mote_slice d;
            rb = mote_http_body_feed(&b, buf + pos, n, &u, &d);
            total_b += d.len;
            pos += u;
            if (u == 0 && rb == 0)
                break;
        }
        if ((ra == 1) != (rb == 1) || (ra == 1 && total_a != total_b))
            abort();
    } else if (err != MOTE_EAGAIN) {
        if (req.status < 400 || req.status > 505)
            abort();
    }
    free(buf);
    return 0;
}

/* libFuzzer: HTTP response heads and bodies as a client sees them. */
#include <stdlib.h>
#include <string.h>

#include <mote/error.h>
#include <mote/http.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct mote_http_limits lim = {
        .max_line = 200, .max_head = 1024, .max_headers = 16, .max_body = 4096};
    /* First byte: the request method the response answers. */
    enum mote_http_method m = (enum mote_http_method)(data[0] % 11);
    uint8_t *buf = malloc(size);
    memcpy(buf, data + 1, size - 1);
    size--;
    struct mote_http_response r;
    size_t used;
    if (mote_http_response_parse(buf, size, &lim, m, &r, &used) == 0) {
        if (used > size || r.status < 100 || r.status > 999)
            abort();
        if ((m == MOTE_HTTP_HEAD || r.status == 204 || r.status == 304) &&
            r.framing != MOTE_HTTP_BODY_NONE)
            abort();
        struct mote_http_body b;
        mote_http_body_init(&b, r.framing, r.content_length, &lim);
        size_t pos = used;
        int res = 0;
        while (pos < size && res == 0) {
            size_t u;
            struct mote_slice d;
            res = mote_http_body_feed(&b, buf + pos, size - pos, &u, &d);
            pos += u;
            if (u == 0)
                break;
        }
        if (res == 0)
            mote_http_body_eof(&b);
    }
    free(buf);
    return 0;
}

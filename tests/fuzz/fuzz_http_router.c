/* libFuzzer: route patterns against request paths, and query strings. */
#include <stdlib.h>
#include <string.h>

#include <mote/error.h>
#include <mote/http.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* "PATTERN\nPATH": the pattern is the server's (trusted, but any), the
     * path the client's. */
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl)
        return 0;
    size_t plen = (size_t)(nl - data);
    char *pattern = malloc(plen + 1);
    memcpy(pattern, data, plen);
    pattern[plen] = 0;
    size_t len = size - plen - 1;
    uint8_t *path = malloc(len ? len : 1);
    memcpy(path, nl + 1, len);
    struct mote_http_params p;
    int r = mote_http_route_match(pattern, path, len, &p);
    if (r == 1) {
        if (p.n > MOTE_HTTP_MAX_PARAMS || p.used > sizeof(p.buf))
            abort();
        for (size_t i = 0; i < p.n; i++)
            if (strlen(p.p[i].value) != p.p[i].value_len)
                abort(); /* decoded values have no NUL inside */
    } else if (r != 0 && r != MOTE_EINVAL && r != MOTE_ENOSPC) {
        abort();
    }
    char v[64];
    struct mote_slice q = {path, len};
    r = mote_http_query_get(q, pattern, v, sizeof(v));
    if (r == 0 && strlen(v) >= sizeof(v))
        abort();
    free(pattern);
    free(path);
    return 0;
}

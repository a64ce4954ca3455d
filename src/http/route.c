/* Path patterns and query strings: pure functions, no server needed. */
#include <string.h>

#include <mote/error.h>
#include <mote/http.h>

/* Decode src[0..n) into the params buffer; returns the stored value or
 * NULL (with *err set). */
static const char *store(struct mote_http_params *out, const uint8_t *src,
                         size_t n, size_t *vlen, int *err)
{
    char *dst = out->buf + out->used;
    size_t room = sizeof(out->buf) - out->used;
    if (room == 0) {
        *err = MOTE_ENOSPC;
        return NULL;
    }
    *err =
        mote_http_pct_decode((const char *)src, n, dst, room - 1, vlen, false);
    if (*err)
        return NULL;
    dst[*vlen] = 0;
    out->used += *vlen + 1;
    return dst;
}

int mote_http_route_match(const char *pattern, const uint8_t *path, size_t len,
                          struct mote_http_params *out)
{
    out->n = 0;
    out->used = 0;
    const char *p = pattern;
    size_t i = 0;
    if (*p != '/' || len == 0 || path[0] != '/')
        return 0;
    for (;;) {
        /* Both at a '/': step over it. */
        p++;
        i++;
        const char *pe = p;
        while (*pe && *pe != '/')
            pe++;
        size_t ie = i;
        while (ie < len && path[ie] != '/')
            ie++;
        if (*p == '*') {
            if (out->n == MOTE_HTTP_MAX_PARAMS)
                return MOTE_ENOSPC;
            int err;
            size_t vl;
            const char *v = store(out, path + i, len - i, &vl, &err);
            if (!v)
                return err;
            out->p[out->n].name = p + 1;
            out->p[out->n].name_len = strlen(p + 1);
            out->p[out->n].value = v;
            out->p[out->n].value_len = vl;
            out->n++;
            return 1;
        }
        if (*p == ':') {
            if (ie == i || out->n == MOTE_HTTP_MAX_PARAMS)
                return ie == i ? 0 : MOTE_ENOSPC;
            int err;
            size_t vl;
            const char *v = store(out, path + i, ie - i, &vl, &err);
            if (!v)
                return err;
            if (memchr(v, '/', vl))
                return 0; /* an encoded slash: not one segment */
            out->p[out->n].name = p + 1;
            out->p[out->n].name_len = (size_t)(pe - p - 1);
            out->p[out->n].value = v;
            out->p[out->n].value_len = vl;
            out->n++;
        } else if ((size_t)(pe - p) != ie - i ||
                   memcmp(p, path + i, ie - i) != 0) {
            return 0;
        }
        p = pe;
        i = ie;
        if (!*p && i == len)
            return 1;
        if (!*p || i == len)
            return 0;
    }
}

int mote_http_query_get(struct mote_slice q, const char *key, char *out,
                        size_t size)
{
    size_t kl = strlen(key), i = 0;
    while (i < q.len) {
        size_t s = i;
        while (i < q.len && q.ptr[i] != '&')
            i++;
        size_t e = i++;
        size_t eq = s;
        while (eq < e && q.ptr[eq] != '=')
            eq++;
        /* Compare the decoded name with the key. */
        char name[256];
        size_t nl;
        if (eq - s > sizeof(name) ||
            mote_http_pct_decode((const char *)q.ptr + s, eq - s, name,
                                 sizeof(name), &nl, true))
            continue;
        if (nl != kl || memcmp(name, key, kl) != 0)
            continue;
        size_t vl = 0;
        if (size == 0)
            return MOTE_ENOSPC;
        if (eq < e) {
            int err =
                mote_http_pct_decode((const char *)q.ptr + eq + 1, e - eq - 1,
                                     out, size - 1, &vl, true);
            if (err)
                return err;
        }
        out[vl] = 0;
        return 0;
    }
    return MOTE_ENOENT;
}

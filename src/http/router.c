/* The router (method and pattern dispatch, 404/405) and middleware. */
#include <stdio.h>
#include <string.h>

#include <mote/error.h>
#include <mote/http.h>

#include "http_int.h"

const char *mote_http_param(const struct mote_http_exchange *x,
                            const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < x->params.n; i++)
        if (x->params.p[i].name_len == nl &&
            memcmp(x->params.p[i].name, name, nl) == 0)
            return x->params.p[i].value;
    return NULL;
}

static int plain(struct mote_http_exchange *x, int status)
{
    char body[80];
    int n = snprintf(body, sizeof(body), "%d %s\n", status,
                     mote_http_reason(status));
    return mote_http_respond(x, status, "text/plain; charset=utf-8", body,
                             (size_t)n);
}

int mote_http_router_handler(void *arg, struct mote_http_exchange *x)
{
    const struct mote_http_router *r = arg;
    const struct mote_http_request *req = &x->req;
    unsigned allow = 0; /* bit per method that has a matching route */
    for (size_t i = 0; i < r->count; i++) {
        const struct mote_http_route *rt = &r->routes[i];
        int m = mote_http_route_match(rt->pattern, req->path.ptr, req->path.len,
                                      &x->params);
        if (m < 0)
            return plain(x, 400);
        if (m == 0)
            continue;
        if (rt->method == MOTE_HTTP_METHOD_NONE || rt->method == req->method ||
            (req->method == MOTE_HTTP_HEAD && rt->method == MOTE_HTTP_GET))
            return rt->handler(rt->arg, x);
        allow |= 1u << rt->method;
    }
    x->params.n = 0;
    if (allow) {
        if (allow & (1u << MOTE_HTTP_GET))
            allow |= 1u << MOTE_HTTP_HEAD;
        char list[128] = "";
        size_t n = 0;
        for (int m = MOTE_HTTP_GET; m < MOTE_HTTP_OTHER; m++)
            if (allow & (1u << m))
                n += (size_t)snprintf(
                    list + n, sizeof(list) - n, "%s%s", n ? ", " : "",
                    mote_http_method_name((enum mote_http_method)m));
        mote_http_add_header(x, "Allow", list);
        return plain(x, 405);
    }
    if (r->not_found)
        return r->not_found(r->not_found_arg, x);
    return plain(x, 404);
}

/* ---- Middleware ---------------------------------------------------------
 */

struct step {
    const struct mote_http_chain *c;
    size_t i;
};

static int chain_next(void *arg, struct mote_http_exchange *x)
{
    struct step *s = arg;
    if (s->i == s->c->count)
        return s->c->handler(s->c->arg, x);
    struct step next = {s->c, s->i + 1};
    const struct mote_http_middleware *m = &s->c->mw[s->i];
    return m->fn(m->arg, x, chain_next, &next);
}

int mote_http_chain_handler(void *arg, struct mote_http_exchange *x)
{
    struct step s = {arg, 0};
    return chain_next(&s, x);
}

int mote_http_mw_cors(void *arg, struct mote_http_exchange *x,
                      mote_http_handler next, void *next_arg)
{
    const char *origin = arg ? arg : "*";
    mote_http_add_header(x, "Access-Control-Allow-Origin", origin);
    if (strcmp(origin, "*") != 0)
        mote_http_add_header(x, "Vary", "Origin");
    const struct mote_http_request *req = &x->req;
    if (req->method == MOTE_HTTP_OPTIONS &&
        mote_http_header_find(req->headers, req->nheaders,
                              "access-control-request-method")) {
        mote_http_add_header(x, "Access-Control-Allow-Methods",
                             "GET, HEAD, POST, PUT, DELETE, OPTIONS");
        const struct mote_http_header *h = mote_http_header_find(
            req->headers, req->nheaders, "access-control-request-headers");
        char list[256];
        if (h && h->value.len < sizeof(list)) {
            memcpy(list, h->value.ptr, h->value.len);
            list[h->value.len] = 0;
            mote_http_add_header(x, "Access-Control-Allow-Headers", list);
        }
        mote_http_add_header(x, "Access-Control-Max-Age", "600");
        return mote_http_respond(x, 204, NULL, NULL, 0);
    }
    return next(next_arg, x);
}

static int b64val(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Standard base64 with padding; returns the length or -1. */
static int b64decode(struct mote_slice in, char *out, size_t size)
{
    if (in.len % 4)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < in.len; i += 4) {
        int v[4], pad = 0;
        for (int k = 0; k < 4; k++) {
            uint8_t c = in.ptr[i + k];
            if (c == '=' && i + 4 == in.len && k >= 2) {
                v[k] = 0;
                pad++;
            } else if (pad || (v[k] = b64val(c)) < 0) {
                return -1;
            }
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
                     (uint32_t)v[2] << 6 | (uint32_t)v[3];
        if (o + 3 - (size_t)pad > size)
            return -1;
        out[o++] = (char)(w >> 16);
        if (pad < 2)
            out[o++] = (char)(w >> 8 & 0xff);
        if (pad < 1)
            out[o++] = (char)(w & 0xff);
    }
    return (int)o;
}

/* Compare without an early exit on the first differing byte. */
static int same(const char *a, size_t al, const char *b, size_t bl)
{
    unsigned d = al != bl;
    size_t n = al < bl ? al : bl;
    for (size_t i = 0; i < n; i++)
        d |= (unsigned)(a[i] ^ b[i]);
    return d == 0;
}

int mote_http_mw_basic_auth(void *arg, struct mote_http_exchange *x,
                            mote_http_handler next, void *next_arg)
{
    const struct mote_http_basic_auth *a = arg;
    const struct mote_http_header *h =
        mote_http_header_find(x->req.headers, x->req.nheaders, "authorization");
    if (h && h->value.len > 6 &&
        http__ieq((struct mote_slice){h->value.ptr, 6}, "basic ")) {
        struct mote_slice cred = {h->value.ptr + 6, h->value.len - 6};
        while (cred.len && cred.ptr[0] == ' ') {
            cred.ptr++;
            cred.len--;
        }
        char dec[512];
        int n = b64decode(cred, dec, sizeof(dec));
        const char *colon = n > 0 ? memchr(dec, ':', (size_t)n) : NULL;
        if (colon) {
            size_t ul = (size_t)(colon - dec);
            int ok_user = same(dec, ul, a->user, strlen(a->user));
            int ok_pass = same(colon + 1, (size_t)n - ul - 1, a->password,
                               strlen(a->password));
            if (ok_user & ok_pass)
                return next(next_arg, x);
        }
    }
    char v[160];
    snprintf(v, sizeof(v), "Basic realm=\"%s\", charset=\"UTF-8\"",
             a->realm ? a->realm : "mote");
    mote_http_add_header(x, "WWW-Authenticate", v);
    return plain(x, 401);
}

/* The HTTP/1.1 client: requests over a kept-alive mote_flow, redirects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/core.h>
#include <mote/error.h>
#include <mote/http.h>

#include "http_int.h"

#define READ_CHUNK 16384
#define URL_MAX    2048

struct mote_http_client {
    struct mote_http_client_config cfg;
    struct mote_http_limits lim;
    struct mote_stack *stack;
    struct mote_flow *flow; /* kept-alive connection, or NULL */
    struct mote_endpoint peer;
    int peer_tls; /* the kept connection runs through tls_wrap */
    struct mote_buf in, req;
    struct mote_http_client_response resp;
};

int mote_http_client_new(const struct mote_http_client_config *cfg,
                         struct mote_http_client **out)
{
    struct mote_http_client *c = calloc(1, sizeof(*c));
    if (!c)
        return MOTE_ENOMEM;
    if (cfg)
        c->cfg = *cfg;
    if (!c->cfg.timeout_ns)
        c->cfg.timeout_ns = 30 * MOTE_NS_PER_SEC;
    c->lim = c->cfg.limits;
    mote_http_limits_default(&c->lim);
    c->stack = c->cfg.stack ? c->cfg.stack : mote_stack_default();
    mote_buf_init(&c->in, c->lim.max_head + 2 * READ_CHUNK);
    mote_buf_init(&c->req, 0);
    mote_buf_init(&c->resp.body, (size_t)c->lim.max_body);
    *out = c;
    return 0;
}

static void drop(struct mote_http_client *c)
{
    if (c->flow)
        mote_flow_close(c->flow);
    c->flow = NULL;
    mote_buf_clear(&c->in);
}

void mote_http_client_free(struct mote_http_client *c)
{
    if (!c)
        return;
    drop(c);
    mote_buf_release(&c->in);
    mote_buf_release(&c->req);
    mote_buf_release(&c->resp.body);
    free(c);
}

/* Split an http:// or https:// URL into endpoint, Host value and request
 * target; *tls is set for https. */
static int parse_url(const char *url, struct mote_endpoint *ep, char *host,
                     size_t hsize, const char **target, int *tls)
{
    const char *a;
    if (strncmp(url, "http://", 7) == 0) {
        a = url + 7;
        *tls = 0;
    } else if (strncmp(url, "https://", 8) == 0) {
        a = url + 8;
        *tls = 1;
    } else {
        return MOTE_EINVAL;
    }
    const char *e = a;
    while (*e && *e != '/' && *e != '?' && *e != '#')
        e++;
    size_t al = (size_t)(e - a);
    if (al == 0 || al >= hsize)
        return MOTE_EINVAL;
    memcpy(host, a, al);
    host[al] = 0;
    *target = *e ? e : "/";
    if (**target == '#')
        *target = "/";
    char buf[300];
    const char *h = host;
    /* "localhost" has no DNS to go through: it is the loopback. */
    if (strncmp(host, "localhost", 9) == 0 &&
        (host[9] == 0 || host[9] == ':')) {
        if (strlen(host + 9) > 100)
            return MOTE_EINVAL;
        snprintf(buf, sizeof(buf), "127.0.0.1%.100s", host + 9);
        h = buf;
    }
    size_t hl = strlen(h);
    /* Default port 80 when none is given. */
    const char *colon = strrchr(h, ':');
    const char *rb = strrchr(h, ']');
    if (!colon || (rb && colon < rb)) {
        if (hl + 5 >= sizeof(buf))
            return MOTE_EINVAL;
        if (h != buf) {
            memcpy(buf, h, hl + 1);
            h = buf;
        }
        memcpy(buf + hl, *tls ? ":443" : ":80", *tls ? 5 : 4);
        hl += *tls ? 4 : 3;
    }
    int err = mote_endpoint_parse(h, hl, ep);
    if (err || ep->addr.family == MOTE_IP_NONE || ep->port == 0)
        return MOTE_EINVAL;
    return 0;
}

static int same_peer(const struct mote_endpoint *a,
                     const struct mote_endpoint *b)
{
    return a->port == b->port && mote_ipaddr_equal(&a->addr, &b->addr);
}

static int fill(struct mote_http_client *c, int *eof)
{
    int err;
    uint8_t *p = mote_buf_space(&c->in, READ_CHUNK, &err);
    if (!p)
        return err == MOTE_ENOSPC ? MOTE_EMSGSIZE : err;
    c->flow->read_deadline = mote_deadline_in(c->cfg.timeout_ns);
    size_t n;
    err = mote_flow_read(c->flow, p, READ_CHUNK, &n);
    if (err)
        return err;
    mote_buf_commit(&c->in, n);
    *eof = n == 0;
    return 0;
}

/* One request/response on c->flow (connecting if needed). *sent_fresh is
 * set when the request went out on a new connection. */
/* The host name of a Host value: no port, no IPv6 brackets. */
static void host_name(const char *host, char *out, size_t size)
{
    size_t n = strlen(host);
    const char *colon = strrchr(host, ':');
    const char *rb = strrchr(host, ']');
    if (host[0] == '[' && rb) {
        host++;
        n = (size_t)(rb - host);
    } else if (colon) {
        n = (size_t)(colon - host);
    }
    if (n >= size)
        n = size - 1;
    memcpy(out, host, n);
    out[n] = 0;
}

static int exchange(struct mote_http_client *c, enum mote_http_method m,
                    const struct mote_endpoint *ep, int tls, const char *host,
                    const char *target, const char *extra, const void *body,
                    size_t len, int *fresh, int *got_bytes)
{
    struct mote_http_client_response *r = &c->resp;
    *got_bytes = 0;
    *fresh = 0;
    if (c->flow && (!same_peer(&c->peer, ep) || c->peer_tls != tls))
        drop(c);
    int err;
    if (!c->flow) {
        if (tls && !c->cfg.tls_wrap)
            return MOTE_ENOTSUP;
        err = mote_tcp_connect(c->stack, ep,
                               mote_deadline_in(c->cfg.timeout_ns), &c->flow);
        if (err) {
            c->flow = NULL;
            return err;
        }
        *fresh = 1; /* a failed handshake is not retried */
        if (tls) {
            char name[256];
            struct mote_flow *t;
            host_name(host, name, sizeof(name));
            c->flow->read_deadline = c->flow->write_deadline =
                mote_deadline_in(c->cfg.timeout_ns);
            err = c->cfg.tls_wrap(c->cfg.tls_wrap_arg, c->flow, name, &t);
            if (err) {
                mote_flow_close(c->flow);
                c->flow = NULL;
                return err;
            }
            c->flow = t;
        }
        c->peer = *ep;
        c->peer_tls = tls;
        *fresh = 1;
        mote_buf_clear(&c->in);
    }
    mote_buf_clear(&c->req);
    char head[URL_MAX + 512];
    int n = snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: %s\r\n",
                     mote_http_method_name(m), target, host);
    if (n < 0 || (size_t)n >= sizeof(head))
        return MOTE_EINVAL;
    err = mote_buf_append(&c->req, head, (size_t)n);
    if (!err && extra)
        err = mote_buf_append(&c->req, extra, strlen(extra));
    if (!err && (body || m == MOTE_HTTP_POST || m == MOTE_HTTP_PUT)) {
        n = snprintf(head, sizeof(head), "Content-Length: %zu\r\n", len);
        err = mote_buf_append(&c->req, head, (size_t)n);
    }
    if (!err)
        err = mote_buf_append(&c->req, "\r\n", 2);
    if (!err && body && len)
        err = mote_buf_append(&c->req, body, len);
    if (err)
        return err;
    c->flow->write_deadline = mote_deadline_in(c->cfg.timeout_ns);
    err = mote_flow_write(c->flow, mote_buf_data(&c->req), c->req.len);
    if (err)
        return err;

    /* The head; skip any 1xx interim responses. */
    size_t used;
    for (;;) {
        err = c->in.len
                  ? mote_http_response_parse(mote_buf_data(&c->in), c->in.len,
                                             &c->lim, m, &r->head, &used)
                  : MOTE_EAGAIN;
        if (err == 0 && r->head.status >= 100 && r->head.status < 200) {
            mote_buf_consume(&c->in, used);
            continue;
        }
        if (err != MOTE_EAGAIN)
            break;
        int eof = 0;
        err = fill(c, &eof);
        if (err)
            return err;
        if (eof)
            return c->in.len ? MOTE_EPROTO : MOTE_ECONNRESET;
        *got_bytes = 1;
    }
    if (err)
        return err;
    *got_bytes = 1;
    /* Keep the head's bytes where the views point: move them into req,
     * which is no longer needed, and rebase the views. */
    mote_buf_clear(&c->req);
    err = mote_buf_append(&c->req, mote_buf_data(&c->in), used);
    if (err)
        return err;
    const uint8_t *from = mote_buf_data(&c->in), *to = mote_buf_data(&c->req);
    r->head.reason.ptr = to + (r->head.reason.ptr - from);
    for (size_t i = 0; i < r->head.nheaders; i++) {
        r->head.headers[i].name.ptr = to + (r->head.headers[i].name.ptr - from);
        r->head.headers[i].value.ptr =
            to + (r->head.headers[i].value.ptr - from);
    }
    mote_buf_consume(&c->in, used);

    struct mote_http_body b;
    mote_http_body_init(&b, r->head.framing, r->head.content_length, &c->lim);
    mote_buf_clear(&r->body);
    int done = r->head.framing == MOTE_HTTP_BODY_NONE;
    while (!done) {
        if (c->in.len) {
            size_t u;
            struct mote_slice d;
            int res = mote_http_body_feed(&b, mote_buf_data(&c->in), c->in.len,
                                          &u, &d);
            if (res < 0)
                return res;
            if (d.len && (err = mote_buf_append(&r->body, d.ptr, d.len)))
                return err == MOTE_ENOSPC ? MOTE_EMSGSIZE : err;
            mote_buf_consume(&c->in, u);
            if (res == 1)
                break;
            if (u)
                continue;
        }
        int eof = 0;
        err = fill(c, &eof);
        if (err)
            return err;
        if (eof) {
            int res = mote_http_body_eof(&b);
            if (res < 0)
                return res;
            break;
        }
    }
    if (!r->head.keep_alive)
        drop(c);
    return 0;
}

static int idempotent(enum mote_http_method m)
{
    return m == MOTE_HTTP_GET || m == MOTE_HTTP_HEAD || m == MOTE_HTTP_PUT ||
           m == MOTE_HTTP_DELETE || m == MOTE_HTTP_OPTIONS;
}

int mote_http_client_request(struct mote_http_client *c,
                             enum mote_http_method method, const char *url,
                             const char *extra_headers, const void *body,
                             size_t len,
                             const struct mote_http_client_response **resp)
{
    char cur[URL_MAX], host[256];
    if (strlen(url) >= sizeof(cur))
        return MOTE_EINVAL;
    if (extra_headers) {
        /* The block must be whole "Name: value\r\n" lines. */
        size_t el = strlen(extra_headers);
        if (el < 2 || memcmp(extra_headers + el - 2, "\r\n", 2) != 0)
            return MOTE_EINVAL;
    }
    strcpy(cur, url);
    c->resp.redirects = 0;
    for (;;) {
        struct mote_endpoint ep;
        const char *target;
        int tls;
        int err = parse_url(cur, &ep, host, sizeof(host), &target, &tls);
        if (err)
            return err;
        int fresh, got;
        err = exchange(c, method, &ep, tls, host, target, extra_headers, body,
                       len, &fresh, &got);
        c->resp.reused = !fresh;
        if (err && !fresh && !got && idempotent(method) &&
            err != MOTE_ETIMEDOUT && err != MOTE_ECANCELED) {
            /* The kept connection had been closed by the server. */
            drop(c);
            err = exchange(c, method, &ep, tls, host, target, extra_headers,
                           body, len, &fresh, &got);
            c->resp.reused = 0;
        }
        if (err) {
            drop(c);
            return err;
        }
        int st = c->resp.head.status;
        if (!(st == 301 || st == 302 || st == 303 || st == 307 || st == 308) ||
            c->resp.redirects >= c->cfg.max_redirects)
            break;
        const struct mote_http_header *loc = mote_http_header_find(
            c->resp.head.headers, c->resp.head.nheaders, "location");
        if (!loc || loc->value.len == 0)
            break;
        char next[URL_MAX];
        if (loc->value.ptr[0] == '/') {
            if (loc->value.len > 1 && loc->value.ptr[1] == '/')
                break; /* scheme-relative: not followed */
            int n = snprintf(next, sizeof(next), "%s://%s%.*s",
                             tls ? "https" : "http", host, (int)loc->value.len,
                             loc->value.ptr);
            if (n < 0 || (size_t)n >= sizeof(next))
                return MOTE_EINVAL;
        } else if (((loc->value.len > 7 &&
                     memcmp(loc->value.ptr, "http://", 7) == 0) ||
                    (loc->value.len > 8 &&
                     memcmp(loc->value.ptr, "https://", 8) == 0)) &&
                   loc->value.len < sizeof(next)) {
            memcpy(next, loc->value.ptr, loc->value.len);
            next[loc->value.len] = 0;
        } else {
            break; /* relative paths: returned as is */
        }
        strcpy(cur, next);
        c->resp.redirects++;
        if (st == 303 ||
            ((st == 301 || st == 302) && method == MOTE_HTTP_POST)) {
            method = MOTE_HTTP_GET; /* RFC 9110 15.4: as browsers do */
            body = NULL;
            len = 0;
        }
    }
    *resp = &c->resp;
    return 0;
}

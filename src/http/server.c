/* The HTTP/1.1 server: the fiber adapter driving the codec over a mote_flow.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/core.h>
#include <mote/error.h>
#include <mote/http.h>
#include <mote/kv.h>
#include <mote/log.h>

#include "http_int.h"

/*
 * One fiber per connection reads requests in order, so pipelined requests
 * are answered in order by construction. Responses are gathered in the
 * connection's output buffer and written when no further request is
 * already waiting in the input buffer (so a pipelined burst leaves in few
 * writes) or when the buffer grows past FLUSH_AT.
 *
 * Timeouts are flow deadlines: while waiting for a request, idle_timeout;
 * from its first byte, a fixed header_timeout for the whole head (so a
 * client trickling bytes is cut off however slowly it sends); each body
 * read or response write, io_timeout.
 */

#define SRC              "http"
#define READ_CHUNK       16384
#define FLUSH_AT         32768
#define MAX_RESP_HEADERS 32
#define DRAIN_MAX        (256u * 1024u) /* unread request body we read and drop */

struct conn {
    struct mote_http_server *s;
    struct mote_flow *f;
    struct mote_endpoint peer;
    int has_peer;
    struct mote_fiber *fiber;
    int busy;     /* between a request's first byte and its response */
    int stopping; /* close after the current response */
    struct conn *prev, *next;
    struct mote_buf in, out;
    struct mote_buf head; /* the current request head, which req borrows */
};

struct runner {
    struct mote_fiber *fiber;
    struct runner *next;
};

struct mote_http_server {
    struct mote_http_server_config cfg;
    struct mote_http_limits lim;
    struct mote_waitq wq; /* woken when a connection ends */
    struct conn *conns;
    struct runner *runners;
    int stopping;
    uint64_t date_secs;
    char date[MOTE_HTTP_DATE_LEN];
    struct mote_http_server_stats st;
};

/* ---- Output ----------------------------------------------------------- */

static int flush(struct conn *c)
{
    if (!c->out.len)
        return 0;
    c->f->write_deadline = mote_deadline_in(c->s->cfg.io_timeout_ns);
    int err = mote_flow_write(c->f, mote_buf_data(&c->out), c->out.len);
    mote_buf_clear(&c->out);
    return err;
}

static int out_append(struct conn *c, const void *p, size_t n)
{
    if (c->out.len + n > FLUSH_AT) {
        int err = flush(c);
        if (err)
            return err;
        if (n > FLUSH_AT) { /* large: straight to the flow */
            c->f->write_deadline = mote_deadline_in(c->s->cfg.io_timeout_ns);
            return mote_flow_write(c->f, p, n);
        }
    }
    return mote_buf_append(&c->out, p, n);
}

static const char *date_now(struct mote_http_server *s)
{
    uint64_t now = mote_platform_clock_wall() / MOTE_NS_PER_SEC;
    if (now != s->date_secs || !s->date[0]) {
        s->date_secs = now;
        mote_http_date_format(now, s->date);
    }
    return s->date;
}

/* ---- Exchange API ---------------------------------------------------- */

const struct mote_http_request *
mote_http_exchange_request(const struct mote_http_exchange *x)
{
    return &x->req;
}

const struct mote_endpoint *
mote_http_exchange_peer(const struct mote_http_exchange *x)
{
    return x->c->has_peer ? &x->c->peer : NULL;
}

void mote_http_close_after(struct mote_http_exchange *x)
{
    x->close_after = 1;
}

static int has_bad_char(const char *s)
{
    for (; *s; s++)
        if (*s == '\r' || *s == '\n')
            return 1;
    return 0;
}

int mote_http_add_header(struct mote_http_exchange *x, const char *name,
                         const char *value)
{
    if (x->head_sent)
        return MOTE_EBUSY;
    if (!*name || has_bad_char(name) || has_bad_char(value))
        return MOTE_EINVAL;
    size_t nl = strlen(name), vl = strlen(value);
    if (x->nhdrs == MAX_RESP_HEADERS || x->hlen + nl + vl + 4 > sizeof(x->hdrs))
        return MOTE_ENOSPC;
    memcpy(x->hdrs + x->hlen, name, nl);
    x->hlen += nl;
    memcpy(x->hdrs + x->hlen, ": ", 2);
    x->hlen += 2;
    memcpy(x->hdrs + x->hlen, value, vl);
    x->hlen += vl;
    memcpy(x->hdrs + x->hlen, "\r\n", 2);
    x->hlen += 2;
    x->nhdrs++;
    return 0;
}

static int put(struct mote_buf *o, const char *str)
{
    return mote_buf_append(o, str, strlen(str));
}

/* Decimal digits of v; buf holds at least 20 bytes. */
static int put_num(struct mote_buf *o, uint64_t v, char *buf)
{
    size_t i = 20;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return mote_buf_append(o, buf + i, 20 - i);
}

static int send_head(struct mote_http_exchange *x, int status,
                     const char *ctype, uint64_t length)
{
    struct conn *c = x->c;
    struct mote_http_server *s = c->s;
    if (x->head_sent)
        return MOTE_EBUSY;
    x->status = status;
    x->head_sent = 1;
    x->no_body = x->req.method == MOTE_HTTP_HEAD || status < 200 ||
                 status == 204 || status == 304;
    if (!x->req.keep_alive || s->stopping || c->stopping)
        x->close_after = 1;
    /* An unread request body we would have to skip: keep the connection
     * only if it is small enough to drain. */
    if (!x->body_done && x->req.framing == MOTE_HTTP_BODY_LENGTH &&
        x->req.content_length - x->body.total > DRAIN_MAX)
        x->close_after = 1;
    if (!x->body_done && x->req.framing == MOTE_HTTP_BODY_CHUNKED)
        x->close_after = 1;
    /* Answered before asking for the body with 100 Continue: the client
     * may never send it (RFC 9110 10.1.1), so do not wait to skip it. */
    if (!x->body_done && x->req.expect_continue && !x->continue_sent)
        x->close_after = 1;
    if (status < 100 || status > 999 || (ctype && has_bad_char(ctype))) {
        x->failed = 1;
        return MOTE_EINVAL;
    }
    /* Written straight into the output buffer without printf: this runs
     * for every response, and printf's frames would deepen every
     * connection fiber's stack (pages that stay resident while idle). */
    struct mote_buf *o = &c->out;
    char num[24];
    int err = put(o, "HTTP/1.1 ");
    err = err ? err : put_num(o, (uint64_t)status, num);
    err = err ? err : put(o, " ");
    err = err ? err : put(o, mote_http_reason(status));
    if (s->cfg.server_name[0]) {
        err = err ? err : put(o, "\r\nServer: ");
        err = err ? err : put(o, s->cfg.server_name);
    }
    err = err ? err : put(o, "\r\nDate: ");
    err = err ? err : put(o, date_now(s));
    if (ctype) {
        err = err ? err : put(o, "\r\nContent-Type: ");
        err = err ? err : put(o, ctype);
    }
    if (length == MOTE_HTTP_CHUNKED) {
        if (x->req.version >= 11) {
            x->chunked = !x->no_body;
            if (x->chunked)
                err = err ? err : put(o, "\r\nTransfer-Encoding: chunked");
        } else {
            x->close_after = 1; /* HTTP/1.0: the body ends at close */
        }
    } else if (status >= 200 && status != 204 && status != 304) {
        err = err ? err : put(o, "\r\nContent-Length: ");
        err = err ? err : put_num(o, length, num);
    }
    x->declared = length;
    if (x->close_after)
        err = err ? err : put(o, "\r\nConnection: close");
    else if (x->req.version == 10)
        err = err ? err : put(o, "\r\nConnection: keep-alive");
    err = err ? err : put(o, "\r\n");
    if (!err)
        err = mote_buf_append(o, x->hdrs, x->hlen);
    if (!err)
        err = out_append(c, "\r\n", 2);
    if (err)
        x->failed = 1;
    return err;
}

int mote_http_begin(struct mote_http_exchange *x, int status,
                    const char *content_type, uint64_t length)
{
    return send_head(x, status, content_type, length);
}

int mote_http_write(struct mote_http_exchange *x, const void *p, size_t n)
{
    if (!x->head_sent || x->ended)
        return MOTE_EINVAL;
    if (x->failed)
        return MOTE_EPIPE;
    if (x->declared != MOTE_HTTP_CHUNKED && n > x->declared - x->written) {
        x->failed = 1;
        return MOTE_EINVAL;
    }
    x->written += n;
    if (x->no_body || n == 0)
        return 0;
    int err = 0;
    if (x->chunked) {
        /* chunk-size in hex, then CRLF (RFC 9112 7.1). */
        static const char hex[] = "0123456789abcdef";
        char sz[20];
        size_t i = sizeof(sz);
        sz[--i] = '\n';
        sz[--i] = '\r';
        size_t v = n;
        do {
            sz[--i] = hex[v & 15];
            v >>= 4;
        } while (v);
        err = out_append(x->c, sz + i, sizeof(sz) - i);
    }
    if (!err)
        err = out_append(x->c, p, n);
    if (!err && x->chunked)
        err = out_append(x->c, "\r\n", 2);
    if (err)
        x->failed = 1;
    return err;
}

int http__write_kv(struct mote_http_exchange *x, struct mote_kv *kv,
                   const char *key, size_t klen, uint64_t off, uint64_t len)
{
    struct conn *c = x->c;
    if (!x->head_sent || x->ended || x->no_body || x->chunked || x->failed ||
        len == 0 || !kv->ops->send)
        return MOTE_ENOTSUP;
    if (x->declared != MOTE_HTTP_CHUNKED && len > x->declared - x->written) {
        x->failed = 1;
        return MOTE_EINVAL;
    }
    /* The buffered output (this response's head, maybe earlier pipelined
     * responses) goes first, in the same call. */
    c->f->write_deadline = mote_deadline_in(c->s->cfg.io_timeout_ns);
    int err = mote_kv_send(kv, key, klen, off, len, c->f,
                           mote_buf_data(&c->out), c->out.len);
    if (err == MOTE_ENOTSUP)
        return err;
    mote_buf_clear(&c->out);
    x->written += len;
    if (err)
        x->failed = 1;
    return err;
}

int mote_http_end(struct mote_http_exchange *x)
{
    if (!x->head_sent || x->ended)
        return MOTE_EINVAL;
    x->ended = 1;
    if (x->failed)
        return MOTE_EPIPE;
    if (x->declared != MOTE_HTTP_CHUNKED && x->written != x->declared &&
        !x->no_body) {
        x->failed = 1;
        return MOTE_EINVAL;
    }
    if (x->chunked) {
        int err = out_append(x->c, "0\r\n\r\n", 5);
        if (err)
            x->failed = 1;
        return err;
    }
    return 0;
}

int mote_http_respond(struct mote_http_exchange *x, int status,
                      const char *content_type, const void *body, size_t len)
{
    int err = send_head(x, status, content_type, len);
    if (!err)
        err = mote_http_write(x, body, len);
    if (!err)
        err = mote_http_end(x);
    return err;
}

/* ---- Input ------------------------------------------------------------ */

/* Read more bytes into c->in. Returns 0 with *eof set at end of stream. */
static int fill(struct conn *c, uint64_t deadline, int *eof)
{
    int err;
    uint8_t *p = mote_buf_space(&c->in, READ_CHUNK, &err);
    if (!p)
        return err;
    c->f->read_deadline = deadline;
    size_t n;
    err = mote_flow_read(c->f, p, READ_CHUNK, &n);
    if (err)
        return err;
    mote_buf_commit(&c->in, n);
    *eof = n == 0;
    return 0;
}

int mote_http_read_body(struct mote_http_exchange *x, void *buf, size_t size,
                        size_t *n)
{
    struct conn *c = x->c;
    *n = 0;
    if (x->body_done || size == 0)
        return 0;
    if (x->req.expect_continue && !x->continue_sent && !x->head_sent) {
        x->continue_sent = 1;
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        int err = out_append(c, cont, sizeof(cont) - 1);
        if (!err)
            err = flush(c);
        if (err)
            return err;
    }
    for (;;) {
        if (c->in.len) {
            size_t feed = c->in.len < size ? c->in.len : size;
            size_t used;
            struct mote_slice d;
            int r = mote_http_body_feed(&x->body, mote_buf_data(&c->in), feed,
                                        &used, &d);
            if (r < 0) {
                x->close_after = 1;
                return r;
            }
            if (d.len)
                memmove(buf, d.ptr, d.len);
            mote_buf_consume(&c->in, used);
            *n = d.len;
            if (r == 1)
                x->body_done = 1;
            if (d.len || r == 1)
                return 0;
            if (used)
                continue;
        }
        int eof = 0;
        int err = fill(c, mote_deadline_in(c->s->cfg.io_timeout_ns), &eof);
        if (!err && eof)
            err = MOTE_EPROTO; /* body truncated */
        if (err) {
            x->close_after = 1;
            return err;
        }
    }
}

/* ---- The connection ---------------------------------------------------- */

/* Move req's views from the input buffer to c->head so that the input
 * buffer can be consumed and refilled while the handler runs. */
static int keep_head(struct conn *c, struct mote_http_request *req, size_t len)
{
    mote_buf_clear(&c->head);
    int err = mote_buf_append(&c->head, mote_buf_data(&c->in), len);
    if (err)
        return err;
    const uint8_t *from = mote_buf_data(&c->in), *to = mote_buf_data(&c->head);
#define REBASE(sl)                                                             \
    do {                                                                       \
        if ((sl).ptr >= from && (sl).ptr < from + len)                         \
            (sl).ptr = to + ((sl).ptr - from);                                 \
    } while (0)
    REBASE(req->method_text);
    REBASE(req->target);
    REBASE(req->path);
    REBASE(req->query);
    REBASE(req->host);
    for (size_t i = 0; i < req->nheaders; i++) {
        REBASE(req->headers[i].name);
        REBASE(req->headers[i].value);
    }
#undef REBASE
    mote_buf_consume(&c->in, len);
    return 0;
}

static void access_log(struct conn *c, struct mote_http_exchange *x)
{
    struct mote_http_server *s = c->s;
    if (!s->cfg.access_log)
        return;
    char peer[MOTE_ENDPOINT_STRLEN] = "-";
    if (c->has_peer) {
        mote_endpoint_print(&c->peer, peer, sizeof(peer));
        /* CLF names the host, not the port. */
        char *colon = strrchr(peer, ':');
        if (colon)
            *colon = 0;
        if (peer[0] == '[') {
            size_t n = strlen(peer);
            memmove(peer, peer + 1, n - 2);
            peer[n - 2] = 0;
        }
    }
    /* [10/Oct/2000:13:55:36 +0000] from the HTTP date "Tue, 10 Oct 2000
     * 13:55:36 GMT". */
    const char *d = date_now(s);
    char line[1024];
    int tl = (int)(x->req.target.len > 512 ? 512 : x->req.target.len);
    int n = snprintf(line, sizeof(line),
                     "%s - - [%.2s/%.3s/%.4s:%.8s +0000] \"%.*s %.*s "
                     "HTTP/1.%d\" %d %llu\n",
                     peer, d + 5, d + 8, d + 12, d + 17,
                     (int)x->req.method_text.len, x->req.method_text.ptr, tl,
                     x->req.target.ptr, x->req.version % 10, x->status,
                     (unsigned long long)(x->no_body ? 0 : x->written));
    if (n > 0)
        s->cfg.access_log(s->cfg.access_log_arg, line,
                          (size_t)n < sizeof(line) ? (size_t)n
                                                   : sizeof(line) - 1);
}

/* Answer a head the parser refused, then close. */
static void refuse(struct conn *c, int status)
{
    char body[128], h[512];
    const char *reason = mote_http_reason(status);
    int bl = snprintf(body, sizeof(body), "%d %s\n", status, reason);
    int n = snprintf(h, sizeof(h),
                     "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Type: text/plain; "
                     "charset=utf-8\r\nContent-Length: %d\r\nConnection: "
                     "close\r\n\r\n%s",
                     status, reason, date_now(c->s), bl, body);
    c->s->st.errors++;
    if (!out_append(c, h, (size_t)n))
        flush(c);
}

/* Lingering close: after our last response, read and drop what the peer
 * still sends for a moment, so that closing with unread data does not
 * reset the connection before the response is delivered. */
static void linger(struct conn *c)
{
    if (mote_flow_shutdown(c->f))
        return;
    uint64_t deadline = mote_deadline_in(MOTE_NS_PER_SEC);
    uint8_t junk[512];
    size_t total = 0;
    while (total < 65536) {
        size_t n;
        c->f->read_deadline = deadline;
        if (mote_flow_read(c->f, junk, sizeof(junk), &n) || n == 0)
            break;
        total += n;
    }
}

/* Read the first bytes of the next request into c->in. */
static int read_into(struct conn *c, uint8_t *buf, size_t size,
                     uint64_t deadline, int *eof)
{
    size_t n;
    c->f->read_deadline = deadline;
    int err = mote_flow_read(c->f, buf, size, &n);
    if (!err && n)
        err = mote_buf_append(&c->in, buf, n);
    *eof = !err && n == 0;
    return err;
}

/* The buffers live in these frames, gone once they return. */
static __attribute__((noinline)) int read_first(struct conn *c,
                                                uint64_t deadline, int *eof)
{
    uint8_t buf[1024];
    return read_into(c, buf, sizeof(buf), deadline, eof);
}

/* Parked, the live stack is copied out and back: keep it small. The rest
 * of the request follows with the next read. */
static __attribute__((noinline)) int
read_first_parked(struct conn *c, uint64_t deadline, int *eof)
{
    uint8_t buf[64];
    mote_fiber_park_stack();
    return read_into(c, buf, sizeof(buf), deadline, eof);
}

/* Idle between requests: wait for the next one holding no buffers. After
 * idle_park_ns the wait goes on with the fiber's stack parked, so an idle
 * keep-alive connection costs its structs and a few hundred bytes of
 * saved stack; a busy one (the next request within the grace period)
 * never pays for parking. */
static int await_request(struct conn *c, uint64_t deadline, int *eof)
{
    struct mote_http_server *s = c->s;
    *eof = 0;
    int err = flush(c); /* what earlier requests produced */
    if (err)
        return err;
    mote_buf_release(&c->in);
    mote_buf_release(&c->out);
    mote_buf_release(&c->head);
    uint64_t grace = mote_deadline_in(s->cfg.idle_park_ns);
    if (grace >= deadline)
        return read_first(c, deadline, eof);
    err = read_first(c, grace, eof);
    if (err != MOTE_ETIMEDOUT)
        return err;
    s->st.parks++;
    return read_first_parked(c, deadline, eof);
}

/* Could the parser answer anything but EAGAIN for in[0..len), given that
 * in[0..*scanned) was already looked at? Scans only the new bytes, so a
 * head trickled byte by byte costs linear time, not quadratic (the parser
 * itself rescans from the start). Conservative: when in doubt, yes; the
 * parser decides. */
static int head_ready(const struct mote_buf *in,
                      const struct mote_http_limits *lim, size_t *scanned,
                      size_t *first_lf)
{
    const uint8_t *b = mote_buf_data(in);
    size_t len = in->len;
    size_t i = *scanned > 2 ? *scanned - 2 : 0;
    int ready = 0;
    for (; i < len && !ready; i++) {
        uint8_t ch = b[i];
        if (ch == '\n') {
            if (*first_lf == SIZE_MAX)
                *first_lf = i;
            /* The parser's terminators: "\n\n" and "\n\r\n". */
            if ((i >= 1 && b[i - 1] == '\n') ||
                (i >= 2 && b[i - 1] == '\r' && b[i - 2] == '\n'))
                ready = 1;
        } else if (ch != '\r' && ch != '\t' && (ch < 0x20 || ch == 0x7f)) {
            ready = 1; /* refused at once */
        }
    }
    *scanned = len;
    if (len > lim->max_head)
        ready = 1; /* 431 */
    if ((*first_lf == SIZE_MAX && len > lim->max_line) ||
        (*first_lf != SIZE_MAX && *first_lf > lim->max_line))
        ready = 1; /* 414 */
    return ready;
}

static int one_exchange(struct conn *c, struct mote_http_exchange *x)
{
    struct mote_http_server *s = c->s;
    size_t used, scanned = 0, first_lf = SIZE_MAX;
    uint64_t head_deadline = 0;
    int err;
    for (;;) {
        if (c->in.len && head_ready(&c->in, &s->lim, &scanned, &first_lf)) {
            err = mote_http_request_parse(mote_buf_data(&c->in), c->in.len,
                                          &s->lim, &x->req, &used);
            if (err == 0)
                break;
            if (err != MOTE_EAGAIN) {
                c->busy = 1;
                refuse(c, x->req.status);
                linger(c);
                return err;
            }
        }
        /* Nothing more to parse: send what earlier requests produced. */
        err = flush(c);
        if (err)
            return err;
        uint64_t deadline;
        if (c->in.len == 0) {
            c->busy = 0;
            if (c->stopping || s->stopping)
                return MOTE_ECLOSED;
            head_deadline = 0;
            deadline = mote_deadline_in(s->cfg.idle_timeout_ns);
        } else {
            c->busy = 1;
            if (!head_deadline)
                head_deadline = mote_deadline_in(s->cfg.header_timeout_ns);
            deadline = head_deadline;
        }
        int eof = 0;
        if (c->in.len == 0)
            err = await_request(c, deadline, &eof);
        else
            err = fill(c, deadline, &eof);
        if (err == MOTE_ETIMEDOUT) {
            s->st.timeouts++;
            if (c->in.len) { /* a head in progress: tell them */
                refuse(c, 408);
                linger(c);
            }
            return err;
        }
        if (err)
            return err;
        if (eof)
            return MOTE_ECLOSED;
        if (!head_deadline)
            head_deadline = mote_deadline_in(s->cfg.header_timeout_ns);
    }
    c->busy = 1;
    err = keep_head(c, &x->req, used);
    if (err)
        return err;
    mote_http_body_init(&x->body, x->req.framing, x->req.content_length,
                        &s->lim);
    x->body_done = x->req.framing == MOTE_HTTP_BODY_NONE;

    int herr;
    if (x->req.method == MOTE_HTTP_CONNECT) {
        x->close_after = 1;
        herr = mote_http_respond(x, 501, "text/plain; charset=utf-8",
                                 "501 Not Implemented\n", 20);
    } else {
        herr = s->cfg.handler(s->cfg.handler_arg, x);
    }
    if (!x->head_sent) {
        x->close_after = 1;
        mote_http_respond(x, 500, "text/plain; charset=utf-8",
                          "500 Internal Server Error\n", 26);
    } else if (!x->ended) {
        if (mote_http_end(x))
            x->close_after = 1;
    }
    if (x->failed || herr)
        x->close_after = 1;
    s->st.requests++;
    access_log(c, x);
    if (x->failed)
        return MOTE_EPIPE;
    /* Skip whatever of the body the handler did not read. */
    while (!x->close_after && !x->body_done) {
        uint8_t junk[1024];
        size_t n;
        if (mote_http_read_body(x, junk, sizeof(junk), &n))
            x->close_after = 1;
    }
    if (x->close_after) {
        flush(c);
        linger(c);
        return MOTE_ECLOSED;
    }
    return 0;
}

static void conn_main(void *arg)
{
    struct conn *c = arg;
    struct mote_http_server *s = c->s;
    c->fiber = mote_fiber_self();
    if (s->cfg.conn_wrap) {
        struct mote_flow *w;
        c->f->read_deadline = c->f->write_deadline =
            mote_deadline_in(s->cfg.header_timeout_ns);
        if (s->cfg.conn_wrap(s->cfg.conn_wrap_arg, c->f, &w) == 0)
            c->f = w;
        else
            c->stopping = 1;
    }
    for (;;) {
        if (c->in.len == 0) {
            /* Wait before allocating the exchange (4.5 KiB). */
            if (c->stopping || s->stopping)
                break;
            c->busy = 0;
            int eof = 0;
            int err = await_request(c, mote_deadline_in(s->cfg.idle_timeout_ns),
                                    &eof);
            if (err == MOTE_ETIMEDOUT)
                s->st.timeouts++;
            if (err || eof)
                break;
        }
        struct mote_http_exchange *x = malloc(sizeof(*x));
        if (!x)
            break;
        memset(x, 0, offsetof(struct mote_http_exchange, hdrs));
        x->c = c;
        int err = one_exchange(c, x);
        free(x);
        if (err)
            break;
    }
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->st.conns--;
    mote_flow_close(c->f);
    mote_buf_release(&c->in);
    mote_buf_release(&c->out);
    mote_buf_release(&c->head);
    free(c);
    mote_wake_all(&s->wq);
}

static struct conn *conn_new(struct mote_http_server *s, struct mote_flow *f,
                             const struct mote_endpoint *peer)
{
    struct conn *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->s = s;
    c->f = f;
    if (peer) {
        c->peer = *peer;
        c->has_peer = 1;
    }
    mote_buf_init(&c->in, s->lim.max_head + 2 * READ_CHUNK);
    mote_buf_init(&c->out, 0);
    mote_buf_init(&c->head, 0);
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->st.conns++;
    s->st.accepted++;
    return c;
}

void mote_http_server_conn(struct mote_http_server *s, struct mote_flow *f,
                           const struct mote_endpoint *peer)
{
    struct conn *c = conn_new(s, f, peer);
    if (!c) {
        mote_flow_close(f);
        return;
    }
    conn_main(c);
}

/* ---- The server ------------------------------------------------------- */

int mote_http_server_new(const struct mote_http_server_config *cfg,
                         struct mote_http_server **out)
{
    if (!cfg->handler)
        return MOTE_EINVAL;
    struct mote_http_server *s = calloc(1, sizeof(*s));
    if (!s)
        return MOTE_ENOMEM;
    s->cfg = *cfg;
    s->lim = cfg->limits;
    mote_http_limits_default(&s->lim);
    if (!s->cfg.header_timeout_ns)
        s->cfg.header_timeout_ns = 10 * MOTE_NS_PER_SEC;
    if (!s->cfg.idle_timeout_ns)
        s->cfg.idle_timeout_ns = 60 * MOTE_NS_PER_SEC;
    if (!s->cfg.io_timeout_ns)
        s->cfg.io_timeout_ns = 60 * MOTE_NS_PER_SEC;
    if (!s->cfg.max_conns)
        s->cfg.max_conns = 10000;
    if (!s->cfg.fiber_stack)
        s->cfg.fiber_stack = 64 * 1024;
    if (!s->cfg.server_name)
        s->cfg.server_name = "mote";
    if (!s->cfg.idle_park_ns)
        s->cfg.idle_park_ns = MOTE_NS_PER_SEC;
    mote_waitq_init(&s->wq);
    *out = s;
    return 0;
}

int mote_http_server_run(struct mote_http_server *s, struct mote_listener *l)
{
    struct runner r = {mote_fiber_self(), s->runners};
    s->runners = &r;
    int ret = 0;
    while (!s->stopping) {
        if (s->st.conns >= s->cfg.max_conns) {
            /* At the cap: leave new connections in the backlog. */
            if (mote_wait(&s->wq, MOTE_FOREVER) == MOTE_ECANCELED)
                break;
            continue;
        }
        struct mote_flow *f;
        struct mote_endpoint peer;
        int err = mote_tcp_accept(l, MOTE_FOREVER, &f, &peer);
        if (err == MOTE_ECANCELED || err == MOTE_ECLOSED)
            break;
        if (err == MOTE_ENFILE || err == MOTE_ENOMEM) {
            mote_sleep(10 * MOTE_NS_PER_MS);
            continue;
        }
        if (err) {
            ret = err;
            break;
        }
        struct conn *c = conn_new(s, f, &peer);
        if (!c) {
            mote_flow_close(f);
            continue;
        }
        if (mote_fiber_spawn(conn_main, c, s->cfg.fiber_stack, NULL)) {
            s->conns = c->next;
            if (c->next)
                c->next->prev = NULL;
            s->st.conns--;
            mote_flow_close(f);
            free(c);
        }
    }
    for (struct runner **p = &s->runners; *p; p = &(*p)->next)
        if (*p == &r) {
            *p = r.next;
            break;
        }
    return s->stopping ? 0 : ret;
}

int mote_http_server_shutdown(struct mote_http_server *s, uint64_t deadline)
{
    s->stopping = 1;
    for (struct runner *r = s->runners; r; r = r->next)
        mote_fiber_cancel(r->fiber);
    for (struct conn *c = s->conns; c; c = c->next) {
        c->stopping = 1;
        if (!c->busy && c->fiber)
            mote_fiber_cancel(c->fiber);
    }
    int ret = 0;
    while (s->conns) {
        int err = mote_wait(&s->wq, ret ? MOTE_FOREVER : deadline);
        if (err == MOTE_ETIMEDOUT && !ret) {
            ret = MOTE_ETIMEDOUT;
            for (struct conn *c = s->conns; c; c = c->next)
                if (c->fiber)
                    mote_fiber_cancel(c->fiber);
        } else if (err == MOTE_ECANCELED) {
            return err;
        }
    }
    /* Let the run() fibers see their cancellation and return. */
    while (s->runners)
        if (mote_fiber_yield())
            break;
    return ret;
}

void mote_http_server_free(struct mote_http_server *s)
{
    free(s);
}

void mote_http_server_stats(const struct mote_http_server *s,
                            struct mote_http_server_stats *out)
{
    *out = s->st;
}

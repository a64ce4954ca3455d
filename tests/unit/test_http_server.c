/* Unit tests for the HTTP server and static files, over loopback sockets. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mote/http.h>
#include <mote/kv.h>
#include <mote/mote.h>

#include "tap.h"

#define SEC MOTE_NS_PER_SEC
#define MS  MOTE_NS_PER_MS

/* ---- A server in a fiber ------------------------------------------------- */

struct srv {
    struct mote_http_server *s;
    struct mote_listener *l;
    struct mote_fiber *f;
    uint16_t port;
    int run_ret;
};

static void run_fiber(void *arg)
{
    struct srv *v = arg;
    v->run_ret = mote_http_server_run(v->s, v->l);
}

static int srv_start(struct srv *v, const struct mote_http_server_config *cfg)
{
    memset(v, 0, sizeof(*v));
    struct mote_endpoint e;
    mote_endpoint_parse("127.0.0.1:0", 11, &e);
    if (mote_http_server_new(cfg, &v->s) ||
        mote_tcp_listen(mote_stack_default(), &e, 0, &v->l))
        return -1;
    struct mote_endpoint b;
    mote_listener_local(v->l, &b);
    v->port = b.port;
    return mote_fiber_spawn(run_fiber, v, 0, &v->f);
}

static int srv_stop(struct srv *v)
{
    int err = mote_http_server_shutdown(v->s, mote_deadline_in(5 * SEC));
    mote_fiber_join(v->f);
    mote_listener_close(v->l);
    struct mote_http_server_stats st;
    mote_http_server_stats(v->s, &st);
    mote_http_server_free(v->s);
    return err ? err : (int)st.conns;
}

static struct mote_flow *dial(uint16_t port)
{
    struct mote_endpoint e;
    mote_endpoint_parse("127.0.0.1:0", 11, &e);
    e.port = port;
    struct mote_flow *f = NULL;
    if (mote_tcp_connect(mote_stack_default(), &e, mote_deadline_in(5 * SEC),
                         &f))
        return NULL;
    return f;
}

/* Read until end of stream or the deadline; returns bytes read. */
static size_t read_all(struct mote_flow *f, char *buf, size_t size,
                       uint64_t deadline, int *err)
{
    size_t got = 0;
    *err = 0;
    while (got < size - 1) {
        size_t n;
        f->read_deadline = deadline;
        *err = mote_flow_read(f, buf + got, size - 1 - got, &n);
        if (*err || n == 0)
            break;
        got += n;
    }
    buf[got] = 0;
    return got;
}

/* Send req, shut down our side, read everything back. */
static size_t roundtrip(uint16_t port, const char *req, size_t len, char *out,
                        size_t size)
{
    struct mote_flow *f = dial(port);
    if (!f)
        return 0;
    mote_flow_write(f, req, len);
    mote_flow_shutdown(f);
    int err;
    size_t n = read_all(f, out, size, mote_deadline_in(5 * SEC), &err);
    mote_flow_close(f);
    return n;
}

struct resp {
    int status;
    struct mote_http_response r;
    const char *body;
    size_t blen;
    size_t total; /* bytes of this response */
};

/* Parse one response at buf (Content-Length or no body). */
static int parse_resp(const char *buf, size_t len, enum mote_http_method m,
                      struct resp *out)
{
    size_t used;
    memset(out, 0, sizeof(*out));
    if (mote_http_response_parse((const uint8_t *)buf, len, NULL, m, &out->r,
                                 &used))
        return -1;
    out->status = out->r.status;
    out->body = buf + used;
    out->blen = 0;
    if (out->r.framing == MOTE_HTTP_BODY_LENGTH)
        out->blen = (size_t)out->r.content_length;
    else if (out->r.framing == MOTE_HTTP_BODY_CLOSE)
        out->blen = len - used;
    if (used + out->blen > len)
        return -1;
    out->total = used + out->blen;
    return 0;
}

static int hdr_is(const struct resp *r, const char *name, const char *want)
{
    const struct mote_http_header *h =
        mote_http_header_find(r->r.headers, r->r.nheaders, name);
    if (!want)
        return h == NULL;
    return h && h->value.len == strlen(want) &&
           memcmp(h->value.ptr, want, h->value.len) == 0;
}

/* ---- Handlers -------------------------------------------------------------
 */

/* Echo: answers "METHOD PATH body=<body>". */
static int echo_handler(void *arg, struct mote_http_exchange *x)
{
    (void)arg;
    const struct mote_http_request *req = mote_http_exchange_request(x);
    if (req->path.len == 6 && memcmp(req->path.ptr, "/early", 6) == 0)
        return mote_http_respond(x, 413, "text/plain", "no\n", 3);
    char body[8192];
    int n = snprintf(body, sizeof(body),
                     "%.*s %.*s body=", (int)req->method_text.len,
                     req->method_text.ptr, (int)req->path.len, req->path.ptr);
    for (;;) {
        size_t got;
        int err =
            mote_http_read_body(x, body + n, sizeof(body) - (size_t)n, &got);
        if (err)
            return mote_http_respond(x, 400, "text/plain", "bad body\n", 9);
        if (got == 0)
            break;
        n += (int)got;
    }
    if (req->path.len == 6 && memcmp(req->path.ptr, "/sleep", 6) == 0)
        mote_sleep(300 * MS);
    if (req->path.len == 7 && memcmp(req->path.ptr, "/stream", 7) == 0) {
        mote_http_begin(x, 200, "text/plain", MOTE_HTTP_CHUNKED);
        mote_http_write(x, "abc", 3);
        mote_http_write(x, "defg", 4);
        return mote_http_end(x);
    }
    if (req->path.len == 5 && memcmp(req->path.ptr, "/none", 5) == 0)
        return 0; /* no response: the server answers 500 */
    return mote_http_respond(x, 200, "text/plain", body, (size_t)n);
}

static struct mote_http_server_config echo_cfg(void)
{
    struct mote_http_server_config c = {.handler = echo_handler};
    return c;
}

/* ---- Server tests --------------------------------------------------------
 */

static void test_pipelining(void)
{
    struct mote_http_server_config cfg = echo_cfg();
    struct srv v;
    is_int(srv_start(&v, &cfg), 0, "server started");
    static const char req[] =
        "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
        "POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
        "POST /three HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: 1\r\n\r\n"
        "HEAD /four HTTP/1.1\r\nHost: a\r\n\r\n"
        "GET /stream HTTP/1.1\r\nHost: a\r\n\r\n"
        "GET /none HTTP/1.1\r\nHost: a\r\n\r\n";
    static char out[16384];
    size_t n = roundtrip(v.port, req, sizeof(req) - 1, out, sizeof(out));
    struct resp r;
    size_t off = 0;
    ok(parse_resp(out, n, MOTE_HTTP_GET, &r) == 0 && r.status == 200 &&
           r.blen == 14 && memcmp(r.body, "GET /one body=", 14) == 0,
       "first response first");
    off += r.total;
    ok(parse_resp(out + off, n - off, MOTE_HTTP_POST, &r) == 0 &&
           r.blen == 20 && memcmp(r.body, "POST /two body=hello", 20) == 0,
       "second: length body");
    off += r.total;
    ok(parse_resp(out + off, n - off, MOTE_HTTP_POST, &r) == 0 &&
           r.blen == 22 && memcmp(r.body, "POST /three body=abcde", 22) == 0,
       "third: chunked body with extension and trailer");
    off += r.total;
    ok(parse_resp(out + off, n - off, MOTE_HTTP_HEAD, &r) == 0 &&
           r.status == 200 && hdr_is(&r, "content-length", "16") && r.blen == 0,
       "fourth: HEAD has the length but no body");
    off += r.total;
    size_t used;
    ok(mote_http_response_parse((const uint8_t *)out + off, n - off, NULL,
                                MOTE_HTTP_GET, &r.r, &used) == 0 &&
           r.r.framing == MOTE_HTTP_BODY_CHUNKED,
       "fifth: chunked response");
    struct mote_http_body b;
    mote_http_body_init(&b, MOTE_HTTP_BODY_CHUNKED, 0, NULL);
    char data[64];
    size_t dl = 0, pos = off + used;
    int res = 0;
    while (pos < n && res == 0) {
        struct mote_slice d;
        res = mote_http_body_feed(&b, (const uint8_t *)out + pos, n - pos,
                                  &used, &d);
        memcpy(data + dl, d.ptr, d.len);
        dl += d.len;
        pos += used;
    }
    ok(res == 1 && dl == 7 && memcmp(data, "abcdefg", 7) == 0,
       "chunked response decodes to abcdefg");
    off = pos;
    ok(parse_resp(out + off, n - off, MOTE_HTTP_GET, &r) == 0 &&
           r.status == 500 && hdr_is(&r, "connection", "close"),
       "sixth: a handler that does not answer gives 500 and close");
    is_int(off + r.total, n, "nothing else");
    is_int(srv_stop(&v), 0, "stopped, no connection left");
}

static void test_keepalive(void)
{
    struct mote_http_server_config cfg = echo_cfg();
    struct srv v;
    srv_start(&v, &cfg);
    struct mote_flow *f = dial(v.port);
    ok(f != NULL, "connected");
    int good = 1;
    for (int i = 0; i < 5; i++) {
        char req[64], out[1024];
        int n = snprintf(req, sizeof(req),
                         "GET /%d HTTP/1.1\r\nHost: a\r\n\r\n", i);
        mote_flow_write(f, req, (size_t)n);
        size_t got = 0;
        struct resp r;
        while (got < sizeof(out) - 1) {
            size_t k;
            f->read_deadline = mote_deadline_in(5 * SEC);
            if (mote_flow_read(f, out + got, sizeof(out) - 1 - got, &k) ||
                k == 0)
                break;
            got += k;
            if (parse_resp(out, got, MOTE_HTTP_GET, &r) == 0)
                break;
        }
        if (parse_resp(out, got, MOTE_HTTP_GET, &r) || r.status != 200 ||
            !r.r.keep_alive)
            good = 0;
    }
    ok(good, "five requests on one connection");
    struct mote_http_server_stats st;
    mote_http_server_stats(v.s, &st);
    is_int(st.accepted, 1, "one connection accepted");
    is_int(st.requests, 5, "five requests");
    mote_flow_close(f);
    is_int(srv_stop(&v), 0, "stopped");
}

static void test_refusal_closes(void)
{
    struct mote_http_server_config cfg = echo_cfg();
    struct srv v;
    srv_start(&v, &cfg);
    static const struct {
        const char *req;
        int status;
    } cases[] = {
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: "
         "2\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
         400},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
         "Content-Length: 4\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n",
         400},
        {"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400},
        {"GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: br\r\n\r\n", 501},
        {"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", 501},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999\r\n\r\n",
         413},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[4096];
        size_t n = roundtrip(v.port, cases[i].req, strlen(cases[i].req), out,
                             sizeof(out));
        struct resp r;
        ok(parse_resp(out, n, MOTE_HTTP_GET, &r) == 0 &&
               r.status == cases[i].status &&
               hdr_is(&r, "connection", "close") && r.total == n,
           "case %zu: %d and close, nothing smuggled", i, cases[i].status);
    }
    /* A long line: 414 before the server buffers it all. */
    static char big[20000];
    memcpy(big, "GET /", 5);
    memset(big + 5, 'a', sizeof(big) - 5);
    char out[4096];
    size_t n = roundtrip(v.port, big, sizeof(big), out, sizeof(out));
    struct resp r;
    ok(parse_resp(out, n, MOTE_HTTP_GET, &r) == 0 && r.status == 414,
       "414 for a 20 KB request line");
    is_int(srv_stop(&v), 0, "stopped");
}

static void test_expect_continue(void)
{
    struct mote_http_server_config cfg = echo_cfg();
    struct srv v;
    srv_start(&v, &cfg);
    struct mote_flow *f = dial(v.port);
    static const char head[] = "PUT /up HTTP/1.1\r\nHost: a\r\nContent-Length: "
                               "4\r\nExpect: 100-continue\r\n\r\n";
    mote_flow_write(f, head, sizeof(head) - 1);
    char out[1024];
    size_t k;
    f->read_deadline = mote_deadline_in(5 * SEC);
    int err = mote_flow_read(f, out, sizeof(out) - 1, &k);
    out[err ? 0 : k] = 0;
    ok(strncmp(out, "HTTP/1.1 100 Continue\r\n\r\n", 25) == 0,
       "100 Continue before the body is sent");
    mote_flow_write(f, "data", 4);
    mote_flow_shutdown(f);
    size_t n = read_all(f, out, sizeof(out), mote_deadline_in(5 * SEC), &err);
    struct resp r;
    ok(parse_resp(out, n, MOTE_HTTP_PUT, &r) == 0 && r.status == 200 &&
           r.blen == 17 && memcmp(r.body, "PUT /up body=data", 17) == 0,
       "then the response");
    mote_flow_close(f);

    /* Refused without reading: no 100, the response closes the connection
     * instead of waiting for a body that may never come. */
    f = dial(v.port);
    static const char big[] = "POST /early HTTP/1.1\r\nHost: a\r\n"
                              "Content-Length: 100\r\nExpect: 100-continue"
                              "\r\n\r\n";
    mote_flow_write(f, big, sizeof(big) - 1);
    n = read_all(f, out, sizeof(out), mote_deadline_in(5 * SEC), &err);
    ok(parse_resp(out, n, MOTE_HTTP_POST, &r) == 0 && r.status == 413 &&
           hdr_is(&r, "connection", "close") && !strstr(out, "100 Continue"),
       "answered without the body: closed, no 100");
    mote_flow_close(f);
    is_int(srv_stop(&v), 0, "stopped");
}

static void test_timeouts(void)
{
    struct mote_http_server_config cfg = echo_cfg();
    cfg.header_timeout_ns = 300 * MS;
    cfg.idle_timeout_ns = 200 * MS;
    struct srv v;
    srv_start(&v, &cfg);

    /* Trickle: one byte every 50 ms never completes a head within the
     * header timeout, however long we go on. */
    struct mote_flow *f = dial(v.port);
    static const char req[] = "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: "
                              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
                              "\r\n";
    size_t sent = 0;
    while (sent < sizeof(req) - 1) {
        if (mote_flow_write(f, req + sent, 1))
            break;
        sent++;
        mote_sleep(50 * MS);
    }
    char out[1024];
    int err;
    size_t n = read_all(f, out, sizeof(out), mote_deadline_in(5 * SEC), &err);
    struct resp r;
    ok(parse_resp(out, n, MOTE_HTTP_GET, &r) == 0 && r.status == 408,
       "trickling client gets 408 and is cut off (%zu of %zu bytes sent)", sent,
       sizeof(req) - 1);
    mote_flow_close(f);

    /* Idle: a connection that sends nothing is closed without a reply. */
    f = dial(v.port);
    n = read_all(f, out, sizeof(out), mote_deadline_in(5 * SEC), &err);
    ok(n == 0 && err == 0, "idle connection closed (%s)", mote_errname(err));
    mote_flow_close(f);
    struct mote_http_server_stats st;
    mote_http_server_stats(v.s, &st);
    is_int(st.timeouts, 2, "two timeouts counted");
    is_int(srv_stop(&v), 0, "stopped");
}

struct client_arg {
    uint16_t port;
    char out[2048];
    size_t n;
};

static void slow_client(void *arg)
{
    struct client_arg *c = arg;
    static const char req[] = "GET /sleep HTTP/1.1\r\nHost: a\r\n\r\n";
    struct mote_flow *f = dial(c->port);
    if (!f)
        return;
    mote_flow_write(f, req, sizeof(req) - 1);
    int err;
    c->n = read_all(f, c->out, sizeof(c->out), mote_deadline_in(5 * SEC), &err);
    mote_flow_close(f);
}

static void test_graceful_shutdown(void)
{
    struct mote_http_server_config cfg = echo_cfg();
    struct srv v;
    srv_start(&v, &cfg);
    struct mote_flow *idle = dial(v.port);
    struct client_arg ca = {.port = v.port};
    struct mote_fiber *cf;
    mote_fiber_spawn(slow_client, &ca, 0, &cf);
    /* Wait until the slow request is being handled. */
    for (int i = 0; i < 100; i++) {
        struct mote_http_server_stats st;
        mote_http_server_stats(v.s, &st);
        if (st.conns == 2)
            break;
        mote_sleep(10 * MS);
    }
    mote_sleep(50 * MS);
    is_int(srv_stop(&v), 0, "shutdown finished without cancelling");
    mote_fiber_join(cf);
    struct resp r;
    ok(parse_resp(ca.out, ca.n, MOTE_HTTP_GET, &r) == 0 && r.status == 200 &&
           hdr_is(&r, "connection", "close"),
       "in-flight request completed, with Connection: close");
    char out[64];
    int err;
    size_t n =
        read_all(idle, out, sizeof(out), mote_deadline_in(5 * SEC), &err);
    ok(n == 0, "idle connection closed by the shutdown");
    mote_flow_close(idle);
}

static void test_conn_cap(void)
{
    struct mote_http_server_config cfg = echo_cfg();
    cfg.max_conns = 1;
    struct srv v;
    srv_start(&v, &cfg);
    struct mote_flow *first = dial(v.port);
    mote_sleep(50 * MS);
    struct mote_flow *second = dial(v.port); /* lands in the backlog */
    static const char req[] = "GET /x HTTP/1.1\r\nHost: a\r\n\r\n";
    mote_flow_write(second, req, sizeof(req) - 1);
    char out[1024];
    size_t k;
    second->read_deadline = mote_deadline_in(200 * MS);
    is_int(mote_flow_read(second, out, sizeof(out), &k), MOTE_ETIMEDOUT,
           "no answer while the cap is reached");
    mote_flow_close(first);
    int err;
    mote_flow_shutdown(second);
    size_t n =
        read_all(second, out, sizeof(out), mote_deadline_in(5 * SEC), &err);
    struct resp r;
    ok(parse_resp(out, n, MOTE_HTTP_GET, &r) == 0 && r.status == 200,
       "served once the first connection closed");
    mote_flow_close(second);
    is_int(srv_stop(&v), 0, "stopped");
}

/* ---- Any flow: an in-memory pipe ------------------------------------------
 *
 * The server speaks only to mote_flow: here it runs over a pair of memory
 * flows whose reads return at most `chunk` bytes, so the whole adapter is
 * driven with the input split at every byte.
 */

struct mem_end {
    struct mote_flow flow; /* first */
    struct mem_end *peer;
    struct mote_buf rx;
    struct mote_waitq rq;
    int eof, closed;
    size_t chunk;
};

static int mem_read(struct mote_flow *f, void *buf, size_t size, size_t *n)
{
    struct mem_end *e = (struct mem_end *)f;
    *n = 0;
    while (e->rx.len == 0 && !e->eof) {
        int err = mote_wait(&e->rq, f->read_deadline);
        if (err)
            return err;
    }
    size_t k = e->rx.len < size ? e->rx.len : size;
    if (k > e->chunk)
        k = e->chunk;
    memcpy(buf, mote_buf_data(&e->rx), k);
    mote_buf_consume(&e->rx, k);
    *n = k;
    return 0;
}

static int mem_write(struct mote_flow *f, const void *buf, size_t size)
{
    struct mem_end *e = (struct mem_end *)f;
    if (e->peer->closed || e->peer->eof)
        return MOTE_EPIPE;
    int err = mote_buf_append(&e->peer->rx, buf, size);
    mote_wake_all(&e->peer->rq);
    return err;
}

static int mem_shutdown(struct mote_flow *f)
{
    struct mem_end *e = (struct mem_end *)f;
    e->peer->eof = 1;
    mote_wake_all(&e->peer->rq);
    return 0;
}

static void mem_close(struct mote_flow *f)
{
    struct mem_end *e = (struct mem_end *)f;
    e->closed = 1;
    mem_shutdown(f);
}

static const struct mote_flow_ops mem_ops = {
    .read = mem_read,
    .write = mem_write,
    .shutdown = mem_shutdown,
    .close = mem_close,
};

static void mem_pair(struct mem_end *a, struct mem_end *b, size_t chunk)
{
    memset(a, 0, sizeof(*a));
    memset(b, 0, sizeof(*b));
    a->flow.ops = b->flow.ops = &mem_ops;
    a->flow.read_deadline = a->flow.write_deadline = MOTE_FOREVER;
    b->flow.read_deadline = b->flow.write_deadline = MOTE_FOREVER;
    a->peer = b;
    b->peer = a;
    a->chunk = chunk;
    b->chunk = 1 << 20;
}

struct mem_srv {
    struct mote_http_server *s;
    struct mem_end *end;
};

static void mem_serve(void *arg)
{
    struct mem_srv *m = arg;
    mote_http_server_conn(m->s, &m->end->flow, NULL);
}

/* Run reqs through a server over a memory pipe whose server side reads
 * chunk bytes at a time; the responses, without Date lines, into out. */
static size_t over_pipe(const char *reqs, size_t chunk, char *out, size_t size)
{
    struct mote_http_server_config cfg = echo_cfg();
    struct mem_srv m;
    struct mem_end a, b;
    mem_pair(&a, &b, chunk);
    mote_http_server_new(&cfg, &m.s);
    m.end = &a;
    struct mote_fiber *f;
    mote_fiber_spawn(mem_serve, &m, 0, &f);
    mem_write(&b.flow, reqs, strlen(reqs));
    mem_shutdown(&b.flow);
    size_t n = 0, k;
    while (n < size - 1 && mem_read(&b.flow, out + n, size - 1 - n, &k) == 0 &&
           k)
        n += k;
    mote_fiber_join(f);
    mote_http_server_free(m.s);
    mote_buf_release(&a.rx);
    mote_buf_release(&b.rx);
    out[n] = 0;
    /* Drop "Date: ..." lines: the clock may tick between runs. */
    char *d;
    while ((d = strstr(out, "\r\nDate: ")) != NULL) {
        char *e = strstr(d + 2, "\r\n");
        memmove(d, e, strlen(e) + 1);
    }
    return strlen(out);
}

static void test_any_flow_split(void)
{
    static const char reqs[] =
        "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
        "POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
        "POST /three HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: 1\r\n\r\n"
        "GET /stream HTTP/1.1\r\nHost: a\r\n\r\n"
        "GET /bad HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n";
    static char whole[8192], part[8192];
    size_t n = over_pipe(reqs, 1 << 20, whole, sizeof(whole));
    ok(n > 0 && strstr(whole, "POST /three body=abcde") &&
           strstr(whole, "HTTP/1.1 400 Bad Request"),
       "all requests answered over a memory flow, the bad one last");
    int same = 1;
    for (size_t chunk = 1; chunk <= 13; chunk++) {
        size_t m = over_pipe(reqs, chunk, part, sizeof(part));
        if (m != n || memcmp(part, whole, n) != 0) {
            same = 0;
            tap_diag("chunk %zu differs", chunk);
        }
    }
    ok(same, "identical responses when the server reads 1..13 bytes at a "
             "time");

    /* Refusals too: each must be the same whole and byte by byte. */
    static char longline[9000], bighead[17000];
    memcpy(longline, "GET /", 5);
    memset(longline + 5, 'a', sizeof(longline) - 6);
    static const char bh[] = "GET / HTTP/1.1\r\nHost: a\r\nX: ";
    memcpy(bighead, bh, sizeof(bh) - 1);
    memset(bighead + sizeof(bh) - 1, 'b', sizeof(bighead) - sizeof(bh));
    const char *bad[] = {
        "GET / HTTP/1.1\nHost: a\n\n",
        "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n",
        "GET /\x7f HTTP/1.1\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
        "Content-Length: 1\r\n\r\nx",
        longline,
        bighead,
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        n = over_pipe(bad[i], 1 << 20, whole, sizeof(whole));
        size_t m = over_pipe(bad[i], 1, part, sizeof(part));
        ok(n > 12 && m == n && memcmp(part, whole, n) == 0,
           "input %zu: same answer whole and byte by byte (%.12s)", i, whole);
    }
}

/* ---- Static files --------------------------------------------------------
 */

static uint8_t big[100000];
static const uint8_t gz[] = "pretend-gzip";
#define T 1700000000ull
static const struct mote_kv_crunch_entry site[] = {
    {"", MOTE_KV_DIR, NULL, 0, 0, NULL, NULL},
    {"a.txt", MOTE_KV_FILE, (const uint8_t *)"0123456789", 10, T, "\"a1\"",
     NULL},
    {"a.txt.gz", MOTE_KV_FILE, gz, 12, T, "\"a1gz\"", NULL},
    {"big.bin", MOTE_KV_FILE, big, sizeof(big), T, "\"b1\"", NULL},
    {"docs", MOTE_KV_DIR, NULL, 0, 0, NULL, NULL},
    {"docs/<x>&.txt", MOTE_KV_FILE, (const uint8_t *)"x", 1, T, "\"d1\"", NULL},
    {"index.html", MOTE_KV_FILE, (const uint8_t *)"<h1>hi</h1>", 11, T,
     "\"i1\"", NULL},
    {"sub", MOTE_KV_DIR, NULL, 0, 0, NULL, NULL},
    {"sub/index.html", MOTE_KV_FILE, (const uint8_t *)"sub", 3, T, "\"s1\"",
     NULL},
};

static struct mote_kv_crunch crunch;
static struct mote_http_static stat_cfg;
static struct srv sv;

static int get(const char *fmt, const char *extra, struct resp *r, char *out,
               size_t size)
{
    char req[1024];
    int n = snprintf(req, sizeof(req), "%s HTTP/1.1\r\nHost: a\r\n%s\r\n", fmt,
                     extra ? extra : "");
    size_t got = roundtrip(sv.port, req, (size_t)n, out, size);
    return parse_resp(
        out, got, strncmp(fmt, "HEAD", 4) ? MOTE_HTTP_GET : MOTE_HTTP_HEAD, r);
}

static void test_static(void)
{
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 7 + i / 251);
    stat_cfg.kv =
        mote_kv_crunch_init(&crunch, site, sizeof(site) / sizeof(site[0]));
    struct mote_http_server_config cfg = {.handler = mote_http_static_handler,
                                          .handler_arg = &stat_cfg};
    srv_start(&sv, &cfg);
    static char out[300000];
    struct resp r;

    ok(get("GET /", NULL, &r, out, sizeof(out)) == 0 && r.status == 200 &&
           r.blen == 11 &&
           hdr_is(&r, "content-type", "text/html; charset=utf-8"),
       "index.html for /");
    ok(get("GET /a.txt", NULL, &r, out, sizeof(out)) == 0 && r.status == 200 &&
           r.blen == 10 && memcmp(r.body, "0123456789", 10) == 0 &&
           hdr_is(&r, "etag", "\"a1\"") &&
           hdr_is(&r, "last-modified", "Tue, 14 Nov 2023 22:13:20 GMT") &&
           hdr_is(&r, "vary", NULL) && hdr_is(&r, "content-encoding", NULL),
       "a file, with validators");
    ok(get("HEAD /a.txt", NULL, &r, out, sizeof(out)) == 0 && r.status == 200 &&
           hdr_is(&r, "content-length", "10") && r.total == strlen(out),
       "HEAD: length, no body");
    ok(get("GET /big.bin", NULL, &r, out, sizeof(out)) == 0 &&
           r.blen == sizeof(big) && memcmp(r.body, big, sizeof(big)) == 0,
       "100 KB file intact");
    ok(get("GET /sub", NULL, &r, out, sizeof(out)) == 0 && r.status == 301 &&
           hdr_is(&r, "location", "/sub/"),
       "directory without slash: 301");
    ok(get("GET //sub", NULL, &r, out, sizeof(out)) == 0 && r.status == 301 &&
           hdr_is(&r, "location", "/sub/"),
       "no scheme-relative Location from a doubled slash");
    ok(get("GET /sub/", NULL, &r, out, sizeof(out)) == 0 && r.status == 200 &&
           r.blen == 3,
       "its index");
    ok(get("GET /docs/", NULL, &r, out, sizeof(out)) == 0 && r.status == 404,
       "no listing unless browsing");
    stat_cfg.browse = true;
    ok(get("GET /docs/", NULL, &r, out, sizeof(out)) == 0 && r.status == 200 &&
           strstr(r.body, "href=\"%3Cx%3E%26.txt\">&lt;x&gt;&amp;.txt</a>"),
       "listing escapes names");
    stat_cfg.browse = false;
    ok(get("GET /nope", NULL, &r, out, sizeof(out)) == 0 && r.status == 404,
       "404");
    ok(get("POST /a.txt", "Content-Length: 0\r\n", &r, out, sizeof(out)) == 0 &&
           r.status == 405 && hdr_is(&r, "allow", "GET, HEAD"),
       "405 with Allow");

    /* Conditional requests. */
    ok(get("GET /a.txt", "If-None-Match: \"zz\", \"a1\"\r\n", &r, out,
           sizeof(out)) == 0 &&
           r.status == 304 && r.blen == 0 && hdr_is(&r, "etag", "\"a1\""),
       "If-None-Match hit: 304");
    ok(get("GET /a.txt", "If-None-Match: W/\"a1\"\r\n", &r, out, sizeof(out)) ==
               0 &&
           r.status == 304,
       "weak comparison for If-None-Match");
    ok(get("GET /a.txt", "If-None-Match: \"zz\"\r\n", &r, out, sizeof(out)) ==
               0 &&
           r.status == 200,
       "If-None-Match miss: 200");
    ok(get("GET /a.txt", "If-Modified-Since: Tue, 14 Nov 2023 22:13:20 GMT\r\n",
           &r, out, sizeof(out)) == 0 &&
           r.status == 304,
       "If-Modified-Since equal: 304");
    ok(get("GET /a.txt", "If-Modified-Since: Tue, 14 Nov 2023 22:13:19 GMT\r\n",
           &r, out, sizeof(out)) == 0 &&
           r.status == 200,
       "If-Modified-Since earlier: 200");
    ok(get("GET /a.txt",
           "If-None-Match: \"zz\"\r\nIf-Modified-Since: Tue, 14 Nov 2023 "
           "22:13:20 GMT\r\n",
           &r, out, sizeof(out)) == 0 &&
           r.status == 200,
       "If-None-Match takes precedence over If-Modified-Since");

    ok(get("GET /a.txt", "If-Match: \"zz\", \"a1\"\r\n", &r, out,
           sizeof(out)) == 0 &&
           r.status == 200,
       "If-Match hit: 200");
    ok(get("GET /a.txt", "If-Match: \"zz\"\r\n", &r, out, sizeof(out)) == 0 &&
           r.status == 412,
       "If-Match miss: 412");
    ok(get("GET /a.txt", "If-Match: W/\"a1\"\r\n", &r, out, sizeof(out)) == 0 &&
           r.status == 412,
       "If-Match compares strongly");
    ok(get("GET /a.txt",
           "If-Unmodified-Since: Tue, 14 Nov 2023 22:13:19 GMT\r\n", &r, out,
           sizeof(out)) == 0 &&
           r.status == 412,
       "If-Unmodified-Since before the change: 412");
    ok(get("GET /a.txt",
           "If-Unmodified-Since: Tue, 14 Nov 2023 22:13:20 GMT\r\n", &r, out,
           sizeof(out)) == 0 &&
           r.status == 200,
       "If-Unmodified-Since at the change: 200");

    /* Ranges. */
    ok(get("GET /a.txt", "Range: bytes=2-4\r\n", &r, out, sizeof(out)) == 0 &&
           r.status == 206 && r.blen == 3 && memcmp(r.body, "234", 3) == 0 &&
           hdr_is(&r, "content-range", "bytes 2-4/10"),
       "one range");
    ok(get("GET /a.txt", "Range: bytes=-3\r\n", &r, out, sizeof(out)) == 0 &&
           r.status == 206 && memcmp(r.body, "789", 3) == 0,
       "suffix range");
    ok(get("GET /a.txt", "Range: bytes=8-100\r\n", &r, out, sizeof(out)) == 0 &&
           r.status == 206 && hdr_is(&r, "content-range", "bytes 8-9/10"),
       "range clipped to the end");
    ok(get("GET /a.txt", "Range: bytes=10-\r\n", &r, out, sizeof(out)) == 0 &&
           r.status == 416 && hdr_is(&r, "content-range", "bytes */10"),
       "unsatisfiable: 416");
    ok(get("GET /a.txt", "Range: bytes=5-2\r\n", &r, out, sizeof(out)) == 0 &&
           r.status == 200 && r.blen == 10,
       "invalid range ignored: 200");
    ok(get("GET /a.txt", "Range: lines=1-2\r\n", &r, out, sizeof(out)) == 0 &&
           r.status == 200,
       "other unit ignored");
    ok(get("GET /a.txt", "Range: bytes=0-0,-1\r\n", &r, out, sizeof(out)) ==
               0 &&
           r.status == 206 &&
           hdr_is(&r, "content-type",
                  "multipart/byteranges; boundary=MOTE-7f3a9c1e5b2d") &&
           strstr(r.body, "Content-Range: bytes 0-0/10\r\n\r\n0\r\n--") &&
           strstr(r.body, "Content-Range: bytes 9-9/10\r\n\r\n9\r\n--"
                          "MOTE-7f3a9c1e5b2d--\r\n"),
       "two ranges: multipart/byteranges");
    ok(get("GET /a.txt", "Range: bytes=2-4\r\nIf-Range: \"a1\"\r\n", &r, out,
           sizeof(out)) == 0 &&
           r.status == 206,
       "If-Range matching: 206");
    ok(get("GET /a.txt", "Range: bytes=2-4\r\nIf-Range: \"old\"\r\n", &r, out,
           sizeof(out)) == 0 &&
           r.status == 200,
       "If-Range stale: whole file");
    ok(get("GET /big.bin", "Range: bytes=50000-50099\r\n", &r, out,
           sizeof(out)) == 0 &&
           r.blen == 100 && memcmp(r.body, big + 50000, 100) == 0,
       "range in a big file");

    /* Pre-compressed sibling. */
    ok(get("GET /a.txt", "Accept-Encoding: br, gzip\r\n", &r, out,
           sizeof(out)) == 0 &&
           r.status == 200 && hdr_is(&r, "content-encoding", "gzip") &&
           r.blen == 12 && memcmp(r.body, gz, 12) == 0 &&
           hdr_is(&r, "content-type", "text/plain; charset=utf-8") &&
           hdr_is(&r, "etag", "\"a1gz-gz\"") &&
           hdr_is(&r, "vary", "Accept-Encoding"),
       "gzip sibling served with its own ETag and Vary");
    ok(get("GET /a.txt", "Accept-Encoding: gzip;q=0, br\r\n", &r, out,
           sizeof(out)) == 0 &&
           hdr_is(&r, "content-encoding", NULL) && r.blen == 10,
       "gzip;q=0 refuses gzip");
    ok(get("GET /a.txt", "Accept-Encoding: *;q=0.5\r\n", &r, out,
           sizeof(out)) == 0 &&
           hdr_is(&r, "content-encoding", "gzip"),
       "* accepts gzip");
    ok(get("GET /a.txt", "Accept-Encoding: gzip; q=0.000, *\r\n", &r, out,
           sizeof(out)) == 0 &&
           hdr_is(&r, "content-encoding", NULL),
       "an explicit gzip;q=0.000 beats *");
    ok(get("GET /index.html", "Accept-Encoding: gzip\r\n", &r, out,
           sizeof(out)) == 0 &&
           r.status == 200 && hdr_is(&r, "content-encoding", NULL) &&
           r.blen == 11,
       "no sibling: identity");

    /* No way out of the root. */
    static const char *escapes[] = {
        "GET /../a.txt",         "GET /%2e%2e/a.txt",   "GET /sub/%2E%2E/a.txt",
        "GET /a.txt%00.html",    "GET /sub/..%5ca.txt", "GET /./a.txt",
        "GET /sub%2f..%2fa.txt",
    };
    for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++)
        ok(get(escapes[i], NULL, &r, out, sizeof(out)) == 0 && r.status == 400,
           "%s: 400", escapes[i]);
    ok(get("GET //a.txt", NULL, &r, out, sizeof(out)) == 0 && r.status == 200,
       "doubled slash collapses");
    is_int(srv_stop(&sv), 0, "stopped");
}

/* ---- Router and middleware ---------------------------------------------- */

static int key_get(void *arg, struct mote_http_exchange *x)
{
    char body[256], q[32] = "-";
    const struct mote_http_request *req = mote_http_exchange_request(x);
    mote_http_query_get(req->query, "x", q, sizeof(q));
    int n = snprintf(body, sizeof(body), "%s %s x=%s", (const char *)arg,
                     mote_http_param(x, "name"), q);
    return mote_http_respond(x, 200, "text/plain", body, (size_t)n);
}

static int file_get(void *arg, struct mote_http_exchange *x)
{
    (void)arg;
    const char *p = mote_http_param(x, "path");
    return mote_http_respond(x, 200, "text/plain", p, strlen(p));
}

static void test_router(void)
{
    static const struct mote_http_route routes[] = {
        {MOTE_HTTP_GET, "/keys/:name", key_get, "get"},
        {MOTE_HTTP_PUT, "/keys/:name", key_get, "put"},
        {MOTE_HTTP_GET, "/static/*path", file_get, NULL},
    };
    static struct mote_http_router router = {routes, 3, NULL, NULL};
    static struct mote_http_basic_auth auth = {"test", "alice", "s3cret"};
    static const struct mote_http_middleware mw[] = {
        {mote_http_mw_cors, "*"},
        {mote_http_mw_basic_auth, &auth},
    };
    static struct mote_http_chain chain = {mw, 2, mote_http_router_handler,
                                           &router};
    struct mote_http_server_config cfg = {.handler = mote_http_chain_handler,
                                          .handler_arg = &chain};
    srv_start(&sv, &cfg);
    static char out[8192];
    struct resp r;
    /* alice:s3cret */
    const char *au = "Authorization: Basic YWxpY2U6czNjcmV0\r\n";
    ok(get("GET /keys/a%20b?x=1+2", au, &r, out, sizeof(out)) == 0 &&
           r.status == 200 && r.blen == 13 &&
           memcmp(r.body, "get a b x=1 2", 13) == 0 &&
           hdr_is(&r, "access-control-allow-origin", "*"),
       "route with a parameter and a query, CORS header");
    ok(get("PUT /keys/k",
           "Authorization: Basic YWxpY2U6czNjcmV0\r\n"
           "Content-Length: 0\r\n",
           &r, out, sizeof(out)) == 0 &&
           r.status == 200 && memcmp(r.body, "put k", 5) == 0,
       "same pattern, other method");
    ok(get("GET /static/css/site.css", au, &r, out, sizeof(out)) == 0 &&
           r.blen == 12 && memcmp(r.body, "css/site.css", 12) == 0,
       "wildcard route");
    ok(get("DELETE /keys/k", au, &r, out, sizeof(out)) == 0 &&
           r.status == 405 && hdr_is(&r, "allow", "GET, HEAD, PUT"),
       "405 lists the methods that would match");
    ok(get("GET /nothing", au, &r, out, sizeof(out)) == 0 && r.status == 404,
       "404");
    ok(get("GET /keys/k", NULL, &r, out, sizeof(out)) == 0 && r.status == 401 &&
           hdr_is(&r, "www-authenticate",
                  "Basic realm=\"test\", charset=\"UTF-8\""),
       "no credentials: 401");
    ok(get("GET /keys/k", "Authorization: Basic YWxpY2U6d3Jvbmc=\r\n", &r, out,
           sizeof(out)) == 0 &&
           r.status == 401,
       "wrong password: 401");
    ok(get("GET /keys/k", "Authorization: Basic !!!!\r\n", &r, out,
           sizeof(out)) == 0 &&
           r.status == 401,
       "bad base64: 401");
    ok(get("OPTIONS /keys/k",
           "Origin: http://x\r\nAccess-Control-Request-Method: PUT\r\n"
           "Access-Control-Request-Headers: content-type\r\n",
           &r, out, sizeof(out)) == 0 &&
           r.status == 204 &&
           hdr_is(&r, "access-control-allow-headers", "content-type"),
       "CORS preflight answered before auth");
    is_int(srv_stop(&sv), 0, "stopped");
}

/* ---- Client -------------------------------------------------------------
 */

static int client_target(void *arg, struct mote_http_exchange *x)
{
    (void)arg;
    const struct mote_http_request *req = mote_http_exchange_request(x);
    char loc[64];
    if (req->path.len == 6 && memcmp(req->path.ptr, "/redir", 6) == 0) {
        mote_http_add_header(x, "Location", "/stream");
        return mote_http_respond(x, 302, "text/plain", "moved\n", 6);
    }
    if (req->path.len == 5 && memcmp(req->path.ptr, "/loop", 5) == 0) {
        snprintf(loc, sizeof(loc), "http://127.0.0.1:%u/loop",
                 (unsigned)sv.port);
        mote_http_add_header(x, "Location", loc);
        return mote_http_respond(x, 307, "text/plain", "again\n", 6);
    }
    if (req->path.len == 6 && memcmp(req->path.ptr, "/close", 6) == 0) {
        mote_http_close_after(x);
        return mote_http_respond(x, 200, "text/plain", "bye", 3);
    }
    return echo_handler(NULL, x);
}

static void test_client(void)
{
    struct mote_http_server_config cfg = {.handler = client_target};
    srv_start(&sv, &cfg);
    struct mote_http_client *c;
    struct mote_http_client_config cc = {.max_redirects = 3};
    is_int(mote_http_client_new(&cc, &c), 0, "client");
    char url[128];
    const struct mote_http_client_response *r;
#define URL(path)                                                              \
    (snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)sv.port,    \
              path),                                                           \
     url)
    is_int(mote_http_client_request(c, MOTE_HTTP_GET, URL("/a?b=1"), NULL, NULL,
                                    0, &r),
           0, "GET");
    ok(r->head.status == 200 && r->body.len == 12 &&
           memcmp(mote_buf_data(&r->body), "GET /a ", 7) == 0 && !r->reused,
       "GET body, new connection");
    is_int(mote_http_client_request(c, MOTE_HTTP_POST, URL("/p"),
                                    "X-Test: 1\r\n", "payload", 7, &r),
           0, "POST");
    ok(r->body.len == 20 &&
           memcmp(mote_buf_data(&r->body), "POST /p body=payload", 20) == 0 &&
           r->reused,
       "POST body echoed, on the kept connection");
    is_int(
        mote_http_client_request(c, MOTE_HTTP_PUT, URL("/q"), NULL, "x", 1, &r),
        0, "PUT");
    ok(r->reused && r->body.len == 13, "PUT reused");
    is_int(mote_http_client_request(c, MOTE_HTTP_DELETE, URL("/d"), NULL, NULL,
                                    0, &r),
           0, "DELETE");
    is_int(mote_http_client_request(c, MOTE_HTTP_HEAD, URL("/h"), NULL, NULL, 0,
                                    &r),
           0, "HEAD");
    ok(r->head.status == 200 && r->body.len == 0 &&
           r->head.content_length == 13,
       "HEAD: length, no body");
    is_int(mote_http_client_request(c, MOTE_HTTP_GET, URL("/stream"), NULL,
                                    NULL, 0, &r),
           0, "chunked response");
    ok(r->body.len == 7 && memcmp(mote_buf_data(&r->body), "abcdefg", 7) == 0,
       "decoded");
    is_int(mote_http_client_request(c, MOTE_HTTP_GET, URL("/redir"), NULL, NULL,
                                    0, &r),
           0, "redirect");
    ok(r->head.status == 200 && r->redirects == 1 && r->body.len == 7,
       "followed to /stream");
    is_int(mote_http_client_request(c, MOTE_HTTP_GET, URL("/loop"), NULL, NULL,
                                    0, &r),
           0, "redirect loop");
    ok(r->head.status == 307 && r->redirects == 3, "stops after max (3)");
    struct mote_http_server_stats st;
    mote_http_server_stats(sv.s, &st);
    is_int(st.accepted, 1, "every request so far on one connection");
    is_int(mote_http_client_request(c, MOTE_HTTP_GET, URL("/close"), NULL, NULL,
                                    0, &r),
           0, "server closes after");
    is_int(mote_http_client_request(c, MOTE_HTTP_GET, URL("/x"), NULL, NULL, 0,
                                    &r),
           0, "next request");
    ok(!r->reused, "on a new connection");
    is_int(mote_http_client_request(c, MOTE_HTTP_GET, "ftp://x/", NULL, NULL, 0,
                                    &r),
           MOTE_EINVAL, "not http");
    is_int(mote_http_client_request(c, MOTE_HTTP_GET, "http://no.dns/", NULL,
                                    NULL, 0, &r),
           MOTE_EINVAL, "names need DNS");
    is_int(mote_http_client_request(c, MOTE_HTTP_GET, URL("/x"), "Bad", NULL, 0,
                                    &r),
           MOTE_EINVAL, "header block without CRLF");
    mote_http_client_free(c);

    /* Timeout: the handler sleeps 300 ms, the client waits 100 ms. */
    cc.timeout_ns = 100 * MS;
    mote_http_client_new(&cc, &c);
    is_int(mote_http_client_request(c, MOTE_HTTP_GET, URL("/sleep"), NULL, NULL,
                                    0, &r),
           MOTE_ETIMEDOUT, "client timeout");
    mote_http_client_free(c);
    is_int(srv_stop(&sv), 0, "stopped");
    /* Nothing listening. */
    mote_http_client_new(NULL, &c);
    is_int(
        mote_http_client_request(c, MOTE_HTTP_GET, URL("/"), NULL, NULL, 0, &r),
        MOTE_ECONNREFUSED, "connection refused");
    mote_http_client_free(c);
#undef URL
}

static void test_kv_dir(void)
{
    char dir[] = "/tmp/mote-kv-XXXXXX";
    ok(mkdtemp(dir) != NULL, "temp dir");
    char p[256], outside[] = "/tmp/mote-kv-out-XXXXXX";
    int fd = mkstemp(outside);
    ok(fd >= 0 && write(fd, "secret", 6) == 6, "a file outside");
    close(fd);
    snprintf(p, sizeof(p), "%s/f.txt", dir);
    FILE *fp = fopen(p, "w");
    fputs("inside", fp);
    fclose(fp);
    snprintf(p, sizeof(p), "%s/d", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/out", dir);
    ok(symlink(outside, p) == 0, "symlink leading out");
    snprintf(p, sizeof(p), "%s/d/up", dir);
    ok(symlink("../f.txt", p) == 0, "symlink staying in");
    snprintf(p, sizeof(p), "%s/d/dotdot", dir);
    ok(symlink("../../", p) == 0, "symlink to the parent of the root");

    struct mote_kv *kv;
    is_int(mote_kv_dir_open(dir, &kv), 0, "open");
    struct mote_kv_stat st;
    is_int(mote_kv_stat(kv, "f.txt", 5, &st), 0, "stat");
    ok(st.type == MOTE_KV_FILE && st.size == 6 && st.etag[0] == '"' &&
           st.mtime > 0,
       "file metadata");
    char buf[16];
    size_t n;
    is_int(mote_kv_read(kv, "d/up", 4, 2, buf, sizeof(buf), &n), 0,
           "read through an inner symlink");
    ok(n == 4 && memcmp(buf, "side", 4) == 0, "its bytes");
    /* The read after a stat sees the file that was stat'ed. */
    is_int(mote_kv_stat(kv, "f.txt", 5, &st), 0, "stat again");
    snprintf(p, sizeof(p), "%s/f.txt", dir);
    unlink(p);
    fp = fopen(p, "w");
    fputs("replaced-longer", fp);
    fclose(fp);
    is_int(mote_kv_read(kv, "f.txt", 5, 0, buf, sizeof(buf), &n), 0,
           "read after replacement");
    ok(n == 6 && memcmp(buf, "inside", 6) == 0,
       "gives the stat'ed file's bytes");
    is_int(mote_kv_stat(kv, "f.txt", 5, &st), 0, "a new stat");
    is_int(st.size, 15, "sees the new file");
    ok(mote_kv_stat(kv, "out", 3, &st) < 0, "symlink out refused (%s)",
       mote_errname(mote_kv_stat(kv, "out", 3, &st)));
    ok(mote_kv_read(kv, "out", 3, 0, buf, sizeof(buf), &n) < 0 && n == 0,
       "and unreadable");
    ok(mote_kv_stat(kv, "d/dotdot", 8, &st) < 0, "symlink to .. refused");
    is_int(mote_kv_stat(kv, "nope", 4, &st), MOTE_ENOENT, "missing");
    is_int(mote_kv_stat(kv, "", 0, &st), 0, "root");
    is_int(st.type, MOTE_KV_DIR, "is a directory");
    struct mote_kv *kv2;
    is_int(mote_kv_dir_open("/nonexistent-mote", &kv2), MOTE_ENOENT,
           "missing directory");
    is_int(mote_kv_dir_open(outside, &kv2), MOTE_EINVAL, "a file");
    mote_kv_close(kv);
    snprintf(p, sizeof(p), "rm -rf '%s' '%s'", dir, outside);
    ok(system(p) == 0, "cleaned up");
}

/* Zero-copy from the directory backend (sendfile on unix sockets). */
static void test_kv_dir_sendfile(void)
{
    char dir[] = "/tmp/mote-kvs-XXXXXX", p[256];
    ok(mkdtemp(dir) != NULL, "temp dir");
    static uint8_t data[300000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 13 + i / 253);
    snprintf(p, sizeof(p), "%s/big.bin", dir);
    FILE *fp = fopen(p, "w");
    ok(fp && fwrite(data, 1, sizeof(data), fp) == sizeof(data),
       "a 300 KB file");
    fclose(fp);
    struct mote_kv *kv;
    is_int(mote_kv_dir_open(dir, &kv), 0, "open");

    /* mote_kv_send itself, over a socket-stack flow. */
    struct mote_endpoint e;
    mote_endpoint_parse("127.0.0.1:0", 11, &e);
    struct mote_listener *l;
    is_int(mote_tcp_listen(mote_stack_default(), &e, 4, &l), 0, "listen");
    mote_listener_local(l, &e);
    struct mote_flow *c = dial(e.port), *a = NULL;
    is_int(mote_tcp_accept(l, mote_deadline_in(5 * SEC), &a, NULL), 0,
           "accept");
    static char got[400000];
    is_int(mote_kv_send(kv, "big.bin", 7, 1000, 200000, a, "HEAD:", 5), 0,
           "send a region with a prefix");
    is_int(mote_kv_send(kv, "big.bin", 7, 299990, 11, a, NULL, 0), MOTE_EIO,
           "a region past the end: EIO");
    mote_flow_close(a);
    int err;
    size_t n = read_all(c, got, sizeof(got), mote_deadline_in(5 * SEC), &err);
    ok(n >= 200005 && memcmp(got, "HEAD:", 5) == 0 &&
           memcmp(got + 5, data + 1000, 200000) == 0,
       "prefix, then the region (%zu bytes)", n);
    ok(n == 200015 && memcmp(got + 200005, data + 299990, 10) == 0,
       "then what the file still had");
    mote_flow_close(c);
    mote_listener_close(l);
    is_int(mote_kv_send(kv, "../x", 4, 0, 1, NULL, NULL, 0), MOTE_EINVAL,
           "bad key");
    /* Other flows: not supported, and nothing happens. */
    struct mem_end ma, mb;
    mem_pair(&ma, &mb, 1 << 20);
    is_int(mote_kv_send(kv, "big.bin", 7, 0, 10, &ma.flow, "x", 1),
           MOTE_ENOTSUP, "an in-memory flow: ENOTSUP");
    is_int(mb.rx.len, 0, "nothing sent");
    mote_buf_release(&ma.rx);
    mote_buf_release(&mb.rx);

    /* Through the static handler: full, ranges, multipart, HEAD, with
     * keep-alive and pipelining. */
    struct mote_http_static scfg = {.kv = kv};
    struct mote_http_server_config cfg = {.handler = mote_http_static_handler,
                                          .handler_arg = &scfg};
    struct srv v;
    srv_start(&v, &cfg);
    static char out[1200000];
    const char reqs[] = "GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n"
                        "GET /big.bin HTTP/1.1\r\nHost: a\r\n"
                        "Range: bytes=20000-99999\r\n\r\n"
                        "HEAD /big.bin HTTP/1.1\r\nHost: a\r\n\r\n"
                        "GET /big.bin HTTP/1.1\r\nHost: a\r\n"
                        "Range: bytes=0-19999,200000-299999\r\n"
                        "Connection: close\r\n\r\n";
    n = roundtrip(v.port, reqs, sizeof(reqs) - 1, out, sizeof(out));
    struct resp r;
    size_t at = 0;
    ok(parse_resp(out, n, MOTE_HTTP_GET, &r) == 0 && r.status == 200 &&
           r.blen == sizeof(data) && memcmp(r.body, data, sizeof(data)) == 0,
       "whole file intact");
    at += r.total;
    ok(parse_resp(out + at, n - at, MOTE_HTTP_GET, &r) == 0 &&
           r.status == 206 && r.blen == 80000 &&
           memcmp(r.body, data + 20000, 80000) == 0,
       "a range intact");
    at += r.total;
    ok(parse_resp(out + at, n - at, MOTE_HTTP_HEAD, &r) == 0 &&
           r.status == 200 && hdr_is(&r, "content-length", "300000"),
       "HEAD: no body");
    at += r.total;
    int mp =
        parse_resp(out + at, n - at, MOTE_HTTP_GET, &r) == 0 && r.status == 206;
    const char *p1 = mp ? memmem(r.body, r.blen, "\r\n\r\n", 4) : NULL;
    const char *p2 =
        p1 ? memmem(p1 + 4 + 20000, r.blen - (size_t)(p1 + 4 + 20000 - r.body),
                    "\r\n\r\n", 4)
           : NULL;
    ok(p1 && memcmp(p1 + 4, data, 20000) == 0 && p2 &&
           memcmp(p2 + 4, data + 200000, 100000) == 0,
       "multipart: both parts intact");
    ok(mp && at + r.total == n, "nothing after the last response");
    is_int(srv_stop(&v), 0, "stopped");
    mote_kv_close(kv);
    snprintf(p, sizeof(p), "rm -rf '%s'", dir);
    ok(system(p) == 0, "cleaned up");
}

int mote_main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_pipelining);
    TAP_CASE(test_keepalive);
    TAP_CASE(test_any_flow_split);
    TAP_CASE(test_refusal_closes);
    TAP_CASE(test_expect_continue);
    TAP_CASE(test_timeouts);
    TAP_CASE(test_graceful_shutdown);
    TAP_CASE(test_conn_cap);
    TAP_CASE(test_static);
    TAP_CASE(test_router);
    TAP_CASE(test_client);
    TAP_CASE(test_kv_dir);
    TAP_CASE(test_kv_dir_sendfile);
    struct mote_sched_stats st;
    mote_sched_stats(&st);
    is_int(st.live, 1, "no fiber left but main");
    return tap_done();
}

/* The HTTP server's conn_wrap and the client's tls_wrap hooks (what
 * `serve --tls` and `mote get` put TLS through), with a byte-scrambling
 * flow standing in for TLS: a side that does not wrap cannot talk to one
 * that does, so every check below shows the wrap is really in the path. */
#include <stdlib.h>
#include <string.h>

#include <mote/http.h>
#include <mote/mote.h>

#include "tap.h"

#define SEC MOTE_NS_PER_SEC

/* ---- A flow that XORs every byte with 0x5a over a lower flow --------- */

struct xflow {
    struct mote_flow flow;
    struct mote_flow *lower;
};

static int x_read(struct mote_flow *f, void *buf, size_t size, size_t *n)
{
    struct xflow *x = (struct xflow *)f;
    x->lower->read_deadline = f->read_deadline;
    int err = mote_flow_read(x->lower, buf, size, n);
    for (size_t i = 0; !err && i < *n; i++)
        ((uint8_t *)buf)[i] ^= 0x5a;
    return err;
}

static int x_write(struct mote_flow *f, const void *buf, size_t size)
{
    struct xflow *x = (struct xflow *)f;
    x->lower->write_deadline = f->write_deadline;
    uint8_t tmp[512];
    const uint8_t *p = buf;
    while (size) {
        size_t k = size < sizeof(tmp) ? size : sizeof(tmp);
        for (size_t i = 0; i < k; i++)
            tmp[i] = p[i] ^ 0x5a;
        int err = mote_flow_write(x->lower, tmp, k);
        if (err)
            return err;
        p += k;
        size -= k;
    }
    return 0;
}

static int x_shutdown(struct mote_flow *f)
{
    return mote_flow_shutdown(((struct xflow *)f)->lower);
}

static int closes;

static void x_close(struct mote_flow *f)
{
    struct xflow *x = (struct xflow *)f;
    mote_flow_close(x->lower);
    free(x);
    closes++;
}

static const struct mote_flow_ops x_ops = {
    .read = x_read,
    .write = x_write,
    .shutdown = x_shutdown,
    .close = x_close,
};

static int server_wraps, server_fail;

static int server_wrap(void *arg, struct mote_flow *f, struct mote_flow **out)
{
    (void)arg;
    server_wraps++;
    ok(f->read_deadline != MOTE_FOREVER && f->read_deadline != 0,
       "server wrap: a handshake deadline is set");
    if (server_fail)
        return MOTE_EPROTO;
    struct xflow *x = calloc(1, sizeof *x);
    x->flow.ops = &x_ops;
    x->lower = f;
    *out = &x->flow;
    return 0;
}

static int client_wraps, client_fail;
static char client_host[256];

static int client_wrap(void *arg, struct mote_flow *tcp, const char *host,
                       struct mote_flow **out)
{
    (void)arg;
    client_wraps++;
    snprintf(client_host, sizeof client_host, "%s", host);
    if (client_fail)
        return MOTE_EAUTH;
    struct xflow *x = calloc(1, sizeof *x);
    x->flow.ops = &x_ops;
    x->lower = tcp;
    *out = &x->flow;
    return 0;
}

/* ---- A server in a fiber --------------------------------------------- */

struct srv {
    struct mote_http_server *s;
    struct mote_listener *l;
    struct mote_fiber *f;
    uint16_t port;
};

static void run_fiber(void *arg)
{
    struct srv *v = arg;
    mote_http_server_run(v->s, v->l);
}

static int handler(void *arg, struct mote_http_exchange *x)
{
    (void)arg;
    const struct mote_http_request *r = mote_http_exchange_request(x);
    return mote_http_respond(x, 200, "text/plain", r->path.ptr, r->path.len);
}

static void srv_start(struct srv *v)
{
    struct mote_http_server_config cfg = {
        .handler = handler,
        .conn_wrap = server_wrap,
    };
    struct mote_endpoint e;
    mote_endpoint_parse("127.0.0.1:0", 11, &e);
    memset(v, 0, sizeof(*v));
    is_int(mote_http_server_new(&cfg, &v->s), 0, "server");
    is_int(mote_tcp_listen(mote_stack_default(), &e, 0, &v->l), 0, "listen");
    struct mote_endpoint b;
    mote_listener_local(v->l, &b);
    v->port = b.port;
    mote_fiber_spawn(run_fiber, v, 0, &v->f);
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

static void test_wrap(void)
{
    struct srv sv;
    srv_start(&sv);
    struct mote_http_client *c;
    struct mote_http_client_config cc = {.tls_wrap = client_wrap,
                                         .timeout_ns = 5 * SEC};
    is_int(mote_http_client_new(&cc, &c), 0, "client");
    char url[128];
    const struct mote_http_client_response *r;

    snprintf(url, sizeof url, "https://127.0.0.1:%u/one", (unsigned)sv.port);
    is_int(mote_http_client_request(c, MOTE_HTTP_GET, url, NULL, NULL, 0, &r),
           0, "https:// through both wraps");
    is_int(r->head.status, 200, "status 200");
    ok(r->body.len == 4 && memcmp(mote_buf_data(&r->body), "/one", 4) == 0,
       "body through the wraps");
    is_int(client_wraps, 1, "client wrap called once");
    is_int(server_wraps, 1, "server wrap called once");
    is_str(client_host, "127.0.0.1", "client wrap gets the host, no port");

    snprintf(url, sizeof url, "https://127.0.0.1:%u/two", (unsigned)sv.port);
    is_int(mote_http_client_request(c, MOTE_HTTP_GET, url, NULL, NULL, 0, &r),
           0, "second https request");
    is_int(r->reused, 1, "kept-alive wrapped connection reused");
    is_int(client_wraps, 1, "no new client wrap");
    is_int(server_wraps, 1, "no new server wrap");

    /* http:// to the same host and port: a new, unwrapped connection,
     * which the wrapping server cannot understand. */
    snprintf(url, sizeof url, "http://127.0.0.1:%u/three", (unsigned)sv.port);
    int err =
        mote_http_client_request(c, MOTE_HTTP_GET, url, NULL, NULL, 0, &r);
    ok(err != 0, "plain http:// to a wrapping server fails (%s)",
       mote_strerror(err));
    is_int(client_wraps, 1, "http:// does not call the client wrap");

    snprintf(url, sizeof url, "https://localhost:%u/four", (unsigned)sv.port);
    is_int(mote_http_client_request(c, MOTE_HTTP_GET, url, NULL, NULL, 0, &r),
           0, "https://localhost");
    is_str(client_host, "localhost", "client wrap gets localhost");

    /* A refusing client wrap: its error, the TCP connection closed. */
    client_fail = 1;
    mote_http_client_free(c);
    is_int(mote_http_client_new(&cc, &c), 0, "new client");
    snprintf(url, sizeof url, "https://127.0.0.1:%u/five", (unsigned)sv.port);
    int before = client_wraps;
    is_int(mote_http_client_request(c, MOTE_HTTP_GET, url, NULL, NULL, 0, &r),
           MOTE_EAUTH, "the client wrap's error is the request's");
    is_int(client_wraps - before, 1, "a failed wrap is not retried");
    client_fail = 0;

    /* A refusing server wrap: the connection is closed without a
     * response. */
    server_fail = 1;
    err = mote_http_client_request(c, MOTE_HTTP_GET, url, NULL, NULL, 0, &r);
    ok(err != 0, "server wrap refusing: request fails (%s)",
       mote_strerror(err));
    server_fail = 0;
    mote_http_client_free(c);

    /* No tls_wrap: https:// is refused. */
    struct mote_http_client_config plain = {.timeout_ns = 5 * SEC};
    is_int(mote_http_client_new(&plain, &c), 0, "client without tls_wrap");
    is_int(mote_http_client_request(c, MOTE_HTTP_GET, url, NULL, NULL, 0, &r),
           MOTE_ENOTSUP, "https:// without tls_wrap: MOTE_ENOTSUP");
    is_int(mote_http_client_request(c, MOTE_HTTP_GET, "ftp://127.0.0.1/", NULL,
                                    NULL, 0, &r),
           MOTE_EINVAL, "ftp:// refused");
    mote_http_client_free(c);

    is_int(srv_stop(&sv), 0, "server stopped, no connection left");
    ok(closes >= 4, "wrapped flows closed through the wrapper (%d)", closes);
}

int mote_main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_wrap);
    return tap_done();
}

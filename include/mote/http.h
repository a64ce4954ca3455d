/* HTTP/1.1: a sans-I/O codec, a server over any mote_flow, static files. */
#ifndef MOTE_HTTP_H
#define MOTE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mote/buf.h>
#include <mote/flow.h>
#include <mote/kv.h>
#include <mote/stack.h>

/*
 * Three layers, each usable alone:
 *
 * 1. The codec (src/http/parse.c, body.c): pure functions over bytes, no
 *    clock, no I/O, no allocation. A message head is parsed from a slice
 *    that holds the bytes received so far ("slice in, consumed count out"):
 *    MOTE_EAGAIN until the head is complete, then 0 and the head's length.
 *    Parsed fields are borrowed views into that slice: they stay valid while
 *    the caller keeps those bytes unchanged. Bodies are decoded by a small
 *    state machine (struct mote_http_body) fed any split of the input.
 *
 * 2. The server (src/http/server.c): one fiber per connection over any
 *    mote_flow, requests handled in order (pipelining), header and idle
 *    timeouts, a connection cap and graceful shutdown.
 *
 * 3. Static files (src/http/static.c) from a read-only key-value device
 *    (<mote/kv.h>): conditional requests, ranges, pre-compressed siblings.
 *
 * Security: the head parser implements the RFC 9112 request-smuggling
 * defences: obs-fold, bare CR, bare LF, whitespace before a colon, invalid
 * token or field-value characters, duplicate or malformed Content-Length,
 * Transfer-Encoding with Content-Length, Transfer-Encoding in HTTP/1.0 and
 * any transfer coding other than a lone "chunked" are all refused, and the
 * server closes the connection after any such error.
 */

/* ---- Codec ---------------------------------------------------------------
 */

enum mote_http_method {
    MOTE_HTTP_METHOD_NONE = 0,
    MOTE_HTTP_GET,
    MOTE_HTTP_HEAD,
    MOTE_HTTP_POST,
    MOTE_HTTP_PUT,
    MOTE_HTTP_DELETE,
    MOTE_HTTP_OPTIONS,
    MOTE_HTTP_TRACE,
    MOTE_HTTP_CONNECT,
    MOTE_HTTP_PATCH,
    MOTE_HTTP_OTHER, /* a valid token we do not know; see method_text */
};

/* How the message body is delimited (RFC 9112 section 6.3). */
enum mote_http_framing {
    MOTE_HTTP_BODY_NONE = 0, /* no body */
    MOTE_HTTP_BODY_LENGTH,   /* Content-Length bytes */
    MOTE_HTTP_BODY_CHUNKED,  /* chunked transfer coding */
    MOTE_HTTP_BODY_CLOSE,    /* responses only: until the connection closes */
};

/* Most header fields one message may carry (the head is refused past
 * limits.max_headers, which may not exceed this). */
#define MOTE_HTTP_MAX_HEADERS 64

struct mote_http_header {
    struct mote_slice name;  /* a token, case as received */
    struct mote_slice value; /* leading and trailing whitespace removed */
};

/* Limits for outside input; zero fields take the default in brackets.
 * Exceeding one gives the error and status shown. */
struct mote_http_limits {
    size_t max_line;       /* request or status line [8192]: 414 */
    size_t max_head;       /* whole head incl. line [16384]: 431 */
    size_t max_headers;    /* field count [64, at most 64]: 431 */
    uint64_t max_body;     /* declared or chunked body [16 MiB]: 413 */
    size_t max_chunk_line; /* chunk-size line incl. extensions [256] */
    size_t max_trailers;   /* trailer section bytes [4096] */
};

/* Fill zero fields of *l with the defaults above. */
void mote_http_limits_default(struct mote_http_limits *l);

struct mote_http_request {
    enum mote_http_method method;
    struct mote_slice method_text;
    struct mote_slice target; /* as received: origin-, absolute- or '*' */
    struct mote_slice path;   /* target's path (no query), still encoded */
    struct mote_slice query;  /* after '?', without it; empty if none */
    int version;              /* 10 or 11 */
    size_t nheaders;
    struct mote_http_header headers[MOTE_HTTP_MAX_HEADERS];
    /* Derived from the fields: */
    enum mote_http_framing framing;
    uint64_t content_length; /* valid when framing is LENGTH */
    bool keep_alive;         /* version default, Connection: close/keep-alive */
    bool expect_continue;    /* Expect: 100-continue */
    struct mote_slice host;
    /* On an error return: the status a server should answer with (400,
     * 413, 414, 431, 501, 505); 0 on success. */
    int status;
};

/* Parse a request head from buf[0..len), the bytes received so far.
 * Returns 0 with *consumed = length of the head (up to and including the
 * empty line; leading empty lines allowed by RFC 9112 section 2.2 are
 * included), MOTE_EAGAIN if the head is not complete yet (nothing is kept
 * between calls: call again with more bytes), or an error with req->status
 * set: MOTE_EPROTO (malformed: 400, or 501 for an unsupported transfer
 * coding, 505 for an unsupported version) or MOTE_EMSGSIZE (a limit: 413,
 * 414, 431). limits may be NULL for the defaults. Fields of *req borrow
 * from buf. */
int mote_http_request_parse(const uint8_t *buf, size_t len,
                            const struct mote_http_limits *limits,
                            struct mote_http_request *req, size_t *consumed);

struct mote_http_response {
    int version; /* 10 or 11 */
    int status;  /* 100..999 */
    struct mote_slice reason;
    size_t nheaders;
    struct mote_http_header headers[MOTE_HTTP_MAX_HEADERS];
    enum mote_http_framing framing;
    uint64_t content_length;
    bool keep_alive;
};

/* Parse a response head, as mote_http_request_parse. The framing depends
 * on the request: pass its method (HEAD and 1xx/204/304 responses have no
 * body; a response with neither length nor chunking runs until close).
 * Errors: MOTE_EPROTO, MOTE_EMSGSIZE. */
int mote_http_response_parse(const uint8_t *buf, size_t len,
                             const struct mote_http_limits *limits,
                             enum mote_http_method request_method,
                             struct mote_http_response *resp, size_t *consumed);

/* Find a header by name (case-insensitive); NULL if absent. The first of
 * several is returned. */
const struct mote_http_header *
mote_http_header_find(const struct mote_http_header *h, size_t n,
                      const char *name);

/* A body decoder. Initialise with the message's framing, then feed it
 * bytes; it hands back the body's data as windows into those bytes. */
struct mote_http_body {
    enum mote_http_framing framing;
    uint64_t remaining; /* LENGTH: bytes left; CHUNKED: of this chunk */
    uint64_t total;     /* data bytes so far */
    uint64_t max;       /* limit on total */
    size_t max_line, max_trailers;
    size_t line;     /* bytes of the current framing line */
    size_t trailers; /* bytes of the trailer section so far */
    int state;       /* private */
    int error;       /* sticky */
};

/* framing NONE or LENGTH (with length) or CHUNKED or CLOSE. limits as
 * above (NULL for defaults). A LENGTH above max_body is the caller's to
 * refuse before this (the head parser does). */
void mote_http_body_init(struct mote_http_body *b, enum mote_http_framing f,
                         uint64_t length, const struct mote_http_limits *lim);

/* Feed in[0..len). Consumes framing bytes and at most one run of body
 * data, which is returned in *data (a window into in, possibly empty).
 * *consumed counts everything used, data included. Returns 1 when the body
 * is complete (nothing after it is consumed), 0 if more input is needed or
 * the caller should call again with the rest, or an error (sticky):
 * MOTE_EPROTO (bad chunk framing or trailer), MOTE_EMSGSIZE (past max_body
 * or a framing line or trailers past their limit). For CLOSE framing the
 * caller ends the body by calling mote_http_body_eof(). */
int mote_http_body_feed(struct mote_http_body *b, const uint8_t *in, size_t len,
                        size_t *consumed, struct mote_slice *data);

/* The stream ended. Returns 1 if that completes the body (CLOSE framing,
 * or already done), else MOTE_EPROTO (truncated). */
int mote_http_body_eof(struct mote_http_body *b);

/* ---- Helpers --------------------------------------------------------------
 */

/* "OK", "Not Found" ... for a status code; "" for an unknown one. */
const char *mote_http_reason(int status);
const char *mote_http_method_name(enum mote_http_method m);

/* Percent-decode src into dst (dstsize bytes, may equal srclen), writing
 * the length in *outlen. '+' is kept as is unless plus_space. Errors:
 * MOTE_EINVAL (bad %XX escape, or a decoded NUL), MOTE_ENOSPC. */
int mote_http_pct_decode(const char *src, size_t srclen, char *dst,
                         size_t dstsize, size_t *outlen, bool plus_space);

/* IMF-fixdate (RFC 9110 section 5.6.7), 29 characters plus NUL. */
#define MOTE_HTTP_DATE_LEN 30
/* Format seconds since the epoch. buf MUST hold MOTE_HTTP_DATE_LEN. */
void mote_http_date_format(uint64_t secs, char *buf);
/* Parse an IMF-fixdate (the other two obsolete forms are not accepted).
 * Errors: MOTE_EINVAL. */
int mote_http_date_parse(const char *s, size_t len, uint64_t *secs);

/* ---- Server ----------------------------------------------------------------
 */

struct mote_http_server;
struct mote_http_exchange; /* one request and its response; opaque */

/* A handler runs in the connection's fiber and may block. It answers by
 * calling the mote_http_respond* functions on x; returning without a
 * response gives a 500 (or closes the connection if a response had begun).
 * Return 0, or an error to close the connection after the response. */
typedef int (*mote_http_handler)(void *arg, struct mote_http_exchange *x);

/* One access-log line per request (Common Log Format), given to this hook
 * (not NUL-terminated); NULL for none. */
typedef void (*mote_http_log_hook)(void *arg, const char *line, size_t len);

struct mote_http_server_config {
    mote_http_handler handler;
    void *handler_arg;
    struct mote_http_limits limits; /* zero fields: defaults */
    uint64_t header_timeout_ns;     /* first byte to end of head [10 s] */
    uint64_t idle_timeout_ns;       /* between requests [60 s] */
    uint64_t io_timeout_ns;         /* each body read or write [60 s] */
    unsigned max_conns;             /* concurrent connections [10000] */
    size_t fiber_stack;             /* per connection [64 KiB] */
    const char *server_name;        /* Server: header ["mote"]; "" none */
    mote_http_log_hook access_log;
    void *access_log_arg;
    /* An idle keep-alive connection that has waited this long parks its
     * fiber stack (mote_fiber_park_stack) until the next request: a few
     * hundred bytes instead of the stack pages it touched. [1 s];
     * MOTE_FOREVER never. */
    uint64_t idle_park_ns;
    /* Called in each connection's fiber before its first request (e.g. a
     * TLS handshake) with a deadline set on f; *out is the flow to serve
     * (closing it MUST close f). On error the server closes f. NULL: f
     * is served as is. */
    int (*conn_wrap)(void *arg, struct mote_flow *f, struct mote_flow **out);
    void *conn_wrap_arg;
};

/* Allocate a server (copying cfg; strings in it MUST outlive the server).
 * Errors: MOTE_EINVAL (no handler), MOTE_ENOMEM. */
int mote_http_server_new(const struct mote_http_server_config *cfg,
                         struct mote_http_server **out);

/* Accept connections on l and serve each in its own fiber. Blocks until
 * mote_http_server_shutdown() or an accept error other than a transient
 * one; returns 0 after a shutdown. May run on several listeners at once
 * (one fiber each). The listener stays the caller's. */
int mote_http_server_run(struct mote_http_server *s, struct mote_listener *l);

/* Serve one connection in the calling fiber until it closes; the flow
 * becomes the server's and is closed on return. peer may be NULL. */
void mote_http_server_conn(struct mote_http_server *s, struct mote_flow *f,
                           const struct mote_endpoint *peer);

/* Graceful shutdown: stop accepting, close idle connections, let each busy
 * one finish the request in progress (then close it), and wait for them
 * until deadline, after which the rest are cancelled. Blocks. Returns 0,
 * or MOTE_ETIMEDOUT if some had to be cancelled. */
int mote_http_server_shutdown(struct mote_http_server *s, uint64_t deadline);

/* Frees the server; it MUST have no connections and no run() in progress
 * (after shutdown returned). */
void mote_http_server_free(struct mote_http_server *s);

struct mote_http_server_stats {
    uint64_t conns;    /* open now */
    uint64_t accepted; /* ever */
    uint64_t requests; /* answered */
    uint64_t errors;   /* heads refused with 4xx/5xx by the parser */
    uint64_t timeouts; /* connections cut by a header/idle/io timeout */
    uint64_t parks;    /* idle waits that went on with a parked stack */
};
void mote_http_server_stats(const struct mote_http_server *s,
                            struct mote_http_server_stats *out);

/* -- Inside a handler -- */

/* The request; valid until the handler returns. */
const struct mote_http_request *
mote_http_exchange_request(const struct mote_http_exchange *x);
/* The peer, or NULL if unknown. */
const struct mote_endpoint *
mote_http_exchange_peer(const struct mote_http_exchange *x);

/* Read up to size bytes of the request body (decoded), blocking. *n == 0
 * means the body has ended. Sends "100 Continue" first if the client
 * asked for it. Errors: MOTE_EPROTO, MOTE_EMSGSIZE, flow errors. */
int mote_http_read_body(struct mote_http_exchange *x, void *buf, size_t size,
                        size_t *n);

/* Add a response header (copied). At most 32 per response; name and value
 * MUST NOT contain CR or LF (MOTE_EINVAL). Errors: MOTE_ENOSPC,
 * MOTE_EINVAL, MOTE_EBUSY (the head was already sent). */
int mote_http_add_header(struct mote_http_exchange *x, const char *name,
                         const char *value);

/* Send a complete response with body[0..len) (body is not sent for HEAD
 * requests, but Content-Length is). Blocks. */
int mote_http_respond(struct mote_http_exchange *x, int status,
                      const char *content_type, const void *body, size_t len);

/* Streamed response: begin with the status and the body length (or
 * MOTE_HTTP_CHUNKED to use chunked coding), write the body in pieces,
 * end. Writing more or less than a declared length is a contract error
 * reported as MOTE_EINVAL and closes the connection. */
#define MOTE_HTTP_CHUNKED UINT64_MAX
int mote_http_begin(struct mote_http_exchange *x, int status,
                    const char *content_type, uint64_t length);
int mote_http_write(struct mote_http_exchange *x, const void *p, size_t n);
int mote_http_end(struct mote_http_exchange *x);

/* Ask that the connection be closed after this response. */
void mote_http_close_after(struct mote_http_exchange *x);

/* ---- Client
 * ------------------------------------------------------------------
 */

/* A client keeps at most one idle keep-alive connection and reuses it for
 * the next request to the same host and port. URLs are
 * "http://HOST[:PORT]/path?query" with HOST an IPv4 address, a bracketed
 * IPv6 address or "localhost" (no DNS yet). All calls block the calling
 * fiber. */
struct mote_http_client;

struct mote_http_client_config {
    struct mote_stack *stack;       /* NULL: mote_stack_default() */
    uint64_t timeout_ns;            /* connect, each read/write [30 s] */
    int max_redirects;              /* 0: return 3xx as is */
    struct mote_http_limits limits; /* for responses; zero: defaults */
    /* https:// URLs (default port 443): called on each new TCP connection
     * with the server's host name (no port or brackets) to put TLS over
     * it; *out is then the connection (closing it closes tcp). On error
     * the client closes tcp. NULL: https:// gives MOTE_ENOTSUP. */
    int (*tls_wrap)(void *arg, struct mote_flow *tcp, const char *host,
                    struct mote_flow **out);
    void *tls_wrap_arg;
};

/* The response to one request; the client owns it and reuses it on the
 * next request. head's views and body stay valid until then. */
struct mote_http_client_response {
    struct mote_http_response head;
    struct mote_buf body; /* decoded body (no body for HEAD) */
    int reused;           /* 1 if sent on a kept-alive connection */
    int redirects;        /* redirects followed */
};

int mote_http_client_new(const struct mote_http_client_config *cfg,
                         struct mote_http_client **out);
/* Closes any kept connection. */
void mote_http_client_free(struct mote_http_client *c);

/* Send a request and read the whole response into *resp (owned by the
 * client: valid until the next request or free). extra_headers is a block
 * of "Name: value\r\n" lines or NULL; body (len bytes) is sent with a
 * Content-Length when not NULL. A stale kept-alive connection (closed by
 * the server while idle) is replaced and an idempotent request retried
 * once. Errors: MOTE_EINVAL (bad URL or header block), MOTE_EPROTO (bad
 * response), MOTE_EMSGSIZE (response past limits), MOTE_ETIMEDOUT,
 * connection errors. */
int mote_http_client_request(struct mote_http_client *c,
                             enum mote_http_method method, const char *url,
                             const char *extra_headers, const void *body,
                             size_t len,
                             const struct mote_http_client_response **resp);

/* ---- Routing and middleware ----------------------------------------------
 */

/* Path parameters captured by a route pattern, percent-decoded. */
#define MOTE_HTTP_MAX_PARAMS 8
struct mote_http_params {
    size_t n;
    struct {
        const char *name; /* into the pattern (not NUL-terminated) */
        size_t name_len;
        const char *value; /* into buf, NUL-terminated */
        size_t value_len;
    } p[MOTE_HTTP_MAX_PARAMS];
    size_t used;
    char buf[1024];
};

/* Match a request path (still percent-encoded, without the query) against
 * a pattern: literal segments compare exactly, ":name" captures one
 * non-empty segment, a final "*name" captures the rest (possibly empty,
 * slashes kept). "/" matches only "/". Captured values are decoded;
 * a decoded value containing '/' is fine for "*", refused for ":" (so an
 * encoded slash cannot widen a one-segment parameter).
 * Returns 1 on a match (*out filled), 0 if no match, MOTE_EINVAL for a
 * bad escape, MOTE_ENOSPC if the values do not fit. */
int mote_http_route_match(const char *pattern, const uint8_t *path, size_t len,
                          struct mote_http_params *out);

struct mote_http_route {
    enum mote_http_method method; /* MOTE_HTTP_METHOD_NONE: any */
    const char *pattern;
    mote_http_handler handler;
    void *arg;
};

/* A handler (arg: struct mote_http_router *) dispatching to the first
 * route whose method and pattern match. HEAD also matches GET routes. A
 * path that matches only other methods' routes gets 405 with an Allow
 * header; no match gets 404 (or not_found, if set). */
struct mote_http_router {
    const struct mote_http_route *routes;
    size_t count;
    mote_http_handler not_found; /* NULL: plain 404 */
    void *not_found_arg;
};
int mote_http_router_handler(void *arg, struct mote_http_exchange *x);

/* The value of path parameter name from the matched route, NUL-terminated,
 * or NULL. Valid until the handler returns. */
const char *mote_http_param(const struct mote_http_exchange *x,
                            const char *name);

/* Find key in a query string ("a=1&b=two+words"), decode its value (with
 * '+' as space) into out (size bytes, NUL-terminated). A key without '='
 * has the empty value. Errors: MOTE_ENOENT, MOTE_EINVAL (bad escape),
 * MOTE_ENOSPC. */
int mote_http_query_get(struct mote_slice query, const char *key, char *out,
                        size_t size);

/* Middleware wraps a handler: it may answer itself, or add headers and call
 * next(next_arg, x). A chain (arg: struct mote_http_chain *) runs mw[0],
 * whose next runs mw[1], ..., the last one's next runs the final handler. */
typedef int (*mote_http_middleware_fn)(void *arg, struct mote_http_exchange *x,
                                       mote_http_handler next, void *next_arg);
struct mote_http_middleware {
    mote_http_middleware_fn fn;
    void *arg;
};
struct mote_http_chain {
    const struct mote_http_middleware *mw;
    size_t count;
    mote_http_handler handler;
    void *arg;
};
int mote_http_chain_handler(void *arg, struct mote_http_exchange *x);

/* CORS (arg: const char *, the allowed origin or "*"): adds
 * Access-Control-Allow-Origin to every response, and answers preflight
 * requests (OPTIONS with Access-Control-Request-Method) with 204. */
int mote_http_mw_cors(void *arg, struct mote_http_exchange *x,
                      mote_http_handler next, void *next_arg);

/* HTTP Basic authentication (RFC 7617) against one user. Requests without
 * the right credentials get 401 with WWW-Authenticate. */
struct mote_http_basic_auth {
    const char *realm, *user, *password;
};
int mote_http_mw_basic_auth(void *arg, struct mote_http_exchange *x,
                            mote_http_handler next, void *next_arg);

/* ---- Static files ----------------------------------------------------------
 */

struct mote_http_static {
    struct mote_kv *kv; /* borrowed */
    bool browse;        /* list directories that have no index.html */
};

/* A handler (arg: struct mote_http_static *) serving kv: GET and HEAD (else
 * 405 with Allow), index.html for directories (301 to add the slash),
 * optional listings, ETag/If-None-Match, Last-Modified/If-Modified-Since,
 * If-Range, Range (one range: 206; several: multipart/byteranges; none
 * satisfiable: 416), Accept-Encoding: gzip served from a "NAME.gz" sibling
 * when one exists. Paths are percent-decoded and refused if they could
 * leave the root ("..", ".", NUL, backslash). */
int mote_http_static_handler(void *arg, struct mote_http_exchange *x);

/* The MIME type for a file name, by extension; never NULL
 * ("application/octet-stream" when unknown). */
const char *mote_http_mime_type(const char *name, size_t len);

#endif

/* Unit tests for the HTTP/1.1 codec: heads, bodies, helpers, mote_kv. */
#include <stdlib.h>
#include <string.h>

#include <mote/http.h>
#include <mote/kv.h>
#include <mote/mote.h>

#include "tap.h"

static int slice_is(struct mote_slice s, const char *want)
{
    return s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0;
}

static int parse_req(const char *s, struct mote_http_request *req, size_t *used)
{
    return mote_http_request_parse((const uint8_t *)s, strlen(s), NULL, req,
                                   used);
}

/* ---- Request heads -------------------------------------------------------
 */

static void test_request_basic(void)
{
    /* RFC 9112 section 3.2 / RFC 9110 examples. */
    static const char r1[] =
        "GET /pub/WWW/TheProject.html?a=1&b=%20 HTTP/1.1\r\n"
        "Host: www.example.org\r\n"
        "User-Agent:  curl/7.16.3 libcurl/7.16.3  \r\n"
        "Accept-Language: en, mi\r\n"
        "\r\n"
        "NEXT";
    struct mote_http_request req;
    size_t used;
    is_int(parse_req(r1, &req, &used), 0, "parses");
    is_int(used, strlen(r1) - 4, "consumed the head only");
    is_int(req.method, MOTE_HTTP_GET, "GET");
    ok(slice_is(req.target, "/pub/WWW/TheProject.html?a=1&b=%20"), "target");
    ok(slice_is(req.path, "/pub/WWW/TheProject.html"), "path");
    ok(slice_is(req.query, "a=1&b=%20"), "query");
    is_int(req.version, 11, "HTTP/1.1");
    is_int(req.nheaders, 3, "three fields");
    ok(slice_is(req.headers[1].value, "curl/7.16.3 libcurl/7.16.3"),
       "OWS trimmed from the value");
    ok(slice_is(req.host, "www.example.org"), "host");
    ok(req.keep_alive, "1.1 keeps alive by default");
    is_int(req.framing, MOTE_HTTP_BODY_NONE, "no body");
    const struct mote_http_header *h =
        mote_http_header_find(req.headers, req.nheaders, "ACCEPT-language");
    ok(h && slice_is(h->value, "en, mi"), "find is case-insensitive");

    is_int(parse_req("\r\nGET / HTTP/1.0\r\n\r\n", &req, &used), 0,
           "a leading empty line is ignored (RFC 9112 2.2)");
    ok(!req.keep_alive && req.version == 10, "1.0 closes by default");
    is_int(parse_req("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &req,
                     &used),
           0, "1.0 keep-alive");
    ok(req.keep_alive, "keep-alive honoured for 1.0");
    is_int(parse_req("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, "
                     "close\r\n\r\n",
                     &req, &used),
           0, "Connection list");
    ok(!req.keep_alive, "close wins");
    is_int(parse_req("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                     "Expect: 100-continue\r\n\r\n",
                     &req, &used),
           0, "POST with length");
    ok(req.framing == MOTE_HTTP_BODY_LENGTH && req.content_length == 5,
       "length framing");
    ok(req.expect_continue, "100-continue");
    is_int(parse_req("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
                     "Chunked\r\n\r\n",
                     &req, &used),
           0, "chunked (case-insensitive)");
    is_int(req.framing, MOTE_HTTP_BODY_CHUNKED, "chunked framing");
    is_int(parse_req("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", &req, &used), 0,
           "asterisk-form for OPTIONS");
    is_int(parse_req("GET http://example.org/a/b?c HTTP/1.1\r\nHost: "
                     "example.org\r\n\r\n",
                     &req, &used),
           0, "absolute-form");
    ok(slice_is(req.path, "/a/b") && slice_is(req.query, "c"),
       "absolute-form path and query");
    is_int(parse_req("GET http://example.org HTTP/1.1\r\nHost: x\r\n\r\n", &req,
                     &used),
           0, "absolute-form without a path");
    ok(slice_is(req.path, "/"), "empty path is /");
    is_int(parse_req("BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n", &req, &used), 0,
           "unknown method token");
    is_int(req.method, MOTE_HTTP_OTHER, "as OTHER");
    is_int(parse_req("get / HTTP/1.1\r\nHost: a\r\n\r\n", &req, &used), 0,
           "methods are case-sensitive");
    is_int(req.method, MOTE_HTTP_OTHER, "lower-case get is not GET");
    is_int(parse_req("GET / HTTP/1.1\r\nHost: a\r\nX: \x80\xff ok\r\n\r\n",
                     &req, &used),
           0, "obs-text in a value is allowed");
    is_int(parse_req("GET / HTTP/1.2\r\nHost: a\r\n\r\n", &req, &used), 0,
           "HTTP/1.2 is served as 1.1");
}

struct bad {
    const char *in;
    int err, status;
    const char *what;
};

static const struct bad bad_requests[] = {
    {"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", MOTE_EPROTO, 400,
     "obs-fold"},
    {"GET / HTTP/1.1\r\nHost: a\r\n\tX: a\r\n\r\n", MOTE_EPROTO, 400,
     "line starting with HTAB"},
    {"GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", MOTE_EPROTO, 400,
     "bare CR in a value"},
    {"GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", MOTE_EPROTO, 400,
     "bare LF ending a field"},
    {"GET / HTTP/1.1\nHost: a\r\n\r\n", MOTE_EPROTO, 400,
     "bare LF ending the request line"},
    {"GET / HTTP/1.1\r\nHost: a\r\n\n", MOTE_EPROTO, 400,
     "bare LF ending the head"},
    {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", MOTE_EPROTO, 400,
     "whitespace before the colon"},
    {"GET / HTTP/1.1\r\nHo(st: a\r\n\r\n", MOTE_EPROTO, 400,
     "invalid token character in a name"},
    {"GET / HTTP/1.1\r\n: a\r\nHost: a\r\n\r\n", MOTE_EPROTO, 400,
     "empty field name"},
    {"GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", MOTE_EPROTO, 400,
     "field without a colon"},
    {"GET / HTTP/1.1\r\nHost: a\r\nX: a\x01\r\n\r\n", MOTE_EPROTO, 400,
     "control character in a value"},
    {"GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f\r\n\r\n", MOTE_EPROTO, 400,
     "DEL in a value"},
    {"GET / HTTP/1.1\r\nHost: a\x00\r\n\r\n", MOTE_EPROTO, 400,
     "NUL in a value"},
    {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: "
     "5\r\n\r\n",
     MOTE_EPROTO, 400, "duplicate Content-Length, even equal"},
    {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: "
     "6\r\n\r\n",
     MOTE_EPROTO, 400, "conflicting Content-Length"},
    {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", MOTE_EPROTO,
     400, "Content-Length list"},
    {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", MOTE_EPROTO,
     400, "signed Content-Length"},
    {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\n", MOTE_EPROTO,
     400, "hex Content-Length"},
    {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", MOTE_EPROTO, 400,
     "empty Content-Length"},
    {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: "
     "99999999999999999999999\r\n\r\n",
     MOTE_EPROTO, 400, "overflowing Content-Length"},
    {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: "
     "chunked\r\n\r\n",
     MOTE_EPROTO, 400, "Transfer-Encoding with Content-Length"},
    {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
     "Content-Length: 3\r\n\r\n",
     MOTE_EPROTO, 400, "Content-Length after Transfer-Encoding"},
    {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", MOTE_EPROTO, 400,
     "Transfer-Encoding in HTTP/1.0"},
    {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
     MOTE_EPROTO, 501, "unsupported transfer coding"},
    {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, "
     "identity\r\n\r\n",
     MOTE_EPROTO, 501, "chunked not last"},
    {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
     "Transfer-Encoding: chunked\r\n\r\n",
     MOTE_EPROTO, 400, "two Transfer-Encoding fields"},
    {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n",
     MOTE_EPROTO, 501, "xchunked"},
    {"GET / HTTP/1.1\r\n\r\n", MOTE_EPROTO, 400, "HTTP/1.1 without Host"},
    {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", MOTE_EPROTO, 400,
     "two Host fields"},
    {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", MOTE_EPROTO, 505, "HTTP/2.0"},
    {"GET / HTTP/0.9\r\nHost: a\r\n\r\n", MOTE_EPROTO, 505, "HTTP/0.9"},
    {"GET / http/1.1\r\nHost: a\r\n\r\n", MOTE_EPROTO, 400,
     "lower-case protocol name"},
    {"GET / HTTP/1.1 \r\nHost: a\r\n\r\n", MOTE_EPROTO, 400,
     "space after the version"},
    {"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", MOTE_EPROTO, 400,
     "two spaces after the method"},
    {"GET / x HTTP/1.1\r\nHost: a\r\n\r\n", MOTE_EPROTO, 400,
     "space in the target"},
    {"GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n", MOTE_EPROTO, 400,
     "control character in the target"},
    {"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", MOTE_EPROTO, 400,
     "invalid method character"},
    {" GET / HTTP/1.1\r\nHost: a\r\n\r\n", MOTE_EPROTO, 400, "leading space"},
    {"GET * HTTP/1.1\r\nHost: a\r\n\r\n", MOTE_EPROTO, 400,
     "asterisk-form for GET"},
    {"GET foo HTTP/1.1\r\nHost: a\r\n\r\n", MOTE_EPROTO, 400,
     "relative target"},
    {"\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n", MOTE_EPROTO, 400,
     "empty lines past the few allowed"},
    {"GET /\x00 HTTP/1.1\r\n", MOTE_EPROTO, 400, "NUL, refused early"},
};

static void test_request_malformed(void)
{
    for (size_t i = 0; i < sizeof(bad_requests) / sizeof(bad_requests[0]);
         i++) {
        const struct bad *b = &bad_requests[i];
        /* strlen would stop at an embedded NUL: find the real length. */
        size_t len = strlen(b->in);
        if (strstr(b->what, "NUL"))
            len += 1 + strlen(b->in + len + 1);
        struct mote_http_request req;
        size_t used = 99;
        int err = mote_http_request_parse((const uint8_t *)b->in, len, NULL,
                                          &req, &used);
        ok(err == b->err && req.status == b->status && used == 0, "%s: %s (%d)",
           b->what, mote_errname(err), req.status);
    }
}

static void test_request_limits(void)
{
    struct mote_http_limits lim = {
        .max_line = 64, .max_head = 256, .max_headers = 4, .max_body = 1000};
    struct mote_http_request req;
    size_t used;
    char buf[2048];
    snprintf(buf, sizeof(buf), "GET /%070d HTTP/1.1\r\nHost: a\r\n\r\n", 0);
    is_int(
        mote_http_request_parse((uint8_t *)buf, strlen(buf), &lim, &req, &used),
        MOTE_EMSGSIZE, "long request line");
    is_int(req.status, 414, "414");
    /* Refused before the line is complete, so the buffer cannot grow. */
    is_int(mote_http_request_parse((uint8_t *)buf, 70, &lim, &req, &used),
           MOTE_EMSGSIZE, "long partial request line");
    is_int(req.status, 414, "414 early");
    int n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; n < 300; i++)
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, "X%d: 1\r\n", i);
    is_int(
        mote_http_request_parse((uint8_t *)buf, (size_t)n, &lim, &req, &used),
        MOTE_EMSGSIZE, "partial head past max_head");
    is_int(req.status, 431, "431");
    snprintf(buf, sizeof(buf),
             "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: "
             "4\r\n\r\n");
    is_int(
        mote_http_request_parse((uint8_t *)buf, strlen(buf), &lim, &req, &used),
        MOTE_EMSGSIZE, "five fields, limit four");
    is_int(req.status, 431, "431 for the count");
    snprintf(buf, sizeof(buf),
             "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n");
    is_int(
        mote_http_request_parse((uint8_t *)buf, strlen(buf), &lim, &req, &used),
        MOTE_EMSGSIZE, "declared body past max_body");
    is_int(req.status, 413, "413");
    snprintf(buf, sizeof(buf),
             "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n");
    is_int(
        mote_http_request_parse((uint8_t *)buf, strlen(buf), &lim, &req, &used),
        0, "body at max_body is fine");
}

/* Every prefix of a valid head is EAGAIN; the whole parses identically. */
static void test_request_split(void)
{
    static const char *reqs[] = {
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "\r\nPOST /form?x=1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: "
        "3\r\nX-Empty:\r\nConnection: close\r\n\r\nabc",
        "GET /a HTTP/1.0\r\n\r\n",
    };
    for (size_t k = 0; k < sizeof(reqs) / sizeof(reqs[0]); k++) {
        const uint8_t *in = (const uint8_t *)reqs[k];
        size_t len = strlen(reqs[k]);
        struct mote_http_request whole, part;
        size_t used_whole, used;
        is_int(mote_http_request_parse(in, len, NULL, &whole, &used_whole), 0,
               "request %zu whole", k);
        int good = 1;
        for (size_t cut = 0; cut < used_whole; cut++)
            if (mote_http_request_parse(in, cut, NULL, &part, &used) !=
                MOTE_EAGAIN)
                good = 0;
        ok(good, "request %zu: every proper prefix is EAGAIN", k);
        good = 1;
        for (size_t cut = used_whole; cut <= len; cut++) {
            if (mote_http_request_parse(in, cut, NULL, &part, &used) != 0 ||
                used != used_whole || part.nheaders != whole.nheaders ||
                part.framing != whole.framing)
                good = 0;
        }
        ok(good, "request %zu: complete at every longer cut", k);
    }
    /* Malformed heads never parse at any cut and fail once complete. */
    int good = 1;
    for (size_t i = 0; i < sizeof(bad_requests) / sizeof(bad_requests[0]);
         i++) {
        const char *in = bad_requests[i].in;
        size_t len = strlen(in);
        for (size_t cut = 0; cut <= len; cut++) {
            struct mote_http_request req;
            size_t used;
            int err = mote_http_request_parse((const uint8_t *)in, cut, NULL,
                                              &req, &used);
            if (err == 0)
                good = 0;
        }
    }
    ok(good, "no prefix of a malformed request parses");
}

/* ---- Response heads ------------------------------------------------------
 */

static void test_response(void)
{
    struct mote_http_response r;
    size_t used;
    const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n";
    is_int(mote_http_response_parse((const uint8_t *)s, strlen(s), NULL,
                                    MOTE_HTTP_GET, &r, &used),
           0, "200");
    ok(r.status == 200 && slice_is(r.reason, "OK") && r.keep_alive &&
           r.framing == MOTE_HTTP_BODY_LENGTH && r.content_length == 12,
       "fields");
    is_int(mote_http_response_parse((const uint8_t *)s, strlen(s), NULL,
                                    MOTE_HTTP_HEAD, &r, &used),
           0, "to HEAD");
    is_int(r.framing, MOTE_HTTP_BODY_NONE, "no body after HEAD");
    s = "HTTP/1.1 204\r\n\r\n";
    is_int(mote_http_response_parse((const uint8_t *)s, strlen(s), NULL,
                                    MOTE_HTTP_GET, &r, &used),
           0, "no reason phrase");
    ok(r.status == 204 && r.reason.len == 0 && r.framing == MOTE_HTTP_BODY_NONE,
       "204 has no body");
    s = "HTTP/1.0 200 Fine thanks\r\nServer: x\r\n\r\n";
    is_int(mote_http_response_parse((const uint8_t *)s, strlen(s), NULL,
                                    MOTE_HTTP_GET, &r, &used),
           0, "1.0 without length");
    ok(r.framing == MOTE_HTTP_BODY_CLOSE && !r.keep_alive, "read to close");
    s = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    is_int(mote_http_response_parse((const uint8_t *)s, strlen(s), NULL,
                                    MOTE_HTTP_GET, &r, &used),
           0, "chunked");
    is_int(r.framing, MOTE_HTTP_BODY_CHUNKED, "chunked framing");
    s = "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n";
    mote_http_response_parse((const uint8_t *)s, strlen(s), NULL, MOTE_HTTP_GET,
                             &r, &used);
    is_int(r.framing, MOTE_HTTP_BODY_NONE, "304 has no body");
    static const char *bad[] = {
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 abc OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n",
        "HTTP/1.1 200 O\rK\r\n\r\n",
        "HTTPS/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 099 OK\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ok(mote_http_response_parse((const uint8_t *)bad[i], strlen(bad[i]),
                                    NULL, MOTE_HTTP_GET, &r, &used) < 0 &&
               mote_http_response_parse((const uint8_t *)bad[i], strlen(bad[i]),
                                        NULL, MOTE_HTTP_GET, &r,
                                        &used) != MOTE_EAGAIN,
           "refuses bad response %zu", i);
    s = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n";
    int good = 1;
    for (size_t cut = 0; cut < strlen(s); cut++)
        if (mote_http_response_parse((const uint8_t *)s, cut, NULL,
                                     MOTE_HTTP_GET, &r, &used) != MOTE_EAGAIN)
            good = 0;
    ok(good, "every prefix of a response head is EAGAIN");
}

/* ---- Bodies ------------------------------------------------------------- */

/* Decode in[0..len) fed in pieces of at most step bytes (0: split once at
 * cut). Returns the decoder's final result; the data goes to out. */
static int decode(enum mote_http_framing f, uint64_t length, const char *in,
                  size_t len, size_t step, size_t cut, char *out,
                  size_t *outlen, size_t *used_total,
                  const struct mote_http_limits *lim)
{
    struct mote_http_body b;
    mote_http_body_init(&b, f, length, lim);
    size_t pos = 0, o = 0;
    int r = 0;
    while (pos < len) {
        size_t avail = len - pos;
        if (step && avail > step)
            avail = step;
        if (!step && pos < cut && avail > cut - pos)
            avail = cut - pos;
        size_t used;
        struct mote_slice d;
        r = mote_http_body_feed(&b, (const uint8_t *)in + pos, avail, &used,
                                &d);
        if (r < 0)
            break;
        memcpy(out + o, d.ptr, d.len);
        o += d.len;
        pos += used;
        if (r == 1)
            break;
        if (used == 0 && avail == len - pos)
            break; /* needs more than there is */
    }
    *outlen = o;
    *used_total = pos;
    return r;
}

static void test_body_chunked(void)
{
    /* RFC 9112 7.1 with an extension and a trailer, then a next request. */
    static const char in[] = "4;name=val\r\nWiki\r\n"
                             "5 ; x\r\npedia\r\n"
                             "E\r\n in\r\n\r\nchunks.\r\n"
                             "0\r\n"
                             "Expires: never\r\n"
                             "\r\n"
                             "GET";
    size_t len = strlen(in), body_end = len - 3;
    const char *want = "Wikipedia in\r\n\r\nchunks.";
    static char out[8192];
    size_t ol, used;
    is_int(
        decode(MOTE_HTTP_BODY_CHUNKED, 0, in, len, 0, 0, out, &ol, &used, NULL),
        1, "whole");
    ok(ol == strlen(want) && memcmp(out, want, ol) == 0, "data whole");
    is_int(used, body_end, "stops at the end of the body");
    int good = 1;
    for (size_t step = 1; step <= 3; step++) {
        int r = decode(MOTE_HTTP_BODY_CHUNKED, 0, in, len, step, 0, out, &ol,
                       &used, NULL);
        if (r != 1 || ol != strlen(want) || memcmp(out, want, ol) ||
            used != body_end)
            good = 0;
    }
    ok(good, "byte by byte, by 2 and by 3");
    good = 1;
    for (size_t cut = 0; cut <= len; cut++) {
        int r = decode(MOTE_HTTP_BODY_CHUNKED, 0, in, len, 0, cut, out, &ol,
                       &used, NULL);
        if (r != 1 || ol != strlen(want) || memcmp(out, want, ol) ||
            used != body_end)
            good = 0;
    }
    ok(good, "split at every offset");

    static const struct {
        const char *in;
        int err;
        const char *what;
    } bad[] = {
        {"x\r\n", MOTE_EPROTO, "not hex"},
        {"\r\n", MOTE_EPROTO, "no size"},
        {"4\nWiki\r\n0\r\n\r\n", MOTE_EPROTO, "bare LF after the size"},
        {"4\r\nWikiX\r\n0\r\n\r\n", MOTE_EPROTO, "data longer than the size"},
        {"4\r\nWiki\n0\r\n\r\n", MOTE_EPROTO, "bare LF after the data"},
        {"4\r\nWiki\r\n0\r\nX: a\r\n b\r\n\r\n", MOTE_EPROTO,
         "obs-fold in a trailer"},
        {"0\r\nX a\r\n\r\n", MOTE_EPROTO, "trailer without a colon"},
        {"0\r\n\rX", MOTE_EPROTO, "bad final CRLF"},
        {"4;a\nb\r\n", MOTE_EPROTO, "LF in an extension"},
        {"fffffffffffffffff\r\n", MOTE_EMSGSIZE, "size overflow"},
        {"-1\r\n", MOTE_EPROTO, "negative size"},
        {"1001\r\n", MOTE_EMSGSIZE, "chunk past max_body"},
        {"4;"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
         MOTE_EMSGSIZE, "extension past max_chunk_line"},
    };
    struct mote_http_limits lim = {.max_body = 4096, .max_chunk_line = 64};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int r = decode(MOTE_HTTP_BODY_CHUNKED, 0, bad[i].in, strlen(bad[i].in),
                       0, 0, out, &ol, &used, &lim);
        int r1 = decode(MOTE_HTTP_BODY_CHUNKED, 0, bad[i].in, strlen(bad[i].in),
                        1, 0, out, &ol, &used, &lim);
        ok(r == bad[i].err && r1 == bad[i].err, "%s: %s", bad[i].what,
           mote_errname(r));
    }
    /* Many small chunks add up past max_body. */
    static char many[8192];
    size_t n = 0;
    for (int i = 0; i < 300; i++)
        n +=
            (size_t)snprintf(many + n, sizeof(many) - n, "a\r\n0123456789\r\n");
    lim.max_body = 1000;
    is_int(
        decode(MOTE_HTTP_BODY_CHUNKED, 0, many, n, 0, 0, out, &ol, &used, &lim),
        MOTE_EMSGSIZE, "total of chunks past max_body");
    /* Sticky error; truncation. */
    struct mote_http_body b;
    mote_http_body_init(&b, MOTE_HTTP_BODY_CHUNKED, 0, NULL);
    struct mote_slice d;
    mote_http_body_feed(&b, (const uint8_t *)"z", 1, &used, &d);
    is_int(mote_http_body_feed(&b, (const uint8_t *)"0\r\n\r\n", 5, &used, &d),
           MOTE_EPROTO, "error is sticky");
    mote_http_body_init(&b, MOTE_HTTP_BODY_CHUNKED, 0, NULL);
    mote_http_body_feed(&b, (const uint8_t *)"5\r\nab", 6, &used, &d);
    is_int(mote_http_body_eof(&b), MOTE_EPROTO, "truncated chunked body");
}

static void test_body_length(void)
{
    const char *in = "hello worldGET";
    char out[64];
    size_t ol, used;
    int good = 1;
    for (size_t cut = 0; cut <= 14; cut++) {
        int r = decode(MOTE_HTTP_BODY_LENGTH, 11, in, 14, 0, cut, out, &ol,
                       &used, NULL);
        if (r != 1 || ol != 11 || memcmp(out, "hello world", 11) || used != 11)
            good = 0;
    }
    ok(good, "length body split at every offset stops at its end");
    struct mote_http_body b;
    mote_http_body_init(&b, MOTE_HTTP_BODY_LENGTH, 5, NULL);
    struct mote_slice d;
    mote_http_body_feed(&b, (const uint8_t *)"abc", 3, &used, &d);
    is_int(mote_http_body_eof(&b), MOTE_EPROTO, "short length body");
    mote_http_body_init(&b, MOTE_HTTP_BODY_CLOSE, 0, NULL);
    mote_http_body_feed(&b, (const uint8_t *)"abc", 3, &used, &d);
    ok(used == 3 && d.len == 3, "close-delimited data");
    is_int(mote_http_body_eof(&b), 1, "ends at close");
    mote_http_body_init(&b, MOTE_HTTP_BODY_NONE, 0, NULL);
    is_int(mote_http_body_feed(&b, (const uint8_t *)"abc", 3, &used, &d), 1,
           "no body: done at once");
    is_int(used, 0, "consumes nothing");
}

/* ---- Helpers ------------------------------------------------------------ */

static void test_helpers(void)
{
    char buf[MOTE_HTTP_DATE_LEN];
    mote_http_date_format(784111777, buf);
    is_str(buf, "Sun, 06 Nov 1994 08:49:37 GMT", "RFC 9110 date example");
    uint64_t t;
    is_int(mote_http_date_parse(buf, strlen(buf), &t), 0, "parses back");
    is_int(t, 784111777, "same instant");
    mote_http_date_format(951782400, buf); /* a leap day */
    is_str(buf, "Tue, 29 Feb 2000 00:00:00 GMT", "leap day");
    int good = 1;
    for (uint64_t s = 0; s < 4102444800ull; s += 86400 * 37 + 3607) {
        mote_http_date_format(s, buf);
        if (mote_http_date_parse(buf, strlen(buf), &t) || t != s)
            good = 0;
    }
    ok(good, "format/parse round trip 1970-2100");
    is_int(mote_http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", 30, &t),
           MOTE_EINVAL, "RFC 850 form refused");
    is_int(mote_http_date_parse("Sun, 06 Nov 1994 08:49:37 UTC", 29, &t),
           MOTE_EINVAL, "not GMT");
    is_int(mote_http_date_parse("Sun, 06 Foo 1994 08:49:37 GMT", 29, &t),
           MOTE_EINVAL, "bad month");

    char out[64];
    size_t n;
    is_int(mote_http_pct_decode("a%20b%2Fc+d", 11, out, sizeof(out), &n, false),
           0, "pct decode");
    ok(n == 7 && memcmp(out, "a b/c+d", 7) == 0, "decoded %.*s", (int)n, out);
    mote_http_pct_decode("c+d", 3, out, sizeof(out), &n, true);
    ok(n == 3 && memcmp(out, "c d", 3) == 0, "plus as space");
    is_int(mote_http_pct_decode("%2", 2, out, sizeof(out), &n, false),
           MOTE_EINVAL, "truncated escape");
    is_int(mote_http_pct_decode("%zz", 3, out, sizeof(out), &n, false),
           MOTE_EINVAL, "bad hex");
    is_int(mote_http_pct_decode("a%00", 4, out, sizeof(out), &n, false),
           MOTE_EINVAL, "encoded NUL refused");
    is_int(mote_http_pct_decode("abcd", 4, out, 3, &n, false), MOTE_ENOSPC,
           "no room");

    is_str(mote_http_mime_type("a/b.CSS", 7), "text/css; charset=utf-8",
           "css by extension, any case");
    is_str(mote_http_mime_type("x.svg", 5), "image/svg+xml", "svg");
    is_str(mote_http_mime_type("dir.d/file", 10), "application/octet-stream",
           "a dot in a directory is not an extension");
    is_str(mote_http_reason(431), "Request Header Fields Too Large", "reason");
    is_str(mote_http_reason(999), "", "unknown reason");
}

/* ---- Routing ---------------------------------------------------------- */

static void test_route_match(void)
{
    static const struct {
        const char *pattern, *path;
        int want;
        const char *params; /* "name=value;..." */
    } cases[] = {
        {"/", "/", 1, ""},
        {"/", "/a", 0, ""},
        {"/keys", "/keys", 1, ""},
        {"/keys", "/keys/", 0, ""},
        {"/keys", "/key", 0, ""},
        {"/keys", "/keysx", 0, ""},
        {"/keys/:name", "/keys/abc", 1, "name=abc;"},
        {"/keys/:name", "/keys/a%20b", 1, "name=a b;"},
        {"/keys/:name", "/keys/", 0, ""},
        {"/keys/:name", "/keys/a/b", 0, ""},
        {"/keys/:name", "/keys/a%2Fb", 0, ""},
        {"/keys/:name", "/keys/%zz", MOTE_EINVAL, ""},
        {"/keys/:name", "/keys/a%00", MOTE_EINVAL, ""},
        {"/u/:id/posts/:post", "/u/7/posts/99", 1, "id=7;post=99;"},
        {"/u/:id/posts/:post", "/u/7/posts", 0, ""},
        {"/static/*path", "/static/css/a.css", 1, "path=css/a.css;"},
        {"/static/*path", "/static/", 1, "path=;"},
        {"/static/*path", "/static/a%2Fb", 1, "path=a/b;"},
        {"/static/*path", "/staticx/a", 0, ""},
        {"/*all", "/", 1, "all=;"},
        {"/*all", "/x/y", 1, "all=x/y;"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct mote_http_params p;
        int r = mote_http_route_match(cases[i].pattern,
                                      (const uint8_t *)cases[i].path,
                                      strlen(cases[i].path), &p);
        char got[256] = "";
        size_t n = 0;
        for (size_t k = 0; r == 1 && k < p.n; k++)
            n += (size_t)snprintf(got + n, sizeof(got) - n, "%.*s=%s;",
                                  (int)p.p[k].name_len, p.p[k].name,
                                  p.p[k].value);
        ok(r == cases[i].want && (r != 1 || strcmp(got, cases[i].params) == 0),
           "%s ~ %s: %d %s", cases[i].pattern, cases[i].path, r, got);
    }
    static char longp[3000];
    memcpy(longp, "/k/", 3);
    memset(longp + 3, 'a', sizeof(longp) - 4);
    struct mote_http_params p;
    is_int(mote_http_route_match("/k/:v", (const uint8_t *)longp, strlen(longp),
                                 &p),
           MOTE_ENOSPC, "value too long for the params buffer");
}

static void test_query(void)
{
    const char *q = "a=1&b=two+words&c&d=%41%42&e=%zz&b=second";
    struct mote_slice s = {(const uint8_t *)q, strlen(q)};
    char v[32];
    is_int(mote_http_query_get(s, "a", v, sizeof(v)), 0, "a");
    is_str(v, "1", "a=1");
    mote_http_query_get(s, "b", v, sizeof(v));
    is_str(v, "two words", "plus as space; the first of two");
    is_int(mote_http_query_get(s, "c", v, sizeof(v)), 0, "key without =");
    is_str(v, "", "empty value");
    mote_http_query_get(s, "d", v, sizeof(v));
    is_str(v, "AB", "decoded");
    is_int(mote_http_query_get(s, "e", v, sizeof(v)), MOTE_EINVAL,
           "bad escape");
    is_int(mote_http_query_get(s, "z", v, sizeof(v)), MOTE_ENOENT, "absent");
    is_int(mote_http_query_get(s, "b", v, 4), MOTE_ENOSPC, "too small");
}

/* ---- mote_kv ------------------------------------------------------------ */

static void test_kv_keys(void)
{
    static const struct {
        const char *k;
        int valid;
    } keys[] = {
        {"", 1},         {"a", 1},
        {"a/b.c", 1},    {".hidden", 1},
        {"a..b", 1},     {"/a", 0},
        {"a/", 0},       {"a//b", 0},
        {".", 0},        {"..", 0},
        {"a/../b", 0},   {"a/./b", 0},
        {"a\\..\\b", 0}, {"../etc/passwd", 0},
    };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        is_int(mote_kv_key_valid(keys[i].k, strlen(keys[i].k)), keys[i].valid,
               "key '%s'", keys[i].k);
    ok(!mote_kv_key_valid("a\0b", 3), "NUL in a key");
}

static const uint8_t hello[] = "hello, world\n";
static const struct mote_kv_crunch_entry table[] = {
    {"", MOTE_KV_DIR, NULL, 0, 0, NULL, NULL},
    {"a", MOTE_KV_DIR, NULL, 0, 0, NULL, NULL},
    {"a-b.txt", MOTE_KV_FILE, hello, 13, 1000, "\"x1\"", NULL},
    {"a/b.txt", MOTE_KV_FILE, hello, 13, 1000, "\"x2\"", "text/x-b"},
    {"a/c", MOTE_KV_DIR, NULL, 0, 0, NULL, NULL},
    {"a/c/d", MOTE_KV_FILE, hello, 5, 1000, "\"x3\"", NULL},
    {"index.html", MOTE_KV_FILE, hello, 13, 1000, "\"x4\"", NULL},
};

static int collect(void *arg, const char *name, size_t len,
                   enum mote_kv_type type)
{
    char *s = arg;
    size_t n = strlen(s);
    snprintf(s + n, 256 - n, "%.*s%s,", (int)len, name,
             type == MOTE_KV_DIR ? "/" : "");
    return 0;
}

static void test_kv_crunch(void)
{
    struct mote_kv_crunch c;
    struct mote_kv *kv =
        mote_kv_crunch_init(&c, table, sizeof(table) / sizeof(table[0]));
    struct mote_kv_stat st;
    is_int(mote_kv_stat(kv, "a/b.txt", 7, &st), 0, "stat a file");
    ok(st.type == MOTE_KV_FILE && st.size == 13 && st.data == hello &&
           strcmp(st.etag, "\"x2\"") == 0 &&
           strcmp(st.content_type, "text/x-b") == 0,
       "its metadata");
    is_int(mote_kv_stat(kv, "a/b.txtx", 7, &st), 0, "key length is honoured");
    is_int(mote_kv_stat(kv, "a/x", 3, &st), MOTE_ENOENT, "missing");
    is_int(mote_kv_stat(kv, "a/../a", 6, &st), MOTE_EINVAL, "bad key");
    char buf[16];
    size_t n;
    is_int(mote_kv_read(kv, "a/b.txt", 7, 7, buf, sizeof(buf), &n), 0,
           "read at an offset");
    ok(n == 6 && memcmp(buf, "world\n", 6) == 0, "the tail");
    is_int(mote_kv_read(kv, "a/b.txt", 7, 13, buf, sizeof(buf), &n), 0,
           "read at the end");
    is_int(n, 0, "nothing");
    is_int(mote_kv_read(kv, "a", 1, 0, buf, sizeof(buf), &n), MOTE_EINVAL,
           "read a directory");
    char names[256] = "";
    is_int(mote_kv_list(kv, "a", 1, collect, names), 0, "list a");
    is_str(names, "b.txt,c/,", "children of a only");
    names[0] = 0;
    mote_kv_list(kv, "", 0, collect, names);
    is_str(names, "a/,a-b.txt,index.html,", "root");
    mote_kv_close(kv);
}

int mote_main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_request_basic);
    TAP_CASE(test_request_malformed);
    TAP_CASE(test_request_limits);
    TAP_CASE(test_request_split);
    TAP_CASE(test_response);
    TAP_CASE(test_body_chunked);
    TAP_CASE(test_body_length);
    TAP_CASE(test_helpers);
    TAP_CASE(test_route_match);
    TAP_CASE(test_query);
    TAP_CASE(test_kv_keys);
    TAP_CASE(test_kv_crunch);
    return tap_done();
}

/* HTTP/1.1 message heads (RFC 9112 sections 2-6): request and status lines,
 * header fields, framing, with the request-smuggling defences. */
#include <string.h>

#include <mote/error.h>
#include <mote/http.h>

#include "http_int.h"

void mote_http_limits_default(struct mote_http_limits *l)
{
    if (!l->max_line)
        l->max_line = 8192;
    if (!l->max_head)
        l->max_head = 16384;
    if (!l->max_headers || l->max_headers > MOTE_HTTP_MAX_HEADERS)
        l->max_headers = MOTE_HTTP_MAX_HEADERS;
    if (!l->max_body)
        l->max_body = 16u << 20;
    if (!l->max_chunk_line)
        l->max_chunk_line = 256;
    if (!l->max_trailers)
        l->max_trailers = 4096;
}

/* tchar (RFC 9110 section 5.6.2). */
static const uint8_t tchar_tab[256] = {
    ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1,
    ['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1,
    ['`'] = 1, ['|'] = 1, ['~'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1,
    ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1,
    ['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1,
    ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1,
    ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1,
    ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1,
    ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1,
    ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
    ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1,
    ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
    ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

int http__is_tchar(uint8_t c)
{
    return tchar_tab[c];
}

/* field-vchar / obs-text, SP and HTAB: what a field value may hold. CR,
 * LF, NUL and the other controls are refused (RFC 9110 section 5.5). */
static int is_value_char(uint8_t c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

int http__ieq(struct mote_slice s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.len != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t a = s.ptr[i], b = (uint8_t)lit[i];
        if (a >= 'A' && a <= 'Z')
            a = (uint8_t)(a + 32);
        if (b >= 'A' && b <= 'Z')
            b = (uint8_t)(b + 32);
        if (a != b)
            return 0;
    }
    return 1;
}

const struct mote_http_header *
mote_http_header_find(const struct mote_http_header *h, size_t n,
                      const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (http__ieq(h[i].name, name))
            return &h[i];
    return NULL;
}

/* Find the end of the head: the first empty line at or after start.
 * Returns the offset just past it, 0 if absent yet. *line_end gets the
 * offset of the first LF (SIZE_MAX if none yet). A line ending in a bare
 * LF also counts here, so that such a head is refused at once by the
 * field pass rather than waited for. */
static size_t find_head_end(const uint8_t *buf, size_t len, size_t start,
                            size_t *line_end)
{
    *line_end = SIZE_MAX;
    const uint8_t *p = buf + start, *end = buf + len;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        size_t i = (size_t)(p - buf);
        if (*line_end == SIZE_MAX)
            *line_end = i;
        if (i > start && buf[i - 1] == '\n')
            return i + 1;
        if (i > start + 1 && buf[i - 1] == '\r' && buf[i - 2] == '\n')
            return i + 1;
        p++;
    }
    return 0;
}

/* Parse decimal digits (Content-Length). Errors on empty, non-digits and
 * overflow past 2^63. */
static int parse_u64(struct mote_slice s, uint64_t *out)
{
    if (s.len == 0 || s.len > 19)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s.ptr[i] - '0');
    }
    *out = v;
    return 0;
}

/* Does a comma-separated list value contain token tok (case-insensitive)?
 */
int http__list_has(struct mote_slice v, const char *tok)
{
    size_t i = 0;
    while (i < v.len) {
        while (i < v.len &&
               (v.ptr[i] == ' ' || v.ptr[i] == '\t' || v.ptr[i] == ','))
            i++;
        size_t s = i;
        while (i < v.len && v.ptr[i] != ',')
            i++;
        size_t e = i;
        while (e > s && (v.ptr[e - 1] == ' ' || v.ptr[e - 1] == '\t'))
            e--;
        struct mote_slice item = {v.ptr + s, e - s};
        if (e > s && http__ieq(item, tok))
            return 1;
    }
    return 0;
}

/* Split header lines buf[p..end) (end is just past the final CRLF CRLF)
 * into fields. Returns 0 or an error with *status set. */
static int parse_fields(const uint8_t *buf, size_t p, size_t end,
                        const struct mote_http_limits *lim,
                        struct mote_http_header *hdr, size_t *nhdr, int *status)
{
    size_t n = 0;
    while (p < end) {
        /* The line is buf[p..q) with buf[q] == '\r', buf[q+1] == '\n'. */
        size_t q = p;
        while (q < end && buf[q] != '\r' && buf[q] != '\n')
            q++;
        if (q >= end || buf[q] != '\r' || q + 1 >= end || buf[q + 1] != '\n') {
            *status = 400; /* bare CR or bare LF */
            return MOTE_EPROTO;
        }
        if (q == p) /* the empty line: end of head */
            break;
        /* obs-fold: a line starting with whitespace (RFC 9112 5.2). */
        if (buf[p] == ' ' || buf[p] == '\t') {
            *status = 400;
            return MOTE_EPROTO;
        }
        size_t c = p;
        while (c < q && tchar_tab[buf[c]])
            c++;
        /* No whitespace between name and colon (RFC 9112 5.1). */
        if (c == p || c == q || buf[c] != ':') {
            *status = 400;
            return MOTE_EPROTO;
        }
        size_t vs = c + 1, ve = q;
        while (vs < ve && (buf[vs] == ' ' || buf[vs] == '\t'))
            vs++;
        while (ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t'))
            ve--;
        for (size_t i = vs; i < ve; i++)
            if (!is_value_char(buf[i])) {
                *status = 400;
                return MOTE_EPROTO;
            }
        if (n == lim->max_headers) {
            *status = 431;
            return MOTE_EMSGSIZE;
        }
        hdr[n].name = (struct mote_slice){buf + p, c - p};
        hdr[n].value = (struct mote_slice){buf + vs, ve - vs};
        n++;
        p = q + 2;
    }
    *nhdr = n;
    return 0;
}

/* Framing from Content-Length and Transfer-Encoding (RFC 9112 6.1-6.3),
 * refusing every ambiguous combination. */
static int parse_framing(const struct mote_http_header *h, size_t n,
                         int version, enum mote_http_framing *framing,
                         uint64_t *length, int *status)
{
    const struct mote_http_header *cl = NULL, *te = NULL;
    for (size_t i = 0; i < n; i++) {
        if (http__ieq(h[i].name, "content-length")) {
            if (cl) { /* duplicate, even if equal: refuse */
                *status = 400;
                return MOTE_EPROTO;
            }
            cl = &h[i];
        } else if (http__ieq(h[i].name, "transfer-encoding")) {
            if (te) {
                *status = 400;
                return MOTE_EPROTO;
            }
            te = &h[i];
        }
    }
    if (te) {
        if (cl || version < 11) {
            *status = 400;
            return MOTE_EPROTO;
        }
        if (!http__ieq(te->value, "chunked")) {
            /* Other codings (or chunked not last) we cannot decode. */
            *status = 501;
            return MOTE_EPROTO;
        }
        *framing = MOTE_HTTP_BODY_CHUNKED;
        return 0;
    }
    if (cl) {
        if (parse_u64(cl->value, length)) {
            *status = 400;
            return MOTE_EPROTO;
        }
        *framing = MOTE_HTTP_BODY_LENGTH;
        return 0;
    }
    *framing = MOTE_HTTP_BODY_NONE;
    return 0;
}

static int parse_version(const uint8_t *p, size_t n, int *version, int *status)
{
    if (n != 8 || memcmp(p, "HTTP/", 5) != 0 || p[5] < '0' || p[5] > '9' ||
        p[6] != '.' || p[7] < '0' || p[7] > '9') {
        *status = 400;
        return MOTE_EPROTO;
    }
    if (p[5] != '1') {
        *status = 505;
        return MOTE_EPROTO;
    }
    *version = p[7] == '0' ? 10 : 11; /* 1.x, x > 1, is 1.1 (RFC 9110 2.5) */
    return 0;
}

static const struct {
    const char *name;
    enum mote_http_method m;
} methods[] = {
    {"GET", MOTE_HTTP_GET},       {"HEAD", MOTE_HTTP_HEAD},
    {"POST", MOTE_HTTP_POST},     {"PUT", MOTE_HTTP_PUT},
    {"DELETE", MOTE_HTTP_DELETE}, {"OPTIONS", MOTE_HTTP_OPTIONS},
    {"TRACE", MOTE_HTTP_TRACE},   {"CONNECT", MOTE_HTTP_CONNECT},
    {"PATCH", MOTE_HTTP_PATCH},
};

const char *mote_http_method_name(enum mote_http_method m)
{
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (methods[i].m == m)
            return methods[i].name;
    return "";
}

/* Common start: skip leading empty lines, find the head's end, enforce
 * the line and head limits. */
static int locate_head(const uint8_t *buf, size_t len,
                       const struct mote_http_limits *lim, size_t *start,
                       size_t *line_end, size_t *head_end, int *status)
{
    size_t s = 0;
    /* RFC 9112 2.2: ignore at least one empty line before the request
     * line; we allow a few, and the head limit bounds them. */
    while (s + 1 < len && buf[s] == '\r' && buf[s + 1] == '\n' && s < 8)
        s += 2;
    *start = s;
    size_t le;
    size_t he = find_head_end(buf, len, s, &le);
    size_t line_len = le != SIZE_MAX ? le - s : len - s;
    if (line_len > lim->max_line) {
        *status = 414;
        return MOTE_EMSGSIZE;
    }
    if (!he) {
        if (len - s > lim->max_head) {
            *status = 431;
            return MOTE_EMSGSIZE;
        }
        /* A byte that can never start a valid line: fail early rather than
         * wait for a head that will not come (NUL, control characters). */
        for (size_t i = s; i < len; i++)
            if (buf[i] != '\r' && buf[i] != '\n' && buf[i] != '\t' &&
                (buf[i] < 0x20 || buf[i] == 0x7f)) {
                *status = 400;
                return MOTE_EPROTO;
            }
        return MOTE_EAGAIN;
    }
    if (he - s > lim->max_head) {
        *status = 431;
        return MOTE_EMSGSIZE;
    }
    if (le < s + 1 || buf[le - 1] != '\r') {
        *status = 400;
        return MOTE_EPROTO;
    }
    *line_end = le - 1; /* offset of the CR */
    *head_end = he;
    return 0;
}

int mote_http_request_parse(const uint8_t *buf, size_t len,
                            const struct mote_http_limits *limits,
                            struct mote_http_request *req, size_t *consumed)
{
    struct mote_http_limits lim = {0};
    if (limits)
        lim = *limits;
    mote_http_limits_default(&lim);
    req->method = MOTE_HTTP_METHOD_NONE;
    req->method_text = req->target = req->path = req->query =
        (struct mote_slice){0, 0};
    req->version = 0;
    req->nheaders = 0;
    req->framing = MOTE_HTTP_BODY_NONE;
    req->content_length = 0;
    req->keep_alive = false;
    req->expect_continue = false;
    req->host = (struct mote_slice){0, 0};
    req->status = 0;
    *consumed = 0;

    size_t s, le, he;
    int err = locate_head(buf, len, &lim, &s, &le, &he, &req->status);
    if (err)
        return err;

    /* request-line = method SP request-target SP HTTP-version */
    size_t p = s;
    while (p < le && tchar_tab[buf[p]])
        p++;
    if (p == s || p >= le || buf[p] != ' ')
        goto bad;
    req->method_text = (struct mote_slice){buf + s, p - s};
    req->method = MOTE_HTTP_OTHER;
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (req->method_text.len == strlen(methods[i].name) &&
            memcmp(req->method_text.ptr, methods[i].name,
                   req->method_text.len) == 0)
            req->method = methods[i].m; /* methods are case-sensitive */
    size_t t = ++p;
    while (p < le && buf[p] > 0x20 && buf[p] < 0x7f)
        p++;
    if (p == t || p >= le || buf[p] != ' ')
        goto bad;
    req->target = (struct mote_slice){buf + t, p - t};
    p++;
    err = parse_version(buf + p, le - p, &req->version, &req->status);
    if (err)
        return err;

    /* Target forms (RFC 9112 3.2): origin, absolute, authority, asterisk. */
    const uint8_t *tp = req->target.ptr;
    size_t tl = req->target.len;
    if (tp[0] != '/') {
        if (tl == 1 && tp[0] == '*') {
            if (req->method != MOTE_HTTP_OPTIONS)
                goto bad;
        } else if (req->method == MOTE_HTTP_CONNECT) {
            /* authority-form: left for the handler (path stays empty) */
        } else if ((tl > 7 &&
                    http__ieq((struct mote_slice){tp, 7}, "http://")) ||
                   (tl > 8 &&
                    http__ieq((struct mote_slice){tp, 8}, "https://"))) {
            size_t a = tp[4] == ':' ? 7 : 8;
            while (a < tl && tp[a] != '/' && tp[a] != '?')
                a++;
            tp += a;
            tl -= a;
        } else {
            goto bad;
        }
    }
    size_t qm = 0;
    while (qm < tl && tp[qm] != '?')
        qm++;
    if (req->method != MOTE_HTTP_CONNECT && !(tl == 1 && tp[0] == '*')) {
        req->path = (struct mote_slice){tp, qm};
        if (qm == 0)
            req->path = (struct mote_slice){(const uint8_t *)"/", 1};
        if (qm < tl)
            req->query = (struct mote_slice){tp + qm + 1, tl - qm - 1};
    }

    err = parse_fields(buf, le + 2, he, &lim, req->headers, &req->nheaders,
                       &req->status);
    if (err)
        return err;
    err = parse_framing(req->headers, req->nheaders, req->version,
                        &req->framing, &req->content_length, &req->status);
    if (err)
        return err;
    if (req->framing == MOTE_HTTP_BODY_LENGTH &&
        req->content_length > lim.max_body) {
        req->status = 413;
        return MOTE_EMSGSIZE;
    }
    if (req->framing == MOTE_HTTP_BODY_LENGTH && req->content_length == 0)
        req->framing = MOTE_HTTP_BODY_NONE;

    int nhost = 0;
    req->keep_alive = req->version >= 11;
    for (size_t i = 0; i < req->nheaders; i++) {
        const struct mote_http_header *h = &req->headers[i];
        if (http__ieq(h->name, "host")) {
            nhost++;
            req->host = h->value;
        } else if (http__ieq(h->name, "connection")) {
            if (http__list_has(h->value, "close"))
                req->keep_alive = false;
            else if (http__list_has(h->value, "keep-alive"))
                req->keep_alive = true;
        } else if (http__ieq(h->name, "expect")) {
            if (http__ieq(h->value, "100-continue"))
                req->expect_continue = req->version >= 11;
        }
    }
    /* RFC 9112 3.2: exactly one Host in HTTP/1.1; at most one ever. */
    if (nhost > 1 || (nhost == 0 && req->version >= 11))
        goto bad;
    /* A Connection: close overrides a keep-alive token listed with it. */
    for (size_t i = 0; i < req->nheaders; i++)
        if (http__ieq(req->headers[i].name, "connection") &&
            http__list_has(req->headers[i].value, "close"))
            req->keep_alive = false;
    *consumed = he;
    return 0;
bad:
    req->status = 400;
    return MOTE_EPROTO;
}

int mote_http_response_parse(const uint8_t *buf, size_t len,
                             const struct mote_http_limits *limits,
                             enum mote_http_method request_method,
                             struct mote_http_response *resp, size_t *consumed)
{
    struct mote_http_limits lim = {0};
    if (limits)
        lim = *limits;
    mote_http_limits_default(&lim);
    resp->version = 0;
    resp->status = 0;
    resp->reason = (struct mote_slice){0, 0};
    resp->nheaders = 0;
    resp->framing = MOTE_HTTP_BODY_NONE;
    resp->content_length = 0;
    resp->keep_alive = false;
    *consumed = 0;

    int st = 0;
    size_t s, le, he;
    int err = locate_head(buf, len, &lim, &s, &le, &he, &st);
    if (err)
        return err;
    /* status-line = HTTP-version SP status-code SP [ reason-phrase ] */
    if (le - s < 12 || buf[s + 8] != ' ' || (le - s > 12 && buf[s + 12] != ' '))
        return MOTE_EPROTO;
    err = parse_version(buf + s, 8, &resp->version, &st);
    if (err)
        return MOTE_EPROTO;
    int code = 0;
    for (size_t i = s + 9; i < s + 12; i++) {
        if (buf[i] < '0' || buf[i] > '9')
            return MOTE_EPROTO;
        code = code * 10 + (buf[i] - '0');
    }
    if (code < 100)
        return MOTE_EPROTO;
    resp->status = code;
    size_t rs = le - s > 12 ? s + 13 : le;
    for (size_t i = rs; i < le; i++)
        if (!is_value_char(buf[i]))
            return MOTE_EPROTO;
    resp->reason = (struct mote_slice){buf + rs, le - rs};
    err = parse_fields(buf, le + 2, he, &lim, resp->headers, &resp->nheaders,
                       &st);
    if (err)
        return err;
    err = parse_framing(resp->headers, resp->nheaders, resp->version,
                        &resp->framing, &resp->content_length, &st);
    if (err)
        return err;
    if (request_method == MOTE_HTTP_HEAD || code < 200 || code == 204 ||
        code == 304) {
        resp->framing = MOTE_HTTP_BODY_NONE;
    } else if (resp->framing == MOTE_HTTP_BODY_NONE) {
        resp->framing = MOTE_HTTP_BODY_CLOSE;
    } else if (resp->framing == MOTE_HTTP_BODY_LENGTH &&
               resp->content_length > lim.max_body) {
        return MOTE_EMSGSIZE;
    }
    resp->keep_alive = resp->version >= 11;
    for (size_t i = 0; i < resp->nheaders; i++)
        if (http__ieq(resp->headers[i].name, "connection")) {
            if (http__list_has(resp->headers[i].value, "close"))
                resp->keep_alive = false;
            else if (http__list_has(resp->headers[i].value, "keep-alive") &&
                     resp->version == 10)
                resp->keep_alive = true;
        }
    if (resp->framing == MOTE_HTTP_BODY_CLOSE)
        resp->keep_alive = false;
    *consumed = he;
    return 0;
}

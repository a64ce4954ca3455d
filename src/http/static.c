/* Static files from a mote_kv: conditional requests, ranges, gzip siblings,
 * index.html and directory listings (RFC 9110 sections 8.8, 13, 14). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/error.h>
#include <mote/http.h>
#include <mote/kv.h>

#include "http_int.h"

#define KEY_MAX    4096
#define MAX_RANGES 16
#define READ_MAX   (256u * 1024u)
/* From this size a body goes by mote_kv_send (sendfile on unix) where the
 * backend and flow can: below it, one read and one write cost as much as
 * a send of the head and a sendfile, and the head and body leave in one
 * write. */
#define ZERO_COPY_MIN (16u * 1024u)
#define TEXT_PLAIN    "text/plain; charset=utf-8"

static int plain(struct mote_http_exchange *x, int status)
{
    char body[80];
    int n = snprintf(body, sizeof(body), "%d %s\n", status,
                     mote_http_reason(status));
    return mote_http_respond(x, status, TEXT_PLAIN, body, (size_t)n);
}

/* Send bytes [off, off + len) of key. */
static int send_bytes(struct mote_http_exchange *x, struct mote_kv *kv,
                      const char *key, size_t klen,
                      const struct mote_kv_stat *st, uint64_t off, uint64_t len)
{
    const struct mote_http_request *req = mote_http_exchange_request(x);
    if (req->method == MOTE_HTTP_HEAD)
        return mote_http_write(x, NULL, (size_t)len);
    if (st->data) /* resident: no copy */
        return mote_http_write(x, st->data + off, (size_t)len);
    if (len >= ZERO_COPY_MIN) {
        int err = http__write_kv(x, kv, key, klen, off, len);
        if (err != MOTE_ENOTSUP)
            return err;
    }
    size_t bsz = len < READ_MAX ? (size_t)len : READ_MAX;
    if (bsz == 0)
        return 0;
    uint8_t *buf = malloc(bsz);
    if (!buf)
        return MOTE_ENOMEM;
    int err = 0;
    while (len) {
        size_t want = len < bsz ? (size_t)len : bsz, n;
        err = mote_kv_read(kv, key, klen, off, buf, want, &n);
        if (!err && n == 0)
            err = MOTE_EIO; /* the file shrank under us */
        if (!err)
            err = mote_http_write(x, buf, n);
        if (err)
            break;
        off += n;
        len -= n;
    }
    free(buf);
    return err;
}

/* Weak comparison of entity tags (RFC 9110 8.8.3.2): W/ prefixes ignored.
 * Does the list in v contain etag (or "*")? */
static int etag_match(struct mote_slice v, const char *etag, int weak_ok)
{
    size_t el = strlen(etag);
    size_t i = 0;
    while (i < v.len) {
        while (i < v.len &&
               (v.ptr[i] == ' ' || v.ptr[i] == '\t' || v.ptr[i] == ','))
            i++;
        if (i == v.len)
            break;
        if (v.ptr[i] == '*')
            return 1;
        int weak = 0;
        if (v.len - i >= 2 && v.ptr[i] == 'W' && v.ptr[i + 1] == '/') {
            weak = 1;
            i += 2;
        }
        size_t s = i;
        if (i < v.len && v.ptr[i] == '"') {
            i++;
            while (i < v.len && v.ptr[i] != '"')
                i++;
            if (i < v.len)
                i++;
        } else {
            while (i < v.len && v.ptr[i] != ',')
                i++;
        }
        if ((weak_ok || !weak) && i - s == el &&
            memcmp(v.ptr + s, etag, el) == 0)
            return 1;
    }
    return 0;
}

/* Does an Accept-Encoding value accept gzip? "gzip" or "*" with no
 * weight or a non-zero one (RFC 9110 12.5.3: "gzip;q=0" refuses it). */
static int accepts_gzip(struct mote_slice v)
{
    size_t i = 0;
    int star = -1, gzip = -1; /* -1 absent, 0 refused, 1 accepted */
    while (i < v.len) {
        while (i < v.len &&
               (v.ptr[i] == ' ' || v.ptr[i] == '\t' || v.ptr[i] == ','))
            i++;
        size_t s0 = i;
        while (i < v.len && v.ptr[i] != ',' && v.ptr[i] != ';' &&
               v.ptr[i] != ' ' && v.ptr[i] != '\t')
            i++;
        struct mote_slice tok = {v.ptr + s0, i - s0};
        int q = 1;
        /* Parameters up to the next comma: only q matters. */
        while (i < v.len && v.ptr[i] != ',') {
            if ((v.ptr[i] == 'q' || v.ptr[i] == 'Q') && i + 1 < v.len &&
                v.ptr[i + 1] == '=') {
                size_t k = i + 2;
                q = 0;
                /* q=0, 0.0, 0.000 refuse; any other digit accepts. */
                for (; k < v.len && v.ptr[k] != ',' && v.ptr[k] != ';'; k++)
                    if (v.ptr[k] >= '1' && v.ptr[k] <= '9')
                        q = 1;
                i = k;
                continue;
            }
            i++;
        }
        if (http__ieq(tok, "gzip") || http__ieq(tok, "x-gzip"))
            gzip = q;
        else if (tok.len == 1 && tok.ptr[0] == '*')
            star = q;
    }
    return gzip >= 0 ? gzip : star > 0;
}

struct range {
    uint64_t first, last;
};

/* Per-request buffers, allocated once per request. */
struct scratch {
    char dec[KEY_MAX];
    char key[KEY_MAX + 16];
    char gzkey[KEY_MAX + 4];
    char part[MAX_RANGES][256];
};

static int serve_path(struct mote_http_static *cfg,
                      struct mote_http_exchange *x,
                      const struct mote_http_request *req, struct scratch *sc);

/* Parse "bytes=..." against size. Returns the number of satisfiable ranges
 * (0: none satisfiable -> 416), or -1 if the header is invalid or not
 * bytes (it is then ignored, RFC 9110 14.2). */
static int parse_ranges(struct mote_slice v, uint64_t size, struct range *r)
{
    if (v.len < 6 || !http__ieq((struct mote_slice){v.ptr, 6}, "bytes="))
        return -1;
    size_t i = 6;
    int n = 0, specs = 0;
    while (i <= v.len) {
        while (i < v.len && (v.ptr[i] == ' ' || v.ptr[i] == '\t'))
            i++;
        uint64_t a = 0, b = 0;
        int has_a = 0, has_b = 0;
        while (i < v.len && v.ptr[i] >= '0' && v.ptr[i] <= '9') {
            if (a > UINT64_MAX / 10 - 10)
                return -1;
            a = a * 10 + (uint64_t)(v.ptr[i++] - '0');
            has_a = 1;
        }
        if (i == v.len || v.ptr[i] != '-')
            return -1;
        i++;
        while (i < v.len && v.ptr[i] >= '0' && v.ptr[i] <= '9') {
            if (b > UINT64_MAX / 10 - 10)
                return -1;
            b = b * 10 + (uint64_t)(v.ptr[i++] - '0');
            has_b = 1;
        }
        while (i < v.len && (v.ptr[i] == ' ' || v.ptr[i] == '\t'))
            i++;
        if (i < v.len && v.ptr[i] != ',')
            return -1;
        i++;
        if (!has_a && !has_b)
            return -1;
        if (has_a && has_b && b < a)
            return -1;
        /* Bound the work a client can ask for (many tiny ranges). */
        if (++specs > MAX_RANGES)
            return -1;
        struct range x;
        if (!has_a) { /* suffix: the last b bytes */
            if (b == 0 || size == 0)
                continue;
            x.first = b >= size ? 0 : size - b;
            x.last = size - 1;
        } else {
            if (a >= size)
                continue;
            x.first = a;
            x.last = has_b && b < size ? b : size - 1;
        }
        r[n++] = x;
    }
    return n;
}

struct listing {
    struct mote_buf *b;
    int err;
};

static void esc_html(struct mote_buf *b, const char *s, size_t n, int *err)
{
    for (size_t i = 0; i < n && !*err; i++) {
        const char *e = NULL;
        switch (s[i]) {
        case '<':
            e = "&lt;";
            break;
        case '>':
            e = "&gt;";
            break;
        case '&':
            e = "&amp;";
            break;
        case '"':
            e = "&quot;";
            break;
        case '\'':
            e = "&#39;";
            break;
        }
        *err =
            e ? mote_buf_append(b, e, strlen(e)) : mote_buf_append(b, s + i, 1);
    }
}

static void esc_url(struct mote_buf *b, const char *s, size_t n, int *err)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n && !*err; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
            c == '~') {
            *err = mote_buf_append(b, s + i, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            *err = mote_buf_append(b, e, 3);
        }
    }
}

static int list_one(void *arg, const char *name, size_t len,
                    enum mote_kv_type type)
{
    struct listing *l = arg;
    int *err = &l->err;
    *err = mote_buf_append(l->b, "<li><a href=\"", 13);
    esc_url(l->b, name, len, err);
    if (!*err && type == MOTE_KV_DIR)
        *err = mote_buf_append(l->b, "/", 1);
    if (!*err)
        *err = mote_buf_append(l->b, "\">", 2);
    esc_html(l->b, name, len, err);
    if (!*err && type == MOTE_KV_DIR)
        *err = mote_buf_append(l->b, "/", 1);
    if (!*err)
        *err = mote_buf_append(l->b, "</a></li>\n", 10);
    return *err;
}

static int listing(struct mote_http_exchange *x, struct mote_kv *kv,
                   const char *key, size_t klen, const char *shown, size_t slen)
{
    struct mote_buf b;
    mote_buf_init(&b, 4u << 20);
    struct listing l = {&b, 0};
    static const char h1[] = "<!doctype html>\n<meta charset=utf-8>\n<title>";
    l.err = mote_buf_append(&b, h1, sizeof(h1) - 1);
    esc_html(&b, shown, slen, &l.err);
    if (!l.err)
        l.err = mote_buf_append(&b, "</title>\n<h1>", 13);
    esc_html(&b, shown, slen, &l.err);
    if (!l.err)
        l.err = mote_buf_append(&b, "</h1>\n<ul>\n", 11);
    if (!l.err && klen)
        l.err = mote_buf_append(&b, "<li><a href=\"../\">../</a></li>\n", 31);
    int err = l.err ? l.err : mote_kv_list(kv, key, klen, list_one, &l);
    if (!err && !l.err)
        err = mote_buf_append(&b, "</ul>\n", 6);
    if (!err)
        err = l.err;
    if (err)
        err = plain(x, 500);
    else
        err = mote_http_respond(x, 200, "text/html; charset=utf-8",
                                mote_buf_data(&b), b.len);
    mote_buf_release(&b);
    return err;
}

static int serve_file(struct mote_http_exchange *x, struct mote_kv *kv,
                      const char *key, size_t klen, struct mote_kv_stat *st,
                      struct scratch *sc)
{
    const struct mote_http_request *req = mote_http_exchange_request(x);
    const struct mote_http_header *h = req->headers;
    size_t nh = req->nheaders;
    const char *ctype =
        st->content_type ? st->content_type : mote_http_mime_type(key, klen);

    /* A pre-compressed sibling NAME.gz, if the client takes gzip. Looked
     * for only then: a client that does not take gzip gets the file
     * without Vary, which a shared cache may also hand to one that does
     * (correct content, merely uncompressed), and the common case saves a
     * lookup. */
    char *gzkey = sc->gzkey;
    struct mote_kv_stat gst;
    const char *sk = key;
    size_t sklen = klen;
    int have_gz = 0;
    const struct mote_http_header *ae =
        mote_http_header_find(h, nh, "accept-encoding");
    if (ae && accepts_gzip(ae->value) && klen + 3 < sizeof(sc->gzkey)) {
        memcpy(gzkey, key, klen);
        memcpy(gzkey + klen, ".gz", 3);
        have_gz = mote_kv_stat(kv, gzkey, klen + 3, &gst) == 0 &&
                  gst.type == MOTE_KV_FILE;
    }
    if (have_gz) {
        mote_http_add_header(x, "Vary", "Accept-Encoding");
        mote_http_add_header(x, "Content-Encoding", "gzip");
        /* A different representation: its own validator. */
        size_t el = strlen(gst.etag);
        if (el >= 2 && el + 3 < sizeof(gst.etag))
            memcpy(gst.etag + el - 1, "-gz\"", 5);
        *st = gst;
        sk = gzkey;
        sklen = klen + 3;
    }
    char date[MOTE_HTTP_DATE_LEN];
    if (st->etag[0])
        mote_http_add_header(x, "ETag", st->etag);
    if (st->mtime) {
        mote_http_date_format(st->mtime, date);
        mote_http_add_header(x, "Last-Modified", date);
    }
    mote_http_add_header(x, "Accept-Ranges", "bytes");

    /* Conditionals, in RFC 9110 13.2.2 order: If-Match, else
     * If-Unmodified-Since (412 when false), then If-None-Match, else
     * If-Modified-Since (304 when false). */
    const struct mote_http_header *im =
        mote_http_header_find(h, nh, "if-match");
    const struct mote_http_header *ius =
        mote_http_header_find(h, nh, "if-unmodified-since");
    const struct mote_http_header *inm =
        mote_http_header_find(h, nh, "if-none-match");
    const struct mote_http_header *ims =
        mote_http_header_find(h, nh, "if-modified-since");
    uint64_t t;
    if (im) {
        /* Strong comparison (13.1.1). */
        if (!st->etag[0] || !etag_match(im->value, st->etag, 0))
            return plain(x, 412);
    } else if (ius && st->mtime &&
               mote_http_date_parse((const char *)ius->value.ptr,
                                    ius->value.len, &t) == 0 &&
               st->mtime > t) {
        return plain(x, 412);
    }
    if (inm) {
        if (st->etag[0] && etag_match(inm->value, st->etag, 1))
            return mote_http_respond(x, 304, NULL, NULL, 0);
    } else if (ims && st->mtime &&
               mote_http_date_parse((const char *)ims->value.ptr,
                                    ims->value.len, &t) == 0 &&
               st->mtime <= t) {
        return mote_http_respond(x, 304, NULL, NULL, 0);
    }

    const struct mote_http_header *rh = mote_http_header_find(h, nh, "range");
    const struct mote_http_header *ir =
        mote_http_header_find(h, nh, "if-range");
    if (rh && req->method == MOTE_HTTP_GET && ir) {
        /* If-Range: an entity tag must match strongly, a date exactly. */
        if (ir->value.len && ir->value.ptr[0] == '"')
            rh = etag_match(ir->value, st->etag, 0) ? rh : NULL;
        else if (mote_http_date_parse((const char *)ir->value.ptr,
                                      ir->value.len, &t) ||
                 t != st->mtime)
            rh = NULL;
    }
    struct range r[MAX_RANGES];
    int nr = rh && req->method == MOTE_HTTP_GET
                 ? parse_ranges(rh->value, st->size, r)
                 : -1;
    char cr[96];
    if (nr == 0) {
        snprintf(cr, sizeof(cr), "bytes */%llu", (unsigned long long)st->size);
        mote_http_add_header(x, "Content-Range", cr);
        return plain(x, 416);
    }
    if (nr == 1) {
        snprintf(cr, sizeof(cr), "bytes %llu-%llu/%llu",
                 (unsigned long long)r[0].first, (unsigned long long)r[0].last,
                 (unsigned long long)st->size);
        mote_http_add_header(x, "Content-Range", cr);
        uint64_t len = r[0].last - r[0].first + 1;
        int err = mote_http_begin(x, 206, ctype, len);
        if (!err)
            err = send_bytes(x, kv, sk, sklen, st, r[0].first, len);
        return err ? err : mote_http_end(x);
    }
    if (nr > 1) {
        /* multipart/byteranges (RFC 9110 14.6): compute the length first
         * so the response has a Content-Length. */
        static const char boundary[] = "MOTE-7f3a9c1e5b2d";
        char(*part)[256] = sc->part;
        size_t plen[MAX_RANGES];
        uint64_t total = 0;
        for (int i = 0; i < nr; i++) {
            int n = snprintf(part[i], sizeof(sc->part[i]),
                             "\r\n--%s\r\nContent-Type: %s\r\n"
                             "Content-Range: bytes %llu-%llu/%llu\r\n\r\n",
                             boundary, ctype, (unsigned long long)r[i].first,
                             (unsigned long long)r[i].last,
                             (unsigned long long)st->size);
            plen[i] =
                (size_t)n < sizeof(part[i]) ? (size_t)n : sizeof(part[i]) - 1;
            total += plen[i] + (r[i].last - r[i].first + 1);
        }
        char tail[64];
        int tl = snprintf(tail, sizeof(tail), "\r\n--%s--\r\n", boundary);
        total += (uint64_t)tl;
        char mt[96];
        snprintf(mt, sizeof(mt), "multipart/byteranges; boundary=%s", boundary);
        int err = mote_http_begin(x, 206, mt, total);
        for (int i = 0; i < nr && !err; i++) {
            err = mote_http_write(x, part[i], plen[i]);
            if (!err)
                err = send_bytes(x, kv, sk, sklen, st, r[i].first,
                                 r[i].last - r[i].first + 1);
        }
        if (!err)
            err = mote_http_write(x, tail, (size_t)tl);
        return err ? err : mote_http_end(x);
    }
    int err = mote_http_begin(x, 200, ctype, st->size);
    if (!err)
        err = send_bytes(x, kv, sk, sklen, st, 0, st->size);
    return err ? err : mote_http_end(x);
}

int mote_http_static_handler(void *arg, struct mote_http_exchange *x)
{
    struct mote_http_static *cfg = arg;
    const struct mote_http_request *req = mote_http_exchange_request(x);
    if (req->method != MOTE_HTTP_GET && req->method != MOTE_HTTP_HEAD) {
        mote_http_add_header(x, "Allow", "GET, HEAD");
        return plain(x, 405);
    }
    if (!req->path.len || req->path.ptr[0] != '/')
        return plain(x, 400);
    /* The path buffers live on the heap: a connection fiber's stack stays
     * small, and so does an idle connection's resident memory. */
    struct scratch *sc = malloc(sizeof(*sc));
    if (!sc)
        return plain(x, 503);
    int ret = serve_path(cfg, x, req, sc);
    free(sc);
    return ret;
}

static int serve_path(struct mote_http_static *cfg,
                      struct mote_http_exchange *x,
                      const struct mote_http_request *req, struct scratch *sc)
{
    char *dec = sc->dec, *key = sc->key;
    size_t dl;
    if (mote_http_pct_decode((const char *)req->path.ptr, req->path.len, dec,
                             sizeof(sc->dec), &dl, false))
        return plain(x, 400);
    /* Normalise to a key: drop empty segments ("//"), refuse "." and ".."
     * (even encoded: this is after decoding) and backslashes, so the key
     * can only name something under the root. */
    size_t kl = 0;
    int trailing = dec[dl - 1] == '/';
    for (size_t i = 0; i < dl;) {
        while (i < dl && dec[i] == '/')
            i++;
        size_t s = i;
        while (i < dl && dec[i] != '/') {
            if (dec[i] == '\\')
                return plain(x, 400);
            i++;
        }
        size_t n = i - s;
        if (n == 0)
            break;
        if ((n == 1 && dec[s] == '.') ||
            (n == 2 && dec[s] == '.' && dec[s + 1] == '.'))
            return plain(x, 400);
        if (kl)
            key[kl++] = '/';
        memcpy(key + kl, dec + s, n);
        kl += n;
    }
    struct mote_kv_stat st;
    int err = mote_kv_stat(cfg->kv, key, kl, &st);
    if (err == MOTE_EACCES)
        return plain(x, 403);
    if (err)
        return plain(x, 404);
    if (st.type == MOTE_KV_DIR) {
        if (!trailing) {
            /* Redirect to the slash form so relative links work. Leading
             * slashes are collapsed: "//host/dir" would otherwise be a
             * scheme-relative Location, an open redirect to "host". */
            const uint8_t *pp = req->path.ptr;
            size_t pl = req->path.len;
            while (pl > 1 && pp[1] == '/') {
                pp++;
                pl--;
            }
            char *loc = sc->gzkey; /* free at this point */
            int n = snprintf(loc, sizeof(sc->gzkey), "%.*s/", (int)pl, pp);
            if (n < 0 || (size_t)n >= sizeof(sc->gzkey))
                return plain(x, 414);
            mote_http_add_header(x, "Location", loc);
            return plain(x, 301);
        }
        size_t il = kl;
        if (il)
            key[il++] = '/';
        memcpy(key + il, "index.html", 10);
        il += 10;
        struct mote_kv_stat ist;
        if (mote_kv_stat(cfg->kv, key, il, &ist) == 0 &&
            ist.type == MOTE_KV_FILE)
            return serve_file(x, cfg->kv, key, il, &ist, sc);
        if (cfg->browse)
            return listing(x, cfg->kv, key, kl, dec, dl);
        return plain(x, 404);
    }
    if (trailing)
        return plain(x, 404);
    return serve_file(x, cfg->kv, key, kl, &st, sc);
}

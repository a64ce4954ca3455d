/* get: fetch a URL over HTTP or HTTPS (`mote get URL`), verifying the
 * server with the X.509 library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/http.h>
#include <mote/mote.h>
#include <mote/tls.h>
#include <mote/x509.h>
#include <mote/x509_verify.h>

#define SYSTEM_CAS   "/etc/ssl/certs/ca-certificates.crt"
#define MAX_ANCHORS  1024
#define ANCHOR_BYTES (2u << 20)

static const char usage[] =
    "usage: get [--cacert FILE] [--insecure] [-o FILE] [-I] [--max-redirs N]\n"
    "           [--tlsv1.2] URL\n"
    "  URL            http:// or https://HOST[:PORT]/path; HOST is an IPv4\n"
    "                 address, [IPv6] or localhost (no DNS yet)\n"
    "  --cacert FILE  trust the CA certificates in FILE (PEM) instead of\n"
    "                 the system store (" SYSTEM_CAS ")\n"
    "  -k, --insecure do not verify the server's certificate\n"
    "  -o FILE        write the body to FILE instead of standard output\n"
    "  -I             HEAD request; print the status line and headers\n"
    "  --max-redirs N follow at most N redirects (5)\n"
    "  --tlsv1.2      also offer TLS 1.2 (the default is TLS 1.3 only)\n"
    "Exit status: 0 for a response below 400, 1 for an error or a 4xx/5xx\n"
    "response, 2 for bad usage.\n";

static struct mote_x509_trust trust;
static struct mote_x509_anchor *anchors;
static uint8_t *anchor_buf;
static struct mote_tls_x509_verifier verifier;
static struct mote_tls_config tls_cfg;

/* What the last handshake failure was, for the message. */
static int last_alert = -1, last_reason, last_tls_err;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4u << 20;
    char *b = malloc(cap + 1);
    size_t n = b ? fread(b, 1, cap, f) : 0;
    fclose(f);
    if (!b)
        return NULL;
    b[n] = 0;
    *len = n;
    return b;
}

static int load_trust(const char *path)
{
    size_t len, added = 0, skipped = 0;
    char *pem = slurp(path, &len);
    if (!pem) {
        fprintf(stderr, "get: cannot read CA file %s\n", path);
        return -1;
    }
    anchors = calloc(MAX_ANCHORS, sizeof *anchors);
    anchor_buf = malloc(ANCHOR_BYTES);
    if (!anchors || !anchor_buf) {
        free(pem);
        fprintf(stderr, "get: out of memory\n");
        return -1;
    }
    mote_x509_trust_init(&trust, anchors, MAX_ANCHORS, anchor_buf,
                         ANCHOR_BYTES);
    int err = mote_x509_trust_add_pem(&trust, pem, len, &added, &skipped);
    free(pem);
    if ((err && err != MOTE_ENOSPC) || !added) {
        fprintf(stderr, "get: no usable CA certificate in %s\n", path);
        return -1;
    }
    return 0;
}

static void wrapped_close(struct mote_flow *f);
static struct mote_flow_ops wrapped_ops;
static void (*tls_close)(struct mote_flow *f);

static void wrapped_close(struct mote_flow *f)
{
    tls_close(f);
    free(f);
}

static const char *ca_path; /* NULL: --insecure */
static int trust_state;     /* 0 not loaded, 1 loaded, -1 failed */

static int tls_wrap(void *arg, struct mote_flow *tcp, const char *host,
                    struct mote_flow **out)
{
    (void)arg;
    /* The trust store is read at the first https:// connection (a plain
     * http:// URL may redirect to one). */
    if (ca_path && trust_state == 0)
        trust_state = load_trust(ca_path) ? -1 : 1;
    if (trust_state < 0)
        return MOTE_EINVAL;
    struct mote_tls_flow *t = malloc(sizeof *t);
    if (!t)
        return MOTE_ENOMEM;
    verifier.reason = 0;
    int err = mote_tls_flow_open(t, tcp, &tls_cfg, MOTE_TLS_CLIENT, host, NULL);
    if (err) {
        last_alert = t->alert;
        last_reason = verifier.reason;
        last_tls_err = 1;
        free(t);
        return err;
    }
    if (!tls_close) {
        tls_close = t->flow.ops->close;
        wrapped_ops = *t->flow.ops;
        wrapped_ops.close = wrapped_close;
    }
    t->flow.ops = &wrapped_ops;
    *out = &t->flow;
    return 0;
}

static void write_head(FILE *o, const struct mote_http_response *h)
{
    fprintf(o, "HTTP/1.%d %d %.*s\r\n", h->version == 10 ? 0 : 1, h->status,
            (int)h->reason.len, (const char *)h->reason.ptr);
    for (size_t i = 0; i < h->nheaders; i++)
        fprintf(o, "%.*s: %.*s\r\n", (int)h->headers[i].name.len,
                (const char *)h->headers[i].name.ptr,
                (int)h->headers[i].value.len,
                (const char *)h->headers[i].value.ptr);
    fputs("\r\n", o);
}

int mote_main(int argc, char **argv)
{
    const char *cacert = NULL, *outpath = NULL, *url = NULL;
    int insecure = 0, head = 0, max_redirs = 5, tls12 = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--cacert") == 0 || strcmp(a, "-o") == 0 ||
            strcmp(a, "--max-redirs") == 0) {
            if (i + 1 == argc) {
                fprintf(stderr, "get: %s needs an argument\n%s", a, usage);
                return 2;
            }
            const char *v = argv[++i];
            if (a[1] == 'o') {
                outpath = v;
            } else if (a[2] == 'c') {
                cacert = v;
            } else {
                char *end;
                long n = strtol(v, &end, 10);
                if (*v < '0' || *v > '9' || *end || n > 50) {
                    fprintf(stderr, "get: bad --max-redirs '%s'\n", v);
                    return 2;
                }
                max_redirs = (int)n;
            }
        } else if (strcmp(a, "--insecure") == 0 || strcmp(a, "-k") == 0) {
            insecure = 1;
        } else if (strcmp(a, "--tlsv1.2") == 0) {
            tls12 = 1;
        } else if (strcmp(a, "-I") == 0 || strcmp(a, "--head") == 0) {
            head = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "get: unknown option '%s'\n%s", a, usage);
            return 2;
        } else if (url) {
            fprintf(stderr, "get: one URL only\n");
            return 2;
        } else {
            url = a;
        }
    }
    if (!url) {
        fprintf(stderr, "get: no URL\n%s", usage);
        return 2;
    }
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        fprintf(stderr, "get: '%s': want an http:// or https:// URL\n", url);
        return 2;
    }
    ca_path = insecure ? NULL : cacert ? cacert : SYSTEM_CAS;
    verifier.trust = insecure ? NULL : &trust;
    tls_cfg.verify = mote_tls_x509_verify;
    tls_cfg.verify_ctx = &verifier;
    /* The TLS client's default is 1.3 only (docs/tls.md); 1.2 on request,
     * for servers that speak nothing newer. */
    if (tls12)
        tls_cfg.min_version = MOTE_TLS_VERSION_12;
    tls_cfg.alpn[0] = "http/1.1";
    tls_cfg.nalpn = 1;

    struct mote_http_client_config cc = {
        .max_redirects = max_redirs,
        .tls_wrap = tls_wrap,
    };
    struct mote_http_client *c;
    int err = mote_http_client_new(&cc, &c);
    if (err) {
        fprintf(stderr, "get: %s\n", mote_strerror(err));
        return 1;
    }
    const struct mote_http_client_response *r;
    err = mote_http_client_request(c, head ? MOTE_HTTP_HEAD : MOTE_HTTP_GET,
                                   url, NULL, NULL, 0, &r);
    if (err) {
        if (trust_state < 0)
            ; /* load_trust said why */
        else if (last_tls_err && last_reason)
            fprintf(stderr, "get: %s: server certificate refused: %s (%s)\n",
                    url, mote_x509_reason_str(last_reason),
                    mote_x509_reason_name(last_reason));
        else if (last_tls_err && last_alert >= 0)
            fprintf(stderr, "get: %s: TLS handshake failed: %s (alert %s)\n",
                    url, mote_strerror(err), mote_tls_alert_name(last_alert));
        else if (err == MOTE_EINVAL)
            fprintf(stderr,
                    "get: '%s': bad URL (HOST must be an IP address "
                    "or localhost)\n",
                    url);
        else
            fprintf(stderr, "get: %s: %s\n", url, mote_strerror(err));
        mote_http_client_free(c);
        return 1;
    }
    FILE *o = stdout;
    if (outpath && !(o = fopen(outpath, "wb"))) {
        fprintf(stderr, "get: cannot write %s\n", outpath);
        mote_http_client_free(c);
        return 1;
    }
    if (head)
        write_head(o, &r->head);
    else if (r->body.len)
        fwrite(mote_buf_data(&r->body), 1, r->body.len, o);
    int status = r->head.status;
    int werr = ferror(o);
    if (o != stdout)
        werr |= fclose(o);
    else
        werr |= fflush(o);
    mote_http_client_free(c);
    if (werr) {
        fprintf(stderr, "get: write error\n");
        return 1;
    }
    if (status >= 400) {
        fprintf(stderr, "get: %s: HTTP %d\n", url, status);
        return 1;
    }
    return 0;
}

/* www: the demo site (www/) baked into the program by mote-crunch, served
 * over HTTP/1.1. No file system needed: the shape of a sealed unikernel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/http.h>
#include <mote/kv.h>
#include <mote/mote.h>

#define SRC        "www"
#define MAX_LISTEN 8

/* Generated at build time (mk/http.mk): tools/mote-crunch -n www www/ */
extern const struct mote_kv_crunch_entry www_entries[];
extern const size_t www_count;

static const char usage[] =
    "usage: www [--listen ADDR:PORT]... [-p PORT]\n"
    "  --listen ADDR:PORT  where to listen (repeatable; default *:8080)\n"
    "  -p PORT             port for the default address\n";

static void log_line(void *arg, const char *line, size_t len)
{
    (void)arg;
    if (len && line[len - 1] == '\n')
        len--;
    mote_log("access", MOTE_LOG_INFO, "%.*s", (int)len, line);
}

struct runarg {
    struct mote_http_server *s;
    struct mote_listener *l;
};

static void runner(void *arg)
{
    struct runarg *r = arg;
    int err = mote_http_server_run(r->s, r->l);
    if (err)
        MOTE_LOG_ERR(SRC, "accept: %s", mote_strerror(err));
}

int mote_main(int argc, char **argv)
{
    struct mote_endpoint eps[MAX_LISTEN];
    int neps = 0;
    unsigned long port = 8080;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "--listen") == 0 || strcmp(a, "-p") == 0) &&
            i + 1 == argc) {
            fprintf(stderr, "www: %s needs an argument\n%s", a, usage);
            return 2;
        }
        if (strcmp(a, "--listen") == 0 || strncmp(a, "--listen=", 9) == 0) {
            const char *v = a[8] == '=' ? a + 9 : argv[++i];
            if (neps == MAX_LISTEN ||
                mote_endpoint_parse(v, strlen(v), &eps[neps])) {
                fprintf(stderr, "www: bad --listen address '%s'\n", v);
                return 2;
            }
            neps++;
        } else if (strcmp(a, "-p") == 0) {
            char *end;
            const char *v = argv[++i];
            port = strtoul(v, &end, 10);
            if (*v < '0' || *v > '9' || *end || port > 65535) {
                fprintf(stderr, "www: bad port '%s'\n", v);
                return 2;
            }
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else {
            fprintf(stderr, "www: unknown option '%s'\n%s", a, usage);
            return 2;
        }
    }
    if (neps == 0) {
        mote_endpoint_parse("*:0", 3, &eps[0]);
        eps[0].port = (uint16_t)port;
        neps = 1;
    }
    static struct mote_kv_crunch crunch;
    static struct mote_http_static st;
    st.kv = mote_kv_crunch_init(&crunch, www_entries, www_count);
    struct mote_http_server_config cfg = {
        .handler = mote_http_static_handler,
        .handler_arg = &st,
        .access_log =
            mote_log_enabled("access", MOTE_LOG_INFO) ? log_line : NULL,
    };
    struct mote_http_server *s;
    int err = mote_http_server_new(&cfg, &s);
    if (err) {
        fprintf(stderr, "www: %s\n", mote_strerror(err));
        return 1;
    }
    struct runarg ra[MAX_LISTEN];
    struct mote_fiber *fibers[MAX_LISTEN];
    for (int i = 0; i < neps; i++) {
        char text[MOTE_ENDPOINT_STRLEN];
        mote_endpoint_print(&eps[i], text, sizeof(text));
        err = mote_tcp_listen(mote_stack_default(), &eps[i], 1024, &ra[i].l);
        if (err) {
            fprintf(stderr, "www: cannot listen on %s: %s\n", text,
                    mote_strerror(err));
            return 1;
        }
        struct mote_endpoint bound;
        if (mote_listener_local(ra[i].l, &bound) == 0)
            mote_endpoint_print(&bound, text, sizeof(text));
        MOTE_LOG_INFO(SRC, "serving %zu baked-in entries on http://%s/",
                      www_count, text);
        ra[i].s = s;
        if (mote_fiber_spawn(runner, &ra[i], 0, &fibers[i])) {
            fprintf(stderr, "www: out of memory\n");
            return 1;
        }
    }
    for (int i = 0; i < neps; i++)
        mote_fiber_join(fibers[i]);
    return 1;
}

/* serve: HTTP/1.1 static file server for a directory (`mote serve DIR`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/http.h>
#include <mote/kv.h>
#include <mote/mote.h>

#include "serve.h"

#define SRC        "serve"
#define MAX_LISTEN 8
#define MAX_IDS    4

static const char usage[] =
    "usage: serve [--listen ADDR:PORT]... [-p PORT] [--browse]\n"
    "             [--tls] [--tls-listen ADDR:PORT]... [--redirect]\n"
    "             [--cert FILE --key FILE [--name HOST]]... [--state-dir DIR]\n"
    "             [DIR]\n"
    "  --listen ADDR:PORT  where to listen (repeatable); ADDR is an IPv4\n"
    "                      address, [IPv6] or * for both families\n"
    "  -p PORT             port for the default address *:PORT (8080; 8443\n"
    "                      with --tls and no --tls-listen)\n"
    "  --browse            list directories that have no index.html\n"
    "  --tls               HTTPS: on the --tls-listen addresses if any (the\n"
    "                      --listen ones stay plain HTTP), else on "
    "--listen/-p\n"
    "  --tls-listen A:P    an HTTPS address (repeatable; implies --tls)\n"
    "  --redirect          plain HTTP answers 301 to the HTTPS port\n"
    "  --cert F --key F    certificate chain (PEM, leaf first) and its key;\n"
    "                      repeat with --name HOST after a pair for SNI (the\n"
    "                      first pair is the default)\n"
    "  --state-dir DIR     without --cert: where the generated local CA and\n"
    "                      certificate live ($XDG_STATE_HOME/mote or\n"
    "                      ~/.local/state/mote)\n"
    "  DIR                 directory to serve (default: .)\n"
    "Access log lines go to the log source \"access\" (--log=access:none to\n"
    "silence them).\n";

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

/* SIGTERM and SIGINT: stop accepting, finish in-flight requests, exit 0.
 * Each signal is a platform event (a signalfd in the epoll set on unix),
 * so shutdown starts as soon as it arrives; one fiber waits for each. The
 * first arrival gives both signals back their default action, so a
 * second one kills at once. */
#define NSIG_WATCHED 2
static const enum mote_signal watched[NSIG_WATCHED] = {MOTE_SIGNAL_TERM,
                                                       MOTE_SIGNAL_INT};
static mote_handle sig_handle[NSIG_WATCHED];
static struct mote_fiber *sig_fiber[NSIG_WATCHED];
static int nsig;
static int stopped, stop_done, stop_err;
static struct mote_waitq stop_wq = MOTE_WAITQ_INIT; /* woken at stop_done */

struct watch_arg {
    struct mote_http_server *s, *s2;
    int i;
};
static struct watch_arg watch_args[NSIG_WATCHED];

static void watcher(void *arg)
{
    struct watch_arg *w = arg;
    sig_fiber[w->i] = mote_fiber_self();
    for (;;) {
        uint64_t n;
        /* The other watcher got its signal first and released ours. */
        if (mote_fiber_cancelled())
            return;
        /* Read before waiting: a handle is woken by arrivals only. */
        if (mote_platform_signal_read(sig_handle[w->i], &n) == 0)
            break;
        if (mote_wait_device(sig_handle[w->i], MOTE_FOREVER) == MOTE_ECANCELED)
            return;
    }
    for (int j = 0; j < nsig; j++) {
        if (j != w->i)
            mote_fiber_cancel(sig_fiber[j]);
        mote_platform_signal_release(sig_handle[j]);
    }
    MOTE_LOG_INFO(SRC, "%s: finishing requests in progress",
                  watched[w->i] == MOTE_SIGNAL_INT ? "interrupted"
                                                   : "terminated");
    stopped = 1;
    uint64_t deadline = mote_deadline_in(10 * MOTE_NS_PER_SEC);
    stop_err = mote_http_server_shutdown(w->s, deadline);
    if (w->s2 && mote_http_server_shutdown(w->s2, deadline))
        stop_err = MOTE_ETIMEDOUT;
    MOTE_LOG_INFO(SRC, "stopped%s", stop_err ? " (some connections cut)" : "");
    stop_done = 1;
    mote_wake_all(&stop_wq);
}

static void watch_signals(struct mote_http_server *s,
                          struct mote_http_server *s2)
{
    for (int i = 0; i < NSIG_WATCHED; i++) {
        int err = mote_platform_signal_acquire(watched[i], &sig_handle[nsig]);
        if (err) {
            MOTE_LOG_WARN(SRC,
                          "no signal events (%s): SIGTERM will not be "
                          "graceful",
                          mote_strerror(err));
            break;
        }
        nsig++;
    }
    for (int i = 0; i < nsig; i++) {
        watch_args[i] = (struct watch_arg){s, s2, i};
        /* Detached: a watcher ends only after its signal, or when the
         * other watcher, which got one, cancels it. */
        if (mote_fiber_spawn(watcher, &watch_args[i], 16 * 1024, NULL))
            MOTE_LOG_WARN(SRC, "no signal watcher: SIGTERM will not be "
                               "graceful");
    }
}

static int parse_port(const char *s, uint16_t *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || v > 65535)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

/* --redirect: every plain-HTTP request gets a 301 to the same host and
 * target on the HTTPS port. */
static uint16_t redirect_port;

static int redirect_handler(void *arg, struct mote_http_exchange *x)
{
    (void)arg;
    const struct mote_http_request *r = mote_http_exchange_request(x);
    char host[300], loc[2400];
    size_t hl = r->host.len;
    const char *h = (const char *)r->host.ptr;
    /* Drop the port of the Host value, keeping IPv6 brackets. */
    size_t end = hl;
    for (size_t i = hl; i > 0; i--) {
        if (h[i - 1] == ']')
            break;
        if (h[i - 1] == ':') {
            end = i - 1;
            break;
        }
    }
    if (end == 0 || end >= sizeof host)
        return mote_http_respond(x, 400, "text/plain", "no Host\n", 8);
    memcpy(host, h, end);
    host[end] = 0;
    const char *t = (const char *)r->target.ptr;
    size_t tl = r->target.len;
    if (tl == 0 || t[0] != '/') {
        t = "/";
        tl = 1;
    }
    char port[8] = "";
    if (redirect_port != 443)
        snprintf(port, sizeof port, ":%u", redirect_port);
    int n =
        snprintf(loc, sizeof loc, "https://%s%s%.*s", host, port, (int)tl, t);
    if (n < 0 || (size_t)n >= sizeof loc)
        return mote_http_respond(x, 414, "text/plain", "URI too long\n", 13);
    int err = mote_http_add_header(x, "Location", loc);
    if (err)
        return err;
    return mote_http_respond(x, 301, "text/plain", "moved to HTTPS\n", 15);
}

static int endpoint_arg(const char *v, struct mote_endpoint *eps, int *n,
                        const char *flag)
{
    if (*n == MAX_LISTEN) {
        fprintf(stderr, "serve: at most %d %s options\n", MAX_LISTEN, flag);
        return 2;
    }
    if (mote_endpoint_parse(v, strlen(v), &eps[*n])) {
        fprintf(stderr,
                "serve: bad %s address '%s' (want ADDR:PORT, "
                "[IPV6]:PORT or *:PORT)\n",
                flag, v);
        return 2;
    }
    (*n)++;
    return 0;
}

static struct serve_ident idents[MAX_IDS];
static struct mote_tls_identity tls_ids[MAX_IDS];
static struct mote_tls_config tls_cfg;
static uint8_t ticket_key[32];

int mote_main(int argc, char **argv)
{
    struct mote_endpoint eps[MAX_LISTEN], teps[MAX_LISTEN];
    int neps = 0, nteps = 0, browse = 0, tls = 0, redirect = 0, port_set = 0;
    uint16_t port = 8080;
    const char *dir = NULL, *state_dir = NULL;
    const char *certs[MAX_IDS], *keys[MAX_IDS], *names[MAX_IDS];
    int ncert = 0, nkey = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        static const char *const with_arg[] = {
            "--listen", "-l",     "--tls-listen", "--cert",
            "--key",    "--name", "--state-dir"};
        for (size_t k = 0; k < sizeof with_arg / sizeof *with_arg; k++) {
            size_t kl = strlen(with_arg[k]);
            if (strcmp(a, with_arg[k]) == 0) {
                if (i + 1 == argc) {
                    fprintf(stderr, "serve: %s needs an argument\n%s", a,
                            usage);
                    return 2;
                }
                v = argv[++i];
                a = with_arg[k];
            } else if (strncmp(a, with_arg[k], kl) == 0 && a[kl] == '=') {
                v = a + kl + 1;
                a = with_arg[k];
            }
            if (v)
                break;
        }
        int rc = 0;
        if (v && (strcmp(a, "--listen") == 0 || strcmp(a, "-l") == 0)) {
            rc = endpoint_arg(v, eps, &neps, "--listen");
        } else if (v && strcmp(a, "--tls-listen") == 0) {
            rc = endpoint_arg(v, teps, &nteps, "--tls-listen");
            tls = 1;
        } else if (v && (strcmp(a, "--cert") == 0 || strcmp(a, "--key") == 0)) {
            int is_cert = a[2] == 'c';
            int *cnt = is_cert ? &ncert : &nkey;
            if (*cnt == MAX_IDS) {
                fprintf(stderr, "serve: at most %d certificates\n", MAX_IDS);
                return 2;
            }
            (is_cert ? certs : keys)[*cnt] = v;
            names[*cnt] = NULL;
            (*cnt)++;
            tls = 1;
        } else if (v && strcmp(a, "--name") == 0) {
            if (ncert == 0 || ncert != nkey || names[ncert - 1]) {
                fprintf(stderr, "serve: --name HOST goes after a --cert and "
                                "--key pair\n");
                return 2;
            }
            names[ncert - 1] = v;
        } else if (v && strcmp(a, "--state-dir") == 0) {
            state_dir = v;
        } else if (strcmp(a, "-p") == 0 || strncmp(a, "--port=", 7) == 0) {
            const char *p =
                a[1] == 'p' ? (i + 1 < argc ? argv[++i] : "") : a + 7;
            if (parse_port(p, &port)) {
                fprintf(stderr, "serve: bad port '%s' (want 0-65535)\n", p);
                return 2;
            }
            port_set = 1;
        } else if (strcmp(a, "--browse") == 0) {
            browse = 1;
        } else if (strcmp(a, "--tls") == 0) {
            tls = 1;
        } else if (strcmp(a, "--redirect") == 0) {
            redirect = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "serve: unknown option '%s'\n%s", a, usage);
            return 2;
        } else if (dir) {
            fprintf(stderr, "serve: more than one directory ('%s', '%s')\n",
                    dir, a);
            return 2;
        } else {
            dir = a;
        }
        if (rc)
            return rc;
    }
    if (ncert != nkey) {
        fprintf(stderr, "serve: --cert and --key go in pairs\n");
        return 2;
    }
    for (int i = 1; i < ncert; i++)
        if (!names[i]) {
            fprintf(stderr, "serve: certificate %d (%s) needs --name HOST\n",
                    i + 1, certs[i]);
            return 2;
        }
    if (!dir)
        dir = ".";
    if (tls && !port_set && nteps == 0)
        port = 8443;
    if (neps == 0 && !(tls && nteps)) {
        mote_endpoint_parse("*:0", 3, &eps[0]);
        eps[0].port = port;
        neps = 1;
    }
    if (tls && nteps == 0) { /* the --listen endpoints speak TLS */
        memcpy(teps, eps, sizeof(eps[0]) * (size_t)neps);
        nteps = neps;
        neps = 0;
    }
    if (redirect && (!tls || neps == 0)) {
        fprintf(stderr, "serve: --redirect needs plain --listen and "
                        "--tls-listen addresses\n");
        return 2;
    }
    struct mote_kv *kv;
    int err = mote_kv_dir_open(dir, &kv);
    if (err) {
        fprintf(stderr, "serve: cannot serve '%s': %s\n", dir,
                err == MOTE_EINVAL   ? "not a directory"
                : err == MOTE_ENOENT ? "no such directory"
                                     : mote_strerror(err));
        return 2;
    }
    if (tls) {
        char why[512];
        int nid = ncert ? ncert : 1;
        for (int i = 0; i < ncert; i++)
            if (serve_ident_load(&idents[i], certs[i], keys[i], why,
                                 sizeof why)) {
                fprintf(stderr, "serve: %s\n", why);
                return 2;
            }
        if (!ncert &&
            serve_default_ident(&idents[0], state_dir, why, sizeof why)) {
            fprintf(stderr, "serve: %s\n", why);
            return 1;
        }
        for (int i = 0; i < nid; i++)
            tls_ids[i] = (struct mote_tls_identity){
                idents[i].certs, idents[i].lens, idents[i].n, &idents[i].key,
                ncert ? names[i] : NULL};
        mote_random(ticket_key, sizeof ticket_key);
        tls_cfg.ids = tls_ids;
        tls_cfg.nids = (size_t)nid;
        tls_cfg.alpn[0] = "http/1.1";
        tls_cfg.nalpn = 1;
        tls_cfg.ticket_key = ticket_key;
        tls_cfg.ticket_lifetime = 7200;
    }
    struct mote_http_static st = {.kv = kv, .browse = browse};
    struct mote_http_server_config cfg = {
        .handler = mote_http_static_handler,
        .handler_arg = &st,
        .access_log =
            mote_log_enabled("access", MOTE_LOG_INFO) ? log_line : NULL,
    };
    struct mote_http_server *s = NULL, *ts = NULL;
    err = 0;
    if (neps) {
        struct mote_http_server_config pc = cfg;
        if (redirect)
            pc.handler = redirect_handler;
        err = mote_http_server_new(&pc, &s);
    }
    if (!err && nteps) {
        struct mote_http_server_config tc = cfg;
        tc.conn_wrap = serve_tls_wrap;
        tc.conn_wrap_arg = &tls_cfg;
        err = mote_http_server_new(&tc, &ts);
    }
    if (err) {
        fprintf(stderr, "serve: %s\n", mote_strerror(err));
        return 1;
    }
    struct mote_stack *stack = mote_stack_default();
    struct runarg ra[2 * MAX_LISTEN];
    struct mote_fiber *fibers[2 * MAX_LISTEN];
    int nall = 0;
    for (int pass = 0; pass < 2; pass++) {
        /* TLS first, so that the redirect knows the HTTPS port. */
        int is_tls = pass == 0;
        struct mote_endpoint *e = is_tls ? teps : eps;
        for (int i = 0; i < (is_tls ? nteps : neps); i++) {
            char text[MOTE_ENDPOINT_STRLEN];
            mote_endpoint_print(&e[i], text, sizeof(text));
            err = mote_tcp_listen(stack, &e[i], 1024, &ra[nall].l);
            if (err) {
                fprintf(stderr, "serve: cannot listen on %s: %s\n", text,
                        mote_strerror(err));
                return 1;
            }
            struct mote_endpoint bound;
            if (mote_listener_local(ra[nall].l, &bound) == 0) {
                mote_endpoint_print(&bound, text, sizeof(text));
                if (is_tls && !redirect_port)
                    redirect_port = bound.port;
            }
            MOTE_LOG_INFO(SRC, "serving %s on %s://%s/ (%s stack)%s", dir,
                          is_tls ? "https" : "http", text, stack->name,
                          !is_tls && redirect ? ", redirecting to HTTPS" : "");
            ra[nall].s = is_tls ? ts : s;
            nall++;
        }
    }
    if (nteps)
        MOTE_LOG_DEBUG(SRC, "TLS connection state: %zu bytes each",
                       serve_tls_conn_bytes());
    for (int i = 0; i < nall; i++) {
        err = mote_fiber_spawn(runner, &ra[i], 0, &fibers[i]);
        if (err) {
            fprintf(stderr, "serve: %s\n", mote_strerror(err));
            return 1;
        }
    }
    watch_signals(s ? s : ts, s ? ts : NULL);
    for (int i = 0; i < nall; i++)
        mote_fiber_join(fibers[i]);
    /* The acceptors end as soon as a stop begins; the requests in
     * progress end with the shutdown. */
    while (stopped && !stop_done)
        mote_wait(&stop_wq, MOTE_FOREVER);
    if (!stopped)
        return 1; /* an acceptor failed: servers may still be busy */
    /* Shut down: nothing runs on the servers any more, so everything can
     * go back (leak checkers then see a clean exit). */
    for (int i = 0; i < nall; i++)
        mote_listener_close(ra[i].l);
    if (s)
        mote_http_server_free(s);
    if (ts)
        mote_http_server_free(ts);
    mote_kv_close(kv);
    return 0;
}

/* serve: HTTP/1.1 static file server for a directory (`mote serve DIR`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/http.h>
#include <mote/kv.h>
#include <mote/mote.h>

#define SRC        "serve"
#define MAX_LISTEN 8

static const char usage[] =
    "usage: serve [--listen ADDR:PORT]... [-p PORT] [--browse] [DIR]\n"
    "  --listen ADDR:PORT  where to listen (repeatable); ADDR is an IPv4\n"
    "                      address, [IPv6] or * for both families\n"
    "  -p PORT             port for the default address *:PORT (8080)\n"
    "  --browse            list directories that have no index.html\n"
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
    struct mote_http_server *s;
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
    stop_err =
        mote_http_server_shutdown(w->s, mote_deadline_in(10 * MOTE_NS_PER_SEC));
    MOTE_LOG_INFO(SRC, "stopped%s", stop_err ? " (some connections cut)" : "");
    stop_done = 1;
    mote_wake_all(&stop_wq);
}

static void watch_signals(struct mote_http_server *s)
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
        watch_args[i] = (struct watch_arg){s, i};
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

int mote_main(int argc, char **argv)
{
    struct mote_endpoint eps[MAX_LISTEN];
    int neps = 0, browse = 0;
    uint16_t port = 8080;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (strcmp(a, "--listen") == 0 || strcmp(a, "-l") == 0) {
            if (i + 1 == argc) {
                fprintf(stderr, "serve: %s needs an argument\n%s", a, usage);
                return 2;
            }
            v = argv[++i];
        } else if (strncmp(a, "--listen=", 9) == 0) {
            v = a + 9;
        }
        if (v) {
            if (neps == MAX_LISTEN) {
                fprintf(stderr, "serve: at most %d --listen options\n",
                        MAX_LISTEN);
                return 2;
            }
            if (mote_endpoint_parse(v, strlen(v), &eps[neps])) {
                fprintf(stderr,
                        "serve: bad --listen address '%s' (want ADDR:PORT, "
                        "[IPV6]:PORT or *:PORT)\n",
                        v);
                return 2;
            }
            neps++;
        } else if (strcmp(a, "-p") == 0 || strncmp(a, "--port=", 7) == 0) {
            const char *p =
                a[1] == 'p' ? (i + 1 < argc ? argv[++i] : "") : a + 7;
            if (parse_port(p, &port)) {
                fprintf(stderr, "serve: bad port '%s' (want 0-65535)\n", p);
                return 2;
            }
        } else if (strcmp(a, "--browse") == 0) {
            browse = 1;
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
    }
    if (!dir)
        dir = ".";
    if (neps == 0) {
        mote_endpoint_parse("*:0", 3, &eps[0]);
        eps[0].port = port;
        neps = 1;
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
    struct mote_http_static st = {.kv = kv, .browse = browse};
    struct mote_http_server_config cfg = {
        .handler = mote_http_static_handler,
        .handler_arg = &st,
        .access_log =
            mote_log_enabled("access", MOTE_LOG_INFO) ? log_line : NULL,
    };
    struct mote_http_server *s;
    err = mote_http_server_new(&cfg, &s);
    if (err) {
        fprintf(stderr, "serve: %s\n", mote_strerror(err));
        return 1;
    }
    struct mote_stack *stack = mote_stack_default();
    struct runarg ra[MAX_LISTEN];
    struct mote_fiber *fibers[MAX_LISTEN];
    for (int i = 0; i < neps; i++) {
        char text[MOTE_ENDPOINT_STRLEN];
        mote_endpoint_print(&eps[i], text, sizeof(text));
        err = mote_tcp_listen(stack, &eps[i], 1024, &ra[i].l);
        if (err) {
            fprintf(stderr, "serve: cannot listen on %s: %s\n", text,
                    mote_strerror(err));
            return 1;
        }
        struct mote_endpoint bound;
        if (mote_listener_local(ra[i].l, &bound) == 0)
            mote_endpoint_print(&bound, text, sizeof(text));
        MOTE_LOG_INFO(SRC, "serving %s on http://%s/ (%s stack)", dir, text,
                      stack->name);
        ra[i].s = s;
    }
    for (int i = 0; i < neps; i++) {
        err = mote_fiber_spawn(runner, &ra[i], 0, &fibers[i]);
        if (err) {
            fprintf(stderr, "serve: %s\n", mote_strerror(err));
            return 1;
        }
    }
    watch_signals(s);
    for (int i = 0; i < neps; i++)
        mote_fiber_join(fibers[i]);
    /* The acceptors end as soon as a stop begins; the requests in
     * progress end with the shutdown. */
    while (stopped && !stop_done)
        mote_wait(&stop_wq, MOTE_FOREVER);
    return stopped ? 0 : 1;
}

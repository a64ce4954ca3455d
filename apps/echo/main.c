/* echo: a TCP echo server (RFC 862) on whichever stack the program has. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/mote.h>

#define SRC        "echo"
#define MAX_LISTEN 8
#define BUF_SIZE   16384

static const char usage[] =
    "usage: echo [--listen=ADDR:PORT]... [--idle-timeout=SECONDS]\n"
    "  --listen=ADDR:PORT    where to listen (repeatable); ADDR is an IPv4\n"
    "                        address, [IPv6] or * for both families.\n"
    "                        Default *:7007\n"
    "  --idle-timeout=SECS   close a connection idle this long (default:\n"
    "                        never)\n";

static uint64_t idle_ns;

struct conn {
    struct mote_flow *flow;
    struct mote_endpoint peer;
};

static void serve(void *arg)
{
    struct conn *c = arg;
    char peer[MOTE_ENDPOINT_STRLEN];
    mote_endpoint_print(&c->peer, peer, sizeof(peer));
    MOTE_LOG_DEBUG(SRC, "%s: connected", peer);
    char buf[BUF_SIZE];
    uint64_t total = 0;
    int err;
    for (;;) {
        if (idle_ns)
            mote_flow_set_deadlines(c->flow, mote_deadline_in(idle_ns),
                                    mote_deadline_in(idle_ns));
        size_t n;
        err = mote_flow_read(c->flow, buf, sizeof(buf), &n);
        if (err || n == 0)
            break;
        err = mote_flow_write(c->flow, buf, n);
        if (err)
            break;
        total += n;
    }
    if (err)
        MOTE_LOG_DEBUG(SRC, "%s: %s after %llu bytes", peer, mote_strerror(err),
                       (unsigned long long)total);
    else
        mote_flow_shutdown(c->flow);
    MOTE_LOG_DEBUG(SRC, "%s: closed after %llu bytes", peer,
                   (unsigned long long)total);
    mote_flow_close(c->flow);
    free(c);
}

static void acceptor(void *arg)
{
    struct mote_listener *l = arg;
    for (;;) {
        struct conn *c = malloc(sizeof(*c));
        if (!c) {
            MOTE_LOG_WARN(SRC, "out of memory; pausing accepts");
            mote_sleep(10 * MOTE_NS_PER_MS);
            continue;
        }
        int err = mote_tcp_accept(l, MOTE_FOREVER, &c->flow, &c->peer);
        if (!err)
            err = mote_fiber_spawn(serve, c, 64 * 1024, NULL);
        if (!err)
            continue;
        free(c);
        if (err == MOTE_ECANCELED || err == MOTE_ECLOSED)
            return;
        /* Out of descriptors or memory: the connection waits in the
         * backlog; back off rather than spin. */
        MOTE_LOG_WARN(SRC, "accept: %s", mote_strerror(err));
        mote_sleep(10 * MOTE_NS_PER_MS);
    }
}

static int parse_seconds(const char *s, uint64_t *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || v > 1000000)
        return -1;
    *out = (uint64_t)v * MOTE_NS_PER_SEC;
    return 0;
}

int mote_main(int argc, char **argv)
{
    struct mote_endpoint eps[MAX_LISTEN];
    int neps = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--listen=", 9) == 0) {
            if (neps == MAX_LISTEN) {
                fprintf(stderr, "echo: at most %d --listen options\n",
                        MAX_LISTEN);
                return 2;
            }
            if (mote_endpoint_parse(a + 9, strlen(a + 9), &eps[neps])) {
                fprintf(stderr,
                        "echo: bad --listen address '%s' (want ADDR:PORT, "
                        "[IPV6]:PORT or *:PORT)\n",
                        a + 9);
                return 2;
            }
            neps++;
        } else if (strncmp(a, "--idle-timeout=", 15) == 0) {
            if (parse_seconds(a + 15, &idle_ns)) {
                fprintf(stderr,
                        "echo: bad --idle-timeout '%s' (want whole "
                        "seconds, at most 1000000)\n",
                        a + 15);
                return 2;
            }
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else {
            fprintf(stderr, "echo: unknown option '%s'\n%s", a, usage);
            return 2;
        }
    }
    if (neps == 0) {
        mote_endpoint_parse("*:7007", 6, &eps[0]);
        neps = 1;
    }
    struct mote_stack *stack = mote_stack_default();
    struct mote_fiber *fibers[MAX_LISTEN];
    for (int i = 0; i < neps; i++) {
        char text[MOTE_ENDPOINT_STRLEN];
        mote_endpoint_print(&eps[i], text, sizeof(text));
        struct mote_listener *l;
        int err = mote_tcp_listen(stack, &eps[i], 1024, &l);
        if (err) {
            fprintf(stderr, "echo: cannot listen on %s: %s\n", text,
                    mote_strerror(err));
            return 1;
        }
        struct mote_endpoint bound;
        if (mote_listener_local(l, &bound) == 0)
            mote_endpoint_print(&bound, text, sizeof(text));
        MOTE_LOG_INFO(SRC, "listening on %s (%s stack)", text, stack->name);
        err = mote_fiber_spawn(acceptor, l, 0, &fibers[i]);
        if (err) {
            fprintf(stderr, "echo: %s\n", mote_strerror(err));
            return 1;
        }
    }
    for (int i = 0; i < neps; i++)
        mote_fiber_join(fibers[i]);
    return 0;
}

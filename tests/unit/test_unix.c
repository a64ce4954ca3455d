/* Unit tests for the unix backend: devices, entropy, clocks, socket stack. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mote/mote.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) && !defined(__SANITIZE_ADDRESS__)
#define __SANITIZE_ADDRESS__ 1
#endif
#endif

#include "tap.h"

/* ---- Block devices ---------------------------------------------------------
 */

static void test_block(void)
{
    char path[] = "/tmp/mote-test-block-XXXXXX";
    int fd = mkstemp(path);
    ok(fd >= 0, "temp file");
    uint8_t junk[65536 + 100];
    memset(junk, 0xee, sizeof(junk));
    ok(write(fd, junk, sizeof(junk)) == (ssize_t)sizeof(junk), "filled");
    close(fd);

    mote_handle h;
    struct mote_block_info bi;
    is_int(mote_platform_block_acquire(path, &h, &bi), 0, "acquire file");
    is_int(bi.capacity, 65536, "partial last block not addressable");
    is_int(bi.block_size, 512, "512-byte blocks");
    is_int(mote_platform_block_acquire(path, &h, &bi), MOTE_EBUSY,
           "second acquire is EBUSY");

    uint8_t w[1024], r[1024];
    for (size_t i = 0; i < sizeof(w); i++)
        w[i] = (uint8_t)(i * 31 + 7);
    is_int(mote_platform_block_write(h, 512 * 10, w, sizeof(w)), 0, "write");
    is_int(mote_platform_block_read(h, 512 * 10, r, sizeof(r)), 0, "read");
    ok(memcmp(w, r, sizeof(w)) == 0, "read what was written");
    is_int(mote_platform_block_read(h, 100, r, 512), MOTE_EINVAL,
           "misaligned offset");
    is_int(mote_platform_block_read(h, 0, r, 100), MOTE_EINVAL,
           "partial block");
    is_int(mote_platform_block_read(h, 65536, r, 512), MOTE_ERANGE,
           "read past the end");
    is_int(mote_platform_block_write(h, 65536 - 512, w, 1024), MOTE_ERANGE,
           "write crossing the end");
    is_int(mote_platform_block_read(h, UINT64_MAX - 511, r, 512), MOTE_ERANGE,
           "offset overflow");
    unlink(path);

    is_int(mote_platform_block_acquire("/nonexistent/disk.img", &h, &bi),
           MOTE_ENOENT, "missing file is ENOENT");
    is_int(mote_platform_block_acquire("/tmp", &h, &bi), MOTE_EINVAL,
           "a directory is not a block device");
    is_int(mote_platform_block_acquire("", &h, &bi), MOTE_EINVAL, "empty name");
}

/* ---- Network devices
 * --------------------------------------------------------- */

static void test_net_names(void)
{
    mote_handle h;
    struct mote_net_info ni;
    is_int(mote_platform_net_acquire("motenotap9", &h, &ni), MOTE_ENOENT,
           "a TAP that does not exist is ENOENT");
    is_int(mote_platform_net_acquire("", &h, &ni), MOTE_EINVAL, "empty name");
    is_int(mote_platform_net_acquire("averyveryverylongname", &h, &ni),
           MOTE_EINVAL, "name longer than IFNAMSIZ");
}

/* In a child with its own network namespace: make a persistent TAP, acquire
 * it, then check that an unprivileged user is refused with EACCES. */
static int tap_child(void)
{
    if (unshare(CLONE_NEWNET) < 0)
        return 10;
    int fd = open("/dev/net/tun", O_RDWR);
    if (fd < 0)
        return 11;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    strcpy(ifr.ifr_name, "mtap0");
    if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETPERSIST, 1) < 0)
        return 12;
    close(fd);
    /* A process without privilege may not attach to root's TAP. */
    struct mote_net_info ni;
    pid_t pid = fork();
    if (pid == 0) {
        if (setgid(65534) < 0 || setuid(65534) < 0)
            _exit(20);
        mote_handle h2;
        _exit(mote_platform_net_acquire("mtap0", &h2, &ni) == MOTE_EACCES ? 0
                                                                          : 21);
    }
    int status;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return WIFEXITED(status) ? WEXITSTATUS(status) : 30;
    mote_handle h;
    if (mote_platform_net_acquire("mtap0", &h, &ni) != 0)
        return 13;
    if (ni.mtu != 1500 || (ni.mac[0] & 3) != 2)
        return 14; /* locally administered unicast */
    if (mote_platform_net_acquire("mtap0", &h, &ni) != MOTE_EBUSY)
        return 15;
    uint8_t small[10];
    if (mote_platform_net_write(h, small, sizeof(small)) != MOTE_EINVAL)
        return 16;
    size_t got;
    uint8_t frame[1514];
    if (mote_platform_net_read(h, frame, 100, &got) != MOTE_EINVAL)
        return 17;
    return 0;
}

static void test_net_tap(void)
{
    if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0) {
        ok(1, "# SKIP needs root and /dev/net/tun");
        return;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(tap_child());
    int status;
    waitpid(pid, &status, 0);
    is_int(WIFEXITED(status) ? WEXITSTATUS(status) : 99, 0,
           "TAP acquire, info, size checks, and EACCES without privilege");
}

/* ---- Entropy, clocks, yield
 * ------------------------------------------------------ */

static void test_entropy_clock(void)
{
    uint8_t a[32] = {0}, b[32] = {0}, zero[32] = {0};
    is_int(mote_platform_entropy(a, sizeof(a)), 0, "entropy");
    mote_platform_entropy(b, sizeof(b));
    ok(memcmp(a, b, 32) != 0 && memcmp(a, zero, 32) != 0, "bytes differ");
    uint64_t t0 = mote_platform_clock_monotonic();
    uint64_t t1 = mote_platform_clock_monotonic();
    ok(t1 >= t0, "monotonic clock does not go back");
    uint64_t wall = mote_platform_clock_wall() / MOTE_NS_PER_SEC;
    uint64_t now = (uint64_t)time(NULL);
    ok(wall + 2 >= now && wall <= now + 2, "wall clock is the host's");
    mote_handle_set ready = 1;
    uint64_t deadline = mote_platform_clock_monotonic() + 2 * MOTE_NS_PER_MS;
    mote_platform_yield(deadline, &ready);
    ok(mote_platform_clock_monotonic() >= deadline || ready == 0,
       "yield sleeps to the deadline");
    is_int(ready, 0, "no device ready");
}

/* ---- Socket stack
 * ------------------------------------------------------------------ */

struct server {
    struct mote_listener *l;
    size_t bytes;
    struct mote_endpoint peer;
    int err;
};

/* Accept one connection and echo it until end of stream. */
static void echo_once(void *arg)
{
    struct server *s = arg;
    struct mote_flow *f;
    s->err = mote_tcp_accept(s->l, mote_deadline_in(5 * MOTE_NS_PER_SEC), &f,
                             &s->peer);
    if (s->err)
        return;
    static char buf[65536];
    for (;;) {
        size_t n;
        s->err = mote_flow_read(f, buf, sizeof(buf), &n);
        if (s->err || n == 0)
            break;
        s->err = mote_flow_write(f, buf, n);
        if (s->err)
            break;
        s->bytes += n;
    }
    mote_flow_shutdown(f);
    mote_flow_close(f);
}

struct bulk {
    struct mote_flow *f;
    size_t size;
    int err;
};

static uint8_t pattern_byte(size_t i)
{
    return (uint8_t)((i * 2654435761u) >> 13);
}

static void bulk_writer(void *arg)
{
    struct bulk *b = arg;
    uint8_t chunk[50000];
    for (size_t off = 0; off < b->size && !b->err;) {
        size_t n =
            b->size - off < sizeof(chunk) ? b->size - off : sizeof(chunk);
        for (size_t i = 0; i < n; i++)
            chunk[i] = pattern_byte(off + i);
        b->err = mote_flow_write(b->f, chunk, n);
        off += n;
    }
    mote_flow_shutdown(b->f);
}

static void tcp_roundtrip(const char *listen_at, const char *connect_to,
                          int want_family)
{
    struct mote_stack *st = mote_stack_default();
    struct mote_endpoint le, ce;
    mote_endpoint_parse(listen_at, strlen(listen_at), &le);
    mote_endpoint_parse(connect_to, strlen(connect_to), &ce);
    struct server s = {0};
    int err = mote_tcp_listen(st, &le, 0, &s.l);
    is_int(err, 0, "listen on %s", listen_at);
    if (err)
        return;
    struct mote_endpoint bound;
    mote_listener_local(s.l, &bound);
    ok(bound.port != 0, "port chosen");
    ce.port = bound.port;
    struct mote_fiber *sf;
    mote_fiber_spawn(echo_once, &s, 0, &sf);
    struct mote_flow *f;
    err = mote_tcp_connect(st, &ce, mote_deadline_in(5 * MOTE_NS_PER_SEC), &f);
    is_int(err, 0, "connect to %s", connect_to);
    if (err) {
        mote_fiber_cancel(sf);
        mote_fiber_join(sf);
        mote_listener_close(s.l);
        return;
    }
    /* 8 MB each way, written and read concurrently so both directions
     * fill their socket buffers and exercise the EAGAIN paths. */
    struct bulk b = {f, 8u << 20, 0};
    struct mote_fiber *wf;
    mote_fiber_spawn(bulk_writer, &b, 0, &wf);
    static uint8_t buf[70000];
    size_t got = 0;
    int same = 1;
    for (;;) {
        size_t n;
        err = mote_flow_read(f, buf, sizeof(buf), &n);
        if (err || n == 0)
            break;
        for (size_t i = 0; i < n; i++)
            same &= buf[i] == pattern_byte(got + i);
        got += n;
    }
    mote_fiber_join(wf);
    mote_fiber_join(sf);
    is_int(err, 0, "read to end of stream");
    is_int(b.err, 0, "writer finished");
    is_int(got, b.size, "all bytes came back");
    ok(same, "bytes intact");
    is_int(s.err, 0, "server saw no error");
    is_int(s.peer.addr.family, want_family, "peer family as connected");
    mote_flow_close(f);
    mote_listener_close(s.l);
}

static void test_tcp_v4(void)
{
    tcp_roundtrip("127.0.0.1:0", "127.0.0.1:1", MOTE_IP_V4);
}

static void test_tcp_v6(void)
{
    tcp_roundtrip("[::1]:0", "[::1]:1", MOTE_IP_V6);
}

static void test_tcp_dual_stack(void)
{
    tcp_roundtrip("*:0", "127.0.0.1:1", MOTE_IP_V4);
    tcp_roundtrip("*:0", "[::1]:1", MOTE_IP_V6);
}

static void test_tcp_errors(void)
{
    struct mote_stack *st = mote_stack_default();
    struct mote_endpoint e;
    mote_endpoint_parse("127.0.0.1:0", 11, &e);
    struct mote_listener *l, *l2;
    mote_tcp_listen(st, &e, 0, &l);
    mote_listener_local(l, &e);
    is_int(mote_tcp_listen(st, &e, 0, &l2), MOTE_EADDRINUSE, "port in use");

    struct mote_flow *f;
    is_int(mote_tcp_accept(l, mote_deadline_in(MOTE_NS_PER_MS), &f, NULL),
           MOTE_ETIMEDOUT, "accept deadline");
    mote_listener_close(l);
    is_int(mote_tcp_connect(st, &e, mote_deadline_in(MOTE_NS_PER_SEC), &f),
           MOTE_ECONNREFUSED, "closed port refuses");

    struct mote_endpoint bad = e;
    bad.port = 0;
    is_int(mote_tcp_connect(st, &bad, MOTE_FOREVER, &f), MOTE_EINVAL, "port 0");
    mote_endpoint_parse("192.0.2.1:80", 12, &bad); /* TEST-NET, no route */
    mote_endpoint_parse("[fe80::1%nosuchif0]:80", 22, &bad);
    is_int(mote_tcp_connect(st, &bad, MOTE_FOREVER, &f), MOTE_EADDRNOTAVAIL,
           "unknown zone");
    mote_endpoint_parse("203.0.113.9:80", 14, &bad);
    is_int(mote_tcp_listen(st, &bad, 0, &l2), MOTE_EADDRNOTAVAIL,
           "listen on an address we do not have");
}

struct reader {
    struct mote_flow *f;
    int err;
};

static void blocked_reader(void *arg)
{
    struct reader *r = arg;
    char c;
    size_t n;
    r->err = mote_flow_read(r->f, &c, 1, &n);
}

static void test_flow_deadline_cancel(void)
{
    struct mote_stack *st = mote_stack_default();
    struct mote_endpoint e;
    mote_endpoint_parse("127.0.0.1:0", 11, &e);
    struct mote_listener *l;
    mote_tcp_listen(st, &e, 0, &l);
    mote_listener_local(l, &e);
    struct mote_flow *c, *a;
    mote_tcp_connect(st, &e, MOTE_FOREVER, &c);
    mote_tcp_accept(l, MOTE_FOREVER, &a, NULL);

    mote_flow_set_deadlines(a, mote_deadline_in(2 * MOTE_NS_PER_MS),
                            MOTE_FOREVER);
    char buf[4];
    size_t n;
    is_int(mote_flow_read(a, buf, 4, &n), MOTE_ETIMEDOUT, "read deadline");
    mote_flow_set_deadlines(a, MOTE_FOREVER, MOTE_FOREVER);
    mote_flow_write(c, "ok", 2);
    ok(mote_flow_read(a, buf, 4, &n) == 0 && n == 2,
       "flow usable after a timeout");

    struct reader r = {a, 1};
    struct mote_fiber *rf;
    mote_fiber_spawn(blocked_reader, &r, 0, &rf);
    mote_fiber_yield();
    mote_fiber_cancel(rf);
    mote_fiber_join(rf);
    is_int(r.err, MOTE_ECANCELED, "cancelled read returns ECANCELED");

    /* Peer closes: read sees end of stream, write eventually EPIPE/RESET. */
    mote_flow_close(c);
    ok(mote_flow_read(a, buf, 4, &n) == 0 && n == 0, "end of stream");
    int err = 0;
    for (int i = 0; i < 100 && !err; i++)
        err = mote_flow_write(a, "xxxx", 4);
    ok(err == MOTE_EPIPE || err == MOTE_ECONNRESET,
       "write to a closed peer fails (%s)", mote_errname(err));
    mote_flow_close(a);
    mote_listener_close(l);
}

static void udp_pair(const char *bind_a, const char *to_b)
{
    struct mote_stack *st = mote_stack_default();
    struct mote_endpoint ea, eb;
    mote_endpoint_parse(bind_a, strlen(bind_a), &ea);
    mote_endpoint_parse(to_b, strlen(to_b), &eb);
    struct mote_udp *a, *b;
    is_int(mote_udp_open(st, &ea, &a), 0, "udp open %s", bind_a);
    struct mote_endpoint eb_bind = eb;
    eb_bind.port = 0;
    is_int(mote_udp_open(st, &eb_bind, &b), 0, "udp open %s", to_b);
    struct mote_endpoint la, lb;
    mote_udp_local(a, &la);
    mote_udp_local(b, &lb);
    eb.port = lb.port;
    is_int(mote_udp_sendto(a, "ping", 4, &eb), 0, "sendto");
    char buf[2];
    size_t n;
    struct mote_endpoint from;
    is_int(mote_udp_recvfrom(b, buf, sizeof(buf), &n, &from,
                             mote_deadline_in(MOTE_NS_PER_SEC)),
           0, "recvfrom");
    ok(n == 2 && memcmp(buf, "pi", 2) == 0, "long datagram truncated");
    ok(from.port == la.port && from.addr.family == eb.addr.family,
       "source endpoint reported");
    is_int(mote_udp_sendto(b, "pong", 4, &from), 0, "reply to source");
    char buf2[8];
    ok(mote_udp_recvfrom(a, buf2, sizeof(buf2), &n, NULL,
                         mote_deadline_in(MOTE_NS_PER_SEC)) == 0 &&
           n == 4,
       "reply arrives");
    is_int(mote_udp_recvfrom(a, buf2, sizeof(buf2), &n, NULL,
                             mote_deadline_in(MOTE_NS_PER_MS)),
           MOTE_ETIMEDOUT, "recvfrom deadline");
    mote_udp_close(a);
    mote_udp_close(b);
}

static void test_udp(void)
{
    udp_pair("127.0.0.1:0", "127.0.0.1:1");
    udp_pair("[::1]:0", "[::1]:1");
    udp_pair("*:0", "127.0.0.1:1");
}

/* ---- Parked fiber stacks ---------------------------------------------- */

#if !defined(__SANITIZE_ADDRESS__)
/* A fiber that has touched DEEP bytes of stack, then waits. */
#define DEEP (96 * 1024)
static struct mote_waitq park_q = MOTE_WAITQ_INIT;
/* Addresses only: the deepest byte it touched, and its frame. */
static uintptr_t park_low, park_high;
static int park_wanted, park_intact;

static __attribute__((noinline)) void dig(void)
{
    volatile uint8_t deep[DEEP];
    for (size_t i = 0; i < DEEP; i += 512)
        deep[i] = (uint8_t)i;
    park_low = (uintptr_t)deep;
}

static void parker(void *arg)
{
    (void)arg;
    /* A pattern in this frame that must survive the park. */
    volatile uint64_t mark[64];
    for (int i = 0; i < 64; i++)
        mark[i] = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
    park_high = (uintptr_t)mark;
    dig();
    if (park_wanted)
        mote_fiber_park_stack();
    mote_wait(&park_q, MOTE_FOREVER);
    park_intact = 1;
    for (int i = 0; i < 64; i++)
        if (mark[i] != 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1))
            park_intact = 0;
    dig(); /* the released pages come back */
}

/* Resident pages of the parker's stack between what dig() touched and
 * its own frame. */
static size_t resident_pages(void)
{
    uintptr_t lo = park_low & ~(uintptr_t)4095;
    uintptr_t hi = (park_high + 4095) & ~(uintptr_t)4095;
    unsigned char vec[64];
    size_t n = (hi - lo) / 4096;
    if (n > sizeof(vec))
        n = sizeof(vec);
    if (mincore((void *)lo, n * 4096, vec) < 0)
        return SIZE_MAX;
    size_t r = 0;
    for (size_t i = 0; i < n; i++)
        r += vec[i] & 1;
    return r;
}

static size_t park_run(int wanted, size_t *after_wake)
{
    park_wanted = wanted;
    park_intact = 0;
    struct mote_fiber *f;
    mote_fiber_spawn(parker, NULL, 256 * 1024, &f);
    while (mote_waitq_empty(&park_q))
        mote_fiber_yield();
    mote_fiber_yield(); /* let the scheduler park it */
    size_t r = resident_pages();
    struct mote_sched_stats st;
    mote_sched_stats(&st);
    is_int(st.parked, wanted ? 1 : 0, "%s: stats count it",
           wanted ? "parked" : "not parked");
    mote_wake_one(&park_q);
    mote_fiber_join(f);
    *after_wake = resident_pages();
    mote_sched_stats(&st);
    is_int(st.parked, 0, "stats: none parked after the wake");
    ok(park_intact, "%s: its frame is intact after the wait",
       wanted ? "parked" : "not parked");
    return r;
}

static void park_sleeper(void *arg)
{
    (void)arg;
    mote_fiber_park_stack();
    mote_sleep_until(MOTE_FOREVER); /* its queue is on this stack */
}

#endif

static void test_stack_park(void)
{
#if defined(__SANITIZE_ADDRESS__)
    printf("# parking is off under AddressSanitizer\n");
#else
    size_t woke;
    /* Control: without parking the touched pages stay resident, so the
     * measurement can see them. */
    size_t kept = park_run(0, &woke);
    ok(kept >= DEEP / 4096 - 1, "not parked: %zu pages resident", kept);
    size_t parked = park_run(1, &woke);
    ok(parked <= 1, "parked: %zu of %zu pages resident", parked, kept);
    ok(woke >= DEEP / 4096 - 1, "after the wake the stack grows again (%zu)",
       woke);
    /* A parked fiber on a wait queue in its own frame, ended by
     * cancellation (unpark happens before the queue is touched). */
    struct mote_fiber *f;
    mote_fiber_spawn(park_sleeper, NULL, 0, &f);
    mote_fiber_yield();
    mote_fiber_yield();
    mote_fiber_cancel(f);
    mote_fiber_join(f);
    ok(1, "cancelled while parked on a queue in its own frame");
#endif
    is_int(mote_platform_stack_release((void *)4096, 0), 0,
           "releasing nothing is fine");
}

/* ---- Signals ------------------------------------------------------------ */

static void test_signal(void)
{
    mote_handle h;
    is_int(mote_platform_signal_acquire(MOTE_SIGNAL_NONE, &h), MOTE_EINVAL,
           "no such signal");
    is_int(mote_platform_signal_acquire(MOTE_SIGNAL_HUP, &h), 0, "acquire HUP");
    mote_handle h2;
    is_int(mote_platform_signal_acquire(MOTE_SIGNAL_HUP, &h2), MOTE_EBUSY,
           "second acquire is EBUSY");
    uint64_t n = 99;
    is_int(mote_platform_signal_read(h, &n), MOTE_EAGAIN, "nothing yet");
    is_int(n, 0, "count 0");
    is_int(mote_wait_device(h, mote_deadline_in(MOTE_NS_PER_MS)),
           MOTE_ETIMEDOUT, "no event without a signal");
    /* Delivered as an event, not as the default action (which would end
     * this process). */
    kill(getpid(), SIGHUP);
    kill(getpid(), SIGHUP);
    is_int(mote_wait_device(h, mote_deadline_in(10 * MOTE_NS_PER_SEC)), 0,
           "the signal wakes a waiting fiber");
    is_int(mote_platform_signal_read(h, &n), 0, "read it");
    ok(n >= 1 && n <= 2, "count %llu (same signals may merge)",
       (unsigned long long)n);
    is_int(mote_platform_signal_read(h, &n), MOTE_EAGAIN, "drained");
    mote_platform_signal_release(h);
    /* Released: back to the default action, checked in a child. */
    pid_t pid = fork();
    if (pid == 0) {
        kill(getpid(), SIGHUP);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGHUP,
       "after release the signal has its default action");
    is_int(mote_platform_signal_acquire(MOTE_SIGNAL_HUP, &h), 0,
           "acquire again after release");
    mote_platform_signal_release(h);
}

int mote_main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_block);
    TAP_CASE(test_net_names);
    TAP_CASE(test_net_tap);
    TAP_CASE(test_entropy_clock);
    TAP_CASE(test_tcp_v4);
    TAP_CASE(test_tcp_v6);
    TAP_CASE(test_tcp_dual_stack);
    TAP_CASE(test_tcp_errors);
    TAP_CASE(test_flow_deadline_cancel);
    TAP_CASE(test_udp);
    TAP_CASE(test_stack_park);
    TAP_CASE(test_signal);
    return tap_done();
}

/* The socket stack: mote_stack over the host's TCP/UDP sockets. */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h> /* (linux/errqueue.h needs struct timespec) */
#include <linux/errqueue.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mote/core.h>
#include <mote/error.h>
#include <mote/stack.h>

#include "unix_int.h"

/*
 * Every socket is non-blocking and registered once, edge-triggered, for
 * both directions. Each side keeps a "ready" flag: set by the epoll
 * callback, cleared when the kernel says EAGAIN (or, for TCP reads, when a
 * read comes back short, which means the receive queue was drained; any
 * data arriving after that raises a new edge, but a FIN that already
 * arrived does not, hence the hup flag). A fiber only sleeps when its
 * flag is clear, so a busy connection costs one read and one write per
 * exchange and no epoll_ctl calls at all.
 */

struct sock {
    int fd;
    bool readable, writable;
    bool hup; /* the peer shut down or the socket failed: never wait again */
    struct mote_waitq readers, writers;
    struct unix_watch watch;
};

struct sock_flow {
    struct mote_flow flow;
    struct sock s;
};

struct sock_listener {
    struct mote_listener l;
    struct sock s;
};

struct sock_udp {
    struct mote_udp u;
    struct sock s;
    bool dual;    /* an AF_INET6 socket that also carries IPv4 */
    int soft_err; /* the last ICMP error (IP_RECVERR), for take_error */
    struct mote_endpoint err_about;
};

static void sock_event(struct unix_watch *w, uint32_t events)
{
    struct sock *s = (struct sock *)((char *)w - offsetof(struct sock, watch));
    if (events & (EPOLLERR | EPOLLHUP | EPOLLRDHUP))
        s->hup = true;
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) {
        s->readable = true;
        mote_wake_all(&s->readers);
    }
    if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
        s->writable = true;
        mote_wake_all(&s->writers);
    }
}

static int sock_init(struct sock *s, int fd)
{
    memset(s, 0, sizeof(*s));
    s->fd = fd;
    s->watch.cb = sock_event;
    /* Assume ready until the kernel says otherwise: saves a sleep on a
     * socket that already has data. */
    s->readable = s->writable = true;
    return unix__watch(fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                       &s->watch);
}

/* ---- Addresses ---------------------------------------------------------- */

static int to_sockaddr(const struct mote_endpoint *e, bool dual,
                       struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof(*ss));
    struct mote_ipaddr a = e->addr;
    if (a.family == MOTE_IP_V4 && dual)
        a = mote_ipaddr_v4_to_mapped(&e->addr);
    if (a.family == MOTE_IP_V4) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(e->port);
        memcpy(&sin->sin_addr, a.bytes, 4);
        *len = sizeof(*sin);
        return 0;
    }
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(e->port);
    if (a.family == MOTE_IP_V6)
        memcpy(&sin6->sin6_addr, a.bytes, 16);
    if (a.zone[0]) {
        char *end;
        unsigned long idx = strtoul(a.zone, &end, 10);
        if (*end)
            idx = if_nametoindex(a.zone);
        if (idx == 0 || idx > UINT32_MAX)
            return MOTE_EADDRNOTAVAIL; /* no interface by that name */
        sin6->sin6_scope_id = (uint32_t)idx;
    }
    *len = sizeof(*sin6);
    return 0;
}

static void from_sockaddr(const struct sockaddr_storage *ss,
                          struct mote_endpoint *e)
{
    memset(e, 0, sizeof(*e));
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
        e->addr = mote_ipaddr_from_v4_bytes((const uint8_t *)&sin->sin_addr);
        e->port = ntohs(sin->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
        struct mote_ipaddr a =
            mote_ipaddr_from_v6_bytes((const uint8_t *)&sin6->sin6_addr);
        /* A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d;
         * callers see them as the IPv4 addresses they are. */
        if (!mote_ipaddr_mapped_to_v4(&a, &e->addr)) {
            e->addr = a;
            if (sin6->sin6_scope_id) {
                char name[IF_NAMESIZE];
                if (if_indextoname(sin6->sin6_scope_id, name) &&
                    strlen(name) < sizeof(e->addr.zone))
                    strcpy(e->addr.zone, name);
            }
        }
        e->port = ntohs(sin6->sin6_port);
    }
}

/* Create a socket for local (family NONE: dual-stack IPv6, or IPv4 if the
 * host has no IPv6) and bind it. */
static int open_bound(const struct mote_endpoint *local, int type, int *fdp,
                      bool *dualp)
{
    bool dual = local->addr.family == MOTE_IP_NONE;
    int domain = local->addr.family == MOTE_IP_V4 ? AF_INET : AF_INET6;
    int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 && dual && errno == EAFNOSUPPORT) {
        dual = false;
        domain = AF_INET;
        fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    }
    if (fd < 0)
        return unix__error(errno);
    int one = 1, zero = 0, err = 0;
    if (type == SOCK_STREAM)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (domain == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, dual ? &zero : &one,
                   sizeof(one));
    struct mote_endpoint e = *local;
    if (!dual && e.addr.family == MOTE_IP_NONE)
        e.addr = mote_ipaddr_any_v4();
    struct sockaddr_storage ss;
    socklen_t len;
    err = to_sockaddr(&e, false, &ss, &len);
    if (!err && bind(fd, (struct sockaddr *)&ss, len) < 0)
        err = unix__error(errno);
    if (err) {
        close(fd);
        return err;
    }
    *fdp = fd;
    *dualp = dual;
    return 0;
}

/* ---- Flows ------------------------------------------------------------------
 */

static int flow_read(struct mote_flow *f, void *buf, size_t size, size_t *n)
{
    struct sock_flow *sf = (struct sock_flow *)f;
    struct sock *s = &sf->s;
    for (;;) {
        if (!s->readable) {
            int err = mote_wait(&s->readers, f->read_deadline);
            if (err)
                return err;
            continue;
        }
        ssize_t k = recv(s->fd, buf, size, 0);
        if (k >= 0) {
            /* After the peer's FIN no further edge will come, so the end
             * of stream must be read without waiting. */
            if ((size_t)k < size && !s->hup)
                s->readable = false;
            *n = (size_t)k;
            return 0;
        }
        if (errno == EAGAIN) {
            s->readable = false;
            continue;
        }
        if (errno != EINTR)
            return unix__error(errno);
    }
}

static int send_all(struct mote_flow *f, const void *buf, size_t size,
                    int flags)
{
    struct sock_flow *sf = (struct sock_flow *)f;
    struct sock *s = &sf->s;
    const char *p = buf;
    while (size > 0) {
        if (!s->writable) {
            int err = mote_wait(&s->writers, f->write_deadline);
            if (err)
                return err;
            continue;
        }
        ssize_t k = send(s->fd, p, size, MSG_NOSIGNAL | flags);
        if (k >= 0) {
            p += k;
            size -= (size_t)k;
            if (size > 0)
                s->writable = false;
            continue;
        }
        if (errno == EAGAIN)
            s->writable = false;
        else if (errno != EINTR)
            return unix__error(errno);
    }
    return 0;
}

static int flow_write(struct mote_flow *f, const void *buf, size_t size)
{
    return send_all(f, buf, size, 0);
}

/* The prefix goes with MSG_MORE so that it leaves in the same segments as
 * the start of the file (as nginx's tcp_nopush), then sendfile(2) hands
 * the file's pages to the socket without a copy through user space. */
int unix__flow_sendfile(struct mote_flow *f, const void *prefix, size_t plen,
                        int fd, uint64_t off, uint64_t size)
{
    struct sock_flow *sf = (struct sock_flow *)f;
    struct sock *s = &sf->s;
    int err = send_all(f, prefix, plen, size ? MSG_MORE : 0);
    while (!err && size > 0) {
        if (!s->writable) {
            err = mote_wait(&s->writers, f->write_deadline);
            continue;
        }
        if (off > (uint64_t)INT64_MAX)
            return MOTE_EIO;
        off_t o = (off_t)off;
        size_t want = size > (1u << 30) ? (1u << 30) : (size_t)size;
        ssize_t k = sendfile(s->fd, fd, &o, want);
        if (k > 0) {
            /* A short count may mean a full socket buffer or a file that
             * ends early: the next call tells (EAGAIN or 0). */
            off += (uint64_t)k;
            size -= (uint64_t)k;
        } else if (k == 0) {
            return MOTE_EIO; /* the file ends before off + size */
        } else if (errno == EAGAIN) {
            s->writable = false;
        } else if (errno != EINTR) {
            return errno == EPIPE || errno == ECONNRESET ? unix__error(errno)
                                                         : MOTE_EIO;
        }
    }
    return err;
}

static int flow_shutdown(struct mote_flow *f)
{
    struct sock_flow *sf = (struct sock_flow *)f;
    if (shutdown(sf->s.fd, SHUT_WR) < 0)
        return unix__error(errno);
    return 0;
}

static void flow_close(struct mote_flow *f)
{
    struct sock_flow *sf = (struct sock_flow *)f;
    close(sf->s.fd);
    free(sf);
}

static const struct mote_flow_ops flow_ops = {
    .read = flow_read,
    .write = flow_write,
    .shutdown = flow_shutdown,
    .close = flow_close,
};

bool unix__is_sock_flow(const struct mote_flow *f)
{
    return f->ops == &flow_ops;
}

static int flow_new(int fd, struct mote_flow **out)
{
    struct sock_flow *sf = malloc(sizeof(*sf));
    if (!sf) {
        close(fd);
        return MOTE_ENOMEM;
    }
    int err = sock_init(&sf->s, fd);
    if (err) {
        close(fd);
        free(sf);
        return err;
    }
    /* Flows are written whole messages at a time; Nagle would only add a
     * round trip of delay to each small reply. */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sf->flow.ops = &flow_ops;
    sf->flow.read_deadline = sf->flow.write_deadline = MOTE_FOREVER;
    *out = &sf->flow;
    return 0;
}

/* ---- Listeners
 * ----------------------------------------------------------------- */

static int listener_accept(struct mote_listener *l, uint64_t deadline,
                           struct mote_flow **out, struct mote_endpoint *peer)
{
    struct sock_listener *sl = (struct sock_listener *)l;
    struct sock *s = &sl->s;
    for (;;) {
        if (!s->readable) {
            int err = mote_wait(&s->readers, deadline);
            if (err)
                return err;
            continue;
        }
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        int fd = accept4(s->fd, (struct sockaddr *)&ss, &len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            if (peer)
                from_sockaddr(&ss, peer);
            return flow_new(fd, out);
        }
        switch (errno) {
        case EAGAIN:
            s->readable = false;
            break;
        case EINTR:
        case ECONNABORTED: /* the peer gave up while queued: next one */
            break;
        default:
            return unix__error(errno);
        }
    }
}

static int sock_local(const struct sock *s, struct mote_endpoint *out)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(s->fd, (struct sockaddr *)&ss, &len) < 0)
        return unix__error(errno);
    from_sockaddr(&ss, out);
    return 0;
}

static int listener_local(struct mote_listener *l, struct mote_endpoint *out)
{
    return sock_local(&((struct sock_listener *)l)->s, out);
}

static void listener_close(struct mote_listener *l)
{
    struct sock_listener *sl = (struct sock_listener *)l;
    close(sl->s.fd);
    free(sl);
}

static const struct mote_listener_ops listener_ops = {
    .accept = listener_accept,
    .local = listener_local,
    .close = listener_close,
};

static int stack_tcp_listen(struct mote_stack *st,
                            const struct mote_endpoint *local, int backlog,
                            struct mote_listener **out)
{
    (void)st;
    int fd;
    bool dual;
    int err = open_bound(local, SOCK_STREAM, &fd, &dual);
    if (err)
        return err;
    if (listen(fd, backlog) < 0) {
        err = unix__error(errno);
        close(fd);
        return err;
    }
    struct sock_listener *sl = malloc(sizeof(*sl));
    if (!sl) {
        close(fd);
        return MOTE_ENOMEM;
    }
    err = sock_init(&sl->s, fd);
    if (err) {
        close(fd);
        free(sl);
        return err;
    }
    sl->l.ops = &listener_ops;
    *out = &sl->l;
    return 0;
}

static int stack_tcp_connect(struct mote_stack *st,
                             const struct mote_endpoint *remote,
                             uint64_t deadline, struct mote_flow **out)
{
    (void)st;
    struct sockaddr_storage ss;
    socklen_t len;
    int err = to_sockaddr(remote, false, &ss, &len);
    if (err)
        return err;
    int fd =
        socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return unix__error(errno);
    struct mote_flow *f;
    err = flow_new(fd, &f);
    if (err)
        return err;
    struct sock *s = &((struct sock_flow *)f)->s;
    if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
        if (errno != EINPROGRESS) {
            err = unix__error(errno);
            goto fail;
        }
        /* Writable means the handshake finished, one way or the other. */
        s->writable = false;
        while (!s->writable) {
            err = mote_wait(&s->writers, deadline);
            if (err)
                goto fail;
        }
        int soerr = 0;
        socklen_t sl = sizeof(soerr);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
        if (soerr) {
            err = unix__error(soerr);
            goto fail;
        }
    }
    *out = f;
    return 0;
fail:
    flow_close(f);
    return err;
}

/* ---- UDP
 * ------------------------------------------------------------------------- */

/* ICMP errors about datagrams we sent: the socket asks for them
 * (IP_RECVERR, IPV6_RECVERR), the kernel queues them with the destination
 * the datagram went to and sets the socket's error, which would fail the
 * next send or receive. Move them all into soft_err (the last one wins, as
 * on the direct stack) and clear the socket's error. True if there was
 * one. */
static bool udp_take_icmp(struct sock_udp *su)
{
    bool got = false;
    for (;;) {
        struct sockaddr_storage ss;
        union {
            struct cmsghdr align;
            char buf[256];
        } ctl;
        struct msghdr m;
        memset(&m, 0, sizeof(m));
        memset(&ss, 0, sizeof(ss));
        m.msg_name = &ss;
        m.msg_namelen = sizeof(ss);
        m.msg_control = ctl.buf;
        m.msg_controllen = sizeof(ctl.buf);
        if (recvmsg(su->s.fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
            break;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
            if (!((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
                  (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)))
                continue;
            struct sock_extended_err ee;
            memcpy(&ee, CMSG_DATA(c), sizeof(ee));
            if (ee.ee_origin != SO_EE_ORIGIN_ICMP &&
                ee.ee_origin != SO_EE_ORIGIN_ICMP6)
                continue;
            su->soft_err = unix__error((int)ee.ee_errno);
            from_sockaddr(&ss, &su->err_about);
            got = true;
        }
    }
    int e = 0;
    socklen_t sl = sizeof(e);
    if (getsockopt(su->s.fd, SOL_SOCKET, SO_ERROR, &e, &sl) == 0 && e && !got) {
        su->soft_err = unix__error(e); /* no queued detail: no endpoint */
        memset(&su->err_about, 0, sizeof(su->err_about));
        got = true;
    }
    return got;
}

static int udp_take_error(struct mote_udp *u, struct mote_endpoint *about)
{
    struct sock_udp *su = (struct sock_udp *)u;
    udp_take_icmp(su);
    int err = su->soft_err;
    if (err && about)
        *about = su->err_about;
    su->soft_err = 0;
    return err;
}

static int udp_sendto(struct mote_udp *u, const void *buf, size_t size,
                      const struct mote_endpoint *to)
{
    struct sock_udp *su = (struct sock_udp *)u;
    struct sockaddr_storage ss;
    socklen_t len;
    int err = to_sockaddr(to, su->dual, &ss, &len);
    if (err)
        return err;
    for (;;) {
        ssize_t k = sendto(su->s.fd, buf, size, MSG_NOSIGNAL,
                           (struct sockaddr *)&ss, len);
        if (k >= 0)
            return 0;
        if (errno != EINTR && !udp_take_icmp(su))
            return unix__error(errno); /* (an ICMP error: kept, retry) */
    }
}

static int udp_recvfrom(struct mote_udp *u, void *buf, size_t size, size_t *n,
                        struct mote_endpoint *from, uint64_t deadline)
{
    struct sock_udp *su = (struct sock_udp *)u;
    struct sock *s = &su->s;
    for (;;) {
        if (!s->readable) {
            int err = mote_wait(&s->readers, deadline);
            if (err)
                return err;
            continue;
        }
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        ssize_t k = recvfrom(s->fd, buf, size, 0, (struct sockaddr *)&ss, &len);
        if (k >= 0) {
            *n = (size_t)k;
            if (from)
                from_sockaddr(&ss, from);
            return 0;
        }
        if (errno == EAGAIN)
            s->readable = false;
        else if (errno != EINTR && !udp_take_icmp(su))
            return unix__error(errno); /* (an ICMP error: kept, retry) */
    }
}

static int udp_local(struct mote_udp *u, struct mote_endpoint *out)
{
    return sock_local(&((struct sock_udp *)u)->s, out);
}

static void udp_close(struct mote_udp *u)
{
    struct sock_udp *su = (struct sock_udp *)u;
    close(su->s.fd);
    free(su);
}

static const struct mote_udp_ops udp_ops = {
    .sendto = udp_sendto,
    .recvfrom = udp_recvfrom,
    .local = udp_local,
    .close = udp_close,
    .take_error = udp_take_error,
};

static int stack_udp_open(struct mote_stack *st,
                          const struct mote_endpoint *local,
                          struct mote_udp **out)
{
    (void)st;
    int fd;
    bool dual;
    int err = open_bound(local, SOCK_DGRAM, &fd, &dual);
    if (err)
        return err;
    struct sock_udp *su = malloc(sizeof(*su));
    if (!su) {
        close(fd);
        return MOTE_ENOMEM;
    }
    err = sock_init(&su->s, fd);
    if (err) {
        close(fd);
        free(su);
        return err;
    }
    su->u.ops = &udp_ops;
    su->dual = dual;
    su->soft_err = 0;
    /* ICMP errors for take_error (both levels on a dual-stack socket) */
    int one = 1;
    setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof(one));
    setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof(one));
    *out = &su->u;
    return 0;
}

static const struct mote_stack_ops socket_stack_ops = {
    .tcp_listen = stack_tcp_listen,
    .tcp_connect = stack_tcp_connect,
    .udp_open = stack_udp_open,
};

static struct mote_stack socket_stack = {
    .ops = &socket_stack_ops,
    .name = "socket",
};

struct mote_stack *mote_stack_default(void)
{
    /* --net=direct picks the direct stack (netselect.c). */
    struct mote_stack *direct = unix__stack_select();
    return direct ? direct : &socket_stack;
}

/* Benchmark peer: a plain single-threaded epoll TCP echo server. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * What a careful C programmer writes without a framework, as the yardstick
 * for apps/echo on the socket stack:
 *
 * - one thread, one epoll set, non-blocking sockets, TCP_NODELAY (as the
 *   socket stack sets on every flow), a 16 KiB buffer (as apps/echo);
 * - level-triggered: a readable socket gets one recv() per wake-up and the
 *   bytes are written straight back; no read-until-EAGAIN, so a ping-pong
 *   exchange costs one recv and one send (apps/echo's socket stack gets the
 *   same by treating a short read as "drained");
 * - if the kernel takes only part of a write, the rest is kept, reading
 *   stops and the socket waits for EPOLLOUT (back-pressure, as a blocked
 *   mote_flow_write gives).
 *
 * usage: peer_epoll_echo PORT      (listens on 127.0.0.1:PORT until killed)
 */

#define BUF_SIZE   16384
#define MAX_EVENTS 256

struct conn {
    int fd;
    size_t pending, off; /* unsent bytes of buf: [off, off + pending) */
    char buf[BUF_SIZE];
};

static int ep;

static void drop(struct conn *c)
{
    close(c->fd); /* also removes it from the epoll set */
    free(c);
}

static void set_events(struct conn *c, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
        perror("peer_epoll_echo: epoll_ctl");
        exit(1);
    }
}

/* Write what is pending; false if the connection is dead. */
static int flush(struct conn *c)
{
    while (c->pending > 0) {
        ssize_t k = send(c->fd, c->buf + c->off, c->pending, MSG_NOSIGNAL);
        if (k > 0) {
            c->off += (size_t)k;
            c->pending -= (size_t)k;
            continue;
        }
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && errno == EAGAIN)
            return 1;
        return 0;
    }
    return 1;
}

static void on_conn(struct conn *c, uint32_t events)
{
    if (c->pending > 0) {
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
            return;
        if (!flush(c)) {
            drop(c);
            return;
        }
        if (c->pending == 0)
            set_events(c, EPOLLIN);
        return;
    }
    ssize_t n = recv(c->fd, c->buf, sizeof(c->buf), 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        drop(c);
        return;
    }
    if (n < 0)
        return;
    c->off = 0;
    c->pending = (size_t)n;
    if (!flush(c)) {
        drop(c);
        return;
    }
    if (c->pending > 0)
        set_events(c, EPOLLOUT);
}

static void on_listener(int lfd)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == ECONNABORTED || errno == EINTR)
                return;
            perror("peer_epoll_echo: accept4");
            return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        struct conn *c = malloc(sizeof(*c));
        if (!c) {
            close(fd);
            continue;
        }
        c->fd = fd;
        c->pending = c->off = 0;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
            drop(c);
            continue;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: peer_epoll_echo PORT\n", stderr);
        return 2;
    }
    int port = atoi(argv[1]);
    if (port <= 0 || port > 65535) {
        fprintf(stderr, "peer_epoll_echo: bad port '%s'\n", argv[1]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd < 0) {
        perror("peer_epoll_echo: socket");
        return 1;
    }
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
        listen(lfd, 1024) < 0) {
        perror("peer_epoll_echo: bind/listen");
        return 1;
    }
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) {
        perror("peer_epoll_echo: epoll_create1");
        return 1;
    }
    /* The listener is told apart from connections by a NULL data.ptr. */
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev) < 0) {
        perror("peer_epoll_echo: epoll_ctl");
        return 1;
    }
    struct epoll_event evs[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(ep, evs, MAX_EVENTS, -1);
        if (n < 0 && errno != EINTR) {
            perror("peer_epoll_echo: epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == NULL)
                on_listener(lfd);
            else
                on_conn(evs[i].data.ptr, evs[i].events);
        }
    }
}

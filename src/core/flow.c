/* mote_flow and mote_stack: the dispatching wrappers every caller uses. */
#include <mote/core.h>
#include <mote/error.h>
#include <mote/flow.h>
#include <mote/stack.h>

int mote_flow_read(struct mote_flow *f, void *buf, size_t size, size_t *n)
{
    *n = 0;
    if (mote_fiber_cancelled())
        return MOTE_ECANCELED;
    return f->ops->read(f, buf, size, n);
}

int mote_flow_write(struct mote_flow *f, const void *buf, size_t size)
{
    if (mote_fiber_cancelled())
        return MOTE_ECANCELED;
    return f->ops->write(f, buf, size);
}

int mote_flow_read_full(struct mote_flow *f, void *buf, size_t size, size_t *n)
{
    size_t got = 0;
    int err = 0;
    while (got < size) {
        size_t k;
        err = mote_flow_read(f, (char *)buf + got, size - got, &k);
        if (err)
            break;
        if (k == 0) {
            err = MOTE_EPROTO;
            break;
        }
        got += k;
    }
    if (n)
        *n = got;
    return err;
}

int mote_flow_shutdown(struct mote_flow *f)
{
    return f->ops->shutdown(f);
}

void mote_flow_close(struct mote_flow *f)
{
    f->ops->close(f);
}

void mote_flow_set_deadlines(struct mote_flow *f, uint64_t read_deadline,
                             uint64_t write_deadline)
{
    f->read_deadline = read_deadline;
    f->write_deadline = write_deadline;
}

int mote_tcp_listen(struct mote_stack *s, const struct mote_endpoint *local,
                    int backlog, struct mote_listener **out)
{
    return s->ops->tcp_listen(s, local, backlog > 0 ? backlog : 128, out);
}

int mote_tcp_accept(struct mote_listener *l, uint64_t deadline,
                    struct mote_flow **out, struct mote_endpoint *peer)
{
    if (mote_fiber_cancelled())
        return MOTE_ECANCELED;
    return l->ops->accept(l, deadline, out, peer);
}

int mote_listener_local(struct mote_listener *l, struct mote_endpoint *out)
{
    return l->ops->local(l, out);
}

void mote_listener_close(struct mote_listener *l)
{
    l->ops->close(l);
}

int mote_tcp_connect(struct mote_stack *s, const struct mote_endpoint *remote,
                     uint64_t deadline, struct mote_flow **out)
{
    if (mote_fiber_cancelled())
        return MOTE_ECANCELED;
    if (remote->port == 0 || remote->addr.family == MOTE_IP_NONE ||
        mote_ipaddr_is_unspecified(&remote->addr))
        return MOTE_EINVAL;
    return s->ops->tcp_connect(s, remote, deadline, out);
}

int mote_udp_open(struct mote_stack *s, const struct mote_endpoint *local,
                  struct mote_udp **out)
{
    return s->ops->udp_open(s, local, out);
}

int mote_udp_sendto(struct mote_udp *u, const void *buf, size_t size,
                    const struct mote_endpoint *to)
{
    return u->ops->sendto(u, buf, size, to);
}

int mote_udp_recvfrom(struct mote_udp *u, void *buf, size_t size, size_t *n,
                      struct mote_endpoint *from, uint64_t deadline)
{
    *n = 0;
    if (mote_fiber_cancelled())
        return MOTE_ECANCELED;
    return u->ops->recvfrom(u, buf, size, n, from, deadline);
}

int mote_udp_local(struct mote_udp *u, struct mote_endpoint *out)
{
    return u->ops->local(u, out);
}

void mote_udp_close(struct mote_udp *u)
{
    u->ops->close(u);
}

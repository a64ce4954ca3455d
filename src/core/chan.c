/* Bounded channels of pointers between fibers. */
#include <mote/core.h>
#include <mote/error.h>

void mote_chan_init(struct mote_chan *c, void **slots, size_t cap)
{
    c->slots = slots;
    c->cap = cap;
    c->head = c->len = 0;
    c->closed = false;
    mote_waitq_init(&c->readers);
    mote_waitq_init(&c->writers);
}

int mote_chan_try_send(struct mote_chan *c, void *item)
{
    if (c->closed)
        return MOTE_ECLOSED;
    if (c->len == c->cap)
        return MOTE_EAGAIN;
    c->slots[(c->head + c->len) % c->cap] = item;
    c->len++;
    mote_wake_one(&c->readers);
    return 0;
}

int mote_chan_try_recv(struct mote_chan *c, void **item)
{
    if (c->len == 0)
        return c->closed ? MOTE_ECLOSED : MOTE_EAGAIN;
    *item = c->slots[c->head];
    c->head = (c->head + 1) % c->cap;
    c->len--;
    mote_wake_one(&c->writers);
    return 0;
}

int mote_chan_send(struct mote_chan *c, void *item, uint64_t deadline)
{
    for (;;) {
        int err = mote_chan_try_send(c, item);
        if (err != MOTE_EAGAIN)
            return err;
        err = mote_wait(&c->writers, deadline);
        if (err)
            return err;
    }
}

int mote_chan_recv(struct mote_chan *c, void **item, uint64_t deadline)
{
    for (;;) {
        int err = mote_chan_try_recv(c, item);
        if (err != MOTE_EAGAIN)
            return err;
        err = mote_wait(&c->readers, deadline);
        if (err)
            return err;
    }
}

void mote_chan_close(struct mote_chan *c)
{
    c->closed = true;
    mote_wake_all(&c->readers);
    mote_wake_all(&c->writers);
}

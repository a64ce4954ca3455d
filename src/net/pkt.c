/* Packet buffers with headroom and one refcount rule (see net_int.h). */
#include <stdlib.h>

#include "net_int.h"

struct net_pkt *net__pkt_alloc(struct mote_net *st, size_t len)
{
    (void)st;
    if (len > 65536 + NET_PKT_HEADROOM)
        return NULL;
    /* One allocation: the struct, then the bytes. */
    struct net_pkt *p = malloc(sizeof(*p) + NET_PKT_HEADROOM + len);
    if (!p)
        return NULL;
    p->buf = (uint8_t *)(p + 1);
    p->cap = NET_PKT_HEADROOM + len;
    p->off = NET_PKT_HEADROOM;
    p->len = len;
    p->refs = 1;
    p->next = NULL;
    p->gso_size = 0;
    p->csum_partial = false;
    return p;
}

void net__pkt_ref(struct net_pkt *p)
{
    p->refs++;
}

void net__pkt_free(struct net_pkt *p)
{
    if (p && --p->refs == 0)
        free(p);
}

uint8_t *net__pkt_push(struct net_pkt *p, size_t n)
{
    if (n > p->off)
        return NULL; /* contract: NET_PKT_HEADROOM covers every header */
    p->off -= n;
    p->len += n;
    return p->buf + p->off;
}

/* Neighbour cache for ARP and NDP (RFC 4861 section 7.3), with queues. */
#include <string.h>

#include <mote/error.h>

#include "net_priv.h"

#define MAX_MULTICAST_SOLICIT 3 /* RFC 4861 section 10 */
#define MAX_UNICAST_SOLICIT   3
#define DELAY_FIRST_PROBE     (5 * MOTE_NS_PER_SEC)

static bool same_ip(const struct mote_ipaddr *a, const struct mote_ipaddr *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

struct net_neigh *net__neigh_find(struct mote_net *st,
                                  const struct mote_ipaddr *ip)
{
    for (size_t i = 0; i < st->nneigh; i++)
        if (st->neigh[i].state != NET_NEIGH_FREE &&
            same_ip(&st->neigh[i].ip, ip))
            return &st->neigh[i];
    return NULL;
}

static void drop_pending(struct mote_net *st, struct net_neigh *n)
{
    while (n->pend_head) {
        struct net_pkt *p = n->pend_head;
        n->pend_head = p->next;
        st->stats.drops[MOTE_NET_DROP_NEIGHBOR]++;
        net__pkt_free(p);
    }
    n->pend_tail = NULL;
    n->npend = 0;
}

static void entry_free(struct mote_net *st, struct net_neigh *n)
{
    drop_pending(st, n);
    memset(n, 0, sizeof(*n));
}

static uint16_t ethertype_of(const struct net_neigh *n)
{
    return n->ip.family == MOTE_IP_V4 ? 0x0800 : 0x86dd;
}

static void solicit(struct mote_net *st, struct net_neigh *n,
                    const uint8_t *unicast)
{
    n->probes++;
    n->timer = st->now + st->retrans_time;
    if (n->ip.family == MOTE_IP_V4)
        net__arp_request(st, &n->ip, unicast);
    else
        net__ndp_solicit(st, &n->ip, unicast);
}

/* A slot for a new entry. learnt: the entry comes with its MAC (an ARP
 * packet or NS from the neighbour itself); otherwise it will be solicited.
 *
 * A flood from spoofed on-link sources (a SYN flood: every SYN-ACK needs
 * its source resolved) fills the table with entries that never resolve.
 * So: a neighbour that tells us its MAC may take the slot of the oldest
 * unresolved entry (or else the least recently used one): real neighbours
 * can always be learnt and answered. An entry to be solicited takes a
 * free slot, or an unresolved entry whose first solicitation is a
 * retransmission interval old, or a resolved one idle for IDLE_EVICT;
 * otherwise the packet is dropped. That bounds the solicitations a flood
 * draws to about one table's worth per retransmission interval, and
 * neighbours in use are not pushed out by it. */
#define IDLE_EVICT (5 * MOTE_NS_PER_SEC)

static struct net_neigh *entry_alloc(struct mote_net *st, bool learnt)
{
    struct net_neigh *lru = NULL, *incomplete = NULL;
    for (size_t i = 0; i < st->nneigh; i++) {
        struct net_neigh *n = &st->neigh[i];
        if (n->state == NET_NEIGH_FREE)
            return n;
        if (n->state == NET_NEIGH_INCOMPLETE) {
            if (!incomplete || n->used < incomplete->used)
                incomplete = n;
        } else if (!lru || n->used < lru->used) {
            lru = n;
        }
    }
    struct net_neigh *victim = NULL;
    if (learnt)
        victim = incomplete ? incomplete : lru;
    else if (incomplete && st->now - incomplete->used >= st->retrans_time)
        victim = incomplete;
    else if (lru && st->now - lru->used >= IDLE_EVICT)
        victim = lru;
    if (victim)
        entry_free(st, victim);
    return victim;
}

static void flush(struct mote_net *st, struct net_neigh *n)
{
    while (n->pend_head) {
        struct net_pkt *p = n->pend_head;
        n->pend_head = p->next;
        p->next = NULL;
        net__eth_output(st, n->mac, ethertype_of(n), p);
        net__pkt_free(p);
    }
    n->pend_tail = NULL;
    n->npend = 0;
}

void net__neigh_update(struct mote_net *st, const struct mote_ipaddr *ip,
                       const uint8_t mac[6], bool solicited, bool override,
                       bool create)
{
    struct net_neigh *n = net__neigh_find(st, ip);
    if (!n) {
        if (!create)
            return;
        n = entry_alloc(st, true);
        if (!n)
            return;
        n->ip = *ip;
        n->ip.zone[0] = 0;
        memcpy(n->mac, mac, 6);
        n->state = solicited ? NET_NEIGH_REACHABLE : NET_NEIGH_STALE;
        n->timer = st->now + st->reachable_time;
        n->used = st->now;
        return;
    }
    bool changed = memcmp(n->mac, mac, 6) != 0;
    if (n->state == NET_NEIGH_INCOMPLETE) {
        memcpy(n->mac, mac, 6);
        n->state = solicited ? NET_NEIGH_REACHABLE : NET_NEIGH_STALE;
        n->timer = st->now + st->reachable_time;
        n->probes = 0;
        flush(st, n);
        return;
    }
    /* RFC 4861 section 7.2.5. */
    if (!override && changed) {
        if (n->state == NET_NEIGH_REACHABLE)
            n->state = NET_NEIGH_STALE;
        return;
    }
    if (changed)
        memcpy(n->mac, mac, 6);
    if (solicited) {
        n->state = NET_NEIGH_REACHABLE;
        n->timer = st->now + st->reachable_time;
        n->probes = 0;
    } else if (changed) {
        n->state = NET_NEIGH_STALE;
    }
}

int net__neigh_output(struct mote_net *st, const struct mote_ipaddr *nh,
                      uint16_t ethertype, struct net_pkt *p)
{
    struct net_neigh *n = net__neigh_find(st, nh);
    if (n && n->state != NET_NEIGH_INCOMPLETE) {
        n->used = st->now;
        if (n->state == NET_NEIGH_STALE) {
            n->state = NET_NEIGH_DELAY;
            n->timer = st->now + DELAY_FIRST_PROBE;
        }
        return net__eth_output(st, n->mac, ethertype, p);
    }
    if (!n) {
        n = entry_alloc(st, false);
        if (!n) {
            st->stats.drops[MOTE_NET_DROP_NEIGHBOR]++;
            return MOTE_EAGAIN;
        }
        n->ip = *nh;
        n->ip.zone[0] = 0;
        n->state = NET_NEIGH_INCOMPLETE;
        n->used = st->now;
        solicit(st, n, NULL);
    }
    if (n->npend >= st->cfg.pending_max) {
        st->stats.drops[MOTE_NET_DROP_NEIGHBOR]++;
        return MOTE_EAGAIN;
    }
    /* Copy: the caller's packet is borrowed (net_int.h). */
    struct net_pkt *c = net__pkt_alloc(st, p->len);
    if (!c) {
        st->stats.drops[MOTE_NET_DROP_NOMEM]++;
        return MOTE_ENOMEM;
    }
    memcpy(net__pkt_data(c), net__pkt_data(p), p->len);
    c->gso_size = p->gso_size;
    c->csum_partial = p->csum_partial;
    if (n->pend_tail)
        n->pend_tail->next = c;
    else
        n->pend_head = c;
    n->pend_tail = c;
    n->npend++;
    return 0;
}

void net__neigh_tick(struct mote_net *st)
{
    for (size_t i = 0; i < st->nneigh; i++) {
        struct net_neigh *n = &st->neigh[i];
        if (n->state == NET_NEIGH_FREE || n->timer > st->now)
            continue;
        switch (n->state) {
        case NET_NEIGH_INCOMPLETE:
            if (n->probes >= MAX_MULTICAST_SOLICIT)
                entry_free(st, n);
            else
                solicit(st, n, NULL);
            break;
        case NET_NEIGH_REACHABLE:
            n->state = NET_NEIGH_STALE;
            /* Stale entries live until evicted or used; give idle ones a
             * long life so a busy table recycles them first. */
            n->timer = MOTE_FOREVER;
            break;
        case NET_NEIGH_DELAY:
            n->state = NET_NEIGH_PROBE;
            n->probes = 0;
            solicit(st, n, n->mac);
            break;
        case NET_NEIGH_PROBE:
            if (n->probes >= MAX_UNICAST_SOLICIT)
                entry_free(st, n);
            else
                solicit(st, n, n->mac);
            break;
        default:
            n->timer = MOTE_FOREVER;
            break;
        }
    }
}

uint64_t net__neigh_deadline(const struct mote_net *st)
{
    uint64_t d = MOTE_FOREVER;
    for (size_t i = 0; i < st->nneigh; i++)
        if (st->neigh[i].state != NET_NEIGH_FREE)
            d = net__min(d, st->neigh[i].timer);
    return d;
}

void net__neigh_release(struct mote_net *st)
{
    for (size_t i = 0; i < st->nneigh; i++)
        if (st->neigh[i].state != NET_NEIGH_FREE)
            entry_free(st, &st->neigh[i]);
}

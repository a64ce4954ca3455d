/* Unit tests of the direct stack below TCP: forged frames, a fake device. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/core.h>
#include <mote/error.h>
#include <mote/net.h>
#include <mote/stack.h>

#include "tap.h"

/*
 * Every case builds a stack over a fake device that records what it sends,
 * forges frames into it (mote_net_input) and moves time by hand
 * (mote_net_tick). The peer is 10.0.0.1 / fd00::1 with MAC PEER; the stack
 * is 10.0.0.2/24 and fd00::2/64 with MAC ME.
 */

/* The UDP face links the scheduler, which wants an application entry
 * point; these tests run no fibers. */
int mote_main(int argc, char **argv)
{
    (void)argc, (void)argv;
    abort();
}

#define MAXF 64
struct dev {
    uint8_t f[MAXF][9100];
    size_t len[MAXF];
    int n;
    int fail; /* make send_frame fail */
};

static const uint8_t ME[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t PEER[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t P4[4] = {10, 0, 0, 1}, M4[4] = {10, 0, 0, 2};
static uint8_t P6[16] = {0xfd, [15] = 1}, M6[16] = {0xfd, [15] = 2};

static int dev_send(void *ctx, const uint8_t *frame, size_t len)
{
    struct dev *d = ctx;
    if (d->fail)
        return MOTE_EAGAIN;
    if (d->n < MAXF && len <= sizeof(d->f[0])) {
        memcpy(d->f[d->n], frame, len);
        d->len[d->n] = len;
    }
    d->n++;
    return 0;
}

static uint32_t rnd_state = 1;
static void dev_random(void *ctx, void *buf, size_t n)
{
    (void)ctx;
    uint8_t *p = buf;
    for (size_t i = 0; i < n; i++) {
        rnd_state = rnd_state * 1103515245u + 12345u;
        p[i] = (uint8_t)(rnd_state >> 16);
    }
}

static uint64_t now;
#define SEC MOTE_NS_PER_SEC

static void base_cfg(struct mote_net_config *c, struct dev *d)
{
    memset(c, 0, sizeof(*c));
    memcpy(c->mac.bytes, ME, 6);
    c->send_frame = dev_send;
    c->send_ctx = d;
    c->random = dev_random;
}

/* Static IPv4 (+ IPv6 unless v6 is false), no DAD, no frames recorded. */
static struct mote_net *mk(struct dev *d, bool v6)
{
    struct mote_net_config c;
    base_cfg(&c, d);
    mote_ipprefix_parse("10.0.0.2/24", 11, &c.ipv4);
    c.ipv4_gateway = mote_ipaddr_v4(10, 0, 0, 1);
    if (v6) {
        mote_ipprefix_parse("fd00::2/64", 10, &c.ipv6[0]);
        c.ipv6_count = 1;
        c.no_dad = true;
    } else {
        c.no_ipv6 = true;
    }
    now = 1000 * SEC;
    struct mote_net *n = NULL;
    int err = mote_net_new(&c, now, &n);
    if (err)
        abort();
    d->n = 0;
    return n;
}

static struct mote_stack_stats stats(struct mote_net *n)
{
    struct mote_stack_stats s;
    mote_net_stats(n, &s);
    return s;
}

/* ---- Frame building ----------------------------------------------------- */

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}
static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint32_t sum_add(uint32_t s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}
static uint16_t sum_fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static size_t eth(uint8_t *f, const uint8_t *dst, uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, PEER, 6);
    put16(f + 12, type);
    return 14;
}

/* IPv4 header at f (20 bytes + optlen options of NOPs), payload follows. */
static size_t ip4(uint8_t *f, uint8_t proto, size_t plen, uint16_t id,
                  uint16_t frag, size_t optlen)
{
    size_t hl = 20 + optlen;
    memset(f, 0, hl);
    f[0] = (uint8_t)(0x40 | hl / 4);
    put16(f + 2, (uint16_t)(hl + plen));
    put16(f + 4, id);
    put16(f + 6, frag);
    f[8] = 64;
    f[9] = proto;
    memcpy(f + 12, P4, 4);
    memcpy(f + 16, M4, 4);
    memset(f + 20, 1, optlen); /* NOP options */
    put16(f + 10, sum_fold(sum_add(0, f, hl)));
    return hl;
}

static size_t ip6(uint8_t *f, uint8_t nh, size_t plen, const uint8_t *src,
                  const uint8_t *dst, uint8_t hlim)
{
    memset(f, 0, 40);
    f[0] = 0x60;
    put16(f + 4, (uint16_t)plen);
    f[6] = nh;
    f[7] = hlim;
    memcpy(f + 8, src, 16);
    memcpy(f + 24, dst, 16);
    return 40;
}

static uint32_t pseudo6(const uint8_t *src, const uint8_t *dst, uint8_t proto,
                        size_t len)
{
    uint32_t s = sum_add(0, src, 16);
    s = sum_add(s, dst, 16);
    return s + (uint32_t)len + proto;
}

/* ICMPv6 message (type, code, rest of header, body) with checksum. */
static size_t icmp6(uint8_t *p, uint8_t type, uint8_t code, uint32_t rest,
                    const void *body, size_t blen, const uint8_t *src,
                    const uint8_t *dst)
{
    p[0] = type;
    p[1] = code;
    put16(p + 2, 0);
    p[4] = (uint8_t)(rest >> 24);
    p[5] = (uint8_t)(rest >> 16);
    p[6] = (uint8_t)(rest >> 8);
    p[7] = (uint8_t)rest;
    memcpy(p + 8, body, blen);
    put16(p + 2,
          sum_fold(sum_add(pseudo6(src, dst, 58, 8 + blen), p, 8 + blen)));
    return 8 + blen;
}

static void in(struct mote_net *n, const uint8_t *f, size_t len)
{
    mote_net_input(n, now, f, len);
}

/* The peer asks for our MAC (NS with its own link-layer address): the
 * stack caches it (STALE) and answers; the answer is forgotten. */
static void learn6(struct mote_net *n, struct dev *d)
{
    uint8_t f[200], body[24];
    memcpy(body, M6, 16);
    body[16] = 1;
    body[17] = 1;
    memcpy(body + 18, PEER, 6);
    uint8_t sn[16] = {0xff, 2, [11] = 1, 0xff, M6[13], M6[14], M6[15]};
    size_t o = eth(f, ME, 0x86dd);
    size_t il = icmp6(f + o + 40, 135, 0, 0, body, 24, P6, sn);
    ip6(f + o, 58, il, P6, sn, 255);
    in(n, f, o + 40 + il);
    d->n = 0;
}

static void tick(struct mote_net *n, uint64_t ns)
{
    now += ns;
    mote_net_tick(n, now);
}

static void arp_frame(struct mote_net *n, uint16_t op, const uint8_t *spa,
                      const uint8_t *tpa)
{
    uint8_t f[64] = {0};
    size_t o = eth(f, op == 1 ? BCAST : ME, 0x0806);
    uint8_t *a = f + o;
    put16(a, 1);
    put16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, PEER, 6);
    memcpy(a + 14, spa, 4);
    if (op == 2)
        memcpy(a + 18, ME, 6);
    memcpy(a + 24, tpa, 4);
    in(n, f, 60); /* minimum Ethernet frame, padded */
}

/* An ICMP echo request of dlen data bytes; returns the frame length. */
static size_t echo4(uint8_t *f, size_t dlen, size_t optlen)
{
    size_t o = eth(f, ME, 0x0800);
    o += ip4(f + o, 1, 8 + dlen, 77, 0, optlen);
    uint8_t *ic = f + o;
    memset(ic, 0, 8);
    ic[0] = 8;
    put16(ic + 4, 0x1234);
    put16(ic + 6, 1);
    for (size_t i = 0; i < dlen; i++)
        ic[8 + i] = (uint8_t)(i * 7);
    put16(ic + 2, sum_fold(sum_add(0, ic, 8 + dlen)));
    return o + 8 + dlen;
}

/* Is frame i an IPv4 datagram with a valid header checksum? */
static bool ip4_ok(struct dev *d, int i)
{
    const uint8_t *f = d->f[i];
    return d->len[i] >= 34 && get16(f + 12) == 0x0800 &&
           sum_fold(sum_add(0, f + 14, (size_t)(f[14] & 15) * 4)) == 0;
}

/* ---- Cases ----------------------------------------------------------------
 */

static void test_config(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net_config c;
    struct mote_net *n;
    base_cfg(&c, d);
    c.send_frame = NULL;
    is_int(mote_net_new(&c, 0, &n), MOTE_EINVAL, "no send hook");
    base_cfg(&c, d);
    c.mtu = 576;
    is_int(mote_net_new(&c, 0, &n), MOTE_EINVAL, "MTU below 1280");
    base_cfg(&c, d);
    c.dhcp = true;
    mote_ipprefix_parse("10.0.0.2/24", 11, &c.ipv4);
    is_int(mote_net_new(&c, 0, &n), MOTE_EINVAL, "DHCP and a static address");

    base_cfg(&c, d);
    is_int(mote_net_config_arg(&c, "--ipv4=10.1.2.3/16"), 1, "--ipv4");
    is_int(c.ipv4.len, 16, "prefix length kept");
    is_int(mote_net_config_arg(&c, "--ipv4=10.1.2.3"), MOTE_EINVAL,
           "--ipv4 without a length");
    is_int(mote_net_config_arg(&c, "--ipv6=fd00::5/64"), 1, "--ipv6");
    is_int(mote_net_config_arg(&c, "--ipv6-gateway=fe80::1"), 1,
           "--ipv6-gateway");
    is_int(mote_net_config_arg(&c, "--mtu=100"), MOTE_EINVAL, "--mtu=100");
    is_int(mote_net_config_arg(&c, "--mtu=9000"), 1, "--mtu=9000");
    is_int(mote_net_config_arg(&c, "--listen=x"), 0, "not ours");
    for (int i = 1; i < MOTE_NET_MAX_V6_STATIC; i++)
        mote_net_config_arg(&c, "--ipv6=fd00::6/64");
    is_int(mote_net_config_arg(&c, "--ipv6=fd00::7/64"), MOTE_ENOSPC,
           "too many --ipv6");
    free(d);
}

static void test_gratuitous_arp(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net_config c;
    base_cfg(&c, d);
    mote_ipprefix_parse("10.0.0.2/24", 11, &c.ipv4);
    c.no_ipv6 = true;
    struct mote_net *n;
    is_int(mote_net_new(&c, 0, &n), 0, "stack created");
    ok(d->n == 1, "one frame at start (%d)", d->n);
    const uint8_t *f = d->f[0];
    ok(memcmp(f, BCAST, 6) == 0 && get16(f + 12) == 0x0806,
       "a broadcast ARP frame");
    ok(get16(f + 20) == 1 && memcmp(f + 28, M4, 4) == 0 &&
           memcmp(f + 38, M4, 4) == 0,
       "a request with sender and target both our address");
    mote_net_free(n);
    free(d);
}

static void test_arp_reply(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net *n = mk(d, false);
    arp_frame(n, 1, P4, M4);
    ok(d->n == 1, "request for us: one reply");
    const uint8_t *f = d->f[0];
    ok(memcmp(f, PEER, 6) == 0 && get16(f + 20) == 2 &&
           memcmp(f + 22, ME, 6) == 0 && memcmp(f + 28, M4, 4) == 0 &&
           memcmp(f + 32, PEER, 6) == 0 && memcmp(f + 38, P4, 4) == 0,
       "reply: op 2, our MAC and IP, to the asker");
    uint8_t other[4] = {10, 0, 0, 9};
    arp_frame(n, 1, P4, other);
    ok(d->n == 1, "request for another address: no reply");
    ok(stats(n).drops[MOTE_NET_DROP_NOT_FOR_US] == 1, "counted not-for-us");

    /* The asker was cached: an echo reply goes out without an ARP round. */
    uint8_t e[200];
    d->n = 0;
    in(n, e, echo4(e, 16, 0));
    ok(d->n == 1 && get16(d->f[0] + 12) == 0x0800 &&
           memcmp(d->f[0], PEER, 6) == 0,
       "echo reply sent straight to the cached MAC");
    mote_net_free(n);
    free(d);
}

static void test_arp_conflict(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net *n = mk(d, false);
    now = 5000 * SEC;
    arp_frame(n, 1, M4, P4); /* someone else says it is 10.0.0.2 */
    ok(stats(n).addr_conflicts == 1, "conflict counted");
    ok(d->n == 1 && get16(d->f[0] + 20) == 1 &&
           memcmp(d->f[0] + 22, ME, 6) == 0 && memcmp(d->f[0] + 28, M4, 4) == 0,
       "defended with one announcement");
    arp_frame(n, 2, M4, M4);
    ok(stats(n).addr_conflicts == 2 && d->n == 1,
       "a second claim within 10 s: counted, not answered");
    now += 11 * SEC;
    arp_frame(n, 2, M4, M4);
    ok(d->n == 2, "after 10 s we defend again");
    mote_net_free(n);
    free(d);
}

static void test_ping4_resolve(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net *n = mk(d, false);
    uint8_t e[200];
    size_t len = echo4(e, 40, 0);
    in(n, e, len);
    ok(d->n == 1 && get16(d->f[0] + 12) == 0x0806 &&
           memcmp(d->f[0] + 38, P4, 4) == 0,
       "unknown peer: an ARP request for it first");
    arp_frame(n, 2, P4, M4);
    ok(d->n == 2, "the queued reply left when the answer came");
    const uint8_t *r = d->f[1];
    ok(ip4_ok(d, 1), "valid IPv4 header checksum");
    ok(memcmp(r + 26, M4, 4) == 0 && memcmp(r + 30, P4, 4) == 0,
       "from us to the peer");
    const uint8_t *ic = r + 34;
    ok(ic[0] == 0 && sum_fold(sum_add(0, ic, 48)) == 0,
       "an echo reply with a valid checksum");
    ok(memcmp(ic + 4, e + 34 + 4, 44) == 0, "id, sequence and data echoed");

    /* IPv4 options are skipped, the reply still goes. */
    d->n = 0;
    in(n, e, echo4(e, 8, 8));
    ok(d->n == 1 && d->f[0][34] == 0, "echo with 8 bytes of options answered");
    mote_net_free(n);
    free(d);
}

static void test_arp_timeout(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net *n = mk(d, false);
    uint8_t e[200];
    size_t len = echo4(e, 8, 0);
    for (int i = 0; i < 6; i++)
        in(n, e, len);
    ok(d->n == 1, "one ARP request for six packets");
    ok(stats(n).drops[MOTE_NET_DROP_NEIGHBOR] == 2,
       "queue of 4: two dropped at once");
    for (int i = 0; i < 5; i++)
        tick(n, SEC);
    ok(d->n == 3, "three ARP requests in all (%d)", d->n);
    ok(stats(n).drops[MOTE_NET_DROP_NEIGHBOR] == 6,
       "the four queued dropped when the peer never answered");
    ok(mote_net_deadline(n) == MOTE_FOREVER, "no timer left");
    mote_net_free(n);
    free(d);
}

static void test_ipv4_refusals(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net *n = mk(d, false);
    arp_frame(n, 2, P4, M4);
    uint8_t e[200];
    size_t len = echo4(e, 8, 0);
    e[24] ^= 0xff; /* header checksum */
    in(n, e, len);
    ok(stats(n).drops[MOTE_NET_DROP_CHECKSUM] == 1, "bad header checksum");
    len = echo4(e, 8, 0);
    e[14] = 0x44; /* IHL 4 */
    in(n, e, len);
    ok(stats(n).drops[MOTE_NET_DROP_MALFORMED] == 1, "IHL below 5");
    len = echo4(e, 8, 0);
    in(n, e, 14 + 19);
    ok(stats(n).drops[MOTE_NET_DROP_SHORT] == 1, "19-byte header");
    len = echo4(e, 8, 0);
    in(n, e, len - 1);
    ok(stats(n).drops[MOTE_NET_DROP_SHORT] == 2, "total length past the frame");
    len = echo4(e, 8, 0);
    e[42 - 8 + 2] ^= 1; /* ICMP checksum */
    in(n, e, len);
    ok(stats(n).drops[MOTE_NET_DROP_CHECKSUM] == 2, "bad ICMP checksum");
    in(n, e, 10);
    ok(stats(n).drops[MOTE_NET_DROP_SHORT] == 3, "runt frame");
    ok(d->n == 0, "nothing answered");

    /* Unknown protocol: ICMP protocol unreachable. */
    uint8_t f[100] = {0};
    size_t o = eth(f, ME, 0x0800);
    o += ip4(f + o, 200, 8, 5, 0, 0);
    in(n, f, o + 8);
    ok(d->n == 1 && d->f[0][34] == 3 && d->f[0][35] == 2,
       "protocol 200: destination unreachable, code 2");
    mote_net_free(n);
    free(d);
}

/* Send the 3000-byte echo request as fragments in the given order. */
static void frag_echo(struct mote_net *n, uint8_t *whole, size_t len,
                      const int *order, int count, uint16_t id)
{
    /* payload = whole[34..len), cut in 1024-byte pieces */
    size_t plen = len - 34;
    for (int k = 0; k < count; k++) {
        size_t off = (size_t)order[k] * 1024;
        size_t m = plen - off < 1024 ? plen - off : 1024;
        bool more = off + m < plen;
        uint8_t f[1200];
        size_t o = eth(f, ME, 0x0800);
        o += ip4(f + o, 1, m, id, (uint16_t)((off / 8) | (more ? 0x2000 : 0)),
                 0);
        memcpy(f + o, whole + 34 + off, m);
        in(n, f, o + m);
    }
}

static void test_reass4(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net *n = mk(d, false);
    arp_frame(n, 2, P4, M4);
    static uint8_t e[4000];
    size_t len = echo4(e, 3000, 0); /* 3008 bytes of ICMP: 3 fragments */
    int order[] = {2, 0, 0, 1};     /* out of order, one duplicate */
    frag_echo(n, e, len, order, 4, 100);
    ok(stats(n).reass_ok == 1, "reassembled once");
    ok(d->n == 3, "the 3008-byte reply left in 3 fragments (%d)", d->n);
    size_t total = 0;
    bool good = true;
    for (int i = 0; i < d->n && i < 3; i++) {
        const uint8_t *f = d->f[i];
        uint16_t fo = get16(f + 20);
        size_t plen = get16(f + 16) - 20;
        good &= ip4_ok(d, i);
        good &= (size_t)(fo & 0x1fff) * 8 == total;
        good &= (i < 2) == ((fo & 0x2000) != 0);
        good &= i == 2 || plen % 8 == 0;
        good &= 14 + 20 + plen <= 1514;
        total += plen;
    }
    ok(good, "offsets contiguous, MF on all but the last, within the MTU");
    ok(total == 3008, "the fragments carry the whole reply (%zu)", total);

    /* Overlap that is not a copy: the datagram is dropped. */
    d->n = 0;
    frag_echo(n, e, len, (int[]){0}, 1, 101);
    uint8_t f[200];
    size_t o = eth(f, ME, 0x0800);
    o += ip4(f + o, 1, 64, 101, (uint16_t)(1000 / 8) | 0x2000, 0);
    in(n, f, o + 64);
    frag_echo(n, e, len, (int[]){1, 2}, 2, 101);
    ok(d->n == 0 && stats(n).drops[MOTE_NET_DROP_REASS] >= 1,
       "overlapping fragment: no reply, counted");

    /* A lone fragment is dropped after the timeout, freeing its memory. */
    uint64_t before = stats(n).drops[MOTE_NET_DROP_REASS];
    frag_echo(n, e, len, (int[]){1}, 1, 102);
    frag_echo(n, e, len, (int[]){0}, 1, 103);
    ok(mote_net_deadline(n) <= now + 30 * SEC, "a reassembly timer runs");
    d->n = 0;
    tick(n, 31 * SEC);
    ok(d->n == 1 && d->f[0][34] == 11 && d->f[0][35] == 1 &&
           get16(d->f[0] + 34 + 8 + 4) == 103,
       "time exceeded (reassembly) for the one whose first fragment came");
    ok(stats(n).drops[MOTE_NET_DROP_REASS] >= before + 1,
       "timed out (with the partial one above)");
    uint64_t after = stats(n).drops[MOTE_NET_DROP_REASS];
    tick(n, 31 * SEC);
    ok(stats(n).drops[MOTE_NET_DROP_REASS] == after,
       "nothing left to time out");
    mote_net_free(n);
    free(d);
}

static void test_reass_limits(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net_config c;
    base_cfg(&c, d);
    mote_ipprefix_parse("10.0.0.2/24", 11, &c.ipv4);
    c.no_ipv6 = true;
    c.reass_mem_max = 8192;
    struct mote_net *n;
    mote_net_new(&c, now, &n);
    arp_frame(n, 2, P4, M4);
    static uint8_t e[70000];
    size_t len = echo4(e, 60000, 0);
    /* 60 KB of fragments: far past the 8 KiB limit. */
    int order[60];
    for (int i = 0; i < 59; i++)
        order[i] = i;
    frag_echo(n, e, len, order, 59, 200);
    ok(stats(n).reass_ok == 0, "not reassembled past the memory limit");
    ok(stats(n).drops[MOTE_NET_DROP_REASS] > 0, "counted");
    /* 20 partial datagrams: the table holds 16, the oldest make room. */
    for (uint16_t id = 300; id < 320; id++)
        frag_echo(n, e, len, (int[]){0}, 1, id);
    ok(stats(n).drops[MOTE_NET_DROP_REASS] >= 4, "table full: oldest evicted");
    mote_net_free(n);
    free(d);
}

static void test_ping_of_death(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net *n = mk(d, false);
    arp_frame(n, 2, P4, M4);
    static uint8_t e[70000];
    /* 65520 bytes of ICMP: fits the fragment offsets, not the 65535-byte
     * total length once the 20-byte header is counted. */
    size_t len = echo4(e, 65512, 0);
    int order[64];
    for (int i = 0; i < 64; i++)
        order[i] = i;
    frag_echo(n, e, len, order, 64, 500);
    ok(d->n == 0, "no reply to a 65540-byte datagram");
    ok(stats(n).drops[MOTE_NET_DROP_REASS] == 1 && stats(n).reass_ok == 1,
       "reassembled, then refused and counted");
    /* The largest legal one: 65515 bytes of payload. */
    len = echo4(e, 65507, 0);
    frag_echo(n, e, len, order, 64, 501);
    ok(stats(n).reass_ok == 2 && d->n == 45,
       "65515 bytes: reassembled and answered in 45 fragments (%d)", d->n);
    mote_net_free(n);
    free(d);
}

static size_t udp4(uint8_t *f, uint16_t sport, uint16_t dport, const char *data)
{
    size_t dl = strlen(data);
    size_t o = eth(f, ME, 0x0800);
    o += ip4(f + o, 17, 8 + dl, 9, 0, 0);
    uint8_t *u = f + o;
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)(8 + dl));
    put16(u + 6, 0);
    memcpy(u + 8, data, dl);
    uint32_t s = sum_add(0, P4, 4);
    s = sum_add(s, M4, 4);
    s += 17 + (uint32_t)(8 + dl);
    put16(u + 6, sum_fold(sum_add(s, u, 8 + dl)));
    return o + 8 + dl;
}

static int gso_send(void *ctx, const uint8_t *frame, size_t len,
                    const struct mote_net_gso *g)
{
    (void)g;
    return dev_send(ctx, frame, len);
}

/* Receive offloads: a frame's TCP/UDP checksum is taken on the device's
 * word (NEEDS_CSUM: partial, DATA_VALID: checked) for that frame only,
 * never for a datagram reassembled from fragments; a TCP super-frame over
 * the MTU goes up to TCP. And the config's offload bits are checked. */
static void test_offload_rx(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net_config c;
    base_cfg(&c, d);
    struct mote_net *bad = NULL;
    c.send_gso = gso_send;
    c.offloads = MOTE_NET_OFFLOAD_TSO4;
    is_int(mote_net_new(&c, now, &bad), MOTE_EINVAL,
           "TSO without checksum offload: EINVAL");
    c.offloads = MOTE_NET_OFFLOAD_CSUM | MOTE_NET_OFFLOAD_RX_GSO;
    is_int(mote_net_new(&c, now, &bad), MOTE_EINVAL,
           "receive bits in the send offloads: EINVAL");

    struct mote_net *n = mk(d, false);
    arp_frame(n, 2, P4, M4);
    struct mote_udp *u;
    struct mote_endpoint ep = {.port = 7};
    is_int(mote_udp_open(mote_net_stack(n), &ep, &u), 0, "UDP port 7 open");
    uint8_t f[200];
    size_t len = udp4(f, 5000, 7, "partial");
    /* what a host stack leaves for the device: the pseudo-header sum */
    uint32_t ps = sum_add(0, P4, 4);
    ps = sum_add(ps, M4, 4);
    ps += 17 + (uint32_t)(len - 34);
    put16(f + 34 + 6, (uint16_t)~sum_fold(ps));
    in(n, f, len);
    is_int(stats(n).drops[MOTE_NET_DROP_CHECKSUM], 1,
           "a partial UDP checksum without the device's word: dropped");
    struct mote_net_gso g = {.flags = MOTE_NET_GSO_F_NEEDS_CSUM};
    mote_net_input_gso(n, now, f, len, &g);
    is_int(stats(n).drops[MOTE_NET_DROP_CHECKSUM], 1, "with NEEDS_CSUM: taken");
    is_int(stats(n).udp_rx, 1, "delivered");
    is_int(stats(n).csum_trusted_rx, 1, "counted as trusted");
    g.flags = MOTE_NET_GSO_F_DATA_VALID;
    mote_net_input_gso(n, now, f, len, &g);
    is_int(stats(n).udp_rx, 2, "with DATA_VALID: taken too");

    /* Two fragments of a datagram with a wrong UDP checksum, each frame
     * flagged: the flag covers the frame, not the reassembled datagram. */
    uint8_t pay[1600];
    memset(pay, 'y', sizeof pay);
    put16(pay, 5000);
    put16(pay + 2, 7);
    put16(pay + 4, (uint16_t)sizeof pay);
    put16(pay + 6, 0x1234); /* wrong */
    for (int k = 0; k < 2; k++) {
        uint8_t fr[1000];
        size_t o = eth(fr, ME, 0x0800);
        o +=
            ip4(fr + o, 17, 800, 77, (uint16_t)(k * 100 | (k ? 0 : 0x2000)), 0);
        memcpy(fr + o, pay + k * 800, 800);
        mote_net_input_gso(n, now, fr, o + 800, &g);
    }
    is_int(stats(n).reass_ok, 1, "the datagram reassembled");
    is_int(stats(n).drops[MOTE_NET_DROP_CHECKSUM], 2,
           "and its bad checksum caught: fragments' flags do not vouch");

    /* A TCP super-frame (5 segments' worth, over the 1500-byte MTU) to a
     * closed port with a partial checksum: taken whole, answered by RST. */
    static uint8_t t[14 + 20 + 20 + 5 * 1460];
    size_t tl = 20 + 5 * 1460;
    size_t o = eth(t, ME, 0x0800);
    o += ip4(t + o, 6, tl, 78, 0x4000, 0);
    uint8_t *th = t + o;
    memset(th, 0, tl);
    put16(th, 4000);
    put16(th + 2, 81);
    th[7] = 1;     /* seq 1 */
    th[12] = 0x50; /* 20-byte header */
    th[13] = 0x18; /* PSH|ACK */
    put16(th + 14, 1000);
    ps = sum_add(0, P4, 4);
    ps = sum_add(ps, M4, 4);
    ps += 6 + (uint32_t)tl;
    put16(th + 16, (uint16_t)~sum_fold(ps));
    d->n = 0;
    in(n, t, o + tl);
    ok(d->n == 0 && stats(n).drops[MOTE_NET_DROP_CHECKSUM] == 3,
       "plain: a checksum drop, no answer");
    struct mote_net_gso sg = {.flags = MOTE_NET_GSO_F_NEEDS_CSUM,
                              .gso_type = MOTE_NET_GSO_TCPV4,
                              .gso_size = 1460};
    mote_net_input_gso(n, now, t, o + tl, &sg);
    ok(d->n == 1 && d->f[0][14 + 20 + 13] == 0x04 &&
           get16(d->f[0] + 14 + 20 + 2) == 4000,
       "as a super-frame: taken whole, the closed port answers with RST");
    is_int(stats(n).gso_rx, 1, "one super-frame counted");
    is_int(stats(n).gso_rx_bytes, o + tl, "with its bytes");
    mote_udp_close(u);
    mote_net_free(n);
    free(d);
}

static void test_udp(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net *n = mk(d, false);
    arp_frame(n, 2, P4, M4);
    uint8_t f[200];
    size_t len = udp4(f, 5000, 9, "closed");
    in(n, f, len);
    ok(d->n == 1 && d->f[0][34] == 3 && d->f[0][35] == 3,
       "closed port: ICMP port unreachable");
    ok(d->n == 1 && memcmp(d->f[0] + 34 + 8, f + 14, 28) == 0,
       "quoting the offending header and 8 bytes");
    ok(stats(n).drops[MOTE_NET_DROP_NO_PORT] == 1, "counted no-port");

    struct mote_udp *u;
    struct mote_endpoint ep = {.port = 7};
    is_int(mote_udp_open(mote_net_stack(n), &ep, &u), 0, "UDP port 7 open");
    struct mote_udp *u2;
    is_int(mote_udp_open(mote_net_stack(n), &ep, &u2), MOTE_EADDRINUSE,
           "port 7 again: in use");
    in(n, f, udp4(f, 5000, 7, "hello"));
    len = udp4(f, 5000, 7, "bad");
    f[14 + 20 + 8] ^= 1;
    in(n, f, len);
    ok(stats(n).drops[MOTE_NET_DROP_CHECKSUM] == 1, "bad UDP checksum");
    char buf[64];
    size_t got = 0;
    struct mote_endpoint from;
    is_int(mote_udp_recvfrom(u, buf, sizeof(buf), &got, &from, 0), 0,
           "a datagram waiting");
    ok(got == 5 && memcmp(buf, "hello", 5) == 0, "its data");
    ok(from.port == 5000 && memcmp(from.addr.bytes, P4, 4) == 0,
       "from 10.0.0.1:5000");

    d->n = 0;
    struct mote_endpoint to = {.addr = mote_ipaddr_from_v4_bytes(P4),
                               .port = 4000};
    is_int(mote_udp_sendto(u, "pong", 4, &to), 0, "sendto");
    const uint8_t *r = d->f[0];
    ok(d->n == 1 && ip4_ok(d, 0) && get16(r + 34) == 7 &&
           get16(r + 36) == 4000 && memcmp(r + 42, "pong", 4) == 0,
       "one datagram from port 7 to 4000");
    uint32_t s = sum_add(0, r + 26, 8) + 17 + 12;
    ok(sum_fold(sum_add(s, r + 34, 12)) == 0, "valid UDP checksum");
    /* The peer's port 4000 is closed: its ICMP port unreachable, quoting
     * our datagram, is kept for mote_udp_take_error (once). */
    uint8_t quote[28];
    memcpy(quote, r + 14, 28);
    is_int(mote_udp_take_error(u, NULL), 0, "no ICMP error yet");
    size_t o = eth(f, ME, 0x0800);
    o += ip4(f + o, 1, 8 + 28, 78, 0, 0);
    memset(f + o, 0, 8);
    f[o] = 3;
    f[o + 1] = 3;
    memcpy(f + o + 8, quote, 28);
    put16(f + o + 2, sum_fold(sum_add(0, f + o, 36)));
    in(n, f, o + 36);
    struct mote_endpoint about;
    is_int(mote_udp_take_error(u, &about), MOTE_ECONNREFUSED,
           "port unreachable: ECONNREFUSED");
    ok(about.port == 4000 && memcmp(about.addr.bytes, P4, 4) == 0,
       "about 10.0.0.1:4000");
    is_int(mote_udp_take_error(u, &about), 0, "taken: cleared");
    static uint8_t big[70000];
    is_int(mote_udp_sendto(u, big, 65508, &to), MOTE_EMSGSIZE,
           "65508 bytes over IPv4: too big");
    to.addr = mote_ipaddr_v4(192, 168, 9, 9);
    d->n = 0;
    is_int(mote_udp_sendto(u, "x", 1, &to), 0, "off-link: via the gateway");
    ok(d->n == 1 && memcmp(d->f[0], PEER, 6) == 0, "to the gateway's MAC");
    mote_udp_close(u);
    mote_net_free(n);
    free(d);
}

/* A table full of unresolved entries (a flood from spoofed on-link
 * sources) must not lock out real neighbours, and must not evict them. */
static void test_neigh_flood(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net *n = mk(d, false);
    struct mote_udp *u;
    struct mote_endpoint ep = {.port = 7};
    mote_udp_open(mote_net_stack(n), &ep, &u);
    struct mote_endpoint to = {.port = 4000};
    for (int i = 0; i < 64; i++) {
        to.addr = mote_ipaddr_v4(10, 0, 0, (uint8_t)(100 + i));
        mote_udp_sendto(u, "x", 1, &to);
    }
    d->n = 0;
    arp_frame(n, 1, P4, M4); /* the real peer asks for us */
    ok(d->n == 1, "a full table of unresolved entries: the ARP is answered");
    d->n = 0;
    to.addr = mote_ipaddr_from_v4_bytes(P4);
    is_int(mote_udp_sendto(u, "y", 1, &to), 0, "sendto the real peer");
    ok(d->n == 1 && memcmp(d->f[0], PEER, 6) == 0,
       "it was learnt: sent at once to its MAC");
    d->n = 0;
    for (int i = 3; i < 255; i++) { /* the flood goes on, on-link */
        to.addr = mote_ipaddr_v4(10, 0, 0, (uint8_t)i);
        mote_udp_sendto(u, "x", 1, &to);
    }
    is_int(d->n, 0,
           "a full table of fresh unresolved entries: no more ARP requests");
    d->n = 0;
    to.addr = mote_ipaddr_from_v4_bytes(P4);
    mote_udp_sendto(u, "z", 1, &to);
    ok(d->n == 1 && memcmp(d->f[0], PEER, 6) == 0,
       "250 more unresolved sources later, still known");
    tick(n, 2 * SEC);
    d->n = 0;
    to.addr = mote_ipaddr_v4(10, 0, 0, 250);
    mote_udp_sendto(u, "x", 1, &to);
    ok(d->n == 1 && get16(d->f[0] + 12) == 0x0806,
       "a second later an unresolved slot is reused: one ARP request");
    mote_udp_close(u);
    mote_net_free(n);

    /* The same over IPv6: a full table, then the peer's NS is answered
     * and the peer learnt. */
    n = mk(d, true);
    mote_udp_open(mote_net_stack(n), &ep, &u);
    uint8_t a6[16] = {0xfd, [14] = 1};
    for (int i = 0; i < 64; i++) {
        a6[15] = (uint8_t)(100 + i);
        to.addr = mote_ipaddr_from_v6_bytes(a6);
        mote_udp_sendto(u, "x", 1, &to);
    }
    learn6(n, d);
    d->n = 0;
    to.addr = mote_ipaddr_from_v6_bytes(P6);
    is_int(mote_udp_sendto(u, "y", 1, &to), 0, "IPv6: sendto the real peer");
    ok(d->n == 1 && memcmp(d->f[0], PEER, 6) == 0,
       "IPv6: its NS taught us its MAC despite the full table");
    mote_udp_close(u);
    mote_net_free(n);
    free(d);
}

/* ---- IPv6 ------------------------------------------------------------------
 */

static void test_dad(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net_config c;
    base_cfg(&c, d);
    mote_ipprefix_parse("fd00::2/64", 10, &c.ipv6[0]);
    c.ipv6_count = 1;
    now = 0;
    struct mote_net *n;
    mote_net_new(&c, now, &n);
    struct mote_ipprefix a[8];
    ok(mote_net_addresses(n, a, 8) == 0, "no usable address while tentative");
    tick(n, SEC);
    int ns = 0;
    for (int i = 0; i < d->n; i++) {
        const uint8_t *f = d->f[i];
        static const uint8_t zero[16];
        if (get16(f + 12) == 0x86dd && f[20] == 58 && f[54] == 135 &&
            memcmp(f + 22, zero, 16) == 0 && f[38] == 0xff && f[39] == 2)
            ns++;
    }
    ok(ns == 2, "a DAD NS from :: to a solicited-node group per address");
    tick(n, 2 * SEC);
    ok(mote_net_addresses(n, a, 8) == 2, "link-local and fd00::2 usable");

    /* Another stack: its DAD is answered by a node that has the address. */
    struct dev *d2 = calloc(1, sizeof(*d2));
    base_cfg(&c, d2);
    mote_ipprefix_parse("fd00::2/64", 10, &c.ipv6[0]);
    c.ipv6_count = 1;
    struct mote_net *n2;
    mote_net_new(&c, now, &n2);
    uint8_t f[200];
    size_t o = eth(f, BCAST, 0x86dd);
    uint8_t body[24] = {0};
    memcpy(body, M6, 16);
    static const uint8_t all[16] = {0xff, 2, [15] = 1};
    uint8_t *ic = f + o + 40;
    size_t il = icmp6(ic, 136, 0, 0x20u << 24, body, 16, P6, all);
    ip6(f + o, 58, il, P6, all, 255);
    in(n2, f, o + 40 + il);
    tick(n2, SEC);     /* link-local DAD: NS */
    tick(n2, 2 * SEC); /* and success */
    ok(mote_net_addresses(n2, a, 8) == 1, "fd00::2 taken: only link-local");
    ok(stats(n2).dad_failures == 1, "counted a DAD failure");
    mote_net_free(n2);
    mote_net_free(n);
    free(d2);
    free(d);
}

static void test_ping6(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net *n = mk(d, true);
    uint8_t f[300];
    size_t o = eth(f, ME, 0x86dd);
    size_t il = icmp6(f + o + 40, 128, 0, 0x12340001, "ping6data", 9, P6, M6);
    ip6(f + o, 58, il, P6, M6, 64);
    in(n, f, o + 40 + il);
    ok(d->n == 1 && d->f[0][54] == 135, "unknown peer: an NS first");
    ok(d->n == 1 && d->f[0][21] == 255, "NS with hop limit 255");

    /* Answer with an NA carrying our link-layer address. */
    uint8_t na[24 + 8] = {0};
    memcpy(na, P6, 16);
    na[16] = 2;
    na[17] = 1;
    memcpy(na + 18, PEER, 6);
    uint8_t g[200];
    size_t go = eth(g, ME, 0x86dd);
    size_t gl = icmp6(g + go + 40, 136, 0, 0x60u << 24, na, 24, P6, M6);
    ip6(g + go, 58, gl, P6, M6, 255);
    in(n, g, go + 40 + gl);
    ok(d->n == 2, "the queued echo reply left");
    const uint8_t *r = d->f[1];
    ok(memcmp(r, PEER, 6) == 0 && r[54] == 129, "an echo reply to the peer");
    ok(sum_fold(sum_add(pseudo6(M6, P6, 58, 17), r + 54, 17)) == 0,
       "valid ICMPv6 checksum");
    ok(memcmp(r + 58, "\x12\x34\x00\x01ping6data", 13) == 0, "data echoed");

    /* An NA with hop limit 64 was forwarded: ignored. */
    ip6(g + go, 58, gl, P6, M6, 64);
    in(n, g, go + 40 + gl);
    ok(stats(n).drops[MOTE_NET_DROP_MALFORMED] == 1,
       "NDP with hop limit 64 dropped");
    mote_net_free(n);
    free(d);
}

/* Feed an IPv6 datagram with the given extension header bytes before a
 * UDP header to port 7; return frames sent. */
static int ext_case(struct mote_net *n, struct dev *d, const uint8_t *ext,
                    size_t elen)
{
    uint8_t f[400];
    size_t o = eth(f, ME, 0x86dd);
    memcpy(f + o + 40, ext, elen);
    uint8_t *u = f + o + 40 + elen;
    put16(u, 1);
    put16(u + 2, 9);
    put16(u + 4, 8);
    put16(u + 6, 0);
    put16(u + 6, sum_fold(sum_add(pseudo6(P6, M6, 17, 8), u, 8)));
    /* Every chain here starts with a hop-by-hop header. */
    ip6(f + o, 0, elen + 8, P6, M6, 64);
    d->n = 0;
    in(n, f, o + 40 + elen + 8);
    return d->n;
}

static void test_ext_headers(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net *n = mk(d, true);
    learn6(n, d);

    /* Hop-by-hop with PadN, then UDP to closed port 9: port unreachable. */
    uint8_t hbh[8] = {17, 0, 1, 4, 0, 0, 0, 0};
    ok(ext_case(n, d, hbh, 8) == 1 && d->f[0][54] == 1 && d->f[0][55] == 4,
       "hop-by-hop PadN skipped: port unreachable from UDP");
    /* Unknown option, action 10: parameter problem code 2 at the option. */
    uint8_t bad[8] = {17, 0, 0x80, 2, 0, 0, 1, 0};
    ok(ext_case(n, d, bad, 8) == 1 && d->f[0][54] == 4 && d->f[0][55] == 2 &&
           get16(d->f[0] + 60) == 42,
       "option type 0x80: parameter problem, code 2, pointer 42");
    /* Unknown option, action 01: silently dropped. */
    uint8_t skip[8] = {17, 0, 0x40, 2, 0, 0, 1, 0};
    ok(ext_case(n, d, skip, 8) == 0, "option type 0x40: silent drop");
    /* Hop-by-hop -> routing (segments left 1): parameter problem code 0. */
    uint8_t rt[16] = {43, 0, 1, 0, 0, 0, 0, 0, 17, 0, 0, 1, 0, 0, 0, 0};
    ok(ext_case(n, d, rt, 16) == 1 && d->f[0][54] == 4 && d->f[0][55] == 0 &&
           get16(d->f[0] + 60) == 50,
       "routing header with segments left: parameter problem at its type");
    /* Hop-by-hop that is not first: parameter problem code 1. */
    uint8_t hh[16] = {0, 0, 1, 4, 0, 0, 0, 0, 17, 0, 1, 4, 0, 0, 0, 0};
    ok(ext_case(n, d, hh, 16) == 1 && d->f[0][54] == 4 && d->f[0][55] == 1,
       "a second hop-by-hop header: parameter problem code 1");
    /* 20 destination-option headers: past the walking limit, dropped. */
    uint8_t chain[8 * 20];
    for (int i = 0; i < 20; i++) {
        uint8_t *h = chain + 8 * i;
        memcpy(h, (uint8_t[]){60, 0, 1, 4, 0, 0, 0, 0}, 8);
    }
    chain[8 * 19] = 17;
    uint64_t mal = stats(n).drops[MOTE_NET_DROP_MALFORMED];
    ok(ext_case(n, d, chain, sizeof(chain)) == 0 &&
           stats(n).drops[MOTE_NET_DROP_MALFORMED] == mal + 1,
       "a chain of 20 extension headers is dropped");
    /* A header longer than the packet. */
    uint8_t lng[8] = {17, 9, 1, 4, 0, 0, 0, 0};
    ok(ext_case(n, d, lng, 8) == 0, "header length past the end: dropped");
    mote_net_free(n);
    free(d);
}

static void test_slaac_and_ptb(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net_config c;
    base_cfg(&c, d);
    c.no_dad = true;
    now = 0;
    struct mote_net *n;
    mote_net_new(&c, now, &n);
    /* RA from fe80::1: lifetime 1800 s, prefix 2001:db8:1::/64 A+L,
     * valid 1 day, preferred 1 hour, and its link-layer address. */
    uint8_t body[8 + 8 + 32];
    memset(body, 0, sizeof(body));
    body[0] = 1; /* SLLA */
    body[1] = 1;
    memcpy(body + 2, PEER, 6);
    uint8_t *pi = body + 8;
    pi[0] = 3;
    pi[1] = 4;
    pi[2] = 64;
    pi[3] = 0xc0;
    uint32_t valid = 86400, pref = 3600;
    for (int i = 0; i < 4; i++) {
        pi[4 + i] = (uint8_t)(valid >> (24 - 8 * i));
        pi[8 + i] = (uint8_t)(pref >> (24 - 8 * i));
    }
    static const uint8_t pfx[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1};
    memcpy(pi + 16, pfx, 16);
    static const uint8_t ll[16] = {0xfe, 0x80, [15] = 1};
    static const uint8_t all[16] = {0xff, 2, [15] = 1};
    uint8_t f[300];
    size_t o = eth(f, BCAST, 0x86dd);
    /* RA body after the 8-byte header: reachable + retrans (8 bytes). */
    uint8_t ra[8 + 40];
    memset(ra, 0, 8);
    memcpy(ra + 8, body, 40);
    size_t il =
        icmp6(f + o + 40, 134, 0, (64u << 24) | 1800u, ra, sizeof(ra), ll, all);
    ip6(f + o, 58, il, ll, all, 255);
    in(n, f, o + 40 + il);
    struct mote_ipprefix a[8];
    size_t k = mote_net_addresses(n, a, 8);
    bool found = false;
    for (size_t i = 0; i < k; i++)
        found |= memcmp(a[i].addr.bytes, pfx, 8) == 0 && a[i].len == 64;
    ok(found, "SLAAC address in 2001:db8:1::/64 (%zu addresses)", k);

    /* A later RA tries to cut the valid lifetime to 60 s: the two-hour
     * rule keeps it at 2 hours. */
    valid = 60;
    pref = 30;
    for (int i = 0; i < 4; i++) {
        ra[8 + 8 + 4 + i] = (uint8_t)(valid >> (24 - 8 * i));
        ra[8 + 8 + 8 + i] = (uint8_t)(pref >> (24 - 8 * i));
    }
    il =
        icmp6(f + o + 40, 134, 0, (64u << 24) | 1800u, ra, sizeof(ra), ll, all);
    in(n, f, o + 40 + il);
    tick(n, 3600 * SEC);
    ok(mote_net_addresses(n, a, 8) == 2, "still there after 1 hour");
    tick(n, 3700 * SEC);
    ok(mote_net_addresses(n, a, 8) == 1, "gone after 2 hours");

    /* The router's lifetime ran out too: off-link is unreachable. */
    struct mote_udp *u;
    struct mote_endpoint ep = {.port = 7};
    mote_udp_open(mote_net_stack(n), &ep, &u);
    static const uint8_t far[16] = {0x20, 0x01, 0x0d, 0xb8, 9, [15] = 9};
    struct mote_endpoint to = {.addr = mote_ipaddr_from_v6_bytes(far),
                               .port = 9};
    is_int(mote_udp_sendto(u, "x", 1, &to), MOTE_ENETUNREACH,
           "no default router any more: unreachable");
    mote_udp_close(u);
    mote_net_free(n);
    free(d);
}

static void test_pmtu_fragments6(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net_config c;
    base_cfg(&c, d);
    mote_ipprefix_parse("fd00::2/64", 10, &c.ipv6[0]);
    c.ipv6_count = 1;
    c.no_dad = true;
    c.ipv6_gateway = mote_ipaddr_from_v6_bytes(P6);
    now = 0;
    struct mote_net *n;
    mote_net_new(&c, now, &n);
    learn6(n, d);
    uint8_t g[1600];
    size_t go = eth(g, ME, 0x86dd);
    /* Packet too big for a far destination: 1300. */
    static uint8_t far[16] = {0x20, 0x01, 0x0d, 0xb8, 9, [15] = 9};
    uint8_t q[48];
    ip6(q, 17, 8, M6, far, 64);
    memset(q + 40, 0, 8);
    size_t gl = icmp6(g + go + 40, 2, 0, 1300, q, 48, P6, M6);
    ip6(g + go, 58, gl, P6, M6, 64);
    in(n, g, go + 40 + gl);

    struct mote_udp *u;
    struct mote_endpoint ep = {.port = 7};
    mote_udp_open(mote_net_stack(n), &ep, &u);
    struct mote_endpoint to = {.addr = mote_ipaddr_from_v6_bytes(far),
                               .port = 9};
    static uint8_t data[1400];
    d->n = 0;
    is_int(mote_udp_sendto(u, data, sizeof(data), &to), 0, "sendto far");
    bool fit = d->n == 2;
    for (int i = 0; i < d->n && i < MAXF; i++)
        fit &= d->len[i] - 14 <= 1300 && d->f[i][20] == 44 &&
               memcmp(d->f[i], PEER, 6) == 0;
    ok(fit, "two fragments of at most 1300 bytes, via the gateway (%d)", d->n);
    to.addr = mote_ipaddr_from_v6_bytes(P6);
    d->n = 0;
    mote_udp_sendto(u, data, sizeof(data), &to);
    ok(d->n == 1 && d->len[0] == 14 + 40 + 8 + 1400,
       "the on-link peer still gets 1448-byte packets");
    mote_udp_close(u);
    mote_net_free(n);
    free(d);
}

/* ---- DHCP -------------------------------------------------------------------
 */

static size_t dhcp_reply(uint8_t *f, uint32_t xid, uint8_t type,
                         const uint8_t *yi)
{
    size_t o = eth(f, BCAST, 0x0800);
    uint8_t *ip = f + o;
    uint8_t *u = ip + 20;
    uint8_t *m = u + 8;
    memset(m, 0, 300);
    m[0] = 2;
    m[1] = 1;
    m[2] = 6;
    m[4] = (uint8_t)(xid >> 24);
    m[5] = (uint8_t)(xid >> 16);
    m[6] = (uint8_t)(xid >> 8);
    m[7] = (uint8_t)xid;
    memcpy(m + 16, yi, 4);
    memcpy(m + 28, ME, 6);
    memcpy(m + 236, "\x63\x82\x53\x63", 4);
    uint8_t opts[] = {53, 1, type, 54, 4, 10, 0, 0,  1, 1, 4, 255, 255, 255,
                      0,  3, 4,    10, 0, 0,  1, 51, 4, 0, 0, 0,   100, 255};
    memcpy(m + 240, opts, sizeof(opts));
    size_t ml = 240 + sizeof(opts);
    put16(u, 67);
    put16(u + 2, 68);
    put16(u + 4, (uint16_t)(8 + ml));
    put16(u + 6, 0); /* no checksum (allowed over IPv4) */
    ip4(ip, 17, 8 + ml, 1, 0, 0);
    memset(ip + 16, 0xff, 4);
    put16(ip + 10, 0);
    put16(ip + 10, sum_fold(sum_add(0, ip, 20)));
    return o + 20 + 8 + ml;
}

/* The DHCP message in frame i, or NULL. */
static const uint8_t *dhcp_msg(struct dev *d, int i)
{
    const uint8_t *f = d->f[i];
    if (get16(f + 12) != 0x0800 || f[23] != 17 || get16(f + 36) != 67)
        return NULL;
    return f + 42;
}

static void test_dhcp(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net_config c;
    base_cfg(&c, d);
    c.dhcp = true;
    c.no_ipv6 = true;
    now = 0;
    struct mote_net *n;
    mote_net_new(&c, now, &n);
    const uint8_t *m = d->n == 1 ? dhcp_msg(d, 0) : NULL;
    ok(m && m[242] == 1 && memcmp(d->f[0], BCAST, 6) == 0,
       "a broadcast DHCPDISCOVER at start");
    if (!m) {
        mote_net_free(n);
        free(d);
        return;
    }
    uint32_t xid = (uint32_t)m[4] << 24 | m[5] << 16 | m[6] << 8 | m[7];
    tick(n, 5 * SEC);
    ok(d->n == 2 && dhcp_msg(d, 1), "retransmitted after about 4 s");

    uint8_t f[600];
    const uint8_t yi[4] = {10, 0, 0, 5};
    in(n, f, dhcp_reply(f, xid ^ 1, 2, yi));
    ok(d->n == 2, "an OFFER with the wrong xid is ignored");
    in(n, f, dhcp_reply(f, xid, 2, yi));
    m = d->n == 3 ? dhcp_msg(d, 2) : NULL;
    ok(m && m[242] == 3, "OFFER -> REQUEST");
    ok(m && memcmp(m + 243, "\x32\x04\x0a\x00\x00\x05\x36\x04\x0a\x00\x00\x01",
                   12) == 0,
       "requesting 10.0.0.5 from server 10.0.0.1");
    in(n, f, dhcp_reply(f, xid, 5, yi));
    struct mote_ipprefix a[4];
    ok(mote_net_addresses(n, a, 4) == 1 &&
           memcmp(a[0].addr.bytes, yi, 4) == 0 && a[0].len == 24,
       "ACK: bound to 10.0.0.5/24");
    ok(stats(n).dhcp_leases == 1, "one lease counted");
    ok(d->n == 4 && get16(d->f[3] + 12) == 0x0806, "then a gratuitous ARP");

    /* T1 = 50 s: a unicast REQUEST to the server (after ARP for it). */
    tick(n, 51 * SEC);
    arp_frame(n, 2, P4, yi);
    bool renew = false;
    for (int i = 4; i < d->n; i++) {
        m = dhcp_msg(d, i);
        renew |= m && m[242] == 3 && memcmp(d->f[i] + 30, P4, 4) == 0 &&
                 memcmp(m + 12, yi, 4) == 0;
    }
    ok(renew, "at T1 a REQUEST goes to the server with ciaddr set");
    /* The lease runs out without an answer: the address goes. */
    tick(n, 60 * SEC);
    tick(n, 60 * SEC);
    ok(mote_net_addresses(n, a, 4) == 0, "lease expired: no address");
    int before = d->n;
    ok(before > 0 && dhcp_msg(d, before - 1) &&
           dhcp_msg(d, before - 1)[242] == 1,
       "and a new DISCOVER");

    /* OFFER -> REQUEST, then a NAK: back to DISCOVER, no address. */
    m = dhcp_msg(d, before - 1);
    xid = (uint32_t)m[4] << 24 | m[5] << 16 | m[6] << 8 | m[7];
    in(n, f, dhcp_reply(f, xid, 2, yi));
    in(n, f, dhcp_reply(f, xid, 6, yi));
    m = d->n == before + 2 ? dhcp_msg(d, before + 1) : NULL;
    ok(m && m[242] == 1, "NAK: DISCOVER again");
    ok(mote_net_addresses(n, a, 4) == 0, "and still no address");
    mote_net_free(n);
    free(d);
}

static void test_loopback(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net *n = mk(d, true);
    struct mote_udp *u;
    struct mote_endpoint ep = {.port = 7};
    mote_udp_open(mote_net_stack(n), &ep, &u);
    char buf[64];
    size_t got = 0;
    struct mote_endpoint from;
    struct mote_endpoint to = {.addr = mote_ipaddr_from_v4_bytes(M4),
                               .port = 7};
    is_int(mote_udp_sendto(u, "self4", 5, &to), 0, "UDP to our IPv4 address");
    is_int(mote_udp_recvfrom(u, buf, sizeof(buf), &got, &from, 0), 0,
           "received at once");
    ok(got == 5 && memcmp(buf, "self4", 5) == 0 &&
           memcmp(from.addr.bytes, M4, 4) == 0 && from.port == 7,
       "from ourselves");
    to.addr = mote_ipaddr_from_v6_bytes(M6);
    static uint8_t big[3000];
    is_int(mote_udp_sendto(u, big, sizeof(big), &to), 0,
           "3000 bytes to our IPv6 address");
    is_int(mote_udp_recvfrom(u, buf, sizeof(buf), &got, &from, 0), 0,
           "received (truncated to the buffer)");
    ok(d->n == 0, "nothing went to the device");
    ok(stats(n).frag_tx == 0, "and nothing was fragmented");
    ok(mote_net_deadline(n) != now, "nothing left queued");

    /* From the wire, our own source address is refused (LAND). */
    uint8_t e[200];
    size_t len = echo4(e, 8, 0);
    memcpy(e + 26, M4, 4);
    put16(e + 24, 0);
    put16(e + 24, sum_fold(sum_add(0, e + 14, 20)));
    uint64_t mal = stats(n).drops[MOTE_NET_DROP_MALFORMED];
    in(n, e, len);
    ok(d->n == 0 && stats(n).drops[MOTE_NET_DROP_MALFORMED] == mal + 1,
       "an echo request from our own address is dropped");

    mote_udp_close(u);
    mote_net_free(n);
    free(d);
}

static void test_reass6_timeout(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net *n = mk(d, true);
    learn6(n, d);
    /* The first of two fragments of a UDP datagram to port 7. */
    uint8_t f[200];
    size_t o = eth(f, ME, 0x86dd);
    uint8_t *fh = f + o + 40;
    fh[0] = 17;
    fh[1] = 0;
    put16(fh + 2, 1); /* offset 0, M */
    memcpy(fh + 4, "\0\0\0\x2a", 4);
    memset(fh + 8, 0, 16);
    ip6(f + o, 44, 8 + 16, P6, M6, 64);
    in(n, f, o + 40 + 24);
    tick(n, 31 * SEC); /* (router solicitations go out meanwhile) */
    int te = -1;
    for (int i = 0; i < d->n; i++)
        if (get16(d->f[i] + 12) == 0x86dd && d->f[i][54] == 3)
            te = i;
    ok(te < 0, "IPv6: still waiting after 31 s");
    d->n = 0;
    tick(n, 30 * SEC); /* (with neighbour probes to the peer) */
    te = -1;
    int count = 0;
    for (int i = 0; i < d->n; i++)
        if (get16(d->f[i] + 12) == 0x86dd && d->f[i][54] == 3) {
            te = i;
            count++;
        }
    ok(count == 1 && d->f[te][55] == 1,
       "after 60 s: one ICMPv6 time exceeded, code 1");
    ok(te >= 0 && get16(d->f[te] + 62 + 40 + 2) == 1,
       "quoting the first fragment");
    mote_net_free(n);
    free(d);
}

static void test_device_drop(void)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct mote_net *n = mk(d, false);
    arp_frame(n, 2, P4, M4);
    d->fail = 1;
    uint64_t sent = stats(n).tx_frames;
    uint8_t e[200];
    in(n, e, echo4(e, 8, 0));
    ok(stats(n).drops[MOTE_NET_DROP_DEVICE] == 1,
       "a refused frame is counted as a device drop");
    ok(stats(n).tx_frames == sent, "and not as sent");
    mote_net_free(n);
    free(d);
}

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_config);
    TAP_CASE(test_gratuitous_arp);
    TAP_CASE(test_arp_reply);
    TAP_CASE(test_arp_conflict);
    TAP_CASE(test_ping4_resolve);
    TAP_CASE(test_arp_timeout);
    TAP_CASE(test_ipv4_refusals);
    TAP_CASE(test_reass4);
    TAP_CASE(test_reass_limits);
    TAP_CASE(test_ping_of_death);
    TAP_CASE(test_udp);
    TAP_CASE(test_offload_rx);
    TAP_CASE(test_neigh_flood);
    TAP_CASE(test_dad);
    TAP_CASE(test_ping6);
    TAP_CASE(test_ext_headers);
    TAP_CASE(test_slaac_and_ptb);
    TAP_CASE(test_pmtu_fragments6);
    TAP_CASE(test_dhcp);
    TAP_CASE(test_loopback);
    TAP_CASE(test_reass6_timeout);
    TAP_CASE(test_device_drop);
    return tap_done();
}

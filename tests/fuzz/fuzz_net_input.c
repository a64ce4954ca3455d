/* libFuzzer target: arbitrary frames and timer ticks into a direct stack. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mote/core.h>
#include <mote/error.h>
#include <mote/net.h>
#include <mote/stack.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: one configuration byte, then records:
 *
 *   OFF SIZE MEANING
 *     0    1 kind: even = a frame, odd = a tick; a frame with kind & 2
 *            comes with the device's word (mote_net_input_gso): kind & 4
 *            NEEDS_CSUM, kind & 8 DATA_VALID, (kind >> 4) % 3 the
 *            gso_type, so receive offloads (partial checksums, super-
 *            frames over the MTU) are fuzzed too
 *     1    2 frame: its length (big-endian, then that many bytes, cut
 *            short at the end of the input); tick: milliseconds to advance
 *
 * The configuration byte picks static addresses (with or without DAD) or
 * DHCP, so every parser is reachable: Ethernet, ARP, IPv4 + options +
 * fragments, ICMP, IPv6 + extension headers + fragments, ICMPv6, NDP,
 * UDP, DHCP replies, and the TCP input; mode & 16 gives the stack send
 * offloads. Invariants checked: every plain frame the stack sends is a
 * whole Ethernet frame no longer than mtu + 14, every offloaded one has a
 * descriptor inside the frame, and the stack frees everything (libFuzzer's
 * leak check) at the end.
 */

#define MTU 1500

/* The UDP face pulls in the scheduler, which calls the application's entry
 * point; a fuzzer has none and never boots. */
int mote_main(int argc, char **argv)
{
    (void)argc, (void)argv;
    abort();
}

static const uint8_t our_mac[6] = {0x02, 0, 0, 0, 0, 0x02};

static int send_frame(void *ctx, const uint8_t *frame, size_t len)
{
    (void)ctx;
    if (len < 14 || len > MTU + 14)
        abort();
    /* Touch every byte, so ASan catches reads of freed or short buffers. */
    volatile uint8_t x = 0;
    for (size_t i = 0; i < len; i++)
        x ^= frame[i];
    (void)x;
    return 0;
}

static int send_gso(void *ctx, const uint8_t *frame, size_t len,
                    const struct mote_net_gso *g)
{
    if (len > 65535 + 14 || !(g->flags & MOTE_NET_GSO_F_NEEDS_CSUM) ||
        (size_t)g->csum_start + g->csum_offset + 2 > len || g->hdr_len > len ||
        (g->gso_type != MOTE_NET_GSO_NONE && !g->gso_size) ||
        (g->gso_type == MOTE_NET_GSO_NONE && len > MTU + 14))
        abort();
    (void)ctx;
    volatile uint8_t x = 0;
    for (size_t i = 0; i < len; i++)
        x ^= frame[i];
    (void)x;
    return 0;
}

static void random_bytes(void *ctx, void *buf, size_t n)
{
    uint32_t *s = ctx;
    uint8_t *p = buf;
    for (size_t i = 0; i < n; i++) {
        *s = *s * 1103515245u + 12345u;
        p[i] = (uint8_t)(*s >> 16);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    uint32_t seed = mode;
    struct mote_net_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    memcpy(cfg.mac.bytes, our_mac, 6);
    cfg.mtu = MTU;
    cfg.send_frame = send_frame;
    cfg.random = random_bytes;
    cfg.random_ctx = &seed;
    cfg.reass_mem_max = 128 * 1024;
    if (mode & 1) {
        cfg.dhcp = true;
    } else {
        mote_ipprefix_parse("10.0.0.2/24", 11, &cfg.ipv4);
        cfg.ipv4_gateway = mote_ipaddr_v4(10, 0, 0, 1);
    }
    if (mode & 2) {
        mote_ipprefix_parse("fd00::2/64", 10, &cfg.ipv6[0]);
        cfg.ipv6_count = 1;
    }
    cfg.no_dad = (mode & 4) != 0;
    cfg.no_slaac = (mode & 8) != 0;
    if (mode & 16) {
        cfg.send_gso = send_gso;
        cfg.offloads = MOTE_NET_OFFLOAD_CSUM | MOTE_NET_OFFLOAD_TSO4 |
                       MOTE_NET_OFFLOAD_TSO6;
    }

    uint64_t now = 1000 * MOTE_NS_PER_SEC;
    struct mote_net *n;
    if (mote_net_new(&cfg, now, &n) != 0)
        abort();
    /* A UDP endpoint on port 7 so datagrams are queued, not refused. */
    struct mote_endpoint ep = {.port = 7};
    struct mote_udp *u = NULL;
    if (mote_udp_open(mote_net_stack(n), &ep, &u) != 0)
        abort();

    size_t i = 1;
    while (i + 3 <= size) {
        uint8_t kind = data[i];
        size_t len = (size_t)data[i + 1] << 8 | data[i + 2];
        i += 3;
        if (kind & 1) {
            now += len * MOTE_NS_PER_MS;
            if (mote_net_deadline(n) <= now)
                mote_net_tick(n, now);
            continue;
        }
        if (len > size - i)
            len = size - i;
        /* Copy so ASan sees the exact frame length. */
        uint8_t *f = malloc(len ? len : 1);
        memcpy(f, data + i, len);
        if (kind & 2) {
            struct mote_net_gso g = {0};
            g.flags = (uint8_t)(((kind & 4) ? MOTE_NET_GSO_F_NEEDS_CSUM : 0) |
                                ((kind & 8) ? MOTE_NET_GSO_F_DATA_VALID : 0));
            g.gso_type = (uint8_t)((kind >> 4) % 3);
            g.gso_size = 1448;
            mote_net_input_gso(n, now, f, len, &g);
        } else {
            mote_net_input(n, now, f, len);
        }
        free(f);
        i += len;
    }
    /* Run the clock far ahead: every timer fires, partial datagrams and
     * neighbour queues are dropped. */
    for (int k = 0; k < 8; k++) {
        now += 3600 * MOTE_NS_PER_SEC;
        mote_net_tick(n, now);
    }
    mote_udp_close(u);
    mote_net_free(n);
    return 0;
}

/* libFuzzer target: every ipaddr parser, then print -> reparse round trips. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mote/error.h>
#include <mote/ipaddr.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Printing a parsed address and parsing the text again must give the same
 * address, and printing that must give the same text (canonical form is a
 * fixed point). */
static void round_trip(const struct mote_ipaddr *a)
{
    char t1[MOTE_IPADDR_STRLEN], t2[MOTE_IPADDR_STRLEN];
    int n = mote_ipaddr_print(a, t1, sizeof t1);
    if (n <= 0 || n >= MOTE_IPADDR_STRLEN || (size_t)n != strlen(t1))
        abort();
    struct mote_ipaddr b;
    if (mote_ipaddr_parse(t1, (size_t)n, &b) != 0 ||
        !mote_ipaddr_equal(a, &b) || memcmp(a, &b, sizeof b) != 0 ||
        mote_ipaddr_compare(a, &b) != 0)
        abort();
    if (mote_ipaddr_print(&b, t2, sizeof t2) != n || strcmp(t1, t2) != 0)
        abort();
    /* A buffer one byte short must be refused, not overrun. */
    char *tight = malloc((size_t)n);
    if (!tight || mote_ipaddr_print(a, tight, (size_t)n) != MOTE_ENOSPC)
        abort();
    free(tight);
    (void)mote_ipaddr_scope(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct mote_ipaddr a4, a6, a;
    int r4 = mote_ipaddr_parse_v4(s, size, &a4);
    int r6 = mote_ipaddr_parse_v6(s, size, &a6);
    int r = mote_ipaddr_parse(s, size, &a);
    if ((r4 != 0 && r4 != MOTE_EINVAL) || (r6 != 0 && r6 != MOTE_EINVAL))
        abort();
    if (r4 == 0 && r6 == 0)
        abort(); /* no text is both */
    /* The generic parser agrees with whichever family parser accepted. */
    if (r != (r4 == 0 || r6 == 0 ? 0 : MOTE_EINVAL))
        abort();
    if (r4 == 0) {
        if (memcmp(&a, &a4, sizeof a) != 0 || a4.family != MOTE_IP_V4)
            abort();
        round_trip(&a4);
        struct mote_ipaddr m = mote_ipaddr_v4_to_mapped(&a4), back;
        if (!mote_ipaddr_mapped_to_v4(&m, &back) ||
            memcmp(&back, &a4, sizeof back) != 0)
            abort();
        round_trip(&m);
    }
    if (r6 == 0) {
        if (memcmp(&a, &a6, sizeof a) != 0 || a6.family != MOTE_IP_V6)
            abort();
        round_trip(&a6);
        struct mote_ipaddr sn = mote_ipaddr_solicited_node(&a6);
        round_trip(&sn);
    }

    struct mote_ipprefix p, q;
    if (mote_ipprefix_parse(s, size, &p) == 0) {
        char t[MOTE_IPADDR_STRLEN];
        int n = mote_ipprefix_print(&p, t, sizeof t);
        if (n <= 0 || mote_ipprefix_parse(t, (size_t)n, &q) != 0 ||
            q.len != p.len || memcmp(&q.addr, &p.addr, sizeof p.addr) != 0)
            abort();
        struct mote_ipprefix net = mote_ipprefix_network(&p);
        struct mote_ipaddr last = mote_ipprefix_last(&p);
        if (!mote_ipprefix_contains(&p, &net.addr) ||
            !mote_ipprefix_contains(&p, &last) ||
            !mote_ipprefix_subset(&net, &p) || !mote_ipprefix_subset(&p, &net))
            abort();
    }

    struct mote_macaddr m, m2;
    if (mote_macaddr_parse(s, size, &m) == 0) {
        char t[MOTE_MACADDR_STRLEN];
        if (mote_macaddr_print(&m, t, sizeof t) != 17 ||
            mote_macaddr_parse(t, 17, &m2) != 0 || memcmp(&m, &m2, 6) != 0)
            abort();
        struct mote_ipaddr ll = mote_ipaddr_link_local_from_mac(&m);
        round_trip(&ll);
    }

    /* Raw bytes as an address: exercises the printer on every bit pattern,
     * not only on ones that came from text. */
    if (size >= 16) {
        struct mote_ipaddr raw = mote_ipaddr_from_v6_bytes(data);
        round_trip(&raw);
        struct mote_ipaddr raw4 = mote_ipaddr_from_v4_bytes(data);
        round_trip(&raw4);
    }
    return 0;
}

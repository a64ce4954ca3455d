/* IPv4, IPv6 and MAC addresses: text forms, prefix arithmetic, scopes. */
#include <mote/error.h>
#include <mote/ipaddr.h>

/*
 * IMPLEMENTATION NOTES
 *
 * Freestanding: no libc, so the few byte loops (copy, compare, length) are
 * written out here rather than waiting for the libc subset.
 *
 * Parsers accept exactly the language of glibc's inet_pton (the test oracle)
 * plus, for IPv6, an RFC 4007 "%zone" suffix. They index s only below len,
 * so a non-terminated or hostile buffer is safe, and any byte outside the
 * grammar (including NUL) is a plain mismatch. They build the result in a
 * local and store it only on success, which is how *out stays unchanged on
 * error.
 *
 * Printers format into a local buffer of MOTE_IPADDR_STRLEN bytes (the
 * longest output is 59 bytes with its NUL; see print_addr) and copy out
 * only if the caller's buffer is big enough.
 */

/* ---- Small helpers ------------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static void zero_addr(struct mote_ipaddr *a)
{
    a->family = MOTE_IP_NONE;
    for (size_t i = 0; i < sizeof a->bytes; i++)
        a->bytes[i] = 0;
    for (size_t i = 0; i < sizeof a->zone; i++)
        a->zone[i] = 0;
}

/* Length of a's zone; bounded so that a caller-built address without a
 * terminating NUL cannot make us read past the array. */
static size_t zone_len(const struct mote_ipaddr *a)
{
    size_t n = 0;
    while (n < MOTE_IPADDR_ZONE_MAX - 1 && a->zone[n] != 0)
        n++;
    return n;
}

static uint16_t word_at(const uint8_t *b, int i)
{
    return (uint16_t)(b[2 * i] << 8 | b[2 * i + 1]);
}

/* ::ffff:0:0/96, RFC 4291 section 2.5.5.2. */
static bool is_mapped(const struct mote_ipaddr *a)
{
    if (a->family != MOTE_IP_V6)
        return false;
    for (int i = 0; i < 10; i++)
        if (a->bytes[i] != 0)
            return false;
    return a->bytes[10] == 0xff && a->bytes[11] == 0xff;
}

/* ---- Construction -------------------------------------------------------- */

struct mote_ipaddr mote_ipaddr_v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    struct mote_ipaddr r;
    zero_addr(&r);
    r.family = MOTE_IP_V4;
    r.bytes[0] = a;
    r.bytes[1] = b;
    r.bytes[2] = c;
    r.bytes[3] = d;
    return r;
}

struct mote_ipaddr mote_ipaddr_from_v4_bytes(const uint8_t bytes[4])
{
    return mote_ipaddr_v4(bytes[0], bytes[1], bytes[2], bytes[3]);
}

struct mote_ipaddr mote_ipaddr_from_v6_bytes(const uint8_t bytes[16])
{
    struct mote_ipaddr r;
    zero_addr(&r);
    r.family = MOTE_IP_V6;
    for (int i = 0; i < 16; i++)
        r.bytes[i] = bytes[i];
    return r;
}

uint32_t mote_ipaddr_v4_u32(const struct mote_ipaddr *a)
{
    if (a->family != MOTE_IP_V4)
        return 0;
    return (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 |
           (uint32_t)a->bytes[2] << 8 | (uint32_t)a->bytes[3];
}

struct mote_ipaddr mote_ipaddr_any_v4(void)
{
    return mote_ipaddr_v4(0, 0, 0, 0);
}

struct mote_ipaddr mote_ipaddr_any_v6(void)
{
    struct mote_ipaddr r;
    zero_addr(&r);
    r.family = MOTE_IP_V6;
    return r;
}

/* ---- Parsing ------------------------------------------------------------- */

/* Strict dotted quad: exactly four parts, each "0" or 1..3 digits without a
 * leading zero, value <= 255. Leading zeros are refused because the BSD
 * inet_aton reads them as octal ("010" is 8): accepting them would give the
 * same text two meanings across tools. */
static int parse_v4_bytes(const char *s, size_t len, uint8_t out[4])
{
    uint8_t b[4];
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= len || s[i] != '.')
                return MOTE_EINVAL;
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < len && is_digit(s[i])) {
            if (i - start == 3)
                return MOTE_EINVAL;
            v = v * 10 + (unsigned)(s[i] - '0');
            i++;
        }
        if (i == start || v > 255)
            return MOTE_EINVAL;
        if (s[start] == '0' && i - start > 1)
            return MOTE_EINVAL;
        b[part] = (uint8_t)v;
    }
    if (i != len)
        return MOTE_EINVAL;
    for (int k = 0; k < 4; k++)
        out[k] = b[k];
    return 0;
}

/* RFC 4291 section 2.2: eight groups of 1..4 hex digits separated by ':';
 * one "::" stands for one or more zero groups (so "::" plus eight groups is
 * refused); the last two groups may be written as a dotted quad (form 3),
 * which then must end the text. A lone leading or trailing ':' is refused. */
static int parse_v6_bytes(const char *s, size_t len, uint8_t out[16])
{
    uint16_t g[8];
    int ng = 0;
    int gap = -1; /* index in g where "::" stands, or -1 */
    size_t i = 0;

    if (len >= 1 && s[0] == ':') {
        if (len < 2 || s[1] != ':')
            return MOTE_EINVAL;
        gap = 0;
        i = 2;
    }
    while (i < len) {
        size_t start = i;
        unsigned v = 0;
        while (i < len && i - start < 4 && hexval(s[i]) >= 0)
            v = v << 4 | (unsigned)hexval(s[i++]);
        if (i < len && s[i] == '.') {
            /* The digits read so far are the first part of a dotted quad,
             * which runs to the end of the text. */
            uint8_t q[4];
            if (ng > 6 || parse_v4_bytes(s + start, len - start, q) != 0)
                return MOTE_EINVAL;
            g[ng++] = (uint16_t)(q[0] << 8 | q[1]);
            g[ng++] = (uint16_t)(q[2] << 8 | q[3]);
            i = len;
            break;
        }
        if (i == start || ng == 8)
            return MOTE_EINVAL;
        if (i < len && hexval(s[i]) >= 0)
            return MOTE_EINVAL; /* a fifth hex digit */
        g[ng++] = (uint16_t)v;
        if (i == len)
            break;
        if (s[i] != ':')
            return MOTE_EINVAL;
        i++;
        if (i == len)
            return MOTE_EINVAL; /* trailing single ':' */
        if (s[i] == ':') {
            if (gap >= 0)
                return MOTE_EINVAL; /* second "::" */
            gap = ng;
            i++;
        }
    }
    if (gap < 0 ? ng != 8 : ng > 7)
        return MOTE_EINVAL;

    /* Expand "::" to however many zero groups make eight. */
    uint16_t w[8];
    int fill = 8 - ng;
    int k = 0;
    for (int j = 0; j < ng; j++) {
        if (j == gap)
            for (int z = 0; z < fill; z++)
                w[k++] = 0;
        w[k++] = g[j];
    }
    while (k < 8)
        w[k++] = 0; /* "::" at the end (or "::" alone) */
    for (int j = 0; j < 8; j++) {
        out[2 * j] = (uint8_t)(w[j] >> 8);
        out[2 * j + 1] = (uint8_t)w[j];
    }
    return 0;
}

/* RFC 4007 section 11.2 leaves the zone syntax to the implementation; we
 * take printable ASCII but not '%' (the separator), '/' (it starts the
 * prefix length in "fe80::1%eth0/64", section 11.7) or space, and bound it
 * by the struct field. */
static bool zone_ok(const char *z, size_t len)
{
    if (len < 1 || len > MOTE_IPADDR_ZONE_MAX - 1)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = z[i];
        if (c <= ' ' || c > '~' || c == '%' || c == '/')
            return false;
    }
    return true;
}

int mote_ipaddr_parse_v4(const char *s, size_t len, struct mote_ipaddr *out)
{
    uint8_t b[4];
    if (parse_v4_bytes(s, len, b) != 0)
        return MOTE_EINVAL;
    *out = mote_ipaddr_from_v4_bytes(b);
    return 0;
}

int mote_ipaddr_parse_v6(const char *s, size_t len, struct mote_ipaddr *out)
{
    size_t alen = 0;
    while (alen < len && s[alen] != '%')
        alen++;
    uint8_t b[16];
    if (parse_v6_bytes(s, alen, b) != 0)
        return MOTE_EINVAL;
    struct mote_ipaddr r = mote_ipaddr_from_v6_bytes(b);
    if (alen < len) {
        const char *z = s + alen + 1;
        size_t zlen = len - alen - 1;
        if (!zone_ok(z, zlen))
            return MOTE_EINVAL;
        for (size_t i = 0; i < zlen; i++)
            r.zone[i] = z[i];
    }
    *out = r;
    return 0;
}

int mote_ipaddr_parse(const char *s, size_t len, struct mote_ipaddr *out)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == ':')
            return mote_ipaddr_parse_v6(s, len, out);
    return mote_ipaddr_parse_v4(s, len, out);
}

int mote_ipprefix_parse(const char *s, size_t len, struct mote_ipprefix *out)
{
    /* Neither an address nor a zone contains '/', so the first one splits. */
    size_t slash = 0;
    while (slash < len && s[slash] != '/')
        slash++;
    if (slash == len)
        return MOTE_EINVAL;
    struct mote_ipaddr a;
    if (mote_ipaddr_parse(s, slash, &a) != 0)
        return MOTE_EINVAL;
    const char *d = s + slash + 1;
    size_t dlen = len - slash - 1;
    /* At most 3 digits ("128"), no leading zero, so "/0" but not "/00". */
    if (dlen < 1 || dlen > 3 || (d[0] == '0' && dlen > 1))
        return MOTE_EINVAL;
    unsigned v = 0;
    for (size_t i = 0; i < dlen; i++) {
        if (!is_digit(d[i]))
            return MOTE_EINVAL;
        v = v * 10 + (unsigned)(d[i] - '0');
    }
    if (v > (a.family == MOTE_IP_V4 ? 32u : 128u))
        return MOTE_EINVAL;
    out->addr = a;
    out->len = (uint8_t)v;
    return 0;
}

int mote_macaddr_parse(const char *s, size_t len, struct mote_macaddr *out)
{
    /* Six pairs and five separators. */
    if (len != 17)
        return MOTE_EINVAL;
    char sep = s[2];
    if (sep != ':' && sep != '-')
        return MOTE_EINVAL;
    uint8_t b[6];
    for (int k = 0; k < 6; k++) {
        const char *p = s + 3 * k;
        int hi = hexval(p[0]), lo = hexval(p[1]);
        if (hi < 0 || lo < 0 || (k < 5 && p[2] != sep))
            return MOTE_EINVAL;
        b[k] = (uint8_t)(hi << 4 | lo);
    }
    for (int k = 0; k < 6; k++)
        out->bytes[k] = b[k];
    return 0;
}

/* ---- Printing ------------------------------------------------------------ */

/* An append-only cursor over a local buffer that is always big enough. */
struct text {
    char buf[MOTE_IPADDR_STRLEN];
    size_t n;
};

static void put_char(struct text *t, char c)
{
    t->buf[t->n++] = c;
}

static void put_str(struct text *t, const char *s)
{
    while (*s)
        put_char(t, *s++);
}

static void put_dec(struct text *t, unsigned v)
{
    char d[10];
    int n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        put_char(t, d[--n]);
}

static const char hexdig[] = "0123456789abcdef";

/* RFC 5952 section 4.1 (no leading zeros) and 4.3 (lower case). */
static void put_hex16(struct text *t, unsigned v)
{
    bool started = false;
    for (int sh = 12; sh >= 0; sh -= 4) {
        unsigned d = v >> sh & 0xf;
        if (d || started || sh == 0) {
            put_char(t, hexdig[d]);
            started = true;
        }
    }
}

static void put_quad(struct text *t, const uint8_t *b)
{
    for (int i = 0; i < 4; i++) {
        if (i)
            put_char(t, '.');
        put_dec(t, b[i]);
    }
}

static void put_v6(struct text *t, const struct mote_ipaddr *a)
{
    /* RFC 5952 section 5: mixed notation for addresses with a well-known
     * IPv4-embedding prefix. We use it for IPv4-mapped only: the other
     * prefix RFC 4291 defines, IPv4-compatible ::/96, is deprecated
     * (section 2.5.5.1) and would print "::2" as a dotted quad whenever a
     * high group happens to be set, so unlike glibc it stays hex. */
    if (is_mapped(a)) {
        put_str(t, "::ffff:");
        put_quad(t, a->bytes + 12);
        return;
    }
    /* Section 4.2.3: compress the longest run of zero groups, the first
     * one on ties; section 4.2.2: never a single group. */
    int best = -1, bestlen = 1;
    for (int i = 0; i < 8;) {
        if (word_at(a->bytes, i) != 0) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && word_at(a->bytes, j) == 0)
            j++;
        if (j - i > bestlen) {
            best = i;
            bestlen = j - i;
        }
        i = j;
    }
    bool colon = false;
    for (int i = 0; i < 8;) {
        if (i == best) {
            put_str(t, "::");
            colon = false;
            i += bestlen;
            continue;
        }
        if (colon)
            put_char(t, ':');
        put_hex16(t, word_at(a->bytes, i));
        colon = true;
        i++;
    }
}

/* Longest case: 39 bytes of IPv6, '%', 15 of zone, "/128" and the NUL: 60,
 * within MOTE_IPADDR_STRLEN. */
static void put_addr(struct text *t, const struct mote_ipaddr *a)
{
    if (a->family == MOTE_IP_V4) {
        put_quad(t, a->bytes);
    } else if (a->family == MOTE_IP_V6) {
        put_v6(t, a);
        size_t zl = zone_len(a);
        if (zl) {
            put_char(t, '%');
            for (size_t i = 0; i < zl; i++)
                put_char(t, a->zone[i]);
        }
    } else {
        put_str(t, "none");
    }
}

static int emit(const struct text *t, char *buf, size_t size)
{
    if (size < t->n + 1) {
        if (size > 0)
            buf[0] = 0;
        return MOTE_ENOSPC;
    }
    for (size_t i = 0; i < t->n; i++)
        buf[i] = t->buf[i];
    buf[t->n] = 0;
    return (int)t->n;
}

int mote_ipaddr_print(const struct mote_ipaddr *a, char *buf, size_t size)
{
    struct text t;
    t.n = 0;
    put_addr(&t, a);
    return emit(&t, buf, size);
}

int mote_ipprefix_print(const struct mote_ipprefix *p, char *buf, size_t size)
{
    struct text t;
    t.n = 0;
    put_addr(&t, &p->addr);
    put_char(&t, '/');
    put_dec(&t, p->len);
    return emit(&t, buf, size);
}

int mote_macaddr_print(const struct mote_macaddr *m, char *buf, size_t size)
{
    struct text t;
    t.n = 0;
    for (int i = 0; i < 6; i++) {
        if (i)
            put_char(&t, ':');
        put_char(&t, hexdig[m->bytes[i] >> 4]);
        put_char(&t, hexdig[m->bytes[i] & 0xf]);
    }
    return emit(&t, buf, size);
}

/* ---- Comparison ---------------------------------------------------------- */

int mote_ipaddr_compare(const struct mote_ipaddr *a,
                        const struct mote_ipaddr *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    for (int i = 0; i < 16; i++)
        if (a->bytes[i] != b->bytes[i])
            return a->bytes[i] < b->bytes[i] ? -1 : 1;
    /* Zones as unsigned byte strings, so "" sorts first. */
    size_t la = zone_len(a), lb = zone_len(b);
    for (size_t i = 0; i < la && i < lb; i++) {
        unsigned char ca = (unsigned char)a->zone[i];
        unsigned char cb = (unsigned char)b->zone[i];
        if (ca != cb)
            return ca < cb ? -1 : 1;
    }
    return la < lb ? -1 : la > lb ? 1 : 0;
}

bool mote_ipaddr_equal(const struct mote_ipaddr *a, const struct mote_ipaddr *b)
{
    return mote_ipaddr_compare(a, b) == 0;
}

/* ---- Prefix arithmetic --------------------------------------------------- */

static unsigned addr_bits(const struct mote_ipaddr *a)
{
    return a->family == MOTE_IP_V4 ? 32 : a->family == MOTE_IP_V6 ? 128 : 0;
}

/* The prefix length clamped to the family, so a caller-built prefix with
 * len 200 means "the whole address" rather than an overrun. */
static unsigned prefix_len(const struct mote_ipprefix *p)
{
    unsigned bits = addr_bits(&p->addr);
    return p->len < bits ? p->len : bits;
}

/* Mask byte i of a /len prefix. */
static uint8_t mask_byte(unsigned len, int i)
{
    unsigned lo = (unsigned)i * 8;
    if (len >= lo + 8)
        return 0xff;
    if (len <= lo)
        return 0;
    return (uint8_t)(0xff00 >> (len - lo));
}

struct mote_ipprefix mote_ipprefix_network(const struct mote_ipprefix *p)
{
    struct mote_ipprefix r = *p;
    unsigned len = prefix_len(p);
    int nb = (int)addr_bits(&p->addr) / 8;
    for (int i = 0; i < nb; i++)
        r.addr.bytes[i] &= mask_byte(len, i);
    return r;
}

struct mote_ipaddr mote_ipprefix_netmask(const struct mote_ipprefix *p)
{
    struct mote_ipaddr r;
    zero_addr(&r);
    r.family = p->addr.family;
    unsigned len = prefix_len(p);
    int nb = (int)addr_bits(&p->addr) / 8;
    for (int i = 0; i < nb; i++)
        r.bytes[i] = mask_byte(len, i);
    return r;
}

struct mote_ipaddr mote_ipprefix_last(const struct mote_ipprefix *p)
{
    struct mote_ipaddr r = p->addr;
    unsigned len = prefix_len(p);
    int nb = (int)addr_bits(&p->addr) / 8;
    for (int i = 0; i < nb; i++)
        r.bytes[i] |= (uint8_t)~mask_byte(len, i);
    return r;
}

static bool prefix_match(const struct mote_ipaddr *net, unsigned len,
                         const struct mote_ipaddr *a)
{
    if (net->family != a->family || net->family == MOTE_IP_NONE)
        return false;
    int nb = (int)addr_bits(a) / 8;
    for (int i = 0; i < nb; i++) {
        uint8_t m = mask_byte(len, i);
        if ((net->bytes[i] & m) != (a->bytes[i] & m))
            return false;
    }
    return true;
}

bool mote_ipprefix_contains(const struct mote_ipprefix *p,
                            const struct mote_ipaddr *a)
{
    return prefix_match(&p->addr, prefix_len(p), a);
}

bool mote_ipprefix_subset(const struct mote_ipprefix *inner,
                          const struct mote_ipprefix *outer)
{
    return prefix_len(inner) >= prefix_len(outer) &&
           prefix_match(&outer->addr, prefix_len(outer), &inner->addr);
}

/* ---- Conversion ---------------------------------------------------------- */

struct mote_ipaddr mote_ipaddr_v4_to_mapped(const struct mote_ipaddr *a)
{
    if (a->family != MOTE_IP_V4)
        return *a;
    struct mote_ipaddr r = mote_ipaddr_any_v6();
    r.bytes[10] = 0xff;
    r.bytes[11] = 0xff;
    for (int i = 0; i < 4; i++)
        r.bytes[12 + i] = a->bytes[i];
    return r;
}

bool mote_ipaddr_mapped_to_v4(const struct mote_ipaddr *a,
                              struct mote_ipaddr *out)
{
    if (!is_mapped(a))
        return false;
    *out = mote_ipaddr_from_v4_bytes(a->bytes + 12);
    return true;
}

struct mote_ipaddr
mote_ipaddr_link_local_from_mac(const struct mote_macaddr *mac)
{
    struct mote_ipaddr r = mote_ipaddr_any_v6();
    r.bytes[0] = 0xfe;
    r.bytes[1] = 0x80;
    /* RFC 4291 appendix A: EUI-48 -> modified EUI-64 inserts ff:fe in the
     * middle and inverts the universal/local bit (0x02 of the first byte). */
    r.bytes[8] = mac->bytes[0] ^ 0x02;
    r.bytes[9] = mac->bytes[1];
    r.bytes[10] = mac->bytes[2];
    r.bytes[11] = 0xff;
    r.bytes[12] = 0xfe;
    r.bytes[13] = mac->bytes[3];
    r.bytes[14] = mac->bytes[4];
    r.bytes[15] = mac->bytes[5];
    return r;
}

struct mote_ipaddr mote_ipaddr_solicited_node(const struct mote_ipaddr *a)
{
    struct mote_ipaddr r;
    zero_addr(&r);
    if (a->family != MOTE_IP_V6)
        return r;
    /* RFC 4291 section 2.7.1: ff02::1:ff00:0/104 + the low 24 bits. */
    r.family = MOTE_IP_V6;
    r.bytes[0] = 0xff;
    r.bytes[1] = 0x02;
    r.bytes[11] = 0x01;
    r.bytes[12] = 0xff;
    r.bytes[13] = a->bytes[13];
    r.bytes[14] = a->bytes[14];
    r.bytes[15] = a->bytes[15];
    return r;
}

struct mote_macaddr mote_macaddr_of_multicast(const struct mote_ipaddr *a)
{
    struct mote_macaddr m = {{0, 0, 0, 0, 0, 0}};
    if (a->family == MOTE_IP_V4) {
        /* RFC 1112 section 6.4: 01:00:5e, a zero bit, the low 23 bits. */
        m.bytes[0] = 0x01;
        m.bytes[1] = 0x00;
        m.bytes[2] = 0x5e;
        m.bytes[3] = a->bytes[1] & 0x7f;
        m.bytes[4] = a->bytes[2];
        m.bytes[5] = a->bytes[3];
    } else if (a->family == MOTE_IP_V6) {
        /* RFC 2464 section 7: 33:33 and the low 32 bits. */
        m.bytes[0] = 0x33;
        m.bytes[1] = 0x33;
        for (int i = 0; i < 4; i++)
            m.bytes[2 + i] = a->bytes[12 + i];
    }
    return m;
}

/* ---- Classification ------------------------------------------------------ */

/* A range as a prefix of the address bytes: the first len bits of net. */
struct range {
    uint8_t net[4];
    uint8_t len;
    uint8_t scope;
};

/* First match wins, so 0.0.0.0/32 precedes 0/8 and the broadcast address
 * precedes 240/4. Sources: RFC 1122 section 3.2.1.3 (0/8, 127/8), RFC 3927
 * (169.254/16), RFC 5771 (224/4), RFC 1918 and RFC 6598 (private and shared
 * space), RFC 919 (broadcast), RFC 1112 section 4 (240/4), RFC 5737
 * (documentation). */
static const struct range v4_ranges[] = {
    {{0, 0, 0, 0}, 32, MOTE_SCOPE_UNSPECIFIED},
    {{255, 255, 255, 255}, 32, MOTE_SCOPE_BROADCAST},
    {{0, 0, 0, 0}, 8, MOTE_SCOPE_RESERVED},
    {{127, 0, 0, 0}, 8, MOTE_SCOPE_LOOPBACK},
    {{169, 254, 0, 0}, 16, MOTE_SCOPE_LINK_LOCAL},
    {{224, 0, 0, 0}, 4, MOTE_SCOPE_MULTICAST},
    {{10, 0, 0, 0}, 8, MOTE_SCOPE_PRIVATE},
    {{172, 16, 0, 0}, 12, MOTE_SCOPE_PRIVATE},
    {{192, 168, 0, 0}, 16, MOTE_SCOPE_PRIVATE},
    {{100, 64, 0, 0}, 10, MOTE_SCOPE_PRIVATE},
    {{240, 0, 0, 0}, 4, MOTE_SCOPE_RESERVED},
    {{192, 0, 2, 0}, 24, MOTE_SCOPE_RESERVED},
    {{198, 51, 100, 0}, 24, MOTE_SCOPE_RESERVED},
    {{203, 0, 113, 0}, 24, MOTE_SCOPE_RESERVED},
};

/* IPv6 ranges past the first 32 bits are handled in code (:: and ::1).
 * Sources: RFC 4291 section 2.4 (link-local, multicast), RFC 4193 (unique
 * local fc00::/7), RFC 3849 and RFC 9637 (documentation). */
static const struct range v6_ranges[] = {
    {{0xfe, 0x80, 0, 0}, 10, MOTE_SCOPE_LINK_LOCAL},
    {{0xff, 0, 0, 0}, 8, MOTE_SCOPE_MULTICAST},
    {{0xfc, 0, 0, 0}, 7, MOTE_SCOPE_PRIVATE},
    {{0x20, 0x01, 0x0d, 0xb8}, 32, MOTE_SCOPE_RESERVED},
    {{0x3f, 0xff, 0, 0}, 20, MOTE_SCOPE_RESERVED},
};

static enum mote_ipscope match_ranges(const uint8_t *b, const struct range *r,
                                      size_t n)
{
    for (size_t k = 0; k < n; k++) {
        bool hit = true;
        for (int i = 0; i < 4 && hit; i++) {
            uint8_t m = mask_byte(r[k].len, i);
            hit = (b[i] & m) == (r[k].net[i] & m);
        }
        if (hit)
            return (enum mote_ipscope)r[k].scope;
    }
    return MOTE_SCOPE_GLOBAL;
}

enum mote_ipscope mote_ipaddr_scope(const struct mote_ipaddr *a)
{
    if (a->family == MOTE_IP_V4)
        return match_ranges(a->bytes, v4_ranges,
                            sizeof v4_ranges / sizeof v4_ranges[0]);
    if (a->family != MOTE_IP_V6)
        return MOTE_SCOPE_NONE;
    if (is_mapped(a))
        return match_ranges(a->bytes + 12, v4_ranges,
                            sizeof v4_ranges / sizeof v4_ranges[0]);
    bool high_zero = true;
    for (int i = 0; i < 15 && high_zero; i++)
        high_zero = a->bytes[i] == 0;
    if (high_zero && a->bytes[15] == 0)
        return MOTE_SCOPE_UNSPECIFIED;
    if (high_zero && a->bytes[15] == 1)
        return MOTE_SCOPE_LOOPBACK;
    return match_ranges(a->bytes, v6_ranges,
                        sizeof v6_ranges / sizeof v6_ranges[0]);
}

const char *mote_ipscope_name(enum mote_ipscope s)
{
    switch (s) {
    case MOTE_SCOPE_NONE:
        return "none";
    case MOTE_SCOPE_UNSPECIFIED:
        return "unspecified";
    case MOTE_SCOPE_LOOPBACK:
        return "loopback";
    case MOTE_SCOPE_LINK_LOCAL:
        return "link-local";
    case MOTE_SCOPE_MULTICAST:
        return "multicast";
    case MOTE_SCOPE_PRIVATE:
        return "private";
    case MOTE_SCOPE_BROADCAST:
        return "broadcast";
    case MOTE_SCOPE_RESERVED:
        return "reserved";
    case MOTE_SCOPE_GLOBAL:
        return "global";
    }
    return "unknown";
}

bool mote_ipaddr_is_unspecified(const struct mote_ipaddr *a)
{
    return mote_ipaddr_scope(a) == MOTE_SCOPE_UNSPECIFIED;
}

bool mote_ipaddr_is_loopback(const struct mote_ipaddr *a)
{
    return mote_ipaddr_scope(a) == MOTE_SCOPE_LOOPBACK;
}

bool mote_ipaddr_is_multicast(const struct mote_ipaddr *a)
{
    return mote_ipaddr_scope(a) == MOTE_SCOPE_MULTICAST;
}

bool mote_ipaddr_is_link_local(const struct mote_ipaddr *a)
{
    return mote_ipaddr_scope(a) == MOTE_SCOPE_LINK_LOCAL;
}

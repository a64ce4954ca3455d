/* Server identity (RFC 9525) and name-constraint matching (RFC 5280
 * 4.2.1.10) on DNS names, IP addresses and email addresses. */
#include <string.h>

#include <mote/der.h>
#include <mote/error.h>
#include <mote/x509_verify.h>

#include "verify_int.h"

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool ieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return false;
    return true;
}

static bool ldh(int c)
{
    /* Letters, digits, hyphen; underscore too, because real host names
     * carry it (SRV-style labels) and it is harmless to compare. */
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* A syntactically valid DNS name of len bytes (no trailing dot): labels of
 * 1..63 LDH characters, 253 bytes at most. If star is set, the first label
 * may be exactly "*". */
static bool valid_dns(const char *s, size_t len, bool star)
{
    if (len == 0 || len > MOTE_X509_DNS_MAX)
        return false;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.') {
            if (label == 0)
                return false;
            label = 0;
            continue;
        }
        if (s[i] == '*' && star && i == 0 && len > 1 && s[1] == '.') {
            label = 1;
            continue;
        }
        if (!ldh((unsigned char)s[i]) || ++label > 63)
            return false;
    }
    return label != 0;
}

int mote_x509_id_parse(struct mote_x509_id *id, const char *s, size_t len)
{
    if (!id || (!s && len))
        return MOTE_EINVAL;
    memset(id, 0, sizeof *id);
    if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
        s++;
        len -= 2;
        if (memchr(s, ':', len) == NULL)
            return MOTE_EINVAL;
    }
    struct mote_ipaddr ip;
    if (memchr(s, ':', len) != NULL) {
        /* A zone names an interface of this host: never in a certificate. */
        if (mote_ipaddr_parse_v6(s, len, &ip) != 0 || ip.zone[0])
            return MOTE_EINVAL;
        id->type = MOTE_X509_ID_IP;
        id->ip = ip;
        return 0;
    }
    if (mote_ipaddr_parse_v4(s, len, &ip) == 0) {
        id->type = MOTE_X509_ID_IP;
        id->ip = ip;
        return 0;
    }
    /* One trailing dot is the absolute form of the same name. */
    if (len > 1 && s[len - 1] == '.')
        len--;
    if (!valid_dns(s, len, false))
        return MOTE_EINVAL;
    /* A numeric top label is no host name ("192.0.2.300", "1.2.3"). */
    size_t last = len;
    while (last > 0 && s[last - 1] != '.')
        last--;
    bool numeric = true;
    for (size_t i = last; i < len; i++)
        numeric = numeric && s[i] >= '0' && s[i] <= '9';
    if (numeric)
        return MOTE_EINVAL;
    for (size_t i = 0; i < len; i++)
        id->dns[i] = (char)lower((unsigned char)s[i]);
    id->dns[len] = '\0';
    id->dns_len = len;
    id->type = MOTE_X509_ID_DNS;
    return 0;
}

bool mote_x509_dns_matches(const char *presented, size_t plen,
                           const struct mote_x509_id *id)
{
    if (!id || id->type != MOTE_X509_ID_DNS || (!presented && plen))
        return false;
    if (plen > 1 && presented[plen - 1] == '.')
        plen--;
    if (!valid_dns(presented, plen, true))
        return false;
    if (presented[0] != '*')
        return plen == id->dns_len && ieq(presented, id->dns, plen);
    /* RFC 9525 6.3: the wildcard is the whole left-most label and stands
     * for exactly one label. The rest must be at least two labels, so that
     * "*.com" matches nothing (the public-suffix list is not consulted). */
    const char *suffix = presented + 1; /* ".example.com" */
    size_t slen = plen - 1;
    if (memchr(suffix + 1, '.', slen - 1) == NULL)
        return false;
    const char *dot = memchr(id->dns, '.', id->dns_len);
    if (!dot || dot == id->dns)
        return false;
    size_t rest = id->dns_len - (size_t)(dot - id->dns);
    return rest == slen && ieq(dot, suffix, slen);
}

bool mote_x509_ip_matches(const uint8_t *san, size_t len,
                          const struct mote_x509_id *id)
{
    if (!id || id->type != MOTE_X509_ID_IP || !san)
        return false;
    if (id->ip.family == MOTE_IP_V4)
        return len == 4 && memcmp(san, id->ip.bytes, 4) == 0;
    if (id->ip.family == MOTE_IP_V6)
        return len == 16 && memcmp(san, id->ip.bytes, 16) == 0;
    return false;
}

/* ---- Name constraints (RFC 5280 4.2.1.10) ----------------------------------
 */

/* Does the DNS name (a dNSName SAN, possibly a wildcard) fall within the
 * subtree c? "Any DNS name that can be constructed by simply adding zero or
 * more labels to the left-hand side" of c. A leading dot in c (a common
 * extension, as for email) means proper subdomains only; an empty c
 * matches everything. Case-insensitive. */
bool x509__nc_dns_within(const uint8_t *c, size_t clen, const uint8_t *name,
                         size_t nlen)
{
    const char *cs = (const char *)c, *ns = (const char *)name;
    if (clen == 0)
        return true;
    if (nlen > 1 && ns[nlen - 1] == '.')
        nlen--;
    if (clen > 1 && cs[clen - 1] == '.')
        clen--;
    if (cs[0] == '.')
        return nlen > clen && ieq(ns + nlen - clen, cs, clen);
    if (nlen == clen)
        return ieq(ns, cs, clen);
    return nlen > clen && ns[nlen - clen - 1] == '.' &&
           ieq(ns + nlen - clen, cs, clen);
}

/* Could a wildcard name ("*.example.com") stand for a name inside the
 * subtree c? True when the name is within c, or when c is exactly one label
 * below the wildcard's base ("bad.example.com"): then the wildcard covers
 * c itself. Used for excluded subtrees only. */
bool x509__nc_dns_overlaps(const uint8_t *c, size_t clen, const uint8_t *name,
                           size_t nlen)
{
    if (x509__nc_dns_within(c, clen, name, nlen))
        return true;
    if (nlen < 3 || name[0] != '*' || name[1] != '.')
        return false;
    const uint8_t *base = name + 2;
    size_t blen = nlen - 2;
    const char *cs = (const char *)c;
    if (clen > 0 && cs[0] == '.') {
        c++;
        clen--;
    }
    const char *dot = memchr(c, '.', clen);
    if (!dot)
        return false;
    size_t rest = clen - (size_t)(dot - (const char *)c) - 1;
    return rest == blen && ieq(dot + 1, (const char *)base, blen);
}

/* iPAddress constraint: address then mask, 8 bytes (IPv4) or 32 (IPv6). */
bool x509__nc_ip_within(const uint8_t *c, size_t clen, const uint8_t *ip,
                        size_t iplen)
{
    if (clen != 2 * iplen || (iplen != 4 && iplen != 16))
        return false;
    for (size_t i = 0; i < iplen; i++)
        if ((ip[i] & c[iplen + i]) != (c[i] & c[iplen + i]))
            return false;
    return true;
}

/* rfc822Name constraint: "user@host" is that mailbox, "host" every
 * mailbox at that host, ".domain" every mailbox at a host within the
 * domain (not at the domain itself). Host parts compare case-insensitively,
 * local parts exactly. An address without '@' is not a mailbox: no match. */
bool x509__nc_email_within(const uint8_t *c, size_t clen, const uint8_t *addr,
                           size_t alen)
{
    const char *cs = (const char *)c, *as = (const char *)addr;
    const char *at = NULL;
    for (size_t i = alen; i > 0; i--)
        if (as[i - 1] == '@') {
            at = as + i - 1;
            break;
        }
    if (!at || at == as)
        return false;
    const char *host = at + 1;
    size_t hlen = alen - (size_t)(host - as);
    if (clen == 0)
        return true;
    if (memchr(cs, '@', clen) != NULL) {
        const char *cat = cs;
        while (*cat != '@')
            cat++;
        size_t llen = (size_t)(cat - cs);
        return llen == (size_t)(at - as) && memcmp(cs, as, llen) == 0 &&
               clen - llen - 1 == hlen && ieq(cat + 1, host, hlen);
    }
    if (cs[0] == '.')
        return hlen > clen && ieq(host + hlen - clen, cs, clen);
    return hlen == clen && ieq(host, cs, clen);
}

int mote_x509_cert_check_id(const struct mote_x509_cert *cert,
                            const struct mote_x509_id *id)
{
    if (!cert || !id || id->type == MOTE_X509_ID_NONE)
        return MOTE_EINVAL;
    /* RFC 9525 6.3: only SANs of the identifier's type; never the CN. */
    for (unsigned i = 0; i < cert->san_count; i++) {
        const struct mote_x509_gn *g = &cert->san[i];
        if (id->type == MOTE_X509_ID_DNS && g->type == MOTE_X509_GN_DNS &&
            mote_x509_dns_matches((const char *)g->val, g->len, id))
            return 0;
        if (id->type == MOTE_X509_ID_IP && g->type == MOTE_X509_GN_IP &&
            mote_x509_ip_matches(g->val, g->len, id))
            return 0;
    }
    return MOTE_EAUTH;
}

/* ---- Name matching (RFC 5280 7.1, RFC 4518 in part)
 * --------------------------
 */

static bool string_tag(unsigned tag)
{
    return tag == MOTE_DER_PRINTABLE_STRING || tag == MOTE_DER_UTF8_STRING ||
           tag == MOTE_DER_IA5_STRING || tag == MOTE_DER_T61_STRING ||
           tag == MOTE_DER_VISIBLE_STRING || tag == MOTE_DER_NUMERIC_STRING;
}

/* The next byte of a string value with insignificant spaces removed (RFC
 * 4518 2.6.1: leading and trailing spaces dropped, inner runs of spaces
 * as one) and ASCII letters folded to lowercase; -1 at the end. Bytes
 * outside ASCII compare exactly (no Unicode folding). */
struct folder {
    const uint8_t *p;
    size_t i, end; /* inside the value with its outer spaces cut */
};

static void fold_init(struct folder *f, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && p[i] == ' ')
        i++;
    while (n > i && p[n - 1] == ' ')
        n--;
    f->p = p;
    f->i = i;
    f->end = n;
}

static int fold_next(struct folder *f)
{
    if (f->i >= f->end)
        return -1;
    uint8_t c = f->p[f->i++];
    if (c == ' ') /* inside the trimmed value: a run counts as one */
        while (f->i < f->end && f->p[f->i] == ' ')
            f->i++;
    return lower(c);
}

static bool value_match(const struct mote_x509_attr *a,
                        const struct mote_x509_attr *b)
{
    if (a->tag == b->tag && a->value.len == b->value.len &&
        memcmp(a->value.ptr, b->value.ptr, a->value.len) == 0)
        return true;
    if (!string_tag(a->tag) || !string_tag(b->tag))
        return false;
    struct folder fa, fb;
    fold_init(&fa, a->value.ptr, a->value.len);
    fold_init(&fb, b->value.ptr, b->value.len);
    for (;;) {
        int ca = fold_next(&fa), cb = fold_next(&fb);
        if (ca != cb)
            return false;
        if (ca < 0)
            return true;
    }
}

bool x509__name_match(const struct mote_x509_name *a,
                      const struct mote_x509_name *b)
{
    if (!a->der || !b->der)
        return false;
    if (a->len == b->len && memcmp(a->der, b->der, a->len) == 0)
        return true;
    struct mote_x509_name_iter ia, ib;
    struct mote_x509_attr xa, xb;
    mote_x509_name_iter_init(&ia, a);
    mote_x509_name_iter_init(&ib, b);
    for (;;) {
        int ra = mote_x509_name_next(&ia, &xa);
        int rb = mote_x509_name_next(&ib, &xb);
        if (ra < 0 || rb < 0 || ra != rb)
            return false;
        if (ra == 0)
            return true;
        if (xa.rdn != xb.rdn || xa.oid.len != xb.oid.len ||
            memcmp(xa.oid.ptr, xb.oid.ptr, xa.oid.len) != 0 ||
            !value_match(&xa, &xb))
            return false;
    }
}

/* A hash that is equal for names x509__name_match finds equal: over each
 * attribute's RDN index, type, and value (string values folded as
 * value_match folds them; others with their tag, as bytes). */
uint32_t x509__name_norm_hash(const struct mote_x509_name *n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
#define MIX(b) (h = (h ^ (uint8_t)(b)) * 16777619u)
    struct mote_x509_name_iter it;
    struct mote_x509_attr a;
    if (!n->der)
        return h;
    mote_x509_name_iter_init(&it, n);
    while (mote_x509_name_next(&it, &a) == 1) {
        MIX(a.rdn);
        MIX(a.oid.len);
        for (size_t i = 0; i < a.oid.len; i++)
            MIX(a.oid.ptr[i]);
        if (string_tag(a.tag)) {
            struct folder f;
            fold_init(&f, a.value.ptr, a.value.len);
            MIX('S');
            for (int c; (c = fold_next(&f)) >= 0;)
                MIX(c);
        } else {
            MIX(a.tag);
            for (size_t i = 0; i < a.value.len; i++)
                MIX(a.value.ptr[i]);
        }
        MIX(0xff); /* end of attribute */
    }
#undef MIX
    return h;
}

/* Server identity (RFC 9525) and name-constraint matchers: tables. */
#include <stdio.h>
#include <string.h>

#include <mote/der.h>
#include <mote/error.h>
#include <mote/x509_verify.h>

#include "../../src/x509/verify_int.h"
#include "tap.h"

static void test_id_parse(void)
{
    static const struct {
        const char *in;
        int type; /* 0 = refused */
        const char *dns;
    } t[] = {
        {"example.com", MOTE_X509_ID_DNS, "example.com"},
        {"Example.COM.", MOTE_X509_ID_DNS, "example.com"},
        {"xn--bcher-kva.example", MOTE_X509_ID_DNS, "xn--bcher-kva.example"},
        {"a_b.example", MOTE_X509_ID_DNS, "a_b.example"},
        {"localhost", MOTE_X509_ID_DNS, "localhost"},
        {"192.0.2.1", MOTE_X509_ID_IP, NULL},
        {"2001:db8::1", MOTE_X509_ID_IP, NULL},
        {"[2001:db8::1]", MOTE_X509_ID_IP, NULL},
        {"::ffff:192.0.2.1", MOTE_X509_ID_IP, NULL},
        {"", 0, NULL},
        {".", 0, NULL},
        {"a..b", 0, NULL},
        {".example.com", 0, NULL},
        {"example.com..", 0, NULL},
        {"*.example.com", 0, NULL},
        {"exa mple.com", 0, NULL},
        {"192.0.2.256", 0, NULL},
        {"1.2.3", 0, NULL},
        {"fe80::1%eth0", 0, NULL},
        {"[192.0.2.1]", 0, NULL},
        {"[example.com]", 0, NULL},
        {"a.b.c.0123456789012345678901234567890123456789012345678901234567890"
         "123",
         0, NULL},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct mote_x509_id id;
        int r = mote_x509_id_parse(&id, t[i].in, strlen(t[i].in));
        if (!t[i].type) {
            ok(r == MOTE_EINVAL, "refuses \"%s\"", t[i].in);
            continue;
        }
        ok(r == 0 && (int)id.type == t[i].type, "parses \"%s\"", t[i].in);
        if (t[i].dns)
            ok(r == 0 && strcmp(id.dns, t[i].dns) == 0 &&
                   id.dns_len == strlen(t[i].dns),
               "\"%s\" -> \"%s\"", t[i].in, t[i].dns);
    }
    /* 253 bytes is the longest name; 254 is refused. */
    char name[300];
    memset(name, 'a', sizeof name);
    for (int i = 63; i < 300; i += 64)
        name[i] = '.';
    struct mote_x509_id id;
    ok(mote_x509_id_parse(&id, name, 253) == 0, "253-byte name");
    ok(mote_x509_id_parse(&id, name, 254) == MOTE_EINVAL, "254-byte name");
    name[10] = '.';
    memset(name + 11, 'b', 64);
    ok(mote_x509_id_parse(&id, name, 100) == MOTE_EINVAL, "64-byte label");
}

static void test_dns_match(void)
{
    static const struct {
        const char *presented, *ref;
        int match;
    } t[] = {
        {"example.com", "example.com", 1},
        {"EXAMPLE.com", "example.COM", 1},
        {"example.com.", "example.com", 1},
        {"example.com", "example.com.", 1},
        {"example.com", "www.example.com", 0},
        {"www.example.com", "example.com", 0},
        {"xn--bcher-kva.example", "XN--BCHER-KVA.example", 1},
        {"*.example.com", "a.example.com", 1},
        {"*.example.com", "A.EXAMPLE.COM", 1},
        {"*.example.com", "xn--bcher-kva.example.com", 1},
        {"*.example.com", "a.b.example.com", 0},
        {"*.example.com", "example.com", 0},
        {"*.example.com", "aexample.com", 0},
        {"*.com", "example.com", 0},
        {"*", "example", 0},
        {"*.*.example.com", "a.b.example.com", 0},
        {"a.*.example.com", "a.b.example.com", 0},
        {"f*o.example.com", "foo.example.com", 0},
        {"*o.example.com", "foo.example.com", 0},
        {"f*.example.com", "foo.example.com", 0},
        {"**.example.com", "a.example.com", 0},
        {"www.example.*", "www.example.com", 0},
        {"*.", "a.", 0},
        {"", "example.com", 0},
        {"exa mple.com", "exa mple.com", 0},
        {"example..com", "example.com", 0},
        {"example.com\0evil.com", "example.com", 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct mote_x509_id id;
        int r = mote_x509_id_parse(&id, t[i].ref, strlen(t[i].ref));
        size_t plen = strlen(t[i].presented);
        if (strcmp(t[i].presented, "example.com") == 0 &&
            i + 1 == sizeof t / sizeof t[0])
            plen = 20; /* the embedded NUL case */
        bool m = r == 0 && mote_x509_dns_matches(t[i].presented, plen, &id);
        ok(m == (bool)t[i].match, "\"%s\" %s \"%s\"", t[i].presented,
           t[i].match ? "matches" : "does not match", t[i].ref);
    }
    struct mote_x509_id ip;
    mote_x509_id_parse(&ip, "192.0.2.1", 9);
    ok(!mote_x509_dns_matches("192.0.2.1", 9, &ip),
       "a DNS SAN never matches an IP reference");
}

static void test_ip_match(void)
{
    struct mote_x509_id v4, v6, mapped, dns;
    mote_x509_id_parse(&v4, "192.0.2.1", 9);
    mote_x509_id_parse(&v6, "2001:db8::1", 11);
    mote_x509_id_parse(&mapped, "::ffff:192.0.2.1", 16);
    mote_x509_id_parse(&dns, "example.com", 11);
    const uint8_t a4[4] = {192, 0, 2, 1}, b4[4] = {192, 0, 2, 2};
    uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8};
    a6[15] = 1;
    uint8_t m6[16] = {0};
    m6[10] = m6[11] = 0xff;
    memcpy(m6 + 12, a4, 4);
    ok(mote_x509_ip_matches(a4, 4, &v4), "v4 equal");
    ok(!mote_x509_ip_matches(b4, 4, &v4), "v4 differs");
    ok(mote_x509_ip_matches(a6, 16, &v6), "v6 equal");
    ok(!mote_x509_ip_matches(a6, 16, &v4), "v6 SAN, v4 reference");
    ok(!mote_x509_ip_matches(a4, 4, &v6), "v4 SAN, v6 reference");
    ok(!mote_x509_ip_matches(m6, 16, &v4), "mapped SAN, v4 reference");
    ok(!mote_x509_ip_matches(a4, 4, &mapped), "v4 SAN, mapped reference");
    ok(mote_x509_ip_matches(m6, 16, &mapped), "mapped equal");
    ok(!mote_x509_ip_matches(a4, 3, &v4), "short SAN");
    ok(!mote_x509_ip_matches(a4, 4, &dns), "DNS reference");
}

static bool S(bool (*f)(const uint8_t *, size_t, const uint8_t *, size_t),
              const char *c, const char *n)
{
    return f((const uint8_t *)c, strlen(c), (const uint8_t *)n, strlen(n));
}

static void test_nc_dns(void)
{
    ok(S(x509__nc_dns_within, "example.com", "example.com"), "equal");
    ok(S(x509__nc_dns_within, "example.com", "a.b.EXAMPLE.com"), "subdomain");
    ok(!S(x509__nc_dns_within, "example.com", "badexample.com"),
       "label boundary");
    ok(!S(x509__nc_dns_within, "example.com", "com"), "parent");
    ok(S(x509__nc_dns_within, ".example.com", "a.example.com"),
       "leading dot: subdomain");
    ok(!S(x509__nc_dns_within, ".example.com", "example.com"),
       "leading dot: not the domain");
    ok(S(x509__nc_dns_within, "", "anything.example"), "empty matches all");
    ok(S(x509__nc_dns_within, "example.com", "*.example.com"),
       "wildcard inside");
    ok(S(x509__nc_dns_overlaps, "bad.example.com", "*.example.com"),
       "excluded: wildcard covers the excluded name");
    ok(!S(x509__nc_dns_overlaps, "a.bad.example.com", "*.example.com"),
       "excluded: two labels below the wildcard");
    ok(!S(x509__nc_dns_overlaps, "bad.example.org", "*.example.com"),
       "excluded: elsewhere");
}

static void test_nc_ip(void)
{
    const uint8_t c4[8] = {192, 0, 2, 0, 255, 255, 255, 0};
    const uint8_t in[4] = {192, 0, 2, 77}, out[4] = {192, 0, 3, 1};
    uint8_t c6[32] = {0x20, 0x01, 0x0d, 0xb8};
    memset(c6 + 16, 0xff, 4); /* /32 */
    uint8_t in6[16] = {0x20, 0x01, 0x0d, 0xb8, 9}, out6[16] = {0x20, 0x02};
    ok(x509__nc_ip_within(c4, 8, in, 4), "v4 inside /24");
    ok(!x509__nc_ip_within(c4, 8, out, 4), "v4 outside /24");
    ok(!x509__nc_ip_within(c4, 8, in6, 16), "v6 against v4 subtree");
    ok(x509__nc_ip_within(c6, 32, in6, 16), "v6 inside /32");
    ok(!x509__nc_ip_within(c6, 32, out6, 16), "v6 outside /32");
    ok(!x509__nc_ip_within(c4, 7, in, 4), "bad constraint length");
}

static void test_nc_email(void)
{
    ok(S(x509__nc_email_within, "user@example.com", "user@EXAMPLE.com"),
       "mailbox, host case");
    ok(!S(x509__nc_email_within, "user@example.com", "User@example.com"),
       "mailbox, local part exact");
    ok(S(x509__nc_email_within, "example.com", "any@example.com"), "host");
    ok(!S(x509__nc_email_within, "example.com", "any@mail.example.com"),
       "host: not subdomains");
    ok(S(x509__nc_email_within, ".example.com", "any@mail.example.com"),
       "domain: subdomains");
    ok(!S(x509__nc_email_within, ".example.com", "any@example.com"),
       "domain: not the domain itself");
    ok(!S(x509__nc_email_within, "example.com", "no-at-sign"), "not a mailbox");
    ok(!S(x509__nc_email_within, "example.com", "@example.com"),
       "empty local part");
}

/* A Name of up to three single-attribute RDNs: (oid, tag, value) triples;
 * oid 3 is CN (2.5.4.3), 10 is O (2.5.4.10). */
static size_t mkname(uint8_t *out, size_t cap, int n, const int *oids,
                     const unsigned *tags, const char *const *vals)
{
    struct mote_der_writer w;
    mote_der_writer_init(&w, out, cap);
    mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
    for (int i = 0; i < n; i++) {
        uint8_t oid[3] = {0x55, 0x04, (uint8_t)oids[i]};
        mote_der_put_begin(&w, MOTE_DER_SET);
        mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
        mote_der_put_oid(&w, oid, 3);
        mote_der_put_tlv(&w, tags[i], vals[i], strlen(vals[i]));
        mote_der_put_end(&w);
        mote_der_put_end(&w);
    }
    mote_der_put_end(&w);
    size_t len;
    return mote_der_writer_finish(&w, &len) == 0 ? len : 0;
}

static void test_name_match(void)
{
    static const struct {
        const char *a, *b;
        unsigned ta, tb;
        int match;
    } t[] = {
        {"Mote CA", "Mote CA", MOTE_DER_UTF8_STRING, MOTE_DER_UTF8_STRING, 1},
        {"Mote CA", "Mote CA", MOTE_DER_PRINTABLE_STRING, MOTE_DER_UTF8_STRING,
         1},
        {"Mote CA", "mote ca", MOTE_DER_UTF8_STRING, MOTE_DER_UTF8_STRING, 1},
        {"Mote CA", "  Mote   CA ", MOTE_DER_PRINTABLE_STRING,
         MOTE_DER_UTF8_STRING, 1},
        {"Mote CA", "MoteCA", MOTE_DER_UTF8_STRING, MOTE_DER_UTF8_STRING, 0},
        {"Mote CA", "Mote CB", MOTE_DER_UTF8_STRING, MOTE_DER_UTF8_STRING, 0},
        {"Mote CA", "Mote CA x", MOTE_DER_UTF8_STRING, MOTE_DER_UTF8_STRING, 0},
        {"\xc3\x84", "\xc3\xa4", MOTE_DER_UTF8_STRING, MOTE_DER_UTF8_STRING, 0},
        {"Mote CA", "Mote CA", MOTE_DER_UTF8_STRING, MOTE_DER_BMP_STRING, 0},
        {"", " ", MOTE_DER_UTF8_STRING, MOTE_DER_UTF8_STRING, 1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        uint8_t a[128], b[128];
        int oid[1] = {3};
        unsigned ta[1] = {t[i].ta}, tb[1] = {t[i].tb};
        const char *va[1] = {t[i].a}, *vb[1] = {t[i].b};
        struct mote_x509_name na = {a, mkname(a, sizeof a, 1, oid, ta, va)};
        struct mote_x509_name nb = {b, mkname(b, sizeof b, 1, oid, tb, vb)};
        /* Names that match hash alike (the converse is not required). */
        ok(x509__name_match(&na, &nb) == (bool)t[i].match &&
               x509__name_match(&nb, &na) == (bool)t[i].match &&
               (!t[i].match ||
                x509__name_norm_hash(&na) == x509__name_norm_hash(&nb)),
           "CN \"%s\" (tag %u) %s CN \"%s\" (tag %u)", t[i].a, t[i].ta,
           t[i].match ? "matches" : "does not match", t[i].b, t[i].tb);
    }
    /* Structure must agree: attribute types, their order, their number. */
    uint8_t a[128], b[128];
    int o2[2] = {10, 3}, o2r[2] = {3, 10}, o1[1] = {10};
    unsigned tg[2] = {MOTE_DER_UTF8_STRING, MOTE_DER_UTF8_STRING};
    const char *v2[2] = {"Org", "Name"}, *v2r[2] = {"Name", "Org"};
    struct mote_x509_name na = {a, mkname(a, sizeof a, 2, o2, tg, v2)};
    struct mote_x509_name nb = {b, mkname(b, sizeof b, 2, o2r, tg, v2r)};
    ok(!x509__name_match(&na, &nb), "RDN order matters");
    nb.len = mkname(b, sizeof b, 1, o1, tg, v2);
    ok(!x509__name_match(&na, &nb) && !x509__name_match(&nb, &na),
       "a prefix is not a match");
    const char *v2c[2] = {"ORG", "name"};
    nb.len = mkname(b, sizeof b, 2, o2, tg, v2c);
    ok(x509__name_match(&na, &nb) &&
           x509__name_norm_hash(&na) == x509__name_norm_hash(&nb),
       "two RDNs, case folded, same hash");
    nb.len = mkname(b, sizeof b, 2, o2r, tg, v2r);
    ok(x509__name_norm_hash(&na) != x509__name_norm_hash(&nb),
       "RDNs in another order hash differently");
}

static void test_reason_names(void)
{
    for (int r = 0; r < MOTE_X509_REASON_COUNT_; r++) {
        const char *n = mote_x509_reason_name((enum mote_x509_reason)r);
        const char *s = mote_x509_reason_str((enum mote_x509_reason)r);
        ok(n && s && strcmp(n, "?") != 0 && strlen(s) > 5, "reason %d: %s", r,
           n);
    }
    ok(strcmp(mote_x509_reason_name(MOTE_X509_REASON_COUNT_), "?") == 0,
       "out of range");
}

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_id_parse);
    TAP_CASE(test_dns_match);
    TAP_CASE(test_ip_match);
    TAP_CASE(test_nc_dns);
    TAP_CASE(test_nc_ip);
    TAP_CASE(test_nc_email);
    TAP_CASE(test_name_match);
    TAP_CASE(test_reason_names);
    return tap_done();
}

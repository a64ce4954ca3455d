/* DER reader and writer: every strictness rule, the writer's nesting and
 * capacity handling, and the split-point test. */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mote/der.h>
#include <mote/error.h>

#include "tap.h"

/* Read one TLV from a literal; returns the reader's result. */
static int read1(const char *lit, size_t n, struct mote_der_elem *e)
{
    return mote_der_parse_one((const uint8_t *)lit, n, e);
}
#define READ1(lit, e) read1(lit, sizeof(lit) - 1, e)

static void test_lengths(void)
{
    struct mote_der_elem e;
    is_int(READ1("\x04\x00", &e), 0, "empty OCTET STRING");
    is_int(e.len, 0, "length 0");
    is_int(READ1("\x04\x01\xAA", &e), 0, "short form");
    is_int(READ1("\x04\x81\x05\x01\x02\x03\x04\x05", &e), MOTE_EINVAL,
           "long form below 128 is not minimal");
    is_int(READ1("\x04\x80\x00\x00", &e), MOTE_EINVAL, "indefinite length");
    is_int(READ1("\x04\xFF\x00", &e), MOTE_EINVAL, "reserved 0xFF length");
    is_int(READ1("\x04\x82\x00\x80", &e), MOTE_EINVAL,
           "leading zero length octet");
    is_int(READ1("\x04\x02\x01", &e), MOTE_EINVAL, "length past the end");
    is_int(READ1("\x04", &e), MOTE_EINVAL, "no length");
    is_int(READ1("", &e), MOTE_EINVAL, "nothing");
    is_int(READ1("\x04\x01\x01\x00", &e), MOTE_EINVAL, "trailing bytes");
    is_int(READ1("\x1F\x21\x00", &e), MOTE_ENOTSUP, "long-form tag");
    is_int(READ1("\x00\x00", &e), MOTE_EINVAL, "end-of-contents");
    is_int(READ1("\x00\x01\x05", &e), MOTE_EINVAL,
           "universal tag 0 with contents");
    is_int(READ1("\x04\x85\x01\x00\x00\x00\x00", &e), MOTE_EINVAL,
           "five length octets");

    /* 128 and 256 bytes: the smallest long forms. */
    uint8_t buf[300];
    memset(buf, 0x11, sizeof buf);
    buf[0] = 0x04;
    buf[1] = 0x81;
    buf[2] = 128;
    is_int(mote_der_parse_one(buf, 3 + 128, &e), 0, "0x81 128");
    is_int(e.len, 128, "length 128");
    buf[1] = 0x82;
    buf[2] = 0x01;
    buf[3] = 0x00;
    is_int(mote_der_parse_one(buf, 4 + 256, &e), 0, "0x82 0x0100");
    is_int(e.len, 256, "length 256");
    is_int(e.raw_len, 260, "raw length 260");
    buf[2] = 0x00;
    buf[3] = 0xFF;
    is_int(mote_der_parse_one(buf, 4 + 255, &e), MOTE_EINVAL,
           "0x82 0x00FF: not minimal");
}

static void test_cursor(void)
{
    static const uint8_t seq[] = {0x30, 0x06, 0x02, 0x01,
                                  0x05, 0x80, 0x01, 0x07};
    struct mote_der d, in;
    struct mote_der_elem e;
    mote_der_init(&d, seq, sizeof seq);
    is_int(mote_der_peek(&d), 0x30, "peek SEQUENCE");
    is_int(mote_der_enter(&d, MOTE_DER_SET, &in, NULL), MOTE_EINVAL,
           "enter with the wrong tag");
    is_int(mote_der_enter(&d, MOTE_DER_INTEGER, &in, NULL), MOTE_EINVAL,
           "enter a primitive tag");
    is_int(mote_der_enter(&d, MOTE_DER_SEQUENCE, &in, NULL), 0, "enter");
    is_int(in.depth, 1, "depth 1");
    is_int(mote_der_finish(&d), 0, "outer done");
    is_int(mote_der_read_optional(&in, MOTE_DER_BOOLEAN, &e), 0,
           "optional absent");
    is_int(mote_der_read_optional(&in, MOTE_DER_INTEGER, &e), 1,
           "optional present");
    is_int(mote_der_finish(&in), MOTE_EINVAL, "bytes left");
    is_int(mote_der_read_tag(&in, MOTE_DER_CTX(0), &e), 0, "[0] IMPLICIT");
    int64_t v;
    is_int(mote_der_get_int64(&e, &v), 0, "decode IMPLICIT INTEGER");
    is_int(v, 7, "value 7");
    is_int(mote_der_peek(&in), MOTE_ENOENT, "peek at end");
    is_int(mote_der_read_tag(&in, MOTE_DER_INTEGER, &e), MOTE_EINVAL,
           "read at end");
    is_int(mote_der_read_optional(&in, MOTE_DER_INTEGER, &e), 0,
           "optional at end");
    is_int(mote_der_finish(&in), 0, "inner done");
}

static void test_depth(void)
{
    /* 40 nested SEQUENCEs around an empty one. */
    uint8_t buf[2 * 41];
    for (int i = 0; i < 41; i++) {
        buf[2 * i] = 0x30;
        buf[2 * i + 1] = (uint8_t)(2 * (40 - i));
    }
    struct mote_der d, in;
    mote_der_init(&d, buf, sizeof buf);
    int err = 0, levels = 0;
    while ((err = mote_der_enter(&d, MOTE_DER_SEQUENCE, &in, NULL)) == 0) {
        d = in;
        levels++;
    }
    is_int(err, MOTE_ERANGE, "too deep");
    is_int(levels, MOTE_DER_MAX_DEPTH, "entered exactly the limit");
}

static void test_integers(void)
{
    struct mote_der_elem e;
    int64_t v;
    struct {
        const char *der;
        size_t n;
        int err;
        int64_t v;
    } cases[] = {
        {"\x02\x01\x00", 3, 0, 0},
        {"\x02\x01\x7F", 3, 0, 127},
        {"\x02\x02\x00\x80", 4, 0, 128},
        {"\x02\x01\x80", 3, 0, -128},
        {"\x02\x01\xFF", 3, 0, -1},
        {"\x02\x02\xFF\x7F", 4, 0, -129},
        {"\x02\x02\x00\x7F", 4, MOTE_EINVAL, 0},
        {"\x02\x02\xFF\x80", 4, MOTE_EINVAL, 0},
        {"\x02\x00", 2, MOTE_EINVAL, 0},
        {"\x02\x08\x7F\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 10, 0, INT64_MAX},
        {"\x02\x08\x80\x00\x00\x00\x00\x00\x00\x00", 10, 0, INT64_MIN},
        {"\x02\x09\x00\x80\x00\x00\x00\x00\x00\x00\x00", 11, MOTE_ERANGE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int err = read1(cases[i].der, cases[i].n, &e);
        if (!err)
            err = mote_der_get_int64(&e, &v);
        is_int(err, cases[i].err, "integer case %zu", i);
        if (!err && !cases[i].err)
            ok(v == cases[i].v, "integer case %zu value", i);
    }
    const uint8_t *p;
    size_t n;
    READ1("\x02\x03\x00\x80\x01", &e);
    is_int(mote_der_get_uint(&e, &p, &n), 0, "uint with sign octet");
    ok(n == 2 && p[0] == 0x80 && p[1] == 0x01, "sign octet skipped");
    READ1("\x02\x01\x00", &e);
    is_int(mote_der_get_uint(&e, &p, &n), 0, "uint zero");
    ok(n == 1 && p[0] == 0, "zero is one octet");
    READ1("\x02\x01\x80", &e);
    is_int(mote_der_get_uint(&e, &p, &n), MOTE_ERANGE, "negative uint");
    ok(mote_der_int_is_negative(&e), "negative detected");
}

static void test_bool_null_bits(void)
{
    struct mote_der_elem e;
    bool b;
    READ1("\x01\x01\xFF", &e);
    ok(mote_der_get_bool(&e, &b) == 0 && b, "TRUE");
    READ1("\x01\x01\x00", &e);
    ok(mote_der_get_bool(&e, &b) == 0 && !b, "FALSE");
    READ1("\x01\x01\x01", &e);
    is_int(mote_der_get_bool(&e, &b), MOTE_EINVAL, "BER TRUE 0x01");
    READ1("\x01\x02\xFF\xFF", &e);
    is_int(mote_der_get_bool(&e, &b), MOTE_EINVAL, "two octets");
    READ1("\x05\x00", &e);
    is_int(mote_der_get_null(&e), 0, "NULL");
    READ1("\x05\x01\x00", &e);
    is_int(mote_der_get_null(&e), MOTE_EINVAL, "NULL with contents");

    const uint8_t *bits;
    size_t n;
    unsigned unused;
    READ1("\x03\x02\x07\x80", &e);
    is_int(mote_der_get_bits(&e, &bits, &n, &unused), 0, "one bit");
    ok(n == 1 && unused == 7 && bits[0] == 0x80, "one bit decoded");
    READ1("\x03\x02\x07\x81", &e);
    is_int(mote_der_get_bits(&e, &bits, &n, &unused), MOTE_EINVAL,
           "unused bit set");
    READ1("\x03\x02\x08\x00", &e);
    is_int(mote_der_get_bits(&e, &bits, &n, &unused), MOTE_EINVAL,
           "8 unused bits");
    READ1("\x03\x01\x00", &e);
    ok(mote_der_get_bits(&e, &bits, &n, &unused) == 0 && n == 0,
       "empty bit string");
    READ1("\x03\x01\x03", &e);
    is_int(mote_der_get_bits(&e, &bits, &n, &unused), MOTE_EINVAL,
           "empty with unused bits");
    READ1("\x03\x00", &e);
    is_int(mote_der_get_bits(&e, &bits, &n, &unused), MOTE_EINVAL,
           "no unused-bits octet");
    READ1("\x03\x02\x01\x02", &e);
    is_int(mote_der_get_bits_octets(&e, &bits, &n), MOTE_EINVAL,
           "octets wanted, unused bits given");
}

static void test_oids(void)
{
    struct mote_der_elem e;
    char text[64];
    READ1("\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07", &e);
    is_int(mote_der_get_oid(&e), 0, "P-256 OID");
    ok(mote_der_oid_to_text(e.val, e.len, text, sizeof text) > 0, "to text");
    is_str(text, "1.2.840.10045.3.1.7", "dotted");
    ok(mote_der_oid_eq(&e, (const uint8_t *)"\x2a\x86\x48\xce\x3d\x03\x01\x07",
                       8),
       "oid_eq");
    READ1("\x06\x03\x88\x37\x01", &e);
    mote_der_oid_to_text(e.val, e.len, text, sizeof text);
    is_str(text, "2.999.1", "first arcs above 80");
    READ1("\x06\x02\x80\x01", &e);
    is_int(mote_der_get_oid(&e), MOTE_EINVAL, "leading 0x80: not minimal");
    READ1("\x06\x02\x2a\x86", &e);
    is_int(mote_der_get_oid(&e), MOTE_EINVAL, "unterminated arc");
    READ1("\x06\x00", &e);
    is_int(mote_der_get_oid(&e), MOTE_EINVAL, "empty OID");
    READ1("\x06\x0b\x2a\x81\x81\x81\x81\x81\x81\x81\x81\x81\x01", &e);
    is_int(mote_der_get_oid(&e), MOTE_ERANGE, "arc past 64 bits");
    is_int(mote_der_oid_to_text(e.val, 1, text, 3), MOTE_ENOSPC,
           "text too small");

    /* Text -> DER -> text for a few shapes. */
    const char *texts[] = {"1.2.840.113549.1.1.11",
                           "2.5.29.17",
                           "0.9.2342",
                           "2.999.1",
                           "1.3.6.1.4.1.11129.2.4.2",
                           "1.2.9223372036854775807"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        uint8_t der[32];
        int n =
            mote_der_oid_from_text(texts[i], strlen(texts[i]), der, sizeof der);
        ok(n > 0, "from text %s", texts[i]);
        if (n > 0) {
            mote_der_oid_to_text(der, (size_t)n, text, sizeof text);
            ok(strcmp(text, texts[i]) == 0, "round trip %s", texts[i]);
        }
    }
    const char *bad[] = {
        "1",    "3.1",  "1.40", "1..2", "1.2.",
        ".1.2", "01.2", "1.2a", "",     "1.2.9223372036854775808"};
    uint8_t der[32];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ok(mote_der_oid_from_text(bad[i], strlen(bad[i]), der, sizeof der) < 0,
           "bad OID text \"%s\"", bad[i]);
}

static int time_of(const char *s, unsigned tag, int64_t *t)
{
    struct mote_der_elem e = {tag, (const uint8_t *)s, strlen(s), NULL, 0};
    return mote_der_get_time(&e, t);
}

/* The same instant through the host's timegm. */
static int64_t host_time(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return (int64_t)timegm(&tm);
}

static void test_times(void)
{
    int64_t t;
    is_int(time_of("491231235959Z", MOTE_DER_UTC_TIME, &t), 0, "UTC 2049");
    ok(t == host_time(2049, 12, 31, 23, 59, 59), "2049-12-31 as timegm");
    is_int(time_of("500101000000Z", MOTE_DER_UTC_TIME, &t), 0, "UTC 1950");
    ok(t == host_time(1950, 1, 1, 0, 0, 0), "1950 as timegm");
    is_int(time_of("20500101000000Z", MOTE_DER_GENERALIZED_TIME, &t), 0,
           "GeneralizedTime 2050");
    ok(t == host_time(2050, 1, 1, 0, 0, 0), "2050 as timegm");
    is_int(time_of("240229120000Z", MOTE_DER_UTC_TIME, &t), 0, "leap day");
    is_int(time_of("230229120000Z", MOTE_DER_UTC_TIME, &t), MOTE_EINVAL,
           "Feb 29 in 2023");
    is_int(time_of("21000229000000Z", MOTE_DER_GENERALIZED_TIME, &t),
           MOTE_EINVAL, "2100 is not leap");
    is_int(time_of("20000229000000Z", MOTE_DER_GENERALIZED_TIME, &t), 0,
           "2000 is leap");
    const char *bad_utc[] = {
        "4912312359Z",   "491231235959",  "491231235959+0000", "491231235960Z",
        "491331235959Z", "491200235959Z", "491231245959Z",     "4912312359590Z",
        "49123123595 Z", "491231235959z"};
    for (size_t i = 0; i < sizeof bad_utc / sizeof bad_utc[0]; i++)
        is_int(time_of(bad_utc[i], MOTE_DER_UTC_TIME, &t), MOTE_EINVAL,
               "bad UTCTime %s", bad_utc[i]);
    const char *bad_gen[] = {"20500101000000.5Z", "205001010000Z",
                             "20500101000000", "2050010100000Z"};
    for (size_t i = 0; i < sizeof bad_gen / sizeof bad_gen[0]; i++)
        is_int(time_of(bad_gen[i], MOTE_DER_GENERALIZED_TIME, &t), MOTE_EINVAL,
               "bad GeneralizedTime %s", bad_gen[i]);
    is_int(time_of("491231235959Z", MOTE_DER_OCTET_STRING, &t), MOTE_EINVAL,
           "not a time tag");

    /* civil <-> seconds against gmtime_r over a spread of instants. */
    int bad = 0;
    for (int64_t s = -631152000; s < 4102444800LL; s += 86399 * 37 + 1) {
        struct mote_der_civil c;
        time_t tt = (time_t)s;
        struct tm tm;
        gmtime_r(&tt, &tm);
        int64_t back;
        if (mote_der_time_to_civil(s, &c) < 0 || c.year != tm.tm_year + 1900 ||
            c.month != tm.tm_mon + 1 || c.day != tm.tm_mday ||
            c.hour != tm.tm_hour || c.min != tm.tm_min || c.sec != tm.tm_sec ||
            mote_der_civil_to_time(&c, &back) < 0 || back != s)
            bad++;
    }
    is_int(bad, 0, "civil conversions agree with gmtime_r");
    struct mote_der_civil c;
    is_int(mote_der_time_to_civil(253402300800LL, &c), MOTE_ERANGE,
           "year 10000");
}

static void test_writer(void)
{
    uint8_t buf[70000];
    struct mote_der_writer w;
    size_t len;

    /* Contents of 0, 127, 128, 255, 256 and 65536 bytes: every length
     * form, with the contents moved up when the long form is needed. */
    size_t sizes[] = {0, 127, 128, 255, 256, 65535, 65536};
    static uint8_t payload[65536];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i * 7);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        mote_der_writer_init(&w, buf, sizeof buf);
        mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
        mote_der_put_tlv(&w, MOTE_DER_OCTET_STRING, payload, n);
        mote_der_put_end(&w);
        is_int(mote_der_writer_finish(&w, &len), 0, "write %zu", n);
        struct mote_der d, in;
        struct mote_der_elem e;
        mote_der_init(&d, buf, len);
        int err = mote_der_enter(&d, MOTE_DER_SEQUENCE, &in, NULL);
        if (!err)
            err = mote_der_read_tag(&in, MOTE_DER_OCTET_STRING, &e);
        if (!err)
            err = mote_der_finish(&in) | mote_der_finish(&d);
        ok(!err && e.len == n && memcmp(e.val, payload, n) == 0,
           "read back %zu", n);
        /* Measure with no buffer, then with one byte short. */
        mote_der_writer_init(&w, NULL, 0);
        mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
        mote_der_put_tlv(&w, MOTE_DER_OCTET_STRING, payload, n);
        mote_der_put_end(&w);
        size_t need;
        ok(mote_der_writer_finish(&w, &need) == MOTE_ENOSPC && need == len,
           "measure %zu", n);
        mote_der_writer_init(&w, buf, len - 1);
        mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
        mote_der_put_tlv(&w, MOTE_DER_OCTET_STRING, payload, n);
        mote_der_put_end(&w);
        ok(mote_der_writer_finish(&w, &need) == MOTE_ENOSPC && need == len,
           "one byte short %zu", n);
    }

    /* int64 and uint round trips. */
    int64_t vals[] = {0,         1,         -1,        127,
                      128,       -128,      -129,      255,
                      256,       32767,     -32768,    65535,
                      INT64_MAX, INT64_MIN, 1LL << 40, -(1LL << 40)};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        mote_der_writer_init(&w, buf, sizeof buf);
        mote_der_put_int64(&w, vals[i]);
        struct mote_der_elem e;
        int64_t v = 0;
        int err = mote_der_writer_finish(&w, &len);
        if (!err)
            err = mote_der_parse_one(buf, len, &e);
        if (!err)
            err = mote_der_get_int64(&e, &v);
        ok(!err && v == vals[i], "int64 %lld", (long long)vals[i]);
    }
    static const uint8_t mag[] = {0x00, 0x00, 0x80, 0x01};
    mote_der_writer_init(&w, buf, sizeof buf);
    mote_der_put_uint(&w, MOTE_DER_INTEGER, mag, sizeof mag);
    mote_der_put_uint(&w, MOTE_DER_INTEGER, mag, 2);
    mote_der_writer_finish(&w, &len);
    ok(len == 8 && memcmp(buf, "\x02\x03\x00\x80\x01\x02\x01\x00", 8) == 0,
       "put_uint drops zeros, adds the sign octet");
    mote_der_writer_init(&w, buf, sizeof buf);
    mote_der_put_uint(&w, MOTE_DER_INTEGER, mag + 2, 2);
    mote_der_put_bits(&w, (const uint8_t *)"\xff", 1, 3);
    mote_der_put_bool(&w, true);
    mote_der_put_null(&w);
    mote_der_writer_finish(&w, &len);
    ok(len == 14 &&
           memcmp(buf + 5, "\x03\x02\x03\xf8\x01\x01\xff\x05\x00", 9) == 0,
       "bits cleared, TRUE, NULL");

    /* Times: the writer picks the form RFC 5280 wants. */
    int64_t ts[] = {
        host_time(1950, 1, 1, 0, 0, 0), host_time(2049, 12, 31, 23, 59, 59),
        host_time(2050, 1, 1, 0, 0, 0), host_time(1949, 12, 31, 23, 59, 59),
        host_time(9999, 12, 31, 23, 59, 59)};
    unsigned want[] = {MOTE_DER_UTC_TIME, MOTE_DER_UTC_TIME,
                       MOTE_DER_GENERALIZED_TIME, MOTE_DER_GENERALIZED_TIME,
                       MOTE_DER_GENERALIZED_TIME};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        mote_der_writer_init(&w, buf, sizeof buf);
        mote_der_put_time(&w, 0, ts[i]);
        struct mote_der_elem e;
        int64_t t = 0;
        int err = mote_der_writer_finish(&w, &len);
        if (!err)
            err = mote_der_parse_one(buf, len, &e);
        if (!err)
            err = mote_der_get_time(&e, &t);
        ok(!err && e.tag == want[i] && t == ts[i], "time %zu", i);
    }
    mote_der_writer_init(&w, buf, sizeof buf);
    mote_der_put_time(&w, MOTE_DER_UTC_TIME, ts[2]);
    is_int(mote_der_writer_finish(&w, &len), MOTE_ERANGE,
           "UTCTime cannot hold 2050");

    /* Misuse is reported, not crashed on. */
    mote_der_writer_init(&w, buf, sizeof buf);
    mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
    is_int(mote_der_writer_finish(&w, &len), MOTE_EINVAL, "begin, no end");
    mote_der_writer_init(&w, buf, sizeof buf);
    mote_der_put_end(&w);
    is_int(mote_der_writer_finish(&w, &len), MOTE_EINVAL, "end, no begin");
    mote_der_writer_init(&w, buf, sizeof buf);
    for (int i = 0; i < MOTE_DER_MAX_DEPTH + 1; i++)
        mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
    is_int(mote_der_writer_finish(&w, &len), MOTE_ERANGE, "too deep");
    mote_der_writer_init(&w, buf, sizeof buf);
    mote_der_put_oid(&w, (const uint8_t *)"\x80\x01", 2);
    is_int(mote_der_writer_finish(&w, &len), MOTE_EINVAL, "bad OID");
    mote_der_writer_init(&w, buf, sizeof buf);
    mote_der_put_tlv(&w, 0x1F, NULL, 0);
    is_int(mote_der_writer_finish(&w, &len), MOTE_EINVAL, "long-form tag");
}

/* Walk every TLV of buf recursively (constructed tags entered); 0 if all
 * of it is well-formed DER framing. */
static int walk(struct mote_der *d)
{
    while (!mote_der_at_end(d)) {
        struct mote_der_elem e;
        struct mote_der in;
        int err = mote_der_read(d, &e);
        if (err < 0)
            return err;
        if (e.tag & MOTE_DER_CONSTRUCTED) {
            if ((err = mote_der_sub(d, &e, &in)) < 0 || (err = walk(&in)) < 0)
                return err;
        }
    }
    return 0;
}

static uint8_t *load(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *p = malloc(1 << 16);
    *len = fread(p, 1, 1 << 16, f);
    fclose(f);
    return p;
}

/* Split-point: a real certificate cut at every offset never reads past
 * the cut and never passes as complete. */
/* Character sets of the string types (mote_der_get_string). */
static void test_strings(void)
{
    static const struct {
        unsigned tag;
        const char *val;
        size_t len;
        int want;
        const char *what;
    } cases[] = {
        {MOTE_DER_PRINTABLE_STRING, "Example Inc. (DE) +-/:=?,'", 26, 0,
         "PrintableString, every punctuation it has"},
        {MOTE_DER_PRINTABLE_STRING, "a@b", 3, MOTE_EINVAL, "Printable '@'"},
        {MOTE_DER_PRINTABLE_STRING, "*.x", 3, MOTE_EINVAL, "Printable '*'"},
        {MOTE_DER_PRINTABLE_STRING, "A&B", 3, MOTE_EINVAL, "Printable '&'"},
        {MOTE_DER_PRINTABLE_STRING, "a_b", 3, MOTE_EINVAL, "Printable '_'"},
        {MOTE_DER_PRINTABLE_STRING, "\xc3\xa9", 2, MOTE_EINVAL,
         "Printable 8-bit"},
        {MOTE_DER_PRINTABLE_STRING, "a\nb", 3, MOTE_EINVAL,
         "Printable control"},
        {MOTE_DER_IA5_STRING, "a@b.c_~\x01\x7f", 9, 0, "IA5 7-bit"},
        {MOTE_DER_IA5_STRING, "caf\xe9", 4, MOTE_EINVAL, "IA5 8-bit"},
        {MOTE_DER_VISIBLE_STRING, " ~", 2, 0, "Visible"},
        {MOTE_DER_VISIBLE_STRING, "\x7f", 1, MOTE_EINVAL, "Visible DEL"},
        {MOTE_DER_NUMERIC_STRING, "01 9", 4, 0, "Numeric"},
        {MOTE_DER_NUMERIC_STRING, "1a", 2, MOTE_EINVAL, "Numeric letter"},
        {MOTE_DER_UTF8_STRING, "M\xc3\xbcller \xe4\xb8\xad \xf0\x9f\x98\x80",
         16, 0, "UTF-8 of 1..4 octets"},
        {MOTE_DER_UTF8_STRING, "\xef\xbf\xbf\xf4\x8f\xbf\xbf", 7, 0,
         "UTF-8 U+FFFF and U+10FFFF"},
        {MOTE_DER_UTF8_STRING, "", 0, 0, "UTF-8 empty"},
        {MOTE_DER_UTF8_STRING, "\xc0\xaf", 2, MOTE_EINVAL, "UTF-8 overlong 2"},
        {MOTE_DER_UTF8_STRING, "\xc1\xbf", 2, MOTE_EINVAL,
         "UTF-8 overlong 2 (C1)"},
        {MOTE_DER_UTF8_STRING, "\xe0\x80\xaf", 3, MOTE_EINVAL,
         "UTF-8 overlong 3"},
        {MOTE_DER_UTF8_STRING, "\xf0\x80\x80\xaf", 4, MOTE_EINVAL,
         "UTF-8 overlong 4"},
        {MOTE_DER_UTF8_STRING, "\xed\xa0\x80", 3, MOTE_EINVAL,
         "UTF-8 surrogate D800"},
        {MOTE_DER_UTF8_STRING, "\xed\xbf\xbf", 3, MOTE_EINVAL,
         "UTF-8 surrogate DFFF"},
        {MOTE_DER_UTF8_STRING, "\xf4\x90\x80\x80", 4, MOTE_EINVAL,
         "UTF-8 above U+10FFFF"},
        {MOTE_DER_UTF8_STRING, "\xf5\x80\x80\x80", 4, MOTE_EINVAL, "UTF-8 F5"},
        {MOTE_DER_UTF8_STRING, "ab\xc3", 3, MOTE_EINVAL, "UTF-8 truncated"},
        {MOTE_DER_UTF8_STRING, "\x80", 1, MOTE_EINVAL,
         "UTF-8 lone continuation"},
        {MOTE_DER_UTF8_STRING, "\xe4\xb8\x41", 3, MOTE_EINVAL,
         "UTF-8 bad continuation"},
        {MOTE_DER_BMP_STRING, "\x00\x41\x4e\x2d", 4, 0, "BMP"},
        {MOTE_DER_BMP_STRING, "\x00\x41\x00", 3, MOTE_EINVAL, "BMP odd"},
        {MOTE_DER_BMP_STRING, "\xd8\x3d\xde\x00", 4, MOTE_EINVAL,
         "BMP surrogates"},
        {MOTE_DER_UNIVERSAL_STRING, "\x00\x01\xf6\x00", 4, 0, "Universal"},
        {MOTE_DER_UNIVERSAL_STRING, "\x00\x11\x00\x00", 4, MOTE_EINVAL,
         "Universal above U+10FFFF"},
        {MOTE_DER_UNIVERSAL_STRING, "\x00\x00\xd8\x00", 4, MOTE_EINVAL,
         "Universal surrogate"},
        {MOTE_DER_UNIVERSAL_STRING, "\x00\x00\x41", 3, MOTE_EINVAL,
         "Universal length"},
        {MOTE_DER_T61_STRING, "\xff\x00", 2, 0, "T61 not checked"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mote_der_elem e = {cases[i].tag, (const uint8_t *)cases[i].val,
                                  cases[i].len, NULL, 0};
        is_int(mote_der_get_string(&e), cases[i].want, "%s", cases[i].what);
        if (cases[i].tag == MOTE_DER_UTF8_STRING)
            is_int(mote_der_utf8_check(e.val, e.len), cases[i].want,
                   "... mote_der_utf8_check agrees");
    }
    /* Every 2-octet sequence against a reference decoder. */
    unsigned bad = 0;
    for (unsigned a = 0; a < 256; a++)
        for (unsigned b = 0; b < 256; b++) {
            uint8_t s2[2] = {(uint8_t)a, (uint8_t)b};
            bool ref = (a < 0x80 && b < 0x80) ||
                       (a >= 0xc2 && a <= 0xdf && (b & 0xc0) == 0x80);
            if ((mote_der_utf8_check(s2, 2) == 0) != ref)
                bad++;
        }
    is_int(bad, 0, "UTF-8: every two-octet string as a reference says");
}

static void test_split(void)
{
    size_t len;
    uint8_t *der = load("tests/vectors/x509/rich.der", &len);
    ok(der != NULL, "load rich.der");
    if (!der)
        return;
    struct mote_der d;
    mote_der_init(&d, der, len);
    is_int(walk(&d), 0, "whole certificate walks");
    int bad = 0;
    for (size_t cut = 0; cut < len; cut++) {
        /* A copy of exactly cut bytes, so ASan sees any overread. */
        uint8_t *p = malloc(cut ? cut : 1);
        memcpy(p, der, cut);
        struct mote_der_elem e;
        if (mote_der_parse_one(p, cut, &e) == 0)
            bad++;
        mote_der_init(&d, p, cut);
        walk(&d);
        free(p);
    }
    is_int(bad, 0, "no truncation parses as one TLV");
    free(der);
}

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_lengths);
    TAP_CASE(test_cursor);
    TAP_CASE(test_depth);
    TAP_CASE(test_integers);
    TAP_CASE(test_bool_null_bits);
    TAP_CASE(test_oids);
    TAP_CASE(test_times);
    TAP_CASE(test_writer);
    TAP_CASE(test_strings);
    TAP_CASE(test_split);
    return tap_done();
}

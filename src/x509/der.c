/* DER reader: TLV framing and the typed decoders (X.690, RFC 5280). */
#include <string.h>

#include <mote/der.h>
#include <mote/error.h>

void mote_der_init(struct mote_der *d, const uint8_t *buf, size_t len)
{
    d->p = buf;
    d->len = buf ? len : 0;
    d->depth = 0;
}

bool mote_der_at_end(const struct mote_der *d)
{
    return d->len == 0;
}

int mote_der_finish(const struct mote_der *d)
{
    return d->len == 0 ? 0 : MOTE_EINVAL;
}

int mote_der_peek(const struct mote_der *d)
{
    if (d->len == 0)
        return MOTE_ENOENT;
    /* Number 31 announces a long-form tag (X.690 8.1.2.4). */
    if ((d->p[0] & 0x1Fu) == 0x1Fu)
        return MOTE_ENOTSUP;
    return d->p[0];
}

int mote_der_read(struct mote_der *d, struct mote_der_elem *e)
{
    const uint8_t *p = d->p;
    size_t n = d->len;
    if (n < 2)
        return MOTE_EINVAL;
    if ((p[0] & 0x1Fu) == 0x1Fu)
        return MOTE_ENOTSUP;
    /* Universal tag 0 is end-of-contents, which only closes an
     * indefinite length (X.690 8.1.5): never an element in DER. Callers
     * also use tag 0 to mean "absent". */
    if (p[0] == 0)
        return MOTE_EINVAL;
    size_t hdr = 2, len = p[1];
    if (len & 0x80u) {
        /* Long form (X.690 8.1.3.5): 0x80 would be indefinite (not DER),
         * 0xFF is reserved. More than four length octets would announce
         * 4 GiB, far past any limit of ours. */
        size_t k = len & 0x7Fu;
        if (k == 0 || k > 4)
            return MOTE_EINVAL;
        if (n < 2 + k)
            return MOTE_EINVAL;
        /* DER (X.690 10.1): the fewest octets, so no leading zero octet
         * and the long form only for lengths of 128 and more. */
        if (p[2] == 0)
            return MOTE_EINVAL;
        len = 0;
        for (size_t i = 0; i < k; i++)
            len = (len << 8) | p[2 + i];
        if (len < 128)
            return MOTE_EINVAL;
        hdr = 2 + k;
    }
    if (len > n - hdr)
        return MOTE_EINVAL;
    e->tag = p[0];
    e->val = p + hdr;
    e->len = len;
    e->raw = p;
    e->raw_len = hdr + len;
    d->p += hdr + len;
    d->len -= hdr + len;
    return 0;
}

int mote_der_read_tag(struct mote_der *d, unsigned tag, struct mote_der_elem *e)
{
    int t = mote_der_peek(d);
    if (t < 0)
        return t == MOTE_ENOENT ? MOTE_EINVAL : t;
    if ((unsigned)t != tag)
        return MOTE_EINVAL;
    return mote_der_read(d, e);
}

int mote_der_read_optional(struct mote_der *d, unsigned tag,
                           struct mote_der_elem *e)
{
    int t = mote_der_peek(d);
    if (t == MOTE_ENOENT)
        return 0;
    if (t < 0)
        return t;
    if ((unsigned)t != tag)
        return 0;
    int err = mote_der_read(d, e);
    return err < 0 ? err : 1;
}

int mote_der_sub(const struct mote_der *parent, const struct mote_der_elem *e,
                 struct mote_der *inner)
{
    if (parent->depth + 1 > MOTE_DER_MAX_DEPTH)
        return MOTE_ERANGE;
    inner->p = e->val;
    inner->len = e->len;
    inner->depth = parent->depth + 1;
    return 0;
}

int mote_der_enter(struct mote_der *d, unsigned tag, struct mote_der *inner,
                   struct mote_der_elem *e)
{
    struct mote_der_elem tmp;
    if (!(tag & MOTE_DER_CONSTRUCTED))
        return MOTE_EINVAL;
    if (!e)
        e = &tmp;
    struct mote_der save = *d;
    int err = mote_der_read_tag(d, tag, e);
    if (err < 0)
        return err;
    err = mote_der_sub(d, e, inner);
    if (err < 0)
        *d = save;
    return err;
}

int mote_der_parse_one(const uint8_t *buf, size_t len, struct mote_der_elem *e)
{
    struct mote_der d;
    mote_der_init(&d, buf, len);
    int err = mote_der_read(&d, e);
    if (err < 0)
        return err;
    return mote_der_finish(&d);
}

/* ---- INTEGER --------------------------------------------------------------
 */

int mote_der_get_int_check(const struct mote_der_elem *e)
{
    if (e->len == 0)
        return MOTE_EINVAL;
    /* X.690 8.3.2: the first nine bits are not all the same. */
    if (e->len > 1 && ((e->val[0] == 0x00 && !(e->val[1] & 0x80)) ||
                       (e->val[0] == 0xFF && (e->val[1] & 0x80))))
        return MOTE_EINVAL;
    return 0;
}

bool mote_der_int_is_negative(const struct mote_der_elem *e)
{
    return e->len > 0 && (e->val[0] & 0x80);
}

int mote_der_get_int64(const struct mote_der_elem *e, int64_t *v)
{
    int err = mote_der_get_int_check(e);
    if (err < 0)
        return err;
    if (e->len > 8)
        return MOTE_ERANGE;
    /* Sign-extend from the first octet, then shift the rest in, in
     * unsigned arithmetic (shifting a negative value is undefined). */
    uint64_t u = (e->val[0] & 0x80) ? UINT64_MAX : 0;
    for (size_t i = 0; i < e->len; i++)
        u = (u << 8) | e->val[i];
    *v = (int64_t)u;
    return 0;
}

int mote_der_get_uint(const struct mote_der_elem *e, const uint8_t **p,
                      size_t *n)
{
    int err = mote_der_get_int_check(e);
    if (err < 0)
        return err;
    if (e->val[0] & 0x80)
        return MOTE_ERANGE;
    if (e->len > 1 && e->val[0] == 0) {
        *p = e->val + 1;
        *n = e->len - 1;
    } else {
        *p = e->val;
        *n = e->len;
    }
    return 0;
}

/* ---- BOOLEAN, NULL, BIT STRING ----------------------------------------------
 */

int mote_der_get_bool(const struct mote_der_elem *e, bool *v)
{
    if (e->len != 1 || (e->val[0] != 0x00 && e->val[0] != 0xFF))
        return MOTE_EINVAL;
    *v = e->val[0] == 0xFF;
    return 0;
}

int mote_der_get_null(const struct mote_der_elem *e)
{
    return e->len == 0 ? 0 : MOTE_EINVAL;
}

int mote_der_get_bits(const struct mote_der_elem *e, const uint8_t **bits,
                      size_t *nbytes, unsigned *unused)
{
    if (e->len == 0)
        return MOTE_EINVAL;
    unsigned u = e->val[0];
    if (u > 7 || (e->len == 1 && u != 0))
        return MOTE_EINVAL;
    /* X.690 11.2.1: each unused bit is zero. */
    if (e->len > 1 && (e->val[e->len - 1] & ((1u << u) - 1)))
        return MOTE_EINVAL;
    *bits = e->val + 1;
    *nbytes = e->len - 1;
    *unused = u;
    return 0;
}

int mote_der_get_bits_octets(const struct mote_der_elem *e, const uint8_t **p,
                             size_t *n)
{
    unsigned unused;
    int err = mote_der_get_bits(e, p, n, &unused);
    if (err < 0)
        return err;
    return unused == 0 ? 0 : MOTE_EINVAL;
}

/* ---- OBJECT IDENTIFIER -----------------------------------------------------
 */

int mote_der_get_oid(const struct mote_der_elem *e)
{
    if (e->len == 0)
        return MOTE_EINVAL;
    size_t arc_len = 0;
    for (size_t i = 0; i < e->len; i++) {
        /* X.690 8.19.2: an arc does not start with 0x80 (minimal). */
        if (arc_len == 0 && e->val[i] == 0x80)
            return MOTE_EINVAL;
        arc_len++;
        /* 9 octets carry 63 bits; a tenth could overflow 64. */
        if (arc_len > 9)
            return MOTE_ERANGE;
        if (!(e->val[i] & 0x80))
            arc_len = 0;
    }
    return arc_len == 0 ? 0 : MOTE_EINVAL;
}

bool mote_der_oid_eq(const struct mote_der_elem *e, const uint8_t *oid,
                     size_t oid_len)
{
    return e->len == oid_len && memcmp(e->val, oid, oid_len) == 0;
}

/* Append text to out at *pos; keeps the NUL within cap. */
static void emit(char *out, size_t cap, size_t *pos, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++, (*pos)++)
        if (*pos + 1 < cap)
            out[*pos] = s[i];
}

static size_t u64_text(uint64_t v, char buf[21])
{
    char tmp[21];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

int mote_der_oid_to_text(const uint8_t *oid, size_t oid_len, char *out,
                         size_t cap)
{
    struct mote_der_elem e = {MOTE_DER_OID, oid, oid_len, NULL, 0};
    int err = mote_der_get_oid(&e);
    if (err < 0)
        return err;
    size_t pos = 0;
    uint64_t v = 0;
    bool first = true;
    char num[21];
    for (size_t i = 0; i < oid_len; i++) {
        v = (v << 7) | (oid[i] & 0x7Fu);
        if (oid[i] & 0x80)
            continue;
        if (first) {
            /* X.690 8.19.4: the first octets hold 40 * X + Y. */
            uint64_t x = v < 40 ? 0 : v < 80 ? 1 : 2;
            size_t n = u64_text(x, num);
            emit(out, cap, &pos, num, n);
            v -= 40 * x;
            first = false;
        }
        emit(out, cap, &pos, ".", 1);
        size_t n = u64_text(v, num);
        emit(out, cap, &pos, num, n);
        v = 0;
    }
    if (cap > 0)
        out[pos < cap ? pos : cap - 1] = '\0';
    if (pos >= cap)
        return MOTE_ENOSPC;
    return (int)pos;
}

int mote_der_oid_from_text(const char *text, size_t len, uint8_t *out,
                           size_t cap)
{
    uint64_t arcs[2] = {0, 0};
    size_t narcs = 0, pos = 0, i = 0;
    while (i < len) {
        /* One arc: decimal digits, no leading zero unless "0". */
        size_t start = i;
        uint64_t v = 0;
        while (i < len && text[i] >= '0' && text[i] <= '9') {
            /* Arcs up to 2^63 - 1, as mote_der_get_oid accepts. */
            uint64_t dgt = (uint64_t)(text[i] - '0');
            if (v > ((uint64_t)INT64_MAX - dgt) / 10)
                return MOTE_ERANGE;
            v = v * 10 + dgt;
            i++;
        }
        if (i == start || (i - start > 1 && text[start] == '0'))
            return MOTE_EINVAL;
        if (i < len) {
            if (text[i] != '.' || i + 1 == len)
                return MOTE_EINVAL;
            i++;
        }
        if (narcs < 2) {
            arcs[narcs++] = v;
            if (narcs < 2)
                continue;
            if (arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39) ||
                arcs[1] > UINT64_MAX - 80)
                return MOTE_EINVAL;
            v = arcs[0] * 40 + arcs[1];
        }
        uint8_t tmp[10];
        size_t n = 0;
        do {
            tmp[n++] = (uint8_t)(v & 0x7F);
            v >>= 7;
        } while (v);
        for (size_t k = 0; k < n; k++) {
            if (pos < cap)
                out[pos] = (uint8_t)(tmp[n - 1 - k] | (k + 1 < n ? 0x80 : 0));
            pos++;
        }
    }
    if (narcs < 2)
        return MOTE_EINVAL;
    if (pos > cap)
        return MOTE_ENOSPC;
    return (int)pos;
}

/* ---- Times ------------------------------------------------------------------
 */

/* Days from 1970-01-01 to the given civil date (proleptic Gregorian), by
 * Howard Hinnant's days_from_civil. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const uint8_t dim[12] = {31, 28, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

int mote_der_civil_to_time(const struct mote_der_civil *c, int64_t *t)
{
    if (c->year < 0 || c->year > 9999)
        return MOTE_ERANGE;
    if (c->month < 1 || c->month > 12 || c->day < 1 ||
        c->day > days_in_month(c->year, c->month) || c->hour < 0 ||
        c->hour > 23 || c->min < 0 || c->min > 59 || c->sec < 0 || c->sec > 59)
        return MOTE_EINVAL;
    *t = days_from_civil(c->year, c->month, c->day) * 86400 + c->hour * 3600 +
         c->min * 60 + c->sec;
    return 0;
}

int mote_der_time_to_civil(int64_t t, struct mote_der_civil *c)
{
    /* Years 0..9999: -62167219200 is 0000-01-01, 253402300799 is the
     * last second of 9999. */
    if (t < -62167219200LL || t > 253402300799LL)
        return MOTE_ERANGE;
    int64_t days = t / 86400, secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    /* civil_from_days, the inverse of days_from_civil. */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    c->year = (int)(y + (m <= 2));
    c->month = (int)m;
    c->day = (int)d;
    c->hour = (int)(secs / 3600);
    c->min = (int)(secs / 60 % 60);
    c->sec = (int)(secs % 60);
    return 0;
}

static int digits(const uint8_t *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

int mote_der_get_time(const struct mote_der_elem *e, int64_t *t)
{
    const uint8_t *p = e->val;
    struct mote_der_civil c;
    size_t ylen;
    /* RFC 5280 4.1.2.5.1/4.1.2.5.2: YYMMDDHHMMSSZ and YYYYMMDDHHMMSSZ;
     * seconds always present, no fraction, always Zulu. */
    if (e->tag == MOTE_DER_UTC_TIME)
        ylen = 2;
    else if (e->tag == MOTE_DER_GENERALIZED_TIME)
        ylen = 4;
    else
        return MOTE_EINVAL;
    if (e->len != ylen + 11 || p[ylen + 10] != 'Z')
        return MOTE_EINVAL;
    c.year = digits(p, (int)ylen);
    c.month = digits(p + ylen, 2);
    c.day = digits(p + ylen + 2, 2);
    c.hour = digits(p + ylen + 4, 2);
    c.min = digits(p + ylen + 6, 2);
    c.sec = digits(p + ylen + 8, 2);
    if (c.year < 0 || c.month < 0 || c.day < 0 || c.hour < 0 || c.min < 0 ||
        c.sec < 0)
        return MOTE_EINVAL;
    if (ylen == 2)
        c.year += c.year < 50 ? 2000 : 1900;
    return mote_der_civil_to_time(&c, t);
}

/* ---- Character strings ---------------------------------------------------
 */

int mote_der_utf8_check(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp, min;
        if (c >= 0xC2 && c <= 0xDF)
            len = 2, cp = c & 0x1Fu, min = 0x80;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3, cp = c & 0x0Fu, min = 0x800;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4, cp = c & 0x07u, min = 0x10000;
        else
            return MOTE_EINVAL; /* continuation, 0xC0/0xC1, 0xF5.. */
        if (n - i < len)
            return MOTE_EINVAL;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0u) != 0x80u)
                return MOTE_EINVAL;
            cp = (cp << 6) | (p[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return MOTE_EINVAL;
        i += len;
    }
    return 0;
}

static bool printable_char(uint8_t c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
        (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case ' ':
    case '\'':
    case '(':
    case ')':
    case '+':
    case ',':
    case '-':
    case '.':
    case '/':
    case ':':
    case '=':
    case '?':
        return true;
    default:
        return false;
    }
}

int mote_der_get_string(const struct mote_der_elem *e)
{
    const uint8_t *p = e->val;
    size_t n = e->len;
    switch (e->tag) {
    case MOTE_DER_UTF8_STRING:
        return mote_der_utf8_check(p, n);
    case MOTE_DER_PRINTABLE_STRING:
        for (size_t i = 0; i < n; i++)
            if (!printable_char(p[i]))
                return MOTE_EINVAL;
        return 0;
    case MOTE_DER_IA5_STRING:
        for (size_t i = 0; i < n; i++)
            if (p[i] >= 0x80)
                return MOTE_EINVAL;
        return 0;
    case MOTE_DER_VISIBLE_STRING:
        for (size_t i = 0; i < n; i++)
            if (p[i] < 0x20 || p[i] > 0x7E)
                return MOTE_EINVAL;
        return 0;
    case MOTE_DER_NUMERIC_STRING:
        for (size_t i = 0; i < n; i++)
            if (p[i] != ' ' && (p[i] < '0' || p[i] > '9'))
                return MOTE_EINVAL;
        return 0;
    case MOTE_DER_BMP_STRING:
        if (n & 1)
            return MOTE_EINVAL;
        for (size_t i = 0; i < n; i += 2)
            if (p[i] >= 0xD8 && p[i] <= 0xDF)
                return MOTE_EINVAL;
        return 0;
    case MOTE_DER_UNIVERSAL_STRING:
        if (n & 3)
            return MOTE_EINVAL;
        for (size_t i = 0; i < n; i += 4) {
            uint32_t cp = (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 |
                          (uint32_t)p[i + 2] << 8 | p[i + 3];
            if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                return MOTE_EINVAL;
        }
        return 0;
    default:
        return 0;
    }
}

/* Distinguished names (RFC 5280 4.1.2.4): structure check, iteration over
 * attributes, and the RFC 4514 text form. */
#include <string.h>

#include <mote/error.h>
#include <mote/x509.h>

#include "x509_int.h"

/* AttributeTypeAndValue ::= SEQUENCE { type OID, value ANY } */
static int atv_read(struct mote_der *set, struct mote_x509_attr *a)
{
    struct mote_der seq;
    struct mote_der_elem oid, val;
    int err;
    if ((err = mote_der_enter(set, MOTE_DER_SEQUENCE, &seq, NULL)) < 0 ||
        (err = mote_der_read_tag(&seq, MOTE_DER_OID, &oid)) < 0 ||
        (err = mote_der_get_oid(&oid)) < 0 ||
        (err = mote_der_read(&seq, &val)) < 0 ||
        (err = mote_der_finish(&seq)) < 0)
        return err;
    /* Strings: their character sets (PrintableString, IA5String, UTF-8
     * well-formed, BMP and Universal; see mote_der_get_string). */
    if (val.tag == MOTE_DER_PRINTABLE_STRING) {
        /* '*' and '&' are outside PrintableString but found in real
         * names (wildcard CNs, "AT&T"); Go's crypto/x509 makes the same
         * two exceptions. Everything else outside the set is refused. */
        for (size_t i = 0; i < val.len; i++) {
            struct mote_der_elem ch = {MOTE_DER_PRINTABLE_STRING, &val.val[i],
                                       1, NULL, 0};
            if (val.val[i] != '*' && val.val[i] != '&' &&
                mote_der_get_string(&ch) < 0)
                return MOTE_EINVAL;
        }
    } else if ((err = mote_der_get_string(&val)) < 0) {
        return err;
    }
    a->oid.ptr = oid.val;
    a->oid.len = oid.len;
    a->tag = val.tag;
    a->value.ptr = val.val;
    a->value.len = val.len;
    return 0;
}

void mote_x509_name_iter_init(struct mote_x509_name_iter *it,
                              const struct mote_x509_name *n)
{
    struct mote_der top;
    memset(it, 0, sizeof *it);
    mote_der_init(&top, n->der, n->len);
    /* A name that does not open as a SEQUENCE iterates as empty. */
    if (mote_der_enter(&top, MOTE_DER_SEQUENCE, &it->rdns, NULL) < 0)
        mote_der_init(&it->rdns, NULL, 0);
}

int mote_x509_name_next(struct mote_x509_name_iter *it,
                        struct mote_x509_attr *a)
{
    int err;
    if (it->in_set && mote_der_at_end(&it->set)) {
        it->in_set = false;
        it->rdn++;
    }
    if (!it->in_set) {
        if (mote_der_at_end(&it->rdns))
            return 0;
        if ((err = mote_der_enter(&it->rdns, MOTE_DER_SET, &it->set, NULL)) < 0)
            return err;
        /* RelativeDistinguishedName ::= SET SIZE (1..MAX) OF ... */
        if (mote_der_at_end(&it->set))
            return MOTE_EINVAL;
        it->in_set = true;
    }
    if ((err = atv_read(&it->set, a)) < 0)
        return err;
    a->rdn = it->rdn;
    return 1;
}

/* X.690 11.6: the encodings of a SET OF are in ascending order, compared
 * as octet strings with the shorter padded with trailing zero octets. */
static int set_of_cmp(const struct mote_der_elem *a,
                      const struct mote_der_elem *b)
{
    size_t n = a->raw_len > b->raw_len ? a->raw_len : b->raw_len;
    for (size_t i = 0; i < n; i++) {
        uint8_t x = i < a->raw_len ? a->raw[i] : 0;
        uint8_t y = i < b->raw_len ? b->raw[i] : 0;
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

/* Every multi-valued RDN's members in DER order. */
static int rdns_sorted(const uint8_t *der, size_t len)
{
    struct mote_der top, rdns, set;
    int err;
    mote_der_init(&top, der, len);
    if ((err = mote_der_enter(&top, MOTE_DER_SEQUENCE, &rdns, NULL)) < 0)
        return err;
    while (!mote_der_at_end(&rdns)) {
        struct mote_der_elem prev, cur;
        bool first = true;
        if ((err = mote_der_enter(&rdns, MOTE_DER_SET, &set, NULL)) < 0)
            return err;
        while (!mote_der_at_end(&set)) {
            if ((err = mote_der_read(&set, &cur)) < 0)
                return err;
            if (!first && set_of_cmp(&prev, &cur) > 0)
                return MOTE_EINVAL;
            prev = cur;
            first = false;
        }
    }
    return 0;
}

int mote_x509_name_parse(struct mote_x509_name *n, const uint8_t *der,
                         size_t len)
{
    struct mote_der_elem e;
    struct mote_x509_name_iter it;
    struct mote_x509_attr a;
    int r;
    n->der = der;
    n->len = len;
    if ((r = mote_der_parse_one(der, len, &e)) < 0)
        return r;
    if (e.tag != MOTE_DER_SEQUENCE)
        return MOTE_EINVAL;
    mote_x509_name_iter_init(&it, n);
    while ((r = mote_x509_name_next(&it, &a)) == 1)
        ;
    if (r < 0)
        return r;
    return rdns_sorted(der, len);
}

/* ---- RFC 4514 text --------------------------------------------------------
 */

static const struct {
    const char *name;
    const char *oid;
} short_names[] = {
    {"CN", "\x55\x04\x03"},
    {"C", "\x55\x04\x06"},
    {"L", "\x55\x04\x07"},
    {"ST", "\x55\x04\x08"},
    {"STREET", "\x55\x04\x09"},
    {"O", "\x55\x04\x0a"},
    {"OU", "\x55\x04\x0b"},
    {"DC", "\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x19"},
    {"UID", "\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x01"},
};

struct text_out {
    char *out;
    size_t cap, pos;
};

static void out_c(struct text_out *t, char c)
{
    if (t->pos + 1 < t->cap)
        t->out[t->pos] = c;
    t->pos++;
}

static void out_s(struct text_out *t, const char *s)
{
    while (*s)
        out_c(t, *s++);
}

static void out_hex(struct text_out *t, uint8_t b)
{
    static const char hex[] = "0123456789abcdef";
    out_c(t, hex[b >> 4]);
    out_c(t, hex[b & 15]);
}

/* One character of a value with RFC 4514 section 2.4 escaping. */
static void out_esc(struct text_out *t, uint32_t c, bool first, bool last)
{
    if (c == 0) {
        out_s(t, "\\00");
        return;
    }
    if (c == '"' || c == '+' || c == ',' || c == ';' || c == '<' || c == '>' ||
        c == '\\' || (first && (c == ' ' || c == '#')) || (last && c == ' '))
        out_c(t, '\\');
    if (c < 0x80) {
        out_c(t, (char)c);
    } else if (c < 0x800) {
        out_c(t, (char)(0xC0 | (c >> 6)));
        out_c(t, (char)(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out_c(t, (char)(0xE0 | (c >> 12)));
        out_c(t, (char)(0x80 | ((c >> 6) & 0x3F)));
        out_c(t, (char)(0x80 | (c & 0x3F)));
    } else {
        out_c(t, (char)(0xF0 | (c >> 18)));
        out_c(t, (char)(0x80 | ((c >> 12) & 0x3F)));
        out_c(t, (char)(0x80 | ((c >> 6) & 0x3F)));
        out_c(t, (char)(0x80 | (c & 0x3F)));
    }
}

static bool is_string_tag(unsigned tag)
{
    switch (tag) {
    case MOTE_DER_UTF8_STRING:
    case MOTE_DER_PRINTABLE_STRING:
    case MOTE_DER_T61_STRING:
    case MOTE_DER_IA5_STRING:
    case MOTE_DER_NUMERIC_STRING:
    case MOTE_DER_VISIBLE_STRING:
    case MOTE_DER_BMP_STRING:
    case MOTE_DER_UNIVERSAL_STRING:
        return true;
    default:
        return false;
    }
}

static void attr_text(struct text_out *t, const struct mote_x509_attr *a)
{
    const char *name = NULL;
    for (size_t i = 0; i < sizeof short_names / sizeof short_names[0]; i++)
        if (a->oid.len == strlen(short_names[i].oid) &&
            memcmp(a->oid.ptr, short_names[i].oid, a->oid.len) == 0)
            name = short_names[i].name;
    if (name && is_string_tag(a->tag)) {
        out_s(t, name);
        out_c(t, '=');
        const uint8_t *p = a->value.ptr;
        size_t n = a->value.len;
        size_t step = a->tag == MOTE_DER_BMP_STRING         ? 2
                      : a->tag == MOTE_DER_UNIVERSAL_STRING ? 4
                                                            : 1;
        for (size_t i = 0; i + step <= n; i += step) {
            uint32_t c = 0;
            for (size_t k = 0; k < step; k++)
                c = (c << 8) | p[i + k];
            /* Bytes of UTF-8 and the 8-bit strings pass through as they
             * are (already UTF-8, or bytes we cannot name). */
            if (step == 1 && c >= 0x80) {
                out_c(t, (char)c);
                continue;
            }
            out_esc(t, c, i == 0, i + step == n);
        }
        return;
    }
    /* Unknown type or non-string value: dotted OID and "#" hex of the
     * value's whole BER encoding (RFC 4514 2.4). */
    char oid[64];
    int r = mote_der_oid_to_text(a->oid.ptr, a->oid.len, oid, sizeof oid);
    out_s(t, r >= 0 ? oid : "?");
    out_c(t, '=');
    out_c(t, '#');
    out_hex(t, (uint8_t)a->tag);
    uint8_t lb[5];
    size_t ln = 0, len = a->value.len;
    if (len < 128) {
        lb[ln++] = (uint8_t)len;
    } else {
        size_t k = 0;
        for (size_t v = len; v; v >>= 8)
            k++;
        lb[ln++] = (uint8_t)(0x80 | k);
        while (k--)
            lb[ln++] = (uint8_t)(len >> (8 * k));
    }
    for (size_t i = 0; i < ln; i++)
        out_hex(t, lb[i]);
    for (size_t i = 0; i < a->value.len; i++)
        out_hex(t, a->value.ptr[i]);
}

int mote_x509_name_to_text(const struct mote_x509_name *n, char *out,
                           size_t cap)
{
    struct text_out t = {out, cap, 0};
    struct mote_x509_name_iter it;
    struct mote_x509_attr a;
    int r;
    unsigned nrdn = 0;

    /* Count the RDNs: RFC 4514 writes them last first. */
    mote_x509_name_iter_init(&it, n);
    while ((r = mote_x509_name_next(&it, &a)) == 1)
        nrdn = a.rdn + 1;
    if (r < 0)
        return r;
    for (unsigned want = nrdn; want-- > 0;) {
        bool first_in_rdn = true;
        mote_x509_name_iter_init(&it, n);
        while (mote_x509_name_next(&it, &a) == 1) {
            if (a.rdn != want)
                continue;
            if (!first_in_rdn)
                out_c(&t, '+');
            else if (want + 1 != nrdn)
                out_c(&t, ',');
            first_in_rdn = false;
            attr_text(&t, &a);
        }
    }
    if (cap > 0)
        out[t.pos < cap ? t.pos : cap - 1] = '\0';
    if (t.pos >= cap)
        return MOTE_ENOSPC;
    return (int)t.pos;
}

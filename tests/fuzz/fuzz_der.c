/* libFuzzer target: the DER reader on arbitrary bytes, every typed decoder
 * on every primitive, and the round trip: whatever the reader accepts as
 * a sequence of TLVs (constructed ones entered) the writer re-encodes to
 * the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mote/der.h>
#include <mote/error.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Run every decoder on e; they may refuse, never crash. */
static void decode_all(const struct mote_der_elem *e)
{
    int64_t v;
    bool b;
    const uint8_t *p;
    size_t n;
    unsigned unused;
    char text[128];
    mote_der_get_int64(e, &v);
    if (mote_der_get_int_check(e) == 0) {
        mote_der_int_is_negative(e);
        mote_der_get_uint(e, &p, &n);
    }
    mote_der_get_bool(e, &b);
    mote_der_get_null(e);
    mote_der_get_bits(e, &p, &n, &unused);
    if (mote_der_get_oid(e) == 0) {
        /* dotted text -> DER must give the same contents back */
        int t = mote_der_oid_to_text(e->val, e->len, text, sizeof text);
        if (t > 0) {
            uint8_t back[128];
            int m = mote_der_oid_from_text(text, (size_t)t, back, sizeof back);
            if (m != (int)e->len || memcmp(back, e->val, e->len) != 0)
                abort();
        }
    }
    struct mote_der_elem te = *e;
    int64_t t;
    te.tag = MOTE_DER_UTC_TIME;
    if (mote_der_get_time(&te, &t) == 0) {
        /* a valid UTCTime re-encodes to itself */
        struct mote_der_writer w;
        uint8_t out[32];
        size_t len;
        mote_der_writer_init(&w, out, sizeof out);
        mote_der_put_time(&w, MOTE_DER_UTC_TIME, t);
        if (mote_der_writer_finish(&w, &len) != 0 || len != 2 + e->len ||
            memcmp(out + 2, e->val, e->len) != 0)
            abort();
    }
    te.tag = MOTE_DER_GENERALIZED_TIME;
    mote_der_get_time(&te, &t);
    /* Strings: UTF-8 checked two ways must agree; a valid UTF8String
     * whose bytes are all below 0x80 is valid IA5 too. */
    static const unsigned string_tags[] = {
        MOTE_DER_UTF8_STRING,     MOTE_DER_PRINTABLE_STRING,
        MOTE_DER_IA5_STRING,      MOTE_DER_VISIBLE_STRING,
        MOTE_DER_NUMERIC_STRING,  MOTE_DER_BMP_STRING,
        MOTE_DER_UNIVERSAL_STRING};
    int sres[7];
    for (size_t i = 0; i < 7; i++) {
        te.tag = string_tags[i];
        sres[i] = mote_der_get_string(&te);
    }
    if (sres[0] != mote_der_utf8_check(e->val, e->len))
        abort();
    /* Printable and Numeric are subsets of Visible, Visible of IA5,
     * IA5 of UTF-8. */
    if ((sres[1] == 0 && sres[3] != 0) || (sres[4] == 0 && sres[3] != 0) ||
        (sres[3] == 0 && sres[2] != 0) || (sres[2] == 0 && sres[0] != 0))
        abort();
}

/* Read the TLVs of d and write them again with w; 0 if all were read. */
static int copy(struct mote_der *d, struct mote_der_writer *w)
{
    while (!mote_der_at_end(d)) {
        struct mote_der_elem e;
        struct mote_der in;
        int err = mote_der_read(d, &e);
        if (err < 0)
            return err;
        if (e.tag & MOTE_DER_CONSTRUCTED) {
            if ((err = mote_der_sub(d, &e, &in)) < 0)
                return err;
            mote_der_put_begin(w, e.tag);
            if ((err = copy(&in, w)) < 0)
                return err;
            mote_der_put_end(w);
        } else {
            decode_all(&e);
            mote_der_put_tlv(w, e.tag, e.val, e.len);
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mote_der d;
    struct mote_der_writer w;
    struct mote_der_elem e;
    uint8_t *out = malloc(size + 1);
    size_t len;
    mote_der_parse_one(data, size, &e);
    mote_der_init(&d, data, size);
    mote_der_writer_init(&w, out, size);
    if (copy(&d, &w) == 0) {
        if (mote_der_writer_finish(&w, &len) != 0 || len != size ||
            memcmp(out, data, size) != 0)
            abort();
    }
    free(out);
    return 0;
}

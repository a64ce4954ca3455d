/* DER (X.690 Distinguished Encoding Rules): a strict reader and a writer. */
#ifndef MOTE_DER_H
#define MOTE_DER_H

/*
 * STABILITY: every type, constant and function declared here is stable
 * (issue 7 parts 2 and 3 build on them); only additions are made.
 *
 * Conventions:
 *
 * - Freestanding, no allocation, no state outside the structs below. The
 *   reader borrows the caller's bytes: every pointer it hands out points
 *   into the input buffer, which must outlive the results.
 * - Tags are the single identifier octet (class | constructed | number).
 *   Only the low-tag-number form (number 0..30) is accepted: X.509 never
 *   needs more; a long-form tag gives MOTE_ENOTSUP.
 * - Strict DER: definite lengths only, in the minimal number of octets
 *   (short form below 128), no indefinite length, INTEGERs minimal, BOOLEAN
 *   0x00/0xFF, BIT STRING unused bits zero, times in their DER forms.
 * - Errors: MOTE_EINVAL for anything malformed or not DER (and a tag other
 *   than the one expected), MOTE_ENOTSUP for valid BER that DER or this
 *   reader does not use (long-form tags), MOTE_ERANGE for a value that does
 *   not fit (int64 overflow, nesting deeper than MOTE_DER_MAX_DEPTH, a year
 *   outside 0..9999), MOTE_ENOSPC for a full output buffer.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Tags ------------------------------------------------------------------
 */

#define MOTE_DER_CLASS_MASK  0xC0u
#define MOTE_DER_UNIVERSAL   0x00u
#define MOTE_DER_APPLICATION 0x40u
#define MOTE_DER_CONTEXT     0x80u
#define MOTE_DER_PRIVATE     0xC0u
#define MOTE_DER_CONSTRUCTED 0x20u

#define MOTE_DER_BOOLEAN          0x01u
#define MOTE_DER_INTEGER          0x02u
#define MOTE_DER_BIT_STRING       0x03u
#define MOTE_DER_OCTET_STRING     0x04u
#define MOTE_DER_NULL             0x05u
#define MOTE_DER_OID              0x06u
#define MOTE_DER_ENUMERATED       0x0Au
#define MOTE_DER_UTF8_STRING      0x0Cu
#define MOTE_DER_NUMERIC_STRING   0x12u
#define MOTE_DER_PRINTABLE_STRING 0x13u
#define MOTE_DER_T61_STRING       0x14u
#define MOTE_DER_IA5_STRING       0x16u
#define MOTE_DER_UTC_TIME         0x17u
#define MOTE_DER_GENERALIZED_TIME 0x18u
#define MOTE_DER_VISIBLE_STRING   0x1Au
#define MOTE_DER_UNIVERSAL_STRING 0x1Cu
#define MOTE_DER_BMP_STRING       0x1Eu
#define MOTE_DER_SEQUENCE         0x30u /* constructed */
#define MOTE_DER_SET              0x31u /* constructed */

/* Context-specific tag [n]: primitive (IMPLICIT of a primitive type) and
 * constructed (EXPLICIT, or IMPLICIT of a SEQUENCE). */
#define MOTE_DER_CTX(n) (MOTE_DER_CONTEXT | (unsigned)(n))
#define MOTE_DER_CTX_CONS(n)                                                   \
    (MOTE_DER_CONTEXT | MOTE_DER_CONSTRUCTED | (unsigned)(n))

/* Deepest nesting of constructed values the reader enters (a certificate
 * needs about 12: name constraints holding directory names). */
#define MOTE_DER_MAX_DEPTH 24

/* ---- Reader ----------------------------------------------------------------
 */

/* One TLV: tag, its contents (val, len) and the whole encoding (raw,
 * raw_len: identifier, length and contents). Both point into the input. */
struct mote_der_elem {
    unsigned tag;
    const uint8_t *val;
    size_t len;
    const uint8_t *raw;
    size_t raw_len;
};

/* A cursor over a sequence of TLVs: the contents of one constructed value,
 * or a top-level buffer. depth counts the constructed values entered. */
struct mote_der {
    const uint8_t *p;
    size_t len; /* bytes left from p */
    unsigned depth;
};

/* A top-level cursor over buf (len bytes, borrowed), depth 0. */
void mote_der_init(struct mote_der *d, const uint8_t *buf, size_t len);

/* True when no bytes are left. */
bool mote_der_at_end(const struct mote_der *d);

/* 0 if no bytes are left, MOTE_EINVAL otherwise (trailing bytes). Call it
 * after the last field of every SEQUENCE and at top level. */
int mote_der_finish(const struct mote_der *d);

/* The tag of the next TLV without consuming it: a tag (>= 0), or
 * MOTE_ENOENT at the end, or the error reading its identifier would give. */
int mote_der_peek(const struct mote_der *d);

/* Read the next TLV, any tag, and advance past it. Errors: MOTE_EINVAL
 * (truncated, bad length encoding, length past the end), MOTE_ENOTSUP
 * (long-form tag). On error the cursor does not move. */
int mote_der_read(struct mote_der *d, struct mote_der_elem *e);

/* Read the next TLV and require its tag (MOTE_EINVAL if it differs, also
 * at the end of input). */
int mote_der_read_tag(struct mote_der *d, unsigned tag,
                      struct mote_der_elem *e);

/* OPTIONAL / DEFAULT fields: if the next TLV has this tag, read it into e
 * and return 1; if the cursor is at the end or the next tag differs,
 * return 0 without moving; negative on a malformed TLV. */
int mote_der_read_optional(struct mote_der *d, unsigned tag,
                           struct mote_der_elem *e);

/* Read a constructed TLV with this tag (SEQUENCE, SET, [n] EXPLICIT ...)
 * and set inner to a cursor over its contents, one level deeper. Errors:
 * as read_tag, MOTE_EINVAL if tag is not a constructed tag, MOTE_ERANGE past
 * MOTE_DER_MAX_DEPTH. e may be NULL; otherwise it gets the element. */
int mote_der_enter(struct mote_der *d, unsigned tag, struct mote_der *inner,
                   struct mote_der_elem *e);

/* A cursor over the contents of an element already read from parent (for
 * example the DER inside an OCTET STRING), one level deeper than parent.
 * MOTE_ERANGE past MOTE_DER_MAX_DEPTH. */
int mote_der_sub(const struct mote_der *parent, const struct mote_der_elem *e,
                 struct mote_der *inner);

/* Exactly one TLV filling buf: read it and reject trailing bytes. */
int mote_der_parse_one(const uint8_t *buf, size_t len, struct mote_der_elem *e);

/* ---- Decoding contents
 * -------------------------------------------------------
 *
 * These check and decode the contents of an element whatever its tag, so
 * they serve IMPLICIT tags too ([0] IMPLICIT INTEGER: read_tag(CTX(0)) then
 * get_int64). Errors: MOTE_EINVAL unless stated.
 */

/* INTEGER contents: non-empty and minimal two's complement (X.690 8.3.2:
 * the first nine bits are not all zero or all one). */
int mote_der_get_int_check(const struct mote_der_elem *e);
/* True if the (checked) integer is negative. */
bool mote_der_int_is_negative(const struct mote_der_elem *e);
/* A minimal INTEGER as int64; MOTE_ERANGE if it does not fit. */
int mote_der_get_int64(const struct mote_der_elem *e, int64_t *v);
/* A minimal, non-negative INTEGER as an unsigned big-endian magnitude: the
 * single 0x00 sign octet, if any, is skipped (zero gives one 0x00 byte).
 * Negative gives MOTE_ERANGE. For key material and serial numbers. */
int mote_der_get_uint(const struct mote_der_elem *e, const uint8_t **p,
                      size_t *n);

/* BOOLEAN: one octet, 0x00 (false) or 0xFF (true) (X.690 11.1). */
int mote_der_get_bool(const struct mote_der_elem *e, bool *v);

/* NULL: empty contents. */
int mote_der_get_null(const struct mote_der_elem *e);

/* BIT STRING: first octet the number of unused bits (0..7, 0 if there are
 * no bits), the unused bits of the last octet zero (X.690 11.2.1). *bits and
 * *nbytes give the octets after the first. */
int mote_der_get_bits(const struct mote_der_elem *e, const uint8_t **bits,
                      size_t *nbytes, unsigned *unused);
/* A BIT STRING that must hold whole octets (keys, signatures): unused == 0,
 * MOTE_EINVAL otherwise. */
int mote_der_get_bits_octets(const struct mote_der_elem *e, const uint8_t **p,
                             size_t *n);

/* OBJECT IDENTIFIER contents: non-empty, each arc minimal base-128 (no
 * leading 0x80 octet), the last octet ends an arc, every arc fits 64 bits. */
int mote_der_get_oid(const struct mote_der_elem *e);
/* True if e's contents equal oid (oid_len bytes of DER contents, no tag and
 * length: e.g. "\x2a\x86\x48\xce\x3d\x02\x01" for id-ecPublicKey). */
bool mote_der_oid_eq(const struct mote_der_elem *e, const uint8_t *oid,
                     size_t oid_len);
/* Dotted text form ("1.2.840.10045.2.1") of OID contents, NUL-terminated.
 * Returns the text length (without the NUL), MOTE_EINVAL for a bad OID,
 * MOTE_ENOSPC if cap is too small (out then holds a truncated string). */
int mote_der_oid_to_text(const uint8_t *oid, size_t oid_len, char *out,
                         size_t cap);
/* The reverse: DER contents of a dotted OID text (len chars) into out (cap
 * bytes). Returns the content length, MOTE_EINVAL, MOTE_ENOSPC. */
int mote_der_oid_from_text(const char *text, size_t len, uint8_t *out,
                           size_t cap);

/* Character strings: the contents of e checked against its tag (X.680
 * 41, RFC 3629): PrintableString A-Z a-z 0-9 space ' ( ) + , - . / : = ?;
 * IA5String 7-bit; VisibleString 0x20..0x7E; NumericString digits and
 * space; UTF8String well-formed UTF-8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF); BMPString an even length without surrogates;
 * UniversalString a multiple of 4, each at most U+10FFFF and not a
 * surrogate. Other tags (T61String, ...) are not checked (0). */
int mote_der_get_string(const struct mote_der_elem *e);
/* The same check on bytes (UTF-8 only): 0 or MOTE_EINVAL. */
int mote_der_utf8_check(const uint8_t *p, size_t n);

/* UTCTime (tag 0x17) or GeneralizedTime (0x18), by e->tag, in the RFC 5280
 * section 4.1.2.5 DER forms: UTCTime YYMMDDHHMMSSZ (YY < 50 is 20YY, else
 * 19YY), GeneralizedTime YYYYMMDDHHMMSSZ, no fractional seconds, no
 * offsets; fields in range (seconds 0..59; February 29 only in leap
 * years). *t is seconds since 1970-01-01T00:00:00Z (negative before).
 * Other tags give MOTE_EINVAL. */
int mote_der_get_time(const struct mote_der_elem *e, int64_t *t);

/* A civil date from seconds since the epoch, and back. Years 0..9999;
 * MOTE_ERANGE outside. */
struct mote_der_civil {
    int year, month, day, hour, min, sec;
};
int mote_der_time_to_civil(int64_t t, struct mote_der_civil *c);
int mote_der_civil_to_time(const struct mote_der_civil *c, int64_t *t);

/* ---- Writer
 * ------------------------------------------------------------------
 *
 * Appends DER to a caller's buffer. Every put is void: the first failure is
 * kept (sticky) and reported by mote_der_writer_finish, so encoding code
 * reads like the structure it writes. When the buffer is too small the
 * writer keeps counting, so finish can report the size needed: a first
 * pass with buf NULL and cap 0 measures.
 *
 * Constructed values are written between begin and end without knowing
 * their length in advance: begin writes the tag and a one-octet length,
 * end patches the length and, for contents of 128 bytes or more, moves
 * the contents up to make room for the long form.
 *
 *     mote_der_writer_init(&w, buf, sizeof buf);
 *     mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
 *     mote_der_put_int64(&w, 2);
 *     mote_der_put_end(&w);
 *     err = mote_der_writer_finish(&w, &len);
 */

struct mote_der_writer {
    uint8_t *buf;
    size_t cap;
    size_t len; /* bytes written, or that would have been */
    int err;    /* first error, sticky */
    unsigned depth;
    size_t open[MOTE_DER_MAX_DEPTH]; /* offset of each open length octet */
};

/* buf (cap bytes, owned by the caller) may be NULL when cap is 0. */
void mote_der_writer_init(struct mote_der_writer *w, uint8_t *buf, size_t cap);

/* 0 and *len = bytes written; MOTE_ENOSPC and *len = bytes needed;
 * MOTE_EINVAL for a begin without end (or the reverse) or a bad argument
 * to a put (then *len is 0); MOTE_ERANGE for nesting deeper than
 * MOTE_DER_MAX_DEPTH. len may be NULL. */
int mote_der_writer_finish(const struct mote_der_writer *w, size_t *len);

/* Open a value with tag / close the innermost open one. Mostly for
 * constructed values (SEQUENCE, SET, CTX_CONS(n)); a primitive tag wraps
 * DER written inside it, as in an OCTET STRING extnValue or the BIT STRING
 * of a public key (then put_raw the unused-bits octet 0 first). */
void mote_der_put_begin(struct mote_der_writer *w, unsigned tag);
void mote_der_put_end(struct mote_der_writer *w);

/* A TLV with the given tag and contents (val may be NULL if len is 0). For
 * strings, OCTET STRING, IMPLICIT primitives, pre-encoded INTEGER contents. */
void mote_der_put_tlv(struct mote_der_writer *w, unsigned tag, const void *val,
                      size_t len);
/* Bytes that are already DER (a whole TLV, or several), copied as is. */
void mote_der_put_raw(struct mote_der_writer *w, const void *p, size_t len);

/* INTEGER from an int64, minimal. */
void mote_der_put_int64(struct mote_der_writer *w, int64_t v);
/* INTEGER from an unsigned big-endian magnitude (n bytes; leading zeros
 * are dropped and a 0x00 sign octet added when the top bit is set; n == 0
 * means zero). tag is MOTE_DER_INTEGER or an IMPLICIT tag. */
void mote_der_put_uint(struct mote_der_writer *w, unsigned tag,
                       const uint8_t *p, size_t n);
void mote_der_put_bool(struct mote_der_writer *w, bool v);
void mote_der_put_null(struct mote_der_writer *w);
/* OID from its DER contents (as for mote_der_oid_eq). */
void mote_der_put_oid(struct mote_der_writer *w, const uint8_t *oid,
                      size_t len);
/* BIT STRING of nbytes octets whose last unused bits (0..7) are zero
 * (they are cleared if not; unused must be 0 when nbytes is 0). */
void mote_der_put_bits(struct mote_der_writer *w, const uint8_t *bits,
                       size_t nbytes, unsigned unused);
/* A time with tag MOTE_DER_UTC_TIME or MOTE_DER_GENERALIZED_TIME, or 0 to
 * choose as RFC 5280 4.1.2.5 says (UTCTime for years 1950..2049).
 * MOTE_ERANGE (sticky) if the year does not fit the form. */
void mote_der_put_time(struct mote_der_writer *w, unsigned tag, int64_t t);

#endif

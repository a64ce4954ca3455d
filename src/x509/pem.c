/* PEM (RFC 7468): find labelled base64 blocks in text; strict base64. */
#include <string.h>

#include <mote/error.h>
#include <mote/x509.h>

static const char BEGIN[] = "-----BEGIN ";
static const char END[] = "-----END ";
static const char DASHES[] = "-----";

void mote_pem_iter_init(struct mote_pem_iter *it, const char *text, size_t len)
{
    it->p = text;
    it->len = text ? len : 0;
}

/* First occurrence of needle (n bytes) in hay (len bytes), or NULL. */
static const char *find(const char *hay, size_t len, const char *needle,
                        size_t n)
{
    if (n > len)
        return NULL;
    for (size_t i = 0; i + n <= len; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, n) == 0)
            return hay + i;
    return NULL;
}

static bool at_line_start(const char *text, const char *p)
{
    return p == text || p[-1] == '\n' || p[-1] == '\r';
}

/* Parse "label-----" at p (the text after BEGIN/END up to end): the label
 * is printable ASCII other than '-' at its ends (RFC 7468 section 3 is
 * looser; this is what every producer writes). Returns the length of
 * label and dashes, or 0. */
static size_t label_at(const char *p, const char *end, size_t *label_len)
{
    size_t i = 0;
    while (p + i < end && p[i] != '\n' && p[i] != '\r') {
        if (end - (p + i) >= 5 && memcmp(p + i, DASHES, 5) == 0) {
            *label_len = i;
            return i + 5;
        }
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c > 0x7E)
            return 0;
        i++;
    }
    return 0;
}

/* After the closing dashes only blanks may follow on the line (RFC 7468
 * section 3 allows trailing whitespace); "-----BEGIN X----- text" is not a
 * BEGIN line. */
static bool rest_of_line_blank(const char *p, const char *end)
{
    for (; p < end && *p != '\n' && *p != '\r'; p++)
        if (*p != ' ' && *p != '\t')
            return false;
    return true;
}

int mote_pem_next(struct mote_pem_iter *it, struct mote_pem_block *b)
{
    const char *text = it->p, *end = it->p + it->len;
    const char *s = text;
    for (;;) {
        s = find(s, (size_t)(end - s), BEGIN, sizeof BEGIN - 1);
        if (!s) {
            it->p = end;
            it->len = 0;
            return 0;
        }
        size_t lab_len, n = 0;
        if (at_line_start(text, s))
            n = label_at(s + sizeof BEGIN - 1, end, &lab_len);
        if (n && !rest_of_line_blank(s + sizeof BEGIN - 1 + n, end))
            n = 0;
        if (n == 0) {
            s += 1; /* not a BEGIN line: keep looking */
            continue;
        }
        const char *label = s + sizeof BEGIN - 1;
        const char *body = label + n;
        /* The END line with the same label. */
        const char *e = body;
        for (;;) {
            e = find(e, (size_t)(end - e), END, sizeof END - 1);
            if (!e || !at_line_start(text, e)) {
                if (e) {
                    e++;
                    continue;
                }
                it->p = end;
                it->len = 0;
                return MOTE_EINVAL;
            }
            break;
        }
        size_t elab_len, m = label_at(e + sizeof END - 1, end, &elab_len);
        if (m == 0 || elab_len != lab_len ||
            !rest_of_line_blank(e + sizeof END - 1 + m, end) ||
            memcmp(e + sizeof END - 1, label, lab_len) != 0) {
            it->p = end;
            it->len = 0;
            return MOTE_EINVAL;
        }
        const char *after = e + sizeof END - 1 + m;
        b->label = label;
        b->label_len = lab_len;
        b->body = body;
        b->body_len = (size_t)(e - body);
        b->start = s;
        b->block_len = (size_t)(after - s);
        it->p = after;
        it->len = (size_t)(end - after);
        return 1;
    }
}

bool mote_pem_label_is(const struct mote_pem_block *b, const char *label)
{
    size_t n = strlen(label);
    return b->label_len == n && memcmp(b->label, label, n) == 0;
}

/* All ones if x < 0, else 0 (x is a small int; no branch). */
static uint32_t neg_mask(int x)
{
    return 0u - ((uint32_t)x >> 31);
}

/* The 6-bit value of a base64 character, or -1, without a branch or a
 * table index that depends on c: PEM carries private keys, and this keeps
 * their bytes out of the branch predictor and the cache (the technique of
 * BoringSSL's and libsodium's constant-time base64). */
static int b64_value(unsigned char uc)
{
    int c = uc;
    uint32_t v = 0;
    v |= neg_mask((0x40 - c) & (c - 0x5b)) & (uint32_t)(c - 'A' + 1);
    v |= neg_mask((0x60 - c) & (c - 0x7b)) & (uint32_t)(c - 'a' + 27);
    v |= neg_mask((0x2f - c) & (c - 0x3a)) & (uint32_t)(c - '0' + 53);
    v |= neg_mask((0x2a - c) & (c - 0x2c)) & 63u; /* '+' */
    v |= neg_mask((0x2e - c) & (c - 0x30)) & 64u; /* '/' */
    return (int)v - 1;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
           c == '\f';
}

int mote_pem_decode(const struct mote_pem_block *b, uint8_t *out, size_t cap,
                    size_t *len)
{
    const char *p = b->body;
    size_t n = b->body_len, pos = 0;
    uint32_t acc = 0;
    unsigned nchars = 0, pad = 0;
    *len = 0;
    /* RFC 1421 headers ("Proc-Type: 4,ENCRYPTED"): legacy encrypted PEM,
     * which we do not decrypt. */
    if (find(p, n, ":", 1))
        return find(p, n, "Proc-Type", 9) ? MOTE_ENOTSUP : MOTE_EINVAL;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        int v = b64_value((unsigned char)c);
        if (v < 0) {
            /* Not data: only layout and padding, which are public. */
            if (is_space(c))
                continue;
            if (c != '=')
                return MOTE_EINVAL;
            /* Padding only completes a quantum of 2 or 3 characters. */
            pad++;
            if (nchars + pad > 4 || nchars < 2)
                return MOTE_EINVAL;
            continue;
        }
        if (pad)
            return MOTE_EINVAL; /* data after padding */
        acc = (acc << 6) | (uint32_t)v;
        if (++nchars == 4) {
            if (pos + 3 <= cap) {
                out[pos] = (uint8_t)(acc >> 16);
                out[pos + 1] = (uint8_t)(acc >> 8);
                out[pos + 2] = (uint8_t)acc;
            }
            pos += 3;
            acc = 0;
            nchars = 0;
        }
    }
    if (nchars) {
        /* A final 2 or 3 characters need 2 or 1 '=' (strict: RFC 4648
         * section 3.2), and their unused low bits must be zero (3.5). */
        if (nchars == 1 || nchars + pad != 4)
            return MOTE_EINVAL;
        if (nchars == 2) {
            if (acc & 0x0F)
                return MOTE_EINVAL;
            if (pos < cap)
                out[pos] = (uint8_t)(acc >> 4);
            pos++;
        } else {
            if (acc & 0x03)
                return MOTE_EINVAL;
            uint8_t q[2] = {(uint8_t)(acc >> 10), (uint8_t)(acc >> 2)};
            for (int k = 0; k < 2; k++, pos++)
                if (pos < cap)
                    out[pos] = q[k];
        }
    } else if (pad) {
        return MOTE_EINVAL;
    }
    if (pos > cap)
        return MOTE_ENOSPC;
    *len = pos;
    return 0;
}

static const char B64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Append c at *pos, counting past cap. */
static void out_c(char *out, size_t cap, size_t *pos, char c)
{
    if (*pos < cap)
        out[*pos] = c;
    (*pos)++;
}

static void out_s(char *out, size_t cap, size_t *pos, const char *s)
{
    while (*s)
        out_c(out, cap, pos, *s++);
}

int mote_pem_encode(const char *label, const uint8_t *der, size_t len,
                    char *out, size_t cap, size_t *out_len)
{
    size_t pos = 0, col = 0;
    out_s(out, cap, &pos, BEGIN);
    out_s(out, cap, &pos, label);
    out_s(out, cap, &pos, "-----\n");
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)der[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)der[i + 1] << 8;
        if (i + 2 < len)
            v |= der[i + 2];
        out_c(out, cap, &pos, B64[v >> 18 & 63]);
        out_c(out, cap, &pos, B64[v >> 12 & 63]);
        out_c(out, cap, &pos, i + 1 < len ? B64[v >> 6 & 63] : '=');
        out_c(out, cap, &pos, i + 2 < len ? B64[v & 63] : '=');
        /* RFC 7468 section 2: lines of exactly 64 characters. */
        col += 4;
        if (col == 64) {
            out_c(out, cap, &pos, '\n');
            col = 0;
        }
    }
    if (col)
        out_c(out, cap, &pos, '\n');
    out_s(out, cap, &pos, END);
    out_s(out, cap, &pos, label);
    out_s(out, cap, &pos, "-----\n");
    *out_len = pos;
    if (pos < cap)
        out[pos] = '\0';
    return pos <= cap ? 0 : MOTE_ENOSPC;
}

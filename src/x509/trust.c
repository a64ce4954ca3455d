/* Trust store: anchors indexed by subject, and SPKI pins. */
#include <string.h>

#include <mote/crypto.h>
#include <mote/error.h>
#include <mote/x509_verify.h>

#include "verify_int.h"

uint32_t x509__name_hash(const struct mote_x509_name *n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n->len; i++)
        h = (h ^ n->der[i]) * 16777619u;
    return h;
}

/* Order anchors by (subject hash, subject length, subject bytes), so that
 * equal subjects are adjacent. */
static int cmp_key(uint32_t h, const struct mote_x509_name *n,
                   const struct mote_x509_anchor *a)
{
    if (h != a->subject_hash)
        return h < a->subject_hash ? -1 : 1;
    if (n->len != a->subject.len)
        return n->len < a->subject.len ? -1 : 1;
    return memcmp(n->der, a->subject.der, n->len);
}

void mote_x509_trust_init(struct mote_x509_trust *t,
                          struct mote_x509_anchor *slots, size_t nslots,
                          uint8_t *buf, size_t cap)
{
    memset(t, 0, sizeof *t);
    t->anchors = slots;
    t->cap = slots ? nslots : 0;
    t->buf = buf;
    t->buf_cap = buf ? cap : 0;
}

static size_t lower_bound(const struct mote_x509_trust *t, uint32_t h,
                          const struct mote_x509_name *n)
{
    size_t lo = 0, hi = t->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_key(h, n, &t->anchors[mid]) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t mote_x509_trust_find(const struct mote_x509_trust *t,
                            const struct mote_x509_name *name, size_t *first)
{
    if (!t || !name || !name->der)
        return 0;
    uint32_t h = x509__name_hash(name);
    size_t i = lower_bound(t, h, name), n = 0;
    while (i + n < t->count && cmp_key(h, name, &t->anchors[i + n]) == 0)
        n++;
    if (first)
        *first = i;
    return n;
}

/* Parse the certificate at buf[buf_len..+len] (already copied there) and,
 * if it is usable and new, insert its record and keep the bytes. */
static int add_copied(struct mote_x509_trust *t, size_t len)
{
    /* A parsed certificate is about 9 KB: too much for a fiber stack, and
     * only a few fields are kept. One static scratch: adding anchors is not
     * reentrant (Mote runs one scheduler per process; no lock needed). */
    static struct mote_x509_cert c;
    const uint8_t *der = t->buf + t->buf_len;
    int err = mote_x509_cert_parse(&c, der, len);
    if (err != 0)
        return err;
    struct mote_x509_pubkey key = c.pubkey;
    if (x509__pubkey_usable(&key) != 0)
        return MOTE_ENOTSUP;
    uint32_t h = x509__name_hash(&c.subject);
    size_t first, n = mote_x509_trust_find(t, &c.subject, &first);
    for (size_t i = first; i < first + n; i++)
        if (t->anchors[i].der.len == len &&
            memcmp(t->anchors[i].der.ptr, der, len) == 0)
            return 0; /* already there */
    if (t->count == t->cap)
        return MOTE_ENOSPC;
    size_t at = lower_bound(t, h, &c.subject);
    memmove(&t->anchors[at + 1], &t->anchors[at],
            (t->count - at) * sizeof t->anchors[0]);
    struct mote_x509_anchor *a = &t->anchors[at];
    memset(a, 0, sizeof *a);
    a->der.ptr = der;
    a->der.len = len;
    a->subject = c.subject;
    a->ski = c.ski;
    a->pubkey = key;
    a->not_before = c.not_before;
    a->not_after = c.not_after;
    a->subject_hash = h;
    a->subject_norm_hash = x509__name_norm_hash(&c.subject);
    /* A v1 root has no basicConstraints: path_len stays -1. */
    a->path_len = c.ca ? c.path_len : -1;
    a->has_eku = c.ext_index[MOTE_X509_EXT_EXT_KEY_USAGE] >= 0;
    a->eku_flags = c.eku_flags;
    a->has_nc = c.ext_index[MOTE_X509_EXT_NAME_CONSTRAINTS] >= 0;
    t->count++;
    t->buf_len += len;
    return 0;
}

int mote_x509_trust_add_der(struct mote_x509_trust *t, const uint8_t *der,
                            size_t len)
{
    if (!t || !der || len == 0)
        return MOTE_EINVAL;
    if (len > MOTE_X509_MAX_DER)
        return MOTE_EINVAL;
    if (t->buf_cap - t->buf_len < len)
        return MOTE_ENOSPC;
    memcpy(t->buf + t->buf_len, der, len);
    return add_copied(t, len);
}

int mote_x509_trust_add_pem(struct mote_x509_trust *t, const char *pem,
                            size_t len, size_t *added, size_t *skipped)
{
    size_t nadd = 0, nskip = 0;
    int err = 0;
    if (added)
        *added = 0;
    if (skipped)
        *skipped = 0;
    if (!t || (!pem && len))
        return MOTE_EINVAL;
    struct mote_pem_iter it;
    struct mote_pem_block b;
    mote_pem_iter_init(&it, pem, len);
    for (;;) {
        int r = mote_pem_next(&it, &b);
        if (r <= 0) {
            err = r < 0 ? MOTE_EINVAL : 0;
            break;
        }
        if (!mote_pem_label_is(&b, "CERTIFICATE"))
            continue;
        size_t n;
        r = mote_pem_decode(&b, t->buf + t->buf_len, t->buf_cap - t->buf_len,
                            &n);
        if (r == MOTE_ENOSPC) {
            err = r;
            break;
        }
        if (r != 0 || n == 0 || n > MOTE_X509_MAX_DER) {
            nskip++;
            continue;
        }
        size_t before = t->count;
        r = add_copied(t, n);
        if (r == MOTE_ENOSPC) {
            err = r;
            break;
        }
        if (r != 0)
            nskip++;
        else if (t->count > before)
            nadd++;
    }
    if (added)
        *added = nadd;
    if (skipped)
        *skipped = nskip;
    return err;
}

int mote_x509_trust_pin(struct mote_x509_trust *t, const uint8_t sha256[32])
{
    if (!t || !sha256)
        return MOTE_EINVAL;
    for (size_t i = 0; i < t->pin_count; i++)
        if (memcmp(t->pins[i], sha256, 32) == 0)
            return 0;
    if (t->pin_count == MOTE_X509_MAX_PINS)
        return MOTE_ENOSPC;
    memcpy(t->pins[t->pin_count++], sha256, 32);
    return 0;
}

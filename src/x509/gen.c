/* X.509 generation: names, subject alternative names and certificates. */
#include <string.h>

#include <mote/crypto.h>
#include <mote/der.h>
#include <mote/error.h>
#include <mote/x509.h>
#include <mote/x509_gen.h>

#include "gen_int.h"
#include "x509_int.h"

/* ---- Names ----------------------------------------------------------------
 */

/* Attribute types (2.5.4.x, RFC 5280 4.1.2.4). */
#define OID_AT_CN "\x55\x04\x03"
#define OID_AT_C  "\x55\x04\x06"
#define OID_AT_L  "\x55\x04\x07"
#define OID_AT_ST "\x55\x04\x08"
#define OID_AT_O  "\x55\x04\x0a"
#define OID_AT_OU "\x55\x04\x0b"

/* Well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF) without
 * C0/C1 control characters or DEL. */
static bool utf8_text(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f)
                return false;
            i++;
            continue;
        }
        size_t more;
        uint32_t cp, min;
        if ((c & 0xe0) == 0xc0) {
            more = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            more = 2, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            more = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (n - i <= more)
            return false;
        for (size_t j = 1; j <= more; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
            (cp >= 0x80 && cp < 0xa0))
            return false;
        i += more + 1;
    }
    return true;
}

static bool present(const char *s)
{
    return s && *s;
}

/* One RDN with one attribute: SET { SEQUENCE { type, value } }. The upper
 * bounds are RFC 5280 appendix A.1's ub-* (64 for all of these). */
static int put_attr(struct mote_der_writer *w, const uint8_t *oid,
                    size_t oid_len, const char *v, bool country)
{
    if (!present(v))
        return 0;
    size_t n = strlen(v);
    if (country) {
        /* ISO 3166 alpha-2, PrintableString (X.520 CountryName). */
        if (n != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z')
            return MOTE_EINVAL;
    } else if (n > 64 || !utf8_text((const uint8_t *)v, n)) {
        return MOTE_EINVAL;
    }
    mote_der_put_begin(w, MOTE_DER_SET);
    mote_der_put_begin(w, MOTE_DER_SEQUENCE);
    mote_der_put_oid(w, oid, oid_len);
    mote_der_put_tlv(
        w, country ? MOTE_DER_PRINTABLE_STRING : MOTE_DER_UTF8_STRING, v, n);
    mote_der_put_end(w);
    mote_der_put_end(w);
    return 0;
}

int x509__gen_put_name(struct mote_der_writer *w,
                       const struct mote_x509_gen_name *n)
{
    int err;
    mote_der_put_begin(w, MOTE_DER_SEQUENCE);
    if ((err = put_attr(w, X509_OID(OID_AT_C), n->c, true)) != 0 ||
        (err = put_attr(w, X509_OID(OID_AT_ST), n->st, false)) != 0 ||
        (err = put_attr(w, X509_OID(OID_AT_L), n->l, false)) != 0 ||
        (err = put_attr(w, X509_OID(OID_AT_O), n->o, false)) != 0 ||
        (err = put_attr(w, X509_OID(OID_AT_OU), n->ou, false)) != 0 ||
        (err = put_attr(w, X509_OID(OID_AT_CN), n->cn, false)) != 0)
        return err;
    mote_der_put_end(w);
    return 0;
}

int mote_x509_gen_name_write(const struct mote_x509_gen_name *n, uint8_t *out,
                             size_t cap, size_t *len)
{
    struct mote_der_writer w;
    mote_der_writer_init(&w, out, cap);
    int err = x509__gen_put_name(&w, n);
    if (err != 0)
        return err;
    return x509__gen_finish(&w, len);
}

/* ---- Subject alternative names -----------------------------------------
 */

static bool alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

/* A host name in the preferred name syntax (RFC 5280 4.2.1.6, RFC 1034
 * 3.5 as relaxed by RFC 1123 2.1): LDH labels of 1..63, total at most 253,
 * no trailing dot; a wildcard only as the whole left-most label "*."
 * followed by at least two labels (RFC 9525 6.3 and CA/B practice). */
static bool dns_ok(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > 253)
        return false;
    const char *p = s;
    if (p[0] == '*') {
        if (p[1] != '.' || !strchr(p + 2, '.'))
            return false;
        p += 2;
    }
    size_t label = 0;
    char prev = '.';
    for (; *p; p++) {
        if (*p == '.') {
            if (label == 0 || prev == '-')
                return false;
            label = 0;
        } else if (alnum(*p) || *p == '-') {
            if (label == 0 && *p == '-')
                return false;
            if (++label > 63)
                return false;
        } else {
            return false;
        }
        prev = *p;
    }
    return label > 0 && prev != '-';
}

static bool printable_ascii(const char *s, bool space_ok)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
            if (!(space_ok && *s == ' '))
                return false;
    return true;
}

/* local@domain, ASCII (rfc822Name is IA5String; RFC 8398 SmtpUTF8Mailbox
 * names go in otherName, not supported here). */
static bool email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@') || strlen(s) > 254)
        return false;
    return printable_ascii(s, false) && dns_ok(at + 1);
}

/* scheme ":" rest (RFC 3986 3.1), printable ASCII without spaces. */
static bool uri_ok(const char *s)
{
    const char *colon = strchr(s, ':');
    if (!colon || colon == s || !colon[1] || strlen(s) > 2048)
        return false;
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return false;
    for (const char *p = s; p < colon; p++)
        if (!alnum(*p) && *p != '+' && *p != '-' && *p != '.')
            return false;
    return printable_ascii(s, false);
}

int x509__gen_check_san(const struct mote_x509_gen_san *s)
{
    switch (s->type) {
    case MOTE_X509_GEN_SAN_DNS:
        return s->text && dns_ok(s->text) ? 0 : MOTE_EINVAL;
    case MOTE_X509_GEN_SAN_EMAIL:
        return s->text && email_ok(s->text) ? 0 : MOTE_EINVAL;
    case MOTE_X509_GEN_SAN_URI:
        return s->text && uri_ok(s->text) ? 0 : MOTE_EINVAL;
    case MOTE_X509_GEN_SAN_IP:
        if (s->ip.zone[0])
            return MOTE_EINVAL; /* a zone is local to one host */
        return s->ip.family == MOTE_IP_V4 || s->ip.family == MOTE_IP_V6
                   ? 0
                   : MOTE_EINVAL;
    default:
        return MOTE_EINVAL;
    }
}

int mote_x509_gen_san_check(const struct mote_x509_gen_san *s)
{
    return x509__gen_check_san(s);
}

/* The GeneralName of a checked SAN entry (borrowing from it). */
static void san_to_gn(const struct mote_x509_gen_san *s,
                      struct mote_x509_gn *gn)
{
    switch (s->type) {
    case MOTE_X509_GEN_SAN_DNS:
        gn->type = MOTE_X509_GN_DNS;
        break;
    case MOTE_X509_GEN_SAN_EMAIL:
        gn->type = MOTE_X509_GN_EMAIL;
        break;
    case MOTE_X509_GEN_SAN_URI:
        gn->type = MOTE_X509_GN_URI;
        break;
    default:
        gn->type = MOTE_X509_GN_IP;
        gn->val = s->ip.bytes;
        gn->len = s->ip.family == MOTE_IP_V4 ? 4 : 16;
        return;
    }
    gn->val = (const uint8_t *)s->text;
    gn->len = strlen(s->text);
}

int x509__gen_put_general_names(struct mote_der_writer *w,
                                const struct mote_x509_gen_san *san, size_t n)
{
    if (n > MOTE_X509_GEN_MAX_SAN)
        return MOTE_EINVAL;
    mote_der_put_begin(w, MOTE_DER_SEQUENCE);
    for (size_t i = 0; i < n; i++) {
        struct mote_x509_gn gn;
        int err = x509__gen_check_san(&san[i]);
        if (err != 0)
            return err;
        san_to_gn(&san[i], &gn);
        x509__gn_put(w, &gn);
    }
    mote_der_put_end(w);
    return 0;
}

/* ---- Certificates -------------------------------------------------------
 */

int mote_x509_gen_cert_sign(struct mote_x509_cert *cert,
                            const struct mote_x509_privkey *key,
                            const struct mote_x509_sigalg *alg, uint8_t *out,
                            size_t cap, size_t *len, mote_pk_rng_fn rng,
                            void *rng_ctx)
{
    struct mote_x509_sigalg a;
    int err = x509__gen_sigalg(key, alg, &a);
    if (err != 0)
        return err;
    cert->sig_alg = a;
    struct mote_der_writer w;
    mote_der_writer_init(&w, out, cap);
    mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
    size_t tbs_start = w.len;
    mote_x509_tbs_put(&w, cert);
    err = x509__gen_sign_close(&w, tbs_start, key, &a, rng, rng_ctx);
    if (err != 0)
        return err;
    return x509__gen_finish(&w, len);
}

/* Largest Name and SPKI we build or copy in a local buffer. */
#define NAME_MAX_DER 1024
#define SPKI_MAX_DER 1024

/* The shared body of cert_write and cert_from_csr: subject, SPKI and
 * SANs (as GeneralNames) already decided. */
static int build(const struct mote_x509_gen_cert *c,
                 const struct mote_x509_name *subject,
                 const struct mote_x509_pubkey *pub, const uint8_t *spki,
                 size_t spki_len, const struct mote_x509_gn *gn, size_t ngn,
                 const struct mote_x509_gen_issuer *issuer, uint8_t *out,
                 size_t cap, size_t *len, mote_pk_rng_fn rng, void *rng_ctx)
{
    if (!issuer || !issuer->key)
        return MOTE_EINVAL;
    if (c->not_after < c->not_before || c->serial_len > 20 ||
        c->path_len < -1 || (c->path_len >= 0 && !c->ca))
        return MOTE_EINVAL;
    if (ngn > MOTE_X509_MAX_SAN)
        return MOTE_ENOSPC;

    /* The issuer key's SPKI: its key identifier, and for a self-signed
     * certificate the proof that the subject key is the signer's. */
    uint8_t ispki[SPKI_MAX_DER], ikid[MOTE_SHA1_LEN], skid[MOTE_SHA1_LEN];
    size_t ispki_len;
    int err =
        mote_x509_gen_spki_write(issuer->key, ispki, sizeof(ispki), &ispki_len);
    if (err != 0)
        return err == MOTE_ENOSPC ? MOTE_EINVAL : err;
    if (!issuer->name &&
        (ispki_len != spki_len || memcmp(ispki, spki, spki_len) != 0))
        return MOTE_EINVAL;
    if ((err = mote_x509_gen_key_id(spki, spki_len, skid)) != 0 ||
        (err = mote_x509_gen_key_id(ispki, ispki_len, ikid)) != 0)
        return err;

    /* Serial: given, or 16 random bytes made positive (RFC 5280 4.1.2.2,
     * and CA/B 7.1: at least 64 bits from a CSPRNG). */
    uint8_t serial[21];
    size_t slen = c->serial_len;
    if (slen == 0) {
        slen = 16;
        if ((err = rng(rng_ctx, serial + 1, slen)) != 0)
            return err;
        serial[1] &= 0x7f;
    } else {
        memcpy(serial + 1, c->serial, slen);
    }
    /* INTEGER contents: minimal two's complement of the magnitude. */
    serial[0] = 0;
    const uint8_t *sp = serial + 1;
    while (slen > 1 && sp[0] == 0) {
        sp++;
        slen--;
    }
    if (sp[0] & 0x80) {
        sp--;
        slen++;
    }
    if (slen == 1 && sp[0] == 0)
        return MOTE_EINVAL; /* zero is not a positive serial */

    static const uint8_t eku_server[] = OID_KP_SERVER_AUTH;
    static const uint8_t eku_client[] = OID_KP_CLIENT_AUTH;

    struct mote_x509_cert cert;
    mote_x509_cert_init(&cert);
    cert.serial.ptr = sp;
    cert.serial.len = slen;
    cert.subject = *subject;
    if (issuer->name) {
        if ((err = mote_x509_name_parse(&cert.issuer, issuer->name,
                                        issuer->name_len)) != 0)
            return err;
    } else {
        cert.issuer = *subject;
    }
    cert.not_before = c->not_before;
    cert.not_after = c->not_after;
    cert.pubkey = *pub;
    cert.ca = c->ca;
    cert.path_len = c->path_len;
    cert.key_usage = c->key_usage;
    if (!cert.key_usage) {
        if (c->ca)
            cert.key_usage = MOTE_X509_KU_KEY_CERT_SIGN |
                             MOTE_X509_KU_CRL_SIGN |
                             MOTE_X509_KU_DIGITAL_SIGNATURE;
        else
            cert.key_usage =
                MOTE_X509_KU_DIGITAL_SIGNATURE |
                (pub->type == MOTE_X509_KEY_RSA ? MOTE_X509_KU_KEY_ENCIPHERMENT
                                                : 0);
    }
    if (c->eku & MOTE_X509_GEN_EKU_SERVER) {
        cert.eku[cert.eku_count].ptr = eku_server;
        cert.eku[cert.eku_count++].len = sizeof(eku_server) - 1;
        cert.eku_flags |= MOTE_X509_EKU_SERVER_AUTH;
    }
    if (c->eku & MOTE_X509_GEN_EKU_CLIENT) {
        cert.eku[cert.eku_count].ptr = eku_client;
        cert.eku[cert.eku_count++].len = sizeof(eku_client) - 1;
        cert.eku_flags |= MOTE_X509_EKU_CLIENT_AUTH;
    }
    for (size_t i = 0; i < ngn; i++)
        cert.san[i] = gn[i];
    cert.san_count = (unsigned)ngn;
    cert.ski.ptr = skid;
    cert.ski.len = sizeof(skid);
    if (issuer->key_id && issuer->key_id_len) {
        cert.aki_key_id.ptr = issuer->key_id;
        cert.aki_key_id.len = issuer->key_id_len;
    } else {
        cert.aki_key_id.ptr = issuer->name ? ikid : skid;
        cert.aki_key_id.len = MOTE_SHA1_LEN;
    }

    /* Extensions, in the order OpenSSL writes them. basicConstraints is
     * critical in every certificate we make (4.2.1.9 MUST for CAs; for end
     * entities it says plainly that this is no CA), keyUsage critical
     * (4.2.1.3 SHOULD), SAN critical only with an empty subject. */
    bool empty_subject = subject->len <= 2;
    if ((err = mote_x509_cert_add_ext(&cert, MOTE_X509_EXT_BASIC_CONSTRAINTS,
                                      true)) != 0 ||
        (err = mote_x509_cert_add_ext(&cert, MOTE_X509_EXT_KEY_USAGE, true)) !=
            0)
        return err;
    if (cert.eku_count && (err = mote_x509_cert_add_ext(
                               &cert, MOTE_X509_EXT_EXT_KEY_USAGE, false)) != 0)
        return err;
    if (ngn && (err = mote_x509_cert_add_ext(
                    &cert, MOTE_X509_EXT_SUBJECT_ALT_NAME, empty_subject)) != 0)
        return err;
    /* 4.1.2.6: an empty subject needs a SAN; 4.1.2.4: the issuer name
     * is never empty, so a self-signed certificate needs a subject. */
    if ((!ngn || !issuer->name) && empty_subject)
        return MOTE_EINVAL;
    if ((err = mote_x509_cert_add_ext(&cert, MOTE_X509_EXT_SUBJECT_KEY_ID,
                                      false)) != 0 ||
        (err = mote_x509_cert_add_ext(&cert, MOTE_X509_EXT_AUTHORITY_KEY_ID,
                                      false)) != 0)
        return err;

    return mote_x509_gen_cert_sign(&cert, issuer->key, &c->sigalg, out, cap,
                                   len, rng, rng_ctx);
}

int mote_x509_gen_cert_write(const struct mote_x509_gen_cert *c,
                             const struct mote_x509_gen_issuer *issuer,
                             uint8_t *out, size_t cap, size_t *len,
                             mote_pk_rng_fn rng, void *rng_ctx)
{
    uint8_t name_buf[NAME_MAX_DER];
    struct mote_x509_name subject;
    int err;
    if (c->subject_der) {
        err =
            mote_x509_name_parse(&subject, c->subject_der, c->subject_der_len);
    } else {
        size_t n;
        err = mote_x509_gen_name_write(&c->subject, name_buf, sizeof(name_buf),
                                       &n);
        if (err == 0)
            err = mote_x509_name_parse(&subject, name_buf, n);
    }
    if (err != 0)
        return MOTE_EINVAL;
    struct mote_x509_pubkey pub;
    if (!c->spki ||
        (err = mote_x509_pubkey_parse(&pub, c->spki, c->spki_len)) != 0)
        return err == MOTE_ENOTSUP ? err : MOTE_EINVAL;
    if (c->nsan > MOTE_X509_GEN_MAX_SAN)
        return MOTE_EINVAL;
    struct mote_x509_gn gn[MOTE_X509_GEN_MAX_SAN];
    for (size_t i = 0; i < c->nsan; i++) {
        if ((err = x509__gen_check_san(&c->san[i])) != 0)
            return err;
        san_to_gn(&c->san[i], &gn[i]);
    }
    return build(c, &subject, &pub, c->spki, c->spki_len, gn, c->nsan, issuer,
                 out, cap, len, rng, rng_ctx);
}

int mote_x509_gen_cert_from_csr(const struct mote_x509_csr *csr,
                                const struct mote_x509_gen_cert *tmpl,
                                const struct mote_x509_gen_issuer *issuer,
                                uint8_t *out, size_t cap, size_t *len,
                                mote_pk_rng_fn rng, void *rng_ctx)
{
    if (!csr->pubkey.spki.ptr)
        return MOTE_EINVAL;
    return build(tmpl, &csr->subject, &csr->pubkey, csr->pubkey.spki.ptr,
                 csr->pubkey.spki.len, csr->san, csr->san_count, issuer, out,
                 cap, len, rng, rng_ctx);
}

/* Record protection: TLS 1.3 (RFC 8446 section 5.2, 5.3) and the TLS 1.2
 * AEAD forms (RFC 5246 section 6.2.3.3, RFC 5288 section 3, RFC 7905
 * section 2). */
#include "tls_int.h"

int tls__aead_set(struct mote_tls_aead *a, uint16_t suite, enum mote_hash_alg h,
                  const uint8_t *secret)
{
    size_t hl = mote_hash_len(h);
    size_t keylen = suite == MOTE_TLS_AES_128_GCM_SHA256 ? 16 : 32;
    uint8_t key[32];
    int err = tls__expand_label(h, secret, "key", NULL, 0, key, keylen);
    if (!err)
        err = tls__expand_label(h, secret, "iv", NULL, 0, a->iv, 12);
    if (err)
        goto out;
    if (a->secret != secret)
        memcpy(a->secret, secret, hl);
    if (suite == MOTE_TLS_CHACHA20_POLY1305_SHA256)
        mote_chacha20_poly1305_init(&a->u.chacha, key);
    else
        err = mote_aes_gcm_init(&a->u.gcm, key, keylen);
    a->suite = suite;
    a->seq = 0;
    a->version = TLS_VERSION_13;
out:
    mote_memzero_explicit(key, sizeof key);
    return err;
}

int tls__aead_set12(struct mote_tls_aead *a, uint16_t suite, const uint8_t *key,
                    size_t keylen, const uint8_t *iv)
{
    int err = 0;
    memset(a->iv, 0, sizeof a->iv);
    if (tls__suite_is_chacha(suite)) {
        mote_chacha20_poly1305_init(&a->u.chacha, key);
        memcpy(a->iv, iv, 12);
    } else {
        err = mote_aes_gcm_init(&a->u.gcm, key, keylen);
        memcpy(a->iv, iv, 4); /* the implicit salt */
    }
    a->suite = suite;
    a->seq = 0;
    a->version = TLS_VERSION_12;
    return err;
}

size_t tls__record_overhead(const struct mote_tls_aead *a)
{
    if (!a->suite)
        return 0;
    if (a->version != TLS_VERSION_12)
        return 1 + MOTE_AEAD_TAG_LEN;
    return tls__suite_is_chacha(a->suite) ? MOTE_AEAD_TAG_LEN
                                          : 8 + MOTE_AEAD_TAG_LEN;
}

/* TLS 1.2: the nonce (GCM: salt || seq as the explicit part; ChaCha20:
 * iv XOR seq) and the additional data seq || type || version || length. */
static void nonce12(const struct mote_tls_aead *a, uint8_t n[12])
{
    memcpy(n, a->iv, 12);
    if (tls__suite_is_chacha(a->suite)) {
        for (int i = 0; i < 8; i++)
            n[11 - i] ^= (uint8_t)(a->seq >> (8 * i));
    } else {
        for (int i = 0; i < 8; i++)
            n[11 - i] = (uint8_t)(a->seq >> (8 * i));
    }
}

static void aad12(const struct mote_tls_aead *a, uint8_t ad[13], unsigned type,
                  size_t len)
{
    for (int i = 0; i < 8; i++)
        ad[7 - i] = (uint8_t)(a->seq >> (8 * i));
    ad[8] = (uint8_t)type;
    ad[9] = 3;
    ad[10] = 3;
    ad[11] = (uint8_t)(len >> 8);
    ad[12] = (uint8_t)len;
}

static size_t seal12(struct mote_tls_aead *a, uint8_t *rec, size_t len,
                     unsigned type)
{
    uint8_t n[12], ad[13];
    uint8_t *body = rec + 5;
    int chacha = tls__suite_is_chacha(a->suite);
    size_t ex = chacha ? 0 : 8;
    size_t clen = ex + len + MOTE_AEAD_TAG_LEN;
    nonce12(a, n);
    aad12(a, ad, type, len);
    if (ex)
        memmove(body + ex, body, len);
    memcpy(body, n + 4, ex);
    rec[0] = (uint8_t)type;
    rec[1] = 3;
    rec[2] = 3;
    rec[3] = (uint8_t)(clen >> 8);
    rec[4] = (uint8_t)clen;
    uint8_t *ct = body + ex;
    if (chacha)
        mote_chacha20_poly1305_seal(&a->u.chacha, n, ad, 13, ct, len, ct,
                                    ct + len);
    else
        mote_aes_gcm_seal(&a->u.gcm, n, 12, ad, 13, ct, len, ct, ct + len,
                          MOTE_AEAD_TAG_LEN);
    a->seq++;
    return 5 + clen;
}

static int open12(struct mote_tls_aead *a, uint8_t *rec, size_t fraglen,
                  unsigned *type, size_t *plen)
{
    uint8_t n[12], ad[13];
    uint8_t *body = rec + 5;
    int chacha = tls__suite_is_chacha(a->suite);
    size_t ex = chacha ? 0 : 8;
    if (fraglen < ex + MOTE_AEAD_TAG_LEN)
        return MOTE_EAUTH;
    size_t len = fraglen - ex - MOTE_AEAD_TAG_LEN;
    nonce12(a, n);
    memcpy(n + 4, body, ex); /* GCM: the explicit nonce as sent */
    aad12(a, ad, rec[0], len);
    uint8_t *ct = body + ex;
    int err;
    if (chacha)
        err = mote_chacha20_poly1305_open(&a->u.chacha, n, ad, 13, ct, len,
                                          ct + len, ct);
    else
        err = mote_aes_gcm_open(&a->u.gcm, n, 12, ad, 13, ct, len, ct + len,
                                MOTE_AEAD_TAG_LEN, ct);
    if (err)
        return MOTE_EAUTH;
    if (ex)
        memmove(body, ct, len);
    a->seq++;
    *type = rec[0];
    *plen = len;
    return 0;
}

void tls__aead_clear(struct mote_tls_aead *a)
{
    mote_memzero_explicit(a, sizeof *a);
}

/* Section 5.3: the 64-bit sequence number, left-padded to 12 bytes, XORed
 * with the static iv. */
static void nonce(const struct mote_tls_aead *a, uint8_t n[12])
{
    memcpy(n, a->iv, 12);
    for (int i = 0; i < 8; i++)
        n[11 - i] ^= (uint8_t)(a->seq >> (8 * i));
}

size_t tls__record_seal(struct mote_tls_aead *a, uint8_t *rec, size_t len,
                        unsigned type)
{
    uint8_t *body = rec + 5;
    if (a->suite && a->version == TLS_VERSION_12)
        return seal12(a, rec, len, type);
    if (!a->suite) {
        rec[0] = (uint8_t)type;
        rec[1] = 3;
        rec[2] = 3;
        rec[3] = (uint8_t)(len >> 8);
        rec[4] = (uint8_t)len;
        return 5 + len;
    }
    body[len] = (uint8_t)type; /* TLSInnerPlaintext, no padding */
    size_t clen = len + 1 + MOTE_AEAD_TAG_LEN;
    rec[0] = CT_APPDATA;
    rec[1] = 3;
    rec[2] = 3;
    rec[3] = (uint8_t)(clen >> 8);
    rec[4] = (uint8_t)clen;
    uint8_t n[12];
    nonce(a, n);
    if (a->suite == MOTE_TLS_CHACHA20_POLY1305_SHA256)
        mote_chacha20_poly1305_seal(&a->u.chacha, n, rec, 5, body, len + 1,
                                    body, body + len + 1);
    else
        mote_aes_gcm_seal(&a->u.gcm, n, 12, rec, 5, body, len + 1, body,
                          body + len + 1, MOTE_AEAD_TAG_LEN);
    a->seq++;
    return 5 + clen;
}

int tls__record_open(struct mote_tls_aead *a, uint8_t *rec, size_t fraglen,
                     unsigned *type, size_t *plen)
{
    uint8_t *body = rec + 5;
    if (a->version == TLS_VERSION_12)
        return open12(a, rec, fraglen, type, plen);
    if (fraglen < 1 + MOTE_AEAD_TAG_LEN)
        return MOTE_EAUTH;
    size_t len = fraglen - MOTE_AEAD_TAG_LEN;
    uint8_t n[12];
    nonce(a, n);
    int err;
    if (a->suite == MOTE_TLS_CHACHA20_POLY1305_SHA256)
        err = mote_chacha20_poly1305_open(&a->u.chacha, n, rec, 5, body, len,
                                          body + len, body);
    else
        err = mote_aes_gcm_open(&a->u.gcm, n, 12, rec, 5, body, len, body + len,
                                MOTE_AEAD_TAG_LEN, body);
    if (err)
        return MOTE_EAUTH;
    a->seq++;
    /* Section 5.4: the type is the last non-zero byte; all zeros is an
     * unexpected_message. */
    while (len > 0 && body[len - 1] == 0)
        len--;
    if (len == 0)
        return MOTE_EPROTO;
    *type = body[len - 1];
    *plen = len - 1;
    return 0;
}

/* TLS 1.3 record protection (RFC 8446 section 5.2, 5.3). */
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
out:
    mote_memzero_explicit(key, sizeof key);
    return err;
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

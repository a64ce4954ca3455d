/* Fuzz the AEADs against OpenSSL: seal must agree bit for bit, and open must
 * accept exactly what OpenSSL accepts (attacker-chosen ciphertext and tag). */
#include <mote/crypto.h>
#include <mote/error.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/*
 * Input layout: byte 0 picks the cipher (bits 0-1: ChaCha20-Poly1305,
 * AES-128/192/256-GCM) and the implementation (bits 2-3: level for
 * mote_crypto_disable_simd); then 32 key bytes, 12 nonce bytes, 1 byte AAD
 * length (mod 64), 16 tag bytes, then AAD and the message. Short inputs are
 * padded with zeros.
 */

static int evp_run(int enc, const EVP_CIPHER *cipher, const uint8_t *key,
                   const uint8_t *iv, const uint8_t *aad, size_t al,
                   const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n, ok = EVP_CipherInit_ex(c, cipher, NULL, key, iv, enc) == 1;
    if (ok && !enc)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, tag) == 1;
    if (ok && al)
        ok = EVP_CipherUpdate(c, NULL, &n, aad, (int)al) == 1;
    if (ok)
        ok = EVP_CipherUpdate(c, out, &n, in, (int)len) == 1;
    if (ok)
        ok = EVP_CipherFinal_ex(c, out + n, &n) == 1;
    if (ok && enc)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t head[62] = {0};
    memcpy(head, data, size < sizeof head ? size : sizeof head);
    const uint8_t *rest = size > sizeof head ? data + sizeof head : NULL;
    size_t restlen = size > sizeof head ? size - sizeof head : 0;
    if (restlen > 4096)
        return 0;
    int which = head[0] & 3, level = (head[0] >> 2) & 3;
    const uint8_t *key = head + 1, *iv = head + 33, *tag = head + 46;
    size_t al = head[45] % 64;
    if (al > restlen)
        al = restlen;
    const uint8_t *aad = rest, *msg = rest ? rest + al : NULL;
    size_t len = restlen - al;
    static const EVP_CIPHER *(*evp[4])(void) = {
        EVP_chacha20_poly1305, EVP_aes_128_gcm, EVP_aes_192_gcm,
        EVP_aes_256_gcm};
    static const size_t keylen[4] = {32, 16, 24, 32};

    uint8_t *a = malloc(len + 1), *b = malloc(len + 1), *c = malloc(len + 1);
    uint8_t mt[16], ot[16], tagcopy[16];
    int m_ok, o_ok, err;
    mote_crypto_disable_simd(level);
    struct mote_aes_gcm_ctx g;
    struct mote_chacha20_poly1305_ctx ch;
    if (which == 0) {
        mote_chacha20_poly1305_init(&ch, key);
        err = mote_chacha20_poly1305_seal(&ch, iv, aad, al, msg, len, a, mt);
    } else {
        mote_aes_gcm_init(&g, key, keylen[which]);
        err = mote_aes_gcm_seal(&g, iv, 12, aad, al, msg, len, a, mt, 16);
    }
    if (err)
        abort();
    if (!evp_run(1, evp[which](), key, iv, aad, al, msg, len, b, ot))
        abort();
    if (memcmp(a, b, len) != 0 || memcmp(mt, ot, 16) != 0)
        abort(); /* seal differs from OpenSSL */

    /* Open the message itself as ciphertext with the fuzzer's tag. */
    memcpy(tagcopy, tag, 16);
    if (which == 0)
        err = mote_chacha20_poly1305_open(&ch, iv, aad, al, msg, len, tag, a);
    else
        err = mote_aes_gcm_open(&g, iv, 12, aad, al, msg, len, tag, 16, a);
    m_ok = err == 0;
    if (!m_ok && err != MOTE_EAUTH)
        abort();
    o_ok = evp_run(0, evp[which](), key, iv, aad, al, msg, len, c, tagcopy);
    if (m_ok != o_ok || (m_ok && memcmp(a, c, len) != 0))
        abort();
    for (size_t i = 0; !m_ok && i < len; i++)
        if (a[i] != 0)
            abort(); /* unauthenticated plaintext released */
    mote_aes_gcm_release(&g);
    mote_chacha20_poly1305_release(&ch);
    mote_crypto_disable_simd(0);
    free(a);
    free(b);
    free(c);
    return 0;
}

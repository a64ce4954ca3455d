/* Ed25519 verification against OpenSSL: both must accept exactly the same
 * (public key, signature, message) triples. Input: pub (32) || sig (64) ||
 * message (the rest). */
#include <openssl/evp.h>
#include <stdlib.h>

#include <mote/crypto_pk.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 96)
        return 0;
    const uint8_t *pub = data, *sig = data + 32, *msg = data + 96;
    size_t ml = size - 96;
    int mine = mote_ed25519_verify(sig, msg, ml, pub) == 0;
    int theirs = 0;
    EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
    if (pk) {
        EVP_MD_CTX *m = EVP_MD_CTX_new();
        theirs = EVP_DigestVerifyInit(m, NULL, NULL, NULL, pk) == 1 &&
                 EVP_DigestVerify(m, sig, 64, msg, ml) == 1;
        EVP_MD_CTX_free(m);
        EVP_PKEY_free(pk);
    }
    /* Mote is stricter than OpenSSL in one documented way: it refuses a
     * non-canonical public key encoding (y >= p) that OpenSSL may accept.
     * A valid signature under such a key cannot be produced without its
     * canonical twin, so any disagreement is a bug. */
    if (mine != theirs)
        abort();
    return 0;
}

/* RSA signature verification (PKCS#1 v1.5 and PSS, SHA-256/384/512) with a
 * fixed 2048-bit key, against OpenSSL: both must accept exactly the same
 * signatures. Input: byte 0 = flags (bit 0: PSS, bits 1-2: hash), then the
 * digest, then the signature (the rest). PSS uses salt length = hash
 * length and MGF1 with the same hash. */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/crypto_pk.h>

#include "../ct/ct_pk_rsa_key.h"

static uint8_t n_bin[256], e_bin[3];
static EVP_PKEY *pkey;

static void setup(void)
{
    static const char nhex[] = RSA_N;
    for (size_t i = 0; i < 256; i++) {
        unsigned v;
        sscanf(nhex + 2 * i, "%2x", &v);
        n_bin[i] = (uint8_t)v;
    }
    e_bin[0] = 1, e_bin[1] = 0, e_bin[2] = 1;
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    BIGNUM *n = BN_bin2bn(n_bin, 256, NULL), *e = BN_bin2bn(e_bin, 3, NULL);
    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, n);
    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, e);
    OSSL_PARAM *p = OSSL_PARAM_BLD_to_param(b);
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY_fromdata_init(c);
    EVP_PKEY_fromdata(c, &pkey, EVP_PKEY_PUBLIC_KEY, p);
    EVP_PKEY_CTX_free(c);
    OSSL_PARAM_free(p);
    OSSL_PARAM_BLD_free(b);
    BN_free(n);
    BN_free(e);
    if (!pkey)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum mote_hash_alg hs[4] = {
        MOTE_HASH_SHA256, MOTE_HASH_SHA384, MOTE_HASH_SHA512, MOTE_HASH_SHA256};
    if (!pkey)
        setup();
    if (size < 1)
        return 0;
    int pss = data[0] & 1;
    enum mote_hash_alg h = hs[(data[0] >> 1) & 3];
    size_t hl = mote_hash_len(h);
    if (size < 1 + hl)
        return 0;
    const uint8_t *hash = data + 1, *sig = hash + hl;
    size_t sl = size - 1 - hl;
    struct mote_rsa_public pub = {n_bin, 256, e_bin, 3};
    int mine = pss ? mote_rsa_pss_verify(&pub, h, h, hl, hash, hl, sig, sl) == 0
                   : mote_rsa_pkcs1_verify(&pub, h, hash, hl, sig, sl) == 0;
    const EVP_MD *md = h == MOTE_HASH_SHA256   ? EVP_sha256()
                       : h == MOTE_HASH_SHA384 ? EVP_sha384()
                                               : EVP_sha512();
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pkey, NULL);
    EVP_PKEY_verify_init(c);
    EVP_PKEY_CTX_set_rsa_padding(c, pss ? RSA_PKCS1_PSS_PADDING
                                        : RSA_PKCS1_PADDING);
    EVP_PKEY_CTX_set_signature_md(c, md);
    if (pss)
        EVP_PKEY_CTX_set_rsa_pss_saltlen(c, (int)hl);
    /* OpenSSL requires the exact modulus length too. */
    int theirs = sl == 256 && EVP_PKEY_verify(c, sig, sl, hash, hl) == 1;
    EVP_PKEY_CTX_free(c);
    if (mine != theirs)
        abort();
    return 0;
}

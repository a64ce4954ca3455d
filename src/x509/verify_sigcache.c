/* A cache of verified certificate signatures, across verifications. */
#include <string.h>

#include <mote/crypto.h>
#include <mote/x509_verify.h>

#include "verify_int.h"

void mote_x509_sigcache_init(struct mote_x509_sigcache *c,
                             struct mote_x509_sigcache_entry *slots,
                             size_t nslots)
{
    memset(c, 0, sizeof *c);
    c->slots = slots;
    c->nslots = slots ? nslots : 0;
}

static void put_slice(struct mote_sha256_ctx *h, const uint8_t *p, size_t len)
{
    uint8_t l[8];
    for (int i = 0; i < 8; i++)
        l[i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
    mote_sha256_update(h, l, sizeof l);
    mote_sha256_update(h, p, len);
}

/* The entry for (key, alg, tbs, sig): every input length-prefixed, so no
 * two different inputs share a byte stream. */
static void cache_key(const struct mote_x509_pubkey *key,
                      const struct mote_x509_sigalg *alg,
                      struct mote_x509_slice tbs, struct mote_x509_slice sig,
                      uint8_t out[32])
{
    struct mote_sha256_ctx h;
    uint8_t a[4 * 8];
    uint64_t v[4] = {(uint64_t)alg->alg, (uint64_t)alg->hash,
                     (uint64_t)alg->mgf_hash, (uint64_t)alg->salt_len};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++)
            a[8 * i + j] = (uint8_t)(v[i] >> (56 - 8 * j));
    mote_sha256_init(&h);
    put_slice(&h, key->spki.ptr, key->spki.len);
    put_slice(&h, tbs.ptr, tbs.len);
    put_slice(&h, a, sizeof a);
    put_slice(&h, sig.ptr, sig.len);
    mote_sha256_final(&h, out);
}

enum mote_x509_reason x509__check_sig_cached(struct mote_x509_sigcache *c,
                                             const struct mote_x509_pubkey *key,
                                             const struct mote_x509_sigalg *alg,
                                             struct mote_x509_slice tbs,
                                             struct mote_x509_slice sig)
{
    if (!c || c->nslots == 0 || !key->spki.ptr)
        return x509__check_sig(key, alg, tbs, sig);
    uint8_t k[32];
    cache_key(key, alg, tbs, sig, k);
    for (size_t i = 0; i < c->used; i++)
        if (memcmp(c->slots[i].key, k, sizeof k) == 0) {
            c->hits++;
            return MOTE_X509_OK;
        }
    c->misses++;
    enum mote_x509_reason r = x509__check_sig(key, alg, tbs, sig);
    if (r == MOTE_X509_OK) {
        memcpy(c->slots[c->next].key, k, sizeof k);
        c->next = (c->next + 1) % c->nslots;
        if (c->used < c->nslots)
            c->used++;
    }
    return r;
}

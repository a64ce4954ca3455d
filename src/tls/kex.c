/* Key shares: X25519, P-256, P-384 and the X25519MLKEM768 hybrid. */
#include "tls_int.h"

/*
 * X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem, codepoint 0x11ec): the ML-KEM
 * part comes first in every field:
 *   client share = ML-KEM-768 encapsulation key (1184) || X25519 (32)
 *   server share = ML-KEM-768 ciphertext (1088) || X25519 (32)
 *   shared secret = ML-KEM shared secret (32) || X25519 secret (32)
 */
#define HYB_CLIENT (MOTE_MLKEM768_PUB_LEN + 32)
#define HYB_SERVER (MOTE_MLKEM768_CT_LEN + 32)

static int pk_rng(void *ctx, uint8_t *buf, size_t len)
{
    return tls__random(ctx, buf, len);
}

int tls__group_known(uint16_t group)
{
    return group == MOTE_TLS_GROUP_X25519 || group == MOTE_TLS_GROUP_P256 ||
           group == MOTE_TLS_GROUP_P384 ||
           group == MOTE_TLS_GROUP_X25519MLKEM768;
}

static enum mote_ec_curve curve_of(uint16_t group)
{
    return group == MOTE_TLS_GROUP_P256   ? MOTE_EC_P256
           : group == MOTE_TLS_GROUP_P384 ? MOTE_EC_P384
                                          : MOTE_EC_NONE;
}

/* A random scalar in [1, n): rejection sampling through mote_ec_public,
 * which refuses 0 and values >= n. */
static int ec_keygen(struct mote_tls_engine *e, enum mote_ec_curve c,
                     uint8_t *pub)
{
    size_t sl = mote_ec_scalar_len(c);
    for (int i = 0; i < 64; i++) {
        int err = tls__random(e, e->ec_priv, sl);
        if (err)
            return err;
        if (mote_ec_public(c, pub, e->ec_priv) == 0)
            return 0;
    }
    return MOTE_EINTERNAL;
}

int tls__kex_keygen(struct mote_tls_engine *e, uint16_t group, uint8_t *out,
                    size_t cap, size_t *len)
{
    int err;
    switch (group) {
    case MOTE_TLS_GROUP_X25519:
        if (cap < 32)
            return MOTE_EINTERNAL;
        if ((err = tls__random(e, e->x25519_priv, 32)))
            return err;
        mote_x25519_public(out, e->x25519_priv);
        *len = 32;
        return 0;
    case MOTE_TLS_GROUP_P256:
    case MOTE_TLS_GROUP_P384: {
        enum mote_ec_curve c = curve_of(group);
        size_t pl = 1 + 2 * mote_ec_scalar_len(c);
        if (cap < pl)
            return MOTE_EINTERNAL;
        if ((err = ec_keygen(e, c, out)))
            return err;
        e->ec_group = group;
        *len = pl;
        return 0;
    }
    case MOTE_TLS_GROUP_X25519MLKEM768:
        if (cap < HYB_CLIENT)
            return MOTE_EINTERNAL;
        err = mote_mlkem768_keygen(out, e->mlkem_priv, pk_rng, e);
        if (!err)
            err = tls__random(e, e->x25519_priv, 32);
        if (err)
            return err;
        mote_x25519_public(out + MOTE_MLKEM768_PUB_LEN, e->x25519_priv);
        *len = HYB_CLIENT;
        return 0;
    }
    return MOTE_EINVAL;
}

int tls__kex_client_finish(struct mote_tls_engine *e, uint16_t group,
                           const uint8_t *peer, size_t plen, uint8_t *ss,
                           size_t *sslen)
{
    switch (group) {
    case MOTE_TLS_GROUP_X25519:
        if (plen != 32)
            return MOTE_EINVAL;
        *sslen = 32;
        /* Section 7.4.2: an all-zero result MUST abort (mote_x25519 says
         * MOTE_EINVAL). */
        return mote_x25519(ss, e->x25519_priv, peer);
    case MOTE_TLS_GROUP_P256:
    case MOTE_TLS_GROUP_P384: {
        enum mote_ec_curve c = curve_of(group);
        size_t sl = mote_ec_scalar_len(c);
        /* Section 4.2.8.2: uncompressed points only; mote_ecdh validates
         * that the point is on the curve. */
        if (e->ec_group != group || plen != 1 + 2 * sl || peer[0] != 4)
            return MOTE_EINVAL;
        *sslen = sl;
        return mote_ecdh(c, ss, e->ec_priv, peer, plen);
    }
    case MOTE_TLS_GROUP_X25519MLKEM768: {
        if (plen != HYB_SERVER)
            return MOTE_EINVAL;
        int err = mote_mlkem768_decaps(ss, peer, e->mlkem_priv);
        if (!err)
            err = mote_x25519(ss + 32, e->x25519_priv,
                              peer + MOTE_MLKEM768_CT_LEN);
        *sslen = 64;
        return err;
    }
    }
    return MOTE_EINVAL;
}

int tls__kex_server(struct mote_tls_engine *e, uint16_t group,
                    const uint8_t *peer, size_t plen, uint8_t *share,
                    size_t cap, size_t *sharelen, uint8_t *ss, size_t *sslen)
{
    int err;
    switch (group) {
    case MOTE_TLS_GROUP_X25519:
        if (plen != 32)
            return MOTE_EINVAL;
        if ((err = tls__kex_keygen(e, group, share, cap, sharelen)))
            return err;
        *sslen = 32;
        return mote_x25519(ss, e->x25519_priv, peer);
    case MOTE_TLS_GROUP_P256:
    case MOTE_TLS_GROUP_P384: {
        enum mote_ec_curve c = curve_of(group);
        size_t sl = mote_ec_scalar_len(c);
        if (plen != 1 + 2 * sl || peer[0] != 4 ||
            mote_ec_check_public(c, peer, plen))
            return MOTE_EINVAL;
        if ((err = tls__kex_keygen(e, group, share, cap, sharelen)))
            return err;
        *sslen = sl;
        return mote_ecdh(c, ss, e->ec_priv, peer, plen);
    }
    case MOTE_TLS_GROUP_X25519MLKEM768:
        if (plen != HYB_CLIENT || cap < HYB_SERVER)
            return MOTE_EINVAL;
        /* FIPS 203 7.2 encapsulation-key check is inside encaps. */
        err = mote_mlkem768_encaps(share, ss, peer, pk_rng, e);
        if (!err)
            err = tls__random(e, e->x25519_priv, 32);
        if (err)
            return err;
        mote_x25519_public(share + MOTE_MLKEM768_CT_LEN, e->x25519_priv);
        *sharelen = HYB_SERVER;
        *sslen = 64;
        return mote_x25519(ss + 32, e->x25519_priv,
                           peer + MOTE_MLKEM768_PUB_LEN);
    }
    return MOTE_EINVAL;
}

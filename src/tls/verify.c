/* A certificate callback for the engine over the X.509 library. */
#include <mote/platform.h>
#include <mote/x509.h>
#include <mote/x509_verify.h>

#include "tls_int.h"

static int reason_alert(enum mote_x509_reason r)
{
    switch (r) {
    case MOTE_X509_EXPIRED:
    case MOTE_X509_NOT_YET_VALID:
        return MOTE_TLS_ALERT_CERTIFICATE_EXPIRED;
    case MOTE_X509_UNKNOWN_ISSUER:
        return MOTE_TLS_ALERT_UNKNOWN_CA;
    case MOTE_X509_UNSUPPORTED_ALG:
        return MOTE_TLS_ALERT_UNSUPPORTED_CERTIFICATE;
    default:
        return MOTE_TLS_ALERT_BAD_CERTIFICATE;
    }
}

int mote_tls_x509_verify(void *ctx, const struct mote_tls_chain *chain,
                         const char *host, struct mote_tls_pubkey *leaf)
{
    /* One verification at a time: the engine calls this synchronously. */
    static struct mote_x509_verify_work shared_work;
    static struct mote_x509_cert shared_leaf;
    struct mote_tls_x509_verifier *v = ctx;
    struct mote_x509_cert *cert = v->leaf ? v->leaf : &shared_leaf;
    v->reason = MOTE_X509_OK;
    if (chain->n < 1 ||
        mote_x509_cert_parse(cert, chain->certs[0], chain->lens[0])) {
        v->reason = MOTE_X509_MALFORMED;
        return MOTE_TLS_ALERT_BAD_CERTIFICATE;
    }
    if (v->trust) {
        struct mote_x509_slice bundle[8];
        struct mote_x509_id id;
        struct mote_x509_verify_opts o;
        struct mote_x509_result res;
        memset(&o, 0, sizeof o);
        for (size_t i = 1; i < chain->n; i++) {
            bundle[i - 1].ptr = chain->certs[i];
            bundle[i - 1].len = chain->lens[i];
        }
        o.now = v->now ? v->now
                       : (int64_t)(mote_platform_clock_wall() / 1000000000u);
        o.purpose = v->purpose ? (enum mote_x509_purpose)v->purpose
                               : MOTE_X509_PURPOSE_SERVER;
        o.sigcache = v->sigcache;
        if (host && !mote_x509_id_parse(&id, host, strlen(host)))
            o.id = &id;
        if (mote_x509_verify(chain->certs[0], chain->lens[0], bundle,
                             chain->n - 1, v->trust, &o,
                             v->work ? v->work : &shared_work, &res)) {
            v->reason = res.reason;
            return reason_alert(res.reason);
        }
    }
    const struct mote_x509_pubkey *k = &cert->pubkey;
    memset(leaf, 0, sizeof *leaf);
    switch (k->type) {
    case MOTE_X509_KEY_ED25519:
        leaf->type = MOTE_TLS_KEY_ED25519;
        break;
    case MOTE_X509_KEY_EC:
        leaf->type = MOTE_TLS_KEY_EC;
        leaf->curve = k->curve;
        break;
    case MOTE_X509_KEY_RSA:
        /* RFC 8446 4.2.3: an id-RSASSA-PSS key signs rsa_pss_pss_* only,
         * an rsaEncryption key rsa_pss_rsae_* only. RSASSA-PSS-params
         * (RFC 4055 3.3) restrict a PSS key to one hash, its MGF1 hash
         * and a minimum salt: the rsa_pss_pss_* scheme of that hash fits
         * when MGF1 uses the same hash and the salt TLS uses (the digest
         * length) is long enough; otherwise no scheme does. */
        if (k->rsa_pss && k->rsa_pss_params) {
            enum mote_hash_alg h = k->pss.hash;
            if ((h != MOTE_HASH_SHA256 && h != MOTE_HASH_SHA384 &&
                 h != MOTE_HASH_SHA512) ||
                k->pss.mgf_hash != h || k->pss.salt_len > mote_hash_len(h)) {
                v->reason = MOTE_X509_UNSUPPORTED_ALG;
                return MOTE_TLS_ALERT_UNSUPPORTED_CERTIFICATE;
            }
            leaf->pss_hash = h;
        }
        leaf->type = k->rsa_pss ? MOTE_TLS_KEY_RSA_PSS : MOTE_TLS_KEY_RSA;
        leaf->rsa = k->rsa;
        break;
    default:
        v->reason = MOTE_X509_UNSUPPORTED_ALG;
        return MOTE_TLS_ALERT_UNSUPPORTED_CERTIFICATE;
    }
    leaf->key = k->point;
    leaf->key_len = k->point_len;
    return 0;
}

/* Shared by the TLS fuzzers and their corpus recorder: fixed keys, a
 * deterministic rng and a fixed clock, so that a recorded peer flight stays
 * valid input (the engine under test answers exactly as when recorded). */
#ifndef MOTE_FUZZ_TLS_COMMON_H
#define MOTE_FUZZ_TLS_COMMON_H

#include <stdlib.h>
#include <string.h>

#include <mote/crypto.h>
#include <mote/error.h>
#include <mote/tls.h>

#define FZ_NOW_MS 1700000000000ull

struct fz_rng {
    uint8_t key[32];
    uint32_t ctr;
};

static int fz_rng_fill(void *ctx, uint8_t *buf, size_t len)
{
    struct fz_rng *r = ctx;
    static const uint8_t nonce[12];
    memset(buf, 0, len);
    mote_chacha20_xor(r->key, nonce, r->ctr, buf, buf, len);
    r->ctr += (uint32_t)(len / 64 + 1);
    return 0;
}

/* The "certificate" is the tag "FZ" then the raw ECDSA P-256 public key
 * (SEC 1 uncompressed): the engine treats certificates as opaque bytes.
 * P-256 rather than Ed25519 so that a TLS 1.2 CertificateVerify (client
 * certificates: SHA-256/384 schemes only) is reachable, and both versions
 * sign with the same identity. */
#define FZ_PUB_LEN 65
static struct mote_tls_privkey fz_key;
static uint8_t fz_cert[2 + FZ_PUB_LEN];
static const uint8_t *fz_certs[1] = {fz_cert};
static size_t fz_lens[1] = {sizeof fz_cert};
static struct mote_tls_identity fz_id;
static const uint8_t fz_ticket_key[32] = "fuzz ticket key, fixed.........";

static int fz_verify(void *ctx, const struct mote_tls_chain *chain,
                     const char *host, struct mote_tls_pubkey *leaf)
{
    (void)ctx;
    (void)host;
    if (chain->n < 1 || chain->lens[0] != sizeof fz_cert ||
        chain->certs[0][0] != 'F' || chain->certs[0][1] != 'Z')
        return MOTE_TLS_ALERT_BAD_CERTIFICATE;
    leaf->type = MOTE_TLS_KEY_EC;
    leaf->curve = MOTE_EC_P256;
    leaf->key = chain->certs[0] + 2;
    leaf->key_len = FZ_PUB_LEN;
    return 0;
}

/* role's config: server with tickets, optional client auth and ALPN;
 * client offering ALPN and presenting the same identity when asked. */
static void fz_config(struct mote_tls_config *cfg, struct fz_rng *rng,
                      uint32_t seed)
{
    memset(&fz_key, 0, sizeof fz_key);
    fz_key.type = MOTE_TLS_KEY_EC;
    fz_key.ec.curve = MOTE_EC_P256;
    memset(fz_key.ec.d, 0x42, 32); /* below the group order */
    fz_cert[0] = 'F';
    fz_cert[1] = 'Z';
    mote_ec_public(MOTE_EC_P256, fz_cert + 2, fz_key.ec.d);
    fz_id.certs = fz_certs;
    fz_id.cert_lens = fz_lens;
    fz_id.ncerts = 1;
    fz_id.key = &fz_key;
    memset(rng, 0, sizeof *rng);
    memcpy(rng->key, &seed, sizeof seed);
    memset(cfg, 0, sizeof *cfg);
    cfg->ids = &fz_id;
    cfg->nids = 1;
    cfg->verify = fz_verify;
    cfg->client_auth = 1;
    cfg->alpn[0] = "http/1.1";
    cfg->nalpn = 1;
    cfg->ticket_key = fz_ticket_key;
    cfg->min_version = MOTE_TLS_VERSION_12; /* both roles reach 1.2 */
    cfg->rng = fz_rng_fill;
    cfg->rng_ctx = rng;
}

/* Authentication holds whatever the input: a peer reported as
 * authenticated (mote_tls_engine_peer_cert) must be the one identity whose
 * key signs here, since fz_verify accepts any "FZ" key and only a
 * signature binds it (a replayed recording, or a ticket of ours). */
__attribute__((unused)) static void
fz_check_peer(const struct mote_tls_engine *e)
{
    uint8_t got[32], want[32];
    if (!mote_tls_engine_peer_cert(e, got))
        return;
    mote_sha256(fz_cert, sizeof fz_cert, want);
    if (memcmp(got, want, 32))
        abort();
}

/* The session a client with the fixed config holds after one full
 * handshake with the fixed server (both held to TLS 1.2 when v12): what
 * the resume seeds were recorded with, so that the client fuzzer can offer
 * the same ticket and PSK. 0, or -1 if no ticket came. */
__attribute__((unused)) static int fz_session(int v12,
                                              struct mote_tls_session *out)
{
    static struct mote_tls_engine c, s;
    static uint8_t cb[MOTE_TLS_BUF_SIZE], sb[MOTE_TLS_BUF_SIZE];
    struct mote_tls_config cc, sc;
    struct fz_rng cr, sr;
    fz_config(&cc, &cr, 1);
    fz_config(&sc, &sr, 2);
    if (v12)
        cc.max_version = sc.max_version = MOTE_TLS_VERSION_12;
    mote_tls_engine_init(&c, &cc, MOTE_TLS_CLIENT, "fuzz.example", NULL,
                         FZ_NOW_MS, cb, sizeof cb);
    mote_tls_engine_init(&s, &sc, MOTE_TLS_SERVER, NULL, NULL, FZ_NOW_MS, sb,
                         sizeof sb);
    for (int i = 0; i < 50; i++)
        for (int dir = 0; dir < 2; dir++) {
            struct mote_tls_engine *a = dir ? &s : &c, *b = dir ? &c : &s;
            size_t n, m;
            uint8_t *p, *q;
            while ((p = mote_tls_engine_sendrec_buf(a, &n)) != NULL &&
                   (q = mote_tls_engine_recvrec_buf(b, &m)) != NULL && m) {
                size_t k = n < m ? n : m;
                memcpy(q, p, k);
                mote_tls_engine_sendrec_ack(a, k);
                mote_tls_engine_recvrec_ack(b, k);
            }
        }
    *out = *mote_tls_engine_session(&c);
    mote_tls_engine_release(&c);
    mote_tls_engine_release(&s);
    return out->ticket_len ? 0 : -1;
}

/* Feed data to e in pieces of chunk bytes (0: as much as fits), draining
 * its output and plaintext as a peer would. */
__attribute__((unused)) static void fz_feed(struct mote_tls_engine *e,
                                            const uint8_t *data, size_t size,
                                            size_t chunk)
{
    size_t n;
    while (size) {
        uint8_t *p;
        while ((p = mote_tls_engine_sendrec_buf(e, &n)) != NULL)
            mote_tls_engine_sendrec_ack(e, n);
        while ((p = mote_tls_engine_recvapp_buf(e, &n)) != NULL)
            mote_tls_engine_recvapp_ack(e, n);
        p = mote_tls_engine_recvrec_buf(e, &n);
        if (!p || !n)
            break;
        if (chunk && n > chunk)
            n = chunk;
        if (n > size)
            n = size;
        memcpy(p, data, n);
        mote_tls_engine_recvrec_ack(e, n);
        data += n;
        size -= n;
    }
    /* Let the engine finish what it holds. */
    for (int progress = 1; progress;) {
        uint8_t *p;
        progress = 0;
        while ((p = mote_tls_engine_recvapp_buf(e, &n)) != NULL) {
            mote_tls_engine_recvapp_ack(e, n);
            progress = 1;
        }
        while ((p = mote_tls_engine_sendrec_buf(e, &n)) != NULL) {
            mote_tls_engine_sendrec_ack(e, n);
            progress = 1;
        }
    }
}

#endif

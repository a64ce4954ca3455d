/* TLS 1.3 (RFC 8446): a sans-I/O engine for both roles, and a flow over it. */
#ifndef MOTE_TLS_H
#define MOTE_TLS_H

#include <stddef.h>
#include <stdint.h>

#include <mote/crypto.h>
#include <mote/flow.h>

/*
 * The engine (BearSSL's shape): the caller moves bytes, the engine never
 * does I/O, reads no clock, never allocates and never prints.
 *
 *   state = mote_tls_engine_state(e);
 *   SENDREC  ciphertext is waiting: buf = ..._sendrec_buf(e, &n); send some
 *            k <= n bytes; ..._sendrec_ack(e, k).
 *   RECVREC  the engine wants ciphertext: buf = ..._recvrec_buf(e, &n);
 *            receive k <= n bytes into it; ..._recvrec_ack(e, k).
 *   SENDAPP  plaintext may be written: buf = ..._sendapp_buf(e, &n); copy
 *            k <= n bytes; ..._sendapp_ack(e, k); ..._flush(e) seals what was
 *            written into a record (a full record is sealed by itself).
 *   RECVAPP  plaintext is readable: ..._recvapp_buf / ..._recvapp_ack.
 *   CLOSED   the session is over: mote_tls_engine_error() says why (0 after
 *            a clean close_notify exchange). A fatal alert is still sent
 *            first (SENDREC stays set until it is drained).
 *
 * A window returned by a _buf call is valid until the next call on the
 * engine other than the matching _ack. Several bits may be set at once.
 *
 * Errors are sticky: the first protocol error closes the engine and is kept,
 * with the alert that went (or came) on the wire:
 *   MOTE_EPROTO      the peer broke the protocol; we sent alert `alert`
 *   MOTE_EAUTH       a record, Finished or CertificateVerify did not verify,
 *                    or the certificate callback refused the peer (alert
 *                    bad_record_mac, decrypt_error or the callback's reason)
 *   MOTE_ECONNRESET  the peer sent fatal alert `alert`
 *   MOTE_EMSGSIZE    a record or handshake message over the limits
 *   MOTE_ENOTSUP     nothing in common (suite, group, version, signature)
 *   MOTE_EINTERNAL   our own configuration is unusable (e.g. a flight does
 *                    not fit the output buffer)
 *
 * Time: the engine's clock is what the caller passed to
 * mote_tls_engine_init() or last to mote_tls_engine_set_time() (Unix time
 * in milliseconds), used only for session-ticket ages and lifetimes.
 * Randomness: the config's rng hook (mote_random() when NULL).
 */

/* ---- Wire constants -------------------------------------------------------
 */

enum mote_tls_suite {
    MOTE_TLS_AES_128_GCM_SHA256 = 0x1301,
    MOTE_TLS_AES_256_GCM_SHA384 = 0x1302,
    MOTE_TLS_CHACHA20_POLY1305_SHA256 = 0x1303,
    /* TLS 1.2 (RFC 5289, RFC 7905): ECDHE with AEAD only. */
    MOTE_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02b,
    MOTE_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xc02c,
    MOTE_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f,
    MOTE_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xc030,
    MOTE_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca8,
    MOTE_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca9,
};

/* Protocol versions (mote_tls_config.min_version / max_version). */
#define MOTE_TLS_VERSION_12 0x0303
#define MOTE_TLS_VERSION_13 0x0304

enum mote_tls_group {
    MOTE_TLS_GROUP_P256 = 0x0017,
    MOTE_TLS_GROUP_P384 = 0x0018,
    MOTE_TLS_GROUP_X25519 = 0x001d,
    MOTE_TLS_GROUP_X25519MLKEM768 = 0x11ec, /* draft-ietf-tls-ecdhe-mlkem */
};

enum mote_tls_sigscheme {
    MOTE_TLS_SIG_RSA_PKCS1_SHA256 = 0x0401, /* TLS 1.2 only */
    MOTE_TLS_SIG_RSA_PKCS1_SHA384 = 0x0501, /* TLS 1.2 only */
    MOTE_TLS_SIG_RSA_PKCS1_SHA512 = 0x0601, /* TLS 1.2 only */
    MOTE_TLS_SIG_ECDSA_P256_SHA256 = 0x0403,
    MOTE_TLS_SIG_ECDSA_P384_SHA384 = 0x0503,
    MOTE_TLS_SIG_RSA_PSS_RSAE_SHA256 = 0x0804,
    MOTE_TLS_SIG_RSA_PSS_RSAE_SHA384 = 0x0805,
    MOTE_TLS_SIG_RSA_PSS_RSAE_SHA512 = 0x0806,
    MOTE_TLS_SIG_ED25519 = 0x0807,
    MOTE_TLS_SIG_RSA_PSS_PSS_SHA256 = 0x0809,
    MOTE_TLS_SIG_RSA_PSS_PSS_SHA384 = 0x080a,
    MOTE_TLS_SIG_RSA_PSS_PSS_SHA512 = 0x080b,
};

/* Alert descriptions (RFC 8446 section 6). */
enum mote_tls_alert {
    MOTE_TLS_ALERT_CLOSE_NOTIFY = 0,
    MOTE_TLS_ALERT_UNEXPECTED_MESSAGE = 10,
    MOTE_TLS_ALERT_BAD_RECORD_MAC = 20,
    MOTE_TLS_ALERT_RECORD_OVERFLOW = 22,
    MOTE_TLS_ALERT_HANDSHAKE_FAILURE = 40,
    MOTE_TLS_ALERT_BAD_CERTIFICATE = 42,
    MOTE_TLS_ALERT_UNSUPPORTED_CERTIFICATE = 43,
    MOTE_TLS_ALERT_CERTIFICATE_REVOKED = 44,
    MOTE_TLS_ALERT_CERTIFICATE_EXPIRED = 45,
    MOTE_TLS_ALERT_CERTIFICATE_UNKNOWN = 46,
    MOTE_TLS_ALERT_ILLEGAL_PARAMETER = 47,
    MOTE_TLS_ALERT_UNKNOWN_CA = 48,
    MOTE_TLS_ALERT_DECODE_ERROR = 50,
    MOTE_TLS_ALERT_DECRYPT_ERROR = 51,
    MOTE_TLS_ALERT_PROTOCOL_VERSION = 70,
    MOTE_TLS_ALERT_INTERNAL_ERROR = 80,
    MOTE_TLS_ALERT_USER_CANCELED = 90,
    MOTE_TLS_ALERT_NO_RENEGOTIATION = 100, /* TLS 1.2, warning */
    MOTE_TLS_ALERT_MISSING_EXTENSION = 109,
    MOTE_TLS_ALERT_UNSUPPORTED_EXTENSION = 110,
    MOTE_TLS_ALERT_UNRECOGNIZED_NAME = 112,
    MOTE_TLS_ALERT_CERTIFICATE_REQUIRED = 116,
    MOTE_TLS_ALERT_NO_APPLICATION_PROTOCOL = 120,
};

/* Short lower-case name of an alert description ("bad_record_mac"), or
 * "unknown_alert". */
const char *mote_tls_alert_name(int alert);

/* ---- Keys and certificates --------------------------------------------- */

enum mote_tls_key_type {
    MOTE_TLS_KEY_NONE = 0,
    MOTE_TLS_KEY_ED25519,
    MOTE_TLS_KEY_EC,      /* P-256 or P-384 (ec.curve) */
    MOTE_TLS_KEY_RSA,     /* rsaEncryption: signs rsa_pss_rsae_* */
    MOTE_TLS_KEY_RSA_PSS, /* id-RSASSA-PSS: signs rsa_pss_pss_* */
};

/* A private key for CertificateVerify. The RSA form borrows its integers:
 * they MUST outlive every engine using the key. */
struct mote_tls_privkey {
    enum mote_tls_key_type type;
    uint8_t ed25519[MOTE_ED25519_SEED_LEN];
    struct {
        enum mote_ec_curve curve;
        uint8_t d[MOTE_EC_MAX_SCALAR_LEN]; /* scalar_len(curve) bytes */
    } ec;
    struct mote_rsa_private rsa;
    /* RSA, optional: the key prepared for repeated signing (set by
     * mote_tls_privkey_prepare). NULL signs with the one-shot calls, which
     * redo the Montgomery set-ups and a blinding inversion every time
     * (about 2.3x slower per signature). */
    struct mote_rsa_prepared *rsa_prepared;
    /* RSA_PSS whose certificate's SPKI carries RSASSA-PSS-params (RFC
     * 4055 3.3): the one hash they allow (MGF1 with the same hash, a salt
     * no longer than the digest), so the key signs only the matching
     * rsa_pss_pss_* scheme (RFC 8446 4.2.3). MOTE_HASH_NONE (0): no
     * restriction. Set it from the certificate (the engine never parses
     * one). */
    enum mote_hash_alg pss_hash;
};

/* Prepare an RSA key once, when the configuration is set up (not per
 * connection): ctx (caller-owned, about 5.5 KiB, <mote/crypto_pk.h>) gets
 * the Montgomery set-ups and blinding pairs and k->rsa_prepared points to
 * it; every CertificateVerify / ServerKeyExchange signed with k then uses
 * it. ctx must outlive every engine using k; wipe it with
 * mote_rsa_prepared_wipe when done. Other key types: nothing to do, 0.
 * Returns 0 or MOTE_EINVAL (bad RSA key; k is left unprepared).
 *
 * Each signature UPDATES ctx (the blinding pair moves on), through the
 * const key the configuration hands the engines: the engines that share k
 * must not sign at the same time. That holds on Mote's scheduler (one
 * thread per process, a signature never yields); engines on several
 * threads need a key (and ctx) per thread. */
int mote_tls_privkey_prepare(struct mote_tls_privkey *k,
                             struct mote_rsa_prepared *ctx);

/* A peer's public key, filled in by the certificate callback from the leaf
 * certificate. Pointers may point into the certificate (valid for the
 * handshake). */
struct mote_tls_pubkey {
    enum mote_tls_key_type type;
    const uint8_t *key; /* Ed25519: 32 bytes; EC: SEC 1 point */
    size_t key_len;
    enum mote_ec_curve curve;
    struct mote_rsa_public rsa;
    /* RSA_PSS with RSASSA-PSS-params: the only hash they allow (see
     * mote_tls_privkey.pss_hash); MOTE_HASH_NONE: any. A callback that
     * cannot express the parameters (MGF1 hash other than the hash, a
     * minimum salt over the digest length) must refuse the certificate. */
    enum mote_hash_alg pss_hash;
};

/* One identity: a certificate chain (leaf first, DER, borrowed for the
 * engine's lifetime) and its private key. A server with several picks one
 * by SNI: `name` is matched exactly (case-insensitive) or as "*.suffix"
 * against one label; name NULL is the default. */
struct mote_tls_identity {
    const uint8_t *const *certs;
    const size_t *cert_lens;
    size_t ncerts;
    const struct mote_tls_privkey *key;
    const char *name;
};

/* The peer's certificate chain as received (leaf first), borrowed for the
 * duration of the callback. */
struct mote_tls_chain {
    const uint8_t *certs[8];
    size_t lens[8];
    size_t n;
};

/* Decide whether to trust the peer. host is the SNI name the client asked
 * for (NULL on the server, or when none was given). On acceptance, fill leaf
 * with the leaf's public key and return 0; to refuse, return the alert to
 * send (MOTE_TLS_ALERT_BAD_CERTIFICATE, _UNKNOWN_CA, _CERTIFICATE_EXPIRED,
 * ...). */
typedef int (*mote_tls_verify_fn)(void *ctx, const struct mote_tls_chain *chain,
                                  const char *host,
                                  struct mote_tls_pubkey *leaf);

/* Randomness hook: fill buf with len bytes; 0 or a negative MOTE_E*. */
typedef int (*mote_tls_rng_fn)(void *ctx, uint8_t *buf, size_t len);

/* ---- Configuration (shared by many engines, read-only to them) ----------- */

#define MOTE_TLS_MAX_ALPN 8

struct mote_tls_config {
    /* Preference lists; NULL/0 take the defaults: suites AES-128-GCM,
     * ChaCha20, AES-256-GCM; groups X25519MLKEM768, X25519, P-256, P-384;
     * signatures all schemes above. */
    const uint16_t *suites;
    size_t nsuites;
    const uint16_t *groups;
    size_t ngroups;
    const uint16_t *sigschemes;
    size_t nsigschemes;

    /* Server: the certificates to choose from (at least one unless only
     * PSK). Client: the certificate to present when asked (may be 0). */
    const struct mote_tls_identity *ids;
    size_t nids;

    /* Client: verifies the server (REQUIRED for a client). Server: verifies
     * client certificates when client_auth is set. */
    mote_tls_verify_fn verify;
    void *verify_ctx;

    /* Server: 0 no CertificateRequest, 1 request, 2 require (an empty
     * client Certificate then ends with certificate_required). */
    int client_auth;

    /* ALPN protocol names (1..255 bytes each). Client: offered in order.
     * Server: supported, in order of preference; a client offering ALPN with
     * none in common gets no_application_protocol. */
    const char *alpn[MOTE_TLS_MAX_ALPN];
    size_t nalpn;

    /* Server: 32-byte key for session tickets (AES-256-GCM); NULL = no
     * tickets. ticket_lifetime in seconds (0 = 7200; at most 604800).
     * A ticket records whether the client authenticated (and its leaf's
     * SHA-256), not under which policy: servers sharing a key must verify
     * clients alike (same verify callback and trust), or use their own. */
    const uint8_t *ticket_key;
    uint32_t ticket_lifetime;

    /* RFC 8449 value we advertise (64..16385); 0 = don't send. */
    uint16_t record_size_limit;

    mote_tls_rng_fn rng;
    void *rng_ctx;

    /* Versions spoken (MOTE_TLS_VERSION_12 / _13); 0 takes the default:
     * server 1.2..1.3, client 1.3 only (the 1.2 client is not written yet).
     * 1.3 is preferred whenever both ends speak it. */
    uint16_t min_version, max_version;
};

/* ---- Sessions (client resumption) ------------------------------------- */

#define MOTE_TLS_TICKET_MAX 1024

/* A ticket the client keeps to resume. Plain data: may be copied. psk is a
 * secret: wipe copies (mote_memzero_explicit) when they are dropped. */
struct mote_tls_session {
    uint16_t suite; /* 0: empty */
    uint8_t psk[48];
    uint32_t lifetime_s, age_add;
    uint64_t received_ms; /* engine time when the ticket arrived */
    size_t ticket_len;
    uint8_t ticket[MOTE_TLS_TICKET_MAX];
    /* The server's identity in the session the ticket came from (see
     * mote_tls_engine_peer_cert): restored when the session resumes. */
    uint8_t peer_auth;
    uint8_t peer_cert_sha256[32];
};

/* ---- The engine -----------------------------------------------------------
 */

/* The engine keeps its buffers in one caller-supplied region, split as:
 *   input records   MOTE_TLS_REC_BUF    one ciphertext record (2^14+256+5)
 *   output records  MOTE_TLS_OUT_BUF    a whole handshake flight
 *   handshake in    MOTE_TLS_HS_BUF     one reassembled handshake message
 * Certificate chains larger than MOTE_TLS_HS_BUF - 16 cannot be sent or
 * received (MOTE_EMSGSIZE / MOTE_EINTERNAL). */
#define MOTE_TLS_REC_BUF (5 + 16384 + 256)
#define MOTE_TLS_OUT_BUF (16384 + 5120)
#define MOTE_TLS_HS_BUF  (16384 + 4)
#define MOTE_TLS_BUF_SIZE                                                      \
    (MOTE_TLS_REC_BUF + MOTE_TLS_OUT_BUF + MOTE_TLS_HS_BUF)

enum mote_tls_role {
    MOTE_TLS_NONE = 0,
    MOTE_TLS_CLIENT,
    MOTE_TLS_SERVER,
};

/* State bits. */
#define MOTE_TLS_CLOSED   0x01u
#define MOTE_TLS_SENDREC  0x02u
#define MOTE_TLS_RECVREC  0x04u
#define MOTE_TLS_SENDAPP  0x08u
#define MOTE_TLS_RECVAPP  0x10u
#define MOTE_TLS_EOF      0x20u /* the peer sent close_notify */
#define MOTE_TLS_DETACHED 0x40u /* no buffer: attach one first */

/* One direction's record protection. Private by contract. */
struct mote_tls_aead {
    uint16_t suite; /* 0: records are plaintext */
    union {
        struct mote_aes_gcm_ctx gcm;
        struct mote_chacha20_poly1305_ctx chacha;
    } u;
    uint8_t iv[12];
    uint64_t seq;
    uint8_t secret[48]; /* the traffic secret, for KeyUpdate */
    uint16_t version;   /* TLS_VERSION_12: the RFC 5246 record forms */
};

/* The engine. Visible for sizing and embedding; private by contract (the
 * fields are described in src/tls/tls_int.h). */
struct mote_tls_engine {
    const struct mote_tls_config *cfg;
    enum mote_tls_role role;
    int hs; /* handshake state (tls_int.h) */
    int err, alert;
    unsigned flags;
    uint64_t now_ms;
    uint16_t suite, group, sigscheme, hrr_group;
    enum mote_hash_alg hash;
    size_t hashlen;

    uint8_t *ibuf; /* MOTE_TLS_REC_BUF: ciphertext in, decrypted in place */
    size_t ilen, app_off, app_len, rec_len;
    uint8_t *obuf; /* MOTE_TLS_OUT_BUF: records out */
    size_t out_off, out_len, app_pending;
    uint8_t *hbuf; /* MOTE_TLS_HS_BUF: handshake reassembly */
    size_t hlen;
    /* The buffer lent at init or attach (NULL while detached), and how far
     * into each part the engine has written since: what detach and release
     * wipe. */
    uint8_t *buf;
    size_t ibuf_hw, obuf_hw, hbuf_hw;
    int close_due;     /* close() was called while detached */
    size_t early_skip; /* 0-RTT bytes we may still discard */
    uint16_t peer_rsl; /* peer's record_size_limit, 0 none */

    struct mote_tls_aead rd, wr;
    struct mote_hash_ctx th256, th384; /* transcript under both hashes */
    uint8_t secret[48];                /* early, then handshake, then master */
    uint8_t c_hs[48], s_hs[48], c_ap[48], res_master[48], binder_key[48];
    uint8_t exp_master[48]; /* exporter_master_secret (section 7.5) */
    uint8_t random[32];     /* client: our random, kept for a second hello */
    unsigned rd_epoch;      /* bumped on every read-key change */

    uint8_t x25519_priv[32];
    uint8_t ec_priv[MOTE_EC_MAX_SCALAR_LEN];
    uint16_t ec_group; /* the P-curve we hold ec_priv for */
    uint8_t mlkem_priv[MOTE_MLKEM768_PRIV_LEN];
    uint16_t sent_groups[2];
    uint8_t session_id[32];
    uint8_t sid_len;
    uint8_t cookie[255]; /* HRR cookie (ours, or the server's to echo) */
    uint8_t cookie_len;
    uint8_t cert_ctx_len; /* CertificateRequest context echoed */
    uint8_t cert_ctx[32];
    uint16_t peer_sigs[16]; /* CertificateRequest signature_algorithms */
    size_t npeer_sigs;
    char host[256];
    char alpn[256];
    struct mote_tls_pubkey peer_key;
    uint8_t peer_keydata[MOTE_RSA_MAX_LEN + 8];
    const struct mote_tls_identity *id;
    struct mote_tls_session sess; /* offered, then the latest received */
    int psk_offered, resumed, client_cert_sent, ccs_sent, key_update_due;
    /* TLS 1.2 (hs12_server.c) */
    uint16_t version; /* negotiated: 0 until known, then 0x0303/0x0304 */
    uint8_t peer_random[32];
    uint8_t master[48];    /* the 1.2 (extended) master secret */
    uint8_t ticket_wanted; /* 1.2 client sent session_ticket */
    /* The peer's identity (mote_tls_engine_peer_cert): peer_auth is 1 once
     * the peer proved it holds its leaf certificate's key (CertificateVerify,
     * or a 1.2 ServerKeyExchange signature) in this handshake or in the one
     * a resumed session came from; peer_cert_sha256 is the SHA-256 of that
     * leaf's DER. Carried in tickets (both versions). */
    uint8_t peer_auth;
    uint8_t peer_cert_sha256[32];
};

/* Start an engine at time now_ms (as for mote_tls_engine_set_time). cfg
 * (and everything it points to) and buf (len >= MOTE_TLS_BUF_SIZE bytes)
 * are borrowed until mote_tls_engine_release().
 * host (client; NULL for none) is copied: sent as SNI (unless it is an
 * IPv4 or IPv6 literal, which RFC 6066 section 3 forbids there) and given
 * to the verify callback. session (client; may be NULL) is copied and offered
 * for resumption. A client's ClientHello is ready (SENDREC) on return. Errors:
 * MOTE_EINVAL (bad role, small buffer, client without verify, host over 255
 * bytes), or the rng hook's error. */
int mote_tls_engine_init(struct mote_tls_engine *e,
                         const struct mote_tls_config *cfg,
                         enum mote_tls_role role, const char *host,
                         const struct mote_tls_session *session,
                         uint64_t now_ms, void *buf, size_t len);

/* Wipe every secret (and what the engine wrote into its buffer, if one is
 * attached). The buffer may be reused afterwards. */
void mote_tls_engine_release(struct mote_tls_engine *e);

/* Lending the buffer back. An established session that holds nothing in
 * its buffer (no received bytes, no partial record or handshake message,
 * no sealed record unsent, no plaintext staged) does not need it: detach
 * gives it back, and attach hands one over (the same or another) when
 * there are bytes to move again. An idle connection then costs only the
 * engine struct; the flow adapter keeps the buffers in a shared pool.
 *
 * mote_tls_engine_detach: on success *buf is the region given at init or
 * at the last attach, the bytes the engine wrote into it are wiped
 * (plaintext is not left behind in a shared buffer), and the engine keeps
 * no pointer into it. While detached, state() has MOTE_TLS_DETACHED and
 * neither RECVREC nor SENDAPP; every _buf call returns NULL with length 0;
 * key_update() answers MOTE_EAGAIN; close() is remembered and its
 * close_notify sealed at the next attach. Errors (nothing changes):
 * MOTE_EAGAIN  the handshake is not done, or something is buffered (read
 *              the plaintext, send the records, or wait for the rest of
 *              the record; then try again)
 * MOTE_ECLOSED the engine has failed (release it instead)
 * MOTE_EINVAL  already detached.
 *
 * mote_tls_engine_attach: buf (len >= MOTE_TLS_BUF_SIZE bytes, contents
 * irrelevant) is borrowed until the next detach or release. Errors:
 * MOTE_EINVAL (not detached, or buf too small). */
int mote_tls_engine_detach(struct mote_tls_engine *e, void **buf);
int mote_tls_engine_attach(struct mote_tls_engine *e, void *buf, size_t len);

unsigned mote_tls_engine_state(const struct mote_tls_engine *e);

/* Set the engine's clock (Unix time, milliseconds). */
void mote_tls_engine_set_time(struct mote_tls_engine *e, uint64_t now_ms);

uint8_t *mote_tls_engine_sendrec_buf(struct mote_tls_engine *e, size_t *len);
void mote_tls_engine_sendrec_ack(struct mote_tls_engine *e, size_t len);
uint8_t *mote_tls_engine_recvrec_buf(struct mote_tls_engine *e, size_t *len);
void mote_tls_engine_recvrec_ack(struct mote_tls_engine *e, size_t len);
uint8_t *mote_tls_engine_sendapp_buf(struct mote_tls_engine *e, size_t *len);
void mote_tls_engine_sendapp_ack(struct mote_tls_engine *e, size_t len);
uint8_t *mote_tls_engine_recvapp_buf(struct mote_tls_engine *e, size_t *len);
void mote_tls_engine_recvapp_ack(struct mote_tls_engine *e, size_t len);

/* Seal the plaintext written so far into a record (no-op if none). */
void mote_tls_engine_flush(struct mote_tls_engine *e);

/* Send KeyUpdate and switch our sending keys; request_peer asks the peer to
 * update too. Errors: MOTE_EAGAIN (handshake not finished, or unsent
 * output), MOTE_ECLOSED. */
int mote_tls_engine_key_update(struct mote_tls_engine *e, int request_peer);

/* Send close_notify (after any written plaintext); no more sending. The
 * engine is CLOSED once the peer's close_notify has also arrived. */
void mote_tls_engine_close(struct mote_tls_engine *e);

/* The sticky error (0 if none) and, if alert is not NULL, the alert
 * description that went with it (-1 if none). */
int mote_tls_engine_error(const struct mote_tls_engine *e, int *alert);

/* After the handshake: what was negotiated. */
int mote_tls_engine_handshake_done(const struct mote_tls_engine *e);
uint16_t mote_tls_engine_suite(const struct mote_tls_engine *e);
/* The negotiated protocol version (MOTE_TLS_VERSION_12 or _13), 0 before
 * the ServerHello. */
uint16_t mote_tls_engine_version(const struct mote_tls_engine *e);
uint16_t mote_tls_engine_group(const struct mote_tls_engine *e);
uint16_t mote_tls_engine_sigscheme(const struct mote_tls_engine *e);
int mote_tls_engine_resumed(const struct mote_tls_engine *e);
/* Selected ALPN protocol ("" if none); SNI host name received (server) or
 * sent (client), "" if none. Owned by the engine. */
const char *mote_tls_engine_alpn(const struct mote_tls_engine *e);
const char *mote_tls_engine_server_name(const struct mote_tls_engine *e);
/* RFC 8446 section 7.5 (RFC 5705 interface): fill out (outlen bytes, at
 * most 255 * hash length) with TLS-Exporter(label, context, outlen);
 * context may be NULL (len 0) and is then the empty string, as TLS 1.3
 * defines. label is a NUL-terminated string of at most 249 bytes. Errors:
 * MOTE_EAGAIN before the handshake is done, MOTE_EINVAL bad lengths. */
int mote_tls_engine_export(const struct mote_tls_engine *e, const char *label,
                           const void *context, size_t context_len,
                           uint8_t *out, size_t outlen);

/* Client: the latest ticket received (suite 0 if none). Copy it out to
 * resume later. */
const struct mote_tls_session *
mote_tls_engine_session(const struct mote_tls_engine *e);

/* After the handshake: who the peer proved to be. Returns 1 if the peer
 * authenticated with a certificate (the verify callback accepted its chain
 * and it signed with the leaf's key) and fills sha256 (may be NULL) with
 * the SHA-256 of the leaf certificate's DER; 0 if it did not (a client
 * that sent no certificate; any engine before its handshake is done), and
 * sha256 is zeroed. A resumed session answers as the handshake that made
 * its ticket did (the verify callback is not called again): the server
 * keeps the client's identity inside its sealed ticket, the client the
 * server's in its mote_tls_session. A server whose client_auth is 2 never
 * resumes a session whose client did not authenticate (it makes a full
 * handshake instead), so there this is 1 on every completed handshake. */
int mote_tls_engine_peer_cert(const struct mote_tls_engine *e,
                              uint8_t sha256[32]);

/* ---- Verification through the X.509 library -------------------------------
 *
 * A ready mote_tls_verify_fn: cfg.verify = mote_tls_x509_verify and
 * cfg.verify_ctx = a struct mote_tls_x509_verifier. The leaf is verified
 * with mote_x509_verify() against trust (path to an anchor, validity at
 * now, key usage / EKU for the purpose, and the SNI host as the reference
 * identity when the engine passes one), the rest of the chain being the
 * bundle. With trust NULL nothing is verified and only the leaf key is
 * taken (for tests and pinned deployments that check elsewhere). */
struct mote_x509_trust;
struct mote_x509_cert;
struct mote_x509_verify_work;
struct mote_x509_sigcache;
struct mote_tls_x509_verifier {
    const struct mote_x509_trust *trust; /* borrowed; NULL: no checks */
    int purpose; /* enum mote_x509_purpose; 0 is taken as SERVER */
    int64_t now; /* seconds since the epoch; 0: the platform's wall clock */
    int reason;  /* after a refusal: enum mote_x509_reason */
    /* Work areas (<mote/x509_verify.h>), or NULL for static ones: a
     * struct mote_x509_cert (about 7 KB) that holds the parsed leaf, and a
     * struct mote_x509_verify_work (about 40 KB). */
    struct mote_x509_cert *leaf;
    struct mote_x509_verify_work *work;
    /* Optional (NULL: none): a verified-signature cache
     * (<mote/x509_verify.h>, mote_x509_sigcache_init) kept across
     * connections, so a repeat connection to the same server skips
     * re-verifying its chain's signatures (every other check still runs).
     * Borrowed; one verification at a time, as the work areas. */
    struct mote_x509_sigcache *sigcache;
};

/* Map a refusal to its alert: expired / not yet valid ->
 * certificate_expired, unknown issuer -> unknown_ca, unsupported
 * algorithm -> unsupported_certificate, the rest -> bad_certificate. A
 * leaf key Mote cannot use -> unsupported_certificate. The static work
 * areas are safe because Mote runs one scheduler per process and the call
 * does not block; the leaf's key points into the leaf area and the chain,
 * valid until the next call. This is the only part of the TLS library that
 * uses the X.509 library; the engine does not. */
int mote_tls_x509_verify(void *v, const struct mote_tls_chain *chain,
                         const char *host, struct mote_tls_pubkey *leaf);

/* ---- The flow adapter ------------------------------------------------------
 *
 * A TLS session over any flow (TCP, socket stack, another TLS flow...).
 * mote_tls_flow_open runs the handshake (blocking the fiber; the lower
 * flow's deadlines apply) and on success makes t->flow usable with every
 * mote_flow_* call: read returns plaintext (0 bytes at close_notify), write
 * seals, shutdown sends close_notify, close sends close_notify if not yet
 * sent and closes the lower flow. The read and write deadlines set on
 * t->flow are passed to the lower flow on each call.
 *
 * Memory: t holds the engine (about 9 KiB) and a small first-read area;
 * the engine's MOTE_TLS_BUF_SIZE buffer comes from a pool shared by every
 * flow of the process (Mote runs one scheduler per process) and goes back
 * to it whenever the session holds nothing in it when a call returns or
 * before a read that has to wait. Such a read waits with the
 * MOTE_TLS_FLOW_PEEK-byte area of t as its target and takes a buffer
 * again when bytes arrive, so an idle connection holds no buffer at all,
 * and a busy one holds one only while it moves bytes. A buffer is given
 * back only when the engine holds nothing in it (no received byte not yet
 * read, no record not yet sent), and the engine wipes what it wrote into
 * it first. The pool allocates with malloc when empty and keeps at most
 * MOTE_TLS_POOL_KEEP spare buffers.
 *
 * t, cfg and lower are borrowed (t and lower until close). Errors: as the
 * lower flow, the engine's sticky error, or MOTE_ENOMEM (no buffer for the
 * bytes that arrived). On error the lower flow is NOT closed (the caller
 * closes it), the engine is released and t->alert keeps the alert that was
 * sent or received (-1 if none). */
#define MOTE_TLS_FLOW_PEEK 512
#define MOTE_TLS_POOL_KEEP 64

struct mote_tls_flow {
    struct mote_flow flow; /* first: this is what callers use */
    struct mote_flow *lower;
    int sending; /* a fiber is writing records to lower */
    int reading; /* a fiber is reading from lower into the engine's buffer */
    int alert;   /* after a failed open: the alert sent or received */
    struct mote_tls_engine eng;
    uint8_t peek[MOTE_TLS_FLOW_PEEK]; /* an idle read's target */
};

int mote_tls_flow_open(struct mote_tls_flow *t, struct mote_flow *lower,
                       const struct mote_tls_config *cfg,
                       enum mote_tls_role role, const char *host,
                       const struct mote_tls_session *session);

/* KeyUpdate on a flow (mote_tls_engine_key_update, then the record is
 * sent): use this rather than the engine call, which answers MOTE_EAGAIN
 * while the flow has lent its buffer back. Errors: as the engine call, as
 * the lower flow's write, or MOTE_ENOMEM. */
int mote_tls_flow_key_update(struct mote_tls_flow *t, int request_peer);

/* The shared buffer pool, for tests and benchmarks: buffers held by flows
 * now (in_use), kept spare, the most ever in use at once, and how many
 * were allocated in all. */
struct mote_tls_pool_stats {
    size_t in_use, spare, peak, allocs;
};
void mote_tls_pool_stats(struct mote_tls_pool_stats *st);
/* Free the spare buffers (those no flow holds). */
void mote_tls_pool_trim(void);

#endif

/* TLS engine internals: wire helpers, states, and the files' shared calls. */
#ifndef MOTE_TLS_INT_H
#define MOTE_TLS_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <mote/crypto.h>
#include <mote/error.h>
#include <mote/tls.h>

/*
 * IMPLEMENTATION NOTES
 *
 * Files: engine.c (buffers, record dispatch, alerts, the public calls),
 * record.c (record protection), keysched.c (RFC 8446 section 7), kex.c (key
 * shares), sig.c (CertificateVerify), hs_client.c and hs_server.c (the two
 * handshake state machines), ticket.c (session tickets), flow.c (the fiber
 * adapter). TLS 1.2 will sit beside hs_client/hs_server as hs12_*.c with its
 * own key schedule; the record layer and engine are shared (the record
 * header and the AEAD nonce construction differ: record.c keeps the 1.3
 * form behind tls__record_seal/open).
 *
 * Record (RFC 8446 section 5.1/5.2):
 *   OFFSET SIZE MEANING
 *   0      1    content type (22 handshake, 21 alert, 20 ccs, 23 app data)
 *   1      2    legacy_record_version: 0x0303 (0x0301 on a first
 *               ClientHello is accepted)
 *   3      2    length: <= 2^14 plaintext, <= 2^14 + 256 protected
 *   5      len  fragment
 * Protected fragment = AEAD(content || type || zeros), tag last; the nonce
 * is the 12-byte iv XOR the 64-bit sequence number (left-padded); the
 * additional data is the 5-byte header.
 *
 * Buffers:
 *   ibuf [0, ilen)     received bytes; the first record is processed when
 *                      whole. An application record decrypts in place and
 *                      is exposed as ibuf[app_off, app_off + app_len); the
 *                      record (rec_len bytes) is dropped when all is read.
 *   obuf [out_off, out_len) sealed records waiting to be sent. Plaintext
 *                      written by the application is staged at obuf +
 *                      out_len + 5 (app_pending bytes) and sealed in place by
 *                      flush. Handshake messages are built at obuf + out_len
 *                      + 5 and cut into records in place (tls__hs_emit).
 *   hbuf [0, hlen)     the handshake message being reassembled (one at a
 *                      time: bytes are taken from a record only up to the
 *                      end of the current message, which is handled before
 *                      the next is copied). Nothing may follow, in the same
 *                      record, a message that changed the read keys.
 *   Post-handshake the output keeps OUT_RESERVE bytes free, so a KeyUpdate
 *   or NewSessionTicket reply always fits behind queued application data;
 *   records are processed only while that holds.
 *   The three are one region lent at init or attach (buf). After the
 *   handshake, when ilen, app_len, hlen, out_len and app_pending are all 0,
 *   detach gives it back (buf, ibuf, obuf, hbuf NULL: DETACHED) after
 *   wiping [0, *_hw) of each part, the high-water marks of what was
 *   written since it was lent; nothing else refers into it then (the
 *   peer's key was copied out of hbuf at Certificate time). Every path that
 *   writes a buffer starts in a public call that checks buf (flush has
 *   nothing staged then); close() sets close_due, honoured by attach.
 *
 * Handshake states (e->hs) below. The server may take the HRR loop once.
 *
 *  client: CH_SENT -> (HRR) -> CH_SENT -> EE -> [CR] -> CERT -> CV -> FIN
 *          -> DONE            (PSK: EE -> FIN)
 *  server: WAIT_CH -> (HRR: WAIT_CH2) -> [send flight] -> C_CERT -> C_CV
 *          -> C_FIN -> DONE
 */

enum {
    HS_NONE = 0,
    HS_C_WAIT_SH,
    HS_C_WAIT_EE,
    HS_C_WAIT_CERT_CR,
    HS_C_WAIT_CERT,
    HS_C_WAIT_CV,
    HS_C_WAIT_FIN,
    HS_S_WAIT_CH,
    HS_S_WAIT_CH2,
    HS_S_WAIT_CERT,
    HS_S_WAIT_CV,
    HS_S_WAIT_FIN,
    HS_S12_WAIT_CERT, /* TLS 1.2 server (hs12_server.c) */
    HS_S12_WAIT_CKE,
    HS_S12_WAIT_CV,
    HS_S12_WAIT_CCS,
    HS_S12_WAIT_FIN,
    HS_C12_WAIT_CERT, /* TLS 1.2 client (hs12_client.c) */
    HS_C12_WAIT_SKE,
    HS_C12_WAIT_SHD,
    HS_C12_WAIT_CCS, /* a NewSessionTicket may come first */
    HS_C12_WAIT_FIN,
    HS_DONE,
};

/* Content types and handshake message types. */
enum {
    CT_CCS = 20,
    CT_ALERT = 21,
    CT_HANDSHAKE = 22,
    CT_APPDATA = 23,
};
enum {
    HT_HELLO_REQUEST = 0,
    HT_CLIENT_HELLO = 1,
    HT_SERVER_HELLO = 2,
    HT_NEW_SESSION_TICKET = 4,
    HT_END_OF_EARLY_DATA = 5,
    HT_ENCRYPTED_EXTENSIONS = 8,
    HT_CERTIFICATE = 11,
    HT_SERVER_KEY_EXCHANGE = 12,
    HT_CERTIFICATE_REQUEST = 13,
    HT_SERVER_HELLO_DONE = 14,
    HT_CLIENT_KEY_EXCHANGE = 16,
    HT_CERTIFICATE_VERIFY = 15,
    HT_FINISHED = 20,
    HT_KEY_UPDATE = 24,
    HT_MESSAGE_HASH = 254,
};
enum {
    EXT_SERVER_NAME = 0,
    EXT_SUPPORTED_GROUPS = 10,
    EXT_EC_POINT_FORMATS = 11,
    EXT_SIGNATURE_ALGORITHMS = 13,
    EXT_ALPN = 16,
    EXT_EXTENDED_MASTER_SECRET = 23,
    EXT_RECORD_SIZE_LIMIT = 28,
    EXT_SESSION_TICKET = 35,
    EXT_PRE_SHARED_KEY = 41,
    EXT_EARLY_DATA = 42,
    EXT_SUPPORTED_VERSIONS = 43,
    EXT_COOKIE = 44,
    EXT_PSK_KEY_EXCHANGE_MODES = 45,
    EXT_SIGNATURE_ALGORITHMS_CERT = 50,
    EXT_KEY_SHARE = 51,
    EXT_RENEGOTIATION_INFO = 0xff01,
};

/* Engine flags. */
#define F_WR_CLOSED  0x01u /* we sent close_notify or a fatal alert */
#define F_RD_CLOSED  0x02u /* peer sent close_notify */
#define F_HS_DONE    0x04u
#define F_CCS_OK     0x08u /* a dummy ChangeCipherSpec may arrive */
#define F_HRR_DONE   0x10u
#define F_SKIP_EARLY 0x20u
#define F_CERT_REQ   0x40u /* client: server asked for our certificate */
#define F_SNI_ACK    0x80u

#define TLS_PLAIN_MAX  16384
#define TLS_CIPHER_MAX (16384 + 256)
#define TLS_VERSION_13 0x0304
#define TLS_VERSION_12 0x0303

/* ---- Wire reader: every read is bounds-checked; an overrun sets bad. ---- */

struct rd {
    const uint8_t *p;
    size_t n;
    int bad;
};

static inline struct rd rd_make(const uint8_t *p, size_t n)
{
    struct rd r = {p, n, 0};
    return r;
}

static inline unsigned rd_u8(struct rd *r)
{
    if (r->n < 1) {
        r->bad = 1;
        return 0;
    }
    unsigned v = r->p[0];
    r->p++;
    r->n--;
    return v;
}

static inline unsigned rd_u16(struct rd *r)
{
    if (r->n < 2) {
        r->bad = 1;
        r->n = 0;
        return 0;
    }
    unsigned v = (unsigned)r->p[0] << 8 | r->p[1];
    r->p += 2;
    r->n -= 2;
    return v;
}

static inline uint32_t rd_u24(struct rd *r)
{
    if (r->n < 3) {
        r->bad = 1;
        r->n = 0;
        return 0;
    }
    uint32_t v = (uint32_t)r->p[0] << 16 | (uint32_t)r->p[1] << 8 | r->p[2];
    r->p += 3;
    r->n -= 3;
    return v;
}

static inline uint32_t rd_u32(struct rd *r)
{
    uint32_t hi = rd_u16(r);
    return hi << 16 | rd_u16(r);
}

/* Take n bytes; NULL (and bad) if fewer remain. */
static inline const uint8_t *rd_bytes(struct rd *r, size_t n)
{
    if (r->n < n) {
        r->bad = 1;
        r->n = 0;
        return NULL;
    }
    const uint8_t *p = r->p;
    if (!n) /* a reader over nothing may hold NULL */
        return p;
    r->p += n;
    r->n -= n;
    return p;
}

/* A sub-reader over a vector with an lenbytes-byte length prefix. */
static inline struct rd rd_vec(struct rd *r, int lenbytes)
{
    size_t n = lenbytes == 1 ? rd_u8(r) : lenbytes == 2 ? rd_u16(r) : rd_u24(r);
    const uint8_t *p = rd_bytes(r, n);
    struct rd s = {p, p ? n : 0, r->bad};
    return s;
}

/* ---- Wire writer: writes into [p, end); an overrun sets bad. ---------- */

struct wr {
    uint8_t *p, *start, *end;
    int bad;
};

static inline struct wr wr_make(uint8_t *p, size_t cap)
{
    struct wr w = {p, p, p + cap, 0};
    return w;
}

static inline void wr_u8(struct wr *w, unsigned v)
{
    if (w->end - w->p < 1) {
        w->bad = 1;
        return;
    }
    *w->p++ = (uint8_t)v;
}

static inline void wr_u16(struct wr *w, unsigned v)
{
    wr_u8(w, v >> 8);
    wr_u8(w, v);
}

static inline void wr_u24(struct wr *w, uint32_t v)
{
    wr_u8(w, v >> 16);
    wr_u8(w, v >> 8);
    wr_u8(w, v);
}

static inline void wr_u32(struct wr *w, uint32_t v)
{
    wr_u16(w, v >> 16);
    wr_u16(w, v & 0xffff);
}

static inline void wr_bytes(struct wr *w, const void *b, size_t n)
{
    if ((size_t)(w->end - w->p) < n) {
        w->bad = 1;
        return;
    }
    if (n)
        memcpy(w->p, b, n);
    w->p += n;
}

/* Open a length-prefixed vector; returns the position to close. */
static inline uint8_t *wr_open(struct wr *w, int lenbytes)
{
    uint8_t *at = w->p;
    for (int i = 0; i < lenbytes; i++)
        wr_u8(w, 0);
    return at;
}

static inline void wr_close(struct wr *w, uint8_t *at, int lenbytes)
{
    if (w->bad)
        return;
    size_t n = (size_t)(w->p - at) - (size_t)lenbytes;
    for (int i = lenbytes - 1; i >= 0; i--) {
        at[i] = (uint8_t)n;
        n >>= 8;
    }
    if (n)
        w->bad = 1;
}

static inline size_t wr_len(const struct wr *w)
{
    return (size_t)(w->p - w->start);
}

/* ---- hs_server.c: the ClientHello, shared by the 1.3 and 1.2 servers ---- */

struct hello {
    unsigned legacy;
    const uint8_t *random;
    struct rd sid, suites, comp, sni, versions, groups, sigs, shares, alpn, psk,
        modes, cookie, ticket;
    int have_rsl, early_data, ems, reneg, have_ticket, ems_bad, reneg_bad;
    unsigned rsl;
    size_t psk_binders_off; /* offset in the message of the binders list */
};

int tls__parse_hello(struct mote_tls_engine *e, const uint8_t *body, size_t len,
                     size_t msglen, struct hello *h);
int tls__sni_in(struct mote_tls_engine *e, const struct hello *h);
int tls__alpn_in(struct mote_tls_engine *e, const struct hello *h);
int tls__name_matches(const char *pat, const char *host);
/* Our minimum version (cfg or default); *max gets the maximum. */
uint16_t tls__version_range(const struct mote_tls_engine *e, uint16_t *max);

/* ---- hs12_server.c (RFC 5246, 7627, 5746, 5077, 8422) -------------------- */

/* Answer a ClientHello that negotiates TLS 1.2. */
int tls__server12_hello(struct mote_tls_engine *e, const struct hello *h,
                        const uint8_t *msg, size_t msglen);
int tls__server12_handle(struct mote_tls_engine *e, unsigned type,
                         const uint8_t *body, size_t len, const uint8_t *msg,
                         size_t msglen);
/* Our 1.2 suites in preference order (may hold 1.3 ones: filter). */
const uint16_t *tls__suites12(const struct mote_tls_engine *e, size_t *n);
/* hs12_client.c: a 1.2 ServerHello, and what follows it. */
int tls__client12_server_hello(struct mote_tls_engine *e, const uint8_t *body,
                               size_t len, const uint8_t *msg, size_t msglen);
int tls__client12_handle(struct mote_tls_engine *e, unsigned type,
                         const uint8_t *body, size_t len, const uint8_t *msg,
                         size_t msglen);
/* Shared by the 1.2 roles (hs12_server.c). */
int tls__hs12_key_block(struct mote_tls_engine *e);
/* Our 1.2 Certificate (id NULL: an empty one). */
int tls__hs12_send_certificate(struct mote_tls_engine *e,
                               const struct mote_tls_identity *id);
/* May scheme sign or verify a 1.2 CertificateVerify? (Its hash must be one
 * the transcript runs under: SHA-256 or SHA-384.) Our list for it. */
int tls__hs12_cv_scheme_ok(uint16_t scheme);
size_t tls__hs12_sigs(const struct mote_tls_engine *e, uint16_t *out,
                      size_t cap);
/* The transcript hash under scheme's hash (1.2 CertificateVerify). */
int tls__hs12_cv_digest(const struct mote_tls_engine *e, uint16_t scheme,
                        uint8_t *out);
int tls__hs12_send_ccs_finished(struct mote_tls_engine *e);
int tls__hs12_verify_data(struct mote_tls_engine *e, int server,
                          uint8_t out[12]);
/* A ChangeCipherSpec record arrived under TLS 1.2. */
int tls__hs12_ccs(struct mote_tls_engine *e);

/* ---- engine.c ------------------------------------------------------------ */

/* A warning-level alert (the connection goes on). */
void tls__send_warning(struct mote_tls_engine *e, int alert);

/* Make the error sticky: send alert (if >= 0), record err. Returns err. */
int tls__fail(struct mote_tls_engine *e, int err, int alert);
/* Where to build the next outgoing handshake message, and its capacity. */
uint8_t *tls__hs_space(struct mote_tls_engine *e, size_t *cap);
/* Emit the len-byte handshake message built at tls__hs_space(): add it to
 * the transcript and cut it into records under the current write keys.
 * Errors: MOTE_EINTERNAL if it does not fit. */
int tls__hs_emit(struct mote_tls_engine *e, size_t len);
/* Queue a dummy ChangeCipherSpec record (middlebox compatibility). */
int tls__send_ccs(struct mote_tls_engine *e);
int tls__random(struct mote_tls_engine *e, uint8_t *buf, size_t n);
/* Transcript: add bytes to both running hashes; get the current hash. */
void tls__transcript_add(struct mote_tls_engine *e, const void *p, size_t n);
void tls__transcript_hash(const struct mote_tls_engine *e, uint8_t *out);
/* Replace the transcript by message_hash(ClientHello1) (section 4.4.1). */
void tls__transcript_hrr(struct mote_tls_engine *e);
/* Choose the suite: fixes the hash. */
int tls__set_suite(struct mote_tls_engine *e, uint16_t suite);
int tls__suite_known(uint16_t suite);
int tls__suite_is12(uint16_t suite);
int tls__suite_is_chacha(uint16_t suite);
enum mote_hash_alg tls__suite_hash(uint16_t suite);
/* A handshake message arrived (type, body). Dispatch per role. */
int tls__client_handle(struct mote_tls_engine *e, unsigned type,
                       const uint8_t *body, size_t len, const uint8_t *msg,
                       size_t msglen);
int tls__server_handle(struct mote_tls_engine *e, unsigned type,
                       const uint8_t *body, size_t len, const uint8_t *msg,
                       size_t msglen);
int tls__client_start(struct mote_tls_engine *e);
/* Client: did our ClientHello offer signature scheme s (hs_client.c)? */
int tls__client_sig_offered(const struct mote_tls_engine *e, uint16_t s);
/* Client: was server_name sent (a host that is not an IP literal)? */
int tls__client_sni_sent(const struct mote_tls_engine *e);

/* Shared by both roles (hs_client.c). */
extern const uint8_t tls__hrr_random[32];
/* The peer's Certificate: calls the verify callback, keeps the leaf key;
 * *empty set for an empty list (the caller decides). */
int tls__certificate_in(struct mote_tls_engine *e, const uint8_t *body,
                        size_t len, int *empty);
/* The peer's CertificateVerify; server is 1 when the peer is the server. */
int tls__certverify_in(struct mote_tls_engine *e, const uint8_t *body,
                       size_t len, int server);
/* Our Certificate (id NULL: empty) and, with an id, CertificateVerify. */
int tls__send_certificate(struct mote_tls_engine *e,
                          const struct mote_tls_identity *id, uint16_t scheme);
int tls__send_finished(struct mote_tls_engine *e, const uint8_t *base);
int tls__finished_in(struct mote_tls_engine *e, const uint8_t *base,
                     const uint8_t *body, size_t len);
/* Post-handshake messages common to both roles (KeyUpdate). */
int tls__post_handshake(struct mote_tls_engine *e, unsigned type,
                        const uint8_t *body, size_t len);
int tls__send_key_update(struct mote_tls_engine *e, int request);
const uint16_t *tls__list(const struct mote_tls_engine *e, int which,
                          size_t *n);
enum { LIST_SUITES, LIST_GROUPS, LIST_SIGS };
int tls__in_list(const uint16_t *l, size_t n, uint16_t v);

/* ---- record.c ------------------------------------------------------------ */

/* Install traffic secret (hashlen bytes) as the keys for one direction. */
int tls__aead_set(struct mote_tls_aead *a, uint16_t suite, enum mote_hash_alg h,
                  const uint8_t *secret);
void tls__aead_clear(struct mote_tls_aead *a);
/* TLS 1.2 keys for one direction from the key block: key (keylen) and iv
 * (GCM: the 4-byte salt; ChaCha20: 12 bytes). */
int tls__aead_set12(struct mote_tls_aead *a, uint16_t suite, const uint8_t *key,
                    size_t keylen, const uint8_t *iv);
/* Bytes a protected record adds beyond header and content. */
size_t tls__record_overhead(const struct mote_tls_aead *a);
/* Seal in place: rec points at a 5-byte header slot followed by len bytes
 * of content; writes header, type byte, tag. Returns the record length. */
size_t tls__record_seal(struct mote_tls_aead *a, uint8_t *rec, size_t len,
                        unsigned type);
/* Open in place the record rec (header + fraglen). On success sets *type
 * and *plen (content length after padding removal). MOTE_EAUTH on a bad
 * tag, MOTE_EPROTO (unexpected_message) on all-zero padding. */
int tls__record_open(struct mote_tls_aead *a, uint8_t *rec, size_t fraglen,
                     unsigned *type, size_t *plen);

/* ---- keysched.c ---------------------------------------------------------- */

int tls__expand_label(enum mote_hash_alg h, const uint8_t *secret,
                      const char *label, const uint8_t *ctx, size_t ctxlen,
                      uint8_t *out, size_t outlen);
/* Derive-Secret(secret, label, transcript hash th) */
int tls__derive(enum mote_hash_alg h, const uint8_t *secret, const char *label,
                const uint8_t *th, uint8_t *out);
/* e->secret = Extract(Derive(e->secret,"derived",""), ikm): the next stage
 * (or the early secret when first is set). */
int tls__ks_early(struct mote_tls_engine *e, const uint8_t *psk, size_t len);
int tls__ks_next(struct mote_tls_engine *e, const uint8_t *ikm, size_t len);
/* Handshake traffic secrets from the transcript at ServerHello. */
int tls__ks_handshake(struct mote_tls_engine *e);
/* Application secrets from the transcript at server Finished; installs
 * nothing (the caller decides when). Stores them in out_c / out_s. */
int tls__ks_application(struct mote_tls_engine *e, uint8_t *c_ap,
                        uint8_t *s_ap);
/* verify_data for base key (c_hs or s_hs) over the current transcript. */
int tls__finished(struct mote_tls_engine *e, const uint8_t *base, uint8_t *out);
int tls__key_update(struct mote_tls_aead *a, enum mote_hash_alg h);
/* TLS 1.2 PRF (RFC 5246 section 5) with the seed given in two parts. */
int tls__prf12(enum mote_hash_alg h, const uint8_t *secret, size_t slen,
               const char *label, const uint8_t *s1, size_t n1,
               const uint8_t *s2, size_t n2, uint8_t *out, size_t outlen);

/* ---- kex.c --------------------------------------------------------------- */

/* Generate our share for group into out (cap bytes); *len set. */
int tls__kex_keygen(struct mote_tls_engine *e, uint16_t group, uint8_t *out,
                    size_t cap, size_t *len);
/* Client: shared secret from the server's share. */
int tls__kex_client_finish(struct mote_tls_engine *e, uint16_t group,
                           const uint8_t *peer, size_t plen, uint8_t *ss,
                           size_t *sslen);
/* Server: our share and the shared secret from the client's share. */
int tls__kex_server(struct mote_tls_engine *e, uint16_t group,
                    const uint8_t *peer, size_t plen, uint8_t *share,
                    size_t cap, size_t *sharelen, uint8_t *ss, size_t *sslen);
int tls__group_known(uint16_t group);

/* ---- sig.c ----------------------------------------------------------------
 */

/* Can key sign scheme? */
int tls__sig_key_ok(const struct mote_tls_privkey *key, uint16_t scheme);
int tls__sig_pub_ok(const struct mote_tls_pubkey *key, uint16_t scheme);
int tls__sig_pub_ok12(const struct mote_tls_pubkey *key, uint16_t scheme);
/* The CertificateVerify content (section 4.4.3) for role `server` (1) or
 * client (0) over transcript hash th: sign or verify. */
int tls__sig_sign(struct mote_tls_engine *e, const struct mote_tls_privkey *k,
                  uint16_t scheme, int server, const uint8_t *th, uint8_t *sig,
                  size_t cap, size_t *siglen);
/* Sign msg itself (TLS 1.2 ServerKeyExchange); PKCS#1 schemes allowed. */
int tls__sig_sign_msg(struct mote_tls_engine *e,
                      const struct mote_tls_privkey *k, uint16_t scheme,
                      const uint8_t *msg, size_t mlen, uint8_t *sig, size_t cap,
                      size_t *siglen);
int tls__sig_verify_msg(const struct mote_tls_pubkey *k, uint16_t scheme,
                        const uint8_t *msg, size_t mlen, const uint8_t *sig,
                        size_t siglen);
/* The same over a digest already made with the scheme's hash (TLS 1.2
 * CertificateVerify signs the running transcript hash); not Ed25519. */
int tls__sig_sign_digest(struct mote_tls_engine *e,
                         const struct mote_tls_privkey *k, uint16_t scheme,
                         const uint8_t *dg, uint8_t *sig, size_t cap,
                         size_t *siglen);
int tls__sig_verify_digest(const struct mote_tls_pubkey *k, uint16_t scheme,
                           const uint8_t *dg, const uint8_t *sig,
                           size_t siglen);
enum mote_hash_alg tls__sig_hash(uint16_t scheme);
int tls__sig_verify(const struct mote_tls_pubkey *k, uint16_t scheme,
                    int server, const uint8_t *th, size_t thlen,
                    const uint8_t *sig, size_t siglen);

/* ---- ticket.c -------------------------------------------------------------
 */

/* Server: build NewSessionTicket into the handshake space and emit it. */
int tls__send_ticket(struct mote_tls_engine *e);
/* Server: try to open ticket; on success fill psk (hashlen) and return 0.
 * MOTE_EAUTH if unusable (not ours, expired, wrong suite hash). */
int tls__ticket_open(struct mote_tls_engine *e, const uint8_t *ticket,
                     size_t len, uint32_t obf_age, uint8_t *psk);
/* TLS 1.2 (RFC 5077): send a NewSessionTicket for e->master; open one
 * (fills e->master and *suite, and *renew: 1 once the ticket is past half
 * its lifetime, when a resumption should issue a fresh one; MOTE_EAUTH if
 * unusable). */
int tls__send_ticket12(struct mote_tls_engine *e);
int tls__ticket12_open(struct mote_tls_engine *e, const uint8_t *ticket,
                       size_t len, uint16_t *suite, int *renew);
/* Client: store a received NewSessionTicket. */
int tls__ticket_recv(struct mote_tls_engine *e, const uint8_t *body,
                     size_t len);

#endif

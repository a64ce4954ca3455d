/* X.509 generation: keys (PKCS#8, SubjectPublicKeyInfo), certificates and
 * certificate signing requests (PKCS#10). */
#ifndef MOTE_X509_GEN_H
#define MOTE_X509_GEN_H

/*
 * Conventions:
 *
 * - Freestanding, no allocation, no clock: times are arguments (seconds
 *   since the epoch) and randomness comes from a mote_pk_rng_fn hook
 *   (mote_x509_gen_rng wraps mote_random for callers that want the
 *   process-wide generator).
 * - Keys are <mote/x509.h>'s struct mote_x509_privkey (parsed from a file,
 *   or made by mote_x509_gen_key); public keys, algorithm identifiers and
 *   the TBSCertificate are written with that header's writers, names and
 *   the CSR with <mote/der.h>'s writer. Everything produced is strict DER
 *   and reads back through the parsers in <mote/x509.h>.
 * - Output goes to a caller's buffer (out, cap). When it is too small the
 *   call returns MOTE_ENOSPC and sets *len to a size that is enough (an
 *   upper bound: signatures are counted at their longest); out may be NULL
 *   with cap 0 to measure.
 * - Errors: MOTE_EINVAL for a bad argument (unknown key type, bad name or
 *   SAN, not_after before not_before, a signature algorithm that does not
 *   fit the key, a self-signed SPKI that is not the key's), MOTE_ENOSPC as
 *   above, MOTE_ENOTSUP for a combination not implemented (see each
 *   function), MOTE_EAUTH for a CSR whose signature does not verify, and
 *   the rng hook's error.
 * - Stack: the certificate builders keep a struct mote_x509_cert (about
 *   9 KiB) and a signature buffer on the stack.
 *
 * Key identifiers: the subjectKeyIdentifier is RFC 5280 section 4.2.1.2
 * method 1, the SHA-1 of the subjectPublicKey BIT STRING's value (as
 * OpenSSL computes it); the authorityKeyIdentifier copies the issuer's own
 * subjectKeyIdentifier when the caller passes it (GnuTLS, for one, uses
 * another method), else it is computed the same way.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mote/crypto.h>
#include <mote/ipaddr.h>
#include <mote/x509.h>

/* ---- Keys ------------------------------------------------------------------
 */

enum mote_x509_gen_keytype {
    MOTE_X509_GEN_KEY_NONE = 0,
    MOTE_X509_GEN_KEY_P256,
    MOTE_X509_GEN_KEY_P384,
    MOTE_X509_GEN_KEY_ED25519,
    MOTE_X509_GEN_KEY_RSA, /* mote_x509_gen_key_rsa, not _gen_key */
};

/* rng hook over mote_random() (ctx unused); always returns 0. */
int mote_x509_gen_rng(void *ctx, uint8_t *buf, size_t len);

/* Generate a P-256, P-384 or Ed25519 key from rng into k (release it with
 * mote_x509_privkey_clear). RSA gives MOTE_ENOTSUP: its key lives in a
 * caller's buffer, see mote_x509_gen_key_rsa. */
int mote_x509_gen_key(struct mote_x509_privkey *k,
                      enum mote_x509_gen_keytype type, mote_pk_rng_fn rng,
                      void *rng_ctx);

/* Generate an RSA key of bits (a multiple of 128, 2048..4096; e = 65537)
 * with the crypto core's mote_rsa_generate, and compute its private
 * exponent d so that it can be written as PKCS#8. The key's parts are
 * written into buf (cap at least MOTE_X509_GEN_RSA_BUF_LEN(bits)), which
 * k then borrows: wipe it (mote_memzero_explicit) when done. Takes tens of
 * milliseconds for 2048 bits, seconds for 4096. Errors: MOTE_EINVAL bits,
 * MOTE_ENOSPC cap, the rng hook's error (buf is then wiped). */
#define MOTE_X509_GEN_RSA_BUF_LEN(bits) (MOTE_RSA_KEYGEN_LEN(bits) + (bits) / 8)
int mote_x509_gen_key_rsa(struct mote_x509_privkey *k, unsigned bits,
                          uint8_t *buf, size_t cap, mote_pk_rng_fn rng,
                          void *rng_ctx);

/* PKCS#8 PrivateKeyInfo (RFC 5958 version 1, no attributes) in DER. EC
 * keys carry an RFC 5915 ECPrivateKey with the public key and without
 * parameters (they are in the algorithm identifier); Ed25519 an RFC 8410
 * CurvePrivateKey; RSA an RFC 8017 RSAPrivateKey (MOTE_ENOTSUP when
 * k->rsa_d is empty: parsed keys carry it, mote_x509_gen_key_rsa computes
 * it). */
int mote_x509_gen_pkcs8_write(const struct mote_x509_privkey *k, uint8_t *out,
                              size_t cap, size_t *len);

/* The public half as a DER SubjectPublicKeyInfo (mote_x509_pubkey_put). */
int mote_x509_gen_spki_write(const struct mote_x509_privkey *k, uint8_t *out,
                             size_t cap, size_t *len);

/* The key identifier of a DER SubjectPublicKeyInfo: SHA-1 of its
 * subjectPublicKey bits (method 1 above). MOTE_EINVAL if spki is not a
 * SubjectPublicKeyInfo. */
int mote_x509_gen_key_id(const uint8_t *spki, size_t spki_len,
                         uint8_t id[MOTE_SHA1_LEN]);

/* ---- Signing ---------------------------------------------------------------
 */

/* The default signature algorithm for k: ECDSA with SHA-256 (P-256) or
 * SHA-384 (P-384), Ed25519, sha256WithRSAEncryption. MOTE_EINVAL for a key
 * that cannot sign. */
int mote_x509_gen_default_sigalg(const struct mote_x509_privkey *k,
                                 struct mote_x509_sigalg *alg);

/* RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (RFC 4055;
 * the parameters TLS 1.3 calls rsa_pss_rsae_sha256). */
void mote_x509_gen_pss_sha256(struct mote_x509_sigalg *alg);

/* Sign data (len bytes) with k under alg (NULL: the default) into sig
 * (cap bytes), as the value goes into an X.509 signature BIT STRING (ECDSA
 * as a DER Ecdsa-Sig-Value). MOTE_EINVAL if alg does not fit k (ECDSA
 * needs an EC key and SHA-256/384/512, PKCS#1 v1.5 and PSS an RSA key and
 * SHA-256/384/512, Ed25519 an Ed25519 key). */
int mote_x509_gen_sign(const struct mote_x509_privkey *k,
                       const struct mote_x509_sigalg *alg, const uint8_t *data,
                       size_t len, uint8_t *sig, size_t cap, size_t *sig_len,
                       mote_pk_rng_fn rng, void *rng_ctx);

/* ---- Names and subject alternative names ---------------------------------
 */

/* A distinguished name from a few attributes (NULL or "" for absent),
 * written in the order C, ST, L, O, OU, CN, one attribute per RDN. c is
 * two letters (PrintableString); the rest UTF8String of 1..64 bytes
 * (ub-common-name and friends, RFC 5280 appendix A.1) without control
 * characters. */
struct mote_x509_gen_name {
    const char *c, *st, *l, *o, *ou, *cn;
};

/* Write a Name (SEQUENCE OF RDN); an all-absent name is an empty
 * SEQUENCE. MOTE_EINVAL for a bad attribute. */
int mote_x509_gen_name_write(const struct mote_x509_gen_name *n, uint8_t *out,
                             size_t cap, size_t *len);

enum mote_x509_gen_san_type {
    MOTE_X509_GEN_SAN_NONE = 0,
    MOTE_X509_GEN_SAN_DNS,   /* text: a host name, "*." prefix allowed */
    MOTE_X509_GEN_SAN_IP,    /* ip: IPv4 or IPv6 (no zone) */
    MOTE_X509_GEN_SAN_EMAIL, /* text: local@domain, ASCII */
    MOTE_X509_GEN_SAN_URI,   /* text: scheme:..., ASCII */
};

struct mote_x509_gen_san {
    enum mote_x509_gen_san_type type;
    const char *text;
    struct mote_ipaddr ip;
};

#define MOTE_X509_GEN_MAX_SAN 64

/* 0 if s is a name a certificate may carry (the rules are in
 * docs/x509.md), MOTE_EINVAL if not: to check input before making keys. */
int mote_x509_gen_san_check(const struct mote_x509_gen_san *s);

/* ---- Certificates ----------------------------------------------------------
 */

/* Extended key usage choices (not critical when present). */
#define MOTE_X509_GEN_EKU_SERVER 0x01u /* id-kp-serverAuth */
#define MOTE_X509_GEN_EKU_CLIENT 0x02u /* id-kp-clientAuth */

/* What a certificate says. Pointers are borrowed for the call. */
struct mote_x509_gen_cert {
    /* The subject: subject_der (a DER Name, e.g. from a CSR) if set, else
     * built from subject. */
    struct mote_x509_gen_name subject;
    const uint8_t *subject_der;
    size_t subject_der_len;
    /* The subject's public key as a DER SubjectPublicKeyInfo (parsed with
     * mote_x509_pubkey_parse: RSA, EC or Ed25519). */
    const uint8_t *spki;
    size_t spki_len;
    /* Validity, seconds since the epoch: UTCTime through 2049, then
     * GeneralizedTime (RFC 5280 4.1.2.5). not_after >= not_before. */
    int64_t not_before, not_after;
    /* Serial: serial_len (1..20) big-endian bytes, first byte nonzero or
     * below 0x80 rules not required (it is written as a positive INTEGER);
     * or serial_len 0 for 16 random bytes with the top bit clear (RFC 5280
     * 4.1.2.2: positive, at most 20 octets, unpredictable). */
    uint8_t serial[20];
    size_t serial_len;
    /* Subject alternative names (at most MOTE_X509_GEN_MAX_SAN), or
     * san_der: the DER of a GeneralNames value (e.g. a CSR's request),
     * checked and copied. The extension is critical when the subject is
     * empty (4.2.1.6). None of either: no extension. */
    const struct mote_x509_gen_san *san;
    size_t nsan;
    const uint8_t *san_der;
    size_t san_der_len;
    /* basicConstraints (always present, critical): ca, and path_len >= 0
     * for a pathLenConstraint (CA only) or -1 for none. */
    bool ca;
    int path_len;
    /* keyUsage (critical), MOTE_X509_KU_*; 0 picks: CA keyCertSign |
     * cRLSign | digitalSignature; end entity digitalSignature, plus
     * keyEncipherment for RSA subject keys (TLS 1.2 RSA key exchange). */
    unsigned key_usage;
    /* extKeyUsage, MOTE_X509_GEN_EKU_*; 0 for no extension. */
    unsigned eku;
    /* Signature algorithm (alg NONE: the issuer key's default). */
    struct mote_x509_sigalg sigalg;
};

/* The signer. For a self-signed certificate, name is NULL (the issuer is
 * the subject) and key is the subject's own key. key_id (the issuer's
 * subjectKeyIdentifier, for the authorityKeyIdentifier) may be NULL: it is
 * then computed from the issuer key. */
struct mote_x509_gen_issuer {
    const uint8_t *name; /* DER Name of the issuer: its certificate's
                            subject, byte for byte (RFC 5280 4.1.2.4) */
    size_t name_len;
    const uint8_t *key_id;
    size_t key_id_len;
    const struct mote_x509_privkey *key;
};

/* Build and sign a certificate (DER) into out; subjectKeyIdentifier and
 * authorityKeyIdentifier are always written. For a self-signed certificate
 * the SPKI must be the issuer key's (MOTE_EINVAL otherwise). */
int mote_x509_gen_cert_write(const struct mote_x509_gen_cert *cert,
                             const struct mote_x509_gen_issuer *issuer,
                             uint8_t *out, size_t cap, size_t *len,
                             mote_pk_rng_fn rng, void *rng_ctx);

/* Lower level: sign a certificate filled by hand (mote_x509_cert_init,
 * fields, mote_x509_cert_add_ext): cert->sig_alg is set from alg (NULL:
 * the key's default), the TBS is written with mote_x509_tbs_put, signed
 * with key, and the Certificate written to out. */
int mote_x509_gen_cert_sign(struct mote_x509_cert *cert,
                            const struct mote_x509_privkey *key,
                            const struct mote_x509_sigalg *alg, uint8_t *out,
                            size_t cap, size_t *len, mote_pk_rng_fn rng,
                            void *rng_ctx);

/* ---- Certificate signing requests (PKCS#10, RFC 2986) ---------------------
 */

/* A request for subject (subject, or subject_der) with the key's public
 * half and, when nsan > 0, a subjectAltName in a PKCS#9 extensionRequest
 * attribute, signed with the key. */
struct mote_x509_gen_csr {
    struct mote_x509_gen_name subject;
    const uint8_t *subject_der;
    size_t subject_der_len;
    const struct mote_x509_gen_san *san;
    size_t nsan;
    struct mote_x509_sigalg sigalg; /* alg NONE: the key's default */
};

int mote_x509_gen_csr_write(const struct mote_x509_gen_csr *csr,
                            const struct mote_x509_privkey *key, uint8_t *out,
                            size_t cap, size_t *len, mote_pk_rng_fn rng,
                            void *rng_ctx);

/* A parsed request. Every pointer points into the caller's DER. */
struct mote_x509_csr {
    struct mote_x509_slice der;  /* the whole request */
    struct mote_x509_slice info; /* CertificationRequestInfo TLV (signed) */
    struct mote_x509_name subject;
    struct mote_x509_pubkey pubkey; /* pubkey.spki: the SPKI TLV */
    /* The requested subjectAltName (GeneralNames TLV), NULL if none; its
     * entries, as in a certificate. */
    struct mote_x509_slice san_der;
    struct mote_x509_gn san[MOTE_X509_MAX_SAN];
    unsigned san_count;
    struct mote_x509_sigalg sig_alg;
    struct mote_x509_slice sig;
    /* After a failed parse: a short static reason, else NULL. */
    const char *reason;
};

/* Largest CSR accepted (an RSA-4096 request with many names is ~3 KiB). */
#define MOTE_X509_CSR_MAX 16384

/* Parse a DER CertificationRequest strictly (version 0; attributes other
 * than extensionRequest are skipped; requested extensions other than
 * subjectAltName are ignored, a critical unknown one is refused with
 * MOTE_ENOTSUP) and check its self-signature. Errors: MOTE_EINVAL
 * malformed, MOTE_EMSGSIZE longer than MOTE_X509_CSR_MAX, MOTE_ENOTSUP
 * unknown key or signature algorithm, MOTE_ENOSPC more SANs than
 * MOTE_X509_MAX_SAN, MOTE_EAUTH bad signature. csr->reason says why. */
int mote_x509_csr_parse(struct mote_x509_csr *csr, const uint8_t *der,
                        size_t len);

/* Issue a certificate for a parsed (and so verified) CSR: subject, key and
 * requested SANs come from the request, everything else from tmpl (whose
 * subject, spki and san fields are ignored). */
int mote_x509_gen_cert_from_csr(const struct mote_x509_csr *csr,
                                const struct mote_x509_gen_cert *tmpl,
                                const struct mote_x509_gen_issuer *issuer,
                                uint8_t *out, size_t cap, size_t *len,
                                mote_pk_rng_fn rng, void *rng_ctx);

#endif

/* X.509 path validation (RFC 5280 section 6), server identity (RFC 9525),
 * trust store and public-key pinning. */
#ifndef MOTE_X509_VERIFY_H
#define MOTE_X509_VERIFY_H

/*
 * Conventions:
 *
 * - Freestanding, no allocation, no clock: the caller passes the time and
 *   provides every table (trust store slots, the verification work area).
 *   Nothing here prints; a failed verification is data (a reason, the depth
 *   of the certificate that failed, the chain that was tried).
 * - Everything borrows: the trust store points into the buffer the caller
 *   gave it, a verification result points into the leaf, the bundle and the
 *   trust store. Keep them alive while the result is used.
 * - Errors (negative MOTE_E*) are for the caller's mistakes and full tables:
 *   MOTE_EINVAL for a bad argument, MOTE_ENOSPC for a full table.
 *   A certificate that does not verify is not an error of the call: it is
 *   MOTE_EAUTH with the reason in the result.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mote/ipaddr.h>
#include <mote/x509.h>

/* ---- Why a chain failed -------------------------------------------------- */

enum mote_x509_reason {
    MOTE_X509_OK = 0,           /* verified */
    MOTE_X509_EXPIRED,          /* now > notAfter */
    MOTE_X509_NOT_YET_VALID,    /* now < notBefore */
    MOTE_X509_NAME_MISMATCH,    /* the leaf is not for the expected name */
    MOTE_X509_UNKNOWN_ISSUER,   /* no path to a trust anchor */
    MOTE_X509_BAD_SIGNATURE,    /* a signature does not verify */
    MOTE_X509_NOT_CA,           /* an issuer without basicConstraints CA */
    MOTE_X509_PATH_LEN,         /* pathLenConstraint exceeded */
    MOTE_X509_KEY_USAGE,        /* keyUsage forbids the use */
    MOTE_X509_EKU,              /* extKeyUsage forbids the purpose */
    MOTE_X509_NAME_CONSTRAINTS, /* a name outside an issuer's constraints */
    MOTE_X509_TOO_DEEP,         /* more CA certificates than max_depth */
    MOTE_X509_UNSUPPORTED_ALG,  /* a signature or key algorithm Mote lacks */
    MOTE_X509_UNKNOWN_CRITICAL, /* an unrecognised critical extension */
    MOTE_X509_MALFORMED,        /* a certificate does not parse */
    MOTE_X509_PIN_MISMATCH,     /* no key of the chain is pinned */
    MOTE_X509_WORK_LIMIT,       /* the search gave up (too many paths) */
    MOTE_X509_POLICY,           /* no acceptable certificate policy */
    MOTE_X509_REASON_COUNT_
};

/* A sentence for people ("certificate has expired"); never NULL. */
const char *mote_x509_reason_str(enum mote_x509_reason r);
/* A short token for logs and test manifests ("expired", "not_ca" ...): the
 * enum name, lowercase, without the prefix; "?" for an unknown value. */
const char *mote_x509_reason_name(enum mote_x509_reason r);

/* ---- Server identity (RFC 9525) ------------------------------------------
 *
 * The reference identity is what the client meant to reach: a DNS name or
 * an IP address. DNS names are compared case-insensitively in ASCII; IDNs
 * must be given as A-labels (xn--...), as they appear in certificates. A
 * presented DNS identity (dNSName SAN) may be a wildcard only as the whole
 * left-most label ("*.example.com"), standing for exactly one label, with
 * at least two labels after it; partial wildcards ("f*o.example.com") and
 * wildcards elsewhere never match. IP addresses match iPAddress SANs only
 * (same family, same bytes). The subject CN is never used (RFC 9525 6.3
 * "MUST NOT"): a certificate without a matching SAN does not match.
 */

#define MOTE_X509_DNS_MAX 253 /* bytes of a DNS name, no trailing dot */

enum mote_x509_id_type {
    MOTE_X509_ID_NONE = 0,
    MOTE_X509_ID_DNS,
    MOTE_X509_ID_IP,
};

struct mote_x509_id {
    enum mote_x509_id_type type;
    struct mote_ipaddr ip;           /* MOTE_X509_ID_IP */
    char dns[MOTE_X509_DNS_MAX + 1]; /* lowercase, NUL-terminated */
    size_t dns_len;
};

/* Parse a reference identity from text (len bytes, no NUL needed): an IPv4
 * dotted quad, an IPv6 address (optionally in brackets; a zone is refused)
 * or a DNS name (one trailing dot allowed and dropped; labels of 1..63
 * letters, digits, '-' or '_'; at most 253 bytes; not a numeric top label).
 * Returns 0 or MOTE_EINVAL. */
int mote_x509_id_parse(struct mote_x509_id *id, const char *s, size_t len);

/* Does the presented dNSName (plen bytes from a SAN) match the DNS
 * reference identity id? False for non-DNS ids and invalid names. */
bool mote_x509_dns_matches(const char *presented, size_t plen,
                           const struct mote_x509_id *id);

/* Does an iPAddress SAN (4 or 16 bytes) equal the IP reference id? */
bool mote_x509_ip_matches(const uint8_t *san, size_t len,
                          const struct mote_x509_id *id);

/* Check a parsed certificate against a reference identity: 0 if one of its
 * SANs of the id's type matches, MOTE_EAUTH if none does (including when it
 * has no SAN at all), MOTE_EINVAL for a NULL or NONE id. */
int mote_x509_cert_check_id(const struct mote_x509_cert *cert,
                            const struct mote_x509_id *id);

/* ---- Trust store -----------------------------------------------------------
 *
 * Trust anchors are certificates the caller trusts (their name and key;
 * see docs/x509.md for which of their other fields are enforced). The
 * store keeps a compact record per anchor in slots the caller provides,
 * sorted by a hash of the subject for lookup, and the anchors' DER in a
 * byte buffer the caller provides. Sizes: one slot is
 * sizeof(struct mote_x509_anchor) (about 200 bytes on x86-64); the Debian
 * system bundle (144 roots) needs 144 slots and 156 KB of buffer.
 *
 * On unix the system bundle is /etc/ssl/certs/ca-certificates.crt: the
 * caller reads the file (it is plain PEM) and passes its bytes; this core
 * never opens files.
 */

struct mote_x509_anchor {
    struct mote_x509_slice der; /* in the store's buffer */
    struct mote_x509_name subject;
    struct mote_x509_slice ski;
    struct mote_x509_pubkey pubkey;
    int64_t not_before, not_after;
    uint32_t subject_hash;      /* of the subject's bytes: the index */
    uint32_t subject_norm_hash; /* of its RFC 5280 7.1 form: the fallback */
    /* The anchor's own constraints, enforced on every path that ends at
     * it (RFC 5937 style, docs/x509.md): pathLenConstraint (-1 when
     * absent), extKeyUsage, and whether it has nameConstraints (read
     * again from der when a path ends here). */
    int path_len;
    unsigned eku_flags;
    bool has_eku, has_nc;
};

#define MOTE_X509_MAX_PINS 16

struct mote_x509_trust {
    struct mote_x509_anchor *anchors; /* caller's slots, sorted */
    size_t count, cap;
    uint8_t *buf; /* caller's buffer for anchor DER */
    size_t buf_len, buf_cap;
    uint8_t pins[MOTE_X509_MAX_PINS][32]; /* SHA-256 of SPKIs */
    size_t pin_count;
};

/* An empty store over slots (nslots entries) and buf (cap bytes), both
 * owned by the caller and kept until the store is no longer used. */
void mote_x509_trust_init(struct mote_x509_trust *t,
                          struct mote_x509_anchor *slots, size_t nslots,
                          uint8_t *buf, size_t cap);

/* Add one DER certificate (copied into the buffer). Returns 0, MOTE_ENOSPC
 * (slots or buffer full), or the parse error (MOTE_EINVAL, MOTE_ENOTSUP);
 * an anchor whose key Mote cannot use is refused with MOTE_ENOTSUP. Adding
 * the same certificate twice is a no-op. */
int mote_x509_trust_add_der(struct mote_x509_trust *t, const uint8_t *der,
                            size_t len);

/* Add every CERTIFICATE block of a PEM text (other blocks and text between
 * blocks are skipped). Certificates that do not parse or have an unusable
 * key are skipped and counted in *skipped (may be NULL); *added (may be
 * NULL) counts the anchors added. Returns 0, MOTE_ENOSPC when the slots or
 * the buffer are full (what fit stays added), MOTE_EINVAL for broken PEM
 * framing. */
int mote_x509_trust_add_pem(struct mote_x509_trust *t, const char *pem,
                            size_t len, size_t *added, size_t *skipped);

/* Pin a public key: sha256 is the SHA-256 of a DER SubjectPublicKeyInfo
 * (as curl's --pinnedpubkey "sha256//..." and HPKP). Once any pin is set,
 * a chain verifies only if at least one of its certificates (leaf,
 * intermediates or anchor) has a pinned key. 0 or MOTE_ENOSPC. */
int mote_x509_trust_pin(struct mote_x509_trust *t, const uint8_t sha256[32]);

/* The anchors whose subject is exactly name (byte comparison): the first
 * index into t->anchors and the count (0 if none). */
size_t mote_x509_trust_find(const struct mote_x509_trust *t,
                            const struct mote_x509_name *name, size_t *first);

/* ---- Signatures ------------------------------------------------------------
 */

/* Check the X.509-style signature sig (sig_len bytes: the BIT STRING
 * contents of a Certificate, CertificateRequest or CRL; ECDSA as a DER
 * Ecdsa-Sig-Value) over data (len bytes, e.g. the TBSCertificate TLV) by
 * key under alg. The algorithms are those of path validation: RSA PKCS#1
 * v1.5 and PSS, ECDSA P-256/P-384, Ed25519, with SHA-256/384/512 (SHA-1 is
 * refused). An id-RSASSA-PSS key is accepted. Returns 0, MOTE_EAUTH if the
 * signature does not verify (or does not fit the key type), MOTE_ENOTSUP
 * for an algorithm or key Mote cannot check, MOTE_EINVAL for NULLs. */
int mote_x509_signature_check(const struct mote_x509_pubkey *key,
                              const struct mote_x509_sigalg *alg,
                              const uint8_t *data, size_t len,
                              const uint8_t *sig, size_t sig_len);

/* ---- Path validation (RFC 5280 section 6)
 * ------------------------------------
 */

enum mote_x509_purpose {
    MOTE_X509_PURPOSE_NONE = 0, /* no keyUsage / EKU check on the leaf */
    MOTE_X509_PURPOSE_SERVER,   /* TLS server: id-kp-serverAuth */
    MOTE_X509_PURPOSE_CLIENT,   /* TLS client: id-kp-clientAuth */
};

#define MOTE_X509_DEFAULT_DEPTH                                                \
    8                              /* CA certificates between leaf and anchor  \
                                    */
#define MOTE_X509_MAX_DEPTH    16  /* the largest max_depth accepted */
#define MOTE_X509_MAX_BUNDLE   32  /* intermediates offered in one call */
#define MOTE_X509_DEFAULT_WORK 256 /* signature checks per verification */
#define MOTE_X509_MAX_CHAIN    (MOTE_X509_MAX_DEPTH + 2)

/* ---- Verified-signature cache (optional) ----------------------------------
 *
 * A TLS client verifying the same intermediates again and again can skip
 * the signature math for a signature it has already seen verify. The
 * cache is the caller's memory (nslots entries of 32 bytes), shared by
 * the calls that name it in their options (not thread-safe: one
 * scheduler, or one cache per thread). An entry is the SHA-256 of the
 * issuer's SubjectPublicKeyInfo, the signed TBS bytes, the signature
 * algorithm and the signature bytes, each length-prefixed: a hit needs
 * the same bytes in all four, so it never accepts what the math would
 * refuse (barring a SHA-256 collision). Only successes are kept; when
 * full, the oldest entry is replaced.
 */
struct mote_x509_sigcache_entry {
    uint8_t key[32];
};

struct mote_x509_sigcache {
    struct mote_x509_sigcache_entry *slots;
    size_t nslots, used, next;
    uint64_t hits, misses; /* statistics, for the caller */
};

/* An empty cache over slots (nslots entries, kept by the caller). */
void mote_x509_sigcache_init(struct mote_x509_sigcache *c,
                             struct mote_x509_sigcache_entry *slots,
                             size_t nslots);

struct mote_x509_verify_opts {
    int64_t now; /* seconds since the epoch, UTC */
    enum mote_x509_purpose purpose;
    const struct mote_x509_id *id; /* expected identity, or NULL */
    unsigned max_depth;            /* 0: MOTE_X509_DEFAULT_DEPTH */
    unsigned max_work;             /* 0: MOTE_X509_DEFAULT_WORK */
    /* Certificate policies (RFC 5280 6.1.1 c, e, f, g; docs/x509.md): the
     * user-initial-policy-set as OID contents (npolicies 0: anyPolicy),
     * and the three initial switches. All zero: no policy is required,
     * but the chain's own policyConstraints and inhibitAnyPolicy are
     * still enforced. */
    const struct mote_x509_slice *policies;
    unsigned npolicies;
    bool explicit_policy, inhibit_policy_mapping, inhibit_any_policy;
    /* Verified-signature cache, or NULL (above). */
    struct mote_x509_sigcache *sigcache;
};

/* The policy graph of RFC 9618 (the linear-size form of RFC 5280's
 * valid_policy_tree), one level per certificate: at most
 * MOTE_X509_POLICY_LEVEL nodes a level; a chain that would need more
 * fails with MOTE_X509_POLICY (docs/x509.md: the bound). */
#define MOTE_X509_POLICY_LEVEL 64
struct mote_x509_policy_node {
    struct mote_x509_slice oid; /* valid_policy (contents) */
    uint64_t parents;           /* bit k: node k of the level above */
    bool mapped;                /* expected set from this cert's mappings */
    bool dead;                  /* deleted (6.1.4 b 2, 6.1.5 g) */
};
struct mote_x509_policy_level {
    struct mote_x509_policy_node n[MOTE_X509_POLICY_LEVEL];
    unsigned count;
};

/* One certificate as the path builder keeps it (internal layout; a work
 * area holds MOTE_X509_MAX_BUNDLE + 1 of them). */
struct mote_x509_node {
    struct mote_x509_slice der, tbs, sig;
    struct mote_x509_sigalg sig_alg;
    struct mote_x509_name subject, issuer;
    struct mote_x509_slice ski, aki;
    struct mote_x509_pubkey pubkey;
    int64_t not_before, not_after;
    bool ca, has_ku, has_eku;
    int path_len;
    unsigned key_usage, eku_flags;
    struct mote_x509_gn nc_permitted[MOTE_X509_MAX_NC];
    struct mote_x509_gn nc_excluded[MOTE_X509_MAX_NC];
    unsigned nc_permitted_count, nc_excluded_count;
    bool has_nc;
    bool has_policy; /* any policy extension (read again when validating) */
    enum mote_x509_reason parse_reason; /* OK, or why it did not parse */
};

/* The caller's work area for one verification (about 80 KB on x86-64: put
 * it on the heap or in static storage, not on a small fiber stack). May be
 * reused. */
struct mote_x509_verify_work {
    struct mote_x509_node nodes[MOTE_X509_MAX_BUNDLE + 1]; /* leaf first */
    unsigned node_count;
    struct mote_x509_cert scratch; /* one full parse at a time */
    /* search state */
    unsigned path[MOTE_X509_MAX_CHAIN]; /* node indices, leaf first */
    unsigned work_left;
    /* the name constraints of the anchor a path ends at, when it has any */
    struct mote_x509_node anchor;
    /* policy processing: level 0 is the anchor's anyPolicy */
    struct mote_x509_policy_level policy[MOTE_X509_MAX_CHAIN];
};

struct mote_x509_result {
    enum mote_x509_reason reason;
    /* The certificate the reason is about: 0 = leaf, chain_len - 1 = the
     * anchor; -1 when verified. */
    int depth;
    /* The chain found (when verified) or the most complete one tried (when
     * not), leaf first, DER borrowed from the inputs; anchored tells
     * whether its last certificate is a trust anchor. */
    struct mote_x509_slice chain[MOTE_X509_MAX_CHAIN];
    unsigned chain_len;
    bool anchored;
};

/* Verify the certificate leaf (DER, leaf_len bytes) for opts->purpose at
 * opts->now, building a path through bundle (nbundle DER certificates, in
 * any order, at most MOTE_X509_MAX_BUNDLE; one that does not parse is
 * still matched by its names, and reported if it is the only way on) to
 * an anchor of trust,
 * then checking opts->id against the leaf and the pins of trust.
 *
 * Path building is depth-first: for each certificate, candidate issuers
 * are the anchors, then the bundle certificates, whose subject equals its
 * issuer (bytes) and whose subjectKeyIdentifier does not contradict its
 * authorityKeyIdentifier; a candidate already on the path is skipped
 * (loops); every signature checked counts against max_work. A path that
 * reaches an anchor is then validated (section 6.1); if validation fails
 * the search goes on with the other candidates. When no path verifies,
 * the result describes the most complete path tried: one that validated
 * but failed the identity or pins beats one that reached an anchor and
 * failed a check, which beats any that broke on the way; among those the
 * one that got further from the leaf wins, then a failed signature (or too
 * deep) over a missing issuer over an issuer that does not parse.
 *
 * Returns 0 (res->reason MOTE_X509_OK), MOTE_EAUTH (res says why),
 * MOTE_EINVAL for bad arguments (NULLs, nbundle too large, max_depth above
 * MOTE_X509_MAX_DEPTH). */
int mote_x509_verify(const uint8_t *leaf, size_t leaf_len,
                     const struct mote_x509_slice *bundle, size_t nbundle,
                     const struct mote_x509_trust *trust,
                     const struct mote_x509_verify_opts *opts,
                     struct mote_x509_verify_work *work,
                     struct mote_x509_result *res);

#endif

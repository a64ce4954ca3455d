/* X.509: PEM, keys (PKCS#8, SEC 1, PKCS#1, SPKI) and certificates. */
#ifndef MOTE_X509_H
#define MOTE_X509_H

/*
 * STABILITY: the structs, enums, constants and functions in this header
 * are stable (issue 7 parts 2 and 3 build on them); fields and functions
 * are only added, never renamed or removed. The DER layer is <mote/der.h>.
 *
 * Conventions:
 *
 * - Freestanding, no allocation. Parsed structs BORROW from the input: all
 *   pointers point into the DER buffer given to the parse call, which must
 *   outlive the struct (the few exceptions, small private-key copies, are
 *   named where they are). Counts are bounded by the MOTE_X509_MAX_*
 *   constants below; input with more is refused with MOTE_ENOSPC, never
 *   silently truncated.
 * - Errors: MOTE_EINVAL malformed (not DER, not RFC 5280), MOTE_ENOTSUP
 *   well-formed but unsupported (an algorithm, an encrypted key, an unknown
 *   critical extension), MOTE_ENOSPC a fixed table full or an output buffer
 *   too small, MOTE_ERANGE a value out of range, MOTE_EMSGSIZE a
 *   certificate larger than MOTE_X509_MAX_DER. Certificate parsing also
 *   leaves a static, human-readable reason in the struct (cert->reason).
 * - The structs can be filled by hand (part 3 builds certificates with
 *   them): mote_x509_cert_encode rebuilds the DER from the fields alone.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mote/crypto.h>
#include <mote/crypto_pk.h>
#include <mote/der.h>

/* A borrowed byte range (ptr NULL and len 0 when absent). */
struct mote_x509_slice {
    const uint8_t *ptr;
    size_t len;
};

/* ---- PEM (RFC 7468)
 * ----------------------------------------------------------
 */

/* One "-----BEGIN label-----" ... "-----END label-----" block found in a
 * text; all pointers point into that text. */
struct mote_pem_block {
    const char *label; /* not NUL-terminated */
    size_t label_len;
    const char *body; /* the base64 text between the lines */
    size_t body_len;
    const char *start; /* the whole block, BEGIN line to END line */
    size_t block_len;
};

/* Iterates the blocks of a text, skipping text between blocks. */
struct mote_pem_iter {
    const char *p;
    size_t len;
};

void mote_pem_iter_init(struct mote_pem_iter *it, const char *text, size_t len);
/* Find the next block: 1 and *b filled, 0 when there are no more,
 * MOTE_EINVAL for a BEGIN line with no matching END (the iterator is then
 * at the end). Only the block framing is checked here. */
int mote_pem_next(struct mote_pem_iter *it, struct mote_pem_block *b);
/* True if the block's label equals label (a NUL-terminated string). */
bool mote_pem_label_is(const struct mote_pem_block *b, const char *label);
/* Strict base64 of the block body into out (cap bytes): whitespace and
 * line breaks anywhere, '=' padding only at the end and only as needed,
 * unused bits of the last character zero. *len gets the decoded length.
 * Errors: MOTE_EINVAL bad character or padding, MOTE_ENOTSUP an RFC 1421
 * header line ("Proc-Type: 4,ENCRYPTED"), MOTE_ENOSPC out too small.
 * The decoded length is at most body_len * 3 / 4. */
int mote_pem_decode(const struct mote_pem_block *b, uint8_t *out, size_t cap,
                    size_t *len);
/* Write a block with label (NUL-terminated) around der (len bytes): 64
 * base64 characters a line, every line ending in "\n". *out_len gets the
 * text length (a NUL is added if there is room, not counted). Returns 0 or
 * MOTE_ENOSPC (with *out_len the size needed). */
int mote_pem_encode(const char *label, const uint8_t *der, size_t len,
                    char *out, size_t cap, size_t *out_len);

/* ---- Keys
 * ----------------------------------------------------------------------
 */

/* Signature algorithms (the functions are below, under Signature
 * algorithms); RSA-PSS keys carry their restrictions in one. */
enum mote_x509_sig_alg {
    MOTE_X509_SIG_NONE = 0,
    MOTE_X509_SIG_RSA_PKCS1, /* sha{1,256,384,512}WithRSAEncryption */
    MOTE_X509_SIG_RSA_PSS,   /* RSASSA-PSS (RFC 4055) */
    MOTE_X509_SIG_ECDSA,     /* ecdsa-with-SHA{256,384,512} */
    MOTE_X509_SIG_ED25519,   /* id-Ed25519 (RFC 8410) */
};

/* An AlgorithmIdentifier for a signature. For RSA PKCS#1 the parameters
 * are NULL (RFC 4055 2.1; absent ones are refused); ECDSA and Ed25519 have
 * none. PSS parameters are parsed (hash SHA-256/384/512, MGF1 with a hash,
 * trailer field 1) and written with their DEFAULT values omitted. */
struct mote_x509_sigalg {
    enum mote_x509_sig_alg alg;
    enum mote_hash_alg hash;     /* digest to sign (NONE for Ed25519) */
    enum mote_hash_alg mgf_hash; /* PSS only */
    size_t salt_len;             /* PSS only */
};

enum mote_x509_key_type {
    MOTE_X509_KEY_NONE = 0,
    MOTE_X509_KEY_RSA,     /* rsaEncryption */
    MOTE_X509_KEY_EC,      /* id-ecPublicKey on P-256 or P-384 */
    MOTE_X509_KEY_ED25519, /* id-Ed25519 (RFC 8410) */
    MOTE_X509_KEY_UNKNOWN, /* another algorithm: only the SPKI is kept */
};

/* A public key. */
struct mote_x509_pubkey {
    enum mote_x509_key_type type;
    enum mote_ec_curve curve;   /* EC only */
    struct mote_rsa_public rsa; /* RSA: n and e as unsigned magnitudes */
    /* EC: the point as in the SPKI (0x04 || X || Y, or compressed);
     * Ed25519: the 32-byte key. */
    const uint8_t *point;
    size_t point_len;
    /* The whole SubjectPublicKeyInfo TLV when parsed (NULL when built by
     * hand); for MOTE_X509_KEY_UNKNOWN the only content. */
    struct mote_x509_slice spki;
    struct mote_x509_slice alg_oid; /* the algorithm OID contents */
    /* RSA keys whose SPKI algorithm is id-RSASSA-PSS (RFC 4055 1.2): the
     * key is an RSAPublicKey (type MOTE_X509_KEY_RSA, rsa set) usable for
     * RSASSA-PSS signatures ONLY; a user must check rsa_pss before any
     * PKCS#1 v1.5 use. With rsa_pss_params the SPKI carried
     * RSASSA-PSS-params, which restrict the key further (RFC 4055 3.3: the
     * same hash and MGF hash, a salt at least pss.salt_len); pss.alg is
     * then MOTE_X509_SIG_RSA_PSS. Without them any PSS parameters go. */
    bool rsa_pss, rsa_pss_params;
    struct mote_x509_sigalg pss;
    /* After MOTE_ENOTSUP or MOTE_EINVAL: a short static reason ("P-521
     * keys are not supported", "X25519 is a key-agreement key, not
     * supported" ...), else NULL. */
    const char *reason;
};

/* Parse a SubjectPublicKeyInfo (exactly one TLV filling der). RSA: the
 * parameters NULL, n positive and 512..8192 bits (the size the crypto
 * core accepts is checked when the key is used), e > 1; RSA-PSS
 * (id-RSASSA-PSS, parameters absent or RSASSA-PSS-params): as RSA with
 * k->rsa_pss set; EC: namedCurve P-256 or P-384 (others MOTE_ENOTSUP), the
 * point checked by mote_ec_check_public; Ed25519: no parameters, 32
 * bytes. An unsupported algorithm (P-521, X25519, X448, Ed448, DSA, any
 * other OID) gives MOTE_ENOTSUP with k->reason naming it, k->type
 * MOTE_X509_KEY_UNKNOWN and k->spki set. */
int mote_x509_pubkey_parse(struct mote_x509_pubkey *k, const uint8_t *der,
                           size_t len);

/* A private key. RSA parts borrow from the input; EC and Ed25519 secrets
 * and their public keys are copied into the struct, so release it with
 * mote_x509_privkey_clear (which wipes them). */
struct mote_x509_privkey {
    enum mote_x509_key_type type;
    enum mote_ec_curve curve;
    struct mote_rsa_private rsa;  /* RSA; also d, below */
    struct mote_x509_slice rsa_d; /* private exponent (unused by mote) */
    uint8_t scalar[MOTE_EC_MAX_SCALAR_LEN]; /* EC private scalar
                                             * (scalar_len bytes) or the
                                             * Ed25519 seed (32 bytes) */
    size_t scalar_len;
    uint8_t pub[MOTE_EC_MAX_POINT_LEN]; /* EC uncompressed point or the
                                         * Ed25519 public key, always set */
    size_t pub_len;
    /* After a failed parse: a short static reason for MOTE_ENOTSUP
     * ("encrypted private key", "P-521 keys are not supported", ...), and
     * for MOTE_EINVAL "malformed private key"; NULL after success. */
    const char *reason;
};

/* Where a private key came from (what mote_x509_privkey_parse found). */
enum mote_x509_key_format {
    MOTE_X509_KEYFMT_NONE = 0,
    MOTE_X509_KEYFMT_PKCS8, /* PrivateKeyInfo / OneAsymmetricKey */
    MOTE_X509_KEYFMT_SEC1,  /* ECPrivateKey (RFC 5915) */
    MOTE_X509_KEYFMT_PKCS1, /* RSAPrivateKey (RFC 8017 A.1.2) */
};

/* Parse a DER private key, recognising PKCS#8 (RFC 5208/5958, version 0
 * or 1), SEC 1 ECPrivateKey and PKCS#1 RSAPrivateKey by their structure
 * (fmt may be NULL). EC: the curve must be P-256 or P-384 (from the
 * parameters, or from PKCS#8's algorithm); if the key carries its public
 * point it must match the scalar; if it does not, it is computed. Ed25519:
 * the public key is computed (and compared when present). RSA: two-prime
 * only, modulus MOTE_RSA_MIN_BITS..MOTE_RSA_MAX_BITS. An encrypted PKCS#8
 * key (EncryptedPrivateKeyInfo) gives MOTE_ENOTSUP. */
int mote_x509_privkey_parse(struct mote_x509_privkey *k, const uint8_t *der,
                            size_t len, enum mote_x509_key_format *fmt);

/* Find the first private key block in a PEM text ("PRIVATE KEY",
 * "EC PRIVATE KEY", "RSA PRIVATE KEY"; "ENCRYPTED PRIVATE KEY" gives
 * MOTE_ENOTSUP), decode it into buf (cap bytes, which the key then
 * borrows) and parse it. MOTE_ENOENT if there is none. */
int mote_x509_privkey_parse_pem(struct mote_x509_privkey *k, const char *pem,
                                size_t pem_len, uint8_t *buf, size_t cap,
                                enum mote_x509_key_format *fmt);

/* The public half of a private key (pointers into k; no spki slice). */
void mote_x509_privkey_public(const struct mote_x509_privkey *k,
                              struct mote_x509_pubkey *pub);

/* Wipe the copied secrets and zero the struct. */
void mote_x509_privkey_clear(struct mote_x509_privkey *k);

/* Write the SubjectPublicKeyInfo of k (RSA, EC or Ed25519 from the fields;
 * UNKNOWN from k->spki) with the writer. */
void mote_x509_pubkey_put(struct mote_der_writer *w,
                          const struct mote_x509_pubkey *k);

/* ---- Signature algorithms
 * ------------------------------------------------------
 */

/* Parse / write an AlgorithmIdentifier TLV. Errors: MOTE_EINVAL
 * malformed, MOTE_ENOTSUP an algorithm not listed above (MD5, SHA-224,
 * ECDSA with SHA-1, ...). */
int mote_x509_sigalg_parse(struct mote_x509_sigalg *a,
                           const struct mote_der_elem *e);
void mote_x509_sigalg_put(struct mote_der_writer *w,
                          const struct mote_x509_sigalg *a);

/* ---- Names
 * -----------------------------------------------------------------------
 */

/* A Name (RFC 5280 4.1.2.4): the whole DER SEQUENCE TLV, checked at parse
 * time (a SEQUENCE OF non-empty SETs of SEQUENCE { OID, value }). Matching
 * two names (bytes, then RFC 5280 7.1) is done by <mote/x509_verify.h>. */
struct mote_x509_name {
    const uint8_t *der;
    size_t len;
};

/* Check a Name TLV (exactly der/len). */
int mote_x509_name_parse(struct mote_x509_name *n, const uint8_t *der,
                         size_t len);

/* One attribute of a name: its type OID (contents), the string tag and
 * contents of its value, and the index of its RDN (0 = first in DER). */
struct mote_x509_attr {
    struct mote_x509_slice oid;
    unsigned tag;
    struct mote_x509_slice value;
    unsigned rdn;
};

struct mote_x509_name_iter {
    struct mote_der rdns, set;
    unsigned rdn;
    bool in_set;
};

void mote_x509_name_iter_init(struct mote_x509_name_iter *it,
                              const struct mote_x509_name *n);
/* 1 and *a filled, 0 at the end, MOTE_EINVAL if malformed. */
int mote_x509_name_next(struct mote_x509_name_iter *it,
                        struct mote_x509_attr *a);

/* RFC 4514 text ("CN=example.com,O=Example,C=US": RDNs in reverse order,
 * multi-valued RDNs joined by '+', known short names, other types as
 * dotted OIDs with a #hex value, special characters escaped). Returns the
 * length written (NUL added), MOTE_ENOSPC if cap is too small. BMPString
 * values are converted to UTF-8; other strings are copied as bytes. */
int mote_x509_name_to_text(const struct mote_x509_name *n, char *out,
                           size_t cap);

/* ---- General names (RFC 5280 4.2.1.6)
 * ----------------------------------------
 */

enum mote_x509_gn_type {
    MOTE_X509_GN_OTHER = 0, /* [0] otherName, raw TLV contents */
    MOTE_X509_GN_EMAIL = 1, /* [1] rfc822Name, IA5 */
    MOTE_X509_GN_DNS = 2,   /* [2] dNSName, IA5 */
    MOTE_X509_GN_X400 = 3,  /* [3] x400Address, raw */
    MOTE_X509_GN_DIR = 4,   /* [4] directoryName: val is the Name TLV */
    MOTE_X509_GN_EDI = 5,   /* [5] ediPartyName, raw */
    MOTE_X509_GN_URI = 6,   /* [6] uniformResourceIdentifier, IA5 */
    MOTE_X509_GN_IP = 7,    /* [7] iPAddress: 4 or 16 bytes (name
                             * constraints: 8 or 32, address then mask) */
    MOTE_X509_GN_RID = 8,   /* [8] registeredID: OID contents */
};

struct mote_x509_gn {
    enum mote_x509_gn_type type;
    const uint8_t *val;
    size_t len;
};

/* ---- Certificates (RFC 5280 section 4)
 * ---------------------------------------
 */

#define MOTE_X509_MAX_EXTS        32  /* extensions in one certificate */
#define MOTE_X509_MAX_SAN         128 /* subject alternative names */
#define MOTE_X509_MAX_NC          16  /* permitted, and excluded, subtrees */
#define MOTE_X509_MAX_EKU         16  /* extended key usage OIDs */
#define MOTE_X509_MAX_POLICIES    16  /* certificate policies */
#define MOTE_X509_MAX_DP          8   /* CRL distribution points */
#define MOTE_X509_MAX_AIA         8   /* authority information access */
#define MOTE_X509_MAX_SIA         8   /* subject information access */
#define MOTE_X509_MAX_IAN         16  /* issuer alternative names */
#define MOTE_X509_MAX_POLICY_MAPS 16  /* policy mappings */
#define MOTE_X509_MAX_DER         (64 * 1024) /* largest certificate accepted */

/* The extensions this parser knows; others are MOTE_X509_EXT_OTHER. */
enum mote_x509_ext_id {
    MOTE_X509_EXT_OTHER = 0,
    MOTE_X509_EXT_BASIC_CONSTRAINTS,  /* 2.5.29.19 */
    MOTE_X509_EXT_KEY_USAGE,          /* 2.5.29.15 */
    MOTE_X509_EXT_EXT_KEY_USAGE,      /* 2.5.29.37 */
    MOTE_X509_EXT_SUBJECT_ALT_NAME,   /* 2.5.29.17 */
    MOTE_X509_EXT_NAME_CONSTRAINTS,   /* 2.5.29.30 */
    MOTE_X509_EXT_AUTHORITY_KEY_ID,   /* 2.5.29.35 */
    MOTE_X509_EXT_SUBJECT_KEY_ID,     /* 2.5.29.14 */
    MOTE_X509_EXT_CERT_POLICIES,      /* 2.5.29.32 */
    MOTE_X509_EXT_CRL_DIST_POINTS,    /* 2.5.29.31 */
    MOTE_X509_EXT_AUTHORITY_INFO,     /* 1.3.6.1.5.5.7.1.1 */
    MOTE_X509_EXT_POLICY_MAPPINGS,    /* 2.5.29.33 */
    MOTE_X509_EXT_POLICY_CONSTRAINTS, /* 2.5.29.36 */
    MOTE_X509_EXT_INHIBIT_ANY_POLICY, /* 2.5.29.54 */
    MOTE_X509_EXT_ISSUER_ALT_NAME,    /* 2.5.29.18 */
    MOTE_X509_EXT_SUBJECT_INFO,       /* 1.3.6.1.5.5.7.1.11 */
    MOTE_X509_EXT_SCT_LIST,           /* 1.3.6.1.4.1.11129.2.4.2 (RFC 6962) */
    MOTE_X509_EXT_COUNT_
};

/* One extension, in certificate order. For a known id the value is
 * rebuilt from the cert's fields by mote_x509_cert_encode (oid and value
 * may then be left empty when filling by hand); for MOTE_X509_EXT_OTHER it
 * is written from oid (contents) and value (the extnValue contents). */
struct mote_x509_ext {
    enum mote_x509_ext_id id;
    bool critical;
    struct mote_x509_slice oid;
    struct mote_x509_slice value;
};

/* Key usage bits (RFC 5280 4.2.1.3), bit n of the BIT STRING = 1 << n. */
#define MOTE_X509_KU_DIGITAL_SIGNATURE 0x001u
#define MOTE_X509_KU_NON_REPUDIATION   0x002u
#define MOTE_X509_KU_KEY_ENCIPHERMENT  0x004u
#define MOTE_X509_KU_DATA_ENCIPHERMENT 0x008u
#define MOTE_X509_KU_KEY_AGREEMENT     0x010u
#define MOTE_X509_KU_KEY_CERT_SIGN     0x020u
#define MOTE_X509_KU_CRL_SIGN          0x040u
#define MOTE_X509_KU_ENCIPHER_ONLY     0x080u
#define MOTE_X509_KU_DECIPHER_ONLY     0x100u

/* Extended key usage flags (RFC 5280 4.2.1.12) for the common purposes;
 * every OID is also in eku[]. */
#define MOTE_X509_EKU_SERVER_AUTH      0x01u
#define MOTE_X509_EKU_CLIENT_AUTH      0x02u
#define MOTE_X509_EKU_CODE_SIGNING     0x04u
#define MOTE_X509_EKU_EMAIL_PROTECTION 0x08u
#define MOTE_X509_EKU_TIME_STAMPING    0x10u
#define MOTE_X509_EKU_OCSP_SIGNING     0x20u
#define MOTE_X509_EKU_ANY              0x40u /* anyExtendedKeyUsage */

/* A certificate policy: its OID and, if present, the policyQualifiers
 * SEQUENCE TLV (kept raw). */
struct mote_x509_policy {
    struct mote_x509_slice oid;
    struct mote_x509_slice qualifiers;
};

/* A policy mapping (RFC 5280 4.2.1.5): OID contents. */
struct mote_x509_policy_map {
    struct mote_x509_slice issuer_domain;
    struct mote_x509_slice subject_domain;
};

/* A CRL distribution point: the first URI of its fullName (if any), and
 * the whole DistributionPoint TLV when parsed. The encoder writes raw when
 * set, else SEQUENCE { [0] { [0] { URI } } } from uri. */
struct mote_x509_crldp {
    struct mote_x509_slice uri;
    struct mote_x509_slice raw;
};

/* An AccessDescription (RFC 5280 4.2.2.1). */
#define MOTE_X509_AIA_OTHER      0
#define MOTE_X509_AIA_OCSP       1
#define MOTE_X509_AIA_CA_ISSUERS 2
/* subjectInfoAccess methods (RFC 5280 4.2.2.2) */
#define MOTE_X509_SIA_CA_REPOSITORY 3
#define MOTE_X509_SIA_TIME_STAMPING 4
struct mote_x509_access {
    int method;                 /* MOTE_X509_AIA_* */
    struct mote_x509_slice oid; /* the method OID contents */
    struct mote_x509_gn location;
};

struct mote_x509_cert {
    /* As parsed: the whole certificate, the TBSCertificate TLV, the
     * signature algorithm and value (BIT STRING octets). */
    struct mote_x509_slice der;
    struct mote_x509_slice tbs;
    struct mote_x509_sigalg sig_alg; /* equal in TBS and outside */
    struct mote_x509_slice sig;

    int version; /* 1, 2 or 3 */
    /* INTEGER contents, as encoded (two's complement; see docs/x509.md
     * for negative serials). */
    struct mote_x509_slice serial;
    struct mote_x509_name issuer, subject;
    int64_t not_before, not_after; /* seconds since the epoch */
    /* The time tags as parsed (MOTE_DER_UTC_TIME or _GENERALIZED_TIME);
     * 0 when filling by hand lets the encoder choose per RFC 5280. */
    unsigned not_before_tag, not_after_tag;
    struct mote_x509_pubkey pubkey;
    /* issuerUniqueID / subjectUniqueID BIT STRING octets and unused bits
     * (v2/v3 only; parsed and kept, never used). */
    struct mote_x509_slice issuer_uid, subject_uid;
    unsigned issuer_uid_unused, subject_uid_unused;

    /* Extensions in order, and per known extension its index in exts
     * (-1 if absent): ext_index[MOTE_X509_EXT_KEY_USAGE] ... */
    struct mote_x509_ext exts[MOTE_X509_MAX_EXTS];
    unsigned ext_count;
    int ext_index[MOTE_X509_EXT_COUNT_];

    /* basicConstraints: ca, and path_len (-1 when absent). */
    bool ca;
    int path_len;
    /* keyUsage bits (MOTE_X509_KU_*); 0 when absent (check ext_index). */
    unsigned key_usage;
    /* The bit count of the keyUsage BIT STRING as parsed, when it kept
     * trailing zero bits (not DER, but in real roots: see docs/x509.md);
     * 0 writes the minimal form. */
    unsigned key_usage_nbits;
    /* extKeyUsage */
    struct mote_x509_slice eku[MOTE_X509_MAX_EKU];
    unsigned eku_count;
    unsigned eku_flags; /* MOTE_X509_EKU_* */
    /* subjectAltName, in order */
    struct mote_x509_gn san[MOTE_X509_MAX_SAN];
    unsigned san_count;
    /* nameConstraints: subtree bases (minimum 0 and no maximum, as RFC
     * 5280 4.2.1.10 requires; others are refused) */
    struct mote_x509_gn nc_permitted[MOTE_X509_MAX_NC];
    unsigned nc_permitted_count;
    struct mote_x509_gn nc_excluded[MOTE_X509_MAX_NC];
    unsigned nc_excluded_count;
    bool nc_has_permitted, nc_has_excluded; /* the [0] / [1] present */
    /* authorityKeyIdentifier: keyIdentifier, and the rarely used
     * authorityCertIssuer ([1] contents, raw GeneralNames) and
     * authorityCertSerialNumber ([2] contents) */
    struct mote_x509_slice aki_key_id, aki_issuer, aki_serial;
    /* subjectKeyIdentifier */
    struct mote_x509_slice ski;
    /* certificatePolicies */
    struct mote_x509_policy policies[MOTE_X509_MAX_POLICIES];
    unsigned policy_count;
    /* cRLDistributionPoints */
    struct mote_x509_crldp crldp[MOTE_X509_MAX_DP];
    unsigned crldp_count;
    /* authorityInfoAccess */
    struct mote_x509_access aia[MOTE_X509_MAX_AIA];
    unsigned aia_count;

    /* policyMappings (4.2.1.5): issuerDomainPolicy -> subjectDomainPolicy
     * OID contents, in order (anyPolicy on either side is refused). */
    struct mote_x509_policy_map policy_maps[MOTE_X509_MAX_POLICY_MAPS];
    unsigned policy_map_count;
    /* policyConstraints (4.2.1.11): requireExplicitPolicy and
     * inhibitPolicyMapping SkipCerts, -1 when absent (at least one is
     * present); inhibitAnyPolicy (4.2.1.14): SkipCerts, -1 when absent.
     * Values are 0..INT32_MAX (larger ones are refused, MOTE_ERANGE). */
    int require_explicit_policy, inhibit_policy_mapping;
    int inhibit_any_policy;
    /* issuerAltName (4.2.1.7), in order */
    struct mote_x509_gn ian[MOTE_X509_MAX_IAN];
    unsigned ian_count;
    /* subjectInfoAccess (4.2.2.2): method MOTE_X509_SIA_* (or _AIA_OTHER)
     * and location (usually a URI) */
    struct mote_x509_access sia[MOTE_X509_MAX_SIA];
    unsigned sia_count;
    /* Signed certificate timestamps (RFC 6962 3.3): the
     * SignedCertificateTimestampList (the inner OCTET STRING's contents,
     * TLS-encoded), its framing checked, kept raw. */
    struct mote_x509_slice sct_list;

    /* After a failed parse: a short static reason ("unknown critical
     * extension", "trailing bytes after extensions" ...), else NULL. */
    const char *reason;
};

/* Parse a DER certificate (der, len bytes, borrowed; at most
 * MOTE_X509_MAX_DER). Checks the DER, the RFC 5280 structure (version
 * rules, equal inner and outer signature algorithm, extension rules) and
 * parses the public key; does NOT verify the signature, the validity
 * period or anything about the chain (see <mote/x509_verify.h>). A public
 * key of an unsupported algorithm does not fail the parse: pubkey.type is
 * then MOTE_X509_KEY_UNKNOWN. Errors as in the conventions; cert->reason
 * says why. */
int mote_x509_cert_parse(struct mote_x509_cert *cert, const uint8_t *der,
                         size_t len);

/* Prepare a certificate to be filled by hand: zeroes it, version 3,
 * path_len, require_explicit_policy, inhibit_policy_mapping and
 * inhibit_any_policy -1, every ext_index -1. */
void mote_x509_cert_init(struct mote_x509_cert *cert);

/* Append an extension entry of a known id (its value comes from the
 * fields). MOTE_ENOSPC when full, MOTE_EINVAL if already present. */
int mote_x509_cert_add_ext(struct mote_x509_cert *cert,
                           enum mote_x509_ext_id id, bool critical);

/* Write the TBSCertificate rebuilt from the fields (not copied from tbs)
 * with the writer; the caller then signs the bytes. */
void mote_x509_tbs_put(struct mote_der_writer *w,
                       const struct mote_x509_cert *cert);

/* Write the whole Certificate: the rebuilt TBS, sig_alg and sig. Returns
 * 0 and *len, or MOTE_ENOSPC with *len the size needed, or the writer's
 * other errors. */
int mote_x509_cert_encode(const struct mote_x509_cert *cert, uint8_t *out,
                          size_t cap, size_t *len);

/* Find the next "CERTIFICATE" PEM block from it, decode it into buf (cap
 * bytes) and parse it into cert (which borrows buf). 1 when a certificate
 * was parsed, 0 when there are no more, negative on error (the iterator
 * has then moved past the bad block, so a bundle can be read on past a
 * certificate Mote refuses; a broken PEM frame ends the iteration). */
int mote_x509_cert_next_pem(struct mote_pem_iter *it,
                            struct mote_x509_cert *cert, uint8_t *buf,
                            size_t cap);

/* The rest of the x509 library: verification (path validation, server
 * identity, trust store) and generation (keys, certificates, CSRs). They
 * include this header first, so the types above are complete there. */
#include <mote/x509_gen.h>
#include <mote/x509_verify.h>

#endif

/* x509 internals: OID constants and helpers shared by the parser files. */
#ifndef MOTE_X509_INT_H
#define MOTE_X509_INT_H

/*
 * IMPLEMENTATION NOTES
 *
 * Files: der.c (reader), der_write.c (writer), pem.c, oid.c (OID tables),
 * key.c (SPKI, PKCS#8, SEC 1, PKCS#1), cert.c (Certificate, TBS,
 * AlgorithmIdentifier), cert_name.c (Name checks, iteration, RFC 4514
 * text), ext.c (extensions: parse and encode), cert_encode.c (TBS
 * rebuilt from the fields).
 *
 * OIDs are kept as their DER contents (no tag, no length) in string
 * literals; X509_OID(name) gives pointer and length for mote_der_oid_eq
 * and mote_der_put_oid. Parts 2 and 3 may include this header read-only.
 *
 * Certificate layout (RFC 5280 4.1), as the parser walks it:
 *
 *   Certificate SEQUENCE
 *     tbsCertificate SEQUENCE
 *       [0] EXPLICIT version INTEGER DEFAULT v1      (0 = v1 .. 2 = v3)
 *       serialNumber INTEGER
 *       signature AlgorithmIdentifier
 *       issuer Name
 *       validity SEQUENCE { notBefore Time, notAfter Time }
 *       subject Name
 *       subjectPublicKeyInfo SEQUENCE { AlgorithmIdentifier, BIT STRING }
 *       [1] IMPLICIT issuerUniqueID BIT STRING OPTIONAL    (v2, v3)
 *       [2] IMPLICIT subjectUniqueID BIT STRING OPTIONAL   (v2, v3)
 *       [3] EXPLICIT extensions SEQUENCE SIZE (1..MAX) OF Extension (v3)
 *     signatureAlgorithm AlgorithmIdentifier
 *     signatureValue BIT STRING
 *
 *   Extension SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE,
 *                        extnValue OCTET STRING (DER of the value) }
 */

#include <mote/der.h>
#include <mote/x509.h>

#define X509_OID(lit) ((const uint8_t *)(lit)), (sizeof(lit) - 1)

/* Public-key algorithms and curves. */
#define OID_RSA_ENCRYPTION "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01"
#define OID_EC_PUBLIC_KEY  "\x2a\x86\x48\xce\x3d\x02\x01"
#define OID_P256           "\x2a\x86\x48\xce\x3d\x03\x01\x07"
#define OID_P384           "\x2b\x81\x04\x00\x22"
#define OID_ED25519        "\x2b\x65\x70"
/* Recognised only to refuse them with a reason. */
#define OID_P521   "\x2b\x81\x04\x00\x23"
#define OID_X25519 "\x2b\x65\x6e"
#define OID_X448   "\x2b\x65\x6f"
#define OID_ED448  "\x2b\x65\x71"
#define OID_DSA    "\x2a\x86\x48\xce\x38\x04\x01"

/* Signature algorithms. */
#define OID_SHA1_RSA     "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x05"
#define OID_SHA256_RSA   "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b"
#define OID_SHA384_RSA   "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0c"
#define OID_SHA512_RSA   "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0d"
#define OID_RSA_PSS      "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0a"
#define OID_MGF1         "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x08"
#define OID_ECDSA_SHA256 "\x2a\x86\x48\xce\x3d\x04\x03\x02"
#define OID_ECDSA_SHA384 "\x2a\x86\x48\xce\x3d\x04\x03\x03"
#define OID_ECDSA_SHA512 "\x2a\x86\x48\xce\x3d\x04\x03\x04"

/* Hashes (NIST, 2.16.840.1.101.3.4.2.x) and SHA-1 (1.3.14.3.2.26). */
#define OID_SHA1   "\x2b\x0e\x03\x02\x1a"
#define OID_SHA256 "\x60\x86\x48\x01\x65\x03\x04\x02\x01"
#define OID_SHA384 "\x60\x86\x48\x01\x65\x03\x04\x02\x02"
#define OID_SHA512 "\x60\x86\x48\x01\x65\x03\x04\x02\x03"

/* PKCS#8 encrypted keys (PBES2), recognised only to refuse them. */
#define OID_PBES2 "\x2a\x86\x48\x86\xf7\x0d\x01\x05\x0d"

/* Extensions (2.5.29.x) and AIA (1.3.6.1.5.5.7.1.1). */
#define OID_EXT_SKI                "\x55\x1d\x0e"
#define OID_EXT_KU                 "\x55\x1d\x0f"
#define OID_EXT_SAN                "\x55\x1d\x11"
#define OID_EXT_BC                 "\x55\x1d\x13"
#define OID_EXT_NC                 "\x55\x1d\x1e"
#define OID_EXT_CRLDP              "\x55\x1d\x1f"
#define OID_EXT_POLICIES           "\x55\x1d\x20"
#define OID_EXT_AKI                "\x55\x1d\x23"
#define OID_EXT_EKU                "\x55\x1d\x25"
#define OID_EXT_AIA                "\x2b\x06\x01\x05\x05\x07\x01\x01"
#define OID_EXT_IAN                "\x55\x1d\x12"
#define OID_EXT_POLICY_MAPPINGS    "\x55\x1d\x21"
#define OID_EXT_POLICY_CONSTRAINTS "\x55\x1d\x24"
#define OID_EXT_INHIBIT_ANY        "\x55\x1d\x36"
#define OID_EXT_SIA                "\x2b\x06\x01\x05\x05\x07\x01\x0b"
#define OID_EXT_SCT                "\x2b\x06\x01\x04\x01\xd6\x79\x02\x04\x02"
#define OID_ANY_POLICY             "\x55\x1d\x20\x00"

/* Extended key usages (1.3.6.1.5.5.7.3.x) and anyExtendedKeyUsage. */
#define OID_KP_SERVER_AUTH  "\x2b\x06\x01\x05\x05\x07\x03\x01"
#define OID_KP_CLIENT_AUTH  "\x2b\x06\x01\x05\x05\x07\x03\x02"
#define OID_KP_CODE_SIGNING "\x2b\x06\x01\x05\x05\x07\x03\x03"
#define OID_KP_EMAIL        "\x2b\x06\x01\x05\x05\x07\x03\x04"
#define OID_KP_TIMESTAMP    "\x2b\x06\x01\x05\x05\x07\x03\x08"
#define OID_KP_OCSP         "\x2b\x06\x01\x05\x05\x07\x03\x09"
#define OID_ANY_EKU         "\x55\x1d\x25\x00"

/* Access methods (1.3.6.1.5.5.7.48.x). */
#define OID_AD_OCSP          "\x2b\x06\x01\x05\x05\x07\x30\x01"
#define OID_AD_CA_ISSUERS    "\x2b\x06\x01\x05\x05\x07\x30\x02"
#define OID_AD_TIME_STAMPING "\x2b\x06\x01\x05\x05\x07\x30\x03"
#define OID_AD_CA_REPOSITORY "\x2b\x06\x01\x05\x05\x07\x30\x05"

/* The extension table (oid.c): id <-> OID contents. */
struct x509__ext_def {
    enum mote_x509_ext_id id;
    const uint8_t *oid;
    size_t oid_len;
};
const struct x509__ext_def *x509__ext_by_oid(const struct mote_der_elem *oid);
const struct x509__ext_def *x509__ext_by_id(enum mote_x509_ext_id id);

/* Parse the SPKI at the cursor (one SEQUENCE) into k. */
int x509__spki_read(struct mote_der *d, struct mote_x509_pubkey *k);

/* Extensions (ext.c): parse the [3] contents into cert / write them. */
int x509__exts_parse(struct mote_x509_cert *cert, struct mote_der *exts);
void x509__exts_put(struct mote_der_writer *w,
                    const struct mote_x509_cert *cert);
/* A GeneralName TLV (e) into gn; subtree says it is a name constraint
 * base (IP gets address and mask). */
int x509__gn_parse(const struct mote_der *parent, const struct mote_der_elem *e,
                   struct mote_x509_gn *gn, bool subtree);
void x509__gn_put(struct mote_der_writer *w, const struct mote_x509_gn *gn);

#endif

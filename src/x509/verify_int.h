/* Internal interfaces of X.509 verification (name.c, trust.c, chain.c,
 * verify.c). */
#ifndef MOTE_X509_VERIFY_INT_H
#define MOTE_X509_VERIFY_INT_H

/*
 * IMPLEMENTATION NOTES
 *
 * chain.c builds paths, verify.c validates one path and checks signatures,
 * trust.c keeps anchors, name.c matches names.
 *
 * A path is a list of node indices into work->nodes (leaf first, the
 * bundle after it); anchors are not nodes but records of the trust store,
 * so a path that reaches one is validated with the anchor passed beside
 * it, and the result gets the anchor's DER as its last slice.
 *
 * Signature checks are the only expensive step (tens of microseconds each);
 * everything else is byte comparison. The work counter bounds signature
 * checks, so a hostile bundle (many certificates with the same name) cannot
 * make the search exponential.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mote/x509_verify.h>

/* name.c: name-constraint matchers (RFC 5280 4.2.1.10). */
bool x509__nc_dns_within(const uint8_t *c, size_t clen, const uint8_t *name,
                         size_t nlen);
bool x509__nc_dns_overlaps(const uint8_t *c, size_t clen, const uint8_t *name,
                           size_t nlen);
bool x509__nc_ip_within(const uint8_t *c, size_t clen, const uint8_t *ip,
                        size_t iplen);
bool x509__nc_email_within(const uint8_t *c, size_t clen, const uint8_t *addr,
                           size_t alen);

/* name.c: do two Names match (RFC 5280 7.1)? Equal bytes, or the same
 * RDNs and attribute types with string values equal after RFC 4518's
 * insignificant-space handling and ASCII case folding (any of the string
 * types; non-ASCII bytes compare exactly). */
bool x509__name_match(const struct mote_x509_name *a,
                      const struct mote_x509_name *b);

/* name.c: a hash equal for names x509__name_match finds equal. */
uint32_t x509__name_norm_hash(const struct mote_x509_name *n);

/* trust.c */
uint32_t x509__name_hash(const struct mote_x509_name *n);

/* verify.c: check that sig over tbs was made by key with alg. Returns
 * MOTE_X509_OK, MOTE_X509_BAD_SIGNATURE or MOTE_X509_UNSUPPORTED_ALG. */
enum mote_x509_reason x509__check_sig(const struct mote_x509_pubkey *key,
                                      const struct mote_x509_sigalg *alg,
                                      struct mote_x509_slice tbs,
                                      struct mote_x509_slice sig);

/* verify_sigcache.c: x509__check_sig through cache c (may be NULL). */
enum mote_x509_reason x509__check_sig_cached(struct mote_x509_sigcache *c,
                                             const struct mote_x509_pubkey *key,
                                             const struct mote_x509_sigalg *alg,
                                             struct mote_x509_slice tbs,
                                             struct mote_x509_slice sig);

/* verify.c: 0 if Mote can verify signatures with key k (RSA, EC, Ed25519;
 * an id-RSASSA-PSS key is converted to RSA in place), else MOTE_ENOTSUP. */
int x509__pubkey_usable(struct mote_x509_pubkey *k);

/* verify.c: the reason for a failed mote_x509_cert_parse. */
enum mote_x509_reason x509__parse_reason(int err,
                                         const struct mote_x509_cert *c);

/* verify.c: validate the path (RFC 5280 6.1) whose certificates are
 * nodes[path[0..n-1]] (leaf first) under anchor a. Returns the reason and
 * sets *depth. Uses work->scratch. */
enum mote_x509_reason x509__validate(struct mote_x509_verify_work *work,
                                     const unsigned *path, unsigned n,
                                     const struct mote_x509_anchor *a,
                                     const struct mote_x509_verify_opts *o,
                                     int *depth);

/* verify_policy.c: certificate policy processing (RFC 5280 6.1, with the
 * policy graph of RFC 9618) over the path nodes[path[0..n-1]] (leaf
 * first). Returns MOTE_X509_OK or MOTE_X509_POLICY and sets *depth. Uses
 * work->scratch and work->policy. */
enum mote_x509_reason x509__policy_check(struct mote_x509_verify_work *work,
                                         const unsigned *path, unsigned n,
                                         const struct mote_x509_verify_opts *o,
                                         int *depth);

#endif

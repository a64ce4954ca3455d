/* X.509 generation: private declarations shared by keywrite.c, gen.c and
 * csr.c. */
#ifndef MOTE_X509_GEN_INT_H
#define MOTE_X509_GEN_INT_H

#include <mote/der.h>
#include <mote/x509.h>
#include <mote/x509_gen.h>

/*
 * IMPLEMENTATION NOTES
 *
 * Object identifiers are kept as their DER contents (no tag or length),
 * the form mote_der_put_oid and mote_der_oid_eq take.
 *
 * A certificate or CSR is written in one forward pass with the DER writer:
 *
 *     SEQUENCE {                 <- outer, left open
 *       SEQUENCE { ... }         <- TBS: closed, then signed in place
 *       AlgorithmIdentifier
 *       BIT STRING signature
 *     }
 *
 * The TBS bytes are final once its end() has patched their length, so the
 * signature is computed over w.buf[tbs_start .. w.len) before the outer
 * end() moves the whole thing up for its long-form length. When the buffer
 * is too small (or absent, to measure) the signature is replaced by a
 * placeholder of the algorithm's longest length, so the size reported is
 * an upper bound.
 */

/* Longest signature (RSA-4096). */
#define X509G_SIG_MAX MOTE_RSA_MAX_LEN

/* Resolve alg (NULL or NONE: the key's default) and check it fits k. */
int x509__gen_sigalg(const struct mote_x509_privkey *k,
                     const struct mote_x509_sigalg *alg,
                     struct mote_x509_sigalg *out);

/* Longest signature value for k under alg (bytes). */
size_t x509__gen_sig_max(const struct mote_x509_privkey *k,
                         const struct mote_x509_sigalg *alg);

/* Finish a signed structure: w holds an open outer SEQUENCE whose first
 * element, the TBS, spans w->buf[tbs_start .. w->len). Appends the
 * algorithm and the signature (or a placeholder when w has no room) and
 * closes the outer SEQUENCE. Returns 0 or a signing error; the writer's own
 * errors come out of mote_der_writer_finish. */
int x509__gen_sign_close(struct mote_der_writer *w, size_t tbs_start,
                         const struct mote_x509_privkey *k,
                         const struct mote_x509_sigalg *alg, mote_pk_rng_fn rng,
                         void *rng_ctx);

/* A Name into an open writer; MOTE_EINVAL for a bad attribute. */
int x509__gen_put_name(struct mote_der_writer *w,
                       const struct mote_x509_gen_name *n);

/* Check one SAN entry; MOTE_EINVAL if it is bad. */
int x509__gen_check_san(const struct mote_x509_gen_san *s);

/* GeneralNames (SEQUENCE OF GeneralName) for a SAN list, checked. */
int x509__gen_put_general_names(struct mote_der_writer *w,
                                const struct mote_x509_gen_san *san, size_t n);

/* Turn the writer's result into this API's convention. */
int x509__gen_finish(const struct mote_der_writer *w, size_t *len);

/* The subjectPublicKey bits of a DER SubjectPublicKeyInfo. */
int x509__gen_spki_bits(const uint8_t *spki, size_t len, const uint8_t **bits,
                        size_t *nbits);

#endif

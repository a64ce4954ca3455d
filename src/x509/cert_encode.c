/* Certificate encoder: the TBS rebuilt from the parsed (or hand-filled)
 * fields with the DER writer, never copied from cert->tbs. */
#include <mote/error.h>
#include <mote/x509.h>

#include "x509_int.h"

void mote_x509_tbs_put(struct mote_der_writer *w,
                       const struct mote_x509_cert *cert)
{
    mote_der_put_begin(w, MOTE_DER_SEQUENCE);
    if (cert->version != 1) {
        mote_der_put_begin(w, MOTE_DER_CTX_CONS(0));
        mote_der_put_int64(w, cert->version - 1);
        mote_der_put_end(w);
    }
    /* The serial as its INTEGER contents (two's complement, as parsed). */
    mote_der_put_tlv(w, MOTE_DER_INTEGER, cert->serial.ptr, cert->serial.len);
    mote_x509_sigalg_put(w, &cert->sig_alg);
    mote_der_put_raw(w, cert->issuer.der, cert->issuer.len);
    mote_der_put_begin(w, MOTE_DER_SEQUENCE);
    mote_der_put_time(w, cert->not_before_tag, cert->not_before);
    mote_der_put_time(w, cert->not_after_tag, cert->not_after);
    mote_der_put_end(w);
    mote_der_put_raw(w, cert->subject.der, cert->subject.len);
    mote_x509_pubkey_put(w, &cert->pubkey);
    if (cert->issuer_uid.ptr) {
        mote_der_put_begin(w, MOTE_DER_CTX(1));
        uint8_t u = (uint8_t)cert->issuer_uid_unused;
        mote_der_put_raw(w, &u, 1);
        mote_der_put_raw(w, cert->issuer_uid.ptr, cert->issuer_uid.len);
        mote_der_put_end(w);
    }
    if (cert->subject_uid.ptr) {
        mote_der_put_begin(w, MOTE_DER_CTX(2));
        uint8_t u = (uint8_t)cert->subject_uid_unused;
        mote_der_put_raw(w, &u, 1);
        mote_der_put_raw(w, cert->subject_uid.ptr, cert->subject_uid.len);
        mote_der_put_end(w);
    }
    if (cert->ext_count > 0) {
        mote_der_put_begin(w, MOTE_DER_CTX_CONS(3));
        mote_der_put_begin(w, MOTE_DER_SEQUENCE);
        x509__exts_put(w, cert);
        mote_der_put_end(w);
        mote_der_put_end(w);
    }
    mote_der_put_end(w);
}

int mote_x509_cert_encode(const struct mote_x509_cert *cert, uint8_t *out,
                          size_t cap, size_t *len)
{
    struct mote_der_writer w;
    mote_der_writer_init(&w, out, cap);
    mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
    mote_x509_tbs_put(&w, cert);
    mote_x509_sigalg_put(&w, &cert->sig_alg);
    mote_der_put_bits(&w, cert->sig.ptr, cert->sig.len, 0);
    mote_der_put_end(&w);
    return mote_der_writer_finish(&w, len);
}

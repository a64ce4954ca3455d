/* libFuzzer target: certificate parsing; whatever parses must re-encode to
 * exactly the input, and its names must iterate and print. Also runs the
 * key parsers and PEM on the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mote/error.h>
#include <mote/x509.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct mote_x509_cert cert;
static uint8_t out[MOTE_X509_MAX_DER + 1024];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len;
    if (mote_x509_cert_parse(&cert, data, size) == 0) {
        if (mote_x509_cert_encode(&cert, out, sizeof out, &len) != 0 ||
            len != size || memcmp(out, data, size) != 0)
            abort();
        char text[256];
        mote_x509_name_to_text(&cert.subject, text, sizeof text);
        mote_x509_name_to_text(&cert.issuer, text, sizeof text);
        for (unsigned i = 0; i < cert.san_count; i++)
            if (cert.san[i].type == MOTE_X509_GN_DIR) {
                struct mote_x509_name n;
                if (mote_x509_name_parse(&n, cert.san[i].val,
                                         cert.san[i].len) != 0)
                    abort();
            }
    } else if (!cert.reason) {
        abort(); /* every refusal says why */
    }
    struct mote_x509_privkey k;
    if (mote_x509_privkey_parse(&k, data, size, NULL) != 0 && !k.reason)
        abort(); /* every refusal says why */
    mote_x509_privkey_clear(&k);
    struct mote_x509_pubkey pk;
    int err = mote_x509_pubkey_parse(&pk, data, size);
    if (err != 0 && !pk.reason)
        abort();
    if (err == 0) {
        /* A supported SPKI (RSA-PSS parameters included) is written back
         * identically. */
        struct mote_der_writer w;
        mote_der_writer_init(&w, out, sizeof out);
        mote_x509_pubkey_put(&w, &pk);
        if (mote_der_writer_finish(&w, &len) != 0 || len != size ||
            memcmp(out, data, size) != 0)
            abort();
    }
    /* The same bytes as PEM text. */
    struct mote_pem_iter it;
    struct mote_pem_block b;
    mote_pem_iter_init(&it, (const char *)data, size);
    while (mote_pem_next(&it, &b) == 1)
        mote_pem_decode(&b, out, sizeof out, &len);
    return 0;
}

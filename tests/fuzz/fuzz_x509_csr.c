/* Fuzz the PKCS#10 parser (mote_x509_csr_parse). Whatever it accepts must
 * be issuable: a certificate made from it by a fixed CA parses back with
 * the request's subject, key and names. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mote/error.h>
#include <mote/x509.h>
#include <mote/x509_gen.h>

/* Deterministic, so a crash reproduces: a counter stream. */
static int det_rng(void *ctx, uint8_t *buf, size_t len)
{
    static uint8_t c;
    (void)ctx;
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(++c * 151u + 7u);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mote_x509_csr csr;
    static struct mote_x509_cert cert;
    static struct mote_x509_privkey ca;
    static uint8_t out[MOTE_X509_CSR_MAX + 4096];
    static const uint8_t ca_name[] = {0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b,
                                      0x06, 0x03, 0x55, 0x04, 0x03, 0x0c,
                                      0x04, 'M',  'o',  't',  'e'};
    if (ca.type == MOTE_X509_KEY_NONE &&
        mote_x509_gen_key(&ca, MOTE_X509_GEN_KEY_ED25519, det_rng, NULL) != 0)
        abort();

    int err = mote_x509_csr_parse(&csr, data, size);
    if (err != 0) {
        if (err > 0 || !csr.reason)
            abort(); /* every refusal says why */
        return 0;
    }
    if (csr.info.len > size || csr.subject.len > csr.info.len)
        abort();

    struct mote_x509_gen_cert t;
    memset(&t, 0, sizeof(t));
    t.not_before = 1700000000;
    t.not_after = 1800000000;
    t.path_len = -1;
    struct mote_x509_gen_issuer is = {
        .name = ca_name, .name_len = sizeof(ca_name), .key = &ca};
    size_t len;
    err = mote_x509_gen_cert_from_csr(&csr, &t, &is, out, sizeof(out), &len,
                                      det_rng, NULL);
    if (err == MOTE_EINVAL || err == MOTE_ENOTSUP)
        return 0; /* e.g. an empty subject without names: not issuable */
    if (err != 0)
        abort();
    if (mote_x509_cert_parse(&cert, out, len) != 0)
        abort();
    if (cert.subject.len != csr.subject.len ||
        memcmp(cert.subject.der, csr.subject.der, csr.subject.len) != 0 ||
        cert.san_count != csr.san_count)
        abort();
    return 0;
}

/* PEM: blocks amid text, strict base64, the writer; libcrypto's base64 as
 * the oracle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <mote/error.h>
#include <mote/x509.h>

#include "tap.h"

static const char TEXT[] =
    "Some text before.\n"
    "-----BEGIN CERTIFICATE-----\n"
    "AAEC\n"
    "AwQF\n"
    "-----END CERTIFICATE-----\n"
    "between -----BEGIN NOT A BLOCK----- (not at a line start)\n"
    "-----BEGIN PRIVATE KEY-----\r\n"
    "  Zm9v\r\n"
    "-----END PRIVATE KEY-----\r\n"
    "-----BEGIN X509 CRL-----\n"
    "Zm9vYg==\n"
    "-----END X509 CRL-----"; /* no final newline */

static void test_iterate(void)
{
    struct mote_pem_iter it;
    struct mote_pem_block b;
    uint8_t out[64];
    size_t n;
    mote_pem_iter_init(&it, TEXT, strlen(TEXT));
    is_int(mote_pem_next(&it, &b), 1, "first block");
    ok(mote_pem_label_is(&b, "CERTIFICATE"), "label CERTIFICATE");
    ok(!mote_pem_label_is(&b, "CERTIFICATES"), "label compare is exact");
    is_int(mote_pem_decode(&b, out, sizeof out, &n), 0, "decode");
    ok(n == 6 && memcmp(out, "\x00\x01\x02\x03\x04\x05", 6) == 0,
       "across lines");
    is_int(mote_pem_next(&it, &b), 1, "second block");
    ok(mote_pem_label_is(&b, "PRIVATE KEY"), "CRLF block label");
    ok(mote_pem_decode(&b, out, sizeof out, &n) == 0 && n == 3 &&
           memcmp(out, "foo", 3) == 0,
       "CRLF and indentation");
    is_int(mote_pem_next(&it, &b), 1, "third block");
    ok(mote_pem_label_is(&b, "X509 CRL"), "label with a space");
    ok(mote_pem_decode(&b, out, sizeof out, &n) == 0 && n == 4 &&
           memcmp(out, "foob", 4) == 0,
       "padding");
    is_int(mote_pem_decode(&b, out, 3, &n), MOTE_ENOSPC, "out too small");
    is_int(mote_pem_next(&it, &b), 0, "no more");
    is_int(mote_pem_next(&it, &b), 0, "still none");
}

static int decode_text(const char *text, uint8_t *out, size_t cap, size_t *n)
{
    struct mote_pem_iter it;
    struct mote_pem_block b;
    mote_pem_iter_init(&it, text, strlen(text));
    int r = mote_pem_next(&it, &b);
    if (r != 1)
        return r == 0 ? MOTE_ENOENT : r;
    return mote_pem_decode(&b, out, cap, n);
}

static void test_strict(void)
{
    static const struct {
        const char *body;
        int err;
    } cases[] = {
        {"Zm9v", 0},
        {"Zm9vYg==", 0},
        {"Zm9vYmE=", 0},
        {"Zm 9v\n", 0},
        {"", 0},
        {"Zm9vY", MOTE_EINVAL},
        {"Zm9vYg=", MOTE_EINVAL},
        {"Zm9vYmE==", MOTE_EINVAL},
        {"Zm9vYh==", MOTE_EINVAL}, /* unused bits set */
        {"Zm9vYmF=", MOTE_EINVAL}, /* unused bits set */
        {"Zm=9v", MOTE_EINVAL},    /* data after padding */
        {"Zm9v====", MOTE_EINVAL},
        {"Z===", MOTE_EINVAL},
        {"Zm9v!", MOTE_EINVAL},
        {"Zm9v-", MOTE_EINVAL},
        {"Zm9_", MOTE_EINVAL}, /* base64url */
        {"=", MOTE_EINVAL},
        {"Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nZm9v",
         MOTE_ENOTSUP},
        {"Foo: bar\n\nZm9v", MOTE_EINVAL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256];
        uint8_t out[64];
        size_t n;
        snprintf(text, sizeof text, "-----BEGIN X-----\n%s\n-----END X-----\n",
                 cases[i].body);
        is_int(decode_text(text, out, sizeof out, &n), cases[i].err, "body %zu",
               i);
    }
    struct mote_pem_iter it;
    struct mote_pem_block b;
    const char *no_end = "-----BEGIN A-----\nZm9v\n";
    mote_pem_iter_init(&it, no_end, strlen(no_end));
    is_int(mote_pem_next(&it, &b), MOTE_EINVAL, "BEGIN without END");
    const char *mismatch = "-----BEGIN A-----\nZm9v\n-----END B-----\n";
    mote_pem_iter_init(&it, mismatch, strlen(mismatch));
    is_int(mote_pem_next(&it, &b), MOTE_EINVAL, "END label differs");
    const char *trailing = "-----BEGIN A----- Zm9v\nZm9v\n-----END A-----\n";
    mote_pem_iter_init(&it, trailing, strlen(trailing));
    is_int(mote_pem_next(&it, &b), 0, "text after a BEGIN line: not one");
    const char *blank = "-----BEGIN A----- \t\nZm9v\n-----END A-----  \n";
    mote_pem_iter_init(&it, blank, strlen(blank));
    is_int(mote_pem_next(&it, &b), 1, "blanks after the dashes");
    const char *end_text = "-----BEGIN A-----\nZm9v\n-----END A----- x\n";
    mote_pem_iter_init(&it, end_text, strlen(end_text));
    is_int(mote_pem_next(&it, &b), MOTE_EINVAL, "text after the END line");
    const char *none = "no blocks here\n-----BEGIN\n";
    mote_pem_iter_init(&it, none, strlen(none));
    is_int(mote_pem_next(&it, &b), 0, "no blocks");
}

/* Encode random data with Mote, decode with libcrypto and with Mote; and
 * decode libcrypto's encoding with Mote. Every length 0..300. */
static void test_oracle(void)
{
    static uint8_t data[300], back[400];
    static char pem[1024];
    static unsigned char b64[512];
    int bad = 0, lines = 0;
    srand(7);
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)rand();
    for (size_t len = 0; len <= sizeof data; len++) {
        size_t plen, n;
        if (mote_pem_encode("TEST", data, len, pem, sizeof pem, &plen) < 0) {
            bad++;
            continue;
        }
        /* Every base64 line is 64 characters but the last. */
        const char *p = strchr(pem, '\n') + 1;
        for (;;) {
            const char *nl = strchr(p, '\n');
            if (!nl || strncmp(p, "-----END", 8) == 0)
                break;
            const char *next = nl + 1;
            if (nl - p != 64 && strncmp(next, "-----END", 8) != 0)
                lines++;
            p = next;
        }
        if (decode_text(pem, back, sizeof back, &n) < 0 || n != len ||
            memcmp(back, data, len) != 0)
            bad++;
        /* libcrypto's encoding of the same bytes, one line. */
        int m = EVP_EncodeBlock(b64, data, (int)len);
        char text[1024];
        snprintf(text, sizeof text,
                 "-----BEGIN T-----\n%.*s\n-----END T-----\n", m, b64);
        if (decode_text(text, back, sizeof back, &n) < 0 || n != len ||
            memcmp(back, data, len) != 0)
            bad++;
    }
    is_int(bad, 0, "Mote and libcrypto agree on 0..300 bytes");
    is_int(lines, 0, "64-column lines");
    size_t need;
    ok(mote_pem_encode("TEST", data, 100, pem, 10, &need) == MOTE_ENOSPC &&
           need > 100,
       "encode reports the size needed");
}

/* Split-point: a two-block text cut at every offset never reads past the
 * cut; the blocks found are a prefix of the full result. */
static void test_split(void)
{
    size_t len = strlen(TEXT);
    int bad = 0;
    for (size_t cut = 0; cut <= len; cut++) {
        char *p = malloc(cut ? cut : 1);
        memcpy(p, TEXT, cut);
        struct mote_pem_iter it;
        struct mote_pem_block b;
        uint8_t out[64];
        size_t n;
        int r, found = 0;
        mote_pem_iter_init(&it, p, cut);
        while ((r = mote_pem_next(&it, &b)) == 1) {
            found++;
            mote_pem_decode(&b, out, sizeof out, &n);
            if (b.start < p || b.start + b.block_len > p + cut)
                bad++;
        }
        /* The last block ends exactly at the end of TEXT. */
        if (cut < len && found == 3)
            bad++;
        free(p);
    }
    is_int(bad, 0, "truncated texts");
}

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_iterate);
    TAP_CASE(test_strict);
    TAP_CASE(test_oracle);
    TAP_CASE(test_split);
    return tap_done();
}

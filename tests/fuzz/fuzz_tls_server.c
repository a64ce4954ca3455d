/* libFuzzer: arbitrary client bytes into a TLS server engine (src/tls).
 * Input: one byte (bit 7: the engine speaks TLS 1.2 only, as the
 * handshake12-* seeds were recorded; bits 0-6: chunk size, 0 = whole
 * records), then the stream. The
 * corpus is a recorded handshake (tests/fuzz/tls_corpus.c), replayable
 * because keys, randomness and time are fixed. */
#include "fuzz_tls_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct mote_tls_engine e;
static uint8_t buf[MOTE_TLS_BUF_SIZE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mote_tls_config cfg;
    struct fz_rng rng;
    if (size < 1)
        return 0;
    fz_config(&cfg, &rng, 2);
    if (data[0] & 0x80)
        cfg.max_version = MOTE_TLS_VERSION_12;
    if (mote_tls_engine_init(&e, &cfg, MOTE_TLS_SERVER, NULL, NULL, FZ_NOW_MS,
                             buf, sizeof buf))
        abort();
    fz_feed(&e, data + 1, size - 1, data[0] & 0x7fu);
    /* Whatever happened, the engine's answers stay consistent. */
    int alert;
    int err = mote_tls_engine_error(&e, &alert);
    unsigned st = mote_tls_engine_state(&e);
    if (err && !(st & MOTE_TLS_CLOSED))
        abort();
    if (err > 0 || alert > 255)
        abort();
    fz_check_peer(&e);
    if (mote_tls_engine_handshake_done(&e) && !err) {
        /* An established engine can write. */
        size_t n;
        uint8_t *w = mote_tls_engine_sendapp_buf(&e, &n);
        if (w && n) {
            w[0] = 'x';
            mote_tls_engine_sendapp_ack(&e, 1);
            mote_tls_engine_flush(&e);
        }
        mote_tls_engine_key_update(&e, 1);
        mote_tls_engine_close(&e);
    }
    mote_tls_engine_release(&e);
    return 0;
}

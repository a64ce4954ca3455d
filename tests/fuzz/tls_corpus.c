/* Records the TLS fuzz corpus: a client (rng seed 1) and a server (seed 2)
 * with the fuzzers' fixed config run a full handshake, exchange data, a
 * KeyUpdate each way and close_notify; the bytes each side received become
 * the other fuzzer's seeds (whole, and in 1- and 7-byte pieces). A second
 * run with both sides held to TLS 1.2 (no KeyUpdate there) gives the
 * handshake12-* seeds; their first byte has bit 7 set, which makes the
 * fuzzers hold their engine to 1.2 too, so they replay whole. Each run is
 * repeated resuming from the ticket of fz_session() (resume-*, resume12-*:
 * the server's ticket and PSK binder paths, the client identity restored
 * from the ticket; the client fuzzer offers the same session when bit 6 of
 * the first byte is set). The server asks for a client certificate and the
 * client presents the fuzzers' P-256 identity, so the full handshakes hold the
 * client's Certificate and CertificateVerify in both versions (checked).
 *
 *   cc -std=c11 -Iinclude tests/fuzz/tls_corpus.c _build/obj/libmote.a -lm \
 *      -o /tmp/tls_corpus && /tmp/tls_corpus tests/fuzz/corpus
 */
#include <stdio.h>

#include "fuzz_tls_common.h"

static uint8_t to_server[65536], to_client[65536];
static size_t ns, nc;

static void move(struct mote_tls_engine *a, struct mote_tls_engine *b,
                 uint8_t *log, size_t *nlog)
{
    size_t n, m;
    uint8_t *p, *q;
    while ((p = mote_tls_engine_sendrec_buf(a, &n)) != NULL &&
           (q = mote_tls_engine_recvrec_buf(b, &m)) != NULL) {
        size_t k = n < m ? n : m;
        memcpy(q, p, k);
        memcpy(log + *nlog, p, k);
        *nlog += k;
        mote_tls_engine_sendrec_ack(a, k);
        mote_tls_engine_recvrec_ack(b, k);
        while ((p = mote_tls_engine_recvapp_buf(b, &n)) != NULL)
            mote_tls_engine_recvapp_ack(b, n);
    }
}

static void pump(struct mote_tls_engine *c, struct mote_tls_engine *s)
{
    for (int i = 0; i < 50; i++) {
        move(c, s, to_server, &ns);
        move(s, c, to_client, &nc);
    }
}

static void say(struct mote_tls_engine *e, const char *msg)
{
    size_t n;
    uint8_t *w = mote_tls_engine_sendapp_buf(e, &n);
    memcpy(w, msg, strlen(msg));
    mote_tls_engine_sendapp_ack(e, strlen(msg));
    mote_tls_engine_flush(e);
}

static const char *prefix = "handshake";

static void put(const char *dir, const char *name, unsigned chunk,
                const uint8_t *d, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s-%u", dir, name, prefix, chunk);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    /* Bit 7: TLS 1.2 only; bit 6 (client fuzzer): offer fz_session(). */
    int resume = !strcmp(name, "tls_client") && !strncmp(prefix, "resume", 6);
    fputc((int)chunk | (strstr(prefix, "12") ? 0x80 : 0) | (resume ? 0x40 : 0),
          f);
    fwrite(d, 1, n, f);
    fclose(f);
}

static int record(const char *dir, int v12,
                  const struct mote_tls_session *sess);
static struct mote_tls_session kept; /* fz_session(), for resume-* */

int main(int argc, char **argv)
{
    static const struct {
        const char *prefix;
        int v12, resume;
    } runs[] = {
        {"handshake", 0, 0},
        {"resume", 0, 1},
        {"handshake12", 1, 0},
        {"resume12", 1, 1},
    };
    if (argc != 2)
        return 2;
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        ns = nc = 0;
        prefix = runs[i].prefix;
        if (runs[i].resume && fz_session(runs[i].v12, &kept)) {
            fprintf(stderr, "no session to resume\n");
            return 1;
        }
        int r = record(argv[1], runs[i].v12, runs[i].resume ? &kept : NULL);
        if (r)
            return r;
    }
    return 0;
}

static int record(const char *dir, int v12, const struct mote_tls_session *sess)
{
    static struct mote_tls_engine c, s;
    static uint8_t cb[MOTE_TLS_BUF_SIZE], sb[MOTE_TLS_BUF_SIZE];
    struct mote_tls_config cc, sc;
    struct fz_rng cr, sr;
    fz_config(&cc, &cr, 1);
    fz_config(&sc, &sr, 2);
    if (v12) /* the server too: no downgrade sentinel in the seeds */
        cc.max_version = sc.max_version = MOTE_TLS_VERSION_12;
    mote_tls_engine_init(&c, &cc, MOTE_TLS_CLIENT, "fuzz.example", sess,
                         FZ_NOW_MS, cb, sizeof cb);
    mote_tls_engine_init(&s, &sc, MOTE_TLS_SERVER, NULL, NULL, FZ_NOW_MS, sb,
                         sizeof sb);
    pump(&c, &s);
    if (!mote_tls_engine_handshake_done(&c) ||
        !mote_tls_engine_handshake_done(&s)) {
        fprintf(stderr, "handshake failed\n");
        return 1;
    }
    /* The seeds must carry the client's Certificate and CertificateVerify
     * (the server asks; the P-256 identity can sign it in both versions). */
    if (!mote_tls_engine_peer_cert(&s, NULL) ||
        !mote_tls_engine_peer_cert(&c, NULL)) {
        fprintf(stderr, "no certificate authentication both ways\n");
        return 1;
    }
    if (mote_tls_engine_resumed(&s) != (sess != NULL)) {
        fprintf(stderr, "resumption %s\n", sess ? "refused" : "unasked");
        return 1;
    }
    say(&c, "GET / HTTP/1.1\r\n\r\n");
    say(&s, "HTTP/1.1 200 OK\r\n\r\n");
    pump(&c, &s);
    if (!v12) {
        mote_tls_engine_key_update(&c, 1);
        pump(&c, &s);
        mote_tls_engine_key_update(&s, 0);
    }
    say(&s, "more");
    mote_tls_engine_close(&c);
    mote_tls_engine_close(&s);
    pump(&c, &s);
    unsigned chunks[] = {0, 1, 7};
    for (int i = 0; i < 3; i++) {
        put(dir, "tls_server", chunks[i], to_server, ns);
        put(dir, "tls_client", chunks[i], to_client, nc);
    }
    printf("%zu bytes to the server, %zu to the client\n", ns, nc);
    return 0;
}

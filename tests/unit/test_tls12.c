/* TLS 1.2 in the engine: two engines back to back in memory (the helpers
 * are tls_test.h's, shared with test_tls.c). */
#include "tap.h"
#include "tls_test.h"

/* test12_finished and test12_renegotiation forge handshake messages with
 * the engine's internals. */
#include "../../src/tls/tls_int.h"

static const uint16_t v12 = MOTE_TLS_VERSION_12;

static void only12(struct side *x)
{
    x->cfg.min_version = v12;
    x->cfg.max_version = v12;
}

/* Find needle in the first n bytes of hay; NULL if absent. */
static uint8_t *find(uint8_t *hay, size_t n, const void *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (!memcmp(hay + i, needle, m))
            return hay + i;
    return NULL;
}

/* The client's first flight, patched by fix, into the server; the
 * server's alert. */
static int patched_hello(struct side *c, struct side *s, const void *from,
                         const void *to, size_t len, int *patched)
{
    size_t n, m;
    uint8_t *out = mote_tls_engine_sendrec_buf(&c->e, &n);
    uint8_t *at = find(out + 5, n - 5, from, len);
    *patched = at != NULL;
    if (at)
        memcpy(at, to, len);
    uint8_t *in = mote_tls_engine_recvrec_buf(&s->e, &m);
    memcpy(in, out, n);
    mote_tls_engine_sendrec_ack(&c->e, n);
    mote_tls_engine_recvrec_ack(&s->e, n);
    int alert;
    mote_tls_engine_error(&s->e, &alert);
    return alert;
}

/* The extension types of a client's first record (one ClientHello): how
 * many, into types (at most cap); -1 if it does not parse. */
static int hello_ext_types(struct side *c, unsigned *types, int cap)
{
    size_t n;
    const uint8_t *p = mote_tls_engine_sendrec_buf(&c->e, &n);
    if (!p || n < 5 + 4 + 2 + 32 + 1)
        return -1;
    const uint8_t *end = p + n;
    p += 5 + 4 + 2 + 32;
    p += 1 + p[0]; /* session id */
    if (end - p < 2)
        return -1;
    p += 2 + (p[0] << 8 | p[1]); /* suites */
    if (end - p < 1)
        return -1;
    p += 1 + p[0]; /* compression */
    if (end - p < 2)
        return -1;
    p += 2;
    int k = 0;
    while (end - p >= 4 && k < cap) {
        size_t len = (size_t)(p[2] << 8 | p[3]);
        types[k++] = (unsigned)(p[0] << 8 | p[1]);
        if ((size_t)(end - p) < 4 + len)
            return -1;
        p += 4 + len;
    }
    return p == end ? k : -1;
}

/* ---- Cases ------------------------------------------------------------- */

static void test12_matrix(void)
{
    static const uint16_t ecdsa[] = {
        MOTE_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        MOTE_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        MOTE_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256};
    static const uint16_t rsas[] = {
        MOTE_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        MOTE_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        MOTE_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256};
    static const uint16_t groups[] = {MOTE_TLS_GROUP_X25519,
                                      MOTE_TLS_GROUP_P256, MOTE_TLS_GROUP_P384};
    keys_init();
    struct {
        struct tcert *c;
        const struct mote_tls_privkey *k;
        uint16_t scheme;
        const uint16_t *suites;
    } keys[] = {
        {&c_ed, &k_ed, MOTE_TLS_SIG_ED25519, ecdsa},
        {&c_p256, &k_p256, MOTE_TLS_SIG_ECDSA_P256_SHA256, ecdsa},
        {&c_p384, &k_p384, MOTE_TLS_SIG_ECDSA_P384_SHA384, ecdsa},
        {&c_rsa, &k_rsa, MOTE_TLS_SIG_RSA_PSS_RSAE_SHA256, rsas},
    };
    ok(have_rsa, "RSA test key loaded from %s", RSA_KEY_FILE);
    int seed = 1000;
    for (size_t k = 0; k < (have_rsa ? 4u : 3u); k++)
        for (size_t i = 0; i < 3; i++)
            for (size_t j = 0; j < 3; j++) {
                struct side *c = side_new(seed++), *s = side_new(seed++);
                only12(c);
                /* RFC 8422 5.1: the client lists the certificate's curve
                 * too; the server takes only groups[j]. */
                uint16_t cg[3] = {groups[j], MOTE_TLS_GROUP_P256,
                                  MOTE_TLS_GROUP_P384};
                c->cfg.suites = &keys[k].suites[i];
                c->cfg.nsuites = 1;
                c->cfg.groups = cg;
                c->cfg.ngroups = 3;
                s->cfg.groups = &groups[j];
                s->cfg.ngroups = 1;
                set_id(&s->ids[0], keys[k].c, keys[k].k, NULL);
                int r = start(c, MOTE_TLS_CLIENT, "example.com", NULL) ||
                        start(s, MOTE_TLS_SERVER, NULL, NULL);
                int good = !r && exchange(c, s);
                ok(good && mote_tls_engine_version(&c->e) == v12 &&
                       mote_tls_engine_version(&s->e) == v12 &&
                       mote_tls_engine_suite(&c->e) == keys[k].suites[i] &&
                       mote_tls_engine_suite(&s->e) == keys[k].suites[i] &&
                       mote_tls_engine_group(&c->e) == groups[j] &&
                       mote_tls_engine_group(&s->e) == groups[j] &&
                       mote_tls_engine_sigscheme(&c->e) == keys[k].scheme &&
                       !strcmp(c->v.host, "example.com"),
                   "1.2 suite %04x group %04x sig %04x", keys[k].suites[i],
                   groups[j], keys[k].scheme);
                side_free(c);
                side_free(s);
            }
}

/* Both ends speak 1.2 and 1.3: 1.3 wins. A server held to 1.2 gives 1.2. */
static void test12_versions(void)
{
    struct side *c = side_new(1), *s = side_new(2);
    c->cfg.min_version = v12;
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s) && mote_tls_engine_version(&c->e) == 0x0304 &&
           mote_tls_engine_version(&s->e) == 0x0304,
       "1.2+1.3 client, default server: 1.3");
    side_free(c);
    side_free(s);
    c = side_new(3), s = side_new(4);
    c->cfg.min_version = v12;
    s->cfg.max_version = v12;
    set_id(&s->ids[0], &c_p256, &k_p256, NULL);
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s) && mote_tls_engine_version(&c->e) == v12 &&
           mote_tls_engine_suite(&s->e) ==
               MOTE_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
       "server held to 1.2: 1.2, no sentinel (it does not speak 1.3)");
    side_free(c);
    side_free(s);
    /* A server held to 1.3 refuses a 1.2-only client. */
    c = side_new(5), s = side_new(6);
    only12(c);
    s->cfg.min_version = 0x0304;
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    pump(c, s, 0);
    int err, alert;
    err_of(s, &err, &alert);
    is_int(alert, MOTE_TLS_ALERT_PROTOCOL_VERSION,
           "1.3-only server: protocol_version");
    side_free(c);
    side_free(s);
    /* A 1.2 client meets a 1.3-only client's refusal. */
    c = side_new(7), s = side_new(8);
    only12(s);
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    pump(c, s, 0);
    err_of(s, &err, &alert);
    is_int(alert, MOTE_TLS_ALERT_PROTOCOL_VERSION,
           "1.3-only client, 1.2-only server: protocol_version");
    side_free(c);
    side_free(s);
}

/* RFC 8446 4.1.3: an attacker strips 1.3 from the client's
 * supported_versions; the 1.3-capable server answers 1.2 with DOWNGRD\x01
 * in its random and the 1.3-capable client aborts with illegal_parameter. */
static void test12_downgrade_sentinel(void)
{
    struct side *c = side_new(11), *s = side_new(12);
    c->cfg.min_version = v12;
    set_id(&s->ids[0], &c_p256, &k_p256, NULL);
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    static const uint8_t sv[] = {0, 43, 0, 5, 4, 3, 4, 3, 3};
    static const uint8_t sv12[] = {0, 43, 0, 5, 4, 3, 3, 3, 3};
    int patched;
    patched_hello(c, s, sv, sv12, sizeof sv, &patched);
    ok(patched, "supported_versions rewritten to 1.2 only");
    size_t n;
    uint8_t *out = mote_tls_engine_sendrec_buf(&s->e, &n);
    ok(out && n > 5 + 4 + 2 + 32 &&
           !memcmp(out + 5 + 4 + 2 + 24, "DOWNGRD\x01", 8),
       "the 1.3-capable server set the sentinel");
    pump(c, s, 0);
    int err, alert;
    err_of(c, &err, &alert);
    is_int(alert, MOTE_TLS_ALERT_ILLEGAL_PARAMETER,
           "the 1.3-capable client saw it: illegal_parameter");
    side_free(c);
    side_free(s);
}

/* RFC 7627: no EMS, no handshake (handshake_failure); CBC-only and
 * compression-only hellos are refused too. */
static void test12_refusals(void)
{
    struct {
        const char *what;
        uint8_t from[4], to[4];
        int alert;
    } cases[] = {
        {"no extended_master_secret",
         {0, 23, 0, 0},
         {0x0a, 0x0a, 0, 0},
         MOTE_TLS_ALERT_HANDSHAKE_FAILURE},
        {"CBC only (ECDHE-ECDSA-AES128-SHA256)",
         {0, 2, 0xc0, 0x2b},
         {0, 2, 0xc0, 0x23},
         MOTE_TLS_ALERT_HANDSHAKE_FAILURE},
        {"deflate only",
         {0xc0, 0x2b, 1, 0},
         {0xc0, 0x2b, 1, 1},
         MOTE_TLS_ALERT_ILLEGAL_PARAMETER},
        {"bad renegotiation_info",
         {0xff, 1, 0, 1},
         {0xff, 1, 0, 1},
         MOTE_TLS_ALERT_HANDSHAKE_FAILURE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct side *c = side_new(20 + (uint32_t)i), *s = side_new(30);
        only12(c);
        static const uint16_t one =
            MOTE_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
        c->cfg.suites = &one;
        c->cfg.nsuites = 1;
        set_id(&s->ids[0], &c_p256, &k_p256, NULL);
        start(c, MOTE_TLS_CLIENT, NULL, NULL);
        start(s, MOTE_TLS_SERVER, NULL, NULL);
        if (i == 3) {
            /* renegotiated_connection with one byte in it */
            size_t n;
            uint8_t *out = mote_tls_engine_sendrec_buf(&c->e, &n);
            uint8_t *at = find(out + 5, n - 5, "\xff\x01\x00\x01\x00", 5);
            if (at)
                at[4] = 1;
        }
        int patched;
        int alert =
            patched_hello(c, s, cases[i].from, cases[i].to, 4, &patched);
        ok(patched, "%s: patched", cases[i].what);
        is_int(alert, cases[i].alert, "%s: refused", cases[i].what);
        side_free(c);
        side_free(s);
    }
}

/* RFC 5077 tickets, resumption with EMS; a ticket under another key means
 * a full handshake; a 1.2 ticket is never offered as a 1.3 PSK. */
static void test12_resume(void)
{
    struct side *c = side_new(40), *s = side_new(41);
    only12(c);
    s->cfg.ticket_key = ticket_key;
    set_id(&s->ids[0], &c_p256, &k_p256, NULL);
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s) && !mote_tls_engine_resumed(&s->e), "full handshake");
    struct mote_tls_session sess = *mote_tls_engine_session(&c->e);
    ok(sess.suite == MOTE_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 &&
           sess.ticket_len > 0,
       "the client kept a 1.2 ticket");
    side_free(c);
    side_free(s);
    for (int other = 0; other < 2; other++) {
        static const uint8_t key2[32] = "another ticket key, 32 bytes...";
        c = side_new(42), s = side_new(43);
        only12(c);
        s->cfg.ticket_key = other ? key2 : ticket_key;
        set_id(&s->ids[0], &c_p256, &k_p256, NULL);
        start(c, MOTE_TLS_CLIENT, NULL, &sess);
        start(s, MOTE_TLS_SERVER, NULL, NULL);
        int good = exchange(c, s);
        ok(good && mote_tls_engine_resumed(&c->e) == !other &&
               mote_tls_engine_resumed(&s->e) == !other,
           other ? "foreign ticket: full handshake"
                 : "resumed from the ticket");
        side_free(c);
        side_free(s);
    }
    /* A 1.2+1.3 client holding a 1.2 ticket with a 1.3 server: 1.3, full. */
    c = side_new(44), s = side_new(45);
    c->cfg.min_version = v12;
    s->cfg.ticket_key = ticket_key;
    start(c, MOTE_TLS_CLIENT, NULL, &sess);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s) && mote_tls_engine_version(&c->e) == 0x0304 &&
           !mote_tls_engine_resumed(&s->e),
       "1.2 ticket not used for 1.3");
    side_free(c);
    side_free(s);
}

/* A wrong client Finished (the server's transcript differs): decrypt_error;
 * a flipped bit in the protected Finished: bad_record_mac. */
static void test12_finished(void)
{
    for (int mode = 0; mode < 2; mode++) {
        struct side *c = side_new(50), *s = side_new(51);
        only12(c);
        set_id(&s->ids[0], &c_p256, &k_p256, NULL);
        start(c, MOTE_TLS_CLIENT, NULL, NULL);
        start(s, MOTE_TLS_SERVER, NULL, NULL);
        xfer(c, s, 0);
        xfer(s, c, 0);
        /* Client flight: CKE record, CCS record, Finished record. */
        size_t n, m;
        uint8_t *out = mote_tls_engine_sendrec_buf(&c->e, &n);
        size_t r1 = 5 + ((size_t)out[3] << 8 | out[4]);
        uint8_t *in = mote_tls_engine_recvrec_buf(&s->e, &m);
        memcpy(in, out, r1);
        mote_tls_engine_sendrec_ack(&c->e, r1);
        mote_tls_engine_recvrec_ack(&s->e, r1);
        if (mode == 0)
            tls__transcript_add(&s->e, "x", 1);
        out = mote_tls_engine_sendrec_buf(&c->e, &n);
        if (mode == 1)
            out[n - 1] ^= 1;
        xfer(c, s, 0);
        int err, alert;
        err_of(s, &err, &alert);
        is_int(alert,
               mode ? MOTE_TLS_ALERT_BAD_RECORD_MAC
                    : MOTE_TLS_ALERT_DECRYPT_ERROR,
               mode ? "tampered Finished record" : "wrong Finished");
        side_free(c);
        side_free(s);
    }
}

/* RFC 5746: no renegotiation. A ClientHello after the handshake gets a
 * no_renegotiation warning and the server goes on; a HelloRequest gets the
 * same from the client. KeyUpdate does not exist in 1.2. */
static void test12_renegotiation(void)
{
    struct side *c = side_new(60), *s = side_new(61);
    only12(c);
    set_id(&s->ids[0], &c_p256, &k_p256, NULL);
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s), "1.2 handshake");
    is_int(mote_tls_engine_key_update(&c->e, 1), MOTE_ENOTSUP,
           "no KeyUpdate in 1.2");
    /* The server sends a HelloRequest (type 0, empty). */
    size_t cap;
    uint8_t *m = tls__hs_space(&s->e, &cap);
    memset(m, 0, 4);
    tls__hs_emit(&s->e, 4);
    xfer(s, c, 0);
    size_t n;
    uint8_t *out = mote_tls_engine_sendrec_buf(&c->e, &n);
    ok(!mote_tls_engine_error(&c->e, NULL) && out && out[0] == CT_ALERT,
       "client: HelloRequest answered with an alert, no error");
    /* Read what it is: decrypt on the server side. */
    s->ngot = 0;
    xfer(c, s, 0);
    int err, alert;
    err_of(s, &err, &alert);
    is_int(alert, MOTE_TLS_ALERT_NO_RENEGOTIATION, "it is no_renegotiation");
    side_free(c);
    side_free(s);

    c = side_new(62), s = side_new(63);
    only12(c);
    set_id(&s->ids[0], &c_p256, &k_p256, NULL);
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    exchange(c, s);
    m = tls__hs_space(&c->e, &cap);
    memcpy(m, "\x01\x00\x00\x02\x03\x03", 6);
    tls__hs_emit(&c->e, 6);
    xfer(c, s, 0);
    out = mote_tls_engine_sendrec_buf(&s->e, &n);
    ok(!mote_tls_engine_error(&s->e, NULL) && out && out[0] == CT_ALERT &&
           mote_tls_engine_handshake_done(&s->e),
       "server: renegotiating ClientHello answered with a warning, no error");
    static const char msg[] = "still here";
    ok(!write_app(s, msg, sizeof msg), "the server still writes");
    side_free(c);
    side_free(s);
}

/* RFC 5246 7.4.4-7.4.8: client certificates over 1.2. The server sends
 * a CertificateRequest when its config asks (the same client_auth as
 * 1.3), verifies the chain through the same callback and the client's
 * CertificateVerify over the handshake transcript; a client without a
 * usable certificate sends an empty one, which a server that requires one
 * refuses with handshake_failure (1.2 has no certificate_required). */
static void test12_client_auth(void)
{
    static struct mote_tls_privkey k_other;
    keys_init();
    k_other.type = MOTE_TLS_KEY_EC;
    k_other.ec.curve = MOTE_EC_P256;
    mote_sha256("other", 5, k_other.ec.d);
    struct {
        const char *what;
        int mode;           /* server client_auth */
        struct tcert *cert; /* client identity, NULL: none */
        const struct mote_tls_privkey *key;
        int refuse;            /* server's verify callback */
        int want_alert;        /* -1: the handshake completes */
        const char *want_name; /* leaf the server saw */
    } cases[] = {
        {"P-256 certificate, required", 2, &c_p256, &k_p256, 0, -1,
         "p256.example"},
        {"P-384 certificate, required", 2, &c_p384, &k_p384, 0, -1,
         "p384.example"},
        {"RSA certificate, required", 2, &c_rsa, &k_rsa, 0, -1, "rsa.example"},
        {"P-256 certificate, optional", 1, &c_p256, &k_p256, 0, -1,
         "p256.example"},
        {"no certificate, optional", 1, NULL, NULL, 0, -1, ""},
        {"no certificate, required", 2, NULL, NULL, 0,
         MOTE_TLS_ALERT_HANDSHAKE_FAILURE, ""},
        {"Ed25519 only (no 1.2 CertificateVerify for it), required", 2, &c_ed,
         &k_ed, 0, MOTE_TLS_ALERT_HANDSHAKE_FAILURE, ""},
        {"certificate refused by the server's callback", 2, &c_p256, &k_p256,
         MOTE_TLS_ALERT_UNKNOWN_CA, MOTE_TLS_ALERT_UNKNOWN_CA, "p256.example"},
        {"CertificateVerify by another key", 2, &c_p256, &k_other, 0,
         MOTE_TLS_ALERT_DECRYPT_ERROR, "p256.example"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].cert == &c_rsa && !have_rsa) {
            ok(0, "RSA test key loaded from %s", RSA_KEY_FILE);
            continue;
        }
        struct side *c = side_new(70 + 2 * (uint32_t)i),
                    *s = side_new(71 + 2 * (uint32_t)i);
        only12(c);
        s->cfg.client_auth = cases[i].mode;
        s->v.refuse = cases[i].refuse;
        set_id(&s->ids[0], &c_p256, &k_p256, NULL);
        c->cfg.nids = 0;
        if (cases[i].cert) {
            set_id(&c->ids[0], cases[i].cert, cases[i].key, NULL);
            c->cfg.nids = 1;
        }
        start(c, MOTE_TLS_CLIENT, NULL, NULL);
        start(s, MOTE_TLS_SERVER, NULL, NULL);
        int good = exchange(c, s);
        int err, alert, cerr, calert;
        err_of(s, &err, &alert);
        err_of(c, &cerr, &calert);
        if (cases[i].want_alert < 0)
            ok(good && mote_tls_engine_version(&s->e) == v12 &&
                   s->e.client_cert_sent == (cases[i].cert != NULL) &&
                   c->e.client_cert_sent == (cases[i].cert != NULL) &&
                   s->v.calls == (cases[i].cert != NULL) &&
                   !strcmp(s->v.name, cases[i].want_name),
               "1.2 client auth, %s: handshake done, server verified %s",
               cases[i].what, cases[i].cert ? cases[i].want_name : "nothing");
        else
            ok(!good && alert == cases[i].want_alert &&
                   cerr == MOTE_ECONNRESET && calert == cases[i].want_alert &&
                   !strcmp(s->v.name, cases[i].want_name),
               "1.2 client auth, %s: refused with %s (server %d/%d, client "
               "%d/%d)",
               cases[i].what, mote_tls_alert_name(cases[i].want_alert), err,
               alert, cerr, calert);
        side_free(c);
        side_free(s);
    }
}

/* mote_tls_privkey_prepare: the server signs with the prepared context
 * (several signatures, so the blinding update is exercised); a context
 * wiped behind the key's back makes the server fail, which shows it is the
 * one used; a non-RSA key needs nothing. */
static void test12_rsa_prepared(void)
{
    static struct mote_rsa_prepared ctx;
    static const uint16_t schemes[] = {MOTE_TLS_SIG_RSA_PKCS1_SHA256,
                                       MOTE_TLS_SIG_RSA_PSS_RSAE_SHA256,
                                       MOTE_TLS_SIG_RSA_PSS_RSAE_SHA384};
    keys_init();
    if (!have_rsa) {
        ok(0, "RSA test key loaded from %s", RSA_KEY_FILE);
        return;
    }
    struct mote_tls_privkey k = k_rsa, e = k_ed;
    int err;
    ok(mote_tls_privkey_prepare(&k, &ctx) == 0 && k.rsa_prepared == &ctx,
       "RSA key prepared");
    ok(mote_tls_privkey_prepare(&e, &ctx) == 0 && !e.rsa_prepared,
       "Ed25519 key: nothing to prepare");
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        for (uint32_t r = 0; r < 3; r++)
            ok(rsa_sign_run(8000 + 10 * (uint32_t)i + 2 * r, &k, schemes[i], 1,
                            &err),
               "1.2 prepared key signs %04x (#%u)", schemes[i],
               (unsigned)r + 1);
    mote_rsa_prepared_wipe(&ctx);
    int ran = rsa_sign_run(8000 + 99, &k, schemes[0], 1, &err);
    ok(!ran && err < 0, "1.2 wiped context: the server fails (%d)", err);
    k.rsa.pub.n_len = 0;
    ok(mote_tls_privkey_prepare(&k, &ctx) == MOTE_EINVAL && !k.rsa_prepared,
       "a bad RSA key is refused and left unprepared");
}

/* Every signature scheme offered alone by the client, over 1.2 and 1.3,
 * against a server holding the key that makes it: the handshake completes
 * and both ends agree on that scheme (the client must not offer, nor
 * accept, a scheme it was not configured with). PKCS#1 v1.5 alone over
 * 1.3 has nothing in common (RFC 8446 4.2.3: certificates only). */
static void test12_sig_alone(void)
{
    static const uint16_t schemes[] = {
        MOTE_TLS_SIG_ED25519,
        MOTE_TLS_SIG_ECDSA_P256_SHA256,
        MOTE_TLS_SIG_ECDSA_P384_SHA384,
        MOTE_TLS_SIG_RSA_PKCS1_SHA256,
        MOTE_TLS_SIG_RSA_PKCS1_SHA384,
        MOTE_TLS_SIG_RSA_PKCS1_SHA512,
        MOTE_TLS_SIG_RSA_PSS_RSAE_SHA256,
        MOTE_TLS_SIG_RSA_PSS_RSAE_SHA384,
        MOTE_TLS_SIG_RSA_PSS_RSAE_SHA512,
        MOTE_TLS_SIG_RSA_PSS_PSS_SHA256,
        MOTE_TLS_SIG_RSA_PSS_PSS_SHA384,
        MOTE_TLS_SIG_RSA_PSS_PSS_SHA512,
    };
    static struct mote_tls_privkey k_pss;
    static struct tcert c_pss;
    keys_init();
    if (!have_rsa) {
        ok(0, "RSA test key loaded from %s", RSA_KEY_FILE);
        return;
    }
    k_pss = k_rsa;
    k_pss.type = MOTE_TLS_KEY_RSA_PSS;
    tcert_make(&c_pss, &k_pss, "pss.example");
    uint32_t seed = 9000;
    for (int v = 0; v < 2; v++)
        for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
            uint16_t sc = schemes[i];
            struct tcert *cert = &c_rsa;
            const struct mote_tls_privkey *key = &k_rsa;
            if (sc == MOTE_TLS_SIG_ED25519)
                cert = &c_ed, key = &k_ed;
            else if (sc == MOTE_TLS_SIG_ECDSA_P256_SHA256)
                cert = &c_p256, key = &k_p256;
            else if (sc == MOTE_TLS_SIG_ECDSA_P384_SHA384)
                cert = &c_p384, key = &k_p384;
            else if (sc >= MOTE_TLS_SIG_RSA_PSS_PSS_SHA256)
                cert = &c_pss, key = &k_pss;
            struct side *c = side_new(seed++), *s = side_new(seed++);
            uint16_t want = v ? v12 : MOTE_TLS_VERSION_13;
            c->cfg.min_version = c->cfg.max_version = want;
            c->cfg.sigschemes = &sc;
            c->cfg.nsigschemes = 1;
            set_id(&s->ids[0], cert, key, NULL);
            int good = !start(c, MOTE_TLS_CLIENT, "example.com", NULL) &&
                       !start(s, MOTE_TLS_SERVER, NULL, NULL) && exchange(c, s);
            int pkcs1 = (sc & 0xff) == 1, err, alert;
            err_of(s, &err, &alert);
            if (!v && pkcs1)
                ok(!good && err == MOTE_ENOTSUP &&
                       alert == MOTE_TLS_ALERT_HANDSHAKE_FAILURE,
                   "1.3, %04x alone: nothing in common (handshake_failure)",
                   sc);
            else
                ok(good && mote_tls_engine_version(&c->e) == want &&
                       mote_tls_engine_sigscheme(&c->e) == sc &&
                       mote_tls_engine_sigscheme(&s->e) == sc,
                   "%s, %04x alone: signed and verified with it (client "
                   "%04x, server %04x, server error %d)",
                   v ? "1.2" : "1.3", sc, mote_tls_engine_sigscheme(&c->e),
                   mote_tls_engine_sigscheme(&s->e), err);
            side_free(c);
            side_free(s);
        }
}

/* The server's configured sigschemes list is used as given over 1.2 too:
 * PKCS#1 v1.5 is added only to the default list. */
static void test12_server_sigs(void)
{
    static const uint16_t pss = MOTE_TLS_SIG_RSA_PSS_RSAE_SHA256;
    static const uint16_t pkcs1 = MOTE_TLS_SIG_RSA_PKCS1_SHA256;
    keys_init();
    if (!have_rsa) {
        ok(0, "RSA test key loaded from %s", RSA_KEY_FILE);
        return;
    }
    for (int i = 0; i < 2; i++) {
        struct side *c = side_new(95 + (uint32_t)i), *s = side_new(97);
        only12(c);
        s->cfg.sigschemes = &pss;
        s->cfg.nsigschemes = 1;
        if (i) {
            c->cfg.sigschemes = &pkcs1;
            c->cfg.nsigschemes = 1;
        }
        set_id(&s->ids[0], &c_rsa, &k_rsa, NULL);
        start(c, MOTE_TLS_CLIENT, NULL, NULL);
        start(s, MOTE_TLS_SERVER, NULL, NULL);
        int good = exchange(c, s), err, alert;
        err_of(s, &err, &alert);
        if (!i)
            ok(good && mote_tls_engine_sigscheme(&c->e) == pss,
               "server configured with rsa_pss_rsae_sha256 only: it signs "
               "with it (got %04x)",
               mote_tls_engine_sigscheme(&c->e));
        else
            ok(!good && err == MOTE_ENOTSUP &&
                   alert == MOTE_TLS_ALERT_HANDSHAKE_FAILURE,
               "it does not fall back to PKCS#1 for a PKCS#1-only client "
               "(server %d/%d, signed %04x)",
               err, alert, mote_tls_engine_sigscheme(&s->e));
        side_free(c);
        side_free(s);
    }
}

/* A server whose signature list has nothing a 1.2 CertificateVerify can
 * use (Ed25519 only): an optional request is not made, a required one is
 * refused up front with handshake_failure (not an internal error). */
static void test12_client_auth_no_scheme(void)
{
    static const uint16_t ed = MOTE_TLS_SIG_ED25519;
    for (int mode = 1; mode <= 2; mode++) {
        struct side *c = side_new(98), *s = side_new(99);
        only12(c);
        s->cfg.sigschemes = &ed;
        s->cfg.nsigschemes = 1;
        s->cfg.client_auth = mode;
        set_id(&c->ids[0], &c_p256, &k_p256, NULL);
        start(c, MOTE_TLS_CLIENT, NULL, NULL);
        start(s, MOTE_TLS_SERVER, NULL, NULL);
        int good = exchange(c, s), err, alert;
        err_of(s, &err, &alert);
        if (mode == 1)
            ok(good && !s->e.client_cert_sent && !c->e.client_cert_sent,
               "Ed25519-only server, optional client auth: no request, "
               "handshake done");
        else
            ok(!good && err == MOTE_ENOTSUP &&
                   alert == MOTE_TLS_ALERT_HANDSHAKE_FAILURE,
               "Ed25519-only server, required client auth: handshake_failure "
               "(%d/%d)",
               err, alert);
        side_free(c);
        side_free(s);
    }
}

/* RFC 5077 3.3 leaves renewal to the server: a ticket is renewed on
 * resumption only once past half its lifetime (a fresh one saves a ticket
 * seal and a message per resumption, as OpenSSL does); the client keeps
 * using the one it has until then. */
static void test12_ticket_renewal(void)
{
    struct side *c = side_new(9300), *s = side_new(9301);
    only12(c);
    s->cfg.ticket_key = ticket_key;
    s->cfg.ticket_lifetime = 100; /* seconds */
    set_id(&s->ids[0], &c_p256, &k_p256, NULL);
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    exchange(c, s);
    struct mote_tls_session sess = *mote_tls_engine_session(&c->e);
    side_free(c);
    side_free(s);
    static const struct {
        uint64_t after_ms;
        int renewed;
        const char *what;
    } cases[] = {
        {1000, 0, "1 s into a 100 s ticket: resumed, not renewed"},
        {49000, 0, "49 s: resumed, not renewed"},
        {51000, 1, "51 s: resumed and renewed"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        c = side_new(9302 + 2 * (uint32_t)i);
        s = side_new(9303 + 2 * (uint32_t)i);
        only12(c);
        s->cfg.ticket_key = ticket_key;
        s->cfg.ticket_lifetime = 100;
        set_id(&s->ids[0], &c_p256, &k_p256, NULL);
        uint64_t t = NOW_MS + cases[i].after_ms;
        mote_tls_engine_init(&c->e, &c->cfg, MOTE_TLS_CLIENT, NULL, &sess, t,
                             c->buf, sizeof c->buf);
        mote_tls_engine_init(&s->e, &s->cfg, MOTE_TLS_SERVER, NULL, NULL, t,
                             s->buf, sizeof s->buf);
        int good = exchange(c, s) && mote_tls_engine_resumed(&s->e);
        const struct mote_tls_session *now = mote_tls_engine_session(&c->e);
        int renewed = now->ticket_len != sess.ticket_len ||
                      memcmp(now->ticket, sess.ticket, sess.ticket_len) != 0;
        ok(good && renewed == cases[i].renewed && now->suite == sess.suite,
           "%s (resumed %d, renewed %d)", cases[i].what, good, renewed);
        side_free(c);
        side_free(s);
    }
    mote_memzero_explicit(&sess, sizeof sess);
}

/* Resumption and client authentication: a ticket from a session whose
 * client did not authenticate (optional client_auth, no certificate) must
 * not resume on a server that requires a client certificate (same ticket
 * key): that server makes a full handshake and asks for one. A session
 * whose client did authenticate resumes there. */
static void test12_resume_client_auth(void)
{
    struct auth_resume r;
    auth_resume_run(9000, 1, 1, NULL, NULL, 2, NULL, NULL, &r);
    ok(r.first_ok && !r.done && !r.resumed &&
           r.alert == MOTE_TLS_ALERT_HANDSHAKE_FAILURE,
       "1.2: unauthenticated ticket, client auth required, no certificate: "
       "not resumed, handshake_failure (done %d resumed %d alert %d)",
       r.done, r.resumed, r.alert);
    auth_resume_run(9010, 1, 1, NULL, NULL, 2, &c_p256, &k_p256, &r);
    ok(r.first_ok && r.done && !r.resumed && r.calls == 1,
       "1.2: unauthenticated ticket, client auth required: a full handshake "
       "with the client's certificate (resumed %d, callback %d)",
       r.resumed, r.calls);
    ok(r.s_auth[1] && tcert_is(r.s_hash[1], &c_p256),
       "1.2: ... and the server reports the client's new certificate");
    auth_resume_run(9020, 1, 2, &c_p384, &k_p384, 2, &c_p256, &k_p256, &r);
    ok(r.first_ok && r.done && r.resumed && r.calls == 0,
       "1.2: authenticated ticket resumes where client auth is required");
    ok(r.s_auth[0] && tcert_is(r.s_hash[0], &c_p384) && r.s_auth[1] &&
           tcert_is(r.s_hash[1], &c_p384),
       "1.2: the resumed session reports the original client certificate "
       "(P-384, not the P-256 one the client now holds)");
    ok(r.c_auth[0] && r.c_auth[1] && tcert_is(r.c_hash[0], &c_p256) &&
           tcert_is(r.c_hash[1], &c_p256),
       "1.2: the client reports the server's certificate after both");
    auth_resume_run(9030, 1, 1, NULL, NULL, 1, NULL, NULL, &r);
    ok(r.first_ok && r.done && r.resumed,
       "1.2: unauthenticated ticket resumes where client auth is optional");
    ok(!r.s_auth[0] && !r.s_auth[1] && r.c_auth[1],
       "1.2: ... and the server reports no client certificate");
    auth_resume_run(9040, 1, 2, &c_p256, &k_p256, 0, NULL, NULL, &r);
    ok(r.done && r.resumed && r.s_auth[1] && tcert_is(r.s_hash[1], &c_p256),
       "1.2: an authenticated session resumed where no certificate is asked "
       "keeps its identity");
}

/* A 1.2-only client sends no key_share (a TLS 1.3 extension): it would
 * make a key exchange key (by default an ML-KEM-768 one and an X25519 one)
 * that 1.2 never uses, on every full handshake and every resumption. A
 * client that also speaks 1.3 sends one. */
static void test12_hello_no_key_share(void)
{
    for (int both = 0; both < 2; both++) {
        struct side *c = side_new(9200 + (uint32_t)both);
        only12(c);
        if (both)
            c->cfg.max_version = MOTE_TLS_VERSION_13;
        start(c, MOTE_TLS_CLIENT, NULL, NULL);
        unsigned types[64];
        int n = hello_ext_types(c, types, 64), shares = 0;
        for (int i = 0; i < n; i++)
            shares += types[i] == 51;
        ok(n > 0 && shares == both, "%s client: %s key_share (%d extensions)",
           both ? "1.2+1.3" : "1.2-only", both ? "one" : "no", n);
        side_free(c);
    }
}

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test12_matrix);
    TAP_CASE(test12_rsa_prepared);
    TAP_CASE(test12_versions);
    TAP_CASE(test12_downgrade_sentinel);
    TAP_CASE(test12_refusals);
    TAP_CASE(test12_resume);
    TAP_CASE(test12_finished);
    TAP_CASE(test12_renegotiation);
    TAP_CASE(test12_client_auth);
    TAP_CASE(test12_sig_alone);
    TAP_CASE(test12_server_sigs);
    TAP_CASE(test12_client_auth_no_scheme);
    TAP_CASE(test12_resume_client_auth);
    TAP_CASE(test12_hello_no_key_share);
    TAP_CASE(test12_ticket_renewal);
    return tap_done();
}

/* TLS 1.3 engine: two engines back to back in memory. */
#include <mote/x509.h>
#include <mote/x509_gen.h>
#include <mote/x509_verify.h>

#include "tap.h"
#include "tls_test.h"

/* test_rfc8448 checks the key schedule and record functions directly. */
#include "../../src/tls/tls_int.h"

#define RFC8448_FILE "tests/vectors/tls/rfc8448-simple.txt"

/* ---- Cases ------------------------------------------------------------------
 */

static void test_matrix(void)
{
    static const uint16_t suites[] = {MOTE_TLS_AES_128_GCM_SHA256,
                                      MOTE_TLS_AES_256_GCM_SHA384,
                                      MOTE_TLS_CHACHA20_POLY1305_SHA256};
    static const uint16_t groups[] = {MOTE_TLS_GROUP_X25519,
                                      MOTE_TLS_GROUP_P256, MOTE_TLS_GROUP_P384,
                                      MOTE_TLS_GROUP_X25519MLKEM768};
    keys_init();
    struct {
        struct tcert *c;
        const struct mote_tls_privkey *k;
        uint16_t scheme;
    } sigs[] = {
        {&c_ed, &k_ed, MOTE_TLS_SIG_ED25519},
        {&c_p256, &k_p256, MOTE_TLS_SIG_ECDSA_P256_SHA256},
        {&c_p384, &k_p384, MOTE_TLS_SIG_ECDSA_P384_SHA384},
        {&c_rsa, &k_rsa, MOTE_TLS_SIG_RSA_PSS_RSAE_SHA256},
    };
    ok(have_rsa, "RSA test key loaded from %s", RSA_KEY_FILE);
    int seed = 1;
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 4; j++)
            for (size_t k = 0; k < (have_rsa ? 4u : 3u); k++) {
                struct side *c = side_new(seed++), *s = side_new(seed++);
                c->cfg.suites = &suites[i];
                c->cfg.nsuites = 1;
                c->cfg.groups = &groups[j];
                c->cfg.ngroups = 1;
                set_id(&s->ids[0], sigs[k].c, sigs[k].k, NULL);
                int r = start(c, MOTE_TLS_CLIENT, "example.com", NULL) ||
                        start(s, MOTE_TLS_SERVER, NULL, NULL);
                int good = !r && exchange(c, s);
                ok(good && mote_tls_engine_suite(&c->e) == suites[i] &&
                       mote_tls_engine_suite(&s->e) == suites[i] &&
                       mote_tls_engine_group(&c->e) == groups[j] &&
                       mote_tls_engine_sigscheme(&c->e) == sigs[k].scheme &&
                       !strcmp(s->v.host, "") &&
                       !strcmp(c->v.host, "example.com"),
                   "suite %04x group %04x sig %04x", suites[i], groups[j],
                   sigs[k].scheme);
                side_free(c);
                side_free(s);
            }
}

/* The defaults: hybrid first on both sides, shares for it and X25519. */
static void test_defaults(void)
{
    struct side *c = side_new(1), *s = side_new(2);
    start(c, MOTE_TLS_CLIENT, "example.com", NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s), "handshake with the default lists");
    is_int(mote_tls_engine_group(&s->e), MOTE_TLS_GROUP_X25519MLKEM768,
           "server prefers X25519MLKEM768");
    is_int(mote_tls_engine_suite(&s->e), MOTE_TLS_AES_128_GCM_SHA256,
           "first suite");
    side_free(c);
    side_free(s);

    /* A server without the hybrid picks the X25519 share: no HRR. */
    static const uint16_t x[] = {MOTE_TLS_GROUP_P256, MOTE_TLS_GROUP_X25519};
    c = side_new(3), s = side_new(4);
    s->cfg.groups = x;
    s->cfg.ngroups = 2;
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s), "hybrid-less server");
    is_int(mote_tls_engine_group(&c->e), MOTE_TLS_GROUP_X25519,
           "X25519 share used (P-256 preferred but not shared)");
    ok(!(c->e.flags & 0x10), "no HelloRetryRequest");
    side_free(c);
    side_free(s);
}

static void test_hrr(void)
{
    static const uint16_t cg[] = {MOTE_TLS_GROUP_X25519, MOTE_TLS_GROUP_P384};
    static const uint16_t sg[] = {MOTE_TLS_GROUP_P384};
    static const uint16_t suite[] = {MOTE_TLS_AES_256_GCM_SHA384};
    struct side *c = side_new(5), *s = side_new(6);
    c->cfg.groups = cg;
    c->cfg.ngroups = 2;
    s->cfg.groups = sg;
    s->cfg.ngroups = 1;
    s->cfg.suites = suite;
    s->cfg.nsuites = 1;
    start(c, MOTE_TLS_CLIENT, "h.example", NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s), "handshake through HelloRetryRequest");
    is_int(mote_tls_engine_group(&c->e), MOTE_TLS_GROUP_P384, "group P-384");
    ok((c->e.flags & 0x10) && (s->e.flags & 0x10), "HRR happened");
    ok(s->e.cookie_len == 32, "cookie sent and echoed");
    side_free(c);
    side_free(s);

    /* No group in common at all. */
    static const uint16_t only256[] = {MOTE_TLS_GROUP_P256};
    c = side_new(7), s = side_new(8);
    c->cfg.groups = only256;
    c->cfg.ngroups = 1;
    s->cfg.groups = sg;
    s->cfg.ngroups = 1;
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    pump(c, s, 0);
    int err, alert;
    err_of(s, &err, &alert);
    is_int(alert, MOTE_TLS_ALERT_HANDSHAKE_FAILURE, "no common group");
    err_of(c, &err, &alert);
    ok(err == MOTE_ECONNRESET && alert == MOTE_TLS_ALERT_HANDSHAKE_FAILURE,
       "client sees the alert (%d %d)", err, alert);
    side_free(c);
    side_free(s);
}

static void test_no_common_suite(void)
{
    static const uint16_t a[] = {MOTE_TLS_AES_128_GCM_SHA256};
    static const uint16_t b[] = {MOTE_TLS_CHACHA20_POLY1305_SHA256};
    struct side *c = side_new(9), *s = side_new(10);
    c->cfg.suites = a;
    c->cfg.nsuites = 1;
    s->cfg.suites = b;
    s->cfg.nsuites = 1;
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    pump(c, s, 0);
    int err, alert;
    err_of(s, &err, &alert);
    ok(err == MOTE_ENOTSUP && alert == MOTE_TLS_ALERT_HANDSHAKE_FAILURE,
       "server: handshake_failure");
    side_free(c);
    side_free(s);
}

static void test_resume(void)
{
    struct side *c = side_new(11), *s = side_new(12);
    s->cfg.ticket_key = ticket_key;
    start(c, MOTE_TLS_CLIENT, "r.example", NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s), "first handshake");
    struct mote_tls_session sess = *mote_tls_engine_session(&c->e);
    ok(sess.suite != 0 && sess.ticket_len > 0, "client got a ticket");
    ok(!mote_tls_engine_resumed(&c->e), "first was full");
    side_free(c);
    side_free(s);

    c = side_new(13), s = side_new(14);
    s->cfg.ticket_key = ticket_key;
    mote_tls_engine_init(&c->e, &c->cfg, MOTE_TLS_CLIENT, "r.example", &sess,
                         NOW_MS + 5000, c->buf, sizeof c->buf);
    mote_tls_engine_init(&s->e, &s->cfg, MOTE_TLS_SERVER, NULL, NULL,
                         NOW_MS + 5000, s->buf, sizeof s->buf);
    ok(exchange(c, s), "resumed handshake");
    ok(mote_tls_engine_resumed(&c->e) && mote_tls_engine_resumed(&s->e),
       "both say resumed");
    is_int(c->v.calls, 0, "no certificate on resumption");
    side_free(c);
    side_free(s);

    /* The server may resume with another suite of the same hash. */
    static const uint16_t cs[] = {MOTE_TLS_AES_128_GCM_SHA256,
                                  MOTE_TLS_CHACHA20_POLY1305_SHA256};
    static const uint16_t ss[] = {MOTE_TLS_CHACHA20_POLY1305_SHA256};
    c = side_new(113), s = side_new(114);
    s->cfg.ticket_key = ticket_key;
    c->cfg.suites = cs;
    c->cfg.nsuites = 2;
    s->cfg.suites = ss;
    s->cfg.nsuites = 1;
    start(c, MOTE_TLS_CLIENT, "r.example", &sess);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s) && mote_tls_engine_resumed(&c->e) &&
           mote_tls_engine_suite(&c->e) == MOTE_TLS_CHACHA20_POLY1305_SHA256,
       "resumed with ChaCha20 from an AES-128 ticket (both SHA-256)");
    side_free(c);
    side_free(s);

    /* Resumption through a HelloRetryRequest: the second ClientHello's
     * binder covers the HRR transcript. */
    static const uint16_t cg[] = {MOTE_TLS_GROUP_X25519, MOTE_TLS_GROUP_P384};
    static const uint16_t sg[] = {MOTE_TLS_GROUP_P384};
    c = side_new(117), s = side_new(118);
    s->cfg.ticket_key = ticket_key;
    c->cfg.groups = cg;
    c->cfg.ngroups = 2;
    s->cfg.groups = sg;
    s->cfg.ngroups = 1;
    start(c, MOTE_TLS_CLIENT, "r.example", &sess);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s) && mote_tls_engine_resumed(&s->e) &&
           (s->e.flags & 0x10) &&
           mote_tls_engine_group(&c->e) == MOTE_TLS_GROUP_P384,
       "resumed after a HelloRetryRequest");
    side_free(c);
    side_free(s);

    /* A SHA-384 suite cannot use a SHA-256 ticket: full handshake. */
    static const uint16_t s384[] = {MOTE_TLS_AES_256_GCM_SHA384};
    c = side_new(115), s = side_new(116);
    s->cfg.ticket_key = ticket_key;
    s->cfg.suites = s384;
    s->cfg.nsuites = 1;
    start(c, MOTE_TLS_CLIENT, "r.example", &sess);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s) && !mote_tls_engine_resumed(&c->e),
       "SHA-384 suite: ticket ignored, full handshake");
    side_free(c);
    side_free(s);

    /* Expired ticket: full handshake. */
    c = side_new(15), s = side_new(16);
    s->cfg.ticket_key = ticket_key;
    s->cfg.ticket_lifetime = 10;
    uint64_t later = NOW_MS + 7200ull * 1000 + 1;
    sess.lifetime_s = 100000; /* the client would still try */
    mote_tls_engine_init(&c->e, &c->cfg, MOTE_TLS_CLIENT, "r.example", &sess,
                         later, c->buf, sizeof c->buf);
    mote_tls_engine_init(&s->e, &s->cfg, MOTE_TLS_SERVER, NULL, NULL, later,
                         s->buf, sizeof s->buf);
    ok(exchange(c, s) && !mote_tls_engine_resumed(&s->e),
       "expired ticket: full handshake");
    side_free(c);
    side_free(s);

    /* A ticket under another key: full handshake. */
    static const uint8_t other[32] = "another ticket key.............";
    c = side_new(17), s = side_new(18);
    s->cfg.ticket_key = other;
    start(c, MOTE_TLS_CLIENT, "r.example", &sess);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s) && !mote_tls_engine_resumed(&s->e),
       "foreign ticket: full handshake");
    side_free(c);
    side_free(s);

    /* A bad binder: decrypt_error. The binder closes the ClientHello. */
    c = side_new(19), s = side_new(20);
    s->cfg.ticket_key = ticket_key;
    start(c, MOTE_TLS_CLIENT, "r.example", &sess);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    size_t n;
    uint8_t *rec = mote_tls_engine_sendrec_buf(&c->e, &n);
    rec[n - 1] ^= 1;
    pump(c, s, 0);
    int err, alert;
    err_of(s, &err, &alert);
    ok(err == MOTE_EAUTH && alert == MOTE_TLS_ALERT_DECRYPT_ERROR,
       "bad binder: decrypt_error (%d %d)", err, alert);
    side_free(c);
    side_free(s);
}

static void test_key_update(void)
{
    struct side *c = side_new(21), *s = side_new(22);
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s), "handshake");
    uint8_t before[48];
    memcpy(before, s->e.wr.secret, 48);
    is_int(mote_tls_engine_key_update(&c->e, 1), 0, "client KeyUpdate");
    ok(exchange(c, s), "data after KeyUpdate (requested)");
    ok(memcmp(before, s->e.wr.secret, 48) != 0, "server updated too");
    is_int(mote_tls_engine_key_update(&s->e, 0), 0, "server KeyUpdate");
    is_int(mote_tls_engine_key_update(&s->e, 0), 0, "and again");
    ok(exchange(c, s), "data after two more");
    side_free(c);
    side_free(s);
}

/* Near the AES-GCM record limit the engine updates its keys by itself. */
static void test_auto_key_update(void)
{
    struct side *c = side_new(150), *s = side_new(151);
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s), "handshake");
    unsigned before = s->e.rd_epoch;
    c->e.wr.seq = s->e.rd.seq = (1ull << 23) - 1; /* both ends agree */
    ok(exchange(c, s), "data across the limit");
    is_int(s->e.rd_epoch, before + 1, "the client updated its keys once");
    ok(c->e.wr.seq < 10, "and its sequence number restarted");
    side_free(c);
    side_free(s);
}

static void test_alpn(void)
{
    struct side *c = side_new(23), *s = side_new(24);
    c->cfg.alpn[0] = "h2";
    c->cfg.alpn[1] = "http/1.1";
    c->cfg.nalpn = 2;
    s->cfg.alpn[0] = "http/1.1";
    s->cfg.alpn[1] = "h2";
    s->cfg.nalpn = 2;
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s), "handshake");
    is_str(mote_tls_engine_alpn(&c->e), "http/1.1", "server's preference");
    is_str(mote_tls_engine_alpn(&s->e), "http/1.1", "same on the server");
    side_free(c);
    side_free(s);

    c = side_new(25), s = side_new(26);
    c->cfg.alpn[0] = "h2";
    c->cfg.nalpn = 1;
    s->cfg.alpn[0] = "imap";
    s->cfg.nalpn = 1;
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    pump(c, s, 0);
    int err, alert;
    err_of(c, &err, &alert);
    is_int(alert, MOTE_TLS_ALERT_NO_APPLICATION_PROTOCOL, "no common protocol");
    side_free(c);
    side_free(s);
}

static void test_sni(void)
{
    const char *hosts[] = {"p256.example", "x.p384.example", "other.test",
                           "P256.EXAMPLE"};
    const char *want[] = {"p256.example", "p384.example", "ed.example",
                          "p256.example"};
    for (int i = 0; i < 4; i++) {
        struct side *c = side_new(27), *s = side_new(28);
        set_id(&s->ids[0], &c_ed, &k_ed, NULL);
        set_id(&s->ids[1], &c_p256, &k_p256, "p256.example");
        set_id(&s->ids[2], &c_p384, &k_p384, "*.p384.example");
        s->cfg.nids = 3;
        start(c, MOTE_TLS_CLIENT, hosts[i], NULL);
        start(s, MOTE_TLS_SERVER, NULL, NULL);
        ok(exchange(c, s), "handshake for %s", hosts[i]);
        is_str(c->v.name, want[i], "SNI case %d: the right certificate", i);
        is_str(mote_tls_engine_server_name(&s->e), hosts[i],
               "server saw the name");
        side_free(c);
        side_free(s);
    }
}

/* RFC 6066 section 3: an IP literal is not sent as server_name, but the
 * verify callback still gets it (to check iPAddress names); a server that
 * acknowledges a server_name we did not send is refused. */
static void test_sni_ip(void)
{
    static const char *const hosts[] = {"192.0.2.1", "2001:db8::1",
                                        "[2001:db8::1]", "::ffff:192.0.2.1",
                                        "192.0.2.example"};
    for (int i = 0; i < 5; i++) {
        struct side *c = side_new(29), *s = side_new(30);
        const char *h = hosts[i];
        int dns = i == 4;
        start(c, MOTE_TLS_CLIENT, h, NULL);
        start(s, MOTE_TLS_SERVER, NULL, NULL);
        ok(exchange(c, s), "handshake with host %s", h);
        const char *seen = mote_tls_engine_server_name(&s->e);
        ok(strcmp(seen, dns ? h : "") == 0,
           "host %s: server_name %s (server saw \"%s\")", h,
           dns ? "sent" : "not sent", seen);
        ok(strcmp(c->v.host, h) == 0,
           "host %s: the verify callback got it (\"%s\")", h, c->v.host);
        side_free(c);
        side_free(s);
    }
}

static void test_pss_params(void)
{
    static struct mote_tls_privkey k_any, k_384;
    static struct tcert c_any, c_384;
    keys_init();
    if (!have_rsa) {
        ok(0, "RSA test key loaded from %s", RSA_KEY_FILE);
        return;
    }
    k_any = k_rsa;
    k_any.type = MOTE_TLS_KEY_RSA_PSS;
    k_384 = k_any;
    k_384.pss_hash = MOTE_HASH_SHA384;
    tcert_make(&c_any, &k_any, "pss.example");
    tcert_make(&c_384, &k_384, "pss384.example");
    static const uint16_t only256 = MOTE_TLS_SIG_RSA_PSS_PSS_SHA256;
    for (int v12 = 0; v12 < 2; v12++) {
        const char *ver = v12 ? "1.2" : "1.3";
        uint16_t want = v12 ? MOTE_TLS_VERSION_12 : MOTE_TLS_VERSION_13;
        for (int i = 0; i < 3; i++) {
            struct side *c = side_new(40 + (uint32_t)i), *s = side_new(43);
            c->cfg.min_version = c->cfg.max_version = want;
            /* 0: a restricted key; 1: it, to a client offering only
             * pss_sha256; 2: an unrestricted server key behind a
             * restricted certificate (the client must catch it). */
            if (i == 1) {
                c->cfg.sigschemes = &only256;
                c->cfg.nsigschemes = 1;
            }
            set_id(&s->ids[0], &c_384, i == 2 ? &k_any : &k_384, NULL);
            start(c, MOTE_TLS_CLIENT, "example.com", NULL);
            start(s, MOTE_TLS_SERVER, NULL, NULL);
            int good = exchange(c, s), err, alert, cerr, calert;
            err_of(s, &err, &alert);
            err_of(c, &cerr, &calert);
            if (i == 0)
                ok(good && mote_tls_engine_version(&c->e) == want &&
                       mote_tls_engine_sigscheme(&s->e) ==
                           MOTE_TLS_SIG_RSA_PSS_PSS_SHA384 &&
                       mote_tls_engine_sigscheme(&c->e) ==
                           MOTE_TLS_SIG_RSA_PSS_PSS_SHA384,
                   "%s: a SHA-384 PSS key signs rsa_pss_pss_sha384 (got "
                   "%04x)",
                   ver, mote_tls_engine_sigscheme(&s->e));
            else if (i == 1)
                ok(!good && err == MOTE_ENOTSUP &&
                       alert == MOTE_TLS_ALERT_HANDSHAKE_FAILURE,
                   "%s: a SHA-384 PSS key, client offering only "
                   "pss_sha256: handshake_failure (server %d/%d)",
                   ver, err, alert);
            else
                ok(!good && calert == MOTE_TLS_ALERT_ILLEGAL_PARAMETER &&
                       mote_tls_engine_sigscheme(&s->e) == only256,
                   "%s: a pss_sha256 signature under a SHA-384-only "
                   "certificate: the client refuses (illegal_parameter; "
                   "client %d/%d)",
                   ver, cerr, calert);
            side_free(c);
            side_free(s);
        }
    }
    /* The unrestricted key still signs every PSS hash. */
    for (int h = 0; h < 3; h++) {
        uint16_t sc = (uint16_t)(MOTE_TLS_SIG_RSA_PSS_PSS_SHA256 + h);
        struct side *c = side_new(50 + (uint32_t)h), *s = side_new(53);
        c->cfg.sigschemes = &sc;
        c->cfg.nsigschemes = 1;
        set_id(&s->ids[0], &c_any, &k_any, NULL);
        start(c, MOTE_TLS_CLIENT, "example.com", NULL);
        start(s, MOTE_TLS_SERVER, NULL, NULL);
        ok(exchange(c, s) && mote_tls_engine_sigscheme(&c->e) == sc,
           "a PSS key without parameters signs %04x", sc);
        side_free(c);
        side_free(s);
    }
}

/* mote_tls_x509_verify with a verified-signature cache: real certificates
 * (a P-256 CA and leaf made by the X.509 generator), the client verifying
 * through the X.509 library; the first connection verifies the chain's
 * signature (a miss), the second finds it in the cache (a hit) and still
 * checks the rest (a wrong host name is still refused). */
static void test_x509_sigcache(void)
{
    static struct mote_x509_privkey cak, lk;
    static uint8_t cader[1024], lder[1024], caname[256];
    static struct mote_x509_sigcache_entry slots[8];
    static struct mote_x509_sigcache cache;
    static struct mote_x509_trust trust;
    static struct mote_x509_anchor anchors[2];
    static uint8_t tbuf[4096], spki[256];
    static struct mote_tls_x509_verifier xv;
    static struct mote_tls_privkey tk;
    struct trng r;
    size_t calen = 0, llen = 0, nlen = 0, slen = 0;
    trng_seed(&r, 4242);
    int64_t now = (int64_t)(NOW_MS / 1000);
    struct mote_x509_gen_cert ca = {0}, leaf = {0};
    struct mote_x509_gen_issuer self = {0}, byca = {0};
    struct mote_x509_gen_san san = {MOTE_X509_GEN_SAN_DNS, "example.com", {0}};
    int err = mote_x509_gen_key(&cak, MOTE_X509_GEN_KEY_P256, trng_fill, &r);
    if (!err)
        err = mote_x509_gen_key(&lk, MOTE_X509_GEN_KEY_P256, trng_fill, &r);
    ca.subject.cn = "tls test ca";
    ca.not_before = now - 3600;
    ca.not_after = now + 86400;
    ca.ca = true;
    ca.path_len = -1;
    self.key = &cak;
    if (!err)
        err = mote_x509_gen_spki_write(&cak, spki, sizeof spki, &slen);
    ca.spki = spki;
    ca.spki_len = slen;
    if (!err)
        err = mote_x509_gen_cert_write(&ca, &self, cader, sizeof cader, &calen,
                                       trng_fill, &r);
    if (!err)
        err =
            mote_x509_gen_name_write(&ca.subject, caname, sizeof caname, &nlen);
    leaf.subject.cn = "example.com";
    leaf.not_before = now - 3600;
    leaf.not_after = now + 86400;
    leaf.path_len = -1;
    leaf.san = &san;
    leaf.nsan = 1;
    leaf.eku = MOTE_X509_GEN_EKU_SERVER;
    byca.name = caname;
    byca.name_len = nlen;
    byca.key = &cak;
    if (!err)
        err = mote_x509_gen_spki_write(&lk, spki, sizeof spki, &slen);
    leaf.spki = spki;
    leaf.spki_len = slen;
    if (!err)
        err = mote_x509_gen_cert_write(&leaf, &byca, lder, sizeof lder, &llen,
                                       trng_fill, &r);
    mote_x509_trust_init(&trust, anchors, 2, tbuf, sizeof tbuf);
    if (!err)
        err = mote_x509_trust_add_der(&trust, cader, calen);
    ok(!err, "CA and leaf made, CA trusted (%d)", err);
    if (err)
        return;
    tk.type = MOTE_TLS_KEY_EC;
    tk.ec.curve = lk.curve;
    memcpy(tk.ec.d, lk.scalar, lk.scalar_len);
    const uint8_t *certs[1] = {lder};
    size_t lens[1] = {llen};
    mote_x509_sigcache_init(&cache, slots, 8);
    xv.trust = &trust;
    xv.now = now;
    xv.sigcache = &cache;
    const char *hosts[] = {"example.com", "example.com", "other.example"};
    for (int i = 0; i < 3; i++) {
        struct side *c = side_new(60 + (uint32_t)i), *sv = side_new(63);
        c->cfg.verify = mote_tls_x509_verify;
        c->cfg.verify_ctx = &xv;
        sv->ids[0].certs = certs;
        sv->ids[0].cert_lens = lens;
        sv->ids[0].ncerts = 1;
        sv->ids[0].key = &tk;
        uint64_t hits = cache.hits, misses = cache.misses;
        start(c, MOTE_TLS_CLIENT, hosts[i], NULL);
        start(sv, MOTE_TLS_SERVER, NULL, NULL);
        int good = exchange(c, sv), cerr, calert;
        err_of(c, &cerr, &calert);
        if (i == 0)
            ok(good && cache.misses > misses && cache.hits == hits,
               "first connection: the chain verified, its signature cached "
               "(misses %llu, hits %llu)",
               (unsigned long long)cache.misses,
               (unsigned long long)cache.hits);
        else if (i == 1)
            ok(good && cache.hits > hits && cache.misses == misses,
               "second connection: the signature found in the cache (hits "
               "%llu)",
               (unsigned long long)cache.hits);
        else
            ok(!good && calert == MOTE_TLS_ALERT_BAD_CERTIFICATE,
               "a cached chain still gets the name check: other.example "
               "refused (bad_certificate, alert %d)",
               calert);
        side_free(c);
        side_free(sv);
    }
    xv.sigcache = NULL;
    mote_x509_privkey_clear(&cak);
    mote_x509_privkey_clear(&lk);
    mote_memzero_explicit(&tk, sizeof tk);
}

static void test_client_cert(void)
{
    struct side *c = side_new(29), *s = side_new(30);
    s->cfg.client_auth = 2;
    set_id(&c->ids[0], &c_p256, &k_p256, NULL);
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s), "handshake with a client certificate");
    is_str(s->v.name, "p256.example", "server verified the client's cert");
    ok(c->e.client_cert_sent && s->e.client_cert_sent, "cert sent/received");
    side_free(c);
    side_free(s);

    /* Required but the client has none that fits: certificate_required. */
    static const uint16_t only_ed[] = {MOTE_TLS_SIG_ED25519};
    c = side_new(31), s = side_new(32);
    s->cfg.client_auth = 2;
    set_id(&c->ids[0], &c_p256, &k_p256, NULL);
    c->cfg.sigschemes = only_ed;
    c->cfg.nsigschemes = 1;
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    pump(c, s, 0);
    int err, alert;
    err_of(s, &err, &alert);
    is_int(alert, MOTE_TLS_ALERT_CERTIFICATE_REQUIRED, "certificate_required");
    side_free(c);
    side_free(s);

    /* Optional: no certificate is fine. */
    c = side_new(33), s = side_new(34);
    s->cfg.client_auth = 1;
    c->cfg.nids = 0;
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s) && !s->e.client_cert_sent, "optional, none sent");
    side_free(c);
    side_free(s);

    /* The server refuses the client's certificate. */
    c = side_new(35), s = side_new(36);
    s->cfg.client_auth = 2;
    s->v.refuse = MOTE_TLS_ALERT_UNKNOWN_CA;
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    pump(c, s, 0);
    err_of(c, &err, &alert);
    ok(err == MOTE_ECONNRESET && alert == MOTE_TLS_ALERT_UNKNOWN_CA,
       "client told unknown_ca");
    side_free(c);
    side_free(s);
}

/* Resumption and client authentication: a ticket from a session whose
 * client did not authenticate (optional client_auth, no certificate) must
 * not resume on a server that requires a client certificate (same ticket
 * key): that server makes a full handshake and asks for one. A session
 * whose client did authenticate resumes there. */
static void test_resume_client_auth(void)
{
    struct auth_resume r;
    auth_resume_run(9100, 0, 1, NULL, NULL, 2, NULL, NULL, &r);
    ok(r.first_ok && !r.done && !r.resumed &&
           r.alert == MOTE_TLS_ALERT_CERTIFICATE_REQUIRED,
       "1.3: unauthenticated ticket, client auth required, no certificate: "
       "not resumed, certificate_required (done %d resumed %d alert %d)",
       r.done, r.resumed, r.alert);
    auth_resume_run(9110, 0, 1, NULL, NULL, 2, &c_p256, &k_p256, &r);
    ok(r.first_ok && r.done && !r.resumed && r.calls == 1,
       "1.3: unauthenticated ticket, client auth required: a full handshake "
       "with the client's certificate (resumed %d, callback %d)",
       r.resumed, r.calls);
    ok(r.s_auth[1] && tcert_is(r.s_hash[1], &c_p256),
       "1.3: ... and the server reports the client's new certificate");
    auth_resume_run(9120, 0, 2, &c_p384, &k_p384, 2, &c_p256, &k_p256, &r);
    ok(r.first_ok && r.done && r.resumed && r.calls == 0,
       "1.3: authenticated ticket resumes where client auth is required");
    ok(r.s_auth[0] && tcert_is(r.s_hash[0], &c_p384) && r.s_auth[1] &&
           tcert_is(r.s_hash[1], &c_p384),
       "1.3: the resumed session reports the original client certificate "
       "(P-384, not the P-256 one the client now holds)");
    ok(r.c_auth[0] && r.c_auth[1] && tcert_is(r.c_hash[0], &c_p256) &&
           tcert_is(r.c_hash[1], &c_p256),
       "1.3: the client reports the server's certificate after both");
    auth_resume_run(9130, 0, 1, NULL, NULL, 1, NULL, NULL, &r);
    ok(r.first_ok && r.done && r.resumed,
       "1.3: unauthenticated ticket resumes where client auth is optional");
    ok(!r.s_auth[0] && !r.s_auth[1] && r.c_auth[1],
       "1.3: ... and the server reports no client certificate");
    auth_resume_run(9140, 0, 2, &c_p256, &k_p256, 0, NULL, NULL, &r);
    ok(r.done && r.resumed && r.s_auth[1] && tcert_is(r.s_hash[1], &c_p256),
       "1.3: an authenticated session resumed where no certificate is asked "
       "keeps its identity");
}

static void test_refused_server(void)
{
    struct side *c = side_new(37), *s = side_new(38);
    c->v.refuse = MOTE_TLS_ALERT_CERTIFICATE_EXPIRED;
    start(c, MOTE_TLS_CLIENT, "x.example", NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    pump(c, s, 0);
    int err, alert;
    err_of(c, &err, &alert);
    ok(err == MOTE_EAUTH && alert == MOTE_TLS_ALERT_CERTIFICATE_EXPIRED,
       "client refuses: certificate_expired");
    err_of(s, &err, &alert);
    ok(err == MOTE_ECONNRESET && alert == MOTE_TLS_ALERT_CERTIFICATE_EXPIRED,
       "server got the alert");
    side_free(c);
    side_free(s);
}

/* A server whose CertificateVerify is by another key than its cert's. */
static void test_bad_cert_verify(void)
{
    struct side *c = side_new(39), *s = side_new(40);
    static struct mote_tls_privkey wrong;
    wrong = k_ed;
    wrong.ed25519[0] ^= 1;
    set_id(&s->ids[0], &c_ed, &wrong, NULL);
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    pump(c, s, 0);
    int err, alert;
    err_of(c, &err, &alert);
    ok(err == MOTE_EAUTH && alert == MOTE_TLS_ALERT_DECRYPT_ERROR,
       "bad CertificateVerify: decrypt_error");
    side_free(c);
    side_free(s);
}

static void test_tampered(void)
{
    /* Every byte of the server's first flight after the ServerHello and
     * ChangeCipherSpec, flipped in turn, ends in bad_record_mac. */
    struct side *c = side_new(41), *s = side_new(42);
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    xfer(c, s, 0);
    size_t n;
    uint8_t *out = mote_tls_engine_sendrec_buf(&s->e, &n);
    static uint8_t flight[8192];
    memcpy(flight, out, n);
    size_t flen = n;
    side_free(c);
    side_free(s);
    size_t shlen = 5 + ((size_t)flight[3] << 8 | flight[4]) + 6;
    int bad = 0, tried = 0;
    /* Mark the record headers: only protected bytes are flipped. */
    static uint8_t header[8192];
    memset(header, 0, sizeof header);
    for (size_t r = 0; r + 5 <= flen;) {
        memset(header + r, 1, 5);
        r += 5 + ((size_t)flight[r + 3] << 8 | flight[r + 4]);
    }
    for (size_t i = shlen + 5; i < flen; i += 3) {
        if (header[i])
            continue;
        c = side_new(41);
        start(c, MOTE_TLS_CLIENT, NULL, NULL);
        mote_tls_engine_sendrec_ack(&c->e, 10000);
        uint8_t *in = mote_tls_engine_recvrec_buf(&c->e, &n);
        memcpy(in, flight, flen);
        in[i] ^= 0x40;
        mote_tls_engine_recvrec_ack(&c->e, flen);
        int err, alert;
        err_of(c, &err, &alert);
        tried++;
        if (!(err == MOTE_EAUTH && alert == MOTE_TLS_ALERT_BAD_RECORD_MAC)) {
            if (!bad)
                printf("# offset %zu: err %d alert %d\n", i, err, alert);
            bad++;
        }
        side_free(c);
    }
    ok(tried > 50 && bad == 0, "%d tampered flights all bad_record_mac", tried);
}

static void test_wrong_finished(void)
{
    struct side *c = side_new(43), *s = side_new(44);
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    xfer(c, s, 0);
    /* Feed only the ServerHello record, then spoil the secret the client
     * will check the server's Finished with (its read keys are already
     * installed, so the records still decrypt). */
    size_t n, m;
    uint8_t *out = mote_tls_engine_sendrec_buf(&s->e, &n);
    size_t shlen = 5 + ((size_t)out[3] << 8 | out[4]);
    uint8_t *in = mote_tls_engine_recvrec_buf(&c->e, &m);
    memcpy(in, out, shlen);
    mote_tls_engine_recvrec_ack(&c->e, shlen);
    mote_tls_engine_sendrec_ack(&s->e, shlen);
    c->e.s_hs[0] ^= 1;
    pump(c, s, 0);
    int err, alert;
    err_of(c, &err, &alert);
    ok(err == MOTE_EAUTH && alert == MOTE_TLS_ALERT_DECRYPT_ERROR,
       "wrong server Finished: decrypt_error (%d %d)", err, alert);
    side_free(c);
    side_free(s);
}

/* Feed raw bytes to a fresh server; return its alert. */
static int server_alert_for(const uint8_t *bytes, size_t len)
{
    struct side *s = side_new(50);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    size_t n;
    uint8_t *in = mote_tls_engine_recvrec_buf(&s->e, &n);
    memcpy(in, bytes, len);
    mote_tls_engine_recvrec_ack(&s->e, len);
    int alert;
    mote_tls_engine_error(&s->e, &alert);
    side_free(s);
    return alert;
}

static void test_malformed(void)
{
    struct side *c = side_new(51);
    start(c, MOTE_TLS_CLIENT, "m.example", NULL);
    size_t n;
    uint8_t *ch = mote_tls_engine_sendrec_buf(&c->e, &n);
    static uint8_t buf[4096];
    memcpy(buf, ch, n);
    size_t chlen = n;
    side_free(c);

    /* The intact hello is fine (no alert yet). */
    is_int(server_alert_for(buf, chlen), -1, "intact ClientHello accepted");

    /* Truncated: shorten the handshake message and the record alike. */
    static uint8_t t[4096];
    int bad = 0;
    for (size_t cut = 1; cut < chlen - 9; cut += 3) {
        memcpy(t, buf, chlen);
        size_t body = chlen - 9 - cut;
        t[3] = (uint8_t)((body + 4) >> 8);
        t[4] = (uint8_t)(body + 4);
        t[6] = 0;
        t[7] = (uint8_t)(body >> 8);
        t[8] = (uint8_t)body;
        int a = server_alert_for(t, 9 + body);
        if (a != MOTE_TLS_ALERT_DECODE_ERROR &&
            a != MOTE_TLS_ALERT_ILLEGAL_PARAMETER &&
            a != MOTE_TLS_ALERT_MISSING_EXTENSION &&
            a != MOTE_TLS_ALERT_PROTOCOL_VERSION &&
            a != MOTE_TLS_ALERT_HANDSHAKE_FAILURE) {
            if (!bad)
                printf("# cut %zu: alert %d\n", cut, a);
            bad++;
        }
    }
    is_int(bad, 0, "every truncation refused with a decode-class alert");

    /* A handshake message longer than the buffer. */
    uint8_t big[] = {22, 3, 1, 0, 4, 1, 0x01, 0x00, 0x00};
    is_int(server_alert_for(big, sizeof big), MOTE_TLS_ALERT_DECODE_ERROR,
           "65536-byte handshake message refused");
    /* A record over 2^14 plaintext bytes. */
    uint8_t over[] = {22, 3, 1, 0x40, 0x01};
    is_int(server_alert_for(over, sizeof over), MOTE_TLS_ALERT_RECORD_OVERFLOW,
           "record_overflow");
    /* Application data before the handshake. */
    uint8_t app[] = {23, 3, 3, 0, 1, 'x'};
    is_int(server_alert_for(app, sizeof app), MOTE_TLS_ALERT_UNEXPECTED_MESSAGE,
           "early application data");
    /* A Finished first. */
    uint8_t fin[] = {22, 3, 3, 0, 8, 20, 0, 0, 4, 1, 2, 3, 4};
    is_int(server_alert_for(fin, sizeof fin), MOTE_TLS_ALERT_UNEXPECTED_MESSAGE,
           "Finished as first message");
    /* A ChangeCipherSpec before any hello. */
    uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
    is_int(server_alert_for(ccs, sizeof ccs), MOTE_TLS_ALERT_UNEXPECTED_MESSAGE,
           "ChangeCipherSpec first");
    /* An empty handshake record. */
    uint8_t empty[] = {22, 3, 3, 0, 0};
    is_int(server_alert_for(empty, sizeof empty), MOTE_TLS_ALERT_DECODE_ERROR,
           "zero-length handshake record");
    /* An unknown content type. */
    uint8_t odd[] = {99, 3, 3, 0, 1, 0};
    is_int(server_alert_for(odd, sizeof odd), MOTE_TLS_ALERT_UNEXPECTED_MESSAGE,
           "unknown content type");
}

/* Patch the client's key share in its ClientHello. */
static void test_bad_shares(void)
{
    static const uint16_t x[] = {MOTE_TLS_GROUP_X25519};
    static const uint16_t p[] = {MOTE_TLS_GROUP_P256};
    for (int which = 0; which < 2; which++) {
        struct side *c = side_new(60), *s = side_new(61);
        c->cfg.groups = which ? p : x;
        c->cfg.ngroups = 1;
        start(c, MOTE_TLS_CLIENT, NULL, NULL);
        start(s, MOTE_TLS_SERVER, NULL, NULL);
        size_t n;
        uint8_t *ch = mote_tls_engine_sendrec_buf(&c->e, &n);
        uint8_t pub[MOTE_EC_MAX_POINT_LEN];
        size_t pl;
        if (which) {
            mote_ec_public(MOTE_EC_P256, pub, c->e.ec_priv);
            pl = 65;
        } else {
            mote_x25519_public(pub, c->e.x25519_priv);
            pl = 32;
        }
        uint8_t *at = NULL;
        for (size_t i = 0; i + pl <= n; i++)
            if (!memcmp(ch + i, pub, pl))
                at = ch + i;
        ok(at != NULL, "found the share");
        if (at && which)
            at[64] ^= 1; /* off the curve */
        else if (at)
            memset(at, 0, 32); /* low order: all-zero shared secret */
        pump(c, s, 0);
        int err, alert;
        err_of(s, &err, &alert);
        is_int(alert, MOTE_TLS_ALERT_ILLEGAL_PARAMETER,
               which ? "P-256 point off the curve refused"
                     : "X25519 all-zero secret refused");
        side_free(c);
        side_free(s);
    }
}

static void test_downgrade(void)
{
    for (int sentinel = 0; sentinel < 2; sentinel++) {
        struct side *c = side_new(70);
        start(c, MOTE_TLS_CLIENT, NULL, NULL);
        size_t n;
        mote_tls_engine_sendrec_buf(&c->e, &n);
        mote_tls_engine_sendrec_ack(&c->e, n);
        /* A TLS 1.2 ServerHello (no supported_versions). */
        uint8_t sh[5 + 4 + 2 + 32 + 1 + 32 + 3];
        uint8_t *p = sh;
        memcpy(p, "\x16\x03\x03", 3);
        p[3] = 0;
        p[4] = sizeof sh - 5;
        p += 5;
        *p++ = 2;
        *p++ = 0;
        *p++ = 0;
        *p++ = sizeof sh - 9;
        *p++ = 3;
        *p++ = 3;
        memset(p, 0x55, 32);
        if (sentinel)
            memcpy(p + 24, "DOWNGRD\x01", 8);
        p += 32;
        *p++ = 32;
        memcpy(p, c->e.session_id, 32);
        p += 32;
        *p++ = 0x13;
        *p++ = 0x01;
        *p++ = 0;
        uint8_t *in = mote_tls_engine_recvrec_buf(&c->e, &n);
        memcpy(in, sh, sizeof sh);
        mote_tls_engine_recvrec_ack(&c->e, sizeof sh);
        int alert;
        mote_tls_engine_error(&c->e, &alert);
        is_int(alert,
               sentinel ? MOTE_TLS_ALERT_ILLEGAL_PARAMETER
                        : MOTE_TLS_ALERT_PROTOCOL_VERSION,
               sentinel ? "TLS 1.2 ServerHello with the sentinel"
                        : "TLS 1.2 ServerHello");
        side_free(c);
    }
}

/* Record the server's flight once (the rngs make it repeatable), then feed
 * it to a fresh client whole, byte by byte and split at every offset. */
static void test_split(void)
{
    static uint8_t flight[16384];
    size_t flen = 0, n;
    struct side *c = side_new(80), *s = side_new(81);
    s->cfg.ticket_key = ticket_key;
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    xfer(c, s, 0);
    uint8_t *out = mote_tls_engine_sendrec_buf(&s->e, &n);
    memcpy(flight, out, n);
    flen = n;
    side_free(c);
    side_free(s);

    int fails = 0;
    for (size_t split = 0; split <= flen; split++) {
        c = side_new(80);
        start(c, MOTE_TLS_CLIENT, NULL, NULL);
        mote_tls_engine_sendrec_ack(&c->e, 100000);
        size_t parts[2] = {split, flen - split}, off = 0;
        for (int k = 0; k < 2; k++) {
            uint8_t *in = mote_tls_engine_recvrec_buf(&c->e, &n);
            if (!in || n < parts[k])
                break;
            memcpy(in, flight + off, parts[k]);
            mote_tls_engine_recvrec_ack(&c->e, parts[k]);
            off += parts[k];
            mote_tls_engine_sendrec_ack(&c->e, 100000);
        }
        if (!mote_tls_engine_handshake_done(&c->e) ||
            mote_tls_engine_error(&c->e, NULL))
            fails++;
        side_free(c);
    }
    is_int(fails, 0, "%zu split points", flen + 1);

    c = side_new(80);
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    for (size_t i = 0; i < flen; i++) {
        mote_tls_engine_sendrec_ack(&c->e, 100000);
        uint8_t *in = mote_tls_engine_recvrec_buf(&c->e, &n);
        if (!in)
            break;
        in[0] = flight[i];
        mote_tls_engine_recvrec_ack(&c->e, 1);
    }
    ok(mote_tls_engine_handshake_done(&c->e) &&
           !mote_tls_engine_error(&c->e, NULL),
       "byte by byte");
    side_free(c);

    /* Both directions, chunks of 1..7 bytes. */
    for (size_t chunk = 1; chunk < 8; chunk++) {
        c = side_new(82), s = side_new(83);
        start(c, MOTE_TLS_CLIENT, NULL, NULL);
        start(s, MOTE_TLS_SERVER, NULL, NULL);
        pump(c, s, chunk);
        ok(both_done(c, s), "both ways in %zu-byte pieces", chunk);
        side_free(c);
        side_free(s);
    }
}

static void test_export(void)
{
    struct side *c = side_new(140), *s = side_new(141);
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    uint8_t a[40], b[40], x[40];
    is_int(mote_tls_engine_export(&c->e, "EXPORTER-test", "ctx", 3, a, 40),
           MOTE_EAGAIN, "no exporter before the handshake");
    ok(exchange(c, s), "handshake");
    mote_tls_engine_export(&c->e, "EXPORTER-test", "ctx", 3, a, sizeof a);
    mote_tls_engine_export(&s->e, "EXPORTER-test", "ctx", 3, b, sizeof b);
    ok(!memcmp(a, b, sizeof a), "both ends export the same bytes");
    mote_tls_engine_export(&s->e, "EXPORTER-tesu", "ctx", 3, x, sizeof x);
    ok(memcmp(a, x, sizeof a) != 0, "another label, other bytes");
    mote_tls_engine_export(&s->e, "EXPORTER-test", NULL, 0, x, sizeof x);
    ok(memcmp(a, x, sizeof a) != 0, "another context, other bytes");
    side_free(c);
    side_free(s);
}

static void test_close(void)
{
    struct side *c = side_new(90), *s = side_new(91);
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    ok(exchange(c, s), "handshake");
    write_app(c, "last", 4);
    mote_tls_engine_close(&c->e);
    ok(!mote_tls_engine_sendapp_buf(&c->e, &(size_t){0}),
       "no writing after close");
    s->ngot = 0;
    pump(c, s, 0);
    ok(s->ngot == 4 && (mote_tls_engine_state(&s->e) & MOTE_TLS_EOF),
       "server read the data, then EOF");
    ok(!(mote_tls_engine_state(&s->e) & MOTE_TLS_CLOSED),
       "server may still write (half close)");
    c->ngot = 0;
    write_app(s, "bye", 3);
    mote_tls_engine_close(&s->e);
    pump(c, s, 0);
    ok(c->ngot == 3, "client read the reply after its close");
    ok((mote_tls_engine_state(&c->e) & MOTE_TLS_CLOSED) &&
           (mote_tls_engine_state(&s->e) & MOTE_TLS_CLOSED),
       "both closed");
    is_int(mote_tls_engine_error(&c->e, NULL), 0, "cleanly");
    side_free(c);
    side_free(s);
}

static void test_record_size_limit(void)
{
    struct side *c = side_new(92), *s = side_new(93);
    c->cfg.record_size_limit = 256;
    s->cfg.record_size_limit = 1024;
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    pump(c, s, 0);
    ok(both_done(c, s), "handshake");
    static uint8_t big[5000];
    write_app(s, big, sizeof big);
    size_t n, off = 0;
    uint8_t *out = mote_tls_engine_sendrec_buf(&s->e, &n);
    int recs = 0, over = 0;
    while (out && off + 5 <= n) {
        size_t l = (size_t)out[off + 3] << 8 | out[off + 4];
        if (l > 255 + 1 + 16)
            over++;
        recs++;
        off += 5 + l;
    }
    ok(recs >= 20 && over == 0, "%d server records, none over 256", recs);
    c->ngot = 0;
    pump(c, s, 0);
    is_int(c->ngot, sizeof big, "all data arrived");
    side_free(c);
    side_free(s);
}

/* A 12 KB certificate chain: one record normally, and cut into many
 * records (handshake messages across records) under a small
 * record_size_limit. */
static void test_big_chain(void)
{
    static uint8_t filler[7][1500];
    static const uint8_t *certs[8];
    static size_t lens[8];
    keys_init();
    certs[0] = c_p256.der;
    lens[0] = c_p256.len;
    for (int i = 0; i < 7; i++) {
        memset(filler[i], 0x30 + i, sizeof filler[i]);
        certs[i + 1] = filler[i];
        lens[i + 1] = sizeof filler[i];
    }
    for (int limited = 0; limited < 2; limited++) {
        struct side *c = side_new(120), *s = side_new(121);
        s->ids[0].certs = certs;
        s->ids[0].cert_lens = lens;
        s->ids[0].ncerts = 8;
        s->ids[0].key = &k_p256;
        if (limited) {
            c->cfg.record_size_limit = 512;
            s->cfg.record_size_limit = 512;
        }
        start(c, MOTE_TLS_CLIENT, NULL, NULL);
        start(s, MOTE_TLS_SERVER, NULL, NULL);
        xfer(c, s, 0);
        size_t n, off = 0;
        uint8_t *out = mote_tls_engine_sendrec_buf(&s->e, &n);
        int recs = 0;
        while (out && off + 5 <= n) {
            off += 5 + ((size_t)out[off + 3] << 8 | out[off + 4]);
            recs++;
        }
        ok(exchange(c, s) && !strcmp(c->v.name, "p256.example"),
           "8-certificate chain (%d records in the server's flight%s)", recs,
           limited ? ", record_size_limit 512" : "");
        ok(limited ? recs > 25 : recs < 8, "record count fits the limit");
        side_free(c);
        side_free(s);
    }
}

/* The ClientHello cut into 1..7-byte handshake records (a message across
 * many records) still makes a handshake; and a message may not straddle a
 * key change: bytes after the server's Finished in its record are refused. */
static void test_fragmented_hello(void)
{
    for (size_t piece = 1; piece < 8; piece++) {
        struct side *c = side_new(130), *s = side_new(131);
        start(c, MOTE_TLS_CLIENT, NULL, NULL);
        start(s, MOTE_TLS_SERVER, NULL, NULL);
        size_t n, m;
        uint8_t *ch = mote_tls_engine_sendrec_buf(&c->e, &n);
        static uint8_t msg[4096];
        size_t len = n - 5;
        memcpy(msg, ch + 5, len);
        mote_tls_engine_sendrec_ack(&c->e, n);
        for (size_t off = 0; off < len; off += piece) {
            size_t k = len - off < piece ? len - off : piece;
            uint8_t *in = mote_tls_engine_recvrec_buf(&s->e, &m);
            in[0] = 22;
            in[1] = 3;
            in[2] = 3;
            in[3] = 0;
            in[4] = (uint8_t)k;
            memcpy(in + 5, msg + off, k);
            mote_tls_engine_recvrec_ack(&s->e, 5 + k);
        }
        pump(c, s, 0);
        ok(both_done(c, s), "ClientHello in %zu-byte records", piece);
        side_free(c);
        side_free(s);
    }

    /* The ServerHello record with the start of another message after it:
     * that message would straddle the key change. */
    struct side *c = side_new(132), *s = side_new(133);
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    xfer(c, s, 0);
    size_t n, m;
    uint8_t *out = mote_tls_engine_sendrec_buf(&s->e, &n);
    size_t shlen = (size_t)out[3] << 8 | out[4];
    uint8_t *in = mote_tls_engine_recvrec_buf(&c->e, &m);
    memcpy(in, out, 5 + shlen);
    memcpy(in + 5 + shlen, "\x08\x00\x00\x02", 4); /* an EE header */
    in[3] = (uint8_t)((shlen + 4) >> 8);
    in[4] = (uint8_t)(shlen + 4);
    mote_tls_engine_recvrec_ack(&c->e, 5 + shlen + 4);
    int alert;
    mote_tls_engine_error(&c->e, &alert);
    is_int(alert, MOTE_TLS_ALERT_UNEXPECTED_MESSAGE,
           "a message straddling the key change is refused");
    side_free(c);
    side_free(s);
}

/* A ClientHello offering early_data: the server never accepts 0-RTT, so it
 * skips records it cannot decrypt with the handshake keys, up to a bound
 * (RFC 8446 4.2.10), then treats the rest as bad_record_mac. */
/* A fresh client's ClientHello record with one more extension (type, body)
 * inserted first; returns its length. */
static size_t hello_with_ext(uint8_t *rec, unsigned type, const uint8_t *body,
                             size_t blen)
{
    struct side *c = side_new(160);
    start(c, MOTE_TLS_CLIENT, NULL, NULL);
    size_t n;
    uint8_t *ch = mote_tls_engine_sendrec_buf(&c->e, &n);
    size_t at = 5 + 4 + 2 + 32;
    at += 1 + ch[at];                             /* session id */
    at += 2 + ((size_t)ch[at] << 8 | ch[at + 1]); /* suites */
    at += 1 + ch[at];                             /* compression */
    size_t extlen = (size_t)ch[at] << 8 | ch[at + 1];
    size_t add = 4 + blen;
    memcpy(rec, ch, at + 2);
    rec[at + 2] = (uint8_t)(type >> 8);
    rec[at + 3] = (uint8_t)type;
    rec[at + 4] = (uint8_t)(blen >> 8);
    rec[at + 5] = (uint8_t)blen;
    if (blen)
        memcpy(rec + at + 6, body, blen);
    memcpy(rec + at + 2 + add, ch + at + 2, n - at - 2);
    size_t len = n + add;
    rec[3] = (uint8_t)((len - 5) >> 8);
    rec[4] = (uint8_t)(len - 5);
    rec[6] = 0;
    rec[7] = (uint8_t)((len - 9) >> 8);
    rec[8] = (uint8_t)(len - 9);
    rec[at] = (uint8_t)((extlen + add) >> 8);
    rec[at + 1] = (uint8_t)(extlen + add);
    side_free(c);
    return len;
}

/* Unknown extensions (GREASE values, anything new) are ignored by a
 * server (RFC 8446 4.2, 9.3); a duplicate known one is refused. */
static void test_unknown_ext(void)
{
    static uint8_t rec[8192];
    static const uint8_t grease[3] = {1, 2, 3};
    const unsigned types[] = {0x0a0a, 0xfafa, 0x0017, 0xff01, 0x001b};
    for (size_t i = 0; i < 5; i++) {
        size_t len = hello_with_ext(rec, types[i], grease, 3);
        struct side *s = side_new(162);
        start(s, MOTE_TLS_SERVER, NULL, NULL);
        size_t n;
        uint8_t *in = mote_tls_engine_recvrec_buf(&s->e, &n);
        memcpy(in, rec, len);
        mote_tls_engine_recvrec_ack(&s->e, len);
        uint8_t *out = mote_tls_engine_sendrec_buf(&s->e, &n);
        ok(!mote_tls_engine_error(&s->e, NULL) && out && out[5] == 2,
           "extension %04x ignored: ServerHello sent", types[i]);
        side_free(s);
    }
    /* A second supported_versions. */
    static const uint8_t v13[3] = {2, 3, 4};
    size_t len = hello_with_ext(rec, 43, v13, 3);
    is_int(server_alert_for(rec, len), MOTE_TLS_ALERT_ILLEGAL_PARAMETER,
           "duplicate supported_versions refused");
}

/* A ClientHello offering early_data: the server never accepts 0-RTT, so it
 * skips records it cannot decrypt with the handshake keys, up to a bound
 * (RFC 8446 4.2.10), then treats the rest as bad_record_mac. */
static void test_early_data_refused(void)
{
    static uint8_t rec[8192];
    size_t n, len = hello_with_ext(rec, 42, NULL, 0);

    for (int over = 0; over < 2; over++) {
        struct side *s = side_new(161);
        start(s, MOTE_TLS_SERVER, NULL, NULL);
        uint8_t *in = mote_tls_engine_recvrec_buf(&s->e, &n);
        memcpy(in, rec, len);
        mote_tls_engine_recvrec_ack(&s->e, len);
        mote_tls_engine_sendrec_ack(&s->e, 100000);
        /* "0-RTT" records: 4 KB each, under keys the server lacks. */
        int count = over ? 20 : 5;
        for (int i = 0; i < count && !mote_tls_engine_error(&s->e, NULL); i++) {
            static uint8_t junk[5 + 4096];
            junk[0] = 23;
            junk[1] = 3;
            junk[2] = 3;
            junk[3] = 4096 >> 8;
            junk[4] = 0;
            memset(junk + 5, i, 4096);
            in = mote_tls_engine_recvrec_buf(&s->e, &n);
            memcpy(in, junk, sizeof junk);
            mote_tls_engine_recvrec_ack(&s->e, sizeof junk);
        }
        int alert;
        int err = mote_tls_engine_error(&s->e, &alert);
        if (over)
            ok(err == MOTE_EAUTH && alert == MOTE_TLS_ALERT_BAD_RECORD_MAC,
               "beyond the bound: bad_record_mac");
        else
            ok(err == 0 && (mote_tls_engine_state(&s->e) & MOTE_TLS_RECVREC),
               "20 KB of refused 0-RTT skipped, still waiting for Finished");
        side_free(s);
    }
}

/* ---- RFC 8448 section 3
 * ------------------------------------------------------ */

struct vec {
    char name[32];
    uint8_t *b;
    size_t n;
};
static struct vec vecs[40];
static size_t nvecs;

static const struct vec *vget(const char *name)
{
    for (size_t i = 0; i < nvecs; i++)
        if (!strcmp(vecs[i].name, name))
            return &vecs[i];
    printf("# vector %s missing\n", name);
    abort();
}

static int vload(void)
{
    FILE *f = fopen(RFC8448_FILE, "r");
    static char line[4096];
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f) && nvecs < 40) {
        struct vec *v = &vecs[nvecs];
        if (line[0] == '#' || sscanf(line, "%31s", v->name) != 1)
            continue;
        v->b = malloc(2048);
        int n = unhex(line + strlen(v->name) + 1, v->b, 2048);
        if (n < 0)
            return -1;
        v->n = (size_t)n;
        nvecs++;
    }
    fclose(f);
    return 0;
}

static int veq(const uint8_t *got, const char *name)
{
    const struct vec *v = vget(name);
    return !memcmp(got, v->b, v->n);
}

/* An rng that hands out given bytes first (the RFC's server random and
 * ephemeral key), then deterministic ones. */
struct script_rng {
    const uint8_t *p[2];
    size_t n[2];
    int next;
    struct trng rest;
};

static int script_fill(void *ctx, uint8_t *buf, size_t len)
{
    struct script_rng *r = ctx;
    if (r->next < 2 && r->n[r->next] == len) {
        memcpy(buf, r->p[r->next], len);
        r->next++;
        return 0;
    }
    return trng_fill(&r->rest, buf, len);
}

static void test_rfc8448(void)
{
    if (!ok(vload() == 0, "read %s", RFC8448_FILE))
        return;
    enum mote_hash_alg h = MOTE_HASH_SHA256;
    const struct vec *ch = vget("client_hello_record");
    const struct vec *sh = vget("server_hello_record");

    /* The ECDHE input, both ways round. */
    uint8_t ss[32], pub[32];
    mote_x25519_public(pub, vget("client_private")->b);
    ok(veq(pub, "client_public"), "client public key");
    mote_x25519(ss, vget("client_private")->b, vget("server_public")->b);
    ok(veq(ss, "ecdhe"), "client's shared secret");

    /* A Mote server fed the RFC's ClientHello, with the RFC's server random
     * and key as its randomness, answers with the RFC's ServerHello byte
     * for byte and derives the same handshake secrets. */
    struct side *s = side_new(100);
    static struct script_rng sr;
    sr.p[0] = sh->b + 11;
    sr.n[0] = 32;
    sr.p[1] = vget("server_private")->b;
    sr.n[1] = 32;
    trng_seed(&sr.rest, 100);
    s->cfg.rng = script_fill;
    s->cfg.rng_ctx = &sr;
    set_id(&s->ids[0], &c_p256, &k_p256, NULL);
    start(s, MOTE_TLS_SERVER, NULL, NULL);
    size_t n;
    uint8_t *in = mote_tls_engine_recvrec_buf(&s->e, &n);
    memcpy(in, ch->b, ch->n);
    mote_tls_engine_recvrec_ack(&s->e, ch->n);
    uint8_t *out = mote_tls_engine_sendrec_buf(&s->e, &n);
    is_int(mote_tls_engine_error(&s->e, NULL), 0, "server took the hello");
    ok(out && n > sh->n && !memcmp(out, sh->b, sh->n),
       "ServerHello record byte for byte");
    ok(veq(s->e.c_hs, "c_hs_traffic") && veq(s->e.s_hs, "s_hs_traffic"),
       "client and server handshake traffic secrets");
    side_free(s);

    /* The key schedule on the RFC's transcript. */
    struct mote_tls_engine e;
    memset(&e, 0, sizeof e);
    e.hash = h;
    e.hashlen = 32;
    e.cfg = &(struct mote_tls_config){0};
    mote_hash_init(&e.th256, MOTE_HASH_SHA256);
    mote_hash_init(&e.th384, MOTE_HASH_SHA384);
    tls__ks_early(&e, NULL, 32);
    ok(veq(e.secret, "early_secret"), "early secret");
    tls__ks_next(&e, ss, 32);
    ok(veq(e.secret, "handshake_secret"), "handshake secret");
    tls__transcript_add(&e, ch->b + 5, ch->n - 5);
    tls__transcript_add(&e, sh->b + 5, sh->n - 5);
    tls__ks_handshake(&e);
    ok(veq(e.c_hs, "c_hs_traffic") && veq(e.s_hs, "s_hs_traffic"),
       "handshake traffic secrets");

    /* Record protection: keys, IVs, and the server's encrypted flight. */
    static struct mote_tls_aead rd, wr;
    tls__aead_set(&rd, MOTE_TLS_AES_128_GCM_SHA256, h, e.s_hs);
    ok(veq(rd.iv, "s_hs_iv") && veq(rd.u.gcm.rk[0], "s_hs_key"),
       "server handshake key and iv");
    tls__aead_set(&wr, MOTE_TLS_AES_128_GCM_SHA256, h, e.c_hs);
    ok(veq(wr.iv, "c_hs_iv") && veq(wr.u.gcm.rk[0], "c_hs_key"),
       "client handshake key and iv");
    const struct vec *fr = vget("server_flight_record");
    const struct vec *fl = vget("server_flight");
    static uint8_t rec[2048];
    memcpy(rec, fr->b, fr->n);
    unsigned type = 0;
    size_t plen = 0;
    is_int(tls__record_open(&rd, rec, fr->n - 5, &type, &plen), 0,
           "server flight record opens");
    ok(type == CT_HANDSHAKE && plen == fl->n && !memcmp(rec + 5, fl->b, plen),
       "to the RFC's EncryptedExtensions..Finished");

    /* Server Finished over CH..CertificateVerify, then the application
     * secrets over CH..server Finished. */
    size_t fin_at = fl->n - 36;
    uint8_t vd[32];
    tls__transcript_add(&e, fl->b, fin_at);
    tls__finished(&e, e.s_hs, vd);
    ok(veq(vd, "s_finished") && !memcmp(fl->b + fin_at + 4, vd, 32),
       "server Finished verify_data");
    tls__transcript_add(&e, fl->b + fin_at, 36);
    tls__ks_next(&e, NULL, 0);
    ok(veq(e.secret, "master_secret"), "master secret");
    uint8_t c_ap[32], s_ap[32];
    tls__ks_application(&e, c_ap, s_ap);
    ok(veq(c_ap, "c_ap_traffic") && veq(s_ap, "s_ap_traffic"),
       "application traffic secrets");
    ok(veq(e.exp_master, "exp_master"), "exporter master secret");

    /* The client's Finished, sealed exactly as the RFC's record. */
    tls__finished(&e, e.c_hs, vd);
    ok(veq(vd, "c_finished"), "client Finished verify_data");
    uint8_t msg[36] = {HT_FINISHED, 0, 0, 32};
    memcpy(msg + 4, vd, 32);
    memcpy(rec + 5, msg, 36);
    size_t rl = tls__record_seal(&wr, rec, 36, CT_HANDSHAKE);
    const struct vec *cf = vget("client_finished_record");
    ok(rl == cf->n && !memcmp(rec, cf->b, rl),
       "client Finished record byte for byte");
    tls__transcript_add(&e, msg, 36);
    uint8_t th[32], res[32];
    tls__transcript_hash(&e, th);
    tls__derive(h, e.secret, "res master", th, res);
    ok(veq(res, "res_master"), "resumption master secret");
    tls__aead_set(&rd, MOTE_TLS_AES_128_GCM_SHA256, h, s_ap);
    tls__aead_set(&wr, MOTE_TLS_AES_128_GCM_SHA256, h, c_ap);
    ok(veq(rd.iv, "s_ap_iv") && veq(rd.u.gcm.rk[0], "s_ap_key") &&
           veq(wr.iv, "c_ap_iv") && veq(wr.u.gcm.rk[0], "c_ap_key"),
       "application keys and ivs");
    for (size_t i = 0; i < nvecs; i++)
        free(vecs[i].b);
    nvecs = 0;
}

/* mote_tls_privkey_prepare: the server signs with the prepared context
 * (several signatures, so the blinding update is exercised); a context
 * wiped behind the key's back makes the server fail, which shows it is the
 * one used; a non-RSA key needs nothing. */
static void test_rsa_prepared(void)
{
    static struct mote_rsa_prepared ctx;
    static const uint16_t schemes[] = {MOTE_TLS_SIG_RSA_PSS_RSAE_SHA256,
                                       MOTE_TLS_SIG_RSA_PSS_RSAE_SHA384,
                                       MOTE_TLS_SIG_RSA_PSS_RSAE_SHA512};
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
            ok(rsa_sign_run(7000 + 10 * (uint32_t)i + 2 * r, &k, schemes[i], 0,
                            &err),
               "1.3 prepared key signs %04x (#%u)", schemes[i],
               (unsigned)r + 1);
    mote_rsa_prepared_wipe(&ctx);
    int ran = rsa_sign_run(7000 + 99, &k, schemes[0], 0, &err);
    ok(!ran && err < 0, "1.3 wiped context: the server fails (%d)", err);
    k.rsa.pub.n_len = 0;
    ok(mote_tls_privkey_prepare(&k, &ctx) == MOTE_EINVAL && !k.rsa_prepared,
       "a bad RSA key is refused and left unprepared");
}

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    TAP_CASE(test_matrix);
    TAP_CASE(test_rsa_prepared);
    TAP_CASE(test_defaults);
    TAP_CASE(test_hrr);
    TAP_CASE(test_no_common_suite);
    TAP_CASE(test_resume);
    TAP_CASE(test_key_update);
    TAP_CASE(test_auto_key_update);
    TAP_CASE(test_alpn);
    TAP_CASE(test_sni);
    TAP_CASE(test_sni_ip);
    TAP_CASE(test_pss_params);
    TAP_CASE(test_x509_sigcache);
    TAP_CASE(test_client_cert);
    TAP_CASE(test_refused_server);
    TAP_CASE(test_bad_cert_verify);
    TAP_CASE(test_tampered);
    TAP_CASE(test_wrong_finished);
    TAP_CASE(test_malformed);
    TAP_CASE(test_bad_shares);
    TAP_CASE(test_downgrade);
    TAP_CASE(test_split);
    TAP_CASE(test_close);
    TAP_CASE(test_export);
    TAP_CASE(test_record_size_limit);
    TAP_CASE(test_big_chain);
    TAP_CASE(test_fragmented_hello);
    TAP_CASE(test_early_data_refused);
    TAP_CASE(test_unknown_ext);
    TAP_CASE(test_rfc8448);
    TAP_CASE(test_resume_client_auth);
    return tap_done();
}

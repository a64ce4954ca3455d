/* TLS flows over loopback sockets; with arguments, a TLS peer for the
 * interop scripts (tests/interop/tls_*.t):
 *
 *   test_tls_flow server --cert C --key K [--cert2 C --key2 K --name2 N]
 *       [--alpn a,b] [--groups x25519,...] [--suites 1301,...]
 *       [--client-auth 1|2 --ca CA] [--tickets] [--ticket-key TEXT]
 *       [--conns N] [--export L]
 *     listens on 127.0.0.1, prints "PORT n", then per connection one line
 *     "OK key=value ..." (peercert= the first 8 bytes of the SHA-256 of the
 *     peer's leaf, mote_tls_engine_peer_cert, or "-") or "FAIL err=...
 *     alert=...", and echoes the data
 *     received back until close_notify ("GOT n bytes, k key updates").
 *   test_tls_flow client --connect HOST:PORT [--host SNI] [--ca CA]
 *       [--alpn ...] [--groups ...] [--suites ...] [--cert C --key K]
 *       [--sess-in F] [--sess-out F] [--send TEXT] [--key-update]
 *     connects, prints "OK ..." or "FAIL ...", sends TEXT (after a
 *     KeyUpdate with --key-update it sends it again), half-closes and
 *     prints the reply ("REPLY n bytes: ...").
 *
 * Keys and certificates are PEM files read with the X.509 library; the
 * client verifies the server against --ca (path and name) when given, and
 * otherwise only extracts the leaf key. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/mote.h>
#include <mote/tls.h>
#include <mote/x509.h>
#include <mote/x509_verify.h>

#include "tap.h"

#define SEC MOTE_NS_PER_SEC

/* ---- Files, keys, certificates ---------------------------------------------
 */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = malloc(1 << 20); /* peer mode only: kept until exit */
    size_t n = fread(b, 1, (1 << 20) - 1, f);
    fclose(f);
    b[n] = 0;
    *len = n;
    return b;
}

struct ident {
    struct mote_x509_privkey xk;
    struct mote_tls_privkey key;
    struct mote_rsa_prepared rsa_pre; /* RSA: prepared once, at load */
    uint8_t keyder[8192];
    uint8_t der[8][8192];
    const uint8_t *certs[8];
    size_t lens[8];
    size_t n;
};

static int ident_load(struct ident *id, const char *cert, const char *key)
{
    size_t len;
    char *pem = slurp(cert, &len);
    if (!pem)
        return -1;
    struct mote_pem_iter it;
    struct mote_pem_block b;
    mote_pem_iter_init(&it, pem, len);
    id->n = 0;
    while (id->n < 8 && mote_pem_next(&it, &b) == 1) {
        if (!mote_pem_label_is(&b, "CERTIFICATE"))
            continue;
        if (mote_pem_decode(&b, id->der[id->n], sizeof id->der[0],
                            &id->lens[id->n]))
            return -1;
        id->certs[id->n] = id->der[id->n];
        id->n++;
    }
    char *kp = slurp(key, &len);
    if (!kp || !id->n ||
        mote_x509_privkey_parse_pem(&id->xk, kp, len, id->keyder,
                                    sizeof id->keyder, NULL))
        return -1;
    memset(&id->key, 0, sizeof id->key);
    switch (id->xk.type) {
    case MOTE_X509_KEY_ED25519:
        id->key.type = MOTE_TLS_KEY_ED25519;
        memcpy(id->key.ed25519, id->xk.scalar, 32);
        break;
    case MOTE_X509_KEY_EC:
        id->key.type = MOTE_TLS_KEY_EC;
        id->key.ec.curve = id->xk.curve;
        memcpy(id->key.ec.d, id->xk.scalar, id->xk.scalar_len);
        break;
    case MOTE_X509_KEY_RSA:
        id->key.type = MOTE_TLS_KEY_RSA;
        id->key.rsa = id->xk.rsa;
        /* The interop peers (tests/interop/tls_*.t) sign with the
         * prepared key, as a server should. */
        if (mote_tls_privkey_prepare(&id->key, &id->rsa_pre))
            return -1;
        break;
    default:
        return -1;
    }
    return 0;
}

static struct mote_tls_identity make_identity(struct ident *id,
                                              const char *name)
{
    struct mote_tls_identity t = {id->certs, id->lens, id->n, &id->key, name};
    return t;
}

/* ---- Verification: mote_tls_x509_verify over a trust store ------------- */

struct verifier {
    struct mote_x509_trust trust;
    struct mote_x509_anchor slots[16];
    uint8_t buf[65536];
    struct mote_tls_x509_verifier xv;
};

static const char *why(struct verifier *v)
{
    return v->xv.reason ? mote_x509_reason_name(v->xv.reason) : "";
}

static int verifier_init(struct verifier *v, const char *ca,
                         enum mote_x509_purpose purpose)
{
    memset(v, 0, sizeof *v);
    v->xv.purpose = purpose;
    mote_x509_trust_init(&v->trust, v->slots, 16, v->buf, sizeof v->buf);
    if (!ca)
        return 0;
    size_t len, added = 0;
    char *pem = slurp(ca, &len);
    if (!pem || mote_x509_trust_add_pem(&v->trust, pem, len, &added, NULL) ||
        !added)
        return -1;
    v->xv.trust = &v->trust;
    return 0;
}

/* ---- Options
 * ------------------------------------------------------------------ */

struct opts {
    const char *cert, *key, *cert2, *key2, *name2, *ca, *connect, *host;
    const char *sess_in, *sess_out, *send, *export_label, *ticket_key;
    char alpn[256];
    int client_auth, tickets, conns, key_update;
    uint16_t groups[8], suites[8];
    size_t ngroups, nsuites;
    uint16_t min_version, max_version;
};

static uint16_t group_id(const char *s)
{
    if (!strcasecmp(s, "x25519"))
        return MOTE_TLS_GROUP_X25519;
    if (!strcasecmp(s, "p-256") || !strcasecmp(s, "secp256r1") ||
        !strcasecmp(s, "prime256v1"))
        return MOTE_TLS_GROUP_P256;
    if (!strcasecmp(s, "p-384") || !strcasecmp(s, "secp384r1"))
        return MOTE_TLS_GROUP_P384;
    if (!strcasecmp(s, "x25519mlkem768"))
        return MOTE_TLS_GROUP_X25519MLKEM768;
    return (uint16_t)strtoul(s, NULL, 16);
}

static size_t split_list(char *s, uint16_t *out, size_t cap, int groups)
{
    size_t n = 0;
    for (char *t = strtok(s, ",:"); t && n < cap; t = strtok(NULL, ",:"))
        out[n++] = groups ? group_id(t) : (uint16_t)strtoul(t, NULL, 16);
    return n;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
    memset(o, 0, sizeof *o);
    o->conns = 1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int used = 1;
        if (!strcmp(a, "--cert"))
            o->cert = v;
        else if (!strcmp(a, "--key"))
            o->key = v;
        else if (!strcmp(a, "--cert2"))
            o->cert2 = v;
        else if (!strcmp(a, "--key2"))
            o->key2 = v;
        else if (!strcmp(a, "--name2"))
            o->name2 = v;
        else if (!strcmp(a, "--ca"))
            o->ca = v;
        else if (!strcmp(a, "--connect"))
            o->connect = v;
        else if (!strcmp(a, "--host"))
            o->host = v;
        else if (!strcmp(a, "--sess-in"))
            o->sess_in = v;
        else if (!strcmp(a, "--sess-out"))
            o->sess_out = v;
        else if (!strcmp(a, "--send"))
            o->send = v;
        else if (!strcmp(a, "--export"))
            o->export_label = v;
        else if (!strcmp(a, "--ticket-key")) /* SHA-256 of v: the key */
            o->ticket_key = v, o->tickets = 1;
        else if (!strcmp(a, "--alpn") && v)
            snprintf(o->alpn, sizeof o->alpn, "%s", v);
        else if (!strcmp(a, "--client-auth") && v)
            o->client_auth = atoi(v);
        else if (!strcmp(a, "--conns") && v)
            o->conns = atoi(v);
        else if (!strcmp(a, "--groups") && v)
            o->ngroups = split_list(strdup(v), o->groups, 8, 1);
        else if (!strcmp(a, "--suites") && v)
            o->nsuites = split_list(strdup(v), o->suites, 8, 0);
        else if (!strcmp(a, "--min-version") && v)
            o->min_version = (uint16_t)strtoul(v, NULL, 16);
        else if (!strcmp(a, "--max-version") && v)
            o->max_version = (uint16_t)strtoul(v, NULL, 16);
        else if (!strcmp(a, "--tickets"))
            o->tickets = 1, used = 0;
        else if (!strcmp(a, "--key-update"))
            o->key_update = 1, used = 0;
        else
            return -1;
        if (used && !v)
            return -1;
        i += used;
    }
    return 0;
}

static void set_alpn(struct mote_tls_config *cfg, char *list)
{
    for (char *t = strtok(list, ","); t && cfg->nalpn < MOTE_TLS_MAX_ALPN;
         t = strtok(NULL, ","))
        cfg->alpn[cfg->nalpn++] = t;
}

static void print_ok(struct mote_tls_flow *t)
{
    struct mote_tls_engine *e = &t->eng;
    uint8_t h[32];
    char peer[17] = "-";
    if (mote_tls_engine_peer_cert(e, h))
        for (int i = 0; i < 8; i++)
            snprintf(peer + 2 * i, 3, "%02x", h[i]);
    printf("OK suite=%04x group=%04x sig=%04x alpn=%s sni=%s resumed=%d "
           "clientcert=%d cookie=%d version=%04x peercert=%s\n",
           mote_tls_engine_suite(e), mote_tls_engine_group(e),
           mote_tls_engine_sigscheme(e), mote_tls_engine_alpn(e),
           mote_tls_engine_server_name(e), mote_tls_engine_resumed(e),
           e->client_cert_sent, e->cookie_len ? 1 : 0,
           mote_tls_engine_version(e), peer);
}

static void print_fail(struct mote_tls_flow *t, int err, const char *why)
{
    int alert = t->alert;
    printf("FAIL err=%s alert=%s%s%s\n", mote_errname(err),
           alert >= 0 ? mote_tls_alert_name(alert) : "none",
           why && why[0] ? " why=" : "", why ? why : "");
}

static int peer_server(struct opts *o)
{
    static struct ident id1, id2;
    static struct verifier v;
    static struct mote_tls_flow t;
    static uint8_t tkey[32];
    struct mote_tls_identity ids[2];
    struct mote_tls_config cfg;
    memset(&cfg, 0, sizeof cfg);
    if (!o->cert || ident_load(&id1, o->cert, o->key)) {
        fprintf(stderr, "cannot load %s / %s\n", o->cert, o->key);
        return 2;
    }
    ids[0] = make_identity(&id1, NULL);
    cfg.nids = 1;
    if (o->cert2) {
        if (ident_load(&id2, o->cert2, o->key2))
            return 2;
        ids[1] = make_identity(&id2, o->name2);
        /* The named certificate first, the default second. */
        ids[1] = ids[0];
        ids[0] = make_identity(&id2, o->name2);
        cfg.nids = 2;
    }
    cfg.ids = ids;
    set_alpn(&cfg, o->alpn);
    cfg.groups = o->groups;
    cfg.ngroups = o->ngroups;
    cfg.suites = o->suites;
    cfg.nsuites = o->nsuites;
    cfg.min_version = o->min_version;
    cfg.max_version = o->max_version;
    cfg.client_auth = o->client_auth;
    if (verifier_init(&v, o->ca, MOTE_X509_PURPOSE_CLIENT))
        return 2;
    cfg.verify = mote_tls_x509_verify;
    cfg.verify_ctx = &v.xv;
    if (o->tickets) {
        if (o->ticket_key) /* shared by several servers */
            mote_sha256(o->ticket_key, strlen(o->ticket_key), tkey);
        else
            mote_random(tkey, sizeof tkey);
        cfg.ticket_key = tkey;
    }

    struct mote_endpoint ep, bound;
    struct mote_listener *l;
    mote_endpoint_parse("127.0.0.1:0", 11, &ep);
    if (mote_tcp_listen(mote_stack_default(), &ep, 0, &l))
        return 2;
    mote_listener_local(l, &bound);
    printf("PORT %u\n", bound.port);
    fflush(stdout);
    for (int c = 0; c < o->conns; c++) {
        struct mote_flow *f;
        if (mote_tcp_accept(l, mote_deadline_in(60 * SEC), &f, NULL))
            return 3;
        f->read_deadline = f->write_deadline = mote_deadline_in(20 * SEC);
        int err = mote_tls_flow_open(&t, f, &cfg, MOTE_TLS_SERVER, NULL, NULL);
        if (err) {
            print_fail(&t, err, why(&v));
            mote_flow_close(f);
            continue;
        }
        print_ok(&t);
        if (o->export_label) {
            uint8_t km[20];
            if (!mote_tls_engine_export(&t.eng, o->export_label, NULL, 0, km,
                                        sizeof km)) {
                printf("EXPORT ");
                for (size_t i = 0; i < sizeof km; i++)
                    printf("%02X", km[i]);
                printf("\n");
            }
        }
        /* Echo until close_notify. */
        size_t total = 0;
        char buf[16384];
        for (;;) {
            size_t n;
            err = mote_flow_read(&t.flow, buf, sizeof buf, &n);
            if (err || n == 0)
                break;
            total += n;
            printf("DATA %.*s\n", (int)(n > 200 ? 200 : n), buf);
            if (mote_flow_write(&t.flow, buf, n))
                break;
        }
        printf("GOT %zu bytes, %u key updates, end %s\n", total,
               t.eng.rd_epoch - 2, err ? mote_errname(err) : "close_notify");
        fflush(stdout);
        mote_flow_close(&t.flow);
    }
    mote_listener_close(l);
    return 0;
}

static int peer_client(struct opts *o)
{
    static struct ident id1;
    static struct verifier v;
    static struct mote_tls_flow t;
    static struct mote_tls_session sess;
    struct mote_tls_identity ids[1];
    struct mote_tls_config cfg;
    memset(&cfg, 0, sizeof cfg);
    if (o->cert) {
        if (ident_load(&id1, o->cert, o->key))
            return 2;
        ids[0] = make_identity(&id1, NULL);
        cfg.ids = ids;
        cfg.nids = 1;
    }
    set_alpn(&cfg, o->alpn);
    cfg.groups = o->groups;
    cfg.ngroups = o->ngroups;
    cfg.suites = o->suites;
    cfg.nsuites = o->nsuites;
    cfg.min_version = o->min_version;
    cfg.max_version = o->max_version;
    if (verifier_init(&v, o->ca, MOTE_X509_PURPOSE_SERVER))
        return 2;
    cfg.verify = mote_tls_x509_verify;
    cfg.verify_ctx = &v.xv;
    int have_sess = 0;
    if (o->sess_in) {
        FILE *f = fopen(o->sess_in, "rb");
        if (f) {
            have_sess = fread(&sess, sizeof sess, 1, f) == 1;
            fclose(f);
        }
    }
    struct mote_endpoint ep;
    struct mote_flow *f;
    if (!o->connect ||
        mote_endpoint_parse(o->connect, strlen(o->connect), &ep) ||
        mote_tcp_connect(mote_stack_default(), &ep, mote_deadline_in(10 * SEC),
                         &f)) {
        printf("FAIL connect\n");
        return 3;
    }
    f->read_deadline = f->write_deadline = mote_deadline_in(20 * SEC);
    int err = mote_tls_flow_open(&t, f, &cfg, MOTE_TLS_CLIENT, o->host,
                                 have_sess ? &sess : NULL);
    if (err) {
        print_fail(&t, err, why(&v));
        mote_flow_close(f);
        return 1;
    }
    print_ok(&t);
    const char *msg = o->send ? o->send : "hello from mote\n";
    err = mote_flow_write(&t.flow, msg, strlen(msg));
    if (!err && o->key_update) {
        err = mote_tls_flow_key_update(&t, 1);
        if (!err)
            err = mote_flow_write(&t.flow, msg, strlen(msg));
    }
    if (!err)
        err = mote_flow_shutdown(&t.flow);
    static char reply[65536];
    size_t got = 0;
    while (!err && got < sizeof reply) {
        size_t n;
        err = mote_flow_read(&t.flow, reply + got, sizeof reply - got, &n);
        if (!err && n == 0)
            break;
        got += n;
    }
    printf("REPLY %zu bytes%s%s: %.*s\n", got, err ? ", error " : "",
           err ? mote_errname(err) : "", (int)(got > 300 ? 300 : got), reply);
    if (o->sess_out) {
        const struct mote_tls_session *s = mote_tls_engine_session(&t.eng);
        FILE *out = fopen(o->sess_out, "wb");
        if (out) {
            fwrite(s, sizeof *s, 1, out);
            fclose(out);
        }
        printf("TICKET %s\n", s->suite ? "yes" : "no");
    }
    fflush(stdout);
    mote_flow_close(&t.flow);
    return err && err != MOTE_ECONNRESET ? 1 : 0;
}

/* ---- Unit tests: a Mote server and client over loopback ------------------ */

static struct mote_tls_privkey k_ed;
static uint8_t fake_cert[64];
static const uint8_t *fake_certs[1] = {fake_cert};
static size_t fake_lens[1] = {sizeof fake_cert};

/* The client trusts exactly the fake certificate: it is the raw Ed25519
 * public key after a tag. */
static int fake_verify(void *ctx, const struct mote_tls_chain *chain,
                       const char *host, struct mote_tls_pubkey *leaf)
{
    (void)ctx;
    (void)host;
    if (chain->n != 1 || chain->lens[0] != sizeof fake_cert ||
        memcmp(chain->certs[0], fake_cert, sizeof fake_cert))
        return MOTE_TLS_ALERT_BAD_CERTIFICATE;
    leaf->type = MOTE_TLS_KEY_ED25519;
    leaf->key = chain->certs[0] + 32;
    leaf->key_len = 32;
    return 0;
}

struct srv {
    struct mote_listener *l;
    struct mote_tls_config cfg;
    struct mote_tls_identity id;
    int ret;
    size_t echoed;
    int quiet; /* accept, handshake, then send nothing */
};

static void server_fiber(void *arg)
{
    struct srv *s = arg;
    static struct mote_tls_flow t;
    struct mote_flow *f;
    s->ret = mote_tcp_accept(s->l, mote_deadline_in(10 * SEC), &f, NULL);
    if (s->ret)
        return;
    f->read_deadline = f->write_deadline = mote_deadline_in(10 * SEC);
    s->ret = mote_tls_flow_open(&t, f, &s->cfg, MOTE_TLS_SERVER, NULL, NULL);
    if (s->ret) {
        mote_flow_close(f);
        return;
    }
    char buf[4096];
    for (;;) {
        size_t n;
        s->ret = mote_flow_read(&t.flow, buf, sizeof buf, &n);
        if (s->ret || n == 0)
            break;
        if (s->quiet)
            continue;
        s->echoed += n;
        if ((s->ret = mote_flow_write(&t.flow, buf, n)))
            break;
    }
    if (!s->ret)
        s->ret = mote_flow_shutdown(&t.flow);
    mote_flow_close(&t.flow);
}

static void fake_init(void)
{
    memset(k_ed.ed25519, 3, 32);
    k_ed.type = MOTE_TLS_KEY_ED25519;
    memcpy(fake_cert, "MOTE TEST CERT (not X.509).....", 32);
    mote_ed25519_public(fake_cert + 32, k_ed.ed25519);
}

static void test_loopback(void)
{
    fake_init();

    static struct srv s;
    memset(&s, 0, sizeof s);
    s.id.certs = fake_certs;
    s.id.cert_lens = fake_lens;
    s.id.ncerts = 1;
    s.id.key = &k_ed;
    s.cfg.ids = &s.id;
    s.cfg.nids = 1;
    struct mote_endpoint ep, bound;
    mote_endpoint_parse("127.0.0.1:0", 11, &ep);
    ok(!mote_tcp_listen(mote_stack_default(), &ep, 0, &s.l), "listen");
    mote_listener_local(s.l, &bound);
    struct mote_fiber *fib;
    mote_fiber_spawn(server_fiber, &s, 0, &fib);

    struct mote_tls_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.verify = fake_verify;
    static struct mote_tls_flow t;
    struct mote_flow *f;
    ok(!mote_tcp_connect(mote_stack_default(), &bound,
                         mote_deadline_in(5 * SEC), &f),
       "connect");
    f->read_deadline = f->write_deadline = mote_deadline_in(10 * SEC);
    int err =
        mote_tls_flow_open(&t, f, &cfg, MOTE_TLS_CLIENT, "localhost", NULL);
    is_int(err, 0, "TLS client flow open");
    if (err) {
        mote_flow_close(f);
        mote_fiber_join(fib);
        mote_listener_close(s.l);
        return;
    }
    /* 200 KB both ways, written in odd sizes, read concurrently. */
    static uint8_t out[200000], in[200000];
    for (size_t i = 0; i < sizeof out; i++)
        out[i] = (uint8_t)(i * 31 + (i >> 9));
    size_t sent = 0, got = 0;
    int rerr = 0;
    while (sent < sizeof out) {
        size_t k = sizeof out - sent < 7777 ? sizeof out - sent : 7777;
        if ((err = mote_flow_write(&t.flow, out + sent, k)))
            break;
        sent += k;
        /* Read back what has come so far, so neither side blocks. */
        while (got < sent) {
            size_t n;
            rerr = mote_flow_read(&t.flow, in + got, sizeof in - got, &n);
            if (rerr || n == 0)
                break;
            got += n;
        }
    }
    is_int(err, 0, "wrote 200 KB");
    ok(got == sizeof out && !memcmp(in, out, sizeof out), "echoed intact");
    /* A KeyUpdate in the middle of the stream. */
    is_int(mote_tls_flow_key_update(&t, 1), 0, "KeyUpdate");
    err = mote_flow_write(&t.flow, "after", 5);
    size_t n = 0;
    char b5[8];
    if (!err)
        err = mote_flow_read_full(&t.flow, b5, 5, &n);
    ok(!err && n == 5 && !memcmp(b5, "after", 5), "data after KeyUpdate");
    is_int(mote_flow_shutdown(&t.flow), 0, "close_notify sent");
    err = mote_flow_read(&t.flow, b5, sizeof b5, &n);
    ok(err == 0 && n == 0, "end of stream at the server's close_notify");
    mote_flow_close(&t.flow);
    mote_fiber_join(fib);
    is_int(s.ret, 0, "server saw a clean close");
    ok(t.eng.ibuf == NULL, "engine released at close");
    mote_listener_close(s.l);
}

static void test_read_deadline(void)
{
    fake_init();
    static struct srv s;
    memset(&s, 0, sizeof s);
    s.quiet = 1;
    s.id.certs = fake_certs;
    s.id.cert_lens = fake_lens;
    s.id.ncerts = 1;
    s.id.key = &k_ed;
    s.cfg.ids = &s.id;
    s.cfg.nids = 1;
    struct mote_endpoint ep, bound;
    mote_endpoint_parse("127.0.0.1:0", 11, &ep);
    mote_tcp_listen(mote_stack_default(), &ep, 0, &s.l);
    mote_listener_local(s.l, &bound);
    struct mote_fiber *fib;
    mote_fiber_spawn(server_fiber, &s, 0, &fib);
    struct mote_tls_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.verify = fake_verify;
    static struct mote_tls_flow t;
    struct mote_flow *f;
    mote_tcp_connect(mote_stack_default(), &bound, mote_deadline_in(5 * SEC),
                     &f);
    int err = mote_tls_flow_open(&t, f, &cfg, MOTE_TLS_CLIENT, NULL, NULL);
    is_int(err, 0, "open");
    if (err) {
        mote_flow_close(f);
        mote_fiber_join(fib);
        mote_listener_close(s.l);
        return;
    }
    char b[8];
    size_t n;
    mote_flow_set_deadlines(&t.flow, mote_deadline_in(50 * MOTE_NS_PER_MS),
                            MOTE_FOREVER);
    is_int(mote_flow_read(&t.flow, b, sizeof b, &n), MOTE_ETIMEDOUT,
           "read deadline passes through to the lower flow");
    mote_flow_set_deadlines(&t.flow, mote_deadline_in(5 * SEC),
                            mote_deadline_in(5 * SEC));
    is_int(mote_flow_write(&t.flow, "x", 1), 0, "still usable after");
    mote_flow_close(&t.flow);
    mote_fiber_join(fib);
    mote_listener_close(s.l);
}

/* One fiber writes 2 MB while another reads the echo, with KeyUpdates
 * requested along the way: both directions of one TLS flow busy at once. */
struct reader {
    struct mote_flow *f;
    size_t got, want;
    int err;
    uint32_t sum;
};

static void reader_fiber(void *arg)
{
    struct reader *r = arg;
    static uint8_t buf[10000];
    while (r->got < r->want) {
        size_t n;
        r->err = mote_flow_read(r->f, buf, sizeof buf, &n);
        if (r->err || n == 0)
            break;
        for (size_t i = 0; i < n; i++)
            r->sum = r->sum * 31 + buf[i];
        r->got += n;
    }
}

static void test_concurrent(void)
{
    fake_init();
    static struct srv s;
    memset(&s, 0, sizeof s);
    s.id.certs = fake_certs;
    s.id.cert_lens = fake_lens;
    s.id.ncerts = 1;
    s.id.key = &k_ed;
    s.cfg.ids = &s.id;
    s.cfg.nids = 1;
    struct mote_endpoint ep, bound;
    mote_endpoint_parse("127.0.0.1:0", 11, &ep);
    mote_tcp_listen(mote_stack_default(), &ep, 0, &s.l);
    mote_listener_local(s.l, &bound);
    struct mote_fiber *fib, *rf;
    mote_fiber_spawn(server_fiber, &s, 0, &fib);
    struct mote_tls_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.verify = fake_verify;
    static struct mote_tls_flow t;
    struct mote_flow *f;
    mote_tcp_connect(mote_stack_default(), &bound, mote_deadline_in(5 * SEC),
                     &f);
    f->read_deadline = f->write_deadline = mote_deadline_in(20 * SEC);
    int err = mote_tls_flow_open(&t, f, &cfg, MOTE_TLS_CLIENT, NULL, NULL);
    is_int(err, 0, "open");
    if (err) {
        mote_flow_close(f);
        mote_fiber_join(fib);
        mote_listener_close(s.l);
        return;
    }
    static struct reader r;
    static uint8_t chunk[50000];
    memset(&r, 0, sizeof r);
    r.f = &t.flow;
    r.want = 40 * sizeof chunk;
    mote_fiber_spawn(reader_fiber, &r, 0, &rf);
    uint32_t sum = 0;
    for (int i = 0; i < 40 && !err; i++) {
        for (size_t j = 0; j < sizeof chunk; j++) {
            chunk[j] = (uint8_t)(i * 7 + j * 13);
            sum = sum * 31 + chunk[j];
        }
        err = mote_flow_write(&t.flow, chunk, sizeof chunk);
        if (!err && i % 10 == 5)
            err = mote_tls_flow_key_update(&t, 1);
        if (err == MOTE_EAGAIN)
            err = 0; /* output busy: skip this KeyUpdate */
    }
    is_int(err, 0, "wrote 2 MB with KeyUpdates");
    mote_fiber_join(rf);
    ok(r.err == 0 && r.got == r.want && r.sum == sum,
       "read all 2 MB back concurrently (%zu bytes)", r.got);
    /* 2 at the end of the handshake, one more per answered KeyUpdate. */
    ok(t.eng.rd_epoch > 2, "the server answered %u KeyUpdates",
       t.eng.rd_epoch - 2);
    mote_flow_close(&t.flow);
    mote_fiber_join(fib);
    mote_listener_close(s.l);
}

int mote_main(int argc, char **argv)
{
    if (argc >= 2 &&
        (!strcmp(argv[1], "server") || !strcmp(argv[1], "client"))) {
        struct opts o;
        if (parse_opts(argc, argv, &o)) {
            fprintf(stderr, "usage: see tests/unit/test_tls_flow.c\n");
            return 2;
        }
        setvbuf(stdout, NULL, _IOLBF, 0);
        return argv[1][0] == 's' ? peer_server(&o) : peer_client(&o);
    }
    tap_init(argc, argv);
    TAP_CASE(test_loopback);
    TAP_CASE(test_read_deadline);
    TAP_CASE(test_concurrent);
    return tap_done();
}

/* X.509 path validation on chains built in memory with Mote's own
 * generator (<mote/x509_gen.h>): the cases openssl's command line cannot
 * make easily (directoryName and URI constraints, excluded over permitted,
 * wildcards against excluded subtrees, stacked constraints, v1 issuers,
 * AKI filtering, loops, exact validity boundaries, unparsable issuers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/der.h>
#include <mote/error.h>
#include <mote/x509_gen.h>
#include <mote/x509_verify.h>

#include "tap.h"

#define NOW   1780272000 /* 2026-06-01 */
#define START 1735689600 /* 2025-01-01 */
#define END   2051222400 /* 2035-01-01 */

/* A certificate and its key. */
struct ent {
    struct mote_x509_privkey key;
    uint8_t spki[160];
    size_t spki_len;
    uint8_t der[4096];
    size_t len;
    uint8_t name[256]; /* subject DER */
    size_t name_len;
};

static void keygen(struct ent *e)
{
    if (mote_x509_gen_key(&e->key, MOTE_X509_GEN_KEY_P256, mote_x509_gen_rng,
                          NULL) != 0 ||
        mote_x509_gen_spki_write(&e->key, e->spki, sizeof e->spki,
                                 &e->spki_len) != 0)
        abort();
}

/* Issue e (key already made) from issuer (NULL: self-signed) with the
 * template t; the subject is cn (or t->subject_der). */
static int issue(struct ent *e, const struct ent *issuer,
                 struct mote_x509_gen_cert *t, const char *cn)
{
    t->subject.cn = cn;
    t->spki = e->spki;
    t->spki_len = e->spki_len;
    if (!t->not_before)
        t->not_before = START;
    if (!t->not_after)
        t->not_after = END;
    struct mote_x509_gen_issuer is = {
        .name = issuer ? issuer->name : NULL,
        .name_len = issuer ? issuer->name_len : 0,
        .key = issuer ? &issuer->key : &e->key,
    };
    int r = mote_x509_gen_cert_write(t, &is, e->der, sizeof e->der, &e->len,
                                     mote_x509_gen_rng, NULL);
    if (r != 0)
        return r;
    static struct mote_x509_cert c;
    if (mote_x509_cert_parse(&c, e->der, e->len) != 0)
        return MOTE_EINVAL;
    memcpy(e->name, c.subject.der, c.subject.len);
    e->name_len = c.subject.len;
    return 0;
}

static int mk_ca(struct ent *e, const struct ent *issuer, const char *cn,
                 int path_len)
{
    keygen(e);
    struct mote_x509_gen_cert t = {.ca = true, .path_len = path_len};
    return issue(e, issuer, &t, cn);
}

static int mk_leaf(struct ent *e, const struct ent *issuer,
                   const struct mote_x509_gen_san *san, size_t nsan)
{
    keygen(e);
    struct mote_x509_gen_cert t = {.path_len = -1,
                                   .san = san,
                                   .nsan = nsan,
                                   .eku = MOTE_X509_GEN_EKU_SERVER};
    return issue(e, issuer, &t, "leaf");
}

/* Re-sign e (issued by issuer) after changing its parsed fields with f. */
static int resign(struct ent *e, const struct ent *issuer,
                  void (*f)(struct mote_x509_cert *, void *), void *arg)
{
    static struct mote_x509_cert c;
    static uint8_t old[4096];
    memcpy(old, e->der, e->len);
    if (mote_x509_cert_parse(&c, old, e->len) != 0)
        return MOTE_EINVAL;
    f(&c, arg);
    return mote_x509_gen_cert_sign(&c, &issuer->key, NULL, e->der,
                                   sizeof e->der, &e->len, mote_x509_gen_rng,
                                   NULL);
}

struct nc {
    struct mote_x509_gn permitted[4], excluded[4];
    unsigned np, ne;
};

static void add_nc(struct mote_x509_cert *c, void *arg)
{
    const struct nc *nc = arg;
    memcpy(c->nc_permitted, nc->permitted, sizeof nc->permitted);
    memcpy(c->nc_excluded, nc->excluded, sizeof nc->excluded);
    c->nc_permitted_count = nc->np;
    c->nc_excluded_count = nc->ne;
    c->nc_has_permitted = nc->np > 0;
    c->nc_has_excluded = nc->ne > 0;
    mote_x509_cert_add_ext(c, MOTE_X509_EXT_NAME_CONSTRAINTS, true);
}

static struct mote_x509_gn gn(enum mote_x509_gn_type type, const void *v,
                              size_t len)
{
    struct mote_x509_gn g = {type, v, len};
    return g;
}
#define GNS(type, s) gn(type, s, strlen(s))

/* ---- The verification harness ---------------------------------------------
 */

static struct mote_x509_verify_work work;
static struct mote_x509_result res;
static struct mote_x509_anchor slots[8];
static uint8_t tbuf[16384];
static struct mote_x509_trust trust;
static struct ent root;

static void trust_root(void)
{
    mote_x509_trust_init(&trust, slots, 8, tbuf, sizeof tbuf);
    if (mote_x509_trust_add_der(&trust, root.der, root.len) != 0)
        abort();
}

static int check(const struct ent *leaf, const struct ent *const *bundle,
                 size_t n, const char *host, int64_t now, unsigned max_work)
{
    struct mote_x509_slice b[8];
    for (size_t i = 0; i < n; i++) {
        b[i].ptr = bundle[i]->der;
        b[i].len = bundle[i]->len;
    }
    struct mote_x509_id id;
    struct mote_x509_verify_opts o = {
        .now = now, .purpose = MOTE_X509_PURPOSE_SERVER, .max_work = max_work};
    if (host) {
        if (mote_x509_id_parse(&id, host, strlen(host)) != 0)
            abort();
        o.id = &id;
    }
    return mote_x509_verify(leaf->der, leaf->len, b, n, &trust, &o, &work,
                            &res);
}

/* The call is made before the message is formatted (argument order). */
#define EXPECT(call, reason_, depth_, what)                                    \
    do {                                                                       \
        int r_ = (call);                                                       \
        int want_depth_ = (reason_) == MOTE_X509_OK ? -1 : (depth_);           \
        ok(r_ == ((reason_) == MOTE_X509_OK ? 0 : MOTE_EAUTH) &&               \
               res.reason == (reason_) && res.depth == want_depth_,            \
           "%s: %s at %d (got %s at %d)", what,                                \
           mote_x509_reason_name(reason_), want_depth_,                        \
           mote_x509_reason_name(res.reason), res.depth);                      \
    } while (0)

/* ---- Cases ------------------------------------------------------------------
 */

static void test_name_constraints(void)
{
    static struct ent ca, leaf;
    const struct ent *b[] = {&ca};
    struct mote_x509_gen_san san[2] = {{.type = MOTE_X509_GEN_SAN_DNS}};

    /* Excluded beats permitted. */
    struct nc nc = {.np = 1, .ne = 1};
    nc.permitted[0] = GNS(MOTE_X509_GN_DNS, "example.com");
    nc.excluded[0] = GNS(MOTE_X509_GN_DNS, "bad.example.com");
    ok(mk_ca(&ca, &root, "nc ca", -1) == 0 &&
           resign(&ca, &root, add_nc, &nc) == 0,
       "CA with DNS constraints");
    san[0].text = "www.example.com";
    mk_leaf(&leaf, &ca, san, 1);
    EXPECT(check(&leaf, b, 1, "www.example.com", NOW, 0), MOTE_X509_OK, -1,
           "permitted DNS");
    san[0].text = "x.bad.example.com";
    mk_leaf(&leaf, &ca, san, 1);
    EXPECT(check(&leaf, b, 1, NULL, NOW, 0), MOTE_X509_NAME_CONSTRAINTS, 0,
           "excluded inside permitted");
    san[0].text = "*.example.com";
    mk_leaf(&leaf, &ca, san, 1);
    EXPECT(check(&leaf, b, 1, NULL, NOW, 0), MOTE_X509_NAME_CONSTRAINTS, 0,
           "wildcard that covers an excluded name");
    san[0].text = "*.www.example.com";
    mk_leaf(&leaf, &ca, san, 1);
    EXPECT(check(&leaf, b, 1, NULL, NOW, 0), MOTE_X509_OK, -1,
           "wildcard clear of the excluded name");
    /* A second DNS name outside: one bad name is enough. */
    san[0].text = "www.example.com";
    san[1].type = MOTE_X509_GEN_SAN_DNS;
    san[1].text = "www.example.org";
    mk_leaf(&leaf, &ca, san, 2);
    EXPECT(check(&leaf, b, 1, NULL, NOW, 0), MOTE_X509_NAME_CONSTRAINTS, 0,
           "second SAN outside");
    /* Names of a form without constraints are free. */
    san[1].type = MOTE_X509_GEN_SAN_EMAIL;
    san[1].text = "x@anywhere.org";
    mk_leaf(&leaf, &ca, san, 2);
    EXPECT(check(&leaf, b, 1, NULL, NOW, 0), MOTE_X509_OK, -1,
           "email SAN with only DNS constraints");

    /* URI constraints apply to the URI's host. */
    struct nc nu = {.np = 1};
    nu.permitted[0] = GNS(MOTE_X509_GN_URI, ".example.com");
    mk_ca(&ca, &root, "uri ca", -1);
    resign(&ca, &root, add_nc, &nu);
    san[0].type = MOTE_X509_GEN_SAN_URI;
    san[0].text = "https://user@a.example.com:8443/path?q";
    mk_leaf(&leaf, &ca, san, 1);
    EXPECT(check(&leaf, b, 1, NULL, NOW, 0), MOTE_X509_OK, -1,
           "URI host inside");
    san[0].text = "https://example.org/a.example.com";
    mk_leaf(&leaf, &ca, san, 1);
    EXPECT(check(&leaf, b, 1, NULL, NOW, 0), MOTE_X509_NAME_CONSTRAINTS, 0,
           "URI host outside");

    /* directoryName: the subject must start with the constraint's RDNs. */
    struct mote_x509_gen_name good = {.c = "DE", .o = "Good"};
    uint8_t gdn[128];
    size_t gdn_len;
    mote_x509_gen_name_write(&good, gdn, sizeof gdn, &gdn_len);
    struct nc nd = {.np = 1};
    nd.permitted[0] = gn(MOTE_X509_GN_DIR, gdn, gdn_len);
    mk_ca(&ca, &root, "dir ca", -1);
    resign(&ca, &root, add_nc, &nd);
    keygen(&leaf);
    struct mote_x509_gen_san dsan = {.type = MOTE_X509_GEN_SAN_DNS,
                                     .text = "d.example"};
    struct mote_x509_gen_cert t = {.path_len = -1, .san = &dsan, .nsan = 1};
    t.subject.c = "DE";
    t.subject.o = "Good";
    issue(&leaf, &ca, &t, "leaf");
    EXPECT(check(&leaf, b, 1, NULL, NOW, 0), MOTE_X509_OK, -1,
           "subject under the permitted directory name");
    t.subject.o = "Bad";
    issue(&leaf, &ca, &t, "leaf");
    EXPECT(check(&leaf, b, 1, NULL, NOW, 0), MOTE_X509_NAME_CONSTRAINTS, 0,
           "subject outside the permitted directory name");

    /* Constraints stack: the narrower one below still applies. */
    static struct ca2_holder {
        struct ent e;
    } ca2;
    struct nc wide = {.np = 1}, narrow = {.np = 1};
    wide.permitted[0] = GNS(MOTE_X509_GN_DNS, "example.com");
    narrow.permitted[0] = GNS(MOTE_X509_GN_DNS, "a.example.com");
    mk_ca(&ca, &root, "wide", -1);
    resign(&ca, &root, add_nc, &wide);
    mk_ca(&ca2.e, &ca, "narrow", -1);
    resign(&ca2.e, &ca, add_nc, &narrow);
    san[0].type = MOTE_X509_GEN_SAN_DNS;
    san[0].text = "b.example.com";
    mk_leaf(&leaf, &ca2.e, san, 1);
    const struct ent *b2[] = {&ca2.e, &ca};
    EXPECT(check(&leaf, b2, 2, NULL, NOW, 0), MOTE_X509_NAME_CONSTRAINTS, 0,
           "inside the upper constraint, outside the lower");
    san[0].text = "x.a.example.com";
    mk_leaf(&leaf, &ca2.e, san, 1);
    EXPECT(check(&leaf, b2, 2, NULL, NOW, 0), MOTE_X509_OK, -1, "inside both");
}

static void strip_exts(struct mote_x509_cert *c, void *arg)
{
    (void)arg;
    c->version = 1;
    c->ext_count = 0;
    for (int i = 0; i < MOTE_X509_EXT_COUNT_; i++)
        c->ext_index[i] = -1;
}

static void test_issuers(void)
{
    static struct ent ca, other, leaf;
    struct mote_x509_gen_san san = {.type = MOTE_X509_GEN_SAN_DNS,
                                    .text = "leaf.example"};
    /* A v1 certificate is never a CA. */
    mk_ca(&ca, &root, "v1 ca", -1);
    ok(resign(&ca, &root, strip_exts, NULL) == 0, "v1 CA certificate");
    mk_leaf(&leaf, &ca, &san, 1);
    const struct ent *b[] = {&ca};
    EXPECT(check(&leaf, b, 1, NULL, NOW, 0), MOTE_X509_NOT_CA, 1, "v1 issuer");

    /* Same name, other key: the AKI rules it out without a signature
     * check, so two checks are enough for leaf -> ca -> root. */
    mk_ca(&ca, &root, "twin", -1);
    mk_ca(&other, &root, "twin", -1);
    mk_leaf(&leaf, &ca, &san, 1);
    const struct ent *tw[] = {&other, &ca};
    EXPECT(check(&leaf, tw, 2, NULL, NOW, 2), MOTE_X509_OK, -1,
           "AKI skips the twin with another key");

    /* A CA certificate used as a leaf is fine (RFC 5280 has no rule). */
    EXPECT(check(&ca, NULL, 0, NULL, NOW, 0), MOTE_X509_OK, -1,
           "CA certificate as the leaf");

    /* The root itself as the leaf: anchored directly. */
    EXPECT(check(&root, NULL, 0, NULL, NOW, 0), MOTE_X509_OK, -1,
           "anchor as the leaf");
    ok(res.chain_len == 2, "chain: the certificate and its anchor");

    /* Two CAs certifying each other, neither trusted: the search ends. */
    static struct ent a, bb;
    keygen(&a);
    keygen(&bb);
    struct mote_x509_gen_cert t = {.ca = true, .path_len = -1};
    issue(&a, NULL, &t, "loop A");
    struct mote_x509_gen_cert t2 = {.ca = true, .path_len = -1};
    issue(&bb, &a, &t2, "loop B");
    struct mote_x509_gen_cert t3 = {.ca = true, .path_len = -1};
    issue(&a, &bb, &t3, "loop A"); /* now A is issued by B */
    mk_leaf(&leaf, &a, &san, 1);
    const struct ent *lp[] = {&a, &bb};
    int r = check(&leaf, lp, 2, NULL, NOW, 0);
    ok(r == MOTE_EAUTH && res.reason == MOTE_X509_UNKNOWN_ISSUER &&
           res.chain_len == 3,
       "a loop ends: %s, chain %u", mote_x509_reason_name(res.reason),
       res.chain_len);

    /* An issuer that does not parse (trailing bytes) is reported as the
     * only way on; garbage next to a good issuer is ignored. */
    mk_ca(&ca, &root, "junk", -1);
    mk_leaf(&leaf, &ca, &san, 1);
    static struct ent junk;
    junk = ca;
    junk.der[junk.len++] = 0;
    const struct ent *jb[] = {&junk};
    EXPECT(check(&leaf, jb, 1, NULL, NOW, 0), MOTE_X509_MALFORMED, 1,
           "unparsable issuer");
    static struct ent noise;
    memset(noise.der, 0x30, 100);
    noise.len = 100;
    const struct ent *nb[] = {&noise, &junk, &ca};
    EXPECT(check(&leaf, nb, 3, NULL, NOW, 0), MOTE_X509_OK, -1,
           "good issuer after garbage");

    /* Many copies of an issuer that leads nowhere: the work bound. */
    static struct ent dead[8];
    const struct ent *db[8];
    for (int i = 0; i < 8; i++) {
        dead[i] = ca;
        dead[i].der[dead[i].len++] = 0; /* distinct DER, same names */
        db[i] = &dead[i];
    }
    EXPECT(check(&leaf, db, 8, NULL, NOW, 0), MOTE_X509_MALFORMED, 1,
           "eight unparsable copies");
    /* Eight good copies of an issuer whose own issuer is unknown: each
     * costs a signature check; a bound of 4 stops the search. */
    static struct ent orphan_root, orphan;
    mk_ca(&orphan_root, NULL, "orphan root", -1);
    mk_ca(&orphan, &orphan_root, "orphan", -1);
    mk_leaf(&leaf, &orphan, &san, 1);
    for (int i = 0; i < 8; i++) {
        dead[i] = orphan;
        dead[i].der[dead[i].len++] = 0;
        db[i] = &dead[i];
    }
    db[7] = &orphan;
    EXPECT(check(&leaf, db, 8, NULL, NOW, 4), MOTE_X509_UNKNOWN_ISSUER, 1,
           "orphan found past seven unparsable copies");
    static struct ent copies[8];
    for (int i = 0; i < 8; i++) {
        keygen(&copies[i]);
        struct mote_x509_gen_cert ct = {.ca = true, .path_len = -1};
        issue(&copies[i], &orphan_root, &ct, "orphan");
        db[i] = &copies[i];
    }
    /* Same name, no AKI match possible (each its own key): the leaf's AKI
     * rules them out, so the search costs nothing and finds no issuer. */
    EXPECT(check(&leaf, db, 8, NULL, NOW, 1), MOTE_X509_UNKNOWN_ISSUER, 0,
           "eight same-name issuers with other keys");
}

static void test_validity_edges(void)
{
    static struct ent leaf;
    struct mote_x509_gen_san san = {.type = MOTE_X509_GEN_SAN_DNS,
                                    .text = "t.example"};
    keygen(&leaf);
    struct mote_x509_gen_cert t = {.path_len = -1,
                                   .san = &san,
                                   .nsan = 1,
                                   .not_before = NOW - 100,
                                   .not_after = NOW + 100};
    issue(&leaf, &root, &t, "leaf");
    EXPECT(check(&leaf, NULL, 0, NULL, NOW - 100, 0), MOTE_X509_OK, -1,
           "at notBefore");
    EXPECT(check(&leaf, NULL, 0, NULL, NOW - 101, 0), MOTE_X509_NOT_YET_VALID,
           0, "a second before notBefore");
    EXPECT(check(&leaf, NULL, 0, NULL, NOW + 100, 0), MOTE_X509_OK, -1,
           "at notAfter");
    EXPECT(check(&leaf, NULL, 0, NULL, NOW + 101, 0), MOTE_X509_EXPIRED, 0,
           "a second after notAfter");
    /* The anchor's own validity counts too. */
    EXPECT(check(&leaf, NULL, 0, NULL, END + 1, 0), MOTE_X509_EXPIRED, 1,
           "anchor expired (leaf checked after)");
    /* Identity after a valid chain. */
    EXPECT(check(&leaf, NULL, 0, "u.example", NOW, 0), MOTE_X509_NAME_MISMATCH,
           0, "wrong host");
    EXPECT(check(&leaf, NULL, 0, "T.EXAMPLE.", NOW, 0), MOTE_X509_OK, -1,
           "host in another case, absolute form");
}

static void test_path_len(void)
{
    static struct ent c0, c1, c2, leaf;
    struct mote_x509_gen_san san = {.type = MOTE_X509_GEN_SAN_DNS,
                                    .text = "p.example"};
    mk_ca(&c0, &root, "pl1", 1);
    mk_ca(&c1, &c0, "below pl1", -1);
    mk_ca(&c2, &c1, "below below", -1);
    mk_leaf(&leaf, &c1, &san, 1);
    const struct ent *b1[] = {&c1, &c0};
    EXPECT(check(&leaf, b1, 2, NULL, NOW, 0), MOTE_X509_OK, -1,
           "pathLen 1 with one CA below");
    mk_leaf(&leaf, &c2, &san, 1);
    const struct ent *b2[] = {&c2, &c1, &c0};
    EXPECT(check(&leaf, b2, 3, NULL, NOW, 0), MOTE_X509_PATH_LEN, 3,
           "pathLen 1 with two CAs below");
}

static size_t cn_name(uint8_t *out, size_t cap, unsigned tag, const char *v)
{
    static const uint8_t cn[3] = {0x55, 0x04, 0x03};
    struct mote_der_writer w;
    mote_der_writer_init(&w, out, cap);
    mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
    mote_der_put_begin(&w, MOTE_DER_SET);
    mote_der_put_begin(&w, MOTE_DER_SEQUENCE);
    mote_der_put_oid(&w, cn, 3);
    mote_der_put_tlv(&w, tag, v, strlen(v));
    mote_der_put_end(&w);
    mote_der_put_end(&w);
    mote_der_put_end(&w);
    size_t len;
    return mote_der_writer_finish(&w, &len) == 0 ? len : 0;
}

/* A child names its issuer with another string type, case and spacing
 * (RFC 5280 7.1): it still chains, to an intermediate and to an anchor. */
static void test_name_matching(void)
{
    static struct ent ca, leaf, croot;
    uint8_t subj[128], variant[128], other[128];
    size_t subj_len =
        cn_name(subj, sizeof subj, MOTE_DER_PRINTABLE_STRING, "Mote Print CA");
    size_t var_len = cn_name(variant, sizeof variant, MOTE_DER_UTF8_STRING,
                             "  mote  PRINT ca");
    size_t oth_len =
        cn_name(other, sizeof other, MOTE_DER_UTF8_STRING, "mote print cb");
    keygen(&ca);
    struct mote_x509_gen_cert t = {.ca = true,
                                   .path_len = -1,
                                   .subject_der = subj,
                                   .subject_der_len = subj_len};
    ok(issue(&ca, &root, &t, NULL) == 0, "CA named in a PrintableString");
    struct mote_x509_gen_san san = {.type = MOTE_X509_GEN_SAN_DNS,
                                    .text = "n.example"};
    keygen(&leaf);
    struct mote_x509_gen_cert lt = {.path_len = -1, .san = &san, .nsan = 1};
    lt.subject.cn = "leaf";
    lt.spki = leaf.spki;
    lt.spki_len = leaf.spki_len;
    lt.not_before = START;
    lt.not_after = END;
    struct mote_x509_gen_issuer is = {
        .name = variant, .name_len = var_len, .key = &ca.key};
    ok(mote_x509_gen_cert_write(&lt, &is, leaf.der, sizeof leaf.der, &leaf.len,
                                mote_x509_gen_rng, NULL) == 0,
       "leaf naming its issuer in a UTF8String, other case and spaces");
    const struct ent *b[] = {&ca};
    EXPECT(check(&leaf, b, 1, NULL, NOW, 0), MOTE_X509_OK, -1,
           "chains through the intermediate");
    is.name = other;
    is.name_len = oth_len;
    mote_x509_gen_cert_write(&lt, &is, leaf.der, sizeof leaf.der, &leaf.len,
                             mote_x509_gen_rng, NULL);
    EXPECT(check(&leaf, b, 1, NULL, NOW, 0), MOTE_X509_UNKNOWN_ISSUER, 0,
           "another name does not chain");
    /* The same against an anchor (the store's index is by bytes). */
    keygen(&croot);
    struct mote_x509_gen_cert rt = {.ca = true,
                                    .path_len = -1,
                                    .subject_der = subj,
                                    .subject_der_len = subj_len};
    issue(&croot, NULL, &rt, NULL);
    struct mote_x509_trust t2;
    static struct mote_x509_anchor s2[2];
    static uint8_t b2[4096];
    mote_x509_trust_init(&t2, s2, 2, b2, sizeof b2);
    ok(mote_x509_trust_add_der(&t2, croot.der, croot.len) == 0, "anchor");
    is.name = variant;
    is.name_len = var_len;
    is.key = &croot.key;
    mote_x509_gen_cert_write(&lt, &is, leaf.der, sizeof leaf.der, &leaf.len,
                             mote_x509_gen_rng, NULL);
    struct mote_x509_verify_opts o = {.now = NOW,
                                      .purpose = MOTE_X509_PURPOSE_SERVER};
    int r = mote_x509_verify(leaf.der, leaf.len, NULL, 0, &t2, &o, &work, &res);
    ok(r == 0 && res.chain_len == 2, "chains to the anchor (got %s)",
       mote_x509_reason_name(res.reason));
}

static void san_not_critical(struct mote_x509_cert *c, void *arg)
{
    (void)arg;
    c->exts[c->ext_index[MOTE_X509_EXT_SUBJECT_ALT_NAME]].critical = false;
}

static void add_key_cert_sign(struct mote_x509_cert *c, void *arg)
{
    (void)arg;
    c->key_usage |= MOTE_X509_KU_KEY_CERT_SIGN;
}

/* Rules the parser leaves to verification (RFC 5280 4.1.2.6, 4.2.1.3). */
static void test_structure_rules(void)
{
    static struct ent leaf;
    struct mote_x509_gen_san san = {.type = MOTE_X509_GEN_SAN_DNS,
                                    .text = "e.example"};
    keygen(&leaf);
    struct mote_x509_gen_cert t = {.path_len = -1, .san = &san, .nsan = 1};
    ok(issue(&leaf, &root, &t, NULL) == 0, "empty subject, critical SAN");
    EXPECT(check(&leaf, NULL, 0, "e.example", NOW, 0), MOTE_X509_OK, -1,
           "empty subject with a critical SAN");
    ok(resign(&leaf, &root, san_not_critical, NULL) == 0,
       "SAN made non-critical");
    EXPECT(check(&leaf, NULL, 0, "e.example", NOW, 0), MOTE_X509_MALFORMED, 0,
           "empty subject with a non-critical SAN");
    mk_leaf(&leaf, &root, &san, 1);
    ok(resign(&leaf, &root, add_key_cert_sign, NULL) == 0,
       "leaf with keyCertSign");
    EXPECT(check(&leaf, NULL, 0, NULL, NOW, 0), MOTE_X509_KEY_USAGE, 0,
           "keyCertSign without cA");
}

static void test_signature_check(void)
{
    static const uint8_t msg[] = "to be signed";
    uint8_t sig[128];
    size_t sig_len;
    struct mote_x509_sigalg alg;
    struct mote_x509_pubkey pub;
    ok(mote_x509_gen_default_sigalg(&root.key, &alg) == 0 &&
           mote_x509_gen_sign(&root.key, &alg, msg, sizeof msg, sig, sizeof sig,
                              &sig_len, mote_x509_gen_rng, NULL) == 0 &&
           mote_x509_pubkey_parse(&pub, root.spki, root.spki_len) == 0,
       "sign with the root key");
    ok(mote_x509_signature_check(&pub, &alg, msg, sizeof msg, sig, sig_len) ==
           0,
       "signature verifies");
    ok(mote_x509_signature_check(&pub, &alg, msg, sizeof msg - 1, sig,
                                 sig_len) == MOTE_EAUTH,
       "other data: MOTE_EAUTH");
    struct mote_x509_sigalg sha1 = alg;
    sha1.hash = MOTE_HASH_SHA1;
    ok(mote_x509_signature_check(&pub, &sha1, msg, sizeof msg, sig, sig_len) ==
           MOTE_ENOTSUP,
       "SHA-1: MOTE_ENOTSUP");
    struct mote_x509_sigalg ed = {.alg = MOTE_X509_SIG_ED25519};
    ok(mote_x509_signature_check(&pub, &ed, msg, sizeof msg, sig, sig_len) ==
           MOTE_EAUTH,
       "algorithm that does not fit the key: MOTE_EAUTH");
    ok(mote_x509_signature_check(NULL, &alg, msg, sizeof msg, sig, sig_len) ==
           MOTE_EINVAL,
       "NULL key");
}

/* An id-RSASSA-PSS key (RFC 4055) signs with PSS only, and its
 * RSASSA-PSS-params restrict the hash, MGF hash and salt length. */
static void test_pss_only_key(void)
{
    static uint8_t buf[MOTE_X509_GEN_RSA_BUF_LEN(2048)];
    static const uint8_t msg[] = "to be signed";
    uint8_t sig[256];
    size_t sig_len;
    struct mote_x509_privkey k;
    struct mote_x509_sigalg pkcs1, pss;
    if (mote_x509_gen_key_rsa(&k, 2048, buf, sizeof buf, mote_x509_gen_rng,
                              NULL) != 0) {
        ok(0, "RSA key");
        return;
    }
    struct mote_x509_pubkey pub = {.type = MOTE_X509_KEY_RSA, .rsa = k.rsa.pub};
    ok(mote_x509_gen_default_sigalg(&k, &pkcs1) == 0 &&
           mote_x509_gen_sign(&k, &pkcs1, msg, sizeof msg, sig, sizeof sig,
                              &sig_len, mote_x509_gen_rng, NULL) == 0,
       "PKCS#1 v1.5 signature");
    ok(mote_x509_signature_check(&pub, &pkcs1, msg, sizeof msg, sig, sig_len) ==
           0,
       "PKCS#1 v1.5 by an rsaEncryption key verifies");
    pub.rsa_pss = true;
    ok(mote_x509_signature_check(&pub, &pkcs1, msg, sizeof msg, sig, sig_len) ==
           MOTE_EAUTH,
       "PKCS#1 v1.5 by an id-RSASSA-PSS key: MOTE_EAUTH");
    mote_x509_gen_pss_sha256(&pss);
    ok(mote_x509_gen_sign(&k, &pss, msg, sizeof msg, sig, sizeof sig, &sig_len,
                          mote_x509_gen_rng, NULL) == 0,
       "PSS signature");
    ok(mote_x509_signature_check(&pub, &pss, msg, sizeof msg, sig, sig_len) ==
           0,
       "PSS by an id-RSASSA-PSS key without parameters verifies");
    pub.rsa_pss_params = true;
    pub.pss = pss;
    ok(mote_x509_signature_check(&pub, &pss, msg, sizeof msg, sig, sig_len) ==
           0,
       "PSS within the key's parameters verifies");
    pub.pss.hash = MOTE_HASH_SHA384;
    ok(mote_x509_signature_check(&pub, &pss, msg, sizeof msg, sig, sig_len) ==
           MOTE_EAUTH,
       "PSS with another hash than the key's parameters: MOTE_EAUTH");
    pub.pss = pss;
    pub.pss.salt_len = pss.salt_len + 1;
    ok(mote_x509_signature_check(&pub, &pss, msg, sizeof msg, sig, sig_len) ==
           MOTE_EAUTH,
       "PSS with a salt shorter than the key's minimum: MOTE_EAUTH");
    mote_memzero_explicit(buf, sizeof buf);
}

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    keygen(&root);
    struct mote_x509_gen_cert t = {.ca = true, .path_len = -1};
    if (issue(&root, NULL, &t, "Gen Root") != 0) {
        ok(0, "root");
        return tap_done();
    }
    trust_root();
    TAP_CASE(test_name_constraints);
    TAP_CASE(test_issuers);
    TAP_CASE(test_validity_edges);
    TAP_CASE(test_path_len);
    TAP_CASE(test_name_matching);
    TAP_CASE(test_structure_rules);
    TAP_CASE(test_signature_check);
    TAP_CASE(test_pss_only_key);
    return tap_done();
}

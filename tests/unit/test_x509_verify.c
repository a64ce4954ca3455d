/* X.509 path validation, trust store and pinning, driven by the chains of
 * tests/x509/mkchains.sh (generated with openssl and certtool at test
 * time; MOTE_X509_CHAINS names a directory already made, else one is made
 * under $MOTE_BUILD and removed at the end). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <mote/crypto.h>
#include <mote/der.h>
#include <mote/error.h>
#include <mote/x509_verify.h>

#include "tap.h"

static char dir[512];
static bool made_dir;

static uint8_t *slurp(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? 2 * cap : 4096;
            uint8_t *nb = realloc(buf, cap + 1);
            if (!nb)
                abort();
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        if (r == 0)
            break;
        n += r;
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

/* "x.pem" -> contents of "x.der" */
static uint8_t *slurp_der(const char *pem, size_t *len)
{
    char name[256];
    snprintf(name, sizeof name, "%.*s.der", (int)(strlen(pem) - 4), pem);
    return slurp(name, len);
}

/* A trust store and work area on the heap (they are large). */
struct env {
    struct mote_x509_trust trust;
    struct mote_x509_anchor slots[256];
    uint8_t buf[512 * 1024];
    struct mote_x509_verify_work work;
    struct mote_x509_result res;
    uint8_t *bundle_mem[MOTE_X509_MAX_BUNDLE];
    struct mote_x509_slice bundle[MOTE_X509_MAX_BUNDLE];
    size_t nbundle;
    uint8_t *leaf;
    size_t leaf_len;
};

static struct env *env_new(void)
{
    struct env *e = calloc(1, sizeof *e);
    if (!e)
        abort();
    mote_x509_trust_init(&e->trust, e->slots, 256, e->buf, sizeof e->buf);
    return e;
}

static void env_free(struct env *e)
{
    for (size_t i = 0; i < e->nbundle; i++)
        free(e->bundle_mem[i]);
    free(e->leaf);
    free(e);
}

/* Comma-separated PEM files into the store. */
static int add_roots(struct env *e, const char *list)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", list);
    for (char *s = strtok(tmp, ","); s; s = strtok(NULL, ",")) {
        size_t n, added, skipped;
        uint8_t *pem = slurp(s, &n);
        if (!pem)
            return -1;
        int r = mote_x509_trust_add_pem(&e->trust, (const char *)pem, n, &added,
                                        &skipped);
        free(pem);
        if (r != 0 || added != 1)
            return -1;
    }
    return 0;
}

static int load(struct env *e, const char *leaf, const char *bundle,
                const char *roots)
{
    e->leaf = slurp_der(leaf, &e->leaf_len);
    if (!e->leaf)
        return -1;
    if (strcmp(bundle, "-") != 0) {
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "%s", bundle);
        for (char *s = strtok(tmp, ","); s; s = strtok(NULL, ",")) {
            size_t n;
            uint8_t *d = slurp_der(s, &n);
            if (!d || e->nbundle == MOTE_X509_MAX_BUNDLE)
                return -1;
            e->bundle_mem[e->nbundle] = d;
            e->bundle[e->nbundle].ptr = d;
            e->bundle[e->nbundle].len = n;
            e->nbundle++;
        }
    }
    return add_roots(e, roots);
}

static int64_t now_default;

/* Policy options of a manifest case: "-", or comma-separated "explicit",
 * "nomap", "noany", "check" (openssl's -policy_check only) and OIDs (the
 * user-initial-policy-set). Returns 0 or -1. */
static int policy_opts(struct mote_x509_verify_opts *o, const char *pol)
{
    static uint8_t oids[8][32];
    static struct mote_x509_slice set[8];
    o->policies = set;
    o->npolicies = 0;
    if (!pol || strcmp(pol, "-") == 0)
        return 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", pol);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "explicit") == 0)
            o->explicit_policy = true;
        else if (strcmp(t, "nomap") == 0)
            o->inhibit_policy_mapping = true;
        else if (strcmp(t, "noany") == 0)
            o->inhibit_any_policy = true;
        else if (strcmp(t, "check") == 0)
            continue;
        else {
            int len =
                o->npolicies == 8
                    ? -1
                    : mote_der_oid_from_text(t, strlen(t), oids[o->npolicies],
                                             sizeof oids[0]);
            if (len <= 0)
                return -1;
            set[o->npolicies].ptr = oids[o->npolicies];
            set[o->npolicies].len = (size_t)len;
            o->npolicies++;
        }
    }
    return 0;
}

static int verify_pol(struct env *e, const char *host, int64_t now,
                      enum mote_x509_purpose purpose, unsigned maxd,
                      const char *pol)
{
    struct mote_x509_id id;
    struct mote_x509_verify_opts o = {
        .now = now, .purpose = purpose, .max_depth = maxd};
    if (policy_opts(&o, pol) != 0)
        return MOTE_EINVAL;
    if (host && strcmp(host, "-") != 0) {
        if (mote_x509_id_parse(&id, host, strlen(host)) != 0)
            return MOTE_EINVAL;
        o.id = &id;
    }
    return mote_x509_verify(e->leaf, e->leaf_len, e->bundle, e->nbundle,
                            &e->trust, &o, &e->work, &e->res);
}

static int verify(struct env *e, const char *host, int64_t now,
                  enum mote_x509_purpose purpose, unsigned maxd)
{
    return verify_pol(e, host, now, purpose, maxd, NULL);
}

static void test_manifest(void)
{
    size_t n;
    char *m = (char *)slurp("manifest", &n);
    ok(m != NULL, "manifest in %s", dir);
    if (!m)
        return;
    int cases = 0;
    char *msave = NULL;
    for (char *line = strtok_r(m, "\n", &msave); line;
         line = strtok_r(NULL, "\n", &msave)) {
        char name[64], leaf[64], bundle[512], roots[512], host[128],
            purpose[16], expect[8], reason[32], ossl[8], pol[256] = "-";
        long long t;
        unsigned maxd;
        int depth;
        int nf = sscanf(
            line,
            "%63s %63s %511s %511s %127s %lld %15s %u %7s %31s %d %7s %255s",
            name, leaf, bundle, roots, host, &t, purpose, &maxd, expect, reason,
            &depth, ossl, pol);
        if (nf != 12 && nf != 13) {
            ok(0, "manifest line: %s", line);
            continue;
        }
        char *save = strdup(line);
        struct env *e = env_new();
        if (load(e, leaf, bundle, roots) != 0) {
            ok(0, "%s: load", name);
            env_free(e);
            free(save);
            continue;
        }
        if (cases == 0)
            now_default = t;
        cases++;
        int r = verify_pol(e, host, t,
                           strcmp(purpose, "client") == 0
                               ? MOTE_X509_PURPOSE_CLIENT
                               : MOTE_X509_PURPOSE_SERVER,
                           maxd, pol);
        const char *got = mote_x509_reason_name(e->res.reason);
        if (strcmp(expect, "ok") == 0)
            ok(r == 0 && e->res.reason == MOTE_X509_OK && e->res.depth == -1 &&
                   e->res.anchored && e->res.chain_len >= 2,
               "%s: verified (got %s at depth %d, rc %d, chain %u)", name, got,
               e->res.depth, r, e->res.chain_len);
        else
            ok(r == MOTE_EAUTH && strcmp(got, reason) == 0 &&
                   e->res.depth == depth,
               "%s: %s at depth %d (got %s at depth %d)", name, reason, depth,
               got, e->res.depth);
        /* The same case with the bundle reversed gives the same answer. */
        if (e->nbundle > 1) {
            for (size_t i = 0; i < e->nbundle / 2; i++) {
                struct mote_x509_slice s = e->bundle[i];
                e->bundle[i] = e->bundle[e->nbundle - 1 - i];
                e->bundle[e->nbundle - 1 - i] = s;
            }
            enum mote_x509_reason first = e->res.reason;
            verify_pol(e, host, t,
                       strcmp(purpose, "client") == 0
                           ? MOTE_X509_PURPOSE_CLIENT
                           : MOTE_X509_PURPOSE_SERVER,
                       maxd, pol);
            ok(e->res.reason == first, "%s: bundle order does not matter",
               name);
        }
        env_free(e);
        free(save);
    }
    ok(cases >= 50, "%d cases", cases);
    free(m);
}

/* The verified-signature cache: hits only for the same bytes, never
 * skips the other checks, never keeps a failure. */
static void test_sigcache(void)
{
    struct env *e = env_new();
    ok(load(e, "l3.pem", "i3a.pem,i3b.pem", "rootrsa.pem") == 0, "load");
    struct mote_x509_sigcache_entry slots[4];
    struct mote_x509_sigcache c;
    mote_x509_sigcache_init(&c, slots, 4);
    struct mote_x509_verify_opts o = {.now = now_default,
                                      .purpose = MOTE_X509_PURPOSE_SERVER,
                                      .sigcache = &c};
    int r = mote_x509_verify(e->leaf, e->leaf_len, e->bundle, e->nbundle,
                             &e->trust, &o, &e->work, &e->res);
    ok(r == 0 && c.hits == 0 && c.misses == 3 && c.used == 3,
       "first: verified, three signatures checked and kept (hits %llu, "
       "misses %llu)",
       (unsigned long long)c.hits, (unsigned long long)c.misses);
    r = mote_x509_verify(e->leaf, e->leaf_len, e->bundle, e->nbundle, &e->trust,
                         &o, &e->work, &e->res);
    ok(r == 0 && c.hits == 3 && c.misses == 3, "again: three hits");
    /* A hit does not skip the other checks. */
    o.now = 4102444800; /* 2100-01-01 */
    r = mote_x509_verify(e->leaf, e->leaf_len, e->bundle, e->nbundle, &e->trust,
                         &o, &e->work, &e->res);
    ok(r == MOTE_EAUTH && e->res.reason == MOTE_X509_EXPIRED,
       "cached signatures, expired chain: expired");
    o.now = now_default;
    /* The same leaf with its last signature byte changed misses and
     * fails; the failure is not kept. */
    uint8_t *bad = malloc(e->leaf_len);
    memcpy(bad, e->leaf, e->leaf_len);
    bad[e->leaf_len - 1] ^= 1;
    uint64_t hits = c.hits;
    size_t used = c.used;
    r = mote_x509_verify(bad, e->leaf_len, e->bundle, e->nbundle, &e->trust, &o,
                         &e->work, &e->res);
    ok(r == MOTE_EAUTH && e->res.reason == MOTE_X509_BAD_SIGNATURE &&
           e->res.depth == 0,
       "changed signature: bad_signature (got %s)",
       mote_x509_reason_name(e->res.reason));
    r = mote_x509_verify(bad, e->leaf_len, e->bundle, e->nbundle, &e->trust, &o,
                         &e->work, &e->res);
    ok(r == MOTE_EAUTH && e->res.reason == MOTE_X509_BAD_SIGNATURE &&
           c.used == used,
       "again: still bad_signature, nothing kept");
    /* The search stops at the leaf's failed link: no hit at all. */
    ok(c.hits == hits, "no hit for the changed leaf");
    free(bad);
    /* One slot: the oldest entry goes. */
    struct mote_x509_sigcache one;
    mote_x509_sigcache_init(&one, slots, 1);
    o.sigcache = &one;
    r = mote_x509_verify(e->leaf, e->leaf_len, e->bundle, e->nbundle, &e->trust,
                         &o, &e->work, &e->res);
    ok(r == 0 && one.used == 1 && one.misses == 3, "one slot: used 1");
    r = mote_x509_verify(e->leaf, e->leaf_len, e->bundle, e->nbundle, &e->trust,
                         &o, &e->work, &e->res);
    ok(r == 0 && one.hits == 0 && one.misses == 6,
       "one slot, three signatures in turn: no hits (LRU thrash)");
    env_free(e);
}

/* The chain reported for a verified depth-3 path is leaf, intermediates,
 * anchor, with the DER of each. */
static void test_result_chain(void)
{
    struct env *e = env_new();
    ok(load(e, "l3.pem", "i3a.pem,i3b.pem", "rootrsa.pem") == 0, "load");
    int r =
        verify(e, "d3.example.com", now_default, MOTE_X509_PURPOSE_SERVER, 0);
    ok(r == 0 && e->res.chain_len == 4, "verified, 4 certificates");
    const char *want[] = {"l3.pem", "i3b.pem", "i3a.pem", "rootrsa.pem"};
    for (unsigned i = 0; i < 4 && i < e->res.chain_len; i++) {
        size_t n;
        uint8_t *d = slurp_der(want[i], &n);
        ok(d && e->res.chain[i].len == n &&
               memcmp(e->res.chain[i].ptr, d, n) == 0,
           "chain[%u] is %s", i, want[i]);
        free(d);
    }
    /* A limit on signature checks stops the search. */
    struct mote_x509_verify_opts o = {
        .now = now_default, .purpose = MOTE_X509_PURPOSE_SERVER, .max_work = 2};
    r = mote_x509_verify(e->leaf, e->leaf_len, e->bundle, e->nbundle, &e->trust,
                         &o, &e->work, &e->res);
    ok(r == MOTE_EAUTH && e->res.reason == MOTE_X509_WORK_LIMIT,
       "work limit (got %s)", mote_x509_reason_name(e->res.reason));
    o.max_work = 3;
    r = mote_x509_verify(e->leaf, e->leaf_len, e->bundle, e->nbundle, &e->trust,
                         &o, &e->work, &e->res);
    ok(r == 0, "three signature checks are enough");
    /* A max_depth of 1 is too small for two intermediates. */
    o.max_work = 0;
    o.max_depth = 1;
    r = mote_x509_verify(e->leaf, e->leaf_len, e->bundle, e->nbundle, &e->trust,
                         &o, &e->work, &e->res);
    ok(r == MOTE_EAUTH && e->res.reason == MOTE_X509_TOO_DEEP &&
           e->res.depth == 2,
       "max_depth 1 (got %s at %d)", mote_x509_reason_name(e->res.reason),
       e->res.depth);
    o.max_depth = MOTE_X509_MAX_DEPTH + 1;
    ok(mote_x509_verify(e->leaf, e->leaf_len, e->bundle, e->nbundle, &e->trust,
                        &o, &e->work, &e->res) == MOTE_EINVAL,
       "max_depth above the limit");
    o.max_depth = 0;
    ok(mote_x509_verify(e->leaf, e->leaf_len, e->bundle,
                        MOTE_X509_MAX_BUNDLE + 1, &e->trust, &o, &e->work,
                        &e->res) == MOTE_EINVAL,
       "bundle too large");
    ok(mote_x509_verify(NULL, 0, NULL, 0, &e->trust, &o, &e->work, &e->res) ==
           MOTE_EINVAL,
       "no leaf");
    struct mote_x509_id none = {0};
    o.id = &none;
    ok(mote_x509_verify(e->leaf, e->leaf_len, NULL, 0, &e->trust, &o, &e->work,
                        &e->res) == MOTE_EINVAL,
       "an empty identity");
    /* Garbage as the leaf is malformed, not a crash. */
    o.id = NULL;
    uint8_t junk[64] = {0x30, 0x3e};
    ok(mote_x509_verify(junk, sizeof junk, NULL, 0, &e->trust, &o, &e->work,
                        &e->res) == MOTE_EAUTH &&
           e->res.reason == MOTE_X509_MALFORMED,
       "garbage leaf");
    env_free(e);
}

static void spki_pin(const char *pem, uint8_t out[32])
{
    size_t n;
    uint8_t *d = slurp_der(pem, &n);
    struct mote_x509_cert *c = calloc(1, sizeof *c);
    memset(out, 0, 32);
    if (d && c && mote_x509_cert_parse(c, d, n) == 0)
        mote_sha256(c->pubkey.spki.ptr, c->pubkey.spki.len, out);
    free(c);
    free(d);
}

static void test_pins(void)
{
    struct env *e = env_new();
    ok(load(e, "l3.pem", "i3a.pem,i3b.pem", "rootrsa.pem") == 0, "load");
    uint8_t pin[32], other[32];
    spki_pin("i3a.pem", pin);
    spki_pin("l1.pem", other);
    ok(mote_x509_trust_pin(&e->trust, other) == 0, "pin another key");
    int r =
        verify(e, "d3.example.com", now_default, MOTE_X509_PURPOSE_SERVER, 0);
    ok(r == MOTE_EAUTH && e->res.reason == MOTE_X509_PIN_MISMATCH,
       "unpinned chain refused (got %s)", mote_x509_reason_name(e->res.reason));
    ok(mote_x509_trust_pin(&e->trust, pin) == 0, "pin the intermediate");
    ok(mote_x509_trust_pin(&e->trust, pin) == 0 && e->trust.pin_count == 2,
       "pinning twice is a no-op");
    r = verify(e, "d3.example.com", now_default, MOTE_X509_PURPOSE_SERVER, 0);
    ok(r == 0, "pinned chain accepted");
    /* Identity is still checked with pins. */
    r = verify(e, "other.example.com", now_default, MOTE_X509_PURPOSE_SERVER,
               0);
    ok(r == MOTE_EAUTH && e->res.reason == MOTE_X509_NAME_MISMATCH,
       "pins do not replace the name check");
    for (int i = 2; i < MOTE_X509_MAX_PINS; i++) {
        pin[0] = (uint8_t)(pin[0] + 1);
        mote_x509_trust_pin(&e->trust, pin);
    }
    pin[0] = (uint8_t)(pin[0] + 1);
    ok(mote_x509_trust_pin(&e->trust, pin) == MOTE_ENOSPC, "pins full");
    env_free(e);
}

static void test_trust_store(void)
{
    struct env *e = env_new();
    size_t n, added, skipped;
    /* Several roots in one text with junk between blocks, a key block and a
     * broken certificate block, which are skipped. */
    const char *names[] = {"rootp256.pem", "rootrsa.pem", "rooted.pem",
                           "rootp384.pem"};
    char *text = calloc(1, 64 * 1024);
    strcat(text, "junk before\n");
    for (int i = 0; i < 4; i++) {
        uint8_t *p = slurp(names[i], &n);
        strcat(text, (char *)p);
        strcat(text, "some text between\n");
        free(p);
    }
    strcat(text,
           "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    strcat(text,
           "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    int r = mote_x509_trust_add_pem(&e->trust, text, strlen(text), &added,
                                    &skipped);
    ok(r == 0 && added == 4 && skipped == 1,
       "4 added, 1 skipped (r %d, %zu, %zu)", r, added, skipped);
    r = mote_x509_trust_add_pem(&e->trust, text, strlen(text), &added,
                                &skipped);
    ok(r == 0 && added == 0 && e->trust.count == 4, "adding again: no-op");
    /* Lookup by subject. */
    uint8_t *d = slurp_der("rootrsa.pem", &n);
    struct mote_x509_cert *c = calloc(1, sizeof *c);
    ok(mote_x509_cert_parse(c, d, n) == 0, "parse");
    size_t first;
    ok(mote_x509_trust_find(&e->trust, &c->subject, &first) == 1 &&
           e->trust.anchors[first].der.len == n &&
           memcmp(e->trust.anchors[first].der.ptr, d, n) == 0,
       "find by subject");
    ok(mote_x509_trust_find(&e->trust, &c->issuer, NULL) == 1,
       "a root's issuer is itself");
    struct mote_x509_name nobody = {(const uint8_t *)"\x30\x00", 2};
    ok(mote_x509_trust_find(&e->trust, &nobody, &first) == 0, "no match");
    /* Full slots, full buffer. */
    struct mote_x509_trust small;
    struct mote_x509_anchor one[1];
    uint8_t buf[4096];
    mote_x509_trust_init(&small, one, 1, buf, sizeof buf);
    r = mote_x509_trust_add_pem(&small, text, strlen(text), &added, &skipped);
    ok(r == MOTE_ENOSPC && added == 1 && small.count == 1, "slots full");
    mote_x509_trust_init(&small, one, 1, buf, 100);
    ok(mote_x509_trust_add_der(&small, d, n) == MOTE_ENOSPC, "buffer full");
    ok(mote_x509_trust_add_der(&small, d, 0) == MOTE_EINVAL, "empty");
    const char *unterminated = "-----BEGIN CERTIFICATE-----\nMIIB\n";
    ok(mote_x509_trust_add_pem(&small, unterminated, strlen(unterminated),
                               &added, &skipped) == MOTE_EINVAL,
       "unterminated PEM");
    free(c);
    free(d);
    free(text);
    env_free(e);
}

/* Every certificate of the system bundle loads (those with keys Mote has
 * no algorithm for are counted, not fatal). */
static void test_system_bundle(void)
{
    FILE *f = fopen("/etc/ssl/certs/ca-certificates.crt", "rb");
    if (!f) {
        ok(1, "# SKIP no system bundle");
        return;
    }
    fclose(f);
    char save[512];
    snprintf(save, sizeof save, "%s", dir);
    snprintf(dir, sizeof dir, "/etc/ssl/certs");
    size_t n, added = 0, skipped = 0;
    uint8_t *pem = slurp("ca-certificates.crt", &n);
    snprintf(dir, sizeof dir, "%s", save);
    struct env *e = env_new();
    int r = mote_x509_trust_add_pem(&e->trust, (const char *)pem, n, &added,
                                    &skipped);
    ok(r == 0 && added > 100 && skipped * 10 < added,
       "system bundle: %zu anchors, %zu skipped (r %d)", added, skipped, r);
    free(pem);
    env_free(e);
}

/* Every self-signed root of the system bundle: Mote's signature check on
 * its own signature agrees with OpenSSL's X509_verify, except SHA-1
 * (refused by Mote). Real keys and signatures of every size and kind. */
static void test_system_roots_selfsig(void)
{
    FILE *f = fopen("/etc/ssl/certs/ca-certificates.crt", "rb");
    if (!f) {
        ok(1, "# SKIP no system bundle");
        return;
    }
    fclose(f);
    char save[512];
    snprintf(save, sizeof save, "%s", dir);
    snprintf(dir, sizeof dir, "/etc/ssl/certs");
    size_t n;
    char *pem = (char *)slurp("ca-certificates.crt", &n);
    snprintf(dir, sizeof dir, "%s", save);
    struct mote_pem_iter it;
    mote_pem_iter_init(&it, pem, n);
    static uint8_t der[MOTE_X509_MAX_DER];
    static struct mote_x509_cert c;
    int agree = 0, sha1 = 0, differ = 0, total = 0;
    while (mote_x509_cert_next_pem(&it, &c, der, sizeof der) == 1) {
        if (c.issuer.len != c.subject.len ||
            memcmp(c.issuer.der, c.subject.der, c.issuer.len) != 0)
            continue;
        total++;
        int r = mote_x509_signature_check(&c.pubkey, &c.sig_alg, c.tbs.ptr,
                                          c.tbs.len, c.sig.ptr, c.sig.len);
        const unsigned char *p = c.der.ptr;
        X509 *x = d2i_X509(NULL, &p, (long)c.der.len);
        EVP_PKEY *k = x ? X509_get0_pubkey(x) : NULL;
        int o = k ? X509_verify(x, k) : -1;
        X509_free(x);
        if ((r == 0) == (o == 1))
            agree++;
        else if (r == MOTE_ENOTSUP && c.sig_alg.hash == MOTE_HASH_SHA1 &&
                 o == 1)
            sha1++;
        else {
            differ++;
            char name[256];
            mote_x509_name_to_text(&c.subject, name, sizeof name);
            ok(0, "self-signature of %s: Mote %d, OpenSSL %d", name, r, o);
        }
    }
    ok(total > 100 && differ == 0,
       "system roots: %d self-signed, %d agree with OpenSSL, %d SHA-1 "
       "(refused), %d differ",
       total, agree, sha1, differ);
    free(pem);
}

static int make_chains(void)
{
    const char *env = getenv("MOTE_X509_CHAINS");
    if (env && *env) {
        snprintf(dir, sizeof dir, "%s", env);
        return 0;
    }
    const char *b = getenv("MOTE_BUILD");
    snprintf(dir, sizeof dir, "%s/x509chains-%ld", b && *b ? b : "_build",
             (long)getpid());
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "tests/x509/mkchains.sh %s >/dev/null", dir);
    made_dir = true;
    return system(cmd);
}

int main(int argc, char **argv)
{
    tap_init(argc, argv);
    if (make_chains() != 0) {
        ok(0, "tests/x509/mkchains.sh (run from the top directory)");
        return tap_done();
    }
    TAP_CASE(test_manifest);
    if (now_default == 0)         /* a single case was chosen */
        now_default = 1780272000; /* 2026-06-01, as mkchains.sh */
    TAP_CASE(test_result_chain);
    TAP_CASE(test_sigcache);
    TAP_CASE(test_pins);
    TAP_CASE(test_trust_store);
    TAP_CASE(test_system_bundle);
    TAP_CASE(test_system_roots_selfsig);
    if (made_dir) {
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
            ok(0, "rm -rf %s", dir);
    }
    return tap_done();
}

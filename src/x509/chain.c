/* X.509 path building: from a leaf through an unordered bundle to a trust
 * anchor, depth-first, trying alternatives (RFC 4158 in miniature). */
#include <string.h>

#include <mote/crypto.h>
#include <mote/error.h>
#include <mote/x509_verify.h>

#include "verify_int.h"

/* How far a failed path got, to report the most useful failure. A path
 * that validated but failed the identity or the pins beats one that reached
 * an anchor and failed a check, which beats every path that broke on the
 * way; among those, the one that got further from the leaf wins, and at
 * equal progress a failed signature (or too deep) beats a missing issuer,
 * which beats an issuer that does not parse. */
enum rank {
    RANK_NONE = 0,
    RANK_UNPARSABLE,
    RANK_NO_ISSUER,
    RANK_LINK, /* a signature, too deep, the work bound */
    RANK_VALIDATED,
    RANK_ACCEPTED,
    RANK_OK,
};

struct search {
    struct mote_x509_verify_work *w;
    const struct mote_x509_trust *trust;
    const struct mote_x509_verify_opts *o;
    unsigned max_depth;
    enum mote_x509_reason id_reason; /* of the leaf, computed once */
    struct mote_x509_result *res;
    enum rank best;
    unsigned best_progress;
};

enum { GO_ON = 0, FOUND, STOP };

static bool slice_eq(struct mote_x509_slice a, struct mote_x509_slice b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static unsigned rank_class(enum rank r)
{
    return r >= RANK_VALIDATED ? (unsigned)r : 1;
}

/* Record path[0..ncopy-1] (+ the anchor, if a is not NULL) as the result
 * if it ranks above what is there. progress: certificates on the path
 * whose place is settled (the anchor counts). */
static void record(struct search *s, enum rank r, unsigned progress,
                   unsigned ncopy, const struct mote_x509_anchor *a,
                   enum mote_x509_reason reason, int depth)
{
    if (s->best != RANK_NONE) {
        unsigned c = rank_class(r), bc = rank_class(s->best);
        if (c < bc || (c == bc && progress < s->best_progress) ||
            (c == bc && progress == s->best_progress && r <= s->best))
            return;
    }
    s->best = r;
    s->best_progress = progress;
    struct mote_x509_result *res = s->res;
    res->reason = reason;
    res->depth = depth;
    for (unsigned i = 0; i < ncopy; i++)
        res->chain[i] = s->w->nodes[s->w->path[i]].der;
    if (a)
        res->chain[ncopy] = a->der;
    res->chain_len = ncopy + (a ? 1 : 0);
    res->anchored = a != NULL;
}

/* Might c be the issuer of cur? The names must be equal; key identifiers,
 * when both are present, must be equal too (RFC 5280 4.2.1.1). */
static bool aki_ok(const struct mote_x509_node *cur, struct mote_x509_slice ski)
{
    return cur->aki.len == 0 || ski.len == 0 || slice_eq(cur->aki, ski);
}

static bool pinned(const struct search *s, unsigned len,
                   const struct mote_x509_anchor *a)
{
    const struct mote_x509_trust *t = s->trust;
    if (t->pin_count == 0)
        return true;
    for (unsigned i = 0; i <= len; i++) {
        const struct mote_x509_pubkey *k =
            i < len ? &s->w->nodes[s->w->path[i]].pubkey : &a->pubkey;
        if (!k->spki.ptr)
            continue;
        uint8_t h[MOTE_SHA256_LEN];
        mote_sha256(k->spki.ptr, k->spki.len, h);
        for (size_t p = 0; p < t->pin_count; p++)
            if (memcmp(h, t->pins[p], sizeof h) == 0)
                return true;
    }
    return false;
}

static int take_work(struct search *s, unsigned len)
{
    if (s->w->work_left == 0) {
        record(s, RANK_LINK, len, len, NULL, MOTE_X509_WORK_LIMIT,
               (int)len - 1);
        return STOP;
    }
    s->w->work_left--;
    return GO_ON;
}

/* Extend the path whose last certificate is path[len - 1]. */
static int extend(struct search *s, unsigned len)
{
    struct mote_x509_verify_work *w = s->w;
    const struct mote_x509_node *cur = &w->nodes[w->path[len - 1]];
    bool any = false;

    /* Anchors first: the shortest way to trust, and the one that avoids
     * following a cross-certificate to a root the caller does not trust. */
    size_t first, n = mote_x509_trust_find(s->trust, &cur->issuer, &first);
    /* The index is by exact bytes; when nothing is there, look for a
     * subject that matches by RFC 5280 7.1 (another string type, case or
     * spacing) through the whole store. */
    bool scan = n == 0;
    uint32_t norm = 0;
    if (scan) {
        first = 0;
        n = s->trust->count;
        norm = x509__name_norm_hash(&cur->issuer);
    }
    for (size_t i = first; i < first + n; i++) {
        const struct mote_x509_anchor *a = &s->trust->anchors[i];
        if (scan && (a->subject_norm_hash != norm ||
                     !x509__name_match(&a->subject, &cur->issuer)))
            continue;
        if (!aki_ok(cur, a->ski))
            continue;
        any = true;
        if (take_work(s, len) == STOP)
            return STOP;
        enum mote_x509_reason r = x509__check_sig_cached(
            s->o->sigcache, &a->pubkey, &cur->sig_alg, cur->tbs, cur->sig);
        if (r != MOTE_X509_OK) {
            record(s, RANK_LINK, len, len, NULL, r, (int)len - 1);
            continue;
        }
        int depth;
        r = x509__validate(w, w->path, len, a, s->o, &depth);
        if (r != MOTE_X509_OK) {
            record(s, RANK_VALIDATED, len + 1, len, a, r, depth);
            continue;
        }
        if (s->id_reason != MOTE_X509_OK) {
            record(s, RANK_ACCEPTED, len + 1, len, a, s->id_reason, 0);
            continue;
        }
        if (!pinned(s, len, a)) {
            record(s, RANK_ACCEPTED, len + 1, len, a, MOTE_X509_PIN_MISMATCH,
                   0);
            continue;
        }
        record(s, RANK_OK, len + 1, len, a, MOTE_X509_OK, -1);
        return FOUND;
    }

    for (unsigned k = 1; k < w->node_count; k++) {
        const struct mote_x509_node *c = &w->nodes[k];
        if (!x509__name_match(&c->subject, &cur->issuer) ||
            !aki_ok(cur, c->ski))
            continue;
        bool loop = false;
        for (unsigned i = 0; i < len; i++)
            loop = loop || w->path[i] == k ||
                   slice_eq(w->nodes[w->path[i]].der, c->der);
        if (loop)
            continue;
        any = true;
        w->path[len] = k;
        if (c->parse_reason != MOTE_X509_OK) {
            record(s, RANK_UNPARSABLE, len, len + 1, NULL, c->parse_reason,
                   (int)len);
            continue;
        }
        /* len certificates above the leaf once c is added. */
        if (len > s->max_depth) {
            record(s, RANK_LINK, len, len + 1, NULL, MOTE_X509_TOO_DEEP,
                   (int)len);
            continue;
        }
        if (take_work(s, len) == STOP)
            return STOP;
        enum mote_x509_reason r = x509__check_sig_cached(
            s->o->sigcache, &c->pubkey, &cur->sig_alg, cur->tbs, cur->sig);
        if (r != MOTE_X509_OK) {
            record(s, RANK_LINK, len, len + 1, NULL, r, (int)len - 1);
            continue;
        }
        int st = extend(s, len + 1);
        if (st != GO_ON)
            return st;
    }
    if (!any)
        record(s, RANK_NO_ISSUER, len, len, NULL, MOTE_X509_UNKNOWN_ISSUER,
               (int)len - 1);
    return GO_ON;
}

/* The issuer and subject Names of a certificate that did not parse, read
 * with the DER layer alone, so that it can still be named in a result. */
static void raw_names(struct mote_x509_node *nd, const uint8_t *der, size_t len)
{
    struct mote_der d, cert, tbs;
    struct mote_der_elem e, issuer, subject;
    mote_der_init(&d, der, len);
    if (mote_der_enter(&d, MOTE_DER_SEQUENCE, &cert, NULL) ||
        mote_der_enter(&cert, MOTE_DER_SEQUENCE, &tbs, NULL))
        return;
    if (mote_der_read_optional(&tbs, MOTE_DER_CTX_CONS(0), &e) < 0 ||
        mote_der_read_tag(&tbs, MOTE_DER_INTEGER, &e) ||
        mote_der_read_tag(&tbs, MOTE_DER_SEQUENCE, &e) ||
        mote_der_read_tag(&tbs, MOTE_DER_SEQUENCE, &issuer) ||
        mote_der_read_tag(&tbs, MOTE_DER_SEQUENCE, &e) ||
        mote_der_read_tag(&tbs, MOTE_DER_SEQUENCE, &subject))
        return;
    nd->issuer.der = issuer.raw;
    nd->issuer.len = issuer.raw_len;
    nd->subject.der = subject.raw;
    nd->subject.len = subject.raw_len;
}

static void node_fill(struct mote_x509_node *nd, struct mote_x509_cert *c,
                      const uint8_t *der, size_t len)
{
    memset(nd, 0, sizeof *nd);
    nd->der.ptr = der;
    nd->der.len = len;
    int err = mote_x509_cert_parse(c, der, len);
    nd->parse_reason = x509__parse_reason(err, c);
    if (err != 0) {
        raw_names(nd, der, len);
        return;
    }
    nd->tbs = c->tbs;
    nd->sig = c->sig;
    nd->sig_alg = c->sig_alg;
    nd->subject = c->subject;
    nd->issuer = c->issuer;
    nd->ski = c->ski;
    nd->aki = c->aki_key_id;
    nd->pubkey = c->pubkey;
    /* A key Mote cannot use only matters if this certificate must sign
     * something: check_sig then says "unsupported". */
    (void)x509__pubkey_usable(&nd->pubkey);
    nd->not_before = c->not_before;
    nd->not_after = c->not_after;
    nd->ca = c->ca;
    nd->path_len = c->path_len;
    nd->has_ku = c->ext_index[MOTE_X509_EXT_KEY_USAGE] >= 0;
    nd->key_usage = c->key_usage;
    nd->has_eku = c->ext_index[MOTE_X509_EXT_EXT_KEY_USAGE] >= 0;
    nd->eku_flags = c->eku_flags;
    nd->has_nc = c->ext_index[MOTE_X509_EXT_NAME_CONSTRAINTS] >= 0;
    nd->has_policy = c->ext_index[MOTE_X509_EXT_CERT_POLICIES] >= 0 ||
                     c->ext_index[MOTE_X509_EXT_POLICY_MAPPINGS] >= 0 ||
                     c->ext_index[MOTE_X509_EXT_POLICY_CONSTRAINTS] >= 0 ||
                     c->ext_index[MOTE_X509_EXT_INHIBIT_ANY_POLICY] >= 0;
    /* RFC 5280 4.1.2.6: an empty subject needs a critical subjectAltName
     * (the parser leaves this to us). */
    int san = c->ext_index[MOTE_X509_EXT_SUBJECT_ALT_NAME];
    if (c->subject.len == 2 && (san < 0 || !c->exts[san].critical))
        nd->parse_reason = MOTE_X509_MALFORMED;
    nd->nc_permitted_count = c->nc_permitted_count;
    nd->nc_excluded_count = c->nc_excluded_count;
    memcpy(nd->nc_permitted, c->nc_permitted, sizeof nd->nc_permitted);
    memcpy(nd->nc_excluded, c->nc_excluded, sizeof nd->nc_excluded);
}

int mote_x509_verify(const uint8_t *leaf, size_t leaf_len,
                     const struct mote_x509_slice *bundle, size_t nbundle,
                     const struct mote_x509_trust *trust,
                     const struct mote_x509_verify_opts *opts,
                     struct mote_x509_verify_work *work,
                     struct mote_x509_result *res)
{
    if (!leaf || !trust || !opts || !work || !res || (nbundle && !bundle) ||
        nbundle > MOTE_X509_MAX_BUNDLE || opts->max_depth > MOTE_X509_MAX_DEPTH)
        return MOTE_EINVAL;
    if (opts->id && opts->id->type == MOTE_X509_ID_NONE)
        return MOTE_EINVAL;
    memset(res, 0, sizeof *res);
    res->reason = MOTE_X509_MALFORMED;
    res->depth = 0;
    res->chain[0].ptr = leaf;
    res->chain[0].len = leaf_len;
    res->chain_len = 1;

    struct search s = {
        .w = work,
        .trust = trust,
        .o = opts,
        .max_depth =
            opts->max_depth ? opts->max_depth : MOTE_X509_DEFAULT_DEPTH,
        .res = res,
    };
    work->work_left = opts->max_work ? opts->max_work : MOTE_X509_DEFAULT_WORK;

    /* The leaf: if it does not parse there is nothing to build. */
    node_fill(&work->nodes[0], &work->scratch, leaf, leaf_len);
    if (work->nodes[0].parse_reason != MOTE_X509_OK) {
        res->reason = work->nodes[0].parse_reason;
        return MOTE_EAUTH;
    }
    s.id_reason = MOTE_X509_OK;
    if (opts->id && mote_x509_cert_check_id(&work->scratch, opts->id) != 0)
        s.id_reason = MOTE_X509_NAME_MISMATCH;
    work->node_count = 1;
    for (size_t i = 0; i < nbundle; i++) {
        if (!bundle[i].ptr || bundle[i].len == 0)
            continue;
        node_fill(&work->nodes[work->node_count], &work->scratch, bundle[i].ptr,
                  bundle[i].len);
        work->node_count++;
    }
    work->path[0] = 0;
    int st = extend(&s, 1);
    if (st == FOUND)
        return 0;
    if (s.best == RANK_NONE)
        record(&s, RANK_NO_ISSUER, 1, 1, NULL, MOTE_X509_UNKNOWN_ISSUER, 0);
    return MOTE_EAUTH;
}

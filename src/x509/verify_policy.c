/* Certificate policy processing (RFC 5280 6.1.2-6.1.5) over the policy
 * graph of RFC 9618, the linear-size form of the valid_policy_tree. */
#include <string.h>

#include <mote/x509_verify.h>

#include "verify_int.h"

/*
 * The graph has one level per certificate (level 0 is the anchor's
 * anyPolicy node, level i the i-th certificate below the anchor). A node
 * is unique in its level by its valid_policy and keeps its parents as a
 * bit mask over the level above; where RFC 5280's tree would copy a
 * subtree for every parent, the graph adds a parent bit. A level holds at
 * most MOTE_X509_POLICY_LEVEL nodes, so the whole graph is bounded by
 * MOTE_X509_MAX_CHAIN * MOTE_X509_POLICY_LEVEL nodes and the work by
 * that times the nodes of the level above: the exponential growth of
 * CVE-2023-0464 (each certificate listing many policies and anyPolicy)
 * cannot happen. A chain that needs more nodes fails with "policy".
 *
 * The expected_policy_set is not stored: it is {valid_policy} unless the
 * node is "mapped", and then the subjectDomainPolicy values its
 * certificate's policyMappings give for it.
 */

typedef struct mote_x509_policy_level level_t;

static const uint8_t any_oid[] = {0x55, 0x1d, 0x20, 0x00}; /* 2.5.29.32.0 */

static bool oid_eq(struct mote_x509_slice a, struct mote_x509_slice b)
{
    return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

static bool is_any(struct mote_x509_slice s)
{
    return s.len == sizeof any_oid && memcmp(s.ptr, any_oid, s.len) == 0;
}

static int find(const level_t *l, struct mote_x509_slice v)
{
    for (unsigned k = 0; k < l->count; k++)
        if (!l->n[k].dead && oid_eq(l->n[k].oid, v))
            return (int)k;
    return -1;
}

/* The node v of level l with parents added (made if new); -1 if full. */
static int add(level_t *l, struct mote_x509_slice v, uint64_t parents)
{
    int k = find(l, v);
    if (k >= 0) {
        l->n[k].parents |= parents;
        return k;
    }
    if (l->count == MOTE_X509_POLICY_LEVEL)
        return -1;
    struct mote_x509_policy_node *x = &l->n[l->count];
    memset(x, 0, sizeof *x);
    x->oid = v;
    x->parents = parents;
    return (int)l->count++;
}

struct maps {
    struct mote_x509_policy_map m[MOTE_X509_MAX_POLICY_MAPS];
    unsigned count;
};

/* Is v in the expected_policy_set of x (whose certificate mapped mp)? */
static bool expects(const struct mote_x509_policy_node *x,
                    const struct maps *mp, struct mote_x509_slice v)
{
    if (!x->mapped)
        return oid_eq(x->oid, v);
    for (unsigned k = 0; k < mp->count; k++)
        if (oid_eq(mp->m[k].issuer_domain, x->oid) &&
            oid_eq(mp->m[k].subject_domain, v))
            return true;
    return false;
}

static bool live_any(const level_t *l)
{
    for (unsigned k = 0; k < l->count; k++)
        if (!l->n[k].dead)
            return true;
    return false;
}

static void lower(unsigned *var, int v)
{
    if (v >= 0 && (unsigned)v < *var)
        *var = (unsigned)v;
}

/* 6.1.3 (d): the level of certificate c under level up (mapped by mp).
 * Returns false when a level overflows. */
static bool add_level(level_t *l, const level_t *up, const struct maps *mp,
                      const struct mote_x509_cert *c, bool any_ok)
{
    bool has_any = false;
    l->count = 0;
    for (unsigned p = 0; p < c->policy_count; p++) {
        struct mote_x509_slice v = c->policies[p].oid;
        if (is_any(v)) {
            has_any = true;
            continue;
        }
        /* (d)(1)(i): the nodes that expect v; else (ii) anyPolicy. */
        uint64_t par = 0, anyp = 0;
        for (unsigned j = 0; j < up->count; j++) {
            if (up->n[j].dead)
                continue;
            if (expects(&up->n[j], mp, v))
                par |= (uint64_t)1 << j;
            if (is_any(up->n[j].oid))
                anyp |= (uint64_t)1 << j;
        }
        if (!par)
            par = anyp;
        if (par && add(l, v, par) < 0)
            return false;
    }
    /* (d)(2): anyPolicy in the certificate matches every expected
     * policy the level above has left over. */
    if (has_any && any_ok) {
        for (unsigned j = 0; j < up->count; j++) {
            const struct mote_x509_policy_node *x = &up->n[j];
            uint64_t bit = (uint64_t)1 << j;
            if (x->dead)
                continue;
            if (!x->mapped) {
                if (add(l, x->oid, bit) < 0)
                    return false;
                continue;
            }
            for (unsigned k = 0; k < mp->count; k++)
                if (oid_eq(mp->m[k].issuer_domain, x->oid) &&
                    add(l, mp->m[k].subject_domain, bit) < 0)
                    return false;
        }
    }
    return true;
}

/* 6.1.5 (g) for a user-initial-policy-set without anyPolicy, and the
 * final question: is any node of level n still connected to the root? */
static bool intersect(level_t *lv, unsigned n,
                      const struct mote_x509_verify_opts *o)
{
    bool user_any = o->npolicies == 0;
    for (unsigned u = 0; u < o->npolicies; u++)
        user_any = user_any || is_any(o->policies[u]);
    if (!user_any) {
        /* (g)(ii): a node below an anyPolicy node is in the
         * valid_policy_node_set; outside the user's set it goes (in the
         * graph: the edge from anyPolicy goes). */
        for (unsigned i = 1; i <= n; i++) {
            uint64_t anyp = 0;
            for (unsigned j = 0; j < lv[i - 1].count; j++)
                if (!lv[i - 1].n[j].dead && is_any(lv[i - 1].n[j].oid))
                    anyp |= (uint64_t)1 << j;
            for (unsigned k = 0; k < lv[i].count; k++) {
                struct mote_x509_policy_node *x = &lv[i].n[k];
                if (x->dead || is_any(x->oid) || !(x->parents & anyp))
                    continue;
                bool in = false;
                for (unsigned u = 0; u < o->npolicies && !in; u++)
                    in = oid_eq(o->policies[u], x->oid);
                if (!in)
                    x->parents &= ~anyp;
            }
        }
        /* (g)(iii): the leaf's anyPolicy node stands for every user
         * policy; then it goes. */
        int a = -1;
        for (unsigned k = 0; k < lv[n].count && a < 0; k++)
            if (!lv[n].n[k].dead && is_any(lv[n].n[k].oid))
                a = (int)k;
        if (a >= 0) {
            uint64_t pa = lv[n].n[a].parents;
            lv[n].n[a].dead = true;
            for (unsigned u = 0; u < o->npolicies; u++)
                if (add(&lv[n], o->policies[u], pa) < 0)
                    return false;
        }
    }
    /* (g)(iv) and the verdict: reachability from the root. */
    uint64_t reach = 1;
    for (unsigned i = 1; i <= n; i++) {
        uint64_t next = 0;
        for (unsigned k = 0; k < lv[i].count; k++)
            if (!lv[i].n[k].dead && (lv[i].n[k].parents & reach))
                next |= (uint64_t)1 << k;
        reach = next;
    }
    return reach != 0;
}

enum mote_x509_reason x509__policy_check(struct mote_x509_verify_work *work,
                                         const unsigned *path, unsigned n,
                                         const struct mote_x509_verify_opts *o,
                                         int *depth)
{
    *depth = -1;
    bool any_ext = false;
    for (unsigned k = 0; k < n; k++)
        any_ext = any_ext || work->nodes[path[k]].has_policy;
    /* Without policy extensions the graph is NULL from the first
     * certificate on, and only an initial explicit_policy can object. */
    if (!any_ext && !o->explicit_policy)
        return MOTE_X509_OK;

    unsigned explicit_p = o->explicit_policy ? 0 : n + 1;
    unsigned inhibit_any = o->inhibit_any_policy ? 0 : n + 1;
    unsigned mapping = o->inhibit_policy_mapping ? 0 : n + 1;
    level_t *lv = work->policy;
    struct mote_x509_cert *c = &work->scratch;
    struct maps mp = {.count = 0};
    bool null = false;

    lv[0].count = 1;
    memset(&lv[0].n[0], 0, sizeof lv[0].n[0]);
    lv[0].n[0].oid.ptr = any_oid;
    lv[0].n[0].oid.len = sizeof any_oid;

    for (unsigned i = 1; i <= n; i++) {
        unsigned k = n - i; /* the path index of certificate i */
        const struct mote_x509_node *nd = &work->nodes[path[k]];
        *depth = (int)k;
        if (mote_x509_cert_parse(c, nd->der.ptr, nd->der.len) != 0)
            return MOTE_X509_MALFORMED;
        bool self_issued =
            c->subject.len == c->issuer.len &&
            memcmp(c->subject.der, c->issuer.der, c->subject.len) == 0;
        level_t *l = &lv[i];
        l->count = 0;
        if (!null && c->ext_index[MOTE_X509_EXT_CERT_POLICIES] >= 0) {
            bool any_ok = inhibit_any > 0 || (i < n && self_issued);
            if (!add_level(l, &lv[i - 1], &mp, c, any_ok))
                return MOTE_X509_POLICY;
            null = !live_any(l);
        } else {
            null = true; /* (e) */
        }
        if (explicit_p == 0 && null) /* (f) */
            return MOTE_X509_POLICY;
        if (i == n)
            break;

        /* 6.1.4 (b): policy mappings of certificate i. */
        mp.count = 0;
        for (unsigned m = 0; m < c->policy_map_count; m++) {
            struct mote_x509_slice idp = c->policy_maps[m].issuer_domain;
            if (mapping > 0) {
                mp.m[mp.count++] = c->policy_maps[m];
                if (null)
                    continue;
                int x = find(l, idp);
                if (x < 0) {
                    /* (b)(1): a mapped policy anyPolicy stood for. */
                    int a = -1;
                    for (unsigned j = 0; j < l->count && a < 0; j++)
                        if (!l->n[j].dead && is_any(l->n[j].oid))
                            a = (int)j;
                    if (a < 0)
                        continue;
                    x = add(l, idp, l->n[a].parents);
                    if (x < 0)
                        return MOTE_X509_POLICY;
                }
                l->n[x].mapped = true;
            } else if (!null) {
                int x = find(l, idp); /* (b)(2) */
                if (x >= 0)
                    l->n[x].dead = true;
            }
        }
        if (!null && !live_any(l))
            null = true;

        /* (h), (i), (j) */
        if (!self_issued) {
            if (explicit_p)
                explicit_p--;
            if (mapping)
                mapping--;
            if (inhibit_any)
                inhibit_any--;
        }
        if (c->ext_index[MOTE_X509_EXT_POLICY_CONSTRAINTS] >= 0) {
            lower(&explicit_p, c->require_explicit_policy);
            lower(&mapping, c->inhibit_policy_mapping);
        }
        if (c->ext_index[MOTE_X509_EXT_INHIBIT_ANY_POLICY] >= 0)
            lower(&inhibit_any, c->inhibit_any_policy);
    }

    /* 6.1.5 (a), (b): c is the leaf. */
    if (explicit_p)
        explicit_p--;
    if (c->ext_index[MOTE_X509_EXT_POLICY_CONSTRAINTS] >= 0 &&
        c->require_explicit_policy == 0)
        explicit_p = 0;
    *depth = 0;
    bool valid = !null && intersect(lv, n, o);
    if (!valid && explicit_p == 0)
        return MOTE_X509_POLICY;
    *depth = -1;
    return MOTE_X509_OK;
}

/* libFuzzer target: X.509 path building and validation on hostile input.
 *
 * Input: two header bytes, then certificates as [u16 big-endian length]
 * [DER] chunks. The first certificate is the leaf; the last (byte 1 & 3)
 * certificates go to the trust store; the rest are the bundle. Byte 0
 * chooses the purpose (bits 0-1), whether a host name is checked (bit 2)
 * and max_depth (bits 3-5); with bit 6 the anchors are read as PEM text
 * instead of DER. Byte 1 bits 2-4 set the initial policy switches
 * (explicit, inhibit mapping, inhibit any), bits 5-6 a user policy set,
 * bit 7 a signature cache (the verdict is then asked twice and must not
 * change). Time is fixed. The search must end (the work bound) and
 * never crash, and its result must be self-consistent. The name matchers
 * also get the chunks: the first as a reference identity, every chunk as
 * a presented name and as a name constraint. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mote/error.h>
#include <mote/x509_verify.h>

#include "../../src/x509/verify_int.h"

#define MAX_CERTS 12

static struct mote_x509_verify_work work;
static struct mote_x509_anchor slots[4];
static uint8_t trust_buf[3 * 8192];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void names(const struct mote_x509_slice *c, size_t n)
{
    struct mote_x509_id id;
    if (mote_x509_id_parse(&id, (const char *)c[0].ptr, c[0].len) == 0) {
        if (id.type == MOTE_X509_ID_DNS &&
            (id.dns_len == 0 || id.dns_len > MOTE_X509_DNS_MAX ||
             strlen(id.dns) != id.dns_len))
            abort();
        for (size_t i = 1; i < n; i++) {
            (void)mote_x509_dns_matches((const char *)c[i].ptr, c[i].len, &id);
            (void)mote_x509_ip_matches(c[i].ptr, c[i].len, &id);
        }
    }
    for (size_t i = 0; i + 1 < n; i++) {
        const uint8_t *a = c[i].ptr, *b = c[i + 1].ptr;
        size_t al = c[i].len, bl = c[i + 1].len;
        (void)x509__nc_dns_within(a, al, b, bl);
        (void)x509__nc_dns_overlaps(a, al, b, bl);
        (void)x509__nc_ip_within(a, al, b, bl);
        (void)x509__nc_email_within(a, al, b, bl);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned flags = data[0], nroots = data[1] & 3, pflags = data[1] >> 2;
    data += 2;
    size -= 2;
    struct mote_x509_slice certs[MAX_CERTS];
    size_t n = 0;
    while (size >= 2 && n < MAX_CERTS) {
        size_t len = (size_t)data[0] << 8 | data[1];
        if (len > size - 2)
            len = size - 2;
        certs[n].ptr = data + 2;
        certs[n].len = len;
        n++;
        data += 2 + len;
        size -= 2 + len;
    }
    if (n == 0 || certs[0].len == 0)
        return 0;
    if (nroots > n - 1)
        nroots = (unsigned)(n - 1);

    struct mote_x509_trust trust;
    mote_x509_trust_init(&trust, slots, 4, trust_buf, sizeof trust_buf);
    for (size_t i = n - nroots; i < n; i++) {
        if (flags & 0x40)
            (void)mote_x509_trust_add_pem(&trust, (const char *)certs[i].ptr,
                                          certs[i].len, NULL, NULL);
        else
            (void)mote_x509_trust_add_der(&trust, certs[i].ptr, certs[i].len);
    }
    names(certs, n);

    struct mote_x509_id id;
    mote_x509_id_parse(&id, "a.example.com", 13);
    struct mote_x509_verify_opts o = {
        .now = 1780272000, /* 2026-06-01 */
        .purpose = (enum mote_x509_purpose)(flags & 3 ? (flags & 3) % 3 : 0),
        .id = flags & 4 ? &id : NULL,
        .max_depth = (flags >> 3) & 7,
        .max_work = 64,
        .explicit_policy = pflags & 1,
        .inhibit_policy_mapping = pflags & 2,
        .inhibit_any_policy = pflags & 4,
    };
    /* Byte 1 bit 5: a user-initial-policy-set {1.2.3.1, anyPolicy if bit
     * 6}; bit 6 alone: {anyPolicy}. */
    static const uint8_t p1[] = {0x2a, 0x03, 0x01},
                         pany[] = {0x55, 0x1d, 0x20, 0x00};
    struct mote_x509_slice pset[2] = {{p1, sizeof p1}, {pany, sizeof pany}};
    if (pflags & 8) {
        o.policies = pset;
        o.npolicies = pflags & 16 ? 2 : 1;
    } else if (pflags & 16) {
        o.policies = pset + 1;
        o.npolicies = 1;
    }
    /* With a signature cache, a second call must give the same verdict. */
    static struct mote_x509_sigcache_entry cslots[8];
    struct mote_x509_sigcache cache;
    mote_x509_sigcache_init(&cache, cslots, 8);
    if (pflags & 32)
        o.sigcache = &cache;
    struct mote_x509_result res;
    int r = mote_x509_verify(certs[0].ptr, certs[0].len, certs + 1,
                             n - 1 - nroots, &trust, &o, &work, &res);
    if (pflags & 32) {
        struct mote_x509_result res2;
        int r2 = mote_x509_verify(certs[0].ptr, certs[0].len, certs + 1,
                                  n - 1 - nroots, &trust, &o, &work, &res2);
        if (r2 != r || res2.reason != res.reason || res2.depth != res.depth)
            abort();
    }
    if (r == 0 && (res.reason != MOTE_X509_OK || !res.anchored ||
                   res.chain_len < 2 || res.depth != -1))
        abort();
    if (r == MOTE_EAUTH && (res.reason == MOTE_X509_OK || res.chain_len == 0 ||
                            res.chain_len > MOTE_X509_MAX_CHAIN ||
                            res.depth >= (int)res.chain_len))
        abort();
    if (r != 0 && r != MOTE_EAUTH)
        abort();
    return 0;
}

/* mote cert verify: check a certificate chain against trust anchors and
 * print the verdict, the chain found and, on failure, why and where. */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mote/der.h>
#include <mote/error.h>
#include <mote/x509.h>
#include <mote/x509_verify.h>

#include "cert.h"

/*
 * Exit status: 0 verified, 1 did not verify (the reason is printed), 2 for
 * usage and input errors (a file that cannot be read, holds no
 * certificate, a bad option value). Output on standard output:
 *
 *   verified | not verified: <reason sentence> (<reason name>) at depth N
 *   chain:
 *     0 <subject of the leaf>
 *     1 <subject of its issuer> ...  (the last one marked "(trust anchor)")
 */

static const char verify_usage[] =
    "usage: mote cert verify [OPTIONS] CERT\n"
    "  CERT               the certificate to check (PEM or DER); further\n"
    "                     certificates in a PEM CERT are intermediates\n"
    "  --ca-file FILE     trust anchors, PEM bundle (default: the system\n"
    "                     bundle " SYSTEM_BUNDLE ")\n"
    "  --untrusted FILE   intermediates, PEM bundle, in any order\n"
    "  --host NAME        the DNS name the certificate must be for\n"
    "  --ip ADDR          the IP address the certificate must be for\n"
    "  --purpose P        server (default) or client; none skips the key\n"
    "                     usage checks\n"
    "  --at TIME          verify at TIME: seconds since the epoch (@N or\n"
    "                     N) or YYYY-MM-DD[THH:MM:SS] UTC (default: now)\n"
    "  --max-depth N      CA certificates allowed between leaf and anchor\n"
    "                     (1-16, default 8)\n"
    "  --policy OID       an acceptable certificate policy (repeatable;\n"
    "                     default: any policy)\n"
    "  --explicit-policy  require a valid policy (RFC 5280\n"
    "                     initial-explicit-policy)\n"
    "  --inhibit-policy-mapping, --inhibit-any-policy   RFC 5280 6.1.1\n"
    "exit status: 0 verified, 1 not verified, 2 usage or input error\n";

#define MAX_ANCHORS 1024
#define ANCHOR_BUF  (4 << 20)

static _Noreturn void vusage(const char *fmt, const char *a)
{
    fprintf(stderr, "mote cert verify: ");
    fprintf(stderr, fmt, a);
    fprintf(stderr, "\n%s", verify_usage);
    exit(2);
}

static void read_or_die(const char *path, uint8_t **buf, size_t *len)
{
    int e = cert_read_file(path, buf, len);
    if (e == -EFBIG)
        errx(2, "%s: larger than %d bytes", path, CERT_FILE_MAX);
    if (e == -EINVAL)
        errx(2, "%s: not a regular file", path);
    if (e < 0) {
        errno = -e;
        err(2, "%s", path);
    }
}

/* Certificates of a file as DER slices: every CERTIFICATE block of a PEM
 * file (decoded into *store), or the whole file as one DER certificate. */
static size_t load_certs(const char *path, struct mote_x509_slice *out,
                         size_t cap, uint8_t **store)
{
    uint8_t *file;
    size_t len, n = 0;
    read_or_die(path, &file, &len);
    if (!memmem(file, len, "-----BEGIN ", 11)) {
        /* One DER SEQUENCE filling the file, or this is not a
         * certificate file at all (a certificate that is a SEQUENCE but
         * does not parse is a verdict: "malformed"). */
        struct mote_der_elem e;
        if (mote_der_parse_one(file, len, &e) != 0 ||
            e.tag != MOTE_DER_SEQUENCE)
            errx(2, "%s: not a DER certificate (and no PEM block)", path);
        *store = file;
        out[0].ptr = file;
        out[0].len = len;
        return 1;
    }
    *store = malloc(len ? len : 1);
    if (!*store)
        err(2, "%s", path);
    struct mote_pem_iter it;
    struct mote_pem_block b;
    size_t used = 0;
    int e;
    mote_pem_iter_init(&it, (const char *)file, len);
    while ((e = mote_pem_next(&it, &b)) == 1) {
        if (!mote_pem_label_is(&b, "CERTIFICATE"))
            continue;
        if (n == cap)
            errx(2, "%s: more than %zu certificates", path, cap);
        size_t dl;
        e = mote_pem_decode(&b, *store + used, len - used, &dl);
        if (e != 0)
            errx(2, "%s: certificate %zu: bad PEM (%s)", path, n + 1,
                 mote_strerror(e));
        out[n].ptr = *store + used;
        out[n].len = dl;
        used += dl;
        n++;
    }
    if (e < 0)
        errx(2, "%s: bad PEM (%s)", path, mote_strerror(e));
    free(file);
    if (n == 0)
        errx(2, "%s: no CERTIFICATE block in this file", path);
    return n;
}

/* "@N", "N" or "YYYY-MM-DD[THH:MM:SS][Z]" (also with a space for T). */
static int64_t parse_time(const char *s)
{
    const char *p = s[0] == '@' ? s + 1 : s;
    char *end;
    if (strlen(p) < 10 || p[4] != '-') {
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || *end || errno)
            vusage("--at: not a time: '%s'", s);
        return v;
    }
    struct mote_der_civil c = {0};
    int consumed = 0;
    if (sscanf(p, "%4d-%2d-%2d%n", &c.year, &c.month, &c.day, &consumed) != 3 ||
        consumed != 10)
        vusage("--at: not a time: '%s'", s);
    p += 10;
    if (*p == 'T' || *p == ' ') {
        if (sscanf(p + 1, "%2d:%2d:%2d%n", &c.hour, &c.min, &c.sec,
                   &consumed) != 3 ||
            consumed != 8)
            vusage("--at: not a time: '%s'", s);
        p += 9;
    }
    if (*p == 'Z')
        p++;
    int64_t t = 0;
    if (*p || mote_der_civil_to_time(&c, &t) != 0)
        vusage("--at: not a time: '%s'", s);
    return t;
}

static void print_subject(unsigned i, struct mote_x509_slice der,
                          const char *note)
{
    static struct mote_x509_cert c;
    char text[1024];
    if (mote_x509_cert_parse(&c, der.ptr, der.len) != 0) {
        printf("  %u (a certificate that does not parse)%s\n", i, note);
        return;
    }
    if (mote_x509_name_to_text(&c.subject, text, sizeof text) < 0)
        snprintf(text, sizeof text, "(too long to show)");
    /* Printable ASCII only, so that a hostile name cannot drive the
     * terminal. */
    printf("  %u ", i);
    for (const char *q = text; *q; q++)
        if (*q >= 0x20 && *q < 0x7f)
            putchar(*q);
        else
            printf("\\x%02x", (unsigned char)*q);
    printf("%s%s\n", text[0] ? "" : "(empty subject)", note);
}

int cert_cmd_verify(int argc, char **argv)
{
    const char *ca_file = SYSTEM_BUNDLE, *untrusted = NULL, *cert = NULL;
    const char *host = NULL, *ip = NULL, *v;
    struct mote_x509_verify_opts o = {.purpose = MOTE_X509_PURPOSE_SERVER};
    bool have_time = false;
    static uint8_t oids[8][64];
    static struct mote_x509_slice pols[8];
    o.policies = pols;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(verify_usage, stdout);
            exit(0);
        }
        if ((v = cert_opt(argc, argv, &i, "--ca-file")))
            ca_file = v;
        else if ((v = cert_opt(argc, argv, &i, "--untrusted")))
            untrusted = v;
        else if ((v = cert_opt(argc, argv, &i, "--host")))
            host = v;
        else if ((v = cert_opt(argc, argv, &i, "--ip")))
            ip = v;
        else if ((v = cert_opt(argc, argv, &i, "--purpose"))) {
            if (strcmp(v, "server") == 0)
                o.purpose = MOTE_X509_PURPOSE_SERVER;
            else if (strcmp(v, "client") == 0)
                o.purpose = MOTE_X509_PURPOSE_CLIENT;
            else if (strcmp(v, "none") == 0)
                o.purpose = MOTE_X509_PURPOSE_NONE;
            else
                vusage("--purpose: server, client or none, not '%s'", v);
        } else if ((v = cert_opt(argc, argv, &i, "--at"))) {
            o.now = parse_time(v);
            have_time = true;
        } else if ((v = cert_opt(argc, argv, &i, "--max-depth"))) {
            char *end;
            unsigned long d = strtoul(v, &end, 10);
            if (end == v || *end || d < 1 || d > MOTE_X509_MAX_DEPTH)
                vusage("--max-depth: 1 to 16, not '%s'", v);
            o.max_depth = (unsigned)d;
        } else if ((v = cert_opt(argc, argv, &i, "--policy"))) {
            int len =
                o.npolicies == 8
                    ? MOTE_ENOSPC
                    : mote_der_oid_from_text(v, strlen(v), oids[o.npolicies],
                                             sizeof oids[0]);
            if (len == MOTE_ENOSPC && o.npolicies == 8)
                vusage("--policy: at most 8 (%s)", v);
            if (len <= 0)
                vusage("--policy: not an OID: '%s'", v);
            pols[o.npolicies].ptr = oids[o.npolicies];
            pols[o.npolicies].len = (size_t)len;
            o.npolicies++;
        } else if (strcmp(a, "--explicit-policy") == 0)
            o.explicit_policy = true;
        else if (strcmp(a, "--inhibit-policy-mapping") == 0)
            o.inhibit_policy_mapping = true;
        else if (strcmp(a, "--inhibit-any-policy") == 0)
            o.inhibit_any_policy = true;
        else if (a[0] == '-' && a[1])
            vusage("unknown option '%s'", a);
        else if (cert)
            vusage("one CERT only ('%s')", a);
        else
            cert = a;
    }
    if (!cert)
        vusage("no CERT given%s", "");
    if (host && ip)
        vusage("--host and --ip: one identity only%s", "");

    static struct mote_x509_id id;
    if (host || ip) {
        const char *s = host ? host : ip;
        if (mote_x509_id_parse(&id, s, strlen(s)) != 0)
            vusage(host ? "--host: not a DNS name or address: '%s'"
                        : "--ip: not an IP address: '%s'",
                   s);
        if (ip && id.type != MOTE_X509_ID_IP)
            vusage("--ip: not an IP address: '%s'", s);
        o.id = &id;
    }
    if (!have_time)
        o.now = (int64_t)time(NULL);

    /* The certificate file: the leaf, then any intermediates. */
    static struct mote_x509_slice certs[MOTE_X509_MAX_BUNDLE + 1];
    static struct mote_x509_slice bundle[MOTE_X509_MAX_BUNDLE];
    uint8_t *cstore = NULL, *ustore = NULL;
    size_t nc = load_certs(cert, certs, MOTE_X509_MAX_BUNDLE + 1, &cstore);
    size_t nb = 0;
    for (size_t i = 1; i < nc; i++)
        bundle[nb++] = certs[i];
    if (untrusted)
        nb += load_certs(untrusted, bundle + nb, MOTE_X509_MAX_BUNDLE - nb,
                         &ustore);

    /* Trust anchors. */
    static struct mote_x509_anchor slots[MAX_ANCHORS];
    static struct mote_x509_trust trust;
    uint8_t *abuf = malloc(ANCHOR_BUF), *file;
    size_t len, added = 0, skipped = 0;
    if (!abuf)
        err(2, "anchors");
    read_or_die(ca_file, &file, &len);
    mote_x509_trust_init(&trust, slots, MAX_ANCHORS, abuf, ANCHOR_BUF);
    int e = mote_x509_trust_add_pem(&trust, (const char *)file, len, &added,
                                    &skipped);
    free(file);
    if (e != 0)
        errx(2, "%s: %s", ca_file,
             e == MOTE_ENOSPC ? "too many trust anchors" : "bad PEM");
    if (added == 0)
        errx(2, "%s: no usable trust anchor (%zu skipped)", ca_file, skipped);

    static struct mote_x509_verify_work work;
    static struct mote_x509_result res;
    e = mote_x509_verify(certs[0].ptr, certs[0].len, bundle, nb, &trust, &o,
                         &work, &res);
    if (e != 0 && e != MOTE_EAUTH)
        errx(2, "verification: %s", mote_strerror(e));
    if (e == 0)
        printf("verified\n");
    else
        printf("not verified: %s (%s) at depth %d\n",
               mote_x509_reason_str(res.reason),
               mote_x509_reason_name(res.reason), res.depth);
    printf("chain:\n");
    for (unsigned i = 0; i < res.chain_len; i++)
        print_subject(i, res.chain[i],
                      res.anchored && i + 1 == res.chain_len ? " (trust anchor)"
                                                             : "");
    free(abuf);
    free(cstore);
    free(ustore);
    return e == 0 ? 0 : 1;
}

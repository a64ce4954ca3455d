/* mote cert: make keys, certificates and signing requests; show
 * certificates. Run as `mote cert ...` (the frontend execs this program). */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <mote/crypto.h>
#include <mote/der.h>
#include <mote/error.h>
#include <mote/ipaddr.h>
#include <mote/x509.h>
#include <mote/x509_gen.h>

#include "cert.h"

/*
 * Every failure before the outputs are renamed into place exits with
 * status 2 and leaves no file behind: outputs are staged as temporary
 * files beside their targets and renamed only when everything (key,
 * certificate) has been made. Inputs are read whole, at most
 * CERT_FILE_MAX bytes, and checked before any key is generated.
 */

static const char usage[] =
    "usage: mote cert COMMAND [OPTIONS]\n"
    "  new   make a key and a certificate for host names and addresses\n"
    "  csr   make a certificate signing request (PKCS#10)\n"
    "  sign  issue a certificate for a signing request, with a CA\n"
    "  show  print certificates (or a request) in a PEM or DER file\n"
    "  verify check a certificate chain against trust anchors\n"
    "`mote cert COMMAND --help` lists each command's options.\n";

static const char new_usage[] =
    "usage: mote cert new --host NAME... [OPTIONS]\n"
    "  --host NAME        a DNS name for the certificate (repeatable;\n"
    "                     \"*.example.com\" allowed); the first is the CN\n"
    "  --ip ADDR          an IPv4 or IPv6 address (repeatable)\n"
    "  --email ADDR       an email address (repeatable)\n"
    "  --uri URI          a URI (repeatable)\n"
    "  --key-type T       p256 (default), p384, ed25519, rsa2048 (or rsa),\n"
    "                     rsa3072 or rsa4096\n"
    "  --key FILE         use this private key (PEM or DER: PKCS#8, SEC 1,\n"
    "                     PKCS#1 RSA) instead of making one\n"
    "  --days N           validity in days, 1 to 36500 (default 365; 3650\n"
    "                     with --ca)\n"
    "  --out-key FILE     where the new key goes (default key.pem, mode "
    "0600)\n"
    "  --out-cert FILE    where the certificate goes (default cert.pem)\n"
    "  --ca-cert FILE     sign with this CA certificate ...\n"
    "  --ca-key FILE      ... and its key (default: self-signed)\n"
    "  --ca               make a CA certificate (name it with --cn)\n"
    "  --cn NAME          subject common name\n"
    "  --org NAME         subject organization\n"
    "  --path-len N       CA only: at most N CAs below this one\n"
    "  --client           also for TLS clients (clientAuth)\n"
    "  --pss              RSA CA keys: sign with RSASSA-PSS\n"
    "  --chain            append the CA certificate to the certificate file\n"
    "  --force            replace existing output files\n"
    "FILE \"-\" writes to standard output.\n";

static const char csr_usage[] =
    "usage: mote cert csr --host NAME... [OPTIONS]\n"
    "  --host, --ip, --email, --uri, --cn, --org   as for `new`\n"
    "  --key FILE         sign with this key, or else make one:\n"
    "  --key-type T       p256 (default), p384, ed25519, rsa2048 ...\n"
    "  --out-key FILE     where the new key goes (default key.pem)\n"
    "  --out-csr FILE     where the request goes (default csr.pem)\n"
    "  --force            replace existing output files\n";

static const char sign_usage[] =
    "usage: mote cert sign --csr FILE --ca-cert FILE --ca-key FILE "
    "[OPTIONS]\n"
    "  --csr FILE         the request (PEM or DER); its signature is "
    "checked\n"
    "  --ca-cert FILE, --ca-key FILE   the issuing CA\n"
    "  --days N           validity in days (default 365)\n"
    "  --ca, --path-len N, --client, --pss, --chain   as for `new`\n"
    "  --out-cert FILE    where the certificate goes (default cert.pem)\n"
    "  --force            replace an existing output file\n";

static const char show_usage[] =
    "usage: mote cert show FILE\n"
    "  print subject, issuer, validity, names, key and SHA-256 fingerprint\n"
    "  of each certificate in FILE (PEM or DER), or of a signing request\n";

#define DER_MAX  (64 * 1024)
#define PEM_MAX  (DER_MAX * 2)
#define MAX_SANS MOTE_X509_GEN_MAX_SAN

struct opts {
    const char *hosts[MAX_SANS];
    int nhosts;
    struct mote_ipaddr ips[MAX_SANS];
    const char *ip_text[MAX_SANS];
    int nips;
    struct mote_x509_gen_san other[MAX_SANS]; /* email, URI */
    int nother;
    enum mote_x509_gen_keytype key_type;
    unsigned rsa_bits;
    const char *key_file;
    unsigned long days;
    const char *out_key, *out_cert, *out_csr;
    const char *ca_cert, *ca_key, *csr;
    const char *cn, *org;
    bool ca, client, pss, force, chain;
    int path_len;
};

static const char *cmd = "cert";

static void bad_usage(const char *u, const char *fmt, const char *a)
{
    fprintf(stderr, "mote cert %s: ", cmd);
    fprintf(stderr, fmt, a);
    fprintf(stderr, "\n%s", u);
    exit(2);
}

/* Parse the options every subcommand shares; allowed lists which. */
static void parse_opts(int argc, char **argv, struct opts *o, const char *u,
                       const char *allowed)
{
    memset(o, 0, sizeof(*o));
    o->path_len = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        char name[32];
        size_t n = strcspn(a, "=");
        snprintf(name, sizeof(name), "%.*s,", (int)(n < 30 ? n : 30), a);
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(u, stdout);
            exit(0);
        }
        if (strncmp(a, "--", 2) != 0 || !strstr(allowed, name))
            bad_usage(u,
                      a[0] == '-' ? "unknown option '%s'"
                                  : "unexpected argument '%s'",
                      a);
        if ((v = cert_opt(argc, argv, &i, "--host"))) {
            const char *why = cert_check_host(v);
            if (why)
                errx(2, "--host %s: not a host name: %s", v, why);
            if (o->nhosts + o->nips + o->nother >= MAX_SANS)
                errx(2, "--host %s: at most %d names and addresses", v,
                     MAX_SANS);
            o->hosts[o->nhosts++] = v;
        } else if ((v = cert_opt(argc, argv, &i, "--ip"))) {
            if (o->nhosts + o->nips + o->nother >= MAX_SANS)
                errx(2, "--ip %s: at most %d names and addresses", v, MAX_SANS);
            if (mote_ipaddr_parse(v, strlen(v), &o->ips[o->nips]) != 0 ||
                o->ips[o->nips].zone[0])
                errx(2, "--ip %s: not an IPv4 or IPv6 address", v);
            o->ip_text[o->nips++] = v;
        } else if ((v = cert_opt(argc, argv, &i, "--email")) ||
                   (v = cert_opt(argc, argv, &i, "--uri"))) {
            bool email = strncmp(a, "--email", 7) == 0;
            struct mote_x509_gen_san *x = &o->other[o->nother];
            if (o->nhosts + o->nips + o->nother >= MAX_SANS)
                errx(2, "%s: at most %d names and addresses", v, MAX_SANS);
            x->type = email ? MOTE_X509_GEN_SAN_EMAIL : MOTE_X509_GEN_SAN_URI;
            x->text = v;
            if (mote_x509_gen_san_check(x) != 0)
                errx(2, "%s %s: not %s", email ? "--email" : "--uri", v,
                     email ? "an ASCII address local@domain"
                           : "an ASCII URI scheme:...");
            o->nother++;
        } else if ((v = cert_opt(argc, argv, &i, "--key-type"))) {
            if (strcmp(v, "p256") == 0)
                o->key_type = MOTE_X509_GEN_KEY_P256;
            else if (strcmp(v, "p384") == 0)
                o->key_type = MOTE_X509_GEN_KEY_P384;
            else if (strcmp(v, "ed25519") == 0)
                o->key_type = MOTE_X509_GEN_KEY_ED25519;
            else if (strcmp(v, "rsa") == 0 || strcmp(v, "rsa2048") == 0)
                o->key_type = MOTE_X509_GEN_KEY_RSA, o->rsa_bits = 2048;
            else if (strcmp(v, "rsa3072") == 0)
                o->key_type = MOTE_X509_GEN_KEY_RSA, o->rsa_bits = 3072;
            else if (strcmp(v, "rsa4096") == 0)
                o->key_type = MOTE_X509_GEN_KEY_RSA, o->rsa_bits = 4096;
            else
                errx(2,
                     "--key-type %s: want p256, p384, ed25519, rsa2048, "
                     "rsa3072 or rsa4096",
                     v);
        } else if ((v = cert_opt(argc, argv, &i, "--key"))) {
            o->key_file = v;
        } else if ((v = cert_opt(argc, argv, &i, "--days"))) {
            o->days = cert_parse_days(v);
        } else if ((v = cert_opt(argc, argv, &i, "--out-key"))) {
            o->out_key = v;
        } else if ((v = cert_opt(argc, argv, &i, "--out-cert"))) {
            o->out_cert = v;
        } else if ((v = cert_opt(argc, argv, &i, "--out-csr"))) {
            o->out_csr = v;
        } else if ((v = cert_opt(argc, argv, &i, "--ca-cert"))) {
            o->ca_cert = v;
        } else if ((v = cert_opt(argc, argv, &i, "--ca-key"))) {
            o->ca_key = v;
        } else if ((v = cert_opt(argc, argv, &i, "--csr"))) {
            o->csr = v;
        } else if ((v = cert_opt(argc, argv, &i, "--cn"))) {
            if (!*v || strlen(v) > 64)
                errx(2, "--cn: want 1 to 64 bytes");
            o->cn = v;
        } else if ((v = cert_opt(argc, argv, &i, "--org"))) {
            if (!*v || strlen(v) > 64)
                errx(2, "--org: want 1 to 64 bytes");
            o->org = v;
        } else if ((v = cert_opt(argc, argv, &i, "--path-len"))) {
            char *end;
            long p = strtol(v, &end, 10);
            if (*v < '0' || *v > '9' || *end || p > 16)
                errx(2, "--path-len %s: want 0 to 16", v);
            o->path_len = (int)p;
        } else if (strcmp(a, "--ca") == 0) {
            o->ca = true;
        } else if (strcmp(a, "--client") == 0) {
            o->client = true;
        } else if (strcmp(a, "--pss") == 0) {
            o->pss = true;
        } else if (strcmp(a, "--force") == 0) {
            o->force = true;
        } else if (strcmp(a, "--chain") == 0) {
            o->chain = true;
        } else {
            bad_usage(u, "unknown option '%s'", a);
        }
    }
}

/* ---- Inputs ---------------------------------------------------------------
 */

static void read_input(const char *path, uint8_t **buf, size_t *len)
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

static bool looks_pem(const uint8_t *p, size_t n)
{
    return memmem(p, n, "-----BEGIN ", 11) != NULL;
}

/* Buffers that hold key material remember their size, so that key_free
 * can wipe them. */
static uint8_t *key_alloc(size_t n)
{
    size_t *p = malloc(sizeof(size_t) + n);
    if (!p)
        err(2, "key buffer");
    *p = n;
    return (uint8_t *)(p + 1);
}

static void key_free(uint8_t *b)
{
    if (!b)
        return;
    size_t *p = (size_t *)(void *)b - 1;
    mote_memzero_explicit(b, *p);
    free(p);
}

/* A private key from a PEM or DER file; key borrows *store (key_free it
 * after the key is cleared). */
static void load_key(const char *path, struct mote_x509_privkey *key,
                     uint8_t **store)
{
    uint8_t *file;
    size_t len;
    read_input(path, &file, &len);
    int e;
    *store = key_alloc(len);
    if (looks_pem(file, len)) {
        e = mote_x509_privkey_parse_pem(key, (const char *)file, len, *store,
                                        len, NULL);
    } else {
        memcpy(*store, file, len);
        e = mote_x509_privkey_parse(key, *store, len, NULL);
    }
    mote_memzero_explicit(file, len);
    free(file);
    if (e == MOTE_ENOENT)
        errx(2, "%s: no PRIVATE KEY block in this PEM file", path);
    if (e == MOTE_ENOTSUP)
        errx(2,
             "%s: unsupported key (encrypted, or not RSA 2048-4096, "
             "P-256, P-384 or Ed25519)",
             path);
    if (e != 0)
        errx(2, "%s: not a private key (%s)", path, mote_strerror(e));
}

/* The first certificate of a PEM or DER file; cert borrows *store. */
static void load_cert(const char *path, struct mote_x509_cert *cert,
                      uint8_t **store)
{
    uint8_t *file;
    size_t len;
    read_input(path, &file, &len);
    int e;
    if (looks_pem(file, len)) {
        struct mote_pem_iter it;
        *store = malloc(len);
        if (!*store)
            err(2, "%s", path);
        mote_pem_iter_init(&it, (const char *)file, len);
        e = mote_x509_cert_next_pem(&it, cert, *store, len);
        free(file);
        if (e == 0)
            errx(2, "%s: no CERTIFICATE block in this PEM file", path);
        if (e == 1)
            e = 0;
    } else {
        *store = file;
        e = mote_x509_cert_parse(cert, file, len);
    }
    if (e != 0)
        errx(2, "%s: not a certificate (%s)", path,
             cert->reason ? cert->reason : mote_strerror(e));
}

/* A CSR from a PEM or DER file, parsed and its signature checked. */
static void load_csr(const char *path, struct mote_x509_csr *csr,
                     uint8_t **store)
{
    uint8_t *file;
    size_t len, n = 0;
    read_input(path, &file, &len);
    int e = 0;
    if (looks_pem(file, len)) {
        struct mote_pem_iter it;
        struct mote_pem_block b;
        *store = malloc(len);
        if (!*store)
            err(2, "%s", path);
        mote_pem_iter_init(&it, (const char *)file, len);
        for (;;) {
            e = mote_pem_next(&it, &b);
            if (e <= 0)
                break;
            if (mote_pem_label_is(&b, "CERTIFICATE REQUEST") ||
                mote_pem_label_is(&b, "NEW CERTIFICATE REQUEST")) {
                e = mote_pem_decode(&b, *store, len, &n);
                break;
            }
        }
        free(file);
        if (e == 0 && n == 0)
            errx(2, "%s: no CERTIFICATE REQUEST block in this PEM file", path);
        if (e < 0)
            errx(2, "%s: bad PEM (%s)", path, mote_strerror(e));
    } else {
        *store = file;
        n = len;
    }
    e = mote_x509_csr_parse(csr, *store, n);
    if (e != 0)
        errx(2, "%s: %s (%s)", path,
             e == MOTE_EAUTH ? "request signature does not verify"
                             : "not a usable certificate request",
             csr->reason ? csr->reason : mote_strerror(e));
}

/* ---- Outputs --------------------------------------------------------------
 */

/* DER to PEM in a fresh buffer. */
static char *to_pem(const char *label, const uint8_t *der, size_t len,
                    size_t *out_len)
{
    size_t need = 0;
    mote_pem_encode(label, der, len, NULL, 0, &need);
    char *pem = malloc(need + 1);
    if (!pem || mote_pem_encode(label, der, len, pem, need + 1, out_len) != 0)
        errx(2, "internal error: PEM encoding failed");
    return pem;
}

/* The certificate's PEM, and with --chain the issuer's after it (servers
 * send the chain from one file). */
static char *cert_pem(const struct opts *o, const uint8_t *der, size_t n,
                      const struct mote_x509_cert *issuer, size_t *plen)
{
    char *pem = to_pem("CERTIFICATE", der, n, plen);
    if (!o->chain || !issuer)
        return pem;
    size_t ilen;
    char *ipem = to_pem("CERTIFICATE", issuer->der.ptr, issuer->der.len, &ilen);
    char *both = malloc(*plen + ilen);
    if (!both)
        err(2, "chain");
    memcpy(both, pem, *plen);
    memcpy(both + *plen, ipem, ilen);
    *plen += ilen;
    free(pem);
    free(ipem);
    return both;
}

static int rng(void *ctx, uint8_t *buf, size_t len)
{
    return mote_x509_gen_rng(ctx, buf, len);
}

static void stage_key(struct cert_out *o, const struct mote_x509_privkey *key)
{
    uint8_t der[8192];
    size_t n;
    int e = mote_x509_gen_pkcs8_write(key, der, sizeof(der), &n);
    if (e != 0)
        errx(2, "cannot write the key (%s)", mote_strerror(e));
    size_t plen;
    char *pem = to_pem("PRIVATE KEY", der, n, &plen);
    mote_memzero_explicit(der, sizeof(der));
    cert_out_stage(o, pem, plen);
    if (strcmp(o->path, "-") != 0) {
        mote_memzero_explicit(pem, plen);
        free(pem);
    }
}

static void commit_all(struct cert_out **outs, int n)
{
    for (int i = 0; i < n; i++) {
        if (cert_out_commit(outs[i]) != 0) {
            int e = errno;
            for (int j = i; j < n; j++)
                cert_out_abort(outs[j]);
            errno = e;
            err(2, "%s", outs[i]->path);
        }
    }
}

/* ---- The CA ---------------------------------------------------------------
 */

struct ca {
    struct mote_x509_cert cert;
    struct mote_x509_privkey key;
    uint8_t *cert_store, *key_store;
    struct mote_x509_gen_issuer issuer;
};

static void load_ca(const struct opts *o, struct ca *ca)
{
    if (!o->ca_cert != !o->ca_key)
        errx(2, "--ca-cert and --ca-key go together");
    load_cert(o->ca_cert, &ca->cert, &ca->cert_store);
    load_key(o->ca_key, &ca->key, &ca->key_store);
    if (!ca->cert.ca)
        errx(2, "%s: not a CA certificate (basicConstraints CA is false)",
             o->ca_cert);
    if (ca->cert.ext_index[MOTE_X509_EXT_KEY_USAGE] >= 0 &&
        !(ca->cert.key_usage & MOTE_X509_KU_KEY_CERT_SIGN))
        errx(2, "%s: its key usage does not allow signing certificates",
             o->ca_cert);
    uint8_t spki[2048];
    size_t n;
    if (mote_x509_gen_spki_write(&ca->key, spki, sizeof(spki), &n) != 0 ||
        n != ca->cert.pubkey.spki.len ||
        memcmp(spki, ca->cert.pubkey.spki.ptr, n) != 0)
        errx(2, "%s is not the key of %s", o->ca_key, o->ca_cert);
    ca->issuer.name = ca->cert.subject.der;
    ca->issuer.name_len = ca->cert.subject.len;
    ca->issuer.key_id = ca->cert.ski.ptr;
    ca->issuer.key_id_len = ca->cert.ski.len;
    ca->issuer.key = &ca->key;
}

static void release_ca(struct ca *ca)
{
    mote_x509_privkey_clear(&ca->key);
    free(ca->cert_store);
    key_free(ca->key_store);
}

/* The template every issued certificate shares. */
static void fill_template(const struct opts *o, struct mote_x509_gen_cert *c,
                          const struct mote_x509_privkey *signer)
{
    time_t now = time(NULL);
    memset(c, 0, sizeof(*c));
    /* Five minutes back, for clocks a little behind ours. */
    c->not_before = (int64_t)now - 300;
    c->not_after = (int64_t)now + (int64_t)o->days * 86400;
    c->ca = o->ca;
    c->path_len = o->path_len;
    if (!o->ca)
        c->eku = MOTE_X509_GEN_EKU_SERVER |
                 (o->client ? MOTE_X509_GEN_EKU_CLIENT : 0);
    if (o->pss) {
        if (signer->type != MOTE_X509_KEY_RSA)
            errx(2, "--pss: the signing key is not an RSA key");
        mote_x509_gen_pss_sha256(&c->sigalg);
    }
}

static size_t fill_sans(const struct opts *o, struct mote_x509_gen_san *san)
{
    size_t n = 0;
    for (int i = 0; i < o->nhosts; i++) {
        san[n].type = MOTE_X509_GEN_SAN_DNS;
        san[n++].text = o->hosts[i];
    }
    for (int i = 0; i < o->nips; i++) {
        san[n].type = MOTE_X509_GEN_SAN_IP;
        san[n++].ip = o->ips[i];
    }
    for (int i = 0; i < o->nother; i++)
        san[n++] = o->other[i];
    return n;
}

static const char *default_cn(const struct opts *o)
{
    if (o->cn)
        return o->cn;
    if (o->nhosts)
        return o->hosts[0];
    if (o->nips)
        return o->ip_text[0];
    return o->nother ? o->other[0].text : NULL;
}

/* ---- Commands -------------------------------------------------------------
 */

static void get_key(const struct opts *o, struct mote_x509_privkey *key,
                    uint8_t **store)
{
    *store = NULL;
    if (o->key_file) {
        load_key(o->key_file, key, store);
        return;
    }
    int e;
    if (o->key_type == MOTE_X509_GEN_KEY_RSA) {
        size_t cap = MOTE_X509_GEN_RSA_BUF_LEN(o->rsa_bits);
        *store = key_alloc(cap);
        e = mote_x509_gen_key_rsa(key, o->rsa_bits, *store, cap, rng, NULL);
    } else {
        e = mote_x509_gen_key(
            key, o->key_type ? o->key_type : MOTE_X509_GEN_KEY_P256, rng, NULL);
    }
    if (e != 0)
        errx(2, "cannot make a key (%s)", mote_strerror(e));
}

static int cmd_new(int argc, char **argv)
{
    struct opts o;
    parse_opts(argc, argv, &o, new_usage,
               "--host,--ip,--email,--uri,--key-type,--key,--days,--out-key,"
               "--out-cert,"
               "--ca-cert,--ca-key,--ca,--cn,--org,--path-len,--client,--pss,"
               "--chain,--force,");
    if (o.ca && !default_cn(&o))
        errx(2, "--ca: give the CA a name with --cn");
    if (!o.ca && !o.nhosts && !o.nips && !o.nother)
        errx(2, "no --host or --ip given: whom is the certificate for?");
    if (o.path_len >= 0 && !o.ca)
        errx(2, "--path-len applies to --ca certificates only");
    if (o.chain && !o.ca_cert)
        errx(2, "--chain needs --ca-cert (a self-signed certificate is its "
                "own chain)");
    if (o.key_file && o.key_type)
        errx(2, "--key and --key-type: give one");
    if (o.key_file && o.out_key)
        errx(2, "--key and --out-key: the key exists already");
    if (!o.days)
        o.days = o.ca ? 3650 : 365;
    struct cert_out key_out, cert_out;
    cert_out_init(&key_out, o.out_key ? o.out_key : "key.pem", 0600, o.force);
    cert_out_init(&cert_out, o.out_cert ? o.out_cert : "cert.pem", 0644,
                  o.force);
    if (!o.key_file)
        cert_out_check(&key_out);
    cert_out_check(&cert_out);
    if (!o.key_file && strcmp(key_out.path, cert_out.path) == 0 &&
        strcmp(key_out.path, "-") != 0)
        errx(2, "--out-key and --out-cert name the same file");

    static struct ca ca;
    bool have_ca = o.ca_cert || o.ca_key;
    if (have_ca)
        load_ca(&o, &ca);
    struct mote_x509_privkey key;
    uint8_t *key_store;
    get_key(&o, &key, &key_store);

    struct mote_x509_gen_cert c;
    fill_template(&o, &c, have_ca ? &ca.key : &key);
    struct mote_x509_gen_san san[MAX_SANS];
    c.nsan = fill_sans(&o, san);
    c.san = san;
    c.subject.cn = default_cn(&o);
    c.subject.o = o.org;
    uint8_t spki[2048];
    int e = mote_x509_gen_spki_write(&key, spki, sizeof(spki), &c.spki_len);
    if (e != 0)
        errx(2, "cannot write the public key (%s)", mote_strerror(e));
    c.spki = spki;
    struct mote_x509_gen_issuer self = {.key = &key};
    static uint8_t der[DER_MAX];
    size_t n;
    e = mote_x509_gen_cert_write(&c, have_ca ? &ca.issuer : &self, der,
                                 sizeof(der), &n, rng, NULL);
    if (e != 0)
        errx(2, "cannot make the certificate (%s)", mote_strerror(e));
    size_t plen;
    char *pem = cert_pem(&o, der, n, have_ca ? &ca.cert : NULL, &plen);
    struct cert_out *outs[2];
    int nouts = 0;
    if (!o.key_file) {
        stage_key(&key_out, &key);
        outs[nouts++] = &key_out;
    }
    cert_out_stage(&cert_out, pem, plen);
    outs[nouts++] = &cert_out;
    commit_all(outs, nouts);
    mote_x509_privkey_clear(&key);
    key_free(key_store);
    if (have_ca)
        release_ca(&ca);
    if (strcmp(cert_out.path, "-") != 0)
        fprintf(stderr, "wrote %s%s%s\n", o.key_file ? "" : key_out.path,
                o.key_file ? "" : " and ", cert_out.path);
    return 0;
}

static int cmd_csr(int argc, char **argv)
{
    struct opts o;
    parse_opts(argc, argv, &o, csr_usage,
               "--host,--ip,--email,--uri,--key-type,--key,--out-key,--out-csr,"
               "--cn,--org,"
               "--force,");
    if (!o.nhosts && !o.nips && !o.nother && !o.cn)
        errx(2, "no --host, --ip or --cn given: what is the request for?");
    if (o.key_file && o.key_type)
        errx(2, "--key and --key-type: give one");
    if (o.key_file && o.out_key)
        errx(2, "--key and --out-key: the key exists already");
    struct cert_out key_out, csr_out;
    cert_out_init(&key_out, o.out_key ? o.out_key : "key.pem", 0600, o.force);
    cert_out_init(&csr_out, o.out_csr ? o.out_csr : "csr.pem", 0644, o.force);
    if (!o.key_file)
        cert_out_check(&key_out);
    cert_out_check(&csr_out);
    struct mote_x509_privkey key;
    uint8_t *key_store;
    get_key(&o, &key, &key_store);
    struct mote_x509_gen_csr r;
    memset(&r, 0, sizeof(r));
    struct mote_x509_gen_san san[MAX_SANS];
    r.nsan = fill_sans(&o, san);
    r.san = san;
    r.subject.cn = default_cn(&o);
    r.subject.o = o.org;
    static uint8_t der[DER_MAX];
    size_t n;
    int e = mote_x509_gen_csr_write(&r, &key, der, sizeof(der), &n, rng, NULL);
    if (e != 0)
        errx(2, "cannot make the request (%s)", mote_strerror(e));
    size_t plen;
    char *pem = to_pem("CERTIFICATE REQUEST", der, n, &plen);
    struct cert_out *outs[2];
    int nouts = 0;
    if (!o.key_file) {
        stage_key(&key_out, &key);
        outs[nouts++] = &key_out;
    }
    cert_out_stage(&csr_out, pem, plen);
    outs[nouts++] = &csr_out;
    commit_all(outs, nouts);
    mote_x509_privkey_clear(&key);
    key_free(key_store);
    if (strcmp(csr_out.path, "-") != 0)
        fprintf(stderr, "wrote %s%s%s\n", o.key_file ? "" : key_out.path,
                o.key_file ? "" : " and ", csr_out.path);
    return 0;
}

static int cmd_sign(int argc, char **argv)
{
    struct opts o;
    parse_opts(argc, argv, &o, sign_usage,
               "--csr,--ca-cert,--ca-key,--days,--ca,--path-len,--client,"
               "--pss,--chain,--out-cert,--force,");
    if (!o.csr)
        errx(2, "no --csr given");
    if (!o.ca_cert || !o.ca_key)
        errx(2, "sign needs --ca-cert and --ca-key");
    if (o.path_len >= 0 && !o.ca)
        errx(2, "--path-len applies to --ca certificates only");
    if (!o.days)
        o.days = 365;
    struct cert_out cert_out;
    cert_out_init(&cert_out, o.out_cert ? o.out_cert : "cert.pem", 0644,
                  o.force);
    cert_out_check(&cert_out);
    static struct mote_x509_csr csr;
    uint8_t *csr_store;
    load_csr(o.csr, &csr, &csr_store);
    static struct ca ca;
    load_ca(&o, &ca);
    struct mote_x509_gen_cert c;
    fill_template(&o, &c, &ca.key);
    static uint8_t der[DER_MAX];
    size_t n;
    int e = mote_x509_gen_cert_from_csr(&csr, &c, &ca.issuer, der, sizeof(der),
                                        &n, rng, NULL);
    if (e != 0)
        errx(2, "cannot make the certificate (%s)", mote_strerror(e));
    size_t plen;
    char *pem = cert_pem(&o, der, n, &ca.cert, &plen);
    cert_out_stage(&cert_out, pem, plen);
    struct cert_out *outs[1] = {&cert_out};
    commit_all(outs, 1);
    release_ca(&ca);
    free(csr_store);
    if (strcmp(cert_out.path, "-") != 0)
        fprintf(stderr, "wrote %s\n", cert_out.path);
    return 0;
}

/* ---- show -----------------------------------------------------------------
 */

static void print_time(const char *label, int64_t t)
{
    struct mote_der_civil c;
    if (mote_der_time_to_civil(t, &c) != 0) {
        printf("%s: (out of range)\n", label);
        return;
    }
    printf("%s: %04d-%02d-%02d %02d:%02d:%02d UTC\n", label, c.year, c.month,
           c.day, c.hour, c.min, c.sec);
}

static void print_name(const char *label, const struct mote_x509_name *n)
{
    char text[1024];
    if (mote_x509_name_to_text(n, text, sizeof(text)) < 0)
        snprintf(text, sizeof(text), "(too long to show)");
    printf("%s: %s\n", label, text[0] ? text : "(empty)");
}

static void print_key(const struct mote_x509_pubkey *k)
{
    switch (k->type) {
    case MOTE_X509_KEY_EC:
        printf("key: EC %s\n", k->curve == MOTE_EC_P256 ? "P-256" : "P-384");
        break;
    case MOTE_X509_KEY_ED25519:
        printf("key: Ed25519\n");
        break;
    case MOTE_X509_KEY_RSA:
        printf("key: RSA %zu bits\n", mote_rsa_len(&k->rsa) * 8);
        break;
    default:
        printf("key: unsupported algorithm\n");
    }
}

/* Printable ASCII only, so a hostile name cannot drive the terminal. */
static void print_safe(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] >= 0x20 && p[i] < 0x7f)
            putchar(p[i]);
        else
            printf("\\x%02x", p[i]);
}

static void print_sans(const struct mote_x509_gn *gn, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        const struct mote_x509_gn *g = &gn[i];
        if (g->type == MOTE_X509_GN_DNS)
            printf("  DNS:");
        else if (g->type == MOTE_X509_GN_EMAIL)
            printf("  email:");
        else if (g->type == MOTE_X509_GN_URI)
            printf("  URI:");
        else if (g->type == MOTE_X509_GN_IP) {
            struct mote_ipaddr a;
            char text[64];
            if (g->len == 4)
                a = mote_ipaddr_from_v4_bytes(g->val);
            else if (g->len == 16)
                a = mote_ipaddr_from_v6_bytes(g->val);
            else {
                printf("  IP:(bad length)\n");
                continue;
            }
            mote_ipaddr_print(&a, text, sizeof(text));
            printf("  IP:%s\n", text);
            continue;
        } else {
            printf("  (other name, type %d)\n", (int)g->type);
            continue;
        }
        print_safe(g->val, g->len);
        printf("\n");
    }
}

static void print_hex(const char *label, const uint8_t *p, size_t n)
{
    printf("%s: ", label);
    for (size_t i = 0; i < n; i++)
        printf("%s%02X", i ? ":" : "", p[i]);
    printf("\n");
}

static void show_cert(const struct mote_x509_cert *c)
{
    print_name("subject", &c->subject);
    print_name("issuer", &c->issuer);
    print_hex("serial", c->serial.ptr, c->serial.len);
    print_time("not before", c->not_before);
    print_time("not after", c->not_after);
    print_key(&c->pubkey);
    if (c->ext_index[MOTE_X509_EXT_BASIC_CONSTRAINTS] >= 0) {
        if (c->ca && c->path_len >= 0)
            printf("CA: yes, path length %d\n", c->path_len);
        else
            printf("CA: %s\n", c->ca ? "yes" : "no");
    }
    if (c->san_count) {
        printf("names:\n");
        print_sans(c->san, c->san_count);
    }
    uint8_t fp[MOTE_SHA256_LEN];
    mote_sha256(c->der.ptr, c->der.len, fp);
    print_hex("SHA-256 fingerprint", fp, sizeof(fp));
}

static void show_csr(const struct mote_x509_csr *csr)
{
    printf("certificate request (signature verified)\n");
    print_name("subject", &csr->subject);
    print_key(&csr->pubkey);
    if (csr->san_count) {
        printf("names:\n");
        print_sans(csr->san, csr->san_count);
    }
}

static int cmd_show(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(show_usage, stdout);
            return 0;
        }
        if (argv[i][0] == '-' && argv[i][1])
            bad_usage(show_usage, "unknown option '%s'", argv[i]);
        if (path)
            bad_usage(show_usage, "one FILE only ('%s')", argv[i]);
        path = argv[i];
    }
    if (!path)
        bad_usage(show_usage, "no FILE given%s", "");
    uint8_t *file;
    size_t len;
    read_input(path, &file, &len);
    static struct mote_x509_cert cert;
    if (!looks_pem(file, len)) {
        static struct mote_x509_csr csr;
        int e = mote_x509_cert_parse(&cert, file, len);
        if (e == 0)
            show_cert(&cert);
        else if (mote_x509_csr_parse(&csr, file, len) == 0)
            show_csr(&csr);
        else
            errx(2, "%s: not a DER certificate (%s) or request", path,
                 cert.reason ? cert.reason : mote_strerror(e));
        free(file);
        return 0;
    }
    /* Every block in order: certificates and requests; other blocks
     * (keys) are named but never printed. */
    struct mote_pem_iter it;
    struct mote_pem_block b;
    uint8_t *der = malloc(len);
    if (!der)
        err(2, "%s", path);
    mote_pem_iter_init(&it, (const char *)file, len);
    int shown = 0, e;
    while ((e = mote_pem_next(&it, &b)) == 1) {
        size_t n;
        if (shown)
            printf("\n");
        if (mote_pem_label_is(&b, "CERTIFICATE")) {
            if ((e = mote_pem_decode(&b, der, len, &n)) != 0 ||
                (e = mote_x509_cert_parse(&cert, der, n)) != 0)
                errx(2, "%s: certificate %d: %s", path, shown + 1,
                     cert.reason ? cert.reason : mote_strerror(e));
            show_cert(&cert);
        } else if (mote_pem_label_is(&b, "CERTIFICATE REQUEST")) {
            static struct mote_x509_csr csr;
            if ((e = mote_pem_decode(&b, der, len, &n)) != 0)
                errx(2, "%s: bad PEM (%s)", path, mote_strerror(e));
            e = mote_x509_csr_parse(&csr, der, n);
            if (e != 0)
                errx(2, "%s: request %d: %s", path, shown + 1,
                     csr.reason ? csr.reason : mote_strerror(e));
            show_csr(&csr);
        } else {
            printf("(a PEM block labelled \"%.*s\": not shown)\n",
                   (int)b.label_len, b.label);
        }
        shown++;
    }
    if (e < 0)
        errx(2, "%s: bad PEM (%s)", path, mote_strerror(e));
    if (!shown)
        errx(2, "%s: no PEM block in this file", path);
    free(der);
    free(file);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "new") == 0)
        return cmd_new(argc - 1, argv + 1);
    if (strcmp(cmd, "csr") == 0)
        return cmd_csr(argc - 1, argv + 1);
    if (strcmp(cmd, "sign") == 0)
        return cmd_sign(argc - 1, argv + 1);
    if (strcmp(cmd, "show") == 0)
        return cmd_show(argc - 1, argv + 1);
    if (strcmp(cmd, "verify") == 0)
        return cert_cmd_verify(argc - 1, argv + 1);
    fprintf(stderr, "mote cert: unknown command '%s'\n%s", cmd, usage);
    return 2;
}

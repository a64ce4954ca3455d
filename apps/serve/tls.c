/* serve --tls: certificates (loaded, or a local CA and leaf made once) and
 * the per-connection TLS wrap for the HTTP server. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mote/mote.h>
#include <mote/tls.h>
#include <mote/x509.h>
#include <mote/x509_gen.h>

#include "serve.h"

#define SRC "serve"

/* ---- Files ----------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20;
    char *b = malloc(cap + 1);
    size_t n = b ? fread(b, 1, cap, f) : 0;
    fclose(f);
    if (!b)
        return NULL;
    b[n] = 0;
    *len = n;
    return b;
}

static int write_file(const char *path, const char *text, size_t len,
                      mode_t mode)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    if (fchmod(fd, mode) < 0 || write(fd, text, len) != (ssize_t)len ||
        fsync(fd) < 0) {
        close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    return rename(tmp, path);
}

static int mkdir_p(const char *path, mode_t mode)
{
    char b[4096];
    size_t n = strlen(path);
    if (n >= sizeof b)
        return -1;
    memcpy(b, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (b[i] != '/' && b[i] != 0)
            continue;
        char c = b[i];
        b[i] = 0;
        if (mkdir(b, mode) < 0 && errno != EEXIST)
            return -1;
        b[i] = c;
    }
    return 0;
}

/* ---- Identities --------------------------------------------------------- */

int serve_ident_load(struct serve_ident *id, const char *cert, const char *key,
                     char *why, size_t whylen)
{
    size_t len;
    char *pem = slurp(cert, &len);
    if (!pem) {
        snprintf(why, whylen, "cannot read %s: %s", cert, strerror(errno));
        return -1;
    }
    struct mote_pem_iter it;
    struct mote_pem_block b;
    mote_pem_iter_init(&it, pem, len);
    id->n = 0;
    while (id->n < SERVE_MAX_CHAIN && mote_pem_next(&it, &b) == 1) {
        if (!mote_pem_label_is(&b, "CERTIFICATE"))
            continue;
        size_t cap = b.body_len; /* base64 is longer than what it decodes to */
        uint8_t *d = malloc(cap ? cap : 1);
        if (!d || mote_pem_decode(&b, d, cap, &id->lens[id->n])) {
            free(d);
            free(pem);
            snprintf(why, whylen, "%s: bad PEM certificate", cert);
            return -1;
        }
        struct mote_x509_cert *c = malloc(sizeof *c);
        int perr = c ? mote_x509_cert_parse(c, d, id->lens[id->n]) : -1;
        free(c);
        if (perr) {
            free(d);
            free(pem);
            snprintf(why, whylen, "%s: certificate %zu does not parse", cert,
                     id->n + 1);
            return -1;
        }
        id->certs[id->n++] = d;
    }
    free(pem);
    if (!id->n) {
        snprintf(why, whylen, "%s: no CERTIFICATE block", cert);
        return -1;
    }
    char *kp = slurp(key, &len);
    if (!kp) {
        snprintf(why, whylen, "cannot read %s: %s", key, strerror(errno));
        return -1;
    }
    int err = mote_x509_privkey_parse_pem(&id->xk, kp, len, id->keyder,
                                          sizeof id->keyder, NULL);
    mote_memzero_explicit(kp, len);
    free(kp);
    if (err) {
        snprintf(why, whylen, "%s: %s", key,
                 id->xk.reason ? id->xk.reason : mote_strerror(err));
        return -1;
    }
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
        if (mote_tls_privkey_prepare(&id->key, &id->rsa_pre) != 0) {
            snprintf(why, whylen, "%s: RSA key not usable", key);
            return -1;
        }
        break;
    default:
        snprintf(why, whylen, "%s: key type not usable for TLS", key);
        return -1;
    }
    /* The key must be the leaf's: compare the SubjectPublicKeyInfos. */
    static struct mote_x509_cert leaf;
    uint8_t spki[1200];
    size_t spki_len;
    if (mote_x509_cert_parse(&leaf, id->certs[0], id->lens[0]) == 0 &&
        mote_x509_gen_spki_write(&id->xk, spki, sizeof spki, &spki_len) == 0 &&
        leaf.pubkey.spki.ptr &&
        (leaf.pubkey.spki.len != spki_len ||
         memcmp(leaf.pubkey.spki.ptr, spki, spki_len) != 0)) {
        snprintf(why, whylen,
                 "%s is not the key of the first certificate in %s", key, cert);
        return -1;
    }
    return 0;
}

/* ---- The local CA and leaf ---------------------------------------------- */

static int pem_out(const char *label, const uint8_t *der, size_t len, char *out,
                   size_t cap, size_t *used)
{
    size_t n;
    int err = mote_pem_encode(label, der, len, out + *used, cap - *used, &n);
    if (err)
        return err;
    *used += n;
    return 0;
}

static int gen_files(const char *dir, char *why, size_t whylen)
{
    static uint8_t ca_der[4096], leaf_der[4096], spki[512], key_der[512];
    static uint8_t ca_name[512];
    static char pem[16384];
    char path[4200];
    struct mote_x509_privkey ca_key, leaf_key;
    size_t ca_len, leaf_len, spki_len, key_len, name_len, used;
    int64_t now = (int64_t)time(NULL);
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    host[strcspn(host, ".")] = 0;
    char cn[80];
    snprintf(cn, sizeof cn, "Mote local CA %.40s", host[0] ? host : "");
    int err = mote_x509_gen_key(&ca_key, MOTE_X509_GEN_KEY_P256,
                                mote_x509_gen_rng, NULL);
    if (!err)
        err = mote_x509_gen_key(&leaf_key, MOTE_X509_GEN_KEY_P256,
                                mote_x509_gen_rng, NULL);
    if (err)
        goto fail;
    /* The CA: ten years, path length 0 (it signs leaves only). */
    struct mote_x509_gen_name ca_n = {.o = "Mote", .cn = cn};
    err = mote_x509_gen_name_write(&ca_n, ca_name, sizeof ca_name, &name_len);
    if (!err)
        err = mote_x509_gen_spki_write(&ca_key, spki, sizeof spki, &spki_len);
    if (err)
        goto fail;
    struct mote_x509_gen_cert ca = {
        .subject_der = ca_name,
        .subject_der_len = name_len,
        .spki = spki,
        .spki_len = spki_len,
        .not_before = now - 3600,
        .not_after = now + 10LL * 365 * 86400,
        .ca = true,
        .path_len = 0,
    };
    struct mote_x509_gen_issuer self = {.key = &ca_key};
    err = mote_x509_gen_cert_write(&ca, &self, ca_der, sizeof ca_der, &ca_len,
                                   mote_x509_gen_rng, NULL);
    if (err)
        goto fail;
    /* The leaf: 825 days, localhost and the loopback addresses. */
    struct mote_x509_gen_san san[3] = {
        {.type = MOTE_X509_GEN_SAN_DNS, .text = "localhost"},
        {.type = MOTE_X509_GEN_SAN_IP},
        {.type = MOTE_X509_GEN_SAN_IP},
    };
    mote_ipaddr_parse("127.0.0.1", 9, &san[1].ip);
    mote_ipaddr_parse("::1", 3, &san[2].ip);
    err = mote_x509_gen_spki_write(&leaf_key, spki, sizeof spki, &spki_len);
    if (err)
        goto fail;
    struct mote_x509_gen_cert leaf = {
        .subject = {.o = "Mote", .cn = "localhost"},
        .spki = spki,
        .spki_len = spki_len,
        .not_before = now - 3600,
        .not_after = now + 825LL * 86400,
        .san = san,
        .nsan = 3,
        .path_len = -1,
        .eku = MOTE_X509_GEN_EKU_SERVER,
    };
    struct mote_x509_gen_issuer by_ca = {
        .name = ca_name, .name_len = name_len, .key = &ca_key};
    err = mote_x509_gen_cert_write(&leaf, &by_ca, leaf_der, sizeof leaf_der,
                                   &leaf_len, mote_x509_gen_rng, NULL);
    if (err)
        goto fail;

    /* ca.pem, ca-key.pem (0600), cert.pem (leaf then CA), key.pem (0600). */
    used = 0;
    err = pem_out("CERTIFICATE", ca_der, ca_len, pem, sizeof pem, &used);
    if (err)
        goto fail;
    snprintf(path, sizeof path, "%s/ca.pem", dir);
    if (write_file(path, pem, used, 0644))
        goto io;
    used = 0;
    err = mote_x509_gen_pkcs8_write(&ca_key, key_der, sizeof key_der, &key_len);
    if (!err)
        err = pem_out("PRIVATE KEY", key_der, key_len, pem, sizeof pem, &used);
    if (err)
        goto fail;
    snprintf(path, sizeof path, "%s/ca-key.pem", dir);
    if (write_file(path, pem, used, 0600))
        goto io;
    used = 0;
    err =
        mote_x509_gen_pkcs8_write(&leaf_key, key_der, sizeof key_der, &key_len);
    if (!err)
        err = pem_out("PRIVATE KEY", key_der, key_len, pem, sizeof pem, &used);
    if (err)
        goto fail;
    snprintf(path, sizeof path, "%s/key.pem", dir);
    if (write_file(path, pem, used, 0600))
        goto io;
    used = 0;
    err = pem_out("CERTIFICATE", leaf_der, leaf_len, pem, sizeof pem, &used);
    if (!err)
        err = pem_out("CERTIFICATE", ca_der, ca_len, pem, sizeof pem, &used);
    if (err)
        goto fail;
    snprintf(path, sizeof path, "%s/cert.pem", dir);
    if (write_file(path, pem, used, 0644))
        goto io;
    mote_memzero_explicit(key_der, sizeof key_der);
    mote_memzero_explicit(pem, sizeof pem);
    mote_x509_privkey_clear(&ca_key);
    mote_x509_privkey_clear(&leaf_key);
    return 0;
io:
    snprintf(why, whylen, "cannot write %s: %s", path, strerror(errno));
    err = -1;
fail:
    if (err != -1)
        snprintf(why, whylen, "cannot make a certificate: %s",
                 mote_strerror(err));
    mote_memzero_explicit(key_der, sizeof key_der);
    mote_memzero_explicit(pem, sizeof pem);
    mote_x509_privkey_clear(&ca_key);
    mote_x509_privkey_clear(&leaf_key);
    return -1;
}

int serve_default_ident(struct serve_ident *id, const char *state_dir,
                        char *why, size_t whylen)
{
    char dir[4096], cert[4200], key[4200], ca[4200];
    if (state_dir) {
        snprintf(dir, sizeof dir, "%s", state_dir);
    } else {
        const char *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");
        if (x && x[0] == '/')
            snprintf(dir, sizeof dir, "%s/mote", x);
        else if (h && h[0])
            snprintf(dir, sizeof dir, "%s/.local/state/mote", h);
        else {
            snprintf(why, whylen, "no HOME: give --state-dir or --cert/--key");
            return -1;
        }
    }
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    snprintf(ca, sizeof ca, "%s/ca.pem", dir);
    if (access(cert, R_OK) != 0 || access(key, R_OK) != 0) {
        if (mkdir_p(dir, 0700)) {
            snprintf(why, whylen, "cannot create %s: %s", dir, strerror(errno));
            return -1;
        }
        if (gen_files(dir, why, whylen))
            return -1;
        MOTE_LOG_INFO(SRC,
                      "created a local CA and a certificate for "
                      "localhost, 127.0.0.1 and ::1 in %s",
                      dir);
    }
    if (serve_ident_load(id, cert, key, why, whylen))
        return -1;
    MOTE_LOG_INFO(SRC, "certificate %s; trust it with: curl --cacert %s", cert,
                  ca);
    return 0;
}

/* ---- The per-connection wrap ------------------------------------------ */

static struct mote_flow_ops wrapped_ops;
static void (*tls_close)(struct mote_flow *f);

static void wrapped_close(struct mote_flow *f)
{
    tls_close(f);
    free(f); /* the mote_tls_flow, whose first member is f */
}

int serve_tls_wrap(void *arg, struct mote_flow *f, struct mote_flow **out)
{
    const struct mote_tls_config *cfg = arg;
    struct mote_tls_flow *t = malloc(sizeof *t);
    if (!t)
        return MOTE_ENOMEM;
    int err = mote_tls_flow_open(t, f, cfg, MOTE_TLS_SERVER, NULL, NULL);
    if (err) {
        MOTE_LOG_DEBUG(SRC, "TLS handshake failed: %s%s%s", mote_strerror(err),
                       t->alert >= 0 ? ", alert " : "",
                       t->alert >= 0 ? mote_tls_alert_name(t->alert) : "");
        free(t);
        return err;
    }
    if (!tls_close) {
        tls_close = t->flow.ops->close;
        wrapped_ops = *t->flow.ops;
        wrapped_ops.close = wrapped_close;
    }
    t->flow.ops = &wrapped_ops;
    *out = &t->flow;
    return 0;
}

size_t serve_tls_conn_bytes(void)
{
    return sizeof(struct mote_tls_flow);
}

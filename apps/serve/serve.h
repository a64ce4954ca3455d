/* serve: the TLS side (tls.c). */
#ifndef SERVE_H
#define SERVE_H

#include <stddef.h>
#include <stdint.h>

#include <mote/tls.h>
#include <mote/x509.h>

#define SERVE_MAX_CHAIN 8

/* A certificate chain and its key, loaded from PEM files. */
struct serve_ident {
    struct mote_x509_privkey xk;
    struct mote_tls_privkey key;
    /* RSA: prepared once, so each handshake signs without per-signature
     * set-ups (mote_tls_privkey_prepare). */
    struct mote_rsa_prepared rsa_pre;
    uint8_t keyder[8192];
    const uint8_t *certs[SERVE_MAX_CHAIN];
    size_t lens[SERVE_MAX_CHAIN];
    size_t n;
};

/* Load a chain (leaf first) and its key; on failure a reason in why. */
int serve_ident_load(struct serve_ident *id, const char *cert, const char *key,
                     char *why, size_t whylen);

/* The certificate under the state directory (state_dir, else
 * $XDG_STATE_HOME/mote, else ~/.local/state/mote): a local CA (ca.pem)
 * and a leaf for localhost, 127.0.0.1 and ::1 signed by it (cert.pem,
 * key.pem), created on first use and reused after. */
int serve_default_ident(struct serve_ident *id, const char *state_dir,
                        char *why, size_t whylen);

/* mote_http_server_config.conn_wrap: arg is a struct mote_tls_config. */
int serve_tls_wrap(void *arg, struct mote_flow *f, struct mote_flow **out);

/* Bytes allocated per TLS connection by the wrap. */
size_t serve_tls_conn_bytes(void);

#endif

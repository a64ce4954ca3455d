/* mote cert: shared declarations of the certificate tool. */
#ifndef MOTE_CERT_TOOL_H
#define MOTE_CERT_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Largest input file (a PEM bundle of a long chain fits easily). */
#define CERT_FILE_MAX (1 << 20)

/* Read a whole regular file of at most CERT_FILE_MAX bytes into a fresh
 * buffer (*out, free it). Returns 0 or a negative errno value. */
int cert_read_file(const char *path, uint8_t **out, size_t *len);

/* One output file, written atomically: stage writes a temporary file beside
 * the target, commit renames it into place, abort removes it. "-" means
 * standard output (written at commit). */
struct cert_out {
    const char *path;
    mode_t mode;
    bool force;
    char tmp[4200];
    int fd;
    bool staged;
    const void *data; /* "-" only */
    size_t len;
};

void cert_out_init(struct cert_out *o, const char *path, mode_t mode,
                   bool force);
/* Exits with status 2 if path exists (without force) or its directory is
 * not writable. */
void cert_out_check(const struct cert_out *o);
/* Exits with status 2 (after removing the temporary file) on error. */
void cert_out_stage(struct cert_out *o, const void *data, size_t len);
int cert_out_commit(struct cert_out *o);
void cert_out_abort(struct cert_out *o);

/* Longest validity --days accepts (100 years). */
#define CERT_DAYS_MAX 36500

/* "--name VALUE" or "--name=VALUE": the value (advancing *i), or NULL if
 * argv[*i] is another option. Exits with status 2 on a missing value. */
const char *cert_opt(int argc, char **argv, int *i, const char *name);
/* Exits with status 2 unless s is 1..CERT_DAYS_MAX. */
unsigned long cert_parse_days(const char *s);
/* NULL if s is a DNS name a certificate may carry, else why not. */
const char *cert_check_host(const char *s);

/* The system trust bundle (Debian's ca-certificates). */
#define SYSTEM_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

/* mote cert verify (cert_verify.c): the exit status. */
int cert_cmd_verify(int argc, char **argv);

#endif

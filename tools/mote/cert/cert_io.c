/* mote cert: files in and out (bounded reads, atomic writes). */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cert.h"

int cert_read_file(const char *path, uint8_t **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat sb;
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return -EINVAL;
    }
    if (sb.st_size > CERT_FILE_MAX) {
        close(fd);
        return -EFBIG;
    }
    size_t cap = (size_t)sb.st_size + 1, n = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        close(fd);
        return -ENOMEM;
    }
    for (;;) {
        if (n == cap) { /* the file grew while we read it */
            free(buf);
            close(fd);
            return -EFBIG;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return -e;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    *out = buf;
    *len = n;
    return 0;
}

void cert_out_init(struct cert_out *o, const char *path, mode_t mode,
                   bool force)
{
    memset(o, 0, sizeof(*o));
    o->path = path;
    o->mode = mode;
    o->force = force;
    o->fd = -1;
}

/* Refuse early, before any key is made, when an output exists. */
void cert_out_check(const struct cert_out *o)
{
    struct stat sb;
    if (strcmp(o->path, "-") == 0)
        return;
    if (lstat(o->path, &sb) == 0) {
        if (!o->force)
            errx(2, "%s: exists (use --force to replace it)", o->path);
        if (!S_ISREG(sb.st_mode))
            errx(2, "%s: not a regular file", o->path);
    }
    /* The directory must exist and be writable: fail now, not after the
     * first of two files is in place. */
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", o->path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        strcpy(dir, ".");
    else if (slash == dir)
        dir[1] = 0;
    else
        *slash = 0;
    if (access(dir, W_OK | X_OK) != 0)
        err(2, "%s: cannot write in %s", o->path, dir);
}

/* Write data to a temporary file beside the target (same file system, so
 * the rename is atomic); the target appears only at cert_out_commit. */
void cert_out_stage(struct cert_out *o, const void *data, size_t len)
{
    if (strcmp(o->path, "-") == 0) {
        o->data = data;
        o->len = len;
        return;
    }
    snprintf(o->tmp, sizeof(o->tmp), "%s.tmpXXXXXX", o->path);
    o->fd = mkstemp(o->tmp);
    if (o->fd < 0)
        err(2, "%s", o->tmp);
    o->staged = true;
    if (fchmod(o->fd, o->mode) < 0)
        goto fail;
    const uint8_t *p = data;
    while (len) {
        ssize_t w = write(o->fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            goto fail;
        p += w;
        len -= (size_t)w;
    }
    if (fsync(o->fd) < 0)
        goto fail;
    if (close(o->fd) < 0) {
        o->fd = -1;
        goto fail;
    }
    o->fd = -1;
    return;
fail:;
    int e = errno;
    cert_out_abort(o);
    errno = e;
    err(2, "%s", o->path);
}

void cert_out_abort(struct cert_out *o)
{
    if (o->fd >= 0)
        close(o->fd);
    o->fd = -1;
    if (o->staged)
        unlink(o->tmp);
    o->staged = false;
}

int cert_out_commit(struct cert_out *o)
{
    if (strcmp(o->path, "-") == 0) {
        if (fwrite(o->data, 1, o->len, stdout) != o->len || fflush(stdout))
            return -1;
        return 0;
    }
    if (!o->staged)
        return -1;
    if (rename(o->tmp, o->path) < 0)
        return -1;
    o->staged = false;
    return 0;
}

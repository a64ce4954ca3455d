/* mote_kv over a host directory; nothing outside it is ever opened. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <mote/error.h>
#include <mote/kv.h>

#include "unix_int.h"

/*
 * Keys are already checked by mote_kv_* (no "..", no empty component), but
 * a symlink inside the directory could still point out of it. openat2 with
 * RESOLVE_BENEATH makes the kernel refuse any resolution that leaves the
 * root (symlinks that stay inside are followed). On kernels without openat2
 * (before 5.6) we open normally and check where the descriptor landed via
 * /proc/self/fd.
 */

struct kv_dir {
    struct mote_kv kv;
    int root;       /* O_PATH descriptor of the directory */
    char *realroot; /* its canonical path, for the fallback check */
    int have_openat2;
    /* The file of the last stat, kept open for the read that usually
     * follows (as nginx opens once, fstats, then sends): it saves an open
     * and a close per request, and the read sees the file that was
     * stat'ed even if it is replaced meanwhile. */
    int last_fd;
    size_t last_len;
    char last_key[4096];
    /* The NUL-terminated path being opened. Here rather than on the stack
     * (4 KiB) so that a connection fiber's stack stays shallow; safe to
     * share because nothing between filling and using it can switch
     * fibers. */
    char path[4096];
};

#define KEY_MAX 4096

static int key_path(const char *key, size_t len, char *buf)
{
    if (len >= KEY_MAX)
        return MOTE_EINVAL;
    if (len == 0) {
        buf[0] = '.';
        buf[1] = 0;
        return 0;
    }
    memcpy(buf, key, len);
    buf[len] = 0;
    return 0;
}

static int inside(struct kv_dir *d, int fd)
{
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof(path) - 1);
    if (n < 0)
        return 0;
    path[n] = 0;
    size_t r = strlen(d->realroot);
    return strncmp(path, d->realroot, r) == 0 &&
           (path[r] == 0 || path[r] == '/' ||
            (r == 1 && d->realroot[0] == '/'));
}

static int open_key(struct kv_dir *d, const char *key, size_t len, int flags)
{
    char *path = d->path;
    int err = key_path(key, len, path);
    if (err)
        return err;
    if (d->have_openat2) {
        struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC),
                               .resolve =
                                   RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
        long fd = syscall(SYS_openat2, d->root, path, &how, sizeof(how));
        if (fd >= 0)
            return (int)fd;
        if (errno != ENOSYS)
            return errno == EXDEV ? MOTE_EACCES : unix__error(errno);
        d->have_openat2 = 0;
    }
    int fd = openat(d->root, path, flags | O_CLOEXEC);
    if (fd < 0)
        return unix__error(errno);
    if (!inside(d, fd)) {
        close(fd);
        return MOTE_EACCES;
    }
    return fd;
}

static void forget(struct kv_dir *d)
{
    if (d->last_fd >= 0)
        close(d->last_fd);
    d->last_fd = -1;
}

/* Lower-case hex of v without leading zeros; returns the end. */
static char *put_hex(char *out, uint64_t v)
{
    char tmp[16];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    while (n)
        *out++ = tmp[--n];
    return out;
}

static int dir_stat(struct mote_kv *kv, const char *key, size_t len,
                    struct mote_kv_stat *st)
{
    struct kv_dir *d = (struct kv_dir *)kv;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer (it is then
     * refused below as not a regular file). */
    int fd = open_key(d, key, len, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return fd;
    struct stat sb;
    int r = fstat(fd, &sb);
    int e = errno;
    if (r < 0 || !S_ISREG(sb.st_mode) || len >= sizeof(d->last_key)) {
        close(fd);
    } else {
        forget(d);
        d->last_fd = fd;
        memcpy(d->last_key, key, len);
        d->last_len = len;
    }
    if (r < 0)
        return unix__error(e);
    if (S_ISDIR(sb.st_mode)) {
        st->type = MOTE_KV_DIR;
    } else if (S_ISREG(sb.st_mode)) {
        st->type = MOTE_KV_FILE;
        st->size = (uint64_t)sb.st_size;
    } else {
        return MOTE_ENOENT; /* devices, fifos, sockets: not content */
    }
    st->mtime = (uint64_t)sb.st_mtim.tv_sec;
    /* Strong validator from size and modification time (as nginx does),
     * with nanoseconds so that a rewrite within a second changes it:
     * "MTIMENS-SIZE" in hex. By hand: this runs for every request, and
     * snprintf's setup was 1.5% of a profile of small-file requests. */
    char *t = st->etag;
    *t++ = '"';
    t = put_hex(t, (uint64_t)sb.st_mtim.tv_sec * 1000000000ull +
                       (uint64_t)sb.st_mtim.tv_nsec);
    *t++ = '-';
    t = put_hex(t, (uint64_t)sb.st_size);
    *t++ = '"';
    *t = 0; /* at most 1 + 16 + 1 + 16 + 1 + 1 < MOTE_KV_ETAG_LEN */
    return 0;
}

static int dir_read(struct mote_kv *kv, const char *key, size_t len,
                    uint64_t off, void *buf, size_t size, size_t *n)
{
    struct kv_dir *d = (struct kv_dir *)kv;
    int cached = d->last_fd >= 0 && len == d->last_len &&
                 memcmp(key, d->last_key, len) == 0;
    int fd = cached ? d->last_fd : open_key(d, key, len, O_RDONLY);
    if (fd < 0)
        return fd;
    int err = 0;
    size_t got = 0;
    while (got < size) {
        ssize_t r =
            pread(fd, (char *)buf + got, size - got, (off_t)(off + got));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            err = errno == EISDIR ? MOTE_EINVAL : unix__error(errno);
            break;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    if (!cached)
        close(fd);
    *n = got;
    return err;
}

/* Zero-copy: a flow of the unix socket stack takes the descriptor
 * (sendfile(2)); any other flow gets MOTE_ENOTSUP before anything is
 * opened or sent. */
static int dir_send(struct mote_kv *kv, const char *key, size_t len,
                    uint64_t off, uint64_t size, struct mote_flow *f,
                    const void *prefix, size_t plen)
{
    struct kv_dir *d = (struct kv_dir *)kv;
    if (!unix__is_sock_flow(f))
        return MOTE_ENOTSUP;
    /* The send blocks, and meanwhile other fibers stat other keys, which
     * would close the cached descriptor under us: take it over. */
    int fd;
    if (d->last_fd >= 0 && len == d->last_len &&
        memcmp(key, d->last_key, len) == 0) {
        fd = d->last_fd;
        d->last_fd = -1;
    } else {
        fd = open_key(d, key, len, O_RDONLY);
        if (fd < 0)
            return fd;
    }
    int err = unix__flow_sendfile(f, prefix, plen, fd, off, size);
    close(fd);
    return err;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int dir_list(struct mote_kv *kv, const char *key, size_t len,
                    mote_kv_list_fn fn, void *arg)
{
    struct kv_dir *d = (struct kv_dir *)kv;
    int fd = open_key(d, key, len, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return fd == MOTE_EIO ? MOTE_EINVAL : fd;
    DIR *dir = fdopendir(fd);
    if (!dir) {
        close(fd);
        return MOTE_ENOMEM;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    int ret = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (count == cap) {
            size_t ncap = cap ? 2 * cap : 64;
            char **nn = realloc(names, ncap * sizeof(*nn));
            if (!nn) {
                ret = MOTE_ENOMEM;
                goto out;
            }
            names = nn;
            cap = ncap;
        }
        names[count] = strdup(e->d_name);
        if (!names[count]) {
            ret = MOTE_ENOMEM;
            goto out;
        }
        count++;
    }
    qsort(names, count, sizeof(*names), cmp_names);
    for (size_t i = 0; i < count && !ret; i++) {
        struct stat sb;
        /* Following symlinks here is safe: only the type is reported, and
         * opening the entry goes through open_key's check. */
        if (fstatat(fd, names[i], &sb, 0) < 0)
            continue;
        enum mote_kv_type t = S_ISDIR(sb.st_mode)   ? MOTE_KV_DIR
                              : S_ISREG(sb.st_mode) ? MOTE_KV_FILE
                                                    : MOTE_KV_NONE;
        if (t != MOTE_KV_NONE)
            ret = fn(arg, names[i], strlen(names[i]), t);
    }
out:
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    closedir(dir);
    return ret;
}

static void dir_close(struct mote_kv *kv)
{
    struct kv_dir *d = (struct kv_dir *)kv;
    forget(d);
    close(d->root);
    free(d->realroot);
    free(d);
}

static const struct mote_kv_ops dir_ops = {
    .stat = dir_stat,
    .read = dir_read,
    .list = dir_list,
    .close = dir_close,
    .send = dir_send,
};

int mote_kv_dir_open(const char *path, struct mote_kv **out)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return unix__error(errno);
    struct stat sb;
    if (fstat(fd, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
        close(fd);
        return MOTE_EINVAL;
    }
    struct kv_dir *d = calloc(1, sizeof(*d));
    char *real = realpath(path, NULL);
    if (!d || !real) {
        free(d);
        free(real);
        close(fd);
        return MOTE_ENOMEM;
    }
    d->kv.ops = &dir_ops;
    d->root = fd;
    d->realroot = real;
    d->have_openat2 = 1;
    d->last_fd = -1;
    *out = &d->kv;
    return 0;
}

/* mote_kv over a table baked in at build time by tools/mote-crunch. */
#include <string.h>

#include <mote/error.h>
#include <mote/kv.h>

static int cmp_key(const char *a, const char *key, size_t len)
{
    int c = strncmp(a, key, len);
    if (c)
        return c;
    return a[len] ? 1 : 0;
}

static const struct mote_kv_crunch_entry *find(const struct mote_kv_crunch *c,
                                               const char *key, size_t len)
{
    size_t lo = 0, hi = c->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = cmp_key(c->entries[mid].key, key, len);
        if (r == 0)
            return &c->entries[mid];
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int crunch_stat(struct mote_kv *kv, const char *key, size_t len,
                       struct mote_kv_stat *st)
{
    const struct mote_kv_crunch_entry *e =
        find((struct mote_kv_crunch *)kv, key, len);
    if (!e)
        return MOTE_ENOENT;
    st->type = e->type;
    st->size = e->size;
    st->mtime = e->mtime;
    st->content_type = e->content_type;
    st->data = e->data;
    if (e->etag) {
        size_t n = strlen(e->etag);
        if (n >= sizeof(st->etag))
            n = sizeof(st->etag) - 1;
        memcpy(st->etag, e->etag, n);
        st->etag[n] = 0;
    }
    return 0;
}

static int crunch_read(struct mote_kv *kv, const char *key, size_t len,
                       uint64_t off, void *buf, size_t size, size_t *n)
{
    const struct mote_kv_crunch_entry *e =
        find((struct mote_kv_crunch *)kv, key, len);
    if (!e)
        return MOTE_ENOENT;
    if (e->type != MOTE_KV_FILE)
        return MOTE_EINVAL;
    if (off >= e->size)
        return 0;
    uint64_t left = e->size - off;
    *n = size < left ? size : (size_t)left;
    memcpy(buf, e->data + off, *n);
    return 0;
}

static int crunch_list(struct mote_kv *kv, const char *key, size_t len,
                       mote_kv_list_fn fn, void *arg)
{
    struct mote_kv_crunch *c = (struct mote_kv_crunch *)kv;
    const struct mote_kv_crunch_entry *d = find(c, key, len);
    if (!d)
        return MOTE_ENOENT;
    if (d->type != MOTE_KV_DIR)
        return MOTE_EINVAL;
    /* Children of "a/b" are "a/b/NAME" with no further '/'; the table is
     * sorted, but "a/b-x" sorts between "a/b" and "a/b/..", so scan. */
    for (size_t i = 0; i < c->count; i++) {
        const char *k = c->entries[i].key;
        const char *name;
        if (len == 0) {
            if (!k[0])
                continue;
            name = k;
        } else {
            if (strncmp(k, key, len) != 0 || k[len] != '/')
                continue;
            name = k + len + 1;
        }
        if (strchr(name, '/'))
            continue;
        int r = fn(arg, name, strlen(name), c->entries[i].type);
        if (r)
            return r;
    }
    return 0;
}

static void crunch_close(struct mote_kv *kv)
{
    (void)kv;
}

static const struct mote_kv_ops crunch_ops = {
    .stat = crunch_stat,
    .read = crunch_read,
    .list = crunch_list,
    .close = crunch_close,
    /* no .send: the data is resident and written without a copy */
};

struct mote_kv *mote_kv_crunch_init(struct mote_kv_crunch *c,
                                    const struct mote_kv_crunch_entry *entries,
                                    size_t count)
{
    c->kv.ops = &crunch_ops;
    c->entries = entries;
    c->count = count;
    return &c->kv;
}

/* mote_kv: key checks and dispatch to the backend. */
#include <string.h>

#include <mote/error.h>
#include <mote/kv.h>

int mote_kv_key_valid(const char *key, size_t len)
{
    size_t i = 0;
    if (len == 0)
        return 1; /* the root */
    while (i <= len) {
        size_t s = i;
        while (i < len && key[i] != '/') {
            if (key[i] == 0 || key[i] == '\\')
                return 0;
            i++;
        }
        size_t n = i - s;
        /* No empty component (leading, trailing or doubled '/'), no "."
         * and no "..": nothing can name a place outside the root. */
        if (n == 0 || (n == 1 && key[s] == '.') ||
            (n == 2 && key[s] == '.' && key[s + 1] == '.'))
            return 0;
        i++;
    }
    return 1;
}

int mote_kv_stat(struct mote_kv *kv, const char *key, size_t len,
                 struct mote_kv_stat *st)
{
    if (!mote_kv_key_valid(key, len))
        return MOTE_EINVAL;
    memset(st, 0, sizeof(*st));
    return kv->ops->stat(kv, key, len, st);
}

int mote_kv_read(struct mote_kv *kv, const char *key, size_t len, uint64_t off,
                 void *buf, size_t size, size_t *n)
{
    *n = 0;
    if (!mote_kv_key_valid(key, len))
        return MOTE_EINVAL;
    return kv->ops->read(kv, key, len, off, buf, size, n);
}

int mote_kv_list(struct mote_kv *kv, const char *key, size_t len,
                 mote_kv_list_fn fn, void *arg)
{
    if (!mote_kv_key_valid(key, len))
        return MOTE_EINVAL;
    return kv->ops->list(kv, key, len, fn, arg);
}

int mote_kv_send(struct mote_kv *kv, const char *key, size_t len, uint64_t off,
                 uint64_t size, struct mote_flow *f, const void *prefix,
                 size_t plen)
{
    if (!kv->ops->send)
        return MOTE_ENOTSUP;
    if (!mote_kv_key_valid(key, len))
        return MOTE_EINVAL;
    return kv->ops->send(kv, key, len, off, size, f, prefix, plen);
}

void mote_kv_close(struct mote_kv *kv)
{
    if (kv)
        kv->ops->close(kv);
}

/* mote-crunch: bake a directory into a C source for the crunched mote_kv.
 *
 *   mote-crunch [-n NAME] [-o OUT.c] DIR
 *
 * Writes a C file (freestanding: it includes only <mote/kv.h>) defining
 *
 *   const struct mote_kv_crunch_entry NAME_entries[];
 *   const size_t NAME_count;
 *
 * sorted by key, with every directory (the root is ""), each file's bytes,
 * its content type (by extension, as the server would choose) and a strong
 * ETag computed from its contents, so a sealed image needs no file system
 * and no hashing at run time. Modification times come from the files, or
 * from SOURCE_DATE_EPOCH when set (reproducible builds). Symlinks are
 * followed; anything else but files and directories is skipped. Dot files
 * are skipped unless -a is given. This is a host tool: it uses the host
 * libc and reports errors in the err/errx way.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mote/http.h>
#include <mote/kv.h>

#define MAX_BYTES (256u << 20) /* refuse to bake more than 256 MiB */

struct item {
    char *key;
    int dir;
    uint8_t *data;
    size_t size;
    uint64_t mtime;
};

static struct item *items;
static size_t nitems, cap;
static int all_files;
static uint64_t epoch_override;
static int have_epoch;
static size_t total_bytes;

static void add(char *key, int dir, uint8_t *data, size_t size, uint64_t mt)
{
    if (nitems == cap) {
        cap = cap ? 2 * cap : 64;
        items = realloc(items, cap * sizeof(*items));
        if (!items)
            err(1, "realloc");
    }
    items[nitems++] = (struct item){key, dir, data, size, mt};
}

static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        err(1, "%s", path);
    struct stat sb;
    if (fstat(fileno(f), &sb) < 0)
        err(1, "%s", path);
    if ((uint64_t)sb.st_size > MAX_BYTES ||
        total_bytes + (size_t)sb.st_size > MAX_BYTES)
        errx(1, "%s: too much to bake (limit %u MiB)", path, MAX_BYTES >> 20);
    uint8_t *buf = malloc((size_t)sb.st_size + 1);
    if (!buf)
        err(1, "malloc");
    size_t n = fread(buf, 1, (size_t)sb.st_size, f);
    if (n != (size_t)sb.st_size || ferror(f))
        errx(1, "%s: short read", path);
    fclose(f);
    total_bytes += n;
    *size = n;
    return buf;
}

static void walk(const char *path, const char *key)
{
    DIR *d = opendir(path);
    if (!d)
        err(1, "%s", path);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (e->d_name[0] == '.' && !all_files)
            continue;
        char *p, *k;
        if (asprintf(&p, "%s/%s", path, e->d_name) < 0 ||
            asprintf(&k, "%s%s%s", key, *key ? "/" : "", e->d_name) < 0)
            err(1, "asprintf");
        if (!mote_kv_key_valid(k, strlen(k)))
            errx(1, "%s: name cannot be a key", p);
        struct stat sb;
        if (stat(p, &sb) < 0)
            err(1, "%s", p);
        uint64_t mt = have_epoch ? epoch_override : (uint64_t)sb.st_mtime;
        if (S_ISDIR(sb.st_mode)) {
            add(k, 1, NULL, 0, mt);
            walk(p, k);
        } else if (S_ISREG(sb.st_mode)) {
            size_t size;
            uint8_t *data = slurp(p, &size);
            add(k, 0, data, size, mt);
        } else {
            free(k);
        }
        free(p);
    }
    closedir(d);
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const struct item *)a)->key, ((const struct item *)b)->key);
}

/* FNV-1a, 64 bits: a validator, not a security property. */
static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static void c_string(FILE *o, const char *s)
{
    fputc('"', o);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(o, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(o, "\\%03o", c);
        else
            fputc(c, o);
    }
    fputc('"', o);
}

int main(int argc, char **argv)
{
    const char *name = "site", *out = NULL;
    int opt;
    while ((opt = getopt(argc, argv, "an:o:")) != -1) {
        switch (opt) {
        case 'a':
            all_files = 1;
            break;
        case 'n':
            name = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        default:
            fprintf(stderr, "usage: mote-crunch [-a] [-n NAME] [-o OUT.c] "
                            "DIR\n");
            return 2;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: mote-crunch [-a] [-n NAME] [-o OUT.c] DIR\n");
        return 2;
    }
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9' && p != name) || *p == '_'))
            errx(2, "bad -n name '%s': want a C identifier", name);
    const char *dir = argv[optind];
    struct stat sb;
    if (stat(dir, &sb) < 0)
        err(2, "%s", dir);
    if (!S_ISDIR(sb.st_mode))
        errx(2, "%s: not a directory", dir);
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        epoch_override = strtoull(sde, &end, 10);
        if (*end)
            errx(2, "bad SOURCE_DATE_EPOCH '%s'", sde);
        have_epoch = 1;
    }
    add(strdup(""), 1, NULL, 0, have_epoch ? epoch_override : 0);
    walk(dir, "");
    qsort(items, nitems, sizeof(*items), by_key);

    FILE *o = out ? fopen(out, "w") : stdout;
    if (!o)
        err(1, "%s", out);
    fprintf(o, "/* Generated by mote-crunch from %s: do not edit. */\n", dir);
    fprintf(o, "#include <stddef.h>\n\n#include <mote/kv.h>\n\n");
    fprintf(o, "extern const struct mote_kv_crunch_entry %s_entries[];\n",
            name);
    fprintf(o, "extern const size_t %s_count;\n\n", name);
    for (size_t i = 0; i < nitems; i++) {
        if (items[i].dir)
            continue;
        fprintf(o, "static const unsigned char d%zu[%zu] = {", i,
                items[i].size ? items[i].size : 1);
        for (size_t j = 0; j < items[i].size; j++)
            fprintf(o, "%s%u,", j % 20 ? "" : "\n    ", items[i].data[j]);
        fprintf(o, "\n};\n");
    }
    fprintf(o, "\nconst struct mote_kv_crunch_entry %s_entries[] = {\n", name);
    for (size_t i = 0; i < nitems; i++) {
        struct item *it = &items[i];
        fprintf(o, "    {");
        c_string(o, it->key);
        if (it->dir) {
            fprintf(o, ", MOTE_KV_DIR, NULL, 0, %lluull, NULL, NULL},\n",
                    (unsigned long long)it->mtime);
            continue;
        }
        fprintf(o, ", MOTE_KV_FILE, d%zu, %zu, %lluull, ", i, it->size,
                (unsigned long long)it->mtime);
        fprintf(o, "\"\\\"%016llx-%zx\\\"\", ",
                (unsigned long long)fnv1a(it->data, it->size), it->size);
        c_string(o, mote_http_mime_type(it->key, strlen(it->key)));
        fprintf(o, "},\n");
    }
    fprintf(o, "};\nconst size_t %s_count = %zu;\n", name, nitems);
    if (ferror(o) || (out && fclose(o) != 0))
        err(1, "%s", out ? out : "stdout");
    return 0;
}

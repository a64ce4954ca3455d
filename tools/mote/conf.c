/* mote: read and check an app's mote.conf. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mote.h"

/*
 * The format, one declaration per line:
 *
 *   # comment
 *   [app]               name, doc, sources (blank-separated), targets
 *   [device NAME]       kind (stack | block), doc
 *   [key NAME]          type (string | uint | bool | endpoint), default,
 *                       repeat (yes | no), max (uint only), doc
 *
 * Every field is checked: unknown sections or fields, duplicates, values
 * that do not fit, a default its own type rejects, sources that do not
 * match the .c files in the directory. Limits: lines of CONF_LINE_MAX
 * bytes, CONF_MAX_ITEMS sources, devices and keys.
 */

static int fail(char *err, size_t errsz, const char *file, int line,
                const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(err, errsz, "%s:%d: ", file, line);
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < errsz)
        vsnprintf(err + n, errsz - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
                     s[n - 1] == '\r'))
        s[--n] = 0;
    return s;
}

static bool name_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n >= max || s[0] == '-')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

static int copy(char *dst, size_t size, const char *src)
{
    if (strlen(src) >= size)
        return -1;
    strcpy(dst, src);
    return 0;
}

const char *conf_type_name(enum key_type t)
{
    switch (t) {
    case KEY_STRING:
        return "string";
    case KEY_UINT:
        return "uint";
    case KEY_BOOL:
        return "bool";
    case KEY_ENDPOINT:
        return "endpoint";
    default:
        return "?";
    }
}

const char *conf_check_value(const struct conf_key *k, const char *v)
{
    static char why[160];
    switch (k->type) {
    case KEY_STRING:
        if (strchr(v, '\n'))
            return "a newline in a value";
        return NULL;
    case KEY_UINT: {
        char *end;
        errno = 0;
        unsigned long long x = strtoull(v, &end, 10);
        if (*v < '0' || *v > '9' || *end || errno)
            return "want a whole number";
        if (k->max && x > k->max) {
            snprintf(why, sizeof(why), "want at most %llu", k->max);
            return why;
        }
        return NULL;
    }
    case KEY_BOOL:
        return strcmp(v, "yes") == 0 || strcmp(v, "no") == 0 ? NULL
                                                             : "want yes or no";
    case KEY_ENDPOINT: {
        const char *colon = strrchr(v, ':');
        if (!colon)
            return "want ADDR:PORT, [IPV6]:PORT or *:PORT";
        char *end;
        errno = 0;
        unsigned long port = strtoul(colon + 1, &end, 10);
        if (colon[1] < '0' || colon[1] > '9' || *end || errno || port > 65535)
            return "port: want 0 to 65535";
        char addr[128];
        size_t alen = (size_t)(colon - v);
        if (alen >= sizeof(addr))
            return "address too long";
        memcpy(addr, v, alen);
        addr[alen] = 0;
        unsigned char buf[16];
        if (alen == 0 || strcmp(addr, "*") == 0)
            return NULL;
        if (addr[0] == '[') {
            if (alen < 3 || addr[alen - 1] != ']')
                return "want [IPV6]:PORT";
            addr[alen - 1] = 0;
            char *pct = strchr(addr, '%'); /* a zone: checked by the app */
            if (pct)
                *pct = 0;
            return inet_pton(AF_INET6, addr + 1, buf) == 1
                       ? NULL
                       : "not an IPv6 address";
        }
        return inet_pton(AF_INET, addr, buf) == 1
                   ? NULL
                   : "not an IPv4 address (IPv6 goes in brackets)";
    }
    default:
        return "key without a type";
    }
}

const struct conf_key *conf_find_key(const struct conf_app *app,
                                     const char *name)
{
    for (int i = 0; i < app->nkey; i++)
        if (strcmp(app->key[i].name, name) == 0)
            return &app->key[i];
    return NULL;
}

static int split_words(char *v, char out[][128], int max, int *n)
{
    *n = 0;
    for (char *w = strtok(v, " \t"); w; w = strtok(NULL, " \t")) {
        if (*n == max || strlen(w) >= 128)
            return -1;
        strcpy(out[(*n)++], w);
    }
    return 0;
}

/* Every .c file in dir must be in sources and the other way round. */
static int check_sources(const struct conf_app *app, const char *file,
                         char *err, size_t errsz)
{
    for (int i = 0; i < app->nsources; i++) {
        char p[4300];
        snprintf(p, sizeof(p), "%s/%s", app->dir, app->sources[i]);
        FILE *f = fopen(p, "r");
        if (!f)
            return fail(err, errsz, file, 0, "source %s: %s", app->sources[i],
                        strerror(errno));
        fclose(f);
    }
    DIR *d = opendir(app->dir);
    if (!d)
        return fail(err, errsz, file, 0, "%s", strerror(errno));
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 3 || strcmp(e->d_name + n - 2, ".c") != 0)
            continue;
        bool listed = false;
        for (int i = 0; i < app->nsources; i++)
            listed |= strcmp(app->sources[i], e->d_name) == 0;
        if (!listed) {
            rc = fail(err, errsz, file, 0,
                      "%s is in the directory but not in sources (every .c "
                      "file is built)",
                      e->d_name);
            break;
        }
    }
    closedir(d);
    return rc;
}

int conf_load(const char *dir, struct conf_app *app, char *err, size_t errsz)
{
    char file[4200];
    snprintf(file, sizeof(file), "%s/mote.conf", dir);
    FILE *f = fopen(file, "r");
    if (!f) {
        memset(app, 0, sizeof(*app));
        return fail(err, errsz, file, 0,
                    "%s (an app directory holds a mote.conf)", strerror(errno));
    }
    int rc = conf_parse(f, file, dir, app, err, errsz);
    fclose(f);
    return rc;
}

int conf_parse(FILE *f, const char *file, const char *dir, struct conf_app *app,
               char *err, size_t errsz)
{
    memset(app, 0, sizeof(*app));
    if (copy(app->dir, sizeof(app->dir), dir))
        return fail(err, errsz, dir, 0, "path too long");
    enum { NONE, APP, DEV, KEY } sect = NONE;
    char line[CONF_LINE_MAX + 2];
    int lineno = 0, rc = -1;
    bool seen_app = false;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            fail(err, errsz, file, lineno, "line longer than %d bytes",
                 CONF_LINE_MAX);
            goto out;
        }
        char *s = trim(line);
        if (*s == 0 || *s == '#')
            continue;
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close || close[1]) {
                fail(err, errsz, file, lineno, "want [section]");
                goto out;
            }
            *close = 0;
            char *sp = strchr(s + 1, ' ');
            char *arg = sp ? trim(sp + 1) : NULL;
            if (sp)
                *sp = 0;
            if (strcmp(s + 1, "app") == 0 && !arg) {
                if (seen_app) {
                    fail(err, errsz, file, lineno, "[app] given twice");
                    goto out;
                }
                seen_app = true;
                sect = APP;
            } else if ((strcmp(s + 1, "device") == 0 ||
                        strcmp(s + 1, "key") == 0) &&
                       arg) {
                bool dev = s[1] == 'd';
                if (!name_ok(arg, dev ? 32 : 64)) {
                    fail(err, errsz, file, lineno,
                         "bad name '%s' (lower-case letters, digits, - and "
                         "_; not starting with -)",
                         arg);
                    goto out;
                }
                if ((dev ? app->ndev : app->nkey) == CONF_MAX_ITEMS) {
                    fail(err, errsz, file, lineno, "more than %d %ss",
                         CONF_MAX_ITEMS, dev ? "device" : "key");
                    goto out;
                }
                for (int i = 0; i < (dev ? app->ndev : app->nkey); i++)
                    if (strcmp(dev ? app->dev[i].name : app->key[i].name,
                               arg) == 0) {
                        fail(err, errsz, file, lineno, "%s '%s' given twice",
                             dev ? "device" : "key", arg);
                        goto out;
                    }
                if (dev)
                    strcpy(app->dev[app->ndev++].name, arg);
                else
                    strcpy(app->key[app->nkey++].name, arg);
                sect = dev ? DEV : KEY;
            } else {
                fail(err, errsz, file, lineno,
                     "unknown section (want [app], [device NAME] or [key "
                     "NAME])");
                goto out;
            }
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            fail(err, errsz, file, lineno, "want FIELD = VALUE");
            goto out;
        }
        *eq = 0;
        char *k = trim(s), *v = trim(eq + 1);
        int bad = 0;
        if (sect == NONE) {
            fail(err, errsz, file, lineno, "field outside a section");
            goto out;
        } else if (sect == APP) {
            if (strcmp(k, "name") == 0)
                bad = !name_ok(v, sizeof(app->name)) ||
                      copy(app->name, sizeof(app->name), v);
            else if (strcmp(k, "doc") == 0)
                bad = copy(app->doc, sizeof(app->doc), v);
            else if (strcmp(k, "sources") == 0)
                bad = split_words(v, app->sources, CONF_MAX_ITEMS,
                                  &app->nsources);
            else if (strcmp(k, "targets") == 0) {
                for (char *w = strtok(v, " \t"); w && !bad;
                     w = strtok(NULL, " \t")) {
                    if (strcmp(w, "unix") == 0)
                        app->target_unix = true;
                    else if (strcmp(w, "spt") == 0)
                        app->target_spt = true;
                    else
                        bad = 1;
                }
            } else
                bad = 2;
        } else if (sect == DEV) {
            struct conf_device *d = &app->dev[app->ndev - 1];
            if (strcmp(k, "kind") == 0)
                bad = (strcmp(v, "stack") && strcmp(v, "block")) ||
                      copy(d->kind, sizeof(d->kind), v);
            else if (strcmp(k, "doc") == 0)
                bad = copy(d->doc, sizeof(d->doc), v);
            else
                bad = 2;
        } else {
            struct conf_key *key = &app->key[app->nkey - 1];
            if (strcmp(k, "type") == 0) {
                key->type = strcmp(v, "string") == 0     ? KEY_STRING
                            : strcmp(v, "uint") == 0     ? KEY_UINT
                            : strcmp(v, "bool") == 0     ? KEY_BOOL
                            : strcmp(v, "endpoint") == 0 ? KEY_ENDPOINT
                                                         : KEY_NONE;
                bad = key->type == KEY_NONE;
            } else if (strcmp(k, "default") == 0) {
                bad = copy(key->def, sizeof(key->def), v);
                key->has_def = true;
            } else if (strcmp(k, "repeat") == 0) {
                bad = strcmp(v, "yes") && strcmp(v, "no");
                key->repeat = strcmp(v, "yes") == 0;
            } else if (strcmp(k, "max") == 0) {
                char *end;
                errno = 0;
                key->max = strtoull(v, &end, 10);
                bad = *v < '0' || *v > '9' || *end || errno || !key->max;
            } else if (strcmp(k, "doc") == 0)
                bad = copy(key->doc, sizeof(key->doc), v);
            else
                bad = 2;
        }
        if (bad) {
            fail(err, errsz, file, lineno,
                 bad == 2 ? "unknown field '%s' here" : "bad value for '%s'",
                 k);
            goto out;
        }
    }
    if (ferror(f)) {
        fail(err, errsz, file, lineno, "%s", strerror(errno));
        goto out;
    }
    if (!seen_app || !app->name[0] || !app->nsources) {
        fail(err, errsz, file, lineno, "[app] needs name and sources");
        goto out;
    }
    if (!app->target_unix && !app->target_spt) {
        fail(err, errsz, file, lineno, "[app] needs targets (unix, spt)");
        goto out;
    }
    for (int i = 0; i < app->ndev; i++)
        if (!app->dev[i].kind[0]) {
            fail(err, errsz, file, lineno, "device '%s' has no kind",
                 app->dev[i].name);
            goto out;
        }
    for (int i = 0; i < app->nkey; i++) {
        struct conf_key *key = &app->key[i];
        if (key->type == KEY_NONE) {
            fail(err, errsz, file, lineno, "key '%s' has no type", key->name);
            goto out;
        }
        const char *why;
        if (key->has_def && (why = conf_check_value(key, key->def))) {
            fail(err, errsz, file, lineno, "key '%s': default '%s': %s",
                 key->name, key->def, why);
            goto out;
        }
    }
    rc = check_sources(app, file, err, errsz);
out:
    return rc;
}

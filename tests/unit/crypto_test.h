/* Shared helpers for the crypto unit tests: hex, files, Wycheproof, PRNG. */
#ifndef MOTE_TESTS_CRYPTO_TEST_H
#define MOTE_TESTS_CRYPTO_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A deterministic generator for test inputs (xorshift64*): the same inputs
 * every run, so a failure is reproducible. Not for keys in real use. */
static uint64_t ct_rng_state = 0x9e3779b97f4a7c15ull;

__attribute__((unused)) static uint64_t ct_rand64(void)
{
    uint64_t x = ct_rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    ct_rng_state = x;
    return x * 0x2545f4914f6cdd1dull;
}

__attribute__((unused)) static void ct_randbytes(void *buf, size_t n)
{
    uint8_t *p = buf;
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(ct_rand64() >> 56);
}

static int ct_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode n hex digits at s into a malloc'd buffer (never NULL, even for 0
 * bytes); *len gets the byte count. Returns NULL on a bad digit. */
__attribute__((unused)) static uint8_t *ct_unhex_n(const char *s, size_t n,
                                                   size_t *len)
{
    if (n % 2)
        return NULL;
    uint8_t *b = malloc(n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = ct_hexval(s[2 * i]), lo = ct_hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(b);
            return NULL;
        }
        b[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return b;
}

/* The same for a vector-file field: "-" is empty, "rep:N:HEX" repeats. */
__attribute__((unused)) static uint8_t *ct_field(const char *s, size_t *len)
{
    if (strcmp(s, "-") == 0 || strcmp(s, "none") == 0) {
        *len = 0;
        return malloc(1);
    }
    if (strncmp(s, "rep:", 4) == 0) {
        char *end;
        size_t count = strtoul(s + 4, &end, 10), one;
        uint8_t *unit = ct_unhex_n(end + 1, strlen(end + 1), &one);
        if (!unit)
            return NULL;
        uint8_t *b = malloc(count * one + 1);
        for (size_t i = 0; i < count; i++)
            memcpy(b + i * one, unit, one);
        free(unit);
        *len = count * one;
        return b;
    }
    return ct_unhex_n(s, strlen(s), len);
}

/* Read a whole file into a NUL-terminated malloc'd buffer; NULL if absent. */
__attribute__((unused)) static char *ct_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    size_t r;
    while ((r = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n - 1 == 0)
            b = realloc(b, cap *= 2);
    }
    fclose(f);
    b[n] = 0;
    return b;
}

/* Split a vector file into lines of blank-separated fields, skipping blank
 * lines and # comments. Calls fn(fields, nfields, arg) per line; returns the
 * number of lines, or -1 if the file is missing. */
#define CT_MAX_FIELDS 16
__attribute__((unused)) static int
ct_vector_file(const char *path, void (*fn)(char **f, int n, void *arg),
               void *arg)
{
    char *text = ct_slurp(path);
    if (!text)
        return -1;
    int lines = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || line[0] == 0)
            continue;
        char *f[CT_MAX_FIELDS], *s2 = NULL;
        int n = 0;
        for (char *w = strtok_r(line, " \t", &s2); w && n < CT_MAX_FIELDS;
             w = strtok_r(NULL, " \t", &s2))
            f[n++] = w;
        if (n) {
            fn(f, n, arg);
            lines++;
        }
    }
    free(text);
    return lines;
}

/* ---- Wycheproof ---------------------------------------------------------
 *
 * Not a general JSON parser: Wycheproof files are an object whose
 * "testGroups" hold "tests", each a flat object with a "tcId" and string
 * fields (plus a "flags" array of strings). We find each object that holds a
 * "tcId", bound it by matching braces (outside strings), and pull string
 * fields out of that span. Group fields we need are read from the group
 * object's text before its "tests" array. */

struct ct_wp_case {
    const char *start, *end; /* the test object's text */
    const char *group;       /* the enclosing group's text (start) */
    long tcid;
};

/* The value of string field name in [start, end) as a malloc'd copy, or
 * NULL if absent. */
__attribute__((unused)) static char *
ct_wp_str(const char *start, const char *end, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, "\"%s\"", name);
    size_t kl = strlen(key);
    for (const char *p = start; p + kl < end; p++) {
        if (memcmp(p, key, kl) != 0)
            continue;
        const char *q = p + kl;
        while (q < end && (*q == ' ' || *q == ':' || *q == '\n'))
            q++;
        if (q >= end)
            return NULL;
        if (*q != '"') { /* a number */
            const char *e = q;
            while (e < end && *e != ',' && *e != '\n' && *e != '}')
                e++;
            char *v = malloc((size_t)(e - q) + 1);
            memcpy(v, q, (size_t)(e - q));
            v[e - q] = 0;
            return v;
        }
        const char *e = ++q;
        while (e < end && *e != '"')
            e += *e == '\\' ? 2 : 1;
        char *v = malloc((size_t)(e - q) + 1);
        memcpy(v, q, (size_t)(e - q));
        v[e - q] = 0;
        return v;
    }
    return NULL;
}

/* A hex field of the case, decoded (malloc'd, never NULL when present). */
__attribute__((unused)) static uint8_t *ct_wp_hex(const struct ct_wp_case *c,
                                                  const char *name, size_t *len)
{
    char *s = ct_wp_str(c->start, c->end, name);
    if (!s)
        return NULL;
    uint8_t *b = ct_unhex_n(s, strlen(s), len);
    free(s);
    return b;
}

/* The "result" field: 1 valid, 0 invalid, 2 acceptable. */
__attribute__((unused)) static int ct_wp_result(const struct ct_wp_case *c)
{
    char *s = ct_wp_str(c->start, c->end, "result");
    int r = !s                             ? -1
            : strcmp(s, "valid") == 0      ? 1
            : strcmp(s, "acceptable") == 0 ? 2
                                           : 0;
    free(s);
    return r;
}

/* Calls fn for every test case of the file; returns the case count, or -1
 * if the file cannot be read. */
__attribute__((unused)) static long
ct_wycheproof(const char *file, void (*fn)(const struct ct_wp_case *, void *),
              void *arg)
{
    const char *dir = getenv("MOTE_WYCHEPROOF");
    char path[512];
    snprintf(path, sizeof path, "%s/%s",
             dir ? dir : "../shared/vectors/wycheproof", file);
    char *text = ct_slurp(path);
    if (!text)
        return -1;
    long count = 0;
    const char *group = text;
    for (const char *p = text; (p = strstr(p, "\"tcId\"")) != NULL;) {
        /* Walk back to the opening brace of this object. */
        const char *s = p;
        while (s > text && *s != '{')
            s--;
        /* A new group starts wherever a "tests" array opened after the last
         * case we saw: remember the last "type" before s as group start. */
        for (const char *g = s; g > group; g--)
            if (memcmp(g, "\"tests\"", 7) == 0) {
                const char *gs = g;
                while (gs > text && memcmp(gs, "\"type\"", 6) != 0)
                    gs--;
                group = gs;
                break;
            }
        int depth = 0, instr = 0;
        const char *e = s;
        for (; *e; e++) {
            if (instr) {
                if (*e == '\\')
                    e++;
                else if (*e == '"')
                    instr = 0;
            } else if (*e == '"') {
                instr = 1;
            } else if (*e == '{') {
                depth++;
            } else if (*e == '}' && --depth == 0) {
                break;
            }
        }
        struct ct_wp_case c = {s, e, group, strtol(p + 7, NULL, 10)};
        const char *q = p + 6;
        while (*q == ' ' || *q == ':')
            q++;
        c.tcid = strtol(q, NULL, 10);
        fn(&c, arg);
        count++;
        p = e;
    }
    free((void *)text);
    return count;
}

/* A group-level numeric field ("ivSize", "tagSize", "keySize"), or -1. */
__attribute__((unused)) static long ct_wp_group_num(const struct ct_wp_case *c,
                                                    const char *name)
{
    const char *tests = strstr(c->group, "\"tests\"");
    if (!tests)
        return -1;
    char *s = ct_wp_str(c->group, tests, name);
    long v = s ? strtol(s, NULL, 10) : -1;
    free(s);
    return v;
}

#endif

/* Leveled logging by source, configured by a SOURCE:LEVEL spec. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mote/error.h>
#include <mote/log.h>
#include <mote/platform.h>

#define MAX_SOURCES    32
#define SOURCE_MAX     16 /* bytes of a source name, including the NUL */
#define LINE_MAX_BYTES 1024

struct rule {
    char source[SOURCE_MAX];
    enum mote_log_level level;
};

static struct {
    struct rule rules[MAX_SOURCES];
    int nrules;
    enum mote_log_level fallback; /* for '*' */
    mote_log_sink sink;
} L = {.fallback = MOTE_LOG_INFO};

static const char *const level_names[] = {"none", "error", "warn",
                                          "info", "debug", "trace"};

static int parse_level(const char *s, size_t n, enum mote_log_level *out)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
        if (strlen(level_names[i]) == n && memcmp(level_names[i], s, n) == 0) {
            *out = (enum mote_log_level)i;
            return 0;
        }
    return MOTE_EINVAL;
}

static bool valid_source_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

int mote_log_configure(const char *spec, const char **bad)
{
    struct rule rules[MAX_SOURCES];
    int n = 0;
    enum mote_log_level fallback = MOTE_LOG_INFO;
    const char *p = spec;
    /* Parse everything first so a bad spec changes nothing. */
    while (*p) {
        const char *start = p;
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        const char *colon = memchr(p, ':', (size_t)(end - p));
        if (!colon || colon == p)
            goto fail;
        size_t srclen = (size_t)(colon - p);
        enum mote_log_level level;
        if (parse_level(colon + 1, (size_t)(end - colon - 1), &level))
            goto fail;
        if (srclen == 1 && *p == '*') {
            fallback = level;
        } else {
            if (srclen >= SOURCE_MAX || n == MAX_SOURCES)
                goto fail;
            for (size_t i = 0; i < srclen; i++)
                if (!valid_source_char(p[i]))
                    goto fail;
            memcpy(rules[n].source, p, srclen);
            rules[n].source[srclen] = 0;
            rules[n].level = level;
            n++;
        }
        p = *end ? end + 1 : end;
        continue;
    fail:
        if (bad)
            *bad = start;
        return MOTE_EINVAL;
    }
    memcpy(L.rules, rules, (size_t)n * sizeof(rules[0]));
    L.nrules = n;
    L.fallback = fallback;
    return 0;
}

bool mote_log_enabled(const char *src, enum mote_log_level level)
{
    enum mote_log_level limit = L.fallback;
    for (int i = 0; i < L.nrules; i++)
        if (strcmp(L.rules[i].source, src) == 0) {
            limit = L.rules[i].level;
            break;
        }
    return level != MOTE_LOG_NONE && level <= limit;
}

void mote_log_set_sink(mote_log_sink sink)
{
    L.sink = sink;
}

void mote_logv(const char *src, enum mote_log_level level, const char *fmt,
               va_list ap)
{
    if (!mote_log_enabled(src, level))
        return;
    char line[LINE_MAX_BYTES];
    int n = snprintf(line, sizeof(line), "%-5s %s: ", level_names[level], src);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
    int m = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
    if (m > 0)
        len +=
            (size_t)m < sizeof(line) - len ? (size_t)m : sizeof(line) - len - 1;
    /* A line too long for the buffer is cut, and says so. */
    if (m > 0 && len == sizeof(line) - 1)
        memcpy(line + len - 3, "...", 3);
    line[len++] = '\n';
    if (L.sink)
        L.sink(line, len);
    else
        mote_platform_console_write(line, len);
}

void mote_log(const char *src, enum mote_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mote_logv(src, level, fmt, ap);
    va_end(ap);
}

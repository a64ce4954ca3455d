/* mote cert: command-line parsing (every bad flag exits with status 2). */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"

/* "--name VALUE" or "--name=VALUE". Returns the value and advances *i, or
 * NULL if argv[*i] is not this option. A missing value is an error. */
const char *cert_opt(int argc, char **argv, int *i, const char *name)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != 0)
        return NULL;
    if (*i + 1 >= argc)
        errx(2, "%s: missing value", name);
    return argv[++*i];
}

unsigned long cert_parse_days(const char *s)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9')
        errx(2, "--days=%s: want a whole number of days, 1 to %d", s,
             CERT_DAYS_MAX);
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v < 1 || v > CERT_DAYS_MAX)
        errx(2, "--days=%s: want a whole number of days, 1 to %d", s,
             CERT_DAYS_MAX);
    return v;
}

/* A DNS name as RFC 1123 and RFC 5280 section 4.2.1.6 allow in a SAN:
 * labels of letters, digits and hyphens (1..63 bytes, no hyphen at either
 * end), total at most 253, optionally a single "*." at the front. */
const char *cert_check_host(const char *s)
{
    size_t len = strlen(s);
    if (len == 0)
        return "empty name";
    if (len > 253)
        return "longer than 253 bytes";
    if (s[len - 1] == '.')
        return "trailing dot";
    const char *p = s;
    if (strncmp(p, "*.", 2) == 0)
        p += 2;
    size_t label = 0;
    for (; *p; p++) {
        char c = *p;
        if (c == '.') {
            if (label == 0)
                return "empty label";
            if (p[-1] == '-')
                return "label ends with '-'";
            label = 0;
            continue;
        }
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= '0' && c <= '9');
        if (!alnum && c != '-')
            return "only letters, digits, '-' and '.' are allowed";
        if (label == 0 && c == '-')
            return "label starts with '-'";
        if (++label > 63)
            return "label longer than 63 bytes";
    }
    if (label == 0)
        return "empty label";
    if (p[-1] == '-')
        return "label ends with '-'";
    return NULL;
}

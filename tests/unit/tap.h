/* A tiny TAP producer for the unit tests (header-only, one per binary). */
#ifndef MOTE_TESTS_TAP_H
#define MOTE_TESTS_TAP_H

/*
 * Usage:
 *
 *     static void test_parse(void) { ok(1 + 1 == 2, "adds"); }
 *     int main(int argc, char **argv) {
 *         tap_init(argc, argv);
 *         TAP_CASE(test_parse);
 *         return tap_done();
 *     }
 *
 * Each case is run by name: `./test_x test_parse` runs only cases whose name
 * contains "test_parse". Every check prints one TAP line; the plan is printed
 * at the end ("1..N"), which prove accepts.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed, tap_argc;
static char **tap_argv;
static const char *tap_case_name = "";

__attribute__((unused)) static void tap_init(int argc, char **argv)
{
    tap_argc = argc;
    tap_argv = argv;
    setvbuf(stdout, NULL, _IOLBF, 0);
}

static int tap_selected(const char *name)
{
    if (tap_argc < 2)
        return 1;
    for (int i = 1; i < tap_argc; i++)
        if (strstr(name, tap_argv[i]))
            return 1;
    return 0;
}

#define TAP_CASE(fn)                                                           \
    do {                                                                       \
        if (tap_selected(#fn)) {                                               \
            tap_case_name = #fn;                                               \
            fn();                                                              \
        }                                                                      \
    } while (0)

__attribute__((format(printf, 4, 5))) static int
tap_ok_at(int cond, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    tap_n++;
    printf("%sok %d - %s: ", cond ? "" : "not ", tap_n, tap_case_name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!cond) {
        tap_failed++;
        printf("#   failed at %s:%d\n", file, line);
    }
    return cond;
}

#define ok(cond, ...) tap_ok_at(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...)                                                 \
    do {                                                                       \
        long long tap_g_ = (long long)(got), tap_w_ = (long long)(want);       \
        if (!ok(tap_g_ == tap_w_, __VA_ARGS__))                                \
            printf("#   got %lld, want %lld\n", tap_g_, tap_w_);               \
    } while (0)

#define is_str(got, want, ...)                                                 \
    do {                                                                       \
        const char *tap_g_ = (got), *tap_w_ = (want);                          \
        int tap_c_ = tap_g_ && tap_w_ && strcmp(tap_g_, tap_w_) == 0;          \
        if (!ok(tap_c_, __VA_ARGS__))                                          \
            printf("#   got \"%s\", want \"%s\"\n",                            \
                   tap_g_ ? tap_g_ : "(null)", tap_w_ ? tap_w_ : "(null)");    \
    } while (0)

__attribute__((unused)) static void tap_diag(const char *fmt, ...)
{
    va_list ap;
    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

__attribute__((unused)) static int tap_done(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

#endif

/* Formatted output to memory: the snprintf family only. */
#ifndef MOTE_LIBC_STDIO_H
#define MOTE_LIBC_STDIO_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Guests have no streams (no FILE, printf, fopen): text reaches the world
 * through Mote's logging and flows. The formatting is glibc's, byte for
 * byte, for everything listed here:
 *
 *   conversions  d i u o x X c s p %
 *   flags        - + space # 0
 *   width        digits or * (a negative * means the - flag)
 *   precision    .digits or .* (a negative * means none)
 *   length       hh h l ll j z t (L is taken as ll on integers, as glibc)
 *
 * %s of NULL prints "(null)" (or nothing when the precision is below 6) and
 * %p of NULL prints "(nil)", as glibc does.
 *
 * Not supported, and never a crash: floating point (f F e E g G a A consume
 * their double, or long double with L, and print the conversion text
 * itself, e.g. "%.2f"), %lc and %ls (the argument is consumed, the
 * conversion text printed), %n (the pointer is consumed and nothing is
 * stored), positional arguments ("%1$d"), and unknown conversions (printed
 * as text; no argument consumed, so later ones are misread as in any C
 * library).
 *
 * Return: the length the whole output would have, excluding the NUL, even
 * when n truncated it; at most n - 1 bytes and a NUL are stored (nothing
 * when n is 0, and s may then be NULL). If that length would exceed INT_MAX
 * the functions return -1 with errno EOVERFLOW. sprintf and vsprintf trust
 * the caller that s is large enough.
 */

#define EOF (-1)

__attribute__((format(printf, 3, 4))) int
snprintf(char *restrict s, size_t n, const char *restrict format, ...);
__attribute__((format(printf, 2, 3))) int
sprintf(char *restrict s, const char *restrict format, ...);
__attribute__((format(printf, 3, 0))) int
vsnprintf(char *restrict s, size_t n, const char *restrict format, va_list arg);
__attribute__((format(printf, 2, 0))) int
vsprintf(char *restrict s, const char *restrict format, va_list arg);

#endif

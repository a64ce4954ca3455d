/* spt: a console-backed subset of stdio streams for applications. */
#ifndef MOTE_SPT_STDIO_H
#define MOTE_SPT_STDIO_H

#include <stdarg.h>
#include <stdio.h>

/*
 * The libc subset has no streams (include/libc/stdio.h): libraries talk
 * through logging. Applications written as ordinary C programs (apps/echo
 * prints its usage and errors with fprintf) still need the two console
 * streams, so the spt build force-includes this header into application
 * sources only (-include, see mk/spt.mk). stdout writes to the tender's
 * fd 1, stderr (and any other stream) to fd 2, unbuffered: one write(2) per
 * call, at most SPT_STDIO_LINE_MAX bytes of formatted output per call (the
 * rest is cut). There is no FILE opening, reading or positioning.
 */

#define SPT_STDIO_LINE_MAX 1024

typedef struct spt_file FILE;
extern FILE *const spt__stdout;
extern FILE *const spt__stderr;
#define stdout spt__stdout
#define stderr spt__stderr

__attribute__((format(printf, 2, 3))) int
fprintf(FILE *restrict f, const char *restrict format, ...);
__attribute__((format(printf, 2, 0))) int
vfprintf(FILE *restrict f, const char *restrict format, va_list ap);
__attribute__((format(printf, 1, 2))) int printf(const char *restrict format,
                                                 ...);
int fputs(const char *restrict s, FILE *restrict f);
int puts(const char *s);
int fputc(int c, FILE *f);
int putchar(int c);
int fflush(FILE *f);

#endif

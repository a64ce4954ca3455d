/* spt: console streams for applications (see spt_stdio.h). */
#include <string.h>

#include "spt_int.h"
#include "spt_stdio.h"

struct spt_file {
    int fd;
};

static struct spt_file out = {1}, err = {2};
FILE *const spt__stdout = &out;
FILE *const spt__stderr = &err;

int vfprintf(FILE *restrict f, const char *restrict format, va_list ap)
{
    char buf[SPT_STDIO_LINE_MAX];
    int n = vsnprintf(buf, sizeof(buf), format, ap);
    if (n < 0)
        return n;
    size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
    spt__console_fd(f->fd, buf, len);
    return n;
}

int fprintf(FILE *restrict f, const char *restrict format, ...)
{
    va_list ap;
    va_start(ap, format);
    int n = vfprintf(f, format, ap);
    va_end(ap);
    return n;
}

int printf(const char *restrict format, ...)
{
    va_list ap;
    va_start(ap, format);
    int n = vfprintf(stdout, format, ap);
    va_end(ap);
    return n;
}

int fputs(const char *restrict s, FILE *restrict f)
{
    spt__console_fd(f->fd, s, strlen(s));
    return 0;
}

int puts(const char *s)
{
    fputs(s, stdout);
    return fputc('\n', stdout) == EOF ? EOF : 0;
}

int fputc(int c, FILE *f)
{
    char ch = (char)c;
    spt__console_fd(f->fd, &ch, 1);
    return (unsigned char)ch;
}

int putchar(int c)
{
    return fputc(c, stdout);
}

int fflush(FILE *f)
{
    (void)f; /* unbuffered */
    return 0;
}

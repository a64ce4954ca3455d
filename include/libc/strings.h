/* Case-insensitive comparison (POSIX <strings.h>). */
#ifndef MOTE_LIBC_STRINGS_H
#define MOTE_LIBC_STRINGS_H

#include <stddef.h>

/* ASCII letters compare equal to their other case; all other bytes compare
 * by unsigned value, as glibc does in the "C" locale. */
int strcasecmp(const char *s1, const char *s2);
int strncasecmp(const char *s1, const char *s2, size_t n);

#endif

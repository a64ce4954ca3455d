/* Byte strings and memory blocks (C11 7.24, plus four POSIX functions). */
#ifndef MOTE_LIBC_STRING_H
#define MOTE_LIBC_STRING_H

#include <stddef.h>

/*
 * Prototypes are exactly the standard's, because portable Mote code built
 * for unix sees glibc's <string.h> instead. strnlen, strdup, strndup and
 * strtok_r are POSIX: glibc declares them only when _POSIX_C_SOURCE >=
 * 200809L (or _DEFAULT_SOURCE) is defined, so portable code that uses them
 * defines that before any #include. strcasecmp and strncasecmp are in
 * <strings.h>, where POSIX puts them.
 *
 * strdup and strndup return memory from malloc() (NULL with errno ENOMEM
 * when the heap is exhausted); the caller frees it.
 *
 * Not provided: strcoll and strxfrm (use strcmp: the "C" locale collates
 * by byte), strsignal, the mem*_s family.
 */

void *memcpy(void *restrict s1, const void *restrict s2, size_t n);
void *memmove(void *s1, const void *s2, size_t n);
void *memset(void *s, int c, size_t n);
int memcmp(const void *s1, const void *s2, size_t n);
void *memchr(const void *s, int c, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *s1, const char *s2);
int strncmp(const char *s1, const char *s2, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *s1, const char *s2);
char *strcpy(char *restrict s1, const char *restrict s2);
char *strncpy(char *restrict s1, const char *restrict s2, size_t n);
char *strcat(char *restrict s1, const char *restrict s2);
char *strncat(char *restrict s1, const char *restrict s2, size_t n);
char *strdup(const char *s);
char *strndup(const char *s, size_t size);
size_t strspn(const char *s1, const char *s2);
size_t strcspn(const char *s1, const char *s2);
char *strpbrk(const char *s1, const char *s2);
char *strtok(char *restrict s1, const char *restrict s2);
char *strtok_r(char *restrict s, const char *restrict sep,
               char **restrict state);

/* A static, constant description of errnum ("Unknown error" for numbers
 * <errno.h> does not define). The caller MUST NOT modify it. */
char *strerror(int errnum);

#endif

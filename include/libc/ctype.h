/* Character classes of the "C" locale (the only locale guests have). */
#ifndef MOTE_LIBC_CTYPE_H
#define MOTE_LIBC_CTYPE_H

/*
 * c MUST be EOF or a value of unsigned char, as in standard C. Bytes 128-255
 * belong to no class and are their own upper and lower case. Out-of-range
 * values give 0 (or c itself from tolower/toupper) rather than reading out
 * of bounds: there is no table to overrun.
 */
int isalnum(int c);
int isalpha(int c);
int isblank(int c);
int iscntrl(int c);
int isdigit(int c);
int isgraph(int c);
int islower(int c);
int isprint(int c);
int ispunct(int c);
int isspace(int c);
int isupper(int c);
int isxdigit(int c);
int tolower(int c);
int toupper(int c);

#endif

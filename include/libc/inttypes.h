/* Format macros for the <stdint.h> types, and the intmax_t conversions. */
#ifndef MOTE_LIBC_INTTYPES_H
#define MOTE_LIBC_INTTYPES_H

#include <stdint.h>

/*
 * The length modifiers follow the types the compiler's <stdint.h> uses,
 * which on every Mote target are glibc's: int64_t, intmax_t and intptr_t
 * are long on LP64 and long long / int on ILP32.
 *
 * Not provided: the PRI*FAST* macros, because gcc and clang disagree on the
 * fast types (int_fast16_t is long under gcc and short under clang on
 * x86-64), and the SCN* macros, because there is no scanf.
 */

#if __SIZEOF_LONG__ == 8
#define MOTE_PRI64  "l"
#define MOTE_PRIPTR "l"
#else
#define MOTE_PRI64  "ll"
#define MOTE_PRIPTR ""
#endif

#define PRId8  "d"
#define PRId16 "d"
#define PRId32 "d"
#define PRId64 MOTE_PRI64 "d"
#define PRIi8  "i"
#define PRIi16 "i"
#define PRIi32 "i"
#define PRIi64 MOTE_PRI64 "i"
#define PRIo8  "o"
#define PRIo16 "o"
#define PRIo32 "o"
#define PRIo64 MOTE_PRI64 "o"
#define PRIu8  "u"
#define PRIu16 "u"
#define PRIu32 "u"
#define PRIu64 MOTE_PRI64 "u"
#define PRIx8  "x"
#define PRIx16 "x"
#define PRIx32 "x"
#define PRIx64 MOTE_PRI64 "x"
#define PRIX8  "X"
#define PRIX16 "X"
#define PRIX32 "X"
#define PRIX64 MOTE_PRI64 "X"

#define PRIdLEAST8  PRId8
#define PRIdLEAST16 PRId16
#define PRIdLEAST32 PRId32
#define PRIdLEAST64 PRId64
#define PRIiLEAST8  PRIi8
#define PRIiLEAST16 PRIi16
#define PRIiLEAST32 PRIi32
#define PRIiLEAST64 PRIi64
#define PRIoLEAST8  PRIo8
#define PRIoLEAST16 PRIo16
#define PRIoLEAST32 PRIo32
#define PRIoLEAST64 PRIo64
#define PRIuLEAST8  PRIu8
#define PRIuLEAST16 PRIu16
#define PRIuLEAST32 PRIu32
#define PRIuLEAST64 PRIu64
#define PRIxLEAST8  PRIx8
#define PRIxLEAST16 PRIx16
#define PRIxLEAST32 PRIx32
#define PRIxLEAST64 PRIx64
#define PRIXLEAST8  PRIX8
#define PRIXLEAST16 PRIX16
#define PRIXLEAST32 PRIX32
#define PRIXLEAST64 PRIX64

#define PRIdMAX MOTE_PRI64 "d"
#define PRIiMAX MOTE_PRI64 "i"
#define PRIoMAX MOTE_PRI64 "o"
#define PRIuMAX MOTE_PRI64 "u"
#define PRIxMAX MOTE_PRI64 "x"
#define PRIXMAX MOTE_PRI64 "X"

#define PRIdPTR MOTE_PRIPTR "d"
#define PRIiPTR MOTE_PRIPTR "i"
#define PRIoPTR MOTE_PRIPTR "o"
#define PRIuPTR MOTE_PRIPTR "u"
#define PRIxPTR MOTE_PRIPTR "x"
#define PRIXPTR MOTE_PRIPTR "X"

/* As strtoll and strtoull (<stdlib.h>), for intmax_t. */
intmax_t strtoimax(const char *restrict nptr, char **restrict endptr, int base);
uintmax_t strtoumax(const char *restrict nptr, char **restrict endptr,
                    int base);
intmax_t imaxabs(intmax_t j);

#endif

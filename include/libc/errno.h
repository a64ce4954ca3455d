/* errno: one plain global, because guests run a single thread. */
#ifndef MOTE_LIBC_ERRNO_H
#define MOTE_LIBC_ERRNO_H

/*
 * Only functions of this libc set errno, and only on failure (never to 0).
 * Mote's own libraries return MOTE_E* codes (<mote/error.h>) instead.
 *
 * The values are Linux's, so a number in a log means the same thing on both
 * targets. Portable code must still compare by name only.
 */
extern int errno;

#define EPERM     1
#define ENOENT    2
#define EINTR     4
#define EIO       5
#define EBADF     9
#define EAGAIN    11
#define ENOMEM    12
#define EACCES    13
#define EFAULT    14
#define EBUSY     16
#define EEXIST    17
#define EINVAL    22
#define ENOSPC    28
#define EPIPE     32
#define EDOM      33
#define ERANGE    34
#define ENOSYS    38
#define EOVERFLOW 75
#define EILSEQ    84
#define ENOTSUP   95
#define ETIMEDOUT 110

#endif

/* Mote error codes: the one table every library returns from. */
#ifndef MOTE_ERROR_H
#define MOTE_ERROR_H

/*
 * Functions return int: 0 on success, or one of the negative codes below.
 * MOTE_EAGAIN ("not yet") is a normal answer from non-blocking calls, not a
 * failure. New codes are appended; values never change, so they can be
 * logged and compared across versions.
 */
enum mote_error {
    MOTE_OK = 0,
    MOTE_EAGAIN = -1,    /* not yet: try again after waiting */
    MOTE_EINVAL = -2,    /* malformed argument or input */
    MOTE_ENOMEM = -3,    /* allocation failed / heap exhausted */
    MOTE_ENOENT = -4,    /* named thing (device, file, key) not found */
    MOTE_EACCES = -5,    /* permission denied by the host */
    MOTE_EIO = -6,       /* device or host I/O error */
    MOTE_ETIMEDOUT = -7, /* deadline passed */
    MOTE_ECANCELED = -8, /* the waiting fiber was cancelled */
    MOTE_ECLOSED = -9,   /* object closed (locally) */
    MOTE_ECONNREFUSED = -10,
    MOTE_ECONNRESET = -11,
    MOTE_EADDRINUSE = -12,
    MOTE_EADDRNOTAVAIL = -13,
    MOTE_ENETUNREACH = -14,
    MOTE_EHOSTUNREACH = -15,
    MOTE_EPIPE = -16,        /* write after the peer or we shut down */
    MOTE_ENOSPC = -17,       /* buffer, table or device full */
    MOTE_ERANGE = -18,       /* value out of range / offset past end */
    MOTE_EBUSY = -19,        /* resource already acquired */
    MOTE_ENOTSUP = -20,      /* operation not supported by this backend */
    MOTE_EPROTO = -21,       /* peer violated the protocol */
    MOTE_EMSGSIZE = -22,     /* message too large */
    MOTE_EAFNOSUPPORT = -23, /* address family not supported */
    MOTE_ENFILE = -24,       /* host descriptor limit reached */
    MOTE_EINTERNAL = -25,    /* bug: an invariant did not hold */
    MOTE_EAUTH = -26,        /* bad tag, MAC or signature */
    MOTE_ERROR_MIN = -26,
};

/* A short, static, lower-case description of code; never NULL. Unknown
 * codes give "unknown error". */
const char *mote_strerror(int code);

/* The enumerator's name without the MOTE_ prefix ("EAGAIN"); never NULL. */
const char *mote_errname(int code);

#endif

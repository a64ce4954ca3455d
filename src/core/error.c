/* mote_strerror and mote_errname: the text of the error table. */
#include <mote/error.h>

struct entry {
    const char *name, *text;
};

/* Indexed by -code. */
static const struct entry table[] = {
    {"OK", "success"},
    {"EAGAIN", "not ready yet"},
    {"EINVAL", "invalid argument or malformed input"},
    {"ENOMEM", "out of memory"},
    {"ENOENT", "no such device, file or entry"},
    {"EACCES", "permission denied"},
    {"EIO", "input/output error"},
    {"ETIMEDOUT", "timed out"},
    {"ECANCELED", "cancelled"},
    {"ECLOSED", "closed"},
    {"ECONNREFUSED", "connection refused"},
    {"ECONNRESET", "connection reset by peer"},
    {"EADDRINUSE", "address already in use"},
    {"EADDRNOTAVAIL", "address not available"},
    {"ENETUNREACH", "network unreachable"},
    {"EHOSTUNREACH", "host unreachable"},
    {"EPIPE", "broken pipe: stream shut down"},
    {"ENOSPC", "no space left in buffer, table or device"},
    {"ERANGE", "value or offset out of range"},
    {"EBUSY", "resource busy or already acquired"},
    {"ENOTSUP", "operation not supported"},
    {"EPROTO", "protocol error"},
    {"EMSGSIZE", "message too long"},
    {"EAFNOSUPPORT", "address family not supported"},
    {"ENFILE", "too many open descriptors"},
    {"EINTERNAL", "internal error (a bug in Mote)"},
    {"EAUTH", "authentication failed"},
};

_Static_assert(sizeof(table) / sizeof(table[0]) == 1 - MOTE_ERROR_MIN,
               "one entry per error code");

static const struct entry *lookup(int code)
{
    if (code > 0 || code < MOTE_ERROR_MIN)
        return 0;
    return &table[-code];
}

const char *mote_strerror(int code)
{
    const struct entry *e = lookup(code);
    return e ? e->text : "unknown error";
}

const char *mote_errname(int code)
{
    const struct entry *e = lookup(code);
    return e ? e->name : "EUNKNOWN";
}

/* Endpoints (address and port) as text. */
#include <stdio.h>
#include <string.h>

#include <mote/error.h>
#include <mote/stack.h>

int mote_endpoint_print(const struct mote_endpoint *e, char *buf, size_t size)
{
    char addr[MOTE_IPADDR_STRLEN];
    const char *a = "*";
    if (e->addr.family != MOTE_IP_NONE) {
        if (mote_ipaddr_print(&e->addr, addr, sizeof(addr)) < 0)
            return MOTE_EINVAL;
        a = addr;
    }
    bool brackets = e->addr.family == MOTE_IP_V6;
    int n = snprintf(buf, size, "%s%s%s:%u", brackets ? "[" : "", a,
                     brackets ? "]" : "", (unsigned)e->port);
    if (n < 0 || (size_t)n >= size) {
        if (size)
            buf[0] = 0;
        return MOTE_ENOSPC;
    }
    return n;
}

static int parse_port(const char *s, size_t len, uint16_t *out)
{
    if (len == 0 || len > 5 || (s[0] == '0' && len > 1))
        return MOTE_EINVAL;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return MOTE_EINVAL;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > 65535)
        return MOTE_EINVAL;
    *out = (uint16_t)v;
    return 0;
}

int mote_endpoint_parse(const char *s, size_t len, struct mote_endpoint *out)
{
    struct mote_endpoint e;
    memset(&e, 0, sizeof(e));
    const char *colon = NULL;
    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (!close || (size_t)(close - s) + 1 >= len || close[1] != ':')
            return MOTE_EINVAL;
        if (mote_ipaddr_parse_v6(s + 1, (size_t)(close - s - 1), &e.addr))
            return MOTE_EINVAL;
        colon = close + 1;
    } else {
        /* The port follows the last ':'; an unbracketed address with more
         * than one ':' is IPv6 without a port and is refused as ambiguous. */
        for (size_t i = 0; i < len; i++)
            if (s[i] == ':') {
                if (colon)
                    return MOTE_EINVAL;
                colon = s + i;
            }
        if (!colon)
            return MOTE_EINVAL;
        size_t alen = (size_t)(colon - s);
        if (!(alen == 0 || (alen == 1 && s[0] == '*')) &&
            mote_ipaddr_parse_v4(s, alen, &e.addr))
            return MOTE_EINVAL;
    }
    size_t plen = len - (size_t)(colon + 1 - s);
    if (parse_port(colon + 1, plen, &e.port))
        return MOTE_EINVAL;
    *out = e;
    return 0;
}

/* Direct-stack options from the command line (--ipv4=, --dhcp, ...). */
#include <stdlib.h>
#include <string.h>

#include <mote/error.h>

#include "net_priv.h"

static bool prefix_is(const char *arg, const char *opt, const char **val)
{
    size_t n = strlen(opt);
    if (strncmp(arg, opt, n) != 0)
        return false;
    *val = arg + n;
    return true;
}

int mote_net_config_arg(struct mote_net_config *cfg, const char *arg)
{
    const char *v;
    if (prefix_is(arg, "--ipv4=", &v)) {
        struct mote_ipprefix p;
        if (mote_ipprefix_parse(v, strlen(v), &p) ||
            p.addr.family != MOTE_IP_V4)
            return MOTE_EINVAL;
        cfg->ipv4 = p;
        return 1;
    }
    if (prefix_is(arg, "--ipv4-gateway=", &v)) {
        struct mote_ipaddr a;
        if (mote_ipaddr_parse_v4(v, strlen(v), &a))
            return MOTE_EINVAL;
        cfg->ipv4_gateway = a;
        return 1;
    }
    if (strcmp(arg, "--dhcp") == 0) {
        cfg->dhcp = true;
        return 1;
    }
    if (prefix_is(arg, "--ipv6=", &v)) {
        struct mote_ipprefix p;
        if (mote_ipprefix_parse(v, strlen(v), &p) ||
            p.addr.family != MOTE_IP_V6 || p.addr.zone[0])
            return MOTE_EINVAL;
        if (cfg->ipv6_count == MOTE_NET_MAX_V6_STATIC)
            return MOTE_ENOSPC;
        cfg->ipv6[cfg->ipv6_count++] = p;
        return 1;
    }
    if (prefix_is(arg, "--ipv6-gateway=", &v)) {
        struct mote_ipaddr a;
        if (mote_ipaddr_parse_v6(v, strlen(v), &a) || a.zone[0])
            return MOTE_EINVAL;
        cfg->ipv6_gateway = a;
        return 1;
    }
    if (strcmp(arg, "--no-slaac") == 0) {
        cfg->no_slaac = true;
        return 1;
    }
    if (strcmp(arg, "--no-offload") == 0) {
        cfg->no_offload = true;
        return 1;
    }
    if (strcmp(arg, "--no-ipv6") == 0) {
        cfg->no_ipv6 = true;
        return 1;
    }
    bool snd = prefix_is(arg, "--tcp-sndbuf=", &v);
    if (snd || prefix_is(arg, "--tcp-rcvbuf=", &v)) {
        char *end;
        if (*v < '0' || *v > '9')
            return MOTE_EINVAL;
        unsigned long b = strtoul(v, &end, 10);
        if (*end || b < MOTE_NET_TCP_BUF_MIN || b > MOTE_NET_TCP_BUF_MAX)
            return MOTE_EINVAL;
        if (snd)
            cfg->tcp_sndbuf = b;
        else
            cfg->tcp_rcvbuf = b;
        return 1;
    }
    if (prefix_is(arg, "--mtu=", &v)) {
        char *end;
        if (*v < '0' || *v > '9')
            return MOTE_EINVAL;
        unsigned long m = strtoul(v, &end, 10);
        if (*end || m < 1280 || m > 9000)
            return MOTE_EINVAL;
        cfg->mtu = m;
        return 1;
    }
    return 0;
}

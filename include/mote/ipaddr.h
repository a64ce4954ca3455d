/* IPv4, IPv6 and MAC addresses and prefixes: parse, print, classify. */
#ifndef MOTE_IPADDR_H
#define MOTE_IPADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Addresses are plain values: copy them, compare them with
 * mote_ipaddr_equal(), embed them. Nothing here allocates or reads the host.
 * Bytes are always in network order.
 */

enum mote_ipfamily {
    MOTE_IP_NONE = 0, /* "no address"; also "any family" for a listener */
    MOTE_IP_V4 = 4,
    MOTE_IP_V6 = 6,
};

#define MOTE_IPADDR_ZONE_MAX 16 /* bytes of a zone id, including the NUL */

struct mote_ipaddr {
    uint8_t family; /* enum mote_ipfamily */
    /* IPv4 uses bytes[0..3]; the rest MUST be zero so that memcmp-style
     * equality works. */
    uint8_t bytes[16];
    /* IPv6 zone id (RFC 4007 section 11) as written after '%', NUL
     * terminated; "" for none. Always "" for IPv4. A numeric zone is kept
     * as text too; resolving a name to an interface is the stack's job. */
    char zone[MOTE_IPADDR_ZONE_MAX];
};

struct mote_ipprefix {
    struct mote_ipaddr addr; /* host bits may be set: "10.0.0.2/24" keeps .2 */
    uint8_t len;             /* 0..32 for IPv4, 0..128 for IPv6 */
};

struct mote_macaddr {
    uint8_t bytes[6];
};

/* Enough for any printer below, including the NUL: the longest IPv6 text
 * ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255") + "%" + zone + "/128".
 * (The printers never use a dotted tail on a non-mapped address, so they
 * actually need at most 60.) */
#define MOTE_IPADDR_STRLEN  68
#define MOTE_MACADDR_STRLEN 18

/* ---- Construction -------------------------------------------------------- */

struct mote_ipaddr mote_ipaddr_v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);
/* From 4 network-order bytes / 16 network-order bytes; zone empty. */
struct mote_ipaddr mote_ipaddr_from_v4_bytes(const uint8_t bytes[4]);
struct mote_ipaddr mote_ipaddr_from_v6_bytes(const uint8_t bytes[16]);
/* The IPv4 address as a host-order integer (0 for non-IPv4). */
uint32_t mote_ipaddr_v4_u32(const struct mote_ipaddr *a);

/* Unspecified addresses: 0.0.0.0 and :: */
struct mote_ipaddr mote_ipaddr_any_v4(void);
struct mote_ipaddr mote_ipaddr_any_v6(void);

/* ---- Parsing -------------------------------------------------------------
 * Each parser reads exactly len bytes of s (s need not be NUL-terminated;
 * an embedded NUL is an error) and returns 0 with *out filled, or
 * MOTE_EINVAL with *out unchanged.
 */

/* Dotted-quad IPv4 in strict form: four decimal parts 0..255, no leading
 * zeros (as inet_pton(AF_INET) accepts). */
int mote_ipaddr_parse_v4(const char *s, size_t len, struct mote_ipaddr *out);

/* Every RFC 4291 section 2.2 text form: full, "::" compressed, and with an
 * embedded dotted-quad in the last 32 bits; hex digits in either case, at
 * most 4 per group. An optional "%zone" suffix (1..15 bytes of printable
 * ASCII other than '%' '/' and space) sets zone. */
int mote_ipaddr_parse_v6(const char *s, size_t len, struct mote_ipaddr *out);

/* Either family; IPv6 when the text contains ':'. */
int mote_ipaddr_parse(const char *s, size_t len, struct mote_ipaddr *out);

/* "ADDR/LEN" with LEN decimal, no leading zeros, in range for the family.
 * Without "/LEN" it is MOTE_EINVAL. */
int mote_ipprefix_parse(const char *s, size_t len, struct mote_ipprefix *out);

/* "01:23:45:67:89:ab" or with '-' separators (one kind throughout); two hex
 * digits per byte, either case. */
int mote_macaddr_parse(const char *s, size_t len, struct mote_macaddr *out);

/* ---- Printing ------------------------------------------------------------
 * Each printer writes the NUL-terminated text into buf and returns its
 * length (without the NUL). If size is too small it writes nothing useful
 * (buf[0] = 0 when size > 0) and returns MOTE_ENOSPC. A buffer of
 * MOTE_IPADDR_STRLEN / MOTE_MACADDR_STRLEN bytes is always enough.
 */

/* IPv4 dotted quad; IPv6 in the RFC 5952 canonical form (lower case, longest
 * run of two or more zero groups compressed, the first on ties, IPv4-mapped
 * addresses ::ffff:0:0/96 with a dotted-quad tail, as inet_ntop does), then
 * "%zone" if there is one. MOTE_IP_NONE prints as "none".
 * Deliberate difference from glibc's inet_ntop: the deprecated
 * IPv4-compatible form (RFC 4291 section 2.5.5.1) is not used, so ::/96
 * addresses print in hex ("::102:304", not "::1.2.3.4"), as Go and Rust do.
 * Every other address prints exactly as inet_ntop prints it. */
int mote_ipaddr_print(const struct mote_ipaddr *a, char *buf, size_t size);
/* The address as above, then "/len". */
int mote_ipprefix_print(const struct mote_ipprefix *p, char *buf, size_t size);
/* Lower-case, ':'-separated. */
int mote_macaddr_print(const struct mote_macaddr *m, char *buf, size_t size);

/* ---- Comparison ---------------------------------------------------------- */

/* Same family, bytes and zone. */
bool mote_ipaddr_equal(const struct mote_ipaddr *a,
                       const struct mote_ipaddr *b);
/* Total order: by family, then bytes, then zone. <0, 0, >0. */
int mote_ipaddr_compare(const struct mote_ipaddr *a,
                        const struct mote_ipaddr *b);

/* ---- Prefix arithmetic --------------------------------------------------- */

/* The prefix with its host bits cleared (10.0.0.2/24 -> 10.0.0.0/24). */
struct mote_ipprefix mote_ipprefix_network(const struct mote_ipprefix *p);
/* The netmask as an address (/24 -> 255.255.255.0; IPv6 likewise). */
struct mote_ipaddr mote_ipprefix_netmask(const struct mote_ipprefix *p);
/* IPv4 broadcast address of the prefix (all host bits set); for IPv6 the
 * last address of the prefix. */
struct mote_ipaddr mote_ipprefix_last(const struct mote_ipprefix *p);
/* True if a is inside p (same family; zones ignored). */
bool mote_ipprefix_contains(const struct mote_ipprefix *p,
                            const struct mote_ipaddr *a);
/* True if every address of inner is inside outer. */
bool mote_ipprefix_subset(const struct mote_ipprefix *inner,
                          const struct mote_ipprefix *outer);

/* ---- Conversion ---------------------------------------------------------- */

/* IPv4 a -> ::ffff:a.b.c.d (RFC 4291 section 2.5.5.2); any other a is
 * returned unchanged. */
struct mote_ipaddr mote_ipaddr_v4_to_mapped(const struct mote_ipaddr *a);
/* If a is IPv4-mapped IPv6, the IPv4 address, and true; else false and *out
 * untouched. */
bool mote_ipaddr_mapped_to_v4(const struct mote_ipaddr *a,
                              struct mote_ipaddr *out);
/* Link-local fe80::/64 address with the modified EUI-64 interface id of mac
 * (RFC 4291 appendix A). */
struct mote_ipaddr
mote_ipaddr_link_local_from_mac(const struct mote_macaddr *mac);
/* Solicited-node multicast ff02::1:ffXX:XXXX of an IPv6 address, zone
 * empty (RFC 4291 section 2.7.1); MOTE_IP_NONE for any other family. */
struct mote_ipaddr mote_ipaddr_solicited_node(const struct mote_ipaddr *a);
/* Ethernet multicast MAC for an IPv4 (01:00:5e + 23 bits) or IPv6
 * (33:33 + low 32 bits) multicast address; 00:00:00:00:00:00 for
 * MOTE_IP_NONE. */
struct mote_macaddr mote_macaddr_of_multicast(const struct mote_ipaddr *a);

/* ---- Classification ------------------------------------------------------ */

enum mote_ipscope {
    MOTE_SCOPE_NONE = 0,    /* MOTE_IP_NONE */
    MOTE_SCOPE_UNSPECIFIED, /* 0.0.0.0, :: */
    MOTE_SCOPE_LOOPBACK,    /* 127/8, ::1 */
    MOTE_SCOPE_LINK_LOCAL,  /* 169.254/16, fe80::/10 */
    MOTE_SCOPE_MULTICAST,   /* 224/4, ff00::/8 */
    MOTE_SCOPE_PRIVATE,   /* 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7 */
    MOTE_SCOPE_BROADCAST, /* 255.255.255.255 */
    /* 0/8, 240/4, documentation 192.0.2/24, 198.51.100/24, 203.0.113/24,
     * 2001:db8::/32, 3fff::/20 */
    MOTE_SCOPE_RESERVED,
    MOTE_SCOPE_GLOBAL, /* everything else */
};

/* The scope of a; an IPv4-mapped IPv6 address is classified as its IPv4
 * address. */
enum mote_ipscope mote_ipaddr_scope(const struct mote_ipaddr *a);
const char *mote_ipscope_name(enum mote_ipscope s); /* "loopback", ... */

/* Each is mote_ipaddr_scope(a) == the matching scope, so IPv4-mapped
 * addresses answer for their IPv4 address here too. */
bool mote_ipaddr_is_unspecified(const struct mote_ipaddr *a);
bool mote_ipaddr_is_loopback(const struct mote_ipaddr *a);
bool mote_ipaddr_is_multicast(const struct mote_ipaddr *a);
bool mote_ipaddr_is_link_local(const struct mote_ipaddr *a);

#endif

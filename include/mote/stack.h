/* mote_stack: TCP and UDP over IPv4 and IPv6, whichever stack is beneath. */
#ifndef MOTE_STACK_H
#define MOTE_STACK_H

#include <stddef.h>
#include <stdint.h>

#include <mote/flow.h>
#include <mote/ipaddr.h>

/*
 * Two implementations: the socket stack (unix: host TCP/UDP sockets) and the
 * direct stack (src/net over a network device). Apps are written against
 * this header and never learn which they have.
 *
 * Ownership: listeners, UDP endpoints and flows returned here belong to the
 * caller until their close call. All blocking calls block the calling fiber
 * only, and honour cancellation (MOTE_ECANCELED).
 */

struct mote_endpoint {
    struct mote_ipaddr addr; /* family MOTE_IP_NONE in a listen address means
                                "every address of both families" */
    uint16_t port;           /* host order; 0 to let the stack choose */
};

/* Print "1.2.3.4:80" or "[::1]:80"; same contract as mote_ipaddr_print
 * (buffer of MOTE_ENDPOINT_STRLEN is always enough). */
#define MOTE_ENDPOINT_STRLEN (MOTE_IPADDR_STRLEN + 8)
int mote_endpoint_print(const struct mote_endpoint *e, char *buf, size_t size);
/* Parse "ADDR:PORT", "[V6ADDR]:PORT" or ":PORT"/"*:PORT" (any address).
 * Errors: MOTE_EINVAL. */
int mote_endpoint_parse(const char *s, size_t len, struct mote_endpoint *out);

struct mote_stack;
struct mote_listener;
struct mote_udp;

struct mote_stack_ops {
    int (*tcp_listen)(struct mote_stack *s, const struct mote_endpoint *local,
                      int backlog, struct mote_listener **out);
    int (*tcp_connect)(struct mote_stack *s, const struct mote_endpoint *remote,
                       uint64_t deadline, struct mote_flow **out);
    int (*udp_open)(struct mote_stack *s, const struct mote_endpoint *local,
                    struct mote_udp **out);
};

struct mote_stack {
    const struct mote_stack_ops *ops;
    const char *name; /* "socket", "direct" */
};

struct mote_listener_ops {
    int (*accept)(struct mote_listener *l, uint64_t deadline,
                  struct mote_flow **out, struct mote_endpoint *peer);
    int (*local)(struct mote_listener *l, struct mote_endpoint *out);
    void (*close)(struct mote_listener *l);
};
struct mote_listener {
    const struct mote_listener_ops *ops;
};

struct mote_udp_ops {
    int (*sendto)(struct mote_udp *u, const void *buf, size_t size,
                  const struct mote_endpoint *to);
    int (*recvfrom)(struct mote_udp *u, void *buf, size_t size, size_t *n,
                    struct mote_endpoint *from, uint64_t deadline);
    int (*local)(struct mote_udp *u, struct mote_endpoint *out);
    void (*close)(struct mote_udp *u);
    /* Optional (NULL: the stack keeps no ICMP errors). */
    int (*take_error)(struct mote_udp *u, struct mote_endpoint *about);
};
struct mote_udp {
    const struct mote_udp_ops *ops;
};

/* The stack this program was configured with (unix: the socket stack unless
 * the command line chose the direct stack). Never NULL. */
struct mote_stack *mote_stack_default(void);

/* Listen for TCP connections on local. backlog <= 0 means a default (128).
 * A listener on an address of family MOTE_IP_NONE accepts IPv4 and IPv6.
 * Errors: MOTE_EADDRINUSE, MOTE_EADDRNOTAVAIL, MOTE_EACCES (privileged
 * port), MOTE_EAFNOSUPPORT, MOTE_ENOMEM, MOTE_ENFILE, MOTE_EINVAL. */
int mote_tcp_listen(struct mote_stack *s, const struct mote_endpoint *local,
                    int backlog, struct mote_listener **out);

/* Blocks until a connection arrives; *out is the new flow and *peer (if
 * peer is not NULL) the remote endpoint, IPv4 peers of a dual-stack listener
 * given as IPv4. Errors: MOTE_ETIMEDOUT, MOTE_ECANCELED, MOTE_ENFILE (out of
 * descriptors: the connection stays queued), MOTE_ENOMEM, MOTE_ECLOSED. */
int mote_tcp_accept(struct mote_listener *l, uint64_t deadline,
                    struct mote_flow **out, struct mote_endpoint *peer);
/* The bound address (useful after listening on port 0). */
int mote_listener_local(struct mote_listener *l, struct mote_endpoint *out);
/* Stops listening; queued connections are reset. */
void mote_listener_close(struct mote_listener *l);

/* Blocks until connected. Errors: MOTE_ECONNREFUSED, MOTE_ETIMEDOUT,
 * MOTE_ENETUNREACH, MOTE_EHOSTUNREACH, MOTE_ECANCELED, MOTE_ENOMEM,
 * MOTE_EINVAL (unspecified address or port 0). */
int mote_tcp_connect(struct mote_stack *s, const struct mote_endpoint *remote,
                     uint64_t deadline, struct mote_flow **out);

/* A UDP endpoint bound to local (port 0 = any). Errors as listen. */
int mote_udp_open(struct mote_stack *s, const struct mote_endpoint *local,
                  struct mote_udp **out);
/* Send one datagram. Errors: MOTE_EMSGSIZE, MOTE_EAGAIN (dropped: no buffer
 * space), MOTE_ENETUNREACH, MOTE_EAFNOSUPPORT, MOTE_EINVAL. */
int mote_udp_sendto(struct mote_udp *u, const void *buf, size_t size,
                    const struct mote_endpoint *to);
/* Blocks for one datagram; a datagram longer than size is truncated to size
 * and the rest dropped (*n is what was stored). Errors: MOTE_ETIMEDOUT,
 * MOTE_ECANCELED, MOTE_ECLOSED. */
int mote_udp_recvfrom(struct mote_udp *u, void *buf, size_t size, size_t *n,
                      struct mote_endpoint *from, uint64_t deadline);
int mote_udp_local(struct mote_udp *u, struct mote_endpoint *out);
void mote_udp_close(struct mote_udp *u);
/* The last ICMP error that came back about a datagram u sent, and clear
 * it (SO_ERROR's role): 0 if none came. The socket stack asks the kernel
 * for them (IP_RECVERR) and keeps the last one the same way. *about (if not
 * NULL) gets the destination the failed datagram was sent to. Errors reported:
 * MOTE_ECONNREFUSED (port or protocol unreachable), MOTE_EHOSTUNREACH,
 * MOTE_ENETUNREACH, MOTE_EMSGSIZE (fragmentation needed / packet too big). They
 * are not returned by recvfrom or sendto: u is not connected to one peer, and
 * one peer's closed port must not fail a server's receive loop (as with an
 * unconnected BSD socket). Never blocks. */
int mote_udp_take_error(struct mote_udp *u, struct mote_endpoint *about);

#endif

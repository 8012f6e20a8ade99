#ifndef PLUMB_PROBE_H
#define PLUMB_PROBE_H

#include <stdint.h>

/// The socket of a live-trace probe, made in the calling thread's network namespace. family: AF_INET or
/// AF_INET6; proto: 6 tcp, 17 udp, 1 icmp, 58 icmpv6; src: 4 or 16 bytes, or NULL for the kernel's choice.
/// TCP and UDP sockets are bound to an ephemeral port, written to *port. Returns the descriptor or -errno.
int plumb_probe_open(int family, int proto, const uint8_t *src, uint16_t *port);

/// Sends the one probe: a TCP SYN (a non-blocking connect), a UDP datagram, or an ICMP echo request with
/// `icmp_id`. Returns 0 or -errno.
int plumb_probe_send(int fd, int family, int proto, const uint8_t *dst, uint16_t dport, uint16_t icmp_id);

#endif

#ifndef PLUMB_NFTRACE_H
#define PLUMB_NFTRACE_H

#include <stddef.h>
#include <stdint.h>

/// One NFT_MSG_TRACE event, copied out of libnftnl's parse (whose types stay in nftrace.c).
typedef struct plumb_nftrace_event {
    uint32_t id;
    /// NFT_TRACETYPE_*: 1 policy, 2 return, 3 rule.
    uint32_t type;
    /// nfgen family of the table (NFPROTO_*: 1 inet, 2 ip, 3 arp, 5 netdev, 7 bridge, 10 ip6).
    uint32_t family;
    int32_t verdict;
    int has_verdict;
    uint64_t handle;
    int has_handle;
    uint32_t iif, oif, mark;
    int has_iif, has_oif, has_mark;
    char table[64];
    char chain[64];
    char jump_target[64];
    uint8_t network_header[64];
    uint32_t network_header_len;
    uint8_t transport_header[32];
    uint32_t transport_header_len;
} plumb_nftrace_event;

/// A netlink socket (NETLINK_NETFILTER, non-blocking, close-on-exec) subscribed to NFNLGRP_NFTRACE in the
/// calling thread's network namespace: the descriptor, or -errno.
int plumb_nftrace_open(int receive_buffer);

/// Parses the netlink messages in `buf` (one recv) into `out`; returns how many events were written.
int plumb_nftrace_parse(const void *buf, size_t len, plumb_nftrace_event *out, int max);

#endif

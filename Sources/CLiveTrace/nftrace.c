#include "nftrace.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/trace.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int plumb_nftrace_open(int receive_buffer) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_NETFILTER);
    if (fd < 0) return -errno;
    struct sockaddr_nl sa;
    memset(&sa, 0, sizeof sa);
    sa.nl_family = AF_NETLINK;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { int e = errno; close(fd); return -e; }
    int group = NFNLGRP_NFTRACE;
    if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) < 0) {
        int e = errno; close(fd); return -e;
    }
    if (receive_buffer > 0) {
        // Root may exceed rmem_max; fall back to the capped size.
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer, sizeof receive_buffer) < 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
    return fd;
}

static void copy_string(char *dst, size_t size, const char *src) {
    if (!src) { dst[0] = 0; return; }
    strncpy(dst, src, size - 1);
    dst[size - 1] = 0;
}

static uint32_t copy_data(uint8_t *dst, size_t size, const struct nftnl_trace *t, uint16_t attr) {
    if (!nftnl_trace_is_set(t, attr)) return 0;
    uint32_t len = 0;
    const void *data = nftnl_trace_get_data(t, attr, &len);
    if (!data) return 0;
    if (len > size) len = (uint32_t)size;
    memcpy(dst, data, len);
    return len;
}

int plumb_nftrace_parse(const void *buf, size_t len, plumb_nftrace_event *out, int max) {
    const struct nlmsghdr *nlh = buf;
    int remaining = (int)len, n = 0;
    while (n < max && mnl_nlmsg_ok(nlh, remaining)) {
        if (NFNL_SUBSYS_ID(nlh->nlmsg_type) == NFNL_SUBSYS_NFTABLES && NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_TRACE) {
            struct nftnl_trace *t = nftnl_trace_alloc();
            if (t && nftnl_trace_nlmsg_parse(nlh, t) >= 0) {
                plumb_nftrace_event *e = &out[n++];
                memset(e, 0, sizeof *e);
                e->id = nftnl_trace_get_u32(t, NFTNL_TRACE_ID);
                e->type = nftnl_trace_get_u32(t, NFTNL_TRACE_TYPE);
                e->family = nftnl_trace_get_u32(t, NFTNL_TRACE_FAMILY);
                if ((e->has_verdict = nftnl_trace_is_set(t, NFTNL_TRACE_VERDICT)))
                    e->verdict = (int32_t)nftnl_trace_get_u32(t, NFTNL_TRACE_VERDICT);
                // A policy event carries the chain's policy (NF_ACCEPT, NF_DROP) instead of a verdict.
                if (nftnl_trace_is_set(t, NFTNL_TRACE_POLICY)) {
                    e->verdict = (int32_t)nftnl_trace_get_u32(t, NFTNL_TRACE_POLICY);
                    e->has_verdict = 1;
                }
                if ((e->has_handle = nftnl_trace_is_set(t, NFTNL_TRACE_RULE_HANDLE)))
                    e->handle = nftnl_trace_get_u64(t, NFTNL_TRACE_RULE_HANDLE);
                if ((e->has_iif = nftnl_trace_is_set(t, NFTNL_TRACE_IIF))) e->iif = nftnl_trace_get_u32(t, NFTNL_TRACE_IIF);
                if ((e->has_oif = nftnl_trace_is_set(t, NFTNL_TRACE_OIF))) e->oif = nftnl_trace_get_u32(t, NFTNL_TRACE_OIF);
                if ((e->has_mark = nftnl_trace_is_set(t, NFTNL_TRACE_MARK))) e->mark = nftnl_trace_get_u32(t, NFTNL_TRACE_MARK);
                if (nftnl_trace_is_set(t, NFTNL_TRACE_TABLE))
                    copy_string(e->table, sizeof e->table, nftnl_trace_get_str(t, NFTNL_TRACE_TABLE));
                if (nftnl_trace_is_set(t, NFTNL_TRACE_CHAIN))
                    copy_string(e->chain, sizeof e->chain, nftnl_trace_get_str(t, NFTNL_TRACE_CHAIN));
                if (nftnl_trace_is_set(t, NFTNL_TRACE_JUMP_TARGET))
                    copy_string(e->jump_target, sizeof e->jump_target, nftnl_trace_get_str(t, NFTNL_TRACE_JUMP_TARGET));
                e->network_header_len = copy_data(e->network_header, sizeof e->network_header, t, NFTNL_TRACE_NETWORK_HEADER);
                e->transport_header_len = copy_data(e->transport_header, sizeof e->transport_header, t, NFTNL_TRACE_TRANSPORT_HEADER);
            }
            if (t) nftnl_trace_free(t);
        }
        nlh = mnl_nlmsg_next(nlh, &remaining);
    }
    return n;
}

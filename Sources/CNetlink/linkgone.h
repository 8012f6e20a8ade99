// A veth whose peer's namespace is deleted goes with that namespace: the kernel's namespace cleanup (a
// workqueue, after the last reference is dropped) unregisters both ends in one batch. Waiting for that is
// cheaper than deleting the host end first, whose RTM_DELLINK blocks the caller for an rcu_barrier (about
// 20-35 ms here). These helpers let the executor check that a link is such a veth and see its removal.
#ifndef PLUMB_LINKGONE_H
#define PLUMB_LINKGONE_H

#include <errno.h>

struct plumb_link_get_ctx { struct plumb_link_ctx links; int done; };

static inline int plumb_link_get_cb(struct nl_msg *msg, void *arg) {
    return plumb_link_cb(msg, &((struct plumb_link_get_ctx *)arg)->links);
}

static inline int plumb_link_get_ack_cb(struct nl_msg *msg, void *arg) {
    (void)msg;
    ((struct plumb_link_get_ctx *)arg)->done = 1;
    return NL_STOP;
}

/// One link by name (RTM_GETLINK, no dump), parsed as a dump answer is: its index and, for a veth, its kind and
/// the peer's nsid (IFLA_LINK_NETNSID). Returns 0, or a negative libnl error (-NLE_OBJ_NOTFOUND: no such link).
static inline int plumb_link_get(struct nl_sock *sk, const char *name, struct plumb_link *out) {
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
    struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_REQUEST);
    if (!msg) return -NLE_NOMEM;
    if (nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0 || nla_put_string(msg, IFLA_IFNAME, name) < 0
        || nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0) {
        nlmsg_free(msg);
        return -NLE_NOMEM;
    }
    int err = nl_send_auto(sk, msg);
    nlmsg_free(msg);
    if (err < 0) return err;
    // nl_send_auto asks for an ACK after the answer: read up to it, so no stale ACK is left for the next request.
    struct plumb_link_get_ctx ctx = { 0 };
    struct nl_cb *cb = nl_cb_clone(nl_socket_get_cb(sk));
    if (!cb) return -NLE_NOMEM;
    nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, plumb_link_get_cb, &ctx);
    nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, plumb_link_get_ack_cb, &ctx);
    err = 0;
    while (!ctx.done && err >= 0) err = nl_recvmsgs(sk, cb);
    nl_cb_put(cb);
    if (err >= 0 && ctx.links.n == 0) err = -NLE_OBJ_NOTFOUND;
    if (err >= 0) *out = ctx.links.links[0];
    free(ctx.links.links);
    return err < 0 ? err : 0;
}

/// A raw, non-blocking NETLINK_ROUTE socket in the calling thread's namespace, subscribed to link events
/// (RTNLGRP_LINK). Returns its fd, or -1 with errno set.
static inline int plumb_link_events_socket(void) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
    if (fd < 0) return -1;
    struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { int e = errno; close(fd); errno = e; return -1; }
    return fd;
}

/// Reads the pending events of a plumb_link_events_socket and sets gone[i] for every indexes[i] an
/// RTM_DELLINK (AF_UNSPEC: the link itself, not a bridge port leaving) named. Returns 0 when nothing more is
/// pending, or -errno (-ENOBUFS: events were lost, so the caller must look for the links itself).
static inline int plumb_link_events_read(int fd, const int *indexes, int *gone, int n) {
    char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
    for (;;) {
        ssize_t len = recv(fd, buf, sizeof buf, 0);
        if (len < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_type != RTM_DELLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg))) continue;
            struct ifinfomsg *ifi = (struct ifinfomsg *)NLMSG_DATA(h);
            if (ifi->ifi_family != AF_UNSPEC) continue;
            for (int i = 0; i < n; i++) if (indexes[i] == ifi->ifi_index) gone[i] = 1;
        }
    }
}

/// Is the namespace with id `nsid` in the socket's namespace still alive? RTM_GETNSID by NETNSA_NSID takes a
/// reference to it only while its count is above zero, so it answers ENOENT from the moment the last reference
/// is dropped (its cleanup is queued and nothing can enter it again), long before that cleanup has run and
/// unregistered its veths (the cleanups of deleted namespaces run one after another, each waiting for RCU grace
/// periods). Returns 1 alive, 0 gone, or -errno.
static inline int plumb_nl_nsid_alive(struct nl_sock *sk, int nsid) {
    const size_t len = NLMSG_ALIGN(NLMSG_LENGTH(sizeof(struct rtgenmsg))) + NLA_ALIGN(NLA_HDRLEN + sizeof(int32_t));
    char buf[64] __attribute__((aligned(NLMSG_ALIGNTO)));
    memset(buf, 0, sizeof buf);
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    h->nlmsg_len = (uint32_t)len;
    h->nlmsg_type = RTM_GETNSID;
    h->nlmsg_flags = NLM_F_REQUEST;
    // Our own sequence number (libnl's counter stays untouched, so its own requests keep matching).
    h->nlmsg_seq = 0x60000000u + (unsigned)(rand() & 0xffffff);
    ((struct rtgenmsg *)NLMSG_DATA(h))->rtgen_family = AF_UNSPEC;
    struct nlattr *a = (struct nlattr *)(buf + NLMSG_ALIGN(NLMSG_LENGTH(sizeof(struct rtgenmsg))));
    a->nla_len = NLA_HDRLEN + sizeof(int32_t);
    a->nla_type = NETNSA_NSID;
    *(int32_t *)((char *)a + NLA_HDRLEN) = nsid;
    int fd = nl_socket_get_fd(sk);
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    if (sendto(fd, buf, len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) return -errno;
    char rbuf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
    for (;;) {
        ssize_t n = recv(fd, rbuf, sizeof rbuf, 0);
        if (n < 0) return errno == EINTR ? -EINTR : -errno;
        if (n == 0) return -EIO;
        for (struct nlmsghdr *r = (struct nlmsghdr *)rbuf; NLMSG_OK(r, (unsigned)n); r = NLMSG_NEXT(r, n)) {
            if (r->nlmsg_seq != h->nlmsg_seq) continue;
            if (r->nlmsg_type == RTM_NEWNSID) return 1;
            if (r->nlmsg_type == NLMSG_ERROR && r->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
                int e = ((struct nlmsgerr *)NLMSG_DATA(r))->error;
                return e == -ENOENT ? 0 : (e < 0 ? e : -EIO);
            }
            return -EIO;
        }
    }
}

#endif

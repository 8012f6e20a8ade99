// ---- RTM_GETSTATS for chosen links: counters of the links on screen, not of the whole namespace ----
// A stats dump walks every link of the namespace (on a host with 500 veths, veth_get_stats64 and the per-CPU
// sums for each, every second) when the screen shows the counters of a few dozen. One request per link, all
// in one datagram, is answered message by message and matched back by sequence number (as plumb_nl_get_nsids).
#ifndef PLUMB_LINKSTATS_H
#define PLUMB_LINKSTATS_H

#include <errno.h>

/// The requests of one datagram at most: their answers (~240 bytes each) fit the receive buffer many times.
#define PLUMB_STATS_GET_BATCH 256

/// Reads what is waiting on the socket without blocking: after a failed exchange, late answers must not meet
/// libnl's next request (its sequence check would refuse them).
static inline void plumb_stats_drain(int fd) {
    char buf[8192];
    while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0) {}
}

static inline int plumb_stats_get_batch(int fd, const int *indexes, int n, struct plumb_stats *out) {
    const size_t per = NLMSG_ALIGN(NLMSG_LENGTH(sizeof(struct if_stats_msg)));
    char req[PLUMB_STATS_GET_BATCH * NLMSG_ALIGN(NLMSG_LENGTH(sizeof(struct if_stats_msg)))];
    memset(req, 0, per * (size_t)n);
    // Our own sequence numbers (libnl's counter stays untouched, so its own requests keep matching).
    unsigned base = 0x60000000u + (unsigned)(rand() & 0xffff) * 0x1000u;
    for (int i = 0; i < n; i++) {
        struct nlmsghdr *h = (struct nlmsghdr *)(req + per * (size_t)i);
        h->nlmsg_len = (uint32_t)NLMSG_LENGTH(sizeof(struct if_stats_msg));
        h->nlmsg_type = RTM_GETSTATS;
        h->nlmsg_flags = NLM_F_REQUEST;
        h->nlmsg_seq = base + (unsigned)i + 1;
        struct if_stats_msg *ism = (struct if_stats_msg *)NLMSG_DATA(h);
        ism->family = AF_UNSPEC;
        ism->ifindex = (uint32_t)indexes[i];
        ism->filter_mask = IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64);
        out[i].index = 0;
    }
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    ssize_t sent;
    do { sent = sendto(fd, req, per * (size_t)n, 0, (struct sockaddr *)&kernel, sizeof kernel); } while (sent < 0 && errno == EINTR);
    if (sent < 0) return -nl_syserr2nlerr(errno);
    int answered = 0, found = 0;
    char rbuf[65536];
    while (answered < n) {
        ssize_t len = recv(fd, rbuf, sizeof rbuf, 0);
        if (len < 0 && errno == EINTR) continue;
        if (len <= 0) { int e = len < 0 ? errno : EPROTO; plumb_stats_drain(fd); return -nl_syserr2nlerr(e); }
        for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (unsigned)len); h = NLMSG_NEXT(h, len)) {
            long i = (long)h->nlmsg_seq - (long)base - 1;
            if (i < 0 || i >= n) continue;   // not ours (a late answer of an earlier exchange)
            answered++;
            // An error answer (ENODEV: the link is gone) leaves out[i].index 0: not read, not a failure.
            struct plumb_stats s;
            if (plumb_stats_read(h, &s) < 0) continue;
            s.index = indexes[i];
            out[i] = s;
            found++;
        }
    }
    return found;
}

/// 64-bit counters of the links `indexes[0..<n]` (one non-dump RTM_GETSTATS each) into out[0..<n]: out[i].index
/// is indexes[i] when link i was read, 0 when the kernel has no such link. Returns how many were read, or a
/// negative libnl error.
static inline int plumb_stats_get(struct nl_sock *sk, const int *indexes, int n, struct plumb_stats *out) {
    int fd = nl_socket_get_fd(sk), found = 0;
    for (int at = 0; at < n; at += PLUMB_STATS_GET_BATCH) {
        int k = n - at < PLUMB_STATS_GET_BATCH ? n - at : PLUMB_STATS_GET_BATCH;
        int r = plumb_stats_get_batch(fd, indexes + at, k, out + at);
        if (r < 0) return r;
        found += r;
    }
    return found;
}

#endif

// Multicast events of one namespace, parsed in place: a link that changes state or counters is updated in the
// live model from the event itself instead of re-dumping the namespace. Only what cannot be applied (a new
// link, addresses, routes, a lost event) makes the namespace be read again.
#ifndef PLUMB_EVENTS_H
#define PLUMB_EVENTS_H

#define PLUMB_EVENT_MAX_SMALL 256

/// RTM_NEWADDR / RTM_DELADDR: the address (IFA_LOCAL, else IFA_ADDRESS, as libnl's "local") and its prefix.
struct plumb_addr_event { int removed, family, ifindex, prefixlen; unsigned char addr[16]; };

struct plumb_events {
    struct plumb_link_ctx links;          // RTM_NEWLINK (AF_UNSPEC): the full link, as a dump gives it
    int deleted[PLUMB_EVENT_MAX_SMALL];   // RTM_DELLINK ifindexes
    int ndeleted;
    int port_index[PLUMB_EVENT_MAX_SMALL]; // AF_BRIDGE RTM_NEWLINK: bridge-port STP state
    unsigned char port_state[PLUMB_EVENT_MAX_SMALL];
    int nports;
    struct plumb_addr_event addrs[PLUMB_EVENT_MAX_SMALL];
    int naddrs;
    struct plumb_route_ctx routes_ev;     // RTM_NEWROUTE / RTM_DELROUTE in arrival order (free routes_ev.routes)
    int addresses, routes, other;         // counts of address and route events, and of anything else
    int overflow;                         // the socket lost events (ENOBUFS) or a list filled up
};

static inline int plumb_events_cb(struct nl_msg *msg, void *arg) {
    struct plumb_events *ev = (struct plumb_events *)arg;
    struct nlmsghdr *h = nlmsg_hdr(msg);
    switch (h->nlmsg_type) {
    case RTM_NEWLINK: {
        struct ifinfomsg *ifi = (struct ifinfomsg *)nlmsg_data(h);
        if (ifi->ifi_family == AF_BRIDGE) {
            struct plumb_brport_ctx ctx = { .ifindex = ev->port_index + ev->nports,
                                            .state = ev->port_state + ev->nports,
                                            .n = 0, .cap = PLUMB_EVENT_MAX_SMALL - ev->nports };
            if (ctx.cap <= 0) { ev->overflow = 1; return NL_OK; }
            plumb_brport_cb(msg, &ctx);
            ev->nports += ctx.n;
            return NL_OK;
        }
        plumb_link_cb(msg, &ev->links);
        if (ev->links.oom) ev->overflow = 1;
        return NL_OK;
    }
    case RTM_DELLINK: {
        struct ifinfomsg *ifi = (struct ifinfomsg *)nlmsg_data(h);
        if (ifi->ifi_family == AF_BRIDGE) return NL_OK;  // a port leaving its bridge: the AF_UNSPEC event says it
        if (ev->ndeleted >= PLUMB_EVENT_MAX_SMALL) { ev->overflow = 1; return NL_OK; }
        ev->deleted[ev->ndeleted++] = ifi->ifi_index;
        return NL_OK;
    }
    case RTM_NEWADDR: case RTM_DELADDR: {
        ev->addresses++;
        struct ifaddrmsg *ifa = (struct ifaddrmsg *)nlmsg_data(h);
        struct nlattr *tb[IFA_MAX + 1];
        if (ev->naddrs >= PLUMB_EVENT_MAX_SMALL || nlmsg_parse(h, sizeof *ifa, tb, IFA_MAX, NULL) < 0) {
            ev->overflow = 1; return NL_OK;
        }
        int alen = ifa->ifa_family == AF_INET6 ? 16 : ifa->ifa_family == AF_INET ? 4 : 0;
        struct nlattr *a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
        if (!alen || !a || nla_len(a) < alen) return NL_OK;  // not an IP address: nothing the model shows
        struct plumb_addr_event *e = &ev->addrs[ev->naddrs++];
        memset(e, 0, sizeof *e);
        e->removed = h->nlmsg_type == RTM_DELADDR;
        e->family = ifa->ifa_family; e->ifindex = (int)ifa->ifa_index; e->prefixlen = ifa->ifa_prefixlen;
        memcpy(e->addr, nla_data(a), alen);
        return NL_OK;
    }
    case RTM_NEWROUTE: case RTM_DELROUTE:
        ev->routes++;
        plumb_route_parse(h, &ev->routes_ev);
        if (ev->routes_ev.oom) ev->overflow = 1;
        return NL_OK;
    default: ev->other++; return NL_OK;
    }
}

/// Reads every pending event of a non-blocking subscribed socket into *ev (zeroed by the caller; free
/// ev->links.links afterwards). Returns 0, or a negative libnl error; a lost-events error sets ev->overflow.
static inline int plumb_events_drain(struct nl_sock *sk, struct plumb_events *ev) {
    nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, plumb_events_cb, ev);
    for (int i = 0; i < 10000; i++) {
        int err = nl_recvmsgs_default(sk);
        if (err == -NLE_AGAIN) return 0;
        if (err == -NLE_NOMEM || err == -NLE_OBJ_NOTFOUND || err == -NLE_DUMP_INTR) { ev->overflow = 1; continue; }
        if (err < 0) { ev->overflow = 1; return err; }
    }
    return 0;
}

/// A non-blocking NETLINK_NETFILTER socket subscribed to nf_tables ruleset changes (NFNLGRP_NFTABLES):
/// iptables-nft and nft commits, not counter updates. Returns its fd, or -1.
static inline int plumb_nftables_events_socket(void) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_NETFILTER);
    if (fd < 0) return -1;
    struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 0 };
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { close(fd); return -1; }
    int group = NFNLGRP_NFTABLES;
    if (setsockopt(fd, 270 /* SOL_NETLINK */, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) < 0) { close(fd); return -1; }
    return fd;
}

// ---- RTM_GETSTATS: counters only ----
// A link dump makes the kernel look up the peer's netnsid for every veth (peernet2id, O(namespaces) each):
// on a host with 500 veths that is most of the dump. Counters alone come from RTM_GETSTATS, which does not.
struct plumb_stats { int index; uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes, rx_errors, tx_errors, rx_dropped, tx_dropped; };
struct plumb_stats_ctx { struct plumb_stats *items; int n, cap; int oom; };

/// One RTM_NEWSTATS answer into *s (its ifindex and 64-bit counters). 0, or -1 when it is not one or carries no
/// 64-bit counters. Shared by the dump and the per-link requests (linkstats.h).
static inline int plumb_stats_read(struct nlmsghdr *h, struct plumb_stats *s) {
    if (h->nlmsg_type != RTM_NEWSTATS) return -1;
    struct nlattr *tb[IFLA_STATS_MAX + 1];
    if (nlmsg_parse(h, sizeof(struct if_stats_msg), tb, IFLA_STATS_MAX, NULL) < 0) return -1;
    if (!tb[IFLA_STATS_LINK_64] || nla_len(tb[IFLA_STATS_LINK_64]) < (int)sizeof(struct rtnl_link_stats64)) return -1;
    struct rtnl_link_stats64 st;
    memcpy(&st, nla_data(tb[IFLA_STATS_LINK_64]), sizeof st);
    s->index = (int)((struct if_stats_msg *)nlmsg_data(h))->ifindex;
    s->rx_packets = st.rx_packets; s->tx_packets = st.tx_packets;
    s->rx_bytes = st.rx_bytes; s->tx_bytes = st.tx_bytes;
    s->rx_errors = st.rx_errors; s->tx_errors = st.tx_errors;
    s->rx_dropped = st.rx_dropped; s->tx_dropped = st.tx_dropped;
    return 0;
}

static inline int plumb_stats_cb(struct nl_msg *msg, void *arg) {
    struct plumb_stats_ctx *ctx = (struct plumb_stats_ctx *)arg;
    struct plumb_stats one;
    if (plumb_stats_read(nlmsg_hdr(msg), &one) < 0) return NL_SKIP;
    struct plumb_stats *s = (struct plumb_stats *)plumb_grow((void **)&ctx->items, &ctx->n, &ctx->cap, sizeof *s);
    if (!s) { ctx->oom = 1; return NL_STOP; }
    *s = one;
    return NL_OK;
}

/// 64-bit counters of every link; *out is malloc'd. Returns the count or a negative libnl error.
static inline int plumb_stats_dump(struct nl_sock *sk, struct plumb_stats **out) {
    struct if_stats_msg req = { .family = AF_UNSPEC, .filter_mask = IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64) };
    *out = NULL;
    struct plumb_stats_ctx ctx = { 0 };
    int err = plumb_dump(sk, RTM_GETSTATS, &req, sizeof req, plumb_stats_cb, &ctx);
    if (ctx.oom) err = -NLE_NOMEM;
    if (err < 0) { free(ctx.items); return err; }
    *out = ctx.items;
    return ctx.n;
}

#endif

// libnl-3 / libnl-route-3, plus a few helpers for requests libnl has no high-level API for.
// Only PlumbKernel imports this module; no libnl type leaves it.
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/cache.h>
#include <netlink/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/vxlan.h>
#include <netlink/route/link/macvlan.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/netconf.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <sys/socket.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include "changes.h"
#include "extack.h"
#include "conntrack.h"

// A route socket tuned as DESIGN.md says: no message peeking (one syscall per read), a large receive buffer.
static inline struct nl_sock *plumb_nl_open(int protocol) {
    struct nl_sock *sk = nl_socket_alloc();
    if (!sk) return NULL;
    if (nl_connect(sk, protocol) < 0) { nl_socket_free(sk); return NULL; }
    nl_socket_disable_msg_peek(sk);
    nl_socket_set_msg_buf_size(sk, 64 * 1024);
    nl_socket_set_buffer_size(sk, 4 * 1024 * 1024, 1024 * 1024);
    return sk;
}

// ---- RTM_GETNSID: which nsid does the namespace behind `fd` have in the socket's namespace? ----
struct plumb_nsid_ctx { int nsid; int done; };

static inline int plumb_nsid_cb(struct nl_msg *msg, void *arg) {
    struct plumb_nsid_ctx *ctx = (struct plumb_nsid_ctx *)arg;
    struct nlattr *tb[NETNSA_MAX + 1];
    if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct rtgenmsg), tb, NETNSA_MAX, NULL) < 0) return NL_SKIP;
    if (tb[NETNSA_NSID]) ctx->nsid = (int)nla_get_s32(tb[NETNSA_NSID]);
    return NL_OK;
}

static inline int plumb_nsid_ack_cb(struct nl_msg *msg, void *arg) {
    (void)msg;
    ((struct plumb_nsid_ctx *)arg)->done = 1;
    return NL_STOP;
}

/// Returns the nsid (>= 0), -1 if the namespace has none here, or a negative libnl error below -1.
static inline int plumb_nl_get_nsid(struct nl_sock *sk, int fd) {
    struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
    struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETNSID, NLM_F_REQUEST);
    if (!msg) return -NLE_NOMEM - 1000;
    if (nlmsg_append(msg, &g, sizeof(g), NLMSG_ALIGNTO) < 0 || nla_put_u32(msg, NETNSA_FD, (uint32_t)fd) < 0) {
        nlmsg_free(msg); return -NLE_NOMEM - 1000;
    }
    int err = nl_send_auto(sk, msg);
    nlmsg_free(msg);
    if (err < 0) return err - 1000;
    // nl_send_auto asks for an ACK after the reply: read until that ACK, or a stale ACK would be taken as the
    // answer to the *next* query (every later nsid would be off by one).
    struct plumb_nsid_ctx ctx = { .nsid = -1, .done = 0 };
    struct nl_cb *cb = nl_cb_clone(nl_socket_get_cb(sk));
    nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, plumb_nsid_cb, &ctx);
    nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, plumb_nsid_ack_cb, &ctx);
    err = 0;
    while (!ctx.done && err >= 0) err = nl_recvmsgs(sk, cb);
    nl_cb_put(cb);
    if (err < 0) return err - 1000;
    return ctx.nsid < 0 ? -1 : ctx.nsid;
}

// Sends one dump request and runs `cb` on every answer (libnl handles multipart and NLM_F_DUMP_INTR).
static inline int plumb_dump(struct nl_sock *sk, int type, void *hdr, size_t hdrlen, nl_recvmsg_msg_cb_t cb, void *ctx) {
    int err = nl_send_simple(sk, type, NLM_F_DUMP, hdr, hdrlen);
    if (err < 0) return err;
    struct nl_cb *c = nl_cb_clone(nl_socket_get_cb(sk));
    if (!c) return -NLE_NOMEM;
    nl_cb_set(c, NL_CB_VALID, NL_CB_CUSTOM, cb, ctx);
    err = nl_recvmsgs(sk, c);
    nl_cb_put(c);
    return err;
}

/// Grows a malloc'd array of `size`-byte records by one, returning the new (zeroed) slot or NULL.
static inline void *plumb_grow(void **items, int *n, int *cap, size_t size) {
    if (*n == *cap) {
        int ncap = *cap ? *cap * 2 : 64;
        void *grown = realloc(*items, size * (size_t)ncap);
        if (!grown) return NULL;
        *items = grown; *cap = ncap;
    }
    void *slot = (char *)*items + size * (size_t)(*n)++;
    memset(slot, 0, size);
    return slot;
}

// ---- RTM_GETLINK dump parsed straight into flat structs ----
// libnl's link cache builds a full object per link, including per-family (inet/inet6) configuration arrays that
// Plumb never reads; on a host with 500 veths that was most of the snapshot's user time. This keeps libnl's
// socket and message handling but extracts only the attributes the model has.
#include <linux/if_link.h>

struct plumb_link {
    int index, master, link, link_netnsid, has_link_netnsid;
    unsigned flags, mtu;
    unsigned char operstate;
    char name[IFNAMSIZ];
    char kind[32];
    unsigned char mac[32];
    int mac_len;
    uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes, rx_errors, tx_errors, rx_dropped, tx_dropped;
    int is_vxlan;
    uint32_t vni;
    unsigned char vx_group[16], vx_local[16];
    int vx_group_family, vx_local_family, vx_port, vx_link;
    uint32_t macvlan_mode;
    // Bridge port state from IFLA_INFO_SLAVE_DATA (bit 7: hairpin), valid when has_brport: the plain link dump
    // already carries it, so no second AF_BRIDGE dump (the cost of a whole `bridge link`) is needed.
    int has_brport;
    unsigned char brport_state;
};

struct plumb_link_ctx { struct plumb_link *links; int n, cap; int oom; };

static inline void plumb_copy_addr(unsigned char *dst, int *family, struct nlattr *a, int fam, int len) {
    if (a && nla_len(a) >= len) { memcpy(dst, nla_data(a), len); *family = fam; }
}

static inline int plumb_link_parse(struct nlmsghdr *h, struct plumb_link_ctx *ctx);

static inline int plumb_link_cb(struct nl_msg *msg, void *arg) {
    struct nlmsghdr *h = nlmsg_hdr(msg);
    if (h->nlmsg_type != RTM_NEWLINK) return NL_SKIP;
    return plumb_link_parse(h, (struct plumb_link_ctx *)arg);
}

/// One RTM_NEWLINK (a dump answer, live or recorded) appended to ctx.
static inline int plumb_link_parse(struct nlmsghdr *h, struct plumb_link_ctx *ctx) {
    struct ifinfomsg *ifi = (struct ifinfomsg *)nlmsg_data(h);
    struct nlattr *tb[IFLA_MAX + 1];
    if (nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0) return NL_SKIP;
    struct plumb_link *l = (struct plumb_link *)plumb_grow((void **)&ctx->links, &ctx->n, &ctx->cap, sizeof *l);
    if (!l) { ctx->oom = 1; return NL_STOP; }
    l->index = ifi->ifi_index;
    l->flags = ifi->ifi_flags;
    if (tb[IFLA_IFNAME]) snprintf(l->name, sizeof l->name, "%s", nla_get_string(tb[IFLA_IFNAME]));
    if (tb[IFLA_ADDRESS]) {
        int len = nla_len(tb[IFLA_ADDRESS]);
        if (len > 32) len = 32;
        memcpy(l->mac, nla_data(tb[IFLA_ADDRESS]), len);
        l->mac_len = len;
    }
    if (tb[IFLA_MTU]) l->mtu = nla_get_u32(tb[IFLA_MTU]);
    if (tb[IFLA_OPERSTATE]) l->operstate = nla_get_u8(tb[IFLA_OPERSTATE]);
    if (tb[IFLA_MASTER]) l->master = (int)nla_get_u32(tb[IFLA_MASTER]);
    if (tb[IFLA_LINK]) l->link = (int)nla_get_u32(tb[IFLA_LINK]);
    if (tb[IFLA_LINK_NETNSID]) { l->link_netnsid = (int)nla_get_s32(tb[IFLA_LINK_NETNSID]); l->has_link_netnsid = 1; }
    if (tb[IFLA_STATS64] && nla_len(tb[IFLA_STATS64]) >= (int)sizeof(struct rtnl_link_stats64)) {
        struct rtnl_link_stats64 st;
        memcpy(&st, nla_data(tb[IFLA_STATS64]), sizeof st);
        l->rx_packets = st.rx_packets; l->tx_packets = st.tx_packets;
        l->rx_bytes = st.rx_bytes; l->tx_bytes = st.tx_bytes;
        l->rx_errors = st.rx_errors; l->tx_errors = st.tx_errors;
        l->rx_dropped = st.rx_dropped; l->tx_dropped = st.tx_dropped;
    }
    if (tb[IFLA_LINKINFO]) {
        struct nlattr *li[IFLA_INFO_MAX + 1];
        if (nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) >= 0) {
            if (li[IFLA_INFO_KIND]) snprintf(l->kind, sizeof l->kind, "%s", nla_get_string(li[IFLA_INFO_KIND]));
            if (li[IFLA_INFO_DATA] && strcmp(l->kind, "vxlan") == 0) {
                struct nlattr *vx[IFLA_VXLAN_MAX + 1];
                if (nla_parse_nested(vx, IFLA_VXLAN_MAX, li[IFLA_INFO_DATA], NULL) >= 0) {
                    l->is_vxlan = 1;
                    if (vx[IFLA_VXLAN_ID]) l->vni = nla_get_u32(vx[IFLA_VXLAN_ID]);
                    plumb_copy_addr(l->vx_group, &l->vx_group_family, vx[IFLA_VXLAN_GROUP], AF_INET, 4);
                    plumb_copy_addr(l->vx_group, &l->vx_group_family, vx[IFLA_VXLAN_GROUP6], AF_INET6, 16);
                    plumb_copy_addr(l->vx_local, &l->vx_local_family, vx[IFLA_VXLAN_LOCAL], AF_INET, 4);
                    plumb_copy_addr(l->vx_local, &l->vx_local_family, vx[IFLA_VXLAN_LOCAL6], AF_INET6, 16);
                    if (vx[IFLA_VXLAN_PORT]) l->vx_port = ntohs(nla_get_u16(vx[IFLA_VXLAN_PORT]));
                    if (vx[IFLA_VXLAN_LINK]) l->vx_link = (int)nla_get_u32(vx[IFLA_VXLAN_LINK]);
                }
            }
            if (li[IFLA_INFO_DATA] && (strcmp(l->kind, "macvlan") == 0 || strcmp(l->kind, "macvtap") == 0)) {
                struct nlattr *mv[IFLA_MACVLAN_MAX + 1];
                if (nla_parse_nested(mv, IFLA_MACVLAN_MAX, li[IFLA_INFO_DATA], NULL) >= 0 && mv[IFLA_MACVLAN_MODE])
                    l->macvlan_mode = nla_get_u32(mv[IFLA_MACVLAN_MODE]);
            }
            if (li[IFLA_INFO_SLAVE_KIND] && li[IFLA_INFO_SLAVE_DATA]
                && strcmp(nla_get_string(li[IFLA_INFO_SLAVE_KIND]), "bridge") == 0) {
                struct nlattr *bp[IFLA_BRPORT_MAX + 1];
                if (nla_parse_nested(bp, IFLA_BRPORT_MAX, li[IFLA_INFO_SLAVE_DATA], NULL) >= 0 && bp[IFLA_BRPORT_STATE]) {
                    l->has_brport = 1;
                    l->brport_state = nla_get_u8(bp[IFLA_BRPORT_STATE]) & 0x7f;
                    if (bp[IFLA_BRPORT_MODE] && nla_get_u8(bp[IFLA_BRPORT_MODE])) l->brport_state |= 0x80;
                }
            }
        }
    }
    return NL_OK;
}

/// Dumps every link; *out is malloc'd (free with free()). Returns the count or a negative libnl error
/// (-NLE_DUMP_INTR when the table changed during the dump: retry).
static inline int plumb_link_dump(struct nl_sock *sk, struct plumb_link **out) {
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
    *out = NULL;
    struct plumb_link_ctx ctx = { 0 };
    int err = plumb_dump(sk, RTM_GETLINK, &ifi, sizeof ifi, plumb_link_cb, &ctx);
    if (ctx.oom) err = -NLE_NOMEM;
    if (err < 0) { free(ctx.links); return err; }
    *out = ctx.links;
    return ctx.n;
}

// ---- RTM_GETROUTE dump into flat structs (all tables, both families) ----
struct plumb_route {
    int family, dst_len, has_dst, has_gateway, has_prefsrc, oif;
    unsigned table, priority, has_priority;
    unsigned char protocol, scope, type;
    unsigned char dst[16], gateway[16], prefsrc[16];
    int removed;   // events only: an RTM_DELROUTE
    int multipath; // more than one next hop (the model keeps the first)
};

struct plumb_route_ctx { struct plumb_route *routes; int n, cap; int oom; };

static inline int plumb_route_parse(struct nlmsghdr *h, struct plumb_route_ctx *ctx);

static inline int plumb_route_cb(struct nl_msg *msg, void *arg) {
    struct nlmsghdr *h = nlmsg_hdr(msg);
    if (h->nlmsg_type != RTM_NEWROUTE) return NL_SKIP;
    return plumb_route_parse(h, (struct plumb_route_ctx *)arg);
}

/// One RTM_NEWROUTE or RTM_DELROUTE (a dump answer or an event) appended to ctx.
static inline int plumb_route_parse(struct nlmsghdr *h, struct plumb_route_ctx *ctx) {
    struct rtmsg *rtm = (struct rtmsg *)nlmsg_data(h);
    if (rtm->rtm_flags & RTM_F_CLONED) return NL_SKIP;  // route cache entries, as `ip route show table all` hides
    struct nlattr *tb[RTA_MAX + 1];
    if (nlmsg_parse(h, sizeof(struct rtmsg), tb, RTA_MAX, NULL) < 0) return NL_SKIP;
    struct plumb_route *r = (struct plumb_route *)plumb_grow((void **)&ctx->routes, &ctx->n, &ctx->cap, sizeof *r);
    if (!r) { ctx->oom = 1; return NL_STOP; }
    int alen = rtm->rtm_family == AF_INET6 ? 16 : 4;
    r->family = rtm->rtm_family;
    r->removed = h->nlmsg_type == RTM_DELROUTE;
    r->dst_len = rtm->rtm_dst_len;
    r->table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
    r->protocol = rtm->rtm_protocol; r->scope = rtm->rtm_scope; r->type = rtm->rtm_type;
    if (tb[RTA_DST] && nla_len(tb[RTA_DST]) >= alen) { memcpy(r->dst, nla_data(tb[RTA_DST]), alen); r->has_dst = 1; }
    if (tb[RTA_GATEWAY] && nla_len(tb[RTA_GATEWAY]) >= alen) {
        memcpy(r->gateway, nla_data(tb[RTA_GATEWAY]), alen); r->has_gateway = 1;
    }
    if (tb[RTA_PREFSRC] && nla_len(tb[RTA_PREFSRC]) >= alen) {
        memcpy(r->prefsrc, nla_data(tb[RTA_PREFSRC]), alen); r->has_prefsrc = 1;
    }
    if (tb[RTA_OIF]) r->oif = (int)nla_get_u32(tb[RTA_OIF]);
    if (tb[RTA_PRIORITY]) { r->priority = nla_get_u32(tb[RTA_PRIORITY]); r->has_priority = 1; }
    // Multipath: the first next hop stands for the route (the model keeps one gateway and device).
    if (tb[RTA_MULTIPATH] && !r->oif) {
        struct rtnexthop *nh = (struct rtnexthop *)nla_data(tb[RTA_MULTIPATH]);
        r->multipath = nla_len(tb[RTA_MULTIPATH]) > (int)RTNH_ALIGN(nh->rtnh_len);
        if (nla_len(tb[RTA_MULTIPATH]) >= (int)sizeof(*nh)) {
            r->oif = nh->rtnh_ifindex;
            struct nlattr *na[RTA_MAX + 1];
            int alen2 = nh->rtnh_len - (int)sizeof(*nh);
            if (alen2 > 0 && nla_parse(na, RTA_MAX, (struct nlattr *)RTNH_DATA(nh), alen2, NULL) >= 0 &&
                na[RTA_GATEWAY] && nla_len(na[RTA_GATEWAY]) >= alen) {
                memcpy(r->gateway, nla_data(na[RTA_GATEWAY]), alen); r->has_gateway = 1;
            }
        }
    }
    return NL_OK;
}

static inline int plumb_route_dump(struct nl_sock *sk, struct plumb_route **out) {
    struct rtmsg rtm = { .rtm_family = AF_UNSPEC };
    *out = NULL;
    struct plumb_route_ctx ctx = { 0 };
    int err = plumb_dump(sk, RTM_GETROUTE, &rtm, sizeof rtm, plumb_route_cb, &ctx);
    if (ctx.oom) err = -NLE_NOMEM;
    if (err < 0) { free(ctx.routes); return err; }
    *out = ctx.routes;
    return ctx.n;
}

// ---- AF_BRIDGE link dump: STP state of every bridge port, without building libnl link objects. ----
struct plumb_brport_ctx { int *ifindex; unsigned char *state; int cap; int n; };

static inline int plumb_brport_cb(struct nl_msg *msg, void *arg) {
    struct plumb_brport_ctx *ctx = (struct plumb_brport_ctx *)arg;
    struct nlmsghdr *h = nlmsg_hdr(msg);
    struct ifinfomsg *ifi = (struct ifinfomsg *)nlmsg_data(h);
    struct nlattr *tb[IFLA_MAX + 1];
    if (nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0) return NL_SKIP;
    if (!tb[IFLA_PROTINFO] || ctx->n >= ctx->cap) return NL_OK;
    struct nlattr *pt[IFLA_BRPORT_MAX + 1];
    // Nested form (NLA_F_NESTED) carries IFLA_BRPORT_STATE; the old form is a single u8 state.
    if (nla_is_nested(tb[IFLA_PROTINFO])) {
        if (nla_parse_nested(pt, IFLA_BRPORT_MAX, tb[IFLA_PROTINFO], NULL) < 0 || !pt[IFLA_BRPORT_STATE]) return NL_OK;
        ctx->state[ctx->n] = nla_get_u8(pt[IFLA_BRPORT_STATE]);
        // Bit 7 carries hairpin mode (IFLA_BRPORT_MODE): STP states fit in the low bits.
        if (pt[IFLA_BRPORT_MODE] && nla_get_u8(pt[IFLA_BRPORT_MODE])) ctx->state[ctx->n] |= 0x80;
    } else {
        ctx->state[ctx->n] = nla_get_u8(tb[IFLA_PROTINFO]);
    }
    ctx->ifindex[ctx->n] = ifi->ifi_index;
    ctx->n++;
    return NL_OK;
}

/// Fills (ifindex, state) pairs for up to cap bridge ports; returns the count or a negative libnl error.
static inline int plumb_bridge_port_states(struct nl_sock *sk, int *ifindex, unsigned char *state, int cap) {
    struct ifinfomsg ifi = { .ifi_family = AF_BRIDGE };
    struct plumb_brport_ctx ctx = { .ifindex = ifindex, .state = state, .cap = cap, .n = 0 };
    int err = plumb_dump(sk, RTM_GETLINK, &ifi, sizeof ifi, plumb_brport_cb, &ctx);
    return err < 0 ? err : ctx.n;
}

// ---- RTM_GETNSID for many namespaces in one round trip ----
// Netlink handles several requests in one datagram: all queries go out in one sendmsg (without ACKs) and the
// answers are matched back by sequence number. For the host with 500 veth peers this replaces 500 round trips
// (1,000 syscalls) with a handful.
static inline int plumb_nl_get_nsids(struct nl_sock *sk, const int *fds, int n, int *nsids) {
    const size_t per = NLMSG_ALIGN(NLMSG_LENGTH(sizeof(struct rtgenmsg))) + NLA_ALIGN(NLA_HDRLEN + sizeof(uint32_t));
    char *buf = (char *)calloc((size_t)n, per);
    if (!buf && n > 0) return -NLE_NOMEM;
    // Our own sequence numbers (libnl's counter stays untouched, so its own requests keep matching).
    unsigned base = 0x50000000u + (unsigned)(rand() & 0xffff) * 0x1000u;
    for (int i = 0; i < n; i++) {
        nsids[i] = -1;
        struct nlmsghdr *h = (struct nlmsghdr *)(buf + per * (size_t)i);
        h->nlmsg_len = (uint32_t)per;
        h->nlmsg_type = RTM_GETNSID;
        h->nlmsg_flags = NLM_F_REQUEST;
        h->nlmsg_seq = base + (unsigned)i + 1;
        struct rtgenmsg *g = (struct rtgenmsg *)NLMSG_DATA(h);
        g->rtgen_family = AF_UNSPEC;
        struct nlattr *a = (struct nlattr *)((char *)h + NLMSG_ALIGN(NLMSG_LENGTH(sizeof(struct rtgenmsg))));
        a->nla_len = NLA_HDRLEN + sizeof(uint32_t);
        a->nla_type = NETNSA_FD;
        *(uint32_t *)((char *)a + NLA_HDRLEN) = (uint32_t)fds[i];
    }
    int fd = nl_socket_get_fd(sk);
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    if (n > 0 && sendto(fd, buf, per * (size_t)n, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
        free(buf); return -NLE_FAILURE;
    }
    free(buf);
    int answered = 0;
    char rbuf[65536];
    while (answered < n) {
        ssize_t len = recv(fd, rbuf, sizeof rbuf, 0);
        if (len <= 0) return -NLE_FAILURE;
        for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (unsigned)len); h = NLMSG_NEXT(h, len)) {
            long idx = (long)h->nlmsg_seq - (long)base - 1;
            if (idx < 0 || idx >= n) continue;
            answered++;
            if (h->nlmsg_type != RTM_NEWNSID) continue;   // an error answer: that fd has no nsid here
            struct nlattr *tb[NETNSA_MAX + 1];
            if (nlmsg_parse(h, sizeof(struct rtgenmsg), tb, NETNSA_MAX, NULL) >= 0 && tb[NETNSA_NSID])
                nsids[idx] = (int)nla_get_s32(tb[NETNSA_NSID]);
        }
    }
    return n;
}

// ---- nf_tables: list the tables of the socket's namespace (cheap probe before running iptables-save/nft). ----
struct plumb_nft_ctx { char *buf; size_t len; size_t used; };

static inline int plumb_nft_table_cb(struct nl_msg *msg, void *arg) {
    struct plumb_nft_ctx *ctx = (struct plumb_nft_ctx *)arg;
    struct nlmsghdr *h = nlmsg_hdr(msg);
    struct nfgenmsg *g = (struct nfgenmsg *)nlmsg_data(h);
    struct nlattr *tb[NFTA_TABLE_MAX + 1];
    if (nlmsg_parse(h, sizeof(struct nfgenmsg), tb, NFTA_TABLE_MAX, NULL) < 0) return NL_SKIP;
    if (!tb[NFTA_TABLE_NAME]) return NL_SKIP;
    int n = snprintf(ctx->buf + ctx->used, ctx->len - ctx->used, "%u %s\n",
                     (unsigned)g->nfgen_family, nla_get_string(tb[NFTA_TABLE_NAME]));
    if (n > 0 && (size_t)n < ctx->len - ctx->used) ctx->used += (size_t)n;
    return NL_OK;
}

/// Writes "family name\n" lines into buf; returns bytes used, or a negative libnl error.
static inline long plumb_nft_list_tables(struct nl_sock *sk, char *buf, size_t len) {
    struct nfgenmsg g = { .nfgen_family = AF_UNSPEC, .version = NFNETLINK_V0, .res_id = 0 };
    int type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE;
    int err = nl_send_simple(sk, type, NLM_F_DUMP, &g, sizeof(g));
    if (err < 0) return err;
    struct plumb_nft_ctx ctx = { .buf = buf, .len = len, .used = 0 };
    if (len) buf[0] = 0;
    struct nl_cb *cb = nl_cb_clone(nl_socket_get_cb(sk));
    nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, plumb_nft_table_cb, &ctx);
    err = nl_recvmsgs(sk, cb);
    nl_cb_put(cb);
    if (err < 0) return err;
    return (long)ctx.used;
}

#include <unistd.h>
#include "events.h"
#include "linkstats.h"
#include "linkgone.h"
// RTM_GETROUTE for one destination and the bridge FDB, for plumb trace (after plumb_dump/plumb_grow above).
#include "routeget.h"
#include "replay.h"
// sock_diag dumps (TCP, UDP, raw, unix) into flat records, for `plumb ss` and the snapshot's sockets.
#include "sockdiag.h"
// Unicast VXLAN forwarding entries and permanent neighbours, written and read back, for `plumb agent`.
#include "overlay.h"

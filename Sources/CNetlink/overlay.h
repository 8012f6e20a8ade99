// Unicast VXLAN forwarding, flannel-style: the VXLAN device's own forwarding entries (AF_BRIDGE neighbours
// with NTF_SELF and NDA_DST, `bridge fdb … dev VXLAN dst REMOTE`) and permanent neighbour entries on it (`ip
// neigh … nud permanent`) that its ARP proxy answers from. Writes go through libnl's rtnl_neigh; the read
// back is one RTM_GETNEIGH dump parsed into flat records. Each returns 0 (or a count) or a negative libnl error.
#ifndef PLUMB_OVERLAY_H
#define PLUMB_OVERLAY_H
#include <netlink/route/neighbour.h>
#include <linux/neighbour.h>

/// Sends `n` as RTM_NEWNEIGH (add != 0, with `nlflags`) or RTM_DELNEIGH. libnl versions differ on whether an
/// AF_BRIDGE neighbour's NDA_DST is put into the message: it is added here when missing.
static inline int plumb_neigh_send(struct nl_sock *sk, struct rtnl_neigh *n, int add, int nlflags, struct nl_addr *dst) {
    struct nl_msg *msg = NULL;
    int err = add ? rtnl_neigh_build_add_request(n, nlflags, &msg) : rtnl_neigh_build_delete_request(n, 0, &msg);
    if (err < 0) return err;
    if (dst && !nlmsg_find_attr(nlmsg_hdr(msg), sizeof(struct ndmsg), NDA_DST)) {
        if (nla_put(msg, NDA_DST, (int)nl_addr_get_len(dst), nl_addr_get_binary_addr(dst)) < 0) {
            nlmsg_free(msg);
            return -NLE_NOMEM;
        }
    }
    return plumb_send_and_ack(sk, msg);
}

/// One forwarding entry of VXLAN device `link`: frames for `mac` go to the VTEP at `dst` (bytes, family 0: no
/// destination). `append` keeps other entries of the same MAC (the all-zeros broadcast entry has one per remote
/// VTEP, `bridge fdb append`); otherwise the entry replaces the MAC's (`bridge fdb replace`). add == 0 deletes
/// exactly that MAC/destination pair.
static inline int plumb_vxlan_fdb(struct nl_sock *sk, int add, const char *link, const uint8_t mac[6],
                                  int dst_family, const uint8_t *dst, int append) {
    int idx = plumb_ifindex(sk, link);
    if (idx < 0) return idx;
    struct rtnl_neigh *n = rtnl_neigh_alloc();
    struct nl_addr *ll = nl_addr_build(AF_LLC, mac, 6);
    struct nl_addr *d = dst_family ? plumb_nl_addr(dst_family, dst, dst_family == AF_INET ? 32 : 128) : NULL;
    if (!n || !ll || (dst_family && !d)) {
        if (n) rtnl_neigh_put(n);
        if (ll) nl_addr_put(ll);
        if (d) nl_addr_put(d);
        return -NLE_NOMEM;
    }
    rtnl_neigh_set_family(n, AF_BRIDGE);
    rtnl_neigh_set_ifindex(n, idx);
    rtnl_neigh_set_lladdr(n, ll);
    if (d) rtnl_neigh_set_dst(n, d);
    rtnl_neigh_set_state(n, NUD_PERMANENT | NUD_NOARP);
    rtnl_neigh_set_flags(n, NTF_SELF);
    int flags = NLM_F_CREATE | (append ? NLM_F_APPEND : NLM_F_REPLACE);
    int err = plumb_neigh_send(sk, n, add, flags, d);
    rtnl_neigh_put(n);
    nl_addr_put(ll);
    if (d) nl_addr_put(d);
    return err;
}

/// A permanent neighbour entry `ip` → `mac` on `link` (`ip neigh replace IP lladdr MAC dev LINK nud permanent`);
/// add == 0 deletes it.
static inline int plumb_neigh_permanent(struct nl_sock *sk, int add, const char *link, int family,
                                        const uint8_t *ip, const uint8_t mac[6]) {
    int idx = plumb_ifindex(sk, link);
    if (idx < 0) return idx;
    struct rtnl_neigh *n = rtnl_neigh_alloc();
    struct nl_addr *ll = nl_addr_build(AF_LLC, mac, 6);
    struct nl_addr *d = plumb_nl_addr(family, ip, family == AF_INET ? 32 : 128);
    if (!n || !ll || !d) {
        if (n) rtnl_neigh_put(n);
        if (ll) nl_addr_put(ll);
        if (d) nl_addr_put(d);
        return d ? -NLE_NOMEM : -NLE_INVAL;
    }
    rtnl_neigh_set_ifindex(n, idx);
    rtnl_neigh_set_dst(n, d);
    rtnl_neigh_set_lladdr(n, ll);
    rtnl_neigh_set_state(n, NUD_PERMANENT);
    int err = plumb_neigh_send(sk, n, add, NLM_F_CREATE | NLM_F_REPLACE, NULL);
    rtnl_neigh_put(n);
    nl_addr_put(ll);
    nl_addr_put(d);
    return err;
}

/// A neighbour record of one device as read back: AF_BRIDGE forwarding entries carry the remote VTEP in `dst`
/// (dst_family 0 when absent); AF_INET/AF_INET6 entries carry the IP in `dst`.
struct plumb_overlay_neigh {
    int family;                          // AF_BRIDGE, AF_INET, AF_INET6
    unsigned char mac[6];
    int has_mac;
    int dst_family;
    unsigned char dst[16];
    unsigned short state;
    unsigned char flags;
};

struct plumb_overlay_ctx { struct plumb_overlay_neigh *items; int n, cap; int ifindex; int oom; };

static inline int plumb_overlay_cb(struct nl_msg *msg, void *arg) {
    struct plumb_overlay_ctx *ctx = (struct plumb_overlay_ctx *)arg;
    struct nlmsghdr *h = nlmsg_hdr(msg);
    if (h->nlmsg_type != RTM_NEWNEIGH) return NL_SKIP;
    struct ndmsg *ndm = (struct ndmsg *)nlmsg_data(h);
    if (ndm->ndm_ifindex != ctx->ifindex) return NL_SKIP;
    struct nlattr *tb[NDA_MAX + 1];
    if (nlmsg_parse(h, sizeof(struct ndmsg), tb, NDA_MAX, NULL) < 0) return NL_SKIP;
    struct plumb_overlay_neigh *e = (struct plumb_overlay_neigh *)plumb_grow((void **)&ctx->items, &ctx->n, &ctx->cap, sizeof *e);
    if (!e) { ctx->oom = 1; return NL_STOP; }
    e->family = ndm->ndm_family;
    e->state = ndm->ndm_state;
    e->flags = ndm->ndm_flags;
    if (tb[NDA_LLADDR] && nla_len(tb[NDA_LLADDR]) >= 6) { memcpy(e->mac, nla_data(tb[NDA_LLADDR]), 6); e->has_mac = 1; }
    if (tb[NDA_DST]) {
        int len = nla_len(tb[NDA_DST]);
        if (len == 4 || len == 16) {
            e->dst_family = len == 4 ? AF_INET : AF_INET6;
            memcpy(e->dst, nla_data(tb[NDA_DST]), (size_t)len);
        }
    }
    return NL_OK;
}

/// Every neighbour record of device `link` in `family` (AF_BRIDGE: its forwarding entries; AF_INET/AF_INET6:
/// its neighbours). *out is malloc'd. Returns the count or a negative libnl error.
static inline int plumb_overlay_dump(struct nl_sock *sk, const char *link, int family, struct plumb_overlay_neigh **out) {
    *out = NULL;
    int idx = plumb_ifindex(sk, link);
    if (idx < 0) return idx;
    struct ndmsg ndm = { .ndm_family = (unsigned char)family };
    struct plumb_overlay_ctx ctx = { .ifindex = idx };
    int err = plumb_dump(sk, RTM_GETNEIGH, &ndm, sizeof ndm, plumb_overlay_cb, &ctx);
    if (ctx.oom) err = -NLE_NOMEM;
    if (err < 0) { free(ctx.items); return err; }
    *out = ctx.items;
    return ctx.n;
}

/// The link's hardware address (6 bytes into `mac`); 0 or a negative libnl error.
static inline int plumb_link_mac(struct nl_sock *sk, const char *link, uint8_t mac[6]) {
    struct rtnl_link *l = NULL;
    int err = rtnl_link_get_kernel(sk, 0, link, &l);
    if (err < 0) return err;
    struct nl_addr *a = rtnl_link_get_addr(l);
    if (!a || nl_addr_get_len(a) != 6) { rtnl_link_put(l); return -NLE_NOADDR; }
    memcpy(mac, nl_addr_get_binary_addr(a), 6);
    rtnl_link_put(l);
    return 0;
}

/// Sets the link's hardware address (`ip link set LINK address MAC`).
static inline int plumb_set_link_mac(struct nl_sock *sk, const char *link, const uint8_t mac[6]) {
    struct rtnl_link *c = rtnl_link_alloc();
    struct nl_addr *a = nl_addr_build(AF_LLC, mac, 6);
    if (!c || !a) { if (c) rtnl_link_put(c); if (a) nl_addr_put(a); return -NLE_NOMEM; }
    rtnl_link_set_addr(c, a);
    nl_addr_put(a);
    return plumb_change_link(sk, link, c);
}

/// A VXLAN device for an overlay whose forwarding an agent programs: no default remote, no learning (entries
/// come only from the agent), and ARP proxy on (the device answers ARP from its permanent neighbours).
static inline int plumb_add_overlay_vxlan(struct nl_sock *sk, const char *name, uint32_t vni, int local_family,
                                          const uint8_t *local, int port, const char *parent, int mtu) {
    struct rtnl_link *l = rtnl_link_vxlan_alloc();
    if (!l) return -NLE_NOMEM;
    rtnl_link_vxlan_set_id(l, vni);
    rtnl_link_vxlan_set_learning(l, 0);
    rtnl_link_vxlan_set_proxy(l, 1);
    if (local_family) {
        struct nl_addr *a = plumb_nl_addr(local_family, local, local_family == AF_INET ? 32 : 128);
        if (!a) { rtnl_link_put(l); return -NLE_INVAL; }
        rtnl_link_vxlan_set_local(l, a);
        nl_addr_put(a);
    }
    if (port > 0) rtnl_link_vxlan_set_port(l, (uint32_t)port);
    if (parent && *parent) {
        int idx = plumb_ifindex(sk, parent);
        if (idx < 0) { rtnl_link_put(l); return idx; }
        rtnl_link_vxlan_set_link(l, (uint32_t)idx);
    }
    return plumb_add_link(sk, l, name, mtu);
}

#endif

// Kernel changes through libnl, one function per `ip` verb Plumb needs. Each returns 0 or a negative libnl
// error (nl_geterror). They run on a socket opened inside the namespace the change is for.
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/macvlan.h>
#include <netlink/route/link/vxlan.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#include <net/if.h>

static inline int plumb_ifindex(struct nl_sock *sk, const char *name) {
    struct rtnl_link *l = NULL;
    int err = rtnl_link_get_kernel(sk, 0, name, &l);
    if (err < 0) return err;
    int idx = rtnl_link_get_ifindex(l);
    rtnl_link_put(l);
    return idx;
}

/// An address handed over as bytes (network order) rather than text: family AF_INET (4 bytes) or AF_INET6
/// (16), and a prefix length. Swift parses and checks the text once (PlumbModel's IPPrefix); nothing is
/// formatted or parsed again at this boundary. NULL when family is 0.
static inline struct nl_addr *plumb_nl_addr(int family, const uint8_t *bytes, int prefixlen) {
    if (family != AF_INET && family != AF_INET6) return NULL;
    struct nl_addr *a = nl_addr_build(family, bytes, family == AF_INET ? 4 : 16);
    if (a) nl_addr_set_prefixlen(a, prefixlen);
    return a;
}

static inline int plumb_add_link(struct nl_sock *sk, struct rtnl_link *l, const char *name, int mtu) {
    rtnl_link_set_name(l, name);
    if (mtu > 0) rtnl_link_set_mtu(l, (unsigned)mtu);
    int err = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
    rtnl_link_put(l);
    return err;
}

static inline int plumb_add_bridge(struct nl_sock *sk, const char *name, int mtu) {
    struct rtnl_link *l = rtnl_link_alloc();
    if (!l) return -NLE_NOMEM;
    rtnl_link_set_type(l, "bridge");
    return plumb_add_link(sk, l, name, mtu);
}

/// peer_ns_fd < 0: the peer stays in the socket's namespace.
static inline int plumb_add_veth(struct nl_sock *sk, const char *name, const char *peer, int mtu, int peer_ns_fd) {
    struct rtnl_link *l = rtnl_link_veth_alloc();
    if (!l) return -NLE_NOMEM;
    struct rtnl_link *p = rtnl_link_veth_get_peer(l);
    rtnl_link_set_name(p, peer);
    if (mtu > 0) rtnl_link_set_mtu(p, (unsigned)mtu);
    if (peer_ns_fd >= 0) rtnl_link_set_ns_fd(p, peer_ns_fd);
    rtnl_link_put(p);
    return plumb_add_link(sk, l, name, mtu);
}

/// The macvlan is created on `parent` (in the socket's namespace) and placed directly in ns_fd when >= 0.
static inline int plumb_add_macvlan(struct nl_sock *sk, const char *name, const char *parent, const char *mode,
                                    int mtu, int ns_fd) {
    int parent_idx = plumb_ifindex(sk, parent);
    if (parent_idx < 0) return parent_idx;
    struct rtnl_link *l = rtnl_link_macvlan_alloc();
    if (!l) return -NLE_NOMEM;
    rtnl_link_set_link(l, parent_idx);
    int m = rtnl_link_macvlan_str2mode(mode);
    if (m < 0) { rtnl_link_put(l); return -NLE_INVAL; }
    rtnl_link_macvlan_set_mode(l, (uint32_t)m);
    if (ns_fd >= 0) rtnl_link_set_ns_fd(l, ns_fd);
    return plumb_add_link(sk, l, name, mtu);
}

/// local/remote: family 0 when absent (see plumb_nl_addr).
static inline int plumb_add_vxlan(struct nl_sock *sk, const char *name, uint32_t vni,
                                  int local_family, const uint8_t *local, int remote_family, const uint8_t *remote,
                                  int port, const char *parent, int mtu) {
    struct rtnl_link *l = rtnl_link_vxlan_alloc();
    if (!l) return -NLE_NOMEM;
    rtnl_link_vxlan_set_id(l, vni);
    struct nl_addr *a = NULL;
    if (remote_family) {
        if (!(a = plumb_nl_addr(remote_family, remote, remote_family == AF_INET ? 32 : 128))) { rtnl_link_put(l); return -NLE_INVAL; }
        rtnl_link_vxlan_set_group(l, a); nl_addr_put(a); a = NULL;
    }
    if (local_family) {
        if (!(a = plumb_nl_addr(local_family, local, local_family == AF_INET ? 32 : 128))) { rtnl_link_put(l); return -NLE_INVAL; }
        rtnl_link_vxlan_set_local(l, a); nl_addr_put(a);
    }
    if (port > 0) rtnl_link_vxlan_set_port(l, (uint32_t)port);
    if (parent && *parent) {
        int idx = plumb_ifindex(sk, parent);
        if (idx < 0) { rtnl_link_put(l); return idx; }
        rtnl_link_vxlan_set_link(l, (uint32_t)idx);
    }
    return plumb_add_link(sk, l, name, mtu);
}

static inline int plumb_del_link(struct nl_sock *sk, const char *name) {
    struct rtnl_link *l = rtnl_link_alloc();
    if (!l) return -NLE_NOMEM;
    rtnl_link_set_name(l, name);
    int err = rtnl_link_delete(sk, l);
    rtnl_link_put(l);
    return err;
}

/// Moves a link into interface group `group` (`ip link set NAME group N`).
static inline int plumb_set_group(struct nl_sock *sk, const char *name, uint32_t group);

/// Deletes every link of interface group `group` with one RTM_DELLINK (`ip link del group N`): the kernel
/// unregisters them as one batch, paying one RCU grace period instead of one per link (~19 ms each here).
/// Sends a hand-built request, frees it, and waits for the kernel's ACK (or error).
static inline int plumb_send_and_ack(struct nl_sock *sk, struct nl_msg *msg) {
    int err = nl_send_auto_complete(sk, msg);
    nlmsg_free(msg);
    if (err < 0) return err;
    return nl_wait_for_ack(sk);
}

static inline int plumb_del_group(struct nl_sock *sk, uint32_t group) {
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
    struct nl_msg *msg = nlmsg_alloc_simple(RTM_DELLINK, 0);
    if (!msg) return -NLE_NOMEM;
    if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 || nla_put_u32(msg, IFLA_GROUP, group) < 0) {
        nlmsg_free(msg);
        return -NLE_NOMEM;
    }
    return plumb_send_and_ack(sk, msg);
}

/// Applies `changes` to the link called `name` (rtnl_link_change needs the current object).
static inline int plumb_change_link(struct nl_sock *sk, const char *name, struct rtnl_link *changes) {
    struct rtnl_link *orig = NULL;
    int err = rtnl_link_get_kernel(sk, 0, name, &orig);
    if (err < 0) { rtnl_link_put(changes); return err; }
    err = rtnl_link_change(sk, orig, changes, 0);
    rtnl_link_put(orig);
    rtnl_link_put(changes);
    return err;
}

static inline int plumb_set_up(struct nl_sock *sk, const char *name) {
    struct rtnl_link *c = rtnl_link_alloc();
    if (!c) return -NLE_NOMEM;
    rtnl_link_set_flags(c, IFF_UP);
    return plumb_change_link(sk, name, c);
}

static inline int plumb_set_group(struct nl_sock *sk, const char *name, uint32_t group) {
    // One RTM_SETLINK addressed by name (ifindex 0 + IFLA_IFNAME): one round trip instead of a lookup plus a
    // change, which matters when hundreds of links join a group before a bulk delete.
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
    struct nl_msg *msg = nlmsg_alloc_simple(RTM_SETLINK, 0);
    if (!msg) return -NLE_NOMEM;
    if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 || nla_put_string(msg, IFLA_IFNAME, name) < 0
        || nla_put_u32(msg, IFLA_GROUP, group) < 0) {
        nlmsg_free(msg);
        return -NLE_NOMEM;
    }
    return plumb_send_and_ack(sk, msg);
}

static inline int plumb_set_down(struct nl_sock *sk, const char *name) {
    struct rtnl_link *c = rtnl_link_alloc();
    if (!c) return -NLE_NOMEM;
    rtnl_link_unset_flags(c, IFF_UP);
    return plumb_change_link(sk, name, c);
}

/// Hairpin mode of a bridge port (IFLA_BRPORT_MODE through an AF_BRIDGE RTM_SETLINK), on (1) or off (0): lets a
/// frame leave by the port it came in, which a container reaching its own published port needs.
static inline int plumb_set_hairpin_mode(struct nl_sock *sk, const char *name, int on) {
    int idx = plumb_ifindex(sk, name);
    if (idx < 0) return idx;
    struct rtnl_link *c = rtnl_link_alloc();
    if (!c) return -NLE_NOMEM;
    rtnl_link_set_ifindex(c, idx);
    rtnl_link_set_family(c, AF_BRIDGE);
    int err = on ? rtnl_link_bridge_set_flags(c, RTNL_BRIDGE_HAIRPIN_MODE)
                 : rtnl_link_bridge_unset_flags(c, RTNL_BRIDGE_HAIRPIN_MODE);
    if (err >= 0) err = rtnl_link_change(sk, c, c, 0);
    rtnl_link_put(c);
    return err;
}

/// Releases a link from its bridge (IFLA_MASTER 0).
static inline int plumb_set_nomaster(struct nl_sock *sk, const char *name) {
    int s = plumb_ifindex(sk, name);
    if (s < 0) return s;
    return rtnl_link_release_ifindex(sk, s);
}

static inline int plumb_set_mtu(struct nl_sock *sk, const char *name, int mtu) {
    struct rtnl_link *c = rtnl_link_alloc();
    if (!c) return -NLE_NOMEM;
    rtnl_link_set_mtu(c, (unsigned int)mtu);
    return plumb_change_link(sk, name, c);
}

static inline int plumb_rename(struct nl_sock *sk, const char *name, const char *to) {
    struct rtnl_link *c = rtnl_link_alloc();
    if (!c) return -NLE_NOMEM;
    rtnl_link_set_name(c, to);
    return plumb_change_link(sk, name, c);
}

static inline int plumb_set_master(struct nl_sock *sk, const char *name, const char *master) {
    int m = plumb_ifindex(sk, master);
    if (m < 0) return m;
    int s = plumb_ifindex(sk, name);
    if (s < 0) return s;
    return rtnl_link_enslave_ifindex(sk, m, s);
}

/// add != 0: add, else delete. The address and its prefix length as bytes (see plumb_nl_addr).
static inline int plumb_address(struct nl_sock *sk, int add, int family, const uint8_t *bytes, int prefixlen,
                                const char *link) {
    int idx = plumb_ifindex(sk, link);
    if (idx < 0) return idx;
    struct nl_addr *a = plumb_nl_addr(family, bytes, prefixlen);
    if (!a) return -NLE_INVAL;
    struct rtnl_addr *addr = rtnl_addr_alloc();
    if (!addr) { nl_addr_put(a); return -NLE_NOMEM; }
    rtnl_addr_set_ifindex(addr, idx);
    rtnl_addr_set_family(addr, nl_addr_get_family(a));
    rtnl_addr_set_local(addr, a);
    rtnl_addr_set_prefixlen(addr, nl_addr_get_prefixlen(a));
    int err = add ? rtnl_addr_add(sk, addr, NLM_F_CREATE | NLM_F_EXCL) : rtnl_addr_delete(sk, addr, 0);
    rtnl_addr_put(addr);
    nl_addr_put(a);
    return err;
}

/// The route's family; dst as bytes with its prefix length, or dst_family 0 for "default" (no RTA_DST, as
/// `nl_addr_parse("default")` gave); gateway family 0 when there is none; link optional (NULL or "").
static inline int plumb_route(struct nl_sock *sk, int add, int family, int dst_family, const uint8_t *dst,
                              int dst_len, int gw_family, const uint8_t *gateway, const char *link) {
    struct nl_addr *gw = NULL, *d = NULL;
    if (gw_family) {
        if (!(gw = plumb_nl_addr(gw_family, gateway, gw_family == AF_INET ? 32 : 128))) return -NLE_INVAL;
    }
    if (dst_family) {
        d = plumb_nl_addr(dst_family, dst, dst_len);
    } else if ((d = nl_addr_alloc(0))) {
        nl_addr_set_family(d, family);
    }
    if (!d) { if (gw) nl_addr_put(gw); return -NLE_INVAL; }
    struct rtnl_route *r = rtnl_route_alloc();
    struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
    if (!r || !nh) return -NLE_NOMEM;
    rtnl_route_set_family(r, (uint8_t)family);
    rtnl_route_set_dst(r, d);
    rtnl_route_set_table(r, RT_TABLE_MAIN);
    rtnl_route_set_protocol(r, RTPROT_STATIC);
    rtnl_route_set_scope(r, gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
    if (gw) rtnl_route_nh_set_gateway(nh, gw);
    if (link && *link) {
        int idx = plumb_ifindex(sk, link);
        if (idx < 0) { rtnl_route_put(r); rtnl_route_nh_free(nh); nl_addr_put(d); if (gw) nl_addr_put(gw); return idx; }
        rtnl_route_nh_set_ifindex(nh, idx);
    }
    rtnl_route_add_nexthop(r, nh);
    int err = add ? rtnl_route_add(sk, r, NLM_F_CREATE | NLM_F_EXCL) : rtnl_route_delete(sk, r, 0);
    rtnl_route_put(r);
    nl_addr_put(d);
    if (gw) nl_addr_put(gw);
    return err;
}

// The remote VTEPs in the FDB of a namespace's VXLAN devices: RTM_GETNEIGH dump of family AF_BRIDGE, keeping
// only entries with NDA_DST (a remote IP is what a VXLAN FDB entry has and a bridge port's entry has not), as
// `bridge fdb show` lists them (`dst 10.0.0.2`). libnl's neighbour cache is not used: it keys bridge entries by
// MAC, so the several all-zero-MAC entries of head-end replication (one per remote) would collapse into one.
// Self-contained (listed after shim.h in module.modulemap); only PlumbKernel uses it.
#ifndef PLUMB_VXLANFDB_H
#define PLUMB_VXLANFDB_H

#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <linux/rtnetlink.h>
#include <linux/neighbour.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

struct plumb_vxlan_fdb {
    int ifindex;                 // the VXLAN device
    int family;                  // AF_INET or AF_INET6: the remote's family
    unsigned char dst[16];       // the remote VTEP (NDA_DST)
    unsigned char mac[6];        // the inner MAC (all zero: the default entry, flooded to every such remote)
    int has_mac;
    unsigned vni;                // NDA_VNI when the entry names one, else 0
    unsigned short state;
};

struct plumb_vxlan_fdb_ctx { struct plumb_vxlan_fdb *items; int n, cap, oom; };

static inline int plumb_vxlan_fdb_parse(struct nlmsghdr *h, struct plumb_vxlan_fdb_ctx *ctx) {
    if (h->nlmsg_type != RTM_NEWNEIGH) return NL_SKIP;
    struct ndmsg *ndm = (struct ndmsg *)nlmsg_data(h);
    if (ndm->ndm_family != AF_BRIDGE) return NL_SKIP;
    struct nlattr *tb[NDA_MAX + 1];
    if (nlmsg_parse(h, sizeof(struct ndmsg), tb, NDA_MAX, NULL) < 0 || !tb[NDA_DST]) return NL_SKIP;
    int len = nla_len(tb[NDA_DST]);
    if (len != 4 && len != 16) return NL_SKIP;
    if (ctx->n == ctx->cap) {
        int ncap = ctx->cap ? ctx->cap * 2 : 16;
        void *grown = realloc(ctx->items, sizeof *ctx->items * (size_t)ncap);
        if (!grown) { ctx->oom = 1; return NL_STOP; }
        ctx->items = (struct plumb_vxlan_fdb *)grown; ctx->cap = ncap;
    }
    struct plumb_vxlan_fdb *e = &ctx->items[ctx->n++];
    memset(e, 0, sizeof *e);
    e->ifindex = ndm->ndm_ifindex;
    e->family = len == 4 ? AF_INET : AF_INET6;
    memcpy(e->dst, nla_data(tb[NDA_DST]), (size_t)len);
    if (tb[NDA_LLADDR] && nla_len(tb[NDA_LLADDR]) >= 6) { memcpy(e->mac, nla_data(tb[NDA_LLADDR]), 6); e->has_mac = 1; }
    if (tb[NDA_VNI] && nla_len(tb[NDA_VNI]) >= 4) e->vni = nla_get_u32(tb[NDA_VNI]);
    e->state = ndm->ndm_state;
    return NL_OK;
}

static inline int plumb_vxlan_fdb_cb(struct nl_msg *msg, void *arg) {
    return plumb_vxlan_fdb_parse(nlmsg_hdr(msg), (struct plumb_vxlan_fdb_ctx *)arg);
}

/// Every FDB entry with a remote (NDA_DST) in the socket's namespace; *out is malloc'd. Returns the count or a
/// negative libnl error.
static inline int plumb_vxlan_fdb_dump(struct nl_sock *sk, struct plumb_vxlan_fdb **out) {
    struct ndmsg ndm = { .ndm_family = AF_BRIDGE };
    struct plumb_vxlan_fdb_ctx ctx = { 0 };
    *out = NULL;
    int err = nl_send_simple(sk, RTM_GETNEIGH, NLM_F_DUMP, &ndm, sizeof ndm);
    if (err >= 0) {
        struct nl_cb *c = nl_cb_clone(nl_socket_get_cb(sk));
        if (!c) return -NLE_NOMEM;
        nl_cb_set(c, NL_CB_VALID, NL_CB_CUSTOM, plumb_vxlan_fdb_cb, &ctx);
        err = nl_recvmsgs(sk, c);
        nl_cb_put(c);
    }
    if (ctx.oom) err = -NLE_NOMEM;
    if (err < 0) { free(ctx.items); return err; }
    *out = ctx.items;
    return ctx.n;
}

/// The same from recorded dump messages (tests replay a real kernel's answer).
static inline int plumb_replay_vxlan_fdb(const void *buf, size_t len, struct plumb_vxlan_fdb **out) {
    struct plumb_vxlan_fdb_ctx ctx = { 0 };
    *out = NULL;
    int rem = (int)len;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; nlmsg_ok(h, rem); h = nlmsg_next(h, &rem)) {
        if (plumb_vxlan_fdb_parse(h, &ctx) == NL_STOP) break;
    }
    if (ctx.oom) { free(ctx.items); return -NLE_NOMEM; }
    *out = ctx.items;
    return ctx.n;
}

#endif

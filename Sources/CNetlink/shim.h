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
#include <linux/net_namespace.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <sys/socket.h>
#include <string.h>
#include <stdio.h>

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

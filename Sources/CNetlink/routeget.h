// RTM_GETROUTE for one destination: the kernel's own route decision, as `ip route get` asks for it.
// libnl-route-3 has no route-get request (rtnl_route_get() only takes a reference on a cache object), so the
// request is built here and sent on the socket's fd directly. Included from shim.h; only PlumbKernel uses it.
#ifndef PLUMB_ROUTEGET_H
#define PLUMB_ROUTEGET_H

#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <linux/rtnetlink.h>
#include <linux/neighbour.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <stdlib.h>

struct plumb_route_query {
    int family;                          // AF_INET or AF_INET6
    unsigned char dst[16], src[16];
    int has_src;
    int iif, oif;                        // 0 = not given; iif makes it an input (forwarding) lookup
    uint32_t mark; int has_mark;
    int ip_proto;                        // 0 = not given (RTA_IP_PROTO, kernel >= 4.17)
    int sport, dport;                    // 0 = not given (RTA_SPORT / RTA_DPORT)
    int fib_match;                       // RTM_F_FIB_MATCH: answer with the FIB entry that matched
};

struct plumb_route_answer {
    int error;                           // 0, or the positive errno the kernel answered with
    unsigned char type, scope, protocol, dst_len;
    unsigned table, flags;
    int oif, iif;
    int has_gateway, has_prefsrc, has_dst;
    unsigned char gateway[16], prefsrc[16], dst[16];
    unsigned mtu;                        // RTAX_MTU of the route or its cached PMTU, 0 when none
};

/// Sends one RTM_GETROUTE request without NLM_F_ACK (the kernel then answers with exactly one message: the route
/// or an error) and reads the answer with the matching sequence number. Returns 0 when an answer was read
/// (a->error tells whether the kernel refused), or -1 when the socket itself failed (errno set).
/// The socket should be dedicated to lookups: answers to other requests are skipped, never consumed for them.
static inline int plumb_route_get(struct nl_sock *sk, const struct plumb_route_query *q, struct plumb_route_answer *a) {
    static unsigned seq_counter = 0;
    memset(a, 0, sizeof *a);
    int alen = q->family == AF_INET6 ? 16 : 4;
    struct {
        struct nlmsghdr h;
        struct rtmsg r;
        char attrs[256];
    } req;
    memset(&req, 0, sizeof req);
    req.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
    req.h.nlmsg_type = RTM_GETROUTE;
    req.h.nlmsg_flags = NLM_F_REQUEST;
    unsigned seq = 0x60000000u + (__atomic_add_fetch(&seq_counter, 1, __ATOMIC_RELAXED) & 0xfffffff);
    req.h.nlmsg_seq = seq;
    req.r.rtm_family = (unsigned char)q->family;
    req.r.rtm_dst_len = (unsigned char)(alen * 8);
    req.r.rtm_src_len = q->has_src ? (unsigned char)(alen * 8) : 0;
    req.r.rtm_flags = q->fib_match ? RTM_F_FIB_MATCH : 0;
    #define PLUMB_RG_PUT(type_, data_, len_) do { \
        struct rtattr *rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.h.nlmsg_len)); \
        rta->rta_type = (type_); rta->rta_len = RTA_LENGTH(len_); \
        memcpy(RTA_DATA(rta), (data_), (len_)); \
        req.h.nlmsg_len = NLMSG_ALIGN(req.h.nlmsg_len) + RTA_ALIGN(rta->rta_len); } while (0)
    PLUMB_RG_PUT(RTA_DST, q->dst, alen);
    if (q->has_src) PLUMB_RG_PUT(RTA_SRC, q->src, alen);
    if (q->iif > 0) { uint32_t v = (uint32_t)q->iif; PLUMB_RG_PUT(RTA_IIF, &v, 4); }
    if (q->oif > 0) { uint32_t v = (uint32_t)q->oif; PLUMB_RG_PUT(RTA_OIF, &v, 4); }
    if (q->has_mark) { uint32_t v = q->mark; PLUMB_RG_PUT(RTA_MARK, &v, 4); }
    if (q->ip_proto > 0) { uint8_t v = (uint8_t)q->ip_proto; PLUMB_RG_PUT(RTA_IP_PROTO, &v, 1); }
    if (q->sport > 0) { uint16_t v = htons((uint16_t)q->sport); PLUMB_RG_PUT(RTA_SPORT, &v, 2); }
    if (q->dport > 0) { uint16_t v = htons((uint16_t)q->dport); PLUMB_RG_PUT(RTA_DPORT, &v, 2); }
    #undef PLUMB_RG_PUT

    int fd = nl_socket_get_fd(sk);
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) return -1;
    char buf[8192];
    for (;;) {
        ssize_t len = recv(fd, buf, sizeof buf, 0);
        if (len < 0) { if (errno == EINTR) continue; return -1; }
        if (len == 0) { errno = EPROTO; return -1; }
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)len); h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_seq != seq) continue;
            if (h->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *e = (struct nlmsgerr *)NLMSG_DATA(h);
                a->error = e->error < 0 ? -e->error : e->error;
                if (a->error == 0) a->error = EPROTO;   // an ACK where a route was expected
                return 0;
            }
            if (h->nlmsg_type != RTM_NEWROUTE) continue;
            struct rtmsg *rtm = (struct rtmsg *)NLMSG_DATA(h);
            a->type = rtm->rtm_type; a->scope = rtm->rtm_scope; a->protocol = rtm->rtm_protocol;
            a->dst_len = rtm->rtm_dst_len; a->flags = rtm->rtm_flags; a->table = rtm->rtm_table;
            int attrlen = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(struct rtmsg));
            for (struct rtattr *rta = RTM_RTA(rtm); RTA_OK(rta, attrlen); rta = RTA_NEXT(rta, attrlen)) {
                int plen = (int)RTA_PAYLOAD(rta);
                switch (rta->rta_type) {
                case RTA_TABLE: if (plen >= 4) memcpy(&a->table, RTA_DATA(rta), 4); break;
                case RTA_OIF: if (plen >= 4) memcpy(&a->oif, RTA_DATA(rta), 4); break;
                case RTA_IIF: if (plen >= 4) memcpy(&a->iif, RTA_DATA(rta), 4); break;
                case RTA_GATEWAY: if (plen >= alen) { memcpy(a->gateway, RTA_DATA(rta), alen); a->has_gateway = 1; } break;
                case RTA_PREFSRC: if (plen >= alen) { memcpy(a->prefsrc, RTA_DATA(rta), alen); a->has_prefsrc = 1; } break;
                case RTA_DST: if (plen >= alen) { memcpy(a->dst, RTA_DATA(rta), alen); a->has_dst = 1; } break;
                case RTA_METRICS: {
                    int mlen = plen;
                    for (struct rtattr *m = (struct rtattr *)RTA_DATA(rta); RTA_OK(m, mlen); m = RTA_NEXT(m, mlen))
                        if (m->rta_type == RTAX_MTU && RTA_PAYLOAD(m) >= 4) memcpy(&a->mtu, RTA_DATA(m), 4);
                    break;
                }
                default: break;
                }
            }
            return 0;
        }
    }
}

// ---- The bridge forwarding database (RTM_GETNEIGH, AF_BRIDGE): which port a MAC address was learned on ----
struct plumb_fdb_entry {
    int ifindex;                         // the bridge port
    int master;                          // the bridge (NDA_MASTER)
    unsigned char mac[6];
    unsigned short state;                // NUD_PERMANENT for the bridge's own / static entries
    unsigned char flags;                 // NTF_SELF, NTF_MASTER, NTF_EXT_LEARNED, ...
    int vlan;                            // -1 when none
};

struct plumb_fdb_ctx { struct plumb_fdb_entry *items; int n, cap; int master; int oom; };

static inline int plumb_fdb_cb(struct nl_msg *msg, void *arg) {
    struct plumb_fdb_ctx *ctx = (struct plumb_fdb_ctx *)arg;
    struct nlmsghdr *h = nlmsg_hdr(msg);
    if (h->nlmsg_type != RTM_NEWNEIGH) return NL_SKIP;
    struct ndmsg *ndm = (struct ndmsg *)nlmsg_data(h);
    if (ndm->ndm_family != AF_BRIDGE) return NL_SKIP;
    struct nlattr *tb[NDA_MAX + 1];
    if (nlmsg_parse(h, sizeof(struct ndmsg), tb, NDA_MAX, NULL) < 0) return NL_SKIP;
    int master = tb[NDA_MASTER] ? (int)nla_get_u32(tb[NDA_MASTER]) : 0;
    if (ctx->master > 0 && master != ctx->master) return NL_SKIP;
    if (!tb[NDA_LLADDR] || nla_len(tb[NDA_LLADDR]) < 6) return NL_SKIP;
    struct plumb_fdb_entry *e = (struct plumb_fdb_entry *)plumb_grow((void **)&ctx->items, &ctx->n, &ctx->cap, sizeof *e);
    if (!e) { ctx->oom = 1; return NL_STOP; }
    e->ifindex = ndm->ndm_ifindex;
    e->master = master;
    memcpy(e->mac, nla_data(tb[NDA_LLADDR]), 6);
    e->state = ndm->ndm_state;
    e->flags = ndm->ndm_flags;
    e->vlan = tb[NDA_VLAN] ? (int)nla_get_u16(tb[NDA_VLAN]) : -1;
    return NL_OK;
}

/// Every FDB entry of bridge `master` (all bridges when 0); *out is malloc'd. Returns the count or a negative
/// libnl error. Uses libnl's request/receive path, so call it on a socket whose raw route-get answers were read.
static inline int plumb_fdb_dump(struct nl_sock *sk, int master, struct plumb_fdb_entry **out) {
    struct ndmsg ndm = { .ndm_family = AF_BRIDGE };
    *out = NULL;
    struct plumb_fdb_ctx ctx = { .master = master };
    int err = plumb_dump(sk, RTM_GETNEIGH, &ndm, sizeof ndm, plumb_fdb_cb, &ctx);
    if (ctx.oom) err = -NLE_NOMEM;
    if (err < 0) { free(ctx.items); return err; }
    *out = ctx.items;
    return ctx.n;
}

#endif

// sock_diag (NETLINK_SOCK_DIAG): the sockets of the socket's namespace, as `ss` reads them, parsed straight into
// flat records. One dump per (family, protocol): the inet_diag answer does not say which protocol it is, so the
// caller passes it in (and recorded dumps are stored per request for the same reason).
// Included by shim.h after plumb_dump and plumb_grow.
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

struct plumb_sock {
    unsigned char family;     // AF_INET, AF_INET6, AF_UNIX
    unsigned char protocol;   // IPPROTO_TCP / IPPROTO_UDP / IPPROTO_RAW for inet; 0 for unix
    unsigned char state;      // TCP_* numbering (inet and unix alike)
    unsigned char unix_type;  // SOCK_STREAM / SOCK_DGRAM / SOCK_SEQPACKET for unix
    int raw_protocol;         // raw sockets: the IP protocol they are bound to (-1 unknown)
    uint16_t sport, dport;    // host order
    unsigned char src[16], dst[16];
    uint32_t ifindex;         // SO_BINDTODEVICE, 0 when unbound
    uint32_t rqueue, wqueue;  // for listeners: accept queue length and its limit
    uint32_t uid, inode, peer_inode;
    int has_uid;
    // tcp_info (INET_DIAG_INFO), TCP only.
    int has_info;
    uint32_t rtt_us, rttvar_us, rto_us, snd_cwnd, snd_ssthresh, snd_mss, retransmits, total_retrans, lost, unacked;
    char cong[16];
    // unix: the bound path (abstract names start with '@' here, as ss prints them).
    char path[110];
};

struct plumb_sock_ctx { struct plumb_sock *socks; int n, cap; int oom; int protocol; };

/// One inet_diag answer (live or recorded) appended to ctx.
static inline int plumb_inet_sock_parse(struct nlmsghdr *h, struct plumb_sock_ctx *ctx) {
    if ((h->nlmsg_type != SOCK_DIAG_BY_FAMILY && h->nlmsg_type != TCPDIAG_GETSOCK)
        || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg))) return NL_SKIP;
    struct inet_diag_msg *m = (struct inet_diag_msg *)nlmsg_data(h);
    if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6) return NL_SKIP;
    struct nlattr *tb[INET_DIAG_MAX + 1];
    if (nlmsg_parse(h, sizeof(struct inet_diag_msg), tb, INET_DIAG_MAX, NULL) < 0) return NL_SKIP;
    struct plumb_sock *s = (struct plumb_sock *)plumb_grow((void **)&ctx->socks, &ctx->n, &ctx->cap, sizeof *s);
    if (!s) { ctx->oom = 1; return NL_STOP; }
    int alen = m->idiag_family == AF_INET6 ? 16 : 4;
    s->family = m->idiag_family;
    s->protocol = (unsigned char)ctx->protocol;
    s->state = m->idiag_state;
    s->raw_protocol = -1;
    s->sport = ntohs(m->id.idiag_sport);
    s->dport = ntohs(m->id.idiag_dport);
    memcpy(s->src, m->id.idiag_src, alen);
    memcpy(s->dst, m->id.idiag_dst, alen);
    s->ifindex = m->id.idiag_if;
    s->rqueue = m->idiag_rqueue;
    s->wqueue = m->idiag_wqueue;
    s->uid = m->idiag_uid; s->has_uid = 1;
    s->inode = m->idiag_inode;
    if (tb[INET_DIAG_PROTOCOL]) s->raw_protocol = nla_get_u8(tb[INET_DIAG_PROTOCOL]);
    if (ctx->protocol == IPPROTO_TCP && tb[INET_DIAG_INFO]) {
        // Older kernels send a shorter struct: copy what came and leave the rest zero.
        struct tcp_info ti;
        memset(&ti, 0, sizeof ti);
        int len = nla_len(tb[INET_DIAG_INFO]);
        memcpy(&ti, nla_data(tb[INET_DIAG_INFO]), len < (int)sizeof ti ? len : (int)sizeof ti);
        s->has_info = 1;
        s->rtt_us = ti.tcpi_rtt; s->rttvar_us = ti.tcpi_rttvar; s->rto_us = ti.tcpi_rto;
        s->snd_cwnd = ti.tcpi_snd_cwnd; s->snd_ssthresh = ti.tcpi_snd_ssthresh; s->snd_mss = ti.tcpi_snd_mss;
        s->retransmits = ti.tcpi_retransmits; s->total_retrans = ti.tcpi_total_retrans;
        s->lost = ti.tcpi_lost; s->unacked = ti.tcpi_unacked;
    }
    if (tb[INET_DIAG_CONG]) snprintf(s->cong, sizeof s->cong, "%s", nla_get_string(tb[INET_DIAG_CONG]));
    return NL_OK;
}

/// One unix_diag answer appended to ctx.
static inline int plumb_unix_sock_parse(struct nlmsghdr *h, struct plumb_sock_ctx *ctx) {
    if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct unix_diag_msg))) return NL_SKIP;
    struct unix_diag_msg *m = (struct unix_diag_msg *)nlmsg_data(h);
    if (m->udiag_family != AF_UNIX) return NL_SKIP;
    struct nlattr *tb[UNIX_DIAG_MAX + 1];
    if (nlmsg_parse(h, sizeof(struct unix_diag_msg), tb, UNIX_DIAG_MAX, NULL) < 0) return NL_SKIP;
    struct plumb_sock *s = (struct plumb_sock *)plumb_grow((void **)&ctx->socks, &ctx->n, &ctx->cap, sizeof *s);
    if (!s) { ctx->oom = 1; return NL_STOP; }
    s->family = AF_UNIX;
    s->state = m->udiag_state;
    s->unix_type = m->udiag_type;
    s->raw_protocol = -1;
    s->inode = m->udiag_ino;
    if (tb[UNIX_DIAG_NAME]) {
        int len = nla_len(tb[UNIX_DIAG_NAME]);
        const char *p = (const char *)nla_data(tb[UNIX_DIAG_NAME]);
        if (len > (int)sizeof s->path - 1) len = (int)sizeof s->path - 1;
        memcpy(s->path, p, len);
        if (len > 0 && p[0] == 0) s->path[0] = '@';   // abstract namespace
        for (int i = 1; i < len; i++) if (s->path[i] == 0) s->path[i] = '@';
        s->path[len] = 0;
    }
    if (tb[UNIX_DIAG_PEER]) s->peer_inode = nla_get_u32(tb[UNIX_DIAG_PEER]);
    if (tb[UNIX_DIAG_RQLEN] && nla_len(tb[UNIX_DIAG_RQLEN]) >= (int)sizeof(struct unix_diag_rqlen)) {
        struct unix_diag_rqlen *q = (struct unix_diag_rqlen *)nla_data(tb[UNIX_DIAG_RQLEN]);
        s->rqueue = q->udiag_rqueue; s->wqueue = q->udiag_wqueue;
    }
    if (tb[UNIX_DIAG_UID]) { s->uid = nla_get_u32(tb[UNIX_DIAG_UID]); s->has_uid = 1; }
    return NL_OK;
}

static inline int plumb_sock_cb(struct nl_msg *msg, void *arg) {
    struct plumb_sock_ctx *ctx = (struct plumb_sock_ctx *)arg;
    struct nlmsghdr *h = nlmsg_hdr(msg);
    return ctx->protocol < 0 ? plumb_unix_sock_parse(h, ctx) : plumb_inet_sock_parse(h, ctx);
}

/// TCP sockets of both families in `states` (a TCPF_* mask), in one walk of the kernel's tables: the old
/// TCPDIAG_GETSOCK request dumps with AF_UNSPEC, where SOCK_DIAG_BY_FAMILY walks the (host-wide, often large)
/// established hash once per family. Without TCPF_LISTEN the listening hash is skipped, and with only
/// TCPF_LISTEN the established hash is.
static inline int plumb_tcp_dump(struct nl_sock *sk, unsigned states, struct plumb_sock_ctx *ctx) {
    ctx->protocol = IPPROTO_TCP;
    struct inet_diag_req r;
    memset(&r, 0, sizeof r);
    r.idiag_family = AF_INET;   // ignored by the kernel for this request (it dumps AF_UNSPEC)
    r.idiag_states = states;
    r.idiag_ext = (1 << (INET_DIAG_INFO - 1)) | (1 << (INET_DIAG_CONG - 1));
    return plumb_dump(sk, TCPDIAG_GETSOCK, &r, sizeof r, plumb_sock_cb, ctx);
}

/// Appends every socket of (family, protocol) in the socket's namespace to ctx; protocol -1 with AF_UNIX reads
/// unix sockets. Returns 0 or a negative libnl error (-NLE_OBJ_NOTFOUND: the kernel has no diag module for it).
static inline int plumb_sock_dump(struct nl_sock *sk, int family, int protocol, struct plumb_sock_ctx *ctx) {
    ctx->protocol = protocol;
    if (family == AF_UNIX) {
        struct unix_diag_req r;
        memset(&r, 0, sizeof r);
        r.sdiag_family = AF_UNIX;
        r.udiag_states = ~0u;
        r.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID;
        return plumb_dump(sk, SOCK_DIAG_BY_FAMILY, &r, sizeof r, plumb_sock_cb, ctx);
    }
    struct inet_diag_req_v2 r;
    memset(&r, 0, sizeof r);
    r.sdiag_family = (unsigned char)family;
    r.sdiag_protocol = (unsigned char)protocol;
    r.idiag_states = ~0u;
    if (protocol == IPPROTO_TCP) r.idiag_ext = (1 << (INET_DIAG_INFO - 1)) | (1 << (INET_DIAG_CONG - 1));
    if (protocol == IPPROTO_RAW) r.pad = IPPROTO_RAW;   // sdiag_raw_protocol: every raw socket
    return plumb_dump(sk, SOCK_DIAG_BY_FAMILY, &r, sizeof r, plumb_sock_cb, ctx);
}

/// The sockets in a recorded answer to one (family, protocol) request.
static inline int plumb_replay_socks(const void *buf, size_t len, int protocol, struct plumb_sock_ctx *ctx) {
    ctx->protocol = protocol;
    for (int rem = (int)len, ok = 1; ok; ok = 0)
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; nlmsg_ok(h, rem); h = nlmsg_next(h, &rem)) {
            int r = protocol < 0 ? plumb_unix_sock_parse(h, ctx) : plumb_inet_sock_parse(h, ctx);
            if (r == NL_STOP) return -NLE_NOMEM;
        }
    return 0;
}

// ctnetlink (NETLINK_NETFILTER, subsystem CTNETLINK) without libnl: a conntrack dump is 100,000 messages on a
// busy host, and libnl's receive path allocates and copies a message object per message. Here one recv fills a
// caller-owned buffer and every message is parsed in place into a flat `struct plumb_ct`, batch by batch, so the
// Swift side converts fixed-size records and never sees a netlink byte. The same parser reads recorded answers
// (fd < 0: the buffer already holds them) and event messages (NFNLGRP_CONNTRACK_*).
#ifndef PLUMB_CONNTRACK_H
#define PLUMB_CONNTRACK_H

#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <endian.h>

/// One direction of a connection. Addresses are in network order (4 or 16 bytes used); ports host order.
struct plumb_ct_tuple {
    unsigned char src[16], dst[16];
    uint16_t sport, dport;       // TCP, UDP, SCTP, DCCP, UDP-Lite
    uint16_t icmp_id;            // ICMP / ICMPv6
    uint8_t icmp_type, icmp_code;
    uint8_t has_ports, has_icmp;
};

/// One conntrack entry, as ctnetlink describes it.
struct plumb_ct {
    struct plumb_ct_tuple orig, reply;
    uint8_t family;              // AF_INET / AF_INET6 (nfgen_family)
    uint8_t proto;               // IPPROTO_*
    uint8_t tcp_state;           // TCP_CONNTRACK_* when has_tcp_state
    uint8_t has_tcp_state;
    uint8_t has_counters, has_mark, has_timeout;
    uint8_t event;               // event streams: 1 new, 2 update, 3 destroy (dump answers read as 2)
    uint16_t zone;
    uint32_t status, mark, timeout, id, use;
    uint64_t orig_packets, orig_bytes, reply_packets, reply_bytes;
};

/// Receive state of one dump or event stream. `buf` (cap bytes) is the caller's; fd < 0 parses what is in it.
struct plumb_ct_reader {
    int fd;
    unsigned char *buf;
    int cap;
    int len, off;      // bytes in buf, parse position
    int done;          // NLMSG_DONE (dump) seen, or a recorded buffer is used up
    int err;           // errno from an NLMSG_ERROR answer (0: none)
    int lost;          // events only: the socket overflowed (ENOBUFS), some events are missing
    int nonblocking;   // events: return at EAGAIN instead of waiting
};

static inline uint16_t plumb_ct_be16(const struct nlattr *a) { uint16_t v; memcpy(&v, (const char *)a + NLA_HDRLEN, 2); return ntohs(v); }
static inline uint32_t plumb_ct_be32(const struct nlattr *a) { uint32_t v; memcpy(&v, (const char *)a + NLA_HDRLEN, 4); return ntohl(v); }
static inline uint64_t plumb_ct_be64(const struct nlattr *a) { uint64_t v; memcpy(&v, (const char *)a + NLA_HDRLEN, 8); return be64toh(v); }
static inline uint8_t plumb_ct_u8(const struct nlattr *a) { return *((const uint8_t *)a + NLA_HDRLEN); }
static inline int plumb_ct_alen(const struct nlattr *a) { return (int)a->nla_len - NLA_HDRLEN; }

/// Walks the attributes in [p, p+len): binds `a` to each well-formed one.
#define PLUMB_CT_FOREACH(a, p, len) \
    for (const struct nlattr *a = (const struct nlattr *)(p); \
         (const char *)a + NLA_HDRLEN <= (const char *)(p) + (len) && a->nla_len >= NLA_HDRLEN \
         && (const char *)a + a->nla_len <= (const char *)(p) + (len); \
         a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len)))

/// Walks the attributes nested in `parent`.
#define PLUMB_CT_FOREACH_IN(a, parent) PLUMB_CT_FOREACH(a, (const char *)(parent) + NLA_HDRLEN, plumb_ct_alen(parent))
#define PLUMB_CT_PAYLOAD(a) ((const char *)(a) + NLA_HDRLEN)

static inline void plumb_ct_parse_tuple(const char *p, int len, struct plumb_ct_tuple *t, uint8_t *proto) {
    PLUMB_CT_FOREACH(a, p, len) {
        switch (a->nla_type & NLA_TYPE_MASK) {
        case CTA_TUPLE_IP:
            PLUMB_CT_FOREACH_IN(ip, a) {
                int n = plumb_ct_alen(ip);
                const void *d = (const char *)ip + NLA_HDRLEN;
                switch (ip->nla_type & NLA_TYPE_MASK) {
                case CTA_IP_V4_SRC: if (n >= 4) memcpy(t->src, d, 4); break;
                case CTA_IP_V4_DST: if (n >= 4) memcpy(t->dst, d, 4); break;
                case CTA_IP_V6_SRC: if (n >= 16) memcpy(t->src, d, 16); break;
                case CTA_IP_V6_DST: if (n >= 16) memcpy(t->dst, d, 16); break;
                }
            }
            break;
        case CTA_TUPLE_PROTO:
            PLUMB_CT_FOREACH_IN(pr, a) {
                int n = plumb_ct_alen(pr);
                switch (pr->nla_type & NLA_TYPE_MASK) {
                case CTA_PROTO_NUM: if (n >= 1) *proto = plumb_ct_u8(pr); break;
                case CTA_PROTO_SRC_PORT: if (n >= 2) { t->sport = plumb_ct_be16(pr); t->has_ports = 1; } break;
                case CTA_PROTO_DST_PORT: if (n >= 2) { t->dport = plumb_ct_be16(pr); t->has_ports = 1; } break;
                case CTA_PROTO_ICMP_ID: case CTA_PROTO_ICMPV6_ID:
                    if (n >= 2) { t->icmp_id = plumb_ct_be16(pr); t->has_icmp = 1; } break;
                case CTA_PROTO_ICMP_TYPE: case CTA_PROTO_ICMPV6_TYPE:
                    if (n >= 1) { t->icmp_type = plumb_ct_u8(pr); t->has_icmp = 1; } break;
                case CTA_PROTO_ICMP_CODE: case CTA_PROTO_ICMPV6_CODE:
                    if (n >= 1) { t->icmp_code = plumb_ct_u8(pr); t->has_icmp = 1; } break;
                }
            }
            break;
        }
    }
}

static inline void plumb_ct_parse_counters(const char *p, int len, uint64_t *packets, uint64_t *bytes) {
    PLUMB_CT_FOREACH(a, p, len) {
        int n = plumb_ct_alen(a);
        switch (a->nla_type & NLA_TYPE_MASK) {
        case CTA_COUNTERS_PACKETS: if (n >= 8) *packets = plumb_ct_be64(a); break;
        case CTA_COUNTERS_BYTES: if (n >= 8) *bytes = plumb_ct_be64(a); break;
        case CTA_COUNTERS32_PACKETS: if (n >= 4) *packets = plumb_ct_be32(a); break;
        case CTA_COUNTERS32_BYTES: if (n >= 4) *bytes = plumb_ct_be32(a); break;
        }
    }
}

/// One IPCTNL_MSG_CT_NEW / _DELETE message into *e (zeroed here).
static inline void plumb_ct_parse(const struct nlmsghdr *h, struct plumb_ct *e) {
    memset(e, 0, sizeof *e);
    const struct nfgenmsg *g = (const struct nfgenmsg *)NLMSG_DATA(h);
    e->family = g->nfgen_family;
    int type = h->nlmsg_type & 0xff;
    e->event = type == IPCTNL_MSG_CT_DELETE ? 3 : (h->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL)) ? 1 : 2;
    const char *attrs = (const char *)NLMSG_DATA(h) + NLMSG_ALIGN(sizeof *g);
    int len = (int)h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof *g));
    PLUMB_CT_FOREACH(a, attrs, len) {
        int n = plumb_ct_alen(a);
        switch (a->nla_type & NLA_TYPE_MASK) {
        case CTA_TUPLE_ORIG: plumb_ct_parse_tuple(PLUMB_CT_PAYLOAD(a), plumb_ct_alen(a), &e->orig, &e->proto); break;
        case CTA_TUPLE_REPLY: plumb_ct_parse_tuple(PLUMB_CT_PAYLOAD(a), plumb_ct_alen(a), &e->reply, &e->proto); break;
        case CTA_STATUS: if (n >= 4) e->status = plumb_ct_be32(a); break;
        case CTA_TIMEOUT: if (n >= 4) { e->timeout = plumb_ct_be32(a); e->has_timeout = 1; } break;
        case CTA_MARK: if (n >= 4) { e->mark = plumb_ct_be32(a); e->has_mark = 1; } break;
        case CTA_ID: if (n >= 4) e->id = plumb_ct_be32(a); break;
        case CTA_USE: if (n >= 4) e->use = plumb_ct_be32(a); break;
        case CTA_ZONE: if (n >= 2) e->zone = plumb_ct_be16(a); break;
        case CTA_COUNTERS_ORIG:
            plumb_ct_parse_counters(PLUMB_CT_PAYLOAD(a), plumb_ct_alen(a), &e->orig_packets, &e->orig_bytes); e->has_counters = 1; break;
        case CTA_COUNTERS_REPLY:
            plumb_ct_parse_counters(PLUMB_CT_PAYLOAD(a), plumb_ct_alen(a), &e->reply_packets, &e->reply_bytes); e->has_counters = 1; break;
        case CTA_PROTOINFO:
            PLUMB_CT_FOREACH_IN(pi, a) {
                if ((pi->nla_type & NLA_TYPE_MASK) != CTA_PROTOINFO_TCP) continue;
                PLUMB_CT_FOREACH_IN(tcp, pi) {
                    if ((tcp->nla_type & NLA_TYPE_MASK) == CTA_PROTOINFO_TCP_STATE && plumb_ct_alen(tcp) >= 1) {
                        e->tcp_state = plumb_ct_u8(tcp); e->has_tcp_state = 1;
                    }
                }
            }
            break;
        }
    }
}

/// Sends a ctnetlink request: `type` (IPCTNL_MSG_CT_*), `flags` beyond NLM_F_REQUEST, `attrs` already laid out.
static inline int plumb_ct_send(int fd, int type, int flags, uint8_t family, uint32_t seq, const void *attrs, int alen) {
    char msg[512];
    if (alen < 0 || NLMSG_SPACE(sizeof(struct nfgenmsg)) + alen > sizeof msg) return -EINVAL;
    memset(msg, 0, sizeof msg);
    struct nlmsghdr *h = (struct nlmsghdr *)msg;
    h->nlmsg_len = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct nfgenmsg))) + alen;
    h->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
    h->nlmsg_flags = NLM_F_REQUEST | flags;
    h->nlmsg_seq = seq;
    struct nfgenmsg *g = (struct nfgenmsg *)NLMSG_DATA(h);
    g->nfgen_family = family;
    g->version = NFNETLINK_V0;
    if (alen) memcpy((char *)NLMSG_DATA(h) + NLMSG_ALIGN(sizeof *g), attrs, alen);
    struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
    for (;;) {
        ssize_t n = sendto(fd, msg, h->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof sa);
        if (n >= 0) return 0;
        if (errno != EINTR) return -errno;
    }
}

/// Asks for every entry of `family` (AF_UNSPEC: all) of the socket's namespace.
static inline int plumb_ct_request_dump(int fd, uint8_t family, uint32_t seq) {
    return plumb_ct_send(fd, IPCTNL_MSG_CT_GET, NLM_F_DUMP, family, seq, NULL, 0);
}

/// Fills `out` with up to `cap` entries from the stream. Returns the number filled (0 with r->done: the end;
/// 0 on a non-blocking reader: nothing pending), or a negative errno when the socket failed. A kernel error
/// answer sets r->err and ends the stream.
static inline int plumb_ct_next(struct plumb_ct_reader *r, struct plumb_ct *out, int cap) {
    int n = 0;
    while (n < cap && !r->done) {
        if (r->off >= r->len) {
            if (r->fd < 0) { r->done = 1; break; }
            ssize_t got = recv(r->fd, r->buf, (size_t)r->cap, r->nonblocking ? MSG_DONTWAIT : 0);
            if (got < 0) {
                if (errno == EINTR) continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                if (errno == ENOBUFS) { r->lost = 1; continue; }
                return -errno;
            }
            if (got == 0) { r->done = 1; break; }
            r->len = (int)got; r->off = 0;
        }
        int rem = r->len - r->off;
        const struct nlmsghdr *h = (const struct nlmsghdr *)(r->buf + r->off);
        if (!NLMSG_OK(h, rem)) { r->off = r->len; continue; }
        r->off += NLMSG_ALIGN(h->nlmsg_len);
        if (h->nlmsg_type == NLMSG_DONE) { r->done = 1; break; }
        if (h->nlmsg_type == NLMSG_ERROR) {
            const struct nlmsgerr *e = (const struct nlmsgerr *)NLMSG_DATA(h);
            if (e->error != 0) { r->err = -e->error; r->done = 1; }
            continue;
        }
        if ((h->nlmsg_type >> 8) != NFNL_SUBSYS_CTNETLINK) continue;
        int type = h->nlmsg_type & 0xff;
        if (type != IPCTNL_MSG_CT_NEW && type != IPCTNL_MSG_CT_DELETE) continue;
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nfgenmsg))) continue;
        plumb_ct_parse(h, &out[n++]);
    }
    return n;
}

/// Entries in the table and the table's limit (IPCTNL_MSG_CT_GET_STATS). Returns 0, or a negative errno.
static inline int plumb_ct_usage(int fd, uint32_t seq, uint32_t *count, uint32_t *max, int *has_max) {
    int err = plumb_ct_send(fd, IPCTNL_MSG_CT_GET_STATS, 0, AF_UNSPEC, seq, NULL, 0);
    if (err < 0) return err;
    unsigned char buf[8192];
    *has_max = 0;
    for (;;) {
        ssize_t got = recv(fd, buf, sizeof buf, 0);
        if (got < 0) { if (errno == EINTR) continue; return -errno; }
        int rem = (int)got;
        for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf; NLMSG_OK(h, rem); h = NLMSG_NEXT(h, rem)) {
            if (h->nlmsg_seq != seq) continue;
            if (h->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *e = (const struct nlmsgerr *)NLMSG_DATA(h);
                return e->error;  // 0 would be a bare ACK: none was asked for
            }
            if ((h->nlmsg_type & 0xff) != IPCTNL_MSG_CT_GET_STATS) continue;
            const char *attrs = (const char *)NLMSG_DATA(h) + NLMSG_ALIGN(sizeof(struct nfgenmsg));
            int len = (int)h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct nfgenmsg)));
            PLUMB_CT_FOREACH(a, attrs, len) {
                if (plumb_ct_alen(a) < 4) continue;
                switch (a->nla_type & NLA_TYPE_MASK) {
                case CTA_STATS_GLOBAL_ENTRIES: *count = plumb_ct_be32(a); break;
                case CTA_STATS_GLOBAL_MAX_ENTRIES: *max = plumb_ct_be32(a); *has_max = 1; break;
                }
            }
            return 0;
        }
    }
}

// ---- deleting entries by their original tuple (what `conntrack -D` sends) ----

static inline int plumb_ct_put(char *buf, int off, int cap, int type, const void *data, int len) {
    if (off + NLA_ALIGN(NLA_HDRLEN + len) > cap) return -1;
    struct nlattr *a = (struct nlattr *)(buf + off);
    a->nla_type = (uint16_t)type; a->nla_len = (uint16_t)(NLA_HDRLEN + len);
    memcpy(buf + off + NLA_HDRLEN, data, len);
    memset(buf + off + NLA_HDRLEN + len, 0, NLA_ALIGN(NLA_HDRLEN + len) - (NLA_HDRLEN + len));
    return off + NLA_ALIGN(NLA_HDRLEN + len);
}

/// Opens a nested attribute at `off`; close it with plumb_ct_end(buf, start, off).
static inline int plumb_ct_begin(char *buf, int off, int cap, int type) {
    if (off + NLA_HDRLEN > cap) return -1;
    struct nlattr *a = (struct nlattr *)(buf + off);
    a->nla_type = (uint16_t)(type | NLA_F_NESTED); a->nla_len = NLA_HDRLEN;
    return off + NLA_HDRLEN;
}
static inline void plumb_ct_end(char *buf, int start, int off) { ((struct nlattr *)(buf + start))->nla_len = (uint16_t)(off - start); }

/// Lays out CTA_TUPLE_ORIG for `e` (and CTA_ZONE, CTA_ID when known) into buf; returns its length or -1.
static inline int plumb_ct_delete_attrs(const struct plumb_ct *e, char *buf, int cap) {
    int off = 0, tuple = 0, ip = 0, pr = 0;
    int v6 = e->family == AF_INET6, alen = v6 ? 16 : 4;
    tuple = off; off = plumb_ct_begin(buf, off, cap, CTA_TUPLE_ORIG); if (off < 0) return -1;
    ip = off; off = plumb_ct_begin(buf, off, cap, CTA_TUPLE_IP); if (off < 0) return -1;
    off = plumb_ct_put(buf, off, cap, v6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC, e->orig.src, alen); if (off < 0) return -1;
    off = plumb_ct_put(buf, off, cap, v6 ? CTA_IP_V6_DST : CTA_IP_V4_DST, e->orig.dst, alen); if (off < 0) return -1;
    plumb_ct_end(buf, ip, off);
    pr = off; off = plumb_ct_begin(buf, off, cap, CTA_TUPLE_PROTO); if (off < 0) return -1;
    off = plumb_ct_put(buf, off, cap, CTA_PROTO_NUM, &e->proto, 1); if (off < 0) return -1;
    if (e->orig.has_ports) {
        uint16_t s = htons(e->orig.sport), d = htons(e->orig.dport);
        off = plumb_ct_put(buf, off, cap, CTA_PROTO_SRC_PORT, &s, 2); if (off < 0) return -1;
        off = plumb_ct_put(buf, off, cap, CTA_PROTO_DST_PORT, &d, 2); if (off < 0) return -1;
    }
    if (e->orig.has_icmp) {
        uint16_t id = htons(e->orig.icmp_id);
        off = plumb_ct_put(buf, off, cap, v6 ? CTA_PROTO_ICMPV6_ID : CTA_PROTO_ICMP_ID, &id, 2); if (off < 0) return -1;
        off = plumb_ct_put(buf, off, cap, v6 ? CTA_PROTO_ICMPV6_TYPE : CTA_PROTO_ICMP_TYPE, &e->orig.icmp_type, 1); if (off < 0) return -1;
        off = plumb_ct_put(buf, off, cap, v6 ? CTA_PROTO_ICMPV6_CODE : CTA_PROTO_ICMP_CODE, &e->orig.icmp_code, 1); if (off < 0) return -1;
    }
    plumb_ct_end(buf, pr, off);
    plumb_ct_end(buf, tuple, off);
    uint16_t zone = htons(e->zone);
    off = plumb_ct_put(buf, off, cap, CTA_ZONE, &zone, 2); if (off < 0) return -1;
    if (e->id) { uint32_t id = htonl(e->id); off = plumb_ct_put(buf, off, cap, CTA_ID, &id, 4); if (off < 0) return -1; }
    return off;
}

/// Deletes the entry `e` describes and waits for the kernel's answer. Returns 0, or a negative errno
/// (-ENOENT: it was already gone, or its id changed: a new connection took the tuple).
static inline int plumb_ct_delete(int fd, const struct plumb_ct *e, uint32_t seq) {
    char attrs[256];
    int alen = plumb_ct_delete_attrs(e, attrs, sizeof attrs);
    if (alen < 0) return -EINVAL;
    int err = plumb_ct_send(fd, IPCTNL_MSG_CT_DELETE, NLM_F_ACK, e->family, seq, attrs, alen);
    if (err < 0) return err;
    unsigned char buf[4096];
    for (;;) {
        ssize_t got = recv(fd, buf, sizeof buf, 0);
        if (got < 0) { if (errno == EINTR) continue; return -errno; }
        int rem = (int)got;
        for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf; NLMSG_OK(h, rem); h = NLMSG_NEXT(h, rem)) {
            if (h->nlmsg_seq == seq && h->nlmsg_type == NLMSG_ERROR)
                return ((const struct nlmsgerr *)NLMSG_DATA(h))->error;
        }
    }
}

#endif

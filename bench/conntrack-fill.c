// Fills the conntrack table of the namespace it runs in with N TCP ESTABLISHED entries (10.213.A.B:P ->
// 10.214.0.1:80, every 50th with a DNAT-style reply tuple), over ctnetlink, many IPCTNL_MSG_CT_NEW messages per
// send: `conntrack -I` in a loop costs a process per entry (minutes for 100,000), this takes about a second.
// Usage: conntrack-fill N
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char *put(char *p, int type, const void *data, int len) {
    struct nlattr *a = (struct nlattr *)p;
    a->nla_type = type; a->nla_len = NLA_HDRLEN + len;
    memcpy(p + NLA_HDRLEN, data, len);
    memset(p + NLA_HDRLEN + len, 0, NLA_ALIGN(a->nla_len) - a->nla_len);
    return p + NLA_ALIGN(a->nla_len);
}
static char *begin(char *p, int type) { ((struct nlattr *)p)->nla_type = type | NLA_F_NESTED; return p + NLA_HDRLEN; }
static void end(char *start, char *p) { ((struct nlattr *)start)->nla_len = p - start; }

static char *tuple(char *p, int type, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport) {
    char *t = p; p = begin(p, type);
    char *ip = p; p = begin(p, CTA_TUPLE_IP);
    p = put(p, CTA_IP_V4_SRC, &src, 4); p = put(p, CTA_IP_V4_DST, &dst, 4); end(ip, p);
    char *pr = p; p = begin(p, CTA_TUPLE_PROTO);
    uint8_t proto = 6; p = put(p, CTA_PROTO_NUM, &proto, 1);
    p = put(p, CTA_PROTO_SRC_PORT, &sport, 2); p = put(p, CTA_PROTO_DST_PORT, &dport, 2); end(pr, p);
    end(t, p);
    return p;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 100000;
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { perror("netlink"); return 1; }
    int rcv = 8 << 20; setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv);
    static char buf[1 << 16];
    int failed = 0;
    char err[8192];
    for (int i = 0; i < n;) {
        char *p = buf;
        for (; i < n && p - buf < (int)sizeof buf - 512; i++) {
            struct nlmsghdr *h = (struct nlmsghdr *)p;
            h->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
            h->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
            h->nlmsg_seq = i; h->nlmsg_pid = 0;
            struct nfgenmsg *g = (struct nfgenmsg *)NLMSG_DATA(h);
            g->nfgen_family = AF_INET; g->version = NFNETLINK_V0; g->res_id = 0;
            char *q = (char *)g + NLMSG_ALIGN(sizeof *g);
            uint32_t src = htonl(0x0AD50000u | (uint32_t)(1 + i / 50000) << 8 | (uint32_t)(1 + (i / 250) % 200));
            uint32_t dst = htonl(0x0AD60001u);
            uint16_t sport = htons(1024 + i % 50000 + 0), dport = htons(80);
            // every 50th: the server answered from another address (DNAT to 10.214.1.X:8080)
            uint32_t rsrc = i % 50 == 0 ? htonl(0x0AD60100u | (uint32_t)(i % 250)) : dst;
            uint16_t rsport = i % 50 == 0 ? htons(8080) : dport;
            q = tuple(q, CTA_TUPLE_ORIG, src, dst, sport, dport);
            q = tuple(q, CTA_TUPLE_REPLY, rsrc, src, rsport, sport);
            uint32_t timeout = htonl(3600); q = put(q, CTA_TIMEOUT, &timeout, 4);
            uint32_t status = htonl(1 << 1 | 1 << 2 | 1 << 3); q = put(q, CTA_STATUS, &status, 4);  // SEEN_REPLY, ASSURED, CONFIRMED (as conntrack -I)
            char *pi = q; q = begin(q, CTA_PROTOINFO);
            char *tcp = q; q = begin(q, CTA_PROTOINFO_TCP);
            uint8_t state = TCP_CONNTRACK_ESTABLISHED; q = put(q, CTA_PROTOINFO_TCP_STATE, &state, 1);
            end(tcp, q); end(pi, q);
            h->nlmsg_len = q - p;
            p += NLMSG_ALIGN(h->nlmsg_len);
        }
        if (send(fd, buf, p - buf, 0) < 0) { perror("send"); return 1; }
        // Errors come back as NLMSG_ERROR (no ACKs were asked for): count them without waiting.
        for (;;) {
            ssize_t got = recv(fd, err, sizeof err, MSG_DONTWAIT);
            if (got <= 0) break;
            int rem = got;
            for (struct nlmsghdr *h = (struct nlmsghdr *)err; NLMSG_OK(h, rem); h = NLMSG_NEXT(h, rem))
                if (h->nlmsg_type == NLMSG_ERROR && ((struct nlmsgerr *)NLMSG_DATA(h))->error) { if (!failed) fprintf(stderr, "conntrack-fill: %s\n", strerror(-((struct nlmsgerr *)NLMSG_DATA(h))->error)); failed++; }
        }
    }
    if (failed) fprintf(stderr, "conntrack-fill: %d entries were refused\n", failed);
    return failed ? 1 : 0;
}

// The kernel's extended ACK: with NETLINK_EXT_ACK set, an error reply carries a text saying what was wrong
// ("Nexthop has invalid gateway"). libnl only logs it; this error callback copies it into a buffer the caller
// owns, and then lets libnl report the error code as before (NL_STOP).
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <linux/netlink.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>

#define PLUMB_EXTACK_LEN 256

struct plumb_extack { char message[PLUMB_EXTACK_LEN]; };

static inline int plumb_extack_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg) {
    (void)nla;
    struct plumb_extack *ack = (struct plumb_extack *)arg;
    ack->message[0] = 0;
    // The error message's own header sits right before its payload (the nlmsgerr).
    struct nlmsghdr *h = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
    if (!(h->nlmsg_flags & NLM_F_ACK_TLVS)) return NL_STOP;
    // TLVs follow the nlmsgerr, after the echoed request unless the reply was capped to its header.
    size_t off = sizeof(*e);
    if (!(h->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len > NLMSG_HDRLEN) off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
    size_t payload = h->nlmsg_len - NLMSG_HDRLEN;
    if (payload <= off) return NL_STOP;
    struct nlattr *attr;
    int rem;
    nla_for_each_attr(attr, (struct nlattr *)((char *)e + off), (int)(payload - off), rem) {
        if (nla_type(attr) == NLMSGERR_ATTR_MSG && nla_len(attr) > 0) {
            size_t n = (size_t)nla_len(attr);
            if (n >= PLUMB_EXTACK_LEN) n = PLUMB_EXTACK_LEN - 1;
            memcpy(ack->message, nla_data(attr), n);
            ack->message[n] = 0;
            break;
        }
    }
    return NL_STOP;
}

/// Asks the kernel for extended ACKs on `sk` (capped: the request is not echoed back) and routes error replies
/// through plumb_extack_cb into `ack`, which must outlive the socket's use. Returns 0 or a negative errno.
static inline int plumb_enable_extack(struct nl_sock *sk, struct plumb_extack *ack) {
    int one = 1;
    int fd = nl_socket_get_fd(sk);
    if (setsockopt(fd, 270 /* SOL_NETLINK */, NETLINK_EXT_ACK, &one, sizeof one) < 0) return -errno;
    (void)setsockopt(fd, 270 /* SOL_NETLINK */, NETLINK_CAP_ACK, &one, sizeof one);
    struct nl_cb *cb = nl_socket_get_cb(sk);
    if (!cb) return -ENOMEM;
    nl_cb_err(cb, NL_CB_CUSTOM, plumb_extack_cb, ack);
    nl_cb_put(cb);
    return 0;
}

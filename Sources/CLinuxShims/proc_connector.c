#include "ProcConnector.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/connector.h>
#include <linux/cn_proc.h>

int plumb_proc_connector_open(void) {
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
    if (fd < 0) return -1;
    int size = 1 << 20;  // a fork storm fills the default queue in milliseconds
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC, .nl_pid = 0 };
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) goto fail;
    struct {
        struct nlmsghdr nl;
        struct cn_msg cn;
        enum proc_cn_mcast_op op;
    } __attribute__((packed)) req;
    memset(&req, 0, sizeof req);
    req.nl.nlmsg_len = sizeof req;
    req.nl.nlmsg_type = NLMSG_DONE;
    req.cn.id.idx = CN_IDX_PROC;
    req.cn.id.val = CN_VAL_PROC;
    req.cn.len = sizeof req.op;
    req.op = PROC_CN_MCAST_LISTEN;
    if (send(fd, &req, sizeof req, 0) < 0) goto fail;
    return fd;
fail:;
    int e = errno;
    close(fd);
    errno = e;
    return -1;
}

int plumb_proc_connector_read(int fd, plumb_proc_event *events, int max) {
    int n = 0;
    char buf[8192] __attribute__((aligned(8)));
    while (n < max) {
        ssize_t len = recv(fd, buf, sizeof buf, 0);
        if (len < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (errno == EINTR) continue;
            return -1;
        }
        for (struct nlmsghdr *nl = (struct nlmsghdr *)buf; NLMSG_OK(nl, (size_t)len) && n < max;
             nl = NLMSG_NEXT(nl, len)) {
            if (nl->nlmsg_type != NLMSG_DONE) continue;
            struct cn_msg *cn = NLMSG_DATA(nl);
            if (cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC) continue;
            struct proc_event *ev = (struct proc_event *)cn->data;
            switch (ev->what) {
            case PROC_EVENT_FORK:
                events[n++] = (plumb_proc_event){ PLUMB_PROC_FORK, ev->event_data.fork.child_pid,
                                                  ev->event_data.fork.child_tgid };
                break;
            case PROC_EVENT_EXEC:
                events[n++] = (plumb_proc_event){ PLUMB_PROC_EXEC, ev->event_data.exec.process_pid,
                                                  ev->event_data.exec.process_tgid };
                break;
            case PROC_EVENT_EXIT:
                events[n++] = (plumb_proc_event){ PLUMB_PROC_EXIT, ev->event_data.exit.process_pid,
                                                  ev->event_data.exit.process_tgid };
                break;
            default:
                break;
            }
        }
    }
    return n;
}

#include "Epoll.h"
#include <errno.h>
#include <sys/epoll.h>

int plumb_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int plumb_epoll_add(int epfd, int fd, uint64_t token) {
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = token };
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int plumb_epoll_wait(int epfd, uint64_t *tokens, int max, int timeout_ms) {
    struct epoll_event evs[256];
    if (max > 256) max = 256;
    int n;
    do { n = epoll_wait(epfd, evs, max, timeout_ms); } while (n < 0 && errno == EINTR);
    for (int i = 0; i < n; i++) tokens[i] = evs[i].data.u64;
    return n;
}

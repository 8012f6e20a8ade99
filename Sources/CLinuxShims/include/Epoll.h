#ifndef PLUMB_EPOLL_H
#define PLUMB_EPOLL_H
#include <stdint.h>

/// epoll, wrapped: struct epoll_event is packed on x86-64, which Swift cannot import with the right layout.
int plumb_epoll_create(void);
/// Watches `fd` for input, level-triggered; `token` comes back from plumb_epoll_wait.
int plumb_epoll_add(int epfd, int fd, uint64_t token);
/// Waits up to timeout_ms; fills up to `max` tokens of ready fds; returns their count (0 on timeout, -1 error).
int plumb_epoll_wait(int epfd, uint64_t *tokens, int max, int timeout_ms);

#endif

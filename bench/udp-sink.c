// udp-sink PORT SECONDS: receives UDP datagrams on PORT for SECONDS with recvmmsg and prints how many it got.
// The drops benchmark's receiver: it must keep up, so that the forwarded traffic is consumed, not dropped.
#define _GNU_SOURCE
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: udp-sink PORT SECONDS\n"); return 2; }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int big = 32 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])) };
    if (fd < 0 || bind(fd, (void *)&a, sizeof a) != 0) { perror("udp-sink"); return 1; }
    struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    enum { BATCH = 256 };
    static char bufs[BATCH][256];
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = bufs[i]; iov[i].iov_len = sizeof bufs[i];
        msgs[i].msg_hdr.msg_iov = &iov[i]; msgs[i].msg_hdr.msg_iovlen = 1;
    }
    struct timespec s, t;
    clock_gettime(CLOCK_MONOTONIC, &s);
    unsigned long long got = 0;
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - s.tv_sec + (t.tv_nsec - s.tv_nsec) / 1e9 >= atof(argv[2])) break;
        int n = recvmmsg(fd, msgs, BATCH, 0, NULL);
        if (n > 0) got += n;
    }
    printf("%llu\n", got);
    return 0;
}

// udp-sender DST PORT PPS SECONDS [PAYLOAD]: sends UDP datagrams of PAYLOAD bytes (default 22: 64-byte
// Ethernet frames) to DST:PORT at PPS packets per second (0: as fast as it can) for SECONDS, in sendmmsg
// batches, and prints how many it sent. Built by bench/capture.sh; Debian has no packet generator that paces
// small UDP packets exactly.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: udp-sender DST PORT PPS SECONDS [PAYLOAD]\n"); return 2; }
    double pps = atof(argv[3]), seconds = atof(argv[4]);
    int payload = argc > 5 ? atoi(argv[5]) : 22;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
    if (fd < 0 || inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1 || connect(fd, (void *)&dst, sizeof dst) != 0) {
        perror("udp-sender"); return 1;
    }
    enum { BATCH = 64 };
    char buf[2048] = {0};
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = buf; iov[i].iov_len = payload;
        msgs[i].msg_hdr.msg_iov = &iov[i]; msgs[i].msg_hdr.msg_iovlen = 1;
    }
    unsigned long long sent = 0;
    double start = now(), end = start + seconds;
    for (;;) {
        double t = now();
        if (t >= end) break;
        long want = BATCH;
        if (pps > 0) {
            double due = (t - start) * pps - (double)sent;
            if (due < 1) { struct timespec s = {0, 50000}; nanosleep(&s, NULL); continue; }
            if (due < want) want = (long)due;
        }
        int n = sendmmsg(fd, msgs, want, 0);
        if (n > 0) sent += n;
    }
    printf("%llu %.3f\n", sent, now() - start);
    return 0;
}

#include "probe.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

static socklen_t fill(struct sockaddr_storage *ss, int family, const uint8_t *addr, uint16_t port) {
    memset(ss, 0, sizeof *ss);
    if (family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        if (addr) memcpy(&a->sin_addr, addr, 4);
        return sizeof *a;
    }
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    if (addr) memcpy(&a->sin6_addr, addr, 16);
    return sizeof *a;
}

int plumb_probe_open(int family, int proto, const uint8_t *src, uint16_t *port) {
    int type = proto == 6 ? SOCK_STREAM : proto == 17 ? SOCK_DGRAM : SOCK_RAW;
    int fd = socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
    if (fd < 0) return -errno;
    if (src || proto == 6 || proto == 17) {
        struct sockaddr_storage ss;
        socklen_t len = fill(&ss, family, src, 0);
        if (bind(fd, (struct sockaddr *)&ss, len) < 0) { int e = errno; close(fd); return -e; }
    }
    if (port && (proto == 6 || proto == 17)) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) { int e = errno; close(fd); return -e; }
        *port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port : ((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    return fd;
}

static uint16_t checksum(const uint8_t *p, size_t n) {
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2) sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1) sum += (uint32_t)(p[n - 1] << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

int plumb_probe_send(int fd, int family, int proto, const uint8_t *dst, uint16_t dport, uint16_t icmp_id) {
    struct sockaddr_storage ss;
    socklen_t len = fill(&ss, family, dst, proto == 6 || proto == 17 ? dport : 0);
    if (proto == 6) {
        if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) return -errno;
        return 0;
    }
    static const char payload[] = "plumb live trace probe";
    if (proto == 17) {
        if (sendto(fd, payload, sizeof payload - 1, 0, (struct sockaddr *)&ss, len) < 0) return -errno;
        return 0;
    }
    // ICMP echo request: type, code, checksum, id, sequence 1, payload. ICMPv6's checksum is the kernel's.
    uint8_t packet[8 + sizeof payload - 1];
    memset(packet, 0, sizeof packet);
    packet[0] = proto == 58 ? 128 : 8;
    packet[4] = (uint8_t)(icmp_id >> 8);
    packet[5] = (uint8_t)icmp_id;
    packet[7] = 1;
    memcpy(packet + 8, payload, sizeof payload - 1);
    if (proto == 1) {
        uint16_t c = checksum(packet, sizeof packet);
        packet[2] = (uint8_t)(c >> 8);
        packet[3] = (uint8_t)c;
    }
    if (sendto(fd, packet, sizeof packet, 0, (struct sockaddr *)&ss, len) < 0) return -errno;
    return 0;
}

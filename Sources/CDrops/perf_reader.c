// The fallback drop reader: the bare skb:kfree_skb tracepoint through perf_event_open, one event per CPU with
// its own mmap'ed ring. It needs no BPF and no BTF, but a tracepoint record carries only the packet's
// address, the code location, the protocol and the reason: no namespace, device or addresses.
#include "CDrops.h"
#include <errno.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#define RING_PAGES 128   // per CPU, plus the metadata page: 512 KiB holds ~8,000 records
#define MAX_BATCH (1 << 17)

struct plumb_perf_drops {
    int ncpu;
    int *fds;
    void **rings;
    size_t ring_bytes, page;
    plumb_kfree_skb_layout layout;
    plumb_drop_event *events;
    size_t count, capacity;
    uint64_t seen, lost;
    unsigned char *scratch;   // a record that wraps around the ring's end, copied whole
};

void plumb_perf_drops_close(plumb_perf_drops *h) {
    if (!h) return;
    for (int i = 0; i < h->ncpu; i++) {
        if (h->rings && h->rings[i]) munmap(h->rings[i], h->page + h->ring_bytes);
        if (h->fds && h->fds[i] >= 0) close(h->fds[i]);
    }
    free(h->fds); free(h->rings); free(h->events); free(h->scratch);
    free(h);
}

int plumb_perf_drops_open(uint64_t tracepoint_id, plumb_kfree_skb_layout layout, plumb_perf_drops **out,
                          char *err, size_t errlen) {
    *out = NULL;
    plumb_perf_drops *h = calloc(1, sizeof *h);
    if (!h) { snprintf(err, errlen, "out of memory"); return -ENOMEM; }
    h->layout = layout;
    h->ncpu = get_nprocs_conf();
    h->page = (size_t)sysconf(_SC_PAGESIZE);
    h->ring_bytes = RING_PAGES * h->page;
    h->fds = malloc(sizeof(int) * h->ncpu);
    h->rings = calloc(h->ncpu, sizeof(void *));
    h->scratch = malloc(65536);
    if (!h->fds || !h->rings || !h->scratch) { plumb_perf_drops_close(h); snprintf(err, errlen, "out of memory"); return -ENOMEM; }
    for (int i = 0; i < h->ncpu; i++) h->fds[i] = -1;

    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.type = PERF_TYPE_TRACEPOINT;
    attr.size = sizeof attr;
    attr.config = tracepoint_id;
    attr.sample_period = 1;
    attr.sample_type = PERF_SAMPLE_TIME | PERF_SAMPLE_RAW;
    attr.use_clockid = 1;
    attr.clockid = CLOCK_MONOTONIC;   // the same clock as the BPF path's bpf_ktime_get_ns
    attr.watermark = 1;
    attr.wakeup_watermark = (uint32_t)(h->ring_bytes / 4);   // the reader also wakes every 100 ms by itself
    int opened = 0, last_errno = 0;
    for (int cpu = 0; cpu < h->ncpu; cpu++) {
        int fd = (int)syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
        if (fd < 0) { last_errno = errno; continue; }   // an offline CPU
        void *ring = mmap(NULL, h->page + h->ring_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (ring == MAP_FAILED) { last_errno = errno; close(fd); continue; }
        h->fds[cpu] = fd;
        h->rings[cpu] = ring;
        opened++;
    }
    if (opened == 0) {
        snprintf(err, errlen, "perf_event_open on skb:kfree_skb (id %llu): %s", (unsigned long long)tracepoint_id,
                 strerror(last_errno));
        plumb_perf_drops_close(h);
        return -last_errno;
    }
    for (int cpu = 0; cpu < h->ncpu; cpu++)
        if (h->fds[cpu] >= 0) ioctl(h->fds[cpu], PERF_EVENT_IOC_ENABLE, 0);
    *out = h;
    return 0;
}

static void copy_out(void *dst, const unsigned char *raw, uint32_t raw_size, int offset, int size) {
    if (offset >= 0 && (uint32_t)(offset + size) <= raw_size) memcpy(dst, raw + offset, (size_t)size);
}

static void add_sample(plumb_perf_drops *h, const unsigned char *rec, size_t rec_size) {
    // PERF_SAMPLE_TIME then PERF_SAMPLE_RAW: u64 time; u32 size; raw bytes.
    if (rec_size < sizeof(struct perf_event_header) + 12) return;
    const unsigned char *p = rec + sizeof(struct perf_event_header);
    uint64_t time; uint32_t raw_size;
    memcpy(&time, p, 8); memcpy(&raw_size, p + 8, 4);
    const unsigned char *raw = p + 12;
    if (12 + sizeof(struct perf_event_header) + raw_size > rec_size) return;
    if ((int)raw_size < h->layout.record_size) return;
    uint32_t reason = 0;
    copy_out(&reason, raw, raw_size, h->layout.reason_offset, h->layout.reason_size > 4 ? 4 : h->layout.reason_size);
    if (reason == 1) return;   // SKB_CONSUMED: a normal free
    h->seen++;
    if (h->count == h->capacity) {
        if (h->capacity >= MAX_BATCH) { h->lost++; return; }
        size_t cap = h->capacity ? h->capacity * 2 : 1024;
        plumb_drop_event *grown = realloc(h->events, cap * sizeof *grown);
        if (!grown) { h->lost++; return; }
        h->events = grown; h->capacity = cap;
    }
    plumb_drop_event *e = &h->events[h->count++];
    memset(e, 0, sizeof *e);
    e->timestamp_ns = time;
    e->reason = reason;
    copy_out(&e->location, raw, raw_size, h->layout.location_offset, 8);
    copy_out(&e->l3_protocol, raw, raw_size, h->layout.protocol_offset, 2);
}

static void drain(plumb_perf_drops *h, int cpu) {
    struct perf_event_mmap_page *meta = h->rings[cpu];
    unsigned char *data = (unsigned char *)meta + h->page;
    uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
    uint64_t tail = meta->data_tail;
    while (tail < head) {
        size_t off = (size_t)(tail % h->ring_bytes);
        struct perf_event_header hdr;
        if (off + sizeof hdr <= h->ring_bytes) {
            memcpy(&hdr, data + off, sizeof hdr);
        } else {
            size_t first = h->ring_bytes - off;
            memcpy(&hdr, data + off, first);
            memcpy((unsigned char *)&hdr + first, data, sizeof hdr - first);
        }
        if (hdr.size == 0) break;
        const unsigned char *rec = data + off;
        if (off + hdr.size > h->ring_bytes) {   // wraps: copy both halves
            size_t first = h->ring_bytes - off;
            memcpy(h->scratch, data + off, first);
            memcpy(h->scratch + first, data, hdr.size - first);
            rec = h->scratch;
        }
        if (hdr.type == PERF_RECORD_SAMPLE) {
            add_sample(h, rec, hdr.size);
        } else if (hdr.type == PERF_RECORD_LOST && hdr.size >= sizeof hdr + 16) {
            uint64_t lost;
            memcpy(&lost, rec + sizeof hdr + 8, 8);
            h->lost += lost;
            h->seen += lost;
        }
        tail += hdr.size;
    }
    __atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
}

int plumb_perf_drops_poll(plumb_perf_drops *h, int timeout_ms) {
    h->count = 0;
    struct pollfd pfds[h->ncpu];
    int n = 0;
    for (int cpu = 0; cpu < h->ncpu; cpu++)
        if (h->fds[cpu] >= 0) pfds[n++] = (struct pollfd){ .fd = h->fds[cpu], .events = POLLIN };
    if (poll(pfds, (nfds_t)n, timeout_ms) < 0 && errno != EINTR) return -errno;
    for (int cpu = 0; cpu < h->ncpu; cpu++)
        if (h->rings[cpu]) drain(h, cpu);
    return (int)h->count;
}

const plumb_drop_event *plumb_perf_drops_events(const plumb_perf_drops *h) { return h->events; }

void plumb_perf_drops_counters(plumb_perf_drops *h, uint64_t *seen, uint64_t *lost) {
    *seen = h->seen; *lost = h->lost;
}

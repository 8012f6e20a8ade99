// The BPF drop watcher's user-space half. libbpf is loaded with dlopen on first use, like libpcap: every other
// plumb command starts without it (and without libelf and zlib), and a host without libbpf falls back to the
// perf tracepoint instead of failing to start. The few libbpf entry points used are declared here with opaque
// types, so the build needs no libbpf headers either.
#include "CDrops.h"
#include "drops_bpf_object.h"
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bpf_object; struct bpf_program; struct bpf_map; struct bpf_link; struct ring_buffer;
typedef int (*ring_buffer_sample_fn)(void *ctx, void *data, size_t size);
typedef int (*libbpf_print_fn_t)(int level, const char *, va_list ap);

static struct {
    struct bpf_object *(*open_mem)(const void *, size_t, const void *);
    int (*load)(struct bpf_object *);
    void (*close)(struct bpf_object *);
    struct bpf_program *(*find_program)(const struct bpf_object *, const char *);
    struct bpf_map *(*find_map)(const struct bpf_object *, const char *);
    int (*map_fd)(const struct bpf_map *);
    struct bpf_link *(*attach)(const struct bpf_program *);
    int (*link_destroy)(struct bpf_link *);
    struct ring_buffer *(*rb_new)(int, ring_buffer_sample_fn, void *, const void *);
    int (*rb_poll)(struct ring_buffer *, int);
    int (*rb_consume)(struct ring_buffer *);
    void (*rb_free)(struct ring_buffer *);
    int (*lookup)(int, const void *, void *);
    int (*update)(int, const void *, const void *, uint64_t);
    int (*lookup_and_delete_batch)(int, void *, void *, void *, void *, uint32_t *, const void *);
    int (*num_cpus)(void);
    libbpf_print_fn_t (*set_print)(libbpf_print_fn_t);
} api;

static char load_error[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

// libbpf's last warning, kept to explain a failed load in one line (it prints the verifier log otherwise).
static __thread char last_warning[200];
static int print_to_buffer(int level, const char *fmt, va_list ap) {
    if (level > 0) return 0;   // LIBBPF_WARN only
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strcspn(line, "\n");
    if (n == 0) return 0;
    line[n] = 0;
    snprintf(last_warning, sizeof last_warning, "%s", line);
    return 0;
}

static void load(void) {
    void *lib = dlopen("libbpf.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = dlopen("libbpf.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(load_error, sizeof load_error, "libbpf cannot be loaded (%s): apt install libbpf1", dlerror());
        return;
    }
#define SYM(field, name) \
    if (!(*(void **)&api.field = dlsym(lib, name))) { \
        snprintf(load_error, sizeof load_error, "libbpf has no %s: Plumb needs libbpf 1.0 or newer", name); \
        return; \
    }
    SYM(open_mem, "bpf_object__open_mem")
    SYM(load, "bpf_object__load")
    SYM(close, "bpf_object__close")
    SYM(find_program, "bpf_object__find_program_by_name")
    SYM(find_map, "bpf_object__find_map_by_name")
    SYM(map_fd, "bpf_map__fd")
    SYM(attach, "bpf_program__attach")
    SYM(link_destroy, "bpf_link__destroy")
    SYM(rb_new, "ring_buffer__new")
    SYM(rb_poll, "ring_buffer__poll")
    SYM(rb_consume, "ring_buffer__consume")
    SYM(rb_free, "ring_buffer__free")
    SYM(lookup, "bpf_map_lookup_elem")
    SYM(update, "bpf_map_update_elem")
    SYM(lookup_and_delete_batch, "bpf_map_lookup_and_delete_batch")
    SYM(num_cpus, "libbpf_num_possible_cpus")
    SYM(set_print, "libbpf_set_print")
#undef SYM
    api.set_print(print_to_buffer);
}

// The reader keeps at most this many events between two takes; past it, events count as lost.
#define MAX_BATCH (1 << 17)

// The BPF program's tally value (struct drop_tally in bpf/drops.bpf.c): a spin lock's word, the count, the newest
// drop.
typedef struct {
    uint32_t lock;
    uint32_t pad;
    uint64_t count;
    plumb_drop_event newest;
} bpf_drop_tally;
_Static_assert(sizeof(bpf_drop_tally) == 16 + sizeof(plumb_drop_event), "the BPF tally's layout");

// libbpf's struct bpf_map_batch_opts (libbpf 1.x), and the kernel's BPF_F_LOCK: copy each value under its lock.
typedef struct { size_t sz; uint64_t elem_flags; uint64_t flags; } batch_opts;
#define PLUMB_BPF_F_LOCK 4
// Entries taken per batch call: a hash bucket must fit (ENOSPC otherwise), and a few calls take the whole map.
#define TALLY_CHUNK 4096

struct plumb_bpf_drops {
    struct bpf_object *obj;
    struct bpf_link *link;
    struct ring_buffer *rb;
    int counters_fd;
    int config_fd;
    int tallies_fd;
    int cpus;
    plumb_drop_event *events;
    size_t count, capacity;
    uint64_t batch_lost;
    // The last tallies taken, and the buffers the batch calls fill.
    plumb_drop_tally *tallies;
    size_t tally_count, tally_capacity;
    plumb_drop_tally_key *keys;
    bpf_drop_tally *values;
};

static int on_event(void *ctx, void *data, size_t size) {
    struct plumb_bpf_drops *h = ctx;
    if (size < sizeof(plumb_drop_event)) return 0;
    if (h->count == h->capacity) {
        if (h->capacity >= MAX_BATCH) { h->batch_lost++; return 0; }
        size_t cap = h->capacity ? h->capacity * 2 : 1024;
        plumb_drop_event *grown = realloc(h->events, cap * sizeof *grown);
        if (!grown) { h->batch_lost++; return 0; }
        h->events = grown;
        h->capacity = cap;
    }
    memcpy(&h->events[h->count++], data, sizeof(plumb_drop_event));
    return 0;
}

static int fail(plumb_bpf_drops *h, int rc, char *err, size_t errlen, const char *what) {
    if (last_warning[0])
        snprintf(err, errlen, "%s: %s (%s)", what, strerror(rc < 0 ? -rc : rc), last_warning);
    else
        snprintf(err, errlen, "%s: %s", what, strerror(rc < 0 ? -rc : rc));
    plumb_bpf_drops_close(h);
    return rc < 0 ? rc : -rc;
}

int plumb_bpf_drops_open(plumb_bpf_drops **out, char *err, size_t errlen) {
    *out = NULL;
    pthread_once(&once, load);
    if (load_error[0]) { snprintf(err, errlen, "%s", load_error); return -ENOENT; }
    last_warning[0] = 0;
    plumb_bpf_drops *h = calloc(1, sizeof *h);
    if (!h) { snprintf(err, errlen, "out of memory"); return -ENOMEM; }
    h->counters_fd = -1;
    h->config_fd = -1;
    h->tallies_fd = -1;
    h->obj = api.open_mem(plumb_drops_bpf_object, sizeof plumb_drops_bpf_object, NULL);
    if (!h->obj) return fail(h, errno ? errno : EINVAL, err, errlen, "opening the BPF object");
    int rc = api.load(h->obj);
    if (rc) return fail(h, rc, err, errlen, "loading the BPF program (it needs CAP_BPF and kernel BTF)");
    struct bpf_program *prog = api.find_program(h->obj, "plumb_kfree_skb");
    struct bpf_map *events = api.find_map(h->obj, "events");
    struct bpf_map *counters = api.find_map(h->obj, "counters");
    struct bpf_map *config = api.find_map(h->obj, "config");
    struct bpf_map *tallies = api.find_map(h->obj, "tallies");
    if (!prog || !events || !counters || !config || !tallies)
        return fail(h, ENOENT, err, errlen, "the BPF object lacks its program or maps");
    h->link = api.attach(prog);
    if (!h->link) return fail(h, errno ? errno : EINVAL, err, errlen, "attaching to tp_btf/kfree_skb");
    h->rb = api.rb_new(api.map_fd(events), on_event, h, NULL);
    if (!h->rb) return fail(h, errno ? errno : EINVAL, err, errlen, "opening the BPF ring buffer");
    h->counters_fd = api.map_fd(counters);
    h->config_fd = api.map_fd(config);
    h->tallies_fd = api.map_fd(tallies);
    h->cpus = api.num_cpus();
    if (h->cpus <= 0) h->cpus = 1;
    *out = h;
    return 0;
}

int plumb_bpf_drops_poll(plumb_bpf_drops *h, int timeout_ms) {
    h->count = 0;
    // The program wakes the reader only for a backlog (BPF_RB_NO_WAKEUP otherwise), and ring_buffer__poll
    // reads only rings that woke it: after the timeout, consume what arrived quietly.
    int rc = api.rb_poll(h->rb, timeout_ms);
    if (rc < 0 && rc != -EINTR) return rc;
    rc = api.rb_consume(h->rb);
    if (rc < 0 && rc != -EINTR) return rc;
    return (int)h->count;
}

const plumb_drop_event *plumb_bpf_drops_events(const plumb_bpf_drops *h) { return h->events; }

void plumb_bpf_drops_counters(plumb_bpf_drops *h, uint64_t *seen, uint64_t *lost) {
    *seen = 0; *lost = h->batch_lost;
    if (h->counters_fd < 0) return;
    uint64_t values[h->cpus];
    for (uint32_t key = 0; key < 2; key++) {
        memset(values, 0, sizeof values);
        if (api.lookup(h->counters_fd, &key, values) != 0) continue;
        uint64_t sum = 0;
        for (int c = 0; c < h->cpus; c++) sum += values[c];
        if (key == 0) *seen = sum; else *lost += sum;
    }
}

uint64_t plumb_bpf_drops_tallied(plumb_bpf_drops *h) {
    if (h->counters_fd < 0) return 0;
    uint64_t values[h->cpus];
    memset(values, 0, sizeof values);
    uint32_t key = 2;
    if (api.lookup(h->counters_fd, &key, values) != 0) return 0;
    uint64_t sum = 0;
    for (int c = 0; c < h->cpus; c++) sum += values[c];
    return sum;
}

int plumb_bpf_drops_set_tallying(plumb_bpf_drops *h, int on) {
    uint32_t key = 0, value = on ? 1 : 0;
    int rc = api.update(h->config_fd, &key, &value, 0);
    return rc < 0 ? (errno ? -errno : rc) : 0;
}

int plumb_bpf_drops_take_tallies(plumb_bpf_drops *h) {
    h->tally_count = 0;
    if (!h->keys) {
        h->keys = malloc(TALLY_CHUNK * sizeof *h->keys);
        h->values = malloc(TALLY_CHUNK * sizeof *h->values);
        if (!h->keys || !h->values) return -ENOMEM;
    }
    batch_opts opts = { sizeof opts, PLUMB_BPF_F_LOCK, 0 };
    // The batch position is a hash bucket's number (u32); a u64 leaves room.
    uint64_t in = 0, out = 0;
    int first = 1;
    for (;;) {
        uint32_t n = TALLY_CHUNK;
        errno = 0;
        int rc = api.lookup_and_delete_batch(h->tallies_fd, first ? NULL : &in, &out, h->keys, h->values, &n, &opts);
        int e = rc < 0 ? (errno ? errno : -rc) : 0;
        if (rc < 0 && e != ENOENT) return -e;
        if (h->tally_count + n > h->tally_capacity) {
            size_t cap = h->tally_capacity ? h->tally_capacity : 1024;
            while (cap < h->tally_count + n) cap *= 2;
            plumb_drop_tally *grown = realloc(h->tallies, cap * sizeof *grown);
            if (!grown) return -ENOMEM;
            h->tallies = grown;
            h->tally_capacity = cap;
        }
        for (uint32_t i = 0; i < n; i++) {
            plumb_drop_tally *t = &h->tallies[h->tally_count++];
            t->newest = h->values[i].newest;
            t->count = h->values[i].count;
        }
        if (rc < 0) break;   // ENOENT: the last entries came with this call
        in = out;
        first = 0;
    }
    return (int)h->tally_count;
}

const plumb_drop_tally *plumb_bpf_drops_tallies(const plumb_bpf_drops *h) { return h->tallies; }

void plumb_bpf_drops_close(plumb_bpf_drops *h) {
    if (!h) return;
    if (h->rb) api.rb_free(h->rb);
    if (h->link) api.link_destroy(h->link);
    if (h->obj) api.close(h->obj);
    free(h->events);
    free(h->tallies);
    free(h->keys);
    free(h->values);
    free(h);
}

size_t plumb_bpf_drops_object_size(void) { return sizeof plumb_drops_bpf_object; }

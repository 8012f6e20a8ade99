// Plumb's drop watcher: runs on the skb:kfree_skb tracepoint (tp_btf, typed arguments) and reports each
// dropped packet with its namespace, device, 5-tuple, reason and location through a ring buffer; or, while
// user space asks it to tally (config[0] = 1), counts drops per namespace x interface x reason x location in a
// hash map with the newest drop of each, which user space takes (reads and deletes) once a second. A host
// whose bridges drop thousands of IPv6 multicast packets a second then costs user space one map read a second
// instead of one event per drop.
//
// Compiled once at development time (make bpf → Sources/CDrops/drops_bpf_object.h, committed): the build
// needs no clang for BPF. CO-RE: the kernel structs below declare only the fields read, with
// preserve_access_index, so libbpf relocates their offsets against /sys/kernel/btf/vmlinux when it loads
// the object; no vmlinux.h is generated or committed.
#include "drop_event.h"

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#define SKB_CONSUMED 1

struct ns_common { unsigned int inum; } __attribute__((preserve_access_index));
struct net { struct ns_common ns; __u64 net_cookie; } __attribute__((preserve_access_index));
typedef struct { struct net *net; } possible_net_t;
struct net_device { int ifindex; char name[16]; possible_net_t nd_net; } __attribute__((preserve_access_index));
struct sock_common { possible_net_t skc_net; } __attribute__((preserve_access_index));
struct sock { struct sock_common __sk_common; } __attribute__((preserve_access_index));
struct sk_buff {
    struct net_device *dev;
    struct sock *sk;
    unsigned int len;
    __be16 protocol;
    __u16 transport_header;
    __u16 network_header;
    unsigned char *head;
} __attribute__((preserve_access_index));

struct iphdr_min { __u8 ver_ihl; __u8 tos; __be16 tot_len; __be16 id; __be16 frag_off; __u8 ttl; __u8 protocol;
                   __u16 check; __be32 saddr; __be32 daddr; };
struct ipv6hdr_min { __be32 vtc_flow; __be16 payload_len; __u8 nexthdr; __u8 hop_limit; __u8 saddr[16]; __u8 daddr[16]; };

// Events to user space. 8 MiB holds ~70,000 events: 100,000 drops/s with a reader that wakes every 100 ms.
struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 8 << 20);
} events SEC(".maps");

// [0] drops seen, [1] drops the ring buffer had no room for, [2] drops tallied (per CPU; user space sums them:
// the tallies it took should add up to [2], and what they lack was counted into an entry as it was taken).
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 3);
    __type(key, __u32);
    __type(value, __u64);
} counters SEC(".maps");

// [0]: 1 = tally, 0 = send every drop to the ring buffer (written by user space).
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u32);
} config SEC(".maps");

// One tally: how many drops since user space last took it, and the newest of them. The lock keeps the newest
// drop whole: two CPUs may write it at once, and user space copies it with BPF_F_LOCK. (tp_btf programs may
// take bpf_spin_lock; the helper disables interrupts, and the program does not nest on one CPU.)
struct drop_tally {
    struct bpf_spin_lock lock;
    __u32 pad;
    __u64 count;
    struct plumb_drop_event newest;
};

// 16,384 namespace x interface x reason x location combinations a second; a drop that finds the map full is
// sent to the ring buffer instead.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16384);
    __type(key, struct plumb_drop_tally_key);
    __type(value, struct drop_tally);
} tallies SEC(".maps");

static __always_inline void count(__u32 index) {
    __u64 *c = bpf_map_lookup_elem(&counters, &index);
    if (c) *c += 1;
}

static __always_inline __u16 swap16(__u16 v) { return (v >> 8) | (v << 8); }

static __always_inline void read_netns(struct net *net, struct plumb_drop_event *e) {
    if (!net) return;
    e->netns_inode = BPF_CORE_READ(net, ns.inum);
    e->netns_cookie = BPF_CORE_READ(net, net_cookie);
}

static __always_inline void read_headers(struct sk_buff *skb, struct plumb_drop_event *e) {
    unsigned char *head = BPF_CORE_READ(skb, head);
    __u16 nh = BPF_CORE_READ(skb, network_header);
    __u16 th = BPF_CORE_READ(skb, transport_header);
    if (!head || nh == (__u16)~0U) return;
    unsigned char *l4 = 0;
    if (e->l3_protocol == 0x0800) {
        struct iphdr_min ip;
        if (bpf_probe_read_kernel(&ip, sizeof ip, head + nh)) return;
        if ((ip.ver_ihl >> 4) != 4) return;
        e->family = 4;
        __builtin_memcpy(e->saddr, &ip.saddr, 4);
        __builtin_memcpy(e->daddr, &ip.daddr, 4);
        e->l4_protocol = ip.protocol;
        if (swap16(ip.frag_off) & 0x1fff) return;   // a later fragment has no ports
        l4 = head + nh + (ip.ver_ihl & 0x0f) * 4;
    } else if (e->l3_protocol == 0x86dd) {
        struct ipv6hdr_min ip6;
        if (bpf_probe_read_kernel(&ip6, sizeof ip6, head + nh)) return;
        if ((ip6.vtc_flow & 0xf0) != 0x60) return;
        e->family = 6;
        __builtin_memcpy(e->saddr, ip6.saddr, 16);
        __builtin_memcpy(e->daddr, ip6.daddr, 16);
        e->l4_protocol = ip6.nexthdr;   // extension headers are not followed
        l4 = head + nh + 40;
    } else {
        return;
    }
    // The transport header when the stack set it past the network header (the usual case on receive).
    if (th != (__u16)~0U && th > nh) l4 = head + th;
    __u16 ports[2] = {0, 0};
    switch (e->l4_protocol) {
    case 6: case 17: case 132: case 136:   // TCP, UDP, SCTP, UDP-Lite: source and destination port first
        if (bpf_probe_read_kernel(ports, sizeof ports, l4)) return;
        e->sport = swap16(ports[0]);
        e->dport = swap16(ports[1]);
        break;
    case 1: case 58: {   // ICMP, ICMPv6: type and code, then the echo id
        __u8 tc[6];
        if (bpf_probe_read_kernel(tc, sizeof tc, l4)) return;
        e->sport = (__u16)tc[0] << 8 | tc[1];
        e->dport = (__u16)tc[4] << 8 | tc[5];
        break;
    }
    }
}

static __always_inline int tallying(void) {
    __u32 key = 0;
    __u32 *mode = bpf_map_lookup_elem(&config, &key);
    return mode && *mode == 1;
}

// Counts `e` into its tally (made with `e` as its newest drop when it is the first since user space took them).
// Returns 0 when the map is full or busy: the caller sends the drop instead.
static __always_inline int tally(const struct plumb_drop_event *e) {
    struct plumb_drop_tally_key key = {};
    key.location = e->location;
    key.netns_cookie = e->netns_cookie;
    key.netns_inode = e->netns_inode;
    key.ifindex = e->ifindex;
    key.reason = e->reason;
    struct drop_tally *t = bpf_map_lookup_elem(&tallies, &key);
    if (!t) {
        struct drop_tally fresh = {};
        __builtin_memcpy(&fresh.newest, e, sizeof *e);
        fresh.count = 1;
        if (bpf_map_update_elem(&tallies, &key, &fresh, BPF_NOEXIST) == 0) { count(2); return 1; }
        // Another CPU made it first (or the map is full): count into theirs.
        t = bpf_map_lookup_elem(&tallies, &key);
        if (!t) return 0;
    }
    __sync_fetch_and_add(&t->count, 1);
    count(2);
    bpf_spin_lock(&t->lock);
    __builtin_memcpy(&t->newest, e, sizeof *e);
    bpf_spin_unlock(&t->lock);
    return 1;
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(plumb_kfree_skb, struct sk_buff *skb, void *location, int reason) {
    if (reason == SKB_CONSUMED) return 0;   // a normal free, not a drop (older kernels route it here)
    count(0);
    struct plumb_drop_event ev;
    __builtin_memset(&ev, 0, sizeof ev);
    struct plumb_drop_event *e = &ev;
    e->timestamp_ns = bpf_ktime_get_ns();
    e->location = (__u64)location;
    e->reason = reason;
    e->length = BPF_CORE_READ(skb, len);
    e->l3_protocol = swap16(BPF_CORE_READ(skb, protocol));

    // The device, when the packet still has one: its namespace is where the packet was dropped.
    struct net_device *dev = BPF_CORE_READ(skb, dev);
    struct net *net = 0;
    if (dev) {
        // The UDP receive path reuses skb->dev as scratch space once queued; a value that is not a device
        // fails these reads and the socket's namespace is used instead.
        if (bpf_core_read(&e->ifindex, sizeof e->ifindex, &dev->ifindex) == 0 &&
            bpf_core_read(&net, sizeof net, &dev->nd_net.net) == 0 && net) {
            bpf_core_read_str(e->ifname, sizeof e->ifname, &dev->name);
        } else {
            e->ifindex = 0;
            net = 0;
        }
    }
    if (!net) {
        struct sock *sk = BPF_CORE_READ(skb, sk);
        if (sk) net = BPF_CORE_READ(sk, __sk_common.skc_net.net);
    }
    read_netns(net, e);
    read_headers(skb, e);

    if (tallying() && tally(e)) return 0;

    struct plumb_drop_event *out = bpf_ringbuf_reserve(&events, sizeof *out, 0);
    if (!out) { count(1); return 0; }
    __builtin_memcpy(out, e, sizeof *out);
    // Wake the reader only when plenty has piled up; it also wakes itself every 100 ms, so a lone drop is
    // seen within that, and a flood costs one wake-up per 256 KiB instead of one per drop.
    __u64 flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > (256 << 10) ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
    bpf_ringbuf_submit(out, flags);
    return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

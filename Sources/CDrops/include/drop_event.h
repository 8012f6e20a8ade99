// One dropped packet as the BPF program reports it through its ring buffer, and as the perf-tracepoint
// fallback fills it in (without namespace, interface or addresses). Shared by the BPF program
// (bpf/drops.bpf.c) and the user-space readers, so the layout is defined once; fixed-size fields only.
#ifndef PLUMB_DROP_EVENT_H
#define PLUMB_DROP_EVENT_H

#ifdef __bpf__
typedef unsigned long long plumb_u64;
typedef unsigned int plumb_u32;
typedef unsigned short plumb_u16;
typedef unsigned char plumb_u8;
#else
#include <stdint.h>
typedef uint64_t plumb_u64;
typedef uint32_t plumb_u32;
typedef uint16_t plumb_u16;
typedef uint8_t plumb_u8;
#endif

typedef struct plumb_drop_event {
    plumb_u64 timestamp_ns;   // CLOCK_MONOTONIC
    plumb_u64 location;       // kernel address of the code that freed the packet
    plumb_u64 netns_cookie;   // 0 when unknown (the perf fallback, or no device and no socket)
    plumb_u32 netns_inode;    // 0 when unknown
    plumb_u32 ifindex;        // 0 when the packet had no device
    plumb_u32 reason;         // enum skb_drop_reason
    plumb_u16 l3_protocol;    // ethertype, host byte order (0x0800 IPv4, 0x86dd IPv6)
    plumb_u8 l4_protocol;     // IPPROTO_*, 0 when not parsed
    plumb_u8 family;          // 4, 6, or 0 when the addresses were not read
    plumb_u8 saddr[16];       // IPv4 in the first 4 bytes
    plumb_u8 daddr[16];
    plumb_u16 sport;          // host byte order; ICMP: type << 8 | code in sport, id in dport
    plumb_u16 dport;
    plumb_u32 length;         // skb->len
    char ifname[16];          // the device's name, NUL-terminated
} plumb_drop_event;

// What the BPF program counts drops by while it tallies instead of sending each drop (the TUI with its Drops tab
// closed): one namespace x interface x reason x location, the integers user space groups drops by
// (DropWindow's RawKey). The value (the count and the newest drop, under a spin lock) is defined in the BPF
// source and mirrored in bpf_loader.c.
typedef struct plumb_drop_tally_key {
    plumb_u64 location;
    plumb_u64 netns_cookie;
    plumb_u32 netns_inode;
    plumb_u32 ifindex;
    plumb_u32 reason;
    plumb_u32 pad;            // zero: keys are compared as bytes
} plumb_drop_tally_key;

#endif

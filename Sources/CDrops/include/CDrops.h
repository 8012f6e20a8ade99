// The two ways Plumb reads dropped packets from the kernel, behind one small C API so no libbpf or perf type
// reaches Swift: the BPF watcher (libbpf, loaded with dlopen on first use, CO-RE against the kernel's BTF)
// and the bare skb:kfree_skb tracepoint through perf_event_open. Both fill plumb_drop_event records.
#ifndef PLUMB_CDROPS_H
#define PLUMB_CDROPS_H

#include <stddef.h>
#include <stdint.h>
#include "drop_event.h"

// ---- BPF (bpf_loader.c) ----
typedef struct plumb_bpf_drops plumb_bpf_drops;

/// Loads the embedded BPF object, attaches it to tp_btf/kfree_skb and opens its ring buffer. Returns 0, or a
/// negative errno with a one-line reason in `err` (libbpf missing, no BTF, the verifier's refusal, ...).
int plumb_bpf_drops_open(plumb_bpf_drops **out, char *err, size_t errlen);
/// Waits up to `timeout_ms` for events and collects what the ring buffer holds. Returns how many are ready
/// (see plumb_bpf_drops_events), or a negative errno.
int plumb_bpf_drops_poll(plumb_bpf_drops *h, int timeout_ms);
/// The events the last poll collected; valid until the next poll or close.
const plumb_drop_event *plumb_bpf_drops_events(const plumb_bpf_drops *h);
/// Drops the program saw, and those lost: no room in the ring buffer, or past the reader's batch limit.
void plumb_bpf_drops_counters(plumb_bpf_drops *h, uint64_t *seen, uint64_t *lost);
/// Tallying (on) or sending every drop (off, the default): while tallying, the program counts drops per
/// namespace x interface x reason x location with the newest of each, taken with plumb_bpf_drops_take_tallies;
/// a drop that finds the tally map full is still sent. Returns 0 or a negative errno.
int plumb_bpf_drops_set_tallying(plumb_bpf_drops *h, int on);
/// One namespace x interface x reason x location: the drops since the last take, and the newest of them (its
/// key's fields, interface name, 5-tuple and time).
typedef struct plumb_drop_tally {
    plumb_drop_event newest;
    uint64_t count;
} plumb_drop_tally;
/// Takes (reads and deletes) every tally in one pass of batch calls. Returns how many, or a negative errno
/// (EINVAL on kernels without batch operations on hash maps).
int plumb_bpf_drops_take_tallies(plumb_bpf_drops *h);
/// The tallies the last take returned; valid until the next take or close.
const plumb_drop_tally *plumb_bpf_drops_tallies(const plumb_bpf_drops *h);
/// Drops the program counted into tallies (per-CPU counter [2], summed): what the takes should add up to.
uint64_t plumb_bpf_drops_tallied(plumb_bpf_drops *h);
void plumb_bpf_drops_close(plumb_bpf_drops *h);
/// The embedded object's size (for tests and `--json` diagnostics).
size_t plumb_bpf_drops_object_size(void);

// ---- perf tracepoint fallback (perf_reader.c) ----
typedef struct plumb_perf_drops plumb_perf_drops;

/// Where skb:kfree_skb's fields are in its raw record, from the tracepoint's format file.
typedef struct plumb_kfree_skb_layout {
    int location_offset;
    int protocol_offset;
    int reason_offset;
    int reason_size;
    int record_size;   // the raw record needs at least this many bytes
} plumb_kfree_skb_layout;

/// Opens the tracepoint (its id from tracefs) on every CPU. Returns 0, or a negative errno and `err`.
int plumb_perf_drops_open(uint64_t tracepoint_id, plumb_kfree_skb_layout layout, plumb_perf_drops **out,
                          char *err, size_t errlen);
int plumb_perf_drops_poll(plumb_perf_drops *h, int timeout_ms);
const plumb_drop_event *plumb_perf_drops_events(const plumb_perf_drops *h);
void plumb_perf_drops_counters(plumb_perf_drops *h, uint64_t *seen, uint64_t *lost);
void plumb_perf_drops_close(plumb_perf_drops *h);

// ---- kallsyms (kallsyms_scan.c) ----
/// For each of the `k` addresses in `targets` (sorted, ascending), the highest text symbol (t, T, w, W) at or
/// below it in kallsyms text `buf` (`ffffffff81fbea00 T nft_do_chain [nf_tables]` lines): its address in
/// `symbol_address[i]` and the offset of its name in `buf` in `name_offset[i]` (-1: none). One pass over the
/// text; of two symbols at one address the later line wins. In C because a debug build's Swift loop over the
/// 5 MB text took ~0.3 s, delaying the first drop shown.
void plumb_kallsyms_scan(const uint8_t *buf, size_t n, const uint64_t *targets, size_t k,
                         uint64_t *symbol_address, int64_t *name_offset);

#endif

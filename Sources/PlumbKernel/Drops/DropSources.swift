import CDrops
import Glibc
import PlumbModel

/// One reader of kernel drop events: the BPF watcher or the bare tracepoint. Used only by `DropWatcher`'s
/// thread; C types stay in this file.
protocol DropSource: AnyObject {
    /// Waits up to `timeoutMillis`, then returns the collected events (valid until the next poll).
    func poll(timeoutMillis: Int32) throws(DropWatchError) -> UnsafeBufferPointer<plumb_drop_event>
    /// Drops the kernel side saw and those that never reached user space.
    var counters: (seen: UInt64, lost: UInt64) { get }
    /// Tally drops in the kernel instead of sending each (see `takeTallies`); throws when the source cannot.
    func setTallying(_ on: Bool) throws(DropWatchError)
    /// Takes the kernel's tallies: per namespace × interface × reason × location, the drops since the last take
    /// and the newest of them (valid until the next take).
    func takeTallies() throws(DropWatchError) -> UnsafeBufferPointer<plumb_drop_tally>
    /// Drops counted into tallies so far (what the takes should add up to).
    var tallied: UInt64 { get }
    func close()
}

extension DropSource {
    func setTallying(_ on: Bool) throws(DropWatchError) {
        if on { throw .open("this drop reader cannot tally drops in the kernel") }
    }
    func takeTallies() throws(DropWatchError) -> UnsafeBufferPointer<plumb_drop_tally> {
        UnsafeBufferPointer(start: nil, count: 0)
    }
    var tallied: UInt64 { 0 }
}

final class BPFDropSource: DropSource {
    private var handle: OpaquePointer?

    init() throws(DropWatchError) {
        var err = [CChar](repeating: 0, count: 512)
        var h: OpaquePointer?
        let rc = plumb_bpf_drops_open(&h, &err, err.count)
        guard rc == 0, let h else {
            let text = String(decoding: err.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw rc == -EPERM || rc == -EACCES ? .permission(text) : .open(text)
        }
        handle = h
    }

    func poll(timeoutMillis: Int32) throws(DropWatchError) -> UnsafeBufferPointer<plumb_drop_event> {
        guard let handle else { return UnsafeBufferPointer(start: nil, count: 0) }
        let n = plumb_bpf_drops_poll(handle, timeoutMillis)
        if n < 0 { throw .open("reading the BPF ring buffer: \(String(cString: strerror(-n)))") }
        return UnsafeBufferPointer(start: plumb_bpf_drops_events(handle), count: Int(n))
    }

    var counters: (seen: UInt64, lost: UInt64) {
        guard let handle else { return (0, 0) }
        var seen: UInt64 = 0, lost: UInt64 = 0
        plumb_bpf_drops_counters(handle, &seen, &lost)
        return (seen, lost)
    }

    func setTallying(_ on: Bool) throws(DropWatchError) {
        guard let handle else { return }
        let rc = plumb_bpf_drops_set_tallying(handle, on ? 1 : 0)
        if rc < 0 { throw .open("switching the BPF program's tallies \(on ? "on" : "off"): \(String(cString: strerror(-rc)))") }
    }

    func takeTallies() throws(DropWatchError) -> UnsafeBufferPointer<plumb_drop_tally> {
        guard let handle else { return UnsafeBufferPointer(start: nil, count: 0) }
        let n = plumb_bpf_drops_take_tallies(handle)
        if n < 0 { throw .open("taking the BPF program's tallies: \(String(cString: strerror(-n)))") }
        return UnsafeBufferPointer(start: plumb_bpf_drops_tallies(handle), count: Int(n))
    }

    var tallied: UInt64 {
        guard let handle else { return 0 }
        return plumb_bpf_drops_tallied(handle)
    }

    func close() { plumb_bpf_drops_close(handle); handle = nil }
    deinit { close() }
}

final class TracepointDropSource: DropSource {
    private var handle: OpaquePointer?

    init(tracepointID: UInt64, format: KfreeSkbFormat) throws(DropWatchError) {
        guard let location = format.fields["location"], let proto = format.fields["protocol"],
              let reason = format.fields["reason"] else { throw .format("the skb:kfree_skb format lacks its fields") }
        let end = [location, proto, reason].map { $0.offset + $0.size }.max() ?? 0
        let layout = plumb_kfree_skb_layout(location_offset: Int32(location.offset), protocol_offset: Int32(proto.offset),
                                            reason_offset: Int32(reason.offset), reason_size: Int32(reason.size),
                                            record_size: Int32(end))
        var err = [CChar](repeating: 0, count: 512)
        var h: OpaquePointer?
        let rc = plumb_perf_drops_open(tracepointID, layout, &h, &err, err.count)
        guard rc == 0, let h else {
            let text = String(decoding: err.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw rc == -EPERM || rc == -EACCES ? .permission(text + ": run as root") : .open(text)
        }
        handle = h
    }

    func poll(timeoutMillis: Int32) throws(DropWatchError) -> UnsafeBufferPointer<plumb_drop_event> {
        guard let handle else { return UnsafeBufferPointer(start: nil, count: 0) }
        let n = plumb_perf_drops_poll(handle, timeoutMillis)
        if n < 0 { throw .open("reading the skb:kfree_skb perf rings: \(String(cString: strerror(-n)))") }
        return UnsafeBufferPointer(start: plumb_perf_drops_events(handle), count: Int(n))
    }

    var counters: (seen: UInt64, lost: UInt64) {
        guard let handle else { return (0, 0) }
        var seen: UInt64 = 0, lost: UInt64 = 0
        plumb_perf_drops_counters(handle, &seen, &lost)
        return (seen, lost)
    }

    func close() { plumb_perf_drops_close(handle); handle = nil }
    deinit { close() }
}

extension plumb_drop_event {
    /// The drop as a model value; the reason's name comes from the format file, the location is named by the caller.
    func packetDrop(format: KfreeSkbFormat, location: KernelLocation, realtimeOffset: Double) -> PacketDrop {
        let e = self
        var drop = PacketDrop(monotonicNanos: e.timestamp_ns,
                              time: Double(e.timestamp_ns) / 1e9 + realtimeOffset,
                              reason: format.reason(e.reason),
                              location: location)
        if e.netns_cookie != 0 { drop.netnsCookie = e.netns_cookie }
        if e.netns_inode != 0 { drop.netnsInode = UInt64(e.netns_inode) }
        if e.ifindex != 0 {
            drop.ifindex = Int32(bitPattern: e.ifindex)
            drop.interface = withUnsafeBytes(of: e.ifname) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
        }
        if e.l3_protocol != 0 { drop.etherType = e.l3_protocol }
        if e.length != 0 { drop.length = e.length }
        if e.family == 4 || e.family == 6 {
            let (src, dst): (IPAddress?, IPAddress?) = withUnsafeBytes(of: e.saddr) { s in
                withUnsafeBytes(of: e.daddr) { d in
                    let n = e.family == 4 ? 4 : 16
                    return (IPAddress(networkBytes: UnsafeRawBufferPointer(rebasing: s[0..<n])),
                            IPAddress(networkBytes: UnsafeRawBufferPointer(rebasing: d[0..<n])))
                }
            }
            if let src, let dst {
                var flow = DropFlow(protocolNumber: e.l4_protocol, src: src, dst: dst)
                switch e.l4_protocol {
                case 6, 17, 132, 136:
                    flow.srcPort = e.sport; flow.dstPort = e.dport
                case 1, 58:
                    flow.icmp = .init(type: UInt8(e.sport >> 8), code: UInt8(e.sport & 0xff), id: e.dport)
                default: break
                }
                drop.flow = flow
            }
        }
        return drop
    }
}

import Glibc
import PlumbCapture
import PlumbModel
import PlumbTUI

/// What the capture pane borrows from the command line's capture: how a namespace's link is entered, tcpdump's
/// clock, and the pcap/pcapng writer. Injected, so the pane and `plumb capture` keep one behaviour each.
public struct CaptureIO: Sendable {
    public var source: @Sendable (_ namespace: Namespace, _ interface: String, _ label: String) throws -> CaptureSource
    public var clock: @Sendable (PacketTimestamp) -> String
    /// Writes the packets to `path` (an existing file only when `overwrite`) and returns how many were written.
    public var save: @Sendable (_ path: String, _ overwrite: Bool, _ sources: [CaptureSourceInfo], _ comment: String,
                                _ packets: [LivePacket]) throws -> Int

    public init(source: @escaping @Sendable (Namespace, String, String) throws -> CaptureSource,
                clock: @escaping @Sendable (PacketTimestamp) -> String,
                save: @escaping @Sendable (String, Bool, [CaptureSourceInfo], String, [LivePacket]) throws -> Int) {
        self.source = source; self.clock = clock; self.save = save
    }
}

/// The TUI's capture: a LiveCapture on one link (or `any`) of one namespace, polled from the UI loop without
/// ever blocking it. It keeps the newest `capacity` packets with their one-line summaries; pausing just stops
/// reading (the capture keeps only the newest packets meanwhile and says how many the pane missed).
public final class TUICapture {
    public let label: String
    private let io: CaptureIO
    private let source: CaptureSource
    private var capture: LiveCapture?
    private var after: UInt64 = 0
    private var packets: [LivePacket] = []
    private var rows: [CaptureFeed.Row] = []
    private var missed: UInt64 = 0
    private var failure: String?
    private var reportedEnd = false
    let capacity = 5000
    /// At most this many packets are decoded per UI frame: a busy link never stalls the screen.
    let perPoll = 2000

    public init(namespace: Namespace, interface: String, filter: String, promiscuous: Bool = true, io: CaptureIO) {
        label = "\(namespace.displayName)/\(interface)"
        self.io = io
        var src: CaptureSource? = nil
        do {
            src = try io.source(namespace, interface, label)
        } catch {
            failure = "\(error)"
        }
        source = src ?? CaptureSource(label: label)
        guard src != nil else { return }
        var options = CaptureOptions(filter: filter.isEmpty ? nil : filter)
        options.retention = .latest
        options.promiscuous = promiscuous
        // A kernel block is handed over when full or after this long: short, so a packet is on screen well
        // within 200 ms even on a quiet link.
        options.timeoutMillis = 50
        options.bufferPackets = 16_384
        options.bufferBytes = 16 * 1024 * 1024
        do {
            capture = try LiveCapture(sources: [source], options: options)
        } catch {
            failure = "\(error)"
        }
    }

    public var count: Int { rows.count }

    /// Reads what arrived (unless paused). True when the pane has something new to show.
    public func poll(paused: Bool) -> Bool {
        guard let capture else { return false }
        var changed = false
        if !paused {
            let batch = capture.read(after: after, limit: perPoll)
            missed += batch.missed
            if !batch.packets.isEmpty {
                let info = capture.sources[0]
                for p in batch.packets {
                    packets.append(p)
                    rows.append(Self.row(p, linkType: info.linkType, names: info.source.interfaceNames, clock: io.clock))
                }
                if packets.count > capacity {
                    packets.removeFirst(packets.count - capacity)
                    rows.removeFirst(rows.count - capacity)
                }
                changed = true
            }
            after = batch.lastSequence
        }
        if capture.endReason != nil && !reportedEnd {
            reportedEnd = true
            changed = true
        }
        return changed
    }

    /// `names`: the namespace's interfaces by index, so a capture on `any` (a whole namespace) names each
    /// packet's interface as `plumb capture` does, not `ifindex 2`.
    static func row(_ p: LivePacket, linkType: LinkType, names: [Int: String] = [:],
                    clock: (PacketTimestamp) -> String) -> CaptureFeed.Row {
        let decoded = p.data.withUnsafeBytes { PacketDecoder.decode(Array($0), linkType: linkType, wireLength: p.originalLength) }
        var warn = !decoded.isComplete
        if let icmp = decoded.icmp, icmp.type == 3 || icmp.type == 11 || icmp.type == 12 { warn = true }
        if let icmp6 = decoded.icmpv6, icmp6.type < 128 { warn = true }
        if let tcp = decoded.tcp, tcp.flags.contains(.rst) { warn = true }
        // Local time with milliseconds: tcpdump's clock (microseconds) cut to what a pane row has room for.
        return CaptureFeed.Row(time: String(clock(p.timestamp).prefix(12)), summary: InterfaceNaming.apply(decoded.summary, names),
                               isWarning: warn)
    }

    /// What the pane draws; the selected packet's fields and bytes only when the detail is open.
    public func feed(selected: Int?, showDetail: Bool) -> CaptureFeed {
        if let failure { return CaptureFeed(status: "", ended: failure) }
        guard let capture else { return CaptureFeed() }
        let st = capture.stats().first ?? CaptureSourceStats()
        var status = "\(st.captured) captured · \(st.kernelDropped) dropped by the kernel"
        if missed > 0 { status += " · \(missed) not shown (paused or too fast)" }
        var detail: [String] = []
        if showDetail, let i = selected ?? (packets.isEmpty ? nil : packets.count - 1), i < packets.count {
            let p = packets[i]
            let bytes = Array(p.data)
            let decoded = PacketDecoder.decode(bytes, linkType: capture.sources[0].linkType, wireLength: p.originalLength)
            var layer = ""
            let names = capture.sources[0].source.interfaceNames
            for f in decoded.fields() {
                if f.layer != layer { detail.append(f.layer); layer = f.layer }
                // The index alone means nothing to a reader: "interface index: 2 (eth0)".
                let name = f.name == "interface index" ? Int(f.value).flatMap { names[$0] } : nil
                detail.append("  \(f.name): \(f.value)" + (name.map { " (\($0))" } ?? ""))
            }
            detail += HexDump.lines(bytes)
        }
        let ended = capture.endReason.map { "capture ended: \($0)" }
        return CaptureFeed(rows: rows, status: status, ended: ended, detail: detail)
    }

    /// Writes the packets the pane holds: pcapng for `.pcapng` names (with the namespace in the interface
    /// description), pcap otherwise. Returns how many were written.
    public func save(to path: String, overwrite: Bool) throws -> Int {
        guard let capture else { throw CaptureSaveError.noCapture }
        return try io.save(path, overwrite, capture.sources, "plumb TUI capture of \(label)", packets)
    }

    /// Stops and waits for the capture threads (at most one poll timeout, ~100 ms): they must not outlive it.
    public func stop() {
        capture?.stop()
        capture?.waitUntilFinished()
    }
}

enum CaptureSaveError: Error, CustomStringConvertible {
    case noCapture
    var description: String { "no capture to save" }
}

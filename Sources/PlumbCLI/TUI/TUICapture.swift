import Glibc
import PlumbCapture
import PlumbModel
import PlumbTUI

/// The TUI's capture: a LiveCapture on one link (or `any`) of one namespace, polled from the UI loop without
/// ever blocking it. It keeps the newest `capacity` packets with their one-line summaries; pausing just stops
/// reading (the capture keeps only the newest packets meanwhile and says how many the pane missed).
final class TUICapture {
    let label: String
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

    init(namespace: Namespace, interface: String, filter: String) {
        label = "\(namespace.displayName)/\(interface)"
        var src: CaptureSource? = nil
        do {
            src = try CaptureTargets.source(for: namespace, interface: interface, label: label)
        } catch {
            failure = "\(error)"
        }
        source = src ?? CaptureSource(label: label)
        guard src != nil else { return }
        var options = CaptureOptions(filter: filter.isEmpty ? nil : filter)
        options.retention = .latest
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

    var count: Int { rows.count }

    /// Reads what arrived (unless paused). True when the pane has something new to show.
    func poll(paused: Bool) -> Bool {
        guard let capture else { return false }
        var changed = false
        if !paused {
            let batch = capture.read(after: after, limit: perPoll)
            missed += batch.missed
            if !batch.packets.isEmpty {
                let info = capture.sources[0]
                for p in batch.packets {
                    packets.append(p)
                    rows.append(Self.row(p, linkType: info.linkType))
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

    static func row(_ p: LivePacket, linkType: LinkType) -> CaptureFeed.Row {
        let decoded = p.data.withUnsafeBytes { PacketDecoder.decode(Array($0), linkType: linkType, wireLength: p.originalLength) }
        var warn = !decoded.isComplete
        if let icmp = decoded.icmp, icmp.type == 3 || icmp.type == 11 || icmp.type == 12 { warn = true }
        if let icmp6 = decoded.icmpv6, icmp6.type < 128 { warn = true }
        if let tcp = decoded.tcp, tcp.flags.contains(.rst) { warn = true }
        return CaptureFeed.Row(time: clock(p.timestamp), summary: decoded.summary, isWarning: warn)
    }

    /// Local time with milliseconds: tcpdump's clock (microseconds) cut to what a pane row has room for.
    static func clock(_ t: PacketTimestamp) -> String { String(CapturePrinter.clock(t).prefix(12)) }

    /// What the pane draws; the selected packet's fields and bytes only when the detail is open.
    func feed(selected: Int?, showDetail: Bool) -> CaptureFeed {
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
            for f in decoded.fields() {
                if f.layer != layer { detail.append(f.layer); layer = f.layer }
                detail.append("  \(f.name): \(f.value)")
            }
            detail += HexDump.lines(bytes)
        }
        let ended = capture.endReason.map { "capture ended: \($0)" }
        return CaptureFeed(rows: rows, status: status, ended: ended, detail: detail)
    }

    /// Writes the packets the pane holds: pcapng for `.pcapng` names (with the namespace in the interface
    /// description), pcap otherwise. Returns how many were written.
    func save(to path: String) throws -> Int {
        guard let capture else { throw CommandFailure(description: "no capture to save", code: PlumbExit.failure) }
        let out = try CaptureFileOutput(path: path, sources: capture.sources, comment: "plumb TUI capture of \(label)")
        do {
            for p in packets { try out.write(p) }
            try out.close()
        } catch let e as CommandFailure {
            throw e
        } catch {
            throw CommandFailure(description: "cannot write \(path): \(error)", code: PlumbExit.failure)
        }
        return out.written
    }

    /// Stops and waits for the capture threads (at most one poll timeout, ~100 ms): they must not outlive it.
    func stop() {
        capture?.stop()
        capture?.waitUntilFinished()
    }
}

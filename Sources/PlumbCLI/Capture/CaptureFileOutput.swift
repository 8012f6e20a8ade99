import PlumbCapture
import PlumbSystem

/// `-w FILE`: classic pcap (one link type, what every tool reads) or pcapng when the name ends in `.pcapng`
/// (one interface block per source with the interface name and its namespace/container, so a merged capture of
/// several namespaces stays attributable in Wireshark).
final class CaptureFileOutput {
    let path: String
    let sink: FileSink
    // Unmanaged: `writer` keeps the one in use alive; the per-packet path costs no reference counting.
    private let pcap: Unmanaged<PcapWriter>?
    private let pcapng: Unmanaged<PcapngWriter>?
    private let writer: AnyObject
    private(set) var written = 0
    /// `-w -`: the file is stdout (a pipe into `wireshark -k -i -`, say), flushed after every batch.
    let isStream: Bool

    static func isPcapng(_ path: String) -> Bool { path.lowercased().hasSuffix(".pcapng") }

    /// Checks, before anything is captured, that the sources fit the format.
    static func validate(path: String, linkTypes: [LinkType]) throws {
        if !isPcapng(path), Set(linkTypes.map(\.rawValue)).count > 1 {
            throw CommandFailure(description: "the sources have different link types (\(linkTypes.map(\.description).joined(separator: ", "))) and a .pcap file holds one: write to a .pcapng file instead",
                                 code: PlumbExit.usage)
        }
    }

    /// Creates the file as `FileSink` does (0600, the sudo user's, never through a symlink). An existing file
    /// is refused unless `overwrite`: that error (`PrivateFileError.exists`) is thrown as it is, so the caller
    /// says how to confirm (`--force`, or the TUI's question); every other failure is a CommandFailure.
    init(path: String, sources: [CaptureSourceInfo], comment: String, overwrite: Bool = false) throws {
        self.path = path
        isStream = path == "-"
        do {
            sink = isStream ? FileSink(fileDescriptor: 1, bufferSize: 256 * 1024)
                            : try FileSink(path: path, overwrite: overwrite, bufferSize: 256 * 1024)
        } catch PrivateFileError.exists(let p) {
            throw PrivateFileError.exists(p)
        } catch {
            throw CommandFailure(description: "cannot write \(path): \(error)", code: PlumbExit.failure)
        }
        do {
            if Self.isPcapng(path) {
                let w = try PcapngWriter(sink: sink, comment: comment, application: "Plumb")
                for s in sources {
                    try w.addInterface(CaptureInterface(
                        linkType: s.linkType, snapLength: UInt32(clamping: s.snapLength), name: s.source.interface,
                        description: s.source.namespaceDescription,
                        comment: "plumb capture source \(s.source.label): \(s.source.interface) in \(s.source.namespaceDescription)",
                        timestampResolution: 9))
                }
                pcapng = .passUnretained(w); pcap = nil; writer = w
            } else {
                let w = try PcapWriter(sink: sink, linkType: sources[0].linkType,
                                       snapLength: UInt32(clamping: sources.map(\.snapLength).max() ?? 262_144))
                pcap = .passUnretained(w); pcapng = nil; writer = w
            }
            // The header goes to disk now: even a capture that ends before its first packet leaves a valid file.
            try sink.flush()
        } catch {
            throw CommandFailure(description: "cannot write \(path): \(error)", code: PlumbExit.failure)
        }
    }

    func write(_ p: LivePacket) throws {
        try p.data.withUnsafeBytes { raw in
            try write(LivePacketView(sequence: p.sequence, timestamp: p.timestamp, source: p.source,
                                     originalLength: p.originalLength, bytes: raw))
        }
    }

    /// The live path: the packet is copied once, from the capture buffer into the file buffer.
    @inline(__always)
    func write(_ p: LivePacketView) throws {
        if let pcapng {
            try pcapng._withUnsafeGuaranteedRef {
                try $0.write(p.bytes, interfaceID: p.source, timestamp: p.timestamp, originalLength: p.originalLength)
            }
        } else if let pcap {
            try pcap._withUnsafeGuaranteedRef { try $0.write(p.bytes, timestamp: p.timestamp, originalLength: p.originalLength) }
        }
        written += 1
    }

    /// Flushes and closes. After a write error the file was already cut back to its last whole packet.
    func close() throws { try sink.close() }
}

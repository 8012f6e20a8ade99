import PlumbModel

// The public vocabulary of live capture. Plain values: no libpcap or C type crosses this module's boundary.

/// One capture point: an interface (or `any`) inside a namespace.
public struct CaptureSource: Sendable, Equatable {
    /// Short text identifying the source in merged output, e.g. `web/eth0`.
    public var label: String
    /// The namespace to capture in (`.host`: plumb's own), with the identity the snapshot read: a namespace
    /// deleted (or replaced at the same path) before the capture starts fails as gone.
    public var namespace: NamespaceHandle
    /// Interface name inside the namespace, or `any`.
    public var interface: String
    /// Human description of the namespace (pcapng if_description), e.g. `netns pt-a (container web)`.
    public var namespaceDescription: String
    /// Paths that keep the namespace alive (bind mounts, /proc/PID/ns/net...). When none of them refers to the
    /// namespace any more, it was deleted and the capture ends with `.namespaceVanished`. (Our own pcap socket
    /// keeps the namespace itself alive, so its devices would never go away on their own.) Empty: not watched.
    public var holders: [String]
    /// Interface names by index in that namespace, to name the interface of each packet of an `any` capture
    /// (LINUX_SLL2 records only the index).
    public var interfaceNames: [Int: String]

    public init(label: String, namespace: NamespaceHandle = .host, interface: String = "any",
                namespaceDescription: String = "", holders: [String] = [], interfaceNames: [Int: String] = [:]) {
        self.label = label; self.namespace = namespace; self.interface = interface
        self.namespaceDescription = namespaceDescription; self.holders = holders; self.interfaceNames = interfaceNames
    }
}

/// What happens to packets nobody has read yet when the buffer is full.
public enum CaptureRetention: Sendable, Equatable {
    /// Reading acknowledges: packets up to the sequence a consumer reads after are freed. When the buffer is
    /// full, new packets are dropped and counted (`ringDropped`) — a file writer never loses packets silently.
    case untilRead
    /// Keep the latest packets, evicting the oldest when full; a reader that fell behind is told how many it
    /// missed. For live views that pause by simply not reading.
    case latest
}

public struct CaptureOptions: Sendable, Equatable {
    /// BPF filter in libpcap syntax; nil or empty captures everything.
    public var filter: String?
    /// Bytes kept per packet (libpcap and tcpdump default: 262144).
    public var snapLength: Int = 262_144
    public var promiscuous = true
    /// Kernel capture buffer per source (pcap_set_buffer_size). tcpdump's default is 2 MB.
    public var kernelBufferBytes = 8 * 1024 * 1024
    /// pcap_set_timeout: how long the kernel may hold a partly filled block (TPACKET_V3) before handing it over.
    public var timeoutMillis = 100
    /// Deliver every packet as soon as it arrives (more wake-ups, lower latency).
    public var immediate = false
    /// Stop after this many packets (after the filter, across all sources).
    public var count: Int?
    public var retention: CaptureRetention = .untilRead
    /// Merged buffer the consumer reads from.
    public var bufferPackets = 65_536
    public var bufferBytes = 32 * 1024 * 1024

    public init(filter: String? = nil) { self.filter = filter }
}

/// A source that is open and capturing.
public struct CaptureSourceInfo: Sendable, Equatable {
    public var source: CaptureSource
    /// Link type of the frames (Ethernet on a veth, LINUX_SLL2 on `any`).
    public var linkType: LinkType
    public var snapLength: Int
    /// libpcap warnings from activation (e.g. promiscuous mode not supported on `any`).
    public var warnings: [String]

    public init(source: CaptureSource, linkType: LinkType, snapLength: Int, warnings: [String] = []) {
        self.source = source; self.linkType = linkType; self.snapLength = snapLength; self.warnings = warnings
    }
}

/// Counters of one source. `received`, `kernelDropped` and `interfaceDropped` are libpcap's (pcap_stats:
/// ps_recv, ps_drop, ps_ifdrop), refreshed about every 250 ms while running and once at the end.
public struct CaptureSourceStats: Sendable, Equatable {
    /// Packets handed to plumb by libpcap.
    public var captured: UInt64 = 0
    /// Packets that passed the filter in the kernel (tcpdump's "received by filter").
    public var received: UInt64 = 0
    /// Packets the kernel dropped because the capture buffer was full (tcpdump's "dropped by kernel").
    public var kernelDropped: UInt64 = 0
    /// Packets the interface/driver dropped (ps_ifdrop).
    public var interfaceDropped: UInt64 = 0
    /// Packets plumb dropped because its own buffer was full (a consumer not keeping up).
    public var ringDropped: UInt64 = 0
    public init() {}
}

/// Why a capture ended. The first reason wins; later ones are ignored.
public enum CaptureEndReason: Sendable, Equatable, CustomStringConvertible {
    /// `count` packets were captured.
    case countReached(Int)
    /// `stop()` was called (Ctrl-C, the user closed the pane).
    case stopped
    /// The namespace of a source was deleted.
    case namespaceVanished(source: String)
    /// The interface of a source went away or down (libpcap's message).
    case interfaceGone(source: String, message: String)
    /// libpcap reported another read error.
    case captureFailed(source: String, message: String)
    /// The consumer could not write its output (full disk...), reported through `stop(reason:)`.
    case writeFailed(String)

    public var description: String {
        switch self {
        case .countReached(let n): return "count of \(n) reached"
        case .stopped: return "stopped"
        case .namespaceVanished(let s): return "the namespace of \(s) was deleted"
        case .interfaceGone(let s, let m): return "the interface of \(s) went away: \(m)"
        case .captureFailed(let s, let m): return "capture on \(s) failed: \(m)"
        case .writeFailed(let m): return "write failed: \(m)"
        }
    }

    /// True for ends the user asked for (count, stop); false for ends the environment forced.
    public var isRequested: Bool {
        switch self {
        case .countReached, .stopped: return true
        default: return false
        }
    }
}

/// Errors that prevent a capture from starting. Nothing was captured when one is thrown.
public enum LiveCaptureError: Error, Equatable, CustomStringConvertible {
    /// The filter does not compile; `message` is libpcap's (pcap_geterr).
    case badFilter(source: String, filter: String, message: String)
    /// The namespace could not be opened or entered.
    case namespaceUnavailable(source: String, message: String)
    /// The interface does not exist in that namespace.
    case noSuchInterface(source: String, message: String)
    case permissionDenied(source: String, message: String)
    /// Any other pcap_create/pcap_activate failure, with libpcap's text.
    case openFailed(source: String, message: String)
    case invalidOptions(String)

    public var description: String {
        switch self {
        case .badFilter(let s, let f, let m): return "bad filter '\(f)' on \(s): \(m)"
        case .namespaceUnavailable(let s, let m): return "cannot enter the namespace of \(s): \(m)"
        case .noSuchInterface(let s, let m): return "no such interface for \(s): \(m)"
        case .permissionDenied(let s, let m): return "not allowed to capture on \(s): \(m) (run as root)"
        case .openFailed(let s, let m): return "cannot capture on \(s): \(m)"
        case .invalidOptions(let m): return m
        }
    }
}

/// One packet as a consumer reads it. `data` is a slice of the batch's storage (no copy per packet).
public struct LivePacket: Sendable {
    /// Position in the merged stream, starting at 1; strictly increasing.
    public var sequence: UInt64
    public var timestamp: PacketTimestamp
    /// Index into `LiveCapture.sources`.
    public var source: Int
    public var originalLength: Int
    public var data: ArraySlice<UInt8>

    /// Public so that views can be tested with made-up packets.
    public init(sequence: UInt64, timestamp: PacketTimestamp, source: Int, originalLength: Int, data: ArraySlice<UInt8>) {
        self.sequence = sequence; self.timestamp = timestamp; self.source = source
        self.originalLength = originalLength; self.data = data
    }

    /// As a file record for the pcap/pcapng writers (`interfaceID` = the pcapng interface of its source).
    public func captured(interfaceID: Int = 0) -> CapturedPacket {
        CapturedPacket(timestamp: timestamp, data: Array(data), originalLength: originalLength, interfaceID: interfaceID)
    }
}

/// A packet visited in place by `LiveCapture.consume`: `bytes` is valid only during that call.
public struct LivePacketView {
    public var sequence: UInt64
    public var timestamp: PacketTimestamp
    public var source: Int
    public var originalLength: Int
    public var bytes: UnsafeRawBufferPointer

    public init(sequence: UInt64, timestamp: PacketTimestamp, source: Int, originalLength: Int, bytes: UnsafeRawBufferPointer) {
        self.sequence = sequence; self.timestamp = timestamp; self.source = source
        self.originalLength = originalLength; self.bytes = bytes
    }
}

/// The result of one non-blocking read.
public struct CaptureBatch: Sendable, RandomAccessCollection {
    public var packets: [LivePacket]
    /// Packets the reader asked for that were evicted before it read them (`.latest` retention only).
    public var missed: UInt64
    /// The sequence to pass as `after` next time (the last packet's, or the input when nothing was new).
    public var lastSequence: UInt64

    public var startIndex: Int { packets.startIndex }
    public var endIndex: Int { packets.endIndex }
    public subscript(i: Int) -> LivePacket { packets[i] }
}

extension LiveCaptureError: CategorizedError {
    public var category: ErrorCategory {
        switch self {
        case .badFilter, .invalidOptions: return .invalidInput
        case .noSuchInterface, .namespaceUnavailable: return .notFound
        case .permissionDenied: return .permission
        case .openFailed: return .failure
        }
    }
}

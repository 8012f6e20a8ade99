import Glibc
import Foundation
import CNetlink
import PlumbModel
import PlumbSystem

/// Which sockets to read.
public struct SocketSelection: Sendable, Equatable {
    public var protocols: Set<SocketProtocol>
    /// Only listeners (`ss -l`): LISTEN, and unconnected UDP and raw sockets.
    public var listeningOnly: Bool

    public init(protocols: Set<SocketProtocol> = Set(SocketProtocol.allCases), listeningOnly: Bool = false) {
        self.protocols = protocols; self.listeningOnly = listeningOnly
    }

    public static let all = SocketSelection()
    /// TCP and UDP listeners: what a published port can reach.
    public static let inetListeners = SocketSelection(protocols: [.tcp, .udp], listeningOnly: true)

    func admits(_ s: SocketRecord) -> Bool { protocols.contains(s.proto) && (!listeningOnly || s.isListening) }
}

/// What one namespace's sockets read gave: the sockets, and what could not be read (a note each).
public struct SocketReading: Sendable {
    public var sockets: [SocketRecord] = []
    public var notes: [String] = []
}

/// Reads a namespace's sockets over sock_diag (inet_diag for TCP and UDP, unix_diag), as `ss` does, and raw
/// sockets from /proc/thread-self/net/raw where the kernel has no raw_diag. Owners are attached afterwards from
/// the /proc fd walk (`SocketOwnerIndex`).
public enum SocketReader {
    /// The sockets of the namespace the calling thread is in: opens a sock_diag socket here. Call it on a
    /// thread that entered the namespace (a NamespaceWorkers job); the socket counts and the raw fallback are
    /// read from this thread's /proc/thread-self/net.
    public static func readHere(_ selection: SocketSelection = .all) -> SocketReading {
        do {
            return read(from: try NetlinkSocket.sockDiag(), selection, counts: SocketCounts.readHere(), rawFallback: true)
        } catch {
            return SocketReading(notes: ["sockets: \(error)"])
        }
    }

    /// The sockets of the namespace behind `handle` (checked like every open: the cookie, when it has one).
    /// Throws NamespaceOpenError when the namespace is gone.
    public static func read(in handle: NamespaceHandle, _ selection: SocketSelection = .all) throws -> SocketReading {
        let fd = try NamespaceOpener.open(handle)
        return try NamespaceWorkers.run(inNamespaceFd: fd.rawValue) { readHere(selection) }
    }

    /// TCP and UDP listeners of the namespace behind `handle`, without owners: what a published port can reach
    /// (`isWildcard`, `isLoopbackOnly` tell the doctor how).
    public static func listeners(in handle: NamespaceHandle) throws -> [SocketRecord] {
        try read(in: handle, .inetListeners).sockets
    }

    /// Asks `source` for the selected sockets. With the namespace's socket `counts` (live reads), dumps that
    /// would find nothing are not made: the kernel keeps TCP and UDP sockets of every namespace in host-wide
    /// hash tables, and each dump walks all of a table's buckets (the established table of a 24 GB host:
    /// ~2 ms), so a namespace whose only TCP sockets are listeners is read from the small listening table
    /// alone. (Half-open SYN-RECV entries of such a namespace are then not listed; they are transient.)
    static func read(from source: SockDiagSource, _ selection: SocketSelection, counts: SocketCounts? = nil,
                     rawFallback: Bool) -> SocketReading {
        var out = SocketReading()
        func dump(_ request: SockDiagRequest) -> [SocketRecord] {
            if request.isRaw && RawDiag.missing {
                return rawFallback ? procRaw(request) : []
            }
            do {
                return try source.sockets(request).map(SocketConversion.record)
            } catch let e as NetlinkError where request.isRaw && -e.code == NLE_OBJ_NOTFOUND {
                // No raw_diag in this kernel (asking again would make it try to load the module each time):
                // /proc/net/raw of this thread's namespace says the same.
                if rawFallback { RawDiag.missing = true }
                return rawFallback ? procRaw(request) : []
            } catch {
                out.notes.append("sockets: \(error)")
                return []
            }
        }
        func add(_ sockets: [SocketRecord]) { out.sockets += sockets.filter(selection.admits) }

        let p = selection.protocols
        if p.contains(.tcp), counts.map({ $0.tcp > 0 || $0.timeWait > 0 }) ?? true {
            let listeners = dump(.tcpListeners)
            add(listeners)
            let connections = counts.map { listeners.count < $0.tcp || $0.timeWait > 0 } ?? true
            if !selection.listeningOnly && connections { add(dump(.tcpConnections)) }
        }
        if p.contains(.udp) {
            if counts.map({ $0.udp4 > 0 }) ?? true { add(dump(.udp4)) }
            if counts.map({ $0.udp6 > 0 }) ?? true { add(dump(.udp6)) }
        }
        if p.contains(.raw) {
            if counts.map({ $0.raw4 > 0 }) ?? true { add(dump(.raw4)) }
            if counts.map({ $0.raw6 > 0 }) ?? true { add(dump(.raw6)) }
        }
        if p.contains(where: \.isUnix) { add(dump(.unix)) }
        return out
    }

    /// Raw sockets from /proc/thread-self/net/raw{,6} (the reading thread's namespace).
    private static func procRaw(_ request: SockDiagRequest) -> [SocketRecord] {
        let v4 = request == .raw4
        guard let text = FileReader.readString(v4 ? "/proc/thread-self/net/raw" : "/proc/thread-self/net/raw6") else {
            return []
        }
        return ProcNetRawParser.parse(text, family: v4 ? .ipv4 : .ipv6)
    }
}

/// Whether this kernel lacks raw_diag, learnt from the first raw dump (process-wide).
enum RawDiag {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var known = false
    static var missing: Bool {
        get { lock.lock(); defer { lock.unlock() }; return known }
        set { lock.lock(); known = newValue; lock.unlock() }
    }
}

/// How many sockets the reading thread's namespace has per protocol (/proc/net/sockstat and sockstat6, which
/// count per namespace): which dumps would find nothing.
struct SocketCounts: Equatable, Sendable {
    /// Hashed TCP sockets of both families (listeners and connections), and TIME-WAIT entries.
    var tcp = 0, timeWait = 0
    var udp4 = 0, udp6 = 0, raw4 = 0, raw6 = 0

    static func readHere() -> SocketCounts? {
        guard let v4 = FileReader.readString("/proc/thread-self/net/sockstat") else { return nil }
        return parse(sockstat: v4, sockstat6: FileReader.readString("/proc/thread-self/net/sockstat6") ?? "")
    }

    /// "TCP: inuse 5 orphan 0 tw 1 alloc 7 mem 1" lines; nil when a line the reader relies on is missing.
    static func parse(sockstat: String, sockstat6: String) -> SocketCounts? {
        var fields: [String: [String: Int]] = [:]
        for line in (sockstat + "\n" + sockstat6).split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard let label = parts.first, label.hasSuffix(":") else { continue }
            var values: [String: Int] = [:]
            var i = 1
            while i + 1 < parts.count { values[String(parts[i])] = Int(parts[i + 1]); i += 2 }
            fields[String(label.dropLast())] = values
        }
        guard let tcp = fields["TCP"]?["inuse"], let tw = fields["TCP"]?["tw"], let udp = fields["UDP"]?["inuse"],
              let raw = fields["RAW"]?["inuse"] else { return nil }
        // Without IPv6 (sockstat6 absent) there are no v6 sockets to count.
        return SocketCounts(tcp: tcp + (fields["TCP6"]?["inuse"] ?? 0), timeWait: tw, udp4: udp,
                            udp6: fields["UDP6"]?["inuse"] ?? 0, raw4: raw, raw6: fields["RAW6"]?["inuse"] ?? 0)
    }
}

/// plumb_sock (C) → SocketRecord.
enum SocketConversion {
    static func record(_ c: plumb_sock) -> SocketRecord {
        var s = c
        let state = SocketState(kernel: Int(s.state))
        if Int32(s.family) == AF_UNIX {
            let proto: SocketProtocol
            switch Int32(s.unix_type) {
            case Int32(SOCK_DGRAM.rawValue): proto = .unixDatagram
            case Int32(SOCK_SEQPACKET.rawValue): proto = .unixSeqpacket
            default: proto = .unixStream
            }
            let path = withUnsafeBytes(of: &s.path) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            return SocketRecord(proto: proto, family: nil, state: state, receiveQueue: s.rqueue, sendQueue: s.wqueue,
                                inode: UInt64(s.inode), uid: s.has_uid != 0 ? s.uid : nil,
                                path: path.isEmpty ? nil : path, peerInode: s.peer_inode != 0 ? UInt64(s.peer_inode) : nil)
        }
        let fam = Int32(s.family)
        let family: IPAddress.Family = fam == AF_INET6 ? .ipv6 : .ipv4
        let local = withUnsafeBytes(of: &s.src) { NetlinkAddress.address(family: fam, $0) }
        let remote = withUnsafeBytes(of: &s.dst) { NetlinkAddress.address(family: fam, $0) }
        let proto: SocketProtocol
        switch Int32(s.protocol) {
        case Int32(IPPROTO_TCP): proto = .tcp
        case Int32(IPPROTO_UDP): proto = .udp
        default: proto = .raw
        }
        var tcp: TCPInfo?
        if s.has_info != 0 && state != .listen {
            let cong = withUnsafeBytes(of: &s.cong) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            tcp = TCPInfo(rttMicros: s.rtt_us, rttVarianceMicros: s.rttvar_us, rtoMicros: s.rto_us,
                          congestionWindow: s.snd_cwnd, slowStartThreshold: s.snd_ssthresh, mss: s.snd_mss,
                          retransmits: s.retransmits, totalRetransmits: s.total_retrans, lost: s.lost,
                          unacked: s.unacked, congestionAlgorithm: cong.isEmpty ? nil : cong)
        }
        return SocketRecord(proto: proto, family: family, state: state,
                            local: local.map { SocketEndpoint(address: $0, port: s.sport) },
                            remote: remote.map { SocketEndpoint(address: $0, port: s.dport) },
                            receiveQueue: s.rqueue, sendQueue: s.wqueue, inode: UInt64(s.inode),
                            uid: s.has_uid != 0 ? s.uid : nil, boundInterface: s.ifindex != 0 ? Int(s.ifindex) : nil,
                            rawProtocol: proto == .raw && s.raw_protocol >= 0 ? Int(s.raw_protocol) : nil, tcp: tcp)
    }
}

/// Socket inode → the processes holding it, from the /proc fd walk discovery already makes.
public struct SocketOwnerIndex: Sendable {
    private var owners: [UInt64: [SocketOwner]] = [:]

    public init(holders: [SocketHolder], processes: [ProcessRecord]) {
        let comms = Dictionary(processes.map { ($0.pid, $0.comm) }, uniquingKeysWith: { a, _ in a })
        for h in holders {
            owners[h.inode, default: []].append(SocketOwner(pid: h.pid, fd: h.fd, comm: comms[h.pid] ?? ""))
        }
    }

    /// The sockets with their owners filled in, each owner list ordered by pid then fd.
    public func attach(_ sockets: [SocketRecord]) -> [SocketRecord] {
        sockets.map { s in
            var s = s
            if s.inode != 0, let o = owners[s.inode] {
                s.owners = o.sorted { ($0.pid, $0.fd) < ($1.pid, $1.fd) }
            }
            return s
        }
    }
}

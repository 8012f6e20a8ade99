import Glibc
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

    var requests: [SockDiagRequest] {
        SockDiagRequest.allCases.filter { r in
            switch r {
            case .tcp4, .tcp6: return protocols.contains(.tcp)
            case .udp4, .udp6: return protocols.contains(.udp)
            case .raw4, .raw6: return protocols.contains(.raw)
            case .unix: return protocols.contains { $0.isUnix }
            }
        }
    }

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
    /// thread that entered the namespace (a NamespaceWorkers job); the raw fallback reads this thread's /proc.
    public static func readHere(_ selection: SocketSelection = .all) -> SocketReading {
        do {
            return read(from: try NetlinkSocket.sockDiag(), selection, rawFallback: true)
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

    static func read(from source: SockDiagSource, _ selection: SocketSelection, rawFallback: Bool) -> SocketReading {
        var out = SocketReading()
        for request in selection.requests {
            do {
                for s in try source.sockets(request) {
                    let record = SocketConversion.record(s)
                    if selection.admits(record) { out.sockets.append(record) }
                }
            } catch let e as NetlinkError where request.isRaw && -e.code == NLE_OBJ_NOTFOUND {
                // No raw_diag in this kernel: /proc/net/raw of this thread's namespace says the same.
                guard rawFallback else { continue }
                let family: IPAddress.Family = request == .raw4 ? .ipv4 : .ipv6
                let file = request == .raw4 ? "/proc/thread-self/net/raw" : "/proc/thread-self/net/raw6"
                guard let text = FileReader.readString(file) else { continue }
                out.sockets += ProcNetRawParser.parse(text, family: family).filter(selection.admits)
            } catch {
                out.notes.append("sockets: \(error)")
            }
        }
        return out
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

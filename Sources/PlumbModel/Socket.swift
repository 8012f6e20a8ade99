/// A socket of one network namespace, as sock_diag reports it (what `ss -tuanpx` shows). Named SocketRecord,
/// like ProcessRecord, to stay clear of the system's socket types.
public struct SocketRecord: Codable, Sendable, Equatable {
    public var proto: SocketProtocol
    /// ipv4 / ipv6 for inet sockets, nil for unix sockets.
    public var family: IPAddress.Family?
    public var state: SocketState
    /// Inet sockets: the bound address and port (the unspecified address for a wildcard bind).
    public var local: SocketEndpoint?
    /// Inet sockets: the peer (the unspecified address and port 0 when not connected).
    public var remote: SocketEndpoint?
    /// Bytes waiting to be read; for a listener, connections waiting to be accepted.
    public var receiveQueue: UInt32
    /// Bytes not yet acknowledged (TCP) or sent; for a listener, the accept backlog's limit.
    public var sendQueue: UInt32
    /// sockfs inode: the identity /proc/PID/fd links show as `socket:[INODE]` (0 for TIME-WAIT entries).
    public var inode: UInt64
    public var uid: UInt32?
    /// SO_BINDTODEVICE: the ifindex the socket is bound to, nil when unbound.
    public var boundInterface: Int?
    /// Raw sockets: the IP protocol number they receive.
    public var rawProtocol: Int?
    /// Unix sockets: the bound path (`@name` for the abstract namespace), nil when unnamed.
    public var path: String?
    /// Unix sockets: the inode of the connected peer.
    public var peerInode: UInt64?
    /// TCP sockets past LISTEN: the kernel's tcp_info.
    public var tcp: TCPInfo?
    /// Processes holding a descriptor of the socket (empty when the fds were not scanned or none is left).
    public var owners: [SocketOwner]

    public init(proto: SocketProtocol, family: IPAddress.Family?, state: SocketState, local: SocketEndpoint? = nil,
                remote: SocketEndpoint? = nil, receiveQueue: UInt32 = 0, sendQueue: UInt32 = 0, inode: UInt64 = 0,
                uid: UInt32? = nil, boundInterface: Int? = nil, rawProtocol: Int? = nil, path: String? = nil,
                peerInode: UInt64? = nil, tcp: TCPInfo? = nil, owners: [SocketOwner] = []) {
        self.proto = proto; self.family = family; self.state = state; self.local = local; self.remote = remote
        self.receiveQueue = receiveQueue; self.sendQueue = sendQueue; self.inode = inode; self.uid = uid
        self.boundInterface = boundInterface; self.rawProtocol = rawProtocol; self.path = path
        self.peerInode = peerInode; self.tcp = tcp; self.owners = owners
    }

    /// Waiting for peers: TCP and unix sockets in LISTEN, and unconnected UDP and raw sockets (as `ss -l`).
    public var isListening: Bool {
        switch proto {
        case .tcp, .unixStream, .unixSeqpacket: return state == .listen
        case .udp, .raw, .unixDatagram: return state == .close
        }
    }

    /// A listener that only loopback can reach (127.0.0.0/8 or ::1).
    public var isLoopbackOnly: Bool { local.map { $0.address.isLoopback } ?? false }

    /// A listener bound to every address of its family (0.0.0.0 or ::).
    public var isWildcard: Bool { local.map { $0.address.isUnspecified } ?? false }
}

public enum SocketProtocol: String, Codable, Sendable, CaseIterable {
    case tcp, udp, raw
    case unixStream = "unix-stream"
    case unixDatagram = "unix-dgram"
    case unixSeqpacket = "unix-seqpacket"

    public var isUnix: Bool { self == .unixStream || self == .unixDatagram || self == .unixSeqpacket }

    /// The Netid column of `ss`.
    public var ssName: String {
        switch self {
        case .tcp: return "tcp"
        case .udp: return "udp"
        case .raw: return "raw"
        case .unixStream: return "u_str"
        case .unixDatagram: return "u_dgr"
        case .unixSeqpacket: return "u_seq"
        }
    }
}

/// The kernel's socket state (TCP's numbering, which sock_diag uses for every protocol). UDP and raw sockets
/// are `close` when unconnected and `established` when connected.
public enum SocketState: String, Codable, Sendable, CaseIterable {
    case established, synSent = "syn-sent", synReceived = "syn-recv", finWait1 = "fin-wait-1"
    case finWait2 = "fin-wait-2", timeWait = "time-wait", close, closeWait = "close-wait", lastAck = "last-ack"
    case listen, closing, newSynReceived = "new-syn-recv", unknown

    /// From the kernel's TCP_* number (1 = TCP_ESTABLISHED ... 12 = TCP_NEW_SYN_RECV).
    public init(kernel value: Int) {
        let all: [SocketState] = [.established, .synSent, .synReceived, .finWait1, .finWait2, .timeWait, .close,
                                  .closeWait, .lastAck, .listen, .closing, .newSynReceived]
        self = value >= 1 && value <= all.count ? all[value - 1] : .unknown
    }

    /// The State column of `ss`.
    public var ssName: String {
        switch self {
        case .established: return "ESTAB"
        case .synSent: return "SYN-SENT"
        case .synReceived: return "SYN-RECV"
        case .finWait1: return "FIN-WAIT-1"
        case .finWait2: return "FIN-WAIT-2"
        case .timeWait: return "TIME-WAIT"
        case .close: return "UNCONN"
        case .closeWait: return "CLOSE-WAIT"
        case .lastAck: return "LAST-ACK"
        case .listen: return "LISTEN"
        case .closing: return "CLOSING"
        case .newSynReceived: return "NEW-SYN-RECV"
        case .unknown: return "UNKNOWN"
        }
    }
}

/// An address and port.
public struct SocketEndpoint: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    public init(address: IPAddress, port: UInt16) { self.address = address; self.port = port }

    /// `10.0.0.1:80`, `[fd13::1]:80`, `0.0.0.0:*` for an unset port, as `ss -n` prints them.
    public var description: String {
        let host = address.isIPv6 ? "[\(address)]" : address.description
        return "\(host):\(port == 0 ? "*" : String(port))"
    }
}

/// The parts of the kernel's tcp_info that say how a connection is doing.
public struct TCPInfo: Codable, Sendable, Equatable {
    /// Smoothed round-trip time and its variance, microseconds.
    public var rttMicros: UInt32
    public var rttVarianceMicros: UInt32
    /// Retransmission timeout, microseconds.
    public var rtoMicros: UInt32
    /// Congestion window and slow-start threshold, in segments.
    public var congestionWindow: UInt32
    public var slowStartThreshold: UInt32
    public var mss: UInt32
    /// Retransmissions of the current unacknowledged segment (tcpi_retransmits).
    public var retransmits: UInt32
    /// Every retransmission over the connection's life (tcpi_total_retrans).
    public var totalRetransmits: UInt32
    public var lost: UInt32
    public var unacked: UInt32
    /// The congestion control algorithm (cubic, bbr, ...), when the kernel said.
    public var congestionAlgorithm: String?

    public init(rttMicros: UInt32 = 0, rttVarianceMicros: UInt32 = 0, rtoMicros: UInt32 = 0,
                congestionWindow: UInt32 = 0, slowStartThreshold: UInt32 = 0, mss: UInt32 = 0,
                retransmits: UInt32 = 0, totalRetransmits: UInt32 = 0, lost: UInt32 = 0, unacked: UInt32 = 0,
                congestionAlgorithm: String? = nil) {
        self.rttMicros = rttMicros; self.rttVarianceMicros = rttVarianceMicros; self.rtoMicros = rtoMicros
        self.congestionWindow = congestionWindow; self.slowStartThreshold = slowStartThreshold; self.mss = mss
        self.retransmits = retransmits; self.totalRetransmits = totalRetransmits; self.lost = lost
        self.unacked = unacked; self.congestionAlgorithm = congestionAlgorithm
    }
}

/// A process holding a socket: `users:(("nginx",pid=1,fd=6))` in `ss -p`.
public struct SocketOwner: Codable, Sendable, Equatable, Hashable {
    public var pid: Int32
    public var fd: Int32
    public var comm: String

    public init(pid: Int32, fd: Int32, comm: String) { self.pid = pid; self.fd = fd; self.comm = comm }
}

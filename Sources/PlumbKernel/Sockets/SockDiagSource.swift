import Glibc
import CNetlink

/// One sock_diag request. inet_diag answers do not name their protocol, so every request is dumped (and
/// recorded) on its own. The live reader asks for TCP of both families at once (`tcpListeners`,
/// `tcpConnections`: one walk of the kernel's tables each); `tcp4`/`tcp6` are the per-family requests `ss`
/// makes, which recordings may hold.
public enum SockDiagRequest: String, CaseIterable, Sendable {
    case tcp4, tcp6, tcpListeners, tcpConnections, udp4, udp6, raw4, raw6, unix

    var family: Int32 {
        switch self {
        case .tcp4, .udp4, .raw4, .tcpListeners, .tcpConnections: return AF_INET
        case .tcp6, .udp6, .raw6: return AF_INET6
        case .unix: return AF_UNIX
        }
    }

    /// IPPROTO_*; -1 for unix (plumb_sock_dump's marker).
    var ipProtocol: Int32 {
        switch self {
        case .tcp4, .tcp6, .tcpListeners, .tcpConnections: return Int32(IPPROTO_TCP)
        case .udp4, .udp6: return Int32(IPPROTO_UDP)
        case .raw4, .raw6: return Int32(IPPROTO_RAW)
        case .unix: return -1
        }
    }

    var isRaw: Bool { self == .raw4 || self == .raw6 }

    /// TCPF_* state mask of the combined TCP requests (nil: every state, per family).
    var tcpStates: UInt32? {
        let listen: UInt32 = 1 << 10  // TCPF_LISTEN
        switch self {
        case .tcpListeners: return listen
        case .tcpConnections: return 0x1FFE & ~listen  // TCP_ESTABLISHED (1) … TCP_NEW_SYN_RECV (12) but LISTEN
        default: return nil
        }
    }
}

/// Where SocketReader gets a namespace's sock_diag answers: a NETLINK_SOCK_DIAG socket opened inside the
/// namespace (it stays bound there, so it can be asked from any thread), or answers recorded from one.
protocol SockDiagSource {
    func sockets(_ request: SockDiagRequest) throws -> [plumb_sock]
}

extension NetlinkSocket: SockDiagSource {
    /// A sock_diag socket in the calling thread's namespace.
    public static func sockDiag() throws -> NetlinkSocket { try NetlinkSocket(protocol: NETLINK_SOCK_DIAG) }

    func sockets(_ request: SockDiagRequest) throws -> [plumb_sock] {
        var lastErr: Int32 = 0
        for _ in 0..<5 {
            var ctx = plumb_sock_ctx()
            let err = withRaw { sk in
                request.tcpStates.map { plumb_tcp_dump(sk, $0, &ctx) }
                    ?? plumb_sock_dump(sk, request.family, request.ipProtocol, &ctx)
            }
            defer { free(ctx.socks) }
            if err >= 0 && ctx.oom == 0 { return Array(UnsafeBufferPointer(start: ctx.socks, count: Int(ctx.n))) }
            lastErr = ctx.oom != 0 ? -NLE_NOMEM : err
            if -err != NLE_DUMP_INTR { break }
        }
        throw NetlinkError(operation: "sock_diag \(request.rawValue) dump", code: lastErr)
    }
}

/// A namespace's sock_diag answers as the kernel sent them, one byte string per request (what recvmsg returned,
/// NLMSG_DONE included): tests replay fixtures recorded from a real kernel through the live parser.
public struct RecordedSockDiag: SockDiagSource, Sendable {
    public var answers: [SockDiagRequest: [UInt8]]

    public init(answers: [SockDiagRequest: [UInt8]]) { self.answers = answers }

    func sockets(_ request: SockDiagRequest) throws -> [plumb_sock] {
        if answers[request] == nil, let states = request.tcpStates {
            // Recorded per family, as `ss` asks: the combined request is both answers, in its states.
            return try (sockets(.tcp4) + sockets(.tcp6)).filter { states & (1 << UInt32($0.state)) != 0 }
        }
        // A request the recording has no answer for stands for a kernel without that diag module.
        guard let bytes = answers[request] else {
            throw NetlinkError(operation: "sock_diag \(request.rawValue) dump", code: -NLE_OBJ_NOTFOUND)
        }
        var ctx = plumb_sock_ctx()
        defer { free(ctx.socks) }
        let err = bytes.withUnsafeBytes { plumb_replay_socks($0.baseAddress, $0.count, request.ipProtocol, &ctx) }
        guard err >= 0 else { throw NetlinkError(operation: "sock_diag \(request.rawValue) replay", code: err) }
        return Array(UnsafeBufferPointer(start: ctx.socks, count: Int(ctx.n)))
    }
}

import Foundation
import Glibc
@testable import PlumbKernel
import PlumbSystem

/// Records the sock_diag answers SocketReader asks for (TCP, UDP and unix; raw has no diag module on these
/// kernels), from the calling thread's namespace, as the kernel sends them. Replays through RecordedSockDiag.
enum SockDiagRecorder {
    static func record() throws -> RecordedSockDiag {
        let sock = try FileDescriptor.socket(AF_NETLINK, Int32(SOCK_RAW.rawValue), 4 /* NETLINK_SOCK_DIAG */)
        var answers: [SockDiagRequest: [UInt8]] = [:]
        // Per family, as `ss` asks; the reader's combined TCP requests replay from these.
        for (seq, r) in SockDiagRequest.allCases.enumerated() where !r.isRaw && r.tcpStates == nil {
            answers[r] = try NetlinkRecorder.dump(sock, type: 20 /* SOCK_DIAG_BY_FAMILY */, header: 0,
                                                  seq: UInt32(seq + 1), payload: request(r))
        }
        return RecordedSockDiag(answers: answers)
    }

    /// inet_diag_req_v2 (56 bytes) or unix_diag_req (24 bytes), as plumb_sock_dump builds them.
    static func request(_ r: SockDiagRequest) -> [UInt8] {
        if r == .unix {
            var b = [UInt8](repeating: 0, count: 24)
            b[0] = UInt8(AF_UNIX)
            b.withUnsafeMutableBytes {
                $0.storeBytes(of: UInt32.max, toByteOffset: 4, as: UInt32.self)           // udiag_states
                $0.storeBytes(of: UInt32(0x01 | 0x04 | 0x10 | 0x40), toByteOffset: 12, as: UInt32.self)  // name, peer, rqlen, uid
            }
            return b
        }
        var b = [UInt8](repeating: 0, count: 56)
        b[0] = UInt8(r.family)
        b[1] = UInt8(r.ipProtocol)
        b[2] = r.ipProtocol == Int32(IPPROTO_TCP) ? (1 << 1) | (1 << 3) : 0   // INET_DIAG_INFO, INET_DIAG_CONG
        b.withUnsafeMutableBytes { $0.storeBytes(of: UInt32.max, toByteOffset: 4, as: UInt32.self) }  // idiag_states
        return b
    }
}

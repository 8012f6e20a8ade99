import Foundation
import Glibc
@testable import PlumbKernel
import PlumbSystem

/// Records the answers of the four dumps Plumb's readers make (links, addresses, routes, neighbours) as the
/// kernel sends them, from the calling thread's namespace: a plain NETLINK_ROUTE socket, one request each,
/// every byte up to and including NLMSG_DONE. The result replays through RecordedNetlinkDump.
enum NetlinkRecorder {
    /// RTM_GET* with the size of the family header each request carries (ifinfomsg, ifaddrmsg, rtmsg, ndmsg).
    static let requests: [(type: UInt16, header: Int)] = [(18, 16), (22, 8), (26, 12), (30, 12)]

    static func record() throws -> RecordedNetlinkDump {
        let sock = try FileDescriptor.socket(AF_NETLINK, Int32(SOCK_RAW.rawValue), 0 /* NETLINK_ROUTE */)
        var answers: [[UInt8]] = []
        for (seq, r) in requests.enumerated() {
            answers.append(try dump(sock, type: r.type, header: r.header, seq: UInt32(seq + 1)))
        }
        return RecordedNetlinkDump(linkMessages: answers[0], addressMessages: answers[1], routeMessages: answers[2],
                                   neighbourMessages: answers[3])
    }

    /// One dump request: the family header is `payload`, or `header` zero bytes (AF_UNSPEC) without one.
    static func dump(_ sock: borrowing FileDescriptor, type: UInt16, header: Int, seq: UInt32,
                     payload: [UInt8]? = nil) throws -> [UInt8] {
        // nlmsghdr (len, type, flags NLM_F_REQUEST|NLM_F_DUMP, seq, pid 0) + the family header.
        let body = payload ?? [UInt8](repeating: 0, count: header)
        var request = [UInt8](repeating: 0, count: 16) + body
        request.withUnsafeMutableBytes { b in
            b.storeBytes(of: UInt32(16 + body.count), toByteOffset: 0, as: UInt32.self)
            b.storeBytes(of: type, toByteOffset: 4, as: UInt16.self)
            b.storeBytes(of: UInt16(0x301), toByteOffset: 6, as: UInt16.self)
            b.storeBytes(of: seq, toByteOffset: 8, as: UInt32.self)
        }
        try request.withUnsafeBytes { try sock.send($0) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try buf.withUnsafeMutableBytes { try sock.receive(into: $0) }
            guard n > 0 else { throw SystemError("recv", "netlink dump ended without NLMSG_DONE", errno: EPROTO) }
            out += buf[..<n]
            if try endsDump(buf[..<n]) { return out }
        }
    }

    /// True when a received chunk holds NLMSG_DONE; an NLMSG_ERROR answer is thrown.
    private static func endsDump(_ chunk: ArraySlice<UInt8>) throws -> Bool {
        var off = chunk.startIndex
        while off + 16 <= chunk.endIndex {
            let len = Int(chunk.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: off - chunk.startIndex, as: UInt32.self) })
            let type = chunk.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: off - chunk.startIndex + 4, as: UInt16.self) }
            if type == 3 /* NLMSG_DONE */ { return true }
            if type == 2 /* NLMSG_ERROR */ {
                let code = chunk.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: off - chunk.startIndex + 16, as: Int32.self) }
                throw SystemError("netlink dump", "NLMSG_ERROR", errno: -code)
            }
            guard len >= 16 else { break }
            off += (len + 3) & ~3
        }
        return false
    }
}

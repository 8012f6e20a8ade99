import Glibc
import PlumbModel

/// The local address the kernel would send from towards a destination: a UDP socket connected to it (which
/// sends nothing) and getsockname(2). `plumb agent` uses it as this host's underlay address when neither the
/// network nor the agent names one: the address towards etcd is the one the other hosts can reach.
public enum SourceAddress {
    public static func toward(_ destination: IPAddress, port: UInt16 = 4789) throws(SystemError) -> IPAddress {
        let v4 = destination.isIPv4
        let socket = try FileDescriptor.socket(v4 ? AF_INET : AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
        let bytes = destination.networkBytes
        var storage = sockaddr_storage()
        var length: socklen_t
        if v4 {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin.sin_addr) { $0.copyBytes(from: bytes.prefix(4)) }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: withUnsafeBytes(of: sin) { Array($0) }) }
        } else {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: bytes.prefix(16)) }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: withUnsafeBytes(of: sin6) { Array($0) }) }
        }
        let connected = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket.rawValue, $0, length) }
        }
        if connected != 0 { throw SystemError("connect", "UDP towards \(destination)") }
        var local = sockaddr_storage()
        var localLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket.rawValue, $0, &localLength) }
        }
        if named != 0 { throw SystemError("getsockname", "UDP towards \(destination)") }
        let address: IPAddress? = withUnsafeBytes(of: &local) { raw in
            if v4 {
                let sin = raw.load(as: sockaddr_in.self)
                return withUnsafeBytes(of: sin.sin_addr) { IPAddress(networkBytes: Array($0)) }
            }
            let sin6 = raw.load(as: sockaddr_in6.self)
            return withUnsafeBytes(of: sin6.sin6_addr) { IPAddress(networkBytes: Array($0)) }
        }
        guard let address else { throw SystemError("getsockname", "UDP towards \(destination): no address", errno: EINVAL) }
        return address
    }
}

import PlumbModel

/// Raw sockets from /proc/net/raw and /proc/net/raw6, for kernels built without raw_diag (CONFIG_INET_RAW_DIAG,
/// as on these machines): sock_diag answers ENOENT for them. The file shows the namespace of the reading
/// thread, so the reader opens /proc/thread-self/net/raw on a thread inside the namespace.
///
///   sl  local_address rem_address   st tx_queue:rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
///    1: 00000000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 38147 2 ...
///
/// Addresses are the kernel's 32-bit words printed in host order (little-endian here); the "port" is the raw
/// socket's IP protocol.
enum ProcNetRawParser {
    static func parse(_ text: String, family: IPAddress.Family) -> [SocketRecord] {
        var out: [SocketRecord] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 10, let local = endpoint(f[1], family), let remote = endpoint(f[2], family),
                  let state = Int(f[3], radix: 16) else { continue }
            let queues = f[4].split(separator: ":")
            guard queues.count == 2, let tx = UInt32(queues[0], radix: 16), let rx = UInt32(queues[1], radix: 16)
            else { continue }
            out.append(SocketRecord(proto: .raw, family: family, state: SocketState(kernel: state),
                                    local: SocketEndpoint(address: local.address, port: 0),
                                    remote: SocketEndpoint(address: remote.address, port: 0),
                                    receiveQueue: rx, sendQueue: tx, inode: UInt64(f[9]) ?? 0,
                                    uid: UInt32(f[7]), rawProtocol: Int(local.port)))
        }
        return out
    }

    /// "0100007F:0001" → 127.0.0.1, 1.
    private static func endpoint(_ field: Substring, _ family: IPAddress.Family) -> SocketEndpoint? {
        let parts = field.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1], radix: 16) else { return nil }
        let hex = parts[0]
        let words = family == .ipv4 ? 1 : 4
        guard hex.count == 8 * words else { return nil }
        var bytes: [UInt8] = []
        var i = hex.startIndex
        for _ in 0..<words {
            let end = hex.index(i, offsetBy: 8)
            guard let w = UInt32(hex[i..<end], radix: 16) else { return nil }
            // The word was printed in host order; its bytes in memory (network order) are little-endian here.
            withUnsafeBytes(of: w.littleEndian) { bytes += $0 }
            i = end
        }
        return IPAddress(networkBytes: bytes).map { SocketEndpoint(address: $0, port: port) }
    }
}

import PlumbModel

/// One namespace's sockets in `plumb ss --json`.
struct SocketNamespaceRow: Encodable {
    var namespace: UInt64
    var name: String
    var containers: [String]
    var sockets: [SocketRecord]
    /// What could not be read (a namespace that vanished mid-read, a diag module the kernel lacks).
    var notes: [String]
}

/// `plumb ss`: a table like `ss -tuanp` with the namespace and container in front; the JSON has every
/// namespace that was read, with its sockets and notes.
struct SocketListing: CommandOutput {
    var rows: [SocketNamespaceRow]

    var json: [SocketNamespaceRow] { rows }

    func text() -> String {
        var table: [[String]] = []
        var notes: [String] = []
        for r in rows {
            for s in r.sockets {
                table.append([r.name, r.containers.first ?? "-", s.proto.ssName, s.state.ssName,
                              String(s.receiveQueue), String(s.sendQueue), Self.local(s), Self.peer(s),
                              Self.users(s.owners), Self.tcpSummary(s.tcp)])
            }
            notes += r.notes.map { "note: \(r.name): \($0)" }
        }
        let header = ["Namespace", "Container", "Netid", "State", "Recv-Q", "Send-Q", "Local Address:Port",
                      "Peer Address:Port", "Process", "TCP"]
        let body = table.isEmpty ? "no sockets\n" : TextTable.render(header: header, rows: table)
        return body + notes.map { $0 + "\n" }.joined()
    }

    /// Local column: address:port, a unix path (or `*` when unnamed), a raw socket's protocol as its port.
    static func local(_ s: SocketRecord) -> String {
        if s.proto.isUnix { return (s.path ?? "*") + " \(s.inode)" }
        guard let l = s.local else { return "*" }
        if s.proto == .raw, let p = s.rawProtocol { return SocketEndpoint(address: l.address, port: UInt16(p)).description }
        return l.description
    }

    static func peer(_ s: SocketRecord) -> String {
        if s.proto.isUnix { return "* \(s.peerInode ?? 0)" }
        return s.remote?.description ?? "*"
    }

    /// `users:(("nginx",pid=1,fd=6),...)` as `ss -p` prints it.
    static func users(_ owners: [SocketOwner]) -> String {
        owners.isEmpty ? "" : "users:(" + owners.map { "(\"\($0.comm)\",pid=\($0.pid),fd=\($0.fd))" }.joined(separator: ",") + ")"
    }

    /// `rtt:0.05/0.025 cwnd:10 retrans:0/2` (ss -i's units: milliseconds).
    static func tcpSummary(_ t: TCPInfo?) -> String {
        guard let t else { return "" }
        func ms(_ us: UInt32) -> String {
            let v = Double(us) / 1000
            return v == v.rounded() ? String(Int(v)) : String(v)
        }
        return "rtt:\(ms(t.rttMicros))/\(ms(t.rttVarianceMicros)) cwnd:\(t.congestionWindow) retrans:\(t.retransmits)/\(t.totalRetransmits)"
    }
}

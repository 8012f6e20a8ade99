import PlumbModel

/// A published port: traffic to hostIP:hostPort (any host address when nil) goes to the endpoint's
/// containerPort. Written like Docker's -p: "8080:80", "8080:80/udp", "127.0.0.1:8080:80/tcp", "[::1]:8080:80".
/// Its JSON (the store's `ports` column, journal claims, `--json`) holds the host address as its text.
public struct PortMapping: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    public var hostIP: IPAddress?
    public var hostPort: Int
    public var containerPort: Int
    /// "tcp" or "udp".
    public var proto: String

    public init(hostIP: IPAddress? = nil, hostPort: Int, containerPort: Int, proto: String = "tcp") {
        self.hostIP = hostIP; self.hostPort = hostPort; self.containerPort = containerPort; self.proto = proto
    }

    public static func parse(_ text: String) throws -> PortMapping {
        func bad(_ reason: String) -> StoreError { .invalidPortMapping(text, reason: reason) }
        if text.isEmpty { throw bad("it is empty") }
        if text.contains(where: \.isWhitespace) { throw bad("it contains whitespace") }
        var rest = Substring(text), proto = "tcp"
        if let slash = rest.lastIndex(of: "/") {
            proto = rest[rest.index(after: slash)...].lowercased()
            guard proto == "tcp" || proto == "udp" else {
                throw bad(proto.isEmpty ? "the protocol after '/' is missing" : "protocol '\(proto)' is not tcp or udp")
            }
            rest = rest[..<slash]
        }
        var hostIPText: Substring?
        if rest.hasPrefix("[") {
            // IPv6 host address: its colons would be read as separators without the brackets.
            guard let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].hasPrefix(":") else {
                throw bad("an IPv6 host address needs '[ADDRESS]:' before the ports, like [::1]:8080:80")
            }
            hostIPText = rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(close, offsetBy: 2)...]
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        let portTexts: ArraySlice<Substring>
        switch (parts.count, hostIPText) {
        case (2, _): portTexts = parts[...]
        case (3, nil): hostIPText = parts[0]; portTexts = parts[1...]
        case (1, _): throw bad("it has one port: give both HOST_PORT:CONTAINER_PORT")
        default: throw bad("it has too many ':' (put an IPv6 host address in brackets, like [::1]:8080:80)")
        }
        var hostIP: IPAddress?
        if let t = hostIPText {
            do {
                hostIP = try IPAddress.parse(String(t))
            } catch let e as AddressError {
                throw bad("the host address is wrong: \(e)")
            }
        }
        func port(_ s: Substring, _ role: String) throws -> Int {
            if s.contains("-") { throw bad("port ranges like \(s) are not supported: map each port on its own") }
            guard !s.isEmpty, s.allSatisfy({ $0.isASCII && $0.isNumber }), s.count <= 5, let n = Int(s), (1...65535).contains(n) else {
                throw bad(s.isEmpty ? "the \(role) port is missing" : "\(role) port '\(s)' is not a number 1-65535")
            }
            return n
        }
        let hostPort = try port(portTexts[portTexts.startIndex], "host")
        let containerPort = try port(portTexts[portTexts.startIndex + 1], "container")
        return PortMapping(hostIP: hostIP, hostPort: hostPort, containerPort: containerPort, proto: proto)
    }

    /// The same text `parse` reads.
    public var description: String {
        let ip = hostIP.map { $0.isIPv6 ? "[\($0)]:" : "\($0):" } ?? ""
        return "\(ip)\(hostPort):\(containerPort)/\(proto)"
    }
}

/// Where the cluster store is: `etcd://HOST:PORT[,HOST:PORT…]`, as `--store`, `PLUMB_STORE` or the config
/// file's `store = …` give it. Several endpoints are members of one etcd cluster; the client tries them in order
/// and stays on the first that answers.
public struct StoreLocation: Sendable, Equatable, CustomStringConvertible {
    public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) { self.host = host; self.port = port }
        /// `HOST:PORT`, an IPv6 host in brackets.
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    public var endpoints: [Endpoint]
    public init(endpoints: [Endpoint]) { self.endpoints = endpoints }

    /// etcd's own client port, when a member names none.
    public static let defaultPort = 2379

    public var description: String { "etcd://" + endpoints.map(\.description).joined(separator: ",") }

    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Parses `etcd://HOST[:PORT][,HOST[:PORT]…]` (IPv6 hosts in brackets). The error says what is wrong and
    /// what the form is.
    public static func parse(_ text: String) throws -> StoreLocation {
        let form = "use etcd://HOST:PORT[,HOST:PORT…]"
        guard text.hasPrefix("etcd://") else {
            throw ParseError(description: "invalid store '\(text)': \(form) (only etcd is supported)")
        }
        let rest = text.dropFirst("etcd://".count)
        var endpoints: [Endpoint] = []
        for member in rest.split(separator: ",", omittingEmptySubsequences: false) {
            guard let ep = endpoint(String(member)) else {
                throw ParseError(description: "invalid store member '\(member)' in '\(text)': \(form)")
            }
            endpoints.append(ep)
        }
        return StoreLocation(endpoints: endpoints)
    }

    static func endpoint(_ s: String) -> Endpoint? {
        var host: Substring, portText: Substring?
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { return nil }
            host = s[s.index(after: s.startIndex)..<close]
            let after = s[s.index(after: close)...]
            if after.isEmpty { portText = nil } else if after.hasPrefix(":") { portText = after.dropFirst() } else { return nil }
        } else {
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { return nil }
            host = parts[0]
            portText = parts.count == 2 ? parts[1] : nil
        }
        guard !host.isEmpty, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.:_".contains($0)) }) else { return nil }
        var port = defaultPort
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else { return nil }
            port = p
        }
        return Endpoint(host: String(host), port: port)
    }
}

/// `--store-ca`, `--store-cert`, `--store-key`: PEM files for talking to etcd over TLS (https). The CA alone
/// checks the server; the certificate and key together authenticate this client (etcd's --client-cert-auth).
public struct StoreTLSFiles: Sendable, Equatable, Hashable {
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile; self.certFile = certFile; self.keyFile = keyFile
    }
    /// Any file given means https.
    public var isEnabled: Bool { caFile != nil || certFile != nil || keyFile != nil }
}

/// The key layout of Plumb's cluster store, version 1. Everything lives under `/plumb/v1/`; a future format
/// gets a new prefix and never reinterprets these keys. docs/cluster.md describes each key and its value.
///
/// ```
/// /plumb/v1/networks/NET                       ClusterNetwork   (no etcd lease)
/// /plumb/v1/networks/NET/leases/IP             AddressLease     (no etcd lease: kept until released or gc --store)
/// /plumb/v1/hosts/HOST                         HostEntry        under the host agent's etcd lease: the host is alive
/// /plumb/v1/hosts/HOST/vteps/NET               VTEPEntry        under the same lease
/// /plumb/v1/hosts/HOST/endpoints/NET/IP        EndpointEntry    under the same lease (the agent's live view)
/// /plumb/v1/hosts/HOST/snapshot                the host's snapshot summary (JSON), under the same lease
/// ```
///
/// Names are Plumb names (letters, digits, `-_.`) and addresses are printed IP addresses, so segments rarely
/// need escaping; any other byte (a `/` above all) is percent-encoded so a segment never splits.
public enum ClusterKeys {
    public static let root = "/plumb/v1/"
    public static let networksPrefix = root + "networks/"
    public static let hostsPrefix = root + "hosts/"

    public static func network(_ name: String) -> String { networksPrefix + segment(name) }
    /// Every key of one network: its record and its leases.
    public static func networkPrefix(_ name: String) -> String { network(name) + "/" }
    public static func leasesPrefix(network name: String) -> String { Self.network(name) + "/leases/" }
    public static func lease(network: String, address: String) -> String { leasesPrefix(network: network) + segment(address) }

    public static func host(_ host: String) -> String { hostsPrefix + segment(host) }
    /// Every key of one host: its liveness key, VTEPs, endpoints and snapshot summary.
    public static func hostPrefix(_ host: String) -> String { self.host(host) + "/" }
    public static func vtep(host: String, network: String) -> String { hostPrefix(host) + "vteps/" + segment(network) }
    public static func endpointsPrefix(host: String) -> String { hostPrefix(host) + "endpoints/" }
    public static func endpoint(host: String, network: String, address: String) -> String {
        endpointsPrefix(host: host) + segment(network) + "/" + segment(address)
    }
    public static func snapshot(host: String) -> String { hostPrefix(host) + "snapshot" }

    /// What a key under `/plumb/v1/` names, read back from the key alone.
    public enum Parsed: Equatable, Sendable {
        case network(String)
        case lease(network: String, address: String)
        case host(String)
        case vtep(host: String, network: String)
        case endpoint(host: String, network: String, address: String)
        case snapshot(host: String)
    }

    /// The parsed key, or nil for a key this version does not know (left alone, never deleted).
    public static func parse(_ key: String) -> Parsed? {
        guard key.hasPrefix(root) else { return nil }
        let parts = key.dropFirst(root.count).split(separator: "/", omittingEmptySubsequences: false).map { unsegment(String($0)) }
        guard parts.allSatisfy({ $0 != nil }) else { return nil }
        let p = parts.map { $0! }
        guard p.count >= 2, !p.dropFirst().contains("") else { return nil }
        switch (p[0], p.count) {
        case ("networks", 2): return .network(p[1])
        case ("networks", 4) where p[2] == "leases": return .lease(network: p[1], address: p[3])
        case ("hosts", 2): return .host(p[1])
        case ("hosts", 4) where p[2] == "vteps": return .vtep(host: p[1], network: p[3])
        case ("hosts", 5) where p[2] == "endpoints": return .endpoint(host: p[1], network: p[3], address: p[4])
        case ("hosts", 3) where p[2] == "snapshot": return .snapshot(host: p[1])
        default: return nil
        }
    }

    /// One path segment: letters, digits and `-_.:` as they are, any other byte as %XX.
    public static func segment(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            let c = Character(UnicodeScalar(b))
            if b < 0x80, c.isLetter || c.isNumber || "-_.:".contains(c) {
                out.append(c)
            } else {
                out += "%" + String(b, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }

    /// The segment decoded; nil when it is not a valid encoding.
    public static func unsegment(_ s: String) -> String? {
        var bytes: [UInt8] = []
        var i = s.utf8.startIndex
        let u = s.utf8
        while i != u.endIndex {
            if u[i] == UInt8(ascii: "%") {
                let h = u.index(i, offsetBy: 1, limitedBy: u.endIndex)
                guard let h, h != u.endIndex, let l = u.index(h, offsetBy: 1, limitedBy: u.endIndex), l != u.endIndex,
                      let v = UInt8(String(decoding: [u[h], u[l]], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(v)
                i = u.index(after: l)
            } else {
                bytes.append(u[i])
                i = u.index(after: i)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

private extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}

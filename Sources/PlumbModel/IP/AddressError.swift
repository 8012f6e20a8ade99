/// Why an address, subnet or range was refused: each message names the value, says what is wrong with it and,
/// where there is one, the fix.
public enum AddressError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Text that is not an IP address, and why.
    case invalidAddress(String, reason: String)
    /// Text that is not ADDRESS/LENGTH, and why.
    case invalidPrefix(String, reason: String)
    /// A subnet written with host bits set, and the subnet it lies in.
    case notNetworkAddress(String, suggestion: String)
    /// An address or range of the other family than its subnet.
    case familyMismatch(role: String, String, subnet: IPPrefix)
    case outsideSubnet(role: String, String, subnet: IPPrefix)
    /// The network or broadcast address, which no endpoint or gateway may use.
    case reserved(role: String, IPAddress, subnet: IPPrefix, what: String)
    /// `IPPrefix.host(n)` beyond the subnet's hosts.
    case noSuchHost(String, subnet: IPPrefix)

    public var description: String {
        switch self {
        case .invalidAddress(let text, let reason):
            return "'\(text)' is not an IP address: \(reason)"
        case .invalidPrefix(let text, let reason):
            return "'\(text)' is not a valid subnet: \(reason)"
        case .notNetworkAddress(let text, let suggestion):
            return "\(text) is not a network address: did you mean \(suggestion)?"
        case .familyMismatch(let role, let value, let subnet):
            let other = subnet.family == .ipv4 ? "IPv6" : "IPv4"
            return "\(role) \(value) is \(other) but subnet \(subnet) is \(subnet.family.name)"
        case .outsideSubnet(let role, let value, let subnet):
            let fix = value.contains("/") ? "use a range inside it" : "use \(Self.hosts(subnet))"
            return "\(role) \(value) is outside subnet \(subnet): \(fix)"
        case .reserved(let role, let a, let subnet, let what):
            return "\(role) \(a) is the \(what) of \(subnet): use \(Self.hosts(subnet))"
        case .noSuchHost(let n, let subnet):
            return "subnet \(subnet) has no host number \(n): its hosts are \(Self.hosts(subnet))"
        }
    }

    static func hosts(_ s: IPPrefix) -> String {
        s.firstHost == s.lastHost ? "only \(s.firstHost)" : "\(s.firstHost) to \(s.lastHost)"
    }
}

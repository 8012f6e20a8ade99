import PlumbModel

/// Where default subnets come from: a base prefix cut into equal subnets (Docker's default-address-pools).
/// A new network gets the lowest subnet that overlaps nothing in use, so it never shadows a route or address
/// the host already has, nor another Plumb network.
public struct SubnetPool: Hashable, Sendable, CustomStringConvertible {
    /// The range the subnets are cut from (a network address).
    public let base: IPPrefix
    /// Prefix length of each subnet handed out.
    public let size: Int

    public init(base: IPPrefix, size: Int) throws {
        guard base.isNetworkAddress else { throw AddressError.notNetworkAddress(base.description, suggestion: base.canonical.description) }
        guard size >= base.length && size <= base.family.bitWidth else {
            throw IPAMError.invalidPool("\(base) size \(size)",
                                        reason: "the subnet size must be /\(base.length) to /\(base.family.bitWidth)")
        }
        self.base = base
        self.size = size
    }

    /// 172.30.0.0/16 in /24s: 256 networks, clear of Docker's 172.17-172.29 defaults.
    public static let `default` = SubnetPool(unchecked: IPPrefix(unchecked: IPAddress(ipv4: 0xAC1E_0000), length: 16), size: 24)

    init(unchecked base: IPPrefix, size: Int) { self.base = base; self.size = size }

    /// Parses Docker's "base=172.30.0.0/16,size=24" or a bare "172.30.0.0/16" (in /24s for IPv4 or /64s for
    /// IPv6, or whole when the base is smaller).
    public static func parse(_ text: String) throws -> SubnetPool {
        var baseText: String?, sizeText: String?
        if !text.contains("=") {
            baseText = text
        } else {
            for field in text.split(separator: ",") {
                let kv = field.split(separator: "=", maxSplits: 1).map(String.init)
                switch (kv.first, kv.count) {
                case ("base", 2): baseText = kv[1]
                case ("size", 2): sizeText = kv[1]
                default:
                    throw IPAMError.invalidPool(text, reason: "unknown field '\(field)': write base=PREFIX,size=LENGTH")
                }
            }
        }
        guard let baseText else { throw IPAMError.invalidPool(text, reason: "it has no base=PREFIX") }
        let base = try IPPrefix.parse(baseText, requireNetworkAddress: true)
        let size: Int
        if let sizeText {
            guard let n = Int(sizeText.hasPrefix("/") ? String(sizeText.dropFirst()) : sizeText) else {
                throw IPAMError.invalidPool(text, reason: "size '\(sizeText)' is not a prefix length")
            }
            size = n
        } else {
            size = max(base.length, base.family == .ipv4 ? 24 : 64)
        }
        return try SubnetPool(base: base, size: size)
    }

    public var description: String { "\(base) (in /\(size)s)" }

    /// The lowest subnet of the pool overlapping none of `inUse`. Throws IPAMError.poolExhausted naming the
    /// pool and what filled it.
    public func pick(avoiding inUse: [(prefix: IPPrefix, owner: String)]) throws -> IPPrefix {
        try Self.pick(from: [self], avoiding: inUse)
    }

    /// The first free subnet of the first pool that has one.
    public static func pick(from pools: [SubnetPool], avoiding inUse: [(prefix: IPPrefix, owner: String)]) throws -> IPPrefix {
        guard !pools.isEmpty else { throw IPAMError.invalidPool("(none)", reason: "no address pool is configured") }
        var blockers: [SubnetCollision] = []
        for pool in pools {
            if let p = pool.firstFree(avoiding: inUse, blockers: &blockers) { return p }
        }
        throw IPAMError.poolExhausted(pools: pools, blockers: blockers)
    }

    /// Walks the candidates in order. When a candidate collides, the walk jumps past the end of whichever is
    /// larger, the candidate or what it hit, so a huge in-use prefix (a /8 route over a /48 IPv6 pool) costs
    /// one step, not one per candidate inside it.
    func firstFree(avoiding inUse: [(prefix: IPPrefix, owner: String)], blockers: inout [SubnetCollision]) -> IPPrefix? {
        let end = base.last
        var start = base.network
        while true {
            let candidate = IPPrefix(unchecked: start, length: size)
            guard let hit = inUse.first(where: { $0.prefix.overlaps(candidate) }) else { return candidate }
            let c = SubnetCollision(prefix: hit.prefix, owner: hit.owner)
            if blockers.count < 3 && !blockers.contains(c) { blockers.append(c) }
            let blockEnd = Swift.max(candidate.last, hit.prefix.last)
            guard blockEnd < end, let next = blockEnd.next else { return nil }
            start = next
        }
    }

    /// The first of `inUse` that `subnet` overlaps, for user-given subnets.
    public static func collision(_ subnet: IPPrefix, inUse: [(prefix: IPPrefix, owner: String)]) -> SubnetCollision? {
        inUse.first { $0.prefix.overlaps(subnet) }.map { SubnetCollision(prefix: $0.prefix, owner: $0.owner) }
    }

    /// Throws IPAMError.subnetOverlaps naming the first collision.
    public static func check(_ subnet: IPPrefix, inUse: [(prefix: IPPrefix, owner: String)]) throws {
        if let c = collision(subnet, inUse: inUse) { throw IPAMError.subnetOverlaps(subnet, c) }
    }
}

/// A subnet already in use and who uses it ("route on eth0 in host", "plumb network web").
public struct SubnetCollision: Hashable, Sendable, CustomStringConvertible {
    public let prefix: IPPrefix
    public let owner: String
    public init(prefix: IPPrefix, owner: String) { self.prefix = prefix; self.owner = owner }
    public var description: String { "\(prefix) (\(owner))" }
}

public enum IPAMError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Every subnet of every pool overlaps something; `blockers` are the first few collisions met.
    case poolExhausted(pools: [SubnetPool], blockers: [SubnetCollision])
    case subnetOverlaps(IPPrefix, SubnetCollision)
    case invalidPool(String, reason: String)

    public var description: String {
        switch self {
        case .poolExhausted(let pools, let blockers):
            let names = pools.map(\.description).joined(separator: ", ")
            let what = blockers.isEmpty ? "" : " (in use: \(blockers.map(\.description).joined(separator: ", "))\(blockers.count == 3 ? ", ..." : ""))"
            let pool = pools.count == 1 ? "address pool \(names) is" : "address pools \(names) are"
            return "\(pool) exhausted: every subnet overlaps one in use\(what); pass an explicit --subnet or remove unused networks"
        case .subnetOverlaps(let subnet, let c):
            return "subnet \(subnet) overlaps \(c): choose another subnet"
        case .invalidPool(let text, let reason):
            return "invalid address pool '\(text)': \(reason)"
        }
    }
}

extension IPAMError: CategorizedError {
    public var category: ErrorCategory {
        switch self {
        case .subnetOverlaps, .invalidPool: return .invalidInput
        case .poolExhausted: return .failure
        }
    }
}

import PlumbModel

/// The rules of one namespace as `nft -a list ruleset` prints them: each with its handle and its position in
/// its chain, so a trace event (which names a rule by handle only) can be shown as the rule, and a rule of an
/// iptables-nft table mapped to its `iptables-save` line (the same position in the same chain).
public struct NftRuleListing: Sendable, Equatable {
    public struct Rule: Sendable, Equatable {
        public var family: String
        public var table: String
        public var chain: String
        /// 1-based position in the chain (what iptables numbers it).
        public var index: Int
        public var handle: UInt64
        /// nft's own rendering, without the `# handle` comment.
        public var text: String
    }

    public struct Chain: Sendable, Equatable {
        public var family: String
        public var table: String
        public var name: String
        /// The hook of a base chain (prerouting, input, forward, output, postrouting), nil for a regular chain.
        public var hook: String?
    }

    public var rules: [Rule] = []
    public var chains: [Chain] = []

    public init(rules: [Rule] = [], chains: [Chain] = []) { self.rules = rules; self.chains = chains }

    public func rule(family: String, table: String, chain: String, handle: UInt64) -> Rule? {
        rules.first { $0.handle == handle && $0.chain == chain && $0.table == table && $0.family == family }
    }

    public func hook(family: String, table: String, chain: String) -> String? {
        chains.first { $0.name == chain && $0.table == table && $0.family == family }?.hook
    }

    /// Parses the text. Sets, maps and flowtables are skipped; only lines directly inside a chain are rules.
    public static func parse(_ text: String) -> NftRuleListing {
        var out = NftRuleListing()
        var table: (family: String, name: String)?
        var chain: String?
        var index = 0
        var otherDepth = 0  // inside a set/map/flowtable/object block
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.trimmed(" \t")
            if line.hasPrefix("#") { continue }
            if otherDepth > 0 {
                if line == "}" { otherDepth -= 1 } else if line.hasSuffix("{") || line.contains("{ # handle") { otherDepth += 1 }
                continue
            }
            let words = line.split(separator: " ").map(String.init)
            if line == "}" {
                if chain != nil { chain = nil } else { table = nil }
                continue
            }
            if table == nil {
                if words.count >= 3, words[0] == "table" { table = (words[1], words[2]) }
                continue
            }
            guard let t = table else { continue }
            if chain == nil {
                if words.count >= 2, words[0] == "chain" {
                    chain = words[1]; index = 0
                    out.chains.append(Chain(family: t.family, table: t.name, name: words[1]))
                } else if line.hasSuffix("{") || line.contains("{ # handle") {
                    otherDepth = 1
                }
                continue
            }
            guard let c = chain else { continue }
            if words.first == "type", let h = words.firstIndex(of: "hook"), h + 1 < words.count {
                out.chains[out.chains.count - 1].hook = words[h + 1]
                continue
            }
            guard let split = Self.splitHandle(line) else { continue }
            index += 1
            let (body, handle) = split
            out.rules.append(Rule(family: t.family, table: t.name, chain: c, index: index, handle: handle, text: body))
        }
        return out
    }
}

extension NftRuleListing {
    /// "RULE # handle N" → (RULE, N).
    static func splitHandle(_ line: String) -> (String, UInt64)? {
        let marker = " # handle "
        guard let r = line.ranges(of: marker).last, let handle = UInt64(line[r.upperBound...].trimmed(" ")) else { return nil }
        return (line[..<r.lowerBound].trimmed(" \t"), handle)
    }
}

extension StringProtocol {
    /// The text without leading and trailing characters of `set` (spaces and tabs here).
    func trimmed(_ set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

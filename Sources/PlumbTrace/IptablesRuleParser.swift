import PlumbModel

/// Parses the rule text `iptables-save` prints after `-A CHAIN` into an `IptablesRule`.
///
/// It never fails: what it cannot read becomes `.unsupported` (a match) or `.opaque` (a target), so a caller
/// can report it honestly. `iptables-save` writes options in a canonical form (`! -s A/M`, `-m MOD --opt V`),
/// which is the form handled here; the long option names work too.
public enum IptablesRuleParser {
    /// Match modules whose options this parser understands.
    static let knownModules: Set<String> = [
        "tcp", "udp", "sctp", "icmp", "icmp6", "icmpv6", "multiport", "conntrack", "state", "addrtype", "comment",
        "physdev", "mark", "iprange", "length", "pkttype",
    ]

    /// Targets that alter something and continue with the next rule.
    static let nonTerminalTargets: Set<String> = [
        "CONNMARK", "TCPMSS", "CHECKSUM", "CT", "NOTRACK", "TRACE", "TTL", "HL", "TOS", "DSCP", "SECMARK",
        "CONNSECMARK", "AUDIT", "CLASSIFY", "ULOG", "NETMAP", "IDLETIMER", "LED", "RATEEST", "SYNPROXY",
    ]
    static let opaqueTargets: Set<String> = ["NFQUEUE", "QUEUE", "TPROXY", "TEE"]

    public static func parse(_ text: String) -> IptablesRule {
        let words = tokenize(text)
        var matches: [RuleMatch] = []
        var target: RuleTarget?
        var module = ""
        var negate = false
        var i = 0

        func next() -> String? {
            i += 1
            return i < words.count ? words[i] : nil
        }
        /// The option and its arguments up to the next option, for `.unsupported`.
        func unsupportedRun(_ option: String) -> String {
            var parts = [option]
            while i + 1 < words.count, !words[i + 1].hasPrefix("-") || Int(words[i + 1]) != nil, words[i + 1] != "!" {
                i += 1; parts.append(quoteIfNeeded(words[i]))
            }
            return (negate ? "! " : "") + (module.isEmpty ? "" : "-m \(module) ") + parts.joined(separator: " ")
        }

        while i < words.count {
            let w = words[i]
            if w == "!" { negate = true; i += 1; continue }
            let neg = negate
            switch w {
            case "-s", "--source":
                if let v = next(), let p = IPPrefix(iptables: v) { matches.append(.source(p, negated: neg)) }
                else { matches.append(.unsupported("\(neg ? "! " : "")-s \(words[safe: i] ?? "")")) }
            case "-d", "--destination":
                if let v = next(), let p = IPPrefix(iptables: v) { matches.append(.destination(p, negated: neg)) }
                else { matches.append(.unsupported("\(neg ? "! " : "")-d \(words[safe: i] ?? "")")) }
            case "-i", "--in-interface":
                if let v = next() { matches.append(.inInterface(v, negated: neg)) }
            case "-o", "--out-interface":
                if let v = next() { matches.append(.outInterface(v, negated: neg)) }
            case "-p", "--protocol":
                if let v = next() { matches.append(.proto(normalizeProto(v), negated: neg)) }
                if module.isEmpty, let p = words[safe: i] { module = normalizeProto(p) }  // implicit -m tcp/udp
            case "-f", "--fragment":
                matches.append(.fragment(negated: neg))
            case "-m", "--match":
                module = next() ?? ""
                if !knownModules.contains(module) {
                    // Swallow the whole unknown module with its options as one unsupported match.
                    var parts = ["-m", module]
                    while i + 1 < words.count, !["-m", "--match", "-j", "-g", "--jump", "--goto", "-s", "-d", "-i",
                                                  "-o", "-p"].contains(words[i + 1]) {
                        if words[i + 1] == "!", i + 2 < words.count,
                           ["-m", "-j", "-g", "-s", "-d", "-i", "-o", "-p"].contains(words[i + 2]) { break }
                        i += 1; parts.append(quoteIfNeeded(words[i]))
                    }
                    matches.append(.unsupported(parts.joined(separator: " ")))
                }
            case "-j", "--jump", "-g", "--goto":
                let name = next() ?? ""
                var args: [String] = []
                while i + 1 < words.count { i += 1; args.append(words[i]) }
                target = makeTarget(name, args: args, isGoto: w == "-g" || w == "--goto")
            case "--sport", "--source-port", "--dport", "--destination-port":
                let isSource = w == "--sport" || w == "--source-port"
                if let v = next(), let r = parsePorts(v) {
                    matches.append(isSource ? .sourcePorts(r, negated: neg) : .destinationPorts(r, negated: neg))
                } else { matches.append(.unsupported("\(w) \(words[safe: i] ?? "")")) }
            case "--sports", "--source-ports", "--dports", "--destination-ports", "--ports":
                if let v = next(), let r = parsePorts(v) {
                    switch w {
                    case "--sports", "--source-ports": matches.append(.sourcePorts(r, negated: neg))
                    case "--ports": matches.append(.eitherPort(r, negated: neg))
                    default: matches.append(.destinationPorts(r, negated: neg))
                    }
                } else { matches.append(.unsupported("\(w) \(words[safe: i] ?? "")")) }
            case "--ctstate", "--state":
                if let v = next() {
                    matches.append(.connectionState(Set(v.split(separator: ",").map { $0.uppercased() }), negated: neg))
                }
            case "--src-type", "--dst-type":
                if let v = next() {
                    let types = Set(v.split(separator: ",").map { $0.uppercased() })
                    matches.append(w == "--src-type"
                        ? .sourceAddressType(types, negated: neg, limitToInInterface: false)
                        : .destinationAddressType(types, negated: neg, limitToOutInterface: false))
                }
            case "--limit-iface-in", "--limit-iface-out":
                // Narrows the address type to the packet's own interface: kept, but evaluated as unsupported.
                matches.append(.unsupported("-m addrtype \(w)"))
            case "--comment":
                matches.append(.comment(next() ?? ""))
            case "--physdev-in":
                if let v = next() { matches.append(.physdevIn(v, negated: neg)) }
            case "--physdev-out":
                if let v = next() { matches.append(.physdevOut(v, negated: neg)) }
            case "--physdev-is-bridged": matches.append(.physdevIsBridged(negated: neg))
            case "--physdev-is-in": matches.append(.physdevIsIn(negated: neg))
            case "--physdev-is-out": matches.append(.physdevIsOut(negated: neg))
            case "--mark" where module == "mark":
                if let v = next(), let (value, mask) = parseValueMask(v) {
                    matches.append(.mark(value: value, mask: mask, negated: neg))
                } else { matches.append(.unsupported("-m mark --mark \(words[safe: i] ?? "")")) }
            case "--icmp-type", "--icmpv6-type":
                if let v = next() { matches.append(.icmpType(v, negated: neg)) }
            case "--tcp-flags":
                if let m = next(), let c = next() {
                    matches.append(.tcpFlags(mask: flagSet(m), set: flagSet(c), negated: neg))
                }
            case "--syn":
                matches.append(.tcpFlags(mask: ["SYN", "RST", "ACK", "FIN"], set: ["SYN"], negated: neg))
            case "--src-range", "--dst-range":
                if let v = next() {
                    let ends = v.split(separator: "-").map(String.init)
                    if ends.count == 2, let a = IPAddress(ends[0]), let b = IPAddress(ends[1]) {
                        matches.append(w == "--src-range" ? .sourceRange(a, b, negated: neg)
                                                          : .destinationRange(a, b, negated: neg))
                    } else { matches.append(.unsupported("-m iprange \(w) \(v)")) }
                }
            case "--length" where module == "length":
                if let v = next() {
                    let ends = v.split(separator: ":").compactMap { Int($0) }
                    if ends.count == 1 { matches.append(.length(ends[0]...ends[0], negated: neg)) }
                    else if ends.count == 2, ends[0] <= ends[1] { matches.append(.length(ends[0]...ends[1], negated: neg)) }
                    else { matches.append(.unsupported("-m length --length \(v)")) }
                }
            case "--pkt-type":
                if let v = next() { matches.append(.packetType(v.lowercased(), negated: neg)) }
            default:
                matches.append(.unsupported(unsupportedRun(w)))
            }
            negate = false
            i += 1
        }
        return IptablesRule(text: text, matches: matches, target: target)
    }

    static func makeTarget(_ name: String, args: [String], isGoto: Bool) -> RuleTarget {
        func option(_ o: String) -> String? {
            guard let k = args.firstIndex(of: o), k + 1 < args.count else { return nil }
            return args[k + 1]
        }
        if isGoto { return .goto(name) }
        switch name {
        case "ACCEPT": return .accept
        case "DROP": return .drop
        case "REJECT": return .reject(with: option("--reject-with"))
        case "RETURN": return .returnFromChain
        case "LOG", "NFLOG": return .log(prefix: option("--log-prefix") ?? option("--nflog-prefix"))
        case "MASQUERADE": return .masquerade(toPorts: option("--to-ports"))
        case "SNAT": return option("--to-source").map { .snat(to: $0) } ?? .opaque("SNAT")
        case "DNAT": return option("--to-destination").map { .dnat(to: $0) } ?? .opaque("DNAT")
        case "REDIRECT": return .redirect(toPorts: option("--to-ports"))
        case "MARK":
            if let v = option("--set-xmark"), let (value, mask) = parseValueMask(v) { return .setMark(value: value, mask: mask) }
            if let v = option("--set-mark"), let (value, mask) = parseValueMask(v) {
                return .setMark(value: value, mask: mask == 0xffff_ffff ? mask : mask | value)
            }
            if let v = option("--or-mark"), let n = parseNumber(v) { return .setMark(value: n, mask: n) }
            if let v = option("--and-mark"), let n = parseNumber(v) { return .setMark(value: 0, mask: ~n) }
            if let v = option("--xor-mark"), let n = parseNumber(v) { return .setMark(value: n, mask: 0) }
            return .nonTerminal("MARK")
        default:
            if nonTerminalTargets.contains(name) { return .nonTerminal(name) }
            if opaqueTargets.contains(name) { return .opaque(name) }
            return .jump(name)
        }
    }

    // MARK: - Words

    /// Splits like a shell would for iptables-save output: words separated by spaces, double quotes group,
    /// a backslash escapes the next character inside quotes.
    public static func tokenize(_ text: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var inQuotes = false, hasWord = false, escaped = false
        for ch in text {
            if escaped { cur.append(ch); escaped = false; continue }
            if inQuotes {
                if ch == "\\" { escaped = true } else if ch == "\"" { inQuotes = false } else { cur.append(ch) }
                continue
            }
            if ch == "\"" { inQuotes = true; hasWord = true; continue }
            if ch == " " || ch == "\t" {
                if hasWord || !cur.isEmpty { out.append(cur); cur = ""; hasWord = false }
                continue
            }
            cur.append(ch)
        }
        if hasWord || !cur.isEmpty { out.append(cur) }
        return out
    }

    static func quoteIfNeeded(_ w: String) -> String { w.contains(" ") ? "\"\(w)\"" : w }

    static func normalizeProto(_ p: String) -> String {
        switch p.lowercased() {
        case "6": return "tcp"
        case "17": return "udp"
        case "1": return "icmp"
        case "58", "ipv6-icmp", "icmp6": return "icmpv6"
        case "132": return "sctp"
        case "0": return "all"
        default: return p.lowercased()
        }
    }

    /// "80", "1000:2000", ":1023", "80,443,8000:8080".
    static func parsePorts(_ v: String) -> PortRanges? {
        var out: PortRanges = []
        for item in v.split(separator: ",") {
            let ends = item.split(separator: ":", omittingEmptySubsequences: false)
            if ends.count == 1, let p = UInt16(ends[0]) { out.append(p...p); continue }
            guard ends.count == 2 else { return nil }
            let lo = ends[0].isEmpty ? 0 : UInt16(ends[0])
            let hi = ends[1].isEmpty ? 65535 : UInt16(ends[1])
            guard let lo, let hi, lo <= hi else { return nil }
            out.append(lo...hi)
        }
        return out.isEmpty ? nil : out
    }

    /// "0x10", "16", "0x10/0xff".
    static func parseValueMask(_ v: String) -> (UInt32, UInt32)? {
        let parts = v.split(separator: "/")
        guard let value = parts.first.flatMap({ parseNumber(String($0)) }) else { return nil }
        if parts.count == 2 { return parseNumber(String(parts[1])).map { (value, $0) } }
        return (value, 0xffff_ffff)
    }

    static func parseNumber(_ s: String) -> UInt32? {
        s.hasPrefix("0x") || s.hasPrefix("0X") ? UInt32(s.dropFirst(2), radix: 16) : UInt32(s)
    }

    static func flagSet(_ s: String) -> Set<String> {
        if s.uppercased() == "ALL" { return ["SYN", "ACK", "FIN", "RST", "URG", "PSH"] }
        if s.uppercased() == "NONE" { return [] }
        return Set(s.split(separator: ",").map { $0.uppercased() })
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}

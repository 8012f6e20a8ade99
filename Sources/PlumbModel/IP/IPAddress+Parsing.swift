/// Parsing: one strict grammar for every address Plumb reads (user input, kernel text, iptables-save, resolv.conf).
/// It is inet_pton's: IPv4 as exactly four decimal numbers 0-255 without leading zeros (which inet_aton would
/// read as octal), IPv6 as eight groups of 1-4 hex digits with at most one "::" and an optional dotted quad as
/// the last 32 bits. Zone indexes ("fe80::1%eth0"), brackets and whitespace are errors; `parseZoned` splits a
/// zone off explicitly where one may appear.
///
/// `init?(_:)` is the fast path (one pass over the UTF-8, no allocation) used for the thousands of addresses of a
/// snapshot; `parse(_:)` uses it and, only on failure, walks the text again to say what is wrong.
extension IPAddress {
    public init?(_ description: String) {
        var text = description
        guard let a = text.withUTF8({ IPAddress.parse(utf8: $0) }) else { return nil }
        self = a
    }

    public init?(_ text: Substring) {
        var text = text
        guard let a = text.withUTF8({ IPAddress.parse(utf8: $0) }) else { return nil }
        self = a
    }

    /// Parses "10.0.0.1" or "fd13::1", or throws AddressError.invalidAddress saying why not.
    public static func parse(_ text: String) throws -> IPAddress {
        if let a = IPAddress(text) { return a }
        throw AddressError.invalidAddress(text, reason: IPAddressDiagnosis.reason(text))
    }

    /// An address that may carry a zone index ("fe80::1%eth0", as resolv.conf and `ping` write link-local
    /// servers): the address and the zone, or nil when the part before '%' is not an address or the zone is empty.
    public static func parseZoned(_ text: String) -> (address: IPAddress, zone: String?)? {
        guard let pct = text.firstIndex(of: "%") else { return IPAddress(text).map { ($0, nil) } }
        let zone = text[text.index(after: pct)...]
        guard !zone.isEmpty, let a = IPAddress(text[..<pct]), a.isIPv6 else { return nil }
        return (a, String(zone))
    }

    /// The longest valid text: "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255".
    static let maxTextLength = 45

    static func parse(utf8 p: UnsafeBufferPointer<UInt8>) -> IPAddress? {
        guard !p.isEmpty, p.count <= maxTextLength else { return nil }
        if !p.contains(UInt8(ascii: ":")) {
            return parseIPv4(p[...]).map(IPAddress.init(ipv4:))
        }
        return parseIPv6(p).map { IPAddress(family: .ipv6, bits: $0) }
    }

    /// Four decimal numbers 0-255 separated by dots, no leading zeros, nothing else.
    static func parseIPv4(_ p: Slice<UnsafeBufferPointer<UInt8>>) -> UInt32? {
        var value: UInt32 = 0, part: UInt32 = 0, digits = 0, dots = 0
        for c in p {
            if c == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | part
                part = 0; digits = 0; dots += 1
                continue
            }
            guard c &- UInt8(ascii: "0") < 10 else { return nil }
            if digits == 1 && part == 0 { return nil }  // leading zero
            part = part * 10 + UInt32(c &- UInt8(ascii: "0"))
            digits += 1
            guard part <= 255 else { return nil }
        }
        guard digits > 0, dots == 3 else { return nil }
        return value << 8 | part
    }

    static func hexValue(_ c: UInt8) -> UInt16? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt16(c &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt16(c &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt16(c &- UInt8(ascii: "A") &+ 10)
        default: return nil
        }
    }

    static func parseIPv6(_ p: UnsafeBufferPointer<UInt8>) -> U128? {
        let colon = UInt8(ascii: ":")
        var groups = SIMD8<UInt16>()
        var n = 0, gap = -1, i = 0
        let count = p.count
        if p[0] == colon {
            guard count > 1, p[1] == colon else { return nil }
            gap = 0; i = 2
            if i == count { return .zero }
        }
        while true {
            // One group: 1-4 hex digits, or a dotted quad ending the text.
            let start = i
            var v: UInt16 = 0
            while i < count, i - start < 4, let h = hexValue(p[i]) { v = v << 4 | h; i += 1 }
            if i < count && p[i] == UInt8(ascii: ".") {
                guard n <= 6, let v4 = parseIPv4(p[start..<count]) else { return nil }
                groups[n] = UInt16(truncatingIfNeeded: v4 >> 16)
                groups[n + 1] = UInt16(truncatingIfNeeded: v4)
                n += 2
                break
            }
            guard i > start, n < 8 else { return nil }
            groups[n] = v; n += 1
            if i == count { break }
            guard p[i] == colon else { return nil }
            i += 1
            if i < count && p[i] == colon {
                guard gap < 0 else { return nil }
                gap = n; i += 1
                if i == count { break }
            } else if i == count {
                return nil  // a lone ':' at the end
            }
        }
        if gap >= 0 {
            guard n <= 7 else { return nil }
            // Move the groups after "::" to the end; the zeros fill the gap.
            let tail = n - gap
            var moved = SIMD8<UInt16>()
            for k in 0..<gap { moved[k] = groups[k] }
            for k in 0..<tail { moved[8 - tail + k] = groups[gap + k] }
            groups = moved
        } else {
            guard n == 8 else { return nil }
        }
        var hi: UInt64 = 0, lo: UInt64 = 0
        for k in 0..<4 { hi = hi << 16 | UInt64(groups[k]) }
        for k in 4..<8 { lo = lo << 16 | UInt64(groups[k]) }
        return U128(hi: hi, lo: lo)
    }
}

/// Says why a text is not an address, for error messages. Only runs after the fast parser refused the text, so
/// it may be slow; it names the first problem it finds.
enum IPAddressDiagnosis {
    struct Failure: Error { var reason: String }

    static func reason(_ text: String) -> String {
        if text.isEmpty { return "it is empty" }
        if let c = text.first(where: { $0.isWhitespace }) {
            return c == " " ? "it contains a space" : "it contains whitespace"
        }
        if text.contains("/") {
            return "an address has no '/LENGTH' here: write \(text.split(separator: "/").first ?? "")"
        }
        do {
            if text.contains(":") {
                if text.hasPrefix("[") || text.hasSuffix("]") { return "write it without brackets" }
                if let z = text.firstIndex(of: "%") {
                    return "zone index '\(text[z...])' is not allowed here: write \(text[..<z])"
                }
                try checkIPv6(Substring(text))
            } else {
                if !text.contains(".") {
                    return "expected an IPv4 address like 10.0.0.1 or an IPv6 address like fd00::1"
                }
                try checkIPv4(Substring(text))
            }
        } catch let f as Failure {
            return f.reason
        } catch {}
        return "it is not an IPv4 or IPv6 address"
    }

    static func checkIPv4(_ s: Substring) throws {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else {
            throw Failure(reason: "IPv4 needs four numbers 0-255 separated by dots, like 10.0.0.1 (found \(parts.count))")
        }
        for p in parts {
            guard !p.isEmpty else { throw Failure(reason: "it has an empty number between dots") }
            guard p.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw Failure(reason: "'\(p)' is not a decimal number 0-255")
            }
            guard let n = UInt32(p), n <= 255 else { throw Failure(reason: "\(p) is more than 255") }
            if p.count > 1 && p.first == "0" {
                throw Failure(reason: "\(p) has a leading zero (octal to some tools): write \(n)")
            }
        }
    }

    static func checkIPv6(_ s: Substring) throws {
        var head = s, tail: Substring = "", compressed = false
        if let r = s.firstRange(of: "::") {
            compressed = true
            head = s[..<r.lowerBound]
            tail = s[r.upperBound...]
            if tail.contains("::") || tail.hasPrefix(":") || head.hasSuffix(":") {
                throw Failure(reason: "it has ':::' or more than one '::'")
            }
        }
        func groups(_ part: Substring, last: Bool) throws -> Int {
            if part.isEmpty { return 0 }
            let texts = part.split(separator: ":", omittingEmptySubsequences: false)
            var count = 0
            for (i, g) in texts.enumerated() {
                if g.isEmpty { throw Failure(reason: "it has an empty group (a lone ':' at either end?)") }
                if g.contains(".") {
                    guard last && i == texts.count - 1 else {
                        throw Failure(reason: "an embedded IPv4 address may only be the last 32 bits")
                    }
                    try checkIPv4(g)
                    count += 2
                    continue
                }
                guard g.count <= 4, g.allSatisfy(\.isHexDigit) else {
                    throw Failure(reason: "'\(g)' is not a group of 1-4 hex digits")
                }
                count += 1
            }
            return count
        }
        let count = try groups(head, last: !compressed) + groups(tail, last: true)
        if compressed && count > 7 { throw Failure(reason: "it has \(count) groups besides '::' (at most 7)") }
        if !compressed && count != 8 { throw Failure(reason: "IPv6 needs 8 groups, or '::' for the zeros (found \(count))") }
    }
}

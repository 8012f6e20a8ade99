import PlumbModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why firewall output could not be read, and where: `line` is 1-based for line-oriented input
/// (iptables-save) and 0 where lines mean nothing (nft JSON).
public struct FirewallParseError: Error, CustomStringConvertible, Equatable {
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line; self.message = message
    }

    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}

/// Turns `iptables-save -c` / `ip6tables-save -c` output into tables (source `iptables`).
///
/// A namespace can hold tens of thousands of rules and parsing must cost next to nothing beside running
/// iptables-save, so this walks the UTF-8 bytes in place: no regex, no per-line `String` splitting; the only
/// strings made are the values kept (names, rule texts, targets).
public enum IptablesSaveParser {
    /// `family` is `ipv4` or `ipv6` (which tool produced `text`).
    public static func parse(_ text: String, family: String) throws -> [FirewallTable] {
        if let tables = try text.utf8.withContiguousStorageIfAvailable({ try parse(bytes: $0, family: family) }) {
            return tables
        }
        return try Array(text.utf8).withUnsafeBufferPointer { try parse(bytes: $0, family: family) }
    }

    static func parse(bytes: UnsafeBufferPointer<UInt8>, family: String) throws -> [FirewallTable] {
        guard let base = bytes.baseAddress else { return [] }
        var state = SaveParserState(family: family)
        var start = 0
        while start < bytes.count {
            let end: Int
            if let nl = memchr(base + start, 0x0A, bytes.count - start) {
                end = UnsafeRawPointer(nl) - UnsafeRawPointer(base)
            } else {
                end = bytes.count
            }
            state.lineNumber += 1
            try state.line(SaveBytes(p: base, start: start, end: end))
            start = end + 1
        }
        return state.finish()
    }
}

/// Parses iptables-save output while it arrives from the tool, so that parsing 20,000 rules overlaps the
/// tool's own run instead of following it. Whole lines are parsed straight from each chunk; a line cut by a
/// chunk boundary waits in a small buffer for the rest. The first error stops parsing and is thrown by `finish`.
public struct IptablesSaveStream {
    private var state: SaveParserState
    private var partial: [UInt8] = []
    private var error: (any Error)?

    public init(family: String) { state = SaveParserState(family: family) }

    public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>) {
        guard error == nil, let base = chunk.baseAddress, chunk.count > 0 else { return }
        var start = 0
        if !partial.isEmpty {
            guard let nl = memchr(base, 0x0A, chunk.count) else {
                partial.append(contentsOf: chunk)
                return
            }
            let end = UnsafeRawPointer(nl) - UnsafeRawPointer(base)
            partial.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[0..<end]))
            let line = partial
            partial.removeAll(keepingCapacity: true)
            line.withUnsafeBufferPointer { parseLine($0.baseAddress!, 0, $0.count) }
            state.lastChain = nil  // it pointed into `line`
            start = end + 1
        }
        while error == nil, start < chunk.count {
            guard let nl = memchr(base + start, 0x0A, chunk.count - start) else {
                partial.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[start...]))
                break
            }
            let end = UnsafeRawPointer(nl) - UnsafeRawPointer(base)
            parseLine(base, start, end)
            start = end + 1
        }
        // The chain cache points into this chunk, which the caller may reuse.
        state.lastChain = nil
    }

    public mutating func finish() throws -> [FirewallTable] {
        if !partial.isEmpty {
            let line = partial
            partial.removeAll()
            line.withUnsafeBufferPointer { parseLine($0.baseAddress!, 0, $0.count) }
            state.lastChain = nil
        }
        if let error { throw error }
        return state.finish()
    }

    private mutating func parseLine(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) {
        guard error == nil else { return }
        state.lineNumber += 1
        do { try state.line(SaveBytes(p: base, start: start, end: end)) } catch { self.error = error }
    }
}

/// A half-open byte range of the input: one line or part of one.
private struct SaveBytes {
    let p: UnsafePointer<UInt8>
    var start: Int
    var end: Int

    var isEmpty: Bool { start >= end }
    var first: UInt8 { p[start] }
    var string: String { String(decoding: UnsafeBufferPointer(start: p + start, count: end - start), as: UTF8.self) }

    func equals(_ s: StaticString) -> Bool {
        end - start == s.utf8CodeUnitCount && memcmp(p + start, s.utf8Start, s.utf8CodeUnitCount) == 0
    }

    func hasPrefix(_ s: StaticString) -> Bool {
        end - start >= s.utf8CodeUnitCount && memcmp(p + start, s.utf8Start, s.utf8CodeUnitCount) == 0
    }

    mutating func trim() {
        while start < end, p[start] == 0x20 || p[start] == 0x09 { start += 1 }
        while end > start, p[end - 1] == 0x20 || p[end - 1] == 0x09 || p[end - 1] == 0x0D { end -= 1 }
    }

    /// Takes the next space-separated word (after skipping spaces); empty at the end.
    mutating func word() -> SaveBytes {
        while start < end, p[start] == 0x20 { start += 1 }
        var i = start
        while i < end, p[i] != 0x20 { i += 1 }
        defer { start = i }
        return SaveBytes(p: p, start: start, end: i)
    }
}

/// The parse in progress: the open table, its chains by name, and a cache of the last chain a rule went to
/// (rules come grouped by chain, so most lookups are one byte comparison instead of a dictionary lookup).
private struct SaveParserState {
    let family: String
    var lineNumber = 0
    var tables: [FirewallTable] = []
    var table: FirewallTable?
    var chainIndex: [String: Int] = [:]
    var lastChain: SaveBytes?
    var lastChainIndex = 0

    init(family: String) { self.family = family }

    func fail(_ message: String) -> FirewallParseError { FirewallParseError(line: lineNumber, message: message) }

    mutating func line(_ raw: SaveBytes) throws {
        var l = raw
        l.trim()
        if l.isEmpty { return }
        switch l.first {
        case UInt8(ascii: "#"): return
        case UInt8(ascii: "*"):
            closeTable()
            l.start += 1
            guard !l.isEmpty else { throw fail("table line without a name") }
            table = FirewallTable(family: family, name: l.string, source: "iptables")
        case UInt8(ascii: ":"):
            l.start += 1
            try declareChain(&l)
        case UInt8(ascii: "["):
            let (packets, bytes) = try counters(&l)
            try rule(&l, packets: packets, bytes: bytes)
        case UInt8(ascii: "-"):
            try rule(&l, packets: 0, bytes: 0)
        default:
            guard l.equals("COMMIT") else { throw fail("unexpected line: \(l.string.prefix(80))") }
            guard table != nil else { throw fail("COMMIT without a table") }
            closeTable()
        }
    }

    /// `:NAME POLICY [p:b]`; POLICY `-` is a user chain.
    mutating func declareChain(_ l: inout SaveBytes) throws {
        guard table != nil else { throw fail("chain declared before any *table line") }
        let name = l.word()
        guard !name.isEmpty else { throw fail("chain line without a name") }
        let policyWord = l.word()
        guard !policyWord.isEmpty else { throw fail("chain \(name.string) has no policy") }
        let policy: String? = policyWord.equals("-") ? nil : policyWord.string
        var packets: UInt64 = 0, bytes: UInt64 = 0
        var rest = l
        rest.trim()
        if !rest.isEmpty { (packets, bytes) = try counters(&rest) }
        let i = chain(named: name)
        table!.chains[i].policy = policy
        table!.chains[i].packets = packets
        table!.chains[i].bytes = bytes
    }

    /// `-A CHAIN rest...` (already past any counters).
    mutating func rule(_ l: inout SaveBytes, packets: UInt64, bytes: UInt64) throws {
        let op = l.word()
        guard op.equals("-A") else { throw fail("expected -A, found \(op.string.prefix(40))") }
        guard table != nil else { throw fail("rule before any *table line") }
        let name = l.word()
        guard !name.isEmpty else { throw fail("-A without a chain name") }
        if l.start < l.end { l.start += 1 }  // the single space after the chain name
        let i = chain(named: name)
        table!.chains[i].rules.append(FirewallRule(rule: l.string, packets: packets, bytes: bytes,
                                                   target: Self.target(l)))
    }

    /// The index of the chain, created (as a user chain) when it was never declared.
    mutating func chain(named name: SaveBytes) -> Int {
        if let last = lastChain, last.end - last.start == name.end - name.start,
           memcmp(last.p + last.start, name.p + name.start, name.end - name.start) == 0 {
            return lastChainIndex
        }
        let s = name.string
        let i: Int
        if let found = chainIndex[s] {
            i = found
        } else {
            i = table!.chains.count
            table!.chains.append(FirewallChain(name: s))
            chainIndex[s] = i
        }
        lastChain = name
        lastChainIndex = i
        return i
    }

    /// `[packets:bytes]` at the start of `l`; leaves `l` after the closing bracket.
    func counters(_ l: inout SaveBytes) throws -> (UInt64, UInt64) {
        guard !l.isEmpty, l.first == UInt8(ascii: "[") else { throw fail("expected [packets:bytes]") }
        l.start += 1
        let packets = try number(&l)
        guard !l.isEmpty, l.first == UInt8(ascii: ":") else { throw fail("bad counter: expected ':' after packets") }
        l.start += 1
        let bytes = try number(&l)
        guard !l.isEmpty, l.first == UInt8(ascii: "]") else { throw fail("bad counter: expected ']' after bytes") }
        l.start += 1
        return (packets, bytes)
    }

    func number(_ l: inout SaveBytes) throws -> UInt64 {
        var v: UInt64 = 0
        let from = l.start
        while l.start < l.end, case let d = l.p[l.start] &- 0x30, d < 10 {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            guard !o1 && !o2 else { throw fail("bad counter: number out of range") }
            v = a
            l.start += 1
        }
        guard l.start > from else { throw fail("bad counter: expected a number") }
        return v
    }

    mutating func closeTable() {
        if let t = table { tables.append(t) }
        table = nil
        chainIndex.removeAll(keepingCapacity: true)
        lastChain = nil
    }

    mutating func finish() -> [FirewallTable] {
        closeTable()  // a table cut short without COMMIT is still shown
        return tables
    }

    /// The word after `-j`/`-g` (or `--jump`/`--goto`), ignoring anything inside double quotes, where
    /// iptables-save puts comments and log prefixes (with `\"` and `\\` escapes).
    static func target(_ l: SaveBytes) -> String? {
        let p = l.p
        var i = l.start
        var atWordStart = true
        while i < l.end {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                while i < l.end, p[i] != UInt8(ascii: "\"") { i += p[i] == UInt8(ascii: "\\") ? 2 : 1 }
                i += 1
                atWordStart = false
                continue
            }
            if c == 0x20 { atWordStart = true; i += 1; continue }
            if atWordStart, c == UInt8(ascii: "-") {
                var w = SaveBytes(p: p, start: i, end: l.end)
                let flag = w.word()
                if flag.equals("-j") || flag.equals("-g") || flag.equals("--jump") || flag.equals("--goto") {
                    let t = w.word()
                    return t.isEmpty ? nil : t.string
                }
            }
            atWordStart = false
            i += 1
        }
        return nil
    }
}

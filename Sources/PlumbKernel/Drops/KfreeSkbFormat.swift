import PlumbModel

/// What the skb:kfree_skb tracepoint's format file (tracefs events/skb/kfree_skb/format) says: where each field
/// sits in a raw record, and the drop reasons' names from its print format's `__print_symbolic` table. Read at
/// run time, so the names match the running kernel (they change between releases).
public struct KfreeSkbFormat: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public var offset: Int
        public var size: Int
    }
    public var fields: [String: Field]
    /// enum skb_drop_reason value → name without the SKB_DROP_REASON_ prefix ("NETFILTER_DROP").
    public var reasons: [UInt32: String]

    public enum ParseError: Error, CustomStringConvertible, Equatable {
        case missingField(String)
        public var description: String {
            switch self {
            case .missingField(let f): return "the skb:kfree_skb format has no field \(f) (a kernel before 5.17 has no drop reasons)"
            }
        }
    }

    /// Parses the format file's text; fails when the fields the readers need are missing.
    public init(parsing text: String) throws(ParseError) {
        var fields: [String: Field] = [:]
        var reasons: [UInt32: String] = [:]
        for line in text.split(separator: "\n") {
            let t = line.drop(while: { $0 == " " || $0 == "\t" })
            if t.hasPrefix("field:") {
                if let (name, field) = Self.field(t) { fields[name] = field }
            } else if t.hasPrefix("print fmt:") {
                reasons = Self.symbolicTable(t)
            }
        }
        for need in ["location", "reason", "protocol"] where fields[need] == nil { throw .missingField(need) }
        self.fields = fields
        self.reasons = reasons
    }

    /// `field:void * location;	offset:16;	size:8;	signed:0;` → ("location", 16, 8)
    static func field(_ line: Substring) -> (String, Field)? {
        var name: String?, offset: Int?, size: Int?
        for part in line.split(separator: ";") {
            let p = part.drop(while: { $0 == " " || $0 == "\t" })
            if p.hasPrefix("field:") {
                // The declaration's last word, less any array suffix: "unsigned short protocol" → protocol.
                let decl = p.dropFirst("field:".count)
                var last = decl.split(whereSeparator: { $0 == " " || $0 == "*" }).last.map(String.init) ?? ""
                if let bracket = last.firstIndex(of: "[") { last = String(last[..<bracket]) }
                name = last
            } else if p.hasPrefix("offset:") {
                offset = Int(p.dropFirst("offset:".count))
            } else if p.hasPrefix("size:") {
                size = Int(p.dropFirst("size:".count))
            }
        }
        guard let name, let offset, let size else { return nil }
        return (name, Field(offset: offset, size: size))
    }

    /// The `{ 2, "NOT_SPECIFIED" }, { 3, "NO_SOCKET" }, ...` pairs of the print format.
    static func symbolicTable(_ line: Substring) -> [UInt32: String] {
        var table: [UInt32: String] = [:]
        var rest = line[...]
        while let open = rest.firstIndex(of: "{") {
            rest = rest[rest.index(after: open)...]
            guard let close = rest.firstIndex(of: "}") else { break }
            let pair = rest[..<close]
            rest = rest[rest.index(after: close)...]
            let parts = pair.split(separator: ",", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let num = parts[0].trimmingSpaces
            let value: UInt32? = num.hasPrefix("0x") ? UInt32(num.dropFirst(2), radix: 16) : UInt32(num)
            let quoted = parts[1].trimmingSpaces
            guard let value, quoted.count >= 2, quoted.first == "\"", quoted.last == "\"" else { continue }
            var name = String(quoted.dropFirst().dropLast())
            if name.hasPrefix("SKB_DROP_REASON_") { name.removeFirst("SKB_DROP_REASON_".count) }
            table[value] = name
        }
        return table
    }

    /// The reason's name; a subsystem's reason (high 16 bits set) or one the table lacks is named by number.
    public func reason(_ code: UInt32) -> DropReason {
        if let name = reasons[code] { return DropReason(code: code, name: name) }
        let subsystem = code >> 16
        if subsystem != 0 {
            return DropReason(code: code, name: "SUBSYS_\(subsystem)_0x" + String(code & 0xffff, radix: 16))
        }
        return DropReason(code: code, name: "REASON_\(code)")
    }

    /// The names, sorted: what `--reason` accepts.
    public var reasonNames: [String] { reasons.values.filter { $0 != "MAX" }.sorted() }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}

import PlumbModel

/// The Conntrack tab's rows: the entries of the newest read, busiest first (bytes per second when accounting
/// is on), then in the kernel's order; at most `shown` of them (a 100,000-entry table is read, counted and
/// rated in full, but no one scrolls through it in a pane). The `/` filter selects namespaces, not entries:
/// `plumb conntrack` has the entry filters.
enum ConntrackRows {
    static let shown = 2000

    static func build(_ sample: ConntrackSample) -> [ConntrackEntry] {
        var entries = sample.table.entries
        if !sample.byteRates.isEmpty {
            let rates = sample.byteRates
            // Stable: equal rates keep the kernel's order.
            entries = entries.enumerated().sorted { a, b in
                let ra = rates[a.element.id] ?? 0, rb = rates[b.element.id] ?? 0
                return ra != rb ? ra > rb : a.offset < b.offset
            }.map(\.element)
        }
        return Array(entries.prefix(shown))
    }

    /// `10.0.0.1:41000 → 10.0.0.2:80` (ICMP: `type 8 id 7`).
    static func endpoints(_ t: ConntrackTuple) -> String {
        if let s = t.srcPort, let d = t.dstPort { return "\(hostPort(t.src, s)) → \(hostPort(t.dst, d))" }
        if let i = t.icmp { return "\(t.src) → \(t.dst) type \(i.type) id \(i.id)" }
        return "\(t.src) → \(t.dst)"
    }

    static func hostPort(_ a: IPAddress, _ p: UInt16) -> String { a.isIPv6 ? "[\(a)]:\(p)" : "\(a):\(p)" }

    /// The line above the table: fill of the table and the rates since the previous read.
    static func summary(_ s: ConntrackSample) -> String {
        let u = s.table.usage
        var text = counted(u.count, "entry", "entries")
        if let max = u.max, let fill = u.fill { text += " of max \(max) (\(Format.oneDecimal(fill * 100))%)" }
        if let n = s.newPerSecond, let d = s.destroyedPerSecond {
            text += " · \(Format.oneDecimal(n)) new/s · \(Format.oneDecimal(d)) destroyed/s"
        }
        if u.accounting == false { text += " · accounting off" }
        return text
    }
}

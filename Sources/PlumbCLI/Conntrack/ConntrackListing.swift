import PlumbModel

/// `plumb conntrack`: one namespace's entries (those the filter kept) and how full its table is.
struct ConntrackListing: CommandOutput, Encodable {
    var namespace: UInt64?
    var name: String
    var usage: ConntrackUsage
    var entries: [ConntrackEntry]

    enum CodingKeys: String, CodingKey { case namespace, name, usage, shown, entries }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(namespace, forKey: .namespace)
        try c.encode(name, forKey: .name)
        try c.encode(usage, forKey: .usage)
        try c.encode(entries.count, forKey: .shown)
        try c.encode(entries, forKey: .entries)
    }

    /// "3 entries shown; 120 in the table of max 262144 (0.0%); accounting off"
    var summary: String {
        var s = "\(entries.count) \(entries.count == 1 ? "entry" : "entries") shown in \(name); \(usage.count) in the table"
        if let max = usage.max, let fill = usage.fill {
            let tenths = Int((fill * 1000).rounded())
            s += " of max \(max) (\(tenths / 10).\(tenths % 10)%)"
        }
        if usage.accounting == false { s += "; accounting off (no counters)" }
        return s
    }

    func text() -> String {
        var out = ConntrackText()
        for e in entries { out.line(e) }
        return String(decoding: out.bytes, as: UTF8.self) + summary + "\n"
    }

    /// The text, written in 64 KB pieces as it is formatted (a 100,000-entry table is 15 MB of text).
    func writeText(to fd: Int32) {
        var out = ConntrackText()
        out.bytes.reserveCapacity(1 << 17)
        for e in entries {
            out.line(e)
            if out.bytes.count >= 1 << 16 { FileHandleWriter.write(fd, out.bytes); out.bytes.removeAll(keepingCapacity: true) }
        }
        FileHandleWriter.write(fd, out.bytes)
        FileHandleWriter.write(fd, summary + "\n")
    }
}

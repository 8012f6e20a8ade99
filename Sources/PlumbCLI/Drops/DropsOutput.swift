import Foundation
import PlumbModel

/// One drop as `plumb drops --json` streams it (one object per line).
struct DropEventJSON: Encodable {
    var drop: PacketDrop

    enum Keys: String, CodingKey {
        case time, namespace, netns, cookie, interface, ifindex, reason, reasonCode, location, address, module
        case `protocol`, src, dst, sport, dport, icmpType, icmpCode, icmpId, length
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode((drop.time * 1000).rounded() / 1000, forKey: .time)
        try c.encode(drop.namespaceLabel, forKey: .namespace)
        try c.encodeIfPresent(drop.netnsInode, forKey: .netns)
        try c.encodeIfPresent(drop.netnsCookie, forKey: .cookie)
        try c.encodeIfPresent(drop.interface, forKey: .interface)
        try c.encodeIfPresent(drop.ifindex, forKey: .ifindex)
        try c.encode(drop.reason.name, forKey: .reason)
        try c.encode(drop.reason.code, forKey: .reasonCode)
        try c.encode(drop.location.description, forKey: .location)
        try c.encode("0x" + String(drop.location.address, radix: 16), forKey: .address)
        try c.encodeIfPresent(drop.location.module, forKey: .module)
        try c.encode(drop.protocolName, forKey: .protocol)
        if let f = drop.flow { try DropFlowJSON.encodeEnds(f, into: &c) }
        try c.encodeIfPresent(drop.length, forKey: .length)
    }
}

/// A 5-tuple in JSON: {protocol, src, dst, sport?, dport?, icmpType?, icmpCode?, icmpId?}.
struct DropFlowJSON: Encodable {
    var flow: DropFlow
    var count: Int?
    enum Keys: String, CodingKey { case `protocol`, src, dst, sport, dport, icmpType, icmpCode, icmpId, count }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(flow.protocolName, forKey: .protocol)
        try Self.encodeEnds(flow, into: &c)
        try c.encodeIfPresent(count, forKey: .count)
    }

    /// src, dst, then sport/dport or the ICMP type, code and id: the same keys in a drop and in a summary's flow.
    static func encodeEnds<K: CodingKey>(_ flow: DropFlow, into c: inout KeyedEncodingContainer<K>) throws {
        func key(_ name: String) -> K { K(stringValue: name)! }
        try c.encode(flow.src.description, forKey: key("src"))
        try c.encode(flow.dst.description, forKey: key("dst"))
        try c.encodeIfPresent(flow.srcPort, forKey: key("sport"))
        try c.encodeIfPresent(flow.dstPort, forKey: key("dport"))
        if let i = flow.icmp {
            try c.encode(i.type, forKey: key("icmpType"))
            try c.encode(i.code, forKey: key("icmpCode"))
            try c.encode(i.id, forKey: key("icmpId"))
        }
    }
}

/// `plumb drops --for D`: the summary, in text or JSON.
struct DropsSummaryOutput: CommandOutput, Encodable {
    var mode: String
    var fallbackReason: String?
    /// The namespace asked about (nil: all).
    var target: String?
    var summary: DropSummary

    enum Keys: String, CodingKey { case mode, fallbackReason, target, seconds, total, lost, flowsNotKept, groups }
    enum GroupKeys: String, CodingKey { case namespace, netns, reason, location, interfaces, count, rate, topFlows }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(mode, forKey: .mode)
        try c.encodeIfPresent(fallbackReason, forKey: .fallbackReason)
        try c.encodeIfPresent(target, forKey: .target)
        try c.encode((summary.seconds * 1000).rounded() / 1000, forKey: .seconds)
        try c.encode(summary.total, forKey: .total)
        try c.encode(summary.lost, forKey: .lost)
        if summary.flowsNotKept > 0 { try c.encode(summary.flowsNotKept, forKey: .flowsNotKept) }
        var groups = c.nestedUnkeyedContainer(forKey: .groups)
        for g in summary.groups {
            var gc = groups.nestedContainer(keyedBy: GroupKeys.self)
            try gc.encode(g.namespace, forKey: .namespace)
            try gc.encodeIfPresent(g.netnsInode, forKey: .netns)
            try gc.encode(g.reason, forKey: .reason)
            try gc.encode(g.location, forKey: .location)
            try gc.encode(g.interfaces, forKey: .interfaces)
            try gc.encode(g.count, forKey: .count)
            try gc.encode((g.rate * 100).rounded() / 100, forKey: .rate)
            try gc.encode(g.topFlows.map { DropFlowJSON(flow: $0.flow, count: $0.count) }, forKey: .topFlows)
        }
    }

    func text() -> String {
        var s = DropsText.modeLine(mode: mode, fallbackReason: fallbackReason)
        let secs = String(format: "%.1f", summary.seconds)
        s += "\(DropCounts.grouped(summary.total)) dropped in \(secs) s"
            + (target.map { " in \($0)" } ?? "") + (summary.lost > 0 ? ", \(DropCounts.grouped(Int(summary.lost))) lost (the reader fell behind)" : "") + "\n"
        guard !summary.groups.isEmpty else { return s }
        var rows: [[String]] = []
        for g in summary.groups {
            rows.append([g.namespace, g.reason, g.location, g.interfaces.isEmpty ? "-" : g.interfaces.joined(separator: ","),
                         DropCounts.grouped(g.count), String(format: "%.1f", g.rate)])
        }
        s += "\n" + TextTable.render(header: ["NAMESPACE", "REASON", "LOCATION", "INTERFACES", "DROPS", "PER SEC"], rows: rows)
        let withFlows = summary.groups.filter { !$0.topFlows.isEmpty }
        if !withFlows.isEmpty {
            s += "\nTop 5-tuples" + (summary.flowsNotKept > 0
                ? " (of the flows kept: \(DropCounts.grouped(summary.flowsNotKept)) drops came in more distinct flows than are kept)" : "") + ":\n"
            for g in withFlows {
                s += "  \(g.namespace) \(g.reason) in \(g.location):\n"
                for f in g.topFlows { s += "    \(DropCounts.grouped(f.count).leftPadded(7))  \(f.flow)\n" }
            }
        }
        return s
    }

    var json: Self { self }
}

enum DropsText {
    /// The first line: which reader, and what the fallback cannot tell.
    static func modeLine(mode: String, fallbackReason: String?) -> String {
        if mode == "bpf" { return "Watching drops with BPF (namespace, interface and 5-tuple attributed).\n" }
        return "Watching drops through the skb:kfree_skb tracepoint: host-wide, no namespace, interface or addresses"
            + (fallbackReason.map { " (BPF: \($0))" } ?? "") + ".\n"
    }

    /// One streamed drop: time, namespace, interface, reason, location, 5-tuple or protocol.
    static func line(_ d: PacketDrop) -> String {
        let date = Date(timeIntervalSince1970: d.time)
        var t = tm()
        var secs = time_t(date.timeIntervalSince1970)
        localtime_r(&secs, &t)
        let ms = Int((d.time - Double(secs)) * 1000)
        let clock = String(format: "%02d:%02d:%02d.%03d", t.tm_hour, t.tm_min, t.tm_sec, max(0, min(999, ms)))
        let what = d.flow?.description ?? d.protocolName
        return "\(clock)  \(d.namespaceLabel)  \(d.interface ?? "-")  \(d.reason.name)  \(d.location)  \(what)\n"
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

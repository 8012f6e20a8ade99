import PlumbModel
/// The text form of a trace: numbered hops, each with the checks the kernel would make in order, the rules
/// that matched (with their counters), and one last line with the verdict.
public enum TraceTextRenderer {
    public static func render(_ r: TraceResult) -> String {
        var out = "trace \(r.packet.summary), \(r.packet.size) bytes"
        if let first = r.hops.first { out += ", from \(first.namespaceName)" }
        out += "\n"
        for h in r.hops {
            var head = "\(pad(String(h.number), 3))  \(h.namespaceName)  [\(h.role)]"
            if let i = h.inInterface { head += "  in \(i)" }
            if let o = h.outInterface { head += "  out \(o)" }
            if let b = h.bridge { head += "  bridge \(b)" }
            out += head + "\n"
            for s in h.steps {
                let mark = s.passed ? " " : "✗"
                out += "     \(mark) \(pad(s.kind.rawValue, 9)) \(s.text)\n"
                if let nf = s.netfilter {
                    for hit in nf.hits {
                        let where_ = hit.index == 0 ? "\(hit.table)/\(hit.chain) policy"
                                                    : "\(hit.table)/\(hit.chain) #\(hit.index)"
                        var line = "                 \(pad(where_, 28)) "
                        if hit.index != 0 { line += hit.rule + "  " }
                        line += "[\(counted(hit.packets, "pkt")), \(Readable.bytes(hit.bytes))] → \(hit.effect)"
                        out += line + "\n"
                    }
                    for n in nf.unevaluatedNft { out += "                 ? \(n): not evaluated\n" }
                }
            }
        }
        switch r.verdict {
        case .dropped:
            out += "DROPPED at hop \(r.dropHop ?? r.hops.count): \(r.reason)\n"
        case .delivered:
            out += "DELIVERED: \(r.reason)\n"
        case .leftHost:
            out += "LEFT THE HOST: \(r.reason)\n"
        case .unknown:
            out += "UNKNOWN: \(r.reason)\n"
        }
        if !r.uncertainties.isEmpty {
            out += "Not evaluated (the answer above assumes none of these changes it):\n"
            for u in r.uncertainties { out += "  ? \(u)\n" }
        }
        return out
    }

    static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s : s + String(repeating: " ", count: n - s.count)
    }
}

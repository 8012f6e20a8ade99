/// The live half of `plumb trace --live` as text, printed after the static trace.
public enum LiveTraceTextRenderer {
    public static func render(_ r: LiveTraceResult) -> String {
        var s = "live trace: one real packet sent, \(r.probe.label), answered \(r.elapsedMillis) ms after it was sent\n"
        for h in r.hops {
            var line = "\(String(h.number).padded(4))  \(h.namespaceName)"
            if !h.observable { line += "  (not observable: no netfilter hook here)" }
            else if !h.seen { line += "  not reached" }
            if let i = h.inInterface { line += "  in \(i)" }
            if let o = h.outInterface { line += "  out \(o)" }
            s += line + "\n"
            if h.seen && h.passes.isEmpty { s += "       no rule here but Plumb's marking rule: it passed\n" }
            let width = h.passes.map { label($0).count }.max() ?? 0
            for p in h.passes {
                let mark = p.drops ? "     ✗ " : "       "
                var text = "\(mark)\(label(p).padded(width))"
                if let rule = p.rule { text += "  \(p.iptables ? "-A \(p.chain) " : "")\(rule)" }
                text += "  [\(p.owner)] → \(p.verdict)"
                s += text + "\n"
            }
        }
        s += "\(r.verdict.rawValue)\(r.dropHop.map { " at hop \($0)" } ?? ""): \(r.reason)\n"
        if let d = r.drop {
            s += "kernel drop: \(d.reason) in \(d.location)\(d.namespaceName.map { " (\($0)\(d.interface.map { ", \($0)" } ?? ""))" } ?? "")\n"
        }
        s += r.agrees ? "live and static agree at every hop\n" : "live and static DISAGREE:\n"
        for c in r.comparison where !r.agrees {
            s += "  \(c.agrees ? " " : "✗") hop \(c.hop) \(c.namespaceName): \(c.text)\n"
        }
        for n in r.notes { s += "note: \(n)\n" }
        return s
    }

    /// "ip filter FORWARD #3" / "ip filter FORWARD policy" / "ip filter DOCKER return".
    static func label(_ p: LivePass) -> String {
        var base = "\(p.family) \(p.table) \(p.chain)"
        if let hook = p.hook, hook.uppercased() != p.chain.uppercased() { base += " (\(hook))" }
        switch p.kind {
        case .policy: return base + " policy"
        case .return: return base + " (end of chain)"
        default: return base + (p.index.map { " #\($0)" } ?? "")
        }
    }
}

extension String {
    /// Left-aligned in `width` columns (never cut).
    func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

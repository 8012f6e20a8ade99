import PlumbModel

/// The text form of `plumb doctor`: findings grouped by severity, each with its evidence, the explanation and
/// the fix as a one-line plan.
enum DoctorTextRenderer {
    static func render(_ findings: [Finding], notChecked: [String], names snap: Snapshot) -> String {
        var out = ""
        for sev in [Finding.Severity.error, .warning, .info] {
            let group = findings.filter { $0.severity == sev }
            if group.isEmpty { continue }
            out += "\(sev == .error ? "Errors" : sev == .warning ? "Warnings" : "Info") (\(group.count))\n"
            for f in group {
                out += "  \(sev.rawValue.uppercased()) [\(f.checkNumber)] \(f.title)\n"
                out += "    id: \(f.id)\n"
                for e in f.evidence { out += "    | \(e)\n" }
                out += "    why: \(f.explanation)\n"
                if let fix = f.fix, !fix.steps.isEmpty, let impact = f.impact, !impact.offered {
                    out += "    fix: not offered: \(impact.reason ?? "")\n"
                    out += "         plumb doctor --fix \(f.id) --dry-run shows the comparison; --force applies it anyway\n"
                } else if let fix = f.fix, !fix.steps.isEmpty {
                    out += "    fix: \(fix.steps.map(oneLine).joined(separator: " ; "))\n"
                    out += "         plumb doctor --fix \(f.id)\(f.confirmEach ? "   (confirm each removal)" : "")\n"
                } else {
                    out += "    fix: none automatic (see why)\n"
                }
            }
            out += "\n"
        }
        let e = findings.filter { $0.severity == .error }.count, w = findings.filter { $0.severity == .warning }.count
        let i = findings.count - e - w
        out += findings.isEmpty ? "No problems found.\n" : "\(e) errors, \(w) warnings, \(i) info\n"
        for n in notChecked { out += "not checked: \(n)\n" }
        return out
    }

    /// A step on one line: firewall batches become their rule lines joined by "; ".
    static func oneLine(_ step: PlanStep) -> String {
        if case .firewall(let family, let batch, _, let ns) = step {
            let lines = batch.split(separator: "\n").filter { !$0.hasPrefix("*") && $0 != "COMMIT" }
            let table = batch.split(separator: "\n").first { $0.hasPrefix("*") }.map { String($0.dropFirst()) } ?? "filter"
            let tool = family == "ipv6" ? "ip6tables" : "iptables"
            return (ns == .host ? "" : "(in \(ns)) ") + lines.map { "\(tool) -t \(table) \($0)" }.joined(separator: "; ")
        }
        return step.description
    }
}

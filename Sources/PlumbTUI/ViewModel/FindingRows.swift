import PlumbModel

/// The Doctor tab's rows: errors first, then warnings, then notes; `/` narrows them by any text they show.
enum FindingRows {
    static func build(_ findings: [Finding], filter: String) -> [Finding] {
        let f = Filter(filter)
        let shown = f.isEmpty ? findings : findings.filter { x in
            f.hit(x.title) || f.hit(x.id) || f.hit(x.check) || x.evidence.contains(where: f.hit)
        }
        return shown.enumerated().sorted { a, b in
            a.element.severity != b.element.severity ? a.element.severity > b.element.severity : a.offset < b.offset
        }.map(\.element)
    }

    /// Worst severity per namespace, and per link name inside it: the badges of the namespace list and the
    /// topology (info-level notes get none).
    struct Badges {
        var namespaces: [UInt64: Finding.Severity] = [:]
        var links: [UInt64: [String: Finding.Severity]] = [:]

        init(_ findings: [Finding]) {
            for f in findings where f.severity > .info {
                for s in f.subjects {
                    namespaces[s.namespace] = max(namespaces[s.namespace] ?? .info, f.severity)
                    if s.kind == .link {
                        links[s.namespace, default: [:]][s.name] = max(links[s.namespace]?[s.name] ?? .info, f.severity)
                    }
                }
            }
        }
    }
}

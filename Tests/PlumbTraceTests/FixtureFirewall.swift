import Foundation
import PlumbModel

/// Reads a recorded `iptables-save -c` file into the model's Firewall, as the snapshot would hold it. (The
/// kernel module's parser is not a dependency of this target; this reads only the lines the fixtures have.)
enum FixtureFirewall {
    static func url(_ name: String) -> URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/\(name)")
    }

    static func load(_ name: String, family: String = "ipv4") throws -> Firewall {
        try parse(String(contentsOf: url(name), encoding: .utf8), family: family)
    }

    static func parse(_ text: String, family: String = "ipv4") -> Firewall {
        var tables: [FirewallTable] = []
        var current: FirewallTable?
        func counters(_ s: Substring) -> (UInt64, UInt64) {
            let inner = s.dropFirst().dropLast().split(separator: ":")
            return (UInt64(inner.first ?? "0") ?? 0, UInt64(inner.last ?? "0") ?? 0)
        }
        for raw in text.split(separator: "\n") {
            var line = Substring(raw)
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("*") { current = FirewallTable(family: family, name: String(line.dropFirst()), source: "iptables"); continue }
            if line == "COMMIT" { if let c = current { tables.append(c) }; current = nil; continue }
            if line.hasPrefix(":") {
                let parts = line.dropFirst().split(separator: " ")
                let (p, b) = parts.count > 2 ? counters(parts[2]) : (0, 0)
                current?.chains.append(FirewallChain(name: String(parts[0]), policy: parts[1] == "-" ? nil : String(parts[1]),
                                                     packets: p, bytes: b))
                continue
            }
            var p: UInt64 = 0, b: UInt64 = 0
            if line.hasPrefix("["), let close = line.firstIndex(of: "]") {
                (p, b) = counters(line[...close])
                line = line[line.index(after: close)...].drop { $0 == " " }
            }
            guard line.hasPrefix("-A ") else { continue }
            let rest = line.dropFirst(3)
            guard let space = rest.firstIndex(of: " ") else { continue }
            let chain = String(rest[..<space]), rule = String(rest[rest.index(after: space)...])
            if let i = current?.chains.firstIndex(where: { $0.name == chain }) {
                current?.chains[i].rules.append(FirewallRule(rule: rule, packets: p, bytes: b))
            }
        }
        return Firewall(tables: tables)
    }
}

/// The order fixes must be applied in when one finding's fix needs another's first: a route via a gateway is
/// refused ("Nexthop has invalid gateway") while the link to that gateway is down or off its bridge, so the
/// wiring fixes come before the route fixes. `plumb doctor --fix-all` applies them in this order, and the TUI
/// says which fix comes first.
public enum FixOrder {
    /// Lower runs first: links (up, master, MTU), then addresses and forwarding, then routes, then the rest.
    public static func rank(of check: String) -> Int {
        switch check {
        case "wiring-down", "wiring-bridge-down", "wiring-no-master", "mtu-mismatch": return 0
        case "wiring-no-gateway", "forwarding-off": return 1
        case "no-default-route": return 2
        default: return 3
        }
    }

    /// The findings with a fix that must be applied before `finding`'s (empty when it can go first).
    public static func prerequisites(of finding: Finding, among all: [Finding]) -> [Finding] {
        let mine = rank(of: finding.check)
        guard mine < 3, finding.fix != nil else { return [] }
        return all.filter { $0.id != finding.id && $0.fix?.steps.isEmpty == false && rank(of: $0.check) < mine }
    }

    /// `findings` in the order to apply their fixes; findings of one rank keep their order.
    public static func sorted(_ findings: [Finding]) -> [Finding] {
        findings.enumerated().sorted { a, b in
            let (ra, rb) = (rank(of: a.element.check), rank(of: b.element.check))
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
    }
}

extension PlanStep {
    /// The step as lines: a firewall batch's here-document is several lines, each its own (a terminal cell
    /// cannot hold a newline). Continuation lines are indented by two more spaces.
    public var descriptionLines: [String] {
        let lines = description.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return [lines[0]] + lines.dropFirst().map { "  \($0)" }
    }
}

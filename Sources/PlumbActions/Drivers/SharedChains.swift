/// A set of chains Plumb shares between all its networks in one namespace (and between every Plumb state store
/// that uses that namespace), with the untagged rules that hold them together: the skeleton inside them and the
/// jumps into them from built-in chains.
///
/// Nobody owns a shared chain: each network owns only its rules, tagged `plumb:NET` (and `plumb:NET:KEY` for an
/// endpoint's published ports). So a batch lists the group's whole setup and whole teardown, and what actually
/// runs is decided from the kernel at apply time, under the namespace's firewall lock (`FirewallReconciler`):
/// setup adds only what is missing (a chain that exists is never declared again, which would flush it, and a
/// jump is never added twice); teardown removes the group only when no rule is left in its chains but the
/// skeleton, and nothing else jumps to it. A shared chain is never flushed.
struct SharedChains: Sendable, Equatable {
    struct Rule: Sendable, Equatable {
        var chain: String
        var spec: String
        /// `-I CHAIN 1` instead of `-A CHAIN` (the FORWARD jump goes first, as Docker's does).
        var first = false
    }

    var table: String
    /// In declaration order; every chain a skeleton rule jumps to is declared before it is used.
    var chains: [String]
    /// Untagged rules inside `chains`.
    var skeleton: [Rule]
    /// Jumps from built-in chains into the group.
    var jumps: [Rule]

    /// iptables-restore lines that create the group: declarations, skeleton, jumps.
    var setupLines: [String] {
        chains.map { ":\($0) - [0:0]" } + (skeleton + jumps).map { r in
            (r.first ? "-I \(r.chain) 1 " : "-A \(r.chain) ") + r.spec
        }
    }

    /// iptables-restore lines that remove the group: jumps, skeleton, then the chains (never `-F`).
    var teardownLines: [String] {
        (jumps + skeleton).map { "-D \($0.chain) \($0.spec)" } + chains.map { "-X \($0)" }
    }

    /// Whether `line` (`-D CHAIN SPEC` or `-X CHAIN`) is part of this group's teardown.
    func isTeardown(chain: String, spec: String?) -> Bool {
        if let spec { return (jumps + skeleton).contains { $0.chain == chain && $0.spec == spec } }
        return chains.contains(chain)
    }
}

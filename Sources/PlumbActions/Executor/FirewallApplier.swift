import PlumbKernel

/// Applies one firewall batch atomically with `iptables-restore --noflush` (the tool Docker, CNI and Podman
/// use too), from the calling thread so the tool runs in that thread's namespace.
struct FirewallApplier: Sendable {
    /// Deletes `ip filter` / `ip nat` when iptables-save shows them empty (no rules, no user chains, every policy
    /// ACCEPT). Best effort: with the legacy backend or without nft there is nothing to delete.
    func dropEmptyTables() {
        guard let save = CommandRunner.which("iptables-save"), let nft = CommandRunner.which("nft"),
              let out = try? CommandRunner.run(save, []), out.status == 0,
              let tables = try? IptablesSaveParser.parse(String(decoding: out.stdout, as: UTF8.self), family: "ipv4")
        else { return }
        for t in tables where ["filter", "nat"].contains(t.name) {
            let empty = t.chains.allSatisfy { $0.rules.isEmpty && $0.policy == "ACCEPT" }
            if empty { _ = try? CommandRunner.run(nft, ["delete", "table", "ip", t.name]) }
        }
    }

    func apply(family: String, batch: String, step: String) throws {
        if batch.isEmpty { return }
        let tool = family == "ipv6" ? "ip6tables-restore" : "iptables-restore"
        guard let path = CommandRunner.which(tool) else {
            throw ActionError.command(step: step, message: "\(tool) is not installed (apt install iptables)")
        }
        let out = try CommandRunner.run(path, ["--noflush", "--wait"], stdin: Array(batch.utf8))
        if out.status != 0 {
            throw ActionError.command(step: "\(tool) --noflush", message: out.stderrText.isEmpty ? "exit \(out.status)" : out.stderrText)
        }
    }
}

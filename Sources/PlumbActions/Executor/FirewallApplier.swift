import PlumbKernel

/// Applies one firewall batch atomically with `iptables-restore --noflush` (the tool Docker, CNI and Podman
/// use too), from the calling thread so the tool runs in that thread's namespace.
struct FirewallApplier: Sendable {
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

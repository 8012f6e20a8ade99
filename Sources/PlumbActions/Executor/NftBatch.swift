import PlumbKernel

/// Applies one `nft -f -` batch (atomic: all of it or nothing) from the calling thread, so it changes that
/// thread's namespace. Only for tables Plumb owns (the live trace's marking tables): iptables-managed tables
/// go through `FirewallApplier`.
enum NftBatch {
    /// Returns whether it changed something: with `tolerateMissing` (undo, gc), a table or chain that is
    /// already gone is not an error but nothing done.
    static func apply(_ batch: String, step: String, tolerateMissing: Bool) throws -> Bool {
        if batch.isEmpty { return false }
        guard let nft = CommandRunner.which("nft") else {
            throw ActionError.command(step: step, message: "nft is not installed (apt install nftables)")
        }
        let out = try CommandRunner.run(nft, ["-f", "-"], stdin: Array(batch.utf8))
        if out.status == 0 { return true }
        let message = out.stderrText.split(separator: "\n").first.map(String.init) ?? "exit \(out.status)"
        if tolerateMissing && out.stderrText.contains("No such file or directory") { return false }
        throw ActionError.command(step: "nft -f -", message: message)
    }
}

import PlumbModel
import PlumbSystem

/// What the live trace reads in each namespace on the path besides the events.
public enum LiveTraceReads {
    /// `nft -a list ruleset` inside `ns`: every rule with its handle (the events name rules by handle only).
    public static func ruleset(in ns: NamespaceHandle) throws -> String {
        guard let nft = CommandRunner.which("nft") else {
            throw SystemError("posix_spawn", "nft is not installed (apt install nftables)", errno: 2)
        }
        let run: @Sendable () throws -> String = {
            let out = try CommandRunner.run(nft, ["-a", "list", "ruleset"])
            if out.status != 0 { throw SystemError("nft", "-a list ruleset: \(out.stderrText)", errno: 5) }
            return String(decoding: out.stdout, as: UTF8.self)
        }
        if ns.isHost { return try run() }
        let file = try NamespaceOpener.open(ns)
        return try NamespaceWorkers.run(inNamespaceFd: file.rawValue, run)
    }

    /// Why a live trace cannot see `ns`'s rules, or nil when it can: tracing follows nf_tables only, so rules of
    /// legacy iptables (x_tables) there are invisible to it.
    public static func legacyIptables(in ns: NamespaceHandle) -> Bool {
        let check: @Sendable () -> Bool = {
            // thread-self: /proc/net shows the main thread's namespace, not the one this thread entered.
            for f in ["/proc/thread-self/net/ip_tables_names", "/proc/thread-self/net/ip6_tables_names"] {
                if let s = FileReader.readString(f), !s.trimmingSpaces.isEmpty { return true }
            }
            return false
        }
        if ns.isHost { return check() }
        guard let file = try? NamespaceOpener.open(ns) else { return false }
        return (try? NamespaceWorkers.run(inNamespaceFd: file.rawValue, check)) ?? false
    }

    /// Whether the `iptables` command on this machine is the legacy (x_tables) variant.
    public static func iptablesIsLegacy() -> Bool {
        guard let path = CommandRunner.which("iptables"), let out = try? CommandRunner.run(path, ["-V"]) else { return false }
        return String(decoding: out.stdout, as: UTF8.self).contains("legacy")
    }
}

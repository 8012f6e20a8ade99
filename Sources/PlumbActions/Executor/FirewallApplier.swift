import Glibc
import PlumbKernel
import PlumbModel
import PlumbSystem

/// Applies one firewall batch with `iptables-restore --noflush` (the tool Docker, CNI and Podman use too), from
/// the calling thread so the tools run in that thread's namespace.
///
/// Every change holds the namespace's firewall lock (`FirewallLock`) from the read of the current rules to the
/// end of the restore, so what it decides from that read (which shared chains to declare or remove, which jumps
/// are missing) still holds when it is applied, whatever other Plumb processes do.
///
/// iptables-restore commits table by table: when a later table fails, the earlier ones stay. The applier then
/// puts the kernel back from the read it made before (`FirewallRestore`), reads it again, and reports honestly:
/// a plain failure when the kernel is as before, `FirewallLeftBehind` when it is not.
struct FirewallApplier: Sendable {
    var reconciler = FirewallReconciler(groups: BridgeFirewall.sharedGroups)

    /// The tables of one family as iptables-save prints them (without counters): the raw text for an exact
    /// comparison, and the parsed tables.
    struct Reading {
        var text: String
        var tables: [FirewallTable]

        /// The text without comments (timestamps) and counters: equal readings mean an unchanged firewall.
        var comparable: [String] {
            text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
                line.hasPrefix(":") ? line.split(separator: " ").prefix(2).joined(separator: " ") : String(line)
            }
        }
    }

    /// Deletes `ip filter` / `ip nat` when iptables-save shows them empty (no rules, no user chains, every policy
    /// ACCEPT). Best effort: with the legacy backend or without nft there is nothing to delete.
    func dropEmptyTables() throws {
        let lock = try FirewallLock.acquire()
        defer { lock.release() }
        // Both families: an IPv6 bridge network's rules live in ip6tables' tables. A family without any table
        // has nothing to drop (no iptables-save run for it: most hosts have no ip6tables tables).
        let present = FirewallReader.iptablesFamilies()
        for family in ["ipv4", "ipv6"] where present.contains(family) {
            guard let reading = try? read(family: family) else { continue }
            dropEmpty(reading.tables.map(\.name), family: family, reading: reading)
        }
    }

    /// The reading an apply decides from, made under the namespace's firewall lock, which it keeps holding until
    /// the apply that uses it ends (or it is dropped unused).
    final class Prepared: @unchecked Sendable {
        let family: String
        let lock: FileLock
        let before: Reading
        init(family: String, lock: FileLock, before: Reading) { self.family = family; self.lock = lock; self.before = before }
    }

    /// Takes the lock and reads the family's tables, in the calling thread's namespace.
    func prepare(family: String) throws -> Prepared {
        let lock = try FirewallLock.acquire()
        return Prepared(family: family, lock: lock, before: try read(family: family))
    }

    /// `prepared`: the lock and reading taken ahead (`FirewallPrefetch`), in this namespace, for this family.
    func apply(family: String, batch: String, step: String, prepared: Prepared? = nil) throws {
        if batch.isEmpty { return }
        let tool = family == "ipv6" ? "ip6tables-restore" : "iptables-restore"
        guard let path = CommandRunner.which(tool) else {
            throw ActionError.command(step: step, message: "\(tool) is not installed (apt install iptables)")
        }
        let held = try prepared.flatMap { $0.family == family ? $0 : nil } ?? prepare(family: family)
        defer { held.lock.release() }
        let before = held.before
        let needed = reconciler.reconcile(batch, current: before.tables)
        if needed.isEmpty { return }
        let out = try CommandRunner.run(path, ["--noflush", "--wait"], stdin: Array(needed.utf8))
        if out.status == 0 { return }
        let failure = out.stderrText.isEmpty ? "exit \(out.status)" : out.stderrText.split(separator: "\n").joined(separator: " ")
        let after = try read(family: family)
        if after.comparable == before.comparable {
            throw ActionError.command(step: "\(tool) --noflush", message: failure)
        }
        // A table committed before a later one failed: put it back, then look again.
        let undo = FirewallRestore.batch(from: after.tables, to: before.tables)
        if !undo.batch.isEmpty { _ = try? CommandRunner.run(path, ["--noflush", "--wait"], stdin: Array(undo.batch.utf8)) }
        if let now = try? read(family: family) { dropEmpty(undo.newTables, family: family, reading: now) }
        let check = try read(family: family)
        if check.comparable == before.comparable {
            throw ActionError.command(step: "\(tool) --noflush",
                                      message: "\(failure) (the tables committed before the failure were undone; iptables-save shows the firewall as it was)")
        }
        let left = check.comparable.filter { !before.comparable.contains($0) } + before.comparable.filter { !check.comparable.contains($0) }.map { "missing: \($0)" }
        throw FirewallLeftBehind(step: "\(tool) --noflush", failure: failure, left: left)
    }

    /// iptables-save (or ip6tables-save) of the calling thread's namespace.
    func read(family: String) throws -> Reading {
        let tool = family == "ipv6" ? "ip6tables-save" : "iptables-save"
        guard let path = CommandRunner.which(tool) else {
            throw ActionError.command(step: tool, message: "\(tool) is not installed (apt install iptables)")
        }
        let out = try CommandRunner.run(path, [])
        guard out.status == 0 else { throw ActionError.command(step: tool, message: out.stderrText) }
        let text = String(decoding: out.stdout, as: UTF8.self)
        do {
            return Reading(text: text, tables: try IptablesSaveParser.parse(text, family: family))
        } catch {
            throw ActionError.command(step: tool, message: "cannot read its output: \(error)")
        }
    }

    /// Deletes those of `names` that are empty now (nf_tables backend): an emptied table otherwise lingers in
    /// iptables-save although nobody made it.
    private func dropEmpty(_ names: [String], family: String, reading: Reading) {
        guard let nft = CommandRunner.which("nft") else { return }
        for t in reading.tables where names.contains(t.name) && ["filter", "nat"].contains(t.name) {
            let empty = t.chains.allSatisfy { $0.rules.isEmpty && $0.policy == "ACCEPT" }
            if empty { _ = try? CommandRunner.run(nft, ["delete", "table", family == "ipv6" ? "ip6" : "ip", t.name]) }
        }
    }
}

/// A firewall change failed after part of it had committed, and putting the kernel back did not work either:
/// `left` are the lines of iptables-save that differ from before.
struct FirewallLeftBehind: Error, CustomStringConvertible {
    var step: String
    var failure: String
    var left: [String]

    var description: String {
        "`\(step)` failed: \(failure) (part of it had committed, and putting the firewall back did not work)"
    }
}

/// The machine-wide lock of one network namespace's firewall, shared by every Plumb process whatever its state
/// directory: an flock on /run/plumb/firewall/netns-DEV-INODE.lock, named after the nsfs inode of the calling
/// thread's namespace (two live namespaces never share one; a dead namespace's lock file is removed on release).
///
/// Plumb's own lock rather than the xtables lock (/run/xtables.lock): iptables-restore --wait takes that one
/// itself, so holding it across the read and the restore would deadlock, and the nf_tables backend ignores it.
enum FirewallLock {
    static let directory = "/run/plumb/firewall"

    static func acquire() throws -> FileLock {
        var st = stat()
        guard stat("/proc/thread-self/ns/net", &st) == 0 else {
            throw ActionError.command(step: "stat /proc/thread-self/ns/net", message: String(cString: strerror(errno)))
        }
        let path = "\(directory)/netns-\(st.st_dev)-\(st.st_ino).lock"
        do { return try FileLock.acquire(path) } catch {
            throw ActionError.command(step: "lock \(path)", message: error.description)
        }
    }
}

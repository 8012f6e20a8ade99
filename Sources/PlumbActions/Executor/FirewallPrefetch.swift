import Foundation
import Glibc
import PlumbModel
import PlumbSystem

/// The firewall reading a plan's firewall step needs, started ahead on its own thread while the steps before it
/// run. A bulk `net connect` creates its veths first and writes its published ports last; the iptables-save
/// that the applier must run under the namespace's firewall lock before that restore (a process, 8–10 ms on a
/// quiet machine) then runs beside the netlink work instead of after it. The lock is taken before the read and
/// held until the restore that uses the reading has run, exactly as when the applier reads itself; a plan that
/// fails before its firewall step drops the reading and the lock.
final class FirewallPrefetch: @unchecked Sendable {
    /// PLUMB_FIREWALL_PREFETCH=0 reads at the firewall step instead (to measure the difference).
    static var enabled: Bool { getenv("PLUMB_FIREWALL_PREFETCH").map { String(cString: $0) != "0" } ?? true }

    /// The step the reading is for.
    let stepIndex: Int
    let family: String
    let namespace: NamespaceRef
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<FirewallApplier.Prepared, any Error>?
    private var taken = false

    /// Starts the read for the first firewall step of `steps`, when other steps run before it; nil otherwise.
    /// `namespaceFd`: the namespace's fd (-1: the host, this process's own).
    static func start(for steps: [PlanStep], namespaceFd: (NamespaceRef) throws -> Int32) -> FirewallPrefetch? {
        guard enabled, let i = steps.firstIndex(where: { if case .firewall = $0 { return true }; return false }), i > 0,
              case .firewall(let family, let batch, _, let ns) = steps[i], !batch.isEmpty,
              // Only plain kernel steps before it: no other firewall change must come between the read and the use.
              !steps[..<i].contains(where: Self.touchesFirewall),
              let fd = try? namespaceFd(ns) else { return nil }
        return FirewallPrefetch(stepIndex: i, family: family, namespace: ns, namespaceFd: fd)
    }

    private init(stepIndex: Int, family: String, namespace: NamespaceRef, namespaceFd: Int32) {
        self.stepIndex = stepIndex
        self.family = family
        self.namespace = namespace
        let t = Thread { [self] in
            result = Result {
                namespaceFd < 0 ? try FirewallApplier().prepare(family: family)
                    : try NamespaceWorkers.inside(namespaceFd) { try FirewallApplier().prepare(family: family) }
            }
            done.signal()
        }
        t.stackSize = 1 << 20
        t.start()
    }

    /// The reading (with its lock) for step `index`, or nil when it is not the step this was started for.
    func take(for index: Int) throws -> FirewallApplier.Prepared? {
        guard index == stepIndex, !taken else { return nil }
        taken = true
        done.wait()
        return try result?.get()
    }

    /// Unused (the plan failed before its firewall step): wait for the read and let its lock go.
    deinit {
        if !taken { done.wait() }
    }

    private static func touchesFirewall(_ step: PlanStep) -> Bool {
        switch step {
        case .firewall, .nftables, .dropEmptyFirewallTables, .cni: return true
        default: return false
        }
    }
}

import Glibc
import PlumbSystem
import Foundation
import PlumbKernel
import PlumbModel

/// Where applied plans are recorded before and after they run (the SQLite journal in the product).
public protocol PlanJournal: AnyObject {
    func begin(_ plan: Plan) throws -> Int64
    /// Marks the entry; with `applied`, also runs `record` (the store rows the operation makes) in the same
    /// transaction, so the journal and the store never disagree about whether it happened.
    func finish(_ id: Int64, applied: Bool, record: (() throws -> Void)?) throws
    /// The plan failed and undoing it did not fully work: the kernel may hold part of it.
    func fail(_ id: Int64) throws
}

extension PlanJournal {
    public func fail(_ id: Int64) throws { try finish(id, applied: false, record: nil) }
}

/// Applies a Plan as a unit: steps run in order; on the first failure the steps already done are undone in
/// reverse, so the kernel is left as it was. The plan is journaled before the first step and marked after the
/// last, so a crash in between is visible to `plumb gc`, which undoes it (`rollback(_:)`).
public final class PlanExecutor {
    public var journal: PlanJournal?
    let sockets = NamespaceSockets()
    private let firewall = FirewallApplier()
    /// Results of CNI ADDs this executor ran, by "containerID/ifname": the caller records them, and a rollback
    /// of the ADD hands them to DEL as prevResult.
    public private(set) var cniResults: [String: String] = [:]

    public init(journal: PlanJournal? = nil) { self.journal = journal }

    /// Applies `plan`. `entry`: its journal entry when the caller journaled it already (in the transaction
    /// that allocated its addresses); otherwise it is journaled here. `record`: the store rows the operation
    /// makes, written in the transaction that marks the entry applied; when that fails, the plan is rolled back.
    /// `namespacesTakeTheirVeths`: host ends deleted right before their peers' namespace may be left to that
    /// namespace's deletion (`deleteNamespaceTakingVeths`); the caller says so when nothing it knows of keeps
    /// the namespace alive (no process in it).
    public func apply(_ plan: Plan, journaled entry: Int64? = nil, record: (() throws -> Void)? = nil,
                      namespacesTakeTheirVeths: Bool = false) throws {
        let id = try entry ?? journal?.begin(plan)
        var done: [PlanStep] = []
        var i = 0
        let timing = ProcessInfo.processInfo.environment["PLUMB_TIMING"] != nil
        var slowest: [(Double, String)] = []
        // The firewall step's reading, started now beside the link steps before it (FirewallPrefetch).
        var prefetch = FirewallPrefetch.start(for: plan.steps) { [sockets] ns in ns.isHost ? -1 : try sockets.fd(ns) }
        defer {
            if timing {
                let top = slowest.sorted { $0.0 > $1.0 }.prefix(4).map { String(format: "%.1fms ", $0.0) + $0.1.prefix(60) }
                FileHandle.standardError.write(Data("timing steps: \(top.joined(separator: " | "))\n".utf8))
            }
        }
        while i < plan.steps.count {
            let batch = Self.deleteRun(plan.steps, from: i)
            let started = Date()
            var label = timing ? "\(batch.count)x " + plan.steps[i].description : ""
            defer { if timing { slowest.append((Date().timeIntervalSince(started) * 1000, label)) } }
            do {
                var count = batch.count
                if namespacesTakeTheirVeths, !batch.names.isEmpty, let gone = Self.namespaceDeleted(plan.steps, at: i + batch.count),
                   try deleteNamespaceTakingVeths(batch.names, in: batch.ns, namespace: gone) {
                    count += 1
                    // First in the label: the timing line keeps only its first 60 characters.
                    if timing { label = "ip netns del \(gone) (takes \(batch.count) veth)" }
                } else if batch.count > 1 {
                    try deleteLinks(batch.names, in: batch.ns, tolerateMissing: false)
                } else {
                    try run(plan.steps[i], tolerateMissing: false, prepared: prefetch?.take(for: i))
                }
                done += plan.steps[i..<(i + count)]
                i += count
                FaultInjection.stepsDone(done.count)  // debug builds only: the crash tests' kill -9
            } catch {
                prefetch = nil  // an unused read-ahead lets its firewall lock go before anything is undone
                let undo = rollbackReporting(Plan(operation: plan.operation, steps: done))
                // Only claim a clean rollback when nothing was left: neither by the failed step itself (a firewall
                // batch whose first table committed) nor by an undo step that failed.
                let left = ((error as? FirewallLeftBehind)?.left ?? []) + undo.failed
                if left.isEmpty {
                    try? id.map { try journal?.finish($0, applied: false, record: nil) }
                    throw ActionError.rolledBack(failure: "\(error)", undone: undo.undone)
                }
                try? id.map { try journal?.fail($0) }
                throw ActionError.rollbackIncomplete(failure: "\(error)", undone: undo.undone, leftBehind: left)
            }
        }
        do {
            if let id, let journal {
                try journal.finish(id, applied: true, record: record)
            } else {
                try record?()
            }
        } catch {
            rollback(plan)
            try? id.map { try journal?.finish($0, applied: false, record: nil) }
            throw error
        }
    }

    /// Undoes the steps of `plan` in reverse, ignoring what is already gone. Returns how many steps changed
    /// something (a step whose object was already gone, or that failed, changed nothing).
    @discardableResult
    public func rollback(_ plan: Plan) -> Int { rollbackReporting(plan).undone }

    /// `rollback`, also saying which undo steps failed (what they would have removed is still there).
    func rollbackReporting(_ plan: Plan) -> (undone: Int, failed: [String]) { replayReporting(plan.inverse) }

    /// Runs the steps of `plan` in order, ignoring what is already gone and going on past failures (gc, to
    /// finish an interrupted teardown). Returns how many steps changed something.
    @discardableResult
    public func replay(_ plan: Plan) -> Int { replayReporting(plan).undone }

    /// `replay`, also saying which steps failed.
    func replayReporting(_ plan: Plan) -> (undone: Int, failed: [String]) {
        var count = 0, failed: [String] = []
        let steps = plan.steps
        var i = 0
        while i < steps.count {
            let batch = Self.deleteRun(steps, from: i)
            do {
                if batch.count > 1 {
                    count += try deleteLinks(batch.names, in: batch.ns, tolerateMissing: true)
                } else if try run(steps[i], tolerateMissing: true) {
                    count += 1
                }
            } catch {
                failed.append("\(error)")
            }
            i += batch.count
        }
        return (count, failed)
    }

    /// Consecutive `deleteLink` steps in one namespace starting at `from` (count 1 for any other step).
    static func deleteRun(_ steps: [PlanStep], from: Int) -> (count: Int, names: [String], ns: NamespaceRef) {
        guard case .deleteLink(let first, let ns) = steps[from] else { return (1, [], .host) }
        var names = [first]
        for step in steps[(from + 1)...] {
            guard case .deleteLink(let n, let other) = step, other == ns else { break }
            names.append(n)
        }
        return (names.count, names, ns)
    }

    /// Deletes many links at once: each joins a fresh interface group, then one RTM_DELLINK deletes the group
    /// (one RCU grace period for all instead of one per link). Returns how many links were deleted. Strict mode:
    /// a missing link fails the whole batch before anything is deleted (the links moved so far go back to
    /// group 0).
    @discardableResult
    func deleteLinks(_ names: [String], in ns: NamespaceRef, tolerateMissing: Bool) throws -> Int {
        if tolerateMissing, (try? sockets.session(ns)) == nil { return 0 }  // the namespace went with them
        let session = try sockets.session(ns)
        let group = UInt32.random(in: 0x7000_0000...0x7fff_ffff)
        var moved: [String] = []
        for name in names {
            do {
                try session.setGroup(name, group)
                moved.append(name)
            } catch {
                if tolerateMissing && error.isMissingLink { continue }
                for m in moved { try? session.setGroup(m, 0) }
                throw ActionError.netlink(step: PlanStep.deleteLink(name: name, in: ns).description,
                                          message: error.description)
            }
        }
        if moved.isEmpty { return 0 }
        do { try session.deleteGroup(group) } catch {
            throw ActionError.netlink(step: "\(PlanStep.deleteLink(name: moved[0], in: ns).description) (and \(moved.count - 1) more, as group \(group))",
                                      message: error.description)
        }
        return moved.count
    }

    /// Runs one step. With `tolerateMissing`, deleting something that is not there succeeds (rollback, gc).
    /// Returns false when the step found nothing to change (tolerated as missing), true otherwise.
    /// `prepared`: the firewall reading started ahead for this step (a `.firewall` step only).
    @discardableResult
    func run(_ step: PlanStep, tolerateMissing: Bool, prepared: FirewallApplier.Prepared? = nil) throws -> Bool {
        func nl(_ ns: NamespaceRef, _ body: (NetlinkChangeSession) throws -> Void) throws -> Bool {
            let session = try sockets.session(ns)
            do { try body(session) } catch let error as NetlinkChangeError {
                if tolerateMissing && error.isMissing { return false }
                throw ActionError.netlink(step: step.description, message: error.description)
            }
            return true
        }
        /// The namespace is gone, and with it what the step would remove (rollback and gc only).
        func namespaceGone(_ ns: NamespaceRef) -> Bool { tolerateMissing && (try? sockets.session(ns)) == nil }
        switch step {
        case .createNamespace(let name):
            try NamedNamespaces.create(name)
            return true
        case .deleteNamespace(let name), .deleteEmptyNamespace(let name):
            sockets.drop(.named(name))
            if tolerateMissing && access("\(NamedNamespaces.directory)/\(name)", F_OK) != 0 { return false }
            try NamedNamespaces.delete(name, missingOK: tolerateMissing)
            return true
        case .createBridge(let name, let mtu, let ns):
            return try nl(ns) { try $0.addBridge(name, mtu: mtu) }
        case .createVeth(let name, let peer, let mtu, let ns, let peerNs):
            let peerFd = peerNs == ns ? nil : try sockets.fd(peerNs)
            return try nl(ns) { try $0.addVethPair(name, peer: peer, mtu: mtu, peerNamespaceFd: peerFd) }
        case .createMacvlan(let name, let parent, let mode, let mtu, let ns, let to):
            let toFd = to == ns ? nil : try sockets.fd(to)
            return try nl(ns) { try $0.addMacvlan(name, parent: parent, mode: mode, mtu: mtu, namespaceFd: toFd) }
        case .createVxlan(let name, let vni, let local, let remote, let port, let parent, let mtu, let ns):
            return try nl(ns) { try $0.addVxlan(name, vni: vni, local: local, remote: remote, port: port, parent: parent, mtu: mtu) }
        case .deleteLink(let name, let ns):
            if namespaceGone(ns) { return false }
            return try nl(ns) { try $0.deleteLink(name) }
        case .setMaster(let link, let master, let ns):
            return try nl(ns) { try $0.setMaster(link, master: master) }
        case .renameLink(let from, let to, let ns):
            return try nl(ns) { try $0.rename(from, to: to) }
        case .setUp(let link, let ns):
            return try nl(ns) { try $0.setUp(link) }
        case .setDown(let link, let ns):
            return try nl(ns) { try $0.setUp(link, false) }
        case .setHairpin(let link, let ns):
            return try nl(ns) { try $0.setHairpin(link, true) }
        case .setMTU(let link, let mtu, _, let ns):
            return try nl(ns) { try $0.setMTU(link, mtu) }
        case .setHairpinMode(let link, let on, let ns):
            return try nl(ns) { try $0.setHairpin(link, on) }
        case .deleteVeth(let name, _, _, let ns, _):
            if namespaceGone(ns) { return false }
            return try nl(ns) { try $0.deleteLink(name) }
        case .setLinkState(let link, let up, let ns):
            return try nl(ns) { try $0.setUp(link, up) }
        case .setLinkMaster(let link, let master, _, let ns):
            return try nl(ns) { s in
                if let master { try s.setMaster(link, master: master) } else { try s.setNoMaster(link) }
            }
        case .addAddress(let cidr, let link, let ns):
            return try nl(ns) { try $0.address(cidr, on: link, add: true) }
        case .deleteAddress(let cidr, let link, let ns):
            if namespaceGone(ns) { return false }
            return try nl(ns) { try $0.address(cidr, on: link, add: false) }
        case .addRoute(let dst, let gw, let link, let ns):
            return try nl(ns) { try $0.route(to: dst.prefix, gateway: gw, link: link, add: true) }
        case .deleteRoute(let dst, let gw, let link, let ns):
            if namespaceGone(ns) { return false }
            return try nl(ns) { try $0.route(to: dst.prefix, gateway: gw, link: link, add: false) }
        case .setSysctl(let key, let value, _, let ns):
            // Skipped when already set: writing ip_forward walks every device of the namespace (~30 ms).
            return try inNamespace(ns) {
                if Sysctl.read(key) == value { return false }
                try Sysctl.write(key, value)
                return true
            }
        case .dropEmptyFirewallTables(let ns):
            if tolerateMissing, (try? sockets.fd(ns)) == nil { return false }
            try inNamespace(ns) { try FirewallApplier().dropEmptyTables() }
            return !tolerateMissing  // tidying only: gc does not count it as a change
        case .firewall(let family, let batch, _, let ns):
            if tolerateMissing, (try? sockets.fd(ns)) == nil { return false }
            let applier = firewall, text = step.description
            if batch.isEmpty { return false }
            try inNamespace(ns) { try applier.apply(family: family, batch: batch, step: text, prepared: prepared) }
            return true
        case .nftables(let batch, _, let ns):
            if tolerateMissing, (try? sockets.fd(ns)) == nil { return false }
            let text = step.description
            return try inNamespace(ns) { try NftBatch.apply(batch, step: text, tolerateMissing: tolerateMissing) }
        case .deleteConntrack(let entries, let ns):
            if tolerateMissing, (try? sockets.fd(ns)) == nil { return false }
            // Entries that went away meanwhile (expired, closed) count as deleted.
            let socket = try ConntrackReader.open(ns)
            for e in entries { _ = try socket.delete(e) }
            return !entries.isEmpty
        case .createOverlayVxlan(let name, let vni, let local, let port, let parent, let mtu, let ns):
            return try nl(ns) { try $0.addOverlayVxlan(name, vni: vni, local: local, port: port, parent: parent, mtu: mtu) }
        case .setLinkMAC(let link, let mac, let ns):
            return try nl(ns) { try $0.setMAC(link, mac) }
        case .addVxlanForwarding(let mac, let link, let dst, let ns), .deleteVxlanForwarding(let mac, let link, let dst, let ns):
            if namespaceGone(ns) { return false }
            let add = if case .addVxlanForwarding = step { true } else { false }
            return try nl(ns) { try $0.vxlanForwarding(mac, to: dst, on: link, add: add) }
        case .addNeighbor(let ip, let mac, let link, let ns), .deleteNeighbor(let ip, let mac, let link, let ns):
            if namespaceGone(ns) { return false }
            let add = if case .addNeighbor = step { true } else { false }
            return try nl(ns) { try $0.permanentNeighbor(ip, mac: mac, on: link, add: add) }
        case .cni(let command, let plugins, let conflist, let rc, let prev, let id, let netns, let ifname, let path, let ns):
            if tolerateMissing, (try? sockets.fd(ns)) == nil { return false }
            let runner = CNIRunner(plugins: plugins, conflist: conflist, runtimeConfig: rc, containerID: id,
                                   netns: netns, ifname: ifname, cniPath: path)
            let key = "\(id)/\(ifname)"
            if command == "ADD" {
                cniResults[key] = try inNamespace(ns) { try runner.add() }
            } else {
                let known = prev ?? cniResults[key]
                do { try inNamespace(ns) { try runner.del(prevResult: known) } } catch where tolerateMissing {
                    // Undo after a crash: plugins report what they could not find; what they held is released.
                }
            }
            return true
        }
    }

    func inNamespace<T: Sendable>(_ ns: NamespaceRef, _ body: @escaping @Sendable () throws -> T) throws -> T {
        if ns.isHost { return try body() }
        return try NamespaceWorkers.run(inNamespaceFd: try sockets.fd(ns), body)
    }
}

/// Reads and writes /proc/sys values (in the calling thread's namespace).
enum Sysctl {
    static func read(_ key: String) -> String? {
        guard let bytes = FileDescriptor.readSmallFile("/proc/sys/\(key)", limit: 256), !bytes.isEmpty else { return nil }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func write(_ key: String, _ value: String) throws {
        let path = "/proc/sys/\(key)"
        do {
            try FileDescriptor.write(Array((value + "\n").utf8), toFile: path)
        } catch {
            throw ActionError.command(step: "sysctl \(key)=\(value)", message: error.description)
        }
    }
}

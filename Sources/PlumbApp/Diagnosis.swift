import PlumbDoctor
import PlumbKernel
import PlumbModel
import PlumbTrace

/// The doctor's inputs as both `plumb doctor` and the TUI build them: one path, so a check that needs an input
/// (DNS needs the resolvers) runs the same in both.
public enum Diagnosis {
    /// What the doctor reads besides the snapshot. `hostNamespace` (`--host-ns`) narrows the checks to the
    /// namespaces wired to it; `root` prefixes every file read (tests point it at a fixture tree).
    public static func inputs(for snap: Snapshot, hostNamespace: UInt64? = nil, root: String = "") -> DoctorInputs {
        let scope = hostNamespace.map { Doctor.scope(around: $0, in: snap) }
        var inputs = DoctorInputsReader.read(snap, scope: scope, hostNamespace: hostNamespace, root: root)
        if root.isEmpty {
            // Found once: whose listeners to read, then classified with them for the doctor and the Ports tab.
            let ports = PublishedPortFinder.find(snap, scope: scope)
            let read = listeners(of: Set(ports.compactMap(\.targetNamespace)), in: snap)
            inputs.listeners = read
            inputs.publishedPorts = PublishedPortFinder.classified(ports, listeners: read)
            if let host = hostNamespace.flatMap({ snap.namespace(id: $0) }) ?? snap.host { inputs.conntrack = conntrack(of: host, in: snap) }
        }
        return inputs
    }

    /// The TCP and UDP listeners of these namespaces (the targets of published ports). The one place the
    /// doctor and `plumb ports` read them: the sockets already in the snapshot (`--sockets`), else sock_diag
    /// inside each namespace. A namespace that cannot be entered (gone, no permission) is left out: its
    /// listeners are unknown, which no check guesses about.
    public static func listeners(of ids: Set<UInt64>, in snap: Snapshot) -> [UInt64: [SocketRecord]] {
        var out: [UInt64: [SocketRecord]] = [:]
        for id in ids {
            guard let ns = snap.namespace(id: id) else { continue }
            if let s = ns.sockets { out[id] = s.filter(\.isListening); continue }
            guard let handle = NamespaceHandle(ns), let s = try? SocketReader.listeners(in: handle) else { continue }
            out[id] = s
        }
        return out
    }
}

extension Diagnosis {
    /// The conntrack evidence of the namespace playing the host: its usage (cheap) and, when it has entries,
    /// the DNAT entries whose target lies in one of its own connected subnets (a container network here) but
    /// that no namespace holds any more. A DNAT to an address elsewhere (another machine) is never stale here.
    /// nil when ctnetlink cannot be read (no conntrack module, no permission): the check then does not run.
    public static func conntrack(of ns: Namespace, in snap: Snapshot) -> ConntrackEvidence? {
        guard let handle = NamespaceHandle(ns), let usage = try? ConntrackReader.usage(in: handle) else { return nil }
        var evidence = ConntrackEvidence(namespace: ns.id, usage: usage)
        guard usage.count > 0 else { return evidence }
        func prefixes(_ l: Link) -> [IPPrefix] { l.addresses }
        let subnets = ns.links.filter { $0.kind == .bridge }.flatMap { prefixes($0).filter { !$0.address.isLinkLocal }.map(\.canonical) }
        guard !subnets.isEmpty, let entries = try? ConntrackReader.entries(in: handle) else { return evidence }
        var held: Set<IPAddress> = []
        for n in snap.namespaces { for l in n.links { for p in prefixes(l) { held.insert(p.address) } } }
        var targets: Set<String> = []
        let live: Set<ConntrackTCPState> = [.established, .synSent, .synRecv, .synSent2]
        for e in entries where e.nat == .dnat || e.nat == .both {
            // A closed TCP connection's entry only waits out its timer: not traffic that goes anywhere.
            if let state = e.tcpState, !live.contains(state) { continue }
            let target = e.reply.src
            guard !held.contains(target), subnets.contains(where: { $0.contains(target) }) else { continue }
            evidence.staleTotal += 1
            targets.insert(target.description)
            if evidence.staleEntries.count < ConntrackEvidence.staleEntryLimit { evidence.staleEntries.append(e) }
            if evidence.staleNAT.count < 8 {
                func ep(_ a: IPAddress, _ p: UInt16?) -> String { p.map { "\(a):\($0)" } ?? a.description }
                evidence.staleNAT.append("\(e.protocolName) \(ep(e.original.src, e.original.srcPort)) → "
                    + "\(ep(e.original.dst, e.original.dstPort)) ⇒ \(ep(e.reply.src, e.reply.srcPort))"
                    + (e.timeout.map { " (expires in \($0) s)" } ?? ""))
            }
        }
        evidence.staleTargets = targets.sorted()
        return evidence
    }
}

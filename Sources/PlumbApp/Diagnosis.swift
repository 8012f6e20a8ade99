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
        if root.isEmpty { inputs.listeners = listeners(of: PublishedPortFinder.targetNamespaces(snap, scope: scope), in: snap) }
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

import PlumbDoctor
import PlumbKernel
import PlumbModel

/// The doctor's inputs as both `plumb doctor` and the TUI build them: one path, so a check that needs an input
/// (DNS needs the resolvers) runs the same in both.
public enum Diagnosis {
    /// What the doctor reads besides the snapshot. `hostNamespace` (`--host-ns`) narrows the checks to the
    /// namespaces wired to it; `root` prefixes every file read (tests point it at a fixture tree).
    public static func inputs(for snap: Snapshot, hostNamespace: UInt64? = nil, root: String = "") -> DoctorInputs {
        let scope = hostNamespace.map { Doctor.scope(around: $0, in: snap) }
        return DoctorInputsReader.read(snap, scope: scope, hostNamespace: hostNamespace, root: root)
    }
}

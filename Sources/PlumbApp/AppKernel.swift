import PlumbKernel
import PlumbModel
import PlumbTUI

/// Everything the app asks of the system, in one place: snapshots, the doctor's inputs, captures, fixes and
/// the shell jump. The CLI passes the real ones (`live`); tests pass recorded snapshots and fakes, so the
/// event loop runs without root.
public struct AppKernel {
    public var snapshots: any SnapshotSource
    /// What the doctor reads besides the snapshot (resolvers, br_netfilter): as `plumb doctor` reads it.
    public var doctorInputs: (Snapshot) -> DoctorInputs
    /// A capture pane's session; `promiscuous` false in read-only mode (`ReadonlyPolicy`).
    public var openCapture: (_ namespace: Namespace, _ interface: String, _ filter: String, _ promiscuous: Bool) -> any CaptureSession
    public var applyFix: (Finding) -> StatusMessage
    public var undoFix: () -> StatusMessage
    /// `u`'s question: the last fix's finding id and the plan that undoes it, read from the journal.
    public var undoPreview: () throws -> (findingID: String, plan: Plan) = { throw NothingToUndo() }
    /// Runs a shell in the namespace with the terminal suspended; returns the status-line message.
    public var shell: (_ namespace: UInt64, _ snapshot: Snapshot, _ terminal: any Terminal) -> StatusMessage
    /// The Conntrack tab's read of one namespace's table (the live one reads ctnetlink; tests pass tables).
    public var conntrack: (Namespace) throws -> ConntrackTable = { _ in throw ConntrackNotRead() }
    /// The drops feed (the Drops tab, the drop-rate badges, drops in the events log, the doctor's live
    /// evidence); nil when drops are not watched, with `dropsNote` saying why.
    public var drops: (any DropFeed)?
    public var dropsNote: String?
    /// With a cluster store: the other hosts' VTEPs and endpoints for the Map view; nil without a store.
    public var cluster: ClusterFeed?
    /// `t`: one live trace from a namespace (the live one runs `plumb trace --live`); its answer as a dialog.
    public var liveTrace: (_ from: Namespace, _ request: LiveTraceRequest) -> LiveTraceAnswer = { _, _ in
        LiveTraceAnswer(title: "Live trace", lines: ["live traces are not run here"], command: "plumb trace SRC DST --live")
    }

    public init(snapshots: any SnapshotSource,
                doctorInputs: @escaping (Snapshot) -> DoctorInputs,
                openCapture: @escaping (Namespace, String, String, Bool) -> any CaptureSession,
                applyFix: @escaping (Finding) -> StatusMessage,
                undoFix: @escaping () -> StatusMessage,
                shell: @escaping (UInt64, Snapshot, any Terminal) -> StatusMessage) {
        self.snapshots = snapshots; self.doctorInputs = doctorInputs; self.openCapture = openCapture
        self.applyFix = applyFix; self.undoFix = undoFix; self.shell = shell
    }

    /// The kernel itself: live snapshots, doctor inputs read from the system, captures on real links, fixes
    /// journaled in `journal`'s state database.
    public static func live(snapshots: LiveSnapshots, journal: String, capture io: CaptureIO,
                            shell: @escaping (UInt64, Snapshot, any Terminal) -> StatusMessage) -> AppKernel {
        AppKernel(snapshots: snapshots,
                  doctorInputs: { Diagnosis.inputs(for: $0) },
                  openCapture: { TUICapture(namespace: $0, interface: $1, filter: $2, promiscuous: $3, io: io) },
                  applyFix: { DoctorFixes.apply($0, journal: journal) },
                  undoFix: { DoctorFixes.undo(journal: journal) },
                  shell: shell)
            .with(undoPreview: { try DoctorFixes.undoPreview(journal: journal) })
            .with(liveTrace: { TUILiveTrace.run(from: $0, $1, stateDir: journal) })
            .with(conntrack: { ns in
                guard let handle = NamespaceHandle(ns) else { throw NamespaceOpenError.gone(NamespaceHandle(.host, inode: ns.id)) }
                return try ConntrackReader.table(in: handle)
            })
    }
}

extension AppKernel {
    /// The same kernel with a drops feed, or the reason there is none.
    public func with(drops feed: (any DropFeed)?, note: String? = nil) -> AppKernel {
        var k = self
        k.drops = feed
        k.dropsNote = note
        return k
    }

    /// The same kernel with another conntrack reader.
    public func with(conntrack read: @escaping (Namespace) throws -> ConntrackTable) -> AppKernel {
        var k = self
        k.conntrack = read
        return k
    }
}

extension AppKernel {
    /// The same kernel with another source for `u`'s question.
    public func with(undoPreview read: @escaping () throws -> (findingID: String, plan: Plan)) -> AppKernel {
        var k = self
        k.undoPreview = read
        return k
    }
}

extension AppKernel {
    /// The same kernel with another live tracer.
    public func with(liveTrace run: @escaping (Namespace, LiveTraceRequest) -> LiveTraceAnswer) -> AppKernel {
        var k = self
        k.liveTrace = run
        return k
    }
}

/// What `u` says when no journal was given.
struct NothingToUndo: Error, CustomStringConvertible {
    var description: String { "no fix to undo" }
}

/// What the Conntrack tab says when no reader was given.
struct ConntrackNotRead: Error, CustomStringConvertible {
    var description: String { "conntrack is not read here" }
}

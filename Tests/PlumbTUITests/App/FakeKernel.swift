import Foundation
import PlumbApp
import PlumbModel
import PlumbSystem
import PlumbTUI

/// Snapshots queued by the test instead of read from the kernel; records what the loop asked of it.
final class FakeSnapshots: SnapshotSource {
    var interval: Double = 1
    var paused = false
    var wakePipe: WakePipe? = nil
    var queue: [SnapshotUpdate] = []
    private let lock = NSLock()
    private(set) var started = false
    private(set) var stopped = false
    private(set) var refreshes = 0
    private(set) var focus: Set<UInt64> = []
    /// The last `polled` the loop passed: whether its details tab shows data without events.
    private(set) var polled = true

    func start() { started = true }
    func stop() { stopped = true }
    func refreshNow() { refreshes += 1 }
    /// The last link counters the loop said were on screen.
    private(set) var counters: CounterScope?
    func setFocus(_ ids: Set<UInt64>, counters: CounterScope?, firewall: Bool, polled: Bool) {
        focus = ids; self.counters = counters; self.polled = polled
    }
    func take() -> SnapshotUpdate? {
        lock.lock(); defer { lock.unlock() }
        return queue.isEmpty ? nil : queue.removeFirst()
    }
    /// Queues an update from another thread, as a live source publishes.
    func publish(_ update: SnapshotUpdate) {
        lock.lock(); defer { lock.unlock() }
        queue.append(update)
    }
    func lastError() -> String? { nil }
}

/// A capture that "receives" the rows it was given on its second poll (the first comes right after it opened).
final class FakeCapture: CaptureSession {
    let namespace: String, interface: String, filter: String
    var promiscuous = true
    var rows: [CaptureFeed.Row]
    private(set) var polled = 0
    private(set) var stopped = false

    init(namespace: String, interface: String, filter: String, rows: [CaptureFeed.Row]) {
        self.namespace = namespace; self.interface = interface; self.filter = filter; self.rows = rows
    }

    var count: Int { polled > 1 ? rows.count : 0 }
    func poll(paused: Bool) -> Bool {
        polled += 1
        return polled == 2 && !rows.isEmpty
    }
    func feed(selected: Int?, showDetail: Bool) -> CaptureFeed {
        CaptureFeed(rows: polled > 1 ? rows : [], status: "\(count) captured", ended: nil, detail: [])
    }
    /// Paths that "exist": saving there without `overwrite` fails as FileDescriptor.createPrivate does.
    var existing: Set<String> = []
    private(set) var saves: [String] = []
    func save(to path: String, overwrite: Bool) throws -> Int {
        if existing.contains(path) && !overwrite { throw PrivateFileError.exists(path) }
        saves.append(path)
        return count
    }
    func stop() { stopped = true }
}

/// The kernel side of the app, with everything recorded: no root, no kernel.
final class FakeKernel {
    let snapshots = FakeSnapshots()
    var doctorInputs: (Snapshot) -> DoctorInputs = { _ in DoctorInputs() }
    var captureRows: [CaptureFeed.Row] = []
    var existingFiles: Set<String> = []
    private(set) var captures: [FakeCapture] = []
    private(set) var fixed: [String] = []
    private(set) var undos = 0
    /// When set, a fix fails with this text (as DoctorFixes.apply words a failure).
    var fixFailure: String?
    private(set) var shells: [UInt64] = []
    /// The Conntrack tab's tables by namespace id (a namespace without one: conntrack is missing there).
    var conntrackTables: [UInt64: ConntrackTable] = [:]
    private(set) var conntrackReads: [UInt64] = []

    var kernel: AppKernel {
        AppKernel(
            snapshots: snapshots,
            doctorInputs: { [unowned self] in doctorInputs($0) },
            openCapture: { [unowned self] ns, interface, filter, promiscuous in
                let c = FakeCapture(namespace: ns.displayName, interface: interface, filter: filter, rows: captureRows)
                c.promiscuous = promiscuous
                c.existing = existingFiles
                captures.append(c)
                return c
            },
            applyFix: { [unowned self] f in
                if let why = fixFailure { return .error(why) }
                fixed.append(f.id)
                return .info("fixed \(f.check)")
            },
            undoFix: { [unowned self] in undos += 1; return .info("undone") },
            shell: { [unowned self] ns, _, terminal in
                shells.append(ns)
                terminal.suspend()
                terminal.resume()
                return .info("shell exited with 0")
            })
        .with(undoPreview: { [unowned self] in
            guard let id = fixed.last else { throw FakeNothingToUndo() }
            return (id, Plan(operation: .doctorUndo(findingID: id), steps: [.setUp(link: "eth0", in: .named("pt-fake"))]))
        })
        .with(conntrack: { [unowned self] ns in
            conntrackReads.append(ns.id)
            guard let t = conntrackTables[ns.id] else { throw FakeConntrackMissing() }
            return t
        })
    }
}

struct FakeNothingToUndo: Error, CustomStringConvertible {
    var description: String { "no fix to undo (fake)" }
}

struct FakeConntrackMissing: Error, CustomStringConvertible {
    var description: String { "conntrack is not available (fake)" }
}

/// The live traces a test's app asked for (the source namespace's name, the request), each answered at once as
/// a trace that passed.
final class LiveTraceLog {
    private(set) var asked: [(from: String, request: LiveTraceRequest)] = []

    /// `fake`'s kernel, tracing into this log.
    func kernel(_ fake: FakeKernel) -> AppKernel {
        fake.kernel.with(liveTrace: { [self] ns, request in
            asked.append((ns.displayName, request))
            return LiveTraceAnswer(title: "Live trace \(ns.displayName) → \(request.destination) (one real packet)",
                                   lines: ["static trace: DELIVERED: delivered", "", "PASSED: it passed every netfilter hook"],
                                   command: "plumb trace x y --live")
        })
    }
}

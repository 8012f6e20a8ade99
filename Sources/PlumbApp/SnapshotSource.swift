import PlumbModel
import PlumbSystem

/// A new snapshot for the app, and what it says about which namespaces were read and which may have changed.
public struct SnapshotUpdate: Sendable {
    public var snapshot: Snapshot
    /// Namespaces whose counters were read now (nil: all); the others' are older and make no rate sample.
    public var read: Set<UInt64>?
    /// Namespaces of `read` of which only these links' counters were read (the links on screen): the others
    /// keep older counters and make no rate sample either. A namespace of `read` not listed was read in full.
    public var readLinks: [UInt64: Set<Int>] = [:]
    /// Namespaces whose contents may differ from the previous update (nil: any): only those are diffed.
    public var changed: Set<UInt64>? = nil
    /// The source's count of changes other than counters (`LiveModel.contentVersion`): updates with the same
    /// version differ only in counters. nil: unknown (every update may differ).
    public var contentVersion: UInt64? = nil
    /// The source's count of those changes other than processes and holders moving (`LiveModel.objectsVersion`):
    /// updates with the same version differ only in counters, processes and holders. nil: unknown.
    public var objectsVersion: UInt64? = nil
    /// Reads since the previous update found the counters of these namespaces unchanged (and were not handed
    /// over): the UI samples them as they were at that time before this update's, so a rate spans one interval.
    public var quiet: QuietCounters? = nil

    public init(snapshot: Snapshot, read: Set<UInt64>?, readLinks: [UInt64: Set<Int>] = [:], changed: Set<UInt64>? = nil,
                contentVersion: UInt64? = nil, objectsVersion: UInt64? = nil, quiet: QuietCounters? = nil) {
        self.snapshot = snapshot; self.read = read; self.readLinks = readLinks; self.changed = changed
        self.contentVersion = contentVersion; self.objectsVersion = objectsVersion; self.quiet = quiet
    }

    /// An update whose counters were read for `scope`.
    public init(snapshot: Snapshot, read scope: CounterScope) {
        self.init(snapshot: snapshot, read: scope.allNamespaces, readLinks: scope.links)
    }
}

/// The last read that found the counters of `namespaces` unchanged, at `at` (seconds since 1970); of the
/// namespaces listed in `links`, only those links were read.
public struct QuietCounters: Sendable, Equatable {
    public var at: Double
    public var namespaces: Set<UInt64>
    public var links: [UInt64: Set<Int>]
    public init(at: Double, namespaces: Set<UInt64>, links: [UInt64: Set<Int>] = [:]) {
        self.at = at; self.namespaces = namespaces; self.links = links
    }
}

/// Where the app's snapshots come from. `LiveSnapshots` reads the kernel on its own thread; tests queue
/// recorded snapshots. The loop never waits on it: `take` returns what is ready, `wakePipe` says when.
public protocol SnapshotSource: AnyObject {
    var interval: Double { get set }
    var paused: Bool { get set }
    /// Readable when an update is waiting (the loop waits on it with the keyboard, and drains it); nil when the
    /// source never wakes the loop.
    var wakePipe: WakePipe? { get }
    func start()
    func stop()
    func refreshNow()
    /// The namespaces on screen (read first and most often), the link counters on screen (nil: every link of
    /// those namespaces), whether the firewall tab is open, and whether the details tab shows what no kernel
    /// event announces (`DetailTab.showsPolledData`).
    func setFocus(_ ids: Set<UInt64>, counters: CounterScope?, firewall: Bool, polled: Bool)
    /// The newest update since the last call, or nil.
    func take() -> SnapshotUpdate?
    func lastError() -> String?
}

extension LiveSnapshots: SnapshotSource {}

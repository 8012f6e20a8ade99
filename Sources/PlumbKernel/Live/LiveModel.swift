import PlumbSystem
import Foundation
import PlumbModel

/// The live view's model of the host, kept current at little cost: kernel events are applied in place (a link
/// that flaps changes state from its own RTM_NEWLINK message, no dump), and a refresh reads only the namespaces
/// that need it — the ones on screen, new ones, and those whose events could not be applied — while every
/// other namespace carries over unchanged. Not thread-safe: one background thread owns it.
public final class LiveModel: @unchecked Sendable {
    public internal(set) var snapshot: Snapshot?
    public var options: SnapshotOptions
    let watcher = EventWatcher()
    let sockets = NetlinkSocketCache()
    let nsids = NsidCache()
    /// Mount tables (500 bind mounts of `ip netns` namespaces) re-read only when they change.
    let mountTables = MountTableCache()
    /// The same, by mount namespace id (kernels with NS_MNT_GET_NEXT): nothing pinned, unchanged tables skipped.
    /// Starts from the CLI's saved index: the first discovery then reads only tables changed since.
    let mountIndex = MountTableStore.enabled ? MountTableStore().load() : MountTableIndex()
    /// Process events (fork, exec, exit): between full walks, discovery looks only at the processes they name.
    /// nil when the connector cannot be opened; then every interval walks /proc, as before.
    let processEvents: ProcessEvents?
    var tracker = ProcessTracker()
    /// The last full /proc walk; the walk is the safety net every `walkEvery` seconds (and at once when events
    /// were lost: ENOBUFS).
    var lastWalk = Date.distantPast
    public var walkEvery: TimeInterval = 30
    /// Full walks and event-driven passes so far (the benchmark and the tests read them).
    public internal(set) var walks = 0
    public internal(set) var eventPasses = 0
    public var processLookups: Int { tracker.lookups }
    public var processEventsSeen: Int { tracker.events }
    /// Namespaces that must be read at the next refresh (events that could not be applied in place).
    public private(set) var pending: Set<UInt64> = []
    /// Namespaces whose contents changed since `takeChanged()` (nil: possibly all, after a full read).
    private var changed: Set<UInt64>? = []
    /// Counts the changes of the snapshot other than its counters (events applied, reads, discovery that found
    /// processes moved): two snapshots with the same version differ only in their link counters and time, so
    /// what is made from anything else (the Map view's graph) can be kept.
    public internal(set) var contentVersion: UInt64 = 0
    /// Counts the changes of `contentVersion` other than discovery's in-place updates (processes starting, ending
    /// or moving, and the namespaces' names and holders): two snapshots with the same version hold the same
    /// links, addresses, routes, firewall, sockets and namespaces. What is judged from those alone plus a few facts
    /// of discovery (the doctor: `Doctor.readsSameDiscovery`) need not be judged again when only processes moved:
    /// on a host whose processes come and go, that re-ran the doctor's checks every 10 s for nothing.
    public internal(set) var objectsVersion: UInt64 = 0
    /// Links changed or deleted by the events applied so far, counted once per link and drain (what makes a
    /// burst: `LiveSnapshots`). Addresses and routes are not counted: one flap changes a few links but can
    /// change a dozen routes (IPv6's on a bridge port).
    public private(set) var linkChangesApplied = 0
    /// Which namespaces changed since the last call (nil: any of them may have), for diffing only those.
    public func takeChanged() -> Set<UInt64>? {
        defer { changed = [] }
        return changed
    }

    /// Whether the last `refreshCounters` found any counter of those namespaces changed (or could not read one):
    /// false means every link there moved no packet since the read before.
    public private(set) var countersChanged = true
    /// What the last `refreshCounters` read: the links sampled at the snapshot's time.
    public private(set) var countersRead = CounterScope()

    /// Namespaces whose addresses or routes changed (their links are current): only those tables are read.
    public private(set) var pendingTables: Set<UInt64> = []
    /// Namespaces whose ruleset changed since their firewall was last read.
    public private(set) var pendingFirewall: Set<UInt64> = []

    public init(options: SnapshotOptions, processEvents: Bool = true) {
        self.options = options
        self.processEvents = processEvents ? ProcessEvents() : nil
    }

    public var watchedCount: Int { watcher.watchedCount }

    /// Waits for kernel events (without consuming them): true when some arrived.
    public func waitForEvents(timeoutMillis: Int32) -> Bool { watcher.wait(timeoutMillis: timeoutMillis) }
    /// Ends a `waitForEvents` early; the one call that is safe from any thread.
    public func interruptWait() { watcher.interrupt() }

    /// Applies pending kernel events to the snapshot. Returns true when the snapshot changed; events that need
    /// a read (addresses, routes, a new link, lost events, a ruleset change) are queued for `refresh`.
    @discardableResult
    public func applyEvents() -> Bool {
        let events = watcher.drain()
        guard !events.isEmpty, snapshot != nil else { return false }
        var changed = false
        // Mutated in place: a copy of the snapshot here would copy all namespaces on every burst of events.
        for (id, ev) in events {
            // Indices, not elements: firstIndex(where:) hands each namespace to the closure as a copy.
            guard let i = snapshot!.namespaces.withUnsafeBufferPointer({ all in all.indices.first { all[$0].id == id } })
            else { continue }
            if ev.firewallChanged { pendingFirewall.insert(id) }
            self.changed?.insert(id)
            linkChangesApplied += Set(ev.links.map(\.index)).count + ev.deleted.count
            if ev.overflow || !Self.apply(ev, to: &snapshot!.namespaces[i]) {
                pending.insert(id)
            } else if !Self.applyTables(ev, to: &snapshot!.namespaces[i]) {
                pendingTables.insert(id)
            }
            changed = true
        }
        if changed { contentVersion &+= 1; objectsVersion &+= 1 }
        return changed
    }

    /// Applies link events in place. False when they cannot be (a link this model has never seen, a rename):
    /// the namespace must be read again.
    static func apply(_ ev: NamespaceEvents, to ns: inout Namespace) -> Bool {
        var complete = true
        for link in ev.links {
            guard let i = ns.links.firstIndex(where: { $0.index == link.index }), ns.links[i].name == link.name else {
                complete = false
                continue
            }
            // What an RTM_NEWLINK carries; addresses, the peer's namespace and the bridge port come from reads.
            ns.links[i].flags = link.flags
            ns.links[i].operState = link.operState
            ns.links[i].mtu = link.mtu
            ns.links[i].mac = link.mac
            ns.links[i].master = link.master
            ns.links[i].stats = link.stats
            if link.master == nil { ns.links[i].bridgePort = nil }
            if let bp = link.bridgePort { ns.links[i].bridgePort = bp }  // the event's slave data, when present
        }
        if !ev.deleted.isEmpty {
            let gone = Set(ev.deleted)
            ns.links.removeAll { gone.contains($0.index) }
        }
        for (index, state) in ev.portStates {
            guard let i = ns.links.firstIndex(where: { $0.index == index }) else { continue }
            // An AF_BRIDGE event carries the STP state only: the hairpin flag the model had stays.
            ns.links[i].bridgePort = BridgePortInfo(state: state, hairpin: ns.links[i].bridgePort?.hairpin)
        }
        return complete
    }

    /// Reads discovery, plus the namespaces in `read` and everything queued by events (new namespaces always);
    /// firewalls of `firewall` and of namespaces whose ruleset changed. Every other namespace keeps what the
    /// model has. With `all`, reads every namespace (the first snapshot, and a periodic safety net).
    /// `knownDiscovery`: when process events keep the snapshot's processes and holders current (a walk less than
    /// `walkEvery` ago, nothing queued), the namespaces are found from the snapshot instead of a /proc walk
    /// (the TUI's read of the namespace on screen every 10 s walked /proc each time).
    public func refresh(read hot: Set<UInt64>, firewall hotFirewall: Set<UInt64>, all: Bool = false,
                        scanFds: Bool = true, knownDiscovery: Bool = false) -> Snapshot {
        var opts = options
        opts.scanFds = scanFds && options.scanFds
        var reader = SnapshotReader(options: opts)
        reader.sockets = sockets
        reader.nsids = nsids
        reader.discovery.mountTables = mountTables
        reader.discovery.mountIndex = mountIndex
        let started = Date()
        var found: DiscoveryResult
        var fromEvents = false
        if knownDiscovery && !all && !opts.scanFds, let known = discoveredFromEvents() {
            found = known
            fromEvents = true
        } else {
            found = walked(reader.discover())
        }
        let old = snapshot
        let discoveryMillis = Date().timeIntervalSince(started) * 1000
        let known = Set(old?.namespaces.map(\.id) ?? [])
        let fresh = Set(found.namespaces.map(\.id)).subtracting(known)
        let readSet: Set<UInt64>? = (all || old == nil) ? nil : hot.union(pending).union(pendingFirewall).union(fresh)
        reader.options.firewallFor = readSet.map { _ in hotFirewall.union(pendingFirewall).union(fresh) }
        if fromEvents, opts.sockets, let readSet, !readSet.isEmpty {
            // A walk notes every socket fd; namespaces known from events come without: the sockets read now get
            // their owners from the fds of the processes in these namespaces (the Sockets tab lost its PROCESS
            // column at the first read of the namespace on screen).
            found.socketHolders = Self.socketHolders(of: found.processes, in: readSet, procRoot: reader.discovery.procRoot)
        }
        var snap = reader.read(discovered: found, only: readSet)
        snap.discovery.discoveryMillis = discoveryMillis
        if let readSet { changed?.formUnion(readSet) } else { changed = nil }
        if let old, let readSet { snap = Self.carryOver(snap, from: old, read: readSet, fdScan: opts.scanFds) }
        if let fw = reader.options.firewallFor, let old {
            // Namespaces read for their links only keep the firewall they had.
            let before = Dictionary(old.namespaces.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            for i in snap.namespaces.indices where !fw.contains(snap.namespaces[i].id) {
                if let o = before[snap.namespaces[i].id] { snap.namespaces[i].firewall = o.firewall }
            }
        }
        pending.removeAll()
        let tables = pendingTables.subtracting(readSet ?? Set(snap.namespaces.map(\.id)))
        pendingTables.removeAll()
        if !tables.isEmpty {
            readTables(of: tables, into: &snap)
            changed?.formUnion(tables)
        }
        pendingFirewall.subtract(reader.options.firewallFor ?? Set(snap.namespaces.map(\.id)))
        watcher.follow(snap)
        // A read that found what the model had but for counters (the namespace on screen, read again every 10 s
        // for the tabs of what sends no events; a `:ns` jump) changes no version: the views keep what they made
        // and the doctor does not run again. A full read always counts.
        let sameness = readSet == nil ? .differentObjects : old.map { SnapshotSameness.of($0, snap) } ?? .differentObjects
        snapshot = snap
        if sameness < .same { contentVersion &+= 1 }
        if sameness < .sameObjects { objectsVersion &+= 1 }
        return snap
    }

    /// Discovery alone (processes, bind mounts; fds with `scanFds`): when no namespace appeared or vanished and
    /// nothing is queued, holders and processes are updated in place and nothing is read. Otherwise a
    /// `refresh` reads what is new.
    @discardableResult
    public func refreshDiscovery(scanFds: Bool = false) -> Snapshot? {
        guard var snap = snapshot else { return nil }
        if !scanFds, let quick = applyDiscoveryFromEvents() { return quick }
        var opts = options
        opts.scanFds = scanFds && options.scanFds
        // Discovery alone reads no sockets: listing and reading every fd of every process for their owners was
        // most of this walk (every 30 s, a tenth of an idle TUI's CPU). A read that follows walks again.
        opts.sockets = false
        var reader = SnapshotReader(options: opts)
        reader.discovery.mountTables = mountTables
        reader.discovery.mountIndex = mountIndex
        let found = walked(reader.discover())
        let byID = Dictionary(found.namespaces.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let known = Set(snap.namespaces.map(\.id))
        let appeared = !Set(byID.keys).subtracting(known).isEmpty
        // Without the fd scan, namespaces held only by an fd are not found: that is not a vanishing.
        let vanished = snap.namespaces.contains { byID[$0.id] == nil && (opts.scanFds || !$0.heldBy.allSatisfy { $0.kind == .fd }) }
        if appeared || vanished || !pending.isEmpty || !pendingTables.isEmpty || !pendingFirewall.isEmpty {
            return refresh(read: [], firewall: [], scanFds: opts.scanFds)
        }
        // Written only where the walk found something new: an unchanged snapshot keeps its content version (the
        // UI then has nothing to redraw) and its namespaces' storage. Only processes and holders change here:
        // `objectsVersion` stays.
        var moved = snap.processes != found.processes
        for i in snap.namespaces.indices {
            guard let d = byID[snap.namespaces[i].id] else { continue }
            let same = snap.namespaces.withUnsafeBufferPointer { all in
                all[i].names == d.names && all[i].paths == d.paths && all[i].heldBy == d.heldBy
                    && all[i].heldSince == d.heldSince && all[i].pids == d.pids
            }
            if same { continue }
            moved = true
            snap.namespaces[i].names = d.names
            snap.namespaces[i].paths = d.paths
            snap.namespaces[i].heldBy = d.heldBy
            snap.namespaces[i].heldSince = d.heldSince
            snap.namespaces[i].pids = d.pids
        }
        guard moved else { return snap }
        snap.processes = found.processes
        snapshot = snap
        contentVersion &+= 1
        return snap
    }

    /// The socket fds of the processes living in `namespaces` (socket inode → pid and fd): the owners of the
    /// sockets a read of those namespaces finds. A socket held only by a process of another namespace is left
    /// without its owner until the next walk.
    static func socketHolders(of processes: [ProcessRecord], in namespaces: Set<UInt64>,
                              procRoot: String) -> [SocketHolder] {
        let pids = processes.compactMap { p in p.namespace.map(namespaces.contains) == true ? p.pid : nil }
        guard !pids.isEmpty else { return [] }
        var scanner = ProcScanner(procRoot: procRoot)
        scanner.scanFds = false
        scanner.socketInodes = true
        scanner.details = false
        scanner.mountNamespaces = false
        return scanner.scan(pids: pids[...]).socketHolders
    }

    /// Re-reads addresses and routes of `ids` into `snap` (their links are kept).
    func readTables(of ids: Set<UInt64>, into snap: inout Snapshot) {
        let targets = snap.namespaces.indices.filter { ids.contains(snap.namespaces[$0].id) }
        let names = targets.map { i in Dictionary(snap.namespaces[i].links.map { ($0.index, $0.name) }, uniquingKeysWith: { a, _ in a }) }
        let results = onSockets(targets.map { snap.namespaces[$0] }) { j, sock in
            try? NetlinkDumper.addressesAndRoutes(sock, names: names[j])
        }
        for (j, i) in targets.enumerated() {
            guard let r = results[j] else { continue }
            for l in snap.namespaces[i].links.indices {
                snap.namespaces[i].links[l].addresses = r.addresses[snap.namespaces[i].links[l].index] ?? []
            }
            snap.namespaces[i].routes = r.routes
        }
    }

    /// Runs `body` with each namespace's route socket: the cached one (still bound to its namespace, no need to
    /// enter it), or a new one opened on a worker thread that entered the namespace. nil where it is gone.
    func onSockets<T>(_ namespaces: [Namespace], _ body: @escaping @Sendable (Int, NetlinkSocket) -> T?) -> [T?] {
        let results = LockedArray<T?>(count: namespaces.count, initial: nil)
        var missing: [Int] = []
        for (j, ns) in namespaces.enumerated() {
            if let sock = sockets.take(ns.id) {
                results.set(j, body(j, sock))
                sockets.put(ns.id, sock)
            } else {
                missing.append(j)
            }
        }
        let files: [SharedFileDescriptor?] = missing.map { j in
            guard !namespaces[j].isHost, let path = NamespaceHandle(namespaces[j])?.file,
                  let fd = FileDescriptor.openIfPresent(path, O_RDONLY) else { return nil }
            return SharedFileDescriptor(fd)
        }
        defer { withExtendedLifetime(files) {} }  // the raw numbers below are borrowed from these
        // -1: stay in the current namespace (the host); -2: the namespace could not be opened.
        let fds: [Int32] = missing.indices.map { k in
            namespaces[missing[k]].isHost ? -1 : files[k]?.rawValue ?? -2
        }
        let cache = sockets, toRead = missing, ids = namespaces.map(\.id)
        NamespaceWorkers.forEach(fds: fds.map { $0 == -2 ? -1 : $0 }, threads: min(2, max(1, toRead.count))) { k, entered in
            guard fds[k] != -2, case .success = entered else { return }
            let j = toRead[k]
            guard let sock = try? NetlinkSocket() else { return }
            results.set(j, body(j, sock))
            cache.put(ids[j], sock)
        }
        return results.values
    }

    /// Re-reads only the counters of every link of `ids` (see `refreshCounters(_:)`).
    @discardableResult
    public func refreshCounters(of ids: Set<UInt64>) -> Snapshot? { refreshCounters(CounterScope(namespaces: ids)) }

    /// Whether `wanted` links of a namespace of `links` are read with one RTM_GETSTATS dump rather than a request
    /// each: when the requests would cost more than the dump's walk of the rest. Measured (CPU of the reading
    /// thread, kernel included): a dump ~5 µs plus ~0.43 µs a link (a namespace of 500 veths and 10 bridges
    /// ~220 µs, one of lo and a veth pair 6 µs); a request ~1.5 µs a link (20 links 38 µs, 80 links 130 µs,
    /// 160 links 250 µs). So a container's eth0 is asked for alone, and the host's 30 links on screen too.
    public func dumps(wanted: Int, of links: Int) -> Bool {
        Double(wanted) > dumpShare * Double(links) + dumpExtra
    }
    public var dumpShare = 0.29
    public var dumpExtra = 3.3

    /// Re-reads only the counters in `scope` (on cached sockets) and stamps the snapshot with the time: the cheap
    /// per-interval read of what is on screen. A namespace wanted in full, or mostly (`dumps`), is read with one
    /// RTM_GETSTATS dump; otherwise each wanted link with a request of its own (a host with 500 veths shows the
    /// counters of a few dozen). Links not in the scope keep their old counters; `countersRead` says what was
    /// read. Namespaces that are gone or unreadable, and links the kernel no longer has, are left as they are
    /// (the next refresh or event sorts them out).
    @discardableResult
    public func refreshCounters(_ scope: CounterScope) -> Snapshot? {
        guard var snap = snapshot else { return nil }
        let ids = scope.allNamespaces
        let targets = snap.namespaces.indices.filter { ids.contains(snap.namespaces[$0].id) }
        // Per target: nil to dump it, else the wanted links it has (position in the model, ifindex).
        let wanted: [[(Int, Int)]?] = targets.map { i in
            let ns = snap.namespaces[i]
            guard let some = scope.links[ns.id] else { return nil }
            var have: [(Int, Int)] = []
            for (l, link) in ns.links.enumerated() where some.contains(link.index) { have.append((l, link.index)) }
            return dumps(wanted: have.count, of: ns.links.count) ? nil : have
        }
        let asked = wanted.map { $0?.map(\.1) }
        let results = onSockets(targets.map { snap.namespaces[$0] }) { j, sock in
            try? asked[j].map { try sock.linkStats(of: $0) } ?? sock.linkStats()
        }
        var changed = targets.count != ids.count
        var read = CounterScope()
        func update(_ i: Int, _ l: Int, _ s: LinkStats) {
            if s != snap.namespaces[i].links[l].stats {
                snap.namespaces[i].links[l].stats = s
                changed = true
            }
        }
        for (j, i) in targets.enumerated() {
            guard let stats = results[j] else { changed = true; continue }
            let nsid = snap.namespaces[i].id
            if let some = wanted[j] {
                var got = Set<Int>()
                for (l, index) in some {
                    guard let s = stats[index] else { changed = true; continue }
                    update(i, l, s)
                    got.insert(index)
                }
                if !got.isEmpty { read.links[nsid] = got }
            } else {
                for l in snap.namespaces[i].links.indices {
                    guard let s = stats[snap.namespaces[i].links[l].index] else { changed = true; continue }
                    update(i, l, s)
                }
                read.namespaces.insert(nsid)
            }
        }
        countersChanged = changed
        countersRead = read
        snap.takenAt = Date().timeIntervalSince1970
        snapshot = snap
        return snap
    }

    /// Namespaces that were not read keep their links, routes, neighbours, sysctls, firewall and containers
    /// from the previous snapshot (with events applied), and their cookie: the identity of the namespace those
    /// were read from, which an action taken on them checks. Discovery's fields (holders, processes) are fresh.
    static func carryOver(_ snap: Snapshot, from old: Snapshot, read: Set<UInt64>, fdScan: Bool) -> Snapshot {
        var snap = snap
        let before = Dictionary(old.namespaces.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for i in snap.namespaces.indices where !read.contains(snap.namespaces[i].id) {
            guard var kept = before[snap.namespaces[i].id] else { continue }
            // The old value with discovery's fresh fields, each set only when it changed: an unchanged namespace
            // stays the old value itself (its box shared), which the views' content checks see at once. The
            // cookie was asked only of the namespaces read, so the old one stays.
            let fresh = snap.namespaces[i]
            if kept.device != fresh.device { kept.device = fresh.device }
            if kept.isHost != fresh.isHost { kept.isHost = fresh.isHost }
            if kept.names != fresh.names { kept.names = fresh.names }
            if kept.paths != fresh.paths { kept.paths = fresh.paths }
            if kept.heldBy != fresh.heldBy { kept.heldBy = fresh.heldBy }
            if kept.pids != fresh.pids { kept.pids = fresh.pids }
            if kept.heldSince != fresh.heldSince { kept.heldSince = fresh.heldSince }
            if kept.owner != fresh.owner { kept.owner = fresh.owner }
            if kept.cookie == nil, let cookie = fresh.cookie { kept.cookie = cookie }
            snap.namespaces[i] = kept
        }
        if !fdScan {
            // Namespaces held only by an fd are found by the fd scan, which most refreshes skip.
            let seen = Set(snap.namespaces.map(\.id))
            snap.namespaces += old.namespaces.filter { !seen.contains($0.id) && $0.heldBy.allSatisfy { $0.kind == .fd } }
        }
        return snap
    }
}

import Foundation
import PlumbDoctor
import PlumbModel
import PlumbTrace
import PlumbSystem
import PlumbTUI

/// The TUI's application: the event loop between a terminal and the kernel side. It takes snapshots as the
/// source publishes them, keeps the events log and the rate samples, runs the doctor at its cadence, polls the
/// capture pane, and turns the reducer's effects into actions. Both ends are injected (`Terminal`,
/// `AppKernel`), so tests drive the whole loop with scripted keys and read its frames as text.
public final class TUIApp {
    public private(set) var state: AppState
    public private(set) var context: RenderContext
    private let kernel: AppKernel
    private let terminal: any Terminal
    private var capture: (any CaptureSession)?
    /// Draw only when something changed (a snapshot, a key, a resize): an idle screen costs nothing, and
    /// unchanged cells are never rewritten (the terminal diffs frames).
    private var dirty = true
    private var prepared: PreparedRows?
    /// The doctor runs on the UI thread over the newest snapshot: at most once a second while its tab is open,
    /// every 10 s otherwise (for the badges). Its checks are linear in the snapshot (~20 ms for 500 namespaces),
    /// so a flapping link must not make it run fifty times a second. No check reads link counters: an update
    /// that brings only counters (the same content version) leaves the findings as they are, and the doctor
    /// runs again at least every `doctorInputsEvery` for what it reads beyond the snapshot (resolv.conf files).
    /// An update whose only changes are processes the doctor does not read (`Doctor.readsSameDiscovery`) leaves
    /// the findings too, and so does that periodic run when those inputs came back the same, unless the Doctor
    /// tab shows them (its evidence says for how long a leftover has been held).
    private var doctorRan = Date.distantPast
    private var doctorStale = true
    /// The content version the doctor last judged, or one that differs from it only in processes it does not
    /// read (nil: unknown).
    private var doctorContent: UInt64?
    /// The objects version and the snapshot the doctor last judged, and the inputs it read for them.
    private var doctorObjects: UInt64?
    private var doctorJudged: Snapshot?
    private var doctorInputsJudged: DoctorInputs?
    /// The objects version of the snapshot on screen (`SnapshotUpdate.objectsVersion`).
    private var snapshotObjects: UInt64?
    /// Whether the Doctor tab was open at the last look: opening it shows findings judged at most a second ago.
    private var doctorTabWasOpen = false
    /// How many times the doctor's checks ran (what the tests count).
    public private(set) var doctorRuns = 0
    /// The doctor's clock (tests move it).
    public var clock: () -> Date = { Date() }
    static let doctorInputsEvery: TimeInterval = 60
    /// When the Conntrack tab's table was last read (it is read at the refresh interval while the tab is open).
    private var conntrackRead = Date.distantPast
    /// When the drops feed was last read, and the doctor's findings before the drops' live evidence was added.
    private var dropsRead = Date.distantPast
    /// The drops of the last `dropWindowSeconds`, counted as they are taken from the feed and as they age out:
    /// the Drops tab, the badges and the live evidence are made from its counts, never from the drops.
    private var dropWindow = DropWindow(seconds: TUIApp.dropWindowSeconds)
    /// When the Drops tab, the badges and the live evidence were last made from the window: at most once a
    /// second, and at once when a new group (namespace × reason × location) appears.
    private var dropsSummarised = Date.distantPast
    /// The feed's wake pipe fired: new drops wait to be read.
    private var dropsArrived = false
    /// The last read found drops in the window: their rates fall as they age, so the feed is read on a timer
    /// until the window is empty. With an empty window and a feed that wakes the loop, nothing on screen can
    /// change until a drop arrives, so an idle TUI does not wake for drops at all.
    private var dropsInWindow = true
    private var doctorFindings: [Finding] = []
    /// The window of the Drops tab, the badges and the doctor's live evidence.
    static let dropWindowSeconds = 10
    /// The events log keeps this many changes.
    static let eventsKept = 1000
    /// More drop lines than this from one read of the feed become one line per reason and location (see
    /// `DropWindow.takeEvents`): a storm must not push the link and route events out of the log.
    static let dropLinesPerRead = 20
    /// The least time between two reads of the drops feed.
    static let dropsReadSpacing = 0.25
    /// How often the feed is read on a timer while drops are in the window (they age out).
    static let dropsSummarySpacing = 1.0
    /// A summary goes with a new snapshot when the last one is at least this old: the rates and the counters then
    /// reach the screen in one frame, not in two frames a second apart (each frame of 500 namespaces costs).
    static let dropsSummaryWithSnapshot = 0.5
    /// Without snapshots (paused, a long interval) the window is summarised on its own this often.
    static let dropsSummaryAlone = 2.0
    /// The namespaces' names by inode for the drops that came without one, made once per content version.
    private var namesForDrops: (version: NamesVersion, names: [UInt64: String])?
    private struct NamesVersion: Equatable { var content: UInt64?; var generation: UInt64 }

    public init(first: Snapshot, kernel: AppKernel, terminal: any Terminal, readonly: Bool = false,
                theme: Theme = .color, glyphs: Glyphs = .unicode) {
        self.kernel = kernel
        self.terminal = terminal
        state = AppState(size: terminal.size, refreshInterval: kernel.snapshots.interval)
        state.readonly = readonly
        context = RenderContext(snapshot: first, theme: theme, glyphs: glyphs)
        context.rates.record(first)
        if kernel.drops == nil, let note = kernel.dropsNote { state.drops = .unavailable(note) }
    }

    /// Runs until the user quits. The snapshot source runs meanwhile and is stopped on return, as is a capture.
    public func run() {
        let live = kernel.snapshots
        live.start()
        kernel.cluster?.start()
        defer {
            kernel.cluster?.stop()
            capture?.stop()
            capture = nil
            live.stop()
            kernel.drops?.stop()
        }
        while true {
            runDoctorIfDue()
            if let c = capture, let pane = state.capture {
                if c.poll(paused: pane.paused) {
                    state.captureUpdated(rowCount: c.count)
                    dirty = true
                }
            }
            var tookSnapshot = false
            if let next = live.take() {
                take(next, error: live.lastError())
                tookSnapshot = true
            }
            if let feed = kernel.cluster, let c = feed.latest, c != state.cluster {
                state.cluster = c
                dirty = true
            }
            if state.detailTab == .conntrack { readConntrackIfDue() }
            // At most four reads a second: on a host that drops packets all the time the feed's pipe wakes the
            // loop with every batch (ten a second). A read only counts the new drops; the window is summarised with
            // a new snapshot (one frame shows both). With drops in the window and none arriving, the read on the
            // timer ages them out.
            // The kernel tallies drops unless the Drops tab shows their 5-tuples (see `DropFeed.tallying`).
            if let feed = kernel.drops { feed.tallying = state.detailTab != .drops }
            if let spacing = dropsReadSpacing, Date().timeIntervalSince(dropsRead) >= spacing {
                readDrops(withSnapshot: tookSnapshot)
            } else if tookSnapshot && dropsInWindow && kernel.drops != nil {
                readDrops(withSnapshot: true)
            }
            // The map keeps a newer snapshot's graph for later (one build a second at most): draw when it is due.
            if state.mapView?.cache.isRebuildDue == true { dirty = true }
            if dirty {
                state.size = terminal.size
                context.capture = state.capture.flatMap { pane in
                    capture?.feed(selected: pane.selected, showDetail: pane.showDetail)
                }
                terminal.draw(AppView.render(state, context, size: terminal.size, prepared: prepared))
                // After the frame: the rows and the map's picture it drew say which counters are on screen.
                live.setFocus(onScreen(state, context.snapshot),
                              counters: countersOnScreen(state, context.snapshot, prepared: prepared),
                              firewall: state.detailTab == .firewall, polled: state.detailTab.showsPolledData)
                prepared = nil
                dirty = false
            }
            // A running capture is polled every 50 ms; otherwise the UI sleeps until a key or a new snapshot.
            // While drops are in the window (or the feed cannot wake the loop) the feed is read once a second;
            // a new drop wakes the loop through the feed's pipe (a new group is on screen within ~100 ms: the
            // watcher's own reader wakes every 100 ms).
            let sleep: Int32 = capture != nil ? 50 : dropsReadSpacing == Self.dropsReadSpacing ? 250 : 1000
            guard let key = nextKey(timeoutMillis: sleep, wake: live.wakePipe) else { continue }
            dirty = true
            if !perform(state.handle(key, snapshot: context.snapshot, keymap: context.keymap)) { return }
        }
    }

    /// The next key, or nil when `timeoutMillis` passes or the snapshot source wakes the loop (a new snapshot is
    /// ready: the screen follows the kernel at once, and an idle UI does not wake 20 times a second to look).
    /// The loop owns this wait, over the terminal's input and the source's pipe together; a signal (SIGWINCH)
    /// ends it too, and curses then has the resize queued as a key.
    private func nextKey(timeoutMillis: Int32, wake: WakePipe?) -> Key? {
        // Keys the terminal already has (the rest of an escape sequence, a queued resize) come first.
        if let key = terminal.pendingKey() { return key }
        let input = terminal.inputDescriptor
        let drops = kernel.drops?.wakeDescriptor ?? -1
        guard input >= 0 else {
            // A scripted terminal (tests) is never waited for; the feed's pipe is still looked at.
            if drops >= 0, case .ready = (try? InputWait.wait(for: [drops], timeoutMillis: 0)) ?? .timedOut {
                kernel.drops?.drainWake()
                dropsArrived = true
            }
            return nil
        }
        let outcome = (try? InputWait.wait(for: [input, wake?.readDescriptor ?? -1, drops], timeoutMillis: timeoutMillis)) ?? .interrupted
        switch outcome {
        case .timedOut: return nil
        case .ready(let ready):
            if ready.contains(1) { wake?.drain() }
            if ready.contains(2) {
                kernel.drops?.drainWake()
                dropsArrived = true
            }
            return ready.contains(0) ? terminal.pendingKey() : nil
        case .interrupted: return terminal.pendingKey()
        }
    }

    /// A new snapshot: its changes go to the events log, its counters to the rate samples.
    private func take(_ next: SnapshotUpdate, error: String?) {
        context.events += SnapshotDiff.events(from: context.snapshot, to: next.snapshot, only: next.changed)
        if context.events.count > Self.eventsKept { context.events.removeFirst(context.events.count - Self.eventsKept) }
        // Firewall deltas are "since the last read": updates from events alone read no counters.
        if next.read != [] { context.previous = context.snapshot }
        if let quiet = next.quiet {
            // The counters stood still until `quiet.at`: sampled there, the next rate covers one interval, not
            // the whole quiet spell (which would show a burst after it a hundred times too slow).
            var still = context.snapshot
            still.takenAt = quiet.at
            context.rates.record(still, only: quiet.namespaces, links: quiet.links)
        }
        context.snapshot = next.snapshot
        context.rates.record(next.snapshot, only: next.read, links: next.readLinks)
        context.lastError = error
        prepared = state.update(snapshot: next.snapshot, contentVersion: next.contentVersion)
        snapshotObjects = next.objectsVersion
        if next.contentVersion == nil || next.contentVersion != doctorContent {
            if let objects = next.objectsVersion, objects == doctorObjects, let judged = doctorJudged,
               Doctor.readsSameDiscovery(judged, next.snapshot) {
                doctorContent = next.contentVersion
            } else {
                doctorStale = true
            }
        }
        dirty = true
    }

    /// Runs the doctor over the snapshot on screen when its cadence says so (see `doctorRan`).
    private func runDoctorIfDue() {
        let now = clock()
        let sinceDoctor = now.timeIntervalSince(doctorRan)
        // Fixes are compared only where they are offered (the Doctor tab): comparing every fix's flows was
        // most of a run's cost with 500 namespaces and links flapping. Opening the tab judges them at once.
        let judging = state.detailTab == .findings
        let opened = judging && !doctorTabWasOpen
        doctorTabWasOpen = judging
        guard doctorStale && sinceDoctor >= ([.findings, .ports].contains(state.detailTab) ? 1 : 10)
                || sinceDoctor >= Self.doctorInputsEvery || (judging && !state.findingsJudged)
                || (opened && sinceDoctor >= 1) else { return }
        let snap = context.snapshot
        let inputs = kernel.doctorInputs(snap)
        doctorRan = now
        // The periodic run for the inputs: the same inputs over the same judged content change no finding.
        if !doctorStale && !judging && inputs == doctorInputsJudged { return }
        doctorContent = state.snapshotContent
        doctorObjects = snapshotObjects
        doctorJudged = snap
        doctorInputsJudged = inputs
        doctorFindings = Doctor.run(snapshot: snap, inputs: inputs, judgingFixes: judging)
        doctorRuns += 1
        state.findingsJudged = judging
        state.findingsUpdated(withDropEvidence(doctorFindings))
        // The Ports tab: the same mappings and listeners the doctor's check 14 judged.
        state.portsUpdated(inputs.publishedPorts
                           ?? PublishedPortFinder.find(snap, scope: inputs.scope, listeners: inputs.listeners ?? [:]))
        doctorStale = false
        dirty = true
    }

    /// Does what the reducer asked. False: quit.
    private func perform(_ effect: Effect) -> Bool {
        let live = kernel.snapshots
        // The reducer refuses the keys already; this is the second check, for effects from any other path.
        if state.readonly && !ReadonlyPolicy.allows(effect) {
            state.message = .error("read-only mode (--readonly): nothing on the system is changed")
            return true
        }
        let promiscuous = ReadonlyPolicy.promiscuousCapture(readonly: state.readonly)
        switch effect {
        case .quit: return false
        case .refresh: live.refreshNow()
        case .redraw: terminal.invalidate()
        case .pause(let p): live.paused = p
        case .setInterval(let s): live.interval = s
        case .shell(let id):
            state.message = kernel.shell(id, context.snapshot, terminal)
        case .startCapture(let id, let interface, let filter):
            capture?.stop()
            capture = context.snapshot.namespace(id: id).map { kernel.openCapture($0, interface, filter, promiscuous) }
        case .restartCapture(let filter):
            if let pane = state.capture {
                capture?.stop()
                capture = context.snapshot.namespace(id: pane.namespace).map {
                    kernel.openCapture($0, pane.interface, filter, promiscuous)
                }
            }
        case .stopCapture:
            capture?.stop()
            capture = nil
        case .saveCapture(let path, let overwrite):
            do {
                let n = try capture?.save(to: path, overwrite: overwrite) ?? 0
                state.message = .info("wrote \(counted(n, "packet")) to \(path)")
            } catch PrivateFileError.exists {
                // The reducer cannot know what is on disk: the question comes from here, and `y` saves again.
                state.confirm = Confirmation(title: "Overwrite \(path)?",
                                             lines: ["it exists: y replaces it with the packets the pane holds"],
                                             effect: .saveCapture(path: path, overwrite: true))
            } catch {
                state.message = .error("\(error)")
            }
        case .applyFix(let id):
            if let f = state.findings.first(where: { $0.id == id }) {
                report(kernel.applyFix(f), failure: "Fix \(id) failed")
            } else {
                state.message = .error("finding \(id) is gone: nothing changed")
            }
            doctorAfterChange()
        case .previewUndo:
            do {
                let (id, plan) = try kernel.undoPreview()
                state.showUndo(findingID: id, plan: plan)
            } catch {
                state.message = .error("\(error)")
            }
        case .undoFix:
            report(kernel.undoFix(), failure: "Undo failed")
            doctorAfterChange()
        case .liveTrace(let request):
            guard let ns = context.snapshot.namespace(id: request.namespace) else {
                state.message = .error("namespace \(request.namespace) is gone: nothing was sent")
                break
            }
            // The trace takes a moment (rules added, probe sent, rules removed): say so on screen first.
            terminal.draw(AppView.render(state, context, size: terminal.size, prepared: nil))
            let answer = kernel.liveTrace(ns, request)
            state.showLiveTrace(title: answer.title, lines: answer.lines, command: answer.command)
        case .notAvailable, .openHelp, .none: break
        }
        return true
    }

    /// A fix's or undo's outcome: success in the status bar, a failure in full in a dialog (the failed step and
    /// the kernel's message do not fit in the status bar).
    private func report(_ outcome: StatusMessage, failure title: String) {
        if outcome.level == .error { state.showFailure(title, outcome.text) } else { state.message = outcome }
    }

    /// Reads the selected namespace's conntrack table when the interval has passed or the selection moved, and
    /// keeps the rates against the previous read of the same namespace.
    private func readConntrackIfDue() {
        let snap = context.snapshot
        guard let id = state.selectedNamespace ?? snap.host?.id, let ns = snap.namespace(id: id) else { return }
        let moved = state.conntrack.map { $0.namespace != id } ?? (state.conntrackNote == nil)
        guard moved || Date().timeIntervalSince(conntrackRead) >= state.refreshInterval else { return }
        conntrackRead = Date()
        do {
            let table = try kernel.conntrack(ns)
            state.conntrack = ConntrackSample.next(after: state.conntrack, namespace: id, table: table,
                                                   time: Date().timeIntervalSinceReferenceDate)
            state.conntrackNote = nil
        } catch {
            state.conntrack = nil
            state.conntrackNote = "conntrack of \(ns.displayName): \(error)"
        }
        prepared = nil
        dirty = true
    }

    /// Reads the drops feed: new drops are counted into the window and go to the events log; the window makes
    /// the Drops tab, the badges and the doctor's live evidence, with a new snapshot (`withSnapshot`, at most
    /// twice a second: one frame shows both), on its own every `dropsSummaryAlone` seconds, and at once when a
    /// group is new or the window emptied. Redraws only when what is shown changed.
    private func readDrops(withSnapshot: Bool = false) {
        guard let feed = kernel.drops else { return }
        dropsRead = Date()
        dropsArrived = false
        func namespaceNames() -> [UInt64: String] {
            // Per content version (names change only with content), else per snapshot.
            let version = NamesVersion(content: state.snapshotContent,
                                       generation: state.snapshotContent == nil ? state.snapshotGeneration : 0)
            if let cached = namesForDrops, cached.version == version { return cached.names }
            var found: [UInt64: String] = [:]
            context.snapshot.namespaces.withUnsafeBufferPointer { all in
                for i in all.indices { found[all[i].id] = all[i].displayName }
            }
            namesForDrops = (version, found)
            return found
        }
        let new = feed.takeNew(), tallies = feed.takeTallies()
        dropWindow.record(contentsOf: new)
        dropWindow.record(tallies: tallies)
        dropWindow.advance(nowNanos: feed.nowNanos)
        if !new.isEmpty || !tallies.isEmpty {
            context.events += dropWindow.takeEvents(names: namespaceNames(), limit: Self.eventsKept,
                                                    collapseAbove: Self.dropLinesPerRead)
            if context.events.count > Self.eventsKept { context.events.removeFirst(context.events.count - Self.eventsKept) }
            // The log is drawn only by the Events tab: elsewhere a new line changes nothing on screen.
            if state.detailTab == .events { dirty = true }
        }
        dropsInWindow = !dropWindow.isEmpty
        let shown = state.drops?.isWatching == true ? state.drops!.summary.total : nil
        let age = dropsRead.timeIntervalSince(dropsSummarised)
        guard shown == nil || dropWindow.hasNewGroups || (dropWindow.isEmpty && shown != 0) || dropsTabLacksGroups
              || (withSnapshot && age >= Self.dropsSummaryWithSnapshot) || age >= Self.dropsSummaryAlone else { return }
        dropsSummarised = dropsRead
        dropWindow.takeNewGroups()
        // The groups (the Drops tab's rows) only while the tab is open, with the one flow a row shows.
        let activity = DropActivity(window: &dropWindow, windowSeconds: Double(Self.dropWindowSeconds), mode: feed.mode,
                                    note: feed.note, lost: feed.lost, names: namespaceNames(),
                                    groups: state.detailTab == .drops, topFlows: 1)
        if activity != state.drops {
            state.drops = activity
            if !doctorFindings.isEmpty {
                state.findingsUpdated(DropEvidence.annotate(doctorFindings, window: dropWindow, seconds: Self.dropWindowSeconds))
            }
            prepared = nil
            dirty = true
        }
    }

    /// How often the drops feed is read now (nil: not until it wakes the loop): four times a second after a
    /// wake-up and for a feed that cannot wake the loop, once a second while drops are in the window (they age
    /// out), and once at the start (the DROPS column and the tab's header).
    private var dropsReadSpacing: TimeInterval? {
        guard let feed = kernel.drops else { return nil }
        if dropsTabLacksGroups { return 0 }
        if dropsArrived || feed.wakeDescriptor == nil { return Self.dropsReadSpacing }
        return dropsInWindow ? Self.dropsSummarySpacing : nil
    }

    /// The Drops tab was opened on a summary made without its rows (while it was closed): make them now.
    private var dropsTabLacksGroups: Bool {
        state.detailTab == .drops && state.drops?.isWatching == true && state.drops?.hasGroups == false
            && !dropWindow.isEmpty
    }

    /// The doctor's findings with the drops' live evidence of the last seconds, when drops are watched.
    private func withDropEvidence(_ findings: [Finding]) -> [Finding] {
        guard kernel.drops != nil else { return findings }
        return DropEvidence.annotate(findings, window: dropWindow, seconds: Self.dropWindowSeconds)
    }

    /// After a fix or an undo: read the kernel at once and run the doctor on what it finds.
    private func doctorAfterChange() {
        kernel.snapshots.refreshNow()
        doctorStale = true
        doctorRan = .distantPast
    }
}

/// The link counters on screen (`AppState.countersOnScreen`: the selected link and its peer, the topology's
/// visible rows, the Map's edges in view): the live source reads only these every interval.
func countersOnScreen(_ state: AppState, _ snap: Snapshot, prepared: PreparedRows? = nil) -> CounterScope {
    CounterScope(links: state.countersOnScreen(snap, prepared: prepared))
}

/// The namespaces on screen: the selected one and the namespace of its selected link's veth peer (the link
/// detail shows both ends side by side); a change reads them in full at once.
func onScreen(_ state: AppState, _ snap: Snapshot) -> Set<UInt64> {
    guard let id = state.selectedNamespace ?? snap.host?.id else { return [] }
    var ids: Set<UInt64> = [id]
    if let sel = state.selectedLink, sel.namespace == id,
       let peer = snap.namespace(id: id)?.links.first(where: { $0.index == sel.index })?.peer?.namespace {
        ids.insert(peer)
    }
    return ids
}

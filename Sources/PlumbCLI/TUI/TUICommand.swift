import ArgumentParser
import Foundation
import Glibc
import PlumbKernel
import PlumbActions
import PlumbApp
import PlumbDoctor
import PlumbModel
import PlumbTUI

/// `plumb` (no arguments) or `plumb tui`: the live terminal UI.
struct TUICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui", abstract: "Open the live terminal UI (the default when plumb runs in a terminal).")

    @Option(help: "Seconds between refreshes (changes reported by the kernel refresh at once).")
    var interval: Double = 1

    @Flag(name: .customLong("no-color"), help: "Monochrome (also when NO_COLOR is set).")
    var noColor = false

    @Flag(help: "Disable every action that changes the kernel or opens a root shell (fix, undo, shell).")
    var readonly = false

    @Option(help: "Where fixes are journaled (default /var/lib/plumb, or $PLUMB_STATE_DIR); `u` undoes from there.")
    var stateDir: String?

    @Flag(name: .customLong("ascii"), help: "Draw with ASCII instead of box-drawing characters.")
    var ascii = false

    @Flag(name: .customLong("keys-markdown"), help: "Print the key bindings as a Markdown table (the README's keys section) and exit.")
    var keysMarkdown = false

    func validate() throws {
        guard interval >= 0.1 && interval <= 3600 else {
            throw ValidationError("--interval \(interval): use 0.1 to 3600 seconds")
        }
    }

    func run() throws {
        if keysMarkdown { return FileHandleWriter.write(1, Keymap.default.markdownTable()) }
        try requirePrivileges()
        var env = ProcessInfo.processInfo.environment
        let config = TUIConfig.load(environment: env)
        if ascii || config.ascii { env["PLUMB_ASCII"] = "1" }
        guard isatty(1) == 1 && isatty(0) == 1 else {
            // Not a terminal (a pipe, CI): print the snapshot instead of drawing garbage.
            FileHandleWriter.write(1, SnapshotTextRenderer().render(SnapshotReader().read()))
            return
        }
        var options = SnapshotOptions()
        options.scanFds = config.scanFds
        let first = SnapshotReader(options: options).read()
        let live = LiveSnapshots(interval: config.interval ?? interval, options: options)
        let term: CursesTerminal
        do {
            term = try CursesTerminal(options: .init(colors: !(noColor || config.noColor) && env["NO_COLOR"] == nil))
        } catch {
            throw CommandFailure(description: "cannot open the terminal: \(error)", code: PlumbExit.failure)
        }
        defer { live.stop(); term.end() }
        var state = AppState(size: term.size, refreshInterval: live.interval)
        state.readonly = readonly
        var ctx = RenderContext(snapshot: first,
                                theme: Theme.resolve(environment: env, noColorFlag: noColor || config.noColor),
                                glyphs: (ascii || config.ascii) ? .ascii : Glyphs.forEnvironment(env))
        ctx.rates.record(first)
        live.start()
        // Draw only when something changed (a snapshot, a key, a resize): an idle screen costs nothing, and
        // unchanged cells are never rewritten (CursesTerminal diffs frames).
        var dirty = true
        var prepared: PreparedRows? = nil
        var capture: TUICapture? = nil
        defer { capture?.stop() }
        // The doctor runs on the UI thread over the newest snapshot: at most once a second while its tab is
        // open, every 10 s otherwise (for the badges). Its checks are linear in the snapshot (~20 ms for 500
        // namespaces), so a flapping link must not make it run fifty times a second.
        var doctorRan = Date.distantPast
        var doctorStale = true
        let journalDir = stateDir ?? env["PLUMB_STATE_DIR"] ?? "/var/lib/plumb"
        while true {
            if doctorStale && Date().timeIntervalSince(doctorRan) >= (state.detailTab == .findings ? 1 : 10) {
                state.findingsUpdated(Doctor.run(snapshot: ctx.snapshot))
                doctorRan = Date()
                doctorStale = false
                dirty = true
            }
            if let c = capture, let pane = state.capture {
                if c.poll(paused: pane.paused) {
                    state.captureUpdated(rowCount: c.count)
                    dirty = true
                }
            }
            if let next = live.take() {
                ctx.events += SnapshotDiff.events(from: ctx.snapshot, to: next.snapshot, only: next.changed)
                if ctx.events.count > 1000 { ctx.events.removeFirst(ctx.events.count - 1000) }
                // Firewall deltas are "since the last read": updates from events alone read no counters.
                if next.read != [] { ctx.previous = ctx.snapshot }
                ctx.snapshot = next.snapshot
                ctx.rates.record(next.snapshot, only: next.read)
                ctx.lastError = live.lastError()
                prepared = state.update(snapshot: next.snapshot)
                doctorStale = true
                dirty = true
            }
            if dirty {
                state.size = term.size
                live.setFocus(onScreen(state, ctx.snapshot), firewall: state.detailTab == .firewall)
                ctx.capture = state.capture.flatMap { pane in
                    capture?.feed(selected: pane.selected, showDetail: pane.showDetail)
                }
                term.draw(AppView.render(state, ctx, size: term.size, prepared: prepared))
                prepared = nil
                dirty = false
            }
            // A running capture is polled every 50 ms; otherwise the UI sleeps until a key or a new snapshot.
            guard let key = term.readKey(timeoutMillis: capture != nil ? 50 : 1000, wake: live.wakeFd) else { continue }
            dirty = true
            switch state.handle(key, snapshot: ctx.snapshot, keymap: ctx.keymap) {
            case .quit: return
            case .refresh: live.refreshNow()
            case .redraw: term.invalidate()
            case .pause(let p): live.paused = p
            case .setInterval(let s): live.interval = s
            case .shell(let id):
                state.message = runShell(in: id, snapshot: ctx.snapshot, term: term)
            case .startCapture(let id, let interface, let filter):
                capture?.stop()
                capture = ctx.snapshot.namespace(id: id).map { TUICapture(namespace: $0, interface: interface, filter: filter, io: .cli) }
            case .restartCapture(let filter):
                if let pane = state.capture {
                    capture?.stop()
                    capture = ctx.snapshot.namespace(id: pane.namespace).map {
                        TUICapture(namespace: $0, interface: pane.interface, filter: filter, io: .cli)
                    }
                }
            case .stopCapture:
                capture?.stop()
                capture = nil
            case .saveCapture(let path):
                do {
                    let n = try capture?.save(to: path) ?? 0
                    state.message = .info("wrote \(n) packets to \(path)")
                } catch {
                    state.message = .error("\(error)")
                }
            case .applyFix(let id):
                state.message = applyFix(id, findings: state.findings, journal: journalDir)
                live.refreshNow()
                doctorStale = true
                doctorRan = .distantPast
            case .undoFix:
                state.message = undoFix(journal: journalDir)
                live.refreshNow()
                doctorStale = true
                doctorRan = .distantPast
            case .notAvailable, .openHelp, .none: break
            }
        }
    }
}

/// The namespaces whose counters are on screen: the selected one and the namespace of its selected link's
/// veth peer (the link detail shows both ends side by side).
func onScreen(_ state: AppState, _ snap: Snapshot) -> Set<UInt64> {
    guard let id = state.selectedNamespace ?? snap.host?.id else { return [] }
    var ids: Set<UInt64> = [id]
    if let sel = state.selectedLink, sel.namespace == id,
       let peer = snap.namespace(id: id)?.links.first(where: { $0.index == sel.index })?.peer?.namespace {
        ids.insert(peer)
    }
    return ids
}

/// `f` then `y`: the finding's fix, applied as one journaled unit (as `plumb doctor --fix ID --yes`).
func applyFix(_ id: String, findings: [Finding], journal dir: String) -> StatusMessage {
    guard let f = findings.first(where: { $0.id == id }) else { return .error("finding \(id) is gone: nothing changed") }
    do {
        let plan = try DoctorFixService(store: StateStore(path: "\(dir)/state.db")).apply(f)
        return .info("fixed \(f.check): \(plan.steps.count) step(s) applied; u undoes")
    } catch {
        return .error("fix \(id) failed, nothing left half-done: \(error)")
    }
}

/// `u` then `y`: the last fix's inverse, from the journal.
func undoFix(journal dir: String) -> StatusMessage {
    do {
        let (id, plan) = try DoctorFixService(store: StateStore(path: "\(dir)/state.db")).undo()
        return .info("undid the fix for \(id): \(plan.steps.count) step(s)")
    } catch {
        return .error("\(error)")
    }
}

/// The `s` key: the screen is handed to a shell inside the namespace (all of a container's namespaces) and
/// taken back, repainted exactly, when the shell exits. Returns the status-line message.
func runShell(in namespace: UInt64, snapshot: Snapshot, term: CursesTerminal) -> StatusMessage {
    guard let ns = snapshot.namespace(id: namespace) else { return .error("namespace \(namespace) is gone") }
    do {
        let jump = try ShellJump.into(ns, in: snapshot)
        term.suspend()
        defer { term.resume() }
        FileHandleWriter.write(1, "plumb: shell in \(jump.label) (exit to return to plumb)\n")
        let code = try jump.run([])
        return .info("shell in \(jump.label) exited with \(code)")
    } catch {
        return .error("\(error)")
    }
}

/// `$XDG_CONFIG_HOME/plumb/config` (default ~/.config/plumb/config): `key = value` lines for the TUI's
/// defaults — interval, no-color, ascii, fd-scan. Unknown keys are ignored; flags override the file.
struct TUIConfig {
    var interval: Double?
    var noColor = false
    var ascii = false
    var scanFds = true

    static func load(environment env: [String: String]) -> TUIConfig {
        let base = env["XDG_CONFIG_HOME"] ?? ((env["HOME"] ?? "/root") + "/.config")
        guard let text = try? String(contentsOfFile: "\(base)/plumb/config", encoding: .utf8) else { return TUIConfig() }
        return parse(text)
    }

    static func parse(_ text: String) -> TUIConfig {
        var c = TUIConfig()
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].hasPrefix("#") else { continue }
            let on = ["1", "true", "yes", "on"].contains(parts[1].lowercased())
            switch parts[0] {
            case "interval": c.interval = Double(parts[1]).flatMap { $0 >= 0.1 ? $0 : nil }
            case "no-color": c.noColor = on
            case "ascii": c.ascii = on
            case "fd-scan": c.scanFds = on
            default: continue
            }
        }
        return c
    }
}

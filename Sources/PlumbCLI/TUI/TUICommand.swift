import ArgumentParser
import Foundation
import Glibc
import PlumbApp
import PlumbKernel
import PlumbModel
import PlumbTUI

/// `plumb` (no arguments) or `plumb tui`: the live terminal UI. This command reads its flags and the config
/// file, opens the terminal and starts the app (PlumbApp's `TUIApp`); the loop itself lives there.
struct TUICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui", abstract: "Open the live terminal UI (the default when plumb runs in a terminal).")

    @Option(help: "Seconds between refreshes (changes reported by the kernel refresh at once). Default: the config file's interval, or 1.")
    var interval: Double?

    /// What --interval and the config file's `interval` accept (and `:interval` in the TUI).
    static let intervalRange = RefreshInterval.range

    @Flag(name: .customLong("no-color"), help: "Monochrome (also when NO_COLOR is set).")
    var noColor = false

    @Flag(help: "Change nothing on the system: no fix, undo or shell, no capture file written, captures without promiscuous mode.")
    var readonly = false

    @Option(help: "Where fixes are journaled (default /var/lib/plumb, or $PLUMB_STATE_DIR); `u` undoes from there.")
    var stateDir: String?

    @Flag(name: .customLong("ascii"), help: "Draw with ASCII instead of box-drawing characters.")
    var ascii = false

    @OptionGroup var store: StoreOptions

    @Flag(name: .customLong("keys-markdown"), help: "Print the key bindings as a Markdown table (the README's keys section) and exit.")
    var keysMarkdown = false

    func validate() throws {
        if let interval, !Self.intervalRange.contains(interval) {
            throw ValidationError("--interval \(interval): use \(RefreshInterval.limits)")
        }
    }

    /// A flag on the command line wins over the config file, which wins over the default.
    func refreshInterval(_ config: TUIConfig) -> Double { interval ?? config.interval ?? 1 }

    func run() throws {
        if keysMarkdown { return FileHandleWriter.write(1, Keymap.default.markdownTable()) }
        try requirePrivileges()
        var env = ProcessInfo.processInfo.environment
        // Read (and refused when bad) before the terminal is set up.
        let config = try TUIConfig.load(environment: env)
        if ascii || config.ascii { env["PLUMB_ASCII"] = "1" }
        guard isatty(1) == 1 && isatty(0) == 1 else {
            // Not a terminal (a pipe, CI): print the snapshot instead of drawing garbage.
            try render(SnapshotOutput(snapshot: SnapshotReader().read()), as: .text)
            return
        }
        var options = SnapshotOptions()
        options.scanFds = config.scanFds
        // The Sockets tab and the namespaces pane's LISTEN column.
        options.sockets = true
        let first = SnapshotReader(options: options).read()
        let live = LiveSnapshots(interval: refreshInterval(config), options: options)
        let term: CursesTerminal
        do {
            term = try CursesTerminal(options: .init(colors: !(noColor || config.noColor) && env["NO_COLOR"] == nil))
        } catch {
            throw CommandFailure(description: "cannot open the terminal: \(error)", code: PlumbExit.failure)
        }
        defer { term.end() }
        // The drops feed (BPF, or the tracepoint fallback); the TUI runs without it when neither starts.
        var dropFeed: LiveDropFeed?
        var dropsNote: String?
        do { dropFeed = try LiveDropFeed() } catch { dropsNote = "\(error)" }
        var kernel = AppKernel.live(snapshots: live, journal: stateDir ?? env["PLUMB_STATE_DIR"] ?? "/var/lib/plumb",
                                    capture: .cli, shell: runShell)
            .with(drops: dropFeed, note: dropsNote)
        // With a cluster store, the Map view also draws the other hosts' VTEPs and endpoints.
        if let cluster = try store.cluster() { kernel.cluster = ClusterFeed { try ClusterMapSource.view(cluster) } }
        TUIApp(first: first, kernel: kernel, terminal: term, readonly: readonly,
               theme: Theme.resolve(environment: env, noColorFlag: noColor || config.noColor),
               glyphs: (ascii || config.ascii) ? .ascii : Glyphs.forEnvironment(env)).run()
    }
}

/// The `s` key: the screen is handed to a shell inside the namespace (all of a container's namespaces) and
/// taken back, repainted exactly, when the shell exits. Returns the status-line message.
func runShell(in namespace: UInt64, snapshot: Snapshot, term: any Terminal) -> StatusMessage {
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

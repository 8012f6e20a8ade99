import ArgumentParser
import Foundation
import Glibc
import PlumbActions
import PlumbApp
import PlumbDoctor
import PlumbKernel
import PlumbModel

/// `plumb doctor`: what is broken, why, and the fix — previewed, confirmed, applied through the journal, undone.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Find broken container networking, explain it, and fix it reversibly.",
        discussion: """
            Lists findings by severity with their evidence and the fix's plan. Exit code 3 when any \
            error-level finding exists (0 otherwise). `--fix ID` applies one fix after showing it and asking; \
            `--undo [ID]` reverts the last applied fix (or that one) through the journal, which keeps finished \
            changes for 30 days, at most the last 1,000; `--fix-all` asks for each fix (leftover removals are \
            never applied by --fix-all --yes).
            """)

    @Argument(help: "Only findings about this namespace (id, ip-netns name, container, pid:N, host); with --undo: the finding id.", completion: CompletionSources.targets)
    var target: String?

    @Option(name: .long, help: "Apply the fix of this finding (its id from the listing).")
    var fix: String?

    @Flag(name: .long, help: "Revert the last applied fix, or the one whose id is given as the argument.")
    var undo = false

    @Flag(name: .long, help: "Offer every available fix, one confirmation each.")
    var fixAll = false

    @Flag(name: .long, help: "Show the plan and change nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Do not ask for confirmation (leftover removals still need --fix ID).")
    var yes = false

    @Flag(name: .long, help: "With --fix: apply a fix that is not offered (it changes other flows, or does not mend its own).")
    var force = false

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @Flag(name: .long, help: "Indent the JSON (with --json); the default is one line, like `ip -j`.")
    var pretty = false

    @Option(name: .long, help: "State directory (journal). Default: $PLUMB_STATE_DIR or /var/lib/plumb.")
    var stateDir: String?

    @Option(name: .long, help: "Treat this ip-netns namespace as the host and look only at what is wired to it (labs, tests).")
    var hostNs: String?

    var format: OutputFormat { OutputFormat(json: json, pretty: pretty) }

    func validate() throws {
        if [fix != nil, undo, fixAll].filter({ $0 }).count > 1 {
            throw ValidationError("use one of --fix ID, --undo, --fix-all")
        }
        if force && fix == nil { throw ValidationError("--force goes with --fix ID") }
    }

    func run() throws {
        try requirePrivileges()
        if undo { return try runUndo() }
        let (report, snap) = try diagnose()
        if let id = fix { return try runFix(id, report: report) }
        if fixAll { return try runFixAll(report) }
        var findings = report.findings
        if let target {
            let ns = try resolveTarget(target, in: snap)
            findings = Doctor.findings(findings, about: ns.id)
        }
        let listing = DoctorListing(report: Doctor.Report(findings: findings, notChecked: report.notChecked), snapshot: snap)
        try render(listing, as: format)
        if listing.hasErrors { throw ExitCode(PlumbExit.findings.rawValue) }
    }

    /// Reads the kernel once and runs every check.
    func diagnose() throws -> (Doctor.Report, Snapshot) {
        let t00 = Date()
        var options = SnapshotOptions()
        options.routeLocalnet = false  // no check reads it, and it is the costliest sysctl read (see the option)
        let snap = SnapshotReader(options: options).read()
        let snapshotMillis = Date().timeIntervalSince(t00) * 1000
        var host: UInt64?
        if let hostNs {
            guard let ns = snap.namespaces.first(where: { $0.paths.contains("/run/netns/\(hostNs)") }) else {
                throw CommandFailure(description: "no namespace \(hostNs) for --host-ns: create it with `plumb ns add \(hostNs)`",
                                     code: PlumbExit.notFound)
            }
            host = ns.id
        }
        let t0 = Date()
        // The TUI builds its doctor's inputs through the same function.
        let inputs = Diagnosis.inputs(for: snap, hostNamespace: host)
        let t1 = Date()
        let report = Doctor.report(snapshot: snap, inputs: inputs)
        if ProcessInfo.processInfo.environment["PLUMB_TIMING"] != nil {
            // bench/doctor.sh reads this line: the doctor's own share next to the snapshot it reads.
            FileHandleWriter.write(2, "doctor snapshot: \(snapshotMillis) ms, inputs: \(t1.timeIntervalSince(t0) * 1000) ms, "
                                   + "checks: \(Date().timeIntervalSince(t1) * 1000) ms, "
                                   + "\(snap.namespaces.count) namespaces, \(report.findings.count) findings\n")
        }
        return (report, snap)
    }

    func service() throws -> DoctorFixService {
        let dir = stateDir ?? ProcessInfo.processInfo.environment["PLUMB_STATE_DIR"] ?? "/var/lib/plumb"
        do {
            return DoctorFixService(store: try StateStore(path: "\(dir)/state.db"))
        } catch {
            throw CommandFailure(description: "cannot open the state store \(dir)/state.db: \(error)", code: PlumbExit.failure)
        }
    }

    /// Asks on the terminal; without one (and without --yes) refuses rather than guess.
    func confirm(_ question: String) throws -> Bool {
        if yes { return true }
        guard isatty(0) == 1 else {
            throw CommandFailure(description: "not applying without confirmation: stdin is not a terminal; pass --yes",
                                 code: PlumbExit.failure)
        }
        // With --json the question goes to stderr: stdout carries the one JSON document.
        FileHandleWriter.write(json ? 2 : 1, "\(question) [y/N] ")
        let answer = readLine()?.lowercased() ?? ""
        return answer == "y" || answer == "yes"
    }

    func runFix(_ id: String, report: Doctor.Report) throws {
        guard let finding = report.findings.first(where: { $0.id == id }) else {
            throw CommandFailure(description: "no finding \(id) now (already fixed, or the object is gone): run `plumb doctor` for the current list",
                                 code: PlumbExit.notFound)
        }
        guard let plan = finding.fix, !plan.steps.isEmpty else {
            throw CommandFailure(description: "finding \(id) has no automatic fix: \(finding.explanation)", code: PlumbExit.failure)
        }
        if dryRun { return try render(DoctorFixOutput(finding: finding, plan: plan, dryRun: true), as: format) }
        if let impact = finding.impact, !impact.offered, !force {
            throw CommandFailure(description: "fix \(id) is not offered: \(impact.reason ?? "")"
                                 + "; see plumb doctor --fix \(id) --dry-run, and add --force to apply it anyway",
                                 code: PlumbExit.failure)
        }
        // The plan is shown before the question (in text; JSON output carries only the result).
        if !json { FileHandleWriter.write(1, DoctorFixOutput.preview(finding, plan, dryRun: false)) }
        guard try confirm("Apply this fix?") else {
            FileHandleWriter.write(1, "not applied\n")
            return
        }
        let applied = try perform { try service().apply(finding) }
        try render(DoctorFixOutput(finding: finding, plan: applied, dryRun: false), as: format)
    }

    /// Offers each fix in turn. Text shows each plan before its question and the outcome after it; `--json`
    /// prints one document at the end (questions then go to stderr, so stdout stays JSON).
    func runFixAll(_ report: Doctor.Report) throws {
        // Wiring before routes: a route via a gateway is refused while the link to it is down (FixOrder).
        let fixable = FixOrder.sorted(report.findings.filter { ($0.fix?.steps.isEmpty == false) })
        let svc = fixable.isEmpty || dryRun ? nil : try service()
        var outcomes: [DoctorFixAllOutput.Outcome] = []
        func note(_ o: DoctorFixAllOutput.Outcome) {
            outcomes.append(o)
            if !json { FileHandleWriter.write(o.result == .failed ? 2 : 1, o.line) }  // failures on stderr, as errors are
        }
        for f in fixable {
            let plan = f.fix!
            if f.impact?.offered == false {
                note(.init(finding: f.id, result: .skipped,
                           reason: "not offered (\(f.impact?.reason ?? "")); plumb doctor --fix \(f.id) --force applies it", plan: plan))
                continue
            }
            if f.confirmEach && yes {
                note(.init(finding: f.id, result: .skipped,
                           reason: "leftover removal needs its own confirmation (plumb doctor --fix \(f.id))", plan: plan))
                continue
            }
            if !json { FileHandleWriter.write(1, DoctorFixOutput.preview(f, plan, dryRun: dryRun)) }
            if dryRun { note(.init(finding: f.id, result: .planned, plan: plan)); continue }
            guard try confirm(json ? "Apply the fix of \(f.id)?" : "Apply this fix?") else {
                note(.init(finding: f.id, result: .skipped, reason: "not confirmed", plan: plan))
                continue
            }
            do {
                note(.init(finding: f.id, result: .fixed, plan: try svc!.apply(f)))
            } catch {
                note(.init(finding: f.id, result: .failed, reason: "\(error)", plan: plan))
            }
        }
        let output = DoctorFixAllOutput(dryRun: dryRun, fixes: outcomes)
        if json || outcomes.isEmpty { try render(output, as: format) }
        if output.failed > 0 { throw ExitCode(PlumbExit.failure.rawValue) }
    }

    func runUndo() throws {
        let svc = try service()
        let (id, plan) = try perform { dryRun ? try svc.undoPlan(findingId: target) : try svc.undo(findingId: target) }
        try render(DoctorUndoOutput(findingID: id, plan: plan, dryRun: dryRun), as: format)
    }
}

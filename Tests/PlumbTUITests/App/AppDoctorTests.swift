import Foundation
import XCTest
import PlumbApp
import PlumbModel
import PlumbDoctor
@testable import PlumbTUI

/// The doctor inside the loop: its inputs come from the same function as `plumb doctor`'s, and its fixes go
/// through the kernel side only after `y`.
final class AppDoctorTests: XCTestCase {
    private func run(_ script: [FakeTerminal.Input], fake: FakeKernel) -> (app: TUIApp, term: FakeTerminal) {
        let term = FakeTerminal(size: Size(width: 120, height: 40), script: script)
        let app = TUIApp(first: TestEnv.snapshot, kernel: fake.kernel, terminal: term)
        app.run()
        XCTAssertFalse(term.exhausted, "the script ran out before the loop quit")
        return (app, term)
    }

    /// A fixture tree where an `ip netns` container's resolv.conf points at systemd-resolved's stub, which
    /// listens only in the host namespace: the DNS check's case.
    private func fixtureRoot(for ns: Namespace) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pt-app-doctor-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        let name = try XCTUnwrap(ns.paths.first { $0.hasPrefix("/run/netns/") }?.dropFirst("/run/netns/".count))
        let dir = "\(root)/etc/netns/\(name)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "nameserver 127.0.0.53\n".write(toFile: "\(dir)/resolv.conf", atomically: true, encoding: .utf8)
        return root
    }

    func testTheTUIsDoctorRunsTheDNSCheckWithPlumbDoctorsInputs() throws {
        let ns = try XCTUnwrap(TestEnv.snapshot.namespaces.first {
            !$0.pids.isEmpty && $0.paths.contains { $0.hasPrefix("/run/netns/cni-") }
        })
        let root = try fixtureRoot(for: ns)
        let fake = FakeKernel()
        fake.doctorInputs = { Diagnosis.inputs(for: $0, root: root) }
        let (app, term) = run([.key(.char("f")), .key(.char("q"))], fake: fake)
        let dns = app.state.findings.filter { $0.check == "dns-unreachable" }
        XCTAssertEqual(dns.map { $0.subjects.first?.namespace }, [ns.id], "\(app.state.findings.map(\.id))")
        let frame = try XCTUnwrap(term.frame(afterInputs: 1)).text
        XCTAssertTrue(frame.contains("\(ns.displayName) resolves names via 127.0.0.53"), frame)
    }

    func testWithoutInputsTheDNSCheckDoesNotRun() throws {
        // The control for the test above: the same snapshot, no resolvers read.
        let (app, _) = run([.key(.char("q"))], fake: FakeKernel())
        XCTAssertFalse(app.state.findings.isEmpty)
        XCTAssertFalse(app.state.findings.contains { $0.check == "dns-unreachable" })
    }

    func testPlumbDoctorAndTheTUIReadTheSameInputs() throws {
        let ns = try XCTUnwrap(TestEnv.snapshot.namespaces.first { $0.paths.contains { $0.hasPrefix("/run/netns/cni-") } })
        let root = try fixtureRoot(for: ns)
        let inputs = Diagnosis.inputs(for: TestEnv.snapshot, root: root)
        XCTAssertEqual(inputs.resolvers?[ns.id]?.nameservers, ["127.0.0.53"])
        XCTAssertEqual(inputs.resolvers?[ns.id]?.source, "/etc/netns/\(ns.paths[0].dropFirst("/run/netns/".count))/resolv.conf",
                       "findings name the file as the namespace sees it, not the fixture tree")
        XCTAssertEqual(inputs.brNetfilterLoaded, false)
    }

    /// Fixes are compared (their flows before and after, `FixImpactJudge`) only while the Doctor tab is open,
    /// where they are offered: elsewhere the findings only make badges. Opening the tab judges them at once, and
    /// `f` shows the comparison.
    func testFixesAreComparedOnlyWhileTheDoctorTabIsOpen() throws {
        var app: TUIApp?
        var closed: (judged: Bool, impact: FixImpact?, fix: Bool)?, opened: (judged: Bool, impact: FixImpact?)?
        let script: [FakeTerminal.Input] = [
            .idle, .run { closed = (app!.state.findingsJudged, app!.state.findings.first?.impact, app!.state.findings.first?.fix != nil) },
            .key(.char("f")), .run { opened = (app!.state.findingsJudged, app!.state.findings.first?.impact) },
            .key(.char("f")), .key(.char("n")), .key(.char("q"))]
        let fake = FakeKernel()
        let term = FakeTerminal(size: Size(width: 200, height: 60), script: script)
        app = TUIApp(first: TestEnv.snapshot, kernel: fake.kernel, terminal: term)
        app?.run()
        let before = try XCTUnwrap(closed)
        XCTAssertTrue(before.fix, "the fixture's first finding has a fix")
        XCTAssertFalse(before.judged)
        XCTAssertNil(before.impact, "not compared while the tab is closed")
        let after = try XCTUnwrap(opened)
        XCTAssertTrue(after.judged)
        XCTAssertNotNil(after.impact, "compared as the tab opened, before the next key")
        let dialog = try XCTUnwrap(term.frame(afterInputs: 5)).text
        XCTAssertTrue(dialog.contains("verdict: "), dialog)
        XCTAssertTrue(fake.fixed.isEmpty)
    }

    /// A live host's processes come and go: an update whose only change is processes the doctor does not read
    /// (the same objects version, `Doctor.readsSameDiscovery`) leaves the findings, as does the periodic run for
    /// the inputs when they came back the same. Anything else the doctor reads runs it again, and so does opening
    /// the Doctor tab on findings judged a while ago (its evidence says for how long a leftover has been held).
    func testTheDoctorRunsAgainOnlyForWhatItReads() throws {
        let fake = FakeKernel()
        var inputsRead = 0
        var brNetfilter = false
        fake.doctorInputs = { _ in inputsRead += 1; return DoctorInputs(brNetfilterLoaded: brNetfilter) }
        let base = TestEnv.snapshot
        let h = try XCTUnwrap(base.namespaces.firstIndex { $0.isHost })
        let c = try XCTUnwrap(base.namespaces.firstIndex { !$0.isHost && !$0.pids.isEmpty })
        // A process starts on the host (its first pid stays); then one with a lower pid in a container.
        var hostMoved = base
        hostMoved.processes.append(ProcessRecord(pid: 99_999, comm: "sleep", namespace: base.namespaces[h].id))
        hostMoved.namespaces[h].pids.append(99_999)
        var containerMoved = hostMoved
        let low = try XCTUnwrap(base.namespaces[c].pids.min()) - 1
        containerMoved.processes.append(ProcessRecord(pid: low, comm: "sh", namespace: base.namespaces[c].id))
        containerMoved.namespaces[c].pids.insert(low, at: 0)
        var now = Date(timeIntervalSince1970: 1_000_000)
        var app: TUIApp?
        var runs: [Int] = []
        func step(_ update: SnapshotUpdate?, after seconds: TimeInterval, _ change: @escaping () -> Void = {}) -> [FakeTerminal.Input] {
            [.run {
                runs.append(app!.doctorRuns)
                if let update { fake.snapshots.queue.append(update) }
                change()
                now += seconds
            }, .idle]
        }
        var script: [FakeTerminal.Input] = [.idle]
        script += step(SnapshotUpdate(snapshot: base, read: nil, contentVersion: 1, objectsVersion: 1), after: 11)
        script += step(SnapshotUpdate(snapshot: hostMoved, read: nil, contentVersion: 2, objectsVersion: 1), after: 11)
        script += step(SnapshotUpdate(snapshot: containerMoved, read: nil, contentVersion: 3, objectsVersion: 1), after: 11)
        script += step(SnapshotUpdate(snapshot: containerMoved, read: nil, contentVersion: 4, objectsVersion: 2), after: 11)
        script += step(nil, after: 61)
        script += step(nil, after: 61) { brNetfilter = true }
        script += step(nil, after: 0)
        // The Doctor tab: opened (judged at once), left, and opened again 5 s later.
        script += [.key(.char("f")), .key(.char("]"))] + step(nil, after: 5) + [.key(.char("[")), .run { runs.append(app!.doctorRuns) }]
        script += [.key(.char("q"))]
        let term = FakeTerminal(size: Size(width: 120, height: 40), script: script)
        app = TUIApp(first: base, kernel: fake.kernel, terminal: term)
        app!.clock = { now }
        app!.run()
        XCTAssertFalse(term.exhausted, "the script ran out before the loop quit")
        // 1: the first snapshot; 2: the first update (objects unknown before); none for the host's new process;
        // 3: a container's new first process; 4: new objects; none for the periodic run with the same inputs;
        // 5: new inputs; 6: the tab opened (fixes judged); 7: opened again.
        XCTAssertEqual(runs, [1, 2, 2, 3, 4, 4, 5, 6, 7])
        XCTAssertEqual(inputsRead, 8, "the periodic run read the inputs before it found them the same")
    }

    /// `f` never offers a fix the loop has not compared yet.
    func testAskingForAFixBeforeItWasComparedWaits() {
        var state = TestEnv.state()
        state.findingsUpdated(Doctor.run(snapshot: TestEnv.snapshot, judgingFixes: false))
        state.findingsJudged = false
        state.focus = .details
        state.detailTab = .findings
        _ = state.press([.char("f")])
        XCTAssertNil(state.confirm)
        XCTAssertEqual(state.message?.text, "comparing what the fixes change: press f again in a moment")
        state.findingsJudged = true
        _ = state.press([.char("f")])
        XCTAssertNotNil(state.confirm, "once compared, f asks to apply")
    }

    func testFixAndUndoGoThroughTheKernelSideAfterYes() throws {
        let fake = FakeKernel()
        let script: [FakeTerminal.Input] = [.key(.char("f")), .key(.char("f")), .key(.char("y")),
                                            .key(.char("u")), .key(.char("y")), .key(.char("q"))]
        let (app, term) = run(script, fake: fake)
        let first = try XCTUnwrap(app.state.findings.first)
        XCTAssertNotNil(first.fix, "the fixture's first finding has a fix")
        XCTAssertEqual(fake.fixed, [first.id])
        XCTAssertEqual(fake.undos, 1)
        XCTAssertEqual(fake.snapshots.refreshes, 2, "a fix and an undo each read the kernel at once")
        XCTAssertTrue(try XCTUnwrap(term.frame(afterInputs: 3)).text.contains("fixed \(first.check)"))
        XCTAssertTrue(try XCTUnwrap(term.frame(afterInputs: 5)).text.contains("undone"))
    }

    /// `u` names the fix it undoes and the commands that undo it.
    func testUndoSaysWhichFixAndWhichCommands() throws {
        let fake = FakeKernel()
        let script: [FakeTerminal.Input] = [.key(.char("f")), .key(.char("f")), .key(.char("y")), .key(.char("u")),
                                            .key(.char("n")), .key(.char("q"))]
        let (app, term) = run(script, fake: fake)
        let first = try XCTUnwrap(app.state.findings.first)
        let dialog = try XCTUnwrap(term.frame(afterInputs: 4)).text
        XCTAssertTrue(dialog.contains("Undo the fix for \(first.id)?"), dialog)
        XCTAssertTrue(dialog.contains("ip -n pt-fake link set eth0 up"), dialog)
        XCTAssertEqual(fake.undos, 0, "n changes nothing")
    }

    /// A failed fix shows the whole error in a dialog; Enter closes it.
    func testAFailedFixShowsTheKernelsMessageInADialog() throws {
        let fake = FakeKernel()
        let why = "fix x failed, nothing left half-done: `ip -n pt-c route add default via 10.213.0.1` failed: "
            + "Nexthop has invalid gateway; the change already made was rolled back, nothing was left behind"
        fake.fixFailure = why
        let script: [FakeTerminal.Input] = [.key(.char("f")), .key(.char("f")), .key(.char("y")), .key(.enter), .key(.char("q"))]
        let (app, term) = run(script, fake: fake)
        let dialog = try XCTUnwrap(term.frame(afterInputs: 3)).text
        XCTAssertNotNil(dialog.range(of: "Fix [^ ]+ failed", options: .regularExpression), dialog)
        XCTAssertTrue(fake.fixed.isEmpty, "\(app.state.findings.count) findings, none fixed")
        // Wrapped over lines: every word of the kernel's message is there.
        XCTAssertTrue(dialog.contains("Nexthop has") && dialog.contains("invalid gateway;"), dialog)
        XCTAssertTrue(dialog.contains("nothing was left behind"), "in full, not cut off: \(dialog)")
        XCTAssertTrue(dialog.contains("Enter / Esc: close"), dialog)
        XCTAssertFalse(try XCTUnwrap(term.frame(afterInputs: 4)).text.contains("Enter / Esc: close"), "Enter closes it")
    }
}

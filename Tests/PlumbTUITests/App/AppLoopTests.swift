import XCTest
import PlumbApp
import PlumbModel
@testable import PlumbTUI

/// The whole event loop, driven like a user: scripted keys into a FakeTerminal, a fake kernel side with the
/// lab fixture, and assertions on the frames the loop drew (key → effect → frame).
final class AppLoopTests: XCTestCase {
    let size = Size(width: 120, height: 40)

    @discardableResult
    private func run(_ script: [FakeTerminal.Input], fake: FakeKernel = FakeKernel(), readonly: Bool = false,
                     first: Snapshot = TestEnv.snapshot) -> (app: TUIApp, term: FakeTerminal) {
        let term = FakeTerminal(size: size, script: script)
        let app = TUIApp(first: first, kernel: fake.kernel, terminal: term, readonly: readonly)
        app.run()
        XCTAssertFalse(term.exhausted, "the script ran out before the loop quit")
        return (app, term)
    }

    private func text(_ term: FakeTerminal, after inputs: Int, file: StaticString = #filePath, line: UInt = #line) -> String {
        guard let f = term.frame(afterInputs: inputs) else {
            XCTFail("no frame after \(inputs) inputs (frames after: \(term.frames.map(\.afterInputs)))", file: file, line: line)
            return ""
        }
        return f.text
    }

    /// The namespaces pane's rows: the first column of the frame, up to its right border.
    private func namespacesPane(_ text: String) -> [String] {
        text.split(separator: "\n").map { String($0.prefix(34)) }
    }

    /// The selected namespace's row (marked ▸, maybe followed by the doctor's badge).
    private func selectedNamespace(_ text: String) -> String? {
        namespacesPane(text).first { $0.contains("▸") }
    }

    func testStartsOnTheSnapshotDrawsOnceAndQuitsOnQ() {
        let fake = FakeKernel()
        let (_, term) = run([.key(.char("q"))], fake: fake)
        XCTAssertEqual(term.frames.map(\.afterInputs), [0], "one frame before the key, none after quitting")
        let first = text(term, after: 0)
        XCTAssertEqual(selectedNamespace(first)?.contains("host"), true, first)
        XCTAssertTrue(first.contains("Topology: host"), first)
        XCTAssertEqual(term.frames[0].buffer.size, size)
        XCTAssertTrue(fake.snapshots.started)
        XCTAssertTrue(fake.snapshots.stopped, "the snapshot source outlived the app")
        XCTAssertEqual(fake.snapshots.focus, [LabFixture.hostID])
    }

    func testJMovesTheNamespaceSelection() {
        let fake = FakeKernel()
        let (app, term) = run([.key(.char("j")), .key(.char("q"))], fake: fake)
        let after = text(term, after: 1)
        XCTAssertEqual(selectedNamespace(after)?.contains("redis"), true, after)
        XCTAssertTrue(after.contains("Topology: redis"), after)
        XCTAssertEqual(app.state.selectedNamespace, TestEnv.namespace("redis").id)
        // The source reads the namespace now on screen first.
        XCTAssertTrue(fake.snapshots.focus.contains(TestEnv.namespace("redis").id))
    }

    func testTheSourceReadsTheScreenPeriodicallyOnlyForTabsWithoutEvents() {
        let linkTab = FakeKernel()
        _ = run([.key(.char("q"))], fake: linkTab)
        XCTAssertFalse(linkTab.snapshots.polled, "the Link tab's links, addresses and routes come as events")
        // ] ] ] : Link -> Firewall -> Routes -> Neighbours, which no event announces.
        let neighbours = FakeKernel()
        let (app, _) = run([.key(.char("]")), .key(.char("]")), .key(.char("]")), .key(.char("q"))], fake: neighbours)
        XCTAssertEqual(app.state.detailTab, .neighbors)
        XCTAssertTrue(neighbours.snapshots.polled)
        XCTAssertEqual(DetailTab.allCases.filter(\.showsPolledData), [.neighbors, .sysctls, .sockets, .findings, .ports])
    }

    func testTabMovesTheKeysToTheTopology() {
        let (_, term) = run([.key(.tab), .key(.char("j")), .key(.char("q"))])
        let after = text(term, after: 2)
        XCTAssertTrue(after.contains("▸ ├─veth3c1f2a9"), after)
        XCTAssertEqual(selectedNamespace(after)?.contains("host"), true, "the namespace selection stays")
    }

    func testQuestionMarkOpensAndClosesTheHelp() {
        let (_, term) = run([.key(.char("?")), .key(.char("?")), .key(.char("q"))])
        XCTAssertFalse(text(term, after: 0).contains("move the selection down"))
        XCTAssertTrue(text(term, after: 1).contains("move the selection down"), text(term, after: 1))
        XCTAssertFalse(text(term, after: 2).contains("move the selection down"))
    }

    func testSlashFiltersTheNamespaces() {
        let script: [FakeTerminal.Input] = [.key(.char("/"))] + FakeTerminal.keys("web") + [.key(.enter), .key(.char("q"))]
        let (app, term) = run(script)
        let typing = text(term, after: 4)
        XCTAssertTrue(typing.contains("/web"), typing)
        let filtered = namespacesPane(text(term, after: 5))
        XCTAssertTrue(filtered.contains { $0.contains("web-frontend") })
        XCTAssertTrue(filtered.contains { $0.contains("web-worker") })
        XCTAssertFalse(filtered.contains { $0.contains("redis") }, filtered.joined(separator: "\n"))
        XCTAssertEqual(app.state.filter, "web")
    }

    func testANewSnapshotReachesTheScreenAndTheEventsLog() {
        let fake = FakeKernel()
        var next = TestEnv.snapshot
        let h = next.namespaces.firstIndex { $0.isHost }!
        let l = next.namespaces[h].links.firstIndex { $0.name == "veth3c1f2a9" }!
        next.namespaces[h].links[l].flags.removeAll { $0 == "up" }
        let (app, term) = run([.run { fake.snapshots.queue.append(SnapshotUpdate(snapshot: next, read: [])) },
                               .key(.char("q"))], fake: fake)
        let row = text(term, after: 1).split(separator: "\n").first { $0.contains("veth3c1f2a9") }.map(String.init) ?? ""
        XCTAssertTrue(row.contains("down"), row)
        XCTAssertTrue(app.context.events.contains { $0.text.contains("veth3c1f2a9") }, "\(app.context.events)")
    }

    func testResizeRedrawsAtTheNewSize() {
        let small = Size(width: 80, height: 24)
        let (_, term) = run([.resize(small), .key(.char("q"))])
        XCTAssertEqual(term.frame(afterInputs: 1)?.buffer.size, small)
    }

    func testShellKeyHandsTheTerminalOverAndBack() {
        let fake = FakeKernel()
        let (_, term) = run([.key(.char("j")), .key(.char("s")), .key(.char("q"))], fake: fake)
        XCTAssertEqual(fake.shells, [TestEnv.namespace("redis").id])
        XCTAssertEqual(term.suspensions, 1)
        XCTAssertTrue(text(term, after: 2).contains("shell exited with 0"), text(term, after: 2))
    }

    func testReadonlyRefusesTheShell() {
        let fake = FakeKernel()
        run([.key(.char("j")), .key(.char("s")), .key(.char("q"))], fake: fake, readonly: true)
        XCTAssertEqual(fake.shells, [])
    }

    func testCaptureKeyOpensThePaneAndShowsItsPackets() {
        let fake = FakeKernel()
        fake.captureRows = [CaptureFeed.Row(time: "12:00:00.000", summary: "IP 172.17.0.2.6379 > 172.17.0.1.40000: pt-marker")]
        // w offers a file name: Ctrl-U clears it before typing another.
        let script: [FakeTerminal.Input] = [.key(.char("j")), .key(.char("c")), .idle, .key(.char("w")), .key(.ctrl("u"))]
            + FakeTerminal.keys("pt.pcap") + [.key(.enter), .key(.char("x")), .key(.char("q"))]
        let (_, term) = run(script, fake: fake)
        XCTAssertEqual(fake.captures.count, 1)
        XCTAssertEqual(fake.captures.first?.namespace, "redis")
        XCTAssertFalse(text(term, after: 2).contains("pt-marker"), "nothing captured yet")
        XCTAssertTrue(text(term, after: 3).contains("pt-marker"), text(term, after: 3))
        XCTAssertTrue(text(term, after: 13).contains("wrote 1 packet to pt.pcap"), text(term, after: 13))
        XCTAssertEqual(fake.captures.first?.stopped, true, "x closes the pane and stops the capture")
        XCTAssertFalse(text(term, after: 14).contains("pt-marker"))
    }

    /// `w` onto an existing file asks first; `n` keeps the file, `y` overwrites it.
    func testSavingOverAnExistingFileAsksFirst() {
        let fake = FakeKernel()
        fake.captureRows = [CaptureFeed.Row(time: "12:00:00.000", summary: "IP 172.17.0.2 > 172.17.0.1: pt-marker")]
        fake.existingFiles = ["pt.pcap"]
        let save: [FakeTerminal.Input] = [.key(.char("w")), .key(.ctrl("u"))] + FakeTerminal.keys("pt.pcap") + [.key(.enter)]
        let script: [FakeTerminal.Input] = [.key(.char("j")), .key(.char("c")), .idle] + save + [.key(.char("n"))]
            + save + [.key(.char("y")), .key(.char("q"))]
        let (_, term) = run(script, fake: fake)
        let asked = text(term, after: 13)
        XCTAssertTrue(asked.contains("Overwrite pt.pcap?"), asked)
        XCTAssertEqual(fake.captures.first?.saves, ["pt.pcap"], "saved once, after y")
        XCTAssertTrue(text(term, after: 14).contains("nothing changed"), text(term, after: 14))
        XCTAssertTrue(text(term, after: 25).contains("wrote 1 packet to pt.pcap"), text(term, after: 25))
    }

    /// `--readonly` changes nothing: captures are not promiscuous, and `w`, `f`, `u`, `s` are refused.
    func testReadonlyCapturesWithoutPromiscuousModeAndWritesNoFile() {
        let fake = FakeKernel()
        fake.captureRows = [CaptureFeed.Row(time: "12:00:00.000", summary: "IP 172.17.0.2 > 172.17.0.1: pt-marker")]
        let script: [FakeTerminal.Input] = [.key(.char("j")), .key(.char("c")), .idle, .key(.char("w")), .key(.char("q"))]
        let (app, term) = run(script, fake: fake, readonly: true)
        XCTAssertEqual(fake.captures.map(\.promiscuous), [false])
        XCTAssertEqual(fake.captures.first?.saves, [])
        XCTAssertTrue(text(term, after: 4).contains("no files are written"), text(term, after: 4))
        XCTAssertNil(app.state.input, "no path prompt opened")

        let writable = FakeKernel()
        run([.key(.char("j")), .key(.char("c")), .key(.char("q"))], fake: writable)
        XCTAssertEqual(writable.captures.map(\.promiscuous), [true])
    }

    func testPauseAndRefreshReachTheSnapshotSource() {
        let fake = FakeKernel()
        let (app, _) = run([.key(.char("p")), .key(.char("r")), .key(.char("q"))], fake: fake)
        XCTAssertTrue(fake.snapshots.paused)
        XCTAssertTrue(app.state.paused)
        XCTAssertEqual(fake.snapshots.refreshes, 1)
    }
}

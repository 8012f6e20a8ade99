import XCTest
import PlumbModel
@testable import PlumbTUI

/// Prompts that say what they ask, tabs on `[`/`]`, a visible focus, `:` completion, returning from firewall
/// jumps, the first link selected, the Processes and Neighbours tabs' hiding and sorting, and leak ages: each
/// checked in the rendered screen buffer (no terminal) or the reducer's state.
final class PromptsKeysFocusTests: XCTestCase {
    let ctx = TestEnv.context()

    private func statusLine(_ s: AppState) -> String { AppView.render(s, ctx).row(s.size.height - 1) }

    // MARK: prompts

    func testEveryPromptSaysWhatItAsksAndItsKeys() {
        var s = TestEnv.state()
        s.press([.char("/")])
        XCTAssertTrue(statusLine(s).hasPrefix("filter: █"), statusLine(s))
        XCTAssertTrue(statusLine(s).contains("Esc clears"), statusLine(s))
        s.press([.escape, .char(":")])
        XCTAssertTrue(statusLine(s).hasPrefix(":█  ns NAME"), statusLine(s))
        XCTAssertTrue(statusLine(s).contains("Tab completes"), statusLine(s))
        s.press([.escape, .char("c"), .char("e")])
        XCTAssertTrue(statusLine(s).hasPrefix("BPF filter: █"), statusLine(s))
        XCTAssertTrue(statusLine(s).contains("Enter restarts the capture"), statusLine(s))
        s.press([.escape, .char("w")])
        XCTAssertTrue(statusLine(s).hasPrefix("save to: plumb-host-any.pcapng█"), statusLine(s))
        XCTAssertTrue(statusLine(s).contains("Enter saves"), statusLine(s))
        for mode in [InputMode.filter, .command, .captureFilter, .captureSave, .mapFind] {
            XCTAssertFalse(mode.prompt.trimmingCharacters(in: .whitespaces).isEmpty)
            XCTAssertTrue(mode.hint.contains("Enter") && mode.hint.contains("Esc"), "\(mode): \(mode.hint)")
        }
    }

    func testSavingWithoutAFileNameSaysSo() {
        var s = TestEnv.state()
        s.press([.char("c"), .char("w"), .ctrl("u")])
        XCTAssertEqual(s.press([.enter]), [Effect.none])
        XCTAssertEqual(s.message?.level, .error)
        XCTAssertTrue(statusLine(s).contains("nothing saved: no file name given"), statusLine(s))
    }

    // MARK: tabs and panes

    func testBracketsSwitchTabsAndHLMovePanes() {
        var s = TestEnv.state()
        s.press([.char("]")]); XCTAssertEqual(s.detailTab, .firewall, "] works from any pane")
        XCTAssertEqual(s.focus, .namespaces)
        s.press([.tab, .tab]); XCTAssertEqual(s.focus, .details)
        s.press([.char("]"), .char("]")]); XCTAssertEqual(s.detailTab, .neighbors)
        s.press([.char("["), .char("["), .char("["), .char("[")]); XCTAssertEqual(s.detailTab, DetailTab.allCases.last, "wraps around")
        s.press([.char("h")]); XCTAssertEqual(s.focus, .topology, "h in the details pane goes back a pane, not a tab")
        XCTAssertEqual(s.detailTab, DetailTab.allCases.last)
    }

    func testFocusedPaneAndActiveTabStandOutWithoutGreyishStyles() {
        var s = TestEnv.state()
        var b = AppView.render(s, ctx)
        let title = try! XCTUnwrap(b.rowContaining("Namespaces"))
        let x = title.text.distance(from: title.text.startIndex, to: title.text.range(of: "Namespaces")!.lowerBound)
        XCTAssertEqual(b[x, title.y].style.bg, .cyan, "the focused pane's title is a cyan block")
        XCTAssertEqual(b[x, title.y].style.fg, .black)
        XCTAssertFalse(b[x, title.y].style.bold, "bold black renders grey in many terminals")
        // The active tab, its pane unfocused: marked (underlined, cyan), never dimmed.
        func linkTab(_ b: ScreenBuffer) -> Style? {
            guard let (y, text) = b.rowContaining("─ Routes ─"), let r = text.range(of: "Link") else { return nil }
            return b[text.distance(from: text.startIndex, to: r.lowerBound), y].style
        }
        XCTAssertEqual(linkTab(b)?.underline, true)
        XCTAssertEqual(linkTab(b)?.dim, false)
        XCTAssertEqual(linkTab(b)?.fg, .cyan)
        s.press([.tab, .tab])
        b = AppView.render(s, ctx)
        XCTAssertEqual(linkTab(b)?.bg, .cyan, "focused: a cyan block")
        XCTAssertEqual(linkTab(b)?.bold, false)
        XCTAssertEqual(linkTab(AppView.render(s, TestEnv.context(theme: .monochrome)))?.reverse, true)
    }

    // MARK: command line completion

    func testTabCompletesCommandsThenNames() {
        var s = TestEnv.state()
        s.press([.char(":")]); s.type("ch"); s.press([.tab])
        XCTAssertEqual(s.inputText, "chain ", "one command matches: completed with its space")
        s.type("DOCKER-U"); s.press([.tab])
        XCTAssertEqual(s.inputText, "chain DOCKER-USER")
        s.press([.ctrl("u")]); s.type("ns web-"); s.press([.tab])
        XCTAssertEqual(s.inputText, "ns web-", "several match: the common prefix stays")
        let line = statusLine(s)
        XCTAssertTrue(line.contains("web-api") && line.contains("web-frontend") && line.contains("web-worker"), line)
        s.type("a"); s.press([.tab])
        XCTAssertEqual(s.inputText, "ns web-api")
        s.press([.enter])
        XCTAssertEqual(s.selectedNamespace, TestEnv.namespace("web-api").id)
        s.press([.char(":")]); s.type("link nosuch"); s.press([.tab])
        XCTAssertEqual(s.message?.level, .error)
        XCTAssertTrue(statusLine(s).contains("nothing to complete"), statusLine(s))
    }

    // MARK: firewall jumps

    func testEscAfterAChainJumpReturnsWhereYouWere() {
        var s = TestEnv.state()
        s.press([.char(":")]); s.type("ns redis"); s.press([.enter])
        XCTAssertEqual(s.focus, .topology)
        let link = s.selectedLink
        s.press([.char(":")]); s.type("chain FORWARD"); s.press([.enter])
        XCTAssertEqual(s.selectedNamespace, LabFixture.hostID, "redis has no FORWARD chain; the host has")
        XCTAssertEqual(s.detailTab, .firewall)
        s.press([.down, .down])
        s.press([.escape])
        XCTAssertEqual(s.selectedNamespace, TestEnv.namespace("redis").id, "back in redis")
        XCTAssertEqual(s.focus, .topology)
        XCTAssertEqual(s.selectedLink, link)
    }

    func testEscAfterFollowingARuleReturnsEvenAfterMoving() {
        var s = TestEnv.state()
        s.press([.char(":")]); s.type("chain FORWARD"); s.press([.enter])
        s.press([.escape])  // no jump before `:chain` here but the place it was typed: the namespaces pane
        XCTAssertEqual(s.focus, .namespaces)
        s.press([.char(":")]); s.type("chain FORWARD"); s.press([.enter])
        s.press([.down])  // -j DOCKER-USER
        let fw = PaneRows(s, TestEnv.snapshot).firewall(previous: nil)
        let from = s.selectedRow(.firewall)
        XCTAssertEqual(fw[from].text, "-j DOCKER-USER")
        s.press([.enter, .down, .down])
        XCTAssertNotEqual(s.selectedRow(.firewall), from)
        s.press([.escape])
        XCTAssertEqual(s.selectedRow(.firewall), from, "back on the rule followed")
        XCTAssertEqual(s.focus, .details)
        XCTAssertEqual(s.detailTab, .firewall)
    }

    // MARK: the first link

    func testAContainerSelectsEth0NotLo() {
        var s = TestEnv.state()
        s.press([.char(":")]); s.type("ns redis"); s.press([.enter])
        XCTAssertEqual(s.selectedLink, TestEnv.linkID("redis", "eth0"))
        s.press([.char(":")]); s.type("ns pt-leak"); s.press([.enter])
        XCTAssertEqual(s.selectedLink, TestEnv.linkID("pt-leak", "dangling0"))
        s.press([.char(":")]); s.type("ns \(LabFixture.fdLeakID)"); s.press([.enter])
        XCTAssertEqual(s.selectedLink, LinkID(namespace: LabFixture.fdLeakID, index: 1), "only lo: lo")
    }

    // MARK: Processes and Neighbours

    private func details(_ tab: DetailTab, _ s: inout AppState) -> ScreenBuffer {
        s.detailTab = tab
        s.focus = .details
        s.update(snapshot: TestEnv.snapshot)
        return AppView.renderPane(.details, s, ctx, size: Size(width: 120, height: 20))
    }

    func testProcessesHideKernelThreadsUntilAAndSortByO() {
        var s = TestEnv.state()
        var b = details(.processes, &s)
        XCTAssertNil(b.rowContaining("kthreadd"))
        XCTAssertNil(b.rowContaining("ksoftirqd"))
        XCTAssertNotNil(b.rowContaining("2 kernel threads hidden (a)"), b.plainText)
        XCTAssertNotNil(b.rowContaining("PID▾"), "sorted by pid, said in the header")
        s.press([.char("a")])
        b = AppView.renderPane(.details, s, ctx, size: Size(width: 120, height: 20))
        XCTAssertNotNil(b.rowContaining("[kthreadd]"))
        XCTAssertNil(b.rowContaining("hidden (a)"))
        s.press([.char("a"), .char("o"), .char("o"), .char("o")])
        XCTAssertEqual(s.processSort, .comm)
        b = AppView.renderPane(.details, s, ctx, size: Size(width: 120, height: 20))
        XCTAssertNotNil(b.rowContaining("COMM▾"), b.plainText)
        XCTAssertNil(b.rowContaining("PID▾"))
        let order = ["containerd", "dockerd", "sshd"].map { b.rowContaining(" \($0) ")?.y ?? -1 }
        XCTAssertEqual(order, order.sorted(), "by command name")
        XCTAssertFalse(order.contains(-1), b.plainText)
        s.press([.char("o")])
        XCTAssertEqual(s.processSort, .pid, "wraps to pid")
        let ascii = AppView.renderPane(.details, s, TestEnv.context(glyphs: .ascii), size: Size(width: 120, height: 20))
        XCTAssertNotNil(ascii.rowContaining("PID*"), "ASCII terminals get a mark too")
    }

    func testNeighboursSortedWithNoarpHidden() {
        var s = TestEnv.state()
        var b = details(.neighbors, &s)
        XCTAssertNil(b.rowContaining("ff02::1"))
        XCTAssertNotNil(b.rowContaining("1 noarp/multicast hidden (a)"), b.plainText)
        let rows = ["172.17.0.2", "192.168.1.1", "192.168.1.20", "fe80::1"].map { b.rowContaining($0)?.y ?? -1 }
        XCTAssertEqual(rows, rows.sorted(), "by device (docker0 before eth0), IPv4 before IPv6, by address")
        XCTAssertFalse(rows.contains(-1), b.plainText)
        s.press([.char("a")])
        b = AppView.renderPane(.details, s, ctx, size: Size(width: 120, height: 20))
        XCTAssertNotNil(b.rowContaining("ff02::1"))
        XCTAssertEqual(PaneRows(s, TestEnv.snapshot).detailCount(.neighbors), 5)
    }

    /// The status bar's counts have their noun in the right number: "1 link  0 rules", never "1 links".
    func testStatusBarCountsAreSingularForOne() {
        var s = AppState(size: Size(width: 120, height: 40))
        s.toldUnreadableProcesses = true
        var ns = Namespace(id: 1, isHost: true)
        ns.links = [Link(index: 1, name: "lo", kind: .loopback)]
        let snap = Snapshot(takenAt: 1, namespaces: [ns], processes: [], discovery: DiscoveryStats())
        s.update(snapshot: snap)
        let line = AppView.render(s, RenderContext(snapshot: snap, theme: .color, glyphs: .unicode))
            .row(s.size.height - 1)
        XCTAssertTrue(line.contains("1 ns  1 link  0 rules"), line)
    }

    // MARK: leak age

    func testLikelyLeaksShowHowLongTheyHaveBeenHeld() {
        var s = TestEnv.state()
        let list = AppView.renderPane(.namespaces, s, ctx, size: Size(width: 200, height: 30))
        XCTAssertNotNil(list.rowContaining("(leak? fd only, no name, 2h 3m)"), list.plainText)
        s.press([.char(":")]); s.type("ns \(LabFixture.fdLeakID)"); s.press([.enter])
        let topo = AppView.renderPane(.topology, s, ctx, size: Size(width: 200, height: 20))
        XCTAssertNotNil(topo.rowContaining("for at least 2h 3m"), topo.plainText)
        XCTAssertEqual(Readable.age(59), "59s")
        XCTAssertEqual(Readable.age(3600), "1h")
        XCTAssertEqual(Readable.age(7380), "2h 3m")
        XCTAssertEqual(Readable.age(3 * 86_400 + 7200), "3d 2h")
    }
}

import XCTest
import PlumbModel
@testable import PlumbTUI

final class ReducerTests: XCTestCase {
    let snap = TestEnv.snapshot

    func testInitialStateSelectsHostAndItsFirstLink() {
        let s = TestEnv.state()
        XCTAssertEqual(s.selectedNamespace, LabFixture.hostID)
        XCTAssertEqual(s.selectedLink, TestEnv.linkID("host", "docker0"), "bridges come first")
        XCTAssertEqual(s.focus, .namespaces)
    }

    func testMovingTheNamespaceSelection() {
        var s = TestEnv.state()
        s.press([.down, .char("j")])
        XCTAssertEqual(s.selectedNamespace, TestEnv.namespace("postgres").id)
        XCTAssertEqual(s.selectedLink?.namespace, TestEnv.namespace("postgres").id, "link selection follows")
        s.press([.up, .char("k"), .char("k")])
        XCTAssertEqual(s.selectedNamespace, LabFixture.hostID, "stops at the top")
        s.press([.char("G")])
        XCTAssertEqual(s.selectedNamespace, LabFixture.fdLeakID)
        s.press([.home])
        XCTAssertEqual(s.selectedNamespace, LabFixture.hostID)
    }

    func testPageDownMovesByAPage() {
        var s = TestEnv.state(Size(width: 80, height: 24))
        s.press([.pageDown])
        let rows = PaneRows(s, snap)
        XCTAssertEqual(rows.namespaceIndex, s.layout.visibleRows(.namespaces) - 1)
    }

    func testTabCyclesPanes() {
        var s = TestEnv.state()
        s.press([.tab]); XCTAssertEqual(s.focus, .topology)
        s.press([.tab]); XCTAssertEqual(s.focus, .details)
        s.press([.tab]); XCTAssertEqual(s.focus, .namespaces)
        s.press([.backTab]); XCTAssertEqual(s.focus, .details)
    }

    func testDrillInAndBack() {
        var s = TestEnv.state()
        s.press([.enter])
        XCTAssertEqual(s.focus, .topology)
        s.press([.down])
        XCTAssertEqual(s.selectedLink, TestEnv.linkID("host", "veth3c1f2a9"))
        s.press([.char("l")])
        XCTAssertEqual(s.focus, .details)
        XCTAssertEqual(s.detailTab, .link)
        s.press([.escape]); XCTAssertEqual(s.focus, .topology)
        s.press([.char("h")]); XCTAssertEqual(s.focus, .namespaces)
        XCTAssertEqual(s.selectedLink, TestEnv.linkID("host", "veth3c1f2a9"), "going back keeps the selection")
    }

    func testDetailsTabsWithBrackets() {
        var s = TestEnv.state()
        s.press([.tab, .tab])
        s.press([.char("]")]); XCTAssertEqual(s.detailTab, .firewall)
        s.press([.char("]"), .char("]")]); XCTAssertEqual(s.detailTab, .neighbors)
        s.press([.char("["), .char("["), .char("["), .char("[")]); XCTAssertEqual(s.detailTab, DetailTab.allCases.last, "wraps around")
        s.press([.right]); XCTAssertEqual(s.focus, .details, "arrows do not switch tabs")
        XCTAssertEqual(s.detailTab, DetailTab.allCases.last)
    }

    func testLinkTabWalksThroughLinks() {
        var s = TestEnv.state()
        s.press([.tab, .tab, .down, .down])
        XCTAssertEqual(s.selectedLink, TestEnv.linkID("host", "veth8d02b4e"))
    }

    func testFilterIsLiveAndEnterKeepsIt() {
        var s = TestEnv.state()
        s.press([.char("/")])
        XCTAssertEqual(s.input, .filter)
        s.type("web")
        XCTAssertEqual(s.filter, "web")
        let names = PaneRows(s, snap).namespaces.map(\.displayName)
        XCTAssertEqual(names, ["host", "web-frontend", "web-api", "web-worker"])
        s.press([.backspace])
        XCTAssertEqual(s.filter, "we")
        s.type("b")
        s.press([.enter])
        XCTAssertNil(s.input)
        XCTAssertEqual(s.filter, "web")
        // q while filtering was typed; now that the input is closed it quits.
        XCTAssertEqual(s.press([.char("q")]), [.quit])
    }

    func testFilterEscapeClearsAndQIsText() {
        var s = TestEnv.state()
        s.press([.char("/")])
        XCTAssertEqual(s.type("q"), [.none])
        XCTAssertEqual(s.filter, "q")
        s.press([.escape])
        XCTAssertNil(s.input)
        XCTAssertEqual(s.filter, "")
    }

    func testFilterByAddressAndEscapeClearsAnAppliedFilter() {
        var s = TestEnv.state()
        s.press([.char("/")]); s.type("172.18.0.3"); s.press([.enter])
        XCTAssertEqual(PaneRows(s, snap).namespaces.map(\.displayName), ["web-api"])
        XCTAssertEqual(s.selectedNamespace, TestEnv.namespace("web-api").id)
        XCTAssertEqual(PaneRows(s, snap).topology.map(\.name), ["eth0"], "only the link with that address")
        s.press([.escape])
        XCTAssertEqual(s.filter, "")
    }

    func testFilterThatHidesTheSelectionMovesIt() {
        var s = TestEnv.state()
        s.press([.down])  // redis
        s.press([.char("/")]); s.type("pod-"); s.press([.enter])
        XCTAssertEqual(s.selectedNamespace, LabFixture.hostID)
        s.press([.down])
        XCTAssertEqual(s.selectedNamespace, TestEnv.namespace("pod-nginx").id)
    }

    func testCommandNamespace() {
        var s = TestEnv.state()
        s.press([.char(":")]); s.type("ns redis"); s.press([.enter])
        XCTAssertEqual(s.selectedNamespace, TestEnv.namespace("redis").id)
        XCTAssertEqual(s.focus, .topology)
        XCTAssertEqual(s.message, .info("namespace redis"))
        s.press([.char(":")]); s.type("ns \(LabFixture.leakID)"); s.press([.enter])
        XCTAssertEqual(s.selectedNamespace, LabFixture.leakID)
        s.press([.char(":")]); s.type("ns nosuch"); s.press([.enter])
        XCTAssertEqual(s.message?.level, .error)
        XCTAssertEqual(s.selectedNamespace, LabFixture.leakID)
        s.press([.down])
        XCTAssertNil(s.message, "a message lasts until the next key")
    }

    func testCommandNamespaceClearsAFilterThatHidesIt() {
        var s = TestEnv.state()
        s.press([.char("/")]); s.type("web"); s.press([.enter])
        s.press([.char(":")]); s.type("ns batch"); s.press([.enter])
        XCTAssertEqual(s.filter, "")
        XCTAssertEqual(s.selectedNamespace, TestEnv.namespace("batch").id)
    }

    func testCommandChainJumpsIntoTheFirewall() {
        var s = TestEnv.state()
        s.press([.char(":")]); s.type("chain docker-user"); s.press([.enter])
        XCTAssertEqual(s.focus, .details)
        XCTAssertEqual(s.detailTab, .firewall)
        let fw = PaneRows(s, snap).firewall(previous: nil)
        XCTAssertEqual(fw[s.selectedRow(.firewall)].kind, .chain)
        XCTAssertEqual(fw[s.selectedRow(.firewall)].text, "DOCKER-USER")
    }

    func testCommandChainFindsItInAnotherNamespace() {
        var s = TestEnv.state()
        s.press([.down])  // redis has no firewall
        s.press([.char(":")]); s.type("chain INPUT"); s.press([.enter])
        XCTAssertEqual(s.selectedNamespace, LabFixture.hostID, "redis has no firewall; the host has INPUT")
        XCTAssertEqual(s.detailTab, .firewall)
        s.press([.char(":")]); s.type("chain NOPE"); s.press([.enter])
        XCTAssertEqual(s.message, .error("no chain 'NOPE' in any namespace"))
    }

    func testCommandErrorsAndInterval() {
        var s = TestEnv.state()
        s.press([.char(":")]); s.type("frobnicate"); s.press([.enter])
        XCTAssertEqual(s.message?.level, .error)
        XCTAssertTrue(s.message!.text.contains("unknown command 'frobnicate'"))
        s.press([.char(":")]); s.type("interval 5")
        XCTAssertEqual(s.press([.enter]), [.setInterval(5)])
        XCTAssertEqual(s.refreshInterval, 5)
        s.press([.char(":")]); s.type("interval 0")
        s.press([.enter])
        XCTAssertEqual(s.refreshInterval, 5)
        s.press([.char(":")]); s.type("q")
        XCTAssertEqual(s.press([.enter]), [.quit])
    }

    func testCommandLink() {
        var s = TestEnv.state()
        s.press([.char(":")]); s.type("link vxlan100"); s.press([.enter])
        XCTAssertEqual(s.selectedLink, TestEnv.linkID("host", "vxlan100"))
        XCTAssertEqual(s.focus, .details)
    }

    func testFirewallEnterFollowsJumpAndEscReturns() {
        var s = TestEnv.state()
        s.press([.char(":")]); s.type("chain FORWARD"); s.press([.enter])
        s.press([.down])  // -j DOCKER-USER
        let fw = PaneRows(s, snap).firewall(previous: nil)
        let from = s.selectedRow(.firewall)
        XCTAssertEqual(fw[from].text, "-j DOCKER-USER")
        s.press([.enter])
        XCTAssertEqual(fw[s.selectedRow(.firewall)].text, "DOCKER-USER")
        XCTAssertEqual(fw[s.selectedRow(.firewall)].kind, .chain)
        s.press([.escape])
        XCTAssertEqual(s.selectedRow(.firewall), from)
        XCTAssertEqual(s.focus, .details)
        s.press([.escape])
        XCTAssertEqual(s.focus, .namespaces, "then back where `:chain` was typed")
        s.press([.tab, .tab, .escape])
        XCTAssertEqual(s.focus, .topology, "no jump left: Esc backs out a pane")
    }

    func testHelpOpensClosesAndSwallowsOtherKeys() {
        var s = TestEnv.state()
        XCTAssertEqual(s.press([.char("?")]), [.openHelp])
        XCTAssertTrue(s.showHelp)
        s.press([.tab, .down])
        XCTAssertEqual(s.focus, .namespaces)
        XCTAssertEqual(s.selectedNamespace, LabFixture.hostID, "keys under the overlay do nothing")
        XCTAssertEqual(s.scroll[.help], 1, "but arrows scroll the help")
        s.press([.escape])
        XCTAssertFalse(s.showHelp)
        s.press([.char("?"), .char("q")])
        XCTAssertFalse(s.showHelp, "q closes help rather than quitting")
        s.press([.char("?")])
        XCTAssertEqual(s.press([.ctrl("c")]), [.quit])
    }

    func testRefreshPauseQuit() {
        var s = TestEnv.state()
        XCTAssertEqual(s.press([.char("r")]), [.refresh])
        XCTAssertEqual(s.press([.ctrl("l")]), [.redraw])
        XCTAssertEqual(s.press([.char("p")]), [.pause(true)])
        XCTAssertTrue(s.paused)
        XCTAssertEqual(s.press([.char("p")]), [.pause(false)])
        XCTAssertEqual(s.press([.char("q")]), [.quit])
        XCTAssertEqual(s.press([.ctrl("c")]), [.quit])
        XCTAssertEqual(s.press([.char("x")]), [.none], "unbound keys do nothing")
    }

    func testAReservedKeyAnswersNotYetAvailable() {
        // No default key is reserved any more; the mechanism stays for keys announced before their feature.
        var s = TestEnv.state()
        let km = Keymap([KeyBinding([.char("f")], .fix, "apply a fix", available: false)])
        XCTAssertEqual(s.handle(.char("f"), snapshot: TestEnv.snapshot, keymap: km), .notAvailable(.fix))
        XCTAssertTrue(s.message!.text.contains("not yet available"))
    }

    func testShellKeyAsksForAShellInTheSelectedNamespace() {
        var s = TestEnv.state()
        s.press([.down, .down])
        let selected = TestEnv.namespace("postgres").id
        XCTAssertEqual(s.selectedNamespace, selected)
        XCTAssertEqual(s.press([.char("s")]), [.shell(namespace: selected)])
        s.press([.tab])  // from the topology pane too: the link's namespace
        XCTAssertEqual(s.press([.char("s")]), [.shell(namespace: selected)])
        s.readonly = true
        XCTAssertEqual(s.press([.char("s")]), [.none])
        XCTAssertTrue(s.message!.text.contains("read-only"), s.message!.text)
    }

    /// `--readonly` is one policy: every key that would change the system (fix, undo, shell, saving a
    /// capture) is refused with a message, and the app refuses the matching effects.
    func testReadonlyRefusesEveryKeyThatChangesTheSystem() {
        var s = TestEnv.state()
        s.readonly = true
        for (key, word) in [("f", "no fixes"), ("u", "no undo"), ("s", "no shells"), ("t", "no live traces")] {
            XCTAssertEqual(s.press([.char(Character(key))]), [.none], key)
            XCTAssertNil(s.confirm, "\(key): no plan offered")
            XCTAssertTrue(s.message?.text.contains(word) == true, "\(key): \(s.message?.text ?? "no message")")
        }
        s.press([.char("c")])
        XCTAssertNotNil(s.capture, "capturing is allowed, without promiscuous mode")
        XCTAssertEqual(s.press([.char("w")]), [.none])
        XCTAssertNil(s.input, "no path prompt")
        XCTAssertTrue(s.message?.text.contains("no files are written") == true, s.message?.text ?? "")
        let refused = Action.allCases.filter { ReadonlyPolicy.refusal(for: $0) != nil }
        XCTAssertEqual(Set(refused), [.fix, .undo, .shell, .captureSave, .liveTrace])
        for e: Effect in [.shell(namespace: 1), .saveCapture(path: "x", overwrite: true), .applyFix(id: "x"), .undoFix,
                          .liveTrace(LiveTraceRequest(namespace: 1, destination: "x"))] {
            XCTAssertFalse(ReadonlyPolicy.allows(e), "\(e)")
        }
        XCTAssertTrue(ReadonlyPolicy.allows(.startCapture(namespace: 1, interface: "any", filter: "")))
        XCTAssertFalse(ReadonlyPolicy.promiscuousCapture(readonly: true))
    }

    func testZoomAndEscUnzooms() {
        var s = TestEnv.state()
        s.press([.tab, .char("z")])
        XCTAssertEqual(Array(s.layout.panes.keys), [.topology])
        s.press([.escape])
        XCTAssertFalse(s.zoomed)
        XCTAssertEqual(s.focus, .topology)
    }

    func testResize() {
        var s = TestEnv.state()
        s.press([.resize(Size(width: 200, height: 60))])
        XCTAssertEqual(s.size, Size(width: 200, height: 60))
    }

    func testMouseClickSelectsAndSecondClickDrillsIn() {
        var s = TestEnv.state(Size(width: 120, height: 40))
        let ns = s.layout.rect(.namespaces)!
        // Third row of the list: border, header, host, redis, postgres.
        s.press([.mouse(MouseEvent(.press, x: ns.x + 3, y: ns.y + 4))])
        XCTAssertEqual(s.selectedNamespace, TestEnv.namespace("postgres").id)
        s.press([.mouse(MouseEvent(.press, x: ns.x + 3, y: ns.y + 4))])
        XCTAssertEqual(s.focus, .topology)
        let topo = s.layout.rect(.topology)!
        s.press([.mouse(MouseEvent(.wheelDown, x: topo.x + 5, y: topo.y + 5))])
        XCTAssertEqual(s.focus, .topology)
        let det = s.layout.rect(.details)!
        let fwTab = DetailTabStrip.layout(width: det.width - 4).first { $0.tab == .routes }!
        s.press([.mouse(MouseEvent(.press, x: det.x + 2 + fwTab.x + 1, y: det.y))])
        XCTAssertEqual(s.detailTab, .routes)
        XCTAssertEqual(s.focus, .details)
    }

    func testSelectionSurvivesRefreshAndFallsBackWhenGone() {
        var s = TestEnv.state()
        s.press([.char(":")]); s.type("ns sensor"); s.press([.enter])
        s.press([.down])
        let link = s.selectedLink
        s.update(snapshot: LabFixture.snapshot(step: TestEnv.step + 1))
        XCTAssertEqual(s.selectedLink, link)
        var gone = LabFixture.snapshot(step: TestEnv.step + 1)
        gone.namespaces.removeAll { $0.displayName == "sensor" }
        s.update(snapshot: gone)
        XCTAssertEqual(s.selectedNamespace, LabFixture.hostID)
        XCTAssertEqual(s.selectedLink?.namespace, LabFixture.hostID)
    }

    func testScrollKeepsSelectionVisible() {
        var s = TestEnv.state(Size(width: 80, height: 24))
        s.press([.tab, .char("G")])
        let rows = PaneRows(s, snap)
        let top = s.scroll[.topology] ?? 0
        let visible = s.layout.visibleRows(.topology)
        let sel = rows.topologyIndex(s.selectedLink)!
        XCTAssertEqual(sel, rows.topology.count - 1)
        XCTAssertTrue(sel >= top && sel < top + visible)
        s.press([.up])
        XCTAssertEqual(s.scroll[.topology], top, "moving up inside the window does not scroll")
    }

    func testConsoleCommandParsing() {
        XCTAssertEqual(try ConsoleCommand.parse("ns  web-api ").get(), .namespace("web-api"))
        XCTAssertEqual(try ConsoleCommand.parse("chain DOCKER").get(), .chain("DOCKER"))
        XCTAssertEqual(try ConsoleCommand.parse("interval 2.5s").get(), .interval(2.5))
        XCTAssertEqual(ConsoleCommand.parse(""), .failure(.empty))
        XCTAssertEqual(ConsoleCommand.parse("ns"), .failure(.missingArgument("ns")))
        XCTAssertEqual(ConsoleCommand.parse("every x"), .failure(.badInterval("x")))
        // The same limits as --interval and the config file (0.1 was refused here, accepted there).
        XCTAssertEqual(try ConsoleCommand.parse("interval 0.1").get(), .interval(0.1))
        XCTAssertEqual(ConsoleCommand.parse("interval 0.05"), .failure(.badInterval("0.05")))
        XCTAssertEqual(ConsoleCommand.parse("interval 3601"), .failure(.badInterval("3601")))
        XCTAssertEqual(ConsoleCommand.ParseError.badInterval("0").description, "'0' is not an interval in seconds (0.1 to 3600 seconds)")
    }
}

/// The Topology title names what serves a namespace's network from outside it (slirp4netns, pasta).
final class TopologyTitleHelperTests: XCTestCase {
    func testTitleNamesTheNetworkHelper() {
        var snap = TestEnv.snapshot
        let i = snap.namespaces.firstIndex { $0.containers.first?.name == "postgres" }!
        snap.namespaces[i].helper = NetworkHelper(program: "slirp4netns", pid: 2210, link: "tap0")
        var s = TestEnv.state()
        s.selectedNamespace = snap.namespaces[i].id
        let title = TopologyView.title(PaneRows(s, snap), state: s, glyphs: .unicode)
        XCTAssertTrue(title.hasPrefix("Topology: postgres (docker)"), title)
        XCTAssertTrue(title.hasSuffix(" - network from slirp4netns (pid 2210) on tap0"), title)
    }

    /// The namespace details say who owns a rootless container's namespace, before its helper.
    func testTitleNamesTheOwnerOfARootlessNamespace() {
        var snap = TestEnv.snapshot
        let i = snap.namespaces.firstIndex { $0.containers.first?.name == "postgres" }!
        snap.namespaces[i].owner = NamespaceOwner(usernsId: 4026532281, uid: 1000, user: "alice")
        snap.namespaces[i].helper = NetworkHelper(program: "pasta", pid: 2211, link: "tap0")
        var s = TestEnv.state()
        s.selectedNamespace = snap.namespaces[i].id
        let title = TopologyView.title(PaneRows(s, snap), state: s, glyphs: .unicode)
        XCTAssertTrue(title.hasSuffix(" - owned by user alice (uid 1000) - network from pasta (pid 2211) on tap0"), title)
    }
}

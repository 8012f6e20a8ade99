import XCTest
import PlumbModel
@testable import PlumbTUI

/// Specific facts the frames must show, independent of golden files.
final class ViewContentTests: XCTestCase {
    let ctx = TestEnv.context()

    private func topology(_ ns: String, size: Size = Size(width: 120, height: 40), ctx: RenderContext? = nil) -> ScreenBuffer {
        var s = TestEnv.state(size)
        s.press([.char(":")]); s.type("ns \(ns)"); s.press([.enter])
        return AppView.renderPane(.topology, s, ctx ?? self.ctx, size: size)
    }

    func testEventsTabListsChangesNewestFirstAndFilters() {
        var c = ctx
        c.events = [ChangeEvent(time: 0, namespace: "redis", kind: .link, text: "link eth0: up → down"),
                    ChangeEvent(time: 60, namespace: "host", kind: .firewall, text: "chain ipv4 filter DOCKER flushed (3 rules gone)")]
        var s = TestEnv.state(Size(width: 120, height: 40))
        s.detailTab = .events
        var b = AppView.renderPane(.details, s, c, size: Size(width: 120, height: 20))
        let flushed = try? XCTUnwrap(b.rowContaining("DOCKER flushed"))
        let down = try? XCTUnwrap(b.rowContaining("up → down"))
        XCTAssertNotNil(flushed); XCTAssertNotNil(down)
        XCTAssertLessThan(flushed!.y, down!.y, "newest first")
        s.filter = "redis"
        b = AppView.renderPane(.details, s, c, size: Size(width: 120, height: 20))
        XCTAssertNil(b.rowContaining("DOCKER flushed"))
        XCTAssertNotNil(b.rowContaining("up → down"))
        s.filter = ""
        c.events = []
        b = AppView.renderPane(.details, s, c, size: Size(width: 120, height: 20))
        XCTAssertNotNil(b.rowContaining("no changes since plumb started"))
    }

    func testVethShowsItsPeersNamespaceName() {
        let b = topology("host")
        XCTAssertNotNil(b.rowContaining("veth3c1f2a9")?.text.contains("→ eth0@redis"))
        XCTAssertTrue(b.rowContaining("veth3c1f2a9")!.text.contains("→ eth0@redis"))
        XCTAssertTrue(b.rowContaining("veth0d9a3f5")!.text.contains("→ eth0@0b0b0b0b0b0b"), "unnamed CNI container: id prefix")
        let redis = topology("redis")
        XCTAssertTrue(redis.rowContaining("eth0")!.text.contains("→ veth3c1f2a9@host"))
        XCTAssertTrue(redis.rowContaining("eth0")!.text.contains("172.17.0.2/16"), "addresses beside links")
    }

    func testForeignParentAndChildren() {
        let host = topology("host")
        XCTAssertTrue(host.rowContaining("eth1@sensor")!.text.contains("└─eth1@sensor"))
        let sensor = topology("sensor")
        XCTAssertTrue(sensor.rowContaining("eth1")!.text.contains("on eth0@host"))
        XCTAssertTrue(host.rowContaining("vxlan100")!.text.contains("vni 100 → 192.168.1.20"))
    }

    func testLinkStatesAreColoured() {
        let b = topology("host")
        XCTAssertEqual(b.style(of: "down", inRowWith: "veth9f1e6b2")?.fg, .red)
        XCTAssertEqual(b.style(of: "down", inRowWith: "veth9f1e6b2")?.bold, true)
        XCTAssertEqual(b.style(of: "no carrier", inRowWith: "veth5a9d7f1")?.fg, .yellow)
        XCTAssertEqual(b.style(of: "up", inRowWith: "veth3c1f2a9")?.fg, .green)
        let batch = topology("batch")
        XCTAssertEqual(batch.style(of: "down", inRowWith: "eth0")?.fg, .red, "the container end of batch is down")
    }

    func testMonochromeHasNoColourButStillMarksDownLinks() {
        let mono = TestEnv.context(theme: .monochrome)
        let b = topology("host", ctx: mono)
        XCTAssertTrue(b.cells.allSatisfy { $0.style.fg == .default && $0.style.bg == .default })
        XCTAssertEqual(b.style(of: "down", inRowWith: "veth9f1e6b2")?.underline, true)
        let full = AppView.render(TestEnv.state(), mono)
        XCTAssertTrue(full.cells.allSatisfy { $0.style.fg == .default && $0.style.bg == .default })
    }

    func testAsciiGlyphsProduceOnlyASCII() {
        var s = TestEnv.state(Size(width: 120, height: 40))
        s.press([.tab, .down, .enter])
        let b = AppView.render(s, TestEnv.context(glyphs: .ascii))
        XCTAssertTrue(b.cells.allSatisfy { $0.char.isASCII }, b.plainText)
        XCTAssertTrue(b.plainText.contains("-> eth0@redis"))
        s.press([.char("?")])
        XCTAssertTrue(AppView.render(s, TestEnv.context(glyphs: .ascii)).cells.allSatisfy { $0.char.isASCII })
    }

    func testSelectedRowIsHighlightedOnlyInTheFocusedPane() {
        var s = TestEnv.state()
        s.press([.tab, .down])
        let b = AppView.render(s, ctx)
        let topo = s.layout.rect(.topology)!
        let (y, _) = b.rowContaining("veth3c1f2a9")!
        XCTAssertTrue(b[topo.x + 3, y].style.reverse)
        XCTAssertEqual(b[topo.x + 1, y].char, "▸")
        let ns = s.layout.rect(.namespaces)!
        let (hy, _) = b.rowContaining("│▸ host")!
        XCTAssertFalse(b[ns.x + 3, hy].style.reverse, "unfocused pane: marker only")
    }

    /// A named namespace without a process is normal (no colour, no `!`); an unnamed one held only by an fd is a
    /// likely leak, marked and coloured, with why.
    func testOnlyLikelyLeaksAreMarkedAndSayWhy() {
        let b = AppView.renderPane(.namespaces, TestEnv.state(), ctx, size: Size(width: 100, height: 24))
        let (y, text) = b.rowContaining("pt-leak")!
        XCTAssertFalse(text.contains("!pt-leak"), text)
        XCTAssertTrue(text.contains("bind mount (named, no process)"), text)
        XCTAssertNotEqual(b[text.distance(from: text.startIndex, to: text.range(of: "pt-leak")!.lowerBound), y].style, Theme.color.leak)
        let (ly, leak) = b.rowContaining("net:[4026532990]")!
        XCTAssertTrue(leak.contains("!net:["), leak)
        XCTAssertTrue(leak.contains("fd (leak? fd only, no name, 2h 3m)"), leak)
        XCTAssertEqual(b[leak.distance(from: leak.startIndex, to: leak.firstIndex(of: "!")!), ly].style, Theme.color.leak)
        XCTAssertFalse(b.rowContaining("redis")!.text.contains("!"))
        XCTAssertTrue(b.rowContaining("redis")!.text.contains("docker:redis"), "runtime:name")
        XCTAssertTrue(b.rowContaining(" host ")!.text.hasPrefix("│▸ host"), "host first")
    }

    func testLinkDetailShowsPeerSideBySideWithGrownDrops() {
        var s = TestEnv.state(Size(width: 120, height: 40))
        s.press([.tab, .down, .enter])
        let b = AppView.renderPane(.details, s, ctx, size: Size(width: 120, height: 20))
        let title = b.rowContaining("veth3c1f2a9 @ host")!.text
        XCTAssertTrue(title.contains("eth0 @ redis"), "peer side by side")
        XCTAssertTrue(b.plainText.contains("master   docker0  port forwarding"))
        XCTAssertTrue(b.plainText.contains("rx 152 (+5)"))
        XCTAssertEqual(b.style(of: "rx 152", inRowWith: "dropped  rx 152")?.fg, .red)
        XCTAssertEqual(b.style(of: "tx 0", inRowWith: "dropped  rx 152")?.fg, .default)
        let rate = Format.byteRate(Double(LabFixture.rate(10, TestEnv.step)))
        XCTAssertTrue(b.plainText.contains(rate), "rate of the last interval: \(rate)")
        XCTAssertNotNil(b.rowContaining("rx/s"), "sparkline drawn")
        XCTAssertEqual(b.style(of: "▁")?.fg, .cyan)
    }

    func testOldErrorsAreShownButNotAsGrowing() {
        var s = TestEnv.state(Size(width: 120, height: 40))
        s.press([.tab, .down, .down, .enter])
        let b = AppView.renderPane(.details, s, ctx, size: Size(width: 120, height: 20))
        XCTAssertTrue(b.plainText.contains("errors   rx 0  tx 3 "))
        XCTAssertEqual(b.style(of: "tx 3", inRowWith: "errors   rx 0  tx 3")?.fg, .yellow)
    }

    func testLinkDetailWithUnknownPeerIsOneColumn() {
        var s = TestEnv.state(Size(width: 120, height: 40))
        s.press([.char(":")]); s.type("link dangling0"); s.press([.enter])
        let b = AppView.renderPane(.details, s, ctx, size: Size(width: 120, height: 20))
        XCTAssertTrue(b.plainText.contains("peer     #9 (namespace unknown)"))
        XCTAssertFalse(b.plainText.contains(" │ "))
    }

    func testFirewallShowsCountersDeltasOwnersAndHighlightsMovement() {
        var s = TestEnv.state(Size(width: 200, height: 60))
        s.press([.char(":")]); s.type("chain FORWARD"); s.press([.enter])
        let b = AppView.renderPane(.details, s, ctx, size: Size(width: 140, height: 50))
        let rule = b.rowContaining("-j DOCKER-USER")!.text
        XCTAssertTrue(rule.contains("+120"))
        XCTAssertEqual(b.style(of: "+120")?.fg, .green)
        XCTAssertEqual(b.style(of: "-j DOCKER-USER")?.fg, .green, "rules whose counters moved are highlighted")
        XCTAssertEqual(b.style(of: "-i docker0 -o docker0")?.fg, .default, "quiet rule not highlighted")
        for (chain, owner) in [("DOCKER-ISOLATION-STAGE-1", "docker"), ("CNI-FORWARD", "cni"),
                               ("NETAVARK_FORWARD", "podman"), ("PLUMB-COUNT", "plumb"), ("KUBE-FORWARD", "kubernetes")] {
            XCTAssertTrue(b.plainText.contains("\(chain)  [\(owner)]"), chain)
        }
        XCTAssertEqual(b.style(of: "[docker]")?.fg, .magenta)
        XCTAssertTrue(b.rowContaining("FORWARD policy DROP")!.text.contains("+1"))
    }

    func testRoutesNeighboursSysctlsProcesses() {
        var s = TestEnv.state(Size(width: 200, height: 60))
        s.press([.tab, .tab, .char("]"), .char("]")])
        XCTAssertEqual(s.detailTab, .routes)
        var b = AppView.renderPane(.details, s, ctx, size: Size(width: 140, height: 30))
        XCTAssertTrue(b.rowContaining("default")!.text.contains("192.168.1.1"))
        XCTAssertTrue(b.rowContaining("local 127.0.0.1")!.text.contains("local"))
        s.press([.char("]")])
        b = AppView.renderPane(.details, s, ctx, size: Size(width: 140, height: 30))
        XCTAssertEqual(b.style(of: "failed", inRowWith: "192.168.1.20")?.fg, .red)
        s.press([.char("]")])
        b = AppView.renderPane(.details, s, ctx, size: Size(width: 140, height: 30))
        XCTAssertTrue(b.rowContaining("net.ipv4.ip_forward")!.text.contains("1"))
        XCTAssertTrue(b.plainText.contains("net.bridge.bridge-nf-call-iptables"))
        s.press([.char("]")])
        b = AppView.renderPane(.details, s, ctx, size: Size(width: 140, height: 30))
        XCTAssertTrue(b.plainText.contains("dockerd"))
        XCTAssertFalse(b.plainText.contains("redis-server"), "only processes of the selected namespace")
        XCTAssertFalse(b.plainText.contains("systemd"), "pid 1's namespace is unknown")
    }

    func testStatusLine() {
        var s = TestEnv.state()
        s.press([.tab, .down])
        var b = AppView.render(s, ctx)
        let status = b.row(s.size.height - 1)
        XCTAssertTrue(status.contains("host › docker0 › veth3c1f2a9"))
        XCTAssertTrue(status.contains("every 2s"))
        XCTAssertTrue(status.contains("15 ns  47 links  37 rules  1 likely leak"), status)
        XCTAssertTrue(status.contains("! metrics: nft not installed"), "the one-time EACCES note is not repeated here: \(status)")
        s.press([.char("p")])
        b = AppView.render(s, ctx)
        XCTAssertTrue(b.row(s.size.height - 1).contains("PAUSED"))
        var failing = ctx
        failing.lastError = "netlink: EPERM"
        XCTAssertTrue(AppView.render(s, failing).row(s.size.height - 1).contains("refresh failed: netlink: EPERM"))
        s.press([.char("/")]); s.type("web")
        XCTAssertTrue(AppView.render(s, ctx).row(s.size.height - 1).hasPrefix("filter: web█"))
    }

    func testNotesIncludeNamespaceAndFirewallNotes() {
        let notes = StatusLineView.notes(TestEnv.snapshot)
        XCTAssertEqual(notes, [
            "metrics: nft not installed: native nftables tables not read",
            "pt-leak: iptables-save not installed",
        ])
    }

    /// The EACCES note names the process and is said once, as a message, not on every frame's status bar.
    func testUnreadableProcessesAreNamedOnce() {
        var s = TestEnv.state()
        s.message = nil
        s.toldUnreadableProcesses = false
        s.update(snapshot: TestEnv.snapshot)
        XCTAssertEqual(s.message?.text, "note: the network namespace of pid 1 (systemd) could not be read (EACCES): "
                       + "it is counted but placed in no namespace")
        XCTAssertTrue(AppView.render(s, ctx).row(s.size.height - 1).contains("pid 1 (systemd)"))
        _ = s.press([.char("j")])
        s.update(snapshot: TestEnv.snapshot)
        XCTAssertNil(s.message, "once only")
        XCTAssertFalse(AppView.render(s, ctx).row(s.size.height - 1).contains("EACCES"))
    }

    func testTooSmall() {
        let b = AppView.render(TestEnv.state(), ctx, size: Size(width: 40, height: 10))
        XCTAssertTrue(b.plainText.contains("terminal too small"))
        XCTAssertTrue(b.plainText.contains("need 60x15"))
        XCTAssertTrue(b.plainText.contains("have 40x10"))
        XCTAssertFalse(AppView.render(TestEnv.state(), ctx, size: Size(width: 60, height: 15)).plainText.contains("too small"))
        XCTAssertTrue(AppView.render(TestEnv.state(), ctx, size: Size(width: 59, height: 30)).plainText.contains("too small"))
    }

    func testHelpOverlayListsEveryKey() {
        var s = TestEnv.state(Size(width: 200, height: 60))
        s.press([.char("?")])
        // Every page of it: the overlay scrolls once the keys outgrow even a 200x60 screen.
        var text = AppView.render(s, ctx).plainText
        for _ in 0..<8 { s.press([.pageDown]); text += AppView.render(s, ctx).plainText }
        for binding in Keymap.default.bindings {
            XCTAssertTrue(text.contains(binding.keysLabel()), "help lacks \(binding.keysLabel())")
            // The overlay wraps long help texts in two columns when one does not fit: the first words suffice.
            XCTAssertTrue(text.contains(String(binding.help.prefix(24))), "help lacks \(binding.help)")
        }
        XCTAssertTrue(text.contains("apply the doctor's fix for the"))
        XCTAssertFalse(text.contains("not yet available"))
    }

    func testHelpOverlayScrollsToEveryKeyOnASmallTerminal() {
        var s = TestEnv.state(Size(width: 80, height: 24))
        s.press([.char("?")])
        var seen = ""
        for _ in 0..<80 {
            seen += AppView.render(s, ctx).plainText
            s.press([.down])
        }
        for binding in Keymap.default.bindings {
            XCTAssertTrue(seen.contains(binding.keysLabel()), "help never shows \(binding.keysLabel())")
        }
    }

    func testFilterShowsOnlyMatches() {
        var s = TestEnv.state()
        s.press([.char("/")]); s.type("web"); s.press([.enter])
        let b = AppView.render(s, ctx)
        XCTAssertTrue(b.plainText.contains("Namespaces (/web)"))
        XCTAssertNil(b.rowContaining("redis"))
        XCTAssertNotNil(b.rowContaining("web-worker"))
        XCTAssertNotNil(b.rowContaining("→ eth0@web-api"))
        XCTAssertNil(b.rowContaining("docker0 "), "bridges without matching ports disappear")
    }

    func testTitleBarHintsComeFromTheKeymap() {
        let b = AppView.render(TestEnv.state(), ctx)
        XCTAssertTrue(b.row(0).contains("/ filter  : command  ? help  q quit"))
        XCTAssertTrue(b.row(0).contains("snapshot read in 76 ms"))
    }
}

/// The Sockets tab and the namespaces pane's listener count.
final class SocketsTabTests: XCTestCase {
    let ctx = TestEnv.context()

    func testSKeyOpensTheSocketsTabWithListenersFirst() throws {
        var s = TestEnv.state(Size(width: 160, height: 40))
        s.press([.char("S")])
        XCTAssertEqual(s.detailTab, .sockets)
        XCTAssertEqual(s.focus, .details)
        let b = AppView.renderPane(.details, s, ctx, size: Size(width: 160, height: 20))
        let ssh = try XCTUnwrap(b.rowContaining("0.0.0.0:22"))
        XCTAssertTrue(ssh.text.contains("LISTEN"))
        XCTAssertTrue(ssh.text.contains("sshd/412"))
        let session = try XCTUnwrap(b.rowContaining("192.168.1.5:53122"))
        XCTAssertTrue(session.text.contains("ESTAB"))
        XCTAssertTrue(session.text.contains("rtt 1.2 ms") || session.text.contains("rtt 1.3 ms"), session.text)
        XCTAssertTrue(session.text.contains("cwnd 10"))
        XCTAssertLessThan(ssh.y, session.y, "listeners first")
        XCTAssertNotNil(b.rowContaining("/run/docker.sock"))
    }

    func testEmptyAndUnreadNamespacesSayWhy() throws {
        var s = TestEnv.state(Size(width: 120, height: 40))
        s.press([.char(":")]); s.type("ns batch"); s.press([.enter])
        s.press([.char("S")])
        var b = AppView.renderPane(.details, s, ctx, size: Size(width: 120, height: 20))
        XCTAssertNotNil(b.rowContaining("no sockets"))
        var snap = TestEnv.snapshot
        for i in snap.namespaces.indices { snap.namespaces[i].sockets = nil }
        let unread = RenderContext(snapshot: snap, previous: TestEnv.previous, rates: TestEnv.rates, theme: .color,
                                   glyphs: .unicode)
        b = AppView.renderPane(.details, s, unread, size: Size(width: 120, height: 20))
        XCTAssertNotNil(b.rowContaining("sockets not read"))
    }

    func testNamespacesPaneCountsInetListeners() throws {
        let b = AppView.renderPane(.namespaces, TestEnv.state(Size(width: 200, height: 60)), ctx,
                                   size: Size(width: 200, height: 60))
        XCTAssertNotNil(b.rowContaining("LISTEN"))
        // host: sshd and dhclient (the unix socket is not a port); redis: one; batch: none.
        let host = try XCTUnwrap(b.rowContaining("host"))
        XCTAssertTrue(host.text.contains(" 2 "), host.text)
        let batch = try XCTUnwrap(b.rowContaining("batch"))
        XCTAssertTrue(batch.text.contains(" 0 "), batch.text)
    }
}

import Foundation
import XCTest
import PlumbApp
import PlumbModel
import PlumbSystem
@testable import PlumbTUI

/// Drops in the TUI: the Drops tab, the drop-rate badges on namespaces and links (golden frames), and the loop
/// with a fake feed: drops reach the events log, the tab and the doctor's findings as live evidence.
final class DropsTUITests: XCTestCase {
    static func drop(_ ns: String, _ iface: String, reason: String = "NETFILTER_DROP", function: String = "nft_do_chain",
                     dport: UInt16 = 5432, at t: Double = 1_800_000_000) -> PacketDrop {
        let n = TestEnv.namespace(ns)
        return PacketDrop(monotonicNanos: 1, time: t, reason: DropReason(code: 12, name: reason),
                          location: KernelLocation(address: 0xffffffff81fbea00, symbol: function, offset: 0x3c4),
                          netnsCookie: 1, netnsInode: n.id, namespaceName: n.displayName, ifindex: 2, interface: iface,
                          etherType: 0x0800,
                          flow: DropFlow(protocolNumber: 17, src: IPAddress("172.18.0.2")!, dst: IPAddress("172.18.0.3")!,
                                         srcPort: 40000, dstPort: dport),
                          length: 84)
    }

    /// 120 drops in web-api on eth0 (NETFILTER_DROP), 30 in the host on docker0 (NO_SOCKET), over 10 s.
    static var activity: DropActivity {
        let drops = Array(repeating: drop("web-api", "eth0"), count: 120)
            + Array(repeating: drop("host", "docker0", reason: "NO_SOCKET", function: "__udp4_lib_rcv", dport: 9), count: 30)
        return DropActivity(drops: drops, windowSeconds: 10, mode: "bpf", lost: 0)
    }

    private func stateWithDrops(_ size: Size) -> AppState {
        var s = TestEnv.state(size)
        s.drops = Self.activity
        s.update(snapshot: TestEnv.snapshot)
        return s
    }

    func testDropsTabGolden() {
        for size in TestEnv.sizes {
            var s = stateWithDrops(size)
            s.detailTab = .drops
            Golden.check(AppView.render(s, TestEnv.context()), "drops-tab-\(size.width)x\(size.height)")
        }
    }

    func testNamespacesPaneShowsDropRatesGolden() {
        for size in TestEnv.sizes {
            Golden.check(AppView.renderPane(.namespaces, stateWithDrops(size), TestEnv.context(), size: size),
                         "namespaces-drops-\(size.width)x\(size.height)")
        }
    }

    /// The map carries the same rates: on the box of a namespace that drops, on the bus whose device does.
    func testTheMapShowsDropRatesOnNamespacesAndBuses() {
        var s = stateWithDrops(Size(width: 200, height: 60))
        s.selectNamespace(TestEnv.namespace("web-api").id)
        s.press([.char("m")])
        let text = Golden.text(AppView.render(s, TestEnv.context()))
        let bus = text.split(separator: "\n").first { $0.contains("(docker0)") }
        XCTAssertTrue(bus?.contains("3/s drops") == true, "docker0's heading: \(bus ?? "none")")
        XCTAssertTrue(text.contains("web-api 12/s"), "web-api's box: \(text)")
    }

    func testLinksShowTheirDropRate() {
        var s = stateWithDrops(Size(width: 200, height: 60))
        s.selectedNamespace = TestEnv.namespace("host").id
        s.update(snapshot: TestEnv.snapshot)
        let text = Golden.text(AppView.renderPane(.topology, s, TestEnv.context(), size: Size(width: 200, height: 60)))
        let line = text.split(separator: "\n").first { $0.contains("docker0") }
        XCTAssertTrue(line?.contains("3/s drops") == true, "docker0's row: \(line ?? "none")")
    }

    func testWithoutTheFeedNothingChanges() {
        // No drops watched: the namespaces pane has no DROPS column, so every existing golden frame stands.
        let text = Golden.text(AppView.renderPane(.namespaces, TestEnv.state(), TestEnv.context(), size: Size(width: 120, height: 40)))
        XCTAssertFalse(text.contains("DROPS"))
        XCTAssertEqual(DropsView.header(nil), "drops are not watched (plumb needs root to watch them)")
        XCTAssertEqual(DropsView.header(.unavailable("watching drops needs root")), "drops are not watched: watching drops needs root")
    }

    // MARK: the loop

    final class FakeDropFeed: DropFeed {
        var mode = "bpf"
        var note: String?
        var lost: UInt64 = 0
        var pending: [PacketDrop] = []
        var log: [PacketDrop] = []
        private(set) var stopped = false
        func takeNew() -> [PacketDrop] { defer { pending = [] }; log += pending; return pending }
        /// The fixture's drops are stamped at 1 ns: the window is at that time.
        var nowNanos: UInt64 { 1 }
        func stop() { stopped = true }
    }

    func testTheLoopPutsDropsInTheEventsLogTheTabAndTheDoctorsEvidence() throws {
        // The fixture's findings without drops: the drops go to the namespace of the first one.
        let plainKernel = FakeKernel()
        let plain = TUIApp(first: TestEnv.snapshot, kernel: plainKernel.kernel,
                           terminal: FakeTerminal(size: Size(width: 200, height: 60), script: [.key(.char("q"))]))
        plain.run()
        let target = try XCTUnwrap(plain.state.findings.flatMap(\.subjects).first { $0.kind != .link }?.namespace,
                                   "the fixture has a finding about a namespace")
        let ns = try XCTUnwrap(TestEnv.snapshot.namespace(id: target))
        XCTAssertFalse(plain.state.findings.contains { $0.evidence.contains { $0.hasPrefix("live: ") } })

        let feed = FakeDropFeed()
        feed.pending = Array(repeating: Self.drop(ns.displayName, "ptnone0"), count: 1204)
        let term = FakeTerminal(size: Size(width: 200, height: 60), script: [.key(.char("q"))])
        let fake = FakeKernel()
        let app = TUIApp(first: TestEnv.snapshot, kernel: fake.kernel.with(drops: feed), terminal: term)
        app.run()
        XCTAssertTrue(feed.stopped, "the loop stops the feed when it quits")
        let activity = try XCTUnwrap(app.state.drops)
        XCTAssertEqual(activity.summary.total, 1204)
        XCTAssertEqual(activity.perNamespace[target] ?? 0, 120.4, accuracy: 0.01)
        let events = app.context.events.filter { $0.kind == .drop }
        XCTAssertEqual(events.map(\.namespace), [ns.displayName])
        XCTAssertEqual(events.first?.text,
                       "dropped 1,204 × NETFILTER_DROP in nft_do_chain on ptnone0: udp 172.18.0.2:40000 > 172.18.0.3:5432")
        // Findings about the namespace as a whole carry the live line; findings about other namespaces do not.
        let live = "live: dropped 1,204 times in the last 10 s, reason NETFILTER_DROP in nft_do_chain"
        let whole = app.state.findings.filter { $0.subjects.contains { $0.namespace == target && $0.kind != .link } }
        XCTAssertFalse(whole.isEmpty)
        for f in whole { XCTAssertTrue(f.evidence.contains(live), "\(f.id): \(f.evidence)") }
        for f in app.state.findings where !f.subjects.contains(where: { $0.namespace == target }) {
            XCTAssertFalse(f.evidence.contains { $0.hasPrefix("live: ") }, f.id)
        }
    }

    func testTheDropsTabsRowsAreMadeOnlyWhileItIsOpenAndAtOnceWhenItOpens() throws {
        // Ranking every group's flows each second for a closed tab was most of an idle TUI's drops cost: with
        // the tab closed the summary has its total but no rows; opening it makes them before the next frame.
        let feed = FakeDropFeed()
        feed.pending = Array(repeating: Self.drop("web-api", "eth0"), count: 12)
            + Array(repeating: Self.drop("host", "docker0", reason: "NO_SOCKET", function: "__udp4_lib_rcv", dport: 9), count: 3)
        var app: TUIApp?
        var whileClosed: DropActivity?
        // `[` twice: from the Link tab back past Conntrack to Drops.
        let script: [FakeTerminal.Input] = [.idle, .run { whileClosed = app?.state.drops },
                                            .key(.char("[")), .key(.char("[")), .idle, .key(.char("q"))]
        let fake = FakeKernel()
        let term = FakeTerminal(size: Size(width: 200, height: 60), script: script)
        app = TUIApp(first: TestEnv.snapshot, kernel: fake.kernel.with(drops: feed), terminal: term)
        app?.run()
        withExtendedLifetime(fake) {}

        let closed = try XCTUnwrap(whileClosed, "the feed was read while the tab was closed")
        XCTAssertEqual(closed.summary.total, 15, "the total is kept (the tab's header, the status)")
        XCTAssertFalse(closed.hasGroups)
        XCTAssertEqual(closed.summary.groups, [])
        XCTAssertEqual(closed.perNamespace[TestEnv.namespace("web-api").id] ?? 0, 1.2, accuracy: 0.001,
                       "the badges' rates do not need the rows")

        XCTAssertEqual(app?.state.detailTab, .drops)
        let open = try XCTUnwrap(app?.state.drops)
        XCTAssertTrue(open.hasGroups)
        XCTAssertEqual(open.summary.groups.map(\.count), [12, 3])
        XCTAssertEqual(open.summary.groups.first?.topFlows.count, 1, "the one flow a row shows")
        let opened = try XCTUnwrap(term.frame(afterInputs: 4), "a frame drawn as the tab opened")
        XCTAssertTrue(opened.text.contains("NETFILTER_DROP"), opened.text)
        XCTAssertTrue(opened.text.contains("udp 172.18.0.2:40000 > 172.18.0.3:5432"), opened.text)
    }

    /// A feed that the kernel tallies: `tallying` as the loop set it, tallies handed out like drops.
    final class TallyingDropFeed: DropFeed {
        let mode = "bpf"
        let note: String? = nil
        let lost: UInt64 = 0
        var tallying = false { didSet { switches.append(tallying) } }
        var switches: [Bool] = []
        var pendingTallies: [DropTally] = []
        var pending: [PacketDrop] = []
        func takeNew() -> [PacketDrop] { defer { pending = [] }; return pending }
        func takeTallies() -> [DropTally] { defer { pendingTallies = [] }; return pendingTallies }
        var nowNanos: UInt64 { 1 }
        func stop() {}
    }

    func testTheKernelTalliesWhileTheDropsTabIsClosedAndSendsEachWhileItIsOpen() throws {
        let feed = TallyingDropFeed()
        feed.pendingTallies = [DropTally(newest: Self.drop("web-api", "eth0"), count: 1204)]
        feed.pending = [Self.drop("web-api", "eth0", dport: 9)]   // one the kernel could not tally (its map full)
        var app: TUIApp?
        var tallyingWhileClosed: Bool?, tallyingWhileOpen: Bool?
        let script: [FakeTerminal.Input] = [.idle, .run { tallyingWhileClosed = feed.tallying },
                                            .key(.char("[")), .key(.char("[")), .idle,
                                            .run { tallyingWhileOpen = feed.tallying }, .key(.char("q"))]
        let fake = FakeKernel()
        app = TUIApp(first: TestEnv.snapshot, kernel: fake.kernel.with(drops: feed),
                     terminal: FakeTerminal(size: Size(width: 200, height: 60), script: script))
        app?.run()
        withExtendedLifetime(fake) {}
        XCTAssertEqual(tallyingWhileClosed, true, "the kernel counts while no view needs each drop's 5-tuple")
        XCTAssertEqual(tallyingWhileOpen, false, "the Drops tab's top 5-tuples need each drop")
        let activity = try XCTUnwrap(app?.state.drops)
        XCTAssertEqual(activity.summary.total, 1205, "a tally counts as the drops it stands for")
        XCTAssertEqual(activity.perNamespace[TestEnv.namespace("web-api").id] ?? 0, 120.5, accuracy: 0.01)
        let events = app?.context.events.filter { $0.kind == .drop }.map(\.text) ?? []
        XCTAssertEqual(events, ["dropped 1,205 × NETFILTER_DROP in nft_do_chain on eth0: udp 172.18.0.2:40000 > 172.18.0.3:5432"],
                       "one line for the detail: the tally and the drop, with the newest 5-tuple")
        XCTAssertEqual(feed.switches.first, true)
    }

    /// A feed that wakes the loop: read once at the start, then only when it wakes the loop or while drops are
    /// in the window (an idle screen with no drops does not wake four times a second for the feed).
    final class WakingDropFeed: DropFeed {
        let mode = "bpf"
        let note: String? = nil
        let lost: UInt64 = 0
        var pending: [PacketDrop] = []
        var log: [PacketDrop] = []
        private(set) var reads = 0
        let pipe = try! WakePipe()
        func takeNew() -> [PacketDrop] { reads += 1; defer { pending = [] }; log += pending; return pending }
        var nowNanos: UInt64 { 1 }
        func stop() {}
        var wakeDescriptor: Int32? { pipe.readDescriptor }
        func drainWake() { pipe.drain() }
    }

    func testAWakingFeedIsReadWhenItWakesTheLoopNotOnATimer() throws {
        let ns = TestEnv.namespace("web-api")
        let feed = WakingDropFeed()
        var readsAtStart = -1, readsWhileIdle = -1
        let script: [FakeTerminal.Input] = [.idle, .run { readsAtStart = feed.reads }, .run { usleep(300_000) },
                                            .idle, .idle, .run { readsWhileIdle = feed.reads },
                                            .run { feed.pending = [Self.drop(ns.displayName, "eth0")]; feed.pipe.wake() },
                                            .idle, .key(.char("q"))]
        let fake = FakeKernel()
        let app = TUIApp(first: TestEnv.snapshot, kernel: fake.kernel.with(drops: feed),
                         terminal: FakeTerminal(size: Size(width: 200, height: 60), script: script))
        app.run()
        XCTAssertGreaterThan(readsAtStart, 0, "read at the start (the DROPS column)")
        XCTAssertEqual(readsWhileIdle, readsAtStart, "not read again while idle past 250 ms with an empty window")
        XCTAssertEqual(app.state.drops?.summary.total, 1, "the wake-up brought the drop in")
        XCTAssertEqual(app.context.events.filter { $0.kind == .drop }.map(\.namespace), [ns.displayName])
        withExtendedLifetime(fake) {}
    }

    func testLiveEvidenceWording() {
        let f = Finding(id: "x", check: "c", checkNumber: 1, severity: .error, title: "t",
                        subjects: [.init(namespace: TestEnv.namespace("web-api").id, kind: .link, name: "eth0")],
                        evidence: ["eth0 mtu 1500"], explanation: "")
        let drops = [Self.drop("web-api", "eth0"), Self.drop("web-api", "eth0"),
                     Self.drop("web-api", "eth0", reason: "NO_SOCKET", function: "__udp4_lib_rcv"),
                     Self.drop("web-api", "eth1")]
        let out = DropEvidence.annotate([f], drops: drops, seconds: 10)
        XCTAssertEqual(out[0].evidence, ["eth0 mtu 1500",
                                         "live: dropped 3 times in the last 10 s, reason NETFILTER_DROP in nft_do_chain (and 1 other reason)"])
        XCTAssertEqual(DropEvidence.line([Self.drop("web-api", "eth0")], seconds: 10),
                       "dropped once in the last 10 s, reason NETFILTER_DROP in nft_do_chain")
        XCTAssertEqual(DropEvidence.annotate([f], drops: [], seconds: 10), [f])
    }
}

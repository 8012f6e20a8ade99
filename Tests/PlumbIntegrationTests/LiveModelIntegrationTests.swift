import Foundation
import XCTest
import PlumbKernel
import PlumbModel

/// The live model against the real kernel: a flap, an address or a route is applied from its netlink event alone;
/// what events cannot carry (a new link, IPv4's silent route flush, a ruleset change) queues the namespace for a
/// read, and a refresh that reads one namespace leaves the others as they were.
final class LiveModelIntegrationTests: RootTestCase {
    var lab: TestLab!

    override func setUpWithError() throws {
        try requireRoot()
        lab = TestLab()
        addTeardownBlock { [lab] in lab?.cleanup() }
    }

    /// Applies events until `done` holds (events arrive asynchronously), up to 2 s.
    func applyUntil(_ model: LiveModel, _ done: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline {
            _ = model.waitForEvents(timeoutMillis: 50)
            model.applyEvents()
            if done() { return true }
        }
        return false
    }

    /// A read that finds a namespace as the model had it but for its counters (the TUI reads the namespace on
    /// screen again every 10 s) changes no version: the views keep what they made and the doctor does not run
    /// again. A read that finds something new counts.
    func testAReadThatFindsNothingNewChangesNoVersion() throws {
        let a = try lab.addNamespace("lvq")
        // Down: no IPv6 address or route comes and goes under the reads.
        try lab.ip(a, "link", "add", "ptlq0", "type", "veth", "peer", "name", "ptlq1")
        var options = SnapshotOptions()
        options.scanFds = false
        let model = LiveModel(options: options)
        _ = model.refresh(read: [], firewall: [], all: true)
        let id = try TopologyFixture.inode("/run/netns/\(a)")
        let before = model.refresh(read: [id], firewall: [])
        let (content, objects) = (model.contentVersion, model.objectsVersion)
        let again = model.refresh(read: [id], firewall: [])
        XCTAssertGreaterThan(again.takenAt, before.takenAt, "read again")
        XCTAssertEqual(model.objectsVersion, objects, "nothing but counters and processes can have moved")
        // Processes on the machine may have come and gone between the reads: only they may move the content.
        let discoveryMoved = again.processes != before.processes
            || zip(before.namespaces, again.namespaces).contains { !$0.sameDiscovery(as: $1) }
        XCTAssertTrue(model.contentVersion == content || discoveryMoved, "content moved with nothing new")
        // An address the model has not applied from its event yet: the read finds it, and it counts.
        try lab.ip(a, "addr", "add", "10.213.173.1/24", "dev", "ptlq0")
        let after = model.refresh(read: [id], firewall: [])
        XCTAssertEqual(after.namespace(id: id)?.link(named: "ptlq0")?.addresses, [IPPrefix("10.213.173.1/24")!])
        XCTAssertGreaterThan(model.objectsVersion, objects)
        XCTAssertGreaterThan(model.contentVersion, content)
    }

    func testEventsUpdateTheModelAndQueueReads() throws {
        let a = try lab.addNamespace("lva"), b = try lab.addNamespace("lvb")
        try lab.ip(a, "link", "add", "ptlv0", "type", "veth", "peer", "name", "ptlv1", "netns", b)
        try lab.ip(a, "link", "set", "ptlv0", "up")
        try lab.ip(b, "link", "set", "ptlv1", "up")
        var options = SnapshotOptions()
        options.scanFds = false
        let model = LiveModel(options: options)
        let first = model.refresh(read: [], firewall: [], all: true)
        let idA = try TopologyFixture.inode("/run/netns/\(a)"), idB = try TopologyFixture.inode("/run/netns/\(b)")
        func link(_ ns: UInt64, _ name: String) -> Link? {
            model.snapshot?.namespace(id: ns)?.links.first { $0.name == name }
        }
        XCTAssertEqual(first.namespace(id: idA)?.links.first { $0.name == "ptlv0" }?.peer?.namespace, idB)
        XCTAssertGreaterThanOrEqual(model.watchedCount, 3)

        // Counters alone leave the content version (what the Map view keeps its graph by).
        _ = model.applyEvents()
        let version = model.contentVersion
        let counted = try XCTUnwrap(model.refreshCounters(of: [idA]))
        XCTAssertEqual(model.contentVersion, version, "a read of counters is not a change of content")
        XCTAssertNotNil(counted.namespace(id: idA)?.links.first { $0.name == "ptlv0" }?.stats)

        // A flap: applied from the event, nothing queued for a read.
        try lab.ip(b, "link", "set", "ptlv1", "down")
        XCTAssertTrue(applyUntil(model) { link(idB, "ptlv1")?.isUp == false && link(idA, "ptlv0")?.hasCarrier == false },
                      "ptlv1 down and ptlv0 without carrier, from events alone")
        let oracle = try Shell.run("ip", "-n", a, "-j", "link", "show", "ptlv0")
        XCTAssertTrue(oracle.contains("NO-CARRIER"), oracle)
        XCTAssertEqual(link(idA, "ptlv0")?.peer?.namespace, idB, "the peer stays resolved")
        XCTAssertFalse(model.pending.contains(idA) || model.pending.contains(idB), "\(model.pending)")
        XCTAssertGreaterThan(model.contentVersion, version, "an event applied is a change of content")

        // An address, and the routes that come with it, are applied from their events: no read.
        try lab.ip(b, "link", "set", "ptlv1", "up")
        XCTAssertTrue(applyUntil(model) { link(idA, "ptlv0")?.hasCarrier == true })
        try lab.ip(a, "addr", "add", "10.213.171.1/24", "dev", "ptlv0")
        func routes(_ ns: UInt64) -> [Route] { model.snapshot?.namespace(id: ns)?.routes ?? [] }
        XCTAssertTrue(applyUntil(model) {
            link(idA, "ptlv0")?.addresses == [IPPrefix("10.213.171.1/24")!] && routes(idA).contains { $0.destinationText == "10.213.171.0/24" }
        }, "address and connected route from events: \(routes(idA).map(\.destinationText))")
        try lab.ip(a, "route", "add", "10.213.172.0/24", "via", "10.213.171.2", "dev", "ptlv0")
        XCTAssertTrue(applyUntil(model) { routes(idA).contains { $0.destinationText == "10.213.172.0/24" && $0.gateway?.description == "10.213.171.2" } })
        XCTAssertEqual(routes(idA).first { $0.destinationText == "10.213.172.0/24" }?.dev, "ptlv0")
        XCTAssertFalse(model.pending.contains(idA) || model.pendingTables.contains(idA),
                       "applied in place: nothing queued (\(model.pendingTables))")
        // The model's routes are the kernel's: the same set as a fresh dump.
        let dumped = SnapshotReader().read(target: a).namespaces.first { $0.id == idA }?.routes ?? []
        func keys(_ rs: [Route]) -> [String] {
            rs.map { "\($0.table) \($0.destinationText) \($0.gateway?.description ?? "-") \($0.dev ?? "-") \($0.type)" }.sorted()
        }
        XCTAssertEqual(keys(routes(idA)), keys(dumped))
        try lab.ip(a, "route", "del", "10.213.172.0/24")
        XCTAssertTrue(applyUntil(model) { !routes(idA).contains { $0.destinationText == "10.213.172.0/24" } })
        XCTAssertFalse(model.pendingTables.contains(idA))

        // A new link queues a read of its namespace.
        try lab.ip(b, "link", "add", "ptlvbr", "type", "bridge")
        XCTAssertTrue(applyUntil(model) { model.pending.contains(idB) })
        let next = model.refresh(read: [], firewall: [])
        XCTAssertEqual(next.namespace(id: idA)?.links.first { $0.name == "ptlv0" }?.addresses, [IPPrefix("10.213.171.1/24")!])
        XCTAssertNotNil(next.namespace(id: idB)?.links.first { $0.name == "ptlvbr" })
        XCTAssertTrue(model.pending.isEmpty && model.pendingTables.isEmpty)

        // Setting the link down makes IPv4 drop its routes without any event: the namespace's tables are read.
        try lab.ip(a, "link", "set", "ptlv0", "down")
        XCTAssertTrue(applyUntil(model) { model.pendingTables.contains(idA) })
        let afterDown = model.refresh(read: [], firewall: [])
        XCTAssertFalse(afterDown.namespace(id: idA)?.routes.contains { $0.destinationText == "10.213.171.0/24" } ?? true,
                       "the flushed connected route is gone after the read")
        XCTAssertEqual(keys(afterDown.namespace(id: idA)?.routes ?? []),
                       keys(SnapshotReader().read(target: a).namespaces.first { $0.id == idA }?.routes ?? []))

        // A ruleset change (iptables-nft commits through nf_tables) queues a firewall read of that namespace only.
        try Shell.run("ip", "netns", "exec", a, "iptables", "-w", "-A", "INPUT", "-s", "10.213.171.9", "-j", "DROP")
        XCTAssertTrue(applyUntil(model) { model.pendingFirewall.contains(idA) })
        XCTAssertFalse(model.pendingFirewall.contains(idB))
        let withRules = model.refresh(read: [], firewall: [])
        let rules = withRules.namespace(id: idA)?.firewall.tables.first { $0.name == "filter" }?.chain("INPUT")?.rules
        XCTAssertEqual(rules?.map(\.rule), ["-s 10.213.171.9/32 -j DROP"])
    }
}

import XCTest
@testable import PlumbModel

/// The incremental drops window: its counts, groups, top flows, events and live evidence equal a naive recount
/// of the drops in the window, over random streams that age out; its memory stays bounded under a flood.
final class DropWindowTests: XCTestCase {
    private let second: UInt64 = 1_000_000_000

    /// A random stream's drop: a few namespaces (one without a name, host-wide ones), reasons, locations (two
    /// addresses in one function, one unresolved), interfaces and flows.
    private func randomDrop(at nanos: UInt64, _ rng: inout some RandomNumberGenerator) -> PacketDrop {
        let namespaces: [(UInt64?, String?)] = [(4026532001, "pt-a"), (4026532002, "pt-b"), (4026532003, nil), (nil, nil)]
        let reasons = [DropReason(code: 2, name: "NOT_SPECIFIED"), DropReason(code: 6, name: "NETFILTER_DROP"),
                       DropReason(code: 3, name: "NO_SOCKET")]
        let locations = [KernelLocation(address: 0xffffffff81000010, symbol: "ip6_mc_input", offset: 0x10),
                         KernelLocation(address: 0xffffffff81000020, symbol: "ip6_mc_input", offset: 0x20),
                         KernelLocation(address: 0xffffffffc0a013c4, symbol: "nft_do_chain", offset: 0x3c4, module: "nf_tables"),
                         KernelLocation(address: 0xffffffff820a8770)]
        let interfaces: [(Int32?, String?)] = [(2, "eth0"), (3, "eth1"), (nil, nil)]
        let (inode, name) = namespaces.randomElement(using: &rng)!
        let (ifindex, interface) = inode == nil ? (nil, nil) : interfaces.randomElement(using: &rng)!
        var flow: DropFlow?
        if Int.random(in: 0..<5, using: &rng) > 0 {
            flow = DropFlow(protocolNumber: 17, src: IPAddress(ipv4: 0x0AD50100 | UInt32.random(in: 1...3, using: &rng)),
                            dst: IPAddress(ipv4: 0x0AD50201), srcPort: UInt16.random(in: 40000...40020, using: &rng), dstPort: 53)
        }
        return PacketDrop(monotonicNanos: nanos, time: 1_800_000_000 + Double(nanos) / 1e9,
                          reason: reasons.randomElement(using: &rng)!, location: locations.randomElement(using: &rng)!,
                          netnsCookie: inode.map { $0 + 1 }, netnsInode: inode, namespaceName: name,
                          ifindex: ifindex, interface: interface, etherType: 0x86dd, flow: flow)
    }

    /// The summary the TUI made before the window: every drop of the period grouped by strings.
    private func naiveSummary(_ drops: [PacketDrop], seconds: Double) -> DropSummary {
        struct Key: Hashable { var ns: String; var inode: UInt64?; var reason: String; var location: String }
        var counts: [Key: Int] = [:], flows: [Key: [DropFlow: Int]] = [:], interfaces: [Key: Set<String>] = [:]
        for d in drops {
            let k = Key(ns: d.namespaceLabel, inode: d.netnsInode, reason: d.reason.name, location: d.location.function)
            counts[k, default: 0] += 1
            if let f = d.flow { flows[k, default: [:]][f, default: 0] += 1 }
            if let i = d.interface, !i.isEmpty { interfaces[k, default: []].insert(i) }
        }
        let groups = counts.map { k, n in
            DropSummary.Group(namespace: k.ns, netnsInode: k.inode, reason: k.reason, location: k.location,
                              interfaces: (interfaces[k] ?? []).sorted(), count: n, rate: Double(n) / seconds,
                              topFlows: DropSummary.top(flows[k] ?? [:], limit: 5))
        }.sorted { (-$0.count, $0.namespace, $0.reason, $0.location) < (-$1.count, $1.namespace, $1.reason, $1.location) }
        return DropSummary(seconds: seconds, total: drops.count, lost: 0, groups: groups)
    }

    private func naiveEvents(_ drops: [PacketDrop]) -> [ChangeEvent] {
        struct Key: Hashable { var ns: String; var reason: String; var location: String; var interface: String? }
        var order: [Key] = [], groups: [Key: (count: Int, last: PacketDrop)] = [:]
        for d in drops {
            let k = Key(ns: d.namespaceLabel, reason: d.reason.name, location: d.location.function, interface: d.interface)
            if groups[k] == nil { order.append(k) }
            groups[k] = ((groups[k]?.count ?? 0) + 1, d)
        }
        return order.map { k in
            let g = groups[k]!
            var text = "dropped " + (g.count == 1 ? "" : "\(DropCounts.grouped(g.count)) × ") + "\(k.reason) in \(k.location)"
            if let i = k.interface { text += " on \(i)" }
            return ChangeEvent(time: g.last.time, namespace: k.ns, kind: .drop, text: text + ": " + (g.last.flow?.description ?? g.last.protocolName))
        }
    }

    func testCountsEqualANaiveRecountOverRandomStreamsWithExpiry() {
        var rng = SystemRandomNumberGenerator()
        for run in 0..<2 {
            var window = DropWindow(seconds: 10)
            var all: [PacketDrop] = [], sinceEvents: [PacketDrop] = []
            var now: UInt64 = 1000 * second
            // 40 s of drops at changing rates, with quiet stretches so that groups empty and come back.
            for step in 0..<120 {
                now += second / 4 + UInt64.random(in: 0..<(second / 8), using: &rng)
                let burst = step % 37 < 5 ? 0 : Int.random(in: 0..<60, using: &rng)
                var batch = (0..<burst).map { _ in randomDrop(at: now - UInt64.random(in: 0..<(second / 4), using: &rng), &rng) }
                batch.sort { $0.monotonicNanos < $1.monotonicNanos }
                window.record(contentsOf: batch)
                window.advance(nowNanos: now)
                all += batch
                sinceEvents += batch
                if step % 3 == 0 {
                    XCTAssertEqual(window.takeEvents(), naiveEvents(sinceEvents), "run \(run) step \(step): events")
                    sinceEvents = []
                }
                // The window: the drops of the current second and the nine before.
                let first = (now / second - 9) * second
                let inWindow = all.filter { $0.monotonicNanos >= first && $0.monotonicNanos <= now }
                XCTAssertEqual(window.total, inWindow.count, "run \(run) step \(step)")
                XCTAssertEqual(window.summary(seconds: 10), naiveSummary(inWindow, seconds: 10), "run \(run) step \(step)")
                let activity = DropActivity(window: &window, windowSeconds: 10, mode: "bpf")
                XCTAssertEqual(activity, DropActivity(drops: inWindow, windowSeconds: 10, mode: "bpf"), "run \(run) step \(step)")
                let finding = Finding(id: "x", check: "c", checkNumber: 1, severity: .error, title: "t",
                                      subjects: [.init(namespace: 4026532001, kind: .namespace),
                                                 .init(namespace: 4026532003, kind: .link, name: "eth1")],
                                      evidence: [], explanation: "")
                let relevant = inWindow.filter { $0.netnsInode == 4026532001 || ($0.netnsInode == 4026532003 && $0.interface == "eth1") }
                XCTAssertEqual(DropEvidence.annotate([finding], window: window, seconds: 10)[0].evidence,
                               DropEvidence.line(relevant, seconds: 10).map { ["live: " + $0] } ?? [], "run \(run) step \(step)")
            }
        }
    }

    /// The kernel's tallies (each detail's drops of about a second and the newest of them) count like the drops
    /// they stand for: the same totals, groups and events; of their 5-tuples only the newest is known.
    func testTalliesCountLikeTheDropsTheyStandFor() {
        var rng = SystemRandomNumberGenerator()
        var drops: [PacketDrop] = []
        for i in 0..<3_000 { drops.append(randomDrop(at: 5 * second + UInt64(i) * 1_000_000, &rng)) }
        // One tally per detail and second, as the BPF program's map holds them between two takes.
        struct Key: Hashable { var inode: UInt64?; var reason: UInt32; var address: UInt64; var ifindex: Int32?; var second: UInt64 }
        var tallies: [Key: DropTally] = [:], order: [Key] = []
        for d in drops {
            let k = Key(inode: d.netnsInode, reason: d.reason.code, address: d.location.address, ifindex: d.ifindex,
                        second: d.monotonicNanos / second)
            if let t = tallies[k] { tallies[k] = DropTally(newest: d, count: t.count + 1) } else {
                order.append(k); tallies[k] = DropTally(newest: d, count: 1)
            }
        }
        XCTAssertLessThan(tallies.count, drops.count / 5, "the stream has few details a second")
        var one = DropWindow(seconds: 10), tallied = DropWindow(seconds: 10)
        one.record(contentsOf: drops)
        tallied.record(tallies: order.map { tallies[$0]! })
        XCTAssertEqual(tallied.total, one.total)
        XCTAssertEqual(tallied.recorded, one.recorded)
        let a = one.summary(seconds: 10), b = tallied.summary(seconds: 10)
        XCTAssertEqual(b.total, 3_000)
        XCTAssertEqual(b.groups.map { [$0.namespace, $0.reason, $0.location] }, a.groups.map { [$0.namespace, $0.reason, $0.location] })
        XCTAssertEqual(b.groups.map(\.count), a.groups.map(\.count))
        XCTAssertEqual(b.groups.map(\.interfaces), a.groups.map(\.interfaces))
        // Each tally's newest 5-tuple is kept; the others it stands for are counted as not kept.
        let withFlow = order.map { tallies[$0]! }.filter { $0.newest.flow != nil }
        XCTAssertEqual(b.flowsNotKept, withFlow.reduce(0) { $0 + $1.count - 1 })
        XCTAssertLessThanOrEqual(b.groups.reduce(0) { $0 + $1.topFlows.reduce(0) { $0 + $1.count } }, withFlow.count)
        // The events: per detail, the count and the newest drop's 5-tuple, as from the drops themselves.
        XCTAssertEqual(tallied.takeEvents().map(\.text).sorted(), one.takeEvents().map(\.text).sorted())
    }

    /// `limit` makes only the last lines; the others' drops are taken all the same (not reported again).
    func testEventsLimitMakesTheLastLinesAndTakesAll() {
        var rng = SystemRandomNumberGenerator()
        let drops = (0..<2_000).map { randomDrop(at: 5 * second + UInt64($0) * 1_000, &rng) }
        var all = DropWindow(seconds: 10), limited = DropWindow(seconds: 10)
        all.record(contentsOf: drops)
        limited.record(contentsOf: drops)
        let every = all.takeEvents()
        XCTAssertGreaterThan(every.count, 5)
        XCTAssertEqual(limited.takeEvents(limit: 5), Array(every.suffix(5)))
        XCTAssertEqual(limited.takeEvents(limit: 5), [], "taken, not kept for the next call")
    }

    /// Past `collapseAbove` lines, one line per reason and location: the total, in how many namespaces, the
    /// busiest namespace and interface, the newest 5-tuple.
    func testManyDropLinesCollapseToOnePerReasonAndLocation() {
        func drop(_ ns: UInt64, _ n: Int, reason: String = "IPV6_NDISC_NS_OTHERHOST", port: UInt16 = 0) -> PacketDrop {
            PacketDrop(monotonicNanos: 5 * second + UInt64(n), time: 1_800_000_000 + Double(n) / 1e6,
                       reason: DropReason(code: reason == "NO_SOCKET" ? 3 : 71, name: reason),
                       location: KernelLocation(address: 0xffffffff81000010, symbol: "ndisc_rcv", offset: 0x10),
                       netnsCookie: ns + 1, netnsInode: ns, namespaceName: "pt-s\(ns)", ifindex: 2, interface: "eth0",
                       etherType: 0x86dd,
                       flow: DropFlow(protocolNumber: 17, src: IPAddress(ipv4: 0x0AD50101), dst: IPAddress(ipv4: 0x0AD50102),
                                      srcPort: 40000, dstPort: port))
        }
        var w = DropWindow(seconds: 10)
        var n = 0
        for ns in UInt64(1)...30 {
            for _ in 0..<(ns == 7 ? 5 : 1) { w.record(drop(ns, n)); n += 1 }
        }
        w.record(drop(3, n, reason: "NO_SOCKET", port: 53)); n += 1
        w.record(drop(9, n, port: 9))   // the newest of the multicast drops
        let lines = w.takeEvents(collapseAbove: 20)
        XCTAssertEqual(lines.map(\.text), [
            "dropped 35 × IPV6_NDISC_NS_OTHERHOST in ndisc_rcv in 30 namespaces, most in pt-s7 on eth0: udp 10.213.1.1:40000 > 10.213.1.2:9",
            "dropped NO_SOCKET in ndisc_rcv on eth0: udp 10.213.1.1:40000 > 10.213.1.2:53",
        ])
        XCTAssertEqual(lines.map(\.namespace), ["pt-s7", "pt-s3"])
        // Few lines are not collapsed.
        w.record(drop(4, n + 1))
        XCTAssertEqual(w.takeEvents(collapseAbove: 20).map(\.text),
                       ["dropped IPV6_NDISC_NS_OTHERHOST in ndisc_rcv on eth0: udp 10.213.1.1:40000 > 10.213.1.2:0"])
    }

    func testANewGroupIsInTheNextSummary() {
        var window = DropWindow(seconds: 10)
        var rng = SystemRandomNumberGenerator()
        var a = randomDrop(at: 5 * second, &rng)
        a.reason = DropReason(code: 6, name: "NETFILTER_DROP")
        window.record(a)
        XCTAssertTrue(window.hasNewGroups)
        window.takeNewGroups()
        window.record(a)
        XCTAssertFalse(window.hasNewGroups, "a drop of a known group is not news")
        var b = a
        b.reason = DropReason(code: 3, name: "NO_SOCKET")
        window.record(b)
        XCTAssertTrue(window.hasNewGroups)
        XCTAssertEqual(window.summary(seconds: 10).groups.map(\.reason), ["NETFILTER_DROP", "NO_SOCKET"])
        XCTAssertEqual(window.summary(seconds: 10).groups.map(\.count), [2, 1])
    }

    func testDropsLeaveAfterTheWindowAndTheirRowsAreReused() {
        var window = DropWindow(seconds: 10)
        var rng = SystemRandomNumberGenerator()
        var held: [Int] = [], distinct: [Int] = []
        for cycle in 0..<5 {
            let base = UInt64(100 + cycle * 30) * second
            var kinds = Set<String>()
            for i in 0..<500 {
                let d = randomDrop(at: base + UInt64(i) * (second / 100), &rng)
                kinds.insert("\(String(describing: d.netnsInode)) \(d.reason.code) \(d.location.address) \(String(describing: d.ifindex))")
                window.record(d)
            }
            distinct.append(kinds.count)
            _ = window.takeEvents()
            XCTAssertEqual(window.total, 500)
            window.advance(nowNanos: base + 14 * second)
            XCTAssertEqual(window.total, 0, "cycle \(cycle): every drop left")
            XCTAssertTrue(window.summary(seconds: 10).groups.isEmpty)
            XCTAssertEqual(window.keptFlowEntries, 0)
            window.advance(nowNanos: base + 15 * second)  // rows with nothing pending are freed on the next second
            held.append(window.detailCapacity)
        }
        XCTAssertLessThanOrEqual(held.max()!, distinct.max()!, "rows are reused each cycle: \(held), kinds \(distinct)")
        // A drop older than the window is an event, not a count; time never goes back.
        window.record(randomDrop(at: 10 * second, &rng))
        XCTAssertEqual(window.total, 0)
        XCTAssertEqual(window.takeEvents().count, 1)
    }

    /// 1,000,000 drops in 10 s (a 100k/s flood, each with a new 5-tuple): the counts stay exact, the flows kept
    /// stay within the limits, and the summary says how many drops' flows were not kept.
    func testMemoryIsBoundedUnderAMillionDrops() {
        let limits = DropWindow.Limits(flowsPerGroup: 64, flowsPerSlot: 512)
        var window = DropWindow(seconds: 10, limits: limits)
        let reason = DropReason(code: 2, name: "NOT_SPECIFIED")
        let location = KernelLocation(address: 0xffffffff81000010, symbol: "ip6_mc_input", offset: 0x10)
        var perNamespace: [UInt64: Int] = [:]
        for i in 0..<1_000_000 {
            let inode = 4026532000 + UInt64(i % 20)
            perNamespace[inode, default: 0] += 1
            let flow = DropFlow(protocolNumber: 17, src: IPAddress(ipv4: 0x0AD50000 | UInt32(i & 0xFFFF)),
                                dst: IPAddress(ipv4: 0x0AD5FF01), srcPort: UInt16(truncatingIfNeeded: i >> 16), dstPort: 9)
            window.record(PacketDrop(monotonicNanos: 50 * second + UInt64(i) * 10_000, time: 0, reason: reason,
                                     location: location, netnsCookie: inode, netnsInode: inode, ifindex: 2,
                                     interface: "eth0", etherType: 0x0800, flow: flow))
        }
        XCTAssertEqual(window.total, 1_000_000)
        XCTAssertLessThanOrEqual(window.keptFlowEntries, 10 * limits.flowsPerSlot)
        XCTAssertLessThanOrEqual(window.detailCapacity, 20)
        let summary = window.summary(seconds: 10)
        XCTAssertEqual(summary.groups.count, 20)
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: summary.groups.map { ($0.netnsInode!, $0.count) }), perNamespace)
        XCTAssertEqual(summary.flowsNotKept, 1_000_000 - window.keptFlowEntries, "each kept flow was one drop")
        XCTAssertTrue(summary.groups.allSatisfy { $0.topFlows.count == 5 })
        XCTAssertEqual(window.takeEvents().count, 20)
        // The flood ends: everything leaves, nothing is held.
        window.advance(nowNanos: 80 * second)
        XCTAssertEqual(window.total, 0)
        XCTAssertEqual(window.keptFlowEntries, 0)
        XCTAssertEqual(window.summary(seconds: 10).flowsNotKept, 0)
    }

    func testSameIntegersWithOtherNamesAreOtherGroups() {
        // Two drops that share reason code, address and ifindex but not their names (a fixture, an interface
        // renamed) are still told apart.
        var window = DropWindow(seconds: nil)
        var rng = SystemRandomNumberGenerator()
        let a = randomDrop(at: 1, &rng)
        var b = a
        b.reason.name = "OTHER"
        b.location.symbol = "other_fn"
        for d in [a, b, a] { window.record(d) }
        XCTAssertEqual(window.summary(seconds: 1), naiveSummary([a, b, a], seconds: 1))
    }
}

import XCTest
@testable import PlumbModel

/// The drops window under a host-wide IPv6 multicast storm (issue 18: 500 namespaces dropping router
/// solicitations and MLD reports, fed as the kernel's tallies once a second), and the edges of its integer
/// bookkeeping: the events log's collapsed lines, the flow entries a detail remembers, slots of earlier seconds,
/// reason-locations renumbered after groups leave. Everything is checked against a recount by strings.
final class DropWindowStormTests: XCTestCase {
    private let second: UInt64 = 1_000_000_000
    private let base: UInt64 = 4026533000
    private let multicast = (DropReason(code: 2, name: "NOT_SPECIFIED"),
                             KernelLocation(address: 0xffffffff81a00010, symbol: "ip6_mc_input", offset: 0x10))
    private let ndisc = (DropReason(code: 71, name: "IPV6_NDISC_NS_OTHERHOST"),
                         KernelLocation(address: 0xffffffff81b00020, symbol: "ndisc_rcv", offset: 0x20))

    private func drop(ns: Int, _ reason: (DropReason, KernelLocation), interface: String, at nanos: UInt64,
                      name: String? = nil, flowID: UInt16 = 0) -> PacketDrop {
        PacketDrop(monotonicNanos: nanos, time: 1_800_000_000 + Double(nanos) / 1e9, reason: reason.0, location: reason.1,
                   netnsCookie: base + UInt64(ns) + 1, netnsInode: base + UInt64(ns), namespaceName: name,
                   ifindex: Int32(interface.utf8.last!), interface: interface, etherType: 0x86dd,
                   flow: DropFlow(protocolNumber: 58, src: IPAddress(ipv6High: 0xfe80 << 48, low: UInt64(ns)),
                                  dst: IPAddress(ipv6High: 0xff02 << 48, low: 2), icmp: .init(type: 133, code: 0, id: flowID)))
    }

    /// The events log's lines as the window made them before it counted by integers: per namespace (inode and
    /// name), reason, location and interface in order of arrival (count, newest drop); past `collapseAbove` lines,
    /// per reason and location with the set of namespace labels, the first busiest line and the newest drop.
    private func naiveEvents(_ drops: [(PacketDrop, Int)], names: [UInt64: String], collapseAbove: Int) -> [String] {
        func label(_ d: PacketDrop) -> String { d.namespaceName ?? names[d.netnsInode!] ?? "net:[\(d.netnsInode!)]" }
        struct Key: Hashable {
            var inode: UInt64?; var name: String?; var ns: String; var reason: String; var function: String; var interface: String?
        }
        var order: [Key] = [], lines: [Key: (count: Int, last: PacketDrop)] = [:]
        for (d, n) in drops {
            let k = Key(inode: d.netnsInode, name: d.namespaceName, ns: label(d), reason: d.reason.name, function: d.location.function, interface: d.interface)
            if let l = lines[k] { lines[k] = (l.count + n, d.time >= l.last.time ? d : l.last) } else { order.append(k); lines[k] = (n, d) }
        }
        func text(_ count: Int, _ k: Key, _ last: PacketDrop, across: Int) -> String {
            var t = "dropped " + (count == 1 ? "" : "\(DropCounts.grouped(count)) × ") + "\(k.reason) in \(k.function)"
            if across > 1 { t += " in \(DropCounts.grouped(across)) namespaces, most in \(k.ns)" }
            if let i = k.interface { t += " on \(i)" }
            return t + ": " + last.flow!.description
        }
        guard order.count > collapseAbove else { return order.map { text(lines[$0]!.count, $0, lines[$0]!.last, across: 1) } }
        struct At: Hashable { var reason: String; var function: String }
        var ats: [At] = [], acc: [At: (count: Int, labels: Set<String>, busiest: Key, most: Int, newest: PacketDrop)] = [:]
        for k in order {
            let (count, last) = lines[k]!
            let at = At(reason: k.reason, function: k.function)
            if var a = acc[at] {
                a.count += count
                a.labels.insert(k.ns)
                if count > a.most { a.busiest = k; a.most = count }
                if last.time >= a.newest.time { a.newest = last }
                acc[at] = a
            } else {
                ats.append(at)
                acc[at] = (count, [k.ns], k, count, last)
            }
        }
        return ats.map { at in
            let a = acc[at]!
            return text(a.count, a.busiest, a.newest, across: a.labels.count)
        }
    }

    /// 500 namespaces × 3 interfaces × 2 reasons tallied once a second for 25 s (~10,000 drops/s), the flows the
    /// same every second but every fourth second (when all are new, and the entries of flows gone are reused):
    /// each second's collapsed events, the window's total, rates and summary equal a recount by strings.
    func testAMulticastStormOfTalliesCountsAndCollapsesLikeARecount() {
        let interfaces = ["eth0", "eth1", "veth-pt-ab12"]
        var names: [UInt64: String] = [:]
        for ns in 0..<500 where ns % 50 != 7 { names[base + UInt64(ns)] = "pt-storm-\(ns)" }  // some unnamed
        var window = DropWindow(seconds: 10)
        var history: [[(PacketDrop, Int)]] = []
        var spent: UInt64 = 0
        for s in 0..<25 {
            var tallies: [DropTally] = []
            var k = 0
            for ns in 0..<500 {
                for i in interfaces {
                    for reason in [multicast, ndisc] {
                        k += 1
                        // Namespace 3 is the busiest on eth1; namespace 9's ndisc drop on eth0 is each second's newest.
                        let newest = ns == 9 && i == "eth0" && reason.0.code == ndisc.0.code
                        let nanos = UInt64(100 + s) * second + (newest ? 990_000_000 : UInt64(k) * 300_000)
                        let count = ns == 3 && i == "eth1" ? 40 : 3 + k % 2
                        tallies.append(DropTally(newest: drop(ns: ns, reason, interface: i, at: nanos,
                                                              flowID: s % 4 == 3 ? UInt16(s) : 0), count: count))
                    }
                }
            }
            let t0 = DispatchTime.now().uptimeNanoseconds
            window.record(tallies: tallies)
            window.advance(nowNanos: UInt64(100 + s) * second + 999_000_000)
            let events = window.takeEvents(names: names, limit: 1000, collapseAbove: 20)
            spent += DispatchTime.now().uptimeNanoseconds - t0
            let second = tallies.map { ($0.newest, $0.count) }
            history.append(second)
            XCTAssertEqual(events.map(\.text), naiveEvents(second, names: names, collapseAbove: 20), "second \(s)")
            XCTAssertEqual(events.count, 2)
            XCTAssertTrue(events[1].text.hasPrefix("dropped 4,537 × IPV6_NDISC_NS_OTHERHOST in ndisc_rcv in 500 namespaces, "
                                                   + "most in pt-storm-3 on eth1: icmpv6 fe80::9 > ff02::2 type 133 code 0"), events[1].text)
            XCTAssertEqual(events[1].namespace, "pt-storm-3")
            let inWindow = history.suffix(10).flatMap { $0 }
            XCTAssertEqual(window.total, inWindow.reduce(0) { $0 + $1.1 }, "second \(s)")
            if s % 3 == 0 {
                let activity = DropActivity(window: &window, windowSeconds: 10, mode: "bpf", names: names, groups: false)
                var perNamespace: [UInt64: Int] = [:]
                for (d, n) in inWindow { perNamespace[d.netnsInode!, default: 0] += n }
                XCTAssertEqual(activity.perNamespace, perNamespace.mapValues { Double($0) / 10 }, "second \(s)")
                XCTAssertEqual(activity.perInterface.count, 1500)
                // Each tally's newest 5-tuple is kept; the drops it stands for besides are not.
                XCTAssertEqual(activity.summary.flowsNotKept, inWindow.reduce(0) { $0 + $1.1 - 1 }, "second \(s)")
            }
        }
        // The Drops tab's rows: per namespace × reason, its count and its top flows by a recount.
        let summary = window.summary(seconds: 10, topFlows: 2, names: names)
        let inWindow = history.suffix(10).flatMap { $0 }
        XCTAssertEqual(summary.groups.count, 1000)
        XCTAssertEqual(summary.total, inWindow.reduce(0) { $0 + $1.1 })
        XCTAssertEqual(summary.groups[0].namespace, "pt-storm-3")
        XCTAssertEqual(summary.groups[0].reason, "NOT_SPECIFIED")
        XCTAssertEqual(summary.groups[0].count, 10 * (4 + 40 + 4), "the busiest row first")
        var flows: [String: [DropFlow: Int]] = [:]
        for (d, _) in inWindow { flows["\(d.netnsInode!) \(d.reason.name)", default: [:]][d.flow!, default: 0] += 1 }
        for g in summary.groups {
            XCTAssertEqual(g.topFlows, DropSummary.top(flows["\(g.netnsInode!) \(g.reason)"]!, limit: 2), g.namespace)
        }
        print("storm: \(spent / 25 / 1000) µs per storm-second (debug build; bench/drops-window.sh times a release build)")
    }

    /// Two namespaces that print the same label (a name given with the drops, another from the caller's names)
    /// are one namespace in a collapsed line, as the log prints them.
    func testCollapsedLinesCountNamespacesByTheirLabels() {
        var window = DropWindow(seconds: 10)
        var drops: [(PacketDrop, Int)] = []
        for ns in 0..<25 {
            drops.append((drop(ns: ns, ndisc, interface: "eth0", at: 5 * second + UInt64(ns), name: ns == 1 ? "pt-same" : nil), 1))
        }
        let names = [base + 2: "pt-same", base + 3: "pt-same"]
        for (d, _) in drops { window.record(d) }
        let lines = window.takeEvents(names: names, collapseAbove: 20).map(\.text)
        XCTAssertEqual(lines, naiveEvents(drops, names: names, collapseAbove: 20))
        XCTAssertTrue(lines[0].contains(" in 23 namespaces, most in net:[\(base)] on eth0"), lines[0])
    }

    /// A collapsed line names the busiest line's namespace and interface, and the newest drop's 5-tuple, which may
    /// be elsewhere; equal busiest lines: the first.
    func testACollapsedLineTakesTheBusiestInterfaceAndTheNewestFlow() {
        var window = DropWindow(seconds: 10)
        var drops: [(PacketDrop, Int)] = []
        for ns in 0..<22 {
            drops.append((drop(ns: ns, multicast, interface: "eth0", at: 5 * second + UInt64(ns)), ns == 4 || ns == 6 ? 9 : 2))
            drops.append((drop(ns: ns, multicast, interface: "eth2", at: 5 * second + 100 + UInt64(ns)), ns == 5 ? 9 : 1))
        }
        drops.append((drop(ns: 20, multicast, interface: "eth1", at: 6 * second, flowID: 77), 1))
        window.record(tallies: drops.map { DropTally(newest: $0.0, count: $0.1) })
        let names = Dictionary(uniqueKeysWithValues: (0..<22).map { (base + UInt64($0), "pt-n\($0)") })
        let lines = window.takeEvents(names: names, collapseAbove: 20)
        XCTAssertEqual(lines.map(\.text), naiveEvents(drops, names: names, collapseAbove: 20))
        XCTAssertEqual(lines.map(\.text), ["dropped 89 × NOT_SPECIFIED in ip6_mc_input in 22 namespaces, most in pt-n4 on eth0: "
                                           + "icmpv6 fe80::14 > ff02::2 type 133 code 0 id 77"])
        XCTAssertEqual(lines[0].namespace, "pt-n4")
        XCTAssertEqual(lines[0].time, drops.last!.0.time)
    }

    /// A detail remembers the flow entry its last 5-tuple counted in. When that entry was freed (its drops left
    /// the window) and reused by another group's 5-tuple, the detail's next drop of its old 5-tuple counts in an
    /// entry of its own, not in the other's.
    func testAReusedFlowEntryIsNotTakenForTheDetailsOldOne() {
        var window = DropWindow(seconds: 10)
        let a = drop(ns: 1, ndisc, interface: "eth0", at: 10 * second)
        window.record(a)
        window.advance(nowNanos: 30 * second)   // a's drop leaves; its entry is free
        XCTAssertEqual(window.keptFlowEntries, 0)
        let b = drop(ns: 2, multicast, interface: "eth0", at: 30 * second, flowID: 5)
        window.record(b)                          // takes a's old entry
        var again = a
        again.monotonicNanos = 31 * second
        window.record(again)
        window.record(again)
        let summary = window.summary(seconds: 10)
        XCTAssertEqual(summary.groups.map(\.namespace), ["net:[\(base + 1)]", "net:[\(base + 2)]"])
        XCTAssertEqual(summary.groups.map(\.topFlows), [[.init(flow: a.flow!, count: 2)], [.init(flow: b.flow!, count: 1)]])
        XCTAssertEqual(window.keptFlowEntries, 2)
    }

    /// A drop of an earlier second still in the window counts its 5-tuple in that second's slot: a 5-tuple seen in
    /// two seconds is one entry of each slot, and each slot's limit counts its own distinct 5-tuples.
    func testDropsOfAnEarlierSecondCountTheirFlowsInThatSlot() {
        var window = DropWindow(seconds: 10, limits: .init(flowsPerGroup: 1, flowsPerSlot: 100))
        let f = drop(ns: 1, ndisc, interface: "eth0", at: 20 * second)
        var earlier = f
        earlier.monotonicNanos = 19 * second
        var other = drop(ns: 1, ndisc, interface: "eth0", at: 19 * second + 5, flowID: 9)
        window.record(f)
        window.record(earlier)   // second 19: f is its slot's one flow of the group
        window.record(other)     // second 19: a second flow of the group, over the limit: not kept
        window.record(f)         // second 20: counted in its entry
        other.monotonicNanos = 20 * second + 7
        window.record(other)     // second 20: over the limit too
        XCTAssertEqual(window.keptFlowEntries, 2, "f in the slots of seconds 19 and 20")
        var summary = window.summary(seconds: 10)
        XCTAssertEqual(summary.groups.map(\.count), [5])
        XCTAssertEqual(summary.groups[0].topFlows, [.init(flow: f.flow!, count: 3)])
        XCTAssertEqual(summary.flowsNotKept, 2)
        window.advance(nowNanos: 29 * second)   // second 19 leaves
        summary = window.summary(seconds: 10)
        XCTAssertEqual(summary.groups[0].topFlows, [.init(flow: f.flow!, count: 2)])
        XCTAssertEqual(summary.flowsNotKept, 1)
        XCTAssertEqual(window.keptFlowEntries, 1)
    }

    /// Groups leave and the reason-locations are numbered again (those of the groups left): a group that stayed and
    /// the new ones still collapse per reason and location.
    func testCollapsedLinesAfterGroupsLeft() {
        var window = DropWindow(seconds: 10)
        let other = (DropReason(code: 3, name: "NO_SOCKET"), KernelLocation(address: 0xffffffff81c00030, symbol: "udp_rcv", offset: 0x30))
        for ns in 0..<30 { window.record(drop(ns: ns, multicast, interface: "eth0", at: 10 * second + UInt64(ns))) }
        window.record(drop(ns: 0, ndisc, interface: "eth1", at: 10 * second + 100))
        XCTAssertEqual(window.takeEvents(collapseAbove: 20).count, 2)
        // Namespace 0's ndisc_rcv group stays (drops at 12 s and 20 s); the multicast groups leave and are freed at 22 s.
        window.record(drop(ns: 0, ndisc, interface: "eth1", at: 12 * second))
        window.record(drop(ns: 0, ndisc, interface: "eth1", at: 20 * second))
        _ = window.takeEvents()
        window.advance(nowNanos: 22 * second)
        XCTAssertEqual(window.groupCount, 1)
        var drops: [(PacketDrop, Int)] = []
        for ns in 0..<30 { drops.append((drop(ns: ns, other, interface: "eth1", at: 23 * second + UInt64(ns)), 2)) }
        for ns in 0..<30 { drops.append((drop(ns: ns, ndisc, interface: "eth1", at: 23 * second + 50 + UInt64(ns)), 1)) }
        for (d, n) in drops { window.record(d, count: n) }
        let lines = window.takeEvents(collapseAbove: 20).map(\.text)
        XCTAssertEqual(lines, naiveEvents(drops, names: [:], collapseAbove: 20))
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[0].hasPrefix("dropped 60 × NO_SOCKET in udp_rcv in 30 namespaces"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("dropped 30 × IPV6_NDISC_NS_OTHERHOST in ndisc_rcv in 30 namespaces"), lines[1])
    }
}

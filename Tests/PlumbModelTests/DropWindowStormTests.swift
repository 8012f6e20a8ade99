import XCTest
@testable import PlumbModel

/// The edges of the drops window's integer bookkeeping (issue 18): the flow entries a detail remembers, and the
/// slots of earlier seconds.
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
}

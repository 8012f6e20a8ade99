import XCTest
import PlumbModel

/// The drops feed's log (the queries the live trace asks) and the summary `plumb drops --for` prints.
final class DropLogTests: XCTestCase {
    private let ms: UInt64 = 1_000_000

    private func drop(at millis: UInt64, cookie: UInt64 = 7, inode: UInt64 = 4026532000, reason: String = "NETFILTER_DROP",
                      code: UInt32 = 12, function: String = "nft_do_chain", flow: DropFlow? = nil,
                      interface: String? = "eth0") -> PacketDrop {
        PacketDrop(monotonicNanos: millis * ms, time: 1_800_000_000 + Double(millis) / 1000,
                   reason: DropReason(code: code, name: reason),
                   location: KernelLocation(address: 0xffffffff81fbea00, symbol: function, offset: 0x10),
                   netnsCookie: cookie, netnsInode: inode, namespaceName: "pt-a", ifindex: 2, interface: interface,
                   etherType: 0x0800, flow: flow, length: 84)
    }

    private func udp(_ sport: UInt16, _ dport: UInt16) -> DropFlow {
        DropFlow(protocolNumber: 17, src: IPAddress("10.213.1.2")!, dst: IPAddress("10.213.1.3")!, srcPort: sport, dstPort: dport)
    }

    func testQueriesByNamespaceFlowReasonAndWindow() {
        var log = DropLog(capacity: 100)
        log.append(drop(at: 1000, cookie: 7, flow: udp(40000, 53)))
        log.append(drop(at: 1500, cookie: 8, flow: udp(40001, 53)))
        log.append(drop(at: 1900, cookie: 7, reason: "NO_SOCKET", code: 3, function: "__udp4_lib_rcv", flow: udp(40002, 9)))
        let now: UInt64 = 2000 * ms
        XCTAssertEqual(log.drops(DropQuery(netnsCookie: 7), nowNanos: now).count, 2)
        XCTAssertEqual(log.drops(DropQuery(netnsCookie: 7, lastMillis: 500), nowNanos: now).map(\.reason.name), ["NO_SOCKET"])
        XCTAssertEqual(log.drops(DropQuery(lastMillis: 600), nowNanos: now).count, 2)
        XCTAssertEqual(log.drops(DropQuery(protocolNumber: 17, dstPort: 53), nowNanos: now).map(\.netnsCookie), [7, 8])
        XCTAssertEqual(log.count(DropQuery(src: IPAddress("10.213.1.2"), srcPort: 40001), nowNanos: now), 1)
        XCTAssertEqual(log.count(DropQuery(reasonName: "no_socket"), nowNanos: now), 1)
        XCTAssertEqual(log.count(DropQuery(netnsInode: 4026532000), nowNanos: now), 3)
        XCTAssertEqual(log.count(DropQuery(netnsInode: 1), nowNanos: now), 0)
        // Oldest first.
        XCTAssertEqual(log.drops(DropQuery(), nowNanos: now).map(\.monotonicNanos), [1000 * ms, 1500 * ms, 1900 * ms])
    }

    func testAFlowQueryNeverMatchesADropWithoutHeaders() {
        var log = DropLog()
        log.append(drop(at: 10, flow: nil))
        XCTAssertEqual(log.count(DropQuery(protocolNumber: 17), nowNanos: 20 * ms), 0)
        XCTAssertEqual(log.count(DropQuery(), nowNanos: 20 * ms), 1)
    }

    func testICMPIdQuery() {
        var log = DropLog()
        var icmp = DropFlow(protocolNumber: 1, src: IPAddress("10.213.1.2")!, dst: IPAddress("10.213.1.3")!)
        icmp.icmp = .init(type: 8, code: 0, id: 4242)
        log.append(drop(at: 10, flow: icmp))
        XCTAssertEqual(log.count(DropQuery(icmpID: 4242), nowNanos: 20 * ms), 1)
        XCTAssertEqual(log.count(DropQuery(icmpID: 1), nowNanos: 20 * ms), 0)
        XCTAssertEqual(icmp.description, "icmp 10.213.1.2 > 10.213.1.3 type 8 code 0 id 4242")
    }

    func testCapacityKeepsTheNewestAndExpiryForgetsTheOld() {
        var log = DropLog(capacity: 3, retentionMillis: 1000)
        for t in 1...5 { log.append(drop(at: UInt64(t) * 100)) }
        XCTAssertEqual(log.count, 3)
        XCTAssertEqual(log.appended, 5)
        XCTAssertEqual(log.all.map(\.monotonicNanos), [300 * ms, 400 * ms, 500 * ms])
        log.expire(nowNanos: 1450 * ms)
        XCTAssertEqual(log.all.map(\.monotonicNanos), [500 * ms])
        log.append(drop(at: 1500))
        XCTAssertEqual(log.drops(DropQuery(lastMillis: 10), nowNanos: 1505 * ms).count, 1)
    }

    func testSummaryGroupsByNamespaceReasonAndLocationWithTopFlows() {
        var drops: [PacketDrop] = []
        for _ in 0..<6 { drops.append(drop(at: 1, flow: udp(40000, 53))) }
        for _ in 0..<3 { drops.append(drop(at: 2, flow: udp(40001, 53), interface: "veth1")) }
        drops.append(drop(at: 3, reason: "NO_SOCKET", code: 3, function: "__udp4_lib_rcv", flow: udp(1, 9)))
        let s = DropSummary(drops: drops, seconds: 2, lost: 4, topFlows: 1)
        XCTAssertEqual(s.total, 10)
        XCTAssertEqual(s.lost, 4)
        XCTAssertEqual(s.groups.map(\.reason), ["NETFILTER_DROP", "NO_SOCKET"])
        let first = s.groups[0]
        XCTAssertEqual(first.count, 9)
        XCTAssertEqual(first.rate, 4.5)
        XCTAssertEqual(first.location, "nft_do_chain")
        XCTAssertEqual(first.interfaces, ["eth0", "veth1"])
        XCTAssertEqual(first.topFlows.map(\.count), [6])
        XCTAssertEqual(first.topFlows.first?.flow.description, "udp 10.213.1.2:40000 > 10.213.1.3:53")
    }

    /// The top flows are the ones a full sort by count, then text, would put first: ties at the cut are decided
    /// by the text, and flows below the cut never make it (the selection makes each text once, not per
    /// comparison).
    func testTopFlowsAreThoseOfTheFullSort() {
        var drops: [PacketDrop] = []
        var rng = SystemRandomNumberGenerator()
        for i in 0..<600 {
            // Many one-packet flows, some with 2-4 packets: ties at the cut are the common case.
            let repeats = i % 7 == 0 ? Int.random(in: 2...4, using: &rng) : 1
            for _ in 0..<repeats { drops.append(drop(at: UInt64(i), flow: udp(UInt16(1000 + Int.random(in: 0..<500, using: &rng)), 53))) }
        }
        for limit in [1, 5, 40, 10_000] {
            let s = DropSummary(drops: drops, seconds: 10, topFlows: limit)
            var counted: [DropFlow: Int] = [:]
            for d in drops { counted[d.flow!, default: 0] += 1 }
            let expected = counted.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.description < $1.key.description }
                .prefix(limit).map { "\($0.value)x \($0.key)" }
            XCTAssertEqual(s.groups.first?.topFlows.map { "\($0.count)x \($0.flow)" }, Array(expected), "limit \(limit)")
        }
        XCTAssertEqual(DropSummary(drops: drops, seconds: 10, topFlows: 0).groups.first?.topFlows.count, 0)
    }

    func testFallbackDropsAreHostWide() {
        let d = PacketDrop(monotonicNanos: 1, time: 0, reason: DropReason(code: 3, name: "NO_SOCKET"),
                           location: KernelLocation(address: 0xffffffff820a8770), etherType: 0x86dd)
        XCTAssertFalse(d.isAttributed)
        XCTAssertEqual(d.namespaceLabel, "host-wide")
        XCTAssertEqual(d.protocolName, "ipv6")
        XCTAssertEqual(d.location.description, "0xffffffff820a8770")
    }

    func testCounts() {
        XCTAssertEqual(DropCounts.grouped(1204), "1,204")
        XCTAssertEqual(DropCounts.grouped(999), "999")
        XCTAssertEqual(DropCounts.grouped(1_000_000), "1,000,000")
        XCTAssertEqual(DropCounts.rate(0.2), "<1/s")
        XCTAssertEqual(DropCounts.rate(120.4), "120/s")
        XCTAssertEqual(DropCounts.rate(1234), "1.2k/s")
        XCTAssertEqual(DropCounts.rate(45_600), "46k/s")
    }
}

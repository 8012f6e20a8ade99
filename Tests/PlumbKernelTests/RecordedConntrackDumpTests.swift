import Foundation
import XCTest
import PlumbKernel
import PlumbModel

/// The conntrack reader fed with a dump recorded from a real kernel (Fixtures/conntrack: dump.bin, the answer
/// datagrams; conntrack-L-extended.txt, what `conntrack -L -o extended` printed for the same namespace), without
/// root. The namespace had accounting on, a DNAT rule (tcp to 10.213.5.80:80 → 10.213.5.1:8080), pings over IPv4
/// and IPv6, and entries made by `conntrack -I` (a mark, a zone, an SNAT-like reply tuple).
final class RecordedConntrackDumpTests: XCTestCase {
    private func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: Bundle.module.resourceURL!.appendingPathComponent("Fixtures/conntrack/\(name)"))
    }

    private func entries() throws -> [ConntrackEntry] {
        try RecordedConntrackDump(messages: [UInt8](try fixture("dump.bin"))).entries()
    }

    func testEveryEntryMatchesWhatConntrackPrinted() throws {
        let printed = String(decoding: try fixture("conntrack-L-extended.txt"), as: UTF8.self)
            .split(separator: "\n").map(ConntrackLine.init)
        let ours = try entries()
        XCTAssertEqual(ours.count, printed.count)
        for line in printed {
            let match = ours.first { ConntrackLine(entry: $0) == line }
            XCTAssertNotNil(match, "no entry like: \(line)")
        }
    }

    func testNATIsDerivedFromTheTuples() throws {
        let ours = try entries()
        let dnat = try XCTUnwrap(ours.first { $0.original.dstPort == 80 })
        XCTAssertEqual(dnat.nat, .dnat)
        XCTAssertEqual(dnat.reply.src, IPAddress("10.213.5.1"))
        XCTAssertEqual(dnat.reply.srcPort, 8080)
        XCTAssertEqual(dnat.tcpState, .timeWait)
        XCTAssertTrue(dnat.status.contains(.assured))
        let snat = try XCTUnwrap(ours.first { $0.original.srcPort == 5001 })
        XCTAssertEqual(snat.nat, .snat)
        XCTAssertEqual(ours.filter { $0.nat == .none }.count, 4)
    }

    func testCountersMarkZoneAndICMP() throws {
        let ours = try entries()
        let ping = try XCTUnwrap(ours.first { $0.family == .ipv4 && $0.protocolNumber == 1 })
        XCTAssertEqual(ping.counters, ConntrackCounters(originalPackets: 1, originalBytes: 84, replyPackets: 1, replyBytes: 84))
        XCTAssertEqual(ping.original.icmp?.type, 8)
        XCTAssertEqual(ping.reply.icmp?.type, 0)
        XCTAssertNil(ping.original.srcPort)
        let ping6 = try XCTUnwrap(ours.first { $0.family == .ipv6 })
        XCTAssertEqual(ping6.protocolName, "icmpv6")
        XCTAssertEqual(ping6.original.src, IPAddress("fd13::5"))
        XCTAssertEqual(try XCTUnwrap(ours.first { $0.original.dstPort == 443 }).mark, 7)
        XCTAssertEqual(try XCTUnwrap(ours.first { $0.original.srcPort == 5000 }).zone, 4)
    }

    func testFilterSelectsByTranslatedAddressesPortsAndProtocol() throws {
        let ours = try entries()
        func count(_ f: ConntrackFilter) -> Int { ours.filter(f.matches).count }
        XCTAssertEqual(count(ConntrackFilter()), 6)
        XCTAssertEqual(count(ConntrackFilter(natOnly: true)), 2)
        // The DNAT entry is found by the address the client used and by the one it reached.
        XCTAssertEqual(count(ConntrackFilter(dst: IPPrefix("10.213.5.80/32"), protocolNumber: 6)), 1)
        XCTAssertEqual(count(ConntrackFilter(port: 8080)), 1)
        XCTAssertEqual(count(ConntrackFilter(src: IPPrefix("10.213.5.0/24"), protocolNumber: 17)), 2)
        XCTAssertEqual(count(ConntrackFilter(src: IPPrefix("fd13::/16"))), 1)
    }

    func testJSONRoundTrips() throws {
        let ours = try entries()
        let data = try JSONEncoder().encode(ours)
        XCTAssertEqual(try JSONDecoder().decode([ConntrackEntry].self, from: data), ours)
    }
}

/// The fields of one `conntrack -L -o extended` line that the model has, to compare with an entry.
struct ConntrackLine: Equatable, CustomStringConvertible {
    var proto: String
    var state: String?
    var original: [String: String] = [:]
    var reply: [String: String] = [:]
    var mark: String = "0"
    var zone: String = "0"
    var assured = false

    init(_ line: Substring) {
        let words = line.split(separator: " ")
        proto = String(words[2])
        state = words.count > 5 && !words[5].contains("=") ? String(words[5]) : nil
        var seenSrc = 0
        for w in words {
            if w == "[ASSURED]" { assured = true }
            guard let eq = w.firstIndex(of: "=") else { continue }
            let k = String(w[..<eq]), v = String(w[w.index(after: eq)...])
            if k == "src" { seenSrc += 1 }
            switch k {
            case "mark": mark = v
            case "zone": zone = v
            case "use": break
            default: if seenSrc <= 1 { original[k] = v } else { reply[k] = v }
            }
        }
    }

    init(entry e: ConntrackEntry) {
        proto = e.protocolName
        state = e.tcpState?.name
        original = Self.fields(e.original, e.counters.map { ($0.originalPackets, $0.originalBytes) })
        reply = Self.fields(e.reply, e.counters.map { ($0.replyPackets, $0.replyBytes) })
        mark = String(e.mark)
        zone = String(e.zone)
        assured = e.status.contains(.assured)
    }

    private static func fields(_ t: ConntrackTuple, _ counters: (UInt64, UInt64)?) -> [String: String] {
        var f = ["src": t.src.description, "dst": t.dst.description]
        if let s = t.srcPort, let d = t.dstPort { f["sport"] = String(s); f["dport"] = String(d) }
        if let i = t.icmp { f["type"] = String(i.type); f["code"] = String(i.code); f["id"] = String(i.id) }
        if let (p, b) = counters { f["packets"] = String(p); f["bytes"] = String(b) }
        return f
    }

    var description: String { "\(proto) \(state ?? "-") \(original) \(reply) mark=\(mark) zone=\(zone)" }
}

/// The TUI's conntrack rates between two reads of a table.
final class ConntrackSampleTests: XCTestCase {
    func entry(_ id: UInt32, bytes: UInt64?) -> ConntrackEntry {
        let a = IPAddress(ipv4: 0x0AD5_0001), b = IPAddress(ipv4: 0x0AD5_0002)
        return ConntrackEntry(family: .ipv4, protocolNumber: 17,
                              original: ConntrackTuple(src: a, dst: b, srcPort: UInt16(id), dstPort: 53),
                              reply: ConntrackTuple(src: b, dst: a, srcPort: 53, dstPort: UInt16(id)),
                              counters: bytes.map { ConntrackCounters(originalPackets: 1, originalBytes: $0, replyPackets: 0, replyBytes: 0) },
                              id: id)
    }

    func table(_ entries: [ConntrackEntry]) -> ConntrackTable {
        ConntrackTable(entries: entries, usage: ConntrackUsage(count: entries.count, max: 100, accounting: true))
    }

    func testNewDestroyedAndByteRates() {
        let first = ConntrackSample.next(after: nil, namespace: 1, table: table([entry(1, bytes: 100), entry(2, bytes: 0)]), time: 10)
        XCTAssertNil(first.newPerSecond)
        let second = ConntrackSample.next(after: first, namespace: 1,
                                          table: table([entry(1, bytes: 500), entry(3, bytes: 0), entry(4, bytes: 0)]), time: 12)
        XCTAssertEqual(second.newPerSecond, 1)        // 3 and 4 in 2 s
        XCTAssertEqual(second.destroyedPerSecond, 0.5) // 2 in 2 s
        XCTAssertEqual(second.byteRates, [1: 200])
        // Another namespace starts over.
        XCTAssertNil(ConntrackSample.next(after: second, namespace: 2, table: table([]), time: 13).newPerSecond)
    }
}

/// A kernel without ctnetlink answers EOPNOTSUPP: the error says so in one line and names the module to load.
final class ConntrackErrorTests: XCTestCase {
    func testMissingConntrackIsOneLineNamingTheModule() {
        let e = ConntrackError.answer("conntrack dump", EOPNOTSUPP)
        XCTAssertTrue(e.isUnavailable)
        XCTAssertTrue(e.description.contains("modprobe nf_conntrack_netlink"), e.description)
        XCTAssertFalse(e.description.contains("\n"))
        XCTAssertEqual(e.category, .failure)
        XCTAssertFalse(ConntrackError.answer("conntrack delete", EBUSY).isUnavailable)
        XCTAssertEqual(ConntrackError.kernel("conntrack read", EPERM).category, .permission)
    }
}

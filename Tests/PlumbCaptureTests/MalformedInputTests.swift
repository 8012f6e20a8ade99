import XCTest
@testable import PlumbCapture

/// Constructed bad frames (Fixtures/malformed.pcap, written by Fixtures/generate/fixture_tools.py): each one
/// must decode to a valid prefix plus the right marker.
final class MalformedInputTests: XCTestCase {
    func testMalformedFixture() throws {
        let packets = try Fixtures.decoded("malformed.pcap")
        let statuses = packets.map(\.status)
        XCTAssertEqual(statuses, [
            .malformed("IPv4: header length 12 < 20"),
            .malformed("IPv4: total length 10 < header length 20"),
            .malformed("TCP: data offset 8 < 20"),
            .malformed("DNS: compression loop in question 1"),
            .malformed("DNS: compression loop in answer 1"),
            .malformed("DNS: bad label type in question 1"),
            .malformed("UDP: length 4 < 8"),
            .malformed("UDP: length 200 > IP payload 12"),
            .malformed("IPv6: extension header 0 past end of payload"),
            .malformed("IPv4: version 5"),
            .truncated(layer: "Ethernet"),
            .malformed("TCP: header length 60 > segment length 24"),
            .malformed("VXLAN: more than 8 nested encapsulations"),
            .truncated(layer: "ARP"),
        ])
        // Decoded prefixes.
        XCTAssertEqual(packets[0].layers.count, 1)                    // Ethernet only
        XCTAssertEqual(packets[3].dns?.id, 0xBAD1)                    // the header before the looping name
        XCTAssertEqual(packets[3].udp?.destinationPort, 53)
        XCTAssertEqual(packets[6].udp?.length, 4)
        XCTAssertEqual(packets[10].layers, [])
        let vxlanCount = packets[12].layers.filter { if case .vxlan = $0 { return true } else { return false } }.count
        XCTAssertEqual(vxlanCount, DecodeContext.maxEncapsulationDepth + 1)
        XCTAssertEqual(packets[13].arp?.operation, 1)
        XCTAssertNil(packets[13].arp?.senderIP)

        XCTAssertEqual(packets[3].summary, "IP 10.213.10.1.40001 > 10.213.10.2.53: 47825+ [malformed: DNS: compression loop in question 1]")
        XCTAssertEqual(packets[0].summary, "ethertype IPv4 (0x0800), length 42 [malformed: IPv4: header length 12 < 20]")
        XCTAssertEqual(packets[10].summary, "[|ether]")
    }

    func testDNSPointerChainsAreBounded() {
        // A chain of 40 pointers, each to the previous one: legal-looking but longer than the jump limit.
        var msg: [UInt8] = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        msg += [0x03] + Array("abc".utf8) + [0x00]   // offset 12: "abc."
        var previous = 12
        for _ in 0..<40 {
            let here = msg.count
            msg += [0xC0 | UInt8(previous >> 8), UInt8(previous & 0xFF)]
            previous = here
        }
        let question = msg.count
        msg += [0xC0 | UInt8(previous >> 8), UInt8(previous & 0xFF), 0, 1, 0, 1]
        let long = msg.withUnsafeBytes { raw in try? DNSDecoder.readName(raw, at: question) }
        XCTAssertNil(long)
        // A short chain (four jumps) is fine.
        let short = msg.withUnsafeBytes { raw in try? DNSDecoder.readName(raw, at: 12 + 5 + 2 * 3) }
        XCTAssertEqual(short?.0, "abc.")
    }

    func testEveryTruncationOfARealFrameIsAPrefix() throws {
        // Cutting a VXLAN frame at every length must never produce a malformed marker or a crash: the bytes
        // that remain are a valid prefix, so only "truncated" (or complete, at full length) is acceptable.
        let frame = try Fixtures.load("vxlan.pcap").packets[2].data
        for n in 0...frame.count {
            let p = PacketDecoder.decode(Array(frame.prefix(n)), linkType: .ethernet, wireLength: frame.count)
            if n == frame.count {
                XCTAssertEqual(p.status, .complete)
            } else if case .truncated = p.status {
                continue
            } else {
                XCTFail("length \(n): \(p.status) \(p.summary)")
            }
        }
    }

    func testDecodingStartsAtAnyLayer() throws {
        let frame = try Fixtures.load("dns.pcap").packets[1].data
        let udpStart = 14 + 20
        let fromUDP = PacketDecoder.decode(Array(frame[udpStart...]), startingAt: .udp)
        XCTAssertEqual(fromUDP.summary, "53 > 53000: 4321 1/0/0 A 10.213.9.9 (46)")
        let fromDNS = PacketDecoder.decode(Array(frame[(udpStart + 8)...]), startingAt: .dns)
        XCTAssertEqual(fromDNS.summary, "4321 1/0/0 A 10.213.9.9 (46)")
        let fromIP = PacketDecoder.decode(Array(frame[14...]), startingAt: .ipv4)
        XCTAssertEqual(fromIP.summary, "IP 10.213.1.1.53 > 10.213.1.2.53000: 4321 1/0/0 A 10.213.9.9 (46)")
        XCTAssertEqual(PacketDecoder.decode([1, 2, 3], linkType: LinkType(rawValue: 147)).status,
                       .malformed("unsupported link type 147"))
    }
}

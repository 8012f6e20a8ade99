import XCTest
@testable import PlumbCapture
import PlumbModel

/// Cases the real captures do not contain (IPv4 options and fragments, an IPv6 routing header), built byte by
/// byte.
final class SyntheticFrameTests: XCTestCase {
    private func ethernet(_ type: UInt16, _ payload: [UInt8]) -> [UInt8] {
        [0x02, 0x13, 0, 0, 5, 2, 0x02, 0x13, 0, 0, 5, 1, UInt8(type >> 8), UInt8(type & 0xFF)] + payload
    }

    /// IPv4 header with the given options (already padded to 4 bytes); checksum left zero (not verified).
    private func ipv4(options: [UInt8] = [], id: UInt16 = 0x1234, flagsAndOffset: UInt16, proto: UInt8,
                      payload: [UInt8]) -> [UInt8] {
        let ihl = 20 + options.count
        let total = ihl + payload.count
        return [0x40 | UInt8(ihl / 4), 0, UInt8(total >> 8), UInt8(total & 0xFF), UInt8(id >> 8), UInt8(id & 0xFF),
                UInt8(flagsAndOffset >> 8), UInt8(flagsAndOffset & 0xFF), 64, proto, 0, 0,
                10, 213, 5, 1, 10, 213, 5, 2] + options + payload
    }

    func testIPv4OptionsAndFragments() {
        // First fragment (MF, offset 0) of a 1008-byte UDP datagram, with a Router Alert option.
        let udpHeader: [UInt8] = [0x13, 0x88, 0x17, 0x70, 0x03, 0xF0, 0, 0]   // 5000 > 6000, length 1008
        let first = ethernet(0x0800, ipv4(options: [148, 4, 0, 0], flagsAndOffset: 0x2000, proto: 17,
                                          payload: udpHeader + [UInt8](repeating: 0x61, count: 512)))
        let p1 = PacketDecoder.decode(first, linkType: .ethernet)
        XCTAssertEqual(p1.status, .complete)
        XCTAssertEqual(p1.summary, "IP 10.213.5.1.5000 > 10.213.5.2.6000: UDP, length 1000")
        XCTAssertEqual(p1.ipv4?.headerLength, 24)
        XCTAssertEqual(p1.ipv4?.optionTypes, [148])
        XCTAssertEqual(p1.ipv4?.moreFragments, true)
        XCTAssertEqual(p1.ipv4?.isFragment, true)
        XCTAssertTrue(p1.fields().contains { $0 == ("IPv4", "options", "148") })

        // Second fragment: offset 520 bytes (65 units), last one. No transport header to decode.
        let second = ethernet(0x0800, ipv4(flagsAndOffset: 65, proto: 17, payload: [UInt8](repeating: 0x61, count: 488)))
        let p2 = PacketDecoder.decode(second, linkType: .ethernet)
        XCTAssertEqual(p2.status, .complete)
        XCTAssertEqual(p2.summary, "IP 10.213.5.1 > 10.213.5.2: ip-proto-17")
        XCTAssertEqual(p2.ipv4?.fragmentOffset, 520)
        XCTAssertNil(p2.udp)
        guard case .payload(let rest) = p2.layers.last else { return XCTFail("no payload") }
        XCTAssertEqual(rest.length, 488)
        XCTAssertEqual(rest.context, "IPv4 fragment")

        // Ethernet padding after a short IP packet is not payload.
        let padded = ethernet(0x0800, ipv4(flagsAndOffset: 0x4000, proto: 17, payload: [0x13, 0x88, 0x17, 0x70, 0, 9, 0, 0, 0x21]))
            + [UInt8](repeating: 0, count: 20)
        let p3 = PacketDecoder.decode(padded, linkType: .ethernet)
        XCTAssertEqual(p3.status, .complete)
        XCTAssertEqual(p3.summary, "IP 10.213.5.1.5000 > 10.213.5.2.6000: UDP, length 1")
    }

    func testIPv6RoutingHeader() {
        let src = IPAddress("fd13::1")!.networkBytes, dst = IPAddress("fd13::2")!.networkBytes
        let icmp: [UInt8] = [128, 0, 0, 0, 0, 1, 0, 2]
        let routing: [UInt8] = [58, 2, 4, 1, 0, 0, 0, 0] + IPAddress("fd13::3")!.networkBytes   // SRH, 1 segment left
        let payload = routing + icmp
        let frame = ethernet(0x86DD, [0x60, 0, 0, 0, 0, UInt8(payload.count), 43, 64] + src + dst + payload)
        let p = PacketDecoder.decode(frame, linkType: .ethernet)
        XCTAssertEqual(p.status, .complete)
        XCTAssertEqual(p.summary, "IP6 fd13::1 > fd13::2: srcrt (type 4, segleft 1) ICMP6, echo request, id 1, seq 2, length 8")
        guard case .ipv6Extension(let rh) = p.layers[2] else { return XCTFail("no routing header") }
        XCTAssertEqual(rh.kind, .routing)
        XCTAssertEqual(rh.length, 24)
        XCTAssertEqual(rh.routingType, 4)
        XCTAssertEqual(rh.segmentsLeft, 1)
    }

    func testDNSOverUDPWithEDNSQuery() {
        // Query with one OPT record in the additional section: tcpdump prints " [1au]".
        var dns: [UInt8] = [0x10, 0xE1, 0x01, 0x20, 0, 1, 0, 0, 0, 0, 0, 1]
        dns += [7] + Array("example".utf8) + [4] + Array("test".utf8) + [0, 0, 1, 0, 1]
        dns += [0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0]
        let udp: [UInt8] = [0xCF, 0x08, 0, 53, 0, UInt8(8 + dns.count), 0, 0] + dns
        let frame = ethernet(0x0800, ipv4(flagsAndOffset: 0, proto: 17, payload: udp))
        XCTAssertEqual(PacketDecoder.decode(frame, linkType: .ethernet).summary,
                       "IP 10.213.5.1.53000 > 10.213.5.2.53: 4321+ [1au] A? example.test. (\(dns.count))")
    }
}

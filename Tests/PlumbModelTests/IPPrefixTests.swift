import Foundation
import XCTest
import PlumbModel

/// Prefixes: parsing with reasons, the network/last/broadcast/host math, containment and overlap.
final class IPPrefixTests: XCTestCase {
    func testPrefixParseAndCanonical() throws {
        let p = try IPPrefix.parse("10.213.0.5/24")
        XCTAssertEqual(p.description, "10.213.0.5/24")            // kept as written (an interface address)
        XCTAssertEqual(p.canonical.description, "10.213.0.0/24")
        XCTAssertEqual(p.network.description, "10.213.0.0")
        XCTAssertEqual(p.last.description, "10.213.0.255")
        XCTAssertFalse(p.isNetworkAddress)
        XCTAssertEqual(try IPPrefix.parse("fd13:0:0:0::5/64").canonical.description, "fd13::/64")
        XCTAssertEqual(try IPPrefix.parse("fd13:110::1/64").network.description, "fd13:110::")
        XCTAssertEqual(try IPPrefix.parse("10.1.2.3/0").canonical.description, "0.0.0.0/0")
        XCTAssertTrue(try IPPrefix.parse("::/0").isDefault)
        XCTAssertEqual(try IPPrefix.parse("fd13::1/128").description, "fd13::1/128")
    }

    func testBareAddressesAreSingleAddressPrefixes() throws {
        XCTAssertEqual(IPPrefix(addressOrPrefix: "10.213.123.1")?.description, "10.213.123.1/32")
        XCTAssertEqual(IPPrefix(addressOrPrefix: "fd13::1")?.description, "fd13::1/128")
        XCTAssertEqual(IPPrefix(addressOrPrefix: "10.0.0.0/8")?.description, "10.0.0.0/8")
        XCTAssertNil(IPPrefix(addressOrPrefix: "10.0.0.0/33"))
        XCTAssertNil(IPPrefix("10.0.0.1"))
        XCTAssertEqual(IPPrefix(host: IPAddress("10.0.0.1")!).length, 32)
    }

    func testPrefixRequiringNetworkAddressSuggestsOne() {
        XCTAssertThrowsError(try IPPrefix.parse("10.213.0.5/24", requireNetworkAddress: true)) { e in
            XCTAssertEqual(e as? AddressError, .notNetworkAddress("10.213.0.5/24", suggestion: "10.213.0.0/24"))
            XCTAssertEqual("\(e)", "10.213.0.5/24 is not a network address: did you mean 10.213.0.0/24?")
        }
        XCTAssertThrowsError(try IPPrefix.parse("fd13::1/64", requireNetworkAddress: true)) { e in
            XCTAssertTrue("\(e)".contains("did you mean fd13::/64?"), "\(e)")
        }
        XCTAssertNoThrow(try IPPrefix.parse("10.213.0.0/24", requireNetworkAddress: true))
    }

    func testPrefixRejectsWithReasons() {
        assertBadPrefix("10.0.0.0", contains: "no '/LENGTH'")
        assertBadPrefix("10.0.0.0/33", contains: "prefix length 33 is too long for IPv4 (0-32)")
        assertBadPrefix("fd00::/129", contains: "too long for IPv6 (0-128)")
        assertBadPrefix("10.0.0.0/", contains: "'/' is not a prefix length")
        assertBadPrefix("10.0.0.0/-1", contains: "'/-1' is not a prefix length")
        assertBadPrefix("10.0.0.0/2a", contains: "not a prefix length")
        assertBadPrefix("10.0.0.0/1000", contains: "not a prefix length")
        assertBadPrefix("10.0.0/24", contains: "'10.0.0' is not an IP address")
        assertBadPrefix("10.0.0.0/24/8", contains: "'10.0.0.0/24' is not an IP address")
        assertBadPrefix("fe80::1%eth0/64", contains: "zone index")
        XCTAssertThrowsError(try IPPrefix(IPAddress("10.0.0.0")!, length: 33))
    }

    func testContainsAndOverlaps() throws {
        let net = try IPPrefix.parse("10.213.0.0/16")
        XCTAssertTrue(net.contains(try IPAddress.parse("10.213.255.255")))
        XCTAssertFalse(net.contains(try IPAddress.parse("10.214.0.0")))
        XCTAssertFalse(net.contains(try IPAddress.parse("::ffff:10.213.0.1")))   // other family
        XCTAssertTrue(net.contains(try IPPrefix.parse("10.213.7.0/24")))
        XCTAssertFalse(try IPPrefix.parse("10.213.7.0/24").contains(net))
        XCTAssertTrue(net.overlaps(try IPPrefix.parse("10.213.7.0/24")))
        XCTAssertTrue(try IPPrefix.parse("10.213.7.0/24").overlaps(net))
        XCTAssertTrue(try IPPrefix.parse("0.0.0.0/0").overlaps(net))
        XCTAssertFalse(net.overlaps(try IPPrefix.parse("10.214.0.0/16")))
        XCTAssertFalse(net.overlaps(try IPPrefix.parse("::/0")))
        XCTAssertTrue(try IPPrefix.parse("10.213.110.7/24").contains(try IPAddress.parse("10.213.110.200")))
        XCTAssertFalse(try IPPrefix.parse("10.213.110.0/25").contains(try IPAddress.parse("10.213.110.200")))
        XCTAssertTrue(try IPPrefix.parse("10.213.120.0/21").contains(try IPAddress.parse("10.213.127.255")))
        XCTAssertFalse(try IPPrefix.parse("10.213.120.0/21").contains(try IPAddress.parse("10.213.128.0")))
        let v6 = try IPPrefix.parse("fd13::/64")
        XCTAssertTrue(v6.contains(try IPAddress.parse("fd13::ffff:ffff:ffff:ffff")))
        XCTAssertFalse(v6.contains(try IPAddress.parse("fd13:0:0:1::")))
        XCTAssertTrue(v6.overlaps(try IPPrefix.parse("fd13::8000:0:0:0/65")))
        XCTAssertFalse(v6.overlaps(try IPPrefix.parse("fd14::/64")))
        XCTAssertTrue(try IPPrefix.parse("::/0").contains(try IPAddress.parse("ffff::1")))
        XCTAssertTrue(try IPPrefix.parse("fd13:120::/48").contains(try IPAddress.parse("fd13:120:0:5::9")))
        XCTAssertFalse(try IPPrefix.parse("fd13:120::/48").contains(try IPAddress.parse("fd13:121::1")))
    }

    func testHostsOfOrdinaryAndTinySubnets() throws {
        let p = try IPPrefix.parse("10.213.0.0/24")
        XCTAssertEqual(p.broadcast?.description, "10.213.0.255")
        XCTAssertEqual(p.firstHost.description, "10.213.0.1")
        XCTAssertEqual(p.lastHost.description, "10.213.0.254")
        XCTAssertEqual(p.addressCount, 256)
        let v6 = try IPPrefix.parse("fd13::/64")
        XCTAssertNil(v6.broadcast)
        XCTAssertEqual(v6.firstHost.description, "fd13::1")
        XCTAssertEqual(v6.lastHost.description, "fd13::ffff:ffff:ffff:ffff")
        XCTAssertEqual(v6.addressCount, UInt64.max)   // 2^64 does not fit: saturates
        XCTAssertEqual(try IPPrefix.parse("fd13::/65").addressCount, 1 << 63)
        XCTAssertEqual(try IPPrefix.parse("0.0.0.0/0").lastHost.description, "255.255.255.254")
        XCTAssertEqual(try IPPrefix.parse("0.0.0.0/0").addressCount, 1 << 32)
        let p32 = try IPPrefix.parse("10.0.0.7/32")
        XCTAssertNil(p32.broadcast)
        XCTAssertEqual(p32.firstHost, p32.address)
        XCTAssertEqual(p32.lastHost, p32.address)
        XCTAssertEqual(p32.addressCount, 1)
        let p31 = try IPPrefix.parse("10.0.0.6/31")   // RFC 3021: both addresses are hosts
        XCTAssertNil(p31.broadcast)
        XCTAssertEqual([p31.firstHost, p31.lastHost].map(\.description), ["10.0.0.6", "10.0.0.7"])
        let p30 = try IPPrefix.parse("10.0.0.4/30")
        XCTAssertEqual(p30.broadcast?.description, "10.0.0.7")
        XCTAssertEqual([p30.firstHost, p30.lastHost].map(\.description), ["10.0.0.5", "10.0.0.6"])
        let p127 = try IPPrefix.parse("fd00::/127")
        XCTAssertEqual([p127.firstHost, p127.lastHost].map(\.description), ["fd00::", "fd00::1"])
        let p128 = try IPPrefix.parse("fd00::9/128")
        XCTAssertEqual(p128.firstHost, p128.lastHost)
    }

    func testPrefixCodableLosslessAndAppends() throws {
        let p = try XCTUnwrap(IPPrefix("fd13::/64"))
        let e = JSONEncoder()
        e.outputFormatting = .withoutEscapingSlashes
        XCTAssertEqual(String(decoding: try e.encode([p]), as: UTF8.self), #"["fd13::/64"]"#)
        XCTAssertEqual(try JSONDecoder().decode([IPPrefix].self, from: try e.encode([p])), [p])
        XCTAssertNil(IPPrefix("fd13::/200"))
        XCTAssertNil(IPAddress("fd13::/64"))
        var out: [UInt8] = []
        IPPrefix("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128")!.append(to: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128")
    }

    private func assertBadPrefix(_ text: String, contains fragment: String, line: UInt = #line) {
        XCTAssertNil(IPPrefix(text), line: line)
        XCTAssertThrowsError(try IPPrefix.parse(text), line: line) { e in
            guard case .invalidPrefix(let t, _)? = e as? AddressError else { return XCTFail("\(e)", line: line) }
            XCTAssertEqual(t, text, line: line)
            XCTAssertTrue("\(e)".contains(fragment), "'\(e)' lacks '\(fragment)'", line: line)
        }
    }
}

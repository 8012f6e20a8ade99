import Foundation
import XCTest
@testable import PlumbActions

final class AddressTests: XCTestCase {
    // MARK: addresses

    func testIPv4ParsesAndPrints() throws {
        XCTAssertEqual(try IPAddress.parse("10.213.0.5").description, "10.213.0.5")
        XCTAssertEqual(try IPAddress.parse("0.0.0.0").ipv4Value, 0)
        XCTAssertEqual(try IPAddress.parse("255.255.255.255").ipv4Value, .max)
        XCTAssertEqual(IPAddress(ipv4: 0xAC1E_0001).description, "172.30.0.1")
    }

    func testIPv4RejectsWithReasons() {
        assertBadAddress("", contains: "empty")
        assertBadAddress("10.1.2", contains: "four numbers")
        assertBadAddress("10.1.2.3.4", contains: "found 5")
        assertBadAddress("10.1.2.256", contains: "256 is more than 255")
        assertBadAddress("10.01.2.3", contains: "leading zero")
        assertBadAddress("10..2.3", contains: "empty number")
        assertBadAddress("10.a.2.3", contains: "'a' is not a decimal number")
        assertBadAddress(" 10.1.2.3", contains: "space")
        assertBadAddress("10.1.2.3/24", contains: "no '/LENGTH'")
        assertBadAddress("localhost", contains: "expected an IPv4 address")
    }

    func testIPv6ParsesAndPrintsCanonically() throws {
        let cases: [(String, String)] = [
            ("fd13::1", "fd13::1"),
            ("FD13:0:0:0:0:0:0:0001", "fd13::1"),
            ("::", "::"),
            ("::1", "::1"),
            ("1::", "1::"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),      // first of two equal runs
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),    // a single zero group is not compressed
            ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),            // the longest run wins
            ("::ffff:10.0.0.1", "::ffff:10.0.0.1"),
            ("::ffff:a00:1", "::ffff:10.0.0.1"),
            ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
            ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ]
        for (text, canonical) in cases {
            XCTAssertEqual(try IPAddress.parse(text).description, canonical, text)
            XCTAssertEqual(try IPAddress.parse(canonical), try IPAddress.parse(text), text)
        }
    }

    func testIPv6RejectsWithReasons() {
        assertBadAddress("fd13:::1", contains: "more than one '::'")
        assertBadAddress("1::2::3", contains: "more than one '::'")
        assertBadAddress("fd13:1:2:3:4:5:6", contains: "8 groups")
        assertBadAddress("1:2:3:4:5:6:7:8:9", contains: "found 9")
        assertBadAddress("1:2:3:4::5:6:7:8", contains: "at most 7")
        assertBadAddress("fd13::12345", contains: "'12345' is not a group")
        assertBadAddress("fd13::g", contains: "'g' is not a group")
        assertBadAddress(":1:2:3:4:5:6:7", contains: "empty group")
        assertBadAddress("fe80::1%eth0", contains: "zone index '%eth0'")
        assertBadAddress("[fd13::1]", contains: "brackets")
        assertBadAddress("1.2.3.4::", contains: "embedded IPv4")
        assertBadAddress("::ffff:10.0.0.256", contains: "256 is more than 255")
    }

    func testAddressOrderingAndArithmetic() throws {
        let a = try IPAddress.parse("10.0.0.255")
        XCTAssertEqual(a.next?.description, "10.0.1.0")
        XCTAssertNil(try IPAddress.parse("255.255.255.255").next)
        XCTAssertEqual(try IPAddress.parse("::ffff:ffff:ffff:ffff").next?.description, "0:0:0:1::")
        XCTAssertNil(try IPAddress.parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").next)
        XCTAssertLessThan(try IPAddress.parse("10.0.0.9"), try IPAddress.parse("10.0.0.10"))
        XCTAssertLessThan(try IPAddress.parse("255.255.255.255"), try IPAddress.parse("::"))   // IPv4 sorts first
    }

    func testAddressCodableAsText() throws {
        let a = try IPAddress.parse("fd13::0001")
        let data = try JSONEncoder().encode([a])
        XCTAssertEqual(String(decoding: data, as: UTF8.self), #"["fd13::1"]"#)
        XCTAssertEqual(try JSONDecoder().decode([IPAddress].self, from: data), [a])
        XCTAssertThrowsError(try JSONDecoder().decode([IPAddress].self, from: Data(#"["10.0.0"]"#.utf8)))
    }

    // MARK: prefixes

    func testPrefixParseAndCanonical() throws {
        let p = try IPPrefix.parse("10.213.0.5/24")
        XCTAssertEqual(p.description, "10.213.0.5/24")            // kept as written (an interface address)
        XCTAssertEqual(p.canonical.description, "10.213.0.0/24")
        XCTAssertEqual(p.network.description, "10.213.0.0")
        XCTAssertFalse(p.isNetworkAddress)
        XCTAssertEqual(try IPPrefix.parse("fd13:0:0:0::5/64").canonical.description, "fd13::/64")
        XCTAssertEqual(try IPPrefix.parse("10.1.2.3/0").canonical.description, "0.0.0.0/0")
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
        assertBadPrefix("10.0.0/24", contains: "'10.0.0' is not an IP address")
        assertBadPrefix("10.0.0.0/24/8", contains: "'10.0.0.0/24' is not an IP address")
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
        let v6 = try IPPrefix.parse("fd13::/64")
        XCTAssertTrue(v6.contains(try IPAddress.parse("fd13::ffff:ffff:ffff:ffff")))
        XCTAssertFalse(v6.contains(try IPAddress.parse("fd13:0:0:1::")))
        XCTAssertTrue(v6.overlaps(try IPPrefix.parse("fd13::8000:0:0:0/65")))
        XCTAssertFalse(v6.overlaps(try IPPrefix.parse("fd14::/64")))
        XCTAssertTrue(try IPPrefix.parse("::/0").contains(try IPAddress.parse("ffff::1")))
    }

    func testHostsOfOrdinarySubnets() throws {
        let p = try IPPrefix.parse("10.213.0.0/24")
        XCTAssertEqual(p.broadcast?.description, "10.213.0.255")
        XCTAssertEqual(p.firstHost.description, "10.213.0.1")
        XCTAssertEqual(p.lastHost.description, "10.213.0.254")
        XCTAssertEqual(try p.host(1).description, "10.213.0.1")
        XCTAssertEqual(try p.host(254).description, "10.213.0.254")
        XCTAssertThrowsError(try p.host(255)) { e in
            XCTAssertEqual("\(e)", "subnet 10.213.0.0/24 has no host number 255: its hosts are 10.213.0.1 to 10.213.0.254")
        }
        XCTAssertThrowsError(try p.host(0))
        XCTAssertThrowsError(try p.host(-1))
        let v6 = try IPPrefix.parse("fd13::/64")
        XCTAssertNil(v6.broadcast)
        XCTAssertEqual(v6.firstHost.description, "fd13::1")
        XCTAssertEqual(v6.lastHost.description, "fd13::ffff:ffff:ffff:ffff")
        XCTAssertEqual(try v6.host(UInt64.max).description, "fd13::ffff:ffff:ffff:ffff")
        XCTAssertEqual(try IPPrefix.parse("0.0.0.0/0").lastHost.description, "255.255.255.254")
    }

    func testHostsOfTinySubnets() throws {
        let p32 = try IPPrefix.parse("10.0.0.7/32")
        XCTAssertNil(p32.broadcast)
        XCTAssertEqual(p32.firstHost, p32.address)
        XCTAssertEqual(p32.lastHost, p32.address)
        XCTAssertEqual(try p32.host(0).description, "10.0.0.7")
        XCTAssertThrowsError(try p32.host(1)) { e in XCTAssertTrue("\(e)".contains("its hosts are only 10.0.0.7"), "\(e)") }
        let p31 = try IPPrefix.parse("10.0.0.6/31")   // RFC 3021: both addresses are hosts
        XCTAssertNil(p31.broadcast)
        XCTAssertEqual(p31.firstHost.description, "10.0.0.6")
        XCTAssertEqual(p31.lastHost.description, "10.0.0.7")
        let p30 = try IPPrefix.parse("10.0.0.4/30")
        XCTAssertEqual(p30.broadcast?.description, "10.0.0.7")
        XCTAssertEqual([p30.firstHost, p30.lastHost].map(\.description), ["10.0.0.5", "10.0.0.6"])
        let p127 = try IPPrefix.parse("fd00::/127")
        XCTAssertEqual([p127.firstHost, p127.lastHost].map(\.description), ["fd00::", "fd00::1"])
        let p128 = try IPPrefix.parse("fd00::9/128")
        XCTAssertEqual(p128.firstHost, p128.lastHost)
    }

    func testCheckHostSaysWhatIsWrong() throws {
        let subnet = try IPPrefix.parse("10.213.0.0/24")
        XCTAssertNoThrow(try subnet.checkHost(try IPAddress.parse("10.213.0.1"), role: "gateway"))
        XCTAssertThrowsError(try subnet.checkHost(try IPAddress.parse("10.214.0.1"), role: "gateway")) { e in
            XCTAssertEqual("\(e)", "gateway 10.214.0.1 is outside subnet 10.213.0.0/24: use 10.213.0.1 to 10.213.0.254")
        }
        XCTAssertThrowsError(try subnet.checkHost(try IPAddress.parse("10.213.0.0"), role: "gateway")) { e in
            XCTAssertTrue("\(e)".hasPrefix("gateway 10.213.0.0 is the network address of 10.213.0.0/24"), "\(e)")
        }
        XCTAssertThrowsError(try subnet.checkHost(try IPAddress.parse("10.213.0.255"), role: "address")) { e in
            XCTAssertTrue("\(e)".hasPrefix("address 10.213.0.255 is the broadcast address"), "\(e)")
        }
        XCTAssertThrowsError(try subnet.checkHost(try IPAddress.parse("fd00::1"), role: "gateway")) { e in
            XCTAssertEqual("\(e)", "gateway fd00::1 is IPv6 but subnet 10.213.0.0/24 is IPv4")
        }
        XCTAssertThrowsError(try subnet.checkRange(try IPPrefix.parse("10.213.1.0/25"))) { e in
            XCTAssertEqual("\(e)", "ip-range 10.213.1.0/25 is outside subnet 10.213.0.0/24: use a range inside it")
        }
        XCTAssertThrowsError(try subnet.checkRange(try IPPrefix.parse("10.213.0.0/23")))
        XCTAssertNoThrow(try subnet.checkRange(try IPPrefix.parse("10.213.0.128/25")))
    }

    func testPrefixCodableAndLossless() throws {
        let p = try XCTUnwrap(IPPrefix("fd13::/64"))
        let e = JSONEncoder()
        e.outputFormatting = .withoutEscapingSlashes
        XCTAssertEqual(String(decoding: try e.encode([p]), as: UTF8.self), #"["fd13::/64"]"#)
        XCTAssertEqual(try JSONDecoder().decode([IPPrefix].self, from: try e.encode([p])), [p])
        XCTAssertNil(IPPrefix("fd13::/200"))
        XCTAssertNil(IPAddress("fd13::/64"))
    }

    // MARK: helpers

    private func assertBadAddress(_ text: String, contains fragment: String, line: UInt = #line) {
        XCTAssertThrowsError(try IPAddress.parse(text), line: line) { e in
            guard case .invalidAddress(let t, _)? = e as? AddressError else { return XCTFail("\(e)", line: line) }
            XCTAssertEqual(t, text, line: line)
            XCTAssertTrue("\(e)".contains(fragment), "'\(e)' lacks '\(fragment)'", line: line)
        }
    }

    private func assertBadPrefix(_ text: String, contains fragment: String, line: UInt = #line) {
        XCTAssertThrowsError(try IPPrefix.parse(text), line: line) { e in
            guard case .invalidPrefix(let t, _)? = e as? AddressError else { return XCTFail("\(e)", line: line) }
            XCTAssertEqual(t, text, line: line)
            XCTAssertTrue("\(e)".contains(fragment), "'\(e)' lacks '\(fragment)'", line: line)
        }
    }
}

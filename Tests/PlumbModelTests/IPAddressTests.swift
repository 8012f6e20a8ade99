import Foundation
import Glibc
import XCTest
import PlumbModel

/// The one address type: parsing (strict, with reasons), printing (byte-equal to glibc's inet_ntop, which is what
/// the JSON has always held), bytes, order and arithmetic. Ported from the IPAM, trace, doctor and capture tests.
final class IPAddressTests: XCTestCase {
    // MARK: IPv4

    func testIPv4ParsesAndPrints() throws {
        XCTAssertEqual(try IPAddress.parse("10.213.0.5").description, "10.213.0.5")
        XCTAssertEqual(try IPAddress.parse("0.0.0.0").ipv4Value, 0)
        XCTAssertEqual(try IPAddress.parse("255.255.255.255").ipv4Value, .max)
        XCTAssertEqual(IPAddress("10.213.1.2")?.ipv4Value, 0x0AD5_0102)
        XCTAssertEqual(IPAddress(ipv4: 0xAC1E_0001).description, "172.30.0.1")
        XCTAssertEqual(IPAddress.anyIPv4.description, "0.0.0.0")
        XCTAssertEqual(IPAddress("10.213.1.2")?.networkBytes, [10, 213, 1, 2])
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
        for bad in ["1.2.3.4.", ".1.2.3.4", "1.2.3.-4", "1.2.3.+4", "1.2.3.4 ", "1.2.3.1000", "0x1.2.3.4", "1.2.3.٣"] {
            XCTAssertNil(IPAddress(bad), bad)
        }
    }

    // MARK: IPv6

    func testIPv6ParsesAndPrintsCanonically() throws {
        let cases: [(String, String)] = [
            ("fd13::1", "fd13::1"),
            ("FD13:0:0:0:0:0:0:0001", "fd13::1"),
            ("::", "::"),
            ("::1", "::1"),
            ("1::", "1::"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),      // first of two equal runs
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),    // a single zero group is not compressed
            ("2001:0db8:0000:0001:0001:0001:0001:0001", "2001:db8:0:1:1:1:1:1"),
            ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),            // the longest run wins
            ("fe80:0:0:0:a:b:c:d", "fe80::a:b:c:d"),
            ("ff02::1:ff00:2", "ff02::1:ff00:2"),
            ("2001:db8:0:0:0:0:2:1", "2001:db8::2:1"),
            ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
            ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
            ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
            ("::ffff:10.0.0.1", "::ffff:10.0.0.1"),             // IPv4-mapped keeps its dotted quad
            ("::ffff:a00:1", "::ffff:10.0.0.1"),
            ("::ffff:0:0", "::ffff:0.0.0.0"),
            ("::10.0.0.1", "::10.0.0.1"),                       // IPv4-compatible, as inet_ntop prints it
            ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
            ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"),
            ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ]
        for (text, canonical) in cases {
            XCTAssertEqual(try IPAddress.parse(text).description, canonical, text)
            XCTAssertEqual(try IPAddress.parse(canonical), try IPAddress.parse(text), text)
        }
        XCTAssertEqual(IPAddress("fd13::2")?.networkBytes, [0xFD, 0x13] + [UInt8](repeating: 0, count: 13) + [2])
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
        for bad in [":", ":::", "1:", ":1", "1::2:", "::1:", "1:2:3:4:5:6:7:8:", "::ffff:1.2.3", "::1.2.3.4:5",
                    "1:2:3:4:5:6:7:1.2.3.4", "::ffff:01.2.3.4", "1::2::3", ":1::2", "1:2", "12345::1", "g::1"] {
            XCTAssertNil(IPAddress(bad), bad)
        }
    }

    func testZoneIsSplitOnlyWhenAskedFor() throws {
        XCTAssertNil(IPAddress("fe80::1%eth0"))
        let z = try XCTUnwrap(IPAddress.parseZoned("fe80::1%eth0"))
        XCTAssertEqual(z.address.description, "fe80::1")
        XCTAssertEqual(z.zone, "eth0")
        XCTAssertEqual(IPAddress.parseZoned("10.0.0.1")?.zone, .some(nil))
        XCTAssertNil(IPAddress.parseZoned("fe80::1%"))
        XCTAssertNil(IPAddress.parseZoned("10.0.0.1%eth0"))
    }

    // MARK: agreement with glibc, on many addresses

    /// Every address prints exactly as inet_ntop prints it, and parses back; the text inet_pton accepts is what
    /// the parser accepts.
    func testPrintingAndParsingAgreeWithGlibc() throws {
        var rng = SystemRandomNumberGenerator()
        var samples: [[UInt8]] = []
        // Zero runs in every position and length, the mapped/compatible prefixes, and random words.
        for start in 0..<8 {
            for len in 0...(8 - start) {
                var g = (0..<8).map { _ in UInt16.random(in: 1...0xffff, using: &rng) }
                for k in start..<(start + len) { g[k] = 0 }
                samples.append(g.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] })
            }
        }
        for _ in 0..<3000 {
            var b = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Sprinkle zero groups so that "::" runs are common.
            for k in 0..<8 where Bool.random(using: &rng) { b[2 * k] = 0; b[2 * k + 1] = 0 }
            if Int.random(in: 0..<6, using: &rng) == 0 { for k in 0..<10 { b[k] = 0 }; b[10] = 0xff; b[11] = 0xff }
            if Int.random(in: 0..<6, using: &rng) == 0 { for k in 0..<12 { b[k] = 0 } }
            samples.append(b)
        }
        for b in samples {
            let a = try XCTUnwrap(IPAddress(networkBytes: b))
            let expected = ntop(AF_INET6, b)
            XCTAssertEqual(a.description, expected, "\(b)")
            XCTAssertEqual(IPAddress(expected), a, expected)
            XCTAssertEqual(a.networkBytes, b)
        }
        for _ in 0..<2000 {
            let v = UInt32.random(in: 0...UInt32.max, using: &rng)
            let a = IPAddress(ipv4: v)
            XCTAssertEqual(a.description, ntop(AF_INET, a.networkBytes))
            XCTAssertEqual(IPAddress(a.description), a)
        }
        // Texts near the grammar's edges: accepted exactly when inet_pton accepts them.
        let texts = ["1.2.3.4", "01.2.3.4", "1.2.3", "256.1.1.1", "::", ":::", "::1", "1::", "1:2:3:4:5:6:7:8",
                     "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4::5:6:7:8", "::ffff:1.2.3.4", "::1.2.3.4",
                     "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "1::1.2.3.4", "::ffff:1.2.3.04", "fe80::1%1",
                     "1:2", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "00000::1", "0000::1", "FFFF::", "::1.2.3.4:1",
                     "1.2.3.4::", "1::2::3", "", " ::1", "::1 "]
        for t in texts {
            XCTAssertEqual(IPAddress(t) != nil, pton(t), t)
        }
    }

    /// The fast parser and the reason-giving one agree on which texts are addresses.
    func testEveryRefusalHasAReason() {
        let alphabet = Array("0123456789abcdef:.%/ fg")
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let text = String((0..<Int.random(in: 0...20, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            if IPAddress(text) == nil {
                XCTAssertThrowsError(try IPAddress.parse(text)) { e in
                    XCTAssertFalse("\(e)".hasSuffix("it is not an IPv4 or IPv6 address") && pton(text), text)
                }
                XCTAssertFalse(pton(text), text)
            } else {
                XCTAssertTrue(pton(text), text)
            }
        }
    }

    // MARK: order, arithmetic, classes

    func testAddressOrderingAndArithmetic() throws {
        let a = try IPAddress.parse("10.0.0.255")
        XCTAssertEqual(a.next?.description, "10.0.1.0")
        XCTAssertEqual(a.previous?.description, "10.0.0.254")
        XCTAssertNil(IPAddress.anyIPv4.previous)
        XCTAssertNil(try IPAddress.parse("255.255.255.255").next)
        XCTAssertEqual(try IPAddress.parse("::ffff:ffff:ffff:ffff").next?.description, "0:0:0:1::")
        XCTAssertNil(try IPAddress.parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").next)
        XCTAssertEqual(try IPAddress.parse("10.0.0.1").advanced(by: 300)?.description, "10.0.1.45")
        XCTAssertLessThan(try IPAddress.parse("10.0.0.9"), try IPAddress.parse("10.0.0.10"))
        XCTAssertLessThan(try IPAddress.parse("255.255.255.255"), try IPAddress.parse("::"))   // IPv4 sorts first
        XCTAssertNotEqual(IPAddress("::ffff:10.0.0.1"), IPAddress("10.0.0.1"))               // families differ
        XCTAssertEqual(Set([IPAddress("fd13::1"), IPAddress("fd13:0::1")]).count, 1)
    }

    func testAddressClasses() throws {
        XCTAssertTrue(IPAddress("127.0.0.53")!.isLoopback)
        XCTAssertTrue(IPAddress("::1")!.isLoopback)
        XCTAssertFalse(IPAddress("::2")!.isLoopback)
        XCTAssertTrue(IPAddress("169.254.1.1")!.isLinkLocal)
        XCTAssertTrue(IPAddress("fe80::1")!.isLinkLocal)
        XCTAssertTrue(IPAddress("febf::1")!.isLinkLocal)
        XCTAssertFalse(IPAddress("fec0::1")!.isLinkLocal)
        XCTAssertTrue(IPAddress("224.0.0.1")!.isMulticast)
        XCTAssertTrue(IPAddress("239.255.255.255")!.isMulticast)
        XCTAssertFalse(IPAddress("240.0.0.1")!.isMulticast)
        XCTAssertTrue(IPAddress("ff02::1")!.isMulticast)
        XCTAssertTrue(IPAddress("::")!.isUnspecified)
        XCTAssertEqual(IPAddress("fd13::1")!.family.addressFamily, .ipv6)
    }

    func testAddressCodableAsTextAndAppendsBytes() throws {
        let a = try IPAddress.parse("fd13::0001")
        let data = try JSONEncoder().encode([a])
        XCTAssertEqual(String(decoding: data, as: UTF8.self), #"["fd13::1"]"#)
        XCTAssertEqual(try JSONDecoder().decode([IPAddress].self, from: data), [a])
        XCTAssertThrowsError(try JSONDecoder().decode([IPAddress].self, from: Data(#"["10.0.0"]"#.utf8)))
        var out = Array("x=".utf8)
        a.append(to: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "x=fd13::1")
    }

    // MARK: helpers

    private func ntop(_ family: Int32, _ b: [UInt8]) -> String {
        var buf = [CChar](repeating: 0, count: 64)
        b.withUnsafeBytes { _ = inet_ntop(family, $0.baseAddress, &buf, 64) }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func pton(_ text: String) -> Bool {
        var out = [UInt8](repeating: 0, count: 16)
        return inet_pton(text.contains(":") ? AF_INET6 : AF_INET, text, &out) == 1
    }

    private func assertBadAddress(_ text: String, contains fragment: String, line: UInt = #line) {
        XCTAssertNil(IPAddress(text), line: line)
        XCTAssertThrowsError(try IPAddress.parse(text), line: line) { e in
            guard case .invalidAddress(let t, _)? = e as? AddressError else { return XCTFail("\(e)", line: line) }
            XCTAssertEqual(t, text, line: line)
            XCTAssertTrue("\(e)".contains(fragment), "'\(e)' lacks '\(fragment)'", line: line)
        }
    }
}

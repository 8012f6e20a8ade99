import Foundation
import XCTest
@testable import PlumbActions
import PlumbModel

/// The IPAM's host numbering and checks; the address and prefix types themselves are tested in PlumbModelTests.
final class AddressTests: XCTestCase {
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
}

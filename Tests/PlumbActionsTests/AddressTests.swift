import Foundation
import XCTest
@testable import PlumbActions
import PlumbModel

/// The IPAM's host numbering and checks; the address and prefix types themselves are tested in PlumbModelTests.
final class AddressTests: XCTestCase {
    // broadcast, firstHost and lastHost are the model's (IPPrefixTests); here the IPAM's numbering on top.
    func testHostNumbersOfOrdinarySubnets() throws {
        let p = try IPPrefix.parse("10.213.0.0/24")
        XCTAssertEqual(try p.host(1).description, "10.213.0.1")
        XCTAssertEqual(try p.host(254).description, "10.213.0.254")
        XCTAssertThrowsError(try p.host(255)) { e in
            XCTAssertEqual("\(e)", "subnet 10.213.0.0/24 has no host number 255: its hosts are 10.213.0.1 to 10.213.0.254")
        }
        XCTAssertThrowsError(try p.host(0))
        XCTAssertThrowsError(try p.host(-1))
        XCTAssertEqual(try IPPrefix.parse("fd13::/64").host(UInt64.max).description, "fd13::ffff:ffff:ffff:ffff")
    }

    func testHostNumbersOfTinySubnets() throws {
        let p32 = try IPPrefix.parse("10.0.0.7/32")
        XCTAssertEqual(try p32.host(0).description, "10.0.0.7")
        XCTAssertThrowsError(try p32.host(1)) { e in XCTAssertTrue("\(e)".contains("its hosts are only 10.0.0.7"), "\(e)") }
        let p31 = try IPPrefix.parse("10.0.0.6/31")   // RFC 3021: both addresses are hosts
        XCTAssertEqual(try p31.host(0).description, "10.0.0.6")
        XCTAssertEqual(try p31.host(1).description, "10.0.0.7")
        let p30 = try IPPrefix.parse("10.0.0.4/30")
        XCTAssertThrowsError(try p30.host(0))
        XCTAssertThrowsError(try p30.host(3))
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

import XCTest
@testable import PlumbCapture
import PlumbModel

final class AddressAndHexDumpTests: XCTestCase {
    func testIPv6TextFollowsRFC5952() {
        let cases: [(String, String)] = [
            ("::", "::"), ("::1", "::1"), ("fd13::1", "fd13::1"), ("1::", "1::"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),          // first of two equal runs
            ("2001:0db8:0000:0001:0001:0001:0001:0001", "2001:db8:0:1:1:1:1:1"),  // one zero group stays
            ("fe80:0:0:0:a:b:c:d", "fe80::a:b:c:d"),
            ("ff02::1:ff00:2", "ff02::1:ff00:2"),
            ("::ffff:10.213.1.2", "::ffff:10.213.1.2"),
            ("2001:db8:0:0:0:0:2:1", "2001:db8::2:1"),
            ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ]
        for (input, expected) in cases {
            let a = IPAddress(input)
            XCTAssertEqual(a?.description, expected, input)
            XCTAssertEqual(a.flatMap { IPAddress($0.description) }, a, input)
        }
        for bad in ["", ":::", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "g::1"] {
            XCTAssertNil(IPAddress(bad), bad)
        }
        XCTAssertEqual(IPAddress("fd13::2")?.networkBytes, [0xFD, 0x13] + [UInt8](repeating: 0, count: 13) + [2])
    }

    func testIPv4AndMAC() {
        XCTAssertEqual(IPAddress("10.213.1.2")?.ipv4Value, 0x0AD5_0102)
        XCTAssertEqual(IPAddress(ipv4: 0xFFFF_FF00).description, "255.255.255.0")
        XCTAssertEqual(IPAddress.anyIPv4.description, "0.0.0.0")
        XCTAssertNil(IPAddress("10.213.1"))
        XCTAssertNil(IPAddress("10.213.1.256"))
        XCTAssertEqual(MACAddress("02:13:00:00:01:0A")?.description, "02:13:00:00:01:0a")
        XCTAssertEqual(MACAddress.broadcast.description, "ff:ff:ff:ff:ff:ff")
        XCTAssertEqual(MACAddress([1, 2, 3, 4, 5, 6])?.bytes, [1, 2, 3, 4, 5, 6])
        XCTAssertTrue(MACAddress("33:33:00:00:00:01")!.isMulticast)
        XCTAssertNil(MACAddress("02:13:00:00:01"))
    }

    func testHexDumpMatchesXxd() {
        // Expected text is `xxd` output for the same 40 bytes.
        let bytes: [UInt8] = [0x45, 0x00, 0x00, 0x54] + Array("hello, plumb!".utf8) + [0x00, 0x01, 0x02, 0xFF]
            + Array("~ ".utf8) + [0x7F] + Array("abcdefghijklmnop".utf8)
        XCTAssertEqual(HexDump.lines(bytes), [
            "00000000: 4500 0054 6865 6c6c 6f2c 2070 6c75 6d62  E..Thello, plumb",
            "00000010: 2100 0102 ff7e 207f 6162 6364 6566 6768  !....~ .abcdefgh",
            "00000020: 696a 6b6c 6d6e 6f70                      ijklmnop",
        ])
        XCTAssertEqual(HexDump.lines(Array(bytes.prefix(5))), ["00000000: 4500 0054 68                             E..Th"])
        XCTAssertEqual(HexDump.lines([]), [])
        XCTAssertEqual(HexDump.lines([0x41], startOffset: 0x1_0000_0000), ["100000000: 41" + String(repeating: " ", count: 37 + 2) + "A"])
        XCTAssertEqual(HexDump.string(Array(bytes.prefix(2))), "00000000: 4500" + String(repeating: " ", count: 35 + 2) + "E.\n")
    }
}

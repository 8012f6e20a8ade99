import XCTest
import Foundation
@testable import PlumbModel

final class LinkKindTests: XCTestCase {
    func testKnownNamesBecomeCasesAndPrintTheSameName() {
        for name in ["veth", "bridge", "macvlan", "macvtap", "vxlan", "tun", "loopback", "device", "wireguard"] {
            let kind = LinkKind(name)
            XCTAssertEqual(kind.name, name)
            if case .other = kind { XCTFail("\(name) should have its own case") }
        }
        XCTAssertEqual(LinkKind("veth"), .veth)
        XCTAssertEqual(LinkKind("bridge"), .bridge)
    }

    func testAnUnknownKernelKindIsKeptByName() {
        let kind = LinkKind("nlmon")
        XCTAssertEqual(kind, .other("nlmon"))
        XCTAssertEqual(kind.name, "nlmon")
        XCTAssertEqual("\(kind)", "nlmon")
    }

    func testJSONIsTheKernelNameBothWays() throws {
        let link = Link(index: 3, name: "x0", kind: LinkKind("batadv"), flags: ["up", "lower_up"])
        let json = String(decoding: try JSONEncoder().encode(link), as: UTF8.self)
        XCTAssertTrue(json.contains("\"kind\":\"batadv\""), json)
        let back = try JSONDecoder().decode(Link.self, from: Data(json.utf8))
        XCTAssertEqual(back.kind, .other("batadv"))
        let veth = try JSONDecoder().decode(Link.self, from: Data(json.replacingOccurrences(of: "batadv", with: "veth").utf8))
        XCTAssertEqual(veth.kind, .veth)
    }

    func testTypedFlagsReadTheKernelNames() {
        let link = Link(index: 1, name: "lo", kind: .loopback, flags: ["up", "loopback", "running", "lower_up"])
        XCTAssertTrue(link.has(.loopback))
        XCTAssertTrue(link.isUp)
        XCTAssertTrue(link.hasCarrier)
        XCTAssertFalse(link.has(.promisc))
        XCTAssertEqual(LinkFlag.lowerUp.rawValue, "lower_up")
    }

    func testKindFamilies() {
        XCTAssertTrue(LinkKind.vxlan.isTunnel)
        XCTAssertFalse(LinkKind.veth.isTunnel)
        XCTAssertTrue(LinkKind.macvtap.isMacvlanFamily)
        XCTAssertTrue(LinkKind.veth.hasLowerLink)
        XCTAssertFalse(LinkKind.bridge.hasLowerLink)
    }
}

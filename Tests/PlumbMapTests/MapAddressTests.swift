import Foundation
import XCTest
import PlumbModel
@testable import PlumbMap

/// The map's addresses are values: a device's address keeps its prefix length, a remote VTEP's is bare,
/// and both print (and encode) exactly as the text the map always showed.
final class MapAddressTests: XCTestCase {
    func testDeviceAndRemoteAddressesKeepTheirText() throws {
        XCTAssertEqual(MapAddress("10.213.0.1/24"), .withPrefix(IPPrefix("10.213.0.1/24")!))
        XCTAssertEqual(MapAddress("192.168.1.20"), .bare(IPAddress("192.168.1.20")!))
        XCTAssertEqual(MapAddress("fd13::1/64")?.address, IPAddress("fd13::1"))
        for text in ["10.213.0.1/24", "192.168.1.20", "fd13::1/64", "239.1.1.1"] {
            XCTAssertEqual(MapAddress(text)?.description, text)
        }
        XCTAssertNil(MapAddress("10.213.0.1/33"))
        XCTAssertNil(MapAddress("vtep"))

        var node = MapNode(id: "remote:192.168.1.20", kind: .remote, name: "192.168.1.20", addresses: [.bare(IPAddress("192.168.1.20")!)])
        node.subnet = IPPrefix("10.213.0.0/24"); node.gateway = IPAddress("10.213.0.1")
        let json = String(decoding: try JSONEncoder().encode(node), as: UTF8.self)
        XCTAssertTrue(json.contains(#""addresses":["192.168.1.20"]"#), json)
        XCTAssertTrue(json.contains(#""subnet":"10.213.0.0\/24""#), json)
        XCTAssertEqual(try JSONDecoder().decode(MapNode.self, from: Data(json.utf8)), node)
        XCTAssertThrowsError(try JSONDecoder().decode(MapNode.self, from: Data(json.replacingOccurrences(of: "192.168.1.20\"]", with: "nowhere\"]").utf8)))
    }
}

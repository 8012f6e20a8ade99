import Foundation
import XCTest
@testable import PlumbActions
import PlumbModel

/// An `EndpointSpec` is Codable: one written when it held its addresses as text must still decode, and a new
/// one encodes to exactly the same bytes. The fixtures were captured from the encoder of the text-holding type
/// (keys sorted: unsorted, Foundation's key order changes from one process to the next).
final class EndpointSpecCodingTests: XCTestCase {
    static let bridged = #"{"address":"10.213.0.5","address6":"fd13::5","defaultRoute":true,"defaultRoute6":true,"hostIfname":"plvweb-101","ifname":"eth0","key":"101-c7","ports":[{"containerPort":80,"hostPort":8080,"proto":"tcp"}],"sandbox":{"kind":"named","name":"pt-a"},"sandboxGone":false}"#
    static let left = #"{"address":"","defaultRoute":false,"defaultRoute6":false,"driverState":"{\"ips\":[]}","ifname":"eth1","key":"102","ports":[],"sandbox":{"kind":"path","path":"\/dev\/null"},"sandboxGone":true}"#

    func encoded(_ spec: EndpointSpec) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        return String(decoding: try e.encode(spec), as: UTF8.self)
    }

    func decoded(_ text: String) throws -> EndpointSpec { try JSONDecoder().decode(EndpointSpec.self, from: Data(text.utf8)) }

    func testTheEncodingIsTheTextForm() throws {
        var bridged = EndpointSpec(sandbox: .named("pt-a"), ifname: "eth0", hostIfname: "plvweb-101", address: ip("10.213.0.5"),
                                   defaultRoute: true, ports: [try PortMapping.parse("8080:80/tcp")], key: "101-c7")
        bridged.address6 = ip("fd13::5")
        bridged.defaultRoute6 = true
        let left = EndpointSpec(sandbox: .path("/dev/null"), ifname: "eth1", hostIfname: nil, address: nil, defaultRoute: false,
                                key: "102", driverState: "{\"ips\":[]}", sandboxGone: true)
        XCTAssertEqual(try encoded(bridged), Self.bridged)
        XCTAssertEqual(try encoded(left), Self.left, "no address is written as the empty text, as before")
        XCTAssertEqual(try decoded(Self.bridged), bridged)
        XCTAssertEqual(try decoded(Self.left), left)
    }

    func testAnOldEntryStillDecodes() throws {
        // A CNI dry run's endpoint: the text type held a placeholder where the plugin's IPAM picks the address.
        let old = #"{"address":"<from the CNI plugin's IPAM>","defaultRoute":true,"defaultRoute6":false,"ifname":"eth0","key":"101-c7","ports":[],"sandbox":{"kind":"named","name":"pt-a"},"sandboxGone":false}"#
        let spec = try decoded(old)
        XCTAssertNil(spec.address, "not an address: the plugin's pick")
        XCTAssertEqual(spec.ifname, "eth0")
        XCTAssertEqual(spec.sandbox, .named("pt-a"))
        XCTAssertEqual(try decoded(Self.bridged).address, IPAddress("10.213.0.5"))
        XCTAssertEqual(try decoded(Self.bridged).address6, IPAddress("fd13::5"))
        // An IPv6 address that does not parse is refused, naming the text.
        XCTAssertThrowsError(try decoded(Self.bridged.replacingOccurrences(of: "fd13::5", with: "fd13::zz")))
    }
}

import Foundation
import XCTest
@testable import PlumbActions

final class StorePortMappingTests: StoreTestCase {
    func testParsesDockerForms() throws {
        XCTAssertEqual(try PortMapping.parse("8080:80"), PortMapping(hostIP: nil, hostPort: 8080, containerPort: 80, proto: "tcp"))
        XCTAssertEqual(try PortMapping.parse("53:53/udp"), PortMapping(hostPort: 53, containerPort: 53, proto: "udp"))
        XCTAssertEqual(try PortMapping.parse("8080:80/TCP").proto, "tcp")
        XCTAssertEqual(try PortMapping.parse("127.0.0.1:8080:80/tcp"),
                       PortMapping(hostIP: ip("127.0.0.1"), hostPort: 8080, containerPort: 80, proto: "tcp"))
        XCTAssertEqual(try PortMapping.parse("[::1]:8080:80"), PortMapping(hostIP: ip("::1"), hostPort: 8080, containerPort: 80))
        XCTAssertEqual(try PortMapping.parse("[FD13:0::1]:1:65535/udp").hostIP, ip("fd13::1"))
    }

    func testTheStoredJSONKeepsTheAddressAsText() throws {
        // The `ports` column and journal claims as Plumbs that held the host address as text wrote them.
        let old = #"[{"containerPort":80,"hostIP":"127.0.0.1","hostPort":8080,"proto":"tcp"},{"containerPort":53,"hostIP":"fd13::1","hostPort":53,"proto":"udp"},{"containerPort":80,"hostPort":8081,"proto":"tcp"}]"#
        let ports = try JSONDecoder().decode([PortMapping].self, from: Data(old.utf8))
        XCTAssertEqual(ports.map(\.hostIP), [ip("127.0.0.1"), ip("fd13::1"), nil])
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        XCTAssertEqual(String(decoding: try e.encode(ports), as: UTF8.self), old)
    }

    func testDescriptionParsesBack() throws {
        for text in ["8080:80/tcp", "53:53/udp", "127.0.0.1:8080:80/tcp", "[::1]:8080:80/tcp"] {
            XCTAssertEqual(try PortMapping.parse(text).description, text)
            XCTAssertEqual(try PortMapping.parse(try PortMapping.parse(text).description), try PortMapping.parse(text))
        }
    }

    func testBadInputsSayWhy() {
        let cases: [(String, String)] = [
            ("", "it is empty"),
            ("80", "it has one port"),
            ("8080:80/sctp", "protocol 'sctp' is not tcp or udp"),
            ("8080:80/", "the protocol after '/' is missing"),
            ("0:80", "host port '0' is not a number 1-65535"),
            ("8080:65536", "container port '65536' is not a number 1-65535"),
            ("8080:http", "container port 'http' is not a number"),
            (":80", "the host port is missing"),
            ("8080:", "the container port is missing"),
            ("8000-8010:80-90", "port ranges like 8000-8010 are not supported"),
            ("10.0.0.300:8080:80", "the host address is wrong: '10.0.0.300' is not an IP address: 300 is more than 255"),
            ("::1:8080:80", "it has too many ':'"),
            ("[::1]8080:80", "an IPv6 host address needs '[ADDRESS]:'"),
            ("1.2.3.4:1:2:3", "it has too many ':'"),
            ("8080 :80", "it contains whitespace"),
            ("+80:80", "host port '+80' is not a number"),
        ]
        for (text, reason) in cases {
            XCTAssertThrowsError(try PortMapping.parse(text), text) { e in
                guard case .invalidPortMapping(let t, let r)? = e as? StoreError else { return XCTFail("\(text): \(e)") }
                XCTAssertEqual(t, text)
                XCTAssertTrue(r.hasPrefix(reason), "\(text): '\(r)' does not start with '\(reason)'")
                XCTAssertTrue("\(e)".hasSuffix("write [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|/udp], like 8080:80 or 127.0.0.1:8080:80/udp"))
            }
        }
    }

    func testPortsRoundTripThroughTheStore() throws {
        let store = try openStore()
        try store.createNetwork(network("web"))
        var ep = endpoint("web", "blue")
        ep.ports = try ["8080:80", "127.0.0.1:5353:53/udp", "[::1]:8443:443"].map(PortMapping.parse)
        try store.addEndpoint(ep)
        XCTAssertEqual(try store.endpoints(network: "web").first?.ports, ep.ports)
    }
}

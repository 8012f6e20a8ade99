import XCTest
@testable import PlumbActions
import PlumbModel

/// `net create`'s address options are parsed once, where they come in; each refusal is the message the
/// service gave when it parsed them itself (BadInputTable pins them end to end).
final class CreateRequestParsingTests: XCTestCase {
    func parsed(driver: String = "bridge", subnet: String? = nil, gateway: String? = nil, subnet6: String? = nil,
                gateway6: String? = nil, ipRange: String? = nil, remote: String? = nil,
                local: String? = nil) throws -> NetworkService.CreateRequest {
        var req = NetworkService.CreateRequest(name: "web")
        req.driver = driver
        try req.parseAddresses(subnet: subnet, gateway: gateway, subnet6: subnet6, gateway6: gateway6, ipRange: ipRange,
                               remote: remote, local: local)
        return req
    }

    func refusal(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "no error" } catch { return "\(error)" }
    }

    func testValuesAreParsedOnce() throws {
        let req = try parsed(subnet: "10.213.0.0/24", gateway: "10.213.0.9", subnet6: "fd13:1::/64", gateway6: "FD13:1::0009",
                             ipRange: "10.213.0.128/25")
        XCTAssertEqual(req.subnet, IPPrefix("10.213.0.0/24"))
        XCTAssertEqual(req.gateway, IPAddress("10.213.0.9"))
        XCTAssertEqual(req.subnet6, IPPrefix("fd13:1::/64"))
        XCTAssertEqual(req.gateway6?.description, "fd13:1::9", "canonical from here on")
        XCTAssertEqual(req.ipRange, IPPrefix("10.213.0.128/25"))
        XCTAssertNil(try parsed().subnet, "not given: the pool picks one later")
    }

    func testBadValuesGiveTheServicesMessages() {
        XCTAssertEqual(refusal { try self.parsed(subnet: "10.213.0.5/24") },
                       "10.213.0.5/24 is not a network address: did you mean 10.213.0.0/24?")
        XCTAssertEqual(refusal { try self.parsed(subnet: "nonsense") },
                       "'nonsense' is not a valid subnet: it has no '/LENGTH': write it like 10.0.0.0/24 or fd00::/64")
        XCTAssertTrue(refusal { try self.parsed(gateway: "300.1.1.1") }.hasPrefix("'300.1.1.1' is not an IP address"))
        XCTAssertTrue(refusal { try self.parsed(ipRange: "junk") }.hasPrefix("'junk' is not a valid subnet"))
        XCTAssertTrue(refusal { try self.parsed(driver: "vxlan", remote: "junk") }.hasPrefix("invalid --remote junk: 'junk' is not an IP address"))
        XCTAssertTrue(refusal { try self.parsed(driver: "vxlan", local: "junk") }.hasPrefix("invalid --local junk: "))
        // Each is bad input (exit 64), as before.
        XCTAssertEqual((catching { try self.parsed(subnet: "nonsense") } as? CategorizedError)?.category, .invalidInput)
        XCTAssertEqual((catching { try self.parsed(driver: "vxlan", remote: "junk") } as? CategorizedError)?.category, .invalidInput)
    }

    func testUnderlayAddressesMatterToVxlanOnly() throws {
        let vx = try parsed(driver: "vxlan", remote: "10.213.2.2", local: "10.213.2.1")
        XCTAssertEqual(vx.remote, IPAddress("10.213.2.2"))
        XCTAssertEqual(vx.local, IPAddress("10.213.2.1"))
        // Other drivers never read --remote or --local: as before, they are ignored, not refused.
        let br = try parsed(remote: "junk")
        XCTAssertNil(br.remote)
    }

    func catching(_ body: () throws -> Any) -> Error? {
        do { _ = try body(); return nil } catch { return error }
    }
}

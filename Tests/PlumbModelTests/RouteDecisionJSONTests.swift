import Foundation
import XCTest
@testable import PlumbModel

/// A route query and the kernel's answer hold addresses as values; their JSON is the text it was when they were
/// strings (`plumb trace --json` prints them in every route step), and text that is not an address is refused
/// when decoded instead of travelling on as a string.
final class RouteDecisionJSONTests: XCTestCase {
    func encoded(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    func testRouteStepsKeepTheirText() throws {
        let route = #"{"gateway":"10.213.0.1","matchedPrefix":"default","outputInterface":2,"preferredSource":"10.213.0.2","table":254,"type":"unicast"}"#
        let d = try JSONDecoder().decode(RouteDecision.self, from: Data(route.utf8))
        XCTAssertEqual(d.gateway, IPAddress("10.213.0.1"))
        XCTAssertEqual(d.matchedPrefix, .default)
        XCTAssertEqual(try encoded(d), route)

        let v6 = #"{"matchedPrefix":"fd13:1::\/64","outputInterface":3,"preferredSource":"fd13:1::2","table":254,"type":"unicast"}"#
        let d6 = try JSONDecoder().decode(RouteDecision.self, from: Data(v6.utf8))
        XCTAssertEqual(d6.matchedPrefix?.prefix, IPPrefix("fd13:1::/64"))
        XCTAssertEqual(try encoded(d6), v6)

        let query = #"{"destination":"10.213.1.2","inputInterface":4,"source":"10.213.0.2"}"#
        let q = try JSONDecoder().decode(RouteQuery.self, from: Data(query.utf8))
        XCTAssertEqual(q.destination, IPAddress("10.213.1.2"))
        XCTAssertEqual(try encoded(q), query)
    }

    func testTextThatIsNotAnAddressIsRefused() {
        for bad in [#"{"destination":"10.213.1"}"#, #"{"destination":"10.213.1.2","source":""}"#] {
            XCTAssertThrowsError(try JSONDecoder().decode(RouteQuery.self, from: Data(bad.utf8)), bad)
        }
        for bad in [#"{"type":"unicast","table":254,"gateway":"gw"}"#, #"{"type":"unicast","table":254,"matchedPrefix":"10.0.0.0/33"}"#] {
            XCTAssertThrowsError(try JSONDecoder().decode(RouteDecision.self, from: Data(bad.utf8)), bad)
        }
    }
}

import Foundation
import XCTest
@testable import PlumbCLI
import PlumbModel

/// The streaming encoder once recursed forever on UInt8/UInt16 (they encode themselves as a single value of their
/// own type): `plumb trace --json` crashed on a route query's protocol number and ports.
final class NarrowIntegerJSONTests: XCTestCase {
    struct Narrow: Encodable {
        var u8: UInt8 = 255, u16: UInt16 = 65535, i8: Int8 = -128, i16: Int16 = -32768, u: UInt = 7, i64: Int64 = -9
    }

    func testNarrowIntegersEncodeLikeFoundation() throws {
        let q = RouteQuery(destination: IPAddress("10.213.120.3")!, source: IPAddress("10.213.120.2"), inputInterface: 4, mark: 0x10,
                           ipProtocol: 6, sourcePort: 43210, destinationPort: 8080)
        for value in [AnyEncodable(q), AnyEncodable(Narrow())] {
            let reference = try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as? NSDictionary
            let streamed = try JSONSerialization.jsonObject(with: Data(StreamingJSONEncoder(pretty: false).encode(value))) as? NSDictionary
            XCTAssertNotNil(reference)
            XCTAssertEqual(streamed, reference)
        }
    }
}

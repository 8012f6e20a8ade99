import XCTest
import PlumbModel

final class SocketRecordTests: XCTestCase {
    func testKernelStatesAndSsNames() {
        XCTAssertEqual(SocketState(kernel: 1), .established)
        XCTAssertEqual(SocketState(kernel: 10), .listen)
        XCTAssertEqual(SocketState(kernel: 7).ssName, "UNCONN")
        XCTAssertEqual(SocketState(kernel: 12), .newSynReceived)
        XCTAssertEqual(SocketState(kernel: 0), .unknown)
        XCTAssertEqual(SocketState(kernel: 99), .unknown)
    }

    func testListenersWildcardAndLoopback() throws {
        let any = try XCTUnwrap(IPAddress("0.0.0.0")), lo = try XCTUnwrap(IPAddress("127.0.0.1"))
        let tcp = SocketRecord(proto: .tcp, family: .ipv4, state: .listen, local: SocketEndpoint(address: any, port: 80))
        XCTAssertTrue(tcp.isListening)
        XCTAssertTrue(tcp.isWildcard)
        XCTAssertFalse(tcp.isLoopbackOnly)
        let udp = SocketRecord(proto: .udp, family: .ipv4, state: .close, local: SocketEndpoint(address: lo, port: 53))
        XCTAssertTrue(udp.isListening)
        XCTAssertTrue(udp.isLoopbackOnly)
        let conn = SocketRecord(proto: .tcp, family: .ipv4, state: .established, local: SocketEndpoint(address: lo, port: 5))
        XCTAssertFalse(conn.isListening)
    }

    func testEndpointText() throws {
        XCTAssertEqual(SocketEndpoint(address: try XCTUnwrap(IPAddress("10.213.0.1")), port: 80).description, "10.213.0.1:80")
        XCTAssertEqual(SocketEndpoint(address: try XCTUnwrap(IPAddress("fd13::1")), port: 0).description, "[fd13::1]:*")
    }

    func testJSONRoundTrip() throws {
        let s = SocketRecord(proto: .unixStream, family: nil, state: .listen, inode: 7, path: "@abstract",
                             owners: [SocketOwner(pid: 3, fd: 4, comm: "x")])
        let data = try JSONEncoder().encode(s)
        XCTAssertEqual(try JSONDecoder().decode(SocketRecord.self, from: data), s)
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("\"proto\":\"unix-stream\""))
    }
}

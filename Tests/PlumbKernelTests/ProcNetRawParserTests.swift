import XCTest
@testable import PlumbKernel
import PlumbModel

/// The raw-socket fallback for kernels without raw_diag: /proc/net/raw{,6} lines as the kernel prints them.
final class ProcNetRawParserTests: XCTestCase {
    func testIPv4AndIPv6Lines() throws {
        let v4 = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
             1: 0100007F:0001 00000000:0000 07 00000010:00000020 00:00000000 00000000     0        0 38147 2 0000000000000000 0
            """
        let s = try XCTUnwrap(ProcNetRawParser.parse(v4, family: .ipv4).first)
        XCTAssertEqual(s.proto, .raw)
        XCTAssertEqual(s.local?.address.description, "127.0.0.1")
        XCTAssertEqual(s.rawProtocol, 1)
        XCTAssertEqual(s.state, .close)
        XCTAssertTrue(s.isListening)
        XCTAssertEqual(s.sendQueue, 16)
        XCTAssertEqual(s.receiveQueue, 32)
        XCTAssertEqual(s.inode, 38147)

        let v6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
              58: 00000000000000000000000001000000:003A 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4242 2 0000000000000000 0
            """
        let r = try XCTUnwrap(ProcNetRawParser.parse(v6, family: .ipv6).first)
        XCTAssertEqual(r.local?.address.description, "::1")
        XCTAssertEqual(r.rawProtocol, 58)
        XCTAssertTrue(r.isLoopbackOnly)
    }

    func testGarbageLinesAreSkipped() {
        XCTAssertEqual(ProcNetRawParser.parse("header\nnot a socket line\n", family: .ipv4), [])
    }
}

/// /proc/net/sockstat{,6}: which dumps the socket reader can skip.
final class SocketCountsTests: XCTestCase {
    func testSockstatLines() {
        let v4 = """
            sockets: used 65
            TCP: inuse 3 orphan 0 tw 2 alloc 4 mem 1
            UDP: inuse 1 mem 0
            UDPLITE: inuse 0
            RAW: inuse 0
            FRAG: inuse 0 memory 0
            """
        let v6 = "TCP6: inuse 1\nUDP6: inuse 2\nUDPLITE6: inuse 0\nRAW6: inuse 1\nFRAG6: inuse 0 memory 0\n"
        XCTAssertEqual(SocketCounts.parse(sockstat: v4, sockstat6: v6),
                       SocketCounts(tcp: 4, timeWait: 2, udp4: 1, udp6: 2, raw4: 0, raw6: 1))
        XCTAssertEqual(SocketCounts.parse(sockstat: v4, sockstat6: "")?.udp6, 0, "no IPv6: no v6 sockets")
        XCTAssertNil(SocketCounts.parse(sockstat: "sockets: used 1\n", sockstat6: ""), "unknown format: read everything")
    }
}

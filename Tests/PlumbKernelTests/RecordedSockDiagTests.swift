import Foundation
import XCTest
@testable import PlumbKernel
import PlumbModel

/// The socket reader fed with sock_diag answers recorded from a real kernel (Fixtures/sockdiag/<scenario>: one
/// .bin per request, and what `ss -tuani -H` / `ss -xa -H` printed in the same namespace), without root.
/// SocketTests (integration, root) records them and checks that replay equals the live read.
final class RecordedSockDiagTests: XCTestCase {
    private let scenario = "tcp-udp-unix"

    private func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: Bundle.module.resourceURL!.appendingPathComponent("Fixtures/sockdiag/\(scenario)/\(name)"))
    }

    private func replay(_ selection: SocketSelection = .all) throws -> SocketReading {
        var answers: [SockDiagRequest: [UInt8]] = [:]
        for r in SockDiagRequest.allCases where !r.isRaw && r.tcpStates == nil { answers[r] = [UInt8](try fixture("\(r.rawValue).bin")) }
        return SocketReader.read(from: RecordedSockDiag(answers: answers), selection, rawFallback: false)
    }

    /// Socket lines of `ss -H` output as (netid, state, recv-q, send-q, local, peer).
    private func oracle(_ name: String) throws -> [[String]] {
        String(decoding: try fixture(name), as: UTF8.self).split(separator: "\n")
            .filter { $0.first != " " && $0.first != "\t" }
            .map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            .filter { $0.count >= 6 }
    }

    func testInetSocketsMatchWhatSsPrinted() throws {
        let read = try replay(SocketSelection(protocols: [.tcp, .udp]))
        XCTAssertEqual(read.notes, [])
        let printed = try oracle("ss-tuani.txt")
        XCTAssertGreaterThanOrEqual(printed.count, 4)
        XCTAssertEqual(read.sockets.count, printed.count)
        for p in printed {
            let s = try XCTUnwrap(read.sockets.first {
                $0.proto.ssName == p[0] && $0.local?.description == p[4] && $0.remote?.description == p[5]
            }, "\(p)")
            XCTAssertEqual(s.state.ssName, p[1], "\(p)")
            XCTAssertEqual(String(s.receiveQueue), p[2], "\(p)")
            XCTAssertEqual(String(s.sendQueue), p[3], "\(p)")
            XCTAssertEqual(s.tcp != nil, s.proto == .tcp && s.state == .established, "tcp_info on connections: \(p)")
        }
        let conn = try XCTUnwrap(read.sockets.first { $0.state == .established })
        XCTAssertEqual(conn.receiveQueue, 1000)
        XCTAssertGreaterThan(conn.tcp?.rttMicros ?? 0, 0)
        XCTAssertGreaterThan(conn.tcp?.congestionWindow ?? 0, 0)
        XCTAssertNotNil(conn.tcp?.congestionAlgorithm)
        let listeners = read.sockets.filter(\.isListening)
        XCTAssertEqual(listeners.filter(\.isLoopbackOnly).map { $0.local?.port }, [7778])
        XCTAssertEqual(Set(listeners.filter(\.isWildcard).compactMap { $0.local?.port }), [7777, 7779])
    }

    func testUnixListenerMatchesWhatSsPrinted() throws {
        let read = try replay(SocketSelection(protocols: [.unixStream, .unixDatagram, .unixSeqpacket]))
        let printed = try oracle("ss-xa.txt")
        let p = try XCTUnwrap(printed.first { $0[4] == "@pt-sock-test" })
        let s = try XCTUnwrap(read.sockets.first { $0.path == "@pt-sock-test" })
        XCTAssertEqual(s.proto, .unixStream)
        XCTAssertEqual(s.state.ssName, p[1])
        XCTAssertEqual(String(s.inode), p[5])
        XCTAssertEqual(String(s.sendQueue), p[3])
        XCTAssertEqual(read.sockets.count, printed.count)
    }

    func testListeningFilterAndMissingRequests() throws {
        let listening = try replay(SocketSelection(protocols: [.tcp, .udp], listeningOnly: true)).sockets
        XCTAssertEqual(listening.count, 3)
        XCTAssertTrue(listening.allSatisfy(\.isListening))
        // A request without an answer (a kernel without that diag module) is skipped without the raw fallback.
        let none = SocketReader.read(from: RecordedSockDiag(answers: [:]), SocketSelection(protocols: [.raw]),
                                     rawFallback: false)
        XCTAssertEqual(none.sockets, [])
        XCTAssertEqual(none.notes, [])
        // A truncated recording still parses every whole message before the cut, and never crashes.
        let bytes = [UInt8](try fixture("tcp4.bin"))
        let cut = SocketReader.read(from: RecordedSockDiag(answers: [.tcp4: Array(bytes.prefix(bytes.count / 2))]),
                                    SocketSelection(protocols: [.tcp]), rawFallback: false)
        XCTAssertLessThanOrEqual(cut.sockets.count, try replay(SocketSelection(protocols: [.tcp])).sockets.count)
    }
}

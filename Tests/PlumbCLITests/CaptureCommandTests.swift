import Foundation
import XCTest
@testable import PlumbCLI
import PlumbCapture
import PlumbModel

/// The pure parts of `plumb capture`: pairing -i with targets, argument checks, time formats, JSON lines.
final class CaptureCommandTests: XCTestCase {
    func testInterfacesPairWithTargetsInOrder() throws {
        XCTAssertEqual(try CaptureTargets.interfaces([], targets: 2), ["any", "any"])
        XCTAssertEqual(try CaptureTargets.interfaces(["eth0"], targets: 3), ["eth0", "eth0", "eth0"])
        XCTAssertEqual(try CaptureTargets.interfaces(["eth0", "veth1"], targets: 2), ["eth0", "veth1"])
        XCTAssertThrowsError(try CaptureTargets.interfaces(["a", "b"], targets: 3)) { error in
            XCTAssertEqual((error as? CommandFailure)?.code, PlumbExit.usage)
        }
    }

    func testArgumentChecks() throws {
        XCTAssertThrowsError(try CaptureCommand.parse(["web", "-c", "0"]))
        XCTAssertThrowsError(try CaptureCommand.parse(["web", "--json", "-w", "x.pcap"]))
        XCTAssertThrowsError(try CaptureCommand.parse(["web", "-s", "0"]))
        XCTAssertThrowsError(try CaptureCommand.parse([]), "a target is required")
        let c = try CaptureCommand.parse(["web", "db", "-i", "eth0", "-i", "eth1", "-f", "icmp", "-c", "5", "-w", "x.pcapng"])
        XCTAssertEqual(c.targets, ["web", "db"])
        XCTAssertEqual(c.interface, ["eth0", "eth1"])
        XCTAssertEqual(c.filter, "icmp")
        XCTAssertEqual(c.count, 5)
        XCTAssertEqual(c.write, "x.pcapng")
    }

    func testPcapNeedsOneLinkType() {
        XCTAssertNoThrow(try CaptureFileOutput.validate(path: "x.pcap", linkTypes: [.ethernet, .ethernet]))
        XCTAssertNoThrow(try CaptureFileOutput.validate(path: "x.pcapng", linkTypes: [.ethernet, .linuxSLL2]))
        XCTAssertThrowsError(try CaptureFileOutput.validate(path: "x.pcap", linkTypes: [.ethernet, .linuxSLL2])) { error in
            XCTAssertEqual((error as? CommandFailure)?.code, PlumbExit.usage)
        }
    }

    func testAnyCaptureLinesNameTheInterface() {
        XCTAssertEqual(CapturePrinter.naming("ifindex 5 Out IP a > b: x", [5: "eth0"]), "eth0 Out IP a > b: x")
        XCTAssertEqual(CapturePrinter.naming("ifindex 9 Out IP a > b: x", [5: "eth0"]), "ifindex 9 Out IP a > b: x",
                       "an index that is not known stays a number")
        XCTAssertEqual(CapturePrinter.naming("IP a > b: x", [5: "eth0"]), "IP a > b: x")
    }

    func testTimeFormats() {
        let t = PacketTimestamp(seconds: 1_764_374_400 + 3_723, nanoseconds: 4_005_006)  // 2025-11-29 01:02:03 UTC
        XCTAssertEqual(CapturePrinter.iso(t), "2025-11-29T01:02:03.004005006Z")
        // Local time as tcpdump prints it: HH:MM:SS.microseconds.
        let clock = CapturePrinter.clock(t)
        XCTAssertTrue(clock.hasSuffix(":03.004005"), clock)
        XCTAssertEqual(clock.count, 15)
    }

    func testJSONLineHasEveryLayerAndField() throws {
        // An ICMP echo request in an Ethernet frame.
        var frame: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00]
        frame += [0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1, 0, 0, 10, 213, 100, 1, 10, 213, 100, 2]
        frame += [8, 0, 0, 0, 0, 7, 0, 1]
        let info = CaptureSourceInfo(source: CaptureSource(label: "a/eth0", interface: "eth0", namespaceDescription: "netns a"),
                                     linkType: .ethernet, snapLength: 262_144, warnings: [])
        let p = LivePacket(sequence: 3, timestamp: PacketTimestamp(seconds: 10, nanoseconds: 5), source: 0,
                           originalLength: frame.count, data: frame[...])
        let row = PacketJSON(p, info: info, decoded: PacketDecoder.decode(frame, linkType: .ethernet))
        let bytes = try StreamingJSONEncoder().encode(row)
        let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        XCTAssertEqual(o["seq"] as? Int, 3)
        XCTAssertEqual(o["epochNanos"] as? Int, 10_000_000_005)
        XCTAssertEqual(o["source"] as? String, "a/eth0")
        XCTAssertEqual(o["namespace"] as? String, "netns a")
        XCTAssertEqual(o["summary"] as? String, "IP 10.213.100.1 > 10.213.100.2: ICMP echo request, id 7, seq 1, length 8")
        let layers = try XCTUnwrap(o["layers"] as? [[String: Any]])
        XCTAssertEqual(layers.map { $0["name"] as? String }, ["Frame", "Ethernet", "IPv4", "ICMP"])
        let ip = try XCTUnwrap(layers[2]["fields"] as? [String: Any])
        XCTAssertEqual(ip["destination"] as? String, "10.213.100.2", "\(ip)")
        // Numbers are JSON numbers, not strings ("ttl": 64); named values stay text.
        XCTAssertEqual(ip["ttl"] as? Int, 64, "\(ip)")
        XCTAssertEqual(ip["protocol"] as? String, "ICMP (1)", "\(ip)")
        let icmp = try XCTUnwrap(layers[3]["fields"] as? [String: Any])
        XCTAssertEqual(icmp["type"] as? String, "echo request (8)", "\(icmp)")
        XCTAssertEqual(icmp["sequence"] as? Int, 1, "\(icmp)")
        XCTAssertEqual((layers[0]["fields"] as? [String: Any])?["captured length"] as? Int, frame.count)
    }
}
